/* Queries over the catalog data of catalog.c: counts, info by id, find by string id. */
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* Every info struct as 1.0 shipped it: the smallest struct_size accepted
 * (each ends with a pointer or a uint32_t field). */
#define MIN_SIZE_PTR(type, last) (offsetof(type, last) + sizeof(void *))
#define MIN_SIZE(type, last) (offsetof(type, last) + sizeof(uint32_t))

int lkr__step_id_ok(uint32_t id)
{
    return id >= 1 && id <= LKR__STEP_COUNT;
}

int lkr__cause_id_ok(uint32_t id)
{
    return id >= 1 && id <= LKR__CAUSE_COUNT;
}

/* Linear search over a table of string ids; tables are small (<= 64). */
#define FIND_SID(table, first, last, field, sid, id)            \
    do {                                                        \
        uint32_t i_;                                            \
        if ((sid) == NULL || (id) == NULL) {                    \
            return LKR_E_INVAL;                                 \
        }                                                       \
        for (i_ = (first); i_ <= (last); i_++) {                \
            if (strcmp((table)[i_].field, (sid)) == 0) {        \
                *(id) = i_;                                     \
                return LKR_OK;                                  \
            }                                                   \
        }                                                       \
        return LKR_E_NOTFOUND;                                  \
    } while (0)

/* ---- steps --------------------------------------------------------------- */

uint32_t lkr_step_count(void)
{
    return LKR__STEP_COUNT;
}

lkr_status lkr_step_get(uint32_t id, lkr_step_info *out)
{
    lkr_step_info info;
    const lkr__step_def *d;
    if (out == NULL) {
        return LKR_E_INVAL;
    }
    if (out->struct_size < MIN_SIZE_PTR(lkr_step_info, fixes) || out->struct_size > LKR__STRUCT_SIZE_MAX) {
        return LKR_E_INVAL;
    }
    if (!lkr__step_id_ok(id)) {
        return LKR_E_RANGE;
    }
    d = &lkr__steps[id];
    memset(&info, 0, sizeof(info));
    info.id = id;
    info.sid = d->sid;
    info.title = d->title;
    info.instructions = d->instructions;
    info.sources = d->sources;
    info.tier = d->tier;
    info.protocols = d->protocols;
    info.ecosystems = d->ecosystems;
    info.flags = d->flags;
    info.guards = d->guards;
    info.destroys = d->destroys;
    info.wait_s = d->wait_s;
    info.wait_max_s = d->wait_max_s;
    info.settle_s = d->settle_s;
    info.cost_min = d->cost_min;
    info.followup = d->followup;
    info.fix_count = d->fix_count;
    info.fixes = d->fixes;
    return lkr__emit(out, &info, sizeof(info), MIN_SIZE_PTR(lkr_step_info, fixes));
}

lkr_status lkr_step_find(const char *sid, uint32_t *id)
{
    FIND_SID(lkr__steps, 1u, LKR__STEP_COUNT, sid, sid, id);
}

int lkr__update_involved(const lkr_observations *obs)
{
    return obs != NULL &&
           (obs->update_state == LKR_UPDATE_IN_PROGRESS || obs->update_state == LKR_UPDATE_REPORTED_OK ||
            obs->update_state == LKR_UPDATE_REPORTED_FAILED || obs->update_state == LKR_UPDATE_FINISHED);
}

int lkr__step_fits(uint32_t step, const lkr_profile *p)
{
    const lkr__step_def *d = &lkr__steps[step];
    return (d->protocols & LKR_PROTOCOL_BIT(p->protocol)) != 0 &&
           (d->ecosystems == 0 || (d->ecosystems & p->ecosystems) != 0) &&
           (!(d->flags & LKR_STEP_F_NEEDS_BRIDGE) || p->has_bridge != LKR_NO) &&
           (!(d->flags & LKR_STEP_F_NEEDS_KEYPAD) || p->has_keypad != LKR_NO);
}

int lkr__step_applies(uint32_t step, const lkr_profile *p, const lkr_observations *obs)
{
    return lkr__step_fits(step, p) &&
           (!(lkr__steps[step].flags & LKR_STEP_F_NEEDS_UPDATE) || lkr__update_involved(obs));
}

uint32_t lkr__step_destroys(uint32_t step, uint32_t protocol)
{
    const lkr__step_def *d = &lkr__steps[step];
    uint32_t destroys = d->destroys;
    if (d->erases_on & LKR_PROTOCOL_BIT(protocol)) {
        destroys |= LKR_DESTROYS_CODES;
    }
    return destroys;
}

uint32_t lkr__step_guards(uint32_t step, uint32_t protocol)
{
    const lkr__step_def *d = &lkr__steps[step];
    uint32_t guards = d->guards;
    if (d->erases_on & LKR_PROTOCOL_BIT(protocol)) {
        guards |= LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP);
    }
    return guards;
}

uint32_t lkr__step_class(uint32_t step, uint32_t protocol)
{
    uint32_t cls = lkr__step_orders[step].cls, destroys;
    if (cls != 0) {
        /* The table's class; raised to a re-pair where the step may erase
         * codes on this protocol only (a Matter fabric removed). The engine
         * asks this for every step of every decision: two loads. */
        if (cls < LKR__CLASS_REPAIR && (lkr__steps[step].erases_on & LKR_PROTOCOL_BIT(protocol))) {
            cls = LKR__CLASS_REPAIR;
        }
        return cls;
    }
    /* A step without a row: what it destroys here (erases_on included) says
     * how destructive it is. */
    destroys = lkr__step_destroys(step, protocol);
    return (destroys & LKR_DESTROYS_CODES)                                  ? LKR__CLASS_RESET
           : (destroys & (LKR_MAY_DESTROY_CODES | LKR_DESTROYS_ONE_CODE)) ? LKR__CLASS_REPAIR
           : (destroys & LKR_DESTROYS_PAIRINGS)                             ? LKR__CLASS_RELINK
                                                                            : LKR__CLASS_HARMLESS;
}

