/*
 * The lock simulator: deterministic for a seed, safe under every protocol and
 * cause (no unsafe step, no code lost), its misbehaving-lock modes caught by
 * the engine and the vault, a fleet smoke run, and bad input.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "lockrecover/lockrecover.h"

static lkr_sim *make(uint32_t protocol, uint32_t cause, uint64_t seed, uint32_t flags)
{
    lkr_sim_config cfg;
    lkr_sim *s = NULL;
    lkr_sim_config_init(&cfg);
    cfg.protocol = protocol;
    cfg.causes[0] = cause;
    cfg.cause_count = 1;
    cfg.seed = seed;
    cfg.flags |= flags;
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_OK);
    return s;
}

static lkr_sim_result run(lkr_sim *s)
{
    lkr_sim_result r = LKR_SIM_RESULT_INIT;
    ck_assert_int_eq(lkr_sim_run(s, NULL, 0, &r), LKR_OK);
    return r;
}

static int possible(uint32_t protocol, uint32_t cause)
{
    lkr_cause_info ci = LKR_CAUSE_INFO_INIT;
    ck_assert_int_eq(lkr_cause_get(cause, &ci), LKR_OK);
    return (ci.protocols & LKR_PROTOCOL_BIT(protocol)) != 0;
}

START_TEST(same_seed_same_run)
{
    uint32_t p = (uint32_t)_i + 1, c;
    for (c = 1; c <= lkr_cause_count(); c++) {
        lkr_sim *a, *b;
        lkr_sim_result ra, rb;
        if (!possible(p, c)) continue;
        a = make(p, c, 42, 0);
        b = make(p, c, 42, 0);
        ra = run(a);
        rb = run(b);
        ck_assert(memcmp(&ra, &rb, sizeof(ra)) == 0);
        lkr_sim_free(a);
        lkr_sim_free(b);
    }
}
END_TEST

/* Every protocol, every cause it can have, many seeds: never an unsafe step,
 * never a code lost, always a final state; the fixable faults mostly recover. */
START_TEST(every_protocol_and_cause_is_safe)
{
    uint32_t p = (uint32_t)_i + 1, c;
    for (c = 1; c <= lkr_cause_count(); c++) {
        uint64_t seed;
        uint32_t recovered = 0, runs = 0;
        if (!possible(p, c)) continue;
        for (seed = 1; seed <= 25; seed++) {
            lkr_sim *s = make(p, c, seed, 0);
            lkr_sim_result r = run(s);
            ck_assert_msg(r.final_kind == LKR_ACTION_RECOVERED || r.final_kind == LKR_ACTION_NEEDS_SUPPORT,
                          "protocol %u cause %u seed %u: kind %u", p, c, (unsigned)seed, r.final_kind);
            ck_assert_uint_eq(r.stats.unsafe_steps, 0);
            ck_assert_uint_eq(r.stats.codes_lost, 0);
            if (r.final_kind == LKR_ACTION_RECOVERED) {
                recovered++;
                ck_assert_uint_eq(r.stats.faults_left, 0);
            }
            runs++;
            lkr_sim_free(s);
        }
        if (c == LKR_CAUSE_HARDWARE_FAILURE) {
            ck_assert_uint_eq(recovered, 0);
        } else if (c != LKR_CAUSE_KEYPAD_DAMAGE && c != LKR_CAUSE_DOOR_MISALIGNMENT) {
            /* Mechanical faults may rightly end with a locksmith. */
            ck_assert_msg(recovered * 2 > runs, "protocol %u cause %u recovered only %u of %u", p, c,
                          recovered, runs);
        }
    }
}
END_TEST

