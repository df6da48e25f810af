/* h_spec.h — the scenario harness's segment language: parse a packetdrill-
 * style segment description, compare it with a real segment, and format
 * segments in that language or in tcpdump's style. Pure functions; no
 * stack involved (the stack-driving half is harness.h).
 *
 * Grammar (one segment; whitespace separates items):
 *
 *   FLAGS SEQ:END(LEN) [ack N] [win N] [urg N] [<OPTIONS>]
 *
 *   FLAGS    one or more of  S (SYN)  F (FIN)  R (RST)  P (PSH)  . (ACK)
 *            U (URG)  E (ECE)  W (CWR), in any order, e.g. "S", "S.", "F.",
 *            "P.", "R." — or "-" for a segment with no flags at all.
 *   SEQ:END(LEN)  absolute sequence numbers: END - SEQ must equal LEN
 *            (modulo 2^32). SYN and FIN do not count in LEN, as in
 *            packetdrill: a SYN is "S 1000:1000(0)".
 *   ack N    required exactly when the ACK flag is given, refused without.
 *   win N    the raw 16-bit window field (the harness injects 65535 when
 *            a segment gives none).
 *   urg N    the urgent pointer.
 *   OPTIONS  comma-separated: mss N | sackOK | TS val N ecr N | wscale N |
 *            sack L:R [L:R ...] (1..4 blocks) | nop | eol.
 *            "<>" is an empty list. nop and eol are accepted and ignored:
 *            the option layout is fixed by the codecs (src/wire/wire.h), so
 *            only option values are described and compared.
 *   Numbers are decimal. In expectations, "*" may replace the value of
 *   ack, win, urg, TS val and TS ecr: that field is then not compared.
 *
 * Matching an expectation against a segment the stack sent:
 *   - flags, SEQ, LEN always compared exactly; ack compared when ACK set;
 *   - win and urg compared only when given (and not "*");
 *   - options: when a <...> list is given, the set of options must be
 *     exactly that list ("<>" = no options at all); when no list is
 *     given, options are not compared.
 * Addresses and ports are not part of the language; the harness checks
 * them. */
#ifndef SYNACK_TEST_H_SPEC_H
#define SYNACK_TEST_H_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "synack.h"

/* Which optional parts a spec gave. */
#define H_GIVEN_WIN  0x01u
#define H_GIVEN_URG  0x02u
#define H_GIVEN_OPTS 0x04u

/* Fields given as "*" (not compared). */
#define H_WILD_ACK   0x01u
#define H_WILD_WIN   0x02u
#define H_WILD_URG   0x04u
#define H_WILD_TSVAL 0x08u
#define H_WILD_TSECR 0x10u

typedef struct h_spec {
    synack_segment seg;        /* addresses and ports left zero */
    unsigned given;            /* H_GIVEN_* */
    unsigned wild;             /* H_WILD_* */
} h_spec;

/* Parses text into *out. Returns 0, or -1 with a message naming the
 * offending position in err. */
int h_spec_parse(const char *text, h_spec *out, char *err, size_t errlen);

/* Returns 1 if got satisfies want (rules above), else 0 with the first
 * differing field described in why ("ack: want 1001, got 1"). */
int h_spec_match(const h_spec *want, const synack_segment *got, char *why, size_t whylen);

/* A segment in tcpdump's style:
 *   198.18.0.2.80 > 198.18.0.1.40000: Flags [S.], seq 1000, ack 1001,
 *   win 65535, options [mss 1460,sackOK,TS val 5 ecr 0,wscale 7], length 0
 * (one line). seq is "seq A:B" when the segment carries data, as tcpdump
 * prints it; "ack" appears only with the ACK flag, "urg" only with URG,
 * "options [...]" only when there are options. Returns buf. */
const char *h_fmt_segment(const synack_segment *seg, char *buf, size_t len);

/* A spec in the harness language (parseable by h_spec_parse). Optional
 * parts appear only if given, with "*" for wildcards. Returns buf. */
const char *h_fmt_spec(const h_spec *spec, char *buf, size_t len);

/* A real segment in the harness language, with win and the option list
 * always present. Returns buf. */
const char *h_fmt_segment_spec(const synack_segment *seg, char *buf, size_t len);

/* Flag letters in tcpdump's order (F S R P . U E W), "none" if zero.
 * buf needs 9 bytes. Returns buf. */
const char *h_fmt_flags(uint8_t flags, char *buf);

/* The deterministic payload pattern injected segments carry: the byte at
 * sequence number seq is 'a' + seq % 26, so data is readable in dumps and
 * its position in the stream can be checked. */
static inline uint8_t h_pattern_byte(uint32_t seq) { return (uint8_t)('a' + seq % 26u); }
void h_pattern_fill(uint32_t seq, uint8_t *buf, size_t len);

#endif
