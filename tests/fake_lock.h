/*
 * A simulated lock's code table for the vault's suites: the transport's code
 * callbacks (read_codes, write_code), a toy seal/unseal, injected faults, call
 * counters, a log that looks for planted PINs, and a counting allocator that
 * checks every freed block is zeroed.
 *
 * Header only (one executable per tests/suite_*.c): every function is static
 * inline so a suite that does not use one is not warned.
 *
 * The lock: up to FL_MAX codes, unique by slot. Options:
 * - pins_readable 0: read_codes returns empty PINs and readout.pins_readable 0
 *   (a Matter lock); the table still holds the PINs written to it.
 * - has_checksum: the readout carries a checksum of the table.
 * - flaky: every second read differs from the first (FL_FLAKY_*).
 * - drop_slot: write_code of that slot returns LKR_OK and stores nothing.
 * - read_status / write_status / seal_status / unseal_status: the callback
 *   returns that instead of doing its work (an error, LKR_PENDING, junk).
 * - junk: read_codes returns invalid content (FL_JUNK_*).
 * - unseal_checks_tag 0: unseal does not check its tag, so tampering with the
 *   sealed bytes reaches the library's own integrity check.
 *
 * When tests/host_script.h is included first, a session rig (fl_rig) joins a
 * scripted host to the lock and drives a session with a simple deterministic
 * person (fl_rig_respond()).
 */
#ifndef LKR_TESTS_FAKE_LOCK_H
#define LKR_TESTS_FAKE_LOCK_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockrecover/lockrecover.h"

#define FL_MAX 64u
#define FL_PLANTED_MAX 72u
#define FL_BLOCKS 64u

/* What a flaky lock changes in every second read. */
#define FL_FLAKY_NONE 0
#define FL_FLAKY_PIN 1      /* one PIN differs */
#define FL_FLAKY_NAME 2     /* one name differs */
#define FL_FLAKY_SCHEDULE 3 /* one schedule differs */
#define FL_FLAKY_MISSING 4  /* one code is missing */
#define FL_FLAKY_CHECKSUM 5 /* only the checksum differs */
#define FL_FLAKY_ORDER 6    /* the same codes in reverse order (not a difference) */
#define FL_FLAKY_KIND 7     /* one kind differs */

/* Junk read_codes may return. */
#define FL_JUNK_NONE 0
#define FL_JUNK_KIND_ZERO 1
#define FL_JUNK_KIND_HIGH 2
#define FL_JUNK_PIN_LETTERS 3
#define FL_JUNK_PIN_SHORT 4
#define FL_JUNK_PIN_LONG 5
#define FL_JUNK_NAME_UNTERMINATED 6
#define FL_JUNK_WEEKDAYS 7
#define FL_JUNK_DAY_START 8
#define FL_JUNK_DAY_END 9
#define FL_JUNK_RESERVED 10
#define FL_JUNK_UNTIL_BEFORE_FROM 11
#define FL_JUNK_SLOT_HIGH 12
#define FL_JUNK_DUP_SLOT 13
#define FL_JUNK_STRUCT_SIZE 14
#define FL_JUNK_PIN_UNTERMINATED 15
#define FL_JUNK_COUNT 16 /* first value that is not a junk kind */
/* Readout-level junk. */
#define FL_JUNK_COUNT_OVER_CAPACITY 100
#define FL_JUNK_TOTAL_OVER_COUNT 101

typedef struct fl_lock {
    lkr_code codes[FL_MAX];
    uint32_t count;
    int pins_readable;
    int has_checksum;
    int flaky;
    uint32_t flaky_index; /* which code a flaky read changes */
    int drop_on_restore;
    uint32_t drop_slot;
    lkr_status read_status;  /* LKR_OK: work normally */
    lkr_status write_status;
    lkr_status seal_status;
    lkr_status unseal_status;
    int junk;
    int junk_on_read; /* 0: every read; n: only the n-th read (1-based) */
    int unseal_checks_tag;
    uint32_t key;
    /* counters */
    unsigned n_read, n_write, n_seal, n_unseal, n_log, n_pin_leaks, n_bad_args;
    uint32_t last_capacity;
    /* every PIN ever stored, to look for leaks */
    char planted[FL_PLANTED_MAX][LKR_PIN_MAX];
    unsigned n_planted;
} fl_lock;

/* ---- searching for planted PINs ------------------------------------------ */

