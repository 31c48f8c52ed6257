/*
 * The host's inputs to a session: what a step did (report), answers and
 * facts (answer, observe, probe_done), the clock (tick), confirmations,
 * waivers and abort. Each checks its input and the phase, changes the facts,
 * and lets the machine advance (step.c). docs/ENGINE.md, docs/ARCHITECTURE.md.
 */
#include <stddef.h>
#include <string.h>

#include "session_int.h"

#define STEP_BIT LKR__STEP_BIT

static int session_ok(const lkr_session *s)
{
    return s != NULL && s->magic == LKR__SESSION_MAGIC;
}

static int is_final_phase(const lkr_session *s)
{
    return s->phase == LKR__P_FINAL;
}

/* ---- what a step did ----------------------------------------------------------- */

static lkr_status report_run(lkr_session *s, uint32_t step, uint32_t outcome)
{
    uint64_t now;
    if (!session_ok(s) || outcome < LKR_OUTCOME_FIXED || outcome > LKR_OUTCOME_FAILED) {
        return LKR_E_INVAL;
    }
    if (is_final_phase(s)) {
        return LKR_E_STATE;
    }
    /* Only a wait that ended moves the machine before the report is judged:
     * a step is reported only once it was offered (never one the report
     * itself would begin). */
    if (lkr__phases[s->phase].flags & LKR__PF_TIMED) {
        lkr__advance(s);
    }
    now = lkr__now(s);
    switch (s->phase) {
    case LKR__P_PERFORM:
    case LKR__P_RESUME:
    case LKR__P_HOST:
        if (step != s->cur_step) {
            return LKR_E_STATE;
        }
        if (outcome == LKR_OUTCOME_CANNOT_DO && s->phase == LKR__P_HOST) {
            s->hist[s->cur_hist].by_host = 0;
            s->by_host = 0;
            lkr__enter(s, LKR__P_PERFORM); /* a person does it */
            break;
        }
        if (outcome == LKR_OUTCOME_SKIPPED || outcome == LKR_OUTCOME_CANNOT_DO ||
            outcome == LKR_OUTCOME_FAILED) {
            lkr__close_entry(s, s->cur_hist, outcome, now);
            lkr__end_step(s); /* a failed follow-up: the step is still judged */
            break;
        }
        lkr__performed_part(s, outcome, s->phase == LKR__P_PERFORM, now);
        break;
    case LKR__P_VERIFY_ASK:
        if (step != s->verify_step) {
            return LKR_E_STATE;
        }
        if (outcome == LKR_OUTCOME_FIXED) {
            s->last_report = LKR_OUTCOME_FIXED;
            lkr__recovered(s, now);
        } else if (outcome == LKR_OUTCOME_NOT_FIXED) {
            lkr__not_fixed(s, 0, now);
        } else {
            return LKR_E_INVAL;
        }
        break;
    default:
        return LKR_E_STATE;
    }
    lkr__advance(s);
    return LKR_OK;
}


static lkr_status set_answer(lkr_session *s, uint32_t q, int32_t v)
{
    lkr_observations *o = &s->obs;
    int tri = v == LKR_UNKNOWN || v == LKR_NO || v == LKR_YES;
    /* "Don't know" to a yes/no question asked again (the dead keypad's
     * re-ask) keeps what was known: it is no evidence either way. */
    if (v == LKR_UNKNOWN && q == LKR_QUESTION_KEYPAD_LIGHTS && o->keypad_lights != LKR_UNKNOWN) {
        return LKR_OK;
    }
    switch (q) {
    case LKR_QUESTION_UPDATE_STATE:
        if (v < 0 || v > LKR_UPDATE_STATE_MAX) return LKR_E_INVAL;
        if (v == LKR_UPDATE_UNKNOWN && o->update_state == LKR_UPDATE_IN_PROGRESS) {
            break; /* "don't know" does not end a transfer that was running */
        }
        o->update_state = (uint8_t)v;
        if (v != LKR_UPDATE_IN_PROGRESS) o->update_stalled_min = LKR_NUM_UNKNOWN;
        break;
    case LKR_QUESTION_UPDATE_STALLED_MIN:
        if (v != LKR_NUM_UNKNOWN && (v < 0 || v > 1000000)) return LKR_E_INVAL;
        o->update_stalled_min = v;
        break;
    case LKR_QUESTION_KEYPAD_LIGHTS:
        if (!tri) return LKR_E_INVAL;
        o->keypad_lights = (uint8_t)v;
        break;
    case LKR_QUESTION_APP_STATUS:
        if (v < 0 || v > LKR_APP_STATUS_MAX) return LKR_E_INVAL;
        o->app_status = (uint8_t)v;
        break;
    case LKR_QUESTION_CODES_STATE:
        if (v < 0 || v > LKR_CODE_STATE_MAX) return LKR_E_INVAL;
        o->codes_state = (uint8_t)v;
        break;
    case LKR_QUESTION_LOCAL_CONTROL:
        if (!tri) return LKR_E_INVAL;
        o->local_control_works = (uint8_t)v;
        break;
    case LKR_QUESTION_FIRMWARE_VERSION:
        if (v != LKR_UNKNOWN) return LKR_E_INVAL; /* the version itself comes through observe */
        break;
    case LKR_QUESTION_SECOND_PHONE:
    case LKR_QUESTION_HUB_DEVICES:
    case LKR_QUESTION_UPDATE_PENDING:
        if (!tri) return LKR_E_INVAL;
        *lkr__vq_fact(s, lkr__vq_of(q)) = (uint8_t)v;
        break;
    default:
        return LKR_E_INVAL;
    }
    return LKR_OK;
}

