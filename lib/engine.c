/*
 * The escalation engine: a recovery session walks one lock up the ladder of
 * catalog section 5 and ends recovered, handed to support, or aborted.
 *
 * Run to completion: every public call moves the state machine as far as it
 * can without the host (calling the transport where it may) and returns. The
 * engine never blocks or sleeps; waits are host-clock deadlines. No memory is
 * allocated after lkr_session_new(). docs/ENGINE.md states every rule here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- the ladders (catalog section 5) ------------------------------------ */

static const uint8_t connection_ladder[] = {LKR_TIER_TRIAGE,    LKR_TIER_UNIVERSAL, LKR_TIER_PROTOCOL,
                                            LKR_TIER_ECOSYSTEM, LKR_TIER_REPAIR,    LKR_TIER_RESET,
                                            LKR_TIER_SUPPORT};
static const uint8_t code_ladder[] = {LKR_TIER_TRIAGE, LKR_TIER_CODE, LKR_TIER_RESET, LKR_TIER_SUPPORT};

uint32_t lkr__ladder_tiers(const lkr_session *s, const uint8_t **tiers)
{
    if (s->ladder == LKR_LADDER_CODE) {
        *tiers = code_ladder;
        return (uint32_t)sizeof(code_ladder);
    }
    *tiers = connection_ladder;
    return (uint32_t)sizeof(connection_ladder);
}

/* The bit of a step id in a 64-bit mask; 0 for "no step". */
#define STEP_BIT(id) ((id) != 0 ? (uint64_t)1u << ((id) - 1u) : (uint64_t)0)

/* ---- small helpers ------------------------------------------------------- */

static uint64_t now_ms(lkr_session *s)
{
    uint64_t t = s->tr.now_ms(s->tr.ctx);
    if (t < s->last_now_ms) {
        t = s->last_now_ms; /* a clock going backwards has not moved */
    }
    s->last_now_ms = t;
    return t;
}

static void logf_(lkr_session *s, uint32_t level, const char *what, uint32_t step, const char *extra)
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

static int is_transport_status(lkr_status st)
{
    return st == LKR_OK || st == LKR_PENDING || (st <= LKR_E_INVAL && st >= LKR_E_PROTOCOL);
}

static uint32_t cost_of(const lkr_session *s, uint32_t step)
{
    return s->cost != NULL && s->cost[step] ? s->cost[step] : lkr__steps[step].cost_min;
}

static uint32_t fix_permille(uint32_t step, uint32_t cause)
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

static lkr_overrides overrides_view(const lkr_session *s)
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

static int is_final_phase(const lkr_session *s)
{
    return s->phase == LKR__P_FINAL;
}

/* ---- diagnosis and beliefs ----------------------------------------------- */

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

static void apply_failure(double *belief, uint32_t step)
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

static void next_question(lkr_session *s);

/* Recomputes the diagnosis and the beliefs from the facts and the history
 * (the beliefs are never stored: this gives them back, bit for bit). */
void lkr__rediagnose(lkr_session *s, lkr_diagnosis *d)
{
    lkr_overrides ov = overrides_view(s);
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
            apply_failure(s->belief, s->hist[i].step);
        }
    }
}

/* Recomputes diagnosis and beliefs, and chooses (or switches) the ladder. */
static void reclassify(lkr_session *s)
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
        logf_(s, LKR_LOG_INFO, "ladder switched by new facts", 0, NULL);
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

static void next_question(lkr_session *s)
{
    uint32_t q = pick_question(s);
    if (q != LKR_QUESTION_NONE) {
        s->question = (uint8_t)q;
        s->phase = LKR__P_ASK;
        return;
    }
    /* Everything asked and still unknown: the universal first steps. */
    s->ladder = LKR_LADDER_CONNECTION;
    s->entry_tier = (s->triage & LKR_TRIAGE_UPDATE_ACTIVE) ? LKR_TIER_TRIAGE : LKR_TIER_UNIVERSAL;
}

static const char *question_text(uint32_t q)
{
    switch (q) {
    case LKR_QUESTION_UPDATE_STATE:
        return "Was a firmware update involved? Is it still running, did the app say it "
               "succeeded or failed, or was there no update?";
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
        return "What firmware version does the app show for the lock now?";
    default:
        return "";
    }
}

/* ---- choosing a step -------------------------------------------------------- */

int lkr__candidate(const lkr_session *s, uint32_t step, double *score)
{
    const lkr__step_def *d = &lkr__steps[step];
    uint32_t c;
    double sum = 0.0;

    *score = 0.0;
    if (!(s->fits & STEP_BIT(step)) || (d->flags & (LKR_STEP_F_FOLLOWUP_ONLY | LKR_STEP_F_TERMINAL)) ||
        (s->tried & STEP_BIT(step)) || (s->disabled & STEP_BIT(step)) ||
        (s->waived_steps & STEP_BIT(step)) || (s->waived_tiers & (1u << d->tier)) ||
        ((d->flags & LKR_STEP_F_NEEDS_UPDATE) && !lkr__update_involved(&s->obs))) {
        return 0;
    }
    if (d->tier == LKR_TIER_TRIAGE && !s->triage_active) {
        return 0;
    }
    for (c = 0; c < d->fix_count; c++) {
        sum += s->belief[d->fixes[c].cause] * (double)d->fixes[c].permille / 1000.0;
    }
    *score = sum / (double)cost_of(s, step);
    /* Indicated: a step that would fix the lock with less than LKR__MIN_FIX
     * under the current beliefs is not offered (not yet: beliefs move as
     * other steps fail, and it may become indicated). The fixed-order policy
     * of the benchmarks tries every step that can fix anything. */
    return s->policy == LKR__POLICY_FIXED ? sum > 0.0 : sum >= LKR__MIN_FIX;
}

static uint32_t unmet_guards(const lkr_session *s, uint32_t step)
{
    const lkr__step_def *d = &lkr__steps[step];
    if (d->guards == 0) {
        return 0;
    }
    return d->guards & ~lkr__guards_held_of(s, d->tier, d->guards);
}

/* The tier to work in now (catalog section 5, docs/ENGINE.md): forwards from
 * the furthest tier reached; when nothing is left before the reset tier, the
 * tiers below it that have a step indicated again (skipped by the entry point,
 * or passed while a step there was not yet indicated) are revisited; then the
 * reset tier, after which the ladder never goes back; then support. */
static uint32_t current_tier(lkr_session *s)
{
    const uint8_t *tiers;
    uint32_t n = lkr__ladder_tiers(s, &tiers), i, from = 0, reset = 0;
    for (i = 0; i < n; i++) {
        if (tiers[i] == s->entry_tier) from = i;
        if (tiers[i] == LKR_TIER_RESET) reset = i;
    }
    if (s->reached > from) {
        from = s->reached;
    }
    if (from < reset) {
        for (i = from; i < reset; i++) {
            if (lkr__tier_has_candidate(s, tiers[i])) {
                s->reached = (uint8_t)i;
                return tiers[i];
            }
        }
        for (i = 0; i < from; i++) {
            if (lkr__tier_has_candidate(s, tiers[i])) return tiers[i];
        }
    }
    if (from <= reset && lkr__tier_has_candidate(s, LKR_TIER_RESET)) {
        s->reached = (uint8_t)reset;
        return LKR_TIER_RESET;
    }
    s->reached = (uint8_t)(reset + 1);
    return LKR_TIER_SUPPORT;
}

typedef struct choice {
    uint32_t step;    /* to offer, or 0 */
    uint32_t blocked; /* blocked on this step (when step is 0) */
    uint32_t unmet;
} choice;

/* Guards a person settles on the spot (confirm, or back the codes up): a step
 * blocked only by these is worth asking for, not passing over. */
#define PERSON_GUARDS                                                                          \
    (LKR__GUARDS_CONFIRMABLE | LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP) |                          \
     LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE))

