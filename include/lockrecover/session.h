/**
 * @file session.h
 * @brief Recovery sessions: the escalation engine.
 *
 * A session walks one lock up the ladder of catalog section 5, one safe step
 * at a time, and ends recovered, handed to support, or aborted. The host
 * drives it with a simple loop:
 *
 * @code
 * lkr_action a = LKR_ACTION_INIT;
 * while (lkr_session_next(s, &a) == LKR_OK && !lkr_action_is_final(&a)) {
 *     switch (a.kind) {
 *     case LKR_ACTION_ASK:         ...; lkr_session_answer(s, a.question, value); break;
 *     case LKR_ACTION_PERSON_STEP: ...; lkr_session_report(s, a.step, LKR_OUTCOME_DONE); break;
 *     case LKR_ACTION_WAIT:        (come back at a.wait_until_ms)           break;
 *     case LKR_ACTION_VERIFY:      ...; lkr_session_report(s, a.step, LKR_OUTCOME_FIXED); break;
 *     case LKR_ACTION_BLOCKED:     ...; lkr_session_confirm(s, guard, 1);   break;
 *     case LKR_ACTION_HOST_STEP:   (the host's run_step is working; report later) break;
 *     }
 * }
 * @endcode
 *
 * The engine never blocks and never sleeps: a wait is an action naming the
 * host-clock time to come back at; calling lkr_session_next() earlier returns
 * the same wait. docs/ENGINE.md gives the rules, the step lifecycle and the
 * selection formula.
 *
 * A session is used by one thread at a time; different sessions are
 * independent. After lkr_session_new() the library allocates nothing more.
 * Every function that changes or saves a session returns ::LKR_E_REENTRANT,
 * changing nothing, when called from one of that session's own callbacks
 * (docs/TRANSPORT.md).
 */
#ifndef LOCKRECOVER_SESSION_H
#define LOCKRECOVER_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "export.h"
#include "model.h"
#include "status.h"
#include "transport.h"
#include "vault.h"

LKR_BEGIN_DECLS

/** @brief An opaque recovery session. */
typedef struct lkr_session lkr_session;

/** @brief What lkr_session_new() needs. Initialise with lkr_session_config_init(). */
typedef struct lkr_session_config {
    uint32_t struct_size;                 /**< `sizeof(lkr_session_config)`. */
    uint32_t reserved_;                   /**< Zero. */
    const lkr_profile *profile;           /**< Required; copied. */
    const lkr_observations *observations; /**< Optional (NULL: nothing known); copied. */
    const lkr_overrides *overrides;       /**< Optional vendor numbers; copied. */
    const lkr_allocator *allocator;       /**< Optional; NULL uses malloc/free. */
} lkr_session_config;

/** @brief Session states. */
typedef enum lkr_state {
    LKR_STATE_TRIAGE = 1,             /**< Deciding, or asking what the person sees. */
    LKR_STATE_AWAITING_PERSON = 2,    /**< A person performs a step. */
    LKR_STATE_AWAITING_TRANSPORT = 3, /**< A callback returned ::LKR_PENDING. */
    LKR_STATE_WAITING = 4,            /**< A timed wait on the host clock. */
    LKR_STATE_VERIFYING = 5,          /**< Checking whether the lock is back. */
    LKR_STATE_BLOCKED = 6,            /**< The chosen step's guards do not hold. */
    LKR_STATE_RECOVERED = 7,          /**< Final: the lock is back (verified). */
    LKR_STATE_NEEDS_SUPPORT = 8,      /**< Final: handed to the manufacturer or a locksmith. */
    LKR_STATE_ABORTED = 9             /**< Final: the host aborted. */
} lkr_state;

