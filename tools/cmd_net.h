/* cmd_net.h — what `synack serve`, `synack connect` and `synack try`
 * share: their common options, the TUN device + event loop + stack
 * set-up, signal handling through the loop, and the per-connection
 * tracker that logs state changes and draws `--trace` ladders.
 *
 * Files: cmd_net.c (options, set-up, signals), cmd_net_track.c (tracker
 * and live ladders). */
#ifndef SYNACK_CMD_NET_H
#define SYNACK_CMD_NET_H

#include <stdint.h>
#include <stdio.h>

#include "commands.h"
#include "ladder_model.h"
#include "loop/loop.h"
#include "synack.h"
#include "tun/tun.h"

#define NET_DEFAULT_DEV    "synack0"
#define NET_DEFAULT_ADDR   0xC6120002u     /* 198.18.0.2: synack */
#define NET_DEFAULT_KERNEL 0xC6120001u     /* 198.18.0.1: the kernel side */

typedef struct net_opts {
    const char *dev;            /* TUN interface name */
    uint32_t addr;              /* synack's address */
    int offload;                /* IFF_VNET_HDR offloads */
    int trace;                  /* draw a ladder per connection */
    int verbose;                /* log every state change */
    int quiet;                  /* no log lines, no progress */
    int color;                  /* ladder colours: -1 auto, 0, 1 */
    int absolute;               /* ladder: absolute sequence numbers */
    int mtu;
    int wscale;                 /* -2 stack default, -1 off, else shift */
    int sack, timestamps;       /* -1 stack default, else 0/1 */
    uint32_t sndbuf, rcvbuf;    /* 0: stack default */
    uint32_t busy_poll_us;      /* loop_config.busy_poll_us, 0: off */
    const char *prog;           /* "synack serve" for messages */
    int configure_later;        /* the caller brings the device up */
    fault_config faults;        /* --faults, --faults-in, --faults-out */
} net_opts;

void net_opts_default(net_opts *o, const char *prog);

/* Tries to take argv[*i] (and its value) as a common option. Returns 1 if
 * it did (advancing *i past a value), 0 if it is not a common option, -1
 * after printing an error for a bad value. */
int net_opts_take(net_opts *o, int argc, char **argv, int *i);

/* Help text for the common options. */
void net_opts_usage(FILE *out);

/* Parses "a.b.c.d" into a host-order address. Returns 0 or -1. */
int net_parse_addr(const char *s, uint32_t *out);
/* Parses a decimal integer in [lo, hi]. Returns 0 or -1. */
int net_parse_long(const char *s, long lo, long hi, long *out);

/* ------------------------------------------------------------ tracker */

typedef struct net_conn_info {
    uint32_t id;                /* conn_id, 0: slot free */
    synack_endpoint peer;       /* known once a segment was seen */
    uint16_t lport;
    int state;                  /* last synack_state */
    int init_state;             /* state before the first event */
    int error;                  /* last error reported */
    ladder_model *ladder;       /* with --trace */
    void *tail;                 /* rows kept after the ladder's head */
    uint64_t omitted;           /* rows not kept */
    int synack_side;            /* ladder side of synack */
} net_conn_info;

typedef struct net_tracker net_tracker;

/* synack is the server (ladder right side) or the client (left side). */
net_tracker *net_tracker_new(const net_opts *o, int synack_is_server);
void net_tracker_free(net_tracker *t);
/* The observer to put in synack_config (ctx: the tracker). */
void net_tracker_observe(void *ctx, const synack_trace_event *ev);
/* The tracked record of conn_id, or NULL. */
const net_conn_info *net_tracker_get(const net_tracker *t, uint32_t id);
/* Draws the ladders of connections that reached TIME-WAIT during the
 * last loop step (call after each step). */
void net_tracker_tick(net_tracker *t);
/* Draws every ladder still open (at exit). */
void net_tracker_flush(net_tracker *t);

/* ---------------------------------------------------------------- env */

typedef struct net_env {
    net_opts opts;
    tun_dev dev;
    loop *lp;
    synack_stack *st;
    net_tracker *tracker;
    int sigfd;
    int stop;                   /* signal number that asked us to stop */
    int child_exited;           /* SIGCHLD seen */
} net_env;

/* Opens the device, the loop and the stack (observer: the tracker) and
 * routes SIGINT/SIGTERM/SIGHUP/SIGCHLD into e->stop / e->child_exited.
 * Prints a one-line reason and returns -1 on failure. */
int net_env_open(net_env *e, const net_opts *o, int synack_is_server, loop_ready_fn on_ready,
                 void *ready_ctx);
/* Frees all of it and restores the signal mask. */
void net_env_close(net_env *e);

/* The signal mask to give a child before exec. */
void net_env_child_sigmask(void);

/* ------------------------------------------------------ serve engine */

/* How `synack try` runs the server inside its namespace: started() once
 * the device and listeners exist (configure the kernel side, launch a
 * command), done() after every loop step (stop when it says so). */
typedef struct serve_ctl {
    int (*started)(void *ctx, net_env *e);
    int (*done)(void *ctx, net_env *e);
    void *ctx;
} serve_ctl;

/* `synack serve` with the given arguments (argv[0] is skipped) and
 * message prefix. Returns the exit code. */
int serve_run(int argc, char **argv, const char *prog, const serve_ctl *ctl);

/* "198.18.0.1:80" */
const char *net_ep_str(uint32_t addr, uint16_t port, char buf[24]);

#endif
