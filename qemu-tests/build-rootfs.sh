#!/bin/bash
# build-rootfs.sh OUT.img
#
# Builds the ext4 root filesystem exported by the iSCSI target, without
# mounting anything (mke2fs -d).  Contents: static busybox, open-iscsi's
# iscsid and iscsiadm when the host has them, and an /sbin/init that prints
# ISR-ROOT-MOUNTED-FROM-ISCSI, shows the / mount, runs the isr.root= action
# (see the init below) and powers off.
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
# The test root's init: print the markers (ISR-ROOT-UPTIME: seconds since
# the kernel started, for bench/), run the action isr.root= names
# on the kernel command line, power off.
#   (none)          only the markers
#   writeloop       append a numbered line and fsync it every 0.1 s for
#                   isr.writesecs= seconds (default 40), then read the file
#                   back (page cache dropped): ISR-WRITELOOP-OK, or
#                   ISR-WRITELOOP-FAILED <why>
#   multipath       the root on a dm-multipath map (mp-* scenarios): start
#                   systemd-udevd (new paths reach multipathd as its
#                   events) and multipathd (the initramfs's one is gone after
#                   switch_root; only multipathd reinstates a path that
#                   came back), run writeloop, counting only I/O errors
#                   above the paths (dm-*, the file system: a failed path's
#                   own "I/O error, dev sdX" is expected and dm resubmits
#                   its I/O on another path), wait up to isr.mp-settle=
#                   seconds (default 40) for every path to be active again,
#                   then print the state:
#                     isr-mp: paths=N active=M map=NAME  (dmsetup status of
#                       the map / is on; "paths=0 active=0 map=none" if / is
#                       no multipath map)
#                     isr-mp-watch: (every 5 s meanwhile: dmsetup status)
#                     isr-multipathd: (multipathd's messages)
#                     isr-mp-status: / isr-mp-table: / isr-mp-ll: /
#                       isr-mp-slaves: lines (dmsetup status, dmsetup table,
#                       multipath -ll, /sys/block/dm-*/slaves and each
#                       path's SCSI state)
#                   and ISR-MULTIPATH-OK (the writeloop passed, every path
#                   active) or ISR-MULTIPATH-FAILED <why>
#   iscsid          start open-iscsi's iscsid (copied in from the host),
#                   wait until the supervisor (@iscsistart) has exited,
#                   show `iscsiadm -m session -P 3`, then write and fsync a
#                   file through the session: ISR-ISCSID-OK, or
#                   ISR-ISCSID-FAILED <why>
#   lease           the DHCP lease kept after the boot (lease-* scenarios):
#                   run writeloop until isr.lease-past= seconds (default 30)
#                   after the end of the boot's lease (BOUNDAT + LEASETIME
#                   of the lease file as the root finds it: seconds of
#                   uptime, the clock the supervisor uses too), then
#                   print isr-lease-after: lines (/run/iscsiroot/*.lease),
#                   isr-lease-addr: (ip -4 addr of the lease's interface)
#                   and ISR-LEASE-OK (writeloop passed, the lease's IP
#                   still on its interface) or ISR-LEASE-FAILED <why>
# isr-supervisor: lines name the processes whose argv[0] starts with '@'.
# isr-netconf: FILE: LINE  each line of /run/net-*.conf;
# isr-root-sessions: N  the kernel's iSCSI sessions (/sys/class/iscsi_session)
# isr-open-iscsi-interface: IF  /run/initramfs/open-iscsi.interface, if any
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
[ -e /proc/mounts ] || mount -t proc proc /proc
[ -d /sys/class ] || mount -t sysfs sysfs /sys
echo "ISR-ROOT-MOUNTED-FROM-ISCSI"
echo "ISR-ROOT-UPTIME $(cut -d' ' -f1 /proc/uptime)"
echo "isr-root: / is: $(grep ' / ' /proc/mounts)"
# what the initramfs left for the real root's network tools: klibc
# ipconfig-format /run/net-IF.conf files (initramfs-tools) and the
# sessions in sysfs
for f in /run/net-*.conf; do
    [ -f "$f" ] && sed "s|^|isr-netconf: ${f#/run/}: |" "$f"
done
echo "isr-root-sessions: $(ls /sys/class/iscsi_session 2>/dev/null | wc -l)"
[ -f /run/initramfs/open-iscsi.interface ] && echo "isr-open-iscsi-interface: $(cat /run/initramfs/open-iscsi.interface)"

param() {
    for w in $(cat /proc/cmdline); do
        case $w in "$1"=*) echo "${w#*=}"; return ;; esac
    done
    echo "$2"
}
supervisors() {
    for p in /proc/[0-9]*; do
        c=$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)
        case $c in @*) printf '%s ' "pid ${p#/proc/}: $c" ;; esac
    done
}
uptime_s() { cut -d. -f1 /proc/uptime; }

