/* test_harness_spec.c — the scenario harness's segment language without
 * the engine: spec text -> synack_segment fields, parse errors, matching
 * rules, and the tcpdump-style and spec formatters. */
#include "check.h"
#include "support/h_packet.h"
#include "support/h_spec.h"

#define ADDR(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static h_spec parse_ok(const char *text)
{
    h_spec s;
    char err[200] = "";
    if (h_spec_parse(text, &s, err, sizeof err) != 0)
        check_fail(__FILE__, __LINE__, "parse \"%s\": %s", text, err);
    return s;
}

static const char *parse_err(const char *text)
{
    static char err[200];
    h_spec s;
    err[0] = '\0';
    CHECK_EQ(h_spec_parse(text, &s, err, sizeof err), -1);
    return err;
}

TEST(parse_syn_with_mss)
{
    h_spec s = parse_ok("S 1000:1000(0) win 65535 <mss 1460>");
    CHECK_EQ(s.seg.flags, SYNACK_TCP_SYN);
    CHECK_U64(s.seg.seq, 1000);
    CHECK_U64(s.seg.len, 0);
    CHECK_U64(s.seg.ack, 0);
    CHECK_EQ(s.seg.wnd, 65535);
    CHECK_EQ(s.given, H_GIVEN_WIN | H_GIVEN_OPTS);
    CHECK_EQ(s.wild, 0);
    CHECK_EQ(s.seg.opts.has_mss, 1);
    CHECK_EQ(s.seg.opts.mss, 1460);
    CHECK_EQ(s.seg.opts.sack_permitted, 0);
    CHECK_EQ(s.seg.opts.has_ts, 0);
    CHECK_EQ(s.seg.opts.has_wscale, 0);
    CHECK_EQ(s.seg.opts.nsack, 0);
    CHECK_U64(s.seg.saddr, 0);
    CHECK_EQ(s.seg.sport, 0);
}

TEST(parse_data_ack_no_options)
{
    h_spec s = parse_ok("P. 1001:1011(10) ack 5001 win 502");
    CHECK_EQ(s.seg.flags, SYNACK_TCP_PSH | SYNACK_TCP_ACK);
    CHECK_U64(s.seg.seq, 1001);
    CHECK_U64(s.seg.len, 10);
    CHECK_U64(s.seg.ack, 5001);
    CHECK_EQ(s.seg.wnd, 502);
    CHECK_EQ(s.given, H_GIVEN_WIN);
}

TEST(parse_every_flag_and_option)
{
    h_spec s = parse_ok("  FSRP.UEW 7:7(0) ack 9 win 0 urg 3 "
                        "<mss 536, sackOK ,TS val 4294967295 ecr 12,nop,wscale 14,eol,"
                        "sack 100:200 300:400 500:600 700:800>");
    CHECK_EQ(s.seg.flags, 0xff);
    CHECK_EQ(s.seg.urg, 3);
    CHECK_EQ(s.seg.wnd, 0);
    CHECK_EQ(s.given, H_GIVEN_WIN | H_GIVEN_URG | H_GIVEN_OPTS);
    const synack_tcp_opts *o = &s.seg.opts;
    CHECK_EQ(o->has_mss, 1);
    CHECK_EQ(o->mss, 536);
    CHECK_EQ(o->sack_permitted, 1);
    CHECK_EQ(o->has_ts, 1);
    CHECK_U64(o->tsval, 4294967295u);
    CHECK_U64(o->tsecr, 12);
    CHECK_EQ(o->has_wscale, 1);
    CHECK_EQ(o->wscale, 14);
    CHECK_EQ(o->nsack, 4);
    CHECK_U64(o->sack[0][0], 100);
    CHECK_U64(o->sack[0][1], 200);
    CHECK_U64(o->sack[3][0], 700);
    CHECK_U64(o->sack[3][1], 800);
}

TEST(parse_wraparound_empty_options_and_no_flags)
{
    h_spec s = parse_ok("F. 4294967290:4(10) ack 1");
    CHECK_U64(s.seg.seq, 4294967290u);
    CHECK_U64(s.seg.len, 10);
    s = parse_ok("R 5:5(0) <>");
    CHECK_EQ(s.seg.flags, SYNACK_TCP_RST);
    CHECK_EQ(s.given, H_GIVEN_OPTS);
    synack_tcp_opts none;
    memset(&none, 0, sizeof none);
    CHECK_MEM(&s.seg.opts, &none, sizeof none);
    s = parse_ok("- 0:0(0)");
    CHECK_EQ(s.seg.flags, 0);
}

