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
