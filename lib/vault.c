/*
 * The code vault: verified backups of a lock's access codes, write-through
 * capture for locks that cannot read PINs back, verified restore, and a
 * sealed export. Codes are secrets: every buffer that held one is wiped when
 * it is discarded, nothing here logs, and codes leave only sealed by the host.
 * docs/VAULT.md states the rules.
 */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* getrandom() */
#endif
#include <stdlib.h>
#include <string.h>

#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
#define LKR_HAVE_ARC4RANDOM 1
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

#include "internal.h"
#include "le.h"

#define VAULT_MAGIC 0x4C4B5256u /* "LKRV" */
/* 2: the vault's digest key and the lock it is bound to travel in the export. */
#define EXPORT_VERSION 2u
/* A serialised code: slot, kind, weekdays, day window, validity, name, PIN. */
#define CODE_WIRE_MAX (2 + 1 + 1 + 2 + 2 + 8 + 8 + 1 + (LKR_CODE_NAME_MAX - 1) + 1 + (LKR_PIN_MAX - 1))
#define EXPORT_HEADER 16u
#define KEY_SIZE 32u
#define IDENTITY_WIRE_MAX (1u + 3u * LKR_PROFILE_TEXT_MAX)
#define EXPORT_MAX (EXPORT_HEADER + KEY_SIZE + IDENTITY_WIRE_MAX + LKR_VAULT_MAX_CODES * CODE_WIRE_MAX + 32u)

/* The lock a vault belongs to: what its profile names it. */
typedef struct identity {
    uint8_t bound;
    char manufacturer[LKR_PROFILE_TEXT_MAX];
    char model[LKR_PROFILE_TEXT_MAX];
    char serial[LKR_PROFILE_TEXT_MAX];
} identity;

struct lkr_vault {
    uint32_t magic;
    lkr_allocator alloc;
    uint8_t has_alloc;
    uint8_t verified;
    uint8_t pins_readable; /* the verified backup holds PINs read from the lock */
    uint8_t has_checksum;
    uint32_t checksum;
    uint32_t count;
    uint32_t missing;
    /* What the last read of the lock showed (not exported): codes it listed,
     * and how many of them the vault holds no PIN for; lock_read 0: never. */
    uint8_t lock_read;
    uint32_t lock_count;
    uint32_t unknown;
    /* HMAC-SHA-256 under `key` of the identity and the codes: a fingerprint
     * nobody without the key can test a guessed PIN against. */
    uint8_t digest[32];
    uint8_t digest_stale; /* content, key or binding changed: recomputed when next read */
    uint8_t key[KEY_SIZE]; /* random per vault; leaves it only in the sealed export */
    lkr__sha256 hmac_in, hmac_out; /* SHA-256 after the key's inner and outer pads */
    identity id;
    uint8_t state[LKR_VAULT_MAX_CODES];
    lkr_code codes[LKR_VAULT_MAX_CODES]; /* sorted by slot */
    /* Scratch: the two reads of a backup, and the clear text of an export. */
    lkr_code read_a[LKR_VAULT_MAX_CODES];
    lkr_code read_b[LKR_VAULT_MAX_CODES];
    /* Which of read_a (bit 0) and read_b (bit 1) may hold anything: the rest
     * are all zero (wiped after every use), so only these are wiped. */
    uint8_t dirty;
    uint8_t clear[EXPORT_MAX];
    /* Points at `clear`: lets functions that take the vault const use the
     * scratch (the vault itself is never const: lkr_vault_new allocates it). */
    uint8_t *scratch;
    /* The vault itself, for the same reason: a const reader of the digest
     * brings it up to date (it is computed only when read). */
    struct lkr_vault *self;
};

/* ---- codes ------------------------------------------------------------------ */

void lkr_code_init(lkr_code *code)
{
    if (code == NULL) {
        return;
    }
    memset(code, 0, sizeof(*code));
    code->struct_size = (uint32_t)sizeof(*code);
}

void lkr_code_readout_init(lkr_code_readout *readout)
{
    if (readout == NULL) {
        return;
    }
    memset(readout, 0, sizeof(*readout));
    readout->struct_size = (uint32_t)sizeof(*readout);
}

static int pin_ok(const char *pin)
{
    size_t n;
    if (memchr(pin, '\0', LKR_PIN_MAX) == NULL) {
        return 0;
    }
    for (n = 0; pin[n] != '\0'; n++) {
        if (pin[n] < '0' || pin[n] > '9') {
            return 0;
        }
    }
    return n == 0 || (n >= 4 && n <= 12);
}

