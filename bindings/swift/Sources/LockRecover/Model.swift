import CLockRecover

// MARK: - Conversion helpers

@inline(__always) func tri(_ b: Bool?) -> UInt8 { b.map { $0 ? UInt8(LKR_YES) : UInt8(LKR_NO) } ?? UInt8(LKR_UNKNOWN) }
@inline(__always) func tri(_ v: UInt8) -> Bool? { v == UInt8(LKR_YES) ? true : v == UInt8(LKR_NO) ? false : nil }

/// A number for C: `nil` is `LKR_NUM_UNKNOWN`; outside @p range is an
/// error naming @p name and the range.
func num(_ i: Int?, _ name: String, _ range: ClosedRange<Int>) throws -> Int32 {
    guard let i else { return LKR_NUM_UNKNOWN }
    guard range.contains(i), let v = Int32(exactly: i) else {
        throw LockRecoverError.invalidField(name, limit: "\(range.lowerBound)...\(range.upperBound), not \(i)")
    }
    return v
}
@inline(__always) func num(_ v: Int32) -> Int? { v < 0 ? nil : Int(v) }

func count(_ i: Int?, _ name: String, _ range: ClosedRange<Int>) throws -> UInt32 {
    guard let i else { return 0 }
    guard range.contains(i), let v = UInt32(exactly: i) else {
        throw LockRecoverError.invalidField(name, limit: "\(range.lowerBound)...\(range.upperBound), not \(i)")
    }
    return v
}

/// Copies @p value into a fixed C char array, NUL-terminated; too long (or
/// holding a NUL) is an error naming @p name and the byte limit.
func setText<T>(_ field: inout T, _ value: String?, _ name: String) throws {
    let bytes = Array((value ?? "").utf8)
    guard !bytes.contains(0) else { throw LockRecoverError.invalidField(name, limit: "contains NUL") }
    try withUnsafeMutableBytes(of: &field) { buf in
        guard bytes.count < buf.count else {
            throw LockRecoverError.invalidField(name, limit: "at most \(buf.count - 1) bytes of UTF-8, not \(bytes.count)")
        }
        for i in 0..<buf.count { buf[i] = i < bytes.count ? bytes[i] : 0 }
    }
}

/// Reads a fixed C char array; empty is `nil`.
func getText<T>(_ field: T) -> String? {
    withUnsafeBytes(of: field) { buf in
        let n = buf.firstIndex(of: 0) ?? buf.count
        return n == 0 ? nil : String(decoding: buf[..<n], as: UTF8.self)
    }
}

// MARK: - Profile

/// What the lock is (`lkr_profile`): facts that do not change during a
/// recovery. Only `protocol` is required; `nil` is "unknown".
public struct Profile: Equatable, Sendable {
    public var `protocol`: LockProtocol
    public var ecosystems: Ecosystems
    public var batteryChemistry: Chemistry?
    /// Number of cells (1...16).
    public var batteryCells: Int?
    public var warrantyMonths: Int?
    public var hasBridge: Bool?
    public var hasKeypad: Bool?
    public var hasFingerprint: Bool?
    public var hasKeyCylinder: Bool?
    /// Re-pairing erases codes on this model (unknown counts as "may").
    public var repairErasesCodes: Bool?
    public var pinsReadable: Bool?
    public var manufacturer: String?
    public var model: String?
    public var serial: String?
    /// `YYYY-MM-DD`.
    public var purchaseDate: String?

    public init(protocol: LockProtocol, ecosystems: Ecosystems = [], batteryChemistry: Chemistry? = nil,
                batteryCells: Int? = nil, warrantyMonths: Int? = nil, hasBridge: Bool? = nil,
                hasKeypad: Bool? = nil, hasFingerprint: Bool? = nil, hasKeyCylinder: Bool? = nil,
                repairErasesCodes: Bool? = nil, pinsReadable: Bool? = nil, manufacturer: String? = nil,
                model: String? = nil, serial: String? = nil, purchaseDate: String? = nil) {
        self.protocol = `protocol`
        self.ecosystems = ecosystems
        self.batteryChemistry = batteryChemistry
        self.batteryCells = batteryCells
        self.warrantyMonths = warrantyMonths
        self.hasBridge = hasBridge
        self.hasKeypad = hasKeypad
        self.hasFingerprint = hasFingerprint
        self.hasKeyCylinder = hasKeyCylinder
        self.repairErasesCodes = repairErasesCodes
        self.pinsReadable = pinsReadable
        self.manufacturer = manufacturer
        self.model = model
        self.serial = serial
        self.purchaseDate = purchaseDate
    }

