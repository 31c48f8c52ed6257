/*
 * Selection: the ladders (catalog section 5), which steps are candidates, the
 * facts the guards are judged on, the tier to work in and the step to offer.
 * Reads the session, writes only its ladder position (tier, reached) and,
 * through lkr__decide, hands the choice to step.c. docs/ENGINE.md states the
 * rules; docs/ARCHITECTURE.md who calls whom.
 */
#include <string.h>

#include "session_int.h"

#define STEP_BIT LKR__STEP_BIT
#define GB(g) LKR_GUARD_BIT(LKR_GUARD_##g)

/* ---- the ladders ----------------------------------------------------------- */

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

/* ---- candidates ------------------------------------------------------------- */

int lkr__eligible(const lkr_session *s, uint32_t step)
{
    const lkr__step_def *d = &lkr__steps[step];
    if (!(s->fits & STEP_BIT(step)) || (d->flags & (LKR_STEP_F_FOLLOWUP_ONLY | LKR_STEP_F_TERMINAL)) ||
        (s->tried & STEP_BIT(step)) || (s->disabled & STEP_BIT(step)) ||
        (s->waived_steps & STEP_BIT(step)) || (s->waived_tiers & (1u << d->tier)) ||
        ((d->flags & LKR_STEP_F_NEEDS_UPDATE) && !lkr__update_involved(&s->obs))) {
        return 0;
    }
    if (d->tier == LKR_TIER_TRIAGE && !s->triage_active) {
        return 0;
    }
    /* S0: force-close and reopen is for a stall, progress that "has not moved
     * for more than 10 minutes"; a moving update is left to finish. */
    if (step == LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN && !(s->triage & LKR_TRIAGE_UPDATE_STALLED)) {
        return 0;
    }
    /* S2: the hub (or router) itself offline makes every lock unreachable;
     * the fix is the hub, not the lock: nothing that may erase the lock's
     * codes while it is reported offline. */
    if ((s->obs.hub_online == LKR_NO || s->obs.bridge_online == LKR_NO || s->obs.router_online == LKR_NO) &&
        lkr__step_class(step, s->profile.protocol) >= LKR__CLASS_REPAIR) {
        return 0;
    }
    /* S0: a second phone that fails too has been tried already. */
    if (step == LKR_STEP_BLE_SECOND_PHONE && s->obs.second_phone_connects == LKR_NO) {
        return 0;
    }
    return 1;
}

int lkr__candidate(const lkr_session *s, uint32_t step, double *score)
{
    const lkr__step_def *d = &lkr__steps[step];
    uint32_t c;
    int indicated;
    double sum = 0.0;

    *score = 0.0;
    if (!lkr__eligible(s, step)) {
        return 0;
    }
    for (c = 0; c < d->fix_count; c++) {
        sum += s->belief[d->fixes[c].cause] * (double)d->fixes[c].permille / 1000.0;
    }
    *score = sum / (double)lkr__cost_of(s, step);
    /* Indicated: a step that would fix the lock with less than LKR__MIN_FIX
     * under the current beliefs is not offered (not yet: beliefs move as
     * other steps fail, and it may become indicated). */
    /* The factory reset erases every code: it is offered only when the
     * beliefs make a cause it fixes more likely than not. A keypad worn out,
     * a bolt that binds (S3: a locksmith), a hardware fault (the
     * manufacturer), a weak signal or an offline hub are not fixed by it. */
    indicated = sum >= (lkr__step_class(step, s->profile.protocol) == LKR__CLASS_RESET ? LKR__RESET_MIN_FIX
                                                                                       : LKR__MIN_FIX);
    if (s->hooks != NULL && s->hooks->indicated != NULL) {
        return s->hooks->indicated(s, sum, indicated);
    }
    return indicated;
}

int lkr__tier_has_candidate(const lkr_session *s, uint32_t tier)
{
    uint32_t k;
    double score;
    if (tier < 1 || tier > LKR__TIER_COUNT || (s->waived_tiers & (1u << tier))) {
        return 0;
    }
    for (k = 0; lkr__tier_steps[tier][k] != 0; k++) {
        if (lkr__candidate(s, lkr__tier_steps[tier][k], &score)) {
            return 1;
        }
    }
    return 0;
}

