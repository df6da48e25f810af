/* check.h — the tiny test harness every C test uses.
 *
 * A test file defines cases with TEST(name) { ... } and ends with
 * TEST_MAIN(). CHECK* macros record a failure with file:line and the values
 * that differed, then abort the current case (later cases still run).
 * The program exits non-zero if any case failed. */
#ifndef SYNACK_TEST_CHECK_H
#define SYNACK_TEST_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <setjmp.h>

typedef void (*check_fn)(void);
void check_register(const char *name, check_fn fn);
int check_main(int argc, char **argv);
void check_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

#define TEST(name)                                                        \
    static void test_##name(void);                                        \
    __attribute__((constructor)) static void register_##name(void)        \
    { check_register(#name, test_##name); }                               \
    static void test_##name(void)

#define TEST_MAIN() int main(int argc, char **argv) { return check_main(argc, argv); }

#define CHECK(cond) do { if (!(cond)) \
    check_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond); } while (0)

#define CHECK_EQ(a, b) do {                                               \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);       \
    if (check_a_ != check_b_)                                             \
        check_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld",          \
                   #a, #b, check_a_, check_b_); } while (0)

#define CHECK_U64(a, b) do {                                              \
    unsigned long long check_a_ = (unsigned long long)(a),                \
                       check_b_ = (unsigned long long)(b);                \
    if (check_a_ != check_b_)                                             \
        check_fail(__FILE__, __LINE__, "%s == %s: %llu != %llu",          \
                   #a, #b, check_a_, check_b_); } while (0)

#define CHECK_STR(a, b) do {                                              \
    const char *check_a_ = (a), *check_b_ = (b);                          \
    if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0)        \
        check_fail(__FILE__, __LINE__, "%s == %s:\n  got:  \"%s\"\n  want: \"%s\"", \
                   #a, #b, check_a_ ? check_a_ : "(null)",                \
                   check_b_ ? check_b_ : "(null)"); } while (0)

#define CHECK_MEM(a, b, n) do {                                           \
    if (memcmp((a), (b), (n)) != 0)                                       \
        check_fail(__FILE__, __LINE__, "memory %s != %s (%zu bytes)",     \
                   #a, #b, (size_t)(n)); } while (0)

#endif
