/*
 * The code vault: verified backups of a lock's access codes, write-through
 * capture for locks that cannot read PINs back, verified restore. Codes are
 * secrets: every buffer that held one is wiped when it is discarded, nothing
 * here logs, and codes leave only sealed by the host (vault_export.c).
 * docs/VAULT.md states the rules.
 */
#include <stdlib.h>
#include <string.h>

#include "vault_int.h"

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

int lkr__vcode_ok(const lkr_code *c)
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
    if ((st = lkr__vdraw_key(&c, v->key)) != LKR_OK) {
        lkr__wipe(v->key, sizeof(v->key));
        if (al != NULL) al->free(al->ctx, v, sizeof(*v));
        else free(v);
        return st;
    }
    v->magic = VAULT_MAGIC;
    v->scratch = v->clear;
    v->self = v;
    lkr__vkey_changed(v);
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

int lkr__vault_ok(const lkr_vault *v)
{
    return v != NULL && v->magic == VAULT_MAGIC;
}

void lkr_vault_free(lkr_vault *v)
{
    lkr_allocator al;
    int has;
    if (!lkr__vault_ok(v)) {
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
    return lkr__vault_ok(v) && v->verified;
}

int lkr__vault_records(const lkr_vault *v)
{
    return lkr__vault_ok(v) && !v->verified && v->count > 0;
}

void lkr__vault_digest(const lkr_vault *v, uint8_t out[32])
{
    memcpy(out, lkr__vcurrent_digest(v), 32);
}

static int same_identity(const identity *id, const lkr_profile *p)
{
    return strcmp(id->manufacturer, p->manufacturer) == 0 && strcmp(id->model, p->model) == 0 &&
           strcmp(id->serial, p->serial) == 0;
}

lkr_status lkr__vault_bind(lkr_vault *v, const lkr_profile *p)
{
    if (!lkr__vault_ok(v) || p == NULL) {
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
    if (!lkr__vault_ok(v) || (v->id.bound && !same_identity(&v->id, p))) {
        return 0;
    }
    if (kind == LKR__DIGEST_KEYED) {
        return v->id.bound && memcmp(lkr__vcurrent_digest(v), digest, 32) == 0;
    }
    if (kind != LKR__DIGEST_UNKEYED) {
        return 0;
    }
    lkr__vunkeyed_digest(v, d);
    same = memcmp(d, digest, 32) == 0;
    lkr__wipe(d, sizeof(d));
    return same;
}

uint32_t lkr__vault_count(const lkr_vault *v)
{
    return lkr__vault_ok(v) ? v->count : 0;
}

/* ---- reading the lock ------------------------------------------------------------ */

static int code_cb_status_ok(lkr_status st)
{
    return st == LKR_OK;
}

/* One read of the lock's code table into `buf`, validated and sorted. */

/* Hands a scratch buffer out: all zero (wiped if it was used) and marked. */
lkr_code *lkr__vscratch(lkr_vault *v, uint8_t which)
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
    if (!lkr__vault_ok(v) || !v->lock_read) {
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
    lkr_code *buf = lkr__vscratch(v, which);
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
        if (!lkr__vcode_ok(&buf[i]) || (info->pins_readable && buf[i].pin[0] == '\0')) {
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

void lkr__vwipe_reads(lkr_vault *v)
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
    if (!lkr__vault_ok(v) || t == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_transport(t)) != LKR_OK) {
        return st;
    }
    if (t->read_codes == NULL) {
        return LKR_E_UNSUPPORTED;
    }
    if ((st = read_lock(v, t, READ_A, &a)) != LKR_OK || (st = read_lock(v, t, READ_B, &b)) != LKR_OK) {
        lkr__vwipe_reads(v);
        return st;
    }
    /* Two reads, and they must agree: otherwise the backup is refused. */
    if (a.count != b.count || a.pins_readable != b.pins_readable ||
        a.has_checksum != b.has_checksum || (a.has_checksum && a.checksum != b.checksum)) {
        lkr__vwipe_reads(v);
        return LKR_E_CORRUPT;
    }
    for (i = 0; i < a.count; i++) {
        if (!same_code(&v->read_a[i], &v->read_b[i], a.pins_readable)) {
            lkr__vwipe_reads(v);
            return LKR_E_CORRUPT;
        }
    }
    if (!a.pins_readable) {
        /* Write-through capture: every slot the lock lists must be recorded. */
        for (i = 0; i < a.count; i++) {
            int k = find_slot(v->codes, v->count, v->read_a[i].slot);
            if (k < 0 || v->codes[k].pin[0] == '\0' || v->codes[k].kind != v->read_a[i].kind) {
                lkr__vwipe_reads(v);
                return LKR_E_STATE;
            }
            v->read_b[i] = v->codes[k];
        }
    }
    st = keep_backup(v, a.pins_readable ? v->read_a : v->read_b, &a);
    lkr__vwipe_reads(v);
    return st;
}

lkr_status lkr_vault_record(lkr_vault *v, const lkr_code *code)
{
    int k;
    if (!lkr__vault_ok(v) || code == NULL || !lkr__vcode_ok(code) || code->pin[0] == '\0') {
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
    if (!lkr__vault_ok(v) || t == NULL) {
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
        lkr__vwipe_reads(v);
        return st;
    }
    m = compare_with(v, v->read_a, &info);
    lkr__vwipe_reads(v);
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
    if (!lkr__vault_ok(v) || !v->verified || t == NULL || t->read_codes == NULL) {
        return LKR_E_STATE;
    }
    if ((st = read_lock(v, t, READ_A, &info)) != LKR_OK) {
        lkr__vwipe_reads(v);
        return st;
    }
    /* Every code of the vault on the lock, and no code on the lock that the
     * vault lacks: the vault is a backup of this lock as it is now. */
    m = compare_with(v, v->read_a, &info);
    lkr__vwipe_reads(v);
    v->missing = m;
    return m == 0 && info.count == v->count ? LKR_OK : LKR_E_CORRUPT;
}

lkr_status lkr_vault_restore(lkr_vault *v, const lkr_transport *t, uint32_t *missing)
{
    lkr_code_readout info;
    lkr_status st;
    uint32_t i, m = 0;
    if (!lkr__vault_ok(v) || t == NULL) {
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
        lkr__vwipe_reads(v);
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
    lkr__vwipe_reads(v);
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
    if (!lkr__vault_ok(v) || t == NULL || slot > 65535u) {
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
    lkr__vwipe_reads(v);
    return v->state[i] == LKR_SLOT_RESTORED ? LKR_OK : LKR_E_CORRUPT;
}

/* ---- facts ----------------------------------------------------------------------- */

lkr_status lkr_vault_status(const lkr_vault *v, lkr_vault_info *out)
{
    lkr_vault_info info;
    if (!lkr__vault_ok(v) || out == NULL) {
        return LKR_E_INVAL;
    }
    memset(&info, 0, sizeof(info));
    info.struct_size = (uint32_t)sizeof(info);
    info.count = v->count;
    info.verified = v->verified;
    info.missing = v->missing;
    memcpy(info.digest, lkr__vcurrent_digest(v), sizeof(info.digest));
    return lkr__emit(out, &info, sizeof(info), sizeof(info));
}

lkr_status lkr_vault_code(const lkr_vault *v, uint32_t index, lkr_code_info *out)
{
    lkr_code_info info;
    if (!lkr__vault_ok(v) || out == NULL) {
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

int lkr__vault_contains_pin(const lkr_vault *v, const char *text)
{
    uint32_t i;
    if (!lkr__vault_ok(v) || text == NULL) {
        return 0;
    }
    for (i = 0; i < v->count; i++) {
        if (v->codes[i].pin[0] != '\0' && strstr(text, v->codes[i].pin) != NULL) {
            return 1;
        }
    }
    return 0;
}
