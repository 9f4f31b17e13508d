#!/bin/bash
# build-dracut-image.sh OUT.img ISCSISTART_BINARY [FLAVOR]
#
# Builds a real dracut initramfs (Debian's dracut-core) with the iscsiroot
# module from ../dracut/90iscsiroot, for the QEMU boot tests' dracut-*
# scenarios (run-boot.sh --initrd OUT.img).  FLAVOR:
#   shell        (default) dracut's own shell init, no systemd
#   systemd      systemd as init (dracut's systemd, systemd-initrd and
#                dracut-systemd modules, the host's systemd 252)
#   systemd-base systemd as init WITHOUT iscsiroot, but with the kernel
#                modules it needs (iscsi_tcp, sd_mod, the NIC's): the base
#                onto which build-initcpio-image.sh --systemd-overlay lays
#                the sd-iscsiroot hook's files (mkinitcpio's own systemd
#                hook is not packaged for Debian)
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
#   emergency:  ISR-BOOT-FAILED rc=<iscsistart exit code, or "none">
#
# Cache: work/dracut/FLAVOR-<key>.img, the key hashing the binary, the
# module's files, this script, KVER, dracut's version and FLAVOR; OUT is a
# copy.
# Environment: DRACUT (default: dracut in $PATH).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MODSRC=$HERE/../dracut/90iscsiroot
die() { echo "build-dracut-image: $*" >&2; exit 1; }

[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: $0 OUT.img ISCSISTART_BINARY [shell|systemd|systemd-base]"
OUT=$1
FLAVOR=${3:-shell}
NET_OMIT="iscsi network network-legacy network-manager systemd-networkd"
case $FLAVOR in
    shell) DMODULES="bash iscsiroot iscsiroot-test"; OMIT="$NET_OMIT systemd" ;;
    systemd) DMODULES="bash systemd systemd-initrd dracut-systemd iscsiroot iscsiroot-test"; OMIT=$NET_OMIT ;;
    systemd-base) DMODULES="bash systemd systemd-initrd dracut-systemd rootfs-block"; OMIT="$NET_OMIT iscsiroot" ;;
    *) die "unknown flavor '$FLAVOR' (shell, systemd or systemd-base)" ;;
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
KEY=$( { sha256sum "$BIN" "$0" "$MODSRC"/* | cut -d' ' -f1; echo "$KVER $DRACUT_VERSION $FLAVOR"; } |
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

    # test-only module: print the recorded state and the failure code
    mkdir -p "$T/base/modules.d/99iscsiroot-test"
    cat > "$T/base/modules.d/99iscsiroot-test/module-setup.sh" <<'SETUP'
#!/bin/bash
check() { return 255; }
depends() { echo iscsiroot; }
install() {
    inst_hook pre-pivot 99 "$moddir/isr-show.sh"
    inst_hook emergency 99 "$moddir/isr-failed.sh"
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
} > /dev/console 2>&1
unset _l _f
SHOW
    cat > "$T/base/modules.d/99iscsiroot-test/isr-failed.sh" <<'FAILED'
#!/bin/sh
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

    # systemd-base: what iscsistart loads (the overlay brings no modules)
    ADD_DRIVERS=
    [ "$FLAVOR" = systemd-base ] &&
        ADD_DRIVERS="iscsi_tcp sd_mod crc32c_generic crc64_rocksoft_generic iscsi_ibft ${ISCSIROOT_NET_DRIVERS-virtio_net virtio_pci}"
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
