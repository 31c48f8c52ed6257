/*
 * gen_seeds: writes the seed corpora under fuzz/corpus/<harness>/ (run once
 * from the repository root; the output is committed). Each seed is small and
 * means something: a lock of each protocol walked by the simulated person, a
 * session saved at several points of its life, a real sealed vault export.
 * Vault exports and blobs that record a backup hold the vault's random digest
 * key or a digest under it, so they differ from run to run: commit only new
 * seeds, not the churn of the old ones.
 *
 *   cc -std=c99 -Iinclude -Ilib fuzz/gen_seeds.c build/liblockrecover.a -lm -o gen_seeds
 *   ./gen_seeds fuzz/corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_int.h"
#include "lockrecover/lockrecover.h"
#include "lockrecover/sim.h"

#include "fuzz_common.h"

static const char *root;
static int written;

/* fuzz_load and fuzz_vault_import take a mode byte first (fuzz_load: 0 recomputes the
 * checksum, bits 1-7 seed its walk; fuzz_vault_import: 1 fixes the checksum up). */
static void put_mode(const char *harness, const char *name, uint8_t mode, const void *p, size_t n);

static void put(const char *harness, const char *name, const void *p, size_t n)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s/%s", root, harness, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n) {
        fprintf(stderr, "cannot write %s (does %s/%s exist?)\n", path, root, harness);
        exit(1);
    }
    fclose(f);
    written++;
}

static void put_mode(const char *harness, const char *name, uint8_t mode, const void *p, size_t n)
{
    static uint8_t buf[16384];
    if (n + 1 > sizeof(buf)) exit(1);
    buf[0] = mode;
    memcpy(buf + 1, p, n);
    put(harness, name, buf, n + 1);
}

/* ---- fuzz_events: the format of fuzz/fuzz_events.c --------------------------------- */

typedef struct seed {
    uint8_t b[512];
    size_t n;
} seed;

static void add(seed *s, uint8_t v)
{
    if (s->n < sizeof(s->b)) s->b[s->n++] = v;
}

/* version, protocol, cause count, raw flag, 4 cause picks, ecosystems, sim
 * flags, codes, tri-states, battery, seed (8), transport mode, faults,
 * start mode */
static void header(seed *s, uint8_t protocol, uint8_t cause, uint8_t eco, uint8_t flags, uint8_t tris,
                   uint8_t nfaults, const uint8_t *faults, uint8_t start)
{
    uint8_t i;
    s->n = 0;
    add(s, 1);
    add(s, (uint8_t)(protocol - 1));
    add(s, 0);
    add(s, 0);
    add(s, cause);
    add(s, 0);
    add(s, 0);
    add(s, 0);
    add(s, eco);
    add(s, flags);
    add(s, 5);
    add(s, tris);
    add(s, 255);
    for (i = 0; i < 8; i++) add(s, (uint8_t)(7 + i));
    add(s, 0); /* every callback */
    add(s, nfaults);
    for (i = 0; i < 2 * nfaults; i++) add(s, faults[i]);
    add(s, start);
}