static choice choose_step(const lkr_session *s, uint32_t tier)
{
    choice ch = {0, 0, 0};
    uint32_t id, k, pinned = 0, best = 0, best_unmet = 0;
    double best_ok = -1.0, best_blocked = -1.0, best_any = -1.0, score;

    if (tier == LKR_TIER_TRIAGE && lkr__candidate(s, LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN, &score)) {
        pinned = LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN;
    } else if (tier == LKR_TIER_UNIVERSAL &&
               (s->triage & (LKR_TRIAGE_NIMH_CELLS | LKR_TRIAGE_ZWAVE_LOW_BATTERY)) &&
               lkr__candidate(s, LKR_STEP_UNIVERSAL_FRESH_ALKALINE, &score)) {
        pinned = LKR_STEP_UNIVERSAL_FRESH_ALKALINE;
    }
    if (s->policy == LKR__POLICY_FIXED) {
        /* The seeds' order: the first candidate of the tier in catalog order. */
        pinned = 0;
        for (k = 0; lkr__tier_steps[tier][k] != 0 && pinned == 0; k++) {
            if (lkr__candidate(s, lkr__tier_steps[tier][k], &score)) {
                pinned = lkr__tier_steps[tier][k];
            }
        }
    }
    if (pinned) {
        uint32_t unmet = unmet_guards(s, pinned);
        if (unmet == 0) {
            ch.step = pinned;
            return ch;
        }
        if ((unmet & ~PERSON_GUARDS) == 0) {
            ch.blocked = pinned;
            ch.unmet = unmet;
            return ch;
        }
        /* Blocked by the engine's own guards: choose among the others. */
    }
    for (k = 0; lkr__tier_steps[tier][k] != 0; k++) {
        uint32_t unmet;
        id = lkr__tier_steps[tier][k];
        if (!lkr__candidate(s, id, &score)) {
            continue;
        }
        unmet = unmet_guards(s, id);
        if (score > best_any) {
            best_any = score;
            best = id;
            best_unmet = unmet;
        }
        if (unmet == 0 && score > best_ok) {
            best_ok = score;
            ch.step = id;
        } else if (unmet != 0 && score > best_blocked) {
            best_blocked = score;
            ch.blocked = id;
            ch.unmet = unmet;
        }
    }
    /* The best step waits only on the person: ask for it rather than settle
     * for a worse one. Engine-state guards (a running transfer, earlier tiers)
     * make the engine pass it over instead. */
    if (best != 0 && best_unmet != 0 && (best_unmet & ~PERSON_GUARDS) == 0) {
        ch.step = 0;
        ch.blocked = best;
        ch.unmet = best_unmet;
    } else if (ch.step != 0) {
        ch.blocked = 0;
        ch.unmet = 0;
        return ch;
    }
    /* Blocked by the code backup: offer the backup first, if not yet tried. */
    if (ch.blocked != 0 &&
        (ch.unmet & (LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP) |
                     LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE))) &&
        lkr__backup_offerable(s) && !s->backup_verified) {
        ch.step = LKR_STEP_REPAIR_BACKUP_CODES;
        ch.blocked = 0;
        ch.unmet = 0;
    }
    return ch;
}

void lkr__compute_fits(lkr_session *s)
{
    uint32_t id;
    s->fits = 0;
    if (s->profile.protocol < LKR_PROTOCOL_WIFI || s->profile.protocol > LKR_PROTOCOL_MAX) {
        return; /* not a valid profile: nothing fits */
    }
    for (id = 1; id <= LKR__STEP_COUNT; id++) {
        /* The profile part of lkr__step_applies (the update part is checked live). */
        if (lkr__step_fits(id, &s->profile)) {
            s->fits |= STEP_BIT(id);
        }
    }
}

uint32_t lkr__offset(const lkr_session *s, uint64_t now)
{
    uint64_t d = now > s->started_ms ? now - s->started_ms : 0;
    return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

int lkr__backup_verified(const lkr_session *s)
{
    if (s->backup_verified) {
        return 1; /* the internal test hook; never saved */
    }
    /* Only the backup this session made of this lock counts: a vault imported
     * from elsewhere, bound to another lock, or changed since, does not. */
    return s->vault != NULL && s->has_vault_digest && lkr__vault_verified(s->vault) &&
           lkr__vault_matches(s->vault, &s->profile, s->has_vault_digest, s->vault_digest);
}

/* ---- history ------------------------------------------------------------- */

static int open_entry(lkr_session *s, uint32_t step, uint64_t now)
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

/* Done, this step erased (or may have erased) the lock's codes: they are at
 * risk until the vault finds every one back. A profile that says re-pairs
 * keep codes is believed unless a verified backup can check it. */
static int may_erase_codes(const lkr_session *s, const lkr__step_def *d)
{
    return (d->destroys & LKR_DESTROYS_CODES) ||
           ((d->destroys & LKR_MAY_DESTROY_CODES) &&
            (s->profile.repair_erases_codes != LKR_NO || lkr__backup_verified(s)));
}

static void close_entry(lkr_session *s, uint32_t index, uint32_t outcome, uint64_t now)
{
    lkr__hist *h = &s->hist[index];
    const lkr__step_def *d = &lkr__steps[h->step];
    h->outcome = (uint8_t)outcome;
    h->ended_off = lkr__offset(s, now);
    if (outcome == LKR_OUTCOME_DONE || outcome == LKR_OUTCOME_FIXED ||
        outcome == LKR_OUTCOME_NOT_FIXED || outcome == LKR_OUTCOME_REFUTED) {
        s->person_minutes += cost_of(s, h->step);
        /* A step that erased (or may have erased) codes was done: until the
         * vault finds every code back on the lock, they are at risk. */
        if (may_erase_codes(s, d)) {
            s->codes_at_risk = 1;
        }
    }
}

/* The backup step can still be offered: not tried, waived or disabled. */
int lkr__backup_offerable(const lkr_session *s)
{
    const uint64_t b = STEP_BIT(LKR_STEP_REPAIR_BACKUP_CODES);
    return !((s->tried | s->waived_steps | s->disabled) & b);
}

int lkr__in_hand(const lkr_session *s)
{
    return s->cur_step != 0 &&
           (s->phase == LKR__P_PERFORM || (s->phase == LKR__P_BLOCKED && s->blocked_in_hand));
}

/* ---- final states ---------------------------------------------------------- */

static void finish(lkr_session *s, uint32_t state)
{
    /* A final session holds nothing in hand (and saves a blob that loads). */
    s->phase = LKR__P_FINAL;
    s->final_state = (uint8_t)state;
    s->cur_step = 0;
    s->verify_step = 0;
    s->blocked_step = 0;
    s->blocked_unmet = 0;
    s->blocked_followup = 0;
    s->blocked_in_hand = 0;
    s->question = 0;
    s->need_fw = 0;
    logf_(s, LKR_LOG_INFO,
          state == LKR_STATE_RECOVERED     ? "recovered"
          : state == LKR_STATE_NEEDS_SUPPORT ? "needs support"
                                             : "aborted",
          0, NULL);
}

static void needs_support(lkr_session *s, uint32_t reasons, uint64_t now);

/* Verifies (and restores) the codes through the vault this session backed up. */
static void check_codes_back(lkr_session *s)
{
    lkr_status st;
    uint32_t missing = 0;
    if (s->backup_verified && s->vault == NULL) {
        s->codes_at_risk = 0; /* the internal test hook stands in for a vault */
        return;
    }
    if (!lkr__backup_verified(s) || s->tr.read_codes == NULL) {
        return; /* nothing can check them: they stay at risk */
    }
    st = lkr_vault_verify(s->vault, &s->tr, &missing);
    if (st == LKR_E_CORRUPT && s->tr.write_code != NULL) {
        st = lkr_vault_restore(s->vault, &s->tr, &missing);
    }
    if (st == LKR_OK) {
        s->codes_missing = 0;
        s->codes_at_risk = 0;
        logf_(s, LKR_LOG_INFO, "every code is back on the lock", 0, NULL);
        return;
    }
    logf_(s, LKR_LOG_WARN, "codes could not be checked back", 0, lkr_strerror(st));
    if (missing > 0) {
        s->codes_missing = missing;
    }
}

static void recovered(lkr_session *s, uint64_t now)
{
    const lkr_observations *o = &s->obs;
    if (s->verify_step != 0) {
        close_entry(s, s->verify_hist, LKR_OUTCOME_FIXED, now);
    }
    /* Codes a step may have erased are checked back before "recovered": the
     * vault reads the lock, restores what is missing, and reads it again. */
    if (s->codes_at_risk) {
        check_codes_back(s);
    }
    /* Back, but with codes lost, or possibly erased and never checked: never
     * "recovered". */
    if (s->codes_missing > 0) {
        needs_support(s, LKR_SUPPORT_CODES_MISSING, now);
        return;
    }
    if (s->codes_at_risk) {
        needs_support(s, LKR_SUPPORT_CODES_UNVERIFIED, now);
        return;
    }
    /* Back, but still on the old version: the update itself failed. */
    if (o->fw_now[0] != '\0' && o->fw_before[0] != '\0' && strcmp(o->fw_now, o->fw_before) == 0 &&
        (o->fw_target[0] == '\0' || strcmp(o->fw_target, o->fw_before) != 0) &&
        lkr__update_involved(o)) {
        s->detail |= LKR_DETAIL_UPDATE_NOT_APPLIED;
    }
    finish(s, LKR_STATE_RECOVERED);
}

static int reset_performed(const lkr_session *s)
{
    uint32_t i;
    for (i = 0; i < s->hist_count; i++) {
        if (s->hist[i].step == LKR_STEP_RESET_FACTORY_RESET &&
            s->hist[i].outcome != LKR_OUTCOME_WAIVED && s->hist[i].outcome != LKR_OUTCOME_SKIPPED &&
            s->hist[i].outcome != LKR_OUTCOME_CANNOT_DO) {
            return 1;
        }
    }
    return 0;
}

/* Hand-over (catalog section 7): the terminal step that fits best. */
static void needs_support(lkr_session *s, uint32_t reasons, uint64_t now)
{
    const lkr_observations *o = &s->obs;
    uint32_t step = LKR_STEP_SUPPORT_CONTACT_MANUFACTURER, c;
    double manufacturer = 0.0, locksmith = 0.0;
    int idx;

    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        manufacturer += s->belief[c] * fix_permille(LKR_STEP_SUPPORT_CONTACT_MANUFACTURER, c);
        locksmith += s->belief[c] * fix_permille(LKR_STEP_SUPPORT_LOCKSMITH, c);
    }
    /* A locksmith is for the code path's mechanical faults. */
    if (s->ladder == LKR_LADDER_CODE && locksmith > manufacturer &&
        lkr__step_applies(LKR_STEP_SUPPORT_LOCKSMITH, &s->profile, &s->obs) &&
        !(s->disabled & STEP_BIT(LKR_STEP_SUPPORT_LOCKSMITH))) {
        step = LKR_STEP_SUPPORT_LOCKSMITH;
    }
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
        check_codes_back(s); /* the codes, at least, may still be checked back */
    }
    if (s->codes_missing > 0) {
        reasons |= LKR_SUPPORT_CODES_MISSING;
    } else if (s->codes_at_risk) {
        reasons |= LKR_SUPPORT_CODES_UNVERIFIED;
    }
    if ((reasons & LKR_SUPPORT_LADDER_EXHAUSTED) && !reset_performed(s)) {
        reasons |= LKR_SUPPORT_RESET_REFUSED;
    }
    s->support_reasons |= reasons;
    s->detail = s->support_reasons;
    s->tier = LKR_TIER_SUPPORT;
    s->terminal_step = (uint8_t)step;
    idx = open_entry(s, step, now);
    if (idx >= 0) {
        close_entry(s, (uint32_t)idx, LKR_OUTCOME_HANDED_OVER, now);
    }
    finish(s, LKR_STATE_NEEDS_SUPPORT);
}

