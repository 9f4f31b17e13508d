# Sourced by run-boot.sh (not run on its own): the target, tgtd in the
# namespace: its LUN (the run's disk.img), the ACL (ACL_NAME or any
# initiator), the CHAP accounts (CHAP, MUTUAL) and the portal (two with
# --paths 2). run-boot.sh starts it at once, after --target-delay, or again
# after an outage.
# Uses run-boot.sh's globals; see the options at the top of run-boot.sh.

tgt() { tgtadm --lld iscsi "$@" >>"$TGTLOG" 2>&1; }
start_target() {
    # Listen only on the namespace's loopback while configuring, so the guest
    # never sees a portal without the target; then add the real portal.
    echo "=== tgtd start at +$1 s" >>"$TGTLOG"
    # not via nsx: $! must be tgtd itself (ip netns exec execs it)
    ip netns exec "$NS" tgtd -f --iscsi "portal=127.0.0.1:$PORT" >>"$TGTLOG" 2>&1 &
    TGTD_PID=$!
    local i
    for i in $(seq 100); do
        tgtadm --lld iscsi --op show --mode sys >/dev/null 2>&1 && break
        alive "$TGTD_PID" || return 1
        sleep 0.05
    done
    tgt --op new --mode target --tid 1 -T "$TARGET_IQN" || return 1
    tgt --op new --mode logicalunit --tid 1 --lun 1 -b "$RUN/disk.img" || return 1
    if [ -n "$ACL_NAME" ]; then
        tgt --op bind --mode target --tid 1 --initiator-name "$ACL_NAME" || return 1
    else
        tgt --op bind --mode target --tid 1 -I ALL || return 1
    fi
    if [ -n "$CHAP" ]; then
        tgt --op new --mode account --user "${CHAP%%:*}" --password "${CHAP#*:}" || return 1
        tgt --op bind --mode account --tid 1 --user "${CHAP%%:*}" || return 1
    fi
    if [ -n "$MUTUAL" ]; then
        tgt --op new --mode account --user "${MUTUAL%%:*}" --password "${MUTUAL#*:}" || return 1
        tgt --op bind --mode account --tid 1 --user "${MUTUAL%%:*}" --outgoing || return 1
    fi
    if [ "$IPV6" = 1 ]; then
        tgt --op new --mode portal --param "portal=[$TARGET_IP6]:$PORT" || return 1
    else
        tgt --op new --mode portal --param "portal=$TARGET_IP:$PORT" || return 1
    fi
    # --paths 2: the same target and LUN through the second portal too
    if [ "$PATHS" = 2 ]; then
        tgt --op new --mode portal --param "portal=$TARGET_IP2:$PORT" || return 1
    fi
    return 0
}
