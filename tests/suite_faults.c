/*
 * Fault injection.
 *
 * 1. Allocation failure at every allocation in turn (a counting allocator
 *    fails the Nth): lkr_session_new, lkr_session_load, lkr_vault_new,
 *    lkr_sim_new and lkr_sim_run give LKR_E_NOMEM and leak nothing; every
 *    block comes back wiped, with the size it was allocated with.
 * 2. Transport faults: the simulator's transport wrapped so that call K of
 *    callback C fails, stays pending (forever, or until the host completes it
 *    with a failure or a success), returns an out-of-range status, or returns
 *    garbage. For every protocol, a fixable fault and hardware_failure, every
 *    callback and every call index of the unfaulted run: no crash, no unsafe
 *    step, no code lost unless the session hands over, a clear state within a
 *    bounded number of actions, and a warning logged for every broken contract.
 * 3. Clock faults: a clock going backwards, standing still, jumping by 2^62
 *    or to UINT64_MAX - 1: no crash, no wait ends before its time, no unsafe
 *    step.
 *
 * LKR_TEST_QUICK=1 (set under valgrind) samples the call indexes.
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockrecover/lockrecover.h"

static int quick(void)
{
    const char *q = getenv("LKR_TEST_QUICK");
    return q != NULL && q[0] != '\0' && q[0] != '0';
}

/* ---- 1. a counting allocator ------------------------------------------------------ */

#define CA_BLOCKS 16u
#define CA_NEVER 0xFFFFFFFFu

typedef struct ca {
    unsigned n_alloc, n_free, fail_at, n_failed, bad_free, dirty_free;
    size_t live;
    void *blocks[CA_BLOCKS];
    size_t sizes[CA_BLOCKS];
} ca;

static void *ca_alloc(void *ctx, size_t n)
{
    ca *a = (ca *)ctx;
    unsigned idx = a->n_alloc++, i;
    unsigned char *p;
    if (idx == a->fail_at) {
        a->n_failed++;
        return NULL;
    }
    p = malloc(n);
    if (p == NULL) return NULL;
    memset(p, 0xCD, n); /* so a block freed unwiped shows */
    for (i = 0; i < CA_BLOCKS; i++) {
        if (a->blocks[i] == NULL) {
            a->blocks[i] = p;
            a->sizes[i] = n;
            break;
        }
    }
    ck_assert_uint_lt(i, CA_BLOCKS);
    a->live += n;
    return p;
}

static void ca_free(void *ctx, void *ptr, size_t n)
{
    ca *a = (ca *)ctx;
    unsigned i;
    size_t k;
    a->n_free++;
    for (i = 0; i < CA_BLOCKS; i++) {
        if (a->blocks[i] == ptr) break;
    }
    if (i == CA_BLOCKS || a->sizes[i] != n) {
        a->bad_free++; /* not ours, or not the size allocated */
        return;
    }
    for (k = 0; k < n; k++) {
        if (((const unsigned char *)ptr)[k] != 0) {
            a->dirty_free++;
            break;
        }
    }
    a->blocks[i] = NULL;
    a->live -= n;
    free(ptr);
}

static lkr_allocator ca_hooks(ca *a)
{
    lkr_allocator h = LKR_ALLOCATOR_INIT;
    memset(a, 0, sizeof(*a));
    a->fail_at = CA_NEVER;
    h.ctx = a;
    h.alloc = ca_alloc;
    h.free = ca_free;
    return h;
}

static void ca_check_clean(const ca *a)
{
    ck_assert_uint_eq(a->live, 0);
    ck_assert_uint_eq(a->bad_free, 0);
    ck_assert_uint_eq(a->dirty_free, 0);
    ck_assert_uint_eq(a->n_alloc - a->n_failed, a->n_free);
}

static uint64_t g_clock = 5000;

static uint64_t fixed_clock(void *ctx)
{
    (void)ctx;
    return g_clock;
}

/* One operation that allocates through `al`, and frees whatever it made. */
typedef lkr_status (*alloc_op)(const lkr_allocator *al);

static lkr_status op_session_new(const lkr_allocator *al)
{
    lkr_session_config c;
    lkr_profile p;
    lkr_transport t;
    lkr_session *s = NULL;
    lkr_status st;
    lkr_profile_init(&p);
    p.protocol = LKR_PROTOCOL_BLE;
    lkr_transport_init(&t);
    t.now_ms = fixed_clock;
    lkr_session_config_init(&c);
    c.profile = &p;
    c.allocator = al;
    st = lkr_session_new(&c, &t, &s);
    if (st == LKR_OK) lkr_session_free(s);
    else ck_assert_ptr_null(s);
    return st;
}

static unsigned char g_blob[LKR_SESSION_BLOB_MAX];
static size_t g_blob_len;

