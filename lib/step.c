/*
 * Steps: the phases of a session and the life of a step in it: begin (through
 * the host where it can, a person otherwise), the timed parts, settle, verify,
 * the code steps the vault does, and the final states. Run to completion:
 * nothing here blocks or sleeps; waits are host-clock deadlines.
 * docs/ENGINE.md states the rules; docs/ARCHITECTURE.md who calls whom.
 */
#include <stdio.h>
#include <string.h>

#include "session_int.h"

#define STEP_BIT LKR__STEP_BIT

/* ---- the phases ------------------------------------------------------------ */

#define PF_STEP LKR__PF_STEP
#define PF_JUDGING LKR__PF_JUDGING
#define PF_MID LKR__PF_MID_FLIGHT
#define PF_TIMED LKR__PF_TIMED
#define PF_PROMPTS LKR__PF_PROMPTS

const lkr__phase_def lkr__phases[LKR__P_COUNT] = {
    /* state, action, public phase, flags */
    [LKR__P_IDLE] = {LKR_STATE_TRIAGE, LKR_ACTION_NONE, 0, 0},
    [LKR__P_ASK] = {LKR_STATE_TRIAGE, LKR_ACTION_ASK, 0, PF_PROMPTS},
    [LKR__P_PERFORM] = {LKR_STATE_AWAITING_PERSON, LKR_ACTION_PERSON_STEP, LKR_PHASE_PERFORM, PF_STEP | PF_PROMPTS},
    [LKR__P_HOST] = {LKR_STATE_AWAITING_TRANSPORT, LKR_ACTION_HOST_STEP, LKR_PHASE_PERFORM, PF_STEP | PF_MID},
    [LKR__P_HOLD] = {LKR_STATE_WAITING, LKR_ACTION_WAIT, LKR_PHASE_HOLD, PF_STEP | PF_MID | PF_TIMED},
    [LKR__P_RESUME] = {LKR_STATE_AWAITING_PERSON, LKR_ACTION_PERSON_STEP, LKR_PHASE_RESUME,
                       PF_STEP | PF_MID | PF_PROMPTS},
    [LKR__P_SETTLE] = {LKR_STATE_WAITING, LKR_ACTION_WAIT, LKR_PHASE_SETTLE, PF_STEP | PF_MID | PF_TIMED},
    [LKR__P_VERIFY] = {LKR_STATE_VERIFYING, LKR_ACTION_NONE, 0, PF_JUDGING},
    [LKR__P_VERIFY_ASK] = {LKR_STATE_VERIFYING, LKR_ACTION_VERIFY, LKR_PHASE_ASK_PERSON,
                           PF_JUDGING | PF_MID | PF_PROMPTS},
    [LKR__P_VERIFY_PROBE] = {LKR_STATE_VERIFYING, LKR_ACTION_VERIFY, LKR_PHASE_PROBE, PF_JUDGING | PF_MID},
    [LKR__P_BLOCKED] = {LKR_STATE_BLOCKED, LKR_ACTION_BLOCKED, 0, PF_PROMPTS},
    [LKR__P_FINAL] = {0, 0, 0, 0},
};

void lkr__enter(lkr_session *s, uint32_t phase)
{
    if (phase != LKR__P_BLOCKED) {
        s->blocked_step = 0;
        s->blocked_unmet = 0;
        s->blocked_followup = 0;
        s->blocked_in_hand = 0;
    }
    if (phase == LKR__P_FINAL) {
        s->cur_step = 0;
        s->verify_step = 0;
        s->question = 0;
        s->need_fw = 0;
    }
    s->phase = (uint8_t)phase;
}

/* ---- small helpers ----------------------------------------------------------- */

uint64_t lkr__now(lkr_session *s)
{
    uint64_t t = s->tr.now_ms(s->tr.ctx);
    if (t < s->last_now_ms) {
        t = s->last_now_ms; /* a clock going backwards has not moved */
    }
    s->last_now_ms = t;
    return t;
}

