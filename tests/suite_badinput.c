/*
 * The bad-input table: every public function (every LKR_API declaration of
 * include/lockrecover/[a-z]*.h) called with NULL for each pointer argument, with a
 * short struct_size (0, 4, sizeof - 1) and an oversized one (a zero tail, a
 * non-zero tail, more than 64 KiB) for every caller-sized struct, and with
 * out-of-range ids and enumeration values. Every call returns its documented
 * error and never crashes; void functions ignore NULL; name getters return
 * NULL or their "unknown" string. Structs are copied to heap buffers of their
 * exact size first, so a library that reads past what struct_size allows is
 * caught by ASan and valgrind.
 *
 * One row per public function (ROW(f) ties the name, the symbol and the
 * checker together); the last test holds the table to the header count.
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lockrecover/lockrecover.h"

/* Public functions in the headers. Regenerate with
 *   python3 tests/symbols/api_functions.py include/lockrecover/[a-z]*.h | wc -l
 * (`grep -c LKR_API include/lockrecover/[a-z]*.h` counts 3 more: the macro's own
 * lines in export.h). The symbols test holds the header list to the exports. */
#define API_FUNCTION_COUNT 82

#define HUGE_SIZE 70000u /* above the library's 64 KiB sanity bound */
#define TAIL 64u
#define END_OF(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))

/* How a struct larger than this library knows, with a non-zero tail, must be refused. */
#define TAIL_UNSUPPORTED 1 /* documented: LKR_E_UNSUPPORTED */
#define TAIL_ANY 0         /* not documented: an error or the normal result */

/* ---- fixtures ---------------------------------------------------------------- */

static uint64_t g_clock = 1000000u;
static lkr_status g_probe_status = LKR_PENDING;

static uint64_t clk(void *ctx)
{
    (void)ctx;
    return g_clock;
}

static lkr_status probe_cb(void *ctx, lkr_probe_result *r)
{
    (void)ctx;
    (void)r;
    return g_probe_status;
}

static lkr_status run_unsupported(void *ctx, uint32_t step)
{
    (void)ctx;
    (void)step;
    return LKR_E_UNSUPPORTED;
}

static void *al_alloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}

static void al_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    (void)n;
    free(p);
}

static lkr_allocator good_allocator(void)
{
    lkr_allocator a = LKR_ALLOCATOR_INIT;
    a.alloc = al_alloc;
    a.free = al_free;
    return a;
}

static lkr_transport basic_transport(void)
{
    lkr_transport t;
    lkr_transport_init(&t);
    t.now_ms = clk;
    return t;
}

static lkr_profile good_profile(void)
{
    lkr_profile p;
    lkr_profile_init(&p);
    p.protocol = LKR_PROTOCOL_ZWAVE;
    p.has_key_cylinder = LKR_NO;
    return p;
}

/* Keypad works, app offline, no update: the connection ladder, a step at once. */
static lkr_observations offline_obs(void)
{
    lkr_observations o;
    lkr_observations_init(&o);
    o.keypad_lights = LKR_YES;
    o.app_status = LKR_APP_OFFLINE;
    o.update_state = LKR_UPDATE_NONE;
    /* the facts the questions worth asking are about: known, so the first
     * action is a step (these tests feed it bad input) */
    o.second_phone_connects = LKR_NO;
    o.hub_online = LKR_YES;
    o.bridge_online = LKR_YES;
    o.software_outdated = LKR_NO;
    return o;
}

static lkr_session *new_session(const lkr_observations *obs, const lkr_transport *t)
{
    lkr_session_config c;
    lkr_profile p = good_profile();
    lkr_transport bt = basic_transport();
    lkr_session *s = NULL;
    lkr_session_config_init(&c);
    c.profile = &p;
    c.observations = obs;
    ck_assert_int_eq(lkr_session_new(&c, t != NULL ? t : &bt, &s), LKR_OK);
    return s;
}

static lkr_action next_of(lkr_session *s)
{
    lkr_action a = LKR_ACTION_INIT;
    ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
    return a;
}

static lkr_sim *new_sim(void)
{
    lkr_sim_config c;
    lkr_sim *sim = NULL;
    lkr_sim_config_init(&c);
    c.protocol = LKR_PROTOCOL_ZWAVE;
    c.causes[0] = LKR_CAUSE_HUB_SESSION_MISMATCH;
    c.cause_count = 1;
    c.seed = 5;
    ck_assert_int_eq(lkr_sim_new(&c, NULL, &sim), LKR_OK);
    return sim;
}

static void set_size(void *s, uint32_t size)
{
    memcpy(s, &size, sizeof(size));
}

static int all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] != v) return 0;
    }
    return 1;
}

/* ---- struct_size sweeps -------------------------------------------------------- */

typedef lkr_status (*in_call)(void *s);

/*
 * A caller-filled struct read by `call`: `good` is a valid one of `sz` bytes,
 * 1.0's layout ends at `end`; `base` is what call returns for it. Sizes below
 * `end` are refused; a larger struct with a zero tail behaves as the good one;
 * one with a non-zero tail is refused as `tail` says; a size above 64 KiB is
 * refused without reading (the buffer is exactly `sz` bytes).
 */
static void sweep_in(const void *good, size_t sz, size_t end, lkr_status base, in_call call, int tail)
{
    unsigned char *b = malloc(sz + TAIL), *e = malloc(sz);
    uint32_t shorts[3];
    unsigned i;
    lkr_status rc;
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(e);
    shorts[0] = 0;
    shorts[1] = 4;
    shorts[2] = (uint32_t)sz - 1u;
    memcpy(b, good, sz);
    ck_assert_int_eq(call(b), base);
    for (i = 0; i < 3; i++) {
        memcpy(b, good, sz);
        set_size(b, shorts[i]);
        rc = call(b);
        if (shorts[i] < end) {
            ck_assert_msg(rc == LKR_E_INVAL, "struct_size %u of %u: got %s", shorts[i], (unsigned)sz,
                          lkr_status_name(rc));
        } else {
            ck_assert_int_eq(rc, base); /* only padding was left out */
        }
    }
    memcpy(b, good, sz);
    memset(b + sz, 0, TAIL);
    set_size(b, (uint32_t)(sz + TAIL));
    ck_assert_msg(call(b) == base, "zero tail of %u-byte struct not accepted", (unsigned)sz);
    b[sz + TAIL - 1] = 1;
    rc = call(b);
    if (tail == TAIL_UNSUPPORTED) {
        ck_assert_msg(rc == LKR_E_UNSUPPORTED, "non-zero tail: got %s", lkr_status_name(rc));
    } else {
        ck_assert_msg(rc == base || rc < 0, "non-zero tail: got %s", lkr_status_name(rc));
    }
    memcpy(e, good, sz);
    set_size(e, HUGE_SIZE);
    rc = call(e);
    ck_assert_msg(rc == LKR_E_INVAL, "struct_size %u on a %u-byte struct: got %s", HUGE_SIZE, (unsigned)sz,
                  lkr_status_name(rc));
    set_size(e, 0xFFFFFFFFu);
    rc = call(e);
    ck_assert_msg(rc == LKR_E_INVAL, "struct_size 0xFFFFFFFF: got %s", lkr_status_name(rc));
    free(b);
    free(e);
}

typedef lkr_status (*out_call)(void *out);

/*
 * A library-filled struct of `sz` bytes (1.0 ends at `end`): short sizes are
 * refused with nothing written, a size that only leaves out padding gets no
 * byte past it, a larger one gets its unknown tail zeroed, and a size above
 * 64 KiB is refused.
 */
static void sweep_out(size_t sz, size_t end, out_call call)
{
    unsigned char *b = malloc(sz + TAIL), *e = malloc(sz);
    uint32_t shorts[3], got;
    unsigned i;
    lkr_status rc;
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(e);
    shorts[0] = 0;
    shorts[1] = 4;
    shorts[2] = (uint32_t)sz - 1u;
    for (i = 0; i < 3; i++) {
        memset(b, 0xA5, sz + TAIL);
        set_size(b, shorts[i]);
        rc = call(b);
        if (shorts[i] < end) {
            ck_assert_msg(rc == LKR_E_INVAL, "out struct_size %u of %u: got %s", shorts[i], (unsigned)sz,
                          lkr_status_name(rc));
            ck_assert(all_bytes(b + 4, sz + TAIL - 4, 0xA5)); /* nothing written */
        } else {
            ck_assert_int_eq(rc, LKR_OK);
            ck_assert(all_bytes(b + shorts[i], sz + TAIL - shorts[i], 0xA5));
        }
    }
    memset(b, 0xA5, sz + TAIL);
    set_size(b, (uint32_t)(sz + TAIL));
    ck_assert_int_eq(call(b), LKR_OK);
    memcpy(&got, b, sizeof(got));
    ck_assert_uint_eq(got, sz + TAIL);
    ck_assert(all_bytes(b + sz, TAIL, 0));
    memset(e, 0xA5, sz);
    set_size(e, HUGE_SIZE);
    ck_assert_int_eq(call(e), LKR_E_INVAL);
    set_size(e, 0xFFFFFFFFu);
    ck_assert_int_eq(call(e), LKR_E_INVAL);
    set_size(e, (uint32_t)sz);
    ck_assert_int_eq(call(e), LKR_OK);
    free(b);
    free(e);
}

/* ---- version.h, status.h --------------------------------------------------------- */

static void bad_lkr_version(void)
{
    ck_assert_uint_eq(lkr_version(), LKR_VERSION_NUMBER);
}

static void bad_lkr_version_string(void)
{
    ck_assert_ptr_nonnull(lkr_version_string());
}

static const lkr_status odd_statuses[] = {2, 42, -16, -9999, INT32_MIN, INT32_MAX, 12345, -999};

static void bad_lkr_strerror(void)
{
    size_t i;
    for (i = 0; i < sizeof(odd_statuses) / sizeof(odd_statuses[0]); i++) {
        ck_assert_ptr_nonnull(lkr_strerror(odd_statuses[i]));
        ck_assert_str_eq(lkr_strerror(odd_statuses[i]), "unknown status");
    }
}

static void bad_lkr_status_name(void)
{
    size_t i;
    for (i = 0; i < sizeof(odd_statuses) / sizeof(odd_statuses[0]); i++) {
        ck_assert_str_eq(lkr_status_name(odd_statuses[i]), "LKR_E_UNKNOWN");
    }
}

/* ---- model.h ------------------------------------------------------------------------ */

