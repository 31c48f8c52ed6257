#!/usr/bin/env python3
"""Wraps the English text of the catalog in T(...) so LKR_NO_TEXT builds drop it.

    wrap_text.py [--check] [lib/catalog.c]

The text is every title, instructions, description and guidance string of the
catalog's tables (tiers, guards, causes, symptoms, steps, evidence); ids
(sid), sources and numbers are left alone. T(s) is LKR__TEXT(s)
(lib/internal.h): the string itself, or "" when LKR_NO_TEXT is defined.

The rewrite is mechanical and idempotent: run it after adding catalog rows.
--check changes nothing and fails (status 1) when a text is not wrapped, so a
row added without T() is caught (scripts/test, stage baremetal).
"""
import os
import re
import sys

STR = r'"(?:[^"\\\n]|\\.)*"'
STRSEQ = r'%s(?:\s*%s)*' % (STR, STR)

# Positional rows: {"sid", TITLE, TEXT, ...} of lkr__named, lkr__cause_def and
# lkr__symptom_def (TEXT may be NULL).
POSITIONAL = re.compile(r'(\{\s*"[a-z0-9_]+"\s*,\s*)(%s)(\s*,\s*)(%s|NULL)' % (STRSEQ, STRSEQ))
# Designated fields of lkr__step_def.
DESIGNATED = re.compile(r'(\.(?:title|instructions|description|guidance|text)\s*=\s*)(%s)' % STRSEQ)


def wrap(text):
    def pos(m):
        third = m.group(4)
        if third != "NULL":
            third = "T(%s)" % third
        return "%sT(%s)%s%s" % (m.group(1), m.group(2), m.group(3), third)

    text = POSITIONAL.sub(pos, text)
    text = DESIGNATED.sub(lambda m: "%sT(%s)" % (m.group(1), m.group(2)), text)
    return text


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    path = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib",
                                             "catalog.c")
    text = open(path, encoding="utf-8").read()
    new = wrap(text)
    n = new.count("T(") - text.count("T(")
    if check:
        if n:
            print("wrap_text: %d catalog texts in %s are not wrapped in T(): run ports/wrap_text.py" %
                  (n, path), file=sys.stderr)
            return 1
        print("wrap_text: every catalog text in %s is wrapped" % path)
        return 0
    if n:
        open(path, "w", encoding="utf-8").write(new)
    print("wrap_text: wrapped %d texts in %s" % (n, path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
