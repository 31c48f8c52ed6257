/*
 * Session persistence: a versioned, checksummed, deterministic blob that
 * holds everything of a session but the codes (they live in the vault,
 * exported sealed) and the host's callbacks; sealed by the host's keystore
 * when the transport has one. Loading gives exactly the same decisions, and
 * a blob loads only when it keeps every rule of the states the engine
 * reaches (persist_check.c): what a blob claims is never trusted because a
 * CRC matched. docs/PERSISTENCE.md documents the format and its promise.
 *
 * Frame (little-endian):
 *   0  "LKRS"           magic
 *   4  u16 version      LKR_SESSION_FORMAT_VERSION
 *   6  u16 flags        0: the payload in clear; 1: sealed (the payload is
 *                       what the host's `seal` made of a whole clear blob)
 *   8  u32 length       of the whole blob, checksum included
 *  12  payload          the fields of FIELDS below, in that order
 *  -4  u32 CRC-32       (IEEE, zlib's) of every byte before it
 */
#include <stdlib.h>
#include <string.h>

#include "le.h"
#include "session_int.h"

#define HEADER 12u
#define TRAILER 4u
#define FLAG_SEALED 1u
/* Room a keystore may add when it seals (nonce, tag, its own header). */
#define SEAL_ROOM 256u

/* ---- the field list: save, load and the range checks all use it ------------------------ */

enum wire {
    W_U8 = 1, W_U16 = 2, W_U32 = 4, W_U64 = 8, /* an integer of that width */
    W_STR,       /* a char array: one length byte, then the bytes */
    W_RAW,       /* bytes as they are */
    W_PRIORS,    /* count, then (id u8, value u32) each */
    W_LIKELIHOODS, /* count, then (evidence u8, cause u8, permille u32) each */
    W_COSTS,     /* a u16 per step id 1..LKR__STEP_COUNT (0: the catalog's) */
    W_HISTORY,   /* count, then (step, outcome, by_host u8, started, ended u32) each */
    W_WAIVERS    /* count, then (kind, id u8, at u32, reason string) each */
};

typedef struct field {
    uint16_t off;  /* in struct lkr_session */
    uint16_t size; /* of the struct member */
    uint8_t wire;
    uint64_t max;  /* an integer above it is refused */
    uint64_t mask; /* an integer with a bit outside it is refused */
} field;

#define ANY UINT64_MAX
#define BITS(lo, hi) ((((uint64_t)2 << (hi)) - 1) & ~(((uint64_t)1 << (lo)) - 1)) /* bits lo..hi */
#define STEP_MASK BITS(0, LKR__STEP_COUNT - 1)                                  /* STEP_BIT(1..) */
#define GUARD_MASK BITS(1, LKR__GUARD_COUNT)
#define QUESTION_MASK BITS(1, LKR_QUESTION_MAX)
#define TIER_WAIVABLE (BITS(1, LKR__TIER_COUNT) & ~((uint64_t)1 << LKR_TIER_SUPPORT))

#define M(member) (uint16_t) offsetof(lkr_session, member), (uint16_t)sizeof(((lkr_session *)0)->member)
#define INT(member, wire, max) {M(member), wire, max, ANY},
#define MASK(member, wire, mask) {M(member), wire, ANY, mask},
#define STR(member) {M(member), W_STR, ANY, ANY},
#define SPECIAL(wire) {0, 0, wire, ANY, ANY},
#define FLAG(member) INT(member, W_U8, 1)
#define STEP(member) INT(member, W_U8, LKR__STEP_COUNT)
#define OBS_U8(f) INT(obs.f, W_U8, ANY)

/* The observations' one-byte facts, in their declaration order. */
#define OBS_BYTES(X)                                                                           \
    X(keypad_lights) X(keypad_accepts_codes) X(local_control_works) X(app_status)              \
    X(update_state) X(hub_online) X(bridge_online) X(other_wifi_devices_work) X(wifi_24ghz_on) \
    X(wifi_security) X(network_changed) X(ip_changed) X(signal_weak) X(phone_in_range)         \
    X(app_permissions_ok) X(second_phone_connects) X(software_outdated) X(codes_state)         \
    X(code_expired) X(lockout_active) X(keypad_dirty) X(keypad_erratic)                        \
    X(works_door_open_only) X(wrong_position) X(extreme_cold) X(router_online)

