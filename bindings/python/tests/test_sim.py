"""The simulator as SimulatedLock (skipped when the library has none)."""
from __future__ import annotations

import pytest

import lockrecover
from lockrecover import (ActionKind, Cause, Ecosystem, InvalidArgument, Protocol, Session,
                         SimulatedLock, Vault)



def test_run_recovers_a_fixable_cause() -> None:
    lock = SimulatedLock(Protocol.ZWAVE, [Cause.HUB_SESSION_MISMATCH],
                         ecosystems=[Ecosystem.HOMEASSISTANT], seed=7)
    result = lock.run()
    assert result.recovered, result
    assert result.final == ActionKind.RECOVERED
    assert result.actions > 0
    assert result.stats.faults_left == 0
    assert result.stats.unsafe_steps == 0
    assert result.stats.codes_lost == 0
    assert lock.stats() == result.stats


def test_hardware_failure_needs_support() -> None:
    lock = SimulatedLock(Protocol.WIFI, ["hardware_failure"], seed=3)
    result = lock.run()
    assert result.needs_support, result
    assert result.stats.unsafe_steps == 0
    assert result.stats.codes_lost == 0


def test_runs_are_reproducible() -> None:
    a = SimulatedLock(Protocol.BLE, [Cause.PHONE_BLE_BUG], seed=11).run()
    b = SimulatedLock(Protocol.BLE, [Cause.PHONE_BLE_BUG], seed=11).run()
    assert a == b


def test_drive_a_session_with_the_sim_transport() -> None:
    lock = SimulatedLock(Protocol.ZIGBEE, [Cause.HUB_OFFLINE], seed=5)
    profile = lock.profile()
    assert profile.protocol == Protocol.ZIGBEE
    obs = lock.observations()
    with Session(profile, obs, lock.transport) as s, Vault(lock) as vault:
        s.attach_vault(vault)
        start = lock.transport.now_ms()
        for _ in range(2000):
            a = s.next()
            if a.is_final:
                break
            lock.respond(s, a)
        assert a.is_final
        assert a.kind in (ActionKind.RECOVERED, ActionKind.NEEDS_SUPPORT)
        assert lock.transport.now_ms() >= start
        assert s.report_json()["state"]
    assert lock.stats().unsafe_steps == 0


def test_bad_sim_config() -> None:
    with pytest.raises(InvalidArgument):
        SimulatedLock(Protocol.NONE, [Cause.HUB_OFFLINE])
    with pytest.raises(InvalidArgument):
        SimulatedLock(Protocol.ZWAVE, [])
    with pytest.raises(lockrecover.NotFound):
        SimulatedLock(Protocol.ZWAVE, ["no_such_cause"])
