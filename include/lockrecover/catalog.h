/**
 * @file catalog.h
 * @brief The recovery catalog: every tier, symptom, cause, guard and step,
 *        with stable numeric and string ids and English text.
 *
 * The catalog is constant data compiled into the library (lib/catalog.c, which
 * reads like the domain document). Numeric ids are dense, start at 1, are
 * never renumbered and only ever appended; string ids never change either, so
 * hosts may store them and localise text by them. Every pointer an info
 * struct returns points into that constant data and stays valid for the life
 * of the process. A library built with LKR_NO_TEXT (for hosts that localise
 * by string id) returns "" for every English text.
 *
 * Info structs are filled by the library but sized by the caller: set
 * `struct_size` (the `..._INIT` macros do) and the library writes only what
 * it covers.
 */
#ifndef LOCKRECOVER_CATALOG_H
#define LOCKRECOVER_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "model.h"
#include "status.h"

LKR_BEGIN_DECLS

/** @brief The escalation tiers, in ladder order (catalog section 5). */
typedef enum lkr_tier {
    LKR_TIER_NONE = 0,      /**< No tier. */
    LKR_TIER_TRIAGE = 1,    /**< "triage": stalled updates, first reads. */
    LKR_TIER_UNIVERSAL = 2, /**< "universal": first steps for every lock; none erase codes. */
    LKR_TIER_PROTOCOL = 3,  /**< "protocol": the lock's own protocol path only. */
    LKR_TIER_ECOSYSTEM = 4, /**< "ecosystem": reconnection in each linked ecosystem. */
    LKR_TIER_REPAIR = 5,    /**< "repair": re-pair without a factory reset. */
    LKR_TIER_RESET = 6,     /**< "reset": the guarded factory reset. */
    LKR_TIER_SUPPORT = 7,   /**< "support": hand over to the manufacturer. */
    LKR_TIER_CODE = 8       /**< "code": the access-code path (seed 003), before reset. */
} lkr_tier;

/** @brief Symptom classes (catalog section 3). */
typedef enum lkr_symptom {
    LKR_SYMPTOM_UNKNOWN = 0,              /**< "unknown": too little is known to place it. */
    LKR_SYMPTOM_COMPLETELY_SILENT = 1,    /**< "completely_silent": keypad dark, no response. */
    LKR_SYMPTOM_LOCAL_OK_APP_OFFLINE = 2, /**< "local_ok_app_offline": keypad works, app offline. */
    LKR_SYMPTOM_APP_NO_RESPONSE = 3,      /**< "app_no_response": ecosystem shows No Response. */
    LKR_SYMPTOM_UPDATE_STALLED = 4,       /**< "update_stalled": progress stuck over 10 minutes. */
    LKR_SYMPTOM_ONE_CODE_REJECTED = 5,    /**< "one_code_rejected": one code fails, others work. */
    LKR_SYMPTOM_ALL_CODES_REJECTED = 6,   /**< "all_codes_rejected": every code fails / erratic. */
    LKR_SYMPTOM_OFFLINE_NO_UPDATE = 7     /**< "offline_no_update": offline, no update involved. */
} lkr_symptom;

