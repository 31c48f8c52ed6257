#!/usr/bin/env python3
"""Tests of the lockrecover command-line tool (stdlib only).

Usage: test_cli.py PATH_TO_LOCKRECOVER [CLOCK_SHIM.so [docs/CLI.md]]

Every command's help, --version, usage errors (exit 2, valid values listed),
classify / steps / causes JSON, simulate for every protocol x every cause
that applies to it, determinism, diagnose driven from stdin through a whole
recovery and resumed after an interruption (the same prompt again), the state
file's safety (links, FIFOs, devices, sizes, zero bytes, modes, fsync), a
timed hold across a clock that moved as by a reboot, strict numbers, the
docs' script, stdout unwritable, report, and colour rules.
"""
import json
import os
import pty
import re
import select
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time

CLI = None
SHIM = None
DOC = None
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
              isinstance(s.get("settle_s"), int) and isinstance(s.get("cost_min"), int),
              "step has tier, wait_s, settle_s, cost_min: %r" % s.get("id"))
    settles = {s["id"]: s["settle_s"] for s in steps or []}
    check(settles.get("repair.wait_for_reconnect", 0) > 0 and
          any(v > 0 for k, v in settles.items() if k != "repair.wait_for_reconnect"),
          "steps --json shows settle waits: %r" % settles.get("repair.wait_for_reconnect"))
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
    head = p.stdout.splitlines()[0] if p.stdout else ""
    row = [l for l in p.stdout.splitlines() if l.startswith("repair.wait_for_reconnect ")]
    check("settle" in head and row and " 48h " in row[0],
          "steps text has a settle column (48h for the two-day wait): %r" % (row[:1],))
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

# A Z-Wave lock whose update failed on rechargeable cells: the answers, in
# order, each for the prompt it names (the wording the CLI shows).
ZWAVE_SCRIPT = [
    ("How does the lock connect", "3"),            # Z-Wave
    ("What changed shortly before", "4"),          # the lock got an update
    ("get a software update just before", "4"),    # the app said it failed
    ("press a button on the lock's keypad", "4"),  # dark and silent
    ("What does the lock's app show", "4"),        # "Unavailable"
    ("Which apps do you use", "6"),                # Home Assistant
    ("smart-home hub working", "1"),               # yes
    ("What batteries are in the lock", "2"),       # NiMH
    ("version did the lock have before", "1.0.2"),
    ("Which version was the update installing", "1.1.0"),
    ("Which lock is it", "Acme Bolt 3"),
    ("serial number", ""),
    ("error code", "E42"),
    ("Next step: Put in new alkaline batteries", "1"),
    ("does the app reach it", "1"),                # it works now
    ("software version does the app show", "1.1.0"),
    ("try one of your codes", "1"),                # the codes open the lock
]
ZWAVE_ANSWERS = [a for _, a in ZWAVE_SCRIPT]


def drive(args, answers, env, stop_after=None):
    """Runs diagnose, answering each prompt with the next answer (checking it
    is the prompt the script expects), up to stop_after, then closes stdin."""
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.update(env)
    proc = subprocess.Popen([CLI] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=e)
    out, pending, given = b"", b"", 0
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
            if not answers or (stop_after is not None and given >= stop_after):
                proc.stdin.close()
                continue
            want, line = answers.pop(0)
            check(want in pending.decode(), "prompt %r expected, got %r" % (want, pending[-300:]))
            pending = b""
            given += 1
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


def last_prompt(out):
    text = out.rstrip("\n")
    return text[text.rfind("\n\n") + 2:]


