/*
 * The recovery session's private room: the struct, its phases, and the
 * functions the engine's files (select.c, step.c, beliefs.c, session.c) share.
 * Only those files, guards facts aside, and persist.c / report.c (which save
 * and describe a session) include this header; docs/ARCHITECTURE.md draws who
 * may call whom. Never installed.
 */
#ifndef LKR_SESSION_INT_H
#define LKR_SESSION_INT_H

#include "internal.h"

/* Internal step phases; the public lkr_phase/lkr_state are derived from them
 * through lkr__phases. The numbers are part of the session blob format
 * (docs/PERSISTENCE.md): never renumber, only append. */
enum lkr__phase {
    LKR__P_IDLE = 0,         /* decide what comes next */
    LKR__P_ASK = 1,          /* a question is out */
    LKR__P_PERFORM = 2,      /* a person performs the current step */
    LKR__P_HOST = 3,         /* the host's run_step is pending */
    LKR__P_HOLD = 4,         /* timed phase of the step (power off, hold) */
    LKR__P_RESUME = 5,       /* a person finishes the step after the hold */
    LKR__P_SETTLE = 6,       /* settle wait before verifying */
    LKR__P_VERIFY = 7,       /* transient: verify now */
    LKR__P_VERIFY_ASK = 8,   /* the person says whether it works */
    LKR__P_VERIFY_PROBE = 9, /* a probe is pending */
    LKR__P_BLOCKED = 10,     /* the chosen step's guards do not hold */
    LKR__P_FINAL = 11        /* recovered, support or aborted */
};
#define LKR__P_COUNT 12u

/* What a phase means, in one place (in the spirit of Zephyr's SMF): the
 * public state and action it shows, and the facts the engine, the waivers
 * and the blob check ask of it. */
#define LKR__PF_STEP 0x01u       /* cur_step is the step in hand */
#define LKR__PF_JUDGING 0x02u    /* verify_step is being judged */
#define LKR__PF_MID_FLIGHT 0x04u /* a step is under way: it and its tier cannot be waived */
#define LKR__PF_TIMED 0x08u      /* ends at wait_until_ms */
#define LKR__PF_PROMPTS 0x10u    /* shown to a person through the prompt callback */

typedef struct lkr__phase_def {
    uint8_t state;     /* lkr_state (for LKR__P_FINAL: final_state instead) */
    uint8_t action;    /* lkr_action_kind (for LKR__P_FINAL: from final_state) */
    uint8_t pub_phase; /* lkr_phase of the action (0: none) */
    uint8_t flags;     /* LKR__PF_* */
} lkr__phase_def;

extern const lkr__phase_def lkr__phases[LKR__P_COUNT];

/* Times in the history and waivers are milliseconds since the session began
 * (started_ms), saturating at UINT32_MAX (49.7 days): 12 bytes an entry. */
typedef struct lkr__hist {
    uint8_t step;
    uint8_t outcome;
    uint8_t by_host;
    uint8_t reserved;
    uint32_t started_off;
    uint32_t ended_off;
} lkr__hist;

typedef struct lkr__waiver {
    uint8_t kind;
    uint8_t id;
    uint8_t reserved[2];
    uint32_t at_off;
    char reason[LKR_REASON_MAX];
} lkr__waiver;

struct lkr__hooks;