/** @brief Root causes the classifier ranks (catalog section 4). */
typedef enum lkr_cause {
    LKR_CAUSE_NONE = 0,                  /**< No cause. */
    LKR_CAUSE_BLE_DROP_MID_TRANSFER = 1, /**< "ble_drop_mid_transfer" */
    LKR_CAUSE_OTA_VOLTAGE_COLLAPSE = 2,  /**< "ota_voltage_collapse" */
    LKR_CAUSE_WIFI_STACK_CRASH = 3,      /**< "wifi_stack_crash" */
    LKR_CAUSE_HUB_SESSION_MISMATCH = 4,  /**< "hub_session_mismatch" */
    LKR_CAUSE_APP_STALE_STATE = 5,       /**< "app_stale_state" */
    LKR_CAUSE_TRANSFER_STALL = 6,        /**< "transfer_stall" */
    LKR_CAUSE_BATTERIES_DEPLETED = 7,    /**< "batteries_depleted" */
    LKR_CAUSE_ZWAVE_DEEP_SLEEP = 8,      /**< "zwave_deep_sleep" */
    LKR_CAUSE_THREAD_MESH_LOST = 9,      /**< "thread_mesh_lost" */
    LKR_CAUSE_PHONE_BLE_BUG = 10,        /**< "phone_ble_bug" */
    LKR_CAUSE_WIFI_BAND_SECURITY = 11,   /**< "wifi_band_security" */
    LKR_CAUSE_NEW_IP_ADDRESS = 12,       /**< "new_ip_address" */
    LKR_CAUSE_WEAK_SIGNAL = 13,          /**< "weak_signal" */
    LKR_CAUSE_NETWORK_CHANGED = 14,      /**< "network_changed" */
    LKR_CAUSE_HUB_OFFLINE = 15,          /**< "hub_offline" */
    LKR_CAUSE_MISSING_PERMISSIONS = 16,  /**< "missing_permissions" */
    LKR_CAUSE_OUTDATED_SOFTWARE = 17,    /**< "outdated_software" */
    LKR_CAUSE_NEEDS_CALIBRATION = 18,    /**< "needs_calibration" */
    LKR_CAUSE_KEYPAD_LOCKOUT = 19,       /**< "keypad_lockout" */
    LKR_CAUSE_CODE_EXPIRED = 20,         /**< "code_expired" */
    LKR_CAUSE_WRONG_CODE = 21,           /**< "wrong_code" */
    LKR_CAUSE_KEYPAD_DAMAGE = 22,        /**< "keypad_damage" */
    LKR_CAUSE_DOOR_MISALIGNMENT = 23,    /**< "door_misalignment" */
    LKR_CAUSE_EXTREME_COLD = 24,         /**< "extreme_cold" */
    LKR_CAUSE_HARDWARE_FAILURE = 25      /**< "hardware_failure" */
} lkr_cause;

/** @brief Guards: predicates that must hold before a step may run. */
typedef enum lkr_guard {
    LKR_GUARD_NONE = 0,                /**< No guard. */
    LKR_GUARD_ADMIN_CODE_RECORDED = 1, /**< "admin_code_recorded": programming code written down. */
    LKR_GUARD_CODES_BACKED_UP = 2,     /**< "codes_backed_up": every code in a verified vault backup. */
    LKR_GUARD_PHYSICAL_KEY = 3,        /**< "physical_key": a working key is at hand. */
    LKR_GUARD_DOOR_OPEN = 4,           /**< "door_open": the door is open and unlocked. */
    LKR_GUARD_EARLIER_TIERS_DONE = 5,  /**< "earlier_tiers_done": every earlier tier done or waived. */
    LKR_GUARD_PHONE_IN_RANGE = 6,      /**< "phone_in_range": phone within Bluetooth range. */
    LKR_GUARD_NO_ACTIVE_TRANSFER = 7,  /**< "no_active_transfer": no update is still transferring. */
    LKR_GUARD_REPAIR_CODES_SAFE = 8,   /**< "repair_codes_safe": re-pair keeps codes, or they are backed up. */
    LKR_GUARD_PREFLIGHT_OK = 9,        /**< "preflight_ok": the pre-update checklist (catalog section 6) holds. */
    LKR_GUARD_CODES_NOTED = 10         /**< "codes_noted": the person wrote down every code and its slot (a
                                            lower evidence level than a verified backup; counts only when no
                                            code reader is attached). Since 1.1. */
} lkr_guard;
/** The mask bit of guard @p g (as in step `guards` and blocked-guard masks). */
#define LKR_GUARD_BIT(g) (1u << (unsigned)(g))

