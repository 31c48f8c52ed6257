/*
 * The engine against the Bayes-optimal policy under the same rules, by exact
 * dynamic programming over belief states, with the questions worth asking.
 *
 * The model (the noisy world of bench_quality): a person reports the fixed
 * facts of a fault, but not the facts the questions worth asking are about
 * (the simulator's LKR_SIM_F_DRAWN_ANSWERS); the true fault c follows the
 * engine's own starting posterior post(c) given the report; a step fixes c
 * with the catalog's probability, independently; a question q, asked, is
 * answered "don't know" with P(dk) = dont_know_permille / 1000 whatever the
 * cause, else "yes" with P(yes | c) (lkr__vq_yes_permille) and "no"
 * otherwise; nothing else is learnt (the other questions answered "don't
 * know", no probe). A state is the set S of steps tried and failed and the
 * answers A so far (per question: not asked, yes, no, don't know):
 *
 *     b(c) = post(c) * prod_{answers in A} P(answer | c) * prod_{s in S} (1 - fix(s, c)),
 *     Z = sum_c b(c)   (the probability of reaching the state),
 *
 * and the expected person-minutes to the end, weighted by Z, obey
 *
 *     W(S, A) = min( over allowed steps s:   cost(s) * Z + W(S u {s}, A),
 *                    over allowed questions q: cost(q) * Z + sum_a W(S, A + (q: a)) ),
 *     W = 0 when no step is allowed (handed over),
 *
 * with the optimum V = W({}, {}) (post sums to 1). Allowed steps: the
 * library's candidates (the step fits the lock, is in the ladder's tiers, is
 * indicated: P(fix) >= 2 %, the reset >= 50 %), restricted to the lowest
 * least-destructive-first rank left, and the engine's hand-over rules:
 * nothing that may erase codes while the hub, the bridge or the router is
 * reported offline (a "no" to the hub question counts), nothing but the
 * reset class once a reset-class step failed (the ladder never goes back),
 * and on a Bluetooth lock whose second phone fails too (a "no" to the
 * second-phone question), nothing beyond the protocol tier once the protocol
 * tier has no candidate left. Allowed questions: on the connection ladder,
 * any not yet asked that applies to the case (its protocols; the hub
 * question on Wi-Fi only with a bridge; its fact unknown in the report).
 * Preparations (the code backup), follow-ups and hand-overs are not counted
 * (the engine's figures below leave them out too).
 *
 * The engine's expected minutes in the same model are exact too: the engine
 * is deterministic given the answers, and a run goes on only while every
 * step fails. A real session is driven with "not fixed" at every
 * verification and the questions worth asking answered from a script of
 * answers; when it asks beyond the script, the script is extended by each
 * answer in turn (a tree of at most 3^3 leaves). Each step and question is
 * charged its cost times the weight of the state it is met in.
 *
 * Also per case: the engine without its questions (LKR__POLICY_NO_QUESTIONS:
 * one path), the optimum without questions, the optimum without the class
 * rule (questions allowed), and perfect information: for each cause c the
 * same DP from b = delta_c (no questions: the cause is known), weighted by
 * post(c). The value of perfect information is V(no questions) - V(perfect);
 * the share of it that questions recover is (E_noq - E_q) / (E_noq -
 * E_perfect), for the engine and for the optimum.
 *
 * Cases: every protocol x every cause possible on it (its fixed facts), no
 * ecosystem, a bridge on Wi-Fi; weighted by the cause distribution (priors,
 * uniform, reversed), protocols equally likely. The memo holds one entry per
 * state (n step bits and 2 bits per question: at most 2^24); a case with
 * more is counted and left out (reported); cases where an update may still
 * be transferring are left out (the engine only asks and hands over there).
 * Per true cause: the minutes the engine and the optimum spend on it, and
 * its share of the engine's distance to the optimum.
 *
 *   bench_optimal   prints key=value lines; with BENCH_OPTIMAL_PATHS=1 also the
 *                   engine's path for every answer script (".ynd": yes, no,
 *                   don't know), BENCH_OPTIMAL_TREE=1 the optimal policy (one
 *                   line per leaf), BENCH_OPTIMAL_VOI=1 the engine's own value
 *                   of each question it asks, BENCH_OPTIMAL_ONLY=wifi.phone_ble_bug
 *                   one case only, BENCH_OPTIMAL_CHECK=n the engine's exact figure
 *                   of every case against n runs of the model drawn at random.
 */
#include <math.h>

#include "bench_common.h"

#define MAXL 32
#define MAXQ LKR__VQ_COUNT
/* The memo is indexed directly by the state: n step bits, 2 bits per question. */
#define CAP_BITS 24
#define CAP (1u << CAP_BITS)
#define NDIST 3

/* Answers, 2 bits per question in the key's upper half. */
#define ANS_NONE 0u
#define ANS_YES 1u
#define ANS_NO 2u
#define ANS_DK 3u
#define ANS_OF(key, j) ((uint32_t)((key) >> (32 + 2 * (j))) & 3u)

typedef struct memo {
    double *w, *r;
    uint32_t *gen;
    uint32_t cur, count, high;
} memo;

typedef struct dp_q {
    const lkr__vquestion *q;
    double yes[LKR__CAUSE_COUNT + 1]; /* P(yes | c), among those who can tell */
    double dk;                        /* P(don't know) */
    uint32_t cost;
    int no_repair;                    /* a "no" rules the re-pairs out */
    int ble_second_phone;             /* a "no" ends a Bluetooth lock's ladder after its protocol tier */
} dp_q;

