/**
 * @file vault.h
 * @brief The code vault: verified backups of a lock's access codes, sealed
 *        export and import, and verified restore.
 *
 * Codes are secrets. The vault keeps them in memory it zeroes on every
 * discard and on free; they never appear in a log line, a report, an error
 * string or a saved session. They leave the vault only sealed by the host
 * (its platform keystore, through the transport's `seal` callback).
 *
 * "Codes backed up" means verified by the vault: the lock's codes read twice
 * and found equal (and the lock's own checksum equal, where it offers one),
 * or, for locks that cannot read PINs back (Matter), every slot the lock
 * lists recorded in the vault by the host as it set it (write-through
 * capture). A host cannot assert it. docs/VAULT.md has the details.
 */
#ifndef LOCKRECOVER_VAULT_H
#define LOCKRECOVER_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "status.h"
#include "transport.h"

LKR_BEGIN_DECLS

/** @brief An opaque code vault. */
typedef struct lkr_vault lkr_vault;

/** @brief Kinds of codes a lock stores. */
typedef enum lkr_code_kind {
    LKR_CODE_NONE = 0,      /**< Not set: invalid. */
    LKR_CODE_ADMIN = 1,     /**< The admin / programming code. */
    LKR_CODE_MASTER = 2,    /**< A master code. */
    LKR_CODE_USER = 3,      /**< A user code. */
    LKR_CODE_TEMPORARY = 4  /**< A temporary or scheduled guest code. */
} lkr_code_kind;
/** Highest code kind this header knows. */
#define LKR_CODE_KIND_MAX 4

/** Capacity of a PIN, NUL included: 4 to 12 digits. */
#define LKR_PIN_MAX 16
/** Capacity of a code's name, NUL included. */
#define LKR_CODE_NAME_MAX 32
/** Most codes a vault holds. */
#define LKR_VAULT_MAX_CODES 64

/**
 * @brief One code, as the lock stores it. Initialise with lkr_code_init().
 *
 * `pin` may be empty when the lock cannot read it back (then only the slot,
 * kind, name and schedule are compared). A schedule field of 0 means none.
 */
typedef struct lkr_code {
    uint32_t struct_size;   /**< `sizeof(lkr_code)` (lkr_code_init()). */
    uint32_t slot;          /**< Slot number, 0..65535, unique in a lock. */
    uint32_t kind;          /**< An ::lkr_code_kind. */
    uint32_t weekdays;      /**< Schedule: bit 0 Monday .. bit 6 Sunday; 0 = every day. */
    uint16_t day_start_min; /**< Schedule: minute of the day it starts, 0..1439. */
    uint16_t day_end_min;   /**< Schedule: minute it ends, 0..1440; 0 = all day. */
    uint32_t reserved_;     /**< Zero. */
    uint64_t valid_from_s;  /**< Schedule: Unix seconds, 0 = always. */
    uint64_t valid_until_s; /**< Schedule: Unix seconds, 0 = never expires. */
    char name[LKR_CODE_NAME_MAX]; /**< Who it is for; may be empty. */
    char pin[LKR_PIN_MAX];        /**< 4-12 digits, or empty when unreadable. */
} lkr_code;

/** @brief What the host reports after reading the lock's code table. */
typedef struct lkr_code_readout {
    uint32_t struct_size;  /**< Set by the library before it calls `read_codes`. */
    uint32_t count;        /**< Codes written to the array (at most its capacity). */
    uint32_t total;        /**< Codes the lock says it holds (more than count: truncated). */
    uint8_t has_checksum;  /**< 1 when the lock offers a checksum of its code table. */
    uint8_t pins_readable; /**< 1 when the PINs were read back; 0 for slots only (Matter). */
    uint8_t reserved_[2];  /**< Zero. */
    uint32_t checksum;     /**< The lock's checksum, when it has one. */
} lkr_code_readout;

