import CLockRecover

/// What the host should do now (`lkr_action`).
public struct Action: Equatable, @unchecked Sendable {
    public let kind: ActionKind
    /// The session's state.
    public let state: SessionState
    /// The step concerned.
    public let step: Step?
    /// The current tier.
    public let tier: Tier?
    /// Which part of the step.
    public let phase: Phase?
    /// The question, for ``ActionKind/ask``.
    public let question: Question?
    /// Every unmet guard, for ``ActionKind/blocked``.
    public let unmetGuards: Set<Guard>
    /// The support reasons, for ``ActionKind/needsSupport``.
    public let supportReasons: SupportReasons
    /// ``ActionKind/recovered``: back, but still on the old firmware (the update failed).
    public let updateNotApplied: Bool
    /// Length of the wait or timed phase, in seconds.
    public let waitSeconds: UInt32
    /// ``ActionKind/wait``: the host-clock time to come back at.
    public let waitUntilMs: UInt64
    /// English title (catalog text).
    public let title: String?
    /// English instructions or question.
    public let text: String?

    /// The C action, for the simulator.
    let raw: lkr_action

    /// Whether the action ends the session.
    public var isFinal: Bool { withUnsafePointer(to: raw) { lkr_action_is_final($0) != 0 } }

    init(_ a: lkr_action) throws {
        guard let kind = ActionKind(rawValue: a.kind), let state = SessionState(rawValue: a.state) else {
            throw LockRecoverError.unsupported
        }
        self.kind = kind
        self.state = state
        step = a.step == 0 ? nil : Step(rawValue: a.step)
        tier = Tier(rawValue: a.tier)
        phase = Phase(rawValue: a.phase)
        question = Question(rawValue: a.question)
        unmetGuards = Guard.set(a.unmet_guards)
        supportReasons = kind == .needsSupport ? SupportReasons(rawValue: a.detail & 0xFF) : []
        updateNotApplied = a.detail & LKR_DETAIL_UPDATE_NOT_APPLIED != 0
        waitSeconds = a.wait_s
        waitUntilMs = a.wait_until_ms
        title = string(a.title)
        text = string(a.text)
        raw = a
    }

    public static func == (l: Action, r: Action) -> Bool {
        l.kind == r.kind && l.state == r.state && l.step == r.step && l.tier == r.tier && l.phase == r.phase
            && l.question == r.question && l.raw.unmet_guards == r.raw.unmet_guards && l.raw.detail == r.raw.detail
            && l.waitSeconds == r.waitSeconds && l.waitUntilMs == r.waitUntilMs && l.title == r.title
            && l.text == r.text
    }
}

/// An answer to a question (``Session/answer(question:value:)``).
public enum Answer: Equatable, Sendable, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    case yes
    case no
    /// "I don't know": the question is not asked again.
    case unknown
    /// A number (minutes for ``Question/updateStalledMinutes``).
    case number(Int)
    case updateState(UpdateState)
    case appStatus(AppStatus)
    case codesState(CodeState)

    public init(booleanLiteral value: Bool) { self = value ? .yes : .no }
    public init(integerLiteral value: Int) { self = .number(value) }

    func value(for question: Question) throws -> Int32 {
        switch self {
        case .yes: return Int32(LKR_YES)
        case .no: return Int32(LKR_NO)
        case .unknown: return question == .updateStalledMinutes ? LKR_NUM_UNKNOWN : Int32(LKR_UNKNOWN)
        case .number(let n): return try num(n, "value", 0...Int(Int32.max))
        case .updateState(let s): return Int32(s.rawValue)
        case .appStatus(let s): return Int32(s.rawValue)
        case .codesState(let s): return Int32(s.rawValue)
        }
    }
}

/// One step of the history (`lkr_history_entry`).
public struct HistoryEntry: Equatable, Sendable {
    public let step: Step
    public let tier: Tier?
    /// `nil` while the step runs.
    public let outcome: Outcome?
    /// The host's `runStep` did it (not a person).
    public let byHost: Bool
    /// Host clock when it was offered.
    public let startedMs: UInt64
    /// Host clock when its outcome was recorded (`nil` while it runs).
    public let endedMs: UInt64?
}

/// A recorded waiver (`lkr_waiver`).
public struct Waiver: Equatable, Sendable {
    public enum Target: Equatable, Sendable {
        case tier(Tier)
        case step(Step)
    }
    public let target: Target
    public let atMs: UInt64
    public let reason: String
}