static int code_ok(const lkr_code *c)
{
    return c->struct_size >= sizeof(lkr_code) && c->struct_size <= LKR__STRUCT_SIZE_MAX &&
           c->slot <= 65535u && c->kind >= LKR_CODE_ADMIN && c->kind <= LKR_CODE_KIND_MAX &&
           c->weekdays <= 0x7Fu && c->day_start_min <= 1439u && c->day_end_min <= 1440u &&
           c->reserved_ == 0 && memchr(c->name, '\0', sizeof(c->name)) != NULL && pin_ok(c->pin) &&
           !(c->valid_from_s != 0 && c->valid_until_s != 0 && c->valid_until_s < c->valid_from_s);
}

/* A canonical copy: bytes after a string's NUL are zero, so equal codes
 * compare equal byte for byte. */
static void canonical(lkr_code *dst, const lkr_code *src, int keep_pin)
{
    lkr_code c;
    memset(&c, 0, sizeof(c));
    c.struct_size = (uint32_t)sizeof(c);
    c.slot = src->slot;
    c.kind = src->kind;
    c.weekdays = src->weekdays;
    c.day_start_min = src->day_start_min;
    c.day_end_min = src->day_end_min;
    c.valid_from_s = src->valid_from_s;
    c.valid_until_s = src->valid_until_s;
    memcpy(c.name, src->name, strlen(src->name));
    if (keep_pin) {
        memcpy(c.pin, src->pin, strlen(src->pin));
    }
    *dst = c;
    lkr__wipe(&c, sizeof(c));
}

static int same_code(const lkr_code *a, const lkr_code *b, int with_pin)
{
    return a->slot == b->slot && a->kind == b->kind && a->weekdays == b->weekdays &&
           a->day_start_min == b->day_start_min && a->day_end_min == b->day_end_min &&
           a->valid_from_s == b->valid_from_s && a->valid_until_s == b->valid_until_s &&
           strcmp(a->name, b->name) == 0 && (!with_pin || strcmp(a->pin, b->pin) == 0);
}

static void sort_by_slot(lkr_code *codes, uint32_t n)
{
    uint32_t i, j;
    for (i = 1; i < n; i++) {
        lkr_code key = codes[i];
        for (j = i; j > 0 && codes[j - 1].slot > key.slot; j--) {
            codes[j] = codes[j - 1];
        }
        codes[j] = key;
        lkr__wipe(&key, sizeof(key));
    }
}

static int find_slot(const lkr_code *codes, uint32_t n, uint32_t slot)
{
    uint32_t i;
    for (i = 0; i < n; i++) {
        if (codes[i].slot == slot) {
            return (int)i;
        }
    }
    return -1;
}

/* ---- digest and wire form ------------------------------------------------------ */

static void put_code(lkr__writer *w, const lkr_code *c)
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

static void put_identity(lkr__writer *w, const identity *id)
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
        put_code(&w, &v->codes[i]);
        lkr__sha256_update(h, buf, w.n);
    }
    lkr__wipe(buf, sizeof(buf));
}

/* The key changed: HMAC's two padded key blocks are hashed once, here. */
static void key_changed(lkr_vault *v)
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
    put_identity(&w, &v->id);
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
static const uint8_t *current_digest(const lkr_vault *v)
{
    if (v->digest_stale) {
        update_digest(v->self);
        v->self->digest_stale = 0;
    }
    return v->digest;
}

/* What format 1 sessions recorded: SHA-256 of the codes alone. Computed only
 * to recognise such a session's vault, never stored or shown. */
static void unkeyed_digest(const lkr_vault *v, uint8_t out[32])
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
static lkr_status draw_key(const lkr_vault_config *c, uint8_t *key)
{
    if (c != NULL && c->random != NULL) {
        lkr_status st = c->random(c->random_ctx, key, KEY_SIZE);
        return st == LKR_OK ? LKR_OK : LKR_E_TRANSPORT;
    }
    return system_random(key, KEY_SIZE) ? LKR_OK : LKR_E_UNSUPPORTED;
}

/* ---- lifecycle ----------------------------------------------------------------- */

void lkr_vault_config_init(lkr_vault_config *config)
{
    if (config != NULL) {
        lkr_vault_config c = LKR_VAULT_CONFIG_INIT;
        *config = c;
    }
}

#define VAULT_CONFIG_MIN (offsetof(lkr_vault_config, random_ctx) + sizeof(void *))

