"""Records a session hands out: actions, history entries, waivers, status."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple, Type, TypeVar, Union

from ._lockrecover import ffi, lib
from .enums import (ActionKind, Guard, Ladder, Outcome, Phase, Question, State, Step,
                    SupportReason, Symptom, Tier, Triage, WaiveKind, guards_from_mask)

__all__ = ["Action", "HistoryEntry", "Waiver", "SessionInfo", "support_reason_names"]

T = TypeVar("T")


def support_reason_names(mask: int) -> List[str]:
    """The names of the LKR_SUPPORT_* bits set in @p mask, as in the JSON
    report (``"ladder_exhausted"``, ...)."""
    return [r.name.lower() for r in SupportReason if r.name and mask & int(r)]


def _as(cls: Type[T], value: int) -> Union[T, int]:
    try:
        return cls(value)  # type: ignore[call-arg]
    except ValueError:
        return int(value)


def _text(p: Any) -> str:
    return "" if p == ffi.NULL else ffi.string(p).decode("utf-8", "replace")


@dataclass(frozen=True)
class Action:
    """What the host should do now (``lkr_action``)."""

    kind: ActionKind
    """What is asked."""
    state: State
    """The session's state."""
    step: Step
    """The step concerned (``Step.NONE`` for none)."""
    tier: Tier
    """The current tier."""
    phase: Phase
    """Which part of the step."""
    question: Question
    """The question, for ``ActionKind.ASK``."""
    unmet_guards: Tuple[Guard, ...]
    """Every unmet guard, for ``ActionKind.BLOCKED``."""
    detail: int
    """Kind-specific bits (support reasons, update-not-applied)."""
    wait_s: int
    """Length of the wait or timed phase, in seconds."""
    wait_until_ms: int
    """``ActionKind.WAIT``: the transport-clock time to come back at."""
    title: str
    """English title (catalog text)."""
    text: str
    """English instructions or question."""
    _c: Any = field(default=None, repr=False, compare=False)

    @property
    def is_final(self) -> bool:
        """Recovered, needs support, or aborted (``lkr_action_is_final``)."""
        return bool(lib.lkr_action_is_final(self._to_c()))

    @property
    def support_reasons(self) -> SupportReason:
        """For NEEDS_SUPPORT: the reasons (empty otherwise)."""
        if self.kind != ActionKind.NEEDS_SUPPORT:
            return SupportReason(0)
        return SupportReason(self.detail & sum(int(r) for r in SupportReason))

    @property
    def update_not_applied(self) -> bool:
        """For RECOVERED: back, but still on the old firmware (the update failed)."""
        return self.kind == ActionKind.RECOVERED and bool(
            self.detail & lib.LKR_DETAIL_UPDATE_NOT_APPLIED)

    @property
    def step_sid(self) -> str:
        """The step's stable id (``""`` for none)."""
        return Step(self.step).sid if self.step else ""

    @classmethod
    def _from_c(cls, a: Any) -> "Action":
        copy = ffi.new("lkr_action *")
        copy[0] = a[0]
        return cls(
            kind=_as(ActionKind, a.kind),  # type: ignore[arg-type]
            state=_as(State, a.state),  # type: ignore[arg-type]
            step=_as(Step, a.step),  # type: ignore[arg-type]
            tier=_as(Tier, a.tier),  # type: ignore[arg-type]
            phase=_as(Phase, a.phase),  # type: ignore[arg-type]
            question=_as(Question, a.question),  # type: ignore[arg-type]
            unmet_guards=guards_from_mask(a.unmet_guards),
            detail=int(a.detail),
            wait_s=int(a.wait_s),
            wait_until_ms=int(a.wait_until_ms),
            title=_text(a.title),
            text=_text(a.text),
            _c=copy,
        )

    def _to_c(self) -> Any:
        # The lkr_action this action came from (or one rebuilt from its fields).
        if self._c is not None:
            return self._c
        a = ffi.new("lkr_action *")
        a.struct_size = ffi.sizeof("lkr_action")
        a.kind, a.state, a.step, a.tier = self.kind, self.state, self.step, self.tier
        a.phase, a.question, a.detail = self.phase, self.question, self.detail
        a.unmet_guards = sum(1 << int(g) for g in self.unmet_guards)
        a.wait_s, a.wait_until_ms = self.wait_s, self.wait_until_ms
        return a


