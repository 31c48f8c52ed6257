/*
 * Forged and reached states. A CRC is no defence against someone who can
 * write the state file, so these tests forge with the library's own writer:
 * a genuine session's fields are changed in memory (internal.h), saved with
 * a valid checksum, and the loader must refuse what the engine could never
 * have reached. And the other way round: every state many random sessions
 * reach loads, decides alike and saves the same bytes.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "session_int.h"
#include "lockrecover/lockrecover.h"
#include "lockrecover/sim.h"

typedef struct rig {
    lkr_sim *sim;
    lkr_transport t;
    lkr_session *s;
    lkr_vault *v;
} rig;

static uint64_t frozen_ms;

/* Drops a status on purpose: the random walk tries what may be refused. */
static void ignore(lkr_status st)
{
    (void)st;
}

static uint64_t frozen_clock(void *ctx)
{
    (void)ctx;
    return frozen_ms;
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

static void rig_new_ov(rig *r, uint32_t protocol, uint32_t cause, uint32_t flags, uint64_t seed, const char *serial,
                       const lkr_overrides *ov)
{
    lkr_sim_config sc;
    lkr_profile p;
    lkr_observations o;
    lkr_session_config cfg;
    memset(r, 0, sizeof(*r));
    lkr_sim_config_init(&sc);
    sc.protocol = protocol;
    sc.cause_count = 1;
    sc.causes[0] = cause;
    sc.flags = flags;
    sc.seed = seed;
    ck_assert_int_eq(lkr_sim_new(&sc, NULL, &r->sim), LKR_OK);
    ck_assert_int_eq(lkr_sim_transport(r->sim, &r->t), LKR_OK);
    ck_assert_int_eq(lkr_sim_profile(r->sim, &p), LKR_OK);
    ck_assert_int_eq(lkr_sim_observations(r->sim, &o), LKR_OK);
    if (serial != NULL) memcpy(p.serial, serial, strlen(serial) + 1);
    r->t.seal = NULL; /* blobs in clear: the loader's own checks are under test */
    r->t.unseal = NULL;
    lkr_session_config_init(&cfg);
    cfg.profile = &p;
    cfg.observations = &o;
    cfg.overrides = ov;
    ck_assert_int_eq(lkr_session_new(&cfg, &r->t, &r->s), LKR_OK);
    ck_assert_int_eq(lkr_vault_new(NULL, &r->v), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(r->s, r->v), LKR_OK);
}

static void rig_new(rig *r, uint32_t protocol, uint32_t cause, uint32_t flags, uint64_t seed, const char *serial)
{
    rig_new_ov(r, protocol, cause, flags, seed, serial, NULL);
}

static void rig_free(rig *r)
{
    lkr_session_free(r->s);
    lkr_vault_free(r->v);
    lkr_sim_free(r->sim);
}

static lkr_status reload(rig *r, const lkr_session *s)
{
    static uint8_t blob[LKR_SESSION_BLOB_MAX];
    lkr_session_config cfg;
    lkr_session *back = NULL;
    size_t n = 0;
    lkr_status st;
    ck_assert_int_eq(lkr_session_save(s, blob, sizeof(blob), &n), LKR_OK);
    lkr_session_config_init(&cfg);
    st = lkr_session_load(&cfg, &r->t, blob, n, &back);
    ck_assert(st == LKR_OK || back == NULL);
    lkr_session_free(back);
    return st;
}

/* Drives the simulated person until stop() says so (or the session ends). */
static lkr_action drive(rig *r, int (*stop)(const lkr_session *, const lkr_action *))
{
    lkr_action a = LKR_ACTION_INIT;
    int n;
    for (n = 0; n < 300; n++) {
        ck_assert_int_eq(lkr_session_next(r->s, &a), LKR_OK);
        if (lkr_action_is_final(&a) || stop(r->s, &a)) break;
        if (lkr_sim_respond(r->sim, r->s, &a) != LKR_OK) break;
    }
    return a;
}

static int in_reset_hold(const lkr_session *s, const lkr_action *a)
{
    return a->step == LKR_STEP_RESET_FACTORY_RESET && s->phase == LKR__P_HOLD;
}

static int any_hist(const lkr_session *s, const lkr_action *a)
{
    (void)a;
    return s->hist_count >= 2 && s->cur_step != 0;
}

/* A session held in the factory reset's hold, with the vault's backup before it. */
static void at_reset(rig *r)
{
    static lkr_weight priors[LKR__CAUSE_COUNT];
    lkr_overrides ov;
    lkr_action a;
    rig_new_ov(r, LKR_PROTOCOL_ZWAVE, LKR_CAUSE_KEYPAD_DAMAGE, LKR_SIM_F_PROBE | LKR_SIM_F_CODES, 3, NULL,
               reset_vendor(&ov, priors));
    a = drive(r, in_reset_hold);
    ck_assert_msg(in_reset_hold(r->s, &a), "the factory reset's hold was not reached");
    ck_assert_int_eq(reload(r, r->s), LKR_OK); /* the genuine state loads */
}

/* Answering the version question of a forged blob wrote into the history at
 * a stale index, past the session's allocation: no verification pending. */
START_TEST(forged_version_question_without_a_step_is_refused)
{
    rig r;
    lkr_session f;
    rig_new(&r, LKR_PROTOCOL_WIFI, LKR_CAUSE_WIFI_STACK_CRASH, LKR_SIM_F_PROBE | LKR_SIM_F_PARTIAL_FACTS, 2, NULL);
    (void)drive(&r, any_hist);
    ck_assert_int_ne(r.s->cur_step, 0);
    f = *r.s;
    f.phase = LKR__P_ASK;
    f.question = LKR_QUESTION_FIRMWARE_VERSION;
    f.need_fw = 1;
    f.cur_step = 0;
    f.verify_step = 0;
    f.verify_hist = (uint8_t)f.hist_count; /* stale */
    f.hist[f.cur_hist].outcome = LKR_OUTCOME_DONE;
    ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    /* A step in hand in the question phase, its index stale: refused too. */
    f = *r.s;
    f.phase = LKR__P_ASK;
    f.question = LKR_QUESTION_APP_STATUS;
    f.cur_hist = (uint8_t)f.hist_count;
    ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    rig_free(&r);
}
END_TEST

/* A factory reset in its hold, resume, settle or host phase with no backup
 * bound to the session: the guards would not have let it begin. A failed
 * backup step with a backup bound since (the host's records, or a verified
 * backup the host made that matched the lock) let it begin: that loads. */
START_TEST(forged_reset_without_backup_is_refused)
{
    static const uint8_t phases[] = {LKR__P_HOLD, LKR__P_RESUME, LKR__P_SETTLE, LKR__P_PERFORM};
    rig r;
    lkr_session f;
    size_t k;
    uint32_t i;
    at_reset(&r);
    for (k = 0; k < sizeof(phases); k++) {
        f = *r.s;
        f.phase = phases[k];
        f.has_vault_digest = LKR__DIGEST_NONE;
        ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
        f = *r.s;
        f.phase = phases[k];
        for (i = 0; i < f.hist_count; i++) {
            if (f.hist[i].step == LKR_STEP_REPAIR_BACKUP_CODES) f.hist[i].outcome = LKR_OUTCOME_FAILED;
        }
        ck_assert_int_eq(reload(&r, &f), LKR_OK);
        f.has_vault_digest = LKR__DIGEST_NONE;
        ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    }
    rig_free(&r);
}
END_TEST

/* "Recovered" that the engine would never have said. */
START_TEST(forged_recoveries_are_refused)
{
    rig r;
    lkr_session f;
    uint32_t i;
    at_reset(&r);
    /* RECOVERED after the reset, its backup gone from the history. */
    f = *r.s;
    f.hist[f.cur_hist].outcome = LKR_OUTCOME_FIXED;
    f.phase = LKR__P_FINAL;
    f.final_state = LKR_STATE_RECOVERED;
    f.cur_step = f.verify_step = 0;
    f.codes_at_risk = 0;
    ck_assert_int_eq(reload(&r, &f), LKR_OK); /* with the vault's backup: reachable */
    /* The backup step done by a person, a backup bound later (a verified
     * backup the host made that matched the lock): reachable too; with no
     * backup bound, not. */
    for (i = 0; i < f.hist_count; i++) {
        if (f.hist[i].step == LKR_STEP_REPAIR_BACKUP_CODES) f.hist[i].by_host = 0;
    }
    ck_assert_int_eq(reload(&r, &f), LKR_OK);
    f.has_vault_digest = LKR__DIGEST_NONE;
    ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    /* RECOVERED with an empty history. */
    f = *r.s;
    f.hist_count = 0;
    f.tried = 0;
    f.phase = LKR__P_FINAL;
    f.final_state = LKR_STATE_RECOVERED;
    f.cur_step = f.verify_step = 0;
    f.has_vault_digest = 0;
    ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    /* A verification pending after a reset no backup preceded. */
    f = *r.s;
    f.phase = LKR__P_VERIFY_ASK;
    f.cur_step = 0;
    f.hist[f.cur_hist].outcome = LKR_OUTCOME_NONE;
    f.has_vault_digest = 0;
    ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    rig_free(&r);
}
END_TEST

/* States that used to load and not save: a step in hand verified by nothing,
 * a hand-over in the history of a live session, waived masks without their
 * records, a tier other than the step's, a "fixed" verification in a live
 * session. */
START_TEST(forged_inconsistencies_are_refused)
{
    rig r;
    lkr_session f;
    at_reset(&r);
    f = *r.s;
    f.verify_step = 0;
    ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    f = *r.s;
    f.hist[f.hist_count] = f.hist[0];
    f.hist[f.hist_count].step = LKR_STEP_SUPPORT_CONTACT_MANUFACTURER;
    f.hist[f.hist_count].outcome = LKR_OUTCOME_HANDED_OVER;
    f.tried |= (uint64_t)1 << (LKR_STEP_SUPPORT_CONTACT_MANUFACTURER - 1);
    f.hist_count++;
    ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    f = *r.s;
    f.waived_tiers = (uint16_t)(1u << LKR_TIER_REPAIR);
    ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    f = *r.s;
    f.tier = LKR_TIER_SUPPORT;
    ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    /* A live session with a verification that said "fixed" (it would have
     * ended the session): aborted, it would save what no load takes. */
    f = *r.s;
    f.hist[0].outcome = LKR_OUTCOME_FIXED;
    ck_assert_int_eq(reload(&r, &f), LKR_E_CORRUPT);
    rig_free(&r);
}
END_TEST

/* Lock B's blob claiming lock A's backup, with A's genuine export: the
 * vault is bound to lock A and refused on B. */
START_TEST(another_locks_vault_is_refused)
{
    rig a, b;
    lkr_transport keys;
    lkr_vault *imported;
    uint8_t sealed[16384];
    size_t n = 0;
    at_reset(&a);
    rig_new(&b, LKR_PROTOCOL_ZWAVE, LKR_CAUSE_KEYPAD_DAMAGE, LKR_SIM_F_PROBE | LKR_SIM_F_CODES, 3, "B-0002");
    ck_assert_int_ne(a.s->has_vault_digest, 0);
    ck_assert_int_eq(lkr_sim_transport(a.sim, &keys), LKR_OK);
    ck_assert_int_eq(lkr_vault_export_sealed(a.v, &keys, sealed, sizeof(sealed), &n), LKR_OK);
    ck_assert_int_eq(lkr_vault_new(NULL, &imported), LKR_OK);
    ck_assert_int_eq(lkr_vault_import_sealed(imported, &keys, sealed, n), LKR_OK);
    /* A's own session takes it back. */
    ck_assert_int_eq(lkr_session_attach_vault(a.s, imported), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(a.s, NULL), LKR_OK);
    /* B, forged to carry A's digest, does not. */
    ck_assert_int_eq(lkr_session_attach_vault(b.s, NULL), LKR_OK);
    b.s->has_vault_digest = a.s->has_vault_digest;
    memcpy(b.s->vault_digest, a.s->vault_digest, sizeof(b.s->vault_digest));
    ck_assert_int_eq(lkr_session_attach_vault(b.s, imported), LKR_E_STATE);
    ck_assert(!lkr__vault_matches(imported, &b.s->profile, b.s->has_vault_digest, b.s->vault_digest));
    lkr_vault_free(imported);
    rig_free(&b);
    rig_free(&a);
}
END_TEST

/* The blob's digest is keyed: it is not the SHA-256 of the codes, which a
 * PIN could be brute-forced from. */
START_TEST(blob_digest_is_keyed)
{
    rig r;
    at_reset(&r);
    ck_assert_int_eq(r.s->has_vault_digest, LKR__DIGEST_KEYED);
    ck_assert(lkr__vault_matches(r.v, &r.s->profile, LKR__DIGEST_KEYED, r.s->vault_digest));
    ck_assert(!lkr__vault_matches(r.v, &r.s->profile, LKR__DIGEST_UNKEYED, r.s->vault_digest));
    rig_free(&r);
}
END_TEST

static const uint32_t protocols[] = {LKR_PROTOCOL_WIFI, LKR_PROTOCOL_BLE, LKR_PROTOCOL_ZWAVE,
                                     LKR_PROTOCOL_ZIGBEE, LKR_PROTOCOL_MATTER};

static uint64_t person_clock_ms;

static uint64_t person_clock(void *ctx)
{
    (void)ctx;
    return person_clock_ms;
}

/* A genuine session, no forgery: an update failed, a person does every step
 * and none helps, until the 48-hour wait for the update to reconnect is in
 * hand; then the person says no update was involved after all (the step no
 * longer applies). What the session saves loads. */
START_TEST(step_in_hand_survives_new_facts)
{
    lkr_sim_config sc;
    lkr_sim *sim;
    lkr_profile p;
    lkr_observations o;
    lkr_transport t;
    lkr_session_config cfg;
    lkr_session *s, *back = NULL;
    lkr_action a = LKR_ACTION_INIT;
    uint8_t blob[LKR_SESSION_BLOB_MAX];
    size_t len = 0;
    uint32_t g;
    int n;
    lkr_sim_config_init(&sc);
    sc.protocol = LKR_PROTOCOL_WIFI;
    sc.cause_count = 1;
    sc.causes[0] = LKR_CAUSE_WIFI_STACK_CRASH;
    ck_assert_int_eq(lkr_sim_new(&sc, NULL, &sim), LKR_OK);
    ck_assert_int_eq(lkr_sim_profile(sim, &p), LKR_OK);
    ck_assert_int_eq(lkr_sim_observations(sim, &o), LKR_OK);
    o.update_state = LKR_UPDATE_REPORTED_FAILED;
    o.update_stalled_min = LKR_NUM_UNKNOWN;
    lkr_transport_init(&t);
    t.now_ms = person_clock;
    person_clock_ms = 1000;
    lkr_session_config_init(&cfg);
    cfg.profile = &p;
    cfg.observations = &o;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_OK);
    for (n = 0; n < 300 && s->cur_step != LKR_STEP_REPAIR_WAIT_FOR_RECONNECT; n++) {
        ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
        ck_assert_msg(!lkr_action_is_final(&a), "ended before the wait for reconnect");
        switch (a.kind) {
        case LKR_ACTION_WAIT: person_clock_ms = a.wait_until_ms; break;
        case LKR_ACTION_PERSON_STEP: ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK); break;
        case LKR_ACTION_VERIFY: ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_NOT_FIXED), LKR_OK); break;
        case LKR_ACTION_ASK: ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UNKNOWN), LKR_OK); break;
        case LKR_ACTION_BLOCKED:
            if (a.unmet_guards & ~LKR__GUARDS_CONFIRMABLE) {
                ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, a.step, "cannot be done here"), LKR_OK);
                break;
            }
            for (g = 1; g <= LKR__GUARD_COUNT; g++) {
                if (a.unmet_guards & LKR_GUARD_BIT(g)) ck_assert_int_eq(lkr_session_confirm(s, g, 1), LKR_OK);
            }
            break;
        default: ck_abort_msg("unexpected action %u", a.kind);
        }
    }
    ck_assert_int_eq(s->cur_step, LKR_STEP_REPAIR_WAIT_FOR_RECONNECT);
    lkr_observations_init(&o);
    o.update_state = LKR_UPDATE_NONE;
    ck_assert_int_eq(lkr_session_observe(s, &o), LKR_OK);
    ck_assert_int_eq(s->cur_step, LKR_STEP_REPAIR_WAIT_FOR_RECONNECT);
    ck_assert_int_eq(lkr_session_save(s, blob, sizeof(blob), &len), LKR_OK);
    lkr_session_config_init(&cfg);
    ck_assert_int_eq(lkr_session_load(&cfg, &t, blob, len, &back), LKR_OK);
    lkr_session_free(back);
    lkr_session_free(s);
    lkr_sim_free(sim);
}
END_TEST

