import Foundation
import Testing
@testable import LockRecover

@Suite struct SessionTests {
    @Test func aWholeRecoveryDrivenByASwiftTransport() throws {
        let lock = FakeLock(fixAfter: 3)
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        let end = try drive(s, lock)
        #expect(end.kind == .recovered)
        #expect(end.state == .recovered)
        #expect(try s.status().state == .recovered)
        let history = try s.history()
        #expect(history.count >= 3)
        #expect(history.last?.outcome == .fixed || history.last?.outcome == .done)
        #expect(history.allSatisfy { $0.endedMs != nil && $0.endedMs! >= $0.startedMs })
        #expect(lock.performed.count >= 3)
        // The Swift runStep did steps; a person was prompted for every step the host could not do.
        #expect(history.contains { $0.byHost })
        #expect(lock.prompts >= history.filter { !$0.byHost }.count)
        #expect(!lock.logLines.isEmpty)
        #expect(lock.clock > 10_000) // waits were served by advancing the fake clock
        #expect(try s.next() == end) // final actions repeat
    }

    @Test func aThrowingCallbackIsAFailedStepNotACrash() throws {
        struct Jammed: Error {}
        let lock = FakeLock(fixAfter: 100)
        lock.runStepError = Jammed()
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        _ = try drive(s, lock, limit: 200)
        #expect(s.lastTransportError is Jammed)
        #expect(try s.history().contains { $0.outcome == .failed })
        #expect(try s.status().state != .aborted)
    }

    @Test func guardRefusalThenConfirmMakesProgress() throws {
        let lock = FakeCodeLock(fixAfter: 1_000)
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        let vault = try Vault()
        try s.attach(vault: vault)
        // The first refusal: installing the update needs the pre-update checklist.
        let a = try drive(s, lock)
        #expect(a.kind == .blocked)
        #expect(a.state == .blocked)
        let step = try #require(a.step)
        #expect(a.unmetGuards.contains(.preflightOK))
        #expect(a.unmetGuards.isSubset(of: step.guards))
        #expect(try s.status().guardsBlocked.contains(.preflightOK))
        // Blocked until the guards hold: its outcome is refused meanwhile.
        #expect(throws: LockRecoverError.state) { try s.report(step: step, outcome: .done) }
        #expect(try s.next() == a)
        // A person settles what only a person can know.
        try s.confirm(.preflightOK)
        let after = try s.next()
        #expect(after != a)
        #expect(!after.unmetGuards.contains(.preflightOK))
        #expect(after.kind == .personStep && after.step == step)
        // Withdrawing the confirmation blocks it again.
        try s.confirm(.preflightOK, holds: false)
        let again = try s.next()
        #expect(again.kind == .blocked && again.unmetGuards.contains(.preflightOK))
    }

    @Test func saveAndLoadGiveTheSameNextAction() throws {
        let lock = FakeLock(fixAfter: 1_000)
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        var seen = 0
        _ = try drive(s, lock, limit: 500) { _ in seen += 1; return seen > 6 }
        let blob = try s.save()
        #expect(!blob.isEmpty)
        let twin = try Session.load(blob, transport: lock)
        #expect(try twin.next() == s.next())
        #expect(try twin.save() == blob)
        #expect(try twin.history() == s.history())
        // Damaged blobs are refused, never half-loaded.
        var bad = blob
        bad[bad.count / 2] ^= 0xFF
        #expect(throws: LockRecoverError.self) { _ = try Session.load(bad, transport: lock) }
        #expect(throws: LockRecoverError.truncated) { _ = try Session.load(Array(blob.prefix(blob.count - 3)), transport: lock) }
    }

    @Test func reportJSONDecodesWithCodable() throws {
        let lock = FakeLock(fixAfter: 2)
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        try drive(s, lock)
        let r = try s.reportJSON()
        #expect(r.reportVersion == 1)
        #expect(r.library == Library.version)
        #expect(r.lock.protocol == "zwave")
        #expect(r.lock.manufacturer == "Yale")
        #expect(r.lock.ecosystems == ["homeassistant"])
        #expect(r.firmware.before == "1.9.0")
        #expect(r.state == "recovered")
        #expect(r.sessionState == .recovered)
        #expect(r.ladder == "connection")
        #expect(r.steps.count == (try s.history().count))
        #expect(r.steps.allSatisfy { (try? Step(sid: $0.id)) != nil && ($0.endedS ?? 0) >= $0.startedS })
        #expect(r.supportReasons.isEmpty)
        #expect(r.causes.allSatisfy { (try? Cause(sid: $0.id)) != nil && $0.p > 0 })
        // It round-trips through Codable.
        let again = try JSONDecoder().decode(Report.self, from: JSONEncoder().encode(r))
        #expect(again == r)
        let text = try s.reportText()
        #expect(text.contains("Smart lock support report"))
        #expect(text.contains("Yale"))
    }

    @Test func aClockThatGoesBackwardsBreaksNothing() throws {
        let lock = FakeLock(fixAfter: 4)
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        var a = try drive(s, lock) { $0.kind == .wait }
        #expect(a.kind == .wait)
        let deadline = a.waitUntilMs
        lock.clock = 5 // backwards, far before the session began
        #expect(try s.tick() == false)
        #expect(try s.next() == a)
        lock.clock = 0
        #expect(try s.next().kind == .wait)
        lock.clock = deadline // forward again: the wait ends
        #expect(try s.tick() == true)
        a = try s.next()
        #expect(a.kind != .wait || a.waitUntilMs != deadline)
        #expect(try drive(s, lock).isFinal)
        #expect(try s.reportJSON().steps.allSatisfy { $0.startedS >= 0 })
    }

