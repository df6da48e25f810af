/* tun.c — Linux TUN device: open with clear errors, nonblocking datagram
 * read/write, and the virtio_net_hdr translation of offload mode (see
 * tun.h). The virtio header is in host byte order: a TUN device uses the
 * legacy (native-endian) layout unless told otherwise (TUNSETVNETLE). */
#include "tun/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdarg.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define VNET_HDR_LEN ((int)sizeof(struct virtio_net_hdr))

__attribute__((format(printf, 5, 6)))
static int fail(tun_dev *d, char *err, size_t errlen, int e, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    errno = e;
    return -1;
}

int tun_open(tun_dev *d, const char *name, unsigned flags, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (d->fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENODEV || e == ENXIO)
            return fail(d, err, errlen, e,
                        "/dev/net/tun is missing: load the tun module (modprobe tun) or, in a "
                        "container, pass it in (%s)",
                        "docker run --device /dev/net/tun --cap-add NET_ADMIN");
        if (e == EACCES || e == EPERM)
            return fail(d, err, errlen, e,
                        "cannot open /dev/net/tun (%s): run as root or give the program "
                        "CAP_NET_ADMIN (setcap cap_net_admin+ep)",
                        strerror(e));
        return fail(d, err, errlen, e, "cannot open /dev/net/tun: %s", strerror(e));
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    if (flags & TUN_OFFLOAD)
        ifr.ifr_flags |= IFF_VNET_HDR;
    if (name && *name) {
        if (strlen(name) >= IFNAMSIZ)
            return fail(d, err, errlen, EINVAL,
                        "interface name '%s' is too long (15 characters at most)", name);
        memcpy(ifr.ifr_name, name, strlen(name));
    }
    if (ioctl(d->fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        if (e == EPERM || e == EACCES)
            return fail(d, err, errlen, e,
                        "creating TUN device %s needs CAP_NET_ADMIN: run as root (or sudo), or "
                        "create it beforehand with 'ip tuntap add mode tun user $USER'",
                        name && *name ? name : "");
        if (e == EBUSY)
            return fail(d, err, errlen, e, "TUN device %s is already in use by another process",
                        name ? name : "");
        if (e == EINVAL)
            return fail(d, err, errlen, e,
                        "cannot attach to %s: an interface of that name exists and is not a TUN "
                        "device", name ? name : "");
        return fail(d, err, errlen, e, "TUNSETIFF failed: %s", strerror(e));
    }
    memcpy(d->name, ifr.ifr_name, sizeof d->name - 1);
    if (flags & TUN_OFFLOAD) {
        int sz = VNET_HDR_LEN;
        if (ioctl(d->fd, TUNSETVNETHDRSZ, &sz) < 0)
            return fail(d, err, errlen, errno, "TUNSETVNETHDRSZ failed: %s", strerror(errno));
        /* TSO4 requires CSUM: the kernel completes checksums of the
         * segments it cuts, and hands us partial ones. */
        if (ioctl(d->fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4)) < 0)
            return fail(d, err, errlen, errno, "TUNSETOFFLOAD (checksum + TSO4) failed: %s",
                        strerror(errno));
        d->flags = TUN_OFFLOAD;
    }
    return 0;
}

int tun_is_up(const tun_dev *d)
{
    int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sk < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, d->name, sizeof ifr.ifr_name - 1);
    int r = ioctl(sk, SIOCGIFFLAGS, &ifr);
    close(sk);
    return r < 0 ? -1 : (ifr.ifr_flags & IFF_UP) != 0;
}

void tun_close(tun_dev *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
}

long tun_read(tun_dev *d, uint8_t *buf, size_t cap, unsigned *in_flags)
{
    *in_flags = 0;
    if (!(d->flags & TUN_OFFLOAD)) {
        ssize_t n = read(d->fd, buf, cap);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        d->stats.rx_packets++;
        d->stats.rx_bytes += (uint64_t)n;
        return (long)n;
    }
    /* Packets we cannot use are counted and skipped: keep reading. */
    for (;;) {
        struct virtio_net_hdr h;
        struct iovec iov[2] = { { &h, sizeof h }, { buf, cap } };
        ssize_t n = readv(d->fd, iov, 2);
        if (n < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        if (n < VNET_HDR_LEN) {
            d->stats.rx_bad_hdr++;
            continue;
        }
        n -= VNET_HDR_LEN;
        uint8_t gso = h.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
        /* We asked for TSO4 only; anything else is not ours to handle. */
        if (gso != VIRTIO_NET_HDR_GSO_NONE && gso != VIRTIO_NET_HDR_GSO_TCPV4) {
            d->stats.rx_bad_hdr++;
            continue;
        }
        d->stats.rx_packets++;
        d->stats.rx_bytes += (uint64_t)n;
        if (gso != VIRTIO_NET_HDR_GSO_NONE)
            d->stats.rx_gso++;
        /* NEEDS_CSUM: the kernel built this packet and left the TCP
         * checksum partial for the "device" (us) to complete; DATA_VALID:
         * it already checked it. Either way the payload is intact. */
        if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
            d->stats.rx_csum_partial++;
            *in_flags |= SYNACK_IN_CSUM_VALID;
        }
        if (h.flags & VIRTIO_NET_HDR_F_DATA_VALID)
            *in_flags |= SYNACK_IN_CSUM_VALID;
        return (long)n;
    }
}

int tun_write(tun_dev *d, const uint8_t *pkt, size_t len, const synack_tx_info *info)
{
    int offload = (d->flags & TUN_OFFLOAD) != 0;
    int gso = info && info->gso_size;
    int partial = info && info->csum_partial;
    if ((!offload && (gso || partial)) || (gso && !partial)) {
        d->stats.tx_errors++;
        errno = EINVAL;
        return -1;
    }
    ssize_t n;
    if (!offload) {
        n = write(d->fd, pkt, len);
    } else {
        struct virtio_net_hdr h;
        memset(&h, 0, sizeof h);
        if (partial) {
            h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
            h.csum_start = info->csum_start;
            h.csum_offset = info->csum_offset;
        }
        if (gso) {
            /* hdr_len: IPv4 + TCP headers, repeated on every segment. */
            size_t th = info->csum_start;
            if (th + 20 > len) {
                d->stats.tx_errors++;
                errno = EINVAL;
                return -1;
            }
            h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
            h.gso_size = info->gso_size;
            h.hdr_len = (uint16_t)(th + (size_t)(pkt[th + 12] >> 4) * 4u);
        }
        struct iovec iov[2] = { { &h, sizeof h }, { (void *)pkt, len } };
        n = writev(d->fd, iov, 2);
        if (n >= VNET_HDR_LEN)
            n -= VNET_HDR_LEN;
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == ENOBUFS)
            d->stats.tx_dropped++;
        else
            d->stats.tx_errors++;
        return -1;
    }
    d->stats.tx_packets++;
    d->stats.tx_bytes += len;
    if (gso)
        d->stats.tx_gso++;
    return 0;
}
