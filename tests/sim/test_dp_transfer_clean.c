/* test_dp_transfer_clean.c — bulk transfer over a clean simulated link
 * (1 ms each way, no rate limit, no faults), default configuration
 * (CUBIC, window scaling, timestamps, SACK, 256 KiB buffers): every byte
 * arrives once, in order, with matching hashes (driver:
 * test_dp_transfer.h).
 *
 * Size: 128 MiB by default; 1 GiB (issue 5) with SYNACK_LONG_TESTS=1. */
#include "test_dp_transfer.h"

TEST(clean_link_bulk)
{
    dp_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.name = "clean";
    sp.seed = 1;
    sim_link_default(&sp.fwd);
    sim_link_default(&sp.rev);
    sp.nbytes = dp_size(128ull << 20, 1ull << 30);
    sp.cc = SYNACK_CC_CUBIC;
    dp_result r;
    dp_run(&sp, &r);
    /* Nothing is lost on this link: nothing may be resent. */
    CHECK_U64(r.net.lost, 0);
    CHECK_U64(r.client.tcp_retransmits, 0);
}

TEST_MAIN()
