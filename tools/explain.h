/* explain.h — the prose under the diagrams, in English or Chinese: what
 * each demo scenario shows and why, and how to read a diagram drawn from
 * a capture. State names are RFC 9293's throughout. */
#ifndef SYNACK_EXPLAIN_H
#define SYNACK_EXPLAIN_H

#include <stdio.h>

typedef enum explain_lang { EXPLAIN_EN = 0, EXPLAIN_ZH } explain_lang;

/* "en" or "zh" (also "zh-CN", "cn"). Returns 0, or -1 if unknown. */
int explain_lang_parse(const char *s, explain_lang *out);

/* The explanation of a demo scenario, or NULL if there is none. */
const char *explain_scenario(const char *scenario, explain_lang lang);

/* How to read a ladder diagram of a capture (synack trace). */
const char *explain_trace(explain_lang lang);

/* Prints text wrapped to 78 columns (display width, CJK aware). */
void explain_print(FILE *out, const char *text);

#endif
