/*
 * Private declarations shared by the library's sources. Never installed.
 * Every non-static name here starts with lkr__ (two underscores) so the
 * symbols test can tell private from public at a glance; the linker version
 * script keeps them out of the shared library's dynamic symbol table.
 */
#ifndef LKR_INTERNAL_H
#define LKR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lockrecover/lockrecover.h"

/* English text for people: the catalog's titles and instructions, status
 * messages. A library built with LKR_NO_TEXT (for hosts that localise by string
 * id) leaves it out: each such text is then "". */
#ifdef LKR_NO_TEXT
#define LKR__TEXT(s) ""
#else
#define LKR__TEXT(s) s
#endif

/* ---- catalog data (catalog.c) ------------------------------------------ */

typedef struct lkr__step_def {
    const char *sid;
    const char *title;
    const char *instructions;
    const char *sources;
    uint8_t tier;
    uint8_t protocols;
    uint8_t ecosystems;
    uint8_t destroys;
    uint16_t flags;
    uint16_t guards;
    uint32_t wait_s;
    uint32_t wait_max_s;
    uint32_t settle_s;
    uint16_t cost_min;
    uint8_t followup;
    uint8_t fix_count;
    const lkr_step_fix *fixes;
} lkr__step_def;

typedef struct lkr__cause_def {
    const char *sid;
    const char *title;
    const char *description;
    const char *sources;
    uint8_t protocols;
    uint16_t prior_permille;
} lkr__cause_def;

typedef struct lkr__symptom_def {
    const char *sid;
    const char *title;
    const char *guidance;
    const char *sources;
    uint8_t entry_tier;
    uint8_t cause_count;
    const uint32_t *causes;
} lkr__symptom_def;

typedef struct lkr__named {
    const char *sid;
    const char *title;
    const char *text;
} lkr__named;

typedef struct lkr__likelihood_row {
    uint8_t evidence;
    uint8_t cause;
    uint32_t permille;
} lkr__likelihood_row;

#define LKR__STEP_COUNT 63u
#define LKR__CAUSE_COUNT 25u
#define LKR__SYMPTOM_COUNT 8u /* "unknown" included */
#define LKR__TIER_COUNT 8u
#define LKR__GUARD_COUNT 9u
#define LKR__EVIDENCE_COUNT 49u

extern const lkr__step_def lkr__steps[LKR__STEP_COUNT + 1];
extern const lkr__cause_def lkr__causes[LKR__CAUSE_COUNT + 1];
extern const lkr__symptom_def lkr__symptoms[LKR__SYMPTOM_COUNT];
extern const lkr__named lkr__tiers[LKR__TIER_COUNT + 1];
extern const lkr__named lkr__guards[LKR__GUARD_COUNT + 1];
extern const lkr__named lkr__evidence[LKR__EVIDENCE_COUNT + 1];
extern const lkr__likelihood_row lkr__likelihoods[];
/* The steps of each tier, 0-terminated (index: tier id). */
extern const uint8_t *const lkr__tier_steps[LKR__TIER_COUNT + 1];
extern const size_t lkr__likelihood_count;

/* ---- helpers (util.c) --------------------------------------------------- */

/* Largest struct_size any function accepts (a sanity bound, far above any struct). */
#define LKR__STRUCT_SIZE_MAX 65536u


/* 1 when s is NUL-terminated within cap bytes. */
int lkr__str_ok(const char *s, size_t cap);
/* 1 when every byte of p[0..n) is zero. */
int lkr__all_zero(const void *p, size_t n);
/*
 * Checks a caller-filled struct's struct_size against the 1.0 size (min) and
 * this library's size (known): LKR_E_INVAL when smaller than min,
 * LKR_E_UNSUPPORTED when larger than known with non-zero tail bytes.
 */
lkr_status lkr__check_size(const void *s, uint32_t struct_size, size_t min, size_t known);
/* The checks every function taking a transport / allocator makes (NULL is
 * INVAL for the transport, allowed for the allocator). */
lkr_status lkr__check_transport(const lkr_transport *t);
lkr_status lkr__check_allocator(const lkr_allocator *al);

