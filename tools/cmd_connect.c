/* cmd_connect.c — `synack connect HOST PORT`: a client on the synack
 * stack that pipes stdin to the connection and the connection to stdout,
 * like nc.
 *
 * Closing: at end of stdin synack half-closes (FIN, RFC 9293 3.10.4) and
 * keeps reading until the peer's FIN; then it closes and waits (a few
 * seconds at most) for the close to finish, so the peer is never left
 * half-open. --close-on-eof closes as soon as the peer's FIN arrives
 * (the peer closed first), --abort sends a RST at end of stdin instead
 * of a FIN (RFC 9293 3.10.5).
 *
 * Descriptors that epoll cannot watch (regular files) are treated as
 * always ready. Pipes and sockets are made nonblocking for the run and
 * restored at exit; a terminal is left alone (it is shared with the
 * shell), which is safe because we read only after readiness and write
 * little to it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_net.h"

#define BUF (256u * 1024u)
#define LINGER_WAIT SYNACK_SEC(5)

typedef struct stdio_end {
    int fd;
    int watched;                /* in the loop's epoll set */
    int always;                 /* not pollable: always ready */
    int saved_fl;               /* file flags to restore, -1 if untouched */
    int ready;
    unsigned events;            /* what the loop watches for */
} stdio_end;

typedef struct client {
    net_env env;
    int h;
    int connected, failed, err;
    int trouble;                /* SYNACK_EV_TROUBLE last reported */
    stdio_end in, out;
    uint8_t *ibuf, *obuf;       /* stdin -> conn, conn -> stdout */
    size_t ilen, ioff, olen, ooff;
    int in_eof, fin_sent, peer_eof, closed;
    int close_on_eof, abort_on_eof;
    uint64_t sent, rcvd;
    synack_time t_start, t_progress;
    int progress;
    uint32_t conn_id;
} client;

static void on_stdio(void *ctx, int fd, unsigned events)
{
    client *cl = ctx;
    (void)events;
    if (fd == cl->in.fd)
        cl->in.ready = 1;
    else
        cl->out.ready = 1;
}

static void stdio_setup(client *cl, stdio_end *e, int fd, unsigned events)
{
    memset(e, 0, sizeof *e);
    e->fd = fd;
    e->saved_fl = -1;
    struct stat sb;
    if (fstat(fd, &sb) == 0 && (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))) {
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0 && !(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
            e->saved_fl = fl;
    }
    if (loop_add_fd(cl->env.lp, fd, events, on_stdio, cl) == 0) {
        e->watched = 1;
        e->events = events;
    }
    else
        e->always = e->ready = 1;    /* EPERM: a regular file */
}

static void stdio_restore(client *cl, stdio_end *e)
{
    if (e->watched)
        loop_del_fd(cl->env.lp, e->fd);
    e->watched = 0;
    if (e->saved_fl >= 0)
        fcntl(e->fd, F_SETFL, e->saved_fl);
    e->saved_fl = -1;
}

/* Sets the events watched on e (a no-op when they are unchanged). */
static void want(client *cl, stdio_end *e, unsigned events)
{
    if (e->watched && e->events != events && loop_mod_fd(cl->env.lp, e->fd, events) == 0)
        e->events = events;
}

static void fail_conn(client *cl, int err)
{
    if (!cl->failed) {
        cl->failed = 1;
        cl->err = err;
    }
}

/* conn -> stdout */
static void pump_out(client *cl)
{
    synack_stack *st = cl->env.st;
    for (int round = 0; round < 64; round++) {
        if (cl->ooff < cl->olen) {
            if (!cl->out.ready)
                break;
            ssize_t n = write(cl->out.fd, cl->obuf + cl->ooff, cl->olen - cl->ooff);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    cl->out.ready = cl->out.always;
                    want(cl, &cl->out, EPOLLOUT);
                    break;
                }
                /* stdout is gone (EPIPE): nobody wants the rest. */
                fail_conn(cl, SYNACK_EPIPE);
                return;
            }
            cl->ooff += (size_t)n;
            if (cl->ooff == cl->olen) {
                cl->ooff = cl->olen = 0;
                want(cl, &cl->out, 0);
            }
            continue;
        }
        if (cl->peer_eof || !cl->connected)
            break;
        long n = synack_recv(st, cl->h, cl->obuf, BUF);
        if (n > 0) {
            cl->olen = (size_t)n;
            cl->rcvd += (uint64_t)n;
        } else if (n == 0) {
            cl->peer_eof = 1;
        } else {
            if (n != SYNACK_EAGAIN)
                fail_conn(cl, (int)n);
            break;
        }
    }
}