static void bad_lkr_profile_init(void)
{
    lkr_profile_init(NULL);
}

static void bad_lkr_observations_init(void)
{
    lkr_observations_init(NULL);
}

static lkr_status ic_profile_validate(void *p)
{
    return lkr_profile_validate((const lkr_profile *)p);
}

static void bad_lkr_profile_validate(void)
{
    lkr_profile p = good_profile();
    static const uint32_t bad_protocols[] = {0, 6, 0xFFFFFFFFu};
    size_t i;
    ck_assert_int_eq(lkr_profile_validate(NULL), LKR_E_INVAL);
    sweep_in(&p, sizeof(p), END_OF(lkr_profile, purchase_date), LKR_OK, ic_profile_validate, TAIL_UNSUPPORTED);
    for (i = 0; i < 3; i++) {
        p.protocol = bad_protocols[i];
        ck_assert_int_eq(lkr_profile_validate(&p), LKR_E_INVAL);
    }
    p = good_profile();
    p.battery_chemistry = LKR_CHEMISTRY_MAX + 1;
    ck_assert_int_eq(lkr_profile_validate(&p), LKR_E_INVAL);
    p = good_profile();
    p.ecosystems = 0xFFFFFFFFu;
    ck_assert_int_eq(lkr_profile_validate(&p), LKR_E_INVAL);
    p = good_profile();
    p.has_bridge = 3;
    ck_assert_int_eq(lkr_profile_validate(&p), LKR_E_INVAL);
}

static lkr_status ic_obs_validate(void *o)
{
    return lkr_observations_validate((const lkr_observations *)o);
}

static void bad_lkr_observations_validate(void)
{
    lkr_observations o = offline_obs();
    ck_assert_int_eq(lkr_observations_validate(NULL), LKR_E_INVAL);
    sweep_in(&o, sizeof(o), END_OF(lkr_observations, error_code), LKR_OK, ic_obs_validate, TAIL_UNSUPPORTED);
    o.app_status = LKR_APP_STATUS_MAX + 1;
    ck_assert_int_eq(lkr_observations_validate(&o), LKR_E_INVAL);
    o = offline_obs();
    o.update_state = 0xFF;
    ck_assert_int_eq(lkr_observations_validate(&o), LKR_E_INVAL);
    o = offline_obs();
    o.codes_state = LKR_CODE_STATE_MAX + 1;
    ck_assert_int_eq(lkr_observations_validate(&o), LKR_E_INVAL);
    o = offline_obs();
    o.wifi_security = LKR_WIFI_SECURITY_MAX + 1;
    ck_assert_int_eq(lkr_observations_validate(&o), LKR_E_INVAL);
    o = offline_obs();
    o.battery_pct = INT32_MIN;
    ck_assert_int_eq(lkr_observations_validate(&o), LKR_E_INVAL);
    o = offline_obs();
    o.cell_mv = INT32_MAX;
    ck_assert_int_eq(lkr_observations_validate(&o), LKR_E_INVAL);
}

static void bad_lkr_protocol_name(void)
{
    ck_assert_ptr_null(lkr_protocol_name(0));
    ck_assert_ptr_null(lkr_protocol_name(LKR_PROTOCOL_MAX + 1));
    ck_assert_ptr_null(lkr_protocol_name(0xFFFFFFFFu));
}

/* The find functions: NULL name, NULL output, unknown and empty names; the
 * output is untouched on failure. */
typedef lkr_status (*find_fn)(const char *, uint32_t *);

static void check_find(find_fn f, const char *known)
{
    uint32_t id = 0xDEADu;
    ck_assert_int_eq(f(NULL, &id), LKR_E_INVAL);
    ck_assert_int_eq(f(known, NULL), LKR_E_INVAL);
    ck_assert_int_eq(f(NULL, NULL), LKR_E_INVAL);
    ck_assert_int_eq(f("", &id), LKR_E_NOTFOUND);
    ck_assert_int_eq(f("no such id at all", &id), LKR_E_NOTFOUND);
    ck_assert_uint_eq(id, 0xDEADu);
    ck_assert_int_eq(f(known, &id), LKR_OK);
}

static void bad_lkr_protocol_find(void)
{
    check_find(lkr_protocol_find, "zwave");
    {
        uint32_t id = 0xDEADu;
        ck_assert_int_eq(lkr_protocol_find("ZWAVE", &id), LKR_E_NOTFOUND);
        ck_assert_int_eq(lkr_protocol_find("none", &id), LKR_E_NOTFOUND);
    }
}

static void bad_lkr_ecosystem_name(void)
{
    ck_assert_ptr_null(lkr_ecosystem_name(0));
    ck_assert_ptr_null(lkr_ecosystem_name(LKR_ECOSYSTEM_MAX + 1));
    ck_assert_ptr_null(lkr_ecosystem_name(0xFFFFFFFFu));
}

static void bad_lkr_ecosystem_find(void)
{
    check_find(lkr_ecosystem_find, "homekit");
}

static void bad_lkr_chemistry_name(void)
{
    ck_assert_ptr_nonnull(lkr_chemistry_name(LKR_CHEMISTRY_UNKNOWN)); /* "unknown" is a value */
    ck_assert_ptr_null(lkr_chemistry_name(LKR_CHEMISTRY_MAX + 1));
    ck_assert_ptr_null(lkr_chemistry_name(0xFFFFFFFFu));
}

static void bad_lkr_chemistry_find(void)
{
    check_find(lkr_chemistry_find, "nimh");
}

/* ---- transport.h -------------------------------------------------------------------- */

static void bad_lkr_transport_init(void)
{
    lkr_transport_init(NULL);
}

/* ---- catalog.h ---------------------------------------------------------------------- */

static void bad_lkr_step_count(void)
{
    ck_assert_uint_eq(lkr_step_count(), LKR_STEP_CODE_COLD_WEATHER);
}

static lkr_status oc_step_get(void *o)
{
    return lkr_step_get(LKR_STEP_UNIVERSAL_BATTERY_PULL, (lkr_step_info *)o);
}