@dataclass(frozen=True)
class HistoryEntry:
    """One step of the history (``lkr_history_entry``)."""

    step: Step
    """The step."""
    tier: Tier
    """Its tier."""
    outcome: Outcome
    """How it ended."""
    by_host: bool
    """The host's transport ran it (not a person)."""
    started_ms: int
    """Transport-clock time it started."""
    ended_ms: Optional[int]
    """Transport-clock time it ended (``None``: still running)."""

    @property
    def sid(self) -> str:
        """The step's stable id."""
        return Step(self.step).sid

    @classmethod
    def _from_c(cls, h: Any) -> "HistoryEntry":
        return cls(step=_as(Step, h.step), tier=_as(Tier, h.tier),  # type: ignore[arg-type]
                   outcome=_as(Outcome, h.outcome),  # type: ignore[arg-type]
                   by_host=bool(h.by_host), started_ms=int(h.started_ms),
                   ended_ms=int(h.ended_ms) if h.ended_ms else None)


@dataclass(frozen=True)
class Waiver:
    """A recorded waiver (``lkr_waiver``)."""

    kind: WaiveKind
    """A tier or a step."""
    id: int
    """The :class:`Tier` or :class:`Step` waived."""
    at_ms: int
    """Transport-clock time of the waiver."""
    reason: str
    """Why, as the person gave it."""

    @classmethod
    def _from_c(cls, w: Any) -> "Waiver":
        kind = _as(WaiveKind, w.kind)
        ident: int = int(w.id)
        if kind == WaiveKind.TIER:
            ident = _as(Tier, ident)
        elif kind == WaiveKind.STEP:
            ident = _as(Step, ident)
        return cls(kind=kind, id=ident, at_ms=int(w.at_ms),  # type: ignore[arg-type]
                   reason=ffi.string(w.reason).decode("utf-8", "replace"))


@dataclass(frozen=True)
class SessionInfo:
    """A snapshot of a session (``lkr_session_info``)."""

    state: State
    """The session's state."""
    ladder: Ladder
    """The ladder climbed."""
    tier: Tier
    """The current tier."""
    symptom: Symptom
    """The symptom recognised."""
    triage: Triage
    """The current triage flags."""
    guards_held: Tuple[Guard, ...]
    """Guards that hold."""
    support_reasons: SupportReason
    """Why the session needs support (empty otherwise)."""
    history_count: int
    """Entries in :meth:`Session.history`."""
    waiver_count: int
    """Entries in :meth:`Session.waivers`."""
    tiers_done: Tuple[Tier, ...]
    """Tiers finished."""
    person_minutes: int
    """The person's estimated time so far."""
    guards_blocked: Tuple[Guard, ...]
    """Guards that blocked a step."""
    codes_missing: int
    """Codes the vault found missing."""
    vault_attached: bool
    """A vault is attached."""
    backup_verified: bool
    """The vault's backup was verified against the lock."""

    @property
    def is_final(self) -> bool:
        """Recovered, needs support or aborted."""
        return self.state in (State.RECOVERED, State.NEEDS_SUPPORT, State.ABORTED)

    @classmethod
    def _from_c(cls, s: Any) -> "SessionInfo":
        return cls(
            state=_as(State, s.state),  # type: ignore[arg-type]
            ladder=_as(Ladder, s.ladder),  # type: ignore[arg-type]
            tier=_as(Tier, s.tier),  # type: ignore[arg-type]
            symptom=_as(Symptom, s.symptom),  # type: ignore[arg-type]
            triage=Triage(int(s.triage)),
            guards_held=guards_from_mask(s.guards_held),
            support_reasons=SupportReason(int(s.support_reasons)),
            history_count=int(s.history_count),
            waiver_count=int(s.waiver_count),
            tiers_done=tuple(t for t in Tier if t != Tier.NONE and s.tiers_done & (1 << int(t))),
            person_minutes=int(s.person_minutes),
            guards_blocked=guards_from_mask(s.guards_blocked),
            codes_missing=int(s.codes_missing),
            vault_attached=bool(s.vault_attached),
            backup_verified=bool(s.backup_verified),
        )
