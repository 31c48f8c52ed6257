/*
 * The engine against the Bayes-optimal policy under the same rules, by exact
 * dynamic programming over belief states.
 *
 * The model (the noisy world of bench_quality): a person reports the fixed
 * facts of a fault; the true fault follows the engine's own starting
 * posterior given them; a step fixes cause c with the catalog's probability,
 * independently; nothing else is learnt (questions answered "don't know",
 * no probe). A belief state is then the set S of steps tried and failed:
 * b_S(c) = post(c) * prod_{s in S} (1 - fix(s, c)), Z(S) = sum_c b_S(c), and
 * the expected person-minutes to the end, weighted by Z, obey
 *
 *     W(S) = min over allowed s of [ cost(s) * Z(S) + W(S u {s}) ],  W = 0 when none,
 *
 * with the optimum V = W({}) / Z({}). Allowed: the library's candidates (the
 * step fits the lock, is in the ladder's tiers, is indicated: P(fix) >= 2 %,
 * the reset >= 50 %, nothing that may erase codes while the hub is reported
 * offline), restricted to the lowest least-destructive-first rank left: the
 * same safety rules as the engine, in any order within a class and any tier.
 * Preparations (the code backup), follow-ups and hand-overs are not counted
 * (the engine's figure below leaves them out too).
 *
 * The engine's expected minutes in the same model are exact too: the engine
 * is deterministic, and a run goes on only while every step fails, so a real
 * session driven with "not fixed" at every verification gives the one path
 * s_1, s_2, ... it takes, and E = sum_k cost(s_k) * Z({s_1..s_k-1}) / Z({}).
 *
 * The same optimum without the class rule (any candidate, any order) says
 * what the rule costs in this model.
 *
 * Cases: every protocol x every cause possible on it (its fixed facts), no
 * ecosystem, a bridge on Wi-Fi; weighted by the cause distribution (priors,
 * uniform, reversed). A case whose state space passes the cap is counted and
 * left out (reported); cases where an update may still be transferring are
 * left out (the engine only asks and hands over there).
 *
 *   bench_optimal            prints key=value lines (BENCH_OPTIMAL_PATHS=1: and
 *                            the engine's all-fail path of every case)
 */
#include "bench_common.h"

#define MAXL 32
#define CAP (1u << 22)

typedef struct memo {
    uint32_t *keys;
    double *vals;
    uint8_t *used;
    uint32_t size, count;
} memo;

typedef struct dp_case {
    uint32_t protocol;
    lkr_profile prof;
    lkr_observations obs;
    double post[LKR__CAUSE_COUNT + 1];
    uint32_t n;                       /* candidate steps */
    uint32_t step[MAXL];
    double fix[MAXL][LKR__CAUSE_COUNT + 1];
    uint32_t cost[MAXL], rank[MAXL], reset_class[MAXL];
    memo m;
    int overflow;
    int free_order; /* 1: any candidate, the class rule off (what the rule costs) */
} dp_case;

static int memo_get(memo *m, uint32_t k, double *v)
{
    uint32_t h = (k * 2654435761u) & (m->size - 1);
    while (m->used[h]) {
        if (m->keys[h] == k) {
            *v = m->vals[h];
            return 1;
        }
        h = (h + 1) & (m->size - 1);
    }
    return 0;
}

static int memo_put(memo *m, uint32_t k, double v)
{
    uint32_t h = (k * 2654435761u) & (m->size - 1);
    if (m->count * 2 >= m->size) return -1;
    while (m->used[h]) h = (h + 1) & (m->size - 1);
    m->used[h] = 1;
    m->keys[h] = k;
    m->vals[h] = v;
    m->count++;
    return 0;
}

static int in_ladder(uint32_t tier, int code_ladder)
{
    if (code_ladder)
        return tier == LKR_TIER_TRIAGE || tier == LKR_TIER_CODE || tier == LKR_TIER_RESET;
    return tier != LKR_TIER_CODE && tier != LKR_TIER_SUPPORT;
}

