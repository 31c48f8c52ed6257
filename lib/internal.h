/*
 * Private declarations shared by the library's sources. Never installed.
 * Every non-static name here starts with lkr__ (two underscores) so the
 * symbols test can tell private from public at a glance. They are compiled
 * with hidden visibility (C_VISIBILITY_PRESET hidden), which keeps them out of
 * the shared library's dynamic symbol table; the version script only names
 * the public symbols' versions.
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
    /* Protocols on which the step erases the lock's codes although
     * `destroys` does not say so for every lock: on a Matter lock removing
     * the accessory (from the Matter controller or any ecosystem) removes a
     * fabric, and with it the credentials. On these protocols the step counts
     * as LKR_DESTROYS_CODES and needs LKR_GUARD_CODES_BACKED_UP. */
    uint8_t erases_on;
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
#define LKR__GUARD_COUNT 10u
#define LKR__EVIDENCE_COUNT 50u

extern const lkr__step_def lkr__steps[LKR__STEP_COUNT + 1];

/* How destructive a step is (catalog section 8), lowest first. */
#define LKR__CLASS_HARMLESS 1u /* keeps codes and pairing */
#define LKR__CLASS_RELINK 2u   /* keeps codes, renews a pairing or link */
#define LKR__CLASS_REPAIR 3u   /* re-pair or exclusion: may erase codes */
#define LKR__CLASS_RESET 4u    /* factory reset: erases every code */
typedef struct lkr__step_order {
    uint8_t cls;  /* LKR__CLASS_*, 0: derived from what the step destroys */
    uint8_t slow; /* costs wall-clock time, no risk: after the quick steps of its class */
} lkr__step_order;
extern const lkr__step_order lkr__step_orders[LKR__STEP_COUNT + 1];
extern const lkr__cause_def lkr__causes[LKR__CAUSE_COUNT + 1];
extern const lkr__symptom_def lkr__symptoms[LKR__SYMPTOM_COUNT];
extern const lkr__named lkr__tiers[LKR__TIER_COUNT + 1];
extern const lkr__named lkr__guards[LKR__GUARD_COUNT + 1];
extern const lkr__named lkr__evidence[LKR__EVIDENCE_COUNT + 1];
extern const lkr__likelihood_row lkr__likelihoods[];
/* Questions worth asking (catalog.c; chosen by voi.c): each answers one
 * yes/no fact, and says for each cause how likely a "yes" is. These rows are
 * the only likelihoods of the fact's two evidence kinds: the classifier
 * derives them (a "yes" multiplies cause c by P(yes | c) / base, a "no" by
 * P(no | c) / (1 - base)), so the engine's update on an answer is Bayes' rule
 * for exactly the answer model the simulator draws from. "Don't know" is
 * given with the same probability whatever the cause: it says nothing. */
typedef struct lkr__vq_row {
    uint8_t cause;
    uint16_t yes_permille; /* P(yes | cause) */
} lkr__vq_row;

typedef struct lkr__vquestion {
    uint8_t question;            /* an lkr_question */
    uint8_t protocols;           /* LKR_PROTOCOL_BIT mask it is asked on */
    uint8_t cost_min;            /* person-minutes to find the answer */
    uint8_t yes_evidence;        /* evidence a "yes" establishes */
    uint8_t no_evidence;         /* evidence a "no" establishes */
    uint8_t row_count;
    uint8_t no_repair_on_no;     /* a "no" rules out re-pairs (the hub is down) */
    uint8_t no_hands_over_on;    /* LKR_PROTOCOL_BIT mask: a "no" ends the ladder after the protocol path */
    uint16_t fact_at;            /* offsetof(lkr_observations, fact) */
    uint16_t fact_at_wifi;       /* the fact on a Wi-Fi lock (its bridge) */
    uint16_t base_yes_permille;  /* P(yes | a cause without a row) */
    uint16_t dont_know_permille; /* P(don't know), any cause */
    uint64_t settled_by;         /* steps (bits by id) that answer it once tried */
    const lkr__vq_row *rows;
    const char *sid;
    const char *sources;         /* the seed sentences behind the rows */
} lkr__vquestion;

/* The bit of a step id in a 64-bit mask; 0 for "no step". */
#define LKR__STEP_BIT(id) ((id) != 0 ? (uint64_t)1u << ((id) - 1u) : (uint64_t)0)

#define LKR__VQ_COUNT 3u
extern const lkr__vquestion lkr__vquestions[LKR__VQ_COUNT];
/* The question's row set, or NULL for a question without one. */
const lkr__vquestion *lkr__vq_of(uint32_t question);
/* P(yes | cause) in permille. */
uint32_t lkr__vq_yes_permille(const lkr__vquestion *q, uint32_t cause);
/* Where in lkr_observations the question's answer goes on a lock of this
 * protocol (a Wi-Fi lock's hub is its bridge). */
