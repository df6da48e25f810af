/* loop.c — the real-time driver of one stack (see loop.h): epoll over the
 * TUN device, a timerfd at the stack's next deadline, and the
 * application's descriptors; CLOCK_MONOTONIC time; getrandom randomness.
 *
 * Order of one step: registered descriptors first (the application may
 * queue data), then every waiting packet, then due timers, then socket
 * readiness, and last the timer is re-armed for whatever is now the next
 * deadline. A descriptor removed during a step is freed only at its end,
 * so an event already fetched for it is never delivered to freed memory.
 *
 * With a fault layer (loop_config.faults) every datagram between stack and
 * device passes through it both ways, and its hold deadline joins the
 * stack's in the timer. */
#include "loop/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* Packets read per step before other work gets a turn (the epoll
 * descriptor stays readable, so the next step continues). */
#define RX_BUDGET 512
#define MAX_EVENTS 32

typedef struct watch {
    int fd;
    int dead;               /* removed during this step: skip, free at end */
    loop_fd_fn fn;
    void *ctx;
    struct watch *next;
} watch;

struct loop {
    synack_stack *stack;
    tun_dev *dev;
    fault *faults;          /* NULL: datagrams go straight through */
    loop_ready_fn on_ready;
    void *ready_ctx;
    int epfd, tfd;
    synack_time armed;      /* deadline the timerfd holds, NEVER if off */
    watch *watches;
    int in_step;
    uint8_t *rxbuf;
    synack_time busy_poll;  /* ns to poll before sleeping, 0: never */
    /* Tags in epoll_event.data.ptr for the loop's own descriptors. */
    watch tag_dev, tag_timer;
};

synack_time loop_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (synack_time)ts.tv_sec * 1000000000u + (synack_time)ts.tv_nsec;
}

uint64_t loop_random(void *ctx)
{
    (void)ctx;
    uint64_t v = 0;
    uint8_t *p = (uint8_t *)&v;
    size_t got = 0;
    while (got < sizeof v) {
        ssize_t n = getrandom(p + got, sizeof v - got, 0);
        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        /* No getrandom (very old kernel): fall back on /dev/urandom. */
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t r = read(fd, p + got, sizeof v - got);
            close(fd);
            if (r > 0) {
                got += (size_t)r;
                continue;
            }
        }
        /* Nothing random is available: the clock is all that is left. */
        return v ^ loop_clock() * 0x9E3779B97F4A7C15ull;
    }
    return v;
}

/* The stack's time: what it was given last (the fault layer holds
 * datagrams relative to it). */
static synack_time stack_now(const loop *l)
{
    return l->stack ? synack_now(l->stack) : loop_clock();
}

static void tx_offload(void *ctx, const uint8_t *pkt, size_t len, const synack_tx_info *info)
{
    loop *l = ctx;
    if (l->faults)
        fault_out(l->faults, pkt, len, info, stack_now(l));
    else
        tun_write(l->dev, pkt, len, info);  /* a failed write is a lost packet:
                                               TCP retransmits; tun counts it */
}

static void tx_plain(void *ctx, const uint8_t *pkt, size_t len)
{
    tx_offload(ctx, pkt, len, NULL);
}

/* What the fault layer lets through, to the device and to the stack. */
static void fault_to_dev(void *ctx, const uint8_t *pkt, size_t len, const synack_tx_info *info)
{
    loop *l = ctx;
    tun_write(l->dev, pkt, len, info);
}

static void fault_to_stack(void *ctx, const uint8_t *pkt, size_t len, unsigned in_flags,
                           synack_time now)
{
    loop *l = ctx;
    synack_input_flags(l->stack, pkt, len, now, in_flags);
}

/* Time moved on: release held datagrams that are due, then fire the
 * stack's timers. */
static void advance(loop *l, synack_time now)
{
    if (l->faults)
        fault_advance(l->faults, now);
    synack_advance(l->stack, now);
}

static synack_time next_deadline(const loop *l)
{
    synack_time d = synack_next_deadline(l->stack);
    if (l->faults) {
        synack_time fd = fault_next_deadline(l->faults);
        if (fd < d)
            d = fd;
    }
    return d;
}

