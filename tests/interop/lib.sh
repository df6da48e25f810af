# lib.sh — shared set-up for the interop tests (sourced, POSIX sh).
#
# Each test gets its own network namespace with a TUN device: the kernel
# side is 198.18.0.1/24, synack 198.18.0.2. A test starts `synack serve`
# or `synack connect` on the device inside the namespace and ordinary
# programs (curl, nc, socat, ping, python3) on the kernel side; tcpdump
# captures on the device and tshark checks the capture at the end. The
# namespace (and with it the device) and every background process are
# removed on exit, whatever the outcome (trap EXIT).
#
# Usage in a test:  . "$(dirname "$0")/lib.sh" "$@"   ($1: synack binary)
# Exit codes: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE).

# Our own deadline, below ctest's TIMEOUT (180 s): ctest kills without
# letting the EXIT trap run, which would leave the namespace behind;
# timeout(1) sends TERM, and the trap cleans up.
if [ -z "${SYNACK_INTEROP_INNER:-}" ]; then
    SYNACK_INTEROP_INNER=1 exec timeout -s TERM "${SYNACK_INTEROP_LIMIT:-150}" sh "$0" "$@"
fi
SYNACK=${1:?usage: test.sh path/to/synack [offload]}
MODE=${2:-plain}        # plain, or offload: synack opens the device with
                        # IFF_VNET_HDR (TSO super-packets, partial checksums),
                        # or busypoll: offload with a busy-polling loop
K=198.18.0.1            # kernel side
S=198.18.0.2            # synack
DEV=syn0
TEST=$(basename "$0" .sh)
[ "$MODE" = offload ] && TEST=$TEST-offload
[ "$MODE" = busypoll ] && TEST=$TEST-busypoll
NS=synack-$TEST-$$
BG=""                   # background pids to stop at exit
CAP_PID=""
OFFLOAD=""

skip() { echo "SKIP: $TEST: $*"; exit 77; }

