/*
 * The classifier: observations -> evidence -> symptom, triage flags, entry
 * tier, and the causes ranked by Bayes' rule. A pure function of its inputs;
 * the numbers live in catalog.c. docs/CLASSIFIER.md states the rules.
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"

#define EV(e) ((uint64_t)1u << ((e) - 1u))

/* The diagnosis as 1.0 shipped it: the smallest struct_size accepted, forever. */
#define LKR__DIAGNOSIS_MIN_SIZE \
    (offsetof(lkr_diagnosis, causes) + sizeof(((lkr_diagnosis *)0)->causes))
#define HAS(ev, e) (((ev) & EV(e)) != 0)

/* ---- battery thresholds per chemistry (millivolts per cell) ------------- */

typedef struct cell_levels {
    int32_t critical_mv; /* below: flat */
    int32_t low_mv;      /* below: sagging, as bad as under 50 % */
    int32_t good_mv;     /* at or above: healthy */
} cell_levels;

static cell_levels levels_for(uint32_t chemistry)
{
    static const cell_levels primary = {1100, 1300, 1500}; /* alkaline, lithium: 1.5 V nominal */
    static const cell_levels nimh = {1050, 1150, 1300};    /* 1.2 V nominal */
    static const cell_levels pack = {3300, 3500, 3900};    /* Li-ion pack, 3.7 V nominal */
    if (chemistry == LKR_CHEMISTRY_NIMH) {
        return nimh;
    }
    if (chemistry == LKR_CHEMISTRY_PACK) {
        return pack;
    }
    return primary;
}

/* ---- evidence ------------------------------------------------------------ */

/* The keypad beeps but a code does not move the bolt: S3, "the deadbolt might
 * jam, preventing the lock from engaging or disengaging properly, even with a
 * correct code"; S1, weak batteries. The code path, not the app's. */
static int bolt_stuck(const lkr_observations *o)
{
    return o->keypad_lights == LKR_YES && o->keypad_accepts_codes == LKR_NO &&
           o->codes_state != LKR_CODES_ONE_REJECTED;
}

#define IF_YES(field, e) if (o->field == LKR_YES) ev |= EV(e)
#define IF_NO(field, e) if (o->field == LKR_NO) ev |= EV(e)

/* What the person sees at the door and in the app, and where the update stands. */
static uint64_t evidence_seen(const lkr_observations *o)
{
    uint64_t ev = 0;
    IF_NO(keypad_lights, LKR_EVIDENCE_KEYPAD_DARK);
    IF_YES(keypad_lights, LKR_EVIDENCE_KEYPAD_LIGHTS);
    IF_YES(keypad_accepts_codes, LKR_EVIDENCE_CODES_ACCEPTED);
    if (o->app_status == LKR_APP_OFFLINE) ev |= EV(LKR_EVIDENCE_APP_OFFLINE);
    if (o->app_status == LKR_APP_NO_RESPONSE || o->app_status == LKR_APP_UNAVAILABLE)
        ev |= EV(LKR_EVIDENCE_APP_NO_RESPONSE);
    if (o->app_status == LKR_APP_ONLINE) ev |= EV(LKR_EVIDENCE_APP_ONLINE);
    IF_YES(local_control_works, LKR_EVIDENCE_LOCAL_WORKS);
    IF_NO(local_control_works, LKR_EVIDENCE_LOCAL_FAILS);

    switch (o->update_state) {
    case LKR_UPDATE_NONE:
        ev |= EV(LKR_EVIDENCE_NO_UPDATE);
        break;
    case LKR_UPDATE_IN_PROGRESS:
        if (o->update_stalled_min != LKR_NUM_UNKNOWN) {
            ev |= (int64_t)o->update_stalled_min * 60 > (int64_t)LKR_STALL_THRESHOLD_S
                      ? EV(LKR_EVIDENCE_UPDATE_STALLED)
                      : EV(LKR_EVIDENCE_UPDATE_MOVING);
        }
        break;
    case LKR_UPDATE_REPORTED_OK:
        ev |= EV(LKR_EVIDENCE_UPDATE_REPORTED_OK);
        break;
    case LKR_UPDATE_REPORTED_FAILED:
        ev |= EV(LKR_EVIDENCE_UPDATE_REPORTED_FAILED);
        break;
    default:
        break;
    }
    if (lkr__fw_at_target(o))
        ev |= EV(LKR_EVIDENCE_FW_AT_TARGET);
    if (lkr__fw_unchanged(o))
        ev |= EV(LKR_EVIDENCE_FW_UNCHANGED);
    return ev;
}

