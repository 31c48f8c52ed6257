/*
 * The recovery invariant as a property (docs/VAULT.md): many random sessions
 * against a lock model that behaves like a real one, each asserting that
 *  - a session that ends recovered has every code it started with on the lock;
 *  - no code is lost: every code is on the lock or in the vault at the end;
 *  - every save, taken at random points, loads (and the run goes on from it);
 *  - no PIN reaches a log line.
 *
 * The lock model: a code table (PINs readable, or not for Matter), network
 * membership (off the network after a factory reset, an exclusion or a fabric
 * removal until it is re-joined; a re-join fails now and then), the model's
 * own truth about what erases codes (re-pairs erase them on some models,
 * whatever the profile says when a vault can check), reads that fail or
 * misread a digit, writes that are acknowledged and lost, a host that runs
 * some steps itself (at once or pending), and a person who does steps or not
 * and reports them truthfully or not.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lockrecover/lockrecover.h"

#define PL_CODES 16u
#define PL_SESSIONS 4000u
#define PL_ACTIONS 400u

typedef struct pl_lock {
    uint32_t protocol;
    int pins_readable;
    lkr_code codes[PL_CODES];
    uint32_t count;
    lkr_code orig[PL_CODES];
    uint32_t orig_count;
    int on_network;
    int fixed;
    int can_fix;          /* 0: a fault no step fixes (hardware) */
    int erases_on_repair; /* the model's truth for steps that may erase codes */
    uint32_t rng;
    unsigned read_fail, misread, write_lost, rejoin_fail; /* per mille */
    uint64_t clock;
    uint32_t pending_step; /* run_step answered PENDING for it */
    int pin_leaked;
    /* scripted runs: a person who does every step and tells the truth, and
     * only fix_step fixes the lock */
    int scripted;
    uint32_t fix_step;
    unsigned writes_off_network;
    uint32_t last_misread, prev_misread; /* code, digit and change of the last read's misread */
} pl_lock;

static uint32_t pl_rand(pl_lock *lk)
{
    /* xorshift32: a fixed sequence per seed. */
    uint32_t x = lk->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    lk->rng = x;
    return x;
}

static int pl_chance(pl_lock *lk, unsigned per_mille)
{
    return pl_rand(lk) % 1000u < per_mille;
}

static int pl_find(const lkr_code *codes, uint32_t n, uint32_t slot)
{
    uint32_t i;
    for (i = 0; i < n; i++) {
        if (codes[i].slot == slot) return (int)i;
    }
    return -1;
}

static lkr_code pl_code(uint32_t slot, uint32_t rnd)
{
    lkr_code c;
    lkr_code_init(&c);
    c.slot = slot;
    c.kind = slot == 1 ? LKR_CODE_ADMIN : LKR_CODE_USER;
    (void)snprintf(c.name, sizeof(c.name), "user %u", (unsigned)slot);
    (void)snprintf(c.pin, sizeof(c.pin), "%u%05u", (unsigned)(slot % 9u + 1u), (unsigned)(rnd % 100000u));
    return c;
}

/* ---- what steps do to the lock (the model's truth) ------------------------------ */

static int sid_has(uint32_t step, const char *part)
{
    return strstr(lkr__steps[step].sid, part) != NULL;
}

/* The step takes the lock off its network and (unless it is a bare reset)
 * brings it back: an exclusion and re-inclusion, a fabric removal and
 * re-commissioning, a removal and re-pairing. */
static int rejoins(uint32_t step)
{
    return sid_has(step, "readd") || sid_has(step, "reinclude") || sid_has(step, "rebond") ||
           sid_has(step, "repair_via_hub") || sid_has(step, "rerun_wifi_setup") ||
           step == LKR_STEP_RESET_RESTORE_AFTER_RESET;
}

static int erases(const pl_lock *lk, uint32_t step)
{
    uint32_t d = lkr__steps[step].destroys;
    if (d & LKR_DESTROYS_CODES) return 1;
    if (lk->protocol == LKR_PROTOCOL_MATTER && sid_has(step, "ecosystem.") && sid_has(step, ".readd")) {
        return 1; /* removing a Matter accessory removes a fabric and its credentials */
    }
    if (lk->protocol == LKR_PROTOCOL_MATTER && step == LKR_STEP_MATTER_READD_QR) return 1;
    return (d & LKR_MAY_DESTROY_CODES) && lk->erases_on_repair;
}

static void pl_perform(pl_lock *lk, uint32_t step)
{
    if (step == 0 || step > LKR__STEP_COUNT) return;
    if (erases(lk, step)) {
        lk->count = 0;
        lk->on_network = 0;
    }
    if (step == LKR_STEP_RESET_FACTORY_RESET) {
        lk->on_network = 0;
    }
    if (rejoins(step)) {
        lk->on_network = !pl_chance(lk, lk->rejoin_fail);
    }
    if (lk->scripted) {
        lk->fixed = lk->fixed || step == lk->fix_step;
    } else if (lk->can_fix && !(lkr__steps[step].flags & LKR_STEP_F_PREPARATION) && pl_chance(lk, 150)) {
        lk->fixed = 1;
    }
}

/* ---- the transport ---------------------------------------------------------------- */

static uint64_t pl_now(void *ctx)
{
    return ((pl_lock *)ctx)->clock;
}

