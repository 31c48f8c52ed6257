import CLockRecover

// The catalog look-ups, vendor overrides, the pre-update checklist and the
// async driver.

/// A kind of evidence the classifier weighs (`lkr_evidence`): an id with its
/// stable name ("keypad_lights").
public struct Evidence: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The evidence named @p sid (`lkr_evidence_find`); throws ``LockRecoverError/notFound``.
    public init(sid: String) throws {
        var id: UInt32 = 0
        try check(lkr_evidence_find(sid, &id))
        rawValue = id
    }
    /// The stable name ("" for an id the library does not know).
    public var sid: String { string(lkr_evidence_name(rawValue)) ?? "" }
    public var description: String { sid }
}

public extension Chemistry {
    /// The chemistry named @p sid ("nimh"; `lkr_chemistry_find`).
    init(sid: String) throws {
        var id: UInt32 = 0
        try check(lkr_chemistry_find(sid, &id))
        guard let c = Chemistry(rawValue: id) else { throw LockRecoverError.outOfRange }
        self = c
    }
}

public extension Ecosystems {
    /// The set holding the one ecosystem named @p sid ("homekit"; `lkr_ecosystem_find`).
    init(sid: String) throws {
        var id: UInt32 = 0
        try check(lkr_ecosystem_find(sid, &id))
        self.init(rawValue: 1 << id)
    }
}

/// The size of each catalog table of the library (valid ids are
/// 1...count; symptoms 0..<count, 0 being unknown).
public struct CatalogCounts: Equatable, Sendable {
    public let steps: Int
    public let causes: Int
    public let symptoms: Int
    public let tiers: Int
    public let guards: Int
    public let evidence: Int

    /// The loaded library's counts (`lkr_*_count`).
    public static var current: CatalogCounts {
        CatalogCounts(steps: Int(lkr_step_count()), causes: Int(lkr_cause_count()),
                      symptoms: Int(lkr_symptom_count()), tiers: Int(lkr_tier_count()),
                      guards: Int(lkr_guard_count()), evidence: Int(lkr_evidence_count()))
    }
}

/// The catalog's likelihood of @p evidence under @p cause relative to
/// neutral (1.0), before any override (`lkr_likelihood_get`).
public func likelihood(of evidence: Evidence, given cause: Cause) throws -> Double {
    var permille: UInt32 = 0
    try check(lkr_likelihood_get(evidence.rawValue, cause.rawValue, &permille))
    return Double(permille) / 1000
}

/// Whether @p step fits the lock and what is observed (`lkr_step_applies`).
public func stepApplies(_ step: Step, profile: Profile, observations: Observations = Observations()) throws -> Bool {
    var p = try profile.cValue()
    var o = try observations.cValue()
    var applies: Int32 = 0
    try check(lkr_step_applies(step.rawValue, &p, &o, &applies))
    return applies != 0
}

/// A vendor's numbers instead of the catalog's (`lkr_overrides`), for
/// ``classify(profile:observations:overrides:)``, ``Session`` and
/// ``SimulatedLock/run(maxActions:overrides:)``.
public struct Overrides: Equatable, Sendable {
    /// One likelihood replacement: P(evidence | cause) in thousandths of neutral.
    public struct Likelihood: Equatable, Sendable {
        public var evidence: Evidence
        public var cause: Cause
        /// 1000 is neutral, 0 rules the cause out; at most 1000000.
        public var permille: UInt32
        public init(evidence: Evidence, cause: Cause, permille: UInt32) {
            self.evidence = evidence
            self.cause = cause
            self.permille = permille
        }
    }
    /// Cause -> prior in thousandths (0...1000000).
    public var priors: [Cause: UInt32]
    public var likelihoods: [Likelihood]
    /// Step -> cost in minutes (1...100000).
    public var costs: [Step: UInt32]
    /// Steps never to offer (disabling never lifts a guard).
    public var disabledSteps: Set<Step>

    public init(priors: [Cause: UInt32] = [:], likelihoods: [Likelihood] = [], costs: [Step: UInt32] = [:],
                disabledSteps: Set<Step> = []) {
        self.priors = priors
        self.likelihoods = likelihoods
        self.costs = costs
        self.disabledSteps = disabledSteps
    }

    /// Checks them the way the library will (`lkr_overrides_validate`).
    public func validate() throws {
        try Overrides.with(self) { try ok(lkr_overrides_validate($0)) }
    }

