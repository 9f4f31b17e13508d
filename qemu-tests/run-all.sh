#!/bin/bash
# run-all.sh [--binary PATH] [--jobs N] [--only REGEX] [--vlan-tagger PATH]
#
# Runs every QEMU iSCSI-root boot scenario through run-boot.sh and prints
# "N passed, M failed" as the last line; exits non-zero if any failed.
#   --binary PATH   iscsistart to test (default ../iscsistart/iscsistart);
#                   Debian's /usr/sbin/iscsistart gets --preload (it loads no
#                   modules itself), any other binary gets --no-preload
#   --jobs N        boots run in parallel (default 1; >1 skews login times);
#                   the scenarios of SERIAL (below: bounds on how long a
#                   recovery or a boot may take) always run alone
#   --only REGEX    run only scenarios whose name matches REGEX
#   --crypto-kat PATH  crypto_kat (make static) for the guest to run after
#                   iscsistart in every scenario booting the harness's own
#                   initramfs; each must print "crypto-kat: N passed, 0 failed"
#   --vlan-tagger PATH  vlan_tagger for cmdline-vlan (default
#                   ../build/tests/vlan_tagger; `make boot-tests` builds it)
# The cmdline-* scenarios boot with no iscsistart arguments: the binary takes
# everything from the kernel command line.  Debian's iscsistart has no such
# mode, so they are skipped (and not counted) for /usr/sbin/iscsistart.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BINARY=$HERE/../iscsistart/iscsistart
JOBS=1
ONLY=
VLAN_TAGGER=$HERE/../build/tests/vlan_tagger
CRYPTO_KAT=

while [ $# -gt 0 ]; do
    case $1 in
        --binary) BINARY=$2; shift ;;
        --jobs) JOBS=$2; shift ;;
        --only) ONLY=$2; shift ;;
        --vlan-tagger) VLAN_TAGGER=$2; shift ;;
        --crypto-kat) CRYPTO_KAT=$(realpath "$2"); shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
        *) echo "run-all: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -x "$BINARY" ] || { echo "run-all: no executable $BINARY (build it first)" >&2; echo "0 passed, 1 failed"; exit 1; }
BINARY=$(realpath "$BINARY")
case $BINARY in
    /usr/sbin/iscsistart|/sbin/iscsistart) PRELOAD=--preload; OURS=0 ;;
    *) PRELOAD=--no-preload; OURS=1 ;;
esac
# the static build hashes CHAP with the kernel's crypto API
KERNEL_CRYPTO=0
"$BINARY" --version 2>/dev/null | grep -q '^crypto: kernel' && KERNEL_CRYPTO=1

CHAP=isrinit:InitSecret-1234
MUTUAL=isrtarget:TargetSecret-5678
# the names run-boot.sh's target and default arguments use
TARGET_IQN=iqn.2026-11.test.iscsiroot:root
INITIATOR_IQN=iqn.2026-11.test.iscsiroot:initiator
DHCP_INITIATOR_IQN=iqn.2026-11.test.iscsiroot:from-dhcp   # run-boot.sh's option 203
DOWN_IQN=iqn.2026-11.test.iscsiroot:down
STATIC_IP=10.77.0.2::10.77.0.1:255.255.255.0
# the initramfs scenarios' usual command lines: a static address and the
# root target, or a target name the target does not have
STATIC_ROOT="ip=$STATIC_IP::eth0:off netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN root=LABEL=isr-root"
WRONG_ROOT="ip=$STATIC_IP::eth0:off netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN.wrong rd.iscsi.initiator=$INITIATOR_IQN root=LABEL=isr-root"
re_escape() { printf '%s' "$1" | sed 's/[].[^$*+?(){}|\\]/\\&/g'; }

SCENARIOS="noauth chap-oneway chap-mutual chap-missing-hash chap-wrong-password target-delayed-20s
           ibft-dhcp ibft-mutual-chap ibft-static"
# ours_only NAMES...: scenarios that need our binary's kernel-command-line
# mode; with another binary they are skipped, saying so
ours_only() {
    local name
    for name in "$@"; do
        if [ "$OURS" = 1 ]; then
            SCENARIOS+=" $name"
        elif [ -z "$ONLY" ] || [[ $name =~ $ONLY ]]; then
            echo "run-all: skipping $name: $BINARY has no kernel-command-line mode" >&2
        fi
    done
}
# kernel-command-line scenarios: /sbin/iscsistart runs with no arguments
CMDLINE_SCENARIOS="cmdline-dhcp cmdline-static cmdline-vlan cmdline-ipv6
           cmdline-two-targets cmdline-debian-chap cmdline-ibft paths-first-down paths-two-addresses
           discovery-cmdline ibft-two-paths"
ours_only $CMDLINE_SCENARIOS
# a second login to the same target (initramfs scripts that run
# iscsistart again): no second session, exit 15 and the disk printed; our
# binary only (Debian's exits 1 there, and has no --from-cmdline)
RERUN_SCENARIOS="second-login second-login-ibft second-login-dhcp"
ours_only $RERUN_SCENARIOS
# reliability: the session supervisor (--supervise) after the boot, and a
# target that is down for the first minute of the boot; our binary only
SUPERVISE_SCENARIOS="supervise-target-restart supervise-gives-up supervise-iscsid-adopts target-down-60s"
ours_only $SUPERVISE_SCENARIOS
# dracut scenarios: a real dracut image (build-dracut-image.sh: non-systemd
# init, modules bash + iscsiroot, --omit iscsi) whose /sbin/iscsiroot runs the
# binary with --from-cmdline; our binary only, like the cmdline-* ones
DRACUT_SCENARIOS="dracut-static dracut-rerun dracut-root-iscsi dracut-dhcp dracut-ibft dracut-wrong-target
           dracut-sd-static dracut-sd-root-iscsi dracut-sd-wrong-target
           dracut-sd-ifnames dracut-sd-ifnames0"
DRACUT_IMG=$HERE/work/dracut/iscsiroot.img
# dracut-sd-*: the same module in an image with systemd as init
DRACUT_SD_IMG=$HERE/work/dracut/iscsiroot-systemd.img
# dracut-sd-ifnames*: that image plus a naming policy (99-default.link), so
# udev renames the NIC (ens2) before iscsistart runs
DRACUT_SDN_IMG=$HERE/work/dracut/iscsiroot-systemd-ifnames.img
# rd.shell=0 rd.retry=N: a failed login ends in dracut's emergency path
# (no shell) after ~N s, so a failing boot stops well within --timeout
DRACUT_ARGS="rd.shell=0 rd.retry=30"
ours_only $DRACUT_SCENARIOS
# multipath roots (issue 17): run-boot.sh --paths 2 (portals 10.77.0.1 =
# path A on eth0, 10.78.0.1 = path B on eth1, one target and LUN), a dracut
# image with dracut's multipath module (build-dracut-image.sh mp), the root
# on the map (multipath.conf's alias isr-root) and isr.root=multipath;
# our binary only
MP_SCENARIOS="mp-dracut-cut mp-dracut-cut-long mp-dracut-first-down mp-dracut-root-iscsi"
DRACUT_MP_IMG=$HERE/work/dracut/iscsiroot-mp.img
MP_IP="ip=10.77.0.2:::255.255.255.0::eth0:off ip=10.78.0.2:::255.255.255.0::eth1:off"
MP_NETROOT="netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN netroot=iscsi:10.78.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN"
# the same with the NETDEV fields: each path bound to its NIC
MP_NETROOT_NETDEV="netroot=iscsi:10.77.0.1::3260::eth0:1:$TARGET_IQN netroot=iscsi:10.78.0.1::3260::eth1:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN"
# a path's outage must fail its I/O over: NOP-Outs every 2 s notice the
# silence (2 s to answer), and replacement_timeout=5 fails the session's
# queued I/O back to dm-multipath 5 s later (open-iscsi's advice for
# multipath is a short replacement_timeout; the default here is a day,
# which would hold the I/O on the dead path instead)
MP_TIMEO="rd.iscsi.param=node.session.timeo.replacement_timeout=5 rd.iscsi.param=node.conn[0].timeo.noop_out_interval=2 rd.iscsi.param=node.conn[0].timeo.noop_out_timeout=2"
# the end state every mp-* boot must reach: the writeloop's lines back in
# order with no I/O error above the paths, both paths of the map active
# (MP_BASE_CHECKS: what the mp-initcpio*/mp-itools* boots check too)
MP_BASE_CHECKS=(--expect-log '^isr-mp: paths=2 active=2 map=[^ ]+ '
                --expect-log '^ISR-MULTIPATH-OK$'
                --forbid-log 'Buffer I/O error|EXT4-fs (error|warning)|I/O error, dev dm-')
MP_CHECKS=("${MP_BASE_CHECKS[@]}"
           --expect-log '^ISR-WRITELOOP-OK$'
           --expect-log '^isr-mp: paths=2 active=2 map=isr-root '
           --expect-log '^isr-supervisor: pid [0-9]+: @iscsistart --supervise '
           --forbid-log '^isr-initrd-by-(label|uuid): .* -> /dev/sd')
ours_only $MP_SCENARIOS
# initcpio scenarios: an image built from initcpio/{install,hooks}/iscsiroot
# by build-initcpio-image.sh (mkinitcpio's hook API, implemented there since
# mkinitcpio is not packaged for Debian); our binary only
INITCPIO_SCENARIOS="initcpio-static initcpio-dhcp initcpio-ibft initcpio-wrong-target
           initcpio-conf-chap initcpio-sd-static initcpio-sd-dhcp"
INITCPIO_IMG=$HERE/work/initcpio/iscsiroot.cpio.gz
# initcpio-conf-*: an image with an /etc/iscsiroot.conf naming the target
# and the CHAP account, so the kernel command line needs neither
INITCPIO_CONF_IMG=$HERE/work/initcpio/iscsiroot-conf.cpio.gz
INITCPIO_CONF=$HERE/work/initcpio/iscsiroot.conf
# initcpio-sd-*: sd-iscsiroot's unit under systemd (see below)
INITCPIO_SD_IMG=$HERE/work/initcpio/sd-iscsiroot.img
ours_only $INITCPIO_SCENARIOS
# initramfs-tools scenarios: images made by Debian's own mkinitramfs
# (build-initramfs-tools-image.sh) with ../initramfs-tools; itools-oi-*
# also have open-iscsi's hook and boot script as Debian installs them, with
# our binary in place of theirs. udev renames the NIC (ens2), so ip=
# names no device. panic=5: initramfs-tools' panic() reboots (QEMU ends)
# instead of waiting in its rescue shell.
ITOOLS_SCENARIOS="itools-static itools-dhcp itools-debian-chap itools-ibft itools-wrong-target itools-wrong-target-shell
           itools-oi-static itools-oi-conf itools-oi-ibft"
