/* cmd_serve.c — `synack serve`: a server on the synack stack, reached over
 * a TUN device, offering the classic test services and a small HTTP/1.1
 * responder:
 *
 *   echo    (RFC 862, port 7)   sends back what it receives; half-close
 *                               aware: after the peer's FIN it finishes
 *                               echoing, then closes
 *   discard (RFC 863, port 9)   reads and throws away
 *   chargen (RFC 864, port 19)  sends the character pattern until the
 *                               peer closes or resets
 *   http    (port 80)           see cmd_svc.c
 *
 * Each connection is driven by readiness events from the loop: read what
 * the service can take, write what it has, close when both sides are
 * done. A service never buffers more than one buffer's worth, so a slow
 * reader slows the writer (TCP flow control end to end). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_net.h"
#include "cmd_svc.h"

enum { SVC_ECHO, SVC_DISCARD, SVC_CHARGEN, SVC_HTTP, SVC_COUNT };

static const char *const svc_names[SVC_COUNT] = { "echo", "discard", "chargen", "http" };
static const uint16_t svc_ports[SVC_COUNT] = { 7, 9, 19, 80 };

#define ECHO_BUF (256u * 1024u)
#define IO_CHUNK (64u * 1024u)

typedef struct conn {
    int used;
    int kind;
    uint8_t *buf;               /* echo: data to send back; http: request */
    size_t cap, len, off;
    http_resp resp;             /* http: the reply being sent */
    int responding;
    size_t head_off;
    uint64_t body_off;
    uint64_t gen_pos;           /* chargen: stream offset */
    int peer_eof;
} conn;

typedef struct server {
    net_env env;
    int listener[SVC_COUNT];
    uint16_t port[SVC_COUNT];
    conn *conns;                /* by handle */
    uint32_t nconns;
    uint8_t io[IO_CHUNK];
} server;

static void conn_end(server *sv, int h, int abort)
{
    conn *c = &sv->conns[h];
    free(c->buf);
    memset(c, 0, sizeof *c);
    if (abort)
        synack_abort(sv->env.st, h);
    else
        synack_close(sv->env.st, h);
}

/* Reads into c->buf up to its capacity. Returns 1 if it read something,
 * 0 if nothing (EAGAIN or full), -1 on EOF (sets peer_eof), -2 on error. */
static int read_into_buf(server *sv, int h, conn *c)
{
    int got = 0;
    while (c->len < c->cap) {
        long n = synack_recv(sv->env.st, h, c->buf + c->len, c->cap - c->len);
        if (n > 0) {
            c->len += (size_t)n;
            got = 1;
            continue;
        }
        if (n == 0) {
            c->peer_eof = 1;
            return -1;
        }
        return n == SYNACK_EAGAIN ? got : -2;
    }
    return got;
}

/* Discards everything waiting, without copying it out: each contiguous
 * run the stack holds is consumed where it lies (the window updates are
 * synack_recv's). Returns as read_into_buf. */
static int read_discard(server *sv, int h, conn *c)
{
    int got = 0;
    for (;;) {
        const void *data;
        long n = synack_recv_peek(sv->env.st, h, &data);
        if (n > 0) {
            if (synack_recv_consume(sv->env.st, h, (size_t)n) != 0)
                return -2;
            got = 1;
            continue;
        }
        if (n == 0) {
            c->peer_eof = 1;
            return -1;
        }
        return n == SYNACK_EAGAIN ? got : -2;
    }
}

/* Sends [p, p+len). Returns bytes accepted (maybe 0), or -1 on error. */
static long send_some(server *sv, int h, const void *p, size_t len)
{
    long n = synack_send(sv->env.st, h, p, len);
    if (n == SYNACK_EAGAIN)
        return 0;
    return n < 0 ? -1 : n;
}

/* echo: returns 1 while there is work, 0 when done, -1 on error. */
static int pump_echo(server *sv, int h, conn *c)
{
    for (int round = 0; round < 64; round++) {
        int r = c->peer_eof ? 0 : read_into_buf(sv, h, c);
        if (r == -2)
            return -1;
        if (c->off < c->len) {
            long n = send_some(sv, h, c->buf + c->off, c->len - c->off);
            if (n < 0)
                return -1;
            c->off += (size_t)n;
            if (c->off == c->len)
                c->off = c->len = 0;
            else if (c->off > c->cap / 2) {
                memmove(c->buf, c->buf + c->off, c->len - c->off);
                c->len -= c->off;
                c->off = 0;
            }
            if (n == 0)
                break;      /* send buffer full: wait for WRITABLE */
        } else if (r <= 0) {
            break;
        }
    }
    return c->peer_eof && c->len == 0 ? 0 : 1;
}