static lkr_status answer_run(lkr_session *s, uint32_t question, int32_t value)
{
    lkr_status st;
    if (!session_ok(s) || question < 1 || question > LKR_QUESTION_MAX) {
        return LKR_E_INVAL;
    }
    if (is_final_phase(s) || s->phase != LKR__P_ASK || s->question != question) {
        return LKR_E_STATE;
    }
    if ((st = set_answer(s, question, value)) != LKR_OK) {
        return st;
    }
    s->asked |= 1u << question;
    s->question = 0;
    if (lkr__vq_of(question) != NULL) {
        /* finding the answer took the person's time, whatever it was */
        s->person_minutes += lkr__vq_of(question)->cost_min;
    }
    if (question == LKR_QUESTION_FIRMWARE_VERSION) {
        s->need_fw = 0;
        lkr__start_verify(s);
    } else if (s->dead_keypad_asked && question == LKR_QUESTION_KEYPAD_LIGHTS &&
               s->ladder != LKR_LADDER_NONE) {
        lkr__reclassify(s);
        lkr__enter(s, LKR__P_IDLE);
        if (value == LKR_NO) {
            lkr__needs_support(s, LKR_SUPPORT_DEAD_KEYPAD, lkr__now(s));
            return LKR_OK;
        }
    } else {
        lkr__reclassify(s);
        lkr__enter(s, LKR__P_IDLE);
    }
    lkr__advance(s);
    return LKR_OK;
}

/* Copies the known facts of `in` over `o`. */
static void merge_obs(lkr_observations *o, const lkr_observations *in)
{
#define TRI(f) if (in->f != LKR_UNKNOWN) o->f = in->f
#define NUM(f) if (in->f != LKR_NUM_UNKNOWN) o->f = in->f
#define STR(f) if (in->f[0] != '\0') memcpy(o->f, in->f, sizeof(o->f))
    NUM(update_progress_pct);
    NUM(update_stalled_min);
    NUM(battery_pct);
    NUM(cell_mv);
    TRI(keypad_lights);
    TRI(keypad_accepts_codes);
    TRI(local_control_works);
    TRI(app_status);
    TRI(update_state);
    TRI(hub_online);
    TRI(bridge_online);
    TRI(other_wifi_devices_work);
    TRI(wifi_24ghz_on);
    TRI(wifi_security);
    TRI(network_changed);
    TRI(ip_changed);
    TRI(signal_weak);
    TRI(phone_in_range);
    TRI(app_permissions_ok);
    TRI(second_phone_connects);
    TRI(software_outdated);
    TRI(codes_state);
    TRI(code_expired);
    TRI(lockout_active);
    TRI(keypad_dirty);
    TRI(keypad_erratic);
    TRI(works_door_open_only);
    TRI(wrong_position);
    TRI(extreme_cold);
    TRI(router_online);
    STR(fw_before);
    STR(fw_target);
    STR(fw_now);
    STR(error_code);
#undef TRI
#undef NUM
#undef STR
    if (o->update_state != LKR_UPDATE_IN_PROGRESS) {
        o->update_stalled_min = LKR_NUM_UNKNOWN;
    }
}

