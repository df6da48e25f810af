/* pcap_writer.c — classic pcap files (nanosecond timestamps, LINKTYPE_RAW).
 * See pcap_writer.h for the format decisions. Uses stdio buffering; the
 * file is complete once pcap_writer_close (or _flush) returns. */
#include "pcap/pcap_writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pcap_writer {
    FILE *f;
};

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

pcap_writer *pcap_writer_open(const char *path, char *err, size_t errlen)
{
    uint8_t hdr[PCAP_GLOBAL_HDR_LEN];
    pcap_writer *w = malloc(sizeof *w);
    if (!w) {
        if (err && errlen)
            snprintf(err, errlen, "pcap: out of memory");
        return NULL;
    }
    w->f = fopen(path, "wb");
    if (!w->f) {
        if (err && errlen)
            snprintf(err, errlen, "pcap: cannot create %s: %s", path, strerror(errno));
        free(w);
        return NULL;
    }
    put_le32(hdr, PCAP_MAGIC_NSEC);
    put_le16(hdr + 4, PCAP_VERSION_MAJOR);
    put_le16(hdr + 6, PCAP_VERSION_MINOR);
    put_le32(hdr + 8, 0);                   /* thiszone: timestamps are UTC */
    put_le32(hdr + 12, 0);                  /* sigfigs: always 0 in practice */
    put_le32(hdr + 16, PCAP_SNAPLEN);
    put_le32(hdr + 20, PCAP_LINKTYPE_RAW);
    if (fwrite(hdr, 1, sizeof hdr, w->f) != sizeof hdr) {
        if (err && errlen)
            snprintf(err, errlen, "pcap: cannot write %s: %s", path, strerror(errno));
        fclose(w->f);
        free(w);
        return NULL;
    }
    return w;
}

int pcap_writer_write(pcap_writer *w, synack_time t, const uint8_t *pkt, size_t len)
{
    uint8_t rec[PCAP_RECORD_HDR_LEN];
    size_t incl = len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN;
    uint64_t sec = t / 1000000000u;
    /* The seconds field is 32 bits: a virtual clock past year 2106 wraps,
     * which readers tolerate better than a refused write. */
    put_le32(rec, (uint32_t)sec);
    put_le32(rec + 4, (uint32_t)(t % 1000000000u));
    put_le32(rec + 8, (uint32_t)incl);
    put_le32(rec + 12, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
    if (fwrite(rec, 1, sizeof rec, w->f) != sizeof rec)
        return -1;
    if (incl && fwrite(pkt, 1, incl, w->f) != incl)
        return -1;
    return 0;
}

int pcap_writer_flush(pcap_writer *w)
{
    return fflush(w->f) == 0 ? 0 : -1;
}

void pcap_writer_close(pcap_writer *w)
{
    if (!w)
        return;
    fclose(w->f);
    free(w);
}