uint32_t lkr__step_rank(uint32_t step, uint32_t protocol)
{
    return 2u * lkr__step_class(step, protocol) + (lkr__step_orders[step].slow ? 1u : 0u);
}

lkr_status lkr_step_applies(uint32_t step, const lkr_profile *profile, const lkr_observations *obs,
                            int *applies)
{
    lkr_status st;
    if (applies == NULL || profile == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr_profile_validate(profile)) != LKR_OK ||
        (obs != NULL && (st = lkr_observations_validate(obs)) != LKR_OK)) {
        return st;
    }
    if (!lkr__step_id_ok(step)) {
        return LKR_E_RANGE;
    }
    *applies = lkr__step_applies(step, profile, obs);
    return LKR_OK;
}

/* ---- causes -------------------------------------------------------------- */

uint32_t lkr_cause_count(void)
{
    return LKR__CAUSE_COUNT;
}

lkr_status lkr_cause_get(uint32_t id, lkr_cause_info *out)
{
    lkr_cause_info info;
    const lkr__cause_def *d;
    if (out == NULL) {
        return LKR_E_INVAL;
    }
    if (out->struct_size < MIN_SIZE(lkr_cause_info, prior_permille) ||
        out->struct_size > LKR__STRUCT_SIZE_MAX) {
        return LKR_E_INVAL;
    }
    if (!lkr__cause_id_ok(id)) {
        return LKR_E_RANGE;
    }
    d = &lkr__causes[id];
    memset(&info, 0, sizeof(info));
    info.id = id;
    info.sid = d->sid;
    info.title = d->title;
    info.description = d->description;
    info.sources = d->sources;
    info.protocols = d->protocols;
    info.prior_permille = d->prior_permille;
    return lkr__emit(out, &info, sizeof(info), MIN_SIZE(lkr_cause_info, prior_permille));
}

lkr_status lkr_cause_find(const char *sid, uint32_t *id)
{
    FIND_SID(lkr__causes, 1u, LKR__CAUSE_COUNT, sid, sid, id);
}

/* ---- symptoms ------------------------------------------------------------ */

uint32_t lkr_symptom_count(void)
{
    return LKR__SYMPTOM_COUNT;
}

lkr_status lkr_symptom_get(uint32_t id, lkr_symptom_info *out)
{
    lkr_symptom_info info;
    const lkr__symptom_def *d;
    if (out == NULL) {
        return LKR_E_INVAL;
    }
    if (out->struct_size < MIN_SIZE_PTR(lkr_symptom_info, causes) || out->struct_size > LKR__STRUCT_SIZE_MAX) {
        return LKR_E_INVAL;
    }
    if (id >= LKR__SYMPTOM_COUNT) {
        return LKR_E_RANGE;
    }
    d = &lkr__symptoms[id];
    memset(&info, 0, sizeof(info));
    info.id = id;
    info.sid = d->sid;
    info.title = d->title;
    info.guidance = d->guidance;
    info.sources = d->sources;
    info.entry_tier = d->entry_tier;
    info.cause_count = d->cause_count;
    info.causes = d->causes;
    return lkr__emit(out, &info, sizeof(info), MIN_SIZE_PTR(lkr_symptom_info, causes));
}

lkr_status lkr_symptom_find(const char *sid, uint32_t *id)
{
    FIND_SID(lkr__symptoms, 0u, LKR__SYMPTOM_COUNT - 1u, sid, sid, id);
}

/* ---- tiers and guards ---------------------------------------------------- */

static lkr_status named_get(const lkr__named *table, uint32_t count, uint32_t id, void *out,
                            size_t full_size)
{
    /* lkr_tier_info and lkr_guard_info share one layout. */
    lkr_tier_info info;
    if (out == NULL) {
        return LKR_E_INVAL;
    }
    {
        uint32_t size;
        memcpy(&size, out, sizeof(size));
        if (size < full_size || size > LKR__STRUCT_SIZE_MAX) {
            return LKR_E_INVAL;
        }
    }
    if (id < 1 || id > count) {
        return LKR_E_RANGE;
    }
    memset(&info, 0, sizeof(info));
    info.id = id;
    info.sid = table[id].sid;
    info.title = table[id].title;
    info.description = table[id].text;
    return lkr__emit(out, &info, sizeof(info), full_size);
}

uint32_t lkr_tier_count(void)
{
    return LKR__TIER_COUNT;
}

lkr_status lkr_tier_get(uint32_t id, lkr_tier_info *out)
{
    return named_get(lkr__tiers, LKR__TIER_COUNT, id, out, MIN_SIZE_PTR(lkr_tier_info, description));
}

lkr_status lkr_tier_find(const char *sid, uint32_t *id)
{
    FIND_SID(lkr__tiers, 1u, LKR__TIER_COUNT, sid, sid, id);
}

uint32_t lkr_guard_count(void)
{
    return LKR__GUARD_COUNT;
}

lkr_status lkr_guard_get(uint32_t id, lkr_guard_info *out)
{
    return named_get(lkr__guards, LKR__GUARD_COUNT, id, out,
                     MIN_SIZE_PTR(lkr_guard_info, instructions));
}

lkr_status lkr_guard_find(const char *sid, uint32_t *id)
{
    FIND_SID(lkr__guards, 1u, LKR__GUARD_COUNT, sid, sid, id);
}
