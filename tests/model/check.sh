#!/usr/bin/env bash
# Model-check the destination lock (tests/model/destlock.pml) with spin.
#
#   tests/model/check.sh [NAME-SUBSTRING...]
#
# Runs every check (or only those whose name contains one of the arguments)
# in the current directory, in a subfolder model-runs/ that it empties first:
# each verifier is generated with `spin -a`, compiled with gcc and run
# exhaustively.  The correct model must pass every check (0 errors, full
# search); each deliberately broken variant must be rejected with the kind of
# error named below.  Prints `ok NAME (...)` or `FAIL NAME (...)` per check,
# then `N passed, M failed`; exits 1 if anything failed or could not run.
# Needs the Debian package `spin` and gcc.  Full logs: model-runs/*.log.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runs=$PWD/model-runs
passed=0
failed=0

# Verifier settings, sized for a 2-core 24 GiB machine: at most 4 GiB per
# run (the largest run needs about 1 GiB), a search stack deep enough for the
# deepest path (about 1.7 M steps), the default 2^24-slot hash table.
MEMLIM=4096
DEPTH=3000000
PAN_CFLAGS="-O2 -w -DMEMLIM=$MEMLIM"

fail_setup() {
	echo "FAIL setup: $*"
	echo "0 passed, 1 failed"
	exit 1
}

command -v spin >/dev/null 2>&1 ||
	fail_setup "spin not found: install the Debian package 'spin' (tools/install-deps.sh)"
command -v gcc >/dev/null 2>&1 || fail_setup "gcc not found"

rm -rf "$runs"
mkdir -p "$runs" || fail_setup "cannot create $runs"

selected() {
	local name=$1 pat
	[ "${#filters[@]}" -eq 0 ] && return 0
	for pat in "${filters[@]}"; do
		case $name in *"$pat"*) return 0 ;; esac
	done
	return 1
}
filters=("$@")

# build ID MODEL "SPIN-DEFINES" "PAN-CFLAGS": generate and compile a verifier
# in $runs/ID, once.
build() {
	local id=$1 model=$2 defs=$3 cflags=$4 dir=$runs/$1
	[ -x "$dir/pan" ] && return 0
	mkdir -p "$dir"
	# shellcheck disable=SC2086 # the defines are words on purpose
	(cd "$dir" && spin $defs -a "$here/$model" && gcc $PAN_CFLAGS $cflags -o pan pan.c) \
		>"$dir/build.log" 2>&1
}

