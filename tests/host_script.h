/*
 * A scripted host for the engine's suites: a fake clock, a transport whose
 * callbacks are optional and scripted, counters of every call, a log that
 * keeps its lines, a counting allocator, and a driver that walks a session
 * to its end while checking the engine's invariants on every action.
 *
 * Header only (the build makes one executable per tests/suite_*.c): every
 * function is static inline so a suite that does not use one is not warned.
 *
 * The driver's model of the fault: the lock has one root cause `fault`; a
 * step fixes it iff the step's catalog `fixes` list holds that cause with a
 * likelihood of at least 500 permille. A person who performs (or a host whose
 * run_step performs) such a step repairs the lock; the probe then finds it
 * reachable, and a person asked to verify says it works.
 */
#ifndef LKR_TESTS_HOST_SCRIPT_H
#define LKR_TESTS_HOST_SCRIPT_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockrecover/lockrecover.h"
#include "internal.h"

#define HS_STEPS 64u         /* > LKR_STEP_CODE_COLD_WEATHER */
#define HS_LOG_LINES 64u
#define HS_LOG_LEN 200u
#define HS_TRACE_MAX 600u
#define HS_RUN_LOG 128u
#define HS_ALLOCS 8u

/* Transport features (hs_transport()). */
#define HS_F_PROBE 0x01u
#define HS_F_RUN 0x02u
#define HS_F_PROMPT 0x04u
#define HS_F_LOG 0x08u
#define HS_F_ALL (HS_F_PROBE | HS_F_RUN | HS_F_PROMPT | HS_F_LOG)
#define HS_F_PERSON (HS_F_PROMPT | HS_F_LOG) /* no probe, no run_step: a person does it all */

/* What the probe says about reachability. */
#define HS_REACH_AUTO 0    /* LKR_YES once the fault is fixed, else LKR_NO */
#define HS_REACH_YES 1
#define HS_REACH_NO 2
#define HS_REACH_UNKNOWN 3

/* Trace record kind for a run_step call seen during lkr_session_next(). */
#define HS_KIND_RUN 100u

typedef struct hs_host {
    /* clock */
    uint64_t now;
    unsigned n_now;
    /* probe */
    lkr_status probe_status;  /* what probe returns (LKR_OK, LKR_PENDING, an error, junk) */
    int probe_reach;          /* HS_REACH_* */
    char probe_fw[LKR_VERSION_TEXT_MAX];
    char probe_error[LKR_VERSION_TEXT_MAX];
    int32_t probe_battery;
    uint8_t probe_keypad;
    unsigned n_probe;
    /* run_step */
    lkr_status run_default;
    lkr_status run_for[HS_STEPS];
    uint8_t run_set[HS_STEPS];
    unsigned n_run;
    uint32_t run_log[HS_RUN_LOG];
    lkr_status run_log_status[HS_RUN_LOG];
    /* the fault */
    uint32_t fault;
    int fixed;
    int backup_verified;
    /* prompt */
    int has_prompt;
    unsigned n_prompt;
    lkr_action last_prompt;
    /* log */
    unsigned n_log, n_warn;
    char log[HS_LOG_LINES][HS_LOG_LEN];
    uint32_t log_level[HS_LOG_LINES];
    /* allocator */
    lkr_allocator allocator;
    unsigned n_alloc, n_free, n_free_bad;
    size_t live;
    int fail_alloc;
    void *blocks[HS_ALLOCS];
    size_t block_size[HS_ALLOCS];
} hs_host;

/* ---- catalog helpers ------------------------------------------------------ */

static inline lkr_step_info hs_step(uint32_t id)
{
    lkr_step_info s = LKR_STEP_INFO_INIT;
    ck_assert_int_eq(lkr_step_get(id, &s), LKR_OK);
    return s;
}

static inline uint32_t hs_fix_permille(uint32_t step, uint32_t cause)
{
    lkr_step_info s = hs_step(step);
    uint32_t i;
    for (i = 0; i < s.fix_count; i++)
        if (s.fixes[i].cause == cause) return s.fixes[i].permille;
    return 0;
}

/* The driver's fault model: the step fixes the fault iff permille >= 500. */
static inline int hs_step_fixes(uint32_t step, uint32_t cause)
{
    return cause != 0 && hs_fix_permille(step, cause) >= 500;
}

/* Position of a tier on its ladder (the code tier sits where repair does). */
static inline int hs_tier_rank(uint32_t tier)
{
    switch (tier) {
    case LKR_TIER_TRIAGE: return 1;
    case LKR_TIER_UNIVERSAL: return 2;
    case LKR_TIER_PROTOCOL: return 3;
    case LKR_TIER_ECOSYSTEM: return 4;
    case LKR_TIER_REPAIR: return 5;
    case LKR_TIER_CODE: return 5;
    case LKR_TIER_RESET: return 6;
    case LKR_TIER_SUPPORT: return 7;
    default: return 0;
    }
}

/* lkr_step_applies() for the lock @p p with what is known in @p o (may be NULL). */
static inline int hs_step_applies(const lkr_profile *p, const lkr_observations *o, uint32_t step)
{
    int applies = -1;
    ck_assert_int_eq(lkr_step_applies(step, p, o, &applies), LKR_OK);
    return applies;
}

/* ---- transport callbacks -------------------------------------------------- */

static inline uint64_t hs_now_cb(void *ctx)
{
    hs_host *h = (hs_host *)ctx;
    h->n_now++;
    return h->now;
}

