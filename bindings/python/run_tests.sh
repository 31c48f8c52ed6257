#!/usr/bin/env bash
# Runs the Python binding's test suite against an installed liblockrecover.
#
#   bindings/python/run_tests.sh PREFIX [BUILD_DIR]
#
# PREFIX     where `cmake --install` put the library (holds lockrecover.pc)
# BUILD_DIR  where the venv and the package build live (default /tmp);
#            the venv is reused when present.
#
# Builds the package from a copy of bindings/python under BUILD_DIR, so the
# source tree gets no build/, *.egg-info or generated C. Exits with pytest's
# status; pytest's summary line is the last line printed.
#
# Environment: PYTHON (default python3), PIP_QUIET (default -q).
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 PREFIX [BUILD_DIR]" >&2
  exit 2
fi
PREFIX=$(cd "$1" && pwd)
BUILD_DIR=${2:-/tmp}
mkdir -p "$BUILD_DIR"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}
QUIET=${PIP_QUIET:--q}

PC=$(find "$PREFIX" -name lockrecover.pc -print -quit 2>/dev/null || true)
if [ -z "$PC" ]; then
  echo "run_tests.sh: no lockrecover.pc under $PREFIX (install the library first)" >&2
  exit 2
fi
PC_DIR=$(dirname "$PC")
export PKG_CONFIG_PATH="$PC_DIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
LIB_DIR=$(pkg-config --variable=libdir lockrecover 2>/dev/null || true)
if [ -z "$LIB_DIR" ] || [ ! -d "$LIB_DIR" ]; then
  LIB_DIR=$(dirname "$PC_DIR")
fi
export LD_LIBRARY_PATH="$LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DYLD_LIBRARY_PATH="$LIB_DIR${DYLD_LIBRARY_PATH:+:$DYLD_LIBRARY_PATH}"
export PYTHONDONTWRITEBYTECODE=1
export PIP_DISABLE_PIP_VERSION_CHECK=1

VENV="$BUILD_DIR/lockrecover-pyvenv"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import cffi, pytest, setuptools" 2>/dev/null; then
  "$VENV/bin/python" -m pip install $QUIET "setuptools>=61" wheel "cffi>=1.15" "pytest>=7"
fi

# Build from a copy: nothing is written into the source tree.
SRC="$BUILD_DIR/lockrecover-pysrc"
rm -rf "$SRC"
mkdir -p "$SRC"
cp "$HERE/pyproject.toml" "$HERE/setup.py" "$HERE/README.md" "$SRC/"
mkdir -p "$SRC/lockrecover"
cp "$HERE"/lockrecover/*.py "$HERE/lockrecover/py.typed" "$SRC/lockrecover/"
"$VENV/bin/python" -m pip install $QUIET --no-build-isolation --no-deps --force-reinstall \
  "$SRC"
rm -rf "$SRC"

# Run the installed package from outside the source tree, so `import
# lockrecover` never finds bindings/python/lockrecover (it has no compiled part).
cd "$BUILD_DIR"
rc=0
"$VENV/bin/pytest" -q -p no:cacheprovider --rootdir "$HERE/tests" "$HERE/tests" \
  > "$BUILD_DIR/lockrecover-pytest.log" 2>&1 || rc=$?
cat "$BUILD_DIR/lockrecover-pytest.log"
if [ "$rc" -ne 0 ]; then
  echo "run_tests.sh: pytest exited with $rc" >&2
fi
# The summary line last, for scripts/test to read.
grep -E '^(=+ )?[0-9]+ (passed|failed|error|skipped)|no tests ran' \
  "$BUILD_DIR/lockrecover-pytest.log" | tail -n 1 || true
exit "$rc"
