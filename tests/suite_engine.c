/*
 * The engine's rules, one by one (docs/ENGINE.md): sessions and their bad
 * input, the questions, the choice formula, guards, the step lifecycle and
 * its waits on the host clock, host steps and their failures, verification,
 * beliefs, support reasons, waivers, abort, prompts, allocation, preflight.
 * The scripted host and the invariant-checking driver are in host_script.h.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "host_script.h"

static lkr_observations local_ok_obs(void)
{
    lkr_observations o = hs_obs();
    o.keypad_lights = LKR_YES;
    o.app_status = LKR_APP_OFFLINE;
    o.update_state = LKR_UPDATE_REPORTED_OK;
    return o;
}

static lkr_observations silent_obs(void)
{
    lkr_observations o = local_ok_obs();
    o.keypad_lights = LKR_NO;
    return o;
}

static lkr_observations no_response_obs(void)
{
    lkr_observations o = local_ok_obs();
    o.app_status = LKR_APP_NO_RESPONSE;
    return o;
}

static lkr_observations stalled_obs(void)
{
    lkr_observations o = local_ok_obs();
    o.update_state = LKR_UPDATE_IN_PROGRESS;
    o.update_stalled_min = 15;
    snprintf(o.fw_before, sizeof(o.fw_before), "%s", "1.0");
    snprintf(o.fw_target, sizeof(o.fw_target), "%s", "2.0");
    return o;
}

/* Drives with @p pol until @p step is offered (to a person, or pending on the host). */
static lkr_action drive_to_step(lkr_session *s, hs_host *h, hs_policy *pol, hs_trace *t,
                                uint32_t step)
{
    pol->stop_at_step = step;
    hs_drive(s, h, pol, t, 2000);
    pol->stop_at_step = 0;
    ck_assert_msg(t->last.step == step && !lkr_action_is_final(&t->last),
                  "did not reach %s (last kind %u step %u)", hs_step(step).sid, t->last.kind,
                  t->last.step);
    return t->last;
}

static int history_outcome(const lkr_session *s, uint32_t step)
{
    int i = hs_history_find(s, step);
    return i < 0 ? -1 : (int)hs_history(s, (uint32_t)i).outcome;
}

/* ==== rule 16: sessions, allocation, bad configuration ====================== */

START_TEST(new_and_free_with_counting_allocator)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;

    hs_host_init(&h, 0);
    s = hs_new(&h, &p, &o, NULL, HS_F_ALL);
    ck_assert_uint_eq(h.n_alloc, 1);
    ck_assert_uint_eq(h.n_free, 0);
    ck_assert_uint_gt(h.live, 0);
    hs_free(&h, s);
    ck_assert_uint_eq(h.n_free, 1);
    lkr_session_free(NULL);
    lkr_session_config_init(NULL);
    lkr_transport_init(NULL);
}
END_TEST

START_TEST(new_rejects_bad_configuration)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_ZWAVE, 0, LKR_NO), bad = p;
    lkr_observations o = local_ok_obs(), badobs = o;
    lkr_overrides ov = LKR_OVERRIDES_INIT;
    lkr_weight cost = {9999, 5};
    lkr_session_config cfg;
    lkr_transport t;
    lkr_allocator shortalloc;
    hs_host h;
    lkr_session *const sentinel = (lkr_session *)(void *)&h;
    lkr_session *s = sentinel;

    hs_host_init(&h, 0);
    hs_transport(&h, &t, HS_F_ALL);
    lkr_session_config_init(&cfg);
    ck_assert_uint_eq(cfg.struct_size, sizeof(cfg));
    ck_assert_ptr_null(cfg.profile);
    cfg.profile = &p;
    cfg.observations = &o;
    cfg.allocator = &h.allocator;

    ck_assert_int_eq(lkr_session_new(NULL, &t, &s), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_new(&cfg, NULL, &s), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_new(&cfg, &t, NULL), LKR_E_INVAL);
    ck_assert_ptr_eq(s, sentinel);
    /* No profile. */
    cfg.profile = NULL;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_E_INVAL);
    cfg.profile = &p;
    /* Short structs. */
    cfg.struct_size = 4;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_E_INVAL);
    cfg.struct_size = (uint32_t)sizeof(cfg);
    t.struct_size = 4;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_E_INVAL);
    t.struct_size = (uint32_t)sizeof(t);
    shortalloc = h.allocator;
    shortalloc.struct_size = 4;
    cfg.allocator = &shortalloc;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_E_INVAL);
    cfg.allocator = &h.allocator;
    /* No clock. */
    t.now_ms = NULL;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_E_INVAL);
    hs_transport(&h, &t, HS_F_ALL);
    /* Invalid profile and observations. */
    bad.protocol = 0;
    cfg.profile = &bad;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_E_INVAL);
    bad = p;
    bad.protocol = LKR_PROTOCOL_MAX + 1;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_E_INVAL);
    cfg.profile = &p;
    badobs.app_status = 77;
    cfg.observations = &badobs;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_E_INVAL);
    cfg.observations = &o;
    /* An override naming an unknown step. */
    ov.cost_count = 1;
    ov.costs = &cost;
    cfg.overrides = &ov;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_E_RANGE);
    cfg.overrides = NULL;
    ck_assert_ptr_eq(s, sentinel);
    ck_assert_uint_eq(h.n_alloc, 0);

    /* The allocator fails: LKR_E_NOMEM, nothing leaked, *out untouched. */
    h.fail_alloc = 1;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_E_NOMEM);
    ck_assert_ptr_eq(s, sentinel);
    ck_assert_uint_eq(h.n_alloc, 0);
    ck_assert_uint_eq(h.live, 0);
    h.fail_alloc = 0;

    /* NULL observations: nothing known; NULL allocator: malloc. */
    cfg.observations = NULL;
    cfg.allocator = NULL;
    ck_assert_int_eq(lkr_session_new(&cfg, &t, &s), LKR_OK);
    ck_assert_ptr_ne(s, sentinel);
    ck_assert_uint_eq(h.n_alloc, 0);
    lkr_session_free(s);
}
END_TEST

START_TEST(bad_input_to_every_session_function)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = local_ok_obs(), bad = o;
    hs_host h;
    lkr_session *s;
    lkr_action a = LKR_ACTION_INIT;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    lkr_history_entry e = LKR_HISTORY_ENTRY_INIT;
    lkr_waiver w = LKR_WAIVER_INIT;
    lkr_probe_result r;
    uint32_t unmet = 0;
    lkr_preflight_input in = LKR_PREFLIGHT_INPUT_INIT;

    memset(&r, 0, sizeof(r));
    r.struct_size = (uint32_t)sizeof(r);
    /* NULL session everywhere. */
    ck_assert_int_eq(lkr_session_next(NULL, &a), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_report(NULL, 1, LKR_OUTCOME_DONE), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(NULL, 1, LKR_UNKNOWN), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_observe(NULL, &o), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_tick(NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_probe_done(NULL, LKR_OK, &r), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_confirm(NULL, LKR_GUARD_DOOR_OPEN, 1), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(NULL, LKR_WAIVE_TIER, LKR_TIER_REPAIR, "why"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_abort(NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_status(NULL, &info), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_beliefs(NULL, &d), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_history(NULL, 0, &e), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waiver(NULL, 0, &w), LKR_E_INVAL);
    ck_assert_int_eq(lkr_action_is_final(NULL), 0);
    ck_assert_int_eq(lkr_preflight(NULL, &in, &unmet), LKR_E_INVAL);
    ck_assert_int_eq(lkr_preflight(&p, NULL, &unmet), LKR_E_INVAL);
    ck_assert_int_eq(lkr_preflight(&p, &in, NULL), LKR_E_INVAL);
    in.struct_size = 4;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_INVAL);

    hs_host_init(&h, 0);
    s = hs_new(&h, &p, &o, NULL, HS_F_ALL);
    /* NULL and short out-structs. */
    ck_assert_int_eq(lkr_session_next(s, NULL), LKR_E_INVAL);
    a.struct_size = 8;
    ck_assert_int_eq(lkr_session_next(s, &a), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_status(s, NULL), LKR_E_INVAL);
    info.struct_size = 8;
    ck_assert_int_eq(lkr_session_status(s, &info), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_beliefs(s, NULL), LKR_E_INVAL);
    d.struct_size = 8;
    ck_assert_int_eq(lkr_session_beliefs(s, &d), LKR_E_INVAL);
    e.struct_size = 8;
    ck_assert_int_eq(lkr_session_history(s, 0, &e), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_history(s, 0, NULL), LKR_E_INVAL);
    w.struct_size = 8;
    ck_assert_int_eq(lkr_session_waiver(s, 0, &w), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waiver(s, 0, NULL), LKR_E_INVAL);
    /* Indexes past the end. */
    e.struct_size = (uint32_t)sizeof(e);
    w.struct_size = (uint32_t)sizeof(w);
    ck_assert_int_eq(lkr_session_history(s, 0, &e), LKR_E_RANGE);
    ck_assert_int_eq(lkr_session_waiver(s, 0, &w), LKR_E_RANGE);
    /* Out-of-range ids and enums. */
    ck_assert_int_eq(lkr_session_report(s, 1, LKR_OUTCOME_NONE), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_report(s, 1, LKR_OUTCOME_WAIVED), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_report(s, 1, LKR_OUTCOME_REFUTED), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_report(s, 1, LKR_OUTCOME_HANDED_OVER), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_report(s, 1, 10), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_report(s, 1, 0xFFFFFFFFu), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(s, 0, LKR_UNKNOWN), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(s, LKR_QUESTION_MAX + 1, LKR_UNKNOWN), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_confirm(s, 0, 1), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_confirm(s, 99, 1), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, 0, LKR_TIER_REPAIR, "why"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, 3, LKR_TIER_REPAIR, "why"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, 0, "why"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, 99, "why"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, 0, "why"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, 999, "why"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_observe(s, NULL), LKR_E_INVAL);
    bad.app_status = 99;
    ck_assert_int_eq(lkr_session_observe(s, &bad), LKR_E_INVAL);
    bad = o;
    bad.struct_size = 4;
    ck_assert_int_eq(lkr_session_observe(s, &bad), LKR_E_INVAL);
    /* Nothing pending. */
    ck_assert_int_eq(lkr_session_probe_done(s, LKR_OK, &r), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_tick(s), LKR_OK);
    /* After all that, the session still works and allocated nothing. */
    a = hs_next(s);
    ck_assert(a.kind >= LKR_ACTION_ASK && a.kind <= LKR_ACTION_ABORTED);
    ck_assert_uint_eq(h.n_alloc, 1);
    hs_free(&h, s);
}
END_TEST

/* ==== rule 2: the questions ================================================= */

/* Answers `values` to whatever is asked, returns the questions in order. */
static unsigned ask_through(lkr_session *s, const lkr_observations *answers, uint32_t *asked,
                            unsigned cap, lkr_action *first_other)
{
    unsigned n = 0;
    for (;;) {
        lkr_action a = hs_next(s);
        if (a.kind != LKR_ACTION_ASK) {
            *first_other = a;
            return n;
        }
        ck_assert_uint_lt(n, cap);
        ck_assert_uint_eq(a.state, LKR_STATE_TRIAGE);
        asked[n++] = a.question;
        {
            hs_policy pol;
            lkr_profile dummy = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
            hs_policy_init(&pol, &dummy);
            pol.answers = answers;
            ck_assert_int_eq(lkr_session_answer(s, a.question, hs_answer_for(&pol, a.question)),
                             LKR_OK);
        }
    }
}

START_TEST(questions_all_unknown_fall_back_to_universal)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    hs_host h;
    lkr_session *s;
    uint32_t asked[16];
    unsigned n;
    lkr_action a;
    lkr_session_info info;
    static const uint32_t want[] = {LKR_QUESTION_UPDATE_STATE, LKR_QUESTION_KEYPAD_LIGHTS,
                                    LKR_QUESTION_APP_STATUS, LKR_QUESTION_CODES_STATE};

    hs_host_init(&h, 0);
    s = hs_new(&h, &p, NULL, NULL, HS_F_PERSON);
    info = hs_status(s);
    ck_assert_uint_eq(info.ladder, LKR_LADDER_NONE);
    ck_assert_uint_eq(info.symptom, LKR_SYMPTOM_UNKNOWN);
    /* Nothing asked yet: answering is a state error; bad values are invalid. */
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(a.question, LKR_QUESTION_UPDATE_STATE);
    ck_assert_int_eq(lkr_session_answer(s, LKR_QUESTION_APP_STATUS, LKR_APP_OFFLINE), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_answer(s, LKR_QUESTION_UPDATE_STATE, LKR_UPDATE_STATE_MAX + 1),
                     LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(s, LKR_QUESTION_UPDATE_STATE, -7), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_report(s, LKR_STEP_UNIVERSAL_BATTERY_PULL, LKR_OUTCOME_DONE),
                     LKR_E_STATE);
    n = ask_through(s, NULL, asked, 16, &a);
    /* the triage questions in order; then, the ladder chosen, only questions
     * worth asking (each once) before the first step */
    ck_assert_uint_ge(n, 4);
    ck_assert_mem_eq(asked, want, sizeof(want));
    for (; n > 4; n--) {
        ck_assert(hs_worth_asking(asked[n - 1]));
        ck_assert(n == 5 || asked[n - 1] != asked[n - 2]);
    }
    info = hs_status(s);
    ck_assert_uint_eq(info.ladder, LKR_LADDER_CONNECTION);
    ck_assert_uint_eq(info.tier, LKR_TIER_UNIVERSAL);
    ck_assert_uint_ne(a.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(hs_step(a.step).tier, LKR_TIER_UNIVERSAL);
    /* Not asking any more: answering is a state error. */
    ck_assert_int_eq(lkr_session_answer(s, LKR_QUESTION_UPDATE_STATE, LKR_UPDATE_NONE),
                     LKR_E_STATE);
    hs_free(&h, s);
}
END_TEST

START_TEST(questions_stall_minutes_only_when_in_progress_no_codes_without_keypad)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations ans = hs_obs();
    hs_host h;
    lkr_session *s;
    uint32_t asked[16];
    unsigned n;
    lkr_action a;

    p.has_keypad = LKR_NO;
    ans.update_state = LKR_UPDATE_IN_PROGRESS;
    ans.update_stalled_min = 15;
    hs_host_init(&h, 0);
    s = hs_new(&h, &p, NULL, NULL, HS_F_PERSON);
    a = hs_next(s);
    ck_assert_uint_eq(a.question, LKR_QUESTION_UPDATE_STATE);
    ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UPDATE_IN_PROGRESS), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.question, LKR_QUESTION_UPDATE_STALLED_MIN);
    ck_assert_int_eq(lkr_session_answer(s, a.question, -5), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(s, a.question, 15), LKR_OK);
    /* Stalled: the symptom is known, no more questions, triage first. */
    a = hs_next(s);
    ck_assert_uint_ne(a.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(hs_status(s).symptom, LKR_SYMPTOM_UPDATE_STALLED);
    ck_assert_uint_eq(a.step, LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN);
    hs_free(&h, s);

    /* No keypad, no update: never the stall minutes, never the codes (nor
     * the keypad lights: a keypad-less lock has no keypad facts). */
    ans = hs_obs();
    ans.update_state = LKR_UPDATE_NONE;
    hs_host_init(&h, 0);
    s = hs_new(&h, &p, NULL, NULL, HS_F_PERSON);
    n = ask_through(s, &ans, asked, 16, &a);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(asked[0], LKR_QUESTION_UPDATE_STATE);
    ck_assert_uint_eq(asked[1], LKR_QUESTION_APP_STATUS);
    hs_free(&h, s);
}
END_TEST