/** @brief Kinds of ::lkr_action. */
typedef enum lkr_action_kind {
    LKR_ACTION_NONE = 0,          /**< Never returned by a successful call. */
    LKR_ACTION_ASK = 1,           /**< Answer `question` with lkr_session_answer() or lkr_session_observe(). */
    LKR_ACTION_PERSON_STEP = 2,   /**< A person does `step` (`phase` says which part), then lkr_session_report(). */
    LKR_ACTION_HOST_STEP = 3,     /**< The host's `run_step` returned pending for `step`; report its outcome. */
    LKR_ACTION_WAIT = 4,          /**< Come back at `wait_until_ms` (host clock). */
    LKR_ACTION_VERIFY = 5,        /**< Is the lock back? `phase` says: the person answers, or a pending probe. */
    LKR_ACTION_BLOCKED = 6,       /**< `step` needs `unmet_guards`: confirm them, waive the step, or abort. */
    LKR_ACTION_RECOVERED = 7,     /**< Final. `detail` may carry ::LKR_DETAIL_UPDATE_NOT_APPLIED. */
    LKR_ACTION_NEEDS_SUPPORT = 8, /**< Final. `step` is the hand-over step, `detail` the LKR_SUPPORT_* reasons. */
    LKR_ACTION_ABORTED = 9        /**< Final. */
} lkr_action_kind;

/** @brief Which part of a step an action concerns. */
typedef enum lkr_phase {
    LKR_PHASE_NONE = 0,         /**< Not about a step's part. */
    LKR_PHASE_PERFORM = 1,      /**< Do the step (for a timed step: its first part, e.g. remove the batteries). */
    LKR_PHASE_HOLD = 2,         /**< WAIT: keep it that way (batteries out, hub unplugged) until the time. */
    LKR_PHASE_RESUME = 3,       /**< The hold is over: finish the step (batteries back, plug back in). */
    LKR_PHASE_SETTLE = 4,       /**< WAIT: give the lock time to reconnect before checking. */
    LKR_PHASE_ASK_PERSON = 5,   /**< VERIFY: the person says whether the lock works now. */
    LKR_PHASE_PROBE = 6         /**< VERIFY: the transport's probe is pending (lkr_session_probe_done()). */
} lkr_phase;

/** @brief Questions the engine asks (::LKR_ACTION_ASK). */
typedef enum lkr_question {
    LKR_QUESTION_NONE = 0,             /**< No question. */
    LKR_QUESTION_UPDATE_STATE = 1,     /**< Was an update involved? Answer an ::lkr_update_state. */
    LKR_QUESTION_UPDATE_STALLED_MIN = 2, /**< Minutes since the progress bar last moved (number). */
    LKR_QUESTION_KEYPAD_LIGHTS = 3,    /**< Does the keypad light or beep? Tri-state. */
    LKR_QUESTION_APP_STATUS = 4,       /**< What does the app show? An ::lkr_app_status. */
    LKR_QUESTION_CODES_STATE = 5,      /**< Do the codes work? An ::lkr_code_state. */
    LKR_QUESTION_LOCAL_CONTROL = 6,    /**< Does it work from the phone nearby? Tri-state. */
    LKR_QUESTION_FIRMWARE_VERSION = 7, /**< What version does it report? Give `fw_now` through lkr_session_observe(), or answer ::LKR_UNKNOWN. */
    /* Since 1.2: questions asked for their value (docs/ENGINE.md, "Questions
     * worth asking"): each answers one fact, tri-state. */
    LKR_QUESTION_SECOND_PHONE = 8,     /**< Does the app on a second phone see and reach the lock? Tri-state; sets `second_phone_connects`. */
    LKR_QUESTION_HUB_DEVICES = 9,      /**< Does the hub (or Wi-Fi bridge) show its other devices online? Tri-state; sets `hub_online` (`bridge_online` on a Wi-Fi lock). */
    LKR_QUESTION_UPDATE_PENDING = 10   /**< Does the app store or the app offer an update for the app or the lock? Tri-state; sets `software_outdated`. */
} lkr_question;
/** Highest question value this header knows. */
#define LKR_QUESTION_MAX 10

