/* cmd_net.c — common options and set-up of the network commands (see
 * cmd_net.h): the TUN device, the event loop with its stack, and signals
 * delivered through a signalfd so that every exit path, Ctrl-C included,
 * runs the same teardown. */
#include "cmd_net.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

static sigset_t saved_mask;
static int mask_saved;

void net_opts_default(net_opts *o, const char *prog)
{
    memset(o, 0, sizeof *o);
    o->dev = NET_DEFAULT_DEV;
    o->addr = NET_DEFAULT_ADDR;
    o->color = -1;
    o->mtu = 1500;
    o->wscale = -2;
    o->sack = -1;
    o->timestamps = -1;
    o->prog = prog;
    fault_config_default(&o->faults);
}

int net_parse_addr(const char *s, uint32_t *out)
{
    unsigned a, b, c, d;
    char tail;
    if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 ||
        c > 255 || d > 255)
        return -1;
    *out = a << 24 | b << 16 | c << 8 | d;
    return 0;
}

int net_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

const char *net_ep_str(uint32_t addr, uint16_t port, char buf[24])
{
    snprintf(buf, 24, "%u.%u.%u.%u:%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
             addr & 255, port);
    return buf;
}

/* The value of option argv[*i]: "--opt=value" or "--opt value". */
static const char *value_of(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (*i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int is_opt(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == 0 || arg[n] == '=');
}

static int bad(const net_opts *o, const char *opt, const char *v)
{
    fprintf(stderr, "%s: bad value for %s: '%s'\n", o->prog, opt, v ? v : "(missing)");
    return -1;
}

int net_opts_take(net_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *v;
    long n;
    if (strcmp(a, "--offload") == 0)
        o->offload = 1;
    else if (strcmp(a, "--trace") == 0)
        o->trace = 1;
    else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
        o->verbose = 1;
    else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
        o->quiet = 1;
    else if (strcmp(a, "--absolute") == 0)
        o->absolute = 1;
    else if (strcmp(a, "--sack") == 0 || strcmp(a, "--no-sack") == 0)
        o->sack = a[2] != 'n';
    else if (strcmp(a, "--timestamps") == 0 || strcmp(a, "--no-timestamps") == 0)
        o->timestamps = a[2] != 'n';
    else if (is_opt(a, "--dev")) {
        if (!(v = value_of(argc, argv, i, "--dev")) || !*v || strlen(v) > 15)
            return bad(o, "--dev", v);
        o->dev = v;
    } else if (is_opt(a, "--addr")) {
        if (!(v = value_of(argc, argv, i, "--addr")) || net_parse_addr(v, &o->addr))
            return bad(o, "--addr", v);
    } else if (is_opt(a, "--mtu")) {
        if (!(v = value_of(argc, argv, i, "--mtu")) || net_parse_long(v, 576, 65535, &n))
            return bad(o, "--mtu", v);
        o->mtu = (int)n;
    } else if (is_opt(a, "--wscale")) {
        if (!(v = value_of(argc, argv, i, "--wscale")) || net_parse_long(v, -1, 14, &n))
            return bad(o, "--wscale", v);
        o->wscale = (int)n;
    } else if (is_opt(a, "--busy-poll")) {
        if (!(v = value_of(argc, argv, i, "--busy-poll")) || net_parse_long(v, 0, 1000000, &n))
            return bad(o, "--busy-poll", v);
        o->busy_poll_us = (uint32_t)n;
    } else if (is_opt(a, "--sndbuf") || is_opt(a, "--rcvbuf")) {
        int snd = a[2] == 's';
        const char *name = snd ? "--sndbuf" : "--rcvbuf";
        if (!(v = value_of(argc, argv, i, name)) || net_parse_long(v, 1, 1L << 30, &n))
            return bad(o, name, v);
        *(snd ? &o->sndbuf : &o->rcvbuf) = (uint32_t)n;
    } else if (is_opt(a, "--faults") || is_opt(a, "--faults-in") || is_opt(a, "--faults-out")) {
        /* --faults sets both directions; keys not given keep their values,
         * so "--faults loss=1% --faults-in reorder=2%" combines. */
        int both = is_opt(a, "--faults"), in = both || is_opt(a, "--faults-in");
        const char *name = both ? "--faults" : in ? "--faults-in" : "--faults-out";
        fault_params *dirs[2] = { in ? &o->faults.in : NULL,
                                  both || !in ? &o->faults.out : NULL };
        char err[160];
        if (!(v = value_of(argc, argv, i, name))) {
            fprintf(stderr, "%s: %s needs a value such as loss=0.01,reorder=1%%,seed=7\n",
                    o->prog, name);
            return -1;
        }
        for (int d = 0; d < 2; d++)
            if (dirs[d] && fault_parse(v, dirs[d], err, sizeof err)) {
                fprintf(stderr, "%s: %s: %s\n", o->prog, name, err);
                return -1;
            }
    } else if (is_opt(a, "--color")) {
        v = a[7] == '=' ? a + 8 : "always";
        if (strcmp(v, "always") == 0)
            o->color = 1;
        else if (strcmp(v, "never") == 0)
            o->color = 0;
        else if (strcmp(v, "auto") == 0)
            o->color = -1;
        else
            return bad(o, "--color", v);
    } else {
        return 0;
    }
    return 1;
}

void net_opts_usage(FILE *out)
{
    fputs("network options:\n"
          "  --dev NAME        TUN device to create or attach to (default " NET_DEFAULT_DEV ")\n"
          "  --addr A.B.C.D    synack's IPv4 address (default 198.18.0.2)\n"
          "  --offload         virtio-net offloads: TSO super-packets, partial checksums\n"
          "  --mtu N           link MTU (default 1500)\n"
          "  --wscale N        window scale shift to offer, -1: none (default: the stack's)\n"
          "  --no-sack, --no-timestamps   do not offer SACK / timestamps (offered by default)\n"
          "  --sndbuf N, --rcvbuf N   socket buffer limits in bytes (default: the stack's)\n"
          "  --busy-poll US    poll the device for up to US microseconds before sleeping\n"
          "                    (spends a core to save wake-up latency; default 0: off)\n"
          "  --faults SPEC     inject faults both ways between synack and the device;\n"
          "                    SPEC: loss=P,dup=P,reorder=P,corrupt=P,depth=N,delay=T,seed=N\n"
          "                    (P as 0.01 or 1%; a reordered datagram is held until N\n"
          "                    (default 3) later ones passed or T (default 10ms) passed;\n"
          "                    corrupted ones always fail the receiver's checksum;\n"
          "                    held ones are delivered before exit)\n"
          "  --faults-in SPEC, --faults-out SPEC   the same for one direction\n"
          "                    (in: device to synack; out: synack to device)\n"
          "  --trace           draw each connection's ladder diagram on stderr\n"
          "  --color[=WHEN]    ladder colours: always, never, auto (default)\n"
          "  --absolute        ladder: absolute sequence numbers\n"
          "  -v, --verbose     log every state change, and every counter at exit\n"
          "  -q, --quiet       no log lines\n"
          "signals: SIGUSR1 prints every counter (drops by reason, SYN cookies, ...)\n"
          "and carries on; SIGINT/SIGTERM stop cleanly.\n",
          out);
}

static void print_stats(const net_env *e);

static void on_signal(void *ctx, int fd, unsigned events)
{
    (void)events;
    net_env *e = ctx;
    struct signalfd_siginfo si;
    while (read(fd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD)
            e->child_exited = 1;
        else if (si.ssi_signo == SIGUSR1)
            print_stats(e);     /* every counter, now, and carry on */
        else
            e->stop = (int)si.ssi_signo;
    }
}

void net_env_child_sigmask(void)
{
    if (mask_saved)
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
    signal(SIGPIPE, SIG_DFL);
}

int net_env_open(net_env *e, const net_opts *o, int synack_is_server, loop_ready_fn on_ready,
                 void *ready_ctx)
{
    memset(e, 0, sizeof *e);
    e->opts = *o;
    e->sigfd = -1;
    e->dev.fd = -1;
    char err[256];
    if (tun_open(&e->dev, o->dev, o->offload ? TUN_OFFLOAD : 0, err, sizeof err) < 0) {
        fprintf(stderr, "%s: %s\n", o->prog, err);
        return -1;
    }
    if (!o->configure_later && tun_is_up(&e->dev) == 0)
        fprintf(stderr,
                "%s: note: %s is down, so nothing can pass; on the kernel side run\n"
                "    ip addr add 198.18.0.1/24 dev %s; ip link set %s up\n"
                "(or use `synack try`, which sets everything up)\n",
                o->prog, e->dev.name, e->dev.name, e->dev.name);
    e->tracker = net_tracker_new(o, synack_is_server);
    if (!e->tracker) {
        fprintf(stderr, "%s: out of memory\n", o->prog);
        net_env_close(e);
        return -1;
    }
    loop_config lc;
    memset(&lc, 0, sizeof lc);
    synack_config_default(&lc.stack);
    lc.stack.addr = o->addr;
    lc.stack.mtu = (uint16_t)o->mtu;
    if (o->wscale >= -1)
        lc.stack.wscale = (int8_t)o->wscale;
    if (o->sack >= 0)
        lc.stack.sack = (uint8_t)o->sack;
    if (o->timestamps >= 0)
        lc.stack.timestamps = (uint8_t)o->timestamps;
    if (o->sndbuf)
        lc.stack.sndbuf = o->sndbuf;
    if (o->rcvbuf)
        lc.stack.rcvbuf = o->rcvbuf;
    lc.stack.observer = net_tracker_observe;
    lc.stack.observer_ctx = e->tracker;
    lc.dev = &e->dev;
    lc.busy_poll_us = o->busy_poll_us;
    if (fault_config_active(&o->faults)) {
        lc.faults = &o->faults;
        if (!o->quiet) {
            char din[160], dout[160];
            fprintf(stderr, "%s: faults in: %s\n%s: faults out: %s\n", o->prog,
                    fault_describe(&o->faults.in, din, sizeof din), o->prog,
                    fault_describe(&o->faults.out, dout, sizeof dout));
        }
    }
    lc.on_ready = on_ready;
    lc.ready_ctx = ready_ctx;
    int r = loop_new(&lc, &e->lp);
    if (r) {
        fprintf(stderr, "%s: cannot start the stack: %s\n", o->prog, synack_strerror(r));
        net_env_close(e);
        return -1;
    }
    e->st = loop_stack(e->lp);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGUSR1);       /* print the counters */
    /* A shell starts background jobs with SIGINT ignored, and an ignored
     * signal never reaches a signalfd: take the default back (blocked
     * below, so it is only ever read from the signalfd). */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    if (!mask_saved) {
        sigprocmask(SIG_BLOCK, &set, &saved_mask);
        mask_saved = 1;
    } else {
        sigprocmask(SIG_BLOCK, &set, NULL);
    }
    /* A peer closing a pipe we write to is an error code, not a death. */
    signal(SIGPIPE, SIG_IGN);
    e->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (e->sigfd < 0 || loop_add_fd(e->lp, e->sigfd, EPOLLIN, on_signal, e) != 0) {
        fprintf(stderr, "%s: cannot set up signal handling: %s\n", o->prog, strerror(errno));
        net_env_close(e);
        return -1;
    }
    return 0;
}

