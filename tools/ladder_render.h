/* ladder_render.h — drawing a ladder model: as text for a terminal
 * (ladder_text.c) or as a standalone SVG image (ladder_svg.c). */
#ifndef SYNACK_LADDER_RENDER_H
#define SYNACK_LADDER_RENDER_H

#include <stdio.h>

#include "ladder_model.h"

#define LADDER_TEXT_WIDTH 80        /* no text line is wider */

typedef struct ladder_render_opts {
    int color;                      /* ANSI colours (text only) */
    int absolute;                   /* absolute sequence numbers */
    int all_options;                /* every option on every segment, not
                                       only on SYNs (and SACK blocks) */
    const char *explain;            /* SVG: text set under the diagram, or NULL */
} ladder_render_opts;

/* Writes the diagram; returns 0, or -1 if writing failed. */
int ladder_render_text(const ladder_model *m, const ladder_render_opts *o, FILE *out);

/* Writes one SVG document holding the given diagrams one under another
 * (each with its own explanation, o[i].explain). Returns 0 or -1. */
int ladder_render_svg(const ladder_model *const *models, const ladder_render_opts *o,
                      size_t count, FILE *out);

#endif