/* ---- the step lifecycle ---------------------------------------------------- */

/* Nothing in hand: the next step is chosen. */
static void to_idle(lkr_session *s)
{
    s->cur_step = 0;
    s->verify_step = 0;
    s->phase = LKR__P_IDLE;
}

static void not_fixed(lkr_session *s, int refuted, uint64_t now)
{
    close_entry(s, s->verify_hist, refuted ? LKR_OUTCOME_REFUTED : LKR_OUTCOME_NOT_FIXED, now);
    apply_failure(s->belief, s->verify_step);
    logf_(s, LKR_LOG_INFO, refuted ? "reported fixed, probe disagrees" : "not fixed by",
          s->verify_step, NULL);
    to_idle(s);
}

static void start_verify(lkr_session *s)
{
    s->cur_step = 0;
    s->phase = LKR__P_VERIFY;
}

/* The step in hand ended without a verdict of its own: a follow-up has the
 * step it follows judged; any other step leaves nothing in hand. */
static void end_step(lkr_session *s)
{
    if (s->cur_step != s->verify_step) {
        start_verify(s);
    } else {
        to_idle(s);
    }
}

static void start_wait(lkr_session *s, uint32_t phase, uint32_t seconds, uint64_t now)
{
    s->phase = (uint8_t)phase;
    uint64_t span = (uint64_t)seconds * 1000u;
    s->wait_s = seconds;
    /* Saturate: a clock near its top never makes a wait end at once. */
    s->wait_until_ms = now > UINT64_MAX - span ? UINT64_MAX : now + span;
}

/* The current step was performed (this part of it). */
static void performed_part(lkr_session *s, uint32_t outcome, int was_hold_part, uint64_t now)
{
    const lkr__step_def *d = &lkr__steps[s->cur_step];
    if (s->cur_step == s->verify_step || outcome == LKR_OUTCOME_FIXED) {
        s->last_report = (uint8_t)outcome;
    }
    if (outcome == LKR_OUTCOME_FIXED) {
        if (s->cur_step != s->verify_step) {
            close_entry(s, s->cur_hist, LKR_OUTCOME_DONE, now); /* a follow-up */
        }
        start_verify(s);
        return;
    }
    if (was_hold_part && d->wait_s > 0) {
        start_wait(s, LKR__P_HOLD, d->wait_s, now);
        return;
    }
    if (d->settle_s > 0) {
        start_wait(s, LKR__P_SETTLE, d->settle_s, now);
        return;
    }
    s->phase = LKR__P_SETTLE; /* a settle of zero: over at once */
    s->wait_until_ms = now;
    s->wait_s = 0;
}

static void begin_step(lkr_session *s, uint32_t step, uint64_t now);
static void check_codes_back(lkr_session *s);

/* After the settle: a follow-up, the firmware question, or verification. */
static int reads_version(uint32_t step)
{
    return step == LKR_STEP_TRIAGE_CHECK_FIRMWARE || step == LKR_STEP_UNIVERSAL_CHECK_FIRMWARE;
}

static void after_settle(lkr_session *s, uint64_t now)
{
    const lkr__step_def *d = &lkr__steps[s->cur_step];
    int version_step = reads_version(s->cur_step);
    /* A step that erased (or may have erased) codes: check them back now,
     * through the vault, rather than only when the lock is judged. A
     * follow-up that does it (verify / restore) comes next anyway. */
    if (s->cur_step == s->verify_step && d->followup == 0 && may_erase_codes(s, d)) {
        s->codes_at_risk = 1;
        check_codes_back(s);
    }
    if ((d->flags & LKR_STEP_F_PREPARATION) && s->cur_step == s->verify_step) {
        /* A preparation (the code backup) fixes nothing: no verification. */
        close_entry(s, s->cur_hist, LKR_OUTCOME_DONE, now);
        to_idle(s);
        return;
    }
    if (s->cur_step != s->verify_step) {
        close_entry(s, s->cur_hist, LKR_OUTCOME_DONE, now); /* a follow-up finished */
    } else if (d->followup != 0 && !(s->tried & STEP_BIT(d->followup)) &&
               !(s->waived_steps & STEP_BIT(d->followup)) &&
               lkr__step_applies(d->followup, &s->profile, &s->obs)) {
        uint32_t unmet = unmet_guards(s, d->followup);
        if (unmet != 0) {
            /* A follow-up is a step like any other: it waits for its guards. */
            s->blocked_followup = d->followup;
            s->blocked_step = d->followup;
            s->blocked_unmet = unmet;
            s->guards_blocked |= unmet;
            s->phase = LKR__P_BLOCKED;
            return;
        }
        s->blocked_followup = 0;
        begin_step(s, d->followup, now);
        return;
    }
    /* A person read the version: ask for it before judging. */
    if (version_step && s->obs.fw_now[0] == '\0' &&
        !(s->asked & (1u << LKR_QUESTION_FIRMWARE_VERSION))) {
        s->cur_step = 0;
        s->need_fw = 1;
        s->question = LKR_QUESTION_FIRMWARE_VERSION;
        s->phase = LKR__P_ASK;
        return;
    }
    start_verify(s);
}

static int uses_probe_for_check(const lkr_session *s, uint32_t step)
{
    return s->tr.probe != NULL &&
           (step == LKR_STEP_TRIAGE_CHECK_FIRMWARE || step == LKR_STEP_UNIVERSAL_CHECK_FIRMWARE);
}

/* The code steps the engine does itself when a vault is attached and the
 * transport can read (and write) codes: back up, verify after a re-pair,
 * restore after a reset. Returns 1 when it handled the step. */
