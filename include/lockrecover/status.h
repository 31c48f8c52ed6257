/**
 * @file status.h
 * @brief The ::lkr_status codes every fallible function returns.
 */
#ifndef LOCKRECOVER_STATUS_H
#define LOCKRECOVER_STATUS_H

#include "export.h"

LKR_BEGIN_DECLS

/**
 * @brief Result of every fallible function.
 *
 * Zero is success, a positive value is "not finished yet", a negative value is
 * an error. Values are fixed forever and only ever appended; a host should
 * treat an unknown negative value as a generic error.
 */
typedef int lkr_status;

/** Success. */
#define LKR_OK 0
/** The operation was started and will complete later (transport callbacks). */
#define LKR_PENDING 1
/** An argument was NULL, too short (`struct_size`), or not a valid value. */
#define LKR_E_INVAL (-1)
/** Memory could not be allocated. */
#define LKR_E_NOMEM (-2)
/** A numeric id or index is outside the range the catalog knows. */
#define LKR_E_RANGE (-3)
/** A step was refused because one or more of its guards do not hold. */
#define LKR_E_GUARD (-4)
/** The call is not valid in the object's current state. */
#define LKR_E_STATE (-5)
/** The lock, transport or build does not support the operation. */
#define LKR_E_UNSUPPORTED (-6)
/** Input data (a saved blob, a sealed vault) failed its integrity checks. */
#define LKR_E_CORRUPT (-7)
/** Input data was written by a newer, incompatible format version. */
#define LKR_E_VERSION (-8)
/** A transport callback reported a failure. */
#define LKR_E_TRANSPORT (-9)
/** The caller's buffer is too small; the size needed was reported. */
#define LKR_E_BUFFER (-10)
/** A string or string id was not found in the catalog. */
#define LKR_E_NOTFOUND (-11)
/** Input data was cut short. */
#define LKR_E_TRUNCATED (-12)
/** The transport returned a value outside the range the contract allows. */
#define LKR_E_PROTOCOL (-13)
/** Input data is longer than it says, or than any valid input can be. */
#define LKR_E_OVERSIZED (-14)
/** A host callback called a function of the session it was called from
 *  (like curl's CURLE_RECURSIVE_API_CALL): refused, the session unchanged.
 *  Since 1.1. */
#define LKR_E_REENTRANT (-15)

/**
 * @brief A short English name for a status code, e.g. `"invalid argument"`.
 * @param status any value, known or not.
 * @return a static string; never NULL. Unknown values give
 *         `"unknown status"`. The text never contains caller data.
 */
LKR_API const char *lkr_strerror(lkr_status status);

/**
 * @brief The stable symbolic name of a status code, e.g. `"LKR_E_INVAL"`.
 * @param status any value.
 * @return a static string; `"LKR_E_UNKNOWN"` for values this library does not
 *         know.
 */
LKR_API const char *lkr_status_name(lkr_status status);

LKR_END_DECLS

#endif /* LOCKRECOVER_STATUS_H */
