/*
 * Data safety: each way a code could be lost or leaked, driven end to end,
 * must stay closed.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static lkr_sim *sim_for(uint32_t protocol, uint32_t cause, uint64_t seed)
{
    lkr_sim_config cfg;
    lkr_sim *s = NULL;
    lkr_sim_config_init(&cfg);
    cfg.protocol = protocol;
    cfg.causes[0] = cause;
    cfg.cause_count = 1;
    cfg.seed = seed;
    cfg.code_count = 8;
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &s), LKR_OK);
    return s;
}

static lkr_session *session_on(lkr_sim *sim, lkr_transport *t)
{
    lkr_session_config c;
    lkr_profile p;
    lkr_observations o;
    lkr_session *s = NULL;
    ck_assert_int_eq(lkr_sim_transport(sim, t), LKR_OK);
    ck_assert_int_eq(lkr_sim_profile(sim, &p), LKR_OK);
    ck_assert_int_eq(lkr_sim_observations(sim, &o), LKR_OK);
    lkr_session_config_init(&c);
    c.profile = &p;
    c.observations = &o;
    ck_assert_int_eq(lkr_session_new(&c, t, &s), LKR_OK);
    return s;
}

/* A wrapper transport: the simulator's, but code reads fail after `reads_ok`. */
typedef struct failing_reads {
    lkr_transport inner;
    unsigned reads, reads_ok;
} failing_reads;

static lkr_status fr_read(void *ctx, lkr_code *codes, uint32_t cap, lkr_code_readout *info)
{
    failing_reads *f = (failing_reads *)ctx;
    if (f->reads++ >= f->reads_ok) {
        return LKR_E_TRANSPORT;
    }
    return f->inner.read_codes(f->inner.ctx, codes, cap, info);
}

static uint64_t fr_now(void *ctx)
{
    failing_reads *f = (failing_reads *)ctx;
    return f->inner.now_ms(f->inner.ctx);
}

static lkr_status fr_probe(void *ctx, lkr_probe_result *r)
{
    failing_reads *f = (failing_reads *)ctx;
    return f->inner.probe(f->inner.ctx, r);
}

static lkr_status fr_write(void *ctx, const lkr_code *c)
{
    failing_reads *f = (failing_reads *)ctx;
    return f->inner.write_code(f->inner.ctx, c);
}

/* A: codes a re-pair erased, which can no longer be read back after it:
 * never "recovered". */
START_TEST(unchecked_codes_are_never_recovered)
{
    lkr_sim_config cfg;
    lkr_sim *sim;
    failing_reads f;
    lkr_transport t;
    lkr_session_config c;
    lkr_profile p;
    lkr_observations o;
    lkr_session *s;
    lkr_vault *v;
    lkr_action a = LKR_ACTION_INIT;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    lkr_sim_stats st = LKR_SIM_STATS_INIT;
    int n;
    lkr_sim_config_init(&cfg);
    cfg.protocol = LKR_PROTOCOL_BLE;
    cfg.causes[0] = LKR_CAUSE_HUB_SESSION_MISMATCH; /* only the re-pair fixes it */
    cfg.cause_count = 1;
    cfg.seed = 21;
    cfg.repair_erases_codes = LKR_YES;
    cfg.flags = LKR_SIM_F_PROBE | LKR_SIM_F_CODES; /* a person does the steps */
    ck_assert_int_eq(lkr_sim_new(&cfg, NULL, &sim), LKR_OK);
    memset(&f, 0, sizeof(f));
    ck_assert_int_eq(lkr_sim_transport(sim, &f.inner), LKR_OK);
    f.reads_ok = 2; /* the backup's two reads, and no more */
    lkr_transport_init(&t);
    t.ctx = &f;
    t.now_ms = fr_now;
    t.probe = fr_probe;
    t.read_codes = fr_read;
    t.write_code = fr_write;
    ck_assert_int_eq(lkr_sim_profile(sim, &p), LKR_OK);
    ck_assert_int_eq(lkr_sim_observations(sim, &o), LKR_OK);
    lkr_session_config_init(&c);
    c.profile = &p;
    c.observations = &o;
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_OK);
    ck_assert_int_eq(lkr_vault_new(NULL, &v), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(s, v), LKR_OK);
    for (n = 0; n < 600; n++) {
        ck_assert_int_eq(lkr_session_next(s, &a), LKR_OK);
        if (lkr_action_is_final(&a)) break;
        ck_assert_int_eq(lkr_sim_respond(sim, s, &a), LKR_OK);
    }
    ck_assert_int_eq(lkr_sim_stats_get(sim, &st), LKR_OK);
    ck_assert_uint_lt(st.codes_now, st.codes_before); /* the re-pair erased them */
    ck_assert(lkr_action_is_final(&a));
    ck_assert_uint_eq(a.kind, LKR_ACTION_NEEDS_SUPPORT);
    ck_assert(a.detail & (LKR_SUPPORT_CODES_UNVERIFIED | LKR_SUPPORT_CODES_MISSING));
    ck_assert_int_eq(lkr_session_status(s, &info), LKR_OK);
    ck_assert_uint_gt(info.codes_missing, 0);
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(sim);
}
END_TEST

