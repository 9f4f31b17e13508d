# Sourced by run-boot.sh (not run on its own): dnsmasq in the namespace: DHCP on
# the tap (10.77.0.50-99, options 3 and 6, lease time --dhcp-lease), plus the caller's options (17,
# 203, iPXE's boot file) and DNSMASQ_TFTP's TFTP server.
# Uses run-boot.sh's globals; see the options at the top of run-boot.sh.

start_dnsmasq() {  # start_dnsmasq [EXTRA dnsmasq OPTIONS]: DHCP on the tap
    ip netns exec "$NS" dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface="$TAP" \
        --bind-interfaces --dhcp-range="${TARGET_IP%.*}.50,${TARGET_IP%.*}.99,255.255.255.0,${DHCP_LEASE:-1h}" \
        --dhcp-option=3,"$TARGET_IP" --dhcp-option=6,"$TARGET_IP" --dhcp-leasefile="$RUN/leases" \
        --pid-file="$RUN/dnsmasq.pid" --log-dhcp "${DNSMASQ_TFTP[@]}" "$@" >"$RUN/dnsmasq.log" 2>&1 &
    DNSMASQ_PID=$!
}

stop_dnsmasq() {  # stop_dnsmasq WHY: no more DHCP answers from here on
    [ -n "$DNSMASQ_PID" ] || return 0
    kill_wait "$DNSMASQ_PID" 2>/dev/null
    DNSMASQ_PID=
    echo "=== dnsmasq stopped: $1" >>"$RUN/dnsmasq.log"
}
