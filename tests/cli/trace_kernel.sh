#!/bin/sh
# trace_kernel.sh SYNACK — `synack trace` on the Linux kernel's own TCP:
# in a network namespace of its own (loopback only), python's http.server
# answers two curl requests while tshark captures; synack trace must find
# both connections and draw the handshake, the data, the close and the
# inferred final states. Needs root, ip, tshark, python3 and curl; without
# them it is skipped (exit 77) with the reason. The namespace is always
# deleted.
set -u
SYNACK=${1:?usage: trace_kernel.sh path/to/synack}
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root to create a network namespace"
for tool in ip tshark python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done

NS=synack-trace-$$
T=$(mktemp -d)
CAP="$T/kernel.pcapng"
cleanup() {
    [ -n "${HTTP_PID:-}" ] && kill "$HTTP_PID" 2>/dev/null
    [ -n "${CAP_PID:-}" ] && kill "$CAP_PID" 2>/dev/null
    wait 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$NS" || skip "cannot create a network namespace here"
ip -n "$NS" link set lo up

chmod 777 "$T"      # tshark may drop privileges to write the file
ip netns exec "$NS" tshark -i lo -f "tcp port 8000" -w "$CAP" >"$T/tshark.log" 2>&1 &
CAP_PID=$!
i=0
until grep -q "Capturing on" "$T/tshark.log" 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && { cat "$T/tshark.log"; echo "FAIL: tshark did not start"; exit 1; }
    sleep 0.1
done
mkdir "$T/www" && echo "hello from the kernel's TCP" >"$T/www/index.html"
(cd "$T/www" && exec ip netns exec "$NS" python3 -m http.server 8000 --bind 127.0.0.1) \
    >"$T/http.log" 2>&1 &
HTTP_PID=$!
i=0
# Listening yet? (/proc/net/tcp of the namespace: port 8000 = 1F40, state
# 0A = LISTEN; a probe connection would add to the capture.)
until ip netns exec "$NS" grep -q ':1F40 00000000:0000 0A' /proc/net/tcp 2>/dev/null; do
    i=$((i + 1)); [ $i -gt 100 ] && { cat "$T/http.log"; echo "FAIL: http.server did not start"; exit 1; }
    sleep 0.1
done
for n in 1 2; do
    ip netns exec "$NS" curl -s -o "$T/body$n" http://127.0.0.1:8000/index.html ||
        { echo "FAIL: curl $n"; exit 1; }
done
sleep 1             # let the last ACKs be captured
kill -INT "$CAP_PID"; wait "$CAP_PID" 2>/dev/null; CAP_PID=
kill "$HTTP_PID"; wait "$HTTP_PID" 2>/dev/null; HTTP_PID=
[ -s "$CAP" ] || { echo "FAIL: empty capture"; exit 1; }

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
has() { grep -qF -- "$2" "$1" || fail "$(basename "$1") lacks: $2"; }

"$SYNACK" trace "$CAP" >"$T/list" 2>&1 || fail "synack trace exited $?"
cat "$T/list"
has "$T/list" "2 TCP connections"
# Each connection: whichever end closed first (http.server after its
# HTTP/1.0 response, or curl once it has the whole body - it varies) ends
# in TIME-WAIT, the other in CLOSED once its FIN is acknowledged; when both
# close at once (the FINs cross: a simultaneous close, RFC 9293 Figure 13)
# both end in TIME-WAIT.
[ "$(grep -c "final states: client CLOSED, server TIME-WAIT\|final states: client TIME-WAIT, server CLOSED\|final states: client TIME-WAIT, server TIME-WAIT" "$T/list")" -eq 2 ] ||
    fail "expected every connection to end in TIME-WAIT on one side and CLOSED on the other, or TIME-WAIT on both"

"$SYNACK" trace "$CAP" --conn 1 --no-explain --svg "$T/conn1.svg" >"$T/conn1" 2>&1 ||
    fail "synack trace --conn 1 exited $?"
cat "$T/conn1"
has "$T/conn1" "|-- [S] seq=0 win="
has "$T/conn1" "[S.] seq=0 ack=1 win="
has "$T/conn1" "|-- [.] seq=1 ack=1 win="
has "$T/conn1" "[P.] seq=1 ack=1 win="                   # the request
has "$T/conn1" "[F.]"
for st in "SYN-SENT |" "| SYN-RECEIVED" " ESTABLISHED |" "| ESTABLISHED"; do
    has "$T/conn1" "$st"
done
# The active closer goes FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT; the other end
# CLOSE-WAIT, LAST-ACK, CLOSED (left margin "STATE |", right "| STATE").
# In a simultaneous close both go FIN-WAIT-1, CLOSING, TIME-WAIT.
first=$(grep -m1 "final states" "$T/list")
if [ "$first" = "     final states: client TIME-WAIT, server TIME-WAIT" ]; then
    for st in FIN-WAIT-1 CLOSING TIME-WAIT; do
        has "$T/conn1" " $st |"
        has "$T/conn1" "| $st"
    done
else
    if [ "$first" = "     final states: client TIME-WAIT, server CLOSED" ]; then
        closer_l=" "; closer_r=" |"; other_l="| "; other_r=""
    else
        closer_l="| "; closer_r=""; other_l=" "; other_r=" |"
    fi
    for st in FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT; do has "$T/conn1" "$closer_l$st$closer_r"; done
    for st in CLOSE-WAIT LAST-ACK CLOSED; do has "$T/conn1" "$other_l$st$other_r"; done
fi
# request and response sizes as the kernel sent them
req=$(grep -o '\[P\.\] seq=1 ack=1 win=[0-9]* len=[0-9]*' "$T/conn1" | head -1 | sed 's/.*len=//')
[ -n "$req" ] && [ "$req" -gt 50 ] || fail "no request of plausible length (got '$req')"
awk '{ if (length($0) > 80) { print "FAIL: wider than 80: " $0; bad = 1 } } END { exit bad }' \
    "$T/conn1" || fails=$((fails + 1))
python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$T/conn1.svg" ||
    fail "SVG of the kernel capture is not well-formed"

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "synack trace drew the Linux kernel's connections correctly"