ITOOLS_IMG=$HERE/work/itools/iscsiroot.img
ITOOLS_OI_IMG=$HERE/work/itools/open-iscsi.img
# itools-oi-conf: open-iscsi's /etc/iscsi/iscsi.initramfs names the target
ITOOLS_OI_CONF_IMG=$HERE/work/itools/open-iscsi-conf.img
ITOOLS_OI_CONF=$HERE/work/itools/iscsi.initramfs
ITOOLS_IP="ip=$STATIC_IP:::off"
ITOOLS_DEBIAN="iscsi_initiator=$INITIATOR_IQN iscsi_target_name=$TARGET_IQN iscsi_target_ip=10.77.0.1 iscsi_target_port=3260"
# after switch_root: the ipconfig-format file, one session, the root
ITOOLS_ROOT_LOGS=(--expect-log "^isr-netconf: net-en[a-z0-9]+\.conf: IPV4ADDR='10\.77\.0\.[0-9]+'\$"
                  --expect-log "^isr-root-sessions: 1\$"
                  --expect-log "^isr-root: / is: /dev/sd[a-z]+ / ext4 ")
ours_only $ITOOLS_SCENARIOS
# multipath roots from mkinitcpio and initramfs-tools images (issue 17):
# run-boot.sh --paths 2 (path A: 10.77.0.1 on the first NIC, path B:
# 10.78.0.1 on the second; one target, one LUN), the root on the map,
# isr.root=multipath (the test root starts multipathd, writes, prints the
# map's paths). mp-initcpio*: HOOKS=(base udev autodetect iscsiroot
# multipath filesystems); mp-itools*: Debian's multipath-tools-boot with our
# hook and script; both with ./multipath.conf. Our binary only.
MPG_SCENARIOS="mp-initcpio mp-initcpio-noroot mp-itools mp-itools-noroot mp-initcpio-cut"
MPG_INITCPIO_IMG=$HERE/work/initcpio/iscsiroot-multipath.cpio.gz
MPG_ITOOLS_IMG=$HERE/work/itools/iscsiroot-multipath.img
MPG_NETROOT=$MP_NETROOT
# the runner's image keeps the kernel's names; initramfs-tools' udev
# renames the NICs by slot
MPG_INITCPIO_IP="ip=10.77.0.2::10.77.0.1:255.255.255.0::eth0:off ip=10.78.0.2:::255.255.255.0::eth1:off"
MPG_ITOOLS_IP="ip=10.77.0.2::10.77.0.1:255.255.255.0::ens2:off ip=10.78.0.2:::255.255.255.0::ens3:off"
MPG_TIMEO=$MP_TIMEO
# every mp-initcpio*/mp-itools* boot: the root is mounted from the map,
# / is on that dm device, both paths active, the writes came back whole
MPG_CHECKS=("${MP_BASE_CHECKS[@]}"
            --expect-log '^isr-root: / is: /dev/mapper/[^ ]+ / ext4 '
            --expect-log '^isr-mp: / is on [^ ]+ \([0-9]+:[0-9]+\)$'
            --forbid-log '^isr-mp: / is on no dm map')
ours_only $MPG_SCENARIOS
# iPXE scenarios (../ipxe-scripts): iPXE runs a shipped script; sanboot-*
# boot the whole iSCSI disk (syslinux, kernel and the initcpio image on
# partition 1, root on partition 2), whose initramfs logs in again from
# the iBFT iPXE wrote; ipxe-* start iPXE from mkimage.sh's USB/CD images
IPXE_SCENARIOS="sanboot-static sanboot-dhcp sanboot-chap sanboot-mutual sanboot-wrong-password
           sanboot-uefi-chap sanboot-uefi-mutual sanboot-uefi-wrong-password
           ipxe-usb-sanboot ipxe-usb-sanhook ipxe-iso-sanhook ipxe-usb-sanhook-tftp
           ipxe-menu-fallback ipxe-menu-no-fallback ipxe-menu-installer"
ours_only $IPXE_SCENARIOS
# the supervisor keeps the boot's DHCP lease past its end (2-minute leases)
LEASE_SCENARIOS="lease-renew lease-lost"
ours_only $LEASE_SCENARIOS
SCRIPTS=$HERE/../ipxe-scripts
# the disk's kernel arguments: the root is partition 2, found by label
DISK_ARGS="rd.iscsi.firmware=1 root=LABEL=isr-root"
# every stage: iPXE's SAN boot, syslinux from the iSCSI disk, the kernel's
# iBFT read by iscsistart, the login, the root on partition 2
# (SeaBIOS mirrors the screen to the serial port with cursor moves, which
# can split a line: checks match a line's start where that happens)
SAN_BOOTED=(--expect-log "^Booting from SAN device 0x80"
            --expect-log "iscsistart: .* logged in \(TSIH"
            --expect-log "^isr-root: / is: /dev/sd[a-z]2 / ext4 ")
SANBOOT_LOGS=("${SAN_BOOTED[@]}"
              --expect-log "^isr-disk: syslinux on the iSCSI disk"
              --expect-log "iBFT read from /sys/firmware/ibft/: 1 NIC\(s\), 1 target\(s\)"
              --expect-log "iBFT target [0-9]+: $(re_escape "$TARGET_IQN")")
# UEFI (OVMF, ipxe.efi): systemd-boot on the disk, the iBFT as an ACPI table
UEFI_LOGS=("${SAN_BOOTED[@]}"
           --expect-log "^EFI stub: Loaded initrd from"
           --expect-log "iBFT read from /sys/firmware/acpi/tables/iBFT: 1 NIC\(s\), 1 target\(s\)")
# sanhook-kernel.ipxe / menu installer with the harness's initramfs: the
# script's lines, iPXE's sanhook, the iBFT the kernel exposes, -N's address,
# the login and the root
SANHOOK_LOGS=(--expect-log "^iscsiroot: sanhook-kernel\.ipxe\$"
              --expect-log "^iscsiroot: sanhook iscsi:10\.77\.0\.1:::1:$(re_escape "$TARGET_IQN")\$"
              --expect-log "^Registered SAN device 0x80"
              --expect-log "iBFT read from /sys/firmware/ibft/: 1 NIC\(s\), 1 target\(s\)"
              --expect-log "^isr-init: 2: eth0 +inet 10\.77\.0\.2/24 "
              --expect-log "iBFT target 0: $(re_escape "$TARGET_IQN") at 10\.77\.0\.1:3260"
              --expect-log "iscsistart: \[ *[0-9]+ ms\] logged in \(TSIH"
              --expect-log "^isr-root: / is: /dev/sd[a-z] / ext4 ")
# iPXE's last "ok" may lose its "k": the kernel starts before iPXE's
# serial output is flushed (seen in ipxe-iso-sanhook and ipxe-usb-sanhook-tftp,
# which then booted: the console shows "... o" and the kernel's ESC c)
SANHOOK_HTTP_LOGS=(--expect-log "^iscsiroot: kernel http://10\.77\.0\.1:8080/vmlinuz\$"
                   --expect-log "^http://10\.77\.0\.1:8080/vmlinuz\.\.\. ok"
                   --expect-log "^http://10\.77\.0\.1:8080/initrd\.gz\.\.\. o")
# menu.ipxe's default entry on the whole disk; root-path names no target
MENU_OPTS=(--sanboot "$SCRIPTS/menu.ipxe" --initrd "$INITCPIO_IMG" --cmdline "$DISK_ARGS" --timeout 150
           --ipxe-set "root-path=iscsi:10.77.0.1:::1:$DOWN_IQN"
           --ipxe-set retries=2 --ipxe-set retry-delay=1 --ipxe-set menu-timeout=1000
           --expect-log "^iscsiroot: menu\.ipxe\$" --expect-log "iscsiroot: menu entry: primary\$"
           --expect-log "^iscsiroot: try 1 of 2 \(root-path\)\$"
           --expect-log "^iscsiroot: try 2 of 2 \(root-path\)\$"
           --expect-log "^iscsiroot: failed: sanboot iscsi:10\.77\.0\.1:::1:$(re_escape "$DOWN_IQN")\$")
# second-login*: what every rerun must show (the init's isr.rerun= lines)
RERUN_LOGS=(--expect-log "^isr-rerun: args rc=15 disks=/dev/sd[a-z]+\$"
            --expect-log "session [0-9]+ to $(re_escape "$TARGET_IQN") at 10\.77\.0\.1:3260 already exists \(logged in\); not logging in again"
            --expect-log "iscsistart: \[ *[0-9]+ ms\] error: .*initiator reported error \(15 - session exists\)"
            --expect-log "^isr-sessions: 1\$"
            --expect-log "^isr-rerun: every rerun printed /dev/sd[a-z]+\$"
            --expect-log "^isr-root: / is: /dev/sd[a-z] / ext4 ")
# lease-*: a DHCP boot with --supervise, 2-minute leases, the root's
# isr.root=lease action (ISR-LEASE-OK: the writes went through and the
# address is still on eth0)
LEASE_OPTS=(--cmdline "ip=dhcp netroot=dhcp BOOTIF=01-52-54-00-12-34-56" --dhcp-root-path --dhcp-lease 120
            --args "--supervise" --timeout 420
            --expect-log "^isr-supervisor: pid [0-9]+: @iscsistart --supervise "
            --expect-log "eth0: keeping the DHCP lease for 10\.77\.0\.[0-9]+ from 10\.77\.0\.1 \(120 s, T1 [0-9]+ s, T2 [0-9]+ s\)"
            --expect-log "^isr-lease-after: METHOD='dhcp'\$"
            --expect-log "^ISR-LEASE-OK 10\.77\.0\.[0-9]+ on eth0 ")
