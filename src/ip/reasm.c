/* reasm.c — IPv4 reassembly (RFC 791 section 3.2, RFC 815), bounded.
 *
 * A datagram in progress is identified by (source, destination,
 * protocol, identification) (RFC 791). Its fragments are kept as pieces
 * sorted by offset; it is complete when the pieces cover [0, total)
 * without a gap, total being known from the fragment without "more
 * fragments". The pieces are then copied once into a fresh datagram
 * whose header is the first fragment's, with the fragment fields
 * cleared, the total length set and the checksum recomputed.
 *
 * Overlaps: an exact repeat of a piece we hold is ignored (a duplicate);
 * any other overlap discards the whole datagram, as Linux does for IPv4
 * and RFC 5722 requires for IPv6 — overlapping fragments have no honest
 * use and are the classic way to slip data past filters.
 *
 * Bounds: every piece costs its data plus its bookkeeping against
 * cfg.reasm_max_bytes, so floods of tiny fragments are bounded too; at
 * most cfg.reasm_max_datagrams are in progress. To make room the oldest
 * datagram is given up (ip-reasm-limit). Each datagram must complete
 * within cfg.reasm_timeout of its first fragment (RFC 791's timer,
 * RFC 1122 3.3.2: a fixed value); datagrams are kept in arrival order,
 * which is also expiry order. */
#include "ip/reasm.h"

#include <string.h>

#include "stack_impl.h"

#define IP_MAX_LEN 65535u

typedef struct piece {
    struct piece *next;
    uint32_t off, len;          /* payload bytes [off, off + len) */
    uint8_t data[];
} piece;

typedef struct dgram {
    struct dgram *next;         /* arrival (= expiry) order */
    uint32_t src, dst;
    uint16_t id;
    uint8_t proto;
    synack_time expires;
    uint32_t total;             /* payload length, 0 until the last fragment */
    uint16_t hdr_len;           /* of the first fragment, 0 until it came */
    uint8_t hdr[60];
    uint8_t first_data[8];      /* for ICMP time exceeded */
    piece *pieces;              /* sorted by offset, disjoint */
    size_t cost;                /* bytes charged for this datagram */
} dgram;

struct ip_reasm {
    dgram *head, *tail;
    size_t bytes, count;
};

ip_reasm *ip_reasm_new(synack_stack *s)
{
    if (!s->cfg.reasm_max_bytes || !s->cfg.reasm_max_datagrams)
        return NULL;
    return stack_calloc(s, sizeof(ip_reasm));
}

size_t ip_reasm_bytes(const ip_reasm *r) { return r->bytes; }
size_t ip_reasm_count(const ip_reasm *r) { return r->count; }

synack_time ip_reasm_deadline(const ip_reasm *r)
{
    return r && r->head ? r->head->expires : SYNACK_TIME_NEVER;
}

static void dgram_free(synack_stack *s, ip_reasm *r, dgram *d)
{
    piece *p = d->pieces;
    while (p) {
        piece *n = p->next;
        stack_free(s, p);
        p = n;
    }
    r->bytes -= d->cost;
    r->count--;
    stack_free(s, d);
}

/* Unlinks d (prev is its predecessor or NULL) and frees it. */
static void dgram_remove(synack_stack *s, ip_reasm *r, dgram *prev, dgram *d)
{
    if (prev)
        prev->next = d->next;
    else
        r->head = d->next;
    if (r->tail == d)
        r->tail = prev;
    dgram_free(s, r, d);
}

void ip_reasm_free(synack_stack *s, ip_reasm *r)
{
    if (!r)
        return;
    while (r->head)
        dgram_remove(s, r, NULL, r->head);
    stack_free(s, r);
}

/* RFC 792 / RFC 1122 3.3.2: "Time Exceeded, code 1" back to the sender,
 * quoting the first fragment's header and first 8 data bytes. */
