# Shared by the integration scripts (sourced): PASS/FAIL/SKIP counting and
# the last line "N passed, M failed, K skipped" (the exit status follows
# the failures only, which the Makefile's integration target checks). A
# case the host cannot run (a kernel feature missing) is a skip, never a
# pass.
pass=0 failed=0 skipped=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
skip() { echo "SKIP $1"; skipped=$((skipped + 1)); }
finish() { echo "$pass passed, $failed failed, $skipped skipped"; [ "$failed" = 0 ]; exit; }
# need_root_and TOOL: stop with one FAIL unless root and TOOL is executable
need_root_and() {
    if [ "$(id -u)" != 0 ]; then
        bad "needs root (network namespaces)"; finish
    fi
    [ -x "$1" ] || { bad "no executable $1"; finish; }
}
# veth_netns SRV CLI MAC [up]: network namespaces SRV and CLI (loopback
# up) joined by a veth pair: srv0 in SRV, 10.99.0.1/24 and up; cli0 in CLI
# with MAC, up only when the fourth word is "up"; one FAIL and the end of
# the test if any step fails
veth_netns() {
    ip netns add "$1" && ip netns add "$2" &&
        ip -n "$1" link set lo up && ip -n "$2" link set lo up &&
        ip -n "$1" link add srv0 type veth peer name cli0 netns "$2" &&
        ip -n "$2" link set cli0 address "$3" &&
        ip -n "$1" addr add 10.99.0.1/24 dev srv0 &&
        ip -n "$1" link set srv0 up &&
        { [ "${4:-}" != up ] || ip -n "$2" link set cli0 up; } ||
        { bad "cannot create the namespaces $1, $2 and their veth pair"; finish; }
}