/// A snapshot of a session (`lkr_session_info`).
public struct SessionStatus: Equatable, Sendable {
    public let state: SessionState
    public let ladder: Ladder?
    public let tier: Tier?
    public let symptom: Symptom
    public let triage: TriageFlags
    /// The guards that hold now, for a step of the reset tier.
    public let guardsHeld: Set<Guard>
    public let supportReasons: SupportReasons
    public let historyCount: Int
    public let waiverCount: Int
    /// Tiers exhausted or waived.
    public let tiersDone: Set<Tier>
    public let personMinutes: Int
    /// Every guard that ever blocked a step.
    public let guardsBlocked: Set<Guard>
    public let codesMissing: Int
    public let vaultAttached: Bool
    public let backupVerified: Bool
}

/// A recovery session (`lkr_session`): walks one lock up the escalation
/// ladder. Freed when the last reference goes.
///
/// Isolation and threads: a `Session` is `Sendable`. Its calls are
/// serialised by its own lock (a call from another thread waits), and a
/// call also holds its attached vault's and its simulated lock's. Its
/// transport's callbacks run synchronously inside its calls, on the calling
/// thread and actor. A callback that calls into its own session (or its
/// vault) throws ``LockRecoverError/reentered(_:)``; the library is never
/// entered twice. ``run(isolation:sleep:respond:)`` is the async driver: it
/// runs on the caller's actor, awaits waits and ``AsyncStepRunningTransport``
/// steps, and hands the rest to an async `respond` closure.
public final class Session: @unchecked Sendable {
    let handle: OpaquePointer
    /// Keeps the transport's `ctx` (a Swift transport or a simulated lock) alive.
    let transport: CTransport
    /// Keeps an attached vault alive while the session may use it.
    private var vault: Vault?
    /// Serialises the session's calls; re-entry from a callback throws.
    private let lock = CallLock("session")
    private var firstErrors: [Error] = []

    /// The first error a Swift callback threw in the latest call that had one.
    public var lastTransportError: Error? { lock.read { firstErrors.first } }
    /// Every error the Swift callbacks threw in that call, in order.
    public var transportErrors: [Error] { lock.read { firstErrors } }

    /// Runs one library call under the session's lock (and its vault's and
    /// simulated lock's): refuses re-entry, collects callback errors.
    @discardableResult
    func enter<R>(_ body: () throws -> R) throws -> R {
        try lock.enter {
            func call() throws -> R {
                transport.beginCall()
                defer {
                    if let errors = transport.bridge?.errors, !errors.isEmpty { firstErrors = errors }
                }
                return try body()
            }
            func withVault() throws -> R {
                guard let vault else { return try call() }
                return try vault.lock.enter(call)
            }
            guard let sim = transport.owner as? SimulatedLock else { return try withVault() }
            return try sim.lock.enter(withVault)
        }
    }

    private init(handle: OpaquePointer, transport: CTransport) {
        self.handle = handle
        self.transport = transport
    }

    deinit { lkr_session_free(handle) }

    private static func create(profile: Profile, observations: Observations?, overrides: Overrides?,
                               transport: CTransport) throws -> OpaquePointer {
        var p = try profile.cValue()
        var o = try observations?.cValue() ?? { var c = lkr_observations(); lkr_observations_init(&c); return c }()
        var cfg = lkr_session_config()
        lkr_session_config_init(&cfg)
        var out: OpaquePointer?
        try withUnsafePointer(to: &p) { pp in
            try withUnsafePointer(to: &o) { op in
                cfg.profile = pp
                cfg.observations = observations == nil ? nil : op
                try Overrides.with(overrides) { ov in
                    cfg.overrides = ov
                    transport.beginCall()
                    let status = lkr_session_new(&cfg, &transport.raw, &out)
                    if status < 0, let first = transport.firstError { throw first }
                    try ok(status)
                }
            }
        }
        return out!
    }

    private static func load(_ blob: [UInt8], transport: CTransport) throws -> Session {
        var cfg = lkr_session_config()
        lkr_session_config_init(&cfg)
        var out: OpaquePointer?
        try blob.withUnsafeBytes { b in
            try ok(lkr_session_load(&cfg, &transport.raw, b.baseAddress, b.count, &out))
        }
        return Session(handle: out!, transport: transport)
    }

    /// Starts a recovery of the lock @p profile, seen as @p observations,
    /// with a Swift transport (kept alive by the session) and a vendor's
    /// @p overrides if given.
    public convenience init(profile: Profile, observations: Observations? = nil, transport: any Transport,
                            overrides: Overrides? = nil) throws {
        let t = TransportBridge.make(transport)
        self.init(handle: try Session.create(profile: profile, observations: observations, overrides: overrides,
                                             transport: t), transport: t)
    }

