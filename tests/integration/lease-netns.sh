#!/bin/bash
# The supervisor's DHCP lease keeper (supervise/lease_keeper.cpp) through
# lease_keeper_tool against dnsmasq, inside two private network namespaces
# joined by a veth pair: srv0 (10.99.0.1/24, dnsmasq) and cli0 (the
# keeper; its address added with an infinite lifetime, as iscsistart
# does). The lease file's BOUNDAT is put in the past so that T1 has come:
#   - renewal: a unicast DHCPREQUEST, dnsmasq's DHCPACK, the lease file
#     rewritten (LEASETIME, BOUNDAT), the address untouched;
#   - DHCPNAK (an address dnsmasq does not hand out): reported once, the
#     address kept;
#   - takeover: the address given a finite lifetime (as a network
#     manager's DHCP client does): one line, no REQUEST;
#   - two keepers on one lease directory: one renews (flock), the other
#     skips;
#   - METHOD='static': nothing sent.
# Nothing leaves the namespaces; they are always deleted.
# Needs root, ip(8) and dnsmasq. Usage: lease-netns.sh PATH/TO/lease_keeper_tool
# shellcheck disable=SC2317,SC1091,SC2015  # cleanup runs via trap
set -u
tool=${1:?usage: $0 PATH/TO/lease_keeper_tool}
. "$(dirname "$0")/lib.sh"
need_root_and "$tool"
dnsmasq=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
[ -x "$dnsmasq" ] || { bad "dnsmasq not installed"; finish; }

