/*
 * Decision cost: what the engine spends between two interactions with the
 * person or the host.
 *
 * A "decision" is one lkr_session_next call plus the engine inputs that led
 * to it: lkr_session_report / _answer / _observe / _tick / _confirm / _waive /
 * _probe_done, which the simulated person (lkr_sim_respond) makes. The
 * benchmark drives full simulated recoveries (every protocol with every cause
 * possible on it, 8 lock seeds each, ecosystems from the seed) on sessions it
 * creates itself, and measures only the engine:
 *   - lkr_session_next is called through bench_next();
 *   - the inputs the simulator makes are routed by the linker (--wrap) through
 *     bench_input_*();
 *   - the transport the session calls forwards to the lock's own transport
 *     through bench_host_*() (probe, run_step, code table, seal): the lock's
 *     work (and the simulated person's) is the host's, not the engine's. The
 *     clock callback (now_ms, a load) is forwarded untimed and counted.
 *
 * Instructions: run under
 *   valgrind --tool=callgrind --toggle-collect=bench_next \
 *            --toggle-collect='bench_input_*' --toggle-collect='bench_host_*'
 * (collection flips on entering and leaving each: on in the engine calls,
 * off again inside a host callback they make), with --callgrind: the total
 * collected Ir divided by the number of lkr_session_next calls is the cost of
 * a decision; bench_next's inclusive Ir is lkr_session_next alone.
 *
 * Time: the same recoveries natively, CLOCK_MONOTONIC around every engine call
 * and every host callback, host time and the timer's own cost (calibrated)
 * subtracted; the median over 21 repetitions of ns per decision.
 *
 *   bench_decision [--callgrind] [seeds per cause, default 8]
 */
#include "bench_common.h"

#if defined(__GNUC__) && !defined(__clang__)
#define BENCH_NOINLINE __attribute__((noinline, noipa))
#else
#define BENCH_NOINLINE __attribute__((noinline))
#endif

#define REPS 21

/* ---- accounting ------------------------------------------------------------ */

enum { IN_NONE = 0, IN_NEXT = 1, IN_INPUT = 2 };

static struct {
    int in;                   /* which engine call is running */
    int timing;               /* take clock readings */
    uint64_t next_ns, input_ns;           /* gross time in engine calls */
    uint64_t host_next_ns, host_input_ns; /* host callbacks within them */
    uint64_t n_next, n_input, n_host_next, n_host_input;
    uint64_t inputs_by_kind[8];
} g;

static inline uint64_t stamp(void)
{
    return g.timing ? bench_now_ns() : 0;
}

/* ---- lkr_session_next ------------------------------------------------------- */

static BENCH_NOINLINE lkr_status bench_next(lkr_session *s, lkr_action *a)
{
    return lkr_session_next(s, a);
}

static lkr_status timed_next(lkr_session *s, lkr_action *a)
{
    uint64_t t0, t1;
    lkr_status st;
    g.in = IN_NEXT;
    t0 = stamp();
    st = bench_next(s, a);
    t1 = stamp();
    g.in = IN_NONE;
    g.next_ns += t1 - t0;
    g.n_next++;
    return st;
}

/* ---- the engine's inputs, as the simulated person makes them ---------------------- */

lkr_status __real_lkr_session_report(lkr_session *s, uint32_t step, uint32_t outcome);
lkr_status __real_lkr_session_answer(lkr_session *s, uint32_t question, int32_t value);
lkr_status __real_lkr_session_observe(lkr_session *s, const lkr_observations *obs);
lkr_status __real_lkr_session_tick(lkr_session *s);
lkr_status __real_lkr_session_confirm(lkr_session *s, uint32_t guard, int holds);
lkr_status __real_lkr_session_waive(lkr_session *s, uint32_t kind, uint32_t id, const char *reason);
lkr_status __real_lkr_session_probe_done(lkr_session *s, lkr_status status, const lkr_probe_result *r);

