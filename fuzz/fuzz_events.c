/*
 * fuzz_events: the event-sequence harness.
 *
 * The input is decoded into a versioned sequence of API calls against a
 * simulated lock (fuzz/README.md documents the format):
 *
 *   byte 0        format version (1; anything else is ignored)
 *   header        protocol, causes, ecosystems, sim flags, codes, tri-states,
 *                 battery, seed, profile/observation mode, transport faults
 *   ops...        one byte each (op % OP_COUNT) followed by its arguments
 *
 * The session runs on a transport that wraps the simulator's: every callback
 * delegates to the simulator's but can be made to fail at fuzz-chosen call
 * indexes (LKR_E_TRANSPORT, LKR_PENDING completed later or never, values
 * outside the contract, garbage probe results, lies after doing the work).
 *
 * A shadow model checks after every call and aborts when:
 *   - a destructive or power-cutting step is offered (PERSON_STEP, PERFORM)
 *     or passed to run_step while lkr_session_status().guards_held lacks one
 *     of its guards (earlier_tiers_done only for reset-tier steps);
 *   - a step that does not apply to the session's profile is offered;
 *   - a code is lost without the session knowing (see codes_check());
 *   - the state or the action kind leaves 1..9, or a final session becomes
 *     non-final or changes its final kind;
 *   - a save/load round trip fails or changes the next action;
 *   - an invalid profile or observations are accepted;
 *   - the simulator counts an unsafe step.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lockrecover/lockrecover.h"
#include "lockrecover/sim.h"

#include "fuzz_common.h"

#define FZ_FORMAT_VERSION 1
#define FZ_MAX_OPS 400
#define FZ_MAX_DRIVE 32
#define FZ_MAX_FAULTS 8
#define FZ_MAX_CLOCK_JUMP_MS (72ull * 3600ull * 1000ull)

/* Transport callbacks that can be made to misbehave. */
enum { CB_PROBE, CB_RUN_STEP, CB_READ_CODES, CB_WRITE_CODE, CB_SEAL, CB_UNSEAL, CB_COUNT };

/* How a callback misbehaves. */
enum {
    FM_TRANSPORT,    /* return LKR_E_TRANSPORT without doing anything */
    FM_PENDING,      /* return LKR_PENDING (run_step: having done the step or not) */
    FM_BIG,          /* return 1234 */
    FM_NEGATIVE,     /* return -999 */
    FM_GARBAGE,      /* do it, then spoil the output (probe fields, readout, lengths) */
    FM_UNSUPPORTED,  /* return LKR_E_UNSUPPORTED */
    FM_LIE,          /* do it, then report LKR_E_TRANSPORT */
    FM_COUNT
};

typedef struct fz_fault {
    uint8_t cb;
    uint8_t mode;
    uint8_t sticky; /* every call from the index on */
    uint32_t index;
} fz_fault;

/* Steps whose performance can cost codes (and their follow-ups). */
#define CODE_DESTROYING (LKR_DESTROYS_CODES | LKR_MAY_DESTROY_CODES | LKR_DESTROYS_ONE_CODE)

typedef struct fz_harness {
    lkr_sim *sim;
    lkr_transport sim_t;   /* the simulator's own transport */
    lkr_transport t;       /* ours, wrapping it */
    lkr_session *session;  /* the session being driven (NULL while none) */
    lkr_vault *vault;      /* the vault (owned here) */
    int vault_attached;    /* attached to the session now */
    lkr_profile profile;   /* what the session was given */
    fz_fault faults[FZ_MAX_FAULTS];
    uint32_t fault_count;
    int keystore_quiet; /* the round trip's own save and load: the keystore's faults are not its subject */
    uint32_t calls[CB_COUNT];
    uint64_t clock_back_ms; /* our clock runs this much behind the simulator's */
    uint64_t max_now_ms;    /* the latest time our clock has shown */
    /* pending transport work */
    uint32_t pending_step;
    int probe_pending;
    /* shadow model */
    int final_seen;
    uint32_t final_kind;
    int host_lied;          /* a code-destroying step done but reported failed */
    int host_skipped_codes; /* the host skipped, waived or detached what protects codes */
    int bogus_actions;      /* lkr_sim_respond was given actions next() never returned */
    lkr_action last;
    int have_last;
} fz_harness;

static int fz_trace;

static int code_risk_step(uint32_t step)
{
    uint32_t s;
    if (step == 0 || step > LKR__STEP_COUNT) return 0;
    if (lkr__steps[step].destroys & CODE_DESTROYING) return 1;
    for (s = 1; s <= LKR__STEP_COUNT; s++) {
        if (lkr__steps[s].followup == step && (lkr__steps[s].destroys & CODE_DESTROYING)) return 1;
    }
    return 0;
}

/* ---- the shadow model -------------------------------------------------------------- */

/* The guards a step needs now that the session does not hold. */
static uint32_t unmet_guards(fz_harness *h, uint32_t step)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    uint32_t need;
    if (h->session == NULL || step == 0 || step > LKR__STEP_COUNT) return 0;
    FZ_CHECK(lkr_session_status(h->session, &info) == LKR_OK, "status failed on a live session");
    need = lkr__steps[step].guards;
    if (lkr__steps[step].tier != LKR_TIER_RESET) {
        need &= ~LKR_GUARD_BIT(LKR_GUARD_EARLIER_TIERS_DONE);
    }
    return need & ~info.guards_held;
}

static void check_step_safe(fz_harness *h, uint32_t step, const char *how)
{
    const lkr__step_def *d;
    int applies = 0;
    FZ_CHECK(step >= 1 && step <= LKR__STEP_COUNT, "a step id outside the catalog");
    d = &lkr__steps[step];
    if ((d->destroys & (CODE_DESTROYING)) || (d->flags & LKR_STEP_F_CUTS_POWER)) {
        if (unmet_guards(h, step) != 0) {
            fprintf(stderr, "step %u (%s) %s without guards 0x%x\n", (unsigned)step, d->sid, how,
                    (unsigned)unmet_guards(h, step));
            FZ_CHECK(0, "a destructive or power-cutting step without its guards");
        }
    }
    FZ_CHECK(lkr_step_applies(step, &h->profile, NULL, &applies) == LKR_OK, "step_applies failed");
    if (!applies && !(d->flags & LKR_STEP_F_NEEDS_UPDATE)) {
        fprintf(stderr, "step %u (%s) %s on protocol %u ecosystems 0x%x\n", (unsigned)step, d->sid, how,
                (unsigned)h->profile.protocol, (unsigned)h->profile.ecosystems);
        FZ_CHECK(0, "a step that does not apply to the lock");
    }
    /* an update-only step: at least its protocol and ecosystems must match */
    FZ_CHECK((d->protocols & LKR_PROTOCOL_BIT(h->profile.protocol)) != 0, "a step of another protocol");
    FZ_CHECK(d->ecosystems == 0 || (d->ecosystems & h->profile.ecosystems) != 0,
             "a step of an ecosystem the lock is not linked to");
}

