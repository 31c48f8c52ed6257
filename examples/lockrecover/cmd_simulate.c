/*
 * lockrecover simulate: a whole recovery of a simulated faulty lock. The
 * simulator (lkr_sim_*) provides the transport, the lock's profile, what its
 * owner sees, and plays the person; this file drives the session the way any
 * host would and prints each step as it ends.
 */
#include "cli.h"

#include <string.h>

const char cli_help_simulate[] =
    "Usage: lockrecover simulate --protocol P --cause C [--cause C]... [OPTIONS]\n"
    "\n"
    "Runs a whole recovery against a simulated lock with the given root causes:\n"
    "person steps answered as the simulated lock dictates, waits on a simulated\n"
    "clock (nothing sleeps). Deterministic for a given seed.\n"
    "\n"
    "  --protocol P        wifi, ble, zwave, zigbee, matter (required)\n"
    "  --cause C           a root cause possible on P (see 'lockrecover causes');\n"
    "                      repeatable, at most 4\n"
    "  --ecosystem E       homekit, google, alexa, smartthings, homeassistant,\n"
    "                      hubitat (repeatable)\n"
    "  --battery-pct N     battery level 0..100 (default: the fault's typical level)\n"
    "  --chemistry C       alkaline, nimh, lithium (default alkaline)\n"
    "  --seed N            PRNG seed (default 1)\n"
    "  --bridge            a Wi-Fi lock behind a bridge\n"
    "  --json              one object: protocol, cause, causes, outcome, steps\n"
    "                      [{id, tier, outcome, at_s}], minutes, codes_before,\n"
    "                      codes_after, codes_lost, unsafe_steps\n"
    "\n"
    "Exit status: 0 recovered, 1 needs support (or aborted), 2 usage, 3 error.\n";

#define MAX_ACTIONS 2000u

typedef struct sim_run {
    lkr_sim_config cfg;
    lkr_sim *sim;
    lkr_transport t;
    lkr_vault *vault;
    lkr_session *s;
    uint64_t t0;
    uint32_t final_kind;
    uint32_t questions; /* questions worth asking the simulated person answered */
    unsigned char printed[LKR_HISTORY_MAX];
} sim_run;

static uint64_t entry_ms(const sim_run *r, const lkr_history_entry *h)
{
    uint64_t at = h->ended_ms ? h->ended_ms : h->started_ms;
    return at > r->t0 ? at - r->t0 : 0;
}

/* Text mode: prints every history entry that has ended and was not printed yet. */
static void print_new_steps(sim_run *r)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    uint32_t i;
    if (lkr_session_status(r->s, &info) != LKR_OK) return;
    for (i = 0; i < info.history_count && i < LKR_HISTORY_MAX; i++) {
        lkr_history_entry h = LKR_HISTORY_ENTRY_INIT;
        if (r->printed[i] || lkr_session_history(r->s, i, &h) != LKR_OK ||
            h.outcome == LKR_OUTCOME_NONE) {
            continue;
        }
        r->printed[i] = 1;
        printf("  [+%llus] %-9s %-34s ", (unsigned long long)(entry_ms(r, &h) / 1000u),
               cli_tier_sid(h.tier), cli_step_sid(h.step));
        cli_sgr(stdout, h.outcome == LKR_OUTCOME_FIXED ? CLI_GREEN : CLI_BOLD);
        fputs(cli_outcome_name(h.outcome), stdout);
        cli_sgr_reset(stdout);
        fputs(h.by_host ? " (by the host)\n" : "\n", stdout);
    }
}

static const char *final_name(uint32_t kind)
{
    switch (kind) {
    case LKR_ACTION_RECOVERED: return "recovered";
    case LKR_ACTION_NEEDS_SUPPORT: return "needs_support";
    default: return "aborted";
    }
}

