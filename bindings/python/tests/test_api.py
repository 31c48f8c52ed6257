"""The functions bound for issue-free vendor use: overrides, preflight,
step_applies, likelihoods, catalog counts, the version; the asyncio driver;
every exported C function reachable; every public name documented; the
compiled module's stub current and the package self-contained."""
from __future__ import annotations

import asyncio
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List, Set

import pytest

import lockrecover
from conftest import FakeLock, Person, app_offline_obs, zwave_profile
from lockrecover import (ActionKind, AppStatus, Cause, Evidence, Guard, Outcome, Overrides,
                         PreflightItem, Profile, Protocol, Session, SimulatedLock, Step,
                         Symptom, aio)
from lockrecover._lockrecover import lib

REPO = Path(__file__).resolve().parents[3]
BINDINGS = REPO / "bindings"


def test_overrides_change_the_ranking_and_validate() -> None:
    facts = dict(protocol=Protocol.ZWAVE, keypad_lights=True, app_status=AppStatus.UNAVAILABLE)
    plain = lockrecover.classify(**facts)
    assert plain.top_cause is Cause.HUB_SESSION_MISMATCH
    ov = Overrides(priors={Cause.HUB_SESSION_MISMATCH: 1, Cause.ZWAVE_DEEP_SLEEP: 900_000})
    ov.validate()
    tuned = lockrecover.classify(overrides=ov, **facts)
    assert tuned.top_cause is Cause.ZWAVE_DEEP_SLEEP
    with pytest.raises(lockrecover.InvalidArgument):
        Overrides(priors={Cause.HUB_SESSION_MISMATCH: 2_000_000}).validate()


def test_overrides_in_a_session_and_the_simulator() -> None:
    ov = Overrides(disabled_steps=frozenset({Step.ZWAVE_RESTART_HUB}))
    lock = FakeLock(fixes={Step.ZWAVE_EXCLUDE_REINCLUDE})
    with Session(zwave_profile(), app_offline_obs(), lock, overrides=ov) as s:
        Person(lock).drive(s)
        assert Step.ZWAVE_RESTART_HUB not in [h.step for h in s.history()]
    sim = SimulatedLock(Protocol.ZWAVE, [Cause.HUB_SESSION_MISMATCH], seed=7)
    assert sim.run(overrides=Overrides(costs={Step.ZWAVE_RESTART_HUB: 5})).recovered


def test_preflight_then_guard() -> None:
    p = Profile(protocol=Protocol.BLE, battery_chemistry=lockrecover.Chemistry.ALKALINE)
    bad = lockrecover.preflight(p, battery_pct=30)
    assert not bad.ok and PreflightItem.BATTERY_50 in bad.unmet
    good = lockrecover.preflight(p, battery_pct=90, cells_fresh=True, key_on_person=True,
                                 automations_paused=True, phone_stays_in_range=True,
                                 android=False)
    assert good.ok and good.unmet == PreflightItem(0)
    lock = FakeLock()
    with Session(p, None, lock) as s:
        s.confirm(Guard.PREFLIGHT_OK)
        assert Guard.PREFLIGHT_OK in s.status().guards_held


def test_catalog_functions() -> None:
    counts = lockrecover.catalog_counts()
    assert counts.steps == len(Step) - 1
    assert counts.causes == len(Cause) - 1
    assert counts.symptoms == len(Symptom)  # "unknown" (0) is a symptom too
    assert counts.evidence == len(Evidence) - 1
    assert counts.tiers > 0 and counts.guards > 0
    assert lockrecover.likelihood(Evidence.KEYPAD_LIGHTS, Cause.BATTERIES_DEPLETED) < 1.0
    zwave = Profile(protocol=Protocol.ZWAVE)
    assert lockrecover.step_applies(Step.ZWAVE_RESTART_HUB, zwave)
    assert not lockrecover.step_applies(Step.BLE_REBOND, zwave)
    n = lockrecover.library_version_number()
    assert lockrecover.library_version() == f"{n // 10000}.{n // 100 % 100}.{n % 100}"
    assert lockrecover.Chemistry.from_sid("nimh") is lockrecover.Chemistry.NIMH
    assert lockrecover.Ecosystem.from_sid("homekit") is lockrecover.Ecosystem.HOMEKIT