static void check_action(fz_harness *h, const lkr_action *a)
{
    FZ_CHECK(a->kind >= LKR_ACTION_ASK && a->kind <= LKR_ACTION_ABORTED, "action kind out of its set");
    FZ_CHECK(a->state >= LKR_STATE_TRIAGE && a->state <= LKR_STATE_ABORTED, "state out of its set");
    if (h->final_seen) {
        FZ_CHECK(lkr_action_is_final(a), "a final session became non-final");
        FZ_CHECK(a->kind == h->final_kind, "a final session changed how it ended");
    }
    if (lkr_action_is_final(a)) {
        h->final_seen = 1;
        h->final_kind = a->kind;
    }
    if (a->kind == LKR_ACTION_PERSON_STEP && a->phase == LKR_PHASE_PERFORM) {
        check_step_safe(h, a->step, "offered to a person");
    }
    if (a->step != 0 && a->kind != LKR_ACTION_NEEDS_SUPPORT) {
        FZ_CHECK(a->step <= LKR__STEP_COUNT, "an action names an unknown step");
    }
    h->last = *a;
    h->have_last = 1;
}

/* Codes: the simulator says which of the original codes are gone. */
static void dump(fz_harness *h)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    lkr_history_entry e = LKR_HISTORY_ENTRY_INIT;
    uint32_t i;
    if (h->session == NULL || lkr_session_status(h->session, &info) != LKR_OK) return;
    fprintf(stderr, "state %u tier %u guards_held 0x%x codes_missing %u vault %u backup %u support 0x%x\n",
            (unsigned)info.state, (unsigned)info.tier, (unsigned)info.guards_held, (unsigned)info.codes_missing,
            (unsigned)info.vault_attached, (unsigned)info.backup_verified, (unsigned)info.support_reasons);
    for (i = 0; i < info.history_count; i++) {
        if (lkr_session_history(h->session, i, &e) == LKR_OK) {
            fprintf(stderr, "  history %u: step %u (%s) outcome %u by_host %u\n", (unsigned)i, (unsigned)e.step,
                    lkr__steps[e.step].sid, (unsigned)e.outcome, (unsigned)e.by_host);
        }
    }
    for (i = 0; i < h->fault_count; i++) {
        fprintf(stderr, "  fault: callback %u mode %u index %u sticky %u (calls so far %u)\n", (unsigned)h->faults[i].cb,
                (unsigned)h->faults[i].mode, (unsigned)h->faults[i].index, (unsigned)h->faults[i].sticky,
                (unsigned)h->calls[h->faults[i].cb]);
    }
}

/* Whether the session has offered a step that may erase codes: the engine then
 * holds them "at risk" and checks them back (verify, restore) before it ends. */
static int risk_in_history(fz_harness *h)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    lkr_history_entry e = LKR_HISTORY_ENTRY_INIT;
    uint32_t i;
    if (lkr_session_status(h->session, &info) != LKR_OK) return 0;
    for (i = 0; i < info.history_count; i++) {
        if (lkr_session_history(h->session, i, &e) == LKR_OK && code_risk_step(e.step)) return 1;
    }
    return 0;
}

static void codes_check(fz_harness *h, int fresh)
{
    lkr_sim_stats st = LKR_SIM_STATS_INIT;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    FZ_CHECK(lkr_sim_stats_get(h->sim, &st) == LKR_OK, "sim stats failed");
    if (!h->bogus_actions) {
        FZ_CHECK(st.unsafe_steps == 0, "the simulator counted an unsafe step");
    }
    if (h->session == NULL) return;
    FZ_CHECK(lkr_session_status(h->session, &info) == LKR_OK, "status failed");
    FZ_CHECK(info.state >= LKR_STATE_TRIAGE && info.state <= LKR_STATE_ABORTED, "state out of its set");
    if (h->final_seen) {
        FZ_CHECK(info.state >= LKR_STATE_RECOVERED, "a final session became non-final (status)");
    }
    if (st.codes_lost == 0 || h->host_lied || h->bogus_actions) return;
    if (info.state == LKR_STATE_RECOVERED) {
        fprintf(stderr, "recovered with %u codes lost (codes_missing %u)\n", (unsigned)st.codes_lost,
                (unsigned)info.codes_missing);
        dump(h);
        FZ_CHECK(0, "a session ended RECOVERED with codes lost");
    }
    if (info.state == LKR_STATE_ABORTED || h->host_skipped_codes) return;
    if (info.state == LKR_STATE_NEEDS_SUPPORT) {
        if ((info.support_reasons & (LKR_SUPPORT_CODES_MISSING | LKR_SUPPORT_CODES_UNVERIFIED)) == 0 &&
            info.codes_missing == 0) {
            dump(h);
        }
        FZ_CHECK((info.support_reasons & (LKR_SUPPORT_CODES_MISSING | LKR_SUPPORT_CODES_UNVERIFIED)) != 0 ||
                     info.codes_missing > 0,
                 "handed to support with codes lost and not reported missing or unverified");
        return;
    }
    /* not final: only inside a code-destroying step and its follow-up, or known missing */
    if (fresh && info.codes_missing == 0 && !(h->have_last && code_risk_step(h->last.step)) && !risk_in_history(h)) {
        fprintf(stderr, "codes lost %u while the session is at step %u kind %u\n", (unsigned)st.codes_lost,
                (unsigned)(h->have_last ? h->last.step : 0), (unsigned)(h->have_last ? h->last.kind : 0));
        dump(h);
        FZ_CHECK(0, "a code lost while the session is not final and does not know");
    }
}

/* ---- the wrapping transport ---------------------------------------------------------- */

/* The fault armed for this call of callback cb, or -1. */
static int fault_for(fz_harness *h, int cb)
{
    uint32_t i, n;
    if (h->keystore_quiet && (cb == CB_SEAL || cb == CB_UNSEAL)) {
        return -1;
    }
    n = h->calls[cb]++;
    for (i = 0; i < h->fault_count; i++) {
        const fz_fault *f = &h->faults[i];
        if (f->cb == cb && (n == f->index || (f->sticky && n > f->index))) {
            return f->mode;
        }
    }
    return -1;
}

