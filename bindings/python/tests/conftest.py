"""A Python fake lock (a Transport with a clock the test advances) and a
simple person that drives a session with it."""
from __future__ import annotations

from typing import Dict, List, Optional, Set, Union

import pytest

from lockrecover import (Action, ActionKind, AppStatus, Code, CodeKind, CodeTable, Guard,
                         LogLevel, Observations, Outcome, Phase, ProbeResult, Profile,
                         Protocol, Question, Session, Status, Step, Transport, UpdateState)

CONFIRMABLE = (Guard.ADMIN_CODE_RECORDED, Guard.PHYSICAL_KEY, Guard.DOOR_OPEN,
               Guard.PHONE_IN_RANGE, Guard.PREFLIGHT_OK)


class FakeLock(Transport):
    """A Z-Wave lock that comes back when one of ``fixes`` is performed."""

    def __init__(self, fixes: Set[Step] = frozenset(), automatable: Set[Step] = frozenset(),
                 codes: Optional[List[Code]] = None, probe: bool = True) -> None:
        self.clock = 1_000
        self.fixes = set(fixes)
        self.automatable = set(automatable)
        self.fixed = False
        self.performed: List[Step] = []
        self.host_steps: List[Step] = []
        self.logs: List[str] = []
        self.prompts: List[Action] = []
        self.codes: Dict[int, Code] = {c.slot: c for c in (codes or [])}
        self.has_probe = probe
        self.probes = 0

    def perform(self, step: Step) -> None:
        self.performed.append(step)
        if step in self.fixes:
            self.fixed = True
        if step == Step.RESET_FACTORY_RESET:
            self.codes.clear()

    # -- Transport --------------------------------------------------------
    def now_ms(self) -> int:
        return self.clock

    def probe(self) -> Union[ProbeResult, Status]:
        self.probes += 1
        if not self.has_probe:
            return Status.E_UNSUPPORTED
        return ProbeResult(reachable=self.fixed, fw_version="2.1.0", battery_pct=80)

    def run_step(self, step: Step) -> Optional[Status]:
        if step not in self.automatable:
            return Status.E_UNSUPPORTED
        self.host_steps.append(step)
        self.perform(step)
        return Status.OK

    def prompt(self, action: Action) -> None:
        self.prompts.append(action)

    def log(self, level: LogLevel, message: str) -> None:
        self.logs.append(f"{level.name}: {message}")

    def read_codes(self) -> CodeTable:
        return CodeTable(sorted(self.codes.values(), key=lambda c: c.slot), pins_readable=True)

    def write_code(self, code: Code) -> None:
        self.codes[code.slot] = code

    def seal(self, clear: bytes) -> bytes:
        return b"SEAL" + bytes(b ^ 0x5A for b in clear)

    def unseal(self, sealed: bytes) -> Union[bytes, Status]:
        if not sealed.startswith(b"SEAL"):
            return Status.E_CORRUPT
        return bytes(b ^ 0x5A for b in sealed[4:])


def sample_codes() -> List[Code]:
    return [Code(slot=0, kind=CodeKind.ADMIN, pin="135790", name="admin"),
            Code(slot=1, kind=CodeKind.USER, pin="2468", name="alice"),
            Code(slot=2, kind=CodeKind.USER, pin="97531", name="bob")]


class Person:
    """Answers, performs and verifies the way the fake lock dictates."""

    def __init__(self, lock: FakeLock, confirm: bool = True,
                 answers: Optional[Dict[Question, object]] = None) -> None:
        self.lock = lock
        self.confirm = confirm
        self.answers = answers or {}
        self.blocked: List[Action] = []

    def respond(self, s: Session, a: Action) -> None:
        if a.kind == ActionKind.ASK:
            s.answer(a.question, self.answers.get(a.question))
        elif a.kind == ActionKind.PERSON_STEP:
            if a.phase == Phase.PERFORM:
                self.lock.perform(a.step)
            s.report(a.step, Outcome.DONE)
        elif a.kind == ActionKind.HOST_STEP:
            s.report(a.step, Outcome.DONE)
        elif a.kind == ActionKind.WAIT:
            self.lock.clock = max(self.lock.clock, a.wait_until_ms)
            s.tick()
        elif a.kind == ActionKind.VERIFY:
            s.report(a.step, Outcome.FIXED if self.lock.fixed else Outcome.NOT_FIXED)
        elif a.kind == ActionKind.BLOCKED:
            self.blocked.append(a)
            confirmable = [g for g in a.unmet_guards if g in CONFIRMABLE]
            if self.confirm and confirmable:
                for g in confirmable:
                    s.confirm(g)
            else:
                s.waive("step", a.step, "person declined")
        else:
            raise AssertionError(f"unexpected action {a}")

    def drive(self, s: Session, limit: int = 500) -> Action:
        for _ in range(limit):
            a = s.next()
            if a.is_final:
                return a
            self.respond(s, a)
        raise AssertionError("the session did not end")


def zwave_profile() -> Profile:
    return Profile(protocol=Protocol.ZWAVE, has_keypad=True, has_key_cylinder=True,
                   repair_erases_codes=False, manufacturer="Yale", model="Assure 2")


def app_offline_obs() -> Observations:
    return Observations(keypad_lights=True, keypad_accepts_codes=True,
                        app_status=AppStatus.UNAVAILABLE, update_state=UpdateState.REPORTED_OK,
                        hub_online=True, battery_pct=80, fw_before="2.0.0",
                        fw_target="2.1.0", fw_now="2.1.0", local_control_works=True)


@pytest.fixture
def person_cls() -> type:
    return Person


@pytest.fixture
def fake_lock_cls() -> type:
    return FakeLock
