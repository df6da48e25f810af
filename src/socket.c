/* socket.c — the BSD-style socket API on integer handles: socket, bind,
 * listen, accept, connect, send, recv, shutdown, close, abort, options,
 * readiness (poll and the edge-triggered ready queue).
 *
 * A handle is an index into the stack's socket table. Listeners keep an
 * accept queue of established connections; half-open ones point back to
 * their listener by handle. The TCP work itself is in tcp/tcp_user.c. */
#include "stack_impl.h"

#include <string.h>

static sock *get(const synack_stack *s, int h)
{
    if (h < 0 || (uint32_t)h >= s->cfg.max_sockets || s->socks[h].kind == SOCK_FREE)
        return NULL;
    return (sock *)&s->socks[h];
}

/* Clears a handle slot, except its readiness-queue mark: the handle may
 * still sit in the queue. */
static void sock_reset(sock *so)
{
    uint8_t in_ready = so->in_ready;
    memset(so, 0, sizeof(*so));
    so->in_ready = in_ready;
}

static void sock_release(synack_stack *s, int h)
{
    sock *so = &s->socks[h];
    sock_reset(so);
    so->kind = SOCK_FREE;
    so->next_free = s->free_sock;
    s->free_sock = h;
}

void sock_notify(synack_stack *s, int h)
{
    if (h < 0 || (uint32_t)h >= s->cfg.max_sockets || s->socks[h].in_ready)
        return;
    s->socks[h].in_ready = 1;
    s->readyq[(s->ready_head + s->ready_len++) % s->cfg.max_sockets] = h;
}

int synack_ready(synack_stack *s, synack_ready_event *evs, int max)
{
    int n = 0;
    while (n < max && s->ready_len) {
        int h = s->readyq[s->ready_head];
        s->ready_head = (s->ready_head + 1) % s->cfg.max_sockets;
        s->ready_len--;
        s->socks[h].in_ready = 0;
        if (s->socks[h].kind == SOCK_FREE)
            continue;
        evs[n].handle = h;
        evs[n].events = synack_poll(s, h);
        n++;
    }
    return n;
}

unsigned synack_poll(const synack_stack *s, int h)
{
    const sock *so = get(s, h);
    if (!so)
        return 0;
    unsigned ev = 0;
    if (so->kind == SOCK_LISTEN) {
        if (so->acceptq_head)
            ev |= SYNACK_EV_READABLE;
    } else if (so->kind == SOCK_CONN && so->tcb) {
        const tcb *t = so->tcb;
        if (t->rcvq.len || t->fin_rcvd || t->error || t->state == SYNACK_CLOSED)
            ev |= SYNACK_EV_READABLE;
        if (t->error || ((t->state == SYNACK_ESTABLISHED || t->state == SYNACK_CLOSE_WAIT) &&
                         !t->fin_queued && ring_free_space(&t->sndq) > 0))
            ev |= SYNACK_EV_WRITABLE;
        if (tcb_synchronized(t))
            ev |= SYNACK_EV_CONNECTED;
        if (t->fin_rcvd || t->state == SYNACK_CLOSED)
            ev |= SYNACK_EV_CLOSED;
        if (t->error)
            ev |= SYNACK_EV_ERROR;
        if (tcp_urgent_pending(t))
            ev |= SYNACK_EV_URGENT;
        if (tcb_troubled(t) && t->state != SYNACK_CLOSED)
            ev |= SYNACK_EV_TROUBLE;
    }
    return ev;
}

int synack_socket(synack_stack *s)
{
    if (s->free_sock < 0)
        return SYNACK_EMFILE;
    int h = s->free_sock;
    sock *so = &s->socks[h];
    s->free_sock = so->next_free;
    sock_reset(so);
    so->kind = SOCK_IDLE;
    so->linger = -1;
    so->rcvbuf = s->cfg.rcvbuf;
    so->sndbuf = s->cfg.sndbuf;
    so->keepidle = TCB_KEEPIDLE_DEFAULT;
    so->keepintvl = TCB_KEEPINTVL_DEFAULT;
    so->keepcnt = TCB_KEEPCNT_DEFAULT;
    so->cc = s->cfg.cc;
    so->next_free = -1;
    return h;
}