/* The payload, in order. The profile's and observations' values are checked
 * by their own validators; the engine's by the limits here and by
 * validate() below. Append only within a format version. */
static const field FIELDS[] = {
    INT(profile.protocol, W_U8, ANY) INT(profile.ecosystems, W_U8, ANY)
    INT(profile.battery_chemistry, W_U8, ANY) INT(profile.battery_cells, W_U8, ANY)
    INT(profile.warranty_months, W_U16, ANY) INT(profile.has_bridge, W_U8, ANY)
    INT(profile.has_keypad, W_U8, ANY) INT(profile.has_fingerprint, W_U8, ANY)
    INT(profile.has_key_cylinder, W_U8, ANY) INT(profile.repair_erases_codes, W_U8, ANY)
    INT(profile.pins_readable, W_U8, ANY)
    STR(profile.manufacturer) STR(profile.model) STR(profile.serial) STR(profile.purchase_date)
    INT(obs.update_progress_pct, W_U32, ANY) INT(obs.update_stalled_min, W_U32, ANY)
    INT(obs.battery_pct, W_U32, ANY) INT(obs.cell_mv, W_U32, ANY)
    OBS_BYTES(OBS_U8)
    STR(obs.fw_before) STR(obs.fw_target) STR(obs.fw_now) STR(obs.error_code)
    STR(initial_error)
    SPECIAL(W_PRIORS) SPECIAL(W_LIKELIHOODS) SPECIAL(W_COSTS)
    MASK(disabled, W_U64, STEP_MASK)
    INT(ladder, W_U8, LKR_LADDER_CODE) INT(tier, W_U8, LKR__TIER_COUNT)
    INT(entry_tier, W_U8, LKR__TIER_COUNT) INT(phase, W_U8, LKR__P_FINAL)
    INT(final_state, W_U8, LKR_STATE_ABORTED) STEP(cur_step) INT(cur_hist, W_U8, LKR_HISTORY_MAX - 1)
    STEP(verify_step) INT(verify_hist, W_U8, LKR_HISTORY_MAX - 1) INT(last_report, W_U8, LKR_OUTCOME_FAILED)
    FLAG(by_host) INT(question, W_U8, LKR_QUESTION_MAX) FLAG(triage_active) FLAG(dead_keypad_asked)
    FLAG(need_fw) FLAG(codes_at_risk) STEP(blocked_step) STEP(blocked_followup) FLAG(blocked_in_hand)
    FLAG(error_reobserved) STEP(terminal_step) INT(reached, W_U8, LKR__TIER_COUNT)
    INT(has_vault_digest, W_U8, LKR__DIGEST_KEYED)
    {M(vault_digest), W_RAW, ANY, ANY},
    MASK(blocked_unmet, W_U32, GUARD_MASK) MASK(asked, W_U32, QUESTION_MASK | LKR__ASKED_TRANSFER_OVER)
    MASK(confirmed, W_U32, LKR__GUARDS_CONFIRMABLE) INT(support_reasons, W_U32, ANY)
    INT(detail, W_U32, ANY) INT(person_minutes, W_U32, ANY) MASK(guards_blocked, W_U32, GUARD_MASK)
    INT(codes_missing, W_U32, LKR_VAULT_MAX_CODES)
    MASK(tried, W_U64, STEP_MASK) MASK(waived_steps, W_U64, STEP_MASK)
    MASK(waived_tiers, W_U16, TIER_WAIVABLE)
    INT(wait_until_ms, W_U64, ANY) INT(wait_s, W_U32, ANY) INT(last_now_ms, W_U64, ANY)
    INT(started_ms, W_U64, ANY)
    SPECIAL(W_HISTORY) SPECIAL(W_WAIVERS)
};

#define FIELD_COUNT (sizeof(FIELDS) / sizeof(FIELDS[0]))