/* stdin -> conn */
static void pump_in(client *cl)
{
    synack_stack *st = cl->env.st;
    if (!cl->connected || cl->fin_sent)
        return;
    for (int round = 0; round < 64; round++) {
        if (cl->ioff < cl->ilen) {
            long n = synack_send(st, cl->h, cl->ibuf + cl->ioff, cl->ilen - cl->ioff);
            if (n == SYNACK_EAGAIN)
                return;             /* wait for WRITABLE */
            if (n < 0) {
                fail_conn(cl, (int)n);
                return;
            }
            cl->ioff += (size_t)n;
            cl->sent += (uint64_t)n;
            if (cl->ioff < cl->ilen)
                return;
            cl->ioff = cl->ilen = 0;
            continue;
        }
        if (cl->in_eof) {
            if (cl->abort_on_eof) {
                synack_abort(st, cl->h);
                cl->h = -1;
                cl->closed = 1;
            } else {
                synack_shutdown(st, cl->h);
            }
            cl->fin_sent = 1;
            return;
        }
        if (!cl->in.ready)
            return;
        ssize_t n = read(cl->in.fd, cl->ibuf, BUF);
        if (n > 0) {
            cl->ilen = (size_t)n;
        } else if (n == 0) {
            cl->in_eof = 1;
            stdio_restore(cl, &cl->in);
        } else if (errno == EAGAIN || errno == EINTR) {
            cl->in.ready = cl->in.always;
            return;
        } else {
            cl->in_eof = 1;         /* an unreadable stdin ends the input */
            stdio_restore(cl, &cl->in);
        }
    }
}

static void on_ready(void *ctx, const synack_ready_event *ev)
{
    client *cl = ctx;
    if (ev->handle != cl->h || cl->closed)
        return;
    if (ev->events & SYNACK_EV_CONNECTED)
        cl->connected = 1;
    int trouble = (ev->events & SYNACK_EV_TROUBLE) != 0;
    if (trouble != cl->trouble && !cl->env.opts.quiet) {
        /* RFC 1122 4.2.3.5 (d): the user hears of delivery trouble
         * before the connection gives up, and when it is over. */
        int soft = 0;
        synack_getopt(cl->env.st, cl->h, SYNACK_TCP_SOFT_ERROR, &soft);
        if (!trouble)
            fprintf(stderr, "synack connect: delivery resumed\n");
        else if (soft)
            fprintf(stderr, "synack connect: delivery trouble: %s\n", synack_strerror(soft));
        else
            fprintf(stderr, "synack connect: delivery trouble: no answer after 3 retransmissions\n");
    }
    cl->trouble = trouble;
    if ((ev->events & SYNACK_EV_ERROR) && !cl->connected) {
        int e = synack_get_error(cl->env.st, cl->h);
        fail_conn(cl, e ? e : SYNACK_ECONNREFUSED);
    }
}

static void progress(client *cl, int final)
{
    if (!cl->progress)
        return;
    synack_time now = loop_clock();
    if (!final && now - cl->t_progress < SYNACK_MSEC(500))
        return;
    cl->t_progress = now;
    double secs = (double)(now - cl->t_start) / 1e9;
    double rate = secs > 0 ? (double)(cl->sent + cl->rcvd) / secs : 0;
    fprintf(stderr, "\r  sent %10.1f MB   received %10.1f MB   %8.1f MB/s   %6.1f s%s",
            (double)cl->sent / 1e6, (double)cl->rcvd / 1e6, rate / 1e6, secs, final ? "\n" : "");
    fflush(stderr);
}

static void usage(FILE *out)
{
    fputs("usage: synack connect [options] HOST PORT\n"
          "Connects through the synack stack (behind a TUN device) to HOST:PORT and copies\n"
          "stdin to the connection and the connection to stdout, like nc. At end of stdin it\n"
          "half-closes (FIN) and keeps reading until the peer closes.\n"
          "\n"
          "connect options:\n"
          "  --close-on-eof    close as soon as the peer has closed its side\n"
          "  --abort           at end of stdin, reset the connection (RST) instead of a FIN\n"
          "  --timeout SECS    give up connecting after SECS (default 20)\n"
          "  --progress        show a progress line on stderr (default: when it is a terminal)\n",
          out);
    net_opts_usage(out);
}

/* Keeps the loop running until the closed connection is finished (its
 * record reached TIME-WAIT or CLOSED), at most LINGER_WAIT. */
static void linger(client *cl)
{
    synack_time until = loop_clock() + LINGER_WAIT;
    while (!cl->env.stop && loop_clock() < until) {
        const net_conn_info *ci = net_tracker_get(cl->env.tracker, cl->conn_id);
        if (!ci || ci->state == SYNACK_TIME_WAIT || ci->state == SYNACK_CLOSED)
            return;
        loop_run_once(cl->env.lp, 50);
        net_tracker_tick(cl->env.tracker);
    }
}

