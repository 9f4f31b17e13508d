#!/bin/bash
# build-systemd-root.sh OUT.img
#
# A Debian 12 root with systemd as init for the sd-* boot scenarios
# (issue 18): debootstrap --variant=minbase bookworm with PACKAGES below,
# cached as a gzipped tar in qemu-tests/cache/ keyed by the package list,
# suite and TREE_REV (so it is rebuilt when they change), then the tree
# plus ./sdroot/ (the test units and scripts, see sdroot/README) made into
# an ext4 image labelled isr-root with mke2fs -d (nothing is mounted).
# The root has no kernel modules: the initramfs loaded the NIC, iSCSI and
# ext4 drivers, and nothing after switch_root needs more.
# The network configuration is the one real systems ship and the one that
# breaks iSCSI roots: networkd with a catch-all DHCP=yes .network (as cloud
# images have) and NetworkManager's default (every Ethernet device managed,
# an automatic "Wired connection"); the kernel command line masks the
# manager a scenario does not want (systemd.mask=).
# Environment: ISR_DEBIAN_MIRROR (default: the first URIs:/deb line of
# /etc/apt/sources.list*), ISR_SDROOT_SIZE_MB (default 640).
set -euo pipefail

die() { echo "build-systemd-root: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 OUT.img"
OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=$HERE/cache
SIZE_MB=${ISR_SDROOT_SIZE_MB:-640}
SUITE=bookworm
# what the tree is made of; a change here makes a new cache entry
TREE_REV=1
PACKAGES="systemd,systemd-sysv,udev,dbus,libpam-systemd,iproute2,network-manager,open-iscsi,e2fsprogs,procps,kmod"
command -v debootstrap >/dev/null || die "no debootstrap (apt-get install debootstrap)"
command -v mke2fs >/dev/null || die "no mke2fs (apt-get install e2fsprogs)"
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, file owners in the image)"

mirror() {
    local m=${ISR_DEBIAN_MIRROR:-}
    [ -n "$m" ] && { echo "$m"; return; }
    m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '$1 == "URIs:" && $2 ~ /debian\/?$/ { print $2; exit }')
    [ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
                       awk '$1 == "deb" && $0 ~ /bookworm/ && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }')
    echo "${m:-http://deb.debian.org/debian}"
}

KEY=$(printf '%s\n' "$SUITE" "$TREE_REV" "$PACKAGES" | sha256sum | cut -c1-12)
TAR=$CACHE/sdroot-$SUITE-$KEY.tar.gz
mkdir -p "$CACHE"
if [ ! -f "$TAR" ]; then
    exec 9>"$CACHE/.sdroot.lock"
    flock 9
    if [ ! -f "$TAR" ]; then
        M=$(mirror)
        T=$(mktemp -d "$CACHE/.sdroot-tree.XXXXXX")
        t0=$(date +%s)
        echo "build-systemd-root: debootstrap $SUITE from $M: $PACKAGES" >&2
        debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$T" "$M" >"$T.log" 2>&1 ||
            { tail -n 20 "$T.log" >&2; tail -n 30 "$T/debootstrap/debootstrap.log" >&2 2>/dev/null; rm -rf "$T"; die "debootstrap failed"; }
        # no documentation, locales or package caches: size and time
        rm -rf "$T"/usr/share/doc/* "$T"/usr/share/man/* "$T"/usr/share/info/* "$T"/usr/share/locale/* \
               "$T"/var/cache/apt/* "$T"/var/lib/apt/lists/* "$T"/var/log/* "$T"/debootstrap
        tar -C "$T" --numeric-owner -czf "$TAR.tmp" .
        mv "$TAR.tmp" "$TAR"
        rm -rf "$T" "$T.log"
        echo "build-systemd-root: cached $TAR ($(du -m "$TAR" | cut -f1) MiB) in $(( $(date +%s) - t0 )) s" >&2
    fi
    exec 9>&-
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/isr-sdroot.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
tar -C "$DIR" --numeric-owner -xzf "$TAR"
# the test's files (units, scripts, network configuration), owned by root
cp -r --no-preserve=ownership "$HERE"/sdroot/files/. "$DIR"/
chmod 755 "$DIR"/usr/local/sbin/isr-*
# a machine id: not a first boot (systemd-firstboot would prompt on the console)
echo 6973722d73642d726f6f742d74657374 > "$DIR/etc/machine-id"
ln -sf /dev/null "$DIR/etc/systemd/system/systemd-firstboot.service"
echo "isr-sd-root" > "$DIR/etc/hostname"
echo "InitiatorName=iqn.2026-11.test.iscsiroot:initiator" > "$DIR/etc/iscsi/initiatorname.iscsi"
# root=LABEL=isr-root, mounted by the initramfs; systemd remounts it rw
echo "LABEL=isr-root / ext4 rw 0 0" > "$DIR/etc/fstab"
# networkd is off in Debian's default install: on, as on cloud images
mkdir -p "$DIR/etc/systemd/system/multi-user.target.wants" "$DIR/etc/systemd/system/sockets.target.wants" \
         "$DIR/etc/systemd/system/network-online.target.wants"
ln -sf /lib/systemd/system/systemd-networkd.service "$DIR/etc/systemd/system/multi-user.target.wants/"
ln -sf /lib/systemd/system/systemd-networkd.socket "$DIR/etc/systemd/system/sockets.target.wants/"
ln -sf /etc/systemd/system/isr-last-write.service "$DIR/etc/systemd/system/multi-user.target.wants/"
# no login prompt on the serial console (it would split the test's lines)
ln -sf /dev/null "$DIR/etc/systemd/system/serial-getty@.service"
ln -sf /dev/null "$DIR/etc/systemd/system/getty@.service"
# nothing waits for "online": the scenarios' own unit waits for what it checks
ln -sf /dev/null "$DIR/etc/systemd/system/systemd-networkd-wait-online.service"
ln -sf /dev/null "$DIR/etc/systemd/system/NetworkManager-wait-online.service"

mkdir -p "$(dirname "$OUT")"
rm -f "$OUT.tmp"
truncate -s "${SIZE_MB}M" "$OUT.tmp"
mke2fs -q -F -t ext4 -L isr-root -E root_owner=0:0 -d "$DIR" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "build-systemd-root: wrote $OUT (${SIZE_MB} MiB ext4, tree $TAR)" >&2
