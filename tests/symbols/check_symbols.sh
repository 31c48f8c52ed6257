#!/usr/bin/env bash
# Symbol policy check for liblockrecover (see docs/ABI.md).
#
# Usage: check_symbols.sh SHARED_LIB STATIC_LIB PUBLIC_HEADER_DIR SONAME VERSION_NODE
#
#  1. The shared library exports (defines, dynamically) only lkr_* symbols and
#     never an lkr__* (private) one; the version node's own absolute symbol is
#     the only exception.
#  2. Every exported symbol carries a version from the script, the newest node
#     being VERSION_NODE.
#  3. The dynamic section names SONAME.
#  4. Every global symbol defined in the static archive starts with lkr_
#     (private functions are static or named lkr__*).
#  5. The functions declared with LKR_API in the public headers are exactly the
#     functions the shared library exports.
#  6. SYMBOLS_FILE (abi/symbols-in-versions) lists exactly the exported
#     symbols, each with the version node it carries in the library, and every
#     node it names exists in the version script.
set -euo pipefail

if [ "$#" -ne 7 ]; then
  echo "usage: $0 SHARED_LIB STATIC_LIB PUBLIC_HEADER_DIR SONAME VERSION_NODE SYMBOLS_FILE VERSION_SCRIPT" >&2
  exit 2
fi
shared=$1 static=$2 hdrdir=$3 soname=$4 node=$5 symfile=$6 mapfile=$7
here=$(cd "$(dirname "$0")" && pwd)
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Version-node symbols (type A, value 0) are defined by the linker for each
# node of the version script; they are not part of the API.
# Newer binutils print versioned names as name@@NODE; keep the bare name.
nm -D --defined-only "$shared" | awk '$2 != "A" { sub(/@.*/, "", $NF); print $NF }' \
  | sort -u > "$tmp/exported"
nm -D --defined-only "$shared" | awk '$2 == "A" { sub(/@.*/, "", $NF); print $NF }' \
  | sort -u > "$tmp/nodes"

# 1. Only lkr_*, never lkr__*.
if [ ! -s "$tmp/exported" ]; then
  fail "$shared exports no symbols at all"
fi
bad=$(grep -v '^lkr_' "$tmp/exported" || true)
[ -z "$bad" ] && pass "shared library exports only lkr_* symbols" \
  || fail "shared library exports symbols outside lkr_*:"$'\n'"$bad"
bad=$(grep '^lkr__' "$tmp/exported" || true)
[ -z "$bad" ] && pass "no private lkr__* symbol is exported" \
  || fail "private lkr__* symbols are exported:"$'\n'"$bad"

# 2. Versioning: every defined dynamic symbol has a version node of ours.
grep -qx "$node" "$tmp/nodes" && pass "version node $node is defined" \
  || fail "version node $node is not defined (nodes: $(tr '\n' ' ' < "$tmp/nodes"))"
# objdump -T columns: VALUE FLAGS SECTION SIZE VERSION NAME; hidden versions
# are printed in parentheses.
objdump -T "$shared" | awk '
  / DF | DO | D  / && $0 !~ /\*UND\*/ && $0 !~ /\*ABS\*/ {
    ver = $(NF-1); name = $NF
    if (name ~ /^lkr_/) print name, ver
  }' > "$tmp/versions"
unversioned=$(awk -v re="^LOCKRECOVER_[0-9]+[.][0-9]+$" '$2 !~ re' "$tmp/versions")
[ -z "$unversioned" ] && pass "every exported symbol is versioned LOCKRECOVER_x.y" \
  || fail "symbols without a LOCKRECOVER_x.y version:"$'\n'"$unversioned"
if [ "$(awk '{print $1}' "$tmp/versions" | sort -u)" != "$(cat "$tmp/exported")" ]; then
  fail "objdump -T and nm -D disagree on the exported symbols"
fi
newest=$(sed 's/^LOCKRECOVER_//' "$tmp/nodes" | sort -t. -k1,1n -k2,2n | tail -n 1)
[ "LOCKRECOVER_$newest" = "$node" ] && pass "newest version node is $node" \
  || fail "newest version node is LOCKRECOVER_$newest, expected $node"

# 3. SONAME.
got=$(readelf -d "$shared" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$got" = "$soname" ] && pass "SONAME is $soname" \
  || fail "SONAME is '${got:-<none>}', expected $soname"

# 4. Static archive: global defined symbols. Instrumentation (sanitizers,
# coverage) adds its own globals, which are not ours.
nm -g --defined-only "$static" 2>/dev/null \
  | awk 'NF == 3 { print $3 }' \
  | grep -Ev '^(__odr_asan[._]|__asan_|__ubsan_|__gcov_|__llvm_|__profc_|__profd_|__covrec_)' \
  | sort -u > "$tmp/static"
bad=$(grep -v '^lkr_' "$tmp/static" || true)
[ -z "$bad" ] && pass "static archive defines only lkr_* globals" \
  || fail "static archive defines globals outside lkr_* (make them static or lkr__*):"$'\n'"$bad"

# 5. Header declarations vs exports (functions only).
python3 "$here/api_functions.py" "$hdrdir"/*.h > "$tmp/declared" \
  || fail "could not parse the LKR_API declarations in $hdrdir"
objdump -T "$shared" | awk '/ DF / && $0 !~ /\*UND\*/ && $NF ~ /^lkr_/ { print $NF }' \
  | sort -u > "$tmp/exported_functions"
missing=$(comm -23 "$tmp/declared" "$tmp/exported_functions")
extra=$(comm -13 "$tmp/declared" "$tmp/exported_functions")
[ -z "$missing" ] && pass "every LKR_API function ($(wc -l < "$tmp/declared")) is exported" \
  || fail "declared with LKR_API but not exported (not defined, or defined without LKR_API):"$'\n'"$missing"
[ -z "$extra" ] && pass "every exported function is declared with LKR_API" \
  || fail "exported but not declared with LKR_API in $hdrdir:"$'\n'"$extra"

# 6. The symbols-in-versions file against the library and the version script.
grep -v '^#' "$symfile" | awk 'NF == 2 { print $1, $2 }' | sort -u > "$tmp/listed"
objdump -T "$shared" | awk '$NF ~ /^lkr_/ && $0 !~ /\*UND\*/ { print $NF, $(NF-1) }' | sort -u > "$tmp/actual"
diff_out=$(diff "$tmp/listed" "$tmp/actual" || true)
[ -z "$diff_out" ] && pass "$(basename "$symfile") lists every export with its version ($(wc -l < "$tmp/actual"))" \
  || fail "$(basename "$symfile") differs from the exports (< listed, > exported; append new symbols with their node):"$'\n'"$diff_out"
for n in $(awk '{ print $2 }' "$tmp/listed" | sort -u); do
  grep -q "^$n[[:space:]]*{" "$mapfile" || fail "$(basename "$symfile") names node $n, absent from $(basename "$mapfile")"
done

if [ "$failures" -ne 0 ]; then
  echo "symbols: $failures check(s) failed" >&2
  exit 1
fi
echo "symbols: all checks passed"
