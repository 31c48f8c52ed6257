#!/usr/bin/env bash
# run.sh WORK A B: build A saves every scenario, build B saves every scenario,
# each resumes what the other saved, and:
#   - the blobs and sealed exports of A and B are byte for byte the same (the
#     formats are fixed: little-endian, no padding, no pointer size);
#   - A's and B's own traces (the decisions after the save point) are equal;
#   - B resuming A's files decides exactly what A decided, and the other way
#     round.
# A and B are commands (word-split), e.g. "qemu-s390x -L /usr/s390x-linux-gnu
# build-s390x/ports/exchange/lkr_exchange"; the same command twice checks
# one build against itself.
set -euo pipefail

work=$1
a=$2
b=$3
rm -rf "$work"
mkdir -p "$work/a" "$work/b" "$work/ab" "$work/ba"

fail=0
# shellcheck disable=SC2086
$a save "$work/a" || fail=1
# shellcheck disable=SC2086
$b save "$work/b" || fail=1
# shellcheck disable=SC2086
$b resume "$work/a" "$work/ba" || fail=1
# shellcheck disable=SC2086
$a resume "$work/b" "$work/ab" || fail=1

n=0
for f in "$work"/a/*.blob; do
  name=$(basename "$f" .blob)
  n=$((n + 1))
  for ext in blob vault cut; do
    cmp -s "$work/a/$name.$ext" "$work/b/$name.$ext" \
      || { echo "DIFFER: $name.$ext saved by A and by B"; fail=1; }
  done
  diff -q "$work/a/$name.trace" "$work/b/$name.trace" > /dev/null \
    || { echo "DIFFER: $name: A's and B's decisions"; diff "$work/a/$name.trace" "$work/b/$name.trace" | head -n 10; fail=1; }
  diff -q "$work/a/$name.trace" "$work/ba/$name.trace" > /dev/null \
    || { echo "DIFFER: $name: B resuming A's save"; diff "$work/a/$name.trace" "$work/ba/$name.trace" | head -n 10; fail=1; }
  diff -q "$work/b/$name.trace" "$work/ab/$name.trace" > /dev/null \
    || { echo "DIFFER: $name: A resuming B's save"; diff "$work/b/$name.trace" "$work/ab/$name.trace" | head -n 10; fail=1; }
  grep -q '^action ' "$work/a/$name.trace" \
    || { echo "EMPTY: $name: no decision after the save point"; fail=1; }
done
if [ "$n" -eq 0 ]; then
  echo "no scenario was saved"
  exit 1
fi
echo "exchange: $n scenarios, blobs, sealed exports and decisions $([ "$fail" -eq 0 ] && echo equal || echo DIFFER)"
exit "$fail"
