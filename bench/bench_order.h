/*
 * The least-destructive-first rule measured from outside the engine
 * (docs/ENGINE.md, "Least destructive first"): a watcher sees every step a
 * session begins, at the moment it begins (person steps when the session
 * shows them, host steps when the host is asked to run them), and judges it
 * against the session's beliefs and history at that moment:
 *
 *   destructive     a step that may erase codes here (re-pair, exclusion,
 *                   single-code re-add, factory reset: class >= re-pair);
 *   needless        a destructive step begun while a harmless step that fits
 *                   the lock and can fix the true fault was still untried
 *                   (not waived or disabled);
 *   violation       a step begun while an indicated step of a lower class
 *                   (rank: harmless quick < harmless slow < re-link < re-pair
 *                   < reset) in a tier of the session's ladder was untried
 *                   and not waived: the rule broken;
 *   useless reset   a factory reset begun for a true fault a reset cannot fix.
 *
 * Follow-ups, preparations and hand-overs are not judged. Nothing here is
 * part of the library.
 */
#ifndef LKR_BENCH_ORDER_H
#define LKR_BENCH_ORDER_H

#include "bench_common.h"

typedef struct order_watch {
    lkr_transport inner; /* the lock's own transport */
    lkr_transport wrapped;
    lkr_session *s;
    uint32_t cause;
    uint32_t judged; /* history entries already judged */
    uint32_t destructive, needless, violations, resets, useless_resets;
    uint32_t first_violation; /* the first step that broke the rule (for the profile) */
} order_watch;

static inline int order_judged_step(uint32_t step)
{
    return !(lkr__steps[step].flags &
             (LKR_STEP_F_FOLLOWUP_ONLY | LKR_STEP_F_PREPARATION | LKR_STEP_F_TERMINAL));
}

static inline int order_in_ladder(const lkr_session *s, uint32_t tier)
{
    const uint8_t *tiers;
    uint32_t n = lkr__ladder_tiers(s, &tiers), i;
    for (i = 0; i < n; i++) {
        if (tiers[i] == tier) return 1;
    }
    return 0;
}

static inline void order_judge(order_watch *w, uint32_t step)
{
    const lkr_session *s = w->s;
    uint32_t p = s->profile.protocol, rank = lkr__step_rank(step, p), y;
    double score;
    int violated = 0, needless = 0;
    if (!order_judged_step(step)) return;
    for (y = 1; y <= LKR__STEP_COUNT; y++) {
        if (y == step || !order_judged_step(y)) continue;
        if (!violated && lkr__step_rank(y, p) < rank && order_in_ladder(s, lkr__steps[y].tier) &&
            lkr__candidate(s, y, &score)) {
            violated = 1;
        }
        if (!needless && lkr__step_class(step, p) >= LKR__CLASS_REPAIR &&
            lkr__step_class(y, p) == LKR__CLASS_HARMLESS && lkr__fix_permille(y, w->cause) > 0 &&
            !((s->tried | s->waived_steps | s->disabled) & LKR__STEP_BIT(y)) &&
            !(s->waived_tiers & (1u << lkr__steps[y].tier)) && lkr__step_applies(y, &s->profile, &s->obs)) {
            needless = 1;
        }
    }
    if (violated) {
        if (w->violations == 0) w->first_violation = step;
        w->violations++;
    }
    if (lkr__step_class(step, p) >= LKR__CLASS_REPAIR) {
        w->destructive++;
        w->needless += (uint32_t)needless;
    }
    if (step == LKR_STEP_RESET_FACTORY_RESET) {
        w->resets++;
        w->useless_resets += lkr__fix_permille(step, w->cause) == 0;
    }
}

/* Judges the history entries opened since the last look. */
static inline void order_catch_up(order_watch *w)
{
    if (w->s == NULL) return;
    for (; w->judged < w->s->hist_count; w->judged++) {
        order_judge(w, w->s->hist[w->judged].step);
    }
}

/* ---- the transport, wrapped: host steps are judged when they begin ---- */

#define OW(ctx) ((order_watch *)(ctx))
static uint64_t ow_now(void *ctx) { return OW(ctx)->inner.now_ms(OW(ctx)->inner.ctx); }
static lkr_status ow_probe(void *ctx, lkr_probe_result *r) { return OW(ctx)->inner.probe(OW(ctx)->inner.ctx, r); }
static lkr_status ow_run_step(void *ctx, uint32_t step)
{
    order_catch_up(OW(ctx)); /* the step's own entry is open: judged now, with the beliefs it was chosen on */
    (void)step;
    return OW(ctx)->inner.run_step(OW(ctx)->inner.ctx, step);
}
static lkr_status ow_read(void *ctx, lkr_code *c, uint32_t cap, lkr_code_readout *info)
{
    return OW(ctx)->inner.read_codes(OW(ctx)->inner.ctx, c, cap, info);
}
static lkr_status ow_write(void *ctx, const lkr_code *c) { return OW(ctx)->inner.write_code(OW(ctx)->inner.ctx, c); }
static lkr_status ow_seal(void *ctx, const void *in, size_t n, void *out, size_t cap, size_t *len)
{
    return OW(ctx)->inner.seal(OW(ctx)->inner.ctx, in, n, out, cap, len);
}
static lkr_status ow_unseal(void *ctx, const void *in, size_t n, void *out, size_t cap, size_t *len)
{
    return OW(ctx)->inner.unseal(OW(ctx)->inner.ctx, in, n, out, cap, len);
}
#undef OW

/* The hook of bench_drive_opts: the session once made, then every action. */
static void order_hook(void *ctx, lkr_session *s, const lkr_action *a)
{
    order_watch *w = (order_watch *)ctx;
    (void)a;
    w->s = s;
    order_catch_up(w);
}

/* Sets the watcher up on the lock's transport and the drive options. */
static inline lkr_status order_watch_init(order_watch *w, lkr_sim *sim, uint32_t cause, bench_drive_opts *o)
{
    lkr_status st;
    memset(w, 0, sizeof(*w));
    if ((st = lkr_sim_transport(sim, &w->inner)) != LKR_OK) return st;
    w->cause = cause;
    w->wrapped = w->inner;
    w->wrapped.ctx = w;
    w->wrapped.now_ms = ow_now;
    if (w->inner.probe) w->wrapped.probe = ow_probe;
    if (w->inner.run_step) w->wrapped.run_step = ow_run_step;
    if (w->inner.read_codes) w->wrapped.read_codes = ow_read;
    if (w->inner.write_code) w->wrapped.write_code = ow_write;
    if (w->inner.seal) w->wrapped.seal = ow_seal;
    if (w->inner.unseal) w->wrapped.unseal = ow_unseal;
    o->transport = &w->wrapped;
    o->hook = order_hook;
    o->hook_ctx = w;
    return LKR_OK;
}

#endif /* LKR_BENCH_ORDER_H */
