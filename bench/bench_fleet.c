/*
 * Fleet: N simulated recoveries in one process, one thread (default
 * 1,000,000). Protocols uniform, ecosystems random subsets, causes drawn from
 * the priors the library assumes (prior_permille over the causes possible on
 * the protocol), seeds from a fixed-seed PRNG. Each recovery is
 * lkr_sim_new + lkr_sim_run + lkr_sim_free, timed as a whole (lock, session,
 * vault, simulated person: everything a fleet simulation does).
 *
 * Prints key=value lines for bench/run. Exit 1 when any recovery failed to
 * run, any step was unsafe, or any code was lost.
 *
 *   bench_fleet [N]
 */
#include "bench_common.h"

int main(int argc, char **argv)
{
    unsigned long n = bench_arg(argc, argv, 1, 1000000ul), i;
    bench_rng rng = {0x5EED0F1EE7ull};
    uint64_t unsafe = 0, lost = 0, recovered = 0, support = 0, other = 0, errors = 0, minutes = 0, steps = 0,
             actions = 0, destructive = 0;
    uint64_t per_protocol[LKR_PROTOCOL_MAX + 1] = {0};
    double t0, t1, secs;

    t0 = bench_now_s();
    for (i = 0; i < n; i++) {
        lkr_sim_config cfg;
        lkr_sim *sim = NULL;
        lkr_sim_result r = LKR_SIM_RESULT_INIT;
        bench_sample_fault(&rng, BENCH_DIST_PRIOR, &cfg);
        per_protocol[cfg.protocol]++;
        if (lkr_sim_new(&cfg, NULL, &sim) != LKR_OK || lkr_sim_run(sim, NULL, 0, &r) != LKR_OK) {
            errors++;
            lkr_sim_free(sim);
            continue;
        }
        lkr_sim_free(sim);
        unsafe += r.stats.unsafe_steps;
        lost += r.stats.codes_lost;
        destructive += r.stats.destructive_acts;
        minutes += r.stats.person_minutes;
        steps += r.stats.steps_performed;
        actions += r.actions;
        if (r.final_kind == LKR_ACTION_RECOVERED) recovered++;
        else if (r.final_kind == LKR_ACTION_NEEDS_SUPPORT) support++;
        else other++;
    }
    t1 = bench_now_s();
    secs = t1 - t0;

    printf("fleet.n=%lu\n", n);
    printf("fleet.seconds=%.3f\n", secs);
    printf("fleet.per_second=%.0f\n", (double)n / secs);
    printf("fleet.us_per_recovery=%.3f\n", secs * 1e6 / (double)n);
    printf("fleet.recovered_share=%.4f\n", (double)recovered / (double)n);
    printf("fleet.support_share=%.4f\n", (double)support / (double)n);
    printf("fleet.other_final=%llu\n", (unsigned long long)other);
    printf("fleet.run_errors=%llu\n", (unsigned long long)errors);
    printf("fleet.unsafe_steps=%llu\n", (unsigned long long)unsafe);
    printf("fleet.codes_lost=%llu\n", (unsigned long long)lost);
    printf("fleet.destructive_acts=%llu\n", (unsigned long long)destructive);
    printf("fleet.mean_person_minutes=%.2f\n", (double)minutes / (double)n);
    printf("fleet.mean_steps=%.2f\n", (double)steps / (double)n);
    printf("fleet.mean_actions=%.2f\n", (double)actions / (double)n);
    for (i = 1; i <= LKR_PROTOCOL_MAX; i++) {
        printf("fleet.protocol.%s=%llu\n", lkr_protocol_name((uint32_t)i), (unsigned long long)per_protocol[i]);
    }
    return (unsafe != 0 || lost != 0 || errors != 0 || other != 0) ? 1 : 0;
}