TEST(parse_wildcards)
{
    h_spec s = parse_ok(". 1:1(0) ack * win * urg * <TS val * ecr 5>");
    CHECK_EQ(s.wild, H_WILD_ACK | H_WILD_WIN | H_WILD_URG | H_WILD_TSVAL);
    CHECK_U64(s.seg.opts.tsecr, 5);
    s = parse_ok("S. 1:1(0) ack 2 <TS val 9 ecr *>");
    CHECK_EQ(s.wild, H_WILD_TSECR);
    CHECK_U64(s.seg.opts.tsval, 9);
}

TEST(parse_errors_name_the_problem)
{
    CHECK_STR(parse_err("S. 1000:1000(0)"), "at column 16: flag '.' (ACK) needs \"ack N\"");
    CHECK_STR(parse_err("S 1000:1000(0) ack 5"),
              "at column 21: \"ack N\" given without the '.' (ACK) flag");
    CHECK_STR(parse_err("S 1000:1001(0)"), "at column 15: end - seq is 1 but length is 0");
    CHECK_STR(parse_err("X 1:1(0)"), "at column 1: unknown flag 'X' (use S F R P . U E W or -)");
    CHECK_STR(parse_err("SS 1:1(0)"), "at column 2: flag 'S' given twice");
    CHECK_STR(parse_err(""), "at column 1: expected flags");
    CHECK_STR(parse_err("S"), "at column 2: expected a number for seq");
    CHECK_STR(parse_err("S 1-1(0)"), "at column 4: expected ':' after seq");
    CHECK_STR(parse_err("S 1:1 (0)"), "at column 6: expected '(' before length");
    CHECK_STR(parse_err("S 1:1(0"), "at column 8: expected ')' after length");
    CHECK_STR(parse_err("S 1:1(0) win 65536"), "at column 18: win is larger than 65535");
    CHECK_STR(parse_err("S 1:1(0) win x"), "at column 14: expected a number for win");
    CHECK_STR(parse_err("S 4294967296:0(0)"), "at column 12: seq is larger than 4294967295");
    CHECK_STR(parse_err("S 1:1(0) window 5"), "at column 10: unexpected text \"window 5\"");
    CHECK_STR(parse_err("S 1:1(0) <mss>"), "at column 14: expected a number for mss");
    CHECK_STR(parse_err("S 1:1(0) <mss 1460"), "at column 19: expected ',' or '>' in options");
    CHECK_STR(parse_err("S 1:1(0) <foo 1>"), "at column 11: unknown option");
    CHECK_STR(parse_err("S 1:1(0) <TS 1 2>"), "at column 14: expected \"val\" after TS");
    CHECK_STR(parse_err("S 1:1(0) <TS val 1 2>"), "at column 20: expected \"ecr\" after TS val");
    CHECK_STR(parse_err("S 1:1(0) <sack>"), "at column 15: expected SACK blocks L:R");
    CHECK_STR(parse_err("S 1:1(0) <sack 1:2 3:4 5:6 7:8 9:10>"),
              "at column 32: more than 4 SACK blocks");
    CHECK_STR(parse_err("S 1:1(0) <sack 1>"), "at column 17: expected ':' in SACK block");
    CHECK_STR(parse_err("S 1:1(0) <> <>"), "at column 14: options given twice");
}

TEST(parse_error_truncates_to_buffer)
{
    char err[12];
    h_spec s;
    CHECK_EQ(h_spec_parse("X", &s, err, sizeof err), -1);
    CHECK_STR(err, "at column 1");
    CHECK_EQ(h_spec_parse("X", &s, NULL, 0), -1);
}

static synack_segment synack_seg(void)
{
    synack_segment g = {
        .saddr = ADDR(198, 18, 0, 2), .daddr = ADDR(198, 18, 0, 1), .sport = 80, .dport = 40000,
        .seq = 5000, .ack = 1001, .flags = SYNACK_TCP_SYN | SYNACK_TCP_ACK, .wnd = 65535,
        .opts = { .has_mss = 1, .mss = 1460 },
    };
    return g;
}

static const char *why_not(const char *spec, const synack_segment *g)
{
    static char why[200];
    h_spec s = parse_ok(spec);
    why[0] = '\0';
    CHECK_EQ(h_spec_match(&s, g, why, sizeof why), 0);
    return why;
}

static void matches(const char *spec, const synack_segment *g)
{
    char why[200] = "unchanged";
    h_spec s = parse_ok(spec);
    if (!h_spec_match(&s, g, why, sizeof why))
        check_fail(__FILE__, __LINE__, "\"%s\" should match: %s", spec, why);
    CHECK_STR(why, "");
}

