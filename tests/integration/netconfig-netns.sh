#!/bin/bash
# configure_nic()/write_resolv_conf() through netconfig_tool, inside a private
# network namespace: a veth pair with a known MAC stands in for the boot NIC
# (its peer, also in the namespace, gives it carrier). Checks addresses,
# default routes and the VLAN device with ip(8), and the one-line error for a
# MAC that is not there. Then the kernel-command-line parts: wait_for_link()
# by name, MAC and carrier (in two more namespaces: candidates in one, their
# veth peers in the other), set_link() MTU/MAC/rename, configure_link(),
# add_route() and create_vlan() with a name. Nothing leaves the namespaces;
# they are always deleted.
# Needs root. Usage: netconfig-netns.sh PATH/TO/netconfig_tool
# shellcheck disable=SC2016,SC2317  # eval strings expand later; has/ipn run via check
set -u
tool=${1:?usage: $0 PATH/TO/netconfig_tool}
. "$(dirname "$0")/lib.sh"
need_root_and "$tool"

ns=isr-nc-$$
nsc=isr-nc-$$-c # carrier wait: the candidate links
nsp=isr-nc-$$-p # ... and their veth peers
work=$(mktemp -d /tmp/isr-nc.XXXXXX)
cleanup() {
    local n
    for n in "$ns" "$nsc" "$nsp"; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
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
check "IPv4: log line 'nic0: link up, 10.91.1.2/24, default via 10.91.1.1'" \
    grep -q 'nic0: link up, 10\.91\.1\.2/24, default via 10\.91\.1\.1$' "$work/err"
check "IPv4: carrier logged" grep -q 'nic0: carrier up' "$work/err"
run --mac "$MAC" --addr 10.91.1.2/24 --gw 10.91.1.1 --timeout 2000
check "IPv4: second run succeeds (address and route exist)" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = nic0 ]'

# --- 2. VLAN 100 --------------------------------------------------------------
# The tool loads 8021q itself when it can; a kernel without it is a SKIP.
new_nic
run --mac "$MAC" --vlan 100 --addr 10.91.2.2/24 --gw 10.91.2.1 --timeout 2000
if [ "$rc" != 0 ] && grep -q 'no 802.1Q VLAN support' "$work/err"; then
    skip "VLAN 100: this kernel has no 802.1Q VLAN support (8021q); checking the error instead"
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
check "IPv6: log line" grep -q 'nic0: link up, fd00:91:3::2/64, default via fd00:91:3::1$' "$work/err"

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

ms() { echo $(($(date +%s%N) / 1000000)); }
# start_clock; ...; in_bound LIMIT: at most LIMIT ms since start_clock
start_clock() { t0=$(ms); }
in_bound() { [ $(($(ms) - t0)) -le "$1" ]; }

# --- 6. wait_for_link by name and by MAC ------------------------------------
new_nic
run wait --name nic0 --timeout 2000
check "wait by name: exit 0, prints nic0" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = nic0 ]'
check "wait by name: log line" grep -q "net: nic0 has MAC $MAC$" "$work/err"
run wait --mac "$MAC" --timeout 2000
check "wait by MAC: exit 0, prints nic0" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = nic0 ]'
run wait --name nic0 --mac "$MAC" --timeout 2000
check "wait by name and MAC: exit 0, prints nic0" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = nic0 ]'
run wait --name nic0 --mac 02:00:5e:10:00:77 --timeout 2000
check "wait by name, other MAC: exit 7, one error line naming both MACs" \
    eval '[ "$rc" = 7 ] && [ "$(grep -c error: "$work/err")" = 1 ] &&
          grep -q "error: net: nic0 has MAC $MAC, ifname= says 02:00:5e:10:00:77$" "$work/err"'
# An interface that appears while we wait (as a driver's would).
ip netns exec "$ns" "$tool" wait --name late0 --timeout 5000 >"$work/out" 2>"$work/err" &
pid=$!
sleep 0.3
ip -n "$ns" link add late0 type veth peer name latep0
wait "$pid"
rc=$?
check "wait by name: late0 created after 300 ms is found" \
    eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = late0 ] &&
          grep -q "net: late0 has MAC .* (appeared after [0-9]* ms)$" "$work/err"'
ip -n "$ns" link del late0
start_clock
run wait --name nosuch0 --timeout 300
check "wait by name, timeout: exit 4 within 1.5 s, one error line" \
    eval '[ "$rc" = 4 ] && in_bound 1500 && [ ! -s "$work/out" ] && [ "$(grep -c error: "$work/err")" = 1 ] &&
          grep -q "error: net: no interface nosuch0 after 300 ms$" "$work/err"'