/* The SHA-256 of a code table as format 1 sessions recorded it (vault.c's
 * hash_codes: the count, then each code in slot order). */
static void unkeyed_digest_of(const lkr_code *codes, uint32_t n, uint8_t out[32])
{
    lkr__sha256 h;
    uint8_t b[8];
    uint32_t i;
    lkr__sha256_init(&h);
    b[0] = (uint8_t)n;
    b[1] = (uint8_t)(n >> 8);
    lkr__sha256_update(&h, b, 2);
    for (i = 0; i < n; i++) {
        const lkr_code *c = &codes[i];
        uint8_t w[24], len;
        unsigned k;
        w[0] = (uint8_t)c->slot;
        w[1] = (uint8_t)(c->slot >> 8);
        w[2] = (uint8_t)c->kind;
        w[3] = (uint8_t)c->weekdays;
        w[4] = (uint8_t)c->day_start_min;
        w[5] = (uint8_t)(c->day_start_min >> 8);
        w[6] = (uint8_t)c->day_end_min;
        w[7] = (uint8_t)(c->day_end_min >> 8);
        for (k = 0; k < 8; k++) w[8 + k] = (uint8_t)(c->valid_from_s >> (8 * k));
        for (k = 0; k < 8; k++) w[16 + k] = (uint8_t)(c->valid_until_s >> (8 * k));
        lkr__sha256_update(&h, w, sizeof(w));
        len = (uint8_t)strlen(c->name);
        lkr__sha256_update(&h, &len, 1);
        lkr__sha256_update(&h, c->name, len);
        len = (uint8_t)strlen(c->pin);
        lkr__sha256_update(&h, &len, 1);
        lkr__sha256_update(&h, c->pin, len);
    }
    lkr__sha256_final(&h, out);
}