int sock_apply_options(synack_stack *s, const sock *so, tcb *t)
{
    ring_init(&t->sndq, so->sndbuf);
    ring_init(&t->rcvq, so->rcvbuf);
    t->nodelay = so->nodelay;
    t->quickack = so->quickack;
    t->cc_algo = so->cc;
    /* RFC 9293 3.7.1 / RFC 6691: MSS = MTU - 20 (IP) - 20 (TCP). */
    uint32_t mss = s->cfg.mtu - 40u;
    if (so->mss_cap && so->mss_cap < mss)
        mss = so->mss_cap;
    t->adv_mss = (uint16_t)mss;
    /* The rest lives in the TCB's extension: only options away from
     * their defaults make one now. */
    if (!so->keepalive && so->keepidle == TCB_KEEPIDLE_DEFAULT &&
        so->keepintvl == TCB_KEEPINTVL_DEFAULT && so->keepcnt == TCB_KEEPCNT_DEFAULT &&
        so->linger == -1 && !so->mss_cap && !so->retries)
        return 0;
    tcb_ext *x = tcb_ext_get(s, t);
    if (!x)
        return SYNACK_ENOMEM;
    t->keepalive = so->keepalive;
    x->keepidle = (uint16_t)so->keepidle;
    x->keepintvl = (uint16_t)so->keepintvl;
    x->keepcnt = (uint16_t)so->keepcnt;
    x->linger = so->linger;
    x->mss_cap = so->mss_cap;
    x->retries_max = so->retries;
    return 0;
}

/* Is port taken by another socket? Bound and listening sockets always
 * conflict; connected ones (an accepted connection, a client) only
 * without SO_REUSEADDR — which is how a server restarts while its old
 * connections live on, as with BSD sockets. */
static int port_taken(const synack_stack *s, int self, uint16_t port, int reuseaddr)
{
    for (uint32_t i = 0; i < s->cfg.max_sockets; i++) {
        const sock *o = &s->socks[i];
        if ((int)i == self || o->kind == SOCK_FREE || o->port != port)
            continue;
        if (o->kind != SOCK_CONN || !reuseaddr)
            return 1;
    }
    return 0;
}

/* Is port used by a connection that no handle owns (FIN-WAIT, TIME-WAIT)?
 * O(table size); only bind calls this. */
static int port_has_orphans(const synack_stack *s, uint16_t port)
{
    for (uint32_t b = 0; b <= s->table_mask; b++)
        for (const tcb *t = s->table[b]; t; t = t->hnext)
            if (t->lport == port && t->handle < 0 && t->listener < 0)
                return 1;
    return tw_port_in_use(s, port);
}

static uint16_t next_ephemeral(synack_stack *s)
{
    uint16_t p = s->next_ephemeral;
    s->next_ephemeral = p >= EPHEMERAL_HIGH ? EPHEMERAL_LOW : (uint16_t)(p + 1);
    return p;
}

int synack_bind(synack_stack *s, int h, uint32_t addr, uint16_t port)
{
    sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    if (so->kind != SOCK_IDLE || so->port)
        return SYNACK_EINVAL;
    if (addr != 0 && addr != s->cfg.addr)
        return SYNACK_EADDRNOTAVAIL;
    if (port == 0) {
        for (uint32_t tries = 0; tries < EPHEMERAL_COUNT; tries++) {
            uint16_t p = next_ephemeral(s);
            if (!port_taken(s, h, p, 0) && !port_has_orphans(s, p)) {
                so->port = p;
                return 0;
            }
        }
        return SYNACK_EADDRINUSE;
    }
    if (port_taken(s, h, port, so->reuseaddr) || (!so->reuseaddr && port_has_orphans(s, port)))
        return SYNACK_EADDRINUSE;
    so->port = port;
    return 0;
}

sock *sock_find_listener(synack_stack *s, uint16_t port, int *handle)
{
    for (int h = s->listeners; h >= 0; h = s->socks[h].next_listener) {
        if (s->socks[h].port == port) {
            *handle = h;
            return &s->socks[h];
        }
    }
    return NULL;
}

