#!/bin/bash
# packages.sh: the packages people install, built and checked for real.
#  - debian/: dpkg-buildpackage -us -uc -b builds iscsiroot_VERSION_amd64.deb;
#    lintian reports no error; its files are exactly `make install
#    PREFIX=/usr`'s (gzip aside: dh_compress compresses man pages and long
#    docs; dh adds changelog and copyright); none of them is a file of
#    Debian's open-iscsi package (so both install side by side);
#    it carries initramfs-tools' update-initramfs trigger;
#  - installed with `dpkg --root` into a scratch root (no chroot system:
#    --force-depends, its libraries are the host's), an initramfs built by
#    Debian's mkinitramfs from the files it installed boots to the iSCSI
#    root under QEMU with one session;
#  - packaging/rpm/iscsiroot.spec: rpmbuild (Debian's rpm; --nodeps, as
#    Debian has no RPM database of the build dependencies) builds an RPM
#    with exactly `make install`'s files;
#  - packaging/arch/PKGBUILD: makepkg is not packaged for Debian, so its
#    build() and package() run here the way makepkg calls them (srcdir,
#    pkgdir), and package() must install exactly `make install`'s files.
# Needs root (dpkg --root, the QEMU boot), debhelper, fakeroot, lintian,
# rpm, initramfs-tools-core, open-iscsi, and qemu-tests' kernel.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
. "$HERE/lib.sh"

W=$(mktemp -d "${TMPDIR:-/tmp}/isr-packages.XXXXXX")
trap 'rm -rf "$W"' EXIT
VERSION=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)

# a copy of the tree as git has it (with uncommitted edits), for each build
tree() {
    mkdir -p "$1"
    (cd "$TOP" && git ls-files -z | tar --null -T - -cf -) | tar -xf - -C "$1"
}
# files (not directories) under DIR, one path per line, sorted; .gz dropped
files() { (cd "$1" && find . -type f -o -type l) | sed 's|^\.||; s|\.gz$||' | sort; }
# same_files NAME WHAT: $W/NAME.list must equal make install's $W/ref.list; WHAT
# names the package in the ok/bad line
same_files() {
    local name=$1 what=$2
    if diff -u "$W/ref.list" "$W/$name.list" > "$W/$name.diff"; then
        ok "$what installs make install's $(wc -l < "$W/$name.list") files"
    else
        bad "$what and make install differ: $(grep '^[-+]/' "$W/$name.diff" | head -n 5 | tr '\n' ' ')"
    fi
}

# --- make install, the reference ---------------------------------------------
if make -s -C "$TOP" install DESTDIR="$W/ref" PREFIX=/usr >"$W/ref.log" 2>&1; then
    files "$W/ref" > "$W/ref.list"
    ok "make install PREFIX=/usr: $(wc -l < "$W/ref.list") files"
else
    bad "make install: $(tail -n 1 "$W/ref.log")"; finish
fi

# --- the .deb -------------------------------------------------------------------
tree "$W/deb/iscsiroot-$VERSION"
DEB=$W/deb/iscsiroot_${VERSION}_amd64.deb
if (cd "$W/deb/iscsiroot-$VERSION" && dpkg-buildpackage -us -uc -b) >"$W/deb.log" 2>&1 && [ -f "$DEB" ]; then
    ok "dpkg-buildpackage -us -uc -b: ${DEB##*/} ($(stat -c %s "$DEB") bytes)"
else
    bad "dpkg-buildpackage failed: $(tail -n 3 "$W/deb.log" | tr '\n' ' ')"; finish
fi
lint=$(lintian "$W/deb/iscsiroot_${VERSION}_amd64.changes" 2>&1 | grep -v 'running with root privileges')
if ! grep -q '^E: ' <<<"$lint"; then
    ok "lintian: no errors${lint:+ ($(grep -c '^[WIP]: ' <<<"$lint") other tags)}"
else
    bad "lintian: $(grep '^E: ' <<<"$lint" | head -n 3 | tr '\n' ' ')"
fi
mkdir -p "$W/deb-x" && dpkg -x "$DEB" "$W/deb-x"
# Debian's own additions: the package's changelog, copyright and lintian overrides
files "$W/deb-x" | grep -vxE '/usr/share/doc/iscsiroot/(changelog|copyright)|/usr/share/lintian/overrides/iscsiroot' \
    > "$W/deb.list"
same_files deb .deb
dpkg -e "$DEB" "$W/deb-ctl"
if grep -qx 'activate-noawait update-initramfs' "$W/deb-ctl/triggers" 2>/dev/null; then
    ok ".deb activates update-initramfs"
else
    bad ".deb does not trigger update-initramfs"
