/*
 * The classifier against the domain catalog: every symptom row of section 3
 * on every protocol it applies to, every cause of section 4 ranked first for
 * some observations, the triage rules, Bayes' arithmetic and vendor overrides.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lockrecover/lockrecover.h"

static lkr_profile profile_for(uint32_t protocol)
{
    lkr_profile p;
    lkr_profile_init(&p);
    p.protocol = protocol;
    p.ecosystems = LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEKIT);
    p.battery_chemistry = LKR_CHEMISTRY_ALKALINE;
    p.battery_cells = 4;
    return p;
}

static lkr_diagnosis classify(const lkr_profile *p, const lkr_observations *o)
{
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    ck_assert_int_eq(lkr_classify(p, o, &d), LKR_OK);
    return d;
}

static int in_list(uint32_t v, const uint32_t *list, uint32_t n)
{
    uint32_t i;
    for (i = 0; i < n; i++)
        if (list[i] == v) return 1;
    return 0;
}

static double p_of(const lkr_diagnosis *d, uint32_t cause)
{
    uint32_t i;
    for (i = 0; i < d->cause_count; i++)
        if (d->causes[i].cause == cause) return d->causes[i].p;
    return 0.0;
}

/* One observation set per row of catalog section 3. */
typedef void (*row_fn)(lkr_observations *o);
static void row_silent(lkr_observations *o)
{
    o->keypad_lights = LKR_NO;
    o->update_state = LKR_UPDATE_FINISHED;
}
static void row_local_ok(lkr_observations *o)
{
    o->keypad_lights = LKR_YES;
    o->keypad_accepts_codes = LKR_YES;
    o->app_status = LKR_APP_OFFLINE;
    o->update_state = LKR_UPDATE_FINISHED;
}
static void row_no_response(lkr_observations *o)
{
    o->app_status = LKR_APP_NO_RESPONSE;
    o->local_control_works = LKR_YES;
    o->update_state = LKR_UPDATE_REPORTED_OK;
}
static void row_stalled(lkr_observations *o)
{
    o->update_state = LKR_UPDATE_IN_PROGRESS;
    o->update_progress_pct = 63;
    o->update_stalled_min = 11;
}
static void row_one_code(lkr_observations *o)
{
    o->keypad_lights = LKR_YES;
    o->codes_state = LKR_CODES_ONE_REJECTED;
}
static void row_all_codes(lkr_observations *o)
{
    o->keypad_lights = LKR_YES;
    o->codes_state = LKR_CODES_ALL_REJECTED;
}
static void row_offline(lkr_observations *o)
{
    o->app_status = LKR_APP_OFFLINE;
    o->update_state = LKR_UPDATE_NONE;
}