static void events_seeds(void)
{
    static const uint8_t no_faults[1] = { 0 };
    /* run_step pending at its 1st call; probe garbage at its 2nd; write_code fails once */
    static const uint8_t faults[6] = { 1 + 6 * 1, 0, 0 + 6 * 4, 1, 3 + 6 * 0, 0 };
    seed s;
    char name[64];
    uint8_t p, i;

    for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
        /* walk it to the end with a vault attached, saving and loading on the way */
        header(&s, p, (uint8_t)(p * 3), 0x06, 0x07, 9 * 1 + 3 * 2, 0, no_faults, 0x40);
        for (i = 0; i < 6; i++) {
            add(&s, OP_DRIVE);
            add(&s, 31);
            add(&s, OP_ROUND_TRIP);
        }
        add(&s, OP_QUERIES);
        add(&s, 1);
        snprintf(name, sizeof(name), "walk-%s", lkr_protocol_name(p));
        put("fuzz_events", name, s.b, s.n);
    }
    /* a Z-Wave lock whose person refuses guards, with faults, pending work and a waiver */
    header(&s, LKR_PROTOCOL_ZWAVE, 0, 0x02, 0x07 | 0x20, 3 * 2, 3, faults, 0x41);
    add(&s, 0x11); add(&s, 0x06); add(&s, 0x20); add(&s, 0x30); add(&s, 4); add(&s, 0x00);
    for (i = 0; i < 4; i++) {
        add(&s, OP_DRIVE); add(&s, 8);
        add(&s, OP_DONE_STEP); add(&s, 2);
        add(&s, OP_DONE_PROBE); add(&s, 0);
        add(&s, OP_ADVANCE); add(&s, 0xFF); add(&s, 0x7F); add(&s, 1);
    }
    add(&s, OP_WAIVE); add(&s, 1); add(&s, LKR_TIER_ECOSYSTEM); add(&s, 10);
    for (i = 0; i < 10; i++) add(&s, (uint8_t)("no hub 1234"[i] - 32));
    add(&s, OP_ROUND_TRIP);
    add(&s, OP_DRIVE); add(&s, 31);
    add(&s, OP_QUERIES); add(&s, 0);
    put("fuzz_events", "zwave-faults", s.b, s.n);
    /* a Wi-Fi lock with a bridge and partial facts: questions, answers, observe */
    header(&s, LKR_PROTOCOL_WIFI, 2, 0x7E, 0x07 | 0x40, 2 + 3 * 2, 0, no_faults, 0x60);
    for (i = 0; i < 6; i++) {
        add(&s, OP_NEXT);
        add(&s, OP_ANSWER_CUR); add(&s, (uint8_t)(i + 1));
    }
    add(&s, OP_OBSERVE); add(&s, 1); add(&s, 8); add(&s, 2);
    add(&s, OP_CONFIRM); add(&s, LKR_GUARD_DOOR_OPEN); add(&s, 1);
    add(&s, OP_CONFIRM); add(&s, LKR_GUARD_DOOR_OPEN); add(&s, 0);
    add(&s, OP_DRIVE); add(&s, 31);
    add(&s, OP_CLOCK_BACK); add(&s, 0x10); add(&s, 0x27);
    add(&s, OP_ROUND_TRIP);
    add(&s, OP_ABORT);
    add(&s, OP_NEXT);
    put("fuzz_events", "wifi-questions-abort", s.b, s.n);
    /* a Matter lock with a flaky code table and a lock that drops a restored code */
    header(&s, LKR_PROTOCOL_MATTER, 1, 0x02, 0x07 | 0x08 | 0x10, 3 * 2, 0, no_faults, 0x40);
    for (i = 0; i < 8; i++) {
        add(&s, OP_DRIVE); add(&s, 31);
        add(&s, OP_VAULT_SWAP);
        add(&s, OP_VAULT_DIRECT); add(&s, i);
    }
    put("fuzz_events", "matter-flaky-codes", s.b, s.n);
    /* a BLE lock with a re-pair that erases codes, and no probe: the person verifies */
    header(&s, LKR_PROTOCOL_BLE, 4, 0x00, 0x06, 3 * 2 + 9 * 2, 0, no_faults, 0x40);
    for (i = 0; i < 10; i++) {
        add(&s, OP_DRIVE); add(&s, 31);
        add(&s, OP_TICK);
    }
    put("fuzz_events", "ble-repair-erases", s.b, s.n);
    /* an invalid profile (the validation path) */
    header(&s, LKR_PROTOCOL_ZIGBEE, 0, 0, 0x07, 6, 0, no_faults, 0x18);
    add(&s, 3);
    put("fuzz_events", "invalid-profile", s.b, s.n);
}

/* ---- fuzz_load: real blobs ----------------------------------------------------------- */

