/*
 * Questions worth asking: before the next step, the engine may ask one of the
 * catalog's questions (lkr__vquestions) when the person-minutes its answer is
 * expected to save exceed the minutes it costs. docs/ENGINE.md, "Questions
 * worth asking", states the rule; this room computes it. Reads the session,
 * writes nothing.
 *
 * The minutes still to spend under a belief b are estimated by the cost of
 * the steps the engine's own rule would choose from b if each failed: the
 * candidates that may still come, lowest least-destructive-first rank
 * first, then the best P(fix)/cost under what the failures so far leave of
 * b, only the indicated ones, each paid for only if every step before it
 * failed:
 *
 *     J(b) = sum_k cost(s_k) * sum_c b(c) * prod_{j<k} (1 - fix(s_j, c))
 *
 * An answer a (yes or no; "don't know" changes nothing) turns b into
 * b_a(c) ~ b(c) P(a | c), and the question is worth
 *
 *     VOI = (1 - P(don't know)) * [ J(b) - P(yes') J(b_yes) - P(no') J(b_no) ]
 *
 * with P(yes') = sum_c b(c) P(yes | c) among the people who can tell. An
 * answer that rules steps out rules them out of its branch: a "no" to the
 * hub question every re-pair and reset (S2), a Bluetooth lock's "no" to the
 * second phone every tier after the protocol path (S0, section 7).
 *
 * The question with the largest saving over its cost is asked now only if
 * that is no dearer than asking it after the engine's next step (paid then
 * only if that step fails): a question that only reorders later steps
 * waits until the cheap ones are spent.
 *
 * Questions are left out of J (one question at a time: myopic), and so are
 * the engine's tiers and pinned steps: J is the class rule and P(fix)/cost
 * alone, an estimate on both sides of the difference.
 */
#include <string.h>

#include "session_int.h"

#define VOI_MAX_CAND 64 /* at most one per step id: the masks are 64-bit */

typedef struct voi_cand {
    uint32_t causes; /* bit per cause the step fixes */
    uint16_t cost;   /* minutes */
    uint8_t step;
    uint8_t rank;
    uint8_t reset;  /* class reset: indicated only from LKR__RESET_MIN_FIX */
    uint8_t repair; /* class re-pair or above: out when the hub is down */
    uint8_t late;   /* in a tier after the protocol path */
} voi_cand;

/* A step's P(fix) under the (unnormalised) beliefs r. */
static double fix_mass(uint32_t step, const double *r)
{
    const lkr__step_def *d = &lkr__steps[step];
    double pf = 0.0;
    uint32_t k;
    for (k = 0; k < d->fix_count; k++) {
        pf += r[d->fixes[k].cause] * (double)d->fixes[k].permille / 1000.0;
    }
    return pf;
}

/* The steps the ladder may still offer (whatever the beliefs say), lowest
 * rank first. */
static uint32_t gather(const lkr_session *s, voi_cand *out)
{
    const uint8_t *tiers;
    uint32_t n = lkr__ladder_tiers(s, &tiers), i, k, c, count = 0, reset = n;
    uint32_t protocol = s->profile.protocol;
    for (i = 0; i < n; i++) {
        if (tiers[i] == LKR_TIER_RESET) reset = i;
    }
    for (i = s->reached >= reset ? s->reached : 0; i < n; i++) {
        for (k = 0; lkr__tier_steps[tiers[i]][k] != 0; k++) {
            uint32_t step = lkr__tier_steps[tiers[i]][k], cls;
            /* a step that fixes no cause still possible never becomes indicated */
            if (count == VOI_MAX_CAND || !lkr__eligible(s, step) ||
                (lkr__steps[step].flags & LKR_STEP_F_PREPARATION) || fix_mass(step, s->belief) <= 0.0) {
                continue;
            }
            cls = lkr__step_class(step, protocol);
            out[count].step = (uint8_t)step;
            out[count].rank = (uint8_t)lkr__step_rank(step, protocol);
            out[count].reset = cls == LKR__CLASS_RESET;
            out[count].repair = cls >= LKR__CLASS_REPAIR;
            out[count].late = tiers[i] == LKR_TIER_ECOSYSTEM || tiers[i] == LKR_TIER_REPAIR ||
                              tiers[i] == LKR_TIER_RESET;
            out[count].cost = (uint16_t)lkr__cost_of(s, step);
            out[count].causes = 0;
            for (c = 0; c < lkr__steps[step].fix_count; c++) {
                out[count].causes |= 1u << lkr__steps[step].fixes[c].cause;
            }
            count++;
        }
    }
    /* by rank, stably (the scans below stop at the first rank above the best) */
    for (i = 1; i < count; i++) {
        voi_cand c1 = out[i];
        for (k = i; k > 0 && out[k - 1].rank > c1.rank; k--) out[k] = out[k - 1];
        out[k] = c1;
    }
    return count;
}