static int pump_chargen(server *sv, int h, conn *c)
{
    int r = read_discard(sv, h, c);
    if (r == -2)
        return -1;
    if (c->peer_eof)
        return 0;
    for (int round = 0; round < 64; round++) {
        svc_pattern(sv->io, sizeof sv->io, c->gen_pos);
        long n = send_some(sv, h, sv->io, sizeof sv->io);
        if (n < 0)
            return -1;
        c->gen_pos += (uint64_t)n;
        if ((size_t)n < sizeof sv->io)
            break;
    }
    return 1;
}

/* http: sends the current reply. Head and body go out through one buffer
 * so that a small reply is one segment: a separate head would be held
 * back by Nagle's algorithm until the client's (delayed) ACK of it.
 * Returns 1 when it is all queued, 0 if the send buffer filled first, -1
 * on error. */
static int http_send_reply(server *sv, int h, conn *c)
{
    http_resp *p = &c->resp;
    while (c->head_off < p->head_len || c->body_off < p->body_len) {
        size_t n = 0;
        size_t hk = p->head_len - c->head_off;
        memcpy(sv->io, p->head + c->head_off, hk);
        n = hk;
        uint64_t left = p->body_len - c->body_off;
        size_t bk = left < sizeof sv->io - n ? (size_t)left : sizeof sv->io - n;
        if (p->pattern)
            svc_pattern(sv->io + n, bk, c->body_off);
        else if (bk)
            memcpy(sv->io + n, p->body + c->body_off, bk);
        n += bk;
        long sent = send_some(sv, h, sv->io, n);
        if (sent <= 0)
            return (int)sent;
        size_t from_head = (size_t)sent < hk ? (size_t)sent : hk;
        c->head_off += from_head;
        c->body_off += (uint64_t)((size_t)sent - from_head);
    }
    return 1;
}

static int pump_http(server *sv, int h, conn *c)
{
    for (int round = 0; round < 64; round++) {
        if (c->responding) {
            int r = http_send_reply(sv, h, c);
            if (r <= 0)
                return r < 0 ? -1 : 1;
            c->responding = 0;
            if (c->resp.close)
                return 0;
        }
        if (!c->peer_eof && read_into_buf(sv, h, c) == -2)
            return -1;
        http_req q;
        long used = http_parse((const char *)c->buf, c->len, &q);
        if (used == 0) {
            if (c->len == c->cap)
                used = -2;
            else
                return c->peer_eof ? 0 : 1;
        }
        http_respond(used > 0 ? &q : NULL, used, &c->resp);
        c->responding = 1;
        c->head_off = 0;
        c->body_off = 0;
        if (used > 0) {
            memmove(c->buf, c->buf + used, c->len - (size_t)used);
            c->len -= (size_t)used;
        } else {
            c->len = 0;
        }
    }
    return 1;
}

static void pump(server *sv, int h)
{
    conn *c = &sv->conns[h];
    int r;
    switch (c->kind) {
    case SVC_ECHO:
        r = pump_echo(sv, h, c);
        break;
    case SVC_DISCARD:
        r = read_discard(sv, h, c);
        r = r == -2 ? -1 : c->peer_eof ? 0 : 1;
        break;
    case SVC_CHARGEN:
        r = pump_chargen(sv, h, c);
        break;
    default:
        r = pump_http(sv, h, c);
        break;
    }
    if (r > 0)
        return;
    /* r == 0: done, close (FIN after what is queued); r < 0: the
     * connection failed (reset, timeout) and only the handle is left. */
    conn_end(sv, h, 0);
}

static void accept_all(server *sv, int kind)
{
    for (;;) {
        synack_endpoint peer;
        int h = synack_accept(sv->env.st, sv->listener[kind], &peer);
        if (h < 0)
            return;
        if ((uint32_t)h >= sv->nconns) {
            synack_abort(sv->env.st, h);
            continue;
        }
        conn *c = &sv->conns[h];
        memset(c, 0, sizeof *c);
        c->used = 1;
        c->kind = kind;
        if (kind == SVC_HTTP)
            synack_setopt(sv->env.st, h, SYNACK_TCP_NODELAY, 1);    /* replies are whole */
        if (kind == SVC_ECHO || kind == SVC_HTTP) {
            c->cap = kind == SVC_ECHO ? ECHO_BUF : HTTP_HEAD_MAX;
            c->buf = malloc(c->cap);
            if (!c->buf) {
                conn_end(sv, h, 1);
                continue;
            }
        }
        pump(sv, h);
    }
}

static void on_ready(void *ctx, const synack_ready_event *ev)
{
    server *sv = ctx;
    for (int k = 0; k < SVC_COUNT; k++) {
        if (sv->listener[k] == ev->handle) {
            accept_all(sv, k);
            return;
        }
    }
    if ((uint32_t)ev->handle < sv->nconns && sv->conns[ev->handle].used)
        pump(sv, ev->handle);
}

