# Warning flags for the project's own code (library, tests, examples).
# Third-party code and the generated header test use their own flags.

set(LKR_WARNING_FLAGS
  -Wall
  -Wextra
  -Wshadow
  -Wpointer-arith
  -Wcast-qual
  -Wformat=2
  -Wundef)
set(LKR_C_ONLY_WARNING_FLAGS
  -Wstrict-prototypes
  -Wmissing-prototypes
  -Wold-style-definition)

if(LKR_WERROR)
  list(APPEND LKR_WARNING_FLAGS -Werror)
endif()

# lkr_target_warnings(<target>)
#   Applies the project's warning set to <target> (gcc and clang).
function(lkr_target_warnings target)
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE
      ${LKR_WARNING_FLAGS}
      "$<$<COMPILE_LANGUAGE:C>:${LKR_C_ONLY_WARNING_FLAGS}>")
  endif()
endfunction()
