/* main.c — `synack <command> [options]`: finds the command in the table
 * and runs it. Adding a command means one cmd_<name>.c file and one line
 * in `commands` below. Exit status: the command's, or 2 for an unknown
 * command. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static const synack_command *const commands[] = {
#ifdef SYNACK_LADDER_DEMO
    &cmd_demo,
#endif
    &cmd_trace,
    &cmd_serve,
    &cmd_connect,
    &cmd_try,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fputs("usage: synack <command> [options]\n\ncommands:\n", out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-8s %s\n", commands[i]->name, commands[i]->summary);
    fputs("  help     show this list, or `synack help <command>`\n\n"
          "Run `synack <command> --help` for a command's options.\n", out);
}

static const synack_command *find(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("synack: no command given\n", stderr);
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        if (argc > 2) {
            const synack_command *c = find(argv[2]);
            if (!c) {
                fprintf(stderr, "synack: unknown command '%s'\n", argv[2]);
                usage(stderr);
                return 2;
            }
            c->usage(stdout);
            return 0;
        }
        usage(stdout);
        return 0;
    }
    const synack_command *c = find(name);
    if (!c) {
        fprintf(stderr, "synack: unknown command '%s'\n", name);
        usage(stderr);
        return 2;
    }
    return c->run(argc - 1, argv + 1);
}
