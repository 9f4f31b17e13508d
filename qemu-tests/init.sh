#!/bin/sh
# /init of the QEMU boot-test initramfs (busybox sh).  Installed by
# build-initramfs.sh.  Markers printed on the console (parsed by run-boot.sh):
#   ISR-W0 <uptime>                     before the init's own network setup
#                                       (NIC driver, address), with isr.mark_net=1
#   ISR-P0 <uptime> / ISR-P1 <uptime>   around optional module preloading
#   ISR-N0 <uptime>                     right before iscsistart -N (isr.ibft=1)
#   ISR-T0 <uptime>                     right before /sbin/iscsistart
#   ISR-RC <rc>                         its exit code
#   ISR-BOOT-FAILED rc=<rc>             iscsistart failed (then poweroff)
#   ISR-BOOT-FAILED reason=<why>        something else failed (then poweroff)
#   ISR-T1 <uptime>                     the iSCSI disk appeared
#   isr-lease: KEY='value'              each line of /run/iscsiroot/*.lease and
#   isr-initiator: InitiatorName=...    /run/iscsiroot/initiatorname.iscsi,
#                                       after ISR-T1 (not in the measured time)
#   isr-ibft-dump: ...                  the raw iBFT in hex (isr.ibft_dump=1)
#   isr-rerun: WHAT rc=<rc> disks=<..>  isr.rerun=: each further run's status
#                                       and stdout (its disks)
#   isr-sessions: <n>                   then the number of kernel sessions
# Kernel command line: isr.ip=A.B.C.D/NN (required unless isr.net=none or
#   isr.ibft=1), isr.gw=A.B.C.D (optional), isr.if=NAME (default eth0);
#   isr.mark_net=1: print ISR-W0 before the network setup below (the
#   bench's cmdline mode for Debian's iscsistart, which cannot read ip=
#   itself: the init does what dracut's network scripts would)
#   isr.net=none: no network setup here at all (no NIC modules, no
#   addresses; only lo is brought up): iscsistart does it from the command line
#   isr.rm_module=NAME[,NAME...]: delete those .ko files first (a module
#   the kernel then cannot load)
#   isr.rerun=WHAT[,WHAT...]: after the first run succeeded, run iscsistart
#   again for each WHAT, in order: `args` (the same arguments again) or
#   `cmdline` (--from-cmdline: the target from this command line); then
#   count the sessions (more than one: boot failed, reason=sessions-N) and,
#   once the disk is found, check that every rerun printed that disk
# Files: /etc/iscsistart.args  one iscsistart argument per line; empty or
#                              missing: /sbin/iscsistart runs with no arguments
#        /etc/isr.preload      module names to load before iscsistart (optional)
#        /sbin/crypto_kat      the static build's CHAP known-answer test (run-boot
#                              --extra-file): run after iscsistart; its lines
#                              start "crypto-kat: "; a failure ends the boot
#                              (ISR-BOOT-FAILED reason=crypto-kat)
export PATH=/sbin:/bin:/usr/sbin:/usr/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/lock /dev/pts /tmp

say() { echo "$*"; }
uptime_s() { read -r u _ < /proc/uptime; echo "$u"; }

die() {
    say "ISR-BOOT-FAILED $*"
    sync
    poweroff -f
    sleep 60
}