start_clock
run wait --mac 02:00:5e:10:00:99 --timeout 300
check "wait by MAC, timeout: exit 4 within 1.5 s, naming the MAC" \
    eval '[ "$rc" = 4 ] && in_bound 1500 &&
          grep -q "error: net: no network interface with MAC 02:00:5e:10:00:99 after 300 ms$" "$work/err"'
run wait --name bad:name --timeout 300
check "wait by name, invalid name: exit 7" eval '[ "$rc" = 7 ] && grep -q "bad interface name" "$work/err"'

# --- 7. wait_for_link: the first Ethernet link with carrier -----------------
# In $nsc: ethA (created first: the lower ifindex; its peer in $nsp down)
# and ethB (peer up), both down. lo is up and has carrier but is loopback;
# a bridge br0 (when the kernel has bridging) is up, has carrier through
# its port ethB and the lowest index, but is a stacked device.
runc() {
    ip netns exec "$nsc" "$tool" "$@" >"$work/out" 2>"$work/err"
    rc=$?
}
ipc() { ip -n "$nsc" "$@" 2>&1; }
if ip netns add "$nsc" && ip netns add "$nsp"; then
    ip -n "$nsc" link set lo up
    have_br=0
    ip -n "$nsc" link add br0 type bridge 2>/dev/null && have_br=1
    if ! { ip -n "$nsc" link add ethA type veth peer name peerA netns "$nsp" &&
        ip -n "$nsc" link add ethB type veth peer name peerB netns "$nsp" &&
        ip -n "$nsp" link set peerB up; }; then
        bad "carrier: cannot create the veth pairs"
    fi
    if [ "$have_br" = 1 ]; then
        ip -n "$nsc" link set ethB master br0 && ip -n "$nsc" link set br0 type bridge stp_state 0 &&
            ip -n "$nsc" link set br0 up
    else
        skip "carrier: a bridge with carrier is no candidate (this kernel cannot create a bridge)"
    fi
    runc wait --timeout 3000
    # (br0 is named only when it exists: without it that part is the skip)
    check "carrier: exit 0, prints ethB (ethA has no carrier, lo$([ "$have_br" = 1 ] && echo " and br0") are no candidates)" \
        eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = ethB ]'
    check "carrier: log line" grep -q 'net: ethB has carrier after [0-9]* ms$' "$work/err"
    check "carrier: ethA was set up too" has "$(ipc -o link show dev ethA)" '[<,]UP[,>]'
    ip -n "$nsp" link set peerA up
    runc wait --timeout 3000
    check "carrier: both have it: the lower ifindex, ethA" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = ethA ]'
    ip -n "$nsp" link set peerA down
    ip -n "$nsp" link set peerB down
    start_clock
    runc wait --timeout 300
    check "carrier, timeout: exit 4 within 1.5 s, one error line listing ethA, ethB" \
        eval '[ "$rc" = 4 ] && in_bound 1500 && [ ! -s "$work/out" ] &&
              [ "$(grep -c error: "$work/err")" = 1 ] &&
              grep -q "error: net: no interface with carrier after 300 ms (seen: ethA, ethB)$" "$work/err"'
    [ "$rc" = 4 ] && echo "    $(grep 'error:' "$work/err")"
else
    bad "carrier: cannot create the namespaces $nsc, $nsp"
fi

# --- 8. set_link: MTU, MAC, rename ------------------------------------------
NEWMAC=02:00:5e:10:00:42
new_nic
ip -n "$ns" link set nic0 up
run set-link --dev nic0 --mtu 1400 --set-mac "$NEWMAC" --rename lan0
check "set-link: exit 0, prints lan0" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = lan0 ]'
check "set-link: lan0 has MTU 1400" has "$(ipn -o link show dev lan0)" ' mtu 1400 '
check "set-link: lan0 has MAC $NEWMAC" has "$(ipn -o link show dev lan0)" "link/ether $NEWMAC "
check "set-link: lan0 was set down and left down" eval '! has "$(ipn -o link show dev lan0)" "[<,]UP[,>]"'
check "set-link: one log line" \
    grep -q "nic0: MTU 1400, MAC $NEWMAC, renamed to lan0 (link set down for it)$" "$work/err"
ip -n "$ns" link set lan0 up
run set-link --dev lan0 --mtu 1300
check "set-link: MTU alone leaves lan0 up" \
    eval '[ "$rc" = 0 ] && has "$(ipn -o link show dev lan0)" " mtu 1300 " &&
          has "$(ipn -o link show dev lan0)" "[<,]UP[,>]"'