/* ---- the facts the guards are judged on ---------------------------------------- */

/* An update may still be transferring: reported running, and the version
 * is not yet the target. Only the person's word that it ended (the update
 * question answered again: failed, finished) or the target version read on
 * the lock settles it; the triage steps alone do not (S0: "Do not pull
 * batteries yet"). */
static int transfer_may_run(const lkr_session *s)
{
    return s->obs.update_state == LKR_UPDATE_IN_PROGRESS && !lkr__fw_at_target(&s->obs);
}

static int transfer_settled(const lkr_session *s)
{
    return !transfer_may_run(s);
}

static int earlier_tiers_done(const lkr_session *s, uint32_t tier)
{
    const uint8_t *tiers;
    uint32_t n = lkr__ladder_tiers(s, &tiers), i;
    for (i = 0; i < n && tiers[i] != tier; i++) {
        if (lkr__tier_has_candidate(s, tiers[i])) {
            return 0;
        }
    }
    return 1;
}

uint32_t lkr__guards_held_of(const lkr_session *s, uint32_t tier, uint32_t want)
{
    lkr__guard_facts f;
    memset(&f, 0, sizeof(f));
    f.confirmed = s->confirmed;
    f.no_key_cylinder = s->profile.has_key_cylinder == LKR_NO;
    f.backup_verified = (uint8_t)lkr__backup_bound(s);
    /* The model keeps codes on a re-pair, says the profile: trusted only when
     * nothing could check it. With a vault and a code reader the codes are
     * backed up first and checked back after, whatever the profile says: a
     * refused backup is retried, never replaced by the profile's word. A step
     * already in hand (offered before the vault came) keeps its guard; its
     * codes are checked back after it all the same. */
    f.trust_repair_keeps_codes = s->profile.repair_erases_codes == LKR_NO &&
                                 (!(s->vault != NULL && s->tr.read_codes != NULL) || lkr__in_hand(s));
    f.codes_noted = (uint8_t)lkr__codes_noted(s);
    f.phone_in_range = s->obs.phone_in_range == LKR_YES;
    if (want & GB(NO_ACTIVE_TRANSFER)) {
        f.transfer_settled = (uint8_t)transfer_settled(s);
    }
    /* The costly one: only when asked. */
    if ((want & GB(EARLIER_TIERS_DONE)) && s->ladder != LKR_LADDER_NONE) {
        f.earlier_tiers_done = (uint8_t)earlier_tiers_done(s, tier);
    }
    return lkr__guards_eval(&f, want);
}

uint32_t lkr__guards_held(const lkr_session *s, uint32_t tier)
{
    return lkr__guards_held_of(s, tier, 0xFFFFFFFFu);
}

int lkr__codes_noted(const lkr_session *s)
{
    return (s->confirmed & GB(CODES_NOTED)) && !(s->vault != NULL && s->tr.read_codes != NULL);
}

uint32_t lkr__unmet_guards(const lkr_session *s, uint32_t step)
{
    uint32_t guards = lkr__step_guards(step, s->profile.protocol);
    if (guards == 0) {
        return 0;
    }
    return guards & ~lkr__guards_held_of(s, lkr__steps[step].tier, guards);
}

/* ---- least destructive first ------------------------------------------------------ */

/* Whether the rank rule orders this session (a benchmark's fixed order keeps
 * the seeds' tier order alone). */
static int ranked(const lkr_session *s)
{
    return !(s->hooks != NULL && s->hooks->tier_order != NULL && s->hooks->tier_order(s));
}

/* The index in the ladder of the reset tier. */
static uint32_t reset_index(const lkr_session *s)
{
    const uint8_t *tiers;
    uint32_t n = lkr__ladder_tiers(s, &tiers), i;
    for (i = 0; i < n; i++) {
        if (tiers[i] == LKR_TIER_RESET) return i;
    }
    return n;
}

/* Whether `step` is a candidate of rank `rank` (0: of any rank). */
static int candidate_of_rank(const lkr_session *s, uint32_t step, uint32_t rank, double *score)
{
    if (rank != 0 && lkr__step_rank(step, s->profile.protocol) != rank) {
        *score = 0.0;
        return 0; /* the cheap test first: a candidate sums its fixes */
    }
    return lkr__candidate(s, step, score);
}

