/*
 * lockrecover report: the support report of a session `diagnose --state`
 * saved, as text or JSON. Also the loader diagnose uses to resume.
 */
#include "dx.h"

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

/* Whether the wizard asked for what the report's line `label` shows. */
static int wizard_asked(const cli_state *st, const char *label)
{
    uint32_t opened = st->v[CLI_SV_OPENED], after = st->v[CLI_SV_AFTER];
#define OPENED(p) ((opened >> (p)) & 1u)
    if (strncmp(label, "Manufacturer:", 13) == 0 || strncmp(label, "Model:", 6) == 0) {
        return OPENED(DX_P_MODEL);
    }
    if (strncmp(label, "Serial number:", 14) == 0) return OPENED(DX_P_SERIAL);
    if (strncmp(label, "Error code", 10) == 0) return OPENED(DX_P_ERROR);
    if (strncmp(label, "Firmware before:", 16) == 0) return OPENED(DX_P_FW_BEFORE);
    if (strncmp(label, "Firmware target:", 16) == 0) return OPENED(DX_P_FW_TARGET);
    if (strncmp(label, "Firmware now:", 13) == 0) {
        return (after & (DX_AFTER_VERSION | DX_ASKED_FW_NOW)) != 0;
    }
    if (strncmp(label, "Update:", 7) == 0) return OPENED(DX_P_UPDATE) || st->v[CLI_SV_UPDATE] != 0;
    if (strncmp(label, "Batteries:", 10) == 0) return OPENED(DX_P_BATTERY);
#undef OPENED
    return 0;
}

/* Prints the text report line by line; "unknown" after a label the wizard
 * asked becomes what the person said: that they did not know (or, for the
 * maker, that it was given with the model). */
static void print_text(const char *text, const cli_state *st)
{
    const char *line = text;
    while (*line != '\0') {
        const char *end = strchr(line, '\n'), *colon;
        size_t len = end ? (size_t)(end - line) : strlen(line), lab;
        colon = memchr(line, ':', len);
        lab = colon ? (size_t)(colon - line) + 1 : 0;
        while (lab > 0 && lab < len && line[lab] == ' ') lab++;
        if (st != NULL && lab > 0 && len - lab == 7 && memcmp(line + lab, "unknown", 7) == 0 &&
            line[0] != ' ' && wizard_asked(st, line)) {
            fwrite(line, 1, lab, stdout);
            if (strncmp(line, "Manufacturer:", 13) == 0 && st->text[CLI_ST_MODEL][0] != '\0') {
                fputs("given with the model (asked together)", stdout);
            } else {
                fputs("asked; the person did not know", stdout);
            }
        } else {
            fwrite(line, 1, len, stdout);
        }
        fputc('\n', stdout);
        line += len + (end != NULL);
    }
}

int cli_print_report(const char *cmd, const lkr_session *s, int json, const cli_state *cst)
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
    if (json || cst == NULL) {
        fputs(text, stdout);
        need = strlen(text);
        if (need == 0 || text[need - 1] != '\n') fputc('\n', stdout);
    } else {
        print_text(text, cst);
    }
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
    cli_state *st;
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
    if ((st = malloc(sizeof *st)) == NULL) return cli_error(cmd, "out of memory", NULL);
    if ((rc = cli_load_state(cmd, path, &t, &s, NULL, st)) == 0) {
        rc = cli_print_report(cmd, s, json, st->legacy ? NULL : st);
    }
    lkr_session_free(s);
    free(st);
    return rc;
}
