#!/bin/bash
# build-initcpio-image.sh [--systemd-overlay] OUT.cpio.gz ISCSISTART_BINARY
#
# Builds an initramfs from initcpio/install/iscsiroot and
# initcpio/hooks/iscsiroot the way mkinitcpio would, for the QEMU boot tests.
#
# mkinitcpio is not packaged for Debian, so this runner implements the
# documented mkinitcpio hook API itself (written from its documentation and
# its sources' interfaces; no mkinitcpio code is used):
#   build side: the hook file is sourced by bash and its build() called, with
#     add_module (dependency and softdep closure from the downloaded Debian
#     kernel's tree via modprobe --show-depends; a trailing '?' ignores a
#     missing module), add_checked_modules / add_all_modules / all_modules
#     (-f exclusion filters; checked = filtered by the autodetect list),
#     add_binary (with the shared libraries ldd names), add_file (also '-'
#     for stdin with a mode), add_dir, add_symlink, add_full_dir,
#     add_firmware, add_runscript (copies hooks/NAME to /hooks/NAME and
#     registers its run_* functions), map, msg, msg2, warning, error, plain,
#     quiet; the module tree is depmod'ed at the end, as mkinitcpio does.
#   runtime side: an /init for busybox ash that does what mkinitcpio's /init
#     does for what the hook uses: mount proc/sys/dev/run, set shell variables
#     from the kernel command line as parse_cmdline does (root=, rw/ro,
#     rootfstype=, rootflags=, rootdelay=, init=, quiet ...), modprobe
#     MODULES, source /hooks/NAME and call run_earlyhook / run_hook /
#     run_latehook / run_cleanuphook in HOOKS order, resolve root with
#     resolve_device (LABEL=/UUID= through blkid, /dev paths through
#     poll_device), mount it with "$mount_handler" (default_mount_handler:
#     mount -t ${rootfstype:-auto} -o ${rwopt:-ro} on /new_root) and
#     switch_root (util-linux's, which moves /run along).  On failure it
#     prints mkinitcpio's messages; where mkinitcpio's init would start a
#     rescue shell it prints "ISR-BOOT-FAILED rc=N" (N: the status of the
#     last hook function that failed, "reason=no-root" if none did) and
#     powers off, so a failed test boot ends at once.
# The hooks under test are used exactly as shipped.  What this runner adds in
# place of other mkinitcpio hooks (HOOKS=(base autodetect iscsiroot
# filesystems)):
#   base        static busybox (applet links), kmod (modprobe ...), util-linux
#               mount/umount/blkid/switch_root, /init, /init_functions
#   autodetect  the modules the QEMU guest itself would load (virtio_pci,
#               virtio_net, ext4, crc32c): what mkinitcpio's autodetect finds
#               when run on that machine; add_checked_modules filters by it
#   filesystems ext4
#   udev        (only when HOOKS names it) systemd-udevd and udevadm from the
#               host, started in the early hook, triggered in the hook,
#               stopped in the cleanup hook, as mkinitcpio's udev hook does;
#               add_udev_rule works then
# Test-only addition in /init (not in the hooks): before mounting the root it
# prints "initcpio-net: " lines (ip -o addr) and "initcpio-run: " lines
# (/run/iscsiroot files), so the tests can see the interface left up.
#
# --systemd-overlay: for the systemd variant, HOOKS=(autodetect sd-iscsiroot)
#   only, and OUT is an overlay: just what sd-iscsiroot's build() added (the
#   binary, its libraries, iscsiroot.service and its wants link; no /init, no
#   /etc files).  mkinitcpio's own systemd hook is not packaged for Debian, so
#   the unit under test is run by the real systemd 252 of a systemd initrd
#   that dracut makes (build-dracut-image.sh ... systemd-base): the tests
#   append this archive to that image, and the kernel unpacks concatenated
#   archives in order (later files win).  The kernel modules the hook added
#   are not in the archive (its modules.dep would replace the base's); their
#   names go to OUT.modules instead, one a line, and the base is built with
#   exactly those (ISR_BASE_DRIVERS), so a module the hook forgets is missing
#   at boot as it would be under mkinitcpio.
#
# Environment: ISCSIROOT_CONF (an /etc/iscsiroot.conf for the hooks to copy
#   in; default none, the host's own is never used),
#   ISR_INITCPIO_HOOKS (the HOOKS list, default "base autodetect iscsiroot
#   filesystems"; e.g. "base autodetect iscsiroot multipath filesystems"
#   adds ../initcpio's multipath hook, which needs multipath-tools on the
#   host), ISCSIROOT_MULTIPATH_CONF and ISCSIROOT_MULTIPATH_DIR (the
#   multipath hook's multipath.conf and wwids directory; default none: the
#   host's /etc/multipath* are never used),
#   ISCSIROOT_HOOKS_DIR (default ../initcpio), BUSYBOX (static
#   busybox, default /bin/busybox).  The image is rebuilt only when the
#   binary, the hook files, this script, busybox, kmod or the kernel changed
#   (the key is stored in OUT.key).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
die() { echo "build-initcpio-image: $*" >&2; exit 1; }