/** @brief What the host reports about a step (lkr_session_report()). */
typedef enum lkr_outcome {
    LKR_OUTCOME_NONE = 0,      /**< Not reported (history: step not finished). */
    LKR_OUTCOME_FIXED = 1,     /**< The lock works now (verified by probe where there is one). */
    LKR_OUTCOME_NOT_FIXED = 2, /**< Done, and the lock still does not work. */
    LKR_OUTCOME_DONE = 3,      /**< Done (this part of it); the engine goes on to waits and verification. */
    LKR_OUTCOME_SKIPPED = 4,   /**< The person chose not to do it. */
    LKR_OUTCOME_CANNOT_DO = 5, /**< Not possible for this person or lock. */
    LKR_OUTCOME_FAILED = 6,    /**< Attempted and went wrong (or the transport failed). */
    LKR_OUTCOME_WAIVED = 7,    /**< History only: waived with a recorded reason. */
    LKR_OUTCOME_REFUTED = 8,   /**< History only: reported fixed, but the probe still failed. */
    LKR_OUTCOME_HANDED_OVER = 9 /**< History only: the support hand-over. */
} lkr_outcome;

/** @brief Which ladder a session walks. */
typedef enum lkr_ladder {
    LKR_LADDER_NONE = 0,       /**< Not decided yet (questions pending). */
    LKR_LADDER_CONNECTION = 1, /**< triage, universal, protocol, ecosystem, repair, reset, support. */
    LKR_LADDER_CODE = 2        /**< triage, code, reset, support (seed 003). */
} lkr_ladder;

/** @name Support reasons (::lkr_action `detail` of ::LKR_ACTION_NEEDS_SUPPORT; catalog section 7)
 *  @{ */
#define LKR_SUPPORT_LADDER_EXHAUSTED 0x01u /**< Every tier done or waived, still not back. */
#define LKR_SUPPORT_DEAD_KEYPAD 0x02u      /**< Keypad dead after fresh batteries and a 30 s pull. */
#define LKR_SUPPORT_SAME_ERROR_CODE 0x04u  /**< The same error code survived every step. */
#define LKR_SUPPORT_SEVERAL_PHONES 0x08u   /**< It fails from more than one phone. */
#define LKR_SUPPORT_AFTER_UPDATE 0x10u     /**< It worked before the update and nothing helped. */
#define LKR_SUPPORT_RESET_REFUSED 0x20u    /**< The factory reset was waived or can never be guarded. */
#define LKR_SUPPORT_CODES_MISSING 0x40u    /**< The lock is back, but codes could not be restored: never "recovered". */
#define LKR_SUPPORT_CODES_UNVERIFIED 0x80u /**< Codes may have been erased and the vault could not check them back. */
/** @} */

/** ::LKR_ACTION_RECOVERED detail: the lock is back but still reports the old firmware: the update failed. */
#define LKR_DETAIL_UPDATE_NOT_APPLIED 0x100u

/** @brief What the host should do now (lkr_session_next()). */
typedef struct lkr_action {
    uint32_t struct_size;   /**< Set by the caller (::LKR_ACTION_INIT). */
    uint32_t kind;          /**< An ::lkr_action_kind. */
    uint32_t state;         /**< The session's ::lkr_state. */
    uint32_t step;          /**< The ::lkr_step concerned, or 0. */
    uint32_t tier;          /**< The current ::lkr_tier. */
    uint32_t phase;         /**< An ::lkr_phase. */
    uint32_t question;      /**< An ::lkr_question for ::LKR_ACTION_ASK. */
    uint32_t unmet_guards;  /**< Mask of LKR_GUARD_BIT() for ::LKR_ACTION_BLOCKED: every unmet guard. */
    uint32_t detail;        /**< LKR_SUPPORT_* or ::LKR_DETAIL_UPDATE_NOT_APPLIED. */
    uint32_t wait_s;        /**< Length of the wait or timed phase, in seconds. */
    uint64_t wait_until_ms; /**< ::LKR_ACTION_WAIT: host-clock time to come back at. */
    const char *title;      /**< English title (catalog text; static). */
    const char *text;       /**< English instructions or question (static). */
} lkr_action;