/* The batteries: level and cell voltage against the chemistry's levels. */
static uint64_t evidence_power(const lkr_profile *p, const lkr_observations *o)
{
    uint64_t ev = 0;
    cell_levels lv = levels_for(p->battery_chemistry);
    int low = 0, critical = 0;
    if (o->battery_pct != LKR_NUM_UNKNOWN) {
        low = o->battery_pct < LKR_LOW_BATTERY_PCT;
        critical = o->battery_pct < 20;
    }
    if (o->cell_mv != LKR_NUM_UNKNOWN) {
        low = low || o->cell_mv < lv.low_mv;
        critical = critical || o->cell_mv < lv.critical_mv;
    }
    if (low) ev |= EV(LKR_EVIDENCE_BATTERY_LOW);
    if (critical) ev |= EV(LKR_EVIDENCE_BATTERY_CRITICAL);
    if (!low && ((o->battery_pct != LKR_NUM_UNKNOWN && o->battery_pct >= 80) ||
                 (o->cell_mv != LKR_NUM_UNKNOWN && o->cell_mv >= lv.good_mv)))
        ev |= EV(LKR_EVIDENCE_BATTERY_GOOD);
    if (p->battery_chemistry == LKR_CHEMISTRY_NIMH) ev |= EV(LKR_EVIDENCE_NIMH_CELLS);
    return ev;
}

/* The way to the lock: hub, bridge, router, Wi-Fi, the phone. */
static uint64_t evidence_network(const lkr_observations *o)
{
    uint64_t ev = 0;
    if (o->hub_online == LKR_NO || o->bridge_online == LKR_NO)
        ev |= EV(LKR_EVIDENCE_HUB_OFFLINE);
    else if (o->hub_online == LKR_YES || o->bridge_online == LKR_YES)
        ev |= EV(LKR_EVIDENCE_HUB_ONLINE);
    IF_NO(other_wifi_devices_work, LKR_EVIDENCE_OTHER_WIFI_FAIL);
    IF_YES(other_wifi_devices_work, LKR_EVIDENCE_OTHER_WIFI_OK);
    if (o->wifi_24ghz_on == LKR_NO || o->wifi_security == LKR_WIFI_SECURITY_WPA3 ||
        o->wifi_security == LKR_WIFI_SECURITY_MIXED)
        ev |= EV(LKR_EVIDENCE_WIFI_BAND_BAD);
    else if (o->wifi_24ghz_on == LKR_YES && o->wifi_security == LKR_WIFI_SECURITY_WPA2_PSK)
        ev |= EV(LKR_EVIDENCE_WIFI_BAND_OK);
    IF_YES(network_changed, LKR_EVIDENCE_NETWORK_CHANGED);
    IF_YES(ip_changed, LKR_EVIDENCE_IP_CHANGED);
    IF_YES(signal_weak, LKR_EVIDENCE_SIGNAL_WEAK);
    IF_NO(phone_in_range, LKR_EVIDENCE_OUT_OF_RANGE);
    IF_NO(app_permissions_ok, LKR_EVIDENCE_PERMISSIONS_MISSING);
    IF_YES(second_phone_connects, LKR_EVIDENCE_SECOND_PHONE_WORKS);
    IF_NO(second_phone_connects, LKR_EVIDENCE_SECOND_PHONE_FAILS);
    IF_YES(software_outdated, LKR_EVIDENCE_SOFTWARE_OUTDATED);
    IF_NO(software_outdated, LKR_EVIDENCE_SOFTWARE_CURRENT);
    IF_NO(router_online, LKR_EVIDENCE_ROUTER_OFFLINE);
    return ev;
}

