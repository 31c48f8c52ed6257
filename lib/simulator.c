/*
 * The lock simulator (sim.h): a lock with injected root causes, behind a
 * complete transport, and a simulated person to drive a session against it.
 *
 * The fault model: every injected cause stays active until a step that is
 * performed fixes it, with the catalog's likelihood drawn from a seeded PRNG
 * (splitmix64). The lock answers a probe as reachable only when no cause is
 * left. A factory reset erases its codes and pairings and takes the lock off
 * its network until it is re-joined (reset.restore_after_reset: re-include,
 * re-commission, re-pair); a re-pair erases codes on models that do, and on
 * Matter removing the accessory from any ecosystem does (the catalog's data
 * per protocol). Off the network the lock answers no read, no write and no
 * probe. Everything is counted: steps, destructive acts, steps
 * performed without their guards, codes lost. No global state, one
 * allocation, no clock but its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "le.h"

#define SIM_MAGIC 0x4C4B534Du /* "LKSM" */
#define FW_BEFORE LKR__SIM_FW_BEFORE
#define FW_TARGET LKR__SIM_FW_TARGET

struct lkr_sim {
    uint32_t magic;
    lkr_allocator alloc;
    uint8_t has_alloc;
    uint8_t pins_readable;
    uint8_t has_checksum;
    uint8_t flaky_toggle;
    uint8_t off_network; /* reset, not re-joined yet */
    uint8_t dropped;
    uint32_t dropped_slot;
    lkr_sim_config cfg;
    uint64_t rng;
    uint64_t clock_ms;
    uint32_t active; /* bit c: cause c still at work */
    uint8_t transfer_ended; /* the app was force-closed on a stalled transfer */
    lkr_observations truth; /* what is true now (the person answers from it) */
    lkr_observations seen;  /* what the person reports at the start */
    lkr_code codes[LKR_VAULT_MAX_CODES];
    uint32_t code_count;
    lkr_code original[LKR_VAULT_MAX_CODES];
    uint32_t original_count;
    uint32_t steps_performed;
    uint32_t destructive_acts;
    uint32_t unsafe_steps;
    uint32_t person_minutes;
    lkr_session *session; /* while it drives one: to check guards */
};

/* ---- PRNG ------------------------------------------------------------------ */

static uint64_t next_u64(lkr_sim *s)
{
    uint64_t z = (s->rng += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static uint32_t draw_permille(lkr_sim *s)
{
    return (uint32_t)(next_u64(s) % 1000u);
}

/* ---- the causes as a person sees them ---------------------------------------- */

#define CB(c) (1u << (c))
/* Causes that leave the keypad dark. */
#define SILENT_CAUSES (CB(LKR_CAUSE_BATTERIES_DEPLETED) | CB(LKR_CAUSE_OTA_VOLTAGE_COLLAPSE) | \
                       CB(LKR_CAUSE_HARDWARE_FAILURE))
/* Causes of the code path: the lock stays reachable, the keypad misbehaves. */
#define CODE_CAUSES (CB(LKR_CAUSE_KEYPAD_LOCKOUT) | CB(LKR_CAUSE_CODE_EXPIRED) | CB(LKR_CAUSE_WRONG_CODE) | \
                     CB(LKR_CAUSE_KEYPAD_DAMAGE) | CB(LKR_CAUSE_DOOR_MISALIGNMENT) |                 \
                     CB(LKR_CAUSE_EXTREME_COLD))
/* Causes that come with a firmware update. */
#define UPDATE_CAUSES (CB(LKR_CAUSE_BLE_DROP_MID_TRANSFER) | CB(LKR_CAUSE_OTA_VOLTAGE_COLLAPSE) |     \
                       CB(LKR_CAUSE_WIFI_STACK_CRASH) | CB(LKR_CAUSE_HUB_SESSION_MISMATCH) |        \
                       CB(LKR_CAUSE_APP_STALE_STATE) | CB(LKR_CAUSE_TRANSFER_STALL) |               \
                       CB(LKR_CAUSE_ZWAVE_DEEP_SLEEP) | CB(LKR_CAUSE_THREAD_MESH_LOST) |            \
                       CB(LKR_CAUSE_PHONE_BLE_BUG) | CB(LKR_CAUSE_NEW_IP_ADDRESS) |                 \
                       CB(LKR_CAUSE_HARDWARE_FAILURE))

/* Writes what cause c makes true into o (full facts): sim_facts.c. */
static void cause_facts(const lkr_sim *s, uint32_t c, lkr_observations *o)
{
    lkr__sim_cause_facts(s->cfg.protocol, c, o);
}