typedef struct dp_case {
    uint32_t protocol, cause, symptom;
    int code_ladder;
    lkr_profile prof;
    lkr_observations obs;
    double post[LKR__CAUSE_COUNT + 1];
    uint32_t n; /* candidate steps */
    uint32_t step[MAXL];
    double fix[MAXL][LKR__CAUSE_COUNT + 1];
    uint32_t cost[MAXL], rank[MAXL], tier[MAXL];
    int reset_class[MAXL], repair_class[MAXL];
    uint32_t nq;
    dp_q q[MAXQ];
    /* the solve in hand */
    memo m;
    int free_order; /* 1: any candidate, the class rule off */
    int use_q;      /* 1: questions allowed */
} dp_case;

/* ---- the memo: one entry per state, cleared by a generation count ------------------ */

static uint32_t memo_slot(const dp_case *c, uint64_t k)
{
    return (uint32_t)k | (uint32_t)((k >> 32) << c->n);
}

static int memo_get(const dp_case *c, uint64_t k, double *w, double *r)
{
    uint32_t h = memo_slot(c, k);
    if (c->m.gen[h] != c->m.cur) return 0;
    *w = c->m.w[h];
    *r = c->m.r[h];
    return 1;
}

static void memo_put(dp_case *c, uint64_t k, double w, double r)
{
    uint32_t h = memo_slot(c, k);
    c->m.gen[h] = c->m.cur;
    c->m.w[h] = w;
    c->m.r[h] = r;
    c->m.count++;
    if (c->m.count > c->m.high) c->m.high = c->m.count;
}

static void memo_clear(memo *m)
{
    m->cur++;
    m->count = 0;
}

static int in_ladder(uint32_t tier, int code_ladder)
{
    if (code_ladder)
        return tier == LKR_TIER_TRIAGE || tier == LKR_TIER_CODE || tier == LKR_TIER_RESET;
    return tier != LKR_TIER_CODE && tier != LKR_TIER_SUPPORT;
}

/* P(answer | cause) of question j. */
static double p_answer(const dp_q *q, uint32_t a, uint32_t cause)
{
    if (a == ANS_DK) return q->dk;
    return (1.0 - q->dk) * (a == ANS_YES ? q->yes[cause] : 1.0 - q->yes[cause]);
}

/* ---- the DP ------------------------------------------------------------------ */

static double solve(dp_case *c, uint64_t key, const double *b, double z, double *r_out);

/* An action: a step index (0..n-1) or MAXL + question index; -1: none. */
typedef struct dp_best {
    int action;
    double w, r;
} dp_best;

/* The allowed steps in the state (ok[i]); 0 when none. */
static int allowed_steps(const dp_case *c, uint64_t key, const double *b, double z, int *ok)
{
    uint32_t i, k, j, low = 0, S = (uint32_t)key;
    int norepair = 0, ble_no = 0, reset_done = 0, any = 0, protocol_left = 0;
    for (j = 0; j < c->nq; j++) {
        if (ANS_OF(key, j) != ANS_NO) continue;
        if (c->q[j].no_repair) norepair = 1;
        if (c->q[j].ble_second_phone) ble_no = 1;
    }
    for (i = 0; i < c->n; i++) {
        if ((S & (1u << i)) && c->reset_class[i]) reset_done = 1;
    }
    for (i = 0; i < c->n; i++) {
        double sum = 0.0;
        ok[i] = 0;
        if ((S & (1u << i)) || (reset_done && !c->reset_class[i]) || (norepair && c->repair_class[i])) continue;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) sum += b[k] * c->fix[i][k];
        if (sum / z < (c->reset_class[i] ? LKR__RESET_MIN_FIX : LKR__MIN_FIX)) continue;
        ok[i] = 1;
        if (c->tier[i] == LKR_TIER_PROTOCOL) protocol_left = 1;
    }
    for (i = 0; i < c->n; i++) {
        if (ble_no && !protocol_left && ok[i] && c->tier[i] != LKR_TIER_TRIAGE && c->tier[i] != LKR_TIER_UNIVERSAL &&
            c->tier[i] != LKR_TIER_PROTOCOL)
            ok[i] = 0;
        if (ok[i] && (low == 0 || c->rank[i] < low)) low = c->rank[i];
    }
    for (i = 0; i < c->n; i++) {
        if (ok[i] && !c->free_order && c->rank[i] != low) ok[i] = 0;
        any |= ok[i];
    }
    return any;
}

/* The best action in the state (its children solved, or found in the memo). */
static dp_best best_action(dp_case *c, uint64_t key, const double *b, double z)
{
    dp_best best = {-1, 0.0, 0.0};
    double nb[LKR__CAUSE_COUNT + 1];
    int ok[MAXL];
    uint32_t i, k, j, a;
    if (!allowed_steps(c, key, b, z, ok)) {
        return best; /* handed over */
    }
    for (i = 0; i < c->n; i++) {
        double nz = 0.0, fixed = 0.0, v, r;
        if (!ok[i]) continue;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
            nb[k] = b[k] * (1.0 - c->fix[i][k]);
            fixed += b[k] * c->fix[i][k];
            nz += nb[k];
        }
        v = (double)c->cost[i] * z + solve(c, key | (1u << i), nb, nz, &r);
        if (best.action < 0 || v < best.w - 1e-9) {
            best.action = (int)i;
            best.w = v;
            best.r = fixed + r;
        }
    }
    for (j = 0; c->use_q && !c->code_ladder && j < c->nq; j++) {
        double v, r = 0.0;
        if (ANS_OF(key, j) != ANS_NONE) continue;
        v = (double)c->q[j].cost * z;
        for (a = ANS_YES; a <= ANS_DK; a++) {
            double nz = 0.0, ra;
            for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
                nb[k] = b[k] * p_answer(&c->q[j], a, k);
                nz += nb[k];
            }
            v += solve(c, key | ((uint64_t)a << (32 + 2 * j)), nb, nz, &ra);
            r += ra;
        }
        if (v < best.w - 1e-9) {
            best.action = (int)(MAXL + j);
            best.w = v;
            best.r = r;
        }
    }
    return best;
}