size_t lkr__vq_fact_at(const lkr__vquestion *q, uint32_t protocol);
/* Whether the facts behind the question's evidence are known already (on a
 * Wi-Fi lock a hub's and a bridge's state give the same evidence). */
int lkr__vq_known(const lkr__vquestion *q, const lkr_observations *o);
/* What an answer multiplies cause c's weight by (yes: 1, no: 0). */
double lkr__vq_ratio(const lkr__vquestion *q, uint32_t cause, int yes);

/* The steps of each tier, 0-terminated (index: tier id). */
extern const uint8_t *const lkr__tier_steps[LKR__TIER_COUNT + 1];
extern const size_t lkr__likelihood_count;

/* ---- helpers (util.c) --------------------------------------------------- */

/* Largest struct_size any function accepts (a sanity bound, far above any struct). */
#define LKR__STRUCT_SIZE_MAX 65536u


/* Copies src into dst (cap bytes), cut to fit, the rest of dst zeroed. */
void lkr__set_str(char *dst, size_t cap, const char *src);
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
/*
 * The counterpart of lkr__emit: copies a caller-filled struct into the
 * library's own copy `dst` (dst_size bytes, already holding the defaults: an
 * _init() result). Checks the caller's struct_size as lkr__check_size does,
 * reads only the caller's struct_size bytes (a 1.x library never reads past a
 * 1.0 caller's struct), leaves dst's defaults in what the caller's struct
 * lacks, and sets dst's struct_size to dst_size.
 */
lkr_status lkr__ingest(void *dst, size_t dst_size, const void *src, size_t min_size);

/* The sizes the structs had in 1.0: a caller's struct_size may not be smaller. */
#define LKR__END_OF(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define LKR__CONFIG_MIN_SIZE (offsetof(lkr_session_config, allocator) + sizeof(const lkr_allocator *))
#define LKR__TRANSPORT_MIN_SIZE LKR__END_OF(lkr_transport, unseal)
#define LKR__ALLOCATOR_MIN_SIZE LKR__END_OF(lkr_allocator, free)
#define LKR__PROFILE_MIN_SIZE LKR__END_OF(lkr_profile, purchase_date)
#define LKR__OBSERVATIONS_MIN_SIZE LKR__END_OF(lkr_observations, error_code)
#define LKR__OVERRIDES_MIN_SIZE (offsetof(lkr_overrides, disabled_steps) + sizeof(const uint32_t *))
#define LKR__PROBE_RESULT_MIN_SIZE LKR__END_OF(lkr_probe_result, error_code)
#define LKR__PREFLIGHT_MIN_SIZE LKR__END_OF(lkr_preflight_input, reserved_)

/* Whether step (a valid id) applies to a valid profile; obs may be NULL. */
/* The profile part of lkr__step_applies: protocol, ecosystems, bridge, keypad. */
int lkr__step_fits(uint32_t step, const lkr_profile *p);
int lkr__step_applies(uint32_t step, const lkr_profile *p, const lkr_observations *obs);
/* What a step may destroy, and the guards it needs, on a lock of this
 * protocol (the catalog's bits plus `erases_on`). */
uint32_t lkr__step_destroys(uint32_t step, uint32_t protocol);
uint32_t lkr__step_guards(uint32_t step, uint32_t protocol);
/* The step's destructiveness class on a lock of this protocol (LKR__CLASS_*),
 * and its rank in the least-destructive-first order: 2 x class, plus one for
 * a slow step (harmless quick 2 < harmless slow 3 < re-link 4 < re-pair 6 <
 * reset 8). */
uint32_t lkr__step_class(uint32_t step, uint32_t protocol);
uint32_t lkr__step_rank(uint32_t step, uint32_t protocol);
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
/* Firmware versions (the one place they are compared): the version now is
 * the target; the version now is still the one before an update that was
 * meant to change it. An empty version compares equal to nothing. */
int lkr__fw_at_target(const lkr_observations *o);
int lkr__fw_unchanged(const lkr_observations *o);
/* Fills d->causes / d->cause_count from a posterior (index 0 unused): most
 * probable first, ties by id, zero-probability causes left out. */
void lkr__rank_causes(const double p[LKR__CAUSE_COUNT + 1], lkr_diagnosis *d);

/* ---- simulator (simulator.c, sim_facts.c) --------------------------------- */

