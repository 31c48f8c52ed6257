# 64-bit big-endian (IBM Z), the big-endian target that qemu-user runs well.
#   cmake -S . -B build-s390x --toolchain cmake/toolchain-s390x.cmake
# Needs gcc-s390x-linux-gnu, g++-s390x-linux-gnu, qemu-user and, for the
# tests, check:s390x (dpkg --add-architecture s390x); see docs/BUILDING.md.
set(LKR_CROSS_TRIPLET s390x-linux-gnu)
set(LKR_CROSS_PROCESSOR s390x)
set(LKR_CROSS_QEMU s390x)
set(LKR_CROSS_LOADER /lib/ld64.so.1)
include(${CMAKE_CURRENT_LIST_DIR}/LkrCrossLinux.cmake)
