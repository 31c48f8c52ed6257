/*
 * lockrecover steps / causes: the catalog's recovery steps and root causes.
 */
#include "cli.h"

const char cli_help_steps[] =
    "Usage: lockrecover steps [--protocol P] [--json]\n"
    "\n"
    "Lists the catalog's recovery steps: string id, tier, timed phase (wait),\n"
    "the time the lock is given after the step before it is checked (settle),\n"
    "cost in person-minutes and title. With --protocol, only the steps that\n"
    "apply to a lock of that protocol (linked to any ecosystem, with or without\n"
    "a bridge or a keypad, after an update).\n"
    "\n"
    "  --protocol P   wifi, ble, zwave, zigbee, matter\n"
    "  --json         an array of {id, title, tier, wait_s, settle_s, cost_min,\n"
    "                 protocols, guards, destructive}\n";

const char cli_help_causes[] =
    "Usage: lockrecover causes [--json]\n"
    "\n"
    "Lists the catalog's root causes: string id, the protocols on which each can\n"
    "happen, and title.\n"
    "\n"
    "  --json   an array of {id, title, protocols, prior_permille}\n";

static void json_protocols(uint32_t mask)
{
    uint32_t p;
    int first = 1;
    fputc('[', stdout);
    for (p = 1; p <= LKR_PROTOCOL_MAX; p++) {
        if (!(mask & LKR_PROTOCOL_BIT(p))) continue;
        if (!first) fputs(", ", stdout);
        cli_json_str(stdout, cli_protocol_name(p));
        first = 0;
    }
    fputc(']', stdout);
}

static void text_protocols(uint32_t mask, char *buf, size_t cap)
{
    uint32_t p;
    size_t len = 0;
    buf[0] = '\0';
    if ((mask & LKR_PROTOCOLS_ALL) == LKR_PROTOCOLS_ALL) {
        snprintf(buf, cap, "all");
        return;
    }
    for (p = 1; p <= LKR_PROTOCOL_MAX && len + 1 < cap; p++) {
        if (!(mask & LKR_PROTOCOL_BIT(p))) continue;
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "," : "", cli_protocol_name(p));
    }
}

/* A wait in the largest whole unit: 30s, 5m, 48h; "-" for none. */
static void duration(uint32_t sec, char *buf, size_t cap)
{
    if (sec == 0) snprintf(buf, cap, "-");
    else if (sec % 3600u == 0) snprintf(buf, cap, "%uh", (unsigned)(sec / 3600u));
    else if (sec % 60u == 0) snprintf(buf, cap, "%um", (unsigned)(sec / 60u));
    else snprintf(buf, cap, "%us", (unsigned)sec);
}

static int list_steps(uint32_t protocol, int json)
{
    lkr_profile profile;
    lkr_observations obs;
    uint32_t id, g, n = lkr_step_count();
    int first = 1;

    lkr_profile_init(&profile);
    profile.protocol = protocol;
    profile.ecosystems = LKR_ECOSYSTEMS_ALL; /* any ecosystem; bridge and keypad unknown */
    lkr_observations_init(&obs);
    obs.update_state = LKR_UPDATE_FINISHED;  /* so the update-only steps count */

    if (json) fputc('[', stdout);
    for (id = 1; id <= n; id++) {
        lkr_step_info s = LKR_STEP_INFO_INIT;
        int applies = 1;
        if (lkr_step_get(id, &s) != LKR_OK) return cli_error("steps", "catalog error", NULL);
        if (protocol != LKR_PROTOCOL_NONE &&
            lkr_step_applies(id, &profile, &obs, &applies) != LKR_OK) {
            return cli_error("steps", "catalog error", NULL);
        }
        if (!applies) continue;
        if (json) {
            int gfirst = 1;
            fputs(first ? "\n  {\"id\": " : ",\n  {\"id\": ", stdout);
            cli_json_str(stdout, s.sid);
            fputs(", \"title\": ", stdout);
            cli_json_str(stdout, s.title);
            fputs(", \"tier\": ", stdout);
            cli_json_str(stdout, cli_tier_sid(s.tier));
            printf(", \"wait_s\": %u, \"settle_s\": %u, \"cost_min\": %u, \"protocols\": ",
                   (unsigned)s.wait_s, (unsigned)s.settle_s, (unsigned)s.cost_min);
            json_protocols(s.protocols);
            fputs(", \"guards\": [", stdout);
            for (g = 1; g < 32; g++) {
                if (!(s.guards & LKR_GUARD_BIT(g))) continue;
                if (!gfirst) fputs(", ", stdout);
                cli_json_str(stdout, cli_guard_sid(g));
                gfirst = 0;
            }
            printf("], \"destructive\": %s}", s.destroys ? "true" : "false");
        } else {
            char wait[16], settle[16];
            duration(s.wait_s, wait, sizeof wait);
            duration(s.settle_s, settle, sizeof settle);
            if (first) {
                cli_sgr(stdout, CLI_BOLD);
                printf("%-34s %-9s %6s %6s %4s  %s", "step", "tier", "wait", "settle", "min",
                       "title");
                cli_sgr_reset(stdout);
                fputc('\n', stdout);
            }
            printf("%-34s %-9s %6s %6s %4u  %s\n", s.sid, cli_tier_sid(s.tier), wait, settle,
                   (unsigned)s.cost_min, s.title);
        }
        first = 0;
    }
    fputs(json ? "\n]\n" : "", stdout);
    return CLI_EXIT_OK;
}

