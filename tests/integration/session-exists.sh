#!/bin/bash
# One session per target and portal (iscsistart(8), "Existing sessions"):
# the real binary, in a private mount namespace whose /sys/class is a tmpfs
# holding a fake iscsi_tcp transport handle and a fake kernel session to a
# tgtd on 127.0.0.1 (and /dev and /run are tmpfs too, so nothing on the
# host is touched). The host kernel has no iscsi_tcp: a run that gets past
# the check fails at the next step, the NETLINK_ISCSI socket (exit 12,
# "no NETLINK_ISCSI"), before any TCP connection. So exit 12 is the mark
# of a binary that would have logged in again, and 15 of one that did not.
# Then -b (an iBFT file from ibft_tool) and --cmdline (static ip= on a
# veth pair in a private network namespace, as a first run left it).
# Usage: session-exists.sh PATH/TO/iscsistart PATH/TO/ibft_tool
set -u
. "$(dirname "$0")/lib.sh"
binary=${1:?usage: $0 iscsistart ibft_tool}
ibft_tool=${2:?usage: $0 iscsistart ibft_tool}
need_root_and "$binary"
[ -x "$ibft_tool" ] || { bad "no executable $ibft_tool"; finish; }
port=$((20000 + ($$ + 7) % 20000))
work=$(mktemp -d /tmp/isr-sess.XXXXXX)
export TGT_IPC_SOCKET=$work/tgtd.ipc
TGT=iqn.2026-11.test.iscsiroot:open

cleanup() {
    [ -n "${tgtd_pid:-}" ] && kill -KILL "$tgtd_pid" 2>/dev/null && wait "$tgtd_pid" 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

tgtd -f --iscsi portal=127.0.0.1:$port >"$work/tgtd.log" 2>&1 &
tgtd_pid=$!
for _ in $(seq 50); do tgtadm --lld iscsi --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
truncate -s 8M "$work/disk.img"
tgtadm --lld iscsi --op new --mode target --tid 1 -T $TGT &&
    tgtadm --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "$work/disk.img" &&
    tgtadm --lld iscsi --op bind --mode target --tid 1 -I ALL || { bad "tgtd setup"; finish; }

# The namespace's set-up, then the binary: ns.sh OUT -- iscsistart ARGS...,
# the fake session 3 described by the environment:
#   STATE    its state file (none: no session at all)
#   SADDR, SPORT, STARGET  its persistent address and port, its target name
#   DISK     now|late|no: its disk sdq is there, appears once the host's
#            scan file is written, or never
#   HOLD=N   another process holds /run/iscsiroot/$LOCK (default: the
#            lock of the run's target and portal) for N s first
#   WAKE=1   the state turns LOGGED_IN after 0.5 s (its owner brings it back)
#   NETNS=1  (with unshare -n) veth pairs: v0 52:54:00:12:34:56 with
#            10.77.0.2/24 (as a first run left it) and v2 ...:57, peers up
cat >"$work/ns.sh" <<'EOF'
#!/bin/sh
out=$1
shift 2
mount --make-rprivate / || exit 90
mount -t tmpfs tmpfs /sys/class && mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /dev || exit 91
mknod -m 666 /dev/null c 1 3 || exit 92
if [ "${NETNS:-0}" = 1 ]; then
    ip link set lo up &&
    ip link add v0 address 52:54:00:12:34:56 type veth peer name v1 &&
    ip link add v2 address 52:54:00:12:34:57 type veth peer name v3 &&
    for l in v0 v1 v2 v3; do ip link set $l up; done &&
    ip addr add 10.77.0.2/24 dev v0 && ip addr add 10.77.0.1/24 dev v1 || exit 93
fi
mkdir -p /sys/class/iscsi_transport/tcp && echo 3 > /sys/class/iscsi_transport/tcp/handle
if [ "$STATE" != none ]; then
    dev=/sys/class/fake-devices/platform/host5/session3
    cls=$dev/iscsi_session/session3
    mkdir -p "$cls" /sys/class/iscsi_session /sys/class/iscsi_connection/connection3:0 /sys/class/scsi_host/host5
    ln -s "$cls" /sys/class/iscsi_session/session3
    ln -s "$dev" "$cls/device"
    echo "$STARGET" > "$cls/targetname"
    echo 1 > "$cls/tpgt"
    echo "$STATE" > "$cls/state"
    echo "$SADDR" > /sys/class/iscsi_connection/connection3:0/persistent_address
    echo "$SPORT" > /sys/class/iscsi_connection/connection3:0/persistent_port
    : > /sys/class/scsi_host/host5/scan
    mkdisk() { mkdir -p "$dev/target5:0:0/5:0:0:1/block/sdq" && : > /dev/sdq; }
    case $DISK in
        now) mkdisk ;;
        late) ( for _ in $(seq 100); do
                    [ -s /sys/class/scsi_host/host5/scan ] && { cp /sys/class/scsi_host/host5/scan "$out/scan"; mkdisk; break; }
                    sleep 0.05
                done ) & ;;
    esac
    [ "${WAKE:-0}" = 1 ] && ( sleep 0.5; echo LOGGED_IN > "$cls/state" ) &