static uint64_t w_now(void *ctx)
{
    fz_harness *h = (fz_harness *)ctx;
    uint64_t now = h->sim_t.now_ms(h->sim_t.ctx);
    now = now > h->clock_back_ms ? now - h->clock_back_ms : 0;
    if (now > h->max_now_ms) h->max_now_ms = now;
    return now;
}

static lkr_status w_probe(void *ctx, lkr_probe_result *out)
{
    fz_harness *h = (fz_harness *)ctx;
    lkr_status st;
    switch (fault_for(h, CB_PROBE)) {
    case FM_TRANSPORT: return LKR_E_TRANSPORT;
    case FM_PENDING: h->probe_pending = 1; return LKR_PENDING;
    case FM_BIG: return 1234;
    case FM_NEGATIVE: return -999;
    case FM_UNSUPPORTED: return LKR_E_UNSUPPORTED;
    case FM_GARBAGE:
        st = h->sim_t.probe(h->sim_t.ctx, out);
        out->reachable = 7;
        out->keypad_lights = 200;
        out->reserved_[0] = 0xAA;
        out->battery_pct = 12345;
        memset(out->fw_version, 'A', sizeof(out->fw_version)); /* unterminated */
        memset(out->error_code, '\xff', sizeof(out->error_code));
        return st;
    case FM_LIE:
        fz_ignore(h->sim_t.probe(h->sim_t.ctx, out));
        out->reachable = LKR_YES; /* says it is back, whatever the truth */
        return LKR_OK;
    default:
        return h->sim_t.probe(h->sim_t.ctx, out);
    }
}

static lkr_status w_run_step(void *ctx, uint32_t step)
{
    fz_harness *h = (fz_harness *)ctx;
    lkr_status st;
    int mode;
    check_step_safe(h, step, "passed to run_step");
    mode = fault_for(h, CB_RUN_STEP);
    switch (mode) {
    case FM_TRANSPORT: return LKR_E_TRANSPORT;
    case FM_PENDING:
        /* half the time the host has already done the work when it says pending */
        if (h->calls[CB_RUN_STEP] & 1u) fz_ignore(h->sim_t.run_step(h->sim_t.ctx, step));
        h->pending_step = step;
        return LKR_PENDING;
    case FM_BIG: return 1234;
    case FM_NEGATIVE: return -999;
    case FM_UNSUPPORTED: return LKR_E_UNSUPPORTED;
    case FM_GARBAGE:
    case FM_LIE:
        st = h->sim_t.run_step(h->sim_t.ctx, step);
        if (st == LKR_OK && (lkr__steps[step].destroys & CODE_DESTROYING)) h->host_lied = 1;
        return mode == FM_LIE ? LKR_E_TRANSPORT : 77;
    default:
        return h->sim_t.run_step(h->sim_t.ctx, step);
    }
}

static lkr_status w_read_codes(void *ctx, lkr_code *codes, uint32_t cap, lkr_code_readout *info)
{
    fz_harness *h = (fz_harness *)ctx;
    lkr_status st;
    switch (fault_for(h, CB_READ_CODES)) {
    case FM_TRANSPORT: return LKR_E_TRANSPORT;
    case FM_PENDING: return LKR_PENDING;
    case FM_BIG: return 1234;
    case FM_NEGATIVE: return -999;
    case FM_UNSUPPORTED: return LKR_E_UNSUPPORTED;
    case FM_GARBAGE:
        st = h->sim_t.read_codes(h->sim_t.ctx, codes, cap, info);
        info->count = cap + 3u;
        info->total = 1u;
        info->has_checksum = 9;
        if (cap > 0) {
            codes[0].kind = 77;
            memset(codes[0].pin, '9', sizeof(codes[0].pin)); /* unterminated */
            memset(codes[0].name, 'n', sizeof(codes[0].name));
        }
        return st;
    case FM_LIE:
        st = h->sim_t.read_codes(h->sim_t.ctx, codes, cap, info);
        if (info->count > 0) info->count--; /* one code goes unreported */
        return st;
    default:
        return h->sim_t.read_codes(h->sim_t.ctx, codes, cap, info);
    }
}

static lkr_status w_write_code(void *ctx, const lkr_code *code)
{
    fz_harness *h = (fz_harness *)ctx;
    switch (fault_for(h, CB_WRITE_CODE)) {
    case FM_TRANSPORT: return LKR_E_TRANSPORT;
    case FM_PENDING: return LKR_PENDING;
    case FM_BIG: return 1234;
    case FM_NEGATIVE: return -999;
    case FM_UNSUPPORTED: return LKR_E_UNSUPPORTED;
    case FM_GARBAGE: return LKR_OK; /* acknowledged, never written */
    case FM_LIE: fz_ignore(h->sim_t.write_code(h->sim_t.ctx, code)); return LKR_E_TRANSPORT;
    default: return h->sim_t.write_code(h->sim_t.ctx, code);
    }
}

static lkr_status w_seal(void *ctx, const void *clear, size_t len, void *out, size_t cap, size_t *out_len)
{
    fz_harness *h = (fz_harness *)ctx;
    lkr_status st;
    switch (fault_for(h, CB_SEAL)) {
    case FM_TRANSPORT: return LKR_E_TRANSPORT;
    case FM_PENDING: return LKR_PENDING;
    case FM_BIG: return 1234;
    case FM_NEGATIVE: return -999;
    case FM_UNSUPPORTED: return LKR_E_UNSUPPORTED;
    case FM_GARBAGE:
        st = h->sim_t.seal(h->sim_t.ctx, clear, len, out, cap, out_len);
        *out_len = cap + 100u; /* claims more than fits */
        return st;
    case FM_LIE:
        st = h->sim_t.seal(h->sim_t.ctx, clear, len, out, cap, out_len);
        if (st == LKR_OK && *out_len > 0) ((uint8_t *)out)[*out_len / 2] ^= 0x5Au;
        return st;
    default:
        return h->sim_t.seal(h->sim_t.ctx, clear, len, out, cap, out_len);
    }
}