static void usage(FILE *out)
{
    fputs("usage: synack serve [options]\n"
          "Runs echo (7), discard (9), chargen (19) and HTTP (80) servers on the synack stack,\n"
          "behind a TUN device. Give the device's kernel side an address in the same subnet\n"
          "(ip addr add 198.18.0.1/24 dev synack0; ip link set synack0 up), or use `synack try`.\n"
          "\n"
          "service options:\n"
          "  --echo PORT, --discard PORT, --chargen PORT, --http PORT\n"
          "                    listen on another port (0: do not offer the service)\n",
          out);
    net_opts_usage(out);
}

static int listen_on(server *sv, int k)
{
    synack_stack *st = sv->env.st;
    sv->listener[k] = -1;
    if (!sv->port[k])
        return 0;
    int h = synack_socket(st);
    int r = h < 0 ? h : synack_bind(st, h, 0, sv->port[k]);
    if (!r)
        r = synack_listen(st, h, 128);
    if (r) {
        fprintf(stderr, "synack serve: cannot listen on port %u: %s\n", sv->port[k],
                synack_strerror(r));
        return -1;
    }
    sv->listener[k] = h;
    return 0;
}

int serve_run(int argc, char **argv, const char *prog, const serve_ctl *ctl)
{
    server *sv = calloc(1, sizeof *sv);
    if (!sv) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 1;
    }
    net_opts o;
    net_opts_default(&o, prog);
    o.configure_later = ctl != NULL;
    memcpy(sv->port, svc_ports, sizeof sv->port);
    int rc = 2;
    for (int i = 1; i < argc; i++) {
        int t = net_opts_take(&o, argc, argv, &i);
        if (t < 0) {
            usage(stderr);      /* after the one-line error */
            goto out;
        }
        if (t > 0)
            continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            rc = 0;
            goto out;
        }
        int k;
        for (k = 0; k < SVC_COUNT; k++) {
            char opt[16];
            snprintf(opt, sizeof opt, "--%s", svc_names[k]);
            if (strcmp(argv[i], opt) == 0)
                break;
        }
        long port;
        if (k == SVC_COUNT) {
            fprintf(stderr, "%s: unknown option '%s'\n", prog, argv[i]);
            usage(stderr);
            goto out;
        }
        if (i + 1 >= argc || net_parse_long(argv[++i], 0, 65535, &port)) {
            fprintf(stderr, "%s: --%s needs a port number (0 to 65535)\n", prog, svc_names[k]);
            usage(stderr);
            goto out;
        }
        sv->port[k] = (uint16_t)port;
    }
    rc = 1;
    if (net_env_open(&sv->env, &o, 1, on_ready, sv) < 0)
        goto out;
    sv->nconns = 1024;     /* the stack's default max_sockets */
    sv->conns = calloc(sv->nconns, sizeof *sv->conns);
    if (!sv->conns)
        goto close;
    for (int k = 0; k < SVC_COUNT; k++)
        if (listen_on(sv, k) < 0)
            goto close;
    if (!o.quiet) {
        fprintf(stderr, "%s: listening on %u.%u.%u.%u (dev %s%s):", prog, o.addr >> 24,
                (o.addr >> 16) & 255, (o.addr >> 8) & 255, o.addr & 255, sv->env.dev.name,
                o.offload ? ", offloads" : "");
        for (int k = 0; k < SVC_COUNT; k++)
            if (sv->port[k])
                fprintf(stderr, " %s %u", svc_names[k], sv->port[k]);
        fputc('\n', stderr);
    }
    if (ctl && ctl->started && ctl->started(ctl->ctx, &sv->env) < 0)
        goto close;
    while (!sv->env.stop && !(ctl && ctl->done && ctl->done(ctl->ctx, &sv->env))) {
        if (loop_run_once(sv->env.lp, -1) < 0) {
            fprintf(stderr, "%s: device error: %s\n", prog, strerror(errno));
            goto close;
        }
        net_tracker_tick(sv->env.tracker);
    }
    if (!o.quiet && sv->env.stop)
        fprintf(stderr, "%s: stopping (%s)\n", prog, strsignal(sv->env.stop));
    rc = 0;
close:
    if (sv->conns)
        for (uint32_t h = 0; h < sv->nconns; h++)
            free(sv->conns[h].buf);
    free(sv->conns);
    net_env_close(&sv->env);
out:
    free(sv);
    return rc;
}

static int run(int argc, char **argv) { return serve_run(argc, argv, "synack serve", NULL); }

const synack_command cmd_serve = {
    .name = "serve",
    .summary = "echo, discard, chargen and HTTP servers on synack, over a TUN device",
    .run = run,
    .usage = usage,
};