OVERLAY=
[ "${1:-}" = --systemd-overlay ] && { OVERLAY=systemd; shift; }
[ $# -eq 2 ] || die "usage: $0 [--systemd-overlay] OUT.cpio.gz ISCSISTART_BINARY"
OUT=$1
BIN=$(realpath "$2")
[ -x "$BIN" ] || die "not an executable: $BIN"
HOOKSRC=$(realpath "${ISCSIROOT_HOOKS_DIR:-$HERE/../initcpio}")
[ -f "$HOOKSRC/install/iscsiroot" ] || die "no $HOOKSRC/install/iscsiroot"

BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
    die "$BUSYBOX is not a static busybox (apt-get install busybox-static)"
for t in kmod mount umount blkid switch_root modprobe depmod cpio gzip ldd; do
    command -v "$t" >/dev/null || die "missing tool $t"
done

# shellcheck disable=SC1090,SC1091
if ! { [ -f "$HERE/cache/kernel.env" ] && . "$HERE/cache/kernel.env" && [ -f "${VMLINUZ:-}" ]; }; then
    . <("$HERE/fetch-kernel.sh" 2>/dev/null) || die "fetch-kernel.sh failed"
fi
: "${KVER:?}" "${KROOT:?}"

HOOKS_WANTED=${ISR_INITCPIO_HOOKS:-base autodetect iscsiroot filesystems}
KEY=$( { sha256sum "$BIN" "$0" "$BUSYBOX" "$(command -v kmod)" \
             $(find "$HOOKSRC" -type f | LC_ALL=C sort) | cut -d' ' -f1
         [ -f "${ISCSIROOT_CONF:-}" ] && sha256sum < "$ISCSIROOT_CONF"
         case " $HOOKS_WANTED " in
             *" multipath "*)
                 sha256sum "$(command -v multipath)" | cut -d' ' -f1
                 [ -f "${ISCSIROOT_MULTIPATH_CONF:-}" ] && sha256sum < "$ISCSIROOT_MULTIPATH_CONF"
                 [ -d "${ISCSIROOT_MULTIPATH_DIR:-}" ] &&
                     find "$ISCSIROOT_MULTIPATH_DIR" -type f -exec cat {} + | sha256sum ;;
         esac
         echo "$KVER $OVERLAY $HOOKS_WANTED"; } | sha256sum | cut -c1-16)
if [ -f "$OUT" ] && [ -f "$OUT.key" ] && [ "$(cat "$OUT.key")" = "$KEY" ] &&
   { [ -z "$OVERLAY" ] || [ -f "$OUT.modules" ]; }; then
    echo "build-initcpio-image: $OUT is up to date (key $KEY)" >&2
    exit 0
fi

