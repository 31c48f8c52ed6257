/*
 * Bad input to every public function of the foundation: NULL pointers, short
 * and oversized struct_size, out-of-range ids and enum values, unterminated
 * strings. Every call returns an error code; none crashes or writes through a
 * NULL; valid calls after a bad one still work.
 */
#define _DEFAULT_SOURCE /* mmap's MAP_ANONYMOUS, sysconf */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "lockrecover/lockrecover.h"

static lkr_profile good_profile(void)
{
    lkr_profile p;
    lkr_profile_init(&p);
    p.protocol = LKR_PROTOCOL_ZWAVE;
    return p;
}

static lkr_observations good_obs(void)
{
    lkr_observations o;
    lkr_observations_init(&o);
    return o;
}

START_TEST(version_and_status_strings)
{
    lkr_status st;
    ck_assert_uint_eq(lkr_version(), LKR_VERSION_NUMBER);
    ck_assert_str_eq(lkr_version_string(), LKR_VERSION_STRING);
    for (st = -14; st <= 1; st++) {
        ck_assert_ptr_nonnull(lkr_strerror(st));
        ck_assert_str_ne(lkr_strerror(st), "unknown status");
        ck_assert(strncmp(lkr_status_name(st), "LKR_", 4) == 0);
        ck_assert_str_ne(lkr_status_name(st), "LKR_E_UNKNOWN");
    }
    ck_assert_str_eq(lkr_strerror(-9999), "unknown status");
    ck_assert_str_eq(lkr_strerror(42), "unknown status");
    ck_assert_str_eq(lkr_status_name(-9999), "LKR_E_UNKNOWN");
    ck_assert_str_eq(lkr_status_name(LKR_E_GUARD), "LKR_E_GUARD");
}
END_TEST

START_TEST(init_functions_accept_null_and_set_unknown)
{
    lkr_profile p;
    lkr_observations o;
    {
        /* What the host fills for a probe or a code read: every fact unknown,
         * the macro and the function alike (a zeroed probe result would say
         * "battery 0 %"). */
        const lkr_probe_result pm = LKR_PROBE_RESULT_INIT;
        const lkr_code_readout rm = LKR_CODE_READOUT_INIT;
        lkr_probe_result pf;
        lkr_code_readout rf;
        memset(&pf, 0xAB, sizeof(pf));
        memset(&rf, 0xAB, sizeof(rf));
        lkr_probe_result_init(NULL);
        lkr_code_readout_init(NULL);
        lkr_probe_result_init(&pf);
        lkr_code_readout_init(&rf);
        ck_assert_int_eq(memcmp(&pm, &pf, sizeof(pf)), 0);
        ck_assert_int_eq(memcmp(&rm, &rf, sizeof(rf)), 0);
        ck_assert_uint_eq(pf.struct_size, sizeof(pf));
        ck_assert_uint_eq(pf.reachable, LKR_UNKNOWN);
        ck_assert_uint_eq(pf.keypad_lights, LKR_UNKNOWN);
        ck_assert_int_eq(pf.battery_pct, LKR_NUM_UNKNOWN);
        ck_assert_str_eq(pf.fw_version, "");
        ck_assert_str_eq(pf.error_code, "");
        ck_assert_uint_eq(rf.struct_size, sizeof(rf));
        ck_assert_uint_eq(rf.count, 0);
        ck_assert_uint_eq(rf.total, 0);
    }
    lkr_profile_init(NULL);
    lkr_observations_init(NULL);
    memset(&p, 0xAB, sizeof(p));
    lkr_profile_init(&p);
    ck_assert_uint_eq(p.struct_size, sizeof(p));
    ck_assert_uint_eq(p.protocol, LKR_PROTOCOL_NONE);
    ck_assert_uint_eq(p.has_bridge, LKR_UNKNOWN);
    ck_assert_uint_eq(p.repair_erases_codes, LKR_UNKNOWN);
    ck_assert_str_eq(p.serial, "");
    memset(&o, 0xAB, sizeof(o));
    lkr_observations_init(&o);
    ck_assert_uint_eq(o.struct_size, sizeof(o));
    ck_assert_int_eq(o.battery_pct, LKR_NUM_UNKNOWN);
    ck_assert_int_eq(o.cell_mv, LKR_NUM_UNKNOWN);
    ck_assert_int_eq(o.update_stalled_min, LKR_NUM_UNKNOWN);
    ck_assert_int_eq(o.update_progress_pct, LKR_NUM_UNKNOWN);
    ck_assert_uint_eq(o.keypad_lights, LKR_UNKNOWN);
    ck_assert_int_eq(lkr_observations_validate(&o), LKR_OK);
    /* A fresh profile has no protocol yet: invalid until one is set. */
    ck_assert_int_eq(lkr_profile_validate(&p), LKR_E_INVAL);
}
END_TEST

