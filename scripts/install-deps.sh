#!/bin/sh
# Installs the tools `make test` needs when they are missing. Only acts as root
# (CI runs as root on a fresh machine); otherwise it lists what is missing.
set -e
need=""
have() { command -v "$1" >/dev/null 2>&1; }
have cmake  || need="$need cmake"
have cc     || need="$need gcc"
have pkg-config || need="$need pkg-config"
[ -f /usr/include/pcap/pcap.h ] || need="$need libpcap-dev"
have tshark || need="$need tshark"
# tests/cli/trace_kernel.sh: curl against python's http.server in a namespace.
have curl || need="$need curl"
have python3 || need="$need python3"
have ip || need="$need iproute2"
# tests/interop: kernel-side peers and tools in a namespace with a TUN device.
have socat   || need="$need socat"
have nc      || need="$need netcat-openbsd"
have tcpdump || need="$need tcpdump"
have ping    || need="$need iputils-ping"
have ss      || need="$need iproute2"
have iperf3  || need="$need iperf3"
have wrk     || need="$need wrk"
have ps      || need="$need procps"      # syn_flood.sh reads synack's memory
# valgrind runs the simulated scenarios in the non-sanitizer build; clang and
# its runtime (libFuzzer) build the fuzz targets (`make fuzz`).
have valgrind || need="$need valgrind"
have clang || need="$need clang"
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
    need="$need libclang-rt-14-dev"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "install-deps: installing$need"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends $need >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1
        apt-get install -y -q --no-install-recommends $need >/dev/null
    }
else
    echo "install-deps: missing$need (run as root to install; tests needing them are skipped)" >&2
fi