static inline void hs_fill_probe(const hs_host *h, lkr_probe_result *out)
{
    int reach = h->probe_reach;
    if (reach == HS_REACH_AUTO) reach = h->fixed ? HS_REACH_YES : HS_REACH_NO;
    out->reachable = reach == HS_REACH_YES ? LKR_YES : reach == HS_REACH_NO ? LKR_NO : LKR_UNKNOWN;
    out->keypad_lights = h->probe_keypad;
    out->battery_pct = h->probe_battery;
    memcpy(out->fw_version, h->probe_fw, sizeof(out->fw_version));
    memcpy(out->error_code, h->probe_error, sizeof(out->error_code));
}

static inline lkr_status hs_probe_cb(void *ctx, lkr_probe_result *out)
{
    hs_host *h = (hs_host *)ctx;
    h->n_probe++;
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_ge(out->struct_size, sizeof(lkr_probe_result));
    if (h->probe_status == LKR_OK) hs_fill_probe(h, out);
    return h->probe_status;
}

static inline lkr_status hs_run_cb(void *ctx, uint32_t step)
{
    hs_host *h = (hs_host *)ctx;
    lkr_status st;
    ck_assert(step >= 1 && step < HS_STEPS);
    /* Only automatable steps reach run_step (rule 8). */
    ck_assert(hs_step(step).flags & LKR_STEP_F_AUTOMATABLE);
    st = h->run_set[step] ? h->run_for[step] : h->run_default;
    if (h->n_run < HS_RUN_LOG) {
        h->run_log[h->n_run] = step;
        h->run_log_status[h->n_run] = st;
    }
    h->n_run++;
    if (st == LKR_OK && hs_step_fixes(step, h->fault)) h->fixed = 1;
    return st;
}

static inline void hs_prompt_cb(void *ctx, const struct lkr_action *a)
{
    hs_host *h = (hs_host *)ctx;
    ck_assert_ptr_nonnull(a);
    h->n_prompt++;
    h->last_prompt = *a;
}

static inline void hs_log_cb(void *ctx, uint32_t level, const char *msg)
{
    hs_host *h = (hs_host *)ctx;
    ck_assert_ptr_nonnull(msg);
    ck_assert(level >= LKR_LOG_DEBUG && level <= LKR_LOG_WARN);
    if (h->n_log < HS_LOG_LINES) {
        snprintf(h->log[h->n_log], HS_LOG_LEN, "%s", msg);
        h->log_level[h->n_log] = level;
    }
    h->n_log++;
    if (level == LKR_LOG_WARN) h->n_warn++;
}

/* ---- counting allocator --------------------------------------------------- */

static inline void *hs_alloc_cb(void *ctx, size_t size)
{
    hs_host *h = (hs_host *)ctx;
    void *p;
    unsigned i;
    if (h->fail_alloc) return NULL;
    p = malloc(size ? size : 1);
    if (p == NULL) return NULL;
    h->n_alloc++;
    h->live += size;
    for (i = 0; i < HS_ALLOCS; i++) {
        if (h->blocks[i] == NULL) {
            h->blocks[i] = p;
            h->block_size[i] = size;
            break;
        }
    }
    return p;
}

static inline void hs_free_cb(void *ctx, void *ptr, size_t size)
{
    hs_host *h = (hs_host *)ctx;
    unsigned i;
    int found = 0;
    if (ptr == NULL) return;
    for (i = 0; i < HS_ALLOCS; i++) {
        if (h->blocks[i] == ptr) {
            if (h->block_size[i] != size) h->n_free_bad++;
            h->blocks[i] = NULL;
            found = 1;
            break;
        }
    }
    if (!found) h->n_free_bad++;
    h->n_free++;
    h->live -= size;
    free(ptr);
}

/* ---- setup ---------------------------------------------------------------- */

static inline void hs_host_init(hs_host *h, uint32_t fault)
{
    memset(h, 0, sizeof(*h));
    h->now = 1000000u; /* an arbitrary, non-zero start */
    h->probe_status = LKR_OK;
    h->probe_reach = HS_REACH_AUTO;
    h->probe_battery = LKR_NUM_UNKNOWN;
    h->run_default = LKR_OK;
    h->fault = fault;
    h->allocator.struct_size = (uint32_t)sizeof(lkr_allocator);
    h->allocator.ctx = h;
    h->allocator.alloc = hs_alloc_cb;
    h->allocator.free = hs_free_cb;
}

static inline void hs_set_run(hs_host *h, uint32_t step, lkr_status st)
{
    ck_assert(step < HS_STEPS);
    h->run_for[step] = st;
    h->run_set[step] = 1;
}

static inline void hs_transport(hs_host *h, lkr_transport *t, unsigned features)
{
    lkr_transport_init(t);
    ck_assert_uint_eq(t->struct_size, sizeof(lkr_transport));
    ck_assert(t->now_ms == NULL && t->probe == NULL && t->run_step == NULL);
    t->ctx = h;
    t->now_ms = hs_now_cb;
    if (features & HS_F_PROBE) t->probe = hs_probe_cb;
    if (features & HS_F_RUN) t->run_step = hs_run_cb;
    if (features & HS_F_PROMPT) t->prompt = hs_prompt_cb;
    h->has_prompt = (features & HS_F_PROMPT) != 0;
    if (features & HS_F_LOG) t->log = hs_log_cb;
}

/* A profile with everything a recovery may need: keypad, key cylinder,
 * alkaline cells; re-pairing keeps codes unless the test says otherwise. */