def test_diagnose(tmp):
    fast = {"LOCKRECOVER_FAST": "1"}
    state = os.path.join(tmp, "lock.state")
    script = list(ZWAVE_SCRIPT)
    # Interrupted in the opening questions, before any session exists.
    rc, out, err = drive(["diagnose", "--state", state], script, fast, stop_after=2)
    check(rc == 3 and "ran out of answers" in err and "progress is saved" in err,
          "interrupted diagnose exits 3: %d %r" % (rc, err))
    check(os.path.exists(state) and not os.path.exists(state + ".tmp"), "the state file is saved")
    check(stat.S_IMODE(os.stat(state).st_mode) == 0o600, "the state file is 0600")
    pending = last_prompt(out)
    check("get a software update just before" in pending, "the third question is pending")
    p = run("report", "--state", state)
    check(p.returncode == 3 and "not started yet" in p.stderr,
          "report before the session exists: exit 3, said so: %r" % p.stderr)
    # Resumed: the same prompt first, then on to the end.
    rc, out2, err2 = drive(["diagnose", "--state", state], script, fast)
    check("Welcome back" in out2, "the rerun resumes")
    first = out2.split("> ")[0]
    check(last_prompt(first + "> ").strip() == pending.strip(),
          "the rerun shows the pending prompt again")
    check("How does the lock connect" not in out2, "the rerun does not ask answered questions")
    check(rc == 0 and "Good news: your lock works again." in out2,
          "resumed diagnose recovers: %d %r" % (rc, (out2 + err2)[-600:]))
    for part in ("What did it: Put in new alkaline batteries.", "Software version now: 1.1.0.",
                 "Your codes: still there.", "Your time: about", "lockrecover report --state"):
        check(part in out2, "the ending says %r" % part)
    check("\x1b" not in out + err + out2 + err2, "diagnose: no escape codes")
    check("universal." not in out + out2 and "%" not in out + out2,
          "no ids and no percentages without --verbose")

    p = run("report", "--state", state, "--json")
    rep = json_of(p, "report --json")
    check(p.returncode == 0 and isinstance(rep, dict), "report --state --json parses")
    if rep:
        blob = json.dumps(rep)
        check("1.0.2" in blob and "1.1.0" in blob and "E42" in blob and "Acme Bolt 3" in blob,
              "the opening answers reach the report (versions, error code, model)")
    p = run("report", "--state", state)
    check(p.returncode == 0 and "zwave" in p.stdout, "report text")

    # The same answers all at once from a script: the same end, the same history.
    state2 = os.path.join(tmp, "scripted.state")
    p = run("diagnose", "--state", state2, stdin="\n".join(ZWAVE_ANSWERS) + "\n", env=fast)
    check(p.returncode == 0 and "Good news" in p.stdout,
          "diagnose scripted from stdin recovers: %d %r" % (p.returncode, p.stderr))
    r1 = json_of(run("report", "--state", state, "--json"), "report 1")
    r2 = json_of(run("report", "--state", state2, "--json"), "report 2")
    if r1 and r2:
        check([(x["id"], x["outcome"]) for x in r1["steps"]] ==
              [(x["id"], x["outcome"]) for x in r2["steps"]], "the same history both ways")
    # A script that runs out part-way: exit 3, saved; the rest finishes it.
    state3 = os.path.join(tmp, "short.state")
    p = run("diagnose", "--state", state3, stdin="\n".join(ZWAVE_ANSWERS[:14]) + "\n", env=fast)
    check(p.returncode == 3 and "ran out of answers" in p.stderr and os.path.exists(state3),
          "a short script exits 3 with the state saved")
    p = run("diagnose", "--state", state3, stdin="\n".join(ZWAVE_ANSWERS[14:]) + "\n", env=fast)
    check(p.returncode == 0 and "Good news" in p.stdout, "the short script's rest finishes it")
    # --verbose shows the ids.
    p = run("diagnose", "--verbose", stdin="\n".join(ZWAVE_ANSWERS) + "\n", env=fast)
    check(p.returncode == 0 and "universal.fresh_alkaline" in p.stdout, "--verbose shows step ids")
    # A wrong answer asks the same question again, and is not taken for another.
    p = run("diagnose", "--protocol", "ble", stdin="10\n0\n1.5\n 2\n", env=fast)
    check(p.stdout.count("Please type") == 3 and p.stdout.count("What changed shortly") == 4,
          "invalid choices re-ask the same question: %r" % p.stdout[-400:])
    # A corrupt state file is an error, not a silent restart.
    bad = os.path.join(tmp, "bad.state")
    with open(bad, "wb") as f:
        f.write(b"not a session")
    p = run("diagnose", "--state", bad, stdin="", env=fast)
    check(p.returncode == 3 and bad in p.stderr, "a corrupt state file: exit 3")
    p = run("report", "--state", os.path.join(tmp, "missing.state"))
    check(p.returncode == 3, "report of a missing file: exit 3")