static lkr_status observe_run(lkr_session *s, const lkr_observations *obs)
{
    lkr_observations merged, in;
    lkr_status st;
    if (!session_ok(s) || obs == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr_observations_validate(obs)) != LKR_OK) {
        return st;
    }
    if (is_final_phase(s)) {
        return LKR_E_STATE;
    }
    lkr_observations_init(&in);
    (void)lkr__ingest(&in, sizeof(in), obs, LKR__OBSERVATIONS_MIN_SIZE); /* validated above */
    merged = s->obs;
    merge_obs(&merged, &in);
    if ((st = lkr_observations_validate(&merged)) != LKR_OK ||
        (st = lkr__consistent(&s->profile, &merged)) != LKR_OK) {
        return st;
    }
    if (in.error_code[0] != '\0' && s->hist_count > 0) {
        s->error_reobserved = 1;
    }
    s->obs = merged;
    lkr__reclassify(s);
    if (s->phase == LKR__P_ASK) {
        if (s->question == LKR_QUESTION_FIRMWARE_VERSION) {
            if (s->obs.fw_now[0] != '\0') {
                s->asked |= 1u << LKR_QUESTION_FIRMWARE_VERSION;
                s->need_fw = 0;
                lkr__start_verify(s);
            }
        } else if (!s->dead_keypad_asked || s->question != LKR_QUESTION_KEYPAD_LIGHTS) {
            lkr__enter(s, LKR__P_IDLE); /* re-ask only what is still unknown */
        } else if (s->obs.keypad_lights != LKR_UNKNOWN) {
            s->asked |= 1u << LKR_QUESTION_KEYPAD_LIGHTS;
            lkr__enter(s, LKR__P_IDLE);
            if (s->obs.keypad_lights == LKR_NO) {
                lkr__needs_support(s, LKR_SUPPORT_DEAD_KEYPAD, lkr__now(s));
                return LKR_OK;
            }
        }
    }
    lkr__advance(s);
    return LKR_OK;
}

static lkr_status tick_run(lkr_session *s)
{
    if (!session_ok(s)) {
        return LKR_E_INVAL;
    }
    if (is_final_phase(s)) {
        return LKR_E_STATE; /* recovered, handed over or aborted: no clock to keep */
    }
    if (s->phase == LKR__P_HOLD || s->phase == LKR__P_SETTLE) {
        if (lkr__now(s) < s->wait_until_ms) {
            return LKR_PENDING;
        }
        lkr__advance(s);
    }
    return LKR_OK;
}

static lkr_status probe_done_run(lkr_session *s, lkr_status status, const lkr_probe_result *result)
{
    lkr_probe_result r;
    uint32_t size;
    if (!session_ok(s) || (status == LKR_OK && result == NULL) || status == LKR_PENDING) {
        return LKR_E_INVAL;
    }
    if (s->phase != LKR__P_VERIFY_PROBE) {
        return LKR_E_STATE;
    }
    if (status == LKR_OK) {
        /* Read up to the host's own struct_size (as lkr__ingest does), the
         * rest at "unknown". A newer host's fields this library does not know
         * are facts it can ignore: their values are not checked. */
        memcpy(&size, result, sizeof(size));
        if (size < LKR__PROBE_RESULT_MIN_SIZE || size > LKR__STRUCT_SIZE_MAX) {
            return LKR_E_INVAL;
        }
        lkr__probe_result_defaults(&r);
        memcpy(&r, result, size < sizeof(r) ? size : sizeof(r));
        r.struct_size = (uint32_t)sizeof(r);
    }
    lkr__judge_probe(s, lkr__is_transport_status(status) ? status : LKR_E_PROTOCOL, status == LKR_OK ? &r : NULL,
                     lkr__now(s));
    lkr__advance(s);
    return LKR_OK;
}

static lkr_status confirm_run(lkr_session *s, uint32_t guard, int holds)
{
    const uint32_t confirmable = LKR__GUARDS_CONFIRMABLE;
    if (!session_ok(s) || guard < 1 || guard > LKR__GUARD_COUNT ||
        !(confirmable & LKR_GUARD_BIT(guard)) || (holds != 0 && holds != 1)) {
        return LKR_E_INVAL;
    }
    if (is_final_phase(s)) {
        return LKR_E_STATE;
    }
    if (guard == LKR_GUARD_PHYSICAL_KEY && holds && s->profile.has_key_cylinder == LKR_NO) {
        return LKR_E_UNSUPPORTED;
    }
    /* Notes a step that may erase codes began on cannot be taken back: the
     * codes may be gone already, and the notes are what they come back from
     * (the saved session keeps that evidence). */
    if (guard == LKR_GUARD_CODES_NOTED && !holds && lkr__notes_relied_on(s)) {
        return LKR_E_STATE;
    }
    if (holds) {
        s->confirmed |= LKR_GUARD_BIT(guard);
    } else {
        s->confirmed &= ~LKR_GUARD_BIT(guard);
    }
    return LKR_OK;
}

