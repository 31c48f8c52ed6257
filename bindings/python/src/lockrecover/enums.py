"""The library's enumerations as ``IntEnum`` (values equal the C ones).

Catalog enumerations (protocol, ecosystem, chemistry, tier, symptom, cause,
guard, step) carry their stable string id: ``Step.BLE_REBOND.sid`` is
``"ble.rebond"`` and ``Step.from_sid("ble.rebond")`` is ``Step.BLE_REBOND``.
"""
from __future__ import annotations

from enum import IntEnum, IntFlag
from typing import Any, Callable, Dict, Optional, Tuple, Type, TypeVar

from ._lockrecover import ffi, lib
from .errors import NotFound, check

__all__ = [
    "Status", "Protocol", "Ecosystem", "Chemistry", "AppStatus", "UpdateState", "CodeState",
    "WifiSecurity", "Tier", "Symptom", "Cause", "Guard", "Step", "ActionKind", "Phase",
    "Question", "Outcome", "State", "Ladder", "WaiveKind", "CodeKind", "SlotState", "LogLevel",
    "Evidence", "Triage", "PreflightItem", "SupportReason",
]

E = TypeVar("E", bound="_Named")


class _Named(IntEnum):
    """An IntEnum whose members have a stable string id in the library."""

    @property
    def sid(self) -> str:
        """The stable string id (``""`` for a value the library does not name)."""
        name_of, _ = _NAMING[type(self)]
        return name_of(int(self)) or ""

    @classmethod
    def from_sid(cls: Type[E], sid: str) -> E:
        """The member with string id @p sid; raises :class:`NotFound`."""
        _, find = _NAMING[cls]
        out = ffi.new("uint32_t *")
        check(find(sid.encode("utf-8"), out), f"{cls.__name__} {sid!r}")
        return cls(out[0])

    @classmethod
    def coerce(cls: Type[E], value: Any) -> E:
        """A member from a member, an int or a string id (or a member name)."""
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            try:
                return cls.from_sid(value)
            except NotFound:
                if value.upper() in cls.__members__:
                    return cls[value.upper()]
                raise
        return cls(int(value))


class _CatalogEntry(_Named):
    """A catalog entry: sid, English title and text from the catalog."""

    @property
    def title(self) -> str:
        """The catalog's English title."""
        return _info_text(self, "title")


class Status(IntEnum):
    """``lkr_status`` values (non-negative ones are not errors)."""
    OK = 0
    PENDING = 1
    E_INVAL = -1
    E_NOMEM = -2
    E_RANGE = -3
    E_GUARD = -4
    E_STATE = -5
    E_UNSUPPORTED = -6
    E_CORRUPT = -7
    E_VERSION = -8
    E_TRANSPORT = -9
    E_BUFFER = -10
    E_NOTFOUND = -11
    E_TRUNCATED = -12
    E_PROTOCOL = -13
    E_OVERSIZED = -14
    E_REENTRANT = -15


class Protocol(_Named):
    """How the lock talks (``lkr_protocol``)."""

    NONE = 0
    WIFI = 1
    BLE = 2
    ZWAVE = 3
    ZIGBEE = 4
    MATTER = 5


class Ecosystem(_Named):
    """A smart-home ecosystem the lock is paired with (``lkr_ecosystem``)."""

    NONE = 0
    HOMEKIT = 1
    GOOGLE = 2
    ALEXA = 3
    SMARTTHINGS = 4
    HOMEASSISTANT = 5
    HUBITAT = 6


class Chemistry(_Named):
    """Battery chemistry (``lkr_chemistry``)."""

    UNKNOWN = 0
    ALKALINE = 1
    NIMH = 2
    LITHIUM = 3
    PACK = 4


class AppStatus(IntEnum):
    """What the vendor app shows for the lock (``LKR_APP_*``)."""

    UNKNOWN = 0
    ONLINE = 1
    OFFLINE = 2
    NO_RESPONSE = 3
    UNAVAILABLE = 4


class UpdateState(IntEnum):
    """The state of a firmware update (``LKR_UPDATE_*``)."""

    UNKNOWN = 0
    NONE = 1
    IN_PROGRESS = 2
    REPORTED_OK = 3
    REPORTED_FAILED = 4
    FINISHED = 5