TEST(match_rules)
{
    synack_segment g = synack_seg();
    matches("S. 5000:5000(0) ack 1001 win 65535 <mss 1460>", &g);
    matches("S. 5000:5000(0) ack 1001", &g);               /* win, options not compared */
    matches("S. 5000:5000(0) ack * win *", &g);
    matches("S. 5000:5000(0) ack 1001 urg 0", &g);
    CHECK_STR(why_not("S 5000:5000(0)", &g), "flags: want [S], got [S.]");
    CHECK_STR(why_not("S. 5001:5001(0) ack 1001", &g), "seq: want 5001, got 5000");
    CHECK_STR(why_not("S. 5000:5001(1) ack 1001", &g), "length: want 1, got 0");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1000", &g), "ack: want 1000, got 1001");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 win 1", &g), "win: want 1, got 65535");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 urg 1", &g), "urg: want 1, got 0");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 <>", &g), "mss option: want absent, got present");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 <mss 536>", &g), "mss: want 536, got 1460");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 <mss 1460,sackOK>", &g),
              "sackOK option: want present, got absent");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 <mss 1460,wscale 7>", &g),
              "wscale option: want present, got absent");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 <mss 1460,TS val 1 ecr 0>", &g),
              "TS option: want present, got absent");

    g.opts.has_ts = 1;
    g.opts.tsval = 77;
    g.opts.tsecr = 88;
    g.opts.has_wscale = 1;
    g.opts.wscale = 7;
    g.opts.nsack = 1;
    g.opts.sack[0][0] = 10;
    g.opts.sack[0][1] = 20;
    matches("S. 5000:5000(0) ack 1001 <mss 1460,TS val * ecr *,wscale 7,sack 10:20>", &g);
    matches("S. 5000:5000(0) ack 1001 <nop,mss 1460,nop,TS val 77 ecr 88,wscale 7,sack 10:20>", &g);
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 <mss 1460,TS val 76 ecr 88,wscale 7,sack 10:20>", &g),
              "TS val: want 76, got 77");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 <mss 1460,TS val * ecr 0,wscale 7,sack 10:20>", &g),
              "TS ecr: want 0, got 88");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 <mss 1460,TS val 77 ecr 88,wscale 8,sack 10:20>", &g),
              "wscale: want 8, got 7");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 <mss 1460,TS val 77 ecr 88,wscale 7>", &g),
              "SACK blocks: want 0, got 1");
    CHECK_STR(why_not("S. 5000:5000(0) ack 1001 <mss 1460,TS val 77 ecr 88,wscale 7,sack 10:21>", &g),
              "SACK block 1: want 10:21, got 10:20");

    /* Without ACK the ack field is not compared (it is not meaningful). */
    synack_segment rst = { .seq = 9, .ack = 12345, .flags = SYNACK_TCP_RST };
    matches("R 9:9(0) <>", &rst);
}

TEST(format_tcpdump_style)
{
    char buf[256];
    synack_segment g = synack_seg();
    CHECK_STR(h_fmt_segment(&g, buf, sizeof buf),
              "198.18.0.2.80 > 198.18.0.1.40000: Flags [S.], seq 5000, ack 1001, win 65535, "
              "options [mss 1460], length 0");
    synack_segment d = {
        .saddr = ADDR(198, 18, 0, 1), .daddr = ADDR(198, 18, 0, 2), .sport = 40000, .dport = 80,
        .seq = 1001, .ack = 5001, .flags = SYNACK_TCP_PSH | SYNACK_TCP_ACK | SYNACK_TCP_FIN,
        .wnd = 502, .len = 10,
    };
    CHECK_STR(h_fmt_segment(&d, buf, sizeof buf),
              "198.18.0.1.40000 > 198.18.0.2.80: Flags [FP.], seq 1001:1011, ack 5001, win 502, "
              "length 10");
    synack_segment s = {
        .saddr = ADDR(10, 0, 0, 1), .daddr = ADDR(255, 255, 255, 255), .sport = 1, .dport = 65535,
        .seq = 0, .flags = SYNACK_TCP_SYN | SYNACK_TCP_URG | SYNACK_TCP_ECE | SYNACK_TCP_CWR,
        .wnd = 0, .urg = 7,
        .opts = { .has_mss = 1, .mss = 1460, .sack_permitted = 1, .has_ts = 1, .tsval = 1,
                  .tsecr = 0, .has_wscale = 1, .wscale = 7, .nsack = 2,
                  .sack = { { 1, 2 }, { 3, 4 } } },
    };
    CHECK_STR(h_fmt_segment(&s, buf, sizeof buf),
              "10.0.0.1.1 > 255.255.255.255.65535: Flags [SUEW], seq 0, win 0, urg 7, "
              "options [mss 1460,sackOK,TS val 1 ecr 0,wscale 7,sack 2 {1:2}{3:4}], length 0");
    synack_segment none = { .seq = 1 };
    CHECK_STR(h_fmt_segment(&none, buf, sizeof buf),
              "0.0.0.0.0 > 0.0.0.0.0: Flags [none], seq 1, win 0, length 0");
    /* Truncation keeps a terminated prefix. */
    char small[20];
    CHECK_STR(h_fmt_segment(&g, small, sizeof small), "198.18.0.2.80 > 198");
}