set +eu   # hook code runs as under mkinitcpio: no errexit/nounset
KERNELVERSION=$KVER
KMODDIR=$KROOT/lib/modules/$KVER
BUILDROOT=$(mktemp -d "${TMPDIR:-/tmp}/isr-initcpio.XXXXXX")
trap 'rm -rf "$BUILDROOT"' EXIT
declare -A ADDED_MODULES=() AUTODETECTED=() RUNHOOKS=()
BUILD_ERRORS=0

# --- messages (mkinitcpio's build-time names) -------------------------------
plain()   { local f=$1; shift; printf "    $f\n" "$@"; }
quiet()   { [ -n "${ISR_VERBOSE:-}" ] && plain "$@"; return 0; }
msg()     { local f=$1; shift; printf "==> $f\n" "$@"; }
msg2()    { local f=$1; shift; printf "  -> $f\n" "$@"; }
warning() { local f=$1; shift; printf "==> WARNING: $f\n" "$@" >&2; }
error()   { local f=$1; shift; printf "==> ERROR: $f\n" "$@" >&2; BUILD_ERRORS=$((BUILD_ERRORS + 1)); return 1; }
map() {   # map FUNC ARG...: FUNC on each ARG; fails if any call failed
    local fn=$1 a rc=0
    shift
    for a in "$@"; do "$fn" "$a" || rc=1; done
    return $rc
}