/* A factory reset really erases the lock's codes; the vault brings them back. */
START_TEST(reset_erases_and_vault_restores)
{
    lkr_sim *s = make(LKR_PROTOCOL_ZWAVE, LKR_CAUSE_HUB_SESSION_MISMATCH, 3, 0);
    lkr_sim_config cfg;
    lkr_sim_result r;
    uint64_t seed;
    int saw_reset = 0;
    lkr_sim_free(s);
    /* Many seeds: some need the factory reset before the hub session comes back. */
    for (seed = 1; seed <= 60 && !saw_reset; seed++) {
        lkr_sim_config_init(&cfg);
        cfg.protocol = LKR_PROTOCOL_WIFI;
        cfg.causes[0] = LKR_CAUSE_WIFI_STACK_CRASH;
        cfg.cause_count = 1;
        cfg.seed = seed;
        cfg.code_count = 8;
        ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_OK);
        r = run(s);
        if (r.stats.destructive_acts > 0) {
            saw_reset = 1;
            ck_assert_uint_eq(r.stats.codes_before, 8);
            ck_assert_uint_eq(r.stats.codes_now, 8);
            ck_assert_uint_eq(r.stats.codes_lost, 0);
        }
        lkr_sim_free(s);
    }
    ck_assert(saw_reset);
}
END_TEST

/* A lock that silently drops a code on restore: never "recovered". */
START_TEST(dropped_code_is_never_recovered)
{
    uint64_t seed;
    int saw = 0;
    for (seed = 1; seed <= 80 && !saw; seed++) {
        lkr_sim_config cfg;
        lkr_sim *s;
        lkr_sim_result r;
        lkr_sim_config_init(&cfg);
        cfg.protocol = LKR_PROTOCOL_BLE;
        cfg.causes[0] = LKR_CAUSE_HUB_SESSION_MISMATCH; /* only a re-pair fixes it here */
        cfg.cause_count = 1;
        cfg.seed = seed;
        cfg.repair_erases_codes = LKR_YES; /* the re-pair erases codes: a restore is needed */
        cfg.flags |= LKR_SIM_F_DROP_ON_RESTORE;
        ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_OK);
        r = run(s);
        ck_assert_uint_eq(r.stats.unsafe_steps, 0);
        if (r.stats.codes_lost > 0) {
            saw = 1;
            ck_assert_uint_eq(r.final_kind, LKR_ACTION_NEEDS_SUPPORT);
        }
        lkr_sim_free(s);
    }
    ck_assert(saw);
}
END_TEST

/* Flaky reads: the backup is refused, so nothing that could erase codes runs. */
START_TEST(flaky_reads_keep_destructive_steps_away)
{
    uint64_t seed;
    for (seed = 1; seed <= 20; seed++) {
        lkr_sim_config cfg;
        lkr_sim *s;
        lkr_sim_result r;
        lkr_sim_config_init(&cfg);
        cfg.protocol = LKR_PROTOCOL_WIFI;
        cfg.causes[0] = LKR_CAUSE_HARDWARE_FAILURE;
        cfg.cause_count = 1;
        cfg.seed = seed;
        cfg.flags |= LKR_SIM_F_FLAKY_READ;
        ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_OK);
        r = run(s);
        ck_assert_uint_eq(r.final_kind, LKR_ACTION_NEEDS_SUPPORT);
        ck_assert_uint_eq(r.stats.codes_lost, 0);
        ck_assert_uint_eq(r.stats.codes_now, r.stats.codes_before);
        lkr_sim_free(s);
    }
}
END_TEST

/* Matter cannot read PINs: write-through capture lets the reset run safely. */
START_TEST(matter_write_through_capture)
{
    uint64_t seed;
    uint32_t resets = 0;
    for (seed = 1; seed <= 40; seed++) {
        lkr_sim *s = make(LKR_PROTOCOL_MATTER, LKR_CAUSE_HUB_SESSION_MISMATCH, seed, 0);
        lkr_sim_result r = run(s);
        resets += r.stats.destructive_acts;
        ck_assert_uint_eq(r.stats.codes_lost, 0);
        ck_assert_uint_eq(r.stats.unsafe_steps, 0);
        lkr_sim_free(s);
    }
    ck_assert_uint_gt(resets, 0);
}
END_TEST