void lkr__log(lkr_session *s, uint32_t level, const char *what, uint32_t step, const char *extra)
{
    char line[160];
    if (s->tr.log == NULL) {
        return;
    }
    /* Only catalog ids and fixed words ever reach a log line: never a code. */
    (void)snprintf(line, sizeof(line), "%s%s%s%s%s", what, step ? " " : "",
                   step ? lkr__steps[step].sid : "", extra ? ": " : "", extra ? extra : "");
    s->tr.log(s->tr.ctx, level, line);
}

int lkr__is_transport_status(lkr_status st)
{
    return st == LKR_OK || st == LKR_PENDING || (st <= LKR_E_INVAL && st >= LKR_E_PROTOCOL);
}

uint32_t lkr__cost_of(const lkr_session *s, uint32_t step)
{
    return s->cost != NULL && s->cost[step] ? s->cost[step] : lkr__steps[step].cost_min;
}

uint32_t lkr__fix_permille(uint32_t step, uint32_t cause)
{
    const lkr__step_def *d = &lkr__steps[step];
    uint32_t k;
    for (k = 0; k < d->fix_count; k++) {
        if (d->fixes[k].cause == cause) {
            return d->fixes[k].permille;
        }
    }
    return 0;
}

uint32_t lkr__offset(const lkr_session *s, uint64_t now)
{
    uint64_t d = now > s->started_ms ? now - s->started_ms : 0;
    return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

int lkr__step_performed(const lkr_session *s, uint32_t step)
{
    uint32_t i;
    for (i = 0; i < s->hist_count; i++) {
        if (s->hist[i].step == step) {
            return lkr__outcome_performed(s->hist[i].outcome);
        }
    }
    return 0;
}

/* ---- the step in hand ---------------------------------------------------------- */

int lkr__in_hand(const lkr_session *s)
{
    return s->cur_step != 0 &&
           (s->phase == LKR__P_PERFORM || (s->phase == LKR__P_BLOCKED && s->blocked_in_hand));
}

/* ---- history ------------------------------------------------------------- */

int lkr__open_entry(lkr_session *s, uint32_t step, uint64_t now)
{
    lkr__hist *h;
    /* The last slot is kept for the hand-over entry. */
    if (s->hist_count >= LKR_HISTORY_MAX - ((lkr__steps[step].flags & LKR_STEP_F_TERMINAL) ? 0 : 1)) {
        return -1;
    }
    h = &s->hist[s->hist_count];
    memset(h, 0, sizeof(*h));
    h->step = (uint8_t)step;
    h->started_off = lkr__offset(s, now);
    s->tried |= STEP_BIT(step);
    return s->hist_count++;
}

void lkr__close_entry(lkr_session *s, uint32_t index, uint32_t outcome, uint64_t now)
{
    lkr__hist *h = &s->hist[index];
    h->outcome = (uint8_t)outcome;
    h->ended_off = lkr__offset(s, now);
    if (lkr__outcome_performed(outcome)) {
        s->person_minutes += lkr__cost_of(s, h->step);
    }
    /* An erasing step put the codes at risk when it began (lkr__begin_step);
     * this catches a step begun by a session saved before it was judged so. */
    if (lkr__outcome_attempted(outcome) && lkr__may_erase_codes(s, h->step)) {
        s->codes_at_risk = 1;
    }
}

/* ---- final states ---------------------------------------------------------------- */

/* The recovery invariant (docs/VAULT.md), checked here and in lkr__recovered
 * only: a session ends recovered only if no step that may erase codes began,
 * or every code of the backup (or of the host's records) was read back from
 * the lock after the last such step.
 * codes_at_risk is set when such a step begins and cleared only by a read-back
 * of every code; codes_missing counts codes known not to be back. */
static int codes_safe(const lkr_session *s)
{
    return !s->codes_at_risk && s->codes_missing == 0;
}

/* Ends the session. LKR_STATE_RECOVERED comes only from lkr__recovered,
 * which checks the recovery invariant first. */
void lkr__finish(lkr_session *s, uint32_t state)
{
    /* A final session holds nothing in hand (and saves a blob that loads). */
    lkr__enter(s, LKR__P_FINAL);
    s->final_state = (uint8_t)state;
    lkr__log(s, LKR_LOG_INFO,
             state == LKR_STATE_RECOVERED       ? "recovered"
             : state == LKR_STATE_NEEDS_SUPPORT ? "needs support"
                                                : "aborted",
             0, NULL);
}

void lkr__recovered(lkr_session *s, uint64_t now)
{
    const lkr_observations *o = &s->obs;
    if (s->verify_step != 0) {
        lkr__close_entry(s, s->verify_hist, LKR_OUTCOME_FIXED, now);
    }
    /* Codes a step may have erased are checked back before "recovered": the
     * vault reads the lock, restores what is missing, and reads it again. */
    if (s->codes_at_risk) {
        lkr__check_codes_back(s);
    } else {
        lkr__check_vault_codes(s);
    }
    /* Back, but with codes lost, or possibly erased and never read back:
     * never "recovered" (the invariant, codes_safe). */
    if (!codes_safe(s)) {
        lkr__needs_support(s, s->codes_missing > 0 ? LKR_SUPPORT_CODES_MISSING : LKR_SUPPORT_CODES_UNVERIFIED,
                           now);
        return;
    }
    /* Back, but still on the old version: the update itself failed. */
    if (lkr__fw_unchanged(o) && lkr__update_involved(o)) {
        s->detail |= LKR_DETAIL_UPDATE_NOT_APPLIED;
    }
    lkr__finish(s, LKR_STATE_RECOVERED);
}

/* A factory reset was attempted (not declined): the ladder was not refused. */
static int reset_attempted(const lkr_session *s)
{
    uint32_t i;
    for (i = 0; i < s->hist_count; i++) {
        if (s->hist[i].step == LKR_STEP_RESET_FACTORY_RESET && lkr__outcome_attempted(s->hist[i].outcome)) {
            return 1;
        }
    }
    return 0;
}

/* The factory reset was declined: waived (the step or its tier), disabled by
 * the vendor, or offered and not done. A reset the beliefs never indicated
 * (no cause it fixes was likely enough) was not refused. */
static int reset_declined(const lkr_session *s)
{
    const uint64_t bit = STEP_BIT(LKR_STEP_RESET_FACTORY_RESET);
    return ((s->waived_steps | s->disabled | s->tried) & bit) != 0 ||
           (s->waived_tiers & (1u << LKR_TIER_RESET)) != 0;
}

/* Catalog section 7: the hand-over step that fits best (a locksmith for the
 * code path's mechanical faults, the manufacturer otherwise). */
static uint32_t hand_over_step(const lkr_session *s)
{
    double manufacturer = 0.0, locksmith = 0.0;
    uint32_t c;
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        manufacturer += s->belief[c] * lkr__fix_permille(LKR_STEP_SUPPORT_CONTACT_MANUFACTURER, c);
        locksmith += s->belief[c] * lkr__fix_permille(LKR_STEP_SUPPORT_LOCKSMITH, c);
    }
    if (s->ladder == LKR_LADDER_CODE && locksmith > manufacturer &&
        lkr__step_applies(LKR_STEP_SUPPORT_LOCKSMITH, &s->profile, &s->obs) &&
        !(s->disabled & STEP_BIT(LKR_STEP_SUPPORT_LOCKSMITH))) {
        return LKR_STEP_SUPPORT_LOCKSMITH;
    }
    return LKR_STEP_SUPPORT_CONTACT_MANUFACTURER;
}

