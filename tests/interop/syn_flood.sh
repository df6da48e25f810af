#!/bin/sh
# A bounded flood of spoofed SYNs (issue 7, RFC 4987) hits synack's HTTP
# port while curl, the kernel's TCP, fetches pages: every fetch succeeds
# (SYN cookies take over when the half-open entries are full), and the
# synack process's memory stays flat (resident size grows < 8 MiB).
. "$(dirname "$0")/lib.sh"
need curl ps
setup
serve_start

rss() { ps -o rss= -p "$SERVE_PID" | tr -d ' '; }
nsx timeout 10 curl -sS -o /dev/null "http://$S/" || fail "curl before the flood failed"
rss0=$(rss)

# 30,000 SYNs at up to 10,000/s from 150 spoofed addresses.
nsx python3 "$(dirname "$0")/syn_flood_sender.py" "$S" 80 30000 10000 20 \
    >"$WORK/flood.log" 2>&1 &
FLOOD=$!
BG="$BG $FLOOD"

ok_fetches=0
i=0
while [ $i -lt 20 ]; do
    i=$((i + 1))
    if nsx timeout 10 curl -sS --max-time 8 -o "$WORK/page.html" "http://$S/"; then
        grep -q "Hello from synack" "$WORK/page.html" && ok_fetches=$((ok_fetches + 1))
    fi
    sleep 0.1
done
wait "$FLOOD" || fail "the flood sender failed: $(cat "$WORK/flood.log")"
rss1=$(rss)
cat "$WORK/flood.log"
[ "$ok_fetches" = 20 ] || fail "only $ok_fetches of 20 fetches succeeded during the flood"
ok "20 of 20 fetches succeeded during the flood"
grow=$((rss1 - rss0))
[ "$grow" -lt 8192 ] || fail "resident memory grew by $grow KiB during the flood"
ok "resident memory: $rss0 KiB before, $rss1 KiB after (bound: +8192 KiB)"

serve_stop
grep -q "syncookies sent [1-9]" "$WORK/serve.log" ||
    fail "no SYN cookie was sent: $(grep cookies "$WORK/serve.log")"
ok "$(grep -o 'syncookies sent [0-9]*, [0-9]* ok' "$WORK/serve.log" | head -1)"
echo "PASS: $TEST"