class CodeState(IntEnum):
    """Which access codes work (``LKR_CODES_*``)."""

    UNKNOWN = 0
    ALL_WORK = 1
    ONE_REJECTED = 2
    ALL_REJECTED = 3


class WifiSecurity(IntEnum):
    """The Wi-Fi network's security mode (``LKR_WIFI_SECURITY_*``)."""

    UNKNOWN = 0
    WPA2_PSK = 1
    WPA3 = 2
    MIXED = 3
    OTHER = 4


class Tier(_CatalogEntry):
    """A tier of the escalation ladder (``lkr_tier``), least destructive first."""

    NONE = 0
    TRIAGE = 1
    UNIVERSAL = 2
    PROTOCOL = 3
    ECOSYSTEM = 4
    REPAIR = 5
    RESET = 6
    SUPPORT = 7
    CODE = 8


class Symptom(_CatalogEntry):
    """What the person sees (``lkr_symptom``)."""

    UNKNOWN = 0
    COMPLETELY_SILENT = 1
    LOCAL_OK_APP_OFFLINE = 2
    APP_NO_RESPONSE = 3
    UPDATE_STALLED = 4
    ONE_CODE_REJECTED = 5
    ALL_CODES_REJECTED = 6
    OFFLINE_NO_UPDATE = 7


class Cause(_CatalogEntry):
    """A root cause the classifier ranks (``lkr_cause``)."""

    NONE = 0
    BLE_DROP_MID_TRANSFER = 1
    OTA_VOLTAGE_COLLAPSE = 2
    WIFI_STACK_CRASH = 3
    HUB_SESSION_MISMATCH = 4
    APP_STALE_STATE = 5
    TRANSFER_STALL = 6
    BATTERIES_DEPLETED = 7
    ZWAVE_DEEP_SLEEP = 8
    THREAD_MESH_LOST = 9
    PHONE_BLE_BUG = 10
    WIFI_BAND_SECURITY = 11
    NEW_IP_ADDRESS = 12
    WEAK_SIGNAL = 13
    NETWORK_CHANGED = 14
    HUB_OFFLINE = 15
    MISSING_PERMISSIONS = 16
    OUTDATED_SOFTWARE = 17
    NEEDS_CALIBRATION = 18
    KEYPAD_LOCKOUT = 19
    CODE_EXPIRED = 20
    WRONG_CODE = 21
    KEYPAD_DAMAGE = 22
    DOOR_MISALIGNMENT = 23
    EXTREME_COLD = 24
    HARDWARE_FAILURE = 25


class Guard(_CatalogEntry):
    """A precondition a step needs before it may run (``lkr_guard``)."""

    NONE = 0
    ADMIN_CODE_RECORDED = 1
    CODES_BACKED_UP = 2
    PHYSICAL_KEY = 3
    DOOR_OPEN = 4
    EARLIER_TIERS_DONE = 5
    PHONE_IN_RANGE = 6
    NO_ACTIVE_TRANSFER = 7
    REPAIR_CODES_SAFE = 8
    PREFLIGHT_OK = 9
    CODES_NOTED = 10

    @property
    def bit(self) -> int:
        """``LKR_GUARD_BIT(guard)``."""
        return 1 << int(self)


