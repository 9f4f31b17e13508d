#!/bin/bash
# build-dracut-image.sh OUT.img ISCSISTART_BINARY [FLAVOR]
#
# Builds a real dracut initramfs (Debian's dracut-core) with the iscsiroot
# module from ../dracut/90iscsiroot, for the QEMU boot tests' dracut-*
# scenarios (run-boot.sh --initrd OUT.img).  FLAVOR:
#   shell        (default) dracut's own shell init, no systemd
#   systemd      systemd as init (dracut's systemd, systemd-initrd and
#                dracut-systemd modules, the host's systemd 252)
#   systemd-ifnames  as systemd, plus /usr/lib/systemd/network/99-default.link
#                (what dracut's systemd-networkd module, from dracut-network,
#                or a host's own .link files bring): udev's net_setup_link
#                then renames the NIC (ens2) as in the real root; without a
#                .link file (the other flavors) it keeps the kernel's eth0
#   systemd-base systemd as init WITHOUT iscsiroot, but with the kernel
#                modules in ISR_BASE_DRIVERS (default: what iscsistart loads
#                here): the base onto which build-initcpio-image.sh
#                --systemd-overlay lays the sd-iscsiroot hook's files
#                (mkinitcpio's own systemd hook is not packaged for Debian);
#                run-all.sh passes the modules that hook added (OUT.modules)
#   mp           as shell, plus dracut's own multipath module
#                (90multipath from dracut-core; it pulls in dm): the host's
#                multipath-tools (multipath, multipathd, kpartx, dmsetup,
#                libraries; the plugins of /lib/multipath added here),
#                multipathd started at pre-trigger,
#                ./multipath.conf as /etc/multipath.conf, and Debian's
#                multipath udev rules (56-dm-mpath.rules,
#                60-multipath.rules, 60-kpartx.rules: dracut 059's
#                inst_rules asks for other names, so they would be
#                missing and the paths would not be hidden from by-label
#                links); kernel modules dm_multipath, dm_round_robin,
#                dm_service_time, dm_queue_length, scsi_dh_* (the multipath
#                module's symbol search in --kmoddir, with dependencies)
#   stock-iscsi  for bench/: dracut's own iscsi module (dracut-network) and
#                network-legacy instead of ours, shell init, every Ethernet
#                driver; BINARY only keys the cache
#
# dracut runs with a private copy of its base directory whose modules.d
# holds the stock modules plus 90iscsiroot and a test-only 99iscsiroot-test
# (nothing is installed into /usr/lib/dracut), with --conf /dev/null and an
# empty --confdir (no host configuration), --no-hostonly, the kernel and
# module tree of fetch-kernel.sh (cache/kernel.env), and an explicit module
# list: bash, iscsiroot (which pulls in base, rootfs-block, fs-lib,
# udev-rules) and the test module; --omit iscsi and the network modules.
#
# The test module prints what the harness checks:
#   pre-pivot:  isr-session: <line of /run/iscsiroot/sessions>
#               isr-lease: KEY='value' (each line of /run/iscsiroot/*.lease)
#               with isr.rerun-hook: /sbin/iscsiroot once more, then
#               isr-rerun-hook: rc=N sessions=N disks=<its disks file>
#   pre-pivot, systemd images: isr-devroot: dev-root.device <ActiveState>
#               (whether systemd saw udev's /dev/root link; "inactive" if
#               only a plain symlink was made)
#   emergency:  isr-emergency-unit: <the systemd unit running the hook>
#               ISR-BOOT-FAILED rc=<iscsistart exit code, or "none">
#
# Cache: work/dracut/FLAVOR-<key>.img, the key hashing the binary, the
# module's files, this script, KVER, dracut's version, FLAVOR, the
# extra drivers and ISCSIROOT_NET_DRIVERS; OUT is a copy.
# Environment: DRACUT (default: dracut in $PATH).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MODSRC=$HERE/../dracut/90iscsiroot
die() { echo "build-dracut-image: $*" >&2; exit 1; }

