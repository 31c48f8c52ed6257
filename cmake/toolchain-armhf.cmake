# 32-bit ARM (armhf, ARMv7 hard-float), as on a Raspberry Pi running a hub.
#   cmake -S . -B build-armhf --toolchain cmake/toolchain-armhf.cmake
# Needs gcc-arm-linux-gnueabihf, g++-arm-linux-gnueabihf, qemu-user and, for
# the tests, check:armhf (dpkg --add-architecture armhf); see docs/BUILDING.md.
set(LKR_CROSS_TRIPLET arm-linux-gnueabihf)
set(LKR_CROSS_PROCESSOR arm)
set(LKR_CROSS_QEMU arm)
set(LKR_CROSS_LOADER /lib/ld-linux-armhf.so.3)
# Large-file interfaces for the test programs: a 32-bit readdir() without
# them fails (EOVERFLOW) on file systems with 64-bit inode numbers, so the
# fuzz corpus replay would read nothing. The library does no file I/O.
set(CMAKE_C_FLAGS_INIT "-D_FILE_OFFSET_BITS=64")
set(CMAKE_CXX_FLAGS_INIT "-D_FILE_OFFSET_BITS=64")
include(${CMAKE_CURRENT_LIST_DIR}/LkrCrossLinux.cmake)