/** Initialiser for ::lkr_action. */
#define LKR_ACTION_INIT { sizeof(lkr_action), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/** @brief One step of the history, in order. */
typedef struct lkr_history_entry {
    uint32_t struct_size; /**< Set by the caller (::LKR_HISTORY_ENTRY_INIT). */
    uint32_t step;        /**< The ::lkr_step. */
    uint32_t tier;        /**< Its ::lkr_tier. */
    uint32_t outcome;     /**< An ::lkr_outcome (NONE while it runs). */
    uint32_t by_host;     /**< 1 when the host's run_step did it, 0 for a person. */
    uint32_t reserved_;   /**< Zero. */
    uint64_t started_ms;  /**< Host clock when it was offered (ms precision up to 49.7 days into the session, then the session start + 49.7 days). */
    uint64_t ended_ms;    /**< Host clock when its outcome was recorded (0 while it runs; same precision). */
} lkr_history_entry;

/** Initialiser for ::lkr_history_entry. */
#define LKR_HISTORY_ENTRY_INIT { sizeof(lkr_history_entry), 0, 0, 0, 0, 0, 0, 0 }

/** Longest waiver reason, NUL included (47 characters). */
#define LKR_REASON_MAX 48

/** @brief What lkr_session_waive() applies to. */
typedef enum lkr_waive_kind {
    LKR_WAIVE_TIER = 1, /**< A whole ::lkr_tier. */
    LKR_WAIVE_STEP = 2  /**< One ::lkr_step. */
} lkr_waive_kind;

/** @brief A recorded waiver. */
typedef struct lkr_waiver {
    uint32_t struct_size;        /**< Set by the caller (::LKR_WAIVER_INIT). */
    uint32_t kind;               /**< An ::lkr_waive_kind. */
    uint32_t id;                 /**< The tier or step waived. */
    uint32_t reserved_;          /**< Zero. */
    uint64_t at_ms;              /**< Host clock when it was waived. */
    char reason[LKR_REASON_MAX]; /**< The host's reason. */
} lkr_waiver;

/** Initialiser for ::lkr_waiver. */
#define LKR_WAIVER_INIT { sizeof(lkr_waiver), 0, 0, 0, 0, { 0 } }

/** @brief A snapshot of a session (lkr_session_status()). */
typedef struct lkr_session_info {
    uint32_t struct_size;     /**< Set by the caller (::LKR_SESSION_INFO_INIT). */
    uint32_t state;           /**< The ::lkr_state. */
    uint32_t ladder;          /**< The ::lkr_ladder. */
    uint32_t tier;            /**< The current ::lkr_tier (0 before a ladder is chosen). */
    uint32_t symptom;         /**< The current ::lkr_symptom. */
    uint32_t triage;          /**< The current LKR_TRIAGE_* flags. */
    uint32_t guards_held;     /**< Mask of LKR_GUARD_BIT() of the guards that hold now, for a step of the reset tier. */
    uint32_t support_reasons; /**< LKR_SUPPORT_* reasons found so far. */
    uint32_t history_count;   /**< Entries for lkr_session_history(). */
    uint32_t waiver_count;    /**< Entries for lkr_session_waiver(). */
    uint32_t tiers_done;      /**< Mask of (1 << tier) of tiers exhausted or waived. */
    uint32_t person_minutes;  /**< Catalog cost of the steps done so far, and (since 1.2) of the questions worth asking answered. */
    uint32_t guards_blocked;  /**< Mask of LKR_GUARD_BIT() of every guard that ever blocked a step. */
    uint32_t codes_missing;   /**< Codes the attached vault found missing after the last verify or restore. */
    uint32_t vault_attached;  /**< 1 when a vault is attached. */
    uint32_t backup_verified; /**< 1 when the code backup is verified (the guard holds). */
} lkr_session_info;