static void bad_lkr_step_get(void)
{
    lkr_step_info i = LKR_STEP_INFO_INIT;
    ck_assert_int_eq(lkr_step_get(1, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_step_get(0, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_step_get(0, &i), LKR_E_RANGE);
    ck_assert_int_eq(lkr_step_get(lkr_step_count() + 1, &i), LKR_E_RANGE);
    ck_assert_int_eq(lkr_step_get(0xFFFFFFFFu, &i), LKR_E_RANGE);
    sweep_out(sizeof(lkr_step_info), END_OF(lkr_step_info, fixes), oc_step_get);
}

static void bad_lkr_step_find(void)
{
    check_find(lkr_step_find, "universal.battery_pull");
}

static void bad_lkr_cause_count(void)
{
    ck_assert_uint_eq(lkr_cause_count(), LKR_CAUSE_HARDWARE_FAILURE);
}

static lkr_status oc_cause_get(void *o)
{
    return lkr_cause_get(LKR_CAUSE_WEAK_SIGNAL, (lkr_cause_info *)o);
}

static void bad_lkr_cause_get(void)
{
    lkr_cause_info i = LKR_CAUSE_INFO_INIT;
    ck_assert_int_eq(lkr_cause_get(1, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_cause_get(0, &i), LKR_E_RANGE);
    ck_assert_int_eq(lkr_cause_get(26, &i), LKR_E_RANGE);
    ck_assert_int_eq(lkr_cause_get(0xFFFFFFFFu, &i), LKR_E_RANGE);
    sweep_out(sizeof(lkr_cause_info), END_OF(lkr_cause_info, prior_permille), oc_cause_get);
}

static void bad_lkr_cause_find(void)
{
    check_find(lkr_cause_find, "transfer_stall");
}

static void bad_lkr_symptom_count(void)
{
    ck_assert_uint_eq(lkr_symptom_count(), LKR_SYMPTOM_OFFLINE_NO_UPDATE + 1);
}

static lkr_status oc_symptom_get(void *o)
{
    return lkr_symptom_get(LKR_SYMPTOM_UNKNOWN, (lkr_symptom_info *)o);
}

static void bad_lkr_symptom_get(void)
{
    lkr_symptom_info i = LKR_SYMPTOM_INFO_INIT;
    ck_assert_int_eq(lkr_symptom_get(0, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_symptom_get(lkr_symptom_count(), &i), LKR_E_RANGE);
    ck_assert_int_eq(lkr_symptom_get(0xFFFFFFFFu, &i), LKR_E_RANGE);
    sweep_out(sizeof(lkr_symptom_info), END_OF(lkr_symptom_info, causes), oc_symptom_get);
}

static void bad_lkr_symptom_find(void)
{
    check_find(lkr_symptom_find, "completely_silent");
}

static void bad_lkr_tier_count(void)
{
    ck_assert_uint_eq(lkr_tier_count(), LKR_TIER_CODE);
}

static lkr_status oc_tier_get(void *o)
{
    return lkr_tier_get(LKR_TIER_RESET, (lkr_tier_info *)o);
}

static void bad_lkr_tier_get(void)
{
    lkr_tier_info i = LKR_TIER_INFO_INIT;
    ck_assert_int_eq(lkr_tier_get(1, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_tier_get(0, &i), LKR_E_RANGE);
    ck_assert_int_eq(lkr_tier_get(9, &i), LKR_E_RANGE);
    ck_assert_int_eq(lkr_tier_get(0xFFFFFFFFu, &i), LKR_E_RANGE);
    sweep_out(sizeof(lkr_tier_info), END_OF(lkr_tier_info, description), oc_tier_get);
}

static void bad_lkr_tier_find(void)
{
    check_find(lkr_tier_find, "repair");
}

static void bad_lkr_guard_count(void)
{
    ck_assert_uint_eq(lkr_guard_count(), LKR_GUARD_CODES_NOTED);
}

static lkr_status oc_guard_get(void *o)
{
    return lkr_guard_get(LKR_GUARD_DOOR_OPEN, (lkr_guard_info *)o);
}

static void bad_lkr_guard_get(void)
{
    lkr_guard_info i = LKR_GUARD_INFO_INIT;
    ck_assert_int_eq(lkr_guard_get(1, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_guard_get(0, &i), LKR_E_RANGE);
    ck_assert_int_eq(lkr_guard_get(11, &i), LKR_E_RANGE);
    ck_assert_int_eq(lkr_guard_get(0xFFFFFFFFu, &i), LKR_E_RANGE);
    sweep_out(sizeof(lkr_guard_info), END_OF(lkr_guard_info, instructions), oc_guard_get);
}

static void bad_lkr_guard_find(void)
{
    check_find(lkr_guard_find, "door_open");
}

static lkr_status ic_applies_profile(void *p)
{
    int a = 7;
    return lkr_step_applies(LKR_STEP_UNIVERSAL_BATTERY_PULL, (const lkr_profile *)p, NULL, &a);
}

static lkr_status ic_applies_obs(void *o)
{
    lkr_profile p = good_profile();
    int a = 7;
    return lkr_step_applies(LKR_STEP_UNIVERSAL_BATTERY_PULL, &p, (const lkr_observations *)o, &a);
}

static void bad_lkr_step_applies(void)
{
    lkr_profile p = good_profile();
    lkr_observations o = offline_obs();
    int a = 7;
    ck_assert_int_eq(lkr_step_applies(1, NULL, &o, &a), LKR_E_INVAL);
    ck_assert_int_eq(lkr_step_applies(1, &p, &o, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_step_applies(1, NULL, NULL, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_step_applies(0, &p, &o, &a), LKR_E_RANGE);
    ck_assert_int_eq(lkr_step_applies(64, &p, &o, &a), LKR_E_RANGE);
    ck_assert_int_eq(lkr_step_applies(0xFFFFFFFFu, &p, NULL, &a), LKR_E_RANGE);
    ck_assert_int_eq(a, 7);
    ck_assert_int_eq(lkr_step_applies(1, &p, NULL, &a), LKR_OK); /* obs may be NULL */
    sweep_in(&p, sizeof(p), END_OF(lkr_profile, purchase_date), LKR_OK, ic_applies_profile, TAIL_UNSUPPORTED);
    sweep_in(&o, sizeof(o), END_OF(lkr_observations, error_code), LKR_OK, ic_applies_obs, TAIL_UNSUPPORTED);
}

/* ---- classify.h --------------------------------------------------------------------- */

static lkr_status oc_classify(void *d)
{
    lkr_profile p = good_profile();
    lkr_observations o = offline_obs();
    return lkr_classify(&p, &o, (lkr_diagnosis *)d);
}

static lkr_status ic_classify_profile(void *p)
{
    lkr_observations o = offline_obs();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    return lkr_classify((const lkr_profile *)p, &o, &d);
}

static lkr_status ic_classify_obs(void *o)
{
    lkr_profile p = good_profile();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    return lkr_classify(&p, (const lkr_observations *)o, &d);
}

static void bad_lkr_classify(void)
{
    lkr_profile p = good_profile();
    lkr_observations o = offline_obs();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    ck_assert_int_eq(lkr_classify(NULL, &o, &d), LKR_E_INVAL);
    ck_assert_int_eq(lkr_classify(&p, NULL, &d), LKR_E_INVAL);
    ck_assert_int_eq(lkr_classify(&p, &o, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_classify(NULL, NULL, NULL), LKR_E_INVAL);
    sweep_out(sizeof(lkr_diagnosis), END_OF(lkr_diagnosis, causes), oc_classify);
    sweep_in(&p, sizeof(p), END_OF(lkr_profile, purchase_date), LKR_OK, ic_classify_profile, TAIL_UNSUPPORTED);
    sweep_in(&o, sizeof(o), END_OF(lkr_observations, error_code), LKR_OK, ic_classify_obs, TAIL_UNSUPPORTED);
}

static lkr_status ic_classify_ex_overrides(void *ov)
{
    lkr_profile p = good_profile();
    lkr_observations o = offline_obs();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    return lkr_classify_ex(&p, &o, (const lkr_overrides *)ov, &d);
}

static lkr_status oc_classify_ex(void *d)
{
    lkr_profile p = good_profile();
    lkr_observations o = offline_obs();
    return lkr_classify_ex(&p, &o, NULL, (lkr_diagnosis *)d);
}

static void bad_lkr_classify_ex(void)
{
    lkr_profile p = good_profile();
    lkr_observations o = offline_obs();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    lkr_overrides ov = LKR_OVERRIDES_INIT;
    lkr_weight w = {LKR_CAUSE_WEAK_SIGNAL, 10};
    ck_assert_int_eq(lkr_classify_ex(NULL, &o, &ov, &d), LKR_E_INVAL);
    ck_assert_int_eq(lkr_classify_ex(&p, NULL, &ov, &d), LKR_E_INVAL);
    ck_assert_int_eq(lkr_classify_ex(&p, &o, &ov, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_classify_ex(&p, &o, NULL, &d), LKR_OK);
    ov.prior_count = 1; /* NULL array with a count */
    ck_assert_int_eq(lkr_classify_ex(&p, &o, &ov, &d), LKR_E_INVAL);
    ov.priors = &w;
    w.id = 26;
    ck_assert_int_eq(lkr_classify_ex(&p, &o, &ov, &d), LKR_E_RANGE);
    w.id = 0;
    ck_assert_int_eq(lkr_classify_ex(&p, &o, &ov, &d), LKR_E_RANGE);
    ov = (lkr_overrides)LKR_OVERRIDES_INIT;
    sweep_in(&ov, sizeof(ov), END_OF(lkr_overrides, disabled_steps), LKR_OK, ic_classify_ex_overrides,
             TAIL_UNSUPPORTED);
    sweep_out(sizeof(lkr_diagnosis), END_OF(lkr_diagnosis, causes), oc_classify_ex);
}

static lkr_status ic_overrides_validate(void *ov)
{
    return lkr_overrides_validate((const lkr_overrides *)ov);
}

static void bad_lkr_overrides_validate(void)
{
    lkr_overrides ov = LKR_OVERRIDES_INIT;
    lkr_likelihood l = {LKR_EVIDENCE_KEYPAD_DARK, LKR_CAUSE_WEAK_SIGNAL, 1000};
    uint32_t steps[1] = {0};
    lkr_weight cost = {LKR_STEP_UNIVERSAL_BATTERY_PULL, 5};
    ck_assert_int_eq(lkr_overrides_validate(NULL), LKR_OK); /* documented: none */
    sweep_in(&ov, sizeof(ov), END_OF(lkr_overrides, disabled_steps), LKR_OK, ic_overrides_validate,
             TAIL_UNSUPPORTED);
    ov.likelihood_count = 1;
    ov.likelihoods = &l;
    l.evidence = 0;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    l.evidence = lkr_evidence_count() + 1;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    l.evidence = LKR_EVIDENCE_KEYPAD_DARK;
    l.cause = 0;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    l.cause = 26;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    l.cause = LKR_CAUSE_WEAK_SIGNAL;
    l.permille = 1000001u;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL);
    ov = (lkr_overrides)LKR_OVERRIDES_INIT;
    ov.disabled_count = 1;
    ov.disabled_steps = steps;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    steps[0] = 0xFFFFFFFFu;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    ov = (lkr_overrides)LKR_OVERRIDES_INIT;
    ov.cost_count = 1;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL); /* NULL array */
    ov.costs = &cost;
    cost.id = 64;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    cost.id = LKR_STEP_UNIVERSAL_BATTERY_PULL;
    cost.value = 100001u;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL);
    ov.cost_count = 0xFFFFFFFFu;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL);
}

static void bad_lkr_triage_name(void)
{
    ck_assert_ptr_null(lkr_triage_name(0));
    ck_assert_ptr_null(lkr_triage_name(3));
    ck_assert_ptr_null(lkr_triage_name(1u << 11));
    ck_assert_ptr_null(lkr_triage_name(1u << 31));
    ck_assert_ptr_null(lkr_triage_name(0xFFFFFFFFu));
}

static void bad_lkr_evidence_count(void)
{
    ck_assert_uint_eq(lkr_evidence_count(), LKR_EVIDENCE_SOFTWARE_CURRENT);
}

static void bad_lkr_evidence_name(void)
{
    ck_assert_ptr_null(lkr_evidence_name(0));
    ck_assert_ptr_null(lkr_evidence_name(lkr_evidence_count() + 1));
    ck_assert_ptr_null(lkr_evidence_name(0xFFFFFFFFu));
}

static void bad_lkr_evidence_find(void)
{
    check_find(lkr_evidence_find, "keypad_dark");
}

static void bad_lkr_likelihood_get(void)
{
    uint32_t pm = 0xDEADu;
    ck_assert_int_eq(lkr_likelihood_get(1, 1, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_likelihood_get(0, 1, &pm), LKR_E_RANGE);
    ck_assert_int_eq(lkr_likelihood_get(lkr_evidence_count() + 1, 1, &pm), LKR_E_RANGE);
    ck_assert_int_eq(lkr_likelihood_get(0xFFFFFFFFu, 1, &pm), LKR_E_RANGE);
    ck_assert_int_eq(lkr_likelihood_get(1, 0, &pm), LKR_E_RANGE);
    ck_assert_int_eq(lkr_likelihood_get(1, 26, &pm), LKR_E_RANGE);
    ck_assert_int_eq(lkr_likelihood_get(1, 0xFFFFFFFFu, &pm), LKR_E_RANGE);
    ck_assert_uint_eq(pm, 0xDEADu);
}

/* ---- session.h ------------------------------------------------------------------------ */

static void bad_lkr_session_config_init(void)
{
    lkr_session_config_init(NULL);
}

static lkr_status new_and_free(const lkr_session_config *c, const lkr_transport *t)
{
    lkr_session *s = NULL;
    lkr_status st = lkr_session_new(c, t, &s);
    if (st == LKR_OK) {
        ck_assert_ptr_nonnull(s);
        lkr_session_free(s);
    } else {
        ck_assert_ptr_null(s); /* set only on success */
    }
    return st;
}

static lkr_profile g_profile;
static lkr_observations g_obs;

static lkr_status ic_new_config(void *c)
{
    lkr_transport t = basic_transport();
    return new_and_free((const lkr_session_config *)c, &t);
}

static lkr_status ic_new_transport(void *t)
{
    lkr_session_config c;
    lkr_session_config_init(&c);
    c.profile = &g_profile;
    return new_and_free(&c, (const lkr_transport *)t);
}

static lkr_status ic_new_allocator(void *a)
{
    lkr_session_config c;
    lkr_transport t = basic_transport();
    lkr_session_config_init(&c);
    c.profile = &g_profile;
    c.allocator = (const lkr_allocator *)a;
    return new_and_free(&c, &t);
}

static lkr_status ic_new_profile(void *p)
{
    lkr_session_config c;
    lkr_transport t = basic_transport();
    lkr_session_config_init(&c);
    c.profile = (const lkr_profile *)p;
    return new_and_free(&c, &t);
}

static lkr_status ic_new_obs(void *o)
{
    lkr_session_config c;
    lkr_transport t = basic_transport();
    lkr_session_config_init(&c);
    c.profile = &g_profile;
    c.observations = (const lkr_observations *)o;
    return new_and_free(&c, &t);
}

static lkr_status ic_new_overrides(void *ov)
{
    lkr_session_config c;
    lkr_transport t = basic_transport();
    lkr_session_config_init(&c);
    c.profile = &g_profile;
    c.overrides = (const lkr_overrides *)ov;
    return new_and_free(&c, &t);
}

static void bad_lkr_session_new(void)
{
    lkr_session_config c;
    lkr_transport t = basic_transport();
    lkr_allocator a = good_allocator();
    lkr_overrides ov = LKR_OVERRIDES_INIT;
    lkr_likelihood many[LKR_SESSION_LIKELIHOODS_MAX + 1];
    lkr_session *s = NULL;
    uint32_t i;
    g_profile = good_profile();
    g_obs = offline_obs();
    lkr_session_config_init(&c);
    c.profile = &g_profile;
    ck_assert_int_eq(lkr_session_new(NULL, &t, &s), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_new(&c, NULL, &s), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_new(&c, &t, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_new(NULL, NULL, NULL), LKR_E_INVAL);
    ck_assert_ptr_null(s);
    c.profile = NULL;
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_E_INVAL);
    c.profile = &g_profile;
    c.reserved_ = 1;
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_E_INVAL);
    c.reserved_ = 0;
    t.now_ms = NULL; /* no clock */
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_E_INVAL);
    t.now_ms = clk;
    a.alloc = NULL;
    c.allocator = &a;
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_E_INVAL);
    a = good_allocator();
    a.free = NULL;
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_E_INVAL);
    c.allocator = NULL;
    a = good_allocator();
    ck_assert_ptr_null(s);
    /* More likelihood overrides than a session keeps. */
    for (i = 0; i <= LKR_SESSION_LIKELIHOODS_MAX; i++) {
        many[i].evidence = i + 1;
        many[i].cause = LKR_CAUSE_WEAK_SIGNAL;
        many[i].permille = 500;
    }
    ov.likelihood_count = LKR_SESSION_LIKELIHOODS_MAX + 1;
    ov.likelihoods = many;
    c.overrides = &ov;
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_E_UNSUPPORTED);
    ov.likelihood_count = 1;
    many[0].cause = 26;
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_E_RANGE);
    c.overrides = NULL;
    /* A protocol out of range, observations contradicting the profile. */
    g_profile.protocol = 6;
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_E_INVAL);
    g_profile = good_profile();
    g_profile.has_keypad = LKR_NO;
    c.observations = &g_obs; /* keypad facts on a lock without one */
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_E_INVAL);
    ck_assert_ptr_null(s);
    g_profile = good_profile();
    c.observations = NULL;
    /* Every caller-sized struct it reads. */
    sweep_in(&c, sizeof(c), END_OF(lkr_session_config, allocator), LKR_OK, ic_new_config, TAIL_UNSUPPORTED);
    sweep_in(&t, sizeof(t), END_OF(lkr_transport, unseal), LKR_OK, ic_new_transport, TAIL_UNSUPPORTED);
    sweep_in(&a, sizeof(a), END_OF(lkr_allocator, free), LKR_OK, ic_new_allocator, TAIL_UNSUPPORTED);
    {
        lkr_profile p = good_profile();
        lkr_observations o = offline_obs();
        lkr_overrides o2 = LKR_OVERRIDES_INIT;
        sweep_in(&p, sizeof(p), END_OF(lkr_profile, purchase_date), LKR_OK, ic_new_profile, TAIL_UNSUPPORTED);
        sweep_in(&o, sizeof(o), END_OF(lkr_observations, error_code), LKR_OK, ic_new_obs, TAIL_UNSUPPORTED);
        sweep_in(&o2, sizeof(o2), END_OF(lkr_overrides, disabled_steps), LKR_OK, ic_new_overrides,
                 TAIL_UNSUPPORTED);
    }
}

