/* test_dp_transfer_bottleneck.c — bulk transfers through a 10 Mbit/s
 * bottleneck with a 100 ms round-trip time (50 ms each way, both
 * directions rate-limited, tail-drop queues), default configuration
 * (256 KiB buffers, timestamps: 1448 payload bytes per 1500-byte packet,
 * so 96.5 % of the link is the ceiling), with CUBIC and with NewReno:
 *
 *  - a 100-packet queue: deeper than the window can fill (the receive
 *    window of 256 KiB is 181 packets; the path holds 83 plus the queue),
 *    so no packet is dropped and the flow is window-limited;
 *  - a 20-packet queue (a quarter of the bandwidth-delay product): the
 *    flow overruns it, packets are tail-dropped and congestion control
 *    has to keep the link busy.
 *
 * Every byte arrives once, in order, hashes equal; the goodput
 * (application bytes over the time from connection to the last byte
 * read) is printed against the link rate and must reach a floor set below
 * what was measured. Measured (32 MiB / 100 MiB): deep queue 95.4 / 96.2 %
 * for both modules; 20-packet queue CUBIC 85.5 / 91.7 %, NewReno 80.0 /
 * 82.8 %. Floors: 90 % deep, 80 % CUBIC and 70 % NewReno shallow.
 *
 * Size: 32 MiB by default; 100 MiB (issue 5) with SYNACK_LONG_TESTS=1.
 * Driver: test_dp_transfer.h. */
#include "test_dp_transfer.h"

#define RATE 10000000ull        /* bit/s */

static void bottleneck(const char *name, uint64_t seed, int cc, size_t queue, double floor,
                       int expect_drops)
{
    dp_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.name = name;
    sp.seed = seed;
    sim_link_default(&sp.fwd);
    sp.fwd.delay = SYNACK_MSEC(50);
    sp.fwd.rate_bps = RATE;
    sp.fwd.queue_limit = queue;
    sp.rev = sp.fwd;
    sp.nbytes = dp_size(32ull << 20, 100ull << 20);
    sp.cc = cc;
    dp_result r;
    dp_run(&sp, &r);
    double share = r.goodput_mbps * 1e6 / (double)RATE;
    printf("  %s: goodput %.3f Mbit/s = %.1f %% of the %.0f Mbit/s link\n", name,
           share * (double)RATE / 1e6, 100 * share, (double)RATE / 1e6);
    if (share < floor)
        check_fail(__FILE__, __LINE__, "%s: goodput %.1f %% of the link, below %.0f %%", name,
                   100 * share, 100 * floor);
    if (expect_drops)
        CHECK(r.net.queue_drops > 0);
    else
        CHECK_U64(r.net.queue_drops, 0);
}

TEST(cubic_deep_queue) { bottleneck("bottleneck q100 cubic", 31, SYNACK_CC_CUBIC, 100, 0.90, 0); }
TEST(newreno_deep_queue)
{
    bottleneck("bottleneck q100 newreno", 32, SYNACK_CC_NEWRENO, 100, 0.90, 0);
}
TEST(cubic_shallow_queue) { bottleneck("bottleneck q20 cubic", 33, SYNACK_CC_CUBIC, 20, 0.80, 1); }
TEST(newreno_shallow_queue)
{
    bottleneck("bottleneck q20 newreno", 34, SYNACK_CC_NEWRENO, 20, 0.70, 1);
}

TEST_MAIN()