/* The codes and the mechanism (the access-code path). */
static uint64_t evidence_codes(const lkr_observations *o)
{
    uint64_t ev = 0;
    if (o->codes_state == LKR_CODES_ONE_REJECTED) ev |= EV(LKR_EVIDENCE_ONE_CODE_REJECTED);
    if (o->codes_state == LKR_CODES_ALL_REJECTED || bolt_stuck(o)) ev |= EV(LKR_EVIDENCE_ALL_CODES_REJECTED);
    IF_YES(code_expired, LKR_EVIDENCE_CODE_EXPIRED);
    IF_YES(lockout_active, LKR_EVIDENCE_LOCKOUT_ACTIVE);
    IF_YES(keypad_dirty, LKR_EVIDENCE_KEYPAD_DIRTY);
    IF_YES(keypad_erratic, LKR_EVIDENCE_KEYPAD_ERRATIC);
    IF_YES(works_door_open_only, LKR_EVIDENCE_DOOR_OPEN_ONLY);
    IF_YES(wrong_position, LKR_EVIDENCE_WRONG_POSITION);
    IF_YES(extreme_cold, LKR_EVIDENCE_EXTREME_COLD);
    if (o->error_code[0] != '\0') ev |= EV(LKR_EVIDENCE_ERROR_CODE);
    return ev;
}

#undef IF_YES
#undef IF_NO

static uint64_t derive_evidence(const lkr_profile *p, const lkr_observations *o)
{
    return evidence_seen(o) | evidence_power(p, o) | evidence_network(o) | evidence_codes(o) |
           EV(LKR_EVIDENCE_PROTOCOL_WIFI + (p->protocol - LKR_PROTOCOL_WIFI));
}

/* ---- symptom (catalog section 3), rules in this order -------------------- */

static uint32_t symptom_of(const lkr_profile *p, const lkr_observations *o, uint64_t ev)
{
    int keypad_works = o->keypad_lights == LKR_YES || o->keypad_accepts_codes == LKR_YES;
    (void)p;
    /* 1. A stalled transfer first: pulling batteries now is the one harmful move. */
    if (HAS(ev, LKR_EVIDENCE_UPDATE_STALLED))
        return LKR_SYMPTOM_UPDATE_STALLED;
    /* 2. A dark, silent keypad. */
    if (o->keypad_lights == LKR_NO)
        return LKR_SYMPTOM_COMPLETELY_SILENT;
    /* 3-4. The code symptoms (S3). */
    if (o->codes_state == LKR_CODES_ALL_REJECTED || o->keypad_erratic == LKR_YES || bolt_stuck(o))
        return LKR_SYMPTOM_ALL_CODES_REJECTED;
    if (o->codes_state == LKR_CODES_ONE_REJECTED)
        return LKR_SYMPTOM_ONE_CODE_REJECTED;
    /* 5. The app does not reach the lock. */
    if (o->app_status == LKR_APP_OFFLINE || o->app_status == LKR_APP_NO_RESPONSE ||
        o->app_status == LKR_APP_UNAVAILABLE) {
        if (o->update_state == LKR_UPDATE_NONE)
            return LKR_SYMPTOM_OFFLINE_NO_UPDATE;
        if (o->local_control_works == LKR_YES || o->app_status == LKR_APP_NO_RESPONSE)
            return LKR_SYMPTOM_APP_NO_RESPONSE;
        if (keypad_works)
            return LKR_SYMPTOM_LOCAL_OK_APP_OFFLINE;
        if (o->app_status == LKR_APP_UNAVAILABLE)
            return LKR_SYMPTOM_APP_NO_RESPONSE;
    }
    return LKR_SYMPTOM_UNKNOWN;
}

static uint32_t triage_of(const lkr_profile *p, uint32_t symptom, uint64_t ev,
                          const lkr_observations *o)
{
    uint32_t t = 0;
    if (HAS(ev, LKR_EVIDENCE_UPDATE_STALLED)) t |= LKR_TRIAGE_UPDATE_STALLED;
    if (HAS(ev, LKR_EVIDENCE_NIMH_CELLS)) t |= LKR_TRIAGE_NIMH_CELLS;
    if (HAS(ev, LKR_EVIDENCE_BATTERY_LOW)) {
        t |= LKR_TRIAGE_BATTERY_LOW;
        if (p->protocol == LKR_PROTOCOL_ZWAVE) t |= LKR_TRIAGE_ZWAVE_LOW_BATTERY;
    }
    if (HAS(ev, LKR_EVIDENCE_FW_AT_TARGET)) t |= LKR_TRIAGE_UPDATE_APPLIED;
    if (o->update_state == LKR_UPDATE_IN_PROGRESS) t |= LKR_TRIAGE_UPDATE_ACTIVE;
    /* "Reported updated but the version did not change" is a failed update,
     * whether or not the target version is known. */
    if (HAS(ev, LKR_EVIDENCE_FW_UNCHANGED) &&
        (o->update_state == LKR_UPDATE_REPORTED_OK || o->update_state == LKR_UPDATE_REPORTED_FAILED ||
         o->update_state == LKR_UPDATE_FINISHED))
        t |= LKR_TRIAGE_UPDATE_NOT_APPLIED;
    if (o->keypad_lights == LKR_YES || o->keypad_accepts_codes == LKR_YES)
        t |= LKR_TRIAGE_KEYPAD_WORKS;
    if (o->local_control_works == LKR_YES &&
        (o->app_status == LKR_APP_OFFLINE || o->app_status == LKR_APP_NO_RESPONSE ||
         o->app_status == LKR_APP_UNAVAILABLE))
        t |= LKR_TRIAGE_LOCAL_ONLY;
    if (symptom == LKR_SYMPTOM_ONE_CODE_REJECTED || symptom == LKR_SYMPTOM_ALL_CODES_REJECTED)
        t |= LKR_TRIAGE_CODE_PATH;
    if (HAS(ev, LKR_EVIDENCE_EXTREME_COLD)) t |= LKR_TRIAGE_EXTREME_COLD;
    return t;
}