def test_async_drive_with_coroutine_host_steps() -> None:
    class AsyncHub(FakeLock):
        def __init__(self) -> None:
            super().__init__(fixes={Step.ZWAVE_RESTART_HUB})
            self.awaited: List[Step] = []

        async def run_step(self, step: Step) -> Outcome:  # type: ignore[override]
            if step != Step.ZWAVE_RESTART_HUB:
                return Outcome.CANNOT_DO
            await asyncio.sleep(0)
            self.awaited.append(step)
            self.perform(step)
            return Outcome.DONE

    lock = AsyncHub()
    person = Person(lock)
    slept: List[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        lock.clock += int(seconds * 1000) + 1
        await asyncio.sleep(0)

    async def respond(s: Session, a: lockrecover.Action) -> None:
        person.respond(s, a)

    async def main() -> lockrecover.Action:
        with Session(zwave_profile(), app_offline_obs(), lock) as s:
            return await aio.drive(s, respond, sleep=sleep)

    final = asyncio.run(main())
    assert final.kind == ActionKind.RECOVERED
    assert lock.awaited == [Step.ZWAVE_RESTART_HUB]
    assert slept and all(x >= 0 for x in slept)


def test_async_drive_reports_a_failed_coroutine_and_raises() -> None:
    class Failing(FakeLock):
        async def run_step(self, step: Step) -> None:  # type: ignore[override]
            raise ConnectionError("zwave-js went away")

    lock = Failing(fixes={Step.ZWAVE_EXCLUDE_REINCLUDE})

    async def sleep(seconds: float) -> None:  # the lock's clock, not the wall's
        lock.clock += int(seconds * 1000) + 1
        await asyncio.sleep(0)

    async def main() -> None:
        with Session(zwave_profile(), app_offline_obs(), lock) as s:
            with pytest.raises(ConnectionError):
                await aio.drive(s, Person(lock).respond, sleep=sleep)
            failed = [h for h in s.history() if h.outcome == Outcome.FAILED]
            assert failed and failed[0].by_host

    asyncio.run(main())


def _exported() -> List[str]:
    names = []
    for line in (REPO / "abi" / "symbols-in-versions").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            names.append(line.split()[0])
    return names


def test_every_exported_function_is_bound() -> None:
    """The same check scripts/test runs for both bindings; here it must find
    nothing unbound in Python, and the compiled module must have each one."""
    out = subprocess.run([sys.executable, str(BINDINGS / "check_symbols.py"), "python"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    missing = [n for n in _exported() if not hasattr(lib, n)]
    assert missing == [], f"declared in no cdef: {missing}"


def test_stub_is_current() -> None:
    out = subprocess.run([sys.executable, str(BINDINGS / "python" / "build_ffi.py"),
                          "--check-stub"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def _public(obj: object, prefix: str, seen: Set[int]) -> List[str]:
    missing = []
    for name in getattr(obj, "__all__", [n for n in vars(obj) if not n.startswith("_")]):
        member = getattr(obj, name)
        if id(member) in seen or isinstance(member, (int, str, float, frozenset, type(None))) \
                or not (inspect.isclass(member) or inspect.isfunction(member)
                        or inspect.ismodule(member)):
            # Type aliases (TriState, Responder) are documented where they
            # are defined; typing objects carry no __doc__ of their own.
            continue
        seen.add(id(member))
        if not (inspect.getdoc(member) or "").strip():
            missing.append(prefix + name)
        if inspect.isclass(member):
            for attr, value in vars(member).items():
                if attr.startswith("_") or not (inspect.isfunction(value)
                                                or isinstance(value, (property, classmethod))):
                    continue
                fn = value.fget if isinstance(value, property) else value
                if not (inspect.getdoc(fn) or "").strip():
                    missing.append(f"{prefix}{name}.{attr}")
    return missing


def test_every_public_name_is_documented() -> None:
    seen: Set[int] = set()
    missing = _public(lockrecover, "lockrecover.", seen) + _public(aio, "lockrecover.aio.", seen)
    assert missing == []


def test_the_package_holds_the_library() -> None:
    """The extension has the C library inside: it needs no liblockrecover."""
    so = Path(lockrecover._lockrecover.__file__)
    assert so.parent.name == "lockrecover"
    if sys.platform.startswith("linux"):
        dyn = subprocess.run(["readelf", "-d", str(so)], capture_output=True, text=True)
        if dyn.returncode == 0:
            assert "liblockrecover" not in dyn.stdout
            assert not re.search(r"RPATH|RUNPATH", dyn.stdout)
    assert os.path.basename(so).startswith("_lockrecover.abi3")