/** Initialiser for ::lkr_session_info. */
#define LKR_SESSION_INFO_INIT { sizeof(lkr_session_info), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/**
 * Most entries a session's history holds: every step enters it at most once,
 * and no lock fits more than 47 steps plus the hand-over (a catalog test
 * holds the catalog to that).
 */
#define LKR_HISTORY_MAX 48
/** Most waivers a session records. */
#define LKR_WAIVERS_MAX 8
/** Most likelihood overrides a session keeps (priors, costs and disabled steps are unlimited). */
#define LKR_SESSION_LIKELIHOODS_MAX 16

/**
 * @brief Sets `struct_size` and every field of @p config to NULL / zero.
 * @param config the struct; NULL is ignored.
 */
LKR_API void lkr_session_config_init(lkr_session_config *config);

/**
 * @brief Creates a session: validates and copies the profile, observations
 *        and overrides, classifies, and chooses the ladder and entry tier.
 * @param config the configuration (profile required).
 * @param transport the host's callbacks (`now_ms` required); copied.
 * @param[out] out the new session; set only on success.
 * @return ::LKR_OK, ::LKR_E_INVAL (NULL, bad sizes or values, no clock),
 *         ::LKR_E_RANGE (an override id), ::LKR_E_UNSUPPORTED (more than
 *         ::LKR_SESSION_LIKELIHOODS_MAX likelihood overrides, or fields this
 *         library does not know), ::LKR_E_NOMEM.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_new(const lkr_session_config *config,
                                                          const lkr_transport *transport,
                                                          lkr_session **out);

/**
 * @brief Frees a session (zeroing it first). NULL is a no-op.
 * @param session the session.
 */
LKR_API void lkr_session_free(lkr_session *session);

