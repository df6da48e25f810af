/* harness.c — the stack-driving half of the scenario harness (harness.h):
 * the transmit FIFO, injection, expectations, the clock and the state
 * trace. The segment language lives in h_spec.c. */
#include "support/harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "support/h_packet.h"

typedef struct emitted {
    uint8_t *pkt;
    size_t len;
    synack_time at;
} emitted;

struct h_private {
    synack_stack *stack;
    synack_time now;
    emitted *q;                 /* FIFO: [head, tail) */
    size_t head, tail, cap;
    uint8_t *last;              /* the datagram last popped */
    const uint8_t *last_payload;
    size_t last_payload_len;
    h_state_change *states;
    size_t nstates, states_cap;
    synack_observer_fn user_observer;
    void *user_observer_ctx;
    int oom;                    /* the harness itself ran out of memory */
    harness *next_live;         /* the list of harnesses not yet freed */
};

/* Harnesses not yet freed. A failed check longjmps out of the test case,
 * past its h_free; without this list every failure would be followed by
 * pages of leak reports burying the one line that matters. At exit the
 * survivors are freed and the program fails with one line instead. */
static harness *live;

static void free_survivors(void)
{
    int n = 0;
    while (live) {
        n++;
        h_free(live);
    }
    if (n) {
        fprintf(stderr, "harness: %d harness(es) not freed by their test (a failed check "
                "skips h_free; a passing test must call it)\n", n);
        fflush(NULL);
        _exit(1);
    }
}

static void on_tx(void *ctx, const uint8_t *pkt, size_t len)
{
    harness *h = ctx;
    h_private *p = h->priv;
    if (p->tail == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        emitted *q = realloc(p->q, cap * sizeof *q);
        if (!q) {
            p->oom = 1;
            return;
        }
        p->q = q;
        p->cap = cap;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        p->oom = 1;
        return;
    }
    memcpy(copy, pkt, len);
    p->q[p->tail++] = (emitted){ copy, len, p->now };
}

static void on_trace(void *ctx, const synack_trace_event *ev)
{
    harness *h = ctx;
    h_private *p = h->priv;
    if (ev->kind == SYNACK_TRACE_STATE) {
        if (p->nstates == p->states_cap) {
            size_t cap = p->states_cap ? p->states_cap * 2 : 32;
            h_state_change *s = realloc(p->states, cap * sizeof *s);
            if (!s) {
                p->oom = 1;
                goto forward;
            }
            p->states = s;
            p->states_cap = cap;
        }
        p->states[p->nstates++] = (h_state_change){
            ev->now, ev->conn_id, ev->old_state, ev->new_state, ev->cause,
        };
    }
forward:
    if (p->user_observer)
        p->user_observer(p->user_observer_ctx, ev);
}

harness *h_new_at(const char *file, int line, const synack_config *cfg)
{
    synack_config c;
    if (cfg) {
        c = *cfg;
    } else {
        synack_config_default(&c);
        c.addr = H_DEFAULT_LOCAL_ADDR;
        c.mtu = 1500;
        c.seed = 1;
        c.delack = 0;
        c.rcvbuf = c.sndbuf = 65535;
    }
    harness *h = calloc(1, sizeof *h);
    h_private *p = calloc(1, sizeof *p);
    if (!h || !p) {
        free(h);
        free(p);
        check_fail(file, line, "h_new: out of memory");
    }
    h->priv = p;
    h->peer_addr = H_DEFAULT_PEER_ADDR;
    h->peer_port = H_DEFAULT_PEER_PORT;
    h->local_port = H_DEFAULT_LOCAL_PORT;
    h->local_addr = c.addr;
    p->user_observer = c.observer;
    p->user_observer_ctx = c.observer_ctx;
    c.tx = on_tx;
    c.tx_ctx = h;
    c.tx_offload = NULL;
    c.tso_max = 0;
    c.csum_offload = 0;
    c.observer = on_trace;
    c.observer_ctx = h;
    int rc = synack_stack_new(&c, &p->stack);
    if (rc < 0) {
        free(p);
        free(h);
        check_fail(file, line, "h_new: synack_stack_new: %s", synack_strerror(rc));
    }
    static int registered;
    if (!registered && atexit(free_survivors) == 0)
        registered = 1;
    p->next_live = live;
    live = h;
    return h;
}

