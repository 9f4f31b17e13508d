#!/bin/bash
# The benchmark's refusing target (bench/refusing_target) on 127.0.0.1, a
# small storm against it, and iscsistart's own retry loop against it:
#  - storm, N=20 initiators at once, K=5 logins in progress, 0301 above:
#    all 20 must get in, some must be refused, the target must have had
#    exactly K in progress at its peak, and the refusals the initiators
#    counted must be the ones the target sent;
#  - 4 login_probe processes at once (login_with_retries, the boot path's
#    retries), K=1, 0302: all must get in, the target must have refused some,
#    and the probes must say the target was busy.
# Usage: refusing-target.sh PATH/TO/refusing_target PATH/TO/storm PATH/TO/login_probe
set -u
tool=${1:?usage: $0 refusing_target storm login_probe}
storm=${2:?usage: $0 refusing_target storm login_probe}
probe=${3:?usage: $0 refusing_target storm login_probe}
. "$(dirname "$0")/lib.sh"
for x in "$tool" "$storm" "$probe"; do [ -x "$x" ] || { bad "missing $x"; finish; }; done
work=$(mktemp -d /tmp/isr-refusing.XXXXXX)
tool_pid=
cleanup() {
    [ -n "$tool_pid" ] && kill "$tool_pid" 2>/dev/null && wait "$tool_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
target=iqn.2026-11.test.iscsiroot:refusing

# start_target ARGS...: sets port and sport, or fails
start_target() {
    : >"$work/tool"
    "$tool" -t "$target" "$@" >"$work/tool" 2>"$work/tool.err" &
    tool_pid=$!
    port= sport=
    for _ in $(seq 100); do
        read -r _ port _ sport <"$work/tool" 2>/dev/null && [ -n "$sport" ] && return 0
        sleep 0.05
    done
    return 1
}
stop_target() { kill "$tool_pid" 2>/dev/null; wait "$tool_pid" 2>/dev/null; tool_pid=; }
stats() { timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$sport && cat <&3"; }
field() { sed -n "s/.*\\b$1=\\([0-9-]*\\).*/\\1/p" <<<"$2"; }

# --- a storm of 20, K = 5 ----------------------------------------------------
# 20 ms per step: a login holds its slot 40 ms, while 20 connects arrive
# within a few ms, so more than 5 are in progress at once unless refused.
if ! start_target --limit 5 --step-ms 20 --refuse-status 0301; then
    bad "refusing_target did not start: $(head -2 "$work/tool.err")"; finish
fi
timeout -s KILL 90 "$storm" -t "$target" -a 127.0.0.1 -p "$port" -n 20 --jitter on --max-attempts 10 \
    --login-timeout 5 --run-timeout 60 --lib-log "$work/lib.log" \
    --count-cmd "bash -c 'exec 3<>/dev/tcp/127.0.0.1/$sport && sed -n \"s/.* held=\\([0-9]*\\).*/\\1/p\" <&3'" \
    >"$work/storm.out" 2>"$work/storm.err"
rc=$?
line=$(grep -m1 '^storm: n=' "$work/storm.out")
st=$(stats)
stop_target
echo "    $line"
echo "    target: $st"
if [ "$rc" != 0 ] || [ -z "$line" ]; then
    bad "storm: exit $rc: $(tail -2 "$work/storm.err")"
else
    ok_n=$(field ok "$line") failed_n=$(field failed "$line") held=$(field held "$line")
    refused=$(field refused "$line") t_refused=$(field refused "$st") peak=$(field peak "$st")
    dropped=$(field dropped "$st") completed=$(field completed "$st")
    [ "$ok_n" = 20 ] && [ "$failed_n" = 0 ] && ok "storm: all 20 logged in" || bad "storm: ok=$ok_n failed=$failed_n, expected 20 and 0"
    [ "$held" = 20 ] && ok "storm: the target held 20 sessions at the end" || bad "storm: the target held $held sessions, expected 20"
    [ "${refused:-0}" -gt 0 ] 2>/dev/null && ok "storm: $refused logins refused (0301)" || bad "storm: no login was refused"
    [ "$refused" = "$t_refused" ] && ok "storm: initiators and target agree on the refusals" ||
        bad "storm: initiators counted $refused refusals, the target sent $t_refused"
    [ "$peak" = 5 ] && ok "storm: at most and at the peak exactly 5 logins in progress" || bad "storm: peak $peak logins in progress, expected 5"
    [ "$dropped" = 0 ] && [ "$completed" = 20 ] && ok "storm: 20 logins completed, none dropped" ||
        bad "storm: completed=$completed dropped=$dropped"
    grep -q 'retried x[0-9]*: login: target error: service unavailable (status 0301)' "$work/storm.out" &&
        ok "storm: the refusals were retried as 0301" || bad "storm: no 0301 retry reason: $(grep reason "$work/storm.out" | head -3)"
fi

# --- the boot path's retries: 4 login_probe at once, K = 1, 0302 -----------------
# 200 ms per step: one login holds the only slot 400 ms, longer than the
# first backoff (250 ms), so the others are refused at least once.
if ! start_target --limit 1 --step-ms 200 --refuse-status 0302; then
    bad "refusing_target did not start: $(head -2 "$work/tool.err")"; finish
fi
pids=()
for i in 1 2 3 4; do
    timeout -s KILL 60 "$probe" -i "iqn.2026-11.test.iscsiroot:probe$i" -t "$target" -a 127.0.0.1 -p "$port" \
        -P node.session.initial_login_retry_max=10 >"$work/probe$i.out" 2>"$work/probe$i.err" &
    pids+=($!)
done
fails=0
for i in 1 2 3 4; do
    wait "${pids[$((i - 1))]}" || { fails=$((fails + 1)); echo "    probe$i: $(tail -1 "$work/probe$i.err")"; }
done
st=$(stats)
stop_target
echo "    target: $st"
[ "$fails" = 0 ] && ok "login_with_retries: 4 probes at once all logged in" || bad "login_with_retries: $fails of 4 probes failed"
t_refused=$(field refused "$st")
[ "${t_refused:-0}" -gt 0 ] 2>/dev/null && ok "login_with_retries: the target refused $t_refused attempts (0302)" ||
    bad "login_with_retries: the target refused nothing (refused=$t_refused)"
busy=$(cat "$work"/probe*.err | grep -c 'target was busy (0301/0302) at [0-9]* of the attempts before')
retried=$(cat "$work"/probe*.err | grep -c 'failed: login: target error: out of resources (status 0302); retrying in')
[ "$retried" = "$t_refused" ] && ok "login_with_retries: each refusal retried with backoff ($retried)" ||
    bad "login_with_retries: $retried retries logged, the target refused $t_refused"
[ "$busy" -ge 1 ] && ok "login_with_retries: $busy probes said the target was busy" ||
    bad "login_with_retries: no probe counted the busy target: $(cat "$work"/probe*.err | tail -3)"
finish
