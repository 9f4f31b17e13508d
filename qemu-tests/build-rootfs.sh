#!/bin/bash
# build-rootfs.sh OUT.img
#
# Builds the ext4 root filesystem exported by the iSCSI target, without
# mounting anything (mke2fs -d).  Contents: static busybox and an /sbin/init
# that prints ISR-ROOT-MOUNTED-FROM-ISCSI, shows the / mount and powers off.
set -euo pipefail

die() { echo "build-rootfs: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 OUT.img"
OUT=$1
SIZE_MB=${ROOTFS_SIZE_MB:-64}
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
    die "$BUSYBOX is not a static busybox (apt-get install busybox-static)"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/isr-rootfs.XXXXXX")
trap 'rm -rf "$DIR"' EXIT

mkdir -p "$DIR"/{bin,sbin,etc,proc,sys,dev,run,tmp,root}
cp "$BUSYBOX" "$DIR/bin/busybox"
for applet in $("$BUSYBOX" --list); do
    case $applet in busybox|init) continue ;; esac
    [ -e "$DIR/bin/$applet" ] || ln -s busybox "$DIR/bin/$applet"
done

cat > "$DIR/sbin/init" <<'INIT'
#!/bin/sh
export PATH=/sbin:/bin
[ -e /proc/mounts ] || mount -t proc proc /proc
echo "ISR-ROOT-MOUNTED-FROM-ISCSI"
echo "isr-root: / is: $(grep ' / ' /proc/mounts)"
sync
poweroff -f
sleep 60
INIT
chmod 755 "$DIR/sbin/init"
echo "isr-test-root" > "$DIR/etc/hostname"
# systemd's switch-root (dracut's and mkinitcpio's systemd images) refuses a
# new root without an os-release file ("does not seem to be an OS tree")
printf 'NAME="iscsiroot test root"\nID=isr-test-root\n' > "$DIR/etc/os-release"

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT.tmp"
truncate -s "${SIZE_MB}M" "$OUT.tmp"
mke2fs -q -F -t ext4 -L isr-root -E root_owner=0:0 -d "$DIR" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "build-rootfs: wrote $OUT (${SIZE_MB} MiB ext4)" >&2