/**
 * @brief What the host should do now. Calls the transport where it can
 *        (probe, run_step, prompt) and reads the clock; never blocks.
 * @param session the session.
 * @param[out] out the action (its `struct_size` set).
 * @return ::LKR_OK with the action (final states keep returning their final
 *         action), ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_next(lkr_session *session, lkr_action *out);

/**
 * @brief Reports the outcome of the step the current action names.
 *
 * PERSON_STEP (perform or resume): DONE and NOT_FIXED go on to the step's
 * waits and verification; FIXED goes straight to verification; SKIPPED,
 * CANNOT_DO and FAILED close the step. VERIFY asked of the person: FIXED or
 * NOT_FIXED. HOST_STEP: any outcome; CANNOT_DO hands the step to a person.
 *
 * @param session the session.
 * @param step the step of the current action.
 * @param outcome LKR_OUTCOME_FIXED .. LKR_OUTCOME_FAILED.
 * @return ::LKR_OK; ::LKR_E_INVAL for bad values; ::LKR_E_STATE when the
 *         session is not waiting for that step's outcome: a step it never
 *         offered (before the first lkr_session_next() too), another step, or
 *         a final session.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_report(lkr_session *session, uint32_t step,
                                                             uint32_t outcome);

/**
 * @brief Answers the current ::LKR_ACTION_ASK question.
 * @param session the session.
 * @param question the question asked.
 * @param value its answer (see ::lkr_question), or ::LKR_UNKNOWN /
 *        ::LKR_NUM_UNKNOWN for "I don't know" (the engine will not ask again).
 * @return ::LKR_OK, ::LKR_E_INVAL (bad value), ::LKR_E_STATE (not asked).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_answer(lkr_session *session, uint32_t question,
                                                             int32_t value);

/**
 * @brief Adds facts at any time: every known field of @p obs replaces the
 *        session's; unknown fields leave it as it was. The diagnosis and the
 *        beliefs are recomputed; a session that had not yet chosen its
 *        ladder chooses it; one that had keeps its place (never skipping
 *        ahead), switching between the connection and code ladders only when
 *        the symptom moves between them.
 * @param session the session.
 * @param obs the new facts (validated like lkr_observations_validate()).
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_UNSUPPORTED, ::LKR_E_STATE (final).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_observe(lkr_session *session,
                                                              const lkr_observations *obs);

/**
 * @brief Re-reads the clock after a wait.
 * @param session the session.
 * @return ::LKR_OK when no wait is running or it is over (the next action
 *         moves on), ::LKR_PENDING while it runs, ::LKR_E_STATE once the
 *         session is final (recovered, handed over or aborted), ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_tick(lkr_session *session);

/**
 * @brief Completes a probe that returned ::LKR_PENDING.
 * @param session the session.
 * @param status the probe's result status (::LKR_OK with @p result filled, or an error).
 * @param result what it found (may be NULL when @p status is an error).
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_STATE (no probe pending).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_probe_done(lkr_session *session, lkr_status status,
                                                                 const lkr_probe_result *result);

/**
 * @brief The person confirms (or withdraws) a guard only a person can know:
 *        ::LKR_GUARD_ADMIN_CODE_RECORDED, ::LKR_GUARD_PHYSICAL_KEY,
 *        ::LKR_GUARD_DOOR_OPEN, ::LKR_GUARD_PHONE_IN_RANGE,
 *        ::LKR_GUARD_PREFLIGHT_OK (after lkr_preflight() passed),
 *        ::LKR_GUARD_CODES_NOTED (every code and slot written down; counts
 *        only where no code reader is attached).
 * @param session the session.
 * @param guard the guard.
 * @param holds 1 to confirm, 0 to withdraw.
 * @return ::LKR_OK; ::LKR_E_INVAL for a guard the host cannot confirm (the
 *         code backup is the vault's alone; tier order and transfers are the
 *         engine's); ::LKR_E_UNSUPPORTED for a physical key on a lock with no
 *         key cylinder; ::LKR_E_STATE when final, or when withdrawing
 *         ::LKR_GUARD_CODES_NOTED after a step that may erase codes began on
 *         the strength of the notes (they are what the codes come back from).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_confirm(lkr_session *session, uint32_t guard,
                                                              int holds);

/**
 * @brief Skips a tier or a step, recording why. A guard is never waived: a
 *        waived destructive step is simply not done.
 * @param session the session.
 * @param kind ::LKR_WAIVE_TIER or ::LKR_WAIVE_STEP.
 * @param id the tier or step.
 * @param reason why: 1..47 printable characters (never an access code).
 * Digit runs of four or more in @p reason are stored masked ('#'), so a PIN
 * typed by mistake never reaches a report or a saved session.
 * @return ::LKR_OK; ::LKR_E_INVAL (bad kind, id, reason, the support tier, or
 *         a step that does not apply to this lock);
 *         ::LKR_E_RANGE (waiver list full); ::LKR_E_STATE (final, the step is
 *         mid-wait, or already waived).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_waive(lkr_session *session, uint32_t kind,
                                                            uint32_t id, const char *reason);

/**
 * @brief Stops the recovery for good (state ::LKR_STATE_ABORTED).
 * @param session the session.
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_STATE (already final).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_abort(lkr_session *session);

/**
 * @brief A snapshot of the session's state.
 * @param session the session.
 * @param[out] out the snapshot (its `struct_size` set).
 * @return ::LKR_OK, ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_status(const lkr_session *session,
                                                             lkr_session_info *out);

/**
 * @brief The current beliefs: the diagnosis with causes ranked by the
 *        posterior after every outcome so far.
 * @param session the session.
 * @param[out] out the diagnosis (its `struct_size` set).
 * @return ::LKR_OK, ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_beliefs(const lkr_session *session,
                                                              lkr_diagnosis *out);

/**
 * @brief One history entry, in order (0 is the first step offered).
 * @param session the session.
 * @param index 0 .. history_count-1.
 * @param[out] out the entry (its `struct_size` set).
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_RANGE.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_history(const lkr_session *session, uint32_t index,
                                                              lkr_history_entry *out);

/**
 * @brief One recorded waiver, in order.
 * @param session the session.
 * @param index 0 .. waiver_count-1.
 * @param[out] out the waiver (its `struct_size` set).
 * @return ::LKR_OK, ::LKR_E_INVAL, ::LKR_E_RANGE.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_waiver(const lkr_session *session, uint32_t index,
                                                             lkr_waiver *out);

/**
 * @brief Attaches a code vault (or detaches it, with NULL). The session then
 *        backs codes up through it (`repair.backup_codes`), verifies them
 *        after a re-pair (`repair.verify_codes`) and restores them after a
 *        factory reset (`reset.restore_after_reset`), using the transport's
 *        code callbacks. The host keeps ownership: free the session (or
 *        detach) before the vault.
 *        A vault belongs to one lock: attaching binds an unbound vault to
 *        the lock the session's profile names (manufacturer, model, serial),
 *        and a vault bound to another lock is refused. Any vault of this
 *        lock may be attached; only the backup the session made, or a
 *        verified backup the host made that holds exactly the lock's codes
 *        (read once to check), counts as the session's backup
 *        (docs/VAULT.md).
 * @param session the session.
 * @param vault the vault, or NULL to detach.
 * @return ::LKR_OK; ::LKR_E_INVAL; ::LKR_E_STATE when the vault is bound to
 *         another lock.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_attach_vault(lkr_session *session, lkr_vault *vault);

/** Version of the session blob format this library writes (docs/PERSISTENCE.md). */
#define LKR_SESSION_FORMAT_VERSION 2
/** Largest session blob this library writes or reads. */
#define LKR_SESSION_BLOB_MAX 4096