void lkr__needs_support(lkr_session *s, uint32_t reasons, uint64_t now)
{
    const lkr_observations *o = &s->obs;
    uint32_t step = hand_over_step(s);
    int idx;

    if (s->initial_error[0] != '\0' && s->error_reobserved &&
        strcmp(s->initial_error, o->error_code) == 0) {
        reasons |= LKR_SUPPORT_SAME_ERROR_CODE;
    }
    if (o->second_phone_connects == LKR_NO) {
        reasons |= LKR_SUPPORT_SEVERAL_PHONES;
    }
    if (lkr__update_involved(o)) {
        reasons |= LKR_SUPPORT_AFTER_UPDATE;
    }
    if (s->codes_at_risk) {
        lkr__check_codes_back(s); /* the codes, at least, may still be checked back */
    }
    if (s->codes_missing > 0) {
        reasons |= LKR_SUPPORT_CODES_MISSING;
    } else if (s->codes_at_risk) {
        reasons |= LKR_SUPPORT_CODES_UNVERIFIED;
    }
    if ((reasons & LKR_SUPPORT_LADDER_EXHAUSTED) && !reset_attempted(s) && reset_declined(s)) {
        reasons |= LKR_SUPPORT_RESET_REFUSED;
    }
    s->support_reasons |= reasons;
    s->detail = s->support_reasons;
    s->tier = LKR_TIER_SUPPORT;
    s->terminal_step = (uint8_t)step;
    idx = lkr__open_entry(s, step, now);
    if (idx >= 0) {
        lkr__close_entry(s, (uint32_t)idx, LKR_OUTCOME_HANDED_OVER, now);
    }
    lkr__finish(s, LKR_STATE_NEEDS_SUPPORT);
}