/* The facts as they are now, from the causes still at work. */
static void refresh_truth(lkr_sim *s)
{
    lkr_observations *o = &s->truth;
    uint32_t c;
    lkr_observations_init(o);
    o->battery_pct = s->cfg.battery_pct;
    lkr__set_str(o->fw_before, sizeof(o->fw_before), FW_BEFORE);
    lkr__set_str(o->fw_target, sizeof(o->fw_target), FW_TARGET);
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        if (s->active & CB(c)) cause_facts(s, c, o);
    }
    if (s->transfer_ended && o->update_state == LKR_UPDATE_IN_PROGRESS) {
        /* The app, force-closed and reopened, no longer transfers: it reports
         * the update failed (the lock kept its old firmware). */
        o->update_state = LKR_UPDATE_REPORTED_FAILED;
        o->update_progress_pct = LKR_NUM_UNKNOWN;
        o->update_stalled_min = LKR_NUM_UNKNOWN;
    }
    if (s->active == 0) {
        /* Healthy: the update (if any) went through. */
        o->keypad_lights = LKR_YES;
        o->app_status = LKR_APP_ONLINE;
        o->codes_state = LKR_CODES_ALL_WORK;
        o->update_state = (s->cfg.cause_count && (CB(s->cfg.causes[0]) & UPDATE_CAUSES)) ? LKR_UPDATE_FINISHED
                                                                                        : LKR_UPDATE_NONE;
        lkr__set_str(o->fw_now, sizeof(o->fw_now), o->update_state == LKR_UPDATE_NONE ? FW_BEFORE : FW_TARGET);
        if (o->battery_pct == LKR_NUM_UNKNOWN || o->battery_pct < 60) o->battery_pct = 100;
    }
    if (o->update_state == LKR_UPDATE_NONE) {
        memset(o->fw_before, 0, sizeof(o->fw_before));
        memset(o->fw_target, 0, sizeof(o->fw_target));
    }
    if (s->cfg.has_keypad == LKR_NO) {
        o->keypad_lights = LKR_UNKNOWN;
        o->keypad_accepts_codes = LKR_UNKNOWN;
        o->codes_state = LKR_CODES_UNKNOWN;
        o->code_expired = LKR_UNKNOWN;
        o->lockout_active = LKR_UNKNOWN;
        o->keypad_dirty = LKR_UNKNOWN;
        o->keypad_erratic = LKR_UNKNOWN;
    }
    if (s->cfg.protocol != LKR_PROTOCOL_WIFI) {
        o->wifi_security = LKR_WIFI_SECURITY_UNKNOWN;
        o->router_online = LKR_UNKNOWN;
    }
}

/* ---- construction --------------------------------------------------------------- */

void lkr_sim_config_init(lkr_sim_config *c)
{
    if (c == NULL) {
        return;
    }
    memset(c, 0, sizeof(*c));
    c->struct_size = (uint32_t)sizeof(*c);
    c->battery_chemistry = LKR_CHEMISTRY_ALKALINE;
    c->battery_pct = LKR_NUM_UNKNOWN;
    c->code_count = 5;
    c->flags = LKR_SIM_F_PROBE | LKR_SIM_F_RUN_STEPS | LKR_SIM_F_CODES;
    c->has_keypad = LKR_YES;
    c->repair_erases_codes = LKR_NO;
}

static int sim_ok(const lkr_sim *s)
{
    return s != NULL && s->magic == SIM_MAGIC;
}

static void make_codes(lkr_sim *s)
{
    uint32_t i;
    for (i = 0; i < s->cfg.code_count; i++) {
        lkr_code *c = &s->codes[i];
        uint32_t pin_len = 4 + (uint32_t)(next_u64(s) % 5u), k;
        lkr_code_init(c);
        c->slot = i + 1;
        c->kind = i == 0 ? LKR_CODE_ADMIN : (i % 4 == 3 ? LKR_CODE_TEMPORARY : LKR_CODE_USER);
        (void)snprintf(c->name, sizeof(c->name), i == 0 ? "admin" : "user %u", (unsigned)i);
        for (k = 0; k < pin_len; k++) {
            c->pin[k] = (char)('0' + (char)(next_u64(s) % 10u));
        }
        if (c->kind == LKR_CODE_TEMPORARY) {
            c->weekdays = 0x1Fu; /* weekdays only */
            c->day_start_min = 9 * 60;
            c->day_end_min = 17 * 60;
        }
    }
    s->code_count = s->cfg.code_count;
    memcpy(s->original, s->codes, sizeof(s->codes));
    s->original_count = s->code_count;
}

#define SIM_CONFIG_MIN_SIZE (offsetof(lkr_sim_config, seed) + sizeof(uint64_t))

