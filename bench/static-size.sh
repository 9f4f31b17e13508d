#!/bin/bash
# static-size.sh MAPFILE: what the static binary is made of, from the GNU
# ld map make static writes (build/static/iscsistart.map). Prints one line
# per input archive or object: bytes of loaded sections (code, read-only
# data, data, unwind tables; not .bss, which takes no file space, and not
# debug sections, which strip removes), largest first, then the total.
# Archives are named by file (libc.a is musl's, libstdc++.a and libgcc*.a
# the C++ runtime, libisr.a ours).
set -euo pipefail
map=${1:?usage: $0 build/static/iscsistart.map}
[ -r "$map" ] || { echo "static-size: cannot read $map" >&2; exit 1; }
awk '
    function hex(s,   i, n) {   # "0x1a2b" -> number (mawk has no strtonum)
        n = 0
        for (i = 3; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
        return n
    }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    # an input section: " .name 0xADDR 0xSIZE file", or its name alone on
    # one line and " 0xADDR 0xSIZE file" on the next
    /^ \.[^ ]+$/ { pending = $1; next }
    {
        if ($1 ~ /^\./ && $2 ~ /^0x/ && $3 ~ /^0x/ && NF >= 4) { sec = $1; size = $3; file = $4 }
        else if (pending != "" && $1 ~ /^0x/ && $2 ~ /^0x/ && NF >= 3) { sec = pending; size = $2; file = $3 }
        else { pending = ""; next }
        pending = ""
        if (sec ~ /^\.(debug|comment|note\.GNU-stack|bss|tbss)/ || sec ~ /^\.gnu\.warning/) next
        n = hex(size)
        if (n == 0) next
        sub(/\(.*$/, "", file)          # libc.a(printf.o) -> libc.a
        k = file; sub(/^.*\//, "", k)
        if (k ~ /^crt/ || k == "") k = "crt objects"
        total += n; by[k] += n
    }
    END {
        for (k in by) printf "%10d  %5.1f%%  %s\n", by[k], 100 * by[k] / total, k | "sort -rn"
        close("sort -rn")
        printf "%10d  100.0%%  total (loaded input sections)\n", total
    }
' "$map"