static int tier_has_rank(const lkr_session *s, uint32_t tier, uint32_t rank)
{
    uint32_t k;
    double score;
    if (rank == 0) {
        return lkr__tier_has_candidate(s, tier);
    }
    if (tier < 1 || tier > LKR__TIER_COUNT || (s->waived_tiers & (1u << tier))) {
        return 0;
    }
    for (k = 0; lkr__tier_steps[tier][k] != 0; k++) {
        if (candidate_of_rank(s, lkr__tier_steps[tier][k], rank, &score)) return 1;
    }
    return 0;
}

/* The rule (docs/ENGINE.md): no step of a higher rank while an indicated
 * step of a lower rank is untried (and not waived) in a tier the ladder may
 * still visit: every tier before the reset, or from the reset on once the
 * ladder reached it. 0 when nothing is left (or the rule is off). */
uint32_t lkr__lowest_rank(const lkr_session *s)
{
    const uint8_t *tiers;
    uint32_t n = lkr__ladder_tiers(s, &tiers), i, k, best = 0, reset = reset_index(s);
    double score;
    if (!ranked(s)) {
        return 0;
    }
    for (i = s->reached >= reset ? s->reached : 0; i < n; i++) {
        uint32_t tier = tiers[i];
        if (s->waived_tiers & (1u << tier)) continue;
        for (k = 0; lkr__tier_steps[tier][k] != 0; k++) {
            uint32_t step = lkr__tier_steps[tier][k], r = lkr__step_rank(step, s->profile.protocol);
            if ((best == 0 || r < best) && lkr__candidate(s, step, &score)) best = r;
        }
    }
    return best;
}

/* ---- the tier and the step ------------------------------------------------------ */

/* The step the catalog puts first in a tier whatever the beliefs say. */
static uint32_t pinned_step(const lkr_session *s, uint32_t tier, uint32_t rank)
{
    double score;
    uint32_t pin = 0;
    if (tier == LKR_TIER_TRIAGE && lkr__candidate(s, LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN, &score)) {
        pin = LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN;
    } else if (tier == LKR_TIER_UNIVERSAL &&
               (s->triage & (LKR_TRIAGE_NIMH_CELLS | LKR_TRIAGE_ZWAVE_LOW_BATTERY | LKR_TRIAGE_BATTERY_LOW)) &&
               lkr__candidate(s, LKR_STEP_UNIVERSAL_FRESH_ALKALINE, &score)) {
        /* S0: fresh alkaline cells first, then the 30-second pull: weak or
         * rechargeable cells put back after a pull fail again. */
        pin = LKR_STEP_UNIVERSAL_FRESH_ALKALINE;
    } else if (tier == LKR_TIER_PROTOCOL && s->profile.protocol == LKR_PROTOCOL_ZWAVE &&
               (s->obs.battery_pct == LKR_NUM_UNKNOWN || s->obs.battery_pct < LKR_LOW_BATTERY_PCT) &&
               lkr__candidate(s, LKR_STEP_ZWAVE_CHECK_BATTERY, &score)) {
        /* S0, Z-Wave: "Check battery level first" (deep sleep below ~50 %). */
        pin = LKR_STEP_ZWAVE_CHECK_BATTERY;
    }
    if (s->hooks != NULL && s->hooks->pin != NULL) {
        pin = s->hooks->pin(s, tier, pin);
    }
    if (pin != 0 && rank != 0 && lkr__step_rank(pin, s->profile.protocol) != rank) {
        pin = 0; /* a pin never jumps the least-destructive-first order */
    }
    return pin;
}

/* The tier to work in now (catalog section 5, docs/ENGINE.md). Under the
 * least-destructive-first rule (`rank` != 0) only tiers with a candidate of
 * the lowest rank left count: a tier with a pinned step of that rank first
 * (from the symptom's entry tier onwards, then the tiers before it), else the
 * tier of the best-scoring candidate of the rank, P(fix)/cost across the
 * tiers (ties: the earlier tier from the entry); the reset tier once nothing
 * of a lower rank is left, after which the ladder never goes back; then
 * support. With the tier order
 * alone (`rank` 0: the benchmarks' fixed order) the ladder goes forwards from
 * the furthest tier reached and revisits the tiers below the reset only when
 * nothing is left ahead. `reached` marks the furthest tier entered. */
