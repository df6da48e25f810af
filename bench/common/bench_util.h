/* bench_util.h — what every benchmark harness shares: the clock (real
 * monotonic time plus the idle time a harness chose to skip), result
 * lines, option parsing, percentiles and the stream pattern used to check
 * that bulk data arrives intact.
 *
 * Every harness prints its results as lines "key value unit" on stdout;
 * bench/report turns the lines of all harnesses into one table. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t bench_mono_ns(void);

/* The harness clock: monotonic time plus a skip offset. When both ends
 * are idle (nothing on the link, nothing the application can do) a
 * harness jumps the clock to the next timer deadline instead of sleeping,
 * so a 200 ms retransmission timeout costs no real time. Elapsed times
 * reported by harnesses are real (monotonic) time, never skipped time. */
typedef struct bench_clock {
    uint64_t skipped;       /* ns added by bench_clock_skip_to */
} bench_clock;

uint64_t bench_clock_now(const bench_clock *c);
/* Moves the clock forward to t (no effect if t is not in the future). */
void bench_clock_skip_to(bench_clock *c, uint64_t t);

/* One result line: "key value unit". */
void bench_result(const char *key, double value, const char *unit);

/* Value of "--name=V" or "--name V" in argv as an unsigned number, or dflt. */
uint64_t bench_arg_u64(int argc, char **argv, const char *name, uint64_t dflt);
/* Whether "--name" is present. */
int bench_arg_flag(int argc, char **argv, const char *name);

/* Sorts v (n values) and returns the q-quantile (0..1), nearest rank. */
uint64_t bench_quantile(uint64_t *v, size_t n, double q);

/* The bulk stream: byte at stream offset o is bench_pattern_byte(o). The
 * period is prime so a lost, duplicated or reordered segment of any
 * MSS-sized length cannot line up with the pattern again. */
#define BENCH_PATTERN_PERIOD 65521u
uint8_t bench_pattern_byte(uint64_t off);
/* Fills buf with 2 * BENCH_PATTERN_PERIOD bytes of the pattern from
 * offset 0, so any window of up to one period starting at off % period is
 * contiguous: buf + off % period. */
void bench_pattern_fill(uint8_t *buf);
/* 1 if n received bytes at stream offset off match the pattern. */
int bench_pattern_check(const uint8_t *buf, const uint8_t *data, uint64_t off, size_t n);

/* Exits with a message on stderr: a harness that cannot do what it
 * measures must not print a figure. */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