static int vault_step(lkr_session *s, uint32_t step, int idx, int followup, uint64_t now)
{
    lkr_status st;
    uint32_t missing = 0;
    if (s->vault == NULL || s->tr.read_codes == NULL) {
        return 0;
    }
    if (step == LKR_STEP_REPAIR_BACKUP_CODES) {
        st = lkr__vault_bind(s->vault, &s->profile);
        if (st == LKR_OK) st = lkr_vault_backup(s->vault, &s->tr);
        s->hist[idx].by_host = 1;
        if (st != LKR_OK) {
            logf_(s, LKR_LOG_WARN, "code backup refused", step, lkr_strerror(st));
            close_entry(s, (uint32_t)idx, LKR_OUTCOME_FAILED, now);
            to_idle(s);
            return 1;
        }
        lkr__vault_digest(s->vault, s->vault_digest);
        s->has_vault_digest = LKR__DIGEST_KEYED;
        logf_(s, LKR_LOG_INFO, "code backup verified", step, NULL);
        close_entry(s, (uint32_t)idx, LKR_OUTCOME_DONE, now);
        to_idle(s);
        return 1;
    }
    if ((step != LKR_STEP_REPAIR_VERIFY_CODES && step != LKR_STEP_RESET_RESTORE_AFTER_RESET) ||
        !lkr__backup_verified(s) || (s->backup_verified && s->vault == NULL) /* test hook */) {
        return 0;
    }
    s->hist[idx].by_host = 1;
    if (step == LKR_STEP_REPAIR_VERIFY_CODES) {
        st = lkr_vault_verify(s->vault, &s->tr, &missing);
        if (st == LKR_E_CORRUPT && s->tr.write_code != NULL) {
            st = lkr_vault_restore(s->vault, &s->tr, &missing);
        }
    } else if (s->tr.write_code != NULL) {
        st = lkr_vault_restore(s->vault, &s->tr, &missing);
    } else {
        st = LKR_E_UNSUPPORTED;
        missing = lkr__vault_count(s->vault);
    }
    if (st != LKR_OK && missing == 0) {
        missing = lkr__vault_count(s->vault); /* could not even read: assume none is back */
    }
    s->codes_missing = missing;
    if (missing > 0) {
        logf_(s, LKR_LOG_WARN, "codes still missing after", step, lkr_strerror(st));
    } else {
        s->codes_at_risk = 0; /* every code read back from the lock */
    }
    close_entry(s, (uint32_t)idx, missing == 0 ? LKR_OUTCOME_DONE : LKR_OUTCOME_FAILED, now);
    if (followup) {
        start_verify(s);
    } else {
        to_idle(s);
    }
    return 1;
}

/* Offers a step: through the host where it can, to a person otherwise. */
static void begin_step(lkr_session *s, uint32_t step, uint64_t now)
{
    const lkr__step_def *d = &lkr__steps[step];
    int idx = open_entry(s, step, now);
    int followup = s->verify_step != 0 && s->cur_step != 0 && step == lkr__steps[s->cur_step].followup;

    if (idx < 0) {
        needs_support(s, LKR_SUPPORT_LADDER_EXHAUSTED, now); /* history full: cannot happen */
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
    logf_(s, LKR_LOG_INFO, followup ? "follow-up" : "step", step, NULL);

    if (vault_step(s, step, idx, followup, now)) {
        return;
    }
    if (uses_probe_for_check(s, step) && reads_version(step)) {
        /* Reading the version is what a probe does: verification follows from it. */
        s->phase = LKR__P_VERIFY;
        return;
    }
    if ((d->flags & LKR_STEP_F_AUTOMATABLE) && s->tr.run_step != NULL) {
        lkr_status st = s->tr.run_step(s->tr.ctx, step);
        if (!is_transport_status(st)) {
            logf_(s, LKR_LOG_WARN, "run_step broke its contract for", step, "out-of-range value");
            st = LKR_E_PROTOCOL;
        }
        if (st == LKR_OK) {
            s->hist[idx].by_host = 1;
            s->by_host = 1;
            performed_part(s, LKR_OUTCOME_DONE, 0, now);
            return;
        }
        if (st == LKR_PENDING) {
            s->hist[idx].by_host = 1;
            s->by_host = 1;
            s->phase = LKR__P_HOST;
            return;
        }
        if (st != LKR_E_UNSUPPORTED) {
            logf_(s, LKR_LOG_WARN, "run_step failed for", step, lkr_strerror(st));
            close_entry(s, (uint32_t)idx, LKR_OUTCOME_FAILED, now);
            if (followup) {
                start_verify(s);
            } else {
                to_idle(s);
            }
            return;
        }
    }
    s->phase = LKR__P_PERFORM;
}

/* Merges what a probe found into the observations. */
static void merge_probe(lkr_session *s, const lkr_probe_result *r)
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
    if (o->update_state == LKR_UPDATE_IN_PROGRESS && o->fw_now[0] != '\0' &&
        o->fw_target[0] != '\0' && strcmp(o->fw_now, o->fw_target) == 0) {
        o->update_state = LKR_UPDATE_FINISHED;
        o->update_stalled_min = LKR_NUM_UNKNOWN;
    }
    if (memcmp(&before, o, sizeof(before)) != 0) {
        reclassify(s);
    }
}

static int probe_result_ok(const lkr_probe_result *r)
{
    return r->reachable <= LKR_YES && r->keypad_lights <= LKR_YES &&
           (r->battery_pct == LKR_NUM_UNKNOWN || (r->battery_pct >= 0 && r->battery_pct <= 100)) &&
           memchr(r->fw_version, '\0', sizeof(r->fw_version)) != NULL &&
           memchr(r->error_code, '\0', sizeof(r->error_code)) != NULL;
}

/* Judges a probe that completed. */
static void judge_probe(lkr_session *s, lkr_status st, const lkr_probe_result *r, uint64_t now)
{
    /* A follow-up that reads the version through the probe ends with it. */
    if (s->cur_step != 0 && s->cur_step != s->verify_step &&
        s->hist[s->cur_hist].outcome == LKR_OUTCOME_NONE) {
        close_entry(s, s->cur_hist, st == LKR_OK ? LKR_OUTCOME_DONE : LKR_OUTCOME_FAILED, now);
    }
    if (st == LKR_OK && r != NULL && probe_result_ok(r)) {
        int check = s->verify_step == LKR_STEP_TRIAGE_CHECK_FIRMWARE ||
                    s->verify_step == LKR_STEP_UNIVERSAL_CHECK_FIRMWARE;
        merge_probe(s, r);
        if (r->reachable == LKR_YES && s->ladder != LKR_LADDER_CODE) {
            recovered(s, now);
        } else if (r->reachable == LKR_NO && s->ladder != LKR_LADDER_CODE) {
            not_fixed(s, s->last_report == LKR_OUTCOME_FIXED, now);
        } else {
            /* The probe could not tell (or this is the code path, where the
             * keypad is the judge): the person decides. */
            (void)check;
            s->phase = LKR__P_VERIFY_ASK;
        }
        return;
    }
    /* A failing probe is never taken for success, nor for failure. */
    logf_(s, LKR_LOG_WARN, "probe failed while verifying", s->verify_step,
          st == LKR_OK ? "malformed result" : lkr_strerror(st));
    s->phase = LKR__P_VERIFY_ASK;
}

static void verify_now(lkr_session *s, uint64_t now)
{
    if (s->tr.probe != NULL && s->ladder != LKR_LADDER_CODE) {
        lkr_probe_result r;
        lkr_status st;
        memset(&r, 0, sizeof(r));
        r.struct_size = (uint32_t)sizeof(r);
        r.battery_pct = LKR_NUM_UNKNOWN;
        st = s->tr.probe(s->tr.ctx, &r);
        if (!is_transport_status(st)) {
            logf_(s, LKR_LOG_WARN, "probe broke its contract", 0, "out-of-range value");
            st = LKR_E_PROTOCOL;
        }
        if (st == LKR_PENDING) {
            s->phase = LKR__P_VERIFY_PROBE;
            return;
        }
        judge_probe(s, st, &r, now);
        return;
    }
    if (s->tr.probe != NULL && uses_probe_for_check(s, s->verify_step)) {
        /* Code ladder: the probe reads the version, the person judges. */
        lkr_probe_result r;
        lkr_status st;
        memset(&r, 0, sizeof(r));
        r.struct_size = (uint32_t)sizeof(r);
        r.battery_pct = LKR_NUM_UNKNOWN;
        st = s->tr.probe(s->tr.ctx, &r);
        if (st == LKR_OK && probe_result_ok(&r)) {
            merge_probe(s, &r);
        }
    }
    if (s->last_report == LKR_OUTCOME_FIXED) {
        recovered(s, now);
    } else if (s->last_report == LKR_OUTCOME_NOT_FIXED) {
        not_fixed(s, 0, now);
    } else {
        s->phase = LKR__P_VERIFY_ASK;
    }
}

/* ---- deciding ----------------------------------------------------------- */

/* Performed, and it did not bring the lock back. */
static int performed_unfixed(const lkr_session *s, uint32_t step)
{
    uint32_t i;
    for (i = 0; i < s->hist_count; i++) {
        if (s->hist[i].step == step) {
            uint8_t o = s->hist[i].outcome;
            return o == LKR_OUTCOME_DONE || o == LKR_OUTCOME_NOT_FIXED || o == LKR_OUTCOME_REFUTED;
        }
    }
    return 0;
}

/* Where the ladder stands relative to a tier (its index in the ladder). */
static int ladder_index(const lkr_session *s, uint32_t tier)
{
    const uint8_t *tiers;
    uint32_t n = lkr__ladder_tiers(s, &tiers), i;
    for (i = 0; i < n; i++) {
        if (tiers[i] == tier) return (int)i;
    }
    return -1;
}

