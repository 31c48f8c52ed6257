/**
 * @file classify.h
 * @brief The classifier: observations in, symptom, ranked causes, entry tier
 *        and triage flags out.
 *
 * lkr_classify() is a pure function of its inputs. The symptom comes from the
 * catalog's symptom table (a fixed, documented rule order); the causes are
 * ranked by Bayes' rule: each cause starts from its prior weight, every piece
 * of evidence the observations establish multiplies it by a likelihood from
 * the catalog's evidence table, causes that cannot happen on the lock's
 * protocol get zero, and the result is normalised. A vendor may override
 * priors and likelihoods with ::lkr_overrides. See docs/CLASSIFIER.md.
 */
#ifndef LOCKRECOVER_CLASSIFY_H
#define LOCKRECOVER_CLASSIFY_H

#include <stdint.h>

#include "export.h"
#include "model.h"
#include "status.h"

LKR_BEGIN_DECLS

/** @brief Evidence: facts the classifier derives from observations. */
typedef enum lkr_evidence {
    LKR_EVIDENCE_NONE = 0,                  /**< No evidence. */
    LKR_EVIDENCE_KEYPAD_DARK = 1,           /**< "keypad_dark": no light or beep on a press. */
    LKR_EVIDENCE_KEYPAD_LIGHTS = 2,         /**< "keypad_lights": lights or beeps. */
    LKR_EVIDENCE_CODES_ACCEPTED = 3,        /**< "codes_accepted": a code works the bolt. */
    LKR_EVIDENCE_APP_OFFLINE = 4,           /**< "app_offline": the app says "Offline". */
    LKR_EVIDENCE_APP_NO_RESPONSE = 5,       /**< "app_no_response": "No Response" or "Unavailable". */
    LKR_EVIDENCE_APP_ONLINE = 6,            /**< "app_online": the app shows it online. */
    LKR_EVIDENCE_LOCAL_WORKS = 7,           /**< "local_works": works nearby, not remotely. */
    LKR_EVIDENCE_LOCAL_FAILS = 8,           /**< "local_fails": not even the phone nearby reaches it. */
    LKR_EVIDENCE_NO_UPDATE = 9,             /**< "no_update": no firmware update involved. */
    LKR_EVIDENCE_UPDATE_STALLED = 10,       /**< "update_stalled": running, not moved for over 10 minutes. */
    LKR_EVIDENCE_UPDATE_MOVING = 11,        /**< "update_moving": running and still moving. */
    LKR_EVIDENCE_UPDATE_REPORTED_OK = 12,   /**< "update_reported_ok": the app said it succeeded. */
    LKR_EVIDENCE_UPDATE_REPORTED_FAILED = 13, /**< "update_reported_failed": the app said it failed. */
    LKR_EVIDENCE_FW_AT_TARGET = 14,         /**< "fw_at_target": the lock reports the target version. */
    LKR_EVIDENCE_FW_UNCHANGED = 15,         /**< "fw_unchanged": it still reports the old version. */
    LKR_EVIDENCE_BATTERY_LOW = 16,          /**< "battery_low": under 50 %, or cells sagging. */
    LKR_EVIDENCE_BATTERY_CRITICAL = 17,     /**< "battery_critical": under 20 %, or cells flat. */
    LKR_EVIDENCE_BATTERY_GOOD = 18,         /**< "battery_good": 80 % or more, cells healthy. */
    LKR_EVIDENCE_NIMH_CELLS = 19,           /**< "nimh_cells": rechargeable NiMH cells fitted. */
    LKR_EVIDENCE_HUB_OFFLINE = 20,          /**< "hub_offline": the hub or bridge is offline. */
    LKR_EVIDENCE_HUB_ONLINE = 21,           /**< "hub_online": the hub or bridge is online. */
    LKR_EVIDENCE_OTHER_WIFI_FAIL = 22,      /**< "other_wifi_fail": other Wi-Fi devices fail too. */
    LKR_EVIDENCE_OTHER_WIFI_OK = 23,        /**< "other_wifi_ok": other Wi-Fi devices work. */
    LKR_EVIDENCE_WIFI_BAND_BAD = 24,        /**< "wifi_band_bad": no 2.4 GHz, or WPA3 / mixed. */
    LKR_EVIDENCE_WIFI_BAND_OK = 25,         /**< "wifi_band_ok": 2.4 GHz on and WPA2-PSK. */
    LKR_EVIDENCE_NETWORK_CHANGED = 26,      /**< "network_changed": new SSID, password or router. */
    LKR_EVIDENCE_IP_CHANGED = 27,           /**< "ip_changed": the lock got a new IP address. */
    LKR_EVIDENCE_SIGNAL_WEAK = 28,          /**< "signal_weak": weak signal or interference. */
    LKR_EVIDENCE_OUT_OF_RANGE = 29,         /**< "out_of_range": phone outside Bluetooth range. */
    LKR_EVIDENCE_PERMISSIONS_MISSING = 30,  /**< "permissions_missing": app lacks permissions. */
    LKR_EVIDENCE_SECOND_PHONE_WORKS = 31,   /**< "second_phone_works": another phone connects. */
    LKR_EVIDENCE_SECOND_PHONE_FAILS = 32,   /**< "second_phone_fails": another phone fails too. */
    LKR_EVIDENCE_SOFTWARE_OUTDATED = 33,    /**< "software_outdated": app or firmware update pending. */
    LKR_EVIDENCE_ONE_CODE_REJECTED = 34,    /**< "one_code_rejected" */
    LKR_EVIDENCE_ALL_CODES_REJECTED = 35,   /**< "all_codes_rejected" */
    LKR_EVIDENCE_CODE_EXPIRED = 36,         /**< "code_expired": expired, deleted or off-schedule. */
    LKR_EVIDENCE_LOCKOUT_ACTIVE = 37,       /**< "lockout_active": lockout or Vacation Mode. */
    LKR_EVIDENCE_KEYPAD_DIRTY = 38,         /**< "keypad_dirty": dirt or stuck buttons. */
    LKR_EVIDENCE_KEYPAD_ERRATIC = 39,       /**< "keypad_erratic" */
    LKR_EVIDENCE_DOOR_OPEN_ONLY = 40,       /**< "door_open_only": works open, not closed. */
    LKR_EVIDENCE_WRONG_POSITION = 41,       /**< "wrong_position": reports the wrong position. */
    LKR_EVIDENCE_EXTREME_COLD = 42,         /**< "extreme_cold" */
    LKR_EVIDENCE_ERROR_CODE = 43,           /**< "error_code": the app shows an error code. */
    LKR_EVIDENCE_PROTOCOL_WIFI = 44,        /**< "protocol_wifi": the lock is a Wi-Fi lock. */
    LKR_EVIDENCE_PROTOCOL_BLE = 45,         /**< "protocol_ble" */
    LKR_EVIDENCE_PROTOCOL_ZWAVE = 46,       /**< "protocol_zwave" */
    LKR_EVIDENCE_PROTOCOL_ZIGBEE = 47,      /**< "protocol_zigbee" */
    LKR_EVIDENCE_PROTOCOL_MATTER = 48,      /**< "protocol_matter" */
    LKR_EVIDENCE_ROUTER_OFFLINE = 49,       /**< "router_offline": the Wi-Fi router is offline. */
    LKR_EVIDENCE_SOFTWARE_CURRENT = 50      /**< "software_current": no app or firmware update is offered (since 1.2). */
} lkr_evidence;

