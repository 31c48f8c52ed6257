/*
 * Resumable sessions: lkr_session_save() / lkr_session_load().
 * Save and load at every action of full recoveries on every protocol gives
 * the same status, beliefs, history and every later decision; the blob is
 * deterministic, bounded and never holds a PIN; truncated, oversized,
 * corrupt (every byte flipped) and future-version blobs are refused with
 * their own errors, leaving nothing allocated and *out untouched; a loaded
 * session accepts only the vault it backed up. docs/PERSISTENCE.md has the
 * format: "LKRS", u16 version LE @4, u16 flags @6, u32 length LE @8, ...,
 * CRC-32 (IEEE) LE of everything before it in the last 4 bytes.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "host_script.h"
#include "fake_lock.h"

#define REF_MAX 1000u
#define HEADER_LEN 12u

/* ---- the blob ------------------------------------------------------------- */

static uint32_t crc32_ieee(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v & 0xFFu);
    p[1] = (unsigned char)((v >> 8) & 0xFFu);
    p[2] = (unsigned char)((v >> 16) & 0xFFu);
    p[3] = (unsigned char)((v >> 24) & 0xFFu);
}

static void recrc(unsigned char *b, size_t n)
{
    put_u32(b + n - 4, crc32_ieee(b, n - 4));
}

/* Saves @p s (size query first, twice for determinism); checks the header. */
static unsigned char *save_blob(const lkr_session *s, size_t *n)
{
    size_t need = 0, got = 0;
    unsigned char *a, *b;
    ck_assert_int_eq(lkr_session_save(s, NULL, 0, &need), LKR_E_BUFFER);
    ck_assert_uint_gt(need, HEADER_LEN + 4u);
    ck_assert_uint_le(need, LKR_SESSION_BLOB_MAX);
    a = (unsigned char *)malloc(need);
    b = (unsigned char *)malloc(need);
    ck_assert(a != NULL && b != NULL);
    memset(a, 0x11, need);
    memset(b, 0x22, need);
    ck_assert_int_eq(lkr_session_save(s, a, need, &got), LKR_OK);
    ck_assert_uint_eq(got, need);
    ck_assert_int_eq(lkr_session_save(s, b, need, &got), LKR_OK);
    ck_assert_msg(memcmp(a, b, need) == 0, "two saves differ");
    free(b);
    ck_assert(memcmp(a, "LKRS", 4) == 0);
    ck_assert_uint_eq((uint32_t)a[4] | ((uint32_t)a[5] << 8), LKR_SESSION_FORMAT_VERSION);
    ck_assert_uint_eq(get_u32(a + 8), need);
    ck_assert_msg(get_u32(a + need - 4) == crc32_ieee(a, need - 4),
                  "the last 4 bytes are not the CRC-32 of the rest");
    *n = need;
    return a;
}

static lkr_status try_load(fl_rig *r, const void *blob, size_t n, lkr_session **out)
{
    lkr_session_config cfg;
    lkr_transport t = fl_rig_transport(r);
    lkr_session_config_init(&cfg);
    cfg.allocator = &r->al.allocator;
    return lkr_session_load(&cfg, &t, blob, n, out);
}

static lkr_session *load_ok(fl_rig *r, const void *blob, size_t n)
{
    lkr_session *s = NULL;
    lkr_status st = try_load(r, blob, n, &s);
    ck_assert_msg(st == LKR_OK, "load: %s", lkr_status_name(st));
    ck_assert_ptr_nonnull(s);
    return s;
}

/* A load that must fail with one of @p ok (up to 3): *out untouched, nothing left allocated. */
static lkr_status expect_refused(fl_rig *r, const void *blob, size_t n, lkr_status e1,
                                 lkr_status e2, lkr_status e3)
{
    lkr_session *const sentinel = (lkr_session *)(void *)r;
    lkr_session *s = sentinel;
    size_t live = r->al.live;
    unsigned allocs = r->al.n_alloc, frees = r->al.n_free;
    lkr_status st = try_load(r, blob, n, &s);
    ck_assert_msg(st == e1 || st == e2 || st == e3, "load of %u bytes: %s", (unsigned)n,
                  lkr_status_name(st));
    ck_assert_ptr_eq(s, sentinel);
    ck_assert_uint_eq(r->al.live, live);
    ck_assert_uint_eq(r->al.n_alloc - allocs, r->al.n_free - frees);
    ck_assert_uint_eq(r->al.n_dirty, 0);
    return st;
}

/* ---- comparing sessions -------------------------------------------------------- */