static int epoll_add(int epfd, int fd, unsigned events, void *ptr)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.ptr = ptr;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int loop_new(const loop_config *cfg, loop **out)
{
    *out = NULL;
    if (!cfg->dev || cfg->dev->fd < 0)
        return SYNACK_EINVAL;
    loop *l = calloc(1, sizeof *l);
    if (!l)
        return SYNACK_ENOMEM;
    l->dev = cfg->dev;
    l->busy_poll = SYNACK_USEC(cfg->busy_poll_us);
    l->on_ready = cfg->on_ready;
    l->ready_ctx = cfg->ready_ctx;
    l->epfd = l->tfd = -1;
    l->armed = SYNACK_TIME_NEVER;
    l->tag_dev.fd = cfg->dev->fd;
    l->tag_timer.fd = -1;
    int r = SYNACK_ENOMEM;
    l->rxbuf = malloc(TUN_MAX_PACKET);
    if (!l->rxbuf)
        goto fail;

    synack_config sc = cfg->stack;
    sc.tx_ctx = l;
    sc.random = loop_random;
    sc.random_ctx = NULL;
    if (cfg->dev->flags & TUN_OFFLOAD) {
        sc.tx = NULL;
        sc.tx_offload = tx_offload;
        sc.csum_offload = 1;
        if (!sc.tso_max)
            sc.tso_max = 65535u - 80u;
    } else {
        sc.tx = tx_plain;
        sc.tx_offload = NULL;
        sc.csum_offload = 0;
        sc.tso_max = 0;
    }
    if (cfg->faults && (r = fault_new(cfg->faults, fault_to_dev, fault_to_stack, l,
                                      &l->faults)) != 0)
        goto fail;
    r = synack_stack_new(&sc, &l->stack);
    if (r)
        goto fail;
    synack_advance(l->stack, loop_clock());

    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (l->epfd < 0 || l->tfd < 0) {
        r = -errno;
        goto fail;
    }
    l->tag_timer.fd = l->tfd;
    if ((r = epoll_add(l->epfd, cfg->dev->fd, EPOLLIN, &l->tag_dev)) != 0 ||
        (r = epoll_add(l->epfd, l->tfd, EPOLLIN, &l->tag_timer)) != 0)
        goto fail;
    *out = l;
    return 0;
fail:
    loop_free(l);
    return r;
}

void loop_free(loop *l)
{
    if (!l)
        return;
    while (l->watches) {
        watch *w = l->watches;
        l->watches = w->next;
        free(w);
    }
    if (l->epfd >= 0)
        close(l->epfd);
    if (l->tfd >= 0)
        close(l->tfd);
    synack_stack_free(l->stack);
    fault_free(l->faults);
    free(l->rxbuf);
    free(l);
}

synack_stack *loop_stack(loop *l) { return l->stack; }
const fault *loop_faults(const loop *l) { return l->faults; }
int loop_fd(const loop *l) { return l->epfd; }

int loop_timeout_ms(const loop *l)
{
    synack_time d = next_deadline(l);
    if (d == SYNACK_TIME_NEVER)
        return -1;
    synack_time now = loop_clock();
    if (d <= now)
        return 0;
    synack_time ms = (d - now + 999999u) / 1000000u;
    return ms > 3600000u ? 3600000 : (int)ms;
}

int loop_add_fd(loop *l, int fd, unsigned events, loop_fd_fn fn, void *ctx)
{
    watch *w = calloc(1, sizeof *w);
    if (!w)
        return SYNACK_ENOMEM;
    w->fd = fd;
    w->fn = fn;
    w->ctx = ctx;
    int r = epoll_add(l->epfd, fd, events, w);
    if (r) {
        free(w);
        return r;
    }
    w->next = l->watches;
    l->watches = w;
    return 0;
}

static watch *find_watch(loop *l, int fd)
{
    for (watch *w = l->watches; w; w = w->next)
        if (w->fd == fd && !w->dead)
            return w;
    return NULL;
}