static inline lkr_profile hs_profile(uint32_t protocol, uint32_t ecosystems, uint8_t has_bridge)
{
    lkr_profile p;
    lkr_profile_init(&p);
    p.protocol = protocol;
    p.ecosystems = ecosystems;
    p.has_bridge = has_bridge;
    p.has_keypad = LKR_YES;
    p.has_key_cylinder = LKR_YES;
    p.battery_chemistry = LKR_CHEMISTRY_ALKALINE;
    p.battery_cells = 4;
    p.repair_erases_codes = LKR_UNKNOWN;
    snprintf(p.manufacturer, sizeof(p.manufacturer), "%s", "TestLock");
    snprintf(p.model, sizeof(p.model), "%s", "Model T");
    snprintf(p.serial, sizeof(p.serial), "%s", "SN-0001");
    return p;
}

static inline lkr_observations hs_obs(void)
{
    lkr_observations o;
    lkr_observations_init(&o);
    return o;
}

/* The factory reset is offered only when the beliefs make a cause it fixes
 * more likely than not. The tests that walk a lock nothing fixes up to the
 * reset use a vendor whose faults on record are only those the reset fixes
 * at least half the time (every other cause's prior is zero): the beliefs
 * then stay on them. */
typedef struct hs_reset_vendor {
    lkr_weight priors[64];
    lkr_overrides ov;
} hs_reset_vendor;

static inline const lkr_overrides *hs_reset_reachable(hs_reset_vendor *v)
{
    lkr_step_info reset = hs_step(LKR_STEP_RESET_FACTORY_RESET);
    uint32_t c, k, n = 0;
    for (c = 1; c <= lkr_cause_count(); c++) {
        int fixed = 0;
        for (k = 0; k < reset.fix_count; k++) fixed |= reset.fixes[k].cause == c && reset.fixes[k].permille >= 500;
        if (!fixed) {
            v->priors[n].id = c;
            v->priors[n].value = 0;
            n++;
        }
    }
    memset(&v->ov, 0, sizeof(v->ov));
    v->ov.struct_size = (uint32_t)sizeof(v->ov);
    v->ov.prior_count = n;
    v->ov.priors = v->priors;
    return &v->ov;
}

/* Creates a session through the counting allocator of @p h. */
static inline lkr_session *hs_new(hs_host *h, const lkr_profile *p, const lkr_observations *o,
                                  const lkr_overrides *ov, unsigned features)
{
    lkr_session_config cfg;
    lkr_transport t;
    lkr_session *s = NULL;
    lkr_status st;
    lkr_session_config_init(&cfg);
    cfg.profile = p;
    cfg.observations = o;
    cfg.overrides = ov;
    cfg.allocator = &h->allocator;
    hs_transport(h, &t, features);
    st = lkr_session_new(&cfg, &t, &s);
    ck_assert_msg(st == LKR_OK, "lkr_session_new: %s", lkr_status_name(st));
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(h->n_alloc, 1);
    return s;
}

static inline void hs_free(hs_host *h, lkr_session *s)
{
    lkr_session_free(s);
    ck_assert_uint_eq(h->n_alloc, h->n_free);
    ck_assert_uint_eq(h->live, 0);
    ck_assert_uint_eq(h->n_free_bad, 0);
}

static inline lkr_session_info hs_status(const lkr_session *s)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    ck_assert_int_eq(lkr_session_status(s, &info), LKR_OK);
    return info;
}

static inline lkr_diagnosis hs_beliefs(const lkr_session *s)
{
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    ck_assert_int_eq(lkr_session_beliefs(s, &d), LKR_OK);
    return d;
}

static inline double hs_belief(const lkr_diagnosis *d, uint32_t cause)
{
    uint32_t i;
    for (i = 0; i < d->cause_count && i < LKR_DIAGNOSIS_MAX_CAUSES; i++)
        if (d->causes[i].cause == cause) return d->causes[i].p;
    return 0.0;
}

static inline lkr_history_entry hs_history(const lkr_session *s, uint32_t i)
{
    lkr_history_entry e = LKR_HISTORY_ENTRY_INIT;
    ck_assert_int_eq(lkr_session_history(s, i, &e), LKR_OK);
    return e;
}

/* Index of the first history entry of @p step, or -1. */
static inline int hs_history_find(const lkr_session *s, uint32_t step)
{
    lkr_session_info info = hs_status(s);
    uint32_t i;
    for (i = 0; i < info.history_count; i++)
        if (hs_history(s, i).step == step) return (int)i;
    return -1;
}

static inline lkr_action hs_next(lkr_session *s)
{
    lkr_action a = LKR_ACTION_INIT;
    lkr_status st = lkr_session_next(s, &a);
    ck_assert_msg(st == LKR_OK, "lkr_session_next: %s", lkr_status_name(st));
    ck_assert_uint_eq(a.struct_size, sizeof(lkr_action));
    return a;
}

static inline void hs_backup(lkr_session *s, hs_host *h)
{
    lkr__session_set_backup_verified(s, 1);
    h->backup_verified = 1;
}

/* ---- the driver ------------------------------------------------------------ */

