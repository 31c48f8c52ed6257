/*
 * Test and benchmark seams. Not part of the library: this file is linked
 * only into the test suites and the benchmarks (lockrecover_hooks), which
 * install its hook table in a session they made. A host's session has no
 * hooks (s->hooks is NULL) and its library has none of these functions.
 *
 *   lkr__session_set_backup_verified  the guards' tests: a verified code
 *                                     backup without a vault
 *   lkr__session_set_policy           the benchmarks: the seeds' fixed order
 *                                     and an oracle that knows the fault
 */
#include "../session_int.h"

static int session_ok(const lkr_session *s)
{
    return s != NULL && s->magic == LKR__SESSION_MAGIC;
}

static int backup_stand_in(const lkr_session *s)
{
    return s->backup_verified;
}

/* The fixed order tries every step that can fix anything. */
static int indicated(const lkr_session *s, double sum, int library)
{
    return s->policy == LKR__POLICY_FIXED ? sum > 0.0 : library;
}

/* The seeds' order: the first candidate of the tier in catalog order. */
static uint32_t pin(const lkr_session *s, uint32_t tier, uint32_t library_pin)
{
    uint32_t k;
    double score;
    if (s->policy != LKR__POLICY_FIXED) {
        return library_pin;
    }
    for (k = 0; lkr__tier_steps[tier][k] != 0; k++) {
        if (lkr__candidate(s, lkr__tier_steps[tier][k], &score)) {
            return lkr__tier_steps[tier][k];
        }
    }
    return 0;
}

/* The untried step that fixes the known fault best per minute, any tier. */
static uint32_t oracle_best(const lkr_session *s)
{
    uint32_t id, best = 0;
    double best_v = 0.0;
    for (id = 1; id <= LKR__STEP_COUNT; id++) {
        double score, v;
        if (!lkr__candidate(s, id, &score) || (lkr__steps[id].flags & LKR_STEP_F_PREPARATION)) continue;
        v = (double)lkr__fix_permille(id, s->oracle_cause) / (double)lkr__cost_of(s, id);
        if (v > best_v) {
            best_v = v;
            best = id;
        }
    }
    return best;
}

static int oracle_decide(lkr_session *s, uint64_t now)
{
    uint32_t best, unmet;
    if (s->policy != LKR__POLICY_ORACLE) {
        return 0;
    }
    best = oracle_best(s);
    if (best == 0) {
        lkr__needs_support(s, LKR_SUPPORT_LADDER_EXHAUSTED, now);
        return 1;
    }
    unmet = lkr__unmet_guards(s, best);
    if (unmet == 0) {
        lkr__begin_step(s, best, now);
        return 1;
    }
    if ((unmet & (LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP) | LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE))) &&
        !(s->tried & LKR__STEP_BIT(LKR_STEP_REPAIR_BACKUP_CODES))) {
        lkr__begin_step(s, LKR_STEP_REPAIR_BACKUP_CODES, now);
        return 1;
    }
    s->blocked_step = (uint8_t)best;
    s->blocked_unmet = unmet;
    lkr__enter(s, LKR__P_BLOCKED);
    return 1;
}

/* The fixed order is the seeds' tier order alone. */
static int tier_order(const lkr_session *s)
{
    return s->policy == LKR__POLICY_FIXED;
}

/* The fixed order asks nothing it does not need; nor does the engine
 * measured without its questions. */
static int questions(const lkr_session *s)
{
    return s->policy != LKR__POLICY_FIXED && s->policy != LKR__POLICY_NO_QUESTIONS;
}

static const lkr__hooks hooks = {backup_stand_in, indicated, pin, oracle_decide, tier_order, questions};

void lkr__session_set_policy(lkr_session *s, uint32_t policy, uint32_t cause)
{
    if (session_ok(s) && policy <= LKR__POLICY_NO_QUESTIONS && (cause == 0 || lkr__cause_id_ok(cause))) {
        s->policy = (uint8_t)policy;
        s->oracle_cause = (uint8_t)cause;
        s->hooks = &hooks;
    }
}

void lkr__session_set_backup_verified(lkr_session *s, int verified)
{
    if (session_ok(s)) {
        s->backup_verified = verified ? 1 : 0;
        s->hooks = &hooks;
    }
}
