/*
 * Least destructive first (docs/ENGINE.md): harmless steps that keep every
 * code and pairing, then re-links, then re-pairs and exclusions, then the
 * factory reset, then support; the seeds' order inside each class. Each test
 * is named after the seed sentence it keeps. The runs are simulated locks
 * (the library's simulator) driven through the public API; a watcher judges
 * every step as it begins against the session's beliefs at that moment
 * (bench/bench_order.h, shared with the quality benchmark).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/bench_order.h"
#include "host_script.h"

#define RUN_HIST 64

typedef struct run {
    order_watch w;
    uint32_t final_kind;
    uint32_t n;
    uint32_t steps[RUN_HIST]; /* the history, in order */
    lkr_sim_stats stats;
} run;

/* One recovery of a simulated lock, as lkr_sim_run() drives it, watched. */
static void drive(const lkr_sim_config *cfg, run *out)
{
    lkr_sim *sim = NULL;
    lkr_session_config sc;
    lkr_profile p;
    lkr_observations o;
    lkr_session *s = NULL;
    lkr_vault *v = NULL;
    lkr_action a = LKR_ACTION_INIT;
    bench_drive_opts opts;
    uint32_t i;

    memset(out, 0, sizeof(*out));
    memset(&opts, 0, sizeof(opts));
    ck_assert_int_eq(lkr_sim_new(cfg, NULL, &sim), LKR_OK);
    ck_assert_int_eq(order_watch_init(&out->w, sim, cfg->causes[0], &opts), LKR_OK);
    ck_assert_int_eq(lkr_sim_profile(sim, &p), LKR_OK);
    ck_assert_int_eq(lkr_sim_observations(sim, &o), LKR_OK);
    lkr_session_config_init(&sc);
    sc.profile = &p;
    sc.observations = &o;
    ck_assert_int_eq(lkr_session_new(&sc, opts.transport, &s), LKR_OK);
    if (cfg->flags & LKR_SIM_F_CODES) {
        lkr_code codes[LKR_VAULT_MAX_CODES];
        bench_sim_codes(cfg, codes);
        ck_assert_int_eq(lkr_vault_new(NULL, &v), LKR_OK);
        for (i = 0; p.pins_readable == LKR_NO && i < cfg->code_count; i++)
            ck_assert_int_eq(lkr_vault_record(v, &codes[i]), LKR_OK);
        lkr__wipe(codes, sizeof(codes));
        ck_assert_int_eq(lkr_session_attach_vault(s, v), LKR_OK);
    }
    order_hook(&out->w, s, NULL);
    for (i = 0; i < 2000; i++) {
        ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
        order_hook(&out->w, s, &a);
        if (lkr_action_is_final(&a)) break;
        ck_assert_int_eq(lkr_sim_respond(sim, s, &a), LKR_OK);
    }
    ck_assert(lkr_action_is_final(&a));
    out->final_kind = a.kind;
    for (i = 0; i < s->hist_count && i < RUN_HIST; i++) out->steps[i] = s->hist[i].step;
    out->n = i;
    out->stats.struct_size = (uint32_t)sizeof(out->stats);
    ck_assert_int_eq(lkr_sim_stats_get(sim, &out->stats), LKR_OK);
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(sim);
    ck_assert_uint_eq(out->stats.unsafe_steps, 0);
    ck_assert_uint_eq(out->stats.codes_lost, 0);
}

static void config(lkr_sim_config *cfg, uint32_t protocol, uint32_t cause, uint64_t seed)
{
    lkr_sim_config_init(cfg);
    cfg->protocol = protocol;
    cfg->ecosystems = LKR_ECOSYSTEMS_ALL;
    cfg->has_bridge = protocol == LKR_PROTOCOL_WIFI ? LKR_YES : LKR_NO;
    cfg->causes[0] = cause;
    cfg->cause_count = 1;
    cfg->seed = seed;
}

static int pos(const run *r, uint32_t step)
{
    uint32_t i;
    for (i = 0; i < r->n; i++)
        if (r->steps[i] == step) return (int)i;
    return -1;
}