static void expect_same_session(const lkr_session *a, const lkr_session *b)
{
    lkr_session_info x = hs_status(a), y = hs_status(b);
    lkr_diagnosis da = hs_beliefs(a), db = hs_beliefs(b);
    uint32_t i;
    ck_assert_uint_eq(x.state, y.state);
    ck_assert_uint_eq(x.ladder, y.ladder);
    ck_assert_uint_eq(x.tier, y.tier);
    ck_assert_uint_eq(x.symptom, y.symptom);
    ck_assert_uint_eq(x.triage, y.triage);
    ck_assert_uint_eq(x.guards_held, y.guards_held);
    ck_assert_uint_eq(x.support_reasons, y.support_reasons);
    ck_assert_uint_eq(x.history_count, y.history_count);
    ck_assert_uint_eq(x.waiver_count, y.waiver_count);
    ck_assert_uint_eq(x.tiers_done, y.tiers_done);
    ck_assert_uint_eq(x.person_minutes, y.person_minutes);
    ck_assert_uint_eq(x.guards_blocked, y.guards_blocked);
    ck_assert_uint_eq(x.codes_missing, y.codes_missing);
    ck_assert_uint_eq(x.vault_attached, y.vault_attached);
    ck_assert_uint_eq(x.backup_verified, y.backup_verified);
    ck_assert_uint_eq(da.symptom, db.symptom);
    ck_assert_uint_eq(da.entry_tier, db.entry_tier);
    ck_assert_uint_eq(da.triage, db.triage);
    ck_assert_uint_eq(da.cause_count, db.cause_count);
    ck_assert(da.evidence == db.evidence);
    for (i = 0; i < da.cause_count && i < LKR_DIAGNOSIS_MAX_CAUSES; i++) {
        ck_assert_uint_eq(da.causes[i].cause, db.causes[i].cause);
        ck_assert_msg(da.causes[i].p == db.causes[i].p, "belief %u: %.17g vs %.17g",
                      da.causes[i].cause, da.causes[i].p, db.causes[i].p);
    }
    for (i = 0; i < x.history_count; i++) {
        lkr_history_entry e = hs_history(a, i), f = hs_history(b, i);
        ck_assert_uint_eq(e.step, f.step);
        ck_assert_uint_eq(e.tier, f.tier);
        ck_assert_uint_eq(e.outcome, f.outcome);
        ck_assert_uint_eq(e.by_host, f.by_host);
        ck_assert(e.started_ms == f.started_ms);
        ck_assert(e.ended_ms == f.ended_ms);
    }
    for (i = 0; i < x.waiver_count; i++) {
        lkr_waiver w = LKR_WAIVER_INIT, v = LKR_WAIVER_INIT;
        ck_assert_int_eq(lkr_session_waiver(a, i, &w), LKR_OK);
        ck_assert_int_eq(lkr_session_waiver(b, i, &v), LKR_OK);
        ck_assert_uint_eq(w.kind, v.kind);
        ck_assert_uint_eq(w.id, v.id);
        ck_assert(w.at_ms == v.at_ms);
        ck_assert_str_eq(w.reason, v.reason);
    }
}

static void expect_same_action(const lkr_action *want, const lkr_action *got, unsigned at)
{
    ck_assert_msg(hs_same_action(want, got),
                  "action %u differs after load: kind %u/%u step %u/%u phase %u/%u", at,
                  want->kind, got->kind, want->step, got->step, want->phase, got->phase);
}

/* ---- the paths --------------------------------------------------------------------- */

enum { SC_FIX, SC_RESET, SC_SUPPORT, SC_CODE };
enum { V_PERSON_VAULT, V_HOST_VAULT, V_PERSON_OVERRIDES };

typedef struct path_row {
    uint32_t protocol;
    uint8_t bridge;
    int scenario;
    uint32_t fault; /* for SC_FIX and SC_CODE */
} path_row;

static const path_row paths[] = {
    {LKR_PROTOCOL_WIFI, LKR_NO, SC_FIX, LKR_CAUSE_WIFI_STACK_CRASH},
    {LKR_PROTOCOL_WIFI, LKR_YES, SC_FIX, LKR_CAUSE_HUB_OFFLINE},
    {LKR_PROTOCOL_BLE, LKR_NO, SC_FIX, LKR_CAUSE_BLE_DROP_MID_TRANSFER},
    {LKR_PROTOCOL_ZWAVE, LKR_NO, SC_FIX, LKR_CAUSE_HUB_SESSION_MISMATCH},
    {LKR_PROTOCOL_ZIGBEE, LKR_NO, SC_FIX, LKR_CAUSE_HUB_SESSION_MISMATCH},
    {LKR_PROTOCOL_MATTER, LKR_NO, SC_FIX, LKR_CAUSE_THREAD_MESH_LOST},
    {LKR_PROTOCOL_WIFI, LKR_NO, SC_RESET, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_WIFI, LKR_YES, SC_RESET, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_BLE, LKR_NO, SC_RESET, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_ZWAVE, LKR_NO, SC_RESET, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_ZIGBEE, LKR_NO, SC_RESET, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_MATTER, LKR_NO, SC_RESET, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_WIFI, LKR_NO, SC_SUPPORT, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_BLE, LKR_NO, SC_SUPPORT, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_ZWAVE, LKR_NO, SC_SUPPORT, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_ZIGBEE, LKR_NO, SC_SUPPORT, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_MATTER, LKR_NO, SC_SUPPORT, LKR_CAUSE_HARDWARE_FAILURE},
    {LKR_PROTOCOL_WIFI, LKR_NO, SC_CODE, LKR_CAUSE_CODE_EXPIRED},
    {LKR_PROTOCOL_BLE, LKR_NO, SC_CODE, LKR_CAUSE_CODE_EXPIRED},
    {LKR_PROTOCOL_ZWAVE, LKR_NO, SC_CODE, LKR_CAUSE_WRONG_CODE},
    {LKR_PROTOCOL_ZIGBEE, LKR_NO, SC_CODE, LKR_CAUSE_CODE_EXPIRED},
    {LKR_PROTOCOL_MATTER, LKR_NO, SC_CODE, LKR_CAUSE_CODE_EXPIRED},
};
#define PATH_COUNT ((int)(sizeof(paths) / sizeof(paths[0])))
#define VARIANTS 3