/* ---- the step lifecycle ---------------------------------------------------------- */

/* Nothing in hand: the next step is chosen. */
void lkr__to_idle(lkr_session *s)
{
    s->cur_step = 0;
    s->verify_step = 0;
    lkr__enter(s, LKR__P_IDLE);
}

void lkr__not_fixed(lkr_session *s, int refuted, uint64_t now)
{
    lkr__close_entry(s, s->verify_hist, refuted ? LKR_OUTCOME_REFUTED : LKR_OUTCOME_NOT_FIXED, now);
    lkr__apply_failure(s->belief, s->verify_step);
    lkr__log(s, LKR_LOG_INFO, refuted ? "reported fixed, probe disagrees" : "not fixed by", s->verify_step,
             NULL);
    lkr__to_idle(s);
}

void lkr__start_verify(lkr_session *s)
{
    s->cur_step = 0;
    lkr__enter(s, LKR__P_VERIFY);
}

/* A follow-up has the step it follows judged; any other step leaves nothing
 * in hand. */
void lkr__end_step(lkr_session *s)
{
    if (s->cur_step != s->verify_step) {
        lkr__start_verify(s);
    } else {
        lkr__to_idle(s);
    }
}

static void start_wait(lkr_session *s, uint32_t phase, uint32_t seconds, uint64_t now)
{
    uint64_t span = (uint64_t)seconds * 1000u;
    lkr__enter(s, phase);
    s->wait_s = seconds;
    /* Saturate: a clock near its top never makes a wait end at once. */
    s->wait_until_ms = now > UINT64_MAX - span ? UINT64_MAX : now + span;
}

void lkr__performed_part(lkr_session *s, uint32_t outcome, int was_hold_part, uint64_t now)
{
    const lkr__step_def *d = &lkr__steps[s->cur_step];
    if (s->cur_step == s->verify_step || outcome == LKR_OUTCOME_FIXED) {
        s->last_report = (uint8_t)outcome;
    }
    if (outcome == LKR_OUTCOME_FIXED) {
        if (s->cur_step != s->verify_step) {
            lkr__close_entry(s, s->cur_hist, LKR_OUTCOME_DONE, now); /* a follow-up */
        }
        lkr__start_verify(s);
        return;
    }
    if (was_hold_part && d->wait_s > 0) {
        start_wait(s, LKR__P_HOLD, d->wait_s, now);
        return;
    }
    /* A settle of zero is over at once. */
    start_wait(s, LKR__P_SETTLE, d->settle_s, now);
}

static int reads_version(uint32_t step)
{
    return step == LKR_STEP_TRIAGE_CHECK_FIRMWARE || step == LKR_STEP_UNIVERSAL_CHECK_FIRMWARE;
}

