/* pcap_writer.h — writes classic libpcap capture files.
 *
 * Owns the file format only: a 24-byte global header, then one 16-byte
 * record header plus the packet bytes per packet. Timestamps have
 * nanosecond resolution (magic 0xa1b23c4d) and the link type is
 * LINKTYPE_RAW (101): every record is a bare IPv4 datagram, no Ethernet
 * header. Every field is written little-endian, whatever the host, so a
 * given packet sequence always produces the same bytes (readers detect
 * the byte order from the magic number).
 *
 * Time is a synack_time (nanoseconds since an arbitrary epoch, e.g. the
 * start of a simulation); it is split into seconds and nanoseconds. */
#ifndef SYNACK_PCAP_WRITER_H
#define SYNACK_PCAP_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

#define PCAP_MAGIC_NSEC   0xa1b23c4du
#define PCAP_VERSION_MAJOR 2u
#define PCAP_VERSION_MINOR 4u
#define PCAP_SNAPLEN      65535u     /* IPv4 datagrams never exceed it */
#define PCAP_LINKTYPE_RAW 101u
#define PCAP_GLOBAL_HDR_LEN 24u
#define PCAP_RECORD_HDR_LEN 16u

typedef struct pcap_writer pcap_writer;

/* Creates (truncates) path and writes the global header. Returns NULL on
 * failure with a one-line reason in err (if err is not NULL). */
pcap_writer *pcap_writer_open(const char *path, char *err, size_t errlen);

/* Appends one packet captured at time t. Packets longer than the snap
 * length are stored truncated, with their original length recorded.
 * Returns 0, or -1 if the write failed (the writer stays usable). */
int pcap_writer_write(pcap_writer *w, synack_time t, const uint8_t *pkt, size_t len);

/* Pushes buffered records to the file. Returns 0 or -1. */
int pcap_writer_flush(pcap_writer *w);

/* Flushes, closes the file and frees the writer. NULL is ignored. */
void pcap_writer_close(pcap_writer *w);

#endif