    /// Calls @p body with the C struct (or NULL for `nil`), alive for the call.
    static func with<R>(_ o: Overrides?, _ body: (UnsafePointer<lkr_overrides>?) throws -> R) throws -> R {
        guard let o else { return try body(nil) }
        let limit = Int(LKR_OVERRIDES_MAX)
        for (name, n) in [("priors", o.priors.count), ("likelihoods", o.likelihoods.count),
                          ("costs", o.costs.count), ("disabledSteps", o.disabledSteps.count)] where n > limit {
            throw LockRecoverError.invalidField("overrides.\(name)", limit: "at most \(limit) entries, not \(n)")
        }
        let priors = o.priors.sorted { $0.key.rawValue < $1.key.rawValue }.map { lkr_weight(id: $0.key.rawValue, value: $0.value) }
        let likes = o.likelihoods.map { lkr_likelihood(evidence: $0.evidence.rawValue, cause: $0.cause.rawValue, permille: $0.permille) }
        let costs = o.costs.sorted { $0.key.rawValue < $1.key.rawValue }.map { lkr_weight(id: $0.key.rawValue, value: $0.value) }
        let disabled = o.disabledSteps.map(\.rawValue).sorted()
        return try priors.withUnsafeBufferPointer { pp in
            try likes.withUnsafeBufferPointer { lp in
                try costs.withUnsafeBufferPointer { cp in
                    try disabled.withUnsafeBufferPointer { dp in
                        var c = lkr_overrides()
                        c.struct_size = UInt32(MemoryLayout<lkr_overrides>.size)
                        c.prior_count = UInt32(pp.count)
                        c.priors = pp.count > 0 ? pp.baseAddress : nil
                        c.likelihood_count = UInt32(lp.count)
                        c.likelihoods = lp.count > 0 ? lp.baseAddress : nil
                        c.cost_count = UInt32(cp.count)
                        c.costs = cp.count > 0 ? cp.baseAddress : nil
                        c.disabled_count = UInt32(dp.count)
                        c.disabled_steps = dp.count > 0 ? dp.baseAddress : nil
                        return try withUnsafePointer(to: &c) { try body($0) }
                    }
                }
            }
        }
    }
}

/// Classifies with a vendor's overrides (`lkr_classify_ex`).
public func classify(profile: Profile, observations: Observations = Observations(),
                     overrides: Overrides) throws -> Diagnosis {
    var p = try profile.cValue()
    var o = try observations.cValue()
    var d = sized(lkr_diagnosis.init) { $0.struct_size = $1 }
    try Overrides.with(overrides) { ov in try ok(lkr_classify_ex(&p, &o, ov, &d)) }
    return Diagnosis(d)
}

/// Items of the pre-update checklist (`LKR_PREFLIGHT_*`).
public struct PreflightItems: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let freshAlkaline = PreflightItems(rawValue: LKR_PREFLIGHT_FRESH_ALKALINE)
    public static let battery50 = PreflightItems(rawValue: LKR_PREFLIGHT_BATTERY_50)
    public static let physicalKey = PreflightItems(rawValue: LKR_PREFLIGHT_PHYSICAL_KEY)
    public static let automationsPaused = PreflightItems(rawValue: LKR_PREFLIGHT_AUTOMATIONS_PAUSED)
    public static let phoneInRange = PreflightItems(rawValue: LKR_PREFLIGHT_PHONE_IN_RANGE)
    public static let screenAwake = PreflightItems(rawValue: LKR_PREFLIGHT_SCREEN_AWAKE)
}

/// The facts the pre-update checklist needs (`lkr_preflight_input`); `nil` is unknown (unmet).
public struct PreflightInput: Equatable, Sendable {
    public var batteryPct: Int?
    public var cellsFresh: Bool?
    public var keyOnPerson: Bool?
    public var automationsPaused: Bool?
    public var phoneStaysInRange: Bool?
    public var android: Bool?
    public var screenKeptAwake: Bool?

    public init(batteryPct: Int? = nil, cellsFresh: Bool? = nil, keyOnPerson: Bool? = nil,
                automationsPaused: Bool? = nil, phoneStaysInRange: Bool? = nil, android: Bool? = nil,
                screenKeptAwake: Bool? = nil) {
        self.batteryPct = batteryPct
        self.cellsFresh = cellsFresh
        self.keyOnPerson = keyOnPerson
        self.automationsPaused = automationsPaused
        self.phoneStaysInRange = phoneStaysInRange
        self.android = android
        self.screenKeptAwake = screenKeptAwake
    }
}