static void decide(lkr_session *s, uint64_t now)
{
    uint32_t tier;
    choice ch;

    if (s->ladder == LKR_LADDER_NONE) {
        next_question(s);
        if (s->phase == LKR__P_ASK) {
            return;
        }
    }
    /* Section 7: a keypad still dark after fresh cells and a 30 s pull. */
    if (s->symptom == LKR_SYMPTOM_COMPLETELY_SILENT && !s->dead_keypad_asked &&
        s->profile.has_keypad != LKR_NO &&
        performed_unfixed(s, LKR_STEP_UNIVERSAL_FRESH_ALKALINE) &&
        performed_unfixed(s, LKR_STEP_UNIVERSAL_BATTERY_PULL)) {
        s->dead_keypad_asked = 1;
        s->question = LKR_QUESTION_KEYPAD_LIGHTS;
        s->phase = LKR__P_ASK;
        return;
    }
    if (s->policy == LKR__POLICY_ORACLE) {
        /* Knows the fault: the untried step that fixes it best per minute, any tier. */
        uint32_t id, best = 0;
        double best_v = 0.0;
        for (id = 1; id <= LKR__STEP_COUNT; id++) {
            double score, v;
            if (!lkr__candidate(s, id, &score) || (lkr__steps[id].flags & LKR_STEP_F_PREPARATION)) continue;
            v = (double)fix_permille(id, s->oracle_cause) / (double)cost_of(s, id);
            if (v > best_v) {
                best_v = v;
                best = id;
            }
        }
        if (best != 0) {
            uint32_t unmet = unmet_guards(s, best);
            if (unmet == 0) {
                begin_step(s, best, now);
                return;
            }
            if ((unmet & (LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP) | LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE))) &&
                !(s->tried & STEP_BIT(LKR_STEP_REPAIR_BACKUP_CODES))) {
                begin_step(s, LKR_STEP_REPAIR_BACKUP_CODES, now);
                return;
            }
            s->blocked_step = (uint8_t)best;
            s->blocked_unmet = unmet;
            s->phase = LKR__P_BLOCKED;
            return;
        }
        needs_support(s, LKR_SUPPORT_LADDER_EXHAUSTED, now);
        return;
    }
    tier = current_tier(s);
    s->tier = (uint8_t)tier;
    /* Section 7: it fails from more than one phone. Once the lock's own
     * protocol path is exhausted, re-pairs and resets (which need a working
     * link from a phone) cannot help: hand over. */
    if (s->ladder == LKR_LADDER_CONNECTION && s->obs.second_phone_connects == LKR_NO &&
        ladder_index(s, tier) > ladder_index(s, LKR_TIER_PROTOCOL)) {
        needs_support(s, LKR_SUPPORT_SEVERAL_PHONES, now);
        return;
    }
    if (tier == LKR_TIER_SUPPORT) {
        needs_support(s, LKR_SUPPORT_LADDER_EXHAUSTED, now);
        return;
    }
    ch = choose_step(s, tier);
    if (ch.step != 0) {
        s->blocked_step = 0;
        s->blocked_unmet = 0;
        begin_step(s, ch.step, now);
        return;
    }
    s->blocked_step = (uint8_t)ch.blocked;
    s->blocked_unmet = ch.unmet;
    s->guards_blocked |= ch.unmet;
    s->phase = LKR__P_BLOCKED;
}

/* ---- public: lifecycle ------------------------------------------------------ */

void lkr_transport_init(lkr_transport *transport)
{
    if (transport == NULL) {
        return;
    }
    memset(transport, 0, sizeof(*transport));
    transport->struct_size = (uint32_t)sizeof(*transport);
}

void lkr_session_config_init(lkr_session_config *config)
{
    if (config == NULL) {
        return;
    }
    memset(config, 0, sizeof(*config));
    config->struct_size = (uint32_t)sizeof(*config);
}

#define CONFIG_MIN_SIZE (offsetof(lkr_session_config, allocator) + sizeof(void *))

size_t lkr__tail_size(uint32_t priors, uint32_t likelihoods, int costs)
{
    return priors * sizeof(lkr_weight) + likelihoods * sizeof(lkr_likelihood) +
           (costs ? (LKR__STEP_COUNT + 1) * sizeof(uint16_t) : 0);
}

void lkr__place_tail(lkr_session *s, uint32_t priors, uint32_t likelihoods, int costs)
{
    unsigned char *tail = (unsigned char *)(s + 1);
    s->priors = priors ? (lkr_weight *)(void *)tail : NULL;
    tail += priors * sizeof(lkr_weight);
    s->likelihoods = likelihoods ? (lkr_likelihood *)(void *)tail : NULL;
    tail += likelihoods * sizeof(lkr_likelihood);
    s->cost = costs ? (uint16_t *)(void *)tail : NULL;
    s->prior_count = (uint8_t)priors;
    s->likelihood_count = (uint8_t)likelihoods;
}

static void copy_overrides(lkr_session *s, const lkr_overrides *ov)
{
    uint32_t i;
    if (ov == NULL) {
        return;
    }
    for (i = 0; i < ov->prior_count; i++) {
        s->priors[i] = ov->priors[i];
    }
    for (i = 0; i < ov->likelihood_count; i++) {
        s->likelihoods[i] = ov->likelihoods[i];
    }
    for (i = 0; i < ov->cost_count; i++) {
        s->cost[ov->costs[i].id] = (uint16_t)(ov->costs[i].value > 65535u ? 65535u : ov->costs[i].value);
    }
    for (i = 0; i < ov->disabled_count; i++) {
        s->disabled |= STEP_BIT(ov->disabled_steps[i]);
    }
}

lkr_status lkr_session_new(const lkr_session_config *config, const lkr_transport *transport,
                           lkr_session **out)
{
    lkr_status st;
    lkr_session *s;
    const lkr_allocator *al;

    if (config == NULL || transport == NULL || out == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_size(config, config->struct_size, CONFIG_MIN_SIZE, sizeof(*config))) != LKR_OK ||
        (st = lkr__check_transport(transport)) != LKR_OK) {
        return st;
    }
    if (config->reserved_ != 0 || config->profile == NULL) {
        return LKR_E_INVAL;
    }
    al = config->allocator;
    if ((st = lkr__check_allocator(al)) != LKR_OK) {
        return st;
    }
    if ((st = lkr_profile_validate(config->profile)) != LKR_OK ||
        (config->observations != NULL &&
         ((st = lkr_observations_validate(config->observations)) != LKR_OK ||
          (st = lkr__consistent(config->profile, config->observations)) != LKR_OK)) ||
        (st = lkr_overrides_validate(config->overrides)) != LKR_OK) {
        return st;
    }
    if (config->overrides != NULL && config->overrides->likelihood_count > LKR_SESSION_LIKELIHOODS_MAX) {
        return LKR_E_UNSUPPORTED;
    }

    {
        const lkr_overrides *ov = config->overrides;
        uint32_t np = ov != NULL ? ov->prior_count : 0, nl = ov != NULL ? ov->likelihood_count : 0;
        int nc = ov != NULL && ov->cost_count > 0;
        size_t size = sizeof(*s) + lkr__tail_size(np, nl, nc);
        s = al != NULL ? (lkr_session *)al->alloc(al->ctx, size) : (lkr_session *)malloc(size);
        if (s == NULL) {
            return LKR_E_NOMEM;
        }
        memset(s, 0, size);
        s->alloc_size = (uint32_t)size;
        lkr__place_tail(s, np, nl, nc);
    }
    s->magic = LKR__SESSION_MAGIC;
    memcpy(&s->tr, transport, sizeof(s->tr));
    s->tr.struct_size = (uint32_t)sizeof(s->tr);
    if (al != NULL) {
        s->alloc = *al;
        s->has_alloc = 1;
    }
    memcpy(&s->profile, config->profile, sizeof(s->profile));
    s->profile.struct_size = (uint32_t)sizeof(s->profile);
    if (config->observations != NULL) {
        memcpy(&s->obs, config->observations, sizeof(s->obs));
        s->obs.struct_size = (uint32_t)sizeof(s->obs);
    } else {
        lkr_observations_init(&s->obs);
    }
    memcpy(s->initial_error, s->obs.error_code, sizeof(s->initial_error));
    copy_overrides(s, config->overrides);
    s->last_now_ms = s->tr.now_ms(s->tr.ctx);
    s->started_ms = s->last_now_ms;
    s->phase = LKR__P_IDLE;
    lkr__compute_fits(s);
    reclassify(s);
    *out = s;
    return LKR_OK;
}

void lkr_session_free(lkr_session *s)
{
    lkr_allocator al;
    int has;
    size_t size;
    if (s == NULL || s->magic != LKR__SESSION_MAGIC) {
        return;
    }
    al = s->alloc;
    has = s->has_alloc;
    size = s->alloc_size;
    lkr__wipe(s, size); /* everything the session knew, tail included */
    if (has) {
        al.free(al.ctx, s, size);
    } else {
        free(s);
    }
}

