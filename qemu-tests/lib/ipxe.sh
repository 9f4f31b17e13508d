# Sourced by run-boot.sh (not run on its own): how the guest boots, as BOOT
# (QEMU's boot options) and NETDEV: iPXE with a shipped script
# (--ipxe-script: ipxe-set.sh's settings, busybox httpd or dnsmasq's TFTP
# for the kernel, lkrn/USB/CD/EFI media), iPXE with the generated sanhook
# script (--ipxe), or the kernel directly (-kernel/-initrd/-append).
# Uses run-boot.sh's globals; see the options at the top of run-boot.sh.

APPEND="console=ttyS0 loglevel=5 panic=-1 edd=off"
# initramfs-tools reads panic= too: any value replaces its rescue shell
# with a reboot, so --expect fail:shell boots without it
[ "$EXPECT_RC" = shell ] && APPEND="console=ttyS0 loglevel=5 edd=off"
NETDEV=(-netdev "tap,id=n0,ifname=$TAP,script=no,downscript=no")
if [ -n "$VLAN" ]; then
    NETDEV=(-netdev "socket,id=n0,udp=$TAGGER_UDP,localaddr=$QEMU_UDP")
fi
if [ -n "$IPXE_SCRIPT" ]; then
    # iPXE runs the script under test with the harness's values; the kernel
    # and initramfs come from the iSCSI disk itself (sanboot) or over HTTP
    mkdir -p "$RUN/www"
    ln "$VMLINUZ" "$RUN/www/vmlinuz" 2>/dev/null || cp "$VMLINUZ" "$RUN/www/vmlinuz"
    mv "$RUN/initrd.gz" "$RUN/www/initrd.gz"
    ip netns exec "$NS" busybox httpd -f -p "$TARGET_IP:8080" -h "$RUN/www" &
    HTTPD_PID=$!
    KARGS=$(printf '%s' "$APPEND isr.net=none $CMDLINE $KERNEL_ARGS" | tr -s ' ' | sed 's/^ //; s/ $//')
    SETS=(failure-timeout=3000 boot-url="http://$TARGET_IP:8080" kernel-name=vmlinuz initrd-name=initrd.gz
          kernel-args="$KARGS")
    if [ "$TFTP" = 1 ]; then
        # as root: dnsmasq's default user cannot enter $RUN (mode 0700)
        DNSMASQ_TFTP=(--enable-tftp --tftp-root="$RUN/www" --user=root)
        SETS+=(boot-url="tftp://$TARGET_IP")
    fi
    if [ "$DHCP_ROOT_PATH" = 1 ]; then
        start_dnsmasq --dhcp-option=17,"iscsi:$TARGET_IP:::1:$TARGET_IQN" \
            --dhcp-option=203,"$DHCP_INITIATOR_IQN"
    else
        SETS+=(initiator-iqn="$INITIATOR_IQN" root-path="iscsi:$TARGET_IP:::1:$TARGET_IQN"
               static-ip="$GUEST_IP" static-gateway="$TARGET_IP")
    fi
    [ "$TFTP" = 1 ] && [ -z "$DNSMASQ_PID" ] && start_dnsmasq
    [ -n "$CHAP" ] && SETS+=(username="${CHAP%%:*}" password="${CHAP#*:}")
    [ -n "$MUTUAL" ] && SETS+=(reverse-username="${MUTUAL%%:*}" reverse-password="${MUTUAL#*:}")
    case $IPXE_MEDIA in
        lkrn)
            "$HERE/../ipxe-scripts/ipxe-set.sh" "$IPXE_SCRIPT" "${SETS[@]}" "${IPXE_SETS[@]}" \
                > "$RUN/boot.ipxe" 2>"$RUN/ipxe-set.err" || fail "ipxe-set.sh: $(cat "$RUN/ipxe-set.err")"
            BOOT=(-kernel /usr/lib/ipxe/ipxe.lkrn -initrd "$RUN/boot.ipxe") ;;
        usb|iso)
            MK=()
            for a in "${SETS[@]}" "${IPXE_SETS[@]}"; do MK+=(--set "$a"); done
            "$HERE/../ipxe-scripts/mkimage.sh" --script "$IPXE_SCRIPT" "${MK[@]}" \
                "--$IPXE_MEDIA" "$RUN/media.$IPXE_MEDIA" 2>"$RUN/mkimage.err" ||
                fail "mkimage.sh: $(grep -v warning "$RUN/mkimage.err" | tail -n1)"
            if [ "$IPXE_MEDIA" = usb ]; then
                BOOT=(-drive "file=$RUN/media.usb,format=raw,if=ide,snapshot=on")
            else
                BOOT=(-cdrom "$RUN/media.iso")
            fi ;;
        efi)
            "$HERE/../ipxe-scripts/ipxe-set.sh" "$IPXE_SCRIPT" "${SETS[@]}" "${IPXE_SETS[@]}" \
                > "$RUN/www/boot.ipxe" 2>"$RUN/ipxe-set.err" || fail "ipxe-set.sh: $(cat "$RUN/ipxe-set.err")"
            start_dnsmasq --dhcp-userclass=set:ipxe,iPXE --dhcp-boot=tag:ipxe,"http://$TARGET_IP:8080/boot.ipxe"
            cp "$OVMF_VARS" "$RUN/ovmf-vars.fd" || fail "cannot copy $OVMF_VARS"
            BOOT=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE"
                  -drive "if=pflash,format=raw,unit=1,file=$RUN/ovmf-vars.fd"
                  -kernel /usr/lib/ipxe/ipxe.efi) ;;
    esac
