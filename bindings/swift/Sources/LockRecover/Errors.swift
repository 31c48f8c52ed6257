import CLockRecover

/// An error of liblockrecover: one case per negative `lkr_status`.
public enum LockRecoverError: Error, Equatable, Hashable, CustomStringConvertible {
    /// `LKR_E_INVAL`: an argument was missing, too short, or not a valid value.
    case invalidArgument
    /// `LKR_E_NOMEM`: memory could not be allocated.
    case noMemory
    /// `LKR_E_RANGE`: a numeric id or index outside what the catalog knows.
    case outOfRange
    /// `LKR_E_GUARD`: refused because guards do not hold.
    case `guard`
    /// `LKR_E_STATE`: not valid in the object's current state.
    case state
    /// `LKR_E_UNSUPPORTED`: the lock, transport or build cannot do it.
    case unsupported
    /// `LKR_E_CORRUPT`: input data failed its integrity checks.
    case corrupt
    /// `LKR_E_VERSION`: input data written by a newer, incompatible format.
    case version
    /// `LKR_E_TRANSPORT`: a transport callback reported a failure.
    case transport
    /// `LKR_E_BUFFER`: a buffer was too small.
    case buffer
    /// `LKR_E_NOTFOUND`: a string id was not found in the catalog.
    case notFound
    /// `LKR_E_TRUNCATED`: input data was cut short.
    case truncated
    /// `LKR_E_PROTOCOL`: a transport returned a value outside its contract.
    case `protocol`
    /// `LKR_E_OVERSIZED`: input data is longer than it says or than allowed.
    case oversized
    /// A negative status this binding does not know (a newer library).
    case unknown(Int32)
    /// `LKR_E_INVAL` found by the binding, naming the field and its limit:
    /// `invalidField("batteryPct", limit: "0...100, not 250")`.
    case invalidField(String, limit: String)
    /// A session, vault or simulated lock was entered again from inside one
    /// of its own calls (a transport callback calling into the session whose
    /// call runs it). The library is never entered twice: this is thrown instead.
    case reentered(String)
    /// `LKR_E_REENTRANT` (since 1.1): the library itself refused a call a
    /// host callback made into the session whose call runs it; the session
    /// is unchanged. The same family as ``reentered(_:)``: see ``isReentrancy``.
    case reentrant

    /// Maps a status; `nil` for success (`LKR_OK`) and other non-negative values.
    public init?(status: Int32) {
        switch status {
        case _ where status >= 0: return nil
        case LKR_E_INVAL: self = .invalidArgument
        case LKR_E_NOMEM: self = .noMemory
        case LKR_E_RANGE: self = .outOfRange
        case LKR_E_GUARD: self = .guard
        case LKR_E_STATE: self = .state
        case LKR_E_UNSUPPORTED: self = .unsupported
        case LKR_E_CORRUPT: self = .corrupt
        case LKR_E_VERSION: self = .version
        case LKR_E_TRANSPORT: self = .transport
        case LKR_E_BUFFER: self = .buffer
        case LKR_E_NOTFOUND: self = .notFound
        case LKR_E_TRUNCATED: self = .truncated
        case LKR_E_PROTOCOL: self = .protocol
        case LKR_E_OVERSIZED: self = .oversized
        case LKR_E_REENTRANT: self = .reentrant
        default: self = .unknown(status)
        }
    }

    /// The `lkr_status` value this error stands for.
    public var status: Int32 {
        switch self {
        case .invalidArgument: return LKR_E_INVAL
        case .noMemory: return LKR_E_NOMEM
        case .outOfRange: return LKR_E_RANGE
        case .guard: return LKR_E_GUARD
        case .state: return LKR_E_STATE
        case .unsupported: return LKR_E_UNSUPPORTED
        case .corrupt: return LKR_E_CORRUPT
        case .version: return LKR_E_VERSION
        case .transport: return LKR_E_TRANSPORT
        case .buffer: return LKR_E_BUFFER
        case .notFound: return LKR_E_NOTFOUND
        case .truncated: return LKR_E_TRUNCATED
        case .protocol: return LKR_E_PROTOCOL
        case .oversized: return LKR_E_OVERSIZED
        case .unknown(let s): return s
        case .invalidField: return LKR_E_INVAL
        case .reentered: return LKR_E_STATE
        case .reentrant: return LKR_E_REENTRANT
        }
    }

    /// The library's short English text (`lkr_strerror`), e.g. "invalid
    /// argument", followed by the field and its limit when the binding knows them.
    public var description: String {
        let text = String(cString: lkr_strerror(status))
        switch self {
        case .invalidField(let field, let limit): return "\(text): \(field): \(limit)"
        case .reentered(let what): return "\(text): \(what)"
        default: return text
        }
    }

    /// A session, vault or simulated lock was entered from one of its own
    /// callbacks: refused by the binding (``reentered(_:)``) or by the
    /// library (``reentrant``).
    public var isReentrancy: Bool {
        switch self {
        case .reentered, .reentrant: return true
        default: return false
        }
    }

    /// The field at fault, for ``invalidField(_:limit:)``.
    public var field: String? {
        if case .invalidField(let f, _) = self { return f }
        return nil
    }

    /// The stable symbolic name (`lkr_status_name`), e.g. "LKR_E_INVAL".
    public var name: String { String(cString: lkr_status_name(status)) }
}

/// Throws the error a negative status stands for; returns non-negative ones.
@discardableResult
@inline(__always)
func check(_ status: Int32) throws -> Int32 {
    if let error = LockRecoverError(status: status) { throw error }
    return status
}

/// The run-time library's version.
public enum Library {
    /// `lkr_version_string()`, e.g. "1.1.0".
    public static var version: String { String(cString: lkr_version_string()) }
    /// `lkr_version()`: major * 10000 + minor * 100 + patch.
    public static var versionNumber: UInt32 { lkr_version() }
}

/// Throws the error a negative status stands for (for closures returning nothing).
@inline(__always)
func ok(_ status: Int32) throws {
    if let error = LockRecoverError(status: status) { throw error }
}
