/* fuzz_reasm.c — fuzz target 3: IPv4 fragments (RFC 791 section 3.2,
 * RFC 815) into a stack that has a listener and an established
 * connection. Written against the public behaviour only (datagrams into
 * synack_input_flags), so it exercises the reassembly code when the stack
 * has it and the fragment drop path when it does not.
 *
 * Input:
 *   hdr:u8       bit 0: recompute the TCP checksum of the body (src =
 *                the peer); bit 1: body is ICMP (else TCP); bit 2: pass
 *                SYNACK_IN_CSUM_VALID
 *   blen:u16     body length (mod 4096), then the body: the transport
 *                payload the fragments are cut from
 *   records      ctl:u8 off:u16 flen:u16 — one fragment carrying
 *                body[off*8 .. off*8+flen] (zeros past the body's end)
 *
 * ctl bit 0: MF; bit 1: DF; bits 2-3: pick one of four datagram ids;
 *     bit 4: from a second peer address; bits 5-7: first advance the
 *     clock by k*2 s (k = 7: 61 s, past any reassembly timeout).
 *
 * Checked: what the stack sends is well formed (fuzz_util.c), the stack
 * counts every datagram it is given, and after the clock runs out every
 * connection record and timer is gone; ASan/UBSan/LSan do the rest
 * (reassembly buffers must be freed by timeout or by the stack's free). */
#include <stdint.h>
#include <string.h>

#include "fuzz_util.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BODY_MAX 4096
#define OTHER_PEER 0xC6120003u      /* 198.18.0.3 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = { data, size, 0 };
    unsigned hdr = fz_u8(&in);
    size_t blen = fz_u16(&in) % BODY_MAX, got;
    static uint8_t body[BODY_MAX + 65536];
    memset(body, 0, sizeof(body));
    const uint8_t *bytes = fz_bytes(&in, blen, &got);
    memcpy(body, bytes, got);
    uint8_t proto = (hdr & 2) ? WIRE_PROTO_ICMP : WIRE_PROTO_TCP;
    if ((hdr & 1) && proto == WIRE_PROTO_TCP && blen >= WIRE_TCP_HDR_LEN) {
        wire_put16(body + 16, 0);
        uint32_t sum = wire_csum_pseudo(FZ_PEER_ADDR, FZ_SERVER_ADDR, WIRE_PROTO_TCP,
                                        (uint32_t)blen);
        wire_put16(body + 16, wire_csum_fold(wire_csum_add(sum, body, blen)));
    }

    synack_config cfg;
    fz_config(&cfg, FZ_SERVER_ADDR, 1);
    fz_node n;
    fz_node_init(&n, &cfg);
    int conn;
    uint32_t iss;
    int l = fz_server_fixture(&n, &conn, &iss);
    synack_stats before;
    synack_stats_get(n.s, &before);
    synack_time now = 0;
    uint64_t given = 0;
    static uint8_t pkt[WIRE_IPV4_HDR_LEN + 1500];
    for (int rec = 0; rec < 128 && fz_more(&in); rec++) {
        unsigned ctl = fz_u8(&in);
        uint16_t off = fz_u16(&in) & 0x1fff;
        size_t flen = fz_u16(&in) % (sizeof(pkt) - WIRE_IPV4_HDR_LEN + 1);
        unsigned k = ctl >> 5;
        now += k == 7 ? SYNACK_SEC(61) : (synack_time)k * SYNACK_SEC(2);
        synack_advance(n.s, now);
        uint32_t src = (ctl & 0x10) ? OTHER_PEER : FZ_PEER_ADDR;
        memcpy(pkt + WIRE_IPV4_HDR_LEN, body + (size_t)off * 8, flen);
        wire_ipv4_emit(pkt, src, FZ_SERVER_ADDR, proto, 64, (uint16_t)(0x1200 + ((ctl >> 2) & 3)),
                       flen);
        /* wire_ipv4_emit writes DF and no offset: set the fragment field
         * ourselves and redo the header checksum. */
        uint16_t frag = (uint16_t)(off | ((ctl & 1) ? 0x2000 : 0) | ((ctl & 2) ? 0x4000 : 0));
        wire_put16(pkt + 6, frag);
        wire_put16(pkt + 10, 0);
        wire_put16(pkt + 10, wire_csum_fold(wire_csum_add(0, pkt, WIRE_IPV4_HDR_LEN)));
        int r = synack_input_flags(n.s, pkt, WIRE_IPV4_HDR_LEN + flen, now,
                                   (hdr & 4) ? SYNACK_IN_CSUM_VALID : 0);
        FZ_ASSERT(r == 0 || r == 1);
        given++;
        uint8_t buf[4096];
        while (synack_recv(n.s, conn, buf, sizeof(buf)) > 0) {}
        fz_drain(&n);
    }
    synack_stats after;
    synack_stats_get(n.s, &after);
    FZ_ASSERT(after.ip_in - before.ip_in == given);
    fz_wind_down(&n, l, conn, now);
    fz_node_free(&n);
    return 0;
}