lkr_status lkr_vault_new_ex(const lkr_vault_config *config, lkr_vault **out)
{
    lkr_vault_config c = LKR_VAULT_CONFIG_INIT;
    const lkr_allocator *al;
    lkr_vault *v;
    lkr_status st;
    if (out == NULL) {
        return LKR_E_INVAL;
    }
    if (config != NULL && (st = lkr__ingest(&c, sizeof c, config, VAULT_CONFIG_MIN)) != LKR_OK) {
        return st;
    }
    al = c.allocator;
    if ((st = lkr__check_allocator(al)) != LKR_OK) {
        return st;
    }
    v = al != NULL ? (lkr_vault *)al->alloc(al->ctx, sizeof(*v)) : (lkr_vault *)malloc(sizeof(*v));
    if (v == NULL) {
        return LKR_E_NOMEM;
    }
    memset(v, 0, sizeof(*v));
    if ((st = draw_key(&c, v->key)) != LKR_OK) {
        lkr__wipe(v->key, sizeof(v->key));
        if (al != NULL) al->free(al->ctx, v, sizeof(*v));
        else free(v);
        return st;
    }
    v->magic = VAULT_MAGIC;
    v->scratch = v->clear;
    v->self = v;
    key_changed(v);
    if (al != NULL) {
        v->alloc = *al;
        v->has_alloc = 1;
    }
    v->digest_stale = 1;
    *out = v;
    return LKR_OK;
}

lkr_status lkr_vault_new(const lkr_allocator *al, lkr_vault **out)
{
    lkr_vault_config c = LKR_VAULT_CONFIG_INIT;
    c.allocator = al;
    return lkr_vault_new_ex(&c, out);
}

static int vault_ok(const lkr_vault *v)
{
    return v != NULL && v->magic == VAULT_MAGIC;
}

void lkr_vault_free(lkr_vault *v)
{
    lkr_allocator al;
    int has;
    if (!vault_ok(v)) {
        return;
    }
    al = v->alloc;
    has = v->has_alloc;
    lkr__wipe(v, sizeof(*v));
    if (has) {
        al.free(al.ctx, v, sizeof(*v));
    } else {
        free(v);
    }
}

int lkr__vault_verified(const lkr_vault *v)
{
    return vault_ok(v) && v->verified;
}

int lkr__vault_records(const lkr_vault *v)
{
    return vault_ok(v) && !v->verified && v->count > 0;
}

void lkr__vault_digest(const lkr_vault *v, uint8_t out[32])
{
    memcpy(out, current_digest(v), 32);
}

static int same_identity(const identity *id, const lkr_profile *p)
{
    return strcmp(id->manufacturer, p->manufacturer) == 0 && strcmp(id->model, p->model) == 0 &&
           strcmp(id->serial, p->serial) == 0;
}

lkr_status lkr__vault_bind(lkr_vault *v, const lkr_profile *p)
{
    if (!vault_ok(v) || p == NULL) {
        return LKR_E_INVAL;
    }
    if (v->id.bound) {
        return same_identity(&v->id, p) ? LKR_OK : LKR_E_STATE;
    }
    memset(&v->id, 0, sizeof(v->id));
    v->id.bound = 1;
    memcpy(v->id.manufacturer, p->manufacturer, strlen(p->manufacturer));
    memcpy(v->id.model, p->model, strlen(p->model));
    memcpy(v->id.serial, p->serial, strlen(p->serial));
    v->digest_stale = 1;
    return LKR_OK;
}

int lkr__vault_matches(const lkr_vault *v, const lkr_profile *p, uint32_t kind, const uint8_t digest[32])
{
    uint8_t d[32];
    int same;
    if (!vault_ok(v) || (v->id.bound && !same_identity(&v->id, p))) {
        return 0;
    }
    if (kind == LKR__DIGEST_KEYED) {
        return v->id.bound && memcmp(current_digest(v), digest, 32) == 0;
    }
    if (kind != LKR__DIGEST_UNKEYED) {
        return 0;
    }
    unkeyed_digest(v, d);
    same = memcmp(d, digest, 32) == 0;
    lkr__wipe(d, sizeof(d));
    return same;
}

uint32_t lkr__vault_count(const lkr_vault *v)
{
    return vault_ok(v) ? v->count : 0;
}

/* ---- reading the lock ------------------------------------------------------------ */

static int code_cb_status_ok(lkr_status st)
{
    return st == LKR_OK;
}

/* One read of the lock's code table into `buf`, validated and sorted. */
#define READ_A 1u
#define READ_B 2u

/* Hands a scratch buffer out: all zero (wiped if it was used) and marked. */
static lkr_code *scratch_codes(lkr_vault *v, uint8_t which)
{
    lkr_code *buf = which == READ_A ? v->read_a : v->read_b;
    if (v->dirty & which) {
        lkr__wipe(buf, sizeof(v->read_a));
    }
    v->dirty |= which;
    return buf;
}

/* Remembers what a read showed: how many codes the lock lists, and how many
 * of them the vault has no PIN for (nobody here could restore those). */
