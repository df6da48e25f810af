/* replay_main.c — a main() for a fuzz target when libFuzzer is not there
 * (gcc builds): feeds every corpus file to LLVMFuzzerTestOneInput, then a
 * fixed number of mutants derived from them with a seeded generator, so
 * `make test` catches regressions without clang and every run is the
 * same.
 *
 *   fuzz_replay_<target> [-n MUTANTS] [-s SEED] [-k INDEX -o FILE] PATH...
 *
 * PATH is a file or a directory (its regular files, in name order).
 * -k INDEX -o FILE writes mutant INDEX to FILE and runs only it: a
 * failing mutant named in the crash message is reproduced and saved for
 * the corpus that way. */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Provided by the sanitizer runtimes; absent (NULL) otherwise. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

#define REPLAY_MAX_INPUT (1u << 20)
#define REPLAY_MAX_MUTANT 8192

typedef struct input {
    char *name;
    uint8_t *data;
    size_t len;
} input;

static input *inputs;
static size_t ninputs, cap_inputs;

/* What is running now, for the crash message. */
static const char *cur_name = "";
static long cur_mutant = -1;
static uint64_t cur_seed;

static void say_where(void)
{
    char msg[512];
    int n;
    if (cur_mutant >= 0)
        n = snprintf(msg, sizeof(msg),
                     "fuzz replay: crashed on mutant %ld (seed %llu); reproduce with "
                     "-s %llu -k %ld -o FILE and the same paths\n",
                     cur_mutant, (unsigned long long)cur_seed, (unsigned long long)cur_seed,
                     cur_mutant);
    else
        n = snprintf(msg, sizeof(msg), "fuzz replay: crashed on corpus file %s\n", cur_name);
    if (n > 0)
        (void)!write(2, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

static void on_signal(int sig)
{
    say_where();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void add_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    uint8_t *buf = malloc(REPLAY_MAX_INPUT);
    if (!buf)
        exit(2);
    size_t n = fread(buf, 1, REPLAY_MAX_INPUT, f);
    fclose(f);
    uint8_t *fit = realloc(buf, n ? n : 1);
    if (fit)
        buf = fit;
    if (ninputs == cap_inputs) {
        cap_inputs = cap_inputs ? cap_inputs * 2 : 64;
        inputs = realloc(inputs, cap_inputs * sizeof(*inputs));
        if (!inputs)
            exit(2);
    }
    inputs[ninputs].name = strdup(path);
    inputs[ninputs].data = buf;
    inputs[ninputs].len = n;
    ninputs++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        exit(2);
    }
    if (!S_ISDIR(st.st_mode)) {
        add_file(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        exit(2);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof(*names));
            if (!names)
                exit(2);
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            add_file(names[i]);
        free(names[i]);
    }
    free(names);
}

static uint64_t next(uint64_t *x)
{
    /* splitmix64 */
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *x, uint64_t n) { return n ? next(x) % n : 0; }

/* Mutant k: a corpus input (or nothing) with 1..8 edits of the kinds
 * libFuzzer uses: bit flips, byte sets (often to edge values), inserts,
 * erases, copies within the input and splices from another input. */
static size_t mutant(uint64_t seed, long k, uint8_t *out)
{
    uint64_t x = seed ^ ((uint64_t)k * 0xD1342543DE82EF95ull);
    size_t len = 0;
    if (ninputs) {
        const input *in = &inputs[below(&x, ninputs)];
        len = in->len < REPLAY_MAX_MUTANT ? in->len : REPLAY_MAX_MUTANT;
        memcpy(out, in->data, len);
    }
    static const uint8_t edge[] = { 0, 1, 2, 4, 5, 0x0f, 0x10, 0x3f, 0x40, 0x7f, 0x80, 0xfe, 0xff };
    int edits = 1 + (int)below(&x, 8);
    for (int e = 0; e < edits; e++) {
        switch (below(&x, 7)) {
        case 0:
            if (len)
                out[below(&x, len)] ^= (uint8_t)(1u << below(&x, 8));
            break;
        case 1:
            if (len)
                out[below(&x, len)] = edge[below(&x, sizeof(edge))];
            break;
        case 2:
            if (len)
                out[below(&x, len)] = (uint8_t)next(&x);
            break;
        case 3: {               /* insert 1..16 bytes */
            size_t n = 1 + below(&x, 16), at = below(&x, len + 1);
            if (len + n > REPLAY_MAX_MUTANT)
                break;
            memmove(out + at + n, out + at, len - at);
            for (size_t i = 0; i < n; i++)
                out[at + i] = (uint8_t)next(&x);
            len += n;
            break;
        }
        case 4: {               /* erase 1..16 bytes */
            if (!len)
                break;
            size_t at = below(&x, len), n = 1 + below(&x, 16);
            if (n > len - at)
                n = len - at;
            memmove(out + at, out + at + n, len - at - n);
            len -= n;
            break;
        }
        case 5: {               /* copy a chunk within the input */
            if (len < 2)
                break;
            size_t from = below(&x, len), to = below(&x, len);
            size_t n = 1 + below(&x, 32);
            if (n > len - from)
                n = len - from;
            if (n > len - to)
                n = len - to;
            memmove(out + to, out + from, n);
            break;
        }
        default: {              /* splice: the tail of another input */
            if (!ninputs)
                break;
            const input *o = &inputs[below(&x, ninputs)];
            size_t at = below(&x, len + 1), from = below(&x, o->len + 1);
            size_t n = o->len - from;
            if (at + n > REPLAY_MAX_MUTANT)
                n = REPLAY_MAX_MUTANT - at;
            memcpy(out + at, o->data + from, n);
            len = at + n;
            break;
        }
        }
    }
    return len;
}

/* Runs one input from a heap block of exactly its size, as libFuzzer
 * does, so reading past the end is caught. */
static void run_one(const uint8_t *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        exit(2);
    memcpy(copy, data, len);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
}

int main(int argc, char **argv)
{
    long mutants = 0, only = -1;
    uint64_t seed = 1;
    const char *outfile = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "n:s:k:o:")) != -1) {
        switch (opt) {
        case 'n': mutants = strtol(optarg, NULL, 10); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'k': only = strtol(optarg, NULL, 10); break;
        case 'o': outfile = optarg; break;
        default:
            fprintf(stderr, "usage: %s [-n MUTANTS] [-s SEED] [-k INDEX -o FILE] PATH...\n",
                    argv[0]);
            return 2;
        }
    }
    for (int i = optind; i < argc; i++)
        add_path(argv[i]);
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback(say_where);
    signal(SIGABRT, on_signal);
    signal(SIGSEGV, on_signal);
    signal(SIGFPE, on_signal);
    signal(SIGILL, on_signal);
    static uint8_t buf[REPLAY_MAX_MUTANT];
    cur_seed = seed;
    if (only >= 0) {
        size_t len = mutant(seed, only, buf);
        if (outfile) {
            FILE *f = fopen(outfile, "wb");
            if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
                perror(outfile);
                return 2;
            }
        }
        cur_mutant = only;
        run_one(buf, len);
        printf("fuzz replay: mutant %ld (%zu bytes) ok\n", only, len);
        return 0;
    }
    for (size_t i = 0; i < ninputs; i++) {
        cur_name = inputs[i].name;
        run_one(inputs[i].data, inputs[i].len);
    }
    for (long k = 0; k < mutants; k++) {
        cur_mutant = k;
        size_t len = mutant(seed, k, buf);
        run_one(buf, len);
    }
    printf("fuzz replay: %zu corpus inputs and %ld mutants (seed %llu) ran clean\n", ninputs,
           mutants, (unsigned long long)seed);
    for (size_t i = 0; i < ninputs; i++) {
        free(inputs[i].name);
        free(inputs[i].data);
    }
    free(inputs);
    return 0;
}
