/**
 * @file model.h
 * @brief The lock model: the static ::lkr_profile and the dynamic
 *        ::lkr_observations, with their enumerations.
 *
 * Both structs are filled by the caller, begin with `struct_size`, and must be
 * initialised with lkr_profile_init() / lkr_observations_init() before use:
 * those set `struct_size` and put every fact into its "unknown" state (a
 * tri-state 0, a number -1, a string empty). Fields are only ever appended;
 * an appended field's all-zero value always means "unknown / default".
 *
 * Numbers in this header are stable: enumeration values are never renumbered.
 */
#ifndef LOCKRECOVER_MODEL_H
#define LOCKRECOVER_MODEL_H

#include <stdint.h>

#include "export.h"
#include "status.h"

LKR_BEGIN_DECLS

/** @name Tri-state facts (every yes/no observation may be unknown)
 *  @{ */
#define LKR_UNKNOWN 0 /**< Not known (the value lkr_*_init() sets). */
#define LKR_NO 1      /**< Known to be false. */
#define LKR_YES 2     /**< Known to be true. */
/** @} */

/** The value of a numeric observation that is not known. */
#define LKR_NUM_UNKNOWN (-1)

/** @brief How the lock talks to the world (one per lock). */
typedef enum lkr_protocol {
    LKR_PROTOCOL_NONE = 0,   /**< Not set: rejected by validation. */
    LKR_PROTOCOL_WIFI = 1,   /**< Wi-Fi, directly or through a bridge. */
    LKR_PROTOCOL_BLE = 2,    /**< Bluetooth LE only (Nuki, Level). */
    LKR_PROTOCOL_ZWAVE = 3,  /**< Z-Wave through a hub. */
    LKR_PROTOCOL_ZIGBEE = 4, /**< Zigbee through a hub. */
    LKR_PROTOCOL_MATTER = 5  /**< Matter over Thread. */
} lkr_protocol;
/** Highest protocol value this header knows. */
#define LKR_PROTOCOL_MAX 5
/** The mask bit of protocol @p p (as used in `protocols` masks). */
#define LKR_PROTOCOL_BIT(p) (1u << (unsigned)(p))
/** Every protocol this header knows, as a mask. */
#define LKR_PROTOCOLS_ALL 0x3Eu

/** @brief Ecosystems a lock may be linked into (profile `ecosystems` is a mask). */
typedef enum lkr_ecosystem {
    LKR_ECOSYSTEM_NONE = 0,          /**< Not an ecosystem (never in a mask). */
    LKR_ECOSYSTEM_HOMEKIT = 1,       /**< Apple Home (HomeKit). */
    LKR_ECOSYSTEM_GOOGLE = 2,        /**< Google Home. */
    LKR_ECOSYSTEM_ALEXA = 3,         /**< Amazon Alexa. */
    LKR_ECOSYSTEM_SMARTTHINGS = 4,   /**< Samsung SmartThings. */
    LKR_ECOSYSTEM_HOMEASSISTANT = 5, /**< Home Assistant (by analogy; no seed covers it). */
    LKR_ECOSYSTEM_HUBITAT = 6        /**< Hubitat (by analogy; no seed covers it). */
} lkr_ecosystem;
/** Highest ecosystem value this header knows. */
#define LKR_ECOSYSTEM_MAX 6
/** The mask bit of ecosystem @p e. */
#define LKR_ECOSYSTEM_BIT(e) (1u << (unsigned)(e))
/** Every ecosystem this header knows, as a mask. */
#define LKR_ECOSYSTEMS_ALL 0x7Eu

/** @brief Battery chemistry; it sets the nominal cell voltage. */
typedef enum lkr_chemistry {
    LKR_CHEMISTRY_UNKNOWN = 0,  /**< Not known. */
    LKR_CHEMISTRY_ALKALINE = 1, /**< Alkaline, 1.5 V per cell. */
    LKR_CHEMISTRY_NIMH = 2,     /**< NiMH rechargeable, 1.2 V per cell (20 % lower). */
    LKR_CHEMISTRY_LITHIUM = 3,  /**< Primary lithium, 1.5 V per cell. */
    LKR_CHEMISTRY_PACK = 4      /**< A built-in rechargeable pack. */
} lkr_chemistry;
/** Highest chemistry value this header knows. */
#define LKR_CHEMISTRY_MAX 4