static lkr_status w_unseal(void *ctx, const void *sealed, size_t len, void *out, size_t cap, size_t *out_len)
{
    fz_harness *h = (fz_harness *)ctx;
    lkr_status st;
    switch (fault_for(h, CB_UNSEAL)) {
    case FM_TRANSPORT: return LKR_E_TRANSPORT;
    case FM_PENDING: return LKR_PENDING;
    case FM_BIG: return 1234;
    case FM_NEGATIVE: return -999;
    case FM_UNSUPPORTED: return LKR_E_UNSUPPORTED;
    case FM_GARBAGE:
        st = h->sim_t.unseal(h->sim_t.ctx, sealed, len, out, cap, out_len);
        *out_len = cap + 100u;
        return st;
    case FM_LIE:
        st = h->sim_t.unseal(h->sim_t.ctx, sealed, len, out, cap, out_len);
        if (st == LKR_OK && *out_len > 8) ((uint8_t *)out)[8] ^= 0x01u; /* after the tag check */
        return st;
    default:
        return h->sim_t.unseal(h->sim_t.ctx, sealed, len, out, cap, out_len);
    }
}

static void w_prompt(void *ctx, const lkr_action *action)
{
    (void)ctx;
    FZ_CHECK(action != NULL, "prompt with NULL action");
    FZ_CHECK(action->kind >= LKR_ACTION_ASK && action->kind <= LKR_ACTION_ABORTED, "prompt kind out of set");
}

static void w_log(void *ctx, uint32_t level, const char *message)
{
    (void)ctx;
    FZ_CHECK(message != NULL, "log with NULL message");
    FZ_CHECK(level >= LKR_LOG_DEBUG && level <= LKR_LOG_WARN, "log level out of set");
    FZ_CHECK(strlen(message) < 4096, "log line too long");
}

static void make_transport(fz_harness *h, uint8_t which)
{
    lkr_transport_init(&h->t);
    h->t.ctx = h;
    h->t.now_ms = w_now;
    if (h->sim_t.probe != NULL && !(which & 0x01u)) h->t.probe = w_probe;
    if (h->sim_t.run_step != NULL && !(which & 0x02u)) h->t.run_step = w_run_step;
    if (h->sim_t.read_codes != NULL && !(which & 0x04u)) {
        h->t.read_codes = w_read_codes;
        h->t.write_code = w_write_code;
        h->t.seal = w_seal;
        h->t.unseal = w_unseal;
    }
    if (!(which & 0x08u)) h->t.prompt = w_prompt;
    if (!(which & 0x10u)) h->t.log = w_log;
}

/* ---- setting up ---------------------------------------------------------------------- */

static uint8_t tri(uint8_t b)
{
    return (uint8_t)(b % 3u);
}

/* Picks a cause possible on protocol p from byte b (0 if none). */
static uint32_t pick_cause(uint32_t p, uint8_t b)
{
    uint32_t ids[LKR__CAUSE_COUNT], n = 0, c;
    for (c = 1; c <= LKR__CAUSE_COUNT; c++) {
        if (lkr__causes[c].protocols & LKR_PROTOCOL_BIT(p)) ids[n++] = c;
    }
    return n ? ids[b % n] : 0;
}

/* Sets a few valid observation facts from the input. */
static void fuzz_obs_fields(fz_reader *r, lkr_observations *o, uint32_t count)
{
    uint32_t i;
    for (i = 0; i < count; i++) {
        uint8_t f = fz_u8(r), v = fz_u8(r);
        switch (f % 36u) {
        case 0: o->update_progress_pct = v > 100 ? LKR_NUM_UNKNOWN : v; break;
        case 1: o->update_stalled_min = v == 255 ? LKR_NUM_UNKNOWN : (int32_t)v * 7; break;
        case 2: o->battery_pct = v > 100 ? LKR_NUM_UNKNOWN : v; break;
        case 3: o->cell_mv = v == 255 ? LKR_NUM_UNKNOWN : (int32_t)v * 19; break;
        case 4: o->keypad_lights = tri(v); break;
        case 5: o->keypad_accepts_codes = tri(v); break;
        case 6: o->local_control_works = tri(v); break;
        case 7: o->app_status = (uint8_t)(v % (LKR_APP_STATUS_MAX + 1)); break;
        case 8: o->update_state = (uint8_t)(v % (LKR_UPDATE_STATE_MAX + 1)); break;
        case 9: o->hub_online = tri(v); break;
        case 10: o->bridge_online = tri(v); break;
        case 11: o->other_wifi_devices_work = tri(v); break;
        case 12: o->wifi_24ghz_on = tri(v); break;
        case 13: o->wifi_security = (uint8_t)(v % (LKR_WIFI_SECURITY_MAX + 1)); break;
        case 14: o->network_changed = tri(v); break;
        case 15: o->ip_changed = tri(v); break;
        case 16: o->signal_weak = tri(v); break;
        case 17: o->phone_in_range = tri(v); break;
        case 18: o->app_permissions_ok = tri(v); break;
        case 19: o->second_phone_connects = tri(v); break;
        case 20: o->software_outdated = tri(v); break;
        case 21: o->codes_state = (uint8_t)(v % (LKR_CODE_STATE_MAX + 1)); break;
        case 22: o->code_expired = tri(v); break;
        case 23: o->lockout_active = tri(v); break;
        case 24: o->keypad_dirty = tri(v); break;
        case 25: o->keypad_erratic = tri(v); break;
        case 26: o->works_door_open_only = tri(v); break;
        case 27: o->wrong_position = tri(v); break;
        case 28: o->extreme_cold = tri(v); break;
        case 29: o->router_online = tri(v); break;
        case 30: (void)snprintf(o->fw_before, sizeof(o->fw_before), "1.%u.%u", v % 6u, v / 6u % 3u); break;
        case 31: (void)snprintf(o->fw_target, sizeof(o->fw_target), "1.%u.%u", v % 6u, v / 6u % 3u); break;
        case 32: (void)snprintf(o->fw_now, sizeof(o->fw_now), "1.%u.%u", v % 6u, v / 6u % 3u); break;
        case 33: (void)snprintf(o->error_code, sizeof(o->error_code), "%d", (int)(v % 8u) - 3); break;
        case 34: o->fw_now[0] = '\0'; break;
        default: {
            /* arbitrary printable text */
            uint8_t len = (uint8_t)(v % LKR_VERSION_TEXT_MAX), k;
            for (k = 0; k < len; k++) o->error_code[k] = (char)(32 + fz_u8(r) % 95u);
            o->error_code[len] = '\0';
            break;
        }
        }
    }
}