typedef struct hs_policy {
    const lkr_profile *profile;       /* required: the session's profile */
    const lkr_observations *obs;      /* the session's initial observations (NULL: none) */
    const lkr_observations *answers;  /* answers to questions; NULL: "don't know" */
    uint32_t confirm_mask;            /* guards the person confirms when blocked */
    int backup_ok;                    /* the vault verifies a backup when one is needed */
    int truthful;                     /* end each step with FIXED / NOT_FIXED instead of DONE */
    int claims_fixed;                 /* always report FIXED (a person who is wrong) */
    int early_ticks;                  /* tick and re-ask before every wait ends */
    int no_waive;                     /* stop (not waive) when a block cannot be lifted */
    uint32_t stop_at_blocked;         /* stop when this step is BLOCKED */
    uint32_t stop_at_step;            /* stop when this step is offered to a person/host */
    int stop_on_run;                  /* stop after the first next() that called run_step */
    uint32_t host_outcome;            /* what a pending HOST_STEP reports (0: DONE) */
    uint32_t outcome_for[HS_STEPS];   /* scripted person outcome for a step (0: the default) */
    uint32_t update_over;             /* the update question asked again after the triage steps:
                                         the answer (0: as `answers`, "don't know" without) */
} hs_policy;

typedef struct hs_rec {
    uint32_t kind, state, step, tier, phase, question, unmet, detail, wait_s;
    uint64_t at, until;
} hs_rec;

typedef struct hs_trace {
    unsigned n;
    hs_rec rec[HS_TRACE_MAX];
    lkr_action last;        /* the last action returned */
    int final;              /* the session ended */
    unsigned n_asks, n_steps, n_waits, n_blocked, n_verify, n_runs;
    uint32_t asked[16];
    uint32_t worth_asked; /* bit per question worth asking put */
    /* invariant state */
    int first_rank, max_rank, revisit, revisit_rank, seen_stalled, seen_active;
    uint32_t offered[HS_STEPS];
    uint32_t last_offer_step;
    int last_offer_host;
} hs_trace;

static inline void hs_policy_init(hs_policy *p, const lkr_profile *profile)
{
    memset(p, 0, sizeof(*p));
    p->profile = profile;
    p->confirm_mask = LKR_GUARD_BIT(LKR_GUARD_ADMIN_CODE_RECORDED) |
                      LKR_GUARD_BIT(LKR_GUARD_PHYSICAL_KEY) | LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN) |
                      LKR_GUARD_BIT(LKR_GUARD_PHONE_IN_RANGE) |
                      LKR_GUARD_BIT(LKR_GUARD_PREFLIGHT_OK);
    p->backup_ok = 1;
}

static inline void hs_record(hs_trace *t, const lkr_action *a, uint32_t kind, uint32_t step,
                             uint64_t at)
{
    if (t->n < HS_TRACE_MAX) {
        hs_rec *r = &t->rec[t->n];
        r->kind = kind;
        r->state = a ? a->state : 0;
        r->step = step;
        r->tier = a ? a->tier : hs_step(step).tier;
        r->phase = a ? a->phase : 0;
        r->question = a ? a->question : 0;
        r->unmet = a ? a->unmet_guards : 0;
        r->detail = a ? a->detail : 0;
        r->wait_s = a ? a->wait_s : 0;
        r->at = at;
        r->until = a ? a->wait_until_ms : 0;
    }
    t->n++;
}

/* Index of the first trace record offering @p step (PERSON/HOST/run), or -1. */
static inline int hs_trace_find(const hs_trace *t, uint32_t step)
{
    unsigned i;
    for (i = 0; i < t->n && i < HS_TRACE_MAX; i++) {
        const hs_rec *r = &t->rec[i];
        if (r->step == step && (r->kind == LKR_ACTION_PERSON_STEP ||
                                r->kind == LKR_ACTION_HOST_STEP || r->kind == HS_KIND_RUN))
            return (int)i;
    }
    return -1;
}

/* The first step offered (to a person or a host), or 0. */
static inline uint32_t hs_trace_first_step(const hs_trace *t)
{
    unsigned i;
    for (i = 0; i < t->n && i < HS_TRACE_MAX; i++) {
        const hs_rec *r = &t->rec[i];
        if (r->kind == LKR_ACTION_PERSON_STEP || r->kind == LKR_ACTION_HOST_STEP ||
            r->kind == HS_KIND_RUN || r->kind == LKR_ACTION_BLOCKED)
            return r->step;
    }
    return 0;
}

static inline uint32_t hs_expected_state(uint32_t kind)
{
    switch (kind) {
    case LKR_ACTION_ASK: return LKR_STATE_TRIAGE;
    case LKR_ACTION_PERSON_STEP: return LKR_STATE_AWAITING_PERSON;
    case LKR_ACTION_HOST_STEP: return LKR_STATE_AWAITING_TRANSPORT;
    case LKR_ACTION_WAIT: return LKR_STATE_WAITING;
    case LKR_ACTION_VERIFY: return LKR_STATE_VERIFYING;
    case LKR_ACTION_BLOCKED: return LKR_STATE_BLOCKED;
    case LKR_ACTION_RECOVERED: return LKR_STATE_RECOVERED;
    case LKR_ACTION_NEEDS_SUPPORT: return LKR_STATE_NEEDS_SUPPORT;
    case LKR_ACTION_ABORTED: return LKR_STATE_ABORTED;
    default: return 0;
    }
}

/* Tier order (rules 1 and 6): forwards, except revisits of earlier tiers
 * before the reset tier (a tier skipped by the entry point, or passed while a
 * step there was not yet indicated); never back once the reset tier was
 * reached. The re-pair backup offered for a blocked step (rule 5's exception)
 * is exempt. */