/** @brief What the manufacturer or ecosystem app shows for the lock. */
typedef enum lkr_app_status {
    LKR_APP_UNKNOWN = 0,     /**< Not known. */
    LKR_APP_ONLINE = 1,      /**< Shown as online / connected. */
    LKR_APP_OFFLINE = 2,     /**< "Offline". */
    LKR_APP_NO_RESPONSE = 3, /**< "No Response" (the HomeKit wording). */
    LKR_APP_UNAVAILABLE = 4  /**< "Unavailable" (hub wording). */
} lkr_app_status;
/** Highest app status value this header knows. */
#define LKR_APP_STATUS_MAX 4

/** @brief Where the most recent firmware update stands. */
typedef enum lkr_update_state {
    LKR_UPDATE_UNKNOWN = 0,         /**< Not known whether an update was involved. */
    LKR_UPDATE_NONE = 1,            /**< No update was involved. */
    LKR_UPDATE_IN_PROGRESS = 2,     /**< The app still shows the update running. */
    LKR_UPDATE_REPORTED_OK = 3,     /**< The app said the update succeeded. */
    LKR_UPDATE_REPORTED_FAILED = 4, /**< The app said it failed, or never said. */
    LKR_UPDATE_FINISHED = 5         /**< It ended; the app's verdict is not known. */
} lkr_update_state;
/** Highest update state value this header knows. */
#define LKR_UPDATE_STATE_MAX 5

/** @brief Which access codes the keypad rejects. */
typedef enum lkr_code_state {
    LKR_CODES_UNKNOWN = 0,     /**< Not known or not tried. */
    LKR_CODES_ALL_WORK = 1,    /**< Every code tried works. */
    LKR_CODES_ONE_REJECTED = 2,/**< One code is rejected while others work. */
    LKR_CODES_ALL_REJECTED = 3 /**< Every code is rejected. */
} lkr_code_state;
/** Highest code state value this header knows. */
#define LKR_CODE_STATE_MAX 3

/** @brief Wi-Fi security mode of the network the lock should join. */
typedef enum lkr_wifi_security {
    LKR_WIFI_SECURITY_UNKNOWN = 0,  /**< Not known. */
    LKR_WIFI_SECURITY_WPA2_PSK = 1, /**< WPA2-PSK: what locks support. */
    LKR_WIFI_SECURITY_WPA3 = 2,     /**< WPA3 only: fails on many locks. */
    LKR_WIFI_SECURITY_MIXED = 3,    /**< WPA2/WPA3 mixed: fails on many locks. */
    LKR_WIFI_SECURITY_OTHER = 4     /**< Open, WEP, enterprise, ... */
} lkr_wifi_security;
/** Highest Wi-Fi security value this header knows. */
#define LKR_WIFI_SECURITY_MAX 4

/** Capacity of the text fields of ::lkr_profile, NUL included. */
#define LKR_PROFILE_TEXT_MAX 48
/** Capacity of a purchase date `YYYY-MM-DD`, NUL included. */
#define LKR_DATE_MAX 16
/** Capacity of a firmware version or error code string, NUL included. */
#define LKR_VERSION_TEXT_MAX 32

/**
 * @brief What the lock is: facts that do not change during a recovery.
 *
 * Initialise with lkr_profile_init(). `protocol` must be set; every other
 * field may stay unknown. Text fields must be NUL-terminated within their
 * arrays.
 */
