#!/usr/bin/env python3
"""Tests of the lockrecover command-line tool (stdlib only).

Usage: test_cli.py PATH_TO_LOCKRECOVER

Every command's help, --version, usage errors (exit 2, valid values listed),
classify / steps / causes JSON, simulate for every protocol x every cause
that applies to it, determinism, diagnose driven from stdin through a whole
recovery and resumed after an interruption, report, and colour rules.
"""
import json
import os
import pty
import select
import subprocess
import sys
import tempfile

CLI = None
PASSED = 0
FAILED = []
PROTOCOLS = ["wifi", "ble", "zwave", "zigbee", "matter"]
COMMANDS = ["diagnose", "classify", "simulate", "report", "steps", "causes"]
SIM_KEYS = {"protocol", "cause", "causes", "outcome", "steps", "minutes", "codes_before",
            "codes_after", "codes_lost", "unsafe_steps"}
OUTCOMES = {"fixed", "not_fixed", "done", "skipped", "cannot_do", "failed", "waived",
            "refuted", "handed_over"}


def run(*args, stdin=None, env=None, timeout=60):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.update(env or {})
    p = subprocess.run([CLI] + list(args), input=stdin, capture_output=True, text=True,
                       env=e, timeout=timeout)
    for stream in (p.stdout, p.stderr):
        check("\x1b" not in stream, "no escape codes when not a terminal: %s" % " ".join(args))
    return p


def check(cond, what):
    global PASSED
    if cond:
        PASSED += 1
    else:
        FAILED.append(what)
        print("FAIL: " + what, flush=True)


def json_of(p, what):
    try:
        return json.loads(p.stdout)
    except ValueError as err:
        check(False, "%s: stdout is not JSON (%s): %r" % (what, err, p.stdout[:300]))
        return None


def test_help_and_version():
    for args in (["--help"], ["-h"], ["help"]):
        p = run(*args)
        check(p.returncode == 0 and "Usage" in p.stdout, "%s exits 0 with usage" % args)
    for cmd in COMMANDS:
        for args in ([cmd, "--help"], ["help", cmd]):
            p = run(*args)
            check(p.returncode == 0 and "Usage: lockrecover " + cmd in p.stdout,
                  "%s exits 0 with its usage" % args)
    p = run("--version")
    check(p.returncode == 0 and p.stdout.startswith("lockrecover ") and
          p.stdout.split()[1][0].isdigit(), "--version prints the library version")


def test_usage_errors():
    cases = [
        (["classify", "--protocol", "zwave", "--bogus"], ["unknown option", "--keypad"]),
        (["classify", "--protocol", "zwave", "--app", "sideways"], ["no-response", "unavailable"]),
        (["classify", "--protocol", "zwave", "--battery", "200"], ["0..100"]),
        (["classify", "--protocol", "lora"], PROTOCOLS),
        (["classify", "--keypad", "no"], ["--protocol"]),
        (["steps", "--protocol", "lora"], PROTOCOLS),
        (["steps", "--json=1"], ["takes no value"]),
        (["simulate", "--protocol", "zwave", "--cause", "gremlins"],
         ["hub_session_mismatch", "hardware_failure"]),
        (["simulate", "--protocol", "ble", "--cause", "thread_mesh_lost"], ["phone_ble_bug"]),
        (["simulate", "--protocol", "zwave"], ["--cause"]),
        (["simulate", "--protocol", "zwave", "--cause", "hub_offline", "--chemistry", "coal"],
         ["alkaline", "nimh"]),
        (["simulate", "--protocol", "zwave", "--cause", "hub_offline", "--seed"], ["needs a value"]),
        (["diagnose", "--protocol", "x10"], PROTOCOLS),
        (["report"], ["--state"]),
        (["frobnicate"], ["diagnose", "simulate"]),
        (["help", "frobnicate"], ["classify"]),
        (["causes", "extra"], ["unexpected argument"]),
        ([], ["Usage"]),
    ]
    for args, needles in cases:
        p = run(*args)
        check(p.returncode == 2, "%s exits 2 (got %d)" % (args, p.returncode))
        for n in needles:
            check(n in p.stderr, "%s: stderr names %r: %r" % (args, n, p.stderr[:400]))
        check(p.stdout == "" or not args, "%s: nothing on stdout" % args)


