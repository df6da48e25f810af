#!/bin/sh
# `synack try`, the one-command try-out: it must create its namespace and
# device, serve, run the given command inside the namespace, and delete
# everything when the command ends -- or when it gets Ctrl-C (SIGINT)
# or SIGTERM while serving.
. "$(dirname "$0")/lib.sh"
need curl ping
NS=synack-try-test-$$           # the namespace `synack try` makes (cleanup deletes it if left)

out=$(timeout 30 "$SYNACK" try --netns "$NS" -- \
    sh -c "curl -sS http://$S/ && ping -c 1 -W 2 $S >/dev/null && echo PING-OK" \
    </dev/null 2>"$WORK/try1.log") || fail "synack try -- command failed: $out"
echo "$out" | grep -q "Hello from synack" || fail "page not served: $out"
echo "$out" | grep -q "PING-OK" || fail "ping failed inside the namespace: $out"
ip netns list | grep -qw "$NS" && fail "namespace $NS left behind after the command ended"
grep -q "namespace $NS deleted" "$WORK/try1.log" || fail "no teardown message"
ok "synack try -- COMMAND: page and ping inside the namespace, namespace deleted after"

for sig in INT TERM; do
    "$SYNACK" try --netns "$NS" </dev/null >/dev/null 2>"$WORK/try-$sig.log" &
    P=$!; BG="$BG $P"
    wait_for "$WORK/try-$sig.log" "synack is up" || fail "synack try did not come up"
    code=$(ip netns exec "$NS" timeout 10 curl -sS -o /dev/null -w '%{http_code}' "http://$S/bytes/1000") ||
        fail "curl in the namespace failed"
    [ "$code" = 200 ] || fail "HTTP $code"
    kill -"$sig" "$P"
    wait "$P" || fail "synack try exited with $? after SIG$sig"
    ip netns list | grep -qw "$NS" && fail "namespace $NS left behind after SIG$sig"
    grep -q "namespace $NS deleted" "$WORK/try-$sig.log" || fail "no teardown after SIG$sig"
    ok "SIG$sig while serving: stopped and deleted the namespace"
done

# A second instance while one runs: refused with a clear message.
"$SYNACK" try --netns "$NS" </dev/null >/dev/null 2>"$WORK/try-a.log" &
P=$!; BG="$BG $P"
wait_for "$WORK/try-a.log" "synack is up" || fail "synack try did not come up"
timeout 10 "$SYNACK" try --netns "$NS" </dev/null >/dev/null 2>"$WORK/try-b.log" &&
    fail "a second synack try with the same namespace succeeded"
grep -q "ip netns add $NS' failed" "$WORK/try-b.log" || fail "unclear error: $(cat "$WORK/try-b.log")"
kill -TERM "$P"; wait "$P"
ip netns list | grep -qw "$NS" && fail "namespace left behind"
ok "a second instance is refused, the first still cleans up"
echo "PASS: $TEST"