elif [ "$HAVE_CMDLINE" = 1 ] && [ -z "$IPXE" ]; then
    APPEND+=" isr.net=none $CMDLINE $KERNEL_ARGS"
    BOOT=(-kernel "$VMLINUZ" -initrd "$RUN/initrd.gz" -append "$APPEND")
    if [ "$DHCP_ROOT_PATH" = 1 ]; then
        # RFC 4173 root path; 203 is the iSCSI initiator name option
        start_dnsmasq --dhcp-option=17,"iscsi:$TARGET_IP:::1:$TARGET_IQN" \
            --dhcp-option=203,"$DHCP_INITIATOR_IQN"
    fi
elif [ -z "$IPXE" ]; then
    APPEND+=" isr.ip=$GUEST_IP/$PREFIX $KERNEL_ARGS"
    BOOT=(-kernel "$VMLINUZ" -initrd "$RUN/initrd.gz" -append "$APPEND")
else
    # iPXE fetches the kernel and initramfs over HTTP from the namespace
    mkdir -p "$RUN/www"
    ln "$VMLINUZ" "$RUN/www/vmlinuz" 2>/dev/null || cp "$VMLINUZ" "$RUN/www/vmlinuz"
    mv "$RUN/initrd.gz" "$RUN/www/initrd.gz"
    ip netns exec "$NS" busybox httpd -f -p "$TARGET_IP:8080" -h "$RUN/www" &
    HTTPD_PID=$!
    if [ "$IPXE" = dhcp ]; then
        start_dnsmasq
        # only the DHCP configurator: plain `dhcp` also waits ~13 s for an
        # IPv6 router advertisement that never comes
        NETUP="ifconf -c dhcp net0 || goto failed"
    else
        NETUP="set net0/ip $GUEST_IP
set net0/netmask 255.255.255.0
set net0/gateway $TARGET_IP
set net0/dns $TARGET_IP
ifopen net0 || goto failed"
        # --paths 2: the second NIC on path B's subnet, and a second
        # sanhook through it: the iBFT then has two NICs and two targets
        [ "$PATHS" = 2 ] && NETUP+="
set net1/ip ${TARGET_IP2%.*}.2
set net1/netmask 255.255.255.0
ifopen net1 || goto failed"
    fi
    {
        echo '#!ipxe'
        echo "$NETUP"
        echo "set initiator-iqn $INITIATOR_IQN"
        [ -n "$CHAP" ] && printf 'set username %s\nset password %s\n' "${CHAP%%:*}" "${CHAP#*:}"
        [ -n "$MUTUAL" ] && printf 'set reverse-username %s\nset reverse-password %s\n' "${MUTUAL%%:*}" "${MUTUAL#*:}"
        echo "sanhook iscsi:$TARGET_IP:::1:$TARGET_IQN || goto failed"
        [ "$PATHS" = 2 ] && echo "sanhook --drive 0x81 iscsi:$TARGET_IP2:::1:$TARGET_IQN || goto failed"
        if [ "$HAVE_CMDLINE" = 1 ]; then
            # e.g. rd.iscsi.firmware=1: bare iscsistart takes the iBFT itself
            echo "kernel http://$TARGET_IP:8080/vmlinuz $APPEND isr.net=none $CMDLINE $KERNEL_ARGS || goto failed"
        else
            echo "kernel http://$TARGET_IP:8080/vmlinuz $APPEND isr.ibft=1 $KERNEL_ARGS || goto failed"
        fi
        echo "initrd http://$TARGET_IP:8080/initrd.gz || goto failed"
        echo "boot || goto failed"
        echo ":failed"
        echo "echo ISR-BOOT-FAILED reason=ipxe"
        echo "reboot"
    } > "$RUN/boot.ipxe"
    BOOT=(-kernel /usr/lib/ipxe/ipxe.lkrn -initrd "$RUN/boot.ipxe")
fi