/* W(S): b is b_S, z its sum. */
static double solve(dp_case *c, uint32_t S, const double *b, double z)
{
    double best = -1.0, v, nb[LKR__CAUSE_COUNT + 1];
    uint32_t i, k, low = 0;
    double pf[MAXL];
    int ok[MAXL];
    if (memo_get(&c->m, S, &v)) return v;
    if (z <= 1e-15) return 0.0;
    for (i = 0; i < c->n; i++) {
        double sum = 0.0;
        ok[i] = 0;
        if (S & (1u << i)) continue;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) sum += b[k] * c->fix[i][k];
        pf[i] = sum / z;
        if (pf[i] < (c->reset_class[i] ? LKR__RESET_MIN_FIX : LKR__MIN_FIX)) continue;
        ok[i] = 1;
        if (low == 0 || c->rank[i] < low) low = c->rank[i];
    }
    for (i = 0; i < c->n; i++) {
        double nz = 0.0;
        if (!ok[i] || (!c->free_order && c->rank[i] != low)) continue;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
            nb[k] = b[k] * (1.0 - c->fix[i][k]);
            nz += nb[k];
        }
        v = (double)c->cost[i] * z + solve(c, S | (1u << i), nb, nz);
        if (best < 0 || v < best) best = v;
    }
    if (best < 0) best = 0.0; /* nothing allowed: handed over */
    if (memo_put(&c->m, S, best) != 0) c->overflow = 1;
    return best;
}

/* ---- the engine's path: a real session, every step failing --------------- */

static uint64_t clock_now(void *ctx)
{
    return *(uint64_t *)ctx;
}