START_TEST(questions_stop_as_soon_as_the_symptom_is_known)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEKIT), LKR_NO);
    lkr_observations ans = hs_obs(), known = hs_obs();
    hs_host h;
    lkr_session *s;
    uint32_t asked[16];
    unsigned n;
    lkr_action a;
    lkr_diagnosis d;

    /* Keypad lights and app offline after an update: local_ok_app_offline. */
    ans.update_state = LKR_UPDATE_REPORTED_OK;
    ans.keypad_lights = LKR_YES;
    ans.app_status = LKR_APP_OFFLINE;
    hs_host_init(&h, 0);
    s = hs_new(&h, &p, NULL, NULL, HS_F_PERSON);
    n = ask_through(s, &ans, asked, 16, &a);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(asked[2], LKR_QUESTION_APP_STATUS);
    d = hs_beliefs(s);
    ck_assert_uint_eq(d.symptom, LKR_SYMPTOM_LOCAL_OK_APP_OFFLINE);
    ck_assert_uint_eq(d.entry_tier, LKR_TIER_PROTOCOL);
    /* the questions stopped: a step, harmless first (least destructive first) */
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_uint_eq(lkr__step_class(a.step, p.protocol), LKR__CLASS_HARMLESS);
    hs_free(&h, s);

    /* App offline, keypad unknown, codes work: the local-control question
     * (only asked for an offline app) settles it: ecosystem reconnection. */
    ans = hs_obs();
    ans.update_state = LKR_UPDATE_REPORTED_OK;
    ans.app_status = LKR_APP_OFFLINE;
    ans.codes_state = LKR_CODES_ALL_WORK;
    ans.local_control_works = LKR_YES;
    hs_host_init(&h, 0);
    s = hs_new(&h, &p, NULL, NULL, HS_F_PERSON);
    n = ask_through(s, &ans, asked, 16, &a);
    ck_assert_uint_eq(n, 5);
    ck_assert_uint_eq(asked[3], LKR_QUESTION_CODES_STATE);
    ck_assert_uint_eq(asked[4], LKR_QUESTION_LOCAL_CONTROL);
    ck_assert_uint_eq(hs_beliefs(s).symptom, LKR_SYMPTOM_APP_NO_RESPONSE);
    ck_assert_uint_eq(hs_beliefs(s).entry_tier, LKR_TIER_ECOSYSTEM);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    hs_free(&h, s);

    /* Facts known up front are not asked. */
    known.update_state = LKR_UPDATE_REPORTED_OK;
    known.keypad_lights = LKR_YES;
    hs_host_init(&h, 0);
    s = hs_new(&h, &p, &known, NULL, HS_F_PERSON);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(a.question, LKR_QUESTION_APP_STATUS);
    ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_APP_STATUS_MAX + 1), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_APP_NO_RESPONSE), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_ne(a.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(hs_status(s).ladder, LKR_LADDER_CONNECTION);
    hs_free(&h, s);

    /* A code symptom from the answers: the code ladder. */
    ans = hs_obs();
    ans.update_state = LKR_UPDATE_NONE;
    ans.keypad_lights = LKR_YES;
    ans.app_status = LKR_APP_ONLINE;
    ans.codes_state = LKR_CODES_ONE_REJECTED;
    hs_host_init(&h, 0);
    s = hs_new(&h, &p, NULL, NULL, HS_F_PERSON);
    n = ask_through(s, &ans, asked, 16, &a);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(hs_status(s).ladder, LKR_LADDER_CODE);
    ck_assert_uint_eq(hs_step(a.step).tier, LKR_TIER_CODE);
    hs_free(&h, s);
}
END_TEST

/* ==== rule 4: the choice formula ============================================ */

/* P(fix) under the beliefs: a step below LKR__MIN_FIX is not indicated. */
static double pfix_of(const lkr_diagnosis *d, uint32_t step)
{
    lkr_step_info si = hs_step(step);
    double p = 0.0;
    uint32_t i;
    for (i = 0; i < si.fix_count; i++)
        p += hs_belief(d, si.fixes[i].cause) * (double)si.fixes[i].permille / 1000.0;
    return p;
}

static double score_of(const lkr_diagnosis *d, uint32_t step)
{
    return pfix_of(d, step) / (double)hs_step(step).cost_min;
}

static int in_history(const lkr_session *s, uint32_t step)
{
    return hs_history_find(s, step) >= 0;
}

/* After next() offered a.step in PERFORM: it is the best-scoring candidate of
 * its tier and of its least-destructive-first rank whose guards hold, ties to
 * the lower id (steps of a lower rank are checked by the ordering tests). */
static void check_choice(const lkr_session *s, const lkr_profile *p, const lkr_observations *o,
                         const lkr_action *a)
{
    lkr_diagnosis d = hs_beliefs(s);
    lkr_session_info info = hs_status(s);
    lkr_step_info chosen = hs_step(a->step);
    double best = score_of(&d, a->step), eps = 1e-12;
    uint32_t id;

    for (id = 1; id <= lkr_step_count() && id < HS_STEPS; id++) {
        lkr_step_info si = hs_step(id);
        double sc;
        if (id == a->step || si.tier != chosen.tier) continue;
        if (lkr__step_rank(id, p->protocol) != lkr__step_rank(a->step, p->protocol)) continue;
        if (si.flags & (LKR_STEP_F_FOLLOWUP_ONLY | LKR_STEP_F_TERMINAL)) continue;
        if (!hs_step_applies(p, o, id) || in_history(s, id)) continue;
        if ((si.guards & info.guards_held) != si.guards) continue;
        if (pfix_of(&d, id) < LKR__MIN_FIX) continue; /* not indicated */
        sc = score_of(&d, id);
        ck_assert_msg(sc <= best + eps, "%s (%.6g) offered before %s (%.6g)", chosen.sid, best,
                      si.sid, sc);
        if (id < a->step)
            ck_assert_msg(sc < best - eps, "tie: %s offered before lower id %s", chosen.sid,
                          si.sid);
    }
    ck_assert_msg(best > 0.0, "%s offered with score 0", chosen.sid);
}

START_TEST(choice_is_best_score_per_cost)
{
    static const uint32_t protos[] = {LKR_PROTOCOL_WIFI, LKR_PROTOCOL_BLE, LKR_PROTOCOL_ZWAVE,
                                      LKR_PROTOCOL_ZIGBEE, LKR_PROTOCOL_MATTER};
    lkr_profile p = hs_profile(protos[_i % 5], LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_GOOGLE) |
                                                   LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_ALEXA),
                               LKR_YES);
    lkr_observations o = _i < 5 ? local_ok_obs() : no_response_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    unsigned steps, checked = 0;
    uint32_t prev_step = 0;

    if (p.protocol != LKR_PROTOCOL_WIFI) p.has_bridge = LKR_NO;
    o.phone_in_range = LKR_YES;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_LOG); /* no prompt: next() is called twice per action */
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    for (steps = 0; steps < 3000 && !t.final; steps++) {
        lkr_action a = hs_next(s);
        if (a.kind == LKR_ACTION_PERSON_STEP && a.phase == LKR_PHASE_PERFORM &&
            !(hs_step(a.step).flags & LKR_STEP_F_FOLLOWUP_ONLY) &&
            a.step != LKR_STEP_REPAIR_BACKUP_CODES && a.step != LKR_STEP_TRIAGE_CHECK_FIRMWARE &&
            a.step != LKR_STEP_ZWAVE_CHECK_BATTERY /* pinned first: S0 "Check battery level first" */ &&
            (prev_step == 0 || hs_step(prev_step).followup != a.step)) {
            check_choice(s, &p, &o, &a);
            checked++;
        }
        if (a.kind == LKR_ACTION_PERSON_STEP) prev_step = a.step;
        hs_drive(s, &h, &pol, &t, 1);
    }
    ck_assert(t.final);
    ck_assert_uint_gt(checked, 5);
    hs_free(&h, s);
}
END_TEST

/* Disabled steps are never offered (rule 3). */
START_TEST(disabled_steps_never_offered)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = silent_obs();
    static const uint32_t off[] = {LKR_STEP_UNIVERSAL_FRESH_ALKALINE, LKR_STEP_WIFI_RERUN_SETUP};
    lkr_overrides ov = LKR_OVERRIDES_INIT;
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;

    ov.disabled_count = 2;
    ov.disabled_steps = off;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, &ov, HS_F_ALL);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.answers = &o;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 3000), LKR_ACTION_NEEDS_SUPPORT);
    ck_assert_int_eq(hs_trace_find(&t, LKR_STEP_UNIVERSAL_FRESH_ALKALINE), -1);
    ck_assert_int_eq(hs_trace_find(&t, LKR_STEP_WIFI_RERUN_SETUP), -1);
    ck_assert_int_eq(hs_history_find(s, LKR_STEP_WIFI_RERUN_SETUP), -1);
    hs_free(&h, s);
}
END_TEST

/* ==== rule 5: guards ======================================================== */

START_TEST(confirm_rules)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_session_info info;

    hs_host_init(&h, 0);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_CODES_BACKED_UP, 1), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_EARLIER_TIERS_DONE, 1), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_NO_ACTIVE_TRANSFER, 1), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_REPAIR_CODES_SAFE, 1), LKR_E_INVAL);
    info = hs_status(s);
    ck_assert(!(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP)));
    ck_assert(!(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_ADMIN_CODE_RECORDED)));
    ck_assert(!(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_PHONE_IN_RANGE)));
    /* An unknown re-pair behaviour counts as "may erase". */
    ck_assert(!(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE)));
    /* No update running: no active transfer. */
    ck_assert(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_NO_ACTIVE_TRANSFER));

    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_ADMIN_CODE_RECORDED, 1), LKR_OK);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 1), LKR_OK);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_PHYSICAL_KEY, 1), LKR_OK);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_PHONE_IN_RANGE, 1), LKR_OK);
    info = hs_status(s);
    ck_assert(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_ADMIN_CODE_RECORDED));
    ck_assert(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN));
    ck_assert(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_PHYSICAL_KEY));
    ck_assert(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_PHONE_IN_RANGE));
    /* Withdrawn. */
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 0), LKR_OK);
    ck_assert(!(hs_status(s).guards_held & LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN)));
    /* Only the vault backs codes up; that also makes a re-pair safe. */
    hs_backup(s, &h);
    info = hs_status(s);
    ck_assert(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP));
    ck_assert(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE));
    lkr__session_set_backup_verified(s, 0);
    ck_assert(!(hs_status(s).guards_held & LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP)));
    hs_free(&h, s);

    /* No key cylinder: a key can never be confirmed. Re-pair keeps codes: safe. */
    p.has_key_cylinder = LKR_NO;
    p.repair_erases_codes = LKR_NO;
    o.phone_in_range = LKR_YES;
    hs_host_init(&h, 0);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_PHYSICAL_KEY, 1), LKR_E_UNSUPPORTED);
    info = hs_status(s);
    ck_assert(!(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_PHYSICAL_KEY)));
    ck_assert(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE));
    ck_assert(info.guards_held & LKR_GUARD_BIT(LKR_GUARD_PHONE_IN_RANGE));
    hs_free(&h, s);

    /* An update still transferring: no active-transfer guard. */
    o = stalled_obs();
    hs_host_init(&h, 0);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    ck_assert(!(hs_status(s).guards_held & LKR_GUARD_BIT(LKR_GUARD_NO_ACTIVE_TRANSFER)));
    hs_free(&h, s);
}
END_TEST