    /// Starts a recovery of a simulated lock, on its own C transport. The
    /// profile and observations default to the lock's own.
    public convenience init(lock: SimulatedLock, profile: Profile? = nil, observations: Observations? = nil,
                            overrides: Overrides? = nil) throws {
        let t = try lock.cTransport()
        let h = try Session.create(profile: profile ?? lock.profile(),
                                   observations: observations ?? lock.observations(), overrides: overrides,
                                   transport: t)
        self.init(handle: h, transport: t)
    }

    /// The transport's capabilities, derived from the protocols it conforms to.
    public var capabilities: TransportCapabilities {
        transport.bridge.map { TransportCapabilities.of($0.transport) }
            ?? [.probe, .runStep, .readCodes, .writeCode, .seal]
    }

    /// Restores a session ``save()`` wrote, with a Swift transport.
    public static func load(_ blob: [UInt8], transport: any Transport) throws -> Session {
        try load(blob, transport: TransportBridge.make(transport))
    }

    /// Restores a session ``save()`` wrote, on a simulated lock.
    public static func load(_ blob: [UInt8], lock: SimulatedLock) throws -> Session {
        try load(blob, transport: try lock.cTransport())
    }


    /// What the host should do now (calls the transport where it can).
    public func next() throws -> Action {
        var a = sized(lkr_action.init) { $0.struct_size = $1 }
        try enter { try ok(lkr_session_next(handle, &a)) }
        return try Action(a)
    }

    /// Reports the outcome of the step the current action names.
    public func report(step: Step, outcome: Outcome) throws {
        try enter { try ok(lkr_session_report(handle, step.rawValue, outcome.rawValue)) }
    }

    /// Answers the current question.
    public func answer(question: Question, value: Answer) throws {
        try enter { try ok(lkr_session_answer(handle, question.rawValue, try value.value(for: question))) }
    }

    /// Adds facts: every known field replaces the session's.
    public func observe(_ observations: Observations) throws {
        var o = try observations.cValue()
        try enter { try ok(lkr_session_observe(handle, &o)) }
    }

    /// The person confirms (or withdraws) a guard only a person can know.
    public func confirm(_ guard: Guard, holds: Bool = true) throws {
        try enter { try ok(lkr_session_confirm(handle, `guard`.rawValue, holds ? 1 : 0)) }
    }

    private static func checkReason(_ reason: String) throws {
        let n = reason.utf8.count
        let limit = Int(LKR_REASON_MAX) - 1
        guard (1...limit).contains(n), !reason.utf8.contains(0) else {
            throw LockRecoverError.invalidField("reason", limit: "1...\(limit) bytes without NUL, not \(n)")
        }
    }

    /// Skips a whole tier, recording why (1-47 printable characters).
    public func waive(tier: Tier, reason: String) throws {
        try Session.checkReason(reason)
        try enter { try ok(lkr_session_waive(handle, UInt32(LKR_WAIVE_TIER.rawValue), tier.rawValue, reason)) }
    }

    /// Skips one step, recording why.
    public func waive(step: Step, reason: String) throws {
        try Session.checkReason(reason)
        try enter { try ok(lkr_session_waive(handle, UInt32(LKR_WAIVE_STEP.rawValue), step.rawValue, reason)) }
    }

    /// Stops the recovery for good.
    public func abort() throws {
        try enter { try ok(lkr_session_abort(handle)) }
    }

    /// Re-reads the clock after a wait: `true` when no wait runs any more.
    @discardableResult
    public func tick() throws -> Bool {
        try enter { try check(lkr_session_tick(handle)) } == LKR_OK
    }

    /// Completes a probe that replied ``ProbeReply/pending``.
    public func probeDone(_ result: Result<ProbeResult, LockRecoverError>) throws {
        switch result {
        case .success(let r):
            var c = sized(lkr_probe_result.init) { $0.struct_size = $1 }
            try r.fill(&c)
            try enter { try ok(lkr_session_probe_done(handle, LKR_OK, &c)) }
        case .failure(let e):
            try enter { try ok(lkr_session_probe_done(handle, e.status, nil)) }
        }
    }

