#!/bin/sh
# ipxe-set.sh SCRIPT [NAME=VALUE]...: print the iPXE script SCRIPT with a
# `set NAME VALUE` line for each argument right after its #!ipxe line, so
# the scripts in this folder run with site values and stay unedited.
# Used by mkimage.sh and the QEMU tests.
#
# NAME: an iPXE setting name (letters, digits, '-', '_', '.', '/', ':';
# e.g. root-path, net0/ip).  VALUE: words separated by single spaces (iPXE
# joins `set`'s arguments with one space; kernel-args needs them), no other
# white space or control characters, no '||' or '&&' word and no '${' (iPXE
# would take them as script syntax).  Errors: one line on stderr, exit 2.
set -eu

die() { echo "ipxe-set: $*" >&2; exit 2; }
[ $# -ge 1 ] || die "usage: ipxe-set.sh SCRIPT [NAME=VALUE]..."
script=$1
shift
[ -f "$script" ] && [ -r "$script" ] || die "$script: no such readable file"
first=$(head -n 1 "$script" | tr -d '\r')
[ "$first" = '#!ipxe' ] || die "$script: not an iPXE script (its first line is not #!ipxe)"

NL='
'
for a in "$@"; do
    case $a in
        *=*) ;;
        *) die "'$a': expected NAME=VALUE" ;;
    esac
    name=${a%%=*}
    value=${a#*=}
    printf '%s' "$name" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9_./:-]*$' ||
        die "setting name '$name': only letters, digits and _ . / : - are allowed"
    [ -n "$value" ] || die "$name: empty value"
    # the value is not echoed: it may be a CHAP secret.  grep works line by
    # line, so a newline needs its own test (it would start a script line)
    case $value in
        *"$NL"*) die "$name: the value contains a newline" ;;
    esac
    if printf '%s' "$value" | LC_ALL=C grep -q '[[:cntrl:]]'; then
        die "$name: the value contains a control character (tab, newline, ...)"
    fi
    case $value in
        ' '* | *' ' | *'  '*) die "$name: the value has leading, trailing or double spaces" ;;
        *'${'*) die "$name: the value contains '\${', which iPXE would expand" ;;
    esac
    case " $value " in
        *' || '* | *' && '*) die "$name: the value contains a '||' or '&&' word" ;;
    esac
done

echo '#!ipxe'
for a in "$@"; do
    printf 'set %s %s\n' "${a%%=*}" "${a#*=}"
done
tail -n +2 "$script"