/* W(S, A), Z-weighted; *r_out: the Z-weighted probability the policy fixes the lock. */
static double solve(dp_case *c, uint64_t key, const double *b, double z, double *r_out)
{
    double w, r;
    dp_best best;
    *r_out = 0.0;
    if (z <= 1e-15) return 0.0;
    if (memo_get(c, key, &w, &r)) {
        *r_out = r;
        return w;
    }
    best = best_action(c, key, b, z);
    memo_put(c, key, best.w, best.r);
    *r_out = best.r;
    return best.w;
}

/* Follows the optimal policy, charging each action's cost to the causes:
 * per[c] += cost * b(c) (the minutes the optimum spends on true cause c). */
static void walk(dp_case *c, uint64_t key, const double *b, double z, double *per, double *questions, char *trace,
                 size_t len)
{
    double nb[LKR__CAUSE_COUNT + 1];
    dp_best best;
    uint32_t k, a;
    if (z <= 1e-15) return;
    best = best_action(c, key, b, z);
    if (best.action < 0) {
        if (trace != NULL) printf("%s (P %.4f)\n", trace, z);
        return;
    }
    if (best.action < MAXL) {
        uint32_t i = (uint32_t)best.action;
        double nz = 0.0;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
            per[k] += (double)c->cost[i] * b[k];
            nb[k] = b[k] * (1.0 - c->fix[i][k]);
            nz += nb[k];
        }
        if (trace != NULL) (void)snprintf(trace + len, 4096 - len, " %s", lkr__steps[c->step[i]].sid);
        walk(c, key | (1u << i), nb, nz, per, questions, trace, trace ? strlen(trace) : 0);
        return;
    }
    {
        uint32_t j = (uint32_t)best.action - MAXL;
        *questions += z;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) per[k] += (double)c->q[j].cost * b[k];
        for (a = ANS_YES; a <= ANS_DK; a++) {
            double nz = 0.0;
            for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
                nb[k] = b[k] * p_answer(&c->q[j], a, k);
                nz += nb[k];
            }
            if (trace != NULL)
                (void)snprintf(trace + len, 4096 - len, " [%s? %s]", c->q[j].q->sid,
                               a == ANS_YES ? "yes" : a == ANS_NO ? "no" : "don't know");
            walk(c, key | ((uint64_t)a << (32 + 2 * j)), nb, nz, per, questions, trace, trace ? strlen(trace) : 0);
        }
    }
}

typedef struct dp_result {
    double v, r, questions;
    double per[LKR__CAUSE_COUNT + 1];
} dp_result;

/* The optimum from `start` (sums to 1), with or without questions and the class rule. */
static int optimum(dp_case *c, const double *start, int use_q, int free_order, int per_cause, dp_result *out)
{
    double z = 0.0;
    uint32_t k;
    memset(out, 0, sizeof(*out));
    if (c->n + 2 * c->nq > CAP_BITS) return -1; /* over the memo's cap */
    for (k = 1; k <= LKR__CAUSE_COUNT; k++) z += start[k];
    memo_clear(&c->m);
    c->use_q = use_q;
    c->free_order = free_order;
    out->v = solve(c, 0, start, z, &out->r);
    if (per_cause) {
        /* BENCH_OPTIMAL_TREE=1: the optimal policy, one line per leaf */
        static char trace[4096];
        int print = getenv("BENCH_OPTIMAL_TREE") != NULL;
        if (print)
            (void)snprintf(trace, sizeof(trace), "optimal.tree.%s.%s.%s=", lkr_protocol_name(c->protocol),
                           lkr__causes[c->cause].sid, use_q ? "questions" : "no_questions");
        walk(c, 0, start, z, out->per, &out->questions, print ? trace : NULL, print ? strlen(trace) : 0);
    }
    return 0;
}

/* ---- the engine: a real session, every step failing, answers from a script -------- */

static uint64_t clock_now(void *ctx)
{
    return *(uint64_t *)ctx;
}

typedef struct ev {
    uint8_t question; /* 1: a question worth asking (id), 0: a step (id) */
    uint8_t id;
} ev;

/* Runs a session on the case under `policy`, the questions worth asking
 * answered script[0..len-1] in turn (ANS_*). Fills the performed steps and
 * the questions in order; returns 1 when it asked a question beyond the
 * script (the last event), 0 when it handed over, -1 on an error. */