check "set-link: MTU alone log line" grep -q 'lan0: MTU 1300$' "$work/err"
run set-link --dev lan0 --set-mac "$NEWMAC" --rename lan0
check "set-link: same MAC and name: nothing done, no log line, still up" \
    eval '[ "$rc" = 0 ] && ! grep -q "lan0:" "$work/err" && has "$(ipn -o link show dev lan0)" "[<,]UP[,>]"'
run set-link --dev lan0 --mtu 67
check "set-link: MTU 67 refused, exit 7" eval '[ "$rc" = 7 ] && grep -q "error: rtnl: MTU 67 is below" "$work/err"'
run set-link --dev lan0 --set-mac 02:00:5e:10:00:43 --rename bad:name
check "set-link: bad name refused (exit 7) before any change" \
    eval '[ "$rc" = 7 ] && grep -q "bad interface name" "$work/err" &&
          has "$(ipn -o link show dev lan0)" "[<,]UP[,>].*link/ether $NEWMAC "'
ip -n "$ns" link del lan0

# --- 9. configure_link and add_route ----------------------------------------
new_nic
run link --dev nic0 --addr 10.91.6.2/24
check "link: exit 0, log line 'nic0: link up, 10.91.6.2/24'" \
    eval '[ "$rc" = 0 ] && grep -q "nic0: link up, 10\.91\.6\.2/24$" "$work/err"'
run route --dev nic0 --dest 10.1.0.0/16 --gw 10.91.6.1
check "route: exit 0, 10.1.0.0/16 via 10.91.6.1 dev nic0" \
    eval '[ "$rc" = 0 ] && has "$(ipn -o -4 route show 10.1.0.0/16)" "^10\.1\.0\.0/16 via 10\.91\.6\.1 dev nic0 "'
run route --dev nic0 --dest 10.1.0.0/16 --gw 10.91.6.1
check "route: second run succeeds (route exists)" eval '[ "$rc" = 0 ]'
run route --dev nic0 --dest 10.3.1.2/16 --gw 10.91.6.1
check "route: host bits cleared: 10.3.0.0/16" \
    eval '[ "$rc" = 0 ] && has "$(ipn -o -4 route show 10.3.0.0/16)" "^10\.3\.0\.0/16 via 10\.91\.6\.1 dev nic0"'
run route --dev nic0 --dest 10.2.0.0/16
check "route: no gateway: link scope" \
    eval '[ "$rc" = 0 ] && has "$(ipn -o -4 route show 10.2.0.0/16)" "^10\.2\.0\.0/16 dev nic0 scope link"'
run route --dev nic0 --dest 10.4.0.0/16 --gw fd00::1
check "route: mixed families refused, exit 7" eval '[ "$rc" = 7 ] && grep -q "different families" "$work/err"'
run route --dev nic0 --dest 10.5.0.0/16 --gw 10.99.0.1
check "route: unreachable gateway: exit 9, one error line" \
    eval '[ "$rc" = 9 ] && [ "$(grep -c error: "$work/err")" = 1 ] &&
          grep -q "error: rtnl: add route 10.5.0.0/16 via 10.99.0.1 on nic0 failed" "$work/err"'
run link --dev nic0 --addr fd00:91:6::2/64 --gw fd00:91:6::1
check "link: IPv6 address and default route" \
    eval '[ "$rc" = 0 ] && has "$(ipn -o -6 route show default)" "^default via fd00:91:6::1 dev nic0"'
run route --dev nic0 --dest fd00:1::/48 --gw fd00:91:6::1
check "route: IPv6 fd00:1::/48 via fd00:91:6::1" \
    eval '[ "$rc" = 0 ] && has "$(ipn -o -6 route show fd00:1::/48)" "^fd00:1::/48 via fd00:91:6::1 dev nic0 "'

# --- 10. create_vlan with a name --------------------------------------------
run vlan --dev nic0 --vlan 200 --name bad:name
check "vlan: bad name refused, exit 7" eval '[ "$rc" = 7 ] && grep -q "bad interface name" "$work/err"'
run vlan --dev nic0 --vlan 200 --name vl200
if [ "$rc" != 0 ] && grep -q 'no 802.1Q VLAN support' "$work/err"; then
    skip "vlan with a name: this kernel has no 802.1Q VLAN support (8021q)"
else
    check "vlan: exit 0, prints vl200" eval '[ "$rc" = 0 ] && [ "$(cat "$work/out")" = vl200 ]'
    check "vlan: vl200 is 802.1Q id 200 on nic0" \
        has "$(ipn -d -o link show dev vl200)" 'vl200@nic0:.*vlan protocol 802\.1Q id 200 '
fi

finish
