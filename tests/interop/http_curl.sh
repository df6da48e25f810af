#!/bin/sh
# curl (the kernel's TCP) fetches from synack's HTTP responder: a page, a
# HEAD, a 404, three requests on one keep-alive connection, and a 100 MB
# generated body whose sha256 must match the pattern's.
. "$(dirname "$0")/lib.sh"
need curl
setup
capture_start "-c 4000"         # the first 4000 packets, in full
serve_start

page=$(nsx timeout 10 curl -sS "http://$S/") || fail "curl / failed"
echo "$page" | grep -q "Hello from synack" || fail "unexpected page: $page"
ok "GET / served the page"

head=$(nsx timeout 10 curl -sSI "http://$S/bytes/12345") || fail "HEAD failed"
echo "$head" | grep -q "^HTTP/1.1 200 OK" || fail "HEAD status: $head"
echo "$head" | tr -d '\r' | grep -qx "Content-Length: 12345" || fail "HEAD length: $head"
ok "HEAD /bytes/12345: 200, Content-Length 12345"

code=$(nsx timeout 10 curl -s -o /dev/null -w '%{http_code}' "http://$S/nothing") || fail "curl 404 failed"
[ "$code" = 404 ] || fail "expected 404, got $code"
ok "GET /nothing: 404"

# Three requests, one connection (curl reuses it: "Re-using existing connection").
nsx timeout 10 curl -sS -v -o /dev/null -o /dev/null -o /dev/null \
    "http://$S/" "http://$S/bytes/100000" "http://$S/index.html" 2>"$WORK/keepalive.log" ||
    fail "keep-alive requests failed"
n=$(grep -c "Connected to" "$WORK/keepalive.log")
[ "$n" = 1 ] || fail "expected one connection for three requests, saw $n"
ok "three requests on one keep-alive connection"

N=100000000
want=$(pattern_sha256 $N)
start=$(date +%s.%N)
got=$(nsx timeout 60 curl -sS "http://$S/bytes/$N" | sha256sum | cut -d' ' -f1) ||
    fail "100 MB download failed"
end=$(date +%s.%N)
[ "$got" = "$want" ] || fail "100 MB body sha256 $got, want $want"
ok "100 MB body, sha256 matches ($(python3 -c "print('%.1f' % (100/($end-$start)))") MB/s)"

capture_check
serve_stop
if [ "$MODE" = offload ]; then
    grep -q "tx [0-9]* ([1-9][0-9]* gso)" "$WORK/serve.log" ||
        fail "offload mode but synack sent no TSO super-segment"
    ok "offloads in use: $(grep -o 'dev rx.*errors' "$WORK/serve.log")"
fi
echo "PASS: $TEST"