/* Both present: a before b. */
static void before(const run *r, uint32_t a, uint32_t b, const char *what)
{
    int pa = pos(r, a), pb = pos(r, b);
    if (pb >= 0 && pa >= 0) ck_assert_msg(pa < pb, "%s: %s after %s", what, lkr__steps[a].sid, lkr__steps[b].sid);
}

/* ---- the catalog data ------------------------------------------------------ */

/* catalog section 8: the class of every step agrees with what it destroys, on
 * every protocol (an ecosystem or Matter re-add removes a Matter fabric and
 * with it the codes: a re-pair there, not a factory reset). */
START_TEST(how_destructive_each_step_is_agrees_with_what_it_destroys)
{
    const uint32_t erasing = LKR_DESTROYS_CODES | LKR_MAY_DESTROY_CODES | LKR_DESTROYS_ONE_CODE;
    uint32_t id, p;
    for (id = 1; id <= LKR__STEP_COUNT; id++) {
        ck_assert_msg(lkr__step_orders[id].cls != 0, "%s has no class row", lkr__steps[id].sid);
        for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
            uint32_t d = lkr__step_destroys(id, p), c = lkr__step_class(id, p);
            /* (the reset's follow-up, the restore, belongs to its class) */
            if (!(lkr__steps[id].flags & LKR_STEP_F_FOLLOWUP_ONLY))
                ck_assert_msg((c == LKR__CLASS_RESET) == ((lkr__steps[id].destroys & LKR_DESTROYS_CODES) != 0),
                              "%s", lkr__steps[id].sid);
            if (d & erasing)
                ck_assert_msg(c >= LKR__CLASS_REPAIR, "%s may erase codes", lkr__steps[id].sid);
            if (c == LKR__CLASS_HARMLESS) ck_assert_msg(d == 0, "%s is harmless", lkr__steps[id].sid);
            if (c == LKR__CLASS_REPAIR) ck_assert_msg(d & erasing, "%s", lkr__steps[id].sid);
            ck_assert_uint_eq(lkr__step_rank(id, p), 2 * c + (lkr__step_orders[id].slow ? 1 : 0));
        }
    }
    /* S0: "Removing and re-adding a HomeKit accessory does not erase stored
     * user codes" - except where removing it removes a Matter fabric. */
    ck_assert_uint_eq(lkr__step_class(LKR_STEP_HOMEKIT_READD, LKR_PROTOCOL_WIFI), LKR__CLASS_RELINK);
    ck_assert_uint_eq(lkr__step_class(LKR_STEP_HOMEKIT_READD, LKR_PROTOCOL_MATTER), LKR__CLASS_REPAIR);
    /* S2: the 48-hour wait costs only time. */
    ck_assert_uint_eq(lkr__step_class(LKR_STEP_REPAIR_WAIT_FOR_RECONNECT, LKR_PROTOCOL_WIFI), LKR__CLASS_HARMLESS);
    ck_assert(lkr__step_orders[LKR_STEP_REPAIR_WAIT_FOR_RECONNECT].slow);
}
END_TEST

/* ---- the rule, everywhere ---------------------------------------------------- */

/* S0: "none of them erase stored access codes"; "Reach this section only
 * after completing all prior steps without success". Every protocol, every
 * cause, seeds 1..3: no step begins while an indicated step of a lower class
 * is untried; no reset for a cause it cannot fix; needless destructive steps
 * (a harmless fix for the fault still untried) in at most 5 % of runs. */
START_TEST(none_of_them_erase_stored_access_codes_and_come_first)
{
    uint32_t p = (uint32_t)_i + 1, c, seed, runs = 0, needless = 0;
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        if (!bench_cause_possible(p, c)) continue;
        for (seed = 1; seed <= 3; seed++) {
            lkr_sim_config cfg;
            run r;
            config(&cfg, p, c, seed);
            drive(&cfg, &r);
            ck_assert_msg(r.w.violations == 0, "%s %s seed %u: %s began while a lower class was untried",
                          lkr_protocol_name(p), lkr__causes[c].sid, (unsigned)seed,
                          lkr__steps[r.w.first_violation].sid);
            ck_assert_msg(r.w.useless_resets == 0, "%s %s: factory reset", lkr_protocol_name(p),
                          lkr__causes[c].sid);
            needless += r.w.needless > 0;
            runs++;
        }
    }
    ck_assert_msg(needless * 20 <= runs, "needless destructive steps in %u of %u runs", needless, runs);
}
END_TEST

