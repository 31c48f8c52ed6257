"""The host's side of a recovery: subclass :class:`Transport` and override
the callbacks the host supports. ``now_ms`` is required; every other method
is wired into the C transport only when a subclass overrides it.

Callbacks are ``extern "Python"`` functions (no libffi closures); the C
``ctx`` carries a handle to the transport. An exception raised inside a
callback never crosses C: it is caught, stored with the library call that
ran the callback (per thread), the callback returns an error status to the
library (``now_ms`` returns the last time it gave), and once that call
returns the first exception is re-raised with its traceback, every later
one chained to it (:func:`lockrecover._call.raise_all`).

Callbacks run synchronously, on the thread that made the library call. One
transport may serve several sessions; if those run on several threads, its
callbacks run concurrently and must protect the transport's own state.
"""
from __future__ import annotations

import inspect
import threading
from typing import Any, Awaitable, Iterable, List, Optional, Union

from ._call import CallGuard, Collector, guarded
from ._lockrecover import ffi, lib
from .actions import Action
from .enums import LogLevel, Status, Step
from .errors import InvalidArgument
from .model import Code, CodeTable, ProbeResult

__all__ = ["Transport", "CallbackResult"]

CallbackResult = Optional[Union[Status, int]]
"""What a callback that does work returns: ``None`` or ``Status.OK`` (done),
``Status.PENDING`` (report later), ``Status.E_UNSUPPORTED`` (a person does
it) or another error status."""

_CALLBACKS = ("probe", "run_step", "prompt", "log", "read_codes", "write_code", "seal",
              "unseal")


class _Bridge:
    """The C side of one transport: the lkr_transport struct, the handle its
    ctx holds, and the exception a callback left behind."""

    def __init__(self, owner: "Transport") -> None:
        self.owner = owner
        self.local = threading.local()
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

    def _stack(self) -> List[Collector]:
        stack: Optional[List[Collector]] = getattr(self.local, "stack", None)
        if stack is None:
            stack = []
            self.local.stack = stack
        return stack

    def push(self, collector: Collector) -> None:
        """Callbacks of this thread report to @p collector until :meth:`pop`."""
        self._stack().append(collector)

    def pop(self) -> None:
        """Ends the innermost :meth:`push`."""
        self._stack().pop()

    def store(self, exc: BaseException) -> None:
        """Keeps @p exc for the library call that ran the callback."""
        stack = self._stack()
        if stack:
            stack[-1].errors.append(exc)


class Transport:
    """Base class of a host transport. Override ``now_ms`` and whichever
    callbacks the host supports; the others stay NULL (a person does that
    part), so what the library may ask of the host is exactly what the
    subclass implements.

    A callback returns ``None`` or ``Status.OK`` when done,
    ``Status.PENDING`` when it will report later through the session,
    ``Status.E_UNSUPPORTED`` to hand the work to a person, or another error
    status when it failed. A callback that calls into the session (or vault)
    whose call runs it gets :class:`~lockrecover.ReentrancyError`."""

    def now_ms(self) -> int:
        """Required: a monotonic clock in milliseconds."""
        raise NotImplementedError

    def probe(self) -> Union[ProbeResult, Status, int, Awaitable[Union[ProbeResult, Status, int]]]:
        """Is the lock reachable and what does it report? A :class:`ProbeResult`,
        or ``Status.PENDING`` (then ``Session.probe_done``) or an error status.
        May be a coroutine function when the session is driven by
        :func:`lockrecover.aio.drive`."""
        raise NotImplementedError

    def run_step(self, step: Step) -> Union[CallbackResult, Awaitable[Any]]:
        """Perform an automatable step, its timed phase included. May be a
        coroutine function (returning ``None``, an ``Outcome`` or a status)
        when the session is driven by :func:`lockrecover.aio.drive`."""
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

    def _bridge(self) -> Optional[_Bridge]:
        bridge: Optional[_Bridge] = self.__dict__.get("_lkrpy_bridge")
        if bridge is None:
            with _BRIDGE_LOCK:
                bridge = self.__dict__.get("_lkrpy_bridge")
                if bridge is None:
                    bridge = _Bridge(self)
                    self.__dict__["_lkrpy_bridge"] = bridge
        return bridge

    def _c_transport(self) -> Any:
        """The ``lkr_transport *`` handed to the library."""
        bridge = self._bridge()
        assert bridge is not None
        return bridge.c

    def _guards(self) -> List[CallGuard]:
        """The guards of the C objects behind this transport (none for a Python one)."""
        return []


_BRIDGE_LOCK = threading.Lock()