typedef struct setup {
    lkr_profile p;
    lkr_observations o;
    lkr_overrides ov;
    int use_ov, use_vault;
} setup;

static const lkr_weight ov_costs[] = {{LKR_STEP_UNIVERSAL_BATTERY_PULL, 40},
                                      {LKR_STEP_REPAIR_REMOVE_AND_READD, 25}};
static const lkr_weight ov_priors[] = {{LKR_CAUSE_HUB_OFFLINE, 400}, {LKR_CAUSE_WEAK_SIGNAL, 30}};
static const lkr_likelihood ov_likelihoods[] = {
    {LKR_EVIDENCE_APP_OFFLINE, LKR_CAUSE_APP_STALE_STATE, 2500}};
static const uint32_t ov_disabled[] = {LKR_STEP_UNIVERSAL_RECALIBRATE};

static setup make_setup(const path_row *row, int variant)
{
    setup su;
    memset(&su, 0, sizeof(su));
    su.p = hs_profile(row->protocol, LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEKIT), row->bridge);
    snprintf(su.p.purchase_date, sizeof(su.p.purchase_date), "%s", "2023-04-05");
    if (row->protocol == LKR_PROTOCOL_MATTER) su.p.pins_readable = LKR_NO;
    su.o = hs_obs();
    su.o.keypad_lights = LKR_YES;
    su.o.app_status = LKR_APP_OFFLINE;
    su.o.update_state = LKR_UPDATE_REPORTED_OK;
    su.o.phone_in_range = LKR_YES;
    snprintf(su.o.fw_before, sizeof(su.o.fw_before), "%s", "1.2.3");
    snprintf(su.o.fw_target, sizeof(su.o.fw_target), "%s", "1.3.0");
    snprintf(su.o.error_code, sizeof(su.o.error_code), "%s", "-1");
    if (row->scenario == SC_CODE) {
        su.o.app_status = LKR_APP_ONLINE;
        su.o.update_state = LKR_UPDATE_NONE;
        su.o.codes_state = LKR_CODES_ONE_REJECTED;
        su.o.fw_before[0] = su.o.fw_target[0] = '\0';
    }
    su.use_vault = variant != V_PERSON_OVERRIDES;
    su.use_ov = variant == V_PERSON_OVERRIDES;
    su.ov.struct_size = (uint32_t)sizeof(su.ov);
    if (su.use_ov) {
        su.ov.cost_count = 2;
        su.ov.costs = ov_costs;
        su.ov.prior_count = 2;
        su.ov.priors = ov_priors;
        su.ov.likelihood_count = 1;
        su.ov.likelihoods = ov_likelihoods;
        su.ov.disabled_count = 1;
        su.ov.disabled_steps = ov_disabled;
    } else if (row->scenario == SC_RESET) {
        /* A vendor whose faults on record are those a reset fixes: the
         * beliefs keep the reset indicated when nothing else helps. */
        static hs_reset_vendor vendor;
        su.ov = *hs_reset_reachable(&vendor);
        su.use_ov = 1;
    }
    return su;
}

static void rig_for(fl_rig *r, const path_row *row, int variant)
{
    fl_rig_init(r, row->fault, variant == V_HOST_VAULT ? HS_F_ALL : (HS_F_PROMPT | HS_F_LOG),
                variant != V_PERSON_OVERRIDES);
    r->fix_on_reset = row->scenario == SC_RESET;
    r->lock.pins_readable = row->protocol != LKR_PROTOCOL_MATTER;
    r->lock.has_checksum = row->protocol == LKR_PROTOCOL_ZWAVE;
    fl_fill(&r->lock, 7);
}

static lkr_session *start(fl_rig *r, const setup *su, lkr_vault **vault)
{
    lkr_session_config cfg;
    lkr_transport t = fl_rig_transport(r);
    lkr_session *s = NULL;
    uint32_t i;
    lkr_session_config_init(&cfg);
    cfg.profile = &su->p;
    cfg.observations = &su->o;
    cfg.overrides = su->use_ov ? &su->ov : NULL;
    cfg.allocator = &r->al.allocator;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_OK);
    *vault = NULL;
    if (su->use_vault) {
        *vault = fl_rig_vault(r);
        if (!r->lock.pins_readable)
            for (i = 0; i < r->lock.count; i++)
                ck_assert_int_eq(lkr_vault_record(*vault, &r->lock.codes[i]), LKR_OK);
        ck_assert_int_eq(lkr_session_attach_vault(s, *vault), LKR_OK);
    }
    /* A waiver whose reason holds a PIN typed by mistake (masked when stored). */
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_UNIVERSAL_UPDATE_SOFTWARE,
                                       "told 73910003 by phone"),
                     LKR_OK);
    return s;
}