/* The factory reset refuses, names every unmet guard, and is offered only
 * once each holds: confirmed one by one, then the vault's backup. */
START_TEST(factory_reset_refused_until_every_guard_holds)
{
    static hs_reset_vendor vendor;
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    const uint32_t person = LKR_GUARD_BIT(LKR_GUARD_ADMIN_CODE_RECORDED) |
                            LKR_GUARD_BIT(LKR_GUARD_PHYSICAL_KEY) |
                            LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN);
    const uint32_t backed = LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP);
    const uint32_t earlier = LKR_GUARD_BIT(LKR_GUARD_EARLIER_TIERS_DONE);
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_action a;
    lkr_session_info info;
    lkr_step_info reset = hs_step(LKR_STEP_RESET_FACTORY_RESET);
    uint64_t t0;
    int bk;

    p.repair_erases_codes = LKR_NO;
    o.phone_in_range = LKR_YES;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, hs_reset_reachable(&vendor), HS_F_PERSON);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.confirm_mask = LKR_GUARD_BIT(LKR_GUARD_PREFLIGHT_OK);
    pol.backup_ok = 0;
    pol.stop_at_blocked = LKR_STEP_RESET_FACTORY_RESET;
    hs_drive(s, &h, &pol, &t, 3000);
    a = t.last;
    ck_assert_uint_eq(a.kind, LKR_ACTION_BLOCKED);
    ck_assert_uint_eq(a.step, LKR_STEP_RESET_FACTORY_RESET);
    ck_assert_uint_eq(a.state, LKR_STATE_BLOCKED);
    ck_assert_uint_eq(a.tier, LKR_TIER_RESET);
    /* The backup was offered first (never tried before on this lock). */
    bk = hs_trace_find(&t, LKR_STEP_REPAIR_BACKUP_CODES);
    ck_assert_int_ge(bk, 0);
    ck_assert_int_ge(hs_history_find(s, LKR_STEP_REPAIR_BACKUP_CODES), 0);
    /* Every unmet guard is named. */
    info = hs_status(s);
    ck_assert_uint_eq(a.unmet_guards & (person | backed), person | backed);
    ck_assert_uint_eq(a.unmet_guards, reset.guards & ~info.guards_held);
    if (a.unmet_guards & earlier) ck_assert(!hs_earlier_tiers_done(&info, LKR_TIER_RESET));
    ck_assert_uint_eq(a.unmet_guards & ~reset.guards, 0);
    /* Confirm one by one: each confirmation lifts exactly its guard. */
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_ADMIN_CODE_RECORDED, 1), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_BLOCKED);
    ck_assert_uint_eq(a.unmet_guards & (person | backed),
                      (person | backed) & ~LKR_GUARD_BIT(LKR_GUARD_ADMIN_CODE_RECORDED));
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_PHYSICAL_KEY, 1), LKR_OK);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 1), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_BLOCKED);
    ck_assert_uint_eq(a.unmet_guards & ~earlier, backed);
    /* A withdrawn confirmation blocks again. */
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 0), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.unmet_guards & ~earlier, backed | LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN));
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 1), LKR_OK);
    /* Reporting on a blocked step is a state error; so is confirming the backup. */
    ck_assert_int_eq(lkr_session_report(s, LKR_STEP_RESET_FACTORY_RESET, LKR_OUTCOME_DONE),
                     LKR_E_STATE);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_CODES_BACKED_UP, 1), LKR_E_INVAL);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_BLOCKED);
    /* The vault verifies the backup: now it is offered. */
    hs_backup(s, &h);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_uint_eq(a.step, LKR_STEP_RESET_FACTORY_RESET);
    ck_assert_uint_eq(a.phase, LKR_PHASE_PERFORM);
    info = hs_status(s);
    ck_assert_uint_eq(info.guards_held & reset.guards & ~earlier, reset.guards & ~earlier);
    ck_assert(hs_earlier_tiers_done(&info, LKR_TIER_RESET));
    /* Its hold: 5 s on the host clock. */
    t0 = h.now;
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_WAIT);
    ck_assert_uint_eq(a.phase, LKR_PHASE_HOLD);
    ck_assert_uint_eq(a.wait_s, 5);
    ck_assert_uint_eq(a.wait_until_ms, t0 + 5000u);
    hs_free(&h, s);
}
END_TEST

/* Every other guard refuses its step, then allows it once it holds (the
 * factory reset's guards are in the test above). */
typedef struct guard_row {
    uint32_t guard, protocol, step;
    int how; /* 0 confirm, 1 observe phone in range, 2 vault backup, 3 observe fw at target */
} guard_row;

static const guard_row guard_rows[] = {
    {LKR_GUARD_PHONE_IN_RANGE, LKR_PROTOCOL_BLE, LKR_STEP_BLE_REBOND, 1},
    {LKR_GUARD_PHONE_IN_RANGE, LKR_PROTOCOL_MATTER, LKR_STEP_MATTER_READD_QR, 0},
    {LKR_GUARD_REPAIR_CODES_SAFE, LKR_PROTOCOL_ZWAVE, LKR_STEP_ZWAVE_EXCLUDE_REINCLUDE, 2},
    {LKR_GUARD_PREFLIGHT_OK, LKR_PROTOCOL_BLE, LKR_STEP_UNIVERSAL_UPDATE_SOFTWARE, 0},
    /* no_active_transfer: a running update is never met with a power step at
     * all (the update question is put again, then support): the triage tests. */
};

START_TEST(guard_refuses_then_allows)
{
    const guard_row *row = &guard_rows[_i];
    lkr_profile p = hs_profile(row->protocol, 0, LKR_NO);
    lkr_observations o = row->how == 3 ? stalled_obs() : local_ok_obs(), more = hs_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_action a;
    unsigned guard;

    if (row->guard != LKR_GUARD_REPAIR_CODES_SAFE) p.repair_erases_codes = LKR_NO;
    if (row->guard == LKR_GUARD_PREFLIGHT_OK) {
        o.update_state = LKR_UPDATE_NONE;
        o.software_outdated = LKR_YES;
    }
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.confirm_mask &= ~LKR_GUARD_BIT(row->guard);
    pol.backup_ok = row->how != 2;
    pol.stop_at_blocked = row->step;
    if (row->how == 3) pol.outcome_for[LKR_STEP_TRIAGE_CHECK_FIRMWARE] = LKR_OUTCOME_SKIPPED;
    hs_drive(s, &h, &pol, &t, 2000);
    a = t.last;
    ck_assert_msg(a.kind == LKR_ACTION_BLOCKED && a.step == row->step, "%s never blocked",
                  hs_step(row->step).sid);
    ck_assert(a.unmet_guards & LKR_GUARD_BIT(row->guard));
    ck_assert_int_eq(hs_trace_find(&t, row->step), -1);
    /* Still refused while nothing changes. */
    ck_assert_uint_eq(hs_next(s).kind, LKR_ACTION_BLOCKED);
    switch (row->how) {
    case 0:
        ck_assert_int_eq(lkr_session_confirm(s, row->guard, 1), LKR_OK);
        break;
    case 1:
        more.phone_in_range = LKR_YES;
        ck_assert_int_eq(lkr_session_observe(s, &more), LKR_OK);
        break;
    case 2:
        hs_backup(s, &h);
        break;
    default:
        snprintf(more.fw_now, sizeof(more.fw_now), "%s", "2.0"); /* the target: transfer over */
        ck_assert_int_eq(lkr_session_observe(s, &more), LKR_OK);
        break;
    }
    ck_assert(hs_status(s).guards_held & LKR_GUARD_BIT(row->guard));
    a = hs_next(s);
    for (guard = 0; a.kind == LKR_ACTION_BLOCKED && guard < 8; guard++) {
        ck_assert(!(a.unmet_guards & LKR_GUARD_BIT(row->guard)));
        pol.backup_ok = 1;
        ck_assert(hs_unblock(s, &h, &pol, &a));
        a = hs_next(s);
    }
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_uint_eq(a.phase, LKR_PHASE_PERFORM);
    if (row->how == 3)
        ck_assert(hs_step(a.step).flags & LKR_STEP_F_CUTS_POWER);
    else
        ck_assert_uint_eq(a.step, row->step);
    hs_free(&h, s);
}
END_TEST

/* A re-pair that may erase codes: the backup is offered before the block
 * (rule 5's exception), then the re-pair runs and fixes it. */
START_TEST(backup_offered_before_a_code_erasing_repair)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_ZWAVE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    unsigned i;
    int bk, ex;

    hs_host_init(&h, LKR_CAUSE_HUB_SESSION_MISMATCH);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.truthful = 1;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 1000), LKR_ACTION_RECOVERED);
    bk = hs_history_find(s, LKR_STEP_REPAIR_BACKUP_CODES);
    ex = hs_history_find(s, LKR_STEP_ZWAVE_EXCLUDE_REINCLUDE);
    ck_assert_int_ge(bk, 0);
    ck_assert_int_gt(ex, bk);
    /* No block naming the code guards before the backup was tried. */
    for (i = 0; i < t.n && i < HS_TRACE_MAX; i++) {
        if (t.rec[i].kind == LKR_ACTION_BLOCKED &&
            (t.rec[i].unmet & (LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE) |
                               LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP))))
            ck_assert_int_gt((int)i, hs_trace_find(&t, LKR_STEP_REPAIR_BACKUP_CODES));
    }
    hs_free(&h, s);
}
END_TEST

/* A step whose guard cannot be met is passed over for the others of its
 * tier; blocked only when nothing else is left; waived, it is never done.
 * Waiving the reset step ends in support with RESET_REFUSED. */
/* The best step blocked only by a guard the person settles on the spot
 * (here: the phone in Bluetooth range) is asked for, not passed over for a
 * worse step; once confirmed it is offered. */
START_TEST(person_guard_blocks_the_best_step)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    int n, other_left = 0;
    uint32_t id;

    o.update_state = LKR_UPDATE_REPORTED_FAILED; /* makes the BLE drop (rebond's fault) likely */
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    for (n = 0; n < 200; n++) {
        a = hs_next(s);
        if (a.kind == LKR_ACTION_BLOCKED && a.step != LKR_STEP_BLE_REBOND &&
            a.unmet_guards == LKR_GUARD_BIT(LKR_GUARD_PREFLIGHT_OK)) {
            /* a harmless step first (the app update), its checklist confirmed */
            ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_PREFLIGHT_OK, 1), LKR_OK);
            continue;
        }
        if (a.kind == LKR_ACTION_BLOCKED) break;
        if (a.kind == LKR_ACTION_WAIT) {
            h.now = a.wait_until_ms;
        } else if (a.kind == LKR_ACTION_PERSON_STEP) {
            ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
        } else if (a.kind == LKR_ACTION_VERIFY) {
            ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_NOT_FIXED), LKR_OK);
        } else if (a.kind == LKR_ACTION_ASK) {
            ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UNKNOWN), LKR_OK);
        } else {
            ck_abort_msg("unexpected action %u", a.kind);
        }
    }
    ck_assert_uint_eq(a.kind, LKR_ACTION_BLOCKED);
    ck_assert_uint_eq(a.step, LKR_STEP_BLE_REBOND);
    ck_assert_uint_eq(a.unmet_guards, LKR_GUARD_BIT(LKR_GUARD_PHONE_IN_RANGE));
    ck_assert_uint_eq(a.state, LKR_STATE_BLOCKED);
    /* Steps of a higher class whose guards may hold were still untried: not
     * passed over to them (the re-pair, the reset). */
    for (id = 1; id <= lkr_step_count(); id++)
        if (lkr__step_rank(id, p.protocol) > lkr__step_rank(LKR_STEP_BLE_REBOND, p.protocol) &&
            hs_history_find(s, id) < 0 && lkr__step_applies(id, &p, &o))
            other_left = 1;
    ck_assert(other_left);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_PHONE_IN_RANGE, 1), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_uint_eq(a.step, LKR_STEP_BLE_REBOND);
    hs_free(&h, s);
}
END_TEST

/* S0: "Do not pull batteries yet." With the triage waived and an update
 * that may still be transferring, nothing is offered: the person is asked
 * again whether it is still running; "don't know" hands over, power untouched
 * (the no_active_transfer guard cannot be confirmed away). An answer that it
 * failed settles it: the power steps come back. */