    /// Reads a C profile (an unknown protocol is invalid).
    init(_ c: lkr_profile) throws {
        guard let p = LockProtocol(rawValue: c.protocol) else { throw LockRecoverError.invalidField("protocol", limit: "unknown id \(c.protocol)") }
        self.init(protocol: p)
        ecosystems = Ecosystems(rawValue: c.ecosystems)
        batteryChemistry = Chemistry(rawValue: c.battery_chemistry)
        batteryCells = c.battery_cells == 0 ? nil : Int(c.battery_cells)
        warrantyMonths = c.warranty_months == 0 ? nil : Int(c.warranty_months)
        hasBridge = tri(c.has_bridge)
        hasKeypad = tri(c.has_keypad)
        hasFingerprint = tri(c.has_fingerprint)
        hasKeyCylinder = tri(c.has_key_cylinder)
        repairErasesCodes = tri(c.repair_erases_codes)
        pinsReadable = tri(c.pins_readable)
        manufacturer = getText(c.manufacturer)
        model = getText(c.model)
        serial = getText(c.serial)
        purchaseDate = getText(c.purchase_date)
    }

    /// The C struct (`lkr_profile_init` first). Throws
    /// ``LockRecoverError/invalidArgument`` for text that does not fit or
    /// numbers out of range; the library validates the rest where it is used.
    func cValue() throws -> lkr_profile {
        var c = lkr_profile()
        lkr_profile_init(&c)
        c.protocol = self.protocol.rawValue
        c.ecosystems = ecosystems.rawValue
        c.battery_chemistry = batteryChemistry?.rawValue ?? 0
        c.battery_cells = try count(batteryCells, "batteryCells", 0...16)
        c.warranty_months = try count(warrantyMonths, "warrantyMonths", 0...Int(UInt32.max))
        c.has_bridge = tri(hasBridge)
        c.has_keypad = tri(hasKeypad)
        c.has_fingerprint = tri(hasFingerprint)
        c.has_key_cylinder = tri(hasKeyCylinder)
        c.repair_erases_codes = tri(repairErasesCodes)
        c.pins_readable = tri(pinsReadable)
        try setText(&c.manufacturer, manufacturer, "manufacturer")
        try setText(&c.model, model, "model")
        try setText(&c.serial, serial, "serial")
        try setText(&c.purchase_date, purchaseDate, "purchaseDate")
        return c
    }

    /// Checks the profile the way every function taking one does.
    public func validate() throws {
        var c = try cValue()
        try check(lkr_profile_validate(&c))
    }
}

// MARK: - Observations

/// What a person or the transport has observed (`lkr_observations`). Every
/// fact may be unknown (`nil`).
public struct Observations: Equatable, Sendable {
    /// Progress bar, 0...100.
    public var updateProgressPct: Int?
    /// Minutes since the progress last moved.
    public var updateStalledMinutes: Int?
    /// Battery level, 0...100.
    public var batteryPct: Int?
    /// Measured millivolts per cell, 0...5000.
    public var cellMillivolts: Int?
    public var keypadLights: Bool?
    public var keypadAcceptsCodes: Bool?
    /// The phone nearby (Bluetooth or LAN) controls the lock.
    public var localControlWorks: Bool?
    public var appStatus: AppStatus?
    public var updateState: UpdateState?
    public var hubOnline: Bool?
    public var bridgeOnline: Bool?
    public var otherWifiDevicesWork: Bool?
    public var wifi24GHzOn: Bool?
    public var wifiSecurity: WifiSecurity?
    public var networkChanged: Bool?
    public var ipChanged: Bool?
    public var signalWeak: Bool?
    public var phoneInRange: Bool?
    public var appPermissionsOK: Bool?
    public var secondPhoneConnects: Bool?
    public var softwareOutdated: Bool?
    public var codesState: CodeState?
    public var codeExpired: Bool?
    public var lockoutActive: Bool?
    public var keypadDirty: Bool?
    public var keypadErratic: Bool?
    public var worksDoorOpenOnly: Bool?
    public var wrongPosition: Bool?
    public var extremeCold: Bool?
    public var routerOnline: Bool?
    public var firmwareBefore: String?
    public var firmwareTarget: String?
    public var firmwareNow: String?
    public var errorCode: String?

