/*
 * Memory: what a session costs.
 *  - bytes per session: the heap high-water of a counting allocator that
 *    only the session uses (lkr_session_new's allocation), the vault and the
 *    simulated lock each having their own counting allocator;
 *  - allocations (and frees) through the session's allocator after
 *    lkr_session_new returned, over a whole recovery (target 0); the same for
 *    the vault after lkr_vault_new;
 *  - the session blob (lkr_session_save with a NULL buffer asks its size)
 *    after lkr_session_new and after every action, over many sessions and
 *    states: mean and max;
 *  - the vault: bytes held by one vault (high-water of its allocator).
 *
 * Prints key=value lines for bench/run; exit 1 on a run error, an unsafe step
 * or a code lost.
 *
 *   bench_memory [recoveries, default 20000]
 */
#include "bench_common.h"

typedef struct counting {
    uint64_t allocs, frees, bytes_now, bytes_high;
    uint64_t armed_allocs; /* allocations while armed (after the _new call) */
    int armed;
} counting;

static void *c_alloc(void *ctx, size_t size)
{
    counting *c = (counting *)ctx;
    void *p = malloc(size);
    if (p == NULL) return NULL;
    c->allocs++;
    c->armed_allocs += c->armed ? 1u : 0u;
    c->bytes_now += size;
    if (c->bytes_now > c->bytes_high) c->bytes_high = c->bytes_now;
    return p;
}

static void c_free(void *ctx, void *p, size_t size)
{
    counting *c = (counting *)ctx;
    if (p == NULL) return;
    c->frees++;
    c->bytes_now -= size;
    free(p);
}

typedef struct blob_acc {
    counting *sess, *vault;
    double sum, n;
    size_t max;
    uint64_t save_errors;
} blob_acc;

static void hook(void *ctx, lkr_session *s, const lkr_action *a)
{
    blob_acc *b = (blob_acc *)ctx;
    size_t need = 0;
    lkr_status st;
    if (a == NULL) {
        /* Right after lkr_session_new (and the vault's setup): arm the counters. */
        b->sess->armed = 1;
        b->vault->armed = 1;
    }
    st = lkr_session_save(s, NULL, 0, &need);
    if ((st != LKR_OK && st != LKR_E_BUFFER) || need == 0) {
        b->save_errors++;
        return;
    }
    b->sum += (double)need;
    b->n += 1;
    if (need > b->max) b->max = need;
}

int main(int argc, char **argv)
{
    unsigned long n = bench_arg(argc, argv, 1, 20000ul), i;
    bench_rng rng = {0x3E3041ull};
    counting sess, vault, sim;
    lkr_allocator sa = LKR_ALLOCATOR_INIT, va = LKR_ALLOCATOR_INIT, ma = LKR_ALLOCATOR_INIT;
    blob_acc b;
    uint64_t session_high = 0, session_allocs_new = 0, vault_high = 0, vault_new_allocs = 0;
    uint64_t after_new = 0, vault_after_new = 0, errors = 0, unsafe = 0, lost = 0, leaks = 0, sessions = 0;
    uint64_t sess_bytes_min = UINT64_MAX, sess_bytes_max = 0;

    memset(&b, 0, sizeof(b));
    b.sess = &sess;
    b.vault = &vault;
    sa.ctx = &sess, sa.alloc = c_alloc, sa.free = c_free;
    va.ctx = &vault, va.alloc = c_alloc, va.free = c_free;
    ma.ctx = &sim, ma.alloc = c_alloc, ma.free = c_free;
    memset(&sim, 0, sizeof(sim));

    for (i = 0; i < n; i++) {
        lkr_sim_config cfg;
        lkr_sim *lock = NULL;
        lkr_sim_result r;
        bench_drive_opts o;
        int d = (int)(i % 3); /* priors, uniform and reversed: every cause shows up */
        bench_sample_fault(&rng, d, &cfg);
        memset(&sess, 0, sizeof(sess));
        memset(&vault, 0, sizeof(vault));
        memset(&o, 0, sizeof(o));
        o.policy = LKR__POLICY_ADAPTIVE;
        o.session_alloc = &sa;
        o.vault_alloc = &va;
        o.hook = hook;
        o.hook_ctx = &b;
        if (lkr_sim_new(&cfg, &ma, &lock) != LKR_OK || bench_recover(lock, &cfg, &o, &r) != LKR_OK) {
            errors++;
            lkr_sim_free(lock);
            continue;
        }
        lkr_sim_free(lock);
        sessions++;
        unsafe += r.stats.unsafe_steps;
        lost += r.stats.codes_lost;
        if (sess.bytes_high > session_high) session_high = sess.bytes_high;
        if (sess.bytes_high < sess_bytes_min) sess_bytes_min = sess.bytes_high;
        if (sess.bytes_high > sess_bytes_max) sess_bytes_max = sess.bytes_high;
        session_allocs_new += sess.allocs - sess.armed_allocs;
        after_new += sess.armed_allocs;
        if (vault.bytes_high > vault_high) vault_high = vault.bytes_high;
        vault_new_allocs += vault.allocs - vault.armed_allocs;
        vault_after_new += vault.armed_allocs;
        leaks += (sess.bytes_now != 0) + (vault.bytes_now != 0) + (sess.allocs != sess.frees) +
                 (vault.allocs != vault.frees);
    }
    printf("memory.recoveries=%llu\n", (unsigned long long)sessions);
    printf("memory.session_bytes_high=%llu\n", (unsigned long long)session_high);
    printf("memory.session_bytes_min=%llu\n", (unsigned long long)sess_bytes_min);
    printf("memory.session_bytes_max=%llu\n", (unsigned long long)sess_bytes_max);
    printf("memory.sizeof_session=%zu\n", sizeof(struct lkr_session));
    printf("memory.session_new_allocs_per_session=%.2f\n", (double)session_allocs_new / (double)sessions);
    printf("memory.session_allocs_after_new=%llu\n", (unsigned long long)after_new);
    printf("memory.vault_bytes_high=%llu\n", (unsigned long long)vault_high);
    printf("memory.vault_new_allocs_per_vault=%.2f\n", (double)vault_new_allocs / (double)sessions);
    printf("memory.vault_allocs_after_new=%llu\n", (unsigned long long)vault_after_new);
    printf("memory.sim_bytes_high=%llu\n", (unsigned long long)sim.bytes_high);
    printf("memory.blob_states=%.0f\n", b.n);
    printf("memory.blob_mean=%.1f\n", b.n > 0 ? b.sum / b.n : 0.0);
    printf("memory.blob_max=%zu\n", b.max);
    printf("memory.blob_limit=%d\n", LKR_SESSION_BLOB_MAX);
    printf("memory.save_errors=%llu\n", (unsigned long long)b.save_errors);
    printf("memory.leaks=%llu\n", (unsigned long long)leaks);
    printf("memory.run_errors=%llu\n", (unsigned long long)errors);
    printf("memory.unsafe_steps=%llu\n", (unsigned long long)unsafe);
    printf("memory.codes_lost=%llu\n", (unsigned long long)lost);
    return (errors || unsafe || lost || b.save_errors) ? 1 : 0;
}