/* An identity keystore: the library's own checks are under test. */
static lkr_status copy_seal(void *ctx, const void *in, size_t len, void *out, size_t cap, size_t *out_len)
{
    (void)ctx;
    *out_len = len;
    if (out == NULL || cap < len) return LKR_E_BUFFER;
    memcpy(out, in, len);
    return LKR_OK;
}

/* A vault export as format 1 wrote it (no digest key, no identity): the
 * codes verified, the lock's checksum absent. */
static size_t v1_export(const lkr_code *codes, uint32_t n, uint8_t *p)
{
    size_t k = 0;
    uint32_t i;
    unsigned b;
    lkr__sha256 h;
    memcpy(p, "LKRV", 4);
    k = 4;
    p[k++] = 1;
    p[k++] = 0;
    p[k++] = 1 | 2; /* verified, PINs read from the lock */
    p[k++] = 0;
    p[k++] = (uint8_t)n;
    p[k++] = (uint8_t)(n >> 8);
    p[k++] = 0;
    p[k++] = 0;
    for (b = 0; b < 4; b++) p[k++] = 0;
    for (i = 0; i < n; i++) {
        const lkr_code *c = &codes[i];
        size_t len;
        p[k++] = (uint8_t)c->slot;
        p[k++] = (uint8_t)(c->slot >> 8);
        p[k++] = (uint8_t)c->kind;
        p[k++] = (uint8_t)c->weekdays;
        p[k++] = (uint8_t)c->day_start_min;
        p[k++] = (uint8_t)(c->day_start_min >> 8);
        p[k++] = (uint8_t)c->day_end_min;
        p[k++] = (uint8_t)(c->day_end_min >> 8);
        for (b = 0; b < 8; b++) p[k++] = (uint8_t)(c->valid_from_s >> (8 * b));
        for (b = 0; b < 8; b++) p[k++] = (uint8_t)(c->valid_until_s >> (8 * b));
        len = strlen(c->name);
        p[k++] = (uint8_t)len;
        memcpy(p + k, c->name, len);
        k += len;
        len = strlen(c->pin);
        p[k++] = (uint8_t)len;
        memcpy(p + k, c->pin, len);
        k += len;
    }
    lkr__sha256_init(&h);
    lkr__sha256_update(&h, p, k);
    lkr__sha256_final(&h, p + k);
    return k + 32;
}

