#!/bin/sh
# ladder_cli.sh SYNACK — the `synack` command's interface: exit codes and
# usage errors, --help/--list, plain 80-column text when piped, colour on
# request, every scenario in en and zh as text and as well-formed SVG,
# --pcap captures that `synack trace` (and tshark, when installed) read.
set -u
SYNACK=${1:?usage: ladder_cli.sh path/to/synack}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

# expect_exit CODE CMD... : runs CMD, stdout in $T/out, stderr in $T/err
expect_exit() {
    want=$1; shift
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "$* exited $got, expected $want"; sed 's/^/    /' "$T/err" | head -5; return 1
    fi
    return 0
}
has() { grep -qF -- "$2" "$1" || { fail "$1 lacks: $2"; return 1; }; }

# Longest line in display columns (CJK counts two), via python when present.
width() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys,unicodedata as u
print(max([sum(2 if u.east_asian_width(c) in "WF" else 1 for c in l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")] or [0]))' "$1"
    else
        awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$1"
    fi
}

# --- usage errors: one line, then the usage, exit 2
expect_exit 2 "$SYNACK" && has "$T/err" "usage: synack <command>" && ok "no command"
expect_exit 2 "$SYNACK" bogus && [ "$(head -1 "$T/err")" = "synack: unknown command 'bogus'" ] \
    && has "$T/err" "usage: synack <command>" && ok "unknown command"
expect_exit 2 "$SYNACK" demo --bogus \
    && [ "$(head -1 "$T/err")" = "synack demo: unknown option '--bogus'" ] \
    && has "$T/err" "usage: synack demo" && ok "unknown demo option"
expect_exit 2 "$SYNACK" demo nosuch && has "$T/err" "unknown scenario 'nosuch'" && ok "unknown scenario"
expect_exit 2 "$SYNACK" demo --lang fr && has "$T/err" "--lang wants en or zh" && ok "bad --lang"
expect_exit 2 "$SYNACK" demo --seed && ok "--seed without a value"
expect_exit 2 "$SYNACK" demo --color=sometimes && ok "bad --color"
expect_exit 2 "$SYNACK" trace && has "$T/err" "no capture file given" && ok "trace without a file"
expect_exit 2 "$SYNACK" trace x.pcap --conn 0 && ok "trace --conn 0"
expect_exit 1 "$SYNACK" trace "$T/missing.pcap" && has "$T/err" "synack trace: $T/missing.pcap" \
    && ok "trace of a missing file"
# Network commands check their options before opening any device.
expect_exit 2 "$SYNACK" serve --busy-poll=abc \
    && [ "$(head -1 "$T/err")" = "synack serve: bad value for --busy-poll: 'abc'" ] \
    && has "$T/err" "usage: synack serve" && ok "serve: bad --busy-poll"
expect_exit 2 "$SYNACK" connect --busy-poll=2000000 198.18.0.1 9 \
    && [ "$(head -1 "$T/err")" = "synack connect: bad value for --busy-poll: '2000000'" ] \
    && has "$T/err" "usage: synack connect" && ok "connect: --busy-poll out of range"
expect_exit 2 "$SYNACK" serve --mtu=1 && has "$T/err" "usage: synack serve" && ok "serve: bad --mtu"

# --- help and list
expect_exit 0 "$SYNACK" demo --help && [ "$(head -1 "$T/out")" = "usage: synack demo [SCENARIO...] [options]" ] && ok "demo --help"
expect_exit 0 "$SYNACK" trace --help && has "$T/out" "--conn N" && ok "trace --help"
expect_exit 0 "$SYNACK" help trace && has "$T/out" "usage: synack trace" && ok "help trace"
expect_exit 0 "$SYNACK" help && has "$T/out" "demo" && has "$T/out" "trace" && ok "help"
if expect_exit 0 "$SYNACK" demo --list; then
    n=0
    for s in handshake close lost-syn old-duplicate-syn lost-final-ack syn-rcvd-timeout \
             simultaneous-open simultaneous-close reset; do
        grep -q "^  $s " "$T/out" && n=$((n + 1))
    done
    [ "$n" -eq 9 ] && [ "$(wc -l <"$T/out")" -eq 9 ] && ok "--list names the 9 scenarios" \
        || fail "--list: $(cat "$T/out")"
fi

# --- the default demo (what `make demo` shows): handshake then close
if expect_exit 0 "$SYNACK" demo; then
    cp "$T/out" "$T/default"
    has "$T/default" "handshake: the three-way handshake" &&
    has "$T/default" "close: the four-way close, with a half-close" &&
    has "$T/default" "|-- [S] seq=0 win=65535 <mss 1460> ------>|" &&
    has "$T/default" "|<---------- [S.] seq=0 ack=1 win=65535 --|" &&
    has "$T/default" "|-- [.] seq=1 ack=1 win=65535 ----------->|" &&
    has "$T/default" "| CLOSE-WAIT" && has "$T/default" "  FIN-WAIT-2 |" &&
    has "$T/default" "2MSL expired |" && ok "default demo content"
    grep -q "$(printf '\033')" "$T/default" && fail "colour codes in piped output"
    [ "$(width "$T/default")" -le 80 ] && ok "default demo fits 80 columns" \
        || fail "default demo is $(width "$T/default") columns wide"
fi
expect_exit 0 "$SYNACK" demo handshake --color=always && grep -q "$(printf '\033')\[" "$T/out" \
    && ok "--color=always" || fail "--color=always gave no colour"
expect_exit 0 "$SYNACK" demo handshake --absolute && ! grep -q "seq=0 " "$T/out" \
    && has "$T/out" "ISN " && ok "--absolute"

# --- every scenario, en and zh, text and SVG
for s in handshake close lost-syn old-duplicate-syn lost-final-ack syn-rcvd-timeout \
         simultaneous-open simultaneous-close reset; do
    for lang in en zh; do
        if expect_exit 0 "$SYNACK" demo "$s" --lang "$lang" --svg "$T/$s-$lang.svg"; then
            [ "$(width "$T/out")" -le 80 ] || fail "$s $lang: $(width "$T/out") columns"
            has "$T/out" "RFC" >/dev/null
            if [ "$lang" = zh ]; then
                # every Chinese text cites a section: "第 3.5 节"
                grep -q "节" "$T/out" || fail "$s zh: no Chinese explanation"
                grep -q "节" "$T/$s-$lang.svg" || fail "$s zh: no Chinese in the SVG"
            fi
            has "$T/$s-$lang.svg" "<svg xmlns=\"http://www.w3.org/2000/svg\"" >/dev/null
            if command -v python3 >/dev/null 2>&1; then
                python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' \
                    "$T/$s-$lang.svg" || fail "$s $lang: SVG is not well-formed XML"
            fi
        fi
    done
done
ok "every scenario in en and zh (text and SVG)"
expect_exit 0 "$SYNACK" demo handshake --lang zh && has "$T/out" "SYN-SEND" \
    && has "$T/out" "SYN-RECEIVED" && ok "zh corrects the article's state names"
expect_exit 0 "$SYNACK" demo close --lang zh && has "$T/out" "FIN-WAIT-2" && ok "zh names FIN-WAIT-2"

# --- captures: --pcap, read back by synack trace (and tshark)
if expect_exit 0 "$SYNACK" demo handshake --pcap "$T/hs.pcap"; then
    expect_exit 0 "$SYNACK" trace "$T/hs.pcap" --no-explain &&
    has "$T/out" "|-- [S] seq=0 win=65535 <mss 1460> ------>|" &&
    has "$T/out" "|<---------- [S.] seq=0 ack=1 win=65535 --|" &&
    has "$T/out" "ACK of SYN received | ESTABLISHED" && ok "demo --pcap reads back in synack trace"
    if command -v tshark >/dev/null 2>&1; then
        tshark -r "$T/hs.pcap" >"$T/tshark" 2>/dev/null && [ "$(wc -l <"$T/tshark")" -eq 3 ] &&
            ! grep -qi "malformed" "$T/tshark" && ok "tshark reads the demo capture" ||
            fail "tshark on the demo capture: $(cat "$T/tshark")"
    else
        echo "skip tshark check: tshark not installed"
    fi
fi
expect_exit 0 "$SYNACK" demo --pcap "$T/two.pcap" && [ -s "$T/two-handshake.pcap" ] &&
    [ -s "$T/two-close.pcap" ] && ok "--pcap with two scenarios writes one file each"
if expect_exit 0 "$SYNACK" demo reset --pcap "$T/reset.pcap"; then
    expect_exit 0 "$SYNACK" trace "$T/reset.pcap" && has "$T/out" "2 TCP connections" &&
        has "$T/out" "  1  198.18.0.1:40000 -> 198.18.0.2:81" &&
        has "$T/out" "final states: client CLOSED, server CLOSED" && ok "trace lists connections"
    expect_exit 0 "$SYNACK" trace "$T/reset.pcap" --conn 1 --no-explain &&
        has "$T/out" "[R.] seq=0 ack=1 win=0" && ok "trace --conn 1"
    expect_exit 1 "$SYNACK" trace "$T/reset.pcap" --conn 3 && has "$T/err" "has 2 connections" &&
        ok "trace --conn out of range"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all CLI checks passed"
