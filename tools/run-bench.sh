#!/usr/bin/env bash
# Install what the benchmarks need, build librtm in Release mode and run
# rtm-bench (tools/bench/) on the bundled tables: librtm beside a naive trie,
# liburcu's cds_lfht and DPDK's rte_lpm / rte_fib / rte_rib, every phase
# (load lookup churn mixed memory locks multipath) on the full IPv4 + IPv6
# tables (tests/data/fulltable) and the two-peer RIPE RIS table
# (tests/data/ripe-ris).  Ends with the side-by-side table.
#
#   tools/run-bench.sh [rtm-bench options and phases...]
#   tools/run-bench.sh --micro [Google Benchmark options...]
#
#   e.g. tools/run-bench.sh --quick            smoke run, about a minute
#        tools/run-bench.sh lookup mixed       only those phases
#        tools/run-bench.sh --reps 5           more repetitions (default 3)
#        tools/run-bench.sh --mixed-probe mixed  where a reader's time goes while a
#                                              writer churns (tools/bench/README.md)
#        tools/run-bench.sh --micro            the Google Benchmark micro-benchmarks
#                                              (bench/, rtm-microbench) instead; JSON
#                                              to build/release/rtm-microbench.json
#
# Writes build/release/rtm-bench.json (every figure, machine, versions, seeds)
# and build/release/rtm-bench.png (gnuplot) unless --json / --plot are given.
# A full run takes about 5-8 minutes on 2 CPUs: each figure is the median of
# 3 repetitions, except the single-writer load of a structure slower than
# 20 s per load (rte_lpm's IPv4 load, about 50 s), which runs once.
#
# Environment: BUILD_DIR (default build/release under the source tree),
# JOBS (default: number of CPUs), SKIP_DEPS=1 to skip tools/install-deps.sh,
# RTM_BENCH_DPDK=OFF to build without the DPDK baselines.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build/release}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

if [ "${SKIP_DEPS:-0}" != 1 ]; then
	bash "$root/tools/install-deps.sh" --bench
fi

micro=0
if [ "${1:-}" = --micro ]; then
	micro=1
	shift
fi

dpdk_args=()
if [ -n "${RTM_BENCH_DPDK:-}" ]; then
	dpdk_args=(-DRTM_BENCH_DPDK="$RTM_BENCH_DPDK")
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "${dpdk_args[@]}"
if [ "$micro" = 1 ]; then
	cmake --build "$build" --target rtm-microbench -j "$jobs"
	out=$build/rtm-microbench.json
	echo "run-bench: $build/bench/rtm-microbench $*"
	status=0
	"$build/bench/rtm-microbench" --benchmark_out="$out" --benchmark_out_format=json "$@" || status=$?
	[ -f "$out" ] && echo "run-bench: JSON: $out"
	exit "$status"
fi
# rtm-torture too, so that the README's fairness command has its binary.
cmake --build "$build" --target rtm-bench rtm-torture -j "$jobs"

bin=$build/tools/bench/rtm-bench
if [ ! -x "$bin" ]; then
	# A top-level CMAKE_RUNTIME_OUTPUT_DIRECTORY may have put it elsewhere.
	bin=$(find "$build" -type f -name rtm-bench -perm -u+x | head -n 1)
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "run-bench: rtm-bench was not built" >&2
	exit 1
fi

# Default outputs, unless the caller names their own.
json=$build/rtm-bench.json
plot=$build/rtm-bench.png
extra=()
case " $* " in *" --json"*) json= ;; *) extra+=(--json "$json") ;; esac
case " $* " in *" --plot"*) plot= ;; *) command -v gnuplot >/dev/null && extra+=(--plot "$plot") || plot= ;; esac

# Stale outputs of an earlier run must not pass for this one's.
[ -n "$json" ] && rm -f "$json"
[ -n "$plot" ] && rm -f "$plot"
echo "run-bench: $bin ${extra[*]} $*"
echo "run-bench: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$bin" "${extra[@]}" "$@" || status=$?
[ -n "$json" ] && [ -f "$json" ] && echo "run-bench: JSON: $json"
[ -n "$plot" ] && [ -f "$plot" ] && echo "run-bench: plot: $plot"
exit "$status"
