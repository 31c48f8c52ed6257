/*
 * fuzz_load: lkr_session_load() on a mutated blob, then every public session
 * function on what loaded, with a simulated lock's transport.
 *
 * Input: 1 mode byte, then the blob. Unless mode bit 0 is clear, the blob's
 * length field and trailing CRC-32 are recomputed before loading: a CRC is
 * no defence against someone who writes the file, so the loader's content
 * checks are what must hold, and almost no mutation would reach them
 * otherwise. Bit 1: the blob is then wrapped in a sealed frame and loaded
 * through an identity keystore (which authenticates nothing, so the sealed
 * frame's own checks are reached); the sessions then save sealed too.
 * Bits 2-7 seed the walk below.
 *
 * A blob that loads must survive, each on a fresh load of the same bytes:
 * next, status, beliefs, history, waivers, both reports, answer (the question
 * out, and others), report (the step in hand, the step verified, others, with
 * every outcome), observe, tick, probe_done, confirm, waive, abort, attach a
 * vault, and a walk of operations; after each, the session must save, and
 * what it saves must load again and decide the same next action.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "session_int.h"
#include "lockrecover/lockrecover.h"
#include "lockrecover/sim.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct ctx {
    lkr_transport t;
    lkr_session_config cfg;
    const uint8_t *blob;
    size_t len;
    uint32_t rng;
} ctx;

static uint32_t rnd(ctx *c)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 17;
    c->rng ^= c->rng << 5;
    return c->rng;
}

static int same_action(const lkr_action *a, const lkr_action *b)
{
    return a->kind == b->kind && a->state == b->state && a->step == b->step && a->tier == b->tier &&
           a->phase == b->phase && a->question == b->question && a->unmet_guards == b->unmet_guards &&
           a->detail == b->detail && a->wait_s == b->wait_s && a->wait_until_ms == b->wait_until_ms;
}

static uint64_t fixed_clock(void *ctx)
{
    (void)ctx;
    return UINT64_MAX; /* never behind a saved clock: loading leaves it as saved */
}

/* Whatever the session went through, it saves; what it saves loads, saves
 * the same bytes again, and decides alike loaded twice. The simulated lock
 * answers by its own state, so the decisions are compared on a transport
 * with nothing but a clock that stands still. */
static void round_trip(ctx *c, lkr_session *s, const char *after)
{
    static uint8_t blob[LKR_SESSION_BLOB_MAX], again[LKR_SESSION_BLOB_MAX];
    lkr_action a = LKR_ACTION_INIT, b = LKR_ACTION_INIT;
    lkr_transport still;
    lkr_session *x = NULL, *y = NULL;
    size_t need = 0, need2 = 0;
    lkr_transport_init(&still);
    still.now_ms = fixed_clock;
    still.seal = c->t.seal;
    still.unseal = c->t.unseal;
    FZ_CHECK(lkr_session_next(s, &a) == LKR_OK, "next");
    FZ_CHECK(a.kind >= LKR_ACTION_ASK && a.kind <= LKR_ACTION_ABORTED, "action kind out of its set");
    FZ_CHECK(a.state >= LKR_STATE_TRIAGE && a.state <= LKR_STATE_ABORTED, "action state out of its set");
    if (a.kind == LKR_ACTION_RECOVERED) {
        lkr_session_info info = LKR_SESSION_INFO_INIT;
        FZ_CHECK(lkr_session_status(s, &info) == LKR_OK, "status");
        FZ_CHECK(info.codes_missing == 0, "recovered with codes missing");
    }
    FZ_CHECK(lkr_session_save(s, blob, sizeof(blob), &need) == LKR_OK, "save after an operation");
    FZ_CHECK(lkr_session_load(&c->cfg, &c->t, blob, need, &x) == LKR_OK, "a saved blob does not load again");
    lkr_session_free(x);
    x = NULL;
    FZ_CHECK(lkr_session_load(&c->cfg, &still, blob, need, &x) == LKR_OK, "a saved blob does not load again");
    FZ_CHECK(lkr_session_save(x, again, sizeof(again), &need2) == LKR_OK, "save of the reloaded session");
    FZ_CHECK(need == need2 && memcmp(blob, again, need) == 0, "save(load(b)) != b");
    FZ_CHECK(lkr_session_load(&c->cfg, &still, again, need2, &y) == LKR_OK, "a saved blob does not load again");
    FZ_CHECK(lkr_session_next(x, &a) == LKR_OK, "next on the reloaded session");
    FZ_CHECK(lkr_session_next(y, &b) == LKR_OK, "next on the reloaded session");
    if (!same_action(&a, &b)) {
        fprintf(stderr, "after %s: kind %u/%u step %u/%u tier %u/%u\n", after, a.kind, b.kind, a.step, b.step,
                a.tier, b.tier);
    }
    FZ_CHECK(same_action(&a, &b), "the reloaded session decides differently");
    lkr_session_free(x);
    lkr_session_free(y);
}

