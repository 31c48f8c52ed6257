/*
 * Session persistence: a versioned, checksummed, deterministic blob that
 * holds everything of a session but the codes (they live in the vault,
 * exported sealed) and the host's callbacks. Loading gives exactly the same
 * decisions. docs/PERSISTENCE.md documents the format and its promise.
 *
 * Frame (little-endian):
 *   0  "LKRS"           magic
 *   4  u16 version      LKR_SESSION_FORMAT_VERSION
 *   6  u16 flags        0
 *   8  u32 length       of the whole blob, checksum included
 *  12  payload          fields in a fixed order, strings length-prefixed
 *  -4  u32 CRC-32       (IEEE, zlib's) of every byte before it
 */
#include <stdlib.h>
#include <string.h>

#include "session_int.h"

#define HEADER 12u
#define TRAILER 4u

/* ---- writing --------------------------------------------------------------- */

typedef struct writer {
    uint8_t *buf; /* NULL: only count */
    size_t cap;
    size_t n;
} writer;

static void put(writer *w, const void *p, size_t len)
{
    if (w->buf != NULL && w->n + len <= w->cap) {
        memcpy(w->buf + w->n, p, len);
    }
    w->n += len;
}

static void u8(writer *w, uint32_t v)
{
    uint8_t b = (uint8_t)v;
    put(w, &b, 1);
}

static void u16(writer *w, uint32_t v)
{
    uint8_t b[2];
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    put(w, b, 2);
}

static void u32(writer *w, uint32_t v)
{
    uint8_t b[4];
    unsigned i;
    for (i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, 4);
}

