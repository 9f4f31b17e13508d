#!/bin/bash
# run-boot.sh - boot a QEMU VM whose root filesystem comes over iSCSI.
#
# One scenario per call: a private network namespace with a tap device
# (10.77.0.1/24, tgtd) and a TCG QEMU guest (10.77.0.2/24) whose initramfs runs
# the iscsistart under test, waits for the disk and switch_roots into it.
#
# Options:
#   --binary PATH          iscsistart to test (default ../iscsistart/iscsistart)
#   --name SCENARIO        scenario name (log: work/SCENARIO.log)
#   --chap USER:PASS       one-way CHAP account on the target; also adds
#                          -u USER -w PASS to the default iscsistart args
#                          (not with --cmdline: there it is the target's only)
#   --mutual USER:PASS     target's outgoing (mutual CHAP) account; also adds
#                          -U USER -W PASS to the default iscsistart args
#                          (not with --cmdline)
#   --args "..."           extra iscsistart args; an option given here replaces
#                          the default of the same option (-P is appended)
#   --raw-args "..."       iscsistart args, replacing all defaults
#   --target-delay SECS    start tgtd SECS seconds after QEMU starts
#   --restart-target-after SECS
#                          SECS seconds after the root's ISR-ROOT-MOUNTED-
#                          FROM-ISCSI line, kill tgtd (SIGKILL: its TCP
#                          connections close, its sessions are gone) and
#                          start a new one with the same target, LUN and
#                          accounts --target-outage seconds later
#   --target-outage SECS   how long the target stays down (default 2)
#   --expect success|fail:RC|fail:ipxe|fail:panic|fail:shell
#                          fail:panic (with --initrd from initramfs-tools):
#                          the image's init gave up through initramfs-tools'
#                          panic(), which with panic=N on the command line
#                          prints "Rebooting automatically due to panic= boot
#                          argument" and reboots (QEMU exit 0), within --timeout
#                          fail:shell (with --initrd from initramfs-tools): its
#                          rescue shell's "(initramfs) " prompt appeared (no
#                          panic= given) within --timeout; QEMU is stopped there
#                          fail:ipxe (with --ipxe-script): iPXE printed its
#                          own SAN error ("Could not open SAN device: ...
#                          (http://ipxe.org/...)" or the describe/boot
#                          ones), then rebooted, so QEMU exited 0
#                          (-no-reboot), with no root mounted; a QEMU
#                          crash or error exit fails
#   --timeout SECS         hard limit for the boot (default 120)
#   --preload|--no-preload load iscsi_tcp/sd_mod in the init before iscsistart
#                          (default: only for Debian's /usr/sbin/iscsistart)
#   --kernel-args "..."    extra kernel command line
#   --ipxe dhcp|static     boot through iPXE (/usr/lib/ipxe/ipxe.lkrn): it gets
#                          an address by DHCP (dnsmasq in the namespace) or
#                          statically, sanhooks the target (writing the iBFT,
#                          with --chap/--mutual as iPXE's username/password and
#                          reverse-username/reverse-password), then loads the
#                          kernel and initramfs over HTTP; the init runs
#                          `iscsistart -N` and `iscsistart -b`
#   --cmdline "ARGS"       kernel-command-line mode: the kernel gets
#                          `isr.net=none ARGS` (instead of isr.ip=...), the init
#                          sets up no network, and /sbin/iscsistart runs with no
#                          arguments (only --args words, if given), taking ip=,
#                          vlan=, netroot=, rd.iscsi.*, iscsi_* from
#                          /proc/cmdline; forces --no-preload; --chap/--mutual
#                          then only configure the target
#   --dhcp-root-path       (with --cmdline) dnsmasq in the namespace hands out
#                          10.77.0.50-99 with options 3 and 6 (10.77.0.1),
#                          17 = iscsi:10.77.0.1:::1:TARGET_IQN and 203 =
#                          iqn.2026-11.test.iscsiroot:from-dhcp; the target's
#                          ACL admits only that initiator name
#   --dhcp-lease SECS      dnsmasq's lease time (default 1 h; dnsmasq's
#                          minimum is 120)
#   --stop-dhcp-after SECS kill dnsmasq SECS seconds after the root's
#                          ISR-ROOT-MOUNTED-FROM-ISCSI line (no more DHCP
#                          answers)
#   --expect-dhcp-log REGEX  PASS only if a line of dnsmasq's log (--log-dhcp;
#                          kept as work/SCENARIO.dnsmasq.log) matches the
#                          extended REGEX (repeatable)
#   --expect-dhcp-count N:REGEX  PASS only if at least N lines of dnsmasq's
#                          log match REGEX (repeatable)
#   --target-acl IQN       the target admits only initiator name IQN (default:
#                          any initiator; overrides --dhcp-root-path's name)
#   --vlan VID             (with --cmdline) the guest's NIC reaches the namespace
#                          only with 802.1Q tag VID: QEMU's NIC is a UDP socket
#                          (127.0.0.1 in the namespace) to vlan_tagger, which
#                          owns tap0, strips VID tags from the guest's frames
#                          (dropping untagged/other-VID ones) and tags frames
#                          to the guest; counters in work/SCENARIO.vlan.log
#   --vlan-tagger PATH     the vlan_tagger binary (default
#                          ../build/tests/vlan_tagger, built by `make`)
#   --ipv6                 (with --cmdline) tap0 also gets fd00:77::1/64 and the
#                          target's only portal is [fd00:77::1]:3260
#   --extra-file SRC:DEST  also put file SRC at DEST in the per-scenario
#                          archive (repeatable; harness initramfs only), e.g.
#                          the static build's crypto_kat at /sbin/crypto_kat,
#                          which init.sh then runs after iscsistart
#   --expect-log REGEX     PASS only if a console line matches the extended
#                          REGEX (repeatable)
#   --forbid-log REGEX     FAIL if any console line matches REGEX (repeatable;
#                          e.g. a CHAP secret that must not be printed)
#   --initrd PATH          boot this initramfs (e.g. one made by dracut or the
#                          initcpio runner) instead of the harness's own; its
#                          init must mount the iSCSI root itself; no ISR-T0/T1
#                          markers then, so the login time shows n/a
#   --ipxe-script SCRIPT   boot through a shipped iPXE script (e.g.
#                          ../ipxe-scripts/sanboot.ipxe) run with `set` lines
#                          in front (ipxe-set.sh): initiator-iqn, root-path,
#                          static-ip/-gateway, --chap/--mutual as
#                          username/password/reverse-*, failure-timeout=3000,
#                          and for kernel fetches boot-url (busybox httpd in
#                          the namespace), kernel-name=vmlinuz,
#                          initrd-name=initrd.gz (--initrd, else the harness's
#                          own) and kernel-args (console etc. + --cmdline);
#                          with --dhcp-root-path no initiator-iqn, root-path
#                          or static-ip: dnsmasq's options 17 and 203 give them
#   --ipxe-set NAME=VALUE  one more setting for the script (repeatable; a
#                          value with spaces is fine)
#   --tftp                 (with --ipxe-script) boot-url is tftp://10.77.0.1:
#                          dnsmasq in the namespace serves the kernel and
#                          initramfs over TFTP (not with --ipxe-media efi)
#   --ipxe-media lkrn|usb|iso  how iPXE starts: QEMU -kernel ipxe.lkrn
#                          -initrd SCRIPT (default), or the USB disk or CD
#                          image ../ipxe-scripts/mkimage.sh makes from it
#   --ipxe-media efi       UEFI instead: OVMF (package ovmf) runs -kernel
#                          /usr/lib/ipxe/ipxe.efi, which takes no script from
#                          its command line, so it autoboots: dnsmasq answers
#                          its DHCP (user class iPXE) with the filename
#                          http://10.77.0.1:8080/boot.ipxe, the script with its
#                          `set` lines; the iBFT is then an ACPI table and
#                          the --whole-disk disk boots through systemd-boot;
#                          not with --dhcp-root-path (iPXE's autoboot would
#                          attach DHCP's root path before running the script)
#   --whole-disk           LUN 1 is build-disk-image.sh's disk: syslinux, the
#                          kernel and the --initrd image on partition 1 (the
#                          kernel getting the --cmdline words), the root file
#                          system on partition 2; for sanboot scripts
#   --sanboot SCRIPT       short for --ipxe-script SCRIPT --whole-disk
#   --paths 1|2            2: two paths to the same target and LUN (multipath):
#                          a second tap device, tap1 (10.78.0.1/24), in the
#                          namespace; the guest's second NIC (MAC
#                          52:54:00:12:34:57, the first one keeps QEMU's
#                          52:54:00:12:34:56) on a second -netdev tap; tgtd
#                          listens on 10.77.0.1:3260 (path A, tap0) and
#                          10.78.0.1:3260 (path B, tap1); needs --cmdline
#                          (the kernel command line's ip=/netroot= pick the
#                          paths) and no --vlan, --ipv6 or iPXE option but
#                          --ipxe static, which then also sets up net1
#                          (10.78.0.2) and sanhooks the target through
#                          10.78.0.1 as drive 0x81: an iBFT with two NICs
#                          and two targets
#   --path-events "EV..."  (with --paths 2) path events, each PATH-down@SECS
#                          or PATH-up@SECS (PATH A or B, SECS after the root's
#                          ISR-ROOT-MOUNTED-FROM-ISCSI line, as
#                          --restart-target-after), e.g. "A-down@10 A-up@20
#                          B-down@25 B-up@35".  A path goes down as a cable
#                          pull does: `ip link set tapN down` in the
#                          namespace.  The tun driver then refuses QEMU's
#                          frames (EIO, which QEMU drops) and the namespace
#                          has no route back to the guest, so nothing at all
#                          reaches the guest, no RST either: its TCP and
#                          iSCSI see silence, and only their own timers
#                          (NOP-Out, replacement_timeout) end the connection.
#                          (tc's drop actions, netem and nft/iptables are not
#                          available on the test host; a down link needs
#                          none of them.)  Logged in work/SCENARIO.paths.log
#   --path-down-at-start PATH:SECS
#                          (with --paths 2) PATH (A or B) is down from before
#                          QEMU starts until SECS seconds after (the portal
#                          unreachable at boot), then up
#   --systemd-root         the target's LUN is build-systemd-root.sh's Debian 12
#                          root (systemd as init, networkd, NetworkManager,
#                          open-iscsi; cached as work/sdroot.img) instead of
#                          the busybox one; for --initrd images
#   --shutdown-within SECS FAIL unless the console has the test root's
#                          "ISR-SHUTDOWN-START UPTIME" line and the kernel's
#                          "reboot: Restarting system" or "reboot: Power
#                          down" line at most SECS seconds (kernel
#                          timestamps) later
#   --disk-check PATH:REGEX  after QEMU and tgtd have ended, the file PATH in
#                          the target's disk image (debugfs -R 'cat PATH')
#                          must have a line matching the extended REGEX
#                          (repeatable)
#   --keep                 keep the per-run directory (work/run-*)
# Environment: ISR_QEMU_CPU (default "max"; "qemu64" lacks SSE4.2/PCLMUL, so
#   crc32c-intel and crct10dif-pclmul cannot load)
# Names: target iqn.2026-11.test.iscsiroot:root (LUN 1, portal group 1; with
#   --paths 2 both portals are in that group),
#   initiator iqn.2026-11.test.iscsiroot:initiator (what the default args use).
# Output: one line "PASS <scenario> (<s>s, login <ms> ms)" or
# "FAIL <scenario>: <reason>"; exit 0 on pass, 1 on fail.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$HERE/work