/** @name Triage flags (::lkr_diagnosis `triage`)
 *  @{ */
#define LKR_TRIAGE_UPDATE_STALLED 0x001u     /**< "update_stalled": no battery pull until the app was force-closed and the version read. */
#define LKR_TRIAGE_NIMH_CELLS 0x002u         /**< "nimh_cells": replace them with fresh alkaline cells first. */
#define LKR_TRIAGE_ZWAVE_LOW_BATTERY 0x004u  /**< "zwave_low_battery": Z-Wave under 50 %: batteries before anything else. */
#define LKR_TRIAGE_BATTERY_LOW 0x008u        /**< "battery_low": under 50 % or sagging cells. */
#define LKR_TRIAGE_UPDATE_APPLIED 0x010u     /**< "update_applied": version equals target: a connection problem. */
#define LKR_TRIAGE_UPDATE_NOT_APPLIED 0x020u /**< "update_not_applied": reported done, version unchanged: a failed update. */
#define LKR_TRIAGE_KEYPAD_WORKS 0x040u       /**< "keypad_works": battery collapse set aside. */
#define LKR_TRIAGE_LOCAL_ONLY 0x080u         /**< "local_only": works locally, not remotely: ecosystem reconnection. */
#define LKR_TRIAGE_CODE_PATH 0x100u          /**< "code_path": a code symptom: the access-code ladder. */
#define LKR_TRIAGE_EXTREME_COLD 0x200u       /**< "extreme_cold": cold weather may explain it. */
#define LKR_TRIAGE_UPDATE_ACTIVE 0x400u      /**< "update_active": an update is still running: nothing may cut power until it is settled. */
/** @} */

