"""Sessions driven by a Python transport: a whole recovery, guards,
save/load, the report, the vault, callback exceptions and bad input."""
from __future__ import annotations

import traceback
from typing import List

import pytest

import lockrecover
from lockrecover._lockrecover import ffi
from conftest import (CONFIRMABLE, FakeLock, Person, app_offline_obs, sample_codes,
                      zwave_profile)
from lockrecover import (ActionKind, DataError, Guard, InvalidArgument, LockRecoverError,
                         NotFound, Observations, Outcome, Phase, Profile, Protocol, Question,
                         Session, State, StateError, Status, Step, Tier, Transport, Vault)


def test_whole_recovery_with_python_transport() -> None:
    lock = FakeLock(fixes={Step.ZWAVE_EXCLUDE_REINCLUDE}, automatable={Step.ZWAVE_RESTART_HUB})
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        end = Person(lock).drive(s)
        assert end.kind == ActionKind.RECOVERED
        assert s.status().state == State.RECOVERED
        history = s.history()
        # Least destructive first: the harmless steps (the host's hub restart among
        # them), each tried once, and the re-pair only when nothing gentler is left.
        steps = [h.step for h in history]
        assert Step.ZWAVE_RESTART_HUB in steps and steps[-1] == Step.ZWAVE_EXCLUDE_REINCLUDE
        assert len(set(steps)) == len(steps)
        assert not any(st.destructive for st in steps[:-1]), steps
        hub = history[steps.index(Step.ZWAVE_RESTART_HUB)]
        assert hub.by_host and hub.outcome == Outcome.NOT_FIXED
        assert all(h.outcome != Outcome.FIXED for h in history[:-1])
        assert history[-1].outcome == Outcome.FIXED
        # The hub restart's waits ran on the fake clock, which only the test moved.
        assert history[-1].started_ms > hub.started_ms
        assert lock.host_steps == [Step.ZWAVE_RESTART_HUB]
        assert any("zwave.restart_hub" in line for line in lock.logs)
        assert lock.probes > 0
    assert s.closed
    with pytest.raises(StateError):
        s.next()


def test_questions_and_waits_with_a_person_verifying() -> None:
    lock = FakeLock(fixes={Step.ZWAVE_RESTART_HUB}, probe=False)
    answers = {Question.UPDATE_STATE: lockrecover.UpdateState.NONE,
               Question.KEYPAD_LIGHTS: True,
               Question.APP_STATUS: lockrecover.AppStatus.OFFLINE,
               Question.CODES_STATE: lockrecover.CodeState.ALL_WORK,
               Question.LOCAL_CONTROL: True}
    person = Person(lock, answers=answers)
    seen: List[ActionKind] = []
    with Session(transport=lock, protocol=Protocol.ZWAVE) as s:
        for _ in range(200):
            a = s.next()
            seen.append(a.kind)
            if a.is_final:
                break
            if a.kind == ActionKind.WAIT:
                assert s.next().wait_until_ms == a.wait_until_ms  # idempotent
                assert s.tick() is False  # the wait still runs
            person.respond(s, a)
        assert a.kind == ActionKind.RECOVERED
    assert ActionKind.ASK in seen and ActionKind.WAIT in seen and ActionKind.VERIFY in seen
    assert any(p.kind == ActionKind.ASK for p in lock.prompts)


def _drive_to_factory_reset(s: Session, lock: FakeLock) -> lockrecover.Action:
    person = Person(lock)
    for _ in range(400):
        a = s.next()
        if a.kind == ActionKind.BLOCKED and a.step == Step.RESET_FACTORY_RESET:
            return a
        assert not a.is_final, a
        person.respond(s, a)
    raise AssertionError("never reached the factory reset")