lkr_status lkr_sim_new(const lkr_sim_config *cfg, const lkr_allocator *al, lkr_sim **out)
{
    lkr_sim *s;
    lkr_status st;
    uint32_t i, j;
    if (cfg == NULL || out == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_size(cfg, cfg->struct_size, SIM_CONFIG_MIN_SIZE, sizeof(*cfg))) != LKR_OK) {
        return st;
    }
    if (cfg->protocol < LKR_PROTOCOL_WIFI || cfg->protocol > LKR_PROTOCOL_MAX ||
        (cfg->ecosystems & ~LKR_ECOSYSTEMS_ALL) != 0 || cfg->battery_chemistry > LKR_CHEMISTRY_MAX ||
        (cfg->battery_pct != LKR_NUM_UNKNOWN && (cfg->battery_pct < 0 || cfg->battery_pct > 100)) ||
        cfg->cause_count < 1 || cfg->cause_count > LKR_SIM_MAX_CAUSES ||
        cfg->code_count > LKR_VAULT_MAX_CODES || (cfg->flags & ~0xFFu) != 0 ||
        cfg->has_bridge > LKR_YES || cfg->has_keypad > LKR_YES || cfg->repair_erases_codes > LKR_YES ||
        cfg->reserved_ != 0 || (cfg->has_bridge == LKR_YES && cfg->protocol != LKR_PROTOCOL_WIFI)) {
        return LKR_E_INVAL;
    }
    for (i = 0; i < cfg->cause_count; i++) {
        if (!lkr__cause_id_ok(cfg->causes[i])) {
            return LKR_E_RANGE;
        }
        if (!(lkr__causes[cfg->causes[i]].protocols & LKR_PROTOCOL_BIT(cfg->protocol))) {
            return LKR_E_INVAL; /* that cause cannot happen on this protocol */
        }
        for (j = 0; j < i; j++) {
            if (cfg->causes[j] == cfg->causes[i]) return LKR_E_INVAL;
        }
    }
    if ((st = lkr__check_allocator(al)) != LKR_OK) {
        return st;
    }
    s = al != NULL ? (lkr_sim *)al->alloc(al->ctx, sizeof(*s)) : (lkr_sim *)malloc(sizeof(*s));
    if (s == NULL) {
        return LKR_E_NOMEM;
    }
    memset(s, 0, sizeof(*s));
    s->magic = SIM_MAGIC;
    if (al != NULL) {
        s->alloc = *al;
        s->has_alloc = 1;
    }
    s->cfg = *cfg;
    s->cfg.struct_size = (uint32_t)sizeof(s->cfg);
    s->rng = cfg->seed ^ 0x6C6B722D73696D00u; /* "lkr-sim" */
    s->clock_ms = 1000000u;
    s->pins_readable = cfg->protocol != LKR_PROTOCOL_MATTER;
    s->has_checksum = cfg->protocol == LKR_PROTOCOL_ZWAVE; /* Z-Wave's user-code checksum */
    for (i = 0; i < cfg->cause_count; i++) {
        s->active |= CB(cfg->causes[i]);
    }
    make_codes(s);
    refresh_truth(s);
    s->seen = s->truth;
    /* A person knows some facts only once a step shows them. */
    s->seen.second_phone_connects = LKR_UNKNOWN;
    s->seen.ip_changed = LKR_UNKNOWN;
    if (cfg->flags & LKR_SIM_F_DRAWN_ANSWERS) {
        for (i = 0; i < LKR__VQ_COUNT; i++) {
            *((uint8_t *)&s->seen + lkr__vquestions[i].fact_at) = LKR_UNKNOWN;
            *((uint8_t *)&s->seen + lkr__vquestions[i].fact_at_wifi) = LKR_UNKNOWN;
        }
    }
    if (cfg->flags & LKR_SIM_F_PARTIAL_FACTS) {
        lkr_observations headline;
        lkr_observations_init(&headline);
        headline.keypad_lights = s->seen.keypad_lights;
        headline.app_status = s->seen.app_status;
        headline.codes_state = s->seen.codes_state;
        s->seen = headline;
    }
    *out = s;
    return LKR_OK;
}

void lkr_sim_free(lkr_sim *s)
{
    lkr_allocator al;
    int has;
    if (!sim_ok(s)) {
        return;
    }
    al = s->alloc;
    has = s->has_alloc;
    lkr__wipe(s, sizeof(*s));
    if (has) al.free(al.ctx, s, sizeof(*s));
    else free(s);
}

/* ---- the lock's behaviour ---------------------------------------------------------- */

static int code_equal(const lkr_code *a, const lkr_code *b)
{
    return a->slot == b->slot && a->kind == b->kind && strcmp(a->pin, b->pin) == 0 &&
           strcmp(a->name, b->name) == 0 && a->weekdays == b->weekdays &&
           a->day_start_min == b->day_start_min && a->day_end_min == b->day_end_min &&
           a->valid_from_s == b->valid_from_s && a->valid_until_s == b->valid_until_s;
}