int loop_mod_fd(loop *l, int fd, unsigned events)
{
    watch *w = find_watch(l, fd);
    if (!w)
        return -ENOENT;
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.ptr = w;
    return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

static void reap_watches(loop *l)
{
    watch **pp = &l->watches;
    while (*pp) {
        watch *w = *pp;
        if (w->dead) {
            *pp = w->next;
            free(w);
        } else {
            pp = &w->next;
        }
    }
}

int loop_del_fd(loop *l, int fd)
{
    watch *w = find_watch(l, fd);
    if (!w)
        return -ENOENT;
    epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
    w->dead = 1;
    if (!l->in_step)
        reap_watches(l);
    return 0;
}

/* Reads up to RX_BUDGET packets into the stack, as one input batch
 * (synack_batch_begin/end): what the device had queued is answered
 * together, one ACK for a run of in-order data. Returns 0 or -1. */
static int drain_device(loop *l)
{
    int r = 0;
    /* One arrival time for the batch: what the device had queued arrived
     * together (and the clock is read once, not per packet). */
    synack_time now = loop_clock();
    synack_batch_begin(l->stack);
    for (int i = 0; i < RX_BUDGET; i++) {
        unsigned flags;
        long n = tun_read(l->dev, l->rxbuf, TUN_MAX_PACKET, &flags);
        if (n <= 0) {
            r = n < 0 ? -1 : 0;
            break;
        }
        if (l->faults)
            fault_in(l->faults, l->rxbuf, (size_t)n, flags, now);
        else
            synack_input_flags(l->stack, l->rxbuf, (size_t)n, now, flags);
    }
    synack_batch_end(l->stack);
    return r;
}

static void report_ready(loop *l)
{
    synack_ready_event evs[64];
    /* Callbacks may cause more readiness changes; the queue holds each
     * handle once, so a bounded number of rounds drains it. */
    for (int round = 0; round < 64; round++) {
        int n = synack_ready(l->stack, evs, 64);
        if (n <= 0)
            return;
        for (int i = 0; i < n; i++)
            if (l->on_ready)
                l->on_ready(l->ready_ctx, &evs[i]);
    }
}

static void arm_timer(loop *l)
{
    synack_time d = next_deadline(l);
    if (d == l->armed)
        return;
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    if (d != SYNACK_TIME_NEVER) {
        /* it_value zero would disarm: a deadline at time 0 fires at 1 ns. */
        synack_time at = d ? d : 1;
        its.it_value.tv_sec = (time_t)(at / 1000000000u);
        its.it_value.tv_nsec = (long)(at % 1000000000u);
    }
    if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        l->armed = d;
}

static int step(loop *l, int timeout_ms)
{
    struct epoll_event evs[MAX_EVENTS];
    /* The application may have called the stack since the last step
     * (a connect arms the SYN's retransmission timer): the timer must
     * cover that before we sleep, or a lost reply would never be retried. */
    arm_timer(l);
    int n = 0;
    if (l->busy_poll && timeout_ms != 0) {
        /* Busy polling: look again and again without blocking, and sleep
         * only if nothing came for busy_poll; the time spent counts
         * against the timeout. */
        synack_time start = loop_clock(), spent = 0;
        while (spent < l->busy_poll && (n = epoll_wait(l->epfd, evs, MAX_EVENTS, 0)) == 0)
            spent = loop_clock() - start;
        if (n == 0 && timeout_ms > 0) {
            int ms = (int)(spent / 1000000u);
            timeout_ms = ms < timeout_ms ? timeout_ms - ms : 0;
        }
    }
    if (n == 0)
        n = epoll_wait(l->epfd, evs, MAX_EVENTS, timeout_ms);
    if (n < 0 && errno != EINTR)
        return -1;
    l->in_step = 1;
    /* The application's calls act at the stack's time: bring it up to
     * date before any callback runs. */
    advance(l, loop_clock());
    int rc = 0;
    for (int i = 0; i < n; i++) {
        watch *w = evs[i].data.ptr;
        if (w == &l->tag_timer) {
            uint64_t expirations;
            if (read(l->tfd, &expirations, sizeof expirations) < 0) {
                /* EAGAIN: already consumed; the deadline is checked below. */
            }
            l->armed = SYNACK_TIME_NEVER;
        } else if (w != &l->tag_dev && !w->dead) {
            w->fn(w->ctx, w->fd, evs[i].events);
        }
    }
    report_ready(l);
    if (drain_device(l) < 0)
        rc = -1;
    advance(l, loop_clock());
    report_ready(l);
    arm_timer(l);
    l->in_step = 0;
    reap_watches(l);
    return rc;
}

int loop_process(loop *l) { return step(l, 0); }

int loop_run_once(loop *l, int max_wait_ms) { return step(l, max_wait_ms); }
