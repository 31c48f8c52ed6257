/*
 * Guards: the predicates a step needs before it may run (catalog.h,
 * lkr_guard). A blocked step names every unmet guard; nothing here can be
 * waived. A pure function of facts the engine gathers (select.c,
 * lkr__guards_held_of): this file knows no session. docs/ENGINE.md states
 * each rule.
 */
#include "internal.h"

#define GB(g) LKR_GUARD_BIT(LKR_GUARD_##g)

uint32_t lkr__guards_eval(const lkr__guard_facts *f, uint32_t want)
{
    uint32_t held = f->confirmed & LKR__GUARDS_CONFIRMABLE;
    if (f->no_key_cylinder) {
        held &= ~GB(PHYSICAL_KEY); /* a confirmation cannot give a lock a key */
    }
    if (f->backup_verified) {
        held |= GB(CODES_BACKED_UP) | GB(REPAIR_CODES_SAFE);
    }
    /* The person's own notes of every code and slot (S0: "note which user
     * codes are stored and their slot numbers"): the lowest evidence level,
     * taken only where nothing can read the codes (the engine's facts). */
    if (f->codes_noted) {
        held |= GB(CODES_BACKED_UP) | GB(REPAIR_CODES_SAFE);
    } else {
        held &= ~GB(CODES_NOTED); /* confirmed, but a code reader is attached */
    }
    if (f->trust_repair_keeps_codes) {
        held |= GB(REPAIR_CODES_SAFE);
    }
    if (f->phone_in_range) {
        held |= GB(PHONE_IN_RANGE);
    }
    if ((want & GB(NO_ACTIVE_TRANSFER)) && f->transfer_settled) {
        held |= GB(NO_ACTIVE_TRANSFER);
    }
    if ((want & GB(EARLIER_TIERS_DONE)) && f->earlier_tiers_done) {
        held |= GB(EARLIER_TIERS_DONE);
    }
    return held & want;
}