static void erase_codes(lkr_sim *s)
{
    lkr__wipe(s->codes, sizeof(s->codes));
    s->code_count = 0;
}

/* A step was performed on the lock (by a person, or by the host). */
static void perform(lkr_sim *s, uint32_t step)
{
    const lkr__step_def *d = &lkr__steps[step];
    uint32_t c, k, destroys;

    s->steps_performed++;
    s->person_minutes += d->cost_min;
    if (s->session != NULL) {
        lkr_session_info info;
        memset(&info, 0, sizeof(info));
        info.struct_size = (uint32_t)sizeof(info);
        if (lkr_session_status(s->session, &info) == LKR_OK) {
            uint32_t need = d->guards & ~LKR_GUARD_BIT(LKR_GUARD_EARLIER_TIERS_DONE);
            if ((d->destroys || (d->flags & LKR_STEP_F_CUTS_POWER)) && (need & ~info.guards_held) != 0) {
                s->unsafe_steps++;
            }
            if ((d->guards & LKR_GUARD_BIT(LKR_GUARD_EARLIER_TIERS_DONE)) &&
                !(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_EARLIER_TIERS_DONE))) {
                s->unsafe_steps++;
            }
        }
    }
    destroys = lkr__step_destroys(step, s->cfg.protocol);
    if (destroys) {
        s->destructive_acts++;
    }
    if (step == LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN && (s->active & CB(LKR_CAUSE_TRANSFER_STALL))) {
        s->transfer_ended = 1;
    }
    if (destroys & LKR_DESTROYS_CODES) {
        erase_codes(s);
    } else if ((destroys & LKR_MAY_DESTROY_CODES) && s->cfg.repair_erases_codes == LKR_YES) {
        erase_codes(s);
    }
    if (step == LKR_STEP_RESET_FACTORY_RESET) {
        s->off_network = 1;
    } else if (step == LKR_STEP_RESET_RESTORE_AFTER_RESET) {
        s->off_network = 0; /* set up again: back on its network */
    }
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        if (!(s->active & CB(c))) continue;
        for (k = 0; k < d->fix_count; k++) {
            if (d->fixes[k].cause == c && draw_permille(s) < d->fixes[k].permille) {
                s->active &= ~CB(c);
            }
        }
    }
    refresh_truth(s);
}

/* ---- transport callbacks ----------------------------------------------------------- */

static uint64_t cb_now(void *ctx)
{
    return ((lkr_sim *)ctx)->clock_ms;
}

static lkr_status cb_probe(void *ctx, lkr_probe_result *r)
{
    lkr_sim *s = (lkr_sim *)ctx;
    r->reachable = s->active == 0 && !s->off_network ? LKR_YES : LKR_NO;
    if (s->cfg.has_keypad != LKR_NO) {
        r->keypad_lights = (s->active & SILENT_CAUSES) ? LKR_NO : LKR_YES;
    }
    r->battery_pct = s->truth.battery_pct;
    lkr__set_str(r->fw_version, sizeof(r->fw_version), s->truth.fw_now);
    lkr__set_str(r->error_code, sizeof(r->error_code), s->truth.error_code);
    return LKR_OK;
}

static lkr_status cb_run_step(void *ctx, uint32_t step)
{
    lkr_sim *s = (lkr_sim *)ctx;
    if (!lkr__step_id_ok(step) || !(lkr__steps[step].flags & LKR_STEP_F_AUTOMATABLE)) {
        return LKR_E_UNSUPPORTED;
    }
    perform(s, step);
    s->clock_ms += (uint64_t)lkr__steps[step].wait_s * 1000u;
    return LKR_OK;
}

/* A 32-bit value as 4 little-endian bytes: what the simulated lock computes
 * or seals is the same on every machine. */