/* B: a verified vault from elsewhere (imported, or backed up outside this
 * session) never satisfies the session's backup guard. */
START_TEST(foreign_vault_does_not_unlock_the_reset)
{
    lkr_sim *other = sim_for(LKR_PROTOCOL_WIFI, LKR_CAUSE_HARDWARE_FAILURE, 11);
    lkr_sim *sim = sim_for(LKR_PROTOCOL_WIFI, LKR_CAUSE_HARDWARE_FAILURE, 12);
    lkr_transport to, t;
    lkr_vault *v;
    lkr_session *s;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    ck_assert_int_eq(lkr_sim_transport(other, &to), LKR_OK);
    ck_assert_int_eq(lkr_vault_new(NULL, &v), LKR_OK);
    ck_assert_int_eq(lkr_vault_backup(v, &to), LKR_OK); /* another lock's codes, verified */
    s = session_on(sim, &t);
    ck_assert_int_eq(lkr_session_attach_vault(s, v), LKR_OK);
    ck_assert_int_eq(lkr_session_status(s, &info), LKR_OK);
    ck_assert_uint_eq(info.backup_verified, 0);
    ck_assert(!(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP)));
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(sim);
    lkr_sim_free(other);
}
END_TEST

/* C: the internal test hook is never saved. */
START_TEST(test_hook_is_not_saved)
{
    lkr_sim *sim = sim_for(LKR_PROTOCOL_ZWAVE, LKR_CAUSE_HUB_SESSION_MISMATCH, 2);
    lkr_transport t;
    lkr_session *s = session_on(sim, &t), *l = NULL;
    lkr_session_config c;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    unsigned char blob[LKR_SESSION_BLOB_MAX];
    size_t n;
    lkr__session_set_backup_verified(s, 1);
    ck_assert_int_eq(lkr_session_save(s, blob, sizeof(blob), &n), LKR_OK);
    lkr_session_config_init(&c);
    ck_assert_int_eq(lkr_session_load(&c, &t, blob, n, &l), LKR_OK);
    ck_assert_int_eq(lkr_session_status(l, &info), LKR_OK);
    ck_assert_uint_eq(info.backup_verified, 0);
    lkr_session_free(l);
    lkr_session_free(s);
    lkr_sim_free(sim);
}
END_TEST

static lkr_status no_pin_reader(void *ctx, lkr_code *codes, uint32_t cap, lkr_code_readout *info)
{
    (void)ctx;
    (void)cap;
    lkr_code_init(&codes[0]);
    codes[0].slot = 1;
    codes[0].kind = LKR_CODE_USER;
    info->count = 1;
    info->total = 1;
    info->pins_readable = 1; /* says it reads PINs ... */
    return LKR_OK;           /* ... and gives none */
}

static uint64_t zero_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

/* D: a lock that claims readable PINs must give every one. */
START_TEST(readable_lock_without_pins_is_refused)
{
    lkr_transport t;
    lkr_vault *v;
    lkr_vault_info info = LKR_VAULT_INFO_INIT;
    lkr_transport_init(&t);
    t.now_ms = zero_clock;
    t.read_codes = no_pin_reader;
    ck_assert_int_eq(lkr_vault_new(NULL, &v), LKR_OK);
    ck_assert_int_eq(lkr_vault_backup(v, &t), LKR_E_PROTOCOL);
    ck_assert_int_eq(lkr_vault_status(v, &info), LKR_OK);
    ck_assert_uint_eq(info.verified, 0);
    lkr_vault_free(v);
}
END_TEST

