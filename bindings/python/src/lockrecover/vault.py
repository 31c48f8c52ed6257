"""The code vault: verified backups of a lock's access codes."""
from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Callable, List, Optional, Tuple, Type, Union

from ._call import CallGuard, guarded
from ._lockrecover import ffi, lib
from .enums import CodeKind, SlotState
from .errors import InvalidArgument, StateError, check, field_error
from .model import Code
from .transport import Transport, invoke

__all__ = ["Vault", "VaultInfo", "CodeInfo", "RandomSource"]


@dataclass(frozen=True)
class VaultInfo:
    """The vault's summary (``lkr_vault_info``)."""

    count: int
    """Codes held."""
    verified: bool
    """The last verification found every code on the lock."""
    missing: int
    """Codes the last verification or restore found missing or different."""
    digest: bytes
    """HMAC-SHA-256 of the lock's identity and codes under the vault's own
    random key: a fingerprint, safe to show (no PIN can be tested against it)."""


@dataclass(frozen=True)
class CodeInfo:
    """One code's public facts (``lkr_code_info``): never its PIN."""

    slot: int
    """The lock's slot number."""
    kind: Union[CodeKind, int]
    """Admin, master, user or temporary."""
    has_pin: bool
    """Whether the vault holds the PIN (false when the lock cannot read PINs)."""
    state: Union[SlotState, int]
    """What the last verification or restore found in the slot."""
    name: str
    """The code's label."""


RandomSource = Callable[[int], bytes]
"""A random source for :class:`Vault`: called with a length, returns that many
bytes from a cryptographically secure source."""


class _RandomCall:
    """What one ``lkr_vault_new_ex`` call's random callback needs."""

    def __init__(self, source: RandomSource) -> None:
        self.source = source
        self.error: Optional[BaseException] = None


@ffi.def_extern()
def _lkrpy_random(ctx: Any, buf: Any, length: int) -> int:
    call: _RandomCall = ffi.from_handle(ctx)
    try:
        data = call.source(int(length))
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"random({length}) returned {type(data).__name__}, not bytes")
        data = bytes(data)
        if len(data) != length:
            raise ValueError(f"random({length}) returned {len(data)} bytes")
        ffi.memmove(buf, data, length)
        return int(lib.LKR_OK)
    except BaseException as exc:  # noqa: B036 - carried across C, re-raised after
        call.error = exc
        return int(lib.LKR_E_TRANSPORT)


def _transport_of(obj: Any) -> Transport:
    t = getattr(obj, "transport", obj)
    if not isinstance(t, Transport):
        raise TypeError(f"transport: expected a Transport (or a SimulatedLock), "
                        f"got {type(obj).__name__}")
    return t


