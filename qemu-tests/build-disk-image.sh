#!/bin/bash
# build-disk-image.sh OUT.img KERNEL INITRD ROOTFS.img "KERNEL ARGUMENTS"
#
# The whole disk of a diskless machine, for the sanboot tests: an MBR disk
# whose partition 1 (FAT16, active) holds syslinux, KERNEL, INITRD and a
# syslinux.cfg booting them with the given arguments, and whose partition 2
# is ROOTFS.img (the ext4 root, LABEL=isr-root, from build-rootfs.sh).
# iPXE's sanboot reads the MBR through INT 13; syslinux then loads the
# kernel and the initramfs from the iSCSI disk itself.
#
# ../ipxe-scripts/syslinux-disk.sh makes it without mounting anything;
# syslinux.cfg also sends syslinux's output to the serial port and SAYs
# "isr-disk: syslinux on the iSCSI disk".
#
# The same partition also boots under UEFI (the disk is hybrid): iPXE's EFI
# sanboot starts \EFI\BOOT\BOOTX64.EFI, here systemd-boot (package
# systemd-boot-efi), whose /loader/entries/isr.conf names the same kernel,
# initramfs and arguments; the kernel's EFI stub then takes the initramfs
# from systemd-boot ("EFI stub: Loaded initrd from ...").  mtools adds these
# files to the finished image at partition 1's offset (read with sfdisk).
# Environment: SYSTEMD_BOOT_EFI (default
# /usr/lib/systemd/boot/efi/systemd-bootx64.efi).
#
# Cache: work/disk/disk-<key>.img (inputs and this script); OUT is a copy.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
die() { echo "build-disk-image: $*" >&2; exit 1; }
[ $# -eq 5 ] || die "usage: $0 OUT.img KERNEL INITRD ROOTFS.img \"KERNEL ARGUMENTS\""
OUT=$1 KERNEL=$2 INITRD=$3 ROOTFS=$4 APPEND=$5
for f in "$KERNEL" "$INITRD" "$ROOTFS"; do [ -f "$f" ] || die "no such file: $f"; done
MKDISK=$HERE/../ipxe-scripts/syslinux-disk.sh
SDBOOT=${SYSTEMD_BOOT_EFI:-/usr/lib/systemd/boot/efi/systemd-bootx64.efi}
[ -f "$SDBOOT" ] || die "no $SDBOOT (apt-get install systemd-boot-efi)"
KEY=$( { sha256sum "$KERNEL" "$INITRD" "$ROOTFS" "$0" "$MKDISK" "$SDBOOT" | cut -d' ' -f1; echo "$APPEND"; } |
       sha256sum | cut -c1-16)
CACHE_DIR=$HERE/work/disk
CACHED=$CACHE_DIR/disk-$KEY.img
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
flock 9
if [ ! -f "$CACHED" ]; then
    T=$(mktemp -d "${TMPDIR:-/tmp}/isr-disk.XXXXXX")
    trap 'rm -rf "$T"' EXIT
    # syslinux loads these by name from partition 1
    ln -s "$(realpath "$KERNEL")" "$T/vmlinuz"
    ln -s "$(realpath "$INITRD")" "$T/initrd.img"
    printf '%s\n' \
        "SERIAL 0 115200" \
        "SAY isr-disk: syslinux on the iSCSI disk" \
        "DEFAULT linux" "PROMPT 0" "TIMEOUT 0" \
        "LABEL linux" \
        "  LINUX /vmlinuz" \
        "  INITRD /initrd.img" \
        "  APPEND $APPEND" > "$T/syslinux.cfg"
    "$MKDISK" "$T/disk.img" "$T/syslinux.cfg" "$T/vmlinuz" "$T/initrd.img" --root "$ROOTFS"
    # UEFI: systemd-boot as the removable-media loader, one entry, no menu
    P1_OFF=$(sfdisk -d "$T/disk.img" | awk -F'[=,]' '/^[^ ]*1 : start=/ { print $2 * 512; exit }')
    [ -n "$P1_OFF" ] || die "cannot find partition 1 in $T/disk.img"
    printf '%s\n' "timeout 0" "default isr.conf" > "$T/loader.conf"
    printf '%s\n' "title isr-disk: systemd-boot on the iSCSI disk" \
        "linux /vmlinuz" "initrd /initrd.img" "options $APPEND" > "$T/isr.conf"
    P1="$T/disk.img@@$P1_OFF"
    mmd -i "$P1" ::/EFI ::/EFI/BOOT ::/loader ::/loader/entries &&
    mcopy -i "$P1" "$SDBOOT" ::/EFI/BOOT/BOOTX64.EFI &&
    mcopy -i "$P1" "$T/loader.conf" ::/loader/loader.conf &&
    mcopy -i "$P1" "$T/isr.conf" ::/loader/entries/isr.conf || die "cannot add the UEFI loader to partition 1"
    mv "$T/disk.img" "$CACHED"
    echo "build-disk-image: built $CACHED" >&2
    ls -t "$CACHE_DIR"/disk-*.img 2>/dev/null | tail -n +5 | xargs -r rm -f
fi
touch "$CACHED"
cp --sparse=always "$CACHED" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