BINARY=$HERE/../iscsistart/iscsistart
NAME=
CHAP=
MUTUAL=
EXTRA_ARGS=
RAW_ARGS=
HAVE_RAW=0
TARGET_DELAY=0
RESTART_AFTER=
TARGET_OUTAGE=2
EXPECT=success
TIMEOUT=120
PRELOAD=auto
KERNEL_ARGS=
KEEP=0
INITRD=
IPXE=
IPXE_SCRIPT=
IPXE_SETS=()
IPXE_MEDIA=lkrn
TFTP=0
DNSMASQ_TFTP=()
WHOLE_DISK=0
CMDLINE=
HAVE_CMDLINE=0
DHCP_ROOT_PATH=0
DHCP_LEASE=1h
STOP_DHCP_AFTER=
EXPECT_DHCP_LOGS=()
EXPECT_DHCP_COUNTS=()
TARGET_ACL=
VLAN=
VLAN_TAGGER=$HERE/../build/tests/vlan_tagger
IPV6=0
EXPECT_LOGS=()
FORBID_LOGS=()
EXTRA_FILES=()
PATHS=1
PATH_EVENTS=
PATH_DOWN_AT_START=
SYSTEMD_ROOT=0
SHUTDOWN_WITHIN=
DISK_CHECKS=()

