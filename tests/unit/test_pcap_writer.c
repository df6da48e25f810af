/* test_pcap_writer.c — the pcap writer: exact global and record headers,
 * snap-length truncation, open errors, and (when tshark is installed)
 * Wireshark's own verdict on a file holding real IPv4+TCP packets built
 * with the wire codecs. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "support/h_packet.h"
#include "pcap/pcap_writer.h"

#define ADDR(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static void temp_path(char *buf, size_t len)
{
    snprintf(buf, len, "/tmp/synack-pcap-XXXXXX");
    int fd = mkstemp(buf);
    CHECK(fd >= 0);
    close(fd);
}

/* Reads the whole file; *len gets its size. The caller frees. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    size_t cap = 1 << 20;
    uint8_t *buf = malloc(cap);
    CHECK(buf != NULL);
    *len = fread(buf, 1, cap, f);
    fclose(f);
    return buf;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

TEST(global_and_record_headers_exact)
{
    char path[64];
    char err[256];
    temp_path(path, sizeof path);
    pcap_writer *w = pcap_writer_open(path, err, sizeof err);
    CHECK(w != NULL);
    const uint8_t p1[] = { 0x45, 0x00, 0x00, 0x14, 1, 2, 3 };
    const uint8_t p2[] = { 0xde, 0xad, 0xbe, 0xef, 0x01 };
    CHECK_EQ(pcap_writer_write(w, SYNACK_SEC(1) + SYNACK_MSEC(500) + 7, p1, sizeof p1), 0);
    CHECK_EQ(pcap_writer_write(w, SYNACK_SEC(4294967296ull) + 999999999u, p2, sizeof p2), 0);
    pcap_writer_close(w);

    size_t len;
    uint8_t *f = slurp(path, &len);
    unlink(path);
    static const uint8_t want[] = {
        /* global header: magic a1b23c4d (ns), 2.4, zone 0, sigfigs 0,
         * snaplen 65535, linktype 101 (RAW), all little-endian */
        0x4d, 0x3c, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0xff, 0xff, 0x00, 0x00, 0x65, 0x00, 0x00, 0x00,
        /* record 1: 1 s, 500000007 ns, 7 bytes of 7 */
        0x01, 0x00, 0x00, 0x00, 0x07, 0x65, 0xcd, 0x1d,
        0x07, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,
        0x45, 0x00, 0x00, 0x14, 1, 2, 3,
        /* record 2: 2^32 s wraps to 0, 999999999 ns, 5 of 5 */
        0x00, 0x00, 0x00, 0x00, 0xff, 0xc9, 0x9a, 0x3b,
        0x05, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
        0xde, 0xad, 0xbe, 0xef, 0x01,
    };
    CHECK_EQ(len, sizeof want);
    CHECK_MEM(f, want, sizeof want);
    free(f);
}

TEST(longer_than_snaplen_is_truncated_with_original_length)
{
    char path[64];
    temp_path(path, sizeof path);
    pcap_writer *w = pcap_writer_open(path, NULL, 0);
    CHECK(w != NULL);
    size_t big = 70000;
    uint8_t *pkt = malloc(big);
    CHECK(pkt != NULL);
    for (size_t i = 0; i < big; i++)
        pkt[i] = (uint8_t)i;
    CHECK_EQ(pcap_writer_write(w, 0, pkt, big), 0);
    CHECK_EQ(pcap_writer_flush(w), 0);
    pcap_writer_close(w);
    size_t len;
    uint8_t *f = slurp(path, &len);
    unlink(path);
    CHECK_EQ(len, PCAP_GLOBAL_HDR_LEN + PCAP_RECORD_HDR_LEN + 65535);
    CHECK_U64(le32(f + 24 + 8), 65535);     /* incl_len */
    CHECK_U64(le32(f + 24 + 12), 70000);    /* orig_len */
    CHECK_MEM(f + 40, pkt, 65535);
    free(pkt);
    free(f);
}

TEST(open_failure_reports_path)
{
    char err[256] = "";
    pcap_writer *w = pcap_writer_open("/nonexistent-dir-synack/x.pcap", err, sizeof err);
    CHECK(w == NULL);
    CHECK(strstr(err, "/nonexistent-dir-synack/x.pcap") != NULL);
    CHECK(strstr(err, "No such file") != NULL);
    pcap_writer_close(NULL);
}