static int session_ok(const lkr_session *s)
{
    return s != NULL && s->magic == LKR__SESSION_MAGIC;
}

/* ---- public: next ------------------------------------------------------------- */

static uint32_t public_state(const lkr_session *s)
{
    switch (s->phase) {
    case LKR__P_FINAL:
        return s->final_state;
    case LKR__P_PERFORM:
    case LKR__P_RESUME:
        return LKR_STATE_AWAITING_PERSON;
    case LKR__P_HOST:
        return LKR_STATE_AWAITING_TRANSPORT;
    case LKR__P_HOLD:
    case LKR__P_SETTLE:
        return LKR_STATE_WAITING;
    case LKR__P_VERIFY:
    case LKR__P_VERIFY_ASK:
    case LKR__P_VERIFY_PROBE:
        return LKR_STATE_VERIFYING;
    case LKR__P_BLOCKED:
        return LKR_STATE_BLOCKED;
    default:
        return LKR_STATE_TRIAGE;
    }
}

static const char *resume_text(uint32_t step)
{
    if (lkr__steps[step].flags & LKR_STEP_F_CUTS_POWER) {
        return "Time is up: put the batteries back (or restore power) now.";
    }
    if (step == LKR_STEP_RESET_FACTORY_RESET) {
        return "You can let go of the reset button once the lights confirm the reset.";
    }
    return "Time is up: plug it back in, or turn it back on, now.";
}

static void fill_action(const lkr_session *s, lkr_action *a)
{
    memset(a, 0, sizeof(*a));
    a->state = public_state(s);
    a->tier = s->tier;
    switch (s->phase) {
    case LKR__P_ASK:
        a->kind = LKR_ACTION_ASK;
        a->question = s->question;
        a->title = "Question";
        a->text = question_text(s->question);
        break;
    case LKR__P_PERFORM:
        a->kind = LKR_ACTION_PERSON_STEP;
        a->step = s->cur_step;
        a->phase = LKR_PHASE_PERFORM;
        a->wait_s = lkr__steps[s->cur_step].wait_s;
        a->title = lkr__steps[s->cur_step].title;
        a->text = lkr__steps[s->cur_step].instructions;
        break;
    case LKR__P_RESUME:
        a->kind = LKR_ACTION_PERSON_STEP;
        a->step = s->cur_step;
        a->phase = LKR_PHASE_RESUME;
        a->title = lkr__steps[s->cur_step].title;
        a->text = resume_text(s->cur_step);
        break;
    case LKR__P_HOST:
        a->kind = LKR_ACTION_HOST_STEP;
        a->step = s->cur_step;
        a->phase = LKR_PHASE_PERFORM;
        a->title = lkr__steps[s->cur_step].title;
        a->text = lkr__steps[s->cur_step].instructions;
        break;
    case LKR__P_HOLD:
    case LKR__P_SETTLE:
        a->kind = LKR_ACTION_WAIT;
        a->step = s->cur_step;
        a->phase = s->phase == LKR__P_HOLD ? LKR_PHASE_HOLD : LKR_PHASE_SETTLE;
        a->wait_s = s->wait_s;
        a->wait_until_ms = s->wait_until_ms;
        a->title = lkr__steps[s->cur_step].title;
        a->text = s->phase == LKR__P_HOLD ? "Keep it that way until the time is up."
                                         : "Give the lock time to reconnect before checking.";
        break;
    case LKR__P_VERIFY_ASK:
    case LKR__P_VERIFY_PROBE:
        a->kind = LKR_ACTION_VERIFY;
        a->step = s->verify_step;
        a->phase = s->phase == LKR__P_VERIFY_ASK ? LKR_PHASE_ASK_PERSON : LKR_PHASE_PROBE;
        a->title = "Is the lock back?";
        a->text = s->ladder == LKR_LADDER_CODE
                      ? "Try the code at the keypad now: does it open the lock?"
                      : "Check the lock now: does the app reach it, and does it lock and unlock?";
        break;
    case LKR__P_BLOCKED:
        a->kind = LKR_ACTION_BLOCKED;
        a->step = s->blocked_step;
        a->unmet_guards = s->blocked_unmet;
        a->title = lkr__steps[s->blocked_step].title;
        a->text = "This step is refused until every guard listed holds.";
        break;
    case LKR__P_FINAL:
        a->kind = s->final_state == LKR_STATE_RECOVERED       ? LKR_ACTION_RECOVERED
                  : s->final_state == LKR_STATE_NEEDS_SUPPORT ? LKR_ACTION_NEEDS_SUPPORT
                                                              : LKR_ACTION_ABORTED;
        a->detail = s->detail;
        if (s->final_state == LKR_STATE_NEEDS_SUPPORT) {
            a->step = s->terminal_step;
            a->title = lkr__steps[s->terminal_step].title;
            a->text = lkr__steps[s->terminal_step].instructions;
        } else if (s->final_state == LKR_STATE_RECOVERED) {
            a->title = "Recovered";
            a->text = (s->detail & LKR_DETAIL_UPDATE_NOT_APPLIED)
                          ? "The lock is back, but it still runs the old firmware: the update "
                            "failed. Before trying again, go through the pre-update checklist."
                          : "The lock is back.";
        } else {
            a->title = "Aborted";
            a->text = "The recovery was stopped.";
        }
        break;
    default:
        break;
    }
}

