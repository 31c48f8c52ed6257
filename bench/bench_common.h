/*
 * Shared by the benchmarks (bench/): a seeded PRNG, the fault sampler, and a
 * driver that runs one simulated recovery on a session the benchmark creates
 * itself (so it can choose the step policy and the allocators), the way
 * lkr_sim_run() does.
 *
 * The benchmarks are built against the static library with lib/ on the
 * include path: they use the private catalog tables and the policy hook of
 * lib/internal.h. Nothing here is part of the library.
 */
#ifndef LKR_BENCH_COMMON_H
#define LKR_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session_int.h"
#include "lockrecover/lockrecover.h"

/* ---- PRNG: splitmix64 ---------------------------------------------------- */

typedef struct bench_rng {
    uint64_t s;
} bench_rng;

static inline uint64_t bench_u64(bench_rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0 (the modulo bias is below 2^-40 for our n). */
static inline uint32_t bench_below(bench_rng *r, uint32_t n)
{
    return (uint32_t)(bench_u64(r) % n);
}

/* ---- the fault sampler ---------------------------------------------------- */

/* How the true cause is drawn. */
enum bench_dist {
    BENCH_DIST_PRIOR = 0,    /* the priors the library assumes (prior_permille) */
    BENCH_DIST_UNIFORM = 1,  /* uniform over the causes possible on the protocol */
    BENCH_DIST_REVERSED = 2  /* the priors reversed: the rarest cause gets the largest weight */
};

static inline const char *bench_dist_name(int d)
{
    return d == BENCH_DIST_PRIOR ? "priors" : d == BENCH_DIST_UNIFORM ? "uniform" : "reversed";
}

static inline int bench_cause_possible(uint32_t protocol, uint32_t cause)
{
    return (lkr__causes[cause].protocols & LKR_PROTOCOL_BIT(protocol)) != 0;
}

/* The weight of cause c on protocol p under distribution d (0: never drawn). */
static inline uint32_t bench_cause_weight(uint32_t p, uint32_t c, int d)
{
    uint32_t k, lo = UINT32_MAX, hi = 0;
    if (!bench_cause_possible(p, c)) {
        return 0;
    }
    if (d == BENCH_DIST_UNIFORM) {
        return 1;
    }
    if (d == BENCH_DIST_PRIOR) {
        return lkr__causes[c].prior_permille;
    }
    /* Reversed: mirror each prior within the range of the protocol's priors. */
    for (k = 1; k <= LKR__CAUSE_COUNT; k++) {
        if (!bench_cause_possible(p, k)) continue;
        if (lkr__causes[k].prior_permille < lo) lo = lkr__causes[k].prior_permille;
        if (lkr__causes[k].prior_permille > hi) hi = lkr__causes[k].prior_permille;
    }
    return lo + hi - lkr__causes[c].prior_permille;
}

static inline uint32_t bench_draw_cause(bench_rng *r, uint32_t p, int d)
{
    uint32_t c, total = 0, x;
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) total += bench_cause_weight(p, c, d);
    if (total == 0) {
        return 0;
    }
    x = bench_below(r, total);
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        uint32_t w = bench_cause_weight(p, c, d);
        if (x < w) return c;
        x -= w;
    }
    return 0;
}

/* One fault: protocol uniform, a random subset of ecosystems, a bridge or not
 * on Wi-Fi, one cause drawn from distribution d, a seed for the lock. */
static inline void bench_sample_fault(bench_rng *r, int d, lkr_sim_config *cfg)
{
    lkr_sim_config_init(cfg);
    cfg->protocol = 1 + bench_below(r, LKR_PROTOCOL_MAX);
    cfg->ecosystems = (uint32_t)bench_u64(r) & LKR_ECOSYSTEMS_ALL;
    if (cfg->protocol == LKR_PROTOCOL_WIFI) {
        cfg->has_bridge = bench_below(r, 2) ? LKR_YES : LKR_NO;
    }
    cfg->causes[0] = bench_draw_cause(r, cfg->protocol, d);
    cfg->cause_count = 1;
    cfg->seed = bench_u64(r);
}