# systemd roots (issue 18): build-systemd-root.sh's Debian 12 root (systemd,
# networkd with a catch-all DHCP=yes .network, NetworkManager's default,
# open-iscsi) booted from the dracut image; systemd.mask= picks the network
# manager, isr-test.service (systemd.wants=) checks that the boot NIC keeps
# its address and the session stays LOGGED_IN once the manager runs, then
# reboots or powers off; the shutdown must end within SD_SHUTDOWN s of its
# ISR-SHUTDOWN-START line, and isr-last-write.service's ExecStop (stopped
# after the network manager and open-iscsi) must reach the disk.
# net.ifnames=0: the root's udev would rename the (up) NIC, fail, and leave
# the link uninitialised, so networkd would never configure it.
SD_SCENARIOS="sd-networkd-reboot sd-nm-poweroff sd-open-iscsi-reboot"
SD_SHUTDOWN=60
SD_COMMON="rd.shell=0 rd.retry=30 net.ifnames=0 systemd.wants=isr-test.service"
SD_NO_ISCSID="systemd.mask=open-iscsi.service systemd.mask=iscsid.service systemd.mask=iscsid.socket"
SD_LAST_WRITE=/var/lib/isr/last-write.txt
ours_only $SD_SCENARIOS
scenario_opts() {  # sets OPTS for scenario $1
    case $1 in
        noauth) OPTS=(--timeout 120) ;;
        chap-oneway) OPTS=(--chap "$CHAP" --timeout 120) ;;
        # SHA-256 offered after MD5 (tgt takes MD5; see loopback-login.sh):
        # the crypto backend must have both, or a "not offered" line shows
        chap-mutual) OPTS=(--chap "$CHAP" --mutual "$MUTUAL" --timeout 120
                           --args "-P node.session.auth.chap_algs=MD5,SHA256" --forbid-log "not offered") ;;
        # SHA3-256 offered first, but its module is gone from the image: the
        # static build (kernel crypto) says so in one line and offers MD5
        # alone; OpenSSL has SHA3-256 and offers both (tgt takes MD5)
        chap-missing-hash)
            OPTS=(--chap "$CHAP" --timeout 120 --kernel-args "isr.rm_module=sha3_generic"
                  --args "-P node.session.auth.chap_algs=SHA3-256,MD5" --expect-log "logged in \(TSIH")
            if [ "$KERNEL_CRYPTO" = 1 ]; then
                NO_KAT=1   # crypto_kat would miss SHA3-256 too
                OPTS+=(--expect-log "warning: CHAP: SHA3-256: the kernel crypto API has no sha3-256 \(module sha3_generic, alias crypto-sha3-256\): .*; not offered\$")
                OPTS+=(--forbid-log "error: modules:")   # the loader's reason is in that line
            else
                OPTS+=(--forbid-log "not offered")
            fi ;;
        chap-wrong-password)
            OPTS=(--chap "$CHAP" --args "-w WrongSecret-0000" --expect fail:24 --timeout 120) ;;
        target-delayed-20s) OPTS=(--target-delay 20 --timeout 150) ;;
        # the target comes up 60 s after QEMU starts: iscsistart's login
        # retries (30 attempts, backoff up to 4 s) outlast it
        target-down-60s)
            OPTS=(--target-delay 60 --timeout 180
                  --expect-log "attempt [0-9]+/30 failed: connect: 10\.77\.0\.1:3260: Connection refused; retrying"
                  --expect-log "^isr-root: / is: /dev/sd[a-z] / ext4 ") ;;
        # tgtd is killed 10 s after the root is mounted and restarted 2 s
        # later, while the root's init appends and fsyncs a line every
        # 0.1 s for 30 s: the supervisor (the process whose argv[0] starts
        # with '@', still running after switch_root) logs in again and the
        # file comes back complete with no I/O error in the kernel log
        supervise-target-restart)
            OPTS=(--args "--supervise" --kernel-args "isr.root=writeloop isr.writesecs=30"
                  --restart-target-after 10 --timeout 200
                  --expect-log "^isr-supervisor: pid [0-9]+: @iscsistart --supervise "
                  --expect-log "session 1: connection lost \(TCP_CONN_CLOSE, 1020\)"
                  --expect-log "^ISR-WRITELOOP-OK\$") ;;
        # the target stays down 40 s, longer than replacement_timeout (15 s
        # here): the supervisor gives up after 15 s and the kernel fails the
        # queued writes, which the root sees as an fsync error: bounded
        # time, no endless retrying. The time it prints (whole seconds,
        # rounded down) must be at least the timeout and less than the
        # timeout + 4 s: the last retry sleeps only until the limit, then
        # one refused connect; 4 s leaves room for a TCG guest on a loaded
        # 2-core host and still fails a supervisor that waits out one more
        # login_timeout (15 s) or does not stop at the limit
        supervise-gives-up)
            local repl=15 slack=4
            OPTS=(--args "--supervise -P node.session.timeo.replacement_timeout=$repl"
                  --kernel-args "isr.root=writeloop isr.writesecs=60"
                  --restart-target-after 8 --target-outage 40 --timeout 200
                  --expect-log "session 1: connection lost \(TCP_CONN_CLOSE, 1020\)"
                  --expect-log "session 1: not back after ($(seq -s '|' "$repl" $((repl + slack - 1)))) s \(replacement_timeout\): .*Connection refused.*; still trying every 5 s"
                  --expect-log "^ISR-WRITELOOP-FAILED (fsync|write)") ;;
        # Debian's iscsid, started in the root, syncs the boot session
        # (stops it and logs in again itself); the supervisor sees the
        # kernel's connection on another port and exits
        supervise-iscsid-adopts)
            OPTS=(--args "--supervise" --kernel-args "isr.root=iscsid" --timeout 200
                  --expect-log "^isr-supervisor: before iscsid: pid [0-9]+: @iscsistart --supervise "
                  --expect-log "session 1: iscsid took the session over; no longer supervising it"
                  --expect-log "^isr-iscsiadm: .*iSCSI Session State: LOGGED_IN"
                  --expect-log "^isr-iscsiadm: .*Internal iscsid Session State: NO CHANGE"
                  --expect-log "^ISR-ISCSID-OK\$") ;;
        # iPXE sanhook writes the iBFT; the init runs iscsistart -N and -b
        ibft-dhcp) OPTS=(--ipxe dhcp --timeout 150) ;;
        ibft-mutual-chap) OPTS=(--ipxe dhcp --chap "$CHAP" --mutual "$MUTUAL" --timeout 150) ;;
        ibft-static) OPTS=(--ipxe static --timeout 150) ;;
        # the init (isr.rerun=) runs iscsistart with the same -i/-t/-g/-a
        # twice more, then --from-cmdline with the same target on this
        # command line (and eth0's address, already set, in ip=): one
        # session, each rerun exit 15 with the boot's disk, the root mounted
        second-login)
            OPTS=(--timeout 150
                  --kernel-args "isr.rerun=args,args,cmdline ip=$STATIC_IP::eth0:off netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN"
                  "${RERUN_LOGS[@]}"
                  --expect-log "^isr-rerun: cmdline rc=15 disks=/dev/sd[a-z]+\$"
                  --expect-log "target $(re_escape "$TARGET_IQN"): initiator reported error \(15 - session exists\)") ;;
        # -b again after iPXE's iBFT boot (the init's args are -b)
        second-login-ibft)
            OPTS=(--ipxe static --timeout 150 --kernel-args "isr.rerun=args" "${RERUN_LOGS[@]}"
                  --expect-log "iBFT target 0: initiator reported error \(15 - session exists\)") ;;
        # --from-cmdline with ip=dhcp twice: the rerun asks DHCP again
        # (the same lease) and does not log in again
        second-login-dhcp)
            OPTS=(--cmdline "ip=dhcp netroot=dhcp BOOTIF=01-52-54-00-12-34-56" --dhcp-root-path --timeout 150
                  --kernel-args "isr.rerun=args" "${RERUN_LOGS[@]}"
                  --expect-log "^isr-lease: IP='10\.77\.0\.([5-9][0-9])'\$") ;;
        # DHCP names the target (option 17) and the initiator (option 203);
        # the target admits only the option-203 name
        cmdline-dhcp)
            OPTS=(--cmdline "ip=dhcp netroot=dhcp BOOTIF=01-52-54-00-12-34-56" --dhcp-root-path --timeout 150
                  --expect-log "^isr-lease: ROOTPATH='iscsi:10\.77\.0\.1:::1:$(re_escape "$TARGET_IQN")'\$"
                  --expect-log "^isr-lease: INITIATOR='$(re_escape "$DHCP_INITIATOR_IQN")'\$"
                  --expect-log "^isr-lease: IP='10\.77\.0\.([5-9][0-9])'\$"
                  --expect-log "^isr-initiator: InitiatorName=$(re_escape "$DHCP_INITIATOR_IQN")\$") ;;
        cmdline-static)
            OPTS=(--cmdline "ip=$STATIC_IP:isrguest:eth0:off:1400:52:54:00:12:34:99 rd.route=10.99.0.0/16:10.77.0.1 nameserver=10.77.0.53 netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN"
                  --timeout 120
                  --expect-log "eth0: MTU 1400, MAC 52:54:00:12:34:99"
                  --expect-log "eth0: route 10\.99\.0\.0/16 via 10\.77\.0\.1"
                  --expect-log "resolv\.conf: nameserver 10\.77\.0\.53"
                  --expect-log "^isr-lease: IP='10\.77\.0\.2'\$"
                  --expect-log "^isr-lease: INTERFACE='eth0'\$"
                  --expect-log "^isr-initiator: InitiatorName=$(re_escape "$INITIATOR_IQN")\$") ;;
        # the NIC reaches the target only with 802.1Q tag 100 (8021q loaded
        # by iscsistart through libkmod)
        cmdline-vlan)
            OPTS=(--vlan 100 --vlan-tagger "$VLAN_TAGGER"
                  --cmdline "vlan=eth0.100:eth0 ip=$STATIC_IP::eth0.100:off netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN"
                  --timeout 150
                  --expect-log "^isr-lease: INTERFACE='eth0\.100'\$") ;;
        cmdline-ipv6)
            OPTS=(--ipv6 --cmdline "ip=[fd00:77::2]:::64::eth0:none netroot=iscsi:[fd00:77::1]::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN"
                  --timeout 120
                  --expect-log "^isr-lease: IP='fd00:77::2'\$") ;;
        # the first target has no listener (port 3261): it fails, the second logs in
        cmdline-two-targets)
            OPTS=(--cmdline "ifname=boot0:52:54:00:12:34:56 ip=$STATIC_IP::boot0:off netroot=iscsi:10.77.0.1::3261:1:$DOWN_IQN netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN rd.iscsi.login_retry_max=2"
                  --timeout 150
                  --expect-log "^isr-lease: INTERFACE='boot0'\$"
                  --expect-log "(error|fail).*$(re_escape "$DOWN_IQN")|$(re_escape "$DOWN_IQN").*(error|fail|refused|unreachable)") ;;
        # two paths to the root target, the first to a portal nobody
        # answers (10.77.0.99: no ARP reply): logged in at the same time,
        # the boot goes on through the second at once. One after the other
        # the first path's 30 attempts (3 s each, backoff between) would
        # take minutes: the 60 s limit fails that
        paths-first-down)
            OPTS=(--cmdline "ip=$STATIC_IP::eth0:off netroot=iscsi:10.77.0.99::3260:1:$TARGET_IQN netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN"
                  --timeout 60
                  --expect-log "multipath: 2 paths share a target and LUN: replacement_timeout 15 s"
                  --expect-log "target $(re_escape "$TARGET_IQN"): still logging in; the boot goes on through the other path"
                  --expect-log "10\.77\.0\.1:3260: disk ready: /dev/sd") ;;
        # a root path without a target name: SendTargets discovery at the
        # portal, then a login to what it found (CHAP for both)
        discovery-cmdline)
            OPTS=(--chap "$CHAP" --cmdline "ip=$STATIC_IP::eth0:off netroot=iscsi:${CHAP%%:*}:${CHAP#*:}@10.77.0.1::3260:1: rd.iscsi.initiator=$INITIATOR_IQN"
                  --expect-log "discovery at 10\.77\.0\.1:3260: no target name in the root path; asking for the targets"
                  --expect-log "discovery at 10\.77\.0\.1:3260: found 10\.77\.0\.1:3260,1 $(re_escape "$TARGET_IQN")\$"
                  --forbid-log "$(re_escape "${CHAP#*:}")") ;;
        # an iBFT with two NICs and two targets (iPXE sanhooks the target
        # through both portals): the bare iscsistart (rd.iscsi.firmware)
        # brings both NICs up and logs in both paths
        ibft-two-paths)
            OPTS=(--ipxe static --paths 2 --cmdline "rd.iscsi.firmware=1" --timeout 150
                  --expect-log "iBFT target 0: $(re_escape "$TARGET_IQN") at 10\\.77\\.0\\.1:3260"
                  --expect-log "iBFT target 1: $(re_escape "$TARGET_IQN") at 10\\.78\\.0\\.1:3260"
                  --expect-log "multipath: 2 paths share a target and LUN"
                  --expect-log '^isr-root-sessions: 2$'
                  --forbid-log 'resolv.conf: nameserver 10\.77\.0\.1 10\.77\.0\.1') ;;
        # the same with iscsistart's flags: -a twice
        paths-two-addresses)
            OPTS=(--args "-a 10.77.0.99 -a 10.77.0.1" --timeout 60
                  --expect-log "target $(re_escape "$TARGET_IQN") at 10\.77\.0\.99:3260: still logging in; the boot goes on"
                  --expect-log "10\.77\.0\.1:3260: disk ready: /dev/sd") ;;
        # Debian's iscsi_* form with one-way CHAP; the secret must stay off the console
        # dracut's rd.iscsi.firmware: iPXE's sanhook writes the iBFT, and the
        # bare iscsistart brings up its NIC and logs into its target
        cmdline-ibft)
            OPTS=(--ipxe static --cmdline "rd.iscsi.firmware=1" --timeout 150
                  --expect-log "iBFT target [0-9]+: $(re_escape "$TARGET_IQN")") ;;
        cmdline-debian-chap)
            OPTS=(--chap "$CHAP"
                  --cmdline "ip=$STATIC_IP::eth0:off iscsi_initiator=$INITIATOR_IQN iscsi_target_name=$TARGET_IQN iscsi_target_ip=10.77.0.1 iscsi_target_port=3260 iscsi_username=${CHAP%%:*} iscsi_password=${CHAP#*:}"
                  --timeout 120
                  --forbid-log "$(re_escape "${CHAP#*:}")") ;;
        # multipath: cut A, restore it, cut B, restore it while the root
        # writes; 8 s cuts each fail the path over (dm's "Failing path")
        # and back (the supervisor's re-login, "Reinstating path" by
        # multipathd). In the initramfs the map may have one path or both
        # (the boot goes on once one path has its disk)
        mp-dracut-cut|mp-dracut-cut-long)
            local ev="A-down@10 A-up@18 B-down@32 B-up@40" secs=60
            # 30 s cuts, longer than replacement_timeout and the connect
            # timeout: the supervisor must keep logging the path in
            [ "$1" = mp-dracut-cut-long ] && ev="A-down@10 A-up@40 B-down@55 B-up@85" secs=100
            OPTS=(--initrd "$DRACUT_MP_IMG" --paths 2 --path-events "$ev" --timeout $((secs + 200))
                  --cmdline "$MP_IP $MP_NETROOT root=/dev/mapper/isr-root $MP_TIMEO $DRACUT_ARGS isr.root=multipath isr.writesecs=$secs isr.mp-settle=40"
                  "${MP_CHECKS[@]}"
                  --expect-log '^isr-initrd-mp-status: isr-root: .* 8:(0|16) A '
                  --expect-log 'device-mapper: multipath: [0-9]+:[0-9]+: Failing path 8:0\.'
                  --expect-log 'device-mapper: multipath: [0-9]+:[0-9]+: Failing path 8:16\.'
                  --expect-log 'isr-dmesg: .*device-mapper: multipath: [0-9]+:[0-9]+: Reinstating path 8:0\.'
                  --expect-log 'isr-dmesg: .*device-mapper: multipath: [0-9]+:[0-9]+: Reinstating path 8:16\.') ;;
        # path A unreachable for the first 45 s: the root is mounted
        # through B while A is still down (bound: 43 s of guest uptime; a
        # normal boot mounts it at 22-30 s here), and A joins the map later
        # (root=LABEL=: udev's by-label link is the map's, not a path's)
        mp-dracut-first-down)
            OPTS=(--initrd "$DRACUT_MP_IMG" --paths 2 --path-down-at-start A:45 --timeout 260
                  --cmdline "$MP_IP $MP_NETROOT_NETDEV root=LABEL=isr-root $DRACUT_ARGS rd.retry=60 isr.root=multipath isr.writesecs=30 isr.mp-settle=60"
                  "${MP_CHECKS[@]}"
                  --expect-log '^ISR-ROOT-UPTIME ([0-9]|[1-3][0-9]|4[0-2])\.'
                  --expect-log '^isr-initrd-by-label: isr-root -> /dev/dm-[0-9]+$'
                  --expect-log "target $(re_escape "$TARGET_IQN") at 10\\.77\\.0\\.1:3260 via eth0\$"
                  --expect-log "target $(re_escape "$TARGET_IQN") at 10\\.78\\.0\\.1:3260 via eth1\$"
                  --expect-log "multipath: 2 paths share a target and LUN: replacement_timeout 15 s and NOP-Out every 5 s"
                  --expect-log "still logging in; the boot goes on through the other path"
                  --expect-log "10\\.77\\.0\\.1:3260: the boot switched root meanwhile; following it") ;;
        # root=iscsi:URI with a multipath image: /dev/root is the map
        # holding the first disk, not that path
        mp-dracut-root-iscsi)
            OPTS=(--initrd "$DRACUT_MP_IMG" --paths 2 --timeout 200
                  --cmdline "$MP_IP root=iscsi:10.77.0.1::3260:1:$TARGET_IQN netroot=iscsi:10.78.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN $MP_TIMEO $DRACUT_ARGS isr.root=multipath isr.writesecs=5"
                  "${MP_CHECKS[@]}"
                  --expect-log '^iscsiroot: root device /dev/root -> /dev/dm-[0-9]+$'
                  --expect-log '^isr-initrd-by-uuid: [0-9a-f-]+ -> /dev/dm-[0-9]+$') ;;
        # dracut: root=LABEL= is mounted by rootfs-block once the login made the disk
        # networkd (NetworkManager and open-iscsi masked), a DHCP boot:
        # our /run file (10-iscsiroot-eth0.network) wins over the root's
        # 80-isr-cloud-dhcp.network, networkd asks for the same lease and
        # keeps the address; the supervisor ('@iscsistart') is still there
        # when the last unit stops and is never stopped (no "supervisor
        # exits"); systemd-shutdown's own lines on the console
        # (systemd.log_target=console)
        sd-networkd-reboot)
            OPTS=(--initrd "$DRACUT_IMG" --systemd-root --dhcp-root-path --timeout 400 --shutdown-within "$SD_SHUTDOWN"
                  --cmdline "ip=dhcp netroot=dhcp $SD_COMMON systemd.mask=NetworkManager.service $SD_NO_ISCSID isr.sd.check=networkd isr.sd.shutdown=reboot systemd.log_target=console"
                  --expect-log "^isr-sd-journal: .*eth0: Configuring with /run/systemd/network/10-iscsiroot-eth0\.network\.\$"
                  --expect-log '^ISR-SD-CHECK-OK$'
                  --expect-log '^ISR-LAST-WRITE .* addr=\[10\.77\.0\.[0-9]+/24 .*sessions=\[session1=LOGGED_IN \] supervisor=\[pid [0-9]+: @iscsistart'
                  --expect-log '^Sending SIGTERM to remaining processes'
                  --expect-log "^Remounting '/' read-only"
                  --forbid-log 'supervisor exits'
                  --disk-check "$SD_LAST_WRITE:^ISR-LAST-WRITE .* supervisor=\[pid [0-9]+: @iscsistart") ;;
        # NetworkManager (networkd and open-iscsi masked), a static boot:
        # our /run/NetworkManager/conf.d file leaves eth0 unmanaged
        sd-nm-poweroff)
            OPTS=(--initrd "$DRACUT_IMG" --systemd-root --timeout 400 --shutdown-within "$SD_SHUTDOWN"
                  --cmdline "$STATIC_ROOT $SD_COMMON systemd.mask=systemd-networkd.service systemd.mask=systemd-networkd.socket $SD_NO_ISCSID isr.sd.check=nm isr.sd.shutdown=poweroff"
                  --expect-log '^isr-sd-nmcli: eth0:ethernet:unmanaged:$'
                  --expect-log '^ISR-SD-CHECK-OK$'
                  --expect-log '^ISR-LAST-WRITE .* addr=\[10\.77\.0\.2/24 .*sessions=\[session1=LOGGED_IN \]'
                  --disk-check "$SD_LAST_WRITE:^ISR-LAST-WRITE .*sessions=\[session1=LOGGED_IN \]") ;;
        # Debian's open-iscsi in the root (networkd for the network): its
        # iscsid adopts the session (the supervisor steps back); at reboot
        # umountiscsi.sh lists the root's session in
        # /run/open-iscsi/shutdown-keep-sessions and logout-all.sh skips
        # it: the session is still LOGGED_IN after open-iscsi.service and
        # iscsid have stopped, and the last write reaches the disk
        sd-open-iscsi-reboot)
            OPTS=(--initrd "$DRACUT_IMG" --systemd-root --dhcp-root-path --timeout 400 --shutdown-within "$SD_SHUTDOWN"
                  --cmdline "ip=dhcp netroot=dhcp $SD_COMMON systemd.mask=NetworkManager.service isr.sd.check=iscsid isr.sd.shutdown=reboot"
                  --expect-log 'session 1: iscsid took the session over; no longer supervising it'
                  --expect-log '^ISR-SD-CHECK-OK$'
                  --expect-log '^isr-last-write: open-iscsi keeps: /sys/devices/platform/host[0-9]+/session1 '
                  --expect-log '^ISR-LAST-WRITE .*sessions=\[session1=LOGGED_IN \] .*open-iscsi=inactive iscsid=inactive'
                  --disk-check "$SD_LAST_WRITE:^ISR-LAST-WRITE .*sessions=\[session1=LOGGED_IN \]") ;;
        dracut-static)
            OPTS=(--initrd "$DRACUT_IMG" --timeout 120
                  --cmdline "$STATIC_ROOT $DRACUT_ARGS"
                  --expect-log "^iscsiroot: logged in, disks: /dev/sd[a-z]+"
                  --expect-log "^isr-session: session[0-9]+ $(re_escape "$TARGET_IQN") 10\.77\.0\.1:3260 eth0 $(re_escape "$INITIATOR_IQN")\$"
                  --expect-log "^isr-lease: INTERFACE='eth0'\$"
                  --expect-log "^isr-supervisor: pid [0-9]+: @iscsistart --supervise ") ;;
        # the netroot handler run again (isr.rerun-hook, from a pre-pivot
        # hook): exit 15 with the disk, taken as success, one session
        dracut-rerun)
            OPTS=(--initrd "$DRACUT_IMG" --timeout 120
                  --cmdline "$STATIC_ROOT $DRACUT_ARGS isr.rerun-hook"
                  --expect-log "already exists \\(logged in\\); not logging in again"
                  --expect-log "initiator reported error \\(15 - session exists\\)"
                  --expect-log "^isr-rerun-hook: rc=0 sessions=1 disks=/dev/sd[a-z]+\$") ;;
        # root=iscsi:URI: the whole first disk, through /dev/root
        dracut-root-iscsi)
            OPTS=(--initrd "$DRACUT_IMG" --timeout 120
                  --cmdline "ip=$STATIC_IP::eth0:off root=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN $DRACUT_ARGS"
                  --expect-log "^iscsiroot: root device /dev/root -> /dev/sd[a-z]+\$") ;;
        # DHCP names the target (17) and the initiator (203); no root=
        dracut-dhcp)
            OPTS=(--initrd "$DRACUT_IMG" --dhcp-root-path --timeout 150
                  --cmdline "ip=dhcp netroot=dhcp $DRACUT_ARGS"
                  --expect-log "^iscsiroot: root device /dev/root -> /dev/sd[a-z]+\$"
                  --expect-log "^isr-lease: ROOTPATH='iscsi:10\.77\.0\.1:::1:$(re_escape "$TARGET_IQN")'\$"
                  --expect-log "^isr-session: session[0-9]+ $(re_escape "$TARGET_IQN") 10\.77\.0\.1:3260 eth0 $(re_escape "$DHCP_INITIATOR_IQN")\$") ;;
        # iPXE's sanhook writes the iBFT; the image comes over HTTP
        dracut-ibft)
            OPTS=(--initrd "$DRACUT_IMG" --ipxe static --timeout 150
                  --cmdline "rd.iscsi.firmware=1 $DRACUT_ARGS"
                  --expect-log "iBFT target [0-9]+: $(re_escape "$TARGET_IQN")"
                  --expect-log "^iscsiroot: root device /dev/root -> /dev/sd[a-z]+\$"
                  --expect-log "^isr-session: session[0-9]+ $(re_escape "$TARGET_IQN") 10\.77\.0\.1:3260 eth0 ") ;;
        # an unknown target name: iscsistart exits 19, dracut gives up after
        # rd.retry and the test module prints ISR-BOOT-FAILED rc=19 and
        # powers off.  dracut-sd-*: without rd.shell=0, as most systems
        # boot, the emergency hooks run in dracut-emergency.service (with
        # rd.shell=0 they run in dracut-initqueue.service itself)
        dracut-wrong-target)
            OPTS=(--initrd "$DRACUT_IMG" --expect fail:19 --timeout 120
                  --cmdline "$WRONG_ROOT rd.shell=0 rd.retry=15"
                  --expect-log "iscsiroot: iscsistart failed with exit code 19") ;;
        dracut-sd-wrong-target)
            OPTS=(--initrd "$DRACUT_SD_IMG" --expect fail:19 --timeout 120
                  --cmdline "$WRONG_ROOT rd.retry=15"
                  --expect-log "dracut-initqueue\[[0-9]+\]: .*iscsiroot: iscsistart failed with exit code 19"
                  --expect-log "^isr-emergency-unit: dracut-emergency\.service\$"
                  --expect-log "iscsiroot: the iSCSI login failed: iscsistart exit code 19 ") ;;
        # systemd as init: the cmdline hook and /sbin/iscsiroot run from
        # dracut-cmdline/-initqueue.service; the test module prints to /dev/console
        dracut-sd-static)
            OPTS=(--initrd "$DRACUT_SD_IMG" --timeout 120
                  --cmdline "$STATIC_ROOT $DRACUT_ARGS"
                  --expect-log "dracut-initqueue\[[0-9]+\]: iscsiroot: logged in, disks: /dev/sd[a-z]+"
                  --expect-log "^isr-session: session[0-9]+ $(re_escape "$TARGET_IQN") 10\.77\.0\.1:3260 eth0 $(re_escape "$INITIATOR_IQN")\$"
                  --expect-log "^isr-root: / is: /dev/sd[a-z]+ / ext4 "
                  --expect-log "^isr-supervisor: pid [0-9]+: @iscsistart --supervise ") ;;
        # no sysroot.mount for root=iscsi: (systemd-fstab-generator skips a
        # root= that is no path): the module's mount hook mounts /dev/root;
        # dev-root.device must be active, i.e. udev (not only a plain
        # symlink) made /dev/root
        dracut-sd-root-iscsi)
            OPTS=(--initrd "$DRACUT_SD_IMG" --timeout 120
                  --cmdline "ip=$STATIC_IP::eth0:off root=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN $DRACUT_ARGS"
                  --expect-log "iscsiroot: root device /dev/root -> /dev/sd[a-z]+\$"
                  --expect-log "^isr-devroot: dev-root\.device active\$"
                  --expect-log "^isr-root: / is: /dev/sd[a-z]+ / ext4 ") ;;
        # udev renames the NIC (naming policy in the image): ip= without a
        # device takes the NIC with carrier under its new name ...
        dracut-sd-ifnames)
            OPTS=(--initrd "$DRACUT_SDN_IMG" --timeout 120
                  --cmdline "ip=$STATIC_IP:::off netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN root=LABEL=isr-root $DRACUT_ARGS"
                  --expect-log "^isr-lease: INTERFACE='en[a-z0-9]+'\$"
                  --expect-log "^isr-session: session[0-9]+ $(re_escape "$TARGET_IQN") 10\.77\.0\.1:3260 en[a-z0-9]+ "
                  --expect-log "^isr-root: / is: /dev/sd[a-z]+ / ext4 ") ;;
        # ... and net.ifnames=0 keeps eth0, so ip=...:eth0 works (without it
        # iscsistart waits 10 s for an eth0 that is now ens2, and exits 4)
        dracut-sd-ifnames0)
            OPTS=(--initrd "$DRACUT_SDN_IMG" --timeout 120
                  --cmdline "net.ifnames=0 $STATIC_ROOT $DRACUT_ARGS"
                  --expect-log "^isr-lease: INTERFACE='eth0'\$"
                  --expect-log "^isr-root: / is: /dev/sd[a-z]+ / ext4 ") ;;
        # sd-iscsiroot: iscsiroot.service (journal+console) logs in before
        # initrd-root-device.target; systemd mounts root=LABEL= itself
        initcpio-sd-static)
            OPTS=(--initrd "$INITCPIO_SD_IMG" --timeout 120
                  --cmdline "$STATIC_ROOT rd.shell=0 rd.retry=30"
                  --expect-log "Starting .*iscsiroot\.service"
                  --expect-log "iscsistart\[[0-9]+\]: iscsistart: \[ *[0-9]+ ms\] disk ready: /dev/sd[a-z]+"
                  --expect-log "Finished .*iscsiroot\.service"
                  --expect-log "^isr-root: / is: /dev/sd[a-z]+ / ext4 "
                  --expect-log "^isr-supervisor: pid [0-9]+: @iscsistart --supervise ") ;;
        initcpio-sd-dhcp)
            OPTS=(--initrd "$INITCPIO_SD_IMG" --dhcp-root-path --timeout 120
                  --cmdline "ip=dhcp netroot=dhcp root=LABEL=isr-root rd.shell=0 rd.retry=30"
                  --expect-log "iscsistart\[[0-9]+\]: iscsistart: .*initiator name $(re_escape "$DHCP_INITIATOR_IQN") \(from DHCP"
                  --expect-log "Finished .*iscsiroot\.service"
                  --expect-log "^isr-root: / is: /dev/sd[a-z]+ / ext4 ") ;;
        sanboot-static)
            OPTS=(--sanboot "$SCRIPTS/sanboot.ipxe" --initrd "$INITCPIO_IMG" --cmdline "$DISK_ARGS" --timeout 120
                  --expect-log "^iscsiroot: sanboot iscsi:10\.77\.0\.1:::1:$(re_escape "$TARGET_IQN")" "${SANBOOT_LOGS[@]}") ;;
        # root path and initiator name (the ACL's only one) from DHCP
        sanboot-dhcp)
            OPTS=(--sanboot "$SCRIPTS/sanboot-dhcp.ipxe" --dhcp-root-path --initrd "$INITCPIO_IMG"
                  --cmdline "$DISK_ARGS" --timeout 120
                  --expect-log "^iscsiroot: sanboot iscsi:10\.77\.0\.1:::1:" "${SANBOOT_LOGS[@]}") ;;
        # the CHAP secrets reach the initramfs through the iBFT, unprinted
        sanboot-chap)
            OPTS=(--sanboot "$SCRIPTS/sanboot.ipxe" --chap "$CHAP" --initrd "$INITCPIO_IMG"
                  --cmdline "$DISK_ARGS" --timeout 120 "${SANBOOT_LOGS[@]}"
                  --forbid-log "$(re_escape "${CHAP#*:}")") ;;
        sanboot-mutual)
            OPTS=(--sanboot "$SCRIPTS/sanboot.ipxe" --chap "$CHAP" --mutual "$MUTUAL" --initrd "$INITCPIO_IMG"
                  --cmdline "$DISK_ARGS" --timeout 120 "${SANBOOT_LOGS[@]}"
                  --forbid-log "$(re_escape "${CHAP#*:}")" --forbid-log "$(re_escape "${MUTUAL#*:}")") ;;
        # iPXE's login fails: the script says so and reboots
        sanboot-wrong-password)
            OPTS=(--sanboot "$SCRIPTS/sanboot.ipxe" --chap "$CHAP" --ipxe-set password=Wrong-Secret-0000
                  --initrd "$INITCPIO_IMG" --cmdline "$DISK_ARGS" --timeout 120 --expect fail:ipxe
                  --expect-log "^iscsiroot: failed: sanboot iscsi:") ;;
        sanboot-uefi-chap)
            OPTS=(--sanboot "$SCRIPTS/sanboot.ipxe" --ipxe-media efi --chap "$CHAP" --initrd "$INITCPIO_IMG"
                  --cmdline "$DISK_ARGS" --timeout 120 "${UEFI_LOGS[@]}"
                  --forbid-log "$(re_escape "${CHAP#*:}")") ;;
        sanboot-uefi-mutual)
            OPTS=(--sanboot "$SCRIPTS/sanboot.ipxe" --ipxe-media efi --chap "$CHAP" --mutual "$MUTUAL"
                  --initrd "$INITCPIO_IMG" --cmdline "$DISK_ARGS" --timeout 120 "${UEFI_LOGS[@]}"
                  --forbid-log "$(re_escape "${CHAP#*:}")" --forbid-log "$(re_escape "${MUTUAL#*:}")") ;;
        sanboot-uefi-wrong-password)
            OPTS=(--sanboot "$SCRIPTS/sanboot.ipxe" --ipxe-media efi --chap "$CHAP" --ipxe-set password=Wrong-Secret-0000
                  --initrd "$INITCPIO_IMG" --cmdline "$DISK_ARGS" --timeout 120 --expect fail:ipxe
                  --expect-log "^Could not open SAN device: Operation not permitted"
                  --expect-log "^iscsiroot: failed: sanboot iscsi:") ;;
        # mkimage.sh's USB image: syslinux starts ipxe.lkrn with the script
        ipxe-usb-sanboot)
            OPTS=(--sanboot "$SCRIPTS/sanboot.ipxe" --ipxe-media usb --initrd "$INITCPIO_IMG"
                  --cmdline "$DISK_ARGS" --timeout 150
                  --expect-log "^SYSLINUX 6\.[0-9]+ " --expect-log "^iscsiroot: iPXE from " "${SANBOOT_LOGS[@]}") ;;
        # mkimage.sh's USB image runs sanhook-kernel.ipxe: the iBFT, then the
        # kernel and the harness's initramfs over HTTP; its init runs
        # iscsistart -N and -b (isr.ibft=1); the LUN is the bare root
        ipxe-usb-sanhook)
            OPTS=(--ipxe-script "$SCRIPTS/sanhook-kernel.ipxe" --ipxe-media usb
                  --cmdline "isr.ibft=1" --args "-b" --timeout 150
                  --expect-log "^SYSLINUX 6\.[0-9]+ " --expect-log "^iscsiroot: iPXE from "
                  "${SANHOOK_LOGS[@]}" "${SANHOOK_HTTP_LOGS[@]}") ;;
        ipxe-iso-sanhook)
            OPTS=(--ipxe-script "$SCRIPTS/sanhook-kernel.ipxe" --ipxe-media iso
                  --cmdline "isr.ibft=1" --args "-b" --timeout 150
                  --expect-log "^ISOLINUX 6\.[0-9]+ " --expect-log "^iscsiroot: iPXE from "
                  "${SANHOOK_LOGS[@]}" "${SANHOOK_HTTP_LOGS[@]}") ;;
        # the same over TFTP (dnsmasq in the namespace)
        ipxe-usb-sanhook-tftp)
            OPTS=(--ipxe-script "$SCRIPTS/sanhook-kernel.ipxe" --ipxe-media usb --tftp
                  --cmdline "isr.ibft=1" --args "-b" --timeout 150
                  --expect-log "^iscsiroot: iPXE from " "${SANHOOK_LOGS[@]}"
                  --expect-log "^iscsiroot: kernel tftp://10\.77\.0\.1/vmlinuz\$"
                  --expect-log "^tftp://10\.77\.0\.1/vmlinuz\.\.\. .*ok"
                  --expect-log "^tftp://10\.77\.0\.1/initrd\.gz\.\.\. .*o") ;;  # "ok" may be cut, see SANHOOK_HTTP_LOGS
        # the primary target does not exist: two tries, then the fallback
        ipxe-menu-fallback)
            OPTS=("${MENU_OPTS[@]}" --ipxe-set "fallback-root-path=iscsi:10.77.0.1:::1:$TARGET_IQN"
                  --expect-log "^iscsiroot: fallback \(fallback-root-path\)\$"
                  --expect-log "^iscsiroot: sanboot iscsi:10\.77\.0\.1:::1:$(re_escape "$TARGET_IQN")\$"
                  --expect-log "^Booting from SAN device 0x80"
                  --expect-log "iscsistart: \[ *[0-9]+ ms\] logged in \(TSIH" "${SANBOOT_LOGS[@]}") ;;
        # no fallback: the menu says so and stops (reboots: QEMU ends)
        ipxe-menu-no-fallback)
            OPTS=("${MENU_OPTS[@]}" --expect fail:ipxe
                  --expect-log "^iscsiroot: fallback-root-path is not set: no disk could be booted\$") ;;
        # the menu's installer entry: sanhook, kernel and initramfs over HTTP
        ipxe-menu-installer)
            OPTS=(--ipxe-script "$SCRIPTS/menu.ipxe" --cmdline "isr.ibft=1" --args "-b" --timeout 150
                  --ipxe-set menu-default=installer --ipxe-set menu-timeout=1000
                  --expect-log "iscsiroot: menu entry: installer\$"
                  "${SANHOOK_LOGS[@]:2}" "${SANHOOK_HTTP_LOGS[@]}") ;;
        # initramfs-tools, our hook and local-top script only
        itools-static)
            OPTS=(--initrd "$ITOOLS_IMG" --timeout 120
                  --cmdline "$ITOOLS_IP netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN root=LABEL=isr-root panic=5"
                  --expect-log "Begin: iscsiroot: logging in to the iSCSI root \.\.\. "
                  --expect-log "^iscsiroot: logged in, disks: /dev/sd[a-z]+\$"
                  --expect-log "^isr-netconf: net-en[a-z0-9]+\.conf: PROTO='none'\$"
                  --expect-log "^isr-open-iscsi-interface: en[a-z0-9]+\$"
                  --expect-log "^isr-supervisor: pid [0-9]+: @iscsistart --supervise " "${ITOOLS_ROOT_LOGS[@]}") ;;
        # no root=: the script sets ROOT to the disk
        itools-dhcp)
            OPTS=(--initrd "$ITOOLS_IMG" --dhcp-root-path --timeout 150
                  --cmdline "ip=dhcp netroot=dhcp panic=5"
                  --expect-log "^iscsiroot: root device /dev/sd[a-z]+\$"
                  --expect-log "^isr-netconf: net-en[a-z0-9]+\.conf: PROTO='dhcp'\$"
                  --expect-log "^isr-netconf: net-en[a-z0-9]+\.conf: ROOTPATH='iscsi:10\.77\.0\.1:::1:$(re_escape "$TARGET_IQN")'\$"
                  "${ITOOLS_ROOT_LOGS[@]}") ;;
        # Debian's iscsi_* words with mutual CHAP; no secret on the console
        itools-debian-chap)
            OPTS=(--initrd "$ITOOLS_IMG" --chap "$CHAP" --mutual "$MUTUAL" --timeout 120
                  --cmdline "$ITOOLS_IP $ITOOLS_DEBIAN iscsi_username=${CHAP%%:*} iscsi_password=${CHAP#*:} iscsi_in_username=${MUTUAL%%:*} iscsi_in_password=${MUTUAL#*:} root=LABEL=isr-root panic=5"
                  --expect-log "iscsistart: \[ *[0-9]+ ms\] logged in \(TSIH [0-9]+, TPGT 1, CHAP"
                  --forbid-log "$(re_escape "${CHAP#*:}")" --forbid-log "$(re_escape "${MUTUAL#*:}")"
                  "${ITOOLS_ROOT_LOGS[@]}") ;;
        itools-ibft)
            OPTS=(--initrd "$ITOOLS_IMG" --ipxe static --timeout 150
                  --cmdline "rd.iscsi.firmware=1 root=LABEL=isr-root panic=5"
                  --expect-log "iBFT target [0-9]+: $(re_escape "$TARGET_IQN")"
                  --expect-log "^iscsiroot: logged in, disks: /dev/sd[a-z]+\$" "${ITOOLS_ROOT_LOGS[@]}") ;;
        # an unknown target: exit 19, one line naming it, initramfs-tools'
        # panic (its rescue shell without panic=) well within the timeout
        itools-wrong-target)
            OPTS=(--initrd "$ITOOLS_IMG" --expect fail:panic --timeout 90
                  --cmdline "$ITOOLS_IP netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN.wrong rd.iscsi.initiator=$INITIATOR_IQN root=LABEL=isr-root panic=5"
                  --expect-log "^iscsiroot: iscsistart failed with exit code 19 ") ;;
        # the same without panic=: initramfs-tools' rescue shell, as most
        # machines boot; its prompt within 60 s
        itools-wrong-target-shell)
            OPTS=(--initrd "$ITOOLS_IMG" --expect fail:shell --timeout 60
                  --cmdline "$ITOOLS_IP netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN.wrong rd.iscsi.initiator=$INITIATOR_IQN root=LABEL=isr-root"
                  --expect-log "^iscsiroot: iscsistart failed with exit code 19 ") ;;
        # open-iscsi's boot script (with our binary) logs in first; ours
        # finds the session: one session, their second call gets exit 15
        itools-oi-static)
            OPTS=(--initrd "$ITOOLS_OI_IMG" --timeout 120
                  --cmdline "$ITOOLS_IP $ITOOLS_DEBIAN root=LABEL=isr-root panic=5"
                  --expect-log "initiator reported error \(15 - session exists\)"
                  --expect-log "^iscsiroot: logged in, disks: /dev/sd[a-z]+\$" "${ITOOLS_ROOT_LOGS[@]}") ;;
        # the target only in /etc/iscsi.initramfs: open-iscsi's script logs
        # in, ours has nothing to do (no iSCSI root on the command line)
        itools-oi-conf)
            OPTS=(--initrd "$ITOOLS_OI_CONF_IMG" --timeout 120
                  --cmdline "$ITOOLS_IP root=LABEL=isr-root panic=5"
                  --expect-log "iscsistart: \[ *[0-9]+ ms\] logged in \(TSIH" "${ITOOLS_ROOT_LOGS[@]}") ;;
        # iscsi_auto: their script runs our -N, -f and -b, ours finds the session
        itools-oi-ibft)
            OPTS=(--initrd "$ITOOLS_OI_IMG" --ipxe static --timeout 150
                  --cmdline "iscsi_auto root=LABEL=isr-root panic=5"
                  --expect-log "iBFT target [0-9]+: $(re_escape "$TARGET_IQN")"
                  --expect-log "^iscsiroot: logged in, disks: /dev/sd[a-z]+\$" "${ITOOLS_ROOT_LOGS[@]}") ;;
        # multipath, mkinitcpio: the multipath hook sets root= to the map
        # with the label (not a path, which has it too)
        mp-initcpio)
            OPTS=(--initrd "$MPG_INITCPIO_IMG" --paths 2 --timeout 200
                  --cmdline "$MPG_INITCPIO_IP $MPG_NETROOT root=LABEL=isr-root isr.root=multipath isr.writesecs=5"
                  --expect-log '^:: iscsiroot: iSCSI disk\(s\): /dev/sd[a-z]+( /dev/sd[a-z]+)?$'
                  --expect-log '^:: multipath: root=/dev/mapper/[^ ]+$'
                  --expect-log "^multipath: size=[0-9]+M features='1 queue_if_no_path' "
                  "${MPG_CHECKS[@]}") ;;
        # no root=: the iscsiroot hook leaves it to the multipath hook,
        # which takes the map holding the first disk
        mp-initcpio-noroot)
            OPTS=(--initrd "$MPG_INITCPIO_IMG" --paths 2 --timeout 200
                  --cmdline "$MPG_INITCPIO_IP $MPG_NETROOT isr.root=multipath isr.writesecs=5"
                  --expect-log '^:: iscsiroot: root= is left to the multipath hook$'
                  --expect-log '^:: multipath: root=/dev/mapper/[^ ]+$'
                  --forbid-log '^:: iscsiroot: root=/dev/sd'
                  "${MPG_CHECKS[@]}") ;;
        # path A cut for 8 s, then B, while the root writes: each cut
        # fails the path (dm's "Failing path", replacement_timeout after the
        # NOP-Outs noticed it), the supervisor logs it in again and the test
        # root's multipathd reinstates it (a cut that outlasts
        # replacement_timeout too: the supervisor keeps trying every 5 s)
        mp-initcpio-cut)
            OPTS=(--initrd "$MPG_INITCPIO_IMG" --paths 2 --timeout 300
                  --path-events "A-down@8 A-up@16 B-down@30 B-up@38"
                  --cmdline "$MPG_INITCPIO_IP $MPG_NETROOT root=LABEL=isr-root $MPG_TIMEO isr.root=multipath isr.writesecs=55 isr.mp-settle=40"
                  --expect-log 'device-mapper: multipath: [0-9]+:[0-9]+: Failing path 8:0\.'
                  --expect-log 'device-mapper: multipath: [0-9]+:[0-9]+: Failing path 8:16\.'
                  --expect-log 'Reinstating path 8:0\.'
                  --expect-log 'Reinstating path 8:16\.'
                  "${MPG_CHECKS[@]}") ;;
        # multipath, initramfs-tools: our script runs multipath-tools-boot's
        # after the logins and sets ROOT to the map with the label (one disk
        # or both printed: the boot goes on once one path has its disk)
        mp-itools)
            OPTS=(--initrd "$MPG_ITOOLS_IMG" --paths 2 --timeout 200
                  --cmdline "$MPG_ITOOLS_IP $MPG_NETROOT root=LABEL=isr-root isr.root=multipath isr.writesecs=5 panic=5"
                  --expect-log '^iscsiroot: logged in, disks: /dev/sd[a-z]+( /dev/sd[a-z]+)?$'
                  --expect-log '^iscsiroot: /dev/sd[a-z]+ is a path of /dev/mapper/[^ ]+$'
                  --expect-log '^iscsiroot: root device /dev/mapper/[^ ]+ \(LABEL=isr-root\)$'
                  "${MPG_CHECKS[@]}") ;;
        # no root=: ROOT is the map holding the first disk
        mp-itools-noroot)
            OPTS=(--initrd "$MPG_ITOOLS_IMG" --paths 2 --timeout 200
                  --cmdline "$MPG_ITOOLS_IP $MPG_NETROOT isr.root=multipath isr.writesecs=5 panic=5"
                  --expect-log '^iscsiroot: root device /dev/mapper/[^ ]+$'
                  "${MPG_CHECKS[@]}") ;;
        # initcpio (busybox /init sequencing the hook like mkinitcpio's): the
        # hook runs iscsistart --from-cmdline; LABEL= is mounted as given
        initcpio-static)
            OPTS=(--initrd "$INITCPIO_IMG" --timeout 120
                  --cmdline "$STATIC_ROOT"
                  --expect-log "^:: running hook \[iscsiroot\]"
                  --expect-log "^:: iscsiroot: iSCSI disk\(s\): /dev/sd[a-z]+"
                  --expect-log "^initcpio-net: [0-9]+: eth0 +inet 10\.77\.0\.2/24 "
                  --expect-log "^initcpio-run: eth0\.lease: INTERFACE='eth0'\$"
                  --expect-log "^initcpio-run: initiatorname\.iscsi: InitiatorName=$(re_escape "$INITIATOR_IQN")\$"
                  --expect-log "^isr-supervisor: pid [0-9]+: @iscsistart --supervise ") ;;
        # /etc/iscsiroot.conf in the image names the target and the CHAP
        # secret; the command line has only ip= and root=; no secret printed
        initcpio-conf-chap)
            OPTS=(--initrd "$INITCPIO_CONF_IMG" --chap "$CHAP" --timeout 120
                  --cmdline "ip=$STATIC_IP::eth0:off root=LABEL=isr-root"
                  --expect-log "kernel command line: words from /etc/iscsiroot\.conf, /proc/cmdline"
                  --expect-log "^:: iscsiroot: iSCSI disk\(s\): /dev/sd[a-z]+"
                  --forbid-log "$(re_escape "${CHAP#*:}")") ;;
        # no root=: the hook sets root to the disk iscsistart printed
        initcpio-dhcp)
            OPTS=(--initrd "$INITCPIO_IMG" --dhcp-root-path --timeout 150
                  --cmdline "ip=dhcp netroot=dhcp"
                  --expect-log "^:: iscsiroot: root=/dev/sd[a-z]+\$"
                  --expect-log "^initcpio-net: [0-9]+: eth0 +inet 10\.77\.0\.([5-9][0-9])/24 "
                  --expect-log "^initcpio-run: eth0\.lease: ROOTPATH='iscsi:10\.77\.0\.1:::1:$(re_escape "$TARGET_IQN")'\$"
                  --expect-log "^initcpio-run: initiatorname\.iscsi: InitiatorName=$(re_escape "$DHCP_INITIATOR_IQN")\$") ;;
        # iPXE's sanhook writes the iBFT; the image comes over HTTP
        initcpio-ibft)
            OPTS=(--initrd "$INITCPIO_IMG" --ipxe static --timeout 150
                  --cmdline "rd.iscsi.firmware=1 root=LABEL=isr-root"
                  --expect-log "iBFT target [0-9]+: $(re_escape "$TARGET_IQN")"
                  --expect-log "^:: iscsiroot: iSCSI disk\(s\): /dev/sd[a-z]+"
                  --expect-log "^initcpio-net: [0-9]+: eth0 +inet 10\.77\.0\.2/24 ") ;;
        # an unknown target name: iscsistart exits 19, the hook returns it,
        # and the runner's /init reports ISR-BOOT-FAILED rc=19 (no root)
        initcpio-wrong-target)
            OPTS=(--initrd "$INITCPIO_IMG" --expect fail:19 --timeout 120
                  --cmdline "$WRONG_ROOT"
                  --expect-log "^ERROR: iscsiroot: iscsistart failed with exit code 19 ") ;;
        # a 2-minute DHCP lease, the root writing until 30 s past the boot
        # lease's end: the supervisor renews at T1 (unicast to
        # dnsmasq, which logs a second DHCPACK), the lease file gets the
        # new times and the address stays
        lease-renew)
            OPTS=("${LEASE_OPTS[@]}" --kernel-args "isr.root=lease isr.lease-past=30"
                  --expect-log "eth0: DHCP renewing 10\.77\.0\.[0-9]+ \(to 10\.77\.0\.1, xid "
                  --expect-log "eth0: DHCP lease for 10\.77\.0\.[0-9]+ renewed by 10\.77\.0\.1 for 120 s \(T1 [0-9]+ s, T2 [0-9]+ s\)"
                  --expect-log "^isr-lease-after: LEASETIME='120'\$"
                  --forbid-log "could not be renewed|now managed by another program"
                  --expect-dhcp-count "2:DHCPACK\(tap0\) 10\.77\.0\.[0-9]+ 52:54:00:12:34:56") ;;
        # dnsmasq stopped 5 s after the root is mounted: RENEWING, then
        # REBINDING go unanswered, the end of the lease is reported once,
        # and the address and the root stay
        lease-lost)
            OPTS=("${LEASE_OPTS[@]}" --kernel-args "isr.root=lease isr.lease-past=40" --stop-dhcp-after 5
                  --expect-log "eth0: DHCP renewing 10\.77\.0\.[0-9]+ \(to 10\.77\.0\.1, xid "
                  --expect-log "eth0: DHCP rebinding 10\.77\.0\.[0-9]+ \(broadcast, xid "
                  --expect-log "eth0: DHCP lease for 10\.77\.0\.[0-9]+ ended and could not be renewed \(no answer from 10\.77\.0\.1 nor any other DHCP server\); keeping the address while the session lives"
                  --forbid-log "renewed by|now managed by another program") ;;
    esac
}