static const struct {
    row_fn fill;
    uint32_t symptom, tier;
} rows[] = {
    {row_silent, LKR_SYMPTOM_COMPLETELY_SILENT, LKR_TIER_UNIVERSAL},
    {row_local_ok, LKR_SYMPTOM_LOCAL_OK_APP_OFFLINE, LKR_TIER_PROTOCOL},
    {row_no_response, LKR_SYMPTOM_APP_NO_RESPONSE, LKR_TIER_ECOSYSTEM},
    {row_stalled, LKR_SYMPTOM_UPDATE_STALLED, LKR_TIER_TRIAGE},
    {row_one_code, LKR_SYMPTOM_ONE_CODE_REJECTED, LKR_TIER_CODE},
    {row_all_codes, LKR_SYMPTOM_ALL_CODES_REJECTED, LKR_TIER_CODE},
    {row_offline, LKR_SYMPTOM_OFFLINE_NO_UPDATE, LKR_TIER_UNIVERSAL},
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* Looped over rows x protocols: _i = row * 5 + (protocol - 1). */
START_TEST(symptom_rows_on_every_protocol)
{
    uint32_t row = (uint32_t)_i / 5, protocol = (uint32_t)_i % 5 + 1, k;
    lkr_profile p = profile_for(protocol);
    lkr_observations o;
    lkr_symptom_info si = LKR_SYMPTOM_INFO_INIT;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    rows[row].fill(&o);
    d = classify(&p, &o);
    ck_assert_uint_eq(d.symptom, rows[row].symptom);
    /* A Matter lock's home app is its controller: its ecosystem row is the
     * protocol path's (docs/CLASSIFIER.md). */
    ck_assert_uint_eq(d.entry_tier, rows[row].tier == LKR_TIER_ECOSYSTEM &&
                                        protocol == LKR_PROTOCOL_MATTER
                                        ? LKR_TIER_PROTOCOL : rows[row].tier);
    ck_assert_int_eq(lkr_symptom_get(d.symptom, &si), LKR_OK);
    ck_assert(d.cause_count > 0);
    /* The most probable cause is one the table names for this row. */
    ck_assert_msg(in_list(d.causes[0].cause, si.causes, si.cause_count),
                  "%s on %s: top cause %u", si.sid, lkr_protocol_name(protocol),
                  d.causes[0].cause);
    /* And no cause that cannot happen on this protocol is listed. */
    for (k = 0; k < d.cause_count; k++) {
        lkr_cause_info ci = LKR_CAUSE_INFO_INIT;
        ck_assert_int_eq(lkr_cause_get(d.causes[k].cause, &ci), LKR_OK);
        ck_assert(ci.protocols & LKR_PROTOCOL_BIT(protocol));
    }
}
END_TEST

/* Every cause of section 4 is ranked first by some observations. */
typedef struct cause_case {
    uint32_t cause, protocol;
    void (*fill)(lkr_observations *o, lkr_profile *p);
} cause_case;

#define CASE(name) static void name(lkr_observations *o, lkr_profile *p)
CASE(c_ble_drop) { (void)p; o->keypad_lights = LKR_YES; o->update_state = LKR_UPDATE_REPORTED_FAILED;
    strcpy(o->fw_target, "2.1.0"); strcpy(o->fw_now, "2.1.0"); o->app_status = LKR_APP_OFFLINE; }
CASE(c_voltage) { (void)p; o->keypad_lights = LKR_NO; o->update_state = LKR_UPDATE_REPORTED_FAILED; o->battery_pct = 35; }
CASE(c_wifi_crash) { (void)p; o->keypad_lights = LKR_YES; o->app_status = LKR_APP_OFFLINE;
    o->other_wifi_devices_work = LKR_YES; strcpy(o->fw_target, "5"); strcpy(o->fw_now, "5"); }
CASE(c_session) { (void)p; o->keypad_accepts_codes = LKR_YES; o->app_status = LKR_APP_OFFLINE;
    o->hub_online = LKR_YES; o->update_state = LKR_UPDATE_REPORTED_OK; }
CASE(c_stale) { (void)p; o->app_status = LKR_APP_NO_RESPONSE; o->local_control_works = LKR_YES; }
CASE(c_stall) { (void)p; o->update_state = LKR_UPDATE_IN_PROGRESS; o->update_stalled_min = 25; }
CASE(c_depleted) { (void)p; o->keypad_lights = LKR_NO; o->update_state = LKR_UPDATE_NONE; o->battery_pct = 5; }
CASE(c_deep_sleep) { (void)p; o->keypad_lights = LKR_YES; o->app_status = LKR_APP_OFFLINE;
    o->hub_online = LKR_YES; o->battery_pct = 40; }
CASE(c_mesh) { (void)p; o->keypad_lights = LKR_YES; o->app_status = LKR_APP_OFFLINE;
    strcpy(o->fw_target, "1.4"); strcpy(o->fw_now, "1.4"); }
/* S0: the phone beside the lock fails, a second phone connects. */
CASE(c_phone) { (void)p; o->app_status = LKR_APP_OFFLINE; o->local_control_works = LKR_NO;
    o->second_phone_connects = LKR_YES; }
CASE(c_band) { (void)p; o->app_status = LKR_APP_OFFLINE; o->wifi_security = LKR_WIFI_SECURITY_WPA3; }
CASE(c_ip) { (void)p; o->app_status = LKR_APP_OFFLINE; o->ip_changed = LKR_YES; }
CASE(c_weak) { (void)p; o->app_status = LKR_APP_OFFLINE; o->signal_weak = LKR_YES; }
CASE(c_network) { (void)p; o->app_status = LKR_APP_OFFLINE; o->network_changed = LKR_YES; }
CASE(c_hub_off) { (void)p; o->app_status = LKR_APP_OFFLINE; o->hub_online = LKR_NO; }
CASE(c_perm) { (void)p; o->app_status = LKR_APP_OFFLINE; o->app_permissions_ok = LKR_NO; }
CASE(c_outdated) { (void)p; o->app_status = LKR_APP_OFFLINE; o->update_state = LKR_UPDATE_NONE;
    o->software_outdated = LKR_YES; }
CASE(c_calibration) { (void)p; o->wrong_position = LKR_YES; }
CASE(c_lockout) { (void)p; o->codes_state = LKR_CODES_ALL_REJECTED; o->lockout_active = LKR_YES; }
CASE(c_expired) { (void)p; o->codes_state = LKR_CODES_ONE_REJECTED; o->code_expired = LKR_YES; }
CASE(c_wrong) { (void)p; o->codes_state = LKR_CODES_ONE_REJECTED; o->code_expired = LKR_NO; }
CASE(c_damage) { (void)p; o->codes_state = LKR_CODES_ALL_REJECTED; o->keypad_dirty = LKR_YES; }
CASE(c_align) { (void)p; o->codes_state = LKR_CODES_ALL_REJECTED; o->works_door_open_only = LKR_YES; }
CASE(c_cold) { (void)p; o->codes_state = LKR_CODES_ALL_REJECTED; o->extreme_cold = LKR_YES; }
CASE(c_hardware) { o->keypad_lights = LKR_NO; o->update_state = LKR_UPDATE_NONE; o->battery_pct = 100;
    o->cell_mv = 1580; o->second_phone_connects = LKR_NO; strcpy(o->error_code, "-1");
    p->battery_chemistry = LKR_CHEMISTRY_ALKALINE; }

static const cause_case cause_cases[] = {
    {LKR_CAUSE_BLE_DROP_MID_TRANSFER, LKR_PROTOCOL_BLE, c_ble_drop},
    {LKR_CAUSE_OTA_VOLTAGE_COLLAPSE, LKR_PROTOCOL_WIFI, c_voltage},
    {LKR_CAUSE_WIFI_STACK_CRASH, LKR_PROTOCOL_WIFI, c_wifi_crash},
    {LKR_CAUSE_HUB_SESSION_MISMATCH, LKR_PROTOCOL_ZWAVE, c_session},
    {LKR_CAUSE_APP_STALE_STATE, LKR_PROTOCOL_BLE, c_stale},
    {LKR_CAUSE_TRANSFER_STALL, LKR_PROTOCOL_MATTER, c_stall},
    {LKR_CAUSE_BATTERIES_DEPLETED, LKR_PROTOCOL_ZIGBEE, c_depleted},
    {LKR_CAUSE_ZWAVE_DEEP_SLEEP, LKR_PROTOCOL_ZWAVE, c_deep_sleep},
    {LKR_CAUSE_THREAD_MESH_LOST, LKR_PROTOCOL_MATTER, c_mesh},
    {LKR_CAUSE_PHONE_BLE_BUG, LKR_PROTOCOL_BLE, c_phone},
    {LKR_CAUSE_WIFI_BAND_SECURITY, LKR_PROTOCOL_WIFI, c_band},
    {LKR_CAUSE_NEW_IP_ADDRESS, LKR_PROTOCOL_WIFI, c_ip},
    {LKR_CAUSE_WEAK_SIGNAL, LKR_PROTOCOL_WIFI, c_weak},
    {LKR_CAUSE_NETWORK_CHANGED, LKR_PROTOCOL_WIFI, c_network},
    {LKR_CAUSE_HUB_OFFLINE, LKR_PROTOCOL_ZIGBEE, c_hub_off},
    {LKR_CAUSE_MISSING_PERMISSIONS, LKR_PROTOCOL_BLE, c_perm},
    {LKR_CAUSE_OUTDATED_SOFTWARE, LKR_PROTOCOL_BLE, c_outdated},
    {LKR_CAUSE_NEEDS_CALIBRATION, LKR_PROTOCOL_WIFI, c_calibration},
    {LKR_CAUSE_KEYPAD_LOCKOUT, LKR_PROTOCOL_ZWAVE, c_lockout},
    {LKR_CAUSE_CODE_EXPIRED, LKR_PROTOCOL_WIFI, c_expired},
    {LKR_CAUSE_WRONG_CODE, LKR_PROTOCOL_MATTER, c_wrong},
    {LKR_CAUSE_KEYPAD_DAMAGE, LKR_PROTOCOL_ZIGBEE, c_damage},
    {LKR_CAUSE_DOOR_MISALIGNMENT, LKR_PROTOCOL_WIFI, c_align},
    {LKR_CAUSE_EXTREME_COLD, LKR_PROTOCOL_BLE, c_cold},
    {LKR_CAUSE_HARDWARE_FAILURE, LKR_PROTOCOL_BLE, c_hardware},
};
#define NCAUSES (sizeof(cause_cases) / sizeof(cause_cases[0]))

START_TEST(every_cause_ranked_first_somewhere)
{
    const cause_case *cc = &cause_cases[_i];
    lkr_profile p = profile_for(cc->protocol);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    cc->fill(&o, &p);
    d = classify(&p, &o);
    ck_assert_msg(d.causes[0].cause == cc->cause, "cause %u: got %u first (p=%.3f)", cc->cause,
                  d.causes[0].cause, d.causes[0].p);
}
END_TEST

START_TEST(all_causes_are_covered_by_the_cases)
{
    uint32_t c;
    size_t k;
    ck_assert_uint_eq(NCAUSES, lkr_cause_count());
    for (c = 1; c <= lkr_cause_count(); c++) {
        int found = 0;
        for (k = 0; k < NCAUSES; k++) found |= cause_cases[k].cause == c;
        ck_assert_msg(found, "cause %u has no case", c);
    }
}
END_TEST

START_TEST(probabilities_are_normalised_sorted_and_deterministic)
{
    uint32_t protocol, i;
    for (protocol = 1; protocol <= LKR_PROTOCOL_MAX; protocol++) {
        lkr_profile p = profile_for(protocol);
        lkr_observations o;
        lkr_diagnosis d, e;
        double sum = 0.0;
        lkr_observations_init(&o);
        row_local_ok(&o);
        d = classify(&p, &o);
        e = classify(&p, &o);
        ck_assert(memcmp(&d, &e, sizeof(d)) == 0);
        for (i = 0; i < d.cause_count; i++) {
            sum += d.causes[i].p;
            ck_assert(d.causes[i].p > 0.0 && d.causes[i].p <= 1.0);
            if (i > 0) ck_assert(d.causes[i - 1].p >= d.causes[i].p);
        }
        ck_assert(fabs(sum - 1.0) < 1e-9);
    }
}
END_TEST

START_TEST(protocol_scoped_causes_never_leak)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_WIFI);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    o.battery_pct = 30; /* would favour Z-Wave deep sleep */
    o.app_status = LKR_APP_OFFLINE;
    d = classify(&p, &o);
    ck_assert(p_of(&d, LKR_CAUSE_ZWAVE_DEEP_SLEEP) == 0.0);
    ck_assert(p_of(&d, LKR_CAUSE_THREAD_MESH_LOST) == 0.0);
    p = profile_for(LKR_PROTOCOL_ZWAVE);
    d = classify(&p, &o);
    ck_assert(p_of(&d, LKR_CAUSE_WIFI_STACK_CRASH) == 0.0);
    ck_assert(p_of(&d, LKR_CAUSE_ZWAVE_DEEP_SLEEP) > 0.0);
}
END_TEST

