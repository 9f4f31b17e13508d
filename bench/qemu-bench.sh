#!/bin/bash
# bench/qemu-bench.sh OUT.md [BOOTS]
#
# Boot-time and size comparison of our iscsistart against Debian's
# open-iscsi one, in the QEMU harness of qemu-tests/ (TCG, tgtd in a private
# network namespace), all in one run so both sides see the same machine.
# BOOTS boots (default 5) per line; medians and the ratio ours/peer.
#
#  1. The binary: from the init's first iSCSI step to the root's block
#     device, read from the harness init's console markers: ISR-W0 (the
#     init's network setup, cmdline mode's peer), ISR-P0 (module preload,
#     for the peer, which loads nothing itself), ISR-N0 (before
#     `iscsistart -N`, iBFT mode), ISR-T0 (before the login) and ISR-T1
#     (the disk is there).  Modes:
#       flags  -i -t -g -a -p, the network set up by the init (as dracut's
#              and initramfs-tools' scripts call open-iscsi's iscsistart)
#       ibft   iPXE sanhooks the target (writing the iBFT) and boots the
#              kernel; the init runs `iscsistart -N` then `iscsistart -b`
#       cmdline  the kernel command line CMDLINE_ROOT (static ip=,
#              netroot=iscsi:...:LUN:target, rd.iscsi.initiator=); ours
#              runs with no arguments (reads /proc/cmdline, loads the NIC
#              driver, configures eth0, logs in); the peer cannot read the
#              command line, so it gets what dracut's network-legacy and
#              iscsiroot.sh derive from it: the init loads the NIC driver
#              and sets the address (inside the window, from ISR-W0), the
#              preload, then -i -t -g -a -p from rd.iscsi.initiator= and
#              netroot= (dracut passes no LUN: the peer scans them all)
#       flags-qemu64  flags on QEMU's default CPU model (ISR_QEMU_CPU=
#              qemu64: no RDRAND, SSE4.2 or PCLMUL, so the kernel's crng is
#              not ready at that point of the boot and crc32c-intel and
#              crct10dif-pclmul cannot load); the others use -cpu max
#     BENCH_MODES (default "flags ibft cmdline flags-qemu64") picks them;
#     QEMU_BENCH_BINARY_ONLY=1 stops after this table (for iterating).
#  2. The initramfs: from the kernel's start to the real root's init
#     (ISR-ROOT-UPTIME, printed by the root's /sbin/init), booting with
#     static ip= and netroot=iscsi: on the kernel command line:
#       dracut (stock)   dracut's own iscsi + network-legacy modules
#                        (open-iscsi's iscsistart/iscsiadm/iscsid)
#       dracut (ours)    our 90iscsiroot module
#       mkinitcpio-style our initcpio hook (qemu-tests' runner)
#     all with dracut's shell init; both dracut images with every Ethernet
#     driver (what --no-hostonly gives), built with gzip -1.
#  3. Sizes: those images (compressed and unpacked), and the binaries
#     (ours dynamic and static, Debian's, each with the shared libraries it
#     needs).
# Needs root, the qemu-tests packages, open-iscsi and dracut-network.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
QT=$TOP/qemu-tests
OUT=${1:?usage: $0 OUT.md [BOOTS]}
BOOTS=${2:-5}
OURS=$TOP/iscsistart/iscsistart
STATIC=$TOP/build/static/iscsistart
PEER=/usr/sbin/iscsistart
WORK=$QT/work/bench
mkdir -p "$WORK"
die() { echo "qemu-bench: $*" >&2; exit 1; }
[ -x "$OURS" ] || die "no $OURS (make)"
[ -x "$PEER" ] || die "no $PEER (apt-get install open-iscsi)"

