/* test_tcp_opts_fast.c — the option parser's fast paths (the exact
 * timestamps-only and SYN layouts recognised by their bytes) against the
 * general option walk: for every input both must return the same verdict
 * and the same decoded struct, byte for byte. Inputs: the two templates
 * with random values, every single-byte mutation of each template, every
 * truncation and extension of them, and random option lists (well formed
 * and not) of every length 0..40. */
#include "check.h"

#include "base/rng.h"
#include "wire/tcp_opts.h"
#include "wire/wire.h"

/* The stack's own generator with a fixed seed: the same inputs on every
 * run, so a failure reproduces. */
static synack_rng rng;
static uint64_t next_rand(void)
{
    if (!rng.s[0] && !rng.s[1])
        rng_seed(&rng, 0x9e3779b97f4a7c15ull);
    return rng_next(&rng);
}

/* Both parsers on the same bytes; the output structs start from different
 * garbage so a field one of them forgets to clear shows up. */
static void same(const uint8_t *opts, size_t len)
{
    synack_tcp_opts a, b;
    memset(&a, 0xa5, sizeof a);
    memset(&b, 0x5a, sizeof b);
    int ra = wire_tcp_opts_parse(opts, len, &a);
    int rb = wire_tcp_opts_parse_general(opts, len, &b);
    CHECK_EQ(ra, rb);
    CHECK_MEM(&a, &b, sizeof a);
}

static const uint8_t ts_only[12] = {
    0x01, 0x01, 0x08, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
};
static const uint8_t syn_layout[20] = {
    0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x01, 0x02,
    0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0x03, 0x03, 0x07,
};

TEST(templates_decode_as_expected)
{
    synack_tcp_opts o;
    CHECK_EQ(wire_tcp_opts_parse(ts_only, sizeof ts_only, &o), 0);
    CHECK_EQ(o.has_ts, 1);
    CHECK_EQ(o.tsval, 0x11223344u);
    CHECK_EQ(o.tsecr, 0x55667788u);
    CHECK_EQ(o.has_mss + o.has_wscale + o.sack_permitted + o.nsack, 0);

    CHECK_EQ(wire_tcp_opts_parse(syn_layout, sizeof syn_layout, &o), 0);
    CHECK_EQ(o.has_mss, 1);
    CHECK_EQ(o.mss, 1460);
    CHECK_EQ(o.sack_permitted, 1);
    CHECK_EQ(o.has_ts, 1);
    CHECK_EQ(o.tsval, 0x01020304u);
    CHECK_EQ(o.tsecr, 0x05060708u);
    CHECK_EQ(o.has_wscale, 1);
    CHECK_EQ(o.wscale, 7);
    CHECK_EQ(o.nsack, 0);
}

TEST(wscale_above_14_is_clamped_in_fast_path)
{
    uint8_t b[20];
    memcpy(b, syn_layout, sizeof b);
    for (unsigned ws = 0; ws < 256; ws++) {
        b[19] = (uint8_t)ws;
        synack_tcp_opts o;
        CHECK_EQ(wire_tcp_opts_parse(b, sizeof b, &o), 0);
        CHECK_EQ(o.wscale, ws > 14 ? 14u : ws);
        same(b, sizeof b);
    }
}

TEST(templates_with_random_values)
{
    for (int i = 0; i < 2000; i++) {
        uint8_t a[12], b[20];
        memcpy(a, ts_only, sizeof a);
        memcpy(b, syn_layout, sizeof b);
        uint64_t r = next_rand(), q = next_rand();
        memcpy(a + 4, &r, 8);
        memcpy(b + 2, &q, 2);
        memcpy(b + 8, &r, 8);
        b[19] = (uint8_t)(q >> 16);
        same(a, sizeof a);
        same(b, sizeof b);
    }
}

/* Every byte of each template replaced by every value: kinds, lengths
 * and values that the fast path must either decode identically or leave
 * to the general walk (which may reject them). */
static void mutate_all(const uint8_t *tmpl, size_t len)
{
    uint8_t b[40];
    for (size_t pos = 0; pos < len; pos++) {
        for (unsigned v = 0; v < 256; v++) {
            memcpy(b, tmpl, len);
            b[pos] = (uint8_t)v;
            same(b, len);
        }
    }
}

TEST(every_single_byte_mutation)
{
    mutate_all(ts_only, sizeof ts_only);
    mutate_all(syn_layout, sizeof syn_layout);
}

TEST(truncated_and_extended_templates)
{
    uint8_t b[40];
    for (size_t n = 0; n <= 40; n++) {
        memset(b, 0, sizeof b);
        memcpy(b, ts_only, n < sizeof ts_only ? n : sizeof ts_only);
        same(b, n);
        memset(b, 1, sizeof b);     /* NOP padding after the template */
        memcpy(b, ts_only, n < sizeof ts_only ? n : sizeof ts_only);
        same(b, n);
        memset(b, 0, sizeof b);
        memcpy(b, syn_layout, n < sizeof syn_layout ? n : sizeof syn_layout);
        same(b, n);
        memset(b, 1, sizeof b);
        memcpy(b, syn_layout, n < sizeof syn_layout ? n : sizeof syn_layout);
        same(b, n);
    }
}

/* Random lists built from option-like pieces (so the walk gets deep) and
 * plain random bytes, every length up to the 40-byte option space. */
TEST(random_option_lists)
{
    static const uint8_t pieces[][12] = {
        { 1 }, { 0 }, { 2, 4, 5, 0xb4 }, { 3, 3, 7 }, { 4, 2 },
        { 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 }, { 5, 10, 0, 0, 0, 1, 0, 0, 0, 2 },
        { 2, 3, 1 }, { 8, 9 }, { 99, 2 }, { 99, 0 }, { 5, 2 },
    };
    static const uint8_t plen[] = { 1, 1, 4, 3, 2, 10, 10, 3, 2, 2, 2, 2 };
    uint8_t b[40];
    for (int i = 0; i < 100000; i++) {
        size_t n = (size_t)(next_rand() % 41);
        if (i % 3 == 0) {
            for (size_t k = 0; k < n; k++)
                b[k] = (uint8_t)next_rand();
        } else {
            size_t k = 0;
            while (k < n) {
                size_t p = (size_t)(next_rand() % (sizeof plen));
                for (size_t j = 0; j < plen[p] && k < n; j++)
                    b[k++] = pieces[p][j];
            }
        }
        same(b, n);
    }
}

TEST_MAIN()
