#!/bin/sh
# run-fuzz.sh - build the libFuzzer binaries of tests/fuzz with clang
# (ASan + UBSan) in build/fuzz and run each target for a while on a copy of
# its seed corpus.
#
#   tools/run-fuzz.sh [--seconds N] [--jobs J] [target...]
#
# Targets: mrt bgpdump prefix_list zreader api_seq (default: all). N seconds
# per target (default 60). Prints the executions libFuzzer ran per target and
# exits non-zero if any target found a crash, a leak, a timeout or a
# disagreement with the reference model; the input is kept under
# build/fuzz/findings/<target>/ (add it to tests/fuzz/corpus/<target>/ once
# fixed, as a regression). New interesting inputs stay in
# build/fuzz/work/<target>/ (merge the useful ones into the seed corpus with
# libFuzzer's -merge=1 by hand).
set -eu

seconds=60
jobs=2
targets=""
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds="$2"; shift 2 ;;
	--seconds=*) seconds="${1#*=}"; shift ;;
	--jobs) jobs="$2"; shift 2 ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	-*) echo "run-fuzz.sh: unknown option $1" >&2; exit 2 ;;
	*) targets="$targets $1"; shift ;;
	esac
done
[ -n "$targets" ] || targets="mrt bgpdump prefix_list zreader api_seq"

src=$(cd "$(dirname "$0")/.." && pwd)
build="$src/build/fuzz"

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	-DRTM_SANITIZE=address -DRTM_FUZZ=ON -DRTM_BUILD_BENCH=OFF \
	-DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
bins=""
for t in $targets; do bins="$bins fuzz-$t-libfuzzer"; done
# shellcheck disable=SC2086
cmake --build "$build" -j"$jobs" --target $bins >/dev/null

status=0
total=0
for t in $targets; do
	work="$build/work/$t"
	findings="$build/findings/$t"
	log="$build/logs/$t.log"
	mkdir -p "$work" "$findings" "$(dirname "$log")"
	cp -n "$src/tests/fuzz/corpus/$t/"* "$work/" 2>/dev/null || true
	# librtm frees through RCU after the input returns, so libFuzzer's
	# per-input leak check (-detect_leaks) would run LeakSanitizer after
	# almost every api_seq input; LeakSanitizer still runs at exit, and
	# api_seq itself checks that every handle is dead after each input.
	extra=""
	[ "$t" = api_seq ] && extra="-detect_leaks=0"
	rc=0
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	"$build/tests/fuzz/fuzz-$t-libfuzzer" -max_total_time="$seconds" -timeout=30 \
		-rss_limit_mb=2048 -print_final_stats=1 $extra -artifact_prefix="$findings/" \
		"$work" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=0
	total=$((total + execs))
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $t: $execs executions in ${seconds}s, no finding"
	else
		echo "fuzz $t: FAILED after $execs executions (exit $rc), see $log and $findings/"
		grep -m5 -E "ERROR|DISAGREEMENT|FUZZ FAILURE|SUMMARY" "$log" | sed 's/^/    /' || true
		status=1
	fi
done
echo "fuzz total: $total executions"
exit $status
