import CLockRecover

/// A step of a recovery ladder (`lkr_step`), by its stable numeric id.
///
/// A struct rather than an enum so that steps a newer library appends still
/// round-trip; every step of the 1.0 catalog has a named constant.
public struct Step: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Looks a step up by its string id, e.g. "zwave.exclude_reinclude".
    /// Throws ``LockRecoverError/notFound`` for an unknown id.
    public init(sid: String) throws {
        var id: UInt32 = 0
        try check(lkr_step_find(sid, &id))
        self.rawValue = id
    }

    /// Every step the loaded library knows.
    public static var all: [Step] {
        let n = lkr_step_count()
        return n == 0 ? [] : (1...n).map(Step.init(rawValue:))
    }

    private var info: lkr_step_info? {
        var i = sized(lkr_step_info.init) { $0.struct_size = $1 }
        return lkr_step_get(rawValue, &i) == LKR_OK ? i : nil
    }

    /// Whether the loaded library knows this step.
    public var isKnown: Bool { info != nil }
    /// The stable string id, e.g. "universal.battery_pull" ("" when unknown).
    public var sid: String { string(info?.sid) ?? "" }
    /// The English title.
    public var title: String { string(info?.title) ?? "" }
    /// English instructions for a person.
    public var instructions: String { string(info?.instructions) ?? "" }
    /// The tier it belongs to.
    public var tier: Tier? { info.flatMap { Tier(rawValue: $0.tier) } }
    /// The host may perform it through its transport (`LKR_STEP_F_AUTOMATABLE`).
    public var isAutomatable: Bool { (info?.flags ?? 0) & LKR_STEP_F_AUTOMATABLE != 0 }
    /// It erases codes or pairings (or may, on some models).
    public var isDestructive: Bool { (info?.destroys ?? 0) != 0 }
    /// The guards required before it.
    public var guards: Set<Guard> { Guard.set(info?.guards ?? 0) }
    /// Its timed phase in seconds (0 if none).
    public var waitSeconds: UInt32 { info?.wait_s ?? 0 }
    /// Its settle time in seconds (0 if none).
    public var settleSeconds: UInt32 { info?.settle_s ?? 0 }
    /// Expected person-minutes.
    public var costMinutes: UInt32 { info?.cost_min ?? 0 }

    public var description: String { isKnown ? sid : "step#\(rawValue)" }

    public static let triageForceCloseReopen = Step(rawValue: 1)
    public static let triageCheckFirmware = Step(rawValue: 2)
    public static let universalFreshAlkaline = Step(rawValue: 3)
    public static let universalBatteryPull = Step(rawValue: 4)
    public static let universalCheckFirmware = Step(rawValue: 5)
    public static let universalTogglePhoneBluetooth = Step(rawValue: 6)
    public static let universalRestartPhone = Step(rawValue: 7)
    public static let universalUpdateSoftware = Step(rawValue: 8)
    public static let universalRecalibrate = Step(rawValue: 9)
    public static let wifiCheckBandSecurity = Step(rawValue: 10)
    public static let wifiPowerCycleBridge = Step(rawValue: 11)
    public static let wifiPowerCycleRouter = Step(rawValue: 12)
    public static let wifiDHCPReservation = Step(rawValue: 13)
    public static let wifiRerunSetup = Step(rawValue: 14)
    public static let wifiImproveRange = Step(rawValue: 15)
    public static let bleForceCloseApp = Step(rawValue: 16)
    public static let bleClearCacheReinstall = Step(rawValue: 17)
    public static let bleRebond = Step(rawValue: 18)
    public static let bleSecondPhone = Step(rawValue: 19)
    public static let bleMoveCloser = Step(rawValue: 20)
    public static let bleGrantPermissions = Step(rawValue: 21)
    public static let zwaveCheckBattery = Step(rawValue: 22)
    public static let zwaveRestartHub = Step(rawValue: 23)
    public static let zwaveExcludeReinclude = Step(rawValue: 24)
    public static let zigbeeCheckHub = Step(rawValue: 25)
    public static let zigbeeRestartHub = Step(rawValue: 26)
    public static let zigbeeRepairViaHub = Step(rawValue: 27)
    public static let matterPowerOff5Min = Step(rawValue: 28)
    public static let matterRestartHomeHubs = Step(rawValue: 29)
    public static let matterReaddQR = Step(rawValue: 30)
    public static let homeKitBluetoothOn = Step(rawValue: 31)
    public static let homeKitRestartHubs = Step(rawValue: 32)
    public static let homeKitReadd = Step(rawValue: 33)
    public static let googleRelink = Step(rawValue: 34)
    public static let googleReadd = Step(rawValue: 35)
    public static let alexaToggleSkill = Step(rawValue: 36)
    public static let alexaDiscover = Step(rawValue: 37)
    public static let smartThingsRefresh = Step(rawValue: 38)
    public static let smartThingsReadd = Step(rawValue: 39)
    public static let homeAssistantReload = Step(rawValue: 40)
    public static let homeAssistantReadd = Step(rawValue: 41)
    public static let hubitatRefresh = Step(rawValue: 42)
    public static let hubitatReadd = Step(rawValue: 43)
    public static let repairBackupCodes = Step(rawValue: 44)
    public static let repairRemoveAndReadd = Step(rawValue: 45)
    public static let repairVerifyCodes = Step(rawValue: 46)
    public static let repairWaitForReconnect = Step(rawValue: 47)
    public static let resetFactoryReset = Step(rawValue: 48)
    public static let resetRestoreAfterReset = Step(rawValue: 49)
    public static let supportContactManufacturer = Step(rawValue: 50)
    public static let supportLocksmith = Step(rawValue: 51)
    public static let codeReenterCarefully = Step(rawValue: 52)
    public static let codeCleanKeypad = Step(rawValue: 53)
    public static let codeCheckBatteries = Step(rawValue: 54)
    public static let codeCheckLockout = Step(rawValue: 55)
    public static let codeCheckAlignment = Step(rawValue: 56)
    public static let codePowerCycle = Step(rawValue: 57)
    public static let codeCheckConnectivity = Step(rawValue: 58)
    public static let codeUpdateSoftware = Step(rawValue: 59)
    public static let codeRecalibrate = Step(rawValue: 60)
    public static let codeCheckPermissions = Step(rawValue: 61)
    public static let codeReaddCode = Step(rawValue: 62)
    public static let codeColdWeather = Step(rawValue: 63)
}
