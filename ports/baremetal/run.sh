#!/usr/bin/env bash
# run.sh [BUILD_DIR] [CMAKE_ARGS...]: builds the library and the firmware for
# a Cortex-M4 (cmake/toolchain-cortex-m4.cmake, MinSizeRel), which fails if a
# C library function outside libc-allowed.txt got in, then runs the firmware
# on QEMU's mps2-an386 board (Cortex-M4) when qemu-system-arm is present:
# one recovery with the session in a static buffer. Prints the flash, RAM and
# stack figures (BUILD_DIR/ports/baremetal/lkr_firmware.figures).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-m4}
shift || true
fw="$build/ports/baremetal/lkr_firmware.elf"

cmake -S "$root" -B "$build" --toolchain "$root/cmake/toolchain-cortex-m4.cmake" \
  -DCMAKE_BUILD_TYPE=MinSizeRel "$@" > "$build.configure.log" 2>&1 \
  || { cat "$build.configure.log"; exit 1; }
rm -f "$build.configure.log"
cmake --build "$build" -j "${JOBS:-2}"

if ! command -v qemu-system-arm > /dev/null 2>&1; then
  echo "qemu-system-arm is not installed: the firmware was built and checked, not run"
  exit 0
fi
# Semihosting output goes to stderr without a chardev: give it a file.
console="$build/ports/baremetal/console.txt"
rm -f "$console"
rc=0
timeout 120 qemu-system-arm -M mps2-an386 -display none -monitor none -serial none \
  -chardev "file,id=semihost,path=$console" \
  -semihosting-config enable=on,target=native,chardev=semihost -kernel "$fw" || rc=$?
out=$(cat "$console" 2> /dev/null || true)
if [ "$rc" -ne 0 ]; then
  echo "$out"
  echo "the firmware failed on mps2-an386 (status $rc)"
  exit 1
fi
echo "$out"
grep -q '^recovered after' <<< "$out" || { echo "the firmware did not recover the lock"; exit 1; }
# The run's figures join the build's.
figures="$build/ports/baremetal/lkr_firmware.figures"
sed -i '/^session_bytes \|^stack_measured_bytes /d' "$figures"
sed -n 's/^session bytes: /session_bytes /p; s/^stack high-water bytes: /stack_measured_bytes /p' <<< "$out" >> "$figures"
echo "figures: $figures"