static uint64_t get_member(const lkr_session *s, const field *f)
{
    const uint8_t *p = (const uint8_t *)s + f->off;
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;
    switch (f->size) {
    case 1: memcpy(&v8, p, 1); return v8;
    case 2: memcpy(&v16, p, 2); return v16;
    case 4: memcpy(&v32, p, 4); return v32;
    default: memcpy(&v64, p, 8); return v64;
    }
}

static void set_member(lkr_session *s, const field *f, uint64_t v)
{
    uint8_t *p = (uint8_t *)s + f->off;
    uint8_t v8 = (uint8_t)v;
    uint16_t v16 = (uint16_t)v;
    uint32_t v32 = (uint32_t)v;
    switch (f->size) {
    case 1: memcpy(p, &v8, 1); break;
    case 2: memcpy(p, &v16, 2); break;
    case 4: memcpy(p, &v32, 4); break;
    default: memcpy(p, &v, 8); break;
    }
}

/* ---- writing ------------------------------------------------------------------------------- */

static void write_special(lkr__writer *w, const lkr_session *s, uint8_t wire)
{
    uint32_t i;
    switch (wire) {
    case W_PRIORS:
        lkr__w_int(w, s->prior_count, 1);
        for (i = 0; i < s->prior_count; i++) {
            lkr__w_int(w, s->priors[i].id, 1);
            lkr__w_int(w, s->priors[i].value, 4);
        }
        break;
    case W_LIKELIHOODS:
        lkr__w_int(w, s->likelihood_count, 1);
        for (i = 0; i < s->likelihood_count; i++) {
            lkr__w_int(w, s->likelihoods[i].evidence, 1);
            lkr__w_int(w, s->likelihoods[i].cause, 1);
            lkr__w_int(w, s->likelihoods[i].permille, 4);
        }
        break;
    case W_COSTS:
        for (i = 1; i <= LKR__STEP_COUNT; i++) lkr__w_int(w, s->cost != NULL ? s->cost[i] : 0u, 2);
        break;
    case W_HISTORY:
        lkr__w_int(w, s->hist_count, 1);
        for (i = 0; i < s->hist_count; i++) {
            const lkr__hist *h = &s->hist[i];
            lkr__w_int(w, h->step, 1);
            lkr__w_int(w, h->outcome, 1);
            lkr__w_int(w, h->by_host, 1);
            lkr__w_int(w, h->started_off, 4);
            lkr__w_int(w, h->ended_off, 4);
        }
        break;
    default: /* W_WAIVERS */
        lkr__w_int(w, s->waiver_count, 1);
        for (i = 0; i < s->waiver_count; i++) {
            lkr__w_int(w, s->waivers[i].kind, 1);
            lkr__w_int(w, s->waivers[i].id, 1);
            lkr__w_int(w, s->waivers[i].at_off, 4);
            lkr__w_str(w, s->waivers[i].reason);
        }
        break;
    }
}

static void write_payload(lkr__writer *w, const lkr_session *s)
{
    size_t i;
    for (i = 0; i < FIELD_COUNT; i++) {
        const field *f = &FIELDS[i];
        if (f->wire <= W_U64) {
            lkr__w_int(w, get_member(s, f), f->wire);
        } else if (f->wire == W_STR) {
            lkr__w_str(w, (const char *)s + f->off);
        } else if (f->wire == W_RAW) {
            lkr__w_bytes(w, (const uint8_t *)s + f->off, f->size);
        } else {
            write_special(w, s, f->wire);
        }
    }
}

/* A keystore: both callbacks (a host with only one could not read back what
 * it saved, or could not save what it must read). */
static int has_keystore(const lkr_transport *t)
{
    return t->seal != NULL && t->unseal != NULL;
}