/* Triage rules of the engine issue, as flags. */
START_TEST(triage_stalled_update_forbids_battery_pull)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_BLE);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    o.update_state = LKR_UPDATE_IN_PROGRESS;
    o.update_stalled_min = 10; /* exactly 10 minutes is not "more than 10" */
    d = classify(&p, &o);
    ck_assert(!(d.triage & LKR_TRIAGE_UPDATE_STALLED));
    ck_assert_uint_ne(d.symptom, LKR_SYMPTOM_UPDATE_STALLED);
    o.update_stalled_min = 11;
    o.keypad_lights = LKR_NO; /* a stall wins over a dark keypad */
    d = classify(&p, &o);
    ck_assert(d.triage & LKR_TRIAGE_UPDATE_STALLED);
    ck_assert_uint_eq(d.symptom, LKR_SYMPTOM_UPDATE_STALLED);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_TRIAGE);
    ck_assert_str_eq(lkr_triage_name(LKR_TRIAGE_UPDATE_STALLED), "update_stalled");
}
END_TEST

START_TEST(triage_nimh_and_zwave_battery_come_first)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_ZWAVE);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    row_local_ok(&o);
    d = classify(&p, &o);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_PROTOCOL);
    p.battery_chemistry = LKR_CHEMISTRY_NIMH;
    d = classify(&p, &o);
    ck_assert(d.triage & LKR_TRIAGE_NIMH_CELLS);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_UNIVERSAL);
    p.battery_chemistry = LKR_CHEMISTRY_ALKALINE;
    o.battery_pct = 49;
    d = classify(&p, &o);
    ck_assert(d.triage & LKR_TRIAGE_ZWAVE_LOW_BATTERY);
    ck_assert(d.triage & LKR_TRIAGE_BATTERY_LOW);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_UNIVERSAL);
    ck_assert_uint_eq(d.causes[0].cause, LKR_CAUSE_ZWAVE_DEEP_SLEEP);
    o.battery_pct = 50;
    d = classify(&p, &o);
    ck_assert(!(d.triage & LKR_TRIAGE_ZWAVE_LOW_BATTERY));
    /* The same low battery on Wi-Fi is low, but not the Z-Wave rule. */
    p = profile_for(LKR_PROTOCOL_WIFI);
    o.battery_pct = 30;
    d = classify(&p, &o);
    ck_assert(d.triage & LKR_TRIAGE_BATTERY_LOW);
    ck_assert(!(d.triage & LKR_TRIAGE_ZWAVE_LOW_BATTERY));
    /* NiMH sag measured per cell (1.2 V nominal). */
    p.battery_chemistry = LKR_CHEMISTRY_NIMH;
    o.battery_pct = LKR_NUM_UNKNOWN;
    o.cell_mv = 1100;
    d = classify(&p, &o);
    ck_assert(d.triage & LKR_TRIAGE_BATTERY_LOW);
}
END_TEST