mkdir -p "$HERE/work"
RES=$(mktemp -d "$HERE/work/results.XXXXXX")
trap 'rm -rf "$RES"' EXIT

# Build the kernel/initramfs/rootfs caches once, up front, so parallel boots
# do not all wait on the same lock (run-boot.sh would build them anyway).
"$HERE/fetch-kernel.sh" >/dev/null || { echo "run-all: fetch-kernel.sh failed" >&2; echo "0 passed, 1 failed"; exit 1; }
# wanted GLOB [BUT_NOT_GLOB]: will a selected scenario named so run?
wanted() {
    local n
    for n in $SCENARIOS; do
        # shellcheck disable=SC2053  # globs wanted
        [[ $n == $1 ]] && ! [[ -n ${2:-} && $n == $2 ]] &&
            { [ -z "$ONLY" ] || [[ $n =~ $ONLY ]]; } && return 0
    done
    return 1
}
# build_image IMG LOG COMMAND...: one image for a group of boots (the
# builders cache on their inputs); on failure no stale image is left, so
# those boots fail
build_image() {
    local img=$1 log=$2
    shift 2
    "$@" >"$log" 2>&1 && return 0
    rm -f "$img"
    echo "run-all: ${1##*/} failed, see $log" >&2
    return 1
}
{ wanted 'dracut-*' 'dracut-sd-*' || wanted 'sd-*'; } &&
    build_image "$DRACUT_IMG" "$HERE/work/dracut-build.log" "$HERE/build-dracut-image.sh" "$DRACUT_IMG" "$BINARY"