IQN=iqn.2026-11.test.iscsiroot
CMDLINE_ROOT="ip=10.77.0.2::10.77.0.1:255.255.255.0::eth0:off netroot=iscsi:10.77.0.1::3260:1:$IQN:root rd.iscsi.initiator=$IQN:initiator"
STATIC_ROOT="ip=10.77.0.2::10.77.0.1:255.255.255.0::eth0:off netroot=iscsi:10.77.0.1::3260:1:$IQN:root rd.iscsi.initiator=$IQN:initiator root=LABEL=isr-root rd.shell=0 rd.retry=30"
ITOOLS_ROOT="ip=10.77.0.2::10.77.0.1:255.255.255.0:::off iscsi_initiator=$IQN:initiator iscsi_target_name=$IQN:root iscsi_target_ip=10.77.0.1 iscsi_target_port=3260 root=LABEL=isr-root panic=5"

marker() { tr -d '\r' < "$1" | awk -v m="$2" '$1 == m { print $2; exit }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%s-%s", lo, hi; else print "n/a" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%d", s * 1000 + 0.5 }'; }

# boot NAME ARGS...: one run-boot.sh; prints its log path, or nothing on failure
boot() {
    local name=$1
    shift
    if "$QT/run-boot.sh" --name "$name" --timeout 150 "$@" > "$WORK/$name.out" 2>&1; then
        echo "$QT/work/$name.log"
    else
        echo "qemu-bench: $name failed: $(tail -n 1 "$WORK/$name.out")" >&2
    fi
}

# --- 1. the binary ---------------------------------------------------------
# seconds from the init's first iSCSI step to the disk
binary_seconds() {
    local log=$1 w0 p0 n0 t0 t1 start
    w0=$(marker "$log" ISR-W0) p0=$(marker "$log" ISR-P0) n0=$(marker "$log" ISR-N0)
    t0=$(marker "$log" ISR-T0) t1=$(marker "$log" ISR-T1)
    [ -n "$t0" ] && [ -n "$t1" ] || return 1
    start=$(printf '%s\n' $w0 $p0 $n0 $t0 | sort -n | head -n 1)
    awk -v a="$start" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# ours (dynamic, and the static musl build when it is there) and the peer
# alternate, so all see the same machine load
WHO="ours peer"
[ -x "$STATIC" ] && WHO="ours static peer"
declare -A BIN_MED BIN_RANGE
MODES=${BENCH_MODES:-flags ibft cmdline flags-qemu64}
for mode in $MODES; do
    for who in $WHO; do rm -f "$WORK/bin-$mode-$who.txt"; touch "$WORK/bin-$mode-$who.txt"; done
    for i in $(seq "$BOOTS"); do
        for who in $WHO; do
            case $who in ours) bin=$OURS ;; static) bin=$STATIC ;; peer) bin=$PEER ;; esac
            opts=(--binary "$bin")
            cpu=max
            case $mode in
                ibft) opts+=(--ipxe static) ;;
                cmdline) if [ $who = peer ]; then opts+=(--kernel-args isr.mark_net=1)
                         else opts+=(--cmdline "$CMDLINE_ROOT"); fi ;;
                flags-qemu64) cpu=qemu64 ;;
            esac
            log=$(ISR_QEMU_CPU=$cpu boot "bench-$mode-$who-$i" "${opts[@]}")
            [ -n "$log" ] && binary_seconds "$log" >> "$WORK/bin-$mode-$who.txt"
            echo "qemu-bench: $mode $who $i: $(tail -n 1 "$WORK/bin-$mode-$who.txt") s" >&2
        done
    done
    for who in $WHO; do
        BIN_MED[$mode-$who]=$(median < "$WORK/bin-$mode-$who.txt")
        BIN_RANGE[$mode-$who]=$(minmax < "$WORK/bin-$mode-$who.txt")
    done
done

