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

/*
 * Copies a library-filled struct into the caller's: checks the caller's
 * struct_size (at least min, at most 64 KiB), copies what both know and zeroes
 * the caller's tail this library does not know. The caller's struct_size is
 * preserved. LKR_E_INVAL for NULL or a size out of range.
 */
lkr_status lkr__emit(void *out, const void *full, size_t full_size, size_t min);

/* Whether step (a valid id) applies to a valid profile; obs may be NULL. */
int lkr__step_applies(uint32_t step, const lkr_profile *p, const lkr_observations *obs);
/* Whether the observations say a firmware update was involved. */
int lkr__update_involved(const lkr_observations *obs);

/* The ids of the steps/causes... that exist, for range checks. */
int lkr__step_id_ok(uint32_t id);
int lkr__cause_id_ok(uint32_t id);

/* ---- model (model.c) ----------------------------------------------------- */

/* LKR_E_INVAL when valid observations contradict a valid profile. */
lkr_status lkr__consistent(const lkr_profile *p, const lkr_observations *o);

/* ---- classifier (classifier.c) ------------------------------------------ */

/* Posterior over causes (index 0 unused) for the evidence mask ev. */
void lkr__posterior(const lkr_profile *p, uint64_t ev, const lkr_overrides *ov,
                    double post[LKR__CAUSE_COUNT + 1]);

#endif /* LKR_INTERNAL_H */