int synack_listen(synack_stack *s, int h, int backlog)
{
    sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    uint32_t bl = backlog <= 0 ? 128u : (uint32_t)backlog;
    if (so->kind == SOCK_LISTEN) {
        so->backlog = bl;
        return 0;
    }
    if (so->kind != SOCK_IDLE)
        return SYNACK_EINVAL;
    if (!so->port) {
        int r = synack_bind(s, h, 0, 0);
        if (r)
            return r;
    }
    int other;
    if (sock_find_listener(s, so->port, &other))
        return SYNACK_EADDRINUSE;
    so->kind = SOCK_LISTEN;
    so->backlog = bl;
    so->next_listener = s->listeners;
    s->listeners = h;
    return 0;
}

void sock_listener_established(synack_stack *s, tcb *t)
{
    sock *l = &s->socks[t->listener];
    if (!t->cookie)
        l->nhalf--;     /* a cookie connection was never half-open here */
    l->naccept++;
    t->in_acceptq = 1;
    t->qnext = NULL;
    if (l->acceptq_tail)
        l->acceptq_tail->qnext = t;
    else
        l->acceptq_head = t;
    l->acceptq_tail = t;
    sock_notify(s, t->listener);
}

void sock_listener_detach(synack_stack *s, tcb *t)
{
    sock *l = &s->socks[t->listener];
    tcb **pp = &l->acceptq_head, *prev = NULL;
    while (*pp && *pp != t) {
        prev = *pp;
        pp = &(*pp)->qnext;
    }
    if (*pp) {
        *pp = t->qnext;
        if (l->acceptq_tail == t)
            l->acceptq_tail = prev;
    }
    t->qnext = NULL;
    if (t->in_acceptq)
        l->naccept--;
    else
        l->nhalf--;
    t->in_acceptq = 0;
    t->listener = -1;
}

int synack_accept(synack_stack *s, int h, synack_endpoint *peer)
{
    sock *l = get(s, h);
    if (!l)
        return SYNACK_EBADF;
    if (l->kind != SOCK_LISTEN)
        return SYNACK_EINVAL;
    tcb *t = l->acceptq_head;
    if (!t)
        return SYNACK_EAGAIN;
    int nh = synack_socket(s);
    if (nh < 0)
        return nh;
    sock_listener_detach(s, t);
    sock *so = &s->socks[nh];
    so->kind = SOCK_CONN;
    so->port = t->lport;
    so->tcb = t;
    so->rcvbuf = t->rcvq.cap;
    so->sndbuf = t->sndq.cap;
    so->nodelay = t->nodelay;
    so->keepalive = t->keepalive;
    if (t->ext) {
        /* The listener's options, which the connection took
         * (sock_apply_options): the handle must report and keep them.
         * Without an extension they are the defaults synack_socket set. */
        so->linger = t->ext->linger;
        so->mss_cap = t->ext->mss_cap;
        so->retries = t->ext->retries_max;
        so->keepidle = t->ext->keepidle;
        so->keepintvl = t->ext->keepintvl;
        so->keepcnt = t->ext->keepcnt;
    }
    so->quickack = t->quickack;
    so->cc = t->cc_algo;
    t->handle = nh;
    if (peer) {
        peer->addr = t->raddr;
        peer->port = t->rport;
    }
    /* It may already have data, a FIN or even be closed. */
    sock_notify(s, nh);
    return nh;
}

int synack_connect(synack_stack *s, int h, uint32_t addr, uint16_t port)
{
    sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    if (so->kind == SOCK_LISTEN)
        return SYNACK_EINVAL;
    if (so->kind == SOCK_CONN) {
        int st = so->tcb ? (int)so->tcb->state : SYNACK_CLOSED;
        return st == SYNACK_SYN_SENT || st == SYNACK_SYN_RECEIVED ? SYNACK_EALREADY
                                                                   : SYNACK_EISCONN;
    }
    if (addr == 0 || port == 0 || addr == 0xFFFFFFFFu || (addr >> 28) == 0xE)
        return SYNACK_EINVAL;
    uint16_t lport = so->port;
    if (lport) {
        if (tcb_lookup(s, addr, port, lport) || tw_lookup(s, addr, port, lport))
            return SYNACK_EADDRINUSE;
    } else {
        int other, found = 0;
        for (uint32_t tries = 0; tries < EPHEMERAL_COUNT && !found; tries++) {
            lport = next_ephemeral(s);
            found = !tcb_lookup(s, addr, port, lport) && !tw_lookup(s, addr, port, lport) &&
                    !sock_find_listener(s, lport, &other);
        }
        if (!found)
            return SYNACK_EADDRNOTAVAIL;
    }
    tcb *t = tcb_new(s, addr, lport, port);
    if (!t)
        return SYNACK_ENOMEM;
    if (sock_apply_options(s, so, t) != 0) {
        tcb_release(s, t);
        return SYNACK_ENOMEM;
    }
    so->port = lport;
    so->kind = SOCK_CONN;
    so->tcb = t;
    t->handle = h;
    return tcp_user_connect(s, t);
}

