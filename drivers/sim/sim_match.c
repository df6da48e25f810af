/* sim_match.c — ready-made packet matchers for sim_drop_nth.
 *
 * They read just enough of the IPv4 and TCP headers to decide, with every
 * access bounds-checked; anything malformed simply does not match. They
 * do not verify checksums: a rule decides which packet to lose, not
 * whether it is valid. */
#include "sim/sim.h"

/* Offset of the TCP header and its length within pkt, or -1 if pkt is not
 * a well-formed, unfragmented IPv4 datagram carrying a full TCP header. */
static long tcp_offset(const uint8_t *pkt, size_t len, size_t *tcp_len)
{
    if (len < 20 || (pkt[0] >> 4) != 4)
        return -1;
    size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
    size_t total = (size_t)pkt[2] << 8 | pkt[3];
    if (ihl < 20 || total < ihl || total > len || pkt[9] != 6)
        return -1;
    if ((pkt[6] & 0x1f) != 0 || pkt[7] != 0 || (pkt[6] & 0x20))
        return -1;                     /* a fragment */
    if (total - ihl < 20)
        return -1;
    *tcp_len = total - ihl;
    return (long)ihl;
}

int sim_match_tcp_flags(void *ctx, const uint8_t *pkt, size_t len)
{
    const sim_tcp_flags *f = ctx;
    size_t tcp_len;
    long off = tcp_offset(pkt, len, &tcp_len);
    if (off < 0)
        return 0;
    uint8_t flags = pkt[off + 13];
    return (flags & f->mask) == f->set;
}

int sim_match_tcp_data(void *ctx, const uint8_t *pkt, size_t len)
{
    (void)ctx;
    size_t tcp_len;
    long off = tcp_offset(pkt, len, &tcp_len);
    if (off < 0)
        return 0;
    size_t doff = (size_t)(pkt[off + 12] >> 4) * 4;
    return doff >= 20 && doff < tcp_len;
}