/** Most causes an ::lkr_diagnosis lists (the most probable first). */
#define LKR_DIAGNOSIS_MAX_CAUSES 32

/** @brief One cause of a diagnosis with its posterior probability. */
typedef struct lkr_ranked_cause {
    uint32_t cause;     /**< An ::lkr_cause. */
    uint32_t reserved_; /**< Zero. */
    double p;           /**< Posterior probability, 0 < p <= 1. */
} lkr_ranked_cause;

/** @brief What lkr_classify() concludes. Set `struct_size` before the call. */
typedef struct lkr_diagnosis {
    uint32_t struct_size; /**< `sizeof(lkr_diagnosis)` (::LKR_DIAGNOSIS_INIT). */
    uint32_t symptom;     /**< An ::lkr_symptom. */
    uint32_t entry_tier;  /**< The ::lkr_tier a recovery enters at. */
    uint32_t triage;      /**< LKR_TRIAGE_* flags. */
    uint32_t cause_count; /**< Causes with a non-zero probability listed below. */
    uint32_t reserved_;   /**< Zero. */
    uint64_t evidence;    /**< Bit (id - 1) set for each ::lkr_evidence established (the first 64 kinds). */
    lkr_ranked_cause causes[LKR_DIAGNOSIS_MAX_CAUSES]; /**< Most probable first; ties by id. */
} lkr_diagnosis;

/** Initialiser for ::lkr_diagnosis. */
#define LKR_DIAGNOSIS_INIT { sizeof(lkr_diagnosis), 0, 0, 0, 0, 0, 0, { { 0, 0, 0.0 } } }

/** @brief A (numeric id, weight) pair: a prior per cause, or a cost per step. */
typedef struct lkr_weight {
    uint32_t id;    /**< A cause id (priors) or a step id (costs). */
    uint32_t value; /**< Prior in thousandths (0..1000000), or cost in minutes (1..100000). */
} lkr_weight;

/** @brief A likelihood override: P(evidence | cause), in thousandths of "neutral". */
typedef struct lkr_likelihood {
    uint32_t evidence; /**< An ::lkr_evidence. */
    uint32_t cause;    /**< An ::lkr_cause. */
    uint32_t permille; /**< 1000 is neutral; 0 rules the cause out; at most 1000000. */
} lkr_likelihood;

/**
 * @brief A vendor's overrides of the catalog's numbers. Every array may be
 *        NULL when its count is 0; entries must name known ids, and an id
 *        may appear once per array.
 */
