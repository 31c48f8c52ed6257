/*
 * fuzz_classify: raw bytes copied into an lkr_profile and lkr_observations
 * (struct_size right most of the time, sometimes fuzzed), then
 * lkr_classify(), lkr_classify_ex() with fuzzed overrides, and
 * lkr_step_applies() on every step. Nothing may crash; on LKR_OK the
 * probabilities are in (0, 1], sum to 1 within 1e-9 and are sorted.
 *
 * Input: 1 mode byte, then the profile's bytes, the observations' bytes,
 * then override entries.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lockrecover/lockrecover.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_diagnosis(const lkr_diagnosis *d)
{
    double sum = 0.0;
    uint32_t i;
    FZ_CHECK(d->cause_count <= LKR_DIAGNOSIS_MAX_CAUSES, "too many causes");
    FZ_CHECK(d->symptom < lkr_symptom_count(), "symptom out of range");
    FZ_CHECK(d->entry_tier >= 1 && d->entry_tier <= lkr_tier_count(), "entry tier out of range");
    for (i = 0; i < d->cause_count; i++) {
        const lkr_ranked_cause *c = &d->causes[i];
        FZ_CHECK(c->cause >= 1 && c->cause <= lkr_cause_count(), "cause out of range");
        FZ_CHECK(c->p > 0.0 && c->p <= 1.0 && !isnan(c->p), "probability out of (0, 1]");
        if (i > 0) {
            FZ_CHECK(d->causes[i - 1].p > c->p || (d->causes[i - 1].p == c->p && d->causes[i - 1].cause < c->cause),
                     "causes not sorted");
        }
        sum += c->p;
    }
    if (d->cause_count > 0) {
        FZ_CHECK(fabs(sum - 1.0) <= 1e-9, "probabilities do not sum to 1");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r;
    struct {
        lkr_profile p;
        uint8_t tail[32];
    } prof;
    struct {
        lkr_observations o;
        uint8_t tail[32];
    } obs;
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    lkr_overrides ov = LKR_OVERRIDES_INIT;
    lkr_weight priors[8], costs[8];
    lkr_likelihood lk[8];
    uint32_t disabled[8];
    uint8_t mode;
    uint32_t i, n;
    lkr_status st;
    int applies;

    fz_init(&r, data, size);
    mode = fz_u8(&r);
    memset(&prof, 0, sizeof(prof));
    memset(&obs, 0, sizeof(obs));
    fz_bytes(&r, &prof.p, sizeof(prof.p));
    fz_bytes(&r, &obs.o, sizeof(obs.o));
    /* mostly the right sizes, so that the validators get past the first check */
    prof.p.struct_size = (mode & 0x03u) == 0x03u ? (uint32_t)(fz_u16(&r) % (sizeof(prof) + 1u)) : (uint32_t)sizeof(lkr_profile);
    obs.o.struct_size = (mode & 0x0Cu) == 0x0Cu ? (uint32_t)(fz_u16(&r) % (sizeof(obs) + 1u)) : (uint32_t)sizeof(lkr_observations);
    if (mode & 0x10u) {
        /* often-valid values where the raw bytes rarely are */
        prof.p.protocol = 1u + prof.p.protocol % LKR_PROTOCOL_MAX;
        prof.p.ecosystems &= LKR_ECOSYSTEMS_ALL;
        prof.p.battery_chemistry %= LKR_CHEMISTRY_MAX + 1u;
        prof.p.battery_cells %= 17u;
        prof.p.has_bridge %= 3u;
        prof.p.has_keypad %= 3u;
        prof.p.has_fingerprint %= 3u;
        prof.p.has_key_cylinder %= 3u;
        prof.p.repair_erases_codes %= 3u;
        prof.p.pins_readable %= 3u;
        memset(prof.p.reserved_, 0, sizeof(prof.p.reserved_));
        prof.p.manufacturer[LKR_PROFILE_TEXT_MAX - 1] = '\0';
        prof.p.model[LKR_PROFILE_TEXT_MAX - 1] = '\0';
        prof.p.serial[LKR_PROFILE_TEXT_MAX - 1] = '\0';
        prof.p.purchase_date[LKR_DATE_MAX - 1] = '\0';
    }
    if (mode & 0x20u) {
        uint8_t *tri = &obs.o.keypad_lights;
        obs.o.update_progress_pct = obs.o.update_progress_pct % 102 - 1;
        obs.o.update_stalled_min = obs.o.update_stalled_min % 2000 - 1;
        obs.o.battery_pct = obs.o.battery_pct % 102 - 1;
        obs.o.cell_mv = obs.o.cell_mv % 5002 - 1;
        for (i = 0; tri + i < (uint8_t *)obs.o.reserved_; i++) tri[i] %= 3u;
        memset(obs.o.reserved_, 0, sizeof(obs.o.reserved_));
        obs.o.fw_before[LKR_VERSION_TEXT_MAX - 1] = '\0';
        obs.o.fw_target[LKR_VERSION_TEXT_MAX - 1] = '\0';
        obs.o.fw_now[LKR_VERSION_TEXT_MAX - 1] = '\0';
        obs.o.error_code[LKR_VERSION_TEXT_MAX - 1] = '\0';
    }
    if (mode & 0x40u) {
        /* a newer header's larger structs: tails from the input */
        prof.p.struct_size = (uint32_t)sizeof(lkr_profile) + 8u * (1u + (mode >> 7));
        obs.o.struct_size = (uint32_t)sizeof(lkr_observations) + 16u;
        if (fz_u8(&r) & 1u) fz_bytes(&r, prof.tail, sizeof(prof.tail));
        if (fz_u8(&r) & 1u) fz_bytes(&r, obs.tail, sizeof(obs.tail));
    }

    st = lkr_classify(&prof.p, &obs.o, &d);
    if (st == LKR_OK) {
        check_diagnosis(&d);
    } else {
        FZ_CHECK(st == LKR_E_INVAL || st == LKR_E_UNSUPPORTED, "classify: unexpected status");
    }
    st = lkr_classify(&prof.p, NULL, &d);
    FZ_CHECK(st != LKR_OK || d.cause_count <= LKR_DIAGNOSIS_MAX_CAUSES, "classify without observations");

    /* overrides */
    n = fz_u8(&r) % 9u;
    for (i = 0; i < n; i++) {
        priors[i].id = fz_u8(&r) % 30u;
        priors[i].value = fz_u32(&r) % 1100000u;
        costs[i].id = fz_u8(&r) % 70u;
        costs[i].value = fz_u32(&r) % 110000u;
        lk[i].evidence = fz_u8(&r) % 55u;
        lk[i].cause = fz_u8(&r) % 30u;
        lk[i].permille = fz_u32(&r) % 1100000u;
        disabled[i] = fz_u8(&r) % 70u;
    }
    ov.prior_count = n;
    ov.priors = n ? priors : NULL;
    ov.likelihood_count = n ? fz_u8(&r) % (n + 1u) : 0u;
    ov.likelihoods = lk;
    ov.cost_count = n ? fz_u8(&r) % (n + 1u) : 0u;
    ov.costs = costs;
    ov.disabled_count = n ? fz_u8(&r) % (n + 1u) : 0u;
    ov.disabled_steps = disabled;
    st = lkr_classify_ex(&prof.p, &obs.o, &ov, &d);
    if (st == LKR_OK) check_diagnosis(&d);
    fz_ignore(lkr_overrides_validate(&ov));

    for (i = 0; i <= lkr_step_count() + 1u; i++) {
        applies = -1;
        st = lkr_step_applies(i, &prof.p, (mode & 0x80u) ? NULL : &obs.o, &applies);
        if (st == LKR_OK) FZ_CHECK(applies == 0 || applies == 1, "step_applies gave neither 0 nor 1");
        if (i == 0 || i > lkr_step_count()) FZ_CHECK(st != LKR_OK, "step_applies accepted an unknown step");
    }
    return 0;
}
