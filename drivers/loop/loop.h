/* loop.h — drives one synack stack on real time over a TUN device.
 *
 * The loop supplies what the sans-I/O core leaves outside: a clock
 * (CLOCK_MONOTONIC in nanoseconds), randomness (getrandom, which seeds the
 * RFC 6528 ISN secret), packets from and to the device, and a timer
 * (timerfd armed at synack_next_deadline). All of it sits behind one epoll
 * descriptor, so there are two ways to use it:
 *
 *   - as the program's loop: loop_run_once() in a loop; add your own
 *     descriptors (stdin, signals...) with loop_add_fd();
 *   - inside an application's own loop: watch loop_fd() for readability
 *     (poll, select, another epoll, libuv...) and call loop_process()
 *     when it is readable; timers are covered because the timerfd is
 *     inside that descriptor. After calling socket functions outside the
 *     loop's callbacks (say, a connect from your own event handler), call
 *     loop_process() once: it is nonblocking and re-arms the timer for
 *     the deadlines those calls created.
 *
 * Socket readiness (synack_ready) is handed to the on_ready callback after
 * every step; the callback may call any socket function. */
#ifndef SYNACK_LOOP_H
#define SYNACK_LOOP_H

#include <stdint.h>

#include "fault/fault.h"
#include "synack.h"
#include "tun/tun.h"

typedef struct loop loop;

/* A registered descriptor became ready; events are EPOLLIN/EPOLLOUT/... */
typedef void (*loop_fd_fn)(void *ctx, int fd, unsigned events);
/* A socket's readiness changed (one synack_ready event). */
typedef void (*loop_ready_fn)(void *ctx, const synack_ready_event *ev);

typedef struct loop_config {
    /* The stack's configuration: set addr and anything else you want
     * (limits, observer...); the loop fills tx / tx_offload, tx_ctx,
     * random and random_ctx, and with an offload device csum_offload and
     * (if 0) tso_max. */
    synack_config stack;
    tun_dev *dev;               /* the link (not owned) */
    loop_ready_fn on_ready;     /* optional */
    void *ready_ctx;
    /* Optional: injects faults between the stack and the device in both
     * directions (drivers/fault/fault.h); copied, NULL for none. Its held
     * datagrams are released by the loop's timer like stack deadlines. */
    const fault_config *faults;
    /* Busy polling (like Linux's SO_BUSY_POLL): before loop_run_once
     * sleeps, it keeps looking for work without blocking for up to this
     * many microseconds. It spends a core to save the wake-up latency of
     * each burst — over TUN that latency, not CPU, limits a kernel sender
     * (docs/BENCHMARKS.md). 0 (the default) sleeps at once. */
    uint32_t busy_poll_us;
} loop_config;

/* Creates the stack and the epoll/timer descriptors. Returns 0, or a
 * SYNACK_E* code (EINVAL from synack_stack_new, ENOMEM, or -errno of a
 * failed epoll/timerfd call). */
int loop_new(const loop_config *cfg, loop **out);

/* Frees the stack and closes the loop's descriptors (not the device). */
void loop_free(loop *l);

synack_stack *loop_stack(loop *l);

/* The fault layer (for its counters), or NULL if none was configured. */
const fault *loop_faults(const loop *l);

/* The epoll descriptor: readable whenever loop_process has work. */
int loop_fd(const loop *l);

/* Milliseconds until the stack's next timer (-1: none), for applications
 * that prefer a timeout to the timerfd. */
int loop_timeout_ms(const loop *l);

/* One nonblocking step: dispatches ready registered descriptors, reads
 * every waiting packet into the stack, fires due timers, reports socket
 * readiness and re-arms the timer. Returns 0, or -1 if the device failed
 * (errno set). */
int loop_process(loop *l);

/* Waits up to max_wait_ms (-1: until something happens) for the device,
 * a timer or a registered descriptor, then runs loop_process. */
int loop_run_once(loop *l, int max_wait_ms);

/* Registers fd (EPOLLIN etc. in events) with a callback; loop_mod_fd
 * changes the events, loop_del_fd forgets it. Return 0 or -errno. */
int loop_add_fd(loop *l, int fd, unsigned events, loop_fd_fn fn, void *ctx);
int loop_mod_fd(loop *l, int fd, unsigned events);
int loop_del_fd(loop *l, int fd);

/* CLOCK_MONOTONIC in nanoseconds: the clock the loop gives the stack. */
synack_time loop_clock(void);

/* 64 random bits from the OS (getrandom); a synack_random_fn. */
uint64_t loop_random(void *ctx);

#endif
