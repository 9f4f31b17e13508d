#!/bin/bash
# dracut module "iscsiroot": boot a root file system over iSCSI with
# iscsiroot's iscsistart, which brings the NIC up itself (ip=, DHCP, iBFT),
# logs in and waits for the disk.  No dracut network module is needed, and
# dracut's own "iscsi" module (open-iscsi) must not be in the same image.
#
# Variables read at build time (environment or dracut.conf):
#   ISCSIROOT_BIN          the iscsistart to install (default: the first of
#                          /usr/lib/iscsiroot/iscsistart, /usr/sbin/iscsistart,
#                          /sbin/iscsistart, /usr/local/sbin/iscsistart and
#                          $PATH that is iscsiroot's, not open-iscsi's)
#   ISCSIROOT_NET_DRIVERS  NIC drivers to install instead of every Ethernet
#                          driver (e.g. "virtio_net virtio_pci e1000e")

# Print the path of iscsiroot's iscsistart, or nothing.
iscsiroot_find_bin() {
    local _b _cands
    if [[ -n $ISCSIROOT_BIN ]]; then
        _cands=$ISCSIROOT_BIN
    else
        _cands="/usr/lib/iscsiroot/iscsistart /usr/sbin/iscsistart /sbin/iscsistart /usr/local/sbin/iscsistart"
        _b=$(command -v iscsistart 2> /dev/null) && _cands+=" $_b"
    fi
    for _b in $_cands; do
        [[ -x $dracutsysrootdir$_b ]] || continue
        # open-iscsi's iscsistart has no --from-cmdline: it is not ours
        "$dracutsysrootdir$_b" --version 2> /dev/null | grep -q '(iscsiroot)' || continue
        echo "$_b"
        return 0
    done
    return 1
}

# $1 is MAJ:MIN of a block device: is it (or does it sit on) an iSCSI disk?
iscsiroot_is_iscsi_dev() {
    local _p
    _p=$(readlink -f "/sys/dev/block/$1/device" 2> /dev/null) || return 1
    [[ $_p == */session[0-9]* ]]
}

# called by dracut
check() {
    if ! iscsiroot_find_bin > /dev/null; then
        if [[ -n $ISCSIROOT_BIN ]]; then
            derror "iscsiroot: ISCSIROOT_BIN=$ISCSIROOT_BIN is not iscsiroot's iscsistart"
        else
            dinfo "iscsiroot: iscsiroot's iscsistart not found (set ISCSIROOT_BIN)"
        fi
        return 1
    fi
    # Host-only images get the module on their own when / is on iSCSI and
    # open-iscsi (whose dracut module would claim the same root) is not
    # installed; otherwise only when asked for (--add iscsiroot).
    if [[ $hostonly ]] && ! require_binaries iscsiadm > /dev/null 2>&1; then
        for_each_host_dev_and_slaves_all iscsiroot_is_iscsi_dev && return 0
    fi
    return 255
}

# called by dracut
depends() {
    # root=block:/dev/root, root=LABEL=... are mounted by rootfs-block;
    # no network module: iscsistart configures the NIC itself
    echo base rootfs-block
    return 0
}

# called by dracut
installkernel() {
    local _net
    # iscsistart loads these itself through libkmod (modules.dep/alias)
    instmods iscsi_tcp sd_mod crc32c 8021q
    instmods -o iscsi_ibft crc32c_generic crc32c-intel af_packet
    # the static build hashes CHAP with the kernel's crypto API (AF_ALG)
    # and loads these with modprobe ("crypto: kernel" in its --version)
    if "$dracutsysrootdir$(iscsiroot_find_bin)" --version 2> /dev/null | grep -q '^crypto: kernel'; then
        instmods algif_hash
        instmods -o md5 sha1_generic sha256_generic sha3_generic
    fi
    if [[ -n $ISCSIROOT_NET_DRIVERS ]]; then
        # shellcheck disable=SC2086
        hostonly='' instmods $ISCSIROOT_NET_DRIVERS
    elif [[ $hostonly ]]; then
        # the drivers of the host's NICs (and their parents, e.g. virtio_pci)
        for _net in /sys/class/net/*/device; do
            [[ -e $_net ]] || continue
            _net=$(readlink -f "$_net")
            while [[ $_net == /sys/devices/* ]]; do
                [[ -e $_net/driver/module ]] && instmods "$(basename "$(readlink -f "$_net/driver/module")")"
                _net=${_net%/*}
            done
        done
    else
        # every wired NIC driver, as dracut's network module picks them
        hostonly='' dracut_instmods -o -P ".*/(wireless|wwan)/.*" \
            -s "eth_type_trans|register_virtio_device|usbnet_open" "=drivers/net"
        hostonly='' instmods -o virtio_pci
    fi
    return 0
}

# called by dracut
install() {
    local _bin
    if dracut_module_included "iscsi"; then
        dfatal "iscsiroot: refusing to be combined with dracut's iscsi module (open-iscsi): both would log into the root target. Build with --omit iscsi."
        exit 1
    fi
    # dracut's network modules would bring the NIC up too (ifup from udev
    # rules, DHCP unless ip= says otherwise) and hold the main loop until
    # their online hooks ran: slower, and a second owner of the interface
    local _m
    for _m in network-legacy network-manager systemd-networkd connman; do
        dracut_module_included "$_m" &&
            dwarning "iscsiroot: dracut's $_m module is included: it configures the network as well (iscsistart does); omit it (--omit $_m)"
    done
    _bin=$(iscsiroot_find_bin) || {
        dfatal "iscsiroot: iscsiroot's iscsistart not found (set ISCSIROOT_BIN)"
        exit 1
    }
    inst_binary "$dracutsysrootdir$_bin" /sbin/iscsistart
    inst_multiple cat sed grep readlink basename tr mkdir ln rm
    inst_multiple -o udevadm
    # the static build runs modprobe (it has no libkmod)
    inst_multiple -o modprobe
    inst_script "$moddir/iscsiroot.sh" /sbin/iscsiroot
    inst_hook cmdline 90 "$moddir/parse-iscsiroot.sh"
    inst_hook pre-pivot 85 "$moddir/iscsiroot-record.sh"
    # systemd images mount root=block:... through generated units only, and
    # the /dev/root of root=iscsi: is known too late for the generators
    if dracut_module_included "systemd"; then
        inst_hook mount 90 "$moddir/iscsiroot-mount.sh"
    fi
    inst_hook emergency 20 "$moddir/iscsiroot-emergency.sh"
    # extra kernel-command-line words for iscsistart (e.g. CHAP secrets
    # that should not be on the boot loader's command line)
    if [[ -f $dracutsysrootdir/etc/iscsiroot.conf ]]; then
        inst_simple /etc/iscsiroot.conf
        chmod 0600 "$initdir/etc/iscsiroot.conf"
    fi
    if [[ $hostonly ]] && [[ -f $dracutsysrootdir/etc/iscsi/initiatorname.iscsi ]]; then
        inst_simple /etc/iscsi/initiatorname.iscsi
    fi
    dracut_need_initqueue
    return 0
}
