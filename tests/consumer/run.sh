#!/usr/bin/env bash
# Consumer test: install a build tree into a staging prefix, then build and run
# tests/consumer/consumer.c against the staged copy
#   1. with pkg-config (cc $(pkg-config --cflags --libs lockrecover)),
#   2. with CMake (find_package(lockrecover 1.0 REQUIRED)),
# and check that find_package(lockrecover 2.0) is refused (SameMajorVersion).
#
# Usage: run.sh BUILD_DIR [WORK_DIR]
# Environment: CC (default cc), CMAKE_COMMAND (default cmake).
set -euo pipefail

if [ "$#" -lt 1 ]; then
  echo "usage: $0 BUILD_DIR [WORK_DIR]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
work=${2:-"$build/tests/consumer"}
here=$(cd "$(dirname "$0")" && pwd)
cc=${CC:-cc}
cmake=${CMAKE_COMMAND:-cmake}

# Hermetic: what the caller's environment points at (another install of the
# library, say) must not decide what is found, compiled against or loaded.
unset LD_LIBRARY_PATH LD_PRELOAD LIBRARY_PATH CPATH C_INCLUDE_PATH PKG_CONFIG_PATH \
  PKG_CONFIG_SYSROOT_DIR CMAKE_PREFIX_PATH lockrecover_DIR

step() { echo "== consumer: $*"; }
die() { echo "FAIL: consumer: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
stage="$work/stage"

step "install $build into $stage"
"$cmake" --install "$build" --prefix "$stage" > "$work/install.log" \
  || { cat "$work/install.log" >&2; die "cmake --install failed"; }

pcfile=$(find "$stage" -name lockrecover.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pcfile" ] || die "no lockrecover.pc installed under $stage"
pcdir=$(dirname "$pcfile")
libdir=$(dirname "$pcdir")
[ -e "$libdir/liblockrecover.so.1" ] || die "liblockrecover.so.1 is not in $libdir"
[ -e "$libdir/liblockrecover.a" ] || die "liblockrecover.a is not in $libdir"

# The library a program really loads must be the staged one.
check_loads_staged() {
  local exe=$1 resolved
  resolved=$(ldd "$exe" | awk '$1 == "liblockrecover.so.1" { print $3 }')
  [ -n "$resolved" ] || die "$exe does not resolve liblockrecover.so.1"
  [ "$(readlink -f "$resolved")" = "$(readlink -f "$libdir/liblockrecover.so.1")" ] \
    || die "$exe loads $resolved, not the staged $libdir/liblockrecover.so.1"
}

# 1. pkg-config. Only the staged prefix is searched.
step "pkg-config build"
export PKG_CONFIG_LIBDIR="$pcdir"
unset PKG_CONFIG_PATH
pc_version=$(pkg-config --modversion lockrecover) || die "pkg-config cannot find lockrecover"
pc_flags=$(pkg-config --cflags --libs lockrecover)
case "$pc_flags" in
  *"$stage"*) ;;
  *) die "pkg-config flags do not point into the staging prefix: $pc_flags" ;;
esac
echo "lockrecover.pc: version $pc_version, flags $pc_flags"
# shellcheck disable=SC2086 # word splitting of the flags is intended
"$cc" -std=c99 -pedantic -Wall -Wextra -Werror -o "$work/consumer_pkgconfig" \
  "$here/consumer.c" $pc_flags || die "compiling with pkg-config flags failed"
LD_LIBRARY_PATH="$libdir" check_loads_staged "$work/consumer_pkgconfig"
LD_LIBRARY_PATH="$libdir" "$work/consumer_pkgconfig" || die "consumer_pkgconfig failed"
unset PKG_CONFIG_LIBDIR

# 2. CMake package. The build tree RPATH CMake sets for imported libraries
# must be enough: no LD_LIBRARY_PATH here.
step "find_package build"
"$cmake" -S "$here" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$stage" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  > "$work/cmake-configure.log" 2>&1 \
  || { cat "$work/cmake-configure.log" >&2; die "configuring the CMake consumer failed"; }
grep -F -- "-- found lockrecover" "$work/cmake-configure.log" || true
"$cmake" --build "$work/cmake" > "$work/cmake-build.log" 2>&1 \
  || { cat "$work/cmake-build.log" >&2; die "building the CMake consumer failed"; }
check_loads_staged "$work/cmake/consumer"
"$work/cmake/consumer" || die "the CMake consumer failed"

# 3. A request for the next major must be refused.
step "find_package(lockrecover 2.0) must fail"
if "$cmake" -S "$here" -B "$work/cmake-v2" -DCMAKE_PREFIX_PATH="$stage" \
     -DCMAKE_C_COMPILER="$cc" -DLKR_CONSUMER_WANT=2.0 \
     > "$work/cmake-v2.log" 2>&1; then
  die "find_package(lockrecover 2.0) accepted version $pc_version"
fi

step "all passed"
