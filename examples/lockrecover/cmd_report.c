/*
 * lockrecover report: the support report of a session `diagnose --state`
 * saved, as text or JSON. Also the loader diagnose uses to resume.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

const char cli_help_report[] =
    "Usage: lockrecover report --state FILE [--json]\n"
    "\n"
    "Loads the session 'lockrecover diagnose --state FILE' saved and prints the\n"
    "support report a manufacturer asks for: the lock, firmware before, target\n"
    "and now, every step with its outcome and time, waivers, blocked guards, the\n"
    "code backup's state (never a code), and why it needs support.\n"
    "\n"
    "  --state FILE   the saved session (required)\n"
    "  --json         the report as one JSON object\n";

int cli_load_state(const char *cmd, const char *path, const lkr_transport *t,
                   lkr_session **out, int *missing, cli_state *st)
{
    lkr_session_config cfg;
    cli_state *own = NULL;
    lkr_status status;
    int rc;

    if (st == NULL && (st = own = malloc(sizeof *own)) == NULL) {
        return cli_error(cmd, "out of memory", NULL);
    }
    rc = cli_state_read(cmd, path, st, missing);
    if (rc == 0 && (missing == NULL || !*missing)) {
        if (st->blob_len == 0) {
            fprintf(stderr, "lockrecover %s: %s holds only the first answers: the recovery "
                            "itself has not started yet\n", cmd, path);
            rc = CLI_EXIT_ERROR;
        } else {
            lkr_session_config_init(&cfg);
            status = lkr_session_load(&cfg, t, st->blob, st->blob_len, out);
            if (status != LKR_OK) {
                fprintf(stderr, "lockrecover %s: %s is not a usable saved session: %s\n", cmd,
                        path, lkr_strerror(status));
                rc = CLI_EXIT_ERROR;
            }
        }
    }
    free(own);
    return rc;
}

int cli_print_report(const char *cmd, const lkr_session *s, int json)
{
    char *text;
    size_t need = 0;
    lkr_status st;

    st = json ? lkr_session_report_json(s, NULL, 0, &need) : lkr_session_report_text(s, NULL, 0, &need);
    if ((st != LKR_OK && st != LKR_E_BUFFER) || need == 0 || (text = malloc(need)) == NULL) {
        return cli_error(cmd, "cannot build the report", lkr_strerror(st));
    }
    st = json ? lkr_session_report_json(s, text, need, &need) : lkr_session_report_text(s, text, need, &need);
    if (st != LKR_OK) {
        free(text);
        return cli_error(cmd, "cannot build the report", lkr_strerror(st));
    }
    fputs(text, stdout);
    need = strlen(text);
    if (need == 0 || text[need - 1] != '\n') fputc('\n', stdout);
    free(text);
    return CLI_EXIT_OK;
}

static uint64_t report_clock(void *ctx)
{
    (void)ctx;
    return cli_monotonic_ms();
}

int cmd_report(int argc, char **argv)
{
    static const cli_opt opts[] = { { "state", 1 }, { "json", 0 } };
    const char *cmd = "report", *val, *path = NULL;
    cli_parser p;
    lkr_transport t;
    lkr_session *s = NULL;
    int k, json = 0, rc;

    cli_parser_init(&p, argc, argv, opts, sizeof(opts) / sizeof(opts[0]));
    while ((k = cli_next(&p, &val)) != CLI_OPT_END) {
        if (k == CLI_OPT_HELP) {
            fputs(cli_help_report, stdout);
            return CLI_EXIT_OK;
        }
        if (k == CLI_OPT_ERROR) return CLI_EXIT_USAGE;
        if (k == 0) path = val;
        else json = 1;
    }
    if (path == NULL) return cli_usage_error(cmd, "--state FILE is required", NULL);

    lkr_transport_init(&t);
    t.now_ms = report_clock;
    if ((rc = cli_load_state(cmd, path, &t, &s, NULL, NULL)) != 0) return rc;
    rc = cli_print_report(cmd, s, json);
    lkr_session_free(s);
    return rc;
}
