#!/bin/bash
# build-initramfs-tools-image.sh OUT.img ISCSISTART_BINARY [FLAVOR]
#
# Builds an initramfs with Debian's real mkinitramfs (initramfs-tools-core)
# for the QEMU boot tests' itools-* scenarios (run-boot.sh --initrd), from
# this tree's initramfs-tools/ hook and boot script. FLAVOR:
#   ours          (default) our hook and script; open-iscsi's left out
#   open-iscsi    open-iscsi's own hook and script as Debian installs them,
#                 and ours beside them (our hook replaces their iscsistart
#                 in the image by ours): the drop-in case
#   stock         open-iscsi's hook and script with their own iscsistart, and
#                 none of ours (for bench/: Debian's stock path); BINARY is
#                 not used
#
# mkinitramfs reads /usr/share/initramfs-tools, /lib/modules/KVER and
# /boot/config-KVER, none of which it lets us move. So it runs in a private
# mount namespace (unshare -m) where those three paths are bind mounts of
# scratch copies: the host's initramfs-tools files with ours added (and
# open-iscsi's removed for "ours"), the module tree and config of
# fetch-kernel.sh's kernel. Nothing on the host changes, except that an
# empty /lib/modules is created when the host has none (a container) to
# serve as the mount point.
#
# ISR_ITOOLS_FROM=ROOT: our hook and script as installed under ROOT (by the
# .deb, say) instead of this tree's.
# ISR_ISCSI_INITRAMFS=FILE (flavor open-iscsi): FILE is /etc/iscsi/iscsi.initramfs
# for open-iscsi's hook (which copies it into the image); /etc/iscsi is a
# scratch copy of the host's then, in the same namespace.
#
# ISR_MULTIPATH_CONF=FILE: FILE is /etc/multipath.conf for multipath-tools-boot's
# hook (hooks/multipath copies it, and /etc/multipath/{wwids,bindings},
# into the image); in the same namespace /etc is an overlay of the host's
# with that file added (the host's /etc is not changed). Without it the
# host's multipath.conf, if any, is what the hook sees.
#
# initramfs.conf: MODULES=list with the virtio NIC, ext4 and the t10-pi
# softdep in the modules file, and sd_mod for "stock" (not "most": every driver of the kernel
# would make the image about 3 times as large and slow every boot in TCG;
# the hook adds the iSCSI modules itself), BUSYBOX=y, COMPRESS=gzip.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
die() { echo "build-initramfs-tools-image: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: $0 OUT.img ISCSISTART_BINARY [ours|open-iscsi|stock]"
OUT=$(realpath -m "$1")
BIN=$(realpath "$2")
FLAVOR=${3:-ours}
[ -x "$BIN" ] || die "not an executable: $BIN"
command -v mkinitramfs >/dev/null || die "no mkinitramfs (apt-get install initramfs-tools-core)"
[ -d /usr/share/initramfs-tools ] || die "no /usr/share/initramfs-tools"
# shellcheck disable=SC1091
if ! { [ -f "$HERE/cache/kernel.env" ] && . "$HERE/cache/kernel.env" && [ -f "${VMLINUZ:-}" ]; }; then
    . <("$HERE/fetch-kernel.sh" 2>/dev/null) || die "fetch-kernel.sh failed"
fi
: "${KVER:?}" "${KROOT:?}"

mkdir -p "$(dirname "$OUT")"
T=$(mktemp -d "${TMPDIR:-/tmp}/isr-itools.XXXXXX")
trap 'rm -rf "$T"' EXIT

# /usr/share/initramfs-tools as it would be with our package installed
cp -a /usr/share/initramfs-tools "$T/share"
# ours: this tree's files, or with ISR_ITOOLS_FROM=ROOT those a package
# installed under ROOT (ROOT/usr/share/initramfs-tools/...)
SRC=$TOP/initramfs-tools
[ -n "${ISR_ITOOLS_FROM:-}" ] && SRC=$ISR_ITOOLS_FROM/usr/share/initramfs-tools
install -m 0755 "$SRC/hooks/iscsiroot" "$T/share/hooks/iscsiroot"
install -m 0755 "$SRC/scripts/local-top/iscsiroot" "$T/share/scripts/local-top/iscsiroot"
case $FLAVOR in
    stock) rm -f "$T/share/hooks/iscsiroot" "$T/share/scripts/local-top/iscsiroot"
        [ -f "$T/share/hooks/iscsi" ] || die "open-iscsi's initramfs-tools hook is missing (apt-get install open-iscsi)" ;;
    ours) rm -f "$T/share/hooks/iscsi" "$T/share/scripts/local-top/iscsi" ;;
    open-iscsi)
        [ -f "$T/share/hooks/iscsi" ] && [ -f "$T/share/scripts/local-top/iscsi" ] ||
            die "open-iscsi's initramfs-tools hook or script is missing (apt-get install open-iscsi)" ;;
    *) die "unknown flavor $FLAVOR" ;;