/* ---- the cases of the review ---------------------------------------------------- */

/* S3: the deadbolt can jam "even with a correct code"; a keypad's dirt or
 * damage, cold: a locksmith's or the weather's, never a factory reset. */
START_TEST(no_factory_reset_for_what_a_reset_cannot_fix)
{
    static const uint32_t causes[] = {LKR_CAUSE_KEYPAD_DAMAGE, LKR_CAUSE_EXTREME_COLD, LKR_CAUSE_DOOR_MISALIGNMENT,
                                      LKR_CAUSE_HARDWARE_FAILURE};
    uint32_t p = (uint32_t)_i + 1, k, seed;
    for (k = 0; k < 4; k++) {
        for (seed = 1; seed <= 10; seed++) {
            lkr_sim_config cfg;
            run r;
            config(&cfg, p, causes[k], seed);
            drive(&cfg, &r);
            ck_assert_msg(pos(&r, LKR_STEP_RESET_FACTORY_RESET) < 0, "%s %s seed %u: reset",
                          lkr_protocol_name(p), lkr__causes[causes[k]].sid, (unsigned)seed);
        }
    }
}
END_TEST

/* S2: "the hub itself going offline" makes every lock unreachable: the fix
 * is the hub. No exclusion, re-pair or reset while it is reported offline. */
START_TEST(the_hub_itself_offline_is_fixed_at_the_hub)
{
    static const uint32_t protos[] = {LKR_PROTOCOL_WIFI, LKR_PROTOCOL_ZWAVE, LKR_PROTOCOL_ZIGBEE, LKR_PROTOCOL_MATTER};
    uint32_t seed, i;
    for (seed = 1; seed <= 20; seed++) {
        lkr_sim_config cfg;
        run r;
        config(&cfg, protos[_i], LKR_CAUSE_HUB_OFFLINE, seed);
        drive(&cfg, &r);
        for (i = 0; i < r.n; i++)
            ck_assert_msg(lkr__step_class(r.steps[i], cfg.protocol) < LKR__CLASS_REPAIR, "%s seed %u: %s",
                          lkr_protocol_name(cfg.protocol), (unsigned)seed, lkr__steps[r.steps[i]].sid);
    }
}
END_TEST

/* S0: "Try a second phone. This is a counterintuitive but highly effective
 * step." A phone's Bluetooth bug is not the lock's protocol's: the second
 * phone is offered on every protocol, before any re-pair, never a reset. */
START_TEST(try_a_second_phone_on_every_protocol)
{
    uint32_t p = (uint32_t)_i + 1, seed, i, recovered = 0;
    for (seed = 1; seed <= 20; seed++) {
        lkr_sim_config cfg;
        run r;
        config(&cfg, p, LKR_CAUSE_PHONE_BLE_BUG, seed);
        drive(&cfg, &r);
        recovered += r.final_kind == LKR_ACTION_RECOVERED;
        ck_assert_int_lt(pos(&r, LKR_STEP_RESET_FACTORY_RESET), 0);
        for (i = 0; i < r.n; i++)
            if (lkr__step_class(r.steps[i], p) >= LKR__CLASS_REPAIR)
                ck_assert_msg(pos(&r, LKR_STEP_BLE_SECOND_PHONE) >= 0 &&
                                  pos(&r, LKR_STEP_BLE_SECOND_PHONE) < (int)i,
                              "%s seed %u: %s before the second phone", lkr_protocol_name(p), (unsigned)seed,
                              lkr__steps[r.steps[i]].sid);
    }
    ck_assert_uint_ge(recovered, 18);
}
END_TEST

/* S0: "Replace batteries with fresh alkaline AA or AAA cells", the first of
 * the universal steps; the 30-second pull after it: weak cells put back after
 * a pull fail again. A failed update on 15 % batteries. */
