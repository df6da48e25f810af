/* tcp_syncookie.c — SYN cookies (RFC 4987 section 3.6): when a listener's
 * half-open entries are full, answer a SYN with a SYN-ACK whose ISN
 * encodes the connection, keep no state, and rebuild the connection from
 * the client's ACK if the cookie in it checks out.
 *
 * ISN layout (32 bits): top 5 bits a 64-second counter mod 32, 3 bits an
 * index into an MSS table, 24 bits SipHash of the 4-tuple, the client's
 * ISN and the counter under a secret key. When the client offered
 * timestamps, the low 5 bits of our TSval carry its window-scale shift
 * (4 bits, 15 = none) and SACK-permitted (1 bit); the ACK echoes them in
 * TSecr. Without timestamps, window scaling and SACK are not offered. */
#include "stack_impl.h"

#include <string.h>

#include "base/seq.h"
#include "base/siphash.h"

static const uint16_t mss_table[8] = { 536, 1200, 1300, 1360, 1400, 1440, 1452, 1460 };

#define COOKIE_PERIOD SYNACK_SEC(64)

static uint32_t cookie_hash(const synack_stack *s, const synack_segment *seg, uint32_t client_isn,
                            uint32_t count)
{
    uint8_t m[24];
    memcpy(m, &seg->saddr, 4);
    memcpy(m + 4, &seg->daddr, 4);
    memcpy(m + 8, &seg->sport, 2);
    memcpy(m + 10, &seg->dport, 2);
    memcpy(m + 12, &client_isn, 4);
    memcpy(m + 16, &count, 4);
    memset(m + 20, 0x5c, 4);    /* domain separation from ISN hashing */
    return (uint32_t)siphash24(s->cookie_secret, m, sizeof(m)) & 0xFFFFFFu;
}

uint32_t syncookie_isn(const synack_stack *s, const synack_segment *syn, uint16_t peer_mss,
                       uint16_t *mss_out)
{
    int idx = 0;
    for (int i = 7; i >= 0; i--) {
        if (mss_table[i] <= peer_mss) {
            idx = i;
            break;
        }
    }
    *mss_out = mss_table[idx];
    uint32_t count = (uint32_t)(s->now / COOKIE_PERIOD) & 31u;
    return count << 27 | (uint32_t)idx << 24 | cookie_hash(s, syn, syn->seq, count);
}

int syncookie_check(const synack_stack *s, const synack_segment *ack, uint16_t *mss_out)
{
    uint32_t isn = ack->ack - 1;
    uint32_t count = isn >> 27;
    uint32_t now_count = (uint32_t)(s->now / COOKIE_PERIOD) & 31u;
    /* Valid for the current and the previous period: 64 to 128 s. */
    if (((now_count - count) & 31u) > 1)
        return 0;
    if ((isn & 0xFFFFFFu) != cookie_hash(s, ack, ack->seq - 1, count))
        return 0;
    *mss_out = mss_table[(isn >> 24) & 7u];
    return 1;
}

uint8_t syncookie_opt_bits(const synack_segment *syn)
{
    uint8_t ws = syn->opts.has_wscale ? (syn->opts.wscale > 14 ? 14 : syn->opts.wscale) : 15;
    return (uint8_t)(ws | (syn->opts.sack_permitted ? 16 : 0));
}
