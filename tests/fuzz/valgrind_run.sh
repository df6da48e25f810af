#!/bin/sh
# valgrind_run.sh — runs each given test binary under valgrind's memcheck
# (leak check on, any report fails). Exit 77 (ctest: skipped) when
# valgrind is not installed. Used by the fuzz/valgrind_scenarios test in
# builds without the sanitizers.
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not installed: skipped"; exit 77; }
[ $# -gt 0 ] || { echo "valgrind_run: no test binaries given" >&2; exit 2; }
status=0
log=$(mktemp)
for t in "$@"; do
    if valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
            --track-origins=yes "$t" >"$log" 2>&1; then
        echo "valgrind clean: $(basename "$t")"
    else
        echo "valgrind FAILED: $t"
        cat "$log"
        status=1
    fi
done
rm -f "$log"
exit $status