static void set_version(uint8_t *blob, size_t n, uint32_t version, uint32_t flags)
{
    uint32_t crc;
    blob[4] = (uint8_t)version;
    blob[5] = 0;
    blob[6] = (uint8_t)flags;
    blob[7] = 0;
    crc = lkr__crc32(blob, n - 4);
    blob[n - 4] = (uint8_t)crc;
    blob[n - 3] = (uint8_t)(crc >> 8);
    blob[n - 2] = (uint8_t)(crc >> 16);
    blob[n - 1] = (uint8_t)(crc >> 24);
}

/* A format 1 blob, its digest the unkeyed SHA-256 of the codes: it loads,
 * its vault is recognised on attach, and from then on the session holds
 * only the keyed digest; a format 1 blob claiming a keyed digest, or flags,
 * is refused. */
START_TEST(format_1_blob_upgrades_its_digest_on_attach)
{
    static lkr_code codes[LKR_VAULT_MAX_CODES];
    static uint8_t blob[LKR_SESSION_BLOB_MAX], again[LKR_SESSION_BLOB_MAX];
    lkr_code_readout info;
    lkr_session_config cfg;
    lkr_session *x = NULL, f;
    uint8_t unkeyed[32], keyed[32];
    size_t n = 0, m = 0;
    uint32_t i;
    rig r;
    lkr_action a = LKR_ACTION_INIT;
    /* the lock's codes, as the backup will read them */
    rig_new(&r, LKR_PROTOCOL_ZWAVE, LKR_CAUSE_KEYPAD_DAMAGE, LKR_SIM_F_PROBE | LKR_SIM_F_CODES, 3, NULL);
    for (i = 0; i < LKR_VAULT_MAX_CODES; i++) lkr_code_init(&codes[i]);
    memset(&info, 0, sizeof(info));
    info.struct_size = (uint32_t)sizeof(info);
    ck_assert_int_eq(r.t.read_codes(r.t.ctx, codes, LKR_VAULT_MAX_CODES, &info), LKR_OK);
    for (i = 1; i < info.count; i++) ck_assert_uint_gt(codes[i].slot, codes[i - 1].slot);
    unkeyed_digest_of(codes, info.count, unkeyed);
    rig_free(&r);
    at_reset(&r);
    ck_assert(lkr__vault_matches(r.v, &r.s->profile, LKR__DIGEST_UNKEYED, unkeyed));
    memcpy(keyed, r.s->vault_digest, sizeof(keyed));
    f = *r.s;
    f.has_vault_digest = LKR__DIGEST_UNKEYED;
    memcpy(f.vault_digest, unkeyed, sizeof(unkeyed));
    ck_assert_int_eq(lkr_session_save(&f, blob, sizeof(blob), &n), LKR_OK);
    set_version(blob, n, 1, 0);
    lkr_session_config_init(&cfg);
    ck_assert_int_eq(lkr_session_load(&cfg, &r.t, blob, n, &x), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(x, r.v), LKR_OK);
    ck_assert_int_eq(x->has_vault_digest, LKR__DIGEST_KEYED);
    ck_assert(memcmp(x->vault_digest, keyed, sizeof(keyed)) == 0);
    ck_assert_int_eq(lkr_session_next(x, &a), LKR_OK);
    ck_assert_uint_eq(a.step, LKR_STEP_RESET_FACTORY_RESET);
    ck_assert_int_eq(lkr_session_save(x, again, sizeof(again), &m), LKR_OK);
    ck_assert_uint_eq(again[4], LKR_SESSION_FORMAT_VERSION);
    lkr_session_free(x);
    x = NULL;
    /* The same blob with the vault a format 1 export gives back (no key, no
     * identity: a fresh key, bound on attach), as an app that upgraded mid-
     * recovery has them: the same upgrade. */
    {
        static uint8_t exp[16384];
        lkr_transport keys;
        lkr_vault *old = NULL, *other = NULL;
        lkr_vault_info vi = LKR_VAULT_INFO_INIT, wi = LKR_VAULT_INFO_INIT;
        size_t en = v1_export(codes, info.count, exp);
        lkr_transport_init(&keys);
        keys.now_ms = frozen_clock;
        keys.seal = copy_seal;
        keys.unseal = copy_seal;
        ck_assert_int_eq(lkr_vault_new(NULL, &old), LKR_OK);
        ck_assert_int_eq(lkr_vault_new(NULL, &other), LKR_OK);
        ck_assert_int_eq(lkr_vault_import_sealed(old, &keys, exp, en), LKR_OK);
        ck_assert_int_eq(lkr_vault_import_sealed(other, &keys, exp, en), LKR_OK);
        ck_assert_int_eq(lkr_vault_status(old, &vi), LKR_OK);
        ck_assert_int_eq(lkr_vault_status(other, &wi), LKR_OK);
        ck_assert_uint_eq(vi.count, info.count);
        ck_assert_uint_eq(vi.verified, 1);
        ck_assert(memcmp(vi.digest, wi.digest, sizeof(vi.digest)) != 0); /* each drew its own key */
        ck_assert_int_eq(lkr_session_load(&cfg, &r.t, blob, n, &x), LKR_OK);
        ck_assert_int_eq(lkr_session_attach_vault(x, old), LKR_OK);
        ck_assert_int_eq(x->has_vault_digest, LKR__DIGEST_KEYED);
        ck_assert(lkr__backup_verified(x));
        ck_assert_int_eq(lkr_session_attach_vault(x, NULL), LKR_OK);
        lkr_session_free(x);
        x = NULL;
        lkr_vault_free(other);
        lkr_vault_free(old);
    }
    /* another table's unkeyed digest: the vault (this lock's) is attached, to
     * be read against the lock again, but it is not that backup: the digest
     * stays as it was and no backup is bound */
    f.vault_digest[0] ^= 1u;
    ck_assert_int_eq(lkr_session_save(&f, blob, sizeof(blob), &n), LKR_OK);
    set_version(blob, n, 1, 0);
    ck_assert_int_eq(lkr_session_load(&cfg, &r.t, blob, n, &x), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(x, r.v), LKR_OK);
    ck_assert_int_eq(x->has_vault_digest, LKR__DIGEST_UNKEYED);
    ck_assert(!lkr__backup_bound(x));
    lkr_session_free(x);
    x = NULL;
    /* format 1 knew neither the keyed digest nor flags */
    ck_assert_int_eq(lkr_session_save(r.s, blob, sizeof(blob), &n), LKR_OK);
    set_version(blob, n, 1, 0);
    ck_assert_int_eq(lkr_session_load(&cfg, &r.t, blob, n, &x), LKR_E_CORRUPT);
    ck_assert_int_eq(lkr_session_save(&f, blob, sizeof(blob), &n), LKR_OK);
    set_version(blob, n, 1, 1);
    ck_assert_int_eq(lkr_session_load(&cfg, &r.t, blob, n, &x), LKR_E_CORRUPT);
    ck_assert_ptr_null(x);
    rig_free(&r);
}
END_TEST