static void send_time_exceeded(synack_stack *s, const dgram *d)
{
    uint8_t *icmp = ip_tx_begin(s);
    size_t qlen = (size_t)d->hdr_len + 8u;
    memcpy(icmp + WIRE_ICMP_HDR_LEN, d->hdr, d->hdr_len);
    memcpy(icmp + WIRE_ICMP_HDR_LEN + d->hdr_len, d->first_data, 8);
    wire_icmp_emit(icmp, WIRE_ICMP_TIME_EXCEEDED, 1, 0, qlen);
    ip_output(s, d->src, WIRE_PROTO_ICMP, WIRE_ICMP_HDR_LEN + qlen, NULL);
}

void ip_reasm_expire(synack_stack *s, ip_reasm *r, synack_time now)
{
    while (r && r->head && r->head->expires <= now) {
        dgram *d = r->head;
        stack_drop(s, SYNACK_DROP_IP_REASM_TIMEOUT, NULL, NULL);
        /* Only if we have the first 8 data bytes to quote, and never
         * about an ICMP message (RFC 1122 3.2.2: no ICMP error about an
         * ICMP error; we cannot tell its type safely, so none at all). */
        if (d->hdr_len && d->pieces && d->pieces->off == 0 && d->pieces->len >= 8 &&
            d->proto != WIRE_PROTO_ICMP)
            send_time_exceeded(s, d);
        dgram_remove(s, r, NULL, d);
    }
}

/* Finds the datagram a fragment belongs to; *prev gets its predecessor. */
static dgram *find(ip_reasm *r, const wire_ipv4 *ip, dgram **prev)
{
    *prev = NULL;
    for (dgram *d = r->head; d; *prev = d, d = d->next)
        if (d->id == ip->id && d->src == ip->src && d->dst == ip->dst && d->proto == ip->proto)
            return d;
    return NULL;
}

/* Makes room for cost more bytes (and a new datagram if is_new) by giving
 * up the oldest datagrams other than keep. Returns 0, or -1 if even an
 * empty table could not hold it. */
static int make_room(synack_stack *s, ip_reasm *r, size_t cost, int is_new, const dgram *keep)
{
    if (cost > s->cfg.reasm_max_bytes)
        return -1;
    while (r->bytes + cost > s->cfg.reasm_max_bytes ||
           (is_new && r->count >= s->cfg.reasm_max_datagrams)) {
        dgram *prev = NULL, *d = r->head;
        while (d && d == keep) {
            prev = d;
            d = d->next;
        }
        if (!d)
            return -1;
        stack_drop(s, SYNACK_DROP_IP_REASM_LIMIT, NULL, NULL);
        dgram_remove(s, r, prev, d);
    }
    return 0;
}

/* Is d complete: the pieces cover [0, total) with no gap? */
static int complete(const dgram *d)
{
    if (!d->total || !d->hdr_len)
        return 0;
    uint32_t at = 0;
    for (const piece *p = d->pieces; p; p = p->next) {
        if (p->off != at)
            return 0;
        at += p->len;
    }
    return at == d->total;
}

/* Builds the whole datagram from d's pieces. Returns 0 or -1 (memory). */
static int assemble(synack_stack *s, const dgram *d, uint8_t **out, size_t *out_len)
{
    size_t len = (size_t)d->hdr_len + d->total;
    uint8_t *b = stack_alloc(s, len);
    if (!b)
        return -1;
    memcpy(b, d->hdr, d->hdr_len);
    for (const piece *p = d->pieces; p; p = p->next)
        memcpy(b + d->hdr_len + p->off, p->data, p->len);
    wire_put16(b + 2, (uint16_t)len);
    /* Clear MF and the offset, keep DF (RFC 791: the reassembled
     * datagram is no longer a fragment). */
    b[6] &= 0x40;
    b[7] = 0;
    wire_put16(b + 10, 0);
    wire_put16(b + 10, wire_csum_fold(wire_csum_add(0, b, d->hdr_len)));
    *out = b;
    *out_len = len;
    return 0;
}

static int bad(synack_stack *s, ip_reasm *r, dgram *prev, dgram *d)
{
    stack_drop(s, SYNACK_DROP_IP_REASM_BAD, NULL, NULL);
    if (d)
        dgram_remove(s, r, prev, d);
    return -1;
}