# --- files --------------------------------------------------------------------
add_dir() {   # add_dir PATH [MODE]
    [[ $1 == /?* ]] || return 1
    [ -d "$BUILDROOT$1" ] && return 0
    install -d -m "${2:-755}" "$BUILDROOT$1"
}
add_symlink() {   # add_symlink LINK [TARGET]
    local link=$1 target=${2:-}
    if [ -z "$target" ]; then
        target=$(readlink -f -- "$link") || { error "invalid symlink: '%s'" "$link"; return 1; }
    fi
    add_dir "${link%/*}" 2>/dev/null
    mkdir -p "$BUILDROOT${link%/*}"
    ln -sfn "$target" "$BUILDROOT$link"
}
add_file() {   # add_file SRC [DEST] [MODE]; SRC '-' is stdin (MODE needed)
    local src=$1 dest=${2:-$1} mode=${3:-}
    [ -n "$dest" ] || dest=$src
    if [ "$src" = - ]; then
        [ -n "$mode" ] && [ "$dest" != - ] || { error "add_file -: need a destination and a mode"; return 1; }
        mkdir -p "$BUILDROOT${dest%/*}"
        cat > "$BUILDROOT$dest" && chmod "$mode" "$BUILDROOT$dest"
        return
    fi
    [ -f "$src" ] || { error "file not found: '%s'" "$src"; return 1; }
    [[ $dest == */ ]] && dest=$dest${src##*/}
    if [ -L "$src" ] && [ "$src" = "$dest" ]; then
        # keep the link, add what it points to
        local real
        real=$(realpath -- "$src")
        add_file "$real" "$real" "$mode"
        add_symlink "$dest" "$real"
        return
    fi
    mkdir -p "$BUILDROOT${dest%/*}"
    quiet "adding file: %s" "$dest"
    cp -L --remove-destination "$src" "$BUILDROOT$dest"
    if [ -n "$mode" ]; then chmod "$mode" "$BUILDROOT$dest"; fi
}
add_full_dir() {   # add_full_dir DIR [GLOB] [STRIP_PREFIX]
    local dir=$1 glob=${2:-*} strip=${3:-} f
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    add_dir "${dir#"$strip"}"
    for f in "$dir"/*; do
        if [ -L "$f" ]; then
            # shellcheck disable=SC2053
            [[ $f == $glob ]] && add_symlink "${f#"$strip"}" "$(readlink "$f")"
        elif [ -d "$f" ]; then
            add_full_dir "$f" "$glob" "$strip"
        elif [ -f "$f" ]; then
            # shellcheck disable=SC2053
            [[ $f == $glob ]] && add_file "$f" "${f#"$strip"}"
        fi
    done
    return 0
}
add_binary() {   # add_binary PATH|NAME [DEST] [MODE]: file + ldd libraries
    local bin=$1 lib
    if [[ $bin != /* ]]; then
        bin=$(type -P "$bin") || { error "binary not found: '%s'" "$1"; return 1; }
    fi
    add_file "$bin" "${2:-$bin}" "${3:-}" || return 1
    ldd "$bin" >/dev/null 2>&1 || return 0   # a script or a static binary
    while read -r lib; do
        [ -e "$BUILDROOT$lib" ] || add_file "$lib" "$lib"
    done < <(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3; next }
                               $1 ~ /^\// { print $1 }')
    if grep -q 'not found' <<<"$(ldd "$bin")"; then
        error "binary dependency not found for '%s'" "$bin"
    fi
}
add_firmware() {   # the guest needs none; firmware files are looked up on the host
    local fw rc=1
    for fw; do
        if [ -f "/usr/lib/firmware/$fw" ]; then add_file "/usr/lib/firmware/$fw" && rc=0; fi
    done
    return $rc
}
add_udev_rule() {   # add_udev_rule FILE: the rules file and the helpers it runs
    local rules=$1 prog
    [ -n "${RUNNER_UDEV:-}" ] || { error "add_udev_rule: no udev in HOOKS (%s)" "$1"; return 1; }
    [ -f "$rules" ] || { error "udev rule not found: '%s'" "$rules"; return 1; }
    add_file "$rules" "/usr/lib/udev/rules.d/${rules##*/}" 644
    # RUN/PROGRAM/IMPORT{program} commands: bare names are in /usr/lib/udev
    while read -r prog; do
        case $prog in
            /*) [ -x "$prog" ] && [ ! -e "$BUILDROOT$prog" ] && add_binary "$prog" ;;
            *)  for d in /usr/lib/udev /lib/udev; do
                    if [ -x "$d/$prog" ]; then add_binary "$d/$prog" "/usr/lib/udev/$prog"; break; fi
                done ;;
        esac
    done < <(grep -oE '(RUN|PROGRAM|IMPORT\{program\})\+?==?"[^"$ ]+' "$rules" | sed 's/.*"//' | sort -u)
    return 0
}
add_systemd_unit() { error "add_systemd_unit: this runner builds busybox images only (%s)" "$1"; }

# --- kernel modules -----------------------------------------------------------
add_module() {   # add_module NAME[?]: NAME and its dependencies/softdeps
    local name=$1 optional=0 deps ko rel n found=0
    if [[ $name == *\? ]]; then optional=1; name=${name%?}; fi
    name=${name%.ko*}
    n=${name//-/_}
    [ -n "${ADDED_MODULES[$n]:-}" ] && return 0
    if ! deps=$(modprobe -d "$KROOT" -S "$KVER" --show-depends "$name" 2>/dev/null); then
        [ "$optional" = 1 ] && return 0
        error "module not found: '%s'" "$name"
        return 1
    fi
    while read -r kind ko _; do
        case $kind in
            insmod)
                rel=${ko#"$KROOT"}
                n=${ko##*/}; n=${n%.ko*}; n=${n//-/_}
                ADDED_MODULES[$n]=1
                found=1
                [ -f "$BUILDROOT/usr$rel" ] || { quiet "adding module: %s" "$n"; mkdir -p "$BUILDROOT/usr${rel%/*}"; cp "$ko" "$BUILDROOT/usr$rel"; } ;;
            builtin) found=1 ;;
        esac
    done <<<"$deps"
    ADDED_MODULES[${name//-/_}]=1
    [ "$found" = 1 ] || [ "$optional" = 1 ] || { error "module not found: '%s'" "$name"; return 1; }
    return 0
}
all_modules() {   # all_modules [-f EXCLUDE_ERE]... GREP_ERE...: names, one a line
    local OPTIND=1 flag excl=() f path m count=0
    while getopts ':f:' flag; do
        [ "$flag" = f ] && excl+=("$OPTARG")
    done
    shift $((OPTIND - 1))
    while IFS= read -r path; do
        for f in "${excl[@]}"; do [[ $path =~ $f ]] && continue 2; done
        m=${path##*/}; m=${m%.ko*}
        echo "${m//-/_}"
        count=$((count + 1))
    done < <(find "$KMODDIR/kernel" -name '*.ko*' | grep -E "$@")
    [ "$count" -gt 0 ]
}
add_all_modules() {
    local mods
    mapfile -t mods < <(all_modules "$@")
    map add_module "${mods[@]}"
    [ ${#mods[@]} -gt 0 ]
}
add_checked_modules() {
    local mods m kept=()
    mapfile -t mods < <(all_modules "$@")
    if [ ${#AUTODETECTED[@]} -gt 0 ]; then
        for m in "${mods[@]}"; do [ -n "${AUTODETECTED[$m]:-}" ] && kept+=("$m"); done
    else
        kept=("${mods[@]}")
    fi
    map add_module "${kept[@]}"
    [ ${#kept[@]} -gt 0 ]
}

# --- runtime scripts ------------------------------------------------------------
add_runscript() {   # called from a build hook: ship hooks/<its name>
    local name=${BASH_SOURCE[1]##*/} script fn
    script=$HOOKSRC/hooks/$name
    [ -f "$script" ] || { error "runtime script for '%s' not found" "$name"; return 1; }
    add_file "$script" "/hooks/$name" 755
    for fn in $(sed -n 's/^[[:space:]]*\(run_[a-z]*hook\)[[:space:]]*()[[:space:]]*{*.*$/\1/p' "$script" | sort -u); do
        case $fn in
            run_earlyhook)   RUNHOOKS[early]+=" $name" ;;
            run_hook)        RUNHOOKS[hooks]+=" $name" ;;
            run_latehook)    RUNHOOKS[late]+=" $name" ;;
            run_cleanuphook) RUNHOOKS[cleanup]="$name ${RUNHOOKS[cleanup]:-}" ;;
        esac
    done
}

# --- the runner's stand-ins for mkinitcpio's own hooks ----------------------------
runner_base() {
    local a
    for a in $("$BUSYBOX" --list); do
        [ "$a" = busybox ] || add_symlink "/usr/bin/$a" busybox
    done
    add_binary "$BUSYBOX" /usr/bin/busybox
    add_binary "$(command -v kmod)" /usr/bin/kmod
    for a in depmod insmod rmmod lsmod modprobe modinfo; do add_symlink "/usr/bin/$a" kmod; done
    for a in blkid mount umount switch_root; do add_binary "$(command -v $a)" "/usr/bin/$a"; done
    write_init_functions > "$BUILDROOT/init_functions"
    write_init > "$BUILDROOT/init"
    chmod 755 "$BUILDROOT/init"
}
runner_autodetect() {
    local m
    # the QEMU guest: virtio-net-pci NIC, iSCSI disk with ext4
    for m in virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev virtio_net \
             net_failover failover ext4 crc32c_generic crc32c_intel; do
        AUTODETECTED[$m]=1
    done
}
runner_filesystems() { add_module ext4; }
# udev: what mkinitcpio's udev hook puts in and runs (systemd-udevd with
# the default, persistent-storage and driver rules; no interface renaming:
# mkinitcpio does not ship 80-net-setup-link.rules either)
runner_udev() {
    local f
    RUNNER_UDEV=1
    add_binary /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd
    add_binary "$(command -v udevadm)" /usr/bin/udevadm
    for f in ata_id scsi_id; do add_binary "/lib/udev/$f" "/usr/lib/udev/$f"; done
    for f in 50-udev-default.rules 60-persistent-storage.rules 64-btrfs.rules 80-drivers.rules; do
        add_file "/lib/udev/rules.d/$f" "/usr/lib/udev/rules.d/$f" 644
    done
    add_file - /hooks/udev 755 <<'UDEVHOOK'
#!/usr/bin/ash
# the initcpio test runner's stand-in for mkinitcpio's udev runtime hook
run_earlyhook() {
    /usr/lib/systemd/systemd-udevd --daemon --resolve-names=never
    udevd_running=1
}
run_hook() {
    msg ":: Triggering uevents..."
    /usr/bin/udevadm trigger --action=add --type=subsystems
    /usr/bin/udevadm trigger --action=add --type=devices
    /usr/bin/udevadm settle
}
run_cleanuphook() {
    /usr/bin/udevadm control --exit
    /usr/bin/udevadm info --cleanup-db
}
UDEVHOOK
    RUNHOOKS[early]+=" udev"
    RUNHOOKS[hooks]+=" udev"
    RUNHOOKS[cleanup]="udev ${RUNHOOKS[cleanup]:-}"
}

# --- /init_functions and /init (busybox ash), written for this runner ------------
write_init_functions() {
    cat <<'FUNCS'
# /init_functions of the initcpio test runner (qemu-tests/build-initcpio-image.sh):
# the subset of mkinitcpio's runtime API the hooks may use.  Debian's static
# busybox prefers its own applets for bare command names, so the util-linux
# and kmod tools are called by path here.
msg() { [ "${quiet:-}" = y ] || echo "$@"; }
err() { echo "ERROR: $*"; }

# parse_cmdline: a shell variable for each KEY=VALUE (or bare KEY=y) word
# whose KEY is a valid shell name; rw/ro set rwopt.  Quoted values with
# spaces are not handled (the tests use none).
parse_cmdline() {
    local w k v
    set -f
    # shellcheck disable=SC2013
    for w in $(cat /proc/cmdline); do
        case $w in
            *=*) k=${w%%=*} v=${w#*=} ;;
            *) k=$w v=y ;;
        esac
        case $k in
            rw | ro) rwopt=$k ;;
            fstype) rootfstype=$v ;;
            '' | [!A-Za-z_]* | *[!A-Za-z0-9_]*) ;;
            *) eval "$k=\$v" ;;
        esac
    done
    set +f
}

# poll_device DEV [SECONDS]: without udev (as here) only checks once
poll_device() {
    local dev=$1 s=${2:-10}
    [ -b "$dev" ] && return 0
    if [ "${udevd_running:-0}" -eq 1 ]; then
        s=$((s * 10))
        while [ ! -b "$dev" ] && [ "$s" -gt 0 ]; do sleep 0.1; s=$((s - 1)); done
    fi
    [ -b "$dev" ]
}

# resolve_device SPEC: print the block device for LABEL=/UUID=/PARTUUID=/
# PARTLABEL= or a /dev path
resolve_device() {
    local dev=$1
    case $dev in
        LABEL=* | UUID=* | PARTUUID=* | PARTLABEL=*)
            dev=$(blkid -l -t "$dev" -o device 2>/dev/null) ;;
    esac
    case $dev in
        /dev/*) poll_device "$dev" "${rootdelay:-}" && { echo "$dev"; return 0; } ;;
    esac
    return 1
}

default_mount_handler() {
    msg ":: mounting '$root' on real root"
    /usr/bin/mount -t "${rootfstype:-auto}" -o "${rwopt:-ro}${rootflags:+,$rootflags}" "$root" "$1" ||
        err "Failed to mount '$root' on real root"
}

# Where mkinitcpio starts a rescue shell, the test image reports and powers
# off instead, so a failed boot ends at once: ISR-BOOT-FAILED rc=N with the
# status of the last hook function that failed (run-boot.sh's --expect
# fail:N), else reason=no-root.
rescue_shell() {
    echo "Bailing out, you are on your own. Good luck."
    if [ -n "$hook_rc" ]; then
        echo "ISR-BOOT-FAILED rc=$hook_rc"
    else
        echo "ISR-BOOT-FAILED reason=no-root"
    fi
    sync
    poweroff -f
    sleep 60
}

# run_hookfunctions FUNC DESC HOOK...: source /hooks/HOOK, call FUNC if
# defined (a non-zero status is remembered in hook_rc, for rescue_shell)
hook_rc=
run_hookfunctions() {
    local fn=$1 desc=$2 h rc
    shift 2
    for h in "$@"; do
        [ -x "/hooks/$h" ] || continue
        unset -f "$fn"
        . "/hooks/$h"
        type "$fn" >/dev/null 2>&1 || continue
        msg ":: running $desc [$h]"
        "$fn"
        rc=$?
        [ "$rc" -eq 0 ] || hook_rc=$rc
    done
}
FUNCS
}

write_init() {
    cat <<'INIT'
#!/usr/bin/ash
# /init of the initcpio test runner (qemu-tests/build-initcpio-image.sh):
# sequences the hooks as mkinitcpio's /init does.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/bin
udevd_running=0
mount_handler=default_mount_handler
init=/sbin/init
. /init_functions

mount -t proc proc /proc -o nosuid,noexec,nodev
mount -t sysfs sys /sys -o nosuid,noexec,nodev
mount -t devtmpfs dev /dev -o mode=0755,nosuid
mount -t tmpfs run /run -o nosuid,nodev,mode=0755
mkdir -m755 /run/initramfs
ln -sfT /proc/self/fd /dev/fd

parse_cmdline
. /config

run_hookfunctions run_earlyhook 'early hook' $EARLYHOOKS
[ -n "$MODULES" ] && /usr/bin/modprobe -qab $MODULES
run_hookfunctions run_hook hook $HOOKS

if rootdev=$(resolve_device "$root"); then
    case $root in
        UUID=* | LABEL=* | PARTUUID=* | PARTLABEL=*) ;;
        *) root=$rootdev ;;
    esac
fi
unset rootdev

# test-only report (not part of mkinitcpio): the network the hooks left up
ip -o addr show 2>/dev/null | grep -v ' lo ' | sed 's/^/initcpio-net: /'
for f in /run/iscsiroot/*; do
    [ -f "$f" ] || continue
    while IFS= read -r l || [ -n "$l" ]; do echo "initcpio-run: ${f##*/}: $l"; done <"$f"
