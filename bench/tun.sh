#!/bin/sh
# bench/tun.sh — the device benchmark (issue 6, part 4): the same
# kernel-side client (bench-tcp-send) sends bulk data for MS milliseconds
#   - to synack behind a TUN device in a network namespace, without and
#     with the TUN offloads (IFF_VNET_HDR + checksum offload + TSO), and
#     with them and a busy-polling loop (loop_config.busy_poll_us);
#   - to the kernel's own TCP (bench-tcp-sink) across a veth pair between
#     two namespaces, with the default offloads and with them turned off.
# MTU 1500 everywhere; addresses in 198.18.0.0/15; the namespaces are
# created here and deleted on exit. Needs root (network namespaces, TUN);
# ethtool for the no-offload veth figure (installed with apt-get if
# missing). Prints "tun.* value unit" lines for bench-report.
#
# The machine is shared and a single 3 s run of any row moves by a factor
# of two between runs, so every row is run REPS times (default 3), the rows
# interleaved round by round (a noisy minute hits them all alike), and the
# median of each row is reported (the lower middle one for an even count);
# every sample goes to stderr.
#
# usage: bench/tun.sh BUILD_DIR [MS [REPS]]
set -u
bin=${1:?usage: bench/tun.sh BUILD_DIR [MS [REPS]]}/bench
ms=${2:-3000}
reps=${3:-3}
busy_us=${SYNACK_BENCH_BUSY_POLL_US:-1000}  # the busy-polling run's budget (µs)
if [ "$(id -u)" != 0 ]; then
  echo "bench/tun.sh: needs root (network namespaces, TUN); skipped" >&2
  exit 0
fi
NT=bnch-tun NC=bnch-vc NS=bnch-vs
pids=
samples=$(mktemp) || exit 1
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null; done
  for n in $NT $NC $NS; do ip netns del "$n" 2>/dev/null; done
}
trap 'cleanup; rm -f "$samples"' EXIT
trap 'exit 1' INT TERM
cleanup
pids=

# Runs the client in namespace $1 against $2:9; prints its goodput.
client() {
  ip netns exec "$1" "$bin/bench-tcp-send" "$2" 9 "$ms" | cut -d' ' -f1
}

synack_run() {     # $1: "" or --offload; $2: result key
  ip netns add $NT && ip netns exec $NT ip link set lo up || return 1
  fifo=$(mktemp -u) && mkfifo "$fifo" || return 1
  ip netns exec $NT "$bin/bench-tun-sink" bsa0 198.18.2.2 9 $1 >"$fifo" &
  sink=$!
  pids="$pids $sink"
  exec 3<"$fifo"
  rm -f "$fifo"
  read -r line <&3 || line=
  if [ "$line" != ready ]; then
    echo "bench/tun.sh: bench-tun-sink did not start" >&2
    exec 3<&-
    ip netns del $NT
    return 1
  fi
  ip netns exec $NT ip addr add 198.18.2.1/24 dev bsa0
  ip netns exec $NT ip link set bsa0 mtu 1500 up
  g=$(client $NT 198.18.2.2)
  wait $sink
  rc=$?
  exec 3<&-
  ip netns del $NT
  if [ -n "$g" ] && [ $rc = 0 ]; then
    echo "$2 $g Gbit/s"
  else
    echo "bench/tun.sh: synack over TUN ($2) failed" >&2
  fi
}

kernel_run() {     # $1: on|off (offloads); $2: result key
  ip netns add $NC && ip netns add $NS || return 1
  ip link add bv0 netns $NC type veth peer name bv1 netns $NS || return 1
  ip netns exec $NC ip addr add 198.18.3.1/24 dev bv0
  ip netns exec $NS ip addr add 198.18.3.2/24 dev bv1
  for n in $NC $NS; do ip netns exec $n ip link set lo up; done
  ip netns exec $NC ip link set bv0 mtu 1500 up
  ip netns exec $NS ip link set bv1 mtu 1500 up
  if [ "$1" = off ]; then
    ip netns exec $NC ethtool -K bv0 tso off gso off gro off tx off rx off >/dev/null 2>&1 &&
    ip netns exec $NS ethtool -K bv1 tso off gso off gro off tx off rx off >/dev/null 2>&1 || {
      echo "bench/tun.sh: could not turn veth offloads off (ethtool)" >&2
      ip netns del $NC; ip netns del $NS
      return 1
    }
  fi
  ip netns exec $NS "$bin/bench-tcp-sink" 9 &
  sink=$!
  pids="$pids $sink"
  sleep 0.2
  g=$(client $NC 198.18.3.2)
  wait $sink
  ip netns del $NC
  ip netns del $NS
  if [ -n "$g" ]; then echo "$2 $g Gbit/s"; else echo "bench/tun.sh: kernel veth ($2) failed" >&2; fi
}

ceiling_run() {    # plain TUN read ceiling
  ip netns add $NT && ip netns exec $NT ip link set lo up || return 1
  in=$(mktemp -u) && out=$(mktemp -u) && mkfifo "$in" "$out" || return 1
  ip netns exec $NT "$bin/bench-tun-ceiling" bsa0 "$ms" <"$in" >"$out" &
  cp=$!
  pids="$pids $cp"
  exec 4>"$in" 5<"$out"
  rm -f "$in" "$out"
  read -r line <&5 || line=
  if [ "$line" = ready ]; then
    ip netns exec $NT ip addr add 198.18.2.1/24 dev bsa0
    ip netns exec $NT ip link set bsa0 mtu 1500 up
    echo go >&4
    read -r g <&5 || g=
  else
    g=
  fi
  exec 4>&- 5<&-
  wait $cp
  ip netns del $NT
  if [ -n "$g" ]; then echo "tun.plain_ceiling.gbps $g Gbit/s"; else echo "bench/tun.sh: TUN ceiling failed" >&2; fi
}

if ! command -v ethtool >/dev/null 2>&1; then
  apt-get install -y ethtool >/dev/null 2>&1 || { apt-get update && apt-get install -y ethtool; } >/dev/null 2>&1 ||
    echo "bench/tun.sh: ethtool unavailable: no veth figure without offloads" >&2
fi
round=0
while [ $round -lt "$reps" ]; do
  round=$((round + 1))
  echo "bench/tun.sh: round $round of $reps" >&2
  ceiling_run
  synack_run "" tun.synack_plain.gbps
  synack_run --offload tun.synack_offload.gbps
  synack_run "--offload --busy-poll=$busy_us" tun.synack_offload_busy.gbps
  kernel_run on tun.kernel_veth.gbps
  kernel_run off tun.kernel_veth_nooffload.gbps
done >>"$samples"

# The median of each row's samples.
for key in $(cut -d' ' -f1 "$samples" | sort -u); do
  vals=$(awk -v k="$key" '$1 == k {print $2}' "$samples" | sort -g)
  echo "bench/tun.sh: $key samples:" $vals >&2
  echo "$vals" | awk -v k="$key" '{v[NR] = $1} END {print k, v[int((NR + 1) / 2)], "Gbit/s"}'
done
