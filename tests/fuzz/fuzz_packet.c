/* fuzz_packet.c — fuzz target 1: raw datagrams into a stack that has a
 * listener and an established connection.
 *
 * Input: a list of records
 *
 *   ctl:u8  len:u16  bytes[len]
 *
 * ctl bit 0: repair the IPv4 header (destination = the stack, total
 *            length = len, header checksum) so the fuzzer reaches TCP;
 *     bit 1: also recompute the TCP checksum;
 *     bit 2: hand it in with SYNACK_IN_CSUM_VALID (checksum not checked);
 *     bit 3: afterwards read everything the connection has received;
 *     bits 4-7: first advance the clock by k*k*10 ms (k = 15: 61 s, past
 *            TIME-WAIT and most retransmission back-offs).
 *
 * Checked: every datagram the stack sends is well formed (fuzz_util.c);
 * after everything is closed and the clock has run far ahead, every
 * connection record has been freed and no timer is left. ASan/UBSan and
 * the leak checker cover the rest. */
#include <stdint.h>
#include <string.h>

#include "fuzz_util.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void repair(uint8_t *p, size_t len, unsigned ctl)
{
    if (len < WIRE_IPV4_HDR_LEN)
        return;
    size_t ihl = (size_t)(p[0] & 0x0f) * 4;
    if ((p[0] >> 4) != 4 || ihl < WIRE_IPV4_HDR_LEN || ihl > len)
        return;
    wire_put32(p + 16, FZ_SERVER_ADDR);
    wire_put16(p + 2, (uint16_t)len);
    wire_put16(p + 10, 0);
    wire_put16(p + 10, wire_csum_fold(wire_csum_add(0, p, ihl)));
    if (!(ctl & 2) || p[9] != WIRE_PROTO_TCP || len - ihl < WIRE_TCP_HDR_LEN)
        return;
    uint8_t *t = p + ihl;
    size_t tl = len - ihl;
    wire_put16(t + 16, 0);
    uint32_t sum = wire_csum_pseudo(wire_get32(p + 12), FZ_SERVER_ADDR, WIRE_PROTO_TCP,
                                    (uint32_t)tl);
    wire_put16(t + 16, wire_csum_fold(wire_csum_add(sum, t, tl)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = { data, size, 0 };
    synack_config cfg;
    fz_config(&cfg, FZ_SERVER_ADDR, 1);
    fz_node n;
    fz_node_init(&n, &cfg);
    int conn;
    uint32_t iss;
    int l = fz_server_fixture(&n, &conn, &iss);
    synack_time now = 0;
    static uint8_t pkt[2048];
    for (int rec = 0; rec < 64 && fz_more(&in); rec++) {
        unsigned ctl = fz_u8(&in);
        size_t want = fz_u16(&in) % sizeof(pkt), got;
        const uint8_t *b = fz_bytes(&in, want, &got);
        memcpy(pkt, b, got);
        unsigned k = ctl >> 4;
        now += k == 15 ? SYNACK_SEC(61) : (synack_time)k * k * SYNACK_MSEC(10);
        synack_advance(n.s, now);
        if (ctl & 1)
            repair(pkt, got, ctl);
        int r = synack_input_flags(n.s, pkt, got, now, (ctl & 4) ? SYNACK_IN_CSUM_VALID : 0);
        FZ_ASSERT(r == 0 || r == 1);
        if (ctl & 8) {
            uint8_t buf[4096];
            while (synack_recv(n.s, conn, buf, sizeof(buf)) > 0) {}
        }
        fz_drain(&n);
    }
    fz_wind_down(&n, l, conn, now);
    fz_node_free(&n);
    return 0;
}