static lkr_status op_session_load(const lkr_allocator *al)
{
    lkr_session_config c;
    lkr_transport t;
    lkr_session *s = NULL;
    lkr_status st;
    lkr_transport_init(&t);
    t.now_ms = fixed_clock;
    lkr_session_config_init(&c);
    c.allocator = al;
    st = lkr_session_load(&c, &t, g_blob, g_blob_len, &s);
    if (st == LKR_OK) lkr_session_free(s);
    else ck_assert_ptr_null(s);
    return st;
}

static lkr_status op_vault_new(const lkr_allocator *al)
{
    lkr_vault *v = NULL;
    lkr_status st = lkr_vault_new(al, &v);
    if (st == LKR_OK) lkr_vault_free(v);
    else ck_assert_ptr_null(v);
    return st;
}

static lkr_sim_config sim_config(uint32_t protocol, uint32_t cause, uint64_t seed)
{
    lkr_sim_config c;
    lkr_sim_config_init(&c);
    c.protocol = protocol;
    c.causes[0] = cause;
    c.cause_count = 1;
    c.seed = seed;
    return c;
}

static lkr_status op_sim_new(const lkr_allocator *al)
{
    lkr_sim_config c = sim_config(LKR_PROTOCOL_ZWAVE, LKR_CAUSE_HUB_SESSION_MISMATCH, 3);
    lkr_sim *sim = NULL;
    lkr_status st = lkr_sim_new(&c, al, &sim);
    if (st == LKR_OK) lkr_sim_free(sim);
    else ck_assert_ptr_null(sim);
    return st;
}

/* The sim's own allocation never fails here: only what lkr_sim_run makes. */
static lkr_status op_sim_run(const lkr_allocator *al)
{
    lkr_sim_config c = sim_config(LKR_PROTOCOL_WIFI, LKR_CAUSE_HARDWARE_FAILURE, 9);
    lkr_sim *sim = NULL;
    lkr_sim_result r = LKR_SIM_RESULT_INIT;
    ca *a = (ca *)al->ctx;
    unsigned fail_at = a->fail_at;
    lkr_status st;
    a->fail_at = CA_NEVER;
    ck_assert_int_eq(lkr_sim_new(&c, al, &sim), LKR_OK);
    a->fail_at = fail_at == CA_NEVER ? CA_NEVER : a->n_alloc + fail_at;
    st = lkr_sim_run(sim, NULL, 0, &r);
    if (st == LKR_OK) {
        ck_assert(lkr_action_is_final(&(lkr_action){sizeof(lkr_action), r.final_kind, 0, 0, 0, 0, 0, 0, 0, 0,
                                                    0, 0, 0}));
    }
    lkr_sim_free(sim);
    return st;
}

static const struct {
    const char *name;
    alloc_op op;
} alloc_ops[] = {{"lkr_session_new", op_session_new},
                 {"lkr_session_load", op_session_load},
                 {"lkr_vault_new", op_vault_new},
                 {"lkr_sim_new", op_sim_new},
                 {"lkr_sim_run", op_sim_run}};

START_TEST(every_allocation_fails_in_turn)
{
    ca a;
    lkr_allocator al = ca_hooks(&a);
    unsigned n, total;
    lkr_status st;
    if (alloc_ops[_i].op == op_session_load) {
        /* A blob to load: a session saved mid-way. */
        lkr_session_config c;
        lkr_profile p;
        lkr_transport t;
        lkr_session *s;
        lkr_profile_init(&p);
        p.protocol = LKR_PROTOCOL_MATTER;
        lkr_transport_init(&t);
        t.now_ms = fixed_clock;
        lkr_session_config_init(&c);
        c.profile = &p;
        ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_OK);
        ck_assert_int_eq(lkr_session_save(s, g_blob, sizeof(g_blob), &g_blob_len), LKR_OK);
        lkr_session_free(s);
    }
    /* How many allocations the operation makes when none fails. */
    st = alloc_ops[_i].op(&al);
    ck_assert_int_eq(st, LKR_OK);
    ca_check_clean(&a);
    total = a.n_alloc;
    ck_assert_uint_ge(total, 1);
    for (n = 0; n < total + 1; n++) {
        al = ca_hooks(&a);
        a.fail_at = n;
        st = alloc_ops[_i].op(&al);
        if (alloc_ops[_i].op == op_sim_run && n + 1 >= total) {
            /* The sim's own block was not failed: n counts after it. */
            ck_assert(st == LKR_OK || st == LKR_E_NOMEM);
        } else if (n < total) {
            ck_assert_msg(st == LKR_E_NOMEM, "%s, allocation %u of %u failed: %s", alloc_ops[_i].name, n,
                          total, lkr_status_name(st));
            ck_assert_uint_eq(a.n_failed, 1);
        } else {
            ck_assert_int_eq(st, LKR_OK);
        }
        ca_check_clean(&a);
    }
}
END_TEST

