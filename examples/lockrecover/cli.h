/*
 * lockrecover: the command-line tool. Shared declarations of the commands
 * and of util.c (option parsing, name lookups, JSON strings, colour).
 *
 * Include this header first in every file of the tool: it asks for POSIX
 * (clock_gettime, isatty, fileno, nanosleep, fsync) before any system header.
 */
#ifndef LOCKRECOVER_CLI_H
#define LOCKRECOVER_CLI_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <lockrecover/lockrecover.h>

/* Exit codes (documented in docs/lockrecover.1 and docs/CLI.md). */
#define CLI_EXIT_OK 0      /* recovered, or success for the other commands */
#define CLI_EXIT_SUPPORT 1 /* not recovered: needs support (or aborted) */
#define CLI_EXIT_USAGE 2   /* bad command line */
#define CLI_EXIT_ERROR 3   /* anything else: I/O, corrupt state, ran out of answers */

/* ---- option parsing ------------------------------------------------------ */

/* One option a command accepts: "--name" with or without a value. */
typedef struct cli_opt {
    const char *name;  /* without the leading "--" */
    int has_value;     /* 1: "--name VALUE" or "--name=VALUE" */
} cli_opt;

/* The parser's state over argv[1..argc-1] (argv[0] is the command's name). */
typedef struct cli_parser {
    int argc;
    char **argv;
    int i;
    const char *cmd;
    const cli_opt *opts;
    size_t nopts;
} cli_parser;

#define CLI_OPT_END (-1)   /* no more options */
#define CLI_OPT_HELP (-2)  /* -h or --help */
#define CLI_OPT_ERROR (-3) /* a message is on stderr: exit 2 */

void cli_parser_init(cli_parser *p, int argc, char **argv, const cli_opt *opts, size_t nopts);
/* The index in opts of the next option (its value in *value), or CLI_OPT_*. */
int cli_next(cli_parser *p, const char **value);

/* ---- values and names ---------------------------------------------------- */

/* A (name, value) pair of an enumerated option. */
typedef struct cli_name {
    const char *name;
    int value;
} cli_name;

extern const cli_name cli_tri_names[];    /* yes, no, unknown */
extern const size_t cli_tri_count;

/* Each returns 0, or CLI_EXIT_USAGE after printing what is valid to stderr. */
int cli_parse_enum(const char *cmd, const char *opt, const cli_name *names, size_t n,
                   const char *text, int *out);
int cli_parse_int(const char *cmd, const char *opt, const char *text, long min, long max,
                  long *out);
int cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out);
/* Strict decimal: digits only, no sign, space or leading zero, at most max.
 * 0 with *out set, or -1 (nothing printed). */
int cli_parse_decimal(const char *text, uint64_t max, uint64_t *out);
int cli_parse_protocol(const char *cmd, const char *text, uint32_t *out);
int cli_parse_ecosystem(const char *cmd, const char *text, uint32_t *out);
int cli_parse_chemistry(const char *cmd, const char *text, uint32_t *out);
int cli_parse_cause(const char *cmd, const char *text, uint32_t *out);
int cli_copy_text(const char *cmd, const char *opt, const char *text, char *dst, size_t cap);

/* Catalog names; never NULL ("?" for an unknown id). */
const char *cli_tier_sid(uint32_t tier);
const char *cli_step_sid(uint32_t step);
const char *cli_cause_sid(uint32_t cause);
const char *cli_guard_sid(uint32_t guard);
const char *cli_outcome_name(uint32_t outcome);
const char *cli_protocol_name(uint32_t protocol);

/* Usage error: "lockrecover CMD: MESSAGE" on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *message, const char *detail);
/* Other error: "lockrecover CMD: MESSAGE: DETAIL" on stderr; returns CLI_EXIT_ERROR. */
int cli_error(const char *cmd, const char *message, const char *detail);

/* ---- output -------------------------------------------------------------- */

/* Writes s as a JSON string, quotes included. */
void cli_json_str(FILE *f, const char *s);
/* Writes milliseconds as JSON seconds: "12" or "12.345". */
void cli_json_seconds(FILE *f, uint64_t ms);

/* Colour: only when f is a terminal and NO_COLOR is not set. */
#define CLI_BOLD "1"
#define CLI_RED "31"
#define CLI_GREEN "32"
#define CLI_YELLOW "33"
#define CLI_CYAN "36"
int cli_color_enabled(FILE *f);
void cli_sgr(FILE *f, const char *code); /* starts a style (or nothing) */
void cli_sgr_reset(FILE *f);             /* ends it (or nothing) */

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t cli_monotonic_ms(void);

