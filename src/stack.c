/* stack.c — the stack object: configuration, creation and teardown, the
 * clock (advance / next deadline), counters, allocation and trace events.
 *
 * Packet input lives in ip/ip_input.c, sockets in socket.c, TCP in tcp/. */
#include "stack_impl.h"

#include <stdlib.h>
#include <string.h>

#include "base/siphash.h"
#include "ip/reasm.h"
#include "wire/wire.h"

static void *default_alloc(void *ctx, size_t n) { (void)ctx; return malloc(n); }
static void default_free(void *ctx, void *p) { (void)ctx; free(p); }

void synack_config_default(synack_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->mtu = 1500;
    cfg->max_sockets = 1024;
    cfg->max_conns = 4096;
    /* Buffers grow on demand up to these sizes and are freed when idle. */
    cfg->sndbuf = 256 * 1024;
    cfg->rcvbuf = 256 * 1024;
    /* RFC 9293 3.4.2 suggests MSL = 2 minutes; Linux keeps TIME-WAIT for
     * 60 s. We follow Linux (MSL 30 s) and make it configurable. */
    cfg->msl = SYNACK_SEC(30);
    /* RFC 9293 3.8.3 (MUST-23): keep trying a SYN for at least 3 minutes:
     * with a 1 s RTO doubling to the 60 s cap, 7 retries give 183 s. */
    cfg->syn_retries = 7;
    cfg->synack_retries = 5;
    cfg->data_retries = 15;
    cfg->rto_initial = SYNACK_SEC(1);       /* RFC 6298 (2.1) */
    cfg->rto_min = SYNACK_MSEC(200);
    cfg->rto_max = SYNACK_SEC(60);
    cfg->delack = SYNACK_MSEC(40);
    cfg->fin_wait_2_timeout = SYNACK_SEC(60);
    /* RFC 7323 and RFC 2018 on by default, as in Linux: each is used only
     * when the peer offers it too. */
    cfg->wscale = 7;
    cfg->timestamps = 1;
    cfg->sack = 1;
    cfg->cc = SYNACK_CC_CUBIC;
    cfg->syncookies = 1;
    /* IPv4 reassembly bounds (see synack.h). */
    cfg->reasm_max_bytes = 256 * 1024;
    cfg->reasm_max_datagrams = 64;
    cfg->reasm_timeout = SYNACK_SEC(30);
}

void *stack_alloc(synack_stack *s, size_t n) { return s->cfg.alloc(s->cfg.alloc_ctx, n); }
void stack_free(synack_stack *s, void *p) { if (p) s->cfg.free(s->cfg.alloc_ctx, p); }
void *stack_calloc(synack_stack *s, size_t n)
{
    void *p = stack_alloc(s, n);
    if (p)
        memset(p, 0, n);
    return p;
}

/* The cache is a list threaded through the free blocks' first bytes. */
static void *cache_pop(rec_cache *c)
{
    void *p = c->head;
    if (p) {
        memcpy(&c->head, p, sizeof(void *));
        c->n--;
    }
    return p;
}

/* Keeps p if the cache holds fewer than max; returns whether it did. */
static int cache_push(rec_cache *c, void *p, unsigned max)
{
    if (c->n >= max)
        return 0;
    memcpy(p, &c->head, sizeof(void *));
    c->head = p;
    c->n++;
    return 1;
}

void *rec_get(synack_stack *s, rec_cache *c, size_t size)
{
    void *p = cache_pop(c);
    if (!p)
        return stack_calloc(s, size);
    /* A reused record starts exactly as a fresh calloc'ed one would. */
    memset(p, 0, size);
    return p;
}

void rec_put(synack_stack *s, rec_cache *c, void *p)
{
    if (p && !cache_push(c, p, REC_CACHE_MAX))
        stack_free(s, p);
}

void rec_cache_drain(synack_stack *s, rec_cache *c)
{
    void *p;
    while ((p = cache_pop(c)) != NULL)
        stack_free(s, p);
}

void *stack_ring_alloc(void *ctx, size_t n)
{
    synack_stack *s = ctx;
    void *p = n == STACK_BUF_CACHED ? cache_pop(&s->buf_cache) : NULL;
    return p ? p : stack_alloc(s, n);   /* like malloc: contents unspecified */
}

void stack_ring_free(void *ctx, void *p)
{
    stack_free(ctx, p);
}

void stack_ring_release(synack_stack *s, ring *r)
{
    if (r->buf && r->size == STACK_BUF_CACHED &&
        cache_push(&s->buf_cache, r->buf, STACK_BUF_CACHE_MAX))
        r->buf = NULL;      /* kept; the rest as ring_free leaves it */
    ring_free(r, s->cfg.free, s->cfg.alloc_ctx);
}