def test_guard_refusal_then_confirm() -> None:
    lock = FakeLock(codes=sample_codes())
    with Session(zwave_profile(), app_offline_obs(), lock) as s, Vault(lock) as vault:
        s.attach_vault(vault)
        a = _drive_to_factory_reset(s, lock)
        assert a.state == State.BLOCKED
        assert set(a.unmet_guards) == {Guard.ADMIN_CODE_RECORDED, Guard.PHYSICAL_KEY,
                                       Guard.DOOR_OPEN}
        assert Step.RESET_FACTORY_RESET not in lock.performed
        # Blocked until every guard holds: the report is refused meanwhile.
        with pytest.raises(StateError):
            s.report(Step.RESET_FACTORY_RESET, Outcome.DONE)
        s.confirm(Guard.ADMIN_CODE_RECORDED)
        s.confirm("physical_key")
        assert s.next().kind == ActionKind.BLOCKED
        assert s.next().unmet_guards == (Guard.DOOR_OPEN,)
        s.confirm(Guard.DOOR_OPEN, holds=True)
        a = s.next()
        assert a.kind == ActionKind.PERSON_STEP and a.step == Step.RESET_FACTORY_RESET
        assert a.phase == Phase.PERFORM
        assert Guard.DOOR_OPEN in s.status().guards_blocked
        end = Person(lock).drive(s)
        assert end.kind == ActionKind.NEEDS_SUPPORT
        assert lockrecover.SupportReason.LADDER_EXHAUSTED in end.support_reasons
        # The reset erased the lock's codes and the vault put them back.
        assert sorted(lock.codes) == [0, 1, 2]
        assert all(c.state in (lockrecover.SlotState.RESTORED, lockrecover.SlotState.PRESENT)
                   for c in vault.codes())
        assert s.status().codes_missing == 0


def test_guard_withdrawn_blocks_again() -> None:
    lock = FakeLock(codes=sample_codes())
    with Session(zwave_profile(), app_offline_obs(), lock) as s, Vault(lock) as vault:
        s.attach_vault(vault)
        a = _drive_to_factory_reset(s, lock)
        for g in a.unmet_guards:
            s.confirm(g)
        assert s.next().kind == ActionKind.PERSON_STEP
        s.confirm(Guard.DOOR_OPEN, holds=False)
        a = s.next()
        assert a.kind == ActionKind.BLOCKED and a.unmet_guards == (Guard.DOOR_OPEN,)


def test_save_load_round_trip() -> None:
    lock = FakeLock(fixes={Step.ZWAVE_EXCLUDE_REINCLUDE}, automatable={Step.ZWAVE_RESTART_HUB})
    person = Person(lock)
    loads = 0
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        for _ in range(100):
            before = s.next()
            blob = s.save()
            assert isinstance(blob, bytes) and len(blob) > 16
            assert s.save() == blob  # deterministic
            with Session.load(blob, lock) as t:
                assert t.next() == before  # the identical next action
                assert t.history() == s.history()
                assert t.status() == s.status()
                assert t.save() == blob
                loads += 1
            if before.is_final:
                break
            person.respond(s, before)
        assert before.kind == ActionKind.RECOVERED
    assert loads >= 3


def test_load_rejects_damaged_blobs() -> None:
    lock = FakeLock()
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        blob = s.save()
    with pytest.raises(DataError) as e:
        Session.load(blob[:-3], lock)
    assert e.value.status in (lockrecover.Status.E_TRUNCATED, lockrecover.Status.E_CORRUPT)
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 0x40
    with pytest.raises(DataError):
        Session.load(bytes(flipped), lock)
    with pytest.raises(DataError):
        Session.load(b"", lock)


def test_report_json_and_text() -> None:
    lock = FakeLock(fixes={Step.ZWAVE_EXCLUDE_REINCLUDE}, automatable={Step.ZWAVE_RESTART_HUB})
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        Person(lock).drive(s)
        report = s.report_json()
        for key in ("library", "report_version", "lock", "firmware", "error_codes", "symptom",
                    "causes", "state", "ladder", "handover", "support_reasons", "steps",
                    "waivers", "guards_blocked", "codes", "person_minutes"):
            assert key in report, key
        assert report["report_version"] == 1
        assert report["lock"]["manufacturer"] == "Yale"
        assert report["lock"]["protocol"] == "zwave"
        assert [st["id"] for st in report["steps"]] == [h.step.sid for h in s.history()]
        assert report["steps"][-1]["id"] == "zwave.exclude_reinclude"
        assert report["firmware"]["target"] == "2.1.0"
        text = s.report_text()
        assert "zwave.exclude_reinclude" in text or "Exclude" in text


def test_waivers_are_recorded_and_masked() -> None:
    lock = FakeLock()
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        s.waive("tier", Tier.UNIVERSAL, "owner tried these already")
        s.waive(lockrecover.WaiveKind.STEP, "zwave.check_battery", "new cells 123456")
        waivers = s.waivers()
        assert [w.id for w in waivers] == [Tier.UNIVERSAL, Step.ZWAVE_CHECK_BATTERY]
        assert waivers[1].reason == "new cells ######"
        assert s.report_json()["waivers"][0]["reason"] == "owner tried these already"
        with pytest.raises(StateError):
            s.waive("tier", Tier.UNIVERSAL, "again")