/* ---- the state file (state.c) --------------------------------------------- */

/* The numbers the state file keeps besides the session (cmd_diagnose.c
 * gives them their meaning). Append only: the count is in the file. */
enum cli_sv {
    CLI_SV_PROMPT,       /* the prompt on screen (DX_P_*), 0 for none */
    CLI_SV_ARG,          /* the step, guard or question it concerns */
    CLI_SV_STAGE,        /* the part of that prompt */
    CLI_SV_OPENED,       /* opening questions answered (bit per DX_O_*) */
    CLI_SV_PROTOCOL,     /* answers to the opening questions */
    CLI_SV_CHANGES,
    CLI_SV_APP_SEEN,
    CLI_SV_APPS,
    CLI_SV_BATTERY,
    CLI_SV_BRIDGE,
    CLI_SV_OTHER_PHONE,
    CLI_SV_AFTER,        /* checks after an update that came back (bit per check) */
    CLI_SV_CODES_AFTER,  /* the codes after it: an lkr_code_state */
    CLI_SV_CANNOT,       /* steps the person could not do, even by the other route */
    CLI_SV_SHOWN,        /* symptom and cause last shown (symptom << 8 | cause) */
    CLI_SV_KEYPAD,       /* the keypad at the door (dx_open.c) */
    CLI_SV_HUB,          /* the hub is online: tri-state */
    CLI_SV_OTHER_WIFI,   /* other Wi-Fi devices work: tri-state */
    CLI_SV_UPDATE,       /* the lock's update: an lkr_update_state + 1, 0 if not asked */
    CLI_SV_STALLED,      /* minutes its progress stood still + 1, 0 if not known */
    CLI_SV_COUNT
};
enum cli_st { CLI_ST_FW_BEFORE, CLI_ST_FW_TARGET, CLI_ST_MODEL, CLI_ST_SERIAL, CLI_ST_ERROR,
              CLI_ST_FW_AFTER, CLI_ST_SPARE, CLI_ST_COUNT };
#define CLI_TEXT_MAX 48

typedef struct cli_state {
    uint32_t v[CLI_SV_COUNT];
    uint64_t clock_ms;                 /* the session clock when saved */
    char text[CLI_ST_COUNT][CLI_TEXT_MAX];
    size_t blob_len;                   /* 0: no session yet */
    unsigned char blob[LKR_SESSION_BLOB_MAX];
    int legacy;                        /* read from a bare session blob */
} cli_state;

void cli_state_init(cli_state *st);
/* Reads path; 0, or CLI_EXIT_ERROR after a message on stderr (a link, FIFO,
 * device, oversized, empty, zero-filled or damaged file). *missing is set to
 * 1 (nothing printed) when it does not exist and missing is not NULL. */
int cli_state_read(const char *cmd, const char *path, cli_state *st, int *missing);
/* Writes path safely (see state.c); 0 or CLI_EXIT_ERROR after a message. */
int cli_state_write(const char *cmd, const char *path, const cli_state *st);

/* Reads a saved session from path into a new session on transport t.
 * Returns 0, or CLI_EXIT_ERROR after a message on stderr (also when only
 * the opening questions were answered and no session exists yet); *missing
 * as for cli_state_read(). st (may be NULL) receives the whole state file. */
int cli_load_state(const char *cmd, const char *path, const lkr_transport *t,
                   lkr_session **out, int *missing, cli_state *st);

/* Prints the session's support report (text or JSON) to stdout; 0 or
 * CLI_EXIT_ERROR. With the diagnose state st (or NULL), a text line the
 * library leaves "unknown" for something the wizard asked says what the
 * person answered instead. */
int cli_print_report(const char *cmd, const lkr_session *s, int json, const cli_state *st);

/* Prints the diagnosis of d in text (classify, simulate). */
void cli_print_diagnosis(FILE *f, const lkr_diagnosis *d, uint32_t max_causes);

/* ---- commands ------------------------------------------------------------ */

int cmd_diagnose(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_steps(int argc, char **argv);
int cmd_causes(int argc, char **argv);

extern const char cli_help_diagnose[];
extern const char cli_help_classify[];
extern const char cli_help_simulate[];
extern const char cli_help_report[];
extern const char cli_help_steps[];
extern const char cli_help_causes[];

/* The help of command name (NULL if there is no such command). */
const char *cli_command_help(const char *name);

#endif /* LOCKRECOVER_CLI_H */
