#!/bin/sh
# Runs the Swift binding's tests: the package at the repository root, which
# builds the C library from lib/ and include/ itself (nothing installed).
#
#   bindings/swift/run_tests.sh [SCRATCH]
#
# SCRATCH is SwiftPM's build directory, outside the source tree so that no
# .build appears in the repository (default /tmp/lkr-swift-build; reuse it for
# fast warm builds; SCRATCH-swift6 holds a second build in the Swift 6
# language mode). Fails on any compiler warning inside the binding or the C
# sources, in either mode. Exits with swift test's status; its summary is the last thing
# printed.
set -eu

scratch=${1:-/tmp/lkr-swift-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    PATH=/opt/swift/usr/bin:$PATH
    export PATH
fi

log="$scratch.build.log"
mkdir -p "$scratch"
echo "package: $root; scratch: $scratch"
set +e
swift build --package-path "$root" --scratch-path "$scratch" --build-tests -j "${JOBS:-2}" > "$log" 2>&1
status=$?
set -e
cat "$log"
if [ "$status" -ne 0 ]; then
    echo "$0: swift build failed" >&2
    exit "$status"
fi
# Warnings in our own code (the binding, its tests, lib/): none allowed.
warnings=$(grep -E '^(/[^:]+):[0-9]+:[0-9]+: warning:' "$log" | grep -E "^$root/(bindings|lib|include)/" | sort -u || true)
if [ -n "$warnings" ]; then
    echo "$warnings"
    echo "$0: $(printf '%s\n' "$warnings" | wc -l) compiler warning(s)" >&2
    exit 1
fi
echo "swift build: 0 warnings"
# Apps build in the Swift 6 language mode: the binding and its tests must
# compile there too (data-race safety errors are errors there).
if ! swift build --package-path "$root" --scratch-path "$scratch-swift6" --build-tests -j "${JOBS:-2}" \
        -Xswiftc -swift-version -Xswiftc 6 > "$log.swift6" 2>&1; then
    grep -E 'error:' "$log.swift6" | sort -u
    echo "$0: the package does not build in the Swift 6 language mode" >&2
    exit 1
fi
if grep -E '^(/[^:]+):[0-9]+:[0-9]+: warning:' "$log.swift6" | grep -qE "^$root/(bindings|lib|include)/"; then
    grep -E '^(/[^:]+):[0-9]+:[0-9]+: warning:' "$log.swift6" | grep -E "^$root/(bindings|lib|include)/" | sort -u
    echo "$0: warnings in the Swift 6 language mode" >&2
    exit 1
fi
echo "swift build (Swift 6 language mode): 0 warnings"
set +e
swift test --package-path "$root" --scratch-path "$scratch" -j "${JOBS:-2}" --disable-xctest
status=$?
exit $status