wanted 'dracut-sd-*' 'dracut-sd-ifnames*' &&
    build_image "$DRACUT_SD_IMG" "$HERE/work/dracut-sd-build.log" \
        "$HERE/build-dracut-image.sh" "$DRACUT_SD_IMG" "$BINARY" systemd
wanted 'dracut-sd-ifnames*' &&
    build_image "$DRACUT_SDN_IMG" "$HERE/work/dracut-sd-ifnames-build.log" \
        "$HERE/build-dracut-image.sh" "$DRACUT_SDN_IMG" "$BINARY" systemd-ifnames
wanted 'sd-*' &&
    build_image "$HERE/work/sdroot.img" "$HERE/work/sdroot-build.log" "$HERE/build-systemd-root.sh" "$HERE/work/sdroot.img"
wanted 'mp-dracut-*' &&
    build_image "$DRACUT_MP_IMG" "$HERE/work/dracut-mp-build.log" "$HERE/build-dracut-image.sh" "$DRACUT_MP_IMG" "$BINARY" mp
{ wanted 'initcpio-*' 'initcpio-sd-*' || wanted 'sanboot-*' || wanted 'ipxe-*'; } &&
    build_image "$INITCPIO_IMG" "$HERE/work/initcpio-build.log" \
        "$HERE/build-initcpio-image.sh" "$INITCPIO_IMG" "$BINARY"
