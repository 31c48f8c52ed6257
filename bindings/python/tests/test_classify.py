"""classify(), the enums and the catalog look-ups."""
from __future__ import annotations

import pytest

import lockrecover
from lockrecover import (AppStatus, Cause, Chemistry, Diagnosis, Ecosystem, Evidence, Guard,
                         Observations, Profile, Protocol, Step, Symptom, Tier, Triage,
                         UpdateState)
from lockrecover._lockrecover import lib


def test_classify_keyword_facts() -> None:
    d = lockrecover.classify(protocol=Protocol.ZWAVE, keypad_lights=True,
                             app_status=AppStatus.UNAVAILABLE,
                             update_state=UpdateState.REPORTED_OK)
    assert isinstance(d, Diagnosis)
    assert d.symptom is Symptom.LOCAL_OK_APP_OFFLINE
    assert d.symptom.sid == "local_ok_app_offline"
    assert d.entry_tier is Tier.PROTOCOL
    assert Triage.KEYPAD_WORKS in d.triage
    assert Triage.KEYPAD_WORKS.sid == "keypad_works"
    assert d.causes[0][0] is Cause.HUB_SESSION_MISMATCH
    assert abs(sum(p for _, p in d.causes) - 1.0) < 1e-9
    assert all(isinstance(c, Cause) and 0 < p <= 1 for c, p in d.causes)
    assert Evidence.PROTOCOL_ZWAVE in d.evidence
    assert Evidence.PROTOCOL_ZWAVE.sid == "protocol_zwave"
    assert Evidence.from_sid("protocol_zwave") is Evidence.PROTOCOL_ZWAVE


def test_classify_dataclasses_silent_nimh() -> None:
    profile = Profile(protocol="ble", battery_chemistry=Chemistry.NIMH,
                      ecosystems=frozenset({Ecosystem.HOMEKIT}))
    obs = Observations(keypad_lights=False, update_state=UpdateState.REPORTED_FAILED)
    d = lockrecover.classify(profile, obs)
    assert d.symptom is Symptom.COMPLETELY_SILENT
    assert Triage.NIMH_CELLS in d.triage
    assert d.top_cause in set(Cause)


def test_classify_keywords_override_dataclass() -> None:
    base = Observations(keypad_lights=False)
    d = lockrecover.classify(Profile(protocol=Protocol.WIFI), base, keypad_lights=True,
                             app_status=AppStatus.OFFLINE, update_state=UpdateState.NONE)
    assert d.symptom is not Symptom.COMPLETELY_SILENT


def test_profile_round_trip() -> None:
    p = Profile(protocol=Protocol.MATTER, ecosystems=frozenset({Ecosystem.GOOGLE,
                Ecosystem.ALEXA}), battery_cells=4, has_keypad=True, pins_readable=False,
                manufacturer="Aqara", purchase_date="2024-05-01")
    back = Profile._from_c(p._to_c())
    assert back == p


def test_observations_round_trip() -> None:
    o = Observations(battery_pct=42, keypad_lights=True, hub_online=False,
                     app_status=AppStatus.NO_RESPONSE, fw_now="1.2.3", error_code="-1")
    assert Observations._from_c(o._to_c()) == o


@pytest.mark.parametrize("cls,prefix", [
    (lockrecover.Protocol, "LKR_PROTOCOL_"), (lockrecover.Ecosystem, "LKR_ECOSYSTEM_"),
    (lockrecover.Chemistry, "LKR_CHEMISTRY_"), (lockrecover.AppStatus, "LKR_APP_"),
    (lockrecover.UpdateState, "LKR_UPDATE_"), (lockrecover.CodeState, "LKR_CODES_"),
    (lockrecover.WifiSecurity, "LKR_WIFI_SECURITY_"), (lockrecover.Tier, "LKR_TIER_"),
    (lockrecover.Symptom, "LKR_SYMPTOM_"), (lockrecover.Cause, "LKR_CAUSE_"),
    (lockrecover.Guard, "LKR_GUARD_"), (lockrecover.Step, "LKR_STEP_"),
    (lockrecover.ActionKind, "LKR_ACTION_"), (lockrecover.Phase, "LKR_PHASE_"),
    (lockrecover.Question, "LKR_QUESTION_"), (lockrecover.Outcome, "LKR_OUTCOME_"),
    (lockrecover.Ladder, "LKR_LADDER_"), (lockrecover.WaiveKind, "LKR_WAIVE_"),
    (lockrecover.CodeKind, "LKR_CODE_"), (lockrecover.SlotState, "LKR_SLOT_"),
    (lockrecover.LogLevel, "LKR_LOG_"),
])
def test_enums_match_the_header(cls: type, prefix: str) -> None:
    for member in cls:  # type: ignore[attr-defined]
        if cls is lockrecover.State and member.name == "NONE":
            continue
        assert getattr(lib, prefix + member.name) == member.value, member


def test_state_and_status_match_the_header() -> None:
    for member in lockrecover.State:
        if member.name != "NONE":
            assert getattr(lib, "LKR_STATE_" + member.name) == member.value
    for status in lockrecover.Status:
        assert getattr(lib, "LKR_" + status.name) == status.value


def test_catalog_counts_match_enums() -> None:
    assert lib.lkr_step_count() == len(Step) - 1
    assert lib.lkr_cause_count() == len(Cause) - 1
    assert lib.lkr_tier_count() == len(Tier) - 1
    assert lib.lkr_guard_count() == len(Guard) - 1
    assert lib.lkr_symptom_count() == len(Symptom)


def test_sid_look_ups() -> None:
    assert Step.ZWAVE_EXCLUDE_REINCLUDE.sid == "zwave.exclude_reinclude"
    assert Step.from_sid("ecosystem.homekit.bluetooth_on") is Step.HOMEKIT_BLUETOOTH_ON
    for step in Step:
        if step != Step.NONE:
            assert Step.from_sid(step.sid) is step
            assert step.title
    assert Cause.from_sid("transfer_stall") is Cause.TRANSFER_STALL
    assert Guard.DOOR_OPEN.sid == "door_open"
    assert Tier.REPAIR.sid == "repair"
    assert Protocol.coerce("zigbee") is Protocol.ZIGBEE
    assert Protocol.coerce("MATTER") is Protocol.MATTER
    assert Step.RESET_FACTORY_RESET.destructive
    assert Guard.CODES_BACKED_UP in Step.RESET_FACTORY_RESET.guards
    assert Step.RESET_FACTORY_RESET.tier is Tier.RESET


def test_library_version() -> None:
    assert lockrecover.library_version() == lockrecover.__version__
