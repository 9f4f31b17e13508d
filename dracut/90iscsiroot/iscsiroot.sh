#!/bin/sh
# /sbin/iscsiroot: the iscsiroot dracut module's netroot handler, queued
# once by the cmdline hook (parse-iscsiroot.sh).  The initqueue sources it
# in a subshell, which has dracut-lib.sh's functions already; run as a
# command it sources dracut-lib.sh itself.
#
# Runs iscsistart in kernel-command-line mode: it loads the NIC driver,
# configures ip=/vlan=/ifname= (or the iBFT's network, or DHCP), writes
# /run/iscsiroot/<if>.lease and /run/iscsiroot/initiatorname.iscsi, logs into
# every target and prints the disks.  It reads /etc/iscsiroot.conf and
# dracut's /etc/cmdline.d itself, before /proc/cmdline.  The exit code goes to
# /run/iscsiroot/iscsistart.rc; 15 with disks printed (the session existed
# already: not logged in again) is a success.  On success /run/iscsiroot/done is created
# and, for root=iscsi:/dhcp/none, /dev/root points at the first disk (or,
# with dracut's multipath module, at the multipath map holding it); on
# failure dracut keeps waiting until rd.retry runs out and then takes its
# emergency path (see iscsiroot-emergency.sh).

type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin

RUNDIR=/run/iscsiroot
[ -d "$RUNDIR" ] || mkdir -p "$RUNDIR"
[ -e "$RUNDIR/done" ] && exit 0

# the meaning of iscsistart's exit codes (open-iscsi's ISCSI_ERR_*)
iscsiroot_reason() {
    case "$1" in
        4) echo "portal unreachable, or no interface/carrier" ;;
        5) echo "login failed (target error or protocol violation)" ;;
        7) echo "bad parameter on the kernel command line" ;;
        8) echo "connect timed out, or no DHCP lease" ;;
        11) echo "no login response in time" ;;
        12) echo "iscsi_tcp not available" ;;
        19) echo "the target refused the login (e.g. unknown target name)" ;;
        21) echo "no iSCSI target or no disk found" ;;
        24) echo "authentication failed" ;;
        15) echo "a session to the target exists but is not logged in (see the log)" ;;
        *) echo "see iscsiroot-iscsistart(8), EXIT STATUS" ;;
    esac
}

# iscsiroot_map_of DISK: if DISK (/dev/sdX) is a path of a dm-multipath map
# (an image with dracut's multipath module: 60-multipath.rules marked it
# DM_MULTIPATH_DEVICE_PATH=1), print the map's /dev/mapper/NAME, waiting up
# to 30 s for multipathd to assemble it; print nothing for a plain disk.
# A multipath root must be the map: a path's sdX is claimed by the map (its
# mount fails with EBUSY) and would lose the other paths.
iscsiroot_map_of() {
    local _n=${1#/dev/} _i=0 _h
    [ -e /etc/multipath.conf ] && command -v udevadm > /dev/null || return 0
    udevadm settle --timeout=10 > /dev/null 2>&1
    udevadm info --query=property --name="$1" 2> /dev/null | grep -q '^DM_MULTIPATH_DEVICE_PATH=1$' || return 0
    while [ $_i -lt 300 ]; do
        for _h in /sys/block/"$_n"/holders/dm-*; do
            [ -r "$_h/dm/uuid" ] || continue
            case "$(cat "$_h/dm/uuid")" in
                mpath-*)
                    echo "/dev/mapper/$(cat "$_h/dm/name")"
                    return 0
                    ;;
            esac
        done
        sleep 0.1
        _i=$((_i + 1))
    done
    warn "iscsiroot: $1 is a multipath path, but no multipath map holds it after 30 s"
    return 1
}

# iscsistart reads /etc/iscsiroot.conf and /etc/cmdline.d/*.conf itself,
# before /proc/cmdline (so the boot prompt wins): no secret goes into argv.
set -- --from-cmdline --supervise
_dbg=$(getarg rd.iscsiroot.debug=) && [ -n "$_dbg" ] && set -- "$@" -d "$_dbg"

# Let udev finish what coldplug started: the NIC driver, and the NIC's
# renaming when the image has a naming policy (a .link file, e.g. from
# dracut's systemd-networkd module), so that iscsistart sees the final
# names; an interface it set up first could no longer be renamed.
command -v udevadm > /dev/null && udevadm settle --timeout=10 > /dev/null 2>&1

info "iscsiroot: starting iscsistart"
echo "iscsiroot: running iscsistart ${1%%=*}" >&2
_out=$(iscsistart "$@")
_rc=$?
echo "$_rc" > "$RUNDIR/iscsistart.rc"
# the first word of each line that names a /dev node (shell builtins only:
# forks are slow this early); _list is the same, space-separated
_disks= _list= _first=
while read -r _l _; do
    case "$_l" in
        /dev/*)
            _disks="$_disks${_disks:+
}$_l"
            _list="$_list$_l "
            : "${_first:=$_l}"
            ;;
    esac
done << EOF
$_out
EOF
# 15 with disks printed: the session was there already (a rerun of this
# hook, or another login before it); iscsistart did not log in again and
# printed its disks, as after a login of its own
if [ "$_rc" -eq 15 ] && [ -n "$_disks" ]; then
    info "iscsiroot: the iSCSI session exists already; using its disks"
elif [ "$_rc" -ne 0 ]; then
    warn "iscsiroot: iscsistart failed with exit code $_rc: $(iscsiroot_reason "$_rc")"
    exit 1
fi

printf '%s\n' "$_disks" > "$RUNDIR/disks"
echo "iscsiroot: logged in, disks: $_list" >&2
info "iscsiroot: logged in, disks: $_list"

if [ -e "$RUNDIR/want-dev-root" ]; then
    if [ -z "$_first" ] || ! [ -b "$_first" ]; then
        warn "iscsiroot: iscsistart printed no disk; cannot set /dev/root"
        exit 1
    fi
    # a multipath root: the map of the first disk's paths, not one path
    _map=$(iscsiroot_map_of "$_first") || exit 1
    if [ -n "$_map" ]; then
        info "iscsiroot: $_first is a path of the multipath map $_map"
        _first=$(readlink -f "$_map")
    fi
    _name=${_first#/dev/}
    # a udev rule, so that udev (and systemd's dev-root.device) know the
    # link; a plain symlink when udev is not running
    mkdir -p /etc/udev/rules.d
    printf 'SUBSYSTEM=="block", KERNEL=="%s", SYMLINK+="root"\n' "$_name" \
        > /etc/udev/rules.d/99-iscsiroot.rules
    if command -v udevadm > /dev/null && udevadm control --reload > /dev/null 2>&1; then
        udevadm trigger --action=change --subsystem-match=block --sysname-match="$_name" > /dev/null 2>&1
        udevadm settle --timeout=10 --exit-if-exists=/dev/root > /dev/null 2>&1
    fi
    [ -e /dev/root ] || ln -s "$_first" /dev/root
    echo "iscsiroot: root device /dev/root -> $_first" >&2
    info "iscsiroot: root device /dev/root -> $_first"
fi
: > "$RUNDIR/done"
exit 0
