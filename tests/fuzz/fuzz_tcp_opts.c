/* fuzz_tcp_opts.c — fuzz target 2: TCP option parsing and the parse/emit
 * round trip (src/wire/tcp_opts.c, wire.h).
 *
 * Input: mode:u8, then bytes. Mode bit 0 clear: the bytes are an option
 * list; set: they are a whole TCP segment (header, options, payload),
 * decoded without the checksum check.
 *
 * Invariants (RFC 9293 3.2, RFC 7323, RFC 2018 as wire.h states them):
 *   - a failed parse leaves the struct all zero;
 *   - a parsed list has nsack <= 4, wscale <= 14, flags 0 or 1;
 *   - emitting it takes wire_tcp_opts_len bytes, a multiple of 4, <= 40;
 *   - parsing the emitted bytes gives the same options, except SACK
 *     blocks that did not fit, which are dropped from the end;
 *   - emitting that again gives the same bytes (the layout is canonical);
 *   - a whole segment that decodes has its options equal to a parse of
 *     its option area and its payload inside the input, ending with it;
 *     re-emitted with the same fields it decodes to the same segment. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "wire/tcp_opts.h"
#include "wire/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_opts_sane(const synack_tcp_opts *o)
{
    FZ_ASSERT(o->has_mss <= 1 && o->has_wscale <= 1 && o->sack_permitted <= 1 && o->has_ts <= 1);
    FZ_ASSERT(o->nsack <= 4);
    FZ_ASSERT(!o->has_wscale || o->wscale <= 14);
    FZ_ASSERT(o->has_mss || o->mss == 0);
    FZ_ASSERT(o->has_ts || (o->tsval == 0 && o->tsecr == 0));
}

static int is_zero(const synack_tcp_opts *o)
{
    static const synack_tcp_opts zero;
    return memcmp(o, &zero, sizeof(zero)) == 0;
}

/* a and b equal except that b may keep only a prefix of a's SACK blocks. */
static void check_same_but_sack_prefix(const synack_tcp_opts *a, const synack_tcp_opts *b)
{
    FZ_ASSERT(a->has_mss == b->has_mss && a->mss == b->mss);
    FZ_ASSERT(a->has_wscale == b->has_wscale && a->wscale == b->wscale);
    FZ_ASSERT(a->sack_permitted == b->sack_permitted);
    FZ_ASSERT(a->has_ts == b->has_ts && a->tsval == b->tsval && a->tsecr == b->tsecr);
    FZ_ASSERT(b->nsack <= a->nsack);
    for (int i = 0; i < b->nsack; i++)
        FZ_ASSERT(a->sack[i][0] == b->sack[i][0] && a->sack[i][1] == b->sack[i][1]);
}

static void round_trip(const synack_tcp_opts *o)
{
    uint8_t buf[WIRE_TCP_MAX_OPTS], again[WIRE_TCP_MAX_OPTS];
    size_t want = wire_tcp_opts_len(o);
    FZ_ASSERT(want % 4 == 0 && want <= WIRE_TCP_MAX_OPTS);
    size_t n = wire_tcp_opts_emit(buf, o);
    FZ_ASSERT(n == want);
    synack_tcp_opts back;
    FZ_ASSERT(wire_tcp_opts_parse(buf, n, &back) == 0);
    check_opts_sane(&back);
    check_same_but_sack_prefix(o, &back);
    /* Only blocks that could not fit may be missing. */
    if (back.nsack < o->nsack)
        FZ_ASSERT(n + 8 > WIRE_TCP_MAX_OPTS);
    FZ_ASSERT(wire_tcp_opts_emit(again, &back) == n);
    FZ_ASSERT(memcmp(buf, again, n) == 0);
}

static void option_list(const uint8_t *p, size_t len)
{
    /* A heap copy of exactly len bytes: ASan sees any read past the end. */
    uint8_t *copy = malloc(len ? len : 1);
    FZ_ASSERT(copy != NULL);
    memcpy(copy, p, len);
    synack_tcp_opts o;
    memset(&o, 0xa5, sizeof(o));
    if (wire_tcp_opts_parse(copy, len, &o) != 0) {
        FZ_ASSERT(is_zero(&o));
    } else {
        check_opts_sane(&o);
        round_trip(&o);
    }
    free(copy);
}

static void whole_segment(const uint8_t *p, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    FZ_ASSERT(copy != NULL);
    memcpy(copy, p, len);
    synack_segment seg;
    const uint8_t *payload = NULL;
    synack_drop why;
    if (wire_tcp_decode(copy, len, FZ_PEER_ADDR, FZ_SERVER_ADDR, &seg, &payload, &why, 0) == 0) {
        size_t hl = (size_t)(copy[12] >> 4) * 4;
        FZ_ASSERT(hl >= WIRE_TCP_HDR_LEN && hl <= len);
        FZ_ASSERT(payload == copy + hl && seg.len == len - hl);
        synack_tcp_opts o;
        FZ_ASSERT(wire_tcp_opts_parse(copy + WIRE_TCP_HDR_LEN, hl - WIRE_TCP_HDR_LEN, &o) == 0);
        check_same_but_sack_prefix(&o, &seg.opts);
        FZ_ASSERT(o.nsack == seg.opts.nsack);
        check_opts_sane(&seg.opts);
        FZ_ASSERT(seg.sport == wire_get16(copy) && seg.dport == wire_get16(copy + 2));
        FZ_ASSERT(seg.seq == wire_get32(copy + 4) && seg.ack == wire_get32(copy + 8));
        FZ_ASSERT(seg.flags == copy[13] && seg.wnd == wire_get16(copy + 14));
        round_trip(&seg.opts);
        /* Re-emit the decoded segment and decode it again, with the
         * checksum checked this time: a fixed point. */
        size_t eh = wire_tcp_hdr_len(&seg);
        uint8_t *out = malloc(eh + seg.len);
        FZ_ASSERT(out != NULL);
        memcpy(out + eh, payload, seg.len);
        FZ_ASSERT(wire_tcp_emit(out, &seg) == eh);
        synack_segment seg2;
        const uint8_t *payload2;
        FZ_ASSERT(wire_tcp_parse(out, eh + seg.len, FZ_PEER_ADDR, FZ_SERVER_ADDR, &seg2,
                                 &payload2, &why) == 0);
        FZ_ASSERT(seg2.len == seg.len && payload2 == out + eh);
        FZ_ASSERT(memcmp(payload2, payload, seg.len) == 0);
        check_same_but_sack_prefix(&seg.opts, &seg2.opts);
        FZ_ASSERT(seg2.saddr == seg.saddr && seg2.daddr == seg.daddr);
        FZ_ASSERT(seg2.sport == seg.sport && seg2.dport == seg.dport);
        FZ_ASSERT(seg2.seq == seg.seq && seg2.ack == seg.ack && seg2.flags == seg.flags);
        FZ_ASSERT(seg2.wnd == seg.wnd && seg2.urg == seg.urg);
        free(out);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        whole_segment(data + 1, size - 1);
    else
        option_list(data + 1, size - 1);
    return 0;
}