esac

mkdir -p "$T/conf/conf.d" "$T/conf/hooks" "$T/conf/scripts" "$T/lm/$KVER" "$T/boot"
cat > "$T/conf/initramfs.conf" <<'CONF'
MODULES=list
BUSYBOX=y
KEYMAP=n
COMPRESS=gzip
DEVICE=
NFSROOT=auto
RUNSIZE=10%
FSTYPE=auto
CONF
printf '%s\n' virtio_pci virtio_net ext4 crc32c_generic crc64_rocksoft_generic > "$T/conf/modules"
# open-iscsi's hook adds no disk driver (MODULES=most would bring sd_mod)
[ "$FLAVOR" = stock ] && echo sd_mod >> "$T/conf/modules"
cp "$KROOT/boot/config-$KVER" "$T/boot/"
ETC_ISCSI=
if [ -n "${ISR_ISCSI_INITRAMFS:-}" ]; then
    [ "$FLAVOR" = open-iscsi ] || die "ISR_ISCSI_INITRAMFS is for the open-iscsi flavor"
    [ -d /etc/iscsi ] || die "no /etc/iscsi (apt-get install open-iscsi)"
    cp -a /etc/iscsi "$T/etc-iscsi"
    cp "$ISR_ISCSI_INITRAMFS" "$T/etc-iscsi/iscsi.initramfs"
    ETC_ISCSI=$T/etc-iscsi
fi

ETC_ADD=
if [ -n "${ISR_MULTIPATH_CONF:-}" ]; then
    [ -f "$ISR_MULTIPATH_CONF" ] || die "no file $ISR_MULTIPATH_CONF (ISR_MULTIPATH_CONF)"
    [ -f "$T/share/hooks/multipath" ] ||
        die "multipath-tools-boot's initramfs-tools hook is missing (apt-get install multipath-tools-boot)"
    mkdir -p "$T/etc-add" "$T/etc-work" "$T/etc-upper"
    cp "$ISR_MULTIPATH_CONF" "$T/etc-add/multipath.conf"
    ETC_ADD=$T/etc-add
fi

[ -d /lib/modules ] || mkdir -p /lib/modules
unshare -m bash -euo pipefail -c '
    T=$1 KROOT=$2 KVER=$3 OUT=$4 BIN=$5 ETC_ISCSI=$6 ETC_ADD=$7
    mount --make-rprivate /
    # /etc with the added files on top (read-only: two lower layers)
    [ -z "$ETC_ADD" ] || mount -t overlay isr-etc -o "lowerdir=$ETC_ADD:/etc" /etc
    [ -z "$ETC_ISCSI" ] || mount --bind "$ETC_ISCSI" /etc/iscsi
    mount --bind "$T/share" /usr/share/initramfs-tools
    mount --bind "$T/lm" /lib/modules
    mount --bind "$KROOT/lib/modules/$KVER" "/lib/modules/$KVER"
    mount --bind "$T/boot" /boot
    ISCSIROOT_BIN=$BIN mkinitramfs -d "$T/conf" -o "$OUT" "$KVER"
' _ "$T" "$KROOT" "$KVER" "$OUT" "$BIN" "$ETC_ISCSI" "$ETC_ADD"
if [ -n "$ETC_ADD" ]; then
    # multipath-tools-boot's files must be in, and run after our login
    # (our script runs theirs itself too; see scripts/local-top/iscsiroot)
    L=$(lsinitramfs "$OUT")
    for f in etc/multipath.conf usr/sbin/multipath scripts/local-top/multipath; do
        grep -qx "$f" <<<"$L" || grep -qx "${f#usr/}" <<<"$L" || die "$OUT has no $f"
    done
    unmkinitramfs "$OUT" "$T/x" || die "unmkinitramfs $OUT failed"
    ORDER=$(cat "$T"/x/scripts/local-top/ORDER "$T"/x/main/scripts/local-top/ORDER 2>/dev/null || true)
    echo "build-initramfs-tools-image: local-top order: $(grep -o 'local-top/[a-z-]*' <<<"$ORDER" | tr '\n' ' ')" >&2
fi
echo "build-initramfs-tools-image: $OUT ($(stat -c %s "$OUT") bytes, $FLAVOR)" >&2
