# Sourced by run-boot.sh (not run on its own): the verdict. After QEMU ended
# (QEMU_RC, TIMED_OUT, SECS): the console's ISR-* markers, the --expect
# outcome (success, fail:RC, fail:ipxe), the --expect-log/--forbid-log
# patterns, --path-events all done; prints the PASS/FAIL line and exits.
# Uses run-boot.sh's globals; see the options at the top of run-boot.sh.

CLEAN=$(tr -d '\r' < "$LOG")
[ -s "$RUN/qemu.out" ] && { echo; echo "=== qemu stdout/stderr"; cat "$RUN/qemu.out"; } >>"$LOG"
DHCPLOG=$WORK/$NAME.dnsmasq.log
[ -f "$RUN/dnsmasq.log" ] && cp "$RUN/dnsmasq.log" "$DHCPLOG"
marker() { printf '%s\n' "$CLEAN" | awk -v m="$1" '$1 == m { print $2; exit }'; }
T0=$(marker ISR-T0)
T1=$(marker ISR-T1)
P0=$(marker ISR-P0)
P1=$(marker ISR-P1)
RC=$(marker ISR-RC)
FAILED=$(printf '%s\n' "$CLEAN" | grep -m1 -o 'ISR-BOOT-FAILED.*')
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 + 0.5 }'; }
LOGIN=n/a
[ -n "$T0" ] && [ -n "$T1" ] && LOGIN="$(ms_between "$T0" "$T1") ms"
DETAIL="rc=${RC:-none} t0=${T0:-none}s"
[ -n "$P0" ] && [ -n "$P1" ] && DETAIL+=" preload=$(ms_between "$P0" "$P1")ms"
[ -n "$VLAN" ] && DETAIL+=" vlan: ${VLAN_COUNTERS:-none}"
info "$DETAIL qemu-exit=$QEMU_RC log=$LOG"

# iPXE's report of a failed sanboot/sanhook (src/usr/autoboot.c), with
# strerror's "(http[s]://ipxe.org/XXXXXXXX)"
IPXE_SAN_ERROR='^(Could not open SAN device|Could not describe SAN devices|Boot from SAN device 0x[0-9a-f]+ failed): .* \((https?://)?ipxe\.org/[0-9a-f]{8}\)$'

