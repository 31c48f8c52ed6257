/*
 * lkr_exchange: saved sessions and sealed vault exports moving between
 * machines. The same program is built natively and for other targets (32-bit
 * ARM, big-endian s390x under qemu-user); ports/exchange/run.sh has each build
 * resume what another build saved and compares the decisions.
 *
 *   lkr_exchange save DIR
 *       For every scenario (each protocol x each cause possible on it, one
 *       seed), drives a simulated recovery, saves the session blob and the
 *       vault's sealed export halfway (DIR/NAME.blob, DIR/NAME.vault, the
 *       cut in DIR/NAME.cut), then goes on to the end and writes every
 *       decision after the cut, the final report and the vault's state to
 *       DIR/NAME.trace.
 *   lkr_exchange resume IN OUT
 *       For every scenario, brings a new simulated lock to the same point
 *       (same seed, same first actions, on a session it then drops), imports
 *       IN/NAME.vault, loads IN/NAME.blob, attaches the vault, goes on to the
 *       end and writes OUT/NAME.trace the same way.
 *
 * Traces never hold a PIN: vault lines carry slot, kind, state, name and the
 * vault's keyed digest only (keyed from a fixed sequence here, so every build
 * prints the same). Exit status 0 when every scenario ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lockrecover/lockrecover.h>

#define SEED 20261201u
#define MAX_ACTIONS 2000u
#define BUF_MAX 65536u

static int fail(const char *what, const char *name, lkr_status st)
{
    fprintf(stderr, "lkr_exchange: %s: %s: status %d\n", name, what, (int)st);
    return 1;
}

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(p, 1, n, f) == n;
    if (f != NULL && fclose(f) != 0) ok = 0;
    if (!ok) fprintf(stderr, "lkr_exchange: cannot write %s\n", path);
    return ok ? 0 : 1;
}

static int read_file(const char *path, void *p, size_t cap, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "lkr_exchange: cannot read %s\n", path);
        return 1;
    }
    *n = fread(p, 1, cap, f);
    fclose(f);
    return *n == cap; /* a file that fills the buffer is not one we wrote */
}

static lkr_status make_sim(uint32_t protocol, uint32_t cause, lkr_sim **out)
{
    lkr_sim_config cfg;
    lkr_sim_config_init(&cfg);
    cfg.protocol = protocol;
    cfg.causes[0] = cause;
    cfg.cause_count = 1;
    cfg.seed = (uint64_t)SEED * 1000003u + protocol * 101u + cause;
    return lkr_sim_new(&cfg, NULL, out);
}

/* The vault's digest key from a fixed sequence, so that two builds make
 * byte-identical exports and digests (a real host passes a secure source or
 * none: never this one). */
static lkr_status fixed_random(void *ctx, uint8_t *buf, size_t len)
{
    size_t i;
    (void)ctx;
    for (i = 0; i < len; i++) buf[i] = (uint8_t)(0xA5u ^ (i * 29u));
    return LKR_OK;
}

/* A session on the simulated lock with a vault attached, as lkr_sim_run()
 * sets one up (the simulator's locks read their PINs back). */
static lkr_status start(lkr_sim *sim, lkr_transport *t, lkr_session **s, lkr_vault **v)
{
    lkr_session_config cfg;
    lkr_vault_config vc = LKR_VAULT_CONFIG_INIT;
    lkr_profile p;
    lkr_observations o;
    lkr_status st;
    vc.random = fixed_random;
    *s = NULL;
    *v = NULL;
    if ((st = lkr_sim_transport(sim, t)) != LKR_OK || (st = lkr_sim_profile(sim, &p)) != LKR_OK ||
        (st = lkr_sim_observations(sim, &o)) != LKR_OK) {
        return st;
    }
    lkr_session_config_init(&cfg);
    cfg.profile = &p;
    cfg.observations = &o;
    if ((st = lkr_session_new(&cfg, t, s)) != LKR_OK) return st;
    if ((st = lkr_vault_new_ex(&vc, v)) != LKR_OK || (st = lkr_session_attach_vault(*s, *v)) != LKR_OK) {
        lkr_session_free(*s);
        lkr_vault_free(*v);
        *s = NULL;
        *v = NULL;
    }
    return st;
}