static void load_and_vault_seeds(void)
{
    static const struct { uint32_t protocol, cause, flags; } locks[] = {
        { LKR_PROTOCOL_ZWAVE, LKR_CAUSE_HUB_SESSION_MISMATCH, 0x07 },
        { LKR_PROTOCOL_WIFI, LKR_CAUSE_WIFI_STACK_CRASH, 0x07 | 0x40 },
        { LKR_PROTOCOL_BLE, LKR_CAUSE_BATTERIES_DEPLETED, 0x06 },
        { LKR_PROTOCOL_MATTER, LKR_CAUSE_THREAD_MESH_LOST, 0x07 | 0x20 },
        { LKR_PROTOCOL_ZIGBEE, LKR_CAUSE_HARDWARE_FAILURE, 0x07 },
    };
    static const uint32_t save_at[] = { 0, 2, 6, 15, 1000 };
    size_t k, j;
    char name[64];
    for (k = 0; k < sizeof(locks) / sizeof(locks[0]); k++) {
        lkr_sim_config sc;
        lkr_sim *sim;
        lkr_transport t;
        lkr_profile p;
        lkr_observations o;
        lkr_session_config cfg;
        lkr_session *s;
        lkr_vault *v;
        lkr_action a = LKR_ACTION_INIT;
        uint8_t blob[LKR_SESSION_BLOB_MAX];
        uint8_t sealed[8192];
        size_t need;
        uint32_t n = 0;

        lkr_sim_config_init(&sc);
        sc.protocol = locks[k].protocol;
        sc.cause_count = 1;
        sc.causes[0] = locks[k].cause;
        sc.flags = locks[k].flags;
        sc.ecosystems = LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_GOOGLE);
        sc.code_count = (uint32_t)(2 + k);
        sc.seed = 11 + k;
        if (lkr_sim_new(&sc, NULL, &sim) != LKR_OK || lkr_sim_transport(sim, &t) != LKR_OK ||
            lkr_sim_profile(sim, &p) != LKR_OK || lkr_sim_observations(sim, &o) != LKR_OK) {
            fprintf(stderr, "sim setup failed\n");
            exit(1);
        }
        lkr_session_config_init(&cfg);
        cfg.profile = &p;
        cfg.observations = &o;
        t.seal = NULL; /* blobs in clear: fuzz_load loads them without a keystore */
        t.unseal = NULL;
        if (lkr_session_new(&cfg, &t, &s) != LKR_OK || lkr_vault_new(NULL, &v) != LKR_OK ||
            lkr_session_attach_vault(s, v) != LKR_OK) {
            fprintf(stderr, "session setup failed\n");
            exit(1);
        }
        for (j = 0; j < sizeof(save_at) / sizeof(save_at[0]); j++) {
            while (n < save_at[j] && lkr_session_next(s, &a) == LKR_OK && !lkr_action_is_final(&a)) {
                if (lkr_sim_respond(sim, s, &a) != LKR_OK) break;
                n++;
            }
            if (lkr_session_next(s, &a) != LKR_OK) break;
            if (lkr_session_save(s, blob, sizeof(blob), &need) == LKR_OK) {
                snprintf(name, sizeof(name), "%s-%u-%s", lkr_protocol_name(locks[k].protocol), (unsigned)n,
                         lkr_action_is_final(&a) ? "final" : "live");
                put_mode("fuzz_load", name, 0, blob, need);
                if (k == 0) { /* and loaded sealed (mode bit 1) */
                    strcat(name, "-sealed");
                    put_mode("fuzz_load", name, 2, blob, need);
                }
            }
            if (lkr_action_is_final(&a)) break;
        }
        /* the vault: a real backup of the lock, sealed by an identity keystore */
        t.seal = fz_identity_seal;
        t.unseal = fz_identity_seal;
        if (locks[k].protocol != LKR_PROTOCOL_MATTER && lkr_vault_backup(v, &t) == LKR_OK &&
            lkr_vault_export_sealed(v, &t, sealed, sizeof(sealed), &need) == LKR_OK) {
            snprintf(name, sizeof(name), "export-%s-%u", lkr_protocol_name(locks[k].protocol),
                     (unsigned)sc.code_count);
            put_mode("fuzz_vault_import", name, 1, sealed, need);
        }
        lkr_session_free(s);
        lkr_vault_free(v);
        lkr_sim_free(sim);
    }
    {
        /* an empty vault, and one with written-through codes and schedules */
        lkr_transport t;
        lkr_vault *v;
        lkr_code c;
        uint8_t sealed[8192];
        size_t need;
        lkr_transport_init(&t);
        t.seal = fz_identity_seal;
        t.unseal = fz_identity_seal;
        if (lkr_vault_new(NULL, &v) != LKR_OK) exit(1);
        if (lkr_vault_export_sealed(v, &t, sealed, sizeof(sealed), &need) == LKR_OK) {
            put_mode("fuzz_vault_import", "export-empty", 1, sealed, need);
        }
        lkr_code_init(&c);
        c.slot = 3;
        c.kind = LKR_CODE_TEMPORARY;
        c.weekdays = 0x60;
        c.day_start_min = 600;
        c.day_end_min = 720;
        c.valid_from_s = 1700000000u;
        c.valid_until_s = 1800000000u;
        memcpy(c.name, "cleaner", 8);
        memcpy(c.pin, "97531", 6);
        if (lkr_vault_record(v, &c) == LKR_OK &&
            lkr_vault_export_sealed(v, &t, sealed, sizeof(sealed), &need) == LKR_OK) {
            put_mode("fuzz_vault_import", "export-recorded-schedule", 1, sealed, need);
        }
        lkr_vault_free(v);
    }
}