static lkr_status pl_read(void *ctx, lkr_code *codes, uint32_t capacity, lkr_code_readout *out)
{
    pl_lock *lk = ctx;
    uint32_t i;
    if (!lk->on_network || pl_chance(lk, lk->read_fail) || capacity < lk->count) {
        return LKR_E_TRANSPORT;
    }
    for (i = 0; i < lk->count; i++) {
        codes[i] = lk->codes[i];
        if (!lk->pins_readable) {
            memset(codes[i].pin, 0, sizeof(codes[i].pin));
        }
    }
    lk->last_misread = 0;
    if (lk->count > 0 && lk->pins_readable && pl_chance(lk, lk->misread)) {
        /* One digit misread: any digit, any wrong value. A misread is
         * transient: the next read never misreads the same digit the same
         * way (the double read rests on that; a link's own checksums make the
         * exception vanishingly rare, far below what this model's rates would
         * give). */
        uint32_t c = pl_rand(lk) % lk->count, at = pl_rand(lk) % (uint32_t)strlen(codes[c].pin);
        uint32_t delta = 1u + pl_rand(lk) % 9u;
        uint32_t sig = (c + 1u) * 1000u + at * 10u + delta;
        if (sig == lk->prev_misread) delta = delta % 9u + 1u;
        codes[c].pin[at] = (char)('0' + (codes[c].pin[at] - '0' + (int)delta) % 10);
        lk->last_misread = (c + 1u) * 1000u + at * 10u + delta;
    }
    lk->prev_misread = lk->last_misread;
    out->count = lk->count;
    out->total = lk->count;
    out->pins_readable = (uint8_t)lk->pins_readable;
    return LKR_OK;
}

static lkr_status pl_write(void *ctx, const lkr_code *code)
{
    pl_lock *lk = ctx;
    int k;
    if (!lk->on_network) {
        lk->writes_off_network++;
        return LKR_E_TRANSPORT;
    }
    if (pl_chance(lk, lk->write_lost)) {
        return LKR_OK; /* acknowledged, and lost */
    }
    k = pl_find(lk->codes, lk->count, code->slot);
    if (k < 0) {
        if (lk->count >= PL_CODES) return LKR_E_RANGE;
        k = (int)lk->count++;
    }
    lk->codes[k] = *code;
    return LKR_OK;
}

static lkr_status pl_run_step(void *ctx, uint32_t step)
{
    pl_lock *lk = ctx;
    uint32_t r = pl_rand(lk) % 10u;
    if (r < 4) return LKR_E_UNSUPPORTED;
    if (r < 8) {
        pl_perform(lk, step);
        return LKR_OK;
    }
    if (r < 9) {
        lk->pending_step = step;
        return LKR_PENDING;
    }
    return LKR_E_TRANSPORT;
}

static lkr_status pl_probe(void *ctx, lkr_probe_result *out)
{
    pl_lock *lk = ctx;
    if (!lk->scripted && pl_chance(lk, 100)) return LKR_E_TRANSPORT;
    out->reachable = lk->on_network && lk->fixed ? LKR_YES : LKR_NO;
    return LKR_OK;
}

static void pl_log(void *ctx, uint32_t level, const char *msg)
{
    pl_lock *lk = ctx;
    uint32_t i;
    (void)level;
    for (i = 0; i < lk->orig_count; i++) {
        if (strstr(msg, lk->orig[i].pin) != NULL) lk->pin_leaked = 1;
    }
}

/* The host's keystore, for the sealed vault export: a tagged copy (the
 * library's own SHA-256 catches damage; this test does not tamper). */
static lkr_status pl_seal(void *ctx, const void *clear, size_t len, void *out, size_t cap, size_t *out_len)
{
    (void)ctx;
    *out_len = len + 8u;
    if (cap < len + 8u) return LKR_E_BUFFER;
    memcpy(out, "PLSEAL01", 8);
    memcpy((unsigned char *)out + 8, clear, len);
    return LKR_OK;
}

static lkr_status pl_unseal(void *ctx, const void *sealed, size_t len, void *out, size_t cap, size_t *out_len)
{
    (void)ctx;
    if (len < 8u || memcmp(sealed, "PLSEAL01", 8) != 0) return LKR_E_CORRUPT;
    *out_len = len - 8u;
    if (cap < len - 8u) return LKR_E_BUFFER;
    memcpy(out, (const unsigned char *)sealed + 8, len - 8u);
    return LKR_OK;
}

static lkr_transport pl_transport(pl_lock *lk, int host_steps, int probe)
{
    lkr_transport t;
    lkr_transport_init(&t);
    t.ctx = lk;
    t.now_ms = pl_now;
    t.read_codes = pl_read;
    t.write_code = pl_write;
    t.log = pl_log;
    t.seal = pl_seal;
    t.unseal = pl_unseal;
    if (host_steps) t.run_step = pl_run_step;
    if (probe) t.probe = pl_probe;
    return t;
}

/* A random driver makes calls that may be refused; any status the library
 * documents is fine, what matters is the state it leaves. */
static void pl_any(lkr_status st)
{
    ck_assert(st <= LKR_PENDING && st >= LKR_E_OVERSIZED);
}

/* ---- one random session ------------------------------------------------------------- */

static lkr_session *g_reenter; /* the session the callbacks call back into */
static unsigned g_reentered, g_refused;

