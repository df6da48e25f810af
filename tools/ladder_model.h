/* ladder_model.h — the ladder diagram model: two ends and a time-ordered
 * list of rows (segment arrows, state changes, timer firings, drops and
 * notes).
 *
 * The model is what every producer fills and every renderer reads:
 * ladder_build.c fills it from synack trace events plus the simulator's
 * packet fates, trace_infer.c from a capture file; ladder_text.c and
 * ladder_svg.c draw it. It holds facts only (raw sequence numbers, raw
 * window fields, enum states); presentation (relative numbers, labels)
 * is ladder_label.c's business. */
#ifndef SYNACK_LADDER_MODEL_H
#define SYNACK_LADDER_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

#define LADDER_LEFT  0             /* the client's lifeline */
#define LADDER_RIGHT 1             /* the server's lifeline */
#define LADDER_STATE_NONE (-1)     /* state not known */
#define LADDER_NOTE_MAX 160

/* Annotations on a segment (bits of ladder_row.marks). */
#define LADDER_MARK_RETRANSMIT   0x01u  /* sequence range already sent */
#define LADDER_MARK_OUT_OF_ORDER 0x02u  /* not the next expected sequence */
#define LADDER_MARK_DUP_ACK      0x04u  /* repeats the previous ACK (RFC 5681) */
#define LADDER_MARK_ZERO_WINDOW  0x08u  /* advertises a zero window */
#define LADDER_MARK_RESET        0x10u  /* carries RST */
#define LADDER_MARK_BAD_CSUM     0x20u  /* checksum wrong in the capture */
#define LADDER_MARK_OLD_DUP      0x40u  /* stale segment of an earlier connection */

typedef enum ladder_row_kind {
    LADDER_ROW_SEGMENT = 0,        /* an arrow from .side to the other end */
    LADDER_ROW_STATE,              /* .side moved .old_state -> .new_state */
    LADDER_ROW_TIMER,              /* .timer fired at .side */
    LADDER_ROW_DROP,               /* .side discarded a segment (.drop) */
    LADDER_ROW_NOTE                /* free text about both ends */
} ladder_row_kind;

typedef struct ladder_row {
    ladder_row_kind kind;
    int side;                      /* LADDER_LEFT/RIGHT; -1 for notes */
    synack_time t;                 /* send time, or when it happened */
    /* SEGMENT */
    synack_segment seg;
    synack_time t_arrive;          /* SYNACK_TIME_NEVER: unknown or lost */
    int lost;                      /* never arrived */
    unsigned marks;                /* LADDER_MARK_* */
    /* STATE */
    int old_state, new_state;      /* synack_state or LADDER_STATE_NONE */
    const char *cause;             /* static text or NULL */
    /* TIMER */
    int timer;                     /* synack_timer */
    /* DROP */
    int drop;                      /* synack_drop */
    /* NOTE */
    char text[LADDER_NOTE_MAX];
} ladder_row;

typedef struct ladder_end {
    char name[16];                 /* "client", "server" */
    uint32_t addr;                 /* host byte order */
    uint16_t port;
    int initial_state;             /* before the first row, or NONE */
    int has_isn;                   /* isn is known (from an earlier SYN) */
    uint32_t isn;
} ladder_end;

typedef struct ladder_model {
    char title[80];
    ladder_end end[2];
    synack_time t0;                /* times are drawn relative to this */
    ladder_row *rows;
    size_t nrows, cap;
    int oom;                       /* a row could not be stored */
} ladder_model;

void ladder_model_init(ladder_model *m, const char *title);
void ladder_model_free(ladder_model *m);

void ladder_set_end(ladder_model *m, int side, const char *name, uint32_t addr,
                    uint16_t port, int initial_state);

/* The end whose address and port these are, or -1. */
int ladder_side_of(const ladder_model *m, uint32_t addr, uint16_t port);

/* Appenders return the new row's index, or -1 (and set m->oom) when out
 * of memory. Rows must be appended in time order. */
long ladder_add_segment(ladder_model *m, int side, synack_time t,
                        const synack_segment *seg, unsigned marks);
long ladder_add_state(ladder_model *m, int side, synack_time t, int old_state,
                      int new_state, const char *cause);
long ladder_add_timer(ladder_model *m, int side, synack_time t, int timer);
long ladder_add_drop(ladder_model *m, int side, synack_time t, int drop);
long ladder_add_note(ladder_model *m, synack_time t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Deletes row idx (later rows move up by one). */
void ladder_remove_row(ladder_model *m, size_t idx);

/* Records what happened to segment row idx on the way. */
void ladder_set_fate(ladder_model *m, size_t idx, int lost, synack_time t_arrive);

/* The state of an end after the last row (its initial state if no row
 * changed it). */
int ladder_final_state(const ladder_model *m, int side);

/* Forgets every row so far and makes the current states the initial
 * ones, with times now relative to t0: a scenario uses it to start its
 * diagram after a set-up phase (e.g. the close after the handshake).
 * Each end keeps the ISN of its last SYN, so sequence numbers stay
 * relative to it. */
void ladder_restart(ladder_model *m, synack_time t0);

/* Presentation names, shared by the renderers (states and drop reasons
 * use synack_state_name and synack_drop_name). */
const char *ladder_timer_label(int timer);  /* "RTO fired", "2MSL expired" */
/* tcpdump's flag letters in its order (F S R P . U E W), "none" if 0. */
const char *ladder_flags_str(uint8_t flags, char buf[12]);

#endif