int cmd_steps(int argc, char **argv)
{
    static const cli_opt opts[] = { { "protocol", 1 }, { "json", 0 } };
    cli_parser p;
    const char *val;
    uint32_t protocol = LKR_PROTOCOL_NONE;
    int k, json = 0, rc;

    cli_parser_init(&p, argc, argv, opts, sizeof(opts) / sizeof(opts[0]));
    while ((k = cli_next(&p, &val)) != CLI_OPT_END) {
        if (k == CLI_OPT_HELP) {
            fputs(cli_help_steps, stdout);
            return CLI_EXIT_OK;
        }
        if (k == CLI_OPT_ERROR) return CLI_EXIT_USAGE;
        if (k == 0 && (rc = cli_parse_protocol("steps", val, &protocol)) != 0) return rc;
        if (k == 1) json = 1;
    }
    return list_steps(protocol, json);
}

int cmd_causes(int argc, char **argv)
{
    static const cli_opt opts[] = { { "json", 0 } };
    cli_parser p;
    const char *val;
    uint32_t id, n = lkr_cause_count();
    int k, json = 0;

    cli_parser_init(&p, argc, argv, opts, sizeof(opts) / sizeof(opts[0]));
    while ((k = cli_next(&p, &val)) != CLI_OPT_END) {
        if (k == CLI_OPT_HELP) {
            fputs(cli_help_causes, stdout);
            return CLI_EXIT_OK;
        }
        if (k == CLI_OPT_ERROR) return CLI_EXIT_USAGE;
        json = 1;
    }
    if (json) fputc('[', stdout);
    for (id = 1; id <= n; id++) {
        lkr_cause_info c = LKR_CAUSE_INFO_INIT;
        if (lkr_cause_get(id, &c) != LKR_OK) return cli_error("causes", "catalog error", NULL);
        if (json) {
            fputs(id == 1 ? "\n  {\"id\": " : ",\n  {\"id\": ", stdout);
            cli_json_str(stdout, c.sid);
            fputs(", \"title\": ", stdout);
            cli_json_str(stdout, c.title);
            fputs(", \"protocols\": ", stdout);
            json_protocols(c.protocols);
            printf(", \"prior_permille\": %u}", (unsigned)c.prior_permille);
        } else {
            char protos[64];
            if (id == 1) {
                cli_sgr(stdout, CLI_BOLD);
                printf("%-24s %-26s %s", "cause", "protocols", "title");
                cli_sgr_reset(stdout);
                fputc('\n', stdout);
            }
            text_protocols(c.protocols, protos, sizeof protos);
            printf("%-24s %-26s %s\n", c.sid, protos, c.title);
        }
    }
    fputs(json ? "\n]\n" : "", stdout);
    return CLI_EXIT_OK;
}