static lkr_vault *clone_vault(fl_rig *from, const lkr_vault *v, fl_rig *to)
{
    lkr_transport tf = fl_rig_transport(from), tt = fl_rig_transport(to);
    lkr_vault *w = fl_rig_vault(to);
    size_t n;
    unsigned char *blob = fl_export(v, &tf, &n);
    ck_assert(!fl_has_pin(&from->lock, blob, n));
    ck_assert_int_eq(lkr_vault_import_sealed(w, &tt, blob, n), LKR_OK);
    free(blob);
    return w;
}

static lkr_action ref[REF_MAX];
static fl_rig rig_a, rig_b;

/*
 * The test: a reference run; then the same run saved at every action,
 * each blob loaded on a second "device" and driven to the end with the same
 * script, every action compared with the reference.
 */
START_TEST(save_load_at_every_action)
{
    const path_row *row = &paths[_i / VARIANTS];
    int variant = _i % VARIANTS;
    setup su = make_setup(row, variant);
    lkr_session *s, *b;
    lkr_vault *v, *vb;
    lkr_session_info final_info;
    unsigned n = 0, k, j;
    lkr_action a;

    /* The reference. */
    rig_for(&rig_a, row, variant);
    s = start(&rig_a, &su, &v);
    for (;;) {
        ck_assert_uint_lt(n, REF_MAX);
        ref[n] = fl_rig_next(s);
        if (!fl_rig_respond(&rig_a, s, &ref[n++])) break;
    }
    final_info = hs_status(s);
    /* Without a vault the reset can never be guarded (and a re-pair that may
     * erase codes neither): only the final state is certain. */
    ck_assert(lkr_action_is_final(&ref[n - 1]));
    if (row->scenario == SC_SUPPORT)
        ck_assert_uint_eq(ref[n - 1].kind, LKR_ACTION_NEEDS_SUPPORT);
    else if (su.use_vault)
        ck_assert_uint_eq(ref[n - 1].kind, LKR_ACTION_RECOVERED);
    if (row->scenario == SC_RESET && su.use_vault) {
        ck_assert_int_ge(hs_history_find(s, LKR_STEP_RESET_FACTORY_RESET), 0);
        ck_assert_uint_eq(rig_a.lock.count, 7);
    }
    lkr_session_free(s);
    lkr_vault_free(v);
    fl_alloc_check_clean(&rig_a.al);

    /* Again, saving and loading before every action. */
    rig_for(&rig_a, row, variant);
    s = start(&rig_a, &su, &v);
    for (k = 0; k < n; k++) {
        size_t len;
        unsigned char *blob = save_blob(s, &len);
        ck_assert_msg(!fl_has_pin(&rig_a.lock, blob, len), "a PIN in the blob at action %u", k);
        fl_rig_clone(&rig_b, &rig_a);
        vb = v != NULL ? clone_vault(&rig_a, v, &rig_b) : NULL;
        b = load_ok(&rig_b, blob, len);
        ck_assert_uint_ge(rig_b.al.n_alloc, 1);
        if (vb != NULL) ck_assert_int_eq(lkr_session_attach_vault(b, vb), LKR_OK);
        expect_same_session(s, b);
        /* The loaded session saves to the same bytes. */
        {
            size_t len2;
            unsigned char *again = save_blob(b, &len2);
            ck_assert_uint_eq(len2, len);
            ck_assert_msg(memcmp(again, blob, len) == 0, "re-saved blob differs at action %u", k);
            free(again);
        }
        /* Drive the loaded session to the end: every decision as in the reference. */
        for (j = k; j < n; j++) {
            a = fl_rig_next(b);
            expect_same_action(&ref[j], &a, j);
            if (!fl_rig_respond(&rig_b, b, &a)) break;
        }
        ck_assert_uint_eq(j, n - 1);
        {
            lkr_session_info fi = hs_status(b);
            ck_assert_uint_eq(fi.state, final_info.state);
            ck_assert_uint_eq(fi.history_count, final_info.history_count);
            ck_assert_uint_eq(fi.support_reasons, final_info.support_reasons);
            ck_assert_uint_eq(fi.codes_missing, final_info.codes_missing);
        }
        ck_assert_uint_eq(rig_b.lock.n_pin_leaks, 0);
        lkr_session_free(b);
        lkr_vault_free(vb);
        fl_alloc_check_clean(&rig_b.al);
        free(blob);
        /* The original goes one action further. */
        a = fl_rig_next(s);
        expect_same_action(&ref[k], &a, k);
        fl_rig_respond(&rig_a, s, &a);
    }
    ck_assert_uint_eq(rig_a.lock.n_pin_leaks, 0);
    lkr_session_free(s);
    lkr_vault_free(v);
    fl_alloc_check_clean(&rig_a.al);
}
END_TEST

