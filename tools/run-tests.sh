#!/usr/bin/env bash
# Build librtm and run its tests: the one command for newcomers and CI alike.
#
#   tools/run-tests.sh [--preset NAME] [--label LABEL]
#
#   --preset NAME   a preset from CMakePresets.json: default (the default), ci,
#                   asan, tsan.  Build tree: build/NAME.
#   --label LABEL   run only the tests with this CTest label (unit, torture, ...).
#
# Environment: RTM_CMAKE_ARGS (extra configure arguments, e.g. "-DRTM_DEBUG_YIELD=ON"),
# RTM_TORTURE_SECONDS (torture run time), CTEST_PARALLEL_LEVEL.  For the asan and
# tsan presets, ASAN_OPTIONS / UBSAN_OPTIONS / TSAN_OPTIONS get defaults unless set.
# Exits with ctest's status.
set -euo pipefail

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
}

preset=default
label=
while [ $# -gt 0 ]; do
	case $1 in
	--preset) preset=${2:?--preset needs a name}; shift 2 ;;
	--preset=*) preset=${1#*=}; shift ;;
	--label) label=${2:?--label needs a label}; shift 2 ;;
	--label=*) label=${1#*=}; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run-tests: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

"$top/tools/install-deps.sh"

case $preset in
asan)
	: "${ASAN_OPTIONS:=detect_leaks=1:abort_on_error=1}"
	: "${UBSAN_OPTIONS:=print_stacktrace=1:halt_on_error=1}"
	export ASAN_OPTIONS UBSAN_OPTIONS
	;;
tsan)
	if [ -z "${TSAN_OPTIONS:-}" ]; then
		TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
		if [ -f "$top/tools/tsan.supp" ]; then
			TSAN_OPTIONS="suppressions=$top/tools/tsan.supp $TSAN_OPTIONS"
		fi
	fi
	export TSAN_OPTIONS
	;;
esac

read -r -a extra_args <<<"${RTM_CMAKE_ARGS:-}"
jobs=$(nproc 2>/dev/null || echo 2)

echo "run-tests: preset $preset${label:+, label $label}"
cmake --preset "$preset" "${extra_args[@]}"
cmake --build --preset "$preset" --parallel "$jobs"

status=0
ctest --preset "$preset" --output-on-failure ${label:+--label-regex "^${label}\$"} || status=$?
exit "$status"
