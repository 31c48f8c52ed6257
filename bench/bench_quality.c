/*
 * Recovery quality: the same sampled faults (the same lock seeds) recovered
 * under four step policies, guards, waits and verification being the same:
 *   fixed        the seed documents' order (catalog order within each tier),
 *   adaptive     the library (belief-weighted P(fix)/cost, least destructive
 *                first, and its questions worth asking),
 *   oracle       knows the fault: only steps that fix it, best P(fix)/cost first,
 *   noquestions  the library with its questions worth asking turned off
 *                (LKR__POLICY_NO_QUESTIONS): what the questions gain.
 * For each: mean person-minutes to the end (lkr_sim_stats.person_minutes,
 * whatever the end: recovered or handed to support), mean steps performed,
 * recovered share. Then adaptive/fixed, adaptive/oracle, and the share of the
 * fixed-to-oracle gap the adaptive policy closes. Done for three cause
 * distributions: the priors the library assumes, uniform over the causes
 * possible on the protocol, and the priors reversed. Every metric is given
 * over all faults and, separately labelled, without hardware_failure (no step
 * fixes it: every policy ends at support).
 *
 * The adaptive run is checked against lkr_sim_run() on the same lock: every
 * figure must be equal (the benchmark's driver is the simulator's own loop).
 *
 * Prints key=value lines for bench/run; exit 1 on a run error, an unsafe step
 * or a code lost.
 *
 *   bench_quality [faults per distribution, default 20000]
 */
#include "bench_common.h"
#include "bench_order.h"

/* The indices 0..2 are the original three (the ratios below use them). */
#define NPOL 4
#define NOQ 3
static const uint32_t policies[NPOL] = {LKR__POLICY_FIXED, LKR__POLICY_ADAPTIVE, LKR__POLICY_ORACLE,
                                        LKR__POLICY_NO_QUESTIONS};
static const char *const pol_names[NPOL] = {"fixed", "adaptive", "oracle", "noquestions"};

typedef struct acc {
    double minutes, steps, recovered, n, questions;
    /* the least-destructive-first rule (bench_order.h) */
    double destructive, needless_runs, violations, violation_runs, resets, useless_resets;
} acc;

/* The watcher's hook, and a count of the questions worth asking put. */
typedef struct counting_watch {
    order_watch w;
    uint32_t questions;
} counting_watch;

static void counting_hook(void *ctx, lkr_session *s, const lkr_action *a)
{
    counting_watch *cw = (counting_watch *)ctx;
    order_hook(&cw->w, s, a);
    if (a != NULL && a->kind == LKR_ACTION_ASK && lkr__vq_of(a->question) != NULL) cw->questions++;
}

static lkr_status watch_init(counting_watch *cw, lkr_sim *sim, uint32_t cause, bench_drive_opts *o)
{
    lkr_status st = order_watch_init(&cw->w, sim, cause, o);
    cw->questions = 0;
    o->hook = counting_hook;
    o->hook_ctx = cw;
    return st;
}

static void add(acc *a, const lkr_sim_result *r, const counting_watch *cw)
{
    const order_watch *w = &cw->w;
    a->questions += cw->questions;
    a->minutes += r->stats.person_minutes;
    a->steps += r->stats.steps_performed;
    a->recovered += r->final_kind == LKR_ACTION_RECOVERED;
    a->n += 1;
    a->destructive += w->destructive;
    a->needless_runs += w->needless > 0;
    a->violations += w->violations;
    a->violation_runs += w->violations > 0;
    a->resets += w->resets;
    a->useless_resets += w->useless_resets;
}

static double mean(double x, double n)
{
    return n > 0 ? x / n : 0.0;
}

