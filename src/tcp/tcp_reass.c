/* tcp_reass.c — the receiver's out-of-order queue and the SACK blocks it
 * reports (RFC 9293 3.10.7.4 seventh step, RFC 2018 section 4).
 *
 * Out-of-order bytes are written straight into the receive ring at their
 * offset from RCV.NXT (they are inside the advertised window, so the ring
 * has room for them); only their ranges are tracked here. When the hole
 * at RCV.NXT fills, the ranges now contiguous are committed in O(ranges),
 * with no second copy. */
#include "stack_impl.h"

#include <string.h>

#include "base/seq.h"

tcb_sack *tcb_sack_get(synack_stack *s, tcb *t)
{
    if (!t->sb)
        t->sb = stack_calloc(s, sizeof(*t->sb));
    return t->sb;
}

void tcb_sack_maybe_free(synack_stack *s, tcb *t)
{
    if (t->sb && t->sb->nooo == 0 && t->sb->nsacked == 0) {
        stack_free(s, t->sb);
        t->sb = NULL;
    }
}

/* Moves range i to the front (most recently changed). */
static void to_front(tcb_sack *sb, int i)
{
    uint32_t a = sb->ooo[i][0], b = sb->ooo[i][1];
    memmove(sb->ooo[1], sb->ooo[0], (size_t)i * sizeof(sb->ooo[0]));
    sb->ooo[0][0] = a;
    sb->ooo[0][1] = b;
}

static void remove_at(tcb_sack *sb, int i)
{
    memmove(sb->ooo[i], sb->ooo[i + 1], (size_t)(sb->nooo - i - 1) * sizeof(sb->ooo[0]));
    sb->nooo--;
}

int reass_store(synack_stack *s, tcb *t, uint32_t seq, const uint8_t *data, uint32_t len)
{
    tcb_sack *sb = tcb_sack_get(s, t);
    if (!sb)
        return -1;
    uint32_t start = seq, end = seq + len;
    int touches = 0;
    for (int i = 0; i < sb->nooo; i++)
        if (!seq_gt(sb->ooo[i][0], end) && !seq_lt(sb->ooo[i][1], start))
            touches = 1;
    if (!touches && sb->nooo == TCB_OOO_MAX)
        return -1;      /* bounded: the sender retransmits what we drop */
    if (ring_write_at(&t->rcvq, t->rcvq.len + (seq - t->rcv_nxt), data, len, stack_ring_alloc,
                      stack_ring_free, s) != 0)
        return -1;
    /* Bytes already held: a duplicate to report (the first overlap; the
     * merged range, reported next, contains it, as RFC 2883 4.1.2 shows). */
    for (int i = 0; i < sb->nooo; i++) {
        uint32_t l = seq_max(start, sb->ooo[i][0]), r = seq_min(end, sb->ooo[i][1]);
        if (seq_lt(l, r)) {
            reass_note_duplicate(s, t, l, r);
            break;
        }
    }
    /* Merge every range that overlaps or touches [start, end). */
    int merged = -1;
    for (int i = 0; i < sb->nooo; i++) {
        if (seq_gt(sb->ooo[i][0], end) || seq_lt(sb->ooo[i][1], start))
            continue;
        start = seq_min(start, sb->ooo[i][0]);
        end = seq_max(end, sb->ooo[i][1]);
        if (merged < 0) {
            merged = i;
        } else {
            remove_at(sb, i);
            i--;
        }
    }
    if (merged < 0)
        merged = sb->nooo++;
    sb->ooo[merged][0] = start;
    sb->ooo[merged][1] = end;
    to_front(sb, merged);
    return 0;
}

uint32_t reass_advance(synack_stack *s, tcb *t)
{
    tcb_sack *sb = t->sb;
    if (!sb)
        return 0;
    uint32_t gained = 0;
    for (int i = 0; i < sb->nooo;) {
        if (seq_leq(sb->ooo[i][0], t->rcv_nxt)) {
            if (seq_gt(sb->ooo[i][1], t->rcv_nxt)) {
                uint32_t n = sb->ooo[i][1] - t->rcv_nxt;
                ring_commit(&t->rcvq, n);
                t->rcv_nxt += n;
                gained += n;
            }
            remove_at(sb, i);
            i = 0;      /* the new RCV.NXT may reach another range */
            continue;
        }
        i++;
    }
    tcb_sack_maybe_free(s, t);
    return gained;
}

void reass_note_duplicate(synack_stack *s, tcb *t, uint32_t l, uint32_t r)
{
    /* RFC 2883 4: the first block of the next ACK reports the duplicate
     * of the segment that triggered it; only the latest one is kept. The
     * sender learns its retransmission was unneeded (and can undo what
     * it did about a loss that was not one). */
    if (!t->sack_ok || !seq_lt(l, r))
        return;
    tcb_ext *x = tcb_ext_get(s, t);
    if (!x)
        return;
    x->dsack_l = l;
    x->dsack_r = r;
    x->dsack_pending = 1;
}

int reass_block_count(const tcb *t)
{
    if (!t->sack_ok)
        return 0;
    int n = (t->ext && t->ext->dsack_pending) + (t->sb ? t->sb->nooo : 0);
    int max = t->ts_ok ? 3 : 4;
    return n < max ? n : max;
}

void reass_sack_blocks(const tcb *t, synack_tcp_opts *o, int max)
{
    o->nsack = 0;
    if (!t->sack_ok)
        return;
    if (t->ext && t->ext->dsack_pending && max > 0) {
        o->sack[0][0] = t->ext->dsack_l;
        o->sack[0][1] = t->ext->dsack_r;
        o->nsack = 1;
    }
    if (!t->sb)
        return;
    for (int i = 0; i < t->sb->nooo && o->nsack < max && o->nsack < 4; i++) {
        o->sack[o->nsack][0] = t->sb->ooo[i][0];
        o->sack[o->nsack][1] = t->sb->ooo[i][1];
        o->nsack++;
    }
}
