import Testing
import LockRecover

/// A code lock whose hub went away: every code callback throws its own error.
final class UnreachableHub: Transport, CodeReadingTransport, CodeWritingTransport, SealingTransport {
    struct HubGone: Error, Equatable {}
    func nowMs() -> UInt64 { 1 }
    func readCodes() throws -> CodeReadout { throw HubGone() }
    func writeCode(_ code: Code) throws { throw HubGone() }
    func seal(_ clear: [UInt8]) throws -> [UInt8] { throw HubGone() }
    func unseal(_ sealed: [UInt8]) throws -> [UInt8] { throw HubGone() }
}

/// A lock whose prompt callback calls back into its own session (a person
/// does every step, so every action is prompted).
final class ReentrantLock: Transport, PromptingTransport {
    weak var session: Session?
    var seen: [Error] = []
    var prompts = 0
    func nowMs() -> UInt64 { 5_000 }
    func prompt(_ action: Action) {
        prompts += 1
        guard let session else { return }
        do { _ = try session.status() } catch { seen.append(error) }
    }
}

/// A lock whose two callbacks fail in one call.
final class TwiceFailing: FakeLock {
    struct First: Error {}
    override func runStep(_ step: Step) throws -> StepReply { throw First() }
}

/// A hub whose automatable steps are async work. Unchecked: one test task
/// uses it, and its async step runs only while that task awaits it.
final class AsyncHub: Transport, AsyncStepRunningTransport, PromptingTransport, @unchecked Sendable {
    var clock: UInt64 = 10_000
    var ran: [Step] = []
    var fixed = false
    func nowMs() -> UInt64 { clock }
    func prompt(_ action: Action) {}
    func runStep(_ step: Step) async throws -> Outcome {
        guard step == .zwaveRestartHub else { return .cannotDo }
        await Task.yield()
        ran.append(step)
        fixed = true
        return .done
    }
}