/* A PIN hidden in host text is withheld whole, never partly masked. */
START_TEST(host_text_with_a_pin_is_withheld_whole)
{
    lkr_sim *sim = sim_for(LKR_PROTOCOL_ZWAVE, LKR_CAUSE_HUB_SESSION_MISMATCH, 5);
    lkr_transport t;
    lkr_code codes[LKR_VAULT_MAX_CODES];
    lkr_code_readout ro;
    lkr_session_config c;
    lkr_profile p;
    lkr_observations o;
    lkr_session *s;
    lkr_vault *v;
    char json[16384], pin[LKR_PIN_MAX];
    size_t n;
    ck_assert_int_eq(lkr_sim_transport(sim, &t), LKR_OK);
    memset(&ro, 0, sizeof(ro));
    ro.struct_size = sizeof(ro);
    ck_assert_int_eq(t.read_codes(t.ctx, codes, LKR_VAULT_MAX_CODES, &ro), LKR_OK);
    memcpy(pin, codes[2].pin, sizeof(pin));
    ck_assert_int_eq(lkr_sim_profile(sim, &p), LKR_OK);
    ck_assert_int_eq(lkr_sim_observations(sim, &o), LKR_OK);
    snprintf(p.serial, sizeof(p.serial), "SN0%s77", pin);
    lkr_session_config_init(&c);
    c.profile = &p;
    c.observations = &o;
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_OK);
    ck_assert_int_eq(lkr_vault_new(NULL, &v), LKR_OK);
    ck_assert_int_eq(lkr_vault_backup(v, &t), LKR_OK);
    ck_assert_int_eq(lkr_session_attach_vault(s, v), LKR_OK);
    ck_assert_int_eq(lkr_session_report_json(s, json, sizeof(json), &n), LKR_OK);
    ck_assert_ptr_null(strstr(json, pin));
    ck_assert_ptr_null(strstr(json, "SN0"));
    ck_assert_ptr_nonnull(strstr(json, "withheld"));
    ck_assert_int_eq(lkr_session_report_text(s, json, sizeof(json), &n), LKR_OK);
    ck_assert_ptr_null(strstr(json, pin));
    lkr_session_free(s);
    lkr_vault_free(v);
    lkr_sim_free(sim);
}
END_TEST

/* Host text that is not valid UTF-8 becomes '?': surrogates, overlong forms,
 * code points above U+10FFFF; and no control character survives the text
 * report's one-fact-a-line layout. */
START_TEST(report_text_is_valid_utf8)
{
    static const char *const bad[] = {"\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80", "\xFF", "a\xE2\x82"};
    lkr_profile p;
    lkr_session_config c;
    lkr_transport t;
    lkr_session *s;
    char out[16384];
    size_t n, k;
    for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
        lkr_profile_init(&p);
        p.protocol = LKR_PROTOCOL_BLE;
        snprintf(p.model, sizeof(p.model), "M%sX", bad[k]);
        snprintf(p.serial, sizeof(p.serial), "line\nforged: yes");
        lkr_session_config_init(&c);
        c.profile = &p;
        lkr_transport_init(&t);
        t.now_ms = zero_clock;
        ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_OK);
        ck_assert_int_eq(lkr_session_report_json(s, out, sizeof(out), &n), LKR_OK);
        ck_assert_ptr_nonnull(strstr(out, "?X\","));
        ck_assert_ptr_null(strstr(out, bad[k]));
        ck_assert_int_eq(lkr_session_report_text(s, out, sizeof(out), &n), LKR_OK);
        ck_assert_ptr_null(strstr(out, "\nforged"));
        lkr_session_free(s);
    }
}
END_TEST

/* A valid multi-byte sequence passes through untouched. */
START_TEST(report_keeps_valid_utf8)
{
    lkr_profile p;
    lkr_session_config c;
    lkr_transport t;
    lkr_session *s;
    char out[16384];
    size_t n;
    lkr_profile_init(&p);
    p.protocol = LKR_PROTOCOL_BLE;
    snprintf(p.manufacturer, sizeof(p.manufacturer), "S\xC3\xA9""curit\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x92");
    lkr_session_config_init(&c);
    c.profile = &p;
    lkr_transport_init(&t);
    t.now_ms = zero_clock;
    ck_assert_int_eq(lkr_session_new(&c, &t, &s), LKR_OK);
    ck_assert_int_eq(lkr_session_report_json(s, out, sizeof(out), &n), LKR_OK);
    ck_assert_ptr_nonnull(strstr(out, "S\xC3\xA9""curit\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x92"));
    lkr_session_free(s);
}
END_TEST

static Suite *safety_suite(void)
{
    Suite *s = suite_create("safety");
    TCase *tc = tcase_create("review");
    tcase_add_test(tc, unchecked_codes_are_never_recovered);
    tcase_add_test(tc, foreign_vault_does_not_unlock_the_reset);
    tcase_add_test(tc, test_hook_is_not_saved);
    tcase_add_test(tc, readable_lock_without_pins_is_refused);
    tcase_add_test(tc, host_text_with_a_pin_is_withheld_whole);
    tcase_add_test(tc, report_text_is_valid_utf8);
    tcase_add_test(tc, report_keeps_valid_utf8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(safety_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