/* Makes the profile or observations invalid in one way; 1 when it did. */
static int spoil(fz_reader *r, lkr_profile *p, lkr_observations *o)
{
    switch (fz_u8(r) % 18u) {
    case 0: p->protocol = 0; return 1;
    case 1: p->protocol = LKR_PROTOCOL_MAX + 1u + fz_u8(r); return 1;
    case 2: p->ecosystems |= 0x01u; return 1;
    case 3: p->ecosystems |= 0x80u; return 1;
    case 4: p->battery_chemistry = LKR_CHEMISTRY_MAX + 1u; return 1;
    case 5: p->battery_cells = 17u + fz_u8(r); return 1;
    case 6: p->has_bridge = (uint8_t)(3u + fz_u8(r) % 253u); return 1;
    case 7: { uint8_t at = fz_u8(r) & 1u; p->reserved_[at] = (uint8_t)(1u + fz_u8(r) % 255u); return 1; }
    case 8: memset(p->manufacturer, 'A', sizeof(p->manufacturer)); return 1;
    case 9: p->struct_size = fz_u8(r) % 16u; return 1;
    case 10: o->battery_pct = 101 + fz_u8(r); return 2;
    case 11: o->app_status = (uint8_t)(LKR_APP_STATUS_MAX + 1u + fz_u8(r) % 200u); return 2;
    case 12: o->keypad_lights = (uint8_t)(3u + fz_u8(r) % 253u); return 2;
    case 13: o->update_progress_pct = -2 - (int32_t)fz_u8(r); return 2;
    case 14: o->cell_mv = 5001 + fz_u8(r); return 2;
    case 15: memset(o->fw_now, '1', sizeof(o->fw_now)); return 2;
    case 16: o->struct_size = fz_u8(r) % 16u; return 2;
    default: { uint8_t at = fz_u8(r) & 1u; o->reserved_[at] = (uint8_t)(1u + fz_u8(r) % 255u); return 2; }
    }
}

/* ---- operations ---------------------------------------------------------------------- */

static lkr_status do_next(fz_harness *h, lkr_action *a)
{
    lkr_status st;
    *a = (lkr_action)LKR_ACTION_INIT;
    st = lkr_session_next(h->session, a);
    FZ_CHECK(st == LKR_OK, "next failed on a live session");
    check_action(h, a);
    codes_check(h, 1);
    return st;
}

static void do_respond(fz_harness *h, const lkr_action *a)
{
    if (lkr_action_is_final(a)) return;
    /* the simulated person cannot do a pending host step or verify a pending probe */
    if (a->kind == LKR_ACTION_HOST_STEP || (a->kind == LKR_ACTION_VERIFY && a->phase == LKR_PHASE_PROBE)) {
        return;
    }
    if (a->kind == LKR_ACTION_BLOCKED && (h->sim_t.read_codes == NULL || h->vault == NULL)) {
        /* the person may waive the step: it is its choice, not a loss */
    }
    fz_ignore(lkr_sim_respond(h->sim, h->session, a));
}

static void round_trip(fz_harness *h)
{
    lkr_action a, b;
    uint8_t blob[LKR_SESSION_BLOB_MAX], blob2[LKR_SESSION_BLOB_MAX];
    size_t need = 0, need2 = 0;
    lkr_session_config cfg;
    lkr_session *s2 = NULL;
    lkr_status st;
    int clock_went_back;

    fz_ignore(do_next(h, &a));
    if (fz_trace) dump(h);
    h->keystore_quiet = 1;
    st = lkr_session_save(h->session, NULL, 0, &need);
    FZ_CHECK(st == LKR_E_BUFFER && need > 0 && need <= LKR_SESSION_BLOB_MAX, "save size query");
    FZ_CHECK(lkr_session_save(h->session, blob, sizeof(blob), &need) == LKR_OK, "save failed");
    lkr_session_config_init(&cfg);
    st = lkr_session_load(&cfg, &h->t, blob, need, &s2);
    if (st != LKR_OK) {
        fprintf(stderr, "load of a just-saved blob: %s\n", lkr_status_name(st));
        FZ_CHECK(0, "a just-saved blob does not load");
    }
    FZ_CHECK(lkr_session_save(s2, blob2, sizeof(blob2), &need2) == LKR_OK, "save of loaded failed");
    h->keystore_quiet = 0;
    /* not byte-identical: a load reads the host clock again (last_now_ms) */
    /* a clock that went back since the wait began: the loaded session keeps the remaining time */
    clock_went_back = w_now(h) < h->max_now_ms;
    FZ_CHECK(need2 == need, "a loaded session saves a blob of another size");
    if (h->vault != NULL && h->vault_attached) {
        st = lkr_session_attach_vault(s2, h->vault);
        /* refused only when the vault is bound to another lock */
        FZ_CHECK(st == LKR_OK || st == LKR_E_STATE, "attaching the vault after load");
        if (st != LKR_OK) h->vault_attached = 0;
    }
    lkr_session_free(h->session);
    h->session = s2;
    b = (lkr_action)LKR_ACTION_INIT;
    FZ_CHECK(lkr_session_next(s2, &b) == LKR_OK, "next failed after load");
    if (a.kind != b.kind || a.state != b.state || a.step != b.step || a.tier != b.tier || a.phase != b.phase ||
        a.question != b.question || a.unmet_guards != b.unmet_guards || a.detail != b.detail ||
        a.wait_s != b.wait_s ||
        (a.wait_until_ms != b.wait_until_ms && !clock_went_back)) {
        fprintf(stderr, "before: kind %u state %u step %u phase %u q %u unmet 0x%x detail 0x%x wait %llu\n",
                (unsigned)a.kind, (unsigned)a.state, (unsigned)a.step, (unsigned)a.phase, (unsigned)a.question,
                (unsigned)a.unmet_guards, (unsigned)a.detail, (unsigned long long)a.wait_until_ms);
        fprintf(stderr, "after:  kind %u state %u step %u phase %u q %u unmet 0x%x detail 0x%x wait %llu\n",
                (unsigned)b.kind, (unsigned)b.state, (unsigned)b.step, (unsigned)b.phase, (unsigned)b.question,
                (unsigned)b.unmet_guards, (unsigned)b.detail, (unsigned long long)b.wait_until_ms);
        dump(h);
        FZ_CHECK(0, "a loaded session decides differently");
    }
    check_action(h, &b);
}