/* Chained: every action is decided by a session loaded from the previous one's blob. */
START_TEST(chained_loads_follow_the_reference)
{
    const path_row *row = &paths[_i];
    setup su = make_setup(row, V_PERSON_OVERRIDES);
    lkr_session *s, *b;
    lkr_vault *v;
    unsigned n = 0, k;

    rig_for(&rig_a, row, V_PERSON_OVERRIDES);
    s = start(&rig_a, &su, &v);
    for (;;) {
        ck_assert_uint_lt(n, REF_MAX);
        ref[n] = fl_rig_next(s);
        if (!fl_rig_respond(&rig_a, s, &ref[n++])) break;
    }
    lkr_session_free(s);
    fl_alloc_check_clean(&rig_a.al);

    rig_for(&rig_a, row, V_PERSON_OVERRIDES);
    s = start(&rig_a, &su, &v);
    for (k = 0; k < n; k++) {
        size_t len;
        unsigned char *blob = save_blob(s, &len);
        lkr_action a;
        b = load_ok(&rig_a, blob, len);
        expect_same_session(s, b);
        lkr_session_free(s);
        s = b;
        free(blob);
        a = fl_rig_next(s);
        expect_same_action(&ref[k], &a, k);
        fl_rig_respond(&rig_a, s, &a);
    }
    lkr_session_free(s);
    fl_alloc_check_clean(&rig_a.al);
}
END_TEST

/* ---- refusals ------------------------------------------------------------------- */

/* A blob from the middle of a recovery with a vault, waivers and history. */
static unsigned char *mid_blob(fl_rig *r, size_t *n)
{
    static const path_row row = {LKR_PROTOCOL_ZWAVE, LKR_NO, SC_RESET, LKR_CAUSE_HARDWARE_FAILURE};
    setup su = make_setup(&row, V_PERSON_VAULT);
    lkr_session *s;
    lkr_vault *v;
    lkr_action a;
    unsigned char *blob;
    rig_for(r, &row, V_PERSON_VAULT);
    s = start(r, &su, &v);
    a = fl_rig_drive_to(r, s, LKR_STEP_RESET_FACTORY_RESET, 3000);
    ck_assert_uint_eq(a.step, LKR_STEP_RESET_FACTORY_RESET);
    ck_assert_uint_gt(hs_status(s).history_count, 3);
    blob = save_blob(s, n);
    lkr_session_free(s);
    lkr_vault_free(v);
    fl_alloc_check_clean(&r->al);
    return blob;
}

START_TEST(truncated_at_every_length)
{
    size_t n, i;
    unsigned char *blob = mid_blob(&rig_a, &n), *copy;
    for (i = 0; i < n; i++) {
        /* An exact-size copy, so a reader past len is caught by ASan/valgrind. */
        copy = (unsigned char *)malloc(i ? i : 1);
        memcpy(copy, blob, i);
        if (i == 0)
            expect_refused(&rig_a, copy, 0, LKR_E_TRUNCATED, LKR_E_INVAL, LKR_E_TRUNCATED);
        else if (i < HEADER_LEN)
            expect_refused(&rig_a, copy, i, LKR_E_TRUNCATED, LKR_E_CORRUPT, LKR_E_TRUNCATED);
        else
            expect_refused(&rig_a, copy, i, LKR_E_TRUNCATED, LKR_E_TRUNCATED, LKR_E_TRUNCATED);
        free(copy);
    }
    fl_alloc_check_clean(&rig_a.al);
    free(blob);
}
END_TEST

START_TEST(oversized_refused)
{
    size_t n, i;
    unsigned char *blob = mid_blob(&rig_a, &n), *big;
    lkr_session *s;
    big = (unsigned char *)calloc(LKR_SESSION_BLOB_MAX + 8u, 1);
    memcpy(big, blob, n);
    for (i = 1; i <= 8; i++)
        expect_refused(&rig_a, big, n + i, LKR_E_OVERSIZED, LKR_E_OVERSIZED, LKR_E_OVERSIZED);
    expect_refused(&rig_a, big, LKR_SESSION_BLOB_MAX + 1u, LKR_E_OVERSIZED, LKR_E_OVERSIZED,
                   LKR_E_OVERSIZED);
    expect_refused(&rig_a, big, (size_t)-1, LKR_E_OVERSIZED, LKR_E_OVERSIZED, LKR_E_OVERSIZED);
    /* The exact length loads. */
    s = load_ok(&rig_a, big, n);
    lkr_session_free(s);
    fl_alloc_check_clean(&rig_a.al);
    free(big);
    free(blob);
}
END_TEST

