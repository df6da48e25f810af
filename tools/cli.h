/* cli.h — option parsing shared by the subcommands: "--name value" and
 * "--name=value" forms, the --color and --lang choices, and the one-line
 * error + usage + exit status 2 for bad invocations. */
#ifndef SYNACK_CLI_H
#define SYNACK_CLI_H

#include <stdio.h>

#include "commands.h"
#include "explain.h"

#define CLI_USAGE_EXIT 2

/* Prints "synack <cmd>: <message>" and the command's usage on stderr;
 * returns CLI_USAGE_EXIT. */
int cli_usage_error(const synack_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* If argv[*i] is option `name` ("--svg"), sets *value from "--svg=F" or
 * from the next argument (advancing *i) and returns 1; returns 0 if it is
 * another argument, -1 if the value is missing. */
int cli_value_opt(int argc, char **argv, int *i, const char *name, const char **value);

/* --color WHEN: "auto" (colour if f is a terminal), "always", "never".
 * Returns 0 and sets *on, or -1 for an unknown WHEN. */
int cli_color(const char *when, FILE *f, int *on);

#endif
