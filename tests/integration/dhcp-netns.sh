#!/bin/bash
# dhcp_acquire()/write_lease() through dhcp_tool against dnsmasq, inside two
# private network namespaces joined by a veth pair: srv0 (10.99.0.1/24,
# dnsmasq) and cli0 (the tool, no address). Checks the lease file (address
# in the range, prefix, gateway, root path, initiator name), that it can be
# sourced by sh, the log lines, a malformed option dropped with a warning,
# and the timeout without a server. Nothing
# leaves the namespaces; they are always deleted.
# Needs root, ip(8) and dnsmasq. Usage: dhcp-netns.sh PATH/TO/dhcp_tool
# shellcheck disable=SC2016,SC2317,SC2015,SC1091  # eval strings expand later; cleanup runs via trap
set -u
tool=${1:?usage: $0 PATH/TO/dhcp_tool}
. "$(dirname "$0")/lib.sh"
need_root_and "$tool"
dnsmasq=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$dnsmasq" ] || { bad "dnsmasq not installed"; finish; }

srv=isr-dhs-$$ cli=isr-dhc-$$
work=$(mktemp -d /tmp/isr-dhcp.XXXXXX)
dpid=
stop_dnsmasq() {
    if [ -n "$dpid" ]; then
        kill "$dpid" 2>/dev/null
        wait "$dpid" 2>/dev/null
        dpid=
    fi
}
cleanup() {
    stop_dnsmasq
    ip netns del "$srv" 2>/dev/null
    ip netns del "$cli" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MAC=02:00:5e:10:00:02
veth_netns "$srv" "$cli" "$MAC"

# start_dnsmasq [EXTRA-OPTION...]
start_dnsmasq() {
    ip netns exec "$srv" "$dnsmasq" "$@" --no-daemon --conf-file=/dev/null --port=0 --bind-interfaces \
        --interface=srv0 --except-interface=lo --user=root --group=root --pid-file= --log-dhcp --log-facility=- \
        --dhcp-range=10.99.0.50,10.99.0.150,255.255.255.0,1h \
        --dhcp-option=17,iscsi:10.99.0.1::::iqn.2026-11.test:root \
        --dhcp-option=203,iqn.2026-11.test:client \
        --dhcp-leasefile="$work/dnsmasq.leases" >"$work/dnsmasq.log" 2>&1 &
    dpid=$!
    # wait until it listens on port 67
    for _ in $(seq 50); do
        ip netns exec "$srv" ss -Hlun 2>/dev/null | grep -q ':67\b' && return 0
        kill -0 "$dpid" 2>/dev/null || break
        sleep 0.1
    done
    return 1
}
# run ARGS...: the tool in the client namespace; $rc, $secs, $work/out, $work/err
run() {
    local t0 t1
    t0=$(date +%s%N)
    ip netns exec "$cli" "$tool" "$@" >"$work/out" 2>"$work/err"
    rc=$?
    t1=$(date +%s%N)
    msecs=$(((t1 - t0) / 1000000))
}
show_err() { sed 's/^/    /' "$work/err"; }
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; show_err; fi
}
# lease KEY: the value of KEY after sourcing the lease file in a subshell
lease() { (. "$work/leases/cli0.lease" && eval "printf %s \"\${$1}\""); }

# --- 1. a lease from dnsmasq ------------------------------------------------
if ! start_dnsmasq; then
    bad "dnsmasq did not start"; sed 's/^/    /' "$work/dnsmasq.log"; finish
fi
run cli0 10000 "$work/leases"
check "lease: exit 0" [ "$rc" = 0 ]
check "lease: file written" [ -f "$work/leases/cli0.lease" ]
check "lease: stdout is the lease file" cmp -s "$work/out" "$work/leases/cli0.lease"
ipaddr=$(lease IP)
check "lease: IP $ipaddr in 10.99.0.50-150" \
    eval '[[ "$ipaddr" =~ ^10\.99\.0\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 50 ] && [ "${BASH_REMATCH[1]}" -le 150 ]'