/* What an answer rules out of the steps to come. */
#define CUT_REPAIR 1u /* the hub is down: nothing that re-pairs or resets */
#define CUT_LATE 2u   /* every phone fails a Bluetooth-only lock: support after its protocol path */

/* J(b): the expected minutes of the engine's choices under b (b sums to
 * 1): each time the lowest rank left first, then the best P(fix)/cost
 * under what the failures so far leave of b, only indicated steps; the
 * candidates in `used` are spent. `first` (may be NULL) gets the index of
 * the first choice, or n. */
static double cost_to_go(const voi_cand *cand, uint32_t n, const double *b, uint32_t cut, uint64_t used,
                         uint32_t *first)
{
    double r[LKR__CAUSE_COUNT + 1], pf[VOI_MAX_CAND], left = 1.0, j = 0.0;
    uint32_t i, k, round;
    memcpy(r, b, sizeof(r));
    if (first != NULL) *first = n;
    for (i = 0; i < n; i++) {
        if (((cut & CUT_REPAIR) && cand[i].repair) || ((cut & CUT_LATE) && cand[i].late)) {
            used |= (uint64_t)1 << i;
        } else if (!(used & ((uint64_t)1 << i))) {
            pf[i] = fix_mass(cand[i].step, r);
        }
    }
    /* the last hundredth of a percent of the faults weighs too little to order */
    for (round = 0; round < n && left > 1e-4; round++) {
        uint32_t best = n, hit;
        double best_score = 0.0;
        for (i = 0; i < n; i++) {
            double score;
            if (best < n && cand[i].rank > cand[best].rank) break; /* sorted by rank */
            if (used & ((uint64_t)1 << i)) continue;
            /* indicated: P(fix) among the faults still left */
            if (pf[i] < left * (cand[i].reset ? LKR__RESET_MIN_FIX : LKR__MIN_FIX)) continue;
            score = pf[i] / (double)cand[i].cost;
            if (best == n || cand[i].rank < cand[best].rank || score > best_score) {
                best = i;
                best_score = score;
            }
        }
        if (best == n) break;
        if (first != NULL && round == 0) *first = best;
        used |= (uint64_t)1 << best;
        j += (double)cand[best].cost * left;
        {
            const lkr__step_def *d = &lkr__steps[cand[best].step];
            for (k = 0; k < d->fix_count; k++) {
                double fixed = r[d->fixes[k].cause] * (double)d->fixes[k].permille / 1000.0;
                r[d->fixes[k].cause] -= fixed;
                left -= fixed;
            }
        }
        /* only the steps that fix a cause the failure moved change */
        hit = cand[best].causes;
        for (i = 0; i < n; i++) {
            if (!(used & ((uint64_t)1 << i)) && (cand[i].causes & hit)) pf[i] = fix_mass(cand[i].step, r);
        }
    }
    return j;
}

uint8_t *lkr__vq_fact(lkr_session *s, const lkr__vquestion *q)
{
    return (uint8_t *)&s->obs + lkr__vq_fact_at(q, s->profile.protocol);
}