/** Initialiser for ::lkr_code_readout: nothing read yet. Since 1.1. */
#define LKR_CODE_READOUT_INIT { sizeof(lkr_code_readout), 0, 0, 0, 0, { 0, 0 }, 0 }


/** @brief What the vault tells about one code: never its PIN. */
typedef struct lkr_code_info {
    uint32_t struct_size; /**< Set by the caller (::LKR_CODE_INFO_INIT). */
    uint32_t slot;        /**< Slot number. */
    uint32_t kind;        /**< An ::lkr_code_kind. */
    uint32_t has_pin;     /**< 1 when the vault holds its PIN. */
    uint32_t state;       /**< LKR_SLOT_* after the last verify or restore. */
    uint32_t reserved_;   /**< Zero. */
    char name[LKR_CODE_NAME_MAX]; /**< Its name. */
} lkr_code_info;

/** Initialiser for ::lkr_code_info. */
#define LKR_CODE_INFO_INIT { sizeof(lkr_code_info), 0, 0, 0, 0, 0, { 0 } }

/** @name Per-slot states after verify or restore (::lkr_code_info `state`)
 *  @{ */
#define LKR_SLOT_UNCHECKED 0 /**< Not checked since the backup. */
#define LKR_SLOT_PRESENT 1   /**< On the lock, equal to the backup. */
#define LKR_SLOT_MISSING 2   /**< Not on the lock. */
#define LKR_SLOT_DIFFERENT 3 /**< On the lock, but not equal to the backup. */
#define LKR_SLOT_RESTORED 4  /**< Written back and read back equal. */
#define LKR_SLOT_FAILED 5    /**< Written back, but it did not read back equal. */
/** @} */

/** @brief The vault's summary. */
typedef struct lkr_vault_info {
    uint32_t struct_size; /**< Set by the caller (::LKR_VAULT_INFO_INIT). */
    uint32_t count;       /**< Codes held. */
    uint32_t verified;    /**< 1 when the backup is verified (the guard holds). */
    uint32_t missing;     /**< Codes not on the lock at the last verify or restore. */
    uint8_t digest[32];   /**< HMAC-SHA-256 of the lock's identity and codes under the vault's own random key: a fingerprint, safe to show (no PIN can be tested against it). */
} lkr_vault_info;

/** Initialiser for ::lkr_vault_info. */
#define LKR_VAULT_INFO_INIT { sizeof(lkr_vault_info), 0, 0, 0, { 0 } }

/**
 * @brief Sets `struct_size` and every field of @p code to empty.
 * @param code the struct; NULL is ignored.
 */
LKR_API void lkr_code_init(lkr_code *code);

/**
 * @brief Sets `struct_size` and every field of @p readout to "nothing read"
 *        (no codes, no checksum, PINs not readable). Since 1.1.
 * @param readout the struct; NULL is ignored.
 */
LKR_API void lkr_code_readout_init(lkr_code_readout *readout);

/**
 * @brief Fills @p buf with @p len bytes from a cryptographically secure
 *        random source (a hardware TRNG, a DRBG the host seeded).
 * @return ::LKR_OK only when every byte was filled; anything else makes
 *         lkr_vault_new_ex() fail with ::LKR_E_TRANSPORT.
 */
typedef lkr_status (*lkr_random_fn)(void *ctx, uint8_t *buf, size_t len);

/**
 * @brief How lkr_vault_new_ex() makes a vault. Fields may be appended in
 *        1.x; the library reads only what `struct_size` covers.
 */
typedef struct lkr_vault_config {
    uint32_t struct_size;           /**< Set by ::LKR_VAULT_CONFIG_INIT or lkr_vault_config_init(). */
    const lkr_allocator *allocator; /**< Optional allocator hooks (NULL: malloc/free). */
    lkr_random_fn random;           /**< Where the vault's digest key comes from; NULL: the system's source (getrandom, /dev/urandom, arc4random or BCryptGenRandom). A platform without one (bare metal) must set it. */
    void *random_ctx;               /**< Passed to `random`. */
} lkr_vault_config;

