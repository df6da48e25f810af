/* cc_cubic.c — CUBIC congestion control (RFC 9438), in integer
 * arithmetic (the core uses no libm): C = 0.4, beta_cubic = 0.7, with
 * fast convergence (4.7) and the Reno-friendly region (4.3).
 *
 * Windows are kept in bytes; the cubic function works in segments and
 * milliseconds: W(t) = C * (t - K)^3 + W_max. */
#include "tcp/tcp_cc.h"

#define BETA_NUM 7          /* beta_cubic = 7/10 */
#define BETA_DEN 10

/* Integer cube root (floor) of x. */
static uint64_t icbrt(uint64_t x)
{
    uint64_t r = 0;
    for (int shift = 63 - 63 % 3; shift >= 0; shift -= 3) {
        r <<= 1;
        uint64_t b = 3 * r * (r + 1) + 1;
        if ((x >> shift) >= b) {
            x -= b << shift;
            r++;
        }
    }
    return r;
}

static uint32_t cubic_loss(synack_stack *s, tcb *t)
{
    (void)s;
    uint32_t cwnd = t->ext->cc.cwnd;
    /* 4.7 fast convergence: a flow whose W_max keeps falling releases
     * bandwidth to newer flows. */
    if (cwnd < t->ext->cc.w_last_max)
        t->ext->cc.w_max = (uint32_t)((uint64_t)cwnd * (BETA_DEN + BETA_NUM) / (2 * BETA_DEN));
    else
        t->ext->cc.w_max = cwnd;
    t->ext->cc.w_last_max = cwnd;
    t->ext->cc.epoch = SYNACK_TIME_NEVER;
    uint32_t ss = (uint32_t)((uint64_t)cwnd * BETA_NUM / BETA_DEN);    /* 4.6 */
    return ss > 2u * t->mss ? ss : 2u * t->mss;
}

static void cubic_avoid(synack_stack *s, tcb *t, uint32_t acked)
{
    uint32_t mss = t->mss;
    if (t->ext->cc.epoch == SYNACK_TIME_NEVER) {
        t->ext->cc.epoch = s->now;
        t->ext->cc.w_est = t->ext->cc.cwnd;
        if (t->ext->after_rto) {
            /* 4.8: the first avoidance epoch after a timeout grows from
             * here as if here were the plateau: W_max = cwnd, K = 0. */
            t->ext->after_rto = 0;
            t->ext->cc.w_max = t->ext->cc.cwnd;
        }
        if (t->ext->cc.cwnd < t->ext->cc.w_max) {
            /* K = cbrt((W_max - cwnd) / C), segments and seconds; in ms:
             * K_ms = cbrt((W_max - cwnd)/mss * 2.5e9). */
            uint64_t seg = (uint64_t)(t->ext->cc.w_max - t->ext->cc.cwnd) / mss;
            t->ext->cc.cubic_k_ms = (uint32_t)icbrt(seg * 2500000000ull);
            t->ext->cc.origin = t->ext->cc.w_max;
        } else {
            t->ext->cc.cubic_k_ms = 0;
            t->ext->cc.origin = t->ext->cc.cwnd;
        }
    }
    /* Target one RTT ahead (4.2), from the time since the epoch. */
    uint64_t rtt_ms = t->rtt_valid ? t->srtt / 1000000u : 100u;
    int64_t dt = (int64_t)((s->now - t->ext->cc.epoch) / 1000000u + rtt_ms) - t->ext->cc.cubic_k_ms;
    int64_t adt = dt < 0 ? -dt : dt;
    if (adt > 1000000)
        adt = 1000000;      /* 1000 s: keeps the cube inside 64 bits */
    /* C * dt^3 with C = 0.4 and dt in ms: segments = 4 * dt^3 / 1e10. */
    uint64_t delta_seg = (uint64_t)adt * (uint64_t)adt / 1000u * (uint64_t)adt * 4u / 10000000u;
    uint64_t delta = delta_seg * mss;
    uint64_t target = dt < 0 ? (t->ext->cc.origin > delta ? t->ext->cc.origin - delta : mss)
                             : t->ext->cc.origin + delta;
    uint64_t cwnd = t->ext->cc.cwnd;
    if (target > cwnd + cwnd / 2)
        target = cwnd + cwnd / 2;       /* 4.2: at most 1.5 * cwnd */

    /* 4.3 Reno-friendly estimate: alpha = 3(1-beta)/(1+beta) = 9/17 until
     * W_est reaches the cwnd of the last reduction (w_last_max), then 1,
     * Reno's own rate (a SHOULD). */
    uint64_t alpha17 = t->ext->cc.w_est >= t->ext->cc.w_last_max ? 17u : 9u;
    t->ext->cc.w_est += (uint32_t)((uint64_t)acked * mss * alpha17 / 17u / (cwnd ? cwnd : 1));

    if (t->ext->cc.w_est > target) {
        t->ext->cc.cwnd = t->ext->cc.w_est;
    } else if (target > cwnd) {
        /* 4.4/4.5: grow by (target - cwnd) / cwnd per acknowledged MSS. */
        t->ext->cc.bytes_acked += (uint32_t)((target - cwnd) * acked / cwnd);
        if (t->ext->cc.bytes_acked >= mss) {
            t->ext->cc.cwnd += t->ext->cc.bytes_acked / mss * mss;
            t->ext->cc.bytes_acked %= mss;
        }
    }
}

const cc_ops cc_cubic = { "cubic", cubic_avoid, cubic_loss };