/* Drives up to @p n actions; *done gets how many ran, *final whether the last was final. */
static lkr_status drive(lkr_sim *sim, lkr_session *s, uint32_t n, FILE *trace, uint32_t *done, int *final)
{
    lkr_action a = LKR_ACTION_INIT;
    lkr_status st = LKR_OK;
    *done = 0;
    *final = 0;
    while (*done < n) {
        if ((st = lkr_session_next(s, &a)) != LKR_OK) return st;
        (*done)++;
        if (trace != NULL) {
            fprintf(trace, "action kind=%u state=%u step=%u tier=%u phase=%u question=%u unmet=%#x "
                           "detail=%#x wait_s=%u until=%llu\n",
                    a.kind, a.state, a.step, a.tier, a.phase, a.question, a.unmet_guards, a.detail,
                    a.wait_s, (unsigned long long)a.wait_until_ms);
        }
        if (lkr_action_is_final(&a)) {
            *final = 1;
            return LKR_OK;
        }
        if ((st = lkr_sim_respond(sim, s, &a)) != LKR_OK) return st;
    }
    return st;
}

static void put_vault(FILE *f, int at_end, const lkr_vault *v)
{
    lkr_vault_info vi = LKR_VAULT_INFO_INIT;
    uint32_t i;
    if (lkr_vault_status(v, &vi) != LKR_OK) {
        fprintf(f, "vault: status failed\n");
        return;
    }
    fprintf(f, "vault %s: count=%u verified=%u missing=%u digest=", at_end ? "end" : "at cut", vi.count, vi.verified, vi.missing);
    for (i = 0; i < sizeof(vi.digest); i++) fprintf(f, "%02x", vi.digest[i]);
    fputc('\n', f);
    for (i = 0; i < vi.count; i++) {
        lkr_code_info ci = LKR_CODE_INFO_INIT;
        if (lkr_vault_code(v, i, &ci) != LKR_OK) {
            fprintf(f, "code %u: failed\n", i);
            continue;
        }
        /* Not the slot's state: it tells what this vault's last verify
         * found, is not part of an export, and an imported vault has not
         * verified anything yet. */
        fprintf(f, "code %u: slot=%u kind=%u has_pin=%u name=%s\n", i, ci.slot, ci.kind, ci.has_pin, ci.name);
    }
}

/* The end of a trace: the session's status, its JSON report, the vault and the lock. */
static int finish_trace(FILE *f, const char *name, lkr_sim *sim, const lkr_session *s, const lkr_vault *v)
{
    static char json[BUF_MAX];
    lkr_session_info si = LKR_SESSION_INFO_INIT;
    lkr_sim_stats ss = LKR_SIM_STATS_INIT;
    size_t need = 0;
    lkr_status st;
    if ((st = lkr_session_status(s, &si)) != LKR_OK) return fail("status", name, st);
    fprintf(f, "status state=%u ladder=%u tier=%u symptom=%u triage=%#x held=%#x support=%#x history=%u "
               "waivers=%u tiers_done=%#x minutes=%u blocked=%#x missing=%u backup=%u\n",
            si.state, si.ladder, si.tier, si.symptom, si.triage, si.guards_held, si.support_reasons,
            si.history_count, si.waiver_count, si.tiers_done, si.person_minutes, si.guards_blocked,
            si.codes_missing, si.backup_verified);
    if ((st = lkr_session_report_json(s, json, sizeof(json), &need)) != LKR_OK) return fail("report", name, st);
    fprintf(f, "report %s\n", json);
    put_vault(f, 1, v);
    if ((st = lkr_sim_stats_get(sim, &ss)) != LKR_OK) return fail("sim stats", name, st);
    fprintf(f, "lock faults_left=%u performed=%u destructive=%u unsafe=%u codes=%u/%u lost=%u clock=%llu\n",
            ss.faults_left, ss.steps_performed, ss.destructive_acts, ss.unsafe_steps, ss.codes_now,
            ss.codes_before, ss.codes_lost, (unsigned long long)ss.clock_ms);
    return 0;
}