static inline int fl_mem_has(const void *hay, size_t n, const char *needle)
{
    const unsigned char *h = (const unsigned char *)hay;
    size_t m = strlen(needle), i;
    if (m == 0 || n < m) return 0;
    for (i = 0; i + m <= n; i++)
        if (h[i] == (unsigned char)needle[0] && memcmp(h + i, needle, m) == 0) return 1;
    return 0;
}

/* 1 when any planted PIN appears in @p buf. */
static inline int fl_has_pin(const fl_lock *lk, const void *buf, size_t n)
{
    unsigned i;
    for (i = 0; i < lk->n_planted; i++)
        if (fl_mem_has(buf, n, lk->planted[i])) return 1;
    return 0;
}

static inline void fl_plant(fl_lock *lk, const char *pin)
{
    unsigned i;
    if (pin[0] == '\0') return;
    for (i = 0; i < lk->n_planted; i++)
        if (strcmp(lk->planted[i], pin) == 0) return;
    ck_assert_uint_lt(lk->n_planted, FL_PLANTED_MAX);
    snprintf(lk->planted[lk->n_planted], LKR_PIN_MAX, "%s", pin);
    lk->n_planted++;
}

/* ---- the lock's table ------------------------------------------------------ */

static inline void fl_init(fl_lock *lk)
{
    memset(lk, 0, sizeof(*lk));
    lk->pins_readable = 1;
    lk->read_status = LKR_OK;
    lk->write_status = LKR_OK;
    lk->seal_status = LKR_OK;
    lk->unseal_status = LKR_OK;
    lk->unseal_checks_tag = 1;
    lk->key = 0x5EA1C0DEu;
}

/* A code: 8-digit PINs unlikely to occur by chance ("7391" + 4 digits of slot). */
static inline lkr_code fl_code(uint32_t slot, uint32_t kind, const char *name, const char *pin)
{
    lkr_code c;
    lkr_code_init(&c);
    c.slot = slot;
    c.kind = kind;
    snprintf(c.name, sizeof(c.name), "%s", name);
    snprintf(c.pin, sizeof(c.pin), "%s", pin);
    return c;
}

static inline void fl_pin_for(uint32_t slot, char pin[LKR_PIN_MAX])
{
    snprintf(pin, LKR_PIN_MAX, "7391%04u", (unsigned)(slot % 10000u));
}

static inline int fl_find(const fl_lock *lk, uint32_t slot)
{
    uint32_t i;
    for (i = 0; i < lk->count; i++)
        if (lk->codes[i].slot == slot) return (int)i;
    return -1;
}

/* Stores @p c (replacing the code in its slot). */
static inline void fl_put(fl_lock *lk, const lkr_code *c)
{
    int i = fl_find(lk, c->slot);
    if (i < 0) {
        ck_assert_uint_lt(lk->count, FL_MAX);
        i = (int)lk->count++;
    }
    lk->codes[i] = *c;
    fl_plant(lk, c->pin);
}

static inline void fl_remove(fl_lock *lk, uint32_t slot)
{
    int i = fl_find(lk, slot);
    if (i < 0) return;
    lk->codes[i] = lk->codes[lk->count - 1];
    lk->count--;
    memset(&lk->codes[lk->count], 0, sizeof(lk->codes[0]));
}

/* A factory reset: every code gone. */
static inline void fl_erase(fl_lock *lk)
{
    memset(lk->codes, 0, sizeof(lk->codes));
    lk->count = 0;
}

/*
 * Fills the lock with @p n codes: slot 1 the admin code, slot 2 a master
 * code, then users, and every fifth a scheduled temporary code. Slots are
 * stored out of order (descending) so the vault's sorting is exercised.
 */
static inline void fl_fill(fl_lock *lk, uint32_t n)
{
    uint32_t i;
    for (i = n; i >= 1; i--) {
        char pin[LKR_PIN_MAX], name[LKR_CODE_NAME_MAX];
        uint32_t kind = i == 1 ? LKR_CODE_ADMIN
                        : i == 2 ? LKR_CODE_MASTER
                        : (i % 5 == 0) ? LKR_CODE_TEMPORARY
                                       : LKR_CODE_USER;
        lkr_code c;
        fl_pin_for(i * 3u, pin);
        snprintf(name, sizeof(name), "person %u", (unsigned)i);
        c = fl_code(i * 3u, kind, name, pin);
        if (kind == LKR_CODE_TEMPORARY) {
            c.weekdays = 0x1Fu;
            c.day_start_min = 8 * 60;
            c.day_end_min = 18 * 60;
            c.valid_from_s = 1700000000u;
            c.valid_until_s = 1800000000u;
        }
        fl_put(lk, &c);
    }
}