[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: $0 OUT.img ISCSISTART_BINARY [shell|systemd|systemd-ifnames|systemd-base|mp|stock-iscsi]"
OUT=$1
FLAVOR=${3:-shell}
NET_OMIT="iscsi network network-legacy network-manager systemd-networkd"
SD_MODULES="bash systemd systemd-initrd dracut-systemd"
ADD_DRIVERS=
INSTALL=
MPCONF=
TEST_DEPENDS=iscsiroot
case $FLAVOR in
    shell) DMODULES="bash iscsiroot iscsiroot-test"; OMIT="$NET_OMIT systemd" ;;
    systemd) DMODULES="$SD_MODULES iscsiroot iscsiroot-test"; OMIT=$NET_OMIT ;;
    systemd-ifnames)
        DMODULES="$SD_MODULES iscsiroot iscsiroot-test"; OMIT=$NET_OMIT
        INSTALL=/usr/lib/systemd/network/99-default.link
        [ -f "$INSTALL" ] || die "no $INSTALL (package udev)" ;;
    mp)
        DMODULES="bash iscsiroot multipath iscsiroot-test"; OMIT="$NET_OMIT systemd"
        for f in multipath multipathd kpartx dmsetup; do
            command -v "$f" > /dev/null || die "no $f (package multipath-tools, kpartx, dmsetup)"
        done
        [ -f "$HERE/multipath.conf" ] || die "no $HERE/multipath.conf"
        [ -d /usr/lib/dracut/modules.d/90multipath ] || die "no dracut multipath module (package dracut-core)"
        INSTALL="/lib/udev/rules.d/56-dm-mpath.rules /lib/udev/rules.d/60-multipath.rules /lib/udev/rules.d/60-kpartx.rules"
        # the checker and prioritizer plugins multipath(d) dlopen()s from
        # /lib/multipath: the module's inst_libdir_file "multipath/*" looks
        # only in the multiarch library directories, not there
        INSTALL+=" $(echo /lib/multipath/*.so)"
        ADD_DRIVERS="dm_multipath dm_round_robin dm_service_time dm_queue_length scsi_dh_alua"
        MPCONF=$HERE/multipath.conf
        ;;
    stock-iscsi)
        # for the benchmark (bench/): dracut's own iscsi module (package
        # dracut-network: open-iscsi's iscsistart, iscsiadm, iscsid) with
        # its network-legacy scripts instead of ours, shell init; with
        # every Ethernet driver, as dracut's kernel-network-modules adds
        # (compare with ours built with ISCSIROOT_NET_DRIVERS= empty)
        DMODULES="bash udev-rules iscsi network network-legacy rootfs-block iscsiroot-test"
        OMIT="iscsiroot systemd network-manager systemd-networkd"
        # the guest's NIC sits behind virtio_pci, which is not under
        # drivers/net (our module adds it in no-hostonly builds too), and
        # dracut's iscsi module leaves sd_mod to kernel-modules, which
        # would add every storage driver (iscsistart loads sd_mod itself)
        ADD_DRIVERS="virtio_pci sd_mod"
        TEST_DEPENDS=
        [ -d /usr/lib/dracut/modules.d/95iscsi ] || die "no dracut iscsi module (package dracut-network)" ;;
    systemd-base)
        DMODULES="$SD_MODULES rootfs-block"; OMIT="$NET_OMIT iscsiroot"
        # the overlay brings no modules: the base has them
        ADD_DRIVERS=$(echo ${ISR_BASE_DRIVERS:-iscsi_tcp sd_mod crc32c_generic crc64_rocksoft_generic iscsi_ibft virtio_net virtio_pci})
        ;;
    *) die "unknown flavor '$FLAVOR' (shell, systemd, systemd-ifnames, systemd-base, mp or stock-iscsi)" ;;
esac
[ -x "$2" ] || die "not an executable: $2"
BIN=$(realpath "$2")
[ -f "$MODSRC/module-setup.sh" ] || die "no dracut module at $MODSRC"
DRACUT=${DRACUT:-$(command -v dracut || true)}
[ -n "$DRACUT" ] && [ -d /usr/lib/dracut/modules.d ] ||
    die "dracut not found (apt-get install --no-install-recommends dracut-core)"

# shellcheck disable=SC1090,SC1091
if ! { [ -f "$HERE/cache/kernel.env" ] && . "$HERE/cache/kernel.env" && [ -f "${VMLINUZ:-}" ]; }; then
    . <("$HERE/fetch-kernel.sh" 2>/dev/null) || die "fetch-kernel.sh failed"
