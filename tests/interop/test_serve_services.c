/* test_serve_services.c — the socket-free logic of `synack serve`
 * (tools/cmd_svc.c): the RFC 864 chargen pattern at any offset, and the
 * HTTP/1.1 request parser and responder, byte for byte. */
#include <string.h>

#include "check.h"
#include "cmd_svc.h"

TEST(chargen_lines)
{
    uint8_t b[2 * SVC_LINE];
    svc_pattern(b, sizeof b, 0);
    CHECK_MEM(b, " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg\r\n",
              SVC_LINE);
    CHECK_MEM(b + SVC_LINE, "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n",
              SVC_LINE);
    /* Line 94 starts with '~' and wraps to ' '. */
    svc_pattern(b, 3, 94 * SVC_LINE);
    CHECK_MEM(b, "~ !", 3);
}

TEST(chargen_any_offset_matches_the_stream)
{
    static uint8_t whole[3 * SVC_PERIOD];
    svc_pattern(whole, sizeof whole, 0);
    CHECK_MEM(whole + SVC_PERIOD, whole, SVC_PERIOD);       /* periodic */
    uint8_t part[5000];
    static const uint64_t offs[] = { 1, 73, 74, 7029, 7030, 9999, 12345 };
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        svc_pattern(part, sizeof part, offs[i]);
        CHECK_MEM(part, whole + offs[i], sizeof part);
    }
    /* Far offsets wrap by the period. */
    svc_pattern(part, 100, 1000000ull * SVC_PERIOD + 5);
    CHECK_MEM(part, whole + 5, 100);
}

static long parse(const char *req, http_req *r) { return http_parse(req, strlen(req), r); }

TEST(http_parse_get)
{
    http_req r;
    const char *req = "GET /bytes/10 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\nGET / HTTP/1.1\r\n";
    long n = parse(req, &r);
    CHECK_EQ(n, (long)(strstr(req, "\r\n\r\n") + 4 - req));
    CHECK_STR(r.method, "GET");
    CHECK_STR(r.target, "/bytes/10");
    CHECK_EQ(r.minor, 1);
    CHECK_EQ(r.keep_alive, 1);
    CHECK_EQ(r.has_body, 0);
}

TEST(http_parse_connection_and_versions)
{
    http_req r;
    CHECK(parse("GET / HTTP/1.1\r\nconnection: Close\r\n\r\n", &r) > 0);
    CHECK_EQ(r.keep_alive, 0);
    CHECK(parse("GET / HTTP/1.0\r\n\r\n", &r) > 0);
    CHECK_EQ(r.keep_alive, 0);
    CHECK(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &r) > 0);
    CHECK_EQ(r.keep_alive, 1);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n", &r) > 0);
    CHECK_EQ(r.has_body, 1);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &r) > 0);
    CHECK_EQ(r.has_body, 0);
    CHECK(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &r) > 0);
    CHECK_EQ(r.has_body, 1);
}

TEST(http_parse_incomplete_malformed_and_too_large)
{
    http_req r;
    CHECK_EQ(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r), 0);
    CHECK_EQ(parse("GET / HTTP/1.1\r\n\r", &r), 0);
    CHECK_EQ(parse("GET /HTTP/1.1\r\n\r\n", &r), -1);
    CHECK_EQ(parse("GET  / HTTP/1.1\r\n\r\n", &r), -1);
    CHECK_EQ(parse("GET / HTTP/2.0\r\n\r\n", &r), -1);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nBad\nHeader: x\r\n\r\n", &r), -1);
    CHECK_EQ(parse("GET / HTTP/1.1\r\nNo colon\r\n\r\n", &r), -1);
    CHECK_EQ(parse("\r\n\r\n", &r), -1);
    static char big[HTTP_HEAD_MAX + 10];
    memset(big, 'a', sizeof big);
    CHECK_EQ(http_parse(big, sizeof big, &r), -2);
    CHECK_EQ(http_parse(big, HTTP_HEAD_MAX - 1, &r), 0);
}

static void respond(const char *req, http_resp *p)
{
    http_req r;
    long n = parse(req, &r);
    http_respond(n > 0 ? &r : NULL, n, p);
}

TEST(http_responses)
{
    http_resp p;
    respond("GET /bytes/12345 HTTP/1.1\r\n\r\n", &p);
    CHECK_EQ(p.status, 200);
    CHECK_EQ(p.pattern, 1);
    CHECK_U64(p.body_len, 12345);
    CHECK_EQ(p.close, 0);
    CHECK_STR(p.head, "HTTP/1.1 200 OK\r\nServer: synack\r\nContent-Type: application/octet-stream\r\n"
                      "Content-Length: 12345\r\n\r\n");
    CHECK_EQ(p.head_len, strlen(p.head));

    respond("HEAD /bytes/7 HTTP/1.0\r\n\r\n", &p);
    CHECK_EQ(p.status, 200);
    CHECK_U64(p.body_len, 0);
    CHECK_EQ(p.pattern, 0);
    CHECK_EQ(p.close, 1);
    CHECK_STR(p.head, "HTTP/1.1 200 OK\r\nServer: synack\r\nContent-Type: application/octet-stream\r\n"
                      "Content-Length: 7\r\nConnection: close\r\n\r\n");

    respond("GET / HTTP/1.1\r\n\r\n", &p);
    CHECK_EQ(p.status, 200);
    CHECK(p.body && strstr(p.body, "Hello from synack"));
    CHECK_U64(p.body_len, strlen(p.body));

    respond("GET /bytes/ HTTP/1.1\r\n\r\n", &p);
    CHECK_EQ(p.status, 404);
    respond("GET /bytes/12x HTTP/1.1\r\n\r\n", &p);
    CHECK_EQ(p.status, 404);
    respond("GET /bytes/-5 HTTP/1.1\r\n\r\n", &p);
    CHECK_EQ(p.status, 404);
    respond("GET /bytes/99999999999999999999999 HTTP/1.1\r\n\r\n", &p);
    CHECK_EQ(p.status, 404);
    respond("DELETE / HTTP/1.1\r\n\r\n", &p);
    CHECK_EQ(p.status, 405);
    CHECK(strstr(p.head, "Allow: GET, HEAD\r\n") != NULL);
    CHECK_EQ(p.close, 1);
    respond("GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\n", &p);
    CHECK_EQ(p.status, 400);
    CHECK_EQ(p.close, 1);
    respond("garbage\r\n\r\n", &p);
    CHECK_EQ(p.status, 400);
    CHECK_EQ(p.close, 1);
    http_respond(NULL, -2, &p);
    CHECK_EQ(p.status, 431);
    CHECK_EQ(p.close, 1);
}

TEST_MAIN()