def test_vault_backup_export_import() -> None:
    lock = FakeLock(codes=sample_codes())
    with Vault(lock) as vault:
        assert not vault.status().verified
        vault.backup()
        info = vault.status()
        assert info.verified and info.count == 3 and len(info.digest) == 32
        assert [c.name for c in vault.codes()] == ["admin", "alice", "bob"]
        assert all(c.has_pin for c in vault.codes())
        sealed = vault.export_sealed()
        assert sealed.startswith(b"SEAL") and b"2468" not in sealed
        del lock.codes[1]
        assert vault.verify() == 1
        assert vault.restore() == 0
        assert sorted(lock.codes) == [0, 1, 2]
        with Vault(lock) as other:
            other.import_sealed(sealed)
            assert other.status().digest == info.digest
            with pytest.raises(DataError):
                other.import_sealed(sealed[:4] + bytes([sealed[4] ^ 1]) + sealed[5:])
            assert other.status().digest == info.digest  # left as it was
            with pytest.raises(DataError):
                other.import_sealed(b"nonsense")


def test_vault_refuses_a_flaky_lock() -> None:
    class Flaky(FakeLock):
        reads = 0

        def read_codes(self) -> lockrecover.CodeTable:
            self.reads += 1
            table = super().read_codes()
            if self.reads % 2 == 0:
                table.codes[1] = lockrecover.Code(slot=1, pin="9999", name="alice")
            return table

    with Vault(Flaky(codes=sample_codes())) as vault:
        with pytest.raises(DataError):
            vault.backup()
        assert not vault.status().verified


class Boom(Exception):
    pass


def test_exception_from_run_step_is_reraised() -> None:
    class Broken(FakeLock):
        def run_step(self, step: Step) -> None:
            raise Boom(f"hub exploded on {step.sid}")

    lock = Broken()
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        # the person's harmless steps first, until the host's hub restart
        with pytest.raises(Boom, match="hub exploded on zwave.restart_hub") as e:
            Person(lock).drive(s)
        # The traceback reaches into the callback that raised.
        frames = [f.name for f in traceback.extract_tb(e.value.__traceback__)]
        assert "run_step" in frames
        # The library saw a failing transport, recorded it and went on.
        hub = [h for h in s.history() if h.step == Step.ZWAVE_RESTART_HUB]
        assert len(hub) == 1 and hub[0].outcome == Outcome.FAILED
        assert s.next().kind != ActionKind.NONE  # nothing left pending: no second raise


def test_exception_from_now_ms_is_reraised() -> None:
    class BadClock(FakeLock):
        broken = False

        def now_ms(self) -> int:
            if self.broken:
                raise KeyboardInterrupt()
            return super().now_ms()

    lock = BadClock()
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        s.next()
        lock.broken = True
        with pytest.raises(KeyboardInterrupt):
            s.next()
        lock.broken = False
        s.next()


def test_exception_from_prompt_log_probe_and_codes() -> None:
    class Noisy(FakeLock):
        def prompt(self, action: lockrecover.Action) -> None:
            raise RuntimeError("ui gone")

    with Session(zwave_profile(), app_offline_obs(), Noisy()) as s:
        with pytest.raises(RuntimeError, match="ui gone"):
            Person(s.transport).drive(s)  # type: ignore[arg-type]

    class BadCodes(FakeLock):
        def read_codes(self) -> lockrecover.CodeTable:
            raise ZeroDivisionError("bus error")

    with Vault(BadCodes(codes=sample_codes())) as vault:
        with pytest.raises(ZeroDivisionError):
            vault.backup()
        assert not vault.status().verified

    class BadSeal(FakeLock):
        def seal(self, clear: bytes) -> bytes:
            raise ValueError("keystore locked")

    lock = BadSeal(codes=sample_codes())
    with Vault(lock) as vault:
        vault.backup()
        with pytest.raises(ValueError, match="keystore locked"):
            vault.export_sealed()

    class BadReturn(FakeLock):
        def run_step(self, step: Step) -> object:  # type: ignore[override]
            return "yes"

    lock = BadReturn()
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        with pytest.raises(TypeError, match="not a status"):
            Person(lock).drive(s)


