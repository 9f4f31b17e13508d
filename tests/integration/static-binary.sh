#!/bin/bash
# static-binary.sh BINARY MAX_BYTES: what `make static` promises of its
# binary, checked on the binary itself (its boots are the QEMU scenarios):
# statically linked with no interpreter and no dynamic section, no glibc
# inside, at most MAX_BYTES bytes stripped, built with the kernel crypto
# backend, and it runs on this host. Prints its size breakdown (from the
# link map next to it) for the log.
set -uo pipefail
bin=${1:?usage: $0 BINARY MAX_BYTES}
max=${2:?usage: $0 BINARY MAX_BYTES}
here=$(cd "$(dirname "$0")" && pwd)
pass=0 failed=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }

[ -x "$bin" ] || { echo "FAIL no executable $bin"; echo "0 passed, 1 failed"; exit 1; }

desc=$(file -b "$bin")
case $desc in
    *"statically linked"*) ok "file: $desc" ;;
    *) bad "file does not say statically linked: $desc" ;;
esac
if grep -q 'INTERP' <<<"$(readelf -lW "$bin")"; then bad "has a program interpreter"; else ok "no program interpreter"; fi
if grep -q 'There is no dynamic section' <<<"$(readelf -dW "$bin")"; then ok "no dynamic section"; else bad "has a dynamic section"; fi

# glibc leaves its version tags, its name and its banner in what it links
hits=$(strings -a "$bin" | grep -E 'GLIBC_[0-9]|GNU C Library|glibc|/lib64/ld-linux|libc\.so\.6' | head -3)
if [ -z "$hits" ]; then ok "no glibc strings"; else bad "glibc strings inside: $(echo "$hits" | tr '\n' ' ')"; fi

size=$(stat -c %s "$bin")
if [ "$size" -le "$max" ]; then ok "size $size bytes <= $max"; else bad "size $size bytes > $max"; fi
if grep -qE ' \.(symtab|debug_info) ' <<<"$(readelf -SW "$bin")"; then bad "not stripped"; else ok "stripped"; fi

ver=$("$bin" --version 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q '(iscsiroot)' <<<"$ver" && grep -qx 'crypto: kernel (AF_ALG)' <<<"$ver"; then
    ok "--version: $(echo "$ver" | tr '\n' ' ')"
else
    bad "--version (exit $rc): $ver"
fi
out=$("$bin" -i iqn.2026-11.test:x -t not_an_iqn -a 127.0.0.1 2>&1)
rc=$?
if [ $rc -eq 7 ] && [ "$(echo "$out" | grep -c 'error:')" = 1 ]; then ok "bad argument: exit 7, one error line"; else bad "bad argument: exit $rc: $out"; fi

# The hooks accept it and add what this build needs: the AF_ALG hash
# modules and modprobe (it has no libkmod). Real dracut, and the initcpio
# runner of qemu-tests (mkinitcpio is not packaged for Debian), against
# qemu-tests' downloaded kernel.
qt=$here/../../qemu-tests
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
list() { { zcat "$1" 2>/dev/null || cat "$1"; } | cpio -t --quiet 2>/dev/null; }
for gen in dracut initcpio; do
    img=$tmp/$gen.img
    if ! "$qt/build-$gen-image.sh" "$img" "$bin" > "$tmp/$gen.log" 2>&1; then
        bad "$gen image with this binary: build failed: $(tail -n 2 "$tmp/$gen.log" | tr '\n' ' ')"
        continue
    fi
    files=$(list "$img")
    missing=
    for f in 'bin/iscsistart$' '/crypto/algif_hash\.ko' '/crypto/sha3_generic\.ko' 'bin/modprobe$'; do
        grep -qE "$f" <<<"$files" || missing+=" $f"
    done
    if [ -z "$missing" ]; then ok "$gen image: iscsistart, algif_hash, sha3_generic, modprobe"; else bad "$gen image lacks:$missing"; fi
done

map=${bin%/*}/iscsistart.map
if [ -r "$map" ]; then
    echo "size breakdown (loaded input sections, from $map):"
    "$here/../../bench/static-size.sh" "$map" | sed 's/^/    /'
fi
echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
