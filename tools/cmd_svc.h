/* cmd_svc.h — the byte-level logic of `synack serve`'s services, kept
 * free of sockets so it can be unit-tested: the chargen pattern (also the
 * body of generated HTTP responses) and a minimal HTTP/1.1 request parser
 * and responder. */
#ifndef SYNACK_CMD_SVC_H
#define SYNACK_CMD_SVC_H

#include <stddef.h>
#include <stdint.h>

/* RFC 864 character generator: lines of 72 printable ASCII characters,
 * each starting one character later than the previous (95 of them, from
 * ' ' to '~'), ended by CR LF. The stream repeats every 95 lines. */
#define SVC_LINE 74u
#define SVC_PERIOD (95u * SVC_LINE)

/* Fills buf with n bytes of the stream starting at offset pos. */
void svc_pattern(uint8_t *buf, size_t n, uint64_t pos);

#define HTTP_HEAD_MAX 8192u     /* a request head larger than this: 431 */
#define HTTP_BYTES_MAX (1ull << 40)

typedef struct http_req {
    char method[16];
    char target[256];
    int minor;                  /* HTTP/1.<minor> */
    int keep_alive;             /* connection stays open after the reply */
    int has_body;               /* Content-Length > 0 or chunked: refused */
} http_req;

/* Looks for one complete request head (up to CRLF CRLF) at buf. Returns
 * its length (> 0) and fills r; 0 if more bytes are needed; -1 if it is
 * malformed, -2 if it is too large (no CRLF CRLF in HTTP_HEAD_MAX). */
long http_parse(const char *buf, size_t len, http_req *r);

typedef struct http_resp {
    char head[512];
    size_t head_len;
    const char *body;           /* static body, or NULL */
    uint64_t body_len;          /* bytes of body to send */
    int pattern;                /* body is svc_pattern from offset 0 */
    int close;                  /* close the connection after it */
    int status;
} http_resp;

/* The reply to r (r NULL: to a malformed request, parse result err). */
void http_respond(const http_req *r, long err, http_resp *p);

#endif
