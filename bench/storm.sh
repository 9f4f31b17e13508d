#!/bin/bash
# Boot-storm benchmark: N in-process initiators (bench/storm.cpp) log in at
# once to one private tgtd on 127.0.0.1, for each N with jittered backoff
# off and on, REPS times each. Prints a markdown table of the medians over
# the repetitions and writes it to OUT.md.
# A second series ("target up after DELAY ms", --late-ms DELAY, 0: skip it)
# models the storm after a power cut: the initiators are released while
# nothing listens on their portal (connect refused at once), and at release
# + DELAY ms storm itself runs tgtadm to add that portal to the already
# configured tgtd (target and LUN set up beforehand on the first portal).
# Its table goes under the first one, with a paragraph built from the
# measured medians.
# A third series ("a target that refuses bursts", --refuse-ns "100 500
# 1000", "" to skip it) runs the same storm against bench/refusing_target
# (beside STORM_BINARY, or --refusing-target PATH), a scripted target that
# lets at most --refuse-limit K logins be in progress at once and answers
# the first Login Request of any connection above that with status
# --refuse-status (0301 service unavailable, 0302 out of resources, RFC 7143
# 11.13.5); each login step takes it --refuse-step-ms. A fresh target per
# run; its counters (refusals, peak logins in progress) are checked against
# the initiators' own. Its runs have their own --refuse-budget SECONDS.
# Usage: storm.sh [--reps R] [--ns "1 10 100 500"] [--login-timeout S]
#                 [--max-attempts M] [--budget SECONDS] [--late-ms DELAY]
#                 [--refuse-ns NS] [--refuse-limit K] [--refuse-step-ms MS]
#                 [--refuse-status 0301|0302] [--refuse-budget SECONDS]
#                 [--refusing-target PATH] STORM_BINARY OUT.md
# Each run is bounded by --run-timeout 60 s in storm itself (plus a SIGKILL
# backstop); runs that would start after --budget seconds are skipped.
set -u
reps=3 ns="1 10 100 500" login_timeout=5 max_attempts=10 budget=180 run_timeout=60 late_ms=1500
refuse_ns="100 500 1000" refuse_limit=16 refuse_step_ms=25 refuse_status=0301 refuse_budget=420 refusing_target=
while [ $# -gt 2 ]; do
    case $1 in
    --reps) reps=$2; shift 2 ;;
    --ns) ns=$2; shift 2 ;;
    --login-timeout) login_timeout=$2; shift 2 ;;
    --max-attempts) max_attempts=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --late-ms) late_ms=$2; shift 2 ;;
    --refuse-ns) refuse_ns=$2; shift 2 ;;
    --refuse-limit) refuse_limit=$2; shift 2 ;;
    --refuse-step-ms) refuse_step_ms=$2; shift 2 ;;
    --refuse-status) refuse_status=$2; shift 2 ;;
    --refuse-budget) refuse_budget=$2; shift 2 ;;
    --refusing-target) refusing_target=$2; shift 2 ;;
    *) echo "storm.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
case $late_ms in '' | *[!0-9]*) echo "storm.sh: --late-ms takes a number of milliseconds" >&2; exit 2 ;; esac
storm=${1:?usage: $0 [options] STORM_BINARY OUT.md}
out_md=${2:?usage: $0 [options] STORM_BINARY OUT.md}
[ -x "$storm" ] || { echo "storm.sh: no executable $storm" >&2; exit 2; }
refusing_target=${refusing_target:-$(dirname "$storm")/refusing_target}
if [ -n "$refuse_ns" ]; then
    [ -x "$refusing_target" ] || { echo "storm.sh: no executable $refusing_target (--refuse-ns \"\" skips that series)" >&2; exit 2; }
    case $refuse_status in 0301 | 0302) ;; *) echo "storm.sh: --refuse-status takes 0301 or 0302" >&2; exit 2 ;; esac
fi
command -v tgtd >/dev/null && command -v tgtadm >/dev/null || { echo "storm.sh: tgtd/tgtadm not installed" >&2; exit 2; }

start=$SECONDS
work=$(mktemp -d /tmp/isr-storm.XXXXXX)
target=iqn.2026-11.test.iscsiroot:storm
tgtd_pid=