typedef struct lkr_overrides {
    uint32_t struct_size;         /**< `sizeof(lkr_overrides)` (::LKR_OVERRIDES_INIT). */
    uint32_t prior_count;         /**< Entries in `priors`. */
    uint32_t likelihood_count;    /**< Entries in `likelihoods`. */
    uint32_t cost_count;          /**< Entries in `costs` (used by sessions). */
    uint32_t disabled_count;      /**< Entries in `disabled_steps` (used by sessions). */
    uint32_t reserved_;           /**< Zero. */
    const lkr_weight *priors;     /**< (cause, prior permille) pairs. */
    const lkr_likelihood *likelihoods; /**< Evidence likelihood replacements. */
    const lkr_weight *costs;      /**< (step, minutes) pairs. */
    const uint32_t *disabled_steps; /**< Steps never to offer for this vendor's locks (disabling never lifts a guard). */
} lkr_overrides;

/** Initialiser for ::lkr_overrides. */
#define LKR_OVERRIDES_INIT { sizeof(lkr_overrides), 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/** Most entries of each ::lkr_overrides array. */
#define LKR_OVERRIDES_MAX 128

/**
 * @brief Classifies what a person observes.
 * @param profile the lock (validated as lkr_profile_validate() does).
 * @param obs what is observed (validated as lkr_observations_validate() does).
 * @param[out] out the diagnosis; its `struct_size` must be set.
 * @return ::LKR_OK; ::LKR_E_INVAL for NULL or invalid input (nothing is
 *         written to @p out but on success); ::LKR_E_UNSUPPORTED as the
 *         validators say.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_classify(const lkr_profile *profile,
                                                       const lkr_observations *obs,
                                                       lkr_diagnosis *out);

/**
 * @brief lkr_classify() with a vendor's priors and likelihoods.
 * @param profile the lock.
 * @param obs what is observed.
 * @param overrides the overrides, or NULL for the catalog's numbers.
 * @param[out] out the diagnosis.
 * @return as lkr_classify(); ::LKR_E_INVAL also for malformed overrides,
 *         ::LKR_E_RANGE for an override naming an unknown id,
 *         ::LKR_E_UNSUPPORTED for an overrides struct setting fields this
 *         library does not know.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_classify_ex(const lkr_profile *profile,
                                                          const lkr_observations *obs,
                                                          const lkr_overrides *overrides,
                                                          lkr_diagnosis *out);

/**
 * @brief Checks overrides the way lkr_classify_ex() does.
 * @param overrides the overrides (NULL is valid: none).
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_RANGE, ::LKR_E_UNSUPPORTED (a
 *         larger struct whose unknown fields are set).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_overrides_validate(const lkr_overrides *overrides);

/**
 * @brief The stable string id of a single triage flag, e.g.
 *        `"update_stalled"` for ::LKR_TRIAGE_UPDATE_STALLED.
 * @param flag exactly one LKR_TRIAGE_* bit.
 * @return a static string, or NULL when @p flag is not exactly one known bit.
 */
LKR_API const char *lkr_triage_name(uint32_t flag);

/**
 * @brief Number of evidence kinds; valid ids are 1..lkr_evidence_count().
 * @return the count.
 */
LKR_API uint32_t lkr_evidence_count(void);

/**
 * @brief The stable string id of an evidence kind, e.g. `"keypad_dark"`.
 * @param evidence an ::lkr_evidence.
 * @return a static string, or NULL for an unknown id.
 */
LKR_API const char *lkr_evidence_name(uint32_t evidence);

/**
 * @brief Finds an evidence kind by its string id.
 * @param sid the string id.
 * @param[out] id the ::lkr_evidence.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_NOTFOUND.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_evidence_find(const char *sid, uint32_t *id);

/**
 * @brief The catalog's likelihood of @p evidence under @p cause, in
 *        thousandths of neutral (1000), before any override.
 * @param evidence an ::lkr_evidence.
 * @param cause an ::lkr_cause.
 * @param[out] permille the likelihood.
 * @return ::LKR_OK, ::LKR_E_INVAL for NULL, ::LKR_E_RANGE for unknown ids.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_likelihood_get(uint32_t evidence, uint32_t cause,
                                                             uint32_t *permille);

LKR_END_DECLS

#endif /* LOCKRECOVER_CLASSIFY_H */
