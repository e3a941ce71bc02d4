#!/usr/bin/env bash
# Install the Debian packages librtm needs to build and test, if any are missing.
#
#   tools/install-deps.sh [--bench] [EXTRA-PACKAGE...]
#
#   --bench   also what only the benchmarks need (tools/run-bench.sh): DPDK
#             for rtm-bench's baselines and gnuplot for its --plot.  The test
#             path (tools/run-tests.sh) leaves them out; rtm-bench then says
#             which baselines it lacks.  CI installs them (.ci/run).
#
# Idempotent: asks dpkg which packages are missing and touches apt only then.
# Runs apt through sudo when not root.
set -euo pipefail

packages=(
	build-essential    # gcc 12, make, libc headers; gcc's sanitizer runtimes
	cmake              # 3.25: presets version 6
	pkg-config
	liburcu-dev        # userspace RCU (urcu-memb, cds)
	libck-dev          # ConcurrencyKit
	liblzma-dev        # compressed test data and tables (.xz)
	zlib1g-dev         # MRT files (.gz)
	libbz2-dev         # MRT files (.bz2)
	xz-utils
	clang              # second compiler; TSan preset
	libclang-rt-14-dev # clang's sanitizer runtimes
	spin               # model checker for tests/model (the lock protocol)
	g++                # bench/shim.cc, the Google Benchmark shim
	libbenchmark-dev   # Google Benchmark: bench/ micro-benchmarks (and their smoke test)
)
bench_packages=(
	libdpdk-dev        # rtm-bench baselines: rte_lpm, rte_fib, rte_rib (~190 MB with dependencies)
	gnuplot-nox        # rtm-bench --plot
)
if [ "${1:-}" = --bench ]; then
	shift
	packages+=("${bench_packages[@]}")
fi
packages+=("$@")

missing=()
for pkg in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || {
		echo "install-deps: not root and no sudo; install as root: ${missing[*]}" >&2
		exit 1
	}
	sudo=(sudo)
	[ -t 0 ] || sudo+=(-n) # no terminal to ask a password on
fi

"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "${missing[@]}"