/* With a keystore the blob is sealed: it loads through the same keystore,
 * a tampered one does not (even with its CRC made good), a keystore-less
 * transport cannot open it, and a blob in clear is refused by a transport
 * with a keystore. */
START_TEST(sealed_blobs)
{
    static uint8_t blob[LKR_SESSION_BLOB_MAX], clear_blob[LKR_SESSION_BLOB_MAX], bad[LKR_SESSION_BLOB_MAX];
    rig r;
    lkr_transport keys, none;
    lkr_session_config cfg;
    lkr_session *back = NULL;
    lkr_action a = LKR_ACTION_INIT, b = LKR_ACTION_INIT;
    size_t n = 0, m = 0, i;
    uint32_t crc;
    at_reset(&r);
    ck_assert_int_eq(lkr_session_save(r.s, clear_blob, sizeof(clear_blob), &m), LKR_OK);
    ck_assert_int_eq(clear_blob[6], 0);
    ck_assert_int_eq(lkr_sim_transport(r.sim, &keys), LKR_OK);
    none = keys;
    none.seal = NULL;
    none.unseal = NULL;
    lkr_session_config_init(&cfg);
    /* a session whose transport has the keystore */
    ck_assert_int_eq(lkr_session_load(&cfg, &keys, blob, 0, &back), LKR_E_TRUNCATED);
    ck_assert_int_eq(lkr_session_load(&cfg, &keys, clear_blob, m, &back), LKR_E_CORRUPT);
    ck_assert_ptr_null(back);
    ck_assert_int_eq(lkr_session_load(&cfg, &none, clear_blob, m, &back), LKR_OK);
    lkr_session_free(back);
    back = NULL;
    {
        lkr_session f = *r.s;
        f.tr = keys;
        ck_assert_int_eq(lkr_session_save(&f, blob, sizeof(blob), &n), LKR_OK);
    }
    ck_assert_uint_eq(blob[6] & 1u, 1u);
    ck_assert(n != m || memcmp(blob, clear_blob, n) != 0);
    ck_assert_int_eq(lkr_session_load(&cfg, &keys, blob, n, &back), LKR_OK);
    ck_assert_int_eq(lkr_session_next(back, &a), LKR_OK);
    ck_assert_int_eq(lkr_session_next(r.s, &b), LKR_OK);
    ck_assert(a.kind == b.kind && a.step == b.step && a.phase == b.phase);
    lkr_session_free(back);
    back = NULL;
    ck_assert_int_eq(lkr_session_load(&cfg, &none, blob, n, &back), LKR_E_UNSUPPORTED);
    /* Half a keystore is none: the session saves in clear and loads back. */
    {
        lkr_session f = *r.s;
        lkr_transport half = keys;
        half.unseal = NULL;
        f.tr = half;
        ck_assert_int_eq(lkr_session_save(&f, bad, sizeof(bad), &i), LKR_OK);
        ck_assert_int_eq(bad[6], 0);
        ck_assert_int_eq(lkr_session_load(&cfg, &half, bad, i, &back), LKR_OK);
        lkr_session_free(back);
        back = NULL;
    }
    for (i = 12; i + 4 < n; i++) {
        memcpy(bad, blob, n);
        bad[i] ^= 0x20u;
        crc = lkr__crc32(bad, n - 4);
        bad[n - 4] = (uint8_t)crc;
        bad[n - 3] = (uint8_t)(crc >> 8);
        bad[n - 2] = (uint8_t)(crc >> 16);
        bad[n - 1] = (uint8_t)(crc >> 24);
        ck_assert_int_eq(lkr_session_load(&cfg, &keys, bad, n, &back), LKR_E_CORRUPT);
        ck_assert_ptr_null(back);
    }
    rig_free(&r);
}
END_TEST