static uint32_t entry_tier_of(const lkr_profile *p, uint32_t symptom, uint32_t triage)
{
    uint32_t tier = lkr__symptoms[symptom].entry_tier;
    /* An update still running: triage first, whatever the symptom. */
    if (triage & LKR_TRIAGE_UPDATE_ACTIVE)
        return LKR_TIER_TRIAGE;
    if (triage & LKR_TRIAGE_CODE_PATH)
        return tier;
    /* Firmware at target: the update succeeded, it is a connection problem. */
    if (symptom == LKR_SYMPTOM_UNKNOWN && (triage & LKR_TRIAGE_UPDATE_APPLIED))
        tier = LKR_TIER_PROTOCOL;
    /* An ecosystem symptom with no ecosystem linked: the protocol path. A
     * Matter lock's home app is its Matter controller, so its "No Response"
     * is the protocol path's too (power off, restart the home hubs, re-add
     * with the QR code) before each app's own reconnection. */
    if (tier == LKR_TIER_ECOSYSTEM && (p->ecosystems == 0 || p->protocol == LKR_PROTOCOL_MATTER))
        tier = LKR_TIER_PROTOCOL;
    /* NiMH cells, a Z-Wave lock under 50 %, or an update that did not apply:
     * batteries and the universal steps come before anything else. */
    if ((triage & (LKR_TRIAGE_NIMH_CELLS | LKR_TRIAGE_ZWAVE_LOW_BATTERY |
                   LKR_TRIAGE_UPDATE_NOT_APPLIED)) &&
        tier > LKR_TIER_UNIVERSAL)
        tier = LKR_TIER_UNIVERSAL;
    return tier;
}

/* ---- overrides ----------------------------------------------------------- */

#define OVERRIDES_MIN_SIZE (offsetof(lkr_overrides, disabled_steps) + sizeof(const uint32_t *))

lkr_status lkr_overrides_validate(const lkr_overrides *ov)
{
    lkr_status st;
    uint32_t i, j;
    if (ov == NULL) {
        return LKR_OK;
    }
    st = lkr__check_size(ov, ov->struct_size, OVERRIDES_MIN_SIZE, sizeof(*ov));
    if (st != LKR_OK) {
        return st;
    }
    if (ov->reserved_ != 0 || ov->prior_count > LKR_OVERRIDES_MAX ||
        ov->likelihood_count > LKR_OVERRIDES_MAX || ov->cost_count > LKR_OVERRIDES_MAX ||
        ov->disabled_count > LKR_OVERRIDES_MAX || (ov->prior_count && !ov->priors) ||
        (ov->likelihood_count && !ov->likelihoods) || (ov->cost_count && !ov->costs) ||
        (ov->disabled_count && !ov->disabled_steps)) {
        return LKR_E_INVAL;
    }
    for (i = 0; i < ov->prior_count; i++) {
        if (!lkr__cause_id_ok(ov->priors[i].id)) return LKR_E_RANGE;
        if (ov->priors[i].value > 1000000u) return LKR_E_INVAL;
        for (j = 0; j < i; j++)
            if (ov->priors[j].id == ov->priors[i].id) return LKR_E_INVAL;
    }
    for (i = 0; i < ov->likelihood_count; i++) {
        const lkr_likelihood *l = &ov->likelihoods[i];
        if (l->evidence < 1 || l->evidence > LKR__EVIDENCE_COUNT || !lkr__cause_id_ok(l->cause))
            return LKR_E_RANGE;
        if (l->permille > 1000000u) return LKR_E_INVAL;
        for (j = 0; j < i; j++)
            if (ov->likelihoods[j].evidence == l->evidence && ov->likelihoods[j].cause == l->cause)
                return LKR_E_INVAL;
    }
    for (i = 0; i < ov->cost_count; i++) {
        if (!lkr__step_id_ok(ov->costs[i].id)) return LKR_E_RANGE;
        if (ov->costs[i].value < 1 || ov->costs[i].value > 100000u) return LKR_E_INVAL;
        for (j = 0; j < i; j++)
            if (ov->costs[j].id == ov->costs[i].id) return LKR_E_INVAL;
    }
    for (i = 0; i < ov->disabled_count; i++) {
        if (!lkr__step_id_ok(ov->disabled_steps[i])) return LKR_E_RANGE;
        for (j = 0; j < i; j++)
            if (ov->disabled_steps[j] == ov->disabled_steps[i]) return LKR_E_INVAL;
    }
    return LKR_OK;
}