    /// Everything unknown; set what is known afterwards.
    public init() {}

    /// The facts most often known, by name; everything else unknown.
    public init(keypadLights: Bool? = nil, appStatus: AppStatus? = nil, updateState: UpdateState? = nil,
                localControlWorks: Bool? = nil, codesState: CodeState? = nil, batteryPct: Int? = nil,
                hubOnline: Bool? = nil, firmwareBefore: String? = nil, firmwareTarget: String? = nil,
                firmwareNow: String? = nil) {
        self.keypadLights = keypadLights
        self.appStatus = appStatus
        self.updateState = updateState
        self.localControlWorks = localControlWorks
        self.codesState = codesState
        self.batteryPct = batteryPct
        self.hubOnline = hubOnline
        self.firmwareBefore = firmwareBefore
        self.firmwareTarget = firmwareTarget
        self.firmwareNow = firmwareNow
    }

    init(_ c: lkr_observations) {
        updateProgressPct = num(c.update_progress_pct)
        updateStalledMinutes = num(c.update_stalled_min)
        batteryPct = num(c.battery_pct)
        cellMillivolts = num(c.cell_mv)
        keypadLights = tri(c.keypad_lights)
        keypadAcceptsCodes = tri(c.keypad_accepts_codes)
        localControlWorks = tri(c.local_control_works)
        appStatus = AppStatus(rawValue: UInt32(c.app_status))
        updateState = UpdateState(rawValue: UInt32(c.update_state))
        hubOnline = tri(c.hub_online)
        bridgeOnline = tri(c.bridge_online)
        otherWifiDevicesWork = tri(c.other_wifi_devices_work)
        wifi24GHzOn = tri(c.wifi_24ghz_on)
        wifiSecurity = WifiSecurity(rawValue: UInt32(c.wifi_security))
        networkChanged = tri(c.network_changed)
        ipChanged = tri(c.ip_changed)
        signalWeak = tri(c.signal_weak)
        phoneInRange = tri(c.phone_in_range)
        appPermissionsOK = tri(c.app_permissions_ok)
        secondPhoneConnects = tri(c.second_phone_connects)
        softwareOutdated = tri(c.software_outdated)
        codesState = CodeState(rawValue: UInt32(c.codes_state))
        codeExpired = tri(c.code_expired)
        lockoutActive = tri(c.lockout_active)
        keypadDirty = tri(c.keypad_dirty)
        keypadErratic = tri(c.keypad_erratic)
        worksDoorOpenOnly = tri(c.works_door_open_only)
        wrongPosition = tri(c.wrong_position)
        extremeCold = tri(c.extreme_cold)
        routerOnline = tri(c.router_online)
        firmwareBefore = getText(c.fw_before)
        firmwareTarget = getText(c.fw_target)
        firmwareNow = getText(c.fw_now)
        errorCode = getText(c.error_code)
    }

