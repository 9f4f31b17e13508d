#!/bin/bash
# syslinux-disk.sh OUT.img SYSLINUX.CFG FILE... [--root PART.img]
#
# A BIOS-bootable MBR disk image, made without mounting anything: partition
# 1 (FAT16, active) holds syslinux, SYSLINUX.CFG as /syslinux.cfg and each
# FILE in its root directory (under its own base name); with --root,
# partition 2 (type 83) is PART.img as it is (e.g. an ext4 root made with
# mke2fs -d).  sfdisk writes the table, mkfs.vfat and mtools fill the FAT,
# `syslinux --install` (the mtools installer) makes it bootable and
# syslinux's mbr.bin goes into the boot code area.  Used by mkimage.sh (USB
# images) and by the QEMU tests' build-disk-image.sh.
# Environment: SYSLINUX_MBR (default /usr/lib/syslinux/mbr/mbr.bin).
# Errors: one line on stderr, exit 1.
set -euo pipefail

die() { echo "syslinux-disk: $*" >&2; exit 1; }
[ $# -ge 3 ] || die "usage: syslinux-disk.sh OUT.img SYSLINUX.CFG FILE... [--root PART.img]"
OUT=$1 CFG=$2
shift 2
FILES=() ROOT=
while [ $# -gt 0 ]; do
    case $1 in
        --root) [ $# -ge 2 ] || die "--root needs an image"; ROOT=$2; shift ;;
        *) FILES+=("$1") ;;
    esac
    shift
done
MBR=${SYSLINUX_MBR:-/usr/lib/syslinux/mbr/mbr.bin}
[ -f "$MBR" ] || die "no $MBR (apt-get install syslinux-common)"
for t in sfdisk mkfs.vfat mcopy syslinux dd truncate; do
    command -v "$t" >/dev/null || die "missing tool $t (packages fdisk, dosfstools, mtools, syslinux)"
done
for f in "$CFG" "${FILES[@]}" ${ROOT:+"$ROOT"}; do
    [ -f "$f" ] && [ -r "$f" ] || die "$f: no such readable file"
done

T=$(mktemp -d "${TMPDIR:-/tmp}/syslinux-disk.XXXXXX")
trap 'rm -rf "$T"' EXIT
mib() { echo $(( ($(stat -L -c %s "$1") + 1048575) / 1048576 )); }
# the files, FAT overhead and 4 MiB slack; FAT16 needs 16 MiB at least
P1_MIB=4
for f in "${FILES[@]}"; do P1_MIB=$(( P1_MIB + $(mib "$f") )); done
[ "$P1_MIB" -ge 16 ] || P1_MIB=16
P2_MIB=0
[ -n "$ROOT" ] && P2_MIB=$(mib "$ROOT")
START=2048   # sectors: 1 MiB alignment

truncate -s "${P1_MIB}M" "$T/p1.img"
mkfs.vfat -F 16 -n BOOT "$T/p1.img" >/dev/null || die "mkfs.vfat failed"
mcopy -i "$T/p1.img" "$CFG" ::/syslinux.cfg || die "mcopy $CFG failed"
for f in "${FILES[@]}"; do
    mcopy -i "$T/p1.img" "$f" "::/${f##*/}" || die "mcopy $f failed"
done
syslinux --install "$T/p1.img" || die "syslinux --install failed"

truncate -s $(( START / 2048 + P1_MIB + P2_MIB + 1 ))M "$T/disk.img"
{
    echo 'label: dos'
    echo "start=$START, size=${P1_MIB}MiB, type=6, bootable"
    [ -z "$ROOT" ] || echo "start=$(( START + P1_MIB * 2048 )), size=${P2_MIB}MiB, type=83"
} | sfdisk --quiet "$T/disk.img" >/dev/null || die "sfdisk failed"
dd if="$MBR" of="$T/disk.img" bs=440 count=1 conv=notrunc status=none
dd if="$T/p1.img" of="$T/disk.img" bs=1M seek=$(( START / 2048 )) conv=notrunc,sparse status=none
[ -z "$ROOT" ] ||
    dd if="$ROOT" of="$T/disk.img" bs=1M seek=$(( START / 2048 + P1_MIB )) conv=notrunc,sparse status=none
mkdir -p "$(dirname "$OUT")"
mv "$T/disk.img" "$OUT"
