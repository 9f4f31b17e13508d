#!/bin/bash
# fetch-kernel.sh - download and unpack the Debian kernel used by the QEMU boot tests.
#
# Idempotent: if the kernel named by the current dependency of linux-image-amd64
# is already unpacked in qemu-tests/cache/, nothing is downloaded.
# Writes qemu-tests/cache/kernel.env (KVER, VMLINUZ, KROOT) and prints it.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=$HERE/cache
mkdir -p "$CACHE"

log() { echo "fetch-kernel: $*" >&2; }

# Which concrete kernel package does linux-image-amd64 pull in right now?
PKG=${ISR_KERNEL_PKG:-}
if [ -z "$PKG" ]; then
    PKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
          awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }') || true
fi
if [ -z "$PKG" ]; then
    # Offline / no apt metadata: reuse whatever we unpacked before.
    if [ -f "$CACHE/kernel.env" ]; then
        log "cannot resolve linux-image-amd64; reusing cached kernel"
        cat "$CACHE/kernel.env"
        exit 0
    fi
    log "cannot resolve the dependency of linux-image-amd64 (run apt-get update?)"
    exit 1
fi
KVER=${PKG#linux-image-}
KROOT=$CACHE/kroot-$KVER
VMLINUZ=$KROOT/boot/vmlinuz-$KVER

if [ ! -f "$KROOT/.unpacked" ]; then
    mkdir -p "$CACHE/debs"
    DEB=$(ls "$CACHE"/debs/"${PKG}"_*.deb 2>/dev/null | head -n1 || true)
    if [ -z "$DEB" ]; then
        log "downloading $PKG"
        # apt-get download writes to the cwd; _apt may not be able to write
        # there, which only produces a harmless warning.
        (cd "$CACHE/debs" && apt-get download "$PKG" >&2)
        DEB=$(ls "$CACHE"/debs/"${PKG}"_*.deb | head -n1)
    fi
    log "unpacking $DEB"
    rm -rf "$KROOT"
    mkdir -p "$KROOT"
    dpkg -x "$DEB" "$KROOT"
    depmod -b "$KROOT" "$KVER"
    touch "$KROOT/.unpacked"
fi

[ -f "$VMLINUZ" ] || { log "missing $VMLINUZ"; exit 1; }
[ -d "$KROOT/lib/modules/$KVER" ] || { log "missing modules for $KVER"; exit 1; }

cat > "$CACHE/kernel.env.tmp" <<ENV
KVER=$KVER
KROOT=$KROOT
VMLINUZ=$VMLINUZ
ENV
mv "$CACHE/kernel.env.tmp" "$CACHE/kernel.env"
cat "$CACHE/kernel.env"
