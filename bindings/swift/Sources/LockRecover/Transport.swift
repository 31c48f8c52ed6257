import CLockRecover

/// What a probe of the lock found (`lkr_probe_result`); `nil` is unknown.
public struct ProbeResult: Equatable, Sendable {
    public var reachable: Bool?
    public var keypadLights: Bool?
    public var batteryPct: Int?
    public var firmwareVersion: String?
    public var errorCode: String?

    public init(reachable: Bool?, keypadLights: Bool? = nil, batteryPct: Int? = nil,
                firmwareVersion: String? = nil, errorCode: String? = nil) {
        self.reachable = reachable
        self.keypadLights = keypadLights
        self.batteryPct = batteryPct
        self.firmwareVersion = firmwareVersion
        self.errorCode = errorCode
    }

    /// Fills a C result: every fact unknown first (`lkr_probe_result_init`), then what is known.
    func fill(_ r: inout lkr_probe_result) throws {
        lkr_probe_result_init(&r)
        r.reachable = tri(reachable)
        r.keypad_lights = tri(keypadLights)
        r.battery_pct = try num(batteryPct, "ProbeResult.batteryPct", 0...100)
        try setText(&r.fw_version, firmwareVersion, "ProbeResult.firmwareVersion")
        try setText(&r.error_code, errorCode, "ProbeResult.errorCode")
    }
}

/// How a probe ended: now, or later through ``Session/probeDone(_:)``.
public enum ProbeReply: Sendable {
    case done(ProbeResult)
    case pending
}

/// How a host step ended: now, or later through ``Session/report(step:outcome:)``.
public enum StepReply: Sendable {
    case done
    case pending
}

/// Kinds of access codes (`lkr_code_kind`).
public enum CodeKind: UInt32, CaseIterable, Sendable {
    case admin = 1, master = 2, user = 3, temporary = 4
}

/// One access code as the lock stores it (`lkr_code`). A PIN is a secret:
/// never log it.
public struct Code: Equatable, Sendable {
    public var slot: UInt32
    public var kind: CodeKind
    public var name: String
    /// 4-12 digits, or `nil` when the lock cannot read it back.
    public var pin: String?
    /// Bit 0 Monday ... bit 6 Sunday; 0 = every day.
    public var weekdays: UInt32 = 0
    public var dayStartMinute: UInt16 = 0
    /// 0 = all day.
    public var dayEndMinute: UInt16 = 0
    /// Unix seconds, 0 = always.
    public var validFrom: UInt64 = 0
    /// Unix seconds, 0 = never expires.
    public var validUntil: UInt64 = 0

    public init(slot: UInt32, kind: CodeKind, name: String = "", pin: String?) {
        self.slot = slot
        self.kind = kind
        self.name = name
        self.pin = pin
    }

    init(_ c: lkr_code) throws {
        guard let k = CodeKind(rawValue: c.kind) else { throw LockRecoverError.invalidField("Code.kind", limit: "unknown kind \(c.kind)") }
        self.init(slot: c.slot, kind: k, name: getText(c.name) ?? "", pin: getText(c.pin))
        weekdays = c.weekdays
        dayStartMinute = c.day_start_min
        dayEndMinute = c.day_end_min
        validFrom = c.valid_from_s
        validUntil = c.valid_until_s
    }

    func fill(_ c: inout lkr_code) throws {
        lkr_code_init(&c)
        c.slot = slot
        c.kind = kind.rawValue
        c.weekdays = weekdays
        c.day_start_min = dayStartMinute
        c.day_end_min = dayEndMinute
        c.valid_from_s = validFrom
        c.valid_until_s = validUntil
        try setText(&c.name, name, "Code.name")
        try setText(&c.pin, pin, "Code.pin")
    }
}

/// What the host read from the lock's code table.
public struct CodeReadout: Sendable {
    public var codes: [Code]
    /// The codes the lock says it holds (`nil`: `codes.count`).
    public var total: Int?
    /// The PINs were read back (false for slots only, as on Matter).
    public var pinsReadable: Bool
    /// The lock's checksum of its code table, when it has one.
    public var checksum: UInt32?