#define LKR__SIM_FW_BEFORE "1.4.2"
#define LKR__SIM_FW_TARGET "1.5.0"
/* Writes what cause c makes true on a lock of this protocol into o. */
void lkr__sim_cause_facts(uint32_t protocol, uint32_t c, lkr_observations *o);

/* ---- classifier (classifier.c) ------------------------------------------ */

/* The diagnosis and the posterior (index 0 unused) of inputs already
 * validated: what lkr_classify_ex computes, without its checks. */
void lkr__diagnose(const lkr_profile *profile, const lkr_observations *obs,
                   const lkr_overrides *overrides, lkr_diagnosis *out, double post[LKR__CAUSE_COUNT + 1]);

/* Posterior over causes (index 0 unused) for the evidence mask ev. */
void lkr__posterior(const lkr_profile *p, uint64_t ev, const lkr_overrides *ov,
                    double post[LKR__CAUSE_COUNT + 1]);

/* ---- guards (guards.c): a pure function of facts ------------------------ */

/* What the guards are judged on; the engine (select.c) fills it. */
typedef struct lkr__guard_facts {
    uint32_t confirmed;        /* guard bits a person confirmed */
    uint8_t no_key_cylinder;   /* the profile says the lock has no key */
    uint8_t backup_verified;   /* a verified code backup of this lock */
    uint8_t codes_noted;       /* the person noted every code and no code reader is attached */
    uint8_t trust_repair_keeps_codes; /* the profile's "re-pairs keep codes" may be believed */
    uint8_t phone_in_range;
    uint8_t transfer_settled;  /* no firmware transfer still running */
    uint8_t earlier_tiers_done; /* asked only when `want` has that guard */
} lkr__guard_facts;

/* The mask of the guards in `want` that hold on these facts. */
uint32_t lkr__guards_eval(const lkr__guard_facts *f, uint32_t want);

/* The guards only a person can settle (lkr_session_confirm). */
#define LKR__GUARDS_CONFIRMABLE                                                                    \
    (LKR_GUARD_BIT(LKR_GUARD_ADMIN_CODE_RECORDED) | LKR_GUARD_BIT(LKR_GUARD_PHYSICAL_KEY) |        \
     LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN) | LKR_GUARD_BIT(LKR_GUARD_PHONE_IN_RANGE) |               \
     LKR_GUARD_BIT(LKR_GUARD_PREFLIGHT_OK) | LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED))

/* The least P(fix) under the current beliefs for which a step is offered,
 * and for the factory reset: more likely than not to fix the lock. */
#define LKR__MIN_FIX 0.02
#define LKR__RESET_MIN_FIX 0.5

/* ---- vault facts (vault.c): what the engine and the persistence need (no codes) ---- */

int lkr__vault_verified(const lkr_vault *v);
/* The vault holds the host's records of codes (lkr_vault_record), not a
 * verified backup: codes the lock was never read for. */
int lkr__vault_records(const lkr_vault *v);
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
uint32_t lkr__vault_count(const lkr_vault *v);
/* LKR_OK when a verified vault holds exactly the codes the lock holds now
 * (one read): a backup made elsewhere may then stand for this lock's. */
lkr_status lkr__vault_matches_lock(lkr_vault *v, const lkr_transport *t);
/* What the last read of the lock showed: the codes it lists, and how many
 * of them no one here holds a PIN for (a lock whose PINs cannot be read back
 * and that the host never recorded). 0 when the lock was never read. */
int lkr__vault_lock_facts(const lkr_vault *v, uint32_t *on_lock, uint32_t *unknown);
/* Whether `text` contains any PIN the vault holds. */
int lkr__vault_contains_pin(const lkr_vault *v, const char *text);

/* ---- test and benchmark seams (lib/hooks/hooks.c, linked into tests and
 * benchmarks only: a host's library has neither function) ----------------- */

/* Step-choice policies for the benchmarks: the library's own adaptive
 * choice, the seed documents' fixed order (catalog order within each tier),
 * and an oracle that knows the fault and tries only steps that fix it, best
 * P(fix)/cost first, in any tier. Guards, waits and verification are the same
 * for all three. */
#define LKR__POLICY_ADAPTIVE 0
#define LKR__POLICY_FIXED 1
#define LKR__POLICY_ORACLE 2
#define LKR__POLICY_NO_QUESTIONS 3 /* the library without its questions worth asking */
void lkr__session_set_policy(lkr_session *s, uint32_t policy, uint32_t cause);
/* Tests: the code backup counts as verified without a vault. */
void lkr__session_set_backup_verified(lkr_session *s, int verified);

#endif /* LKR_INTERNAL_H */
