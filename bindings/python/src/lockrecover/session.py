"""Recovery sessions: the escalation engine, as a context manager."""
from __future__ import annotations

import dataclasses
import json
from types import TracebackType
from typing import Any, Dict, List, Optional, Tuple, Type, TypeVar, Union

from ._call import CallGuard, guarded
from ._lockrecover import ffi, lib
from .actions import Action, HistoryEntry, SessionInfo, Waiver
from .enums import Guard, Outcome, Question, Status, Step, Tier, WaiveKind
from .errors import InvalidArgument, LockRecoverError, StateError, check, field_error
from .model import (Diagnosis, Observations, Overrides, ProbeResult, Profile, new_diagnosis,
                    split_facts)
from .transport import Transport, invoke
from .vault import Vault

__all__ = ["Session"]

E = TypeVar("E")


def _enum(cls: Type[E], value: Any, what: str) -> E:
    """A member of @p cls from a member, an int, a string id or a member name."""
    coerce = getattr(cls, "coerce", None)
    try:
        if coerce is not None:
            member: E = coerce(value)
            return member
        if isinstance(value, str):
            named: E = cls[value.upper()]  # type: ignore[index]
            return named
        return cls(int(value))  # type: ignore[call-arg]
    except (KeyError, ValueError, TypeError) as exc:
        if isinstance(exc, LockRecoverError):
            raise
        raise InvalidArgument(lib.LKR_E_INVAL, f"{what}: not a {cls.__name__}: {value!r}",
                              field=what) from None


def _transport_of(obj: Any) -> Transport:
    t = getattr(obj, "transport", obj)
    if not isinstance(t, Transport):
        raise TypeError(f"transport: expected a Transport (or a SimulatedLock), "
                        f"got {type(obj).__name__}")
    return t


