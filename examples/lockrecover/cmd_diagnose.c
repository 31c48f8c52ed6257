/*
 * lockrecover diagnose: walks a real lock back with the person in front of
 * it. Opening questions place the symptom, then the session's steps one at a
 * time in plain words, every wait counted down, and an ending that says what
 * fixed it, what is still wrong and where the report is.
 *
 * Answers come from stdin, a terminal or a script (one answer per line). The
 * clock is CLOCK_MONOTONIC carried across runs by the state file, or with
 * LOCKRECOVER_FAST=1 a virtual clock that jumps to the end of every wait.
 * This file: input, the clock, saving, and the loop; dx_open.c the opening
 * questions; dx_steps.c the session's prompts and the ending.
 */
#include "dx.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char cli_help_diagnose[] =
    "Usage: lockrecover diagnose [--protocol P] [--state FILE] [--verbose]\n"
    "\n"
    "Walks a real lock back, one safe step at a time: a few questions about what\n"
    "changed and what you see (numbered choices, each with \"don't know\"), then\n"
    "each step in plain words, every wait counted down for you, and at the end\n"
    "what fixed it, what to keep an eye on, what is still wrong, and the report\n"
    "to send to the lock maker when it needs their help.\n"
    "\n"
    "  --protocol P   wifi, ble, zwave, zigbee, matter (asked when not given)\n"
    "  --state FILE   save progress to FILE before every question; when FILE\n"
    "                 exists, resume it: the same question is asked again\n"
    "  --verbose      also show the catalog's ids and the classifier's numbers\n"
    "\n"
    "Answers are read line by line from stdin, so a script can drive it. When\n"
    "stdin ends: exit 3, 'ran out of answers', progress saved.\n"
    "Environment: LOCKRECOVER_FAST=1 makes the clock virtual: every wait ends at\n"
    "once (for scripts and tests). NO_COLOR disables colour.\n"
    "Exit status: 0 recovered, 1 needs support (or aborted), 2 usage, 3 error or\n"
    "interrupted (progress is saved).\n";

/* ---- the clock ------------------------------------------------------------ */

uint64_t dx_now(void *ctx)
{
    const dx *x = (const dx *)ctx;
    return x->fast ? x->vclock : x->base_session + (cli_monotonic_ms() - x->base_mono);
}

/* The latest host-clock time the session recorded (history, waivers). */
static uint64_t session_latest_ms(const lkr_session *s)
{
    lkr_session_info info = LKR_SESSION_INFO_INIT;
    uint64_t latest = 0;
    uint32_t i;
    if (s == NULL || lkr_session_status(s, &info) != LKR_OK) return 0;
    for (i = 0; i < info.history_count; i++) {
        lkr_history_entry h = LKR_HISTORY_ENTRY_INIT;
        if (lkr_session_history(s, i, &h) != LKR_OK) break;
        if (h.started_ms > latest) latest = h.started_ms;
        if (h.ended_ms > latest) latest = h.ended_ms;
    }
    for (i = 0; i < info.waiver_count; i++) {
        lkr_waiver w = LKR_WAIVER_INIT;
        if (lkr_session_waiver(s, i, &w) == LKR_OK && w.at_ms > latest) latest = w.at_ms;
    }
    return latest;
}

/* After a resume the session clock goes on from where the last run saved
 * it, whatever the machine's clock did in between (a reboot restarts
 * CLOCK_MONOTONIC; a machine up for days has it far ahead): a timed hold
 * keeps its remaining time, and the clock never runs behind what the
 * session recorded. */
static void align_clock(dx *x)
{
    uint64_t from = x->st.clock_ms, latest = session_latest_ms(x->s);
    if (latest > from) from = latest;
    x->base_mono = cli_monotonic_ms();
    x->base_session = from;
    x->vclock = from;
}

/* ---- saving --------------------------------------------------------------- */

int dx_save(dx *x)
{
    size_t need = 0;
    lkr_status st;
    x->st.clock_ms = dx_now(x);
    x->last_save_mono = cli_monotonic_ms();
    if (x->state_path == NULL) return 0;
    if (x->s != NULL) {
        if ((st = lkr_session_save(x->s, x->st.blob, sizeof x->st.blob, &need)) != LKR_OK) {
            return cli_error("diagnose", "cannot save the session", lkr_strerror(st));
        }
        x->st.blob_len = need;
    }
    return cli_state_write("diagnose", x->state_path, &x->st);
}

void dx_set_prompt(dx *x, uint32_t kind, uint32_t arg, uint32_t stage)
{
    DX_V(x, PROMPT) = kind;
    DX_V(x, ARG) = arg;
    DX_V(x, STAGE) = stage;
}