/* Whether the question may be put to this session at all. */
static int askable(const lkr_session *s, const lkr__vquestion *q)
{
    if (!(q->protocols & LKR_PROTOCOL_BIT(s->profile.protocol)) || (s->asked & (1u << q->question)) ||
        lkr__vq_known(q, &s->obs) || (q->settled_by & s->tried) != 0) {
        return 0; /* not here, asked, known, or a step it was about was tried */
    }
    /* A Wi-Fi lock has a hub only through its bridge. */
    return !(q->question == LKR_QUESTION_HUB_DEVICES && s->profile.protocol == LKR_PROTOCOL_WIFI &&
             s->profile.has_bridge != LKR_YES);
}

/* The expected minutes from b on if the question is asked now: its cost,
 * then the steps the answer leaves (b sums to 1). */
static double ask_now(const lkr_session *s, const lkr__vquestion *q, const voi_cand *cand, uint32_t n,
                      uint64_t used, const double *b, double j_b)
{
    double by[LKR__CAUSE_COUNT + 1], bn[LKR__CAUSE_COUNT + 1], py = 0.0, pn = 0.0, dk;
    uint32_t c, cut_no = 0;
    for (c = 0; c <= LKR__CAUSE_COUNT; c++) {
        double yes = c ? (double)lkr__vq_yes_permille(q, c) / 1000.0 : 0.0;
        by[c] = b[c] * yes;
        bn[c] = b[c] * (1.0 - yes);
        py += by[c];
        pn += bn[c];
    }
    if (py <= 1e-12 || pn <= 1e-12) {
        return (double)q->cost_min + j_b; /* the answer is known, in effect */
    }
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        by[c] /= py;
        bn[c] /= pn;
    }
    if (q->no_repair_on_no) cut_no |= CUT_REPAIR;
    if (q->no_hands_over_on & LKR_PROTOCOL_BIT(s->profile.protocol)) cut_no |= CUT_LATE;
    dk = (double)q->dont_know_permille / 1000.0;
    return (double)q->cost_min + dk * j_b +
           (1.0 - dk) * (py * cost_to_go(cand, n, by, 0, used, NULL) + pn * cost_to_go(cand, n, bn, cut_no, used, NULL));
}

uint32_t lkr__worth_asking(const lkr_session *s, double *value)
{
    voi_cand cand[VOI_MAX_CAND];
    double b1[LKR__CAUSE_COUNT + 1], j_now = 0.0, j_1, p1, best_now = 0.0, later;
    uint32_t n = 0, i, first = 0;
    const lkr__vquestion *best = NULL;
    for (i = 0; i < LKR__VQ_COUNT; i++) {
        const lkr__vquestion *q = &lkr__vquestions[i];
        double now;
        if (!askable(s, q)) continue;
        if (n == 0) {
            n = gather(s, cand);
            j_now = cost_to_go(cand, n, s->belief, 0, 0, &first);
            if (first == n) return LKR_QUESTION_NONE; /* nothing left to order: nothing to save */
        }
        now = ask_now(s, q, cand, n, 0, s->belief, j_now);
        if (now < j_now - 1e-9 && (best == NULL || now < best_now)) {
            best = q;
            best_now = now;
        }
    }
    if (best == NULL) {
        return LKR_QUESTION_NONE;
    }
    /* Asked after the engine's first step instead, the question is paid
     * only if that step fails: the engine waits when that is cheaper. */
    p1 = fix_mass(cand[first].step, s->belief);
    later = (double)cand[first].cost;
    if (p1 < 1.0 - 1e-12) {
        double then;
        memcpy(b1, s->belief, sizeof(b1));
        lkr__apply_failure(b1, cand[first].step); /* the beliefs once it failed */
        j_1 = cost_to_go(cand, n, b1, 0, (uint64_t)1 << first, NULL);
        then = ask_now(s, best, cand, n, (uint64_t)1 << first, b1, j_1);
        later += (1.0 - p1) * (then < j_1 ? then : j_1);
    }
    if (best_now > later) {
        return LKR_QUESTION_NONE;
    }
    if (value != NULL) *value = j_now - best_now + (double)best->cost_min;
    return best->question;
}