# writeloop [mp]: see isr.root=writeloop; "mp" counts only the I/O errors
# above the paths (see isr.root=multipath); returns 0 if ISR-WRITELOOP-OK
writeloop() {
    mount -o remount,rw / || { echo "ISR-WRITELOOP-FAILED remount"; return 1; }
    secs=${ISR_WRITESECS:-$(param isr.writesecs 40)}
    f=/writeloop.txt
    : > $f
    t0=$(uptime_s)
    i=0
    while [ $(( $(uptime_s) - t0 )) -lt "$secs" ]; do
        i=$((i + 1))
        echo "line $i" >> $f || { echo "ISR-WRITELOOP-FAILED write of line $i"; return 1; }
        sync "$f" || { echo "ISR-WRITELOOP-FAILED fsync after line $i"; return 1; }
        [ $((i % 50)) -eq 0 ] && echo "isr-writeloop: $i lines at $(uptime_s) s"
        usleep 100000
    done
    sync
    echo 3 > /proc/sys/vm/drop_caches
    n=$(wc -l < $f)
    bad=$(awk '$0 != "line " NR { print NR; exit }' $f)
    if [ "${1:-}" = mp ]; then
        ioerr=$(dmesg | grep -i -E 'I/O error|blk_update_request|Buffer I/O|EXT4-fs (error|warning)|Aborting journal' |
                grep -c -v -E 'I/O error, dev sd[a-z]+,')
    else
        ioerr=$(dmesg | grep -c -i -E 'I/O error|blk_update_request|Buffer I/O')
    fi
    echo "isr-writeloop: wrote $i lines, read back $n, first bad line ${bad:-none}, I/O errors in the kernel log: $ioerr"
    dmesg | grep -E 'iscsistart|connection[0-9]+:0|multipath|I/O error' | tail -n 40 | sed 's/^/isr-dmesg: /'
    echo "isr-supervisor: $(supervisors)"
    if [ "$n" = "$i" ] && [ -z "$bad" ] && [ "$ioerr" = 0 ]; then
        echo "ISR-WRITELOOP-OK"
    else
        echo "ISR-WRITELOOP-FAILED lines $n/$i bad ${bad:-none} ioerr $ioerr"
        return 1
    fi
}

# root_majmin: MAJ:MIN of the device / is on (Linux's dev_t encoding)
root_majmin() {
    d=$(stat -c %d /)
    echo "$(( (d >> 8) & 0xfff )):$(( (d & 0xff) | ((d >> 12) & 0xfff00) ))"
}
# mp_root_map: the name of the dm map / is on, or nothing
mp_root_map() {
    dev=$(root_majmin)
    dmsetup ls 2>/dev/null | while read -r name mm; do
        [ "$mm" = "($dev)" ] && { echo "$name"; break; }
    done
}
# mp_count MAP: "PATHS ACTIVE" from its dmsetup status (each path is
# "MAJ:MIN A|F FAILCOUNT ...", multipath target status, kernel
# Documentation/admin-guide/device-mapper/dm-multipath)
mp_count() {
    dmsetup status "$1" 2>/dev/null | awk '$3 == "multipath" {
        for (i = 4; i < NF; i++) if ($i ~ /^[0-9]+:[0-9]+$/ && ($(i+1) == "A" || $(i+1) == "F")) { n++; if ($(i+1) == "A") a++ }
        } END { printf "%d %d\n", n, a }'
}
multipath_root() {
    mount -o remount,rw / || { echo "ISR-MULTIPATH-FAILED remount"; return; }
    mkdir -p /run/multipath /etc/multipath
    # udevd first: multipathd hears of new paths (a path that logs in
    # after switch_root) through its events
    if [ -x /lib/systemd/systemd-udevd ]; then
        /lib/systemd/systemd-udevd --daemon > /dev/null 2>&1 || echo "isr-mp: systemd-udevd failed to start"
    fi
    if [ -x /sbin/multipathd ]; then
        # in the foreground, its messages (-s: no timestamps) on the console
        # as they come (busybox sed has no -u: awk's fflush)
        /sbin/multipathd -d -s -v2 2>&1 | awk '{ print "isr-multipathd: " $0; fflush() }' > /dev/console &
    else
        echo "isr-mp: no multipathd in the root"
    fi
    map=$(mp_root_map)
    echo "isr-mp: / is on ${map:-no dm map} ($(root_majmin))"
    # the map's state every 5 s while the writes run (also when they hang)
    : > /run/isr-mp-watch
    while [ -e /run/isr-mp-watch ]; do
        echo "isr-mp-watch: $(uptime_s) s: $(dmsetup status "$map" 2>&1)"
        for d in /sys/block/sd*; do
            [ -e "$d/device/state" ] || continue
            h=$(readlink -f "$d/device" | sed -n 's,.*/\(session[0-9]*\)/.*,\1,p')
            echo "isr-mp-watch:   ${d##*/} $(cat "$d/device/state") inflight $(cat "$d/inflight" | tr -s ' ')" \
                "$h $(cat "/sys/class/iscsi_session/$h/state" 2>/dev/null)"
        done
        sleep 5
    done &
    wl=0
    writeloop mp || wl=1
    settle=$(param isr.mp-settle 40)
    t0=$(uptime_s)
    set -- 0 0
    while :; do
        [ -n "$map" ] && set -- $(mp_count "$map")
        [ "$1" -gt 0 ] && [ "$1" = "$2" ] && break
        [ $(( $(uptime_s) - t0 )) -ge "$settle" ] && break
        sleep 1
    done
    echo "isr-mp: paths=$1 active=$2 map=${map:-none} after $(( $(uptime_s) - t0 )) s of settling"
    rm -f /run/isr-mp-watch
    dmsetup status 2>&1 | sed 's/^/isr-mp-status: /'
    dmsetup table 2>&1 | sed 's/^/isr-mp-table: /'
    [ -x /sbin/multipath ] && /sbin/multipath -ll 2>&1 | sed 's/^/isr-mp-ll: /'
    for d in /sys/block/dm-*; do
        [ -d "$d/slaves" ] || continue
        for p in "$d"/slaves/*; do
            [ -e "$p" ] || continue
            echo "isr-mp-slaves: ${d##*/} ${p##*/} $(cat "/sys/block/${p##*/}/device/state" 2>/dev/null)"
        done
    done
    if [ "$wl" = 0 ] && [ "$1" -gt 0 ] && [ "$1" = "$2" ]; then
        echo "ISR-MULTIPATH-OK"
    else
        echo "ISR-MULTIPATH-FAILED writeloop=$([ $wl = 0 ] && echo ok || echo failed) paths=$1 active=$2"
    fi
}