static void print_json(sim_run *r, const lkr_sim_stats *st)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    uint32_t i;

    fputs("{\"protocol\": ", stdout);
    cli_json_str(stdout, cli_protocol_name(r->cfg.protocol));
    fputs(", \"cause\": ", stdout);
    cli_json_str(stdout, cli_cause_sid(r->cfg.causes[0]));
    fputs(", \"causes\": [", stdout);
    for (i = 0; i < r->cfg.cause_count; i++) {
        if (i) fputs(", ", stdout);
        cli_json_str(stdout, cli_cause_sid(r->cfg.causes[i]));
    }
    fputs("], \"outcome\": ", stdout);
    cli_json_str(stdout, final_name(r->final_kind));
    fputs(", \"steps\": [", stdout);
    if (lkr_session_status(r->s, &info) == LKR_OK) {
        for (i = 0; i < info.history_count; i++) {
            lkr_history_entry h = LKR_HISTORY_ENTRY_INIT;
            if (lkr_session_history(r->s, i, &h) != LKR_OK) break;
            fputs(i ? ", {\"id\": " : "{\"id\": ", stdout);
            cli_json_str(stdout, cli_step_sid(h.step));
            fputs(", \"tier\": ", stdout);
            cli_json_str(stdout, cli_tier_sid(h.tier));
            fputs(", \"outcome\": ", stdout);
            cli_json_str(stdout, cli_outcome_name(h.outcome));
            fputs(", \"at_s\": ", stdout);
            cli_json_seconds(stdout, entry_ms(r, &h));
            fputc('}', stdout);
        }
    }
    printf("], \"minutes\": %u, \"codes_before\": %u, \"codes_after\": %u, \"codes_lost\": %u, "
           "\"unsafe_steps\": %u}\n",
           (unsigned)st->person_minutes, (unsigned)st->codes_before, (unsigned)st->codes_now,
           (unsigned)st->codes_lost, (unsigned)st->unsafe_steps);
}

static void print_header(const sim_run *r, const lkr_observations *seen)
{
    static const char *const app[] = { "unknown", "online", "offline", "No Response", "unavailable" };
    static const char *const upd[] = { "unknown", "none", "in progress", "reported OK",
                                       "reported failed", "finished" };
    static const char *const tri[] = { "unknown", "no", "yes" };
    uint32_t i, e;

    cli_sgr(stdout, CLI_BOLD);
    printf("Simulated %s lock", cli_protocol_name(r->cfg.protocol));
    cli_sgr_reset(stdout);
    fputs(", fault:", stdout);
    for (i = 0; i < r->cfg.cause_count; i++) printf(" %s", cli_cause_sid(r->cfg.causes[i]));
    for (e = 1; e <= LKR_ECOSYSTEM_MAX; e++) {
        if (r->cfg.ecosystems & LKR_ECOSYSTEM_BIT(e)) printf(", in %s", lkr_ecosystem_name(e));
    }
    printf(", seed %llu\n", (unsigned long long)r->cfg.seed);
    printf("The person sees: keypad lights %s, app %s, update %s",
           tri[seen->keypad_lights <= 2 ? seen->keypad_lights : 0],
           app[seen->app_status <= LKR_APP_STATUS_MAX ? seen->app_status : 0],
           upd[seen->update_state <= LKR_UPDATE_STATE_MAX ? seen->update_state : 0]);
    if (seen->battery_pct >= 0) printf(", battery %d %%", (int)seen->battery_pct);
    fputs("\n", stdout);
}

/* Creates the session on the simulator and drives it to a final action. */
static int run(sim_run *r, int json)
{
    lkr_profile profile;
    lkr_observations seen;
    lkr_session_config sc;
    lkr_action a = LKR_ACTION_INIT;
    lkr_diagnosis d = LKR_DIAGNOSIS_INIT;
    uint32_t n;
    lkr_status st;

    if ((st = lkr_sim_transport(r->sim, &r->t)) != LKR_OK ||
        (st = lkr_sim_profile(r->sim, &profile)) != LKR_OK ||
        (st = lkr_sim_observations(r->sim, &seen)) != LKR_OK) {
        return cli_error("simulate", "simulator error", lkr_strerror(st));
    }
    lkr_session_config_init(&sc);
    sc.profile = &profile;
    sc.observations = &seen;
    r->t0 = r->t.now_ms(r->t.ctx);
    if ((st = lkr_session_new(&sc, &r->t, &r->s)) != LKR_OK) {
        return cli_error("simulate", "cannot start the session", lkr_strerror(st));
    }
    if (r->t.read_codes != NULL) {
        if ((st = lkr_vault_new(NULL, &r->vault)) != LKR_OK ||
            (st = lkr_session_attach_vault(r->s, r->vault)) != LKR_OK) {
            return cli_error("simulate", "cannot attach the code vault", lkr_strerror(st));
        }
    }
    if (!json) {
        print_header(r, &seen);
        if (lkr_classify(&profile, &seen, &d) == LKR_OK) {
            puts("Diagnosis:");
            cli_print_diagnosis(stdout, &d, 3);
        }
        puts("Recovery:");
    }
    for (n = 0; n < MAX_ACTIONS; n++) {
        if ((st = lkr_session_next(r->s, &a)) != LKR_OK) {
            return cli_error("simulate", "session error", lkr_strerror(st));
        }
        if (!json) print_new_steps(r);
        if (lkr_action_is_final(&a)) {
            r->final_kind = a.kind;
            return 0;
        }
        if (a.kind == LKR_ACTION_ASK && a.question >= LKR_QUESTION_SECOND_PHONE) {
            /* a question worth asking: its minutes are in the total */
            lkr_person_text q = LKR_PERSON_TEXT_INIT;
            r->questions++;
            if (!json && lkr_person_text_get(LKR_TEXT_QUESTION, a.question, &q) == LKR_OK) {
                printf("  question: %s\n", q.title);
            }
        }
        if ((st = lkr_sim_respond(r->sim, r->s, &a)) != LKR_OK) {
            fprintf(stderr, "lockrecover simulate: the simulated person could not answer %s (%s): %s\n",
                    cli_step_sid(a.step), cli_tier_sid(a.tier), lkr_strerror(st));
            return CLI_EXIT_ERROR;
        }
    }
    return cli_error("simulate", "no final state after 2000 actions", NULL);
}