/* The first promise: a step guarded by the code backup was begun only with
 * a backup bound to the session (the backup step, done by the host's vault,
 * earlier in the history; or a verified backup the host made that matched
 * the lock, or the host's records for a lock that could not be read: these
 * leave only the session's digest, which nothing clears); "recovered" after
 * a step that erases codes only with that backup. */
static void code_evidence(lkr_session *s, const lkr_session_info *info)
{
    lkr_history_entry h = LKR_HISTORY_ENTRY_INIT;
    uint32_t i;
    int backup = s->has_vault_digest != LKR__DIGEST_NONE;
    for (i = 0; lkr_session_history(s, i, &h) == LKR_OK; i++) {
        const lkr__step_def *d = &lkr__steps[h.step];
        int begun = h.outcome != LKR_OUTCOME_WAIVED;
        if (h.step == LKR_STEP_REPAIR_BACKUP_CODES && h.outcome == LKR_OUTCOME_DONE && h.by_host) {
            backup = 1;
        }
        FZ_CHECK(!begun || !(d->guards & LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP)) || backup,
                 "a step guarded by the code backup was begun without it");
        FZ_CHECK(info->state != LKR_STATE_RECOVERED || !(d->destroys & LKR_DESTROYS_CODES) || backup,
                 "recovered after erasing codes with no backup");
    }
    FZ_CHECK(info->state != LKR_STATE_RECOVERED || i > 0, "recovered with an empty history");
}

static void queries(lkr_session *s)
{
    static char report[65536];
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    lkr_history_entry h = LKR_HISTORY_ENTRY_INIT;
    lkr_waiver w = LKR_WAIVER_INIT;
    size_t need = 0;
    uint32_t i;
    FZ_CHECK(lkr_session_status(s, &info) == LKR_OK, "status of a loaded session");
    FZ_CHECK(info.state >= LKR_STATE_TRIAGE && info.state <= LKR_STATE_ABORTED, "loaded state out of its set");
    code_evidence(s, &info);
    FZ_CHECK(lkr_session_beliefs(s, &d) == LKR_OK, "beliefs");
    for (i = 0; i <= LKR_HISTORY_MAX; i++) {
        fz_ignore(lkr_session_history(s, i, &h));
    }
    for (i = 0; i <= LKR_WAIVERS_MAX; i++) {
        fz_ignore(lkr_session_waiver(s, i, &w));
    }
    FZ_CHECK(lkr_session_report_json(s, report, sizeof(report), &need) == LKR_OK, "report of a loaded session");
    FZ_CHECK(strlen(report) + 1 == need, "report length");
    FZ_CHECK(lkr_session_report_text(s, report, sizeof(report), &need) == LKR_OK, "text report");
}

enum {
    F_NEXT, F_ANSWER, F_REPORT_CUR, F_REPORT_ANY, F_OBSERVE, F_TICK, F_PROBE_OK, F_PROBE_FAIL, F_CONFIRM,
    F_WAIVE_TIER, F_WAIVE_STEP, F_ABORT, F_ATTACH, F_COUNT
};

