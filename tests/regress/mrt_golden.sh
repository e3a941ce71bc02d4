#!/bin/sh
# mrt_golden.sh - golden test of tools/rtm-mrt (ctest: regress.mrt_golden).
#
#   mrt_golden.sh RTM_MRT DATA_DIR [TIME_LIMIT_SECONDS]
#
# For every MRT file in DATA_DIR (tests/data/mrt) that has a golden output
# DATA_DIR/expected/FILE.bgpdump-m.txt.gz (Debian bgpdump 1.6.2 `bgpdump -m`),
# runs `RTM_MRT FILE` under a time limit and compares its standard output with
# the decompressed golden file byte for byte. Prints one line per file with the
# number of matching lines; fails if any file differs, rtm-mrt fails, or no
# file was tested.
set -u

exe=${1:?usage: mrt_golden.sh RTM_MRT DATA_DIR [TIME_LIMIT]}
dir=${2:?usage: mrt_golden.sh RTM_MRT DATA_DIR [TIME_LIMIT]}
limit=${3:-300}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mrt_golden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

files=0
failed=0
for golden in "$dir"/expected/*.bgpdump-m.txt.gz; do
	[ -e "$golden" ] || continue
	name=$(basename "$golden" .bgpdump-m.txt.gz)
	mrt=$dir/$name
	if [ ! -f "$mrt" ]; then
		echo "FAIL $name: golden output without its MRT file"
		failed=$((failed + 1))
		continue
	fi
	files=$((files + 1))
	gzip -dc "$golden" > "$tmp/want" || { echo "FAIL $name: cannot decompress $golden"; failed=$((failed + 1)); continue; }
	timeout "$limit" "$exe" "$mrt" > "$tmp/got" 2> "$tmp/err"
	rc=$?
	want=$(wc -l < "$tmp/want")
	got=$(wc -l < "$tmp/got")
	if [ "$rc" -eq 0 ] && cmp -s "$tmp/got" "$tmp/want"; then
		echo "ok   $name: $want/$want lines identical"
		continue
	fi
	failed=$((failed + 1))
	same=$(awk 'NR == FNR { w[FNR] = $0; next } (FNR in w) && w[FNR] == $0 { n++ } END { print n + 0 }' \
		"$tmp/want" "$tmp/got")
	echo "FAIL $name: exit $rc, $got lines written, $same/$want lines identical"
	[ -s "$tmp/err" ] && sed 's/^/     stderr: /' "$tmp/err" | head -5
	diff "$tmp/want" "$tmp/got" | head -10 | sed 's/^/     /'
done

if [ "$files" -eq 0 ]; then
	echo "FAIL: no golden files in $dir/expected"
	exit 1
fi
echo "$files files, $failed failed"
[ "$failed" -eq 0 ]
