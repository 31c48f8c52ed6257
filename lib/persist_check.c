/*
 * What a loaded session must be before anything uses it: like a state the
 * engine itself reaches, in every respect checked here (necessary
 * conditions: facts of every reachable state). persist.c has already checked every integer against its
 * limits (its field table); here are the relations between fields: the
 * inputs, every history index in every phase, what each phase holds in hand,
 * the waivers behind every waived mask, the guards of every step that may
 * erase codes (re-checked from the evidence the engine needed when it began
 * it), and final states consistent with the history. Each rule is a fact of
 * the engine (step.c, codes.c, select.c) stated from the state side;
 * docs/PERSISTENCE.md lists them.
 */
#include <string.h>

#include "session_int.h"

#define SBIT(id) ((id) != 0 ? (uint64_t)1u << ((id) - 1u) : (uint64_t)0)
#define GB(g) LKR_GUARD_BIT(LKR_GUARD_##g)

/* Entry idx exists and records step. */
static int entry_of(const lkr_session *s, uint32_t step, uint32_t idx)
{
    return step != 0 && idx < s->hist_count && s->hist[idx].step == step;
}

static int open_entry(const lkr_session *s, uint32_t idx)
{
    return s->hist[idx].outcome == LKR_OUTCOME_NONE;
}

/* The phases in which the step in hand is being performed (its entry open). */
static int performing(uint32_t phase)
{
    return phase == LKR__P_PERFORM || phase == LKR__P_HOST || phase == LKR__P_HOLD ||
           phase == LKR__P_RESUME || phase == LKR__P_SETTLE;
}

static int verifying(uint32_t phase)
{
    return phase == LKR__P_VERIFY || phase == LKR__P_VERIFY_ASK || phase == LKR__P_VERIFY_PROBE;
}

/* The host's inputs: what lkr_session_new would have accepted. */
static int valid_inputs(const lkr_session *s)
{
    lkr_overrides ov = lkr__overrides_view(s);
    return lkr_profile_validate(&s->profile) == LKR_OK && lkr_observations_validate(&s->obs) == LKR_OK &&
           lkr__consistent(&s->profile, &s->obs) == LKR_OK && lkr_overrides_validate(&ov) == LKR_OK;
}

/* Every entry: a step of this lock, once, with a known outcome; the tried
 * mask is the history's; only the step in hand and the step verified may be
 * open; a hand-over only as the last entry of a session handed over. */
static int valid_history(const lkr_session *s)
{
    uint64_t seen = 0;
    uint32_t i;
    for (i = 0; i < s->hist_count; i++) {
        const lkr__hist *h = &s->hist[i];
        int terminal;
        if (!lkr__step_id_ok(h->step) || !lkr__step_fits(h->step, &s->profile) ||
            h->outcome > LKR_OUTCOME_HANDED_OVER || h->by_host > 1 || (seen & SBIT(h->step))) {
            return 0;
        }
        seen |= SBIT(h->step);
        if (h->outcome == LKR_OUTCOME_NONE &&
            !((s->cur_step != 0 && i == s->cur_hist) || (s->verify_step != 0 && i == s->verify_hist))) {
            return 0;
        }
        terminal = (lkr__steps[h->step].flags & LKR_STEP_F_TERMINAL) != 0;
        if (terminal != (h->outcome == LKR_OUTCOME_HANDED_OVER) ||
            (terminal && (i + 1 != s->hist_count || s->phase != LKR__P_FINAL ||
                          s->final_state != LKR_STATE_NEEDS_SUPPORT || h->step != s->terminal_step))) {
            return 0;
        }
        /* Only a waiver closes an entry as waived. */
        if (h->outcome == LKR_OUTCOME_WAIVED && !(s->waived_steps & SBIT(h->step)) &&
            !(s->waived_tiers & (1u << lkr__steps[h->step].tier))) {
            return 0;
        }
    }
    return s->tried == seen;
}

/* Every waived mask bit has its record, and every record its bit. */
static int valid_waivers(const lkr_session *s)
{
    uint64_t steps = 0;
    uint32_t tiers = 0, i;
    for (i = 0; i < s->waiver_count; i++) {
        const lkr__waiver *w = &s->waivers[i];
        if (w->reason[0] == '\0') {
            return 0;
        }
        if (w->kind == LKR_WAIVE_TIER && w->id >= LKR_TIER_TRIAGE && w->id <= LKR__TIER_COUNT &&
            w->id != LKR_TIER_SUPPORT && !(tiers & (1u << w->id))) {
            tiers |= 1u << w->id;
        } else if (w->kind == LKR_WAIVE_STEP && lkr__step_id_ok(w->id) && !(steps & SBIT(w->id)) &&
                   !(lkr__steps[w->id].flags & LKR_STEP_F_TERMINAL) && lkr__step_fits(w->id, &s->profile)) {
            steps |= SBIT(w->id);
        } else {
            return 0;
        }
    }
    return s->waived_steps == steps && s->waived_tiers == tiers;
}

