# Sourced by run-boot.sh (not run on its own): the QEMU command line and the
# wait for it: the delayed target start, --restart-target-after's kill and
# restart, --paths 2's second NIC, --path-events and --path-down-at-start,
# --stop-dhcp-after, --timeout; sets QEMU_RC, TIMED_OUT, SECS.
# Uses run-boot.sh's globals; see the options at the top of run-boot.sh.

NIC2=()   # --paths 2: path B's NIC, the guest's second (eth1 unless renamed)
[ "$PATHS" = 2 ] && NIC2=(-netdev "tap,id=n1,ifname=$TAP2,script=no,downscript=no"
                          -device "virtio-net-pci,netdev=n1,mac=$GUEST_MAC2,romfile=")
ip netns exec "$NS" qemu-system-x86_64 -accel tcg -cpu "${ISR_QEMU_CPU:-max}" -m 1024 -smp 1 -nographic -nodefaults -monitor none \
    -no-reboot -serial "file:$LOG" "${BOOT[@]}" \
    "${NETDEV[@]}" \
    -device virtio-net-pci,netdev=n0,romfile= "${NIC2[@]}" \
    </dev/null >"$RUN/qemu.out" 2>&1 &
QEMU_PID=$!
T_QEMU=$(now_ms)

TIMED_OUT=0
SHELL_AT=    # ms when initramfs-tools' rescue shell prompt appeared (--expect fail:shell)
T_MOUNTED=   # ms when the root's marker appeared (--restart-target-after)
T_KILLED=    # ms when tgtd was killed
PATH_EV_LEFT=$PATH_EV   # --path-events not yet done
START_UP_AT=            # ms when --path-down-at-start's path comes up
[ -n "$PATH_DOWN_AT_START" ] && START_UP_AT=$(( ${PATH_DOWN_AT_START#*:} * 1000 ))
while alive "$QEMU_PID"; do
    el=$(( $(now_ms) - T_QEMU ))
    if [ "$TARGET_UP" = 0 ] && [ -z "$T_KILLED" ] && [ "$el" -ge $((TARGET_DELAY * 1000)) ]; then
        start_target "$TARGET_DELAY" || fail "delayed target setup failed, see $TGTLOG"
        TARGET_UP=1
    fi
    if [ -n "$START_UP_AT" ] && [ "$el" -ge "$START_UP_AT" ]; then
        path_set "${PATH_DOWN_AT_START%%:*}" up "at +$((el / 1000)) s after QEMU started" ||
            fail "cannot bring path ${PATH_DOWN_AT_START%%:*} up"
        START_UP_AT=
    fi
    if [ -z "$T_MOUNTED" ] && { [ -n "$RESTART_AFTER" ] || [ -n "$PATH_EV_LEFT" ] || [ -n "$STOP_DHCP_AFTER" ]; } &&
        grep -q '^ISR-ROOT-MOUNTED-FROM-ISCSI' "$LOG" 2>/dev/null; then
        T_MOUNTED=$el
        info "root mounted at +$((el / 1000)) s${RESTART_AFTER:+; restarting the target in $RESTART_AFTER s}"
        echo "root mounted at +$el ms after QEMU started" >>"$PATHLOG"
    fi
    # --path-events: each "MS PATH up|down" line once its time has come
    while [ -n "$T_MOUNTED" ] && [ -n "$PATH_EV_LEFT" ]; do
        read -r ev_ms ev_path ev_dir <<<"${PATH_EV_LEFT%%$'\n'*}"
        [ "$el" -ge $((T_MOUNTED + ev_ms)) ] || break
        path_set "$ev_path" "$ev_dir" "at root+$(( (el - T_MOUNTED) / 1000 )) s" ||
            fail "cannot bring path $ev_path $ev_dir"
        case $PATH_EV_LEFT in *$'\n'*) PATH_EV_LEFT=${PATH_EV_LEFT#*$'\n'} ;; *) PATH_EV_LEFT= ;; esac
    done
    if [ -n "$STOP_DHCP_AFTER" ] && [ -n "$T_MOUNTED" ] && [ -n "$DNSMASQ_PID" ] &&
        [ "$el" -ge $((T_MOUNTED + STOP_DHCP_AFTER * 1000)) ]; then
        stop_dnsmasq "at +$((el / 1000)) s (--stop-dhcp-after $STOP_DHCP_AFTER)"
        info "dnsmasq stopped at +$((el / 1000)) s"
    fi
    if [ -n "$RESTART_AFTER" ]; then
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