static inline void hs_check_tier(hs_trace *t, uint32_t tier, uint32_t step)
{
    int r = hs_tier_rank(tier);
    if (step == LKR_STEP_REPAIR_BACKUP_CODES || r == 0) return;
    if (tier == LKR_TIER_TRIAGE)
        ck_assert_msg(t->seen_stalled || t->seen_active,
                      "triage step %u without a running or stalled update", step);
    if (t->first_rank == 0) {
        t->first_rank = t->max_rank = r;
        return;
    }
    if (r < t->max_rank) {
        ck_assert_msg(t->max_rank < 6,
                      "tier order broken: tier %u (step %u) after rank %d (entry rank %d)", tier,
                      step, t->max_rank, t->first_rank);
        t->revisit = 1;
        t->revisit_rank = r;
        return;
    }
    if (r >= 6) t->revisit = 0;
    t->max_rank = r;
}

/* Every tier of the ladder before @p tier is in tiers_done (TRIAGE aside). */
static inline int hs_earlier_tiers_done(const lkr_session_info *info, uint32_t tier)
{
    static const uint32_t conn[] = {LKR_TIER_UNIVERSAL, LKR_TIER_PROTOCOL, LKR_TIER_ECOSYSTEM,
                                    LKR_TIER_REPAIR, LKR_TIER_RESET};
    static const uint32_t code[] = {LKR_TIER_CODE, LKR_TIER_RESET};
    const uint32_t *l = info->ladder == LKR_LADDER_CODE ? code : conn;
    unsigned n = info->ladder == LKR_LADDER_CODE ? 2u : 5u, i;
    for (i = 0; i < n && l[i] != tier; i++)
        if (!(info->tiers_done & (1u << l[i]))) return 0;
    return 1;
}

/* What the session knows of the update: the initial facts plus the answers. */
static inline lkr_observations hs_known(const hs_policy *p)
{
    lkr_observations o;
    lkr_observations_init(&o);
    if (p->obs != NULL) o.update_state = p->obs->update_state;
    if (o.update_state == LKR_UPDATE_UNKNOWN && p->answers != NULL)
        o.update_state = p->answers->update_state;
    return o;
}

/* A step offered to a person or run by the host: it applies to this lock,
 * it is offered once, and its guards held (rules 3 and 5). */
static inline void hs_check_offer(hs_trace *t, const hs_policy *p, uint32_t step, int by_host,
                                  uint32_t tier, const lkr_session_info *before)
{
    lkr_step_info si = hs_step(step);
    uint32_t need = si.guards & ~LKR_GUARD_BIT(LKR_GUARD_EARLIER_TIERS_DONE);
    lkr_observations known = hs_known(p);
    ck_assert(step >= 1 && step < HS_STEPS);
    ck_assert_msg(hs_step_applies(p->profile, &known, step), "step %s does not apply to this lock",
                  si.sid);
    if (si.flags & LKR_STEP_F_NEEDS_KEYPAD) ck_assert(p->profile->has_keypad != LKR_NO);
    ck_assert_msg(!(si.flags & LKR_STEP_F_TERMINAL), "terminal step %s offered", si.sid);
    /* A follow-up's own guards are checked by a dedicated test
     * (followup_needs_its_guards in suite_engine.c), not on every path. */
    if (!(si.flags & LKR_STEP_F_FOLLOWUP_ONLY))
        ck_assert_msg((before->guards_held & need) == need,
                      "step %s offered with guards 0x%x held, needs 0x%x", si.sid,
                      before->guards_held, si.guards);
    if (si.guards & LKR_GUARD_BIT(LKR_GUARD_EARLIER_TIERS_DONE))
        ck_assert_msg(hs_earlier_tiers_done(before, si.tier),
                      "step %s offered before the earlier tiers were done", si.sid);
    if (si.destroys & LKR_DESTROYS_CODES)
        ck_assert_msg((before->guards_held & si.guards) == si.guards,
                      "destructive %s offered without every guard", si.sid);
    if (t->offered[step])
        ck_assert_msg(t->last_offer_step == step && t->last_offer_host && !by_host,
                      "step %s offered twice", si.sid);
    if (!by_host && step != LKR_STEP_REPAIR_BACKUP_CODES && tier != 0 &&
        !(si.flags & LKR_STEP_F_FOLLOWUP_ONLY))
        ck_assert_uint_eq(si.tier, tier);
    t->offered[step]++;
    t->last_offer_step = step;
    t->last_offer_host = by_host;
    t->n_steps++;
    hs_check_tier(t, si.tier, step);
}

static inline int hs_same_action(const lkr_action *a, const lkr_action *b)
{
    return a->kind == b->kind && a->state == b->state && a->step == b->step &&
           a->tier == b->tier && a->phase == b->phase && a->question == b->question &&
           a->unmet_guards == b->unmet_guards && a->detail == b->detail &&
           a->wait_until_ms == b->wait_until_ms && a->wait_s == b->wait_s;
}

static inline int hs_promptable(const lkr_action *a)
{
    return a->kind == LKR_ACTION_ASK || a->kind == LKR_ACTION_PERSON_STEP ||
           a->kind == LKR_ACTION_BLOCKED ||
           (a->kind == LKR_ACTION_VERIFY && a->phase == LKR_PHASE_ASK_PERSON);
}

