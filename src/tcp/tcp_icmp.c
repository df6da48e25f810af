/* tcp_icmp.c — ICMP errors for TCP connections.
 *
 * Validation first (RFC 5927 section 4.1): the quoted segment must belong
 * to a connection we have, and its sequence number must lie in what we
 * have sent and not had acknowledged, SND.UNA <= SEG.SEQ <= SND.MAX (the
 * upper bound included, as Linux does, so an error about a bare ACK or a
 * probe at SND.NXT counts). Anything else is a blind attack or a stale
 * message, dropped and counted.
 *
 * Then RFC 1122 4.2.3.9: "hard" errors (protocol or port unreachable, and
 * the administratively prohibited codes of RFC 1812 5.2.7.1: the
 * destination refuses us on purpose) abort a connection that is still
 * opening — SYN-SENT reports ECONNREFUSED or EHOSTUNREACH to the app at
 * once instead of retrying for minutes; a half-open SYN-RECEIVED record
 * is dropped. Every other error is soft, and in synchronized states hard
 * errors are treated as soft too (RFC 5927 section 5.2, as Linux does): a
 * router's complaint must not kill a connection that may still work.
 * A soft error is noted (counted as icmp-soft-error) and the connection
 * goes on; it would end by its own retransmission timeout if the path
 * really is gone.
 *
 * Fragmentation needed (RFC 1191 path MTU discovery): the send MSS is
 * lowered to fit the reported next-hop MTU, never below 552 - 40 (Linux's
 * min_pmtu) so that a forged message cannot make us send tiny segments
 * (RFC 5927 section 7). Segments already in flight are resent at the new
 * size by the normal loss recovery. */
#include "tcp/tcp_icmp.h"

#include "base/seq.h"
#include "stack_impl.h"
#include "wire/wire.h"

#define ICMP_NET_UNREACH       0
#define ICMP_HOST_UNREACH      1
#define ICMP_PROTO_UNREACH     2
#define ICMP_PORT_UNREACH      3
#define ICMP_FRAG_NEEDED       4
#define ICMP_NET_PROHIBITED    9
#define ICMP_HOST_PROHIBITED  10
#define ICMP_ADMIN_PROHIBITED 13

#define MIN_PMTU 552u

/* A hard error's code for the application, its trace cause; 0 if soft. */
static int hard_error(const tcp_icmp_err *e, const char **cause)
{
    if (e->type != WIRE_ICMP_UNREACH)
        return 0;
    switch (e->code) {
    case ICMP_PROTO_UNREACH:
        *cause = "ICMP protocol unreachable";
        return SYNACK_ECONNREFUSED;
    case ICMP_PORT_UNREACH:
        *cause = "ICMP port unreachable";
        return SYNACK_ECONNREFUSED;
    case ICMP_NET_PROHIBITED:
    case ICMP_HOST_PROHIBITED:
    case ICMP_ADMIN_PROHIBITED:
        *cause = "ICMP destination administratively prohibited";
        return SYNACK_EHOSTUNREACH;
    default:
        return 0;
    }
}

/* The error a soft ICMP message stands for. */
static int soft_error_code(const tcp_icmp_err *e)
{
    if (e->type == WIRE_ICMP_UNREACH && (e->code == 0 || e->code == 6 || e->code == 11))
        return SYNACK_ENETUNREACH;          /* net unreachable / unknown */
    return SYNACK_EHOSTUNREACH;             /* host unreachable, TTL exceeded */
}

static int path_mtu(synack_stack *s, tcb *t, uint16_t mtu)
{
    /* RFC 1191 section 4: a zero MTU field comes from an old router; we
     * do not guess plateaus. */
    if (mtu == 0) {
        stack_drop(s, SYNACK_DROP_ICMP_SOFT_ERROR, t, NULL);
        return 1;
    }
    uint32_t m = mtu < MIN_PMTU ? MIN_PMTU : mtu;
    uint32_t mss = m - WIRE_IPV4_HDR_LEN - WIRE_TCP_HDR_LEN - (t->ts_ok ? 12u : 0u);
    if (mss >= t->mss) {
        stack_drop(s, SYNACK_DROP_ICMP_SOFT_ERROR, t, NULL);
        return 1;       /* no smaller than what we already send */
    }
    /* The initial window is the handshake MSS's: settle it before the
     * MSS shrinks (tcb_ext_get starts cwnd from t->mss). Without memory
     * the message is dropped; the next one will do. */
    if (!tcb_ext_get(s, t)) {
        stack_drop(s, SYNACK_DROP_ICMP_SOFT_ERROR, t, NULL);
        return 1;
    }
    t->mss = (uint16_t)mss;
    return 0;
}

int tcp_icmp_error(synack_stack *s, const tcp_icmp_err *e)
{
    tcb *t = tcb_lookup(s, e->raddr, e->rport, e->lport);
    if (!t || t->state == SYNACK_CLOSED || t->state == SYNACK_LISTEN) {
        stack_drop(s, SYNACK_DROP_ICMP_NO_CONN, NULL, NULL);
        return 1;
    }
    /* RFC 5927 4.1: the quoted sequence number must be in flight. */
    if (seq_lt(e->seq, t->snd_una) || seq_gt(e->seq, t->snd_max)) {
        stack_drop(s, SYNACK_DROP_ICMP_BAD_SEQ, t, NULL);
        return 1;
    }
    if (e->type == WIRE_ICMP_UNREACH && e->code == ICMP_FRAG_NEEDED)
        return path_mtu(s, t, e->mtu);
    const char *cause = NULL;
    int err = hard_error(e, &cause);
    if (err && (t->state == SYNACK_SYN_SENT || t->state == SYNACK_SYN_RECEIVED)) {
        /* RFC 1122 4.2.3.9: a hard error aborts the opening connection;
         * RFC 9293 3.10.7.3 reports it like a refusal. A passive half-open
         * record just goes back to LISTEN. */
        if (t->passive && t->state == SYNACK_SYN_RECEIVED)
            tcb_back_to_listen(s, t, cause);
        else
            tcb_close(s, t, err, cause);
        return 0;
    }
    /* Soft: keep the connection, but remember the news. If it later
     * times out, this is the error the application gets instead of a
     * bare ETIMEDOUT (RFC 1122 4.2.3.9, RFC 9293 3.8.3 / MUST-20). */
    tcb_ext *x = tcb_ext_get(s, t);
    if (x) {    /* without memory the news is lost, as if never sent */
        x->soft_error = err ? err : soft_error_code(e);
        sock_notify(s, t->handle);      /* SYNACK_EV_TROUBLE */
    }
    stack_drop(s, SYNACK_DROP_ICMP_SOFT_ERROR, t, NULL);
    return 1;
}