/* The step in hand and the step being verified: indices that point at
 * their entries, in every phase, and only the phases that hold them. */
static int valid_in_hand(const lkr_session *s)
{
    uint32_t p = s->phase;
    if ((s->cur_step != 0 && !entry_of(s, s->cur_step, s->cur_hist)) ||
        (s->verify_step != 0 && !entry_of(s, s->verify_step, s->verify_hist))) {
        return 0;
    }
    /* A step in hand is verified itself, or is the follow-up of the one that is. */
    if (s->cur_step != 0 &&
        (s->verify_step == 0 || (s->cur_step != s->verify_step &&
                                 (lkr__followup_of(s, s->verify_step) != s->cur_step ||
                                  s->cur_hist <= s->verify_hist)))) {
        return 0;
    }
    /* Beginning a step moves the ladder to its tier. */
    if (s->cur_step != 0 && s->tier != lkr__steps[s->cur_step].tier) {
        return 0;
    }
    if (s->verify_step != 0 && !open_entry(s, s->verify_hist)) {
        return 0;
    }
    if ((p == LKR__P_IDLE || p == LKR__P_FINAL) && (s->cur_step != 0 || s->verify_step != 0)) {
        return 0;
    }
    if (performing(p) && (s->cur_step == 0 || !open_entry(s, s->cur_hist))) {
        return 0;
    }
    if (verifying(p) && s->verify_step == 0) {
        return 0;
    }
    /* The host runs it, and it is the host's to run. */
    if (p == LKR__P_HOST && (!s->by_host || !s->hist[s->cur_hist].by_host ||
                             !(lkr__steps[s->cur_step].flags & LKR_STEP_F_AUTOMATABLE))) {
        return 0;
    }
    /* A timed hold only for a step that has one. */
    if ((p == LKR__P_HOLD || p == LKR__P_RESUME) && lkr__steps[s->cur_step].wait_s == 0) {
        return 0;
    }
    /* A question: nothing in hand; the version question waits to verify. */
    if (p == LKR__P_ASK &&
        (s->question == 0 || s->cur_step != 0 ||
         (s->question == LKR_QUESTION_FIRMWARE_VERSION) != (s->verify_step != 0) ||
         (s->question == LKR_QUESTION_FIRMWARE_VERSION) != (s->need_fw != 0))) {
        return 0;
    }
    /* A question worth asking: on the connection ladder, for this lock,
     * about a fact not known yet (voi.c puts it only then). */
    if (p == LKR__P_ASK && lkr__vq_of(s->question) != NULL) {
        const lkr__vquestion *q = lkr__vq_of(s->question);
        if (s->ladder != LKR_LADDER_CONNECTION || !(q->protocols & LKR_PROTOCOL_BIT(s->profile.protocol)) ||
            lkr__vq_known(q, &s->obs)) {
            return 0;
        }
    }
    return !s->need_fw || (p == LKR__P_ASK && s->question == LKR_QUESTION_FIRMWARE_VERSION);
}

/* A blocked step: a choice (nothing in hand), the step in hand blocked
 * again, or a follow-up waiting while the step it follows stays in hand. */
static int valid_blocked(const lkr_session *s)
{
    if (s->phase != LKR__P_BLOCKED) {
        return !s->blocked_in_hand && s->blocked_followup == 0;
    }
    if (s->blocked_step == 0 || (s->blocked_in_hand && s->blocked_followup != 0)) {
        return 0;
    }
    if (s->blocked_in_hand) {
        return s->cur_step == s->blocked_step && open_entry(s, s->cur_hist);
    }
    if (s->blocked_followup != 0) {
        return s->cur_step != 0 && s->cur_step == s->verify_step && s->blocked_step == s->blocked_followup &&
               lkr__followup_of(s, s->cur_step) == s->blocked_followup &&
               !(s->tried & SBIT(s->blocked_followup));
    }
    return s->cur_step == 0 && s->verify_step == 0 &&
           (lkr__step_applies(s->blocked_step, &s->profile, &s->obs) ||
            s->blocked_step == LKR_STEP_REPAIR_BACKUP_CODES);
}

/* Every step named fits the lock (protocol, ecosystems, bridge, keypad). The
 * step in hand is not asked to apply still: it applied when it was offered,
 * and facts observed since (an update that turns out to be over) do not take
 * it back. */