    public init(codes: [Code], total: Int? = nil, pinsReadable: Bool = true, checksum: UInt32? = nil) {
        self.codes = codes
        self.total = total
        self.pinsReadable = pinsReadable
        self.checksum = checksum
    }
}

/// Which optional callbacks a transport implements, derived from the
/// protocols it conforms to (``ProbingTransport``, ``StepRunningTransport``,
/// ...). The bridge installs a C callback only for these; the rest stay NULL
/// (a person does that part).
public struct TransportCapabilities: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// ``ProbingTransport``.
    public static let probe = TransportCapabilities(rawValue: 1 << 0)
    /// ``StepRunningTransport`` or ``AsyncStepRunningTransport``.
    public static let runStep = TransportCapabilities(rawValue: 1 << 1)
    /// ``PromptingTransport``.
    public static let prompt = TransportCapabilities(rawValue: 1 << 2)
    /// ``LoggingTransport``.
    public static let log = TransportCapabilities(rawValue: 1 << 3)
    /// ``CodeReadingTransport``.
    public static let readCodes = TransportCapabilities(rawValue: 1 << 4)
    /// ``CodeWritingTransport``.
    public static let writeCode = TransportCapabilities(rawValue: 1 << 5)
    /// ``SealingTransport`` (seal and unseal).
    public static let seal = TransportCapabilities(rawValue: 1 << 6)
    /// Everything the code vault uses.
    public static let codes: TransportCapabilities = [.readCodes, .writeCode, .seal]

    /// What @p transport implements, from the protocols it conforms to.
    public static func of(_ transport: any Transport) -> TransportCapabilities {
        var caps: TransportCapabilities = []
        if transport is any ProbingTransport { caps.insert(.probe) }
        if transport is any StepRunningTransport || transport is any AsyncStepRunningTransport {
            caps.insert(.runStep)
        }
        if transport is any PromptingTransport { caps.insert(.prompt) }
        if transport is any LoggingTransport { caps.insert(.log) }
        if transport is any CodeReadingTransport { caps.insert(.readCodes) }
        if transport is any CodeWritingTransport { caps.insert(.writeCode) }
        if transport is any SealingTransport { caps.insert(.seal) }
        return caps
    }
}

/// The host's side of a recovery: a clock, and whatever else the host can do,
/// each declared by conforming to its protocol (``ProbingTransport``,
/// ``StepRunningTransport``, ``PromptingTransport``, ``LoggingTransport``,
/// ``CodeReadingTransport``, ``CodeWritingTransport``, ``SealingTransport``).
/// Conforming requires implementing (a compile error otherwise), and what a
/// transport conforms to is exactly what the library may ask of it
/// (``TransportCapabilities/of(_:)``).
///
/// A callback that throws reports a failure to the library: a
/// ``LockRecoverError`` as its status (``LockRecoverError/unsupported`` hands
/// a step to a person), any other error as ``LockRecoverError/transport``.
/// The error is kept: ``Session/lastTransportError`` for session calls, and
/// thrown as it is by the ``Vault`` operation that ran the callback.
///
/// Isolation: callbacks run synchronously, on the caller's thread, inside the
/// ``Session`` or ``Vault`` call that needs them; they must not call back into
/// that session or vault (that throws ``LockRecoverError/reentered(_:)``). A
/// transport isolated to the main actor declares an isolated conformance,
/// `final class Hub: @MainActor Transport, @MainActor ProbingTransport`, and
/// its session is then used from the main actor only.
public protocol Transport: AnyObject {
    /// Required: a monotonic clock in milliseconds.
    func nowMs() -> UInt64
}

/// A transport that can probe the lock.
public protocol ProbingTransport: Transport {
    /// Is the lock reachable, and what does it report?
    func probe() throws -> ProbeReply
}

/// A transport that performs automatable steps itself.
public protocol StepRunningTransport: Transport {
    /// Performs an automatable step, its timed phase included.
    func runStep(_ step: Step) throws -> StepReply
}

