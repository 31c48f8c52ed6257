"""Records a session hands out: actions, history entries, waivers, status."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Optional, Tuple, Type, TypeVar, Union

from ._lockrecover import ffi, lib
from .enums import (ActionKind, Guard, Ladder, Outcome, Phase, Question, State, Step, Symptom,
                    Tier, WaiveKind, guards_from_mask)

__all__ = ["Action", "HistoryEntry", "Waiver", "SessionInfo", "support_reason_names"]

T = TypeVar("T")

_SUPPORT_REASONS: Tuple[Tuple[str, str], ...] = (
    ("LKR_SUPPORT_LADDER_EXHAUSTED", "ladder_exhausted"),
    ("LKR_SUPPORT_DEAD_KEYPAD", "dead_keypad"),
    ("LKR_SUPPORT_SAME_ERROR_CODE", "same_error_code"),
    ("LKR_SUPPORT_SEVERAL_PHONES", "several_phones"),
    ("LKR_SUPPORT_AFTER_UPDATE", "after_update"),
    ("LKR_SUPPORT_RESET_REFUSED", "reset_refused"),
    ("LKR_SUPPORT_CODES_MISSING", "codes_missing"),
    ("LKR_SUPPORT_CODES_UNVERIFIED", "codes_unverified"),
)


def support_reason_names(mask: int) -> List[str]:
    """The names of the LKR_SUPPORT_* bits set in @p mask (as in the JSON report)."""
    return [name for const, name in _SUPPORT_REASONS if mask & getattr(lib, const)]


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
    state: State
    step: Step
    tier: Tier
    phase: Phase
    question: Question
    unmet_guards: Tuple[Guard, ...]
    detail: int
    wait_s: int
    wait_until_ms: int
    title: str
    text: str
    _c: Any = field(default=None, repr=False, compare=False)

    @property
    def is_final(self) -> bool:
        """Recovered, needs support, or aborted."""
        return ActionKind(self.kind).is_final

    @property
    def support_reasons(self) -> List[str]:
        """For NEEDS_SUPPORT: the reasons (``ladder_exhausted``, ...)."""
        return support_reason_names(self.detail) if self.kind == ActionKind.NEEDS_SUPPORT else []

    @property
    def update_not_applied(self) -> bool:
        """For RECOVERED: back, but still on the old firmware (the update failed)."""
        return self.kind == ActionKind.RECOVERED and bool(
            self.detail & lib.LKR_DETAIL_UPDATE_NOT_APPLIED)

    @property
    def step_sid(self) -> str:
        return Step(self.step).sid if self.step else ""

    @classmethod
    def from_c(cls, a: Any) -> "Action":
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

    def to_c(self) -> Any:
        """The ``lkr_action *`` this action came from (or one rebuilt from its fields)."""
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
    tier: Tier
    outcome: Outcome
    by_host: bool
    started_ms: int
    ended_ms: Optional[int]

    @property
    def sid(self) -> str:
        return Step(self.step).sid

    @classmethod
    def from_c(cls, h: Any) -> "HistoryEntry":
        return cls(step=_as(Step, h.step), tier=_as(Tier, h.tier),  # type: ignore[arg-type]
                   outcome=_as(Outcome, h.outcome),  # type: ignore[arg-type]
                   by_host=bool(h.by_host), started_ms=int(h.started_ms),
                   ended_ms=int(h.ended_ms) if h.ended_ms else None)


@dataclass(frozen=True)
class Waiver:
    """A recorded waiver (``lkr_waiver``)."""

    kind: WaiveKind
    id: int
    at_ms: int
    reason: str

    @classmethod
    def from_c(cls, w: Any) -> "Waiver":
        kind = _as(WaiveKind, w.kind)
        ident: int = int(w.id)
        if kind == WaiveKind.TIER:
            ident = _as(Tier, ident)  # type: ignore[assignment]
        elif kind == WaiveKind.STEP:
            ident = _as(Step, ident)  # type: ignore[assignment]
        return cls(kind=kind, id=ident, at_ms=int(w.at_ms),  # type: ignore[arg-type]
                   reason=ffi.string(w.reason).decode("utf-8", "replace"))


@dataclass(frozen=True)
class SessionInfo:
    """A snapshot of a session (``lkr_session_info``)."""

    state: State
    ladder: Ladder
    tier: Tier
    symptom: Symptom
    triage: int
    guards_held: Tuple[Guard, ...]
    support_reasons: List[str]
    history_count: int
    waiver_count: int
    tiers_done: Tuple[Tier, ...]
    person_minutes: int
    guards_blocked: Tuple[Guard, ...]
    codes_missing: int
    vault_attached: bool
    backup_verified: bool

    @property
    def is_final(self) -> bool:
        return self.state in (State.RECOVERED, State.NEEDS_SUPPORT, State.ABORTED)

    @classmethod
    def from_c(cls, s: Any) -> "SessionInfo":
        return cls(
            state=_as(State, s.state),  # type: ignore[arg-type]
            ladder=_as(Ladder, s.ladder),  # type: ignore[arg-type]
            tier=_as(Tier, s.tier),  # type: ignore[arg-type]
            symptom=_as(Symptom, s.symptom),  # type: ignore[arg-type]
            triage=int(s.triage),
            guards_held=guards_from_mask(s.guards_held),
            support_reasons=support_reason_names(s.support_reasons),
            history_count=int(s.history_count),
            waiver_count=int(s.waiver_count),
            tiers_done=tuple(t for t in Tier if t != Tier.NONE and s.tiers_done & (1 << int(t))),
            person_minutes=int(s.person_minutes),
            guards_blocked=guards_from_mask(s.guards_blocked),
            codes_missing=int(s.codes_missing),
            vault_attached=bool(s.vault_attached),
            backup_verified=bool(s.backup_verified),
        )
