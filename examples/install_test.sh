#!/bin/sh
# Installs the build into a scratch prefix, then builds and runs first.c
# the way a user would: with pkg-config, against the shared library.
set -e
build=$1 src=$2
command -v pkg-config >/dev/null || { echo "pkg-config missing: skipped"; exit 77; }
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib64/pkgconfig:$(ls -d "$prefix"/lib/*/pkgconfig 2>/dev/null | tr '\n' ':')"
flags=$(pkg-config --cflags --libs synack)
test -f "$prefix/include/synack.h"
cc -std=c11 -Wall -Wextra -Werror "$src" $flags -o "$prefix/first"
libdir=$(pkg-config --variable=libdir synack)
out=$(LD_LIBRARY_PATH="$libdir" "$prefix/first")
echo "$out"
echo "$out" | grep -q "client got 12 bytes: hello to you"