wanted 'mp-initcpio*' &&
    ISR_INITCPIO_HOOKS="base udev autodetect iscsiroot multipath filesystems" \
    ISCSIROOT_MULTIPATH_CONF=$HERE/multipath.conf \
    build_image "$MPG_INITCPIO_IMG" "$HERE/work/mp-initcpio-build.log" \
        "$HERE/build-initcpio-image.sh" "$MPG_INITCPIO_IMG" "$BINARY"
wanted 'mp-itools*' &&
    ISR_MULTIPATH_CONF=$HERE/multipath.conf build_image "$MPG_ITOOLS_IMG" "$HERE/work/mp-itools-build.log" \
        "$HERE/build-initramfs-tools-image.sh" "$MPG_ITOOLS_IMG" "$BINARY" ours
wanted 'itools-*' 'itools-oi-*' &&
    build_image "$ITOOLS_IMG" "$HERE/work/itools-build.log" \
        "$HERE/build-initramfs-tools-image.sh" "$ITOOLS_IMG" "$BINARY" ours
wanted 'itools-oi-*' 'itools-oi-conf' &&
    build_image "$ITOOLS_OI_IMG" "$HERE/work/itools-oi-build.log" \
        "$HERE/build-initramfs-tools-image.sh" "$ITOOLS_OI_IMG" "$BINARY" open-iscsi
