#!/bin/bash
# SendTargets discovery (iscsistart --discover) against a real tgtd on
# 127.0.0.1, each answer compared with what Debian's iscsiadm
# (`iscsiadm -m discovery -t st -p 127.0.0.1:PORT`) prints for the same
# target: no auth, one-way and mutual discovery CHAP, a long list over
# several Text Responses; a wrong discovery secret is exit 24 and the
# secret never shows. tgt lists each target once, at the address asked,
# with tag 1 (usr/iscsi/iscsid.c, text_scan_text), so the scripted target
# of tests/tools/hostile_target.cpp (scenario sendtargets-portals) stands
# in for what tgt never sends: a target with two portals, an IPv6 portal,
# a target without TargetAddress, an answer cut inside a pair; also
# (sendtargets-empty, -redirect) an empty answer and a redirected login.
#
# iscsiadm, run here with -o nonpersistent so it stores no node records,
# needs neither iscsid nor the kernel for discovery when its iface record
# names the initiator (else it asks iscsid for the name), but it does
# insist on /sys/class/iscsi_transport/tcp (the iscsi_tcp module, which a
# container cannot load). So each iscsiadm run is in a private mount
# namespace with a private /etc/iscsi (a discovery record with the
# credentials, an iface "isr" with the initiator name) and, only when the
# host has no iscsi_tcp loaded, a tmpfs /sys/class holding that one
# transport directory. Nothing is written to the host's /etc/iscsi or
# /sys; no iscsid is started.
# Usage: discovery.sh PATH/TO/iscsistart PATH/TO/hostile_target
set -u
binary=${1:?usage: $0 iscsistart hostile_target}
hostile=${2:?usage: $0 iscsistart hostile_target}
. "$(dirname "$0")/lib.sh"
need_root_and "$binary"
[ -x "$hostile" ] || { bad "no executable $hostile"; finish; }
command -v iscsiadm >/dev/null || { bad "no iscsiadm (Debian's open-iscsi)"; finish; }
export LC_ALL=C
port=$((20000 + ($$ + 7919) % 20000))
work=$(mktemp -d /tmp/isr-discovery.XXXXXX)
export TGT_IPC_SOCKET=$work/tgtd.ipc
tgtd_pid= hostile_pid=
cleanup() {
    # tgtd ignores SIGTERM while it has targets; it keeps no state we need.
    [ -n "$tgtd_pid" ] && kill -KILL "$tgtd_pid" 2>/dev/null && wait "$tgtd_pid" 2>/dev/null
    [ -n "$hostile_pid" ] && kill "$hostile_pid" 2>/dev/null && wait "$hostile_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
initiator=iqn.2026-11.test.iscsiroot:discoverer
secrets='DiscSecret123|TargetDiscSecret456|WrongDiscSecret789'

tgtd -f --iscsi portal=127.0.0.1:$port >"$work/tgtd.log" 2>&1 &
tgtd_pid=$!
for _ in $(seq 50); do tgtadm --lld iscsi --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
adm() { tgtadm --lld iscsi "$@" || { bad "tgtadm $* failed"; finish; }; }

# iscsiadm_st PORT [discovery.sendtargets.NAME=VALUE...]: iscsiadm's
# SendTargets output (stdout) for 127.0.0.1:PORT, its exit status in
# $work/iscsiadm.rc. The settings go into a discovery record (-m
# discoverydb -o new / -o update, in the private /etc/iscsi/send_targets):
# `-m discovery` alone takes its defaults from iscsid.conf only through
# iscsid, which asks the kernel's iscsi_tcp for a netlink socket.
iscsiadm_st() {
    local p=$1 etc=$work/etc-iscsi
    shift
    rm -rf "$etc" && mkdir -p "$etc/ifaces"
    echo "iscsid.startup = /bin/true" >"$etc/iscsid.conf"
    echo "InitiatorName=$initiator" >"$etc/initiatorname.iscsi"
    printf 'iface.iscsi_ifacename = isr\niface.transport_name = tcp\niface.initiatorname = %s\n' \
        "$initiator" >"$etc/ifaces/isr"
    unshare -m --propagation private sh -c '
        if [ ! -e /sys/class/iscsi_transport/tcp ]; then
            mount -t tmpfs isr-fake-sysclass /sys/class || exit 90
            mkdir -p /sys/class/iscsi_transport/tcp
            echo 1 >/sys/class/iscsi_transport/tcp/handle
            echo 0x39 >/sys/class/iscsi_transport/tcp/caps
        fi
        mount --bind "$1" /etc/iscsi || exit 91
        portal=127.0.0.1:$2
        shift 2
        iscsiadm -m discoverydb -t st -p "$portal" -o new >/dev/null || exit 92
        for kv in "$@"; do
            iscsiadm -m discoverydb -t st -p "$portal" -o update -n "${kv%%=*}" -v "${kv#*=}" || exit 93
        done
        iscsiadm -m discoverydb -t st -p "$portal" -I isr --discover -o nonpersistent' sh "$etc" "$p" "$@" \
        2>"$work/iscsiadm.err"
    echo $? >"$work/iscsiadm.rc"
    rm -rf "$etc"
}

# ours NAME ARGS...: iscsistart --discover at debug level 8; stdout in
# $work/ours, everything in $work/ours.all, exit status in $rc. A secret
# in any of it is a failure.
ours() {
    local name=$1
    shift
    "$binary" --discover -i "$initiator" -d 8 -P discovery.sendtargets.reopen_max=0 "$@" \
        >"$work/ours" 2>"$work/ours.err"
    rc=$?
    cat "$work/ours" "$work/ours.err" >"$work/ours.all"
    if grep -qE "$secrets" "$work/ours.all"; then
        bad "$name: a CHAP secret was printed"
        return 1
    fi
}

# same_as_iscsiadm NAME PORT OUR_ARGS -- ISCSIADM_SETTINGS: both exit 0
# and print the same lines in the same order (iscsiadm keeps the target's
# order, as we do).
same_as_iscsiadm() {
    local name=$1 p=$2 args=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
    shift
    ours "$name" -a 127.0.0.1 -p "$p" "${args[@]}" || return
    iscsiadm_st "$p" "$@" >"$work/theirs"
    local theirs_rc
    theirs_rc=$(cat "$work/iscsiadm.rc")
    if [ "$rc" != 0 ]; then
        bad "$name: iscsistart exit $rc"; sed 's/^/    /' "$work/ours.err" | grep -v 'text response' | tail -4
    elif [ "$theirs_rc" != 0 ]; then
        bad "$name: iscsiadm exit $theirs_rc"; sed 's/^/    /' "$work/iscsiadm.err" | tail -4
    elif [ ! -s "$work/ours" ]; then
        bad "$name: no output"
    elif ! cmp -s "$work/ours" "$work/theirs"; then
        bad "$name: output differs from iscsiadm's"; diff "$work/theirs" "$work/ours" | sed 's/^/    /' | head -10
    else
        ok "$name ($(wc -l <"$work/ours") lines, as iscsiadm)"
    fi
}

adm --op new --mode target --tid 1 -T iqn.2026-11.test.iscsiroot:disc-a
adm --op new --mode target --tid 2 -T iqn.2026-11.test.iscsiroot:disc-b
for tid in 1 2; do adm --op bind --mode target --tid $tid -I ALL; done

# (a) no authentication
same_as_iscsiadm "two targets, no auth" $port --
if grep -qx "127.0.0.1:$port,1 iqn.2026-11.test.iscsiroot:disc-a" "$work/ours" &&
    grep -qx "127.0.0.1:$port,1 iqn.2026-11.test.iscsiroot:disc-b" "$work/ours"; then
    ok "both targets listed"
else
    bad "both targets listed: got $(tr '\n' ' ' <"$work/ours")"
fi
if grep -q "SessionType=Discovery" "$work/ours.err" && ! grep -q "TargetName=" "$work/ours.err" &&
    ! grep -q "InitialR2T" "$work/ours.err"; then
    ok "discovery login: SessionType=Discovery, no TargetName, no InitialR2T"
else
    bad "discovery login keys"; grep 'login request' "$work/ours.err" | sed 's/^/    /'
fi

# a long list over several Text Responses: MaxRecvDataSegmentLength 512
for tid in $(seq 3 12); do
    adm --op new --mode target --tid $tid -T "iqn.2026-11.test.iscsiroot:a-rather-long-target-name-to-fill-pdus-$tid"
    adm --op bind --mode target --tid $tid -I ALL
done
same_as_iscsiadm "12 targets in 512-byte Text Responses" $port \
    -P discovery.sendtargets.iscsi.MaxRecvDataSegmentLength=512 -- \
    discovery.sendtargets.iscsi.MaxRecvDataSegmentLength=512
n=$(grep -c 'text response' "$work/ours.err")
if [ "$n" -ge 3 ] && [ "$(wc -l <"$work/ours")" = 12 ]; then
    ok "the answer spanned $n Text Responses"
else
    bad "expected 12 records over several Text Responses, got $(wc -l <"$work/ours") over $n"
fi
for tid in $(seq 3 12); do adm --op delete --mode target --tid $tid; done

# (b) discovery CHAP: tgt binds an account for discovery when no --tid is
# given (tgtadm's GLOBAL_TID); then every discovery session must log in
# with it, normal sessions are unaffected.
adm --op new --mode account --user disc --password DiscSecret123
adm --op bind --mode account --user disc
ours "discovery without credentials" -a 127.0.0.1 -p $port
if [ "$rc" = 24 ]; then ok "no credentials: exit 24"; else bad "no credentials: exit $rc, expected 24"; fi
chap=(-P discovery.sendtargets.auth.authmethod=CHAP -P discovery.sendtargets.auth.username=disc
    -P discovery.sendtargets.auth.password=DiscSecret123)
chap_conf=(discovery.sendtargets.auth.authmethod=CHAP discovery.sendtargets.auth.username=disc
    discovery.sendtargets.auth.password=DiscSecret123)
same_as_iscsiadm "one-way discovery CHAP" $port "${chap[@]}" -- "${chap_conf[@]}"
# the node credentials (-u/-w) are not the discovery ones
ours "node credentials only" -a 127.0.0.1 -p $port -u disc -w DiscSecret123
if [ "$rc" = 24 ]; then ok "node -u/-w do not apply to discovery: exit 24"; else bad "node -u/-w: exit $rc, expected 24"; fi

adm --op new --mode account --user tgtdisc --password TargetDiscSecret456
adm --op bind --mode account --user tgtdisc --outgoing
same_as_iscsiadm "mutual discovery CHAP" $port "${chap[@]}" \
    -P discovery.sendtargets.auth.username_in=tgtdisc -P discovery.sendtargets.auth.password_in=TargetDiscSecret456 -- \
    "${chap_conf[@]}" discovery.sendtargets.auth.username_in=tgtdisc \
    discovery.sendtargets.auth.password_in=TargetDiscSecret456

# (c) wrong secrets: exit 24 as iscsiadm's, nothing on stdout, one error
# line, no secret anywhere (checked by ours at debug level 8)
wrong() {  # wrong NAME ARGS...
    local name=$1
    shift
    ours "$name" -a 127.0.0.1 -p $port "$@" || return
    if [ "$rc" != 24 ]; then
        bad "$name: exit $rc, expected 24"; tail -3 "$work/ours.err" | sed 's/^/    /'
    elif [ -s "$work/ours" ]; then
        bad "$name: printed records"
    elif [ "$(grep -c 'error:' "$work/ours.err")" != 1 ]; then
        bad "$name: expected one error line"; grep 'error:' "$work/ours.err" | sed 's/^/    /'
    else
        ok "$name: exit 24, $(grep 'error:' "$work/ours.err" | sed 's/.*error: //')"
    fi
}
wrong "wrong discovery password" -P discovery.sendtargets.auth.username=disc \
    -P discovery.sendtargets.auth.password=WrongDiscSecret789
wrong "wrong discovery password_in" "${chap[@]}" -P discovery.sendtargets.auth.username_in=tgtdisc \
    -P discovery.sendtargets.auth.password_in=WrongDiscSecret789
iscsiadm_st $port discovery.sendtargets.auth.authmethod=CHAP discovery.sendtargets.auth.username=disc \
    discovery.sendtargets.auth.password=WrongDiscSecret789 >/dev/null
if [ "$(cat "$work/iscsiadm.rc")" = 24 ]; then
    ok "iscsiadm agrees: wrong discovery password is exit 24"
else
    bad "iscsiadm with the wrong password: exit $(cat "$work/iscsiadm.rc")"
fi
# the discovery password is wiped from argv while it runs: a portal that
# accepts the connection and never answers holds the run for its
# login_timeout
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4); time.sleep(20)' $((port + 2)) &
mute_pid=$!
for _ in $(seq 50); do ss -Hltn "sport = :$((port + 2))" | grep -q . && break; sleep 0.1; done
"$binary" --discover -i "$initiator" -a 127.0.0.1 -p $((port + 2)) -P discovery.sendtargets.auth.username=disc \
    -P discovery.sendtargets.auth.password=DiscSecret123 -P discovery.sendtargets.timeo.login_timeout=2 \
    -P discovery.sendtargets.reopen_max=0 >/dev/null 2>"$work/mute.err" &