cleanup() {
    # tgtd ignores SIGTERM while it has targets; it keeps no state we need.
    [ -n "$tgtd_pid" ] && kill -KILL "$tgtd_pid" 2>/dev/null && wait "$tgtd_pid" 2>/dev/null
    [ -n "${rt_pid:-}" ] && kill -TERM "$rt_pid" 2>/dev/null && wait "$rt_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

die() {
    echo "storm.sh: $*" >&2
    [ -f "$work/tgtd.log" ] && { echo "--- tgtd output (last lines):" >&2; tail -20 "$work/tgtd.log" >&2; }
    exit 1
}

# --- a private tgtd on a free loopback port --------------------------------
listening() { ss -Htln "sport = :$1" 2>/dev/null | grep -q .; }
# Portals below the kernel's ephemeral range: with hundreds of initiators
# connecting to a closed port inside it, one of them can be given that very
# port as its own local port (a TCP self-connect), and tgtd then cannot
# bind the portal ("Address already in use"), as a late n=500 run once saw.
read -r eph_low _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || eph_low=32768
random_port() { echo $((10000 + (RANDOM * 32768 + RANDOM + $$) % (eph_low - 10000))); }
for try in 1 2 3 4 5; do
    port=$(random_port)
    listening "$port" && continue
    export TGT_IPC_SOCKET=$work/tgtd-$try.ipc
    tgtd -f --iscsi portal=127.0.0.1:$port >"$work/tgtd.log" 2>&1 &
    tgtd_pid=$!
    for _ in $(seq 50); do tgtadm --lld iscsi --op show --mode target >/dev/null 2>&1 && break; sleep 0.1; done
    if kill -0 "$tgtd_pid" 2>/dev/null && ss -Htlnp "sport = :$port" 2>/dev/null | grep -q "pid=$tgtd_pid,"; then
        break
    fi
    kill -KILL "$tgtd_pid" 2>/dev/null; wait "$tgtd_pid" 2>/dev/null; tgtd_pid=
done
[ -n "$tgtd_pid" ] || die "could not start tgtd on a free port of 127.0.0.1"
truncate -s 8M "$work/disk.img"
adm() { tgtadm --lld iscsi "$@" >/dev/null || die "tgtadm $* failed"; }
adm --op new --mode target --tid 1 -T "$target"
adm --op new --mode logicalunit --tid 1 --lun 1 -b "$work/disk.img"
adm --op bind --mode target --tid 1 -I ALL
tgtd_setup_lines=$(wc -l <"$work/tgtd.log")

# The late series' portal: another free loopback port, which tgtd only
# listens on from release + late_ms until the end of each run.
late_port=
for _ in 1 2 3 4 5 6 7 8 9 10; do
    p=$(random_port)
    [ "$p" != "$port" ] && ! listening "$p" && { late_port=$p; break; }
done
[ "$late_ms" = 0 ] || [ -n "$late_port" ] || die "no free port for the late-target series"
late_portal=127.0.0.1:$late_port
late_open="tgtadm --lld iscsi --op new --mode portal --param portal=$late_portal"
late_close() { tgtadm --lld iscsi --op delete --mode portal --param portal="$late_portal" >/dev/null 2>&1; }

# Sessions tgtd holds on target 1 (one I_T nexus per session).
count_cmd="tgtadm --lld iscsi --op show --mode target | grep -c 'I_T nexus:'"
sessions() { sh -c "$count_cmd" 2>/dev/null; }
# Before each run: the previous run's sessions are gone on tgtd's side too.
wait_idle() {
    for _ in $(seq 100); do [ "$(sessions)" = 0 ] && return 0; sleep 0.1; done
    return 1
}
# Kernel TCP counters (this network namespace): accept-queue overflows and
# SYN retransmissions, to tell a full listen backlog from other failures.
tcpext() {
    awk -v want="$1" '/^TcpExt:/ { if (!hdr) { for (i = 2; i <= NF; i++) name[i] = $i; hdr = 1 }
                       else for (i = 2; i <= NF; i++) if (name[i] == want) print $i }' /proc/net/netstat
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# runs.tsv: n jitter rep all_ms median_ms p95_ms max_ms ok retried retries failed held overflows synretrans
: >"$work/runs.tsv"
: >"$work/reasons"
: >"$work/problems"
skipped=0
# One storm run; fills v[] from its key=value line and ov/sr with the TCP
# counter deltas. Returns 1 (and notes a problem) when it did not complete.
# Usage: run_storm LABEL N JITTER REP PORT [extra storm options]
run_storm() {
    local label=$1 n=$2 jitter=$3 rep=$4 p=$5 rc line ov0 sr0
    shift 5
    wait_idle || echo "${label}n=$n jitter=$jitter rep $rep: tgtd still held $(sessions) sessions from the previous run" >>"$work/problems"
    ov0=$(tcpext ListenOverflows) sr0=$(tcpext TCPSynRetrans)
    timeout -s KILL $((run_timeout + login_timeout + 30)) "$storm" -t "$target" -a 127.0.0.1 -p "$p" \
        -n "$n" --jitter "$jitter" --max-attempts "$max_attempts" --login-timeout "$login_timeout" \
        --run-timeout "$run_timeout" --lib-log "$work/lib.log" --count-cmd "$count_cmd" "$@" \
        >"$work/run.out" 2>"$work/run.err"
    rc=$?
    ov=$(($(tcpext ListenOverflows) - ov0)) sr=$(($(tcpext TCPSynRetrans) - sr0))
    kill -0 "$tgtd_pid" 2>/dev/null || die "tgtd died during ${label}n=$n jitter=$jitter rep $rep"
    line=$(grep -m1 '^storm: n=' "$work/run.out")
    if [ "$rc" != 0 ] || [ -z "$line" ]; then
        echo "${label}n=$n jitter=$jitter rep $rep: storm exit $rc: $(tail -2 "$work/run.err" | tr '\n' ' ')" >>"$work/problems"
        return 1
    fi
    declare -gA v=()
    local kv
    for kv in ${line#storm: }; do v[${kv%%=*}]=${kv#*=}; done
    [ "${v[held]}" != "${v[ok]}" ] &&
        echo "${label}n=$n jitter=$jitter rep $rep: tgtd reported ${v[held]} sessions for ${v[ok]} logins" >>"$work/problems"
    sed -n 's/^storm: reason //p' "$work/run.out" | sed "s/^/${label}n=$n jitter=$jitter: /" >>"$work/reasons"
    echo "storm.sh: ${label}$line overflows=$ov synretrans=$sr" >&2
    return 0
}
# A time of the last run (ms from the release, -1: none) as ms after the target came up.
after() { awk -v f="$1" -v u="${v[up_ms]}" 'BEGIN { print (f < 0 ? -1 : sprintf("%.1f", f - u)) }'; }
over_budget() { [ $((SECONDS - start)) -ge "$budget" ] && skipped=$((skipped + 1)); }

for n in $ns; do
    for rep in $(seq "$reps"); do
        for jitter in off on; do
            over_budget && continue
            run_storm "" "$n" "$jitter" "$rep" "$port" || continue
            printf '%s\t' "$n" "$jitter" "$rep" "${v[all_ms]}" "${v[median_ms]}" "${v[p95_ms]}" "${v[max_ms]}" \
                "${v[ok]}" "${v[retried]}" "${v[retries]}" "${v[failed]}" "${v[held]}" "$ov" >>"$work/runs.tsv"
            printf '%s\n' "$sr" >>"$work/runs.tsv"
        done
    done
done

# --- second series: the target comes up late_ms after the release ----------
# late.tsv: n jitter rep all_ms after_up_ms up_ms first_after_up_ms retries max_attempts failed overflows
#           synretrans median_after_up_ms
: >"$work/late.tsv"
if [ "$late_ms" != 0 ]; then
    for n in $ns; do
        for rep in $(seq "$reps"); do
            for jitter in off on; do
                over_budget && continue
                listening "$late_port" && late_close # a portal left over from a failed run
                if listening "$late_port"; then
                    echo "late n=$n jitter=$jitter rep $rep: something listens on $late_portal before the release" >>"$work/problems"
                    continue
                fi
                run_storm "late " "$n" "$jitter" "$rep" "$late_port" --at-ms "$late_ms" --exec "$late_open >/dev/null"
                ok=$?
                late_close || echo "late n=$n jitter=$jitter rep $rep: could not delete portal $late_portal" >>"$work/problems"
                [ "$ok" = 0 ] || continue
                first_after=$(after "${v[first_ms]}") median_after=$(after "${v[median_ms]}")
                printf '%s\t' "$n" "$jitter" "$rep" "${v[all_ms]}" "${v[after_up_ms]}" "${v[up_ms]}" "$first_after" \
                    "${v[retries]}" "${v[max_attempts]}" "${v[failed]}" "$ov" >>"$work/late.tsv"
                printf '%s\t%s\n' "$sr" "$median_after" >>"$work/late.tsv"
            done
        done
    done
fi

# --- third series: a target that refuses bursts --------------------------------
# refuse.tsv: n jitter rep all_ms median_ms p95_ms refused refused_p50 refused_p95 refused_max
#             refused_initiators max_attempts failed held peak target_refused ok
: >"$work/refuse.tsv"
rt_pid=
rt_stop() { [ -n "$rt_pid" ] && kill -TERM "$rt_pid" 2>/dev/null && wait "$rt_pid" 2>/dev/null; rt_pid=; }
# One line of the target's counters from its stats port (bash's /dev/tcp).
rt_stats() { timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && cat <&3" 2>/dev/null; }
refuse_start=$SECONDS
refuse_skipped=0
refuse_load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $refuse_ns; do
    for rep in $(seq "$reps"); do
        for jitter in off on; do
            [ $((SECONDS - refuse_start)) -ge "$refuse_budget" ] && { refuse_skipped=$((refuse_skipped + 1)); continue; }
            : >"$work/rt.out"
            "$refusing_target" -t "$target" --limit "$refuse_limit" --step-ms "$refuse_step_ms" \
                --refuse-status "$refuse_status" >"$work/rt.out" 2>"$work/rt.err" &
            rt_pid=$!
            rt_port= rt_sport=
            for _ in $(seq 100); do
                read -r _ rt_port _ rt_sport <"$work/rt.out" 2>/dev/null && [ -n "$rt_sport" ] && break
                sleep 0.05
            done
            if [ -z "$rt_sport" ]; then
                echo "refuse n=$n jitter=$jitter rep $rep: refusing_target did not start: $(head -2 "$work/rt.err" | tr '\n' ' ')" >>"$work/problems"
                rt_stop; continue
            fi
            held_cmd="bash -c 'exec 3<>/dev/tcp/127.0.0.1/$rt_sport && sed -n \"s/.* held=\\([0-9]*\\).*/\\1/p\" <&3'"
            run_storm "refuse " "$n" "$jitter" "$rep" "$rt_port" --count-cmd "$held_cmd"
            ok=$?
            st=$(rt_stats "$rt_sport")
            kill -0 "$rt_pid" 2>/dev/null || echo "refuse n=$n jitter=$jitter rep $rep: refusing_target died: $(head -2 "$work/rt.err" | tr '\n' ' ')" >>"$work/problems"
            rt_stop
            [ "$ok" = 0 ] || continue
            declare -A t=()
            for kv in $st; do t[${kv%%=*}]=${kv#*=}; done
            [ "${t[refused]:-x}" = "${v[refused]}" ] ||
                echo "refuse n=$n jitter=$jitter rep $rep: the target refused ${t[refused]:-?} logins, the initiators counted ${v[refused]}" >>"$work/problems"
            [ "${t[dropped]:-x}" = 0 ] ||
                echo "refuse n=$n jitter=$jitter rep $rep: ${t[dropped]:-?} admitted logins did not finish" >>"$work/problems"
            printf '%s\t' "$n" "$jitter" "$rep" "${v[all_ms]}" "${v[median_ms]}" "${v[p95_ms]}" "${v[refused]}" \
                "${v[refused_p50]}" "${v[refused_p95]}" "${v[refused_max]}" "${v[refused_initiators]}" \
                "${v[max_attempts]}" "${v[failed]}" "${v[held]}" "${t[peak]:--1}" "${t[refused]:--1}" >>"$work/refuse.tsv"
            printf '%s\n' "${v[ok]}" >>"$work/refuse.tsv"
        done
    done
done
refuse_load_after=$(cut -d' ' -f1-3 /proc/loadavg)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Median of the values on stdin; -1 ("not everyone logged in") sorts last.
median() {
    sed 's/^-1$/999999999/' | sort -n | awk '{ a[NR] = $1 } END {
        if (!NR) { print "n/a"; exit } m = a[int((NR + 1) / 2)]; print (m == 999999999 ? "—" : m) }'
}
col() { awk -F'\t' -v n="$1" -v j="$2" -v c="$3" '$1 == n && $2 == j { print $c }' "${tsv:-$work/runs.tsv}"; }
per_run() { col "$1" "$2" "$3" | sed 's/^-1$/—/' | paste -sd/ - | sed 's|/| / |g'; }
# The late series' columns (same helpers on late.tsv).
lcol() { tsv=$work/late.tsv col "$@"; }
lmed() { lcol "$@" | median; }
lper_run() { tsv=$work/late.tsv per_run "$@"; }
# The refuse series' columns.
rcol() { tsv=$work/refuse.tsv col "$@"; }
rmed() { rcol "$@" | median; }
rper_run() { tsv=$work/refuse.tsv per_run "$@"; }
# Sum of a late.tsv column over all runs.
lsum() { awk -F'\t' -v c="$1" '{ s += $c } END { print s + 0 }' "$work/late.tsv"; }
# The jitter-off retry instants (ms after the release, attempts taking no
# time): 250, 750, 1750, ... ; prints the first one at or after $1.
wave_at() {
    local t=0 d=250
    while [ "$t" -lt "$1" ]; do t=$((t + d)); d=$((d * 2 > 4000 ? 4000 : d * 2)); done
    echo "$t"
}

# The paragraph under the late table: what the series models, then what the
# medians show, N by N, off against on.
late_paragraph() {
    local n off on parts="" longer="" shorter="" same="" ovs srs big=""
    for n in $ns; do
        [ -n "$(lcol "$n" off 1)" ] && [ -n "$(lcol "$n" on 1)" ] || continue
        off=$(lmed "$n" off 5) on=$(lmed "$n" on 5) big=$n
        parts="$parts${parts:+; }N=$n: $off ms (off) vs $on ms (on), $(lmed "$n" off 8) vs $(lmed "$n" on 8) retries, at most $(lmed "$n" off 9) vs $(lmed "$n" on 9) attempts by one initiator, $(lmed "$n" off 10) vs $(lmed "$n" on 10) failed"
        case $(awk -v a="$off" -v b="$on" 'BEGIN { if (a == "—" || b == "—") print "x"; else if (b > a) print "l"; else if (b < a) print "s"; else print "e" }') in
        l) longer="$longer${longer:+, }$n" ;;
        s) shorter="$shorter${shorter:+, }$n" ;;
        e) same="$same${same:+, }$n" ;;
        esac
    done
    ovs=$(lsum 11) srs=$(lsum 12)
    printf '%s' "This series models the boot storm after a power cut, when the initiators come up before the target: all N initiators are released while nothing listens on $late_portal (every connect is refused at once, a retryable error), and the target, already configured with its LUN on another portal of the same tgtd, starts accepting there ${late_ms} ms later (storm runs \`$late_open\` at release + ${late_ms} ms; \"target up\" is when that command had returned). Without jitter every initiator waits exactly 250, 500, 1000, 2000 ms … after each failure, so all of them retry at the same instants (about 250, 750, 1750, 3750 ms … after the release) and the first of these after the target came up, about $(wave_at "$late_ms") ms, is a wave of all N at once; with jitter each wait is scaled by a random factor in [0.75, 1.25). Measured, all logged in after the target came up (median of $reps): ${parts:-no complete pair of runs}."
    [ -n "$longer" ] && printf ' Jitter on made that time longer at N = %s' "$longer"
    [ -n "$shorter" ] && printf '%s shorter at N = %s' "$([ -n "$longer" ] && echo ";" || echo " Jitter on made that time")" "$shorter"
    [ -n "$same" ] && printf '%s equal at N = %s' "$([ -n "$longer$shorter" ] && echo ";" || echo " Jitter on left that time")" "$same"
    [ -n "$longer$shorter$same" ] && printf '.'
    [ -n "$big" ] && printf ' At N = %s the first login came %s ms, the median %s ms and the last %s ms after the target came up with jitter off, and %s, %s and %s ms with jitter on.' \
        "$big" "$(lmed "$big" off 7)" "$(lmed "$big" off 13)" "$(lmed "$big" off 5)" "$(lmed "$big" on 7)" "$(lmed "$big" on 13)" "$(lmed "$big" on 5)"
    if [ "$ovs" = 0 ] && [ "$srs" = 0 ]; then
        printf ' The kernel counters ListenOverflows and TCPSynRetrans did not move in any run of this series.'
    else
        printf ' Over all runs of this series the kernel counted %s listen overflows and %s SYN retransmits (per row in the table).' "$ovs" "$srs"
    fi
    echo
}