typedef struct pl_run {
    pl_lock lk;
    lkr_transport t;
    lkr_profile p;
    lkr_observations o;
    lkr_vault *vault;
    lkr_session *s;
    unsigned seed;
    unsigned saves;
    /* what the app saved last: the sealed vault, then the session blob */
    unsigned char blob[LKR_SESSION_BLOB_MAX];
    size_t blob_n;
    unsigned char vexp[16384];
    size_t vexp_n;
    unsigned kills_between;
    char restore_text[512]; /* what reset.restore_after_reset asked of the person */
    const lkr_overrides *ov; /* the vendor's numbers (NULL: the catalog's) */
} pl_run;

static void pl_setup(pl_run *r, unsigned seed)
{
    static const uint32_t protocols[] = {LKR_PROTOCOL_WIFI, LKR_PROTOCOL_BLE, LKR_PROTOCOL_ZWAVE,
                                         LKR_PROTOCOL_ZIGBEE, LKR_PROTOCOL_MATTER};
    static const uint8_t tri[] = {LKR_UNKNOWN, LKR_NO, LKR_YES};
    pl_lock *lk = &r->lk;
    uint32_t i, n;
    memset(r, 0, sizeof(*r));
    r->seed = seed;
    lk->rng = seed * 2654435761u + 1u;
    lk->protocol = protocols[pl_rand(lk) % 5u];
    lk->pins_readable = lk->protocol != LKR_PROTOCOL_MATTER;
    lk->on_network = 1;
    lk->can_fix = !pl_chance(lk, 200);
    lk->read_fail = pl_rand(lk) % 150u;
    lk->misread = pl_rand(lk) % 150u;
    lk->write_lost = pl_rand(lk) % 100u;
    lk->rejoin_fail = pl_rand(lk) % 200u;
    lk->clock = 1000000u;
    n = 1u + pl_rand(lk) % (PL_CODES - 1u);
    for (i = 0; i < n; i++) {
        lk->codes[i] = pl_code(i + 1u, pl_rand(lk));
    }
    lk->count = n;
    memcpy(lk->orig, lk->codes, sizeof(lk->orig));
    lk->orig_count = n;

    lkr_profile_init(&r->p);
    r->p.protocol = lk->protocol;
    r->p.has_keypad = LKR_YES;
    r->p.repair_erases_codes = tri[pl_rand(lk) % 3u];
    if (pl_chance(lk, 500)) r->p.ecosystems = LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEKIT) |
                                              LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_GOOGLE);
    lkr_observations_init(&r->o);
    r->o.keypad_lights = LKR_YES;
    r->o.app_status = LKR_APP_OFFLINE;
    r->o.update_state = pl_chance(lk, 500) ? LKR_UPDATE_REPORTED_OK : LKR_UPDATE_NONE;
    r->t = pl_transport(lk, pl_chance(lk, 600), pl_chance(lk, 500));
    /* The model's truth: a profile that says "keeps codes" may be wrong; the
     * vault is there to catch it. Without a vault nothing could, so the
     * profile is then right. */
    if (pl_chance(lk, 800)) {
        ck_assert_int_eq(lkr_vault_new(NULL, &r->vault), LKR_OK);
        lk->erases_on_repair = r->p.repair_erases_codes == LKR_YES || pl_chance(lk, 500);
        if (!lk->pins_readable || pl_chance(lk, 300)) {
            /* A Matter app recorded every PIN it set (write-through capture);
             * a hub keeps the codes it set (its records). */
            for (i = 0; i < n; i++) ck_assert_int_eq(lkr_vault_record(r->vault, &lk->orig[i]), LKR_OK);
        }
    } else {
        lk->erases_on_repair = r->p.repair_erases_codes != LKR_NO;
    }
}

/* The factory reset is offered only when the beliefs make a cause it fixes
 * more likely than not. A test that walks a lock up to the reset uses a
 * vendor whose faults on record are only those the reset fixes at least half
 * the time (every other cause's prior is zero): the beliefs stay on them. */
static const lkr_overrides *reset_vendor(lkr_overrides *ov, lkr_weight *priors)
{
    lkr_step_info reset = LKR_STEP_INFO_INIT;
    uint32_t c, k, n = 0;
    ck_assert_int_eq(lkr_step_get(LKR_STEP_RESET_FACTORY_RESET, &reset), LKR_OK);
    for (c = 1; c <= lkr_cause_count(); c++) {
        int fixed = 0;
        for (k = 0; k < reset.fix_count; k++) fixed |= reset.fixes[k].cause == c && reset.fixes[k].permille >= 500;
        if (!fixed) {
            priors[n].id = c;
            priors[n].value = 0;
            n++;
        }
    }
    memset(ov, 0, sizeof(*ov));
    ov->struct_size = (uint32_t)sizeof(*ov);
    ov->prior_count = n;
    ov->priors = priors;
    return ov;
}

static lkr_session *pl_new(pl_run *r)
{
    lkr_session_config cfg;
    lkr_session *s = NULL;
    lkr_session_config_init(&cfg);
    cfg.profile = &r->p;
    cfg.observations = &r->o;
    cfg.overrides = r->ov;
    ck_assert_int_eq(lkr_session_new(&cfg, &r->t, &s), LKR_OK);
    if (r->vault != NULL) ck_assert_int_eq(lkr_session_attach_vault(s, r->vault), LKR_OK);
    return s;
}

/* The app is killed: the session and the vault are gone; on relaunch it loads
 * the last blob, imports the last sealed vault and attaches it. */
