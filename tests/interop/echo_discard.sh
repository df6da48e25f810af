#!/bin/sh
# The kernel sends 100 MB to synack's discard service (nc) and 100 MB
# through synack's echo service and back (socat, which half-closes after
# sending and keeps reading: synack must finish echoing after the FIN).
# Also a chargen read of a fixed size. Bytes must match.
. "$(dirname "$0")/lib.sh"
need nc socat
setup
capture_start "-c 4000"
serve_start

N=100000000
random_file "$WORK/data" $N

start=$(date +%s.%N)
nsx timeout 60 nc -N "$S" 9 <"$WORK/data" >/dev/null || fail "nc to discard failed"
end=$(date +%s.%N)
ok "100 MB to discard ($(python3 -c "print('%.1f' % (100/($end-$start)))") MB/s)"

start=$(date +%s.%N)
nsx timeout 90 socat -t 30 -b 262144 - "TCP:$S:7" <"$WORK/data" >"$WORK/back" ||
    fail "socat through echo failed"
end=$(date +%s.%N)
[ "$(sha "$WORK/back")" = "$(sha "$WORK/data")" ] ||
    fail "echo returned $(wc -c <"$WORK/back") bytes that differ from the 100 MB sent"
ok "100 MB through echo and back, bytes match ($(python3 -c "print('%.1f' % (200/($end-$start)))") MB/s both ways)"

nsx timeout 20 socat -u "TCP:$S:19" - 2>/dev/null | head -c 1000000 >"$WORK/chargen"
want=$(pattern_sha256 1000000)
[ "$(sha "$WORK/chargen")" = "$want" ] || fail "chargen stream differs from the pattern"
ok "1 MB of chargen matches the RFC 864 pattern"

capture_check
serve_stop
if [ "$MODE" = offload ]; then
    grep -q "dev rx [0-9]* packets ([1-9][0-9]* gso" "$WORK/serve.log" ||
        fail "offload mode but the kernel sent no GSO super-packet"
    grep -q "tx [0-9]* ([1-9][0-9]* gso)" "$WORK/serve.log" ||
        fail "offload mode but synack sent no TSO super-segment"
    ok "offloads in use: $(grep -o 'dev rx.*errors' "$WORK/serve.log")"
fi
echo "PASS: $TEST"