/** @brief Steps of every ladder; string ids start with their tier or protocol. */
typedef enum lkr_step {
    LKR_STEP_NONE = 0,                          /**< No step. */
    LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN = 1,     /**< "triage.force_close_reopen" */
    LKR_STEP_TRIAGE_CHECK_FIRMWARE = 2,         /**< "triage.check_firmware" */
    LKR_STEP_UNIVERSAL_FRESH_ALKALINE = 3,      /**< "universal.fresh_alkaline" */
    LKR_STEP_UNIVERSAL_BATTERY_PULL = 4,        /**< "universal.battery_pull" */
    LKR_STEP_UNIVERSAL_CHECK_FIRMWARE = 5,      /**< "universal.check_firmware" */
    LKR_STEP_UNIVERSAL_TOGGLE_PHONE_BLUETOOTH = 6, /**< "universal.toggle_phone_bluetooth" */
    LKR_STEP_UNIVERSAL_RESTART_PHONE = 7,       /**< "universal.restart_phone" */
    LKR_STEP_UNIVERSAL_UPDATE_SOFTWARE = 8,     /**< "universal.update_software" */
    LKR_STEP_UNIVERSAL_RECALIBRATE = 9,         /**< "universal.recalibrate" */
    LKR_STEP_WIFI_CHECK_BAND_SECURITY = 10,     /**< "wifi.check_band_security" */
    LKR_STEP_WIFI_POWER_CYCLE_BRIDGE = 11,      /**< "wifi.power_cycle_bridge" */
    LKR_STEP_WIFI_POWER_CYCLE_ROUTER = 12,      /**< "wifi.power_cycle_router" */
    LKR_STEP_WIFI_DHCP_RESERVATION = 13,        /**< "wifi.dhcp_reservation" */
    LKR_STEP_WIFI_RERUN_SETUP = 14,             /**< "wifi.rerun_wifi_setup" */
    LKR_STEP_WIFI_IMPROVE_RANGE = 15,           /**< "wifi.improve_range" */
    LKR_STEP_BLE_FORCE_CLOSE_APP = 16,          /**< "ble.force_close_app" */
    LKR_STEP_BLE_CLEAR_CACHE_REINSTALL = 17,    /**< "ble.clear_cache_reinstall" */
    LKR_STEP_BLE_REBOND = 18,                   /**< "ble.rebond" */
    LKR_STEP_BLE_SECOND_PHONE = 19,             /**< "ble.second_phone" */
    LKR_STEP_BLE_MOVE_CLOSER = 20,              /**< "ble.move_closer" */
    LKR_STEP_BLE_GRANT_PERMISSIONS = 21,        /**< "ble.grant_permissions" */
    LKR_STEP_ZWAVE_CHECK_BATTERY = 22,          /**< "zwave.check_battery" */
    LKR_STEP_ZWAVE_RESTART_HUB = 23,            /**< "zwave.restart_hub" */
    LKR_STEP_ZWAVE_EXCLUDE_REINCLUDE = 24,      /**< "zwave.exclude_reinclude" */
    LKR_STEP_ZIGBEE_CHECK_HUB = 25,             /**< "zigbee.check_hub" */
    LKR_STEP_ZIGBEE_RESTART_HUB = 26,           /**< "zigbee.restart_hub" */
    LKR_STEP_ZIGBEE_REPAIR_VIA_HUB = 27,        /**< "zigbee.repair_via_hub" */
    LKR_STEP_MATTER_POWER_OFF_5MIN = 28,        /**< "matter.power_off_5min" */
    LKR_STEP_MATTER_RESTART_HOME_HUBS = 29,     /**< "matter.restart_home_hubs" */
    LKR_STEP_MATTER_READD_QR = 30,              /**< "matter.readd_qr" */
    LKR_STEP_HOMEKIT_BLUETOOTH_ON = 31,         /**< "ecosystem.homekit.bluetooth_on" */
    LKR_STEP_HOMEKIT_RESTART_HUBS = 32,         /**< "ecosystem.homekit.restart_hubs" */
    LKR_STEP_HOMEKIT_READD = 33,                /**< "ecosystem.homekit.readd" */
    LKR_STEP_GOOGLE_RELINK = 34,                /**< "ecosystem.google.relink" */
    LKR_STEP_GOOGLE_READD = 35,                 /**< "ecosystem.google.readd" */
    LKR_STEP_ALEXA_TOGGLE_SKILL = 36,           /**< "ecosystem.alexa.toggle_skill" */
    LKR_STEP_ALEXA_DISCOVER = 37,               /**< "ecosystem.alexa.discover" */
    LKR_STEP_SMARTTHINGS_REFRESH = 38,          /**< "ecosystem.smartthings.refresh" */
    LKR_STEP_SMARTTHINGS_READD = 39,            /**< "ecosystem.smartthings.readd" */
    LKR_STEP_HOMEASSISTANT_RELOAD = 40,         /**< "ecosystem.homeassistant.reload" */
    LKR_STEP_HOMEASSISTANT_READD = 41,          /**< "ecosystem.homeassistant.readd" */
    LKR_STEP_HUBITAT_REFRESH = 42,              /**< "ecosystem.hubitat.refresh" */
    LKR_STEP_HUBITAT_READD = 43,                /**< "ecosystem.hubitat.readd" */
    LKR_STEP_REPAIR_BACKUP_CODES = 44,          /**< "repair.backup_codes" */
    LKR_STEP_REPAIR_REMOVE_AND_READD = 45,      /**< "repair.remove_and_readd" */
    LKR_STEP_REPAIR_VERIFY_CODES = 46,          /**< "repair.verify_codes" */
    LKR_STEP_REPAIR_WAIT_FOR_RECONNECT = 47,    /**< "repair.wait_for_reconnect" */
    LKR_STEP_RESET_FACTORY_RESET = 48,          /**< "reset.factory_reset" */
    LKR_STEP_RESET_RESTORE_AFTER_RESET = 49,    /**< "reset.restore_after_reset" */
    LKR_STEP_SUPPORT_CONTACT_MANUFACTURER = 50, /**< "support.contact_manufacturer" */
    LKR_STEP_SUPPORT_LOCKSMITH = 51,            /**< "support.locksmith" */
    LKR_STEP_CODE_REENTER_CAREFULLY = 52,       /**< "code.reenter_carefully" */
    LKR_STEP_CODE_CLEAN_KEYPAD = 53,            /**< "code.clean_keypad" */
    LKR_STEP_CODE_CHECK_BATTERIES = 54,         /**< "code.check_batteries" */
    LKR_STEP_CODE_CHECK_LOCKOUT = 55,           /**< "code.check_lockout" */
    LKR_STEP_CODE_CHECK_ALIGNMENT = 56,         /**< "code.check_alignment" */
    LKR_STEP_CODE_POWER_CYCLE = 57,             /**< "code.power_cycle" */
    LKR_STEP_CODE_CHECK_CONNECTIVITY = 58,      /**< "code.check_connectivity" */
    LKR_STEP_CODE_UPDATE_SOFTWARE = 59,         /**< "code.update_software" */
    LKR_STEP_CODE_RECALIBRATE = 60,             /**< "code.recalibrate" */
    LKR_STEP_CODE_CHECK_PERMISSIONS = 61,       /**< "code.check_permissions" */
    LKR_STEP_CODE_READD_CODE = 62,              /**< "code.readd_code" */
    LKR_STEP_CODE_COLD_WEATHER = 63             /**< "code.cold_weather" */
} lkr_step;

