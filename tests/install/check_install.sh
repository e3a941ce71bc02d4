#!/usr/bin/env bash
# Install a librtm build into a scratch prefix and check it as a user sees it.
#
#   tests/install/check_install.sh <source-dir> <build-dir>
#
# 1. cmake --install <build-dir> --prefix <tmp>
# 2. librtm.so exports every Rtm* function the build defines, each declared in an
#    installed header, and nothing else but the linker's own symbols.
# 3. Its SONAME is librtm.so.0.
# 4. An outside client (tests/install/client) builds and runs against the install
#    through pkg-config and through find_package(rtm), shared and static.
#
# Environment: CC (compiler for the client, default cc), RTM_CLIENT_FLAGS (extra
# compile and link flags for the client, e.g. the build's sanitizer flags),
# TMPDIR, RTM_KEEP_INSTALL=1 (keep the scratch directory for inspection).
# Every check that cannot be made is a failure: nothing is skipped.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 <source-dir> <build-dir>" >&2
	exit 2
fi
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
cc=${CC:-cc}
read -r -a client_flags <<<"${RTM_CLIENT_FLAGS:-}"
client_src=$src/tests/install/client

# Symbols every shared object gets from the toolchain, not from librtm.
linker_symbols='^(_init|_fini|_edata|_end|__bss_start)$'

fail() {
	echo "check_install: FAIL: $*" >&2
	exit 1
}
step() {
	echo
	echo "== $*"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rtm-install.XXXXXX")
if [ "${RTM_KEEP_INSTALL:-0}" = 1 ]; then
	echo "check_install: keeping $tmp"
else
	trap 'rm -rf "$tmp"' EXIT
fi
prefix=$tmp/prefix

step "install $build into $prefix"
cmake --install "$build" --prefix "$prefix"

# GNUInstallDirs gives lib, lib64 or lib/<multiarch>: find where it went.
mapfile -t sos < <(find "$prefix" -name librtm.so)
[ "${#sos[@]}" -eq 1 ] || fail "expected one librtm.so under $prefix, found ${#sos[@]}: ${sos[*]:-}"
so=${sos[0]}
libdir=$(dirname "$so")
echo "library directory: $libdir"
for f in "$libdir/librtm.a" "$libdir/pkgconfig/rtm.pc" "$libdir/cmake/rtm/rtmConfig.cmake" \
	"$libdir/cmake/rtm/rtmConfigVersion.cmake" "$libdir/cmake/rtm/rtmTargets.cmake" \
	"$prefix/include/rtmv2.h"; do
	[ -f "$f" ] || fail "not installed: ${f#"$prefix"/}"
done

step "exported symbols of ${so#"$prefix"/}"
# librtm.a holds every object file, hidden symbols included: its global Rtm*
# definitions are what the build defines.
defined=$(nm -g --defined-only "$libdir/librtm.a" | awk 'NF == 3 && $3 ~ /^Rtm/ { print $3 }' | sort -u)
exported=$(nm -D --defined-only "$so" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u)
api=$(grep -E '^Rtm' <<<"$exported" || true)
echo "$(wc -w <<<"$api") Rtm* functions exported"

hidden=$(comm -23 <(echo "$defined") <(echo "$api"))
[ -z "$hidden" ] || fail "defined in the build but not exported (is the public declaration" \
	"marked with default visibility?): $(tr '\n' ' ' <<<"$hidden")"

for needed in RtmRegisterEntity RtmDeregisterEntity; do
	grep -qx "$needed" <<<"$api" || fail "librtm.so does not export $needed"
done

leaked=$(comm -13 <(echo "$defined") <(echo "$exported") | grep -Ev "$linker_symbols" || true)
[ -z "$leaked" ] || fail "librtm.so exports symbols that are not part of the API: $(tr '\n' ' ' <<<"$leaked")"

undeclared=""
for sym in $api; do
	grep -rqw -- "$sym" "$prefix/include" || undeclared="$undeclared $sym"
done
[ -z "$undeclared" ] || fail "exported but declared in no installed header:$undeclared"
echo "ok: exports exactly the API"

step "SONAME"
soname=$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')
[ "$soname" = librtm.so.0 ] || fail "SONAME is '$soname', expected librtm.so.0"
echo "ok: $soname"

# Runs a client built against the install and checks which librtm it loaded.
run_client() {
	local exe=$1 linkage=$2 loaded
	loaded=$(LD_LIBRARY_PATH=$libdir ldd "$exe" | awk '$1 == "librtm.so.0" { print $3 }')
	case $linkage in
	shared)
		[ "$loaded" = "$libdir/librtm.so.0" ] ||
			fail "$exe loads librtm from '$loaded', not from the install"
		;;
	static)
		[ -z "$loaded" ] || fail "$exe was meant to link librtm.a but loads $loaded"
		;;
	esac
	echo "+ $exe"
	LD_LIBRARY_PATH=$libdir "$exe" || fail "$exe exited with status $?"
}

step "client through pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
read -r -a pc_cflags <<<"$(pkg-config --cflags rtm)"
read -r -a pc_libs <<<"$(pkg-config --libs rtm)"
read -r -a pc_static_libs <<<"$(pkg-config --static --libs rtm)"
echo "cflags: ${pc_cflags[*]}"
echo "libs: ${pc_libs[*]}"
echo "static libs: ${pc_static_libs[*]}"
(
	set -x
	"$cc" -Wall -Wextra "${client_flags[@]}" "${pc_cflags[@]}" -o "$tmp/client-pc" \
		"$client_src/client.c" "${pc_libs[@]}"
)
run_client "$tmp/client-pc" shared

# Same with librtm.a: its dependencies must come from Requires.private/Libs.private.
static_libs=()
for arg in "${pc_static_libs[@]}"; do
	[ "$arg" = -lrtm ] && arg=-l:librtm.a
	static_libs+=("$arg")
done
(
	set -x
	"$cc" -Wall -Wextra "${client_flags[@]}" "${pc_cflags[@]}" -o "$tmp/client-pc-static" \
		"$client_src/client.c" "${static_libs[@]}"
)
run_client "$tmp/client-pc-static" static

step "client through find_package(rtm)"
cmake -S "$client_src" -B "$tmp/client-cmake" \
	-DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER="$cc" \
	-DCMAKE_C_FLAGS="${RTM_CLIENT_FLAGS:-}" \
	-DCMAKE_EXE_LINKER_FLAGS="${RTM_CLIENT_FLAGS:-}"
rtm_dir=$(sed -n 's/^rtm_DIR:PATH=//p' "$tmp/client-cmake/CMakeCache.txt")
case $rtm_dir in
"$prefix"/*) ;;
*) fail "find_package(rtm) found '$rtm_dir', not the scratch install" ;;
esac
cmake --build "$tmp/client-cmake"
run_client "$tmp/client-cmake/client" shared
run_client "$tmp/client-cmake/client_static" static

echo
echo "check_install: all checks passed"