static void put_le32(uint8_t *p, uint32_t v)
{
    unsigned i;
    for (i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t table_checksum(const lkr_sim *s)
{
    lkr__sha256 h;
    uint8_t d[32];
    uint32_t i;
    lkr__sha256_init(&h);
    for (i = 0; i < s->code_count; i++) {
        uint8_t slot[4];
        put_le32(slot, s->codes[i].slot);
        lkr__sha256_update(&h, slot, sizeof(slot));
        lkr__sha256_update(&h, s->codes[i].pin, strlen(s->codes[i].pin));
    }
    lkr__sha256_final(&h, d);
    return (uint32_t)lkr__le_get(d, 4);
}

static lkr_status cb_read_codes(void *ctx, lkr_code *out, uint32_t cap, lkr_code_readout *info)
{
    lkr_sim *s = (lkr_sim *)ctx;
    uint32_t i, n = s->code_count < cap ? s->code_count : cap;
    if (s->off_network) {
        return LKR_E_TRANSPORT;
    }
    for (i = 0; i < n; i++) {
        out[i] = s->codes[i];
        if (!s->pins_readable) {
            memset(out[i].pin, 0, sizeof(out[i].pin));
        }
    }
    if ((s->cfg.flags & LKR_SIM_F_FLAKY_READ) && n > 0 && (s->flaky_toggle++ & 1u)) {
        /* A noisy link: the last code's name comes back garbled on every other read. */
        out[n - 1].name[0] = out[n - 1].name[0] == 'x' ? 'y' : 'x';
    }
    info->count = n;
    info->total = s->code_count;
    info->pins_readable = s->pins_readable;
    info->has_checksum = s->has_checksum;
    info->checksum = s->has_checksum ? table_checksum(s) : 0;
    return LKR_OK;
}

static lkr_status cb_write_code(void *ctx, const lkr_code *code)
{
    lkr_sim *s = (lkr_sim *)ctx;
    uint32_t i;
    if (s->off_network) {
        return LKR_E_TRANSPORT;
    }
    if (s->cfg.flags & LKR_SIM_F_DROP_ON_RESTORE) {
        /* A bad lock: one slot (the first it is asked to write) is acknowledged
         * and never stored, however often it is written. */
        if (!s->dropped) {
            s->dropped = 1;
            s->dropped_slot = code->slot;
        }
        if (code->slot == s->dropped_slot) {
            return LKR_OK;
        }
    }
    for (i = 0; i < s->code_count; i++) {
        if (s->codes[i].slot == code->slot) {
            s->codes[i] = *code;
            return LKR_OK;
        }
    }
    if (s->code_count >= LKR_VAULT_MAX_CODES) {
        return LKR_E_RANGE;
    }
    s->codes[s->code_count++] = *code;
    return LKR_OK;
}

/* The simulator's "keystore": a keystream XOR and a 4-byte tag. It stands in
 * for a platform keystore in tests and demos; it is not encryption. */
static uint32_t tag_of(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static void keystream(uint8_t *dst, const uint8_t *src, size_t n)
{
    uint32_t x = 0x2545F491u;
    size_t i;
    for (i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        dst[i] = (uint8_t)(src[i] ^ (uint8_t)x);
    }
}

static lkr_status cb_seal(void *ctx, const void *clear, size_t len, void *out, size_t cap, size_t *out_len)
{
    (void)ctx;
    *out_len = len + 4;
    if (out == NULL || cap < len + 4) {
        return LKR_E_BUFFER;
    }
    keystream((uint8_t *)out, (const uint8_t *)clear, len);
    put_le32((uint8_t *)out + len, tag_of((const uint8_t *)clear, len));
    return LKR_OK;
}

static lkr_status cb_unseal(void *ctx, const void *sealed, size_t len, void *out, size_t cap, size_t *out_len)
{
    uint8_t t[4];
    (void)ctx;
    if (len < 4) {
        return LKR_E_CORRUPT;
    }
    *out_len = len - 4;
    if (out == NULL || cap < len - 4) {
        return LKR_E_BUFFER;
    }
    keystream((uint8_t *)out, (const uint8_t *)sealed, len - 4);
    put_le32(t, tag_of((const uint8_t *)out, len - 4));
    if (memcmp(t, (const uint8_t *)sealed + len - 4, 4) != 0) {
        lkr__wipe(out, len - 4);
        return LKR_E_CORRUPT;
    }
    return LKR_OK;
}

lkr_status lkr_sim_transport(lkr_sim *s, lkr_transport *t)
{
    if (!sim_ok(s) || t == NULL) {
        return LKR_E_INVAL;
    }
    lkr_transport_init(t);
    t->ctx = s;
    t->now_ms = cb_now;
    if (s->cfg.flags & LKR_SIM_F_PROBE) t->probe = cb_probe;
    if (s->cfg.flags & LKR_SIM_F_RUN_STEPS) t->run_step = cb_run_step;
    if (s->cfg.flags & LKR_SIM_F_CODES) {
        t->read_codes = cb_read_codes;
        t->write_code = cb_write_code;
        t->seal = cb_seal;
        t->unseal = cb_unseal;
    }
    return LKR_OK;
}

lkr_status lkr_sim_profile(const lkr_sim *s, lkr_profile *p)
{
    if (!sim_ok(s) || p == NULL) {
        return LKR_E_INVAL;
    }
    lkr_profile_init(p);
    p->protocol = s->cfg.protocol;
    p->ecosystems = s->cfg.ecosystems;
    p->battery_chemistry = s->cfg.battery_chemistry;
    p->battery_cells = 4;
    p->warranty_months = 24;
    p->has_bridge = s->cfg.has_bridge;
    p->has_keypad = s->cfg.has_keypad;
    p->has_key_cylinder = LKR_YES;
    p->repair_erases_codes = s->cfg.repair_erases_codes;
    p->pins_readable = s->pins_readable ? LKR_YES : LKR_NO;
    lkr__set_str(p->manufacturer, sizeof(p->manufacturer), "Simulated Locks");
    (void)snprintf(p->model, sizeof(p->model), "SIM-%s", lkr_protocol_name(s->cfg.protocol));
    (void)snprintf(p->serial, sizeof(p->serial), "SIM%016llX", (unsigned long long)s->cfg.seed);
    lkr__set_str(p->purchase_date, sizeof(p->purchase_date), "2025-06-01");
    return LKR_OK;
}

lkr_status lkr_sim_observations(const lkr_sim *s, lkr_observations *o)
{
    if (!sim_ok(s) || o == NULL) {
        return LKR_E_INVAL;
    }
    *o = s->seen;
    o->struct_size = (uint32_t)sizeof(*o);
    return LKR_OK;
}

lkr_status lkr_sim_stats_get(const lkr_sim *s, lkr_sim_stats *out)
{
    lkr_sim_stats st;
    uint32_t i, j, lost = 0, c;
    if (!sim_ok(s) || out == NULL) {
        return LKR_E_INVAL;
    }
    memset(&st, 0, sizeof(st));
    st.struct_size = (uint32_t)sizeof(st);
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        if (s->active & CB(c)) st.faults_left++;
    }
    for (i = 0; i < s->original_count; i++) {
        int found = 0;
        for (j = 0; j < s->code_count && !found; j++) {
            found = code_equal(&s->original[i], &s->codes[j]);
        }
        lost += found ? 0u : 1u;
    }
    st.steps_performed = s->steps_performed;
    st.destructive_acts = s->destructive_acts;
    st.unsafe_steps = s->unsafe_steps;
    st.codes_before = s->original_count;
    st.codes_now = s->code_count;
    st.codes_lost = lost;
    st.person_minutes = s->person_minutes;
    st.clock_ms = s->clock_ms;
    return lkr__emit(out, &st, sizeof(st), sizeof(st));
}

/* ---- the simulated person ------------------------------------------------------------ */

/* The cause a question's answer follows: the first active one (or, fixed
 * already, the first injected: the lock as it was). */
static uint32_t answer_cause(const lkr_sim *s)
{
    uint32_t c;
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        if (s->active & CB(c)) return c;
    }
    return s->cfg.causes[0];
}

static uint8_t likelier_answer(const lkr_sim *s, const lkr__vquestion *q)
{
    return lkr__vq_yes_permille(q, answer_cause(s)) >= 500 ? LKR_YES : LKR_NO;
}

/* A question worth asking: the fault's fact when it has one, else the
 * likelier answer for the cause; with LKR_SIM_F_DRAWN_ANSWERS a draw from
 * the catalog's P(answer | cause). */
static int32_t vq_answer(lkr_sim *s, const lkr__vquestion *q)
{
    uint8_t fact = ((const uint8_t *)&s->truth)[lkr__vq_fact_at(q, s->cfg.protocol)];
    if (s->cfg.flags & LKR_SIM_F_DRAWN_ANSWERS) {
        if (draw_permille(s) < q->dont_know_permille) return LKR_UNKNOWN;
        return draw_permille(s) < lkr__vq_yes_permille(q, answer_cause(s)) ? LKR_YES : LKR_NO;
    }
    if (fact == LKR_YES || fact == LKR_NO) {
        return fact;
    }
    return likelier_answer(s, q);
}

static int32_t truth_answer(lkr_sim *s, uint32_t q)
{
    const lkr_observations *o = &s->truth;
    const lkr__vquestion *vq = lkr__vq_of(q);
    if (vq != NULL) {
        s->person_minutes += vq->cost_min; /* finding the answer takes the person's time */
        return vq_answer(s, vq);
    }
    switch (q) {
    case LKR_QUESTION_UPDATE_STATE: return o->update_state;
    case LKR_QUESTION_UPDATE_STALLED_MIN: return o->update_stalled_min;
    case LKR_QUESTION_KEYPAD_LIGHTS: return o->keypad_lights;
    case LKR_QUESTION_APP_STATUS: return o->app_status;
    case LKR_QUESTION_CODES_STATE: return o->codes_state;
    case LKR_QUESTION_LOCAL_CONTROL: return o->local_control_works;
    default: return LKR_UNKNOWN;
    }
}

/* The person noted every code and slot (codes_noted held): checking them at
 * the keypad after a step that may have erased them (repair.verify_codes, or
 * setting the lock up again after a reset), they re-enter each missing or
 * changed one from the notes, as the step's text asks. */
static void reenter_noted_codes(lkr_sim *s, lkr_session *session, uint32_t step)
{
    lkr_session_info info;
    uint32_t i, j;
    if (step != LKR_STEP_REPAIR_VERIFY_CODES && step != LKR_STEP_RESET_RESTORE_AFTER_RESET) {
        return;
    }
    memset(&info, 0, sizeof(info));
    info.struct_size = (uint32_t)sizeof(info);
    if (lkr_session_status(session, &info) != LKR_OK ||
        !(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED))) {
        return;
    }
    for (i = 0; i < s->original_count; i++) {
        for (j = 0; j < s->code_count && s->codes[j].slot != s->original[i].slot; j++) {
        }
        if (j < s->code_count) {
            s->codes[j] = s->original[i];
        } else if (s->code_count < LKR_VAULT_MAX_CODES) {
            s->codes[s->code_count++] = s->original[i];
        }
    }
}