static BENCH_NOINLINE lkr_status bench_input_report(lkr_session *s, uint32_t a, uint32_t b)
{
    return __real_lkr_session_report(s, a, b);
}
static BENCH_NOINLINE lkr_status bench_input_answer(lkr_session *s, uint32_t a, int32_t b)
{
    return __real_lkr_session_answer(s, a, b);
}
static BENCH_NOINLINE lkr_status bench_input_observe(lkr_session *s, const lkr_observations *o)
{
    return __real_lkr_session_observe(s, o);
}
static BENCH_NOINLINE lkr_status bench_input_tick(lkr_session *s)
{
    return __real_lkr_session_tick(s);
}
static BENCH_NOINLINE lkr_status bench_input_confirm(lkr_session *s, uint32_t a, int b)
{
    return __real_lkr_session_confirm(s, a, b);
}
static BENCH_NOINLINE lkr_status bench_input_waive(lkr_session *s, uint32_t a, uint32_t b, const char *r)
{
    return __real_lkr_session_waive(s, a, b, r);
}
static BENCH_NOINLINE lkr_status bench_input_probe_done(lkr_session *s, lkr_status a, const lkr_probe_result *r)
{
    return __real_lkr_session_probe_done(s, a, r);
}

#define TIMED_INPUT(kind, call)                                  \
    do {                                                         \
        uint64_t t0_, t1_;                                       \
        lkr_status st_;                                          \
        if (g.in != IN_NONE) return call; /* nested: not ours */ \
        g.in = IN_INPUT;                                         \
        t0_ = stamp();                                           \
        st_ = call;                                              \
        t1_ = stamp();                                           \
        g.in = IN_NONE;                                          \
        g.input_ns += t1_ - t0_;                                 \
        g.n_input++;                                             \
        g.inputs_by_kind[kind]++;                                \
        return st_;                                              \
    } while (0)

lkr_status __wrap_lkr_session_report(lkr_session *s, uint32_t step, uint32_t outcome);
lkr_status __wrap_lkr_session_answer(lkr_session *s, uint32_t question, int32_t value);
lkr_status __wrap_lkr_session_observe(lkr_session *s, const lkr_observations *obs);
lkr_status __wrap_lkr_session_tick(lkr_session *s);
lkr_status __wrap_lkr_session_confirm(lkr_session *s, uint32_t guard, int holds);
lkr_status __wrap_lkr_session_waive(lkr_session *s, uint32_t kind, uint32_t id, const char *reason);
lkr_status __wrap_lkr_session_probe_done(lkr_session *s, lkr_status status, const lkr_probe_result *r);

lkr_status __wrap_lkr_session_report(lkr_session *s, uint32_t step, uint32_t outcome)
{
    TIMED_INPUT(0, bench_input_report(s, step, outcome));
}
lkr_status __wrap_lkr_session_answer(lkr_session *s, uint32_t question, int32_t value)
{
    TIMED_INPUT(1, bench_input_answer(s, question, value));
}
lkr_status __wrap_lkr_session_observe(lkr_session *s, const lkr_observations *obs)
{
    TIMED_INPUT(2, bench_input_observe(s, obs));
}
lkr_status __wrap_lkr_session_tick(lkr_session *s)
{
    TIMED_INPUT(3, bench_input_tick(s));
}
lkr_status __wrap_lkr_session_confirm(lkr_session *s, uint32_t guard, int holds)
{
    TIMED_INPUT(4, bench_input_confirm(s, guard, holds));
}
lkr_status __wrap_lkr_session_waive(lkr_session *s, uint32_t kind, uint32_t id, const char *reason)
{
    TIMED_INPUT(5, bench_input_waive(s, kind, id, reason));
}
lkr_status __wrap_lkr_session_probe_done(lkr_session *s, lkr_status status, const lkr_probe_result *r)
{
    TIMED_INPUT(6, bench_input_probe_done(s, status, r));
}

static const char *const input_names[8] = {"report", "answer", "observe", "tick", "confirm", "waive", "probe_done", ""};

/* ---- the host: the lock's transport, forwarded ------------------------------------------ */

static lkr_transport lock_t; /* the lock's own transport (one lock at a time) */

static void host_done(uint64_t t0)
{
    uint64_t d = stamp() - t0;
    if (g.in == IN_NEXT) {
        g.host_next_ns += d;
        g.n_host_next++;
    } else {
        g.host_input_ns += d;
        g.n_host_input++;
    }
}