/* A frame around `body` (len bytes, or the payload of s when body is NULL). */
static size_t write_frame(uint8_t *buf, size_t cap, const lkr_session *s, const uint8_t *body, size_t len,
                          uint32_t flags)
{
    lkr__writer w;
    w.buf = buf;
    w.cap = cap;
    w.n = 0;
    lkr__w_bytes(&w, "LKRS", 4);
    lkr__w_int(&w, LKR_SESSION_FORMAT_VERSION, 2);
    lkr__w_int(&w, flags, 2);
    if (body != NULL) {
        lkr__w_int(&w, HEADER + len + TRAILER, 4);
        lkr__w_bytes(&w, body, len);
    } else {
        lkr__writer count = {NULL, 0, 0};
        write_payload(&count, s);
        lkr__w_int(&w, HEADER + count.n + TRAILER, 4);
        write_payload(&w, s);
    }
    if (buf != NULL && w.n + TRAILER <= cap) {
        lkr__w_int(&w, lkr__crc32(buf, w.n), 4);
    } else {
        w.n += TRAILER;
    }
    return w.n;
}

/* The clear blob, sealed by the host's keystore and framed again. */
static lkr_status save_sealed(const lkr_session *s, const uint8_t *clear, size_t n, uint8_t *buf, size_t len,
                              size_t *needed)
{
    size_t room = len > HEADER + TRAILER ? len - HEADER - TRAILER : 0, out_len = 0;
    lkr_status st;
    st = s->tr.seal(s->tr.ctx, clear, n, buf != NULL && room > 0 ? buf + HEADER : NULL,
                    buf != NULL ? room : 0, &out_len);
    if (st != LKR_OK && st != LKR_E_BUFFER) {
        return LKR_E_TRANSPORT;
    }
    if (out_len == 0) {
        return LKR_E_TRANSPORT; /* the keystore said nothing of the size */
    }
    if (out_len > LKR_SESSION_BLOB_MAX - HEADER - TRAILER) {
        return LKR_E_OVERSIZED;
    }
    *needed = HEADER + out_len + TRAILER;
    if (st == LKR_E_BUFFER || buf == NULL || out_len > room) {
        return LKR_E_BUFFER;
    }
    /* The sealed bytes are in place: write the header around them. */
    lkr__le_put(buf, 0x53524B4Cu, 4); /* "LKRS" */
    lkr__le_put(buf + 4, LKR_SESSION_FORMAT_VERSION, 2);
    lkr__le_put(buf + 6, FLAG_SEALED, 2);
    lkr__le_put(buf + 8, *needed, 4);
    lkr__le_put(buf + HEADER + out_len, lkr__crc32(buf, HEADER + out_len), 4);
    return LKR_OK;
}

lkr_status lkr_session_save(const lkr_session *s, void *buf, size_t len, size_t *needed)
{
    uint8_t clear[LKR_SESSION_BLOB_MAX];
    size_t n;
    LKR__CHECK_SESSION(s);
    if (needed == NULL || (buf == NULL && len != 0)) {
        return LKR_E_INVAL;
    }
    n = write_frame(NULL, 0, s, NULL, 0, 0);
    if (n > LKR_SESSION_BLOB_MAX - (has_keystore(&s->tr) ? SEAL_ROOM : 0)) {
        return LKR_E_OVERSIZED; /* cannot happen with today's limits; never write what load refuses */
    }
    if (has_keystore(&s->tr)) {
        (void)write_frame(clear, sizeof(clear), s, NULL, 0, 0);
        return save_sealed(s, clear, n, (uint8_t *)buf, len, needed);
    }
    *needed = n;
    if (buf == NULL || len < n) {
        return LKR_E_BUFFER;
    }
    (void)write_frame((uint8_t *)buf, len, s, NULL, 0, 0);
    return LKR_OK;
}

/* ---- reading --------------------------------------------------------------------------------- */

/* Vendor numbers as read, before the session gets its exact allocation. */
typedef struct loaded_overrides {
    lkr_weight priors[LKR__CAUSE_COUNT];
    lkr_likelihood likelihoods[LKR_SESSION_LIKELIHOODS_MAX];
    uint16_t cost[LKR__STEP_COUNT + 1];
    int any_cost;
} loaded_overrides;

/* A count byte, refused (bad) above max. */
static uint32_t read_count(lkr__reader *r, uint32_t max)
{
    uint32_t n = (uint32_t)lkr__r_int(r, 1);
    if (n > max) {
        r->bad = 1;
        return 0;
    }
    return n;
}