START_TEST(a_stall_outranks_a_dark_keypad)
{
    uint32_t protocol;
    for (protocol = 1; protocol <= LKR_PROTOCOL_MAX; protocol++) {
        lkr_profile p = profile_for(protocol);
        lkr_observations o;
        lkr_diagnosis d;
        lkr_observations_init(&o);
        row_stalled(&o);
        o.keypad_lights = LKR_NO;
        o.battery_pct = 60;
        d = classify(&p, &o);
        ck_assert_uint_eq(d.symptom, LKR_SYMPTOM_UPDATE_STALLED);
        ck_assert_uint_eq(d.causes[0].cause, LKR_CAUSE_TRANSFER_STALL);
    }
}
END_TEST

/* An update still running but not (known to be) stalled: triage, and the
 * update_active flag that keeps every power cut away. */
START_TEST(a_running_update_enters_triage)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_BLE);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    o.update_state = LKR_UPDATE_IN_PROGRESS;
    o.keypad_lights = LKR_NO;
    d = classify(&p, &o);
    ck_assert(d.triage & LKR_TRIAGE_UPDATE_ACTIVE);
    ck_assert(!(d.triage & LKR_TRIAGE_UPDATE_STALLED));
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_TRIAGE);
    o.update_stalled_min = 4;
    d = classify(&p, &o);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_TRIAGE);
    ck_assert_str_eq(lkr_triage_name(LKR_TRIAGE_UPDATE_ACTIVE), "update_active");
    /* Even a code symptom waits for the transfer. */
    o.keypad_lights = LKR_YES;
    o.codes_state = LKR_CODES_ALL_REJECTED;
    d = classify(&p, &o);
    ck_assert(d.triage & LKR_TRIAGE_CODE_PATH);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_TRIAGE);
}
END_TEST