# table 1 and its notes (also the whole report with QEMU_BENCH_BINARY_ONLY=1)
binary_table() {
    echo "### 1. Binary start to root block device"
    echo
    echo "| mode | ours | Debian's iscsistart | ours / peer | ours, \`make static\` | static / peer |"
    echo "|---|---|---|---|---|---|"
    for mode in $MODES; do
        st="n/a | n/a"
        [ -n "${BIN_MED[$mode-static]:-}" ] &&
            st="${BIN_MED[$mode-static]} (${BIN_RANGE[$mode-static]}) | $(ratio "${BIN_MED[$mode-static]}" "${BIN_MED[$mode-peer]}")"
        echo "| $mode | ${BIN_MED[$mode-ours]} (${BIN_RANGE[$mode-ours]}) | ${BIN_MED[$mode-peer]} (${BIN_RANGE[$mode-peer]}) | $(ratio "${BIN_MED[$mode-ours]}" "${BIN_MED[$mode-peer]}") | $st |"
    done
    echo
    echo "flags: \`-i -t -g -a -p\`, network set up by the init; ibft: iPXE sanhook, then"
    echo "\`iscsistart -N\` and \`-b\`; cmdline: static \`ip=\`, \`netroot=iscsi:\` with LUN 1 and"
    echo "\`rd.iscsi.initiator=\`: ours with no arguments sets up the network itself, the"
    echo "peer gets what dracut's scripts derive (the init loads the NIC driver and"
    echo "sets the address, inside the window, then \`-i -t -g -a -p\`); flags-qemu64:"
    echo "flags on QEMU's default CPU model (no RDRAND: the kernel's crng is not"
    echo "ready yet; no SSE4.2/PCLMUL), the others on \`-cpu max\`. From the init's"
    echo "first iSCSI step (the peer's module preload of iscsi_tcp, sd_mod and their"
    echo "dependencies, which it cannot do itself; for ours nothing is preloaded) to"
    echo "the disk's block device."
}
if [ "${QEMU_BENCH_BINARY_ONLY:-0}" = 1 ]; then
    {
        echo "## QEMU boots: ours vs Debian's open-iscsi (binary table only)"
        echo
        echo "Measured $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) CPUs (load average now $(cut -d' ' -f1-3 /proc/loadavg)),"
        echo "QEMU TCG, $BOOTS boots per line; seconds, median (min-max)."
        echo
        binary_table
    } > "$OUT"
    cat "$OUT"
    exit 0
fi

# --- 2. the initramfs images ---------------------------------------------------
IMG_STOCK=$WORK/dracut-stock.img IMG_DRACUT=$WORK/dracut-ours.img IMG_INITCPIO=$WORK/initcpio-ours.cpio.gz
"$QT/build-dracut-image.sh" "$IMG_STOCK" "$OURS" stock-iscsi > "$WORK/build-stock.log" 2>&1 ||
    die "stock dracut image failed, see $WORK/build-stock.log"
ISCSIROOT_NET_DRIVERS= "$QT/build-dracut-image.sh" "$IMG_DRACUT" "$OURS" shell > "$WORK/build-dracut.log" 2>&1 ||
    die "our dracut image failed, see $WORK/build-dracut.log"
"$QT/build-initcpio-image.sh" "$IMG_INITCPIO" "$OURS" > "$WORK/build-initcpio.log" 2>&1 ||
    die "our initcpio image failed, see $WORK/build-initcpio.log"
IMG_ITOOLS_STOCK=$WORK/itools-stock.img IMG_ITOOLS=$WORK/itools-ours.img
"$QT/build-initramfs-tools-image.sh" "$IMG_ITOOLS_STOCK" "$OURS" stock > "$WORK/build-itools-stock.log" 2>&1 ||
    die "stock initramfs-tools image failed, see $WORK/build-itools-stock.log"
"$QT/build-initramfs-tools-image.sh" "$IMG_ITOOLS" "$OURS" ours > "$WORK/build-itools.log" 2>&1 ||
    die "our initramfs-tools image failed, see $WORK/build-itools.log"