def test_resume_guards(tmp):
    """An answer applies only to the prompt the person saw: a run that ends
    at "what would you like to do?" shows that prompt again, and "1" there
    leaves the step out; it is never taken as "yes" to a safety question.
    And nothing that takes the power away is shown while an update may run."""
    fast = {"LOCKRECOVER_FAST": "1"}
    # A stuck update the person does not know about at first: nothing that
    # cuts power is offered while it may run; asked again whether it is still
    # running, "don't know" (5) hands the lock over rather than risk it. A
    # number past the last choice (6) is not an answer.
    state = os.path.join(tmp, "update.state")
    answers = ["3", "4", "6", "1", "", "4", "6", "4", "1", "1", "", "", "", "", "", "6", "5"]
    out = ""
    for a in answers:
        p = run("diagnose", "--state", state, stdin=a + "\n", env=fast)
        out += p.stdout
    check(p.returncode == 1 and "needs the lock maker's help" in p.stdout and
          "the update may still be running: leave the batteries in" in p.stdout,
          "an update that may still run is handed over: %d %r" % (p.returncode, p.stdout[-300:]))
    check("is the update still running?" in out and "Please type one number from 1 to 5" in out,
          "the update is asked again in its own words, 6 refused: %r" % out[-600:])
    r = json_of(run("report", "--state", state, "--json"), "report")
    if r:
        check(all(x["outcome"] != "done" or not x["id"].startswith("universal.battery")
                  for x in r["steps"]), "no power was cut")
    check("Next step: Take the batteries out" not in out,
          "the battery pull is never shown as a step to do while an update may run")
    # A Zigbee lock that nothing fixes, up to a re-pair that may erase the
    # codes this tool cannot copy, and the person has not written them down
    # (the copy skipped, "no, not yet" to the written list): blocked, with
    # the choice pending.
    state = os.path.join(tmp, "guard.state")
    answers = ["4", "7", "1", "2", "1", "1", "1", "", "", "", "1", "1", "2", "1", "1", "2",
               "1 2 3 4 5 6", "1", "2", "1", "2", "1", "2", "1", "1", "2", "1", "2", "1", "2", "3",
               "2"]
    for a in answers:
        p = run("diagnose", "--state", state, stdin=a + "\n", env=fast)
    p = run("diagnose", "--state", state, stdin="", env=fast)
    pending = last_prompt(p.stdout)
    check("What would you like to do?" in pending and "cannot be done safely" in p.stdout,
          "a blocked step's choice is pending: %r" % p.stdout[-500:])
    p = run("diagnose", "--state", state, stdin="1\n", env=fast)
    check(p.returncode == 3, "one answer per run")
    r = json_of(run("report", "--state", state, "--json"), "report")
    if r:
        check(len(r.get("waivers", [])) == 1, "the answer left the step out: %r" % r.get("waivers"))
        check(all(w["reason"] == "the person chose to leave it out"
                  for w in r.get("waivers", [])), "waiver reasons are whole: %r" % r.get("waivers"))


# ---- the state file ---------------------------------------------------------

def scripted(state, n, env=None):
    e = {"LOCKRECOVER_FAST": "1"}
    e.update(env or {})
    return run("diagnose", "--state", state, stdin="\n".join(ZWAVE_ANSWERS[:n]) + "\n", env=e)


