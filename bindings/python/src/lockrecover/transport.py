"""The host's side of a recovery: subclass :class:`Transport` and override
the callbacks the host supports. ``now_ms`` is required; every other method
is wired into the C transport only when a subclass overrides it.

Callbacks are ``extern "Python"`` functions (no libffi closures); the C
``ctx`` carries a handle to the transport. An exception raised inside a
callback never crosses C: it is caught, stored, the callback returns an
error status to the library (``now_ms`` returns the last time it gave), and
the exception is re-raised, with its traceback, as soon as the library call
that triggered it returns.
"""
from __future__ import annotations

from typing import Any, List, Optional, Union

from ._lockrecover import ffi, lib
from .actions import Action
from .enums import LogLevel, Status, Step
from .errors import InvalidArgument
from .model import Code, CodeTable, ProbeResult

__all__ = ["Transport", "CallbackResult"]

CallbackResult = Optional[Union[Status, int]]

_CALLBACKS = ("probe", "run_step", "prompt", "log", "read_codes", "write_code", "seal",
              "unseal")


class _Bridge:
    """The C side of one transport: the lkr_transport struct, the handle its
    ctx holds, and the exception a callback left behind."""

    def __init__(self, owner: "Transport") -> None:
        self.owner = owner
        self.error: Optional[BaseException] = None
        self.last_ms = 0
        self.handle = ffi.new_handle(self)
        t = ffi.new("lkr_transport *")
        lib.lkr_transport_init(t)
        t.ctx = self.handle
        cls = type(owner)
        if cls.now_ms is Transport.now_ms:
            raise InvalidArgument(lib.LKR_E_INVAL,
                                  f"{cls.__name__} must override Transport.now_ms")
        t.now_ms = lib._lkrpy_now_ms
        for name in _CALLBACKS:
            if getattr(cls, name) is not getattr(Transport, name):
                setattr(t, name, getattr(lib, "_lkrpy_" + name))
        self.c = t

    def store(self, exc: BaseException) -> None:
        # The first exception wins: later ones are usually consequences.
        if self.error is None:
            self.error = exc

    def reraise(self) -> None:
        exc = self.error
        if exc is not None:
            self.error = None
            raise exc


class Transport:
    """Base class of a host transport. Override ``now_ms`` and whichever
    callbacks the host supports; the others stay NULL (a person does that
    part). A callback returns ``None`` or ``Status.OK`` when done,
    ``Status.PENDING`` when it will report later through the session,
    ``Status.E_UNSUPPORTED`` to hand the work to a person, or another error
    status when it failed. It must not call back into the same session."""

    def now_ms(self) -> int:
        """Required: a monotonic clock in milliseconds."""
        raise NotImplementedError

    def probe(self) -> Union[ProbeResult, Status, int]:
        """Is the lock reachable and what does it report? A :class:`ProbeResult`,
        or ``Status.PENDING`` (then ``Session.probe_done``) or an error status."""
        raise NotImplementedError

    def run_step(self, step: Step) -> CallbackResult:
        """Perform an automatable step, its timed phase included."""
        raise NotImplementedError

    def prompt(self, action: Action) -> None:
        """Show the person what to do now (the action ``Session.next`` returns)."""
        raise NotImplementedError

    def log(self, level: LogLevel, message: str) -> None:
        """One log line (never an access code)."""
        raise NotImplementedError

    def read_codes(self) -> Union[CodeTable, List[Code], Status, int]:
        """The lock's code table (for the vault)."""
        raise NotImplementedError

    def write_code(self, code: Code) -> CallbackResult:
        """Write one code to the lock (for restores)."""
        raise NotImplementedError

    def seal(self, clear: bytes) -> Union[bytes, Status, int]:
        """Encrypt and authenticate @p clear with the platform keystore."""
        raise NotImplementedError

    def unseal(self, sealed: bytes) -> Union[bytes, Status, int]:
        """Reverse :meth:`seal`; return ``Status.E_CORRUPT`` when authentication fails."""
        raise NotImplementedError

    # -- the binding's side -------------------------------------------------

    def _bridge(self) -> _Bridge:
        bridge = self.__dict__.get("_lkrpy_bridge")
        if bridge is None:
            bridge = _Bridge(self)
            self.__dict__["_lkrpy_bridge"] = bridge
        return bridge

    def _c_transport(self) -> Any:
        """The ``lkr_transport *`` handed to the library."""
        return self._bridge().c

    def _reraise(self) -> None:
        """Re-raises an exception a callback stored during the last C call."""
        self._bridge().reraise()

    def _keepalive(self) -> Any:
        return self._bridge()


def _status(value: Any) -> int:
    if value is None:
        return lib.LKR_OK
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a transport callback returned {value!r}, not a status")
    if not -2**31 <= int(value) < 2**31:
        raise TypeError(f"a transport callback returned {value!r}, not a status")
    return int(value)


