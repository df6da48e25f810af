/* check.c — runner for check.h: registration, per-case isolation via
 * longjmp, and the closing "N passed, N failed" line. */
#include "check.h"

#include <stdarg.h>
#include <stdlib.h>

#define CHECK_MAX_CASES 512

static struct { const char *name; check_fn fn; } cases[CHECK_MAX_CASES];
static int ncases;
static jmp_buf case_jmp;

void check_register(const char *name, check_fn fn)
{
    if (ncases == CHECK_MAX_CASES) {
        fprintf(stderr, "check: too many test cases\n");
        exit(2);
    }
    cases[ncases].name = name;
    cases[ncases].fn = fn;
    ncases++;
}

void check_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    longjmp(case_jmp, 1);
}

int check_main(int argc, char **argv)
{
    static int passed, failed;   /* static: they survive longjmp */
    const char *only = argc > 1 ? argv[1] : NULL;
    static int i;               /* static: survives longjmp */
    for (i = 0; i < ncases; i++) {
        if (only && strcmp(only, cases[i].name) != 0)
            continue;
        if (setjmp(case_jmp) == 0) {
            cases[i].fn();
            passed++;
            printf("ok   %s\n", cases[i].name);
        } else {
            failed++;
            printf("FAIL %s\n", cases[i].name);
        }
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