INITIATOR_IQN=iqn.2026-11.test.iscsiroot:initiator
TARGET_IQN=iqn.2026-11.test.iscsiroot:root
TARGET_IP=10.77.0.1
GUEST_IP=10.77.0.2
PREFIX=24
PORT=3260
TAP=tap0
# --paths 2: path B
TAP2=tap1
TARGET_IP2=10.78.0.1
GUEST_MAC2=52:54:00:12:34:57
DHCP_INITIATOR_IQN=iqn.2026-11.test.iscsiroot:from-dhcp
TARGET_IP6=fd00:77::1
PREFIX6=64
# the namespace's own loopback: QEMU's UDP socket <-> vlan_tagger
TAGGER_UDP=127.0.0.1:40001
QEMU_UDP=127.0.0.1:40002
PRELOAD_MODULES="crc64_rocksoft_generic iscsi_tcp sd_mod"

usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }

while [ $# -gt 0 ]; do
    case $1 in
        --binary) BINARY=$2; shift ;;
        --name) NAME=$2; shift ;;
        --chap) CHAP=$2; shift ;;
        --mutual) MUTUAL=$2; shift ;;
        --args) EXTRA_ARGS=$2; shift ;;
        --raw-args) RAW_ARGS=$2; HAVE_RAW=1; shift ;;
        --target-delay) TARGET_DELAY=$2; shift ;;
        --restart-target-after) RESTART_AFTER=$2; shift ;;
        --target-outage) TARGET_OUTAGE=$2; shift ;;
        --expect) EXPECT=$2; shift ;;
        --timeout) TIMEOUT=$2; shift ;;
        --preload) PRELOAD=yes ;;
        --no-preload) PRELOAD=no ;;
        --kernel-args) KERNEL_ARGS=$2; shift ;;
        --keep) KEEP=1 ;;
        --systemd-root) SYSTEMD_ROOT=1 ;;
        --shutdown-within) SHUTDOWN_WITHIN=$2; shift ;;
        --disk-check) DISK_CHECKS+=("$2"); shift ;;
        --initrd) INITRD=$2; shift ;;
        --ipxe) IPXE=$2; shift ;;
        --ipxe-script) IPXE_SCRIPT=$2; shift ;;
        --ipxe-set) IPXE_SETS+=("$2"); shift ;;
        --ipxe-media) IPXE_MEDIA=$2; shift ;;
        --tftp) TFTP=1 ;;
        --whole-disk) WHOLE_DISK=1 ;;
        --sanboot) IPXE_SCRIPT=$2; WHOLE_DISK=1; shift ;;
        --cmdline) CMDLINE=$2; HAVE_CMDLINE=1; shift ;;
        --dhcp-root-path) DHCP_ROOT_PATH=1 ;;
        --dhcp-lease) DHCP_LEASE=$2; shift ;;
        --stop-dhcp-after) STOP_DHCP_AFTER=$2; shift ;;
        --expect-dhcp-log) EXPECT_DHCP_LOGS+=("$2"); shift ;;
        --expect-dhcp-count) [[ $2 =~ ^[0-9]+: ]] || fail "bad --expect-dhcp-count '$2' (N:REGEX)"
                             EXPECT_DHCP_COUNTS+=("$2"); shift ;;
        --target-acl) TARGET_ACL=$2; shift ;;
        --vlan) VLAN=$2; shift ;;
        --vlan-tagger) VLAN_TAGGER=$2; shift ;;
        --ipv6) IPV6=1 ;;
        --expect-log) EXPECT_LOGS+=("$2"); shift ;;
        --extra-file) EXTRA_FILES+=("$2"); shift ;;
        --forbid-log) FORBID_LOGS+=("$2"); shift ;;
        --paths) PATHS=$2; shift ;;
        --path-events) PATH_EVENTS=$2; shift ;;
        --path-down-at-start) PATH_DOWN_AT_START=$2; shift ;;
        -h|--help) usage ;;
        *) echo "run-boot: unknown option $1" >&2; usage ;;
    esac
    shift
