/* trace_pcap.c — capture file reading for `synack trace`: libpcap opens
 * pcap and pcapng alike; this file strips the link-layer header, decodes
 * IPv4 and TCP with the wire codecs and hands segments to trace_infer.
 *
 * Checksums: the codecs reject a bad checksum, as a stack must. A capture
 * tool must not: hosts with checksum offload (and Linux loopback) capture
 * segments before the checksum is filled in. So a segment failing only
 * its checksum is decoded again from a copy with the checksum corrected,
 * and marked. */
#include "trace_pcap.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/wire.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif

#define ETHERTYPE_IPV4 0x0800
#define SCRATCH 65536

typedef struct reader {
    int dlt;
    uint8_t *ipbuf, *tcpbuf;    /* corrected copies */
    trace_read_stats *st;
} reader;

/* Offset of the IPv4 header inside a link-layer frame, or -1. */
static long ipv4_offset(int dlt, const uint8_t *p, size_t n)
{
    switch (dlt) {
    case DLT_RAW:
    case DLT_IPV4:
        return n >= 1 && (p[0] >> 4) == 4 ? 0 : -1;
    case DLT_NULL:
        /* address family in the capturing host's byte order; AF_INET is 2 */
        if (n < 4)
            return -1;
        return (wire_get32(p) == 2 || (p[0] == 2 && p[1] == 0 && p[2] == 0 && p[3] == 0)) ? 4 : -1;
    case DLT_LOOP:
        return n >= 4 && wire_get32(p) == 2 ? 4 : -1;
    case DLT_EN10MB: {
        if (n < 14)
            return -1;
        size_t off = 14;
        uint16_t type = wire_get16(p + 12);
        while (type == 0x8100 || type == 0x88a8) {      /* VLAN tags */
            if (n < off + 4)
                return -1;
            type = wire_get16(p + off + 2);
            off += 4;
        }
        return type == ETHERTYPE_IPV4 ? (long)off : -1;
    }
    case DLT_LINUX_SLL:
        return n >= 16 && wire_get16(p + 14) == ETHERTYPE_IPV4 ? 16 : -1;
    case DLT_LINUX_SLL2:
        return n >= 20 && wire_get16(p) == ETHERTYPE_IPV4 ? 20 : -1;
    default:
        return -1;
    }
}

/* Decodes one IPv4 datagram of which caplen bytes were captured. Returns
 * 0 with *seg and *marks set, or -1 to skip it. */