fi
: "${KVER:?}" "${KROOT:?}"
KMODDIR=$KROOT/lib/modules/$KVER
[ -f "$KMODDIR/modules.dep" ] || die "no modules.dep in $KMODDIR"

DRACUT_VERSION=$(. /usr/lib/dracut/dracut-version.sh 2>/dev/null; echo "${DRACUT_VERSION:-unknown}")
KEY=$( { sha256sum "$BIN" "$0" "$MODSRC"/* "$HERE/multipath.conf" | cut -d' ' -f1; echo "$KVER $DRACUT_VERSION $FLAVOR $ADD_DRIVERS ${ISCSIROOT_NET_DRIVERS-default}"; } |
       sha256sum | cut -c1-16)
CACHE_DIR=$HERE/work/dracut
CACHED=$CACHE_DIR/$FLAVOR-$KEY.img
mkdir -p "$CACHE_DIR" "$(dirname "$OUT")"
exec 9>"$CACHE_DIR/.lock"
flock 9
if [ -f "$CACHED" ]; then
    echo "build-dracut-image: cached $CACHED" >&2
else
    T=$(mktemp -d "${TMPDIR:-/tmp}/isr-dracut.XXXXXX")
    trap 'rm -rf "$T"' EXIT
    # a private dracut base directory: the stock files and modules, plus ours
    mkdir -p "$T/base/modules.d" "$T/confdir" "$T/tmp" "$T/test"
    for f in /usr/lib/dracut/*; do
        case ${f##*/} in modules.d|dracut.conf.d) continue ;; esac
        ln -s "$f" "$T/base/${f##*/}"
    done
    for m in /usr/lib/dracut/modules.d/*; do
        case ${m##*/} in ??iscsiroot*) continue ;; esac
        ln -s "$m" "$T/base/modules.d/${m##*/}"
    done
    cp -r "$MODSRC" "$T/base/modules.d/90iscsiroot"
    if [ "$FLAVOR" = stock-iscsi ]; then
        # dracut's iscsi module checks for iscsi_tcp with modprobe on the
        # build host's /lib/modules/KVER, which --kmoddir does not change
        # (the kernel under test is only in our cache): a private copy
        # without that check; its installkernel takes the modules from
        # --kmoddir as usual
        rm "$T/base/modules.d/95iscsi"
        cp -r /usr/lib/dracut/modules.d/95iscsi "$T/base/modules.d/95iscsi"
        sed -i '/require_kernel_modules iscsi_tcp/d' "$T/base/modules.d/95iscsi/module-setup.sh"
    fi

    # test-only module: print the recorded state and the failure code
    mkdir -p "$T/base/modules.d/99iscsiroot-test"
    cat > "$T/base/modules.d/99iscsiroot-test/module-setup.sh" <<SETUP
#!/bin/bash
check() { return 255; }
depends() { echo $TEST_DEPENDS; }
install() {
    inst_hook pre-pivot 99 "\$moddir/isr-show.sh"
    inst_hook emergency 99 "\$moddir/isr-failed.sh"
}
SETUP
    cat > "$T/base/modules.d/99iscsiroot-test/isr-show.sh" <<'SHOW'
