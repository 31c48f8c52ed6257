/*
 * The session's public lifecycle and views: lkr_session_new / free, next
 * (the action to show), and the read-only accessors (status, history,
 * waivers, the vault attachment). The host's inputs are in input.c; the
 * machine they drive in select.c and step.c. No memory is allocated after
 * lkr_session_new(). docs/ENGINE.md, docs/ARCHITECTURE.md.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "session_int.h"

#define STEP_BIT LKR__STEP_BIT

/* ---- lifecycle ----------------------------------------------------------------- */

void lkr_transport_init(lkr_transport *transport)
{
    if (transport == NULL) {
        return;
    }
    memset(transport, 0, sizeof(*transport));
    transport->struct_size = (uint32_t)sizeof(*transport);
}

void lkr_probe_result_init(lkr_probe_result *result)
{
    if (result == NULL) {
        return;
    }
    memset(result, 0, sizeof(*result));
    result->struct_size = (uint32_t)sizeof(*result);
    result->reachable = LKR_UNKNOWN;
    result->keypad_lights = LKR_UNKNOWN;
    result->battery_pct = LKR_NUM_UNKNOWN;
}

void lkr_session_config_init(lkr_session_config *config)
{
    if (config == NULL) {
        return;
    }
    memset(config, 0, sizeof(*config));
    config->struct_size = (uint32_t)sizeof(*config);
}

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