/// A transport whose automatable steps are async work. The library is told
/// each step is pending; ``Session/run(isolation:sleep:respond:)`` awaits
/// ``runStep(_:)`` and reports its outcome. It is `Sendable` (an actor, a
/// `@MainActor` class, or a class whose state is protected), since its
/// async work may run on another executor than the session's caller.
public protocol AsyncStepRunningTransport: Transport, Sendable {
    /// Performs an automatable step: the outcome to report (``Outcome/done``,
    /// ``Outcome/cannotDo`` to hand it to a person, ...).
    func runStep(_ step: Step) async throws -> Outcome
}

/// A transport that shows the person what to do.
public protocol PromptingTransport: Transport {
    /// Shows the person what to do (the same action `next()` returns).
    func prompt(_ action: Action)
}

/// A transport that takes the library's log lines.
public protocol LoggingTransport: Transport {
    /// A log line (never an access code).
    func log(level: LogLevel, message: String)
}

/// A transport that reads the lock's code table (the code vault).
public protocol CodeReadingTransport: Transport {
    /// Reads every code of the lock.
    func readCodes() throws -> CodeReadout
}

/// A transport that writes codes to the lock (the code vault's restore).
public protocol CodeWritingTransport: Transport {
    /// Writes one code to the lock.
    func writeCode(_ code: Code) throws
}

/// A transport that seals data with the platform keystore (sealed vault exports).
public protocol SealingTransport: Transport {
    /// Encrypts and authenticates with the platform keystore.
    func seal(_ clear: [UInt8]) throws -> [UInt8]
    /// Decrypts and authenticates what ``seal(_:)`` produced.
    func unseal(_ sealed: [UInt8]) throws -> [UInt8]
}

/// Everything the code vault uses.
public typealias CodeTransport = CodeReadingTransport & CodeWritingTransport & SealingTransport

// MARK: - The bridge

/// A C transport and the object that keeps its `ctx` alive: a Swift
/// transport's bridge, or a simulated lock.
final class CTransport {
    var raw: lkr_transport
    let owner: AnyObject
    init(raw: lkr_transport, owner: AnyObject) {
        self.raw = raw
        self.owner = owner
    }
    var bridge: TransportBridge? { owner as? TransportBridge }
    /// Forgets the errors of earlier calls: the next call's are collected anew.
    func beginCall() { bridge?.errors.removeAll() }
    /// The first error a Swift callback threw during the current call.
    var firstError: Error? { bridge?.errors.first }
}

/// Carries a Swift ``Transport`` across C: the `ctx` pointer is this object,
/// unretained; whoever holds the ``CTransport`` keeps it alive.
final class TransportBridge {
    let transport: any Transport
    /// Errors the callbacks threw during the current call, in order.
    var errors: [Error] = []
    /// Steps an ``AsyncStepRunningTransport`` was asked to run, not awaited yet.
    var pendingAsyncSteps: [Step] = []

    init(_ transport: any Transport) { self.transport = transport }

    func fail(_ error: Error) -> Int32 {
        errors.append(error)
        if let e = error as? LockRecoverError { return e.status }
        return LKR_E_TRANSPORT
    }

    @inline(__always)
    static func from(_ ctx: UnsafeMutableRawPointer?) -> TransportBridge {
        Unmanaged<TransportBridge>.fromOpaque(ctx!).takeUnretainedValue()
    }