START_TEST(engine_guard_is_passed_over_then_blocks)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = hs_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    int n, variant;

    for (variant = 0; variant < 2; variant++) {
        o.update_state = LKR_UPDATE_IN_PROGRESS;
        o.update_stalled_min = 3;
        o.keypad_lights = LKR_YES;
        o.app_status = LKR_APP_OFFLINE;
        hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
        s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
        ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_TRIAGE, "testing the guard"), LKR_OK);
        ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_NO_ACTIVE_TRANSFER, 1), LKR_E_INVAL);
        a = hs_next(s);
        ck_assert_uint_eq(a.kind, LKR_ACTION_ASK);
        ck_assert_uint_eq(a.question, LKR_QUESTION_UPDATE_STATE);
        if (variant == 0) {
            ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UNKNOWN), LKR_OK);
            a = hs_next(s);
            ck_assert_uint_eq(a.kind, LKR_ACTION_NEEDS_SUPPORT);
            ck_assert(a.detail & LKR_SUPPORT_AFTER_UPDATE);
            ck_assert_uint_eq(hs_status(s).history_count, 1); /* the hand-over alone */
        } else {
            ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UPDATE_REPORTED_FAILED), LKR_OK);
            for (n = 0; n < 50; n++) {
                a = hs_next(s);
                if (a.kind == LKR_ACTION_PERSON_STEP && (hs_step(a.step).flags & LKR_STEP_F_CUTS_POWER)) break;
                if (a.kind == LKR_ACTION_PERSON_STEP) {
                    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
                } else if (a.kind == LKR_ACTION_VERIFY) {
                    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_NOT_FIXED), LKR_OK);
                } else if (a.kind == LKR_ACTION_WAIT) {
                    h.now = a.wait_until_ms;
                } else if (a.kind == LKR_ACTION_ASK) {
                    ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UNKNOWN), LKR_OK);
                } else {
                    ck_abort_msg("unexpected action %u", a.kind);
                }
            }
            ck_assert(hs_step(a.step).flags & LKR_STEP_F_CUTS_POWER);
            ck_assert(hs_status(s).guards_held & LKR_GUARD_BIT(LKR_GUARD_NO_ACTIVE_TRANSFER));
        }
        hs_free(&h, s);
    }
}
END_TEST

/* A follow-up is a step like any other: restoring after a factory reset
 * needs the phone in range, so it is blocked (never offered) until then. */
START_TEST(followup_needs_its_guards)
{
    static hs_reset_vendor vendor;
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = hs_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    unsigned i;
    int blocked = 0;

    o.keypad_lights = LKR_YES;
    o.app_status = LKR_APP_ONLINE;
    o.update_state = LKR_UPDATE_NONE;
    o.codes_state = LKR_CODES_ONE_REJECTED;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, hs_reset_reachable(&vendor), HS_F_PERSON);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.confirm_mask &= ~LKR_GUARD_BIT(LKR_GUARD_PHONE_IN_RANGE);
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 2000), LKR_ACTION_NEEDS_SUPPORT);
    ck_assert_int_ge(hs_history_find(s, LKR_STEP_RESET_FACTORY_RESET), 0);
    ck_assert_int_eq(hs_trace_find(&t, LKR_STEP_RESET_RESTORE_AFTER_RESET), -1);
    for (i = 0; i < t.n && i < HS_TRACE_MAX; i++)
        if (t.rec[i].kind == LKR_ACTION_BLOCKED &&
            t.rec[i].step == LKR_STEP_RESET_RESTORE_AFTER_RESET)
            blocked = (t.rec[i].unmet & LKR_GUARD_BIT(LKR_GUARD_PHONE_IN_RANGE)) != 0;
    ck_assert(blocked);
    hs_free(&h, s);
}
END_TEST

/* ==== rule 7: the person step lifecycle and the clock ======================= */

/* Battery pull: perform, 30 s hold (early ticks and a clock going backwards
 * keep waiting), resume, verify. */
START_TEST(battery_pull_lifecycle_on_the_host_clock)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = silent_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_action a, w;
    lkr_history_entry e;
    uint64_t t0;
    unsigned prompts;
    int idx;

    hs_host_init(&h, LKR_CAUSE_OTA_VOLTAGE_COLLAPSE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.outcome_for[LKR_STEP_UNIVERSAL_FRESH_ALKALINE] = LKR_OUTCOME_SKIPPED;
    a = drive_to_step(s, &h, &pol, &t, LKR_STEP_UNIVERSAL_BATTERY_PULL);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_uint_eq(a.phase, LKR_PHASE_PERFORM);
    ck_assert_uint_eq(a.state, LKR_STATE_AWAITING_PERSON);
    ck_assert_uint_eq(a.tier, LKR_TIER_UNIVERSAL);
    ck_assert_uint_eq(a.wait_s, 30);
    /* Reporting another step, or an answer, is a state error. */
    ck_assert_int_eq(lkr_session_report(s, LKR_STEP_UNIVERSAL_CHECK_FIRMWARE, LKR_OUTCOME_DONE),
                     LKR_E_STATE);
    ck_assert_int_eq(lkr_session_answer(s, LKR_QUESTION_KEYPAD_LIGHTS, LKR_YES), LKR_E_STATE);
    t0 = h.now;
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    prompts = h.n_prompt;
    w = hs_next(s);
    ck_assert_uint_eq(w.kind, LKR_ACTION_WAIT);
    ck_assert_uint_eq(w.state, LKR_STATE_WAITING);
    ck_assert_uint_eq(w.phase, LKR_PHASE_HOLD);
    ck_assert_uint_eq(w.step, LKR_STEP_UNIVERSAL_BATTERY_PULL);
    ck_assert_uint_eq(w.wait_s, 30);
    ck_assert_uint_eq(w.wait_until_ms, t0 + 30000u);
    ck_assert_uint_eq(h.n_prompt, prompts);
    /* Nothing to report while waiting. */
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_E_STATE);
    /* Early ticks keep waiting. */
    ck_assert_int_eq(lkr_session_tick(s), LKR_PENDING);
    h.now = t0 + 29999u;
    ck_assert_int_eq(lkr_session_tick(s), LKR_PENDING);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_WAIT);
    ck_assert_uint_eq(a.wait_until_ms, t0 + 30000u);
    /* A clock that goes backwards never ends a wait. */
    h.now = t0 - 500000u;
    ck_assert_int_eq(lkr_session_tick(s), LKR_PENDING);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_WAIT);
    h.now = 0;
    ck_assert_int_eq(lkr_session_tick(s), LKR_PENDING);
    /* Late enough: resume. */
    h.now = t0 + 30000u;
    ck_assert_int_eq(lkr_session_tick(s), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_uint_eq(a.step, LKR_STEP_UNIVERSAL_BATTERY_PULL);
    ck_assert_uint_eq(a.phase, LKR_PHASE_RESUME);
    ck_assert_uint_eq(h.n_prompt, prompts + 1);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    /* No settle: the person is asked whether it works. */
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_VERIFY);
    ck_assert_uint_eq(a.phase, LKR_PHASE_ASK_PERSON);
    ck_assert_uint_eq(a.state, LKR_STATE_VERIFYING);
    ck_assert_uint_eq(a.step, LKR_STEP_UNIVERSAL_BATTERY_PULL);
    ck_assert_int_eq(lkr_session_report(s, LKR_STEP_UNIVERSAL_CHECK_FIRMWARE, LKR_OUTCOME_FIXED),
                     LKR_E_STATE);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_FIXED), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_RECOVERED);
    ck_assert_uint_eq(a.state, LKR_STATE_RECOVERED);
    ck_assert(lkr_action_is_final(&a));
    idx = hs_history_find(s, LKR_STEP_UNIVERSAL_BATTERY_PULL);
    ck_assert_int_ge(idx, 0);
    e = hs_history(s, (uint32_t)idx);
    ck_assert_uint_eq(e.outcome, LKR_OUTCOME_FIXED);
    ck_assert_uint_eq(e.by_host, 0);
    ck_assert_uint_eq(e.tier, LKR_TIER_UNIVERSAL);
    ck_assert_uint_eq(e.started_ms, t0);
    ck_assert_uint_eq(e.ended_ms, t0 + 30000u);
    ck_assert_int_eq(history_outcome(s, LKR_STEP_UNIVERSAL_FRESH_ALKALINE), LKR_OUTCOME_SKIPPED);
    /* Final: it stays final; reports are state errors. */
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_RECOVERED);
    ck_assert_int_eq(lkr_session_report(s, LKR_STEP_UNIVERSAL_BATTERY_PULL, LKR_OUTCOME_FIXED),
                     LKR_E_STATE);
    ck_assert_int_eq(lkr_session_tick(s), LKR_E_STATE);
    hs_free(&h, s);
}
END_TEST

/* FIXED in the perform phase skips the waits; without a probe it is final. */
START_TEST(fixed_in_perform_skips_the_waits)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_MATTER, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_action a;
    unsigned feat = _i ? (HS_F_PROBE | HS_F_PROMPT | HS_F_LOG) : HS_F_PERSON;

    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, feat);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    a = drive_to_step(s, &h, &pol, &t, LKR_STEP_MATTER_POWER_OFF_5MIN);
    h.fixed = 1; /* it worked after all */
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_FIXED), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_RECOVERED);
    ck_assert_int_eq(history_outcome(s, LKR_STEP_MATTER_POWER_OFF_5MIN), LKR_OUTCOME_FIXED);
    if (_i) ck_assert_uint_eq(h.n_probe, 1);
    hs_free(&h, s);
}
END_TEST

/* SKIPPED, CANNOT_DO, FAILED close the step and leave the beliefs alone. */
START_TEST(closing_outcomes_leave_beliefs_unchanged)
{
    static const uint32_t outcomes[] = {LKR_OUTCOME_SKIPPED, LKR_OUTCOME_CANNOT_DO,
                                        LKR_OUTCOME_FAILED};
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a, b;
    lkr_diagnosis before, after;
    uint32_t i;

    hs_host_init(&h, 0);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    before = hs_beliefs(s);
    ck_assert_int_eq(lkr_session_report(s, a.step, outcomes[_i]), LKR_OK);
    b = hs_next(s);
    ck_assert(!(b.kind == LKR_ACTION_PERSON_STEP && b.step == a.step));
    ck_assert(b.kind != LKR_ACTION_WAIT && b.kind != LKR_ACTION_VERIFY);
    after = hs_beliefs(s);
    ck_assert_uint_eq(after.cause_count, before.cause_count);
    for (i = 0; i < before.cause_count; i++) {
        ck_assert_uint_eq(after.causes[i].cause, before.causes[i].cause);
        ck_assert(fabs(after.causes[i].p - before.causes[i].p) < 1e-12);
    }
    ck_assert_int_eq(history_outcome(s, a.step), (int)outcomes[_i]);
    hs_free(&h, s);
}
END_TEST

/* Exact waits of catalog section 7 (rules 7 and 8): hold, resume, settle, verify. */
typedef struct timed_row {
    uint32_t protocol, ecosystems;
    uint8_t bridge;
    int no_response;
    uint32_t step, hold_s, settle_s;
} timed_row;

static const timed_row timed[] = {
    {LKR_PROTOCOL_WIFI, 0, LKR_NO, 0, LKR_STEP_UNIVERSAL_BATTERY_PULL, 30, 0},
    {LKR_PROTOCOL_WIFI, 0, LKR_YES, 0, LKR_STEP_WIFI_POWER_CYCLE_BRIDGE, 30, 120},
    {LKR_PROTOCOL_MATTER, 0, LKR_NO, 0, LKR_STEP_MATTER_POWER_OFF_5MIN, 300, 600},
    {LKR_PROTOCOL_WIFI, LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_ALEXA), LKR_NO, 1,
     LKR_STEP_ALEXA_TOGGLE_SKILL, 30, 0},
    {LKR_PROTOCOL_BLE, 0, LKR_NO, 0, LKR_STEP_UNIVERSAL_TOGGLE_PHONE_BLUETOOTH, 10, 0},
    {LKR_PROTOCOL_ZWAVE, 0, LKR_NO, 0, LKR_STEP_ZWAVE_RESTART_HUB, 30, 120},
};

START_TEST(waits_equal_the_catalog)
{
    const timed_row *row = &timed[_i];
    lkr_profile p = hs_profile(row->protocol, row->ecosystems, row->bridge);
    lkr_observations o = row->no_response ? no_response_obs() : local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_action a;
    uint64_t t0;

    ck_assert_uint_eq(hs_step(row->step).wait_s, row->hold_s);
    ck_assert_uint_eq(hs_step(row->step).settle_s, row->settle_s);
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    a = drive_to_step(s, &h, &pol, &t, row->step);
    ck_assert_uint_eq(a.phase, LKR_PHASE_PERFORM);
    t0 = h.now;
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_WAIT);
    ck_assert_uint_eq(a.phase, LKR_PHASE_HOLD);
    ck_assert_uint_eq(a.wait_until_ms, t0 + row->hold_s * 1000u);
    h.now = a.wait_until_ms - 1;
    ck_assert_int_eq(lkr_session_tick(s), LKR_PENDING);
    h.now = a.wait_until_ms + 7; /* late ticks proceed */
    ck_assert_int_eq(lkr_session_tick(s), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_uint_eq(a.phase, LKR_PHASE_RESUME);
    t0 = h.now;
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    a = hs_next(s);
    if (row->settle_s) {
        ck_assert_uint_eq(a.kind, LKR_ACTION_WAIT);
        ck_assert_uint_eq(a.phase, LKR_PHASE_SETTLE);
        ck_assert_uint_eq(a.wait_s, row->settle_s);
        ck_assert_uint_eq(a.wait_until_ms, t0 + row->settle_s * 1000u);
        h.now = a.wait_until_ms - 1000u;
        ck_assert_int_eq(lkr_session_tick(s), LKR_PENDING);
        ck_assert_uint_eq(hs_next(s).kind, LKR_ACTION_WAIT);
        h.now = a.wait_until_ms;
        ck_assert_int_eq(lkr_session_tick(s), LKR_OK);
        a = hs_next(s);
    }
    ck_assert_uint_eq(a.kind, LKR_ACTION_VERIFY);
    ck_assert_uint_eq(a.phase, LKR_PHASE_ASK_PERSON);
    ck_assert_uint_eq(a.step, row->step);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_NOT_FIXED), LKR_OK);
    ck_assert_int_eq(history_outcome(s, row->step), LKR_OUTCOME_NOT_FIXED);
    hs_free(&h, s);
}
END_TEST