/* The checks lkr_session_new makes of its (already ingested) config. */
static lkr_status check_config(const lkr_session_config *config)
{
    lkr_status st;
    if (config->reserved_ != 0 || config->profile == NULL) {
        return LKR_E_INVAL;
    }
    if ((st = lkr__check_allocator(config->allocator)) != LKR_OK) {
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
    return LKR_OK;
}

/* One allocation: the struct and the tail of the vendor's numbers. */
static lkr_session *allocate(const lkr_allocator *al, const lkr_overrides *ov)
{
    uint32_t np = ov != NULL ? ov->prior_count : 0, nl = ov != NULL ? ov->likelihood_count : 0;
    int nc = ov != NULL && ov->cost_count > 0;
    size_t size = sizeof(lkr_session) + lkr__tail_size(np, nl, nc);
    lkr_session *s = al != NULL ? (lkr_session *)al->alloc(al->ctx, size) : (lkr_session *)malloc(size);
    if (s == NULL) {
        return NULL;
    }
    memset(s, 0, size);
    s->alloc_size = (uint32_t)size;
    lkr__place_tail(s, np, nl, nc);
    if (al != NULL) {
        (void)lkr__ingest(&s->alloc, sizeof(s->alloc), al, LKR__ALLOCATOR_MIN_SIZE); /* checked */
        s->has_alloc = 1;
    }
    return s;
}

lkr_status lkr_session_new(const lkr_session_config *config_in, const lkr_transport *transport,
                           lkr_session **out)
{
    lkr_session_config config;
    lkr_overrides ov;
    lkr_status st;
    lkr_session *s;

    if (config_in == NULL || transport == NULL || out == NULL) {
        return LKR_E_INVAL;
    }
    lkr_session_config_init(&config);
    if ((st = lkr__ingest(&config, sizeof(config), config_in, LKR__CONFIG_MIN_SIZE)) != LKR_OK ||
        (st = lkr__check_transport(transport)) != LKR_OK || (st = check_config(&config)) != LKR_OK) {
        return st;
    }
    if (config.overrides != NULL) {
        memset(&ov, 0, sizeof(ov));
        (void)lkr__ingest(&ov, sizeof(ov), config.overrides, LKR__OVERRIDES_MIN_SIZE); /* checked */
        config.overrides = &ov;
    }
    if ((s = allocate(config.allocator, config.overrides)) == NULL) {
        return LKR_E_NOMEM;
    }
    s->magic = LKR__SESSION_MAGIC;
    /* Every caller struct is read through lkr__ingest, up to its own size. */
    (void)lkr__ingest(&s->tr, sizeof(s->tr), transport, LKR__TRANSPORT_MIN_SIZE);
    lkr_profile_init(&s->profile);
    (void)lkr__ingest(&s->profile, sizeof(s->profile), config.profile, LKR__PROFILE_MIN_SIZE);
    lkr_observations_init(&s->obs);
    if (config.observations != NULL) {
        (void)lkr__ingest(&s->obs, sizeof(s->obs), config.observations, LKR__OBSERVATIONS_MIN_SIZE);
    }
    memcpy(s->initial_error, s->obs.error_code, sizeof(s->initial_error));
    copy_overrides(s, config.overrides);
    s->last_now_ms = s->tr.now_ms(s->tr.ctx);
    s->started_ms = s->last_now_ms;
    lkr__enter(s, LKR__P_IDLE);
    lkr__compute_fits(s);
    lkr__reclassify(s);
    *out = s;
    return LKR_OK;
}

void lkr_session_free(lkr_session *s)
{
    lkr_allocator al;
    int has;
    size_t size;
    if (s == NULL || s->magic != LKR__SESSION_MAGIC || s->busy) {
        return; /* from one of its own callbacks: freeing it would pull it from under the call */
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



/* ---- next: the action to show ------------------------------------------------------ */

static const char *resume_text(uint32_t step)
{
    if (lkr__steps[step].flags & LKR_STEP_F_CUTS_POWER) {
        return "Time is up: put the batteries back (or restore power) now.";
    }
    if (step == LKR_STEP_RESET_FACTORY_RESET) {
        return "You can let go of the reset button once the lights confirm the reset.";
    }
    if (step == LKR_STEP_UNIVERSAL_TOGGLE_PHONE_BLUETOOTH) {
        return "Time is up: turn the phone's Bluetooth back on now.";
    }
    if (step == LKR_STEP_ALEXA_TOGGLE_SKILL) {
        return "Time is up: enable the lock's skill in the Alexa app again now.";
    }
    return "Time is up: plug it back in, or turn it back on, now.";
}

/* With a vault that restores the codes, reset.restore_after_reset asks only
 * for the lock to be brought back onto its network, as its protocol does it. */
static const char *rejoin_text(uint32_t protocol)
{
    switch (protocol) {
    case LKR_PROTOCOL_ZWAVE:
        return "Include the lock in the Z-Wave hub again (S2 security and the interview can take "
               "a few minutes) and wait until the hub shows it. The access codes are then "
               "restored from the backup and read back.";
    case LKR_PROTOCOL_MATTER:
        return "Commission the lock again with its Matter QR code or setup code, and wait until "
               "the controller shows it. The access codes are then restored from the backup.";
    case LKR_PROTOCOL_ZIGBEE:
        return "Put the lock in pairing mode and join it to the Zigbee hub again, and wait until "
               "the hub shows it. The access codes are then restored from the backup and read back.";
    case LKR_PROTOCOL_WIFI:
        return "Set the lock up on the Wi-Fi network again in the manufacturer app, and wait until "
               "the app shows it online. The access codes are then restored from the backup and "
               "read back.";
    default:
        return "Pair the lock with the app again, staying next to it, and wait until the app shows "
               "it. The access codes are then restored from the backup and read back.";
    }
}

#define CODE_GUARDS (LKR_GUARD_BIT(LKR_GUARD_CODES_BACKED_UP) | LKR_GUARD_BIT(LKR_GUARD_REPAIR_CODES_SAFE))

/* Why the codes block a step, and what unblocks it. */
static const char *codes_blocked_text(const lkr_session *s)
{
    if (s->codes_at_risk) {
        return "Blocked: a step that may have erased the access codes already ran, and they are not "
               "read back yet; a backup taken now would not hold them. Waive this step: the codes "
               "stay in the vault for support to restore.";
    }
    if (s->vault == NULL) {
        return "Blocked: this step may erase the access codes and nothing holds a copy. Attach a code "
               "vault (lkr_session_attach_vault) so the codes are backed up first and restored after, "
               "or waive the step.";
    }
    if (s->profile.protocol == LKR_PROTOCOL_MATTER) {
        return "Blocked: this step clears the lock's credentials and the vault does not hold every one. "
               "Record each PIN the app set in the vault (lkr_vault_record), then the backup checks "
               "the lock's slots against them; or waive the step.";
    }
    if (!lkr__backup_offerable(s)) {
        return "Blocked: this step may erase the access codes and the backup failed (the lock's codes "
               "did not read the same twice, 3 tries, or could not be read). Back them up on the "
               "attached vault when the lock reads reliably (lkr_vault_backup), give the vault the "
               "codes you keep (lkr_vault_record), or waive the step.";
    }
    return "Blocked: this step may erase the access codes; they are backed up first.";
}

/* Why a step is blocked and what unblocks it: the code guards first (they
 * protect what cannot be replaced), then each guard's own instructions. */
static const char *blocked_text(const lkr_session *s)
{
    uint32_t g;
    if (s->blocked_unmet & CODE_GUARDS) {
        return codes_blocked_text(s);
    }
    for (g = 1; g <= LKR__GUARD_COUNT; g++) {
        if (s->blocked_unmet & LKR_GUARD_BIT(g)) {
            return lkr__guards[g].text;
        }
    }
    return "This step is refused until every guard listed holds.";
}

static uint32_t public_state(const lkr_session *s)
{
    return s->phase == LKR__P_FINAL ? s->final_state : lkr__phases[s->phase].state;
}

static void fill_final(const lkr_session *s, lkr_action *a)
{
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
}

/* The action the phase shows: its kind and public phase come from the phase
 * table, the words from the step in hand. */
static void fill_action(const lkr_session *s, lkr_action *a)
{
    const lkr__phase_def *p = &lkr__phases[s->phase];
    const lkr__step_def *d = &lkr__steps[s->cur_step];
    memset(a, 0, sizeof(*a));
    a->state = public_state(s);
    a->tier = s->tier;
    a->kind = p->action;
    a->phase = p->pub_phase;
    switch (s->phase) {
    case LKR__P_ASK:
        a->question = s->question;
        a->title = "Question";
        a->text = lkr__question_text(s->question);
        break;
    case LKR__P_PERFORM:
    case LKR__P_HOST:
    case LKR__P_RESUME:
        a->step = s->cur_step;
        a->wait_s = s->phase == LKR__P_PERFORM ? d->wait_s : 0;
        a->title = d->title;
        a->text = s->phase == LKR__P_RESUME ? resume_text(s->cur_step) : d->instructions;
        if (s->cur_step == LKR_STEP_RESET_RESTORE_AFTER_RESET && lkr__vault_restores(s)) {
            a->title = "Bring the lock back onto its network";
            a->text = rejoin_text(s->profile.protocol);
        }
        break;
    case LKR__P_HOLD:
    case LKR__P_SETTLE:
        a->step = s->cur_step;
        a->wait_s = s->wait_s;
        a->wait_until_ms = s->wait_until_ms;
        a->title = d->title;
        a->text = s->phase == LKR__P_HOLD ? "Keep it that way until the time is up."
                                         : "Give the lock time to reconnect before checking.";
        break;
    case LKR__P_VERIFY_ASK:
    case LKR__P_VERIFY_PROBE:
        a->step = s->verify_step;
        a->title = "Is the lock back?";
        a->text = s->ladder == LKR_LADDER_CODE
                      ? "Try the code at the keypad now: does it open the lock?"
                      : "Check the lock now: does the app reach it, and does it lock and unlock?";
        break;
    case LKR__P_BLOCKED:
        a->step = s->blocked_step;
        a->unmet_guards = s->blocked_unmet;
        a->title = lkr__steps[s->blocked_step].title;
        a->text = blocked_text(s);
        break;
    case LKR__P_FINAL:
        fill_final(s, a);
        break;
    default:
        break;
    }
}

static uint32_t action_signature(const lkr_action *a)
{
    return (a->kind & 0xFu) | ((a->step & 0xFFu) << 4) | ((a->phase & 0xFu) << 12) |
           ((a->question & 0xFu) << 16) | ((a->unmet_guards & 0x3FFu) << 20);
}

static lkr_status next_run(lkr_session *s, lkr_action *out)
{
    lkr_action a;
    uint32_t size;
    if (out == NULL) {
        return LKR_E_INVAL;
    }
    memcpy(&size, out, sizeof(size));
    if (size < sizeof(lkr_action) || size > LKR__STRUCT_SIZE_MAX) {
        return LKR_E_INVAL;
    }
    lkr__advance(s);
    fill_action(s, &a);
    a.struct_size = (uint32_t)sizeof(a);
    /* What a person must see goes through prompt too, once per change. */
    if (s->tr.prompt != NULL && (lkr__phases[s->phase].flags & LKR__PF_PROMPTS)) {
        uint32_t sig = action_signature(&a);
        if (sig != s->prompted_sig) {
            s->prompted_sig = sig;
            s->tr.prompt(s->tr.ctx, &a);
        }
    }
    return lkr__emit(out, &a, sizeof(a), sizeof(a));
}

lkr_status lkr_session_next(lkr_session *s, lkr_action *out)
{
    LKR__RUN_BUSY(s, next_run(s, out));
}

/* ---- accessors ------------------------------------------------------------------------ */

lkr_status lkr_session_status(const lkr_session *s, lkr_session_info *out)
{
    lkr_session_info info;
    const uint8_t *tiers;
    uint32_t n, i;
    if (!LKR__SESSION_OK(s) || out == NULL) {
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

lkr_status lkr_session_history(const lkr_session *s, uint32_t index, lkr_history_entry *out)
{
    lkr_history_entry e;
    const lkr__hist *h;
    if (!LKR__SESSION_OK(s) || out == NULL) {
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
    if (!LKR__SESSION_OK(s) || out == NULL) {
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
    LKR__CHECK_SESSION(s);
    /* A vault belongs to one lock: attaching binds an unbound vault to this
     * lock, and a vault bound to another lock is refused (its codes are not
     * this lock's, and it never stands for this lock's backup). Any vault of
     * this lock may be attached: only the backup this session made, or a
     * verified one read back from this lock (lkr__adopt_host_backup), counts
     * as its backup. A vault changed since (a code recorded after the backup)
     * is read against the lock again rather than refused on every relaunch. */
    if (vault != NULL) {
        if (lkr__vault_bind(vault, &s->profile) != LKR_OK) {
            return LKR_E_STATE;
        }
        /* A format 1 blob's digest (unkeyed), recognised: it becomes the
         * keyed one, the only kind saved from now on. */
        if (s->has_vault_digest == LKR__DIGEST_UNKEYED &&
            lkr__vault_matches(vault, &s->profile, LKR__DIGEST_UNKEYED, s->vault_digest)) {
            lkr__vault_digest(vault, s->vault_digest);
            s->has_vault_digest = LKR__DIGEST_KEYED;
        }
    }
    s->vault = vault;
    return LKR_OK;
}

int lkr_action_is_final(const lkr_action *a)
{
    return a != NULL && (a->kind == LKR_ACTION_RECOVERED || a->kind == LKR_ACTION_NEEDS_SUPPORT ||
                         a->kind == LKR_ACTION_ABORTED);
}