static void vault_swap(fz_harness *h)
{
    uint8_t buf[8192];
    size_t need = 0;
    lkr_vault *v2 = NULL;
    lkr_vault_info i1 = LKR_VAULT_INFO_INIT, i2 = LKR_VAULT_INFO_INIT;
    lkr_status st;
    if (h->vault == NULL || h->t.seal == NULL) return;
    st = lkr_vault_export_sealed(h->vault, &h->t, buf, sizeof(buf), &need);
    if (st != LKR_OK) return;
    FZ_CHECK(need <= sizeof(buf), "export claims more than it wrote");
    if (lkr_vault_new(NULL, &v2) != LKR_OK) return;
    st = lkr_vault_import_sealed(v2, &h->t, buf, need);
    if (st == LKR_OK) {
        FZ_CHECK(lkr_vault_status(h->vault, &i1) == LKR_OK && lkr_vault_status(v2, &i2) == LKR_OK, "vault status");
        FZ_CHECK(i1.count == i2.count && memcmp(i1.digest, i2.digest, 32) == 0, "import changed the codes");
        st = lkr_session_attach_vault(h->session, v2);
        if (st == LKR_OK) {
            lkr_vault_free(h->vault);
            h->vault = v2;
            h->vault_attached = 1;
            return;
        }
    }
    lkr_vault_free(v2);
}

static void queries(fz_harness *h, uint8_t arg)
{
    char small[64];
    static char big[65536];
    size_t need = 0;
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    lkr_history_entry e = LKR_HISTORY_ENTRY_INIT;
    lkr_waiver w = LKR_WAIVER_INIT;
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    lkr_status st;
    uint32_t i;
    FZ_CHECK(lkr_session_status(h->session, &info) == LKR_OK, "status");
    FZ_CHECK(lkr_session_beliefs(h->session, &d) == LKR_OK, "beliefs");
    FZ_CHECK(d.cause_count <= LKR_DIAGNOSIS_MAX_CAUSES, "beliefs cause count");
    for (i = 0; i < info.history_count; i++) {
        FZ_CHECK(lkr_session_history(h->session, i, &e) == LKR_OK, "history entry");
        FZ_CHECK(e.step >= 1 && e.step <= LKR__STEP_COUNT, "history step out of range");
    }
    FZ_CHECK(lkr_session_history(h->session, info.history_count, &e) == LKR_E_RANGE, "history past end");
    for (i = 0; i < info.waiver_count; i++) {
        FZ_CHECK(lkr_session_waiver(h->session, i, &w) == LKR_OK, "waiver entry");
        FZ_CHECK(memchr(w.reason, '\0', sizeof(w.reason)) != NULL, "waiver reason unterminated");
    }
    if (arg & 1u) {
        st = lkr_session_report_json(h->session, small, sizeof(small), &need);
        FZ_CHECK(st == LKR_OK || st == LKR_E_BUFFER, "json report (small)");
        st = lkr_session_report_json(h->session, big, sizeof(big), &need);
        FZ_CHECK(st == LKR_OK && strlen(big) + 1 == need, "json report");
    } else {
        st = lkr_session_report_text(h->session, small, sizeof(small), &need);
        FZ_CHECK(st == LKR_OK || st == LKR_E_BUFFER, "text report (small)");
        st = lkr_session_report_text(h->session, big, sizeof(big), &need);
        FZ_CHECK(st == LKR_OK && strlen(big) + 1 == need, "text report");
    }
}