pid=$!
sleep 0.5
if [ ! -r /proc/$pid/cmdline ]; then
    bad "argv check: iscsistart ended before it could be read"; cat "$work/mute.err"
elif tr '\0' ' ' </proc/$pid/cmdline | grep -q DiscSecret123; then
    bad "the discovery password is visible in /proc/PID/cmdline"
else
    ok "the discovery password is not in /proc/PID/cmdline ($(tr '\0' ' ' </proc/$pid/cmdline | grep -o 'password=x*'))"
fi
wait $pid
rc=$?
if [ "$rc" = 11 ]; then ok "portal that never answers: exit 11 (PDU timeout)"; else bad "silent portal: exit $rc, expected 11"; fi
kill $mute_pid 2>/dev/null; wait $mute_pid 2>/dev/null

# nothing listening: exit 4
ours "nothing listening" -a 127.0.0.1 -p $((port + 1))
if [ "$rc" = 4 ]; then ok "nothing listening: exit 4"; else bad "nothing listening: exit $rc, expected 4"; fi

# What tgt never sends, from the scripted target, against iscsiadm too.
"$hostile" sendtargets-portals 0 >"$work/hostile.out" 2>&1 &
hostile_pid=$!
for _ in $(seq 50); do grep -q '^port ' "$work/hostile.out" && break; sleep 0.1; done
hport=$(awk '/^port /{print $2; exit}' "$work/hostile.out")
same_as_iscsiadm "two portals, IPv6, no TargetAddress, answer cut in a pair" "$hport" --
if grep -qx "\[2001:db8::1\]:3262,3 iqn.2026-11.test.iscsiroot:ipv6" "$work/ours" &&
    grep -qx "127.0.0.2:3261,2 iqn.2026-11.test.iscsiroot:two-portals" "$work/ours" &&
    grep -qx "127.0.0.1:$hport,-1 iqn.2026-11.test.iscsiroot:no-address" "$work/ours"; then
    ok "IPv6 in brackets, second portal, asked portal with tag -1"