struct lkr_session {
    /* Ordered by alignment (8, 4, 2, 1 bytes) to keep the struct small. */
    lkr_transport tr;
    lkr_allocator alloc;
    /* vendor numbers: in the tail of the session's one allocation, present
     * only when the vendor gave them (a session without overrides is smaller) */
    lkr_weight *priors;
    lkr_likelihood *likelihoods;
    uint16_t *cost; /* LKR__STEP_COUNT + 1 entries, 0: the catalog's; or NULL */
    lkr_vault *vault; /* attached by the host; not owned */
    /* test and benchmark seams (lib/hooks/): NULL in every session a host
     * makes; never saved */
    const struct lkr__hooks *hooks;
    double belief[LKR__CAUSE_COUNT + 1];
    uint64_t disabled;     /* bit per step id */
    uint64_t evidence;
    uint64_t tried;        /* bit per step in the history */
    uint64_t fits;         /* bit per step that fits the profile (derived, not saved) */
    uint64_t waived_steps;
    uint64_t wait_until_ms;
    uint64_t last_now_ms;
    uint64_t started_ms;   /* host clock at lkr_session_new: reports count from it */
    uint32_t magic;
    uint32_t alloc_size;   /* bytes allocated, tail included */
    uint32_t symptom;
    uint32_t triage;
    uint32_t entry_tier;
    uint32_t codes_missing;  /* after the last verify or restore */
    uint32_t guards_blocked; /* every guard that ever blocked a step */
    uint32_t blocked_unmet;
    uint32_t asked;          /* bit per question asked */
    uint32_t confirmed;      /* guard bits the person confirmed */
    uint32_t support_reasons;
    uint32_t detail;
    uint32_t person_minutes;
    uint32_t wait_s;
    uint32_t prompted_sig;   /* prompt de-duplication */
    /* the lock and what is known */
    lkr_profile profile;
    lkr_observations obs;
    lkr__hist hist[LKR_HISTORY_MAX];
    lkr__waiver waivers[LKR_WAIVERS_MAX];
    uint16_t waived_tiers;
    uint8_t has_alloc;
    uint8_t prior_count;
    uint8_t likelihood_count;
    /* ladder and step in hand */
    uint8_t ladder;
    uint8_t tier;
    uint8_t phase;       /* written by lkr__enter only */
    uint8_t final_state;
    uint8_t cur_step;
    uint8_t cur_hist;
    uint8_t verify_step; /* the step the coming verification judges */
    uint8_t verify_hist;
    uint8_t last_report; /* the person's or host's last outcome for it */
    uint8_t by_host;
    uint8_t question;
    uint8_t triage_active; /* an update was running: the triage tier applies */
    uint8_t dead_keypad_asked;
    uint8_t need_fw;
    uint8_t backup_verified;  /* state of the test hook (lib/hooks/); read only there */
    uint8_t has_vault_digest; /* the session backed up (or loaded) this digest */
    uint8_t codes_at_risk;    /* codes (may have been) erased and not yet verified back */
    uint8_t blocked_step;
    uint8_t blocked_followup; /* a follow-up waiting for its guards; the parent stays in hand */
    uint8_t blocked_in_hand;  /* the current step, offered, lost a guard: blocked, kept */
    uint8_t error_reobserved; /* an error code was reported again after steps began */
    uint8_t policy;           /* state of the benchmark hook (lib/hooks/); read only there */
    uint8_t oracle_cause;     /* the fault the oracle policy knows (benchmark hook) */
    uint8_t terminal_step;
    uint8_t reached;          /* index in the ladder of the furthest tier entered */
    uint8_t hist_count;
    uint8_t waiver_count;
    char initial_error[LKR_VERSION_TEXT_MAX];
    uint8_t vault_digest[32];
    /* not saved: a public call is running (host callbacks may not re-enter) */
    uint8_t busy;
    /* not saved: the vault content a host-made backup was last checked for */
    uint8_t adopt_tried;
    uint8_t adopt_digest[32];
};

#define LKR__SESSION_MAGIC 0x4C4B5253u /* "LKRS" */

/* Every public function that changes or saves a session starts with these:
 * NULL or a freed session is LKR_E_INVAL; a call from one of the session's
 * own host callbacks is LKR_E_REENTRANT (the outer call would return a stale
 * action, and a save taken mid-call may not load). The read-only accessors
 * (status, beliefs, history, waivers, reports) stay open to callbacks: they
 * change nothing. */