fi
if [ "${HOLD:-0}" != 0 ]; then
    mkdir -p -m 0700 /run/iscsiroot
    flock "/run/iscsiroot/$LOCK" sleep "$HOLD" &
    sleep 0.2
fi
"$@" >"$out/stdout" 2>"$out/stderr"
rc=$?
stat -c %a /run/iscsiroot > "$out/rundir-mode" 2>/dev/null
[ "${NETNS:-0}" = 1 ] && ip -o addr show dev v0 > "$out/v0-addr" && ip route > "$out/routes"
wait
exit $rc
EOF
chmod +x "$work/ns.sh"

# run NAME STATE SESSION_PORT DISK HOLD WAKE ARGS...: the binary, bounded
# (SADDR, STARGET, NETNS from the caller's environment)
run() {
    name=$1
    mkdir -p "$work/$name"
    t0=$(date +%s%N)
    STATE=$2 SPORT=$3 DISK=$4 HOLD=$5 WAKE=$6 SADDR=${SADDR:-127.0.0.1} STARGET=${STARGET:-$TGT} \
        LOCK=${LOCK:-login-$TGT@127.0.0.1:$port.lock} \
        timeout 60 unshare -m -u ${NETNS:+-n} "$work/ns.sh" "$work/$name" -- "$binary" "${@:7}"
    rc=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    out=$(cat "$work/$name/stdout")
    err=$(cat "$work/$name/stderr")
}
# expect NAME WANT_RC [STDOUT]: the exit code, and stdout exactly STDOUT
expect() {
    if [ "$rc" != "$2" ]; then
        bad "$1: exit $rc, expected $2"; printf '%s\n' "$err" | sed 's/^/    /' | tail -6; return 1
    fi
    if [ "${3-unset}" != unset ] && [ "$out" != "$3" ]; then
        bad "$1: stdout '$out', expected '$3'"; return 1
    fi
    return 0
}
has() {  # has NAME TEXT: stderr contains TEXT
    if printf '%s\n' "$err" | grep -qF -- "$2"; then return 0; fi
    bad "$1: stderr lacks '$2'"; printf '%s\n' "$err" | sed 's/^/    /' | tail -6; return 1
}
connections() { tgtadm --lld iscsi --op show --mode conn --tid 1 2>/dev/null | grep -c 'Connection'; }

base=(-i iqn.2026-11.test.iscsiroot:initiator -t $TGT -a 127.0.0.1 -p $port
      -P node.session.initial_login_retry_max=1)
args=("${base[@]}" -g 1)

