/* text_wrap.c — display-width aware line wrapping for English and
 * Chinese prose (see text_wrap.h). Decodes just enough UTF-8 to know
 * each character's width; invalid bytes count as one column each. */
#include "text_wrap.h"

#include <stdint.h>
#include <string.h>

/* Decodes the character at s (n bytes left): sets *cp, returns its length. */
static size_t decode(const char *s, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = u[0] < 0x80 ? 1 : (u[0] >> 5) == 6 ? 2 : (u[0] >> 4) == 14 ? 3
               : (u[0] >> 3) == 30 ? 4 : 0;
    if (len == 0 || len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = len == 1 ? u[0] : len == 2 ? (u[0] & 0x1Fu) : len == 3 ? (u[0] & 0x0Fu)
               : (u[0] & 0x07u);
    for (size_t i = 1; i < len; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = v << 6 | (u[i] & 0x3Fu);
    }
    *cp = v;
    return len;
}

static int is_wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6);
}

/* Punctuation that must not begin a line. */
static int no_break_before(uint32_t cp)
{
    static const uint32_t close[] = {0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F,
                                     0xFF01, 0xFF09, 0x300B, 0x300D, 0x300F, 0x3011, 0x201D,
                                     0x2019, ',', '.', ';', ':', '!', '?', ')'};
    for (size_t i = 0; i < sizeof close / sizeof close[0]; i++)
        if (cp == close[i])
            return 1;
    return 0;
}

size_t tw_width(const char *s, size_t n)
{
    size_t w = 0;
    while (n > 0) {
        uint32_t cp;
        size_t l = decode(s, n, &cp);
        w += is_wide(cp) ? 2 : 1;
        s += l;
        n -= l;
    }
    return w;
}

/* Wraps one paragraph (no newlines) of n bytes. */
static void wrap_para(const char *s, size_t n, size_t width, tw_line_fn fn, void *ctx)
{
    while (n > 0 && *s == ' ') {
        s++;
        n--;
    }
    if (n == 0) {
        fn(ctx, "", 0);
        return;
    }
    while (n > 0) {
        size_t i = 0, col = 0, brk = 0;
        uint32_t prev = 0;
        while (i < n) {
            uint32_t cp;
            size_t l = decode(s + i, n - i, &cp);
            size_t w = is_wide(cp) ? 2 : 1;
            if (cp == ' ')
                brk = i;                        /* break at the space */
            else if (i > 0 && (is_wide(cp) || is_wide(prev)) && !no_break_before(cp) &&
                     prev != ' ')
                brk = i;                        /* break between CJK characters */
            if (col + w > width && i > 0)
                break;
            col += w;
            i += l;
            prev = cp;
        }
        size_t end = i >= n ? n : brk > 0 ? brk : i;
        size_t trim = end;
        while (trim > 0 && s[trim - 1] == ' ')
            trim--;
        fn(ctx, s, trim);
        s += end;
        n -= end;
        while (n > 0 && *s == ' ') {
            s++;
            n--;
        }
    }
}

void tw_wrap(const char *text, size_t width, tw_line_fn fn, void *ctx)
{
    if (width == 0)
        width = 1;
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        wrap_para(p, n, width, fn, ctx);
        if (!nl)
            return;
        p = nl + 1;
    }
}