/* Device and stack counters: with -v at exit, and on SIGUSR1. */
static void print_stats(const net_env *e)
{
    const tun_stats *d = &e->dev.stats;
    synack_stats s;
    synack_stats_get(e->st, &s);
    uint64_t drops = 0;
    for (int i = 0; i < SYNACK_DROP_COUNT; i++)
        drops += s.drops[i];
    fprintf(stderr,
            "%s: dev rx %llu packets (%llu gso, %llu partial csum), tx %llu (%llu gso), "
            "%llu errors; tcp in %llu out %llu, %llu retransmits (%llu fast recoveries, "
            "%llu lost again, %llu timeouts, %llu tail probes, %llu undone), %llu drops\n",
            e->opts.prog, (unsigned long long)d->rx_packets, (unsigned long long)d->rx_gso,
            (unsigned long long)d->rx_csum_partial, (unsigned long long)d->tx_packets,
            (unsigned long long)d->tx_gso, (unsigned long long)(d->tx_errors + d->tx_dropped),
            (unsigned long long)s.tcp_in, (unsigned long long)s.tcp_out,
            (unsigned long long)s.tcp_retransmits, (unsigned long long)s.tcp_fast_retransmits,
            (unsigned long long)s.tcp_lost_retransmits, (unsigned long long)s.tcp_rto_timeouts, (unsigned long long)s.tcp_tlp_probes, (unsigned long long)s.tcp_spurious_recoveries,
            (unsigned long long)drops);
    fprintf(stderr,
            "%s: connections: %llu active, %llu passive, %llu established, %llu reset, "
            "%llu timed out, %llu live; syncookies sent %llu, %llu ok, %llu failed\n",
            e->opts.prog, (unsigned long long)s.conns_active,
            (unsigned long long)s.conns_passive, (unsigned long long)s.conns_established,
            (unsigned long long)s.conns_reset, (unsigned long long)s.conns_timeout,
            (unsigned long long)s.conns_live, (unsigned long long)s.syncookies_sent,
            (unsigned long long)s.syncookies_ok, (unsigned long long)s.syncookies_failed);
    for (int i = 0; i < SYNACK_DROP_COUNT; i++)
        if (s.drops[i])
            fprintf(stderr, "%s:   dropped %llu %s\n", e->opts.prog,
                    (unsigned long long)s.drops[i], synack_drop_name(i));
    const fault *f = loop_faults(e->lp);
    for (int dir = 0; f && dir < 2; dir++) {
        fault_stats fs;
        fault_stats_get(f, (fault_dir)dir, &fs);
        fprintf(stderr,
                "%s: faults %s: %llu packets, %llu lost, %llu corrupted, %llu duplicated, "
                "%llu reordered (%llu by count, %llu by time, %llu not held: full), "
                "%llu delivered, %llu held\n",
                e->opts.prog, dir == FAULT_IN ? "in" : "out", (unsigned long long)fs.packets,
                (unsigned long long)fs.lost, (unsigned long long)fs.corrupted,
                (unsigned long long)fs.duplicated, (unsigned long long)fs.reordered,
                (unsigned long long)fs.released_by_count,
                (unsigned long long)fs.released_by_time, (unsigned long long)fs.hold_full,
                (unsigned long long)fs.delivered, (unsigned long long)fs.held);
    }
}