/* ---- the lock's codes, as its owner set them ------------------------------ */

/*
 * The codes lkr_sim_new() stores, rebuilt from the seed the same way (the
 * simulator draws them first from its splitmix64 stream). A host recording
 * Matter PINs as it sets them (write-through capture) knows them; the
 * simulator's transport does not read them back. bench_codes_check()
 * compares every readable field with the lock's own table, so a change in
 * the simulator cannot go unnoticed.
 */
static inline void bench_sim_codes(const lkr_sim_config *cfg, lkr_code *codes)
{
    bench_rng r;
    uint32_t i, k;
    r.s = cfg->seed ^ 0x6C6B722D73696D00u; /* "lkr-sim", as lkr_sim_new */
    for (i = 0; i < cfg->code_count; i++) {
        lkr_code *c = &codes[i];
        uint32_t pin_len = 4 + (uint32_t)(bench_u64(&r) % 5u);
        lkr_code_init(c);
        c->slot = i + 1;
        c->kind = i == 0 ? LKR_CODE_ADMIN : (i % 4 == 3 ? LKR_CODE_TEMPORARY : LKR_CODE_USER);
        (void)snprintf(c->name, sizeof(c->name), i == 0 ? "admin" : "user %u", (unsigned)i);
        for (k = 0; k < pin_len; k++) {
            c->pin[k] = (char)('0' + (char)(bench_u64(&r) % 10u));
        }
        if (c->kind == LKR_CODE_TEMPORARY) {
            c->weekdays = 0x1Fu;
            c->day_start_min = 9 * 60;
            c->day_end_min = 17 * 60;
        }
    }
}

/* 0 when the rebuilt codes match what the lock reads back (PINs when readable). */
static inline int bench_codes_check(const lkr_transport *t, const lkr_sim_config *cfg, const lkr_code *codes)
{
    lkr_code got[LKR_VAULT_MAX_CODES];
    lkr_code_readout info;
    uint32_t i;
    if (t->read_codes == NULL) {
        return 0;
    }
    for (i = 0; i < LKR_VAULT_MAX_CODES; i++) lkr_code_init(&got[i]);
    memset(&info, 0, sizeof(info));
    info.struct_size = (uint32_t)sizeof(info);
    if (t->read_codes(t->ctx, got, LKR_VAULT_MAX_CODES, &info) != LKR_OK || info.count != cfg->code_count) {
        return -1;
    }
    for (i = 0; i < info.count; i++) {
        if (got[i].slot != codes[i].slot || got[i].kind != codes[i].kind || strcmp(got[i].name, codes[i].name) != 0 ||
            got[i].weekdays != codes[i].weekdays || (info.pins_readable && strcmp(got[i].pin, codes[i].pin) != 0)) {
            return -1;
        }
    }
    return 0;
}

/* ---- the driver ---------------------------------------------------------------- */

typedef struct bench_drive_opts {
    uint32_t policy;                     /* LKR__POLICY_* */
    uint32_t oracle_cause;               /* for LKR__POLICY_ORACLE */
    const lkr_allocator *session_alloc;  /* NULL: malloc */
    const lkr_allocator *vault_alloc;    /* NULL: malloc */
    const lkr_transport *transport;      /* NULL: the lock's own */
    /* The call that asks for the next action (default lkr_session_next). */
    lkr_status (*next)(lkr_session *s, lkr_action *a);
    /* Called right after lkr_session_new (vault attached) and after every
     * action the session returns; may be NULL. */
    void (*hook)(void *ctx, lkr_session *s, const lkr_action *a);
    void *hook_ctx;
    uint32_t max_actions;                /* 0: 2000, as lkr_sim_run */
    /* What the person reports at the start, in place of the lock's own
     * facts (the noisy world of bench_quality); NULL: the lock's. */
    const lkr_observations *obs_override;
} bench_drive_opts;