/* Moves the machine as far as it goes without the host. */
static void advance(lkr_session *s)
{
    int guard;
    for (guard = 0; guard < 256; guard++) {
        uint64_t now = now_ms(s);
        switch (s->phase) {
        case LKR__P_BLOCKED:
            if (s->blocked_in_hand) {
                uint32_t unmet = unmet_guards(s, s->cur_step);
                if (unmet != 0) {
                    s->blocked_unmet = unmet;
                    return;
                }
                s->blocked_in_hand = 0;
                s->blocked_step = 0;
                s->blocked_unmet = 0;
                s->phase = LKR__P_PERFORM;
                continue;
            }
            if (s->blocked_followup != 0) {
                uint32_t unmet = unmet_guards(s, s->blocked_followup);
                if (unmet != 0) {
                    s->blocked_unmet = unmet;
                    return;
                }
                s->blocked_followup = 0;
                s->blocked_step = 0;
                s->blocked_unmet = 0;
                begin_step(s, lkr__steps[s->cur_step].followup, now);
                continue;
            }
            /* fall through - a blocked choice is made again */
        case LKR__P_IDLE:
            decide(s, now);
            if (s->phase == LKR__P_BLOCKED || s->phase == LKR__P_ASK) {
                return;
            }
            continue;
        case LKR__P_PERFORM: {
            /* Guards are re-checked while a step waits for its person: one
             * that stops holding (a withdrawn confirmation, a lost backup, an
             * update that turns out to be running) blocks it again. */
            uint32_t unmet = unmet_guards(s, s->cur_step);
            if (unmet != 0) {
                s->blocked_in_hand = 1;
                s->blocked_step = s->cur_step;
                s->blocked_unmet = unmet;
                s->guards_blocked |= unmet;
                s->phase = LKR__P_BLOCKED;
            }
            return;
        }
        case LKR__P_HOLD:
            if (now < s->wait_until_ms) return;
            s->phase = LKR__P_RESUME;
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

static uint32_t action_signature(const lkr_action *a)
{
    return (a->kind & 0xFu) | ((a->step & 0xFFu) << 4) | ((a->phase & 0xFu) << 12) |
           ((a->question & 0xFu) << 16) | ((a->unmet_guards & 0x3FFu) << 20);
}

lkr_status lkr_session_next(lkr_session *s, lkr_action *out)
{
    lkr_action a;
    uint32_t size;
    lkr_status st;
    if (!session_ok(s) || out == NULL) {
        return LKR_E_INVAL;
    }
    memcpy(&size, out, sizeof(size));
    if (size < sizeof(lkr_action) || size > LKR__STRUCT_SIZE_MAX) {
        return LKR_E_INVAL;
    }
    advance(s);
    fill_action(s, &a);
    a.struct_size = (uint32_t)sizeof(a);
    if (s->tr.prompt != NULL &&
        (a.kind == LKR_ACTION_ASK || a.kind == LKR_ACTION_PERSON_STEP || a.kind == LKR_ACTION_BLOCKED ||
         (a.kind == LKR_ACTION_VERIFY && a.phase == LKR_PHASE_ASK_PERSON))) {
        uint32_t sig = action_signature(&a);
        if (sig != s->prompted_sig) {
            s->prompted_sig = sig;
            s->tr.prompt(s->tr.ctx, &a);
        }
    }
    st = lkr__emit(out, &a, sizeof(a), sizeof(a));
    return st;
}

/* ---- public: the host's reports --------------------------------------------- */

lkr_status lkr_session_report(lkr_session *s, uint32_t step, uint32_t outcome)
{
    uint64_t now;
    if (!session_ok(s) || outcome < LKR_OUTCOME_FIXED || outcome > LKR_OUTCOME_FAILED) {
        return LKR_E_INVAL;
    }
    if (is_final_phase(s)) {
        return LKR_E_STATE;
    }
    advance(s); /* a wait may have ended */
    now = now_ms(s);
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
            s->phase = LKR__P_PERFORM; /* a person does it */
            break;
        }
        if (outcome == LKR_OUTCOME_SKIPPED || outcome == LKR_OUTCOME_CANNOT_DO ||
            outcome == LKR_OUTCOME_FAILED) {
            close_entry(s, s->cur_hist, outcome, now);
            end_step(s); /* a failed follow-up: the step is still judged */
            break;
        }
        performed_part(s, outcome, s->phase == LKR__P_PERFORM, now);
        break;
    case LKR__P_VERIFY_ASK:
        if (step != s->verify_step) {
            return LKR_E_STATE;
        }
        if (outcome == LKR_OUTCOME_FIXED) {
            s->last_report = LKR_OUTCOME_FIXED;
            recovered(s, now);
        } else if (outcome == LKR_OUTCOME_NOT_FIXED) {
            not_fixed(s, 0, now);
        } else {
            return LKR_E_INVAL;
        }
        break;
    default:
        return LKR_E_STATE;
    }
    advance(s);
    return LKR_OK;
}

static lkr_status set_answer(lkr_session *s, uint32_t q, int32_t v)
{
    lkr_observations *o = &s->obs;
    int tri = v == LKR_UNKNOWN || v == LKR_NO || v == LKR_YES;
    switch (q) {
    case LKR_QUESTION_UPDATE_STATE:
        if (v < 0 || v > LKR_UPDATE_STATE_MAX) return LKR_E_INVAL;
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
    default:
        return LKR_E_INVAL;
    }
    return LKR_OK;
}

lkr_status lkr_session_answer(lkr_session *s, uint32_t question, int32_t value)
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
    if (question == LKR_QUESTION_FIRMWARE_VERSION) {
        s->need_fw = 0;
        start_verify(s);
    } else if (s->dead_keypad_asked && question == LKR_QUESTION_KEYPAD_LIGHTS &&
               s->ladder != LKR_LADDER_NONE) {
        reclassify(s);
        s->phase = LKR__P_IDLE;
        if (value == LKR_NO) {
            needs_support(s, LKR_SUPPORT_DEAD_KEYPAD, now_ms(s));
            return LKR_OK;
        }
    } else {
        reclassify(s);
        s->phase = LKR__P_IDLE;
    }
    advance(s);
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

lkr_status lkr_session_observe(lkr_session *s, const lkr_observations *obs)
{
    lkr_observations merged;
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
    merged = s->obs;
    merge_obs(&merged, obs);
    if ((st = lkr_observations_validate(&merged)) != LKR_OK ||
        (st = lkr__consistent(&s->profile, &merged)) != LKR_OK) {
        return st;
    }
    if (obs->error_code[0] != '\0' && s->hist_count > 0) {
        s->error_reobserved = 1;
    }
    s->obs = merged;
    reclassify(s);
    if (s->phase == LKR__P_ASK) {
        if (s->question == LKR_QUESTION_FIRMWARE_VERSION) {
            if (s->obs.fw_now[0] != '\0') {
                s->asked |= 1u << LKR_QUESTION_FIRMWARE_VERSION;
                s->need_fw = 0;
                start_verify(s);
            }
        } else if (!s->dead_keypad_asked || s->question != LKR_QUESTION_KEYPAD_LIGHTS) {
            s->phase = LKR__P_IDLE; /* re-ask only what is still unknown */
        } else if (s->obs.keypad_lights != LKR_UNKNOWN) {
            s->asked |= 1u << LKR_QUESTION_KEYPAD_LIGHTS;
            s->phase = LKR__P_IDLE;
            if (s->obs.keypad_lights == LKR_NO) {
                needs_support(s, LKR_SUPPORT_DEAD_KEYPAD, now_ms(s));
                return LKR_OK;
            }
        }
    }
    advance(s);
    return LKR_OK;
}

lkr_status lkr_session_tick(lkr_session *s)
{
    if (!session_ok(s)) {
        return LKR_E_INVAL;
    }
    if (s->phase == LKR__P_HOLD || s->phase == LKR__P_SETTLE) {
        if (now_ms(s) < s->wait_until_ms) {
            return LKR_PENDING;
        }
        advance(s);
    }
    return LKR_OK;
}

lkr_status lkr_session_probe_done(lkr_session *s, lkr_status status, const lkr_probe_result *result)
{
    if (!session_ok(s) || (status == LKR_OK && result == NULL) || status == LKR_PENDING) {
        return LKR_E_INVAL;
    }
    if (s->phase != LKR__P_VERIFY_PROBE) {
        return LKR_E_STATE;
    }
    if (status == LKR_OK &&
        (result->struct_size < offsetof(lkr_probe_result, error_code) + LKR_VERSION_TEXT_MAX ||
         result->struct_size > LKR__STRUCT_SIZE_MAX)) {
        return LKR_E_INVAL;
    }
    judge_probe(s, is_transport_status(status) ? status : LKR_E_PROTOCOL, result, now_ms(s));
    advance(s);
    return LKR_OK;
}

lkr_status lkr_session_confirm(lkr_session *s, uint32_t guard, int holds)
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
    if (holds) {
        s->confirmed |= LKR_GUARD_BIT(guard);
    } else {
        s->confirmed &= ~LKR_GUARD_BIT(guard);
    }
    return LKR_OK;
}

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
    if (s->phase == LKR__P_BLOCKED && s->blocked_followup != 0) {
        return 1;
    }
    return s->phase == LKR__P_HOLD || s->phase == LKR__P_RESUME || s->phase == LKR__P_SETTLE ||
           s->phase == LKR__P_HOST || s->phase == LKR__P_VERIFY_PROBE ||
           s->phase == LKR__P_VERIFY_ASK;
}

lkr_status lkr_session_waive(lkr_session *s, uint32_t kind, uint32_t id, const char *reason)
{
    lkr__waiver *w;
    uint64_t now;
    int moved = 0;
    if (!session_ok(s) || !reason_ok(reason)) {
        return LKR_E_INVAL;
    }
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
    if (s->waiver_count >= LKR_WAIVERS_MAX) {
        return LKR_E_RANGE;
    }
    now = now_ms(s);
    w = &s->waivers[s->waiver_count++];
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
    logf_(s, LKR_LOG_INFO, kind == LKR_WAIVE_TIER ? "tier waived" : "step waived",
          kind == LKR_WAIVE_STEP ? id : 0, NULL);
    if (lkr__in_hand(s) &&
        (kind == LKR_WAIVE_STEP ? id == s->cur_step : lkr__steps[s->cur_step].tier == id)) {
        /* The step in hand (offered, or blocked again since): closed. */
        close_entry(s, s->cur_hist, LKR_OUTCOME_WAIVED, now);
        s->blocked_in_hand = 0;
        s->blocked_step = 0;
        s->blocked_unmet = 0;
        end_step(s);
        moved = 1;
    } else if (kind == LKR_WAIVE_STEP && s->phase == LKR__P_BLOCKED && s->blocked_followup == id) {
        /* A blocked follow-up, never begun: recorded, and its step judged. */
        int idx = open_entry(s, id, now);
        if (idx >= 0) {
            close_entry(s, (uint32_t)idx, LKR_OUTCOME_WAIVED, now);
        }
        s->blocked_followup = 0;
        s->blocked_step = 0;
        s->blocked_unmet = 0;
        start_verify(s);
        moved = 1;
    } else if (kind == LKR_WAIVE_STEP) {
        int idx = open_entry(s, id, now);
        if (idx >= 0) {
            close_entry(s, (uint32_t)idx, LKR_OUTCOME_WAIVED, now);
        }
    }
    /* A blocked choice is made again; a step in hand stays in hand, its guards
     * checked again (fuzz finding: it was dropped with its entry open). */
    if (s->phase == LKR__P_BLOCKED && !s->blocked_in_hand && s->blocked_followup == 0) {
        s->phase = LKR__P_IDLE;
    }
    if (moved || s->phase == LKR__P_BLOCKED || s->phase == LKR__P_IDLE) {
        advance(s);
    }
    return LKR_OK;
}

