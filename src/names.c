/* names.c — human-readable names for error codes, states, drop reasons
 * and timers. */
#include "synack.h"

const char *synack_strerror(int err)
{
    switch (err) {
    case SYNACK_OK:            return "success";
    case SYNACK_EPERM:         return "operation not permitted";
    case SYNACK_ENOMEM:        return "out of memory (connection or buffer limit reached)";
    case SYNACK_EBADF:         return "bad socket handle";
    case SYNACK_EINVAL:        return "invalid argument or socket state for this call";
    case SYNACK_EAGAIN:        return "try again later (would block)";
    case SYNACK_EMFILE:        return "too many open sockets";
    case SYNACK_EPIPE:         return "cannot send after shutdown or close";
    case SYNACK_ENOPROTOOPT:   return "option not supported";
    case SYNACK_EOPNOTSUPP:    return "operation not supported";
    case SYNACK_EADDRINUSE:    return "address already in use";
    case SYNACK_EADDRNOTAVAIL: return "address not available";
    case SYNACK_ENETUNREACH:   return "network unreachable";
    case SYNACK_EHOSTUNREACH:  return "host unreachable";
    case SYNACK_ECONNABORTED:  return "connection aborted";
    case SYNACK_ECONNRESET:    return "connection reset by peer";
    case SYNACK_ENOBUFS:       return "no buffer space available";
    case SYNACK_EISCONN:       return "socket is already connected";
    case SYNACK_ENOTCONN:      return "socket is not connected";
    case SYNACK_ETIMEDOUT:     return "connection timed out";
    case SYNACK_ECONNREFUSED:  return "connection refused by peer";
    case SYNACK_EALREADY:      return "connection already in progress";
    case SYNACK_EINPROGRESS:   return "connection in progress";
    case SYNACK_EMSGSIZE:      return "message too long";
    default:                   return "unknown error";
    }
}

static const char *const state_names[] = {
    "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
    "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
};
_Static_assert(sizeof state_names / sizeof state_names[0] == SYNACK_STATE_COUNT,
               "a name for every value");

const char *synack_state_name(int st)
{
    return st >= 0 && st < SYNACK_STATE_COUNT ? state_names[st] : "UNKNOWN";
}

static const char *const drop_names[] = {
    "ip-truncated", "ip-version", "ip-hdrlen", "ip-totlen", "ip-checksum",
    "ip-fragment", "ip-not-for-us", "ip-protocol", "ip-bad-source",
    "tcp-truncated", "tcp-hdrlen", "tcp-checksum", "tcp-option", "tcp-bad-flags",
    "tcp-no-socket", "tcp-out-of-window", "tcp-bad-ack", "tcp-rst-invalid",
    "tcp-rst-challenged", "tcp-syn-challenged", "tcp-backlog-full", "tcp-no-memory",
    "tcp-no-ack", "tcp-rcvbuf-full", "tcp-after-close", "tcp-time-wait",
    "tcp-out-of-order", "tcp-challenge-limit", "tcp-paws",
    "icmp-malformed", "icmp-no-conn", "icmp-bad-seq", "icmp-soft-error",
    "ip-reasm-timeout", "ip-reasm-limit", "ip-reasm-bad",
};
_Static_assert(sizeof drop_names / sizeof drop_names[0] == SYNACK_DROP_COUNT,
               "a name for every value");

const char *synack_drop_name(int r)
{
    return r >= 0 && r < SYNACK_DROP_COUNT ? drop_names[r] : "unknown";
}

static const char *const timer_names[] = {
    "retransmit", "time-wait", "delayed-ack", "persist", "keepalive", "linger", "fin-wait-2",
    "tail-loss-probe",
};
_Static_assert(sizeof timer_names / sizeof timer_names[0] == SYNACK_TIMER_COUNT,
               "a name for every value");

const char *synack_timer_name(int t)
{
    return t >= 0 && t < SYNACK_TIMER_COUNT ? timer_names[t] : "unknown";
}