static inline int32_t hs_answer_for(const hs_policy *p, uint32_t q)
{
    const lkr_observations *o = p->answers;
    if (o == NULL) return q == LKR_QUESTION_UPDATE_STALLED_MIN ? LKR_NUM_UNKNOWN : LKR_UNKNOWN;
    switch (q) {
    case LKR_QUESTION_UPDATE_STATE: return o->update_state;
    case LKR_QUESTION_UPDATE_STALLED_MIN: return o->update_stalled_min;
    case LKR_QUESTION_KEYPAD_LIGHTS: return o->keypad_lights;
    case LKR_QUESTION_APP_STATUS: return o->app_status;
    case LKR_QUESTION_CODES_STATE: return o->codes_state;
    case LKR_QUESTION_LOCAL_CONTROL: return o->local_control_works;
    case LKR_QUESTION_SECOND_PHONE: return o->second_phone_connects;
    case LKR_QUESTION_HUB_DEVICES: return o->hub_online != LKR_UNKNOWN ? o->hub_online : o->bridge_online;
    case LKR_QUESTION_UPDATE_PENDING: return o->software_outdated;
    default: return LKR_UNKNOWN;
    }
}

/* A question worth asking (docs/ENGINE.md): asked for its value, at any
 * point of the connection ladder, never twice. */
static inline int hs_worth_asking(uint32_t q)
{
    return q == LKR_QUESTION_SECOND_PHONE || q == LKR_QUESTION_HUB_DEVICES || q == LKR_QUESTION_UPDATE_PENDING;
}

/* What a person reports for the part of @p step that @p phase names. */
static inline uint32_t hs_person_outcome(hs_host *h, const hs_policy *p, uint32_t step,
                                         uint32_t phase)
{
    int fixes = hs_step_fixes(step, h->fault);
    lkr_step_info si = hs_step(step);
    if (step < HS_STEPS && p->outcome_for[step] != 0) {
        uint32_t o = p->outcome_for[step];
        if (fixes && (o == LKR_OUTCOME_DONE || o == LKR_OUTCOME_FIXED)) h->fixed = 1;
        return o;
    }
    if (fixes) h->fixed = 1;
    if (p->claims_fixed) return LKR_OUTCOME_FIXED;
    if (!p->truthful) return LKR_OUTCOME_DONE;
    if (phase == LKR_PHASE_PERFORM && si.wait_s > 0) return LKR_OUTCOME_DONE;
    return h->fixed ? LKR_OUTCOME_FIXED : LKR_OUTCOME_NOT_FIXED;
}

/* Lifts what the person or the vault can of a block; 1 if anything changed. */
static inline int hs_unblock(lkr_session *s, hs_host *h, const hs_policy *p, const lkr_action *a)
{
    uint32_t g;
    int acted = 0;
    for (g = 1; g <= LKR_GUARD_PREFLIGHT_OK; g++) {
        if (!(a->unmet_guards & LKR_GUARD_BIT(g))) continue;
        if ((g == LKR_GUARD_ADMIN_CODE_RECORDED || g == LKR_GUARD_PHYSICAL_KEY ||
             g == LKR_GUARD_DOOR_OPEN || g == LKR_GUARD_PHONE_IN_RANGE ||
             g == LKR_GUARD_PREFLIGHT_OK) &&
            (p->confirm_mask & LKR_GUARD_BIT(g))) {
            lkr_status st = lkr_session_confirm(s, g, 1);
            if (g == LKR_GUARD_PHYSICAL_KEY && p->profile->has_key_cylinder == LKR_NO) {
                ck_assert_int_eq(st, LKR_E_UNSUPPORTED);
            } else {
                ck_assert_int_eq(st, LKR_OK);
                acted = 1;
            }
        }
        if ((g == LKR_GUARD_CODES_BACKED_UP || g == LKR_GUARD_REPAIR_CODES_SAFE) && p->backup_ok &&
            !h->backup_verified) {
            hs_backup(s, h);
            acted = 1;
        }
    }
    return acted;
}

/*
 * Drives @p s until a final action, a stop condition of @p p, or @p max
 * actions. Returns the kind of the last action (final or not). Checks on
 * every action: the kind/state pairing, idempotent next(), the prompt count,
 * protocol scoping, tier order, guards, exact waits, no allocation.
 */