class Step(_CatalogEntry):
    """A recovery step of the catalog (``lkr_step``)."""

    NONE = 0
    TRIAGE_FORCE_CLOSE_REOPEN = 1
    TRIAGE_CHECK_FIRMWARE = 2
    UNIVERSAL_FRESH_ALKALINE = 3
    UNIVERSAL_BATTERY_PULL = 4
    UNIVERSAL_CHECK_FIRMWARE = 5
    UNIVERSAL_TOGGLE_PHONE_BLUETOOTH = 6
    UNIVERSAL_RESTART_PHONE = 7
    UNIVERSAL_UPDATE_SOFTWARE = 8
    UNIVERSAL_RECALIBRATE = 9
    WIFI_CHECK_BAND_SECURITY = 10
    WIFI_POWER_CYCLE_BRIDGE = 11
    WIFI_POWER_CYCLE_ROUTER = 12
    WIFI_DHCP_RESERVATION = 13
    WIFI_RERUN_SETUP = 14
    WIFI_IMPROVE_RANGE = 15
    BLE_FORCE_CLOSE_APP = 16
    BLE_CLEAR_CACHE_REINSTALL = 17
    BLE_REBOND = 18
    BLE_SECOND_PHONE = 19
    BLE_MOVE_CLOSER = 20
    BLE_GRANT_PERMISSIONS = 21
    ZWAVE_CHECK_BATTERY = 22
    ZWAVE_RESTART_HUB = 23
    ZWAVE_EXCLUDE_REINCLUDE = 24
    ZIGBEE_CHECK_HUB = 25
    ZIGBEE_RESTART_HUB = 26
    ZIGBEE_REPAIR_VIA_HUB = 27
    MATTER_POWER_OFF_5MIN = 28
    MATTER_RESTART_HOME_HUBS = 29
    MATTER_READD_QR = 30
    HOMEKIT_BLUETOOTH_ON = 31
    HOMEKIT_RESTART_HUBS = 32
    HOMEKIT_READD = 33
    GOOGLE_RELINK = 34
    GOOGLE_READD = 35
    ALEXA_TOGGLE_SKILL = 36
    ALEXA_DISCOVER = 37
    SMARTTHINGS_REFRESH = 38
    SMARTTHINGS_READD = 39
    HOMEASSISTANT_RELOAD = 40
    HOMEASSISTANT_READD = 41
    HUBITAT_REFRESH = 42
    HUBITAT_READD = 43
    REPAIR_BACKUP_CODES = 44
    REPAIR_REMOVE_AND_READD = 45
    REPAIR_VERIFY_CODES = 46
    REPAIR_WAIT_FOR_RECONNECT = 47
    RESET_FACTORY_RESET = 48
    RESET_RESTORE_AFTER_RESET = 49
    SUPPORT_CONTACT_MANUFACTURER = 50
    SUPPORT_LOCKSMITH = 51
    CODE_REENTER_CAREFULLY = 52
    CODE_CLEAN_KEYPAD = 53
    CODE_CHECK_BATTERIES = 54
    CODE_CHECK_LOCKOUT = 55
    CODE_CHECK_ALIGNMENT = 56
    CODE_POWER_CYCLE = 57
    CODE_CHECK_CONNECTIVITY = 58
    CODE_UPDATE_SOFTWARE = 59
    CODE_RECALIBRATE = 60
    CODE_CHECK_PERMISSIONS = 61
    CODE_READD_CODE = 62
    CODE_COLD_WEATHER = 63

    @property
    def instructions(self) -> str:
        """The catalog's English instructions for the person."""
        return _info_text(self, "instructions")

    @property
    def tier(self) -> Tier:
        """The tier the step belongs to."""
        return Tier(_info(self).tier)

    @property
    def guards(self) -> Tuple[Guard, ...]:
        """The guards the step requires."""
        return guards_from_mask(_info(self).guards)

    @property
    def destructive(self) -> bool:
        """Whether the step destroys (or may destroy) codes or pairings."""
        return bool(_info(self).destroys != 0)


class ActionKind(IntEnum):
    """What an :class:`~lockrecover.Action` asks of the host (``lkr_action_kind``)."""

    NONE = 0
    ASK = 1
    PERSON_STEP = 2
    HOST_STEP = 3
    WAIT = 4
    VERIFY = 5
    BLOCKED = 6
    RECOVERED = 7
    NEEDS_SUPPORT = 8
    ABORTED = 9

    @property
    def is_final(self) -> bool:
        """Recovered, needs support or aborted."""
        return self in (ActionKind.RECOVERED, ActionKind.NEEDS_SUPPORT, ActionKind.ABORTED)


class Phase(IntEnum):
    """Which part of a step an action is about (``lkr_phase``)."""

    NONE = 0
    PERFORM = 1
    HOLD = 2
    RESUME = 3
    SETTLE = 4
    ASK_PERSON = 5
    PROBE = 6


class Question(IntEnum):
    """A question the session asks the person (``lkr_question``)."""

    NONE = 0
    UPDATE_STATE = 1
    UPDATE_STALLED_MIN = 2
    KEYPAD_LIGHTS = 3
    APP_STATUS = 4
    CODES_STATE = 5
    LOCAL_CONTROL = 6
    FIRMWARE_VERSION = 7
    SECOND_PHONE = 8
    HUB_DEVICES = 9
    UPDATE_PENDING = 10


