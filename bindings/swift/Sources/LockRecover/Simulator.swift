import CLockRecover

/// What a simulated lock has counted (`lkr_sim_stats`).
public struct SimStats: Equatable, Sendable {
    /// Injected causes not fixed yet.
    public let faultsLeft: Int
    public let stepsPerformed: Int
    /// Steps performed that destroy codes or pairings.
    public let destructiveActs: Int
    /// Destructive or power-cutting steps performed without their guards.
    public let unsafeSteps: Int
    public let codesBefore: Int
    public let codesNow: Int
    /// Original codes not on the lock now.
    public let codesLost: Int
    public let personMinutes: Int
    /// The simulated clock.
    public let clockMs: UInt64

    init(_ s: lkr_sim_stats) {
        faultsLeft = Int(s.faults_left)
        stepsPerformed = Int(s.steps_performed)
        destructiveActs = Int(s.destructive_acts)
        unsafeSteps = Int(s.unsafe_steps)
        codesBefore = Int(s.codes_before)
        codesNow = Int(s.codes_now)
        codesLost = Int(s.codes_lost)
        personMinutes = Int(s.person_minutes)
        clockMs = s.clock_ms
    }
}

/// How a whole simulated recovery ended (`lkr_sim_result`).
public struct SimResult: Equatable, Sendable {
    /// The final action kind, or `nil` when the action cap was hit first.
    public let finalKind: ActionKind?
    /// Actions the session returned.
    public let actions: Int
    /// The lock's counts at the end.
    public let stats: SimStats
}

/// A misbehaving lock on demand (`lkr_sim`): a complete transport with a
/// simulated clock, seeded and reproducible. A ``Session`` runs on it
/// directly (``Session/init(lock:profile:observations:)``), and
/// ``respond(session:action:)`` plays the person.
public final class SimulatedLock: @unchecked Sendable {
    /// Simulator flags (`LKR_SIM_F_*`).
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// The transport offers `probe`.
        public static let probe = Flags(rawValue: 0x01)
        /// The transport runs automatable steps itself.
        public static let runSteps = Flags(rawValue: 0x02)
        /// The transport offers the code callbacks.
        public static let codes = Flags(rawValue: 0x04)
        /// `write_code` silently drops one code.
        public static let dropOnRestore = Flags(rawValue: 0x08)
        /// Successive reads of the code table differ.
        public static let flakyRead = Flags(rawValue: 0x10)
        /// The simulated person confirms no guard.
        public static let personRefuses = Flags(rawValue: 0x20)
        /// The person knows only the headline facts.
        public static let partialFacts = Flags(rawValue: 0x40)
        /// The person reports none of the facts the questions worth asking
        /// are about, and answers them by a seeded draw from the catalog's
        /// likelihoods (1.2).
        public static let drawnAnswers = Flags(rawValue: 0x80)
        /// The library's default: probe, run steps, codes.
        public static let `default`: Flags = [.probe, .runSteps, .codes]
    }

    let handle: OpaquePointer
    /// Serialises the simulator's calls (a session on its transport takes it too).
    let lock = CallLock("simulated lock")

    /// Builds a simulated lock with @p causes injected (each must be
    /// possible on @p protocol). `nil` keeps the library's default.
    public init(protocol: LockProtocol, causes: [Cause], seed: UInt64 = 1, ecosystems: Ecosystems = [],
                batteryChemistry: Chemistry? = nil, batteryPct: Int? = nil, codeCount: Int? = nil,
                flags: Flags? = nil, hasBridge: Bool? = nil, hasKeypad: Bool? = nil,
                repairErasesCodes: Bool? = nil) throws {
        var c = lkr_sim_config()
        lkr_sim_config_init(&c)
        guard !causes.isEmpty, causes.count <= Int(LKR_SIM_MAX_CAUSES) else {
            throw LockRecoverError.invalidField("causes", limit: "1...\(LKR_SIM_MAX_CAUSES) causes, not \(causes.count)")
        }
        c.protocol = `protocol`.rawValue
        c.ecosystems = ecosystems.rawValue
        if let batteryChemistry { c.battery_chemistry = batteryChemistry.rawValue }
        if let batteryPct { c.battery_pct = try num(batteryPct, "batteryPct", 0...100) }
        c.cause_count = UInt32(causes.count)
        withUnsafeMutableBytes(of: &c.causes) { raw in
            let list = raw.bindMemory(to: UInt32.self)
            for (i, cause) in causes.enumerated() { list[i] = cause.rawValue }
        }
        if let codeCount { c.code_count = try count(codeCount, "codeCount", 0...Int(LKR_VAULT_MAX_CODES)) }
        if let flags { c.flags = flags.rawValue }
        if let hasBridge { c.has_bridge = tri(hasBridge) }
        if let hasKeypad { c.has_keypad = tri(hasKeypad) }
        if let repairErasesCodes { c.repair_erases_codes = tri(repairErasesCodes) }
        c.seed = seed
        var out: OpaquePointer?
        try check(lkr_sim_new(&c, nil, &out))
        handle = out!
    }

    deinit { lkr_sim_free(handle) }

    /// The lock's own C transport; its `ctx` is the lock, kept alive by the result.
    func cTransport() throws -> CTransport {
        var t = lkr_transport()
        t.struct_size = UInt32(MemoryLayout<lkr_transport>.size)
        try check(lkr_sim_transport(handle, &t))
        return CTransport(raw: t, owner: self)
    }

    /// The lock's profile, as its owner would describe it.
    public func profile() throws -> Profile {
        var p = lkr_profile()
        lkr_profile_init(&p)
        try lock.enter { try ok(lkr_sim_profile(handle, &p)) }
        return try Profile(p)
    }

    /// What a person sees at the start, as the injected causes produce it.
    public func observations() throws -> Observations {
        var o = lkr_observations()
        lkr_observations_init(&o)
        try lock.enter { try ok(lkr_sim_observations(handle, &o)) }
        return Observations(o)
    }

    /// The lock's counts now.
    public func stats() throws -> SimStats {
        var s = sized(lkr_sim_stats.init) { $0.struct_size = $1 }
        try lock.enter { try ok(lkr_sim_stats_get(handle, &s)) }
        return SimStats(s)
    }

    /// The simulated clock, in milliseconds.
    public var clockMs: UInt64 { (try? stats().clockMs) ?? 0 }

    /// Runs a whole recovery of this lock (a session on its transport, a
    /// vault when it offers codes, the simulated person answering) until a
    /// final action or @p maxActions (0: the library's 2000).
    public func run(maxActions: Int = 0, overrides: Overrides? = nil) throws -> SimResult {
        var r = sized(lkr_sim_result.init) { $0.struct_size = $1 }
        r.stats.struct_size = UInt32(MemoryLayout<lkr_sim_stats>.size)
        let limit = try count(maxActions, "maxActions", 0...Int(UInt32.max))
        try lock.enter { try Overrides.with(overrides) { ov in try ok(lkr_sim_run(handle, ov, limit, &r)) } }
        return SimResult(finalKind: ActionKind(rawValue: r.final_kind), actions: Int(r.actions), stats: SimStats(r.stats))
    }

    /// Plays the person for one action @p session just returned.
    public func respond(session: Session, action: Action) throws {
        var a = action.raw
        try session.enter {
            try withExtendedLifetime(session) {
                try ok(lkr_sim_respond(handle, session.handle, &a))
            }
        }
    }
}
