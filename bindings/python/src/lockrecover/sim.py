"""The lock simulator (``lkr_sim``): a misbehaving lock on demand.

Its transport is the C simulator's own (``lkr_sim_transport``): the session
calls the C callbacks directly, no Python in between. The simulator is
compiled into every build of this package.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Iterable, List, Optional, Type, Union

from ._call import CallGuard, guarded
from ._lockrecover import ffi, lib
from .actions import Action
from .enums import ActionKind, Cause, Chemistry, Ecosystem, Protocol
from .errors import StateError, check, field_error
from .model import Observations, Overrides, Profile, _tri_in
from .transport import Transport, invoke

__all__ = ["SimulatedLock", "SimStats", "SimResult"]


@dataclass(frozen=True)
class SimStats:
    """What a simulated lock has counted (``lkr_sim_stats``)."""

    faults_left: int
    """Injected causes not fixed yet."""
    steps_performed: int
    """Steps performed on the lock (by the host or the simulated person)."""
    destructive_acts: int
    """Steps that destroyed codes or pairings."""
    unsafe_steps: int
    """Steps performed while their guards did not hold (always 0 for the engine)."""
    codes_before: int
    """Codes on the lock at the start."""
    codes_now: int
    """Codes on the lock now."""
    codes_lost: int
    """Codes lost and not restored."""
    person_minutes: int
    """The person's time spent, in minutes."""
    clock_ms: int
    """The simulated clock."""

    @classmethod
    def _from_c(cls, s: Any) -> "SimStats":
        return cls(faults_left=int(s.faults_left), steps_performed=int(s.steps_performed),
                   destructive_acts=int(s.destructive_acts), unsafe_steps=int(s.unsafe_steps),
                   codes_before=int(s.codes_before), codes_now=int(s.codes_now),
                   codes_lost=int(s.codes_lost), person_minutes=int(s.person_minutes),
                   clock_ms=int(s.clock_ms))


@dataclass(frozen=True)
class SimResult:
    """How a whole simulated recovery ended (``lkr_sim_result``)."""

    final: Union[ActionKind, int]
    """The final action's kind."""
    actions: int
    """Actions the session handed out."""
    stats: SimStats
    """What the lock counted."""

    @property
    def recovered(self) -> bool:
        """The lock came back."""
        return self.final == ActionKind.RECOVERED

    @property
    def needs_support(self) -> bool:
        """The recovery ended with a hand-over to support."""
        return self.final == ActionKind.NEEDS_SUPPORT


class _SimTransport(Transport):
    """The simulator's C transport, wrapped so a Session or Vault can use it."""

    def __init__(self, lock: "SimulatedLock") -> None:
        self._lock = lock  # the C ctx is the lock: keep it alive
        t = ffi.new("lkr_transport *")
        check(lib.lkr_sim_transport(lock._ptr(), t), "lkr_sim_transport")
        self._t = t

    def now_ms(self) -> int:
        """The simulated clock."""
        with guarded([self._lock._guard]):
            self._lock._ptr()
            return int(self._t.now_ms(self._t.ctx))

    def _bridge(self) -> None:
        return None

    def _c_transport(self) -> Any:
        self._lock._ptr()
        return self._t

    def _guards(self) -> List[CallGuard]:
        return [self._lock._guard]