# load_mod NAME: insmod NAME's dependency closure, in order (list made at
# build time with modprobe --show-depends).  Already-loaded modules are skipped.
load_mod() {
    list=/etc/isr/mod/$1
    if [ ! -f "$list" ]; then
        say "isr-init: no module list for $1"
        return 1
    fi
    while read -r ko; do
        [ -n "$ko" ] || continue
        n=${ko##*/}
        n=${n%.ko}
        n=${n//-/_}
        [ -d "/sys/module/$n" ] && continue
        # a failing optional softdep (e.g. crc32c-intel without SSE4.2) is
        # fine as long as the requested module itself ends up loaded
        insmod "$ko" 2>/tmp/insmod.err ||
            say "isr-init: note: insmod $n: $(cat /tmp/insmod.err)"
    done < "$list"
    n=${1//-/_}
    [ -d "/sys/module/$n" ] || { say "isr-init: module $1 not loaded"; return 1; }
}

cmdline_get() {
    for w in $(cat /proc/cmdline); do
        case $w in "$1"=*) echo "${w#*=}"; return 0 ;; esac
    done
    return 1
}

say "isr-init: starting, kernel $(uname -r), uptime $(uptime_s)"

# --- network ---------------------------------------------------------------
# isr.ibft=1: the network comes from the iBFT (iPXE sanhook): `iscsistart -N`
# sets it up, and the login is `iscsistart -b` (the args file says so).
# isr.net=none: iscsistart reads the kernel command line (ip=, vlan=, ...)
# and loads the NIC driver, configures it and runs DHCP itself.
IBFT=$(cmdline_get isr.ibft) || IBFT=0
NET=$(cmdline_get isr.net) || NET=
load_mod crc32c_generic
load_mod crc32c_intel >/dev/null   # needs SSE4.2 (absent on TCG qemu64)
load_mod ext4 || die "reason=ext4"
ip link set lo up
if [ "$NET" = none ]; then
    say "isr-init: isr.net=none, leaving the network to iscsistart"
elif [ "$IBFT" != 1 ]; then
    [ "$(cmdline_get isr.mark_net)" = 1 ] && say "ISR-W0 $(uptime_s)"
    load_mod virtio_pci
    load_mod virtio_net || die "reason=virtio_net"

    IP=$(cmdline_get isr.ip) || die "reason=no-isr.ip-on-cmdline"
    GW=$(cmdline_get isr.gw) || GW=
    NETIF=$(cmdline_get isr.if) || NETIF=eth0
    i=0
    while [ ! -e "/sys/class/net/$NETIF" ]; do
        i=$((i + 1))
        [ $i -gt 100 ] && die "reason=no-$NETIF"
        usleep 50000
    done
    ip addr add "$IP" dev "$NETIF" || die "reason=ip-addr"
    ip link set "$NETIF" up || die "reason=ip-link-up"
    [ -n "$GW" ] && ip route add default via "$GW"
    say "isr-init: $NETIF up with $IP"
fi

# --- isr.ibft_dump=1: the raw iBFT on the console, for unit-test fixtures ---
# Prints "isr-ibft-dump: begin SOURCE LENGTH", the table as `od -An -tx1 -v`
# lines prefixed "isr-ibft-dump: ", then "isr-ibft-dump: end". SOURCE is the
# ACPI table, or (BIOS iPXE puts the table in base memory, not in the ACPI
# tables) /dev/mem at the address the kernel's early scan logged.
if [ "$(cmdline_get isr.ibft_dump)" = 1 ]; then
    src= skip=0 len=0
    for t in iBFT IBFT BIFT; do
        [ -r "/sys/firmware/acpi/tables/$t" ] || continue
        src=/sys/firmware/acpi/tables/$t
        len=$(wc -c < "$src")
        break
    done
    if [ -z "$src" ]; then
        at=$(dmesg | sed -n 's/.*iBFT found at \(0x[0-9a-fA-F]*\).*/\1/p' | head -n1)
        if [ -n "$at" ]; then
            src=/dev/mem skip=$((at))
            len=$(dd if=/dev/mem bs=1 skip=$((skip + 4)) count=4 2>/dev/null | od -An -tu4 | tr -d ' ')
        fi
    fi
    if [ -n "$src" ] && [ "${len:-0}" -gt 0 ] 2>/dev/null && [ "$len" -le 4096 ]; then
        say "isr-ibft-dump: begin $src $(printf '0x%x' "$skip") $len"
        dd if="$src" bs=1 skip="$skip" count="$len" 2>/dev/null | od -An -tx1 -v | sed 's/^/isr-ibft-dump: /'
        say "isr-ibft-dump: end"
    else
        say "isr-ibft-dump: no iBFT found (source '${src:-none}', length '${len:-}')"
    fi
fi

# --- isr.rm_module=NAME[,NAME...]: remove these modules' files from the
# image before iscsistart runs, so that loading them fails (a kernel that
# lacks a CHAP hash, for the static build's crypto)
RM_MODULES=$(cmdline_get isr.rm_module) || RM_MODULES=
for m in $(echo "$RM_MODULES" | tr ',' ' '); do
    find /lib/modules -name "$m.ko*" -exec rm -f {} + && say "isr-init: removed module $m"
done

# --- optional preload (for initiators that do not load modules themselves) ---
if [ -s /etc/isr.preload ]; then
    say "ISR-P0 $(uptime_s)"
    while read -r m; do
        case $m in ''|'#'*) continue ;; esac
        load_mod "$m" || die "reason=preload-$m"
    done < /etc/isr.preload
    say "ISR-P1 $(uptime_s)"
fi

if [ "$IBFT" = 1 ]; then
    say "ISR-N0 $(uptime_s)"
    say "isr-init: iscsistart -N (network from the iBFT)"
    /sbin/iscsistart -N
    rc=$?
    [ $rc -eq 0 ] || die "rc=$rc step=-N"
    ip -o -4 addr show | grep -v ' lo ' | sed 's/^/isr-init: /'
fi

# --- iscsistart -------------------------------------------------------------
set --
if [ -f /etc/iscsistart.args ]; then
    while IFS= read -r a || [ -n "$a" ]; do
        # an empty file holds one empty line (printf '%s\n' with no words)
        [ $# -eq 0 ] && [ -z "$a" ] && continue
        set -- "$@" "$a"
    done < /etc/iscsistart.args
fi
if [ $# -eq 0 ]; then
    say "isr-init: running /sbin/iscsistart (no arguments)"
else
    say "isr-init: running /sbin/iscsistart $*"
fi

say "ISR-T0 $(uptime_s)"
/sbin/iscsistart "$@"
rc=$?
say "ISR-RC $rc"
say "isr-init: iscsistart returned at $(uptime_s)"
[ $rc -eq 0 ] || die "rc=$rc"

# --- the static build's crypto through the kernel (AF_ALG), if given ----------
# after iscsistart, so that a CHAP login had to load algif_hash itself
if [ -x /sbin/crypto_kat ]; then
    /sbin/crypto_kat || die "reason=crypto-kat"
fi

# --- isr.rerun=: iscsistart again, as initramfs scripts that call it more
# than once do; it must not log in a second time ------------------------------
RERUN=$(cmdline_get isr.rerun) || RERUN=
RERUN_DISKS=
for what in $(echo "$RERUN" | tr ',' ' '); do
    case $what in
        args) say "isr-init: running /sbin/iscsistart $* again"
              out=$(/sbin/iscsistart "$@") ;;
        cmdline) say "isr-init: running /sbin/iscsistart --from-cmdline"
                 out=$(/sbin/iscsistart --from-cmdline) ;;
        *) die "reason=bad-isr.rerun-$what" ;;
    esac
    rrc=$?
    out=$(echo $out)
    say "isr-rerun: $what rc=$rrc disks=$out"
    RERUN_DISKS="$RERUN_DISKS $out"