    /// A snapshot of the session's state.
    public func status() throws -> SessionStatus {
        var i = sized(lkr_session_info.init) { $0.struct_size = $1 }
        try enter { try ok(lkr_session_status(handle, &i)) }
        return SessionStatus(
            state: SessionState(rawValue: i.state) ?? .triage, ladder: Ladder(rawValue: i.ladder),
            tier: Tier(rawValue: i.tier), symptom: Symptom(rawValue: i.symptom) ?? .unknown,
            triage: TriageFlags(rawValue: i.triage), guardsHeld: Guard.set(i.guards_held),
            supportReasons: SupportReasons(rawValue: i.support_reasons), historyCount: Int(i.history_count),
            waiverCount: Int(i.waiver_count),
            tiersDone: Set(Tier.allCases.filter { i.tiers_done & (1 << $0.rawValue) != 0 }),
            personMinutes: Int(i.person_minutes), guardsBlocked: Guard.set(i.guards_blocked),
            codesMissing: Int(i.codes_missing), vaultAttached: i.vault_attached != 0,
            backupVerified: i.backup_verified != 0)
    }

    /// The current beliefs: causes ranked after every outcome so far.
    public func beliefs() throws -> Diagnosis {
        var d = sized(lkr_diagnosis.init) { $0.struct_size = $1 }
        try enter { try ok(lkr_session_beliefs(handle, &d)) }
        return Diagnosis(d)
    }

    /// Every step offered so far, in order.
    public func history() throws -> [HistoryEntry] {
        let n = try status().historyCount
        return try (0..<n).map { i in
            var h = sized(lkr_history_entry.init) { $0.struct_size = $1 }
            try enter { try ok(lkr_session_history(handle, UInt32(i), &h)) }
            let outcome = Outcome(rawValue: h.outcome)
            return HistoryEntry(step: Step(rawValue: h.step), tier: Tier(rawValue: h.tier), outcome: outcome,
                                byHost: h.by_host != 0, startedMs: h.started_ms,
                                endedMs: h.outcome == 0 ? nil : h.ended_ms)
        }
    }

    /// The recorded waivers, in order.
    public func waivers() throws -> [Waiver] {
        let n = try status().waiverCount
        return try (0..<n).map { i in
            var w = sized(lkr_waiver.init) { $0.struct_size = $1 }
            try enter { try ok(lkr_session_waiver(handle, UInt32(i), &w)) }
            let target: Waiver.Target
            if w.kind == UInt32(LKR_WAIVE_TIER.rawValue) {
                guard let t = Tier(rawValue: w.id) else { throw LockRecoverError.outOfRange }
                target = .tier(t)
            } else {
                target = .step(Step(rawValue: w.id))
            }
            return Waiver(target: target, atMs: w.at_ms, reason: getText(w.reason) ?? "")
        }
    }

    /// Attaches a code vault (kept alive by the session), or detaches with `nil`.
    public func attach(vault: Vault?) throws {
        try enter {
            // enter() holds the current vault's lock; a new one is taken here.
            if let vault, vault !== self.vault {
                try vault.lock.enter { try ok(lkr_session_attach_vault(handle, vault.handle)) }
            } else {
                try ok(lkr_session_attach_vault(handle, vault?.handle))
            }
            self.vault = vault
        }
    }

    /// Saves the session into a versioned, checksummed blob (no codes, no callbacks).
    public func save() throws -> [UInt8] {
        try enter {
            var needed = 0
            let s = lkr_session_save(handle, nil, 0, &needed)
            if s != LKR_E_BUFFER { try check(s) }
            var blob = [UInt8](repeating: 0, count: needed)
            try blob.withUnsafeMutableBytes { b in
                try ok(lkr_session_save(handle, b.baseAddress, b.count, &needed))
            }
            return Array(blob.prefix(needed))
        }
    }

    private func text(_ fn: (OpaquePointer, UnsafeMutablePointer<CChar>?, Int, UnsafeMutablePointer<Int>) -> Int32) throws -> String {
        try enter {
            var needed = 0
            let s = fn(handle, nil, 0, &needed)
            if s != LKR_E_BUFFER { try check(s) }
            var buf = [CChar](repeating: 0, count: max(needed, 1))
            try buf.withUnsafeMutableBufferPointer { b in
                try ok(fn(handle, b.baseAddress, b.count, &needed))
            }
            return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// The support report as a JSON string.
    public func reportJSONString() throws -> String {
        try text { lkr_session_report_json($0, $1, $2, $3) }
    }

    /// The support report, decoded.
    public func reportJSON() throws -> Report {
        try Report.decode(reportJSONString())
    }

    /// The support report as plain English text.
    public func reportText() throws -> String {
        try text { lkr_session_report_text($0, $1, $2, $3) }
    }
}