class SimulatedLock:
    """A simulated lock with injected root causes::

        lock = SimulatedLock(Protocol.ZWAVE, [Cause.HUB_SESSION_MISMATCH], seed=7)
        result = lock.run()          # a whole recovery, the simulator playing the person
        assert result.recovered

    or drive a session yourself with ``lock.transport``, ``lock.profile()``,
    ``lock.observations()`` and ``lock.respond(session, action)``.
    """

    def __init__(self, protocol: Union[Protocol, int, str],
                 causes: Iterable[Union[Cause, int, str]], *,
                 ecosystems: Iterable[Union[Ecosystem, int, str]] = (),
                 seed: int = 1,
                 battery_chemistry: Optional[Union[Chemistry, int, str]] = None,
                 battery_pct: Optional[int] = None,
                 code_count: Optional[int] = None,
                 probe: bool = True,
                 run_steps: bool = True,
                 codes: bool = True,
                 drop_on_restore: bool = False,
                 flaky_read: bool = False,
                 person_refuses: bool = False,
                 partial_facts: bool = False,
                 drawn_answers: bool = False,
                 has_bridge: Optional[bool] = None,
                 has_keypad: Optional[bool] = None,
                 repair_erases_codes: Optional[bool] = None) -> None:
        self._sim: Any = None
        self._guard = CallGuard("simulated lock")
        cfg = ffi.new("lkr_sim_config *")
        lib.lkr_sim_config_init(cfg)
        cfg.protocol = int(Protocol.coerce(protocol))
        mask = 0
        for e in ecosystems:
            mask |= 1 << int(Ecosystem.coerce(e))
        cfg.ecosystems = mask
        if battery_chemistry is not None:
            cfg.battery_chemistry = int(Chemistry.coerce(battery_chemistry))
        if battery_pct is not None:
            if isinstance(battery_pct, bool) or not isinstance(battery_pct, int) \
                    or not 0 <= battery_pct <= 100:
                raise field_error("battery_pct", f"0..100, not {battery_pct!r}")
            cfg.battery_pct = battery_pct
        cause_list = [int(Cause.coerce(c)) for c in causes]
        if not 1 <= len(cause_list) <= lib.LKR_SIM_MAX_CAUSES:
            raise field_error("causes",
                              f"1..{lib.LKR_SIM_MAX_CAUSES} causes, not {len(cause_list)}")
        cfg.cause_count = len(cause_list)
        for i, c in enumerate(cause_list):
            cfg.causes[i] = c
        if code_count is not None:
            if isinstance(code_count, bool) or not isinstance(code_count, int) \
                    or not 0 <= code_count <= lib.LKR_VAULT_MAX_CODES:
                raise field_error("code_count",
                                  f"0..{lib.LKR_VAULT_MAX_CODES}, not {code_count!r}")
            cfg.code_count = code_count
        flags = 0
        for on, name in ((probe, "PROBE"), (run_steps, "RUN_STEPS"), (codes, "CODES"),
                         (drop_on_restore, "DROP_ON_RESTORE"), (flaky_read, "FLAKY_READ"),
                         (person_refuses, "PERSON_REFUSES"), (partial_facts, "PARTIAL_FACTS"),
                         (drawn_answers, "DRAWN_ANSWERS")):
            if on:
                flags |= getattr(lib, "LKR_SIM_F_" + name)
        cfg.flags = flags
        if has_bridge is not None:
            cfg.has_bridge = _tri_in(has_bridge, "has_bridge")
        if has_keypad is not None:
            cfg.has_keypad = _tri_in(has_keypad, "has_keypad")
        if repair_erases_codes is not None:
            cfg.repair_erases_codes = _tri_in(repair_erases_codes, "repair_erases_codes")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise field_error("seed", f"0..2**64-1, not {seed!r}")
        cfg.seed = seed
        out = ffi.new("lkr_sim **")
        check(lib.lkr_sim_new(cfg, ffi.NULL, out), "lkr_sim_new")
        self._sim = out[0]
        self._transport = _SimTransport(self)

    def close(self) -> None:
        """Frees the simulated lock; sessions that use it must be closed first."""
        with guarded([self._guard]):
            if self._sim is not None:
                lib.lkr_sim_free(self._sim)
                self._sim = None

    def __enter__(self) -> "SimulatedLock":
        return self

    def __exit__(self, et: Optional[Type[BaseException]], ev: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __del__(self) -> None:
        sim = getattr(self, "_sim", None)
        if sim is not None:
            self._sim = None
            lib.lkr_sim_free(sim)

    def _ptr(self) -> Any:
        if self._sim is None:
            raise StateError(lib.LKR_E_STATE, "the simulated lock is closed")
        return self._sim

    @property
    def transport(self) -> Transport:
        """The lock's transport (the C simulator's callbacks)."""
        return self._transport

    def profile(self) -> Profile:
        """The lock's profile, as its owner would describe it."""
        p = ffi.new("lkr_profile *")
        check(invoke([self._guard], [], lambda: lib.lkr_sim_profile(self._ptr(), p)),
              "lkr_sim_profile")
        return Profile._from_c(p)

    def observations(self) -> Observations:
        """What a person sees at the start."""
        o = ffi.new("lkr_observations *")
        check(invoke([self._guard], [], lambda: lib.lkr_sim_observations(self._ptr(), o)),
              "lkr_sim_observations")
        return Observations._from_c(o)

    def respond(self, session: Any, action: Action) -> None:
        """Plays the person for one action of @p session (a
        :class:`~lockrecover.Session`)."""
        if not isinstance(action, Action):
            raise TypeError(f"action: expected an Action, got {type(action).__name__}")
        guards = [self._guard] + session._guards()
        st = invoke(guards, [session.transport],
                    lambda: lib.lkr_sim_respond(self._ptr(), session._ptr(), action._to_c()))
        check(st, "lkr_sim_respond")

    def run(self, max_actions: int = 0, overrides: Optional[Overrides] = None) -> SimResult:
        """A whole recovery of this lock, the simulator playing the person
        (at most @p max_actions actions; 0: the library's default), with a
        vendor's @p overrides if given."""
        if isinstance(max_actions, bool) or not isinstance(max_actions, int) \
                or not 0 <= max_actions < 2**32:
            raise field_error("max_actions", f"0..2**32-1, not {max_actions!r}")
        r = ffi.new("lkr_sim_result *")
        r.struct_size = ffi.sizeof("lkr_sim_result")
        r.stats.struct_size = ffi.sizeof("lkr_sim_stats")
        if overrides is not None and not isinstance(overrides, Overrides):
            raise TypeError(f"overrides: expected Overrides, got {type(overrides).__name__}")
        keep = overrides._to_c() if overrides is not None else [ffi.NULL]
        ov = keep[0]
        st = invoke([self._guard], [],
                    lambda: lib.lkr_sim_run(self._ptr(), ov, max_actions, r))
        check(st, "lkr_sim_run")
        final: Union[ActionKind, int]
        try:
            final = ActionKind(r.final_kind)
        except ValueError:
            final = int(r.final_kind)
        return SimResult(final=final, actions=int(r.actions), stats=SimStats._from_c(r.stats))

    def stats(self) -> SimStats:
        """What the lock counted so far."""
        s = ffi.new("lkr_sim_stats *")
        s.struct_size = ffi.sizeof("lkr_sim_stats")
        check(invoke([self._guard], [], lambda: lib.lkr_sim_stats_get(self._ptr(), s)),
              "lkr_sim_stats_get")
        return SimStats._from_c(s)