uint32_t lkr__followup_of(const lkr_session *s, uint32_t step)
{
    uint32_t f = lkr__steps[step].followup;
    /* Codes the person noted (no reader): after any step that may erase them
     * the person tests each at the keypad, as after a re-pair (S0: "Verify
     * stored access codes are still present"). */
    if (f == 0 && step != LKR_STEP_REPAIR_VERIFY_CODES && lkr__may_erase_codes(s, step) && lkr__codes_noted(s)) {
        f = LKR_STEP_REPAIR_VERIFY_CODES;
    }
    return f;
}

/* The follow-up of the step in hand is due: begun, or blocked on its guards
 * (a follow-up is a step like any other). */
static void start_followup(lkr_session *s, uint32_t followup, uint64_t now)
{
    uint32_t unmet = lkr__unmet_guards(s, followup);
    if (unmet != 0) {
        s->blocked_followup = (uint8_t)followup;
        s->blocked_step = (uint8_t)followup;
        s->blocked_unmet = unmet;
        s->guards_blocked |= unmet;
        lkr__enter(s, LKR__P_BLOCKED);
        return;
    }
    s->blocked_followup = 0;
    lkr__begin_step(s, followup, now);
}

/* After the settle: a follow-up, the firmware question, or verification. */
static void after_settle(lkr_session *s, uint64_t now)
{
    const lkr__step_def *d = &lkr__steps[s->cur_step];
    /* A step that erased (or may have erased) codes: check them back now,
     * through the vault, rather than only when the lock is judged. A
     * follow-up that does it (verify / restore) comes next anyway. */
    uint32_t followup = lkr__followup_of(s, s->cur_step);
    if (s->cur_step == s->verify_step && followup == 0 && lkr__may_erase_codes(s, s->cur_step)) {
        s->codes_at_risk = 1;
        lkr__check_codes_back(s);
    }
    if ((d->flags & LKR_STEP_F_PREPARATION) && s->cur_step == s->verify_step) {
        /* A preparation (the code backup) fixes nothing: no verification. */
        lkr__close_entry(s, s->cur_hist, LKR_OUTCOME_DONE, now);
        lkr__to_idle(s);
        return;
    }
    if (s->cur_step == LKR_STEP_RESET_RESTORE_AFTER_RESET && s->cur_step != s->verify_step &&
        lkr__vault_restores(s)) {
        lkr__restore_codes(s, now); /* the lock re-joined: the codes go back */
    } else if (s->cur_step != s->verify_step) {
        lkr__close_entry(s, s->cur_hist, LKR_OUTCOME_DONE, now); /* a follow-up finished */
    } else if (followup != 0 && !(s->tried & STEP_BIT(followup)) && !(s->waived_steps & STEP_BIT(followup)) &&
               lkr__step_applies(followup, &s->profile, &s->obs)) {
        start_followup(s, followup, now);
        return;
    }
    /* A person read the version: ask for it before judging. */
    if (reads_version(s->cur_step) && s->obs.fw_now[0] == '\0' &&
        !(s->asked & (1u << LKR_QUESTION_FIRMWARE_VERSION))) {
        s->cur_step = 0;
        s->need_fw = 1;
        s->question = LKR_QUESTION_FIRMWARE_VERSION;
        lkr__enter(s, LKR__P_ASK);
        return;
    }
    lkr__start_verify(s);
}

static int uses_probe_for_check(const lkr_session *s, uint32_t step)
{
    return s->tr.probe != NULL && reads_version(step);
}

/* The step ended (closed with its outcome): a follow-up has its step judged,
 * any other step leaves nothing in hand. */
void lkr__step_closed(lkr_session *s, int followup)
{
    if (followup) {
        lkr__start_verify(s);
    } else {
        lkr__to_idle(s);
    }
}

/* The host's run_step for an automatable step; 1 when the host took it (or
 * failed it), 0 when a person must do it. */
