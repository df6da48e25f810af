/* text_wrap.h — wraps UTF-8 prose (English or Chinese) to a display
 * width, for the explanations under the diagrams.
 *
 * Width is counted in terminal columns: CJK ideographs and full-width
 * punctuation take two, other characters one. Lines break at spaces, or
 * between two CJK characters (Chinese has no spaces), but never before
 * closing punctuation such as "，" or "。". A newline in the text forces a
 * break; an empty line (paragraph break) is kept. */
#ifndef SYNACK_TEXT_WRAP_H
#define SYNACK_TEXT_WRAP_H

#include <stddef.h>

/* Display columns of the n bytes at s. */
size_t tw_width(const char *s, size_t n);

/* Calls fn once per output line with the line's bytes (no newline). */
typedef void (*tw_line_fn)(void *ctx, const char *line, size_t len);
void tw_wrap(const char *text, size_t width, tw_line_fn fn, void *ctx);

#endif