need() {
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 ||
            skip "$t is not installed (scripts/install-deps.sh installs it, as root)"
    done
}

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces and TUN devices)"
[ -c /dev/net/tun ] || skip "/dev/net/tun is missing (modprobe tun)"
need ip timeout tcpdump tshark python3
[ -x "$SYNACK" ] || { echo "FAIL: $TEST: no synack binary at $SYNACK"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/synack-$TEST.XXXXXX") || { echo "FAIL: $TEST: mktemp"; exit 1; }

cleanup() {
    rc=$?
    for p in $BG $CAP_PID; do kill "$p" 2>/dev/null; done
    for p in $BG $CAP_PID; do wait "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    if [ "$rc" = 0 ] || [ "$rc" = 77 ]; then
        rm -rf "$WORK"
    else
        echo "($TEST: logs and capture kept in $WORK)"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "FAIL: $TEST: interrupted (signal, or over the time limit)"; exit 1' INT TERM HUP

fail() {
    echo "FAIL: $TEST: $*"
    for f in "$WORK"/*.log; do
        [ -s "$f" ] && { echo "--- $f (last 30 lines)"; tail -n 30 "$f"; }
    done
    exit 1
}

ok() { echo "ok: $*"; }

# Runs a command in the namespace.
nsx() { ip netns exec "$NS" "$@"; }

# Creates the namespace and the device. In offload mode synack opens it
# with IFF_VNET_HDR (a TUN device's flags come from whoever attaches).
setup() {
    [ "$MODE" = offload ] && OFFLOAD=--offload
    [ "$MODE" = busypoll ] && OFFLOAD="--offload --busy-poll=500"
    ip netns add "$NS" || fail "cannot create namespace $NS"
    nsx ip link set lo up
    nsx ip tuntap add dev "$DEV" mode tun || fail "cannot create TUN device"
    # No IPv6 on the device: its router solicitations would only add noise.
    nsx sysctl -qw "net.ipv6.conf.$DEV.disable_ipv6=1" 2>/dev/null
    nsx ip addr add "$K/24" dev "$DEV"
    nsx ip link set "$DEV" up
}

# Waits (up to 5 s) for a line matching $2 in file $1.
wait_for() {
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 100 ] && return 1
        sleep 0.05
    done
    return 0
}

# Starts tcpdump on the device; $1: extra tcpdump arguments (e.g. -c N).
capture_start() {
    ip netns exec "$NS" tcpdump -i "$DEV" -n -U --immediate-mode -s 0 -w "$WORK/capture.pcap" ${1:-} >/dev/null 2>"$WORK/tcpdump.err" &
    CAP_PID=$!
    wait_for "$WORK/tcpdump.err" "listening on" || fail "tcpdump did not start"
}

# Prints the packets of capture $1 that tshark finds malformed or with an
# error-level expert item (bad IPv4 / TCP checksums: TCP checked if $2 is
# TRUE), at most 20 lines; nothing if the capture is clean.
tshark_problems() {
    # Payloads here are random bytes or generated text: tshark's heuristic
    # dissectors (and the port-based ones of the test ports) would guess
    # protocols in them and report those "malformed". Only IP, ICMP and
    # TCP are judged: the protocols that tcp's heuristics would try are
    # disabled, and the test ports decoded as plain data.
    heur=$(tshark -G heuristic-decodes 2>/dev/null |
        awk -F'\t' '$1 == "tcp" {printf " --disable-protocol %s", $2}')
    ports=""
    for p in 7 9 19 5001 5002 5003 5004 5005 5007 8000; do
        ports="$ports -d tcp.port==$p,data"
    done
    tshark -r "$1" -n $heur $ports -o ip.check_checksum:TRUE \
        -o tcp.check_checksum:$2 -Y '_ws.malformed || _ws.expert.severity == error' \
        2>"$WORK/tshark.err" | head -n 20
}

# Stops tcpdump and checks the capture with tshark's expert info: no
# malformed packet, no error-level expert item (bad checksums included:
# checksum validation is turned on). With offloads the kernel and synack
# leave TCP checksums partial (the device would complete them), as on any
# NIC with offloads, so TCP checksums are not checked then.
capture_check() {
    sleep 0.2
    kill -TERM "$CAP_PID" 2>/dev/null
    wait "$CAP_PID" 2>/dev/null
    CAP_PID=""
    tcpck=TRUE
    [ -n "$OFFLOAD" ] && tcpck=FALSE
    n=$(tshark -r "$WORK/capture.pcap" -n -T fields -e frame.number 2>/dev/null | wc -l)
    bad=$(tshark_problems "$WORK/capture.pcap" $tcpck)
    grep -v "Running as user" "$WORK/tshark.err" | grep -q . &&
        fail "tshark failed: $(cat "$WORK/tshark.err")"
    [ -z "$bad" ] || fail "capture has malformed packets or bad checksums:
$bad"
    [ "${n:-0}" -gt 0 ] 2>/dev/null || fail "capture is empty"
    ok "capture: $n frames, no malformed packet, no bad checksum (tcp checksums checked: $tcpck)"
}

# Starts `synack serve` on the device with extra arguments; its log is
# $WORK/serve.log.
serve_start() {
    ip netns exec "$NS" timeout 170 "$SYNACK" serve --dev "$DEV" $OFFLOAD -v "$@" >"$WORK/serve.out" 2>"$WORK/serve.log" &
    SERVE_PID=$!
    BG="$BG $SERVE_PID"
    wait_for "$WORK/serve.log" "listening on" || fail "synack serve did not start"
}

# Stops synack serve (SIGTERM: its orderly shutdown) and waits for it.
serve_stop() {
    kill -TERM "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    grep -q "stopping" "$WORK/serve.log" || fail "synack serve did not stop cleanly"
}

# Kernel-side TCP sockets (ss) other than listeners, one per line:
# "STATE local peer".
kernel_sockets() {
    nsx ss -tanH state all | awk '$1 != "LISTEN" {print $1, $4, $5}'
}

# The chargen pattern's sha256 for n bytes (what /bytes/N serves).
pattern_sha256() {
    python3 - "$1" <<'EOF'
import hashlib, sys
n = int(sys.argv[1])
period = b"".join(bytes(32 + (l + c) % 95 for c in range(72)) + b"\r\n" for l in range(95))
h = hashlib.sha256()
block = period * 1000
while n >= len(block):
    h.update(block); n -= len(block)
h.update((period * (n // len(period) + 1))[:n])
print(h.hexdigest())
EOF
}

# Makes a file of $2 bytes of random data at $1.
random_file() {
    head -c "$2" /dev/urandom >"$1" || fail "cannot write $1"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