/** @name Step flags (::lkr_step_info `flags`)
 *  @{ */
#define LKR_STEP_F_AUTOMATABLE 0x01u   /**< The host may perform it through its transport. */
#define LKR_STEP_F_DIAGNOSTIC 0x02u    /**< A check that yields facts (it may also fix). */
#define LKR_STEP_F_NEEDS_BRIDGE 0x04u  /**< Only for a lock that uses a bridge. */
#define LKR_STEP_F_NEEDS_UPDATE 0x08u  /**< Only when a firmware update was involved. */
#define LKR_STEP_F_CUTS_POWER 0x10u    /**< Removes or swaps the lock's power (never mid-transfer). */
#define LKR_STEP_F_TERMINAL 0x20u      /**< Ends the ladder: a hand-over, not a fix. */
#define LKR_STEP_F_FOLLOWUP_ONLY 0x40u /**< Runs only as another step's follow-up. */
#define LKR_STEP_F_NEEDS_KEYPAD 0x80u  /**< Only for a lock with a keypad. */
#define LKR_STEP_F_PREPARATION 0x100u  /**< Prepares a later step; fixes nothing by itself. */
/** @} */

/** @name What a step destroys (::lkr_step_info `destroys`)
 *  @{ */
#define LKR_DESTROYS_CODES 0x01u     /**< Erases every stored access code and the admin code. */
#define LKR_DESTROYS_PAIRINGS 0x02u  /**< Removes app, hub or ecosystem pairings. */
#define LKR_DESTROYS_ONE_CODE 0x04u  /**< Deletes one access code (to re-add it). */
#define LKR_MAY_DESTROY_CODES 0x08u  /**< Erases codes on some models (profile `repair_erases_codes`). */
/** @} */

/** @brief How likely a step fixes a cause, when that cause is the fault. */
typedef struct lkr_step_fix {
    uint32_t cause;    /**< An ::lkr_cause. */
    uint32_t permille; /**< P(fixed | cause) in thousandths, 1..1000. */
} lkr_step_fix;