static int run(int argc, char **argv)
{
    client *cl = calloc(1, sizeof *cl);
    if (!cl) {
        fprintf(stderr, "synack connect: out of memory\n");
        return 1;
    }
    net_opts o;
    net_opts_default(&o, "synack connect");
    const char *pos[2] = { NULL, NULL };
    int npos = 0, rc = 2, force_progress = 0;
    long timeout = 20;
    uint32_t addr = 0;
    long port = 0;
    cl->h = -1;
    for (int i = 1; i < argc; i++) {
        int t = net_opts_take(&o, argc, argv, &i);
        if (t < 0) {
            usage(stderr);      /* after the one-line error */
            goto out;
        }
        if (t > 0)
            continue;
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            rc = 0;
            goto out;
        } else if (strcmp(a, "--close-on-eof") == 0) {
            cl->close_on_eof = 1;
        } else if (strcmp(a, "--abort") == 0) {
            cl->abort_on_eof = 1;
        } else if (strcmp(a, "--progress") == 0) {
            force_progress = 1;
        } else if (strcmp(a, "--timeout") == 0) {
            if (i + 1 >= argc || net_parse_long(argv[++i], 1, 3600, &timeout)) {
                fprintf(stderr, "synack connect: --timeout needs seconds (1 to 3600)\n");
                goto out;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "synack connect: unknown option '%s'\n", a);
            usage(stderr);
            goto out;
        } else if (npos < 2) {
            pos[npos++] = a;
        } else {
            fprintf(stderr, "synack connect: too many arguments\n");
            usage(stderr);
            goto out;
        }
    }
    if (npos != 2 || net_parse_addr(pos[0], &addr) || net_parse_long(pos[1], 1, 65535, &port)) {
        fprintf(stderr, "synack connect: need HOST (an IPv4 address) and PORT (1 to 65535)\n");
        usage(stderr);
        goto out;
    }
    rc = 1;
    cl->ibuf = malloc(BUF);
    cl->obuf = malloc(BUF);
    if (!cl->ibuf || !cl->obuf || net_env_open(&cl->env, &o, 0, on_ready, cl) < 0)
        goto out;
    synack_stack *st = cl->env.st;
    cl->progress = !o.quiet && (force_progress || isatty(2));
    stdio_setup(cl, &cl->in, 0, EPOLLIN);
    stdio_setup(cl, &cl->out, 1, 0);
    cl->out.ready = 1;

    cl->h = synack_socket(st);
    int r = cl->h < 0 ? cl->h : synack_connect(st, cl->h, addr, (uint16_t)port);
    if (r != SYNACK_EINPROGRESS && r != 0) {
        fprintf(stderr, "synack connect: %s:%ld: %s\n", pos[0], port, synack_strerror(r));
        goto close;
    }
    cl->conn_id = (uint32_t)synack_get_conn_id(st, cl->h);
    cl->t_start = cl->t_progress = loop_clock();
    synack_time deadline = cl->t_start + SYNACK_SEC(timeout);
    while (!cl->env.stop) {
        if (!cl->connected && !cl->failed && loop_clock() > deadline)
            fail_conn(cl, SYNACK_ETIMEDOUT);
        if (cl->failed)
            break;
        pump_in(cl);
        pump_out(cl);
        if (cl->failed)
            break;
        if (cl->peer_eof && cl->olen == 0 && (cl->fin_sent || cl->close_on_eof))
            break;
        if (cl->closed)
            break;
        progress(cl, 0);
        want(cl, &cl->in, !cl->in_eof && cl->ilen == 0 && cl->connected && !cl->fin_sent
                              ? EPOLLIN : 0);
        int busy = (cl->in.ready && !cl->in_eof && cl->ilen == 0 && cl->connected) ||
                   (cl->out.ready && cl->olen > cl->ooff);
        int wait = busy ? 0 : (cl->progress ? 500 : -1);
        if (!cl->connected) {
            /* Wake at the --timeout deadline, not at the next SYN
             * retransmission after it (which may be much later). */
            synack_time now = loop_clock();
            int left = now >= deadline ? 0 : (int)((deadline - now + 999999u) / 1000000u);
            if (wait < 0 || left < wait)
                wait = left;
        }
        if (loop_run_once(cl->env.lp, wait) < 0) {
            fail_conn(cl, -errno);
            break;
        }
        net_tracker_tick(cl->env.tracker);
    }
    progress(cl, 1);
    if (cl->failed)
        fprintf(stderr, "synack connect: %s:%ld: %s\n", pos[0], port, synack_strerror(cl->err));
    else if (!cl->env.stop)
        rc = 0;
    if (cl->h >= 0) {
        /* A close with unread data (stdout went away) aborts with RST. */
        synack_close(st, cl->h);
        cl->h = -1;
        linger(cl);
    }
close:
    stdio_restore(cl, &cl->in);
    stdio_restore(cl, &cl->out);
    net_env_close(&cl->env);
out:
    free(cl->ibuf);
    free(cl->obuf);
    free(cl);
    return rc;
}

const synack_command cmd_connect = {
    .name = "connect",
    .summary = "connect through synack (TUN device) and pipe stdin/stdout, like nc",
    .run = run,
    .usage = usage,
};
