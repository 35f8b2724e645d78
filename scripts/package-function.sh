#!/usr/bin/env bash
# Packages one function for Lambda's provided.al2023: NAME.zip holding
#   bootstrap                  a static launcher (scripts/package/bootstrap.c)
#   function                   the release binary, stripped
#   lib/ld-linux-x86-64.so.2   this machine's dynamic loader
#   lib/*.so*                  every library the binary needs (libpq, libcurl and theirs, libc…)
#   ca-certificates.crt        the certificate authorities TLS is checked against
# so that it runs without the system's libraries: Amazon Linux 2023 has an older glibc than the
# one this Debian builds against. Files are dated 1980-01-01 and sorted, so the same inputs give
# the same zip (and Terraform sees no change).
# Usage: package-function.sh NAME BINARY LAUNCHER OUTPUT_DIR [EXTRA_CA_FILE...]
set -euo pipefail

name=$1 binary=$2 launcher=$3
mkdir -p "$4"
output=$(realpath "$4")
shift 4
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/lib"
cp "$launcher" "$stage/bootstrap"
strip -o "$stage/function" "$binary"

# Every library the loader resolves for the binary, under its soname, and the loader itself.
loader=""
while read -r soname _ path _; do
  case "$soname" in
    */ld-linux-x86-64.so.2) loader=$soname ;;
    *) [ -n "${path:-}" ] && [ -e "$path" ] && cp -L "$path" "$stage/lib/$soname" ;;
  esac
done < <(ldd "$binary" | sed -e 's/^[[:space:]]*//' | grep -v '^linux-vdso')
[ -n "$loader" ] || { echo "package-function: no dynamic loader found for $binary" >&2; exit 1; }
cp -L "$loader" "$stage/lib/ld-linux-x86-64.so.2"

cat /etc/ssl/certs/ca-certificates.crt "$@" > "$stage/ca-certificates.crt"
chmod 0644 "$stage/ca-certificates.crt" "$stage"/lib/*
chmod 0755 "$stage/bootstrap" "$stage/function" "$stage/lib/ld-linux-x86-64.so.2"
find "$stage" -exec touch -h -t 198001010000 {} +

rm -f "$output/$name.zip"
(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort | zip -q -X -9 "$output/$name.zip" -@)