/** Initialiser for ::lkr_vault_config: system allocator and random source. */
#define LKR_VAULT_CONFIG_INIT { sizeof(lkr_vault_config), NULL, NULL, NULL }

/**
 * @brief Sets `struct_size` and every field of @p config to its default.
 * @param config the struct; NULL is ignored.
 * @since 1.1 (LOCKRECOVER_1.1)
 */
LKR_API void lkr_vault_config_init(lkr_vault_config *config);

/**
 * @brief Creates an empty vault.
 *        It draws its own digest key from the system's random source: the
 *        same as lkr_vault_new_ex() with only @p allocator set.
 * @param allocator optional allocator hooks (NULL: malloc/free).
 * @param[out] out the vault.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_NOMEM, ::LKR_E_UNSUPPORTED (no
 *         random source on this platform: use lkr_vault_new_ex()).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_new(const lkr_allocator *allocator, lkr_vault **out);

/**
 * @brief Creates an empty vault with the host's allocator and random source.
 *        The random source gives the vault's digest key (32 bytes, drawn
 *        once): the digest a session blob or report carries is keyed with it,
 *        so no PIN can be tested against it. A predictable source makes that
 *        digest brute-forceable: only a test may pass one.
 * @param config the allocator and random source; NULL: both the system's.
 * @param[out] out the vault.
 * @return ::LKR_OK, ::LKR_E_INVAL (NULL @p out, a bad `struct_size` or
 *         allocator), ::LKR_E_NOMEM, ::LKR_E_TRANSPORT (`random` failed),
 *         ::LKR_E_UNSUPPORTED (no `random` and no system source).
 * @since 1.1 (LOCKRECOVER_1.1)
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_new_ex(const lkr_vault_config *config, lkr_vault **out);

/**
 * @brief Zeroes and frees a vault. NULL is a no-op. Detach it from any
 *        session first (or free the session first).
 * @param vault the vault.
 */
LKR_API void lkr_vault_free(lkr_vault *vault);

