/* commands.h — the subcommands of the synack command. Each lives in its
 * own cmd_<name>.c and is listed once in main.c's table. */
#ifndef SYNACK_COMMANDS_H
#define SYNACK_COMMANDS_H

#include <stdio.h>

typedef struct synack_command {
    const char *name;
    const char *summary;                 /* one line for `synack help` */
    int (*run)(int argc, char **argv);   /* argv[0] is the command name;
                                            returns the exit status */
    void (*usage)(FILE *out);            /* the command's --help text */
} synack_command;

extern const synack_command cmd_demo;
extern const synack_command cmd_trace;
extern const synack_command cmd_serve;
extern const synack_command cmd_connect;
extern const synack_command cmd_try;

#endif