static void print_summary(sim_run *r, const lkr_sim_stats *st)
{
    uint64_t ms = st->clock_ms > r->t0 ? st->clock_ms - r->t0 : 0;
    const char *color = r->final_kind == LKR_ACTION_RECOVERED ? CLI_GREEN : CLI_RED;
    fputs("Outcome: ", stdout);
    cli_sgr(stdout, color);
    fputs(r->final_kind == LKR_ACTION_RECOVERED ? "recovered" :
          r->final_kind == LKR_ACTION_NEEDS_SUPPORT ? "needs support" : "aborted", stdout);
    cli_sgr_reset(stdout);
    printf(" after %u step%s", (unsigned)st->steps_performed, st->steps_performed == 1 ? "" : "s");
    if (r->questions) printf(" and %u question%s", (unsigned)r->questions, r->questions == 1 ? "" : "s");
    printf(", %u person-minutes, %llu min %02u s of simulated time\n", (unsigned)st->person_minutes,
           (unsigned long long)(ms / 60000u), (unsigned)(ms / 1000u % 60u));
    printf("Codes: %u before, %u after, %u lost; destructive acts %u, unsafe steps %u\n",
           (unsigned)st->codes_before, (unsigned)st->codes_now, (unsigned)st->codes_lost,
           (unsigned)st->destructive_acts, (unsigned)st->unsafe_steps);
}

/* parse_options printed the help: the command ends, successfully. */
#define HELP_SHOWN (-1)

/* Reads the options into r->cfg; 0, HELP_SHOWN, or a usage error's exit code. */
static int parse_options(sim_run *r, int argc, char **argv, int *json)
{
    static const cli_opt opts[] = {
        { "protocol", 1 }, { "cause", 1 }, { "ecosystem", 1 }, { "battery-pct", 1 },
        { "chemistry", 1 }, { "seed", 1 }, { "bridge", 0 }, { "json", 0 },
    };
    const char *cmd = "simulate", *val;
    cli_parser p;
    uint32_t id;
    long n;
    int k, rc = 0;

    cli_parser_init(&p, argc, argv, opts, sizeof(opts) / sizeof(opts[0]));
    while (rc == 0 && (k = cli_next(&p, &val)) != CLI_OPT_END) {
        switch (k) {
        case CLI_OPT_HELP: fputs(cli_help_simulate, stdout); return HELP_SHOWN;
        case CLI_OPT_ERROR: return CLI_EXIT_USAGE;
        case 0: rc = cli_parse_protocol(cmd, val, &r->cfg.protocol); break;
        case 1:
            if ((rc = cli_parse_cause(cmd, val, &id)) != 0) break;
            if (r->cfg.cause_count == LKR_SIM_MAX_CAUSES) {
                return cli_usage_error(cmd, "too many --cause options", "at most 4");
            }
            r->cfg.causes[r->cfg.cause_count++] = id;
            break;
        case 2:
            if ((rc = cli_parse_ecosystem(cmd, val, &id)) == 0) r->cfg.ecosystems |= LKR_ECOSYSTEM_BIT(id);
            break;
        case 3:
            if ((rc = cli_parse_int(cmd, "battery-pct", val, 0, 100, &n)) == 0) r->cfg.battery_pct = (int32_t)n;
            break;
        case 4:
            if ((rc = cli_parse_chemistry(cmd, val, &r->cfg.battery_chemistry)) == 0 &&
                r->cfg.battery_chemistry == LKR_CHEMISTRY_PACK) {
                rc = cli_usage_error(cmd, "invalid chemistry 'pack'",
                                     "valid values: alkaline nimh lithium");
            }
            break;
        case 5: rc = cli_parse_u64(cmd, "seed", val, &r->cfg.seed); break;
        case 6: r->cfg.has_bridge = LKR_YES; break;
        default: *json = 1; break;
        }
    }
    return rc;
}

