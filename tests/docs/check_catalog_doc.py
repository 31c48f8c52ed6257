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
# The questions worth asking: every row of the catalog's table, with its
# number, in the doc's table (and the doc's rows in the catalog).
cause_sid = dict(re.findall(r'\[C\(([A-Z_]+)\)\] = \{"([a-z_]+)"', src))
rows_src = {}
for name, body in re.findall(r"static const lkr__vq_row (vq_[a-z_]+)\[\] = \{(.*?)\};", src, re.S):
    rows_src[name] = {(cause_sid[c], int(p)) for c, p in re.findall(r"Q\(([A-Z_]+), (\d+)\)", body)}
q_src = re.findall(r'(vq_[a-z_]+),\s*"([a-z_]+)",', src)
if len(q_src) < 3 or len(rows_src) < 3:
    print(f"parser found too few questions ({len(q_src)} questions, {len(rows_src)} row sets)")
    sys.exit(1)
bad = []
for table, sid in q_src:
    m = re.search(r"^\| \d+ `%s` \|(.*)$" % re.escape(sid), doc, re.M)
    if not m:
        bad.append(f"question {sid} not in the doc's table")
        continue
    doc_rows = {(c, int(p)) for c, p in re.findall(r"`([a-z_]+)` (\d+)", m.group(1).split("|")[-2])}
    if doc_rows != rows_src[table]:
        bad.append(f"question {sid}: doc rows {sorted(doc_rows)} != catalog {sorted(rows_src[table])}")
if bad:
    print("docs/CATALOG.md questions are out of date")
    for b in bad:
        print("  " + b)
    sys.exit(1)
print(f"docs/CATALOG.md documents all {len(step_ids)} steps and {len(named)} causes and guards, "
      f"and the rows of {len(q_src)} questions")