static int save_one(const char *dir, const char *name, uint32_t protocol, uint32_t cause)
{
    static unsigned char blob[LKR_SESSION_BLOB_MAX], sealed[BUF_MAX];
    char path[1024];
    lkr_sim *sim = NULL;
    lkr_transport t;
    lkr_session *s = NULL;
    lkr_vault *v = NULL;
    uint32_t total = 0, cut, done;
    int final, rc = 1;
    size_t blob_n = 0, sealed_n = 0;
    lkr_status st;
    FILE *f = NULL;

    /* A first run counts the actions; the cut is halfway, before the final one. */
    if ((st = make_sim(protocol, cause, &sim)) != LKR_OK) return fail("sim", name, st);
    if ((st = start(sim, &t, &s, &v)) != LKR_OK || (st = drive(sim, s, MAX_ACTIONS, NULL, &total, &final)) != LKR_OK) {
        rc = fail("counting run", name, st);
        goto out;
    }
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(sim);
    s = NULL;
    v = NULL;
    sim = NULL;
    cut = total / 2;

    if ((st = make_sim(protocol, cause, &sim)) != LKR_OK) return fail("sim", name, st);
    if ((st = start(sim, &t, &s, &v)) != LKR_OK || (st = drive(sim, s, cut, NULL, &done, &final)) != LKR_OK) {
        rc = fail("run to the cut", name, st);
        goto out;
    }
    if (done != cut || final) {
        fprintf(stderr, "lkr_exchange: %s: the second run differs from the first\n", name);
        goto out;
    }
    if ((st = lkr_session_save(s, blob, sizeof(blob), &blob_n)) != LKR_OK) {
        rc = fail("save", name, st);
        goto out;
    }
    if ((st = lkr_vault_export_sealed(v, &t, sealed, sizeof(sealed), &sealed_n)) != LKR_OK) {
        rc = fail("export", name, st);
        goto out;
    }
    (void)snprintf(path, sizeof(path), "%s/%s.blob", dir, name);
    if (write_file(path, blob, blob_n)) goto out;
    (void)snprintf(path, sizeof(path), "%s/%s.vault", dir, name);
    if (write_file(path, sealed, sealed_n)) goto out;
    (void)snprintf(path, sizeof(path), "%s/%s.cut", dir, name);
    if ((f = fopen(path, "w")) == NULL || fprintf(f, "%u\n", cut) < 0 || fclose(f) != 0) {
        fprintf(stderr, "lkr_exchange: cannot write %s\n", path);
        goto out;
    }
    (void)snprintf(path, sizeof(path), "%s/%s.trace", dir, name);
    if ((f = fopen(path, "w")) == NULL) {
        fprintf(stderr, "lkr_exchange: cannot write %s\n", path);
        goto out;
    }
    put_vault(f, 0, v);
    if ((st = drive(sim, s, MAX_ACTIONS, f, &done, &final)) != LKR_OK) {
        rc = fail("run after the cut", name, st);
    } else if (!final) {
        fprintf(stderr, "lkr_exchange: %s: no final action after %u actions\n", name, MAX_ACTIONS);
    } else {
        rc = finish_trace(f, name, sim, s, v);
    }
    if (fclose(f) != 0) rc = 1;
out:
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(sim);
    return rc;
}