/* A person who confirms nothing: no destructive step ever runs. */
START_TEST(refusing_person_means_no_destruction)
{
    uint32_t p;
    for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
        lkr_sim *s = make(p, LKR_CAUSE_HARDWARE_FAILURE, 9, LKR_SIM_F_PERSON_REFUSES);
        lkr_sim_result r = run(s);
        ck_assert_uint_eq(r.final_kind, LKR_ACTION_NEEDS_SUPPORT);
        ck_assert_uint_eq(r.stats.codes_lost, 0);
        ck_assert_uint_eq(r.stats.codes_now, r.stats.codes_before);
        lkr_sim_free(s);
    }
}
END_TEST

/* Partial facts: the session asks, the simulated person answers. */
START_TEST(partial_facts_are_asked_for)
{
    lkr_sim *s = make(LKR_PROTOCOL_ZIGBEE, LKR_CAUSE_HUB_OFFLINE, 5, LKR_SIM_F_PARTIAL_FACTS);
    lkr_observations o;
    lkr_sim_result r;
    ck_assert_int_eq(lkr_sim_observations(s, &o), LKR_OK);
    ck_assert_uint_eq(o.hub_online, LKR_UNKNOWN);
    r = run(s);
    ck_assert_uint_eq(r.final_kind, LKR_ACTION_RECOVERED);
    lkr_sim_free(s);
}
END_TEST

/* The transport is a faithful lock: a probe says unreachable until fixed. */
START_TEST(transport_behaves_like_the_lock)
{
    lkr_sim *s = make(LKR_PROTOCOL_ZWAVE, LKR_CAUSE_ZWAVE_DEEP_SLEEP, 1, 0);
    lkr_transport t;
    lkr_probe_result pr;
    lkr_code codes[LKR_VAULT_MAX_CODES];
    lkr_code_readout info;
    lkr_profile prof;
    uint64_t t0;
    ck_assert_int_eq(lkr_sim_transport(s, &t), LKR_OK);
    ck_assert_ptr_nonnull(t.now_ms);
    ck_assert_ptr_nonnull(t.probe);
    memset(&pr, 0, sizeof(pr));
    pr.struct_size = sizeof(pr);
    ck_assert_int_eq(t.probe(t.ctx, &pr), LKR_OK);
    ck_assert_uint_eq(pr.reachable, LKR_NO);
    ck_assert_int_eq(pr.battery_pct, 40);
    memset(&info, 0, sizeof(info));
    info.struct_size = sizeof(info);
    ck_assert_int_eq(t.read_codes(t.ctx, codes, LKR_VAULT_MAX_CODES, &info), LKR_OK);
    ck_assert_uint_eq(info.count, 5);
    ck_assert_uint_eq(info.has_checksum, 1); /* Z-Wave's user-code checksum */
    ck_assert_uint_eq(codes[0].kind, LKR_CODE_ADMIN);
    ck_assert_int_eq(lkr_sim_profile(s, &prof), LKR_OK);
    ck_assert_int_eq(lkr_profile_validate(&prof), LKR_OK);
    t0 = t.now_ms(t.ctx);
    ck_assert_int_eq(t.run_step(t.ctx, LKR_STEP_ZWAVE_RESTART_HUB), LKR_OK);
    ck_assert(t.now_ms(t.ctx) == t0 + 30000u); /* the host did the 30 s unplug */
    ck_assert_int_eq(t.run_step(t.ctx, LKR_STEP_UNIVERSAL_BATTERY_PULL), LKR_E_UNSUPPORTED);
    lkr_sim_free(s);
}
END_TEST

/* The fleet smoke run of the benchmark issue: 10,000 mixed recoveries,
 * no unsafe step, no code lost. */
