#!/usr/bin/env python3
"""syn_flood_sender.py — a bounded SYN flood for the interop tests.

Sends COUNT TCP SYNs to DST:PORT from spoofed sources in 198.18.0.100-249
(on the test's own TUN subnet, inside its namespace) with random ports and
sequence numbers, at most RATE per second, through a raw socket. Nothing
else is targeted; the loop ends after COUNT packets or SECONDS seconds.

usage: syn_flood_sender.py DST PORT COUNT RATE SECONDS
"""
import random
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src, dst, sport, dport, seq):
    # TCP header with an MSS option (as a real client would send).
    opts = struct.pack("!BBH", 2, 4, 1460)
    off = (20 + len(opts)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, off << 4, 0x02, 64240, 0, 0) + opts
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(tcp))
    c = csum(pseudo + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.getrandbits(16),
                     0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def main():
    dst, port, count, rate, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        float(sys.argv[4]), float(sys.argv[5])
    if not dst.startswith("198.18.") and not dst.startswith("198.19."):
        sys.exit("refusing to send outside 198.18.0.0/15")
    d = socket.inet_aton(dst)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    start = time.monotonic()
    sent = 0
    while sent < count and time.monotonic() - start < seconds:
        src = socket.inet_aton("198.18.0.%d" % random.randint(100, 249))
        pkt = syn(src, d, random.randint(1024, 65535), port, random.getrandbits(32))
        s.sendto(pkt, (dst, 0))
        sent += 1
        behind = sent / rate - (time.monotonic() - start)
        if behind > 0:
            time.sleep(behind)
    print("sent %d SYNs in %.2f s" % (sent, time.monotonic() - start))


main()
