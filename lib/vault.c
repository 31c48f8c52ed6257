/*
 * The code vault: verified backups of a lock's access codes, write-through
 * capture for locks that cannot read PINs back, verified restore, and a
 * sealed export. Codes are secrets: every buffer that held one is wiped when
 * it is discarded, nothing here logs, and codes leave only sealed by the host.
 * docs/VAULT.md states the rules.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define VAULT_MAGIC 0x4C4B5256u /* "LKRV" */
#define EXPORT_VERSION 1u
/* A serialised code: slot, kind, weekdays, day window, validity, name, PIN. */
#define CODE_WIRE_MAX (2 + 1 + 1 + 2 + 2 + 8 + 8 + 1 + (LKR_CODE_NAME_MAX - 1) + 1 + (LKR_PIN_MAX - 1))
#define EXPORT_HEADER 16u
#define EXPORT_MAX (EXPORT_HEADER + LKR_VAULT_MAX_CODES * CODE_WIRE_MAX + 32u)

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
    uint8_t digest[32];
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

static size_t put_code(uint8_t *p, const lkr_code *c)
{
    size_t n = 0, len;
    unsigned i;
    p[n++] = (uint8_t)(c->slot & 0xFFu);
    p[n++] = (uint8_t)(c->slot >> 8);
    p[n++] = (uint8_t)c->kind;
    p[n++] = (uint8_t)c->weekdays;
    p[n++] = (uint8_t)(c->day_start_min & 0xFFu);
    p[n++] = (uint8_t)(c->day_start_min >> 8);
    p[n++] = (uint8_t)(c->day_end_min & 0xFFu);
    p[n++] = (uint8_t)(c->day_end_min >> 8);
    for (i = 0; i < 8; i++) p[n++] = (uint8_t)(c->valid_from_s >> (8 * i));
    for (i = 0; i < 8; i++) p[n++] = (uint8_t)(c->valid_until_s >> (8 * i));
    len = strlen(c->name);
    p[n++] = (uint8_t)len;
    memcpy(p + n, c->name, len);
    n += len;
    len = strlen(c->pin);
    p[n++] = (uint8_t)len;
    memcpy(p + n, c->pin, len);
    n += len;
    return n;
}

static void update_digest(lkr_vault *v)
{
    lkr__sha256 h;
    uint8_t buf[CODE_WIRE_MAX];
    uint8_t cnt[2];
    uint32_t i;
    lkr__sha256_init(&h);
    cnt[0] = (uint8_t)(v->count & 0xFFu);
    cnt[1] = (uint8_t)(v->count >> 8);
    lkr__sha256_update(&h, cnt, 2);
    for (i = 0; i < v->count; i++) {
        size_t n = put_code(buf, &v->codes[i]);
        lkr__sha256_update(&h, buf, n);
    }
    lkr__sha256_final(&h, v->digest);
    lkr__wipe(buf, sizeof(buf));
}

/* ---- lifecycle ----------------------------------------------------------------- */

lkr_status lkr_vault_new(const lkr_allocator *al, lkr_vault **out)
{
    lkr_vault *v;
    lkr_status st;
    if (out == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_allocator(al)) != LKR_OK) {
        return st;
    }
    v = al != NULL ? (lkr_vault *)al->alloc(al->ctx, sizeof(*v)) : (lkr_vault *)malloc(sizeof(*v));
    if (v == NULL) {
        return LKR_E_NOMEM;
    }
    memset(v, 0, sizeof(*v));
    v->magic = VAULT_MAGIC;
    v->scratch = v->clear;
    if (al != NULL) {
        v->alloc = *al;
        v->has_alloc = 1;
    }
    update_digest(v);
    *out = v;
    return LKR_OK;
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
    memcpy(out, v->digest, 32);
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
    update_digest(v);
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
    update_digest(v);
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
    memcpy(info.digest, v->digest, sizeof(info.digest));
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
    size_t n = 0;
    uint32_t i;
    lkr__sha256 h;
    p[n++] = 'L';
    p[n++] = 'K';
    p[n++] = 'R';
    p[n++] = 'V';
    p[n++] = (uint8_t)(EXPORT_VERSION & 0xFFu);
    p[n++] = (uint8_t)(EXPORT_VERSION >> 8);
    p[n++] = (uint8_t)((v->verified ? 1u : 0u) | (v->pins_readable ? 2u : 0u) | (v->has_checksum ? 4u : 0u));
    p[n++] = 0;
    p[n++] = (uint8_t)(v->count & 0xFFu);
    p[n++] = (uint8_t)(v->count >> 8);
    p[n++] = 0;
    p[n++] = 0;
    for (i = 0; i < 4; i++) p[n++] = (uint8_t)(v->checksum >> (8 * i));
    for (i = 0; i < v->count; i++) {
        n += put_code(p + n, &v->codes[i]);
    }
    lkr__sha256_init(&h);
    lkr__sha256_update(&h, p, n);
    lkr__sha256_final(&h, p + n);
    return n + 32;
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

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t x = 0;
    int i;
    for (i = 7; i >= 0; i--) x = (x << 8) | p[i];
    return x;
}