/* ==== rule 8: host steps ==================================================== */

/* Zigbee: every protocol step is automatable. run_step LKR_OK performs the
 * step with its hold; only the settle remains; history says by_host. */
START_TEST(host_runs_steps)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_ZIGBEE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_session_info info;
    unsigned i;
    uint32_t k;

    p.repair_erases_codes = LKR_NO;
    hs_host_init(&h, LKR_CAUSE_HUB_SESSION_MISMATCH);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_RUN | HS_F_PROMPT | HS_F_LOG);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 1000), LKR_ACTION_RECOVERED);
    ck_assert_uint_ge(h.n_run, 1);
    info = hs_status(s);
    for (k = 0; k < info.history_count; k++) {
        lkr_history_entry e = hs_history(s, k);
        int automatable = (hs_step(e.step).flags & LKR_STEP_F_AUTOMATABLE) != 0;
        if (e.outcome == LKR_OUTCOME_WAIVED) continue;
        ck_assert_uint_eq(e.by_host, automatable ? 1u : 0u);
    }
    /* A host-run step has no hold the host must wait for; its settle is exact. */
    for (i = 0; i < t.n && i < HS_TRACE_MAX; i++) {
        if (t.rec[i].kind == LKR_ACTION_WAIT && t.rec[i].step == LKR_STEP_ZIGBEE_RESTART_HUB)
            ck_assert_uint_eq(t.rec[i].phase, LKR_PHASE_SETTLE);
        if (t.rec[i].kind == LKR_ACTION_PERSON_STEP)
            ck_assert(!(hs_step(t.rec[i].step).flags & LKR_STEP_F_AUTOMATABLE));
    }
    ck_assert_uint_eq(h.n_warn, 0);
    hs_free(&h, s);
}
END_TEST

/* run_step LKR_PENDING: AWAITING_TRANSPORT until the host reports. */
START_TEST(host_step_pending_then_reported)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_ZIGBEE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_action a, b;
    lkr_session_info info;

    p.repair_erases_codes = LKR_NO;
    hs_host_init(&h, LKR_CAUSE_HUB_SESSION_MISMATCH);
    h.run_default = LKR_PENDING;
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_RUN | HS_F_PROMPT | HS_F_LOG);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.stop_on_run = 1;
    hs_drive(s, &h, &pol, &t, 100);
    a = t.last;
    ck_assert_uint_eq(a.kind, LKR_ACTION_HOST_STEP);
    ck_assert_uint_eq(a.state, LKR_STATE_AWAITING_TRANSPORT);
    ck_assert_uint_eq(a.step, h.run_log[0]);
    ck_assert_uint_eq(h.n_run, 1);
    /* Still pending: the same action, run_step not called again. */
    b = hs_next(s);
    ck_assert(hs_same_action(&a, &b));
    ck_assert_uint_eq(h.n_run, 1);
    /* Bad reports; no waiving of a step (or its tier) in the host's hands. */
    ck_assert_int_eq(lkr_session_report(s, a.step == 25 ? 26 : 25, LKR_OUTCOME_DONE), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_WAIVED), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, a.step, "host busy"), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, a.tier, "host busy"), LKR_E_STATE);
    info = hs_status(s);
    ck_assert_uint_eq(info.waiver_count, 0);
    /* The rest, driven: every pending host step reported DONE. */
    pol.stop_on_run = 0;
    if (hs_step_fixes(a.step, h.fault)) h.fixed = 1;
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 1000), LKR_ACTION_RECOVERED);
    ck_assert_uint_eq(hs_history(s, 0).by_host, 1);
    hs_free(&h, s);
}
END_TEST

/* A pending host step the host cannot do goes to a person; FAILED closes it. */
START_TEST(host_step_cannot_do_or_failed)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_ZIGBEE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_action a, b;

    hs_host_init(&h, 0);
    h.run_default = LKR_PENDING;
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_RUN | HS_F_PROMPT | HS_F_LOG);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.stop_on_run = 1;
    hs_drive(s, &h, &pol, &t, 100);
    a = t.last;
    ck_assert_uint_eq(a.kind, LKR_ACTION_HOST_STEP);
    ck_assert_int_eq(lkr_session_report(s, a.step, _i ? LKR_OUTCOME_FAILED : LKR_OUTCOME_CANNOT_DO),
                     LKR_OK);
    b = hs_next(s);
    if (_i == 0) {
        ck_assert_uint_eq(b.kind, LKR_ACTION_PERSON_STEP);
        ck_assert_uint_eq(b.step, a.step);
        ck_assert_uint_eq(b.phase, LKR_PHASE_PERFORM);
        ck_assert_uint_eq(h.n_run, 1);
    } else {
        ck_assert_int_eq(history_outcome(s, a.step), LKR_OUTCOME_FAILED);
        ck_assert(b.step != a.step || lkr_action_is_final(&b));
    }
    hs_free(&h, s);
}
END_TEST

/* run_step returns UNSUPPORTED (a person does it), an error or junk (the
 * step fails, with a WARN log line). */
START_TEST(host_step_unsupported_error_or_junk)
{
    static const lkr_status st[] = {LKR_E_UNSUPPORTED, LKR_E_TRANSPORT, 12345, -999, 2};
    lkr_profile p = hs_profile(LKR_PROTOCOL_ZIGBEE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_action a;
    int idx;

    hs_host_init(&h, 0);
    h.run_default = st[_i];
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_RUN | HS_F_PROMPT | HS_F_LOG);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.stop_on_run = 1;
    hs_drive(s, &h, &pol, &t, 100);
    a = t.last;
    ck_assert_uint_ge(h.n_run, 1);
    idx = hs_history_find(s, h.run_log[0]);
    ck_assert_int_ge(idx, 0);
    if (st[_i] == LKR_E_UNSUPPORTED) {
        ck_assert_uint_eq(h.n_run, 1);
        ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
        ck_assert_uint_eq(a.step, h.run_log[0]);
        ck_assert_uint_eq(a.phase, LKR_PHASE_PERFORM);
        ck_assert_uint_eq(h.n_warn, 0);
    } else {
        ck_assert_uint_eq(hs_history(s, (uint32_t)idx).outcome, LKR_OUTCOME_FAILED);
        ck_assert_uint_ge(h.n_warn, 1);
        ck_assert(!lkr_action_is_final(&a) || a.kind == LKR_ACTION_NEEDS_SUPPORT);
        /* The rest of the ladder still runs to an end. */
        pol.stop_on_run = 0;
        ck_assert(hs_drive(s, &h, &pol, &t, 3000) == LKR_ACTION_NEEDS_SUPPORT);
    }
    hs_free(&h, s);
}
END_TEST

/* The firmware checks read the version through the probe, never run_step;
 * the probe's version merges into the observations. */
START_TEST(firmware_checks_use_the_probe)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = stalled_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    unsigned i;

    hs_host_init(&h, LKR_CAUSE_WIFI_STACK_CRASH);
    snprintf(h.probe_fw, sizeof(h.probe_fw), "%s", "2.0");
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_ALL);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 2000), LKR_ACTION_RECOVERED);
    ck_assert_uint_ge(h.n_probe, 1);
    for (i = 0; i < h.n_run && i < HS_RUN_LOG; i++) {
        ck_assert_uint_ne(h.run_log[i], LKR_STEP_TRIAGE_CHECK_FIRMWARE);
        ck_assert_uint_ne(h.run_log[i], LKR_STEP_UNIVERSAL_CHECK_FIRMWARE);
    }
    ck_assert_int_ge(hs_history_find(s, LKR_STEP_TRIAGE_CHECK_FIRMWARE), 0);
    /* The lock reports the target: the update applied. */
    ck_assert(hs_beliefs(s).triage & LKR_TRIAGE_UPDATE_APPLIED);
    ck_assert(!(t.last.detail & LKR_DETAIL_UPDATE_NOT_APPLIED));
    hs_free(&h, s);
}
END_TEST

/* ==== rule 9: verification ================================================= */

/* Probe pending (VERIFY/PROBE until probe_done) or failing (ask the person). */
START_TEST(probe_pending_or_failing)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_probe_result r;
    unsigned i, probe_phase = 0, ask_phase = 0;

    hs_host_init(&h, LKR_CAUSE_APP_STALE_STATE);
    h.probe_status = _i == 0 ? LKR_PENDING : _i == 1 ? LKR_E_TRANSPORT : 4242;
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_PROBE | HS_F_PROMPT | HS_F_LOG);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 1000), LKR_ACTION_RECOVERED);
    for (i = 0; i < t.n && i < HS_TRACE_MAX; i++) {
        if (t.rec[i].kind != LKR_ACTION_VERIFY) continue;
        if (t.rec[i].phase == LKR_PHASE_PROBE) probe_phase++;
        if (t.rec[i].phase == LKR_PHASE_ASK_PERSON) ask_phase++;
    }
    ck_assert_uint_ge(h.n_probe, 1);
    if (_i == 0) {
        ck_assert_uint_ge(probe_phase, 1);
        ck_assert_uint_eq(ask_phase, 0);
    } else {
        ck_assert_uint_eq(probe_phase, 0);
        ck_assert_uint_ge(ask_phase, 1);
    }
    memset(&r, 0, sizeof(r));
    r.struct_size = (uint32_t)sizeof(r);
    ck_assert_int_eq(lkr_session_probe_done(s, LKR_OK, &r), LKR_E_STATE);
    hs_free(&h, s);
}
END_TEST

/* A pending probe that completes with an error: the person is asked. */
START_TEST(probe_done_with_error_asks_the_person)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    unsigned guard;

    hs_host_init(&h, 0);
    h.probe_status = LKR_PENDING;
    s = hs_new(&h, &p, &o, NULL, HS_F_PROBE | HS_F_PROMPT | HS_F_LOG);
    a = hs_next(s);
    for (guard = 0; a.kind != LKR_ACTION_VERIFY && guard < 50; guard++) {
        if (a.kind == LKR_ACTION_PERSON_STEP) {
            ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
        } else if (a.kind == LKR_ACTION_WAIT) {
            h.now = a.wait_until_ms;
            ck_assert_int_eq(lkr_session_tick(s), LKR_OK);
        } else if (a.kind == LKR_ACTION_BLOCKED) {
            ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, a.step, "test"), LKR_OK);
        }
        a = hs_next(s);
    }
    ck_assert_uint_eq(a.kind, LKR_ACTION_VERIFY);
    ck_assert_uint_eq(a.phase, LKR_PHASE_PROBE);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_FIXED), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_probe_done(s, LKR_OK, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_probe_done(s, LKR_E_TRANSPORT, NULL), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_VERIFY);
    ck_assert_uint_eq(a.phase, LKR_PHASE_ASK_PERSON);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_FIXED), LKR_OK);
    ck_assert_uint_eq(hs_next(s).kind, LKR_ACTION_RECOVERED);
    hs_free(&h, s);
}
END_TEST

/* "Reported fixed but the probe still fails": REFUTED, not recovered. A probe
 * that cannot tell (reachable unknown) refutes nothing: the person decides. */
START_TEST(reported_fixed_but_probe_fails_is_refuted)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_session_info info;
    uint32_t i, refuted = 0;

    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    h.probe_reach = _i ? HS_REACH_UNKNOWN : HS_REACH_NO;
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_PROBE | HS_F_PROMPT | HS_F_LOG);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.claims_fixed = 1;
    if (_i == 1) {
        ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 3000), LKR_ACTION_RECOVERED);
        info = hs_status(s);
        for (i = 0; i < info.history_count; i++)
            ck_assert_uint_ne(hs_history(s, i).outcome, LKR_OUTCOME_REFUTED);
        hs_free(&h, s);
        return;
    }
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 3000), LKR_ACTION_NEEDS_SUPPORT);
    info = hs_status(s);
    for (i = 0; i < info.history_count; i++) {
        lkr_history_entry e = hs_history(s, i);
        ck_assert_uint_ne(e.outcome, LKR_OUTCOME_FIXED);
        if (e.outcome == LKR_OUTCOME_REFUTED) refuted++;
    }
    ck_assert_uint_ge(refuted, 3);
    ck_assert_uint_eq(hs_history(s, 0).outcome, LKR_OUTCOME_REFUTED);
    hs_free(&h, s);
}
END_TEST

