import CLockRecover

/// The vault's summary (`lkr_vault_info`).
public struct VaultStatus: Equatable, Sendable {
    /// Codes held.
    public let count: Int
    /// The backup is verified (the `codes_backed_up` guard holds).
    public let verified: Bool
    /// Codes not on the lock at the last verify or restore.
    public let missing: Int
    /// Keyed digest (HMAC-SHA-256 under the vault's own key) of the lock and its codes: safe to show.
    public let digest: [UInt8]
}

/// What the vault tells about one code: never its PIN (`lkr_code_info`).
public struct VaultCode: Equatable, Sendable {
    public enum SlotState: UInt32, Sendable {
        case unchecked = 0, present = 1, missing = 2, different = 3, restored = 4, failed = 5
    }
    public let slot: UInt32
    public let kind: CodeKind?
    public let name: String
    public let hasPIN: Bool
    public let state: SlotState?
}

/// The code vault (`lkr_vault`): verified backups of a lock's access codes,
/// sealed export and import, verified restore. Freed (and zeroed) when the
/// last reference goes; a session it is attached to keeps it alive.
public final class Vault: @unchecked Sendable {
    let handle: OpaquePointer

    /// A vault keyed (its digest key) from the system's random source.
    public init() throws {
        var out: OpaquePointer?
        try check(lkr_vault_new(nil, &out))
        handle = out!
    }

    /// A vault keyed from the host's random source (`lkr_vault_new_ex`):
    /// @p random fills the buffer it is given from a cryptographically
    /// secure source (the platform's `SecRandomCopyBytes`, a hardware
    /// generator) and is called only during this initialiser. A predictable
    /// source makes the vault's digest brute-forceable: only a test may pass
    /// one. What @p random throws is thrown here.
    public init(random: (inout [UInt8]) throws -> Void) throws {
        final class Source {
            let fill: (inout [UInt8]) throws -> Void
            var error: (any Error)?
            init(_ fill: @escaping (inout [UInt8]) throws -> Void) { self.fill = fill }
        }
        var out: OpaquePointer?
        let status: Int32 = try withoutActuallyEscaping(random) { fill in
            let source = Source(fill)
            var config = lkr_vault_config()
            lkr_vault_config_init(&config)
            config.random_ctx = Unmanaged.passUnretained(source).toOpaque()
            config.random = { ctx, buf, len in
                guard let ctx, let buf else { return LKR_E_INVAL }
                let source = Unmanaged<Source>.fromOpaque(ctx).takeUnretainedValue()
                var bytes = [UInt8](repeating: 0, count: len)
                defer { for i in bytes.indices { bytes[i] = 0 } }
                do { try source.fill(&bytes) } catch { source.error = error; return LKR_E_TRANSPORT }
                guard bytes.count == len else { return LKR_E_TRANSPORT }
                bytes.withUnsafeBytes { buf.update(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: len) }
                return LKR_OK
            }
            let s = withExtendedLifetime(source) { lkr_vault_new_ex(&config, &out) }
            if let error = source.error { throw error }
            return s
        }
        try check(status)
        handle = out!
    }

    deinit { lkr_vault_free(handle) }

    // Every operation takes the lock's code callbacks: a Swift transport or a simulated lock.

    /// Serialises the vault's calls (a session's calls take it too while
    /// the vault is attached); re-entry from a callback throws.
    let lock = CallLock("vault")

    func enter<R>(_ body: () throws -> R) throws -> R {
        try lock.enter(body)
    }

    /// Runs @p body with the C transport; when it fails, the error a Swift
    /// callback threw is thrown as it is (a vault failing because the hub
    /// went away throws the hub's error, not "transport callback failed").
    private func with<R>(_ t: CTransport, _ body: (UnsafePointer<lkr_transport>) throws -> R) throws -> R {
        try enter {
            t.beginCall()
            do {
                return try withExtendedLifetime(t) { try body(&t.raw) }
            } catch {
                throw t.firstError ?? error
            }
        }
    }

    private func backup(_ t: CTransport) throws { try with(t) { try ok(lkr_vault_backup(handle, $0)) } }

    /// Missing count, or throws; `LKR_E_CORRUPT` ("some are missing") is not an error here.
    private func missing(_ t: CTransport, _ fn: (OpaquePointer, UnsafePointer<lkr_transport>, UnsafeMutablePointer<UInt32>) -> Int32) throws -> Int {
        var missing: UInt32 = 0
        let s = try with(t) { fn(handle, $0, &missing) }
        if s != LKR_E_CORRUPT { try check(s) }
        return Int(missing)
    }