/* Every state random sessions reach: load(save(s)) decides as s did, and
 * save(load(b)) == b. */
START_TEST(every_reached_state_round_trips)
{
    static uint8_t blob[LKR_SESSION_BLOB_MAX], again[LKR_SESSION_BLOB_MAX];
    uint32_t seed = (uint32_t)_i, rnd = seed * 2654435761u + 1u, states = 0;
    rig r;
    lkr_transport still;
    lkr_session_config cfg;
    int n;
    lkr_sim_config sc;
    lkr_sim_config_init(&sc);
    {
        uint32_t proto = protocols[seed % 5], cause = 0, c;
        /* a cause the simulator accepts for the protocol */
        for (c = 1 + (seed / 5) % LKR__CAUSE_COUNT; cause == 0; c = c % LKR__CAUSE_COUNT + 1) {
            if (lkr__causes[c].protocols & (1u << proto)) cause = c;
        }
        rig_new(&r, proto, cause, (seed & 1 ? LKR_SIM_F_PROBE : 0) | (seed & 2 ? LKR_SIM_F_RUN_STEPS : 0) |
                                      LKR_SIM_F_CODES | (seed & 4 ? LKR_SIM_F_PARTIAL_FACTS : 0),
                seed, NULL);
    }
    lkr_session_config_init(&cfg);
    /* The lock's callbacks (what a step may use decides what is offered),
     * on a clock held where the session stood when it saved. */
    still = r.t;
    still.now_ms = frozen_clock;
    for (n = 0; n < 120; n++) {
        lkr_action a = LKR_ACTION_INIT, b = LKR_ACTION_INIT;
        lkr_session *x = NULL;
        size_t len = 0, len2 = 0;
        ck_assert_int_eq(lkr_session_next(r.s, &a), LKR_OK);
        frozen_ms = r.t.now_ms(r.t.ctx);
        ck_assert_int_eq(lkr_session_save(r.s, blob, sizeof(blob), &len), LKR_OK);
        ck_assert_msg(lkr_session_load(&cfg, &still, blob, len, &x) == LKR_OK, "seed %u: a reached state does not load (phase %u)",
                      seed, r.s->phase);
        ck_assert_int_eq(lkr_session_save(x, again, sizeof(again), &len2), LKR_OK);
        ck_assert(len == len2 && memcmp(blob, again, len) == 0);
        ck_assert_int_eq(lkr_session_attach_vault(x, r.v), LKR_OK); /* as the host does after a load */
        ck_assert_int_eq(lkr_session_next(x, &b), LKR_OK);
        ck_assert_msg(a.kind == b.kind && a.step == b.step && a.phase == b.phase && a.state == b.state &&
                          a.question == b.question && a.unmet_guards == b.unmet_guards && a.tier == b.tier,
                      "seed %u: decides differently after a load: kind %u/%u step %u/%u phase %u/%u state %u/%u q %u/%u unmet %x/%x tier %u/%u",
                      seed, a.kind, b.kind, a.step, b.step, a.phase, b.phase, a.state, b.state, a.question, b.question,
                      a.unmet_guards, b.unmet_guards, a.tier, b.tier);
        lkr_session_free(x);
        states++;
        if (lkr_action_is_final(&a)) break;
        rnd = rnd * 1103515245u + 12345u;
        switch ((rnd >> 16) % 16) {
        case 0: {
            lkr_observations o;
            lkr_observations_init(&o);
            o.update_state = (uint8_t)((rnd >> 8) % (LKR_UPDATE_STATE_MAX + 1));
            ignore(lkr_session_observe(r.s, &o));
            break;
        }
        case 1:
            ignore(lkr_session_waive(r.s, LKR_WAIVE_STEP, a.step != 0 ? a.step : 1 + (rnd >> 4) % LKR__STEP_COUNT,
                                    "not possible here"));
            break;
        case 2:
            ignore(lkr_session_waive(r.s, LKR_WAIVE_TIER, 1 + (rnd >> 4) % LKR__TIER_COUNT, "not possible here"));
            break;
        case 3:
            ignore(lkr_session_confirm(r.s, 1 + (rnd >> 4) % LKR__GUARD_COUNT, (int)((rnd >> 9) & 1)));
            break;
        case 4:
            if ((rnd >> 4) % 8 == 0) ignore(lkr_session_abort(r.s));
            break;
        default:
            if (lkr_sim_respond(r.sim, r.s, &a) != LKR_OK) n = 1000;
            break;
        }
    }
    ck_assert_uint_gt(states, 0);
    rig_free(&r);
}
END_TEST

