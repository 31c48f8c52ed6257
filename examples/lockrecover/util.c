/*
 * lockrecover: option parsing, name lookups, JSON strings and colour shared
 * by every command.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- option parsing ------------------------------------------------------ */

void cli_parser_init(cli_parser *p, int argc, char **argv, const cli_opt *opts, size_t nopts)
{
    p->argc = argc;
    p->argv = argv;
    p->i = 1;
    p->cmd = argc > 0 ? argv[0] : "lockrecover";
    p->opts = opts;
    p->nopts = nopts;
}

static void list_options(const cli_parser *p)
{
    size_t k;
    fputs("valid options:", stderr);
    for (k = 0; k < p->nopts; k++) {
        fprintf(stderr, " --%s%s", p->opts[k].name, p->opts[k].has_value ? " V" : "");
    }
    fputs(" --help\n", stderr);
}

int cli_next(cli_parser *p, const char **value)
{
    const char *arg, *name, *eq;
    size_t len, k;

    *value = NULL;
    if (p->i >= p->argc) return CLI_OPT_END;
    arg = p->argv[p->i++];
    if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) return CLI_OPT_HELP;
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
        fprintf(stderr, "lockrecover %s: unexpected argument '%s'\n", p->cmd, arg);
        list_options(p);
        return CLI_OPT_ERROR;
    }
    name = arg + 2;
    eq = strchr(name, '=');
    len = eq ? (size_t)(eq - name) : strlen(name);
    for (k = 0; k < p->nopts; k++) {
        if (strlen(p->opts[k].name) == len && strncmp(p->opts[k].name, name, len) == 0) break;
    }
    if (k == p->nopts) {
        fprintf(stderr, "lockrecover %s: unknown option '%s'\n", p->cmd, arg);
        list_options(p);
        return CLI_OPT_ERROR;
    }
    if (!p->opts[k].has_value) {
        if (eq) {
            fprintf(stderr, "lockrecover %s: option '--%s' takes no value\n", p->cmd,
                    p->opts[k].name);
            return CLI_OPT_ERROR;
        }
        return (int)k;
    }
    if (eq) {
        *value = eq + 1;
    } else if (p->i < p->argc) {
        *value = p->argv[p->i++];
    } else {
        fprintf(stderr, "lockrecover %s: option '--%s' needs a value\n", p->cmd, p->opts[k].name);
        return CLI_OPT_ERROR;
    }
    return (int)k;
}

/* ---- errors -------------------------------------------------------------- */

int cli_usage_error(const char *cmd, const char *message, const char *detail)
{
    fprintf(stderr, "lockrecover %s: %s%s%s\n", cmd, message, detail ? ": " : "",
            detail ? detail : "");
    fprintf(stderr, "Try 'lockrecover %s --help'.\n", cmd);
    return CLI_EXIT_USAGE;
}

int cli_error(const char *cmd, const char *message, const char *detail)
{
    fprintf(stderr, "lockrecover %s: %s%s%s\n", cmd, message, detail ? ": " : "",
            detail ? detail : "");
    return CLI_EXIT_ERROR;
}

/* ---- values -------------------------------------------------------------- */

const cli_name cli_tri_names[] = {
    { "yes", LKR_YES }, { "no", LKR_NO }, { "unknown", LKR_UNKNOWN },
};
const size_t cli_tri_count = sizeof(cli_tri_names) / sizeof(cli_tri_names[0]);

static void bad_value_head(const char *cmd, const char *what, const char *text)
{
    fprintf(stderr, "lockrecover %s: invalid %s '%s'\nvalid values:", cmd, what, text);
}