TEST(format_flags)
{
    char f[9];
    CHECK_STR(h_fmt_flags(0, f), "none");
    CHECK_STR(h_fmt_flags(SYNACK_TCP_ACK, f), ".");
    CHECK_STR(h_fmt_flags(SYNACK_TCP_RST | SYNACK_TCP_ACK, f), "R.");
    CHECK_STR(h_fmt_flags(0xff, f), "FSRP.UEW");
}

static void round_trip(const char *text)
{
    char buf[256];
    h_spec s = parse_ok(text);
    CHECK_STR(h_fmt_spec(&s, buf, sizeof buf), text);
}

TEST(format_spec_round_trips)
{
    round_trip("S 1000:1000(0) win 65535 <mss 1460>");
    round_trip("S. 5000:5000(0) ack 1001 win 65535 <mss 1460,sackOK,TS val 1 ecr 0,wscale 7>");
    round_trip("P. 1001:1011(10) ack 5001");
    round_trip("F. 4294967290:4(10) ack 1 win 0 urg 2");
    round_trip(". 1:1(0) ack * win * urg * <TS val * ecr *>");
    round_trip("R 5:5(0) <>");
    round_trip("- 0:0(0)");
    round_trip("SFRPUEW. 0:0(0) ack 0 <sack 1:2 3:4 5:6 7:8>");

    char buf[256];
    synack_segment g = synack_seg();
    CHECK_STR(h_fmt_segment_spec(&g, buf, sizeof buf), "S. 5000:5000(0) ack 1001 win 65535 <mss 1460>");
    synack_segment r = { .seq = 9, .flags = SYNACK_TCP_RST };
    CHECK_STR(h_fmt_segment_spec(&r, buf, sizeof buf), "R 9:9(0) win 0 <>");
    /* A formatted real segment parses back and matches itself. */
    h_spec s = parse_ok(h_fmt_segment_spec(&g, buf, sizeof buf));
    CHECK_EQ(h_spec_match(&s, &g, NULL, 0), 1);
}

TEST(payload_pattern)
{
    uint8_t b[30];
    h_pattern_fill(24, b, sizeof b);
    CHECK_MEM(b, "yzabcdefghijklmnopqrstuvwxyzab", 30);
    CHECK_EQ(h_pattern_byte(4294967295u), 'a' + 4294967295u % 26);
}

TEST(datagram_build_and_strict_parse)
{
    uint8_t buf[2048];
    synack_segment seg = synack_seg();
    seg.len = 26;
    size_t n = h_build_datagram(buf, sizeof buf, &seg, NULL);
    CHECK_EQ(n, 20 + 24 + 26);
    synack_segment got;
    const uint8_t *payload;
    char why[200] = "";
    CHECK_EQ(h_parse_datagram(buf, n, &got, &payload, why, sizeof why), 0);
    CHECK_MEM(&got, &seg, sizeof got);
    CHECK(payload == buf + 44);
    CHECK_MEM(payload, "ijklmnopqrstuvwxyzabcdefgh", 26);   /* 5000 % 26 = 8: 'i' */
    CHECK_EQ(h_build_datagram(buf, n - 1, &seg, NULL), 0);  /* too small */

    buf[n - 1] ^= 0x40;                                      /* payload bit */
    CHECK_EQ(h_parse_datagram(buf, n, &got, &payload, why, sizeof why), -1);
    CHECK_STR(why, "invalid TCP segment (tcp-checksum)");
    buf[n - 1] ^= 0x40;
    buf[10] ^= 0x01;                                         /* IP checksum */
    CHECK_EQ(h_parse_datagram(buf, n, &got, &payload, why, sizeof why), -1);
    CHECK_STR(why, "invalid IPv4 datagram (ip-checksum), 70 bytes");
    buf[10] ^= 0x01;
    CHECK_EQ(h_parse_datagram(buf, n + 1, &got, &payload, why, sizeof why), -1);
    CHECK_STR(why, "IPv4 total length 70 but 71 bytes sent");
    CHECK_EQ(h_parse_datagram(buf, 19, &got, &payload, why, sizeof why), -1);
    CHECK_STR(why, "invalid IPv4 datagram (ip-truncated), 19 bytes");
}

TEST_MAIN()