# 1. a logged-in session to the same target and portal: not logged in
# again; its disk on stdout, open-iscsi's error line, exit 15
run logged-in LOGGED_IN $port now 0 0 "${args[@]}"
if expect "logged-in session" 15 /dev/sdq &&
    has "logged-in session" "session 3 to $TGT at 127.0.0.1:$port already exists (logged in); not logging in again" &&
    has "logged-in session" "error: initiator reported error (15 - session exists)"; then
    if [ "$(connections)" = 0 ] && ! printf '%s\n' "$err" | grep -q 'logging in to\|kernel session .* created'; then
        ok "logged-in session: exit 15, /dev/sdq printed, no login ($ms ms)"
    else
        bad "logged-in session: a login was started"
    fi
fi
[ "$(cat "$work/logged-in/rundir-mode" 2>/dev/null)" = 700 ] && ok "/run/iscsiroot made 0700 for the lock" ||
    bad "/run/iscsiroot mode '$(cat "$work/logged-in/rundir-mode" 2>/dev/null)', expected 700"

# 2. no disk visible yet: one scan of the session's host, then its disk
run late-disk LOGGED_IN $port late 0 0 "${args[@]}"
expect "scan for the disk" 15 /dev/sdq && [ "$(cat "$work/late-disk/scan" 2>/dev/null)" = "- - -" ] &&
    ok "no disk yet: host5 scanned once, then /dev/sdq printed" ||
    { [ "$rc" = 15 ] && bad "scan for the disk: host5/scan holds '$(cat "$work/late-disk/scan" 2>/dev/null)'"; }

# 3. a session to another port of the same target is another session: the
# binary goes past the check (and fails at the netlink step on this host)
run other-port LOGGED_IN $((port + 1)) now 0 0 "${args[@]}"
expect "other port" 12 "" && has "other port" "no NETLINK_ISCSI" &&
    ok "session on another port: not matched, the login goes on (exit 12: no iscsi_tcp on the host)"
run other-tpgt LOGGED_IN $port now 0 0 "${base[@]}" -g 2
expect "other TPGT" 12 "" && ok "session with another TPGT (-g 2): not matched"
run no-session none $port no 0 0 "${args[@]}"
expect "no session" 12 "" && ok "no session: the login goes on"

# 4. FAILED and not coming back within login_timeout (1 s): no second
# session, one line naming it, its state and the way out; no disk printed
run failed FAILED $port now 0 0 "${args[@]}" -P node.conn[0].timeo.login_timeout=1
if expect "failed session" 15 "" &&
    has "failed session" "session 3 to $TGT is FAILED and did not log in within 1 s; not creating a second session (log it out with \`iscsiadm -m session -r 3 -u\`, or wait for its recovery)"; then
    n=$(grep -c 'error: .*session exists' "$work/failed/stderr")
    if [ "$ms" -ge 900 ] && [ "$n" = 1 ]; then
        ok "FAILED session: waited login_timeout ($ms ms), one error line, exit 15, nothing printed"
    else
        bad "FAILED session: $ms ms, $n 'session exists' error lines"
    fi
fi
run free FREE $port now 0 0 "${args[@]}" -P node.conn[0].timeo.login_timeout=1
expect "FREE session" 15 "" && has "FREE session" "is FREE and did not log in within 1 s" &&
    ok "FREE session (being created by someone else): same answer"

# 5. FAILED, then its owner brings it back within the wait: as logged in
run wakes FAILED $port now 0 1 "${args[@]}" -P node.conn[0].timeo.login_timeout=10
expect "recovered session" 15 /dev/sdq && has "recovered session" "exists but is FAILED; waiting up to 10 s" &&
    has "recovered session" "already exists (logged in)" &&
    ok "FAILED session back to LOGGED_IN after 0.5 s: exit 15 with /dev/sdq ($ms ms)"

# 6. another iscsistart holds the login lock of this target and portal:
# we wait for it, then check
run locked LOGGED_IN $port now 1.5 0 "${args[@]}"
if expect "lock held" 15 /dev/sdq &&
    has "lock held" "waiting for /run/iscsiroot/login-$TGT@127.0.0.1:$port.lock (another iscsistart is logging in to $TGT at 127.0.0.1:$port)"; then
    [ "$ms" -ge 1200 ] && ok "login lock: waited for the other holder ($ms ms), then exit 15" ||
        bad "login lock: returned after $ms ms, before the holder let go"
