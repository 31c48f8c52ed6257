import LockRecover

/// A fake lock driven by a Swift transport, with a clock the test advances.
class FakeLock: Transport, ProbingTransport, StepRunningTransport, PromptingTransport, LoggingTransport {
    var clock: UInt64 = 10_000
    /// The lock works again once this many steps were performed.
    var fixAfter: Int
    private(set) var performed: [Step] = []
    private(set) var prompts = 0
    private(set) var logLines: [String] = []
    var stored: [Code] = [
        Code(slot: 0, kind: .admin, name: "admin", pin: "123456"),
        Code(slot: 1, kind: .user, name: "alice", pin: "2468"),
        Code(slot: 2, kind: .user, name: "bob", pin: "13579"),
    ]
    var runStepError: Error?

    init(fixAfter: Int = 3) {
        self.fixAfter = fixAfter
    }

    var fixed: Bool { performed.count >= fixAfter }

    func perform(_ step: Step) { performed.append(step) }
    func advance(to ms: UInt64) { clock = max(clock, ms) }

    func nowMs() -> UInt64 { clock }
    func probe() throws -> ProbeReply { .done(ProbeResult(reachable: fixed, firmwareVersion: "2.1.0")) }
    func runStep(_ step: Step) throws -> StepReply {
        if let runStepError { throw runStepError }
        perform(step)
        return .done
    }
    func prompt(_ action: Action) { prompts += 1 }
    func log(level: LogLevel, message: String) { logLines.append(message) }
    func readCodes() throws -> CodeReadout { CodeReadout(codes: stored) }
    func writeCode(_ code: Code) throws {
        stored.removeAll { $0.slot == code.slot }
        stored.append(code)
        stored.sort { $0.slot < $1.slot }
    }
    // A toy "keystore": a tag and every byte flipped. Real hosts use the platform's.
    func seal(_ clear: [UInt8]) throws -> [UInt8] { [0x4C, 0x4B] + clear.map { $0 ^ 0xA5 } }
    func unseal(_ sealed: [UInt8]) throws -> [UInt8] {
        guard sealed.count >= 2, sealed[0] == 0x4C, sealed[1] == 0x4B else { throw LockRecoverError.corrupt }
        return sealed.dropFirst(2).map { $0 ^ 0xA5 }
    }
}

/// The fake lock with the code callbacks too (the code vault).
final class FakeCodeLock: FakeLock, CodeReadingTransport, CodeWritingTransport, SealingTransport {}

/// A transport with a clock and nothing else: a person does everything.
final class ClockOnly: Transport {
    func nowMs() -> UInt64 { 1_000 }
}

/// A Z-Wave lock whose keypad works while the hub shows it unavailable, after an update.
func zwaveProfile() -> Profile {
    Profile(protocol: .zwave, ecosystems: [.homeAssistant], batteryChemistry: .alkaline, hasKeypad: true,
            hasKeyCylinder: true, repairErasesCodes: false, manufacturer: "Yale", model: "Assure Lock 2")
}

func zwaveSeen() -> Observations {
    Observations(keypadLights: true, appStatus: .unavailable, updateState: .reportedOK, batteryPct: 85,
                 hubOnline: true, firmwareBefore: "1.9.0", firmwareTarget: "2.1.0")
}

/// Plays the person for the fake lock until a final or blocked action.
@discardableResult
func drive(_ s: Session, _ lock: FakeLock, limit: Int = 500, stopWhen: (Action) -> Bool = { _ in false }) throws -> Action {
    for _ in 0..<limit {
        let a = try s.next()
        if a.isFinal || a.kind == .blocked || stopWhen(a) { return a }
        switch a.kind {
        case .ask:
            try s.answer(question: a.question!, value: .unknown)
        case .personStep:
            if a.phase == .perform { lock.perform(a.step!) }
            try s.report(step: a.step!, outcome: .done)
        case .hostStep:
            try s.report(step: a.step!, outcome: .done)
        case .wait:
            lock.advance(to: a.waitUntilMs)
        case .verify:
            try s.report(step: a.step!, outcome: lock.fixed ? .fixed : .notFixed)
        default:
            return a
        }
    }
    return try s.next()
}
