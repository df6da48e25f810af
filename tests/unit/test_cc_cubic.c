/* test_cc_cubic.c — CUBIC's module (src/tcp/cc_cubic.c) called directly on
 * a bare TCB: the Reno-friendly estimate's alpha (RFC 9438 4.3: 9/17
 * until W_est reaches the cwnd of the last reduction, then 1) and the
 * first epoch after a timeout (4.8: K = 0, W_max = cwnd), with exact
 * integer results. MSS 1000 bytes, SRTT 1 ms. */
#include <string.h>

#include "check.h"
#include "tcp/tcp_cc.h"

typedef struct fixture {
    synack_stack *s;
    tcb t;
    tcb_ext x;
} fixture;

static void no_tx(void *ctx, const uint8_t *pkt, size_t len)
{
    (void)ctx;
    (void)pkt;
    (void)len;
}

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = 0xC6120002u;
    cfg.tx = no_tx;
    CHECK_EQ(synack_stack_new(&cfg, &f->s), 0);
    synack_advance(f->s, SYNACK_SEC(10));
    f->t.mss = 1000;
    f->t.srtt = SYNACK_MSEC(1);
    f->t.rtt_valid = 1;
    f->t.ext = &f->x;
    f->x.cc.epoch = SYNACK_TIME_NEVER;
}

/* In an epoch that starts at cwnd = W_max = 100 segments (the plateau,
 * K = 0), one cwnd of ACKs moves the cubic target by less than the
 * Reno-friendly estimate: cwnd follows W_est. Before W_est reaches the
 * last reduction's cwnd it grows 9/17 segment per cwnd acknowledged;
 * at or above it, one segment (alpha = 1). */
TEST(reno_friendly_alpha_is_one_past_the_prior_cwnd)
{
    fixture f;
    setup(&f);
    f.x.cc.cwnd = f.x.cc.w_max = f.x.cc.ssthresh = 100000;
    f.x.cc.w_last_max = 150000;         /* cwnd before the last reduction */
    cc_cubic.avoid(f.s, &f.t, 100000);
    CHECK_EQ(f.x.cc.cubic_k_ms, 0);
    CHECK_EQ(f.x.cc.w_est, 100000 + 529);      /* 1000 * 9 / 17 */
    CHECK_EQ(f.x.cc.cwnd, 100529);
    synack_stack_free(f.s);

    setup(&f);
    f.x.cc.cwnd = f.x.cc.w_max = f.x.cc.ssthresh = 100000;
    f.x.cc.w_last_max = 100000;         /* W_est is already there */
    cc_cubic.avoid(f.s, &f.t, 100000);
    CHECK_EQ(f.x.cc.w_est, 101000);
    CHECK_EQ(f.x.cc.cwnd, 101000);
    synack_stack_free(f.s);
}

/* After a fast loss, an epoch below W_max starts with K from the
 * distance to it: cbrt((150 - 100) segments / 0.4) s = 5000 ms. After a
 * timeout the first epoch takes W_max = cwnd and K = 0 instead. */
TEST(first_epoch_after_a_timeout_has_k_zero)
{
    fixture f;
    setup(&f);
    f.x.cc.cwnd = f.x.cc.ssthresh = 100000;
    f.x.cc.w_max = f.x.cc.w_last_max = 150000;
    cc_cubic.avoid(f.s, &f.t, 1000);
    CHECK_EQ(f.x.cc.cubic_k_ms, 5000);
    CHECK_EQ(f.x.cc.origin, 150000);
    synack_stack_free(f.s);

    setup(&f);
    f.x.cc.cwnd = f.x.cc.ssthresh = 100000;
    f.x.cc.w_max = f.x.cc.w_last_max = 150000;
    f.x.after_rto = 1;
    cc_cubic.avoid(f.s, &f.t, 1000);
    CHECK_EQ(f.x.cc.cubic_k_ms, 0);
    CHECK_EQ(f.x.cc.w_max, 100000);
    CHECK_EQ(f.x.cc.origin, 100000);
    CHECK_EQ(f.x.after_rto, 0);          /* only the first epoch */
    synack_stack_free(f.s);
}

TEST_MAIN()
