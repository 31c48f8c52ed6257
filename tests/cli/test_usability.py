#!/usr/bin/env python3
"""Usability suite of `lockrecover diagnose` (stdlib only).

Usage: test_usability.py PATH_TO_LOCKRECOVER

Scripted people, each with a hidden truth (what is wrong with their lock,
what they can and cannot do, what they know), answer every prompt by rules
from what they see on the screen, as a person would: never by an id, only
by the words shown. Each drives the real CLI one answer per run (the
terminal closed after every answer, as a person who stops and comes back
would), with LOCKRECOVER_FAST=1. For every person the suite asserts:
  - the right end (recovered, or handed to the lock maker) within a budget
    of answers, with the ending's parts (what fixed it, what is still
    wrong, the time, how to get the report);
  - no unsafe step is ever shown (taking power away while an update may
    run, a factory reset);
  - no catalog id and no percentage ever reaches the screen;
  - every prompt a resumed run shows is the prompt the last run left
    pending (exact resume);
  - the same answers given all at once, in one run, reach the same end
    with the same history.
A prompt a person cannot map to an answer is a failure too: the wording
did not say what to do.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

CLI = None
PASSED = 0
FAILED = []
FAST = {"LOCKRECOVER_FAST": "1"}


def check(cond, what):
    global PASSED
    if cond:
        PASSED += 1
    else:
        FAILED.append(what)
        print("FAIL: " + what, flush=True)


def env(extra=None):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.update(FAST)
    e.update(extra or {})
    return e


def catalog_ids():
    ids = set()
    for cmd in ("steps", "causes"):
        p = subprocess.run([CLI, cmd, "--json"], capture_output=True, text=True, check=True)
        ids.update(x["id"] for x in json.loads(p.stdout))
    # one-word ids ("reset", "code") are ordinary words; only the dotted or
    # underscored ones cannot be told from plain text
    return {i for i in ids if "." in i or "_" in i}


# ---- a prompt, as the person sees it -----------------------------------------

def last_prompt(out):
    """The last prompt on the screen: from the blank line before it to the '> '."""
    text = out.rstrip("\n")
    start = text.rfind("\n\n")
    return text[start + 2:] if start >= 0 else text


def options(prompt):
    """{number: label} of a numbered prompt."""
    return {int(m.group(1)): m.group(2).strip()
            for m in re.finditer(r"^  (\d+)\) (.*)$", prompt, re.M)}


def pick(prompt, *wanted):
    """The number of the first option containing one of the wanted words."""
    opts = options(prompt)
    for w in wanted:
        w = w.lower()
        for test in (lambda l: l == w, lambda l: l.startswith(w), lambda l: w in l):
            for n, label in sorted(opts.items()):
                if test(label.lower()):
                    return str(n)
    return None


class Person:
    """A person with a hidden truth, answering by what they see."""

    budget = 30
    expect_rc = 0
    must_see = ()
    unsafe = ("Reset the lock to its factory settings",)

    def __init__(self):
        self.done = []       # step titles done
        self.fixed = False
        self.answers = []
        self.seen_titles = []

    # the truth, per person
    protocol = ""
    changes = ()
    app_shows = "don't know"
    keypad = "don't know"
    other_wifi = "don't know"
    hub = "don't know"
    apps = ("don't know",)
    batteries = "don't know"
    bridge = "don't know"
    other_phone = "don't know"
    # the questions worth asking, when the engine puts them
    second_phone = "don't know"
    hub_devices = "don't know"
    update_waiting = "don't know"
    keypad_lights = "yes"
    codes = "every code works"
    phone_near = "don't know"
    update = "no update"
    running = "no, nothing"
    running_later = "don't know"  # asked again, after the steps that keep the power on
    stalled_min = ""
    version_now = ""
    codes_noted = False       # every code and its slot is written down
    cannot = ()               # step titles they cannot do
    other_way = ()            # ... but can by the other route offered
    fixes = ()                # step titles that bring the lock back

    def step_done(self, title):
        self.done.append(title)
        if any(f in title for f in self.fixes):
            self.fixed = True

    def answer(self, prompt):
        a = self.rule(prompt)
        if a is None:
            check(False, "%s: cannot answer the prompt %r" % (self.name, prompt[-400:]))
            a = ""
        self.answers.append(a)
        return a

    def rule(self, p):
        if "How does the lock connect" in p:
            return pick(p, self.protocol)
        if "What changed shortly before" in p:
            return " ".join(pick(p, c) for c in self.changes)
        if "press a button on the lock's keypad and try a code" in p:
            return pick(p, self.keypad)
        if "What does the lock's app show" in p:
            return pick(p, self.app_shows)
        if "Which apps do you use" in p:
            return " ".join(pick(p, a) for a in self.apps)
        if "other devices on the Wi-Fi" in p:
            return pick(p, self.other_wifi)
        if "hub working" in p or "home hubs" in p:
            return pick(p, self.hub)
        if "plug-in box" in p:
            return pick(p, self.bridge)
        if "another phone or tablet find the lock" in p:
            return pick(p, self.other_phone)
        if "signed in to your account: does it reach the lock" in p:
            return pick(p, self.second_phone)
        if "show its other devices working" in p:
            return pick(p, self.hub_devices)
        if "update waiting for the lock's app" in p:
            return pick(p, self.update_waiting)
        if "What batteries are in the lock" in p:
            return pick(p, self.batteries)
        if "Type it, or just press Enter" in p:
            if "software version does the app show" in p:
                return self.version_now
            if "how many minutes" in p:
                return self.stalled_min
            return ""
        if "get a software update just before" in p:
            return pick(p, self.update)
        if "is a software update running right now" in p:
            return pick(p, self.running)
        if "is the update still running?" in p:
            return pick(p, self.running_later)
        if "keypad: does it light up" in p:
            return pick(p, "yes" if self.fixed else self.keypad_lights)
        if "can your phone lock and unlock it" in p:
            return pick(p, self.phone_near)
        if "Do your codes open the lock" in p:
            return pick(p, self.codes)
        if "Another way to get it done" in p:
            title = self.seen_titles[-1]
            if any(c in title for c in self.other_way):
                self.step_done(title)
                return pick(p, "done that way")
            return pick(p, "not possible")
        if "Next step:" in p:
            title = re.search(r"Next step: (.*)", p).group(1)
            self.seen_titles.append(title)
            check(not any(u in title for u in self.unsafe),
                  "%s: an unsafe step is shown: %s" % (self.name, title))
            if any(c in title for c in self.cannot):
                return pick(p, "I can't")
            if "Write down every code and its slot" in title:
                if not self.codes_noted:
                    return pick(p, "I can't")
                self.step_done(title)
                return pick(p, "I wrote every code")
            if "Check that your codes are still there" in title:
                self.step_done(title)
                return pick(p, "every code opens the lock")
            self.step_done(title)
            return pick(p, "done")
        if "Time is up." in p:
            return pick(p, "done")
        if "does the app reach it, and does it lock and unlock" in p:
            return pick(p, "yes" if self.fixed else "no")
        if "try one of your codes at the keypad" in p:
            return pick(p, "yes, my codes")
        if "written down every code and its slot" in p:
            return pick(p, "yes, I wrote" if self.codes_noted else "no")
        if "Which of these are true?" in p:
            return " ".join(str(n) for n, l in options(p).items() if "none of these" not in l)
        if "safety check" in p:
            return pick(p, "yes")
        if "What would you like to do?" in p:
            return pick(p, "leave this step out")
        return None


class WifiRouter(Person):
    name = "67-year-old, Wi-Fi lock, new WPA3-only router"
    other_wifi = "yes"
    protocol = "Wi-Fi"
    changes = ("new router",)
    keypad = "it lights up, and a code"
    app_shows = "Offline"
    apps = ("only the lock maker",)
    batteries = "alkaline"
    bridge = "no"
    keypad_lights = "yes"
    codes = "every code works"
    phone_near = "yes"
    cannot = ("Make your Wi-Fi one the lock can join",)
    other_way = ("Make your Wi-Fi one the lock can join",)
    fixes = ("Make your Wi-Fi one the lock can join",)
    # the next best route for the router
    must_see = ("internet provider's helpline",)
    budget = 24
    ending = ("What did it: Make your Wi-Fi one the lock can join", "Keep an eye on:",
              "Your time: about")


class WifiOldApp(WifiRouter):
    name = "Wi-Fi lock after a new router nobody can change, its app out of date"
    cannot = ("Make your Wi-Fi one the lock can join",)
    other_way = ()
    fixes = ("Update the lock's app",)
    # asked whether an update waits, the app store shows one: the update
    # comes before the router's other route, with the pre-update checklist
    # item by item
    update_waiting = "yes"
    must_see = ("Is there an update waiting", "Which of these are true?",
                "I have the lock's key with me")
    budget = 20
    ending = ("What did it: Update the lock's app", "Keep an eye on:", "Your time: about")


class ZwaveNimh(Person):
    name = "Home Assistant, Z-Wave lock, update failed at 80 % on NiMH cells"
    hub = "yes"
    protocol = "Z-Wave"
    changes = ("the lock itself got a software update",)
    keypad = "it stays dark"
    app_shows = "Unavailable"
    apps = ("Home Assistant",)
    batteries = "rechargeable"
    keypad_lights = "no"
    codes = "don't know"
    update = "the app said it failed"
    version_now = "2.1.4"
    fixes = ("new alkaline batteries",)
    budget = 19
    ending = ("What did it: Put in new alkaline batteries", "Software version now: 2.1.4",
              "Your codes: still there", "new alkaline batteries (not rechargeable")


class BleAndroid(Person):
    name = "Bluetooth-only lock, Android phone no longer finds it after an app update"
    protocol = "Bluetooth only"
    changes = ("the lock's app was updated",)
    keypad = "it lights up, and a code"
    app_shows = "cannot find the lock"
    apps = ("only the lock maker",)
    batteries = "alkaline"
    other_phone = "yes, another phone"
    keypad_lights = "yes"
    phone_near = "no"
    fixes = ("Try another phone",)
    budget = 26
    ending = ("What did it: Try another phone",
              "Still to do: Your own phone still cannot reach the lock",
              "reset the phone's network settings")


class ZigbeeHub(Person):
    name = "Zigbee lock, hub unplugged by mistake"
    hub = "no"
    protocol = "Zigbee"
    changes = ("nothing changed",)
    keypad = "it lights up, and a code"
    app_shows = "Unavailable"
    apps = ("SmartThings",)
    batteries = "alkaline"
    keypad_lights = "yes"
    phone_near = "don't know"
    fixes = ("Check that your smart-home hub is working", "Unplug your smart-home hub")
    budget = 17
    ending = ("What did it:", "Your time: about")


class MatterThread(Person):
    name = "Matter lock, No Response in Apple Home after an update the app called a success"
    hub = "yes"
    protocol = "Matter"
    changes = ("the lock itself got a software update",)
    keypad = "it lights up, and a code"
    app_shows = "No Response"
    apps = ("Apple Home",)
    batteries = "alkaline"
    keypad_lights = "yes"
    update = "the app said it worked"
    version_now = "1.4.0"
    fixes = ("Take the batteries out for 5 minutes",)
    # the app just installed the update: nothing waits; a second phone: not at hand
    update_waiting = "no"
    budget = 23
    ending = ("What did it: Take the batteries out for 5 minutes", "Software version now: 1.4.0")


class BleDead(Person):
    name = "Bluetooth lock with a hardware fault, keypad dark whatever is done"
    protocol = "Bluetooth only"
    changes = ("don't know",)
    keypad = "it stays dark"
    app_shows = "cannot find the lock"
    apps = ("only the lock maker",)
    batteries = "alkaline"
    other_phone = "no, another phone cannot"
    keypad_lights = "no"
    phone_near = "no"
    update = "don't know"
    fixes = ()
    budget = 20
    expect_rc = 1
    ending = ("needs the lock maker's help", "What is still wrong:", "lockrecover report --state",
              "Contact the lock maker's support")


class StuckUpdate(Person):
    name = "Z-Wave lock whose update is stuck, unsure at first whether it still runs"
    hub = "yes"
    protocol = "Z-Wave"
    changes = ("the lock itself got a software update",)
    keypad = "it stays dark"
    app_shows = "something else"
    apps = ("SmartThings",)
    batteries = "alkaline"
    keypad_lights = "no"
    update = "don't know"
    running = "yes, it is still updating"
    stalled_min = "30"
    fixes = ("close and reopen the app",)
    # While the update may still run, nothing may take the power away.
    unsafe = Person.unsafe + ("Take the batteries out", "Put in new alkaline batteries",
                              "Unplug")
    budget = 23
    ending = ("What did it: Leave the batteries in, and close and reopen the app",
              "Your time: about")


class StuckUpdateEnds(StuckUpdate):
    """Stuck, and reopening the app does not help; asked again mid-way, the
    update has ended (the app says it failed): only then may power be cut."""
    name = "Z-Wave lock whose stuck update ends in a failure while the steps go on"
    keypad = "it lights up, and a code"
    keypad_lights = "yes"
    running_later = "it has ended, but the app says it failed"
    fixes = ("Take the batteries out for 30 seconds",)
    unsafe = Person.unsafe
    must_see = ("is the update still running?",)
    budget = 34
    ending = ("What did it: Take the batteries out for 30 seconds", "Your time: about")

    def answer(self, prompt):
        # Nothing may take the power away before the update is said to be over.
        if "Next step:" in prompt and not any("still running?" in a for a in self.seen):
            title = re.search(r"Next step: (.*)", prompt).group(1)
            check(not any(u in title for u in StuckUpdate.unsafe),
                  "%s: power cut while the update may run: %s" % (self.name, title))
        self.seen.append(prompt)
        return Person.answer(self, prompt)

    def __init__(self):
        Person.__init__(self)
        self.seen = []


class ZwaveNotedCodes(Person):
    """The dead end of a code-safe CLI with no code reader: the hub lost the lock's
    session after an update the app called a success; re-including it is the fix
    (seed 000), and the person wrote every code and its slot down."""
    name = "Z-Wave lock on Home Assistant after an update, codes written down, no code reader"
    hub = "yes"
    protocol = "Z-Wave"
    changes = ("the lock itself got a software update",)
    keypad = "it lights up, and a code"
    app_shows = "Unavailable"
    apps = ("Home Assistant",)
    batteries = "alkaline"
    keypad_lights = "yes"
    update = "the app said it worked"
    version_now = "3.2.0"
    codes_noted = True
    fixes = ("Remove the lock from Home Assistant and add it back",
             "Remove the lock from your hub and add it back")
    must_see = ("Write down every code and its slot number first",
                "Check that your codes are still there",
                "every code opens the lock")
    # Eleven harmless steps first (least destructive first: seeds 000/002), then
    # the code list and the re-include.
    budget = 48
    ending = ("Good news: your lock works again.",
              "What did it: Remove the lock from Home Assistant and add it back",
              "Your codes: written down by you", "Your time: about")
    report_has = ("noted by the person (not read from the lock)",)


class ZwaveNotedTwice(ZwaveNotedCodes):
    """The same lock, where only the second step that may erase codes brings it
    back. The person checked the codes after the first; the session checks
    them only once, so it may not say recovered with codes unchecked after
    the second: a hand-over that tells the person to try each code now."""
    name = "The same Z-Wave lock, back only after a second step that may erase codes"
    fixes = ("Remove the lock from your hub and add it back",)
    budget = 52
    expect_rc = 1
    ending = ("needs the lock maker's help", "codes may have been erased and could not be checked",
              "came after your last code check: try each code from your written list")


class ZwaveCodesUnknown(ZwaveNotedCodes):
    """The same lock, codes not written down: nothing that may erase them is done."""
    name = "The same Z-Wave lock, codes not written down: nothing that may erase them"
    codes_noted = False
    unsafe = Person.unsafe + ("Remove the lock from Home Assistant and add it back",
                              "Remove the lock from your hub and add it back",
                              "Remove the lock from your apps and add it back")
    must_see = ("Write down every code and its slot number first",
                "Your codes are not copied or written down")
    budget = 54
    expect_rc = 1
    ending = ("needs the lock maker's help", "they could not be copied first")
    report_has = ()


PEOPLE = [WifiRouter, WifiOldApp, ZwaveNimh, BleAndroid, ZigbeeHub, MatterThread, BleDead, StuckUpdate,
          StuckUpdateEnds, ZwaveNotedCodes, ZwaveNotedTwice, ZwaveCodesUnknown]


# ---- driving the CLI -------------------------------------------------------------

def one_run(state, person, answer_one):
    """One run: the pending prompt shown, one answer (or none), stdin closed."""
    p = subprocess.Popen([CLI, "diagnose", "--state", state], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env(), text=True)
    out = ""
    given = None
    fd = p.stdout
    buf = ""
    while True:
        ch = fd.read(1)
        if ch == "":
            break
        buf += ch
        if buf.endswith("> "):
            if given is None and answer_one:
                given = person.answer(last_prompt(buf))
                try:
                    p.stdin.write(given + "\n")
                    p.stdin.flush()
                except BrokenPipeError:
                    pass
            p.stdin.close()
            break
    if not p.stdin.closed:
        p.stdin.close()
    rest = p.stdout.read()
    err = p.stderr.read()
    p.wait(timeout=60)
    return p.returncode, buf + rest, err, given


def play(person_cls, tmp, ids):
    person = person_cls()
    state = os.path.join(tmp, person_cls.__name__ + ".state")
    transcript = ""
    pending = None
    runs = 0
    rc = 3
    first = True
    while runs < person.budget + 5:
        runs += 1
        rc, out, err, given = one_run(state, person, True)
        transcript += out
        shown = out.split("> ")[0] if "> " in out else ""
        if pending is not None and given is not None:
            check(last_prompt(shown + "> ").strip() == pending.strip(),
                  "%s: run %d shows the prompt the last run left pending" % (person.name, runs))
        if rc != 3:
            break
        check("ran out of answers" in err and "progress is saved" in err,
              "%s: an interrupted run says progress is saved" % person.name)
        pending = last_prompt(out)
        first = False
    answers = len(person.answers)
    check(rc == person.expect_rc, "%s: ends with exit %d (got %d after %d answers): %r" % (
        person.name, person.expect_rc, rc, answers, transcript[-800:]))
    check(answers <= person.budget, "%s: %d answers, budget %d" % (person.name, answers,
                                                                    person.budget))
    for part in person.ending:
        check(part in transcript, "%s: the ending says %r: %r" % (person.name, part,
                                                                 transcript[-1200:]))
    for part in person.must_see:
        check(part in transcript, "%s: the screen shows %r" % (person.name, part))
    leaked = sorted(i for i in ids if i in transcript)
    check(not leaked, "%s: ids on the screen: %s" % (person.name, leaked))
    check("%" not in transcript.replace("80 %", ""), "%s: a percentage on the screen" % person.name)
    check("Most likely" not in transcript, "%s: no raw 'Most likely'" % person.name)
    check("[d]one" not in transcript, "%s: no d/f/n/s/c menu" % person.name)

    # The same answers all at once, in one run.
    state2 = os.path.join(tmp, person_cls.__name__ + ".all.state")
    p = subprocess.run([CLI, "diagnose", "--state", state2], input="\n".join(person.answers) + "\n",
                       capture_output=True, text=True, env=env(), timeout=120)
    check(p.returncode == rc, "%s: all answers at once end the same (%d, %d): %r" % (
        person.name, p.returncode, rc, p.stderr[-300:]))
    text = subprocess.run([CLI, "report", "--state", state], capture_output=True, text=True).stdout
    # Nothing the wizard asked is "unknown" in the report: the person's
    # answer, or that they did not know.
    asked = ["Manufacturer:", "Model:", "Serial number:", "Batteries:", "Error code first:",
             "Error code now:"]
    if any("software update" in c for c in person.changes):
        asked += ["Firmware before:", "Firmware target:", "Update:"]
    if person.version_now and rc == 0:
        asked.append("Firmware now:")
    left = [l for l in text.splitlines()
            if any(l.startswith(a) for a in asked) and l.rstrip().endswith("unknown")]
    check(not left, "%s: the report says unknown for what was asked: %r" % (person.name, left))
    for part in getattr(person, "report_has", ()):
        check(part in text, "%s: the report says %r: %r" % (person.name, part, text[-600:]))
    r1 = subprocess.run([CLI, "report", "--state", state, "--json"], capture_output=True, text=True)
    r2 = subprocess.run([CLI, "report", "--state", state2, "--json"], capture_output=True, text=True)
    try:
        h1 = [(s["id"], s["outcome"]) for s in json.loads(r1.stdout)["steps"]]
        h2 = [(s["id"], s["outcome"]) for s in json.loads(r2.stdout)["steps"]]
        evidence = json.loads(r1.stdout)["codes"]["evidence"]
        check((evidence == "person_noted") == person.codes_noted,
              "%s: the report's code evidence is %r" % (person.name, evidence))
        check(h1 == h2 and h1, "%s: the same history both ways" % person.name)
    except (ValueError, KeyError) as err:
        check(False, "%s: report JSON (%s): %r" % (person.name, err, r1.stdout[:200]))
    print("%-75s %2d answers, %2d runs, exit %d" % (person.name, answers, runs, rc), flush=True)
    return answers


def main():
    global CLI
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    CLI = os.path.abspath(sys.argv[1])
    ids = catalog_ids()
    with tempfile.TemporaryDirectory() as tmp:
        for cls in PEOPLE:
            play(cls, tmp, ids)
    print("%d passed, %d failed" % (PASSED, len(FAILED)))
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