    /// The C struct (`lkr_observations_init` first).
    func cValue() throws -> lkr_observations {
        var c = lkr_observations()
        lkr_observations_init(&c)
        c.update_progress_pct = try num(updateProgressPct, "updateProgressPct", 0...100)
        c.update_stalled_min = try num(updateStalledMinutes, "updateStalledMinutes", 0...1_000_000)
        c.battery_pct = try num(batteryPct, "batteryPct", 0...100)
        c.cell_mv = try num(cellMillivolts, "cellMillivolts", 0...5000)
        c.keypad_lights = tri(keypadLights)
        c.keypad_accepts_codes = tri(keypadAcceptsCodes)
        c.local_control_works = tri(localControlWorks)
        c.app_status = UInt8(appStatus?.rawValue ?? 0)
        c.update_state = UInt8(updateState?.rawValue ?? 0)
        c.hub_online = tri(hubOnline)
        c.bridge_online = tri(bridgeOnline)
        c.other_wifi_devices_work = tri(otherWifiDevicesWork)
        c.wifi_24ghz_on = tri(wifi24GHzOn)
        c.wifi_security = UInt8(wifiSecurity?.rawValue ?? 0)
        c.network_changed = tri(networkChanged)
        c.ip_changed = tri(ipChanged)
        c.signal_weak = tri(signalWeak)
        c.phone_in_range = tri(phoneInRange)
        c.app_permissions_ok = tri(appPermissionsOK)
        c.second_phone_connects = tri(secondPhoneConnects)
        c.software_outdated = tri(softwareOutdated)
        c.codes_state = UInt8(codesState?.rawValue ?? 0)
        c.code_expired = tri(codeExpired)
        c.lockout_active = tri(lockoutActive)
        c.keypad_dirty = tri(keypadDirty)
        c.keypad_erratic = tri(keypadErratic)
        c.works_door_open_only = tri(worksDoorOpenOnly)
        c.wrong_position = tri(wrongPosition)
        c.extreme_cold = tri(extremeCold)
        c.router_online = tri(routerOnline)
        try setText(&c.fw_before, firmwareBefore, "firmwareBefore")
        try setText(&c.fw_target, firmwareTarget, "firmwareTarget")
        try setText(&c.fw_now, firmwareNow, "firmwareNow")
        try setText(&c.error_code, errorCode, "errorCode")
        return c
    }

    /// Checks the observations the way every function taking them does.
    public func validate() throws {
        var c = try cValue()
        try check(lkr_observations_validate(&c))
    }
}

// MARK: - Classification

/// One cause of a diagnosis with its posterior probability.
public struct RankedCause: Equatable, Sendable {
    /// The numeric cause id (kept even when this binding does not know it).
    public let id: UInt32
    /// The posterior probability, 0 < p <= 1.
    public let probability: Double
    /// The cause, when this binding knows it.
    public var cause: Cause? { Cause(rawValue: id) }
    /// Its stable string id.
    public var sid: String {
        var i = sized(lkr_cause_info.init) { $0.struct_size = $1 }
        return lkr_cause_get(id, &i) == LKR_OK ? (string(i.sid) ?? "") : ""
    }
}

/// What the classifier concludes (`lkr_diagnosis`).
public struct Diagnosis: Equatable, Sendable {
    public let symptom: Symptom
    /// The tier a recovery enters at.
    public let entryTier: Tier?
    public let triage: TriageFlags
    /// Most probable first.
    public let causes: [RankedCause]
    /// The string ids of the evidence established, e.g. "keypad_lights".
    public let evidence: [String]

    init(_ d: lkr_diagnosis) {
        symptom = Symptom(rawValue: d.symptom) ?? .unknown
        entryTier = Tier(rawValue: d.entry_tier)
        triage = TriageFlags(rawValue: d.triage)
        let n = Int(min(d.cause_count, UInt32(LKR_DIAGNOSIS_MAX_CAUSES)))
        causes = withUnsafeBytes(of: d.causes) { raw in
            let list = raw.bindMemory(to: lkr_ranked_cause.self)
            return (0..<n).map { RankedCause(id: list[$0].cause, probability: list[$0].p) }
        }
        evidence = (0..<64).compactMap { bit in
            d.evidence & (UInt64(1) << UInt64(bit)) != 0 ? string(lkr_evidence_name(UInt32(bit + 1))) : nil
        }
    }
}

/// Classifies what a person observes (`lkr_classify`): a pure function.
/// Throws ``LockRecoverError/invalidArgument`` for an invalid profile or
/// observations.
public func classify(profile: Profile, observations: Observations = Observations()) throws -> Diagnosis {
    var p = try profile.cValue()
    var o = try observations.cValue()
    var d = sized(lkr_diagnosis.init) { $0.struct_size = $1 }
    try check(lkr_classify(&p, &o, &d))
    return Diagnosis(d)
}