/// The pre-update checklist (`lkr_preflight`): the items not (known to be)
/// met; empty means every item holds, and a session may then be told with
/// `confirm(.preflightOK)`.
public func preflight(profile: Profile, _ input: PreflightInput) throws -> PreflightItems {
    var p = try profile.cValue()
    var i = lkr_preflight_input()
    i.struct_size = UInt32(MemoryLayout<lkr_preflight_input>.size)
    i.battery_pct = try num(input.batteryPct, "batteryPct", 0...100)
    i.cells_fresh = tri(input.cellsFresh)
    i.key_on_person = tri(input.keyOnPerson)
    i.automations_paused = tri(input.automationsPaused)
    i.phone_stays_in_range = tri(input.phoneStaysInRange)
    i.android = tri(input.android)
    i.screen_kept_awake = tri(input.screenKeptAwake)
    var unmet: UInt32 = 0
    let status = lkr_preflight(&p, &i, &unmet)
    if status != LKR_E_GUARD { try check(status) }
    return PreflightItems(rawValue: unmet)
}

// MARK: - async/await

extension Session {
#if compiler(>=6.0)
    /// Runs the session to a final action and returns it.
    ///
    /// - `.wait` actions are awaited with @p sleep (milliseconds; default
    ///   `Task.sleep`; pass one that advances a simulated clock for a
    ///   simulated transport);
    /// - steps of an ``AsyncStepRunningTransport`` are awaited and their
    ///   outcome reported (a thrown error is reported as ``Outcome/failed``,
    ///   then rethrown);
    /// - every other action goes to @p respond (the person's side).
    ///
    /// It runs on the caller's actor (`isolation`, `#isolation` by default):
    /// from `@MainActor` code the session, the transport's callbacks and
    /// both closures stay on the main actor, and nothing is sent across
    /// isolation domains. Cancellation stops the loop with `CancellationError`.
    public func run(isolation: isolated (any Actor)? = #isolation,
                    sleep: (UInt64) async throws -> Void = { ms in try await Task.sleep(nanoseconds: ms * 1_000_000) },
                    respond: (Session, Action) async throws -> Void) async throws -> Action {
        try await drive(sleep: sleep, respond: respond)
    }
#else
    /// Runs the session to a final action and returns it (see the Swift 6 variant).
    public func run(sleep: (UInt64) async throws -> Void = { ms in try await Task.sleep(nanoseconds: ms * 1_000_000) },
                    respond: (Session, Action) async throws -> Void) async throws -> Action {
        try await drive(sleep: sleep, respond: respond)
    }
#endif

#if compiler(>=6.0)
    private func drive(isolation: isolated (any Actor)? = #isolation, sleep: (UInt64) async throws -> Void,
                       respond: (Session, Action) async throws -> Void) async throws -> Action {
        while true {
            try Task.checkCancellation()
            let action = try next()
            if action.isFinal { return action }
            if action.kind == .hostStep, let step = action.step, let bridge = transport.bridge,
               let index = bridge.pendingAsyncSteps.firstIndex(of: step),
               let runner = bridge.transport as? any AsyncStepRunningTransport {
                bridge.pendingAsyncSteps.remove(at: index)
                let outcome: Outcome
                do {
                    outcome = try await runner.runStep(step)
                } catch {
                    try report(step: step, outcome: .failed)
                    throw error
                }
                try report(step: step, outcome: outcome)
                continue
            }
            if action.kind == .wait {
                let now = transport.raw.now_ms?(transport.raw.ctx) ?? 0
                try await sleep(action.waitUntilMs > now ? action.waitUntilMs - now : 0)
                try tick()
                continue
            }
            try await respond(self, action)
        }
    }
#else
    private func drive(sleep: (UInt64) async throws -> Void,
                       respond: (Session, Action) async throws -> Void) async throws -> Action {
        while true {
            try Task.checkCancellation()
            let action = try next()
            if action.isFinal { return action }
            if action.kind == .hostStep, let step = action.step, let bridge = transport.bridge,
               let index = bridge.pendingAsyncSteps.firstIndex(of: step),
               let runner = bridge.transport as? any AsyncStepRunningTransport {
                bridge.pendingAsyncSteps.remove(at: index)
                let outcome: Outcome
                do {
                    outcome = try await runner.runStep(step)
                } catch {
                    try report(step: step, outcome: .failed)
                    throw error
                }
                try report(step: step, outcome: outcome)
                continue
            }
            if action.kind == .wait {
                let now = transport.raw.now_ms?(transport.raw.ctx) ?? 0
                try await sleep(action.waitUntilMs > now ? action.waitUntilMs - now : 0)
                try tick()
                continue
            }
            try await respond(self, action)
        }
    }
#endif
}