static inline uint32_t hs_drive(lkr_session *s, hs_host *h, const hs_policy *p, hs_trace *t,
                                unsigned max)
{
    unsigned i, allocs = h->n_alloc, frees = h->n_free;
    int stop = 0;
    ck_assert_ptr_nonnull(p->profile);
    for (i = 0; i < max; i++) {
        lkr_session_info before = hs_status(s), after;
        unsigned runs = h->n_run, probes = h->n_probe, prompts = h->n_prompt, r;
        lkr_action a, again, prompted = h->last_prompt;
        uint64_t at = h->now;
        lkr_step_info si;
        if (before.triage & LKR_TRIAGE_UPDATE_STALLED) t->seen_stalled = 1;
        if (before.triage & LKR_TRIAGE_UPDATE_ACTIVE) t->seen_active = 1;

        a = hs_next(s);
        t->last = a;
        ck_assert_msg(a.kind >= LKR_ACTION_ASK && a.kind <= LKR_ACTION_ABORTED, "kind %u",
                      a.kind);
        ck_assert_uint_eq(a.state, hs_expected_state(a.kind));
        after = hs_status(s);
        ck_assert_uint_eq(after.state, a.state);
        if (after.triage & LKR_TRIAGE_UPDATE_STALLED) t->seen_stalled = 1;
        if (after.triage & LKR_TRIAGE_UPDATE_ACTIVE) t->seen_active = 1;

        /* Steps the host ran during this call. */
        for (r = runs; r < h->n_run && r < HS_RUN_LOG; r++) {
            hs_check_offer(t, p, h->run_log[r], 1, 0, &before);
            hs_record(t, NULL, HS_KIND_RUN, h->run_log[r], at);
            t->n_runs++;
            if (h->run_log[r] == LKR_STEP_REPAIR_BACKUP_CODES && h->run_log_status[r] == LKR_OK &&
                p->backup_ok && !h->backup_verified)
                hs_backup(s, h);
        }
        hs_record(t, &a, a.kind, a.step, at);

        /* The prompt: once per new action a person must act on, not again
         * for the same one (rule 17). */
        if (h->has_prompt && hs_promptable(&a)) {
            int same = prompted.kind == a.kind && prompted.step == a.step &&
                       prompted.phase == a.phase && prompted.question == a.question;
            ck_assert_msg(h->n_prompt == prompts + 1 || (same && h->n_prompt == prompts),
                          "prompt called %u times for a new action kind %u step %u",
                          h->n_prompt - prompts, a.kind, a.step);
            if (h->n_prompt == prompts + 1) {
                ck_assert_uint_eq(h->last_prompt.kind, a.kind);
                ck_assert_uint_eq(h->last_prompt.step, a.step);
            }
        }

        /* next() again: the same action, no callback repeated. */
        runs = h->n_run;
        probes = h->n_probe;
        prompts = h->n_prompt;
        again = hs_next(s);
        ck_assert_msg(hs_same_action(&a, &again), "next() twice differs (kind %u/%u)", a.kind,
                      again.kind);
        ck_assert_uint_eq(h->n_run, runs);
        ck_assert_uint_eq(h->n_probe, probes);
        ck_assert_uint_eq(h->n_prompt, prompts);

        if (lkr_action_is_final(&a)) {
            ck_assert(a.kind == LKR_ACTION_RECOVERED || a.kind == LKR_ACTION_NEEDS_SUPPORT ||
                      a.kind == LKR_ACTION_ABORTED);
            if (a.kind == LKR_ACTION_NEEDS_SUPPORT) {
                ck_assert(a.step == LKR_STEP_SUPPORT_CONTACT_MANUFACTURER ||
                          a.step == LKR_STEP_SUPPORT_LOCKSMITH);
                ck_assert(hs_step_applies(p->profile, NULL, a.step));
                hs_check_tier(t, LKR_TIER_SUPPORT, a.step);
            }
            t->final = 1;
            break;
        }
        ck_assert_uint_eq(a.kind == LKR_ACTION_ASK ? 1u : 0u, a.question != 0 ? 1u : 0u);
        if (p->stop_on_run && h->n_run > 0) break;

        switch (a.kind) {
        case LKR_ACTION_ASK: {
            lkr_status st;
            ck_assert(a.question >= 1 && a.question <= LKR_QUESTION_MAX);
            ck_assert_ptr_nonnull(a.text);
            if (hs_worth_asking(a.question)) {
                lkr_session_info info = hs_status(s);
                ck_assert_msg(!(t->worth_asked & (1u << a.question)), "question %u asked twice", a.question);
                ck_assert_uint_eq(info.ladder, LKR_LADDER_CONNECTION);
                t->worth_asked |= 1u << a.question;
                st = lkr_session_answer(s, a.question, hs_answer_for(p, a.question));
                ck_assert_msg(st == LKR_OK, "answer: %s", lkr_status_name(st));
                break;
            }
            if (t->n_asks < 16) t->asked[t->n_asks] = a.question;
            t->n_asks++;
            if (t->n_steps == 0 && t->n_asks > 1 && t->n_asks <= 16)
                ck_assert_msg(a.question > t->asked[t->n_asks - 2],
                              "question %u asked after %u", a.question, t->asked[t->n_asks - 2]);
            if (t->n_steps > 0)
                ck_assert_msg(a.question == LKR_QUESTION_KEYPAD_LIGHTS ||
                                  a.question == LKR_QUESTION_FIRMWARE_VERSION ||
                                  a.question == LKR_QUESTION_UPDATE_STATE,
                              "question %u asked mid-ladder", a.question);
            if (a.question == LKR_QUESTION_FIRMWARE_VERSION && p->answers != NULL &&
                p->answers->fw_now[0] != '\0') {
                lkr_observations o = hs_obs();
                memcpy(o.fw_now, p->answers->fw_now, sizeof(o.fw_now));
                st = lkr_session_observe(s, &o);
            } else if (a.question == LKR_QUESTION_UPDATE_STATE && t->n_steps > 0 && p->update_over != 0) {
                st = lkr_session_answer(s, a.question, (int32_t)p->update_over);
            } else {
                st = lkr_session_answer(s, a.question, hs_answer_for(p, a.question));
            }
            ck_assert_msg(st == LKR_OK, "answer: %s", lkr_status_name(st));
            break;
        }
        case LKR_ACTION_PERSON_STEP:
            ck_assert_ptr_nonnull(a.title);
            ck_assert_ptr_nonnull(a.text);
            si = hs_step(a.step);
            if (a.phase == LKR_PHASE_PERFORM) {
                hs_check_offer(t, p, a.step, 0, a.tier, &before);
                if (p->stop_at_step == a.step) {
                    stop = 1;
                    break;
                }
            } else {
                ck_assert_uint_eq(a.phase, LKR_PHASE_RESUME);
                ck_assert_uint_gt(si.wait_s, 0);
            }
            ck_assert_int_eq(
                lkr_session_report(s, a.step, hs_person_outcome(h, p, a.step, a.phase)), LKR_OK);
            if (a.step == LKR_STEP_REPAIR_BACKUP_CODES && p->backup_ok && !h->backup_verified)
                hs_backup(s, h);
            break;
        case LKR_ACTION_HOST_STEP: {
            uint32_t o = p->host_outcome ? p->host_outcome : LKR_OUTCOME_DONE;
            ck_assert(hs_step(a.step).flags & LKR_STEP_F_AUTOMATABLE);
            ck_assert_uint_gt(h->n_run, 0);
            if (t->last_offer_step != a.step) hs_check_offer(t, p, a.step, 1, a.tier, &before);
            if (p->stop_at_step == a.step) {
                stop = 1;
                break;
            }
            if (hs_step_fixes(a.step, h->fault) &&
                (o == LKR_OUTCOME_DONE || o == LKR_OUTCOME_FIXED))
                h->fixed = 1;
            ck_assert_int_eq(lkr_session_report(s, a.step, o), LKR_OK);
            if (a.step == LKR_STEP_REPAIR_BACKUP_CODES && p->backup_ok && !h->backup_verified &&
                o == LKR_OUTCOME_DONE)
                hs_backup(s, h);
            break;
        }
        case LKR_ACTION_WAIT:
            si = hs_step(a.step);
            t->n_waits++;
            ck_assert(a.phase == LKR_PHASE_HOLD || a.phase == LKR_PHASE_SETTLE);
            if (a.phase == LKR_PHASE_HOLD) {
                ck_assert_uint_gt(si.wait_s, 0);
                ck_assert_uint_eq(a.wait_s, si.wait_s);
                ck_assert_msg(a.wait_until_ms - h->now == (uint64_t)si.wait_s * 1000u,
                              "hold of %s: %llu ms, catalog %u s", si.sid,
                              (unsigned long long)(a.wait_until_ms - h->now), si.wait_s);
            } else {
                ck_assert_uint_gt(si.settle_s, 0);
                ck_assert_uint_eq(a.wait_s, si.settle_s);
                ck_assert_msg(a.wait_until_ms - h->now == (uint64_t)si.settle_s * 1000u,
                              "settle of %s: %llu ms, catalog %u s", si.sid,
                              (unsigned long long)(a.wait_until_ms - h->now), si.settle_s);
            }
            if (p->early_ticks) {
                lkr_action w;
                ck_assert_int_eq(lkr_session_tick(s), LKR_PENDING);
                h->now = a.wait_until_ms - 1;
                ck_assert_int_eq(lkr_session_tick(s), LKR_PENDING);
                w = hs_next(s);
                ck_assert(hs_same_action(&a, &w));
            }
            h->now = a.wait_until_ms;
            ck_assert_int_eq(lkr_session_tick(s), LKR_OK);
            break;
        case LKR_ACTION_VERIFY:
            t->n_verify++;
            if (a.phase == LKR_PHASE_ASK_PERSON) {
                ck_assert_int_eq(lkr_session_report(s, a.step,
                                                    (h->fixed || p->claims_fixed)
                                                        ? LKR_OUTCOME_FIXED
                                                        : LKR_OUTCOME_NOT_FIXED),
                                 LKR_OK);
            } else {
                lkr_probe_result res;
                ck_assert_uint_eq(a.phase, LKR_PHASE_PROBE);
                memset(&res, 0, sizeof(res));
                res.struct_size = (uint32_t)sizeof(res);
                hs_fill_probe(h, &res);
                ck_assert_int_eq(lkr_session_probe_done(s, LKR_OK, &res), LKR_OK);
            }
            break;
        case LKR_ACTION_BLOCKED: {
            lkr_step_info b = hs_step(a.step);
            t->n_blocked++;
            ck_assert_uint_ne(a.unmet_guards, 0);
            /* The step's guards on this lock's protocol (an ecosystem re-add on
             * Matter also needs the code backup). */
            ck_assert_msg((a.unmet_guards & ~lkr__step_guards(a.step, p->profile->protocol)) == 0,
                          "blocked on guards %s lacks", b.sid);
            /* Every unmet guard is listed: those the session says do not hold. */
            ck_assert_uint_eq(a.unmet_guards & after.guards_held &
                                  ~LKR_GUARD_BIT(LKR_GUARD_EARLIER_TIERS_DONE),
                              0);
            ck_assert_uint_eq(b.guards & ~after.guards_held &
                                  ~LKR_GUARD_BIT(LKR_GUARD_EARLIER_TIERS_DONE) & ~a.unmet_guards,
                              0);
            hs_check_tier(t, b.tier, a.step);
            if (p->stop_at_blocked == a.step) {
                stop = 1;
                break;
            }
            if (!hs_unblock(s, h, p, &a)) {
                if (p->no_waive) {
                    stop = 1;
                    break;
                }
                ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, a.step, "cannot unblock"),
                                 LKR_OK);
            }
            break;
        }
        default:
            ck_abort_msg("unexpected action kind %u", a.kind);
        }
        if (stop) break;
    }
    /* No heap allocation after lkr_session_new (rule 16). */
    ck_assert_uint_eq(h->n_alloc, allocs);
    ck_assert_uint_eq(h->n_free, frees);
    return t->last.kind;
}

#endif /* LKR_TESTS_HOST_SCRIPT_H */