void h_free(harness *h)
{
    if (!h)
        return;
    h_private *p = h->priv;
    for (harness **pp = &live; *pp; pp = &(*pp)->priv->next_live)
        if (*pp == h) {
            *pp = p->next_live;
            break;
        }
    synack_stack_free(p->stack);
    for (size_t i = p->head; i < p->tail; i++)
        free(p->q[i].pkt);
    free(p->q);
    free(p->last);
    free(p->states);
    free(p);
    free(h);
}

synack_stack *h_stack(harness *h)
{
    return h->priv->stack;
}

synack_time h_now(const harness *h)
{
    return h->priv->now;
}

void h_advance(harness *h, synack_time dt)
{
    h->priv->now += dt;
    synack_advance(h->priv->stack, h->priv->now);
}

static void parse_or_fail(const char *file, int line, const char *what, const char *text,
                          h_spec *spec)
{
    char err[200];
    if (h_spec_parse(text, spec, err, sizeof err) < 0)
        check_fail(file, line, "%s: bad spec \"%s\": %s", what, text, err);
}

int h_inject_at(const char *file, int line, harness *h, const void *data, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    h_spec spec;
    parse_or_fail(file, line, "h_inject", text, &spec);
    if (spec.wild)
        check_fail(file, line, "h_inject: \"%s\": '*' only makes sense in expectations", text);
    if (!(spec.given & H_GIVEN_WIN))
        spec.seg.wnd = H_DEFAULT_INJECT_WIN;
    spec.seg.saddr = h->peer_addr;
    spec.seg.daddr = h->local_addr;
    spec.seg.sport = h->peer_port;
    spec.seg.dport = h->local_port;
    uint8_t *buf = malloc(65536);
    if (!buf)
        check_fail(file, line, "h_inject: out of memory");
    size_t len = h_build_datagram(buf, 65536, &spec.seg, data);
    if (len == 0) {
        free(buf);
        check_fail(file, line, "h_inject: \"%s\" does not fit in one datagram", text);
    }
    int rc = synack_input(h->priv->stack, buf, len, h->priv->now);
    free(buf);
    return rc;
}

int h_inject_raw(harness *h, const void *pkt, size_t len)
{
    return synack_input(h->priv->stack, pkt, len, h->priv->now);
}

size_t h_pending(const harness *h)
{
    return h->priv->tail - h->priv->head;
}

/* Takes the next datagram off the FIFO and decodes it; fails the test if
 * there is none or it is not valid TCP. */
static synack_segment pop_segment(const char *file, int line, harness *h, const char *what,
                                  const char *spec_text)
{
    h_private *p = h->priv;
    if (p->oom)
        check_fail(file, line, "%s: the harness ran out of memory recording packets", what);
    if (p->head == p->tail) {
        if (spec_text)
            check_fail(file, line, "%s: want \"%s\", but the stack sent nothing", what, spec_text);
        check_fail(file, line, "%s: the stack sent nothing", what);
    }
    emitted e = p->q[p->head++];
    if (p->head == p->tail)
        p->head = p->tail = 0;
    free(p->last);
    p->last = e.pkt;
    synack_segment seg;
    char why[200];
    if (h_parse_datagram(e.pkt, e.len, &seg, &p->last_payload, why, sizeof why) < 0)
        check_fail(file, line, "%s: the stack sent a bad datagram: %s", what, why);
    p->last_payload_len = seg.len;
    return seg;
}

synack_segment h_pop_at(const char *file, int line, harness *h)
{
    return pop_segment(file, line, h, "h_pop", NULL);
}

const uint8_t *h_last_payload(const harness *h, size_t *len)
{
    *len = h->priv->last_payload_len;
    return h->priv->last_payload;
}

/* The expectation as a segment, for printing: fields the spec does not
 * check take the received values so only real differences show. */
