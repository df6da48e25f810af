/* fuzz_util.h — what the fuzz targets share: an input reader over the fuzz
 * bytes, a stack whose transmitted datagrams are captured and checked, a
 * datagram builder, and the "server with a listener and one established
 * connection" fixture.
 *
 * The targets must work both under libFuzzer (clang) and in the replay
 * drivers (gcc, ctest), so nothing here depends on tests/check.h: an
 * invariant that fails prints one line and calls abort(), which both
 * libFuzzer and ctest report as a crash. */
#ifndef SYNACK_FUZZ_UTIL_H
#define SYNACK_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

#define FZ_SERVER_ADDR 0xC6120002u   /* 198.18.0.2: the stack under test */
#define FZ_PEER_ADDR   0xC6120001u   /* 198.18.0.1: the remote peer */
#define FZ_SERVER_PORT 80
#define FZ_PEER_PORT   40000
#define FZ_PEER_ISN    1000u         /* the peer's ISN in the fixture */

/* Stops the process with a message when an invariant does not hold. */
#define FZ_ASSERT(cond) do { if (!(cond)) fz_fail(__FILE__, __LINE__, #cond); } while (0)
void fz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

/* A cursor over the fuzz input. Reading past the end yields zeros, so a
 * target never has to check the length before each field. */
typedef struct fz_in {
    const uint8_t *p;
    size_t len, pos;
} fz_in;

static inline int fz_more(const fz_in *in) { return in->pos < in->len; }
uint8_t  fz_u8(fz_in *in);
uint16_t fz_u16(fz_in *in);
uint32_t fz_u32(fz_in *in);
/* Up to max bytes: *n gets how many are really available. */
const uint8_t *fz_bytes(fz_in *in, size_t want, size_t *n);

/* Everything a stack under test transmitted since the last fz_drain, in
 * order. At most FZ_TXQ_MAX datagrams are kept (the rest are counted);
 * each is checked as it is sent (fz_check_datagram). */
#define FZ_TXQ_MAX 64
#define FZ_PKT_MAX 2048
typedef struct fz_pkt {
    size_t len;
    uint8_t b[FZ_PKT_MAX];
} fz_pkt;

typedef struct fz_node {
    synack_stack *s;
    uint32_t addr;
    uint16_t mtu;
    fz_pkt *q;                  /* FZ_TXQ_MAX slots */
    size_t n;                   /* queued */
    uint64_t sent, lost;        /* datagrams sent, not kept */
} fz_node;

/* The configuration the targets use: small limits so that exhausting them
 * is reachable, delayed ACK off, deterministic seed. */
void fz_config(synack_config *c, uint32_t addr, uint64_t seed);

/* Creates the stack with cfg (tx replaced by the capture). Aborts on
 * failure: the configuration is the target's own. */
void fz_node_init(fz_node *n, const synack_config *cfg);
void fz_node_free(fz_node *n);
void fz_drain(fz_node *n);

/* Every datagram a stack sends must be a well-formed IPv4 datagram from
 * its own address, not longer than the MTU, not a fragment, and, when it
 * is TCP or ICMP, carry a valid segment or message with a correct
 * checksum. Aborts otherwise. */
void fz_check_datagram(const uint8_t *pkt, size_t len, uint32_t src, uint16_t mtu);

/* Builds IPv4 + TCP with correct checksums; payload NULL means zeros.
 * Returns the length, 0 if it does not fit in cap. */
size_t fz_build(uint8_t *buf, size_t cap, const synack_segment *seg, const uint8_t *payload);

/* The peer's segment template: FZ_PEER -> FZ_SERVER ports and addresses. */
synack_segment fz_peer_seg(uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len);

/* Injects seg (payload NULL = zeros) into n at time now. */
int fz_inject(fz_node *n, const synack_segment *seg, const uint8_t *payload, synack_time now);

/* The fixture: n listens on FZ_SERVER_PORT (backlog 4) and has accepted
 * one connection from FZ_PEER_ADDR:FZ_PEER_PORT opened with ISN
 * FZ_PEER_ISN and options <mss 1460, sackOK, TS, wscale 7>. Returns the
 * listener handle; *conn gets the accepted handle and *iss the server's
 * ISN. Aborts if the handshake does not complete. The queue is drained. */
int fz_server_fixture(fz_node *n, int *conn, uint32_t *iss);

/* Accepts and closes whatever the listener l queued, closes conn and l
 * (either may be -1), then runs the clock from now until no timer is
 * left, draining what is sent. Afterwards every connection record must
 * have been freed: aborts otherwise. Returns the final time. */
synack_time fz_wind_down(fz_node *n, int l, int conn, synack_time now);

#endif