/* What a diagnostic step shows the person. */
static lkr_status learn(lkr_sim *s, lkr_session *session, uint32_t step)
{
    lkr_observations o;
    lkr_observations_init(&o);
    switch (step) {
    case LKR_STEP_TRIAGE_CHECK_FIRMWARE:
    case LKR_STEP_UNIVERSAL_CHECK_FIRMWARE:
        lkr__set_str(o.fw_now, sizeof(o.fw_now), s->truth.fw_now);
        break;
    case LKR_STEP_BLE_SECOND_PHONE:
        /* Another phone fails too only when the lock's own radio is at
         * fault: the likelier answer of the catalog's second-phone question. */
        o.second_phone_connects = likelier_answer(s, lkr__vq_of(LKR_QUESTION_SECOND_PHONE));
        break;
    case LKR_STEP_ZWAVE_CHECK_BATTERY:
        o.battery_pct = s->truth.battery_pct;
        break;
    default:
        return LKR_OK;
    }
    return lkr_session_observe(session, &o);
}

static int person_can_confirm(const lkr_sim *s, uint32_t guard)
{
    if (s->cfg.flags & LKR_SIM_F_PERSON_REFUSES) {
        return 0;
    }
    return guard >= 1 && guard <= 31 && (LKR__GUARDS_CONFIRMABLE & LKR_GUARD_BIT(guard)) != 0;
}