class Outcome(IntEnum):
    """How a step ended (``lkr_outcome``)."""

    NONE = 0
    FIXED = 1
    NOT_FIXED = 2
    DONE = 3
    SKIPPED = 4
    CANNOT_DO = 5
    FAILED = 6
    WAIVED = 7
    REFUTED = 8
    HANDED_OVER = 9


class State(IntEnum):
    """A session's state (``lkr_state``)."""

    NONE = 0
    TRIAGE = 1
    AWAITING_PERSON = 2
    AWAITING_TRANSPORT = 3
    WAITING = 4
    VERIFYING = 5
    BLOCKED = 6
    RECOVERED = 7
    NEEDS_SUPPORT = 8
    ABORTED = 9


class Ladder(IntEnum):
    """Which escalation ladder a session climbs (``lkr_ladder``)."""

    NONE = 0
    CONNECTION = 1
    CODE = 2


class WaiveKind(IntEnum):
    """What a waiver skips (``lkr_waive_kind``)."""

    TIER = 1
    STEP = 2


class CodeKind(IntEnum):
    """The kind of an access code (``LKR_CODE_*``)."""

    NONE = 0
    ADMIN = 1
    MASTER = 2
    USER = 3
    TEMPORARY = 4


class SlotState(IntEnum):
    """What a verification found in a code slot (``LKR_SLOT_*``)."""

    UNCHECKED = 0
    PRESENT = 1
    MISSING = 2
    DIFFERENT = 3
    RESTORED = 4
    FAILED = 5


class LogLevel(IntEnum):
    """The level of a transport log line (``LKR_LOG_*``)."""

    DEBUG = 1
    INFO = 2
    WARN = 3


class Evidence(_Named):
    """A kind of evidence the classifier weighs (``lkr_evidence``); ``sid``
    is its stable name (``"keypad_lights"``)."""

    NONE = 0
    KEYPAD_DARK = 1
    KEYPAD_LIGHTS = 2
    CODES_ACCEPTED = 3
    APP_OFFLINE = 4
    APP_NO_RESPONSE = 5
    APP_ONLINE = 6
    LOCAL_WORKS = 7
    LOCAL_FAILS = 8
    NO_UPDATE = 9
    UPDATE_STALLED = 10
    UPDATE_MOVING = 11
    UPDATE_REPORTED_OK = 12
    UPDATE_REPORTED_FAILED = 13
    FW_AT_TARGET = 14
    FW_UNCHANGED = 15
    BATTERY_LOW = 16
    BATTERY_CRITICAL = 17
    BATTERY_GOOD = 18
    NIMH_CELLS = 19
    HUB_OFFLINE = 20
    HUB_ONLINE = 21
    OTHER_WIFI_FAIL = 22
    OTHER_WIFI_OK = 23
    WIFI_BAND_BAD = 24
    WIFI_BAND_OK = 25
    NETWORK_CHANGED = 26
    IP_CHANGED = 27
    SIGNAL_WEAK = 28
    OUT_OF_RANGE = 29
    PERMISSIONS_MISSING = 30
    SECOND_PHONE_WORKS = 31
    SECOND_PHONE_FAILS = 32
    SOFTWARE_OUTDATED = 33
    ONE_CODE_REJECTED = 34
    ALL_CODES_REJECTED = 35
    CODE_EXPIRED = 36
    LOCKOUT_ACTIVE = 37
    KEYPAD_DIRTY = 38
    KEYPAD_ERRATIC = 39
    DOOR_OPEN_ONLY = 40
    WRONG_POSITION = 41
    EXTREME_COLD = 42
    ERROR_CODE = 43
    PROTOCOL_WIFI = 44
    PROTOCOL_BLE = 45
    PROTOCOL_ZWAVE = 46
    PROTOCOL_ZIGBEE = 47
    PROTOCOL_MATTER = 48
    ROUTER_OFFLINE = 49
    SOFTWARE_CURRENT = 50