static int resume_one(const char *in, const char *outdir, const char *name, uint32_t protocol, uint32_t cause)
{
    static unsigned char blob[LKR_SESSION_BLOB_MAX + 1], sealed[BUF_MAX];
    char path[1024];
    lkr_session_config cfg;
    lkr_sim *sim = NULL;
    lkr_transport t;
    lkr_session *s = NULL;
    lkr_vault *v = NULL;
    unsigned cut = 0;
    uint32_t done;
    int final, rc = 1;
    size_t blob_n = 0, sealed_n = 0;
    lkr_status st;
    FILE *f;

    (void)snprintf(path, sizeof(path), "%s/%s.cut", in, name);
    if ((f = fopen(path, "r")) == NULL || fscanf(f, "%u", &cut) != 1) {
        fprintf(stderr, "lkr_exchange: cannot read %s\n", path);
        if (f != NULL) fclose(f);
        return 1;
    }
    fclose(f);
    (void)snprintf(path, sizeof(path), "%s/%s.blob", in, name);
    if (read_file(path, blob, sizeof(blob), &blob_n)) return 1;
    (void)snprintf(path, sizeof(path), "%s/%s.vault", in, name);
    if (read_file(path, sealed, sizeof(sealed), &sealed_n)) return 1;

    /* The simulated lock, brought to where the saving machine's lock was. */
    if ((st = make_sim(protocol, cause, &sim)) != LKR_OK) return fail("sim", name, st);
    if ((st = start(sim, &t, &s, &v)) != LKR_OK || (st = drive(sim, s, cut, NULL, &done, &final)) != LKR_OK) {
        rc = fail("replay to the cut", name, st);
        goto out;
    }
    lkr_session_free(s);
    lkr_vault_free(v);
    s = NULL;
    v = NULL;

    if ((st = lkr_vault_new(NULL, &v)) != LKR_OK ||
        (st = lkr_vault_import_sealed(v, &t, sealed, sealed_n)) != LKR_OK) {
        rc = fail("import", name, st);
        goto out;
    }
    lkr_session_config_init(&cfg);
    if ((st = lkr_session_load(&cfg, &t, blob, blob_n, &s)) != LKR_OK) {
        rc = fail("load", name, st);
        goto out;
    }
    if ((st = lkr_session_attach_vault(s, v)) != LKR_OK) {
        rc = fail("attach", name, st);
        goto out;
    }
    (void)snprintf(path, sizeof(path), "%s/%s.trace", outdir, name);
    if ((f = fopen(path, "w")) == NULL) {
        fprintf(stderr, "lkr_exchange: cannot write %s\n", path);
        goto out;
    }
    put_vault(f, 0, v);
    if ((st = drive(sim, s, MAX_ACTIONS, f, &done, &final)) != LKR_OK) {
        rc = fail("run after the load", name, st);
    } else if (!final) {
        fprintf(stderr, "lkr_exchange: %s: no final action after %u actions\n", name, MAX_ACTIONS);
    } else {
        rc = finish_trace(f, name, sim, s, v);
    }
    if (fclose(f) != 0) rc = 1;
out:
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(sim);
    return rc;
}

int main(int argc, char **argv)
{
    uint32_t p, c, scenarios = 0;
    int save, failed = 0;
    if (argc < 3 || (strcmp(argv[1], "save") != 0 && strcmp(argv[1], "resume") != 0) ||
        (strcmp(argv[1], "resume") == 0 && argc != 4) || (strcmp(argv[1], "save") == 0 && argc != 3)) {
        fprintf(stderr, "usage: lkr_exchange save DIR | lkr_exchange resume IN OUT\n");
        return 2;
    }
    save = strcmp(argv[1], "save") == 0;
    for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
        for (c = 1; c <= lkr_cause_count(); c++) {
            lkr_cause_info ci = LKR_CAUSE_INFO_INIT;
            char name[96];
            if (lkr_cause_get(c, &ci) != LKR_OK || !(ci.protocols & LKR_PROTOCOL_BIT(p))) continue;
            (void)snprintf(name, sizeof(name), "%s-%s", lkr_protocol_name(p), ci.sid);
            failed += save ? save_one(argv[2], name, p, c) : resume_one(argv[2], argv[3], name, p, c);
            scenarios++;
        }
    }
    printf("lkr_exchange %s: %u scenarios, %d failed\n", argv[1], scenarios, failed);
    return failed == 0 && scenarios > 0 ? 0 : 1;
}
