import Foundation
import Testing
@testable import LockRecover

@Suite struct ClassifyTests {
    @Test func classifiesAZWaveLockThatWentUnavailable() throws {
        let d = try classify(profile: zwaveProfile(), observations: zwaveSeen())
        #expect(d.symptom != .unknown)
        #expect(!d.symptom.sid.isEmpty)
        #expect(!d.causes.isEmpty)
        #expect(d.triage.contains(.keypadWorks))
        #expect(d.evidence.contains("keypad_lights"))
        let total = d.causes.reduce(0) { $0 + $1.probability }
        #expect(abs(total - 1) < 1e-6)
        #expect(zip(d.causes, d.causes.dropFirst()).allSatisfy { $0.probability >= $1.probability })
        // Causes that cannot happen on Z-Wave are ruled out.
        #expect(!d.causes.contains { $0.cause == .wifiStackCrash })
        #expect(d.causes.allSatisfy { $0.cause?.sid == $0.sid })
    }

    @Test func silentLockPointsAtBatteries() throws {
        let d = try classify(profile: Profile(protocol: .wifi),
                             observations: Observations(keypadLights: false, appStatus: .offline, updateState: UpdateState.none))
        #expect(d.symptom == .completelySilent)
        #expect(d.entryTier == .universal)
    }

    @Test func catalogIdsRoundTrip() throws {
        #expect(Cause.hubSessionMismatch.sid == "hub_session_mismatch")
        #expect(try Cause(sid: "transfer_stall") == .transferStall)
        #expect(Symptom.completelySilent.sid == "completely_silent")
        #expect(Tier.universal.sid == "universal")
        #expect(try Tier(sid: "repair") == .repair)
        #expect(Guard.doorOpen.sid == "door_open")
        #expect(LockProtocol.zwave.sid == "zwave")
        #expect(Ecosystems([.homeKit, .alexa]).sids == ["homekit", "alexa"])
        #expect(Step.zwaveExcludeReinclude.sid == "zwave.exclude_reinclude")
        #expect(try Step(sid: "universal.battery_pull") == .universalBatteryPull)
        #expect(Step.all.count >= 63)
        #expect(Step.all.allSatisfy { $0.isKnown && !$0.title.isEmpty })
        #expect(Cause.allCases.allSatisfy { !$0.sid.isEmpty })
        #expect(!Library.version.isEmpty)
    }
}

@Suite struct ErrorTests {
    @Test func badInputNamesTheFieldAndTheLimit() {
        #expect(throws: LockRecoverError.invalidField("batteryCells", limit: "0...16, not 99")) {
            _ = try classify(profile: Profile(protocol: .ble, batteryCells: 99))
        }
        #expect(throws: LockRecoverError.invalidField("manufacturer", limit: "at most 47 bytes of UTF-8, not 500")) {
            _ = try classify(profile: Profile(protocol: .ble, manufacturer: String(repeating: "x", count: 500)))
        }
        #expect(throws: LockRecoverError.invalidField("batteryPct", limit: "0...100, not 250")) {
            var seen = Observations()
            seen.batteryPct = 250
            _ = try classify(profile: Profile(protocol: .ble), observations: seen)
        }
        #expect(throws: LockRecoverError.invalidField("batteryCells", limit: "0...16, not 99")) {
            _ = try Session(profile: Profile(protocol: .wifi, batteryCells: 99), transport: FakeLock())
        }
        let e = LockRecoverError.invalidField("batteryPct", limit: "0...100, not 250")
        #expect(e.status == LockRecoverError.invalidArgument.status && e.field == "batteryPct")
        #expect(e.description == "invalid argument: batteryPct: 0...100, not 250")
    }

    @Test func unknownStepSidIsNotFound() {
        #expect(throws: LockRecoverError.notFound) { try Step(sid: "no.such_step") }
        #expect(throws: LockRecoverError.notFound) { try Cause(sid: "gremlins") }
    }

    @Test func statusesMapBothWays() {
        let all: [LockRecoverError] = [.invalidArgument, .noMemory, .outOfRange, .guard, .state, .unsupported,
                                       .corrupt, .version, .transport, .buffer, .notFound, .truncated,
                                       .protocol, .oversized]
        for (i, e) in all.enumerated() {
            #expect(e.status == Int32(-1 - i))
            #expect(LockRecoverError(status: e.status) == e)
            #expect(!e.description.isEmpty && e.description != "unknown status")
        }
        #expect(LockRecoverError.invalidArgument.description == String(cString: lkr_strerror_for_test(-1)))
        #expect(LockRecoverError.invalidArgument.name == "LKR_E_INVAL")
        #expect(LockRecoverError(status: 0) == nil)
        #expect(LockRecoverError(status: 1) == nil)
        #expect(LockRecoverError(status: -999) == .unknown(-999))
        #expect(LockRecoverError.unknown(-999).status == -999)
    }

    @Test func wrongInputsToASessionThrow() throws {
        let lock = FakeLock()
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        let a = try s.next()
        #expect(throws: LockRecoverError.self) { try s.report(step: .resetFactoryReset, outcome: .done) }
        #expect(throws: LockRecoverError.invalidArgument) { try s.waive(tier: .support, reason: "no") }
        #expect(throws: LockRecoverError.invalidArgument) { try s.confirm(.codesBackedUp) }
        #expect(try s.next() == a)
        try s.abort()
        #expect(throws: LockRecoverError.state) { try s.abort() }
        #expect(try s.next().kind == .aborted)
    }
}
