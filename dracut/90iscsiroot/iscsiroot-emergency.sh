#!/bin/sh
# emergency hook of dracut's iscsiroot module: say why there is no root.
if [ -f /run/iscsiroot/iscsistart.rc ]; then
    _isr_rc=$(cat /run/iscsiroot/iscsistart.rc)
    # 0, or 15 with disks: the login (or the session already there) was fine
    [ "$_isr_rc" = 0 ] || { [ "$_isr_rc" = 15 ] && [ -s /run/iscsiroot/disks ]; } || warn "iscsiroot: the iSCSI login failed: iscsistart exit code $_isr_rc (see iscsiroot-iscsistart(8); boot with rd.iscsiroot.debug=2 for details)"
elif [ -e /run/iscsiroot/want-dev-root ] || [ -e "$hookdir/initqueue/finished/iscsiroot.sh" ]; then
    warn "iscsiroot: iscsistart has not run"
fi
unset _isr_rc
