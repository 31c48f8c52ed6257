"""Python bindings of liblockrecover: get smart locks back after they go
silent or offline, without losing the access codes stored in them.

>>> from lockrecover import classify, Protocol, AppStatus, Symptom
>>> d = classify(protocol=Protocol.ZWAVE, keypad_lights=True,
...              app_status=AppStatus.UNAVAILABLE)
>>> d.symptom is Symptom.LOCAL_OK_APP_OFFLINE
True

The C library is compiled into the package (``lockrecover._lockrecover``):
nothing needs to be installed beside it. Threads: see :class:`Session`;
asyncio: :mod:`lockrecover.aio`.
"""
from __future__ import annotations

from . import aio
from .actions import Action, HistoryEntry, SessionInfo, Waiver
from .catalog import CatalogCounts, catalog_counts, library_version, library_version_number
from .enums import (ActionKind, AppStatus, Cause, Chemistry, CodeKind, CodeState, Ecosystem,
                    Evidence, Guard, Ladder, LogLevel, Outcome, Phase, PreflightItem, Protocol,
                    Question, SlotState, State, Status, Step, SupportReason, Symptom, Tier,
                    Triage, UpdateState, WaiveKind, WifiSecurity)
from .errors import (DataError, GuardError, InvalidArgument, LockRecoverError, NotFound,
                     NotSupported, OutOfMemory, ReentrancyError, ReentrantCall, StateError,
                     TransportError, status_name, strerror)
from .model import (Code, CodeTable, Diagnosis, Observations, Overrides, PreflightResult,
                    ProbeResult, Profile, TriState, classify, likelihood, preflight,
                    step_applies)
from .session import Session
from .sim import SimResult, SimStats, SimulatedLock
from .text import PersonChoice, PersonText, TextKind, person_text
from .transport import CallbackResult, Transport
from .vault import CodeInfo, Vault, VaultInfo

__version__ = "1.2.0"
"""The version of this package (the C library's is :func:`library_version`)."""

__all__ = [
    "Action", "ActionKind", "AppStatus", "CallbackResult", "CatalogCounts", "Cause",
    "Chemistry", "Code", "CodeInfo", "CodeKind", "CodeState", "CodeTable", "DataError",
    "Diagnosis", "Ecosystem", "Evidence", "Guard", "GuardError", "HistoryEntry",
    "InvalidArgument", "Ladder", "LockRecoverError", "LogLevel", "NotFound", "NotSupported",
    "Observations", "Outcome", "OutOfMemory", "Overrides", "PersonChoice", "PersonText", "Phase",
    "PreflightItem",
    "PreflightResult", "ProbeResult", "Profile", "Protocol", "Question", "ReentrancyError",
    "ReentrantCall", "TextKind",
    "Session", "SessionInfo", "SimResult", "SimStats", "SimulatedLock", "SlotState", "State",
    "StateError", "Status", "Step", "SupportReason", "Symptom", "Tier", "Transport",
    "TransportError", "Triage", "TriState", "UpdateState", "Vault", "VaultInfo", "Waiver",
    "WaiveKind", "WifiSecurity", "aio", "catalog_counts", "classify", "library_version",
    "library_version_number", "likelihood", "person_text", "preflight", "status_name", "step_applies",
    "strerror",
]
