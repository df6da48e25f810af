#!/bin/sh
# Both close orders, half-close and resets, between synack and the kernel,
# each checked on both sides: synack's own state changes (its -v log) and
# the kernel's sockets (ss) afterwards, so no socket is left in a wrong
# state (RFC 9293 3.6: the side that closes first goes through TIME-WAIT,
# the other through CLOSE-WAIT and LAST-ACK to CLOSED).
. "$(dirname "$0")/lib.sh"
need curl nc ss
setup
capture_start
serve_start
PEER="python3 $(dirname "$0")/peer.py"

# Lines of a synack log about the connection with kernel port $2.
conn_log() { grep " $K:$2 " "$1"; }
has_state() { conn_log "$1" "$2" | grep -q " $3 " || fail "$4: synack never reached $3:
$(conn_log "$1" "$2")"; }
lacks_state() { conn_log "$1" "$2" | grep -q " $3 " && fail "$4: synack went through $3:
$(conn_log "$1" "$2")"; return 0; }
# Waits (2 s at most) until the kernel's socket on port $1 is in state $2
# ("none": gone), with nothing else on that port.
kernel_state() {
    i=0
    while :; do
        got=$(kernel_sockets | awk -v p=":$1\$" '$2 ~ p || $3 ~ p {print $1}' | sort -u)
        [ "$2" = none ] && [ -z "$got" ] && return 0
        [ "$got" = "$2" ] && return 0
        i=$((i + 1))
        [ $i -gt 40 ] && fail "kernel socket on port $1 is '${got:-none}', expected $2"
        sleep 0.05
    done
}
# Starts a peer.py server on port $2 in mode $1; waits until it listens.
peer_server() {
    ip netns exec "$NS" timeout 30 $PEER server "$1" "$2" >"$WORK/peer-$2.log" 2>&1 &
    BG="$BG $!"
    eval "PEER_$2=$!"
    wait_for "$WORK/peer-$2.log" listening || fail "peer server on $2 did not start"
}
connect() { nsx timeout 30 "$SYNACK" connect --dev "$DEV" -v "$@"; }

# 1. synack (server) closes first: an HTTP/1.0 request; nc reads until
#    synack's FIN and only then closes (curl would close as soon as it
#    had Content-Length bytes, racing synack's FIN: a simultaneous close).
printf 'GET / HTTP/1.0\r\n\r\n' | nsx timeout 10 nc -p 40001 "$S" 80 >"$WORK/nc1.out" ||
    fail "nc (HTTP/1.0) failed"
grep -q "Hello from synack" "$WORK/nc1.out" || fail "no page: $(cat "$WORK/nc1.out")"
kernel_state 40001 none
sleep 0.1
has_state "$WORK/serve.log" 40001 FIN-WAIT-1 "synack closes first"
has_state "$WORK/serve.log" 40001 FIN-WAIT-2 "synack closes first"
has_state "$WORK/serve.log" 40001 TIME-WAIT "synack closes first"
lacks_state "$WORK/serve.log" 40001 CLOSE-WAIT "synack closes first"
lacks_state "$WORK/serve.log" 40001 CLOSING "synack closes first"
ok "synack server closes first: synack FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT; kernel socket closed"

# 2. The kernel (client) closes first: nc sends and shuts down.
echo "bytes for discard" | nsx timeout 10 nc -N -p 40002 "$S" 9 || fail "nc failed"
kernel_state 40002 TIME-WAIT
sleep 0.1
has_state "$WORK/serve.log" 40002 CLOSE-WAIT "kernel closes first"
has_state "$WORK/serve.log" 40002 LAST-ACK "kernel closes first"
has_state "$WORK/serve.log" 40002 CLOSED "kernel closes first"
ok "kernel client closes first: kernel TIME-WAIT, synack CLOSE-WAIT, LAST-ACK, CLOSED"

# 3. The kernel resets (SO_LINGER 0) a connection to synack's echo.
nsx timeout 10 $PEER client rst "$S" 7 >"$WORK/p6.log" 2>&1 || fail "peer: $(cat "$WORK/p6.log")"
sleep 0.2
port=$(grep -o "$K:[0-9]* SYN-RECEIVED" "$WORK/serve.log" | tail -n 1 | sed 's/.*://; s/ .*//')
conn_log "$WORK/serve.log" "$port" | grep -q "connection reset by peer" ||
    fail "synack did not report the reset: $(conn_log "$WORK/serve.log" "$port")"
has_state "$WORK/serve.log" "$port" CLOSED "kernel reset"
kernel_state "$port" none
ok "kernel reset: synack reports 'connection reset by peer' and is CLOSED; nothing left in the kernel"

serve_stop     # the device is free for synack's client now

# 4. synack (client) closes first: end of stdin sends its FIN.
peer_server sink 5003
echo "some data" | connect "$K" 5003 2>"$WORK/c3.log" || fail "synack connect failed"
wait "$PEER_5003" || fail "peer: $(cat "$WORK/peer-5003.log")"
kernel_state 5003 none
has_state "$WORK/c3.log" 5003 FIN-WAIT-1 "synack client closes first"
has_state "$WORK/c3.log" 5003 TIME-WAIT "synack client closes first"
ok "synack client closes first: synack FIN-WAIT-1 ... TIME-WAIT, kernel socket closed"

# 5. The kernel (server) closes first; synack closes on its EOF.
peer_server hello 5004
(sleep 1.5) | connect --close-on-eof "$K" 5004 >"$WORK/c4.out" 2>"$WORK/c4.log" ||
    fail "synack connect failed"
wait "$PEER_5004"
[ "$(cat "$WORK/c4.out")" = hello ] || fail "synack received '$(cat "$WORK/c4.out")'"
kernel_state 5004 TIME-WAIT
has_state "$WORK/c4.log" 5004 CLOSE-WAIT "kernel server closes first"
has_state "$WORK/c4.log" 5004 LAST-ACK "kernel server closes first"
has_state "$WORK/c4.log" 5004 CLOSED "kernel server closes first"
ok "kernel server closes first: kernel TIME-WAIT, synack CLOSE-WAIT, LAST-ACK, CLOSED"

# 6. Half-close: synack sends 1 MB and its FIN, then receives the reply.
head -c 1000000 /dev/urandom >"$WORK/half"
peer_server hash 5005
connect "$K" 5005 <"$WORK/half" >"$WORK/c5.out" 2>"$WORK/c5.log" || fail "synack connect failed"
wait "$PEER_5005" || fail "peer: $(cat "$WORK/peer-5005.log")"
[ "$(cat "$WORK/c5.out")" = "$(sha "$WORK/half")" ] ||
    fail "half-close: the reply sent after synack's FIN was '$(cat "$WORK/c5.out")'"
kernel_state 5005 none
ok "half-close: the kernel's reply after synack's FIN arrived (sha256 of the 1 MB it read)"

# 7. synack resets (connect --abort at end of stdin).
peer_server expect-rst 5007
echo "data, then RST" | connect --abort "$K" 5007 2>"$WORK/c7.log"
wait "$PEER_5007" || fail "peer saw no reset: $(cat "$WORK/peer-5007.log")"
kernel_state 5007 none
has_state "$WORK/c7.log" 5007 CLOSED "synack reset"
ok "synack reset: the kernel's recv failed with ECONNRESET; nothing left in the kernel"

# 8. As 4, but every datagram both ways is held back 100 ms by the fault
#    layer (reorder=100%: none overtakes another, all are released by
#    time). synack reaches TIME-WAIT while its last ACK is still held;
#    connect must deliver it before exiting, not drop it with the device:
#    the kernel's socket then leaves LAST-ACK at once instead of
#    retransmitting its FIN to nobody.
peer_server sink 5003
echo "some data, late" | connect --faults reorder=100%,delay=100ms "$K" 5003 2>"$WORK/c8.log" ||
    fail "synack connect (delayed datagrams) failed"
wait "$PEER_5003" || fail "peer: $(cat "$WORK/peer-5003.log")"
has_state "$WORK/c8.log" 5003 TIME-WAIT "synack client closes first, datagrams delayed"
for dir in in out; do
    grep "faults $dir: [0-9]* packets" "$WORK/c8.log" | grep -q "[1-9][0-9]* by time, .* 0 held$" ||
        fail "delayed datagrams: $(grep "faults $dir: [0-9]* packets" "$WORK/c8.log")"
done
kernel_state 5003 none
ok "synack client closes first, datagrams delayed 100 ms: its last ACK was delivered before exit (0 held), kernel socket closed"

# 9. Nothing comes back (every datagram to synack lost): the SYN times out
#    three times (1, 2, 4 s) and connect says so before it gives up
#    (RFC 1122 4.2.3.5 (d): SYNACK_EV_TROUBLE), then fails at --timeout.
connect --faults-in loss=100% --timeout 8 "$K" 5099 </dev/null 2>"$WORK/c9.log" &&
    fail "connect succeeded without a single answer"
grep -q "delivery trouble: no answer after 3 retransmissions" "$WORK/c9.log" ||
    fail "no delivery trouble reported: $(cat "$WORK/c9.log")"
grep -q "connection timed out" "$WORK/c9.log" || fail "connect did not time out: $(cat "$WORK/c9.log")"
# It gives up at 8 s, between the third SYN timeout (7 s) and the fourth
# (15 s), not at the fourth.
grep -q " 3 timeouts," "$WORK/c9.log" ||
    fail "connect gave up late: $(grep -o 'retransmits ([^)]*)' "$WORK/c9.log")"
ok "no answer at all: connect reported delivery trouble after the third timeout, gave up at --timeout"

capture_check
echo "PASS: $TEST"