/**
 * @brief Saves the session into a versioned, checksummed, deterministic
 *        blob: everything but the codes in clear (the vault is exported
 *        sealed, separately) and the host's callbacks. When the session's
 *        transport has `seal` and `unseal`, the blob is sealed by it (authenticated: a
 *        tampered blob does not load); otherwise it is only checksummed,
 *        which detects damage, not forgery (docs/PERSISTENCE.md).
 * @param session the session.
 * @param buf where to write, or NULL to ask the size.
 * @param len its capacity.
 * @param[out] needed the blob's size.
 * @return ::LKR_OK, ::LKR_E_BUFFER (@p needed set), ::LKR_E_INVAL,
 *         ::LKR_E_TRANSPORT (`seal` failed), ::LKR_E_OVERSIZED (sealed, it
 *         would exceed ::LKR_SESSION_BLOB_MAX).
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_save(const lkr_session *session, void *buf,
                                                           size_t len, size_t *needed);

/**
 * @brief Loads a blob lkr_session_save() wrote (by this or an earlier 1.x
 *        library) into a new session that makes exactly the same decisions.
 *        Nothing is half-loaded: on any error no session is created. The
 *        blob must be a state the engine can be in (docs/PERSISTENCE.md
 *        lists the checks); with `seal` and `unseal` set, it must be sealed.
 * @param config its allocator is used; its profile, observations and
 *        overrides must be NULL (the blob carries them).
 * @param transport the host's callbacks (`now_ms` required).
 * @param buf the blob.
 * @param len its length.
 * @param[out] out the session.
 * @return ::LKR_OK; ::LKR_E_TRUNCATED (shorter than it says);
 *         ::LKR_E_OVERSIZED (longer than it says, or than
 *         ::LKR_SESSION_BLOB_MAX); ::LKR_E_CORRUPT (bad magic, checksum or
 *         content; refused by `unseal`; in clear to a transport with
 *         `seal` and `unseal`); ::LKR_E_UNSUPPORTED (sealed, and no `unseal`);
 *         ::LKR_E_TRANSPORT (`unseal` failed); ::LKR_E_VERSION (a newer
 *         format); ::LKR_E_INVAL; ::LKR_E_NOMEM.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_load(const lkr_session_config *config,
                                                           const lkr_transport *transport,
                                                           const void *buf, size_t len,
                                                           lkr_session **out);

/**
 * @brief The support report a manufacturer asks for (catalog section 7), as
 *        JSON: the lock, the firmware before / target / now, error codes,
 *        every step in order with its outcome and time, waivers with their
 *        reasons, the guards that blocked, the code backup's state (never a
 *        code), the final state and the reasons it needs support.
 * @param session the session.
 * @param buf where to write (NUL-terminated), or NULL to ask the size.
 * @param len its capacity.
 * @param[out] needed the size needed, NUL included.
 * @return ::LKR_OK, ::LKR_E_BUFFER (@p needed set), ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_report_json(const lkr_session *session, char *buf,
                                                                  size_t len, size_t *needed);

/**
 * @brief The same report as plain English text.
 * @param session the session.
 * @param buf where to write (NUL-terminated), or NULL to ask the size.
 * @param len its capacity.
 * @param[out] needed the size needed, NUL included.
 * @return ::LKR_OK, ::LKR_E_BUFFER (@p needed set), ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_session_report_text(const lkr_session *session, char *buf,
                                                                  size_t len, size_t *needed);

/**
 * @brief Whether @p action ends the session (recovered, support, aborted).
 * @param action an action (NULL gives 0).
 * @return 1 or 0.
 */