# The paragraph under the refuse table: the mode, then the medians N by N.
refuse_paragraph() {
    local n parts="" cap min_ms shorter="" longer="" fewer="" more=""
    cap=$(awk -v k="$refuse_limit" -v s="$refuse_step_ms" 'BEGIN { printf "%d", (s > 0 ? k * 1000 / (2 * s) : 0) }')
    for n in $refuse_ns; do
        [ -n "$(rcol "$n" off 1)" ] && [ -n "$(rcol "$n" on 1)" ] || continue
        min_ms=$(awk -v n="$n" -v c="$cap" 'BEGIN { printf "%d", (c > 0 ? n * 1000 / c : 0) }')
        parts="$parts${parts:+; }N=$n (at best ${min_ms} ms): all in after $(rmed "$n" off 4) ms with jitter off vs $(rmed "$n" on 4) ms on, $(rmed "$n" off 7) vs $(rmed "$n" on 7) refusals ($(rmed "$n" off 10) vs $(rmed "$n" on 10) at most for one initiator), $(rmed "$n" off 13) vs $(rmed "$n" on 13) failed"
        case $(awk -v a="$(rmed "$n" off 4)" -v b="$(rmed "$n" on 4)" 'BEGIN { if (a == "—" && b == "—") print "x"; else if (a == "—") print "s"; else if (b == "—") print "l"; else if (b < a) print "s"; else if (b > a) print "l"; else print "x" }') in
        s) shorter="$shorter${shorter:+, }$n" ;;
        l) longer="$longer${longer:+, }$n" ;;
        esac
        case $(awk -v a="$(rmed "$n" off 7)" -v b="$(rmed "$n" on 7)" 'BEGIN { print (b < a ? "f" : b > a ? "m" : "e") }') in
        f) fewer="$fewer${fewer:+, }$n" ;;
        m) more="$more${more:+, }$n" ;;
        esac
    done
    printf '%s' "In this series the target is bench/refusing_target, not tgtd: it allows at most K = $refuse_limit logins in progress at once (from the accepted connection to its final Login Response) and answers the first Login Request of every connection accepted above that with status $refuse_status ($([ "$refuse_status" = 0301 ] && echo "service unavailable" || echo "out of resources"), RFC 7143 11.13.5: the initiator may retry later) and closes it. It answers each login step ${refuse_step_ms} ms after the request, so a no-auth login (security, then operational stage) takes it $((2 * refuse_step_ms)) ms and it completes at most about $cap logins per second: far fewer than a storm asks for at once (every N here is released within a few ms, and the \"peak\" column shows K was reached), and slow enough that the time to let N in, N / $cap s, is long against the first backoff steps (250, 500, 1000 ms). tgtd on this loopback logs one in well under a millisecond (first table), a real target doing authentication and session set-up takes longer; $refuse_step_ms ms per step is a model, not a measurement of one. Our initiator retries 0301/0302 like any retryable error (iscsistart's login_with_retries counts them too), with the backoff above. Without jitter the refused initiators all come back at the same instants (about 250, 750, 1750, 3750 ms … after the release, then every 4 s), so each wave meets a target with only K free slots and most of it is refused again; only as many get in as the wave's own spread lets through (the target answers the refusals one after another, and the threads wake on 2 CPUs), and the slots stay idle between the waves. With jitter each wait is scaled by a random factor in [0.75, 1.25), the retries are spread over the gaps, and the target's slots are used there too. Measured (median of $reps): ${parts:-no complete pair of runs}."
    [ -n "$shorter" ] && printf ' Jitter on got everyone in sooner (or at all, where jitter off left some out) at N = %s.' "$shorter"
    [ -n "$longer" ] && printf ' Jitter on took longer at N = %s.' "$longer"
    [ -n "$fewer" ] && printf ' It needed fewer refused attempts at N = %s.' "$fewer"
    [ -n "$more" ] && printf ' It needed more refused attempts at N = %s.' "$more"
    echo
}