static int host_step(lkr_session *s, uint32_t step, int idx, int followup, uint64_t now)
{
    lkr_status st = s->tr.run_step(s->tr.ctx, step);
    if (!lkr__is_transport_status(st)) {
        lkr__log(s, LKR_LOG_WARN, "run_step broke its contract for", step, "out-of-range value");
        st = LKR_E_PROTOCOL;
    }
    if (st == LKR_OK || st == LKR_PENDING) {
        s->hist[idx].by_host = 1;
        s->by_host = 1;
        if (st == LKR_OK) {
            lkr__performed_part(s, LKR_OUTCOME_DONE, 0, now);
        } else {
            lkr__enter(s, LKR__P_HOST);
        }
        return 1;
    }
    if (st == LKR_E_UNSUPPORTED) {
        return 0;
    }
    lkr__log(s, LKR_LOG_WARN, "run_step failed for", step, lkr_strerror(st));
    lkr__close_entry(s, (uint32_t)idx, LKR_OUTCOME_FAILED, now);
    lkr__step_closed(s, followup);
    return 1;
}

/* Offers a step: through the host where it can, to a person otherwise. */
void lkr__begin_step(lkr_session *s, uint32_t step, uint64_t now)
{
    const lkr__step_def *d = &lkr__steps[step];
    int idx = lkr__open_entry(s, step, now);
    int followup = s->verify_step != 0 && s->cur_step != 0 && step == lkr__followup_of(s, s->cur_step);

    if (idx < 0) {
        lkr__needs_support(s, LKR_SUPPORT_LADDER_EXHAUSTED, now); /* history full: cannot happen */
        return;
    }
    s->cur_step = (uint8_t)step;
    s->cur_hist = (uint8_t)idx;
    s->by_host = 0;
    if (!followup) {
        s->verify_step = (uint8_t)step;
        s->verify_hist = (uint8_t)idx;
        s->last_report = LKR_OUTCOME_NONE;
    }
    s->tier = d->tier;
    lkr__log(s, LKR_LOG_INFO, followup ? "follow-up" : "step", step, NULL);
    /* A step that may erase codes puts them at risk as soon as it begins,
     * whatever is reported of it later: a person may do it and say it failed. */
    if (lkr__may_erase_codes(s, step)) {
        s->codes_at_risk = 1;
    }

    if (lkr__vault_step(s, step, idx, followup, now)) {
        return;
    }
    if (uses_probe_for_check(s, step)) {
        /* Reading the version is what a probe does: verification follows from it. */
        lkr__enter(s, LKR__P_VERIFY);
        return;
    }
    if ((d->flags & LKR_STEP_F_AUTOMATABLE) && s->tr.run_step != NULL && host_step(s, step, idx, followup, now)) {
        return;
    }
    lkr__enter(s, LKR__P_PERFORM);
}

/* ---- verification ------------------------------------------------------------------- */

void lkr__judge_probe(lkr_session *s, lkr_status st, const lkr_probe_result *r, uint64_t now)
{
    /* A follow-up that reads the version through the probe ends with it. */
    if (s->cur_step != 0 && s->cur_step != s->verify_step &&
        s->hist[s->cur_hist].outcome == LKR_OUTCOME_NONE) {
        lkr__close_entry(s, s->cur_hist, st == LKR_OK ? LKR_OUTCOME_DONE : LKR_OUTCOME_FAILED, now);
    }
    if (st == LKR_OK && r != NULL && lkr__probe_result_ok(r)) {
        lkr__merge_probe(s, r);
        if (r->reachable == LKR_YES && s->ladder != LKR_LADDER_CODE) {
            lkr__recovered(s, now);
        } else if (r->reachable == LKR_NO && s->ladder != LKR_LADDER_CODE) {
            lkr__not_fixed(s, s->last_report == LKR_OUTCOME_FIXED, now);
        } else {
            /* The probe could not tell (or this is the code path, where the
             * keypad is the judge): the person decides. */
            lkr__enter(s, LKR__P_VERIFY_ASK);
        }
        return;
    }
    /* A failing probe is never taken for success, nor for failure. */
    lkr__log(s, LKR_LOG_WARN, "probe failed while verifying", s->verify_step,
             st == LKR_OK ? "malformed result" : lkr_strerror(st));
    lkr__enter(s, LKR__P_VERIFY_ASK);
}