/*
 * Copies a library-filled struct into the caller's: checks the caller's
 * struct_size (at least min, at most 64 KiB), copies what both know and zeroes
 * the caller's tail this library does not know. The caller's struct_size is
 * preserved. LKR_E_INVAL for NULL or a size out of range.
 */
lkr_status lkr__emit(void *out, const void *full, size_t full_size, size_t min);

/* Whether step (a valid id) applies to a valid profile; obs may be NULL. */
/* The profile part of lkr__step_applies: protocol, ecosystems, bridge, keypad. */
int lkr__step_fits(uint32_t step, const lkr_profile *p);
int lkr__step_applies(uint32_t step, const lkr_profile *p, const lkr_observations *obs);
/* Whether the observations say a firmware update was involved. */
int lkr__update_involved(const lkr_observations *obs);

/* The ids of the steps/causes... that exist, for range checks. */
int lkr__step_id_ok(uint32_t id);
int lkr__cause_id_ok(uint32_t id);

/* ---- digests (sha256.c, util.c) ----------------------------------------- */

typedef struct lkr__sha256 {
    uint32_t h[8];
    uint64_t len;
    uint8_t buf[64];
    size_t fill;
} lkr__sha256;

void lkr__sha256_init(lkr__sha256 *c);
void lkr__sha256_update(lkr__sha256 *c, const void *data, size_t len);
void lkr__sha256_final(lkr__sha256 *c, uint8_t out[32]);
/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()). */
uint32_t lkr__crc32(const void *data, size_t len);
/* Overwrites memory in a way the compiler may not drop. */
void lkr__wipe(void *p, size_t n);

/* ---- model (model.c) ----------------------------------------------------- */

/* LKR_E_INVAL when valid observations contradict a valid profile. */
lkr_status lkr__consistent(const lkr_profile *p, const lkr_observations *o);

/* ---- classifier (classifier.c) ------------------------------------------ */

/* The diagnosis and the posterior (index 0 unused) of inputs already
 * validated: what lkr_classify_ex computes, without its checks. */
void lkr__diagnose(const lkr_profile *profile, const lkr_observations *obs,
                   const lkr_overrides *overrides, lkr_diagnosis *out, double post[LKR__CAUSE_COUNT + 1]);

/* Posterior over causes (index 0 unused) for the evidence mask ev. */
void lkr__posterior(const lkr_profile *p, uint64_t ev, const lkr_overrides *ov,
                    double post[LKR__CAUSE_COUNT + 1]);

/* ---- sessions (engine.c, guards.c) -------------------------------------- */

/* Internal step phases; the public lkr_phase/lkr_state are derived from them. */
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
    uint8_t phase;
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
    uint8_t backup_verified;  /* test hook only: lkr__session_set_backup_verified */
    uint8_t has_vault_digest; /* the session backed up (or loaded) this digest */
    uint8_t codes_at_risk;    /* codes (may have been) erased and not yet verified back */
    uint8_t blocked_step;
    uint8_t blocked_followup; /* a follow-up waiting for its guards; the parent stays in hand */
    uint8_t blocked_in_hand;  /* the current step, offered, lost a guard: blocked, kept */
    uint8_t error_reobserved; /* an error code was reported again after steps began */
    uint8_t policy;           /* LKR__POLICY_*: the benchmarks' comparison policies (not saved) */
    uint8_t oracle_cause;     /* the fault the oracle policy knows */
    uint8_t terminal_step;
    uint8_t reached;          /* index in the ladder of the furthest tier entered */
    uint8_t hist_count;
    uint8_t waiver_count;
    char initial_error[LKR_VERSION_TEXT_MAX];
    uint8_t vault_digest[32];
};

#define LKR__SESSION_MAGIC 0x4C4B5253u /* "LKRS" */

/* vault.c: facts the engine and the persistence need (no codes). */
int lkr__vault_verified(const lkr_vault *v);
/* What a session's vault_digest holds (has_vault_digest; a blob byte). */
#define LKR__DIGEST_NONE 0
#define LKR__DIGEST_UNKEYED 1 /* SHA-256 of the codes: format 1 blobs only, replaced on attach */
#define LKR__DIGEST_KEYED 2   /* HMAC-SHA-256 under the vault's own key, of its identity and codes */
/* The keyed digest (the vault's key never leaves it but sealed). */
void lkr__vault_digest(const lkr_vault *v, uint8_t out[32]);
/* Binds an unbound vault to the lock of profile p (manufacturer, model,
 * serial): LKR_OK when it is bound to it now, LKR_E_STATE when it is bound
 * to another lock. */
