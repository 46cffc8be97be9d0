#!/bin/sh
# run-all.sh - run every integration test (tests/integration/t_*.sh), each
# bounded in time; print a summary; exit non-zero if any failed.
cd "$(dirname "$0")" || exit 1
pass=0; fail=0; skip=0; failed=""
for t in ${TESTS:-t_*.sh}; do
    start=$(date +%s)
    timeout -k 10 "${TEST_TIMEOUT:-300}" bash "$t"
    rc=$?
    took=$(( $(date +%s) - start ))
    case $rc in
	0) pass=$((pass + 1)) ;;
	77) skip=$((skip + 1)) ;;
	124) echo "FAIL [$t]: timed out"; fail=$((fail + 1)); failed="$failed $t" ;;
	*) fail=$((fail + 1)); failed="$failed $t" ;;
    esac
    echo "   ($t: ${took}s)"
done
echo "integration: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || { echo "failed:$failed"; exit 1; }
exit 0
