# Bare-metal Cortex-M4F (Thumb-2, single-precision FPU, hard-float ABI) with
# Debian's gcc-arm-none-eabi and newlib-nano (libnewlib-arm-none-eabi).
#   cmake -S . -B build-m4 --toolchain cmake/toolchain-cortex-m4.cmake
# CMAKE_SYSTEM_NAME Generic makes the top-level build bare-metal: the static
# library and the firmware program of ports/baremetal only (docs/BUILDING.md).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m4)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
# No operating system to link a test program against during configuration.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(LKR_MCU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
# Sections per function and object, so that the link keeps only what is used.
set(CMAKE_C_FLAGS_INIT "${LKR_MCU_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${LKR_MCU_FLAGS} --specs=nano.specs -Wl,--gc-sections")

if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE MinSizeRel CACHE STRING "Build type")
endif()