# --shutdown-within: from the test root's ISR-SHUTDOWN-START (its uptime)
# to the kernel's last line (its printk timestamp)
SHUTDOWN_NOTE=
shutdown_check() {
    [ -n "$SHUTDOWN_WITHIN" ] || return 0
    local t0 t1
    t0=$(printf '%s\n' "$CLEAN" | awk '$1 == "ISR-SHUTDOWN-START" { print $2; exit }')
    t1=$(printf '%s\n' "$CLEAN" | sed -n 's/^\[ *\([0-9]*\.[0-9]*\)\] reboot: \(Restarting system\|Power down\).*/\1/p' | head -n1)
    [ -n "$t0" ] || fail "no ISR-SHUTDOWN-START line (${SECS}s), see $LOG"
    [ -n "$t1" ] || fail "no 'reboot: Restarting system' or 'reboot: Power down' line after ISR-SHUTDOWN-START $t0: the shutdown did not finish (${SECS}s), see $LOG"
    local d
    d=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    info "shutdown: ${d} s (ISR-SHUTDOWN-START $t0 to the kernel's reboot line at $t1)"
    awk -v d="$d" -v m="$SHUTDOWN_WITHIN" 'BEGIN { exit !(d <= m) }' ||
        fail "the shutdown took ${d} s, more than --shutdown-within $SHUTDOWN_WITHIN s, see $LOG"
    SHUTDOWN_NOTE=", shutdown ${d} s"
}
# --disk-check: the files on the target's disk once tgtd is gone
disk_check() {
    [ ${#DISK_CHECKS[@]} -gt 0 ] || return 0
    local c path re text
    [ -n "$TGTD_PID" ] && kill_wait "$TGTD_PID" KILL
    TGTD_PID=
    command -v debugfs >/dev/null || fail "--disk-check needs debugfs (e2fsprogs)"
    for c in "${DISK_CHECKS[@]}"; do
        path=${c%%:*} re=${c#*:}
        text=$(debugfs -R "cat $path" "$RUN/disk.img" 2>/dev/null)
        printf '%s\n' "$text" | sed "s|^|=== disk $path: |" >>"$LOG"
        grep -Eq -- "$re" <<<"$text" ||
            fail "the disk's $path has no line matching '$re' (${text:+it has: $(printf '%s' "$text" | head -c 200)}${text:-it is missing or empty})"
    done
}

pass() {  # the boot went as expected: check the log patterns, then PASS
    local re n
    shutdown_check
    disk_check
    # --path-events the boot did not live to see: the scenario tested less
    # than it says
    [ -z "${PATH_EV_LEFT:-}" ] ||
        fail "path events not done before the guest ended: $(printf '%s' "$PATH_EV_LEFT" | awk '{ printf "%s-%s@%d ", $2, $3, $1 / 1000 }')(${SECS}s), see $PATHLOG"
    for re in "${EXPECT_LOGS[@]}"; do
        grep -Eq -- "$re" <<<"$CLEAN" ||
            fail "no console line matches --expect-log '$re' (${SECS}s), see $LOG"
    done
    for re in "${EXPECT_DHCP_LOGS[@]}"; do
        grep -Eq -- "$re" "$DHCPLOG" 2>/dev/null ||
            fail "no dnsmasq log line matches --expect-dhcp-log '$re' (${SECS}s), see $DHCPLOG"
    done
    for re in "${EXPECT_DHCP_COUNTS[@]}"; do
        n=$(grep -Ec -- "${re#*:}" "$DHCPLOG" 2>/dev/null)
        [ "${n:-0}" -ge "${re%%:*}" ] ||
            fail "${n:-0} dnsmasq log line(s) match '${re#*:}', want at least ${re%%:*} (${SECS}s), see $DHCPLOG"
    done
    local i=0
    for re in "${FORBID_LOGS[@]}"; do
        i=$((i + 1))
        # name the line number and pattern number only: the match may be a secret
        n=$(printf '%s\n' "$CLEAN" | grep -En -m1 -- "$re" | cut -d: -f1)
        [ -z "$n" ] || fail "console line $n matches --forbid-log pattern #$i (${SECS}s), see $LOG"
    done
    echo "PASS $NAME (${SECS}s, login $LOGIN$SHUTDOWN_NOTE)"
    exit 0
}

[ "$TIMED_OUT" = 1 ] && fail "timed out after ${TIMEOUT}s (${FAILED:-last line: $(printf '%s\n' "$CLEAN" | grep -v '^\s*$' | tail -n1 | cut -c1-100)})"
if [ -z "$EXPECT_RC" ]; then
    if grep -q '^ISR-ROOT-MOUNTED-FROM-ISCSI' <<<"$CLEAN"; then
        pass
    fi
    [ -n "$FAILED" ] && fail "expected success, got '$FAILED' (${SECS}s)"
    [ -z "$T0" ] && fail "init never reached iscsistart (${SECS}s), see $LOG"
    fail "no ISR-ROOT-MOUNTED-FROM-ISCSI marker (${SECS}s), see $LOG"
else
    if grep -q '^ISR-ROOT-MOUNTED-FROM-ISCSI' <<<"$CLEAN"; then
        fail "expected fail:$EXPECT_RC but the root was mounted (${SECS}s)"
    fi
    if [ "$EXPECT_RC" = ipxe ]; then
        # iPXE's failure path reboots, which ends QEMU (-no-reboot) with
        # exit 0; a crash (signal, 128+N) or a QEMU error (1) is no iPXE
        # failure, and neither is a boot that never got as far as iPXE's
        # own report of the failed sanboot/sanhook (autoboot.c's messages,
        # with the error's ipxe.org URL)
        [ -n "$FAILED" ] && fail "expected iPXE to fail, got '$FAILED' (${SECS}s)"
        [ "$QEMU_RC" = 0 ] ||
            fail "expected iPXE to fail and reboot (QEMU exit 0), but QEMU exited $QEMU_RC (${SECS}s), see $LOG"
        grep -Eq "$IPXE_SAN_ERROR" <<<"$CLEAN" ||
            fail "expected iPXE to fail, but no console line matches '$IPXE_SAN_ERROR' (${SECS}s), see $LOG"
        pass
    fi
    if [ "$EXPECT_RC" = shell ]; then
        [ -n "$SHELL_AT" ] || fail "expected initramfs-tools' rescue shell, see $LOG"
        info "rescue shell after $((SHELL_AT / 1000)) s"
        pass
    fi
    if [ "$EXPECT_RC" = panic ]; then
        [ "$QEMU_RC" = 0 ] ||
            fail "expected initramfs-tools' panic and a reboot (QEMU exit 0), but QEMU exited $QEMU_RC (${SECS}s), see $LOG"
        grep -q '^Rebooting automatically due to panic= boot argument' <<<"$CLEAN" ||
            fail "expected initramfs-tools' panic (panic= reboot), see $LOG"
        pass
    fi
    if grep -qx "ISR-BOOT-FAILED rc=$EXPECT_RC" <<<"$CLEAN"; then
        pass
    fi
    fail "expected 'ISR-BOOT-FAILED rc=$EXPECT_RC', got '${FAILED:-nothing}' (${SECS}s)"
fi