/* On the code ladder the person verifies, even with a probe. */
START_TEST(code_ladder_verified_by_the_person)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = hs_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    unsigned i;

    o.keypad_lights = LKR_YES;
    o.app_status = LKR_APP_ONLINE;
    o.update_state = LKR_UPDATE_NONE;
    o.codes_state = LKR_CODES_ONE_REJECTED;
    hs_host_init(&h, LKR_CAUSE_WRONG_CODE);
    h.probe_reach = HS_REACH_YES; /* reachable says nothing about a code */
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_ALL);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 1000), LKR_ACTION_RECOVERED);
    ck_assert(h.fixed);
    for (i = 0; i < t.n && i < HS_TRACE_MAX; i++)
        if (t.rec[i].kind == LKR_ACTION_VERIFY)
            ck_assert_uint_eq(t.rec[i].phase, LKR_PHASE_ASK_PERSON);
    ck_assert_uint_eq(h.n_probe, 0);
    hs_free(&h, s);
}
END_TEST

/* ==== rule 10: beliefs ====================================================== */

START_TEST(not_fixed_updates_beliefs_by_bayes)
{
    lkr_profile p = hs_profile(_i ? LKR_PROTOCOL_ZWAVE : LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = _i ? silent_obs() : local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    lkr_diagnosis before, after;
    double expect[LKR_CAUSE_HARDWARE_FAILURE + 1], total = 0.0;
    uint32_t c, step, best_cause = 0, best_fix = 0;
    unsigned guard;

    hs_host_init(&h, 0);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    a = hs_next(s);
    while (a.kind == LKR_ACTION_BLOCKED || (a.kind == LKR_ACTION_ASK && hs_worth_asking(a.question))) {
        if (a.kind == LKR_ACTION_ASK) /* "don't know": the beliefs stay as they are */
            ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UNKNOWN), LKR_OK);
        else
            ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, a.step, "test"), LKR_OK);
        a = hs_next(s);
    }
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    step = a.step;
    before = hs_beliefs(s);
    for (c = 1; c <= LKR_CAUSE_HARDWARE_FAILURE; c++) {
        uint32_t fx = hs_fix_permille(step, c);
        expect[c] = hs_belief(&before, c) * (1.0 - (double)fx / 1000.0);
        total += expect[c];
        if (fx > best_fix && hs_belief(&before, c) > 0.0) {
            best_fix = fx;
            best_cause = c;
        }
    }
    ck_assert_uint_gt(best_cause, 0);
    /* Walk the step to its end, always "not fixed". */
    for (guard = 0; guard < 20; guard++) {
        if (a.kind == LKR_ACTION_PERSON_STEP && a.step == step) {
            ck_assert_int_eq(lkr_session_report(s, step, a.phase == LKR_PHASE_PERFORM &&
                                                             hs_step(step).wait_s
                                                             ? LKR_OUTCOME_DONE
                                                             : LKR_OUTCOME_NOT_FIXED),
                             LKR_OK);
        } else if (a.kind == LKR_ACTION_WAIT) {
            h.now = a.wait_until_ms;
            ck_assert_int_eq(lkr_session_tick(s), LKR_OK);
        } else if (a.kind == LKR_ACTION_VERIFY && a.step == step) {
            ck_assert_int_eq(lkr_session_report(s, step, LKR_OUTCOME_NOT_FIXED), LKR_OK);
        } else {
            break;
        }
        a = hs_next(s);
    }
    ck_assert_int_eq(history_outcome(s, step), LKR_OUTCOME_NOT_FIXED);
    after = hs_beliefs(s);
    for (c = 1; c <= LKR_CAUSE_HARDWARE_FAILURE; c++)
        ck_assert_msg(fabs(hs_belief(&after, c) - expect[c] / total) < 1e-9,
                      "cause %u: %.12f, expected %.12f", c, hs_belief(&after, c),
                      expect[c] / total);
    ck_assert(hs_belief(&after, best_cause) < hs_belief(&before, best_cause));
    /* Ranked, most probable first. */
    for (c = 1; c < after.cause_count; c++)
        ck_assert(after.causes[c - 1].p >= after.causes[c].p);
    hs_free(&h, s);
}
END_TEST

/* ==== rule 11: the update that did not apply ================================ */

START_TEST(recovered_reports_update_not_applied)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    unsigned feat = HS_F_PERSON;

    snprintf(o.fw_before, sizeof(o.fw_before), "%s", "1.0");
    snprintf(o.fw_target, sizeof(o.fw_target), "%s", "2.0");
    snprintf(o.fw_now, sizeof(o.fw_now), "%s", _i == 1 ? "2.0" : "1.0");
    hs_host_init(&h, LKR_CAUSE_WIFI_STACK_CRASH);
    if (_i == 2) {
        /* The probe reads the new version: merged, so the update did apply. */
        feat = HS_F_PROBE | HS_F_PROMPT | HS_F_LOG;
        snprintf(h.probe_fw, sizeof(h.probe_fw), "%s", "2.0");
    }
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, feat);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 2000), LKR_ACTION_RECOVERED);
    if (_i == 0)
        ck_assert(t.last.detail & LKR_DETAIL_UPDATE_NOT_APPLIED);
    else
        ck_assert(!(t.last.detail & LKR_DETAIL_UPDATE_NOT_APPLIED));
    hs_free(&h, s);
}
END_TEST

/* ==== guards, waivers and code checks at the edges of the state machine ===== */

/* Drives a session with a person who does everything and never sees it fixed,
 * until `stop` returns 1 for an action (or the session ends). */
static lkr_action drive_until(lkr_session *s, hs_host *h, int (*stop)(const lkr_action *))
{
    lkr_action a;
    int n;
    for (n = 0; n < 400; n++) {
        a = hs_next(s);
        if (lkr_action_is_final(&a) || stop(&a)) return a;
        switch (a.kind) {
        case LKR_ACTION_WAIT: h->now = a.wait_until_ms; break;
        case LKR_ACTION_PERSON_STEP:
            ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
            break;
        case LKR_ACTION_VERIFY:
            ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_NOT_FIXED), LKR_OK);
            break;
        case LKR_ACTION_ASK:
            ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UNKNOWN), LKR_OK);
            break;
        case LKR_ACTION_BLOCKED: {
            uint32_t g;
            for (g = 1; g <= lkr_guard_count(); g++) {
                if (!(a.unmet_guards & LKR_GUARD_BIT(g))) continue;
                if (g == LKR_GUARD_CODES_BACKED_UP || g == LKR_GUARD_REPAIR_CODES_SAFE)
                    lkr__session_set_backup_verified(s, 1);
                else
                    ck_assert_int_eq(lkr_session_confirm(s, g, 1), LKR_OK);
            }
            break;
        }
        default: ck_abort_msg("unexpected action %u", a.kind);
        }
    }
    ck_abort_msg("no end");
    return a;
}

static int at_factory_reset(const lkr_action *a)
{
    return a->kind == LKR_ACTION_PERSON_STEP && a->step == LKR_STEP_RESET_FACTORY_RESET;
}

/* F1: a guard withdrawn after the step was offered blocks it again. */
START_TEST(withdrawn_guard_blocks_an_offered_step)
{
    static hs_reset_vendor vendor;
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    p.has_key_cylinder = LKR_YES;
    s = hs_new(&h, &p, &o, hs_reset_reachable(&vendor), HS_F_PERSON);
    a = drive_until(s, &h, at_factory_reset);
    ck_assert(at_factory_reset(&a));
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 0), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_BLOCKED);
    ck_assert_uint_eq(a.step, LKR_STEP_RESET_FACTORY_RESET);
    ck_assert_uint_eq(a.unmet_guards, LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN));
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_E_STATE);
    lkr__session_set_backup_verified(s, 0);
    a = hs_next(s);
    ck_assert_uint_eq(a.unmet_guards,
                      LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN) | LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP));
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 1), LKR_OK);
    lkr__session_set_backup_verified(s, 1);
    a = hs_next(s);
    ck_assert(at_factory_reset(&a));
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    ck_assert_uint_eq(hs_next(s).kind, LKR_ACTION_WAIT);
    hs_free(&h, s);
}
END_TEST

/* Saves @p s and loads the blob back (the loader checks consistency). These
 * sessions reach the factory reset on the test hook's backup, which no blob
 * carries (test_hook_is_not_saved): the loader must refuse a reset begun
 * without the vault's backup in the history. The in-hand consistency they
 * once checked here is the property test's (suite_persist.c). */
static void reloads(const lkr_session *s, hs_host *h)
{
    static unsigned char blob[LKR_SESSION_BLOB_MAX];
    size_t n = 0;
    lkr_session_config cfg;
    lkr_transport t;
    lkr_session *back = NULL;
    ck_assert_int_eq(lkr_session_save(s, blob, sizeof(blob), &n), LKR_OK);
    lkr_session_config_init(&cfg); /* the profile comes from the blob */
    hs_transport(h, &t, HS_F_PERSON);
    ck_assert_int_eq(lkr_session_load(&cfg, &t, blob, n, &back), LKR_E_CORRUPT);
    ck_assert_ptr_null(back);
}

/* Waiving another tier while a step is blocked in hand
 * keeps that step in hand, its history entry open; waiving its own tier
 * closes it as waived. Either way the saved blob loads. */
START_TEST(waiving_another_tier_keeps_the_blocked_step_in_hand)
{
    static hs_reset_vendor vendor;
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    lkr_history_entry e;
    int at;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    p.has_key_cylinder = LKR_YES;
    s = hs_new(&h, &p, &o, hs_reset_reachable(&vendor), HS_F_PERSON);
    a = drive_until(s, &h, at_factory_reset);
    ck_assert(at_factory_reset(&a));
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 0), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_BLOCKED);
    ck_assert_uint_eq(a.step, LKR_STEP_RESET_FACTORY_RESET);
    at = hs_history_find(s, LKR_STEP_RESET_FACTORY_RESET);
    ck_assert_int_ge(at, 0);
    /* Another tier (already behind): the reset stays in hand, blocked. */
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_UNIVERSAL, "done at the door"), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_BLOCKED);
    ck_assert_uint_eq(a.step, LKR_STEP_RESET_FACTORY_RESET);
    ck_assert_uint_eq(a.unmet_guards, LKR_GUARD_BIT(LKR_GUARD_DOOR_OPEN));
    e = hs_history(s, (uint32_t)at);
    ck_assert_uint_eq(e.outcome, 0); /* still open */
    reloads(s, &h);
    /* The guard back: the same step, offered again. */
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 1), LKR_OK);
    a = hs_next(s);
    ck_assert(at_factory_reset(&a));
    /* Blocked again, then its own tier waived: closed as waived, never done. */
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 0), LKR_OK);
    ck_assert_uint_eq(hs_next(s).kind, LKR_ACTION_BLOCKED);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_RESET, "no reset today"), LKR_OK);
    e = hs_history(s, (uint32_t)at);
    ck_assert_uint_eq(e.outcome, LKR_OUTCOME_WAIVED);
    a = hs_next(s);
    ck_assert(a.step != LKR_STEP_RESET_FACTORY_RESET);
    reloads(s, &h);
    hs_free(&h, s);
}
END_TEST

static int at_restore(const lkr_action *a)
{
    return a->kind == LKR_ACTION_PERSON_STEP && a->step == LKR_STEP_RESET_RESTORE_AFTER_RESET;
}

/* Review finding: the follow-up of a done factory reset is blocked in hand
 * and the reset tier is waived: the follow-up is closed as waived and the
 * reset itself is still judged and closed (it was left open). */
START_TEST(waiving_the_tier_of_a_blocked_followup_still_judges_its_step)
{
    static hs_reset_vendor vendor;
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    lkr_history_entry e;
    int reset, restore;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    p.has_key_cylinder = LKR_YES;
    s = hs_new(&h, &p, &o, hs_reset_reachable(&vendor), HS_F_PERSON);
    a = drive_until(s, &h, at_factory_reset);
    ck_assert(at_factory_reset(&a));
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    a = drive_until(s, &h, at_restore);
    ck_assert(at_restore(&a));
    /* Block the follow-up in hand: the phone leaves. */
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_PHONE_IN_RANGE, 0), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_BLOCKED);
    ck_assert_uint_eq(a.step, LKR_STEP_RESET_RESTORE_AFTER_RESET);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_RESET, "no restore today"), LKR_OK);
    reset = hs_history_find(s, LKR_STEP_RESET_FACTORY_RESET);
    restore = hs_history_find(s, LKR_STEP_RESET_RESTORE_AFTER_RESET);
    ck_assert_int_ge(reset, 0);
    ck_assert_int_ge(restore, 0);
    e = hs_history(s, (uint32_t)restore);
    ck_assert_uint_eq(e.outcome, LKR_OUTCOME_WAIVED);
    /* The reset is judged: the person is asked whether the lock works. */
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_VERIFY);
    ck_assert_uint_eq(a.step, LKR_STEP_RESET_FACTORY_RESET);
    reloads(s, &h);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_FIXED), LKR_OK);
    a = hs_next(s);
    e = hs_history(s, (uint32_t)reset);
    ck_assert_uint_eq(e.outcome, LKR_OUTCOME_FIXED);
    /* The test hook's "verified backup" stands in for a vault that checked
     * the codes back (with a real vault that cannot, see suite_vault). */
    ck_assert_uint_eq(a.kind, LKR_ACTION_RECOVERED);
    reloads(s, &h);
    hs_free(&h, s);
}
END_TEST

