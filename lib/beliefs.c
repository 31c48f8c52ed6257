/*
 * Beliefs and questions: the diagnosis and the belief over causes a session
 * holds (recomputed, never stored), the ladder it implies, the triage
 * questions, and what a probe adds to the facts. Calls the classifier; the
 * engine's other rooms call this one. docs/ARCHITECTURE.md.
 */
#include <stddef.h>
#include <string.h>

#include "session_int.h"

lkr_overrides lkr__overrides_view(const lkr_session *s)
{
    lkr_overrides ov;
    memset(&ov, 0, sizeof(ov));
    ov.struct_size = (uint32_t)sizeof(ov);
    ov.prior_count = s->prior_count;
    ov.priors = s->priors;
    ov.likelihood_count = s->likelihood_count;
    ov.likelihoods = s->likelihoods;
    return ov;
}

/* ---- beliefs ------------------------------------------------------------------ */

static int hist_failed(uint8_t outcome)
{
    return outcome == LKR_OUTCOME_NOT_FIXED || outcome == LKR_OUTCOME_REFUTED;
}

/* Single fault: a step that did not fix the lock multiplies each cause by the
 * chance the step would have missed it (only the causes it fixes change). */
static void miss(double *belief, uint32_t step)
{
    const lkr__step_def *d = &lkr__steps[step];
    uint32_t k;
    for (k = 0; k < d->fix_count; k++) {
        belief[d->fixes[k].cause] *= 1.0 - (double)d->fixes[k].permille / 1000.0;
    }
}

static void normalise(double *belief)
{
    uint32_t c;
    double total = 0.0;
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        total += belief[c];
    }
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        belief[c] = total > 0.0 ? belief[c] / total : 0.0;
    }
}

void lkr__apply_failure(double *belief, uint32_t step)
{
    miss(belief, step);
    normalise(belief);
}

static uint32_t symptom_ladder(uint32_t symptom)
{
    if (symptom == LKR_SYMPTOM_ONE_CODE_REJECTED || symptom == LKR_SYMPTOM_ALL_CODES_REJECTED) {
        return LKR_LADDER_CODE;
    }
    return LKR_LADDER_CONNECTION;
}

/* Recomputes the diagnosis and the beliefs from the facts and the history
 * (the beliefs are never stored: this gives them back, bit for bit). */
void lkr__rediagnose(lkr_session *s, lkr_diagnosis *d)
{
    lkr_overrides ov = lkr__overrides_view(s);
    uint32_t i;

    /* The facts were validated on their way in (new, observe, answer, probe,
     * load): no second validation here. */
    lkr__diagnose(&s->profile, &s->obs, &ov, d, s->belief);
    s->symptom = d->symptom;
    s->triage = d->triage;
    s->evidence = d->evidence;
    /* Failures in the order they happened, each renormalised: exactly the
     * operations the session made as they came, so beliefs match bit for bit. */
    for (i = 0; i < s->hist_count; i++) {
        if (hist_failed(s->hist[i].outcome)) {
            lkr__apply_failure(s->belief, s->hist[i].step);
        }
    }
}

/* Recomputes diagnosis and beliefs, and chooses (or switches) the ladder. */
void lkr__reclassify(lkr_session *s)
{
    lkr_diagnosis d;
    lkr__rediagnose(s, &d);
    if (d.triage & LKR_TRIAGE_UPDATE_ACTIVE) {
        s->triage_active = 1;
    }
    if (s->ladder == LKR_LADDER_NONE) {
        if (d.symptom != LKR_SYMPTOM_UNKNOWN) {
            s->ladder = (uint8_t)symptom_ladder(d.symptom);
            s->entry_tier = d.entry_tier;
        }
    } else if (d.symptom != LKR_SYMPTOM_UNKNOWN && symptom_ladder(d.symptom) != s->ladder) {
        s->ladder = (uint8_t)symptom_ladder(d.symptom);
        s->entry_tier = d.entry_tier;
        s->reached = 0;
        lkr__log(s, LKR_LOG_INFO, "ladder switched by new facts", 0, NULL);
    } else if (d.entry_tier == LKR_TIER_TRIAGE) {
        s->entry_tier = LKR_TIER_TRIAGE; /* an update turned out to be running */
    }
}

/* ---- questions ------------------------------------------------------------ */

static int app_not_online(const lkr_observations *o)
{
    return o->app_status == LKR_APP_OFFLINE || o->app_status == LKR_APP_NO_RESPONSE ||
           o->app_status == LKR_APP_UNAVAILABLE;
}

/* The triage questions, in order, for a symptom still unknown. */
static uint32_t pick_question(const lkr_session *s)
{
    const lkr_observations *o = &s->obs;
#define ASKABLE(q) (!(s->asked & (1u << (q))))
    if (ASKABLE(LKR_QUESTION_UPDATE_STATE) && o->update_state == LKR_UPDATE_UNKNOWN)
        return LKR_QUESTION_UPDATE_STATE;
    if (ASKABLE(LKR_QUESTION_UPDATE_STALLED_MIN) && o->update_state == LKR_UPDATE_IN_PROGRESS &&
        o->update_stalled_min == LKR_NUM_UNKNOWN)
        return LKR_QUESTION_UPDATE_STALLED_MIN;
    if (ASKABLE(LKR_QUESTION_KEYPAD_LIGHTS) && o->keypad_lights == LKR_UNKNOWN &&
        s->profile.has_keypad != LKR_NO)
        return LKR_QUESTION_KEYPAD_LIGHTS;
    if (ASKABLE(LKR_QUESTION_APP_STATUS) && o->app_status == LKR_APP_UNKNOWN)
        return LKR_QUESTION_APP_STATUS;
    if (ASKABLE(LKR_QUESTION_CODES_STATE) && o->codes_state == LKR_CODES_UNKNOWN &&
        s->profile.has_keypad != LKR_NO)
        return LKR_QUESTION_CODES_STATE;
    if (ASKABLE(LKR_QUESTION_LOCAL_CONTROL) && o->local_control_works == LKR_UNKNOWN &&
        app_not_online(o))
        return LKR_QUESTION_LOCAL_CONTROL;
#undef ASKABLE
    return LKR_QUESTION_NONE;
}

