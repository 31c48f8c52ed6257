"""Exceptions mapped from ``lkr_status``: one class per family."""
from __future__ import annotations

from typing import Dict, Optional, Type

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
    before calling it). ``status`` is the ``lkr_status`` value, ``name`` its
    symbolic name; the message is ``lkr_strerror`` plus where it came from."""

    status: int
    name: str

    def __init__(self, status: int, context: Optional[str] = None) -> None:
        self.status = int(status)
        self.name = status_name(self.status)
        self.context = context
        message = strerror(self.status)
        if context:
            message = f"{message} ({context})"
        super().__init__(message)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (type(self), (self.status, self.context))


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
}


def error_for(status: int, context: Optional[str] = None) -> LockRecoverError:
    """The exception for an error status (unknown negative values give the base class)."""
    return _FAMILIES.get(int(status), LockRecoverError)(status, context)


def check(status: int, context: Optional[str] = None) -> int:
    """Raises for a negative status; returns ``LKR_OK`` or ``LKR_PENDING`` as a value."""
    if status < 0:
        raise error_for(status, context)
    return status
