#!/bin/bash
# configure_nic()/write_resolv_conf() through netconfig_tool, inside a private
# network namespace: a veth pair with a known MAC stands in for the boot NIC
# (its peer, also in the namespace, gives it carrier). Checks addresses,
# default routes and the VLAN device with ip(8), and the one-line error for a
# MAC that is not there. Nothing leaves the namespace; it is always deleted.
# Needs root. Usage: netconfig-netns.sh PATH/TO/netconfig_tool
# shellcheck disable=SC2016,SC2317  # eval strings expand later; has/ipn run via check
set -u
tool=${1:?usage: $0 PATH/TO/netconfig_tool}
pass=0 failed=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
finish() { echo "$pass passed, $failed failed"; [ "$failed" = 0 ]; exit; }

if [ "$(id -u)" != 0 ]; then
    bad "needs root (network namespaces)"; finish
fi
[ -x "$tool" ] || { bad "no executable $tool"; finish; }

ns=isr-nc-$$
work=$(mktemp -d /tmp/isr-nc.XXXXXX)
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
ip netns add "$ns" || { bad "ip netns add $ns"; finish; }
ip -n "$ns" link set lo up

MAC=02:00:5e:10:00:01
# new_nic: a fresh veth pair nic0 (MAC $MAC) / peer0, peer up so nic0 gets
# carrier once it is up itself. Deleting nic0 drops its VLANs and routes.
new_nic() {
    ip -n "$ns" link del nic0 2>/dev/null
    ip -n "$ns" link add nic0 address "$MAC" type veth peer name peer0 &&
        ip -n "$ns" link set peer0 up
}
# run ARGS...: the tool inside the namespace; $rc, $work/out, $work/err
run() {
    ip netns exec "$ns" "$tool" "$@" >"$work/out" 2>"$work/err"
    rc=$?
}
show_err() { sed 's/^/    /' "$work/err"; }
# check NAME COMMAND...: PASS when COMMAND succeeds
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; show_err; fi
}
has() { grep -q -- "$2" <<<"$1"; }
ipn() { ip -n "$ns" "$@" 2>&1; }

# --- 1. IPv4 address, gateway, DNS ------------------------------------------
new_nic || { bad "cannot create a veth pair"; finish; }
run --mac "$MAC" --addr 10.91.1.2/24 --gw 10.91.1.1 --dns 10.91.1.53 --dns fd00:91::53 \
    --resolv "$work/etc/resolv.conf" --timeout 2000
check "IPv4: exit 0, prints nic0" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = nic0 ]'
check "IPv4: nic0 is up" has "$(ipn -o link show dev nic0)" '[<,]UP[,>]'
check "IPv4: address 10.91.1.2/24" has "$(ipn -o -4 addr show dev nic0)" 'inet 10\.91\.1\.2/24 '
check "IPv4: default via 10.91.1.1 dev nic0" \
    has "$(ipn -o -4 route show default)" '^default via 10\.91\.1\.1 dev nic0'
printf 'nameserver 10.91.1.53\nnameserver fd00:91::53\n' >"$work/want-resolv"
check "IPv4: resolv.conf (directory created)" cmp -s "$work/want-resolv" "$work/etc/resolv.conf"
check "IPv4: log line 'nic0: 10.91.1.2/24, default via 10.91.1.1'" \
    grep -q 'nic0: 10\.91\.1\.2/24, default via 10\.91\.1\.1$' "$work/err"
check "IPv4: carrier logged" grep -q 'nic0: carrier up' "$work/err"
run --mac "$MAC" --addr 10.91.1.2/24 --gw 10.91.1.1 --timeout 2000
check "IPv4: second run succeeds (address and route exist)" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = nic0 ]'

# --- 2. VLAN 100 --------------------------------------------------------------
# The tool loads 8021q itself when it can; a kernel without it is a SKIP.
new_nic
run --mac "$MAC" --vlan 100 --addr 10.91.2.2/24 --gw 10.91.2.1 --timeout 2000
if [ "$rc" != 0 ] && grep -q 'no 802.1Q VLAN support' "$work/err"; then
    echo "SKIP VLAN 100: this kernel has no 802.1Q VLAN support (8021q); checking the error instead"
    # (libkmod's own "8021q not found" line may come first)
    check "VLAN unsupported: exit 9, one error line naming 8021q" \
        eval '[ "$rc" = 9 ] && [ "$(grep -c "error: rtnl:" "$work/err")" = 1 ] &&
              grep -q "error: rtnl: create VLAN nic0.100 on nic0 failed: .*(8021q)$" "$work/err"'
else
    check "VLAN: exit 0, prints nic0.100" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = nic0.100 ]'
    check "VLAN: nic0.100 is 802.1Q id 100" has "$(ipn -d link show dev nic0.100)" 'vlan protocol 802\.1Q id 100 '
    check "VLAN: nic0.100 sits on nic0 and is up" has "$(ipn -o link show dev nic0.100)" 'nic0\.100@nic0: <[^>]*UP'
    check "VLAN: address on nic0.100" has "$(ipn -o -4 addr show dev nic0.100)" 'inet 10\.91\.2\.2/24 '
    check "VLAN: no address on nic0" [ -z "$(ipn -o -4 addr show dev nic0)" ]
    check "VLAN: default via 10.91.2.1 dev nic0.100" \
        has "$(ipn -o -4 route show default)" '^default via 10\.91\.2\.1 dev nic0\.100'
    # nic0.100 has nic0's MAC too: the VLAN must not be taken for the NIC.
    run --mac "$MAC" --vlan 100 --addr 10.91.2.2/24 --gw 10.91.2.1 --timeout 2000
    check "VLAN: second run reuses nic0.100" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = nic0.100 ]'
fi

# --- 3. IPv6 address and gateway --------------------------------------------
new_nic
run --mac "$MAC" --addr fd00:91:3::2/64 --gw fd00:91:3::1 --timeout 2000
check "IPv6: exit 0, prints nic0" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = nic0 ]'
check "IPv6: address fd00:91:3::2/64" has "$(ipn -o -6 addr show dev nic0)" 'inet6 fd00:91:3::2/64 scope global'
check "IPv6: default via fd00:91:3::1 dev nic0" \
    has "$(ipn -o -6 route show default)" '^default via fd00:91:3::1 dev nic0'
check "IPv6: log line" grep -q 'nic0: fd00:91:3::2/64, default via fd00:91:3::1$' "$work/err"

# --- 4. no carrier: a warning, not a failure --------------------------------
new_nic
ip -n "$ns" link set peer0 down
run --mac "$MAC" --addr 10.91.4.2/24 --timeout 200
check "no carrier: exit 0 with a warning" \
    eval '[ "$rc" = 0 ] && grep -q "warning: nic0: no carrier after 200 ms" "$work/err"'

# --- 5. MAC not present -----------------------------------------------------
ip -n "$ns" link del nic0
run --mac 02:00:5e:10:00:99 --addr 10.91.5.2/24 --timeout 300
check "missing MAC: non-zero exit (4), nothing on stdout" eval '[ "$rc" = 4 ] && [ ! -s "$work/out" ]'
check "missing MAC: one error line naming the MAC and the wait" \
    eval '[ "$(grep -c error: "$work/err")" = 1 ] &&
          grep -q "error: net: no network interface with MAC 02:00:5e:10:00:99 after 300 ms$" "$work/err"'
[ "$rc" = 4 ] && echo "    $(grep 'error:' "$work/err")"

finish