static void pl_relaunch(pl_run *r)
{
    lkr_session_config cfg;
    lkr_status st;
    lkr_session *b = NULL;
    lkr_session_free(r->s);
    r->s = NULL;
    if (r->vault != NULL) {
        lkr_vault_free(r->vault);
        ck_assert_int_eq(lkr_vault_new(NULL, &r->vault), LKR_OK);
        ck_assert_int_eq(lkr_vault_import_sealed(r->vault, &r->t, r->vexp, r->vexp_n), LKR_OK);
    }
    lkr_session_config_init(&cfg);
    st = lkr_session_load(&cfg, &r->t, r->blob, r->blob_n, &b);
    ck_assert_msg(st == LKR_OK, "seed %u: a save does not load: %s", r->seed, lkr_status_name(st));
    r->s = b;
    if (g_reenter != NULL) g_reenter = b;
    if (r->vault != NULL) ck_assert_int_eq(lkr_session_attach_vault(b, r->vault), LKR_OK);
    r->saves++;
}

/* After every host input the app saves, the sealed vault first, then the
 * blob (docs/PERSISTENCE.md); now and then it is killed, between the two
 * writes or after both. */
static void pl_checkpoint(pl_run *r)
{
    pl_lock *lk = &r->lk;
    if (r->vault != NULL) {
        ck_assert_int_eq(lkr_vault_export_sealed(r->vault, &r->t, r->vexp, sizeof(r->vexp), &r->vexp_n), LKR_OK);
    }
    if (!lk->scripted && r->blob_n > 0 && pl_chance(lk, 20)) {
        r->kills_between++;
        pl_relaunch(r); /* killed after the vault, before the blob */
        return;
    }
    ck_assert_int_eq(lkr_session_save(r->s, r->blob, sizeof(r->blob), &r->blob_n), LKR_OK);
    if (!lk->scripted && pl_chance(lk, 60)) {
        pl_relaunch(r);
    }
}

static int32_t pl_answer(pl_lock *lk, uint32_t q)
{
    if (lk->scripted) {
        /* A scripted lock's fault is the lock's: the hub's other devices
         * work, no update is waiting; there is no second phone at hand (a
         * second phone failing too would hand a Bluetooth lock over). */
        if (q == LKR_QUESTION_HUB_DEVICES) return LKR_YES;
        if (q == LKR_QUESTION_UPDATE_PENDING) return LKR_NO;
        if (q == LKR_QUESTION_SECOND_PHONE) return LKR_UNKNOWN;
    }
    switch (q) {
    case LKR_QUESTION_UPDATE_STATE: return (int32_t)(pl_rand(lk) % (LKR_UPDATE_STATE_MAX + 1u));
    case LKR_QUESTION_UPDATE_STALLED_MIN: return (int32_t)(pl_rand(lk) % 60u);
    case LKR_QUESTION_APP_STATUS: return (int32_t)(pl_rand(lk) % (LKR_APP_STATUS_MAX + 1u));
    case LKR_QUESTION_CODES_STATE: return (int32_t)(pl_rand(lk) % (LKR_CODE_STATE_MAX + 1u));
    case LKR_QUESTION_FIRMWARE_VERSION: return LKR_UNKNOWN;
    default: return (int32_t)(pl_rand(lk) % 3u);
    }
}

/* The person does the step, or not, and says so, or not. */
static void pl_person_step(pl_run *r, const lkr_action *a)
{
    pl_lock *lk = &r->lk;
    static const uint32_t lies[] = {LKR_OUTCOME_FAILED, LKR_OUTCOME_CANNOT_DO, LKR_OUTCOME_SKIPPED,
                                    LKR_OUTCOME_DONE};
    uint32_t outcome;
    if (a->phase == LKR_PHASE_RESUME) {
        pl_any(lkr_session_report(r->s, a->step, LKR_OUTCOME_DONE));
        return;
    }
    if (a->step == LKR_STEP_RESET_RESTORE_AFTER_RESET && a->text != NULL) {
        lkr__set_str(r->restore_text, sizeof(r->restore_text), a->text);
    }
    if (lk->scripted) {
        pl_perform(lk, a->step);
        pl_any(lkr_session_report(r->s, a->step, lk->fixed && lk->on_network ? LKR_OUTCOME_FIXED
                                                                               : LKR_OUTCOME_DONE));
        return;
    }
    if (pl_chance(lk, 750)) {
        pl_perform(lk, a->step);
        outcome = pl_chance(lk, 150) ? lies[pl_rand(lk) % 3u]
                  : lk->fixed && lk->on_network && pl_chance(lk, 500) ? LKR_OUTCOME_FIXED
                                                                      : LKR_OUTCOME_DONE;
    } else {
        outcome = lies[pl_rand(lk) % 4u];
    }
    pl_any(lkr_session_report(r->s, a->step, outcome));
}

/* A blocked step: confirm what a person can, let the host back the codes up
 * itself now and then, or waive the step or its tier. */
static void pl_blocked(pl_run *r, const lkr_action *a)
{
    pl_lock *lk = &r->lk;
    uint32_t g, confirmable = LKR__GUARDS_CONFIRMABLE;
    if ((a->unmet_guards & confirmable) && (lk->scripted || pl_chance(lk, 700))) {
        for (g = 1; g <= LKR__GUARD_COUNT; g++) {
            if (a->unmet_guards & confirmable & LKR_GUARD_BIT(g)) pl_any(lkr_session_confirm(r->s, g, 1));
        }
        return;
    }
    if (r->vault != NULL && pl_chance(lk, 300)) {
        lkr_session *in_call = g_reenter;
        g_reenter = NULL; /* the host's own vault call: no session call runs */
        pl_any(lkr_vault_backup(r->vault, &r->t));
        g_reenter = in_call;
        return;
    }
    if (pl_chance(lk, 600)) {
        pl_any(lkr_session_waive(r->s, LKR_WAIVE_STEP, a->step, "cannot meet its guards"));
    } else {
        pl_any(lkr_session_waive(r->s, LKR_WAIVE_TIER, a->tier, "cannot meet its guards"));
    }
}

