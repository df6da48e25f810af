#!/bin/sh
# synack's client (`synack connect`) against kernel servers: 100 MB from
# synack to socat, 100 MB from socat to synack (synack half-closes at once
# and keeps receiving), and a file fetched from python3's http.server.
. "$(dirname "$0")/lib.sh"
need socat
setup
capture_start "-c 4000"

N=100000000
random_file "$WORK/up" $N
random_file "$WORK/down" $N
connect() { nsx timeout 60 "$SYNACK" connect --dev "$DEV" $OFFLOAD -v "$@"; }

nsx timeout 60 socat -u TCP-LISTEN:5001,reuseaddr "OPEN:$WORK/got,creat,trunc" &
P=$!; BG="$BG $P"
nsx timeout 60 socat -u "OPEN:$WORK/down" TCP-LISTEN:5002,reuseaddr &
P2=$!; BG="$BG $P2"
sleep 0.3

start=$(date +%s.%N)
connect "$K" 5001 <"$WORK/up" 2>"$WORK/up.log" || fail "synack connect (upload) failed"
wait $P || fail "socat (receiver) failed"
end=$(date +%s.%N)
[ "$(sha "$WORK/got")" = "$(sha "$WORK/up")" ] || fail "kernel received different bytes"
ok "100 MB synack -> kernel, bytes match ($(python3 -c "print('%.1f' % (100/($end-$start)))") MB/s)"

start=$(date +%s.%N)
connect "$K" 5002 </dev/null >"$WORK/got2" 2>"$WORK/down.log" || fail "synack connect (download) failed"
wait $P2 || fail "socat (sender) failed"
end=$(date +%s.%N)
[ "$(sha "$WORK/got2")" = "$(sha "$WORK/down")" ] || fail "synack received different bytes"
ok "100 MB kernel -> synack, bytes match ($(python3 -c "print('%.1f' % (100/($end-$start)))") MB/s)"

mkdir "$WORK/www" && head -c 3000000 /dev/urandom >"$WORK/www/file"
(cd "$WORK/www" && exec ip netns exec "$NS" timeout 60 python3 -m http.server --bind "$K" 8000 \
    >"$WORK/http.log" 2>&1) &
P3=$!; BG="$BG $P3"
i=0; until nsx ss -tlnH | grep -q ":8000"; do i=$((i+1)); [ $i -gt 100 ] && fail "http.server did not start"; sleep 0.05; done
printf 'GET /file HTTP/1.0\r\nHost: %s\r\n\r\n' "$K" |
    connect "$K" 8000 >"$WORK/resp" 2>"$WORK/http-client.log" || fail "synack connect to http.server failed"
head -n 1 "$WORK/resp" | grep -q "200" || fail "http.server answered: $(head -n 1 "$WORK/resp")"
python3 - "$WORK/resp" "$WORK/body" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(data[data.index(b"\r\n\r\n") + 4:])
PY
[ "$(sha "$WORK/body")" = "$(sha "$WORK/www/file")" ] || fail "file from http.server differs"
ok "3 MB file from python3 http.server"

capture_check
if [ "$MODE" = offload ]; then
    grep -q "tx [0-9]* ([1-9][0-9]* gso)" "$WORK/up.log" ||
        fail "offload mode but synack sent no TSO super-segment"
    grep -q "dev rx [0-9]* packets ([1-9][0-9]* gso" "$WORK/down.log" ||
        fail "offload mode but the kernel sent no GSO super-packet"
    ok "offloads in use"
fi
# Both transfers ended with a clean close on synack's side.
for f in up down; do
    grep -q "TIME-WAIT\|CLOSED" "$WORK/$f.log" || fail "$f: synack's connection did not finish closing"
done
echo "PASS: $TEST"