fi
# open-iscsi's files, /sbin and /lib seen through Debian's merged /usr
if dpkg-query -W open-iscsi >/dev/null 2>&1; then
    dpkg -L open-iscsi | sed -E 's|^/(s?bin\|lib)/|/usr/\1/|' | while read -r f; do
        [ -d "$f" ] || echo "$f"
    done | sed 's|\.gz$||' | sort -u > "$W/oi.list"
    clash=$(comm -12 "$W/oi.list" "$W/deb.list")
    if [ -z "$clash" ]; then
        ok ".deb shares no file with open-iscsi $(dpkg-query -W -f '${Version}' open-iscsi)"
    else
        bad ".deb and open-iscsi both ship: $(echo "$clash" | tr '\n' ' ')"
    fi
else
    skip "open-iscsi is not installed: no file-conflict check"
fi

# --- installed into a scratch root; an image from its files boots -----------
R=$W/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
if dpkg --root="$R" --force-depends -i "$DEB" >"$W/dpkg-i.log" 2>&1 &&
    dpkg-query --admindir="$R/var/lib/dpkg" -W -f '${Status}' iscsiroot | grep -q 'install ok installed'; then
    ok "dpkg --root -i: installed"
else
    bad "dpkg --root -i: $(tail -n 2 "$W/dpkg-i.log" | tr '\n' ' ')"
fi
QT=$TOP/qemu-tests
IMG=$W/itools-deb.img
if ISR_ITOOLS_FROM=$R "$QT/build-initramfs-tools-image.sh" "$IMG" "$R/usr/lib/iscsiroot/iscsistart" ours \
        >"$W/img.log" 2>&1; then
    ok "mkinitramfs image from the installed files"
    IQN=iqn.2026-11.test.iscsiroot
    out=$("$QT/run-boot.sh" --binary "$R/usr/lib/iscsiroot/iscsistart" --name packages-deb --initrd "$IMG" --timeout 120 \
        --cmdline "ip=10.77.0.2::10.77.0.1:255.255.255.0:::off netroot=iscsi:10.77.0.1::3260:1:$IQN:root rd.iscsi.initiator=$IQN:initiator root=LABEL=isr-root panic=5" \
        --expect-log "^iscsiroot: logged in, disks: /dev/sd[a-z]+\$" --expect-log "^isr-root-sessions: 1\$" 2>&1)
    if grep -q '^PASS' <<<"$out"; then ok "the installed package's image boots: $(grep '^PASS' <<<"$out")"; else bad "boot: $(tail -n 1 <<<"$out")"; fi
else
    bad "mkinitramfs from the installed files: $(tail -n 2 "$W/img.log" | tr '\n' ' ')"
fi

# --- RPM --------------------------------------------------------------------------
mkdir -p "$W/rpm/SOURCES"
tree "$W/rpm/iscsiroot-$VERSION"
tar -C "$W/rpm" -czf "$W/rpm/SOURCES/iscsiroot-$VERSION.tar.gz" "iscsiroot-$VERSION"
if rpmbuild -bb --nodeps --define "_topdir $W/rpm" "$TOP/packaging/rpm/iscsiroot.spec" >"$W/rpm.log" 2>&1; then
    RPM=$(find "$W/rpm/RPMS" -name 'iscsiroot-*.rpm' | head -n 1)
    ok "rpmbuild -bb: ${RPM##*/}"
    rpm -qlp "$RPM" 2>/dev/null | while read -r f; do [ -d "$W/ref$f" ] || echo "$f"; done | sed 's|\.gz$||' | sort > "$W/rpm.list"
    same_files rpm RPM
else
    bad "rpmbuild: $(tail -n 3 "$W/rpm.log" | tr '\n' ' ')"
fi

# --- PKGBUILD (makepkg's calls, without makepkg) ------------------------------
tree "$W/arch/src/iscsiroot-$VERSION"
# build() compiled like the other packages; reuse this tree's objects to save the time
cp -a "$TOP/build" "$W/arch/src/iscsiroot-$VERSION/" 2>/dev/null
cp -a "$TOP/iscsistart/iscsistart" "$W/arch/src/iscsiroot-$VERSION/iscsistart/" 2>/dev/null
if (cd "$W/arch" && srcdir=$W/arch/src pkgdir=$W/arch/pkg bash -euc '
        . "$1"; [ "$pkgver" = "$2" ] || { echo "PKGBUILD pkgver $pkgver, debian/changelog $2"; exit 1; }
        mkdir -p "$pkgdir"; build; package' _ "$TOP/packaging/arch/PKGBUILD" "$VERSION") >"$W/arch.log" 2>&1; then
    files "$W/arch/pkg" > "$W/arch.list"
    same_files arch "PKGBUILD's package()"
else
    bad "PKGBUILD build/package: $(tail -n 2 "$W/arch.log" | tr '\n' ' ')"
fi
finish