/* Parses a clear export into `codes`; LKR_OK or why not. */
static lkr_status parse_export(const uint8_t *p, size_t n, lkr_code *codes, uint32_t *count,
                               uint8_t *flags, uint32_t *checksum)
{
    size_t off = EXPORT_HEADER;
    uint32_t i, c, version;
    lkr__sha256 h;
    uint8_t digest[32];
    if (n < EXPORT_HEADER + 32) {
        return LKR_E_TRUNCATED;
    }
    if (p[0] != 'L' || p[1] != 'K' || p[2] != 'R' || p[3] != 'V') {
        return LKR_E_CORRUPT;
    }
    lkr__sha256_init(&h);
    lkr__sha256_update(&h, p, n - 32);
    lkr__sha256_final(&h, digest);
    if (memcmp(digest, p + n - 32, 32) != 0) {
        return LKR_E_CORRUPT;
    }
    version = (uint32_t)p[4] | ((uint32_t)p[5] << 8);
    if (version > EXPORT_VERSION) {
        return LKR_E_VERSION;
    }
    if (version == 0 || p[6] > 7u || p[7] != 0 || p[10] != 0 || p[11] != 0) {
        return LKR_E_CORRUPT;
    }
    c = (uint32_t)p[8] | ((uint32_t)p[9] << 8);
    if (c > LKR_VAULT_MAX_CODES) {
        return LKR_E_CORRUPT;
    }
    *flags = p[6];
    *checksum = (uint32_t)p[12] | ((uint32_t)p[13] << 8) | ((uint32_t)p[14] << 16) | ((uint32_t)p[15] << 24);
    for (i = 0; i < c; i++) {
        lkr_code *k = &codes[i];
        size_t len;
        lkr_code_init(k);
        if (off + 24 > n - 32) return LKR_E_CORRUPT;
        k->slot = (uint32_t)p[off] | ((uint32_t)p[off + 1] << 8);
        k->kind = p[off + 2];
        k->weekdays = p[off + 3];
        k->day_start_min = (uint16_t)(p[off + 4] | (p[off + 5] << 8));
        k->day_end_min = (uint16_t)(p[off + 6] | (p[off + 7] << 8));
        k->valid_from_s = get_u64(p + off + 8);
        k->valid_until_s = get_u64(p + off + 16);
        off += 24;
        if (off + 1 > n - 32) return LKR_E_CORRUPT;
        len = p[off++];
        /* No embedded NUL: the string must be exactly what its length says. */
        if (len >= LKR_CODE_NAME_MAX || off + len > n - 32 || memchr(p + off, '\0', len) != NULL) {
            return LKR_E_CORRUPT;
        }
        memcpy(k->name, p + off, len);
        off += len;
        if (off + 1 > n - 32) return LKR_E_CORRUPT;
        len = p[off++];
        if (len >= LKR_PIN_MAX || off + len > n - 32 || memchr(p + off, '\0', len) != NULL) {
            return LKR_E_CORRUPT;
        }
        memcpy(k->pin, p + off, len);
        off += len;
        if (!code_ok(k) || (i > 0 && k->slot <= codes[i - 1].slot)) {
            return LKR_E_CORRUPT;
        }
    }
    if (off != n - 32) {
        return LKR_E_CORRUPT;
    }
    *count = c;
    return LKR_OK;
}

lkr_status lkr_vault_import_sealed(lkr_vault *v, const lkr_transport *t, const void *buf, size_t len)
{
    size_t n = 0;
    lkr_status st;
    uint32_t count = 0, checksum = 0;
    uint8_t flags = 0;
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
    st = parse_export(v->clear, n, scratch_codes(v, READ_A), &count, &flags, &checksum);
    lkr__wipe(v->clear, sizeof(v->clear));
    if (st != LKR_OK) {
        wipe_reads(v);
        return st;
    }
    lkr__wipe(v->codes, sizeof(v->codes));
    memcpy(v->codes, v->read_a, count * sizeof(lkr_code));
    wipe_reads(v);
    v->count = count;
    v->verified = (flags & 1u) != 0;
    v->pins_readable = (flags & 2u) != 0;
    v->has_checksum = (flags & 4u) != 0;
    v->checksum = checksum;
    v->missing = 0;
    memset(v->state, LKR_SLOT_UNCHECKED, sizeof(v->state));
    update_digest(v);
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
