# API documentation: target "docs" renders include/lockrecover/*.h, README.md
# and docs/*.md into <build>/docs/html with doxygen. Any doxygen warning
# (undocumented public entity, missing parameter doc, broken reference) fails
# the target. A CTest test "docs" builds it so that scripts/test proves it.

find_package(Doxygen)
if(NOT DOXYGEN_FOUND)
  message(STATUS "doxygen not found: the docs target is not available")
  return()
endif()

set(LKR_DOCS_OUTPUT_DIR "${PROJECT_BINARY_DIR}/docs")

# Doxygen treats a missing input as a warning (and so as an error), so the input
# list names only the files that exist; re-globbed on every build.
file(GLOB LKR_DOC_PAGES CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.md")
set(LKR_DOXYGEN_INPUTS "${PROJECT_SOURCE_DIR}/include/lockrecover")
set(LKR_DOXYGEN_MAINPAGE "")
if(EXISTS "${PROJECT_SOURCE_DIR}/README.md")
  list(APPEND LKR_DOXYGEN_INPUTS "${PROJECT_SOURCE_DIR}/README.md")
  set(LKR_DOXYGEN_MAINPAGE "${PROJECT_SOURCE_DIR}/README.md")
endif()
list(APPEND LKR_DOXYGEN_INPUTS ${LKR_DOC_PAGES})
list(JOIN LKR_DOXYGEN_INPUTS " \\\n                         " LKR_DOXYGEN_INPUT)

configure_file("${PROJECT_SOURCE_DIR}/docs/Doxyfile.in"
               "${LKR_DOCS_OUTPUT_DIR}/Doxyfile" @ONLY)

add_custom_target(docs
  COMMAND "${CMAKE_COMMAND}" -E remove_directory "${LKR_DOCS_OUTPUT_DIR}/html"
  COMMAND Doxygen::doxygen "${LKR_DOCS_OUTPUT_DIR}/Doxyfile"
  WORKING_DIRECTORY "${LKR_DOCS_OUTPUT_DIR}"
  COMMENT "Generating API documentation in ${LKR_DOCS_OUTPUT_DIR}/html"
  VERBATIM)

if(LKR_BUILD_TESTS)
  add_test(NAME docs
    COMMAND "${CMAKE_COMMAND}" --build "${PROJECT_BINARY_DIR}" --target docs)
  set_tests_properties(docs PROPERTIES LABELS "docs" RESOURCE_LOCK build)
endif()