static void note_lock(lkr_vault *v, const lkr_code *read, const lkr_code_readout *info)
{
    uint32_t i, unknown = 0;
    for (i = 0; i < info->count; i++) {
        int k = find_slot(v->codes, v->count, read[i].slot);
        if (k < 0 || v->codes[k].pin[0] == '\0') unknown++;
    }
    v->lock_read = 1;
    v->lock_count = info->count;
    v->unknown = info->pins_readable ? 0 : unknown;
}

int lkr__vault_lock_facts(const lkr_vault *v, uint32_t *on_lock, uint32_t *unknown)
{
    if (!vault_ok(v) || !v->lock_read) {
        return 0;
    }
    *on_lock = v->lock_count;
    *unknown = v->unknown;
    return 1;
}

static lkr_status read_lock(lkr_vault *v, const lkr_transport *t, uint8_t which, lkr_code_readout *info)
{
    uint32_t i;
    lkr_status st;
    lkr_code *buf = scratch_codes(v, which);
    for (i = 0; i < LKR_VAULT_MAX_CODES; i++) {
        buf[i].struct_size = (uint32_t)sizeof(lkr_code); /* the rest is zero: lkr_code_init */
    }
    lkr_code_readout_init(info);
    st = t->read_codes(t->ctx, buf, LKR_VAULT_MAX_CODES, info);
    if (!code_cb_status_ok(st)) {
        return LKR_E_TRANSPORT;
    }
    if (info->count > LKR_VAULT_MAX_CODES || info->total > LKR_VAULT_MAX_CODES ||
        (info->total != 0 && info->total > info->count)) {
        return LKR_E_RANGE;
    }
    if (info->has_checksum > 1 || info->pins_readable > 1) {
        return LKR_E_PROTOCOL;
    }
    for (i = 0; i < info->count; i++) {
        /* A lock that says it reads PINs back must give every one of them. */
        if (!code_ok(&buf[i]) || (info->pins_readable && buf[i].pin[0] == '\0')) {
            return LKR_E_PROTOCOL;
        }
        canonical(&buf[i], &buf[i], info->pins_readable);
    }
    sort_by_slot(buf, info->count);
    for (i = 1; i < info->count; i++) {
        if (buf[i].slot == buf[i - 1].slot) {
            return LKR_E_PROTOCOL;
        }
    }
    note_lock(v, buf, info);
    return LKR_OK;
}

static void wipe_reads(lkr_vault *v)
{
    /* Whole buffers: a host's read_codes may write any entry it was offered. */
    if (v->dirty & READ_A) lkr__wipe(v->read_a, sizeof(v->read_a));
    if (v->dirty & READ_B) lkr__wipe(v->read_b, sizeof(v->read_b));
    v->dirty = 0;
}

/* Keeps a backup that read back the same twice: the codes the lock lists
 * (`got`, sorted by slot), and every code the vault held whose slot the lock
 * no longer lists (a read never drops a code: it is kept, marked missing, for
 * a restore). LKR_E_RANGE when both do not fit. */
static lkr_status keep_backup(lkr_vault *v, const lkr_code *got, const lkr_code_readout *a)
{
    uint32_t i, n = a->count, kept = 0;
    lkr_code *merged = v->read_a == got ? v->read_b : v->read_a;
    for (i = 0; i < v->count; i++) {
        if (find_slot(got, a->count, v->codes[i].slot) < 0) {
            if (n >= LKR_VAULT_MAX_CODES) return LKR_E_RANGE;
            kept++;
            n++;
        }
    }
    /* `merged` is the scratch read not holding `got`: its content was
     * compared already and is no longer needed. */
    lkr__wipe(merged, sizeof(v->read_a));
    memcpy(merged, got, a->count * sizeof(lkr_code));
    for (i = 0, n = a->count; i < v->count; i++) {
        if (find_slot(got, a->count, v->codes[i].slot) < 0) merged[n++] = v->codes[i];
    }
    sort_by_slot(merged, n);
    lkr__wipe(v->codes, sizeof(v->codes));
    memcpy(v->codes, merged, n * sizeof(lkr_code));
    v->count = n;
    v->verified = 1;
    v->pins_readable = a->pins_readable;
    v->has_checksum = a->has_checksum;
    v->checksum = a->checksum;
    v->missing = kept;
    for (i = 0; i < LKR_VAULT_MAX_CODES; i++) {
        v->state[i] = i < n && find_slot(got, a->count, v->codes[i].slot) < 0 ? LKR_SLOT_MISSING
                                                                                : LKR_SLOT_UNCHECKED;
    }
    v->digest_stale = 1;
    return LKR_OK;
}