srv=isr-lks-$$ cli=isr-lkc-$$
work=$(mktemp -d /tmp/isr-lease.XXXXXX)
dpid=
cleanup() {
    [ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
    ip netns del "$srv" 2>/dev/null
    ip netns del "$cli" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MAC=02:00:5e:10:00:03
veth_netns "$srv" "$cli" "$MAC" up

# authoritative: it answers a RENEWING REQUEST for an address it has no
# record of (ours came from a "boot" it never saw) with an ACK, or a NAK
# when the address is outside its range
ip netns exec "$srv" "$dnsmasq" --no-daemon --conf-file=/dev/null --port=0 --bind-interfaces \
    --interface=srv0 --except-interface=lo --user=root --group=root --pid-file= --log-dhcp --log-facility=- \
    --dhcp-authoritative --dhcp-range=10.99.0.50,10.99.0.150,255.255.255.0,2m \
    --dhcp-leasefile="$work/dnsmasq.leases" >"$work/dnsmasq.log" 2>&1 &
dpid=$!
for _ in $(seq 50); do
    ip netns exec "$srv" ss -Hlun 2>/dev/null | grep -q ':67\b' && break
    sleep 0.1
done

uptime_s() { cut -d. -f1 /proc/uptime; }
# lease_file DIR IP METHOD: a lease file as the boot writes it, T1 passed
lease_file() {
    mkdir -p "$1"
    cat >"$1/cli0.lease" <<EOF
IP='$2'
PREFIX='24'
NETMASK='255.255.255.0'
GATEWAY=''
DNS=''
HOSTNAME=''
DOMAIN=''
ROOTPATH=''
MTU=''
BROADCAST=''
INITIATOR=''
SERVER='10.99.0.1'
LEASETIME='120'
INTERFACE='cli0'
METHOD='$3'
RENEWTIME='60'
REBINDTIME='105'
CLIENTID='01${MAC//:/}'
BOUNDAT='$(($(uptime_s) - 61))'
EOF
}
# set_addr IP: cli0 has IP/24 only, forever (iscsistart's way)
set_addr() {
    ip -n "$cli" addr flush dev cli0
    ip -n "$cli" addr add "$1/24" dev cli0
}
requests() { grep -c "DHCPREQUEST(srv0) $1 $MAC" "$work/dnsmasq.log"; }
acks() { grep -c "DHCPACK(srv0) $1 $MAC" "$work/dnsmasq.log"; }
run() {  # run DIR SECS: the keeper in the client namespace; $work/err
    ip netns exec "$cli" "$tool" "$1" "$2" 2>"$work/err"
}
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; sed 's/^/    /' "$work/err"; fi
}
has() { grep -qF -- "$1" "$work/err"; }

# --- renewal ---------------------------------------------------------------
set_addr 10.99.0.77
lease_file "$work/a" 10.99.0.77 dhcp
run "$work/a" 4
check "picks the lease up" has "cli0: keeping the DHCP lease for 10.99.0.77 from 10.99.0.1 (120 s, T1 60 s, T2 105 s)"
check "renews at T1, unicast" has "cli0: DHCP renewing 10.99.0.77 (to 10.99.0.1, xid 0x"
check "the server's ACK counts" has "cli0: DHCP lease for 10.99.0.77 renewed by 10.99.0.1 for 120 s (T1 "
check "dnsmasq saw the REQUEST and sent the ACK" \
    test "$(requests 10.99.0.77)" -ge 1 -a "$(acks 10.99.0.77)" -ge 1
b=$(sed -n "s/^BOUNDAT='\(.*\)'$/\1/p" "$work/a/cli0.lease")
check "lease file: BOUNDAT is the renewal's" test "$b" -ge $(($(uptime_s) - 6))
check "lease file: still METHOD='dhcp' and the client id" \
    grep -qx "CLIENTID='01${MAC//:/}'" "$work/a/cli0.lease"
check "the address is untouched (forever)" \
    sh -c "ip -n $cli -4 addr show dev cli0 | grep -q 'inet 10.99.0.77/24' &&
           ip -n $cli -4 addr show dev cli0 | grep -q 'valid_lft forever'"
check "no takeover line" sh -c "! grep -q 'managed by another program' $work/err"

# --- NAK -------------------------------------------------------------------
set_addr 10.99.0.200
lease_file "$work/n" 10.99.0.200 dhcp
run "$work/n" 4
check "NAK: reported once" \
    test "$(grep -c 'cli0: DHCP lease for 10.99.0.200 ended and could not be renewed (DHCPNAK from 10.99.0.1' "$work/err")" = 1
check "NAK: the line ends with the promise" has "; keeping the address while the session lives"
check "NAK: the address stays" sh -c "ip -n $cli -4 addr show dev cli0 | grep -q 'inet 10.99.0.200/24'"

# --- takeover --------------------------------------------------------------
set_addr 10.99.0.78
ip -n "$cli" addr change 10.99.0.78/24 dev cli0 valid_lft 300 preferred_lft 300
lease_file "$work/t" 10.99.0.78 dhcp
run "$work/t" 3
check "takeover: one line" has "cli0: address 10.99.0.78 now managed by another program (finite lifetime); stopping DHCP renewal"
check "takeover: no REQUEST" test "$(requests 10.99.0.78)" = 0
# replaced by another address
set_addr 10.99.0.79
lease_file "$work/r" 10.99.0.80 dhcp
run "$work/r" 3
check "replaced: one line" has "cli0: address 10.99.0.80 now managed by another program (replaced by another address); stopping DHCP renewal"

# --- one renewer per interface ---------------------------------------------
set_addr 10.99.0.81
lease_file "$work/two" 10.99.0.81 dhcp
ip netns exec "$cli" "$tool" "$work/two" 4 2>"$work/err2" &
p2=$!
run "$work/two" 4
wait "$p2"
cat "$work/err2" >>"$work/err"
check "two keepers: one renews" test "$(grep -c 'keeping the DHCP lease for 10.99.0.81' "$work/err")" = 1
check "two keepers: one REQUEST transaction" test "$(grep -c 'DHCP renewing 10.99.0.81' "$work/err")" = 1

# --- static ----------------------------------------------------------------
set_addr 10.99.0.82
lease_file "$work/s" 10.99.0.82 static
run "$work/s" 2
check "static: nothing kept" sh -c "! grep -q '10.99.0.82' $work/err"
check "static: no REQUEST" test "$(requests 10.99.0.82)" = 0

finish
