#!/bin/sh
# Runs the Swift binding's tests against an installed liblockrecover.
#
#   bindings/swift/run_tests.sh PREFIX [SCRATCH]
#
# PREFIX is where the library is installed (cmake --install ... --prefix PREFIX).
# SCRATCH is SwiftPM's build directory, outside the source tree so that no
# .build appears in the repository (default /tmp/lkr-swift-build; reuse it for
# fast warm builds). Exits with swift test's status; its summary is the last
# thing printed.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 PREFIX [SCRATCH]" >&2
    exit 2
fi
prefix=$(cd "$1" && pwd)
scratch=${2:-/tmp/lkr-swift-build}
here=$(cd "$(dirname "$0")" && pwd)

pc=$(find "$prefix" -name lockrecover.pc -print 2>/dev/null | head -n 1)
if [ -z "$pc" ]; then
    echo "$0: no lockrecover.pc under $prefix (install the library there first)" >&2
    exit 2
fi
pcdir=$(dirname "$pc")
libdir=$(PKG_CONFIG_PATH="$pcdir" pkg-config --variable=libdir lockrecover 2>/dev/null || true)
[ -n "$libdir" ] || libdir=$(dirname "$pcdir")

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    PATH=/opt/swift/usr/bin:$PATH
fi

PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH PKG_CONFIG_PATH LD_LIBRARY_PATH

echo "lockrecover: $pc (libdir $libdir); scratch: $scratch"
set +e
swift test --package-path "$here" --scratch-path "$scratch" --disable-xctest \
    -Xlinker -rpath -Xlinker "$libdir"
status=$?
exit $status