void stack_ring_trim(synack_stack *s, ring *r)
{
    if (ring_trimmable(r))
        stack_ring_release(s, r);
}

uint64_t stack_random(synack_stack *s)
{
    return s->cfg.random ? s->cfg.random(s->cfg.random_ctx) : rng_next(&s->rng);
}

static int config_valid(const synack_config *c)
{
    return (c->tx || c->tx_offload) && (c->tx_offload || (!c->tso_max && !c->csum_offload)) &&
           c->addr != 0 && c->tso_max <= 65535u - 80u && c->mtu >= 68 && c->max_sockets > 0 &&
           c->max_sockets <= (1u << 24) && c->max_conns > 0 &&
           c->sndbuf >= 1 && c->rcvbuf >= 1 && c->sndbuf <= (1u << 30) &&
           c->rcvbuf <= (1u << 30) && c->rto_min > 0 && c->rto_min <= c->rto_max &&
           c->rto_initial > 0 && c->wscale <= 14 && c->cc <= SYNACK_CC_CUBIC &&
           c->delack < SYNACK_MSEC(500) &&   /* RFC 9293 MUST-40 */
           /* The retry count saturates at 65535 (tcb.retries is 16 bits). */
           c->syn_retries < UINT16_MAX && c->synack_retries < UINT16_MAX &&
           c->data_retries < UINT16_MAX &&
           (!c->alloc) == (!c->free);
}

int synack_stack_new(const synack_config *cfg, synack_stack **out)
{
    *out = NULL;
    if (!cfg || !config_valid(cfg))
        return SYNACK_EINVAL;
    synack_alloc_fn alloc = cfg->alloc ? cfg->alloc : default_alloc;
    synack_free_fn fr = cfg->alloc ? cfg->free : default_free;
    synack_stack *s = alloc(cfg->alloc_ctx, sizeof(*s));
    if (!s)
        return SYNACK_ENOMEM;
    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    s->cfg.alloc = alloc;
    s->cfg.free = fr;
    rng_seed(&s->rng, cfg->seed);

    /* Connection hash: about one bucket per connection record. */
    uint32_t buckets = 16;
    while (buckets < cfg->max_conns && buckets < (1u << 22))
        buckets <<= 1;
    s->table_mask = buckets - 1;
    s->table = stack_calloc(s, buckets * sizeof(*s->table));
    s->tw_table = stack_calloc(s, buckets * sizeof(*s->tw_table));
    s->socks = stack_calloc(s, cfg->max_sockets * sizeof(*s->socks));
    s->readyq = stack_alloc(s, cfg->max_sockets * sizeof(*s->readyq));
    /* One datagram: an MTU, or a TSO super-segment with full headers. */
    s->tx_cap = cfg->mtu;
    if (cfg->tso_max && cfg->tso_max + 80u > s->tx_cap)
        s->tx_cap = cfg->tso_max + 80u;
    s->txbuf = stack_alloc(s, s->tx_cap);
    s->txcur = s->txbuf;
    /* One timer-heap slot per possible TCB, reserved now: the heap then
     * never allocates, so placing a connection in it cannot fail in the
     * middle of processing a segment (where closing the connection would
     * pull the TCB from under its caller). The timers kept in the TCB
     * extension need the extension; their callers make it first
     * (tcb_timer_set's fallback only guards that rule). */
    int heap_ok = heap_reserve(&s->timers, cfg->max_conns, s->cfg.alloc, s->cfg.free,
                               s->cfg.alloc_ctx) == 0;
    if (!s->table || !s->tw_table || !s->socks || !s->readyq || !s->txbuf || !heap_ok) {
        synack_stack_free(s);
        return SYNACK_ENOMEM;
    }
    for (uint32_t i = 0; i < cfg->max_sockets; i++)
        s->socks[i].next_free = i + 1 < cfg->max_sockets ? (int)i + 1 : -1;
    s->free_sock = 0;
    s->listeners = -1;

    /* RFC 6528: the ISN secret is random and fixed for the stack's life. */
    for (int i = 0; i < 2; i++) {
        uint64_t r = stack_random(s);
        memcpy(s->isn_secret + 8 * i, &r, 8);
    }
    for (int i = 0; i < 2; i++) {
        uint64_t r = stack_random(s);
        memcpy(s->cookie_secret + 8 * i, &r, 8);
    }
    s->hash_salt = stack_random(s);
    s->next_ephemeral = (uint16_t)(EPHEMERAL_LOW + stack_random(s) % EPHEMERAL_COUNT);
    s->ip_id = (uint16_t)stack_random(s);
    s->next_conn_id = 1;
    if (cfg->reasm_max_bytes) {
        s->reasm = ip_reasm_new(s);
        if (!s->reasm) {
            synack_stack_free(s);
            return SYNACK_ENOMEM;
        }
    }
    *out = s;
    return 0;
}