/* Each mutation makes a valid profile invalid. */
typedef void (*profile_mut)(lkr_profile *p);
static void pm_null_protocol(lkr_profile *p) { p->protocol = 0; }
static void pm_big_protocol(lkr_profile *p) { p->protocol = LKR_PROTOCOL_MAX + 1; }
static void pm_ecosystem_bit0(lkr_profile *p) { p->ecosystems = 1; }
static void pm_ecosystem_high(lkr_profile *p) { p->ecosystems = 1u << 7; }
static void pm_chemistry(lkr_profile *p) { p->battery_chemistry = 99; }
static void pm_cells(lkr_profile *p) { p->battery_cells = 17; }
static void pm_tri(lkr_profile *p) { p->has_keypad = 3; }
static void pm_tri2(lkr_profile *p) { p->pins_readable = 200; }
static void pm_reserved(lkr_profile *p) { p->reserved_[1] = 1; }
static void pm_bridge_zwave(lkr_profile *p) { p->has_bridge = LKR_YES; }
static void pm_unterminated(lkr_profile *p) { memset(p->serial, 'x', sizeof(p->serial)); }
static void pm_date_form(lkr_profile *p) { strcpy(p->purchase_date, "21/11/2026"); }
static void pm_date_month(lkr_profile *p) { strcpy(p->purchase_date, "2026-13-01"); }
static void pm_date_feb31(lkr_profile *p) { strcpy(p->purchase_date, "2024-02-31"); }
static void pm_date_feb29(lkr_profile *p) { strcpy(p->purchase_date, "2025-02-29"); }
static void pm_date_year0(lkr_profile *p) { strcpy(p->purchase_date, "0000-01-01"); }
static void pm_date_apr31(lkr_profile *p) { strcpy(p->purchase_date, "2026-04-31"); }
static void pm_huge(lkr_profile *p) { p->struct_size = 0x7FFFFFFFu; }
static void pm_short(lkr_profile *p) { p->struct_size = 8; }
static void pm_zero_size(lkr_profile *p) { p->struct_size = 0; }
static void pm_warranty(lkr_profile *p) { p->warranty_months = 5000; }
static const profile_mut profile_muts[] = {
    pm_null_protocol, pm_big_protocol, pm_ecosystem_bit0, pm_ecosystem_high, pm_chemistry,
    pm_cells, pm_tri, pm_tri2, pm_reserved, pm_bridge_zwave, pm_unterminated, pm_date_form,
    pm_date_month, pm_short, pm_zero_size, pm_warranty, pm_date_feb31, pm_date_feb29,
    pm_date_year0, pm_date_apr31, pm_huge};

START_TEST(bad_profiles_are_refused_everywhere)
{
    lkr_profile p = good_profile();
    lkr_observations o = good_obs();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT, before;
    profile_muts[_i](&p);
    ck_assert_int_eq(lkr_profile_validate(&p), LKR_E_INVAL);
    memset(&d, 0x5A, sizeof(d));
    d.struct_size = sizeof(d);
    before = d;
    ck_assert_int_eq(lkr_classify(&p, &o, &d), LKR_E_INVAL);
    /* Nothing is written on failure. */
    ck_assert(memcmp(&d, &before, sizeof(d)) == 0);
}
END_TEST

