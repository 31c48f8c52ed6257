/*
 * The vault's sealed export: its codes, key and lock identity serialised,
 * sealed and unsealed by the host's keystore only, and every byte of an
 * import validated before the vault takes it. The clear text lives only in
 * the vault's scratch and is wiped after every use.
 */
#include <string.h>

#include "vault_int.h"

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
    lkr__vput_identity(&w, &v->id);
    for (i = 0; i < v->count; i++) {
        lkr__vput_code(&w, &v->codes[i]);
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
    if (!lkr__vault_ok(v) || t == NULL || needed == NULL || (buf == NULL && len != 0)) {
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
        if (!r.bad && (!lkr__vcode_ok(k) || (i > 0 && k->slot <= codes[i - 1].slot))) {
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
    if (!lkr__vault_ok(v) || t == NULL || buf == NULL) {
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
    st = parse_export(v->clear, n, lkr__vscratch(v, READ_A), &m);
    lkr__wipe(v->clear, sizeof(v->clear));
    if (st != LKR_OK) {
        lkr__wipe(&m, sizeof(m));
        lkr__vwipe_reads(v);
        return st;
    }
    lkr__wipe(v->codes, sizeof(v->codes));
    memcpy(v->codes, v->read_a, m.count * sizeof(lkr_code));
    lkr__vwipe_reads(v);
    v->count = m.count;
    v->verified = (m.flags & 1u) != 0;
    v->pins_readable = (m.flags & 2u) != 0;
    v->has_checksum = (m.flags & 4u) != 0;
    v->checksum = m.checksum;
    if (m.version >= 2) {
        memcpy(v->key, m.key, KEY_SIZE);
        lkr__vkey_changed(v);
    }
    v->id = m.id;
    lkr__wipe(&m, sizeof(m));
    v->missing = 0;
    memset(v->state, LKR_SLOT_UNCHECKED, sizeof(v->state));
    v->digest_stale = 1;
    return LKR_OK;
}