def test_classify():
    p = run("classify", "--protocol", "zwave", "--keypad", "no", "--update", "reported-failed",
            "--battery", "45", "--json")
    check(p.returncode == 0, "classify --json exits 0")
    d = json_of(p, "classify --json")
    if d is None:
        return
    check(set(d) == {"symptom", "entry_tier", "causes", "triage"}, "classify keys: %s" % sorted(d))
    check(d["symptom"] == "completely_silent", "dark Z-Wave keypad after a failed update is "
          "completely_silent (got %s)" % d["symptom"])
    check(isinstance(d["entry_tier"], str) and d["entry_tier"], "entry_tier is a tier sid")
    check(all(set(c) == {"id", "p"} and 0 < c["p"] <= 1 for c in d["causes"]), "causes are {id, p}")
    check(abs(sum(c["p"] for c in d["causes"]) - 1) < 1e-3, "cause probabilities sum to 1")
    ps = [c["p"] for c in d["causes"]]
    check(ps == sorted(ps, reverse=True), "causes ranked")
    check(all(isinstance(t, str) for t in d["triage"]) and "zwave_low_battery" in d["triage"],
          "triage flags by name: %s" % d["triage"])
    p = run("classify", "--protocol", "zwave", "--keypad", "no", "--update", "reported-failed")
    check(p.returncode == 0 and "completely_silent" in p.stdout and "%" in p.stdout,
          "classify text shows symptom and percentages")
    p = run("classify", "--protocol", "wifi", "--keypad", "yes", "--codes-accepted", "yes",
            "--app", "offline", "--update", "reported-ok", "--fw-target", "1.2", "--fw-now", "1.2",
            "--ecosystem", "alexa", "--ecosystem", "google", "--has-bridge", "yes",
            "--bridge", "yes", "--router", "yes", "--other-wifi", "yes", "--json")
    d = json_of(p, "classify wifi")
    check(d is not None and d["symptom"] == "local_ok_app_offline",
          "Wi-Fi keypad fine, app offline: local_ok_app_offline")


def test_catalog():
    p = run("steps", "--json")
    steps = json_of(p, "steps --json")
    check(p.returncode == 0 and isinstance(steps, list) and len(steps) == 63,
          "steps --json lists 63 steps")
    for s in steps or []:
        check(isinstance(s.get("id"), str) and isinstance(s.get("title"), str) and s["title"],
              "step has id and title: %r" % s)
        check(isinstance(s.get("tier"), str) and isinstance(s.get("wait_s"), int) and
              isinstance(s.get("cost_min"), int), "step has tier, wait_s, cost_min: %r" % s.get("id"))
    p = run("steps", "--protocol", "zwave", "--json")
    zw = json_of(p, "steps --protocol zwave") or []
    ids = {s["id"] for s in zw}
    check(0 < len(zw) < 63, "steps --protocol zwave is a subset")
    check("zwave.exclude_reinclude" in ids and not any(i.startswith("wifi.") for i in ids),
          "Z-Wave steps, no Wi-Fi steps")
    p = run("causes", "--json")
    causes = json_of(p, "causes --json")
    check(p.returncode == 0 and isinstance(causes, list) and len(causes) == 25,
          "causes --json lists 25 causes")
    for c in causes or []:
        check(isinstance(c.get("id"), str) and isinstance(c.get("title"), str) and
              isinstance(c.get("protocols"), list), "cause has id, title, protocols: %r" % c)
    p = run("steps")
    check(p.returncode == 0 and "zwave.restart_hub" in p.stdout, "steps text")
    p = run("causes")
    check(p.returncode == 0 and "thread_mesh_lost" in p.stdout, "causes text")
    return causes or []


def simulate_json(protocol, cause, *extra):
    p = run("simulate", "--protocol", protocol, "--cause", cause, "--json", *extra)
    return p, json_of(p, "simulate %s %s" % (protocol, cause))


