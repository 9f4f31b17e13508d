#!/bin/bash
# mkimage.sh --script SCRIPT [--set NAME=VALUE]... [--usb OUT.img] [--iso OUT.iso]
#
# Wraps Debian's prebuilt iPXE (/usr/lib/ipxe/ipxe.lkrn) and one of these
# iPXE scripts, with site settings put in front of it (ipxe-set.sh), into
# boot media for machines whose NIC has no iPXE of its own:
#   --usb OUT.img  a USB stick image: MBR, one FAT16 partition with
#                  syslinux, which loads ipxe.lkrn with the script as its
#                  initrd (syslinux-disk.sh); write it with dd
#   --iso OUT.iso  a CD image with isolinux (xorriso), hybrid: the same file
#                  also boots from a USB stick
# Nothing is mounted.  A CHAP secret given with --set is stored in the
# image: whoever can read the image can read it (a one-line warning says
# so).  Environment: IPXE_LKRN (default /usr/lib/ipxe/ipxe.lkrn),
# ISOLINUX_DIR (/usr/lib/ISOLINUX), SYSLINUX_BIOS (/usr/lib/syslinux/modules/bios).
# Errors: one line on stderr naming the problem, exit 1 (2 for a bad
# setting, from ipxe-set.sh).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
die() { echo "mkimage: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 1; }

SCRIPT='' USB='' ISO=''
SETS=()
while [ $# -gt 0 ]; do
    case $1 in
        --script) [ $# -ge 2 ] || usage; SCRIPT=$2; shift ;;
        --set) [ $# -ge 2 ] || usage; SETS+=("$2"); shift ;;
        --usb) [ $# -ge 2 ] || usage; USB=$2; shift ;;
        --iso) [ $# -ge 2 ] || usage; ISO=$2; shift ;;
        -h|--help) usage ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done
[ -n "$SCRIPT" ] || die "--script is required"
[ -n "$USB$ISO" ] || die "nothing to make: give --usb OUT.img and/or --iso OUT.iso"
LKRN=${IPXE_LKRN:-/usr/lib/ipxe/ipxe.lkrn}
[ -f "$LKRN" ] || die "no $LKRN (apt-get install ipxe)"

T=$(mktemp -d "${TMPDIR:-/tmp}/mkimage.XXXXXX")
trap 'rm -rf "$T"' EXIT
"$HERE/ipxe-set.sh" "$SCRIPT" "${SETS[@]}" > "$T/boot.ipxe"
for s in "${SETS[@]}"; do
    case ${s%%=*} in
        password|reverse-password)
            echo "mkimage: warning: the CHAP secret ${s%%=*} is stored in the image in clear text; anyone who can read the image can read it" >&2
            break ;;
    esac
done
cp "$LKRN" "$T/ipxe.lkrn"
# No SERIAL line in the syslinux/isolinux configuration: like Debian's
# ipxe.lkrn they write to the BIOS console only, which BIOS console
# redirection (SeaBIOS without a VGA card) copies to a serial port; a SERIAL
# line on top of that printed every line twice, interleaved.

if [ -n "$USB" ]; then
    printf '%s\n' "SAY iscsiroot: iPXE from USB" \
        "DEFAULT ipxe" "PROMPT 0" "TIMEOUT 0" \
        "LABEL ipxe" "  LINUX /ipxe.lkrn" "  INITRD /boot.ipxe" > "$T/syslinux.cfg"
    "$HERE/syslinux-disk.sh" "$USB" "$T/syslinux.cfg" "$T/ipxe.lkrn" "$T/boot.ipxe"
    echo "mkimage: wrote $USB" >&2
fi

if [ -n "$ISO" ]; then
    ISOLINUX_DIR=${ISOLINUX_DIR:-/usr/lib/ISOLINUX}
    SYSLINUX_BIOS=${SYSLINUX_BIOS:-/usr/lib/syslinux/modules/bios}
    for f in "$ISOLINUX_DIR/isolinux.bin" "$ISOLINUX_DIR/isohdpfx.bin" "$SYSLINUX_BIOS/ldlinux.c32"; do
        [ -f "$f" ] || die "no $f (apt-get install isolinux syslinux-common)"
    done
    command -v xorriso >/dev/null || die "missing tool xorriso (apt-get install xorriso)"
    mkdir -p "$T/iso/isolinux"
    cp "$ISOLINUX_DIR/isolinux.bin" "$SYSLINUX_BIOS/ldlinux.c32" "$T/iso/isolinux/"
    cp "$T/ipxe.lkrn" "$T/boot.ipxe" "$T/iso/"
    printf '%s\n' "SAY iscsiroot: iPXE from CD" \
        "DEFAULT ipxe" "PROMPT 0" "TIMEOUT 0" \
        "LABEL ipxe" "  LINUX /ipxe.lkrn" "  INITRD /boot.ipxe" > "$T/iso/isolinux/isolinux.cfg"
    mkdir -p "$(dirname "$ISO")"
    xorriso -as mkisofs -quiet -o "$ISO.tmp" -V ISCSIROOT_IPXE \
        -isohybrid-mbr "$ISOLINUX_DIR/isohdpfx.bin" \
        -b isolinux/isolinux.bin -c isolinux/boot.cat \
        -no-emul-boot -boot-load-size 4 -boot-info-table "$T/iso" 2>"$T/xorriso.log" ||
        die "xorriso failed: $(tail -n1 "$T/xorriso.log")"
    mv "$ISO.tmp" "$ISO"
    echo "mkimage: wrote $ISO" >&2
fi
