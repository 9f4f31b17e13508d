#!/bin/bash
# install-tree.sh: `make install` into a scratch DESTDIR puts every part
# where its consumer looks (dracut's and mkinitcpio's fixed directories,
# man7/man8), the shell parts parse, the initcpio hooks name the installed
# binary, and dracut itself accepts the installed module.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$HERE/lib.sh"

D=$(mktemp -d "${TMPDIR:-/tmp}/isr-install.XXXXXX")
trap 'rm -rf "$D"' EXIT
if make -s -C "$TOP" install DESTDIR="$D" PREFIX=/usr/local >"$D.log" 2>&1; then
    ok "make install DESTDIR PREFIX=/usr/local"
else
    bad "make install: $(tail -1 "$D.log")"; rm -f "$D.log"; finish
fi
rm -f "$D.log"

for f in usr/local/lib/iscsiroot/iscsistart usr/local/share/man/man8/iscsiroot-iscsistart.8 \
         usr/local/share/man/man7/iscsiroot.7 usr/local/share/doc/iscsiroot/dracut.md \
         usr/local/share/doc/iscsiroot/real-root.md \
         usr/local/share/iscsiroot/ipxe-scripts/sanboot.ipxe \
         usr/local/share/iscsiroot/ipxe-scripts/mkimage.sh \
         usr/lib/dracut/modules.d/90iscsiroot/module-setup.sh \
         usr/lib/initcpio/install/iscsiroot usr/lib/initcpio/install/sd-iscsiroot \
         usr/lib/initcpio/hooks/iscsiroot usr/lib/initcpio/install/multipath usr/lib/initcpio/hooks/multipath \
         usr/local/share/doc/iscsiroot/multipath.md usr/share/initramfs-tools/hooks/iscsiroot \
         usr/share/initramfs-tools/scripts/local-top/iscsiroot usr/local/share/doc/iscsiroot/initramfs-tools.md; do
    [ -f "$D/$f" ] && ok "installed /$f" || bad "missing /$f"
done

# the shell parts: bash for the build side, POSIX sh for what runs at boot
for f in "$D"/usr/lib/dracut/modules.d/90iscsiroot/module-setup.sh \
         "$D"/usr/lib/initcpio/install/*; do
    bash -n "$f" 2>/dev/null && ok "bash -n ${f#"$D"}" || bad "bash -n ${f#"$D"}"
done
for f in "$D"/usr/lib/dracut/modules.d/90iscsiroot/[!m]*.sh "$D"/usr/lib/initcpio/hooks/* \
         "$D"/usr/share/initramfs-tools/hooks/* "$D"/usr/share/initramfs-tools/scripts/local-top/*; do
    dash -n "$f" 2>/dev/null && ok "dash -n ${f#"$D"}" || bad "dash -n ${f#"$D"}"
done

# the installed media tool finds its helpers and makes a USB image
if "$D/usr/local/share/iscsiroot/ipxe-scripts/mkimage.sh" \
        --script "$D/usr/local/share/iscsiroot/ipxe-scripts/sanboot-dhcp.ipxe" \
        --usb "$D/usb.img" >/dev/null 2>&1 && [ -s "$D/usb.img" ]; then
    ok "installed mkimage.sh makes a USB image"
else
    bad "installed mkimage.sh cannot make a USB image"
fi

# PREFIX reaches the build hooks' default binary
if grep -q 'ISCSIROOT_ISCSISTART:-/usr/local/lib/iscsiroot/iscsistart' "$D/usr/lib/initcpio/install/iscsiroot" &&
   ! grep -q '/usr/lib/iscsiroot/iscsistart' "$D"/usr/lib/initcpio/install/*; then
    ok "initcpio hooks default to the installed binary"
else
    bad "initcpio hooks do not name /usr/local/lib/iscsiroot/iscsistart"
fi

# ... and the initramfs-tools hook's
if grep -q '/usr/local/lib/iscsiroot/iscsistart' "$D/usr/share/initramfs-tools/hooks/iscsiroot" &&
   ! grep -q '/usr/lib/iscsiroot/iscsistart' "$D/usr/share/initramfs-tools/hooks/iscsiroot" &&
   grep -q '/usr/local/lib/iscsiroot/iscsistart' "$D/usr/lib/dracut/modules.d/90iscsiroot/module-setup.sh"; then
    ok "initramfs-tools hook and dracut module look for the installed binary"
else
    bad "initramfs-tools hook or dracut module does not name /usr/local/lib/iscsiroot/iscsistart"
fi
[ -x "$D/usr/share/initramfs-tools/hooks/iscsiroot" ] && [ -x "$D/usr/share/initramfs-tools/scripts/local-top/iscsiroot" ] &&
    ok "initramfs-tools files executable" || bad "initramfs-tools files not executable"

# man pages render without warnings
for m in "$D"/usr/local/share/man/man*/*; do
    w=$(LC_ALL=C.UTF-8 MANWIDTH=80 groff -ww -z -man -Tutf8 "$m" 2>&1)
    [ -z "$w" ] && ok "groff ${m##*/}" || bad "groff ${m##*/}: $(echo "$w" | head -1)"
done

# dracut builds an image with the installed module (--no-kernel: hooks and
# binary only), and refuses a binary that is not ours (open-iscsi's)
if command -v dracut >/dev/null && [ -d /usr/lib/dracut/modules.d ]; then
    B=$D/dracutbase
    mkdir -p "$B/modules.d" "$D/confdir" "$D/tmp"
    for f in /usr/lib/dracut/*; do
        [ "${f##*/}" = modules.d ] || ln -s "$f" "$B/${f##*/}"
    done
    ln -s /usr/lib/dracut/modules.d/* "$B/modules.d/"
    cp -r "$D/usr/lib/dracut/modules.d/90iscsiroot" "$B/modules.d/"
    mkimg() {  # mkimg BINARY: dracut's exit status
        rm -f "$D/t.img"
        dracutbasedir=$B ISCSIROOT_BIN=$1 dracut --quiet --force --no-kernel \
            --conf /dev/null --confdir "$D/confdir" --tmpdir "$D/tmp" --no-hostonly \
            --modules iscsiroot --omit "iscsi network systemd" \
            --no-early-microcode --compress cat "$D/t.img" >/dev/null 2>&1
    }
    if mkimg "$D/usr/local/lib/iscsiroot/iscsistart" &&
       lsinitrd "$D/t.img" 2>/dev/null | grep -q ' usr/sbin/iscsiroot$' &&
       lsinitrd "$D/t.img" 2>/dev/null | grep -q 'hooks/pre-pivot/85-iscsiroot-record.sh$'; then
        ok "dracut --modules iscsiroot builds an image with the installed module"
    else
        bad "dracut could not build an image with the installed module"
    fi
    mkimg /bin/true && bad "dracut took a binary that is not iscsiroot's" ||
        ok "dracut refuses a binary that is not iscsiroot's"
else
    bad "dracut not installed (apt-get install dracut-core)"
fi
finish