def _bridge_of(ctx: Any) -> _Bridge:
    return ffi.from_handle(ctx)  # type: ignore[no-any-return]


@ffi.def_extern()
def _lkrpy_now_ms(ctx):  # type: ignore[no-untyped-def]
    b = _bridge_of(ctx)
    try:
        ms = b.owner.now_ms()
        if isinstance(ms, bool) or not isinstance(ms, int):
            raise TypeError(f"now_ms() returned {ms!r}, not an int")
        if not 0 <= ms < 2**64:
            raise ValueError(f"now_ms() returned {ms}, outside 0..2**64-1")
        b.last_ms = ms
        return ms
    except BaseException as exc:  # noqa: B036 - carried across C, re-raised after
        b.store(exc)
        return b.last_ms


@ffi.def_extern()
def _lkrpy_probe(ctx, out):  # type: ignore[no-untyped-def]
    b = _bridge_of(ctx)
    try:
        result = b.owner.probe()
        if isinstance(result, ProbeResult):
            result.fill(out)
            return lib.LKR_OK
        return _status(result)
    except BaseException as exc:
        b.store(exc)
        return lib.LKR_E_TRANSPORT


@ffi.def_extern()
def _lkrpy_run_step(ctx, step):  # type: ignore[no-untyped-def]
    b = _bridge_of(ctx)
    try:
        try:
            s: Union[Step, int] = Step(step)
        except ValueError:
            s = int(step)
        return _status(b.owner.run_step(s))
    except BaseException as exc:
        b.store(exc)
        return lib.LKR_E_TRANSPORT


@ffi.def_extern()
def _lkrpy_prompt(ctx, action):  # type: ignore[no-untyped-def]
    b = _bridge_of(ctx)
    try:
        b.owner.prompt(Action.from_c(action))
    except BaseException as exc:
        b.store(exc)


@ffi.def_extern()
def _lkrpy_log(ctx, level, message):  # type: ignore[no-untyped-def]
    b = _bridge_of(ctx)
    try:
        try:
            lvl: Union[LogLevel, int] = LogLevel(level)
        except ValueError:
            lvl = int(level)
        text = "" if message == ffi.NULL else ffi.string(message).decode("utf-8", "replace")
        b.owner.log(lvl, text)
    except BaseException as exc:
        b.store(exc)


@ffi.def_extern()
def _lkrpy_read_codes(ctx, codes, capacity, info):  # type: ignore[no-untyped-def]
    b = _bridge_of(ctx)
    try:
        result = b.owner.read_codes()
        if isinstance(result, list):
            result = CodeTable(result, pins_readable=all(c.pin for c in result))
        if not isinstance(result, CodeTable):
            return _status(result)
        n = min(len(result.codes), capacity)
        for i in range(n):
            result.codes[i].fill(codes + i)
        info.count = n
        info.total = len(result.codes) if result.total is None else result.total
        info.pins_readable = 1 if result.pins_readable else 0
        info.has_checksum = 1 if result.has_checksum else 0
        info.checksum = result.checksum
        return lib.LKR_OK
    except BaseException as exc:
        b.store(exc)
        return lib.LKR_E_TRANSPORT


@ffi.def_extern()
def _lkrpy_write_code(ctx, code):  # type: ignore[no-untyped-def]
    b = _bridge_of(ctx)
    try:
        return _status(b.owner.write_code(Code.from_c(code)))
    except BaseException as exc:
        b.store(exc)
        return lib.LKR_E_TRANSPORT


def _crypt(b: _Bridge, fn: Any, data: Any, length: int, out: Any, cap: int,
           out_len: Any) -> int:
    result = fn(bytes(ffi.buffer(ffi.cast("const char *", data), length)))
    if not isinstance(result, (bytes, bytearray, memoryview)):
        return _status(result)
    result = bytes(result)
    out_len[0] = len(result)
    if out == ffi.NULL or len(result) > cap:
        return lib.LKR_E_BUFFER
    ffi.memmove(out, result, len(result))
    return lib.LKR_OK


@ffi.def_extern()
def _lkrpy_seal(ctx, clear, length, out, cap, out_len):  # type: ignore[no-untyped-def]
    b = _bridge_of(ctx)
    try:
        return _crypt(b, b.owner.seal, clear, length, out, cap, out_len)
    except BaseException as exc:
        b.store(exc)
        return lib.LKR_E_TRANSPORT


@ffi.def_extern()
def _lkrpy_unseal(ctx, sealed, length, out, cap, out_len):  # type: ignore[no-untyped-def]
    b = _bridge_of(ctx)
    try:
        return _crypt(b, b.owner.unseal, sealed, length, out, cap, out_len)
    except BaseException as exc:
        b.store(exc)
        return lib.LKR_E_TRANSPORT