# check NAME EXPECT BUILD-ID MODEL "SPIN-DEFINES" "PAN-CFLAGS" "PAN-ARGS" [ERROR-PATTERN]
#   EXPECT pass: pan must finish a full search with 0 errors.
#   EXPECT fail: pan must report errors, one of them matching ERROR-PATTERN.
check() {
	local name=$1 expect=$2 id=$3 model=$4 defs=$5 cflags=$6 args=$7 pattern=${8:-}
	local log=$runs/$name.log t0 t1 secs errs stats why=

	selected "$name" || return 0
	t0=$EPOCHREALTIME
	if ! build "$id" "$model" "$defs" "$cflags"; then
		echo "FAIL $name (spin -a or gcc failed, see $runs/$id/build.log)"
		tail -n 5 "$runs/$id/build.log" | sed 's/^/    /'
		failed=$((failed + 1))
		return
	fi
	# shellcheck disable=SC2086
	(cd "$runs/$id" && ./pan $args -m$DEPTH) >"$log" 2>&1
	t1=$EPOCHREALTIME
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	errs=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
	stats=$(awk '
		/states, stored/ { st = $1; if (match($0, /\(([0-9.e+]+) visited\)/)) vis = substr($0, RSTART + 1, RLENGTH - 10) }
		/depth reached/ { d = $0; sub(/.*depth reached /, "", d); sub(/,.*/, "", d) }
		/total actual memory usage/ { mem = $1 }
		END {
			s = st " states"
			if (vis != "") s = s " (" vis " visited)"
			printf "%s, depth %s, %s MB", s, d, mem
		}' "$log")

	if [ -z "$errs" ]; then
		why="no verdict from pan"
	elif [ "$expect" = pass ]; then
		if [ "$errs" != 0 ]; then
			why="$errs error(s): $(grep -m1 '^pan:1:' "$log")"
		elif grep -q 'depth too small' "$log"; then
			why="search truncated: depth limit"
		elif grep -qiE 'memlim|out of memory' "$log"; then
			why="search truncated: memory limit"
		elif ! grep -q 'Full statespace search' "$log"; then
			why="not an exhaustive search"
		fi
	else
		if [ "$errs" = 0 ]; then
			why="expected an error ($pattern), found none"
		elif ! grep -q -- "$pattern" "$log"; then
			why="expected '$pattern', got: $(grep -m1 '^pan:1:' "$log")"
		fi
	fi

	if [ -z "$why" ]; then
		if [ "$expect" = pass ]; then
			echo "ok $name ($stats, ${secs}s)"
		else
			echo "ok $name (rejected as expected: $(grep -m1 '^pan:1:' "$log" | sed 's/^pan:1: //'); ${secs}s)"
		fi
		passed=$((passed + 1))
	else
		echo "FAIL $name ($why; $stats, ${secs}s; log $log)"
		failed=$((failed + 1))
	fi
}

M=destlock.pml
# One reader and two writers (pids 0; 1, 2): barging, the queue and the
# pending phase need two writers; one reader already exercises every reader
# transition (README.md: why, and what the two-reader run adds).  POLICY=3:
# each write_lock picks phase-fair or barging and each write_unlock whether
# to reserve the next phase for the head (hybrid), so every check covers the
# three policies and any switch between them.  TIMER=1 for the liveness checks:
# the head's bound expires at the latest once a writer has barged past it.
BASE="-DNR=1 -DKR=2 -DNW=2 -DKW=2"
LIVE="$BASE -DTIMER=1"

# --- The correct model: all must pass. -------------------------------------
# Safety: mutual exclusion (the assertions at each claim and entry to the
# critical section) and deadlock (pan's invalid end state: every thread that
# has not stopped is blocked, i.e. asleep on a futex).
check safety pass safety $M "$BASE -DPOLICY=3 -DNO_LTL" "-DSAFETY" ""
# Two readers, two writers, phase-fair policy (TIMER=2: no barging, so the
# bound changes nothing): readers counted together by a claim or a pending
# phase.  The largest run (about 7 M states).
check safety_2r2w pass safety22 $M "-DNR=2 -DKR=3 -DNW=2 -DKW=2 -DPOLICY=0 -DTIMER=2 -DNO_LTL" \
	"-DSAFETY" ""
# The same with futex waits that may also return without a wake (signals):
# assertions only, since a sleeper is then never blocked.
check safety_spurious pass spurious $M "$BASE -DPOLICY=3 -DNO_LTL -DSPURIOUS=1" "-DSAFETY" "-E"
# No livelock: no cycle, under weak fairness, in which no thread enters the
# critical section (the progress labels).
check nonprogress pass np $M "$LIVE -DPOLICY=3 -DNO_LTL" "-DNP" "-l -f"
# No starvation (so the barging bound holds): each thread that calls lock
# eventually holds the lock; no lost wake-up: each thread queued on a futex
# is eventually dequeued.  Weak fairness, one LTL formula per run; the reader
# (pid 0) and one writer (pid 1: the two writers run the same code).
for p in 0 1; do
	check "acquire_$p" pass ltl $M "$LIVE -DPOLICY=3" "" "-a -f -N acquire_$p"
done
for p in 0 1; do
	check "woken_$p" pass ltl $M "$LIVE -DPOLICY=3" "" "-a -f -N woken_$p"
done

# --- Broken variants: spin must reject each. --------------------------------
# Releasers read `sleepers` before their RMW: a lost wake-up, seen as a
# sleeper left queued forever (deadlock once the others stop) and as a
# thread that never acquires.
check broken_nowake.deadlock fail nowake_safety destlock_broken_nowake.pml \
	"$BASE -DPOLICY=3 -DNO_LTL" "-DSAFETY" "" "invalid end state"
check broken_nowake.woken_0 fail nowake_ltl destlock_broken_nowake.pml \
	"$LIVE -DPOLICY=3" "" "-a -f -N woken_0" "acceptance cycle"
# Readers ignore the phase bit: a reader behind a write phase that ends in a
# pending phase keeps waiting, and the claimer of that phase waits for it.
check broken_nophase.deadlock fail nophase_safety destlock_broken_nophase.pml \
	"$BASE -DPOLICY=3 -DNO_LTL" "-DSAFETY" "" "invalid end state"
check broken_nophase.acquire_0 fail nophase_ltl destlock_broken_nophase.pml \
	"$LIVE -DPOLICY=3" "" "-a -f -N acquire_0" "acceptance cycle"
# A free-lock claim counts the readers and sets PRES in two steps: a reader
# slips in between, uncounted and unstopped.
check broken_splitrmw.mutex fail splitrmw_safety destlock_broken_splitrmw.pml \
	"$BASE -DPOLICY=3 -DNO_LTL" "-DSAFETY" "" "assertion violated"
# The pending phase's reader count is stored after the CAS that installs
# it: a claimer reads a stale count and either enters while a reader holds
# or waits for a count rout never takes (spin usually finds the latter).
check broken_latehandoff fail latehandoff_safety destlock_broken_latehandoff.pml \
	"$BASE -DPOLICY=3 -DNO_LTL" "-DSAFETY" "" 'invalid end state\|assertion violated'

# Barging writers ignore STARV: the head writer can be passed forever.
# (Without the STARV assertion, which would stop the search first.)
check broken_nostarv.acquire_1 fail nostarv_ltl destlock_broken_nostarv.pml \
	"$LIVE -DPOLICY=1 -DSTARV_ASSERT=0" "" "-a -f -N acquire_1" "acceptance cycle"
# The same bug under the hybrid policy, with a head that never times out:
# a barging writer takes the write phase that a releaser reserved for the
# head when it let waiting readers in (the assertion that no one but the
# head claims while STARV is set).
check broken_nostarv.reserved fail nostarv_safety destlock_broken_nostarv.pml \
	"$BASE -DPOLICY=2 -DTIMER=2 -DNO_LTL" "-DSAFETY" "" "assertion violated"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