#define LKR__SESSION_OK(s) ((s) != NULL && (s)->magic == LKR__SESSION_MAGIC)
#define LKR__CHECK_SESSION(s)                                                                      \
    do {                                                                                           \
        if (!LKR__SESSION_OK(s)) return LKR_E_INVAL;                                               \
        if ((s)->busy) return LKR_E_REENTRANT;                                                     \
    } while (0)
/* Runs `call` (an expression giving an lkr_status) with the session marked
 * busy, for the functions that may call the host back. */
#define LKR__RUN_BUSY(s, call)                                                                     \
    do {                                                                                           \
        lkr_status lkr__st_;                                                                       \
        LKR__CHECK_SESSION(s);                                                                     \
        (s)->busy = 1;                                                                             \
        lkr__st_ = (call);                                                                         \
        (s)->busy = 0;                                                                             \
        return lkr__st_;                                                                           \
    } while (0)
/* A bit of `asked` beside the question bits: the update question was put
 * again, after the triage steps, to learn whether the transfer is over. */
#define LKR__ASKED_TRANSFER_OVER 0x80000000u


/* ---- outcomes: what counts as done (one definition for every reader) ----- */

/* The step was done for real (not skipped, waived, failed, impossible or open). */
static inline int lkr__outcome_performed(uint32_t o)
{
    return o == LKR_OUTCOME_DONE || o == LKR_OUTCOME_FIXED || o == LKR_OUTCOME_NOT_FIXED ||
           o == LKR_OUTCOME_REFUTED;
}

/* The step was attempted: anything but declined (skipped, waived, cannot do). */
static inline int lkr__outcome_attempted(uint32_t o)
{
    return o != LKR_OUTCOME_WAIVED && o != LKR_OUTCOME_SKIPPED && o != LKR_OUTCOME_CANNOT_DO;
}

/* 1 when the first history entry of `step` was performed. */
int lkr__step_performed(const lkr_session *s, uint32_t step);

/* ---- test and benchmark seams (installed by lib/hooks/, never in a host's session) ---- */

typedef struct lkr__hooks {
    /* A verified code backup without a vault (tests of the guards). */
    int (*backup_stand_in)(const lkr_session *s);
    /* Whether a step whose P(fix) under the beliefs is `sum` is indicated;
     * `library` is the library's answer (LKR__MIN_FIX, LKR__RESET_MIN_FIX). */
    int (*indicated)(const lkr_session *s, double sum, int library);
    /* The step pinned for `tier` before the adaptive choice; 0: none. */
    uint32_t (*pin)(const lkr_session *s, uint32_t tier, uint32_t library_pin);
    /* Decides in place of the ladder; 1 when it did. */
    int (*decide)(lkr_session *s, uint64_t now);
    /* 1 when the tier order alone orders the steps (the least-destructive-
     * first rank is not applied: the benchmarks' fixed order). */
    int (*tier_order)(const lkr_session *s);
    /* 0 when the questions worth asking are not asked (the benchmarks'
     * fixed order, and the engine measured without them). */
    int (*questions)(const lkr_session *s);
} lkr__hooks;

/* ---- questions worth asking (voi.c) ---------------------------------------- */

/* The question to ask before the next step: the one whose expected saving
 * in person-minutes most exceeds its cost, unless asking it after the next
 * step is cheaper; or LKR_QUESTION_NONE. `value` (may be NULL; the
 * benchmarks print it) gets the minutes it is expected to save, its own
 * cost not taken off. */
uint32_t lkr__worth_asking(const lkr_session *s, double *value);
/* The observation the question answers, in this session. */
uint8_t *lkr__vq_fact(lkr_session *s, const lkr__vquestion *q);

/* ---- phases (step.c) -------------------------------------------------------- */

/* The one writer of s->phase: enters `phase` and clears what the change
 * clears: the blocked_* fields in any phase but LKR__P_BLOCKED; the steps in
 * hand, the question and the firmware-version wait in LKR__P_FINAL. */
void lkr__enter(lkr_session *s, uint32_t phase);

/* ---- helpers (step.c) -------------------------------------------------------- */