class Vault:
    """A code vault (``lkr_vault``). Codes stay inside it; they leave only
    sealed by the transport's ``seal``. Operations that talk to the lock use
    @p transport given here or per call.

    Threads: as for :class:`~lockrecover.Session`, calls are serialised by
    the vault's lock, which a session's calls also take while the vault is
    attached; a callback that uses the vault whose call runs it gets
    :class:`~lockrecover.ReentrancyError`.

    The vault keys its digest with 32 bytes drawn once from the system's
    random source, or from @p random when given: ``random(n)`` returns
    ``n`` bytes from a cryptographically secure source (a platform's own
    generator, a hardware one). Only a test may pass a predictable source:
    it makes the digest brute-forceable. What ``random`` raises is raised
    here; bytes of the wrong length or type raise as well."""

    def __init__(self, transport: Optional[Any] = None, *,
                 random: Optional[RandomSource] = None) -> None:
        self._v: Any = None
        self._guard = CallGuard("vault")
        self._transport = _transport_of(transport) if transport is not None else None
        self._sessions: List[Any] = []
        out = ffi.new("lkr_vault **")
        if random is None:
            check(lib.lkr_vault_new(ffi.NULL, out), "lkr_vault_new")
        else:
            if not callable(random):
                raise TypeError(f"random: expected a callable, got {type(random).__name__}")
            call = _RandomCall(random)
            handle = ffi.new_handle(call)
            config = ffi.new("lkr_vault_config *")
            lib.lkr_vault_config_init(config)
            config.random = lib._lkrpy_random
            config.random_ctx = handle
            st = lib.lkr_vault_new_ex(config, out)
            if call.error is not None:
                raise call.error
            check(st, "lkr_vault_new_ex")
        self._v = out[0]

    # -- lifetime ---------------------------------------------------------

    def close(self) -> None:
        """Detaches the vault from its sessions, then zeroes and frees it."""
        sessions = list(self._sessions)
        with guarded([self._guard] + [s._guard for s in sessions]):
            if self._v is None:
                return
            for session in sessions:
                session._detach_vault(self)
            lib.lkr_vault_free(self._v)
            self._v = None

    def __enter__(self) -> "Vault":
        return self

    def __exit__(self, et: Optional[Type[BaseException]], ev: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def __del__(self) -> None:
        # Unreachable, so no session holds it (an attached session keeps it alive).
        v = getattr(self, "_v", None)
        if v is not None:
            self._v = None
            lib.lkr_vault_free(v)

    def _ptr(self) -> Any:
        if self._v is None:
            raise StateError(lib.LKR_E_STATE, "the vault is closed")
        return self._v

    def _t(self, transport: Optional[Any]) -> Transport:
        t = _transport_of(transport) if transport is not None else self._transport
        if t is None:
            raise InvalidArgument(lib.LKR_E_INVAL, "this vault operation needs a transport")
        return t

    # -- operations -------------------------------------------------------

    def _run(self, transport: Optional[Transport], fn: Any, *args: Any) -> int:
        """``fn(vault, [c transport], *args)`` under the locks; status unchecked."""
        def run() -> int:
            if transport is None:
                return int(fn(self._ptr(), *args))
            return int(fn(self._ptr(), transport._c_transport(), *args))
        return invoke([self._guard], [transport], run)

    def backup(self, transport: Optional[Any] = None) -> None:
        """Reads the lock's codes twice and keeps them only when both agree."""
        t = self._t(transport)
        check(self._run(t, lib.lkr_vault_backup), "lkr_vault_backup")

    def record(self, code: Code) -> None:
        """Write-through capture of a code the host sets on the lock."""
        if not isinstance(code, Code):
            raise TypeError(f"code: expected a Code, got {type(code).__name__}")
        check(self._run(None, lib.lkr_vault_record, code._to_c()), "lkr_vault_record")

    def verify(self, transport: Optional[Any] = None) -> int:
        """Checks the lock against the vault; returns how many codes are
        missing or different (0: every code is there)."""
        return self._compare(lib.lkr_vault_verify, "lkr_vault_verify", transport)

    def restore(self, transport: Optional[Any] = None) -> int:
        """Writes back every missing code and reads it back; returns how many
        are still missing (0: every code is on the lock)."""
        return self._compare(lib.lkr_vault_restore, "lkr_vault_restore", transport)

    def restore_slot(self, slot: int, transport: Optional[Any] = None) -> bool:
        """Writes back the vault's code for @p slot alone (a code the lock
        rejects, say) and reads the lock back: ``True`` when it reads back
        equal, ``False`` when the write failed or it reads back different.
        The PIN never leaves the library. Raises :class:`NotFound` when the
        vault holds no code in that slot, :class:`StateError` for an empty
        vault."""
        if isinstance(slot, bool) or not isinstance(slot, int):
            raise TypeError(f"slot: expected an int, got {type(slot).__name__}")
        if not 0 <= slot < 2**32:
            raise field_error("slot", f"0..2**32-1, not {slot}")
        t = self._t(transport)
        st = self._run(t, lib.lkr_vault_restore_slot, slot)
        if st == lib.LKR_E_CORRUPT:
            return False
        check(st, "lkr_vault_restore_slot")
        return True

    def _compare(self, fn: Any, what: str, transport: Optional[Any]) -> int:
        t = self._t(transport)
        missing = ffi.new("uint32_t *")
        st = self._run(t, fn, missing)
        if st == lib.LKR_E_CORRUPT:
            return int(missing[0])
        check(st, what)
        return int(missing[0])

    def export_sealed(self, transport: Optional[Any] = None) -> bytes:
        """The vault, sealed by the transport's ``seal``."""
        t = self._t(transport)
        needed = ffi.new("size_t *")
        st = self._run(t, lib.lkr_vault_export_sealed, ffi.NULL, 0, needed)
        if st != lib.LKR_E_BUFFER:
            check(st, "lkr_vault_export_sealed")
        buf = ffi.new("unsigned char[]", max(int(needed[0]), 1))
        st = self._run(t, lib.lkr_vault_export_sealed, buf, len(buf), needed)
        check(st, "lkr_vault_export_sealed")
        return bytes(ffi.buffer(buf, int(needed[0])))

    def import_sealed(self, blob: bytes, transport: Optional[Any] = None) -> None:
        """Replaces the content with a sealed export (checked; refused if damaged)."""
        t = self._t(transport)
        if not isinstance(blob, (bytes, bytearray, memoryview)):
            raise TypeError(f"blob: expected bytes, got {type(blob).__name__}")
        data = bytes(blob)
        buf = ffi.from_buffer(data) if data else ffi.new("char[1]")
        st = self._run(t, lib.lkr_vault_import_sealed, buf, len(data))
        check(st, "lkr_vault_import_sealed")

    def status(self) -> VaultInfo:
        """The vault's summary."""
        info = ffi.new("lkr_vault_info *")
        info.struct_size = ffi.sizeof("lkr_vault_info")
        check(self._run(None, lib.lkr_vault_status, info), "lkr_vault_status")
        return VaultInfo(count=int(info.count), verified=bool(info.verified),
                         missing=int(info.missing), digest=bytes(info.digest))

    def codes(self) -> List[CodeInfo]:
        """Every code's public facts, in slot order."""
        out = []
        for i in range(self.status().count):
            ci = ffi.new("lkr_code_info *")
            ci.struct_size = ffi.sizeof("lkr_code_info")
            check(self._run(None, lib.lkr_vault_code, i, ci), "lkr_vault_code")
            kind: Union[CodeKind, int]
            state: Union[SlotState, int]
            try:
                kind = CodeKind(ci.kind)
            except ValueError:
                kind = int(ci.kind)
            try:
                state = SlotState(ci.state)
            except ValueError:
                state = int(ci.state)
            out.append(CodeInfo(slot=int(ci.slot), kind=kind, has_pin=bool(ci.has_pin),
                                state=state, name=ffi.string(ci.name).decode("utf-8", "replace")))
        return out

    def __len__(self) -> int:
        """The number of codes held."""
        return self.status().count