static void pl_verify(pl_run *r, const lkr_action *a)
{
    pl_lock *lk = &r->lk;
    int works = lk->fixed && lk->on_network;
    if (a->phase == LKR_PHASE_PROBE) {
        lkr_probe_result res;
        memset(&res, 0, sizeof(res));
        res.struct_size = (uint32_t)sizeof(res);
        res.battery_pct = LKR_NUM_UNKNOWN;
        res.reachable = works ? LKR_YES : LKR_NO;
        pl_any(lkr_session_probe_done(r->s, LKR_OK, &res));
        return;
    }
    if (!lk->scripted && pl_chance(lk, 100)) works = !works; /* the person is wrong */
    pl_any(lkr_session_report(r->s, a->step, works ? LKR_OUTCOME_FIXED : LKR_OUTCOME_NOT_FIXED));
}

static lkr_action pl_drive(pl_run *r)
{
    pl_lock *lk = &r->lk;
    lkr_action a = LKR_ACTION_INIT;
    unsigned i;
    pl_checkpoint(r);
    for (i = 0; i < PL_ACTIONS; i++) {
        lkr_action fresh = LKR_ACTION_INIT;
        a = fresh;
        ck_assert_int_eq(lkr_session_next(r->s, &a), LKR_OK);
        if (lkr_action_is_final(&a)) break;
        switch (a.kind) {
        case LKR_ACTION_ASK:
            if (lkr_session_answer(r->s, a.question, pl_answer(lk, a.question)) != LKR_OK) {
                pl_any(lkr_session_answer(r->s, a.question, a.question == LKR_QUESTION_UPDATE_STALLED_MIN
                                                               ? LKR_NUM_UNKNOWN : LKR_UNKNOWN));
            }
            break;
        case LKR_ACTION_PERSON_STEP:
            pl_person_step(r, &a);
            break;
        case LKR_ACTION_HOST_STEP:
            if (pl_chance(lk, 800)) pl_perform(lk, a.step);
            pl_any(lkr_session_report(r->s, a.step, pl_chance(lk, 800) ? LKR_OUTCOME_DONE : LKR_OUTCOME_FAILED));
            break;
        case LKR_ACTION_WAIT:
            lk->clock = a.wait_until_ms;
            pl_any(lkr_session_tick(r->s));
            break;
        case LKR_ACTION_VERIFY:
            pl_verify(r, &a);
            break;
        case LKR_ACTION_BLOCKED:
            pl_blocked(r, &a);
            break;
        default:
            ck_abort_msg("seed %u: unexpected action kind %u", r->seed, (unsigned)a.kind);
        }
        lk->clock += 1000u + pl_rand(lk) % 60000u;
        pl_checkpoint(r);
    }
    if (!lkr_action_is_final(&a)) {
        ck_assert_int_eq(lkr_session_abort(r->s), LKR_OK);
        ck_assert_int_eq(lkr_session_next(r->s, &a), LKR_OK);
    }
    return a;
}

/* Every code the lock started with is on it now, equal. */
static int all_on_lock(const pl_lock *lk)
{
    uint32_t i;
    for (i = 0; i < lk->orig_count; i++) {
        int k = pl_find(lk->codes, lk->count, lk->orig[i].slot);
        if (k < 0 || strcmp(lk->codes[k].pin, lk->orig[i].pin) != 0 ||
            lk->codes[k].kind != lk->orig[i].kind) {
            return 0;
        }
    }
    return 1;
}

/* The vault holds the code's slot with its PIN. */
static int in_vault(const lkr_vault *v, uint32_t slot)
{
    uint32_t i;
    lkr_vault_info info = LKR_VAULT_INFO_INIT;
    if (v == NULL || lkr_vault_status(v, &info) != LKR_OK) return 0;
    for (i = 0; i < info.count; i++) {
        lkr_code_info c = LKR_CODE_INFO_INIT;
        if (lkr_vault_code(v, i, &c) == LKR_OK && c.slot == slot && c.has_pin) return 1;
    }
    return 0;
}

/* What happened, for a failure message. */
static void pl_dump(const pl_run *r)
{
    uint32_t i;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    if (lkr_session_status(r->s, &info) != LKR_OK) return;
    fprintf(stderr, "seed %u: protocol %u, profile erases %u, model erases %d, vault %d, codes %u/%u, "
            "on network %d, support reasons 0x%x\n", r->seed, (unsigned)r->lk.protocol,
            (unsigned)r->p.repair_erases_codes, r->lk.erases_on_repair, r->vault != NULL,
            (unsigned)r->lk.count, (unsigned)r->lk.orig_count, r->lk.on_network, (unsigned)info.support_reasons);
    for (i = 0; i < r->lk.orig_count; i++) {
        int k = pl_find(r->lk.codes, r->lk.count, r->lk.orig[i].slot);
        fprintf(stderr, "  slot %u: %s, lock %s\n", (unsigned)r->lk.orig[i].slot, r->lk.orig[i].pin,
                k >= 0 ? r->lk.codes[k].pin : "-");
    }
    for (i = 0; i < info.history_count; i++) {
        lkr_history_entry e = LKR_HISTORY_ENTRY_INIT;
        if (lkr_session_history(r->s, i, &e) == LKR_OK) {
            fprintf(stderr, "  %s outcome %u%s\n", lkr__steps[e.step].sid, (unsigned)e.outcome,
                    e.by_host ? " (host)" : "");
        }
    }
}