#!/bin/sh
# to the console itself: under systemd a hook's output goes to the journal
{
if [ -f /run/iscsiroot/sessions ]; then
    while read -r _l || [ -n "$_l" ]; do echo "isr-session: $_l"; done < /run/iscsiroot/sessions
fi
for _f in /run/iscsiroot/*.lease; do
    [ -f "$_f" ] || continue
    while read -r _l || [ -n "$_l" ]; do echo "isr-lease: $_l"; done < "$_f"
done
[ -f /run/iscsiroot/initiatorname.iscsi ] && echo "isr-initiator: $(cat /run/iscsiroot/initiatorname.iscsi)"
# isr.rerun-hook (dracut-rerun): the netroot handler once more, as the
# initqueue does when it reruns a job; it must leave one session
if grep -qw isr.rerun-hook /proc/cmdline; then
    rm -f /run/iscsiroot/done
    /sbin/iscsiroot
    _rc=$?
    _n=0
    for _s in /sys/class/iscsi_session/session*; do [ -e "$_s" ] && _n=$((_n + 1)); done
    echo "isr-rerun-hook: rc=$_rc sessions=$_n disks=$(cat /run/iscsiroot/disks 2> /dev/null)"
fi
# multipath images: the maps, and where the root's by-label link points
if command -v dmsetup > /dev/null && [ -e /etc/multipath.conf ]; then
    dmsetup table 2>&1 | while read -r _l; do echo "isr-initrd-mp-table: $_l"; done
    dmsetup status 2>&1 | while read -r _l; do echo "isr-initrd-mp-status: $_l"; done
    for _l in /dev/disk/by-label/*; do
        [ -e "$_l" ] && echo "isr-initrd-by-label: ${_l##*/} -> $(readlink -f "$_l")"
    done
    echo "isr-initrd-root: root=$(getarg root=) $(grep " $NEWROOT " /proc/mounts)"
fi
# systemd knows /dev/root only through udev (its device units)
if [ -e /run/iscsiroot/want-dev-root ] && command -v systemctl > /dev/null; then
    echo "isr-devroot: dev-root.device $(systemctl show -P ActiveState dev-root.device)"
fi
} > /dev/console 2>&1
unset _l _f _rc _n _s
SHOW
    cat > "$T/base/modules.d/99iscsiroot-test/isr-failed.sh" <<'FAILED'
#!/bin/sh
# which unit runs the emergency hooks under systemd: dracut-emergency.service
# (the default rd.shell) or the failing service itself (rd.shell=0)
_u=$(sed -n 's,^0::/.*/\([^/]*\.service\)$,\1,p' /proc/self/cgroup 2>/dev/null)
[ -n "$_u" ] && echo "isr-emergency-unit: $_u" > /dev/console
if [ -f /run/iscsiroot/iscsistart.rc ]; then
    echo "ISR-BOOT-FAILED rc=$(cat /run/iscsiroot/iscsistart.rc)" > /dev/console
else
    echo "ISR-BOOT-FAILED rc=none" > /dev/console
fi
# end the test boot now: with rd.shell=0 dracut's shell init halts, but
# its systemd emergency service only retries a halt the image lacks
echo o > /proc/sysrq-trigger
FAILED
    chmod 755 "$T/base/modules.d/99iscsiroot-test"/*

    echo "build-dracut-image: dracut $DRACUT_VERSION ($FLAVOR), kernel $KVER, binary $BIN" >&2
    t0=$(date +%s)
    # ISCSIROOT_NET_DRIVERS: the guest has one virtio NIC; the default
    # (every Ethernet driver) works too but makes a bigger image
    env dracutbasedir="$T/base" ISCSIROOT_BIN="$BIN" \
        ISCSIROOT_NET_DRIVERS="${ISCSIROOT_NET_DRIVERS-virtio_net virtio_pci}" \
        TMPDIR="$T/tmp" \
        "$DRACUT" --force --quiet \
        --conf /dev/null --confdir "$T/confdir" \
        --no-hostonly --no-hostonly-cmdline \
        --kver "$KVER" --kmoddir "$KMODDIR" \
        --modules "$DMODULES" --omit "$OMIT" \
        ${ADD_DRIVERS:+--add-drivers "$ADD_DRIVERS"} \
        ${INSTALL:+--install "$INSTALL"} \
        ${MPCONF:+--include "$MPCONF" /etc/multipath.conf} \
        --filesystems "ext4" \
        --no-early-microcode --nostrip --compress "gzip -1" \
        --tmpdir "$T/tmp" \
        "$CACHED.tmp" >&2 || die "dracut failed"
    mv "$CACHED.tmp" "$CACHED"
    echo "build-dracut-image: built $CACHED in $(( $(date +%s) - t0 ))s ($(du -k "$CACHED" | cut -f1) KiB)" >&2
    # keep the 4 most recent images
    ls -t "$CACHE_DIR/$FLAVOR"-*.img 2>/dev/null | tail -n +5 | xargs -r rm -f
fi
touch "$CACHED"
cp "$CACHED" "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
echo "build-dracut-image: wrote $OUT" >&2