if wanted 'itools-oi-conf'; then
    mkdir -p "${ITOOLS_OI_CONF%/*}"
    printf '%s\n' "ISCSI_INITIATOR=$INITIATOR_IQN" "ISCSI_TARGET_NAME=$TARGET_IQN" \
        "ISCSI_TARGET_IP=10.77.0.1" "ISCSI_TARGET_PORT=3260" > "$ITOOLS_OI_CONF"
    ISR_ISCSI_INITRAMFS=$ITOOLS_OI_CONF build_image "$ITOOLS_OI_CONF_IMG" "$HERE/work/itools-oi-conf-build.log" \
        "$HERE/build-initramfs-tools-image.sh" "$ITOOLS_OI_CONF_IMG" "$BINARY" open-iscsi
fi
if wanted 'initcpio-conf-*'; then
    mkdir -p "${INITCPIO_CONF%/*}"
    printf '%s\n' "# the root target and its CHAP account, kept off the boot loader's line" \
        "netroot=iscsi:10.77.0.1::3260:1:$TARGET_IQN rd.iscsi.initiator=$INITIATOR_IQN" \
        "rd.iscsi.username=${CHAP%%:*} rd.iscsi.password=${CHAP#*:}" > "$INITCPIO_CONF"
    ISCSIROOT_CONF=$INITCPIO_CONF build_image "$INITCPIO_CONF_IMG" "$HERE/work/initcpio-conf-build.log" \
        "$HERE/build-initcpio-image.sh" "$INITCPIO_CONF_IMG" "$BINARY"