def test_state_file(tmp):
    victim = os.path.join(tmp, "victim")
    with open(victim, "w") as f:
        f.write("precious")
    # A planted FILE.tmp link is never written through.
    state = os.path.join(tmp, "planted.state")
    os.symlink(victim, state + ".tmp")
    p = scripted(state, 2)
    check(p.returncode == 3 and "symbolic link" in p.stderr, "a planted FILE.tmp link: exit 3, "
          "said so: %r" % p.stderr)
    with open(victim) as f:
        check(f.read() == "precious", "the victim of a planted link is untouched")
    # A state path that is a link is refused, and stays a link.
    link = os.path.join(tmp, "link.state")
    os.symlink(victim, link)
    p = scripted(link, 2)
    check(p.returncode == 3 and "symbolic link" in p.stderr, "a linked state file: exit 3")
    check(os.path.islink(link), "the link is not replaced by a file")
    p = run("report", "--state", link)
    check(p.returncode == 3 and "symbolic link" in p.stderr, "report refuses a link too")
    # A FIFO or a device: refused at once, never read from or blocked on.
    fifo = os.path.join(tmp, "fifo.state")
    os.mkfifo(fifo)
    for path in (fifo, "/dev/null", tmp):
        p = run("diagnose", "--state", path, stdin="", env={"LOCKRECOVER_FAST": "1"}, timeout=10)
        check(p.returncode == 3 and "not a regular file" in p.stderr,
              "%s as the state file: exit 3, said so: %r" % (path, p.stderr))
        p = run("report", "--state", path, timeout=10)
        check(p.returncode == 3 and "not a regular file" in p.stderr, "report refuses %s" % path)
    # Oversized, empty and zero-filled files get their own words.
    big = os.path.join(tmp, "big.state")
    with open(big, "wb") as f:
        f.truncate(1 << 30)
    p = run("report", "--state", big)
    check(p.returncode == 3 and "too large" in p.stderr, "a 1 GB file is too large: %r" % p.stderr)
    zero = os.path.join(tmp, "zero.state")
    with open(zero, "wb") as f:
        f.write(b"\0" * 3000)
    p = run("diagnose", "--state", zero, stdin="", env={"LOCKRECOVER_FAST": "1"})
    check(p.returncode == 3 and "only zero bytes" in p.stderr, "a zero-filled file: %r" % p.stderr)
    empty = os.path.join(tmp, "empty.state")
    open(empty, "wb").close()
    p = run("report", "--state", empty)
    check(p.returncode == 3 and "empty" in p.stderr, "an empty file: %r" % p.stderr)
    # A crash's leftover FILE.tmp (a regular file) does not stop the next save.
    state = os.path.join(tmp, "leftover.state")
    with open(state + ".tmp", "w") as f:
        f.write("half a save")
    p = scripted(state, 2)
    check(p.returncode == 3 and "ran out of answers" in p.stderr and
          not os.path.exists(state + ".tmp"), "a leftover FILE.tmp is replaced")
    # The file and its directory are synced (strace, where it exists).
    if shutil.which("strace"):
        state = os.path.join(tmp, "synced.state")
        trace = os.path.join(tmp, "trace")
        e = dict(os.environ, LOCKRECOVER_FAST="1")
        subprocess.run(["strace", "-f", "-o", trace, "-e", "trace=openat,open,fsync,rename,renameat,"
                        "renameat2", CLI, "diagnose", "--state", state], input="3\n",
                       capture_output=True, text=True, env=e, timeout=60)
        with open(trace) as f:
            t = f.read()
        fds = {}
        for m in re.finditer(r'open(?:at)?\((?:AT_FDCWD, )?"([^"]*)", ([^)]*)\) = (\d+)', t):
            fds.setdefault(m.group(3), []).append((m.group(1), m.group(2)))
        synced = set()
        for m in re.finditer(r"fsync\((\d+)\)\s+= 0", t):
            synced.update(path for path, _ in fds.get(m.group(1), []))
        check(state + ".tmp" in synced and tmp in synced,
              "the temporary file and the directory are fsynced: %s" % sorted(synced))
        check(re.search(r'"%s\.tmp", O_WRONLY\|O_CREAT\|O_EXCL\|O_NOFOLLOW' % re.escape(state), t)
              is not None and "0600" in t, "FILE.tmp is created O_EXCL|O_NOFOLLOW, 0600")
    else:
        print("SKIP: strace not found (fsync checks)")