/* The lock the options describe can exist; 0, or the usage error's code. */
static int check_lock(const lkr_sim_config *cfg)
{
    const char *cmd = "simulate";
    uint32_t i;
    if (cfg->protocol == LKR_PROTOCOL_NONE) {
        return cli_usage_error(cmd, "--protocol is required", "one of wifi, ble, zwave, zigbee, matter");
    }
    if (cfg->cause_count == 0) {
        return cli_usage_error(cmd, "--cause is required", "see 'lockrecover causes'");
    }
    for (i = 0; i < cfg->cause_count; i++) {
        lkr_cause_info c = LKR_CAUSE_INFO_INIT;
        uint32_t j, cn = lkr_cause_count();
        if (lkr_cause_get(cfg->causes[i], &c) == LKR_OK && (c.protocols & LKR_PROTOCOL_BIT(cfg->protocol))) {
            continue;
        }
        fprintf(stderr, "lockrecover simulate: cause '%s' cannot happen on a %s lock\nvalid causes for %s:",
                c.sid ? c.sid : "?", cli_protocol_name(cfg->protocol), cli_protocol_name(cfg->protocol));
        for (j = 1; j <= cn; j++) {
            lkr_cause_info o = LKR_CAUSE_INFO_INIT;
            if (lkr_cause_get(j, &o) == LKR_OK && (o.protocols & LKR_PROTOCOL_BIT(cfg->protocol))) {
                fprintf(stderr, " %s", o.sid);
            }
        }
        fputc('\n', stderr);
        return CLI_EXIT_USAGE;
    }
    if (cfg->has_bridge == LKR_YES && cfg->protocol != LKR_PROTOCOL_WIFI) {
        return cli_usage_error(cmd, "--bridge is for Wi-Fi locks only", NULL);
    }
    return 0;
}

/* Runs the simulation and prints its outcome; the exit code. */
static int simulate_and_print(sim_run *r, int json)
{
    const char *cmd = "simulate";
    lkr_sim_stats stats = LKR_SIM_STATS_INIT;
    lkr_status st;
    int rc;

    if ((st = lkr_sim_new(&r->cfg, NULL, &r->sim)) != LKR_OK) {
        return st == LKR_E_INVAL || st == LKR_E_RANGE
                   ? cli_usage_error(cmd, "the simulator refused this lock", lkr_strerror(st))
                   : cli_error(cmd, "cannot build the simulated lock", lkr_strerror(st));
    }
    rc = run(r, json);
    if (rc == 0 && (st = lkr_sim_stats_get(r->sim, &stats)) != LKR_OK) {
        rc = cli_error(cmd, "simulator error", lkr_strerror(st));
    }
    if (rc == 0) {
        if (json) {
            print_json(r, &stats);
        } else {
            print_summary(r, &stats);
            if (r->final_kind == LKR_ACTION_NEEDS_SUPPORT) {
                puts("\nSupport report:");
                rc = cli_print_report(cmd, r->s, 0, NULL);
            }
        }
        if (rc == 0) rc = r->final_kind == LKR_ACTION_RECOVERED ? CLI_EXIT_OK : CLI_EXIT_SUPPORT;
    }
    return rc;
}

int cmd_simulate(int argc, char **argv)
{
    sim_run r;
    int json = 0, rc;

    memset(&r, 0, sizeof r);
    lkr_sim_config_init(&r.cfg);
    r.cfg.seed = 1;
    rc = parse_options(&r, argc, argv, &json);
    if (rc == HELP_SHOWN) return CLI_EXIT_OK; /* --help */
    if (rc != 0) return rc;
    if ((rc = check_lock(&r.cfg)) != 0) return rc;
    rc = simulate_and_print(&r, json);
    lkr_session_free(r.s);
    lkr_vault_free(r.vault);
    lkr_sim_free(r.sim);
    return rc;
}
