# Shared part of the Debian cross toolchain files (toolchain-<arch>.cmake):
# the caller sets LKR_CROSS_TRIPLET (arm-linux-gnueabihf, s390x-linux-gnu) and
# LKR_CROSS_PROCESSOR, LKR_CROSS_QEMU (qemu-user's name for it) and
# LKR_CROSS_LOADER (the target's dynamic loader), then includes this file.
#
# Compilers: Debian's gcc-<triplet> / g++-<triplet>. Libraries of the target
# (Check for the tests) come from multiarch packages (check:armhf ...), which
# install into /usr/lib/<triplet>; pkg-config looks only there. Programs run
# under qemu-user (CMAKE_CROSSCOMPILING_EMULATOR), so ctest works as natively.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${LKR_CROSS_PROCESSOR})

set(CMAKE_C_COMPILER ${LKR_CROSS_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${LKR_CROSS_TRIPLET}-g++)

set(CMAKE_FIND_ROOT_PATH /usr/${LKR_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_LIBRARY_ARCHITECTURE ${LKR_CROSS_TRIPLET})

set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${LKR_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

# With the target's multiarch libc6 installed (check:<arch> pulls it in), qemu
# finds its loader at the usual path and the loader finds the multiarch libs.
# Without it, -L points qemu at the cross libc. Never both: the cross libc and
# the multiarch libc differ in version, and a loader of one with the libc of
# the other crashes at start-up.
if(EXISTS "${LKR_CROSS_LOADER}")
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${LKR_CROSS_QEMU})
else()
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${LKR_CROSS_QEMU} -L /usr/${LKR_CROSS_TRIPLET})
endif()