static int replay(const dp_case *c, uint32_t policy, const uint8_t *script, uint32_t len, ev *evs, uint32_t *nev,
                  uint32_t cap)
{
    lkr_session_config sc;
    lkr_transport t;
    lkr_session *s = NULL;
    lkr_action a = LKR_ACTION_INIT;
    uint64_t now = 1000000;
    uint32_t i, g, asked = 0, qat[MAXQ + 1], qid[MAXQ + 1], h, e = 0, qi = 0;
    int beyond = 0, rc = 0;
    lkr_transport_init(&t);
    t.ctx = &now;
    t.now_ms = clock_now;
    lkr_session_config_init(&sc);
    sc.profile = &c->prof;
    sc.observations = &c->obs;
    if (lkr_session_new(&sc, &t, &s) != LKR_OK) return -1;
    lkr__session_set_policy(s, policy, 0);
    for (i = 0; i < 4000; i++) {
        lkr_status st = LKR_OK;
        if (lkr_session_next(s, &a) != LKR_OK) {
            rc = -1;
            break;
        }
        if (lkr_action_is_final(&a)) break;
        switch (a.kind) {
        case LKR_ACTION_ASK:
            if (lkr__vq_of(a.question) != NULL) {
                if (asked > MAXQ) {
                    st = LKR_E_STATE;
                    break;
                }
                qat[asked] = s->hist_count;
                qid[asked] = a.question;
                if (getenv("BENCH_OPTIMAL_VOI") != NULL) {
                    double v = 0.0;
                    uint32_t q2;
                    s->asked &= ~(1u << a.question); /* as it was when the engine chose it */
                    q2 = lkr__worth_asking(s, &v);
                    printf("optimal.voi.%s.%s.%u=%s value %.3f (cost %u)\n", lkr_protocol_name(c->protocol),
                           lkr__causes[c->cause].sid, len, lkr__vq_of(q2) ? lkr__vq_of(q2)->sid : "?", v,
                           lkr__vq_of(a.question)->cost_min);
                }
                if (asked++ == len) {
                    beyond = 1;
                    break;
                }
                st = lkr_session_answer(s, a.question,
                                        script[asked - 1] == ANS_YES  ? LKR_YES
                                        : script[asked - 1] == ANS_NO ? LKR_NO
                                                                      : LKR_UNKNOWN);
            } else {
                st = lkr_session_answer(s, a.question,
                                        a.question == LKR_QUESTION_UPDATE_STALLED_MIN ? LKR_NUM_UNKNOWN : LKR_UNKNOWN);
            }
            break;
        case LKR_ACTION_PERSON_STEP:
            st = lkr_session_report(s, a.step, LKR_OUTCOME_DONE);
            break;
        case LKR_ACTION_VERIFY:
            st = lkr_session_report(s, a.step, LKR_OUTCOME_NOT_FIXED);
            break;
        case LKR_ACTION_WAIT:
            if (a.wait_until_ms > now) now = a.wait_until_ms;
            st = lkr_session_tick(s);
            if (st == LKR_PENDING) st = LKR_OK;
            break;
        case LKR_ACTION_BLOCKED: {
            int all = 1;
            for (g = 1; g <= LKR__GUARD_COUNT; g++) {
                if (!(a.unmet_guards & LKR_GUARD_BIT(g))) continue;
                if (LKR__GUARDS_CONFIRMABLE & LKR_GUARD_BIT(g)) st = lkr_session_confirm(s, g, 1);
                else all = 0;
            }
            if (st == LKR_OK && !all) {
                /* no code reader: the person notes the codes (the DP does not
                 * count the backup either); else the step is waived */
                if ((a.unmet_guards & (LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP) |
                                       LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE))) &&
                    !(s->confirmed & LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED)))
                    st = lkr_session_confirm(s, LKR_GUARD_CODES_NOTED, 1);
                else
                    st = lkr_session_waive(s, LKR_WAIVE_STEP, a.step, "bench: cannot be met");
            }
            break;
        }
        default:
            st = LKR_E_STATE;
        }
        if (st != LKR_OK) {
            rc = -1;
            break;
        }
        if (beyond) break;
    }
    /* the steps performed and the questions, in the order they came */
    for (h = 0; h <= s->hist_count && rc == 0; h++) {
        while (qi < asked && qat[qi] <= h && e < cap) {
            evs[e].question = 1;
            evs[e++].id = (uint8_t)qid[qi++];
        }
        if (h == s->hist_count) break;
        if ((lkr__steps[s->hist[h].step].flags &
             (LKR_STEP_F_FOLLOWUP_ONLY | LKR_STEP_F_PREPARATION | LKR_STEP_F_TERMINAL)) ||
            !lkr__outcome_performed(s->hist[h].outcome))
            continue;
        if (e < cap) {
            evs[e].question = 0;
            evs[e++].id = (uint8_t)s->hist[h].step;
        }
    }
    lkr_session_free(s);
    *nev = e;
    if (rc == 0 && (e == cap || i == 4000)) rc = -1;
    return rc < 0 ? -1 : beyond;
}

typedef struct eng_result {
    double e, r, questions;
    double per[LKR__CAUSE_COUNT + 1];
    uint32_t leaves;
} eng_result;

static int question_index(const dp_case *c, uint32_t question)
{
    uint32_t j;
    for (j = 0; j < c->nq; j++) {
        if (c->q[j].q->question == question) return (int)j;
    }
    return -1;
}

/* The engine's expected minutes over the answers it may get: the events of
 * this node are those after the script's last answer. */