static void run_op(fz_harness *h, fz_reader *r)
{
    uint8_t op = (uint8_t)(fz_u8(r) % OP_COUNT);
    lkr_action a;
    lkr_status st;
    switch (op) {
    case OP_NEXT:
        (void)do_next(h, &a);
        break;
    case OP_RESPOND:
        (void)do_next(h, &a);
        do_respond(h, &a);
        break;
    case OP_DRIVE: {
        uint32_t n = 1u + fz_u8(r) % FZ_MAX_DRIVE, i;
        for (i = 0; i < n; i++) {
            (void)do_next(h, &a);
            if (lkr_action_is_final(&a) || a.kind == LKR_ACTION_HOST_STEP ||
                (a.kind == LKR_ACTION_VERIFY && a.phase == LKR_PHASE_PROBE)) {
                break;
            }
            if (fz_trace) fprintf(stderr, "  drive: kind %u step %u phase %u unmet 0x%x\n", (unsigned)a.kind, (unsigned)a.step, (unsigned)a.phase, (unsigned)a.unmet_guards);
            do_respond(h, &a);
            codes_check(h, 0);
        }
        break;
    }
    case OP_REPORT_CUR:
    case OP_REPORT_ANY: {
        uint32_t step = op == OP_REPORT_CUR && h->have_last ? h->last.step : fz_u8(r);
        uint32_t outcome = fz_u8(r) % 11u;
        if (outcome >= LKR_OUTCOME_SKIPPED && outcome <= LKR_OUTCOME_FAILED && code_risk_step(step)) {
            h->host_skipped_codes = 1;
        }
        fz_ignore(lkr_session_report(h->session, step, outcome));
        break;
    }
    case OP_ANSWER_CUR:
    case OP_ANSWER_ANY: {
        uint32_t q = op == OP_ANSWER_CUR && h->have_last ? h->last.question : fz_u8(r) % 10u;
        uint8_t v = fz_u8(r);
        int32_t val = v < 250 ? (int32_t)(v % 8u) - 1 : (v == 250 ? 1000001 : (v == 251 ? -5 : (int32_t)fz_u32(r)));
        fz_ignore(lkr_session_answer(h->session, q, val));
        break;
    }
    case OP_OBSERVE: {
        lkr_observations o;
        lkr_observations_init(&o);
        fuzz_obs_fields(r, &o, 1u + fz_u8(r) % 4u);
        fz_ignore(lkr_session_observe(h->session, &o));
        break;
    }
    case OP_CONFIRM: {
        /* One read per statement: argument order is unspecified in C, and a
         * replay must mean the same calls under every compiler. */
        uint32_t guard = fz_u8(r) % 11u;
        uint32_t value = fz_u8(r) & 1u;
        fz_ignore(lkr_session_confirm(h->session, guard, value));
        break;
    }
    case OP_WAIVE: {
        char reason[80];
        uint8_t kind = (uint8_t)(fz_u8(r) % 3u), id = fz_u8(r), len = (uint8_t)(fz_u8(r) % 72u), k;
        for (k = 0; k < len; k++) {
            uint8_t c = fz_u8(r);
            reason[k] = (char)(c < 200 ? 32 + c % 95u : c); /* mostly printable */
        }
        reason[len] = '\0';
        st = lkr_session_waive(h->session, kind, id, len == 71 ? NULL : reason);
        if (st == LKR_OK && ((kind == LKR_WAIVE_STEP && code_risk_step(id)) ||
                             (kind == LKR_WAIVE_TIER && (id == LKR_TIER_RESET || id == LKR_TIER_REPAIR)))) {
            h->host_skipped_codes = 1;
        }
        break;
    }
    case OP_TICK:
    {
        lkr_session_info info = LKR_SESSION_INFO_INIT;
        st = lkr_session_tick(h->session);
        FZ_CHECK(lkr_session_status(h->session, &info) == LKR_OK, "status failed on a live session");
        /* A final session keeps no clock: LKR_E_STATE, as ENGINE.md says. */
        FZ_CHECK(info.state >= LKR_STATE_RECOVERED ? st == LKR_E_STATE : (st == LKR_OK || st == LKR_PENDING),
                 "tick failed");
        break;
    }
    case OP_ADVANCE: {
        lkr_sim_stats s = LKR_SIM_STATS_INIT;
        uint64_t delta = fz_u16(r);
        delta *= fz_u8(r) & 1u ? 1000u : 10u;
        if (delta > FZ_MAX_CLOCK_JUMP_MS) delta = FZ_MAX_CLOCK_JUMP_MS;
        FZ_CHECK(lkr_sim_stats_get(h->sim, &s) == LKR_OK, "sim stats");
        a = (lkr_action)LKR_ACTION_INIT;
        a.kind = LKR_ACTION_WAIT;
        a.state = LKR_STATE_WAITING;
        a.wait_until_ms = s.clock_ms + delta;
        fz_ignore(lkr_sim_respond(h->sim, h->session, &a));
        break;
    }
    case OP_ROUND_TRIP:
        round_trip(h);
        break;
    case OP_ATTACH:
        if (h->vault == NULL && lkr_vault_new(NULL, &h->vault) != LKR_OK) break;
        if (lkr_session_attach_vault(h->session, h->vault) == LKR_OK) h->vault_attached = 1;
        break;
    case OP_DETACH:
        if (lkr_session_attach_vault(h->session, NULL) == LKR_OK) {
            h->host_skipped_codes = 1;
            h->vault_attached = 0;
        }
        break;
    case OP_VAULT_SWAP:
        vault_swap(h);
        break;
    case OP_ABORT: {
        lkr_session_info info = LKR_SESSION_INFO_INIT;
        FZ_CHECK(lkr_session_status(h->session, &info) == LKR_OK, "status");
        st = lkr_session_abort(h->session);
        FZ_CHECK(info.state >= LKR_STATE_RECOVERED ? st == LKR_E_STATE : st == LKR_OK, "abort answered wrongly");
        break;
    }
        break;
    case OP_DONE_STEP:
        if (h->pending_step != 0) {
            uint32_t outcome = 1u + fz_u8(r) % 6u;
            if (outcome >= LKR_OUTCOME_SKIPPED && code_risk_step(h->pending_step)) h->host_skipped_codes = 1;
            if (lkr_session_report(h->session, h->pending_step, outcome) == LKR_OK) h->pending_step = 0;
        }
        break;
    case OP_DONE_PROBE: {
        lkr_probe_result pr;
        uint8_t how = fz_u8(r);
        memset(&pr, 0, sizeof(pr));
        pr.struct_size = (uint32_t)sizeof(pr);
        if (h->sim_t.probe != NULL) fz_ignore(h->sim_t.probe(h->sim_t.ctx, &pr));
        if (how & 0x04u) fz_bytes(r, &pr, sizeof(pr)); /* garbage fields */
        if (how & 0x08u) pr.struct_size = (uint32_t)sizeof(pr);
        st = lkr_session_probe_done(h->session, (how & 3u) == 0 ? LKR_OK : (how & 3u) == 1 ? LKR_E_TRANSPORT
                                                                  : (how & 3u) == 2 ? 1234 : LKR_PENDING,
                                    (how & 0x10u) ? NULL : &pr);
        if (st == LKR_OK) h->probe_pending = 0;
        break;
    }
    case OP_CLOCK_BACK:
        h->clock_back_ms = (uint64_t)fz_u16(r) * 100u;
        break;
    case OP_QUERIES:
        queries(h, fz_u8(r));
        break;
    case OP_ARM_FAULT:
        if (h->fault_count < FZ_MAX_FAULTS) {
            fz_fault *f = &h->faults[h->fault_count++];
            uint8_t b = fz_u8(r);
            f->cb = (uint8_t)(b % CB_COUNT);
            f->mode = (uint8_t)((b / CB_COUNT) % FM_COUNT);
            f->sticky = (uint8_t)(b >= 128);
            f->index = h->calls[f->cb] + fz_u8(r) % 8u;
        }
        break;
    case OP_BOGUS_RESPOND: {
        /* an action next() did not return: the simulator must refuse or cope */
        a = (lkr_action)LKR_ACTION_INIT;
        a.kind = fz_u8(r) % 11u;
        a.state = fz_u8(r) % 11u;
        a.step = 1u + fz_u8(r) % LKR__STEP_COUNT;
        a.phase = fz_u8(r) % 8u;
        a.question = fz_u8(r) % 9u;
        a.unmet_guards = fz_u16(r);
        if (a.kind == LKR_ACTION_WAIT) a.wait_until_ms = w_now(h) + fz_u16(r);
        h->bogus_actions = 1;
        fz_ignore(lkr_sim_respond(h->sim, h->session, &a));
        break;
    }
    case OP_VAULT_DIRECT:
        if (h->vault != NULL && h->t.read_codes != NULL) {
            uint32_t missing = 0;
            switch (fz_u8(r) % 3u) {
            case 0: fz_ignore(lkr_vault_verify(h->vault, &h->t, &missing)); break;
            case 1: fz_ignore(lkr_vault_restore(h->vault, &h->t, &missing)); break;
            default: fz_ignore(lkr_vault_backup(h->vault, &h->t)); break;
            }
        }
        break;
    default:
        break;
    }
    codes_check(h, 0);
    if (fz_trace) {
        lkr_sim_stats s = LKR_SIM_STATS_INIT;
        fz_ignore(lkr_sim_stats_get(h->sim, &s));
        fprintf(stderr, "op %u: last kind %u step %u phase %u; codes lost %u\n", (unsigned)op,
                (unsigned)h->last.kind, (unsigned)h->last.step, (unsigned)h->last.phase, (unsigned)s.codes_lost);
    }
}