typedef struct lkr_profile {
    uint32_t struct_size;       /**< `sizeof(lkr_profile)`, set by lkr_profile_init(). */
    uint32_t protocol;          /**< An ::lkr_protocol, required. */
    uint32_t ecosystems;        /**< Mask of LKR_ECOSYSTEM_BIT(::lkr_ecosystem). */
    uint32_t battery_chemistry; /**< An ::lkr_chemistry. */
    uint32_t battery_cells;     /**< Number of cells, 0 if unknown (at most 16). */
    uint32_t warranty_months;   /**< Warranty length from purchase, 0 if unknown. */
    uint8_t has_bridge;         /**< Wi-Fi through a bridge (August Connect...): tri-state. */
    uint8_t has_keypad;         /**< Has a keypad: tri-state. */
    uint8_t has_fingerprint;    /**< Has a fingerprint sensor: tri-state. */
    uint8_t has_key_cylinder;   /**< Has a physical key cylinder: tri-state. */
    uint8_t repair_erases_codes;/**< Re-pairing erases codes on this model: tri-state; unknown counts as "may". "No" is trusted only when no vault with a code reader is attached (docs/ENGINE.md, guards). */
    uint8_t pins_readable;      /**< The lock lets PINs be read back (not Matter): tri-state. */
    uint8_t reserved_[2];       /**< Must be zero. */
    char manufacturer[LKR_PROFILE_TEXT_MAX]; /**< e.g. "Yale"; may be empty. */
    char model[LKR_PROFILE_TEXT_MAX];        /**< e.g. "Assure Lock 2"; may be empty. */
    char serial[LKR_PROFILE_TEXT_MAX];       /**< Serial number; may be empty. */
    char purchase_date[LKR_DATE_MAX];        /**< `YYYY-MM-DD` or empty. */
} lkr_profile;

/**
 * @brief What a person or the transport has observed: every fact of the
 *        domain catalog, section 2, each of which may be unknown.
 *
 * Initialise with lkr_observations_init(). Tri-state fields take
 * ::LKR_UNKNOWN, ::LKR_NO or ::LKR_YES; numbers take ::LKR_NUM_UNKNOWN or a
 * value in the documented range; strings may be empty.
 */
typedef struct lkr_observations {
    uint32_t struct_size;       /**< `sizeof(lkr_observations)`, set by lkr_observations_init(). */
    int32_t update_progress_pct;/**< Progress bar, 0..100, or ::LKR_NUM_UNKNOWN. */
    int32_t update_stalled_min; /**< Minutes since progress last moved, 0..1000000, or unknown. */
    int32_t battery_pct;        /**< Battery level 0..100, or unknown. */
    int32_t cell_mv;            /**< Measured voltage per cell in millivolts, 0..5000, or unknown. */
    uint8_t keypad_lights;      /**< Keypad lights or beeps when a button is pressed. */
    uint8_t keypad_accepts_codes; /**< A correct code is accepted and the bolt moves. */
    uint8_t local_control_works;/**< The phone nearby (Bluetooth or LAN) controls the lock; remote control is `app_status`. */
    uint8_t app_status;         /**< An ::lkr_app_status. */
    uint8_t update_state;       /**< An ::lkr_update_state. */
    uint8_t hub_online;         /**< The hub (Z-Wave, Zigbee, Thread border router) is online. */
    uint8_t bridge_online;      /**< The Wi-Fi bridge is online. */
    uint8_t other_wifi_devices_work; /**< Other devices on the Wi-Fi work. */
    uint8_t wifi_24ghz_on;      /**< The 2.4 GHz band is broadcasting. */
    uint8_t wifi_security;      /**< An ::lkr_wifi_security. */
    uint8_t network_changed;    /**< SSID or password changed, or a new router. */
    uint8_t ip_changed;         /**< The router shows the lock at a new IP address. */
    uint8_t signal_weak;        /**< Weak signal, interference or obstruction at the door. */
    uint8_t phone_in_range;     /**< Phone within Bluetooth range (10-30 ft). */
    uint8_t app_permissions_ok; /**< App has Bluetooth, location and Wi-Fi permissions. */
    uint8_t second_phone_connects; /**< A second phone connects to the lock. */
    uint8_t software_outdated;  /**< An app or firmware update is pending (not the one at issue). */
    uint8_t codes_state;        /**< An ::lkr_code_state. */
    uint8_t code_expired;       /**< The rejected code expired, was deleted or is outside its schedule. */
    uint8_t lockout_active;     /**< Lockout after wrong codes, or "Vacation Mode", is on. */
    uint8_t keypad_dirty;       /**< Keypad dirty, or buttons stuck. */
    uint8_t keypad_erratic;     /**< Keypad behaves erratically. */
    uint8_t works_door_open_only; /**< The bolt works with the door open, not closed. */
    uint8_t wrong_position;     /**< The lock reports the wrong bolt position. */
    uint8_t extreme_cold;       /**< Extreme cold at the door. */
    uint8_t router_online;      /**< The Wi-Fi router (and internet) is up. */
    uint8_t reserved_[2];       /**< Must be zero. */
    char fw_before[LKR_VERSION_TEXT_MAX]; /**< Firmware version before the update, or empty. */
    char fw_target[LKR_VERSION_TEXT_MAX]; /**< Version being installed, or empty. */
    char fw_now[LKR_VERSION_TEXT_MAX];    /**< Version the lock reports now, or empty. */
    char error_code[LKR_VERSION_TEXT_MAX];/**< Error code the app shows (e.g. "-1"), or empty. */
} lkr_observations;