/* The steps the engine judges, in order, until it hands over (or 0 on error). */
static uint32_t engine_path(const dp_case *c, uint32_t *path, uint32_t cap)
{
    lkr_session_config sc;
    lkr_transport t;
    lkr_session *s = NULL;
    lkr_action a = LKR_ACTION_INIT;
    uint64_t now = 1000000;
    uint32_t i, n = 0, g;
    lkr_transport_init(&t);
    t.ctx = &now;
    t.now_ms = clock_now;
    lkr_session_config_init(&sc);
    sc.profile = &c->prof;
    sc.observations = &c->obs;
    if (lkr_session_new(&sc, &t, &s) != LKR_OK) return 0;
    for (i = 0; i < 4000; i++) {
        lkr_status st = LKR_OK;
        if (lkr_session_next(s, &a) != LKR_OK || lkr_action_is_final(&a)) break;
        switch (a.kind) {
        case LKR_ACTION_ASK:
            st = lkr_session_answer(s, a.question, a.question == LKR_QUESTION_UPDATE_STALLED_MIN ? LKR_NUM_UNKNOWN
                                                                                                : LKR_UNKNOWN);
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
        if (st != LKR_OK) break;
    }
    for (i = 0; i < s->hist_count && n < cap; i++) {
        uint32_t step = s->hist[i].step;
        if ((lkr__steps[step].flags & (LKR_STEP_F_FOLLOWUP_ONLY | LKR_STEP_F_PREPARATION | LKR_STEP_F_TERMINAL)) ||
            !lkr__outcome_performed(s->hist[i].outcome))
            continue;
        path[n++] = step;
    }
    lkr_session_free(s);
    return n;
}

/* ---- one case ---------------------------------------------------------------- */

static int setup_case(dp_case *c, uint32_t protocol, uint32_t cause)
{
    lkr_sim_config cfg;
    lkr_sim *sim = NULL;
    lkr_diagnosis d;
    uint32_t id, k;
    int code_ladder;
    double z = 0;
    memset(c, 0, sizeof(*c));
    lkr_sim_config_init(&cfg);
    cfg.protocol = protocol;
    cfg.has_bridge = protocol == LKR_PROTOCOL_WIFI ? LKR_YES : LKR_NO;
    cfg.causes[0] = cause;
    cfg.cause_count = 1;
    cfg.seed = 1;
    if (lkr_sim_new(&cfg, NULL, &sim) != LKR_OK || lkr_sim_profile(sim, &c->prof) != LKR_OK ||
        lkr_sim_observations(sim, &c->obs) != LKR_OK) {
        lkr_sim_free(sim);
        return -1;
    }
    lkr_sim_free(sim);
    c->protocol = protocol;
    memset(&d, 0, sizeof(d));
    d.struct_size = (uint32_t)sizeof(d);
    lkr__diagnose(&c->prof, &c->obs, NULL, &d, c->post);
    for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
        if (!bench_cause_possible(protocol, k)) c->post[k] = 0;
        z += c->post[k];
    }
    for (k = 1; k <= LKR__CAUSE_COUNT; k++) c->post[k] = z > 0 ? c->post[k] / z : 0;
    if (c->obs.update_state == LKR_UPDATE_IN_PROGRESS) return 1; /* left out: see the header */
    code_ladder = d.symptom == LKR_SYMPTOM_ONE_CODE_REJECTED || d.symptom == LKR_SYMPTOM_ALL_CODES_REJECTED;
    for (id = 1; id <= LKR__STEP_COUNT; id++) {
        const lkr__step_def *sd = &lkr__steps[id];
        double any = 0;
        if ((sd->flags & (LKR_STEP_F_FOLLOWUP_ONLY | LKR_STEP_F_PREPARATION | LKR_STEP_F_TERMINAL)) ||
            !in_ladder(sd->tier, code_ladder) || sd->tier == LKR_TIER_TRIAGE ||
            !lkr__step_applies(id, &c->prof, &c->obs))
            continue;
        if ((c->obs.hub_online == LKR_NO || c->obs.router_online == LKR_NO) &&
            lkr__step_class(id, protocol) >= LKR__CLASS_REPAIR)
            continue;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) any += c->post[k] * lkr__fix_permille(id, k);
        if (any <= 0) continue;
        if (c->n == MAXL) return -1;
        c->step[c->n] = id;
        for (k = 1; k <= LKR__CAUSE_COUNT; k++) c->fix[c->n][k] = lkr__fix_permille(id, k) / 1000.0;
        c->cost[c->n] = sd->cost_min;
        c->rank[c->n] = lkr__step_rank(id, protocol);
        c->reset_class[c->n] = lkr__step_class(id, protocol) == LKR__CLASS_RESET;
        c->n++;
    }
    return 0;
}