/* ---- waivers ---------------------------------------------------------------------- */

static int reason_ok(const char *r)
{
    size_t n;
    if (r == NULL) {
        return 0;
    }
    for (n = 0; r[n] != '\0'; n++) {
        if (n >= LKR_REASON_MAX - 1 || (unsigned char)r[n] < 0x20 || (unsigned char)r[n] == 0x7F) {
            return 0;
        }
    }
    return n > 0;
}

/* Runs of four or more digits become '#': a PIN typed into a reason by
 * mistake never reaches a report or a blob. */
static void mask_digit_runs(char *text)
{
    size_t i = 0, j;
    while (text[i] != '\0') {
        if (text[i] >= '0' && text[i] <= '9') {
            for (j = i; text[j] >= '0' && text[j] <= '9'; j++) {
            }
            if (j - i >= 4) {
                memset(text + i, '#', j - i);
            }
            i = j;
        } else {
            i++;
        }
    }
}

static int mid_flight(const lkr_session *s)
{
    return (s->phase == LKR__P_BLOCKED && s->blocked_followup != 0) ||
           (lkr__phases[s->phase].flags & LKR__PF_MID_FLIGHT);
}

/* Whether a waiver may be recorded now: the id exists and applies, the
 * session is not over, it is not waived yet, the step (or its tier) is not
 * under way and the step was not done. */
static lkr_status waiver_allowed(const lkr_session *s, uint32_t kind, uint32_t id)
{
    if (kind == LKR_WAIVE_TIER) {
        if (id < LKR_TIER_TRIAGE || id > LKR__TIER_COUNT || id == LKR_TIER_SUPPORT) {
            return LKR_E_INVAL;
        }
    } else if (kind == LKR_WAIVE_STEP) {
        if (!lkr__step_id_ok(id) || (lkr__steps[id].flags & LKR_STEP_F_TERMINAL) ||
            !lkr__step_applies(id, &s->profile, &s->obs)) {
            return LKR_E_INVAL;
        }
    } else {
        return LKR_E_INVAL;
    }
    if (is_final_phase(s)) {
        return LKR_E_STATE;
    }
    if ((kind == LKR_WAIVE_TIER && (s->waived_tiers & (1u << id))) ||
        (kind == LKR_WAIVE_STEP && (s->waived_steps & STEP_BIT(id)))) {
        return LKR_E_STATE;
    }
    if (mid_flight(s) && s->cur_step != 0 &&
        ((kind == LKR_WAIVE_STEP && (id == s->cur_step || id == s->verify_step)) ||
         (kind == LKR_WAIVE_TIER && lkr__steps[s->cur_step].tier == id))) {
        return LKR_E_STATE;
    }
    if (kind == LKR_WAIVE_STEP && (s->tried & STEP_BIT(id)) && !(lkr__in_hand(s) && id == s->cur_step)) {
        return LKR_E_STATE; /* already done or closed */
    }
    return s->waiver_count >= LKR_WAIVERS_MAX ? LKR_E_RANGE : LKR_OK;
}

static void record_waiver(lkr_session *s, uint32_t kind, uint32_t id, const char *reason, uint64_t now)
{
    lkr__waiver *w = &s->waivers[s->waiver_count++];
    memset(w, 0, sizeof(*w));
    w->kind = (uint8_t)kind;
    w->id = (uint8_t)id;
    w->at_off = lkr__offset(s, now);
    memcpy(w->reason, reason, strlen(reason) + 1);
    mask_digit_runs(w->reason);
    if (kind == LKR_WAIVE_TIER) {
        s->waived_tiers |= (uint16_t)(1u << id);
    } else {
        s->waived_steps |= STEP_BIT(id);
    }
    lkr__log(s, LKR_LOG_INFO, kind == LKR_WAIVE_TIER ? "tier waived" : "step waived",
             kind == LKR_WAIVE_STEP ? id : 0, NULL);
}

