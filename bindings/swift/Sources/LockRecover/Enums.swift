import CLockRecover

/// Sets `struct_size` of a zeroed C info struct (the `..._INIT` macros).
@inline(__always)
func sized<T>(_ make: () -> T, _ setSize: (inout T, UInt32) -> Void) -> T {
    var value = make()
    setSize(&value, UInt32(MemoryLayout<T>.size))
    return value
}

@inline(__always)
func string(_ p: UnsafePointer<CChar>?) -> String? {
    guard let p else { return nil }
    return String(cString: p)
}

// MARK: - Model

/// How the lock talks to the world (`lkr_protocol`).
public enum LockProtocol: UInt32, CaseIterable, Sendable {
    case wifi = 1, ble = 2, zwave = 3, zigbee = 4, matter = 5

    /// The stable string id: "wifi", "ble", "zwave", "zigbee", "matter".
    public var sid: String { string(lkr_protocol_name(rawValue)) ?? "" }

    /// Looks a protocol up by its string id.
    public init(sid: String) throws {
        var id: UInt32 = 0
        try check(lkr_protocol_find(sid, &id))
        guard let p = LockProtocol(rawValue: id) else { throw LockRecoverError.outOfRange }
        self = p
    }
}

/// Ecosystems a lock is linked into (a mask of `LKR_ECOSYSTEM_BIT`).
public struct Ecosystems: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let homeKit = Ecosystems(rawValue: 1 << 1)
    public static let google = Ecosystems(rawValue: 1 << 2)
    public static let alexa = Ecosystems(rawValue: 1 << 3)
    public static let smartThings = Ecosystems(rawValue: 1 << 4)
    public static let homeAssistant = Ecosystems(rawValue: 1 << 5)
    public static let hubitat = Ecosystems(rawValue: 1 << 6)

    /// The string ids of the ecosystems in the set, in id order ("homekit", ...).
    public var sids: [String] {
        (1...UInt32(LKR_ECOSYSTEM_MAX)).compactMap { e in
            rawValue & (1 << e) != 0 ? string(lkr_ecosystem_name(e)) : nil
        }
    }
}

/// Battery chemistry (`lkr_chemistry`); unknown is `nil`.
public enum Chemistry: UInt32, CaseIterable, Sendable {
    case alkaline = 1, nimh = 2, lithium = 3, pack = 4
    public var sid: String { string(lkr_chemistry_name(rawValue)) ?? "" }
}

/// What the app shows (`lkr_app_status`); unknown is `nil`.
public enum AppStatus: UInt32, CaseIterable, Sendable {
    case online = 1, offline = 2, noResponse = 3, unavailable = 4
}

/// Where the last firmware update stands (`lkr_update_state`); unknown is `nil`.
public enum UpdateState: UInt32, CaseIterable, Sendable {
    case none = 1, inProgress = 2, reportedOK = 3, reportedFailed = 4, finished = 5
}

/// Which access codes the keypad rejects (`lkr_code_state`); unknown is `nil`.
public enum CodeState: UInt32, CaseIterable, Sendable {
    case allWork = 1, oneRejected = 2, allRejected = 3
}

/// Wi-Fi security of the network (`lkr_wifi_security`); unknown is `nil`.
public enum WifiSecurity: UInt32, CaseIterable, Sendable {
    case wpa2PSK = 1, wpa3 = 2, mixed = 3, other = 4
}

// MARK: - Catalog

/// Escalation tiers, in ladder order (`lkr_tier`).
public enum Tier: UInt32, CaseIterable, Sendable {
    case triage = 1, universal = 2, `protocol` = 3, ecosystem = 4, repair = 5, reset = 6, support = 7, code = 8

    private var info: lkr_tier_info? {
        var i = sized(lkr_tier_info.init) { $0.struct_size = $1 }
        return lkr_tier_get(rawValue, &i) == LKR_OK ? i : nil
    }
    /// The stable string id, e.g. "universal".
    public var sid: String { string(info?.sid) ?? "" }
    /// The English title.
    public var title: String { string(info?.title) ?? "" }

    /// Looks a tier up by its string id.
    public init(sid: String) throws {
        var id: UInt32 = 0
        try check(lkr_tier_find(sid, &id))
        guard let t = Tier(rawValue: id) else { throw LockRecoverError.outOfRange }
        self = t
    }
}