int main(void)
{
    static dp_case c;
    uint32_t p, cause, path[128], n, i, k;
    double eng[3][LKR_PROTOCOL_MAX + 1], opt[3][LKR_PROTOCOL_MAX + 1], w[3][LKR_PROTOCOL_MAX + 1];
    double fre[3][LKR_PROTOCOL_MAX + 1];
    int d, big = 0, skipped = 0, cases = 0;
    double t0 = bench_now_s();
    memset(eng, 0, sizeof(eng));
    memset(opt, 0, sizeof(opt));
    memset(w, 0, sizeof(w));
    memset(fre, 0, sizeof(fre));
    c.m.size = CAP;
    c.m.keys = malloc(sizeof(uint32_t) * CAP);
    c.m.vals = malloc(sizeof(double) * CAP);
    c.m.used = malloc(CAP);
    if (!c.m.keys || !c.m.vals || !c.m.used) return 2;
    for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
        for (cause = 1; cause <= LKR__CAUSE_COUNT; cause++) {
            double b[LKR__CAUSE_COUNT + 1], v, vf, e = 0, z0 = 0, zk;
            memo keep = c.m;
            int r;
            if (!bench_cause_possible(p, cause)) continue;
            r = setup_case(&c, p, cause);
            c.m = keep;
            if (r != 0) {
                skipped++;
                continue;
            }
            memset(c.m.used, 0, CAP);
            c.m.count = 0;
            c.overflow = 0;
            for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
                b[k] = c.post[k];
                z0 += b[k];
            }
            v = solve(&c, 0, b, z0) / z0;
            if (c.overflow) {
                big++;
                continue;
            }
            /* the same without the class rule: what the rule costs */
            memset(c.m.used, 0, CAP);
            c.m.count = 0;
            c.free_order = 1;
            vf = solve(&c, 0, b, z0) / z0;
            c.free_order = 0;
            if (c.overflow) {
                big++;
                continue;
            }
            /* the engine's path, its expected minutes */
            n = engine_path(&c, path, 128);
            for (k = 1; k <= LKR__CAUSE_COUNT; k++) b[k] = c.post[k];
            for (i = 0; i < n; i++) {
                zk = 0;
                for (k = 1; k <= LKR__CAUSE_COUNT; k++) zk += b[k];
                e += lkr__steps[path[i]].cost_min * zk / z0;
                for (k = 1; k <= LKR__CAUSE_COUNT; k++) b[k] *= 1.0 - lkr__fix_permille(path[i], k) / 1000.0;
            }
            cases++;
            if (getenv("BENCH_OPTIMAL_PATHS") != NULL) {
                printf("optimal.path.%s.%s=", lkr_protocol_name(p), lkr__causes[cause].sid);
                for (i = 0; i < n; i++) printf("%s%s", i ? " " : "", lkr__steps[path[i]].sid);
                printf("\n");
            }
            printf("optimal.case.%s.%s=engine %.2f, optimal %.2f, optimal without the class rule %.2f, steps %u\n",
                   lkr_protocol_name(p), lkr__causes[cause].sid, e, v, vf, c.n);
            for (d = 0; d < 3; d++) {
                double wt = bench_cause_weight(p, cause, d);
                eng[d][p] += wt * e;
                opt[d][p] += wt * v;
                fre[d][p] += wt * vf;
                w[d][p] += wt;
            }
        }
    }
    for (d = 0; d < 3; d++) {
        double tw = 0;
        for (p = 1; p <= LKR_PROTOCOL_MAX; p++) tw += w[d][p] > 0 ? 1 : 0;
        for (p = 0; p <= LKR_PROTOCOL_MAX; p++) {
            double e = p ? eng[d][p] / w[d][p] : 0, o = p ? opt[d][p] / w[d][p] : 0;
            double f = p ? fre[d][p] / w[d][p] : 0;
            if (p == 0) {
                /* protocols equally likely, each weighted by its causes */
                uint32_t q;
                for (q = 1; q <= LKR_PROTOCOL_MAX; q++) {
                    e += eng[d][q] / w[d][q] / tw;
                    o += opt[d][q] / w[d][q] / tw;
                    f += fre[d][q] / w[d][q] / tw;
                }
            }
            printf("optimal.%s.%s.optimal_without_class_rule_minutes=%.3f\n", bench_dist_name(d),
                   p ? lkr_protocol_name(p) : "all", f);
            printf("optimal.%s.%s.engine_minutes=%.3f\n", bench_dist_name(d), p ? lkr_protocol_name(p) : "all", e);
            printf("optimal.%s.%s.optimal_minutes=%.3f\n", bench_dist_name(d), p ? lkr_protocol_name(p) : "all", o);
            printf("optimal.%s.%s.engine_over_optimal=%.4f\n", bench_dist_name(d), p ? lkr_protocol_name(p) : "all",
                   o > 0 ? e / o : 0);
        }
    }
    printf("optimal.cases=%d\noptimal.cases_left_out_running_update=%d\noptimal.cases_over_cap=%d\n", cases,
           skipped, big);
    printf("optimal.seconds=%.1f\n", bench_now_s() - t0);
    free(c.m.keys);
    free(c.m.vals);
    free(c.m.used);
    return 0;
}