typedef void (*obs_mut)(lkr_observations *o);
static void om_pct(lkr_observations *o) { o->battery_pct = 101; }
static void om_pct_neg(lkr_observations *o) { o->battery_pct = -2; }
static void om_mv(lkr_observations *o) { o->cell_mv = 5001; }
static void om_progress(lkr_observations *o) { o->update_progress_pct = 250; }
static void om_stall_no_update(lkr_observations *o) { o->update_stalled_min = 12; }
static void om_stall_neg(lkr_observations *o) { o->update_state = LKR_UPDATE_IN_PROGRESS; o->update_stalled_min = -5; }
static void om_app(lkr_observations *o) { o->app_status = LKR_APP_STATUS_MAX + 1; }
static void om_update(lkr_observations *o) { o->update_state = LKR_UPDATE_STATE_MAX + 1; }
static void om_codes(lkr_observations *o) { o->codes_state = LKR_CODE_STATE_MAX + 1; }
static void om_security(lkr_observations *o) { o->wifi_security = LKR_WIFI_SECURITY_MAX + 1; }
static void om_tri(lkr_observations *o) { o->extreme_cold = 3; }
static void om_tri2(lkr_observations *o) { o->keypad_lights = 0xFF; }
static void om_reserved(lkr_observations *o) { o->reserved_[0] = 7; }
static void om_fw(lkr_observations *o) { memset(o->fw_now, '9', sizeof(o->fw_now)); }
static void om_err(lkr_observations *o) { memset(o->error_code, 'E', sizeof(o->error_code)); }
static void om_short(lkr_observations *o) { o->struct_size = sizeof(*o) - 1; }
static void om_router(lkr_observations *o) { o->router_online = 9; }
static const obs_mut obs_muts[] = {
    om_pct, om_pct_neg, om_mv, om_progress, om_stall_no_update, om_stall_neg, om_app, om_update,
    om_codes, om_security, om_tri, om_tri2, om_reserved, om_fw, om_err, om_short, om_router};

START_TEST(bad_observations_are_refused_everywhere)
{
    lkr_profile p = good_profile();
    lkr_observations o = good_obs();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    obs_muts[_i](&o);
    ck_assert_int_eq(lkr_observations_validate(&o), LKR_E_INVAL);
    ck_assert_int_eq(lkr_classify(&p, &o, &d), LKR_E_INVAL);
}
END_TEST

/* A newer caller's larger struct: accepted when the unknown tail is zero,
 * refused (not silently ignored) when it sets something this library lacks. */
START_TEST(larger_struct_size_needs_a_zero_tail)
{
    struct {
        lkr_profile p;
        unsigned char tail[16];
    } big;
    struct {
        lkr_observations o;
        unsigned char tail[16];
    } bigo;
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    memset(&big, 0, sizeof(big));
    lkr_profile_init(&big.p);
    big.p.protocol = LKR_PROTOCOL_BLE;
    big.p.struct_size = sizeof(big);
    memset(&bigo, 0, sizeof(bigo));
    lkr_observations_init(&bigo.o);
    bigo.o.struct_size = sizeof(bigo);
    ck_assert_int_eq(lkr_profile_validate(&big.p), LKR_OK);
    ck_assert_int_eq(lkr_observations_validate(&bigo.o), LKR_OK);
    ck_assert_int_eq(lkr_classify(&big.p, &bigo.o, &d), LKR_OK);
    big.tail[3] = 1;
    ck_assert_int_eq(lkr_profile_validate(&big.p), LKR_E_UNSUPPORTED);
    bigo.tail[15] = 1;
    ck_assert_int_eq(lkr_observations_validate(&bigo.o), LKR_E_UNSUPPORTED);
    /* Absurd sizes are invalid, and refused without reading that far. */
    big.p.struct_size = 0xFFFFFFFFu;
    ck_assert_int_eq(lkr_profile_validate(&big.p), LKR_E_INVAL);
}
END_TEST

