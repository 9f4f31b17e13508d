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
#   iscsid          start open-iscsi's iscsid (copied in from the host),
#                   wait until the supervisor (@iscsistart) has exited,
#                   show `iscsiadm -m session -P 3`, then write and fsync a
#                   file through the session: ISR-ISCSID-OK, or
#                   ISR-ISCSID-FAILED <why>
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

writeloop() {
    mount -o remount,rw / || { echo "ISR-WRITELOOP-FAILED remount"; return; }
    secs=$(param isr.writesecs 40)
    f=/writeloop.txt
    : > $f
    t0=$(uptime_s)
    i=0
    while [ $(( $(uptime_s) - t0 )) -lt "$secs" ]; do
        i=$((i + 1))
        echo "line $i" >> $f || { echo "ISR-WRITELOOP-FAILED write of line $i"; return; }
        sync "$f" || { echo "ISR-WRITELOOP-FAILED fsync after line $i"; return; }
        [ $((i % 50)) -eq 0 ] && echo "isr-writeloop: $i lines at $(uptime_s) s"
        usleep 100000
    done
    sync
    echo 3 > /proc/sys/vm/drop_caches
    n=$(wc -l < $f)
    bad=$(awk '$0 != "line " NR { print NR; exit }' $f)
    ioerr=$(dmesg | grep -c -i -E 'I/O error|blk_update_request|Buffer I/O')
    echo "isr-writeloop: wrote $i lines, read back $n, first bad line ${bad:-none}, I/O errors in the kernel log: $ioerr"
    dmesg | grep -E 'iscsistart|connection[0-9]+:0' | tail -n 20 | sed 's/^/isr-dmesg: /'
    echo "isr-supervisor: $(supervisors)"
    if [ "$n" = "$i" ] && [ -z "$bad" ] && [ "$ioerr" = 0 ]; then
        echo "ISR-WRITELOOP-OK"
    else
        echo "ISR-WRITELOOP-FAILED lines $n/$i bad ${bad:-none} ioerr $ioerr"
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

echo "isr-supervisor: $(supervisors)"
case $(param isr.root none) in
    writeloop) writeloop ;;
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