LKR_API int lkr_action_is_final(const lkr_action *action);

/** @name Pre-update checklist items (catalog section 6)
 *  @{ */
#define LKR_PREFLIGHT_FRESH_ALKALINE 0x01u    /**< Fresh alkaline (or lithium) cells, not NiMH. */
#define LKR_PREFLIGHT_BATTERY_50 0x02u        /**< Battery at 50 % or more. */
#define LKR_PREFLIGHT_PHYSICAL_KEY 0x04u      /**< A physical key on the person. */
#define LKR_PREFLIGHT_AUTOMATIONS_PAUSED 0x08u /**< Automations that use the lock paused. */
#define LKR_PREFLIGHT_PHONE_IN_RANGE 0x10u    /**< The phone stays in Bluetooth range. */
#define LKR_PREFLIGHT_SCREEN_AWAKE 0x20u      /**< Android: the screen kept awake. */
/** @} */

/** @brief The facts the pre-update checklist needs; tri-states, unknown counts as unmet. */
typedef struct lkr_preflight_input {
    uint32_t struct_size;       /**< `sizeof(lkr_preflight_input)` (::LKR_PREFLIGHT_INPUT_INIT). */
    int32_t battery_pct;        /**< 0..100 or ::LKR_NUM_UNKNOWN. */
    uint8_t cells_fresh;        /**< The cells were just replaced. */
    uint8_t key_on_person;      /**< A physical key is on the person, not inside. */
    uint8_t automations_paused; /**< Lock automations are paused. */
    uint8_t phone_stays_in_range; /**< The phone will stay within Bluetooth range. */
    uint8_t android;            /**< The phone is an Android phone. */
    uint8_t screen_kept_awake;  /**< "Stay awake" is on (Android). */
    uint8_t reserved_[2];       /**< Zero. */
} lkr_preflight_input;

/** Initialiser for ::lkr_preflight_input (everything unknown). */
#define LKR_PREFLIGHT_INPUT_INIT { sizeof(lkr_preflight_input), LKR_NUM_UNKNOWN, 0, 0, 0, 0, 0, 0, { 0, 0 } }

/**
 * @brief The pre-update checklist of catalog section 6, as a gate a vendor
 *        app calls before it starts an update. After any update, whatever
 *        the app says, read the firmware version first.
 * @param profile the lock (its chemistry counts).
 * @param input what is known.
 * @param[out] unmet mask of LKR_PREFLIGHT_* items not (known to be) met.
 * @return ::LKR_OK when every item holds, ::LKR_E_GUARD when some do not
 *         (@p unmet lists them all), ::LKR_E_INVAL.
 */
LKR_API LKR_WARN_UNUSED_RESULT lkr_status lkr_preflight(const lkr_profile *profile,
                                                        const lkr_preflight_input *input,
                                                        uint32_t *unmet);

LKR_END_DECLS

#endif /* LOCKRECOVER_SESSION_H */