@Suite struct BindingTests {
    @Test func capabilitiesFollowTheProtocolsATransportConformsTo() throws {
        #expect(TransportCapabilities.of(FakeLock()) == [.probe, .runStep, .prompt, .log])
        #expect(TransportCapabilities.of(FakeCodeLock()) == [.probe, .runStep, .prompt, .log, .codes])
        #expect(TransportCapabilities.of(ClockOnly()).isEmpty)
        #expect(TransportCapabilities.of(AsyncHub()) == [.runStep, .prompt])
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: FakeLock())
        #expect(s.capabilities.contains(.probe))
    }

    @Test func aVaultThrowsTheCallbacksOwnError() throws {
        let v = try Vault()
        #expect(throws: UnreachableHub.HubGone()) { try v.backup(using: UnreachableHub()) }
        try v.record(Code(slot: 1, kind: .user, name: "alice", pin: "2468"))
        #expect(throws: UnreachableHub.HubGone()) { _ = try v.exportSealed(using: UnreachableHub()) }
    }

    @Test func aCallbackCallingIntoItsOwnSessionGetsAnErrorNotACrash() throws {
        let lock = ReentrantLock()
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        lock.session = s
        let first = try s.next()
        #expect(lock.prompts > 0 && lock.seen.count == lock.prompts)
        for error in lock.seen {
            guard case .reentered = error as? LockRecoverError else {
                Issue.record("expected .reentered, got \(error)")
                continue
            }
        }
        // The session is intact: the same action again, and its status readable.
        #expect(try s.next() == first)
        lock.session = nil
        #expect(try s.status().state != .aborted)
    }

    @Test func theFirstCallbackErrorIsKept() throws {
        let lock = TwiceFailing(fixAfter: 1_000)
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: lock)
        _ = try drive(s, lock, limit: 100)
        #expect(s.lastTransportError is TwiceFailing.First)
        #expect(s.transportErrors.first is TwiceFailing.First)
    }

    @Test func waiveReasonLimits() throws {
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: FakeLock())
        #expect(throws: LockRecoverError.invalidField("reason", limit: "1...47 bytes without NUL, not 0")) {
            try s.waive(step: .zwaveRestartHub, reason: "")
        }
    }

    @Test func asyncRunAwaitsHostStepsAndWaits() async throws {
        let hub = AsyncHub()
        let s = try Session(profile: zwaveProfile(), observations: zwaveSeen(), transport: hub)
        var slept: [UInt64] = []
        let end = try await s.run(sleep: { ms in slept.append(ms); hub.clock += ms + 1 }) { session, a in
            switch a.kind {
            case .ask: try session.answer(question: a.question!, value: .unknown)
            case .personStep: try session.report(step: a.step!, outcome: .done)
            case .verify: try session.report(step: a.step!, outcome: hub.fixed ? .fixed : .notFixed)
            case .blocked: try session.waive(step: a.step!, reason: "not today")
            default: Issue.record("unexpected \(a.kind)")
            }
        }
        #expect(end.kind == .recovered)
        #expect(hub.ran == [.zwaveRestartHub])
        #expect(!slept.isEmpty)
    }

    @Test func overridesPreflightAndTheCatalog() throws {
        let facts = Observations(keypadLights: true, appStatus: .unavailable)
        let lock = Profile(protocol: .zwave)
        #expect(try classify(profile: lock, observations: facts).causes.first?.cause == .hubSessionMismatch)
        let ov = Overrides(priors: [.hubSessionMismatch: 1, .zwaveDeepSleep: 900_000])
        try ov.validate()
        #expect(try classify(profile: lock, observations: facts, overrides: ov).causes.first?.cause == .zwaveDeepSleep)
        #expect(throws: LockRecoverError.self) { try Overrides(priors: [.hubSessionMismatch: 2_000_000]).validate() }
        let sim = try SimulatedLock(protocol: .zwave, causes: [.hubSessionMismatch], seed: 7)
        #expect(try sim.run(overrides: Overrides(costs: [.zwaveRestartHub: 5])).finalKind == .recovered)

        let ble = Profile(protocol: .ble, batteryChemistry: .alkaline)
        #expect(try preflight(profile: ble, PreflightInput(batteryPct: 30)).contains(.battery50))
        #expect(try preflight(profile: ble, PreflightInput(batteryPct: 90, cellsFresh: true, keyOnPerson: true,
                                                            automationsPaused: true, phoneStaysInRange: true,
                                                            android: false)).isEmpty)
        #expect(try stepApplies(.zwaveRestartHub, profile: lock))
        #expect(try !stepApplies(.bleRebond, profile: lock))
        let counts = CatalogCounts.current
        #expect(counts.steps == Step.all.count && counts.causes == Cause.allCases.count)
        #expect(counts.symptoms > 0 && counts.tiers > 0 && counts.guards > 0 && counts.evidence > 40)
        let lights = try Evidence(sid: "keypad_lights")
        #expect(lights.sid == "keypad_lights")
        #expect(try likelihood(of: lights, given: .batteriesDepleted) < 1)
        #expect(try Chemistry(sid: "nimh") == .nimh)
        #expect(try Ecosystems(sid: "homekit") == .homeKit)
        #expect(Library.versionNumber >= 10000)
    }
}

/// An app's view model: isolated to the main actor, its transport too.
@MainActor final class MainActorHub: @MainActor Transport, @MainActor PromptingTransport {
    var prompts = 0
    func nowMs() -> UInt64 { 1_000 }
    func prompt(_ action: Action) { prompts += 1 }
}

@Suite struct IsolationTests {
    @Test func aSessionSharedAcrossTasksIsSerialised() async throws {
        let lock = try SimulatedLock(protocol: .zwave, causes: [.hubSessionMismatch], seed: 5)
        let s = try Session(lock: lock)
        let v = try Vault()
        try s.attach(vault: v)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var bytes = 0
                    for _ in 0..<100 {
                        _ = try s.next()
                        bytes += try s.save().count + s.reportJSONString().utf8.count
                        _ = try lock.stats()
                        _ = try v.status()
                    }
                    return bytes
                }
            }
            for try await bytes in group { #expect(bytes > 0) }
        }
        #expect(try s.status().vaultAttached)
    }

    @MainActor @Test func aMainActorAppDrivesASessionWithTheAsyncAPI() async throws {
        let hub = MainActorHub()
        let s = try Session(profile: Profile(protocol: .ble), transport: hub)
        #expect(s.capabilities == [.prompt])
        var asked = 0
        let end = try await s.run(sleep: { _ in }) { session, action in
            asked += 1
            if asked > 3 { try session.abort(); return }
            switch action.kind {
            case .ask: try session.answer(question: action.question!, value: .unknown)
            case .personStep, .hostStep: try session.report(step: action.step!, outcome: .done)
            case .verify: try session.report(step: action.step!, outcome: .notFixed)
            case .blocked: try session.waive(step: action.step!, reason: "not today")
            default: break
            }
        }
        #expect(end.kind == .aborted)
        #expect(hub.prompts > 0)
    }
}