static void pl_check(const pl_run *r, const lkr_action *a)
{
    const pl_lock *lk = &r->lk;
    uint32_t i;
    if (lk->pin_leaked || (a->kind == LKR_ACTION_RECOVERED && !all_on_lock(lk))) pl_dump(r);
    ck_assert_msg(!lk->pin_leaked, "seed %u: a PIN reached a log line", r->seed);
    if (a->kind == LKR_ACTION_RECOVERED) {
        ck_assert_msg(all_on_lock(lk), "seed %u: RECOVERED with %u of %u codes on the lock", r->seed,
                      (unsigned)lk->count, (unsigned)lk->orig_count);
    }
    for (i = 0; i < lk->orig_count; i++) {
        int k = pl_find(lk->codes, lk->count, lk->orig[i].slot);
        int on_lock = k >= 0 && strcmp(lk->codes[k].pin, lk->orig[i].pin) == 0;
        if (!on_lock && !in_vault(r->vault, lk->orig[i].slot)) pl_dump(r);
        ck_assert_msg(on_lock || in_vault(r->vault, lk->orig[i].slot),
                      "seed %u (protocol %u, profile erases %u, vault %d): code in slot %u lost", r->seed,
                      (unsigned)lk->protocol, (unsigned)r->p.repair_erases_codes, r->vault != NULL,
                      (unsigned)lk->orig[i].slot);
    }
}

START_TEST(random_sessions_keep_every_code)
{
    unsigned seed, recovered = 0, support = 0, erased = 0, saves = 0, between = 0;
    for (seed = 1; seed <= PL_SESSIONS; seed++) {
        pl_run r;
        lkr_action a;
        pl_setup(&r, seed);
        r.s = pl_new(&r);
        a = pl_drive(&r);
        pl_check(&r, &a);
        recovered += a.kind == LKR_ACTION_RECOVERED;
        support += a.kind == LKR_ACTION_NEEDS_SUPPORT;
        erased += r.lk.count < r.lk.orig_count || !all_on_lock(&r.lk);
        saves += r.saves;
        between += r.kills_between;
        lkr_session_free(r.s);
        lkr_vault_free(r.vault);
    }
    /* The property is only worth something if the runs reach both ends and
     * erase codes on the way. */
    ck_assert_msg(recovered > PL_SESSIONS / 20, "only %u recovered", recovered);
    ck_assert_msg(support > PL_SESSIONS / 20, "only %u handed to support", support);
    ck_assert_msg(saves > PL_SESSIONS, "only %u saves loaded", saves);
    ck_assert_msg(between > PL_SESSIONS / 4, "only %u kills between the two saves", between);
    printf("invariant: %u sessions, %u recovered, %u support, %u ended with codes off the lock, "
           "%u relaunches (%u between the vault and the blob)\n", PL_SESSIONS, recovered, support, erased,
           saves, between);
}
END_TEST

/* A lock of each protocol with 12 codes, a vault (the app's records on
 * Matter), a person who does every step: only the factory reset fixes it.
 * The reset takes the lock off the network; the restore asks for the re-join
 * the protocol needs (re-include, re-commission, re-pair, re-provision,
 * re-join through the hub), the probe must answer, then every code is
 * written and read back. Even loops: the re-join works; odd: it fails, and no
 * code is written while the lock is away. */
START_TEST(restore_waits_for_the_lock_to_rejoin)
{
    static const uint32_t protocols[] = {LKR_PROTOCOL_ZWAVE, LKR_PROTOCOL_MATTER, LKR_PROTOCOL_BLE,
                                         LKR_PROTOCOL_WIFI, LKR_PROTOCOL_ZIGBEE};
    /* The words of the re-join each protocol needs. */
    static const char *const rejoin_words[] = {"Include the lock in the Z-Wave hub", "Commission the lock again",
                                               "Pair the lock with the app again", "Wi-Fi network again",
                                               "join it to the Zigbee hub again"};
    static lkr_weight priors[LKR__CAUSE_COUNT];
    lkr_overrides ov;
    pl_run r;
    pl_lock *lk = &r.lk;
    lkr_action a;
    uint32_t i, p = (uint32_t)_i / 2u, tiers[] = {LKR_TIER_UNIVERSAL, LKR_TIER_PROTOCOL, LKR_TIER_ECOSYSTEM,
                                                  LKR_TIER_REPAIR};
    pl_setup(&r, 7);
    r.ov = reset_vendor(&ov, priors);
    lk->protocol = r.p.protocol = protocols[p];
    lk->pins_readable = protocols[p] != LKR_PROTOCOL_MATTER;
    r.p.ecosystems = 0;
    r.p.has_bridge = LKR_NO;
    lk->scripted = 1;
    lk->fix_step = LKR_STEP_RESET_FACTORY_RESET;
    lk->read_fail = lk->misread = lk->write_lost = 0;
    lk->rejoin_fail = _i % 2 ? 1000 : 0;
    for (i = 0; i < 12; i++) lk->codes[i] = pl_code(i + 1u, 1000u + i * 7919u);
    lk->count = lk->orig_count = 12;
    memcpy(lk->orig, lk->codes, sizeof(lk->orig));
    r.t = pl_transport(lk, 0, 1);
    if (r.vault != NULL) lkr_vault_free(r.vault);
    ck_assert_int_eq(lkr_vault_new(NULL, &r.vault), LKR_OK);
    if (!lk->pins_readable) {
        for (i = 0; i < 12; i++) ck_assert_int_eq(lkr_vault_record(r.vault, &lk->orig[i]), LKR_OK);
    }
    r.s = pl_new(&r);
    for (i = 0; i < sizeof(tiers) / sizeof(tiers[0]); i++) {
        ck_assert_int_eq(lkr_session_waive(r.s, LKR_WAIVE_TIER, tiers[i], "straight to the reset"), LKR_OK);
    }
    a = pl_drive(&r);
    pl_check(&r, &a);
    ck_assert_uint_eq(lk->writes_off_network, 0);
    ck_assert_msg(strstr(r.restore_text, rejoin_words[p]) != NULL, "protocol %u: the re-join says \"%s\"",
                  (unsigned)protocols[p], r.restore_text);
    if (_i % 2 == 0) {
        ck_assert_uint_eq(a.kind, LKR_ACTION_RECOVERED);
        ck_assert_uint_eq(lk->count, 12);
    } else {
        ck_assert_uint_eq(a.kind, LKR_ACTION_NEEDS_SUPPORT);
        ck_assert(a.detail & LKR_SUPPORT_CODES_MISSING);
        ck_assert_uint_eq(lk->count, 0);
        for (i = 0; i < 12; i++) ck_assert(in_vault(r.vault, lk->orig[i].slot));
    }
    lkr_session_free(r.s);
    lkr_vault_free(r.vault);
}
END_TEST