/* ---- fuzz_load: forged blobs --------------------------------------------------------- */

/* Writes s as it is (a forged state, saved with a valid checksum). */
static void put_forged(const char *name, const lkr_session *s)
{
    uint8_t blob[LKR_SESSION_BLOB_MAX];
    size_t need = 0;
    if (lkr_session_save(s, blob, sizeof(blob), &need) != LKR_OK) exit(1);
    put_mode("fuzz_load", name, 1, blob, need);
}

/* States no session reaches, each what a forger wrote to reach a defect of
 * an earlier loader: the loader must refuse them (the harness then drives
 * every session function on whatever loads). */
static void forged_seeds(void)
{
    lkr_sim_config sc;
    lkr_sim *sim;
    lkr_transport t;
    lkr_profile p;
    lkr_observations o;
    lkr_session_config cfg;
    lkr_session *s, f;
    lkr_vault *v;
    lkr_action a = LKR_ACTION_INIT;
    uint32_t i;
    int n;
    lkr_sim_config_init(&sc);
    sc.protocol = LKR_PROTOCOL_ZWAVE;
    sc.cause_count = 1;
    sc.causes[0] = LKR_CAUSE_KEYPAD_DAMAGE;
    sc.flags = LKR_SIM_F_PROBE | LKR_SIM_F_CODES;
    sc.seed = 3;
    if (lkr_sim_new(&sc, NULL, &sim) != LKR_OK || lkr_sim_transport(sim, &t) != LKR_OK ||
        lkr_sim_profile(sim, &p) != LKR_OK || lkr_sim_observations(sim, &o) != LKR_OK) exit(1);
    t.seal = NULL;
    t.unseal = NULL;
    lkr_session_config_init(&cfg);
    cfg.profile = &p;
    cfg.observations = &o;
    if (lkr_session_new(&cfg, &t, &s) != LKR_OK || lkr_vault_new(NULL, &v) != LKR_OK ||
        lkr_session_attach_vault(s, v) != LKR_OK) exit(1);
    /* to the factory reset's hold, the vault's backup before it */
    for (n = 0; n < 300 && !(s->cur_step == LKR_STEP_RESET_FACTORY_RESET && s->phase == LKR__P_HOLD); n++) {
        if (lkr_session_next(s, &a) != LKR_OK || lkr_action_is_final(&a) || lkr_sim_respond(sim, s, &a) != LKR_OK) {
            fprintf(stderr, "the factory reset was not reached\n");
            exit(1);
        }
    }
    /* the version question with a stale history index (answering wrote past the session) */
    f = *s;
    f.phase = LKR__P_ASK;
    f.question = LKR_QUESTION_FIRMWARE_VERSION;
    f.need_fw = 1;
    f.hist[f.cur_hist].outcome = LKR_OUTCOME_NOT_FIXED;
    f.last_report = LKR_OUTCOME_NOT_FIXED;
    f.cur_step = 0;
    f.verify_step = 0;
    f.verify_hist = (uint8_t)(f.hist_count + 100);
    put_forged("regress-ask-stale-verify-index", &f);
    f = *s;
    f.phase = LKR__P_ASK;
    f.question = LKR_QUESTION_APP_STATUS;
    f.cur_hist = (uint8_t)(f.hist_count + 100);
    put_forged("regress-ask-stale-step-index", &f);
    /* the reset held without the vault's backup (its backup step failed) */
    f = *s;
    f.has_vault_digest = 0;
    for (i = 0; i < f.hist_count; i++) {
        if (f.hist[i].step == LKR_STEP_REPAIR_BACKUP_CODES) f.hist[i].outcome = LKR_OUTCOME_FAILED;
    }
    put_forged("regress-reset-hold-no-backup", &f);
    f.phase = LKR__P_RESUME;
    put_forged("regress-reset-resume-no-backup", &f);
    f.phase = LKR__P_VERIFY_ASK;
    f.cur_step = 0;
    put_forged("regress-verify-after-unbacked-reset", &f);
    /* recovered after a reset no backup preceded; recovered with no history */
    f = *s;
    f.hist[f.cur_hist].outcome = LKR_OUTCOME_FIXED;
    f.phase = LKR__P_FINAL;
    f.final_state = LKR_STATE_RECOVERED;
    f.cur_step = 0;
    f.verify_step = 0;
    f.codes_at_risk = 0;
    for (i = 0; i < f.hist_count; i++) {
        if (f.hist[i].step == LKR_STEP_REPAIR_BACKUP_CODES) f.hist[i].by_host = 0;
    }
    f.has_vault_digest = 0;
    put_forged("regress-recovered-after-unbacked-reset", &f);
    f.hist_count = 0;
    f.tried = 0;
    f.has_vault_digest = 0;
    put_forged("regress-recovered-empty-history", &f);
    /* states that loaded and then did not save */
    f = *s;
    f.verify_step = 0;
    put_forged("regress-step-in-hand-unverified", &f);
    f = *s;
    f.hist[f.hist_count] = f.hist[0];
    f.hist[f.hist_count].step = LKR_STEP_SUPPORT_CONTACT_MANUFACTURER;
    f.hist[f.hist_count].outcome = LKR_OUTCOME_HANDED_OVER;
    f.tried |= (uint64_t)1 << (LKR_STEP_SUPPORT_CONTACT_MANUFACTURER - 1);
    f.hist_count++;
    put_forged("regress-handover-in-live-history", &f);
    /* a waived tier without its record */
    f = *s;
    f.waived_tiers = (uint16_t)(1u << LKR_TIER_REPAIR);
    put_forged("regress-waived-tier-without-record", &f);
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(sim);
}