static int valid_fit(const lkr_session *s)
{
    return (s->cur_step == 0 || lkr__step_fits(s->cur_step, &s->profile)) &&
           (s->blocked_step == 0 || lkr__step_fits(s->blocked_step, &s->profile)) &&
           (s->verify_step == 0 || lkr__step_fits(s->verify_step, &s->profile)) &&
           (s->terminal_step == 0 || lkr__step_fits(s->terminal_step, &s->profile));
}

/* The code guards, re-checked for every step begun (in hand or in the
 * history, not merely waived): the engine begins a step guarded by the code
 * backup only with a backup bound to the session (codes.c: the backup the
 * vault made, a verified backup the host made that read the same as the
 * lock, or the host's records when the lock could not be read; binding one
 * sets the session's digest, which nothing clears) or with the codes the
 * person noted (codes_noted confirmed, where no code reader is attached). A
 * step guarded by "re-pair keeps codes" needs one too unless the profile
 * says so. And "recovered" after a step that erased (or may have erased)
 * codes needs the backup, or the notes, that checked them back. The guards
 * and what a step erases are the catalog's for the lock's protocol. */
static int valid_code_evidence(const lkr_session *s)
{
    int backed = s->has_vault_digest != LKR__DIGEST_NONE || (s->confirmed & GB(CODES_NOTED));
    uint32_t i;
    for (i = 0; i < s->hist_count && !backed; i++) {
        uint32_t step = s->hist[i].step;
        uint32_t guards = lkr__step_guards(step, s->profile.protocol);
        uint32_t destroys = lkr__step_destroys(step, s->profile.protocol);
        if (s->hist[i].outcome == LKR_OUTCOME_WAIVED) {
            continue; /* never begun, or closed unperformed */
        }
        if (guards & GB(CODES_BACKED_UP)) {
            return 0;
        }
        if ((guards & GB(REPAIR_CODES_SAFE)) && s->profile.repair_erases_codes != LKR_NO) {
            return 0;
        }
        if (s->phase == LKR__P_FINAL && s->final_state == LKR_STATE_RECOVERED &&
            lkr__outcome_performed(s->hist[i].outcome) &&
            ((destroys & LKR_DESTROYS_CODES) ||
             ((destroys & LKR_MAY_DESTROY_CODES) && s->profile.repair_erases_codes != LKR_NO))) {
            return 0;
        }
    }
    return 1;
}

/* Final states as the engine leaves them; nothing final before. */
static int valid_final(const lkr_session *s)
{
    uint32_t i, fixed = 0;
    for (i = 0; i < s->hist_count; i++) {
        fixed += s->hist[i].outcome == LKR_OUTCOME_FIXED;
    }
    /* A verification that said "fixed" ends the session (recovered, or
     * support when the codes are not safe): a live one has none. */
    if (s->phase != LKR__P_FINAL) {
        return s->final_state == 0 && s->terminal_step == 0 && fixed == 0;
    }
    switch (s->final_state) {
    case LKR_STATE_RECOVERED:
        /* A verification said the lock is back, and no code may be missing. */
        return fixed == 1 && s->codes_missing == 0 && !s->codes_at_risk && s->terminal_step == 0;
    case LKR_STATE_NEEDS_SUPPORT:
        return s->terminal_step != 0 && (lkr__steps[s->terminal_step].flags & LKR_STEP_F_TERMINAL) &&
               s->hist_count > 0 && s->hist[s->hist_count - 1].step == s->terminal_step && fixed <= 1;
    case LKR_STATE_ABORTED:
        return s->terminal_step == 0 && fixed == 0;
    default:
        return 0;
    }
}

/* Where the ladder stands: the furthest tier reached is one of its own, and
 * before a ladder is chosen only questions (or waivers) have happened. */
static int valid_ladder(const lkr_session *s)
{
    const uint8_t *tiers;
    uint32_t n = lkr__ladder_tiers(s, &tiers), i;
    if (s->reached > n) {
        return 0;
    }
    if (s->ladder != LKR_LADDER_NONE) {
        return 1;
    }
    for (i = 0; i < s->hist_count; i++) {
        if (s->hist[i].outcome != LKR_OUTCOME_WAIVED) return 0;
    }
    return s->phase == LKR__P_IDLE || s->phase == LKR__P_ASK ||
           (s->phase == LKR__P_FINAL && s->final_state == LKR_STATE_ABORTED);
}

int lkr__persist_valid(const lkr_session *s)
{
    return valid_inputs(s) && valid_history(s) && valid_waivers(s) && valid_in_hand(s) && valid_blocked(s) &&
           valid_fit(s) && valid_code_evidence(s) && valid_final(s) && valid_ladder(s);
}