/* Datagrams the fault layer still holds back are delivered before the
 * stack goes away, not dropped by the exit: the last ACK of a close is as
 * likely to be held as any other, and dropping it would turn a clean close
 * into the peer's retransmissions to a device that is gone. Each is due
 * within its direction's delay; what they provoke may be held again, so the
 * wait is bounded by that delay plus a second. */
static void drain_faults(net_env *e)
{
    const fault *f = e->lp ? loop_faults(e->lp) : NULL;
    if (!f)
        return;
    synack_time delay = e->opts.faults.in.delay > e->opts.faults.out.delay
                            ? e->opts.faults.in.delay : e->opts.faults.out.delay;
    synack_time until = loop_clock() + delay + SYNACK_SEC(1);
    while (fault_next_deadline(f) != SYNACK_TIME_NEVER && loop_clock() < until)
        if (loop_run_once(e->lp, 10) < 0)
            break;
}

void net_env_close(net_env *e)
{
    drain_faults(e);
    if (e->st && e->opts.verbose)
        print_stats(e);
    if (e->lp && e->sigfd >= 0)
        loop_del_fd(e->lp, e->sigfd);
    if (e->sigfd >= 0)
        close(e->sigfd);
    e->sigfd = -1;
    if (e->tracker)
        net_tracker_flush(e->tracker);
    loop_free(e->lp);       /* frees the stack: observer calls end here */
    e->lp = NULL;
    e->st = NULL;
    net_tracker_free(e->tracker);
    e->tracker = NULL;
    tun_close(&e->dev);
    if (mask_saved) {
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        mask_saved = 0;
    }
}