START_TEST(reported_ok_but_unchanged_without_a_target)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_ZIGBEE);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    o.update_state = LKR_UPDATE_REPORTED_OK;
    strcpy(o.fw_before, "0.9.1");
    strcpy(o.fw_now, "0.9.1");
    d = classify(&p, &o);
    ck_assert(d.triage & LKR_TRIAGE_UPDATE_NOT_APPLIED);
    /* No update involved: an unchanged version is no failure. */
    o.update_state = LKR_UPDATE_NONE;
    d = classify(&p, &o);
    ck_assert(!(d.triage & LKR_TRIAGE_UPDATE_NOT_APPLIED));
}
END_TEST

START_TEST(router_offline_points_at_the_network)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_WIFI);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    o.app_status = LKR_APP_OFFLINE;
    o.router_online = LKR_NO;
    d = classify(&p, &o);
    ck_assert_uint_eq(d.causes[0].cause, LKR_CAUSE_HUB_OFFLINE);
    ck_assert(d.evidence & ((uint64_t)1 << (LKR_EVIDENCE_ROUTER_OFFLINE - 1)));
}
END_TEST

START_TEST(firmware_version_decides_update_success)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_WIFI);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    o.update_state = LKR_UPDATE_REPORTED_OK;
    strcpy(o.fw_before, "1.8.2");
    strcpy(o.fw_target, "1.9.0");
    strcpy(o.fw_now, "1.9.0");
    d = classify(&p, &o);
    ck_assert(d.triage & LKR_TRIAGE_UPDATE_APPLIED);
    ck_assert(!(d.triage & LKR_TRIAGE_UPDATE_NOT_APPLIED));
    /* Version equals target: a connection problem, so the protocol path. */
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_PROTOCOL);
    ck_assert(p_of(&d, LKR_CAUSE_TRANSFER_STALL) == 0.0);
    /* "Reported OK but version unchanged" is a failed update. */
    strcpy(o.fw_now, "1.8.2");
    d = classify(&p, &o);
    ck_assert(!(d.triage & LKR_TRIAGE_UPDATE_APPLIED));
    ck_assert(d.triage & LKR_TRIAGE_UPDATE_NOT_APPLIED);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_UNIVERSAL);
}
END_TEST

