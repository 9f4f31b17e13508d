#!/bin/bash
# musl-toolchain.sh: toolchain/musl-toolchain.sh's promises, after
# `make static` has built (or found) the toolchain: a second run only finds
# the cache, --print-prefix names a directory with the compiler, and a
# missing package stops it with one line naming the package (a dpkg-query
# shim on PATH says so; nothing is built then).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
script=$here/../../toolchain/musl-toolchain.sh
pass=0 failed=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

t0=$(date +%s)
out=$("$script" 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q '^musl-toolchain: cached: ' <<<"$out" && [ $(( $(date +%s) - t0 )) -le 5 ]; then
    ok "second run finds the cache: $out"
else
    bad "second run (exit $rc, $(( $(date +%s) - t0 )) s): $out"
fi

prefix=$("$script" --print-prefix 2>"$tmp/err")
if [ -x "$prefix/bin/x86_64-linux-musl-g++" ] && [ ! -s "$tmp/err" ]; then
    ok "--print-prefix: $prefix"
else
    bad "--print-prefix printed '$prefix' ($(cat "$tmp/err"))"
fi

# dpkg-query that reports musl-dev as not installed
mkdir -p "$tmp/bin"
cat > "$tmp/bin/dpkg-query" <<'SHIM'
#!/bin/sh
for a; do [ "$a" = musl-dev ] && exit 1; done
exec /usr/bin/dpkg-query "$@"
SHIM
chmod +x "$tmp/bin/dpkg-query"
out=$(PATH=$tmp/bin:$PATH ISR_TOOLCHAIN_CACHE=$tmp/cache "$script" 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q 'package musl-dev is not installed' <<<"$out" &&
    [ ! -e "$tmp/cache" ]; then
    ok "missing package: exit 1, one line: $out"
else
    bad "missing package: exit $rc: $out"
fi

echo "$pass passed, $failed failed"
[ "$failed" -eq 0 ]