/* ---- Bayes --------------------------------------------------------------- */

void lkr__posterior(const lkr_profile *p, uint64_t ev, const lkr_overrides *ov,
                    double post[LKR__CAUSE_COUNT + 1])
{
    uint32_t c, i;
    size_t r;
    double total = 0.0;
    uint8_t overridden[LKR__EVIDENCE_COUNT + 1][LKR__CAUSE_COUNT + 1];
    uint32_t proto_bit = LKR_PROTOCOL_BIT(p->protocol);

    if (ov != NULL && ov->likelihood_count > 0) {
        memset(overridden, 0, sizeof(overridden));
    } else {
        /* No likelihood override: nothing is overridden; set only what is read. */
        for (i = 1; i <= LKR__EVIDENCE_COUNT; i++) {
            if (ev & EV(i)) memset(overridden[i], 0, sizeof(overridden[i]));
        }
    }
    post[0] = 0.0;
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        post[c] = (lkr__causes[c].protocols & proto_bit) ? (double)lkr__causes[c].prior_permille
                                                         : 0.0;
    }
    if (ov != NULL) {
        for (i = 0; i < ov->prior_count; i++) {
            c = ov->priors[i].id;
            if (post[c] > 0.0 || (lkr__causes[c].protocols & proto_bit)) {
                post[c] = (double)ov->priors[i].value;
            }
        }
        for (i = 0; i < ov->likelihood_count; i++) {
            const lkr_likelihood *l = &ov->likelihoods[i];
            overridden[l->evidence][l->cause] = 1;
            if (ev & EV(l->evidence)) {
                post[l->cause] *= (double)l->permille / 1000.0;
            }
        }
    }
    /* Only the rows of established evidence: the table is sorted by evidence. */
    for (i = 1; i <= LKR__EVIDENCE_COUNT; i++) {
        size_t lo = 0, hi = lkr__likelihood_count;
        if (!(ev & EV(i))) {
            continue;
        }
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (lkr__likelihoods[mid].evidence < i) lo = mid + 1;
            else hi = mid;
        }
        for (r = lo; r < lkr__likelihood_count && lkr__likelihoods[r].evidence == i; r++) {
            const lkr__likelihood_row *row = &lkr__likelihoods[r];
            if (!overridden[row->evidence][row->cause]) {
                post[row->cause] *= (double)row->permille / 1000.0;
            }
        }
    }
    /* The answers to the questions worth asking: their rows say P(answer |
     * cause) (catalog.c); causes without a row are left as they are. */
    for (i = 0; i < LKR__VQ_COUNT; i++) {
        const lkr__vquestion *q = &lkr__vquestions[i];
        int yes = (ev & EV(q->yes_evidence)) != 0, no = (ev & EV(q->no_evidence)) != 0;
        uint32_t e = yes ? q->yes_evidence : q->no_evidence;
        if (yes == no) {
            continue; /* neither (or, from a hub and a bridge that disagree, both: no word) */
        }
        for (r = 0; r < q->row_count; r++) {
            c = q->rows[r].cause;
            if (!overridden[e][c]) post[c] *= lkr__vq_ratio(q, c, yes);
        }
    }
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        total += post[c];
    }
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        post[c] = total > 0.0 ? post[c] / total : 0.0;
    }
}