static tcb *conn_of(const synack_stack *s, int h, int *err)
{
    sock *so = get(s, h);
    if (!so) {
        *err = SYNACK_EBADF;
        return NULL;
    }
    if (so->kind != SOCK_CONN || !so->tcb) {
        *err = SYNACK_ENOTCONN;
        return NULL;
    }
    return so->tcb;
}

static long sock_send(synack_stack *s, int h, const void *buf, size_t len, int urgent)
{
    int err;
    tcb *t = conn_of(s, h, &err);
    if (!t)
        return err;
    if (!buf && len)
        return SYNACK_EINVAL;
    return tcp_user_send(s, t, buf, len, urgent);
}

long synack_send(synack_stack *s, int h, const void *buf, size_t len)
{
    return sock_send(s, h, buf, len, 0);
}

long synack_send_urgent(synack_stack *s, int h, const void *buf, size_t len)
{
    return sock_send(s, h, buf, len, 1);
}

long synack_urgent_pending(const synack_stack *s, int h)
{
    int err;
    tcb *t = conn_of(s, h, &err);
    return t ? tcp_urgent_pending(t) : err;
}

long synack_recv(synack_stack *s, int h, void *buf, size_t len)
{
    int err;
    tcb *t = conn_of(s, h, &err);
    if (!t)
        return err;
    if (!buf && len)
        return SYNACK_EINVAL;
    return tcp_user_recv(s, t, buf, len);
}

long synack_recv_ready(const synack_stack *s, int h)
{
    int err;
    tcb *t = conn_of(s, h, &err);
    return t ? (long)t->rcvq.len : err;
}

long synack_send_pending(const synack_stack *s, int h)
{
    int err;
    tcb *t = conn_of(s, h, &err);
    return t ? (long)t->sndq.len : err;
}

long synack_recv_peek(synack_stack *s, int h, const void **data)
{
    if (data)
        *data = NULL;
    int err;
    tcb *t = conn_of(s, h, &err);
    if (!t)
        return err;
    if (!data)
        return SYNACK_EINVAL;
    return tcp_user_recv_peek(t, data);
}

int synack_recv_consume(synack_stack *s, int h, size_t n)
{
    int err;
    tcb *t = conn_of(s, h, &err);
    if (!t)
        return err;
    if (n > t->rcvq.len)
        return SYNACK_EINVAL;   /* bytes the application was never shown */
    if (n > 0)
        tcp_user_consume(s, t, (uint32_t)n);
    return 0;
}

long synack_send_reserve(synack_stack *s, int h, size_t want, void **buf)
{
    if (buf)
        *buf = NULL;
    int err;
    tcb *t = conn_of(s, h, &err);
    if (!t)
        return err;
    if (!buf || want == 0)
        return SYNACK_EINVAL;
    return tcp_user_send_reserve(s, t, want, buf);
}

long synack_send_commit(synack_stack *s, int h, size_t n)
{
    int err;
    tcb *t = conn_of(s, h, &err);
    return t ? tcp_user_send_commit(s, t, n) : err;
}

int synack_shutdown(synack_stack *s, int h)
{
    int err;
    tcb *t = conn_of(s, h, &err);
    if (!t)
        return err;
    return tcp_user_shutdown(s, t);
}

