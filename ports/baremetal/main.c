/*
 * One recovery on a microcontroller: a Z-Wave lock whose node a hub lost
 * after a firmware update (the situation of examples/hub_embed.c), driven to
 * its end with the session in a static buffer. Prints the outcome, the bytes
 * the session took and the stack high-water mark through semihosting; exits
 * non-zero unless the lock is recovered.
 */
#include <stddef.h>
#include <stdint.h>

#include <lockrecover/lockrecover.h>

#include "firmware.h"

/* ---- memory: the session lives in this buffer, nowhere else -------------- */

#ifndef LKR_FW_ARENA
#define LKR_FW_ARENA 4096u
#endif

static struct arena {
    size_t used, peak;
    union {
        uint64_t align;
        unsigned char bytes[LKR_FW_ARENA];
    } buf;
} arena;

static void *arena_alloc(void *ctx, size_t size)
{
    struct arena *a = ctx;
    size_t n = (size + 7u) & ~(size_t)7u;
    void *p;
    if (n > sizeof(a->buf.bytes) - a->used) return NULL;
    p = a->buf.bytes + a->used;
    a->used += n;
    if (a->used > a->peak) a->peak = a->used;
    return p;
}

/* Last in, first out is all a session needs: it allocates once. */
static void arena_free(void *ctx, void *ptr, size_t size)
{
    struct arena *a = ctx;
    size_t n = (size + 7u) & ~(size_t)7u;
    if ((unsigned char *)ptr + n == a->buf.bytes + a->used) a->used -= n;
}

/* The library falls back on malloc/free only when no allocator is given; this
 * firmware always gives one. Defining them keeps newlib's heap out. */
void *malloc(size_t size);
void free(void *ptr);
void *malloc(size_t size)
{
    (void)size;
    return NULL;
}
void free(void *ptr)
{
    (void)ptr;
}

/* ---- the hub around the lock --------------------------------------------- */

struct hub {
    uint64_t now_ms;
    int restarted, reincluded;
};

static uint64_t hub_now(void *ctx)
{
    return ((struct hub *)ctx)->now_ms;
}

static lkr_status hub_probe(void *ctx, lkr_probe_result *out)
{
    const struct hub *hub = ctx;
    out->reachable = hub->restarted && hub->reincluded ? LKR_YES : LKR_NO;
    return LKR_OK;
}

static lkr_status hub_run_step(void *ctx, uint32_t step)
{
    struct hub *hub = ctx;
    switch (step) {
    case LKR_STEP_ZWAVE_RESTART_HUB:
        hub->now_ms += 30000u;
        hub->restarted = 1;
        return LKR_OK;
    case LKR_STEP_ZWAVE_EXCLUDE_REINCLUDE:
        hub->now_ms += 90000u;
        hub->reincluded = 1;
        return LKR_OK;
    default:
        return LKR_E_UNSUPPORTED;
    }
}

static void hub_log(void *ctx, uint32_t level, const char *message)
{
    (void)ctx;
    if (level >= LKR_LOG_INFO) {
        lkr_fw_puts("  log: ");
        lkr_fw_puts(message);
        lkr_fw_puts("\n");
    }
}

int main(void)
{
    static struct hub hub = { 1000u, 0, 0 };
    lkr_allocator al = LKR_ALLOCATOR_INIT;
    lkr_profile lock;
    lkr_observations seen;
    lkr_transport t;
    lkr_session_config cfg;
    lkr_session *s = NULL;
    lkr_action a = LKR_ACTION_INIT;
    lkr_status st;
    uint32_t g, n;

    al.ctx = &arena;
    al.alloc = arena_alloc;
    al.free = arena_free;

    lkr_profile_init(&lock);
    lock.protocol = LKR_PROTOCOL_ZWAVE;
    lock.repair_erases_codes = LKR_NO;
    lkr_observations_init(&seen);
    seen.keypad_lights = LKR_YES;
    seen.app_status = LKR_APP_UNAVAILABLE;
    seen.update_state = LKR_UPDATE_REPORTED_OK;
    seen.hub_online = LKR_YES;
    seen.battery_pct = 80;

    lkr_transport_init(&t);
    t.ctx = &hub;
    t.now_ms = hub_now;
    t.probe = hub_probe;
    t.run_step = hub_run_step;
    t.log = hub_log;

    lkr_session_config_init(&cfg);
    cfg.profile = &lock;
    cfg.observations = &seen;
    cfg.allocator = &al;
    st = lkr_session_new(&cfg, &t, &s);

    for (n = 0; n < 200u && st == LKR_OK; n++) {
        if ((st = lkr_session_next(s, &a)) != LKR_OK || lkr_action_is_final(&a)) break;
        switch (a.kind) {
        case LKR_ACTION_ASK:
            st = lkr_session_answer(s, a.question, LKR_UNKNOWN);
            break;
        case LKR_ACTION_PERSON_STEP:
            st = lkr_session_report(s, a.step, LKR_OUTCOME_DONE);
            break;
        case LKR_ACTION_WAIT:
            hub.now_ms = a.wait_until_ms;
            st = lkr_session_tick(s);
            if (st == LKR_PENDING) st = LKR_OK;
            break;
        case LKR_ACTION_VERIFY:
            st = lkr_session_report(s, a.step, hub.restarted && hub.reincluded ? LKR_OUTCOME_FIXED
                                                                               : LKR_OUTCOME_NOT_FIXED);
            break;
        case LKR_ACTION_BLOCKED:
            for (g = 1; g < 32u && st == LKR_OK; g++) {
                if (a.unmet_guards & LKR_GUARD_BIT(g)) st = lkr_session_confirm(s, g, 1);
            }
            break;
        default:
            st = LKR_E_STATE;
        }
    }

    lkr_fw_puts(a.kind == LKR_ACTION_RECOVERED ? "recovered" : "not recovered");
    lkr_fw_puts(" after ");
    lkr_fw_putu(n);
    lkr_fw_puts(" actions, status ");
    lkr_fw_puts(st == LKR_OK ? "ok" : "error");
    lkr_fw_puts("\nsession bytes: ");
    lkr_fw_putu((uint32_t)arena.peak);
    lkr_fw_puts("\nstack high-water bytes: ");
    lkr_fw_putu(lkr_fw_stack_used());
    lkr_fw_puts("\n");
    lkr_session_free(s);
    return st == LKR_OK && a.kind == LKR_ACTION_RECOVERED && arena.used == 0 ? 0 : 1;
}