START_TEST(keypad_works_sets_battery_collapse_aside)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_BLE);
    lkr_observations o;
    lkr_diagnosis dark, lit;
    lkr_observations_init(&o);
    o.update_state = LKR_UPDATE_FINISHED;
    o.keypad_lights = LKR_NO;
    dark = classify(&p, &o);
    o.keypad_lights = LKR_YES;
    lit = classify(&p, &o);
    ck_assert(lit.triage & LKR_TRIAGE_KEYPAD_WORKS);
    ck_assert(p_of(&lit, LKR_CAUSE_OTA_VOLTAGE_COLLAPSE) <
              p_of(&dark, LKR_CAUSE_OTA_VOLTAGE_COLLAPSE) / 20.0);
    ck_assert(p_of(&lit, LKR_CAUSE_OTA_VOLTAGE_COLLAPSE) < 0.05);
}
END_TEST

START_TEST(local_only_goes_to_ecosystems_or_protocol_without_one)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_WIFI);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    o.app_status = LKR_APP_OFFLINE;
    o.local_control_works = LKR_YES;
    d = classify(&p, &o);
    ck_assert(d.triage & LKR_TRIAGE_LOCAL_ONLY);
    ck_assert_uint_eq(d.symptom, LKR_SYMPTOM_APP_NO_RESPONSE);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_ECOSYSTEM);
    p.ecosystems = 0;
    d = classify(&p, &o);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_PROTOCOL);
}
END_TEST

