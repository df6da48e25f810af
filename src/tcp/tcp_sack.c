/* tcp_sack.c — the sender's SACK scoreboard (RFC 2018, RFC 6675): which
 * ranges above SND.UNA the peer holds, the holes between them, and how
 * many bytes they account for. All operations are O(ranges), bounded by
 * TCB_SB_MAX; none scans the send queue. */
#include "stack_impl.h"

#include <string.h>

#include "base/seq.h"

static void sb_insert(tcb_sack *sb, uint32_t l, uint32_t r)
{
    /* Merge with every overlapping or touching range, keep ascending. */
    int i = 0;
    while (i < sb->nsacked && seq_lt(sb->sacked[i][1], l))
        i++;
    int j = i;
    while (j < sb->nsacked && seq_leq(sb->sacked[j][0], r)) {
        l = seq_min(l, sb->sacked[j][0]);
        r = seq_max(r, sb->sacked[j][1]);
        j++;
    }
    int n_removed = j - i;
    if (n_removed == 0 && sb->nsacked == TCB_SB_MAX) {
        /* Full: keep the lowest ranges, they decide what to resend next. */
        if (i == TCB_SB_MAX)
            return;
        sb->nsacked--;
    }
    memmove(sb->sacked[i + 1], sb->sacked[j],
            (size_t)(sb->nsacked - j) * sizeof(sb->sacked[0]));
    sb->nsacked = (uint8_t)(sb->nsacked - n_removed + 1);
    sb->sacked[i][0] = l;
    sb->sacked[i][1] = r;
}

int sack_update(synack_stack *s, tcb *t, const synack_tcp_opts *o)
{
    int news = 0;
    for (int k = 0; k < o->nsack; k++) {
        uint32_t l = o->sack[k][0], r = o->sack[k][1];
        /* Only blocks inside (SND.UNA, SND.MAX] mean anything; D-SACKs
         * (RFC 2883) and forged blocks are ignored. */
        /* Unsigned distances from SND.UNA: a block must satisfy
         * 0 < l - una < r - una <= max - una; comparing with seq_* alone
         * would let a block 2^31 away wrap into range. */
        uint32_t flight = t->snd_max - t->snd_una;
        uint32_t dl = l - t->snd_una, dr = r - t->snd_una;
        if (dl == 0 || dl >= dr || dr > flight)
            continue;
        tcb_sack *sb = tcb_sack_get(s, t);
        if (!sb)
            return news;
        uint32_t before = sack_bytes(t);
        sb_insert(sb, l, r);
        if (sack_bytes(t) != before)
            news = 1;
    }
    return news;
}

void sack_acked(synack_stack *s, tcb *t)
{
    tcb_sack *sb = t->sb;
    if (!sb || !sb->nsacked)
        return;
    int i = 0;
    while (i < sb->nsacked && seq_leq(sb->sacked[i][1], t->snd_una))
        i++;
    if (i) {
        memmove(sb->sacked[0], sb->sacked[i], (size_t)(sb->nsacked - i) * sizeof(sb->sacked[0]));
        sb->nsacked = (uint8_t)(sb->nsacked - i);
    }
    if (sb->nsacked && seq_lt(sb->sacked[0][0], t->snd_una))
        sb->sacked[0][0] = t->snd_una;
    tcb_sack_maybe_free(s, t);
}

void sack_clear(synack_stack *s, tcb *t)
{
    if (t->sb) {
        t->sb->nsacked = 0;
        tcb_sack_maybe_free(s, t);
    }
}

uint32_t sack_bytes(const tcb *t)
{
    uint32_t n = 0;
    if (t->sb)
        for (int i = 0; i < t->sb->nsacked; i++)
            n += t->sb->sacked[i][1] - t->sb->sacked[i][0];
    return n;
}

uint32_t sack_bytes_above(const tcb *t, uint32_t from)
{
    uint32_t n = 0;
    if (t->sb)
        for (int i = 0; i < t->sb->nsacked; i++) {
            uint32_t l = t->sb->sacked[i][0], r = t->sb->sacked[i][1];
            if (seq_gt(r, from))
                n += r - (seq_gt(l, from) ? l : from);
        }
    return n;
}

uint32_t sack_high(const tcb *t)
{
    if (!t->sb || !t->sb->nsacked)
        return t->snd_una;
    return t->sb->sacked[t->sb->nsacked - 1][1];
}

int sack_next_hole(const tcb *t, uint32_t from, uint32_t *start, uint32_t *end)
{
    if (!t->sb || !t->sb->nsacked)
        return 0;
    uint32_t at = seq_max(from, t->snd_una);
    for (int i = 0; i < t->sb->nsacked; i++) {
        uint32_t l = t->sb->sacked[i][0], r = t->sb->sacked[i][1];
        if (seq_lt(at, l)) {
            *start = at;
            *end = l;
            return 1;
        }
        if (seq_lt(at, r))
            at = r;
    }
    return 0;   /* no hole below the highest SACKed byte */
}

uint32_t sack_pipe(const tcb *t, uint32_t high_rxt)
{
    uint32_t high = sack_high(t);
    if (seq_lt(high_rxt, t->snd_una))
        high_rxt = t->snd_una;
    uint32_t resent_to = seq_lt(high_rxt, high) ? high_rxt : high;
    return (seq_gt(t->snd_max, high) ? t->snd_max - high : 0) +
           sack_hole_bytes(t, t->snd_una, resent_to);
}

uint32_t sack_hole_bytes(const tcb *t, uint32_t lo, uint32_t hi)
{
    uint32_t n = 0, at = lo;
    while (seq_lt(at, hi)) {
        uint32_t a, b;
        if (!sack_next_hole(t, at, &a, &b) || !seq_lt(a, hi))
            break;
        if (seq_gt(b, hi))
            b = hi;
        n += b - a;
        at = b;
    }
    return n;
}