static void read_special(lkr__reader *r, lkr_session *s, loaded_overrides *lo, uint8_t wire)
{
    uint32_t i;
    switch (wire) {
    case W_PRIORS:
        s->prior_count = (uint8_t)read_count(r, LKR__CAUSE_COUNT);
        for (i = 0; i < s->prior_count; i++) {
            lo->priors[i].id = (uint32_t)lkr__r_int(r, 1);
            lo->priors[i].value = (uint32_t)lkr__r_int(r, 4);
        }
        s->priors = s->prior_count ? lo->priors : NULL;
        break;
    case W_LIKELIHOODS:
        s->likelihood_count = (uint8_t)read_count(r, LKR_SESSION_LIKELIHOODS_MAX);
        for (i = 0; i < s->likelihood_count; i++) {
            lo->likelihoods[i].evidence = (uint32_t)lkr__r_int(r, 1);
            lo->likelihoods[i].cause = (uint32_t)lkr__r_int(r, 1);
            lo->likelihoods[i].permille = (uint32_t)lkr__r_int(r, 4);
        }
        s->likelihoods = s->likelihood_count ? lo->likelihoods : NULL;
        break;
    case W_COSTS:
        for (i = 1; i <= LKR__STEP_COUNT; i++) {
            lo->cost[i] = (uint16_t)lkr__r_int(r, 2);
            lo->any_cost |= lo->cost[i] != 0;
        }
        s->cost = lo->any_cost ? lo->cost : NULL;
        break;
    case W_HISTORY:
        s->hist_count = (uint8_t)read_count(r, LKR_HISTORY_MAX);
        for (i = 0; i < s->hist_count; i++) {
            lkr__hist *h = &s->hist[i];
            h->step = (uint8_t)lkr__r_int(r, 1);
            h->outcome = (uint8_t)lkr__r_int(r, 1);
            h->by_host = (uint8_t)lkr__r_int(r, 1);
            h->started_off = (uint32_t)lkr__r_int(r, 4);
            h->ended_off = (uint32_t)lkr__r_int(r, 4);
        }
        break;
    default: /* W_WAIVERS */
        s->waiver_count = (uint8_t)read_count(r, LKR_WAIVERS_MAX);
        for (i = 0; i < s->waiver_count; i++) {
            s->waivers[i].kind = (uint8_t)lkr__r_int(r, 1);
            s->waivers[i].id = (uint8_t)lkr__r_int(r, 1);
            s->waivers[i].at_off = (uint32_t)lkr__r_int(r, 4);
            lkr__r_str(r, s->waivers[i].reason, sizeof(s->waivers[i].reason));
        }
        break;
    }
}

/* Every field, each integer within its limits; 0 when anything is off. */
static int read_payload(lkr__reader *r, lkr_session *s, loaded_overrides *lo)
{
    size_t i;
    for (i = 0; i < FIELD_COUNT && !r->bad; i++) {
        const field *f = &FIELDS[i];
        if (f->wire <= W_U64) {
            uint64_t v = lkr__r_int(r, f->wire);
            if (v > f->max || (v & ~f->mask) != 0) {
                return 0;
            }
            set_member(s, f, v);
        } else if (f->wire == W_STR) {
            lkr__r_str(r, (char *)s + f->off, f->size);
        } else if (f->wire == W_RAW) {
            const uint8_t *q = lkr__r_take(r, f->size);
            if (q != NULL) memcpy((uint8_t *)s + f->off, q, f->size);
        } else {
            read_special(r, s, lo, f->wire);
        }
    }
    return !r->bad && r->off == r->n;
}