uint64_t lkr__now(lkr_session *s);
void lkr__log(lkr_session *s, uint32_t level, const char *what, uint32_t step, const char *extra);
int lkr__is_transport_status(lkr_status st);
uint32_t lkr__cost_of(const lkr_session *s, uint32_t step);
uint32_t lkr__fix_permille(uint32_t step, uint32_t cause);

/* ---- selection (select.c) ---------------------------------------------------- */

/* The tiers of the session's ladder, in order; returns the count. */
uint32_t lkr__ladder_tiers(const lkr_session *s, const uint8_t **tiers);
/* Whether a step is a candidate now, and its score. */
int lkr__candidate(const lkr_session *s, uint32_t step, double *score);
/* The candidate rules that do not depend on the beliefs (lkr__candidate is
 * these and "indicated"). */
int lkr__eligible(const lkr_session *s, uint32_t step);
/* Whether tier `tier` still has a step to offer. */
int lkr__tier_has_candidate(const lkr_session *s, uint32_t tier);
/* The person noted every code and slot, and no code reader is attached: the
 * lowest evidence level (docs/VAULT.md), enough for the code guards. */
int lkr__codes_noted(const lkr_session *s);
/* The guards of `step` that do not hold now. */
uint32_t lkr__unmet_guards(const lkr_session *s, uint32_t step);
/* The mask of guards that hold for a step of tier `tier` (every guard, or
 * only those in `want`: the costly "earlier tiers done" only when asked). */
uint32_t lkr__guards_held(const lkr_session *s, uint32_t tier);
uint32_t lkr__guards_held_of(const lkr_session *s, uint32_t tier, uint32_t want);
/* The lowest least-destructive-first rank (lkr__step_rank) among the
 * candidates of the tiers the ladder may still visit; 0 when none. */
uint32_t lkr__lowest_rank(const lkr_session *s);
/* Chooses the next step (or question, or blocked step, or hand-over). */
void lkr__decide(lkr_session *s, uint64_t now);
/* The steps that fit the profile (protocol, ecosystems, bridge, keypad). */
void lkr__compute_fits(lkr_session *s);

/* ---- steps (step.c) ------------------------------------------------------------ */

void lkr__begin_step(lkr_session *s, uint32_t step, uint64_t now);
void lkr__needs_support(lkr_session *s, uint32_t reasons, uint64_t now);
void lkr__finish(lkr_session *s, uint32_t state);
int lkr__open_entry(lkr_session *s, uint32_t step, uint64_t now);
void lkr__close_entry(lkr_session *s, uint32_t index, uint32_t outcome, uint64_t now);
/* The step in hand ended without a verdict of its own. */
void lkr__end_step(lkr_session *s);
/* Nothing in hand: the next step is chosen. */
void lkr__to_idle(lkr_session *s);
/* The step in hand was closed: a follow-up has its step judged, any other
 * step leaves nothing in hand. */
void lkr__step_closed(lkr_session *s, int followup);

/* ---- codes (codes.c) ----------------------------------------------------------- */

/* Verifies (and restores) the codes through the bound backup; clears the
 * risk only when every code is read back. */
void lkr__check_codes_back(lkr_session *s);
/* Before "recovered": every code the attached vault holds must be on the
 * lock, whatever the history says (a step run by the host in a call whose
 * blob was never saved leaves no trace but the lock and the vault). */
void lkr__check_vault_codes(lkr_session *s);
/* The code steps the vault does at their start (backup; verify after a
 * re-pair); 1 when it handled the step. */
int lkr__vault_step(lkr_session *s, uint32_t step, int idx, int followup, uint64_t now);
/* reset.restore_after_reset after its re-join: the lock must answer, then
 * every code is written and read back. */