fi
# 6b. the lock of another portal of the same target (a second path of a
# multipath root logging in at the same time) does not hold us up
LOCK=login-$TGT@127.0.0.2:$port.lock run other-portal LOGGED_IN $port now 3 0 "${args[@]}"
if expect "other portal's lock" 15 /dev/sdq; then
    if printf '%s\n' "$err" | grep -q "waiting for /run/iscsiroot/"; then
        bad "other portal's lock: waited for it"
    else
        # (ns.sh's own run lasts as long as the holder: the binary's last
        # log line says how long it took)
        took=$(printf '%s\n' "$err" | sed -n 's/^iscsistart: \[ *\([0-9]*\) ms\].*/\1/p' | tail -1)
        [ -n "$took" ] && [ "$took" -lt 2500 ] && ok "login lock: another portal's lock is not ours ($took ms)" ||
            bad "login lock: took ${took:-?} ms with another portal's lock held for 3 s"
    fi
fi

# 7. -b: the iBFT's boot target has a session already (ibft_tool's table:
# NIC 52:54:00:12:34:56, target iqn.2026-11.test.iscsiroot:root at 10.77.0.1:3260)
ROOT=iqn.2026-11.test.iscsiroot:root
"$ibft_tool" "$work/ibft.bin" || { bad "ibft_tool"; finish; }
NETNS=1 SADDR=10.77.0.1 STARGET=$ROOT run fw LOGGED_IN 3260 now 0 0 -b --ibft "$work/ibft.bin"
expect "-b" 15 /dev/sdq && has "-b" "iBFT target 0: initiator reported error (15 - session exists)" &&
    ok "-b: the iBFT target's session exists: exit 15, /dev/sdq printed"

# 8. --cmdline again after a boot that configured v0 statically: the
# address and route are there already (EEXIST is fine), nothing is added
# twice, and the run is quick
STATIC="ip=10.77.0.2::10.77.0.1:255.255.255.0::v0:off rd.iscsi.initiator=iqn.2026-11.test.iscsiroot:initiator"
NETNS=1 SADDR=10.77.0.1 STARGET=$ROOT run cmdline LOGGED_IN 3260 now 0 0 \
    --cmdline "$STATIC netroot=iscsi:10.77.0.1::3260:1:$ROOT"
if expect "--cmdline rerun" 15 /dev/sdq && has "--cmdline rerun" "target $ROOT: initiator reported error (15 - session exists)"; then
    addrs=$(grep -c 'inet ' "$work/cmdline/v0-addr") defaults=$(grep -c '^default' "$work/cmdline/routes")
    if [ "$addrs" = 1 ] && [ "$defaults" = 1 ] && [ "$ms" -lt 5000 ]; then
        ok "--cmdline rerun: exit 15, /dev/sdq, v0 still one address and one default route ($ms ms)"
    else
        bad "--cmdline rerun: $addrs addresses, $defaults default routes on v0, $ms ms"
    fi
fi

# 9. --cmdline with two targets, the first one's session there, the second
# new (it fails on this host at the netlink step): a target that is there
# makes the run 15, not the second one's 12; its disk is printed
NETNS=1 SADDR=10.77.0.1 STARGET=$ROOT run cmdline-two LOGGED_IN 3260 now 0 0 \
    --cmdline "$STATIC netroot=iscsi:10.77.0.1::3260:1:$ROOT netroot=iscsi:10.77.0.1::3260:1:$ROOT.second"
expect "--cmdline two targets" 15 /dev/sdq && has "--cmdline two targets" "target $ROOT.second: kernel: no NETLINK_ISCSI" &&
    ok "--cmdline, one target there, one failing: exit 15, the existing disk printed"

finish
