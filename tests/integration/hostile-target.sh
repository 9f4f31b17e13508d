#!/bin/bash
# The login client against a scripted hostile target on 127.0.0.1
# (tests/tools/hostile_target.cpp, one misbehaviour per scenario). For each
# one: the exit code (util/errors.hpp), a bounded time, exactly one error
# line that names the problem, no crash or sanitizer report, no CHAP secret
# and no raw target bytes (escapes, non-UTF-8) in the output, and where it
# matters the number of connections (login attempts, redirects).
#
# It runs login_probe, not iscsistart: iscsistart sets up the kernel's
# iscsi_tcp session before it logs in and has no login-only mode, while
# login_probe is the same command line and the same login_with_retries
# (connect, PDU timeouts, redirects, retries with backoff) without the
# kernel. Small limits keep it quick: login_timeout 1 s, 2 attempts.
# Usage: hostile-target.sh PATH/TO/hostile_target PATH/TO/login_probe
set -u
tool=${1:?usage: $0 hostile_target login_probe}
probe=${2:?usage: $0 hostile_target login_probe}
. "$(dirname "$0")/lib.sh"
[ -x "$tool" ] && [ -x "$probe" ] || { bad "missing $tool or $probe"; finish; }
work=$(mktemp -d /tmp/isr-hostile.XXXXXX)
tool_pid=
cleanup() {
    [ -n "$tool_pid" ] && kill "$tool_pid" 2>/dev/null && wait "$tool_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
export LC_ALL=C
secret=HostileSecret123   # the tool's CHAP_SECRET
ran=" "

# Time bounds: login_timeout is 1 s (LOGIN_TIMEOUT_S, passed below); a
# scenario that must run out the clock N times (--timeouts N) takes at
# least N login_timeouts and at most those plus the backoff between the
# attempts (under 1 s for 2 or 3 attempts) plus SLACK_S. 3 s of slack: a
# loopback connect and a few PDUs per attempt, under ASan on a 2-core
# machine shared with parallel builds, where a process can wait hundreds
# of ms for a core; still below one more login_timeout per attempt.
LOGIN_TIMEOUT_S=1
SLACK_S=3

# run SCENARIO WANT_RC ERROR_REGEX [opts] [-- probe args]
#   --name N   label (default SCENARIO)   --max S    time limit (default 15)
#   --timeouts N  the probe runs out login_timeout N times: at least N s,
#              at most N s + 1 s of backoff + SLACK_S (replaces --max)
#   --conns N  connections the target must have seen
#   --out TEXT with WANT_RC 0: stdout must contain TEXT
run() {
    local sc=$1 want=$2 re=$3 name=$1 max=15 conns= out= min_ms=0
    shift 3
    while [ $# -gt 0 ]; do
        case $1 in
        --name) name=$2; shift 2 ;;
        --max) max=$2; shift 2 ;;
        --timeouts) min_ms=$(($2 * LOGIN_TIMEOUT_S * 1000)); max=$(($2 * LOGIN_TIMEOUT_S + 1 + SLACK_S)); shift 2 ;;
        --conns) conns=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --) shift; break ;;
        *) break ;;
        esac
    done
    ran="$ran$sc "
    : >"$work/tool" # now, not in the background job: no stale "port" line
    "$tool" "$sc" >>"$work/tool" 2>"$work/tool.err" &
    tool_pid=$!
    local port=
    for _ in $(seq 100); do
        port=$(sed -n 's/^port //p' "$work/tool")
        [ -n "$port" ] && break
        sleep 0.05
    done
    if [ -z "$port" ]; then
        bad "$name: hostile_target did not start"; kill "$tool_pid"; wait "$tool_pid" 2>/dev/null; tool_pid=; return
    fi
    local auth=()
    case $sc in chap-*) auth=(-u alice -w "$secret") ;; esac
    local t0 t1 rc
    t0=$(date +%s%N)
    timeout -s KILL 60 "$probe" -i iqn.2026-11.test.iscsiroot:initiator -t iqn.2026-11.test.iscsiroot:hostile \
        -a 127.0.0.1 -p "$port" -d 8 -P node.session.initial_login_retry_max=2 \
        -P "node.conn[0].timeo.login_timeout=$LOGIN_TIMEOUT_S" "${auth[@]}" "$@" >"$work/out" 2>"$work/err"
    rc=$?
    t1=$(date +%s%N)
    kill "$tool_pid" 2>/dev/null; wait "$tool_pid" 2>/dev/null; tool_pid=
    local ms=$(((t1 - t0) / 1000000))
    local seen errs line
    seen=$(grep -c '^connection ' "$work/tool")
    errs=$(grep -c '^login_probe: ' "$work/err")
    line=$(grep '^login_probe: ' "$work/err" | head -1)
    local why=
    if [ "$rc" -ge 128 ] || [ "$rc" = 124 ]; then why="crashed or hung (exit $rc)"
    elif grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|terminate called' "$work/err"; then
        why="sanitizer or runtime report"
    elif [ "$rc" != "$want" ]; then why="exit $rc, expected $want"
    elif [ "$ms" -ge $((max * 1000)) ]; then why="took $ms ms, limit $max s"
    elif [ "$ms" -lt "$min_ms" ]; then why="took $ms ms, less than the $min_ms ms of login_timeouts"
    elif grep -qF -- "$secret" "$work/out" "$work/err"; then why="the CHAP secret was printed"
    elif grep -qP '[^\t\x20-\x7e]' "$work/out" "$work/err"; then why="raw target bytes in the output"
    elif [ -n "$conns" ] && [ "$seen" != "$conns" ]; then why="$seen connections, expected $conns"
    elif [ "$want" = 0 ]; then
        [ "$errs" = 0 ] || why="error line on success"
        [ -z "$out" ] || grep -qF -- "$out" "$work/out" || why="output lacks '$out'"
    elif [ "$errs" != 1 ]; then why="$errs error lines, expected 1"
    elif ! grep -qE -- "$re" <<<"$line"; then why="error line does not match /$re/"
    fi
    if [ -n "$why" ]; then
        bad "$name: $why"
        sed 's/^/    /' "$work/err" | tail -4
    else
        ok "$name (exit $rc, $ms ms${line:+: ${line#login_probe: }})"
    fi
}