{
    echo "Boot storm: N in-process initiators (bench/storm) log in at once to one tgtd $(dpkg-query -W -f '${Version}' tgt 2>/dev/null) on 127.0.0.1, no kernel handoff."
    echo "Median of $reps runs per row, each column on its own (times in ms from the release of all initiators; \"—\": not everyone logged in)."
    echo "Backoff between attempts: backoff_ms(attempt, unit) = 250 ms × 2^(attempt-1), cap 4000 ms, × (0.75 + 0.5 unit);"
    echo "jitter off: unit = 0.5 for everyone; on: unit random per wait. login_timeout ${login_timeout} s, at most ${max_attempts} attempts, runs bounded to ${run_timeout} s."
    echo "Machine: $(nproc) CPUs, load average $load_before before, $load_after after (shared with other jobs)."
    echo
    echo "| N | jitter | all logged in (ms) | per run | median (ms) | p95 (ms) | initiators retried | total retries | failed | sessions held | listen overflows |"
    echo "|---:|:---:|---:|:---|---:|---:|---:|---:|---:|---:|---:|"
    for n in $ns; do
        for jitter in off on; do
            [ -n "$(col "$n" "$jitter" 1)" ] || { echo "| $n | $jitter | (no run) | | | | | | | | |"; continue; }
            echo "| $n | $jitter | $(col "$n" "$jitter" 4 | median) | $(per_run "$n" "$jitter" 4) | $(col "$n" "$jitter" 5 | median) | $(col "$n" "$jitter" 6 | median) | $(col "$n" "$jitter" 9 | median) | $(col "$n" "$jitter" 10 | median) | $(col "$n" "$jitter" 11 | median) | $(col "$n" "$jitter" 12 | median) | $(col "$n" "$jitter" 13 | median) |"
        done
    done
    echo
    if [ "$late_ms" != 0 ]; then
        echo "Target up after ${late_ms} ms: the same initiators, released while their portal $late_portal is closed; tgtd starts accepting on it ${late_ms} ms later."
        echo "Median of $reps runs per row, each column on its own; times in ms (\"—\": not everyone logged in); \"after up\": from the moment the portal was open (end of the tgtadm command)."
        echo
        echo "| N | jitter | target up at (ms) | all logged in (ms from release) | all logged in (ms after up) | per run (after up) | first login (ms after up) | median login (ms after up) | total retries | max attempts by one initiator | failed | listen overflows | SYN retransmits |"
        echo "|---:|:---:|---:|---:|---:|:---|---:|---:|---:|---:|---:|---:|---:|"
        for n in $ns; do
            for jitter in off on; do
                [ -n "$(lcol "$n" "$jitter" 1)" ] || { echo "| $n | $jitter | (no run) | | | | | | | | | | |"; continue; }
                echo "| $n | $jitter | $(lmed "$n" "$jitter" 6) | $(lmed "$n" "$jitter" 4) | $(lmed "$n" "$jitter" 5) | $(lper_run "$n" "$jitter" 5) | $(lmed "$n" "$jitter" 7) | $(lmed "$n" "$jitter" 13) | $(lmed "$n" "$jitter" 8) | $(lmed "$n" "$jitter" 9) | $(lmed "$n" "$jitter" 10) | $(lmed "$n" "$jitter" 11) | $(lmed "$n" "$jitter" 12) |"
            done
        done
        echo
        late_paragraph
        echo
    fi
    if [ -n "$refuse_ns" ]; then
        echo "A target that refuses bursts: bench/refusing_target, at most K = $refuse_limit logins in progress, status $refuse_status above that, ${refuse_step_ms} ms per login step; the same initiators and backoff, at most ${max_attempts} attempts."
        echo "Load average $refuse_load_before before this series, $refuse_load_after after it (the 2 CPUs run the N initiator threads and the target)."
        echo "Median of $reps runs per row, each column on its own; times in ms from the release (\"—\": not everyone logged in); median and p95 over the initiators that got in; refused: attempts the target answered $refuse_status, counted by the initiators (and checked against the target's count); failed: out of attempts; sessions held: what the target held when every initiator was done."
        echo
        echo "| N | jitter | all logged in (ms) | per run | median (ms) | p95 (ms) | refused (total) | refused per initiator p50 / p95 / max | initiators refused | max attempts by one initiator | failed | peak logins in progress | sessions held |"
        echo "|---:|:---:|---:|:---|---:|---:|---:|:---:|---:|---:|---:|---:|---:|"
        for n in $refuse_ns; do
            for jitter in off on; do
                [ -n "$(rcol "$n" "$jitter" 1)" ] || { echo "| $n | $jitter | (no run) | | | | | | | | | | |"; continue; }
                echo "| $n | $jitter | $(rmed "$n" "$jitter" 4) | $(rper_run "$n" "$jitter" 4) | $(rmed "$n" "$jitter" 5) | $(rmed "$n" "$jitter" 6) | $(rmed "$n" "$jitter" 7) | $(rmed "$n" "$jitter" 8) / $(rmed "$n" "$jitter" 9) / $(rmed "$n" "$jitter" 10) | $(rmed "$n" "$jitter" 11) | $(rmed "$n" "$jitter" 12) | $(rmed "$n" "$jitter" 13) | $(rmed "$n" "$jitter" 15) | $(rmed "$n" "$jitter" 14) |"
            done
        done
        echo
        refuse_paragraph
        echo
        [ "$refuse_skipped" != 0 ] && echo "Skipped $refuse_skipped runs of this series: its time budget of $refuse_budget s was used up." && echo
    fi
    if [ -s "$work/reasons" ]; then
        echo "Retry and failure reasons (summed over the runs of each row):"
        echo
        # Lines "LABELn=N jitter=J: retried|failed xK: REASON", one per run,
        # become one line per row, kind and reason with K summed.
        awk '{ if (match($0, /: (retried|failed) x[0-9]+: /)) {
                   m = substr($0, RSTART + 2, RLENGTH - 4); kind = m; sub(/ x.*/, "", kind); k = m; sub(/.* x/, "", k)
                   key = substr($0, 1, RSTART - 1) "\t" kind "\t" substr($0, RSTART + RLENGTH)
               } else { key = $0; k = 0 }
               if (!(key in sum)) order[++nk] = key
               sum[key] += k; runs[key]++ }
             END { for (i = 1; i <= nk; i++) { key = order[i]
                       if (split(key, f, "\t") != 3) { print "- " key; continue }
                       printf "- %s: %s x%d (%d run%s): %s\n", f[1], f[2], sum[key], runs[key], runs[key] == 1 ? "" : "s", f[3] } }' "$work/reasons"
        echo
    fi
    [ "$skipped" != 0 ] && echo "Skipped $skipped runs: the script's time budget of $budget s was used up." && echo
    if [ -s "$work/problems" ]; then
        echo "Problems:"
        echo
        awk '{ print "- " $0 }' "$work/problems"
        echo
    fi
    extra=$(tail -n +$((tgtd_setup_lines + 1)) "$work/tgtd.log")
    if [ -n "$extra" ]; then
        echo "tgtd said during the runs (first 10 lines):"
        echo
        echo '```'
        echo "$extra" | head -10
        echo '```'
        echo
    fi
    echo "storm.sh took $((SECONDS - start)) s."
} >"$work/table.md"
cp "$work/table.md" "$out_md" || die "cannot write $out_md"
cat "$work/table.md"
[ ! -s "$work/problems" ]
