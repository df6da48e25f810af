/* trace_infer.h — TCP connections reconstructed from captured segments:
 * grouping by 4-tuple, the RFC 9293 state of each end inferred from what
 * it sent and received, and the usual annotations (retransmission,
 * out-of-order, duplicate ACK, zero window, reset). Every connection is
 * built into a ladder model as segments are added.
 *
 * Knows nothing about capture files (trace_pcap.c reads those), so it can
 * be tested with hand-made segments. A capture sees a segment once, at
 * the capture point; inference treats that moment as both the send and
 * the arrival. */
#ifndef SYNACK_TRACE_INFER_H
#define SYNACK_TRACE_INFER_H

#include <stddef.h>
#include <stdint.h>

#include "ladder_model.h"

#define TRACE_HOLES_MAX 16

/* What is known about one direction (one end as sender). */
typedef struct trace_dir {
    int state;                  /* inferred state of this end, or NONE */
    int passive;                /* this end answered a SYN from LISTEN */
    int syn_seen;
    uint32_t isn;
    int has_nxt;
    uint32_t nxt;               /* highest sequence number sent + 1 */
    uint32_t holes[TRACE_HOLES_MAX][2];   /* gaps below nxt not yet seen */
    size_t nholes;
    int has_ack;
    uint32_t last_ack;
    uint16_t last_win;
    int fin_seen, fin_acked;
    uint32_t fin_seq;           /* sequence number of the FIN */
    long close_wait_row;        /* row of a CLOSE-WAIT inferred from the
                                   peer's FIN, while it may be undone */
    int closing_next;           /* simultaneous close: CLOSING after the arrow */
} trace_dir;

typedef struct trace_conn {
    uint32_t addr[2];           /* [0] client (opened it), [1] server */
    uint16_t port[2];
    trace_dir dir[2];
    uint64_t packets, bytes;    /* bytes: TCP payload */
    synack_time first, last;
    int finished;               /* RST, or both FINs acknowledged */
    uint64_t offload_checksums; /* bad checksums taken for offload and
                                   not marked (see trace_set_finish) */
    ladder_model model;
} trace_conn;

typedef struct trace_set {
    trace_conn *conns;
    size_t n, cap;
    synack_time t0;             /* first packet of the capture */
    int have_t0;
    int oom;
} trace_set;

void trace_set_init(trace_set *ts);
void trace_set_free(trace_set *ts);

/* Adds one captured segment (seen at time t; marks such as
 * LADDER_MARK_BAD_CSUM from the reader). Returns 0, or -1 when out of
 * memory. */
int trace_set_add(trace_set *ts, synack_time t, const synack_segment *seg, unsigned marks);

/* Call once after the last segment: clears the bad-checksum mark from
 * connections where at least half the segments have it (checksum
 * offload: the marks would only hide the diagram) and counts them in
 * offload_checksums. */
void trace_set_finish(trace_set *ts);

/* The inferred state of end (0 client, 1 server) after the last segment,
 * or LADDER_STATE_NONE when nothing told. */
int trace_conn_state(const trace_conn *c, int end);

#endif
