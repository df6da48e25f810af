#!/bin/sh
# 100 MB both ways between the kernel and synack over a bad network made by
# synack's fault layer (drivers/fault), in both directions at once:
# 1 % loss, 1 % reordering (a datagram held back behind 3 others), 0.5 %
# duplication. synack connect sends 100 MB to a kernel socat and receives
# 100 MB from another; then 20 MB go through synack serve's echo with
# 1 % corruption added (per datagram: with offloads a 64 KiB super-packet
# is one datagram, so the rate is high enough to hit some of them). Every sha256 must match, no connection may be
# reset, the layer must really have dropped, held back and duplicated
# datagrams both ways (its counters), synack must have retransmitted, and
# the kernel must have retransmitted and dropped corrupted segments by
# checksum (its own counters, /proc/net/snmp in the namespace). D-SACKs
# must work both ways: synack undoes recoveries the kernel's D-SACKs show
# were spurious, and the kernel receives synack's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bulk_lib.inc"
setup
capture_start "-c 3000"

N=${SYNACK_FAULTS_BYTES:-100000000}
FAULTS="loss=1%,reorder=1%,dup=0.5%"

# A counter of the namespace's kernel: ktcp FIELD reads /proc/net/snmp
# "Tcp:", kip FIELD /proc/net/netstat "IpExt:".
kcounter() {
    nsx cat "$1" | awk -v t="$2" -v f="$3" '
        $1 == t && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
        $1 == t && h { print $col[f] }'
}
ktcp() { kcounter /proc/net/snmp Tcp: "$1"; }
kip() { kcounter /proc/net/netstat IpExt: "$1"; }
kext() { kcounter /proc/net/netstat TcpExt: "$1"; }

# Counters of the fault layer over the whole test, per direction and kind
# (checked at the end: every one must be > 0).
TOTALS=""

# A count from one of the layer's counter lines: count LINE WORD.
count() { echo "$1" | grep -o "[0-9]* $2" | head -n 1 | cut -d' ' -f1; }

# Checks a -v log of synack: the layer lost, duplicated and reordered
# datagrams (in + out: with offloads one leg's direction may carry only a
# few thousand datagrams, too few for a 0.5 % rate to be certain); nothing
# was still held at exit; synack retransmitted ($2: 1 required); no
# connection was reset.
check_log() {
    log=$1
    for what in lost duplicated reordered; do
        sum=0
        for dir in in out; do
            line=$(grep "faults $dir: [0-9]* packets" "$log") ||
                fail "$log: no fault counters for $dir"
            echo "$line" | grep -q " 0 held$" || fail "$log: datagrams still held at exit: $line"
            c=$(count "$line" "$what")
            sum=$((sum + c))
            TOTALS="$TOTALS $dir-$what:$c"
        done
        [ "$sum" -gt 0 ] || fail "$log: the layer never $what a datagram"
    done
    if [ "$2" = 1 ]; then
        grep -q " [1-9][0-9]* retransmits" "$log" ||
            fail "$log: synack did not retransmit: $(grep retransmits "$log")"
    fi
    grep -q ", 0 reset," "$log" || fail "$log: a connection was reset: $(grep 'reset,' "$log")"
    grep -qi "reset by peer" "$log" && fail "$log: connection reset by peer"
    return 0
}

retrans0=$(ktcp RetransSegs)
bulk_up "$N" --faults "$FAULTS,seed=11"
check_log "$WORK/up.log" 1
ok "up: $(grep 'faults out: [0-9]* packets' "$WORK/up.log" | sed 's/^[^:]*: //')"
ok "up: $(grep -o '[0-9]* retransmits ([^)]*)' "$WORK/up.log") by synack"
# Held-back segments set recoveries off; the kernel's D-SACKs for the
# resends must have undone some of them (RFC 3708, tcp_recovery.c).
grep -q "[1-9][0-9]* undone)" "$WORK/up.log" ||
    fail "synack undid no spurious recovery: $(grep -o 'retransmits ([^)]*)' "$WORK/up.log")"

dsack0=$(kext TCPDSACKRecv)
bulk_down "$N" --faults "$FAULTS,seed=12"
check_log "$WORK/down.log" 0
ok "down: $(grep 'faults in: [0-9]* packets' "$WORK/down.log" | sed 's/^[^:]*: //')"
retrans=$(($(ktcp RetransSegs) - retrans0))
[ "$retrans" -gt 0 ] || fail "the kernel never retransmitted to synack"
ok "the kernel retransmitted $retrans segments"
# synack reports the duplicates it receives (RFC 2883): the kernel counts
# the D-SACKs (and undoes its own spurious recoveries with them).
if [ -n "$dsack0" ]; then
    dsack=$(($(kext TCPDSACKRecv) - dsack0))
    [ "$dsack" -gt 0 ] || fail "the kernel received no D-SACK from synack"
    ok "the kernel received $dsack D-SACKs from synack (undone recoveries: TCPDSACKUndo $(kext TCPDSACKUndo))"
else
    ok "this kernel has no TCPDSACKRecv counter: D-SACKs to the kernel not checked"
fi

# The capture (first 3000 frames) ends here: corrupted datagrams below
# would fail its checksum check by design.
capture_check

E=${SYNACK_FAULTS_ECHO_BYTES:-20000000}
csum0=$(($(ktcp InCsumErrors) + $(kip InCsumErrors)))
serve_start --faults "$FAULTS,corrupt=1%,seed=13"
bulk_echo "$E"
serve_stop
check_log "$WORK/serve.log" 1
grep "faults out: [0-9]* packets" "$WORK/serve.log" | grep -q " [1-9][0-9]* corrupted" ||
    fail "serve: the layer corrupted nothing going out"
grep -q "dropped [1-9][0-9]* \(tcp\|ip\)-checksum" "$WORK/serve.log" ||
    fail "serve: synack dropped no corrupted datagram by checksum"
# TCP checksum (a complete segment) or IPv4 header checksum (a TSO
# super-segment, whose bit is flipped in the IPv4 header).
csum=$(($(ktcp InCsumErrors) + $(kip InCsumErrors) - csum0))
[ "$csum" -gt 0 ] || fail "the kernel dropped no corrupted segment by checksum"
ok "echo with corruption: kernel dropped $csum by checksum; synack $(grep -o 'dropped [0-9]* [a-z]*-checksum' "$WORK/serve.log" | tr '\n' ' ')"

for dir in in out; do
    for what in lost duplicated reordered; do
        t=0
        for kv in $TOTALS; do
            [ "${kv%%:*}" = "$dir-$what" ] && t=$((t + ${kv#*:}))
        done
        [ "$t" -gt 0 ] || fail "the layer never $what a datagram going $dir"
        printf '%s %s %s; ' "$dir" "$what" "$t" >>"$WORK/totals"
    done
done
ok "fault layer, all legs: $(cat "$WORK/totals")"

resets=$(ktcp EstabResets)
[ "$resets" = 0 ] || fail "the kernel saw $resets established connections reset"
ok "no connection reset (kernel EstabResets 0, synack 0 reset)"
echo "PASS: $TEST"