START_TEST(replace_batteries_with_fresh_alkaline_cells_before_the_pull)
{
    uint32_t p = (uint32_t)_i + 1, seed;
    for (seed = 1; seed <= 10; seed++) {
        lkr_sim_config cfg;
        run r;
        config(&cfg, p, LKR_CAUSE_OTA_VOLTAGE_COLLAPSE, seed);
        cfg.battery_pct = 15;
        drive(&cfg, &r);
        ck_assert_int_ge(pos(&r, LKR_STEP_UNIVERSAL_FRESH_ALKALINE), 0);
        before(&r, LKR_STEP_UNIVERSAL_FRESH_ALKALINE, LKR_STEP_UNIVERSAL_BATTERY_PULL, "weak cells");
        before(&r, LKR_STEP_UNIVERSAL_FRESH_ALKALINE, LKR_STEP_MATTER_POWER_OFF_5MIN, "weak cells");
    }
}
END_TEST

/* The seeds' order inside a class, protocol by protocol (S0):
 *   Z-Wave "Check battery level first", then "Restart the Z-Wave hub", then
 *     "Exclude and re-include" ("if the hub restart does not restore");
 *   Matter: "Restart all home hubs", then "Remove and re-add via the Matter
 *     QR code" ("if the lock still does not respond after the hub restart");
 *   Bluetooth: "Clear the app cache" before "Run the BLE re-pair sequence";
 *   Wi-Fi: "Confirm your 2.4 GHz network" and "Set a DHCP reservation"
 *     before "Re-add the lock to Wi-Fi in the app";
 *   every lock: the 30-second battery pull before the 48-hour wait (S2). */
START_TEST(work_through_the_escalation_steps_in_order)
{
    uint32_t c, seed;
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        uint32_t p;
        for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
            if (!bench_cause_possible(p, c)) continue;
            for (seed = 1; seed <= 2; seed++) {
                lkr_sim_config cfg;
                run r;
                config(&cfg, p, c, seed);
                drive(&cfg, &r);
                before(&r, LKR_STEP_ZWAVE_RESTART_HUB, LKR_STEP_ZWAVE_EXCLUDE_REINCLUDE, "z-wave");
                before(&r, LKR_STEP_ZWAVE_CHECK_BATTERY, LKR_STEP_ZWAVE_RESTART_HUB, "z-wave battery first");
                before(&r, LKR_STEP_MATTER_RESTART_HOME_HUBS, LKR_STEP_MATTER_READD_QR, "matter");
                before(&r, LKR_STEP_BLE_CLEAR_CACHE_REINSTALL, LKR_STEP_BLE_REBOND, "bluetooth");
                before(&r, LKR_STEP_WIFI_CHECK_BAND_SECURITY, LKR_STEP_WIFI_RERUN_SETUP, "wi-fi band");
                before(&r, LKR_STEP_WIFI_DHCP_RESERVATION, LKR_STEP_WIFI_RERUN_SETUP, "wi-fi dhcp");
                before(&r, LKR_STEP_UNIVERSAL_BATTERY_PULL, LKR_STEP_REPAIR_WAIT_FOR_RECONNECT, "48-hour wait");
                before(&r, LKR_STEP_HOMEASSISTANT_RELOAD, LKR_STEP_HOMEASSISTANT_READD, "home assistant");
                before(&r, LKR_STEP_SMARTTHINGS_REFRESH, LKR_STEP_SMARTTHINGS_READD, "smartthings");
                before(&r, LKR_STEP_UNIVERSAL_UPDATE_SOFTWARE, LKR_STEP_REPAIR_REMOVE_AND_READD, "outdated app");
                if (p == LKR_PROTOCOL_ZWAVE && pos(&r, LKR_STEP_ZWAVE_CHECK_BATTERY) >= 0) {
                    uint32_t i;
                    for (i = 0; i < r.n; i++) /* the first protocol step */
                        if (lkr__steps[r.steps[i]].tier == LKR_TIER_PROTOCOL) {
                            ck_assert_uint_eq(r.steps[i], LKR_STEP_ZWAVE_CHECK_BATTERY);
                            break;
                        }
                }
            }
        }
    }
}
END_TEST