static void bad_lkr_session_free(void)
{
    lkr_session_free(NULL);
}

static lkr_session *g_s;

static lkr_status oc_next(void *a)
{
    return lkr_session_next(g_s, (lkr_action *)a);
}

static void bad_lkr_session_next(void)
{
    lkr_action a = LKR_ACTION_INIT;
    g_s = new_session(NULL, NULL);
    ck_assert_int_eq(lkr_session_next(NULL, &a), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_next(g_s, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_next(NULL, NULL), LKR_E_INVAL);
    sweep_out(sizeof(lkr_action), END_OF(lkr_action, text), oc_next);
    a = next_of(g_s); /* still works after all that */
    ck_assert_uint_eq(a.kind, LKR_ACTION_ASK);
    lkr_session_free(g_s);
    g_s = NULL;
}

static const uint32_t bad_steps[] = {0, 64, 0xFFFFFFFFu};

static void bad_lkr_session_report(void)
{
    lkr_observations o = offline_obs();
    lkr_session *s = new_session(&o, NULL);
    lkr_action a = next_of(s);
    static const uint32_t bad_outcomes[] = {LKR_OUTCOME_NONE, LKR_OUTCOME_WAIVED, LKR_OUTCOME_REFUTED,
                                            LKR_OUTCOME_HANDED_OVER, 10, 0xFFFFFFFFu};
    size_t i;
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_int_eq(lkr_session_report(NULL, a.step, LKR_OUTCOME_DONE), LKR_E_INVAL);
    for (i = 0; i < sizeof(bad_outcomes) / sizeof(bad_outcomes[0]); i++) {
        ck_assert_int_eq(lkr_session_report(s, a.step, bad_outcomes[i]), LKR_E_INVAL);
    }
    for (i = 0; i < 3; i++) {
        /* Not the step in hand: "bad value" or "not waiting for it" (docs allow both readings). */
        lkr_status rc = lkr_session_report(s, bad_steps[i], LKR_OUTCOME_DONE);
        ck_assert_msg(rc == LKR_E_INVAL || rc == LKR_E_STATE, "step %u: %s", bad_steps[i], lkr_status_name(rc));
    }
    {
        lkr_action again = next_of(s);
        ck_assert_uint_eq(again.kind, a.kind); /* nothing moved */
        ck_assert_uint_eq(again.step, a.step);
    }
    ck_assert_int_eq(lkr_session_abort(s), LKR_OK);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_E_STATE);
    lkr_session_free(s);
}

static void bad_lkr_session_answer(void)
{
    lkr_session *s = new_session(NULL, NULL);
    lkr_action a = next_of(s);
    static const uint32_t bad_questions[] = {0, LKR_QUESTION_MAX + 1, 0xFFFFFFFFu};
    size_t i;
    ck_assert_uint_eq(a.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(a.question, LKR_QUESTION_UPDATE_STATE);
    ck_assert_int_eq(lkr_session_answer(NULL, a.question, LKR_UNKNOWN), LKR_E_INVAL);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(lkr_session_answer(s, bad_questions[i], LKR_UNKNOWN), LKR_E_INVAL);
    }
    ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UPDATE_STATE_MAX + 1), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(s, a.question, -2), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(s, a.question, INT32_MIN), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(s, a.question, INT32_MAX), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(s, LKR_QUESTION_KEYPAD_LIGHTS, LKR_YES), LKR_E_STATE); /* not asked */
    ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UPDATE_NONE), LKR_OK);
    a = next_of(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(a.question, LKR_QUESTION_KEYPAD_LIGHTS);
    ck_assert_int_eq(lkr_session_answer(s, a.question, 3), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(s, a.question, -1), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_abort(s), LKR_OK);
    ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_YES), LKR_E_STATE);
    lkr_session_free(s);
}

static lkr_status ic_observe(void *o)
{
    return lkr_session_observe(g_s, (const lkr_observations *)o);
}

static void bad_lkr_session_observe(void)
{
    lkr_observations o;
    g_s = new_session(NULL, NULL);
    lkr_observations_init(&o);
    ck_assert_int_eq(lkr_session_observe(NULL, &o), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_observe(g_s, NULL), LKR_E_INVAL);
    sweep_in(&o, sizeof(o), END_OF(lkr_observations, error_code), LKR_OK, ic_observe, TAIL_UNSUPPORTED);
    o.app_status = 0xFF;
    ck_assert_int_eq(lkr_session_observe(g_s, &o), LKR_E_INVAL);
    lkr_observations_init(&o);
    o.battery_pct = 101;
    ck_assert_int_eq(lkr_session_observe(g_s, &o), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_abort(g_s), LKR_OK);
    lkr_observations_init(&o);
    ck_assert_int_eq(lkr_session_observe(g_s, &o), LKR_E_STATE);
    lkr_session_free(g_s);
    g_s = NULL;
}

static void bad_lkr_session_tick(void)
{
    lkr_session *s = new_session(NULL, NULL);
    ck_assert_int_eq(lkr_session_tick(NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_tick(s), LKR_OK); /* no wait running */
    lkr_session_free(s);
}

/* Drives a session (answers unknown, person does every step and says it did
 * not help, guards confirmed or the step waived) until `stop` says so. */
static int drive_until(lkr_session *s, int (*stop)(const lkr_action *))
{
    int n;
    for (n = 0; n < 400; n++) {
        lkr_action a = next_of(s);
        if (stop(&a)) return 1;
        if (lkr_action_is_final(&a)) return 0;
        switch (a.kind) {
        case LKR_ACTION_ASK:
            ck_assert_int_eq(lkr_session_answer(s, a.question,
                                                a.question == LKR_QUESTION_UPDATE_STALLED_MIN ? LKR_NUM_UNKNOWN
                                                                                               : LKR_UNKNOWN),
                             LKR_OK);
            break;
        case LKR_ACTION_PERSON_STEP:
        case LKR_ACTION_HOST_STEP:
            ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
            break;
        case LKR_ACTION_WAIT:
            g_clock = a.wait_until_ms;
            ck_assert_int_eq(lkr_session_tick(s), LKR_OK);
            break;
        case LKR_ACTION_VERIFY:
            if (a.phase == LKR_PHASE_PROBE) {
                lkr_probe_result r;
                memset(&r, 0, sizeof(r));
                r.struct_size = sizeof(r);
                r.reachable = LKR_NO;
                r.battery_pct = LKR_NUM_UNKNOWN;
                ck_assert_int_eq(lkr_session_probe_done(s, LKR_OK, &r), LKR_OK);
            } else {
                ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_NOT_FIXED), LKR_OK);
            }
            break;
        case LKR_ACTION_BLOCKED:
            ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, a.step, "guards not met"), LKR_OK);
            break;
        default:
            ck_abort_msg("unexpected action kind %u", a.kind);
        }
    }
    return 0;
}