def test_forged_cli_state(tmp):
    """Every number the tool keeps in its state file, set to values it never
    writes (checksum recomputed, as a forger would): a run ends in an exit
    code, never a crash, and never answers a prompt the state cannot explain."""
    import struct
    import zlib
    fast = {"LOCKRECOVER_FAST": "1"}
    for n in (3, 14):
        state = os.path.join(tmp, "forge%d.state" % n)
        scripted(state, n)
        with open(state, "rb") as f:
            good = f.read()
        check(good[:8] == b"LKRCLI\x01\n", "the state file starts with its magic")
        count = struct.unpack_from("<I", good, 8)[0]
        for field in range(count):
            for value in (0, 1, 2, 3, 7, 9, 13, 17, 20, 21, 23, 24, 25, 99, 0x7FFFFFFF, 0xFFFFFFFF):
                body = bytearray(good[:-4])
                struct.pack_into("<I", body, 12 + 4 * field, value)
                forged = bytes(body) + struct.pack("<I", zlib.crc32(bytes(body)) & 0xFFFFFFFF)
                path = os.path.join(tmp, "forged.state")
                with open(path, "wb") as f:
                    f.write(forged)
                p = run("diagnose", "--state", path, stdin="1\n", env=fast, timeout=30)
                if p.returncode not in (0, 1, 3):
                    check(False, "forged field %d = %d: exit %d %r" % (field, value, p.returncode,
                                                                     p.stderr[-300:]))
        check(True, "forged CLI numbers end in an exit code (%d fields)" % count)
    # A damaged checksum is refused as damaged.
    with open(state, "rb") as f:
        b = bytearray(f.read())
    b[20] ^= 1
    with open(state, "wb") as f:
        f.write(bytes(b))
    p = run("diagnose", "--state", state, stdin="", env=fast)
    check(p.returncode == 3 and "damaged" in p.stderr, "a damaged state file: %r" % p.stderr)