/* ---- the person's notes: their own guard and evidence level ------------------------ */

/* S0: "Before removing the lock from the app, note which user codes are
 * stored and their slot numbers ... This is a precaution, not a requirement";
 * exclude and re-include "is the correct fix". With nothing that reads codes
 * (a person with the CLI), the notes stand for the backup: the re-pair runs,
 * the person tests the codes at the keypad, and the report says the codes
 * were noted by the person, not verified. */
START_TEST(note_which_user_codes_are_stored_and_their_slot_numbers)
{
    lkr_sim_config cfg;
    lkr_sim *sim = NULL;
    lkr_session_config sc;
    lkr_transport t;
    lkr_profile p;
    lkr_observations o;
    lkr_session *s = NULL;
    lkr_action a = LKR_ACTION_INIT;
    char buf[16384];
    size_t need = 0;
    uint32_t i, noted_blocks = 0;
    int ex = -1, vf = -1;

    config(&cfg, LKR_PROTOCOL_ZWAVE, LKR_CAUSE_HUB_SESSION_MISMATCH, 3);
    cfg.ecosystems = 0;
    cfg.flags = LKR_SIM_F_PROBE; /* no code callbacks, no host steps: a person does it all */
    cfg.repair_erases_codes = LKR_UNKNOWN;
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &sim), LKR_OK);
    ck_assert_int_eq(lkr_sim_transport(sim, &t), LKR_OK);
    ck_assert_int_eq(lkr_sim_profile(sim, &p), LKR_OK);
    ck_assert_int_eq(lkr_sim_observations(sim, &o), LKR_OK);
    lkr_session_config_init(&sc);
    sc.profile = &p;
    sc.observations = &o;
    ck_assert_int_eq(lkr_session_new(&sc, &t, &s), LKR_OK);
    for (i = 0; i < 2000; i++) {
        ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
        if (lkr_action_is_final(&a)) break;
        if (a.kind == LKR_ACTION_BLOCKED &&
            (a.unmet_guards & (LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE) | LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP))))
            noted_blocks++;
        ck_assert_int_eq(lkr_sim_respond(sim, s, &a), LKR_OK);
    }
    ck_assert_uint_eq(a.kind, LKR_ACTION_RECOVERED);
    ck_assert_uint_ge(noted_blocks, 1); /* the re-pair waited for the notes */
    ck_assert(hs_status(s).guards_held & LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED));
    for (i = 0; i < s->hist_count; i++) {
        if (s->hist[i].step == LKR_STEP_ZWAVE_EXCLUDE_REINCLUDE) ex = (int)i;
        if (s->hist[i].step == LKR_STEP_REPAIR_VERIFY_CODES || s->hist[i].step == LKR_STEP_RESET_RESTORE_AFTER_RESET)
            vf = (int)i;
    }
    ck_assert_int_ge(ex, 0);
    ck_assert_int_eq(lkr_session_report_json(s, buf, sizeof(buf), &need), LKR_OK);
    ck_assert_ptr_nonnull(strstr(buf, "\"evidence\":\"person_noted\""));
    ck_assert_int_eq(lkr_session_report_text(s, buf, sizeof(buf), &need), LKR_OK);
    ck_assert_ptr_nonnull(strstr(buf, "noted by the person"));
    (void)vf;
    lkr_session_free(s);
    lkr_sim_free(sim);
}
END_TEST

/* DESIGN.md section 6: "A host with a code reader can never fall back to a
 * lower level." Notes confirmed on a session whose transport reads codes
 * satisfy no code guard: the vault must verify a backup. */