static void op(ctx *c, lkr_session *s, lkr_vault *v, uint32_t f)
{
    lkr_action a = LKR_ACTION_INIT;
    lkr_observations o;
    lkr_probe_result pr;
    uint32_t r = rnd(c);
    fz_ignore(lkr_session_next(s, &a));
    switch (f) {
    case F_NEXT:
        break;
    case F_ANSWER:
        fz_ignore(lkr_session_answer(s, (r & 1) ? a.question : 1 + (r >> 1) % LKR_QUESTION_MAX,
                                     (int32_t)((r >> 8) % 6) - 1));
        break;
    case F_REPORT_CUR:
        fz_ignore(lkr_session_report(s, a.step, LKR_OUTCOME_FIXED + r % LKR_OUTCOME_FAILED));
        break;
    case F_REPORT_ANY:
        fz_ignore(lkr_session_report(s, 1 + (r >> 4) % LKR__STEP_COUNT, LKR_OUTCOME_FIXED + r % LKR_OUTCOME_FAILED));
        break;
    case F_OBSERVE:
        lkr_observations_init(&o);
        switch (r % 5) {
        case 0: o.update_state = (uint8_t)((r >> 4) % (LKR_UPDATE_STATE_MAX + 1)); break;
        case 1: memcpy(o.fw_now, "9.9.9", 6); break;
        case 2: o.keypad_lights = (uint8_t)((r >> 4) % 3); break;
        case 3: memcpy(o.error_code, "E42", 4); break;
        default: o.battery_pct = (int32_t)((r >> 4) % 101); break;
        }
        fz_ignore(lkr_session_observe(s, &o));
        break;
    case F_TICK:
        fz_ignore(lkr_session_tick(s));
        break;
    case F_PROBE_OK:
        memset(&pr, 0, sizeof(pr));
        pr.struct_size = (uint32_t)sizeof(pr);
        pr.reachable = (uint8_t)(r % 3);
        pr.battery_pct = LKR_NUM_UNKNOWN;
        if (r & 8) memcpy(pr.fw_version, "9.9.9", 6);
        fz_ignore(lkr_session_probe_done(s, LKR_OK, &pr));
        break;
    case F_PROBE_FAIL:
        fz_ignore(lkr_session_probe_done(s, LKR_E_TRANSPORT, NULL));
        break;
    case F_CONFIRM:
        fz_ignore(lkr_session_confirm(s, 1 + r % LKR__GUARD_COUNT, (int)((r >> 8) & 1)));
        break;
    case F_WAIVE_TIER:
        fz_ignore(lkr_session_waive(s, LKR_WAIVE_TIER, 1 + r % LKR__TIER_COUNT, "not here"));
        break;
    case F_WAIVE_STEP:
        fz_ignore(lkr_session_waive(s, LKR_WAIVE_STEP, (r & 1) && a.step ? a.step : 1 + (r >> 1) % LKR__STEP_COUNT,
                                    "not here"));
        break;
    case F_ABORT:
        fz_ignore(lkr_session_abort(s));
        break;
    default:
        fz_ignore(lkr_session_attach_vault(s, v));
        break;
    }
}