int cli_parse_enum(const char *cmd, const char *opt, const cli_name *names, size_t n,
                   const char *text, int *out)
{
    size_t k;
    for (k = 0; k < n; k++) {
        if (strcmp(names[k].name, text) == 0) {
            *out = names[k].value;
            return 0;
        }
    }
    fprintf(stderr, "lockrecover %s: invalid value '%s' for --%s\nvalid values:", cmd, text, opt);
    for (k = 0; k < n; k++) fprintf(stderr, " %s", names[k].name);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

/* Digits only: no sign, no space, no leading zero (so "010" is never read
 * as octal or as ten), no hexadecimal. 0 with the value, or -1. */
int cli_parse_decimal(const char *text, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *c = text;
    if (text == NULL || *c == '\0' || (c[0] == '0' && c[1] != '\0')) return -1;
    for (; *c; c++) {
        unsigned d;
        if (*c < '0' || *c > '9') return -1;
        d = (unsigned)(*c - '0');
        if (d > max || v > (max - d) / 10u) return -1; /* v * 10 + d > max */
        v = v * 10u + d;
    }
    *out = v;
    return 0;
}

int cli_parse_int(const char *cmd, const char *opt, const char *text, long min, long max,
                  long *out)
{
    uint64_t v = 0;
    /* Options take non-negative numbers only; min is 0 for every one of them. */
    if (min < 0 || cli_parse_decimal(text, (uint64_t)max, &v) != 0 || (long)v < min) {
        fprintf(stderr, "lockrecover %s: invalid value '%s' for --%s\n"
                        "valid values: %ld..%ld (a whole number, digits only)\n",
                cmd, text, opt, min, max);
        return CLI_EXIT_USAGE;
    }
    *out = (long)v;
    return 0;
}

int cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out)
{
    if (cli_parse_decimal(text, UINT64_MAX, out) != 0) {
        fprintf(stderr, "lockrecover %s: invalid value '%s' for --%s\n"
                        "valid values: 0..18446744073709551615 (a whole number, digits only)\n",
                cmd, text, opt);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int cli_parse_protocol(const char *cmd, const char *text, uint32_t *out)
{
    uint32_t p;
    if (lkr_protocol_find(text, out) == LKR_OK) return 0;
    bad_value_head(cmd, "protocol", text);
    for (p = 1; p <= LKR_PROTOCOL_MAX; p++) fprintf(stderr, " %s", cli_protocol_name(p));
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

int cli_parse_ecosystem(const char *cmd, const char *text, uint32_t *out)
{
    uint32_t e;
    if (lkr_ecosystem_find(text, out) == LKR_OK) return 0;
    bad_value_head(cmd, "ecosystem", text);
    for (e = 1; e <= LKR_ECOSYSTEM_MAX; e++) {
        const char *name = lkr_ecosystem_name(e);
        if (name) fprintf(stderr, " %s", name);
    }
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

int cli_parse_chemistry(const char *cmd, const char *text, uint32_t *out)
{
    uint32_t c;
    if (lkr_chemistry_find(text, out) == LKR_OK && *out != LKR_CHEMISTRY_UNKNOWN) return 0;
    bad_value_head(cmd, "chemistry", text);
    for (c = 1; c <= LKR_CHEMISTRY_MAX; c++) {
        const char *name = lkr_chemistry_name(c);
        if (name) fprintf(stderr, " %s", name);
    }
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

int cli_parse_cause(const char *cmd, const char *text, uint32_t *out)
{
    uint32_t c, n = lkr_cause_count();
    if (lkr_cause_find(text, out) == LKR_OK) return 0;
    bad_value_head(cmd, "cause", text);
    for (c = 1; c <= n; c++) fprintf(stderr, " %s", cli_cause_sid(c));
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

int cli_copy_text(const char *cmd, const char *opt, const char *text, char *dst, size_t cap)
{
    size_t len = strlen(text);
    if (len >= cap) {
        fprintf(stderr, "lockrecover %s: value of --%s is too long (at most %u characters)\n",
                cmd, opt, (unsigned)(cap - 1));
        return CLI_EXIT_USAGE;
    }
    memcpy(dst, text, len + 1);
    return 0;
}

/* ---- catalog names ------------------------------------------------------- */

const char *cli_tier_sid(uint32_t tier)
{
    lkr_tier_info t = LKR_TIER_INFO_INIT;
    return lkr_tier_get(tier, &t) == LKR_OK ? t.sid : "none";
}

const char *cli_step_sid(uint32_t step)
{
    lkr_step_info s = LKR_STEP_INFO_INIT;
    return lkr_step_get(step, &s) == LKR_OK ? s.sid : "?";
}

const char *cli_cause_sid(uint32_t cause)
{
    lkr_cause_info c = LKR_CAUSE_INFO_INIT;
    return lkr_cause_get(cause, &c) == LKR_OK ? c.sid : "?";
}

const char *cli_guard_sid(uint32_t guard)
{
    lkr_guard_info g = LKR_GUARD_INFO_INIT;
    return lkr_guard_get(guard, &g) == LKR_OK ? g.sid : "?";
}

const char *cli_protocol_name(uint32_t protocol)
{
    const char *name = lkr_protocol_name(protocol);
    return name ? name : "?";
}

const char *cli_outcome_name(uint32_t outcome)
{
    static const char *const names[] = {
        "none", "fixed", "not_fixed", "done", "skipped", "cannot_do",
        "failed", "waived", "refuted", "handed_over",
    };
    return outcome < sizeof(names) / sizeof(names[0]) ? names[outcome] : "?";
}

/* ---- output -------------------------------------------------------------- */

void cli_json_str(FILE *f, const char *s)
{
    const unsigned char *c = (const unsigned char *)(s ? s : "");
    fputc('"', f);
    for (; *c; c++) {
        switch (*c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*c < 0x20 || *c == 0x7f) {
                fprintf(f, "\\u%04x", (unsigned)*c);
            } else {
                fputc(*c, f);
            }
        }
    }
    fputc('"', f);
}

void cli_json_seconds(FILE *f, uint64_t ms)
{
    if (ms % 1000u == 0) {
        fprintf(f, "%llu", (unsigned long long)(ms / 1000u));
    } else {
        fprintf(f, "%llu.%03u", (unsigned long long)(ms / 1000u), (unsigned)(ms % 1000u));
    }
}

int cli_color_enabled(FILE *f)
{
    return getenv("NO_COLOR") == NULL && isatty(fileno(f));
}

void cli_sgr(FILE *f, const char *code)
{
    if (cli_color_enabled(f)) fprintf(f, "\033[%sm", code);
}

void cli_sgr_reset(FILE *f)
{
    if (cli_color_enabled(f)) fputs("\033[0m", f);
}

void cli_print_diagnosis(FILE *f, const lkr_diagnosis *d, uint32_t max_causes)
{
    lkr_symptom_info sym = LKR_SYMPTOM_INFO_INIT;
    lkr_tier_info tier = LKR_TIER_INFO_INIT;
    uint32_t i, bit, any = 0;

    if (lkr_symptom_get(d->symptom, &sym) == LKR_OK) {
        fputs("  symptom     ", f);
        cli_sgr(f, CLI_BOLD);
        fputs(sym.sid, f);
        cli_sgr_reset(f);
        fprintf(f, ": %s\n", sym.title);
    }
    if (lkr_tier_get(d->entry_tier, &tier) == LKR_OK) {
        fprintf(f, "  entry tier  %s: %s\n", tier.sid, tier.title);
    }
    fputs("  triage     ", f);
    for (bit = 1; bit != 0; bit <<= 1) {
        const char *name = (d->triage & bit) ? lkr_triage_name(bit) : NULL;
        if (name) {
            fprintf(f, " %s", name);
            any = 1;
        }
    }
    fputs(any ? "\n" : " none\n", f);
    fputs("  causes\n", f);
    for (i = 0; i < d->cause_count && i < max_causes; i++) {
        lkr_cause_info c = LKR_CAUSE_INFO_INIT;
        if (lkr_cause_get(d->causes[i].cause, &c) != LKR_OK) continue;
        fprintf(f, "    %5.1f %%  %-24s %s\n", 100.0 * d->causes[i].p, c.sid, c.title);
    }
}

uint64_t cli_monotonic_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