def test_simulate(causes):
    fixable = {"wifi": "wifi_stack_crash", "ble": "phone_ble_bug", "zwave": "hub_session_mismatch",
               "zigbee": "hub_session_mismatch", "matter": "thread_mesh_lost"}
    for proto, cause in fixable.items():
        p, d = simulate_json(proto, cause, "--seed", "7")
        if d is None:
            continue
        check(set(d) == SIM_KEYS, "simulate keys: %s" % sorted(d))
        check(p.returncode == 0 and d["outcome"] == "recovered",
              "%s %s recovers (exit %d, %s)" % (proto, cause, p.returncode, d["outcome"]))
        check(d["protocol"] == proto and d["cause"] == cause and d["causes"] == [cause],
              "simulate names protocol and cause")
        check(d["unsafe_steps"] == 0 and d["codes_lost"] == 0 and
              d["codes_after"] == d["codes_before"], "%s %s: codes intact, nothing unsafe" % (proto, cause))
        check(all(set(s) == {"id", "tier", "outcome", "at_s"} and s["outcome"] in OUTCOMES and
                  isinstance(s["at_s"], (int, float)) for s in d["steps"]) and d["steps"],
              "%s %s: steps are {id, tier, outcome, at_s}" % (proto, cause))
        check(isinstance(d["minutes"], int) and d["minutes"] > 0, "minutes is a number")
        p2, _ = simulate_json(proto, cause, "--seed", "7")
        check(p2.stdout == p.stdout, "%s %s: the same seed gives the same JSON" % (proto, cause))
    for proto in PROTOCOLS:
        p, d = simulate_json(proto, "hardware_failure")
        check(d is not None and p.returncode == 1 and d["outcome"] == "needs_support",
              "%s hardware_failure needs support, exit 1" % proto)
    # every protocol x every cause that applies to it
    for proto in PROTOCOLS:
        for c in causes:
            if proto not in c["protocols"]:
                continue
            p, d = simulate_json(proto, c["id"], "--seed", "3")
            if d is None:
                continue
            ok = (d["outcome"] == "recovered" and p.returncode == 0) or \
                 (d["outcome"] == "needs_support" and p.returncode == 1)
            check(ok and d["codes_lost"] == 0 and d["unsafe_steps"] == 0,
                  "%s %s: %s, exit %d, codes_lost %s, unsafe %s" % (
                      proto, c["id"], d["outcome"], p.returncode, d["codes_lost"], d["unsafe_steps"]))
    p, d = simulate_json("wifi", "weak_signal", "--cause", "new_ip_address", "--bridge",
                         "--ecosystem", "alexa", "--battery-pct", "60", "--chemistry", "lithium")
    check(d is not None and d["causes"] == ["weak_signal", "new_ip_address"] and
          d["outcome"] in ("recovered", "needs_support"), "two causes, bridge, options")
    p = run("simulate", "--protocol", "zwave", "--cause", "hub_session_mismatch",
            "--ecosystem", "smartthings", "--seed", "7")
    check(p.returncode == 0 and "zwave.check_battery" in p.stdout and "recovered" in p.stdout,
          "simulate text mode")
    p = run("simulate", "--protocol", "wifi", "--cause", "hardware_failure")
    check(p.returncode == 1 and "support.contact_manufacturer" in p.stdout,
          "simulate text mode prints the support report")


# ---- diagnose, driven through a pipe ---------------------------------------

class Person:
    """Answers diagnose's prompts the way a person with a silent Z-Wave lock would."""

    def __init__(self):
        self.keypad_asked = 0
        self.verifies = 0
        self.answers = []

    def answer(self, prompt):
        if "Which apps or hubs" in prompt:
            a = "4"
        elif "firmware update involved" in prompt:
            a = "4"  # the app said it failed
        elif "light up or beep" in prompt:
            self.keypad_asked += 1
            a = "2" if self.keypad_asked == 1 else "1"
        elif '"Offline"' in prompt:
            a = "2"
        elif "every code works" in prompt:
            a = "4"
        elif "yes, it works" in prompt:
            self.verifies += 1
            a = "1" if self.verifies >= 2 else "2"
        elif "Does this hold now" in prompt:
            a = "1"
        elif "What now?" in prompt:
            a = "1"
        elif "done? [d]one" in prompt:
            a = "d"
        elif "choose 1-3" in prompt:
            a = "3"
        else:
            a = ""  # minutes, versions, reasons: the default
        self.answers.append(a)
        return a


def drive(args, person, max_answers, env):
    """Runs diagnose, answering up to max_answers prompts, then closes stdin."""
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.update(env)
    proc = subprocess.Popen([CLI] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=e)
    out, pending, answered = b"", b"", 0
    fd = proc.stdout.fileno()
    while True:
        r, _, _ = select.select([fd], [], [], 30)
        if not r:
            proc.kill()
            check(False, "diagnose hung waiting: %r" % pending[-300:])
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        out += chunk
        pending += chunk
        if pending.endswith(b"> "):
            if answered >= max_answers:
                proc.stdin.close()
                continue
            line = person.answer(pending.decode())
            pending = b""
            answered += 1
            try:
                proc.stdin.write((line + "\n").encode())
                proc.stdin.flush()
            except BrokenPipeError:
                break
    err = proc.stderr.read().decode()
    proc.wait(timeout=30)
    if not proc.stdin.closed:
        proc.stdin.close()
    return proc.returncode, out.decode(), err