done

"$mount_handler" /new_root

run_hookfunctions run_latehook 'late hook' $LATEHOOKS
run_hookfunctions run_cleanuphook 'cleanup hook' $CLEANUPHOOKS

if [ "$(stat -c %D /)" = "$(stat -c %D /new_root)" ]; then
    err "Failed to mount the real root device."
    rescue_shell
elif [ ! -x "/new_root$init" ]; then
    err "Root device mounted successfully, but $init does not exist."
    rescue_shell
fi
exec env -i "TERM=${TERM:-linux}" /usr/bin/switch_root /new_root "$init" "$@"
INIT
}

# --- build ------------------------------------------------------------------------------
# shellcheck disable=SC2206  # a word list
if [ -n "$OVERLAY" ]; then HOOKS=(autodetect sd-iscsiroot); else HOOKS=($HOOKS_WANTED); fi
MODULES=()
install -d -m 755 "$BUILDROOT"/{new_root,proc,sys,dev,run,tmp,var,etc,hooks,usr/{local/{bin,sbin,lib},lib,bin}}
ln -s usr/lib "$BUILDROOT/lib"
ln -s bin "$BUILDROOT/usr/sbin"
ln -s usr/bin "$BUILDROOT/bin"
ln -s usr/bin "$BUILDROOT/sbin"
ln -s ../run "$BUILDROOT/var/run"
ln -s lib "$BUILDROOT/usr/lib64"
ln -s usr/lib "$BUILDROOT/lib64"
ln -s ../proc/self/mounts "$BUILDROOT/etc/mtab"
: > "$BUILDROOT/etc/fstab"
: > "$BUILDROOT/etc/initrd-release"
install -d -m 755 "$BUILDROOT/usr/lib/modules/$KVER/kernel"