/* ---- 2. and 3. a faulty transport around the simulator ---------------------------- */

enum { CB_NOW, CB_PROBE, CB_RUN, CB_READ, CB_WRITE, CB_SEAL, CB_UNSEAL, CB_COUNT, CB_NONE = CB_COUNT };
static const char *const cb_names[CB_COUNT] = {"now_ms", "probe", "run_step", "read_codes",
                                               "write_code", "seal", "unseal"};

enum {
    F_NONE,
    F_ERR,          /* LKR_E_TRANSPORT */
    F_PEND_NEVER,   /* LKR_PENDING, never completed */
    F_PEND_FAIL,    /* LKR_PENDING, completed later with a failure */
    F_PEND_OK,      /* LKR_PENDING, completed later with the real result */
    F_PEND_CANNOT,  /* run_step: LKR_PENDING, then CANNOT_DO (a person does it) */
    F_BIG,          /* 12345 */
    F_NEG,          /* -999 */
    F_UNSUPPORTED,  /* LKR_E_UNSUPPORTED */
    F_GARBAGE,      /* probe: reachable 7; read_codes: count over capacity; write_code: OK, not stored */
    F_GARBAGE2,     /* probe: battery 500; read_codes: total below count... */
    F_GARBAGE3,     /* probe: unterminated fw_version; read_codes: a code of kind 0 */
    F_COUNT
};
static const char *const f_names[F_COUNT] = {"none", "error", "pending-forever", "pending-then-fail",
                                             "pending-then-ok", "pending-then-cannot-do", "12345", "-999",
                                             "unsupported", "garbage", "garbage2", "garbage3"};

/* Clock faults (callback now_ms), from call K on. */
enum { CLK_BACK_ONCE, CLK_BACK, CLK_STILL, CLK_JUMP62, CLK_MAX, CLK_COUNT };
static const char *const clk_names[CLK_COUNT] = {"back-once", "backwards", "standing-still", "jump-2^62",
                                                 "UINT64_MAX-1"};

typedef struct fx {
    lkr_sim *sim;
    lkr_transport inner;
    lkr_session *session; /* for the host-step safety check */
    int cb, fault, clk;
    unsigned k;
    unsigned calls[CB_COUNT];
    int fired;
    uint32_t pending_step;
    int probe_pending;
    unsigned n_warn, unsafe_host;
    uint64_t still, seen_max;
} fx;