class Session:
    """One recovery (``lkr_session``)::

        with Session(profile, observations, transport) as s:
            a = s.next()
            ...

    The profile and observations may also be given as keyword facts
    (``Session(transport=t, protocol=Protocol.BLE, keypad_lights=True)``).
    ``transport`` may be a :class:`Transport` or a ``SimulatedLock``;
    ``overrides`` are a vendor's numbers (:class:`Overrides`).

    Threads: every method may be called from any thread; the calls of one
    session are serialised by its lock (a second thread waits). A transport
    callback that calls into the session whose call runs it, closes it or
    uses its vault gets :class:`~lockrecover.ReentrancyError`; the library
    is never entered twice. ``close()`` from another thread waits for the
    call in progress.
    """

    def __init__(self, profile: Optional[Profile] = None,
                 observations: Optional[Observations] = None,
                 transport: Optional[Any] = None, *,
                 overrides: Optional[Overrides] = None, **facts: Any) -> None:
        self._s: Any = None
        self._vault: Optional[Vault] = None
        self._guard = CallGuard("session")
        if transport is None:
            raise TypeError("transport: Session needs a transport (a Transport subclass "
                            "with now_ms, or a SimulatedLock)")
        self._transport = _transport_of(transport)
        self._owner = transport  # keeps a SimulatedLock alive as long as the session
        profile, observations = split_facts(profile, observations, facts)
        cp = profile._to_c()
        co = observations._to_c() if observations is not None else ffi.NULL
        cfg = ffi.new("lkr_session_config *")
        lib.lkr_session_config_init(cfg)
        cfg.profile = cp
        cfg.observations = co
        keep = None
        if overrides is not None:
            if not isinstance(overrides, Overrides):
                raise TypeError(f"overrides: expected Overrides, got {type(overrides).__name__}")
            keep = overrides._to_c()
            cfg.overrides = keep[0]
        out = ffi.new("lkr_session **")
        st = invoke([], [self._transport], lib.lkr_session_new, cfg,
                    self._transport._c_transport(), out)
        check(st, "lkr_session_new")
        self._s = out[0]
        del keep  # the library copied the overrides

    @classmethod
    def load(cls, blob: bytes, transport: Any) -> "Session":
        """A session from what :meth:`save` wrote; it makes the same decisions
        (its overrides came with it)."""
        self = cls.__new__(cls)
        self._s = None
        self._vault = None
        self._guard = CallGuard("session")
        self._transport = _transport_of(transport)
        self._owner = transport
        if not isinstance(blob, (bytes, bytearray, memoryview)):
            raise TypeError(f"blob: expected bytes, got {type(blob).__name__}")
        data = bytes(blob)
        cfg = ffi.new("lkr_session_config *")
        lib.lkr_session_config_init(cfg)
        out = ffi.new("lkr_session **")
        buf = ffi.from_buffer(data) if data else ffi.new("char[1]")
        st = invoke([], [self._transport], lib.lkr_session_load, cfg,
                    self._transport._c_transport(), buf, len(data), out)
        check(st, "lkr_session_load")
        self._s = out[0]
        return self

    # -- lifetime ---------------------------------------------------------

    def close(self) -> None:
        """Frees the session (zeroed first); waits for a call another thread
        has in progress. Later calls raise :class:`StateError`."""
        guards = [self._guard] + ([self._vault._guard] if self._vault is not None else [])
        with guarded(guards + self._transport._guards()):
            if self._s is not None:
                lib.lkr_session_free(self._s)
                self._s = None
            if self._vault is not None:
                self._detach_vault(self._vault, free_only=True)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, et: Optional[Type[BaseException]], ev: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __del__(self) -> None:
        # Unreachable: no call can be in progress (a call holds a reference).
        s = getattr(self, "_s", None)
        if s is not None:
            self._s = None
            lib.lkr_session_free(s)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran."""
        return self._s is None

    @property
    def transport(self) -> Transport:
        """The transport the session calls (a SimulatedLock's own for a simulator)."""
        return self._transport

    def _ptr(self) -> Any:
        if self._s is None:
            raise StateError(lib.LKR_E_STATE, "the session is closed")
        return self._s

    def _guards(self) -> List[CallGuard]:
        """The guards a call of this session takes (its own, its vault's)."""
        vault = self._vault
        return [self._guard] + ([vault._guard] if vault is not None else [])

    def _raw(self, fn: Any, *args: Any) -> int:
        """Calls ``fn(session, *args)`` under the locks; the status unchecked."""
        def run(*a: Any) -> int:
            return int(fn(self._ptr(), *a))
        return invoke(self._guards(), [self._transport], run, *args)

    def _call(self, what: str, fn: Any, *args: Any) -> int:
        return check(self._raw(fn, *args), what)

    # -- driving ----------------------------------------------------------

    def next(self) -> Action:
        """What the host should do now (the same action until an input moves it)."""
        a = ffi.new("lkr_action *")
        a.struct_size = ffi.sizeof("lkr_action")
        self._call("lkr_session_next", lib.lkr_session_next, a)
        return Action._from_c(a)

    def report(self, step: Union[Step, int, str], outcome: Union[Outcome, int, str]) -> None:
        """Reports the outcome of the step the current action names."""
        s = _enum(Step, step, "step")
        o = _enum(Outcome, outcome, "outcome")
        self._call("lkr_session_report", lib.lkr_session_report, int(s), int(o))

    def answer(self, question: Union[Question, int, str],
               value: Union[bool, int, str, None]) -> None:
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
            raise field_error("value", f"True, False, None or an int, not {value!r}")
        if not -2**31 <= v < 2**31:
            raise field_error("value", f"{value!r} is outside the 32-bit range")
        self._call("lkr_session_answer", lib.lkr_session_answer, int(q), v)

    def observe(self, observations: Optional[Observations] = None, **facts: Any) -> None:
        """Adds facts at any time (known fields replace the session's)."""
        obs = observations or Observations()
        if facts:
            unknown = set(facts) - {f.name for f in dataclasses.fields(Observations)}
            if unknown:
                raise TypeError(f"unknown observation(s): {', '.join(sorted(unknown))}")
            obs = dataclasses.replace(obs, **facts)
        self._call("lkr_session_observe", lib.lkr_session_observe, obs._to_c())

    def tick(self) -> bool:
        """Re-reads the clock: True when no wait runs (or it is over), False while it runs."""
        return self._call("lkr_session_tick", lib.lkr_session_tick) == lib.LKR_OK

    def probe_done(self, result: Optional[ProbeResult],
                   status: Union[Status, int] = Status.OK) -> None:
        """Completes a probe that returned ``Status.PENDING``: @p result with
        ``Status.OK``, or ``None`` with the error status it ended with."""
        r = result._to_c() if result is not None else ffi.NULL
        st = _enum(Status, status, "status")
        self._call("lkr_session_probe_done", lib.lkr_session_probe_done, int(st), r)

    def confirm(self, guard: Union[Guard, int, str], holds: bool = True) -> None:
        """The person confirms (or withdraws) a guard only a person can know
        (``Guard.PREFLIGHT_OK`` after :func:`~lockrecover.preflight` passed)."""
        g = _enum(Guard, guard, "guard")
        self._call("lkr_session_confirm", lib.lkr_session_confirm, int(g), 1 if holds else 0)

    def waive(self, kind: Union[WaiveKind, int, str], id: Union[Tier, Step, int, str],
              reason: str) -> None:
        """Skips a tier or a step, recording why (1..47 printable characters)."""
        k = _enum(WaiveKind, kind, "kind")
        ident = _enum(Tier, id, "id") if k == WaiveKind.TIER else _enum(Step, id, "id")
        if not isinstance(reason, str):
            raise TypeError(f"reason: expected str, got {type(reason).__name__}")
        data = reason.encode("utf-8")
        limit = lib.LKR_REASON_MAX - 1
        if not 1 <= len(data) <= limit or b"\0" in data:
            raise field_error("reason", f"1..{limit} bytes without NUL, not {len(data)}")
        self._call("lkr_session_waive", lib.lkr_session_waive, int(k), int(ident), data)

    def abort(self) -> None:
        """Stops the recovery for good."""
        self._call("lkr_session_abort", lib.lkr_session_abort)

    # -- reading ----------------------------------------------------------

    def status(self) -> SessionInfo:
        """A snapshot of the session (state, tier, guards held, ...)."""
        info = ffi.new("lkr_session_info *")
        info.struct_size = ffi.sizeof("lkr_session_info")
        self._call("lkr_session_status", lib.lkr_session_status, info)
        return SessionInfo._from_c(info)

    def beliefs(self) -> Diagnosis:
        """The diagnosis with causes ranked by the posterior after every outcome."""
        d = new_diagnosis()
        self._call("lkr_session_beliefs", lib.lkr_session_beliefs, d)
        return Diagnosis._from_c(d)

    def _list(self, what: str, fn: Any, ctype: str, count_field: str) -> List[Any]:
        """Every entry @p fn returns, read in one locked call."""
        def run(s: Any) -> Tuple[int, List[Any]]:
            info = ffi.new("lkr_session_info *")
            info.struct_size = ffi.sizeof("lkr_session_info")
            st = int(lib.lkr_session_status(s, info))
            entries: List[Any] = []
            for i in range(int(getattr(info, count_field)) if st == lib.LKR_OK else 0):
                e = ffi.new(ctype + " *")
                e.struct_size = ffi.sizeof(ctype)
                st = int(fn(s, i, e))
                if st != lib.LKR_OK:
                    break
                entries.append(e)
            return st, entries
        out: List[Tuple[int, List[Any]]] = []
        self._raw(lambda s: _keep(out, run(s)))
        st, entries = out[0]
        check(st, what)
        return entries

    def history(self) -> List[HistoryEntry]:
        """Every step tried so far, in order."""
        return [HistoryEntry._from_c(h) for h in
                self._list("lkr_session_history", lib.lkr_session_history,
                           "lkr_history_entry", "history_count")]

    def waivers(self) -> List[Waiver]:
        """Every waiver recorded, in order."""
        return [Waiver._from_c(w) for w in
                self._list("lkr_session_waiver", lib.lkr_session_waiver, "lkr_waiver",
                           "waiver_count")]

    def _sized(self, what: str, fn: Any, ctype: str) -> Tuple[Any, int]:
        """Asks @p fn for its size, then fills a buffer, in one locked call."""
        out: List[Tuple[int, Any, int]] = []

        def run(s: Any) -> int:
            needed = ffi.new("size_t *")
            st = int(fn(s, ffi.NULL, 0, needed))
            if st != lib.LKR_E_BUFFER and st < 0:
                out.append((st, None, 0))
                return st
            buf = ffi.new(ctype, max(int(needed[0]), 1))
            st = int(fn(s, buf, len(buf), needed))
            out.append((st, buf, int(needed[0])))
            return st
        self._raw(run)
        st, buf, n = out[0]
        check(st, what)
        return buf, n

    def save(self) -> bytes:
        """A versioned, checksummed blob (no codes, no callbacks)."""
        buf, n = self._sized("lkr_session_save", lib.lkr_session_save, "unsigned char[]")
        return bytes(ffi.buffer(buf, n))

    def report_json(self) -> Dict[str, Any]:
        """The support report, parsed."""
        data: Dict[str, Any] = json.loads(self.report_json_text())
        return data

    def report_json_text(self) -> str:
        """The support report as JSON text (no access code in it)."""
        buf, _ = self._sized("lkr_session_report_json", lib.lkr_session_report_json, "char[]")
        return ffi.string(buf).decode("utf-8")

    def report_text(self) -> str:
        """The support report as plain text for a person."""
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
        if not isinstance(vault, Vault):
            raise TypeError(f"vault: expected a Vault, got {type(vault).__name__}")
        st = invoke(self._guards() + [vault._guard], [self._transport],
                    lambda: lib.lkr_session_attach_vault(self._ptr(), vault._ptr()))
        check(st, "lkr_session_attach_vault")
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
        """The attached vault, if any."""
        return self._vault


def _keep(out: List[Any], value: Tuple[int, List[Any]]) -> int:
    out.append(value)
    return value[0]