static int is_probe_verify(const lkr_action *a)
{
    return a->kind == LKR_ACTION_VERIFY && a->phase == LKR_PHASE_PROBE;
}

static lkr_status ic_probe_done(void *r)
{
    return lkr_session_probe_done(g_s, LKR_OK, (const lkr_probe_result *)r);
}

static void bad_lkr_session_probe_done(void)
{
    lkr_observations o = offline_obs();
    lkr_transport t = basic_transport();
    lkr_probe_result r;
    t.probe = probe_cb;
    t.run_step = run_unsupported;
    g_probe_status = LKR_PENDING;
    g_s = new_session(&o, &t);
    memset(&r, 0, sizeof(r));
    r.struct_size = sizeof(r);
    r.battery_pct = LKR_NUM_UNKNOWN;
    ck_assert_int_eq(lkr_session_probe_done(NULL, LKR_OK, &r), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_probe_done(g_s, LKR_OK, &r), LKR_E_STATE); /* none pending */
    ck_assert(drive_until(g_s, is_probe_verify));
    ck_assert_int_eq(lkr_session_probe_done(g_s, LKR_OK, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_probe_done(g_s, LKR_PENDING, &r), LKR_E_INVAL);
    {
        /* Only short and absurd sizes: a good one completes the probe. */
        unsigned char *e = malloc(sizeof(r));
        uint32_t sizes[4] = {0, 4, (uint32_t)END_OF(lkr_probe_result, error_code) - 1u, HUGE_SIZE};
        unsigned i;
        ck_assert_ptr_nonnull(e);
        for (i = 0; i < 4; i++) {
            memcpy(e, &r, sizeof(r));
            set_size(e, sizes[i]);
            ck_assert_int_eq(ic_probe_done(e), LKR_E_INVAL);
        }
        free(e);
    }
    {
        lkr_action a = next_of(g_s);
        ck_assert(is_probe_verify(&a)); /* still pending after every refusal */
    }
    /* Out-of-range statuses are failures, never success: the person is asked. */
    ck_assert_int_eq(lkr_session_probe_done(g_s, 12345, NULL), LKR_OK);
    {
        lkr_action a = next_of(g_s);
        ck_assert_uint_eq(a.kind, LKR_ACTION_VERIFY);
        ck_assert_uint_eq(a.phase, LKR_PHASE_ASK_PERSON);
    }
    ck_assert_int_eq(lkr_session_probe_done(g_s, -999, NULL), LKR_E_STATE);
    lkr_session_free(g_s);
    g_s = NULL;
}

static void bad_lkr_session_confirm(void)
{
    lkr_session *s = new_session(NULL, NULL);
    static const uint32_t bad_guards[] = {0, LKR_GUARD_CODES_BACKED_UP, LKR_GUARD_EARLIER_TIERS_DONE,
                                          LKR_GUARD_NO_ACTIVE_TRANSFER, LKR_GUARD_REPAIR_CODES_SAFE,
                                          11, 31, 32, 0xFFFFFFFFu};
    size_t i;
    ck_assert_int_eq(lkr_session_confirm(NULL, LKR_GUARD_DOOR_OPEN, 1), LKR_E_INVAL);
    for (i = 0; i < sizeof(bad_guards) / sizeof(bad_guards[0]); i++) {
        ck_assert_int_eq(lkr_session_confirm(s, bad_guards[i], 1), LKR_E_INVAL);
    }
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 2), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, -1), LKR_E_INVAL);
    /* good_profile() has no key cylinder. */
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_PHYSICAL_KEY, 1), LKR_E_UNSUPPORTED);
    ck_assert_int_eq(lkr_session_abort(s), LKR_OK);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 1), LKR_E_STATE);
    lkr_session_free(s);
}

static void bad_lkr_session_waive(void)
{
    lkr_session *s = new_session(NULL, NULL);
    char long_reason[LKR_REASON_MAX + 1];
    static const uint32_t bad_kinds[] = {0, 3, 0xFFFFFFFFu};
    static const uint32_t bad_tiers[] = {0, LKR_TIER_SUPPORT, 9, 0xFFFFFFFFu};
    size_t i;
    memset(long_reason, 'r', sizeof(long_reason) - 1);
    long_reason[sizeof(long_reason) - 1] = '\0';
    ck_assert_int_eq(lkr_session_waive(NULL, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, "ok"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, ""), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, long_reason), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, "tab\there"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, "del\x7f"), LKR_E_INVAL);
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(lkr_session_waive(s, bad_kinds[i], LKR_TIER_ECOSYSTEM, "ok"), LKR_E_INVAL);
    }
    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, bad_tiers[i], "ok"), LKR_E_INVAL);
    }
    for (i = 0; i < 3; i++) {
        ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, bad_steps[i], "ok"), LKR_E_INVAL);
    }
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_BLE_REBOND, "not zwave"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_SUPPORT_LOCKSMITH, "hand-over"),
                     LKR_E_INVAL);
    {
        lkr_session_info info = LKR_SESSION_INFO_INIT;
        ck_assert_int_eq(lkr_session_status(s, &info), LKR_OK);
        ck_assert_uint_eq(info.waiver_count, 0); /* nothing recorded by a refusal */
    }
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, "no ecosystems"), LKR_OK);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, "twice"), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_abort(s), LKR_OK);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_REPAIR, "late"), LKR_E_STATE);
    lkr_session_free(s);
}

