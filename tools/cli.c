/* cli.c — shared option parsing for the synack subcommands (cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_usage_error(const synack_command *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "synack %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cmd->usage(stderr);
    return CLI_USAGE_EXIT;
}

int cli_value_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *value = argv[++*i];
    return 1;
}

int cli_color(const char *when, FILE *f, int *on)
{
    if (strcmp(when, "always") == 0)
        *on = 1;
    else if (strcmp(when, "never") == 0)
        *on = 0;
    else if (strcmp(when, "auto") == 0) {
        /* NO_COLOR (no-color.org) and TERM=dumb turn "auto" off. */
        const char *term = getenv("TERM");
        *on = isatty(fileno(f)) && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0);
    }
    else
        return -1;
    return 0;
}