/* ---- input ---------------------------------------------------------------- */

int dx_read_line(const dx *x, char *buf, size_t cap)
{
    size_t len, start = 0;
    fflush(stdout);
    if (fgets(buf, (int)cap, stdin) == NULL) return 0;
    len = strlen(buf);
    if (len > 0 && buf[len - 1] != '\n' && !feof(stdin)) {
        int c;
        while ((c = getchar()) != EOF && c != '\n') {
        }
        buf[0] = '\x01'; /* too long for any answer: never taken for one */
        buf[1] = '\0';
        len = 1;
    }
    while (len > 0 && isspace((unsigned char)buf[len - 1])) buf[--len] = '\0';
    while (isspace((unsigned char)buf[start])) start++;
    memmove(buf, buf + start, len - start + 1);
    if (!x->tty_in) printf("%s\n", buf[0] == '\x01' ? "(too long)" : buf); /* the transcript */
    return 1;
}

void dx_heading(const char *text)
{
    cli_sgr(stdout, CLI_BOLD);
    fputs(text, stdout);
    cli_sgr_reset(stdout);
    fputc('\n', stdout);
}

int dx_choose(const dx *x, const char *question, const char *hint, const char *const *labels,
              size_t n, size_t *out)
{
    char line[64];
    uint64_t v = 0;
    size_t k;
    dx_heading(question);
    if (hint != NULL) printf("%s\n", hint);
    for (k = 0; k < n; k++) printf("  %u) %s\n", (unsigned)(k + 1), labels[k]);
    printf("Type a number from 1 to %u> ", (unsigned)n);
    if (!dx_read_line(x, line, sizeof line)) return DX_EOF;
    if (cli_parse_decimal(line, n, &v) == 0 && v >= 1) {
        *out = (size_t)v - 1;
        return 0;
    }
    printf("Please type one number from 1 to %u, then Enter.\n", (unsigned)n);
    return 1;
}