/* The frame of buf: on success the payload's bounds and the flags. */
static lkr_status read_frame(const uint8_t *p, size_t len, size_t *body_len, uint32_t *flags,
                             uint32_t *version)
{
    uint32_t total;
    if (len < HEADER + TRAILER) {
        return LKR_E_TRUNCATED;
    }
    if (memcmp(p, "LKRS", 4) != 0) {
        return LKR_E_CORRUPT;
    }
    total = (uint32_t)lkr__le_get(p + 8, 4);
    if (total > LKR_SESSION_BLOB_MAX || len > LKR_SESSION_BLOB_MAX) {
        return LKR_E_OVERSIZED;
    }
    if (total < HEADER + TRAILER) {
        return LKR_E_CORRUPT;
    }
    if (len != total) {
        return len < total ? LKR_E_TRUNCATED : LKR_E_OVERSIZED;
    }
    if (lkr__crc32(p, total - TRAILER) != (uint32_t)lkr__le_get(p + total - TRAILER, 4)) {
        return LKR_E_CORRUPT;
    }
    *version = (uint32_t)lkr__le_get(p + 4, 2);
    *flags = (uint32_t)lkr__le_get(p + 6, 2);
    if (*version > LKR_SESSION_FORMAT_VERSION) {
        return LKR_E_VERSION;
    }
    /* Format 1 knew no flags; sealing came with format 2. */
    if (*version == 0 || (*flags & ~(uint32_t)FLAG_SEALED) != 0 || (*version < 2 && *flags != 0)) {
        return LKR_E_CORRUPT;
    }
    *body_len = total - HEADER - TRAILER;
    return LKR_OK;
}

/* The clear frame the host's keystore authenticates and opens, into clear[]. */
static lkr_status unseal_frame(const lkr_transport *t, const uint8_t *body, size_t len, uint8_t *clear,
                               size_t *clear_len)
{
    size_t n = 0;
    lkr_status st = t->unseal(t->ctx, body, len, clear, LKR_SESSION_BLOB_MAX, &n);
    if (st == LKR_E_CORRUPT || (st == LKR_OK && n > LKR_SESSION_BLOB_MAX)) {
        return LKR_E_CORRUPT; /* tampered with, or not sealed by this keystore */
    }
    if (st != LKR_OK) {
        return LKR_E_TRANSPORT;
    }
    *clear_len = n;
    return LKR_OK;
}

/* Parses and validates the blob into tmp: the frame, the keystore's seal
 * when there is one, the fields, then the whole state. */
static lkr_status parse(const lkr_transport *t, const uint8_t *p, size_t len, uint8_t *clear, lkr_session *tmp,
                        loaded_overrides *lo)
{
    size_t body = 0;
    uint32_t flags = 0, version = 0;
    lkr__reader r;
    lkr_status st = read_frame(p, len, &body, &flags, &version);
    if (st != LKR_OK) {
        return st;
    }
    /* With a keystore, only what it sealed loads (a clear blob could be
     * anyone's); without one, a sealed blob cannot be opened. */
    if ((flags & FLAG_SEALED) != 0 && t->unseal == NULL) {
        return LKR_E_UNSUPPORTED;
    }
    if ((flags & FLAG_SEALED) == 0 && has_keystore(t)) {
        return LKR_E_CORRUPT;
    }
    if (flags & FLAG_SEALED) {
        size_t n = 0;
        if ((st = unseal_frame(t, p + HEADER, body, clear, &n)) != LKR_OK ||
            (st = read_frame(clear, n, &body, &flags, &version)) != LKR_OK) {
            return st == LKR_E_VERSION ? st : LKR_E_CORRUPT;
        }
        if (flags != 0) {
            return LKR_E_CORRUPT; /* sealed once, never twice */
        }
        p = clear;
    }
    lkr_profile_init(&tmp->profile); /* struct sizes; every field is read */
    lkr_observations_init(&tmp->obs);
    r.p = p;
    r.n = HEADER + body;
    r.off = HEADER;
    r.bad = 0;
    if (!read_payload(&r, tmp, lo)) {
        return LKR_E_CORRUPT;
    }
    /* Format 1 knew only the unkeyed digest. */
    if (version < 2 && tmp->has_vault_digest > LKR__DIGEST_UNKEYED) {
        return LKR_E_CORRUPT;
    }
    return lkr__persist_valid(tmp) ? LKR_OK : LKR_E_CORRUPT;
}