lkr_status lkr_vault_backup(lkr_vault *v, const lkr_transport *t)
{
    lkr_code_readout a, b;
    lkr_status st;
    uint32_t i;
    if (!vault_ok(v) || t == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_transport(t)) != LKR_OK) {
        return st;
    }
    if (t->read_codes == NULL) {
        return LKR_E_UNSUPPORTED;
    }
    if ((st = read_lock(v, t, READ_A, &a)) != LKR_OK || (st = read_lock(v, t, READ_B, &b)) != LKR_OK) {
        wipe_reads(v);
        return st;
    }
    /* Two reads, and they must agree: otherwise the backup is refused. */
    if (a.count != b.count || a.pins_readable != b.pins_readable ||
        a.has_checksum != b.has_checksum || (a.has_checksum && a.checksum != b.checksum)) {
        wipe_reads(v);
        return LKR_E_CORRUPT;
    }
    for (i = 0; i < a.count; i++) {
        if (!same_code(&v->read_a[i], &v->read_b[i], a.pins_readable)) {
            wipe_reads(v);
            return LKR_E_CORRUPT;
        }
    }
    if (!a.pins_readable) {
        /* Write-through capture: every slot the lock lists must be recorded. */
        for (i = 0; i < a.count; i++) {
            int k = find_slot(v->codes, v->count, v->read_a[i].slot);
            if (k < 0 || v->codes[k].pin[0] == '\0' || v->codes[k].kind != v->read_a[i].kind) {
                wipe_reads(v);
                return LKR_E_STATE;
            }
            v->read_b[i] = v->codes[k];
        }
    }
    st = keep_backup(v, a.pins_readable ? v->read_a : v->read_b, &a);
    wipe_reads(v);
    return st;
}

lkr_status lkr_vault_record(lkr_vault *v, const lkr_code *code)
{
    int k;
    if (!vault_ok(v) || code == NULL || !code_ok(code) || code->pin[0] == '\0') {
        return LKR_E_INVAL;
    }
    k = find_slot(v->codes, v->count, code->slot);
    if (k < 0) {
        if (v->count >= LKR_VAULT_MAX_CODES) {
            return LKR_E_RANGE;
        }
        k = (int)v->count++;
    }
    lkr__wipe(&v->codes[k], sizeof(v->codes[k]));
    canonical(&v->codes[k], code, 1);
    sort_by_slot(v->codes, v->count);
    v->verified = 0; /* a change of content needs a new backup */
    v->missing = 0;
    memset(v->state, LKR_SLOT_UNCHECKED, sizeof(v->state));
    v->digest_stale = 1;
    return LKR_OK;
}

/* Marks each vault code present, missing or different against one read. */
static uint32_t compare_with(lkr_vault *v, const lkr_code *read, const lkr_code_readout *info)
{
    uint32_t i, missing = 0;
    int with_pin = (v->pins_readable || !v->verified) && info->pins_readable; /* records hold PINs */
    for (i = 0; i < v->count; i++) {
        int k = find_slot(read, info->count, v->codes[i].slot);
        if (k < 0) {
            v->state[i] = LKR_SLOT_MISSING;
        } else if (!same_code(&v->codes[i], &read[k], with_pin)) {
            v->state[i] = LKR_SLOT_DIFFERENT;
        } else {
            v->state[i] = LKR_SLOT_PRESENT;
            continue;
        }
        missing++;
    }
    return missing;
}

lkr_status lkr_vault_verify(lkr_vault *v, const lkr_transport *t, uint32_t *missing)
{
    lkr_code_readout info;
    lkr_status st;
    uint32_t m;
    if (!vault_ok(v) || t == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_transport(t)) != LKR_OK) {
        return st;
    }
    if (!v->verified && v->count == 0) {
        return LKR_E_STATE; /* neither a backup nor the host's records */
    }
    if (t->read_codes == NULL) {
        return LKR_E_UNSUPPORTED;
    }
    if ((st = read_lock(v, t, READ_A, &info)) != LKR_OK) {
        wipe_reads(v);
        return st;
    }
    m = compare_with(v, v->read_a, &info);
    wipe_reads(v);
    v->missing = m;
    if (missing != NULL) {
        *missing = m;
    }
    return m == 0 ? LKR_OK : LKR_E_CORRUPT;
}

lkr_status lkr__vault_matches_lock(lkr_vault *v, const lkr_transport *t)
{
    lkr_code_readout info;
    lkr_status st;
    uint32_t m;
    if (!vault_ok(v) || !v->verified || t == NULL || t->read_codes == NULL) {
        return LKR_E_STATE;
    }
    if ((st = read_lock(v, t, READ_A, &info)) != LKR_OK) {
        wipe_reads(v);
        return st;
    }
    /* Every code of the vault on the lock, and no code on the lock that the
     * vault lacks: the vault is a backup of this lock as it is now. */
    m = compare_with(v, v->read_a, &info);
    wipe_reads(v);
    v->missing = m;
    return m == 0 && info.count == v->count ? LKR_OK : LKR_E_CORRUPT;
}