START_TEST(every_byte_flipped_refused)
{
    size_t n, i;
    unsigned char *blob = mid_blob(&rig_a, &n), *bad = NULL;
    unsigned m;
    bad = (unsigned char *)malloc(n);
    for (i = 0; i < n; i++) {
        for (m = 0; m < 2; m++) {
            memcpy(bad, blob, n);
            bad[i] ^= (unsigned char)(m == 0 ? 0xFFu : 0x01u);
            if (i >= 8 && i < 12) /* the length */
                expect_refused(&rig_a, bad, n, LKR_E_CORRUPT, LKR_E_TRUNCATED, LKR_E_OVERSIZED);
            else if (i >= 4 && i < 6) /* the version: CRC first gives CORRUPT */
                expect_refused(&rig_a, bad, n, LKR_E_CORRUPT, LKR_E_VERSION, LKR_E_CORRUPT);
            else
                expect_refused(&rig_a, bad, n, LKR_E_CORRUPT, LKR_E_CORRUPT, LKR_E_CORRUPT);
        }
    }
    fl_alloc_check_clean(&rig_a.al);
    free(bad);
    free(blob);
}
END_TEST

/* Content changed behind a recomputed CRC: refused as corrupt, or (if it
 * happens to be valid) loaded into a session that works; never a crash. */
START_TEST(valid_crc_bad_content_never_crashes)
{
    size_t n, i;
    unsigned char *blob = mid_blob(&rig_a, &n), *bad = (unsigned char *)malloc(n);
    unsigned m, loaded = 0;
    for (i = 4; i + 4 < n; i++) {
        for (m = 0; m < 2; m++) {
            lkr_session *const sentinel = (lkr_session *)(void *)&rig_a;
            lkr_session *s = sentinel;
            lkr_status st;
            memcpy(bad, blob, n);
            bad[i] ^= (unsigned char)(m == 0 ? 0xFFu : 0x01u);
            recrc(bad, n);
            st = try_load(&rig_a, bad, n, &s);
            if (st == LKR_OK) {
                lkr_action a = LKR_ACTION_INIT;
                lkr_session_info info = LKR_SESSION_INFO_INIT;
                loaded++;
                ck_assert_int_eq(lkr_session_status(s, &info), LKR_OK);
                ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
                lkr_session_free(s);
            } else {
                ck_assert_msg(st == LKR_E_CORRUPT || st == LKR_E_VERSION ||
                                  st == LKR_E_TRUNCATED || st == LKR_E_OVERSIZED ||
                                  st == LKR_E_UNSUPPORTED,
                              "byte %u: %s", (unsigned)i, lkr_status_name(st));
                ck_assert_ptr_eq(s, sentinel);
            }
            ck_assert_uint_eq(rig_a.al.live, 0);
        }
    }
    (void)loaded;
    fl_alloc_check_clean(&rig_a.al);
    free(bad);
    free(blob);
}
END_TEST

START_TEST(newer_version_refused)
{
    size_t n;
    unsigned char *blob = mid_blob(&rig_a, &n), *b = (unsigned char *)malloc(n);
    static const unsigned versions[] = {LKR_SESSION_FORMAT_VERSION + 1u, 0x100u, 0xFFFFu};
    unsigned i;
    lkr_session *s;
    /* Recomputing the CRC of an unchanged blob changes nothing (the format is as documented). */
    memcpy(b, blob, n);
    recrc(b, n);
    ck_assert(memcmp(b, blob, n) == 0);
    for (i = 0; i < 3; i++) {
        memcpy(b, blob, n);
        b[4] = (unsigned char)(versions[i] & 0xFFu);
        b[5] = (unsigned char)(versions[i] >> 8);
        recrc(b, n);
        expect_refused(&rig_a, b, n, LKR_E_VERSION, LKR_E_VERSION, LKR_E_VERSION);
    }
    /* Bad magic with a good CRC. */
    memcpy(b, blob, n);
    b[0] = 'X';
    recrc(b, n);
    expect_refused(&rig_a, b, n, LKR_E_CORRUPT, LKR_E_CORRUPT, LKR_E_CORRUPT);
    /* The blob itself still loads. */
    s = load_ok(&rig_a, blob, n);
    lkr_session_free(s);
    fl_alloc_check_clean(&rig_a.al);
    free(b);
    free(blob);
}
END_TEST