declare -A IMG_MED IMG_RANGE IMG_FILE IMG_CMDLINE
IMG_FILE[stock]=$IMG_STOCK IMG_FILE[dracut]=$IMG_DRACUT IMG_FILE[initcpio]=$IMG_INITCPIO
IMG_FILE[itools-stock]=$IMG_ITOOLS_STOCK IMG_FILE[itools]=$IMG_ITOOLS
IMGS="stock dracut initcpio itools-stock itools"
for img in $IMGS; do IMG_CMDLINE[$img]=$STATIC_ROOT; done
# initramfs-tools: the same words for both images, Debian's iscsi_* (what
# open-iscsi's script reads; ours reads them too), ip= without a device
# (the image's udev renames the NIC), klibc ipconfig's format for theirs
IMG_CMDLINE[itools-stock]=$ITOOLS_ROOT IMG_CMDLINE[itools]=$ITOOLS_ROOT
for img in $IMGS; do rm -f "$WORK/img-$img.txt"; touch "$WORK/img-$img.txt"; done
for i in $(seq "$BOOTS"); do
    for img in $IMGS; do
        log=$(boot "bench-img-$img-$i" --initrd "${IMG_FILE[$img]}" --cmdline "${IMG_CMDLINE[$img]}")
        [ -n "$log" ] && marker "$log" ISR-ROOT-UPTIME >> "$WORK/img-$img.txt"
        echo "qemu-bench: image $img $i: $(tail -n 1 "$WORK/img-$img.txt") s" >&2
    done
done
for img in $IMGS; do
    IMG_MED[$img]=$(median < "$WORK/img-$img.txt")
    IMG_RANGE[$img]=$(minmax < "$WORK/img-$img.txt")
done

# --- 3. sizes ------------------------------------------------------------------
kib() { echo $(( ($1 + 1023) / 1024 )); }
unpacked() { zcat "$1" 2>/dev/null | wc -c; }
# a binary plus the shared libraries it loads (not the dynamic loader)
with_libs() {
    local total f
    total=$(stat -L -c %s "$1")
    for f in $(ldd "$1" 2>/dev/null | awk '$3 ~ /^\// { print $3 }'); do
        total=$((total + $(stat -L -c %s "$f")))
    done
    echo "$total"
}
libs_of() { ldd "$1" 2>/dev/null | awk '$3 ~ /^\// { n = $1; sub(/\.so.*/, "", n); printf "%s%s", sep, n; sep = ", " }'; }
OURS_SIZE=$(stat -c %s "$OURS") OURS_ALL=$(with_libs "$OURS")   # as built (-g)
PEER_SIZE=$(stat -c %s "$PEER") PEER_ALL=$(with_libs "$PEER")
OURS_STRIPPED=$WORK/iscsistart.stripped
strip -o "$OURS_STRIPPED" "$OURS"
OURS_STRIPPED_ALL=$(( $(stat -c %s "$OURS_STRIPPED") + OURS_ALL - OURS_SIZE ))
STATIC_SIZE=
[ -x "$STATIC" ] && STATIC_SIZE=$(stat -c %s "$STATIC")