done
if [ -n "$RERUN" ]; then
    n=0
    for s in /sys/class/iscsi_session/session*; do [ -e "$s" ] && n=$((n + 1)); done
    say "isr-sessions: $n"
    [ "$n" = 1 ] || die "reason=sessions-$n"
fi

# --- wait for the iSCSI disk (bounded: 30 s, polling every 50 ms) ------------
DEV=
i=0
while [ $i -lt 600 ]; do
    for d in /sys/block/sd*; do
        [ -e "$d/size" ] || continue
        [ "$(cat "$d/size")" -gt 0 ] 2>/dev/null || continue
        case $(readlink -f "$d/device") in
            */session[0-9]*) ;;
            *) continue ;;
        esac
        [ -b "/dev/${d##*/}" ] || continue
        DEV=/dev/${d##*/}
        break 2
    done
    usleep 50000
    i=$((i + 1))
done
[ -n "$DEV" ] || die "reason=no-iscsi-disk-within-30s"
say "ISR-T1 $(uptime_s)"
say "isr-init: iSCSI disk $DEV ($(readlink -f /sys/block/${DEV#/dev/}/device))"
# what iscsistart left for the real root (after ISR-T1: not the binary's time)
for f in /run/iscsiroot/*.lease; do
    [ -f "$f" ] || continue
    while IFS= read -r l || [ -n "$l" ]; do
        say "isr-lease: $l"
    done < "$f"
done
if [ -f /run/iscsiroot/initiatorname.iscsi ]; then
    while IFS= read -r l || [ -n "$l" ]; do
        say "isr-initiator: $l"
    done < /run/iscsiroot/initiatorname.iscsi
fi
for d in $RERUN_DISKS; do
    [ "$d" = "$DEV" ] || die "reason=rerun-printed-$d-not-$DEV"
done
[ -n "$RERUN" ] && say "isr-rerun: every rerun printed $DEV"

mount -t ext4 -o ro "$DEV" /newroot || die "reason=mount-$DEV"
[ -x /newroot/sbin/init ] || die "reason=no-init-on-root"
for m in /dev /proc /sys /run; do
    mkdir -p "/newroot$m" 2>/dev/null
    mount --move "$m" "/newroot$m" 2>/dev/null || umount -l "$m" 2>/dev/null
done
exec switch_root /newroot /sbin/init
die "reason=switch_root"