/* FNV-1a over the table in slot order: the lock's own checksum. */
static inline uint32_t fl_checksum(const fl_lock *lk)
{
    uint32_t h = 2166136261u, done = 0, last = 0;
    int first = 1;
    while (done < lk->count) {
        uint32_t i, best = 0xFFFFFFFFu;
        int bi = -1;
        const unsigned char *p;
        size_t k;
        for (i = 0; i < lk->count; i++) {
            uint32_t sl = lk->codes[i].slot;
            if ((first || sl > last) && sl <= best) {
                best = sl;
                bi = (int)i;
            }
        }
        ck_assert_int_ge(bi, 0);
        p = (const unsigned char *)&lk->codes[bi];
        for (k = 0; k < sizeof(lkr_code); k++) {
            h ^= p[k];
            h *= 16777619u;
        }
        last = best;
        first = 0;
        done++;
    }
    return h;
}

static inline void fl_apply_junk(lkr_code *out, uint32_t n, int junk)
{
    lkr_code *c = &out[0];
    switch (junk) {
    case FL_JUNK_KIND_ZERO: c->kind = 0; break;
    case FL_JUNK_KIND_HIGH: c->kind = LKR_CODE_KIND_MAX + 1; break;
    case FL_JUNK_PIN_LETTERS: snprintf(c->pin, sizeof(c->pin), "%s", "12a4"); break;
    case FL_JUNK_PIN_SHORT: snprintf(c->pin, sizeof(c->pin), "%s", "123"); break;
    case FL_JUNK_PIN_LONG: snprintf(c->pin, sizeof(c->pin), "%s", "1234567890123"); break;
    case FL_JUNK_NAME_UNTERMINATED: memset(c->name, 'x', sizeof(c->name)); break;
    case FL_JUNK_WEEKDAYS: c->weekdays = 0x80u; break;
    case FL_JUNK_DAY_START: c->day_start_min = 1440; break;
    case FL_JUNK_DAY_END: c->day_end_min = 1441; break;
    case FL_JUNK_RESERVED: c->reserved_ = 1; break;
    case FL_JUNK_UNTIL_BEFORE_FROM:
        c->valid_from_s = 2000;
        c->valid_until_s = 1000;
        break;
    case FL_JUNK_SLOT_HIGH: c->slot = 65536u; break;
    case FL_JUNK_DUP_SLOT:
        if (n > 1) out[1].slot = out[0].slot;
        break;
    case FL_JUNK_STRUCT_SIZE: c->struct_size = 4; break;
    case FL_JUNK_PIN_UNTERMINATED: memset(c->pin, '7', sizeof(c->pin)); break;
    default: break;
    }
}

/* ---- the code callbacks (ctx: the fl_lock) -------------------------------- */

static inline lkr_status fl_read(fl_lock *lk, lkr_code *codes, uint32_t capacity,
                                 lkr_code_readout *info)
{
    uint32_t i, n;
    int second, junk_now;
    lk->n_read++;
    lk->last_capacity = capacity;
    if (codes == NULL || info == NULL || info->struct_size < sizeof(lkr_code_readout)) {
        lk->n_bad_args++;
        return LKR_E_INVAL;
    }
    if (lk->read_status != LKR_OK) return lk->read_status;
    second = (lk->n_read % 2u) == 0;
    junk_now = lk->junk != FL_JUNK_NONE &&
               (lk->junk_on_read == 0 || (unsigned)lk->junk_on_read == lk->n_read);
    n = lk->count < capacity ? lk->count : capacity;
    for (i = 0; i < n; i++) {
        uint32_t src = (second && lk->flaky == FL_FLAKY_ORDER) ? lk->count - 1u - i : i;
        codes[i] = lk->codes[src];
        if (!lk->pins_readable) memset(codes[i].pin, 0, sizeof(codes[i].pin));
    }
    info->count = n;
    info->total = lk->count;
    info->has_checksum = (uint8_t)(lk->has_checksum ? 1 : 0);
    info->pins_readable = (uint8_t)(lk->pins_readable ? 1 : 0);
    info->checksum = lk->has_checksum ? fl_checksum(lk) : 0;
    if (second && n > 0) {
        uint32_t k = lk->flaky_index < n ? lk->flaky_index : 0;
        switch (lk->flaky) {
        case FL_FLAKY_PIN:
            if (lk->pins_readable) codes[k].pin[0] = codes[k].pin[0] == '1' ? '2' : '1';
            break;
        case FL_FLAKY_NAME: codes[k].name[0] = codes[k].name[0] == 'Z' ? 'Y' : 'Z'; break;
        case FL_FLAKY_SCHEDULE: codes[k].weekdays ^= 0x40u; break;
        case FL_FLAKY_KIND:
            codes[k].kind = codes[k].kind == LKR_CODE_USER ? LKR_CODE_TEMPORARY : LKR_CODE_USER;
            break;
        case FL_FLAKY_MISSING:
            codes[k] = codes[n - 1];
            memset(&codes[n - 1], 0, sizeof(codes[0]));
            info->count = n - 1;
            info->total = n - 1;
            break;
        case FL_FLAKY_CHECKSUM: info->checksum ^= 0x00010000u; break;
        default: break;
        }
    }
    if (junk_now) {
        if (lk->junk == FL_JUNK_COUNT_OVER_CAPACITY) {
            info->count = capacity + 1;
            info->total = capacity + 1;
        } else if (lk->junk == FL_JUNK_TOTAL_OVER_COUNT) {
            info->total = info->count + 1;
        } else if (n > 0) {
            fl_apply_junk(codes, n, lk->junk);
        }
    }
    return LKR_OK;
}