    static func make(_ transport: any Transport) -> CTransport {
        let bridge = TransportBridge(transport)
        let caps = TransportCapabilities.of(transport)
        var t = lkr_transport()
        lkr_transport_init(&t)
        t.ctx = Unmanaged.passUnretained(bridge).toOpaque()
        t.now_ms = { ctx in TransportBridge.from(ctx).transport.nowMs() }
        if caps.contains(.probe) {
            t.probe = { ctx, out in
                let b = TransportBridge.from(ctx)
                do {
                    guard let p = b.transport as? any ProbingTransport else { return LKR_E_UNSUPPORTED }
                    switch try p.probe() {
                    case .pending: return LKR_PENDING
                    case .done(let r):
                        guard let out else { return LKR_E_INVAL }
                        do { try r.fill(&out.pointee) } catch { b.errors.append(error); return LKR_E_PROTOCOL }
                        return LKR_OK
                    }
                } catch { return b.fail(error) }
            }
        }
        if caps.contains(.runStep) {
            t.run_step = { ctx, step in
                let b = TransportBridge.from(ctx)
                do {
                    if b.transport is any AsyncStepRunningTransport {
                        b.pendingAsyncSteps.append(Step(rawValue: step))
                        return LKR_PENDING
                    }
                    guard let r = b.transport as? any StepRunningTransport else { return LKR_E_UNSUPPORTED }
                    switch try r.runStep(Step(rawValue: step)) {
                    case .done: return LKR_OK
                    case .pending: return LKR_PENDING
                    }
                } catch { return b.fail(error) }
            }
        }
        if caps.contains(.prompt) {
            t.prompt = { ctx, action in
                guard let action, let a = try? Action(action.pointee),
                      let p = TransportBridge.from(ctx).transport as? any PromptingTransport else { return }
                p.prompt(a)
            }
        }
        if caps.contains(.log) {
            t.log = { ctx, level, message in
                guard let l = TransportBridge.from(ctx).transport as? any LoggingTransport else { return }
                l.log(level: LogLevel(rawValue: level) ?? .info, message: message.map { String(cString: $0) } ?? "")
            }
        }
        if caps.contains(.readCodes) {
            t.read_codes = { ctx, codes, capacity, info in
                let b = TransportBridge.from(ctx)
                do {
                    guard let reader = b.transport as? any CodeReadingTransport else { return LKR_E_UNSUPPORTED }
                    let r = try reader.readCodes()
                    guard let info else { return LKR_E_INVAL }
                    lkr_code_readout_init(info)
                    let n = min(r.codes.count, Int(capacity))
                    for i in 0..<n {
                        guard let codes else { return LKR_E_INVAL }
                        do { try r.codes[i].fill(&codes[i]) } catch { b.errors.append(error); return LKR_E_PROTOCOL }
                    }
                    info.pointee.count = UInt32(n)
                    info.pointee.total = UInt32(clamping: r.total ?? r.codes.count)
                    info.pointee.pins_readable = r.pinsReadable ? 1 : 0
                    info.pointee.has_checksum = r.checksum == nil ? 0 : 1
                    info.pointee.checksum = r.checksum ?? 0
                    return LKR_OK
                } catch { return b.fail(error) }
            }
        }
        if caps.contains(.writeCode) {
            t.write_code = { ctx, code in
                let b = TransportBridge.from(ctx)
                guard let code else { return LKR_E_INVAL }
                do {
                    guard let w = b.transport as? any CodeWritingTransport else { return LKR_E_UNSUPPORTED }
                    try w.writeCode(try Code(code.pointee))
                    return LKR_OK
                } catch { return b.fail(error) }
            }
        }
        if caps.contains(.seal) {
            t.seal = { ctx, clear, len, out, cap, outLen in
                let b = TransportBridge.from(ctx)
                do {
                    let input = clear.map { Array(UnsafeRawBufferPointer(start: $0, count: len)) } ?? []
                    guard let k = b.transport as? any SealingTransport else { return LKR_E_UNSUPPORTED }
                    return copyOut(try k.seal(input), out, cap, outLen)
                } catch { return b.fail(error) }
            }
            t.unseal = { ctx, sealed, len, out, cap, outLen in
                let b = TransportBridge.from(ctx)
                do {
                    let input = sealed.map { Array(UnsafeRawBufferPointer(start: $0, count: len)) } ?? []
                    guard let k = b.transport as? any SealingTransport else { return LKR_E_UNSUPPORTED }
                    return copyOut(try k.unseal(input), out, cap, outLen)
                } catch { return b.fail(error) }
            }
        }
        return CTransport(raw: t, owner: bridge)
    }
}

/// Copies @p bytes into a caller buffer (`LKR_E_BUFFER` with the size set
/// when it is too small).
private func copyOut(_ bytes: [UInt8], _ out: UnsafeMutableRawPointer?, _ cap: Int,
                     _ outLen: UnsafeMutablePointer<Int>?) -> Int32 {
    outLen?.pointee = bytes.count
    guard let out, bytes.count <= cap else { return LKR_E_BUFFER }
    if !bytes.isEmpty { bytes.withUnsafeBytes { out.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) } }
    return LKR_OK
}
