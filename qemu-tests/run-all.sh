#!/bin/bash
# run-all.sh [--binary PATH] [--jobs N] [--only REGEX]
#
# Runs every QEMU iSCSI-root boot scenario through run-boot.sh and prints
# "N passed, M failed" as the last line; exits non-zero if any failed.
#   --binary PATH   iscsistart to test (default ../iscsistart/iscsistart);
#                   Debian's /usr/sbin/iscsistart gets --preload (it loads no
#                   modules itself), any other binary gets --no-preload
#   --jobs N        boots run in parallel (default 1; >1 skews login times)
#   --only REGEX    run only scenarios whose name matches REGEX
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
BINARY=$HERE/../iscsistart/iscsistart
JOBS=1
ONLY=

while [ $# -gt 0 ]; do
    case $1 in
        --binary) BINARY=$2; shift ;;
        --jobs) JOBS=$2; shift ;;
        --only) ONLY=$2; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
        *) echo "run-all: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -x "$BINARY" ] || { echo "run-all: no executable $BINARY (build it first)" >&2; echo "0 passed, 1 failed"; exit 1; }
BINARY=$(realpath "$BINARY")
case $BINARY in
    /usr/sbin/iscsistart|/sbin/iscsistart) PRELOAD=--preload ;;
    *) PRELOAD=--no-preload ;;
esac

CHAP=isrinit:InitSecret-1234
MUTUAL=isrtarget:TargetSecret-5678

SCENARIOS="noauth chap-oneway chap-mutual chap-wrong-password target-delayed-20s
           ibft-dhcp ibft-mutual-chap ibft-static"
scenario_opts() {  # sets OPTS for scenario $1
    case $1 in
        noauth) OPTS=(--timeout 120) ;;
        chap-oneway) OPTS=(--chap "$CHAP" --timeout 120) ;;
        chap-mutual) OPTS=(--chap "$CHAP" --mutual "$MUTUAL" --timeout 120) ;;
        chap-wrong-password)
            OPTS=(--chap "$CHAP" --args "-w WrongSecret-0000" --expect fail:24 --timeout 120) ;;
        target-delayed-20s) OPTS=(--target-delay 20 --timeout 150) ;;
        # iPXE sanhook writes the iBFT; the init runs iscsistart -N and -b
        ibft-dhcp) OPTS=(--ipxe dhcp --timeout 150) ;;
        ibft-mutual-chap) OPTS=(--ipxe dhcp --chap "$CHAP" --mutual "$MUTUAL" --timeout 150) ;;
        ibft-static) OPTS=(--ipxe static --timeout 150) ;;
    esac
}

mkdir -p "$HERE/work"
RES=$(mktemp -d "$HERE/work/results.XXXXXX")
trap 'rm -rf "$RES"' EXIT

# Build the kernel/initramfs/rootfs caches once, up front, so parallel boots
# do not all wait on the same lock (run-boot.sh would build them anyway).
"$HERE/fetch-kernel.sh" >/dev/null || { echo "run-all: fetch-kernel.sh failed" >&2; echo "0 passed, 1 failed"; exit 1; }

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

i=0
for name in $SCENARIOS; do
    if [ -n "$ONLY" ] && ! [[ $name =~ $ONLY ]]; then continue; fi
    i=$((i + 1))
    while [ ${#RUNNING[@]} -ge "$JOBS" ]; do reap_one; done
    scenario_opts "$name"
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
