/* test_dp_transfer_loss.c — bulk transfers over simulated links that lose
 * 1 %, 5 % and 10 % of the packets in each direction (data and ACKs), 1
 * ms each way, default configuration (CUBIC, SACK, timestamps, window
 * scaling): every byte arrives once, in order, hashes equal, no reset or
 * timeout (driver: test_dp_transfer.h), and the goodput in virtual time
 * reaches a floor. Measured at 32 MiB / 100 MiB (Mbit/s): 1 % 94.2 / 91.4,
 * 5 % 34.8 / 33.7, 10 % 7.5 / 8.1, 5 % NewReno 15.4 / 16.5 — before the
 * loss-recovery work of 2026-11-26 (lost resends found without an RTO,
 * D-SACK undo, PRR, TLP in FIN-WAIT-1, cwnd validation) 69.2 / 65.7,
 * 17.2 / 16.2, 3.9 / 3.9, 12.5 / 12.8. Floors: 75, 27, 6, 14.
 *
 * Size: 32 MiB per loss rate by default; 100 MiB (issue 5) with
 * SYNACK_LONG_TESTS=1. */
#include "test_dp_transfer.h"

static void lossy(const char *name, double loss, uint64_t seed, int cc, double floor_mbps)
{
    dp_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.name = name;
    sp.seed = seed;
    sim_link_default(&sp.fwd);
    sp.fwd.loss = loss;
    sp.rev = sp.fwd;
    sp.nbytes = dp_size(32ull << 20, 100ull << 20);
    sp.cc = cc;
    dp_result r;
    dp_run(&sp, &r);
    /* The link did lose packets, and they were resent. */
    CHECK(r.net.lost > 0);
    CHECK(r.client.tcp_retransmits > 0);
    dp_check_goodput(&sp, &r, floor_mbps);
}

TEST(loss_1_percent) { lossy("loss 1%", 0.01, 11, SYNACK_CC_CUBIC, 75); }
TEST(loss_5_percent) { lossy("loss 5%", 0.05, 12, SYNACK_CC_CUBIC, 27); }
TEST(loss_10_percent) { lossy("loss 10%", 0.10, 13, SYNACK_CC_CUBIC, 6); }
TEST(loss_5_percent_newreno) { lossy("loss 5% newreno", 0.05, 14, SYNACK_CC_NEWRENO, 14); }

TEST_MAIN()
