/* fault.c — the fault layer's two directions (see fault.h): the fixed
 * order of decisions per datagram, the hold queue of reordered datagrams
 * and its releases, counters.
 *
 * Every held datagram of a direction has the same depth and delay, so
 * both release conditions are met in the order the datagrams were held:
 * a FIFO ring suffices, and each datagram costs O(1). A datagram is
 * taken off the ring before it is passed on, so a callback that sends
 * more traffic through the layer (a stack answering a segment) finds the
 * ring consistent. */
#include "fault/fault_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct held {
    uint8_t *pkt;           /* owned copy */
    size_t len;
    synack_tx_info info;    /* out: valid if has_info */
    int has_info;
    unsigned in_flags;      /* in: SYNACK_IN_* */
    uint8_t copies;         /* 2 if duplicated as well */
    uint64_t release_count; /* passed count at which it is overtaken */
    synack_time due;        /* release time */
} held;

typedef struct dirstate {
    fault_params p;
    sim_rng rng;
    held ring[FAULT_MAX_HELD];
    unsigned head, count;
    uint64_t passed;        /* fresh datagrams passed on (not held) */
    fault_stats st;
} dirstate;

struct fault {
    dirstate d[2];
    fault_tx_fn tx;
    fault_rx_fn rx;
    void *ctx;
};

/* Mixed into each direction's seed so that one seed given to both
 * directions still yields two unrelated streams of fates. */
static const uint64_t dir_salt[2] = { 0x6661756c742d696eull, 0x6661756c742d6f75ull };

void fault_config_default(fault_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->in.depth = cfg->out.depth = FAULT_DEFAULT_DEPTH;
    cfg->in.delay = cfg->out.delay = FAULT_DEFAULT_DELAY;
    cfg->in.seed = cfg->out.seed = 1;
}

static int params_active(const fault_params *p)
{
    return p->loss > 0 || p->dup > 0 || p->reorder > 0 || p->corrupt > 0;
}

int fault_config_active(const fault_config *cfg)
{
    return params_active(&cfg->in) || params_active(&cfg->out);
}

static int valid_prob(double p)
{
    return p >= 0.0 && p <= 1.0;   /* also false for NaN */
}

static int valid_params(const fault_params *p)
{
    return valid_prob(p->loss) && valid_prob(p->dup) && valid_prob(p->reorder) &&
           valid_prob(p->corrupt) && p->depth <= FAULT_MAX_HELD;
}

int fault_new(const fault_config *cfg, fault_tx_fn tx, fault_rx_fn rx, void *ctx, fault **out)
{
    *out = NULL;
    if (!cfg || !valid_params(&cfg->in) || !valid_params(&cfg->out))
        return SYNACK_EINVAL;
    fault *f = calloc(1, sizeof *f);
    if (!f)
        return SYNACK_ENOMEM;
    f->tx = tx;
    f->rx = rx;
    f->ctx = ctx;
    const fault_params *ps[2] = { &cfg->in, &cfg->out };
    for (int i = 0; i < 2; i++) {
        dirstate *d = &f->d[i];
        d->p = *ps[i];
        if (!d->p.depth)
            d->p.depth = FAULT_DEFAULT_DEPTH;
        if (!d->p.delay)
            d->p.delay = FAULT_DEFAULT_DELAY;
        sim_rng_seed(&d->rng, d->p.seed ^ dir_salt[i]);
    }
    *out = f;
    return 0;
}

void fault_free(fault *f)
{
    if (!f)
        return;
    for (int i = 0; i < 2; i++) {
        dirstate *d = &f->d[i];
        for (unsigned k = 0; k < d->count; k++)
            free(d->ring[(d->head + k) % FAULT_MAX_HELD].pkt);
    }
    free(f);
}

static int chance(dirstate *d, double p)
{
    if (p <= 0.0)
        return 0;
    return sim_rng_unit(&d->rng) < p;
}

static void pass_on(fault *f, fault_dir dir, const uint8_t *pkt, size_t len,
                    const synack_tx_info *info, unsigned in_flags, synack_time now)
{
    f->d[dir].st.delivered++;
    if (dir == FAULT_OUT) {
        if (f->tx)
            f->tx(f->ctx, pkt, len, info);
    } else if (f->rx) {
        f->rx(f->ctx, pkt, len, in_flags, now);
    }
}

/* Takes the oldest held datagram off the ring and passes it on. */
static void release_head(fault *f, fault_dir dir, uint64_t *counter, synack_time now)
{
    dirstate *d = &f->d[dir];
    held h = d->ring[d->head];
    d->head = (d->head + 1) % FAULT_MAX_HELD;
    d->count--;
    d->st.held--;
    (*counter)++;
    for (int c = 0; c < h.copies; c++)
        pass_on(f, dir, h.pkt, h.len, h.has_info ? &h.info : NULL, h.in_flags, now);
    free(h.pkt);
}