check "lease: PREFIX 24, NETMASK 255.255.255.0" eval '[ "$(lease PREFIX)" = 24 ] && [ "$(lease NETMASK)" = 255.255.255.0 ]'
check "lease: GATEWAY and SERVER 10.99.0.1" eval '[ "$(lease GATEWAY)" = 10.99.0.1 ] && [ "$(lease SERVER)" = 10.99.0.1 ]'
check "lease: ROOTPATH" [ "$(lease ROOTPATH)" = "iscsi:10.99.0.1::::iqn.2026-11.test:root" ]
check "lease: INITIATOR" [ "$(lease INITIATOR)" = "iqn.2026-11.test:client" ]
check "lease: LEASETIME 3600, INTERFACE cli0" eval '[ "$(lease LEASETIME)" = 3600 ] && [ "$(lease INTERFACE)" = cli0 ]'
check "lease: file is KEY='value' lines only" \
    eval '[ "$(grep -cvE "^[A-Z]+='"'"'[^'"'"']*'"'"'\$" "$work/leases/cli0.lease")" = 0 ]'
check "lease: no temporary file left" eval '[ "$(ls -A "$work/leases")" = cli0.lease ]'
check "lease: log lines (discover, offer, request, lease)" \
    eval 'grep -q "cli0: DHCP discover (xid 0x" "$work/err" &&
          grep -q "cli0: DHCP offer $ipaddr from 10\.99\.0\.1$" "$work/err" &&
          grep -q "cli0: DHCP request $ipaddr from 10\.99\.0\.1$" "$work/err" &&
          grep -q "cli0: DHCP lease $ipaddr/24 via 10\.99\.0\.1 (root-path iscsi:10\.99\.0\.1::::iqn\.2026-11\.test:root, initiator iqn\.2026-11\.test:client)$" "$work/err"'
check "lease: dnsmasq recorded $MAC -> $ipaddr" grep -q "$MAC $ipaddr " "$work/dnsmasq.leases"
check "lease: no address was added to cli0" [ -z "$(ip -n "$cli" -o -4 addr show dev cli0)" ]

# --- 2. again: the same address ---------------------------------------------
run cli0 10000 "$work/leases"
check "again: exit 0, same IP" eval '[ "$rc" = 0 ] && [ "$(lease IP)" = "$ipaddr" ]'

# --- 3. a malformed optional option: dropped with a warning, lease used -----
stop_dnsmasq
if start_dnsmasq --dhcp-option=26,60; then
    run cli0 10000 "$work/leases3"
    check "bad MTU: exit 0, the lease is used" eval '[ "$rc" = 0 ] && grep -q "^IP='"'"'10\.99\.0\." "$work/out"'
    check "bad MTU: MTU left out, the rest kept" \
        eval 'grep -q "^MTU='"''"'\$" "$work/out" && grep -q "^ROOTPATH='"'"'iscsi:" "$work/out"'
    check "bad MTU: one warning line naming option 26 and the reason" \
        eval '[ "$(grep -c warning: "$work/err")" = 1 ] &&
              grep -q "warning: cli0: dhcp: ignoring interface MTU (option 26): 60 is below 68$" "$work/err"'
else
    bad "dnsmasq with option 26 did not start"; sed 's/^/    /' "$work/dnsmasq.log"
fi

# --- 4. no server: exit 8 within the timeout --------------------------------
stop_dnsmasq
run cli0 2500 "$work/leases2"
check "no server: exit 8" [ "$rc" = 8 ]
check "no server: gave up after 2.5-4 s (took $msecs ms)" eval '[ "$msecs" -ge 2500 ] && [ "$msecs" -lt 4000 ]'
check "no server: one error line" \
    eval '[ "$(grep -c error: "$work/err")" = 1 ] && grep -q "error: cli0: no DHCP answer in 2\.5 s$" "$work/err"'
check "no server: no lease file" [ ! -e "$work/leases2/cli0.lease" ]

# --- 5. no such interface -----------------------------------------------------
run nosuch0 1000 "$work/leases2"
check "no interface: exit 4" [ "$rc" = 4 ]

finish
