/**
 * @file version.h
 * @brief Compile-time and run-time version of liblockrecover.
 */
#ifndef LOCKRECOVER_VERSION_H
#define LOCKRECOVER_VERSION_H

#include <stdint.h>

#include "export.h"

/** Major version of the headers (the project version, not the ABI major). */
#define LKR_VERSION_MAJOR 1
/** Minor version of the headers. */
#define LKR_VERSION_MINOR 2
/** Patch version of the headers. */
#define LKR_VERSION_PATCH 0
/** The header version as one number: `major * 10000 + minor * 100 + patch`. */
#define LKR_VERSION_NUMBER \
    (LKR_VERSION_MAJOR * 10000 + LKR_VERSION_MINOR * 100 + LKR_VERSION_PATCH)
/** The header version as a string, `"1.0.0"`. */
#define LKR_VERSION_STRING "1.2.0"
/**
 * The ABI major: the number in the SONAME (`liblockrecover.so.1`). It moves
 * only on an incompatible change (see docs/ABI.md), independently of
 * ::LKR_VERSION_MAJOR.
 */
#define LKR_ABI_MAJOR 1

LKR_BEGIN_DECLS

/**
 * @brief The version of the library actually loaded at run time.
 * @return `major * 10000 + minor * 100 + patch`, comparable to
 *         ::LKR_VERSION_NUMBER to detect a header/library mismatch.
 */
LKR_API uint32_t lkr_version(void);

/**
 * @brief The version of the loaded library as a string such as `"1.0.0"`.
 * @return a static, NUL-terminated string; never NULL.
 */
LKR_API const char *lkr_version_string(void);

LKR_END_DECLS

#endif /* LOCKRECOVER_VERSION_H */