iscsid_adopt() {
    mount -o remount,rw / || { echo "ISR-ISCSID-FAILED remount"; return; }
    [ -x /usr/sbin/iscsid ] || { echo "ISR-ISCSID-FAILED no iscsid in the root"; return; }
    mkdir -p /run/lock/iscsi /var/lib/iscsi /etc/iscsi
    echo "isr-supervisor: before iscsid: $(supervisors)"
    /usr/sbin/iscsid -f -d 1 > /dev/console 2>&1 &
    i=0
    while [ -n "$(supervisors)" ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
    echo "isr-supervisor: after ${i} s of iscsid: $(supervisors)"
    /usr/sbin/iscsiadm -m session -P 3 2>&1 | sed 's/^/isr-iscsiadm: /'
    echo adopted > /iscsid-adopted.txt && sync /iscsid-adopted.txt || { echo "ISR-ISCSID-FAILED write"; return; }
    if [ -z "$(supervisors)" ]; then
        echo "ISR-ISCSID-OK"
    else
        echo "ISR-ISCSID-FAILED the supervisor is still running"
    fi
}

lease_kept() {
    b=$(sed -n "s/^BOUNDAT='\(.*\)'$/\1/p" /run/iscsiroot/*.lease 2>/dev/null | head -n1)
    l=$(sed -n "s/^LEASETIME='\(.*\)'$/\1/p" /run/iscsiroot/*.lease 2>/dev/null | head -n1)
    [ -n "$b" ] && [ -n "$l" ] || { echo "ISR-LEASE-FAILED no BOUNDAT/LEASETIME in the lease file"; return; }
    until=$((b + l + $(param isr.lease-past 30)))
    secs=$((until - $(uptime_s)))
    [ "$secs" -gt 5 ] || secs=5
    echo "isr-lease-wait: writing until uptime $until s ($secs s)"
    wl=0
    ISR_WRITESECS=$secs
    writeloop || wl=1
    ISR_WRITESECS=
    for f in /run/iscsiroot/*.lease; do
        [ -f "$f" ] && sed "s|^|isr-lease-after: |" "$f"
    done
    ip_=$(sed -n "s/^IP='\(.*\)'$/\1/p" /run/iscsiroot/*.lease 2>/dev/null | head -n1)
    if_=$(sed -n "s/^INTERFACE='\(.*\)'$/\1/p" /run/iscsiroot/*.lease 2>/dev/null | head -n1)
    addrs=$(ip -4 addr show dev "$if_" 2>&1)
    printf '%s\n' "$addrs" | sed 's/^/isr-lease-addr: /'
    echo "isr-supervisor: at the end: $(supervisors)"
    if [ "$wl" != 0 ]; then
        echo "ISR-LEASE-FAILED writeloop"
    elif [ -z "$ip_" ] || ! printf '%s\n' "$addrs" | grep -q "inet $ip_/"; then
        echo "ISR-LEASE-FAILED address '$ip_' not on '$if_'"
    else
        echo "ISR-LEASE-OK $ip_ on $if_ at $(uptime_s) s"
    fi
}

echo "isr-supervisor: $(supervisors)"
case $(param isr.root none) in
    lease) lease_kept ;;
    writeloop) writeloop ;;
    multipath) multipath_root ;;
    iscsid) iscsid_adopt ;;
esac
sync
poweroff -f
sleep 60
INIT
chmod 755 "$DIR/sbin/init"
# open-iscsi's iscsid and iscsiadm with their libraries, for isr.root=iscsid
# (skipped when the host has no open-iscsi)
if [ -x /usr/sbin/iscsid ] && [ -x /usr/sbin/iscsiadm ]; then
    mkdir -p "$DIR/usr/sbin" "$DIR/etc/iscsi" "$DIR/lib64"
    cp /usr/sbin/iscsid /usr/sbin/iscsiadm "$DIR/usr/sbin/"
    cp /etc/iscsi/iscsid.conf "$DIR/etc/iscsi/" 2>/dev/null || : > "$DIR/etc/iscsi/iscsid.conf"
    echo "InitiatorName=iqn.2026-11.test.iscsiroot:initiator" > "$DIR/etc/iscsi/initiatorname.iscsi"
    # iscsid serves only users it can look up (getpwuid on its IPC peer)
    echo "root:x:0:0:root:/root:/bin/sh" > "$DIR/etc/passwd"
    echo "root:x:0:" > "$DIR/etc/group"
    for lib in $(ldd /usr/sbin/iscsid /usr/sbin/iscsiadm | awk '$3 ~ /^\// { print $3 } $1 ~ /^\/lib64\// { print $1 }' | sort -u); do
        mkdir -p "$DIR$(dirname "$lib")"
        cp -L "$lib" "$DIR$lib"
    done
fi
# multipath-tools (isr.root=multipath): multipath, multipathd, dmsetup,
# their libraries and plugins (checkers, prioritizers: dlopen()ed from
# /lib/multipath), and the mp-* images' multipath.conf (skipped when the
# host has no multipath-tools)
if [ -x /sbin/multipathd ] && [ -x /sbin/multipath ] && [ -x /sbin/dmsetup ]; then
    mkdir -p "$DIR/lib/multipath" "$DIR/etc/multipath" "$DIR/lib64"
    cp /sbin/multipath /sbin/multipathd /sbin/dmsetup "$DIR/sbin/"
    cp /lib/multipath/*.so "$DIR/lib/multipath/"
    cp "$(dirname "$0")/multipath.conf" "$DIR/etc/multipath.conf"
    # libgcc_s: glibc dlopen()s it for pthread_cancel (multipathd's threads)
    for lib in $( { ldd /sbin/multipath /sbin/multipathd /sbin/dmsetup /lib/multipath/*.so |
                    awk '$3 ~ /^\// { print $3 } $1 ~ /^\/lib64\// { print $1 }'
                    ls /lib/x86_64-linux-gnu/libgcc_s.so.1 2>/dev/null; } | sort -u); do
        mkdir -p "$DIR$(dirname "$lib")"
        cp -L "$lib" "$DIR$lib"
    done
fi
# systemd's udevd (isr.root=multipath): a path that logs in after
# switch_root reaches multipathd only as a udev event; with the rules that
# mark multipath paths and name disks (skipped without /bin/udevadm)
if [ -x /bin/udevadm ] && [ -x /sbin/multipathd ]; then
    mkdir -p "$DIR/lib/systemd" "$DIR/lib/udev/rules.d" "$DIR/etc/udev"
    cp /bin/udevadm "$DIR/bin/udevadm"
    ln -sf /bin/udevadm "$DIR/lib/systemd/systemd-udevd"
    cp /lib/udev/scsi_id "$DIR/lib/udev/"
    for r in 50-udev-default.rules 55-dm.rules 56-dm-mpath.rules 60-block.rules \
             60-multipath.rules 60-persistent-storage.rules 60-persistent-storage-dm.rules 95-dm-notify.rules; do
        [ -f "/lib/udev/rules.d/$r" ] && cp "/lib/udev/rules.d/$r" "$DIR/lib/udev/rules.d/"
    done
    for lib in $(ldd /bin/udevadm /lib/udev/scsi_id |
                 awk '$3 ~ /^\// { print $3 } $1 ~ /^\/lib64\// { print $1 }' | sort -u); do
        mkdir -p "$DIR$(dirname "$lib")"
        cp -L "$lib" "$DIR$lib"
    done
fi
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