lkr_status lkr__vault_bind(lkr_vault *v, const lkr_profile *p);
/* Whether v is bound to the lock of p and holds the backup whose digest of
 * kind `kind` (LKR__DIGEST_*) is `digest`. */
int lkr__vault_matches(const lkr_vault *v, const lkr_profile *p, uint32_t kind, const uint8_t digest[32]);
uint32_t lkr__vault_missing(const lkr_vault *v);
uint32_t lkr__vault_count(const lkr_vault *v);
/* Whether `text` contains any PIN the vault holds. */
int lkr__vault_contains_pin(const lkr_vault *v, const char *text);

/* persist_check.c: whether a parsed session keeps every rule of the states the
 * engine reaches (docs/PERSISTENCE.md lists them). */
int lkr__persist_valid(const lkr_session *s);

/* engine.c: a time as an offset from the session's start (saturating). */
uint32_t lkr__offset(const lkr_session *s, uint64_t now);
/* engine.c: the override tail: its size, and its placement after the struct. */
size_t lkr__tail_size(uint32_t priors, uint32_t likelihoods, int costs);
void lkr__place_tail(lkr_session *s, uint32_t priors, uint32_t likelihoods, int costs);

/* engine.c: the steps that fit the profile (protocol, ecosystems, bridge, keypad). */
void lkr__compute_fits(lkr_session *s);

/* engine.c: recomputes diagnosis and beliefs from validated facts and history. */
void lkr__rediagnose(lkr_session *s, lkr_diagnosis *d);

/* engine.c: whether the code backup is verified (the vault's word, bound to
 * the digest the session backed up). */
int lkr__backup_verified(const lkr_session *s);
int lkr__backup_offerable(const lkr_session *s);
/* The guards only a person can settle (lkr_session_confirm). */
#define LKR__GUARDS_CONFIRMABLE                                                                    \
    (LKR_GUARD_BIT(LKR_GUARD_ADMIN_CODE_RECORDED) | LKR_GUARD_BIT(LKR_GUARD_PHYSICAL_KEY) |        \
     LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN) | LKR_GUARD_BIT(LKR_GUARD_PHONE_IN_RANGE) |               \
     LKR_GUARD_BIT(LKR_GUARD_PREFLIGHT_OK))
/* A step is in hand: offered to its person, or blocked again since. */
int lkr__in_hand(const lkr_session *s);

/* guards.c: the mask of guards that hold for a step of tier `tier`; the _of
 * form computes only the guards in `want`. */
uint32_t lkr__guards_held(const lkr_session *s, uint32_t tier);
uint32_t lkr__guards_held_of(const lkr_session *s, uint32_t tier, uint32_t want);
/* guards.c: whether tier `tier` still has a step to offer. */
int lkr__tier_has_candidate(const lkr_session *s, uint32_t tier);
/* engine.c: whether a step is a candidate now, and its score. */
int lkr__candidate(const lkr_session *s, uint32_t step, double *score);
/* engine.c: the tiers of the session's ladder, in order; returns the count. */
uint32_t lkr__ladder_tiers(const lkr_session *s, const uint8_t **tiers);
/* Step-choice policies, for the benchmarks only (bench/): the library's own
 * adaptive choice, the seed documents' fixed order (catalog order within each
 * tier), and an oracle that knows the fault and tries only steps that fix it,
 * best P(fix)/cost first, in any tier. Guards, waits and verification are the
 * same for all three. */
/* The least P(fix) under the current beliefs for which a step is offered. */
#define LKR__MIN_FIX 0.02

#define LKR__POLICY_ADAPTIVE 0
#define LKR__POLICY_FIXED 1
#define LKR__POLICY_ORACLE 2
void lkr__session_set_policy(lkr_session *s, uint32_t policy, uint32_t cause);

/* engine.c: the code vault marks (or clears) a verified backup. */
void lkr__session_set_backup_verified(lkr_session *s, int verified);

#endif /* LKR_INTERNAL_H */