START_TEST(bad_input_to_save_and_load)
{
    size_t n, need = 0, got = 0;
    unsigned char *blob = mid_blob(&rig_a, &n), *buf;
    lkr_session_config cfg;
    lkr_transport t = fl_rig_transport(&rig_a), noclock;
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = hs_obs();
    lkr_overrides ov = LKR_OVERRIDES_INIT;
    lkr_session *const sentinel = (lkr_session *)(void *)&rig_a;
    lkr_session *s = sentinel, *live;
    lkr_allocator shortalloc;

    lkr_session_config_init(&cfg);
    cfg.allocator = &rig_a.al.allocator;
    /* load */
    ck_assert_int_eq(lkr_session_load(NULL, &t, blob, n, &s), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_load(&cfg, NULL, blob, n, &s), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_load(&cfg, &t, NULL, n, &s), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_load(&cfg, &t, blob, n, NULL), LKR_E_INVAL);
    noclock = t;
    noclock.now_ms = NULL;
    ck_assert_int_eq(lkr_session_load(&cfg, &noclock, blob, n, &s), LKR_E_INVAL);
    noclock = t;
    noclock.struct_size = 4;
    ck_assert_int_eq(lkr_session_load(&cfg, &noclock, blob, n, &s), LKR_E_INVAL);
    cfg.profile = &p;
    ck_assert_int_eq(lkr_session_load(&cfg, &t, blob, n, &s), LKR_E_INVAL);
    cfg.profile = NULL;
    cfg.observations = &o;
    ck_assert_int_eq(lkr_session_load(&cfg, &t, blob, n, &s), LKR_E_INVAL);
    cfg.observations = NULL;
    cfg.overrides = &ov;
    ck_assert_int_eq(lkr_session_load(&cfg, &t, blob, n, &s), LKR_E_INVAL);
    cfg.overrides = NULL;
    cfg.struct_size = 4;
    ck_assert_int_eq(lkr_session_load(&cfg, &t, blob, n, &s), LKR_E_INVAL);
    cfg.struct_size = (uint32_t)sizeof(cfg);
    shortalloc = rig_a.al.allocator;
    shortalloc.struct_size = 4;
    cfg.allocator = &shortalloc;
    ck_assert_int_eq(lkr_session_load(&cfg, &t, blob, n, &s), LKR_E_INVAL);
    cfg.allocator = &rig_a.al.allocator;
    rig_a.al.fail_all = 1;
    ck_assert_int_eq(lkr_session_load(&cfg, &t, blob, n, &s), LKR_E_NOMEM);
    rig_a.al.fail_all = 0;
    ck_assert_ptr_eq(s, sentinel);
    ck_assert_uint_eq(rig_a.al.live, 0);
    /* NULL allocator: malloc. */
    cfg.allocator = NULL;
    ck_assert_int_eq(lkr_session_load(&cfg, &t, blob, n, &s), LKR_OK);
    ck_assert_ptr_ne(s, sentinel);
    live = s;
    /* save */
    ck_assert_int_eq(lkr_session_save(NULL, NULL, 0, &need), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_save(live, NULL, 0, NULL), LKR_E_INVAL);
    {
        lkr_status q = lkr_session_save(live, NULL, 100, &need);
        ck_assert(q == LKR_E_BUFFER || q == LKR_E_INVAL);
    }
    ck_assert_int_eq(lkr_session_save(live, NULL, 0, &need), LKR_E_BUFFER);
    ck_assert_uint_eq(need, n);
    buf = (unsigned char *)malloc(n + 8);
    memset(buf, 0x5A, n + 8);
    ck_assert_int_eq(lkr_session_save(live, buf, n - 1, &got), LKR_E_BUFFER);
    ck_assert_uint_eq(got, n);
    ck_assert_uint_eq(buf[n - 1], 0x5A);
    ck_assert_int_eq(lkr_session_save(live, buf, 0, &got), LKR_E_BUFFER);
    ck_assert_int_eq(lkr_session_save(live, buf, n + 8, &got), LKR_OK);
    ck_assert_uint_eq(got, n);
    ck_assert_uint_eq(buf[n], 0x5A);
    ck_assert(memcmp(buf, blob, n) == 0);
    /* attach_vault's bad input. */
    ck_assert_int_eq(lkr_session_attach_vault(NULL, NULL), LKR_E_INVAL);
    lkr_session_free(live);
    free(buf);
    free(blob);
    fl_alloc_check_clean(&rig_a.al);
}
END_TEST

/* After a load, any vault may be attached, but only the backup the session
 * made (or a verified one that matches the lock) counts as its backup. */