def test_diagnose(tmp):
    fast = {"LOCKRECOVER_FAST": "1"}
    state = os.path.join(tmp, "lock.state")
    person = Person()
    rc, out, err = drive(["diagnose", "--protocol", "zwave", "--state", state], person, 3, fast)
    check(rc == 3 and "ran out of answers" in err, "interrupted diagnose exits 3: %d %r" % (rc, err))
    check(os.path.exists(state) and not os.path.exists(state + ".tmp"), "the state file is saved")
    check("Which apps or hubs" in out and "firmware update involved" in out, "first questions asked")
    check("\x1b" not in out + err, "diagnose: no escape codes")
    first = len(person.answers)

    rc, out2, err2 = drive(["diagnose", "--state", state], person, 500, fast)
    check("Resuming" in out2, "the rerun resumes")
    check("Which apps or hubs" not in out2 and "firmware update involved" not in out2,
          "the rerun does not ask the first questions again")
    check(rc == 0 and "Recovered" in out2, "resumed diagnose recovers: %d %r" % (rc, (out2 + err2)[-600:]))
    check("LOCKRECOVER_FAST" in out + out2, "waits jump on the virtual clock")
    check("\x1b" not in out2 + err2, "diagnose: no escape codes")

    p = run("report", "--state", state, "--json")
    rep = json_of(p, "report --json")
    check(p.returncode == 0 and isinstance(rep, dict), "report --state --json parses")
    p = run("report", "--state", state)
    check(p.returncode == 0 and "zwave" in p.stdout, "report text")

    # The same answers, all at once from a script, without interruption.
    state2 = os.path.join(tmp, "scripted.state")
    script = "\n".join(person.answers) + "\n"
    p = run("diagnose", "--protocol", "zwave", "--state", state2, stdin=script, env=fast)
    check(p.returncode == 0 and "Recovered" in p.stdout,
          "diagnose scripted from stdin recovers: %d %r" % (p.returncode, p.stderr))
    check(len(person.answers) > first, "answers were needed after the resume")
    # A script that runs out part-way: exit 3, message, state saved.
    state3 = os.path.join(tmp, "short.state")
    p = run("diagnose", "--protocol", "zwave", "--state", state3,
            stdin="\n".join(person.answers[:5]) + "\n", env=fast)
    check(p.returncode == 3 and "ran out of answers" in p.stderr and os.path.exists(state3),
          "a short script exits 3 with the state saved")
    p = run("diagnose", "--state", state3, stdin="\n".join(person.answers[5:]) + "\n", env=fast)
    check(p.returncode == 0 and "Recovered" in p.stdout, "the short script's rest finishes it")
    # A corrupt state file is an error, not a silent restart.
    bad = os.path.join(tmp, "bad.state")
    with open(bad, "wb") as f:
        f.write(b"not a session")
    p = run("diagnose", "--state", bad, stdin="", env=fast)
    check(p.returncode == 3 and bad in p.stderr, "a corrupt state file: exit 3")
    p = run("report", "--state", os.path.join(tmp, "missing.state"))
    check(p.returncode == 3, "report of a missing file: exit 3")
    # All defaults: the ladder is walked to the support hand-over.
    p = run("diagnose", "--protocol", "ble", stdin="\n" * 400, env=fast)
    check(p.returncode in (0, 1), "diagnose with all defaults ends (%d)" % p.returncode)


def test_colour():
    """On a terminal: colour unless NO_COLOR is set."""
    for no_color, want in ((None, True), ("1", False)):
        master, slave = pty.openpty()
        e = dict(os.environ)
        e.pop("NO_COLOR", None)
        if no_color is not None:
            e["NO_COLOR"] = no_color
        proc = subprocess.Popen([CLI, "simulate", "--protocol", "zwave", "--cause",
                                 "hub_session_mismatch"], stdout=slave, stderr=slave, env=e)
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        proc.wait(timeout=30)
        os.close(master)
        check((b"\x1b[" in out) == want, "terminal output %s escape codes with NO_COLOR=%s" % (
            "has" if want else "has no", no_color))


def main():
    global CLI
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    CLI = os.path.abspath(sys.argv[1])
    test_help_and_version()
    test_usage_errors()
    test_classify()
    causes = test_catalog()
    test_simulate(causes)
    with tempfile.TemporaryDirectory() as tmp:
        test_diagnose(tmp)
    test_colour()
    print("%d passed, %d failed" % (PASSED, len(FAILED)))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