static inline lkr_status fl_write(fl_lock *lk, const lkr_code *code)
{
    lk->n_write++;
    if (code == NULL) {
        lk->n_bad_args++;
        return LKR_E_INVAL;
    }
    if (lk->write_status != LKR_OK) return lk->write_status;
    /* What the library writes is a valid code with its PIN. */
    if (code->struct_size < sizeof(lkr_code) || code->kind < 1 || code->kind > LKR_CODE_KIND_MAX ||
        memchr(code->pin, '\0', sizeof(code->pin)) == NULL || strlen(code->pin) < 4) {
        lk->n_bad_args++;
        return LKR_E_INVAL;
    }
    if (lk->drop_on_restore && code->slot == lk->drop_slot) return LKR_OK; /* silently lost */
    fl_put(lk, code);
    return LKR_OK;
}

/* The toy cipher: a keystream (xorshift32) and a 4-byte tag (FNV-1a of the clear text). */
static inline uint32_t fl_stream_next(uint32_t *x)
{
    uint32_t v = *x;
    v ^= v << 13;
    v ^= v >> 17;
    v ^= v << 5;
    *x = v;
    return v;
}

static inline uint32_t fl_tag(const unsigned char *p, size_t n, uint32_t key)
{
    uint32_t h = 2166136261u ^ key;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static inline void fl_crypt(const unsigned char *in, unsigned char *out, size_t n, uint32_t key)
{
    uint32_t x = key ? key : 1u;
    size_t i;
    for (i = 0; i < n; i++) out[i] = (unsigned char)(in[i] ^ (fl_stream_next(&x) & 0xFFu));
}

static inline lkr_status fl_seal(fl_lock *lk, const void *clear, size_t len, void *out, size_t cap,
                                 size_t *out_len)
{
    uint32_t tag;
    unsigned char *o = (unsigned char *)out;
    lk->n_seal++;
    if (out_len == NULL || (clear == NULL && len > 0)) {
        lk->n_bad_args++;
        return LKR_E_INVAL;
    }
    if (lk->seal_status != LKR_OK) return lk->seal_status;
    *out_len = len + 4u;
    if (out == NULL || cap < len + 4u) return LKR_E_BUFFER;
    fl_crypt((const unsigned char *)clear, o, len, lk->key);
    tag = fl_tag((const unsigned char *)clear, len, lk->key);
    o[len] = (unsigned char)(tag & 0xFFu);
    o[len + 1] = (unsigned char)((tag >> 8) & 0xFFu);
    o[len + 2] = (unsigned char)((tag >> 16) & 0xFFu);
    o[len + 3] = (unsigned char)((tag >> 24) & 0xFFu);
    return LKR_OK;
}

static inline lkr_status fl_unseal(fl_lock *lk, const void *sealed, size_t len, void *out,
                                   size_t cap, size_t *out_len)
{
    const unsigned char *s = (const unsigned char *)sealed;
    unsigned char *o = (unsigned char *)out;
    uint32_t tag, want;
    lk->n_unseal++;
    if (out_len == NULL || (sealed == NULL && len > 0)) {
        lk->n_bad_args++;
        return LKR_E_INVAL;
    }
    if (lk->unseal_status != LKR_OK) return lk->unseal_status;
    if (len < 4) return LKR_E_CORRUPT;
    *out_len = len - 4u;
    if (out == NULL || cap < len - 4u) return LKR_E_BUFFER;
    fl_crypt(s, o, len - 4u, lk->key);
    if (lk->unseal_checks_tag) {
        tag = (uint32_t)s[len - 4] | ((uint32_t)s[len - 3] << 8) | ((uint32_t)s[len - 2] << 16) |
              ((uint32_t)s[len - 1] << 24);
        want = fl_tag(o, len - 4u, lk->key);
        if (tag != want) {
            memset(o, 0, len - 4u);
            return LKR_E_CORRUPT;
        }
    }
    return LKR_OK;
}

static inline void fl_check_line(fl_lock *lk, const char *msg)
{
    lk->n_log++;
    ck_assert_ptr_nonnull(msg);
    if (fl_has_pin(lk, msg, strlen(msg))) lk->n_pin_leaks++;
}

/* Callbacks with ctx = the fl_lock (vault-only tests). */
static inline lkr_status fl_read_cb(void *ctx, struct lkr_code *codes, uint32_t capacity,
                                    struct lkr_code_readout *info)
{
    return fl_read((fl_lock *)ctx, codes, capacity, info);
}

static inline lkr_status fl_write_cb(void *ctx, const struct lkr_code *code)
{
    return fl_write((fl_lock *)ctx, code);
}

static inline lkr_status fl_seal_cb(void *ctx, const void *clear, size_t len, void *out, size_t cap,
                                    size_t *out_len)
{
    return fl_seal((fl_lock *)ctx, clear, len, out, cap, out_len);
}

static inline lkr_status fl_unseal_cb(void *ctx, const void *sealed, size_t len, void *out,
                                      size_t cap, size_t *out_len)
{
    return fl_unseal((fl_lock *)ctx, sealed, len, out, cap, out_len);
}

static inline uint64_t fl_now_cb(void *ctx)
{
    (void)ctx;
    return 1000u;
}

static inline void fl_log_cb(void *ctx, uint32_t level, const char *msg)
{
    (void)level;
    fl_check_line((fl_lock *)ctx, msg);
}

/* A transport with every code callback on @p lk (and a clock and a log). */
static inline lkr_transport fl_transport(fl_lock *lk)
{
    lkr_transport t;
    lkr_transport_init(&t);
    t.ctx = lk;
    t.now_ms = fl_now_cb;
    t.log = fl_log_cb;
    t.read_codes = fl_read_cb;
    t.write_code = fl_write_cb;
    t.seal = fl_seal_cb;
    t.unseal = fl_unseal_cb;
    return t;
}

/* ---- a counting allocator that checks freed blocks are zeroed --------------- */

typedef struct fl_alloc {
    lkr_allocator allocator;
    unsigned n_alloc, n_free, n_free_bad, n_dirty, fail_after; /* fail_after: 0 never */
    int fail_all;
    size_t live;
    void *blocks[FL_BLOCKS];
    size_t sizes[FL_BLOCKS];
} fl_alloc;

static inline void *fl_alloc_cb(void *ctx, size_t size)
{
    fl_alloc *a = (fl_alloc *)ctx;
    void *p;
    unsigned i;
    if (a->fail_all || (a->fail_after != 0 && a->n_alloc + 1 >= a->fail_after)) return NULL;
    p = malloc(size ? size : 1);
    if (p == NULL) return NULL;
    memset(p, 0xA5, size); /* never hand out zeroes: a block freed unwritten would look clean */
    for (i = 0; i < FL_BLOCKS; i++) {
        if (a->blocks[i] == NULL) {
            a->blocks[i] = p;
            a->sizes[i] = size;
            break;
        }
    }
    ck_assert_msg(i < FL_BLOCKS, "too many live blocks");
    a->n_alloc++;
    a->live += size;
    return p;
}

static inline void fl_free_cb(void *ctx, void *ptr, size_t size)
{
    fl_alloc *a = (fl_alloc *)ctx;
    unsigned i;
    size_t k;
    if (ptr == NULL) return;
    for (i = 0; i < FL_BLOCKS; i++)
        if (a->blocks[i] == ptr) break;
    if (i == FL_BLOCKS) {
        a->n_free_bad++;
        return; /* not ours: do not free it */
    }
    if (a->sizes[i] != size) a->n_free_bad++;
    for (k = 0; k < a->sizes[i]; k++) {
        if (((const unsigned char *)ptr)[k] != 0) {
            a->n_dirty++;
            break;
        }
    }
    a->blocks[i] = NULL;
    a->live -= a->sizes[i];
    a->n_free++;
    free(ptr);
}

static inline void fl_alloc_init(fl_alloc *a)
{
    memset(a, 0, sizeof(*a));
    a->allocator.struct_size = (uint32_t)sizeof(lkr_allocator);
    a->allocator.ctx = a;
    a->allocator.alloc = fl_alloc_cb;
    a->allocator.free = fl_free_cb;
}

/* Everything freed, every freed block zeroed, every free well-formed. */
static inline void fl_alloc_check_clean(const fl_alloc *a)
{
    ck_assert_uint_eq(a->live, 0);
    ck_assert_uint_eq(a->n_alloc, a->n_free);
    ck_assert_uint_eq(a->n_free_bad, 0);
    ck_assert_msg(a->n_dirty == 0, "%u freed blocks were not zeroed", a->n_dirty);
}

/* ---- vault helpers ----------------------------------------------------------- */

static inline lkr_vault_info fl_vault_status(const lkr_vault *v)
{
    lkr_vault_info info = LKR_VAULT_INFO_INIT;
    ck_assert_int_eq(lkr_vault_status(v, &info), LKR_OK);
    return info;
}

static inline lkr_code_info fl_vault_code(const lkr_vault *v, uint32_t i)
{
    lkr_code_info ci = LKR_CODE_INFO_INIT;
    ck_assert_int_eq(lkr_vault_code(v, i, &ci), LKR_OK);
    return ci;
}

/* Exports @p v sealed into a fresh malloc'd buffer (*n its size). */
static inline unsigned char *fl_export(const lkr_vault *v, const lkr_transport *t, size_t *n)
{
    size_t need = 0, got = 0;
    unsigned char *buf;
    ck_assert_int_eq(lkr_vault_export_sealed(v, t, NULL, 0, &need), LKR_E_BUFFER);
    ck_assert_uint_gt(need, 0);
    buf = (unsigned char *)malloc(need);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(lkr_vault_export_sealed(v, t, buf, need, &got), LKR_OK);
    ck_assert_uint_eq(got, need);
    *n = need;
    return buf;
}

/* ---- the session rig (with tests/host_script.h) --------------------------------- */

#ifdef LKR_TESTS_HOST_SCRIPT_H

typedef struct fl_rig {
    hs_host h; /* first: the hs_* callbacks cast ctx to hs_host* */
    fl_lock lock;
    fl_alloc al;
    unsigned features; /* HS_F_* */
    int codes;         /* the transport has the code callbacks */
    uint32_t confirm_mask;
    int fix_on_reset;      /* the factory reset brings the lock back */
    int erase_on_repair;   /* remove_and_readd erases the codes (a real re-pair may) */
    int truthful;          /* FIXED / NOT_FIXED instead of DONE */
    unsigned n_rig_log, n_run_code_steps, n_run_rejoin;
} fl_rig;

static inline fl_rig *fl_rig_of(void *ctx)
{
    return (fl_rig *)ctx;
}

static inline lkr_status fl_rig_read_cb(void *ctx, struct lkr_code *codes, uint32_t capacity,
                                        struct lkr_code_readout *info)
{
    return fl_read(&fl_rig_of(ctx)->lock, codes, capacity, info);
}

static inline lkr_status fl_rig_write_cb(void *ctx, const struct lkr_code *code)
{
    return fl_write(&fl_rig_of(ctx)->lock, code);
}

static inline lkr_status fl_rig_seal_cb(void *ctx, const void *clear, size_t len, void *out,
                                        size_t cap, size_t *out_len)
{
    return fl_seal(&fl_rig_of(ctx)->lock, clear, len, out, cap, out_len);
}

static inline lkr_status fl_rig_unseal_cb(void *ctx, const void *sealed, size_t len, void *out,
                                          size_t cap, size_t *out_len)
{
    return fl_unseal(&fl_rig_of(ctx)->lock, sealed, len, out, cap, out_len);
}

static inline void fl_rig_log_cb(void *ctx, uint32_t level, const char *msg)
{
    fl_rig *r = fl_rig_of(ctx);
    r->n_rig_log++;
    fl_check_line(&r->lock, msg);
    hs_log_cb(&r->h, level, msg);
}

/* run_step: the vault's steps are the library's own, never the host's
 * (reset.restore_after_reset reaches the host for its re-join part only:
 * counted apart). */
static inline lkr_status fl_rig_run_cb(void *ctx, uint32_t step)
{
    fl_rig *r = fl_rig_of(ctx);
    if (r->codes && (step == LKR_STEP_REPAIR_BACKUP_CODES || step == LKR_STEP_REPAIR_VERIFY_CODES))
        r->n_run_code_steps++;
    if (r->codes && step == LKR_STEP_RESET_RESTORE_AFTER_RESET)
        r->n_run_rejoin++;
    return hs_run_cb(&r->h, step);
}

static inline void fl_rig_init(fl_rig *r, uint32_t fault, unsigned features, int codes)
{
    memset(r, 0, sizeof(*r));
    hs_host_init(&r->h, fault);
    fl_init(&r->lock);
    fl_alloc_init(&r->al);
    r->features = features;
    r->codes = codes;
    r->confirm_mask = LKR_GUARD_BIT(LKR_GUARD_ADMIN_CODE_RECORDED) |
                      LKR_GUARD_BIT(LKR_GUARD_PHYSICAL_KEY) | LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN) |
                      LKR_GUARD_BIT(LKR_GUARD_PHONE_IN_RANGE) |
                      LKR_GUARD_BIT(LKR_GUARD_PREFLIGHT_OK);
}