/*
 * One whole recovery of `sim` (built from `cfg`) as lkr_sim_run() runs it:
 * a session on the lock's transport, profile and observations, a vault
 * attached when the lock offers codes (Matter PINs recorded first), driven by
 * lkr_sim_respond() until a final action. Returns LKR_OK and fills *out, or
 * the first error (LKR_E_CORRUPT when the rebuilt codes do not match).
 */
static inline lkr_status bench_recover(lkr_sim *sim, const lkr_sim_config *cfg, const bench_drive_opts *o,
                                       lkr_sim_result *out)
{
    lkr_session_config sc;
    lkr_transport own;
    const lkr_transport *t;
    lkr_profile p;
    lkr_observations obs;
    lkr_session *s = NULL;
    lkr_vault *v = NULL;
    lkr_action a = LKR_ACTION_INIT;
    lkr_status st;
    uint32_t i, max = o->max_actions ? o->max_actions : 2000;
    lkr_status (*next)(lkr_session *, lkr_action *) = o->next ? o->next : lkr_session_next;

    memset(out, 0, sizeof(*out));
    out->struct_size = (uint32_t)sizeof(*out);
    if ((st = lkr_sim_transport(sim, &own)) != LKR_OK || (st = lkr_sim_profile(sim, &p)) != LKR_OK ||
        (st = lkr_sim_observations(sim, &obs)) != LKR_OK) {
        return st;
    }
    if (o->obs_override != NULL) obs = *o->obs_override;
    t = o->transport ? o->transport : &own;
    lkr_session_config_init(&sc);
    sc.profile = &p;
    sc.observations = &obs;
    sc.allocator = o->session_alloc;
    if ((st = lkr_session_new(&sc, t, &s)) != LKR_OK) {
        return st;
    }
    lkr__session_set_policy(s, o->policy, o->oracle_cause);
    if (cfg->flags & LKR_SIM_F_CODES) {
        lkr_code codes[LKR_VAULT_MAX_CODES];
        bench_sim_codes(cfg, codes);
        if (bench_codes_check(&own, cfg, codes) != 0) {
            st = LKR_E_CORRUPT;
        } else {
            st = lkr_vault_new(o->vault_alloc, &v);
        }
        for (i = 0; st == LKR_OK && p.pins_readable == LKR_NO && i < cfg->code_count; i++) {
            st = lkr_vault_record(v, &codes[i]);
        }
        if (st == LKR_OK) st = lkr_session_attach_vault(s, v);
        lkr__wipe(codes, sizeof(codes));
        if (st != LKR_OK) {
            lkr_session_free(s);
            lkr_vault_free(v);
            return st;
        }
    }
    if (o->hook) o->hook(o->hook_ctx, s, NULL);
    for (out->actions = 0; out->actions < max; out->actions++) {
        if ((st = next(s, &a)) != LKR_OK) break;
        if (o->hook) o->hook(o->hook_ctx, s, &a);
        if (lkr_action_is_final(&a)) {
            out->final_kind = a.kind;
            out->actions++;
            break;
        }
        if ((st = lkr_sim_respond(sim, s, &a)) != LKR_OK) break;
    }
    lkr_session_free(s);
    lkr_vault_free(v);
    if (st != LKR_OK) {
        return st;
    }
    out->stats.struct_size = (uint32_t)sizeof(out->stats);
    return lkr_sim_stats_get(sim, &out->stats);
}

/* ---- small helpers ------------------------------------------------------------- */

static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* An unsigned argument, or the default when absent; exits on garbage. */
static inline unsigned long bench_arg(int argc, char **argv, int i, unsigned long dflt)
{
    char *end;
    unsigned long v;
    if (argc <= i) {
        return dflt;
    }
    v = strtoul(argv[i], &end, 10);
    if (*end != '\0' || v == 0) {
        fprintf(stderr, "%s: bad count '%s'\n", argv[0], argv[i]);
        exit(2);
    }
    return v;
}

#endif /* LKR_BENCH_COMMON_H */