static uint32_t current_tier(lkr_session *s, uint32_t rank)
{
    const uint8_t *tiers;
    uint32_t n = lkr__ladder_tiers(s, &tiers), i, from = 0, reset = 0;
    for (i = 0; i < n; i++) {
        if (tiers[i] == s->entry_tier) from = i;
        if (tiers[i] == LKR_TIER_RESET) reset = i;
    }
    if (s->reached >= reset) {
        from = s->reached; /* the reset was reached: never back */
    } else if (rank == 0 && s->reached > from) {
        from = s->reached;
    }
    if (from < reset && rank != 0) {
        /* Within the class, P(fix)/cost across the tiers: a pinned step
         * first (in the seeds' tier order from the entry), then the tier of
         * the best-scoring candidate of the rank (ties: the earlier tier
         * from the entry). */
        uint32_t best_i = n, k, m;
        double best = -1.0, score;
        for (m = 0; m < reset && best_i == n; m++) {
            i = (from + m) % reset;
            if (pinned_step(s, tiers[i], rank) != 0) best_i = i;
        }
        if (best_i == n) {
            for (m = 0; m < reset; m++) {
                i = (from + m) % reset;
                if (s->waived_tiers & (1u << tiers[i])) continue;
                for (k = 0; lkr__tier_steps[tiers[i]][k] != 0; k++) {
                    if (candidate_of_rank(s, lkr__tier_steps[tiers[i]][k], rank, &score) && score > best + 1e-12) {
                        best = score;
                        best_i = i;
                    }
                }
            }
        }
        if (best_i < reset) {
            if (best_i > s->reached) s->reached = (uint8_t)best_i;
            return tiers[best_i];
        }
    }
    if (from < reset) {
        for (i = from; i < reset; i++) {
            if (tier_has_rank(s, tiers[i], rank)) {
                if (i > s->reached) s->reached = (uint8_t)i;
                return tiers[i];
            }
        }
        for (i = 0; i < from; i++) {
            if (tier_has_rank(s, tiers[i], rank)) return tiers[i];
        }
    }
    if (from <= reset && tier_has_rank(s, LKR_TIER_RESET, rank)) {
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
#define PERSON_GUARDS (LKR__GUARDS_CONFIRMABLE | GB(CODES_BACKED_UP) | GB(REPAIR_CODES_SAFE))

/* The best candidate of the tier by score, among those whose guards hold and
 * among those blocked; a best step that waits only on a person is asked for. */
static choice best_of_tier(const lkr_session *s, uint32_t tier, uint32_t rank)
{
    choice ch = {0, 0, 0};
    uint32_t id, k, best = 0, best_unmet = 0;
    double best_ok = -1.0, best_blocked = -1.0, best_any = -1.0, score;

    for (k = 0; lkr__tier_steps[tier][k] != 0; k++) {
        uint32_t unmet;
        id = lkr__tier_steps[tier][k];
        if (!candidate_of_rank(s, id, rank, &score)) {
            continue;
        }
        unmet = lkr__unmet_guards(s, id);
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
    }
    return ch;
}

static choice choose_step(const lkr_session *s, uint32_t tier, uint32_t rank)
{
    choice ch = {0, 0, 0};
    uint32_t pinned = pinned_step(s, tier, rank);

    if (pinned) {
        uint32_t unmet = lkr__unmet_guards(s, pinned);
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
    ch = best_of_tier(s, tier, rank);
    /* Blocked by the code backup: offer the backup first, if not yet tried.
     * (A verified backup holds both guards, so it is never offered twice.) */
    if (ch.step == 0 && ch.blocked != 0 && (ch.unmet & (GB(CODES_BACKED_UP) | GB(REPAIR_CODES_SAFE))) &&
        lkr__backup_offerable(s)) {
        ch.step = LKR_STEP_REPAIR_BACKUP_CODES;
        ch.blocked = 0;
        ch.unmet = 0;
    }
    return ch;
}

/* Section 7: a keypad still dark after fresh cells and a 30 s pull. */
static int ask_dead_keypad(const lkr_session *s)
{
    return s->symptom == LKR_SYMPTOM_COMPLETELY_SILENT && !s->dead_keypad_asked &&
           s->profile.has_keypad != LKR_NO &&
           lkr__step_performed(s, LKR_STEP_UNIVERSAL_FRESH_ALKALINE) &&
           lkr__step_performed(s, LKR_STEP_UNIVERSAL_BATTERY_PULL);
}

void lkr__decide(lkr_session *s, uint64_t now)
{
    uint32_t tier, rank;
    choice ch;

    if (s->ladder == LKR_LADDER_NONE) {
        lkr__next_question(s);
        if (s->phase == LKR__P_ASK) {
            return;
        }
    }
    if (ask_dead_keypad(s)) {
        s->dead_keypad_asked = 1;
        s->question = LKR_QUESTION_KEYPAD_LIGHTS;
        lkr__enter(s, LKR__P_ASK);
        return;
    }
    if (s->hooks != NULL && s->hooks->decide != NULL && s->hooks->decide(s, now)) {
        return;
    }
    /* While an update may still be transferring only the triage steps are
     * offered; once they are done the person is asked again whether it is
     * still running (a "don't know" gets this follow-up, never a battery
     * pull); still running, or not known: handed over, power untouched. */
    if (transfer_may_run(s) && !lkr__tier_has_candidate(s, LKR_TIER_TRIAGE)) {
        if (!(s->asked & LKR__ASKED_TRANSFER_OVER)) {
            s->asked |= LKR__ASKED_TRANSFER_OVER;
            s->question = LKR_QUESTION_UPDATE_STATE;
            lkr__enter(s, LKR__P_ASK);
            return;
        }
        lkr__needs_support(s, LKR_SUPPORT_AFTER_UPDATE, now);
        return;
    }
    /* A question whose answer is expected to save more minutes than it
     * costs comes before the next step (voi.c, docs/ENGINE.md). */
    if (s->ladder == LKR_LADDER_CONNECTION && !transfer_may_run(s) &&
        !(s->hooks != NULL && s->hooks->questions != NULL && !s->hooks->questions(s))) {
        uint32_t q = lkr__worth_asking(s, NULL);
        if (q != LKR_QUESTION_NONE) {
            s->question = (uint8_t)q;
            lkr__enter(s, LKR__P_ASK);
            return;
        }
    }
    rank = lkr__lowest_rank(s);
    /* While an update may still be transferring only the triage tier. */
    tier = transfer_may_run(s) ? LKR_TIER_TRIAGE : current_tier(s, rank);
    s->tier = (uint8_t)tier;
    /* Section 7: it fails from more than one phone. On a Bluetooth-only lock
     * (the phone is its only link), once its protocol path is exhausted,
     * re-pairs and resets (which need a working link from a phone) cannot
     * help: hand over. A hubbed lock's link is the hub's, not the phone's. */
    if (s->ladder == LKR_LADDER_CONNECTION && s->obs.second_phone_connects == LKR_NO &&
        s->profile.protocol == LKR_PROTOCOL_BLE &&
        ladder_index(s, tier) > ladder_index(s, LKR_TIER_PROTOCOL) && !lkr__tier_has_candidate(s, LKR_TIER_PROTOCOL)) {
        lkr__needs_support(s, LKR_SUPPORT_SEVERAL_PHONES, now);
        return;
    }
    if (tier == LKR_TIER_SUPPORT) {
        lkr__needs_support(s, LKR_SUPPORT_LADDER_EXHAUSTED, now);
        return;
    }
    ch = choose_step(s, tier, rank);
    if (ch.step != 0) {
        lkr__enter(s, LKR__P_IDLE); /* nothing blocked any more */
        lkr__begin_step(s, ch.step, now);
        return;
    }
    if (ch.blocked == 0) {
        /* Nothing to offer and nothing blocked: no state to wait in, so the
         * session hands over rather than sit BLOCKED on no step. */
        lkr__needs_support(s, LKR_SUPPORT_LADDER_EXHAUSTED, now);
        return;
    }
    s->blocked_step = (uint8_t)ch.blocked;
    s->blocked_unmet = ch.unmet;
    s->guards_blocked |= ch.unmet;
    lkr__enter(s, LKR__P_BLOCKED);
}