static int engine_tree(const dp_case *c, uint32_t policy, uint8_t *script, uint32_t len, eng_result *out, int print)
{
    ev evs[160];
    uint32_t nev = 0, i, k, seen_q = 0;
    double w[LKR__CAUSE_COUNT + 1];
    int rc = replay(c, policy, script, len, evs, &nev, 160), own = len == 0;
    if (rc < 0) return -1;
    memcpy(w, c->post, sizeof(w));
    if (print) {
        printf("optimal.path.%s.%s.", lkr_protocol_name(c->protocol), lkr__causes[c->cause].sid);
        for (i = 0; i < len; i++) printf("%c", "-ynd"[script[i]]);
        printf("%s=", len ? "" : "start");
    }
    for (i = 0; i < nev; i++) {
        double z = 0.0;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) z += w[k];
        if (!evs[i].question) {
            uint32_t step = evs[i].id;
            if (own) {
                out->e += lkr__steps[step].cost_min * z;
                for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
                    out->per[k] += lkr__steps[step].cost_min * w[k];
                    out->r += w[k] * lkr__fix_permille(step, k) / 1000.0;
                }
                if (print) printf("%s ", lkr__steps[step].sid);
            }
            for (k = 1; k <= LKR__CAUSE_COUNT; k++) w[k] *= 1.0 - lkr__fix_permille(step, k) / 1000.0;
        } else {
            int j = question_index(c, evs[i].id);
            if (j < 0) return -1; /* a question the DP does not know applies */
            if (seen_q < len) {
                for (k = 1; k <= LKR__CAUSE_COUNT; k++) w[k] *= p_answer(&c->q[j], script[seen_q], k);
                if (++seen_q == len) own = 1;
            } else {
                out->e += c->q[j].cost * z;
                out->questions += z;
                for (k = 1; k <= LKR__CAUSE_COUNT; k++) out->per[k] += c->q[j].cost * w[k];
                if (print) printf("[%s?] ", c->q[j].q->sid);
            }
        }
    }
    if (print) printf("\n");
    if (rc == 1) {
        uint8_t a;
        if (len >= MAXQ) return -1;
        for (a = ANS_YES; a <= ANS_DK; a++) {
            script[len] = a;
            if (engine_tree(c, policy, script, len + 1, out, print) != 0) return -1;
        }
    } else {
        out->leaves++;
    }
    return 0;
}

static int engine(const dp_case *c, uint32_t policy, eng_result *out)
{
    uint8_t script[MAXQ + 1];
    memset(out, 0, sizeof(*out));
    return engine_tree(c, policy, script, 0, out, getenv("BENCH_OPTIMAL_PATHS") != NULL);
}

/* A check of engine(): n runs of the same model drawn at random (the true
 * cause from post, each answer from P(answer | cause), each step fixing with
 * its probability), the engine replayed on the answers drawn; returns the
 * mean minutes and their standard error. */
static int engine_sampled(const dp_case *c, uint32_t policy, uint32_t n, bench_rng *rng, double *mean, double *se)
{
    double sum = 0.0, sq = 0.0;
    uint32_t run, k;
    for (run = 0; run < n; run++) {
        uint8_t drawn[LKR_QUESTION_MAX + 1], script[MAXQ + 1];
        uint32_t len = 0, cause = 0, i;
        double x = (double)(bench_u64(rng) >> 11) * (1.0 / 9007199254740992.0), minutes = 0.0;
        ev evs[160];
        uint32_t nev = 0;
        int rc;
        for (k = 1; k <= LKR__CAUSE_COUNT && cause == 0; k++) {
            if (c->post[k] > 0 && x < c->post[k]) cause = k;
            x -= c->post[k];
        }
        if (cause == 0) cause = c->cause;
        for (k = 0; k < c->nq; k++) {
            double u = (double)(bench_u64(rng) >> 11) * (1.0 / 9007199254740992.0);
            drawn[c->q[k].q->question] = u < c->q[k].dk                                            ? ANS_DK
                                         : u < c->q[k].dk + (1 - c->q[k].dk) * c->q[k].yes[cause] ? ANS_YES
                                                                                                  : ANS_NO;
        }
        for (;;) {
            rc = replay(c, policy, script, len, evs, &nev, 160);
            if (rc < 0) return -1;
            if (rc == 0) break;
            if (len >= MAXQ) return -1;
            script[len] = drawn[evs[nev - 1].id];
            len++;
        }
        for (i = 0; i < nev; i++) {
            if (evs[i].question) {
                minutes += lkr__vq_of(evs[i].id)->cost_min;
                continue;
            }
            minutes += lkr__steps[evs[i].id].cost_min;
            if ((double)(bench_u64(rng) >> 11) * (1.0 / 9007199254740992.0) <
                lkr__fix_permille(evs[i].id, cause) / 1000.0)
                break;
        }
        sum += minutes;
        sq += minutes * minutes;
    }
    *mean = sum / n;
    *se = sqrt((sq / n - *mean * *mean) / n);
    return 0;
}

/* ---- one case ---------------------------------------------------------------- */