static void listener_close(synack_stack *s, int h)
{
    /* RFC 9293 3.10.4 CLOSE in LISTEN: delete it. Connections it holds
     * (half-open or not yet accepted) have no owner left: reset them. */
    for (uint32_t b = 0; b <= s->table_mask; b++) {
        tcb *t = s->table[b];
        while (t) {
            tcb *next = t->hnext;
            if (t->listener == h)
                tcp_user_abort(s, t);
            t = next;
        }
    }
    int *pp = &s->listeners;
    while (*pp >= 0 && *pp != h)
        pp = &s->socks[*pp].next_listener;
    if (*pp == h)
        *pp = s->socks[h].next_listener;
}

static void conn_detach(synack_stack *s, sock *so, int abort)
{
    tcb *t = so->tcb;
    so->tcb = NULL;
    if (!t)
        return;
    t->handle = -1;
    if (t->state == SYNACK_CLOSED)
        tcb_release(s, t);
    else if (abort)
        tcp_user_abort(s, t);
    else
        tcp_user_close(s, t);
}

static int sock_close(synack_stack *s, int h, int abort)
{
    sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    if (so->kind == SOCK_LISTEN)
        listener_close(s, h);
    else if (so->kind == SOCK_CONN)
        conn_detach(s, so, abort);
    sock_release(s, h);
    return 0;
}

int synack_close(synack_stack *s, int h) { return sock_close(s, h, 0); }
int synack_abort(synack_stack *s, int h) { return sock_close(s, h, 1); }

int synack_get_error(synack_stack *s, int h)
{
    sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    int e = 0;
    if (so->kind == SOCK_CONN && so->tcb) {
        e = so->tcb->error;
        so->tcb->error = 0;
    }
    return e;
}

int synack_get_state(const synack_stack *s, int h)
{
    const sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    if (so->kind == SOCK_LISTEN)
        return SYNACK_LISTEN;
    return so->kind == SOCK_CONN && so->tcb ? (int)so->tcb->state : SYNACK_CLOSED;
}

long synack_get_conn_id(const synack_stack *s, int h)
{
    const sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    return so->kind == SOCK_CONN && so->tcb ? (long)so->tcb->id : 0;
}

int synack_local_addr(const synack_stack *s, int h, synack_endpoint *out)
{
    const sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    out->addr = so->port ? s->cfg.addr : 0;
    out->port = so->port;
    return 0;
}

int synack_remote_addr(const synack_stack *s, int h, synack_endpoint *out)
{
    const sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    if (so->kind != SOCK_CONN || !so->tcb)
        return SYNACK_ENOTCONN;
    out->addr = so->tcb->raddr;
    out->port = so->tcb->rport;
    return 0;
}

