#!/bin/sh
# mount hook of dracut's iscsiroot module, installed in systemd images only.
#
# With root=iscsi:..., root=dhcp or no root=, the cmdline hook sets
# root=block:/dev/root after systemd's generators ran, so no sysroot.mount
# exists for it, and rootfs-block's own mount hook is left out of systemd
# images.  dracut-mount.service sources this (possibly several times) until
# $NEWROOT is mounted: mount the disk /sbin/iscsiroot linked to /dev/root.

if [ -e /run/iscsiroot/want-dev-root ] && [ -b /dev/root ] && ! ismounted "$NEWROOT"; then
    info "iscsiroot: mounting /dev/root ($(readlink -f /dev/root)) on $NEWROOT"
    # shellcheck disable=SC2154  # fstype and rflags come from dracut's state
    mount ${fstype:+-t "$fstype"} -o "${rflags:-ro}" /dev/root "$NEWROOT" ||
        warn "iscsiroot: cannot mount /dev/root on $NEWROOT"
fi