/* F2: a clock near its top never ends a wait at once. */
START_TEST(wait_saturates_at_the_top_of_the_clock)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = silent_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    int n;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    h.now = UINT64_MAX - 10000u;
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    for (n = 0; n < 20; n++) {
        a = hs_next(s);
        if (a.kind == LKR_ACTION_PERSON_STEP && a.step == LKR_STEP_UNIVERSAL_BATTERY_PULL) break;
        if (a.kind == LKR_ACTION_PERSON_STEP) ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_SKIPPED), LKR_OK);
        else if (a.kind == LKR_ACTION_ASK && hs_worth_asking(a.question))
            ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UNKNOWN), LKR_OK);
        else ck_abort_msg("unexpected %u", a.kind);
    }
    ck_assert_uint_eq(a.step, LKR_STEP_UNIVERSAL_BATTERY_PULL);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_WAIT);
    ck_assert(a.wait_until_ms == UINT64_MAX);
    ck_assert_int_eq(lkr_session_tick(s), LKR_PENDING);
    h.now = UINT64_MAX - 1u;
    ck_assert_int_eq(lkr_session_tick(s), LKR_PENDING);
    hs_free(&h, s);
}
END_TEST

/* F3: a pinned step blocked by the engine's own guard does not stall the
 * session: the update question is put again, and once the update is over the
 * pinned step comes. */
START_TEST(pinned_step_blocked_by_engine_guard_does_not_stall)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = hs_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    p.battery_chemistry = LKR_CHEMISTRY_NIMH;
    o.update_state = LKR_UPDATE_IN_PROGRESS;
    o.update_stalled_min = 25; /* a stall (S0: more than 10 minutes) */
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    for (a = hs_next(s); a.kind == LKR_ACTION_ASK; a = hs_next(s))
        ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UNKNOWN), LKR_OK);
    ck_assert_uint_eq(a.step, LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_SKIPPED), LKR_OK);
    a = hs_next(s);
    if (a.kind == LKR_ACTION_PERSON_STEP && a.step == LKR_STEP_TRIAGE_CHECK_FIRMWARE) {
        ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_SKIPPED), LKR_OK);
        a = hs_next(s);
    }
    /* Not stalled: the update question again; the app says it failed. */
    ck_assert_uint_eq(a.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(a.question, LKR_QUESTION_UPDATE_STATE);
    ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UPDATE_REPORTED_FAILED), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_uint_eq(a.step, LKR_STEP_UNIVERSAL_FRESH_ALKALINE); /* NiMH: fresh cells first */
    hs_free(&h, s);
}
END_TEST

/* F4: a step that does not apply to the lock cannot be waived (it would
 * only fill the history). */
START_TEST(waiving_a_foreign_step_is_refused)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_YES);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_ZWAVE_RESTART_HUB, "not mine"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_ALEXA_DISCOVER, "no alexa"), LKR_E_INVAL);
    ck_assert_uint_eq(hs_status(s).history_count, 0);
    hs_free(&h, s);
}
END_TEST

/* F5: the person says fixed, the probe fails: the person is asked again,
 * never taken for recovered on their word alone. */
START_TEST(fixed_with_a_failing_probe_asks_the_person)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    h.probe_status = LKR_E_TRANSPORT;
    s = hs_new(&h, &p, &o, NULL, HS_F_PROBE | HS_F_LOG);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_FIXED), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_VERIFY);
    ck_assert_uint_eq(a.phase, LKR_PHASE_ASK_PERSON);
    ck_assert(h.n_warn > 0);
    hs_free(&h, s);
}
END_TEST

/* F6: the dead-keypad hand-over needs both battery steps actually done. */
START_TEST(dead_keypad_needs_both_battery_steps_done)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = silent_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    int n;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    for (n = 0; n < 40; n++) {
        a = hs_next(s);
        if (a.kind == LKR_ACTION_ASK && hs_worth_asking(a.question)) {
            ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UNKNOWN), LKR_OK);
            continue;
        }
        ck_assert_uint_ne(a.kind, LKR_ACTION_ASK); /* never asked: nothing was performed */
        if (a.kind != LKR_ACTION_PERSON_STEP || hs_step(a.step).tier != LKR_TIER_UNIVERSAL) break;
        ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_SKIPPED), LKR_OK);
    }
    ck_assert(!(hs_status(s).support_reasons & LKR_SUPPORT_DEAD_KEYPAD));
    hs_free(&h, s);
}
END_TEST

static int at_verify_codes(const lkr_action *a)
{
    return a->kind == LKR_ACTION_PERSON_STEP && a->step == LKR_STEP_REPAIR_VERIFY_CODES;
}

/* F7: waiving a follow-up still judges (and closes) its parent; abort closes
 * whatever is open. */
START_TEST(waived_followup_judges_its_parent)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;
    int parent;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    a = drive_until(s, &h, at_verify_codes);
    ck_assert(at_verify_codes(&a));
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_REPAIR_VERIFY_CODES, "app shows them"), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_VERIFY);
    ck_assert_uint_eq(a.step, LKR_STEP_REPAIR_REMOVE_AND_READD);
    ck_assert_int_eq(lkr_session_abort(s), LKR_OK);
    parent = hs_history_find(s, LKR_STEP_REPAIR_REMOVE_AND_READD);
    ck_assert_int_ge(parent, 0);
    ck_assert_uint_ne(hs_history(s, (uint32_t)parent).outcome, LKR_OUTCOME_NONE);
    ck_assert(hs_history(s, (uint32_t)parent).ended_ms != 0);
    hs_free(&h, s);
}
END_TEST

/* Digit runs in waiver reasons are masked: a PIN typed by mistake is never kept. */
START_TEST(waiver_reasons_mask_digit_runs)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_waiver w = LKR_WAIVER_INIT;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, "code 482913 in 2 min"), LKR_OK);
    ck_assert_int_eq(lkr_session_waiver(s, 0, &w), LKR_OK);
    ck_assert_str_eq(w.reason, "code ###### in 2 min");
    hs_free(&h, s);
}
END_TEST

/* ==== rule 12: support ===================================================== */

START_TEST(support_reasons)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_BLE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    uint32_t want = LKR_SUPPORT_LADDER_EXHAUSTED, never = LKR_SUPPORT_DEAD_KEYPAD;
    unsigned feat = HS_F_PERSON;

    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    switch (_i) {
    case 0: /* the same error code throughout */
        snprintf(o.error_code, sizeof(o.error_code), "%s", "-1");
        snprintf(h.probe_error, sizeof(h.probe_error), "%s", "-1");
        feat = HS_F_ALL;
        want |= LKR_SUPPORT_SAME_ERROR_CODE | LKR_SUPPORT_AFTER_UPDATE;
        break;
    case 1: /* a second phone fails too: handed over once the protocol path is done */
        o.second_phone_connects = LKR_NO;
        want = LKR_SUPPORT_SEVERAL_PHONES | LKR_SUPPORT_AFTER_UPDATE;
        never |= LKR_SUPPORT_SAME_ERROR_CODE | LKR_SUPPORT_LADDER_EXHAUSTED;
        break;
    case 2: /* no update involved */
        o.update_state = LKR_UPDATE_NONE;
        never |= LKR_SUPPORT_AFTER_UPDATE | LKR_SUPPORT_SEVERAL_PHONES |
                 LKR_SUPPORT_SAME_ERROR_CODE | LKR_SUPPORT_RESET_REFUSED;
        break;
    default: /* the lock now reports another error code */
        snprintf(o.error_code, sizeof(o.error_code), "%s", "-1");
        snprintf(h.probe_error, sizeof(h.probe_error), "%s", "E7");
        feat = HS_F_ALL;
        never |= LKR_SUPPORT_SAME_ERROR_CODE;
        break;
    }
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, feat);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 3000), LKR_ACTION_NEEDS_SUPPORT);
    ck_assert_uint_eq(t.last.detail & want, want);
    ck_assert_uint_eq(t.last.detail & never, 0);
    ck_assert_uint_eq(t.last.tier, LKR_TIER_SUPPORT);
    ck_assert_uint_eq(hs_status(s).state, LKR_STATE_NEEDS_SUPPORT);
    hs_free(&h, s);
}
END_TEST

/* Completely silent, fresh cells and a 30 s pull did nothing: is the keypad
 * still dark? NO: support, dead keypad. YES: the ladder goes on. */
START_TEST(dead_keypad_goes_to_support_early)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_ZIGBEE, 0, LKR_NO);
    lkr_observations o = silent_obs(), ans = hs_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    unsigned i;
    int ask = -1;

    ans.keypad_lights = _i ? LKR_YES : LKR_NO;
    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.answers = &ans;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 3000), LKR_ACTION_NEEDS_SUPPORT);
    for (i = 0; i < t.n && i < HS_TRACE_MAX; i++)
        if (t.rec[i].kind == LKR_ACTION_ASK && t.rec[i].question == LKR_QUESTION_KEYPAD_LIGHTS) {
            ask = (int)i;
            break;
        }
    ck_assert_int_ge(ask, 0);
    ck_assert_int_lt(hs_trace_find(&t, LKR_STEP_UNIVERSAL_FRESH_ALKALINE), ask);
    ck_assert_int_lt(hs_trace_find(&t, LKR_STEP_UNIVERSAL_BATTERY_PULL), ask);
    ck_assert_int_ne(history_outcome(s, LKR_STEP_UNIVERSAL_FRESH_ALKALINE), LKR_OUTCOME_FIXED);
    ck_assert_int_ne(history_outcome(s, LKR_STEP_UNIVERSAL_BATTERY_PULL), LKR_OUTCOME_FIXED);
    if (_i == 0) {
        ck_assert(t.last.detail & LKR_SUPPORT_DEAD_KEYPAD);
        ck_assert(t.last.step == LKR_STEP_SUPPORT_CONTACT_MANUFACTURER ||
                  t.last.step == LKR_STEP_SUPPORT_LOCKSMITH);
        /* Nothing after the question. */
        for (i = (unsigned)ask + 1; i < t.n && i < HS_TRACE_MAX; i++)
            ck_assert(t.rec[i].kind == LKR_ACTION_NEEDS_SUPPORT);
    } else {
        ck_assert(!(t.last.detail & LKR_SUPPORT_DEAD_KEYPAD));
        ck_assert_int_ge(hs_trace_find(&t, LKR_STEP_ZIGBEE_RESTART_HUB), ask);
    }
    hs_free(&h, s);
}
END_TEST

/* ==== rule 13: waivers ====================================================== */

START_TEST(waive_validation)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    char reason[80];
    lkr_waiver w = LKR_WAIVER_INIT;
    lkr_session_info info;
    uint32_t id, n = 0;

    hs_host_init(&h, 0);
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_REPAIR, NULL), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_REPAIR, ""), LKR_E_INVAL);
    memset(reason, 'x', 64);
    reason[64] = '\0';
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_REPAIR, reason), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_REPAIR, "tab\there"),
                     LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_REPAIR, "new\nline"),
                     LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_REPAIR, "\x7f"), LKR_E_INVAL);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_SUPPORT, "no support"),
                     LKR_E_INVAL);
    ck_assert_uint_eq(hs_status(s).waiver_count, 0);
    /* LKR_REASON_MAX - 1 printable characters are fine. */
    reason[LKR_REASON_MAX - 1] = '\0';
    h.now += 777;
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_REPAIR, reason), LKR_OK);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_REPAIR, "again"), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_waiver(s, 0, &w), LKR_OK);
    ck_assert_uint_eq(w.kind, LKR_WAIVE_TIER);
    ck_assert_uint_eq(w.id, LKR_TIER_REPAIR);
    ck_assert_uint_eq(w.at_ms, h.now);
    ck_assert_str_eq(w.reason, reason);
    n = 1;
    /* A waived step: a WAIVED history entry; twice is a state error. */
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_WIFI_IMPROVE_RANGE, "no ladder"),
                     LKR_OK);
    n++;
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_WIFI_IMPROVE_RANGE, "again"),
                     LKR_E_STATE);
    ck_assert_int_eq(history_outcome(s, LKR_STEP_WIFI_IMPROVE_RANGE), LKR_OUTCOME_WAIVED);
    /* Fill the list, then one more is out of range. */
    for (id = LKR_STEP_CODE_COLD_WEATHER; n < LKR_WAIVERS_MAX; id--, n++)
        ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, id, "fill"), LKR_OK);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, id, "one too many"), LKR_E_RANGE);
    info = hs_status(s);
    ck_assert_uint_eq(info.waiver_count, LKR_WAIVERS_MAX);
    ck_assert(info.tiers_done & (1u << LKR_TIER_REPAIR));
    ck_assert_int_eq(lkr_session_waiver(s, LKR_WAIVERS_MAX, &w), LKR_E_RANGE);
    hs_free(&h, s);
}
END_TEST