/* The rig's transport (its ctx is the rig, whose first member is the hs_host). */
static inline lkr_transport fl_rig_transport(fl_rig *r)
{
    lkr_transport t;
    hs_transport(&r->h, &t, r->features);
    t.ctx = r;
    t.log = fl_rig_log_cb;
    if (t.run_step != NULL) t.run_step = fl_rig_run_cb;
    if (r->codes) {
        t.read_codes = fl_rig_read_cb;
        t.write_code = fl_rig_write_cb;
        t.seal = fl_rig_seal_cb;
        t.unseal = fl_rig_unseal_cb;
    }
    return t;
}

/* A copy of @p src that shares nothing with it (a second device). */
static inline void fl_rig_clone(fl_rig *dst, const fl_rig *src)
{
    *dst = *src;
    fl_alloc_init(&dst->al);
    dst->h.allocator.ctx = &dst->h;
    memset(dst->h.blocks, 0, sizeof(dst->h.blocks));
}

static inline lkr_session *fl_rig_new(fl_rig *r, const lkr_profile *p, const lkr_observations *o)
{
    lkr_session_config cfg;
    lkr_transport t = fl_rig_transport(r);
    lkr_session *s = NULL;
    lkr_status st;
    lkr_session_config_init(&cfg);
    cfg.profile = p;
    cfg.observations = o;
    cfg.allocator = &r->al.allocator;
    if (r->fix_on_reset) {
        /* The scenario needs the reset: a vendor whose faults on record are
         * those a reset fixes keeps it indicated (host_script.h). */
        static hs_reset_vendor vendor;
        cfg.overrides = hs_reset_reachable(&vendor);
    }
    st = lkr_session_new(&cfg, &t, &s);
    ck_assert_msg(st == LKR_OK, "lkr_session_new: %s", lkr_status_name(st));
    return s;
}

