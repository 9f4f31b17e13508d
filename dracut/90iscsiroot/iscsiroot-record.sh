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

# The lookups below use shell builtins only (read, case, parameter
# expansion): every fork costs tens of milliseconds in a slow early boot.

_isr_get() { # _isr_get FILE: _v = its first line, or "-"
    _v=
    [ -r "$1" ] && read -r _v < "$1" 2> /dev/null
    : "${_v:=-}"
}

_isr_lease_get() { # _isr_lease_get LEASE KEY: _v = KEY's value (unquoted)
    local _l
    _v=
    while read -r _l || [ -n "$_l" ]; do
        case "$_l" in
            "$2="*)
                _v=${_l#"$2="}
                _v=${_v#\'}
                _v=${_v%\'}
                return 0
                ;;
        esac
    done < "$1"
}

_isr_iface_for() { # _isr_iface_for LOCAL_IP: _if = the interface of that lease
    local _l _ip _mac _n=0 _one=
    for _l in /run/iscsiroot/*.lease; do
        [ -f "$_l" ] || continue
        _n=$((_n + 1))
        _one=$_l
        _isr_lease_get "$_l" IP
        _ip=$_v
        [ -n "$_ip" ] && [ "$_ip" = "$1" ] || continue
        _isr_lease_get "$_l" INTERFACE
        _if=$_v
        return 0
    done
    # an iBFT NIC with that address: the interface with its MAC address
    for _l in /sys/firmware/ibft/ethernet*; do
        [ -d "$_l" ] || continue
        _isr_get "$_l/ip-addr"
        [ "$_v" = "$1" ] || continue
        _isr_get "$_l/mac"
        _mac=$_v
        for _if in /sys/class/net/*; do
            _isr_get "$_if/address"
            [ "$_v" = "$_mac" ] && _if=${_if##*/} && return 0
        done
    done
    # one lease only: that is the interface
    if [ "$_n" -eq 1 ]; then
        _isr_lease_get "$_one" INTERFACE
        _if=$_v
        return 0
    fi
    _if=-
}

_isr_record() {
    local _s _sid _tgt _ini _conn _addr _port _portal _host _if _dev _v
    [ -d /run/iscsiroot ] || mkdir -p /run/iscsiroot
    : > /run/iscsiroot/sessions.new
    for _s in /sys/class/iscsi_session/session*; do
        [ -d "$_s" ] || continue
        _sid=${_s##*/}
        _isr_get "$_s/targetname"
        _tgt=$_v
        _isr_get "$_s/initiatorname"
        _ini=$_v
        _conn=/sys/class/iscsi_connection/connection${_sid#session}:0
        _isr_get "$_conn/persistent_address"
        _addr=$_v
        _isr_get "$_conn/persistent_port"
        _port=$_v
        case "$_addr" in
            *:*) _portal="[$_addr]:$_port" ;;
            *) _portal="$_addr:$_port" ;;
        esac
        # the session's SCSI host: the hostN above sessionN in its
        # device path (/sys/devices/platform/host0/session1)
        _dev=$(readlink -f "$_s/device" 2> /dev/null)
        _host=${_dev%/"$_sid"*}
        _host=${_host##*/}
        case "$_host" in host[0-9]*) ;; *) _host= ;; esac
        _if=-
        if [ -n "$_host" ]; then
            _isr_get "/sys/class/iscsi_host/$_host/netdev"
            _if=$_v
            case "$_if" in
                - | "(null)" | "<NULL>" | default) _if= ;;
            esac
            if [ -z "$_if" ]; then
                _isr_get "/sys/class/iscsi_host/$_host/ipaddress"
                _isr_iface_for "$_v"
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
unset -f _isr_get _isr_lease_get _isr_iface_for _isr_record
