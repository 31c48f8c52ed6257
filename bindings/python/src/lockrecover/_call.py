"""How every C call is made: under the locks of the objects it touches, with
the exceptions its callbacks raise collected and raised once it returns.

The C library is not thread-safe per object and not re-entrant: a session,
a vault or a simulated lock must not be entered twice at the same time. Each
wrapper object owns a :class:`CallGuard`. A call takes the guards of every
object it touches (a session's call also takes its vault's and its simulated
lock's), always in creation order, so two threads never deadlock:

- from another thread, the call waits until the object is free (the calls of
  one object are serialised);
- from the thread that is already inside the object (a transport callback
  calling back into its own session, closing it, or using its vault), it
  raises :class:`~lockrecover.ReentrancyError` instead of entering C;
- from inside any callback, a guard held by another thread is not waited for
  (that could deadlock): it raises :class:`~lockrecover.ReentrancyError`.
"""
from __future__ import annotations

import itertools
import threading
from types import TracebackType
from typing import Iterable, List, Optional, Sequence, Type

from .errors import ReentrancyError

__all__ = ["CallGuard", "Collector", "guarded", "raise_all"]

_ORDER = itertools.count()
_HELD = threading.local()


def _held() -> List["CallGuard"]:
    held: Optional[List[CallGuard]] = getattr(_HELD, "guards", None)
    if held is None:
        held = []
        _HELD.guards = held
    return held


class CallGuard:
    """The lock of one C object, with the thread that holds it."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.order = next(_ORDER)
        self._lock = threading.Lock()
        self.owner: Optional[int] = None


class guarded:
    """Context manager: holds every guard of @p guards for one C call."""

    def __init__(self, guards: Iterable[CallGuard]) -> None:
        self._guards = sorted(set(guards), key=lambda g: g.order)
        self._taken: List[CallGuard] = []

    def __enter__(self) -> "guarded":
        me = threading.get_ident()
        held = _held()
        for g in self._guards:
            if g.owner == me:
                raise ReentrancyError(
                    f"the {g.what} is in a call on this thread: a transport callback must not "
                    f"call into the {g.what} whose call runs it")
        inside = bool(held)
        try:
            for g in self._guards:
                if not g._lock.acquire(blocking=not inside):
                    raise ReentrancyError(
                        f"the {g.what} is in use by another thread, and a callback may not "
                        f"wait for it")
                g.owner = me
                self._taken.append(g)
                held.append(g)
        except BaseException:
            self._release()
            raise
        return self

    def _release(self) -> None:
        held = _held()
        for g in reversed(self._taken):
            g.owner = None
            held.remove(g)
            g._lock.release()
        self._taken = []

    def __exit__(self, et: Optional[Type[BaseException]], ev: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self._release()


class Collector:
    """The exceptions the callbacks of one C call raised, in order."""

    def __init__(self) -> None:
        self.errors: List[BaseException] = []

    def raise_if_any(self) -> None:
        """Raises the first exception with the others chained (see :func:`raise_all`)."""
        if self.errors:
            errors, self.errors = self.errors, []
            raise_all(errors)


def _chain_end(exc: BaseException) -> BaseException:
    seen = {id(exc)}
    while exc.__context__ is not None and id(exc.__context__) not in seen:
        exc = exc.__context__
        seen.add(id(exc))
    return exc


def raise_all(errors: Sequence[BaseException]) -> None:
    """Raises ``errors[0]``; every later one is attached at the end of the
    ``__context__`` chain of the one before, so a traceback shows them all
    (the last raised printed first, as "During handling of the above
    exception, another exception occurred") and none is lost."""
    first = errors[0]
    prev = first
    for exc in errors[1:]:
        if exc is prev or exc is first:
            continue
        end = _chain_end(prev)
        if end is not exc:
            end.__context__ = exc
            end.__suppress_context__ = False
        prev = exc
    raise first