/* A waived step never begun gets its history entry, closed as waived. */
static void note_waived_step(lkr_session *s, uint32_t id, uint64_t now)
{
    int idx = lkr__open_entry(s, id, now);
    if (idx >= 0) {
        lkr__close_entry(s, (uint32_t)idx, LKR_OUTCOME_WAIVED, now);
    }
}

/* What a recorded waiver does to the step in hand or a blocked follow-up;
 * 1 when the machine moved. */
static int apply_waiver(lkr_session *s, uint32_t kind, uint32_t id, uint64_t now)
{
    if (lkr__in_hand(s) && (kind == LKR_WAIVE_STEP ? id == s->cur_step : lkr__steps[s->cur_step].tier == id)) {
        /* The step in hand (offered, or blocked again since): closed. */
        lkr__close_entry(s, s->cur_hist, LKR_OUTCOME_WAIVED, now);
        lkr__end_step(s); /* leaves BLOCKED, if it was blocked again */
        return 1;
    }
    if (kind == LKR_WAIVE_STEP && s->phase == LKR__P_BLOCKED && s->blocked_followup == id) {
        /* A blocked follow-up, never begun: recorded, and its step judged. */
        note_waived_step(s, id, now);
        lkr__start_verify(s);
        return 1;
    }
    if (kind == LKR_WAIVE_STEP) {
        note_waived_step(s, id, now);
    }
    return 0;
}

static lkr_status waive_run(lkr_session *s, uint32_t kind, uint32_t id, const char *reason)
{
    lkr_status st;
    uint64_t now;
    int moved;
    if (!session_ok(s) || !reason_ok(reason)) {
        return LKR_E_INVAL;
    }
    if ((st = waiver_allowed(s, kind, id)) != LKR_OK) {
        return st;
    }
    now = lkr__now(s);
    record_waiver(s, kind, id, reason, now);
    moved = apply_waiver(s, kind, id, now);
    /* A blocked choice is made again; a step in hand stays in hand, its
     * guards checked again (dropping it would leave its entry open). */
    if (s->phase == LKR__P_BLOCKED && !s->blocked_in_hand && s->blocked_followup == 0) {
        lkr__enter(s, LKR__P_IDLE);
    }
    if (moved || s->phase == LKR__P_BLOCKED || s->phase == LKR__P_IDLE) {
        lkr__advance(s);
    }
    return LKR_OK;
}

static lkr_status abort_run(lkr_session *s)
{
    uint64_t now;
    if (!session_ok(s)) {
        return LKR_E_INVAL;
    }
    if (is_final_phase(s)) {
        return LKR_E_STATE;
    }
    now = lkr__now(s);
    if (s->cur_step != 0 && s->hist[s->cur_hist].outcome == LKR_OUTCOME_NONE) {
        lkr__close_entry(s, s->cur_hist, LKR_OUTCOME_SKIPPED, now);
    }
    if (s->verify_step != 0 && s->hist[s->verify_hist].outcome == LKR_OUTCOME_NONE) {
        lkr__close_entry(s, s->verify_hist, LKR_OUTCOME_SKIPPED, now);
    }
    lkr__finish(s, LKR_STATE_ABORTED);
    return LKR_OK;
}

lkr_status lkr_session_report(lkr_session *s, uint32_t step, uint32_t outcome)
{
    LKR__RUN_BUSY(s, report_run(s, step, outcome));
}

lkr_status lkr_session_answer(lkr_session *s, uint32_t question, int32_t value)
{
    LKR__RUN_BUSY(s, answer_run(s, question, value));
}

lkr_status lkr_session_observe(lkr_session *s, const lkr_observations *obs)
{
    LKR__RUN_BUSY(s, observe_run(s, obs));
}

lkr_status lkr_session_tick(lkr_session *s)
{
    LKR__RUN_BUSY(s, tick_run(s));
}

lkr_status lkr_session_probe_done(lkr_session *s, lkr_status status, const lkr_probe_result *result)
{
    LKR__RUN_BUSY(s, probe_done_run(s, status, result));
}

lkr_status lkr_session_confirm(lkr_session *s, uint32_t guard, int holds)
{
    LKR__RUN_BUSY(s, confirm_run(s, guard, holds));
}

lkr_status lkr_session_waive(lkr_session *s, uint32_t kind, uint32_t id, const char *reason)
{
    LKR__RUN_BUSY(s, waive_run(s, kind, id, reason));
}

lkr_status lkr_session_abort(lkr_session *s)
{
    LKR__RUN_BUSY(s, abort_run(s));
}
