#!/usr/bin/env bash
# Build librtm in Release mode and run the quick benchmark (tools/rtm-quickbench)
# on the bundled full tables (tests/data/fulltable).
#
#   tools/run-bench.sh [rtm-quickbench options and files...]
#
# Environment: BUILD_DIR (default build/release under the source tree),
# JOBS (default: number of CPUs), SKIP_DEPS=1 to skip tools/install-deps.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build/release}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

if [ "${SKIP_DEPS:-0}" != 1 ]; then
	if [ -f "$root/tools/install-deps.sh" ]; then
		bash "$root/tools/install-deps.sh" liblzma-dev
	else
		echo "run-bench: tools/install-deps.sh not found, assuming dependencies are installed" >&2
	fi
fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" --target rtm-quickbench -j "$jobs"

bin=$build/tools/rtm-quickbench
if [ ! -x "$bin" ]; then
	# A top-level CMAKE_RUNTIME_OUTPUT_DIRECTORY may have put it elsewhere.
	bin=$(find "$build" -type f -name rtm-quickbench -perm -u+x | head -n 1)
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "run-bench: rtm-quickbench was not built" >&2
	exit 1
fi

echo "run-bench: $bin $*"
echo "run-bench: $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
exec "$bin" "$@"