    @Test func answersAndObservationsMoveTheSession() throws {
        let lock = FakeLock(fixAfter: 2)
        let s = try Session(profile: Profile(protocol: .ble, hasKeypad: true), transport: lock)
        var a = try s.next()
        #expect(a.kind == .ask)
        #expect(a.question == .updateState)
        try s.answer(question: .updateState, value: .updateState(.none))
        a = try s.next()
        #expect(a.question != .updateState)
        var seen = Observations()
        seen.keypadLights = false
        seen.appStatus = .offline
        try s.observe(seen)
        #expect(try s.status().symptom == .completelySilent)
        #expect(try s.status().ladder == .connection)
        // The person has no pre-update checklist at hand: a step it guards is waived.
        var end = try drive(s, lock)
        while end.kind == .blocked, let step = end.step {
            try s.waive(step: step, reason: "no checklist today")
            end = try drive(s, lock)
        }
        #expect(end.isFinal)
        #expect(try s.history().contains { !$0.byHost })
        #expect(lock.prompts > 0)
    }

    @Test func waiversAreRecorded() throws {
        let lock = FakeLock(fixAfter: 1_000)
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        try s.waive(tier: .ecosystem, reason: "no Home Assistant access today")
        #expect(throws: LockRecoverError.state) { try s.waive(tier: .ecosystem, reason: "again") }
        let w = try s.waivers()
        #expect(w.count == 1)
        #expect(w.first?.target == .tier(.ecosystem))
        #expect(w.first?.reason == "no Home Assistant access today")
        #expect(try s.status().tiersDone.contains(.ecosystem))
    }

    @Test func vaultBacksUpVerifiesAndRestores() throws {
        let lock = FakeCodeLock()
        let v = try Vault()
        try v.backup(using: lock)
        var st = try v.status()
        #expect(st.count == 3 && st.verified && st.digest.count == 32)
        #expect(try v.codes().map(\.name) == ["admin", "alice", "bob"])
        #expect(try v.verify(using: lock) == 0)
        lock.stored.removeAll { $0.slot == 2 }
        #expect(try v.verify(using: lock) == 1)
        #expect(try v.restore(using: lock) == 0)
        #expect(lock.stored.map(\.slot) == [0, 1, 2])
        let sealed = try v.exportSealed(using: lock)
        #expect(!sealed.isEmpty)
        let w = try Vault()
        try w.importSealed(sealed, using: lock)
        st = try w.status()
        #expect(st.digest == (try v.status().digest))
        #expect(throws: LockRecoverError.self) { try w.importSealed([1, 2, 3], using: lock) }
        // A transport without code callbacks cannot back up.
        #expect(throws: LockRecoverError.unsupported) { try Vault().backup(using: ClockOnly()) }
    }
}

@Suite struct SimulatorTests {
    @Test func aFixableCauseRecovers() throws {
        let lock = try SimulatedLock(protocol: .zwave, causes: [.hubSessionMismatch], seed: 7)
        let r = try lock.run()
        #expect(r.finalKind == .recovered)
        #expect(r.actions > 0)
        #expect(r.stats.faultsLeft == 0)
        #expect(r.stats.unsafeSteps == 0)
        #expect(r.stats.codesLost == 0)
    }

    @Test func hardwareFailureNeedsSupport() throws {
        let lock = try SimulatedLock(protocol: .wifi, causes: [.hardwareFailure], seed: 3)
        let r = try lock.run()
        #expect(r.finalKind == .needsSupport)
        #expect(r.stats.unsafeSteps == 0)
    }

    @Test func aSessionOnTheSimulatorDrivenStepByStep() throws {
        let lock = try SimulatedLock(protocol: .wifi, causes: [.appStaleState], seed: 11)
        let profile = try lock.profile()
        #expect(profile.protocol == .wifi)
        let s = try Session(lock: lock)
        let v = try Vault()
        try s.attach(vault: v)
        var a = try s.next()
        var n = 0
        while !a.isFinal && n < 2_000 {
            try lock.respond(session: s, action: a)
            a = try s.next()
            n += 1
        }
        #expect(a.kind == .recovered)
        #expect(try lock.stats().faultsLeft == 0)
        #expect(try s.reportJSON().state == "recovered")
    }

    @Test func theSameSeedGivesTheSameRun() throws {
        let a = try SimulatedLock(protocol: .ble, causes: [.phoneBLEBug], seed: 42).run()
        let b = try SimulatedLock(protocol: .ble, causes: [.phoneBLEBug], seed: 42).run()
        #expect(a == b)
    }

    @Test func aPersonWhoConfirmsNoGuardNeverGetsAFactoryReset() throws {
        let lock = try SimulatedLock(protocol: .wifi, causes: [.hardwareFailure], seed: 5, flags: [.probe, .personRefuses])
        let r = try lock.run()
        #expect(r.finalKind == .needsSupport)
        #expect(r.stats.destructiveActs == 0)
        #expect(r.stats.unsafeSteps == 0)
        #expect(r.stats.codesLost == 0)
    }

    @Test func badSimulatorInputThrows() {
        #expect(throws: LockRecoverError.invalidField("causes", limit: "1...4 causes, not 0")) {
            _ = try SimulatedLock(protocol: .ble, causes: [])
        }
        #expect(throws: LockRecoverError.self) { _ = try SimulatedLock(protocol: .ble, causes: [.wifiStackCrash]) }
    }
}