static int hit(fx *f, int cb)
{
    unsigned idx = f->calls[cb]++;
    if (f->cb == cb && idx == f->k) {
        f->fired = 1;
        return 1;
    }
    return 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t fx_now(void *ctx)
{
    fx *f = (fx *)ctx;
    uint64_t t = f->inner.now_ms(f->inner.ctx);
    unsigned idx = f->calls[CB_NOW]++;
    if (f->cb == CB_NOW && idx >= f->k) {
        if (idx == f->k) {
            f->fired = 1;
            f->still = t;
        }
        switch (f->clk) {
        case CLK_BACK_ONCE: t = idx == f->k ? 0 : t; break;
        case CLK_BACK: t = t > 3600000u ? t - 3600000u : 0; break;
        case CLK_STILL: t = f->still; break;
        case CLK_JUMP62: t = sat_add(t, (uint64_t)1 << 62); break;
        default: t = UINT64_MAX - 1; break;
        }
    }
    if (t > f->seen_max) f->seen_max = t;
    return t;
}

/* Destructive or power-cutting steps the host runs must have their guards. */
static void check_host_step(fx *f, uint32_t step)
{
    lkr_step_info si = LKR_STEP_INFO_INIT;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    if (f->session == NULL || lkr_step_get(step, &si) != LKR_OK) return;
    if (si.destroys == 0 && !(si.flags & LKR_STEP_F_CUTS_POWER)) return;
    ck_assert_int_eq(lkr_session_status(f->session, &info), LKR_OK);
    if ((si.guards & ~info.guards_held) != 0) f->unsafe_host++;
}

static lkr_status fx_probe(void *ctx, lkr_probe_result *r)
{
    fx *f = (fx *)ctx;
    lkr_status st;
    if (!hit(f, CB_PROBE)) return f->inner.probe(f->inner.ctx, r);
    switch (f->fault) {
    case F_ERR: return LKR_E_TRANSPORT;
    case F_PEND_NEVER:
    case F_PEND_FAIL:
    case F_PEND_OK: f->probe_pending = 1; return LKR_PENDING;
    case F_BIG: return 12345;
    case F_NEG: return -999;
    case F_UNSUPPORTED: return LKR_E_UNSUPPORTED;
    default: break;
    }
    st = f->inner.probe(f->inner.ctx, r);
    if (f->fault == F_GARBAGE) r->reachable = 7;
    else if (f->fault == F_GARBAGE2) r->battery_pct = 500;
    else memset(r->fw_version, 'x', sizeof(r->fw_version));
    return st;
}

static lkr_status fx_run(void *ctx, uint32_t step)
{
    fx *f = (fx *)ctx;
    if (!hit(f, CB_RUN)) {
        check_host_step(f, step);
        return f->inner.run_step(f->inner.ctx, step);
    }
    switch (f->fault) {
    case F_ERR: return LKR_E_TRANSPORT;
    case F_PEND_NEVER:
    case F_PEND_FAIL:
    case F_PEND_OK:
    case F_PEND_CANNOT: f->pending_step = step; return LKR_PENDING;
    case F_BIG: return 12345;
    case F_NEG: return -999;
    default: return LKR_E_UNSUPPORTED;
    }
}

static lkr_status fx_read(void *ctx, lkr_code *codes, uint32_t cap, lkr_code_readout *info)
{
    fx *f = (fx *)ctx;
    lkr_status st;
    if (!hit(f, CB_READ)) return f->inner.read_codes(f->inner.ctx, codes, cap, info);
    switch (f->fault) {
    case F_ERR: return LKR_E_TRANSPORT;
    case F_PEND_NEVER: return LKR_PENDING;
    case F_BIG: return 12345;
    case F_NEG: return -999;
    default: break;
    }
    st = f->inner.read_codes(f->inner.ctx, codes, cap, info);
    if (f->fault == F_GARBAGE) {
        info->count = cap + 1;
    } else if (f->fault == F_GARBAGE2) {
        info->total = 0xFFFFFFFFu;
        info->pins_readable = 7;
    } else if (info->count > 0) {
        codes[0].kind = 0;
        memset(codes[0].name, 'n', sizeof(codes[0].name));
    } else {
        info->count = 1; /* a code that was never written */
    }
    return st;
}

static lkr_status fx_write(void *ctx, const lkr_code *code)
{
    fx *f = (fx *)ctx;
    if (!hit(f, CB_WRITE)) return f->inner.write_code(f->inner.ctx, code);
    switch (f->fault) {
    case F_ERR: return LKR_E_TRANSPORT;
    case F_PEND_NEVER: return LKR_PENDING;
    case F_BIG: return 12345;
    case F_NEG: return -999;
    default: return LKR_OK; /* acknowledged, never stored */
    }
}

static lkr_status fx_seal(void *ctx, const void *clear, size_t len, void *out, size_t cap, size_t *out_len)
{
    fx *f = (fx *)ctx;
    if (hit(f, CB_SEAL)) {
        if (f->fault == F_BIG) return 12345;
        if (f->fault == F_GARBAGE) {
            *out_len = cap + 100; /* says it wrote more than it could */
            return LKR_OK;
        }
        return LKR_E_TRANSPORT;
    }
    return f->inner.seal(f->inner.ctx, clear, len, out, cap, out_len);
}

static lkr_status fx_unseal(void *ctx, const void *in, size_t len, void *out, size_t cap, size_t *out_len)
{
    fx *f = (fx *)ctx;
    if (hit(f, CB_UNSEAL)) {
        if (f->fault == F_BIG) return 12345;
        if (f->fault == F_GARBAGE) {
            *out_len = cap + 100;
            return LKR_OK;
        }
        return LKR_E_TRANSPORT;
    }
    return f->inner.unseal(f->inner.ctx, in, len, out, cap, out_len);
}

static void fx_log(void *ctx, uint32_t level, const char *msg)
{
    fx *f = (fx *)ctx;
    ck_assert_ptr_nonnull(msg);
    if (level == LKR_LOG_WARN) f->n_warn++;
}

static lkr_transport fx_transport(fx *f)
{
    lkr_transport t;
    lkr_transport_init(&t);
    t.ctx = f;
    t.now_ms = fx_now;
    t.log = fx_log;
    if (f->inner.probe) t.probe = fx_probe;
    if (f->inner.run_step) t.run_step = fx_run;
    if (f->inner.read_codes) t.read_codes = fx_read;
    if (f->inner.write_code) t.write_code = fx_write;
    if (f->inner.seal) t.seal = fx_seal;
    if (f->inner.unseal) t.unseal = fx_unseal;
    return t;
}

#define MAX_ACTIONS 1500
#define STALL_REPEATS 25

typedef struct outcome {
    uint32_t kind;  /* final action kind, or the kind it stalled on */
    uint32_t state; /* session state at the end */
    uint32_t phase;
    int final;
    int stalled;
    lkr_sim_stats stats;
} outcome;

static int same_action(const lkr_action *a, const lkr_action *b)
{
    return a->kind == b->kind && a->step == b->step && a->phase == b->phase && a->question == b->question &&
           a->unmet_guards == b->unmet_guards && a->wait_until_ms == b->wait_until_ms;
}

/* A whole recovery through the faulty transport, the simulator playing the person. */
/* Variations of the simulated lock for the next runs. */
static uint8_t g_has_keypad = LKR_YES;
static uint8_t g_repair_erases = LKR_NO;

static outcome run_faulty(uint32_t protocol, uint32_t cause, uint64_t seed, int cb, int fault, int clk,
                          unsigned k, fx *f)
{
    lkr_sim_config c = sim_config(protocol, cause, seed);
    lkr_session_config sc;
    lkr_profile p;
    lkr_observations o;
    lkr_transport t;
    lkr_session *s = NULL;
    lkr_vault *v = NULL;
    lkr_action a = LKR_ACTION_INIT, prev = LKR_ACTION_INIT;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    outcome out;
    int n, repeats = 0, have_prev = 0;

    c.has_keypad = g_has_keypad;
    c.repair_erases_codes = g_repair_erases;
    memset(&out, 0, sizeof(out));
    memset(f, 0, sizeof(*f));
    f->cb = cb;
    f->fault = fault;
    f->clk = clk;
    f->k = k;
    ck_assert_int_eq(lkr_sim_new(&c, NULL, &f->sim), LKR_OK);
    ck_assert_int_eq(lkr_sim_transport(f->sim, &f->inner), LKR_OK);
    ck_assert_int_eq(lkr_sim_profile(f->sim, &p), LKR_OK);
    ck_assert_int_eq(lkr_sim_observations(f->sim, &o), LKR_OK);
    t = fx_transport(f);
    lkr_session_config_init(&sc);
    sc.profile = &p;
    sc.observations = &o;
    ck_assert_int_eq(lkr_session_new(&sc, &t, &s), LKR_OK);
    ck_assert_int_eq(lkr_vault_new(NULL, &v), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(s, v), LKR_OK);
    f->session = s;

    for (n = 0; n < MAX_ACTIONS; n++) {
        lkr_status st = lkr_session_next(s, &a);
        ck_assert_msg(st == LKR_OK, "lkr_session_next: %s", lkr_status_name(st));
        if (have_prev && prev.kind == LKR_ACTION_WAIT && !same_action(&a, &prev)) {
            /* A wait ended: the clock the session saw reached its deadline. */
            ck_assert_msg(f->seen_max >= prev.wait_until_ms,
                          "wait until %llu ended at %llu", (unsigned long long)prev.wait_until_ms,
                          (unsigned long long)f->seen_max);
        }
        if (lkr_action_is_final(&a)) {
            out.final = 1;
            break;
        }
        repeats = have_prev && same_action(&a, &prev) ? repeats + 1 : 0;
        prev = a;
        have_prev = 1;
        if (repeats >= STALL_REPEATS) {
            out.stalled = 1;
            break;
        }
        if (a.kind == LKR_ACTION_HOST_STEP) {
            ck_assert_uint_eq(a.step, f->pending_step);
            if (f->fault == F_PEND_NEVER) {
                out.stalled = 1;
                break;
            }
            if (f->fault == F_PEND_OK) {
                check_host_step(f, a.step);
                st = f->inner.run_step(f->inner.ctx, a.step);
                st = lkr_session_report(s, a.step, st == LKR_OK ? LKR_OUTCOME_DONE : LKR_OUTCOME_CANNOT_DO);
            } else {
                st = lkr_session_report(s, a.step,
                                        f->fault == F_PEND_CANNOT ? LKR_OUTCOME_CANNOT_DO : LKR_OUTCOME_FAILED);
            }
            f->pending_step = 0;
            ck_assert_int_eq(st, LKR_OK);
            continue;
        }
        if (a.kind == LKR_ACTION_VERIFY && a.phase == LKR_PHASE_PROBE) {
            ck_assert(f->probe_pending);
            if (f->fault == F_PEND_NEVER) {
                out.stalled = 1;
                break;
            }
            if (f->fault == F_PEND_OK) {
                lkr_probe_result r;
                memset(&r, 0, sizeof(r));
                r.struct_size = sizeof(r);
                r.battery_pct = LKR_NUM_UNKNOWN;
                st = f->inner.probe(f->inner.ctx, &r);
                st = lkr_session_probe_done(s, st, &r);
            } else {
                st = lkr_session_probe_done(s, LKR_E_TRANSPORT, NULL);
            }
            f->probe_pending = 0;
            ck_assert_int_eq(st, LKR_OK);
            continue;
        }
        st = lkr_sim_respond(f->sim, s, &a);
        ck_assert_msg(st == LKR_OK, "lkr_sim_respond on kind %u step %u: %s", a.kind, a.step,
                      lkr_status_name(st));
    }
    ck_assert_msg(out.final || out.stalled, "no clear end within %d actions", MAX_ACTIONS);
    ck_assert_int_eq(lkr_session_status(s, &info), LKR_OK);
    out.kind = a.kind;
    out.state = info.state;
    out.phase = a.phase;
    out.stats.struct_size = sizeof(out.stats);
    ck_assert_int_eq(lkr_sim_stats_get(f->sim, &out.stats), LKR_OK);
    f->session = NULL;
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(f->sim);
    f->sim = NULL;
    return out;
}

/* The properties every run must keep, whatever the fault. */
static void check_outcome(const outcome *o, const fx *f, const char *what)
{
    ck_assert_msg(o->stats.unsafe_steps == 0 && f->unsafe_host == 0, "%s: unsafe steps %u + host %u", what,
                  o->stats.unsafe_steps, f->unsafe_host);
    /* Codes erased by a re-pair are checked back (and restored) when the lock
     * is judged; a host that never completes its probe or step leaves that
     * judgement, and the restore, pending: never "recovered" either way. */
    /* A clock that stops moving leaves the session waiting, mid-step: the codes
     * a reset erased are still in the vault, to be restored when time moves. */
    ck_assert_msg(o->stats.codes_lost == 0 || (o->final && o->kind == LKR_ACTION_NEEDS_SUPPORT) ||
                      (!o->final && f->fault == F_PEND_NEVER &&
                       (o->state == LKR_STATE_VERIFYING || o->state == LKR_STATE_AWAITING_TRANSPORT)) ||
                      (!o->final && o->state == LKR_STATE_WAITING),
                  "%s: %u codes lost, ended kind %u state %u", what, o->stats.codes_lost, o->kind, o->state);
    if (o->final) {
        ck_assert_msg(o->kind == LKR_ACTION_RECOVERED || o->kind == LKR_ACTION_NEEDS_SUPPORT, "%s: kind %u",
                      what, o->kind);
        if (o->kind == LKR_ACTION_RECOVERED) ck_assert_uint_eq(o->stats.faults_left, 0);
    } else if (o->state == LKR_STATE_AWAITING_TRANSPORT) {
        ck_assert_msg(f->cb == CB_RUN && f->fault == F_PEND_NEVER, "%s: stuck awaiting the transport", what);
    } else if (o->state == LKR_STATE_VERIFYING) {
        ck_assert_msg(o->phase == LKR_PHASE_PROBE && f->cb == CB_PROBE && f->fault == F_PEND_NEVER,
                      "%s: stuck verifying (phase %u)", what, o->phase);
    } else if (o->state == LKR_STATE_WAITING) {
        ck_assert_msg(f->cb == CB_NOW, "%s: stuck waiting with a good clock", what);
    } else {
        ck_assert_msg(o->state == LKR_STATE_BLOCKED, "%s: stalled in state %u on kind %u", what, o->state,
                      o->kind);
    }
}

/* Faults that break the contract: each must leave a warning in the log. */
static int must_warn(int cb, int fault)
{
    if (fault == F_PEND_NEVER || fault == F_PEND_OK || fault == F_UNSUPPORTED || fault == F_PEND_CANNOT) {
        return cb == CB_READ || cb == CB_WRITE ? fault == F_PEND_NEVER : 0;
    }
    if (cb == CB_RUN && fault == F_PEND_FAIL) return 0; /* the host reported FAILED: an outcome */
    return 1;
}

static const int probe_faults[] = {F_ERR,      F_PEND_NEVER, F_PEND_FAIL, F_PEND_OK,  F_BIG,
                                   F_NEG,      F_UNSUPPORTED, F_GARBAGE,  F_GARBAGE2, F_GARBAGE3};
static const int run_faults[] = {F_ERR, F_PEND_NEVER, F_PEND_FAIL, F_PEND_OK, F_PEND_CANNOT,
                                 F_BIG, F_NEG,        F_UNSUPPORTED};
static const int read_faults[] = {F_ERR, F_PEND_NEVER, F_BIG, F_NEG, F_GARBAGE, F_GARBAGE2, F_GARBAGE3};
static const int write_faults[] = {F_ERR, F_PEND_NEVER, F_BIG, F_NEG, F_GARBAGE};

/* A fault each protocol can have that a ladder fixes, then hardware_failure. */
static uint32_t fixable_cause(uint32_t protocol)
{
    static const uint32_t prefs[] = {LKR_CAUSE_HUB_SESSION_MISMATCH, LKR_CAUSE_WIFI_STACK_CRASH,
                                     LKR_CAUSE_BLE_DROP_MID_TRANSFER, LKR_CAUSE_THREAD_MESH_LOST,
                                     LKR_CAUSE_APP_STALE_STATE};
    size_t i;
    for (i = 0; i < sizeof(prefs) / sizeof(prefs[0]); i++) {
        lkr_cause_info ci = LKR_CAUSE_INFO_INIT;
        ck_assert_int_eq(lkr_cause_get(prefs[i], &ci), LKR_OK);
        if (ci.protocols & LKR_PROTOCOL_BIT(protocol)) return prefs[i];
    }
    ck_abort_msg("no fixable cause for protocol %u", protocol);
    return 0;
}

/* Call indexes to try: all of them, or a sample under LKR_TEST_QUICK. */
static int k_wanted(unsigned k, unsigned total)
{
    if (!quick() || total <= 8) return 1;
    return k < 3 || k + 3 >= total || k % (total / 4 + 1) == 0;
}

#define VARIANTS 3

/* _i: protocol (0..4) x variant: a fixable fault on a model whose re-pair
 * erases codes (a seed whose run restores codes), hardware_failure, and
 * hardware_failure on a lock without a keypad (it walks to the reset). */
START_TEST(transport_faults_at_every_call)
{
    uint32_t protocol = (uint32_t)(_i / VARIANTS) + 1;
    int variant = _i % VARIANTS;
    uint32_t cause = variant ? LKR_CAUSE_HARDWARE_FAILURE : fixable_cause(protocol);
    uint64_t seed = 11;
    fx f;
    outcome base;
    unsigned calls[CB_COUNT];
    int cb;
    unsigned runs = 0, fired = 0, n_silent = 0;
    char what[160], silent[160] = "";

    g_has_keypad = variant == 2 ? LKR_NO : LKR_YES;
    g_repair_erases = variant == 0 ? LKR_YES : LKR_NO;
    if (variant == 0) {
        /* The first seed whose unfaulted run writes codes back (else reads them). */
        uint64_t sd, best = 0;
        for (sd = 1; sd <= 40; sd++) {
            base = run_faulty(protocol, cause, sd, CB_NONE, F_NONE, 0, 0, &f);
            if (f.calls[CB_WRITE] > 0) {
                best = sd;
                break;
            }
            if (best == 0 && f.calls[CB_READ] > 0) best = sd;
        }
        if (best != 0) seed = best;
    }
    base = run_faulty(protocol, cause, seed, CB_NONE, F_NONE, 0, 0, &f);
    (void)snprintf(what, sizeof(what), "protocol %u cause %u unfaulted", protocol, cause);
    check_outcome(&base, &f, what);
    ck_assert(base.final);
    memcpy(calls, f.calls, sizeof(calls));
    for (cb = CB_PROBE; cb <= CB_WRITE; cb++) {
        const int *faults;
        size_t nf, i;
        unsigned k;
        switch (cb) {
        case CB_PROBE: faults = probe_faults; nf = sizeof(probe_faults) / sizeof(int); break;
        case CB_RUN: faults = run_faults; nf = sizeof(run_faults) / sizeof(int); break;
        case CB_READ: faults = read_faults; nf = sizeof(read_faults) / sizeof(int); break;
        default: faults = write_faults; nf = sizeof(write_faults) / sizeof(int); break;
        }
        for (k = 0; k < calls[cb]; k++) {
            if (!k_wanted(k, calls[cb])) continue;
            for (i = 0; i < nf; i++) {
                outcome o = run_faulty(protocol, cause, seed, cb, faults[i], 0, k, &f);
                (void)snprintf(what, sizeof(what), "protocol %u cause %u: %s call %u -> %s", protocol, cause,
                               cb_names[cb], k, f_names[faults[i]]);
                runs++;
                if (!f.fired) continue; /* the fault changed the path before call k */
                fired++;
                check_outcome(&o, &f, what);
                if (must_warn(cb, faults[i]) && f.n_warn == 0) {
                    /* Collected: every silent contract violation is listed at the end. */
                    if (n_silent++ == 0) (void)snprintf(silent, sizeof(silent), "%s", what);
                    if (getenv("LKR_TEST_VERBOSE") != NULL) fprintf(stderr, "silent: %s\n", what);
                }
            }
        }
    }
    ck_assert_uint_gt(fired, 0);
    ck_assert_msg(n_silent == 0, "%u faulted runs logged no warning, first: %s", n_silent, silent);
    if (getenv("LKR_TEST_VERBOSE") != NULL) {
        fprintf(stderr, "protocol %u cause %u seed %u: calls probe %u run %u read %u write %u now %u; %u runs, %u faulted\n",
                protocol, cause, (unsigned)seed, calls[CB_PROBE], calls[CB_RUN], calls[CB_READ], calls[CB_WRITE], calls[CB_NOW],
                runs, fired);
    }
}
END_TEST

/* seal and unseal break: export and import fail cleanly, the vault unchanged. */
START_TEST(seal_and_unseal_faults)
{
    static const int faults[] = {F_ERR, F_BIG, F_GARBAGE};
    lkr_sim_config c = sim_config(LKR_PROTOCOL_ZWAVE, LKR_CAUSE_HUB_SESSION_MISMATCH, 4);
    fx f;
    lkr_transport t;
    lkr_vault *v, *w;
    lkr_vault_info before = LKR_VAULT_INFO_INIT, after = LKR_VAULT_INFO_INIT;
    unsigned char buf[8192], good[8192];
    size_t needed = 0, good_len = 0, i;

    memset(&f, 0, sizeof(f));
    f.cb = CB_NONE;
    ck_assert_int_eq(lkr_sim_new(&c, NULL, &f.sim), LKR_OK);
    ck_assert_int_eq(lkr_sim_transport(f.sim, &f.inner), LKR_OK);
    t = fx_transport(&f);
    ck_assert_int_eq(lkr_vault_new(NULL, &v), LKR_OK);
    ck_assert_int_eq(lkr_vault_new(NULL, &w), LKR_OK);
    ck_assert_int_eq(lkr_vault_backup(v, &t), LKR_OK);
    ck_assert_int_eq(lkr_vault_export_sealed(v, &t, good, sizeof(good), &good_len), LKR_OK);
    ck_assert_int_eq(lkr_vault_import_sealed(w, &t, good, good_len), LKR_OK);
    ck_assert_int_eq(lkr_vault_status(w, &before), LKR_OK);
    for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        lkr_status st;
        memset(f.calls, 0, sizeof(f.calls));
        f.cb = CB_SEAL;
        f.k = 0;
        f.fault = faults[i];
        st = lkr_vault_export_sealed(v, &t, buf, sizeof(buf), &needed);
        ck_assert_msg(st == LKR_E_TRANSPORT || st == LKR_E_PROTOCOL, "seal %s: %s", f_names[faults[i]],
                      lkr_status_name(st));
        memset(f.calls, 0, sizeof(f.calls));
        f.cb = CB_UNSEAL;
        st = lkr_vault_import_sealed(w, &t, good, good_len);
        ck_assert_msg(st < 0, "unseal %s: %s", f_names[faults[i]], lkr_status_name(st));
        ck_assert_int_eq(lkr_vault_status(w, &after), LKR_OK);
        ck_assert(memcmp(&before, &after, sizeof(before)) == 0); /* left as it was */
    }
    lkr_vault_free(v);
    lkr_vault_free(w);
    lkr_sim_free(f.sim);
}
END_TEST

