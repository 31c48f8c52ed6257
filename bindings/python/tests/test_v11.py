"""What 1.1 added: person-facing text, the vault's random source, one-slot
restore, LKR_E_REENTRANT, the codes_noted guard, initialised probe results
and code readouts."""
from __future__ import annotations

import pickle
from itertools import count

import pytest

import lockrecover
from lockrecover._lockrecover import ffi, lib
from conftest import FakeLock, sample_codes
from lockrecover import (Cause, Guard, InvalidArgument, NotFound, PersonChoice, PersonText,
                         ProbeResult, Question, ReentrancyError, ReentrantCall, StateError,
                         Status, Step, Symptom, TextKind, Tier, Vault, person_text)

ENTRIES = ([(TextKind.STEP, s) for s in Step if s] + [(TextKind.GUARD, g) for g in Guard if g]
           + [(TextKind.CAUSE, c) for c in Cause if c]
           + [(TextKind.QUESTION, q) for q in Question if q]
           + [(TextKind.TIER, t) for t in Tier if t] + [(TextKind.SYMPTOM, s) for s in Symptom])


@pytest.mark.parametrize("kind,entry", ENTRIES, ids=lambda v: getattr(v, "name", str(v)))
def test_every_entry_has_person_text(kind: TextKind, entry: int) -> None:
    t = person_text(entry)
    assert isinstance(t, PersonText)
    assert t.kind is kind and t.id == int(entry) and t.entry == entry
    assert t.title and t.title == t.title.strip()
    assert person_text(kind, int(entry)) == t
    if kind is TextKind.GUARD:
        assert t.title.endswith("?")
    if kind is not TextKind.QUESTION:
        assert t.choices == ()


def test_person_text_is_plain_words() -> None:
    step = person_text(Step.ZWAVE_RESTART_HUB)
    assert step.title != Step.ZWAVE_RESTART_HUB.title or step.text
    for t in (person_text(e) for _, e in ENTRIES):
        for field in (t.title, t.text, t.cannot, t.watch, t.remains, t.resume):
            assert field is None or ("_" not in field and "%" not in field), field


def test_question_choices_answer_the_question() -> None:
    with_choices = [person_text(q) for q in Question if q and person_text(q).choices]
    assert with_choices, "some question offers fixed answers"
    for t in with_choices:
        assert all(isinstance(c, PersonChoice) and c.label for c in t.choices)
        assert len({c.label for c in t.choices}) == len(t.choices)


def test_person_text_errors() -> None:
    with pytest.raises(InvalidArgument) as info:
        person_text(TextKind.STEP, 10_000)
    assert info.value.status == Status.E_RANGE
    with pytest.raises(InvalidArgument):
        person_text(99, 1)
    with pytest.raises(InvalidArgument):
        person_text(TextKind.STEP, -1)
    with pytest.raises(TypeError):
        person_text("zwave_restart_hub")  # type: ignore[arg-type]


def test_codes_noted_guard() -> None:
    assert Guard.CODES_NOTED == lib.LKR_GUARD_CODES_NOTED == 10
    assert Guard.CODES_NOTED.sid == "codes_noted"
    assert Guard.from_sid("codes_noted") is Guard.CODES_NOTED
    assert lockrecover.catalog_counts().guards == max(Guard)


def counter_source(start: int):  # type: ignore[no-untyped-def]
    """A predictable source: only a test may use one."""
    n = count(start)
    return lambda k: bytes(next(n) & 0xFF for _ in range(k))


def test_vault_random_source_keys_the_digest() -> None:
    lock = FakeLock(codes=sample_codes())
    asked = []

    def source(k: int) -> bytes:
        asked.append(k)
        return bytes(range(k))

    with Vault(lock, random=source) as a, Vault(lock, random=lambda k: bytes(range(k))) as b, \
            Vault(lock, random=counter_source(7)) as c, Vault(lock) as d:
        for v in (a, b, c, d):
            v.backup()
        assert asked == [32]
        assert a.status().digest == b.status().digest
        assert a.status().digest != c.status().digest
        assert a.status().digest != d.status().digest
        assert a.status().verified and len(a) == 3


def test_vault_random_source_failures() -> None:
    class Broken(Exception):
        pass

    def broken(k: int) -> bytes:
        raise Broken()

    with pytest.raises(Broken):
        Vault(random=broken)
    with pytest.raises(ValueError):
        Vault(random=lambda k: b"short")
    with pytest.raises(TypeError):
        Vault(random=lambda k: "x" * k)  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError):
        Vault(random=42)  # type: ignore[arg-type]


def test_restore_slot_puts_one_code_back() -> None:
    lock = FakeLock(codes=sample_codes())
    with Vault(lock) as v:
        with pytest.raises(StateError):
            v.restore_slot(1)
        v.backup()
        del lock.codes[1]
        lock.codes[2] = lockrecover.Code(slot=2, kind=lockrecover.CodeKind.USER, pin="11111",
                                          name="bob")
        assert v.restore_slot(1) is True
        assert lock.codes[1].pin == "2468"
        assert lock.codes[2].pin == "11111", "only the slot asked for is written"
        with pytest.raises(NotFound):
            v.restore_slot(7)
        with pytest.raises(InvalidArgument):
            v.restore_slot(-1)
        lock.write_code = lambda code: None  # type: ignore[method-assign]
        del lock.codes[0]
        assert v.restore_slot(0) is False


def test_reentrant_status_is_a_reentrancy_error() -> None:
    assert Status.E_REENTRANT == lib.LKR_E_REENTRANT == -15
    err = lockrecover.errors.error_for(lib.LKR_E_REENTRANT, "lkr_session_next")
    assert type(err) is ReentrantCall
    assert isinstance(err, ReentrancyError) and isinstance(err, StateError)
    assert err.status == -15 and err.name == "LKR_E_REENTRANT"
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is ReentrantCall and again.status == -15 and str(again) == str(err)


def test_probe_result_starts_unknown() -> None:
    r = ffi.new("lkr_probe_result *")
    r.battery_pct = 0
    r.reachable = lib.LKR_YES
    ProbeResult()._fill(r)
    assert r.struct_size == ffi.sizeof("lkr_probe_result")
    assert r.reachable == lib.LKR_UNKNOWN and r.keypad_lights == lib.LKR_UNKNOWN
    assert r.battery_pct == lib.LKR_NUM_UNKNOWN
    assert ffi.string(r.fw_version) == b"" and ffi.string(r.error_code) == b""


def test_code_readout_init() -> None:
    info = ffi.new("lkr_code_readout *")
    info.count = 9
    info.pins_readable = 1
    lib.lkr_code_readout_init(info)
    assert info.struct_size == ffi.sizeof("lkr_code_readout")
    assert (info.count, info.total, info.pins_readable, info.has_checksum) == (0, 0, 0, 0)


def test_report_says_what_the_codes_stood_on() -> None:
    from conftest import app_offline_obs, zwave_profile
    lock = FakeLock(codes=sample_codes())
    with lockrecover.Session(zwave_profile(), app_offline_obs(), lock) as s:
        codes = s.report_json()["codes"]
        assert codes["vault"] is False and codes["evidence"] == "none"
        assert codes["host_records"] is False
        assert codes["on_lock"] is None and codes["unknown"] is None
        with Vault(lock) as v:
            s.attach_vault(v)
            v.backup()
            codes = s.report_json()["codes"]
            assert codes["vault"] is True and codes["count"] == 3
            assert codes["evidence"] in ("verified", "host_records", "none")
            s.attach_vault(None)