static void release_due(fault *f, fault_dir dir, synack_time now)
{
    dirstate *d = &f->d[dir];
    while (d->count && d->ring[d->head].due <= now)
        release_head(f, dir, &d->st.released_by_time, now);
}

static void release_overtaken(fault *f, fault_dir dir, synack_time now)
{
    dirstate *d = &f->d[dir];
    while (d->count && d->ring[d->head].release_count <= d->passed)
        release_head(f, dir, &d->st.released_by_count, now);
}

/* Holds a datagram back; takes ownership of copy (NULL: copy pkt here).
 * Returns 0, or -1 if it cannot be held (ring full, no memory). */
static int hold(dirstate *d, const uint8_t *pkt, uint8_t *copy, size_t len,
                const synack_tx_info *info, unsigned in_flags, int dup, synack_time now)
{
    if (d->count == FAULT_MAX_HELD)
        return -1;
    if (!copy) {
        copy = malloc(len ? len : 1);
        if (!copy)
            return -1;
        memcpy(copy, pkt, len);
    }
    held *h = &d->ring[(d->head + d->count) % FAULT_MAX_HELD];
    memset(h, 0, sizeof *h);
    h->pkt = copy;
    h->len = len;
    if (info) {
        h->info = *info;
        h->has_info = 1;
    }
    h->in_flags = in_flags;
    h->copies = (uint8_t)(dup ? 2 : 1);
    h->release_count = d->passed + d->p.depth;
    h->due = now + d->p.delay;
    d->count++;
    d->st.held++;
    if (d->st.held > d->st.held_max)
        d->st.held_max = d->st.held;
    return 0;
}

/* The decisions for one fresh datagram, in the simulator's order: loss,
 * corruption, reordering, duplication. */
static void offer(fault *f, fault_dir dir, const uint8_t *pkt, size_t len,
                  const synack_tx_info *info, unsigned in_flags, synack_time now)
{
    dirstate *d = &f->d[dir];
    release_due(f, dir, now);
    d->st.packets++;
    if (chance(d, d->p.loss)) {
        d->st.lost++;
        return;
    }
    synack_tx_info info_copy;
    if (info)
        info_copy = *info;
    uint8_t *damaged = NULL;
    if (chance(d, d->p.corrupt) && len > 0) {
        damaged = fault_corrupt_copy(&d->rng, dir, pkt, len, info ? &info_copy : NULL, &in_flags);
        if (!damaged)
            return;     /* no memory for the copy: the datagram is lost */
        d->st.corrupted++;
        pkt = damaged;
        if (info)
            info = &info_copy;
    }
    int reorder = chance(d, d->p.reorder);
    int dup = chance(d, d->p.dup);
    if (dup)
        d->st.duplicated++;
    if (reorder) {
        if (hold(d, pkt, damaged, len, info, in_flags, dup, now) == 0) {
            d->st.reordered++;
            return;
        }
        d->st.hold_full++;
    }
    pass_on(f, dir, pkt, len, info, in_flags, now);
    if (dup)
        pass_on(f, dir, pkt, len, info, in_flags, now);
    free(damaged);
    d->passed++;
    release_overtaken(f, dir, now);
}

void fault_out(fault *f, const uint8_t *pkt, size_t len, const synack_tx_info *info,
               synack_time now)
{
    offer(f, FAULT_OUT, pkt, len, info, 0, now);
}

void fault_in(fault *f, const uint8_t *pkt, size_t len, unsigned in_flags, synack_time now)
{
    offer(f, FAULT_IN, pkt, len, NULL, in_flags, now);
}

void fault_advance(fault *f, synack_time now)
{
    release_due(f, FAULT_IN, now);
    release_due(f, FAULT_OUT, now);
}

synack_time fault_next_deadline(const fault *f)
{
    synack_time t = SYNACK_TIME_NEVER;
    for (int i = 0; i < 2; i++) {
        const dirstate *d = &f->d[i];
        if (d->count && d->ring[d->head].due < t)
            t = d->ring[d->head].due;
    }
    return t;
}

void fault_flush(fault *f, synack_time now)
{
    for (int i = 0; i < 2; i++)
        while (f->d[i].count)
            release_head(f, (fault_dir)i, &f->d[i].st.released_flushed, now);
}

void fault_stats_get(const fault *f, fault_dir dir, fault_stats *out)
{
    *out = f->d[dir].st;
}
