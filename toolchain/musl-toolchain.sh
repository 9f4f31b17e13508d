#!/bin/bash
# Build (once) and cache a g++ that targets x86_64-linux-musl, made only
# from Debian 12 packages: GCC's source from gcc-12-source, musl-dev as the
# C library, the host's binutils, and linux-libc-dev's kernel headers.
#
#   toolchain/musl-toolchain.sh [--print-prefix]
#
# The toolchain goes to $ISR_TOOLCHAIN_CACHE (default /var/cache/iscsiroot)
# in a directory named after the versions of those packages, so a package
# upgrade builds a new one and an unchanged machine reuses the old one.
# Prints one line per step; --print-prefix prints only the directory (the
# compiler is its bin/x86_64-linux-musl-g++) and builds it first if needed.
# Exit 1 with one line naming the package when one is missing.
set -euo pipefail

TARGET=x86_64-linux-musl
CACHE=${ISR_TOOLCHAIN_CACHE:-/var/cache/iscsiroot}
JOBS=${JOBS:-$(nproc)}
quiet=0
[ "${1:-}" = --print-prefix ] && quiet=1

say() { [ $quiet = 1 ] && echo "musl-toolchain: $*" >&2 || echo "musl-toolchain: $*"; }
die() { echo "musl-toolchain: $*" >&2; exit 1; }

# Bump when the build recipe below changes, so caches made by an older
# recipe are not reused.
RECIPE=1
# package: what it gives the toolchain
declare -A need=(
    [gcc-12-source]="GCC's source tarball"
    [musl-dev]="the musl C library and headers"
    [binutils]="the assembler and linker"
    [linux-libc-dev]="the kernel headers"
    [libgmp-dev]="GMP, needed to build GCC"
    [libmpfr-dev]="MPFR, needed to build GCC"
    [libmpc-dev]="MPC, needed to build GCC"
    [xz-utils]="xz, to unpack GCC's source"
    [g++]="the host compiler"
)
key=""
for p in gcc-12-source musl-dev binutils linux-libc-dev libgmp-dev libmpfr-dev libmpc-dev xz-utils g++; do
    v=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
    case $v in
        "install ok installed "*) ;;
        *) die "package $p is not installed (${need[$p]}); run .ci/install-deps.sh or apt-get install $p" ;;
    esac
    case $p in gcc-12-source|musl-dev|binutils|linux-libc-dev) key+="${v##* }_" ;; esac
done
key=$(echo "r${RECIPE}_${key%_}" | tr -c 'A-Za-z0-9._+\n-' '_')
PREFIX=$CACHE/musl-gcc12-$key

if [ -f "$PREFIX/.complete" ]; then
    if [ $quiet = 1 ]; then echo "$PREFIX"; else say "cached: $PREFIX"; fi
    exit 0
fi

mkdir -p "$CACHE" 2>/dev/null || die "cannot create the cache directory $CACHE (set ISR_TOOLCHAIN_CACHE)"
[ -w "$CACHE" ] || die "cache directory $CACHE is not writable (set ISR_TOOLCHAIN_CACHE)"
exec 9>"$CACHE/.lock"
flock 9
if [ -f "$PREFIX/.complete" ]; then   # built by a run we waited for
    if [ $quiet = 1 ]; then echo "$PREFIX"; else say "cached: $PREFIX"; fi
    exit 0
fi

start=$(date +%s)
work=$CACHE/build-$key
rm -rf "$work" "$PREFIX"
mkdir -p "$work" "$PREFIX/bin" "$PREFIX/$TARGET/bin"
log=$work/build.log

step() { say "[$(( $(date +%s) - start ))s] $*"; }
run() {   # run a build step, keeping its output in the log; show the tail on failure
    if ! "$@" >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "step failed: $* (full log: $log)"
    fi
}

step "1/6 sysroot from musl-dev and linux-libc-dev"
SYSROOT=$PREFIX/sysroot
mkdir -p "$SYSROOT/usr/include" "$SYSROOT/usr/lib"
cp -a /usr/include/$TARGET/. "$SYSROOT/usr/include/"
cp -a /usr/include/linux /usr/include/asm-generic "$SYSROOT/usr/include/"
cp -a /usr/include/x86_64-linux-gnu/asm "$SYSROOT/usr/include/asm"
for f in /usr/lib/$TARGET/*; do
    case ${f##*/} in musl-gcc.specs|libc.so) ;; *) cp -a "$f" "$SYSROOT/usr/lib/" ;; esac
done

step "2/6 binutils: the host's, under $TARGET- names"
for t in addr2line ar as c++filt elfedit gprof ld ld.bfd nm objcopy objdump ranlib readelf size strings strip; do
    [ -x /usr/bin/$t ] || continue
    ln -s /usr/bin/$t "$PREFIX/bin/$TARGET-$t"
    ln -s /usr/bin/$t "$PREFIX/$TARGET/bin/$t"
done
export PATH=$PREFIX/bin:$PATH

step "3/6 unpacking GCC's source (gcc-12-source)"
run tar -xJf /usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz -C "$work"
src=$work/gcc-12.2.0

step "4/6 configure"
mkdir -p "$work/obj"
cd "$work/obj"
run "$src/configure" --target=$TARGET --prefix="$PREFIX" --with-sysroot="$SYSROOT" \
    --with-build-sysroot="$SYSROOT" --enable-languages=c,c++ --disable-multilib \
    --disable-bootstrap --disable-shared --disable-nls --disable-lto --disable-plugin \
    --disable-libsanitizer --disable-libssp --disable-libgomp --disable-libquadmath \
    --disable-libatomic --disable-libitm --disable-libvtv --disable-libcc1 \
    --disable-libstdcxx-pch --disable-werror --enable-clocale=generic \
    MAKEINFO=true CFLAGS=-O2 CXXFLAGS=-O2   # the host compiler without -g: a faster build, the same output

step "5/6 make all-gcc all-target-libgcc all-target-libstdc++-v3 (-j$JOBS; the long step, about 15-20 min on 2 cores)"
run make -j"$JOBS" MAKEINFO=true all-gcc
step "    gcc built; libgcc and libstdc++ next"
run make -j"$JOBS" MAKEINFO=true all-target-libgcc
run make -j"$JOBS" MAKEINFO=true all-target-libstdc++-v3

step "6/6 install into $PREFIX"
touch gcc/s-tm-texi
run make MAKEINFO=true install-gcc install-target-libgcc install-target-libstdc++-v3

# smoke test: a static C++ program with exceptions runs
cat >"$work/t.cpp" <<'EOF'
#include <stdexcept>
#include <string>
#include <vector>
int main() { std::vector<std::string> v{"a"}; try { throw std::runtime_error(v[0]); } catch (const std::exception &e) { return e.what()[0] == 'a' ? 0 : 1; } }
EOF
"$PREFIX/bin/$TARGET-g++" -static -Os -o "$work/t" "$work/t.cpp" >>"$log" 2>&1 || die "the new g++ cannot build a test program (log: $log)"
"$work/t" || die "a test program built by the new g++ does not run"

touch "$PREFIX/.complete"
cd /
rm -rf "$work"
if [ $quiet = 1 ]; then echo "$PREFIX"; fi
step "done: $PREFIX/bin/$TARGET-g++ in $(( $(date +%s) - start )) s"
