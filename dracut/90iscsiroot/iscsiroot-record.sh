#!/bin/sh
# pre-pivot hook of dracut's iscsiroot module: record the iSCSI sessions the
# real root depends on, for its init and network manager.
#
# /run/iscsiroot/sessions (moved into the real root with /run by
# switch_root), one line per session, fields separated by one space, "-"
# when unknown:
#   SESSION TARGETNAME PORTAL INTERFACE INITIATORNAME
#   session1 iqn.2026-11.org.example:root 10.0.0.1:3260 eth0 iqn.2026-11.org.example:host1
# The interface is the one whose /run/iscsiroot/<if>.lease (or iBFT NIC
# entry) has the session's local address (iscsi_host ipaddress).  The .lease
# files stay in place: that interface must stay up, with its address, while
# the root is mounted.

[ -d /sys/class/iscsi_session ] || return 0 2> /dev/null || exit 0

_isr_attr() { # _isr_attr FILE: its first line, or "-"
    local _v=
    [ -r "$1" ] && read -r _v < "$1" 2> /dev/null
    echo "${_v:--}"
}

_isr_iface_for() { # _isr_iface_for LOCAL_IP: the interface of that lease
    local _l _ip _if
    for _l in /run/iscsiroot/*.lease; do
        [ -f "$_l" ] || continue
        _ip=$(sed -n "s/^IP='\(.*\)'\$/\1/p" "$_l")
        _if=$(sed -n "s/^INTERFACE='\(.*\)'\$/\1/p" "$_l")
        [ -n "$_ip" ] && [ "$_ip" = "$1" ] && echo "$_if" && return 0
    done
    # an iBFT NIC with that address: the interface with its MAC address
    for _l in /sys/firmware/ibft/ethernet*; do
        [ -d "$_l" ] || continue
        [ "$(_isr_attr "$_l/ip-addr")" = "$1" ] || continue
        _ip=$(_isr_attr "$_l/mac")
        for _if in /sys/class/net/*; do
            [ "$(_isr_attr "$_if/address")" = "$_ip" ] && echo "${_if##*/}" && return 0
        done
    done
    # one lease only: that is the interface
    set -- /run/iscsiroot/*.lease
    if [ $# -eq 1 ] && [ -f "$1" ]; then
        sed -n "s/^INTERFACE='\(.*\)'\$/\1/p" "$1"
        return 0
    fi
    echo -
}

_isr_record() {
    local _s _sid _tgt _ini _conn _addr _port _portal _host _hip _if _dev
    mkdir -p /run/iscsiroot
    : > /run/iscsiroot/sessions.new
    for _s in /sys/class/iscsi_session/session*; do
        [ -d "$_s" ] || continue
        _sid=${_s##*/}
        _tgt=$(_isr_attr "$_s/targetname")
        _ini=$(_isr_attr "$_s/initiatorname")
        _conn=/sys/class/iscsi_connection/connection${_sid#session}:0
        _addr=$(_isr_attr "$_conn/persistent_address")
        _port=$(_isr_attr "$_conn/persistent_port")
        case "$_addr" in
            *:*) _portal="[$_addr]:$_port" ;;
            *) _portal="$_addr:$_port" ;;
        esac
        _dev=$(readlink -f "$_s/device" 2> /dev/null)
        _host=$(echo "$_dev" | sed -n 's,.*/\(host[0-9][0-9]*\)/.*,\1,p')
        _if=-
        if [ -n "$_host" ]; then
            _if=$(_isr_attr "/sys/class/iscsi_host/$_host/netdev")
            case "$_if" in
                - | "(null)" | "<NULL>" | default) _if= ;;
            esac
            if [ -z "$_if" ]; then
                _hip=$(_isr_attr "/sys/class/iscsi_host/$_host/ipaddress")
                _if=$(_isr_iface_for "$_hip")
            fi
        fi
        echo "$_sid $_tgt $_portal ${_if:--} $_ini" >> /run/iscsiroot/sessions.new
    done
    mv -f /run/iscsiroot/sessions.new /run/iscsiroot/sessions
    while read -r _s || [ -n "$_s" ]; do
        info "iscsiroot: session for the real root: $_s"
    done < /run/iscsiroot/sessions
}

_isr_record
unset -f _isr_attr _isr_iface_for _isr_record