/* ------------------------------------------------------------ tshark */

static int have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1") == 0;
}

/* Runs cmd and returns its stdout (static buffer). */
static const char *run(const char *cmd)
{
    static char out[16384];
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    CHECK_EQ(pclose(p), 0);
    return out;
}

/* A SYN with every option, and a data segment with PSH|ACK, both built by
 * the wire codecs. If corrupt, one payload byte changes after the
 * checksum was computed. */
static void write_tcp_capture(const char *path, int corrupt)
{
    uint8_t buf[2048];
    synack_segment syn = {
        .saddr = ADDR(198, 18, 0, 1), .daddr = ADDR(198, 18, 0, 2),
        .sport = 40000, .dport = 80, .seq = 1000, .flags = SYNACK_TCP_SYN, .wnd = 65535,
        .opts = { .has_mss = 1, .mss = 1460, .sack_permitted = 1, .has_ts = 1,
                  .tsval = 12345, .tsecr = 0, .has_wscale = 1, .wscale = 7 },
    };
    synack_segment data = {
        .saddr = ADDR(198, 18, 0, 2), .daddr = ADDR(198, 18, 0, 1),
        .sport = 80, .dport = 40000, .seq = 5000, .ack = 1001,
        .flags = SYNACK_TCP_PSH | SYNACK_TCP_ACK, .wnd = 502, .len = 11,
    };
    pcap_writer *w = pcap_writer_open(path, NULL, 0);
    CHECK(w != NULL);
    size_t n = h_build_datagram(buf, sizeof buf, &syn, NULL);
    CHECK_EQ(n, 20 + 40);
    CHECK_EQ(pcap_writer_write(w, SYNACK_MSEC(1), buf, n), 0);
    n = h_build_datagram(buf, sizeof buf, &data, (const uint8_t *)"hello world");
    CHECK_EQ(n, 20 + 20 + 11);
    if (corrupt)
        buf[n - 1] ^= 0x01;
    CHECK_EQ(pcap_writer_write(w, SYNACK_MSEC(2), buf, n), 0);
    pcap_writer_close(w);
}

#define TSHARK "tshark -n -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -r "

TEST(tshark_accepts_real_tcp_packets)
{
    if (!have_tshark()) {
        printf("skip: tshark not installed, Wireshark's check of the file not run\n");
        return;
    }
    char path[64], cmd[512];
    temp_path(path, sizeof path);
    write_tcp_capture(path, 0);

    snprintf(cmd, sizeof cmd, TSHARK "%s -z expert -q 2>/dev/null", path);
    const char *expert = run(cmd);
    CHECK(strstr(expert, "Malformed") == NULL);
    CHECK(strstr(expert, "Bad checksum") == NULL);
    CHECK(strstr(expert, "Errors") == NULL);

    /* Wireshark decoded exactly what was built, and verified both
     * checksums (status 1 = good). */
    snprintf(cmd, sizeof cmd, TSHARK "%s -T fields -E separator=, -e frame.time_epoch "
             "-e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw "
             "-e tcp.flags -e tcp.window_size_value -e tcp.len -e tcp.options.mss_val "
             "-e tcp.options.wscale.shift -e tcp.options.timestamp.tsval "
             "-e ip.checksum.status -e tcp.checksum.status 2>/dev/null", path);
    const char *fields = run(cmd);
    unlink(path);
    CHECK_STR(fields,
              "0.001000000,198.18.0.1,198.18.0.2,40000,80,1000,0,0x0002,65535,0,1460,7,12345,1,1\n"
              "0.002000000,198.18.0.2,198.18.0.1,80,40000,5000,1001,0x0018,502,11,,,,1,1\n");
}

TEST(tshark_flags_a_corrupted_packet)
{
    /* The negative control: proves the check above can fail. */
    if (!have_tshark()) {
        printf("skip: tshark not installed\n");
        return;
    }
    char path[64], cmd[512];
    temp_path(path, sizeof path);
    write_tcp_capture(path, 1);
    snprintf(cmd, sizeof cmd, TSHARK "%s -z expert -q 2>/dev/null", path);
    const char *expert = run(cmd);
    unlink(path);
    CHECK(strstr(expert, "Bad checksum") != NULL);
}

TEST_MAIN()
