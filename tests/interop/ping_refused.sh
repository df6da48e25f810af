#!/bin/sh
# ping (ICMP echo), connections to closed ports refused promptly by a RST
# in both directions, and ICMP errors for TCP: a kernel router that
# answers synack's SYN with "communication administratively prohibited"
# (a hard error, RFC 1122 4.2.3.9 / RFC 5927) makes the connect fail at
# once, with EHOSTUNREACH, instead of retrying for a minute.
. "$(dirname "$0")/lib.sh"
need ping curl
setup
capture_start
serve_start

nsx ping -c 3 -i 0.2 -W 2 "$S" >"$WORK/ping.log" 2>&1 || fail "ping failed: $(cat "$WORK/ping.log")"
grep -q "3 received" "$WORK/ping.log" || fail "ping: $(tail -n 2 "$WORK/ping.log")"
nsx ping -c 1 -s 1400 -W 2 "$S" >/dev/null 2>&1 || fail "ping with 1400 bytes failed"
ok "ping: 3 of 3 answered, and a 1400-byte one"

# Kernel -> synack, closed port: curl must fail with "connection refused"
# (exit 7) well within a second: synack answers the SYN with RST.
start=$(date +%s%N)
nsx timeout 10 curl -sS "http://$S:81/" >/dev/null 2>"$WORK/curl81.log"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $rc = 7 ] || fail "curl to a closed port: exit $rc, $(cat "$WORK/curl81.log")"
[ $ms -lt 1000 ] || fail "refusal took $ms ms"
grep -q -- "-> $S:81 refused (RST" "$WORK/serve.log" || fail "synack did not log the RST it sent"
ok "kernel -> synack closed port 81: refused in $ms ms"
serve_stop

connect() { nsx timeout 30 "$SYNACK" connect --dev "$DEV" --timeout 10 "$@"; }

# synack -> kernel, closed port: the kernel's RST refuses it.
start=$(date +%s%N)
connect "$K" 5999 </dev/null >/dev/null 2>"$WORK/c1.log" && fail "connect to a closed port succeeded"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q "connection refused by peer" "$WORK/c1.log" || fail "synack connect: $(cat "$WORK/c1.log")"
[ $ms -lt 1500 ] || fail "refusal took $ms ms"
ok "synack -> kernel closed port 5999: refused in $ms ms"

# synack -> a prohibited destination: the kernel, routing for synack,
# answers with ICMP destination unreachable, code 13.
nsx sysctl -qw net.ipv4.ip_forward=1
nsx ip route add prohibit 198.18.7.0/24
start=$(date +%s%N)
connect 198.18.7.7 80 </dev/null >/dev/null 2>"$WORK/c2.log" && fail "connect to a prohibited address succeeded"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -q "host unreachable" "$WORK/c2.log" || fail "synack connect: $(cat "$WORK/c2.log")"
[ $ms -lt 1500 ] || fail "ICMP error took $ms ms to end the connect"
ok "synack -> prohibited 198.18.7.7: ICMP unreachable (code 13) ends the connect in $ms ms"

capture_check
echo "PASS: $TEST"
