import Foundation

/// The support report a manufacturer asks for, as `lkr_session_report_json`
/// writes it (`report_version` 1). Ids are the catalog's stable string ids.
public struct Report: Codable, Equatable, Sendable {
    public struct Battery: Codable, Equatable, Sendable {
        public var chemistry: String
        public var cells: Int?
        public var levelPct: Int?
        public var cellMv: Int?
        enum CodingKeys: String, CodingKey {
            case chemistry, cells
            case levelPct = "level_pct"
            case cellMv = "cell_mv"
        }
    }

    public struct Lock: Codable, Equatable, Sendable {
        public var manufacturer: String?
        public var model: String?
        public var serial: String?
        public var purchaseDate: String?
        public var warrantyMonths: Int?
        public var `protocol`: String
        public var hasBridge: Bool?
        public var ecosystems: [String]
        public var battery: Battery
        enum CodingKeys: String, CodingKey {
            case manufacturer, model, serial, ecosystems, battery
            case purchaseDate = "purchase_date"
            case warrantyMonths = "warranty_months"
            case `protocol` = "protocol"
            case hasBridge = "has_bridge"
        }
    }

    public struct Firmware: Codable, Equatable, Sendable {
        public var before: String?
        public var target: String?
        public var now: String?
        /// "unknown", "none", "in_progress", "reported_ok", "reported_failed", "finished".
        public var update: String
        public var updateApplied: Bool
        public var updateNotApplied: Bool
        enum CodingKeys: String, CodingKey {
            case before, target, now, update
            case updateApplied = "update_applied"
            case updateNotApplied = "update_not_applied"
        }
    }

    public struct ErrorCodes: Codable, Equatable, Sendable {
        public var initial: String?
        public var now: String?
    }

    public struct RankedCause: Codable, Equatable, Sendable {
        /// A cause's string id.
        public var id: String
        public var p: Double
    }

    public struct StepRecord: Codable, Equatable, Sendable {
        /// The step's string id.
        public var id: String
        /// Its tier's string id.
        public var tier: String
        /// "open", "fixed", "not_fixed", "done", "skipped", "cannot_do", "failed",
        /// "waived", "refuted", "handed_over".
        public var outcome: String
        /// "host" or "person".
        public var by: String
        /// Seconds since the session began.
        public var startedS: Double
        /// `nil` while the step is open.
        public var endedS: Double?
        enum CodingKeys: String, CodingKey {
            case id, tier, outcome, by
            case startedS = "started_s"
            case endedS = "ended_s"
        }
    }

    public struct WaiverRecord: Codable, Equatable, Sendable {
        /// "tier" or "step".
        public var kind: String
        public var id: String
        public var reason: String
        public var atS: Double
        enum CodingKeys: String, CodingKey {
            case kind, id, reason
            case atS = "at_s"
        }
    }

    /// What the codes' safety stood on (docs/VAULT.md), strongest first.
    public struct CodesEvidence: RawRepresentable, Codable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A backup the vault verified.
        public static let verified = CodesEvidence(rawValue: "verified")
        /// The host's own records of the codes (`Vault.record`).
        public static let hostRecords = CodesEvidence(rawValue: "host_records")
        /// The person wrote the codes down (``Guard/codesNoted``).
        public static let personNoted = CodesEvidence(rawValue: "person_noted")
        /// Nothing vouches for the codes.
        public static let none = CodesEvidence(rawValue: "none")
    }

    public struct Codes: Codable, Equatable, Sendable {
        public var vault: Bool
        public var count: Int
        public var verified: Bool
        /// The vault holds the host's records, not a verified backup.
        public var hostRecords: Bool
        public var evidence: CodesEvidence
        public var missing: Int
        /// Codes seen on the lock at the vault's last read, `nil` when it was never read.
        public var onLock: Int?
        /// Codes on the lock whose PINs nobody here holds, `nil` when it was never read.
        public var unknown: Int?

        enum CodingKeys: String, CodingKey {
            case vault, count, verified, evidence, missing, unknown
            case hostRecords = "host_records"
            case onLock = "on_lock"
        }
    }

    public var library: String
    public var reportVersion: Int
    public var lock: Lock
    public var firmware: Firmware
    public var errorCodes: ErrorCodes
    /// The symptom's string id.
    public var symptom: String
    /// The most probable causes (at most five).
    public var causes: [RankedCause]
    /// "triage", "awaiting_person", ..., "recovered", "needs_support", "aborted".
    public var state: String
    /// "connection", "code", or `nil`.
    public var ladder: String?
    /// The hand-over step's string id, for a session that needs support.
    public var handover: String?
    public var supportReasons: [String]
    public var steps: [StepRecord]
    public var waivers: [WaiverRecord]
    public var guardsBlocked: [String]
    public var codes: Codes
    public var personMinutes: Int

    enum CodingKeys: String, CodingKey {
        case library, lock, firmware, symptom, causes, state, ladder, handover, steps, waivers, codes
        case reportVersion = "report_version"
        case errorCodes = "error_codes"
        case supportReasons = "support_reasons"
        case guardsBlocked = "guards_blocked"
        case personMinutes = "person_minutes"
    }

    /// The final or current state as an enum.
    public var sessionState: SessionState? {
        let names = ["triage", "awaiting_person", "awaiting_transport", "waiting", "verifying", "blocked",
                     "recovered", "needs_support", "aborted"]
        return names.firstIndex(of: state).flatMap { SessionState(rawValue: UInt32($0 + 1)) }
    }

    /// Decodes a report from its JSON text.
    public static func decode(_ json: String) throws -> Report {
        try JSONDecoder().decode(Report.self, from: Data(json.utf8))
    }
}