# Oversized data segments: refused from the header, before reading them.
run oversized-16m 5 'DataSegmentLength 16777215 exceeds the 65536 bytes we accept'
run oversized-64k 5 'DataSegmentLength 65537 exceeds the 65536 bytes we accept'
# Status classes: undefined ones are protocol violations (not retried),
# 0101 needs a TargetAddress, 02xx ends at once (19), 03xx is retried.
run status-05 5 'unknown Status-Class 5 \(status 0500\)' --conns 1
run status-ff 5 'unknown Status-Class 255 \(status ffff\)' --conns 1
run redirect-no-address 5 'redirect \(0101\) without a TargetAddress' --conns 1
run initiator-error 19 'target refused the login: initiator error \(status 0200\)' --conns 1
run target-error 5 'target error: service unavailable \(status 0301\)' --name "target-error (3 attempts)" \
    --conns 3 --max 5 -- -P node.session.initial_login_retry_max=3
run target-error 5 'service unavailable' --name "target-error (retry_max 0: one attempt)" \
    --conns 1 --max $((1 + SLACK_S)) -- -P node.session.initial_login_retry_max=0
run redirect-loop 5 'more than 8 redirects' --conns 9
# Logins that never end: 32 exchanges, 64 KiB of text, or login_timeout.
run chap-endless 5 'within 32 exchanges \(stuck in the security stage\)' --conns 1
run continue-endless 5 'within 32 exchanges \(stuck in the operational stage\)' --conns 1
run continue-flood 5 'response text larger than 64 KiB' --conns 1
run nontransit-endless 5 'within 32 exchanges \(stuck in the operational stage\)' --conns 1
run slow-drip 11 'did not complete the login within 1 s \(node.conn\[0\].timeo.login_timeout\)' --conns 2 --timeouts 2
# Truncated PDUs and silence: timeouts (11) and resets (4), retried.
run half-bhs-silence 11 "stopped sending a PDU's header \(24 of 48 bytes in time\)" --conns 2 --timeouts 2
run half-bhs-close 4 '127.0.0.1:[0-9]+ closed the connection' --conns 2 --max 5
run bhs-then-close 4 '127.0.0.1:[0-9]+ closed the connection' --conns 2 --max 5
run silence 11 'no response from 127.0.0.1:[0-9]+ in time' --conns 2 --timeouts 2
run slowloris 11 "stopped sending a PDU's header \([0-9]+ of 48 bytes in time\)" --conns 2 --timeouts 2
# Header fields.
run wrong-opcode 5 'expected a Login Response PDU, got opcode 0x20'
run reject 5 'target sent a Reject PDU'
run wrong-itt 5 'response carries an unknown Initiator Task Tag'
run version-mismatch 5 'target chose unsupported version 1'
run isid-mismatch 5 'response carries a different ISID'
# Tolerated as open-iscsi does: StatSN jumps (ExpStatSN follows the last
# one) and a TSIH set early and changed (the final response's counts).
run statsn-jump 0 '' --out 'exp_statsn=5001'
run tsih-change 0 '' --out 'tsih=9 '
# Text keys.
run key-no-equals 5 "entry without '=' \(AuthMethodNone\)"
run key-huge 5 'key name longer than 63 bytes'
run value-huge 5 'value of TargetAlias longer than 8192 bytes'
run key-non-utf8 5 "invalid character in key name 'Auth\\\\xff\\\\xfeMethod'"
run value-non-utf8 5 "HeaderDigest: unknown digest '\\\\xff\\\\xfe\\\\x1b\[2J"
run missing-nul 0 '' --out 'max_xmit=8192'   # a final key without NUL is read
run duplicate-key 5 'key AuthMethod given twice'
run mrdsl-zero 5 "MaxRecvDataSegmentLength: value '0' outside 512..16777215"
run mrdsl-2e32 5 "MaxRecvDataSegmentLength: value '4294967296' outside 512..16777215"
# CHAP challenges (authentication failures: 24).
run chap-a-unoffered 24 'target chose CHAP_A=7, which we did not offer \(5\)'
run chap-c-long 24 'target sent a 2048-byte CHAP_C, more than 1024'
run chap-c-bad-hex 24 'target sent a malformed CHAP_C'
run chap-c-empty 24 'target sent a malformed CHAP_C'
run chap-c-odd-hex 0 '' --out 'tsih=4660 '   # legal: answered for {0x0a, 0xbc}
run chap-i-256 24 "target sent an invalid CHAP_I '256'"
run chap-i-negative 24 "target sent an invalid CHAP_I '-1'"
run good 0 '' --out 'tsih=4660 '

# Every scenario the tool knows was run (the discovery ones, sendtargets-*,
# by discovery.sh).
for sc in $("$tool" --list); do
    case $sc in sendtargets-*) continue ;; esac
    case $ran in *" $sc "*) ;; *) bad "scenario $sc not tested" ;; esac
done
finish