    /// Reads the lock's codes twice and keeps them only when both reads agree.
    public func backup(using transport: any Transport) throws { try backup(TransportBridge.make(transport)) }
    /// Backs a simulated lock's codes up.
    public func backup(using lock: SimulatedLock) throws { try backup(lock.cTransport()) }

    /// Checks the lock against the vault; returns how many codes are missing or different.
    public func verify(using transport: any Transport) throws -> Int {
        try missing(TransportBridge.make(transport)) { lkr_vault_verify($0, $1, $2) }
    }
    public func verify(using lock: SimulatedLock) throws -> Int {
        try missing(lock.cTransport()) { lkr_vault_verify($0, $1, $2) }
    }

    /// Restores every code not on the lock; returns how many are still missing.
    public func restore(using transport: any Transport) throws -> Int {
        try missing(TransportBridge.make(transport)) { lkr_vault_restore($0, $1, $2) }
    }
    public func restore(using lock: SimulatedLock) throws -> Int {
        try missing(lock.cTransport()) { lkr_vault_restore($0, $1, $2) }
    }

    private func restoreSlot(_ slot: UInt32, _ t: CTransport) throws -> Bool {
        let s = try with(t) { lkr_vault_restore_slot(handle, $0, slot) }
        if s == LKR_E_CORRUPT { return false }
        try check(s)
        return true
    }

    /// Writes the vault's code for @p slot back alone (a code the lock
    /// rejects, say) and reads the lock back (`lkr_vault_restore_slot`):
    /// `true` when it reads back equal, `false` when the write failed or it
    /// reads back different. The PIN never leaves the library. Throws
    /// ``LockRecoverError/notFound`` when the vault holds no code in that
    /// slot, ``LockRecoverError/state`` for an empty vault.
    public func restoreSlot(_ slot: UInt32, using transport: any Transport) throws -> Bool {
        try restoreSlot(slot, TransportBridge.make(transport))
    }
    public func restoreSlot(_ slot: UInt32, using lock: SimulatedLock) throws -> Bool {
        try restoreSlot(slot, lock.cTransport())
    }

    /// Write-through capture: record a code as the host sets it on the lock.
    public func record(_ code: Code) throws {
        var c = lkr_code()
        try code.fill(&c)
        defer { withUnsafeMutableBytes(of: &c) { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        try enter { try ok(lkr_vault_record(handle, &c)) }
    }

    /// The vault's summary.
    public func status() throws -> VaultStatus {
        var i = sized(lkr_vault_info.init) { $0.struct_size = $1 }
        try enter { try ok(lkr_vault_status(handle, &i)) }
        return VaultStatus(count: Int(i.count), verified: i.verified != 0, missing: Int(i.missing),
                           digest: withUnsafeBytes(of: i.digest) { Array($0) })
    }

    /// Every code's public facts, in slot order.
    public func codes() throws -> [VaultCode] {
        let n = try status().count
        return try (0..<n).map { index in
            var c = sized(lkr_code_info.init) { $0.struct_size = $1 }
            try enter { try ok(lkr_vault_code(handle, UInt32(index), &c)) }
            return VaultCode(slot: c.slot, kind: CodeKind(rawValue: c.kind), name: getText(c.name) ?? "",
                             hasPIN: c.has_pin != 0, state: VaultCode.SlotState(rawValue: c.state))
        }
    }

    private func exportSealed(_ t: CTransport) throws -> [UInt8] {
        try with(t) { tp in
            var needed = 0
            let s = lkr_vault_export_sealed(handle, tp, nil, 0, &needed)
            if s != LKR_E_BUFFER { try check(s) }
            var buf = [UInt8](repeating: 0, count: needed)
            try buf.withUnsafeMutableBytes { b in
                _ = try check(lkr_vault_export_sealed(handle, tp, b.baseAddress, b.count, &needed))
            }
            return Array(buf.prefix(needed))
        }
    }

    private func importSealed(_ blob: [UInt8], _ t: CTransport) throws {
        try with(t) { tp in
            try blob.withUnsafeBytes { b in try ok(lkr_vault_import_sealed(handle, tp, b.baseAddress, b.count)) }
        }
    }

    /// Exports the vault sealed by the transport's `seal`.
    public func exportSealed(using transport: any Transport) throws -> [UInt8] {
        try exportSealed(TransportBridge.make(transport))
    }
    public func exportSealed(using lock: SimulatedLock) throws -> [UInt8] { try exportSealed(lock.cTransport()) }

    /// Imports what `exportSealed(using:)` wrote (unsealed by the transport's `unseal`).
    public func importSealed(_ blob: [UInt8], using transport: any Transport) throws {
        try importSealed(blob, TransportBridge.make(transport))
    }
    public func importSealed(_ blob: [UInt8], using lock: SimulatedLock) throws {
        try importSealed(blob, lock.cTransport())
    }
}
