#!/bin/sh
# The capture check every interop test ends with must be able to fail:
# on a hand-made capture it must flag a TCP segment with a wrong checksum,
# a bad IPv4 header checksum and a truncated TCP header, and pass the same
# segments when they are correct -- even when their payload is random
# bytes that tshark's protocol guessers would otherwise call malformed.
. "$(dirname "$0")/lib.sh"
python3 - "$WORK" <<'PY'
import os, struct, sys

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

def ip(payload, proto=6, bad_ip=False):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0,
                    bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2]))
    c = csum(h) ^ (0x1111 if bad_ip else 0)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload

def tcp(data, bad=False):
    h = struct.pack("!HHIIBBHHH", 40000, 9, 1000, 2000, 5 << 4, 0x18, 65535, 0, 0)
    pseudo = bytes([198, 18, 0, 1, 198, 18, 0, 2, 0, 6]) + struct.pack("!H", 20 + len(data))
    c = csum(pseudo + h + data) ^ (0x0101 if bad else 0)
    return h[:16] + struct.pack("!H", c) + h[18:] + data

def pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", i, 0, len(p), len(p)) + p)

rnd = bytes(range(256)) * 4 + os.urandom(3000)
work = sys.argv[1]
pcap(work + "/good.pcap", [ip(tcp(rnd)), ip(tcp(b"hello"))])
pcap(work + "/badtcp.pcap", [ip(tcp(rnd)), ip(tcp(b"hello", bad=True))])
pcap(work + "/badip.pcap", [ip(tcp(b"hello"), bad_ip=True)])
pcap(work + "/short.pcap", [ip(tcp(b"")[:12])])
PY
[ -z "$(tshark_problems "$WORK/good.pcap" TRUE)" ] || fail "clean capture flagged: $(tshark_problems "$WORK/good.pcap" TRUE)"
ok "a clean capture (random payload included) passes"
for f in badtcp badip short; do
    [ -n "$(tshark_problems "$WORK/$f.pcap" TRUE)" ] || fail "$f.pcap not flagged"
    ok "$f.pcap is flagged"
done
[ -z "$(tshark_problems "$WORK/badtcp.pcap" FALSE)" ] || fail "TCP checksum checked although off"
ok "TCP checksums are not judged in offload mode"
echo "PASS: $TEST"
