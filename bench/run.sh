#!/bin/sh
# bench/run.sh — runs every benchmark harness built in BUILD_DIR and prints
# one table (bench-report): synack back to back, lwIP in the same harness,
# and the memcpy/checksum floor, from the same run.
#
# usage: bench/run.sh BUILD_DIR [options]
#   --json            machine-readable output (also SYNACK_BENCH_JSON=1)
#   --conns=N         synack handshake+close connections (default 100000;
#                     --conns=1000000 for the issue's full range)
#   --lwip-conns=N    lwIP connections (default 10000, at most 16000)
#   --mem-conns=N     synack connections for the memory figures (default 100000)
#   --bulk-ms=MS      timed bulk phase per stack (default 2000)
#   --no-tun          skip the device benchmark (bench/tun.sh; it runs only
#                     as root, in network namespaces it creates and deletes;
#                     each of its rows is the median of 3 interleaved runs)
#   --quick           short phases (a smoke run, not for publishing)
# Progress goes to stderr; stdout carries only the table (or the JSON).
set -u
build=${1:?usage: bench/run.sh BUILD_DIR [--json] [--conns=N] ...}
shift
bin=$build/bench

json=
case "${SYNACK_BENCH_JSON:-0}" in 0|"") ;; *) json=--json ;; esac
conns=100000 lwip_conns=10000 mem_conns=100000 lwip_mem=10000 bulk_ms=2000 loss_ms=1000 floor_ms=500
tun=1 tun_ms=3000 tun_reps=3
for a in "$@"; do
  case "$a" in
    --json) json=--json ;;
    --conns=*) conns=${a#*=} ;;
    --lwip-conns=*) lwip_conns=${a#*=} ;;
    --mem-conns=*) mem_conns=${a#*=} ;;
    --bulk-ms=*) bulk_ms=${a#*=} ;;
    --no-tun) tun= ;;
    --quick) conns=20000 lwip_conns=2000 mem_conns=10000 lwip_mem=2000 bulk_ms=300 loss_ms=200 floor_ms=100
             tun_ms=1000 tun_reps=1 ;;
    *) echo "bench/run.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

out=$(mktemp) || exit 1
err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err"' EXIT INT TERM

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
{
  echo "meta date $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "meta machine $(nproc) cores, ${model:-unknown CPU}, Linux $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
  rev=$(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [ -n "$(git -C "$(dirname "$0")/.." status --porcelain -- src include 2>/dev/null)" ]; then
    rev="$rev (src/ has uncommitted changes)"
  fi
  echo "meta commit $rev"
} >"$out"

failed=0
run() {
  name=$1
  shift
  if [ ! -x "$bin/$name" ]; then
    echo "bench: $name was not built; its figures are missing" >&2
    return
  fi
  echo "bench: $name $*" >&2
  if ! "$bin/$name" "$@" >>"$out" 2>"$err"; then
    echo "bench: $name failed:" >&2
    cat "$err" >&2
    failed=1
  fi
}

run bench-floor --ms="$floor_ms"
run bench-b2b --bulk-ms="$bulk_ms" --loss-ms="$loss_ms" --conns="$conns" --mem-conns="$mem_conns"
if [ -x "$bin/bench-lwip" ]; then
  run bench-lwip --bulk-ms="$bulk_ms" --loss-ms="$loss_ms" --conns="$lwip_conns" --mem-conns="$lwip_mem"
else
  echo "bench: bench-lwip not built (liblwip-dev missing): lwIP columns stay empty" >&2
fi
if [ -n "$tun" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bench: bench/tun.sh (TUN and veth in network namespaces)" >&2
    "$(dirname "$0")/tun.sh" "$build" "$tun_ms" "$tun_reps" >>"$out" || failed=1
  else
    echo "bench: not root: device benchmark (bench/tun.sh) skipped" >&2
  fi
fi

"$bin/bench-report" $json <"$out" || failed=1
exit $failed