int main(int argc, char **argv)
{
    unsigned long n = bench_arg(argc, argv, 1, 20000ul), i;
    int d, k, bad = 0;
    uint64_t unsafe = 0, lost = 0, errors = 0, mismatches = 0, mismatches_drawn = 0;
    double t0 = bench_now_s();

    printf("quality.faults=%lu\n", n);
    for (d = BENCH_DIST_PRIOR; d <= BENCH_DIST_REVERSED; d++) {
        /* [0]: all faults; [1]: without hardware_failure. */
        acc a[2][NPOL];
        acc by_cause[LKR__CAUSE_COUNT + 1][NPOL];
        bench_rng rng = {0xFA017ull + (uint64_t)d};
        memset(a, 0, sizeof(a));
        memset(by_cause, 0, sizeof(by_cause));
        for (i = 0; i < n; i++) {
            lkr_sim_config cfg;
            lkr_sim_result ref = LKR_SIM_RESULT_INIT;
            lkr_sim *sim = NULL;
            bench_sample_fault(&rng, d, &cfg);
            /* The reference: the library's own loop. */
            if (lkr_sim_new(&cfg, NULL, &sim) != LKR_OK || lkr_sim_run(sim, NULL, 0, &ref) != LKR_OK) {
                errors++;
            }
            lkr_sim_free(sim);
            /* The driver checked on the same lock with drawn answers too (the
             * noisy world's flag, which draws from the lock's own stream). */
            {
                lkr_sim_config dcfg = cfg;
                lkr_sim_result dref = LKR_SIM_RESULT_INIT, dr;
                bench_drive_opts o;
                memset(&o, 0, sizeof(o));
                o.policy = LKR__POLICY_ADAPTIVE;
                dcfg.flags |= LKR_SIM_F_DRAWN_ANSWERS;
                sim = NULL;
                if (lkr_sim_new(&dcfg, NULL, &sim) != LKR_OK || lkr_sim_run(sim, NULL, 0, &dref) != LKR_OK) {
                    errors++;
                }
                lkr_sim_free(sim);
                sim = NULL;
                if (lkr_sim_new(&dcfg, NULL, &sim) != LKR_OK || bench_recover(sim, &dcfg, &o, &dr) != LKR_OK) {
                    errors++;
                } else if (dr.final_kind != dref.final_kind || dr.actions != dref.actions ||
                           memcmp(&dr.stats, &dref.stats, sizeof(dr.stats)) != 0) {
                    mismatches_drawn++;
                }
                lkr_sim_free(sim);
            }
            for (k = 0; k < NPOL; k++) {
                bench_drive_opts o;
                lkr_sim_result r;
                counting_watch w;
                memset(&o, 0, sizeof(o));
                o.policy = policies[k];
                o.oracle_cause = cfg.causes[0];
                sim = NULL;
                if (lkr_sim_new(&cfg, NULL, &sim) != LKR_OK || watch_init(&w, sim, cfg.causes[0], &o) != LKR_OK ||
                    bench_recover(sim, &cfg, &o, &r) != LKR_OK) {
                    errors++;
                    lkr_sim_free(sim);
                    continue;
                }
                lkr_sim_free(sim);
                unsafe += r.stats.unsafe_steps;
                lost += r.stats.codes_lost;
                if (r.final_kind != LKR_ACTION_RECOVERED && r.final_kind != LKR_ACTION_NEEDS_SUPPORT) errors++;
                if (policies[k] == LKR__POLICY_ADAPTIVE &&
                    (r.final_kind != ref.final_kind || r.actions != ref.actions ||
                     memcmp(&r.stats, &ref.stats, sizeof(r.stats)) != 0)) {
                    mismatches++;
                }
                add(&a[0][k], &r, &w);
                add(&by_cause[cfg.causes[0]][k], &r, &w);
                if (cfg.causes[0] != LKR_CAUSE_HARDWARE_FAILURE) add(&a[1][k], &r, &w);
            }
        }
        for (k = 0; k < 2; k++) {
            const char *set = k == 0 ? "all" : "nohw";
            double m[NPOL], s[NPOL];
            int j;
            printf("quality.%s.%s.n=%.0f\n", bench_dist_name(d), set, a[k][0].n);
            for (j = 0; j < NPOL; j++) {
                m[j] = mean(a[k][j].minutes, a[k][j].n);
                s[j] = mean(a[k][j].steps, a[k][j].n);
                printf("quality.%s.%s.%s.minutes=%.3f\n", bench_dist_name(d), set, pol_names[j], m[j]);
                printf("quality.%s.%s.%s.steps=%.3f\n", bench_dist_name(d), set, pol_names[j], s[j]);
                printf("quality.%s.%s.%s.recovered=%.4f\n", bench_dist_name(d), set, pol_names[j],
                       mean(a[k][j].recovered, a[k][j].n));
                printf("quality.%s.%s.%s.destructive_per_1000=%.1f\n", bench_dist_name(d), set, pol_names[j],
                       1000.0 * mean(a[k][j].destructive, a[k][j].n));
                printf("quality.%s.%s.%s.needless_destructive_runs=%.4f\n", bench_dist_name(d), set,
                       pol_names[j], mean(a[k][j].needless_runs, a[k][j].n));
                printf("quality.%s.%s.%s.order_violations=%.0f\n", bench_dist_name(d), set, pol_names[j],
                       a[k][j].violations);
                printf("quality.%s.%s.%s.order_violation_runs=%.4f\n", bench_dist_name(d), set, pol_names[j],
                       mean(a[k][j].violation_runs, a[k][j].n));
                printf("quality.%s.%s.%s.resets_per_1000=%.1f\n", bench_dist_name(d), set, pol_names[j],
                       1000.0 * mean(a[k][j].resets, a[k][j].n));
                printf("quality.%s.%s.%s.useless_resets=%.0f\n", bench_dist_name(d), set, pol_names[j],
                       a[k][j].useless_resets);
                printf("quality.%s.%s.%s.questions_per_run=%.4f\n", bench_dist_name(d), set, pol_names[j],
                       mean(a[k][j].questions, a[k][j].n));
            }
            /* j: 0 fixed, 1 adaptive, 2 oracle */
            printf("quality.%s.%s.adaptive_over_fixed=%.4f\n", bench_dist_name(d), set, m[1] / m[0]);
            printf("quality.%s.%s.adaptive_over_oracle=%.4f\n", bench_dist_name(d), set, m[1] / m[2]);
            printf("quality.%s.%s.gap_closed=%.4f\n", bench_dist_name(d), set,
                   m[0] != m[2] ? (m[0] - m[1]) / (m[0] - m[2]) : 0.0);
            printf("quality.%s.%s.steps_adaptive_over_fixed=%.4f\n", bench_dist_name(d), set, s[1] / s[0]);
            printf("quality.%s.%s.steps_adaptive_over_oracle=%.4f\n", bench_dist_name(d), set, s[1] / s[2]);
            printf("quality.%s.%s.noquestions_over_fixed=%.4f\n", bench_dist_name(d), set, m[NOQ] / m[0]);
            printf("quality.%s.%s.adaptive_over_noquestions=%.4f\n", bench_dist_name(d), set, m[1] / m[NOQ]);
        }
        /* Where the minutes go: per true cause (for the profile of a miss). */
        for (k = 1; k <= (int)LKR__CAUSE_COUNT; k++) {
            if (by_cause[k][0].n == 0) continue;
            printf("quality.bycause.%s.%s=n %.0f, minutes fixed %.1f, adaptive %.1f, oracle %.1f, no questions %.1f; "
                   "steps %.2f / %.2f / %.2f; recovered %.2f / %.2f / %.2f\n",
                   bench_dist_name(d), lkr__causes[k].sid, by_cause[k][0].n,
                   mean(by_cause[k][0].minutes, by_cause[k][0].n), mean(by_cause[k][1].minutes, by_cause[k][1].n),
                   mean(by_cause[k][2].minutes, by_cause[k][2].n), mean(by_cause[k][NOQ].minutes, by_cause[k][NOQ].n),
                   mean(by_cause[k][0].steps, by_cause[k][0].n),
                   mean(by_cause[k][1].steps, by_cause[k][1].n), mean(by_cause[k][2].steps, by_cause[k][2].n),
                   mean(by_cause[k][0].recovered, by_cause[k][0].n),
                   mean(by_cause[k][1].recovered, by_cause[k][1].n),
                   mean(by_cause[k][2].recovered, by_cause[k][2].n));
        }
    }
    /* The sweep: every protocol x possible cause x seeds 1..5 (every
     * ecosystem linked, a bridge on Wi-Fi), the runs of issue-style reviews. */
    {
        acc sw[NPOL];
        uint32_t p, c, seed;
        memset(sw, 0, sizeof(sw));
        for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
            for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
                if (!bench_cause_possible(p, c)) continue;
                for (seed = 1; seed <= 5; seed++) {
                    lkr_sim_config cfg;
                    lkr_sim_config_init(&cfg);
                    cfg.protocol = p;
                    cfg.ecosystems = LKR_ECOSYSTEMS_ALL;
                    cfg.has_bridge = p == LKR_PROTOCOL_WIFI ? LKR_YES : LKR_NO;
                    cfg.causes[0] = c;
                    cfg.cause_count = 1;
                    cfg.seed = seed;
                    for (k = 0; k < NPOL; k++) {
                        bench_drive_opts o;
                        lkr_sim_result r;
                        counting_watch w;
                        lkr_sim *sim = NULL;
                        memset(&o, 0, sizeof(o));
                        o.policy = policies[k];
                        o.oracle_cause = c;
                        if (lkr_sim_new(&cfg, NULL, &sim) != LKR_OK || watch_init(&w, sim, c, &o) != LKR_OK ||
                            bench_recover(sim, &cfg, &o, &r) != LKR_OK) {
                            errors++;
                            lkr_sim_free(sim);
                            continue;
                        }
                        lkr_sim_free(sim);
                        unsafe += r.stats.unsafe_steps;
                        lost += r.stats.codes_lost;
                        add(&sw[k], &r, &w);
                        if (policies[k] == LKR__POLICY_ADAPTIVE && (w.w.violations || w.w.needless || w.w.useless_resets) &&
                            getenv("BENCH_ORDER_DETAIL") != NULL) {
                            printf("quality.sweep.detail=%s %s seed %u: violations %u (first %s), needless %u, "
                                   "useless resets %u\n",
                                   lkr_protocol_name(p), lkr__causes[c].sid, (unsigned)seed, w.w.violations,
                                   w.w.first_violation ? lkr__steps[w.w.first_violation].sid : "-", w.w.needless,
                                   w.w.useless_resets);
                        }
                    }
                }
            }
        }
        printf("quality.sweep.n=%.0f\n", sw[0].n);
        for (k = 0; k < NPOL; k++) {
            printf("quality.sweep.%s.minutes=%.3f\n", pol_names[k], mean(sw[k].minutes, sw[k].n));
            printf("quality.sweep.%s.recovered=%.4f\n", pol_names[k], mean(sw[k].recovered, sw[k].n));
            printf("quality.sweep.%s.destructive_per_1000=%.1f\n", pol_names[k],
                   1000.0 * mean(sw[k].destructive, sw[k].n));
            printf("quality.sweep.%s.needless_destructive_runs=%.4f\n", pol_names[k],
                   mean(sw[k].needless_runs, sw[k].n));
            printf("quality.sweep.%s.order_violations=%.0f\n", pol_names[k], sw[k].violations);
            printf("quality.sweep.%s.useless_resets=%.0f\n", pol_names[k], sw[k].useless_resets);
        }
        printf("quality.sweep.adaptive_over_fixed=%.4f\n", mean(sw[1].minutes, sw[1].n) / mean(sw[0].minutes, sw[0].n));
        printf("quality.sweep.adaptive_over_noquestions=%.4f\n",
               mean(sw[1].minutes, sw[1].n) / mean(sw[NOQ].minutes, sw[NOQ].n));
    }
    /* The noisy world: what the person reports is the fixed vector of a fault
     * drawn from the distribution (without the facts the questions worth
     * asking are about: LKR_SIM_F_DRAWN_ANSWERS), and the true fault is drawn
     * from the engine's own starting posterior given that report:
     * observations are as informative as the model says and no more. Later
     * answers and probes come from the true fault; the questions worth asking
     * are answered by a draw from the catalog's P(answer | true fault).
     * Per protocol and overall. */
    for (d = BENCH_DIST_PRIOR; d <= BENCH_DIST_REVERSED; d++) {
        acc nz[LKR_PROTOCOL_MAX + 1][NPOL];
        bench_rng rng = {0x5EED0ull + (uint64_t)d};
        uint32_t p;
        memset(nz, 0, sizeof(nz));
        for (i = 0; i < n; i++) {
            lkr_sim_config cfg;
            lkr_sim *sim = NULL;
            lkr_profile prof;
            lkr_observations seen;
            lkr_diagnosis dg;
            double post[LKR__CAUSE_COUNT + 1], x, total = 0.0;
            uint32_t c, truth = 0;
            bench_sample_fault(&rng, d, &cfg);
            /* The person does not know the facts the questions worth asking
             * are about until asked; asked, the answer is drawn from P(answer |
             * true cause), "don't know" included. */
            cfg.flags |= LKR_SIM_F_DRAWN_ANSWERS;
            if (lkr_sim_new(&cfg, NULL, &sim) != LKR_OK || lkr_sim_profile(sim, &prof) != LKR_OK ||
                lkr_sim_observations(sim, &seen) != LKR_OK) {
                errors++;
                lkr_sim_free(sim);
                continue;
            }
            lkr_sim_free(sim);
            memset(&dg, 0, sizeof(dg));
            dg.struct_size = (uint32_t)sizeof(dg);
            lkr__diagnose(&prof, &seen, NULL, &dg, post);
            for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
                if (!bench_cause_possible(cfg.protocol, c)) post[c] = 0.0;
                total += post[c];
            }
            x = (double)(bench_u64(&rng) >> 11) * (1.0 / 9007199254740992.0) * total;
            for (c = 1; c <= LKR__CAUSE_COUNT && truth == 0; c++) {
                if (post[c] > 0.0 && x < post[c]) truth = c;
                x -= post[c];
            }
            if (truth == 0) truth = cfg.causes[0];
            cfg.causes[0] = truth;
            for (k = 0; k < NPOL; k++) {
                bench_drive_opts o;
                lkr_sim_result r;
                counting_watch w;
                memset(&o, 0, sizeof(o));
                o.policy = policies[k];
                o.oracle_cause = truth;
                o.obs_override = &seen;
                sim = NULL;
                if (lkr_sim_new(&cfg, NULL, &sim) != LKR_OK || watch_init(&w, sim, truth, &o) != LKR_OK ||
                    bench_recover(sim, &cfg, &o, &r) != LKR_OK) {
                    errors++;
                    lkr_sim_free(sim);
                    continue;
                }
                lkr_sim_free(sim);
                unsafe += r.stats.unsafe_steps;
                lost += r.stats.codes_lost;
                add(&nz[0][k], &r, &w);
                add(&nz[cfg.protocol][k], &r, &w);
            }
        }
        for (p = 0; p <= LKR_PROTOCOL_MAX; p++) {
            const char *pn = p == 0 ? "all" : lkr_protocol_name(p);
            for (k = 0; k < NPOL; k++) {
                printf("quality.noisy.%s.%s.%s.minutes=%.3f\n", bench_dist_name(d), pn, pol_names[k],
                       mean(nz[p][k].minutes, nz[p][k].n));
                printf("quality.noisy.%s.%s.%s.recovered=%.4f\n", bench_dist_name(d), pn, pol_names[k],
                       mean(nz[p][k].recovered, nz[p][k].n));
            }
            for (k = 1; k < NPOL; k += NOQ - 1) { /* adaptive, noquestions */
                printf("quality.noisy.%s.%s.%s.needless_destructive_runs=%.4f\n", bench_dist_name(d), pn,
                       pol_names[k], mean(nz[p][k].needless_runs, nz[p][k].n));
                printf("quality.noisy.%s.%s.%s.order_violations=%.0f\n", bench_dist_name(d), pn, pol_names[k],
                       nz[p][k].violations);
                printf("quality.noisy.%s.%s.%s.useless_resets=%.0f\n", bench_dist_name(d), pn, pol_names[k],
                       nz[p][k].useless_resets);
                printf("quality.noisy.%s.%s.%s.destructive_per_1000=%.1f\n", bench_dist_name(d), pn, pol_names[k],
                       1000.0 * mean(nz[p][k].destructive, nz[p][k].n));
                printf("quality.noisy.%s.%s.%s.questions_per_run=%.4f\n", bench_dist_name(d), pn, pol_names[k],
                       mean(nz[p][k].questions, nz[p][k].n));
            }
            printf("quality.noisy.%s.%s.noquestions_over_fixed=%.4f\n", bench_dist_name(d), pn,
                   mean(nz[p][NOQ].minutes, nz[p][NOQ].n) / mean(nz[p][0].minutes, nz[p][0].n));
            printf("quality.noisy.%s.%s.adaptive_over_noquestions=%.4f\n", bench_dist_name(d), pn,
                   mean(nz[p][1].minutes, nz[p][1].n) / mean(nz[p][NOQ].minutes, nz[p][NOQ].n));
            printf("quality.noisy.%s.%s.adaptive_over_fixed=%.4f\n", bench_dist_name(d), pn,
                   mean(nz[p][1].minutes, nz[p][1].n) / mean(nz[p][0].minutes, nz[p][0].n));
            printf("quality.noisy.%s.%s.adaptive_over_oracle=%.4f\n", bench_dist_name(d), pn,
                   mean(nz[p][1].minutes, nz[p][1].n) / mean(nz[p][2].minutes, nz[p][2].n));
        }
    }
    printf("quality.unsafe_steps=%llu\n", (unsigned long long)unsafe);
    printf("quality.codes_lost=%llu\n", (unsigned long long)lost);
    printf("quality.run_errors=%llu\n", (unsigned long long)errors);
    printf("quality.driver_mismatches=%llu\n", (unsigned long long)(mismatches + mismatches_drawn));
    printf("quality.driver_mismatches_drawn_answers=%llu\n", (unsigned long long)mismatches_drawn);
    printf("quality.seconds=%.2f\n", bench_now_s() - t0);
    bad = unsafe != 0 || lost != 0 || errors != 0;
    return bad ? 1 : 0;
}