def invoke(guards: Iterable[CallGuard], transports: Iterable[Optional[Transport]],
           fn: Any, *args: Any) -> int:
    """Calls the C function @p fn under @p guards (and the transports'),
    collecting what the transports' callbacks raise; raises that once the
    call returned, else returns the status (unchecked)."""
    ts = [t for t in transports if t is not None]
    all_guards = list(guards)
    for t in ts:
        all_guards += t._guards()
    collector = Collector()
    with guarded(all_guards):
        bridges = [b for b in (t._bridge() for t in ts) if b is not None]
        for b in bridges:
            b.push(collector)
        try:
            status = int(fn(*args))
        finally:
            for b in bridges:
                b.pop()
    collector.raise_if_any()
    return status


def _spawn(kind: str, ident: int, coro: Any) -> int:
    """Hands a coroutine callback's work to the asyncio driver; PENDING."""
    from .aio import spawn_hook
    hook = spawn_hook()
    if hook is None:
        coro.close()
        raise TypeError(f"{kind}: a coroutine callback needs the session driven by "
                        "lockrecover.aio.drive")
    hook(kind, ident, coro)
    return int(lib.LKR_PENDING)


def _status(value: Any) -> int:
    if value is None:
        return lib.LKR_OK
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a transport callback returned {value!r}, not a status")
    if not -2**31 <= int(value) < 2**31:
        raise TypeError(f"a transport callback returned {value!r}, not a status")
    return int(value)


def _bridge_of(ctx: Any) -> _Bridge:
    bridge: _Bridge = ffi.from_handle(ctx)
    return bridge


@ffi.def_extern()
def _lkrpy_now_ms(ctx: Any) -> int:
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
def _lkrpy_probe(ctx: Any, out: Any) -> int:
    b = _bridge_of(ctx)
    try:
        result = b.owner.probe()
        if inspect.iscoroutine(result):
            return _spawn("probe", 0, result)
        if isinstance(result, ProbeResult):
            result._fill(out)
            return lib.LKR_OK
        return _status(result)
    except BaseException as exc:
        b.store(exc)
        return lib.LKR_E_TRANSPORT


@ffi.def_extern()
def _lkrpy_run_step(ctx: Any, step: int) -> int:
    b = _bridge_of(ctx)
    try:
        try:
            s: Union[Step, int] = Step(step)
        except ValueError:
            s = int(step)
        result = b.owner.run_step(s)  # type: ignore[arg-type]
        if inspect.iscoroutine(result):
            return _spawn("run_step", int(step), result)
        return _status(result)
    except BaseException as exc:
        b.store(exc)
        return lib.LKR_E_TRANSPORT


@ffi.def_extern()
def _lkrpy_prompt(ctx: Any, action: Any) -> None:
    b = _bridge_of(ctx)
    try:
        b.owner.prompt(Action._from_c(action))
    except BaseException as exc:
        b.store(exc)


@ffi.def_extern()
def _lkrpy_log(ctx: Any, level: int, message: Any) -> None:
    b = _bridge_of(ctx)
    try:
        try:
            lvl: Union[LogLevel, int] = LogLevel(level)
        except ValueError:
            lvl = int(level)
        text = "" if message == ffi.NULL else ffi.string(message).decode("utf-8", "replace")
        b.owner.log(lvl, text)  # type: ignore[arg-type]
    except BaseException as exc:
        b.store(exc)


@ffi.def_extern()
def _lkrpy_read_codes(ctx: Any, codes: Any, capacity: int, info: Any) -> int:
    b = _bridge_of(ctx)
    try:
        result = b.owner.read_codes()
        if isinstance(result, list):
            result = CodeTable(result, pins_readable=all(c.pin for c in result))
        if not isinstance(result, CodeTable):
            return _status(result)
        lib.lkr_code_readout_init(info)
        n = min(len(result.codes), capacity)
        for i in range(n):
            result.codes[i]._fill(codes + i)
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
def _lkrpy_write_code(ctx: Any, code: Any) -> int:
    b = _bridge_of(ctx)
    try:
        return _status(b.owner.write_code(Code._from_c(code)))
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
def _lkrpy_seal(ctx: Any, clear: Any, length: int, out: Any, cap: int, out_len: Any) -> int:
    b = _bridge_of(ctx)
    try:
        return _crypt(b, b.owner.seal, clear, length, out, cap, out_len)
    except BaseException as exc:
        b.store(exc)
        return lib.LKR_E_TRANSPORT


@ffi.def_extern()
def _lkrpy_unseal(ctx: Any, sealed: Any, length: int, out: Any, cap: int,
                  out_len: Any) -> int:
    b = _bridge_of(ctx)
    try:
        return _crypt(b, b.owner.unseal, sealed, length, out, cap, out_len)
    except BaseException as exc:
        b.store(exc)
        return lib.LKR_E_TRANSPORT