/* ---- fuzz_classify: mode byte, profile, observations, overrides ------------------------ */

static void classify_seeds(void)
{
    uint8_t p;
    char name[64];
    for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
        lkr_sim_config sc;
        lkr_sim *sim = NULL;
        lkr_profile prof;
        lkr_observations o;
        uint8_t buf[1 + sizeof(lkr_profile) + sizeof(lkr_observations) + 64];
        size_t n = 0;
        lkr_sim_config_init(&sc);
        sc.protocol = p;
        sc.cause_count = 1;
        sc.causes[0] = p == LKR_PROTOCOL_ZWAVE ? LKR_CAUSE_ZWAVE_DEEP_SLEEP : LKR_CAUSE_TRANSFER_STALL;
        sc.ecosystems = 0x1Eu;
        sc.seed = p;
        if (lkr_sim_new(&sc, NULL, &sim) != LKR_OK || lkr_sim_profile(sim, &prof) != LKR_OK ||
            lkr_sim_observations(sim, &o) != LKR_OK) {
            /* not every cause is possible on every protocol: a plain lock then */
            lkr_profile_init(&prof);
            prof.protocol = p;
            lkr_observations_init(&o);
            o.keypad_lights = LKR_NO;
        }
        lkr_sim_free(sim);
        buf[n++] = (uint8_t)(p == 3 ? 0x00 : 0x30); /* exact bytes, or normalised */
        memcpy(buf + n, &prof, sizeof(prof));
        n += sizeof(prof);
        memcpy(buf + n, &o, sizeof(o));
        n += sizeof(o);
        /* two override entries */
        buf[n++] = 2;
        memset(buf + n, 0, 2 * 21);
        n += 2 * 21;
        snprintf(name, sizeof(name), "sim-%s", lkr_protocol_name(p));
        put("fuzz_classify", name, buf, n);
    }
}

int main(int argc, char **argv)
{
    root = argc > 1 ? argv[1] : "fuzz/corpus";
    events_seeds();
    load_and_vault_seeds();
    forged_seeds();
    classify_seeds();
    printf("wrote %d seeds under %s\n", written, root);
    return 0;
}