/** @brief Everything the catalog knows of one step. */
typedef struct lkr_step_info {
    uint32_t struct_size;     /**< Set by the caller (::LKR_STEP_INFO_INIT). */
    uint32_t id;              /**< The ::lkr_step. */
    const char *sid;          /**< Stable string id, e.g. "universal.battery_pull". */
    const char *title;        /**< English title, one line. */
    const char *instructions; /**< English instructions for a person. */
    const char *sources;      /**< Seed documents it comes from, e.g. "S0,S2". */
    uint32_t tier;            /**< An ::lkr_tier. */
    uint32_t protocols;       /**< Mask of LKR_PROTOCOL_BIT(): the protocols it applies to. */
    uint32_t ecosystems;      /**< Mask of LKR_ECOSYSTEM_BIT(), 0 when not ecosystem-specific. */
    uint32_t flags;           /**< LKR_STEP_F_* bits. */
    uint32_t guards;          /**< Mask of LKR_GUARD_BIT(): guards required before it. */
    uint32_t destroys;        /**< LKR_DESTROYS_* bits, 0 for a safe step. */
    uint32_t wait_s;          /**< Timed phase (power off, hold, toggle) in seconds, 0 if none. */
    uint32_t wait_max_s;      /**< Upper end of that phase when it is a range; else wait_s. */
    uint32_t settle_s;        /**< Wait after the step before verifying, in seconds. */
    uint32_t cost_min;        /**< Expected person-minutes. */
    uint32_t followup;        /**< Step that must follow this one, or 0. */
    uint32_t fix_count;       /**< Entries in `fixes`. */
    const lkr_step_fix *fixes;/**< Causes it fixes, with likelihoods. */
} lkr_step_info;

/** @brief Everything the catalog knows of one root cause. */
typedef struct lkr_cause_info {
    uint32_t struct_size;     /**< Set by the caller (::LKR_CAUSE_INFO_INIT). */
    uint32_t id;              /**< The ::lkr_cause. */
    const char *sid;          /**< Stable string id, e.g. "hub_session_mismatch". */
    const char *title;        /**< English title. */
    const char *description;  /**< English explanation. */
    const char *sources;      /**< Seed documents it comes from. */
    uint32_t protocols;       /**< Protocols on which it can happen (mask). */
    uint32_t prior_permille;  /**< Default prior weight (relative, thousandths). */
} lkr_cause_info;

/** @brief Everything the catalog knows of one symptom class. */
typedef struct lkr_symptom_info {
    uint32_t struct_size;     /**< Set by the caller (::LKR_SYMPTOM_INFO_INIT). */
    uint32_t id;              /**< The ::lkr_symptom. */
    const char *sid;          /**< Stable string id, e.g. "completely_silent". */
    const char *title;        /**< What the person sees, in English. */
    const char *guidance;     /**< Where to go, in English (the table's last column). */
    const char *sources;      /**< Seed documents it comes from. */
    uint32_t entry_tier;      /**< The ::lkr_tier a recovery enters at. */
    uint32_t cause_count;     /**< Entries in `causes`. */
    const uint32_t *causes;   /**< The likely root causes the table names. */
} lkr_symptom_info;

/** @brief Everything the catalog knows of one tier. */
typedef struct lkr_tier_info {
    uint32_t struct_size;     /**< Set by the caller (::LKR_TIER_INFO_INIT). */
    uint32_t id;              /**< The ::lkr_tier. */
    const char *sid;          /**< Stable string id, e.g. "universal". */
    const char *title;        /**< English title. */
    const char *description;  /**< English description. */
} lkr_tier_info;

/** @brief Everything the catalog knows of one guard. */
typedef struct lkr_guard_info {
    uint32_t struct_size;     /**< Set by the caller (::LKR_GUARD_INFO_INIT). */
    uint32_t id;              /**< The ::lkr_guard. */
    const char *sid;          /**< Stable string id, e.g. "physical_key". */
    const char *title;        /**< English statement of what must hold. */
    const char *instructions; /**< English: how the person makes it hold. */
} lkr_guard_info;

/** Initialiser for ::lkr_step_info. */
#define LKR_STEP_INFO_INIT { sizeof(lkr_step_info), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }
/** Initialiser for ::lkr_cause_info. */
#define LKR_CAUSE_INFO_INIT { sizeof(lkr_cause_info), 0, 0, 0, 0, 0, 0, 0 }
/** Initialiser for ::lkr_symptom_info. */
#define LKR_SYMPTOM_INFO_INIT { sizeof(lkr_symptom_info), 0, 0, 0, 0, 0, 0, 0, 0 }
/** Initialiser for ::lkr_tier_info. */
#define LKR_TIER_INFO_INIT { sizeof(lkr_tier_info), 0, 0, 0, 0 }
/** Initialiser for ::lkr_guard_info. */
#define LKR_GUARD_INFO_INIT { sizeof(lkr_guard_info), 0, 0, 0, 0 }

