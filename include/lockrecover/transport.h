/**
 * @file transport.h
 * @brief The host's side of a recovery: clock, probe, step runner, prompt
 *        and log callbacks, and the allocator hooks.
 *
 * The contract (docs/TRANSPORT.md has it in full):
 * - Every callback receives the transport's `ctx` first.
 * - `now_ms` is required: a monotonic clock in milliseconds. It is the only
 *   clock the library reads; it never sleeps. A clock that goes backwards is
 *   treated as not having moved.
 * - Every other callback is optional: NULL means a person does that part (or
 *   the feature is absent).
 * - A callback returns ::LKR_OK (done), ::LKR_PENDING (started; the host
 *   reports the result later through the session), ::LKR_E_UNSUPPORTED (not
 *   possible here: a person does it) or another negative status (it failed).
 *   Any other value is treated as a failure (::LKR_E_PROTOCOL). A failing
 *   callback is an outcome the engine records, never a crash.
 * - Callbacks must not call back into the same session.
 */
#ifndef LOCKRECOVER_TRANSPORT_H
#define LOCKRECOVER_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "model.h"
#include "status.h"

LKR_BEGIN_DECLS

/** @brief What a probe of the lock found. Every field may stay unknown. */
typedef struct lkr_probe_result {
    uint32_t struct_size;  /**< Set by the library before it calls `probe`. */
    uint8_t reachable;     /**< The lock answered: ::LKR_YES, ::LKR_NO or ::LKR_UNKNOWN. */
    uint8_t keypad_lights; /**< Keypad alive (if the lock reports it): tri-state. */
    uint8_t reserved_[2];  /**< Zero. */
    int32_t battery_pct;   /**< 0..100 or ::LKR_NUM_UNKNOWN. */
    char fw_version[LKR_VERSION_TEXT_MAX]; /**< Version the lock reports, or empty. */
    char error_code[LKR_VERSION_TEXT_MAX]; /**< Error code it reports, or empty. */
} lkr_probe_result;

/** Initialiser for ::lkr_probe_result: every fact unknown (a zeroed struct
 *  would say "battery 0 %"). Since 1.1. */
#define LKR_PROBE_RESULT_INIT { sizeof(lkr_probe_result), LKR_UNKNOWN, LKR_UNKNOWN, { 0, 0 }, LKR_NUM_UNKNOWN, { 0 }, { 0 } }

/** @name Log levels of the `log` callback
 *  @{ */
#define LKR_LOG_DEBUG 1 /**< Decision details. */
#define LKR_LOG_INFO 2  /**< Steps, outcomes, state changes. */
#define LKR_LOG_WARN 3  /**< A callback failed or broke its contract. */
/** @} */

struct lkr_action;
struct lkr_code;
struct lkr_code_readout;

/**
 * @brief The host's callbacks. Initialise with lkr_transport_init(); set
 *        `now_ms` and whichever callbacks the host supports.
 */
typedef struct lkr_transport {
    uint32_t struct_size; /**< `sizeof(lkr_transport)`, set by lkr_transport_init(). */
    void *ctx;            /**< Passed first to every callback. */
    /** Required. Monotonic milliseconds. */
    uint64_t (*now_ms)(void *ctx);
    /**
     * Optional. Is the lock reachable, and what does it report? Fill @p out
     * (its `struct_size` is set) and return ::LKR_OK, or return ::LKR_PENDING
     * and later call lkr_session_probe_done().
     */
    lkr_status (*probe)(void *ctx, lkr_probe_result *out);
    /**
     * Optional. Perform the automatable step @p step (an ::lkr_step, flag
     * ::LKR_STEP_F_AUTOMATABLE) including its timed phase: ::LKR_OK when
     * done, ::LKR_PENDING to report later with lkr_session_report(),
     * ::LKR_E_UNSUPPORTED to hand it to a person.
     */
    lkr_status (*run_step)(void *ctx, uint32_t step);
    /** Optional. Show what the person should do now (the same action lkr_session_next() returns). */
    void (*prompt)(void *ctx, const struct lkr_action *action);
    /** Optional. A log line; never contains an access code. */
    void (*log)(void *ctx, uint32_t level, const char *message);
    /**
     * Optional (the code vault, vault.h). Read every code of the lock into
     * @p codes (capacity @p capacity) and fill @p info.
     */
    lkr_status (*read_codes)(void *ctx, struct lkr_code *codes, uint32_t capacity,
                             struct lkr_code_readout *info);
    /** Optional (the code vault). Write one code to the lock. */
    lkr_status (*write_code)(void *ctx, const struct lkr_code *code);
    /**
     * Optional (the code vault's export; with `unseal`, session blobs too).
     * Encrypt and authenticate @p len bytes of @p clear into @p out
     * (capacity @p cap) with the platform keystore and set @p out_len; return
     * ::LKR_E_BUFFER with @p out_len set when @p cap is too small (@p out may
     * then be NULL).
     */
    lkr_status (*seal)(void *ctx, const void *clear, size_t len, void *out, size_t cap, size_t *out_len);
    /** Optional (the code vault; with `seal`, session blobs). Decrypt and authenticate what `seal` produced, the same way; ::LKR_E_CORRUPT when it was tampered with. */
    lkr_status (*unseal)(void *ctx, const void *sealed, size_t len, void *out, size_t cap,
                         size_t *out_len);
} lkr_transport;

/**
 * @brief Sets `struct_size` and every callback of @p transport to NULL.
 * @param transport the struct to fill; NULL is ignored.
 */
LKR_API void lkr_transport_init(lkr_transport *transport);

/**
 * @brief Sets `struct_size` and every fact of @p result to unknown
 *        (::LKR_UNKNOWN, ::LKR_NUM_UNKNOWN, empty strings): what a probe
 *        that learned nothing reports. Since 1.1.
 * @param result the struct; NULL is ignored.
 */
LKR_API void lkr_probe_result_init(lkr_probe_result *result);

/**
 * @brief Allocator hooks: every allocation the library makes goes through
 *        them when given. `free` receives the size that was allocated; the
 *        library zeroes memory that held secrets before it frees it.
 */
typedef struct lkr_allocator {
    uint32_t struct_size; /**< `sizeof(lkr_allocator)` (::LKR_ALLOCATOR_INIT). */
    void *ctx;            /**< Passed first to both hooks. */
    void *(*alloc)(void *ctx, size_t size);          /**< Returns NULL on failure. */
    void (*free)(void *ctx, void *ptr, size_t size); /**< Frees what `alloc` returned. */
} lkr_allocator;

/** Initialiser for ::lkr_allocator (the hooks still need setting). */
#define LKR_ALLOCATOR_INIT { sizeof(lkr_allocator), 0, 0, 0 }

LKR_END_DECLS

#endif /* LOCKRECOVER_TRANSPORT_H */