void lkr__next_question(lkr_session *s)
{
    uint32_t q = pick_question(s);
    if (q != LKR_QUESTION_NONE) {
        s->question = (uint8_t)q;
        lkr__enter(s, LKR__P_ASK);
        return;
    }
    /* Everything asked and still unknown: the universal first steps. */
    s->ladder = LKR_LADDER_CONNECTION;
    s->entry_tier = (s->triage & LKR_TRIAGE_UPDATE_ACTIVE) ? LKR_TIER_TRIAGE : LKR_TIER_UNIVERSAL;
}

const char *lkr__question_text(uint32_t q)
{
    switch (q) {
    case LKR_QUESTION_UPDATE_STATE:
        return "Was a firmware update involved? Is it still running, did the app say it "
               "succeeded or failed, or was there no update? Do not remove the batteries "
               "while it may still be running.";
    case LKR_QUESTION_UPDATE_STALLED_MIN:
        return "How many minutes since the update's progress bar last moved?";
    case LKR_QUESTION_KEYPAD_LIGHTS:
        return "Press a button on the keypad: does it light up or beep?";
    case LKR_QUESTION_APP_STATUS:
        return "What does the app show for the lock: online, Offline, No Response or Unavailable?";
    case LKR_QUESTION_CODES_STATE:
        return "Do the access codes work at the keypad: all of them, all but one, or none?";
    case LKR_QUESTION_LOCAL_CONTROL:
        return "Standing next to the lock, can the phone app lock and unlock it?";
    case LKR_QUESTION_FIRMWARE_VERSION:
        return "What firmware version does the app show for the lock now, and which version "
               "was being installed?";
    case LKR_QUESTION_SECOND_PHONE:
        return "Does the lock's app on another phone, signed in to your account, reach the "
               "lock from beside the door?";
    case LKR_QUESTION_HUB_DEVICES:
        return "Does the hub or bridge show its other devices online?";
    case LKR_QUESTION_UPDATE_PENDING:
        return "Does the app store or the app offer an update for the app or the lock?";
    default:
        return "";
    }
}

/* ---- probes ------------------------------------------------------------------- */

/* Merges what a probe found into the observations. */
void lkr__merge_probe(lkr_session *s, const lkr_probe_result *r)
{
    lkr_observations *o = &s->obs;
    lkr_observations before = *o;
    if (r->fw_version[0] != '\0' && memchr(r->fw_version, '\0', sizeof(r->fw_version))) {
        memcpy(o->fw_now, r->fw_version, sizeof(o->fw_now));
    }
    if (r->error_code[0] != '\0' && memchr(r->error_code, '\0', sizeof(r->error_code))) {
        memcpy(o->error_code, r->error_code, sizeof(o->error_code));
        if (s->hist_count > 0) {
            s->error_reobserved = 1;
        }
    }
    if (r->battery_pct >= 0 && r->battery_pct <= 100) {
        o->battery_pct = r->battery_pct;
    }
    if ((r->keypad_lights == LKR_NO || r->keypad_lights == LKR_YES) &&
        s->profile.has_keypad != LKR_NO) {
        o->keypad_lights = r->keypad_lights;
    }
    /* The version now equals the target: the transfer is over. */
    if (o->update_state == LKR_UPDATE_IN_PROGRESS && lkr__fw_at_target(o)) {
        o->update_state = LKR_UPDATE_FINISHED;
        o->update_stalled_min = LKR_NUM_UNKNOWN;
    }
    if (memcmp(&before, o, sizeof(before)) != 0) {
        lkr__reclassify(s);
    }
}

void lkr__probe_result_defaults(lkr_probe_result *r)
{
    lkr_probe_result_init(r);
}

int lkr__probe_result_ok(const lkr_probe_result *r)
{
    return r->reachable <= LKR_YES && r->keypad_lights <= LKR_YES &&
           (r->battery_pct == LKR_NUM_UNKNOWN || (r->battery_pct >= 0 && r->battery_pct <= 100)) &&
           memchr(r->fw_version, '\0', sizeof(r->fw_version)) != NULL &&
           memchr(r->error_code, '\0', sizeof(r->error_code)) != NULL;
}


/* ---- public: the beliefs ----------------------------------------------------------- */

lkr_status lkr_session_beliefs(const lkr_session *s, lkr_diagnosis *out)
{
    lkr_diagnosis d;
    if (!LKR__SESSION_OK(s) || out == NULL) {
        return LKR_E_INVAL;
    }
    memset(&d, 0, sizeof(d));
    d.struct_size = (uint32_t)sizeof(d);
    d.symptom = s->symptom;
    d.entry_tier = s->entry_tier;
    d.triage = s->triage;
    d.evidence = s->evidence;
    lkr__rank_causes(s->belief, &d);
    return lkr__emit(out, &d, sizeof(d), offsetof(lkr_diagnosis, causes) + sizeof(d.causes));
}
