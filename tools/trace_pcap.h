/* trace_pcap.h — reads a capture file (pcap or pcapng, through libpcap)
 * and feeds every IPv4 TCP segment in it to a trace_set.
 *
 * Link types: RAW/IPV4, EN10MB (Ethernet, with 802.1Q/802.1ad tags),
 * LINUX_SLL, LINUX_SLL2, NULL and LOOP. A segment whose only fault is a
 * wrong checksum (common with checksum offload on the capturing host) is
 * kept and marked; a segment cut short by the snapshot length is kept
 * with its length from the IP header. Everything else that is not IPv4
 * TCP is counted and skipped. */
#ifndef SYNACK_TRACE_PCAP_H
#define SYNACK_TRACE_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include "trace_infer.h"

typedef struct trace_read_stats {
    uint64_t packets;           /* records in the file */
    uint64_t tcp;               /* segments added */
    uint64_t bad_checksum;      /* of which had a wrong checksum */
    uint64_t truncated;         /* of which were cut by the snapshot length */
    uint64_t skipped;           /* not IPv4 TCP, fragments, malformed */
} trace_read_stats;

/* Reads path into ts and finishes it (trace_set_finish). Returns 0, or
 * -1 with a message in err. */
int trace_read_pcap(const char *path, trace_set *ts, trace_read_stats *st, char *err,
                    size_t errlen);

#endif