lkr_status lkr_vault_restore(lkr_vault *v, const lkr_transport *t, uint32_t *missing)
{
    lkr_code_readout info;
    lkr_status st;
    uint32_t i, m = 0;
    if (!vault_ok(v) || t == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_transport(t)) != LKR_OK) {
        return st;
    }
    if (!v->verified && v->count == 0) {
        return LKR_E_STATE; /* neither a backup nor the host's records */
    }
    if (t->read_codes == NULL || t->write_code == NULL) {
        return LKR_E_UNSUPPORTED;
    }
    if ((st = read_lock(v, t, READ_A, &info)) != LKR_OK) {
        wipe_reads(v);
        return st;
    }
    (void)compare_with(v, v->read_a, &info);
    for (i = 0; i < v->count; i++) {
        if (v->state[i] != LKR_SLOT_PRESENT) {
            st = t->write_code(t->ctx, &v->codes[i]);
            v->state[i] = code_cb_status_ok(st) ? LKR_SLOT_RESTORED : LKR_SLOT_FAILED;
        }
    }
    /* Read back: a write the lock acknowledged but did not keep is a failure. */
    if ((st = read_lock(v, t, READ_A, &info)) != LKR_OK) {
        for (i = 0; i < v->count; i++) {
            if (v->state[i] == LKR_SLOT_RESTORED) v->state[i] = LKR_SLOT_FAILED;
        }
    }
    for (i = 0; i < v->count; i++) {
        if (v->state[i] == LKR_SLOT_RESTORED || v->state[i] == LKR_SLOT_PRESENT) {
            int k = st == LKR_OK ? find_slot(v->read_a, info.count, v->codes[i].slot) : -1;
            if (k < 0 ||
                !same_code(&v->codes[i], &v->read_a[k], (v->pins_readable || !v->verified) && info.pins_readable)) {
                v->state[i] = LKR_SLOT_FAILED;
            }
        }
        if (v->state[i] == LKR_SLOT_FAILED) {
            m++;
        }
    }
    wipe_reads(v);
    v->missing = m;
    if (missing != NULL) {
        *missing = m;
    }
    return m == 0 ? LKR_OK : LKR_E_CORRUPT;
}

lkr_status lkr_vault_restore_slot(lkr_vault *v, const lkr_transport *t, uint32_t slot)
{
    lkr_code_readout info;
    lkr_status st;
    int i, k;
    if (!vault_ok(v) || t == NULL || slot > 65535u) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_transport(t)) != LKR_OK) {
        return st;
    }
    if (!v->verified && v->count == 0) {
        return LKR_E_STATE;
    }
    if (t->read_codes == NULL || t->write_code == NULL) {
        return LKR_E_UNSUPPORTED;
    }
    if ((i = find_slot(v->codes, v->count, slot)) < 0) {
        return LKR_E_NOTFOUND;
    }
    st = t->write_code(t->ctx, &v->codes[i]);
    v->state[i] = code_cb_status_ok(st) ? LKR_SLOT_RESTORED : LKR_SLOT_FAILED;
    /* Read back: only a code the lock shows again, equal, is restored. */
    if (v->state[i] == LKR_SLOT_RESTORED) {
        if (read_lock(v, t, READ_A, &info) != LKR_OK || (k = find_slot(v->read_a, info.count, slot)) < 0 ||
            !same_code(&v->codes[i], &v->read_a[k], (v->pins_readable || !v->verified) && info.pins_readable)) {
            v->state[i] = LKR_SLOT_FAILED;
        }
    }
    wipe_reads(v);
    return v->state[i] == LKR_SLOT_RESTORED ? LKR_OK : LKR_E_CORRUPT;
}

/* ---- facts ----------------------------------------------------------------------- */

lkr_status lkr_vault_status(const lkr_vault *v, lkr_vault_info *out)
{
    lkr_vault_info info;
    if (!vault_ok(v) || out == NULL) {
        return LKR_E_INVAL;
    }
    memset(&info, 0, sizeof(info));
    info.struct_size = (uint32_t)sizeof(info);
    info.count = v->count;
    info.verified = v->verified;
    info.missing = v->missing;
    memcpy(info.digest, current_digest(v), sizeof(info.digest));
    return lkr__emit(out, &info, sizeof(info), sizeof(info));
}