# the binary under test, through the hook's documented setting
export ISCSIROOT_ISCSISTART=$BIN
# keep the host's /etc/iscsiroot.conf (if any) out of the test image
export ISCSIROOT_CONF=${ISCSIROOT_CONF:-/nonexistent/iscsiroot.conf}
# and the host's multipath configuration (the multipath hook's)
export ISCSIROOT_MULTIPATH_CONF=${ISCSIROOT_MULTIPATH_CONF:-/nonexistent/multipath.conf}
export ISCSIROOT_MULTIPATH_DIR=${ISCSIROOT_MULTIPATH_DIR:-/nonexistent/multipath}

for hook in "${HOOKS[@]}"; do
    if declare -F "runner_$hook" >/dev/null; then
        msg2 "Running build hook: [%s] (runner stand-in)" "$hook"
        "runner_$hook"
        continue
    fi
    unset -f build help
    # shellcheck disable=SC1090
    . "$HOOKSRC/install/$hook" || die "cannot read $HOOKSRC/install/$hook"
    declare -F build >/dev/null || die "hook $hook has no build function"
    msg2 "Running build hook: [%s]" "$HOOKSRC/install/$hook"
    build
done

# modules.* for the image, as mkinitcpio's install_modules does
for f in modules.builtin modules.builtin.modinfo modules.order; do
    [ -f "$KMODDIR/$f" ] && cp "$KMODDIR/$f" "$BUILDROOT/usr/lib/modules/$KVER/"