int dx_choose_many(const dx *x, const char *question, const char *const *labels, size_t n,
                   uint32_t *mask)
{
    char line[128], *tok, *save = NULL;
    uint32_t m = 0;
    uint64_t v;
    size_t k;
    dx_heading(question);
    for (k = 0; k < n; k++) printf("  %u) %s\n", (unsigned)(k + 1), labels[k]);
    printf("Type one or more numbers from 1 to %u, with spaces between> ", (unsigned)n);
    if (!dx_read_line(x, line, sizeof line)) return DX_EOF;
    for (tok = strtok_r(line, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
        if (cli_parse_decimal(tok, n, &v) != 0 || v < 1) {
            m = 0;
            break;
        }
        m |= 1u << (v - 1);
    }
    if (m == 0) {
        printf("Please type numbers from 1 to %u (for example: 1 3), then Enter.\n",
               (unsigned)n);
        return 1;
    }
    *mask = m;
    return 0;
}

int dx_text(const dx *x, const char *question, const char *hint, char *out, size_t cap)
{
    char line[256];
    size_t i, len;
    dx_heading(question);
    if (hint != NULL) printf("%s\n", hint);
    fputs("Type it, or just press Enter if you don't know> ", stdout);
    if (!dx_read_line(x, line, sizeof line)) return DX_EOF;
    len = strlen(line);
    for (i = 0; i < len; i++) {
        if (line[i] < 0x20 || line[i] > 0x7e) break;
    }
    if (i < len || len >= cap) {
        printf("Please type at most %u letters, digits or signs, then Enter.\n",
               (unsigned)(cap - 1));
        return 1;
    }
    memcpy(out, line, len + 1);
    return 0;
}

/* ---- the loop ------------------------------------------------------------- */

/* Shows the pending prompt and applies one answer to it. */
static int answer_pending(dx *x)
{
    return DX_V(x, PROMPT) < DX_P_ASK ? dx_answer_opening(x) : dx_answer_session(x);
}

/* Drives until a final action, stdin's end, or a stop. */
static int drive(dx *x, const lkr_transport *t)
{
    int rc, final = 0;
    for (;;) {
        /* A pending prompt the state no longer explains (a file from another
         * version, or edited) is dropped, never answered. */
        if (DX_V(x, PROMPT) != DX_P_NONE &&
            (DX_V(x, PROMPT) < DX_P_ASK ? !dx_opening_fits(x, DX_V(x, PROMPT))
                                        : x->s == NULL || !dx_prompt_fits(x))) {
            dx_set_prompt(x, DX_P_NONE, 0, 0);
        }
        if (DX_V(x, PROMPT) == DX_P_NONE) {
            if (x->s == NULL) {
                uint32_t p = dx_next_opening(x);
                if (p != DX_P_NONE) {
                    dx_set_prompt(x, p, 0, 0);
                } else if ((rc = dx_start_session(x, t)) != 0) {
                    return rc;
                }
                continue;
            }
            rc = dx_next_session_prompt(x, &final);
            if (final || rc != 0) {
                int src = dx_save(x);
                return src != 0 ? src : rc;
            }
        }
        if ((rc = dx_save(x)) != 0) return rc; /* saved before it is shown */
        fputc('\n', stdout);
        rc = answer_pending(x);
        if (rc == 1) continue; /* not an answer: the same prompt again */
        if (rc != 0) return rc;
    }
}

static int parse_args(int argc, char **argv, dx *x, uint32_t *protocol, int *done)
{
    static const cli_opt opts[] = { { "protocol", 1 }, { "state", 1 }, { "verbose", 0 } };
    const char *val;
    cli_parser p;
    int k, rc;
    cli_parser_init(&p, argc, argv, opts, sizeof(opts) / sizeof(opts[0]));
    while ((k = cli_next(&p, &val)) != CLI_OPT_END) {
        if (k == CLI_OPT_HELP) {
            fputs(cli_help_diagnose, stdout);
            *done = 1;
            return CLI_EXIT_OK;
        }
        if (k == CLI_OPT_ERROR) return CLI_EXIT_USAGE;
        if (k == 0 && (rc = cli_parse_protocol("diagnose", val, protocol)) != 0) return rc;
        if (k == 1) x->state_path = val;
        if (k == 2) x->verbose = 1;
    }
    return 0;
}

static int resume_or_start(dx *x, const lkr_transport *t, uint32_t protocol)
{
    int rc, missing = 0;
    if (x->state_path != NULL) {
        rc = cli_state_read("diagnose", x->state_path, &x->st, &missing);
        if (rc != 0) return rc;
    }
    if (x->state_path != NULL && !missing) {
        lkr_session_config cfg;
        lkr_status st;
        if (x->st.blob_len > 0) {
            lkr_session_config_init(&cfg);
            if ((st = lkr_session_load(&cfg, t, x->st.blob, x->st.blob_len, &x->s)) != LKR_OK) {
                fprintf(stderr, "lockrecover diagnose: %s is not a usable saved session: %s\n",
                        x->state_path, lkr_strerror(st));
                return CLI_EXIT_ERROR;
            }
        }
        align_clock(x);
        printf("Welcome back: carrying on from where you stopped (saved in %s).\n",
               x->state_path);
        return 0;
    }
    cli_state_init(&x->st);
    DX_V(x, PROTOCOL) = protocol;
    x->base_mono = x->base_session = cli_monotonic_ms();
    printf("lockrecover %s: let's get your lock working again, one safe step at a time.\n",
           lkr_version_string());
    if (x->state_path) {
        printf("Your progress is saved in %s before every question: if you stop, run the "
               "same command again to carry on.\n", x->state_path);
    }
    return 0;
}

int cmd_diagnose(int argc, char **argv)
{
    const char *fast = getenv("LOCKRECOVER_FAST");
    uint32_t protocol = LKR_PROTOCOL_NONE;
    lkr_transport t;
    dx *x;
    int rc, done = 0;

    if ((x = calloc(1, sizeof *x)) == NULL) return cli_error("diagnose", "out of memory", NULL);
    rc = parse_args(argc, argv, x, &protocol, &done);
    if (rc != 0 || done) {
        free(x);
        return rc;
    }
    x->tty_in = isatty(STDIN_FILENO);
    x->tty_out = isatty(STDOUT_FILENO);
    x->fast = fast != NULL && strcmp(fast, "1") == 0;
    lkr_transport_init(&t);
    t.ctx = x;
    t.now_ms = dx_now;

    if ((rc = resume_or_start(x, &t, protocol)) == 0) rc = drive(x, &t);
    if (rc == DX_EOF || rc == DX_STOP) {
        fputs(rc == DX_EOF ? "lockrecover diagnose: ran out of answers (stdin ended)"
                           : "lockrecover diagnose: stopped", stderr);
        if (x->state_path) {
            fprintf(stderr, "; progress is saved in %s: run 'lockrecover diagnose --state %s' "
                            "to carry on\n", x->state_path, x->state_path);
        } else {
            fputs("; without --state nothing was saved\n", stderr);
        }
        rc = CLI_EXIT_ERROR;
    }
    lkr_session_free(x->s);
    free(x);
    return rc;
}
