"""The lock model (profile, observations), the classifier, and the small
records the transport exchanges (probe results, codes). ``None`` always
means "unknown"."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple, Union

from ._lockrecover import ffi, lib
from .enums import (AppStatus, Cause, Chemistry, CodeKind, CodeState, Ecosystem, Protocol,
                    Symptom, Tier, UpdateState, WifiSecurity)
from .errors import InvalidArgument, check

__all__ = [
    "Profile", "Observations", "Diagnosis", "ProbeResult", "Code", "CodeTable", "classify",
]

TriState = Optional[bool]


def _tri_in(value: TriState, name: str) -> int:
    if value is None:
        return lib.LKR_UNKNOWN
    if value is True or value is False:
        return lib.LKR_YES if value else lib.LKR_NO
    raise InvalidArgument(lib.LKR_E_INVAL, f"{name} must be True, False or None")


def _tri_out(value: int) -> TriState:
    if value == lib.LKR_YES:
        return True
    if value == lib.LKR_NO:
        return False
    return None


def _num_in(value: Optional[int], name: str, unknown: int) -> int:
    if value is None:
        return unknown
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(lib.LKR_E_INVAL, f"{name} must be an int or None")
    return value


def _put_text(cstruct: Any, name: str, value: Optional[str]) -> None:
    data = (value or "").encode("utf-8")
    cap = len(getattr(cstruct, name))
    if b"\0" in data or len(data) >= cap:
        raise InvalidArgument(lib.LKR_E_INVAL,
                              f"{name} must be at most {cap - 1} bytes of UTF-8 without NUL")
    setattr(cstruct, name, data)


def _get_text(cstruct: Any, name: str) -> str:
    return ffi.string(getattr(cstruct, name)).decode("utf-8", "replace")


def _enum_in(cls: Any, value: Any, name: str) -> int:
    if value is None:
        return 0
    try:
        return int(cls.coerce(value)) if hasattr(cls, "coerce") else int(cls(value))
    except ValueError as exc:
        raise InvalidArgument(lib.LKR_E_INVAL, f"{name}: {exc}") from None


def _enum_out(cls: Any, value: int) -> Any:
    if value == 0:
        return None
    try:
        return cls(value)
    except ValueError:
        return int(value)


@dataclass
class Profile:
    """What the lock is (``lkr_profile``). Only ``protocol`` is required."""

    protocol: Union[Protocol, int, str]
    ecosystems: FrozenSet[Ecosystem] = frozenset()
    battery_chemistry: Optional[Chemistry] = None
    battery_cells: Optional[int] = None
    warranty_months: Optional[int] = None
    has_bridge: TriState = None
    has_keypad: TriState = None
    has_fingerprint: TriState = None
    has_key_cylinder: TriState = None
    repair_erases_codes: TriState = None
    pins_readable: TriState = None
    manufacturer: str = ""
    model: str = ""
    serial: str = ""
    purchase_date: str = ""

    _TRI = ("has_bridge", "has_keypad", "has_fingerprint", "has_key_cylinder",
            "repair_erases_codes", "pins_readable")
    _TEXT = ("manufacturer", "model", "serial", "purchase_date")

    def to_c(self) -> Any:
        """A new validated ``lkr_profile *``."""
        p = ffi.new("lkr_profile *")
        lib.lkr_profile_init(p)
        if isinstance(self.protocol, str):
            p.protocol = int(Protocol.coerce(self.protocol))
        else:
            p.protocol = _num_in(int(self.protocol), "protocol", 0) & 0xFFFFFFFF
        mask = 0
        for e in self.ecosystems or ():
            eco = Ecosystem.coerce(e)
            mask |= 1 << int(eco)
        p.ecosystems = mask
        p.battery_chemistry = _enum_in(Chemistry, self.battery_chemistry, "battery_chemistry")
        p.battery_cells = _num_in(self.battery_cells, "battery_cells", 0) & 0xFFFFFFFF
        p.warranty_months = _num_in(self.warranty_months, "warranty_months", 0) & 0xFFFFFFFF
        for name in self._TRI:
            setattr(p, name, _tri_in(getattr(self, name), name))
        for name in self._TEXT:
            _put_text(p, name, getattr(self, name))
        check(lib.lkr_profile_validate(p), "profile")
        return p

    @classmethod
    def from_c(cls, p: Any) -> "Profile":
        ecos = frozenset(e for e in Ecosystem if e != Ecosystem.NONE and p.ecosystems & (1 << e))
        proto: Union[Protocol, int]
        try:
            proto = Protocol(p.protocol)
        except ValueError:
            proto = int(p.protocol)
        return cls(
            protocol=proto,
            ecosystems=ecos,
            battery_chemistry=_enum_out(Chemistry, p.battery_chemistry),
            battery_cells=p.battery_cells or None,
            warranty_months=p.warranty_months or None,
            **{n: _tri_out(getattr(p, n)) for n in cls._TRI},
            **{n: _get_text(p, n) for n in cls._TEXT},
        )



@dataclass
class Observations:
    """What is observed (``lkr_observations``); every fact may be ``None``."""

    update_progress_pct: Optional[int] = None
    update_stalled_min: Optional[int] = None
    battery_pct: Optional[int] = None
    cell_mv: Optional[int] = None
    keypad_lights: TriState = None
    keypad_accepts_codes: TriState = None
    local_control_works: TriState = None
    app_status: Optional[AppStatus] = None
    update_state: Optional[UpdateState] = None
    hub_online: TriState = None
    bridge_online: TriState = None
    other_wifi_devices_work: TriState = None
    wifi_24ghz_on: TriState = None
    wifi_security: Optional[WifiSecurity] = None
    network_changed: TriState = None
    ip_changed: TriState = None
    signal_weak: TriState = None
    phone_in_range: TriState = None
    app_permissions_ok: TriState = None
    second_phone_connects: TriState = None
    software_outdated: TriState = None
    codes_state: Optional[CodeState] = None
    code_expired: TriState = None
    lockout_active: TriState = None
    keypad_dirty: TriState = None
    keypad_erratic: TriState = None
    works_door_open_only: TriState = None
    wrong_position: TriState = None
    extreme_cold: TriState = None
    router_online: TriState = None
    fw_before: str = ""
    fw_target: str = ""
    fw_now: str = ""
    error_code: str = ""

    def to_c(self) -> Any:
        """A new validated ``lkr_observations *``."""
        o = ffi.new("lkr_observations *")
        lib.lkr_observations_init(o)
        for f in dataclasses.fields(self):
            kind = _OBS_KIND[f.name]
            value = getattr(self, f.name)
            if kind == "num":
                setattr(o, f.name, _num_in(value, f.name, lib.LKR_NUM_UNKNOWN))
            elif kind == "tri":
                setattr(o, f.name, _tri_in(value, f.name))
            elif kind == "text":
                _put_text(o, f.name, value)
            else:
                v = _enum_in(kind, value, f.name)
                if not 0 <= v <= 255:
                    raise InvalidArgument(lib.LKR_E_INVAL, f"{f.name} out of range")
                setattr(o, f.name, v)
        check(lib.lkr_observations_validate(o), "observations")
        return o

    @classmethod
    def from_c(cls, o: Any) -> "Observations":
        values: Dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            kind = _OBS_KIND[f.name]
            raw = getattr(o, f.name)
            if kind == "num":
                values[f.name] = None if raw == lib.LKR_NUM_UNKNOWN else int(raw)
            elif kind == "tri":
                values[f.name] = _tri_out(raw)
            elif kind == "text":
                values[f.name] = _get_text(o, f.name)
            else:
                values[f.name] = _enum_out(kind, raw)
        return cls(**values)


_OBS_KIND: Dict[str, Any] = {}
for _f in dataclasses.fields(Observations):
    if _f.name in ("update_progress_pct", "update_stalled_min", "battery_pct", "cell_mv"):
        _OBS_KIND[_f.name] = "num"
    elif _f.name in ("fw_before", "fw_target", "fw_now", "error_code"):
        _OBS_KIND[_f.name] = "text"
    elif _f.name == "app_status":
        _OBS_KIND[_f.name] = AppStatus
    elif _f.name == "update_state":
        _OBS_KIND[_f.name] = UpdateState
    elif _f.name == "wifi_security":
        _OBS_KIND[_f.name] = WifiSecurity
    elif _f.name == "codes_state":
        _OBS_KIND[_f.name] = CodeState
    else:
        _OBS_KIND[_f.name] = "tri"

_PROFILE_FIELDS = frozenset(f.name for f in dataclasses.fields(Profile))
_OBS_FIELDS = frozenset(_OBS_KIND)


def split_facts(profile: Optional[Profile], observations: Optional[Observations],
                facts: Mapping[str, Any]) -> Tuple[Profile, Optional[Observations]]:
    """Merges keyword facts into a profile and observations (keywords win)."""
    pkw = {k: v for k, v in facts.items() if k in _PROFILE_FIELDS}
    okw = {k: v for k, v in facts.items() if k in _OBS_FIELDS}
    unknown = set(facts) - _PROFILE_FIELDS - _OBS_FIELDS
    if unknown:
        raise TypeError(f"unknown fact(s): {', '.join(sorted(unknown))}")
    if profile is None:
        if "protocol" not in pkw:
            raise TypeError("a profile (or protocol=...) is required")
        profile = Profile(**pkw)
    elif pkw:
        profile = dataclasses.replace(profile, **pkw)
    if okw:
        observations = dataclasses.replace(observations or Observations(), **okw)
    return profile, observations


@dataclass(frozen=True)
class Diagnosis:
    """What the classifier (or a session's beliefs) concludes."""

    symptom: str
    entry_tier: str
    triage: List[str]
    causes: List[Tuple[str, float]]
    symptom_id: Symptom = Symptom.UNKNOWN
    entry_tier_id: Tier = Tier.NONE
    evidence: List[str] = field(default_factory=list)

    @property
    def top_cause(self) -> Optional[str]:
        return self.causes[0][0] if self.causes else None

    @classmethod
    def from_c(cls, d: Any) -> "Diagnosis":
        triage = []
        for bit in range(32):
            if d.triage & (1 << bit):
                name = lib.lkr_triage_name(1 << bit)
                triage.append(ffi.string(name).decode() if name != ffi.NULL else f"0x{1 << bit:x}")
        causes = []
        for i in range(min(d.cause_count, lib.LKR_DIAGNOSIS_MAX_CAUSES)):
            rc = d.causes[i]
            sid = Cause(rc.cause).sid if rc.cause in Cause._value2member_map_ else str(rc.cause)
            causes.append((sid, float(rc.p)))
        evidence = []
        for bit in range(64):
            if d.evidence & (1 << bit):
                name = lib.lkr_evidence_name(bit + 1)
                if name != ffi.NULL:
                    evidence.append(ffi.string(name).decode())
        symptom = Symptom(d.symptom) if d.symptom in Symptom._value2member_map_ else Symptom.UNKNOWN
        tier = Tier(d.entry_tier) if d.entry_tier in Tier._value2member_map_ else Tier.NONE
        return cls(symptom=symptom.sid, entry_tier=tier.sid if tier else "", triage=triage,
                   causes=causes, symptom_id=symptom, entry_tier_id=tier, evidence=evidence)


def new_diagnosis() -> Any:
    d = ffi.new("lkr_diagnosis *")
    d.struct_size = ffi.sizeof("lkr_diagnosis")
    return d


def classify(profile: Optional[Profile] = None, observations: Optional[Observations] = None,
             **facts: Any) -> Diagnosis:
    """Classifies what is observed: ``classify(profile, observations)``, or
    with keyword facts of either, e.g.
    ``classify(protocol=Protocol.ZWAVE, keypad_lights=True, app_status=AppStatus.UNAVAILABLE)``.
    """
    profile, observations = split_facts(profile, observations, facts)
    cp = profile.to_c()
    co = (observations or Observations()).to_c()
    d = new_diagnosis()
    check(lib.lkr_classify(cp, co, d), "lkr_classify")
    return Diagnosis.from_c(d)


@dataclass
class ProbeResult:
    """What a probe found (``lkr_probe_result``); ``None`` is unknown."""

    reachable: TriState = None
    keypad_lights: TriState = None
    battery_pct: Optional[int] = None
    fw_version: str = ""
    error_code: str = ""

    def fill(self, r: Any) -> None:
        r.reachable = _tri_in(self.reachable, "reachable")
        r.keypad_lights = _tri_in(self.keypad_lights, "keypad_lights")
        r.battery_pct = _num_in(self.battery_pct, "battery_pct", lib.LKR_NUM_UNKNOWN)
        _put_text(r, "fw_version", self.fw_version)
        _put_text(r, "error_code", self.error_code)

    def to_c(self) -> Any:
        r = ffi.new("lkr_probe_result *")
        r.struct_size = ffi.sizeof("lkr_probe_result")
        self.fill(r)
        return r


@dataclass
class Code:
    """One access code (``lkr_code``). ``pin`` may be empty when unreadable."""

    slot: int
    kind: CodeKind = CodeKind.USER
    pin: str = ""
    name: str = ""
    weekdays: int = 0
    day_start_min: int = 0
    day_end_min: int = 0
    valid_from_s: int = 0
    valid_until_s: int = 0

    def __repr__(self) -> str:  # never show a PIN
        return (f"Code(slot={self.slot}, kind={CodeKind(self.kind).name}, name={self.name!r}, "
                f"pin={'****' if self.pin else ''!r})")

    def fill(self, c: Any) -> None:
        lib.lkr_code_init(c)
        try:
            c.slot = self.slot
            c.kind = int(self.kind)
            c.weekdays = self.weekdays
            c.day_start_min = self.day_start_min
            c.day_end_min = self.day_end_min
            c.valid_from_s = self.valid_from_s
            c.valid_until_s = self.valid_until_s
        except OverflowError as exc:
            raise InvalidArgument(lib.LKR_E_INVAL, f"code: {exc}") from None
        _put_text(c, "name", self.name)
        _put_text(c, "pin", self.pin)

    def to_c(self) -> Any:
        c = ffi.new("lkr_code *")
        self.fill(c)
        return c

    @classmethod
    def from_c(cls, c: Any) -> "Code":
        kind: Any = c.kind
        try:
            kind = CodeKind(kind)
        except ValueError:
            pass
        return cls(slot=c.slot, kind=kind, pin=_get_text(c, "pin"), name=_get_text(c, "name"),
                   weekdays=c.weekdays, day_start_min=c.day_start_min,
                   day_end_min=c.day_end_min, valid_from_s=c.valid_from_s,
                   valid_until_s=c.valid_until_s)


@dataclass
class CodeTable:
    """What ``Transport.read_codes`` returns: the lock's code table."""

    codes: List[Code]
    pins_readable: bool = True
    has_checksum: bool = False
    checksum: int = 0
    total: Optional[int] = None


def ecosystems_mask(ecosystems: Iterable[Any]) -> int:
    mask = 0
    for e in ecosystems:
        mask |= 1 << int(Ecosystem.coerce(e))
    return mask