static int setup_case(dp_case *c, uint32_t protocol, uint32_t cause)
{
    lkr_sim_config cfg;
    lkr_sim *sim = NULL;
    lkr_diagnosis d;
    uint32_t id, k, j;
    double z = 0;
    memo keep = c->m;
    memset(c, 0, sizeof(*c));
    c->m = keep;
    lkr_sim_config_init(&cfg);
    cfg.protocol = protocol;
    cfg.has_bridge = protocol == LKR_PROTOCOL_WIFI ? LKR_YES : LKR_NO;
    cfg.causes[0] = cause;
    cfg.cause_count = 1;
    cfg.seed = 1;
    cfg.flags |= LKR_SIM_F_DRAWN_ANSWERS; /* the report without the questions' facts */
    if (lkr_sim_new(&cfg, NULL, &sim) != LKR_OK || lkr_sim_profile(sim, &c->prof) != LKR_OK ||
        lkr_sim_observations(sim, &c->obs) != LKR_OK) {
        lkr_sim_free(sim);
        return -1;
    }
    lkr_sim_free(sim);
    c->protocol = protocol;
    c->cause = cause;
    memset(&d, 0, sizeof(d));
    d.struct_size = (uint32_t)sizeof(d);
    lkr__diagnose(&c->prof, &c->obs, NULL, &d, c->post);
    c->symptom = d.symptom;
    for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
        if (!bench_cause_possible(protocol, k)) c->post[k] = 0;
        z += c->post[k];
    }
    for (k = 1; k <= LKR__CAUSE_COUNT; k++) c->post[k] = z > 0 ? c->post[k] / z : 0;
    if (c->obs.update_state == LKR_UPDATE_IN_PROGRESS) return 1; /* left out: see the header */
    c->code_ladder = d.symptom == LKR_SYMPTOM_ONE_CODE_REJECTED || d.symptom == LKR_SYMPTOM_ALL_CODES_REJECTED;
    for (id = 1; id <= LKR__STEP_COUNT; id++) {
        const lkr__step_def *sd = &lkr__steps[id];
        double any = 0;
        if ((sd->flags & (LKR_STEP_F_FOLLOWUP_ONLY | LKR_STEP_F_PREPARATION | LKR_STEP_F_TERMINAL)) ||
            !in_ladder(sd->tier, c->code_ladder) || sd->tier == LKR_TIER_TRIAGE ||
            !lkr__step_applies(id, &c->prof, &c->obs))
            continue;
        if ((c->obs.hub_online == LKR_NO || c->obs.bridge_online == LKR_NO || c->obs.router_online == LKR_NO) &&
            lkr__step_class(id, protocol) >= LKR__CLASS_REPAIR)
            continue;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) any += c->post[k] * lkr__fix_permille(id, k);
        if (any <= 0) continue;
        if (c->n == MAXL) return -1;
        c->step[c->n] = id;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) c->fix[c->n][k] = lkr__fix_permille(id, k) / 1000.0;
        c->cost[c->n] = sd->cost_min;
        c->rank[c->n] = lkr__step_rank(id, protocol);
        c->tier[c->n] = sd->tier;
        c->reset_class[c->n] = lkr__step_class(id, protocol) == LKR__CLASS_RESET;
        c->repair_class[c->n] = lkr__step_class(id, protocol) >= LKR__CLASS_REPAIR;
        c->n++;
    }
    /* The questions that apply (voi.c, askable): the protocol, the hub on
     * Wi-Fi only through a bridge, the fact not in the report. */
    for (j = 0; j < LKR__VQ_COUNT && !c->code_ladder; j++) {
        const lkr__vquestion *q = &lkr__vquestions[j];
        const uint8_t *fact = (const uint8_t *)&c->obs + (protocol == LKR_PROTOCOL_WIFI ? q->fact_at_wifi : q->fact_at);
        dp_q *dq = &c->q[c->nq];
        if (!(q->protocols & LKR_PROTOCOL_BIT(protocol)) || *fact != LKR_UNKNOWN ||
            (q->question == LKR_QUESTION_HUB_DEVICES && protocol == LKR_PROTOCOL_WIFI && c->prof.has_bridge != LKR_YES))
            continue;
        dq->q = q;
        dq->dk = q->dont_know_permille / 1000.0;
        dq->cost = q->cost_min;
        dq->no_repair = q->no_repair_on_no;
        dq->ble_second_phone = q->question == LKR_QUESTION_SECOND_PHONE && protocol == LKR_PROTOCOL_BLE;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) dq->yes[k] = lkr__vq_yes_permille(q, k) / 1000.0;
        c->nq++;
    }
    return 0;
}

/* ---- the figures --------------------------------------------------------------- */

enum { F_ENG, F_ENG_NOQ, F_OPT, F_OPT_NOQ, F_FREE, F_FREE_NOQ, F_PERFECT, F_ENG_R, F_OPT_R, F_ENG_Q, F_OPT_Q, NF };
static const char *const fig_names[NF] = {"engine_minutes",
                                          "engine_without_questions_minutes",
                                          "optimal_minutes",
                                          "optimal_without_questions_minutes",
                                          "optimal_without_class_rule_minutes",
                                          "optimal_without_class_rule_or_questions_minutes",
                                          "perfect_information_minutes",
                                          "engine_fixed_share",
                                          "optimal_fixed_share",
                                          "engine_questions_per_run",
                                          "optimal_questions_per_run"};

/* Sums per distribution, per protocol (0: all, filled at the end). */
typedef struct agg {
    double f[NF];
    double w;
} agg;

static void agg_add(agg *a, double wt, const double *f)
{
    int i;
    for (i = 0; i < NF; i++) a->f[i] += wt * f[i];
    a->w += wt;
}

static double share(double noq, double q, double perfect)
{
    return noq - perfect > 1e-12 ? (noq - q) / (noq - perfect) : 0.0;
}