static inline lkr_vault *fl_rig_vault(fl_rig *r)
{
    lkr_vault *v = NULL;
    ck_assert_int_eq(lkr_vault_new(&r->al.allocator, &v), LKR_OK);
    ck_assert_ptr_nonnull(v);
    return v;
}

/* What the person does about a step's effects on the lock. */
static inline void fl_rig_effects(fl_rig *r, uint32_t step)
{
    if (step == LKR_STEP_RESET_FACTORY_RESET) {
        fl_erase(&r->lock);
        if (r->fix_on_reset) r->h.fixed = 1;
    }
    if (step == LKR_STEP_REPAIR_REMOVE_AND_READD && r->erase_on_repair) fl_erase(&r->lock);
    if (hs_step_fixes(step, r->h.fault)) r->h.fixed = 1;
}

/*
 * Responds to @p a as a simple, deterministic person: "don't know" to every
 * question, DONE (or truthful) to every step, the clock moved to the end of
 * each wait, the fault model for verification, the confirmable guards of
 * confirm_mask confirmed, and a block that cannot be lifted waived.
 * Returns 0 when @p a is final.
 */
static inline int fl_rig_respond(fl_rig *r, lkr_session *s, const lkr_action *a)
{
    lkr_status st = LKR_OK;
    if (lkr_action_is_final(a)) return 0;
    switch (a->kind) {
    case LKR_ACTION_ASK:
        st = lkr_session_answer(s, a->question,
                                a->question == LKR_QUESTION_UPDATE_STALLED_MIN ? LKR_NUM_UNKNOWN
                                                                               : LKR_UNKNOWN);
        break;
    case LKR_ACTION_PERSON_STEP: {
        uint32_t o = LKR_OUTCOME_DONE;
        if (a->phase == LKR_PHASE_PERFORM) fl_rig_effects(r, a->step);
        if (r->truthful && !(a->phase == LKR_PHASE_PERFORM && hs_step(a->step).wait_s > 0))
            o = r->h.fixed ? LKR_OUTCOME_FIXED : LKR_OUTCOME_NOT_FIXED;
        st = lkr_session_report(s, a->step, o);
        break;
    }
    case LKR_ACTION_HOST_STEP:
        fl_rig_effects(r, a->step);
        st = lkr_session_report(s, a->step, LKR_OUTCOME_DONE);
        break;
    case LKR_ACTION_WAIT:
        ck_assert_uint_ge(a->wait_until_ms, r->h.now);
        r->h.now = a->wait_until_ms;
        st = lkr_session_tick(s);
        break;
    case LKR_ACTION_VERIFY:
        if (a->phase == LKR_PHASE_PROBE) {
            lkr_probe_result res;
            memset(&res, 0, sizeof(res));
            res.struct_size = (uint32_t)sizeof(res);
            hs_fill_probe(&r->h, &res);
            st = lkr_session_probe_done(s, LKR_OK, &res);
        } else {
            st = lkr_session_report(s, a->step,
                                    r->h.fixed ? LKR_OUTCOME_FIXED : LKR_OUTCOME_NOT_FIXED);
        }
        break;
    case LKR_ACTION_BLOCKED: {
        uint32_t g;
        int acted = 0;
        for (g = 1; g <= LKR_GUARD_PREFLIGHT_OK; g++) {
            if ((a->unmet_guards & LKR_GUARD_BIT(g)) && (r->confirm_mask & LKR_GUARD_BIT(g)) &&
                (g == LKR_GUARD_ADMIN_CODE_RECORDED || g == LKR_GUARD_PHYSICAL_KEY ||
                 g == LKR_GUARD_DOOR_OPEN || g == LKR_GUARD_PHONE_IN_RANGE ||
                 g == LKR_GUARD_PREFLIGHT_OK)) {
                ck_assert_int_eq(lkr_session_confirm(s, g, 1), LKR_OK);
                acted = 1;
            }
        }
        if (!acted) st = lkr_session_waive(s, LKR_WAIVE_STEP, a->step, "cannot unblock");
        break;
    }
    default:
        ck_abort_msg("unexpected action kind %u", a->kind);
    }
    ck_assert_msg(st == LKR_OK, "responding to kind %u step %u: %s", a->kind, a->step,
                  lkr_status_name(st));
    return 1;
}