START_TEST(good_dates_and_consistency)
{
    lkr_profile p = good_profile();
    lkr_observations o = good_obs();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    strcpy(p.purchase_date, "2024-02-29"); /* a leap day */
    ck_assert_int_eq(lkr_profile_validate(&p), LKR_OK);
    strcpy(p.purchase_date, "2000-02-29"); /* divisible by 400 */
    ck_assert_int_eq(lkr_profile_validate(&p), LKR_OK);
    strcpy(p.purchase_date, "1900-02-28"); /* before 1970 */
    ck_assert_int_eq(lkr_profile_validate(&p), LKR_E_INVAL);
    strcpy(p.purchase_date, "2026-12-31");
    ck_assert_int_eq(lkr_profile_validate(&p), LKR_OK);
    /* A lock without a keypad has no keypad facts: a contradiction, refused. */
    p.has_keypad = LKR_NO;
    o.keypad_lights = LKR_NO;
    ck_assert_int_eq(lkr_classify(&p, &o, &d), LKR_E_INVAL);
    o.keypad_lights = LKR_UNKNOWN;
    o.codes_state = LKR_CODES_ONE_REJECTED;
    ck_assert_int_eq(lkr_classify(&p, &o, &d), LKR_E_INVAL);
    o.codes_state = LKR_CODES_UNKNOWN;
    ck_assert_int_eq(lkr_classify(&p, &o, &d), LKR_OK);
}
END_TEST

START_TEST(classify_null_and_output_sizes)
{
    lkr_profile p = good_profile();
    lkr_observations o = good_obs();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    struct {
        lkr_diagnosis d;
        unsigned char tail[8];
    } big;
    ck_assert_int_eq(lkr_classify(NULL, &o, &d), LKR_E_INVAL);
    ck_assert_int_eq(lkr_classify(&p, NULL, &d), LKR_E_INVAL);
    ck_assert_int_eq(lkr_classify(&p, &o, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_classify_ex(NULL, NULL, NULL, NULL), LKR_E_INVAL);
    d.struct_size = 0;
    ck_assert_int_eq(lkr_classify(&p, &o, &d), LKR_E_INVAL);
    d.struct_size = sizeof(d) - 8;
    ck_assert_int_eq(lkr_classify(&p, &o, &d), LKR_E_INVAL);
    /* A larger output struct gets its unknown tail zeroed. */
    memset(&big, 0xEE, sizeof(big));
    big.d.struct_size = sizeof(big);
    ck_assert_int_eq(lkr_classify(&p, &o, &big.d), LKR_OK);
    ck_assert_uint_eq(big.d.struct_size, sizeof(big));
    ck_assert_uint_eq(big.tail[0], 0);
    ck_assert_uint_eq(big.tail[7], 0);
    ck_assert(big.d.cause_count > 0);
}
END_TEST

START_TEST(bad_overrides)
{
    lkr_profile p = good_profile();
    lkr_observations o = good_obs();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    lkr_overrides ov = LKR_OVERRIDES_INIT;
    lkr_weight w[2] = {{LKR_CAUSE_WRONG_CODE, 10}, {LKR_CAUSE_WRONG_CODE, 20}};
    lkr_likelihood l = {LKR_EVIDENCE_KEYPAD_DARK, LKR_CAUSE_WRONG_CODE, 1000};
    uint32_t disabled[2] = {LKR_STEP_CODE_READD_CODE, LKR_STEP_CODE_READD_CODE};

    ck_assert_int_eq(lkr_overrides_validate(NULL), LKR_OK);
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_OK);
    ov.prior_count = 1; /* array missing */
    ck_assert_int_eq(lkr_classify_ex(&p, &o, &ov, &d), LKR_E_INVAL);
    ov.priors = w;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_OK);
    ov.prior_count = 2; /* duplicate id */
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL);
    ov.prior_count = 1;
    w[0].id = 0;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    w[0].id = 9999;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    w[0].id = LKR_CAUSE_WRONG_CODE;
    w[0].value = 2000000;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL);
    w[0].value = 10;
    ov.prior_count = LKR_OVERRIDES_MAX + 1;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL);
    ov.prior_count = 0;
    ov.likelihood_count = 1;
    ov.likelihoods = &l;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_OK);
    l.evidence = 0;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    l.evidence = LKR_EVIDENCE_KEYPAD_DARK;
    l.cause = 26;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    ov.likelihood_count = 0;
    ov.cost_count = 1;
    ov.costs = w;
    w[0].id = LKR_STEP_UNIVERSAL_BATTERY_PULL;
    w[0].value = 0; /* a step cannot cost nothing */
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL);
    w[0].value = 3;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_OK);
    ov.cost_count = 0;
    ov.disabled_count = 2;
    ov.disabled_steps = disabled;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL);
    disabled[1] = 64;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_RANGE);
    ov.disabled_count = 0;
    ov.reserved_ = 1;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL);
    ov.reserved_ = 0;
    ov.struct_size = 4;
    ck_assert_int_eq(lkr_overrides_validate(&ov), LKR_E_INVAL);
}
END_TEST

