#!/bin/bash
# bench/run.sh: what `make bench` runs (not part of make check). Writes
# bench/results.md and prints it:
#   - QEMU boots, ours against Debian's open-iscsi iscsistart in the same
#     run (bench/qemu-bench.sh): binary start to root block device in the
#     flags, iBFT and kernel command line modes and flags on QEMU's
#     qemu64 CPU, kernel start to the real root for our dracut
#     and mkinitcpio-style images against dracut's stock iscsi module,
#     image and binary sizes;
#   - a boot storm of in-process initiators against one tgtd on loopback
#     (bench/storm.sh).
# Environment: BENCH_BOOTS (boots per line, default 5); BENCH_MODES
# (table 1's modes, see qemu-bench.sh).
# Needs root and the packages of .ci/debian-packages.txt (open-iscsi and
# dracut-network included).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
mkdir -p "$BUILD/bench"
t0=$(date +%s)
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
bench/qemu-bench.sh "$BUILD/bench/qemu.md" "${BENCH_BOOTS:-5}"
bench/storm.sh "$BUILD/bench/storm" "$BUILD/bench/storm.md"
{
    echo "# iscsiroot benchmark results"
    echo
    echo "Written by \`make bench\` (bench/run.sh) on $(date -u '+%Y-%m-%d %H:%M UTC'),"
    echo "$(nproc) CPUs, load average before the run: $LOAD0; the whole run took"
    echo "$(( $(date +%s) - t0 )) s. Ratios are ours divided by the peer, both measured"
    echo "in this run; below 1 is better for us."
    echo
    cat "$BUILD/bench/qemu.md"
    echo
    cat "$BUILD/bench/storm.md"
} > bench/results.md.tmp
mv bench/results.md.tmp bench/results.md
echo "bench: wrote bench/results.md"
