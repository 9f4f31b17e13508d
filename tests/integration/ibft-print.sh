#!/bin/bash
# iscsistart -f on iBFT tables written by ibft_tool: the exact open-iscsi
# record text, CHAP secrets masked unless --show-secrets, and one-line
# errors with documented exit codes for damaged or missing tables.
# No root needed. Usage: ibft-print.sh PATH/TO/iscsistart PATH/TO/ibft_tool
set -u
binary=${1:?usage: $0 iscsistart ibft_tool}
tool=${2:?usage: $0 iscsistart ibft_tool}
work=$(mktemp -d /tmp/isr-ibft.XXXXXX)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/lib.sh"

"$tool" "$work/plain.bin" && "$tool" "$work/mutual.bin" --mutual && "$tool" "$work/vlan6.bin" --ipv6 --vlan 100 ||
    { echo "ibft_tool failed"; echo "0 passed, 1 failed"; exit 1; }

cat >"$work/want-plain" <<'REC'
# BEGIN RECORD 2.1.8
iface.initiatorname = iqn.2026-11.test.iscsiroot:initiator
iface.transport_name = tcp
iface.hwaddress = 52:54:00:12:34:56
iface.bootproto = DHCP
iface.ipaddress = 10.77.0.2
iface.prefix_len = 24
iface.subnet_mask = 255.255.255.0
iface.gateway = 10.77.0.1
iface.primary_dns = 10.77.0.1
iface.vlan_id = 0
node.name = iqn.2026-11.test.iscsiroot:root
node.conn[0].address = 10.77.0.1
node.conn[0].port = 3260
node.boot_lun = 01000000
# END RECORD
REC

# expect NAME WANT_RC FILE_WITH_EXPECTED_STDOUT ARGS...
expect() {
    local name=$1 want=$2 file=$3
    shift 3
    "$binary" "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    if [ "$rc" != "$want" ]; then
        bad "$name: exit $rc, expected $want"; sed 's/^/    /' "$work/err"
    elif [ -n "$file" ] && ! diff -u "$file" "$work/out" >"$work/diff"; then
        bad "$name: output differs"; sed 's/^/    /' "$work/diff"
    else
        ok "$name (exit $rc)"
    fi
}

expect "-f plain table" 0 "$work/want-plain" -f --ibft "$work/plain.bin"

sed -e 's/^node.conn\[0\].port = 3260$/&\nnode.session.auth.username = isrinit\nnode.session.auth.password = ********\nnode.session.auth.username_in = isrtarget\nnode.session.auth.password_in = ********/' \
    "$work/want-plain" >"$work/want-mutual"
expect "-f mutual CHAP, secrets masked" 0 "$work/want-mutual" -f --ibft "$work/mutual.bin"
grep -q 'InitSecret-1234\|TargetSecret-5678' "$work/out" "$work/err" && bad "-f printed a secret" || ok "-f printed no secret"

sed -e 's/= \*\*\*\*\*\*\*\*$/= SECRET/' "$work/want-mutual" |
    awk '/password = SECRET/{print "node.session.auth.password = InitSecret-1234"; next}
         /password_in = SECRET/{print "node.session.auth.password_in = TargetSecret-5678"; next} {print}' >"$work/want-shown"
expect "-f --show-secrets" 0 "$work/want-shown" -f --show-secrets --ibft "$work/mutual.bin"

"$binary" -f --ibft "$work/vlan6.bin" >"$work/out" 2>&1
grep -qx 'iface.ipaddress = fd00:77::2' "$work/out" && grep -qx 'iface.vlan_id = 100' "$work/out" &&
    grep -qx 'node.conn\[0\].address = fd00:77::1' "$work/out" && grep -qx 'iface.prefix_len = 64' "$work/out" &&
    ok "-f IPv6 and VLAN" || { bad "-f IPv6 and VLAN"; cat "$work/out"; }

# The kernel's view (/sys/firmware/ibft) of the plain table gives the same
# records: attribute files as iscsi_ibft writes them.
sys=$work/sysfs
mkdir -p "$sys/initiator" "$sys/ethernet0" "$sys/target0"
put() { printf '%s\n' "$3" >"$sys/$1/$2"; }
put initiator initiator-name iqn.2026-11.test.iscsiroot:initiator
put initiator flags 3
put ethernet0 index 0; put ethernet0 flags 3; put ethernet0 ip-addr 10.77.0.2; put ethernet0 prefix-len 24
put ethernet0 origin 3; put ethernet0 gateway 10.77.0.1; put ethernet0 primary-dns 10.77.0.1
put ethernet0 dhcp 10.77.0.1; put ethernet0 vlan 0; put ethernet0 mac 52:54:00:12:34:56
put target0 index 0; put target0 flags 3; put target0 ip-addr 10.77.0.1; put target0 port 3260
put target0 lun 01000000; put target0 nic-assoc 0; put target0 chap-type 0
put target0 target-name iqn.2026-11.test.iscsiroot:root
expect "-f from a sysfs-style directory" 0 "$work/want-plain" -f --ibft "$sys"

# Damaged tables: one error line naming the problem, exit 7.
cp "$work/plain.bin" "$work/badsum.bin"
printf '\x55' | dd of="$work/badsum.bin" bs=1 seek=30 conv=notrunc status=none
expect "-f bad checksum" 7 "" -f --ibft "$work/badsum.bin"
grep -q 'iBFT: checksum is wrong' "$work/err" && [ "$(grep -c error: "$work/err")" = 1 ] &&
    ok "bad checksum message" || bad "bad checksum message: $(cat "$work/err")"
head -c 100 "$work/plain.bin" >"$work/short.bin"
expect "-f truncated table" 7 "" -f --ibft "$work/short.bin"
grep -q 'truncated' "$work/err" && ok "truncated message" || bad "truncated message: $(cat "$work/err")"
expect "-f missing table" 21 "" -f --ibft "$work/none.bin"

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