/// Symptom classes (`lkr_symptom`).
public enum Symptom: UInt32, CaseIterable, Sendable {
    case unknown = 0, completelySilent = 1, localOKAppOffline = 2, appNoResponse = 3, updateStalled = 4
    case oneCodeRejected = 5, allCodesRejected = 6, offlineNoUpdate = 7

    private var info: lkr_symptom_info? {
        var i = sized(lkr_symptom_info.init) { $0.struct_size = $1 }
        return lkr_symptom_get(rawValue, &i) == LKR_OK ? i : nil
    }
    /// The stable string id, e.g. "completely_silent".
    public var sid: String { string(info?.sid) ?? "" }
    /// What the person sees, in English.
    public var title: String { string(info?.title) ?? "" }

    /// Looks a symptom up by its string id.
    public init(sid: String) throws {
        var id: UInt32 = 0
        try check(lkr_symptom_find(sid, &id))
        guard let s = Symptom(rawValue: id) else { throw LockRecoverError.outOfRange }
        self = s
    }
}

/// Root causes the classifier ranks (`lkr_cause`).
public enum Cause: UInt32, CaseIterable, Sendable {
    case bleDropMidTransfer = 1, otaVoltageCollapse = 2, wifiStackCrash = 3, hubSessionMismatch = 4
    case appStaleState = 5, transferStall = 6, batteriesDepleted = 7, zwaveDeepSleep = 8
    case threadMeshLost = 9, phoneBLEBug = 10, wifiBandSecurity = 11, newIPAddress = 12
    case weakSignal = 13, networkChanged = 14, hubOffline = 15, missingPermissions = 16
    case outdatedSoftware = 17, needsCalibration = 18, keypadLockout = 19, codeExpired = 20
    case wrongCode = 21, keypadDamage = 22, doorMisalignment = 23, extremeCold = 24
    case hardwareFailure = 25

    private var info: lkr_cause_info? {
        var i = sized(lkr_cause_info.init) { $0.struct_size = $1 }
        return lkr_cause_get(rawValue, &i) == LKR_OK ? i : nil
    }
    /// The stable string id, e.g. "hub_session_mismatch".
    public var sid: String { string(info?.sid) ?? "" }
    /// The English title.
    public var title: String { string(info?.title) ?? "" }
    /// The protocols on which this cause can happen.
    public var protocols: [LockProtocol] {
        let mask = info?.protocols ?? 0
        return LockProtocol.allCases.filter { mask & (1 << $0.rawValue) != 0 }
    }

    /// Looks a cause up by its string id.
    public init(sid: String) throws {
        var id: UInt32 = 0
        try check(lkr_cause_find(sid, &id))
        guard let c = Cause(rawValue: id) else { throw LockRecoverError.outOfRange }
        self = c
    }
}

/// Guards: what must hold before a step may run (`lkr_guard`).
public enum Guard: UInt32, CaseIterable, Sendable {
    case adminCodeRecorded = 1, codesBackedUp = 2, physicalKey = 3, doorOpen = 4, earlierTiersDone = 5
    case phoneInRange = 6, noActiveTransfer = 7, repairCodesSafe = 8, preflightOK = 9
    /// The person wrote down every code and its slot: a lower evidence level
    /// than a verified backup (since 1.1).
    case codesNoted = 10

    private var info: lkr_guard_info? {
        var i = sized(lkr_guard_info.init) { $0.struct_size = $1 }
        return lkr_guard_get(rawValue, &i) == LKR_OK ? i : nil
    }
    /// The stable string id, e.g. "door_open".
    public var sid: String { string(info?.sid) ?? "" }
    /// English statement of what must hold.
    public var title: String { string(info?.title) ?? "" }
    /// English: how the person makes it hold.
    public var instructions: String { string(info?.instructions) ?? "" }

    /// Looks a guard up by its string id.
    public init(sid: String) throws {
        var id: UInt32 = 0
        try check(lkr_guard_find(sid, &id))
        guard let g = Guard(rawValue: id) else { throw LockRecoverError.outOfRange }
        self = g
    }

