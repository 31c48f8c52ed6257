/*
 * Guards: the predicates a step needs before it may run (catalog.h,
 * lkr_guard). A blocked step names every unmet guard; nothing here can be
 * waived. docs/ENGINE.md states each rule.
 */
#include <string.h>

#include "internal.h"

#define GB(g) LKR_GUARD_BIT(LKR_GUARD_##g)

/* A step was done for real: not skipped, waived, failed or impossible. */
static int performed(const lkr_session *s, uint32_t step)
{
    uint32_t i;
    for (i = 0; i < s->hist_count; i++) {
        if (s->hist[i].step == step) {
            uint8_t o = s->hist[i].outcome;
            return o == LKR_OUTCOME_DONE || o == LKR_OUTCOME_FIXED || o == LKR_OUTCOME_NOT_FIXED ||
                   o == LKR_OUTCOME_REFUTED;
        }
    }
    return 0;
}

static int transfer_settled(const lkr_session *s)
{
    const lkr_observations *o = &s->obs;
    if (o->update_state != LKR_UPDATE_IN_PROGRESS) {
        return 1;
    }
    /* Version already at the target: the transfer is over. */
    if (o->fw_now[0] != '\0' && o->fw_target[0] != '\0' && strcmp(o->fw_now, o->fw_target) == 0) {
        return 1;
    }
    /* S0: force-close and reopen the app, and read the version, first. */
    return performed(s, LKR_STEP_TRIAGE_FORCE_CLOSE_REOPEN) &&
           performed(s, LKR_STEP_TRIAGE_CHECK_FIRMWARE);
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

uint32_t lkr__guards_held(const lkr_session *s, uint32_t tier)
{
    return lkr__guards_held_of(s, tier, 0xFFFFFFFFu);
}

uint32_t lkr__guards_held_of(const lkr_session *s, uint32_t tier, uint32_t want)
{
    uint32_t held = s->confirmed & LKR__GUARDS_CONFIRMABLE;
    if (s->profile.has_key_cylinder == LKR_NO) {
        held &= ~GB(PHYSICAL_KEY);
    }
    if (lkr__backup_verified(s)) {
        held |= GB(CODES_BACKED_UP) | GB(REPAIR_CODES_SAFE);
    }
    /* The model keeps codes on a re-pair, says the profile: trusted only when
     * nothing could check it. With a vault and a code reader the backup is
     * cheap, so it is made (and the codes checked back after): a wrong model
     * flag then costs nothing. Trusted again once the backup had its chance
     * (tried and failed, waived, disabled), and for a step already in hand
     * (offered before the vault came): never a stall. */
    if (s->profile.repair_erases_codes == LKR_NO &&
        (!(s->vault != NULL && s->tr.read_codes != NULL) || !lkr__backup_offerable(s) ||
         lkr__in_hand(s))) {
        held |= GB(REPAIR_CODES_SAFE);
    }
    if (s->obs.phone_in_range == LKR_YES) {
        held |= GB(PHONE_IN_RANGE);
    }
    if ((want & GB(NO_ACTIVE_TRANSFER)) && transfer_settled(s)) {
        held |= GB(NO_ACTIVE_TRANSFER);
    }
    /* The costly one: only when asked. */
    if ((want & GB(EARLIER_TIERS_DONE)) && s->ladder != LKR_LADDER_NONE && earlier_tiers_done(s, tier)) {
        held |= GB(EARLIER_TIERS_DONE);
    }
    return held & want;
}