START_TEST(matter_no_response_goes_to_the_protocol_path)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_MATTER);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    p.ecosystems = LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEKIT);
    o.app_status = LKR_APP_NO_RESPONSE;
    o.update_state = LKR_UPDATE_REPORTED_OK;
    o.keypad_lights = LKR_YES;
    d = classify(&p, &o);
    ck_assert_uint_eq(d.symptom, LKR_SYMPTOM_APP_NO_RESPONSE);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_PROTOCOL);
    p = profile_for(LKR_PROTOCOL_ZWAVE);
    p.ecosystems = LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEKIT);
    d = classify(&p, &o);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_ECOSYSTEM);
}
END_TEST

START_TEST(nothing_known_is_unknown_not_a_guess)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_MATTER);
    lkr_observations o;
    lkr_diagnosis d;
    uint32_t c;
    lkr_cause_info ci = LKR_CAUSE_INFO_INIT;
    double total = 0.0;
    lkr_observations_init(&o);
    d = classify(&p, &o);
    ck_assert_uint_eq(d.symptom, LKR_SYMPTOM_UNKNOWN);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_UNIVERSAL);
    ck_assert_uint_eq(d.triage, 0);
    /* The only evidence is the protocol: the posterior is prior x that
     * likelihood, normalised, for every cause (Bayes by hand). */
    ck_assert(d.evidence == ((uint64_t)1 << (LKR_EVIDENCE_PROTOCOL_MATTER - 1)));
    for (c = 1; c <= lkr_cause_count(); c++) {
        uint32_t l;
        ck_assert_int_eq(lkr_cause_get(c, &ci), LKR_OK);
        ck_assert_int_eq(lkr_likelihood_get(LKR_EVIDENCE_PROTOCOL_MATTER, c, &l), LKR_OK);
        if (ci.protocols & LKR_PROTOCOL_BIT(LKR_PROTOCOL_MATTER)) total += ci.prior_permille * (double)l;
    }
    for (c = 1; c <= lkr_cause_count(); c++) {
        uint32_t l;
        double expect = 0.0;
        ck_assert_int_eq(lkr_cause_get(c, &ci), LKR_OK);
        ck_assert_int_eq(lkr_likelihood_get(LKR_EVIDENCE_PROTOCOL_MATTER, c, &l), LKR_OK);
        if (ci.protocols & LKR_PROTOCOL_BIT(LKR_PROTOCOL_MATTER)) expect = ci.prior_permille * (double)l / total;
        ck_assert_msg(fabs(p_of(&d, c) - expect) < 1e-9, "cause %u", c);
    }
}
END_TEST

START_TEST(evidence_mask_and_likelihood_table)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_WIFI);
    lkr_observations o;
    lkr_diagnosis d;
    uint32_t l = 0;
    lkr_observations_init(&o);
    o.keypad_lights = LKR_NO;
    o.wifi_security = LKR_WIFI_SECURITY_MIXED;
    d = classify(&p, &o);
    ck_assert(d.evidence & ((uint64_t)1 << (LKR_EVIDENCE_KEYPAD_DARK - 1)));
    ck_assert(d.evidence & ((uint64_t)1 << (LKR_EVIDENCE_WIFI_BAND_BAD - 1)));
    ck_assert(!(d.evidence & ((uint64_t)1 << (LKR_EVIDENCE_KEYPAD_LIGHTS - 1))));
    ck_assert_int_eq(lkr_likelihood_get(LKR_EVIDENCE_KEYPAD_DARK, LKR_CAUSE_BATTERIES_DEPLETED, &l),
                     LKR_OK);
    ck_assert_uint_gt(l, 1000);
    ck_assert_int_eq(lkr_likelihood_get(LKR_EVIDENCE_IP_CHANGED, LKR_CAUSE_WRONG_CODE, &l), LKR_OK);
    ck_assert_uint_eq(l, 1000); /* unlisted: neutral */
}
END_TEST

