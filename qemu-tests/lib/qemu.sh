# Sourced by run-boot.sh (not run on its own): the QEMU command line and the
# wait for it: the delayed target start, --restart-target-after's kill and
# restart, --timeout; sets QEMU_RC, TIMED_OUT, SECS.
# Uses run-boot.sh's globals; see the options at the top of run-boot.sh.

ip netns exec "$NS" qemu-system-x86_64 -accel tcg -cpu "${ISR_QEMU_CPU:-max}" -m 1024 -smp 1 -nographic -nodefaults -monitor none \
    -no-reboot -serial "file:$LOG" "${BOOT[@]}" \
    "${NETDEV[@]}" \
    -device virtio-net-pci,netdev=n0,romfile= \
    </dev/null >"$RUN/qemu.out" 2>&1 &
QEMU_PID=$!
T_QEMU=$(now_ms)

TIMED_OUT=0
SHELL_AT=    # ms when initramfs-tools' rescue shell prompt appeared (--expect fail:shell)
T_MOUNTED=   # ms when the root's marker appeared (--restart-target-after)
T_KILLED=    # ms when tgtd was killed
while alive "$QEMU_PID"; do
    el=$(( $(now_ms) - T_QEMU ))
    if [ "$TARGET_UP" = 0 ] && [ -z "$T_KILLED" ] && [ "$el" -ge $((TARGET_DELAY * 1000)) ]; then
        start_target "$TARGET_DELAY" || fail "delayed target setup failed, see $TGTLOG"
        TARGET_UP=1
    fi
    if [ -n "$RESTART_AFTER" ]; then
        if [ -z "$T_MOUNTED" ] && grep -q '^ISR-ROOT-MOUNTED-FROM-ISCSI' "$LOG" 2>/dev/null; then
            T_MOUNTED=$el
            info "root mounted at +$((el / 1000)) s; restarting the target in $RESTART_AFTER s"
        fi
        if [ -n "$T_MOUNTED" ] && [ -z "$T_KILLED" ] && [ "$el" -ge $((T_MOUNTED + RESTART_AFTER * 1000)) ]; then
            echo "=== tgtd killed at +$((el / 1000)) s" >>"$TGTLOG"
            kill_wait "$TGTD_PID" KILL 2>/dev/null   # no "Killed" job notice
            TGTD_PID=
            TARGET_UP=0
            T_KILLED=$el
        fi
        if [ -n "$T_KILLED" ] && [ "$TARGET_UP" = 0 ] && [ "$el" -ge $((T_KILLED + TARGET_OUTAGE * 1000)) ]; then
            start_target "$((el / 1000))" || fail "target restart failed, see $TGTLOG"
            TARGET_UP=1
            info "target restarted at +$((el / 1000)) s"
        fi
    fi
    if [ "$EXPECT_RC" = shell ] && grep -q '^(initramfs) ' "$LOG" 2>/dev/null; then
        SHELL_AT=$el   # initramfs-tools' rescue shell waits for input: end here
        break
    fi
    if [ "$el" -ge $((TIMEOUT * 1000)) ]; then
        TIMED_OUT=1
        break
    fi
    sleep 0.1
done
if [ "$TIMED_OUT" = 1 ] || [ -n "${SHELL_AT:-}" ]; then
    kill_wait "$QEMU_PID"
else
    wait "$QEMU_PID"
fi
QEMU_RC=$?
QEMU_PID=
if [ -n "$TAGGER_PID" ]; then
    kill_wait "$TAGGER_PID"   # SIGTERM: it logs its counters
    TAGGER_PID=
    VLAN_COUNTERS=$(grep -m1 -o 'counters: .*' "$VLANLOG" | sed 's/^counters: //')
    FAIL_NOTE=" [vlan $VLAN: ${VLAN_COUNTERS:-no counters, see $VLANLOG}]"
fi
[ -n "$DNSMASQ_PID" ] && cp "$RUN/dnsmasq.log" "$WORK/$NAME.dnsmasq.log" 2>/dev/null
T_END=$(now_ms)
SECS=$(awk -v ms=$((T_END - T_QEMU)) 'BEGIN { printf "%.1f", ms / 1000 }')
