"""Recovery sessions: the escalation engine, as a context manager."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Type, TypeVar, Union

from ._lockrecover import ffi, lib
from .actions import Action, HistoryEntry, SessionInfo, Waiver
from .enums import Guard, Outcome, Question, Status, Step, Tier, WaiveKind
from .errors import InvalidArgument, LockRecoverError, StateError, check
from .model import Diagnosis, Observations, ProbeResult, Profile, new_diagnosis, split_facts
from .transport import Transport
from .vault import Vault

__all__ = ["Session"]

E = TypeVar("E")


def _enum(cls: Type[E], value: Any, what: str) -> E:
    """A member of @p cls from a member, an int, a string id or a member name."""
    coerce = getattr(cls, "coerce", None)
    try:
        if coerce is not None:
            return coerce(value)  # type: ignore[no-any-return]
        if isinstance(value, str):
            return cls[value.upper()]  # type: ignore[index]
        return cls(int(value))  # type: ignore[call-arg]
    except (KeyError, ValueError, TypeError) as exc:
        if isinstance(exc, LockRecoverError):
            raise
        raise InvalidArgument(lib.LKR_E_INVAL, f"{what}: {value!r}") from None


def _transport_of(obj: Any) -> Transport:
    t = getattr(obj, "transport", obj)
    if not isinstance(t, Transport):
        raise TypeError(f"expected a Transport (or a SimulatedLock), got {type(obj).__name__}")
    return t


class Session:
    """One recovery (``lkr_session``)::

        with Session(profile, observations, transport) as s:
            a = s.next()
            ...

    The profile and observations may also be given as keyword facts
    (``Session(transport=t, protocol=Protocol.BLE, keypad_lights=True)``).
    ``transport`` may be a :class:`Transport` or a ``SimulatedLock``.
    """

    def __init__(self, profile: Optional[Profile] = None,
                 observations: Optional[Observations] = None,
                 transport: Optional[Any] = None, **facts: Any) -> None:
        self._s: Any = None
        self._vault: Optional[Vault] = None
        if transport is None:
            raise TypeError("Session needs a transport (a Transport subclass with now_ms)")
        self._transport = _transport_of(transport)
        self._owner = transport  # keeps a SimulatedLock alive as long as the session
        profile, observations = split_facts(profile, observations, facts)
        cp = profile.to_c()
        co = observations.to_c() if observations is not None else ffi.NULL
        cfg = ffi.new("lkr_session_config *")
        lib.lkr_session_config_init(cfg)
        cfg.profile = cp
        cfg.observations = co
        out = ffi.new("lkr_session **")
        st = lib.lkr_session_new(cfg, self._transport._c_transport(), out)
        self._transport._reraise()
        check(st, "lkr_session_new")
        self._s = out[0]

    @classmethod
    def load(cls, blob: bytes, transport: Any) -> "Session":
        """A session from what :meth:`save` wrote; it makes the same decisions."""
        self = cls.__new__(cls)
        self._s = None
        self._vault = None
        self._transport = _transport_of(transport)
        self._owner = transport
        data = bytes(blob)
        cfg = ffi.new("lkr_session_config *")
        lib.lkr_session_config_init(cfg)
        out = ffi.new("lkr_session **")
        buf = ffi.from_buffer(data) if data else ffi.new("char[1]")
        st = lib.lkr_session_load(cfg, self._transport._c_transport(), buf, len(data), out)
        self._transport._reraise()
        check(st, "lkr_session_load")
        self._s = out[0]
        return self

    # -- lifetime ---------------------------------------------------------

    def close(self) -> None:
        """Frees the session (zeroed first). Later calls raise StateError."""
        if self._s is not None:
            lib.lkr_session_free(self._s)
            self._s = None
        if self._vault is not None:
            self._detach_vault(self._vault, free_only=True)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    @property
    def closed(self) -> bool:
        return self._s is None

    @property
    def transport(self) -> Transport:
        return self._transport

    def _ptr(self) -> Any:
        if self._s is None:
            raise StateError(lib.LKR_E_STATE, "the session is closed")
        return self._s

    def _call(self, what: str, fn: Any, *args: Any) -> int:
        st = fn(self._ptr(), *args)
        self._transport._reraise()
        return check(st, what)

    # -- driving ----------------------------------------------------------

    def next(self) -> Action:
        """What the host should do now (the same action until an input moves it)."""
        a = ffi.new("lkr_action *")
        a.struct_size = ffi.sizeof("lkr_action")
        self._call("lkr_session_next", lib.lkr_session_next, a)
        return Action.from_c(a)

    def report(self, step: Union[Step, int, str], outcome: Union[Outcome, int, str]) -> None:
        """Reports the outcome of the step the current action names."""
        s = _enum(Step, step, "step")
        o = _enum(Outcome, outcome, "outcome")
        self._call("lkr_session_report", lib.lkr_session_report, int(s), int(o))

    def answer(self, question: Union[Question, int, str], value: Any) -> None:
        """Answers the current question. ``True``/``False`` for yes/no,
        an enum member (``UpdateState``, ``AppStatus``, ``CodeState``), a
        number of minutes, or ``None`` for "I don't know". For
        ``Question.FIRMWARE_VERSION`` a string is the version the lock reports."""
        q = _enum(Question, question, "question")
        if q == Question.FIRMWARE_VERSION and isinstance(value, str):
            self.observe(fw_now=value)
            return
        if value is None:
            v = lib.LKR_NUM_UNKNOWN if q == Question.UPDATE_STALLED_MIN else lib.LKR_UNKNOWN
        elif value is True or value is False:
            v = lib.LKR_YES if value else lib.LKR_NO
        elif isinstance(value, int):
            v = int(value)
        else:
            raise InvalidArgument(lib.LKR_E_INVAL, f"answer: {value!r}")
        if not -2**31 <= v < 2**31:
            raise InvalidArgument(lib.LKR_E_INVAL, f"answer: {value!r}")
        self._call("lkr_session_answer", lib.lkr_session_answer, int(q), v)

    def observe(self, observations: Optional[Observations] = None, **facts: Any) -> None:
        """Adds facts at any time (known fields replace the session's)."""
        obs = observations or Observations()
        if facts:
            import dataclasses
            obs = dataclasses.replace(obs, **facts)
        self._call("lkr_session_observe", lib.lkr_session_observe, obs.to_c())

    def tick(self) -> bool:
        """Re-reads the clock: True when no wait runs (or it is over), False while it runs."""
        return self._call("lkr_session_tick", lib.lkr_session_tick) == lib.LKR_OK

    def probe_done(self, result: Optional[ProbeResult],
                   status: Union[Status, int] = Status.OK) -> None:
        """Completes a probe that returned ``Status.PENDING``."""
        r = result.to_c() if result is not None else ffi.NULL
        self._call("lkr_session_probe_done", lib.lkr_session_probe_done, int(status), r)

    def confirm(self, guard: Union[Guard, int, str], holds: bool = True) -> None:
        """The person confirms (or withdraws) a guard only a person can know."""
        g = _enum(Guard, guard, "guard")
        self._call("lkr_session_confirm", lib.lkr_session_confirm, int(g), 1 if holds else 0)

    def waive(self, kind: Union[WaiveKind, int, str], id: Union[Tier, Step, int, str],
              reason: str) -> None:
        """Skips a tier or a step, recording why (1..47 printable characters)."""
        k = _enum(WaiveKind, kind, "waive kind")
        ident = _enum(Tier, id, "tier") if k == WaiveKind.TIER else _enum(Step, id, "step")
        data = reason.encode("utf-8")
        if b"\0" in data:
            raise InvalidArgument(lib.LKR_E_INVAL, "reason contains NUL")
        self._call("lkr_session_waive", lib.lkr_session_waive, int(k), int(ident), data)

    def abort(self) -> None:
        """Stops the recovery for good."""
        self._call("lkr_session_abort", lib.lkr_session_abort)

    # -- reading ----------------------------------------------------------

    def status(self) -> SessionInfo:
        info = ffi.new("lkr_session_info *")
        info.struct_size = ffi.sizeof("lkr_session_info")
        self._call("lkr_session_status", lib.lkr_session_status, info)
        return SessionInfo.from_c(info)

    def beliefs(self) -> Diagnosis:
        """The diagnosis with causes ranked by the posterior after every outcome."""
        d = new_diagnosis()
        self._call("lkr_session_beliefs", lib.lkr_session_beliefs, d)
        return Diagnosis.from_c(d)

    def history(self) -> List[HistoryEntry]:
        out = []
        for i in range(self.status().history_count):
            h = ffi.new("lkr_history_entry *")
            h.struct_size = ffi.sizeof("lkr_history_entry")
            self._call("lkr_session_history", lib.lkr_session_history, i, h)
            out.append(HistoryEntry.from_c(h))
        return out

    def waivers(self) -> List[Waiver]:
        out = []
        for i in range(self.status().waiver_count):
            w = ffi.new("lkr_waiver *")
            w.struct_size = ffi.sizeof("lkr_waiver")
            self._call("lkr_session_waiver", lib.lkr_session_waiver, i, w)
            out.append(Waiver.from_c(w))
        return out

    def _sized(self, what: str, fn: Any, ctype: str) -> Any:
        needed = ffi.new("size_t *")
        st = fn(self._ptr(), ffi.NULL, 0, needed)
        if st != lib.LKR_E_BUFFER:
            check(st, what)
        buf = ffi.new(ctype, max(int(needed[0]), 1))
        check(fn(self._ptr(), buf, len(buf), needed), what)
        return buf, int(needed[0])

    def save(self) -> bytes:
        """A versioned, checksummed blob (no codes, no callbacks)."""
        buf, n = self._sized("lkr_session_save", lib.lkr_session_save, "unsigned char[]")
        return bytes(ffi.buffer(buf, n))

    def report_json(self) -> Dict[str, Any]:
        """The support report, parsed."""
        return json.loads(self.report_json_text())  # type: ignore[no-any-return]

    def report_json_text(self) -> str:
        buf, _ = self._sized("lkr_session_report_json", lib.lkr_session_report_json, "char[]")
        return ffi.string(buf).decode("utf-8")

    def report_text(self) -> str:
        buf, _ = self._sized("lkr_session_report_text", lib.lkr_session_report_text, "char[]")
        return ffi.string(buf).decode("utf-8", "replace")

    # -- the vault --------------------------------------------------------

    def attach_vault(self, vault: Optional[Vault]) -> None:
        """Attaches a code vault (or detaches with None). The session keeps it
        alive; closing the vault detaches it first."""
        if vault is None:
            self._call("lkr_session_attach_vault", lib.lkr_session_attach_vault, ffi.NULL)
            if self._vault is not None:
                self._detach_vault(self._vault, free_only=True)
            return
        self._call("lkr_session_attach_vault", lib.lkr_session_attach_vault, vault._ptr())
        if self._vault is not None and self._vault is not vault:
            self._detach_vault(self._vault, free_only=True)
        self._vault = vault
        if self not in vault._sessions:
            vault._sessions.append(self)

    def _detach_vault(self, vault: Vault, free_only: bool = False) -> None:
        if not free_only and self._s is not None:
            lib.lkr_session_attach_vault(self._s, ffi.NULL)
        if self._vault is vault:
            self._vault = None
        if self in vault._sessions:
            vault._sessions.remove(self)

    @property
    def vault(self) -> Optional[Vault]:
        return self._vault
