"""Exceptions mapped from ``lkr_status``: one class per family."""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Type

from ._lockrecover import ffi, lib

__all__ = [
    "LockRecoverError",
    "InvalidArgument",
    "GuardError",
    "StateError",
    "NotSupported",
    "DataError",
    "TransportError",
    "OutOfMemory",
    "NotFound",
    "ReentrancyError",
    "ReentrantCall",
    "status_name",
    "strerror",
]


def strerror(status: int) -> str:
    """``lkr_strerror``: a short English description of @p status."""
    return ffi.string(lib.lkr_strerror(status)).decode("ascii", "replace")


def status_name(status: int) -> str:
    """``lkr_status_name``: the stable symbolic name, e.g. ``"LKR_E_INVAL"``."""
    return ffi.string(lib.lkr_status_name(status)).decode("ascii", "replace")


class LockRecoverError(Exception):
    """An error status returned by the library (or found by the binding
    before calling it).

    ``status`` is the ``lkr_status`` value, ``name`` its symbolic name,
    ``context`` where it came from (a C function or what the binding
    checked) and ``field`` the argument or struct field at fault, when one
    is (``"battery_pct"``, ``"profile.manufacturer"``). The message is
    ``lkr_strerror`` followed by the context."""

    status: int
    name: str
    context: Optional[str]
    field: Optional[str]

    def __init__(self, status: int, context: Optional[str] = None,
                 field: Optional[str] = None) -> None:
        self.status = int(status)
        self.name = status_name(self.status)
        self.context = context
        self.field = field
        message = strerror(self.status)
        if context:
            message = f"{message} ({context})"
        super().__init__(message)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.status, self.context, self.field))


class InvalidArgument(LockRecoverError, ValueError):
    """LKR_E_INVAL, LKR_E_RANGE: an argument is missing, malformed or out of range."""


class GuardError(LockRecoverError):
    """LKR_E_GUARD: guards do not hold."""


class StateError(LockRecoverError):
    """LKR_E_STATE: not valid in the object's current state."""


class NotSupported(LockRecoverError):
    """LKR_E_UNSUPPORTED: the lock, transport or build cannot do it."""


class DataError(LockRecoverError):
    """LKR_E_CORRUPT, LKR_E_VERSION, LKR_E_TRUNCATED, LKR_E_OVERSIZED: bad input data."""


class TransportError(LockRecoverError):
    """LKR_E_TRANSPORT, LKR_E_PROTOCOL: a transport callback failed or broke its contract."""


class OutOfMemory(LockRecoverError, MemoryError):
    """LKR_E_NOMEM."""


class NotFound(LockRecoverError, LookupError):
    """LKR_E_NOTFOUND: a string id is not in the catalog."""


class ReentrancyError(StateError):
    """A session, vault or simulated lock was entered while a call of the
    same thread was inside it (a transport callback calling into the object
    whose call runs it), or from a callback while another thread held it.
    The library is never entered twice: this is raised instead."""

    def __init__(self, context: Optional[str] = None) -> None:
        super().__init__(lib.LKR_E_STATE, context)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.context,))


class ReentrantCall(ReentrancyError):
    """LKR_E_REENTRANT: the C library itself refused a call a host callback
    made into the session whose call runs it; the session is unchanged.
    Caught as :class:`ReentrancyError` (and :class:`StateError`) like the
    binding's own check, with ``status`` the library's ``LKR_E_REENTRANT``."""

    def __init__(self, status: int = -15, context: Optional[str] = None,
                 field: Optional[str] = None) -> None:
        LockRecoverError.__init__(self, status, context, field)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self.status, self.context, self.field))


def field_error(field: str, message: str) -> InvalidArgument:
    """An :class:`InvalidArgument` for @p field (``LKR_E_INVAL``), its message
    naming the field and the limit it broke."""
    return InvalidArgument(lib.LKR_E_INVAL, f"{field}: {message}", field=field)


_FAMILIES: Dict[int, Type[LockRecoverError]] = {
    lib.LKR_E_INVAL: InvalidArgument,
    lib.LKR_E_RANGE: InvalidArgument,
    lib.LKR_E_GUARD: GuardError,
    lib.LKR_E_STATE: StateError,
    lib.LKR_E_UNSUPPORTED: NotSupported,
    lib.LKR_E_CORRUPT: DataError,
    lib.LKR_E_VERSION: DataError,
    lib.LKR_E_TRUNCATED: DataError,
    lib.LKR_E_OVERSIZED: DataError,
    lib.LKR_E_TRANSPORT: TransportError,
    lib.LKR_E_PROTOCOL: TransportError,
    lib.LKR_E_NOMEM: OutOfMemory,
    lib.LKR_E_NOTFOUND: NotFound,
    lib.LKR_E_REENTRANT: ReentrantCall,
}


def error_for(status: int, context: Optional[str] = None,
              field: Optional[str] = None) -> LockRecoverError:
    """The exception for an error status (unknown negative values give the base class)."""
    return _FAMILIES.get(int(status), LockRecoverError)(status, context, field)


def check(status: int, context: Optional[str] = None, field: Optional[str] = None) -> int:
    """Raises for a negative status; returns ``LKR_OK`` or ``LKR_PENDING`` as a value."""
    if status < 0:
        raise error_for(status, context, field)
    return status
