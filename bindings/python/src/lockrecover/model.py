"""The lock model (profile, observations), the classifier, and the small
records the transport exchanges (probe results, codes). ``None`` always
means "unknown"."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import (Any, Callable, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple,
                    Union)

from ._lockrecover import ffi, lib
from .enums import (AppStatus, Cause, Chemistry, CodeKind, CodeState, Ecosystem, Evidence,
                    PreflightItem, Protocol, Step, Symptom, Tier, Triage, UpdateState,
                    WifiSecurity)
from .errors import check, error_for, field_error

__all__ = [
    "Profile", "Observations", "Diagnosis", "ProbeResult", "Code", "CodeTable", "Overrides",
    "PreflightResult", "TriState", "classify", "preflight", "step_applies", "likelihood",
]

TriState = Optional[bool]
"""``True``, ``False`` or ``None`` (unknown)."""


def _tri_in(value: TriState, name: str) -> int:
    if value is None:
        return lib.LKR_UNKNOWN
    if value is True or value is False:
        return lib.LKR_YES if value else lib.LKR_NO
    raise field_error(name, f"True, False or None, not {value!r}")


def _tri_out(value: int) -> TriState:
    if value == lib.LKR_YES:
        return True
    if value == lib.LKR_NO:
        return False
    return None


def _num_in(value: Optional[int], name: str, unknown: int, lo: int, hi: int) -> int:
    """@p value checked against lo..hi (``None``: @p unknown)."""
    if value is None:
        return unknown
    if isinstance(value, bool) or not isinstance(value, int):
        raise field_error(name, f"an int in {lo}..{hi} or None, not {value!r}")
    if not lo <= value <= hi:
        raise field_error(name, f"{value} is outside {lo}..{hi}")
    return int(value)


def _put_text(cstruct: Any, name: str, value: Optional[str], owner: str = "") -> None:
    field = f"{owner}.{name}" if owner else name
    if value is not None and not isinstance(value, str):
        raise field_error(field, f"a str, not {type(value).__name__}")
    data = (value or "").encode("utf-8")
    cap = len(getattr(cstruct, name))
    if b"\0" in data:
        raise field_error(field, "contains NUL")
    if len(data) >= cap:
        raise field_error(field, f"{len(data)} bytes of UTF-8, at most {cap - 1}")
    setattr(cstruct, name, data)


def _get_text(cstruct: Any, name: str) -> str:
    return ffi.string(getattr(cstruct, name)).decode("utf-8", "replace")


def _enum_in(cls: Any, value: Any, name: str) -> int:
    if value is None:
        return 0
    try:
        return int(cls.coerce(value)) if hasattr(cls, "coerce") else int(cls(value))
    except (ValueError, TypeError, LookupError):
        raise field_error(name, f"not a {cls.__name__}: {value!r}") from None


def _enum_out(cls: Any, value: int) -> Any:
    if value == 0:
        return None
    try:
        return cls(value)
    except ValueError:
        return int(value)


def _blame(fields: Iterable[str], fresh: Callable[[], Any],
           validate: Callable[[Any], int], full: Any) -> Optional[str]:
    """Which field of @p full the C validator rejects: each field alone,
    copied into a fresh default struct, validated on its own."""
    for name in fields:
        probe = fresh()
        setattr(probe, name, getattr(full, name))
        if validate(probe) != lib.LKR_OK:
            return name
    return None


@dataclass
class Profile:
    """What the lock is (``lkr_profile``). Only ``protocol`` is required."""

    protocol: Union[Protocol, int, str]
    """How the lock talks (a member, its value or its sid such as ``"zwave"``)."""
    ecosystems: FrozenSet[Ecosystem] = frozenset()
    """Ecosystems the lock is paired with."""
    battery_chemistry: Optional[Chemistry] = None
    """The cells fitted (``None``: unknown)."""
    battery_cells: Optional[int] = None
    """Number of cells, 1..16."""
    warranty_months: Optional[int] = None
    """Warranty length from purchase."""
    has_bridge: TriState = None
    """A Wi-Fi bridge or hub is part of the setup."""
    has_keypad: TriState = None
    """The lock has a keypad."""
    has_fingerprint: TriState = None
    """The lock has a fingerprint reader."""
    has_key_cylinder: TriState = None
    """The lock takes a physical key."""
    repair_erases_codes: TriState = None
    """Removing and re-adding the lock erases its codes."""
    pins_readable: TriState = None
    """The lock reports PINs back (the vault can back them up)."""
    manufacturer: str = ""
    """Brand (at most LKR_PROFILE_TEXT_MAX - 1 bytes of UTF-8)."""
    model: str = ""
    """Model name."""
    serial: str = ""
    """Serial number."""
    purchase_date: str = ""
    """ISO date, ``YYYY-MM-DD``."""

    _TRI = ("has_bridge", "has_keypad", "has_fingerprint", "has_key_cylinder",
            "repair_erases_codes", "pins_readable")
    _TEXT = ("manufacturer", "model", "serial", "purchase_date")

    def _to_c(self) -> Any:
        """A new validated ``lkr_profile *``."""
        p = ffi.new("lkr_profile *")
        lib.lkr_profile_init(p)
        p.protocol = _enum_in(Protocol, self.protocol, "protocol")
        mask = 0
        if isinstance(self.ecosystems, (str, bytes)) or not isinstance(self.ecosystems,
                                                                       Iterable):
            raise field_error("ecosystems", f"a set of Ecosystem, not {self.ecosystems!r}")
        for e in self.ecosystems:
            mask |= 1 << _enum_in(Ecosystem, e, "ecosystems")
        p.ecosystems = mask & 0xFFFFFFFF
        p.battery_chemistry = _enum_in(Chemistry, self.battery_chemistry, "battery_chemistry")
        p.battery_cells = _num_in(self.battery_cells, "battery_cells", 0, 0, 16)
        p.warranty_months = _num_in(self.warranty_months, "warranty_months", 0, 0, 2**32 - 1)
        for name in self._TRI:
            setattr(p, name, _tri_in(getattr(self, name), name))
        for name in self._TEXT:
            _put_text(p, name, getattr(self, name))
        st = lib.lkr_profile_validate(p)
        if st != lib.LKR_OK:
            def fresh() -> Any:
                q = ffi.new("lkr_profile *")
                lib.lkr_profile_init(q)
                q.protocol = p.protocol
                return q
            bad = _blame([f.name for f in dataclasses.fields(self)], fresh,
                         lib.lkr_profile_validate, p)
            raise error_for(st, f"profile: {bad} is not valid" if bad else "profile",
                            field=bad)
        return p

    @classmethod
    def _from_c(cls, p: Any) -> "Profile":
        ecos = frozenset(e for e in Ecosystem if e != Ecosystem.NONE and p.ecosystems & (1 << e))
        proto: Union[Protocol, int]
        try:
            proto = Protocol(p.protocol)
        except ValueError:
            proto = int(p.protocol)
        values: Dict[str, Any] = {n: _tri_out(getattr(p, n)) for n in cls._TRI}
        values.update({n: _get_text(p, n) for n in cls._TEXT})
        return cls(
            protocol=proto,
            ecosystems=ecos,
            battery_chemistry=_enum_out(Chemistry, p.battery_chemistry),
            battery_cells=p.battery_cells or None,
            warranty_months=p.warranty_months or None,
            **values,
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

    def _to_c(self) -> Any:
        """A new validated ``lkr_observations *``."""
        o = ffi.new("lkr_observations *")
        lib.lkr_observations_init(o)
        for f in dataclasses.fields(self):
            kind = _OBS_KIND[f.name]
            value = getattr(self, f.name)
            if kind == "num":
                lo, hi = _OBS_RANGE[f.name]
                setattr(o, f.name, _num_in(value, f.name, lib.LKR_NUM_UNKNOWN, lo, hi))
            elif kind == "tri":
                setattr(o, f.name, _tri_in(value, f.name))
            elif kind == "text":
                _put_text(o, f.name, value)
            else:
                v = _enum_in(kind, value, f.name)
                if not 0 <= v <= 255:
                    raise field_error(f.name, f"{v} is outside 0..255")
                setattr(o, f.name, v)
        st = lib.lkr_observations_validate(o)
        if st != lib.LKR_OK:
            def fresh() -> Any:
                q = ffi.new("lkr_observations *")
                lib.lkr_observations_init(q)
                return q
            bad = _blame(_OBS_KIND, fresh, lib.lkr_observations_validate, o)
            raise error_for(st, f"observations: {bad} is not valid" if bad else "observations",
                            field=bad)
        return o

    @classmethod
    def _from_c(cls, o: Any) -> "Observations":
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

_OBS_RANGE: Dict[str, Tuple[int, int]] = {
    "update_progress_pct": (0, 100),
    "update_stalled_min": (0, 1_000_000),
    "battery_pct": (0, 100),
    "cell_mv": (0, 5000),
}

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
            raise TypeError("profile: a Profile (or protocol=...) is required")
        profile = Profile(**pkw)
    elif not isinstance(profile, Profile):
        raise TypeError(f"profile: expected a Profile, got {type(profile).__name__}")
    elif pkw:
        profile = dataclasses.replace(profile, **pkw)
    if observations is not None and not isinstance(observations, Observations):
        raise TypeError(f"observations: expected Observations, got "
                        f"{type(observations).__name__}")
    if okw:
        observations = dataclasses.replace(observations or Observations(), **okw)
    return profile, observations


@dataclass(frozen=True)
class Diagnosis:
    """What the classifier (or a session's beliefs) concludes."""

    symptom: Symptom
    """The symptom recognised (``Symptom.UNKNOWN`` when none is)."""
    entry_tier: Tier
    """Where the escalation ladder starts."""
    triage: Triage
    """Triage flags (``Triage.NIMH_CELLS in d.triage``)."""
    causes: List[Tuple[Cause, float]]
    """Candidate causes with their probabilities, most likely first."""
    evidence: FrozenSet[Evidence] = frozenset()
    """The evidence the classifier established."""

    @property
    def top_cause(self) -> Optional[Cause]:
        """The most likely cause, if any."""
        return self.causes[0][0] if self.causes else None

    @classmethod
    def _from_c(cls, d: Any) -> "Diagnosis":
        causes: List[Tuple[Cause, float]] = []
        for i in range(min(d.cause_count, lib.LKR_DIAGNOSIS_MAX_CAUSES)):
            rc = d.causes[i]
            if rc.cause in Cause._value2member_map_:
                causes.append((Cause(rc.cause), float(rc.p)))
        evidence = frozenset(e for e in Evidence
                             if e != Evidence.NONE and d.evidence & (1 << (int(e) - 1)))
        symptom = Symptom(d.symptom) if d.symptom in Symptom._value2member_map_ else Symptom.UNKNOWN
        tier = Tier(d.entry_tier) if d.entry_tier in Tier._value2member_map_ else Tier.NONE
        return cls(symptom=symptom, entry_tier=tier, triage=Triage(int(d.triage)),
                   causes=causes, evidence=evidence)


def new_diagnosis() -> Any:
    """A new ``lkr_diagnosis *`` with its ``struct_size`` set."""
    d = ffi.new("lkr_diagnosis *")
    d.struct_size = ffi.sizeof("lkr_diagnosis")
    return d


def classify(profile: Optional[Profile] = None, observations: Optional[Observations] = None,
             *, overrides: Optional["Overrides"] = None, **facts: Any) -> Diagnosis:
    """Classifies what is observed: ``classify(profile, observations)``, or
    with keyword facts of either, e.g.
    ``classify(protocol=Protocol.ZWAVE, keypad_lights=True, app_status=AppStatus.UNAVAILABLE)``;
    with a vendor's @p overrides (``lkr_classify_ex``) when given.
    """
    profile, observations = split_facts(profile, observations, facts)
    cp = profile._to_c()
    co = (observations or Observations())._to_c()
    d = new_diagnosis()
    if overrides is None:
        check(lib.lkr_classify(cp, co, d), "lkr_classify")
    else:
        if not isinstance(overrides, Overrides):
            raise TypeError(f"overrides: expected Overrides, got {type(overrides).__name__}")
        keep = overrides._to_c()
        check(lib.lkr_classify_ex(cp, co, keep[0], d), "lkr_classify_ex")
    return Diagnosis._from_c(d)


@dataclass
class ProbeResult:
    """What a probe found (``lkr_probe_result``); ``None`` is unknown."""

    reachable: TriState = None
    """The lock answered."""
    keypad_lights: TriState = None
    """The keypad lights up."""
    battery_pct: Optional[int] = None
    """Battery level, 0..100."""
    fw_version: str = ""
    """The firmware version the lock reports."""
    error_code: str = ""
    """An error code the lock or app shows."""

    def _fill(self, r: Any) -> None:
        lib.lkr_probe_result_init(r)
        r.reachable = _tri_in(self.reachable, "ProbeResult.reachable")
        r.keypad_lights = _tri_in(self.keypad_lights, "ProbeResult.keypad_lights")
        r.battery_pct = _num_in(self.battery_pct, "ProbeResult.battery_pct",
                                lib.LKR_NUM_UNKNOWN, 0, 100)
        _put_text(r, "fw_version", self.fw_version, "ProbeResult")
        _put_text(r, "error_code", self.error_code, "ProbeResult")

    def _to_c(self) -> Any:
        r = ffi.new("lkr_probe_result *")
        r.struct_size = ffi.sizeof("lkr_probe_result")
        self._fill(r)
        return r


@dataclass
class Code:
    """One access code (``lkr_code``). ``pin`` may be empty when unreadable."""

    slot: int
    """The lock's slot number."""
    kind: CodeKind = CodeKind.USER
    """Admin, master, user or temporary."""
    pin: str = ""
    """4..12 digits; empty when the lock cannot read it back. A secret: never log it."""
    name: str = ""
    """The code's label."""
    weekdays: int = 0
    """Bit 0 Monday .. bit 6 Sunday; 0 = every day."""
    day_start_min: int = 0
    """Start of the daily window, minutes after midnight."""
    day_end_min: int = 0
    """End of the daily window (0: all day)."""
    valid_from_s: int = 0
    """Unix seconds, 0 = always."""
    valid_until_s: int = 0
    """Unix seconds, 0 = never expires."""

    def __repr__(self) -> str:  # never show a PIN
        return (f"Code(slot={self.slot}, kind={CodeKind(self.kind).name}, name={self.name!r}, "
                f"pin={'****' if self.pin else ''!r})")

    def _fill(self, c: Any) -> None:
        lib.lkr_code_init(c)
        c.slot = _num_in(self.slot, "Code.slot", 0, 0, 2**32 - 1)
        c.kind = _enum_in(CodeKind, self.kind, "Code.kind")
        c.weekdays = _num_in(self.weekdays, "Code.weekdays", 0, 0, 0x7F)
        c.day_start_min = _num_in(self.day_start_min, "Code.day_start_min", 0, 0, 1439)
        c.day_end_min = _num_in(self.day_end_min, "Code.day_end_min", 0, 0, 1440)
        c.valid_from_s = _num_in(self.valid_from_s, "Code.valid_from_s", 0, 0, 2**64 - 1)
        c.valid_until_s = _num_in(self.valid_until_s, "Code.valid_until_s", 0, 0, 2**64 - 1)
        _put_text(c, "name", self.name, "Code")
        _put_text(c, "pin", self.pin, "Code")

    def _to_c(self) -> Any:
        c = ffi.new("lkr_code *")
        self._fill(c)
        return c

    @classmethod
    def _from_c(cls, c: Any) -> "Code":
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
    """The codes read."""
    pins_readable: bool = True
    """The PINs were read back (false for slots only, as on Matter)."""
    has_checksum: bool = False
    """The lock reported a checksum of its code table."""
    checksum: int = 0
    """That checksum."""
    total: Optional[int] = None
    """The codes the lock says it holds (``None``: ``len(codes)``)."""


def ecosystems_mask(ecosystems: Iterable[Any]) -> int:
    """The ``lkr_ecosystem`` bit mask of @p ecosystems."""
    mask = 0
    for e in ecosystems:
        mask |= 1 << int(Ecosystem.coerce(e))
    return mask


@dataclass(frozen=True)
class Overrides:
    """A vendor's numbers instead of the catalog's (``lkr_overrides``):
    priors of causes (thousandths, 0..1000000), likelihoods of evidence under
    a cause (thousandths of neutral: 1000 is neutral, 0 rules the cause out),
    costs of steps (minutes, 1..100000) and steps never to offer. Use with
    :func:`classify`, :class:`~lockrecover.Session` and
    :meth:`~lockrecover.SimulatedLock.run`."""

    priors: Mapping[Cause, int] = field(default_factory=dict)
    """Cause -> prior in thousandths."""
    likelihoods: Mapping[Tuple[Evidence, Cause], int] = field(default_factory=dict)
    """(evidence, cause) -> likelihood in thousandths of neutral."""
    costs: Mapping[Step, int] = field(default_factory=dict)
    """Step -> cost in minutes."""
    disabled_steps: FrozenSet[Step] = frozenset()
    """Steps never to offer (disabling a step never lifts a guard)."""

    def _to_c(self) -> List[Any]:
        """``[lkr_overrides *, arrays...]``: the struct and what keeps its arrays alive."""
        limit = lib.LKR_OVERRIDES_MAX
        for name in ("priors", "likelihoods", "costs", "disabled_steps"):
            n = len(getattr(self, name))
            if n > limit:
                raise field_error(f"overrides.{name}", f"{n} entries, at most {limit}")
        o = ffi.new("lkr_overrides *")
        o.struct_size = ffi.sizeof("lkr_overrides")
        keep: List[Any] = [o]
        if self.priors:
            arr = ffi.new("lkr_weight[]", len(self.priors))
            for i, (cause, value) in enumerate(self.priors.items()):
                arr[i].id = _enum_in(Cause, cause, "overrides.priors")
                arr[i].value = _num_in(value, "overrides.priors", 0, 0, 1_000_000)
            o.priors, o.prior_count = arr, len(self.priors)
            keep.append(arr)
        if self.likelihoods:
            la = ffi.new("lkr_likelihood[]", len(self.likelihoods))
            for i, (key, value) in enumerate(self.likelihoods.items()):
                if not isinstance(key, tuple) or len(key) != 2:
                    raise field_error("overrides.likelihoods",
                                      f"keys are (Evidence, Cause) pairs, not {key!r}")
                la[i].evidence = _enum_in(Evidence, key[0], "overrides.likelihoods")
                la[i].cause = _enum_in(Cause, key[1], "overrides.likelihoods")
                la[i].permille = _num_in(value, "overrides.likelihoods", 0, 0, 1_000_000)
            o.likelihoods, o.likelihood_count = la, len(self.likelihoods)
            keep.append(la)
        if self.costs:
            ca = ffi.new("lkr_weight[]", len(self.costs))
            for i, (step, value) in enumerate(self.costs.items()):
                ca[i].id = _enum_in(Step, step, "overrides.costs")
                ca[i].value = _num_in(value, "overrides.costs", 0, 1, 100_000)
            o.costs, o.cost_count = ca, len(self.costs)
            keep.append(ca)
        if self.disabled_steps:
            da = ffi.new("uint32_t[]", len(self.disabled_steps))
            ids = sorted(_enum_in(Step, s, "overrides.disabled_steps")
                         for s in self.disabled_steps)
            for i, ident in enumerate(ids):
                da[i] = ident
            o.disabled_steps, o.disabled_count = da, len(self.disabled_steps)
            keep.append(da)
        return keep

    def validate(self) -> None:
        """Checks the overrides the way the library will (``lkr_overrides_validate``);
        raises :class:`~lockrecover.InvalidArgument` naming what is wrong."""
        keep = self._to_c()
        check(lib.lkr_overrides_validate(keep[0]), "lkr_overrides_validate")


@dataclass(frozen=True)
class PreflightResult:
    """What :func:`preflight` found."""

    ok: bool
    """Every item of the checklist holds: confirm ``Guard.PREFLIGHT_OK``."""
    unmet: PreflightItem
    """The items not (known to be) met."""


def preflight(profile: Profile, *, battery_pct: Optional[int] = None,
              cells_fresh: TriState = None, key_on_person: TriState = None,
              automations_paused: TriState = None, phone_stays_in_range: TriState = None,
              android: TriState = None, screen_kept_awake: TriState = None) -> PreflightResult:
    """The pre-update checklist (``lkr_preflight``): call it before starting a
    firmware update; unknown facts count as unmet. When it passes, a session
    may be told with ``session.confirm(Guard.PREFLIGHT_OK)``."""
    if not isinstance(profile, Profile):
        raise TypeError(f"profile: expected a Profile, got {type(profile).__name__}")
    cp = profile._to_c()
    inp = ffi.new("lkr_preflight_input *")
    inp.struct_size = ffi.sizeof("lkr_preflight_input")
    inp.battery_pct = _num_in(battery_pct, "battery_pct", lib.LKR_NUM_UNKNOWN, 0, 100)
    inp.cells_fresh = _tri_in(cells_fresh, "cells_fresh")
    inp.key_on_person = _tri_in(key_on_person, "key_on_person")
    inp.automations_paused = _tri_in(automations_paused, "automations_paused")
    inp.phone_stays_in_range = _tri_in(phone_stays_in_range, "phone_stays_in_range")
    inp.android = _tri_in(android, "android")
    inp.screen_kept_awake = _tri_in(screen_kept_awake, "screen_kept_awake")
    unmet = ffi.new("uint32_t *")
    st = lib.lkr_preflight(cp, inp, unmet)
    if st != lib.LKR_E_GUARD:
        check(st, "lkr_preflight")
    return PreflightResult(ok=st == lib.LKR_OK, unmet=PreflightItem(int(unmet[0])))


def step_applies(step: Union[Step, int, str], profile: Profile,
                 observations: Optional[Observations] = None) -> bool:
    """Whether @p step fits this lock and what is observed (``lkr_step_applies``)."""
    s = _enum_in(Step, step, "step")
    if not isinstance(profile, Profile):
        raise TypeError(f"profile: expected a Profile, got {type(profile).__name__}")
    co = (observations if observations is not None else Observations())._to_c()
    out = ffi.new("int *")
    check(lib.lkr_step_applies(s, profile._to_c(), co, out), "lkr_step_applies")
    return bool(out[0])


def likelihood(evidence: Union[Evidence, int, str], cause: Union[Cause, int, str]) -> float:
    """The catalog's likelihood of @p evidence under @p cause, relative to
    neutral (1.0), before any override (``lkr_likelihood_get``)."""
    e = _enum_in(Evidence, evidence, "evidence")
    c = _enum_in(Cause, cause, "cause")
    out = ffi.new("uint32_t *")
    check(lib.lkr_likelihood_get(e, c, out), "lkr_likelihood_get")
    return int(out[0]) / 1000.0
