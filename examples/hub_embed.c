/*
 * hub_embed: how a hub application embeds liblockrecover with its own
 * transport (docs/EMBEDDING.md walks through it).
 *
 * The "hub" here is a small fake: a Z-Wave controller with one lock whose
 * node lost its session after a firmware update. The hub can do two things
 * itself: restart (zwave.restart_hub) and exclude + re-include the node
 * (zwave.exclude_reinclude). The lock answers again only once both were done.
 * Everything else is for the person, whom a tiny script plays: it does each
 * step it is shown and says so.
 *
 * Build: cc hub_embed.c $(pkg-config --cflags --libs lockrecover)
 * Runs to "recovered" and exits 0.
 */
#include <stdio.h>
#include <string.h>

#include <lockrecover/lockrecover.h>

/* ---- the host's own world ------------------------------------------------ */

struct hub {
    uint64_t now_ms;    /* the hub's monotonic clock; here a counter we advance */
    int restarted;      /* the hub was restarted */
    int reincluded;     /* the lock's node was excluded and included again */
};

/* The lock's node answers once the hub restarted and the node re-joined. */
static int hub_node_alive(const struct hub *hub)
{
    return hub->restarted && hub->reincluded;
}

/* ---- the transport: the library's only window on the hub ----------------- */

static uint64_t hub_now(void *ctx)
{
    return ((struct hub *)ctx)->now_ms;
}

/* Is the lock reachable, and what does it report? */
static lkr_status hub_probe(void *ctx, lkr_probe_result *out)
{
    const struct hub *hub = ctx;
    if (!hub_node_alive(hub)) {
        out->reachable = LKR_NO;
        return LKR_OK;
    }
    out->reachable = LKR_YES;
    out->battery_pct = 80;
    snprintf(out->fw_version, sizeof out->fw_version, "%s", "2.1.0");
    return LKR_OK;
}

/* The automatable steps the hub performs itself, timed phase included. */
static lkr_status hub_run_step(void *ctx, uint32_t step)
{
    struct hub *hub = ctx;
    switch (step) {
    case LKR_STEP_ZWAVE_RESTART_HUB:
        printf("  hub: restarting the Z-Wave controller (30 s off)\n");
        hub->now_ms += 30000;   /* a real hub would restart asynchronously */
        hub->restarted = 1;
        return LKR_OK;
    case LKR_STEP_ZWAVE_EXCLUDE_REINCLUDE:
        printf("  hub: excluding node 12 and including it again\n");
        hub->now_ms += 90000;
        hub->reincluded = 1;
        return LKR_OK;
    default:
        return LKR_E_UNSUPPORTED; /* a person does the rest */
    }
}

/* Show the person what to do: a real hub would push this to its app. */
static void hub_prompt(void *ctx, const lkr_action *a)
{
    (void)ctx;
    if (a->kind == LKR_ACTION_PERSON_STEP && a->title) printf("  app shows: %s\n", a->title);
}

static void hub_log(void *ctx, uint32_t level, const char *message)
{
    (void)ctx;
    if (level >= LKR_LOG_INFO) printf("  log: %s\n", message);
}

/* ---- the host's loop ----------------------------------------------------- */

int main(void)
{
    struct hub hub = { 1000, 0, 0 };
    lkr_profile lock;
    lkr_observations seen;
    lkr_transport t;
    lkr_session_config cfg;
    lkr_session *s = NULL;
    lkr_action a = LKR_ACTION_INIT;
    lkr_status st = LKR_OK;
    uint32_t g;
    int n;

    /* 1. The lock, and what the hub already knows about it. */
    lkr_profile_init(&lock);
    lock.protocol = LKR_PROTOCOL_ZWAVE;
    lock.ecosystems = LKR_ECOSYSTEM_BIT(LKR_ECOSYSTEM_HOMEASSISTANT);
    lock.repair_erases_codes = LKR_NO;      /* this model keeps codes on re-inclusion */
    lkr_observations_init(&seen);
    seen.keypad_lights = LKR_YES;           /* the keypad works ...             */
    seen.app_status = LKR_APP_UNAVAILABLE;  /* ... but the hub lost the node    */
    seen.update_state = LKR_UPDATE_REPORTED_OK;
    seen.hub_online = LKR_YES;
    seen.battery_pct = 80;

    /* 2. The transport: a clock (required) and what the hub can do. */
    lkr_transport_init(&t);
    t.ctx = &hub;
    t.now_ms = hub_now;
    t.probe = hub_probe;
    t.run_step = hub_run_step;
    t.prompt = hub_prompt;
    t.log = hub_log;

    /* 3. The session. */
    lkr_session_config_init(&cfg);
    cfg.profile = &lock;
    cfg.observations = &seen;
    if ((st = lkr_session_new(&cfg, &t, &s)) != LKR_OK) {
        fprintf(stderr, "hub_embed: %s\n", lkr_strerror(st));
        return 1;
    }

    /* 4. Drive it. A real hub returns to its event loop after each action and
     *    calls back in on an event; this loop plays those events at once. */
    for (n = 0; n < 200 && st == LKR_OK; n++) {
        if ((st = lkr_session_next(s, &a)) != LKR_OK || lkr_action_is_final(&a)) break;
        switch (a.kind) {
        case LKR_ACTION_ASK:          /* the hub knows nothing more */
            st = lkr_session_answer(s, a.question, LKR_UNKNOWN);
            break;
        case LKR_ACTION_PERSON_STEP:  /* the scripted person does it */
            st = lkr_session_report(s, a.step, LKR_OUTCOME_DONE);
            break;
        case LKR_ACTION_WAIT:         /* a timer fires at the deadline */
            hub.now_ms = a.wait_until_ms;
            st = lkr_session_tick(s);
            if (st == LKR_PENDING) st = LKR_OK;
            break;
        case LKR_ACTION_VERIFY:       /* the person checks the lock */
            st = lkr_session_report(s, a.step, hub_node_alive(&hub) ? LKR_OUTCOME_FIXED
                                                                    : LKR_OUTCOME_NOT_FIXED);
            break;
        case LKR_ACTION_BLOCKED:      /* the person confirms what they can */
            for (g = 1; g < 32 && st == LKR_OK; g++) {
                if (a.unmet_guards & LKR_GUARD_BIT(g)) st = lkr_session_confirm(s, g, 1);
            }
            break;
        default:                      /* HOST_STEP: our run_step never pends */
            st = LKR_E_STATE;
        }
    }

    /* 5. The end. */
    printf("hub_embed: %s after %u ms of hub time\n",
           a.kind == LKR_ACTION_RECOVERED ? "recovered" :
           a.kind == LKR_ACTION_NEEDS_SUPPORT ? "needs support" : "stopped",
           (unsigned)(hub.now_ms - 1000));
    if (st != LKR_OK) fprintf(stderr, "hub_embed: %s\n", lkr_strerror(st));
    lkr_session_free(s);
    return a.kind == LKR_ACTION_RECOVERED ? 0 : 1;
}
