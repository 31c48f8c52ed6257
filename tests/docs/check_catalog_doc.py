#!/usr/bin/env python3
"""Every string id in lib/catalog.c is documented in docs/CATALOG.md, and the
doc names no step, cause or guard the catalog does not have."""
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
src = open(f"{root}/lib/catalog.c", encoding="utf-8").read()
doc = open(f"{root}/docs/CATALOG.md", encoding="utf-8").read()

step_ids = set(re.findall(r'\.sid = "([a-z0-9_.]+)"', src))
# causes and guards: the first string of their table rows
named = set(re.findall(r'\[(?:C\([A-Z_]+\)|LKR_GUARD_[A-Z_]+)\] = \{"([a-z_]+)"', src))
documented = set(re.findall(r"^\| \d+ \| `([a-z0-9_.]+)`", doc, re.M))

missing = sorted((step_ids | named) - documented)
extra = sorted(documented - step_ids - named - set(re.findall(r'\[LKR_SYMPTOM_[A-Z_]+\] = \{"([a-z_]+)"', src)))
if len(step_ids) < 60 or len(named) < 30:
    print(f"parser found too few ids ({len(step_ids)} steps, {len(named)} causes+guards)")
    sys.exit(1)
if missing or extra:
    print("docs/CATALOG.md is out of date")
    for m in missing:
        print(f"  not documented: {m}")
    for e in extra:
        print(f"  documented but not in the catalog: {e}")
    sys.exit(1)
print(f"docs/CATALOG.md documents all {len(step_ids)} steps and {len(named)} causes and guards")
