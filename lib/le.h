/*
 * The library's one little-endian codec: fixed-width integers, length-prefixed
 * strings and raw bytes, written into a bounded buffer (or only counted) and
 * read from one without ever running past its end. The session blob
 * (persist.c) and the vault's export (vault.c) are written and read with it.
 * Private; never installed.
 */
#ifndef LKR_LE_H
#define LKR_LE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Stores the low `width` bytes (1, 2, 4 or 8) of v at p, least significant first. */
static inline void lkr__le_put(uint8_t *p, uint64_t v, unsigned width)
{
    unsigned i;
    for (i = 0; i < width; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t lkr__le_get(const uint8_t *p, unsigned width)
{
    uint64_t v = 0;
    unsigned i;
    for (i = width; i > 0; i--) v = (v << 8) | p[i - 1];
    return v;
}

/* A writer: with buf NULL it only counts; bytes past cap are counted, not written. */
typedef struct lkr__writer {
    uint8_t *buf;
    size_t cap;
    size_t n;
} lkr__writer;

static inline void lkr__w_bytes(lkr__writer *w, const void *p, size_t len)
{
    if (w->buf != NULL && len <= w->cap && w->n <= w->cap - len) {
        memcpy(w->buf + w->n, p, len);
    }
    w->n += len;
}

static inline void lkr__w_int(lkr__writer *w, uint64_t v, unsigned width)
{
    uint8_t b[8];
    lkr__le_put(b, v, width);
    lkr__w_bytes(w, b, width);
}

/* A string of at most 255 bytes: its length in one byte, then its bytes. */
static inline void lkr__w_str(lkr__writer *w, const char *s)
{
    size_t len = strlen(s);
    lkr__w_int(w, len, 1);
    lkr__w_bytes(w, s, len);
}

/* A reader over p[0..n): a read past the end sets `bad` and yields zeros. */
typedef struct lkr__reader {
    const uint8_t *p;
    size_t n;
    size_t off;
    int bad;
} lkr__reader;

static inline const uint8_t *lkr__r_take(lkr__reader *r, size_t len)
{
    const uint8_t *q;
    if (r->bad || len > r->n - r->off) {
        r->bad = 1;
        return NULL;
    }
    q = r->p + r->off;
    r->off += len;
    return q;
}

static inline uint64_t lkr__r_int(lkr__reader *r, unsigned width)
{
    const uint8_t *q = lkr__r_take(r, width);
    return q != NULL ? lkr__le_get(q, width) : 0;
}

/* A length-prefixed string into dst[cap], zero-filled: refuses (bad) one that
 * does not fit with its NUL or that holds a NUL. */
static inline void lkr__r_str(lkr__reader *r, char *dst, size_t cap)
{
    size_t len = (size_t)lkr__r_int(r, 1);
    const uint8_t *q;
    memset(dst, 0, cap);
    if (len >= cap) {
        r->bad = 1;
        return;
    }
    q = lkr__r_take(r, len);
    if (q == NULL || memchr(q, '\0', len) != NULL) {
        r->bad = 1;
        return;
    }
    memcpy(dst, q, len);
}

#endif /* LKR_LE_H */