/* A dead Z-Wave node: off the network, so its codes cannot be read and no
 * backup can be made; only an exclusion and re-inclusion (which wipes them on
 * this model) brings it back. The hub kept the codes it set: given to the
 * vault as the host's records, they let the re-inclusion run, are restored
 * after it and read back; recovered with every code. */
START_TEST(dead_node_uses_the_hosts_records)
{
    pl_run r;
    pl_lock *lk = &r.lk;
    lkr_action a;
    uint32_t i;
    pl_setup(&r, 11);
    lk->protocol = r.p.protocol = LKR_PROTOCOL_ZWAVE;
    lk->pins_readable = 1;
    r.p.ecosystems = 0;
    r.p.repair_erases_codes = LKR_YES;
    lk->erases_on_repair = 1;
    lk->scripted = 1;
    lk->fix_step = LKR_STEP_ZWAVE_EXCLUDE_REINCLUDE;
    lk->read_fail = lk->misread = lk->write_lost = lk->rejoin_fail = 0;
    lk->on_network = 0;
    for (i = 0; i < 6; i++) lk->codes[i] = pl_code(i + 1u, 500u + i * 104729u);
    lk->count = lk->orig_count = 6;
    memcpy(lk->orig, lk->codes, sizeof(lk->orig));
    r.t = pl_transport(lk, 0, 1);
    if (r.vault != NULL) lkr_vault_free(r.vault);
    ck_assert_int_eq(lkr_vault_new(NULL, &r.vault), LKR_OK);
    for (i = 0; i < 6; i++) ck_assert_int_eq(lkr_vault_record(r.vault, &lk->orig[i]), LKR_OK);
    r.s = pl_new(&r);
    ck_assert_int_eq(lkr_session_waive(r.s, LKR_WAIVE_TIER, LKR_TIER_UNIVERSAL, "dead node"), LKR_OK);
    a = pl_drive(&r);
    pl_check(&r, &a);
    ck_assert_uint_eq(a.kind, LKR_ACTION_RECOVERED);
    ck_assert_uint_eq(lk->count, 6);
    lkr_session_free(r.s);
    lkr_vault_free(r.vault);
}
END_TEST

/* ---- re-entry from callbacks ------------------------------------------------------ */


/* Every function that changes or saves the session, called from inside one
 * of its callbacks: each refused with LKR_E_REENTRANT. */
static void reenter(void)
{
    lkr_action a = LKR_ACTION_INIT;
    lkr_observations o;
    lkr_probe_result pr;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    unsigned char blob[LKR_SESSION_BLOB_MAX];
    size_t n = 0;
    lkr_status st[11];
    unsigned i;
    if (g_reenter == NULL) return;
    lkr_observations_init(&o);
    memset(&pr, 0, sizeof(pr));
    pr.struct_size = (uint32_t)sizeof(pr);
    st[0] = lkr_session_next(g_reenter, &a);
    st[1] = lkr_session_report(g_reenter, 1, LKR_OUTCOME_DONE);
    st[2] = lkr_session_answer(g_reenter, LKR_QUESTION_APP_STATUS, 0);
    st[3] = lkr_session_observe(g_reenter, &o);
    st[4] = lkr_session_tick(g_reenter);
    st[5] = lkr_session_probe_done(g_reenter, LKR_OK, &pr);
    st[6] = lkr_session_confirm(g_reenter, LKR_GUARD_DOOR_OPEN, 1);
    st[7] = lkr_session_waive(g_reenter, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, "from a callback");
    st[8] = lkr_session_abort(g_reenter);
    st[9] = lkr_session_attach_vault(g_reenter, NULL);
    st[10] = lkr_session_save(g_reenter, blob, sizeof(blob), &n);
    for (i = 0; i < 11; i++) {
        ck_assert_msg(st[i] == LKR_E_REENTRANT, "call %u from a callback: %s", i, lkr_status_name(st[i]));
    }
    lkr_session_free(g_reenter); /* ignored: the session is in a call */
    ck_assert_int_eq(lkr_session_status(g_reenter, &info), LKR_OK); /* reading is fine */
    g_reentered++;
    g_refused += 11;
}