lkr_status lkr_vault_code(const lkr_vault *v, uint32_t index, lkr_code_info *out)
{
    lkr_code_info info;
    if (!vault_ok(v) || out == NULL) {
        return LKR_E_INVAL;
    }
    if (index >= v->count) {
        return out->struct_size < sizeof(info) ? LKR_E_INVAL : LKR_E_RANGE;
    }
    memset(&info, 0, sizeof(info));
    info.struct_size = (uint32_t)sizeof(info);
    info.slot = v->codes[index].slot;
    info.kind = v->codes[index].kind;
    info.has_pin = v->codes[index].pin[0] != '\0';
    info.state = v->state[index];
    memcpy(info.name, v->codes[index].name, sizeof(info.name));
    return lkr__emit(out, &info, sizeof(info), sizeof(info));
}

/* ---- sealed export ------------------------------------------------------------------ */

static size_t serialise(const lkr_vault *v, uint8_t *p)
{
    lkr__writer w = {p, EXPORT_MAX, 0};
    lkr__sha256 h;
    uint32_t i;
    lkr__w_bytes(&w, "LKRV", 4);
    lkr__w_int(&w, EXPORT_VERSION, 2);
    lkr__w_int(&w, (v->verified ? 1u : 0u) | (v->pins_readable ? 2u : 0u) | (v->has_checksum ? 4u : 0u), 1);
    lkr__w_int(&w, 0, 1);
    lkr__w_int(&w, v->count, 2);
    lkr__w_int(&w, 0, 2);
    lkr__w_int(&w, v->checksum, 4);
    lkr__w_bytes(&w, v->key, KEY_SIZE);
    put_identity(&w, &v->id);
    for (i = 0; i < v->count; i++) {
        put_code(&w, &v->codes[i]);
    }
    lkr__sha256_init(&h);
    lkr__sha256_update(&h, p, w.n);
    lkr__sha256_final(&h, p + w.n);
    return w.n + 32;
}

lkr_status lkr_vault_export_sealed(const lkr_vault *v, const lkr_transport *t, void *buf, size_t len,
                                   size_t *needed)
{
    uint8_t *clear;
    size_t n, out_len = 0;
    lkr_status st;
    if (!vault_ok(v) || t == NULL || needed == NULL || (buf == NULL && len != 0)) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_transport(t)) != LKR_OK) {
        return st;
    }
    if (t->seal == NULL) {
        return LKR_E_UNSUPPORTED;
    }
    clear = v->scratch;
    n = serialise(v, clear);
    st = t->seal(t->ctx, clear, n, buf, buf != NULL ? len : 0, &out_len);
    lkr__wipe(clear, EXPORT_MAX);
    if (st == LKR_E_BUFFER) {
        *needed = out_len;
        return LKR_E_BUFFER;
    }
    if (st != LKR_OK || (buf != NULL && out_len > len)) {
        return LKR_E_TRANSPORT;
    }
    *needed = out_len;
    return buf == NULL ? LKR_E_BUFFER : LKR_OK;
}

/* What an export holds besides its codes. */
typedef struct export_meta {
    uint32_t count, checksum, version;
    uint8_t flags;
    uint8_t key[KEY_SIZE];
    identity id;
} export_meta;

static lkr_status parse_header(lkr__reader *r, export_meta *m)
{
    const uint8_t *p = lkr__r_take(r, EXPORT_HEADER);
    if (p == NULL || memcmp(p, "LKRV", 4) != 0) {
        return LKR_E_CORRUPT;
    }
    m->version = (uint32_t)lkr__le_get(p + 4, 2);
    if (m->version > EXPORT_VERSION) {
        return LKR_E_VERSION;
    }
    if (m->version == 0 || p[6] > 7u || p[7] != 0 || p[10] != 0 || p[11] != 0) {
        return LKR_E_CORRUPT;
    }
    m->flags = p[6];
    m->count = (uint32_t)lkr__le_get(p + 8, 2);
    m->checksum = (uint32_t)lkr__le_get(p + 12, 4);
    if (m->count > LKR_VAULT_MAX_CODES) {
        return LKR_E_CORRUPT;
    }
    if (m->version >= 2) {
        const uint8_t *k = lkr__r_take(r, KEY_SIZE);
        if (k != NULL) memcpy(m->key, k, KEY_SIZE);
        m->id.bound = (uint8_t)lkr__r_int(r, 1);
        lkr__r_str(r, m->id.manufacturer, sizeof(m->id.manufacturer));
        lkr__r_str(r, m->id.model, sizeof(m->id.model));
        lkr__r_str(r, m->id.serial, sizeof(m->id.serial));
        if (r->bad || m->id.bound > 1 ||
            (!m->id.bound && (m->id.manufacturer[0] || m->id.model[0] || m->id.serial[0]))) {
            return LKR_E_CORRUPT;
        }
    }
    return LKR_OK; /* format 1 had no key: the vault keeps its own */
}