int ip_reasm_add(synack_stack *s, ip_reasm *r, const wire_ipv4 *ip, const uint8_t *pkt,
                 uint8_t **out, size_t *out_len)
{
    uint32_t off = (uint32_t)ip->frag * 8u;
    uint32_t len = (uint32_t)ip->payload_len;
    uint32_t end = off + len;
    dgram *prev, *d = find(r, ip, &prev);
    /* RFC 791: all fragments but the last carry a multiple of 8 bytes;
     * nothing may end beyond the largest datagram; an empty fragment
     * carries nothing. */
    if (len == 0 || end + ip->hdr_len > IP_MAX_LEN || (ip->mf && (len & 7u)))
        return bad(s, r, prev, d);
    if (d) {
        if ((!ip->mf && d->total && d->total != end) || (d->total && end > d->total))
            return bad(s, r, prev, d);
    }
    /* Where the piece goes: after every piece that ends at or before off. */
    piece **pp = d ? &d->pieces : NULL;
    if (d) {
        while (*pp && (*pp)->off + (*pp)->len <= off)
            pp = &(*pp)->next;
        if (*pp && (*pp)->off < end) {
            /* An overlap: a duplicate if identical, else an attack. */
            if ((*pp)->off == off && (*pp)->len == len &&
                memcmp((*pp)->data, ip->payload, len) == 0)
                return 0;
            return bad(s, r, prev, d);
        }
        /* The last fragment must end after everything held. */
        if (!ip->mf) {
            piece *last = d->pieces;
            while (last && last->next)
                last = last->next;
            if (last && last->off + last->len > end)
                return bad(s, r, prev, d);
        }
    }
    size_t cost = sizeof(piece) + len + (d ? 0 : sizeof(dgram));
    if (make_room(s, r, cost, !d, d) < 0) {
        stack_drop(s, SYNACK_DROP_IP_REASM_LIMIT, NULL, NULL);
        return -1;
    }
    if (d)
        find(r, ip, &prev);     /* its predecessor may have been given up */
    if (!d) {
        d = stack_calloc(s, sizeof(dgram));
        if (!d) {
            stack_drop(s, SYNACK_DROP_IP_REASM_LIMIT, NULL, NULL);
            return -1;
        }
        d->src = ip->src;
        d->dst = ip->dst;
        d->id = ip->id;
        d->proto = ip->proto;
        d->expires = s->now + s->cfg.reasm_timeout;
        d->cost = sizeof(dgram);
        r->bytes += sizeof(dgram);
        r->count++;
        prev = r->tail;
        if (r->tail)
            r->tail->next = d;
        else
            r->head = d;
        r->tail = d;
        pp = &d->pieces;
    }
    piece *p = stack_alloc(s, sizeof(piece) + len);
    if (!p) {
        stack_drop(s, SYNACK_DROP_IP_REASM_LIMIT, NULL, NULL);
        if (!d->pieces)
            dgram_remove(s, r, prev, d);
        return -1;
    }
    p->off = off;
    p->len = len;
    memcpy(p->data, ip->payload, len);
    p->next = *pp;
    *pp = p;
    d->cost += sizeof(piece) + len;
    r->bytes += sizeof(piece) + len;
    if (!ip->mf)
        d->total = end;
    if (off == 0) {
        d->hdr_len = ip->hdr_len;
        memcpy(d->hdr, pkt, ip->hdr_len);
        memcpy(d->first_data, ip->payload, len < 8 ? len : 8);
    }
    if (!complete(d))
        return 0;
    /* The check on arrival used each fragment's own header; the whole
     * datagram carries the first fragment's, which may be longer (IPv4
     * options): RFC 791's 16-bit total length bounds that sum. */
    if ((size_t)d->hdr_len + d->total > IP_MAX_LEN)
        return bad(s, r, prev, d);
    int rc = assemble(s, d, out, out_len);
    dgram_remove(s, r, prev, d);
    if (rc < 0) {
        stack_drop(s, SYNACK_DROP_IP_REASM_LIMIT, NULL, NULL);
        return -1;
    }
    return 1;
}