int main(void)
{
    static dp_case c;
    static agg by[NDIST][LKR_PROTOCOL_MAX + 1], sym[NDIST][LKR_PROTOCOL_MAX + 1];
    /* per true cause (protocols equally likely): the engine's minutes, the optimum's */
    static double gap_eng[NDIST][LKR_PROTOCOL_MAX + 1][LKR__CAUSE_COUNT + 1];
    static double gap_opt[NDIST][LKR_PROTOCOL_MAX + 1][LKR__CAUSE_COUNT + 1];
    static double gap_noq[NDIST][LKR_PROTOCOL_MAX + 1][LKR__CAUSE_COUNT + 1];
    static double gap_perf[NDIST][LKR_PROTOCOL_MAX + 1][LKR__CAUSE_COUNT + 1];
    uint32_t p, cause, k;
    int d, big = 0, skipped = 0, cases = 0, errors = 0, under = 0, i;
    double t0 = bench_now_s();
    c.m.w = malloc(sizeof(double) * CAP);
    c.m.r = malloc(sizeof(double) * CAP);
    c.m.gen = calloc(CAP, sizeof(uint32_t));
    if (!c.m.w || !c.m.r || !c.m.gen) return 2;
    for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
        for (cause = 1; cause <= LKR__CAUSE_COUNT; cause++) {
            double f[NF], delta[LKR__CAUSE_COUNT + 1];
            double per_perf[LKR__CAUSE_COUNT + 1];
            dp_result opt, opt_noq, fr, fr_noq, pi;
            eng_result eng, eng_noq;
            int r;
            if (!bench_cause_possible(p, cause)) continue;
            if (getenv("BENCH_OPTIMAL_ONLY") != NULL) { /* one case, "protocol.cause" */
                char name[96];
                (void)snprintf(name, sizeof(name), "%s.%s", lkr_protocol_name(p), lkr__causes[cause].sid);
                if (strcmp(name, getenv("BENCH_OPTIMAL_ONLY")) != 0) continue;
            }
            r = setup_case(&c, p, cause);
            if (r != 0) {
                if (r > 0) skipped++;
                else errors++;
                continue;
            }
            if (optimum(&c, c.post, 1, 0, 1, &opt) != 0 || optimum(&c, c.post, 0, 0, 1, &opt_noq) != 0 ||
                optimum(&c, c.post, 1, 1, 0, &fr) != 0 || optimum(&c, c.post, 0, 1, 0, &fr_noq) != 0) {
                printf("optimal.over_cap.%s.%s=%u candidate steps, %u questions\n", lkr_protocol_name(p),
                       lkr__causes[cause].sid, c.n, c.nq);
                big++;
                continue;
            }
            /* perfect information: the cause known, no questions */
            memset(per_perf, 0, sizeof(per_perf));
            f[F_PERFECT] = 0.0;
            for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
                if (c.post[k] <= 0) continue;
                memset(delta, 0, sizeof(delta));
                delta[k] = 1.0;
                (void)optimum(&c, delta, 0, 0, 0, &pi); /* within the cap: the same states as above, fewer */
                f[F_PERFECT] += c.post[k] * pi.v;
                per_perf[k] = c.post[k] * pi.v;
            }
            if (engine(&c, LKR__POLICY_ADAPTIVE, &eng) != 0 || engine(&c, LKR__POLICY_NO_QUESTIONS, &eng_noq) != 0) {
                printf("optimal.error.%s.%s=the engine's run failed\n", lkr_protocol_name(p), lkr__causes[cause].sid);
                errors++;
                continue;
            }
            if (getenv("BENCH_OPTIMAL_CHECK") != NULL) {
                /* BENCH_OPTIMAL_CHECK=n: the exact figure against n sampled runs */
                static bench_rng rng = {0xC4EC4ull};
                double m, se;
                if (engine_sampled(&c, LKR__POLICY_ADAPTIVE, (uint32_t)atoi(getenv("BENCH_OPTIMAL_CHECK")), &rng, &m,
                                   &se) != 0) {
                    errors++;
                } else {
                    printf("optimal.check.%s.%s=exact %.3f, sampled %.3f +- %.3f (z %.2f)\n", lkr_protocol_name(p),
                           lkr__causes[cause].sid, eng.e, m, se, se > 0 ? (m - eng.e) / se : 0.0);
                }
            }
            cases++;
            f[F_ENG] = eng.e;
            f[F_ENG_NOQ] = eng_noq.e;
            f[F_OPT] = opt.v;
            f[F_OPT_NOQ] = opt_noq.v;
            f[F_FREE] = fr.v;
            f[F_FREE_NOQ] = fr_noq.v;
            f[F_ENG_R] = eng.r;
            f[F_OPT_R] = opt.r;
            f[F_ENG_Q] = eng.questions;
            f[F_OPT_Q] = opt.questions;
            if (eng.e < opt.v - 1e-6 || eng_noq.e < opt_noq.v - 1e-6) under++;
            printf("optimal.case.%s.%s=engine %.2f, without questions %.2f; optimal %.2f, without questions %.2f, "
                   "without the class rule %.2f; perfect information %.2f; steps %u, questions %u (engine asks %.2f, "
                   "optimum %.2f); fixed %.3f engine, %.3f optimum; symptom %s\n",
                   lkr_protocol_name(p), lkr__causes[cause].sid, eng.e, eng_noq.e, opt.v, opt_noq.v, fr.v,
                   f[F_PERFECT], c.n, c.nq, eng.questions, opt.questions, eng.r, opt.r, lkr__symptoms[c.symptom].sid);
            for (d = 0; d < NDIST; d++) {
                double wt = bench_cause_weight(p, cause, d);
                agg_add(&by[d][p], wt, f);
                if (c.symptom == LKR_SYMPTOM_LOCAL_OK_APP_OFFLINE) agg_add(&sym[d][p], wt, f);
                for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
                    gap_eng[d][p][k] += wt * eng.per[k];
                    gap_opt[d][p][k] += wt * opt.per[k];
                    gap_noq[d][p][k] += wt * eng_noq.per[k];
                    gap_perf[d][p][k] += wt * per_perf[k];
                }
            }
        }
    }
    for (d = 0; d < NDIST; d++) {
        double tw = 0, pw[LKR_PROTOCOL_MAX + 1];
        agg all, sall;
        memset(&all, 0, sizeof(all));
        memset(&sall, 0, sizeof(sall));
        for (p = 1; p <= LKR_PROTOCOL_MAX; p++) tw += by[d][p].w > 0 ? 1 : 0;
        /* protocols equally likely, each weighted by its causes */
        for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
            pw[p] = by[d][p].w > 0 ? 1.0 / (by[d][p].w * tw) : 0.0;
            for (i = 0; i < NF; i++) {
                all.f[i] += by[d][p].f[i] * pw[p];
                sall.f[i] += sym[d][p].f[i] * pw[p];
            }
            all.w += by[d][p].w * pw[p];
            sall.w += sym[d][p].w * pw[p];
        }
        for (p = 0; p <= LKR_PROTOCOL_MAX; p++) {
            const char *pn = p ? lkr_protocol_name(p) : "all";
            double m[NF];
            for (i = 0; i < NF; i++) m[i] = p ? (by[d][p].w > 0 ? by[d][p].f[i] / by[d][p].w : 0) : all.f[i];
            for (i = 0; i < NF; i++) printf("optimal.%s.%s.%s=%.4f\n", bench_dist_name(d), pn, fig_names[i], m[i]);
            printf("optimal.%s.%s.engine_over_optimal=%.4f\n", bench_dist_name(d), pn,
                   m[F_OPT] > 0 ? m[F_ENG] / m[F_OPT] : 0);
            printf("optimal.%s.%s.engine_over_optimal_without_questions=%.4f\n", bench_dist_name(d), pn,
                   m[F_OPT_NOQ] > 0 ? m[F_ENG_NOQ] / m[F_OPT_NOQ] : 0);
            printf("optimal.%s.%s.vpi_share_engine=%.4f\n", bench_dist_name(d), pn,
                   share(m[F_ENG_NOQ], m[F_ENG], m[F_PERFECT]));
            printf("optimal.%s.%s.vpi_share_optimal=%.4f\n", bench_dist_name(d), pn,
                   share(m[F_OPT_NOQ], m[F_OPT], m[F_PERFECT]));
        }
        /* "keypad works, app offline": its share of the cases (weight), of
         * the value of perfect information, and what the questions recover */
        {
            double sw = sall.w, m[NF];
            for (i = 0; i < NF; i++) m[i] = sw > 0 ? sall.f[i] / sw : 0;
            printf("optimal.%s.local_ok_app_offline.weight=%.4f\n", bench_dist_name(d), sw);
            for (i = 0; i < NF; i++)
                printf("optimal.%s.local_ok_app_offline.%s=%.4f\n", bench_dist_name(d), fig_names[i], m[i]);
            printf("optimal.%s.local_ok_app_offline.vpi_of_all=%.4f\n", bench_dist_name(d),
                   all.f[F_OPT_NOQ] - all.f[F_PERFECT] > 0
                       ? (sall.f[F_OPT_NOQ] - sall.f[F_PERFECT]) / (all.f[F_OPT_NOQ] - all.f[F_PERFECT])
                       : 0);
            printf("optimal.%s.local_ok_app_offline.vpi_share_engine=%.4f\n", bench_dist_name(d),
                   share(m[F_ENG_NOQ], m[F_ENG], m[F_PERFECT]));
            printf("optimal.%s.local_ok_app_offline.vpi_share_optimal=%.4f\n", bench_dist_name(d),
                   share(m[F_OPT_NOQ], m[F_OPT], m[F_PERFECT]));
        }
        /* Where the engine is furthest from the optimum, by true cause: the
         * minutes each spends on it (protocols equally likely) and its share
         * of the gap. */
        {
            double total = all.f[F_ENG] - all.f[F_OPT];
            printf("optimal.%s.gap_minutes=%.4f\n", bench_dist_name(d), total);
            for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
                double e = 0, o = 0, nq = 0, pf = 0;
                for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
                    e += gap_eng[d][p][k] * pw[p];
                    o += gap_opt[d][p][k] * pw[p];
                    nq += gap_noq[d][p][k] * pw[p];
                    pf += gap_perf[d][p][k] * pw[p];
                }
                if (e == 0 && o == 0 && nq == 0) continue;
                printf("optimal.bycause.%s.%s=engine %.3f, without questions %.3f, optimal %.3f, perfect %.3f "
                       "(minutes, weighted by the cause's share); share of the engine's gap %.3f\n",
                       bench_dist_name(d), lkr__causes[k].sid, e, nq, o, pf, total != 0 ? (e - o) / total : 0);
            }
        }
    }
    printf("optimal.cases=%d\noptimal.cases_left_out_running_update=%d\noptimal.cases_over_cap=%d\n", cases,
           skipped, big);
    printf("optimal.case_errors=%d\n", errors);
    printf("optimal.cases_engine_under_optimum=%d\n", under);
    printf("optimal.memo_cap=%u\noptimal.memo_high=%u\n", CAP, c.m.high);
    printf("optimal.seconds=%.1f\n", bench_now_s() - t0);
    free(c.m.w);
    free(c.m.r);
    free(c.m.gen);
    return errors != 0;
}