static int decode(reader *rd, const uint8_t *ip, size_t caplen, synack_segment *seg,
                  unsigned *marks, int *truncated)
{
    *marks = 0;
    *truncated = 0;
    if (caplen < WIRE_IPV4_HDR_LEN || (ip[0] >> 4) != 4 || caplen > SCRATCH)
        return -1;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    size_t total = wire_get16(ip + 2);
    if (ihl < WIRE_IPV4_HDR_LEN || ihl > caplen || total < ihl)
        return -1;
    if (total > caplen) {
        /* Cut by the snapshot length: decode the captured part. */
        if (wire_csum_fold(wire_csum_add(0, ip, ihl)) != 0)
            *marks |= LADDER_MARK_BAD_CSUM;
        memcpy(rd->ipbuf, ip, caplen);
        wire_put16(rd->ipbuf + 2, (uint16_t)caplen);
        wire_put16(rd->ipbuf + 10, 0);
        wire_put16(rd->ipbuf + 10, wire_csum_fold(wire_csum_add(0, rd->ipbuf, ihl)));
        ip = rd->ipbuf;
        *truncated = 1;
    }
    wire_ipv4 h;
    synack_drop why;
    if (wire_ipv4_parse(ip, caplen, &h, &why) != 0) {
        if (why != SYNACK_DROP_IP_CHECKSUM)
            return -1;
        if (ip != rd->ipbuf)
            memcpy(rd->ipbuf, ip, caplen);
        wire_put16(rd->ipbuf + 10, 0);
        wire_put16(rd->ipbuf + 10, wire_csum_fold(wire_csum_add(0, rd->ipbuf, ihl)));
        ip = rd->ipbuf;
        *marks |= LADDER_MARK_BAD_CSUM;
        if (wire_ipv4_parse(ip, caplen, &h, &why) != 0)
            return -1;
    }
    if (h.proto != WIRE_PROTO_TCP || h.frag != 0 || h.mf)
        return -1;
    if (wire_tcp_parse(h.payload, h.payload_len, h.src, h.dst, seg, NULL, &why) != 0) {
        if (why != SYNACK_DROP_TCP_CHECKSUM)
            return -1;
        memcpy(rd->tcpbuf, h.payload, h.payload_len);
        wire_put16(rd->tcpbuf + 16, 0);
        uint32_t sum = wire_csum_pseudo(h.src, h.dst, WIRE_PROTO_TCP, (uint32_t)h.payload_len);
        wire_put16(rd->tcpbuf + 16,
                   wire_csum_fold(wire_csum_add(sum, rd->tcpbuf, h.payload_len)));
        /* a cut segment's checksum cannot be judged; a whole one was wrong */
        if (!*truncated)
            *marks |= LADDER_MARK_BAD_CSUM;
        if (wire_tcp_parse(rd->tcpbuf, h.payload_len, h.src, h.dst, seg, NULL, &why) != 0)
            return -1;
    }
    if (*truncated) {
        size_t thl = (size_t)(h.payload[12] >> 4) * 4;
        seg->len = (uint32_t)(total - ihl - thl);
    }
    return 0;
}

int trace_read_pcap(const char *path, trace_set *ts, trace_read_stats *st, char *err,
                    size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE];
    memset(st, 0, sizeof *st);
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
                                                        ebuf);
    if (!p) {
        snprintf(err, errlen, "%s", ebuf);
        return -1;
    }
    reader rd = {.dlt = pcap_datalink(p), .st = st};
    switch (rd.dlt) {
    case DLT_RAW: case DLT_IPV4: case DLT_NULL: case DLT_LOOP: case DLT_EN10MB:
    case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
        break;
    default:
        snprintf(err, errlen, "link type %s is not supported (Ethernet, raw IP, Linux "
                 "cooked and loopback are)", pcap_datalink_val_to_name(rd.dlt)
                 ? pcap_datalink_val_to_name(rd.dlt) : "unknown");
        pcap_close(p);
        return -1;
    }
    rd.ipbuf = malloc(SCRATCH);
    rd.tcpbuf = malloc(SCRATCH);
    int rc = 0;
    if (!rd.ipbuf || !rd.tcpbuf) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int r = 0;
    while (rc == 0 && (r = pcap_next_ex(p, &hdr, &data)) == 1) {
        st->packets++;
        long off = ipv4_offset(rd.dlt, data, hdr->caplen);
        synack_segment seg;
        unsigned marks;
        int truncated;
        if (off < 0 || decode(&rd, data + off, hdr->caplen - (size_t)off, &seg, &marks,
                              &truncated) < 0) {
            st->skipped++;
            continue;
        }
        synack_time t = (synack_time)hdr->ts.tv_sec * 1000000000u + (synack_time)hdr->ts.tv_usec;
        if (trace_set_add(ts, t, &seg, marks) < 0) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            break;
        }
        st->tcp++;
        st->bad_checksum += (marks & LADDER_MARK_BAD_CSUM) != 0;
        st->truncated += truncated != 0;
    }
    if (rc == 0 && r == -1) {
        snprintf(err, errlen, "%s", pcap_geterr(p));
        rc = -1;
    }
    free(rd.ipbuf);
    free(rd.tcpbuf);
    pcap_close(p);
    if (rc == 0)
        trace_set_finish(ts);
    return rc;
}