void synack_stack_free(synack_stack *s)
{
    if (!s)
        return;
    /* Free every TCB: hashed ones via the table, orphans included, and
     * those only reachable through a socket (already CLOSED). */
    if (s->table) {
        for (uint32_t b = 0; b <= s->table_mask; b++) {
            tcb *t = s->table[b];
            while (t) {
                tcb *n = t->hnext;
                t->in_table = 0;
                if (t->handle >= 0 && s->socks)
                    s->socks[t->handle].tcb = NULL;
                t->handle = -1;
                tcb_release(s, t);
                t = n;
            }
        }
    }
    if (s->socks) {
        for (uint32_t i = 0; i < s->cfg.max_sockets; i++) {
            tcb *t = s->socks[i].kind == SOCK_CONN ? s->socks[i].tcb : NULL;
            if (t) {
                t->handle = -1;
                tcb_release(s, t);
            }
        }
    }
    heap_release(&s->timers, s->cfg.free, s->cfg.alloc_ctx);
    tw_free_all(s);
    rec_cache_drain(s, &s->tcb_cache);
    rec_cache_drain(s, &s->ext_cache);
    rec_cache_drain(s, &s->tw_cache);
    rec_cache_drain(s, &s->buf_cache);
    if (s->reasm)
        ip_reasm_free(s, s->reasm);
    stack_free(s, s->table);
    stack_free(s, s->tw_table);
    stack_free(s, s->socks);
    stack_free(s, s->readyq);
    stack_free(s, s->txbuf);
    s->cfg.free(s->cfg.alloc_ctx, s);
}

synack_time synack_now(const synack_stack *s) { return s->now; }

synack_time synack_next_deadline(const synack_stack *s)
{
    /* The timer heap is lazy (tcp_timer.c): entries may sit early, and
     * are put right here so the answer is exact. That is bookkeeping
     * inside the stack the caller handed over (it was allocated
     * writable); nothing observable changes. */
    synack_time t = tcb_timers_next((synack_stack *)s);
    synack_time tw = tw_next_expiry(s);
    if (tw < t)
        t = tw;
    if (s->reasm) {
        synack_time r = ip_reasm_deadline(s->reasm);
        if (r < t)
            t = r;
    }
    return t;
}

/* ------------------------------------------------------------ batches */

int synack_batch_begin(synack_stack *s)
{
    if (s->in_batch)
        return SYNACK_EALREADY;
    s->in_batch = 1;
    s->nbatched = 0;
    return 0;
}

int synack_batch_end(synack_stack *s)
{
    if (!s->in_batch)
        return SYNACK_EINVAL;
    s->in_batch = 0;
    /* In arrival order. Output cannot close a connection or defer again
     * (the batch is over), so the list stays as it is while we walk it. */
    for (unsigned i = 0; i < s->nbatched; i++) {
        tcb *t = s->batched[i];
        if (t && t->state != SYNACK_CLOSED)
            tcp_output(s, t);
    }
    s->nbatched = 0;
    return 0;
}

int batch_defer(synack_stack *s, tcb *t)
{
    if (!s->in_batch)
        return 0;
    for (unsigned i = 0; i < s->nbatched; i++)
        if (s->batched[i] == t)
            return 1;
    if (s->nbatched == STACK_BATCH_MAX)
        return 0;
    s->batched[s->nbatched++] = t;
    return 1;
}

void batch_forget(synack_stack *s, tcb *t)
{
    for (unsigned i = 0; i < s->nbatched; i++)
        if (s->batched[i] == t)
            s->batched[i] = NULL;
}

void synack_advance(synack_stack *s, synack_time now)
{
    /* Time moves: what waited for the end of a batch goes first. */
    if (s->in_batch)
        synack_batch_end(s);
    if (now > s->now)
        s->now = now;
    /* Each firing re-arms or removes the TCB's node, so the loop ends; a
     * bound guards against a timer that re-arms at the same instant. */
    for (unsigned guard = 0; guard < 1000000; guard++) {
        heap_node *n = heap_min(&s->timers);
        if (!n || n->key > s->now)
            break;
        tcb *t = (tcb *)((char *)n - offsetof(tcb, hn));
        tcb_timers_fire(s, t);
    }
    tw_expire(s);
    if (s->reasm)
        ip_reasm_expire(s, s->reasm, s->now);
}

void synack_stats_get(const synack_stack *s, synack_stats *out) { *out = s->stats; }