/**
 * @brief Backs the lock's codes up: reads them twice through `read_codes`
 *        and keeps them only when both reads (and the lock's checksums, if
 *        it has them) agree. For a lock that cannot read PINs, every slot
 *        it lists must already be recorded (lkr_vault_record()).
 * @param vault the vault (its previous content is discarded on success).
 * @param t the code callbacks (`read_codes` required).
 * @return ::LKR_OK (verified); ::LKR_E_CORRUPT (the two reads differ: backup
 *         refused); ::LKR_E_STATE (slots not recorded for an unreadable
 *         lock); ::LKR_E_RANGE (more than ::LKR_VAULT_MAX_CODES, or
 *         truncated); ::LKR_E_TRANSPORT; ::LKR_E_PROTOCOL (invalid codes
 *         returned); ::LKR_E_UNSUPPORTED (no `read_codes`); ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_backup(lkr_vault *vault, const lkr_transport *t);

/**
 * @brief Write-through capture: the host records a code as it sets it on
 *        the lock (replacing the vault's code in that slot). This does not
 *        by itself make the backup verified. A vault holding only records
 *        is the host's record of the codes: when the lock cannot be read (a
 *        dead node) a session uses it in place of a backup, marked as such
 *        (docs/VAULT.md), and only codes read back after a restore count.
 * @param vault the vault.
 * @param code the code (validated: slot, kind, 4-12 digit PIN).
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_RANGE (vault full).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_record(lkr_vault *vault, const lkr_code *code);

/**
 * @brief Checks the lock against the vault: reads its codes and marks every
 *        slot present, missing or different.
 * @param vault the vault: a verified backup, or the host's records
 *        (lkr_vault_record(); they are compared with PINs where the lock
 *        reads them).
 * @param t the code callbacks (`read_codes` required).
 * @param[out] missing codes missing or different (may be NULL).
 * @return ::LKR_OK when every code is present, ::LKR_E_CORRUPT when some are
 *         not, ::LKR_E_STATE (an empty vault that is not a verified backup),
 *         ::LKR_E_TRANSPORT, ...
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_verify(lkr_vault *vault, const lkr_transport *t,
                                                           uint32_t *missing);

/**
 * @brief Restores every code not on the lock: writes it, reads the lock
 *        back, and compares; marks each slot restored or failed.
 * @param vault the vault: a verified backup, or the host's records
 *        (lkr_vault_record()) when the lock could not be backed up.
 * @param t the code callbacks (`read_codes` and `write_code` required).
 * @param[out] missing codes still not on the lock afterwards (may be NULL).
 * @return ::LKR_OK when every code is on the lock, ::LKR_E_CORRUPT when some
 *         are still not, ::LKR_E_STATE, ::LKR_E_UNSUPPORTED, ...
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_restore(lkr_vault *vault, const lkr_transport *t,
                                                            uint32_t *missing);

/**
 * @brief Restores one code: writes the vault's code for @p slot (a code the
 *        lock rejects, say) and reads the lock back; the slot is marked
 *        restored only if it reads back equal. The vault never hands a PIN
 *        to the host: this is how one code goes back without a reset.
 *        Since 1.1.
 * @param vault the vault: a verified backup or the host's records.
 * @param t the code callbacks (`read_codes` and `write_code` required).
 * @param slot the slot to restore.
 * @return ::LKR_OK (read back equal), ::LKR_E_CORRUPT (written but not read
 *         back equal, or the write failed), ::LKR_E_NOTFOUND (no code in that
 *         slot), ::LKR_E_STATE (an empty vault), ::LKR_E_UNSUPPORTED,
 *         ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_restore_slot(lkr_vault *vault, const lkr_transport *t,
                                                                 uint32_t slot);

/**
 * @brief The vault's summary: count, verified, missing, digest.
 * @param vault the vault.
 * @param[out] out the summary.
 * @return ::LKR_OK, ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_status(const lkr_vault *vault, lkr_vault_info *out);

/**
 * @brief One code's public facts (never its PIN), in slot order.
 * @param vault the vault.
 * @param index 0 .. count-1.
 * @param[out] out the facts.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_RANGE.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_code(const lkr_vault *vault, uint32_t index,
                                                         lkr_code_info *out);

/**
 * @brief Exports the vault sealed by the host's `seal` callback: its codes,
 *        its digest key and the lock it is bound to. With
 *        @p buf NULL or too small, sets @p needed and returns ::LKR_E_BUFFER.
 * @param vault the vault.
 * @param t the code callbacks (`seal` required).
 * @param buf where to write, or NULL to ask the size.
 * @param len its capacity.
 * @param[out] needed the size of the sealed export.
 * @return ::LKR_OK, ::LKR_E_BUFFER, ::LKR_E_UNSUPPORTED, ::LKR_E_TRANSPORT, ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_export_sealed(const lkr_vault *vault,
                                                                  const lkr_transport *t, void *buf,
                                                                  size_t len, size_t *needed);

/**
 * @brief Imports what lkr_vault_export_sealed() wrote: unseals it with the
 *        host's `unseal`, checks its format, version and SHA-256, and
 *        replaces the vault's content, key and binding. Tampered or damaged input is refused
 *        and the vault is left as it was.
 * @param vault the vault.
 * @param t the code callbacks (`unseal` required).
 * @param buf the sealed export.
 * @param len its length.
 * @return ::LKR_OK, ::LKR_E_CORRUPT, ::LKR_E_VERSION, ::LKR_E_TRUNCATED,
 *         ::LKR_E_TRANSPORT, ::LKR_E_UNSUPPORTED, ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_vault_import_sealed(lkr_vault *vault,
                                                                  const lkr_transport *t,
                                                                  const void *buf, size_t len);

LKR_END_DECLS

#endif /* LOCKRECOVER_VAULT_H */