static void bad_lkr_session_abort(void)
{
    lkr_session *s = new_session(NULL, NULL);
    ck_assert_int_eq(lkr_session_abort(NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_abort(s), LKR_OK);
    ck_assert_int_eq(lkr_session_abort(s), LKR_E_STATE);
    lkr_session_free(s);
}

static lkr_status oc_status(void *o)
{
    return lkr_session_status(g_s, (lkr_session_info *)o);
}

static void bad_lkr_session_status(void)
{
    lkr_session_info i = LKR_SESSION_INFO_INIT;
    g_s = new_session(NULL, NULL);
    ck_assert_int_eq(lkr_session_status(NULL, &i), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_status(g_s, NULL), LKR_E_INVAL);
    sweep_out(sizeof(lkr_session_info), END_OF(lkr_session_info, backup_verified), oc_status);
    lkr_session_free(g_s);
    g_s = NULL;
}

static lkr_status oc_beliefs(void *o)
{
    return lkr_session_beliefs(g_s, (lkr_diagnosis *)o);
}

static void bad_lkr_session_beliefs(void)
{
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    g_s = new_session(NULL, NULL);
    ck_assert_int_eq(lkr_session_beliefs(NULL, &d), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_beliefs(g_s, NULL), LKR_E_INVAL);
    sweep_out(sizeof(lkr_diagnosis), END_OF(lkr_diagnosis, causes), oc_beliefs);
    lkr_session_free(g_s);
    g_s = NULL;
}

static lkr_status oc_history(void *o)
{
    return lkr_session_history(g_s, 0, (lkr_history_entry *)o);
}

static void bad_lkr_session_history(void)
{
    lkr_observations o = offline_obs();
    lkr_history_entry e = LKR_HISTORY_ENTRY_INIT;
    g_s = new_session(&o, NULL);
    ck_assert_int_eq(lkr_session_history(g_s, 0, &e), LKR_E_RANGE); /* nothing offered yet */
    (void)next_of(g_s);                                               /* a step is offered */
    ck_assert_int_eq(lkr_session_history(NULL, 0, &e), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_history(g_s, 0, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_history(g_s, 1, &e), LKR_E_RANGE);
    ck_assert_int_eq(lkr_session_history(g_s, LKR_HISTORY_MAX, &e), LKR_E_RANGE);
    ck_assert_int_eq(lkr_session_history(g_s, 0xFFFFFFFFu, &e), LKR_E_RANGE);
    sweep_out(sizeof(lkr_history_entry), END_OF(lkr_history_entry, ended_ms), oc_history);
    lkr_session_free(g_s);
    g_s = NULL;
}

static lkr_status oc_waiver(void *o)
{
    return lkr_session_waiver(g_s, 0, (lkr_waiver *)o);
}

static void bad_lkr_session_waiver(void)
{
    lkr_waiver w = LKR_WAIVER_INIT;
    g_s = new_session(NULL, NULL);
    ck_assert_int_eq(lkr_session_waiver(g_s, 0, &w), LKR_E_RANGE);
    ck_assert_int_eq(lkr_session_waive(g_s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, "none linked"), LKR_OK);
    ck_assert_int_eq(lkr_session_waiver(NULL, 0, &w), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waiver(g_s, 0, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waiver(g_s, 1, &w), LKR_E_RANGE);
    ck_assert_int_eq(lkr_session_waiver(g_s, 0xFFFFFFFFu, &w), LKR_E_RANGE);
    sweep_out(sizeof(lkr_waiver), END_OF(lkr_waiver, reason), oc_waiver);
    lkr_session_free(g_s);
    g_s = NULL;
}

static void bad_lkr_session_attach_vault(void)
{
    lkr_session *s = new_session(NULL, NULL);
    lkr_vault *v = NULL;
    ck_assert_int_eq(lkr_vault_new(NULL, &v), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(NULL, v), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_attach_vault(NULL, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_attach_vault(s, NULL), LKR_OK); /* detach */
    ck_assert_int_eq(lkr_session_attach_vault(s, v), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(s, NULL), LKR_OK);
    lkr_session_free(s);
    lkr_vault_free(v);
}

static void bad_lkr_session_save(void)
{
    lkr_session *s = new_session(NULL, NULL);
    unsigned char small[8];
    size_t needed = 0;
    memset(small, 0xA5, sizeof(small));
    ck_assert_int_eq(lkr_session_save(NULL, NULL, 0, &needed), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_save(s, NULL, 0, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_save(s, NULL, 16, &needed), LKR_E_INVAL); /* NULL with a capacity */
    ck_assert_int_eq(lkr_session_save(s, small, sizeof(small), NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_save(s, NULL, 0, &needed), LKR_E_BUFFER);
    ck_assert(needed > sizeof(small) && needed <= LKR_SESSION_BLOB_MAX);
    ck_assert_int_eq(lkr_session_save(s, small, sizeof(small), &needed), LKR_E_BUFFER);
    lkr_session_free(s);
}

static unsigned char g_blob[LKR_SESSION_BLOB_MAX];
static size_t g_blob_len;

static lkr_status load_and_free(const lkr_session_config *c, const lkr_transport *t)
{
    lkr_session *s = NULL;
    lkr_status st = lkr_session_load(c, t, g_blob, g_blob_len, &s);
    if (st == LKR_OK) {
        lkr_session_free(s);
    } else {
        ck_assert_ptr_null(s);
    }
    return st;
}

static lkr_status ic_load_config(void *c)
{
    lkr_transport t = basic_transport();
    return load_and_free((const lkr_session_config *)c, &t);
}

static lkr_status ic_load_transport(void *t)
{
    lkr_session_config c;
    lkr_session_config_init(&c);
    return load_and_free(&c, (const lkr_transport *)t);
}

static lkr_status ic_load_allocator(void *a)
{
    lkr_session_config c;
    lkr_transport t = basic_transport();
    lkr_session_config_init(&c);
    c.allocator = (const lkr_allocator *)a;
    return load_and_free(&c, &t);
}

static void bad_lkr_session_load(void)
{
    lkr_session *s = new_session(NULL, NULL), *out = NULL;
    lkr_session_config c;
    lkr_transport t = basic_transport();
    lkr_allocator a = good_allocator();
    lkr_profile p = good_profile();
    unsigned char *big;
    ck_assert_int_eq(lkr_session_save(s, g_blob, sizeof(g_blob), &g_blob_len), LKR_OK);
    lkr_session_free(s);
    lkr_session_config_init(&c);
    ck_assert_int_eq(lkr_session_load(NULL, &t, g_blob, g_blob_len, &out), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_load(&c, NULL, g_blob, g_blob_len, &out), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_load(&c, &t, NULL, g_blob_len, &out), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_load(&c, &t, g_blob, g_blob_len, NULL), LKR_E_INVAL);
    c.profile = &p; /* the blob carries it */
    ck_assert_int_eq(lkr_session_load(&c, &t, g_blob, g_blob_len, &out), LKR_E_INVAL);
    c.profile = NULL;
    t.now_ms = NULL;
    ck_assert_int_eq(lkr_session_load(&c, &t, g_blob, g_blob_len, &out), LKR_E_INVAL);
    t.now_ms = clk;
    ck_assert_int_eq(lkr_session_load(&c, &t, g_blob, 0, &out), LKR_E_TRUNCATED);
    ck_assert_int_eq(lkr_session_load(&c, &t, g_blob, g_blob_len - 1, &out), LKR_E_TRUNCATED);
    big = calloc(1, LKR_SESSION_BLOB_MAX + 1);
    ck_assert_ptr_nonnull(big);
    memcpy(big, g_blob, g_blob_len);
    ck_assert_int_eq(lkr_session_load(&c, &t, big, g_blob_len + 1, &out), LKR_E_OVERSIZED);
    ck_assert_int_eq(lkr_session_load(&c, &t, big, LKR_SESSION_BLOB_MAX + 1, &out), LKR_E_OVERSIZED);
    memset(big, 0x5A, g_blob_len);
    ck_assert_int_eq(lkr_session_load(&c, &t, big, g_blob_len, &out), LKR_E_CORRUPT);
    free(big);
    ck_assert_ptr_null(out);
    sweep_in(&c, sizeof(c), END_OF(lkr_session_config, allocator), LKR_OK, ic_load_config, TAIL_UNSUPPORTED);
    sweep_in(&t, sizeof(t), END_OF(lkr_transport, unseal), LKR_OK, ic_load_transport, TAIL_UNSUPPORTED);
    sweep_in(&a, sizeof(a), END_OF(lkr_allocator, free), LKR_OK, ic_load_allocator, TAIL_UNSUPPORTED);
}

typedef lkr_status (*report_fn)(const lkr_session *, char *, size_t, size_t *);

static void check_report(report_fn f)
{
    lkr_session *s = new_session(NULL, NULL);
    char small[4];
    size_t needed = 0;
    ck_assert_int_eq(f(NULL, NULL, 0, &needed), LKR_E_INVAL);
    ck_assert_int_eq(f(s, NULL, 0, NULL), LKR_E_INVAL);
    ck_assert_int_eq(f(s, NULL, 10, &needed), LKR_E_INVAL);
    ck_assert_int_eq(f(s, NULL, 0, &needed), LKR_E_BUFFER);
    ck_assert(needed > sizeof(small));
    memset(small, 'x', sizeof(small));
    ck_assert_int_eq(f(s, small, sizeof(small), &needed), LKR_E_BUFFER);
    ck_assert_int_eq(small[0], '\0'); /* never half a report */
    lkr_session_free(s);
}

static void bad_lkr_session_report_json(void)
{
    check_report(lkr_session_report_json);
}

static void bad_lkr_session_report_text(void)
{
    check_report(lkr_session_report_text);
}

static void bad_lkr_action_is_final(void)
{
    lkr_action a = LKR_ACTION_INIT;
    ck_assert_int_eq(lkr_action_is_final(NULL), 0);
    a.kind = 10;
    ck_assert_int_eq(lkr_action_is_final(&a), 0);
    a.kind = 0xFFFFFFFFu;
    ck_assert_int_eq(lkr_action_is_final(&a), 0);
    a.kind = LKR_ACTION_NONE;
    ck_assert_int_eq(lkr_action_is_final(&a), 0);
}

static lkr_status ic_preflight_input(void *in)
{
    lkr_profile p = good_profile();
    uint32_t unmet = 0;
    return lkr_preflight(&p, (const lkr_preflight_input *)in, &unmet);
}

static lkr_status ic_preflight_profile(void *p)
{
    lkr_preflight_input in = LKR_PREFLIGHT_INPUT_INIT;
    uint32_t unmet = 0;
    return lkr_preflight((const lkr_profile *)p, &in, &unmet);
}

static void bad_lkr_preflight(void)
{
    lkr_profile p = good_profile();
    lkr_preflight_input in = LKR_PREFLIGHT_INPUT_INIT;
    uint32_t unmet = 0xDEADu;
    ck_assert_int_eq(lkr_preflight(NULL, &in, &unmet), LKR_E_INVAL);
    ck_assert_int_eq(lkr_preflight(&p, NULL, &unmet), LKR_E_INVAL);
    ck_assert_int_eq(lkr_preflight(&p, &in, NULL), LKR_E_INVAL);
    in.battery_pct = 101;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_INVAL);
    in.battery_pct = LKR_NUM_UNKNOWN;
    in.android = 3;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_INVAL);
    in.android = 0;
    in.reserved_[1] = 1;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_INVAL);
    ck_assert_uint_eq(unmet, 0xDEADu);
    in = (lkr_preflight_input)LKR_PREFLIGHT_INPUT_INIT;
    /* Everything unknown: every item unmet (E_GUARD), whatever the size. */
    sweep_in(&in, sizeof(in), END_OF(lkr_preflight_input, reserved_), LKR_E_GUARD, ic_preflight_input,
             TAIL_UNSUPPORTED);
    sweep_in(&p, sizeof(p), END_OF(lkr_profile, purchase_date), LKR_E_GUARD, ic_preflight_profile,
             TAIL_UNSUPPORTED);
}

/* ---- vault.h ------------------------------------------------------------------------ */

static void bad_lkr_code_init(void)
{
    lkr_code_init(NULL);
}

static lkr_status ic_vault_new_allocator(void *a)
{
    lkr_vault *v = NULL;
    lkr_status st = lkr_vault_new((const lkr_allocator *)a, &v);
    if (st == LKR_OK) lkr_vault_free(v);
    else ck_assert_ptr_null(v);
    return st;
}

static void bad_lkr_vault_new(void)
{
    lkr_allocator a = good_allocator();
    lkr_vault *v = NULL;
    ck_assert_int_eq(lkr_vault_new(NULL, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_new(&a, NULL), LKR_E_INVAL);
    a.alloc = NULL;
    ck_assert_int_eq(lkr_vault_new(&a, &v), LKR_E_INVAL);
    a = good_allocator();
    a.free = NULL;
    ck_assert_int_eq(lkr_vault_new(&a, &v), LKR_E_INVAL);
    ck_assert_ptr_null(v);
    a = good_allocator();
    sweep_in(&a, sizeof(a), END_OF(lkr_allocator, free), LKR_OK, ic_vault_new_allocator, TAIL_UNSUPPORTED);
}

static void bad_lkr_vault_free(void)
{
    lkr_vault_free(NULL);
}

static lkr_vault *g_v;

/* Vault functions taking a transport: NULL, and every size. The basic
 * transport has no code callbacks, so a well-formed call ends in
 * LKR_E_UNSUPPORTED (or LKR_E_STATE before a verified backup). */
static lkr_status ic_backup(void *t)
{
    return lkr_vault_backup(g_v, (const lkr_transport *)t);
}

static void bad_lkr_vault_backup(void)
{
    lkr_transport t = basic_transport();
    ck_assert_int_eq(lkr_vault_new(NULL, &g_v), LKR_OK);
    ck_assert_int_eq(lkr_vault_backup(NULL, &t), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_backup(g_v, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_backup(g_v, &t), LKR_E_UNSUPPORTED); /* no read_codes */
    sweep_in(&t, sizeof(t), END_OF(lkr_transport, unseal), LKR_E_UNSUPPORTED, ic_backup, TAIL_ANY);
    lkr_vault_free(g_v);
    g_v = NULL;
}

static lkr_status ic_record(void *c)
{
    return lkr_vault_record(g_v, (const lkr_code *)c);
}

static void bad_lkr_vault_record(void)
{
    lkr_code c;
    ck_assert_int_eq(lkr_vault_new(NULL, &g_v), LKR_OK);
    lkr_code_init(&c);
    c.slot = 3;
    c.kind = LKR_CODE_USER;
    strcpy(c.pin, "4711");
    ck_assert_int_eq(lkr_vault_record(NULL, &c), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_record(g_v, NULL), LKR_E_INVAL);
    sweep_in(&c, sizeof(c), END_OF(lkr_code, pin), LKR_OK, ic_record, TAIL_ANY);
    c.kind = LKR_CODE_NONE;
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    c.kind = LKR_CODE_KIND_MAX + 1;
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    c.kind = LKR_CODE_USER;
    c.slot = 65536;
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    c.slot = 3;
    strcpy(c.pin, "12");
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    strcpy(c.pin, "12a4");
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    strcpy(c.pin, "1234567890123");
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    c.pin[0] = '\0';
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    strcpy(c.pin, "4711");
    memset(c.name, 'n', sizeof(c.name)); /* unterminated */
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    memset(c.name, 0, sizeof(c.name));
    c.weekdays = 0x80;
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    c.weekdays = 0;
    c.day_start_min = 1440;
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    c.day_start_min = 0;
    c.valid_from_s = 100;
    c.valid_until_s = 50;
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_E_INVAL);
    lkr_vault_free(g_v);
    g_v = NULL;
}

static lkr_status ic_verify(void *t)
{
    uint32_t m = 0;
    return lkr_vault_verify(g_v, (const lkr_transport *)t, &m);
}

static void bad_lkr_vault_verify(void)
{
    lkr_transport t = basic_transport();
    uint32_t m = 0xDEADu;
    ck_assert_int_eq(lkr_vault_new(NULL, &g_v), LKR_OK);
    ck_assert_int_eq(lkr_vault_verify(NULL, &t, &m), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_verify(g_v, NULL, &m), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_verify(g_v, &t, NULL), LKR_E_STATE); /* missing may be NULL */
    ck_assert_int_eq(lkr_vault_verify(g_v, &t, &m), LKR_E_STATE);  /* no verified backup */
    sweep_in(&t, sizeof(t), END_OF(lkr_transport, unseal), LKR_E_STATE, ic_verify, TAIL_ANY);
    lkr_vault_free(g_v);
    g_v = NULL;
}

static lkr_status ic_restore(void *t)
{
    return lkr_vault_restore(g_v, (const lkr_transport *)t, NULL);
}

static void bad_lkr_vault_restore(void)
{
    lkr_transport t = basic_transport();
    uint32_t m = 0xDEADu;
    ck_assert_int_eq(lkr_vault_new(NULL, &g_v), LKR_OK);
    ck_assert_int_eq(lkr_vault_restore(NULL, &t, &m), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_restore(g_v, NULL, &m), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_restore(g_v, &t, &m), LKR_E_STATE);
    sweep_in(&t, sizeof(t), END_OF(lkr_transport, unseal), LKR_E_STATE, ic_restore, TAIL_ANY);
    lkr_vault_free(g_v);
    g_v = NULL;
}

static lkr_status oc_vault_status(void *o)
{
    return lkr_vault_status(g_v, (lkr_vault_info *)o);
}

static void bad_lkr_vault_status(void)
{
    lkr_vault_info i = LKR_VAULT_INFO_INIT;
    ck_assert_int_eq(lkr_vault_new(NULL, &g_v), LKR_OK);
    ck_assert_int_eq(lkr_vault_status(NULL, &i), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_status(g_v, NULL), LKR_E_INVAL);
    sweep_out(sizeof(lkr_vault_info), END_OF(lkr_vault_info, digest), oc_vault_status);
    lkr_vault_free(g_v);
    g_v = NULL;
}

static lkr_status oc_vault_code(void *o)
{
    return lkr_vault_code(g_v, 0, (lkr_code_info *)o);
}

static void bad_lkr_vault_code(void)
{
    lkr_code_info i = LKR_CODE_INFO_INIT;
    lkr_code c;
    ck_assert_int_eq(lkr_vault_new(NULL, &g_v), LKR_OK);
    ck_assert_int_eq(lkr_vault_code(g_v, 0, &i), LKR_E_RANGE); /* empty */
    lkr_code_init(&c);
    c.slot = 1;
    c.kind = LKR_CODE_ADMIN;
    strcpy(c.pin, "98765");
    ck_assert_int_eq(lkr_vault_record(g_v, &c), LKR_OK);
    ck_assert_int_eq(lkr_vault_code(NULL, 0, &i), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_code(g_v, 0, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_code(g_v, 1, &i), LKR_E_RANGE);
    ck_assert_int_eq(lkr_vault_code(g_v, 0xFFFFFFFFu, &i), LKR_E_RANGE);
    sweep_out(sizeof(lkr_code_info), END_OF(lkr_code_info, name), oc_vault_code);
    lkr_vault_free(g_v);
    g_v = NULL;
}

static lkr_status ic_export(void *t)
{
    size_t needed = 0;
    return lkr_vault_export_sealed(g_v, (const lkr_transport *)t, NULL, 0, &needed);
}

static void bad_lkr_vault_export_sealed(void)
{
    lkr_transport t = basic_transport();
    unsigned char buf[16];
    size_t needed = 0;
    ck_assert_int_eq(lkr_vault_new(NULL, &g_v), LKR_OK);
    ck_assert_int_eq(lkr_vault_export_sealed(NULL, &t, buf, sizeof(buf), &needed), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_export_sealed(g_v, NULL, buf, sizeof(buf), &needed), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_export_sealed(g_v, &t, buf, sizeof(buf), NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_export_sealed(g_v, &t, NULL, 16, &needed), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_export_sealed(g_v, &t, buf, sizeof(buf), &needed), LKR_E_UNSUPPORTED);
    sweep_in(&t, sizeof(t), END_OF(lkr_transport, unseal), LKR_E_UNSUPPORTED, ic_export, TAIL_ANY);
    lkr_vault_free(g_v);
    g_v = NULL;
}

static lkr_status ic_import(void *t)
{
    static const unsigned char junk[40] = {1, 2, 3};
    return lkr_vault_import_sealed(g_v, (const lkr_transport *)t, junk, sizeof(junk));
}

static void bad_lkr_vault_import_sealed(void)
{
    lkr_sim *sim = new_sim();
    lkr_transport t = basic_transport(), st;
    unsigned char junk[64];
    ck_assert_int_eq(lkr_vault_new(NULL, &g_v), LKR_OK);
    memset(junk, 0x33, sizeof(junk));
    ck_assert_int_eq(lkr_vault_import_sealed(NULL, &t, junk, sizeof(junk)), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_import_sealed(g_v, NULL, junk, sizeof(junk)), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_import_sealed(g_v, &t, NULL, sizeof(junk)), LKR_E_INVAL);
    ck_assert_int_eq(lkr_vault_import_sealed(g_v, &t, junk, sizeof(junk)), LKR_E_UNSUPPORTED);
    sweep_in(&t, sizeof(t), END_OF(lkr_transport, unseal), LKR_E_UNSUPPORTED, ic_import, TAIL_ANY);
    /* With the simulator's keystore: nothing, one byte, garbage. */
    ck_assert_int_eq(lkr_sim_transport(sim, &st), LKR_OK);
    ck_assert_int_eq(lkr_vault_import_sealed(g_v, &st, junk, 0), LKR_E_TRUNCATED);
    ck_assert(lkr_vault_import_sealed(g_v, &st, junk, 1) < 0);
    ck_assert_int_eq(lkr_vault_import_sealed(g_v, &st, junk, sizeof(junk)), LKR_E_CORRUPT);
    lkr_vault_free(g_v);
    g_v = NULL;
    lkr_sim_free(sim);
}

/* ---- sim.h ------------------------------------------------------------------------- */

static void bad_lkr_sim_config_init(void)
{
    lkr_sim_config_init(NULL);
}

static lkr_sim_config good_sim_config(void)
{
    lkr_sim_config c;
    lkr_sim_config_init(&c);
    c.protocol = LKR_PROTOCOL_ZWAVE;
    c.causes[0] = LKR_CAUSE_HUB_SESSION_MISMATCH;
    c.cause_count = 1;
    return c;
}

static lkr_status sim_new_and_free(const lkr_sim_config *c, const lkr_allocator *a)
{
    lkr_sim *sim = NULL;
    lkr_status st = lkr_sim_new(c, a, &sim);
    if (st == LKR_OK) lkr_sim_free(sim);
    else ck_assert_ptr_null(sim);
    return st;
}

static lkr_status ic_sim_config(void *c)
{
    return sim_new_and_free((const lkr_sim_config *)c, NULL);
}

static lkr_status ic_sim_allocator(void *a)
{
    lkr_sim_config c = good_sim_config();
    return sim_new_and_free(&c, (const lkr_allocator *)a);
}

static void bad_lkr_sim_new(void)
{
    lkr_sim_config c = good_sim_config();
    lkr_allocator a = good_allocator();
    lkr_sim *sim = NULL;
    ck_assert_int_eq(lkr_sim_new(NULL, NULL, &sim), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_new(&c, NULL, NULL), LKR_E_INVAL);
    ck_assert_ptr_null(sim);
    c.protocol = 0;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    c.protocol = 6;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    c = good_sim_config();
    c.causes[0] = 0;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_RANGE);
    c.causes[0] = 26;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_RANGE);
    c.causes[0] = 0xFFFFFFFFu;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_RANGE);
    {
        /* A cause that cannot happen on Z-Wave. */
        uint32_t k;
        for (k = 1; k <= lkr_cause_count(); k++) {
            lkr_cause_info ci = LKR_CAUSE_INFO_INIT;
            ck_assert_int_eq(lkr_cause_get(k, &ci), LKR_OK);
            if (!(ci.protocols & LKR_PROTOCOL_BIT(LKR_PROTOCOL_ZWAVE))) break;
        }
        ck_assert_uint_le(k, lkr_cause_count());
        c.causes[0] = k;
        ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    }
    c = good_sim_config();
    c.cause_count = 0;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    c.cause_count = LKR_SIM_MAX_CAUSES + 1;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    c = good_sim_config();
    c.cause_count = 2;
    c.causes[1] = c.causes[0]; /* twice */
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    c = good_sim_config();
    c.flags = 0x100;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    c = good_sim_config();
    c.code_count = LKR_VAULT_MAX_CODES + 1;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    c = good_sim_config();
    c.battery_pct = 101;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    c = good_sim_config();
    c.has_bridge = LKR_YES; /* a Z-Wave lock has no Wi-Fi bridge */
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    c = good_sim_config();
    c.battery_chemistry = LKR_CHEMISTRY_MAX + 1;
    ck_assert_int_eq(sim_new_and_free(&c, NULL), LKR_E_INVAL);
    c = good_sim_config();
    a.alloc = NULL;
    ck_assert_int_eq(sim_new_and_free(&c, &a), LKR_E_INVAL);
    a = good_allocator();
    sweep_in(&c, sizeof(c), END_OF(lkr_sim_config, seed), LKR_OK, ic_sim_config, TAIL_ANY);
    sweep_in(&a, sizeof(a), END_OF(lkr_allocator, free), LKR_OK, ic_sim_allocator, TAIL_ANY);
}

static void bad_lkr_sim_free(void)
{
    lkr_sim_free(NULL);
}

static void bad_lkr_sim_transport(void)
{
    lkr_sim *sim = new_sim();
    lkr_transport t;
    ck_assert_int_eq(lkr_sim_transport(NULL, &t), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_transport(sim, NULL), LKR_E_INVAL);
    lkr_sim_free(sim);
}

static void bad_lkr_sim_profile(void)
{
    lkr_sim *sim = new_sim();
    lkr_profile p;
    ck_assert_int_eq(lkr_sim_profile(NULL, &p), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_profile(sim, NULL), LKR_E_INVAL);
    lkr_sim_free(sim);
}

static void bad_lkr_sim_observations(void)
{
    lkr_sim *sim = new_sim();
    lkr_observations o;
    ck_assert_int_eq(lkr_sim_observations(NULL, &o), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_observations(sim, NULL), LKR_E_INVAL);
    lkr_sim_free(sim);
}

static lkr_sim *g_sim;

static lkr_status ic_respond(void *a)
{
    return lkr_sim_respond(g_sim, g_s, (const lkr_action *)a);
}

static void bad_lkr_sim_respond(void)
{
    lkr_action a;
    g_sim = new_sim();
    g_s = new_session(NULL, NULL);
    a = next_of(g_s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_ASK);
    ck_assert_int_eq(lkr_sim_respond(NULL, g_s, &a), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_respond(g_sim, NULL, &a), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_respond(g_sim, g_s, NULL), LKR_E_INVAL);
    {
        /* Short and absurd sizes only: a good size answers the question. */
        unsigned char *e = malloc(sizeof(a));
        uint32_t sizes[5] = {0, 4, (uint32_t)sizeof(a) - 1u, HUGE_SIZE, 0xFFFFFFFFu};
        unsigned i;
        ck_assert_ptr_nonnull(e);
        for (i = 0; i < 5; i++) {
            memcpy(e, &a, sizeof(a));
            set_size(e, sizes[i]);
            ck_assert_msg(ic_respond(e) == LKR_E_INVAL, "action struct_size %u accepted", sizes[i]);
        }
        free(e);
    }
    lkr_session_free(g_s);
    g_s = NULL;
    lkr_sim_free(g_sim);
    g_sim = NULL;
}

/* A forged action (not one lkr_session_next() returned) naming a step that
 * does not exist, or of an unknown kind: refused, never a crash. */
static void bad_lkr_sim_respond_forged(size_t i)
{
    lkr_observations o = offline_obs();
    g_sim = new_sim();
    g_s = new_session(&o, NULL);
    {
        lkr_action a = next_of(g_s);
        lkr_sim_stats st = LKR_SIM_STATS_INIT;
        lkr_status rc;
        ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
        a.step = bad_steps[i];
        rc = lkr_sim_respond(g_sim, g_s, &a);
        ck_assert_msg(rc == LKR_E_INVAL || rc == LKR_E_STATE, "forged step %u: %s", bad_steps[i],
                      lkr_status_name(rc));
        ck_assert_int_eq(lkr_sim_stats_get(g_sim, &st), LKR_OK);
        ck_assert_msg(st.steps_performed == 0, "forged step %u was performed on the lock", bad_steps[i]);
    }
    {
        lkr_action a = next_of(g_s);
        a.kind = 10;
        ck_assert(lkr_sim_respond(g_sim, g_s, &a) <= LKR_OK);
        a.kind = 0xFFFFFFFFu;
        ck_assert(lkr_sim_respond(g_sim, g_s, &a) <= LKR_OK);
    }
    lkr_session_free(g_s);
    g_s = NULL;
    lkr_sim_free(g_sim);
    g_sim = NULL;
}

static lkr_status oc_sim_run(void *o)
{
    lkr_sim *sim = new_sim();
    lkr_status st = lkr_sim_run(sim, NULL, 0, (lkr_sim_result *)o);
    lkr_sim_free(sim);
    return st;
}

static void bad_lkr_sim_run(void)
{
    lkr_sim *sim = new_sim();
    lkr_sim_result r = LKR_SIM_RESULT_INIT;
    lkr_overrides ov = LKR_OVERRIDES_INIT;
    ck_assert_int_eq(lkr_sim_run(NULL, NULL, 0, &r), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_run(sim, NULL, 0, NULL), LKR_E_INVAL);
    ov.struct_size = 4; /* handed to lkr_session_new: its error */
    ck_assert_int_eq(lkr_sim_run(sim, &ov, 0, &r), LKR_E_INVAL);
    lkr_sim_free(sim);
    sweep_out(sizeof(lkr_sim_result), END_OF(lkr_sim_result, stats), oc_sim_run);
}

static lkr_status oc_sim_stats(void *o)
{
    return lkr_sim_stats_get(g_sim, (lkr_sim_stats *)o);
}

static void bad_lkr_sim_stats_get(void)
{
    lkr_sim_stats st = LKR_SIM_STATS_INIT;
    g_sim = new_sim();
    ck_assert_int_eq(lkr_sim_stats_get(NULL, &st), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_stats_get(g_sim, NULL), LKR_E_INVAL);
    sweep_out(sizeof(lkr_sim_stats), END_OF(lkr_sim_stats, clock_ms), oc_sim_stats);
    lkr_sim_free(g_sim);
    g_sim = NULL;
}

/* ---- the table ------------------------------------------------------------------------ */

typedef void (*api_fn)(void);
typedef struct row {
    const char *name;
    api_fn fn;
    void (*check)(void);
} row;

/* The name, the symbol and its checker, tied together. */
#define ROW(f) {#f, (api_fn)f, bad_##f}

static const row rows[] = {
    /* version.h */
    ROW(lkr_version), ROW(lkr_version_string),
    /* status.h */
    ROW(lkr_strerror), ROW(lkr_status_name),
    /* model.h */
    ROW(lkr_profile_init), ROW(lkr_observations_init), ROW(lkr_profile_validate),
    ROW(lkr_observations_validate), ROW(lkr_protocol_name), ROW(lkr_protocol_find), ROW(lkr_ecosystem_name),
    ROW(lkr_ecosystem_find), ROW(lkr_chemistry_name), ROW(lkr_chemistry_find),
    /* transport.h */
    ROW(lkr_transport_init),
    /* catalog.h */
    ROW(lkr_step_count), ROW(lkr_step_get), ROW(lkr_step_find), ROW(lkr_cause_count), ROW(lkr_cause_get),
    ROW(lkr_cause_find), ROW(lkr_symptom_count), ROW(lkr_symptom_get), ROW(lkr_symptom_find),
    ROW(lkr_tier_count), ROW(lkr_tier_get), ROW(lkr_tier_find), ROW(lkr_guard_count), ROW(lkr_guard_get),
    ROW(lkr_guard_find), ROW(lkr_step_applies),
    /* classify.h */
    ROW(lkr_classify), ROW(lkr_classify_ex), ROW(lkr_overrides_validate), ROW(lkr_triage_name),
    ROW(lkr_evidence_count), ROW(lkr_evidence_name), ROW(lkr_evidence_find), ROW(lkr_likelihood_get),
    /* session.h */
    ROW(lkr_session_config_init), ROW(lkr_session_new), ROW(lkr_session_free), ROW(lkr_session_next),
    ROW(lkr_session_report), ROW(lkr_session_answer), ROW(lkr_session_observe), ROW(lkr_session_tick),
    ROW(lkr_session_probe_done), ROW(lkr_session_confirm), ROW(lkr_session_waive), ROW(lkr_session_abort),
    ROW(lkr_session_status), ROW(lkr_session_beliefs), ROW(lkr_session_history), ROW(lkr_session_waiver),
    ROW(lkr_session_attach_vault), ROW(lkr_session_save), ROW(lkr_session_load), ROW(lkr_session_report_json),
    ROW(lkr_session_report_text), ROW(lkr_action_is_final), ROW(lkr_preflight),
    /* vault.h */
    ROW(lkr_code_init), ROW(lkr_vault_new), ROW(lkr_vault_free), ROW(lkr_vault_backup), ROW(lkr_vault_record),
    ROW(lkr_vault_verify), ROW(lkr_vault_restore), ROW(lkr_vault_status), ROW(lkr_vault_code),
    ROW(lkr_vault_export_sealed), ROW(lkr_vault_import_sealed),
    /* sim.h */
    ROW(lkr_sim_config_init), ROW(lkr_sim_new), ROW(lkr_sim_free), ROW(lkr_sim_transport), ROW(lkr_sim_profile),
    ROW(lkr_sim_observations), ROW(lkr_sim_respond), ROW(lkr_sim_run), ROW(lkr_sim_stats_get),
};
#define ROW_COUNT ((int)(sizeof(rows) / sizeof(rows[0])))

START_TEST(every_function_refuses_bad_input)
{
    rows[_i].check();
}
END_TEST

/* Extra rows for one function, counted under its name. */
START_TEST(forged_sim_actions)
{
    bad_lkr_sim_respond_forged((size_t)_i);
}
END_TEST

START_TEST(table_covers_every_public_function)
{
    int i, j;
    for (i = 0; i < ROW_COUNT; i++) {
        ck_assert_ptr_nonnull(rows[i].fn);
        ck_assert(strncmp(rows[i].name, "lkr_", 4) == 0);
        for (j = 0; j < i; j++) {
            ck_assert_msg(strcmp(rows[i].name, rows[j].name) != 0, "%s twice", rows[i].name);
            ck_assert_msg(rows[i].fn != rows[j].fn, "%s and %s are one symbol", rows[i].name, rows[j].name);
        }
    }
    ck_assert_int_eq(ROW_COUNT, API_FUNCTION_COUNT);
}
END_TEST

static Suite *badinput_suite(void)
{
    Suite *s = suite_create("badinput");
    TCase *tc = tcase_create("table");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, every_function_refuses_bad_input, 0, ROW_COUNT);
    tcase_add_loop_test(tc, forged_sim_actions, 0, 3);
    tcase_add_test(tc, table_covers_every_public_function);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(badinput_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
