/*
 * The vault's keyed digest (HMAC-SHA-256 of the lock's identity and codes
 * under the vault's own random key), the wire form of a code that the digest
 * and the export share, and where the key comes from.
 */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* getrandom() */
#endif
#include <string.h>

#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#define LKR_HAVE_ARC4RANDOM 1
#include <stdlib.h>
#elif defined(_WIN32)
#include <windows.h>
#include <bcrypt.h>
#if defined(_MSC_VER)
#pragma comment(lib, "bcrypt")
#endif
#elif defined(__linux__)
#include <errno.h>
#include <sys/random.h>
#endif
#include <stdio.h>

#include "vault_int.h"

/* ---- digest and wire form ------------------------------------------------------ */

void lkr__vput_code(lkr__writer *w, const lkr_code *c)
{
    lkr__w_int(w, c->slot, 2);
    lkr__w_int(w, c->kind, 1);
    lkr__w_int(w, c->weekdays, 1);
    lkr__w_int(w, c->day_start_min, 2);
    lkr__w_int(w, c->day_end_min, 2);
    lkr__w_int(w, c->valid_from_s, 8);
    lkr__w_int(w, c->valid_until_s, 8);
    lkr__w_str(w, c->name);
    lkr__w_str(w, c->pin);
}

void lkr__vput_identity(lkr__writer *w, const identity *id)
{
    lkr__w_int(w, id->bound, 1);
    lkr__w_str(w, id->manufacturer);
    lkr__w_str(w, id->model);
    lkr__w_str(w, id->serial);
}

/* The codes as the digests cover them: their count, then each one. */
static void hash_codes(const lkr_vault *v, lkr__sha256 *h)
{
    uint8_t buf[CODE_WIRE_MAX];
    lkr__writer w;
    uint32_t i;
    lkr__le_put(buf, v->count, 2);
    lkr__sha256_update(h, buf, 2);
    for (i = 0; i < v->count; i++) {
        w.buf = buf;
        w.cap = sizeof(buf);
        w.n = 0;
        lkr__vput_code(&w, &v->codes[i]);
        lkr__sha256_update(h, buf, w.n);
    }
    lkr__wipe(buf, sizeof(buf));
}

/* The key changed: HMAC's two padded key blocks are hashed once, here. */
void lkr__vkey_changed(lkr_vault *v)
{
    uint8_t pad[64];
    unsigned i;
    for (i = 0; i < 64; i++) pad[i] = (uint8_t)((i < KEY_SIZE ? v->key[i] : 0) ^ 0x36u);
    lkr__sha256_init(&v->hmac_in);
    lkr__sha256_update(&v->hmac_in, pad, 64);
    for (i = 0; i < 64; i++) pad[i] = (uint8_t)((i < KEY_SIZE ? v->key[i] : 0) ^ 0x5Cu);
    lkr__sha256_init(&v->hmac_out);
    lkr__sha256_update(&v->hmac_out, pad, 64);
    lkr__wipe(pad, sizeof(pad));
    v->digest_stale = 1;
}

/* HMAC-SHA-256 (RFC 2104) under the vault's key of its identity and codes. */
static void update_digest(lkr_vault *v)
{
    uint8_t inner[32], buf[IDENTITY_WIRE_MAX];
    lkr__writer w = {buf, sizeof(buf), 0};
    lkr__sha256 h = v->hmac_in;
    lkr__vput_identity(&w, &v->id);
    lkr__sha256_update(&h, buf, w.n);
    hash_codes(v, &h);
    lkr__sha256_final(&h, inner);
    h = v->hmac_out;
    lkr__sha256_update(&h, inner, 32);
    lkr__sha256_final(&h, v->digest);
    lkr__wipe(inner, sizeof(inner));
    lkr__wipe(&h, sizeof(h));
}

/* The digest, computed if anything changed since it was last read. */
const uint8_t *lkr__vcurrent_digest(const lkr_vault *v)
{
    if (v->digest_stale) {
        update_digest(v->self);
        v->self->digest_stale = 0;
    }
    return v->digest;
}

/* What format 1 sessions recorded: SHA-256 of the codes alone. Computed only
 * to recognise such a session's vault, never stored or shown. */
void lkr__vunkeyed_digest(const lkr_vault *v, uint8_t out[32])
{
    lkr__sha256 h;
    lkr__sha256_init(&h);
    hash_codes(v, &h);
    lkr__sha256_final(&h, out);
    lkr__wipe(&h, sizeof(h));
}

/* A fresh digest key from the system's random source; 0 when there is none
 * (a bare-metal build: such a host passes its own through lkr_vault_new_ex). */
static int system_random(uint8_t *p, size_t n)
{
#if defined(LKR_HAVE_ARC4RANDOM)
    arc4random_buf(p, n);
    return 1;
#elif defined(_WIN32)
    return BCryptGenRandom(NULL, p, (ULONG)n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
#elif defined(__linux__) || defined(__unix__) || defined(__APPLE__)
    size_t got = 0;
#if defined(__linux__)
    while (got < n) {
        ssize_t r = getrandom(p + got, n - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
#endif
    if (got < n) {
        FILE *f = fopen("/dev/urandom", "rb");
        if (f == NULL) return 0;
        got += fread(p + got, 1, n - got, f);
        (void)fclose(f); /* read only: nothing to flush */
    }
    return got == n;
#else
    (void)p;
    (void)n;
    return 0;
#endif
}

/* The key from the host's source when it gave one, else the system's. A
 * host source that fails is a failed callback; no source at all is a
 * platform without one. */
lkr_status lkr__vdraw_key(const lkr_vault_config *c, uint8_t *key)
{
    if (c != NULL && c->random != NULL) {
        lkr_status st = c->random(c->random_ctx, key, KEY_SIZE);
        return st == LKR_OK ? LKR_OK : LKR_E_TRANSPORT;
    }
    return system_random(key, KEY_SIZE) ? LKR_OK : LKR_E_UNSUPPORTED;
}