# --- report --------------------------------------------------------------------------
{
    echo "## QEMU boots: ours vs Debian's open-iscsi"
    echo
    echo "Measured $(date -u +%Y-%m-%d) on $(nproc) CPUs, QEMU TCG (no KVM), kernel $(. "$QT/cache/kernel.env" && echo "$KVER"),"
    echo "$BOOTS boots per line; seconds, median (min-max). Peer: Debian's $PEER"
    echo "($(dpkg-query -W -f '${Package} ${Version}' open-iscsi 2>/dev/null))."
    echo
    binary_table
    echo
    echo "### 2. Kernel start to the real root's init"
    echo
    echo "| initramfs | seconds | / stock dracut | compressed | unpacked |"
    echo "|---|---|---|---|---|"
    for img in stock dracut initcpio; do
        case $img in
            stock) label="dracut, its own iscsi module (stock)" ;;
            dracut) label="dracut, our iscsiroot module" ;;
            initcpio) label="mkinitcpio-style, our iscsiroot hook" ;;
        esac
        f=${IMG_FILE[$img]}
        echo "| $label | ${IMG_MED[$img]} (${IMG_RANGE[$img]}) | $(ratio "${IMG_MED[$img]}" "${IMG_MED[stock]}") | $(kib "$(stat -c %s "$f")") KiB | $(kib "$(unpacked "$f")") KiB |"
    done
    echo
    echo "Kernel command line: static \`ip=\`, \`netroot=iscsi:\`, \`rd.iscsi.initiator=\`,"
    echo "\`root=LABEL=\`. dracut $(. /usr/lib/dracut/dracut-version.sh 2>/dev/null; echo "${DRACUT_VERSION:-?}"), shell init (no systemd), gzip -1; both"
    echo "dracut images with every Ethernet driver (as \`--no-hostonly\` builds);"
    echo "the mkinitcpio-style one (qemu-tests' runner of our hook) with the"
    echo "virtio NIC's driver only, so its size is not comparable to the others."
    echo
    echo "Debian's initramfs-tools (mkinitramfs $(dpkg-query -W -f '${Version}' initramfs-tools-core 2>/dev/null), real images):"
    echo
    echo "| initramfs | seconds | / Debian's stock path | compressed | unpacked |"
    echo "|---|---|---|---|---|"
    for img in itools-stock itools; do
        case $img in
            itools-stock) label="initramfs-tools, open-iscsi's hook and script with its iscsistart (stock)" ;;
            itools) label="initramfs-tools, our hook and script" ;;
        esac
        f=${IMG_FILE[$img]}
        echo "| $label | ${IMG_MED[$img]} (${IMG_RANGE[$img]}) | $(ratio "${IMG_MED[$img]}" "${IMG_MED[itools-stock]}") | $(kib "$(stat -c %s "$f")") KiB | $(kib "$(unpacked "$f")") KiB |"
    done
    echo
    echo "Kernel command line for both: \`ip=\` without a device, Debian's \`iscsi_initiator=\`,"
    echo "\`iscsi_target_name=\`, \`iscsi_target_ip=\`, \`iscsi_target_port=\`, \`root=LABEL=\`. Both images"
    echo "built by qemu-tests/build-initramfs-tools-image.sh (MODULES=list: virtio NIC, ext4, and"
    echo "what each hook adds, plus sd_mod for the stock one, whose hook adds no disk driver;"
    echo "gzip). The stock script runs open-iscsi's iscsistart twice for the target (the"
    echo "second run finds the session), each after that binary's one-second sleep."
    echo
    echo "### 3. Binary sizes"
    echo
    echo "| binary | file | with its shared libraries | / Debian's with libraries |"
    echo "|---|---|---|---|"
    echo "| Debian's iscsistart | $(kib "$PEER_SIZE") KiB | $(kib "$PEER_ALL") KiB ($(libs_of "$PEER")) | 1.00 |"
    echo "| ours, \`make\` (stripped) | $(kib "$(stat -c %s "$OURS_STRIPPED")") KiB | $(kib "$OURS_STRIPPED_ALL") KiB ($(libs_of "$OURS")) | $(ratio "$OURS_STRIPPED_ALL" "$PEER_ALL") |"
    if [ -n "$STATIC_SIZE" ]; then
        echo "| ours, \`make static\` (stripped) | $(kib "$STATIC_SIZE") KiB | $(kib "$STATIC_SIZE") KiB (none) | $(ratio "$STATIC_SIZE" "$PEER_ALL") |"
    fi
    echo
    echo "Debian's binary is stripped as packaged. Our dynamic build needs libstdc++"
    echo "(and libgcc_s, libm) besides what Debian's needs; in an initramfs that"
    echo "already has them for other tools, only the binary's own size counts."
    if [ -n "$STATIC_SIZE" ] && [ -r "${STATIC%/*}/iscsistart.map" ]; then
        echo
        echo "What the \`make static\` binary is made of (musl $(dpkg-query -W -f '${Version}' musl-dev 2>/dev/null),"
        echo "g++ 12.2 for x86_64-linux-musl built from gcc-12-source; bytes of the"
        echo "loaded input sections per archive, from the link map, bench/static-size.sh;"
        echo "the stripped file adds ELF headers and section alignment):"
        echo
        echo "| bytes | share | from |"
        echo "|---:|---:|---|"
        "$HERE/static-size.sh" "${STATIC%/*}/iscsistart.map" | awk '{ b = $1; p = $2; $1 = $2 = ""; sub(/^ +/, ""); printf "| %s | %s | %s |\n", b, p, $0 }'
    fi
} > "$OUT"
cat "$OUT"
