"""Misuse that must end in an exception, never a crash: callbacks touching
their own session, sessions shared across threads, closing from another
thread; several callback exceptions in one call; errors that name the field."""
from __future__ import annotations

import threading
import traceback
from typing import List, Optional

import pytest

from conftest import FakeLock, Person, app_offline_obs, sample_codes, zwave_profile
from lockrecover import (Action, ActionKind, Code, InvalidArgument, LogLevel, Observations,
                         Overrides, ProbeResult, Profile, Protocol, ReentrancyError, Session,
                         SimulatedLock, StateError, Status, Step, Vault)


class Reentrant(FakeLock):
    """A lock whose prompt callback does something with its own session."""

    def __init__(self, what: str) -> None:
        super().__init__(fixes={Step.ZWAVE_RESTART_HUB})
        self.what = what
        self.session: Optional[Session] = None
        self.vault: Optional[Vault] = None
        self.seen: List[BaseException] = []

    def prompt(self, action: Action) -> None:
        assert self.session is not None
        try:
            if self.what == "close":
                self.session.close()
            elif self.what == "next":
                self.session.next()
            elif self.what == "status":
                self.session.status()
            elif self.what == "vault" and self.vault is not None:
                self.vault.backup(self)
        except BaseException as exc:
            self.seen.append(exc)
            raise


@pytest.mark.parametrize("what", ["close", "next", "status", "vault"])
def test_callback_touching_its_own_session_raises(what: str) -> None:
    lock = Reentrant(what)
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        lock.session = s
        if what == "vault":
            lock.vault = Vault(lock)
            s.attach_vault(lock.vault)
        with pytest.raises(ReentrancyError) as info:
            s.next()
        assert info.value is lock.seen[0]
        # The session is intact and usable once the callback is gone.
        lock.what = "nothing"
        assert not s.closed
        assert s.next().kind != ActionKind.NONE
    assert s.closed


def test_two_callback_exceptions_are_both_kept() -> None:
    class TwoFailures(FakeLock):
        def prompt(self, action: Action) -> None:
            raise KeyError("first")

        def log(self, level: LogLevel, message: str) -> None:
            raise ValueError("second")

    lock = TwoFailures(fixes={Step.ZWAVE_RESTART_HUB})
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        with pytest.raises(Exception) as info:
            Person(lock).drive(s)
    first = info.value
    chain = []
    exc: Optional[BaseException] = first
    while exc is not None and len(chain) < 50:
        chain.append(exc)
        exc = exc.__context__
    kinds = {type(e) for e in chain}
    assert KeyError in kinds and ValueError in kinds, chain
    text = "".join(traceback.format_exception(type(first), first, first.__traceback__))
    assert "first" in text and "second" in text


def test_session_shared_across_threads_serialises() -> None:
    lock = SimulatedLock(Protocol.ZWAVE, ["hub_session_mismatch"], seed=5)
    s = Session(lock.profile(), lock.observations(), lock)
    errors: List[BaseException] = []
    sizes: List[int] = []

    def worker() -> None:
        try:
            for _ in range(200):
                s.next()
                sizes.append(len(s.report_json_text()))
                s.save()
                s.status()
        except BaseException as exc:  # pragma: no cover - the assertion reports it
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(sizes) == 800 and all(n > 2 for n in sizes)
    s.close()


def test_close_from_another_thread_while_in_use() -> None:
    entered = threading.Event()
    release = threading.Event()

    class Slow(FakeLock):
        def prompt(self, action: Action) -> None:
            entered.set()
            release.wait(5)

    lock = Slow(fixes={Step.ZWAVE_RESTART_HUB})
    s = Session(zwave_profile(), app_offline_obs(), lock)
    results: List[object] = []

    def use() -> None:
        try:
            results.append(s.next())
        except BaseException as exc:  # pragma: no cover
            results.append(exc)

    t = threading.Thread(target=use)
    t.start()
    assert entered.wait(5)
    closer = threading.Thread(target=s.close)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive()  # close waits for the call in progress
    release.set()
    t.join(5)
    closer.join(5)
    assert isinstance(results[0], Action)
    assert s.closed
    with pytest.raises(StateError):
        s.next()


def test_simulated_lock_and_vault_from_threads() -> None:
    lock = SimulatedLock(Protocol.WIFI, ["wifi_stack_crash"], seed=9)
    vault = Vault(lock)
    errors: List[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(50):
                vault.backup()
                vault.verify()
                lock.stats()
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(vault) > 0
    vault.close()
    lock.close()


@pytest.mark.parametrize("build,field", [
    (lambda: Observations(battery_pct=2**40)._to_c(), "battery_pct"),
    (lambda: Observations(battery_pct=250)._to_c(), "battery_pct"),
    (lambda: Observations(cell_mv=-1)._to_c(), "cell_mv"),
    (lambda: Profile(protocol=Protocol.BLE, manufacturer="x" * 500)._to_c(), "manufacturer"),
    (lambda: Profile(protocol=Protocol.BLE, battery_cells=99)._to_c(), "battery_cells"),
    # Found by the library's validator, then pinned to the field by the binding.
    (lambda: Profile(protocol=Protocol.BLE, purchase_date="not-a-date")._to_c(), "purchase_date"),
    (lambda: Profile(protocol="no-such-protocol")._to_c(), "protocol"),
    (lambda: ProbeResult(battery_pct=101)._to_c(), "ProbeResult.battery_pct"),
    (lambda: Code(slot=-1)._to_c(), "Code.slot"),
    (lambda: Overrides(costs={Step.BLE_REBOND: 0})._to_c(), "overrides.costs"),
])
def test_field_errors_name_the_field(build: object, field: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field
    assert field in str(info.value)


def test_waive_reason_limits_and_wrong_types() -> None:
    lock = FakeLock()
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        with pytest.raises(InvalidArgument) as info:
            s.waive("step", Step.ZWAVE_RESTART_HUB, "")
        assert info.value.field == "reason" and "1..47" in str(info.value)
        with pytest.raises(InvalidArgument):
            s.waive("step", Step.ZWAVE_RESTART_HUB, "x" * 48)
    with pytest.raises(TypeError, match="profile"):
        Session({"protocol": "ble"}, None, FakeLock())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="transport"):
        Session(zwave_profile(), None, object())


def test_a_coroutine_callback_without_the_driver_is_an_error() -> None:
    class Async(FakeLock):
        async def run_step(self, step: Step) -> None:  # type: ignore[override]
            return None

    lock = Async(fixes={Step.ZWAVE_RESTART_HUB})
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        with pytest.raises(TypeError, match="lockrecover.aio.drive"):
            Person(lock).drive(s)


def test_vault_callback_error_is_the_original() -> None:
    class Broken(FakeLock):
        def read_codes(self):  # type: ignore[no-untyped-def]
            raise ConnectionError("hub unreachable")

    lock = Broken(codes=sample_codes())
    with Vault(lock) as v:
        with pytest.raises(ConnectionError, match="hub unreachable"):
            v.backup()
    assert Status.E_TRANSPORT < 0