static lkr_status check_args(const lkr_session_config *config, const lkr_transport *transport)
{
    lkr_status st;
    if ((st = lkr__check_size(config, config->struct_size, LKR__CONFIG_MIN_SIZE, sizeof(*config))) != LKR_OK ||
        (st = lkr__check_transport(transport)) != LKR_OK) {
        return st;
    }
    if (config->reserved_ != 0 || config->profile != NULL || config->observations != NULL ||
        config->overrides != NULL) {
        return LKR_E_INVAL;
    }
    return lkr__check_allocator(config->allocator);
}

/* The session in its own allocation, the vendor numbers in its tail. */
static lkr_session *place(const lkr_allocator *al, const lkr_session *tmp, const loaded_overrides *lo)
{
    uint32_t np = tmp->prior_count, nl = tmp->likelihood_count;
    size_t size = sizeof(*tmp) + lkr__tail_size(np, nl, lo->any_cost);
    lkr_session *s = al != NULL ? (lkr_session *)al->alloc(al->ctx, size) : (lkr_session *)malloc(size);
    if (s == NULL) {
        return NULL;
    }
    memset(s, 0, size);
    memcpy(s, tmp, sizeof(*tmp));
    s->alloc_size = (uint32_t)size;
    lkr__place_tail(s, np, nl, lo->any_cost);
    if (s->priors != NULL) memcpy(s->priors, lo->priors, np * sizeof(lkr_weight));
    if (s->likelihoods != NULL) memcpy(s->likelihoods, lo->likelihoods, nl * sizeof(lkr_likelihood));
    if (s->cost != NULL) memcpy(s->cost, lo->cost, sizeof(lo->cost));
    if (al != NULL) {
        memset(&s->alloc, 0, sizeof(s->alloc));
        (void)lkr__ingest(&s->alloc, sizeof(s->alloc), al, LKR__ALLOCATOR_MIN_SIZE);
        s->has_alloc = 1;
    }
    return s;
}

/* A host clock that restarted (a reboot) keeps the remaining wait. */
static void align_clock(lkr_session *s)
{
    uint64_t now = s->tr.now_ms(s->tr.ctx);
    if (now >= s->last_now_ms) {
        return;
    }
    if (s->wait_until_ms > s->last_now_ms) {
        uint64_t left = s->wait_until_ms - s->last_now_ms;
        s->wait_until_ms = now > UINT64_MAX - left ? UINT64_MAX : now + left;
    } else if (s->wait_until_ms != 0) {
        s->wait_until_ms = now;
    }
    s->last_now_ms = now;
}

lkr_status lkr_session_load(const lkr_session_config *config, const lkr_transport *transport,
                            const void *buf, size_t len, lkr_session **out)
{
    uint8_t clear[LKR_SESSION_BLOB_MAX];
    lkr_session *s, tmp;
    loaded_overrides lo;
    lkr_diagnosis d;
    lkr_status st;

    if (config == NULL || transport == NULL || buf == NULL || out == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = check_args(config, transport)) != LKR_OK) {
        return st;
    }
    /* Parsed on the stack first, so the session gets its exact size. */
    memset(&tmp, 0, sizeof(tmp));
    memset(&lo, 0, sizeof(lo));
    /* the validation asks nothing of the host, but may read it */
    (void)lkr__ingest(&tmp.tr, sizeof(tmp.tr), transport, LKR__TRANSPORT_MIN_SIZE); /* checked above */
    st = parse(&tmp.tr, (const uint8_t *)buf, len, clear, &tmp, &lo);
    if (st == LKR_OK) {
        lkr__compute_fits(&tmp);
        lkr__rediagnose(&tmp, &d); /* from facts the validation accepted */
    }
    s = st == LKR_OK ? place(config->allocator, &tmp, &lo) : NULL;
    lkr__wipe(&tmp, sizeof(tmp));
    lkr__wipe(clear, sizeof(clear));
    if (st != LKR_OK) {
        return st;
    }
    if (s == NULL) {
        return LKR_E_NOMEM;
    }
    s->magic = LKR__SESSION_MAGIC;
    align_clock(s);
    *out = s;
    return LKR_OK;
}