/* ------------------------------------------------------------- tracing */

static void trace_init_id(synack_trace_event *ev, const synack_stack *s, uint32_t id,
                          int handle, synack_trace_kind kind)
{
    memset(ev, 0, sizeof(*ev));
    ev->kind = kind;
    ev->now = s->now;
    ev->conn_id = id;
    ev->handle = handle;
}

/* Each event is built once, for a connection named by its id and handle:
 * a TCB's (trace_*), or a TIME-WAIT entry's / a TCB-less reply's (id,
 * handle -1: trace_*_id). */
#define TCB_ID(t) ((t) ? (t)->id : 0u)
#define TCB_HANDLE(t) ((t) ? (t)->handle : -1)

static void seg_ev(synack_stack *s, synack_trace_kind kind, uint32_t id, int handle,
                   const synack_segment *seg, int retransmit)
{
    if (!s->cfg.observer)
        return;
    synack_trace_event ev;
    trace_init_id(&ev, s, id, handle, kind);
    ev.has_seg = 1;
    ev.seg = *seg;
    ev.retransmit = retransmit;
    s->cfg.observer(s->cfg.observer_ctx, &ev);
}

static void state_ev(synack_stack *s, uint32_t id, int handle, synack_state from,
                     synack_state to, const char *cause)
{
    if (!s->cfg.observer)
        return;
    synack_trace_event ev;
    trace_init_id(&ev, s, id, handle, SYNACK_TRACE_STATE);
    ev.old_state = from;
    ev.new_state = to;
    ev.cause = cause;
    s->cfg.observer(s->cfg.observer_ctx, &ev);
}

static void timer_ev(synack_stack *s, uint32_t id, int handle, synack_timer which)
{
    if (!s->cfg.observer)
        return;
    synack_trace_event ev;
    trace_init_id(&ev, s, id, handle, SYNACK_TRACE_TIMER);
    ev.timer = which;
    s->cfg.observer(s->cfg.observer_ctx, &ev);
}

static void drop_ev(synack_stack *s, synack_drop why, uint32_t id, int handle,
                    const synack_segment *seg)
{
    if (!s->cfg.observer)
        return;
    synack_trace_event ev;
    trace_init_id(&ev, s, id, handle, SYNACK_TRACE_SEG_DROP);
    ev.drop = why;
    if (seg) {
        ev.has_seg = 1;
        ev.seg = *seg;
    }
    s->cfg.observer(s->cfg.observer_ctx, &ev);
}

void trace_seg_id(synack_stack *s, synack_trace_kind kind, uint32_t id, const synack_segment *seg)
{
    seg_ev(s, kind, id, -1, seg, 0);
}

void trace_state_id(synack_stack *s, uint32_t id, synack_state from, synack_state to,
                    const char *cause)
{
    state_ev(s, id, -1, from, to, cause);
}

void trace_timer_id(synack_stack *s, uint32_t id, synack_timer which)
{
    timer_ev(s, id, -1, which);
}

void trace_seg_event(synack_stack *s, synack_trace_kind kind, const tcb *t,
                     const synack_segment *seg, int retransmit)
{
    seg_ev(s, kind, TCB_ID(t), TCB_HANDLE(t), seg, retransmit);
}

void trace_drop(synack_stack *s, synack_drop why, const tcb *t, const synack_segment *seg)
{
    drop_ev(s, why, TCB_ID(t), TCB_HANDLE(t), seg);
}

void trace_state_event(synack_stack *s, const tcb *t, synack_state from, synack_state to,
                       const char *cause)
{
    state_ev(s, TCB_ID(t), TCB_HANDLE(t), from, to, cause);
}

void trace_timer(synack_stack *s, const tcb *t, synack_timer which)
{
    timer_ev(s, TCB_ID(t), TCB_HANDLE(t), which);
}

void trace_error(synack_stack *s, const tcb *t, int err, const char *cause)
{
    if (!s->cfg.observer)
        return;
    synack_trace_event ev;
    trace_init_id(&ev, s, TCB_ID(t), TCB_HANDLE(t), SYNACK_TRACE_ERROR);
    ev.error = err;
    ev.cause = cause;
    s->cfg.observer(s->cfg.observer_ctx, &ev);
}

void stack_drop(synack_stack *s, synack_drop why, const tcb *t, const synack_segment *seg)
{
    s->stats.drops[why]++;
    s->ndrops++;
    trace_drop(s, why, t, seg);
}

void stack_drop_id(synack_stack *s, synack_drop why, uint32_t id, const synack_segment *seg)
{
    s->stats.drops[why]++;
    s->ndrops++;
    drop_ev(s, why, id, -1, seg);
}