lkr_status lkr_sim_respond(lkr_sim *s, lkr_session *session, const lkr_action *a)
{
    lkr_status st = LKR_OK;
    uint32_t g;
    if (!sim_ok(s) || session == NULL || a == NULL || a->struct_size < sizeof(lkr_action) ||
        a->struct_size > LKR__STRUCT_SIZE_MAX || a->kind < LKR_ACTION_ASK || a->kind > LKR_ACTION_ABORTED) {
        return LKR_E_INVAL;
    }
    /* An action naming a step must name a real one (a forged action is refused). */
    if ((a->kind == LKR_ACTION_PERSON_STEP || a->kind == LKR_ACTION_VERIFY ||
         a->kind == LKR_ACTION_BLOCKED || a->kind == LKR_ACTION_HOST_STEP) &&
        !lkr__step_id_ok(a->step)) {
        return LKR_E_INVAL;
    }
    s->session = session;
    switch (a->kind) {
    case LKR_ACTION_ASK:
        if (a->question == LKR_QUESTION_FIRMWARE_VERSION) {
            lkr_observations o;
            lkr_observations_init(&o);
            lkr__set_str(o.fw_now, sizeof(o.fw_now), s->truth.fw_now);
            st = o.fw_now[0] != '\0' ? lkr_session_observe(session, &o)
                                     : lkr_session_answer(session, a->question, LKR_UNKNOWN);
        } else {
            st = lkr_session_answer(session, a->question, truth_answer(s, a->question));
        }
        break;
    case LKR_ACTION_PERSON_STEP:
        if (a->phase == LKR_PHASE_PERFORM) {
            perform(s, a->step);
            reenter_noted_codes(s, session, a->step);
            if ((st = learn(s, session, a->step)) != LKR_OK) break;
        }
        st = lkr_session_report(session, a->step, LKR_OUTCOME_DONE);
        break;
    case LKR_ACTION_WAIT:
        if (a->wait_until_ms > s->clock_ms) s->clock_ms = a->wait_until_ms;
        st = lkr_session_tick(session);
        if (st == LKR_PENDING) st = LKR_OK;
        break;
    case LKR_ACTION_VERIFY:
        st = lkr_session_report(session, a->step, s->active == 0 ? LKR_OUTCOME_FIXED : LKR_OUTCOME_NOT_FIXED);
        break;
    case LKR_ACTION_BLOCKED: {
        int confirmed_all = 1;
        for (g = 1; g <= LKR__GUARD_COUNT; g++) {
            if (!(a->unmet_guards & LKR_GUARD_BIT(g))) continue;
            if (person_can_confirm(s, g)) {
                if ((st = lkr_session_confirm(session, g, 1)) != LKR_OK) break;
            } else {
                confirmed_all = 0;
            }
        }
        /* Nothing reads the codes (no code callbacks): the person notes every
         * code and slot (S0) instead of a backup. */
        if (st == LKR_OK && !confirmed_all && !(s->cfg.flags & LKR_SIM_F_CODES) &&
            (a->unmet_guards & (LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP) |
                                LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE))) &&
            !(s->cfg.flags & LKR_SIM_F_PERSON_REFUSES)) {
            lkr_session_info info;
            memset(&info, 0, sizeof(info));
            info.struct_size = (uint32_t)sizeof(info);
            if (lkr_session_status(session, &info) == LKR_OK &&
                !(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED))) {
                st = lkr_session_confirm(session, LKR_GUARD_CODES_NOTED, 1);
                break;
            }
        }
        if (st == LKR_OK && !confirmed_all) {
            st = lkr_session_waive(session, LKR_WAIVE_STEP, a->step, "its guards cannot be met");
        }
        break;
    }
    case LKR_ACTION_HOST_STEP:
        /* The simulator's run_step never leaves a step pending. */
        st = LKR_E_STATE;
        break;
    default:
        st = LKR_OK;
        break;
    }
    s->session = NULL;
    return st;
}

