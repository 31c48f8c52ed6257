/*
 * The pre-update checklist (catalog section 6): a pure function of the
 * profile and what the person says, no session. docs/ENGINE.md.
 */
#include <stddef.h>

#include "internal.h"

/* The checklist's answers are each unknown, no or yes; the battery 0-100. */
static int input_ok(const lkr_preflight_input *in)
{
    return (in->battery_pct == LKR_NUM_UNKNOWN || (in->battery_pct >= 0 && in->battery_pct <= 100)) &&
           in->cells_fresh <= LKR_YES && in->key_on_person <= LKR_YES && in->automations_paused <= LKR_YES &&
           in->phone_stays_in_range <= LKR_YES && in->android <= LKR_YES && in->screen_kept_awake <= LKR_YES &&
           in->reserved_[0] == 0 && in->reserved_[1] == 0;
}

lkr_status lkr_preflight(const lkr_profile *profile, const lkr_preflight_input *caller, uint32_t *unmet)
{
    const lkr_preflight_input unknown = LKR_PREFLIGHT_INPUT_INIT;
    lkr_preflight_input in = unknown;
    lkr_profile p;
    lkr_status st;
    uint32_t u = 0;
    if (profile == NULL || caller == NULL || unmet == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr_profile_validate(profile)) != LKR_OK ||
        (st = lkr__ingest(&in, sizeof(in), caller, LKR__PREFLIGHT_MIN_SIZE)) != LKR_OK) {
        return st;
    }
    lkr_profile_init(&p);
    (void)lkr__ingest(&p, sizeof(p), profile, LKR__PROFILE_MIN_SIZE); /* validated above */
    if (!input_ok(&in)) {
        return LKR_E_INVAL;
    }
    if (in.cells_fresh != LKR_YES || p.battery_chemistry == LKR_CHEMISTRY_NIMH ||
        p.battery_chemistry == LKR_CHEMISTRY_UNKNOWN)
        u |= LKR_PREFLIGHT_FRESH_ALKALINE;
    if (in.battery_pct == LKR_NUM_UNKNOWN || in.battery_pct < LKR_LOW_BATTERY_PCT)
        u |= LKR_PREFLIGHT_BATTERY_50;
    if (in.key_on_person != LKR_YES) u |= LKR_PREFLIGHT_PHYSICAL_KEY;
    if (in.automations_paused != LKR_YES) u |= LKR_PREFLIGHT_AUTOMATIONS_PAUSED;
    if (in.phone_stays_in_range != LKR_YES) u |= LKR_PREFLIGHT_PHONE_IN_RANGE;
    if (in.android == LKR_YES && in.screen_kept_awake != LKR_YES) u |= LKR_PREFLIGHT_SCREEN_AWAKE;
    *unmet = u;
    return u == 0 ? LKR_OK : LKR_E_GUARD;
}