static lkr_status call_probe(lkr_session *s, lkr_probe_result *r)
{
    lkr__probe_result_defaults(r);
    return s->tr.probe(s->tr.ctx, r);
}

static void verify_now(lkr_session *s, uint64_t now)
{
    lkr_probe_result r;
    lkr_status st;
    if (s->tr.probe != NULL && s->ladder != LKR_LADDER_CODE) {
        st = call_probe(s, &r);
        if (!lkr__is_transport_status(st)) {
            lkr__log(s, LKR_LOG_WARN, "probe broke its contract", 0, "out-of-range value");
            st = LKR_E_PROTOCOL;
        }
        if (st == LKR_PENDING) {
            lkr__enter(s, LKR__P_VERIFY_PROBE);
            return;
        }
        lkr__judge_probe(s, st, &r, now);
        return;
    }
    if (uses_probe_for_check(s, s->verify_step)) {
        /* Code ladder: the probe reads the version, the person judges. */
        st = call_probe(s, &r);
        if (st == LKR_OK && lkr__probe_result_ok(&r)) {
            lkr__merge_probe(s, &r);
        }
    }
    if (s->last_report == LKR_OUTCOME_FIXED) {
        lkr__recovered(s, now);
    } else if (s->last_report == LKR_OUTCOME_NOT_FIXED) {
        lkr__not_fixed(s, 0, now);
    } else {
        lkr__enter(s, LKR__P_VERIFY_ASK);
    }
}

/* ---- advancing ------------------------------------------------------------------------ */

/* A blocked step whose guards may have come to hold: 1 when it moved on. */
static int unblock(lkr_session *s, uint64_t now)
{
    uint32_t step = s->blocked_in_hand ? s->cur_step : s->blocked_followup;
    uint32_t unmet = lkr__unmet_guards(s, step);
    if (unmet != 0) {
        s->blocked_unmet = unmet;
        return 0;
    }
    if (s->blocked_in_hand) {
        lkr__enter(s, LKR__P_PERFORM);
    } else {
        lkr__enter(s, LKR__P_IDLE); /* nothing blocked: the follow-up begins */
        lkr__begin_step(s, step, now);
    }
    return 1;
}

void lkr__advance(lkr_session *s)
{
    int guard;
    if (s->phase == LKR__P_IDLE || s->phase == LKR__P_BLOCKED) {
        (void)lkr__adopt_host_backup(s); /* a backup the host made since may unblock a step */
    }
    for (guard = 0; guard < 256; guard++) {
        uint64_t now = lkr__now(s);
        switch (s->phase) {
        case LKR__P_BLOCKED:
            if (s->blocked_in_hand || s->blocked_followup != 0) {
                if (!unblock(s, now)) {
                    return;
                }
                continue;
            }
            /* fall through - a blocked choice is made again */
        case LKR__P_IDLE:
            lkr__decide(s, now);
            if (s->phase == LKR__P_BLOCKED || s->phase == LKR__P_ASK) {
                return;
            }
            continue;
        case LKR__P_PERFORM: {
            /* Guards are re-checked while a step waits for its person: one
             * that stops holding (a withdrawn confirmation, a lost backup, an
             * update that turns out to be running) blocks it again. */
            uint32_t unmet = lkr__unmet_guards(s, s->cur_step);
            if (unmet != 0) {
                s->blocked_in_hand = 1;
                s->blocked_step = s->cur_step;
                s->blocked_unmet = unmet;
                s->guards_blocked |= unmet;
                lkr__enter(s, LKR__P_BLOCKED);
            }
            return;
        }
        case LKR__P_HOLD:
            if (now < s->wait_until_ms) return;
            lkr__enter(s, LKR__P_RESUME);
            return;
        case LKR__P_SETTLE:
            if (now < s->wait_until_ms) return;
            after_settle(s, now);
            continue;
        case LKR__P_VERIFY:
            verify_now(s, now);
            continue;
        default:
            return;
        }
    }
}
