/* tun.h — a Linux TUN device as synack's link: IPv4 datagrams in and out,
 * nonblocking, with optional virtio-net offloads.
 *
 * Plain mode (IFF_TUN | IFF_NO_PI): each read returns one IPv4 datagram
 * and each write sends one, at most the device MTU.
 *
 * Offload mode (adds IFF_VNET_HDR, TUNSETVNETHDRSZ and TUNSETOFFLOAD with
 * TUN_F_CSUM | TUN_F_TSO4): every datagram is preceded by a struct
 * virtio_net_hdr. The kernel may then hand up TCP super-packets of up to
 * 64 KiB whose checksum is only partial (VIRTIO_NET_HDR_F_NEEDS_CSUM: the
 * kernel built the packet itself, so it cannot be corrupt) and accepts
 * such super-packets from us, cutting them into MSS-sized segments and
 * completing checksums as a NIC would.
 *
 * This file owns only the device: it knows nothing of the stack beyond
 * the synack_tx_info and SYNACK_IN_* flags it translates. */
#ifndef SYNACK_TUN_H
#define SYNACK_TUN_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

#define TUN_OFFLOAD 0x1u    /* tun_open flag: IFF_VNET_HDR + TSO4 + CSUM */

/* Largest datagram a read can return: a 64 KiB GSO super-packet. */
#define TUN_MAX_PACKET 65536u

typedef struct tun_stats {
    uint64_t rx_packets, rx_bytes, rx_gso, rx_csum_partial;
    uint64_t tx_packets, tx_bytes, tx_gso, tx_errors, tx_dropped;
    uint64_t rx_bad_hdr;    /* offload header we cannot use (dropped) */
} tun_stats;

typedef struct tun_dev {
    int fd;                 /* nonblocking; -1 when closed */
    unsigned flags;         /* TUN_OFFLOAD if offloads are on */
    char name[16];          /* interface name the kernel gave it */
    tun_stats stats;
} tun_dev;

/* Opens (or attaches to a persistent) TUN device named name (NULL or ""
 * lets the kernel pick tunN), nonblocking. flags: TUN_OFFLOAD or 0.
 * Returns 0, or -1 with a one-line reason in err, which says what to do
 * when /dev/net/tun is missing or CAP_NET_ADMIN is lacking. */
int tun_open(tun_dev *d, const char *name, unsigned flags, char *err, size_t errlen);

/* 1 if the interface is administratively up, 0 if down (writes then fail
 * with EIO), -1 if that cannot be found out. */
int tun_is_up(const tun_dev *d);

/* Closes the descriptor (the kernel deletes a non-persistent device). */
void tun_close(tun_dev *d);

/* Reads one datagram into buf (cap bytes, TUN_MAX_PACKET is always
 * enough). Returns its length and sets *in_flags to the SYNACK_IN_* flags
 * for synack_input_flags; 0 if nothing is waiting (EAGAIN); -1 on a device
 * error (errno set). Packets with an unusable offload header are skipped
 * and counted in rx_bad_hdr. */
long tun_read(tun_dev *d, uint8_t *buf, size_t cap, unsigned *in_flags);

/* Sends one datagram. info (may be NULL: a complete packet) says whether
 * it is a TSO super-segment and whether its TCP checksum is partial; both
 * need offload mode, and a super-segment needs a partial checksum (the
 * kernel computes one per segment it cuts). Returns 0, or -1 (errno set;
 * counted in tx_errors, or tx_dropped when the device queue is full). */
int tun_write(tun_dev *d, const uint8_t *pkt, size_t len, const synack_tx_info *info);

#endif