static void re_log(void *ctx, uint32_t level, const char *msg)
{
    pl_log(ctx, level, msg);
    reenter();
}

static void re_prompt(void *ctx, const lkr_action *a)
{
    (void)ctx;
    (void)a;
    reenter();
}

static lkr_status re_probe(void *ctx, lkr_probe_result *out)
{
    reenter();
    return pl_probe(ctx, out);
}

static lkr_status re_run_step(void *ctx, uint32_t step)
{
    reenter();
    return pl_run_step(ctx, step);
}

static lkr_status re_read(void *ctx, lkr_code *codes, uint32_t capacity, lkr_code_readout *out)
{
    reenter();
    return pl_read(ctx, codes, capacity, out);
}

/* Random sessions whose every callback calls back into the session: each
 * such call is refused, the outer calls go on, and the invariant and every
 * save still hold. */
START_TEST(callbacks_cannot_reenter_their_session)
{
    unsigned seed;
    g_reentered = g_refused = 0;
    for (seed = 1; seed <= 200; seed++) {
        pl_run r;
        lkr_action a;
        pl_setup(&r, seed);
        r.t.log = re_log;
        r.t.prompt = re_prompt;
        r.t.read_codes = re_read;
        if (r.t.probe != NULL) r.t.probe = re_probe;
        if (r.t.run_step != NULL) r.t.run_step = re_run_step;
        r.s = pl_new(&r);
        g_reenter = r.s;
        a = pl_drive(&r);
        g_reenter = NULL;
        pl_check(&r, &a);
        lkr_session_free(r.s);
        lkr_vault_free(r.vault);
    }
    ck_assert_uint_gt(g_reentered, 200);
}
END_TEST

/* A report names the step the session offered: never one it was not shown
 * (before the first lkr_session_next(), or another step). */
START_TEST(report_of_a_step_never_offered_is_refused)
{
    pl_run r;
    lkr_action a = LKR_ACTION_INIT;
    uint32_t step;
    pl_setup(&r, 3);
    r.s = pl_new(&r);
    for (step = 1; step <= LKR__STEP_COUNT; step++) {
        ck_assert_int_eq(lkr_session_report(r.s, step, LKR_OUTCOME_DONE), LKR_E_STATE);
    }
    ck_assert_int_eq(lkr_session_next(r.s, &a), LKR_OK);
    if (a.kind == LKR_ACTION_PERSON_STEP) {
        for (step = 1; step <= LKR__STEP_COUNT; step++) {
            if (step != a.step) ck_assert_int_eq(lkr_session_report(r.s, step, LKR_OUTCOME_DONE), LKR_E_STATE);
        }
        ck_assert_int_eq(lkr_session_report(r.s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    }
    ck_assert_int_eq(lkr_session_abort(r.s), LKR_OK);
    ck_assert_int_eq(lkr_session_tick(r.s), LKR_E_STATE); /* aborted: no clock to keep */
    lkr_session_free(r.s);
    lkr_vault_free(r.vault);
}
END_TEST

/* A Matter lock whose app never recorded its PINs (a new phone): the backup
 * is refused, and the report says the lock holds 10 codes nobody here knows
 * the PINs of, rather than "count 0, missing 0". */
START_TEST(report_tells_what_is_unknown)
{
    pl_run r;
    pl_lock *lk = &r.lk;
    char json[8192];
    size_t n = 0;
    uint32_t i;
    pl_setup(&r, 5);
    lk->protocol = r.p.protocol = LKR_PROTOCOL_MATTER;
    lk->pins_readable = 0;
    lk->read_fail = lk->misread = 0;
    for (i = 0; i < 10; i++) lk->codes[i] = pl_code(i + 1u, 77u + i);
    lk->count = lk->orig_count = 10;
    memcpy(lk->orig, lk->codes, sizeof(lk->orig));
    if (r.vault != NULL) lkr_vault_free(r.vault);
    ck_assert_int_eq(lkr_vault_new(NULL, &r.vault), LKR_OK);
    r.s = pl_new(&r);
    ck_assert_int_eq(lkr_vault_backup(r.vault, &r.t), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_report_json(r.s, json, sizeof(json), &n), LKR_OK);
    ck_assert_ptr_nonnull(strstr(json, "\"on_lock\":10,\"unknown\":10"));
    ck_assert_int_eq(lkr_session_report_text(r.s, json, sizeof(json), &n), LKR_OK);
    ck_assert_ptr_nonnull(strstr(json, "The lock holds 10 codes; 10 of them are in no record here"));
    lkr_session_free(r.s);
    lkr_vault_free(r.vault);
}
END_TEST

static Suite *invariant_suite(void)
{
    Suite *s = suite_create("invariant");
    TCase *tc = tcase_create("property");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, random_sessions_keep_every_code);
    tcase_add_loop_test(tc, restore_waits_for_the_lock_to_rejoin, 0, 10);
    tcase_add_test(tc, dead_node_uses_the_hosts_records);
    tcase_add_test(tc, callbacks_cannot_reenter_their_session);
    tcase_add_test(tc, report_of_a_step_never_offered_is_refused);
    tcase_add_test(tc, report_tells_what_is_unknown);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(invariant_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
