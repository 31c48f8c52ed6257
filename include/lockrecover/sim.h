/**
 * @file sim.h
 * @brief The lock simulator: a misbehaving lock on demand, for demos, tests,
 *        fuzzing, benchmarks, and vendors testing their own integration.
 *
 * A simulated lock has a protocol, a bridge, ecosystems, batteries, firmware
 * before / target / now, a table of stored codes (admin and users), and one
 * or more injected root causes (catalog section 4). It provides a complete
 * ::lkr_transport: its clock is simulated (waits advance it, never sleep);
 * its probe answers as the faulty lock would; steps fix the causes they fix
 * with the catalog's likelihoods, drawn from a seeded PRNG so runs are
 * reproducible; a factory reset really erases its codes and pairings; it
 * counts every destructive act, every destructive step taken without its
 * guards, and every code lost. It can also play the person: lkr_sim_respond()
 * answers any action the way the simulated lock dictates.
 *
 * Deterministic for a given seed; no global state; one allocation per lock.
 */
#ifndef LOCKRECOVER_SIM_H
#define LOCKRECOVER_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "model.h"
#include "session.h"
#include "status.h"
#include "transport.h"

LKR_BEGIN_DECLS

/** @brief An opaque simulated lock. */
typedef struct lkr_sim lkr_sim;

/** Most root causes injected into one simulated lock. */
#define LKR_SIM_MAX_CAUSES 4

/** @name Simulator flags (::lkr_sim_config `flags`)
 *  @{ */
#define LKR_SIM_F_PROBE 0x01u            /**< The transport offers `probe`. */
#define LKR_SIM_F_RUN_STEPS 0x02u        /**< The transport runs automatable steps itself. */
#define LKR_SIM_F_CODES 0x04u            /**< The transport offers read_codes / write_code / seal / unseal. */
#define LKR_SIM_F_DROP_ON_RESTORE 0x08u  /**< write_code acknowledges one slot's code and never stores it (a bad lock). */
#define LKR_SIM_F_FLAKY_READ 0x10u       /**< Successive reads of the code table differ. */
#define LKR_SIM_F_PERSON_REFUSES 0x20u   /**< The simulated person confirms no guard. */
#define LKR_SIM_F_PARTIAL_FACTS 0x40u    /**< The person knows only the headline facts (the session asks). */
/** The person reports none of the facts the questions worth asking are about
 *  (a second phone, the hub's other devices, a pending update), and answers
 *  those questions with a draw (from the seed) from the catalog's
 *  P(answer | cause) for the lock's first cause, "don't know" included.
 *  Without it the answer is the fault's fact, or the likelier answer for
 *  the first cause. Since 1.2. */
#define LKR_SIM_F_DRAWN_ANSWERS 0x80u
/** @} */

/** @brief How to build a simulated lock. Initialise with lkr_sim_config_init(). */
typedef struct lkr_sim_config {
    uint32_t struct_size;       /**< `sizeof(lkr_sim_config)`. */
    uint32_t protocol;          /**< An ::lkr_protocol (required). */
    uint32_t ecosystems;        /**< Mask of LKR_ECOSYSTEM_BIT(). */
    uint32_t battery_chemistry; /**< An ::lkr_chemistry (default alkaline). */
    int32_t battery_pct;        /**< 0..100, or ::LKR_NUM_UNKNOWN for the fault's typical level. */
    uint32_t cause_count;       /**< Injected causes, 1..::LKR_SIM_MAX_CAUSES. */
    uint32_t causes[LKR_SIM_MAX_CAUSES]; /**< ::lkr_cause ids; each must be possible on the protocol. */
    uint32_t code_count;        /**< Stored codes: the admin code plus users, 0..::LKR_VAULT_MAX_CODES (default 5). */
    uint32_t flags;             /**< LKR_SIM_F_* (default: probe, run steps, codes). */
    uint8_t has_bridge;         /**< Tri-state (Wi-Fi only). */
    uint8_t has_keypad;         /**< Tri-state (default yes). */
    uint8_t repair_erases_codes;/**< Tri-state: does a re-pair erase codes on this model (default no). */
    uint8_t reserved_;          /**< Zero. */
    uint64_t seed;              /**< PRNG seed: the same seed, the same run. */
} lkr_sim_config;