/* Parses a clear export into `codes`; LKR_OK or why not. */
static lkr_status parse_export(const uint8_t *p, size_t n, lkr_code *codes, export_meta *m)
{
    lkr__reader r;
    uint32_t i;
    lkr__sha256 h;
    uint8_t digest[32];
    lkr_status st;
    if (n < EXPORT_HEADER + 32) {
        return LKR_E_TRUNCATED;
    }
    if (memcmp(p, "LKRV", 4) != 0) {
        return LKR_E_CORRUPT;
    }
    lkr__sha256_init(&h);
    lkr__sha256_update(&h, p, n - 32);
    lkr__sha256_final(&h, digest);
    if (memcmp(digest, p + n - 32, 32) != 0) {
        return LKR_E_CORRUPT;
    }
    r.p = p;
    r.n = n - 32;
    r.off = 0;
    r.bad = 0;
    if ((st = parse_header(&r, m)) != LKR_OK) {
        return st;
    }
    for (i = 0; i < m->count && !r.bad; i++) {
        lkr_code *k = &codes[i];
        lkr_code_init(k);
        k->slot = (uint32_t)lkr__r_int(&r, 2);
        k->kind = (uint32_t)lkr__r_int(&r, 1);
        k->weekdays = (uint32_t)lkr__r_int(&r, 1);
        k->day_start_min = (uint16_t)lkr__r_int(&r, 2);
        k->day_end_min = (uint16_t)lkr__r_int(&r, 2);
        k->valid_from_s = lkr__r_int(&r, 8);
        k->valid_until_s = lkr__r_int(&r, 8);
        /* No embedded NUL: each string is exactly what its length says. */
        lkr__r_str(&r, k->name, sizeof(k->name));
        lkr__r_str(&r, k->pin, sizeof(k->pin));
        if (!r.bad && (!code_ok(k) || (i > 0 && k->slot <= codes[i - 1].slot))) {
            return LKR_E_CORRUPT;
        }
    }
    return r.bad || r.off != r.n ? LKR_E_CORRUPT : LKR_OK;
}

lkr_status lkr_vault_import_sealed(lkr_vault *v, const lkr_transport *t, const void *buf, size_t len)
{
    size_t n = 0;
    lkr_status st;
    export_meta m;
    if (!vault_ok(v) || t == NULL || buf == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_transport(t)) != LKR_OK) {
        return st;
    }
    if (t->unseal == NULL) {
        return LKR_E_UNSUPPORTED;
    }
    if (len == 0) {
        return LKR_E_TRUNCATED;
    }
    st = t->unseal(t->ctx, buf, len, v->clear, sizeof(v->clear), &n);
    if (st == LKR_E_CORRUPT) {
        lkr__wipe(v->clear, sizeof(v->clear));
        return LKR_E_CORRUPT; /* the host's authentication caught tampering */
    }
    if (st != LKR_OK || n > sizeof(v->clear)) {
        lkr__wipe(v->clear, sizeof(v->clear));
        return n > sizeof(v->clear) ? LKR_E_OVERSIZED : LKR_E_TRANSPORT;
    }
    memset(&m, 0, sizeof(m));
    st = parse_export(v->clear, n, scratch_codes(v, READ_A), &m);
    lkr__wipe(v->clear, sizeof(v->clear));
    if (st != LKR_OK) {
        lkr__wipe(&m, sizeof(m));
        wipe_reads(v);
        return st;
    }
    lkr__wipe(v->codes, sizeof(v->codes));
    memcpy(v->codes, v->read_a, m.count * sizeof(lkr_code));
    wipe_reads(v);
    v->count = m.count;
    v->verified = (m.flags & 1u) != 0;
    v->pins_readable = (m.flags & 2u) != 0;
    v->has_checksum = (m.flags & 4u) != 0;
    v->checksum = m.checksum;
    if (m.version >= 2) {
        memcpy(v->key, m.key, KEY_SIZE);
        key_changed(v);
    }
    v->id = m.id;
    lkr__wipe(&m, sizeof(m));
    v->missing = 0;
    memset(v->state, LKR_SLOT_UNCHECKED, sizeof(v->state));
    v->digest_stale = 1;
    return LKR_OK;
}

int lkr__vault_contains_pin(const lkr_vault *v, const char *text)
{
    uint32_t i;
    if (!vault_ok(v) || text == NULL) {
        return 0;
    }
    for (i = 0; i < v->count; i++) {
        if (v->codes[i].pin[0] != '\0' && strstr(text, v->codes[i].pin) != NULL) {
            return 1;
        }
    }
    return 0;
}
