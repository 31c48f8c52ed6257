#!/usr/bin/env bash
# Runs every libFuzzer harness for a while in a separate clang build.
#
#   fuzz/run.sh [SECONDS] [BUILD_DIR]     (defaults: 60, build-fuzz)
#
# Configures BUILD_DIR with CC=clang and -DLKR_FUZZ=ON, builds the fuzz_*
# targets, and runs each for SECONDS (-max_total_time) on a COPY of its
# committed corpus (BUILD_DIR/corpus/<harness>), so new inputs never land in
# the tree. Findings go to BUILD_DIR/artifacts. Prints, per harness, the
# executions (libFuzzer's stat::number_of_executed_units), the corpus size
# and the findings; exits non-zero if any fuzzer found a crash, leak or
# timeout (libFuzzer's exit code) or could not be built.
set -uo pipefail

SECONDS_EACH=${1:-60}
BUILD_DIR=${2:-build-fuzz}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
HARNESSES="fuzz_events fuzz_load fuzz_vault_import fuzz_classify"
JOBS=${JOBS:-2}

case "$SECONDS_EACH" in
  ''|*[!0-9]*) echo "usage: $0 [SECONDS] [BUILD_DIR]" >&2; exit 2 ;;
esac
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz/run.sh: clang not found" >&2
  exit 2
fi
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac

echo "=== configuring $BUILD_DIR (clang, LKR_FUZZ=ON)"
mkdir -p "$BUILD_DIR"
if ! CC=clang cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DLKR_FUZZ=ON -DLKR_BUILD_TESTS=ON -DLKR_BUILD_DOCS=OFF -DLKR_BUILD_EXAMPLES=OFF \
      > "$BUILD_DIR/configure.log" 2>&1; then
  cat "$BUILD_DIR/configure.log" >&2
  echo "fuzz/run.sh: configure failed" >&2
  exit 1
fi
echo "=== building $HARNESSES"
# shellcheck disable=SC2086
if ! cmake --build "$BUILD_DIR" -j "$JOBS" --target $HARNESSES > "$BUILD_DIR/fuzz-build.log" 2>&1; then
  tail -n 40 "$BUILD_DIR/fuzz-build.log" >&2
  echo "fuzz/run.sh: build failed" >&2
  exit 1
fi

ART="$BUILD_DIR/artifacts"
mkdir -p "$ART" "$BUILD_DIR/fuzz-logs"
failed=0
summary=()
for h in $HARNESSES; do
  bin=$(find "$BUILD_DIR" -type f -name "$h" -perm -u+x | head -n 1)
  if [ -z "$bin" ]; then
    echo "fuzz/run.sh: $h was not built" >&2
    failed=1
    summary+=("$h: NOT BUILT")
    continue
  fi
  work="$BUILD_DIR/corpus/$h"
  rm -rf "$work"
  mkdir -p "$work"
  if [ -d "$HERE/corpus/$h" ]; then
    cp "$HERE/corpus/$h/"* "$work/" 2>/dev/null || true
  fi
  log="$BUILD_DIR/fuzz-logs/$h.log"
  before=$(find "$ART" -maxdepth 1 -type f -name "$h-*" | wc -l)
  echo "=== $h: ${SECONDS_EACH}s"
  rc=0
  "$bin" "$work" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
         -timeout=25 -rss_limit_mb=2048 -artifact_prefix="$ART/$h-" > "$log" 2>&1 || rc=$?
  execs=$(grep -E '^stat::number_of_executed_units:' "$log" | tail -n 1 | awk '{print $2}')
  rate=$(grep -E '^stat::average_exec_per_sec:' "$log" | tail -n 1 | awk '{print $2}')
  after=$(find "$ART" -maxdepth 1 -type f -name "$h-*" | wc -l)
  findings=$((after - before))
  corpus=$(find "$work" -type f | wc -l)
  if [ "$rc" -ne 0 ]; then
    failed=1
    [ "$findings" -eq 0 ] && findings="exit $rc"
    grep -E 'ERROR: |fuzz invariant broken|SUMMARY: ' "$log" | head -n 5
    echo "  log: $log"
  fi
  line="$h: executions ${execs:-?} (${rate:-?}/s), corpus $corpus, findings $findings"
  echo "$line"
  summary+=("$line")
done

echo
echo "=== fuzz summary (artifacts in $ART)"
for l in "${summary[@]}"; do echo "  $l"; done
if [ "$failed" -ne 0 ]; then
  echo "fuzz/run.sh: FINDINGS (reproduce: $BUILD_DIR/.../fuzz_<harness> ARTIFACT, or the gcc fuzz_replay_<harness> ARTIFACT)"
  exit 1
fi
echo "fuzz/run.sh: no findings"
exit 0
