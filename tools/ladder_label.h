/* ladder_label.h — turns model facts into the words on a diagram, the
 * same way for every renderer: segment labels ("[S.] seq=0 ack=1
 * win=65535 <mss 1460>"), relative sequence numbers, scaled windows,
 * times and endpoints.
 *
 * Sequence numbers are shown relative to each end's ISN by default (as
 * Wireshark does), with the ISNs printed in the diagram's header; absolute
 * numbers on request. A labeler walks the rows in order because what a
 * number means depends on what came before: a new SYN from an end with a
 * different sequence number starts a new ISN (the renderer says so), and
 * window fields are scaled only once both SYNs offered window scaling
 * (RFC 7323 section 2.2; windows in SYN segments are never scaled). */
#ifndef SYNACK_LADDER_LABEL_H
#define SYNACK_LADDER_LABEL_H

#include <stddef.h>

#include "ladder_model.h"

#define LADDER_TOKENS_MAX 24
#define LADDER_TOKEN_LEN  40

/* A label is a list of tokens a renderer may wrap between (never inside);
 * .sep is what goes before a token when it follows another on the same
 * line (" ", "," inside an option list, ", " between annotations). */
typedef struct ladder_token {
    const char *sep;
    char text[LADDER_TOKEN_LEN];
} ladder_token;

typedef struct ladder_label {
    size_t n;
    ladder_token tok[LADDER_TOKENS_MAX];
    int rebased;        /* this SYN gave its end a new ISN (see .isn) */
    uint32_t isn;
} ladder_label;

typedef struct ladder_labeler {
    const ladder_model *m;
    int absolute, all_options;
    int decimals;                   /* for times in labels */
    int have_base[2], base_is_isn[2];
    uint32_t base[2];
    int ws_offered[2];
    uint8_t ws[2];
} ladder_labeler;

/* Prepares to label m's segments from its first row. Options are shown
 * on SYN segments, where they are negotiated, and SACK blocks on all;
 * all_options shows every option on every segment (timestamps...). */
void ladder_labeler_init(ladder_labeler *lb, const ladder_model *m, int absolute,
                         int all_options);

/* The ISN an end starts with (its first SYN), if any: returns 1 and sets
 * *isn, or 0 when no SYN from that end is in the model (numbers are then
 * relative to its first sequence number seen). Valid after init. */
int ladder_labeler_isn(const ladder_labeler *lb, int side, uint32_t *isn);

/* Labels segment row idx of the model; rows must be passed in order. A
 * segment still in flight while other things happen (a delayed one) says
 * when it arrives: "(arrives 0.010s)". */
void ladder_label_segment(ladder_labeler *lb, size_t idx, ladder_label *out);

/* Joins tokens [from, to) with their separators into buf. */
void ladder_label_join(const ladder_label *l, size_t from, size_t to, char *buf, size_t len);

/* Greedy wrapping: how many tokens starting at `from` fit in `width`
 * columns (at least 1, so a too-long token still makes progress; a
 * renderer truncates it). */
size_t ladder_label_fit(const ladder_label *l, size_t from, size_t width);

/* Decimals for times in this model: 3 when every time is a whole
 * millisecond after t0 (the simulator), else 6. */
int ladder_time_decimals(const ladder_model *m);

/* "1.003s" relative to m->t0, with at most `decimals` decimals and fewer
 * if needed to fit width columns. */
void ladder_fmt_time(const ladder_model *m, synack_time t, int decimals, size_t width,
                     char *buf, size_t len);

/* "198.18.0.1:40000". */
void ladder_fmt_endpoint(const ladder_end *e, char *buf, size_t len);

#endif