START_TEST(catalog_queries_refuse_bad_input)
{
    lkr_step_info s = LKR_STEP_INFO_INIT;
    lkr_cause_info c = LKR_CAUSE_INFO_INIT;
    lkr_symptom_info y = LKR_SYMPTOM_INFO_INIT;
    lkr_tier_info t = LKR_TIER_INFO_INIT;
    lkr_guard_info g = LKR_GUARD_INFO_INIT;
    uint32_t id = 12345, l;
    int applies = 7;

    ck_assert_int_eq(lkr_step_get(1, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_step_get(0, &s), LKR_E_RANGE);
    ck_assert_int_eq(lkr_step_get(lkr_step_count() + 1, &s), LKR_E_RANGE);
    ck_assert_int_eq(lkr_step_get(0xFFFFFFFFu, &s), LKR_E_RANGE);
    s.struct_size = 4;
    ck_assert_int_eq(lkr_step_get(1, &s), LKR_E_INVAL);
    ck_assert_int_eq(lkr_step_get(0, &s), LKR_E_INVAL);
    ck_assert_int_eq(lkr_step_find(NULL, &id), LKR_E_INVAL);
    ck_assert_int_eq(lkr_step_find("universal.battery_pull", NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_step_find("universal.battery_pul", &id), LKR_E_NOTFOUND);
    ck_assert_int_eq(lkr_step_find("", &id), LKR_E_NOTFOUND);
    ck_assert_int_eq(lkr_step_find("UNIVERSAL.BATTERY_PULL", &id), LKR_E_NOTFOUND);
    ck_assert_uint_eq(id, 12345); /* untouched on failure */

    ck_assert_int_eq(lkr_cause_get(0, &c), LKR_E_RANGE);
    ck_assert_int_eq(lkr_cause_get(26, &c), LKR_E_RANGE);
    ck_assert_int_eq(lkr_cause_get(1, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_cause_find(NULL, &id), LKR_E_INVAL);
    ck_assert_int_eq(lkr_cause_find("nope", &id), LKR_E_NOTFOUND);
    c.struct_size = 0;
    ck_assert_int_eq(lkr_cause_get(1, &c), LKR_E_INVAL);

    ck_assert_int_eq(lkr_symptom_get(lkr_symptom_count(), &y), LKR_E_RANGE);
    ck_assert_int_eq(lkr_symptom_get(0, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_symptom_find("silent", &id), LKR_E_NOTFOUND);
    ck_assert_int_eq(lkr_symptom_find(NULL, NULL), LKR_E_INVAL);

    ck_assert_int_eq(lkr_tier_get(0, &t), LKR_E_RANGE);
    ck_assert_int_eq(lkr_tier_get(9, &t), LKR_E_RANGE);
    ck_assert_int_eq(lkr_tier_get(1, NULL), LKR_E_INVAL);
    t.struct_size = 3;
    ck_assert_int_eq(lkr_tier_get(1, &t), LKR_E_INVAL);
    ck_assert_int_eq(lkr_tier_find("tier", &id), LKR_E_NOTFOUND);

    ck_assert_int_eq(lkr_guard_get(0, &g), LKR_E_RANGE);
    ck_assert_int_eq(lkr_guard_get(11, &g), LKR_E_RANGE);
    ck_assert_int_eq(lkr_guard_get(1, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_guard_find("key", &id), LKR_E_NOTFOUND);

    {
        lkr_profile p = good_profile();
        lkr_observations o = good_obs();
        ck_assert_int_eq(lkr_step_applies(1, &p, &o, NULL), LKR_E_INVAL);
        ck_assert_int_eq(lkr_step_applies(1, NULL, &o, &applies), LKR_E_INVAL);
        ck_assert_int_eq(lkr_step_applies(0, &p, &o, &applies), LKR_E_RANGE);
        ck_assert_int_eq(lkr_step_applies(64, &p, NULL, &applies), LKR_E_RANGE);
        o.battery_pct = 300;
        ck_assert_int_eq(lkr_step_applies(1, &p, &o, &applies), LKR_E_INVAL);
        p.protocol = 9;
        ck_assert_int_eq(lkr_step_applies(1, &p, NULL, &applies), LKR_E_INVAL);
        p.protocol = LKR_PROTOCOL_ZWAVE;
        p.has_bridge = LKR_YES; /* only Wi-Fi locks have bridges */
        ck_assert_int_eq(lkr_step_applies(1, &p, NULL, &applies), LKR_E_INVAL);
        ck_assert_int_eq(applies, 7);
    }

    ck_assert_ptr_null(lkr_protocol_name(0));
    ck_assert_ptr_null(lkr_protocol_name(6));
    ck_assert_ptr_null(lkr_ecosystem_name(7));
    ck_assert_ptr_null(lkr_chemistry_name(5));
    ck_assert_ptr_null(lkr_evidence_name(0));
    ck_assert_ptr_null(lkr_evidence_name(lkr_evidence_count() + 1));
    ck_assert_ptr_null(lkr_triage_name(0));
    ck_assert_ptr_null(lkr_triage_name(3));          /* two bits */
    ck_assert_ptr_null(lkr_triage_name(1u << 20));   /* unknown bit */
    ck_assert_int_eq(lkr_protocol_find("thread", &id), LKR_E_NOTFOUND);
    ck_assert_int_eq(lkr_protocol_find(NULL, &id), LKR_E_INVAL);
    ck_assert_int_eq(lkr_ecosystem_find("homekit", NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_chemistry_find("nicd", &id), LKR_E_NOTFOUND);
    ck_assert_int_eq(lkr_evidence_find(NULL, &id), LKR_E_INVAL);
    ck_assert_int_eq(lkr_evidence_find("cold", &id), LKR_E_NOTFOUND);
    ck_assert_int_eq(lkr_likelihood_get(1, 1, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_likelihood_get(0, 1, &l), LKR_E_RANGE);
    ck_assert_int_eq(lkr_likelihood_get(1, 0, &l), LKR_E_RANGE);
    ck_assert_int_eq(lkr_likelihood_get(lkr_evidence_count() + 1, 1, &l), LKR_E_RANGE);
}
END_TEST

/* Info structs from an older caller (struct_size smaller than today's, but at
 * least 1.0's) must never be written past their size; an unknown larger size
 * gets a zeroed tail. */
START_TEST(info_structs_honour_struct_size)
{
    struct {
        lkr_step_info s;
        unsigned char tail[24];
    } big;
    memset(&big, 0xCC, sizeof(big));
    big.s.struct_size = sizeof(big);
    ck_assert_int_eq(lkr_step_get(LKR_STEP_RESET_FACTORY_RESET, &big.s), LKR_OK);
    ck_assert_str_eq(big.s.sid, "reset.factory_reset");
    ck_assert_uint_eq(big.tail[0], 0);
    ck_assert_uint_eq(big.tail[23], 0);
    big.s.struct_size = 70000;
    ck_assert_int_eq(lkr_step_get(1, &big.s), LKR_E_INVAL);
    /* Smaller than the 1.0 struct: refused, nothing written. */
    memset(&big, 0xCC, sizeof(big));
    big.s.struct_size = (uint32_t)offsetof(lkr_step_info, fixes);
    ck_assert_int_eq(lkr_step_get(1, &big.s), LKR_E_INVAL);
    ck_assert_uint_eq(((unsigned char *)&big.s)[8], 0xCC);
}
END_TEST


/* ---- reading a caller's struct up to its own struct_size ------------------------- */

/* n bytes that end exactly where an unreadable page begins: reading one byte
 * past them faults (the test process dies, and Check reports it). */
static void *before_guard_page(size_t n)
{
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert(m != MAP_FAILED);
    ck_assert_int_eq(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
    return m + pg - n;
}

/* A library whose lkr_profile grew by a field after 1.0, simulated with a
 * larger copy: a 1.0 caller's struct is read up to its own size, the new
 * field keeps the library's default, and struct_size becomes the library's. */
typedef struct grown_profile {
    lkr_profile v1;
    uint32_t added;
    uint32_t added_too;
} grown_profile;

START_TEST(ingest_reads_a_1_0_struct_in_a_grown_library)
{
    lkr_profile *caller = before_guard_page(sizeof(lkr_profile));
    grown_profile g;
    lkr_profile_init(caller);
    caller->protocol = LKR_PROTOCOL_MATTER;
    caller->has_keypad = LKR_YES;
    memcpy(caller->model, "Door 1", 7);
    memset(&g, 0, sizeof(g));
    g.added = 0xA5A5A5A5u; /* the grown library's default for its new field */
    g.added_too = 7;
    ck_assert_int_eq(lkr__ingest(&g, sizeof(g), caller, LKR__PROFILE_MIN_SIZE), LKR_OK);
    ck_assert_uint_eq(g.v1.struct_size, sizeof(g));
    ck_assert_uint_eq(g.v1.protocol, LKR_PROTOCOL_MATTER);
    ck_assert_uint_eq(g.v1.has_keypad, LKR_YES);
    ck_assert_str_eq(g.v1.model, "Door 1");
    ck_assert_int_eq(memcmp((const char *)&g.v1 + 4, (const char *)caller + 4, sizeof(lkr_profile) - 4), 0);
    ck_assert_uint_eq(g.added, 0xA5A5A5A5u);
    ck_assert_uint_eq(g.added_too, 7);
}
END_TEST

START_TEST(ingest_checks_the_callers_size)
{
    struct {
        lkr_profile p;
        unsigned char tail[16];
    } big;
    lkr_profile mine;
    memset(&big, 0, sizeof(big));
    lkr_profile_init(&big.p);
    big.p.struct_size = (uint32_t)sizeof(big);
    big.p.protocol = LKR_PROTOCOL_BLE;
    lkr_profile_init(&mine);
    /* newer caller, tail at its defaults: read what this library knows */
    ck_assert_int_eq(lkr__ingest(&mine, sizeof(mine), &big, LKR__PROFILE_MIN_SIZE), LKR_OK);
    ck_assert_uint_eq(mine.struct_size, sizeof(mine));
    ck_assert_uint_eq(mine.protocol, LKR_PROTOCOL_BLE);
    /* newer caller asking for something unknown */
    big.tail[3] = 1;
    ck_assert_int_eq(lkr__ingest(&mine, sizeof(mine), &big, LKR__PROFILE_MIN_SIZE), LKR_E_UNSUPPORTED);
    /* older than 1.0, or absurd */
    big.p.struct_size = (uint32_t)LKR__PROFILE_MIN_SIZE - 1;
    ck_assert_int_eq(lkr__ingest(&mine, sizeof(mine), &big, LKR__PROFILE_MIN_SIZE), LKR_E_INVAL);
    big.p.struct_size = 1u << 20;
    ck_assert_int_eq(lkr__ingest(&mine, sizeof(mine), &big, LKR__PROFILE_MIN_SIZE), LKR_E_INVAL);
    ck_assert_int_eq(lkr__ingest(&mine, sizeof(mine), NULL, LKR__PROFILE_MIN_SIZE), LKR_E_INVAL);
}
END_TEST

static uint64_t zero_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

/* Every struct lkr_session_new, observe and preflight read, ending where an
 * unreadable page begins: none is read past its struct_size. */
START_TEST(entry_points_read_no_byte_past_struct_size)
{
    lkr_session_config *cfg = before_guard_page(sizeof(lkr_session_config));
    lkr_profile *p = before_guard_page(sizeof(lkr_profile));
    lkr_observations *o = before_guard_page(sizeof(lkr_observations));
    lkr_observations *o2 = before_guard_page(sizeof(lkr_observations));
    lkr_transport *t = before_guard_page(sizeof(lkr_transport));
    lkr_preflight_input *pf = before_guard_page(sizeof(lkr_preflight_input));
    lkr_session *s = NULL;
    lkr_action a = LKR_ACTION_INIT;
    uint32_t unmet = 0;

    *p = good_profile();
    *o = good_obs();
    lkr_transport_init(t);
    t->now_ms = zero_clock;
    lkr_session_config_init(cfg);
    cfg->profile = p;
    cfg->observations = o;
    ck_assert_int_eq(lkr_session_new(cfg, t, &s), LKR_OK);
    *o2 = good_obs();
    o2->app_status = LKR_APP_OFFLINE;
    ck_assert_int_eq(lkr_session_observe(s, o2), LKR_OK);
    ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
    lkr_session_free(s);
    {
        const lkr_preflight_input unknown = LKR_PREFLIGHT_INPUT_INIT;
        *pf = unknown;
    }
    ck_assert_int_eq(lkr_preflight(p, pf, &unmet), LKR_E_GUARD);
}
END_TEST

static Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("bad_input");
    tcase_add_test(tc, version_and_status_strings);
    tcase_add_test(tc, init_functions_accept_null_and_set_unknown);
    tcase_add_loop_test(tc, bad_profiles_are_refused_everywhere, 0,
                        (int)(sizeof(profile_muts) / sizeof(profile_muts[0])));
    tcase_add_loop_test(tc, bad_observations_are_refused_everywhere, 0,
                        (int)(sizeof(obs_muts) / sizeof(obs_muts[0])));
    tcase_add_test(tc, larger_struct_size_needs_a_zero_tail);
    tcase_add_test(tc, good_dates_and_consistency);
    tcase_add_test(tc, classify_null_and_output_sizes);
    tcase_add_test(tc, bad_overrides);
    tcase_add_test(tc, catalog_queries_refuse_bad_input);
    tcase_add_test(tc, info_structs_honour_struct_size);
    tcase_add_test(tc, ingest_reads_a_1_0_struct_in_a_grown_library);
    tcase_add_test(tc, ingest_checks_the_callers_size);
    tcase_add_test(tc, entry_points_read_no_byte_past_struct_size);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(api_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