void lkr__restore_codes(lkr_session *s, uint64_t now);
void lkr__start_verify(lkr_session *s);
/* The current step (this part of it) was performed. */
void lkr__performed_part(lkr_session *s, uint32_t outcome, int was_hold_part, uint64_t now);
void lkr__recovered(lkr_session *s, uint64_t now);
void lkr__not_fixed(lkr_session *s, int refuted, uint64_t now);
/* Judges a probe that completed. */
void lkr__judge_probe(lkr_session *s, lkr_status st, const lkr_probe_result *r, uint64_t now);
/* Moves the machine as far as it goes without the host. */
void lkr__advance(lkr_session *s);
/* A time as an offset from the session's start (saturating). */
uint32_t lkr__offset(const lkr_session *s, uint64_t now);
/* Whether the session has codes to restore bound to it (by digest): a
 * verified backup of this lock, or the host's records when the lock could
 * not be read; and whether that is a verified backup (read twice). */
int lkr__backup_bound(const lkr_session *s);
int lkr__backup_verified(const lkr_session *s);
/* A step guarded by the code backup began on the strength of the person's
 * notes alone (codes_noted, no backup bound): the notes are then what the
 * codes come back from, and the confirmation is kept. */
int lkr__notes_relied_on(const lkr_session *s);
/* Whether the backup step can still be offered. */
int lkr__backup_offerable(const lkr_session *s);
/* A step is in hand: offered to its person, or blocked again since. */
int lkr__in_hand(const lkr_session *s);
/* Whether `step` may erase this lock's codes (the catalog's data for its
 * protocol; a profile's "re-pairs keep codes" only when nothing can check). */
int lkr__may_erase_codes(const lkr_session *s, uint32_t step);
/* The follow-up of `step`: the catalog's, or the code check after a step
 * that may erase codes the person noted. */
uint32_t lkr__followup_of(const lkr_session *s, uint32_t step);
/* Tries of the backup step (each two reads) before it is refused. */
#define LKR__BACKUP_ATTEMPTS 3u
/* A verified backup the host made on the attached vault becomes this
 * session's once every code in it is read on the lock; 1 when it did. */
int lkr__adopt_host_backup(lkr_session *s);
/* The vault can put codes back on this lock (a bound backup; the transport
 * reads and writes codes): reset.restore_after_reset is then a re-join by the
 * host or a person, and the restore itself is the vault's. */
int lkr__vault_restores(const lkr_session *s);

/* ---- beliefs and questions (beliefs.c) ------------------------------------------- */

/* Recomputes the diagnosis and the beliefs from validated facts and history. */
void lkr__rediagnose(lkr_session *s, lkr_diagnosis *d);
/* beliefs.c: the session's vendor overrides as the public struct (a view, no copy). */
lkr_overrides lkr__overrides_view(const lkr_session *s);
/* Recomputes diagnosis and beliefs, and chooses (or switches) the ladder. */
void lkr__reclassify(lkr_session *s);
/* A step did not fix the lock: the beliefs move away from what it fixes. */
void lkr__apply_failure(double *belief, uint32_t step);
/* Puts the next triage question out, or settles on the universal first steps. */
void lkr__next_question(lkr_session *s);
const char *lkr__question_text(uint32_t q);
/* Merges what a probe found into the observations (reclassifies on change). */
void lkr__merge_probe(lkr_session *s, const lkr_probe_result *r);
int lkr__probe_result_ok(const lkr_probe_result *r);
/* A probe result with every fact unknown. */
void lkr__probe_result_defaults(lkr_probe_result *r);

/* ---- persistence (persist_check.c) ------------------------------------------------ */

/* Whether a parsed session keeps every rule of the states the engine reaches
 * (docs/PERSISTENCE.md lists them). */
int lkr__persist_valid(const lkr_session *s);

/* ---- session lifecycle (session.c; persist.c restores through these) ----------- */

/* The override tail: its size, and its placement after the struct. */
size_t lkr__tail_size(uint32_t priors, uint32_t likelihoods, int costs);
void lkr__place_tail(lkr_session *s, uint32_t priors, uint32_t likelihoods, int costs);

#endif /* LKR_SESSION_INT_H */