static void u64(writer *w, uint64_t v)
{
    uint8_t b[8];
    unsigned i;
    for (i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(w, b, 8);
}

static void str(writer *w, const char *s)
{
    size_t len = strlen(s);
    u8(w, (uint32_t)len);
    put(w, s, len);
}

static void write_profile(writer *w, const lkr_profile *p)
{
    u8(w, p->protocol);
    u8(w, p->ecosystems);
    u8(w, p->battery_chemistry);
    u8(w, p->battery_cells);
    u16(w, p->warranty_months);
    u8(w, p->has_bridge);
    u8(w, p->has_keypad);
    u8(w, p->has_fingerprint);
    u8(w, p->has_key_cylinder);
    u8(w, p->repair_erases_codes);
    u8(w, p->pins_readable);
    str(w, p->manufacturer);
    str(w, p->model);
    str(w, p->serial);
    str(w, p->purchase_date);
}

/* The observations' one-byte facts, in their declaration order. */
#define OBS_BYTES(X)                                                                           \
    X(keypad_lights) X(keypad_accepts_codes) X(local_control_works) X(app_status)              \
    X(update_state) X(hub_online) X(bridge_online) X(other_wifi_devices_work) X(wifi_24ghz_on) \
    X(wifi_security) X(network_changed) X(ip_changed) X(signal_weak) X(phone_in_range)         \
    X(app_permissions_ok) X(second_phone_connects) X(software_outdated) X(codes_state)         \
    X(code_expired) X(lockout_active) X(keypad_dirty) X(keypad_erratic)                        \
    X(works_door_open_only) X(wrong_position) X(extreme_cold) X(router_online)

static void write_obs(writer *w, const lkr_observations *o)
{
    u32(w, (uint32_t)o->update_progress_pct);
    u32(w, (uint32_t)o->update_stalled_min);
    u32(w, (uint32_t)o->battery_pct);
    u32(w, (uint32_t)o->cell_mv);
#define W(f) u8(w, o->f);
    OBS_BYTES(W)
#undef W
    str(w, o->fw_before);
    str(w, o->fw_target);
    str(w, o->fw_now);
    str(w, o->error_code);
}

static void write_session(writer *w, const lkr_session *s)
{
    uint32_t i;
    write_profile(w, &s->profile);
    write_obs(w, &s->obs);
    str(w, s->initial_error);
    /* vendor numbers */
    u8(w, s->prior_count);
    for (i = 0; i < s->prior_count; i++) {
        u8(w, s->priors[i].id);
        u32(w, s->priors[i].value);
    }
    u8(w, s->likelihood_count);
    for (i = 0; i < s->likelihood_count; i++) {
        u8(w, s->likelihoods[i].evidence);
        u8(w, s->likelihoods[i].cause);
        u32(w, s->likelihoods[i].permille);
    }
    for (i = 1; i <= LKR__STEP_COUNT; i++) {
        u16(w, s->cost != NULL ? s->cost[i] : 0u);
    }
    u64(w, s->disabled);
    /* where the session stands */
    u8(w, s->ladder);
    u8(w, s->tier);
    u8(w, s->entry_tier);
    u8(w, s->phase);
    u8(w, s->final_state);
    u8(w, s->cur_step);
    u8(w, s->cur_hist);
    u8(w, s->verify_step);
    u8(w, s->verify_hist);
    u8(w, s->last_report);
    u8(w, s->by_host);
    u8(w, s->question);
    u8(w, s->triage_active);
    u8(w, s->dead_keypad_asked);
    u8(w, s->need_fw);
    u8(w, s->codes_at_risk);
    u8(w, s->blocked_step);
    u8(w, s->blocked_followup);
    u8(w, s->blocked_in_hand);
    u8(w, s->error_reobserved);
    u8(w, s->terminal_step);
    u8(w, s->reached);
    u8(w, s->has_vault_digest);
    put(w, s->vault_digest, sizeof(s->vault_digest));
    u32(w, s->blocked_unmet);
    u32(w, s->asked);
    u32(w, s->confirmed);
    u32(w, s->support_reasons);
    u32(w, s->detail);
    u32(w, s->person_minutes);
    u32(w, s->guards_blocked);
    u32(w, s->codes_missing);
    u64(w, s->tried);
    u64(w, s->waived_steps);
    u16(w, s->waived_tiers);
    u64(w, s->wait_until_ms);
    u32(w, s->wait_s);
    u64(w, s->last_now_ms);
    u64(w, s->started_ms);
    /* history and waivers */
    u8(w, s->hist_count);
    for (i = 0; i < s->hist_count; i++) {
        u8(w, s->hist[i].step);
        u8(w, s->hist[i].outcome);
        u8(w, s->hist[i].by_host);
        u32(w, s->hist[i].started_off);
        u32(w, s->hist[i].ended_off);
    }
    u8(w, s->waiver_count);
    for (i = 0; i < s->waiver_count; i++) {
        u8(w, s->waivers[i].kind);
        u8(w, s->waivers[i].id);
        u32(w, s->waivers[i].at_off);
        str(w, s->waivers[i].reason);
    }
}

lkr_status lkr_session_save(const lkr_session *s, void *buf, size_t len, size_t *needed)
{
    writer w;
    uint32_t crc;
    if (s == NULL || s->magic != LKR__SESSION_MAGIC || needed == NULL || (buf == NULL && len != 0)) {
        return LKR_E_INVAL;
    }
    /* First pass: the size. */
    memset(&w, 0, sizeof(w));
    w.n = HEADER;
    write_session(&w, s);
    *needed = w.n + TRAILER;
    if (*needed > LKR_SESSION_BLOB_MAX) {
        return LKR_E_OVERSIZED; /* cannot happen with today's limits; never write what load refuses */
    }
    if (buf == NULL || len < *needed) {
        return LKR_E_BUFFER;
    }
    /* Second pass: the bytes. */
    w.buf = (uint8_t *)buf;
    w.cap = len;
    w.n = 0;
    put(&w, "LKRS", 4);
    u16(&w, LKR_SESSION_FORMAT_VERSION);
    u16(&w, 0);
    u32(&w, (uint32_t)*needed);
    write_session(&w, s);
    crc = lkr__crc32(buf, w.n);
    u32(&w, crc);
    return LKR_OK;
}

/* ---- reading --------------------------------------------------------------- */

typedef struct reader {
    const uint8_t *p;
    size_t n;   /* payload end */
    size_t off;
    int bad;    /* ran past the end */
} reader;

static const uint8_t *take(reader *r, size_t len)
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

static uint8_t g8(reader *r)
{
    const uint8_t *q = take(r, 1);
    return q != NULL ? q[0] : 0;
}

static uint16_t g16(reader *r)
{
    const uint8_t *q = take(r, 2);
    return q != NULL ? (uint16_t)(q[0] | (q[1] << 8)) : 0;
}

static uint32_t g32(reader *r)
{
    const uint8_t *q = take(r, 4);
    return q != NULL ? (uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) |
                           ((uint32_t)q[3] << 24)
                     : 0;
}

static uint64_t g64(reader *r)
{
    uint64_t lo = g32(r);
    return lo | ((uint64_t)g32(r) << 32);
}

/* A length-prefixed string into a fixed array; refuses what does not fit or
 * holds a NUL. */
static void gstr(reader *r, char *dst, size_t cap)
{
    uint8_t len = g8(r);
    const uint8_t *q;
    memset(dst, 0, cap);
    if (len >= cap) {
        r->bad = 1;
        return;
    }
    q = take(r, len);
    if (q == NULL || memchr(q, '\0', len) != NULL) {
        r->bad = 1;
        return;
    }
    memcpy(dst, q, len);
}

static void read_profile(reader *r, lkr_profile *p)
{
    lkr_profile_init(p);
    p->protocol = g8(r);
    p->ecosystems = g8(r);
    p->battery_chemistry = g8(r);
    p->battery_cells = g8(r);
    p->warranty_months = g16(r);
    p->has_bridge = g8(r);
    p->has_keypad = g8(r);
    p->has_fingerprint = g8(r);
    p->has_key_cylinder = g8(r);
    p->repair_erases_codes = g8(r);
    p->pins_readable = g8(r);
    gstr(r, p->manufacturer, sizeof(p->manufacturer));
    gstr(r, p->model, sizeof(p->model));
    gstr(r, p->serial, sizeof(p->serial));
    gstr(r, p->purchase_date, sizeof(p->purchase_date));
}

static void read_obs(reader *r, lkr_observations *o)
{
    lkr_observations_init(o);
    o->update_progress_pct = (int32_t)g32(r);
    o->update_stalled_min = (int32_t)g32(r);
    o->battery_pct = (int32_t)g32(r);
    o->cell_mv = (int32_t)g32(r);
#define R(f) o->f = g8(r);
    OBS_BYTES(R)
#undef R
    gstr(r, o->fw_before, sizeof(o->fw_before));
    gstr(r, o->fw_target, sizeof(o->fw_target));
    gstr(r, o->fw_now, sizeof(o->fw_now));
    gstr(r, o->error_code, sizeof(o->error_code));
}

static int step_or_zero(uint32_t id)
{
    return id == 0 || lkr__step_id_ok(id);
}

/* A step of this lock's protocol, ecosystems, bridge and keypad (0: none). */
static int fits_lock(const lkr_session *s, uint32_t step)
{
    return step == 0 || lkr__step_fits(step, &s->profile);
}

/* Everything a saved session claims must be a state the engine can be in. */
static int consistent(const lkr_session *s)
{
    uint32_t i;
    uint64_t in_history = 0;
    if (lkr_profile_validate(&s->profile) != LKR_OK || lkr_observations_validate(&s->obs) != LKR_OK ||
        lkr__consistent(&s->profile, &s->obs) != LKR_OK ||
        memchr(s->initial_error, '\0', sizeof(s->initial_error)) == NULL) {
        return 0;
    }
    if (s->ladder > LKR_LADDER_CODE || s->tier > LKR__TIER_COUNT || s->entry_tier > LKR__TIER_COUNT ||
        s->phase > LKR__P_FINAL || s->question > LKR_QUESTION_MAX || s->last_report > LKR_OUTCOME_FAILED ||
        s->by_host > 1 || s->triage_active > 1 || s->dead_keypad_asked > 1 || s->need_fw > 1 ||
        s->codes_at_risk > 1 || s->blocked_in_hand > 1 || s->error_reobserved > 1 ||
        s->has_vault_digest > 1 || !step_or_zero(s->cur_step) || !step_or_zero(s->verify_step) ||
        !step_or_zero(s->blocked_step) || !step_or_zero(s->blocked_followup) ||
        !step_or_zero(s->terminal_step) || s->hist_count > LKR_HISTORY_MAX || s->reached > 7 ||
        s->waiver_count > LKR_WAIVERS_MAX || (s->waived_tiers & ~0x1FEu) != 0 ||
        (s->confirmed & ~0x7FEu) != 0 || (s->asked & ~(0xFEu | LKR__ASKED_TRANSFER_OVER)) != 0) {
        return 0;
    }
    if (s->phase == LKR__P_FINAL) {
        if (s->final_state != LKR_STATE_RECOVERED && s->final_state != LKR_STATE_NEEDS_SUPPORT &&
            s->final_state != LKR_STATE_ABORTED) {
            return 0;
        }
        if (s->final_state == LKR_STATE_RECOVERED && (s->codes_missing > 0 || s->codes_at_risk)) {
            return 0;
        }
    } else if (s->final_state != 0) {
        return 0;
    }
    if (s->phase == LKR__P_ASK && s->question == 0) return 0;
    if ((s->phase == LKR__P_PERFORM || s->phase == LKR__P_RESUME || s->phase == LKR__P_HOST ||
         s->phase == LKR__P_HOLD || s->phase == LKR__P_SETTLE) &&
        (s->cur_step == 0 || s->cur_hist >= s->hist_count || s->hist[s->cur_hist].step != s->cur_step)) {
        return 0;
    }
    if (s->verify_step != 0 &&
        (s->verify_hist >= s->hist_count || s->hist[s->verify_hist].step != s->verify_step)) {
        return 0;
    }
    if (s->phase == LKR__P_BLOCKED && s->blocked_step == 0) return 0;
    /* The step in hand, and what waits on it, must make sense together. */
    if ((s->phase == LKR__P_VERIFY || s->phase == LKR__P_VERIFY_ASK ||
         s->phase == LKR__P_VERIFY_PROBE) && s->verify_step == 0) return 0;
    if (s->blocked_in_hand && (s->phase != LKR__P_BLOCKED || s->cur_step == 0 ||
                               s->blocked_step != s->cur_step ||
                               s->cur_hist >= s->hist_count || s->hist[s->cur_hist].step != s->cur_step)) return 0;
    if (s->blocked_followup != 0 &&
        (s->phase != LKR__P_BLOCKED || s->cur_step == 0 || s->blocked_in_hand ||
         lkr__followup_of(s, s->cur_step) != s->blocked_followup)) return 0;
    if (s->phase == LKR__P_FINAL && s->final_state == LKR_STATE_NEEDS_SUPPORT &&
        (s->terminal_step == 0 || !(lkr__steps[s->terminal_step].flags & LKR_STEP_F_TERMINAL))) return 0;
    /* The step in hand was offered: it applies to this lock as it is now. */
    if ((s->cur_step != 0 && !lkr__step_applies(s->cur_step, &s->profile, &s->obs) &&
         !(lkr__steps[s->cur_step].flags & LKR_STEP_F_FOLLOWUP_ONLY)) ||
        (s->blocked_step != 0 && s->blocked_followup == 0 && !s->blocked_in_hand &&
         !lkr__step_applies(s->blocked_step, &s->profile, &s->obs) &&
         s->blocked_step != LKR_STEP_REPAIR_BACKUP_CODES)) return 0;
    /* No step of another protocol or ecosystem, anywhere. */
    if (!fits_lock(s, s->cur_step) || !fits_lock(s, s->verify_step) || !fits_lock(s, s->blocked_step) ||
        !fits_lock(s, s->blocked_followup)) return 0;
    for (i = 0; i < s->hist_count; i++) {
        if (s->hist[i].step == 0 || !lkr__step_id_ok(s->hist[i].step) || !fits_lock(s, s->hist[i].step) ||
            s->hist[i].outcome > LKR_OUTCOME_HANDED_OVER ||
            s->hist[i].by_host > 1 || (in_history & ((uint64_t)1 << (s->hist[i].step - 1)))) {
            return 0;
        }
        in_history |= (uint64_t)1 << (s->hist[i].step - 1);
    }
    if (s->tried != in_history) return 0;
    for (i = 0; i < s->waiver_count; i++) {
        const lkr__waiver *w = &s->waivers[i];
        if ((w->kind != LKR_WAIVE_TIER && w->kind != LKR_WAIVE_STEP) ||
            (w->kind == LKR_WAIVE_TIER && (w->id < 1 || w->id > LKR__TIER_COUNT)) ||
            (w->kind == LKR_WAIVE_STEP && !lkr__step_id_ok(w->id)) || w->reason[0] == '\0') {
            return 0;
        }
    }
    return 1;
}

/* Vendor numbers as read, before the session gets its exact allocation. */
typedef struct loaded_overrides {
    lkr_weight priors[LKR__CAUSE_COUNT];
    lkr_likelihood likelihoods[LKR_SESSION_LIKELIHOODS_MAX];
    uint16_t cost[LKR__STEP_COUNT + 1];
    int any_cost;
} loaded_overrides;

static lkr_status read_session(reader *r, lkr_session *s, loaded_overrides *lo)
{
    uint32_t i;
    lkr_overrides ov;
    read_profile(r, &s->profile);
    read_obs(r, &s->obs);
    gstr(r, s->initial_error, sizeof(s->initial_error));
    s->prior_count = g8(r);
    if (s->prior_count > LKR__CAUSE_COUNT) return LKR_E_CORRUPT;
    for (i = 0; i < s->prior_count; i++) {
        lo->priors[i].id = g8(r);
        lo->priors[i].value = g32(r);
    }
    s->priors = s->prior_count ? lo->priors : NULL;
    s->likelihood_count = g8(r);
    if (s->likelihood_count > LKR_SESSION_LIKELIHOODS_MAX) return LKR_E_CORRUPT;
    for (i = 0; i < s->likelihood_count; i++) {
        lo->likelihoods[i].evidence = g8(r);
        lo->likelihoods[i].cause = g8(r);
        lo->likelihoods[i].permille = g32(r);
    }
    s->likelihoods = s->likelihood_count ? lo->likelihoods : NULL;
    for (i = 1; i <= LKR__STEP_COUNT; i++) {
        lo->cost[i] = g16(r);
        lo->any_cost |= lo->cost[i] != 0;
    }
    s->cost = lo->any_cost ? lo->cost : NULL;
    s->disabled = g64(r);
    s->ladder = g8(r);
    s->tier = g8(r);
    s->entry_tier = g8(r);
    s->phase = g8(r);
    s->final_state = g8(r);
    s->cur_step = g8(r);
    s->cur_hist = g8(r);
    s->verify_step = g8(r);
    s->verify_hist = g8(r);
    s->last_report = g8(r);
    s->by_host = g8(r);
    s->question = g8(r);
    s->triage_active = g8(r);
    s->dead_keypad_asked = g8(r);
    s->need_fw = g8(r);
    s->codes_at_risk = g8(r);
    s->blocked_step = g8(r);
    s->blocked_followup = g8(r);
    s->blocked_in_hand = g8(r);
    s->error_reobserved = g8(r);
    s->terminal_step = g8(r);
    s->reached = g8(r);
    s->has_vault_digest = g8(r);
    {
        const uint8_t *d = take(r, sizeof(s->vault_digest));
        if (d != NULL) memcpy(s->vault_digest, d, sizeof(s->vault_digest));
    }
    s->blocked_unmet = g32(r);
    s->asked = g32(r);
    s->confirmed = g32(r);
    s->support_reasons = g32(r);
    s->detail = g32(r);
    s->person_minutes = g32(r);
    s->guards_blocked = g32(r);
    s->codes_missing = g32(r);
    s->tried = g64(r);
    s->waived_steps = g64(r);
    s->waived_tiers = g16(r);
    s->wait_until_ms = g64(r);
    s->wait_s = g32(r);
    s->last_now_ms = g64(r);
    s->started_ms = g64(r);
    s->hist_count = g8(r);
    if (s->hist_count > LKR_HISTORY_MAX) return LKR_E_CORRUPT;
    for (i = 0; i < s->hist_count; i++) {
        s->hist[i].step = g8(r);
        s->hist[i].outcome = g8(r);
        s->hist[i].by_host = g8(r);
        s->hist[i].started_off = g32(r);
        s->hist[i].ended_off = g32(r);
    }
    s->waiver_count = g8(r);
    if (s->waiver_count > LKR_WAIVERS_MAX) return LKR_E_CORRUPT;
    for (i = 0; i < s->waiver_count; i++) {
        s->waivers[i].kind = g8(r);
        s->waivers[i].id = g8(r);
        s->waivers[i].at_off = g32(r);
        gstr(r, s->waivers[i].reason, sizeof(s->waivers[i].reason));
    }
    if (r->bad || r->off != r->n) {
        return LKR_E_CORRUPT;
    }
    /* The vendor numbers must be ones lkr_session_new would have taken. */
    memset(&ov, 0, sizeof(ov));
    ov.struct_size = (uint32_t)sizeof(ov);
    ov.prior_count = s->prior_count;
    ov.priors = s->priors;
    ov.likelihood_count = s->likelihood_count;
    ov.likelihoods = s->likelihoods;
    if (lkr_overrides_validate(&ov) != LKR_OK || (s->disabled >> LKR__STEP_COUNT) != 0) {
        return LKR_E_CORRUPT;
    }
    return consistent(s) ? LKR_OK : LKR_E_CORRUPT;
}


lkr_status lkr_session_load(const lkr_session_config *config, const lkr_transport *transport,
                            const void *buf, size_t len, lkr_session **out)
{
    const uint8_t *p = (const uint8_t *)buf;
    const lkr_allocator *al;
    lkr_session *s, tmp;
    loaded_overrides lo;
    lkr_diagnosis d;
    lkr_status st;
    reader r;
    uint32_t total, version;
    uint64_t now;

    if (config == NULL || transport == NULL || buf == NULL || out == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_size(config, config->struct_size, LKR__CONFIG_MIN_SIZE, sizeof(*config))) != LKR_OK ||
        (st = lkr__check_transport(transport)) != LKR_OK) {
        return st;
    }
    if (config->reserved_ != 0 || config->profile != NULL || config->observations != NULL ||
        config->overrides != NULL) {
        return LKR_E_INVAL;
    }
    al = config->allocator;
    if ((st = lkr__check_allocator(al)) != LKR_OK) {
        return st;
    }
    /* The frame: length, magic, declared length, checksum, then the version. */
    if (len < HEADER + TRAILER) {
        return LKR_E_TRUNCATED;
    }
    if (memcmp(p, "LKRS", 4) != 0) {
        return LKR_E_CORRUPT;
    }
    total = (uint32_t)p[8] | ((uint32_t)p[9] << 8) | ((uint32_t)p[10] << 16) | ((uint32_t)p[11] << 24);
    if (total > LKR_SESSION_BLOB_MAX || len > LKR_SESSION_BLOB_MAX) {
        return LKR_E_OVERSIZED;
    }
    if (total < HEADER + TRAILER) {
        return LKR_E_CORRUPT;
    }
    if (len < total) {
        return LKR_E_TRUNCATED;
    }
    if (len > total) {
        return LKR_E_OVERSIZED;
    }
    if (lkr__crc32(p, total - TRAILER) !=
        ((uint32_t)p[total - 4] | ((uint32_t)p[total - 3] << 8) | ((uint32_t)p[total - 2] << 16) |
         ((uint32_t)p[total - 1] << 24))) {
        return LKR_E_CORRUPT;
    }
    version = (uint32_t)p[4] | ((uint32_t)p[5] << 8);
    if (version > LKR_SESSION_FORMAT_VERSION) {
        return LKR_E_VERSION;
    }
    if (version == 0 || p[6] != 0 || p[7] != 0) {
        return LKR_E_CORRUPT;
    }

    /* Parsed on the stack first, so the session gets its exact size. */
    memset(&tmp, 0, sizeof(tmp));
    memset(&lo, 0, sizeof(lo));
    r.p = p;
    r.n = total - TRAILER;
    r.off = HEADER;
    r.bad = 0;
    st = read_session(&r, &tmp, &lo);
    if (st == LKR_OK) {
        lkr__compute_fits(&tmp); /* the profile is valid only once the read succeeded */
    }
    if (st == LKR_OK) {
        lkr__rediagnose(&tmp, &d); /* consistent() validated its inputs */
    }
    if (st != LKR_OK) {
        lkr__wipe(&tmp, sizeof(tmp));
        return st;
    }
    {
        uint32_t np = tmp.prior_count, nl = tmp.likelihood_count;
        size_t size = sizeof(*s) + lkr__tail_size(np, nl, lo.any_cost);
        s = al != NULL ? (lkr_session *)al->alloc(al->ctx, size) : (lkr_session *)malloc(size);
        if (s == NULL) {
            lkr__wipe(&tmp, sizeof(tmp));
            return LKR_E_NOMEM;
        }
        memset(s, 0, size);
        memcpy(s, &tmp, sizeof(tmp));
        lkr__wipe(&tmp, sizeof(tmp));
        s->alloc_size = (uint32_t)size;
        lkr__place_tail(s, np, nl, lo.any_cost);
        if (s->priors != NULL) memcpy(s->priors, lo.priors, s->prior_count * sizeof(lkr_weight));
        if (s->likelihoods != NULL)
            memcpy(s->likelihoods, lo.likelihoods, s->likelihood_count * sizeof(lkr_likelihood));
        if (s->cost != NULL) memcpy(s->cost, lo.cost, sizeof(lo.cost));
    }
    s->magic = LKR__SESSION_MAGIC;
    memset(&s->tr, 0, sizeof(s->tr));
    (void)lkr__ingest(&s->tr, sizeof(s->tr), transport, LKR__TRANSPORT_MIN_SIZE); /* checked above */
    if (al != NULL) {
        memset(&s->alloc, 0, sizeof(s->alloc));
        (void)lkr__ingest(&s->alloc, sizeof(s->alloc), al, LKR__ALLOCATOR_MIN_SIZE);
        s->has_alloc = 1;
    }
    /* A host clock that restarted (a reboot) keeps the remaining wait. */
    now = s->tr.now_ms(s->tr.ctx);
    if (now < s->last_now_ms) {
        if (s->wait_until_ms > s->last_now_ms) {
            uint64_t left = s->wait_until_ms - s->last_now_ms;
            s->wait_until_ms = now > UINT64_MAX - left ? UINT64_MAX : now + left;
        } else if (s->wait_until_ms != 0) {
            s->wait_until_ms = now;
        }
        s->last_now_ms = now;
    }
    *out = s;
    return LKR_OK;
}