def test_stdout_unwritable(tmp):
    state = os.path.join(tmp, "full.state")
    e = dict(os.environ, LOCKRECOVER_FAST="1")
    with open("/dev/full", "w") as full:
        p = subprocess.run([CLI, "diagnose", "--state", state], input="\n".join(ZWAVE_ANSWERS) + "\n",
                           stdout=full, stderr=subprocess.PIPE, text=True, env=e, timeout=60)
        check(p.returncode == 3 and "cannot write the output" in p.stderr and
              "lockrecover report --state" in p.stderr,
              "diagnose with stdout unwritable: exit 3, said so: %d %r" % (p.returncode, p.stderr))
        p = subprocess.run([CLI, "report", "--state", state], stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        check(p.returncode == 3 and "cannot write the output" in p.stderr,
              "report with stdout unwritable: exit 3")
    p = run("report", "--state", state)
    check(p.returncode == 0, "the session saved while stdout was full reports afterwards")


def test_reboot_hold(tmp):
    """Killed during the 30-second battery pull and resumed on a clock that
    moved (CLOCK_MONOTONIC shifted as by a reboot or days of uptime), the hold
    goes on with its remaining time: it neither ends at once nor restarts."""
    if SHIM is None:
        print("SKIP: no clock shim")
        return
    # BLE, nothing known, keypad dark: the battery pull comes first.
    answers = ["2", "9", "6", "2", "4", "5", "1", "2", "1", "", "", "", "1"]
    for shift in ("10000000000", "-1000000"):
        state = os.path.join(tmp, "hold%s.state" % shift)
        p = run("diagnose", "--state", state, stdin="\n".join(answers[:-1]) + "\n",
                env={"LOCKRECOVER_FAST": "1"})
        check(p.returncode == 3 and "Take the batteries out for 30 seconds" in p.stdout,
              "the battery pull is pending: %r" % p.stdout[-300:])
        if shift.startswith("1"):
            q = run("diagnose", "--state", state + ".fast", stdin="\n".join(answers) + "\n",
                    env={"LOCKRECOVER_FAST": "1"})
            check("0:30 (keep it that way)" in q.stdout and "LOCKRECOVER_FAST" in q.stdout and
                  "Time is up. Put the batteries back" in q.stdout,
                  "LOCKRECOVER_FAST: the hold jumps on the virtual clock")
        # Real clock: answer "done", let the hold run 3 s, then kill.
        e = dict(os.environ)
        e.pop("LOCKRECOVER_FAST", None)
        proc = subprocess.Popen([CLI, "diagnose", "--state", state], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
        proc.stdin.write(b"1\n")
        proc.stdin.flush()
        time.sleep(3.5)
        proc.kill()
        proc.wait()
        out1 = proc.stdout.read().decode()
        check("0:30 left" in out1 or "0:29 left" in out1, "the hold started: %r" % out1[-200:])
        # Resumed after the "reboot": the countdown goes on from what was left.
        e["LD_PRELOAD"] = SHIM
        e["LKR_TEST_CLOCK_SHIFT_MS"] = shift
        proc = subprocess.Popen([CLI, "diagnose", "--state", state], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
        proc.stdin.close()
        line = b""
        deadline = time.time() + 10
        while time.time() < deadline and not re.search(rb"\d:\d\d left|Time is up", line):
            r, _, _ = select.select([proc.stdout], [], [], 1)
            if r:
                chunk = os.read(proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                line += chunk
        proc.kill()
        proc.wait()
        err = proc.stderr.read().decode()
        if "ASan" in err or "LD_PRELOAD" in err:
            print("SKIP: the clock shim cannot load here: %s" % err[:200])
            return
        m = re.search(rb"0:(\d\d) left", line)
        check(m is not None and 20 <= int(m.group(1)) <= 28,
              "shift %s: the hold goes on with its remaining time: %r" % (shift, line[-300:]))


def test_numbers():
    bad = [" 5", "+5", "05", "-5", "5x", "", "0x10", "5 ", "101"]
    for v in bad:
        p = run("classify", "--protocol", "zwave", "--battery", v)
        check(p.returncode == 2 and "0..100" in p.stderr and "digits only" in p.stderr,
              "--battery %r is refused with the range: %r" % (v, p.stderr))
    for v in ("0", "5", "100"):
        p = run("classify", "--protocol", "zwave", "--battery", v)
        check(p.returncode == 0, "--battery %s is accepted" % v)
    for v in (" -5", "-5", "010", "0x10", "+1", "18446744073709551616", "1e3"):
        p = run("simulate", "--protocol", "zwave", "--cause", "hub_offline", "--seed", v)
        check(p.returncode == 2 and "0..18446744073709551615" in p.stderr,
              "--seed %r is refused with the range: %r" % (v, p.stderr))
    for v in ("0", "10", "18446744073709551615"):
        p = run("simulate", "--protocol", "zwave", "--cause", "hub_offline", "--seed", v, "--json")
        check(p.returncode in (0, 1), "--seed %s is accepted" % v)


def test_docs_script(tmp):
    """The scripting example of docs/CLI.md answers in step with the prompts."""
    if DOC is None:
        print("SKIP: docs/CLI.md not given")
        return
    with open(DOC) as f:
        doc = f.read()
    m = re.search(r"```sh\n(printf '[^']*' \|\n\s*LOCKRECOVER_FAST=1 lockrecover diagnose[^\n]*)\n```",
                  doc)
    check(m is not None, "docs/CLI.md has the scripting example")
    if m is None:
        return
    cmd = m.group(1).replace("lockrecover diagnose", shlex.quote(CLI) + " diagnose")
    p = subprocess.run(["sh", "-c", cmd], cwd=tmp, capture_output=True, text=True, timeout=60)
    check(p.returncode == 0 and "Good news" in p.stdout and "Please type" not in p.stdout,
          "the docs' script recovers, every answer taken: %d %r" % (p.returncode, p.stdout[-500:]))


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
    global CLI, SHIM, DOC
    if len(sys.argv) not in (2, 3, 4):
        print(__doc__)
        return 2
    CLI = os.path.abspath(sys.argv[1])
    SHIM = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    DOC = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
    test_help_and_version()
    test_usage_errors()
    test_classify()
    causes = test_catalog()
    test_simulate(causes)
    test_numbers()
    with tempfile.TemporaryDirectory() as tmp:
        test_diagnose(tmp)
        test_resume_guards(tmp)
        test_state_file(tmp)
        test_forged_cli_state(tmp)
        test_stdout_unwritable(tmp)
        test_reboot_hold(tmp)
        test_docs_script(tmp)
    test_colour()
    print("%d passed, %d failed" % (PASSED, len(FAILED)))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
