/**
 * @file export.h
 * @brief Export, attribute and linkage macros shared by every public header.
 *
 * Nothing here is part of the run-time ABI; the macros only decorate
 * declarations.
 */
#ifndef LOCKRECOVER_EXPORT_H
#define LOCKRECOVER_EXPORT_H

/**
 * @def LKR_API
 * @brief Marks a function as part of the exported, versioned API.
 *
 * The library is built with hidden visibility; only declarations carrying
 * this macro are exported (and every exported name starts with `lkr_`).
 */
#if defined(LKR_BUILDING_LIBRARY) && (defined(__GNUC__) || defined(__clang__))
#  define LKR_API __attribute__((visibility("default")))
#else
#  define LKR_API
#endif

/**
 * @def LKR_WARN_UNUSED_RESULT
 * @brief Asks the compiler to warn when a returned ::lkr_status is ignored.
 */
#if defined(__GNUC__) || defined(__clang__)
#  define LKR_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#  define LKR_WARN_UNUSED_RESULT
#endif

/**
 * @def LKR_DEPRECATED
 * @brief Marks a declaration that will go away at the next ABI major.
 * @param msg why, and what to use instead.
 */
#if defined(__GNUC__) || defined(__clang__)
#  define LKR_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#  define LKR_DEPRECATED(msg)
#endif

/** @cond LKR_INTERNAL */
#ifdef __cplusplus
#  define LKR_BEGIN_DECLS extern "C" {
#  define LKR_END_DECLS }
#else
#  define LKR_BEGIN_DECLS
#  define LKR_END_DECLS
#endif
/** @endcond */

#endif /* LOCKRECOVER_EXPORT_H */
