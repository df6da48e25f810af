#!/bin/sh
# wrk (keep-alive HTTP load, 8 connections) against synack's HTTP
# responder: the page and a 1 MB body, 2 seconds each. Every response must
# be a 200 and no socket error may occur; afterwards synack must have
# closed every connection (its log has as many CLOSED as ESTABLISHED).
. "$(dirname "$0")/lib.sh"
need wrk
setup
capture_start "-c 4000"
serve_start
for path in / /bytes/1000000; do
    nsx timeout 30 wrk -t 2 -c 8 -d 2s "http://$S$path" >"$WORK/wrk.out" 2>&1 ||
        fail "wrk failed: $(cat "$WORK/wrk.out")"
    n=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
    [ "${n:-0}" -gt 0 ] 2>/dev/null || fail "wrk made no request: $(cat "$WORK/wrk.out")"
    grep -q "Socket errors\|Non-2xx" "$WORK/wrk.out" && fail "wrk saw errors: $(cat "$WORK/wrk.out")"
    ok "wrk $path: $n requests, all 200, no socket error ($(awk '/Transfer\/sec/ {print $2}' "$WORK/wrk.out")/s)"
done
sleep 0.5
capture_check
serve_stop
est=$(grep -c " ESTABLISHED " "$WORK/serve.log")
closed=$(grep -c " CLOSED " "$WORK/serve.log")
[ "$est" -ge 16 ] && [ "$est" = "$closed" ] || fail "synack: $est connections established, $closed closed"
ok "synack closed all $est connections"
echo "PASS: $TEST"
