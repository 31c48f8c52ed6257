"""Person-facing text of the catalog (``lkr_person_text_get``, since 1.1).

What a wizard shows a person: plain words, no string id and no internal term
(tier, guard, waive...). The titles of :class:`~lockrecover.Step` and the
other catalog enums stay the technical English for logs and support; this is
the text for the screen, by the same ids.

>>> from lockrecover import person_text, Guard
>>> person_text(Guard.DOOR_OPEN).title.endswith("?")
True
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Optional, Tuple, Union

from ._lockrecover import ffi, lib
from .enums import Cause, Guard, Question, Step, Symptom, Tier
from .errors import check, field_error

__all__ = ["TextKind", "PersonChoice", "PersonText", "person_text"]


class TextKind(IntEnum):
    """What a :class:`PersonText` describes (``lkr_text_kind``)."""

    STEP = 1
    GUARD = 2
    CAUSE = 3
    QUESTION = 4
    TIER = 5
    SYMPTOM = 6


_KIND_OF = {Step: TextKind.STEP, Guard: TextKind.GUARD, Cause: TextKind.CAUSE,
            Question: TextKind.QUESTION, Tier: TextKind.TIER, Symptom: TextKind.SYMPTOM}

Entry = Union[Step, Guard, Cause, Question, Tier, Symptom]
"""A catalog entry :func:`person_text` accepts."""


@dataclass(frozen=True)
class PersonChoice:
    """One answer a person may pick for a question (``lkr_person_choice``)."""

    label: str
    """What the person reads."""
    value: int
    """The value to pass to :meth:`~lockrecover.Session.answer`."""


@dataclass(frozen=True)
class PersonText:
    """The person-facing text of one catalog entry (``lkr_person_text``).
    Fields the kind does not use are ``None`` (``choices`` empty)."""

    kind: TextKind
    """What it describes."""
    id: int
    """The entry's id within its kind."""
    title: str
    """Step: what to do, one line. Guard: a yes/no question to the person.
    Cause: a plain name. Question: the question. Tier: the stage's plain
    name. Symptom: what it looks like."""
    text: Optional[str]
    """Step: how to do it (for a timed step, its first part). Guard: how to
    make it hold. Cause, tier: one sentence. Question: a hint."""
    resume: Optional[str]
    """Step with a timed part: what to do when the time is up."""
    cannot: Optional[str]
    """Step: the next best route for a person who cannot do it. Guard: why
    the step is left out when it cannot hold."""
    watch: Optional[str]
    """Step or cause: what to keep an eye on once the lock is back."""
    remains: Optional[str]
    """Step: what is still wrong when this step brought the lock back."""
    choices: Tuple[PersonChoice, ...]
    """Question: its answers, in display order."""

    @property
    def entry(self) -> Union[Entry, int]:
        """The catalog entry as this binding's enum member (the bare id for a
        value this binding does not know)."""
        for cls, kind in _KIND_OF.items():
            if kind is self.kind:
                try:
                    return cls(self.id)
                except ValueError:
                    return self.id
        return self.id


def _str(p: Any) -> Optional[str]:
    return None if p == ffi.NULL else ffi.string(p).decode("utf-8", "replace")


def person_text(entry: Union[Entry, TextKind, int], id: Optional[int] = None) -> PersonText:
    """The person-facing text of @p entry: a member of :class:`Step`,
    :class:`Guard`, :class:`Cause`, :class:`Question`, :class:`Tier` or
    :class:`Symptom`, or a :class:`TextKind` with the id as @p id.

    Raises :class:`InvalidArgument` for an unknown id (``LKR_E_RANGE``) or
    kind, :class:`NotSupported` in a library built without text."""
    if id is None:
        kind: Any = _KIND_OF.get(type(entry))  # type: ignore[arg-type]
        if kind is None:
            raise TypeError(f"entry: expected a Step, Guard, Cause, Question, Tier or Symptom "
                            f"(or a TextKind and an id), got {type(entry).__name__}")
        ident = int(entry)
    else:
        if isinstance(entry, bool) or not isinstance(entry, int):
            raise TypeError(f"kind: expected a TextKind, got {type(entry).__name__}")
        kind = entry
        ident = int(id)
    if not 0 <= ident < 2**32:
        raise field_error("id", f"0..2**32-1, not {ident}")
    out = ffi.new("lkr_person_text *")
    out.struct_size = ffi.sizeof("lkr_person_text")
    check(lib.lkr_person_text_get(int(kind), ident, out), "lkr_person_text_get")
    choices = tuple(PersonChoice(label=_str(out.choices[i].label) or "",
                                 value=int(out.choices[i].value))
                    for i in range(int(out.choice_count)))
    return PersonText(kind=TextKind(int(out.kind)), id=int(out.id), title=_str(out.title) or "",
                      text=_str(out.text), resume=_str(out.resume), cannot=_str(out.cannot),
                      watch=_str(out.watch), remains=_str(out.remains), choices=choices)
