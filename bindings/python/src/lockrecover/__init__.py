"""Python bindings of liblockrecover: get smart locks back after they go
silent or offline, without losing the access codes stored in them.

>>> from lockrecover import classify, Protocol, AppStatus
>>> d = classify(protocol=Protocol.ZWAVE, keypad_lights=True,
...              app_status=AppStatus.UNAVAILABLE)
>>> d.symptom
'app_no_response'
"""
from __future__ import annotations

from ._lockrecover import ffi as _ffi
from ._lockrecover import lib as _lib
from .actions import Action, HistoryEntry, SessionInfo, Waiver
from .enums import (ActionKind, AppStatus, Cause, Chemistry, CodeKind, CodeState, Ecosystem,
                    Guard, Ladder, LogLevel, Outcome, Phase, Protocol, Question, SlotState, State,
                    Status, Step, Symptom, Tier, UpdateState, WaiveKind, WifiSecurity)
from .errors import (DataError, GuardError, InvalidArgument, LockRecoverError, NotFound,
                     NotSupported, OutOfMemory, StateError, TransportError, status_name,
                     strerror)
from .model import Code, CodeTable, Diagnosis, Observations, ProbeResult, Profile, classify
from .session import Session
from .sim import HAVE_SIM, SimResult, SimStats, SimulatedLock
from .transport import Transport
from .vault import CodeInfo, Vault, VaultInfo

__version__ = "1.0.0"


def library_version() -> str:
    """The version of the liblockrecover actually loaded, e.g. ``"1.0.0"``."""
    return _ffi.string(_lib.lkr_version_string()).decode("ascii")


__all__ = [
    "Action", "ActionKind", "AppStatus", "Cause", "Chemistry", "Code", "CodeInfo", "CodeKind",
    "CodeState", "CodeTable", "DataError", "Diagnosis", "Ecosystem", "Guard", "GuardError",
    "HAVE_SIM", "HistoryEntry", "InvalidArgument", "Ladder", "LockRecoverError", "LogLevel",
    "NotFound", "NotSupported", "Observations", "Outcome", "OutOfMemory", "Phase",
    "ProbeResult", "Profile", "Protocol", "Question", "Session", "SessionInfo", "SimResult",
    "SimStats", "SimulatedLock", "SlotState", "State", "StateError", "Status", "Step",
    "Symptom", "Tier", "Transport", "TransportError", "UpdateState", "Vault", "VaultInfo",
    "Waiver", "WaiveKind", "WifiSecurity", "classify", "library_version", "status_name",
    "strerror",
]