START_TEST(fleet_smoke_ten_thousand)
{
    uint32_t i, unsafe = 0, lost = 0, finals = 0;
    uint64_t seed = 0x1234567u;
    for (i = 0; i < 10000; i++) {
        uint32_t p, c;
        lkr_sim *s;
        lkr_sim_result r;
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        p = (uint32_t)(seed >> 33) % LKR_PROTOCOL_MAX + 1;
        do {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            c = (uint32_t)(seed >> 33) % lkr_cause_count() + 1;
        } while (!possible(p, c));
        s = make(p, c, seed, 0);
        r = run(s);
        unsafe += r.stats.unsafe_steps;
        lost += r.stats.codes_lost;
        finals += r.final_kind == LKR_ACTION_RECOVERED || r.final_kind == LKR_ACTION_NEEDS_SUPPORT;
        lkr_sim_free(s);
    }
    ck_assert_uint_eq(unsafe, 0);
    ck_assert_uint_eq(lost, 0);
    ck_assert_uint_eq(finals, 10000);
}
END_TEST

START_TEST(bad_input)
{
    lkr_sim_config cfg;
    lkr_sim *s = NULL;
    lkr_sim_result r = LKR_SIM_RESULT_INIT;
    lkr_transport t;
    lkr_action a = LKR_ACTION_INIT;
    lkr_sim_config_init(NULL);
    lkr_sim_free(NULL);
    lkr_sim_config_init(&cfg);
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_E_INVAL); /* no protocol, no cause */
    cfg.protocol = LKR_PROTOCOL_WIFI;
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_E_INVAL); /* no cause */
    cfg.cause_count = 1;
    cfg.causes[0] = 99;
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_E_RANGE);
    cfg.causes[0] = LKR_CAUSE_ZWAVE_DEEP_SLEEP; /* not on Wi-Fi */
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_E_INVAL);
    cfg.causes[0] = LKR_CAUSE_WIFI_STACK_CRASH;
    cfg.cause_count = 2;
    cfg.causes[1] = LKR_CAUSE_WIFI_STACK_CRASH; /* twice */
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_E_INVAL);
    cfg.cause_count = 5;
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_E_INVAL);
    cfg.cause_count = 1;
    cfg.code_count = 65;
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_E_INVAL);
    cfg.code_count = 5;
    cfg.battery_pct = 101;
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_E_INVAL);
    cfg.battery_pct = LKR_NUM_UNKNOWN;
    cfg.struct_size = 8;
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_E_INVAL);
    ck_assert_ptr_null(s);
    cfg.struct_size = sizeof(cfg);
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_new(NULL, NULL, &s), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_OK);
    ck_assert_int_eq(lkr_sim_transport(NULL, &t), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_transport(s, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_run(s, NULL, 0, NULL), LKR_E_INVAL);
    r.struct_size = 4;
    ck_assert_int_eq(lkr_sim_run(s, NULL, 0, &r), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_respond(s, NULL, &a), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_stats_get(s, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_profile(NULL, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_sim_observations(s, NULL), LKR_E_INVAL);
    lkr_sim_free(s);
}
END_TEST

static Suite *sim_suite(void)
{
    Suite *s = suite_create("sim");
    TCase *tc = tcase_create("sim");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, same_seed_same_run, 0, LKR_PROTOCOL_MAX);
    tcase_add_loop_test(tc, every_protocol_and_cause_is_safe, 0, LKR_PROTOCOL_MAX);
    tcase_add_test(tc, reset_erases_and_vault_restores);
    tcase_add_test(tc, dropped_code_is_never_recovered);
    tcase_add_test(tc, flaky_reads_keep_destructive_steps_away);
    tcase_add_test(tc, matter_write_through_capture);
    tcase_add_test(tc, refusing_person_means_no_destruction);
    tcase_add_test(tc, partial_facts_are_asked_for);
    tcase_add_test(tc, transport_behaves_like_the_lock);
    tcase_add_test(tc, fleet_smoke_ten_thousand);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sim_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
