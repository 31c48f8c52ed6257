#!/bin/sh
# A new user's package against this checkout: a fresh SwiftPM package that
# depends on the repository by path with the exact lines of
# bindings/swift/README.md ("Install"), whose main.swift is the README's
# "Ten lines" example. Built, then run.
#
#   bindings/swift/new_user_test.sh [WORK_DIR]
#
# WORK_DIR (default /tmp/lkr-swift-new-user) gets `libsmartlock-recover`, a
# symbolic link to this checkout (a path dependency is named after its
# folder, as the README says), the package `MyApp` beside it (made anew) and
# the scratch build directory (kept, for warm builds). Nothing is installed
# and no pkg-config is used. Exits non-zero when a line is missing from the
# README, the build fails or warns in the binding, or the example fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
readme="$here/README.md"
work=${1:-/tmp/lkr-swift-new-user}

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    PATH=/opt/swift/usr/bin:$PATH
    export PATH
fi

dep=$(grep -E '^\.package\(path: ' "$readme" | head -n 1)
prod=$(grep -E '^\.product\(name: "LockRecover"' "$readme" | head -n 1)
main=$(awk '/^## Ten lines/ { f = 1 } f && /^```swift/ { g = 1; next } g && /^```/ { exit } g' "$readme")
if [ -z "$dep" ] || [ -z "$prod" ] || [ -z "$main" ]; then
    echo "$0: README.md lacks the dependency lines or the example" >&2
    exit 1
fi
echo "README dependency lines:"
echo "    $dep"
echo "    $prod"

mkdir -p "$work"
ln -sfn "$root" "$work/libsmartlock-recover"
rm -rf "$work/MyApp"
mkdir -p "$work/MyApp/Sources/MyApp"
cat > "$work/MyApp/Package.swift" <<SWIFT
// swift-tools-version:5.9
import PackageDescription

let package = Package(
    name: "MyApp",
    dependencies: [
        $dep
    ],
    targets: [
        .executableTarget(name: "MyApp", dependencies: [
            $prod
        ]),
    ]
)
SWIFT
printf '%s\n' "$main" > "$work/MyApp/Sources/MyApp/main.swift"

log="$work/build.log"
if ! swift build --package-path "$work/MyApp" --scratch-path "$work/scratch" -j "${JOBS:-2}" > "$log" 2>&1; then
    cat "$log"
    echo "$0: the new user's package does not build" >&2
    exit 1
fi
tail -n 1 "$log"
if grep -E ':[0-9]+:[0-9]+: warning:' "$log" | grep -v '/MyApp/' | grep -q .; then
    grep -E ':[0-9]+:[0-9]+: warning:' "$log" | sort -u
    echo "$0: warnings in the package" >&2
    exit 1
fi
echo "running MyApp:"
env -u LD_LIBRARY_PATH -u PKG_CONFIG_PATH "$work/scratch/debug/MyApp"
