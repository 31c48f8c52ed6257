/*
 * lockrecover: get a smart lock back after it went silent or offline.
 * The command dispatcher; each command lives in its own cmd_*.c file.
 */
#include "cli.h"

#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
    const char *summary;
} command;

static const command commands[] = {
    { "diagnose", cmd_diagnose, cli_help_diagnose, "walk a real lock back, one step at a time" },
    { "classify", cmd_classify, cli_help_classify, "one diagnosis of what is observed" },
    { "simulate", cmd_simulate, cli_help_simulate, "a whole recovery of a simulated faulty lock" },
    { "report", cmd_report, cli_help_report, "the support report of a saved diagnose session" },
    { "steps", cmd_steps, cli_help_steps, "the catalog's recovery steps" },
    { "causes", cmd_causes, cli_help_causes, "the catalog's root causes" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void general_help(FILE *f)
{
    size_t k;
    fputs("Usage: lockrecover COMMAND [OPTIONS]\n"
          "       lockrecover help COMMAND | --help | --version\n"
          "\n"
          "Recover a smart lock that went silent or offline (often after a firmware\n"
          "update) without losing its access codes.\n"
          "\n"
          "Commands:\n", f);
    for (k = 0; k < N_COMMANDS; k++) {
        fprintf(f, "  %-10s %s\n", commands[k].name, commands[k].summary);
    }
    fputs("\n"
          "Exit status: 0 recovered (or success), 1 needs support, 2 usage error,\n"
          "3 other error. Colour only on a terminal, never with NO_COLOR set.\n"
          "See lockrecover(1).\n", f);
}

const char *cli_command_help(const char *name)
{
    size_t k;
    for (k = 0; k < N_COMMANDS; k++) {
        if (strcmp(commands[k].name, name) == 0) return commands[k].help;
    }
    return NULL;
}

static int unknown_command(const char *name)
{
    size_t k;
    fprintf(stderr, "lockrecover: unknown command '%s'\nvalid commands:", name);
    for (k = 0; k < N_COMMANDS; k++) fprintf(stderr, " %s", commands[k].name);
    fputs("\nTry 'lockrecover --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    const char *name;
    size_t k;

    if (argc < 2) {
        general_help(stderr);
        return CLI_EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        general_help(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("lockrecover %s\n", lkr_version_string());
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "help") == 0) {
        const char *help;
        if (argc < 3) {
            general_help(stdout);
            return CLI_EXIT_OK;
        }
        help = cli_command_help(argv[2]);
        if (help == NULL) return unknown_command(argv[2]);
        fputs(help, stdout);
        return CLI_EXIT_OK;
    }
    for (k = 0; k < N_COMMANDS; k++) {
        if (strcmp(commands[k].name, name) == 0) {
            int rc = commands[k].run(argc - 1, argv + 1);
            /* Whatever the command's verdict, output that never arrived is
             * an error the person must hear of (a report lost on a full
             * disk or a closed pipe). */
            if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "lockrecover %s: cannot write the output (standard output is "
                                "closed, full or unwritable); a session saved with --state "
                                "FILE is safe: 'lockrecover report --state FILE' prints its "
                                "report again\n", name);
                return CLI_EXIT_ERROR;
            }
            return rc;
        }
    }
    if (name[0] == '-') {
        fprintf(stderr, "lockrecover: unknown option '%s'\n"
                        "valid options: --help --version (or a command: try 'lockrecover --help')\n",
                name);
        return CLI_EXIT_USAGE;
    }
    return unknown_command(name);
}