int synack_setopt(synack_stack *s, int h, int opt, int v)
{
    sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    tcb *t = so->kind == SOCK_CONN ? so->tcb : NULL;
    int early = so->kind == SOCK_IDLE;      /* before connect/listen */
    switch (opt) {
    case SYNACK_SO_REUSEADDR:
        so->reuseaddr = v != 0;
        return 0;
    case SYNACK_SO_LINGER:
        if (v < -1)
            return SYNACK_EINVAL;
        if (t) {
            tcb_ext *x = tcb_ext_get(s, t);
            if (!x)
                return SYNACK_ENOMEM;
            x->linger = v;
        }
        so->linger = v;
        return 0;
    case SYNACK_SO_RCVBUF:
    case SYNACK_SO_SNDBUF:
        if (v < 1 || v > (1 << 30))
            return SYNACK_EINVAL;
        if (!early)
            return SYNACK_EINVAL;   /* buffers are sized at connect/listen */
        if (opt == SYNACK_SO_RCVBUF)
            so->rcvbuf = (uint32_t)v;
        else
            so->sndbuf = (uint32_t)v;
        return 0;
    case SYNACK_SO_KEEPALIVE:
        if (t) {
            if (v && !tcb_ext_get(s, t))
                return SYNACK_ENOMEM;   /* keepalive's state lives there */
            t->keepalive = v != 0;
            tcb_keepalive_reset(s, t);
        }
        so->keepalive = v != 0;
        return 0;
    case SYNACK_TCP_NODELAY:
        so->nodelay = v != 0;
        if (t) {
            t->nodelay = so->nodelay;
            tcp_output(s, t);       /* release what Nagle was holding */
        }
        return 0;
    case SYNACK_TCP_MAXSEG:
        if (v < 64 || v > 65495 || !early)
            return SYNACK_EINVAL;
        so->mss_cap = (uint16_t)v;
        return 0;
    case SYNACK_TCP_KEEPIDLE:
    case SYNACK_TCP_KEEPINTVL:
    case SYNACK_TCP_KEEPCNT:
        if (v < 1 || v > 32767)
            return SYNACK_EINVAL;
        if (t && !tcb_ext_get(s, t))
            return SYNACK_ENOMEM;
        if (opt == SYNACK_TCP_KEEPIDLE)
            so->keepidle = (uint32_t)v;
        else if (opt == SYNACK_TCP_KEEPINTVL)
            so->keepintvl = (uint32_t)v;
        else
            so->keepcnt = (uint32_t)v;
        if (t) {
            t->ext->keepidle = (uint16_t)so->keepidle;
            t->ext->keepintvl = (uint16_t)so->keepintvl;
            t->ext->keepcnt = (uint16_t)so->keepcnt;
            if (t->keepalive)
                tcb_keepalive_reset(s, t);
        }
        return 0;
    case SYNACK_TCP_QUICKACK:
        so->quickack = v != 0;
        if (t)
            t->quickack = so->quickack;
        return 0;
    case SYNACK_TCP_SOFT_ERROR:
        return SYNACK_EINVAL;       /* read-only */
    case SYNACK_TCP_RETRIES:
        if (v < 0 || v > 255)
            return SYNACK_EINVAL;
        if (t) {
            tcb_ext *x = tcb_ext_get(s, t);
            if (!x)
                return SYNACK_ENOMEM;
            x->retries_max = (uint8_t)v;
        }
        so->retries = (uint8_t)v;
        return 0;
    case SYNACK_TCP_CONGESTION:
        if (v != SYNACK_CC_NEWRENO && v != SYNACK_CC_CUBIC)
            return SYNACK_EINVAL;
        so->cc = (uint8_t)v;
        if (t) {
            /* Switching modules mid-connection keeps cwnd and ssthresh;
             * the new module starts a fresh epoch. */
            t->cc_algo = so->cc;
            if (t->ext)
                t->ext->cc.epoch = SYNACK_TIME_NEVER;
        }
        return 0;
    default:
        return SYNACK_ENOPROTOOPT;
    }
}

int synack_getopt(const synack_stack *s, int h, int opt, int *v)
{
    const sock *so = get(s, h);
    if (!so)
        return SYNACK_EBADF;
    const tcb *t = so->kind == SOCK_CONN ? so->tcb : NULL;
    switch (opt) {
    case SYNACK_SO_REUSEADDR: *v = so->reuseaddr; return 0;
    case SYNACK_SO_LINGER:    *v = so->linger; return 0;
    case SYNACK_SO_RCVBUF:    *v = (int)so->rcvbuf; return 0;
    case SYNACK_SO_SNDBUF:    *v = (int)so->sndbuf; return 0;
    case SYNACK_SO_KEEPALIVE: *v = so->keepalive; return 0;
    case SYNACK_TCP_NODELAY:  *v = so->nodelay; return 0;
    case SYNACK_TCP_MAXSEG:
        /* Like Linux: the MSS in use once connected, else the cap. */
        *v = t && tcb_synchronized(t) ? t->mss : (so->mss_cap ? so->mss_cap : s->cfg.mtu - 40);
        return 0;
    case SYNACK_TCP_KEEPIDLE:  *v = (int)so->keepidle; return 0;
    case SYNACK_TCP_KEEPINTVL: *v = (int)so->keepintvl; return 0;
    case SYNACK_TCP_KEEPCNT:   *v = (int)so->keepcnt; return 0;
    case SYNACK_TCP_QUICKACK:  *v = so->quickack; return 0;
    case SYNACK_TCP_CONGESTION: *v = so->cc; return 0;
    case SYNACK_TCP_SOFT_ERROR: *v = t ? tcb_soft_error(t) : 0; return 0;
    case SYNACK_TCP_RETRIES:
        /* The limit in force; before connect, the one the SYN will have. */
        *v = t ? (int)tcb_retry_limit(s, t) : so->retries ? so->retries : (int)s->cfg.syn_retries;
        return 0;
    default:
        return SYNACK_ENOPROTOOPT;
    }
}