static BENCH_NOINLINE lkr_status bench_host_probe(lkr_probe_result *r)
{
    return lock_t.probe(lock_t.ctx, r);
}
static BENCH_NOINLINE lkr_status bench_host_run_step(uint32_t step)
{
    return lock_t.run_step(lock_t.ctx, step);
}
static BENCH_NOINLINE lkr_status bench_host_read_codes(lkr_code *out, uint32_t cap, lkr_code_readout *info)
{
    return lock_t.read_codes(lock_t.ctx, out, cap, info);
}
static BENCH_NOINLINE lkr_status bench_host_write_code(const lkr_code *code)
{
    return lock_t.write_code(lock_t.ctx, code);
}
static BENCH_NOINLINE lkr_status bench_host_seal(const void *c, size_t len, void *out, size_t cap, size_t *ol)
{
    return lock_t.seal(lock_t.ctx, c, len, out, cap, ol);
}
static BENCH_NOINLINE lkr_status bench_host_unseal(const void *c, size_t len, void *out, size_t cap, size_t *ol)
{
    return lock_t.unseal(lock_t.ctx, c, len, out, cap, ol);
}

/* Outside an engine call (the benchmark's own setup) the lock is called
 * directly, so that the callgrind toggles stay balanced. */
#define HOST(call, direct)              \
    do {                                \
        uint64_t t0_;                   \
        lkr_status st_;                 \
        (void)ctx;                      \
        if (g.in == IN_NONE) return direct; \
        t0_ = stamp();                  \
        st_ = call;                     \
        host_done(t0_);                 \
        return st_;                     \
    } while (0)

static uint64_t w_now(void *ctx)
{
    (void)ctx;
    return lock_t.now_ms(lock_t.ctx);
}
static lkr_status w_probe(void *ctx, lkr_probe_result *r)
{
    HOST(bench_host_probe(r), lock_t.probe(lock_t.ctx, r));
}
static lkr_status w_run_step(void *ctx, uint32_t step)
{
    HOST(bench_host_run_step(step), lock_t.run_step(lock_t.ctx, step));
}
static lkr_status w_read_codes(void *ctx, lkr_code *out, uint32_t cap, lkr_code_readout *info)
{
    HOST(bench_host_read_codes(out, cap, info), lock_t.read_codes(lock_t.ctx, out, cap, info));
}
static lkr_status w_write_code(void *ctx, const lkr_code *code)
{
    HOST(bench_host_write_code(code), lock_t.write_code(lock_t.ctx, code));
}
static lkr_status w_seal(void *ctx, const void *c, size_t len, void *out, size_t cap, size_t *ol)
{
    HOST(bench_host_seal(c, len, out, cap, ol), lock_t.seal(lock_t.ctx, c, len, out, cap, ol));
}
static lkr_status w_unseal(void *ctx, const void *c, size_t len, void *out, size_t cap, size_t *ol)
{
    HOST(bench_host_unseal(c, len, out, cap, ol), lock_t.unseal(lock_t.ctx, c, len, out, cap, ol));
}

/* ---- the recoveries ----------------------------------------------------------------- */

/* Runs every recovery of the set once; returns the number of errors. */
static unsigned run_set(unsigned seeds, uint64_t *unsafe, uint64_t *lost, uint64_t *recoveries)
{
    uint32_t p, c;
    unsigned k, errors = 0;
    for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
        for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
            if (!bench_cause_possible(p, c)) continue;
            for (k = 0; k < seeds; k++) {
                lkr_sim_config cfg;
                lkr_sim *sim = NULL;
                lkr_transport wt;
                bench_drive_opts o;
                lkr_sim_result r;
                bench_rng rng;
                rng.s = 0xDEC15105ull + p * 1000003u + c * 1009u + k;
                lkr_sim_config_init(&cfg);
                cfg.protocol = p;
                cfg.causes[0] = c;
                cfg.cause_count = 1;
                cfg.ecosystems = (uint32_t)bench_u64(&rng) & LKR_ECOSYSTEMS_ALL;
                if (p == LKR_PROTOCOL_WIFI) cfg.has_bridge = (k & 1u) ? LKR_YES : LKR_NO;
                cfg.seed = bench_u64(&rng);
                if (lkr_sim_new(&cfg, NULL, &sim) != LKR_OK || lkr_sim_transport(sim, &lock_t) != LKR_OK) {
                    errors++;
                    lkr_sim_free(sim);
                    continue;
                }
                lkr_transport_init(&wt);
                wt.ctx = &lock_t;
                wt.now_ms = w_now;
                if (lock_t.probe) wt.probe = w_probe;
                if (lock_t.run_step) wt.run_step = w_run_step;
                if (lock_t.read_codes) wt.read_codes = w_read_codes;
                if (lock_t.write_code) wt.write_code = w_write_code;
                if (lock_t.seal) wt.seal = w_seal;
                if (lock_t.unseal) wt.unseal = w_unseal;
                memset(&o, 0, sizeof(o));
                o.policy = LKR__POLICY_ADAPTIVE;
                o.transport = &wt;
                o.next = timed_next;
                if (bench_recover(sim, &cfg, &o, &r) != LKR_OK ||
                    (r.final_kind != LKR_ACTION_RECOVERED && r.final_kind != LKR_ACTION_NEEDS_SUPPORT)) {
                    errors++;
                }
                *unsafe += r.stats.unsafe_steps;
                *lost += r.stats.codes_lost;
                (*recoveries)++;
                lkr_sim_free(sim);
            }
        }
    }
    return errors;
}