/**
 * @brief Number of steps; valid step ids are 1..lkr_step_count().
 * @return the count for the loaded library (it may exceed the header's enum).
 */
LKR_API uint32_t lkr_step_count(void);
/**
 * @brief Fills @p out with what the catalog knows of step @p id.
 * @param id a step id, 1..lkr_step_count().
 * @param[out] out info struct with `struct_size` set.
 * @return ::LKR_OK, ::LKR_E_INVAL for a NULL or too-short @p out,
 *         ::LKR_E_RANGE for an unknown id.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_step_get(uint32_t id, lkr_step_info *out);
/**
 * @brief Finds a step by its string id, e.g. `"zwave.exclude_reinclude"`.
 * @param sid the string id (exact, case-sensitive).
 * @param[out] id the numeric id.
 * @return ::LKR_OK, ::LKR_E_INVAL for NULL, ::LKR_E_NOTFOUND.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_step_find(const char *sid, uint32_t *id);

/**
 * @brief Number of causes; valid cause ids are 1..lkr_cause_count().
 * @return the count.
 */
LKR_API uint32_t lkr_cause_count(void);
/**
 * @brief Fills @p out with what the catalog knows of cause @p id.
 * @param id a cause id.
 * @param[out] out info struct with `struct_size` set.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_RANGE.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_cause_get(uint32_t id, lkr_cause_info *out);
/**
 * @brief Finds a cause by its string id, e.g. `"transfer_stall"`.
 * @param sid the string id.
 * @param[out] id the numeric id.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_NOTFOUND.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_cause_find(const char *sid, uint32_t *id);

/**
 * @brief Number of symptoms; valid ids are 0..lkr_symptom_count()-1
 *        (0 is ::LKR_SYMPTOM_UNKNOWN).
 * @return the count, "unknown" included.
 */
LKR_API uint32_t lkr_symptom_count(void);
/**
 * @brief Fills @p out with what the catalog knows of symptom @p id.
 * @param id a symptom id, ::LKR_SYMPTOM_UNKNOWN included.
 * @param[out] out info struct with `struct_size` set.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_RANGE.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_symptom_get(uint32_t id, lkr_symptom_info *out);
/**
 * @brief Finds a symptom by its string id, e.g. `"completely_silent"`.
 * @param sid the string id.
 * @param[out] id the numeric id.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_NOTFOUND.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_symptom_find(const char *sid, uint32_t *id);

/**
 * @brief Number of tiers; valid tier ids are 1..lkr_tier_count().
 * @return the count.
 */
LKR_API uint32_t lkr_tier_count(void);
/**
 * @brief Fills @p out with what the catalog knows of tier @p id.
 * @param id a tier id.
 * @param[out] out info struct with `struct_size` set.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_RANGE.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_tier_get(uint32_t id, lkr_tier_info *out);
/**
 * @brief Finds a tier by its string id, e.g. `"repair"`.
 * @param sid the string id.
 * @param[out] id the numeric id.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_NOTFOUND.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_tier_find(const char *sid, uint32_t *id);

/**
 * @brief Number of guards; valid guard ids are 1..lkr_guard_count().
 * @return the count.
 */
LKR_API uint32_t lkr_guard_count(void);
/**
 * @brief Fills @p out with what the catalog knows of guard @p id.
 * @param id a guard id.
 * @param[out] out info struct with `struct_size` set.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_RANGE.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_guard_get(uint32_t id, lkr_guard_info *out);
/**
 * @brief Finds a guard by its string id, e.g. `"door_open"`.
 * @param sid the string id.
 * @param[out] id the numeric id.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_NOTFOUND.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_guard_find(const char *sid, uint32_t *id);

/**
 * @brief Whether step @p step applies to this lock: its protocol, the
 *        ecosystems it is linked into, a bridge for bridge-only steps (unknown
 *        counts as "may have one"), a keypad for keypad steps (likewise), and
 *        an update for steps that need one (@p obs NULL: not known, so no).
 * @param step a step id.
 * @param profile the lock (validated).
 * @param obs what is observed (validated), or NULL.
 * @param[out] applies 1 if it applies, else 0.
 * @return ::LKR_OK, ::LKR_E_INVAL for NULL or invalid input, ::LKR_E_RANGE.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_step_applies(uint32_t step,
                                                           const lkr_profile *profile,
                                                           const lkr_observations *obs,
                                                           int *applies);

/** @name Person-facing text (since 1.1)
 *
 * What a wizard shows a person: plain words, no string id, no internal term
 * (tier, guard, waive, protocol...), never a percentage as a verdict. The
 * technical text of the info structs above stays for logs, reports and
 * support; this is the text for the screen, by the same ids.
 *  @{ */