/* No waiving a step mid-wait, nor its tier; other things may be waived. */
START_TEST(waive_refused_mid_wait)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    lkr_observations o = silent_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_action a;

    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    a = drive_to_step(s, &h, &pol, &t, LKR_STEP_UNIVERSAL_BATTERY_PULL);
    ck_assert_int_eq(lkr_session_report(s, a.step, LKR_OUTCOME_DONE), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_WAIT);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_UNIVERSAL_BATTERY_PULL, "hurry"),
                     LKR_E_STATE);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_UNIVERSAL, "hurry"),
                     LKR_E_STATE);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_ECOSYSTEM, "none linked"),
                     LKR_OK);
    h.now = a.wait_until_ms;
    ck_assert_int_eq(lkr_session_tick(s), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_uint_eq(a.phase, LKR_PHASE_RESUME);
    /* Resume is still mid-step. */
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_STEP, LKR_STEP_UNIVERSAL_BATTERY_PULL, "hurry"),
                     LKR_E_STATE);
    hs_free(&h, s);
}
END_TEST

/* Waiving a tier moves past it; waiving the reset tier hands over with
 * RESET_REFUSED and the reset is never offered. */
START_TEST(waived_tiers_are_skipped)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_MATTER, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;
    lkr_action a;
    unsigned i;

    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_PERSON);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_PROTOCOL, "done it already"),
                     LKR_OK);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_RESET, "keep the codes"),
                     LKR_OK);
    a = hs_next(s);
    ck_assert_uint_ne(a.tier, LKR_TIER_PROTOCOL);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 3000), LKR_ACTION_NEEDS_SUPPORT);
    ck_assert(t.last.detail & LKR_SUPPORT_RESET_REFUSED);
    for (i = 0; i < t.n && i < HS_TRACE_MAX; i++) {
        if (t.rec[i].step == 0) continue;
        ck_assert_uint_ne(hs_step(t.rec[i].step).tier, LKR_TIER_PROTOCOL);
        ck_assert_uint_ne(t.rec[i].step, LKR_STEP_RESET_FACTORY_RESET);
    }
    ck_assert(hs_status(s).tiers_done & (1u << LKR_TIER_PROTOCOL));
    ck_assert(hs_status(s).tiers_done & (1u << LKR_TIER_RESET));
    hs_free(&h, s);
}
END_TEST

/* ==== rules 14, 15: abort and bad reports ================================== */

START_TEST(abort_is_final)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_ZWAVE, 0, LKR_NO);
    lkr_observations o = local_ok_obs();
    hs_host h;
    lkr_session *s;
    lkr_action a;

    hs_host_init(&h, 0);
    s = hs_new(&h, &p, _i ? &o : NULL, NULL, HS_F_ALL);
    a = hs_next(s);
    ck_assert_int_eq(lkr_session_abort(s), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_ABORTED);
    ck_assert_uint_eq(a.state, LKR_STATE_ABORTED);
    ck_assert(lkr_action_is_final(&a));
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_ABORTED);
    ck_assert_uint_eq(hs_status(s).state, LKR_STATE_ABORTED);
    ck_assert_int_eq(lkr_session_report(s, LKR_STEP_UNIVERSAL_BATTERY_PULL, LKR_OUTCOME_DONE),
                     LKR_E_STATE);
    ck_assert_int_eq(lkr_session_answer(s, LKR_QUESTION_UPDATE_STATE, LKR_UPDATE_NONE),
                     LKR_E_STATE);
    ck_assert_int_eq(lkr_session_confirm(s, LKR_GUARD_DOOR_OPEN, 1), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_waive(s, LKR_WAIVE_TIER, LKR_TIER_REPAIR, "late"), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_observe(s, &o), LKR_E_STATE);
    ck_assert_int_eq(lkr_session_abort(s), LKR_E_STATE);
    ck_assert_uint_eq(hs_next(s).kind, LKR_ACTION_ABORTED);
    hs_free(&h, s);
}
END_TEST

/* ==== rule 17: prompts; rule 16: no allocation ============================== */

START_TEST(prompt_once_per_new_action)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, 0, LKR_NO);
    hs_host h;
    lkr_session *s;
    lkr_action a;

    hs_host_init(&h, 0);
    s = hs_new(&h, &p, NULL, NULL, HS_F_PERSON);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(h.n_prompt, 1);
    ck_assert_uint_eq(h.last_prompt.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(h.last_prompt.question, a.question);
    a = hs_next(s);
    a = hs_next(s);
    ck_assert_uint_eq(h.n_prompt, 1);
    ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_UPDATE_REPORTED_OK), LKR_OK);
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_ASK);
    ck_assert_uint_eq(h.n_prompt, 2);
    ck_assert_uint_eq(h.last_prompt.question, a.question);
    ck_assert_int_eq(lkr_session_answer(s, a.question, LKR_NO), LKR_OK); /* keypad dark */
    a = hs_next(s);
    ck_assert_uint_eq(a.kind, LKR_ACTION_PERSON_STEP);
    ck_assert_uint_eq(h.n_prompt, 3);
    ck_assert_uint_eq(h.last_prompt.step, a.step);
    ck_assert_uint_eq(h.last_prompt.kind, LKR_ACTION_PERSON_STEP);
    a = hs_next(s);
    ck_assert_uint_eq(h.n_prompt, 3);
    hs_free(&h, s);
}
END_TEST

START_TEST(no_allocation_during_a_recovery)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_WIFI, LKR_ECOSYSTEMS_ALL, LKR_YES);
    lkr_observations o = local_ok_obs();
    hs_host h;
    hs_policy pol;
    static hs_trace t;
    lkr_session *s;

    hs_host_init(&h, LKR_CAUSE_HARDWARE_FAILURE);
    memset(&t, 0, sizeof(t));
    s = hs_new(&h, &p, &o, NULL, HS_F_ALL);
    hs_policy_init(&pol, &p);
    pol.obs = &o;
    pol.early_ticks = 1;
    ck_assert_uint_eq(hs_drive(s, &h, &pol, &t, 3000), LKR_ACTION_NEEDS_SUPPORT);
    ck_assert_uint_eq(h.n_alloc, 1);
    ck_assert_uint_eq(h.n_free, 0);
    ck_assert_uint_le(hs_status(s).history_count, LKR_HISTORY_MAX);
    hs_free(&h, s);
    ck_assert_uint_eq(h.n_free, 1);
    ck_assert_uint_eq(h.live, 0);
}
END_TEST

/* ==== rule 18: the pre-update checklist ===================================== */

START_TEST(preflight_checklist)
{
    lkr_profile p = hs_profile(LKR_PROTOCOL_ZWAVE, 0, LKR_NO);
    lkr_preflight_input in = LKR_PREFLIGHT_INPUT_INIT;
    const uint32_t base = LKR_PREFLIGHT_FRESH_ALKALINE | LKR_PREFLIGHT_BATTERY_50 |
                          LKR_PREFLIGHT_PHYSICAL_KEY | LKR_PREFLIGHT_AUTOMATIONS_PAUSED |
                          LKR_PREFLIGHT_PHONE_IN_RANGE;
    uint32_t unmet = 0;

    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_GUARD);
    ck_assert_uint_eq(unmet, base);
    in.android = LKR_YES;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_GUARD);
    ck_assert_uint_eq(unmet, base | LKR_PREFLIGHT_SCREEN_AWAKE);
    /* Everything met. */
    in.battery_pct = 50;
    in.cells_fresh = LKR_YES;
    in.key_on_person = LKR_YES;
    in.automations_paused = LKR_YES;
    in.phone_stays_in_range = LKR_YES;
    in.screen_kept_awake = LKR_YES;
    unmet = 0xFFu;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_OK);
    ck_assert_uint_eq(unmet, 0);
    in.android = LKR_NO;
    in.screen_kept_awake = LKR_UNKNOWN;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_OK);
    ck_assert_uint_eq(unmet, 0);
    /* 49 % is under the line. */
    in.battery_pct = 49;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_GUARD);
    ck_assert_uint_eq(unmet, LKR_PREFLIGHT_BATTERY_50);
    in.battery_pct = 50;
    /* No key on the person. */
    in.key_on_person = LKR_NO;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_GUARD);
    ck_assert_uint_eq(unmet, LKR_PREFLIGHT_PHYSICAL_KEY);
    in.key_on_person = LKR_YES;
    /* Fresh NiMH cells are still NiMH. */
    p.battery_chemistry = LKR_CHEMISTRY_NIMH;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_GUARD);
    ck_assert_uint_eq(unmet, LKR_PREFLIGHT_FRESH_ALKALINE);
    /* Bad values. */
    p.battery_chemistry = LKR_CHEMISTRY_ALKALINE;
    in.battery_pct = 101;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_INVAL);
    in.battery_pct = 50;
    in.cells_fresh = 7;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_INVAL);
    in.cells_fresh = LKR_YES;
    p.protocol = 0;
    ck_assert_int_eq(lkr_preflight(&p, &in, &unmet), LKR_E_INVAL);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *api = tcase_create("api");
    TCase *ask = tcase_create("questions");
    TCase *choice = tcase_create("choice");
    TCase *guards = tcase_create("guards");
    TCase *steps = tcase_create("lifecycle");
    TCase *host = tcase_create("host");
    TCase *verify = tcase_create("verify");
    TCase *support = tcase_create("support");
    TCase *waive = tcase_create("waivers");

    tcase_add_test(api, new_and_free_with_counting_allocator);
    tcase_add_test(api, new_rejects_bad_configuration);
    tcase_add_test(api, bad_input_to_every_session_function);
    tcase_add_loop_test(api, abort_is_final, 0, 2);
    tcase_add_test(api, prompt_once_per_new_action);
    tcase_add_test(api, no_allocation_during_a_recovery);
    tcase_add_test(api, preflight_checklist);
    suite_add_tcase(s, api);

    tcase_add_test(ask, questions_all_unknown_fall_back_to_universal);
    tcase_add_test(ask, questions_stall_minutes_only_when_in_progress_no_codes_without_keypad);
    tcase_add_test(ask, questions_stop_as_soon_as_the_symptom_is_known);
    suite_add_tcase(s, ask);

    tcase_add_loop_test(choice, choice_is_best_score_per_cost, 0, 10);
    tcase_add_test(choice, disabled_steps_never_offered);
    tcase_add_loop_test(choice, not_fixed_updates_beliefs_by_bayes, 0, 2);
    suite_add_tcase(s, choice);

    tcase_add_test(guards, confirm_rules);
    tcase_add_test(guards, factory_reset_refused_until_every_guard_holds);
    tcase_add_loop_test(guards, guard_refuses_then_allows, 0,
                        (int)(sizeof(guard_rows) / sizeof(guard_rows[0])));
    tcase_add_test(guards, backup_offered_before_a_code_erasing_repair);
    tcase_add_test(guards, person_guard_blocks_the_best_step);
    tcase_add_test(guards, engine_guard_is_passed_over_then_blocks);
    tcase_add_test(guards, followup_needs_its_guards);
    suite_add_tcase(s, guards);

    tcase_add_test(steps, battery_pull_lifecycle_on_the_host_clock);
    tcase_add_loop_test(steps, fixed_in_perform_skips_the_waits, 0, 2);
    tcase_add_loop_test(steps, closing_outcomes_leave_beliefs_unchanged, 0, 3);
    tcase_add_loop_test(steps, waits_equal_the_catalog, 0, (int)(sizeof(timed) / sizeof(timed[0])));
    suite_add_tcase(s, steps);

    tcase_add_test(host, host_runs_steps);
    tcase_add_test(host, host_step_pending_then_reported);
    tcase_add_loop_test(host, host_step_cannot_do_or_failed, 0, 2);
    tcase_add_loop_test(host, host_step_unsupported_error_or_junk, 0, 5);
    tcase_add_test(host, firmware_checks_use_the_probe);
    suite_add_tcase(s, host);

    tcase_add_loop_test(verify, probe_pending_or_failing, 0, 3);
    tcase_add_test(verify, probe_done_with_error_asks_the_person);
    tcase_add_loop_test(verify, reported_fixed_but_probe_fails_is_refuted, 0, 2);
    tcase_add_test(verify, code_ladder_verified_by_the_person);
    tcase_add_loop_test(verify, recovered_reports_update_not_applied, 0, 3);
    suite_add_tcase(s, verify);

    tcase_add_loop_test(support, support_reasons, 0, 4);
    {
        TCase *review = tcase_create("review");
        tcase_add_test(review, withdrawn_guard_blocks_an_offered_step);
        tcase_add_test(review, waiving_another_tier_keeps_the_blocked_step_in_hand);
        tcase_add_test(review, waiving_the_tier_of_a_blocked_followup_still_judges_its_step);
        tcase_add_test(review, wait_saturates_at_the_top_of_the_clock);
        tcase_add_test(review, pinned_step_blocked_by_engine_guard_does_not_stall);
        tcase_add_test(review, waiving_a_foreign_step_is_refused);
        tcase_add_test(review, fixed_with_a_failing_probe_asks_the_person);
        tcase_add_test(review, dead_keypad_needs_both_battery_steps_done);
        tcase_add_test(review, waived_followup_judges_its_parent);
        tcase_add_test(review, waiver_reasons_mask_digit_runs);
        suite_add_tcase(s, review);
    }
    tcase_add_loop_test(support, dead_keypad_goes_to_support_early, 0, 2);
    suite_add_tcase(s, support);

    tcase_add_test(waive, waive_validation);
    tcase_add_test(waive, waive_refused_mid_wait);
    tcase_add_test(waive, waived_tiers_are_skipped);
    suite_add_tcase(s, waive);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(engine_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