def test_only_overridden_callbacks_are_wired() -> None:
    class ClockOnly(Transport):
        def now_ms(self) -> int:
            return 5

    t = ClockOnly()
    c = t._c_transport()
    assert c.now_ms != ffi.NULL
    for name in ("probe", "run_step", "prompt", "log", "read_codes", "write_code", "seal",
                 "unseal"):
        assert getattr(c, name) == ffi.NULL, name
    with Session(zwave_profile(), app_offline_obs(), t) as s:
        a = s.next()
        assert a.kind == ActionKind.PERSON_STEP  # no run_step: a person does it
    with Vault(t) as vault, pytest.raises(lockrecover.NotSupported):
        vault.backup()

    class NoClock(Transport):
        pass

    with pytest.raises(InvalidArgument, match="now_ms"):
        Session(zwave_profile(), None, NoClock())


def test_bad_input_raises_the_right_classes() -> None:
    lock = FakeLock()
    with pytest.raises(InvalidArgument) as e:
        lockrecover.classify(protocol=0)
    assert e.value.status == lockrecover.Status.E_INVAL and e.value.name == "LKR_E_INVAL"
    assert isinstance(e.value, LockRecoverError) and isinstance(e.value, ValueError)
    with pytest.raises(InvalidArgument):
        Session(Profile(protocol=Protocol.NONE), None, lock)
    with pytest.raises(InvalidArgument):
        lockrecover.classify(protocol=Protocol.BLE, battery_pct=101)
    with pytest.raises(InvalidArgument):
        lockrecover.classify(protocol=Protocol.BLE, manufacturer="x" * 100)
    with pytest.raises(NotFound):
        Step.from_sid("universal.no_such_step")
    with pytest.raises(TypeError):
        lockrecover.classify(protocol=Protocol.BLE, no_such_fact=1)
    with Session(zwave_profile(), app_offline_obs(), lock) as s:
        with pytest.raises(InvalidArgument) as e:
            s.waive("step", Step.ZWAVE_CHECK_BATTERY, "")
        assert e.value.status == lockrecover.Status.E_INVAL
        with pytest.raises(NotFound) as nf:
            s.report("zwave.no_such_step", Outcome.DONE)
        assert nf.value.name == "LKR_E_NOTFOUND"
        with pytest.raises(InvalidArgument):
            s.waive("step", Step.BLE_REBOND, "not a z-wave step")
        with pytest.raises(InvalidArgument):
            s.confirm(Guard.CODES_BACKED_UP)  # only the vault can
        with pytest.raises(StateError):
            s.answer(Question.KEYPAD_LIGHTS, True)  # nothing was asked
        with pytest.raises(StateError):
            s.report(Step.BLE_REBOND, Outcome.DONE)
        with pytest.raises(InvalidArgument):
            s.report(Step.ZWAVE_RESTART_HUB, 99)
        s.abort()
        assert s.next().kind == ActionKind.ABORTED
        with pytest.raises(StateError) as st:
            s.abort()
        assert st.value.status == lockrecover.Status.E_STATE
        assert "state" in str(st.value)


def test_error_classes_per_family() -> None:
    from lockrecover.errors import error_for
    S = lockrecover.Status
    expect = {
        S.E_INVAL: InvalidArgument, S.E_RANGE: InvalidArgument,
        S.E_GUARD: lockrecover.GuardError, S.E_STATE: StateError,
        S.E_UNSUPPORTED: lockrecover.NotSupported, S.E_CORRUPT: DataError,
        S.E_VERSION: DataError, S.E_TRUNCATED: DataError, S.E_OVERSIZED: DataError,
        S.E_TRANSPORT: lockrecover.TransportError, S.E_PROTOCOL: lockrecover.TransportError,
        S.E_NOMEM: lockrecover.OutOfMemory, S.E_NOTFOUND: NotFound,
    }
    for status, cls in expect.items():
        err = error_for(status)
        assert type(err) is cls and err.status == status
        assert err.name == "LKR_" + status.name
        assert str(err) == lockrecover.strerror(status)
    assert isinstance(error_for(S.E_NOMEM), MemoryError)
    assert type(error_for(-999)) is LockRecoverError
    assert error_for(-999).name == "LKR_E_UNKNOWN"