fi
# sd-iscsiroot: its files laid over a dracut-made systemd initrd (see
# build-initcpio-image.sh --systemd-overlay) that has exactly the kernel
# modules the hook added; the kernel unpacks both archives in order
if wanted 'initcpio-sd-*'; then
    rm -f "$INITCPIO_SD_IMG"
    build_image "$INITCPIO_SD_IMG.overlay" "$HERE/work/initcpio-sd-overlay.log" \
        "$HERE/build-initcpio-image.sh" --systemd-overlay "$INITCPIO_SD_IMG.overlay" "$BINARY" &&
    ISR_BASE_DRIVERS=$(cat "$INITCPIO_SD_IMG.overlay.modules") \
        build_image "$INITCPIO_SD_IMG.base" "$HERE/work/initcpio-sd-build.log" \
        "$HERE/build-dracut-image.sh" "$INITCPIO_SD_IMG.base" "$BINARY" systemd-base &&
    cat "$INITCPIO_SD_IMG.base" "$INITCPIO_SD_IMG.overlay" > "$INITCPIO_SD_IMG"
fi

T_START=$(date +%s)
declare -A RUNNING=()   # pid -> scenario index
finish() {  # finish PID RC: record and print one scenario's result
    local i=${RUNNING[$1]}
    unset "RUNNING[$1]"
    echo "$2" > "$RES/$i.rc"
    cat "$RES/$i.err" >&2
    cat "$RES/$i.out"
}
reap_one() {
    local pid rc
    wait -n -p pid "${!RUNNING[@]}"
    rc=$?
    [ -n "$pid" ] && finish "$pid" "$rc"
}
stop_all() {
    local pid
    echo "run-all: interrupted, stopping ${#RUNNING[@]} boot(s)" >&2
    for pid in "${!RUNNING[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    wait
    exit 1
}
trap stop_all INT TERM HUP

# Boots whose checks bound a time (a recovery, a path's return, the root
# mounted before a path comes back) run with no other boot beside them, so
# that --jobs cannot make them fail.
SERIAL=" target-delayed-20s paths-first-down supervise-target-restart supervise-gives-up target-down-60s
 mp-dracut-cut mp-dracut-cut-long mp-dracut-first-down mp-initcpio-cut "
SERIAL_RUNNING=0
i=0
for name in $SCENARIOS; do
    if [ -n "$ONLY" ] && ! [[ $name =~ $ONLY ]]; then continue; fi
    i=$((i + 1))
    if [[ $SERIAL == *" $name "* ]]; then
        while [ ${#RUNNING[@]} -gt 0 ]; do reap_one; done
    else
        while [ ${#RUNNING[@]} -ge "$JOBS" ] || { [ "$SERIAL_RUNNING" = 1 ] && [ ${#RUNNING[@]} -gt 0 ]; }; do reap_one; done
    fi
    SERIAL_RUNNING=0
    [[ $SERIAL == *" $name "* ]] && SERIAL_RUNNING=1
    NO_KAT=0
    scenario_opts "$name"
    if [ -n "$CRYPTO_KAT" ] && [ "$NO_KAT" = 0 ] && [[ " ${OPTS[*]} " != *" --initrd "* && " ${OPTS[*]} " != *" --sanboot "* ]]; then
        OPTS+=(--extra-file "$CRYPTO_KAT:/sbin/crypto_kat" --expect-log '^crypto-kat: [0-9]+ passed, 0 failed$')
    fi
    "$HERE/run-boot.sh" --binary "$BINARY" $PRELOAD --name "$name" "${OPTS[@]}" \
        >"$RES/$i.out" 2>"$RES/$i.err" &
    RUNNING[$!]=$i
done
while [ ${#RUNNING[@]} -gt 0 ]; do reap_one; done

PASSED=0
FAILED=0
for rcf in "$RES"/*.rc; do
    [ -e "$rcf" ] || continue
    if [ "$(cat "$rcf")" = 0 ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
done
echo "run-all: binary $BINARY ($PRELOAD), wall time $(( $(date +%s) - T_START ))s, logs in $HERE/work/" >&2
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
