#!/bin/bash
# build-initramfs.sh ISCSISTART_BINARY OUT.cpio.gz
#
# Builds a busybox (static) initramfs for the QEMU boot tests:
#   /sbin/iscsistart      the binary under test (+ its shared libs and ld.so)
#   /lib/modules/KVER     the module closure (virtio net, iscsi_tcp, sd_mod,
#                         ext4, crc32c, t10-pi helpers) + depmod'ed modules.*
#   /etc/isr/mod/NAME     dependency-ordered .ko list for each module NAME
#   /init                 busybox sh script, see init.sh next to this file
# Per-scenario files (/etc/iscsistart.args, /etc/isr.preload) are NOT in here;
# run-boot.sh appends them as a second cpio archive.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
die() { echo "build-initramfs: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: $0 ISCSISTART_BINARY OUT.cpio.gz"
BIN=$(realpath "$1")
OUT=$2
[ -x "$BIN" ] || die "not an executable: $BIN"

BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
    die "$BUSYBOX is not a static busybox (apt-get install busybox-static)"

# Use the kernel recorded by fetch-kernel.sh (run-all.sh refreshes it), so the
# modules always match the vmlinuz run-boot.sh boots.
# shellcheck disable=SC1090,SC1091
if ! { [ -f "$HERE/cache/kernel.env" ] && . "$HERE/cache/kernel.env" && [ -f "${VMLINUZ:-}" ]; }; then
    . <("$HERE/fetch-kernel.sh" 2>/dev/null) || die "fetch-kernel.sh failed"
fi
: "${KVER:?}" "${KROOT:?}"

# Modules the init (or the binary under test) may need.  Top-level names;
# dependencies and softdeps are resolved with modprobe --show-depends.
# algif_hash and sha3_generic: the static build's CHAP hashes (AF_ALG; md5,
# sha1 and sha256 are built into Debian's kernel).
MODULES="virtio_pci virtio_net crc32c_generic crc32c_intel ext4 algif_hash sha3_generic
         crc64_rocksoft_generic iscsi_tcp sd_mod iscsi_ibft 8021q"

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/isr-initramfs.XXXXXX")
trap 'rm -rf "$ROOT"' EXIT

mkdir -p "$ROOT"/{bin,sbin,etc/isr/mod,proc,sys,dev,run,tmp,newroot,var,usr/bin,usr/sbin}
ln -s ../run "$ROOT/var/run"

# --- busybox -------------------------------------------------------------
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list); do
    case $applet in busybox) continue ;; esac
    [ -e "$ROOT/bin/$applet" ] || ln -s busybox "$ROOT/bin/$applet"
done
# the kernel's request_module() helper and libkmod users expect these
ln -sf ../bin/busybox "$ROOT/sbin/modprobe"
ln -sf ../bin/busybox "$ROOT/sbin/insmod"

# --- the binary under test and its shared libraries -----------------------
cp "$BIN" "$ROOT/sbin/iscsistart"
chmod 755 "$ROOT/sbin/iscsistart"
if ldd "$BIN" >/dev/null 2>&1; then
    # lines: "libfoo.so => /path/libfoo.so (0x..)" or "/lib64/ld-linux... (0x..)"
    ldd "$BIN" | awk '
        $2 == "=>" && $3 ~ /^\// { print $3; next }
        $1 ~ /^\// { print $1 }' | sort -u |
    while read -r lib; do
        mkdir -p "$ROOT$(dirname "$lib")"
        cp -L "$lib" "$ROOT$lib"
    done
fi

# --- kernel modules ---------------------------------------------------------
MODDIR=lib/modules/$KVER
mkdir -p "$ROOT/$MODDIR"
for f in modules.order modules.builtin modules.builtin.modinfo; do
    [ -f "$KROOT/$MODDIR/$f" ] && cp "$KROOT/$MODDIR/$f" "$ROOT/$MODDIR/"
done
for m in $MODULES; do
    list=$ROOT/etc/isr/mod/$m
    : > "$list"
    # "insmod /abs/path.ko [opts]" lines, possibly with duplicates (softdeps)
    if ! deps=$(modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" 2>/dev/null); then
        echo "build-initramfs: note: module $m not available in $KVER" >&2
        continue
    fi
    printf '%s\n' "$deps" | awk '$1 == "insmod" { print $2 }' |
    while read -r ko; do
        rel=${ko#"$KROOT"/}
        grep -qxF "/$rel" "$list" || echo "/$rel" >> "$list"
        if [ ! -f "$ROOT/$rel" ]; then
            mkdir -p "$ROOT/$(dirname "$rel")"
            cp "$ko" "$ROOT/$rel"
        fi
    done
done
depmod -b "$ROOT" "$KVER"
echo "$KVER" > "$ROOT/etc/isr/kver"

# --- init -----------------------------------------------------------------------
cp "$HERE/init.sh" "$ROOT/init"
chmod 755 "$ROOT/init"

mkdir -p "$(dirname "$OUT")"
(cd "$ROOT" && find . -mindepth 1 | LC_ALL=C sort |
    cpio --quiet -o -H newc -R 0:0) | gzip -1 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "build-initramfs: wrote $OUT ($(du -k "$OUT" | cut -f1) KiB, kernel $KVER)" >&2