static inline lkr_action fl_rig_next(lkr_session *s)
{
    lkr_action a = LKR_ACTION_INIT;
    lkr_status st = lkr_session_next(s, &a);
    ck_assert_msg(st == LKR_OK, "lkr_session_next: %s", lkr_status_name(st));
    return a;
}

/* Drives @p s to its end (at most @p max actions); returns the final action. */
static inline lkr_action fl_rig_drive(fl_rig *r, lkr_session *s, unsigned max)
{
    unsigned i;
    lkr_action a = LKR_ACTION_INIT;
    for (i = 0; i < max; i++) {
        a = fl_rig_next(s);
        if (!fl_rig_respond(r, s, &a)) return a;
    }
    ck_abort_msg("session did not end in %u actions", max);
    return a;
}

/* Drives until @p step is offered or blocked (or the end); returns that action. */
static inline lkr_action fl_rig_drive_to(fl_rig *r, lkr_session *s, uint32_t step, unsigned max)
{
    unsigned i;
    lkr_action a = LKR_ACTION_INIT;
    for (i = 0; i < max; i++) {
        a = fl_rig_next(s);
        if (a.step == step && (a.kind == LKR_ACTION_PERSON_STEP || a.kind == LKR_ACTION_BLOCKED ||
                               a.kind == LKR_ACTION_HOST_STEP))
            return a;
        if (!fl_rig_respond(r, s, &a)) return a;
    }
    ck_abort_msg("step %u not reached in %u actions", step, max);
    return a;
}

static inline int fl_history_find(const lkr_session *s, uint32_t step)
{
    return hs_history_find(s, step);
}

#endif /* LKR_TESTS_HOST_SCRIPT_H */

#endif /* LKR_TESTS_FAKE_LOCK_H */