START_TEST(loaded_session_accepts_only_its_vault)
{
    static const path_row row = {LKR_PROTOCOL_ZWAVE, LKR_NO, SC_RESET, LKR_CAUSE_HARDWARE_FAILURE};
    setup su = make_setup(&row, V_PERSON_VAULT);
    lkr_session *s, *b;
    lkr_vault *v, *other, *same, *empty;
    lkr_transport t;
    unsigned char *blob, *sealed;
    size_t n, sn;
    lkr_code c;
    lkr_action a;

    rig_for(&rig_a, &row, V_PERSON_VAULT);
    t = fl_rig_transport(&rig_a);
    s = start(&rig_a, &su, &v);
    a = fl_rig_drive_to(&rig_a, s, LKR_STEP_RESET_FACTORY_RESET, 3000);
    ck_assert_uint_eq(a.step, LKR_STEP_RESET_FACTORY_RESET);
    ck_assert_uint_eq(hs_status(s).backup_verified, 1);
    blob = save_blob(s, &n);
    sealed = fl_export(v, &t, &sn);
    lkr_session_free(s);
    lkr_vault_free(v);

    b = load_ok(&rig_a, blob, n);
    ck_assert_uint_eq(hs_status(b).vault_attached, 0);
    ck_assert_uint_eq(hs_status(b).backup_verified, 0); /* no vault, no guard */
    /* A verified backup of another lock: attached, never used. */
    {
        fl_lock lk2;
        lkr_transport t2;
        fl_init(&lk2);
        fl_fill(&lk2, 3);
        t2 = fl_transport(&lk2);
        other = fl_rig_vault(&rig_a);
        ck_assert_int_eq(lkr_vault_backup(other, &t2), LKR_OK);
        ck_assert_int_eq(lkr_session_attach_vault(b, other), LKR_OK);
        a = fl_rig_next(b);
        ck_assert(!(a.kind == LKR_ACTION_PERSON_STEP && a.step == LKR_STEP_RESET_FACTORY_RESET));
        ck_assert_uint_eq(hs_status(b).backup_verified, 0);
    }
    /* The right vault with one code added since (unverified), and an empty
     * vault: not a verified backup of this lock either. */
    ck_assert_int_eq(lkr_vault_import_sealed(other, &t, sealed, sn), LKR_OK);
    c = fl_code(777, LKR_CODE_USER, "added", "12121212");
    ck_assert_int_eq(lkr_vault_record(other, &c), LKR_OK);
    a = fl_rig_next(b);
    ck_assert_uint_eq(hs_status(b).backup_verified, 0);
    empty = fl_rig_vault(&rig_a);
    ck_assert_int_eq(lkr_session_attach_vault(b, empty), LKR_OK);
    ck_assert_uint_eq(hs_status(b).backup_verified, 0);
    /* While no backup counts the reset stays blocked. */
    a = fl_rig_next(b);
    ck_assert(!(a.kind == LKR_ACTION_PERSON_STEP && a.step == LKR_STEP_RESET_FACTORY_RESET));
    /* The same vault, re-imported from its sealed export. */
    same = fl_rig_vault(&rig_a);
    ck_assert_int_eq(lkr_vault_import_sealed(same, &t, sealed, sn), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(b, same), LKR_OK);
    ck_assert_uint_eq(hs_status(b).vault_attached, 1);
    ck_assert_uint_eq(hs_status(b).backup_verified, 1);
    ck_assert(hs_status(b).guards_held & LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP));
    a = fl_rig_drive(&rig_a, b, 3000);
    ck_assert_uint_eq(a.kind, LKR_ACTION_RECOVERED);
    ck_assert_uint_eq(rig_a.lock.count, 7);
    lkr_session_free(b);
    lkr_vault_free(other);
    lkr_vault_free(empty);
    lkr_vault_free(same);
    free(sealed);
    free(blob);
    fl_alloc_check_clean(&rig_a.al);
}
END_TEST

/* A session saved before any backup accepts any vault after a load; a final
 * session saves and loads final. */
START_TEST(early_and_final_sessions_round_trip)
{
    static const path_row row = {LKR_PROTOCOL_BLE, LKR_NO, SC_FIX, LKR_CAUSE_BLE_DROP_MID_TRANSFER};
    setup su = make_setup(&row, V_PERSON_OVERRIDES);
    lkr_session *s, *b;
    lkr_vault *v, *w;
    unsigned char *blob;
    size_t n;
    lkr_action a, c;

    rig_for(&rig_a, &row, V_PERSON_VAULT);
    su.use_vault = 0;
    s = start(&rig_a, &su, &v);
    blob = save_blob(s, &n);
    b = load_ok(&rig_a, blob, n);
    expect_same_session(s, b);
    w = fl_rig_vault(&rig_a);
    ck_assert_int_eq(lkr_session_attach_vault(b, w), LKR_OK);
    lkr_session_free(b);
    free(blob);
    a = fl_rig_drive(&rig_a, s, 3000);
    ck_assert(lkr_action_is_final(&a));
    blob = save_blob(s, &n);
    b = load_ok(&rig_a, blob, n);
    expect_same_session(s, b);
    c = fl_rig_next(b);
    expect_same_action(&a, &c, 0);
    ck_assert_int_eq(lkr_session_report(b, a.step, LKR_OUTCOME_DONE), LKR_E_STATE);
    lkr_session_free(b);
    lkr_session_free(s);
    lkr_vault_free(w);
    free(blob);
    fl_alloc_check_clean(&rig_a.al);
}
END_TEST

static Suite *persist_suite(void)
{
    Suite *s = suite_create("persist");
    TCase *every = tcase_create("every_action");
    TCase *refuse = tcase_create("refusals");
    TCase *vault = tcase_create("vault");

    tcase_set_timeout(every, 120);
    tcase_add_loop_test(every, save_load_at_every_action, 0, PATH_COUNT * VARIANTS);
    tcase_add_loop_test(every, chained_loads_follow_the_reference, 0, PATH_COUNT);
    tcase_add_test(every, early_and_final_sessions_round_trip);
    suite_add_tcase(s, every);

    tcase_set_timeout(refuse, 60);
    tcase_add_test(refuse, truncated_at_every_length);
    tcase_add_test(refuse, oversized_refused);
    tcase_add_test(refuse, every_byte_flipped_refused);
    tcase_add_test(refuse, valid_crc_bad_content_never_crashes);
    tcase_add_test(refuse, newer_version_refused);
    tcase_add_test(refuse, bad_input_to_save_and_load);
    suite_add_tcase(s, refuse);

    tcase_add_test(vault, loaded_session_accepts_only_its_vault);
    suite_add_tcase(s, vault);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(persist_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