class Triage(IntFlag):
    """Triage flags of a diagnosis (``LKR_TRIAGE_*``); ``sid`` of a single
    flag is its stable name (``"nimh_cells"``)."""

    UPDATE_STALLED = 0x001
    NIMH_CELLS = 0x002
    ZWAVE_LOW_BATTERY = 0x004
    BATTERY_LOW = 0x008
    UPDATE_APPLIED = 0x010
    UPDATE_NOT_APPLIED = 0x020
    KEYPAD_WORKS = 0x040
    LOCAL_ONLY = 0x080
    CODE_PATH = 0x100
    EXTREME_COLD = 0x200
    UPDATE_ACTIVE = 0x400

    @property
    def sid(self) -> str:
        """The stable name of a single flag (``""`` for a combination)."""
        return _cstr(lib.lkr_triage_name(int(self))) or ""


class PreflightItem(IntFlag):
    """Items of the pre-update checklist (``LKR_PREFLIGHT_*``)."""

    FRESH_ALKALINE = 0x01
    BATTERY_50 = 0x02
    PHYSICAL_KEY = 0x04
    AUTOMATIONS_PAUSED = 0x08
    PHONE_IN_RANGE = 0x10
    SCREEN_AWAKE = 0x20


class SupportReason(IntFlag):
    """Why a session handed over to support (``LKR_SUPPORT_*``)."""

    LADDER_EXHAUSTED = 0x01
    DEAD_KEYPAD = 0x02
    SAME_ERROR_CODE = 0x04
    SEVERAL_PHONES = 0x08
    AFTER_UPDATE = 0x10
    RESET_REFUSED = 0x20
    CODES_MISSING = 0x40
    CODES_UNVERIFIED = 0x80


def _cstr(p: Any) -> Optional[str]:
    if p == ffi.NULL:
        return None
    return ffi.string(p).decode("utf-8", "replace")


def _getter(get: Callable[[int, Any], int], ctype: str) -> Callable[[int], Optional[str]]:
    def name_of(value: int) -> Optional[str]:
        info = ffi.new(ctype)
        info.struct_size = ffi.sizeof(ctype[:-2])
        if get(value, info) != lib.LKR_OK:
            return None
        return _cstr(info.sid)
    return name_of


_INFO: Dict[type, Tuple[Callable[[int, Any], int], str]] = {
    Tier: (lib.lkr_tier_get, "lkr_tier_info *"),
    Symptom: (lib.lkr_symptom_get, "lkr_symptom_info *"),
    Cause: (lib.lkr_cause_get, "lkr_cause_info *"),
    Guard: (lib.lkr_guard_get, "lkr_guard_info *"),
    Step: (lib.lkr_step_get, "lkr_step_info *"),
}

_NAMING: Dict[type, Tuple[Callable[[int], Optional[str]], Callable[[bytes, Any], int]]] = {
    Protocol: (lambda v: _cstr(lib.lkr_protocol_name(v)), lib.lkr_protocol_find),
    Ecosystem: (lambda v: _cstr(lib.lkr_ecosystem_name(v)), lib.lkr_ecosystem_find),
    Chemistry: (lambda v: _cstr(lib.lkr_chemistry_name(v)), lib.lkr_chemistry_find),
    Evidence: (lambda v: _cstr(lib.lkr_evidence_name(v)), lib.lkr_evidence_find),
    Tier: (_getter(lib.lkr_tier_get, "lkr_tier_info *"), lib.lkr_tier_find),
    Symptom: (_getter(lib.lkr_symptom_get, "lkr_symptom_info *"), lib.lkr_symptom_find),
    Cause: (_getter(lib.lkr_cause_get, "lkr_cause_info *"), lib.lkr_cause_find),
    Guard: (_getter(lib.lkr_guard_get, "lkr_guard_info *"), lib.lkr_guard_find),
    Step: (_getter(lib.lkr_step_get, "lkr_step_info *"), lib.lkr_step_find),
}


def _info(member: IntEnum) -> Any:
    get, ctype = _INFO[type(member)]
    info = ffi.new(ctype)
    info.struct_size = ffi.sizeof(ctype[:-2])
    check(get(int(member), info), f"{type(member).__name__} {int(member)}")
    return info


def _info_text(member: IntEnum, field: str) -> str:
    return _cstr(getattr(_info(member), field)) or ""


def guards_from_mask(mask: int) -> Tuple[Guard, ...]:
    """The guards whose ``LKR_GUARD_BIT`` is set in @p mask, in id order."""
    return tuple(g for g in Guard if g != Guard.NONE and mask & (1 << int(g)))