/* ---- the entry point ----------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_reader r;
    fz_harness h;
    lkr_sim_config sc;
    lkr_session_config cfg;
    lkr_observations obs;
    struct {
        lkr_profile p;
        uint8_t tail[16];
    } big_p;
    uint8_t mode, tmode, nfaults, raw_causes;
    uint32_t i, ops;
    int spoiled = 0;
    lkr_status st;

    fz_init(&r, data, size);
    fz_trace = getenv("FZ_TRACE") != NULL;
    if (fz_u8(&r) != FZ_FORMAT_VERSION) return 0;
    memset(&h, 0, sizeof(h));

    /* the simulated lock */
    lkr_sim_config_init(&sc);
    sc.protocol = 1u + fz_u8(&r) % LKR_PROTOCOL_MAX;
    sc.cause_count = 1u + fz_u8(&r) % LKR_SIM_MAX_CAUSES;
    raw_causes = fz_u8(&r);
    for (i = 0; i < LKR_SIM_MAX_CAUSES; i++) {
        uint8_t b = fz_u8(&r);
        if (i < sc.cause_count) sc.causes[i] = raw_causes == 0xFF ? b : pick_cause(sc.protocol, b);
    }
    if (raw_causes != 0xFF) {
        /* drop duplicates */
        uint32_t n = 0, j;
        for (i = 0; i < sc.cause_count; i++) {
            for (j = 0; j < n && sc.causes[j] != sc.causes[i]; j++) {
            }
            if (j == n) sc.causes[n++] = sc.causes[i];
        }
        for (i = n; i < LKR_SIM_MAX_CAUSES; i++) sc.causes[i] = 0;
        sc.cause_count = n;
    }
    sc.ecosystems = fz_u8(&r) & LKR_ECOSYSTEMS_ALL;
    sc.flags = fz_u8(&r) & 0x7Fu;
    sc.code_count = fz_u8(&r) % 12u;
    {
        uint8_t b = fz_u8(&r);
        sc.has_bridge = sc.protocol == LKR_PROTOCOL_WIFI ? tri(b) : LKR_UNKNOWN;
        sc.has_keypad = tri((uint8_t)(b / 3u));
        sc.repair_erases_codes = tri((uint8_t)(b / 9u));
        sc.battery_chemistry = (b / 27u) % (LKR_CHEMISTRY_MAX + 1u);
    }
    {
        uint8_t b = fz_u8(&r);
        sc.battery_pct = b > 100 ? LKR_NUM_UNKNOWN : b;
    }
    sc.seed = fz_u64(&r);
    if (lkr_sim_new(&sc, NULL, &h.sim) != LKR_OK) return 0;
    FZ_CHECK(lkr_sim_transport(h.sim, &h.sim_t) == LKR_OK, "sim transport");

    /* the transport: which callbacks the host offers, and its faults */
    tmode = fz_u8(&r);
    make_transport(&h, tmode);
    nfaults = (uint8_t)(fz_u8(&r) % (FZ_MAX_FAULTS + 1u));
    for (i = 0; i < nfaults; i++) {
        uint8_t b = fz_u8(&r);
        fz_fault *f = &h.faults[h.fault_count++];
        f->cb = (uint8_t)(b % CB_COUNT);
        f->mode = (uint8_t)((b / CB_COUNT) % FM_COUNT);
        f->sticky = (uint8_t)(b >= 128);
        f->index = fz_u8(&r) % 32u;
    }

    /* the profile and observations the session starts from */
    FZ_CHECK(lkr_sim_profile(h.sim, &h.profile) == LKR_OK, "sim profile");
    FZ_CHECK(lkr_sim_observations(h.sim, &obs) == LKR_OK, "sim observations");
    mode = fz_u8(&r);
    if (mode & 0x01u) {
        /* valid changes a host could make (never hiding that a re-pair erases codes) */
        uint8_t b = fz_u8(&r);
        h.profile.ecosystems = fz_u8(&r) & LKR_ECOSYSTEMS_ALL;
        h.profile.battery_chemistry = b % (LKR_CHEMISTRY_MAX + 1u);
        h.profile.battery_cells = fz_u8(&r) % 17u;
        h.profile.warranty_months = fz_u8(&r);
        h.profile.has_fingerprint = tri(b);
        h.profile.has_key_cylinder = tri((uint8_t)(b / 3u));
        h.profile.has_keypad = sc.has_keypad == LKR_UNKNOWN ? tri((uint8_t)(b / 9u)) : sc.has_keypad;
        if (sc.repair_erases_codes != LKR_YES && (b & 0x80u)) h.profile.repair_erases_codes = LKR_UNKNOWN;
        if (b & 0x40u) h.profile.manufacturer[0] = '\0';
    }
    if (mode & 0x02u) {
        fuzz_obs_fields(&r, &obs, 1u + fz_u8(&r) % 8u);
    }
    if (mode & 0x04u) {
        lkr_observations_init(&obs); /* the host knows nothing */
    }
    if ((mode & 0x18u) == 0x18u) {
        spoiled = spoil(&r, &h.profile, &obs);
    }
    memset(&big_p, 0, sizeof(big_p));
    big_p.p = h.profile;
    if ((mode & 0x18u) == 0x10u) {
        /* a newer header's larger struct: zero tail accepted, non-zero refused */
        uint8_t b = fz_u8(&r);
        big_p.p.struct_size = (uint32_t)sizeof(lkr_profile) + 8u;
        if (b & 1u) {
            big_p.tail[b % 8u] = (uint8_t)(b | 1u);
            spoiled = 1;
        }
    }
    lkr_session_config_init(&cfg);
    cfg.profile = &big_p.p;
    cfg.observations = (mode & 0x20u) ? NULL : &obs;
    st = lkr_session_new(&cfg, &h.t, &h.session);
    if (spoiled == 2 && cfg.observations == NULL) spoiled = 0;
    if (spoiled) {
        FZ_CHECK(st != LKR_OK, "an invalid profile or observations accepted");
    }
    if (st != LKR_OK) {
        h.session = NULL;
        lkr_sim_free(h.sim);
        return 0;
    }
    if ((mode & 0x40u) && h.t.read_codes != NULL) {
        if (lkr_vault_new(NULL, &h.vault) == LKR_OK) {
            FZ_CHECK(lkr_session_attach_vault(h.session, h.vault) == LKR_OK, "attaching a fresh vault");
            h.vault_attached = 1;
        }
    }

    for (ops = 0; ops < FZ_MAX_OPS && fz_more(&r); ops++) {
        run_op(&h, &r);
    }
    /* the end: one more decision, and the final checks */
    {
        lkr_action a;
        (void)do_next(&h, &a);
        codes_check(&h, 1);
    }
    lkr_session_free(h.session);
    lkr_vault_free(h.vault);
    lkr_sim_free(h.sim);
    return 0;
}
