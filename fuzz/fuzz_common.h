/*
 * Shared helpers of the fuzz harnesses: a byte reader that never runs past
 * the input (missing bytes read as zero) and the shadow model's trap.
 */
#ifndef LKR_FUZZ_COMMON_H
#define LKR_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockrecover/lockrecover.h"

typedef struct fz_reader {
    const uint8_t *p;
    size_t n;
    size_t pos;
} fz_reader;

static inline void fz_init(fz_reader *r, const uint8_t *p, size_t n)
{
    r->p = p;
    r->n = n;
    r->pos = 0;
}

static inline int fz_more(const fz_reader *r)
{
    return r->pos < r->n;
}

static inline uint8_t fz_u8(fz_reader *r)
{
    return r->pos < r->n ? r->p[r->pos++] : 0u;
}

static inline uint16_t fz_u16(fz_reader *r)
{
    uint16_t lo = fz_u8(r);
    return (uint16_t)(lo | ((uint16_t)fz_u8(r) << 8));
}

static inline uint32_t fz_u32(fz_reader *r)
{
    uint32_t lo = fz_u16(r);
    return lo | ((uint32_t)fz_u16(r) << 16);
}

static inline uint64_t fz_u64(fz_reader *r)
{
    uint64_t lo = fz_u32(r);
    return lo | ((uint64_t)fz_u32(r) << 32);
}

/* Copies up to n bytes of input into dst (zero-filling what is missing). */
static inline void fz_bytes(fz_reader *r, void *dst, size_t n)
{
    size_t have = r->n - r->pos;
    if (have > n) have = n;
    memcpy(dst, r->p + r->pos, have);
    memset((uint8_t *)dst + have, 0, n - have);
    r->pos += have;
}

/* The shadow model found a broken invariant: say which, then crash so that
 * libFuzzer (or the replay driver) records the input. */
/* Drops a status on purpose (gcc ignores a (void) cast on warn_unused_result). */
static inline void fz_ignore(int status)
{
    (void)status;
}

#define FZ_CHECK(cond, what)                                                     \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "fuzz invariant broken (%s:%d): %s\n", __FILE__,     \
                    __LINE__, what);                                             \
            fflush(stderr);                                                      \
            abort();                                                             \
        }                                                                        \
    } while (0)

/* The event harness's operations, one byte each: fuzz_events.c decodes them
 * and gen_seeds.c writes the committed seeds with them. Append only: a
 * renumbered op changes what every committed input means. */
enum {
    OP_NEXT, OP_RESPOND, OP_DRIVE, OP_REPORT_CUR, OP_REPORT_ANY, OP_ANSWER_CUR, OP_ANSWER_ANY, OP_OBSERVE,
    OP_CONFIRM, OP_WAIVE, OP_TICK, OP_ADVANCE, OP_ROUND_TRIP, OP_ATTACH, OP_DETACH, OP_VAULT_SWAP,
    OP_ABORT, OP_DONE_STEP, OP_DONE_PROBE, OP_CLOCK_BACK, OP_QUERIES, OP_ARM_FAULT, OP_BOGUS_RESPOND,
    OP_VAULT_DIRECT, OP_COUNT
};

/* An identity keystore (seal and unseal copy): the library's own checks of a
 * sealed vault are what gets exercised, not a cipher. */
static inline lkr_status fz_identity_seal(void *ctx, const void *in, size_t len, void *out, size_t cap,
                                          size_t *out_len)
{
    (void)ctx;
    *out_len = len;
    if (out == NULL || cap < len) return LKR_E_BUFFER;
    if (len > 0) memcpy(out, in, len);
    return LKR_OK;
}

#endif /* LKR_FUZZ_COMMON_H */