/* The person's notes stood in for the code backup (no reader, codes_noted)
 * and a re-pair that may erase codes began on them: the notes cannot be
 * withdrawn (they are what the codes come back from), and the session saves
 * and loads as it is. */
START_TEST(notes_a_step_began_on_are_kept)
{
    unsigned seed;
    int reached = 0;
    for (seed = 1; seed <= 40; seed++) {
        lkr_sim_config sc;
        lkr_sim *sim;
        lkr_transport t;
        lkr_profile p;
        lkr_observations o;
        lkr_session_config cfg;
        lkr_session *s;
        lkr_action a = LKR_ACTION_INIT;
        int n;
        lkr_sim_config_init(&sc);
        sc.protocol = 1 + seed % 5;
        sc.cause_count = 1;
        sc.causes[0] = seed % 2 ? LKR_CAUSE_HUB_SESSION_MISMATCH : LKR_CAUSE_HARDWARE_FAILURE;
        sc.repair_erases_codes = LKR_YES;
        sc.flags = LKR_SIM_F_PROBE;
        sc.seed = seed;
        ck_assert_int_eq(lkr_sim_new(&sc, NULL, &sim), LKR_OK);
        ck_assert_int_eq(lkr_sim_transport(sim, &t), LKR_OK);
        ck_assert_int_eq(lkr_sim_profile(sim, &p), LKR_OK);
        ck_assert_int_eq(lkr_sim_observations(sim, &o), LKR_OK);
        lkr_session_config_init(&cfg);
        cfg.profile = &p;
        cfg.observations = &o;
        ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_OK);
        for (n = 0; n < 400; n++) {
            ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
            if (lkr_action_is_final(&a)) break;
            if ((s->confirmed & LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED)) && s->cur_step != 0 &&
                s->phase != LKR__P_BLOCKED &&
                (lkr__step_guards(s->cur_step, p.protocol) & LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE))) {
                static uint8_t blob[LKR_SESSION_BLOB_MAX];
                lkr_session_config lc;
                lkr_session *x = NULL;
                size_t need = 0;
                ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_CODES_NOTED, 0), LKR_E_STATE);
                ck_assert(s->confirmed & LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED));
                ck_assert_int_eq(lkr_session_save(s, blob, sizeof(blob), &need), LKR_OK);
                lkr_session_config_init(&lc);
                ck_assert_int_eq(lkr_session_load(&lc, &t, blob, need, &x), LKR_OK);
                lkr_session_free(x);
                reached++;
                break;
            }
            if (lkr_sim_respond(sim, s, &a) != LKR_OK) break;
        }
        lkr_session_free(s);
        lkr_sim_free(sim);
    }
    ck_assert_int_gt(reached, 5);
}
END_TEST

static Suite *forged_suite(void)
{
    Suite *s = suite_create("forged");
    TCase *f = tcase_create("forged");
    TCase *p = tcase_create("reached");
    tcase_add_test(f, forged_version_question_without_a_step_is_refused);
    tcase_add_test(f, forged_reset_without_backup_is_refused);
    tcase_add_test(f, forged_recoveries_are_refused);
    tcase_add_test(f, forged_inconsistencies_are_refused);
    tcase_add_test(f, notes_a_step_began_on_are_kept);
    tcase_add_test(f, another_locks_vault_is_refused);
    tcase_add_test(f, blob_digest_is_keyed);
    tcase_add_test(f, sealed_blobs);
    tcase_add_test(f, format_1_blob_upgrades_its_digest_on_attach);
    suite_add_tcase(s, f);
    tcase_add_test(p, step_in_hand_survives_new_facts);
    tcase_add_loop_test(p, every_reached_state_round_trips, 0, 2000);
    suite_add_tcase(s, p);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(forged_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
