# Shared by the integration scripts (sourced): PASS/FAIL counting and the
# last line "N passed, M failed" that the Makefile's exit status follows.
pass=0 failed=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; failed=$((failed + 1)); }
finish() { echo "$pass passed, $failed failed"; [ "$failed" = 0 ]; exit; }
# need_root_and TOOL: stop with one FAIL unless root and TOOL is executable
need_root_and() {
    if [ "$(id -u)" != 0 ]; then
        bad "needs root (network namespaces)"; finish
    fi
    [ -x "$1" ] || { bad "no executable $1"; finish; }
}