/** @brief What lkr_person_text_get() describes. */
typedef enum lkr_text_kind {
    LKR_TEXT_STEP = 1,     /**< An ::lkr_step. */
    LKR_TEXT_GUARD = 2,    /**< An ::lkr_guard. */
    LKR_TEXT_CAUSE = 3,    /**< An ::lkr_cause. */
    LKR_TEXT_QUESTION = 4, /**< An ::lkr_question (session.h). */
    LKR_TEXT_TIER = 5,     /**< An ::lkr_tier. */
    LKR_TEXT_SYMPTOM = 6   /**< An ::lkr_symptom, ::LKR_SYMPTOM_UNKNOWN included. */
} lkr_text_kind;

/** @brief One answer a person may pick for a question, with the value to answer. */
typedef struct lkr_person_choice {
    const char *label; /**< What the person reads. */
    int32_t value;     /**< The value for lkr_session_answer(). */
} lkr_person_choice;

/**
 * @brief Person-facing text of one catalog entry. Fields a kind does not use
 *        are NULL (or 0); every non-NULL string is static.
 */
typedef struct lkr_person_text {
    uint32_t struct_size;   /**< Set by the caller (::LKR_PERSON_TEXT_INIT). */
    uint32_t kind;          /**< An ::lkr_text_kind. */
    uint32_t id;            /**< The id within that kind. */
    uint32_t choice_count;  /**< Entries in `choices` (questions with fixed answers). */
    const char *title;      /**< Step: what to do, one line. Guard: a yes/no question to the person. Cause: a plain name ("the batteries are flat"). Question: the question. Tier: the stage's plain name. Symptom: what it looks like. */
    const char *text;       /**< Step: how to do it (for a timed step, only its first part). Guard: how to make it hold. Cause: one sentence. Question: a hint, or NULL. Tier: one sentence. */
    const char *resume;     /**< Step with a timed part: what to do when the time is up, else NULL. */
    const char *cannot;     /**< Step: the next best route for a person who cannot do it, or NULL. Guard: why the step is left out when it cannot hold. */
    const char *watch;      /**< Step or cause: what to keep an eye on once the lock is back, or NULL. */
    const char *remains;    /**< Step: what is still wrong when this step is what brought the lock back, or NULL. */
    const lkr_person_choice *choices; /**< Question: its answers, in display order, or NULL. */
} lkr_person_text;

/** Initialiser for ::lkr_person_text. */
#define LKR_PERSON_TEXT_INIT { sizeof(lkr_person_text), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/**
 * @brief The person-facing text of catalog entry @p id of kind @p kind.
 * @param kind an ::lkr_text_kind.
 * @param id the step, guard, cause, question, tier or symptom.
 * @param[out] out the text (its `struct_size` set).
 * @return ::LKR_OK, ::LKR_E_INVAL for a NULL or too-short @p out or an
 *         unknown kind, ::LKR_E_RANGE for an unknown id,
 *         ::LKR_E_UNSUPPORTED in a library built with LKR_NO_TEXT.
 * @since 1.1 (LOCKRECOVER_1.1)
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_person_text_get(uint32_t kind, uint32_t id,
                                                              lkr_person_text *out);
/** @} */

/** @name Timings of catalog section 7 that are not a single step's wait
 *  @{ */
/** An update whose progress has not moved for longer than this is stalled. */
#define LKR_STALL_THRESHOLD_S 600u
/** Below this battery level a Z-Wave lock may be in deep sleep, and no update should start. */
#define LKR_LOW_BATTERY_PCT 50
/** @} */

LKR_END_DECLS

#endif /* LOCKRECOVER_CATALOG_H */