lkr_status lkr_session_abort(lkr_session *s)
{
    if (!session_ok(s)) {
        return LKR_E_INVAL;
    }
    if (is_final_phase(s)) {
        return LKR_E_STATE;
    }
    {
        uint64_t now = now_ms(s);
        if (s->cur_step != 0 && s->hist[s->cur_hist].outcome == LKR_OUTCOME_NONE) {
            close_entry(s, s->cur_hist, LKR_OUTCOME_SKIPPED, now);
        }
        if (s->verify_step != 0 && s->hist[s->verify_hist].outcome == LKR_OUTCOME_NONE) {
            close_entry(s, s->verify_hist, LKR_OUTCOME_SKIPPED, now);
        }
    }
    finish(s, LKR_STATE_ABORTED);
    return LKR_OK;
}

/* ---- public: accessors -------------------------------------------------------- */

lkr_status lkr_session_status(const lkr_session *s, lkr_session_info *out)
{
    lkr_session_info info;
    const uint8_t *tiers;
    uint32_t n, i;
    if (!session_ok(s) || out == NULL) {
        return LKR_E_INVAL;
    }
    memset(&info, 0, sizeof(info));
    info.struct_size = (uint32_t)sizeof(info);
    info.state = public_state(s);
    info.ladder = s->ladder;
    info.tier = s->ladder != LKR_LADDER_NONE ? s->tier : 0;
    info.symptom = s->symptom;
    info.triage = s->triage;
    info.guards_held = lkr__guards_held(s, LKR_TIER_RESET);
    info.support_reasons = s->support_reasons;
    info.history_count = s->hist_count;
    info.waiver_count = s->waiver_count;
    info.person_minutes = s->person_minutes;
    info.guards_blocked = s->guards_blocked;
    info.codes_missing = s->codes_missing;
    info.vault_attached = s->vault != NULL;
    info.backup_verified = (uint32_t)lkr__backup_verified(s);
    if (s->ladder != LKR_LADDER_NONE) {
        n = lkr__ladder_tiers(s, &tiers);
        for (i = 0; i < n; i++) {
            if (tiers[i] != LKR_TIER_SUPPORT && !lkr__tier_has_candidate(s, tiers[i])) {
                info.tiers_done |= 1u << tiers[i];
            }
        }
    }
    return lkr__emit(out, &info, sizeof(info), sizeof(info));
}

lkr_status lkr_session_beliefs(const lkr_session *s, lkr_diagnosis *out)
{
    lkr_diagnosis d;
    uint32_t c, n = 0;
    if (!session_ok(s) || out == NULL) {
        return LKR_E_INVAL;
    }
    memset(&d, 0, sizeof(d));
    d.struct_size = (uint32_t)sizeof(d);
    d.symptom = s->symptom;
    d.entry_tier = s->entry_tier;
    d.triage = s->triage;
    d.evidence = s->evidence;
    for (c = 1; c <= LKR__CAUSE_COUNT && n < LKR_DIAGNOSIS_MAX_CAUSES; c++) {
        uint32_t k;
        if (s->belief[c] <= 0.0) {
            continue;
        }
        k = n++;
        while (k > 0 && d.causes[k - 1].p < s->belief[c]) {
            d.causes[k] = d.causes[k - 1];
            k--;
        }
        d.causes[k].cause = c;
        d.causes[k].p = s->belief[c];
    }
    d.cause_count = n;
    return lkr__emit(out, &d, sizeof(d), offsetof(lkr_diagnosis, causes) + sizeof(d.causes));
}

lkr_status lkr_session_history(const lkr_session *s, uint32_t index, lkr_history_entry *out)
{
    lkr_history_entry e;
    const lkr__hist *h;
    if (!session_ok(s) || out == NULL) {
        return LKR_E_INVAL;
    }
    if (index >= s->hist_count) {
        return out->struct_size < sizeof(e) ? LKR_E_INVAL : LKR_E_RANGE;
    }
    h = &s->hist[index];
    memset(&e, 0, sizeof(e));
    e.struct_size = (uint32_t)sizeof(e);
    e.step = h->step;
    e.tier = lkr__steps[h->step].tier;
    e.outcome = h->outcome;
    e.by_host = h->by_host;
    e.started_ms = s->started_ms + h->started_off;
    e.ended_ms = h->outcome != LKR_OUTCOME_NONE ? s->started_ms + h->ended_off : 0;
    return lkr__emit(out, &e, sizeof(e), sizeof(e));
}

lkr_status lkr_session_waiver(const lkr_session *s, uint32_t index, lkr_waiver *out)
{
    lkr_waiver w;
    if (!session_ok(s) || out == NULL) {
        return LKR_E_INVAL;
    }
    if (index >= s->waiver_count) {
        return out->struct_size < sizeof(w) ? LKR_E_INVAL : LKR_E_RANGE;
    }
    memset(&w, 0, sizeof(w));
    w.struct_size = (uint32_t)sizeof(w);
    w.kind = s->waivers[index].kind;
    w.id = s->waivers[index].id;
    w.at_ms = s->started_ms + s->waivers[index].at_off;
    memcpy(w.reason, s->waivers[index].reason, sizeof(w.reason));
    return lkr__emit(out, &w, sizeof(w), sizeof(w));
}

lkr_status lkr_session_attach_vault(lkr_session *s, lkr_vault *vault)
{
    if (!session_ok(s)) {
        return LKR_E_INVAL;
    }
    /* Another lock's vault, or not the backup this session made: refused. */
    if (vault != NULL && ((s->has_vault_digest &&
                           !lkr__vault_matches(vault, &s->profile, s->has_vault_digest, s->vault_digest)) ||
                          lkr__vault_bind(vault, &s->profile) != LKR_OK)) {
        return LKR_E_STATE;
    }
    if (vault != NULL && s->has_vault_digest) {
        lkr__vault_digest(vault, s->vault_digest); /* a format 1 digest becomes a keyed one */
        s->has_vault_digest = LKR__DIGEST_KEYED;
    }
    s->vault = vault;
    return LKR_OK;
}

int lkr_action_is_final(const lkr_action *a)
{
    return a != NULL && (a->kind == LKR_ACTION_RECOVERED || a->kind == LKR_ACTION_NEEDS_SUPPORT ||
                         a->kind == LKR_ACTION_ABORTED);
}

void lkr__session_set_policy(lkr_session *s, uint32_t policy, uint32_t cause)
{
    if (session_ok(s) && policy <= LKR__POLICY_ORACLE && (cause == 0 || lkr__cause_id_ok(cause))) {
        s->policy = (uint8_t)policy;
        s->oracle_cause = (uint8_t)cause;
    }
}

void lkr__session_set_backup_verified(lkr_session *s, int verified)
{
    if (session_ok(s)) {
        s->backup_verified = verified ? 1 : 0;
    }
}

/* ---- the pre-update checklist (catalog section 6) ------------------------------ */

#define PREFLIGHT_MIN_SIZE (offsetof(lkr_preflight_input, reserved_) + 2)

lkr_status lkr_preflight(const lkr_profile *profile, const lkr_preflight_input *in, uint32_t *unmet)
{
    lkr_status st;
    uint32_t u = 0;
    if (profile == NULL || in == NULL || unmet == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr_profile_validate(profile)) != LKR_OK ||
        (st = lkr__check_size(in, in->struct_size, PREFLIGHT_MIN_SIZE, sizeof(*in))) != LKR_OK) {
        return st;
    }
    if ((in->battery_pct != LKR_NUM_UNKNOWN && (in->battery_pct < 0 || in->battery_pct > 100)) ||
        in->cells_fresh > LKR_YES || in->key_on_person > LKR_YES || in->automations_paused > LKR_YES ||
        in->phone_stays_in_range > LKR_YES || in->android > LKR_YES ||
        in->screen_kept_awake > LKR_YES || in->reserved_[0] != 0 || in->reserved_[1] != 0) {
        return LKR_E_INVAL;
    }
    if (in->cells_fresh != LKR_YES || profile->battery_chemistry == LKR_CHEMISTRY_NIMH ||
        profile->battery_chemistry == LKR_CHEMISTRY_UNKNOWN)
        u |= LKR_PREFLIGHT_FRESH_ALKALINE;
    if (in->battery_pct == LKR_NUM_UNKNOWN || in->battery_pct < LKR_LOW_BATTERY_PCT)
        u |= LKR_PREFLIGHT_BATTERY_50;
    if (in->key_on_person != LKR_YES) u |= LKR_PREFLIGHT_PHYSICAL_KEY;
    if (in->automations_paused != LKR_YES) u |= LKR_PREFLIGHT_AUTOMATIONS_PAUSED;
    if (in->phone_stays_in_range != LKR_YES) u |= LKR_PREFLIGHT_PHONE_IN_RANGE;
    if (in->android == LKR_YES && in->screen_kept_awake != LKR_YES) u |= LKR_PREFLIGHT_SCREEN_AWAKE;
    *unmet = u;
    return u == 0 ? LKR_OK : LKR_E_GUARD;
}