/**
 * @brief Sets `struct_size` and every field of @p profile to unknown.
 * @param profile the struct to fill; NULL is ignored.
 */
LKR_API void lkr_profile_init(lkr_profile *profile);

/**
 * @brief Sets `struct_size` and every fact of @p obs to unknown.
 * @param obs the struct to fill; NULL is ignored.
 */
LKR_API void lkr_observations_init(lkr_observations *obs);

/**
 * @brief Checks a profile the way every function taking one does.
 * @param profile the profile.
 * @return ::LKR_OK; ::LKR_E_INVAL for NULL, a `struct_size` smaller than the
 *         1.0 struct, a missing or unknown protocol, a value out of range, an
 *         unterminated string or non-zero reserved bytes;
 *         ::LKR_E_UNSUPPORTED when `struct_size` is larger than this library
 *         knows and the extra bytes are not all zero (a field this library
 *         cannot honour was set).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_profile_validate(const lkr_profile *profile);

/**
 * @brief Checks observations the way every function taking them does.
 * @param obs the observations.
 * @return as lkr_profile_validate().
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_observations_validate(const lkr_observations *obs);

/**
 * @brief The stable string id of a protocol: "wifi", "ble", "zwave",
 *        "zigbee", "matter".
 * @param protocol an ::lkr_protocol.
 * @return a static string, or NULL for a value this library does not know.
 */
LKR_API const char *lkr_protocol_name(uint32_t protocol);

/**
 * @brief Looks a protocol up by its string id (see lkr_protocol_name()).
 * @param name the string id.
 * @param[out] protocol the ::lkr_protocol.
 * @return ::LKR_OK, ::LKR_E_INVAL for NULL, ::LKR_E_NOTFOUND for an unknown name.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_protocol_find(const char *name, uint32_t *protocol);

/**
 * @brief The stable string id of an ecosystem: "homekit", "google", "alexa",
 *        "smartthings", "homeassistant", "hubitat".
 * @param ecosystem an ::lkr_ecosystem.
 * @return a static string, or NULL for a value this library does not know.
 */
LKR_API const char *lkr_ecosystem_name(uint32_t ecosystem);

/**
 * @brief Looks an ecosystem up by its string id (see lkr_ecosystem_name()).
 * @param name the string id.
 * @param[out] ecosystem the ::lkr_ecosystem.
 * @return ::LKR_OK, ::LKR_E_INVAL for NULL, ::LKR_E_NOTFOUND for an unknown name.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_ecosystem_find(const char *name, uint32_t *ecosystem);

/**
 * @brief The stable string id of a battery chemistry: "unknown", "alkaline",
 *        "nimh", "lithium", "pack".
 * @param chemistry an ::lkr_chemistry.
 * @return a static string, or NULL for a value this library does not know.
 */
LKR_API const char *lkr_chemistry_name(uint32_t chemistry);

/**
 * @brief Looks a chemistry up by its string id (see lkr_chemistry_name()).
 * @param name the string id.
 * @param[out] chemistry the ::lkr_chemistry.
 * @return ::LKR_OK, ::LKR_E_INVAL for NULL, ::LKR_E_NOTFOUND for an unknown name.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_chemistry_find(const char *name, uint32_t *chemistry);

LKR_END_DECLS

#endif /* LOCKRECOVER_MODEL_H */