static synack_segment wanted(const harness *h, const h_spec *spec, const synack_segment *got)
{
    synack_segment w = spec->seg;
    w.saddr = h->local_addr;
    w.daddr = h->peer_addr;
    w.sport = h->local_port;
    w.dport = h->peer_port;
    if (!(spec->given & H_GIVEN_WIN) || (spec->wild & H_WILD_WIN))
        w.wnd = got->wnd;
    if (!(spec->given & H_GIVEN_URG) || (spec->wild & H_WILD_URG))
        w.urg = got->urg;
    if (spec->wild & H_WILD_ACK)
        w.ack = got->ack;
    if (!(spec->given & H_GIVEN_OPTS)) {
        w.opts = got->opts;
    } else {
        if (spec->wild & H_WILD_TSVAL)
            w.opts.tsval = got->opts.tsval;
        if (spec->wild & H_WILD_TSECR)
            w.opts.tsecr = got->opts.tsecr;
    }
    return w;
}

void h_expect_at(const char *file, int line, harness *h, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    h_spec spec;
    parse_or_fail(file, line, "h_expect", text, &spec);
    synack_segment got = pop_segment(file, line, h, "h_expect", text);
    char why[200];
    int ok = h_spec_match(&spec, &got, why, sizeof why);
    if (ok && (got.saddr != h->local_addr || got.daddr != h->peer_addr ||
               got.sport != h->local_port || got.dport != h->peer_port)) {
        snprintf(why, sizeof why, "addresses or ports differ");
        ok = 0;
    }
    if (!ok) {
        char want_s[512], got_s[512];
        synack_segment w = wanted(h, &spec, &got);
        check_fail(file, line, "h_expect: %s\n  want: %s\n  got:  %s\n  spec: %s", why,
                   h_fmt_segment(&w, want_s, sizeof want_s),
                   h_fmt_segment(&got, got_s, sizeof got_s), text);
    }
}

void h_expect_nothing_at(const char *file, int line, harness *h)
{
    h_private *p = h->priv;
    if (p->oom)
        check_fail(file, line, "h_expect_nothing: the harness ran out of memory");
    if (p->head == p->tail)
        return;
    char s[512];
    synack_segment seg;
    const uint8_t *payload;
    char why[200];
    const emitted *e = &p->q[p->head];
    if (h_parse_datagram(e->pkt, e->len, &seg, &payload, why, sizeof why) < 0)
        check_fail(file, line, "h_expect_nothing: the stack sent %zu datagram(s), the first "
                   "invalid: %s", h_pending(h), why);
    check_fail(file, line, "h_expect_nothing: the stack sent %zu datagram(s), the first:\n  %s",
               h_pending(h), h_fmt_segment(&seg, s, sizeof s));
}

const h_state_change *h_trace_states(const harness *h, size_t *n)
{
    *n = h->priv->nstates;
    return h->priv->states;
}

void h_expect_states_at(const char *file, int line, const harness *h, uint32_t conn,
                        const char *list)
{
    char got[1024] = "";
    size_t used = 0;
    const h_private *p = h->priv;
    for (size_t i = 0; i < p->nstates; i++) {
        if (conn && p->states[i].conn_id != conn)
            continue;
        int n = snprintf(got + used, sizeof got - used, "%s%s", used ? " " : "",
                         synack_state_name(p->states[i].new_state));
        if (n < 0 || (size_t)n >= sizeof got - used)
            check_fail(file, line, "h_expect_states: too many transitions to compare");
        used += (size_t)n;
    }
    /* Normalise the expected list's spacing. */
    char want[1024] = "";
    size_t wu = 0;
    for (const char *s = list; *s;) {
        while (*s == ' ' || *s == '\t')
            s++;
        size_t k = strcspn(s, " \t");
        if (!k)
            break;
        if (wu + k + 2 > sizeof want)
            check_fail(file, line, "h_expect_states: list too long");
        if (wu)
            want[wu++] = ' ';
        memcpy(want + wu, s, k);
        wu += k;
        want[wu] = '\0';
        s += k;
    }
    if (strcmp(got, want) != 0)
        check_fail(file, line, "h_expect_states (conn %u):\n  want: %s\n  got:  %s", conn, want, got);
}