START_TEST(vendor_overrides_move_the_ranking)
{
    lkr_profile p = profile_for(LKR_PROTOCOL_ZWAVE);
    lkr_observations o;
    lkr_diagnosis base = LKR_DIAGNOSIS_INIT, d = LKR_DIAGNOSIS_INIT;
    lkr_overrides ov = LKR_OVERRIDES_INIT;
    lkr_weight priors[] = {{LKR_CAUSE_HUB_SESSION_MISMATCH, 0}};
    lkr_likelihood lik[] = {{LKR_EVIDENCE_HUB_ONLINE, LKR_CAUSE_ZWAVE_DEEP_SLEEP, 100000}};
    lkr_observations_init(&o);
    row_local_ok(&o);
    o.hub_online = LKR_YES;
    base = classify(&p, &o);
    ck_assert_uint_eq(base.causes[0].cause, LKR_CAUSE_HUB_SESSION_MISMATCH);
    ov.prior_count = 1;
    ov.priors = priors;
    ck_assert_int_eq(lkr_classify_ex(&p, &o, &ov, &d), LKR_OK);
    ck_assert(p_of(&d, LKR_CAUSE_HUB_SESSION_MISMATCH) == 0.0);
    ov.prior_count = 0;
    ov.likelihood_count = 1;
    ov.likelihoods = lik;
    ck_assert_int_eq(lkr_classify_ex(&p, &o, &ov, &d), LKR_OK);
    ck_assert_uint_eq(d.causes[0].cause, LKR_CAUSE_ZWAVE_DEEP_SLEEP);
    /* NULL overrides: the catalog's numbers. */
    ck_assert_int_eq(lkr_classify_ex(&p, &o, NULL, &d), LKR_OK);
    ck_assert(memcmp(&d, &base, sizeof(d)) == 0);
}
END_TEST

START_TEST(classify_a_zwave_lock_dark_after_update)
{
    /* The README's case: a Z-Wave lock whose keypad is dark after an update. */
    lkr_profile p = profile_for(LKR_PROTOCOL_ZWAVE);
    lkr_observations o;
    lkr_diagnosis d;
    lkr_observations_init(&o);
    o.keypad_lights = LKR_NO;
    o.update_state = LKR_UPDATE_REPORTED_FAILED;
    o.battery_pct = 45;
    d = classify(&p, &o);
    ck_assert_uint_eq(d.symptom, LKR_SYMPTOM_COMPLETELY_SILENT);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_UNIVERSAL);
    ck_assert_uint_eq(d.causes[0].cause, LKR_CAUSE_OTA_VOLTAGE_COLLAPSE);
    ck_assert(d.triage & LKR_TRIAGE_ZWAVE_LOW_BATTERY);
}
END_TEST

static Suite *classify_suite(void)
{
    Suite *s = suite_create("classify");
    TCase *tc = tcase_create("section3");
    tcase_add_loop_test(tc, symptom_rows_on_every_protocol, 0, (int)(NROWS * 5));
    suite_add_tcase(s, tc);
    tc = tcase_create("section4");
    tcase_add_loop_test(tc, every_cause_ranked_first_somewhere, 0, (int)NCAUSES);
    tcase_add_test(tc, all_causes_are_covered_by_the_cases);
    tcase_add_test(tc, protocol_scoped_causes_never_leak);
    suite_add_tcase(s, tc);
    tc = tcase_create("bayes");
    tcase_add_test(tc, probabilities_are_normalised_sorted_and_deterministic);
    tcase_add_test(tc, nothing_known_is_unknown_not_a_guess);
    tcase_add_test(tc, evidence_mask_and_likelihood_table);
    tcase_add_test(tc, vendor_overrides_move_the_ranking);
    suite_add_tcase(s, tc);
    tc = tcase_create("triage");
    tcase_add_test(tc, triage_stalled_update_forbids_battery_pull);
    tcase_add_test(tc, triage_nimh_and_zwave_battery_come_first);
    tcase_add_test(tc, firmware_version_decides_update_success);
    tcase_add_test(tc, keypad_works_sets_battery_collapse_aside);
    tcase_add_test(tc, local_only_goes_to_ecosystems_or_protocol_without_one);
    tcase_add_test(tc, matter_no_response_goes_to_the_protocol_path);
    tcase_add_test(tc, classify_a_zwave_lock_dark_after_update);
    tcase_add_test(tc, a_stall_outranks_a_dark_keypad);
    tcase_add_test(tc, a_running_update_enters_triage);
    tcase_add_test(tc, reported_ok_but_unchanged_without_a_target);
    tcase_add_test(tc, router_offline_points_at_the_network);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(classify_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