    /// The guards whose `LKR_GUARD_BIT` is set in @p mask.
    static func set(_ mask: UInt32) -> Set<Guard> {
        Set(allCases.filter { mask & (1 << $0.rawValue) != 0 })
    }
}

// MARK: - Sessions

/// Session states (`lkr_state`).
public enum SessionState: UInt32, CaseIterable, Sendable {
    case triage = 1, awaitingPerson = 2, awaitingTransport = 3, waiting = 4, verifying = 5, blocked = 6
    case recovered = 7, needsSupport = 8, aborted = 9
    /// Whether the state is final (recovered, needs support, aborted).
    public var isFinal: Bool { rawValue >= 7 }
}

/// Kinds of ``Action`` (`lkr_action_kind`).
public enum ActionKind: UInt32, CaseIterable, Sendable {
    case ask = 1, personStep = 2, hostStep = 3, wait = 4, verify = 5, blocked = 6
    case recovered = 7, needsSupport = 8, aborted = 9
    /// Whether this kind ends the session.
    public var isFinal: Bool { rawValue >= 7 }
}

/// Which part of a step an action concerns (`lkr_phase`); none is `nil`.
public enum Phase: UInt32, CaseIterable, Sendable {
    case perform = 1, hold = 2, resume = 3, settle = 4, askPerson = 5, probe = 6
}

/// Questions the engine asks (`lkr_question`).
public enum Question: UInt32, CaseIterable, Sendable {
    case updateState = 1, updateStalledMinutes = 2, keypadLights = 3, appStatus = 4, codesState = 5
    case localControl = 6, firmwareVersion = 7
    /// Asked for their value (1.2): each answered yes, no or don't know.
    case secondPhone = 8, hubDevices = 9, updatePending = 10
}

/// What the host reports about a step, or what the history records (`lkr_outcome`).
public enum Outcome: UInt32, CaseIterable, Sendable {
    case fixed = 1, notFixed = 2, done = 3, skipped = 4, cannotDo = 5, failed = 6
    /// History only.
    case waived = 7, refuted = 8, handedOver = 9
}

/// Which ladder a session walks (`lkr_ladder`); not decided yet is `nil`.
public enum Ladder: UInt32, CaseIterable, Sendable {
    case connection = 1, code = 2
}

/// Why a session needs support (`LKR_SUPPORT_*`).
public struct SupportReasons: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let ladderExhausted = SupportReasons(rawValue: 0x01)
    public static let deadKeypad = SupportReasons(rawValue: 0x02)
    public static let sameErrorCode = SupportReasons(rawValue: 0x04)
    public static let severalPhones = SupportReasons(rawValue: 0x08)
    public static let afterUpdate = SupportReasons(rawValue: 0x10)
    public static let resetRefused = SupportReasons(rawValue: 0x20)
    public static let codesMissing = SupportReasons(rawValue: 0x40)
    /// Codes may have been erased and the vault could not check them back.
    public static let codesUnverified = SupportReasons(rawValue: 0x80)
}

/// Triage flags of a diagnosis (`LKR_TRIAGE_*`).
public struct TriageFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let updateStalled = TriageFlags(rawValue: 0x001)
    public static let nimhCells = TriageFlags(rawValue: 0x002)
    public static let zwaveLowBattery = TriageFlags(rawValue: 0x004)
    public static let batteryLow = TriageFlags(rawValue: 0x008)
    public static let updateApplied = TriageFlags(rawValue: 0x010)
    public static let updateNotApplied = TriageFlags(rawValue: 0x020)
    public static let keypadWorks = TriageFlags(rawValue: 0x040)
    public static let localOnly = TriageFlags(rawValue: 0x080)
    public static let codePath = TriageFlags(rawValue: 0x100)
    public static let extremeCold = TriageFlags(rawValue: 0x200)
    public static let updateActive = TriageFlags(rawValue: 0x400)

    /// The string ids of the flags set, e.g. ["keypad_works", "local_only"].
    public var sids: [String] {
        (0..<32).compactMap { bit in
            rawValue & (1 << bit) != 0 ? string(lkr_triage_name(1 << bit)) : nil
        }
    }
}

/// Log levels of the transport's `log` callback.
public enum LogLevel: UInt32, Sendable, Comparable {
    case debug = 1, info = 2, warn = 3
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}