START_TEST(a_host_with_a_code_reader_never_falls_back_to_notes)
{
    lkr_sim_config cfg;
    lkr_sim *sim = NULL;
    lkr_session_config sc;
    lkr_transport t;
    lkr_profile p;
    lkr_observations o;
    lkr_session *s = NULL;
    lkr_vault *v = NULL;
    uint32_t held;

    config(&cfg, LKR_PROTOCOL_ZWAVE, LKR_CAUSE_HUB_SESSION_MISMATCH, 1);
    cfg.repair_erases_codes = LKR_UNKNOWN;
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &sim), LKR_OK);
    ck_assert_int_eq(lkr_sim_transport(sim, &t), LKR_OK);
    ck_assert_int_eq(lkr_sim_profile(sim, &p), LKR_OK);
    ck_assert_int_eq(lkr_sim_observations(sim, &o), LKR_OK);
    lkr_session_config_init(&sc);
    sc.profile = &p;
    sc.observations = &o;
    ck_assert_int_eq(lkr_session_new(&sc, &t, &s), LKR_OK);
    ck_assert_int_eq(lkr_vault_new(NULL, &v), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(s, v), LKR_OK);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_CODES_NOTED, 1), LKR_OK);
    held = hs_status(s).guards_held;
    ck_assert(!(held & LKR_GUARD_BIT(LKR_GUARD_CODES_NOTED)));
    ck_assert(!(held & LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP)));
    ck_assert(!(held & LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE)));
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(sim);
}
END_TEST


/* S3: "the deadbolt might jam, preventing the lock from engaging or
 * disengaging properly, even with a correct code"; S1: weak batteries. The
 * keypad beeps, the code does not move the bolt, the app has no response:
 * the code path, with a bolt that binds and the batteries ranked above the
 * app's stale state. */
START_TEST(the_deadbolt_can_jam_even_with_a_correct_code)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = hs_obs();
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    double jam = 0, bat = 0, stale = 0;
    uint32_t i;
    o.keypad_lights = LKR_YES;
    o.keypad_accepts_codes = LKR_NO;
    o.app_status = LKR_APP_NO_RESPONSE;
    ck_assert_int_eq(lkr_classify(&p, &o, &d), LKR_OK);
    ck_assert_uint_eq(d.symptom, LKR_SYMPTOM_ALL_CODES_REJECTED);
    for (i = 0; i < d.cause_count; i++) {
        if (d.causes[i].cause == LKR_CAUSE_DOOR_MISALIGNMENT) jam = d.causes[i].p;
        if (d.causes[i].cause == LKR_CAUSE_BATTERIES_DEPLETED) bat = d.causes[i].p;
        if (d.causes[i].cause == LKR_CAUSE_APP_STALE_STATE) stale = d.causes[i].p;
    }
    ck_assert_msg(jam > 0.05 && bat > 0.20, "misalignment %.3f, batteries %.3f", jam, bat);
    ck_assert(jam > stale && bat > stale);
}
END_TEST

static Suite *order_suite(void)
{
    Suite *s = suite_create("order");
    TCase *data = tcase_create("data"), *rule = tcase_create("rule"), *cases = tcase_create("cases");
    tcase_add_test(data, how_destructive_each_step_is_agrees_with_what_it_destroys);
    suite_add_tcase(s, data);
    tcase_set_timeout(rule, 120);
    tcase_add_loop_test(rule, none_of_them_erase_stored_access_codes_and_come_first, 0, LKR_PROTOCOL_MAX);
    tcase_add_test(rule, work_through_the_escalation_steps_in_order);
    suite_add_tcase(s, rule);
    tcase_set_timeout(cases, 120);
    tcase_add_loop_test(cases, no_factory_reset_for_what_a_reset_cannot_fix, 0, LKR_PROTOCOL_MAX);
    tcase_add_loop_test(cases, the_hub_itself_offline_is_fixed_at_the_hub, 0, 4);
    tcase_add_loop_test(cases, try_a_second_phone_on_every_protocol, 0, LKR_PROTOCOL_MAX);
    tcase_add_loop_test(cases, replace_batteries_with_fresh_alkaline_cells_before_the_pull, 0, LKR_PROTOCOL_MAX);
    tcase_add_test(cases, note_which_user_codes_are_stored_and_their_slot_numbers);
    tcase_add_test(cases, a_host_with_a_code_reader_never_falls_back_to_notes);
    tcase_add_test(cases, the_deadbolt_can_jam_even_with_a_correct_code);
    suite_add_tcase(s, cases);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(order_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