else
    bad "scripted answer: got $(tr '\n' ' ' <"$work/ours")"
fi

kill "$hostile_pid" 2>/dev/null; wait "$hostile_pid" 2>/dev/null

# No target for us: exit 21, "No portals found", as iscsiadm (tgt without
# targets closes the discovery connection instead: the scripted target).
"$hostile" sendtargets-empty 0 >"$work/hostile.out" 2>&1 &
hostile_pid=$!
for _ in $(seq 50); do grep -q '^port ' "$work/hostile.out" && break; sleep 0.1; done
hport=$(awk '/^port /{print $2; exit}' "$work/hostile.out")
ours "no targets" -a 127.0.0.1 -p "$hport"
iscsiadm_st "$hport" >/dev/null
if [ "$rc" = 21 ] && [ ! -s "$work/ours" ] && grep -q "No portals found" "$work/ours.err" &&
    [ "$(cat "$work/iscsiadm.rc")" = 21 ]; then
    ok "no targets: exit 21 'No portals found', as iscsiadm"
else
    bad "no targets: exit $rc (iscsiadm $(cat "$work/iscsiadm.rc"))"; tail -2 "$work/ours.err" | sed 's/^/    /'
fi
kill "$hostile_pid" 2>/dev/null; wait "$hostile_pid" 2>/dev/null

# A discovery login redirected (status 0101) is followed, as a normal one:
# the scripted target redirects its first connection to itself.
"$hostile" sendtargets-redirect 0 >"$work/hostile.out" 2>&1 &
hostile_pid=$!
for _ in $(seq 50); do grep -q '^port ' "$work/hostile.out" && break; sleep 0.1; done
hport=$(awk '/^port /{print $2; exit}' "$work/hostile.out")
ours "redirect" -a 127.0.0.1 -p "$hport"
if [ "$rc" = 0 ] && [ "$(wc -l <"$work/ours")" = 4 ] && grep -q "redirected to 127.0.0.1:$hport" "$work/ours.err" &&
    [ "$(grep -c '^connection ' "$work/hostile.out")" = 2 ]; then
    ok "discovery redirect followed (2 connections, 4 records)"
else
    bad "discovery redirect: exit $rc, $(wc -l <"$work/ours") records, $(grep -c '^connection ' "$work/hostile.out") connections"
    tail -3 "$work/ours.err" | sed 's/^/    /'
fi

finish