static lkr_session *load(ctx *c)
{
    lkr_session *s = NULL;
    FZ_CHECK(lkr_session_load(&c->cfg, &c->t, c->blob, c->len, &s) == LKR_OK, "the same bytes load once, not twice");
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t input[LKR_SESSION_BLOB_MAX + 64], sealed[LKR_SESSION_BLOB_MAX + 64];
    lkr_sim_config sc;
    lkr_sim *sim = NULL;
    lkr_vault *v = NULL;
    lkr_session *s = NULL;
    ctx c;
    uint8_t mode;
    uint32_t f, k;
    lkr_status st;

    if (size == 0) {
        return 0;
    }
    memset(&c, 0, sizeof(c));
    /* a Z-Wave lock: every callback present (probe, run_step, codes) */
    lkr_sim_config_init(&sc);
    sc.protocol = LKR_PROTOCOL_ZWAVE;
    sc.cause_count = 1;
    sc.causes[0] = LKR_CAUSE_HUB_SESSION_MISMATCH;
    sc.seed = 7;
    FZ_CHECK(lkr_sim_new(&sc, NULL, &sim) == LKR_OK, "sim");
    FZ_CHECK(lkr_sim_transport(sim, &c.t) == LKR_OK, "sim transport");
    /* Blobs in clear: the content checks are under test, not a keystore. */
    c.t.seal = NULL;
    c.t.unseal = NULL;
    FZ_CHECK(lkr_vault_new(NULL, &v) == LKR_OK, "vault");
    lkr_session_config_init(&c.cfg);

    mode = data[0];
    c.blob = data + 1;
    c.len = size - 1;
    c.rng = 0x9E3779B9u ^ ((uint32_t)(mode >> 2) * 0x01000193u);
    if (!(mode & 1u) && c.len >= 16 && c.len <= sizeof(input)) {
        uint32_t crc, len = (uint32_t)c.len;
        memcpy(input, c.blob, c.len);
        input[8] = (uint8_t)len;
        input[9] = (uint8_t)(len >> 8);
        input[10] = (uint8_t)(len >> 16);
        input[11] = (uint8_t)(len >> 24);
        crc = lkr__crc32(input, c.len - 4);
        input[c.len - 4] = (uint8_t)crc;
        input[c.len - 3] = (uint8_t)(crc >> 8);
        input[c.len - 2] = (uint8_t)(crc >> 16);
        input[c.len - 1] = (uint8_t)(crc >> 24);
        c.blob = input;
    }
    if ((mode & 2u) && c.len + 16 <= sizeof(sealed)) {
        uint32_t crc, len = (uint32_t)c.len + 16;
        memcpy(sealed, "LKRS", 4);
        sealed[4] = LKR_SESSION_FORMAT_VERSION;
        sealed[5] = 0;
        sealed[6] = 1; /* sealed */
        sealed[7] = 0;
        sealed[8] = (uint8_t)len;
        sealed[9] = (uint8_t)(len >> 8);
        sealed[10] = (uint8_t)(len >> 16);
        sealed[11] = (uint8_t)(len >> 24);
        memcpy(sealed + 12, c.blob, c.len);
        crc = lkr__crc32(sealed, len - 4);
        sealed[len - 4] = (uint8_t)crc;
        sealed[len - 3] = (uint8_t)(crc >> 8);
        sealed[len - 2] = (uint8_t)(crc >> 16);
        sealed[len - 1] = (uint8_t)(crc >> 24);
        c.blob = sealed;
        c.len = len;
        c.t.seal = fz_identity_seal;
        c.t.unseal = fz_identity_seal;
    }
    st = lkr_session_load(&c.cfg, &c.t, c.blob, c.len, &s);
    if (getenv("FZ_TRACE") != NULL) {
        fprintf(stderr, "load (%s): %s\n", (mode & 2u) ? "sealed" : "clear", lkr_status_name(st));
    }
    if (st != LKR_OK) {
        FZ_CHECK(st < 0, "load failed with a non-error status");
        FZ_CHECK(s == NULL, "a failed load set its output");
        lkr_vault_free(v);
        lkr_sim_free(sim);
        return 0;
    }
    FZ_CHECK(c.len <= LKR_SESSION_BLOB_MAX, "loaded a blob longer than the maximum");
    queries(s);
    round_trip(&c, s, "load");
    lkr_session_free(s);

    /* Every function once, each on a fresh load. */
    for (f = 0; f < F_COUNT; f++) {
        s = load(&c);
        op(&c, s, v, f);
        queries(s);
        round_trip(&c, s, "one operation");
        lkr_session_free(s);
    }
    /* A walk: operations in the order the mode's bits choose. */
    s = load(&c);
    for (k = 0; k < 12; k++) {
        op(&c, s, v, rnd(&c) % F_COUNT);
        round_trip(&c, s, "a walk");
    }
    queries(s);
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(sim);
    return 0;
}
