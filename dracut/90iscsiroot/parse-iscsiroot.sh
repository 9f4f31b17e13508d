#!/bin/sh
# cmdline hook of dracut's iscsiroot module (sourced by dracut's init).
#
# When the kernel command line asks for an iSCSI root (netroot=iscsi:...,
# root=iscsi:..., netroot=dhcp / root=dhcp, rd.iscsi.firmware, rd.iscsi.ibft,
# ip=ibft, Debian's iscsi_target_name= / iscsi_target_ip= / iscsi_auto, or
# the image has an /etc/iscsiroot.conf with words in it):
#   - accept the root (rootok=1);
#   - when root= names no device (root=iscsi:..., root=dhcp, no root=), use
#     the first disk of the login: root=block:/dev/root, the symlink that
#     /sbin/iscsiroot makes;
#   - queue /sbin/iscsiroot once: no dracut network module will call it.
# rd.iscsiroot=0 turns the module off.

type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh

iscsiroot_wanted() {
    local _w
    case "$root" in
        iscsi:* | dhcp) return 0 ;;
    esac
    for _w in $(getargs netroot=); do
        case "$_w" in
            iscsi:* | dhcp) return 0 ;;
        esac
    done
    for _w in $(getargs ip=); do
        [ "$_w" = ibft ] && return 0
    done
    getargbool 0 rd.iscsi.firmware && return 0
    getargbool 0 rd.iscsi.ibft && return 0
    getarg iscsi_target_name= > /dev/null && return 0
    getarg iscsi_target_ip= > /dev/null && return 0
    getarg iscsi_auto > /dev/null && return 0
    # words in the image's /etc/iscsiroot.conf (iscsistart reads them)
    [ -f /etc/iscsiroot.conf ] && grep -q '^[[:space:]]*[^#[:space:]]' /etc/iscsiroot.conf && return 0
    return 1
}

if getargbool 1 rd.iscsiroot && iscsiroot_wanted; then
    mkdir -p /run/iscsiroot
    case "$root" in
        iscsi:* | dhcp | '')
            # the whole first disk of the first session is the root
            : > /run/iscsiroot/want-dev-root
            root=block:/dev/root
            wait_for_dev /dev/root
            ;;
    esac
    # shellcheck disable=SC2034
    rootok=1
    # do not return before the login has been tried (and the disk is known)
    echo '[ -e /run/iscsiroot/done ]' > "$hookdir/initqueue/finished/iscsiroot.sh"
    # the job, as "initqueue --onetime --unique --name iscsiroot" would
    # write it, but without that script's own process (a shell that
    # sources dracut-lib.sh), and running /sbin/iscsiroot in a subshell of
    # the main loop rather than as a new shell that sources it once more:
    # each costs a few hundred milliseconds this early in a slow boot
    {
        # shellcheck disable=SC2016  # $job is the main loop's
        echo '[ -e "$job" ] && rm -f -- "$job"'
        echo '( . /sbin/iscsiroot )'
    } > "$hookdir/initqueue/iscsiroot.sh"
    : >> "$hookdir/initqueue/work"
    info "iscsiroot: iSCSI root requested (root=$root), login queued"
fi
