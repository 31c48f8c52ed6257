"""The code vault: verified backups of a lock's access codes."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional, Union

from ._lockrecover import ffi, lib
from .enums import CodeKind, SlotState
from .errors import InvalidArgument, StateError, check
from .model import Code
from .transport import Transport

__all__ = ["Vault", "VaultInfo", "CodeInfo"]


@dataclass(frozen=True)
class VaultInfo:
    """The vault's summary (``lkr_vault_info``)."""

    count: int
    verified: bool
    missing: int
    digest: bytes


@dataclass(frozen=True)
class CodeInfo:
    """One code's public facts (``lkr_code_info``): never its PIN."""

    slot: int
    kind: Union[CodeKind, int]
    has_pin: bool
    state: Union[SlotState, int]
    name: str


def _transport_of(obj: Any) -> Transport:
    t = getattr(obj, "transport", obj)
    if not isinstance(t, Transport):
        raise TypeError(f"expected a Transport (or a SimulatedLock), got {type(obj).__name__}")
    return t


class Vault:
    """A code vault (``lkr_vault``). Codes stay inside it; they leave only
    sealed by the transport's ``seal``. Operations that talk to the lock use
    @p transport given here or per call."""

    def __init__(self, transport: Optional[Any] = None) -> None:
        out = ffi.new("lkr_vault **")
        check(lib.lkr_vault_new(ffi.NULL, out), "lkr_vault_new")
        self._v: Any = out[0]
        self._transport = _transport_of(transport) if transport is not None else None
        self._sessions: List[Any] = []

    # -- lifetime ---------------------------------------------------------

    def close(self) -> None:
        """Detaches the vault from its sessions, then zeroes and frees it."""
        if self._v is None:
            return
        for session in list(self._sessions):
            session._detach_vault(self)
        lib.lkr_vault_free(self._v)
        self._v = None

    def __enter__(self) -> "Vault":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            if getattr(self, "_v", None) is not None and not self._sessions:
                lib.lkr_vault_free(self._v)
                self._v = None
        except Exception:
            pass

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

    def backup(self, transport: Optional[Any] = None) -> None:
        """Reads the lock's codes twice and keeps them only when both agree."""
        t = self._t(transport)
        st = lib.lkr_vault_backup(self._ptr(), t._c_transport())
        t._reraise()
        check(st, "lkr_vault_backup")

    def record(self, code: Code) -> None:
        """Write-through capture of a code the host sets on the lock."""
        check(lib.lkr_vault_record(self._ptr(), code.to_c()), "lkr_vault_record")

    def verify(self, transport: Optional[Any] = None) -> int:
        """Checks the lock against the vault; returns how many codes are
        missing or different (0: every code is there)."""
        return self._compare(lib.lkr_vault_verify, "lkr_vault_verify", transport)

    def restore(self, transport: Optional[Any] = None) -> int:
        """Writes back every missing code and reads it back; returns how many
        are still missing (0: every code is on the lock)."""
        return self._compare(lib.lkr_vault_restore, "lkr_vault_restore", transport)

    def _compare(self, fn: Any, what: str, transport: Optional[Any]) -> int:
        t = self._t(transport)
        missing = ffi.new("uint32_t *")
        st = fn(self._ptr(), t._c_transport(), missing)
        t._reraise()
        if st == lib.LKR_E_CORRUPT:
            return int(missing[0])
        check(st, what)
        return int(missing[0])

    def export_sealed(self, transport: Optional[Any] = None) -> bytes:
        """The vault, sealed by the transport's ``seal``."""
        t = self._t(transport)
        needed = ffi.new("size_t *")
        st = lib.lkr_vault_export_sealed(self._ptr(), t._c_transport(), ffi.NULL, 0, needed)
        t._reraise()
        if st != lib.LKR_E_BUFFER:
            check(st, "lkr_vault_export_sealed")
        buf = ffi.new("unsigned char[]", max(int(needed[0]), 1))
        st = lib.lkr_vault_export_sealed(self._ptr(), t._c_transport(), buf, len(buf), needed)
        t._reraise()
        check(st, "lkr_vault_export_sealed")
        return bytes(ffi.buffer(buf, needed[0]))

    def import_sealed(self, blob: bytes, transport: Optional[Any] = None) -> None:
        """Replaces the content with a sealed export (checked; refused if damaged)."""
        t = self._t(transport)
        data = bytes(blob)
        buf = ffi.from_buffer(data) if data else ffi.new("char[1]")
        st = lib.lkr_vault_import_sealed(self._ptr(), t._c_transport(), buf, len(data))
        t._reraise()
        check(st, "lkr_vault_import_sealed")

    def status(self) -> VaultInfo:
        info = ffi.new("lkr_vault_info *")
        info.struct_size = ffi.sizeof("lkr_vault_info")
        check(lib.lkr_vault_status(self._ptr(), info), "lkr_vault_status")
        return VaultInfo(count=int(info.count), verified=bool(info.verified),
                         missing=int(info.missing), digest=bytes(info.digest))

    def codes(self) -> List[CodeInfo]:
        """Every code's public facts, in slot order."""
        out = []
        for i in range(self.status().count):
            ci = ffi.new("lkr_code_info *")
            ci.struct_size = ffi.sizeof("lkr_code_info")
            check(lib.lkr_vault_code(self._ptr(), i, ci), "lkr_vault_code")
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
        return self.status().count