/* _i: protocol (0..4) x clock fault. */
START_TEST(clock_faults_at_every_call)
{
    uint32_t protocol = (uint32_t)(_i / CLK_COUNT) + 1;
    int clk = _i % CLK_COUNT;
    uint32_t cause = fixable_cause(protocol);
    fx f;
    outcome base;
    unsigned total, k, stride;
    char what[160];

    /* Hardware failure walks the whole ladder: every wait there is. */
    base = run_faulty(protocol, LKR_CAUSE_HARDWARE_FAILURE, 7, CB_NONE, F_NONE, 0, 0, &f);
    ck_assert(base.final);
    total = f.calls[CB_NOW];
    stride = quick() ? total / 12 + 1 : 1;
    for (k = 0; k < total; k += stride) {
        outcome o = run_faulty(protocol, LKR_CAUSE_HARDWARE_FAILURE, 7, CB_NOW, F_NONE, clk, k, &f);
        (void)snprintf(what, sizeof(what), "protocol %u hardware_failure: clock %s from call %u of %u",
                       protocol, clk_names[clk], k, total);
        check_outcome(&o, &f, what);
    }
    base = run_faulty(protocol, cause, 7, CB_NONE, F_NONE, 0, 0, &f);
    total = f.calls[CB_NOW];
    stride = quick() ? total / 6 + 1 : 1;
    for (k = 0; k < total; k += stride) {
        outcome o = run_faulty(protocol, cause, 7, CB_NOW, F_NONE, clk, k, &f);
        (void)snprintf(what, sizeof(what), "protocol %u cause %u: clock %s from call %u of %u", protocol,
                       cause, clk_names[clk], k, total);
        check_outcome(&o, &f, what);
    }
}
END_TEST

static Suite *faults_suite(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("alloc");
    tcase_add_loop_test(tc, every_allocation_fails_in_turn, 0,
                        (int)(sizeof(alloc_ops) / sizeof(alloc_ops[0])));
    suite_add_tcase(s, tc);
    tc = tcase_create("transport");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, transport_faults_at_every_call, 0, VARIANTS * LKR_PROTOCOL_MAX);
    tcase_add_test(tc, seal_and_unseal_faults);
    suite_add_tcase(s, tc);
    tc = tcase_create("clock");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, clock_faults_at_every_call, 0, LKR_PROTOCOL_MAX * CLK_COUNT);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(faults_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
