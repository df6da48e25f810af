#!/bin/sh
# IPv4 reassembly end to end: the kernel side sends an ICMP echo request
# cut into fragments by hand (raw socket), out of order; synack must put
# it back together and answer with one whole echo reply carrying the same
# identifier, sequence number and data. Overlapping fragments must get no
# answer and be counted (ip-reasm-bad).
. "$(dirname "$0")/lib.sh"
setup
capture_start
serve_start

cat >"$WORK/frag.py" <<'PY'
import os, select, socket, struct, sys

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF

mode, ident = sys.argv[1], 0x5A00 + os.getpid() % 256
data = bytes((i * 7 + 3) % 251 for i in range(300))
icmp = struct.pack("!BBHHH", 8, 0, 0, ident, 1) + data
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]

def frag(off, payload, mf):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x4242,
                    (0x2000 if mf else 0) | (off // 8), 64, 1, 0,
                    socket.inet_aton("198.18.0.1"), socket.inet_aton("198.18.0.2"))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload

if mode == "good":      # three pieces, last first
    pieces = [frag(208, icmp[208:], False), frag(104, icmp[104:208], True),
              frag(0, icmp[:104], True)]
else:                   # the middle piece overlaps the first by 8 bytes
    pieces = [frag(0, icmp[:104], True), frag(96, icmp[96:208], True),
              frag(208, icmp[208:], False)]
tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
for p in pieces:
    tx.sendto(p, ("198.18.0.2", 0))
while True:
    r, _, _ = select.select([rx], [], [], 1.5)
    if not r:
        print("no reply")
        sys.exit(0 if mode == "overlap" else 1)
    pkt, (src, _) = rx.recvfrom(65535)
    ihl = (pkt[0] & 15) * 4
    t, code, _, rid, seq = struct.unpack("!BBHHH", pkt[ihl:ihl + 8])
    if src != "198.18.0.2" or t != 0 or rid != ident:
        continue
    frag_field = struct.unpack("!H", pkt[6:8])[0]
    ok = (seq == 1 and pkt[ihl + 8:] == data and frag_field & 0x3FFF == 0 and
          csum(pkt[ihl:]) == 0)
    print("reply: %d bytes, %s" % (len(pkt) - ihl, "intact" if ok else "WRONG"))
    sys.exit(0 if ok and mode == "good" else 1)
PY

nsx timeout 10 python3 "$WORK/frag.py" good >"$WORK/good.log" 2>&1 ||
    fail "fragmented echo request: $(cat "$WORK/good.log")"
ok "3 fragments, out of order, reassembled: $(cat "$WORK/good.log")"
capture_check

nsx timeout 10 python3 "$WORK/frag.py" overlap >"$WORK/overlap.log" 2>&1 ||
    fail "overlapping fragments were answered: $(cat "$WORK/overlap.log")"
serve_stop
grep -q "dropped 1 ip-reasm-bad" "$WORK/serve.log" || fail "ip-reasm-bad not counted: $(grep dropped "$WORK/serve.log")"
ok "overlapping fragments: no reply, counted as ip-reasm-bad"
echo "PASS: $TEST"