void lkr__diagnose(const lkr_profile *profile, const lkr_observations *obs,
                   const lkr_overrides *overrides, lkr_diagnosis *out, double post[LKR__CAUSE_COUNT + 1])
{
    lkr_diagnosis d;
    uint64_t ev;

    memset(&d, 0, sizeof(d));
    d.struct_size = (uint32_t)sizeof(d);
    ev = derive_evidence(profile, obs);
    d.evidence = ev;
    d.symptom = symptom_of(profile, obs, ev);
    d.triage = triage_of(profile, d.symptom, ev, obs);
    d.entry_tier = entry_tier_of(profile, d.symptom, d.triage);

    lkr__posterior(profile, ev, overrides, post);
    lkr__rank_causes(post, &d);
    *out = d;
}

lkr_status lkr_classify_ex(const lkr_profile *profile, const lkr_observations *obs,
                           const lkr_overrides *overrides, lkr_diagnosis *out)
{
    lkr_diagnosis d;
    lkr_status st;
    double post[LKR__CAUSE_COUNT + 1];

    if (profile == NULL || obs == NULL || out == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr_profile_validate(profile)) != LKR_OK ||
        (st = lkr_observations_validate(obs)) != LKR_OK ||
        (st = lkr__consistent(profile, obs)) != LKR_OK ||
        (st = lkr_overrides_validate(overrides)) != LKR_OK) {
        return st;
    }
    lkr__diagnose(profile, obs, overrides, &d, post);
    return lkr__emit(out, &d, sizeof(d), LKR__DIAGNOSIS_MIN_SIZE);
}

lkr_status lkr_classify(const lkr_profile *profile, const lkr_observations *obs, lkr_diagnosis *out)
{
    return lkr_classify_ex(profile, obs, NULL, out);
}

/* ---- names ---------------------------------------------------------------- */

static const char *const triage_names[] = {
    "update_stalled", "nimh_cells", "zwave_low_battery", "battery_low", "update_applied",
    "update_not_applied", "keypad_works", "local_only", "code_path", "extreme_cold",
    "update_active"};

const char *lkr_triage_name(uint32_t flag)
{
    uint32_t i;
    for (i = 0; i < sizeof(triage_names) / sizeof(triage_names[0]); i++) {
        if (flag == (1u << i)) {
            return triage_names[i];
        }
    }
    return NULL;
}

uint32_t lkr_evidence_count(void)
{
    return LKR__EVIDENCE_COUNT;
}

const char *lkr_evidence_name(uint32_t evidence)
{
    return evidence >= 1 && evidence <= LKR__EVIDENCE_COUNT ? lkr__evidence[evidence].sid : NULL;
}

lkr_status lkr_evidence_find(const char *sid, uint32_t *id)
{
    uint32_t i;
    if (sid == NULL || id == NULL) {
        return LKR_E_INVAL;
    }
    for (i = 1; i <= LKR__EVIDENCE_COUNT; i++) {
        if (strcmp(lkr__evidence[i].sid, sid) == 0) {
            *id = i;
            return LKR_OK;
        }
    }
    return LKR_E_NOTFOUND;
}

lkr_status lkr_likelihood_get(uint32_t evidence, uint32_t cause, uint32_t *permille)
{
    size_t r;
    if (permille == NULL) {
        return LKR_E_INVAL;
    }
    if (evidence < 1 || evidence > LKR__EVIDENCE_COUNT || !lkr__cause_id_ok(cause)) {
        return LKR_E_RANGE;
    }
    *permille = 1000;
    for (r = 0; r < LKR__VQ_COUNT; r++) {
        const lkr__vquestion *q = &lkr__vquestions[r];
        if (evidence == q->yes_evidence || evidence == q->no_evidence) {
            *permille = (uint32_t)(lkr__vq_ratio(q, cause, evidence == q->yes_evidence) * 1000.0 + 0.5);
            return LKR_OK;
        }
    }
    for (r = 0; r < lkr__likelihood_count; r++) {
        if (lkr__likelihoods[r].evidence == evidence && lkr__likelihoods[r].cause == cause) {
            *permille = lkr__likelihoods[r].permille;
            break;
        }
    }
    return LKR_OK;
}