/** @brief What a simulated lock has counted so far. */
typedef struct lkr_sim_stats {
    uint32_t struct_size;     /**< Set by the caller (::LKR_SIM_STATS_INIT). */
    uint32_t faults_left;     /**< Injected causes not fixed yet. */
    uint32_t steps_performed; /**< Steps the lock saw performed (by a person or the host). */
    uint32_t destructive_acts;/**< Steps performed that destroy codes or pairings. */
    uint32_t unsafe_steps;    /**< Destructive or power-cutting steps performed without their guards. */
    uint32_t codes_before;    /**< Codes stored when the simulation began. */
    uint32_t codes_now;       /**< Codes on the lock now. */
    uint32_t codes_lost;      /**< Original codes not on the lock now (equal). */
    uint32_t person_minutes;  /**< Catalog cost of the steps performed, and of the questions worth asking answered (since 1.2). */
    uint32_t reserved_;       /**< Zero. */
    uint64_t clock_ms;        /**< The simulated clock. */
} lkr_sim_stats;

/** Initialiser for ::lkr_sim_stats. */
#define LKR_SIM_STATS_INIT { sizeof(lkr_sim_stats), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/** @brief How a whole simulated recovery ended (lkr_sim_run()). */
typedef struct lkr_sim_result {
    uint32_t struct_size;  /**< Set by the caller (::LKR_SIM_RESULT_INIT). */
    uint32_t final_kind;   /**< The final ::lkr_action_kind (or ::LKR_ACTION_NONE if the step cap was hit). */
    uint32_t actions;      /**< Actions the session returned. */
    uint32_t reserved_;    /**< Zero. */
    lkr_sim_stats stats;   /**< The lock's counts at the end. */
} lkr_sim_result;

/** Initialiser for ::lkr_sim_result. */
#define LKR_SIM_RESULT_INIT { sizeof(lkr_sim_result), 0, 0, 0, LKR_SIM_STATS_INIT }

/**
 * @brief Sets `struct_size` and the defaults: alkaline cells, typical
 *        battery level, 5 codes, probe + run steps + codes, a keypad.
 * @param config the struct; NULL is ignored.
 */
LKR_API void lkr_sim_config_init(lkr_sim_config *config);

/**
 * @brief Builds a simulated lock.
 * @param config the lock (validated: protocol, causes possible on it, ...).
 * @param allocator optional allocator hooks.
 * @param[out] out the lock.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_RANGE (a cause id), ::LKR_E_NOMEM.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_sim_new(const lkr_sim_config *config,
                                                      const lkr_allocator *allocator, lkr_sim **out);

/**
 * @brief Frees (and zeroes) a simulated lock. NULL is a no-op.
 * @param sim the lock.
 */
LKR_API void lkr_sim_free(lkr_sim *sim);

/**
 * @brief The transport the simulated lock provides (callbacks per its flags;
 *        `ctx` is the lock). Valid while the lock lives.
 * @param sim the lock.
 * @param[out] out a transport (its `struct_size` is set by this call).
 * @return ::LKR_OK, ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_sim_transport(lkr_sim *sim, lkr_transport *out);

/**
 * @brief The lock's profile, as its owner would describe it.
 * @param sim the lock.
 * @param[out] out the profile (its `struct_size` set by this call).
 * @return ::LKR_OK, ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_sim_profile(const lkr_sim *sim, lkr_profile *out);

/**
 * @brief What a person sees at the start (keypad, app status, update, ...),
 *        as the injected causes produce it.
 * @param sim the lock.
 * @param[out] out the observations (its `struct_size` set by this call).
 * @return ::LKR_OK, ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_sim_observations(const lkr_sim *sim, lkr_observations *out);

/**
 * @brief Plays the person for one action of @p session: answers a question
 *        with the lock's truth, performs a person step (and reports it),
 *        advances the clock over a wait, answers a verification, confirms
 *        the guards a person can (unless ::LKR_SIM_F_PERSON_REFUSES; then it
 *        waives the blocked step). Steps performed while their guards do not
 *        hold are counted as unsafe.
 * @param sim the lock.
 * @param session the session being driven.
 * @param action the action lkr_session_next() just returned.
 * @return ::LKR_OK, ::LKR_E_INVAL, or the session's error.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_sim_respond(lkr_sim *sim, lkr_session *session,
                                                          const lkr_action *action);

/**
 * @brief Runs a whole recovery of this lock: creates a session on the
 *        lock's transport (with a vault attached when the lock offers codes),
 *        drives it with lkr_sim_respond() until a final action or
 *        @p max_actions, and frees it.
 * @param sim the lock.
 * @param overrides vendor numbers, or NULL.
 * @param max_actions a cap (0: 2000).
 * @param[out] out how it ended.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_NOMEM, or a session error.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_sim_run(lkr_sim *sim, const lkr_overrides *overrides,
                                                      uint32_t max_actions, lkr_sim_result *out);

/**
 * @brief The lock's counts now.
 * @param sim the lock.
 * @param[out] out the counts.
 * @return ::LKR_OK, ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_sim_stats_get(const lkr_sim *sim, lkr_sim_stats *out);

LKR_END_DECLS

#endif /* LOCKRECOVER_SIM_H */