int main(int argc, char **argv)
{
    int callgrind = argc > 1 && strcmp(argv[1], "--callgrind") == 0;
    unsigned seeds = (unsigned)bench_arg(argc - callgrind, argv + callgrind, 1, 8ul);
    uint64_t unsafe = 0, lost = 0, recoveries = 0;
    unsigned errors = 0, rep, i;
    double per_decision[REPS], per_next[REPS], cal;

    if (callgrind) {
        /* One pass, no clock: the instruction counts come from callgrind. */
        memset(&g, 0, sizeof(g));
        errors = run_set(seeds, &unsafe, &lost, &recoveries);
        printf("decision.recoveries=%llu\n", (unsigned long long)recoveries);
        printf("decision.next_calls=%llu\n", (unsigned long long)g.n_next);
        printf("decision.input_calls=%llu\n", (unsigned long long)g.n_input);
        for (i = 0; i < 7; i++) {
            printf("decision.inputs.%s=%llu\n", input_names[i], (unsigned long long)g.inputs_by_kind[i]);
        }
        printf("decision.host_calls=%llu\n", (unsigned long long)(g.n_host_next + g.n_host_input));
        printf("decision.unsafe_steps=%llu\ndecision.codes_lost=%llu\ndecision.run_errors=%u\n",
               (unsigned long long)unsafe, (unsigned long long)lost, errors);
        return (errors || unsafe || lost) ? 1 : 0;
    }

    /* The timer's own cost: an empty interval, averaged. */
    {
        uint64_t t0 = bench_now_ns(), sum = 0, a, b;
        unsigned n = 0;
        while (bench_now_ns() - t0 < 50000000u) {
            a = bench_now_ns();
            b = bench_now_ns();
            sum += b - a;
            n++;
        }
        cal = (double)sum / (double)n;
    }
    for (rep = 0; rep < REPS; rep++) {
        double next_net, input_net;
        memset(&g, 0, sizeof(g));
        g.timing = 1;
        unsafe = lost = recoveries = 0;
        errors += run_set(seeds, &unsafe, &lost, &recoveries);
        next_net = (double)g.next_ns - cal * (double)g.n_next - (double)g.host_next_ns - cal * (double)g.n_host_next;
        input_net = (double)g.input_ns - cal * (double)g.n_input - (double)g.host_input_ns -
                    cal * (double)g.n_host_input;
        per_decision[rep] = (next_net + input_net) / (double)g.n_next;
        per_next[rep] = next_net / (double)g.n_next;
    }
    qsort(per_decision, REPS, sizeof(double), bench_cmp_double);
    qsort(per_next, REPS, sizeof(double), bench_cmp_double);
    printf("decision.recoveries=%llu\n", (unsigned long long)recoveries);
    printf("decision.next_calls=%llu\n", (unsigned long long)g.n_next);
    printf("decision.input_calls=%llu\n", (unsigned long long)g.n_input);
    printf("decision.timer_ns=%.1f\n", cal);
    printf("decision.ns_per_decision=%.1f\n", per_decision[REPS / 2]);
    printf("decision.ns_per_decision_min=%.1f\n", per_decision[0]);
    printf("decision.ns_per_decision_max=%.1f\n", per_decision[REPS - 1]);
    printf("decision.ns_per_next=%.1f\n", per_next[REPS / 2]);
    printf("decision.unsafe_steps=%llu\ndecision.codes_lost=%llu\ndecision.run_errors=%u\n",
           (unsigned long long)unsafe, (unsigned long long)lost, errors);
    return (errors || unsafe || lost) ? 1 : 0;
}