done
[ -n "$NAME" ] || NAME=boot
NAME=$(printf '%s' "$NAME" | tr -c 'A-Za-z0-9_.-' '_')

FAIL_NOTE=
fail() { echo "FAIL $NAME: $*$FAIL_NOTE"; exit 1; }
info() { echo "  [$NAME] $*" >&2; }

case $EXPECT in
    success) EXPECT_RC= ;;
    fail:[0-9]*) EXPECT_RC=${EXPECT#fail:} ;;
    fail:ipxe) EXPECT_RC=ipxe; [ -n "$IPXE_SCRIPT" ] || fail "--expect fail:ipxe needs --ipxe-script" ;;
    fail:panic) EXPECT_RC=panic; [ -n "$INITRD" ] || fail "--expect fail:panic needs --initrd" ;;
    fail:shell) EXPECT_RC=shell; [ -n "$INITRD" ] || fail "--expect fail:shell needs --initrd" ;;
    *) fail "bad --expect '$EXPECT' (success or fail:<rc>)" ;;
esac
[[ $TIMEOUT =~ ^[0-9]+$ ]] || fail "bad --timeout '$TIMEOUT'"
[[ $TARGET_DELAY =~ ^[0-9]+$ ]] || fail "bad --target-delay '$TARGET_DELAY'"
[ -z "$SHUTDOWN_WITHIN" ] || [[ $SHUTDOWN_WITHIN =~ ^[0-9]+$ ]] || fail "bad --shutdown-within '$SHUTDOWN_WITHIN'"
for c in "${DISK_CHECKS[@]}"; do
    [[ $c == /*:* ]] || fail "bad --disk-check '$c' (/PATH:REGEX)"
done
[ "$SYSTEMD_ROOT" = 0 ] || [ -n "$INITRD" ] || fail "--systemd-root needs --initrd (an initramfs that mounts root=LABEL=isr-root)"
[ -z "$RESTART_AFTER" ] || [[ $RESTART_AFTER =~ ^[0-9]+$ ]] || fail "bad --restart-target-after '$RESTART_AFTER'"
[ -z "$STOP_DHCP_AFTER" ] || [[ $STOP_DHCP_AFTER =~ ^[0-9]+$ ]] || fail "bad --stop-dhcp-after '$STOP_DHCP_AFTER'"
[[ $DHCP_LEASE =~ ^([0-9]+[mh]?|infinite)$ ]] || fail "bad --dhcp-lease '$DHCP_LEASE'"
[[ $TARGET_OUTAGE =~ ^[0-9]+$ ]] || fail "bad --target-outage '$TARGET_OUTAGE'"
case $IPXE in
    '') ;;
    dhcp|static)
        [ "$TARGET_DELAY" = 0 ] || fail "--ipxe needs the target up from the start"
        [ -f /usr/lib/ipxe/ipxe.lkrn ] || fail "missing /usr/lib/ipxe/ipxe.lkrn (package ipxe)"
        command -v dnsmasq >/dev/null || fail "missing dnsmasq (package dnsmasq-base)"
        # the login comes from the iBFT; the init also loads the NIC and
        # iscsi_ibft for initiators that load nothing themselves
        PRELOAD_MODULES="virtio_pci virtio_net iscsi_ibft $PRELOAD_MODULES" ;;
    *) fail "bad --ipxe '$IPXE' (dhcp or static)" ;;
esac
if [ -n "$IPXE_SCRIPT" ]; then
    [ -f "$IPXE_SCRIPT" ] || fail "no iPXE script $IPXE_SCRIPT"
    [ "$HAVE_CMDLINE" = 1 ] && [ -z "$IPXE" ] ||
        fail "--ipxe-script needs --cmdline (the kernel arguments), not --ipxe"
    [ -f /usr/lib/ipxe/ipxe.lkrn ] || fail "missing /usr/lib/ipxe/ipxe.lkrn (package ipxe)"
    case $IPXE_MEDIA in lkrn|usb|iso|efi) ;; *) fail "bad --ipxe-media '$IPXE_MEDIA' (lkrn, usb, iso or efi)" ;; esac
    if [ "$IPXE_MEDIA" = efi ]; then
        OVMF_CODE=${ISR_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
        OVMF_VARS=${ISR_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
        for f in "$OVMF_CODE" "$OVMF_VARS" /usr/lib/ipxe/ipxe.efi; do
            [ -f "$f" ] || fail "--ipxe-media efi: missing $f (packages ovmf, ipxe)"
        done
        command -v dnsmasq >/dev/null || fail "missing dnsmasq (package dnsmasq-base)"
        [ "$DHCP_ROOT_PATH" = 0 ] || fail "--ipxe-media efi and --dhcp-root-path exclude each other"
    fi
    IPXE_SCRIPT=$(realpath "$IPXE_SCRIPT")
fi
if [ "$TFTP" = 1 ]; then
    [ -n "$IPXE_SCRIPT" ] && [ "$IPXE_MEDIA" != efi ] || fail "--tftp needs --ipxe-script, and not --ipxe-media efi"
    command -v dnsmasq >/dev/null || fail "missing dnsmasq (package dnsmasq-base)"
fi
if [ "$WHOLE_DISK" = 1 ]; then
    [ -n "$IPXE_SCRIPT" ] && [ -n "$INITRD" ] ||
        fail "--whole-disk needs --ipxe-script and --initrd (the disk's initramfs)"
fi
if [ "$HAVE_CMDLINE" = 1 ]; then
    [ -n "$CMDLINE" ] || fail "--cmdline needs kernel arguments"
    [ "$HAVE_RAW" = 0 ] || fail "--cmdline and --raw-args exclude each other (use --args)"
    PRELOAD=no
else
    [ "$DHCP_ROOT_PATH" = 0 ] || fail "--dhcp-root-path needs --cmdline"
    [ -z "$VLAN" ] || fail "--vlan needs --cmdline (the init sets up no VLAN)"
    [ "$IPV6" = 0 ] || fail "--ipv6 needs --cmdline (the init sets up no IPv6)"
fi
if [ -n "$VLAN" ]; then
    [[ $VLAN =~ ^[0-9]+$ ]] && [ "$VLAN" -ge 1 ] && [ "$VLAN" -le 4094 ] || fail "bad --vlan '$VLAN' (1 to 4094)"
    [ -x "$VLAN_TAGGER" ] || fail "vlan_tagger not found or not executable: $VLAN_TAGGER (make build/tests/vlan_tagger)"
    VLAN_TAGGER=$(realpath "$VLAN_TAGGER")
fi
case $PATHS in
    1) [ -z "$PATH_EVENTS" ] && [ -z "$PATH_DOWN_AT_START" ] ||
           fail "--path-events and --path-down-at-start need --paths 2" ;;
    2) [ "$HAVE_CMDLINE" = 1 ] || fail "--paths 2 needs --cmdline (ip=/netroot= for both paths)"
       [ -z "$VLAN" ] && [ "$IPV6" = 0 ] && [ "$IPXE" != dhcp ] && [ -z "$IPXE_SCRIPT" ] ||
           fail "--paths 2 excludes --vlan, --ipv6, --ipxe dhcp and --ipxe-script" ;;
    *) fail "bad --paths '$PATHS' (1 or 2)" ;;
esac
# PATH_EV: "MS PATH up|down" lines, ms after the root's marker, in time order
PATH_EV=
for ev in $PATH_EVENTS; do
    [[ $ev =~ ^([AB])-(down|up)@([0-9]+)$ ]] ||
        fail "bad --path-events word '$ev' (PATH-down@SECS or PATH-up@SECS, PATH A or B)"
    PATH_EV+="$((BASH_REMATCH[3] * 1000)) ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"$'\n'
done
PATH_EV=$(printf '%s' "$PATH_EV" | sort -s -n -k1,1)
if [ -n "$PATH_DOWN_AT_START" ]; then
    [[ $PATH_DOWN_AT_START =~ ^([AB]):([0-9]+)$ ]] ||
        fail "bad --path-down-at-start '$PATH_DOWN_AT_START' (PATH:SECS, PATH A or B)"
fi
if [ "$DHCP_ROOT_PATH" = 1 ]; then
    command -v dnsmasq >/dev/null || fail "missing dnsmasq (package dnsmasq-base)"
fi
# whom the target admits: any initiator, or exactly one initiator name
ACL_NAME=$TARGET_ACL
[ -z "$ACL_NAME" ] && [ "$DHCP_ROOT_PATH" = 1 ] && ACL_NAME=$DHCP_INITIATOR_IQN
[ "$(id -u)" -eq 0 ] || fail "must run as root (network namespaces, tgtd)"
for t in qemu-system-x86_64 tgtd tgtadm ip cpio gzip flock sha256sum; do
    command -v "$t" >/dev/null || fail "missing tool $t (see qemu-tests/DEPS)"
done
[ -x "$BINARY" ] || fail "binary not found or not executable: $BINARY"
BINARY=$(realpath "$BINARY")
if [ "$PRELOAD" = auto ]; then
    case $BINARY in
        /usr/sbin/iscsistart|/sbin/iscsistart) PRELOAD=yes ;;
        *) PRELOAD=no ;;
    esac
fi

mkdir -p "$WORK"

# --- kernel, base initramfs (cached per binary), root image (cached) ----------
# run-all.sh refreshes the kernel once; a lone run-boot.sh reuses the cache
KENV_FILE=$HERE/cache/kernel.env
if [ -f "$KENV_FILE" ] && . "$KENV_FILE" && [ -f "${VMLINUZ:-}" ]; then
    :
else
    KENV=$(flock "$WORK/.lock-kernel" "$HERE/fetch-kernel.sh" 2>"$WORK/.fetch-kernel.err") ||
        fail "fetch-kernel.sh failed: $(tail -n1 "$WORK/.fetch-kernel.err")"
    eval "$KENV"
fi
[ -f "${VMLINUZ:-}" ] || fail "no kernel image"

KEY=$( { sha256sum "$BINARY" "$HERE/build-initramfs.sh" "$HERE/init.sh" "${BUSYBOX:-/bin/busybox}" | cut -d' ' -f1; echo "$KVER"; } |
       sha256sum | cut -c1-16)
BASE=$WORK/initramfs/base-$KEY.cpio.gz
if [ ! -f "$BASE" ]; then
    mkdir -p "$WORK/initramfs"
    flock "$WORK/.lock-initramfs" sh -c '[ -f "$2" ] || "$1/build-initramfs.sh" "$3" "$2"' \
        _ "$HERE" "$BASE" "$BINARY" >"$WORK/initramfs/build-$KEY.log" 2>&1 ||
        fail "build-initramfs.sh failed, see $WORK/initramfs/build-$KEY.log"
fi
touch "$BASE"
# keep the 8 most recently used base images (one per binary build)
ls -t "$WORK"/initramfs/base-*.cpio.gz 2>/dev/null | tail -n +9 | xargs -r rm -f

ROOTFS=$WORK/rootfs.img
if [ ! -f "$ROOTFS" ] || [ "$HERE/build-rootfs.sh" -nt "$ROOTFS" ] || [ "$HERE/multipath.conf" -nt "$ROOTFS" ]; then
    flock "$WORK/.lock-rootfs" sh -c '[ -f "$2" ] && [ ! "$1/build-rootfs.sh" -nt "$2" ] && [ ! "$1/multipath.conf" -nt "$2" ] || "$1/build-rootfs.sh" "$2"' \
        _ "$HERE" "$ROOTFS" >"$WORK/rootfs-build.log" 2>&1 ||
        fail "build-rootfs.sh failed, see $WORK/rootfs-build.log"
fi

if [ "$SYSTEMD_ROOT" = 1 ]; then
    # build-systemd-root.sh caches the debootstrap tree itself; the image
    # is rebuilt when the script or the root's files change
    ROOTFS=$WORK/sdroot.img
    if [ ! -f "$ROOTFS" ] || [ -n "$(find "$HERE/build-systemd-root.sh" "$HERE/sdroot" -newer "$ROOTFS" -print -quit)" ]; then
        flock "$WORK/.lock-sdroot" sh -c '[ -f "$2" ] && [ -z "$(find "$1/build-systemd-root.sh" "$1/sdroot" -newer "$2" -print -quit)" ] || "$1/build-systemd-root.sh" "$2"' \
            _ "$HERE" "$ROOTFS" >"$WORK/sdroot-build.log" 2>&1 ||
            fail "build-systemd-root.sh failed, see $WORK/sdroot-build.log"
    fi
fi

# --- per-run state and cleanup ------------------------------------------------
RUN=$(mktemp -d "$WORK/run-$NAME.XXXXXX")
NS=isr-$$-$(printf '%s' "$NAME" | cut -c1-20)
LOG=$WORK/$NAME.log
TGTLOG=$WORK/$NAME.tgtd.log
VLANLOG=$WORK/$NAME.vlan.log
PATHLOG=$WORK/$NAME.paths.log
QEMU_PID=
TAGGER_PID=
TGTD_PID=
HTTPD_PID=
DNSMASQ_PID=
NS_MADE=0
export TGT_IPC_SOCKET=$RUN/tgt.sock

alive() {  # running and not a zombie (kill -0 succeeds on zombies)
    local st
    [ -r "/proc/$1/stat" ] || return 1
    read -r _ _ st _ < "/proc/$1/stat" 2>/dev/null || return 1
    [ "$st" != Z ]
}
kill_wait() {  # kill_wait PID [SIGNAL]: SIGNAL (default TERM), then KILL after 3 s
    local pid=$1 i
    alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
    kill "-${2:-TERM}" "$pid" 2>/dev/null
    for i in $(seq 30); do
        alive "$pid" || break
        sleep 0.1
    done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

cleanup() {
    [ -n "$QEMU_PID" ] && kill_wait "$QEMU_PID"
    # tgtd ignores SIGTERM, and its scratch state needs no clean shutdown
    [ -n "$TGTD_PID" ] && kill_wait "$TGTD_PID" KILL
    [ -n "$HTTPD_PID" ] && kill_wait "$HTTPD_PID"
    [ -n "$DNSMASQ_PID" ] && kill_wait "$DNSMASQ_PID"
    [ -n "$TAGGER_PID" ] && kill_wait "$TAGGER_PID"
    [ "$NS_MADE" = 1 ] && ip netns del "$NS" 2>/dev/null
    if [ "$KEEP" = 1 ]; then
        info "kept $RUN"
    else
        rm -rf "$RUN"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if [ "$WHOLE_DISK" = 1 ]; then
    # the whole disk: boot partition (syslinux, kernel, --initrd) + root
    "$HERE/build-disk-image.sh" "$RUN/disk.img" "$VMLINUZ" "$INITRD" "$ROOTFS" \
        "console=ttyS0 loglevel=5 panic=-1 edd=off $CMDLINE $KERNEL_ARGS" 2>"$RUN/disk-build.log" ||
        fail "build-disk-image.sh failed: $(tail -n1 "$RUN/disk-build.log")"
else
    cp --sparse=always "$ROOTFS" "$RUN/disk.img"
fi

# --- iscsistart arguments ---------------------------------------------------------
split_words() {  # split a string into words honouring shell-style quotes
    printf '%s' "$1" | xargs -r -n1 printf '%s\n'
}
short_opt() {  # print the short letter of an option word (empty if none)
    case $1 in
        --initiatorname*) echo i ;; --targetname*) echo t ;; --tgpt*) echo g ;;
        --address*) echo a ;; --port*) echo p ;; --username_in*) echo U ;;
        --password_in*) echo W ;; --username*) echo u ;; --password*) echo w ;;
        --debug*) echo d ;; --config*) echo c ;; --param*) echo P ;;
        --*) echo "" ;;
        -?*) echo "${1:1:1}" ;;
    esac
}
ARGS=()
if [ "$HAVE_RAW" = 1 ]; then
    mapfile -t ARGS < <(split_words "$RAW_ARGS")
elif [ "$HAVE_CMDLINE" = 1 ]; then
    # everything comes from /proc/cmdline; --args may add options
    mapfile -t ARGS < <(split_words "$EXTRA_ARGS")
elif [ -n "$IPXE" ]; then
    mapfile -t ARGS < <(split_words "-b $EXTRA_ARGS")
else
    DEF=(-i "$INITIATOR_IQN" -t "$TARGET_IQN" -g 1 -a "$TARGET_IP" -p "$PORT")
    [ -n "$CHAP" ] && DEF+=(-u "${CHAP%%:*}" -w "${CHAP#*:}")
    [ -n "$MUTUAL" ] && DEF+=(-U "${MUTUAL%%:*}" -W "${MUTUAL#*:}")
    mapfile -t EXTRA < <(split_words "$EXTRA_ARGS")
    OVERRIDDEN=" "
    for w in "${EXTRA[@]}"; do
        case $w in -*) o=$(short_opt "$w"); [ -n "$o" ] && [ "$o" != P ] && OVERRIDDEN+="$o " ;; esac
    done
    i=0
    while [ $i -lt ${#DEF[@]} ]; do
        o=$(short_opt "${DEF[$i]}")
        if [[ $OVERRIDDEN != *" $o "* ]]; then
            ARGS+=("${DEF[$i]}" "${DEF[$((i + 1))]}")
        fi
        i=$((i + 2))
    done
    ARGS+=("${EXTRA[@]}")
fi

# --- per-scenario cpio, appended to the base initramfs -------------------------
mkdir -p "$RUN/extra/etc"
if [ ${#ARGS[@]} -gt 0 ]; then
    printf '%s\n' "${ARGS[@]}" > "$RUN/extra/etc/iscsistart.args"
else
    : > "$RUN/extra/etc/iscsistart.args"   # no arguments at all
fi
if [ "$PRELOAD" = yes ]; then
    printf '%s\n' $PRELOAD_MODULES > "$RUN/extra/etc/isr.preload"
fi
for f in "${EXTRA_FILES[@]}"; do
    [ -f "${f%%:*}" ] || fail "--extra-file: no file ${f%%:*}"
    mkdir -p "$RUN/extra$(dirname "${f#*:}")"
    cp -p "${f%%:*}" "$RUN/extra${f#*:}"
done
(cd "$RUN/extra" && find . -mindepth 1 | cpio --quiet -o -H newc -R 0:0) | gzip -1 > "$RUN/extra.cpio.gz"
if [ -n "$INITRD" ]; then
    cp "$INITRD" "$RUN/initrd.gz" || fail "cannot read --initrd $INITRD"
else
    cat "$BASE" "$RUN/extra.cpio.gz" > "$RUN/initrd.gz"
fi

# --- network namespace + tap ---------------------------------------------------------
ip netns add "$NS" || fail "cannot create network namespace $NS"
NS_MADE=1
nsx() { ip netns exec "$NS" "$@"; }
nsx ip link set lo up || fail "cannot set up lo in $NS"
if [ -n "$VLAN" ]; then
    # vlan_tagger creates the tap and is the guest's only way to it
    : > "$VLANLOG"
    ip netns exec "$NS" "$VLAN_TAGGER" "$VLAN" "$TAP" "$TAGGER_UDP" "$QEMU_UDP" "$VLANLOG" 2>>"$VLANLOG" &
    TAGGER_PID=$!
    for i in $(seq 100); do
        grep -q '^vlan_tagger: ready' "$VLANLOG" && break
        alive "$TAGGER_PID" || break
        sleep 0.05
    done
    grep -q '^vlan_tagger: ready' "$VLANLOG" || fail "vlan_tagger did not start: $(tail -n1 "$VLANLOG")"
else
    nsx ip tuntap add dev "$TAP" mode tap || fail "cannot create $TAP in $NS"
fi
nsx ip addr add "$TARGET_IP/$PREFIX" dev "$TAP" &&
nsx ip link set "$TAP" up || fail "cannot set up $TAP in $NS"
if [ "$PATHS" = 2 ]; then
    nsx ip tuntap add dev "$TAP2" mode tap &&
    nsx ip addr add "$TARGET_IP2/$PREFIX" dev "$TAP2" &&
    nsx ip link set "$TAP2" up || fail "cannot set up $TAP2 in $NS"
fi
# path_tap A|B: the path's tap device; path_set A|B up|down [WHEN]: bring
# it up or down (see --path-events), logged in $PATHLOG
path_tap() { if [ "$1" = A ]; then echo "$TAP"; else echo "$TAP2"; fi; }
path_set() {
    nsx ip link set "$(path_tap "$1")" "$2" || return 1
    echo "path $1 ($(path_tap "$1")) $2 ${3:-}" >>"$PATHLOG"
    [ -n "${3:-}" ] && info "path $1 $2 $3"
    return 0
}
: > "$PATHLOG"
if [ -n "$PATH_DOWN_AT_START" ]; then
    path_set "${PATH_DOWN_AT_START%%:*}" down "before QEMU starts" ||
        fail "cannot bring path ${PATH_DOWN_AT_START%%:*} down"
fi
if [ "$IPV6" = 1 ]; then
    nsx ip -6 addr add "$TARGET_IP6/$PREFIX6" dev "$TAP" nodad ||
        fail "cannot add $TARGET_IP6/$PREFIX6 to $TAP in $NS"
fi

# --- target ----------------------------------------------------------------------------
. "$HERE/lib/target.sh"   # tgt, start_target

: > "$TGTLOG"
now_ms() { date +%s%3N; }
TARGET_UP=0
if [ "$TARGET_DELAY" -eq 0 ]; then
    start_target 0 || fail "target setup failed, see $TGTLOG"
    TARGET_UP=1
fi

. "$HERE/lib/dhcp.sh"     # start_dnsmasq

# --- QEMU -----------------------------------------------------------------------------
: > "$LOG"
. "$HERE/lib/ipxe.sh"     # BOOT, NETDEV: iPXE (script, media, HTTP/TFTP) or the kernel
. "$HERE/lib/qemu.sh"     # runs QEMU until it ends or --timeout

# --- verdict ---------------------------------------------------------------------------
. "$HERE/lib/verdict.sh"
