#!/bin/sh
# run.sh - run the built fuzz targets for a while each and collect crashes
#
# Usage: sh tests/fuzz/run.sh [NAME...]     (NAME: netstring or fuzz_netstring)
# Environment: FUZZ_SECONDS per target (default 60).
#
# Each target reads its seeds from tests/fuzz/corpus/NAME (created when
# missing) and writes the new inputs it finds to build-fuzz/corpus/NAME,
# so the repository is not polluted. A crashing input (crash, leak,
# timeout or out of memory) is copied to tests/fuzz/crashes/NAME/ to
# become a regression test (see tests/fuzz/README.md). Prints the
# execution count of each target; exits 1 if any target failed.
set -u

cd "$(dirname "$0")/../.." || exit 2

OUT=build-fuzz
SECONDS_EACH=${FUZZ_SECONDS:-60}

case $SECONDS_EACH in
''|*[!0-9]*) echo "run.sh: FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;;
esac

# all_targets - the names of every fuzz target source
all_targets() {
    for f in tests/fuzz/fuzz_*.c; do
	[ -f "$f" ] || continue
	f=$(basename "$f" .c)
	printf '%s\n' "${f#fuzz_}"
    done
}

# run_one NAME - fuzz one target; returns non-zero when it found a problem
run_one() {
    name=$1
    bin=$OUT/$name
    seeds=tests/fuzz/corpus/$name
    found=$OUT/corpus/$name
    artifacts=$OUT/artifacts/$name
    log=$OUT/logs/$name.log

    if [ ! -x "$bin" ]; then
	echo "$name: not built ($bin missing); run 'make fuzz' first" >&2
	return 1
    fi
    mkdir -p "$seeds" "$found" "$OUT/logs"
    rm -rf "$artifacts"
    mkdir -p "$artifacts"
    # The first corpus directory receives new inputs; the seeds are only read.
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$bin" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
	-artifact_prefix="$artifacts/" "$found" "$seeds" >"$log" 2>&1
    status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "$name: ${execs:-unknown} executions (limit ${SECONDS_EACH}s; log: $log)"
    crashes=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' \
	-o -name 'timeout-*' -o -name 'oom-*' \) | sort)
    if [ -n "$crashes" ]; then
	mkdir -p "tests/fuzz/crashes/$name"
	for c in $crashes; do
	    cp "$c" "tests/fuzz/crashes/$name/"
	    echo "$name: FAILED: saved tests/fuzz/crashes/$name/$(basename "$c")"
	done
	grep -m 1 -E 'ERROR: |runtime error|property failed' "$log" | sed "s/^/$name: /"
	return 1
    fi
    if [ "$status" -ne 0 ]; then
	echo "$name: FAILED: fuzzer exited with status $status; see $log"
	return 1
    fi
    return 0
}

if [ $# -gt 0 ]; then
    targets=$*
else
    targets=$(all_targets)
fi
if [ -z "$targets" ]; then
    echo "run.sh: no fuzz targets in tests/fuzz/" >&2
    exit 1
fi

failed=0
for t in $targets; do
    run_one "${t#fuzz_}" || failed=1
done
exit $failed