lkr_status lkr_sim_run(lkr_sim *s, const lkr_overrides *overrides, uint32_t max_actions, lkr_sim_result *out)
{
    lkr_session_config cfg;
    lkr_transport t;
    lkr_profile p;
    lkr_observations o;
    lkr_session *session = NULL;
    lkr_vault *vault = NULL;
    lkr_sim_result r;
    lkr_action a;
    lkr_status st;
    const lkr_allocator *al;
    uint32_t i;

    if (!sim_ok(s) || out == NULL || out->struct_size < sizeof(*out)) {
        return LKR_E_INVAL;
    }
    if (max_actions == 0) {
        max_actions = 2000;
    }
    al = s->has_alloc ? &s->alloc : NULL;
    if ((st = lkr_sim_transport(s, &t)) != LKR_OK || (st = lkr_sim_profile(s, &p)) != LKR_OK ||
        (st = lkr_sim_observations(s, &o)) != LKR_OK) {
        return st;
    }
    lkr_session_config_init(&cfg);
    cfg.profile = &p;
    cfg.observations = &o;
    cfg.overrides = overrides;
    cfg.allocator = al;
    if ((st = lkr_session_new(&cfg, &t, &session)) != LKR_OK) {
        return st;
    }
    if (s->cfg.flags & LKR_SIM_F_CODES) {
        if ((st = lkr_vault_new(al, &vault)) != LKR_OK) {
            lkr_session_free(session);
            return st;
        }
        /* A lock that cannot read PINs back: the host recorded each as it set it. */
        for (i = 0; !s->pins_readable && i < s->code_count; i++) {
            if ((st = lkr_vault_record(vault, &s->codes[i])) != LKR_OK) break;
        }
        if (st == LKR_OK) st = lkr_session_attach_vault(session, vault);
        if (st != LKR_OK) {
            lkr_session_free(session);
            lkr_vault_free(vault);
            return st;
        }
    }
    memset(&r, 0, sizeof(r));
    r.struct_size = (uint32_t)sizeof(r);
    memset(&a, 0, sizeof(a));
    a.struct_size = (uint32_t)sizeof(a);
    for (r.actions = 0; r.actions < max_actions; r.actions++) {
        if ((st = lkr_session_next(session, &a)) != LKR_OK) break;
        if (lkr_action_is_final(&a)) {
            r.final_kind = a.kind;
            r.actions++;
            break;
        }
        if ((st = lkr_sim_respond(s, session, &a)) != LKR_OK) break;
    }
    lkr_session_free(session);
    lkr_vault_free(vault);
    if (st != LKR_OK) {
        return st;
    }
    r.stats.struct_size = (uint32_t)sizeof(r.stats);
    if ((st = lkr_sim_stats_get(s, &r.stats)) != LKR_OK) {
        return st;
    }
    return lkr__emit(out, &r, sizeof(r), sizeof(r));
}