done
depmod -b "$BUILDROOT" "$KVER" || die "depmod failed"

{
    printf 'MODULES="%s"\n' "${MODULES[*]}"
    printf '%s="%s"\n' EARLYHOOKS "${RUNHOOKS[early]# }" HOOKS "${RUNHOOKS[hooks]# }" \
        LATEHOOKS "${RUNHOOKS[late]# }" CLEANUPHOOKS "${RUNHOOKS[cleanup]% }"
} > "$BUILDROOT/config"

[ "$BUILD_ERRORS" -eq 0 ] || die "$BUILD_ERRORS error(s) while running the build hooks"
[ -x "$BUILDROOT/usr/bin/iscsistart" ] || die "the hooks did not put iscsistart in the image"
if [ -n "$OVERLAY" ]; then
    # the modules the hook added (with their dependencies), for the base
    mkdir -p "$(dirname "$OUT")"
    find "$BUILDROOT/usr/lib/modules" -name '*.ko*' | sed 's,.*/,,; s,\.ko.*,,' |
        LC_ALL=C sort > "$OUT.modules.tmp"
    [ -s "$OUT.modules.tmp" ] || die "sd-iscsiroot added no kernel modules"
    # only the hook's own files: the base image's /etc, modules and init stay
    rm -rf "$BUILDROOT/usr/lib/modules" "$BUILDROOT/config" "$BUILDROOT/etc"
    # and not the runner's merged-/usr links (the base has its own)
    for l in bin sbin lib lib64 usr/sbin usr/lib64 var/run; do
        [ -L "$BUILDROOT/$l" ] && rm "$BUILDROOT/$l"
    done
    find "$BUILDROOT" -depth -type d -empty -delete
    [ -f "$BUILDROOT/usr/lib/systemd/system/iscsiroot.service" ] ||
        die "sd-iscsiroot did not add iscsiroot.service"
fi

mkdir -p "$(dirname "$OUT")"
(cd "$BUILDROOT" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) |
    gzip -1 > "$OUT.tmp" || die "cpio failed"
mv "$OUT.tmp" "$OUT"
[ -z "$OVERLAY" ] || mv "$OUT.modules.tmp" "$OUT.modules"
echo "$KEY" > "$OUT.key"
if [ -n "$OVERLAY" ]; then
    msg "Overlay: %s (%s KiB, %s files, hooks: %s; modules for the base: %s)" "$OUT" \
        "$(du -k "$OUT" | cut -f1)" "$(find "$BUILDROOT" -type f | wc -l)" "${HOOKS[*]}" \
        "$(tr '\n' ' ' < "$OUT.modules")"
else
    msg "Image: %s (%s KiB, kernel %s, %s modules, hooks: %s)" "$OUT" "$(du -k "$OUT" | cut -f1)" \
        "$KVER" "$(find "$BUILDROOT/usr/lib/modules" -name '*.ko*' | wc -l)" "$(cat "$BUILDROOT/config" | tr '\n' ' ')"
fi
