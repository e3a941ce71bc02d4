/*
 * Promela model of the per-destination lock word, core/destlock.[ch]:
 * a ticket-based phase-fair reader/writer lock (Brandenburg & Anderson's
 * PF-T) whose waiters spin and then sleep on a futex, with a `sleepers`
 * counter that lets a releaser skip the wake system call.
 *
 * Check it with tests/model/check.sh; README.md beside this file explains
 * the abstraction and the properties.  Every step of a process below is one
 * atomic memory operation of the C code (or one futex system call), possibly
 * merged with purely thread-local work; the comments name the C line each
 * step stands for.
 *
 * Parameters (the C preprocessor runs before spin parses; pass -DNAME=value
 * to spin -a):
 *   NR, NW     number of reader and writer threads (default 2 and 2)
 *   KR         modulus of the reader counts, > NR (default 4)
 *   KW         modulus of the writer tickets, even and >= NW (default 2)
 *   ALLOW_STOP 1 (default): a thread may stop for good between two critical
 *              sections (a thread that goes away; no one else's wake-up may
 *              depend on it)
 *   SPURIOUS   1: a futex sleeper may also return without a wake (signals);
 *              for safety runs only, since under weak fairness it would hide
 *              every lost wake-up
 *   NO_LTL     leave out the ltl blocks (safety and non-progress runs)
 *
 * Deliberately broken variants, each of which check.sh expects spin to
 * reject (destlock_broken_*.pml define one and include this file):
 *   BROKEN_NOWAKE    releasers read `sleepers` before their RMW on the word
 *                    and decide on the wake from that stale value: a waiter
 *                    that goes to sleep in between is never woken
 *   BROKEN_NOPHASE   readers wait for the writer-present bit to clear rather
 *                    than for the writer bits to change (the phase bit is
 *                    ignored): a reader that misses one writer's release
 *                    waits for the next writer, which waits for the reader
 *   BROKEN_SPLITRMW  the writer reads the reader count with a plain load and
 *                    announces itself with a separate RMW: a reader that
 *                    arrives in between is neither counted nor stopped
 */

#ifndef NR
#define NR 2
#endif
#ifndef NW
#define NW 2
#endif
#ifndef KR
#define KR 4
#endif
#ifndef KW
#define KW 2
#endif
#ifndef ALLOW_STOP
#define ALLOW_STOP 1
#endif
#ifndef SPURIOUS
#define SPURIOUS 0
#endif

#define NP (NR + NW)

/*
 * The words.  The C code keeps 32-bit words; the model keeps them modulo a
 * small power of two, with the increments scaled by the same factor:
 *   rin   = arrivals * RINC | PRES | PHID   C: RINC = 0x100, mod 2^32
 *                                          model: RINC = 4, mod 4*KR
 *   rout  = departures * RINC              same scaling as rin
 *   win, wout                               C: mod 2^32, model: mod KW
 * The two low bits of rin and their meaning are exactly the C ones.  Bits
 * 2..7 of the C word are always zero, so dropping them changes nothing.
 * Why small moduli are enough is argued in README.md: every equality the
 * code tests (and the futex's own compare) relates two values of one
 * counter that differ by less than the modulus, so equality modulo KR or KW
 * is exact equality; KW is even, so the phase bit (ticket & 1) is exact too.
 */
#define RINC  4
#define RMOD  (4 * KR)
#define WBITS 3
#define PRES  2
#define PHID  1

byte rin;          /* reader arrivals * RINC | writer bits */
byte rout;         /* reader departures * RINC */
byte win;          /* writer tickets taken, mod KW */
byte wout;         /* writer tickets served, mod KW */
byte sleepers;     /* threads between the increment and the decrement */

/* The futex: which word each thread is queued on in the kernel, or 0. */
#define W_NONE 0
#define W_RIN  1
#define W_ROUT 2
#define W_WOUT 3
byte asleep[NP];

/* Ghost state for the properties (no C counterpart). */
#define IDLE 0     /* outside the lock */
#define TRY  1     /* in read_lock / write_lock */
#define CS   2     /* holding the lock */
#define REL  3     /* in read_unlock / write_unlock */
byte st[NP];
byte handoff;      /* reader arrivals when a phase was handed over */
byte nreaders;     /* readers holding the lock */
byte nwriters;     /* writers holding the lock */

/*
 * futex_wake_all(word): one system call, atomic with respect to the queue.
 */
#define FUTEX_WAKE_ALL(WID)                                             \
	d_step {                                                        \
		i = 0;                                                  \
		do                                                      \
		:: i < NP ->                                            \
			if                                              \
			:: asleep[i] == WID -> asleep[i] = W_NONE       \
			:: else -> skip                                 \
			fi;                                             \
			i++                                             \
		:: else -> break                                        \
		od;                                                     \
		i = 0                                                   \
	}

/*
 * wake_if_sleepers(l, word), called right after the releaser's seq_cst RMW
 * on the word: a load of sleepers, then (if non-zero) the wake.  Two steps.
 * The broken variant BROKEN_NOWAKE instead loads sleepers into `sl` before
 * the RMW (see RELEASE_PRE) and tests that stale value here.
 */
#ifdef BROKEN_NOWAKE
#define RELEASE_PRE   sl = sleepers;
#define WAKE_IF_SLEEPERS(WID)                                           \
	if                                                              \
	:: sl != 0 -> sl = 0; FUTEX_WAKE_ALL(WID)                       \
	:: else -> skip                                                 \
	fi
#else
#define RELEASE_PRE
#define WAKE_IF_SLEEPERS(WID)                                           \
	if                                                              \
	:: sleepers != 0 -> FUTEX_WAKE_ALL(WID)                         \
	:: else -> skip                                                 \
	fi
#endif

/*
 * futex_wait(word, v): the kernel compares *word with v and queues the
 * thread in one step (atomically with respect to wakes on that word); a
 * mismatch returns at once (EAGAIN).  The test !DONE(v) that precedes the
 * call in the C code reads only the local v, so it is merged into the step.
 * A queued thread runs again only once a wake (or, with SPURIOUS, a signal)
 * has dequeued it.  Its return is merged with the following decrement of
 * sleepers (the return itself touches no shared word).
 */
#if SPURIOUS
#define FUTEX_RETURN                                                    \
	if                                                              \
	:: asleep[_pid] == W_NONE -> skip                               \
	:: asleep[_pid] != W_NONE -> asleep[_pid] = W_NONE              \
	fi
#else
#define FUTEX_RETURN  (asleep[_pid] == W_NONE)
#endif

/*
 * wait_on(l, word, done, arg), and the test that the C callers make before
 * calling it.  That test and every iteration of the bounded spin phase are
 * loads of the word followed by done(); a failed one changes nothing and a
 * successful one is the same step as the first load of the sleep loop, so
 * the model keeps only the sleep loop (the rest is stuttering, README.md).
 *
 *   for (;;) {
 *       v = ld_acquire(word); if (done(v, arg)) return v;     step 1
 *       fetch_add_seq_cst(&l->sleepers, 1);                    step 2
 *       v = atomic_load(word);                                 step 3
 *       if (!done(v, arg)) futex_wait(word, v);                step 4
 *       fetch_sub_seq_cst(&l->sleepers, 1);                    step 5
 *   }
 *
 * DONE is the name of a macro of one argument (the value read); THEN is
 * ghost bookkeeping done in the same step as the successful load (entering
 * the critical section, when that load ends the lock call).
 */
#define WAIT_ON(WORD, WID, DONE, THEN)                                  \
	do                                                              \
	:: atomic { DONE(WORD) -> THEN }; break                         \
	:: else ->                                                      \
		sleepers++;                                             \
		v = WORD;                                               \
		atomic {                                                \
			if                                              \
			:: !DONE(v) && WORD == v -> asleep[_pid] = WID  \
			:: else -> skip                                 \
			fi                                              \
		};                                                      \
		atomic { FUTEX_RETURN; sleepers--; v = 0 }              \
	od

/* done() of the readers: the writer bits differ from those seen at arrival. */
#ifdef BROKEN_NOPHASE
#define READER_DONE(x)   (((x) & PRES) == 0)
#else
#define READER_DONE(x)   (((x) & WBITS) != w)
#endif
/* done() of the writers: a counter reached the wanted value. */
#define TICKET_DONE(x)   ((x) == ticket)
#define RTICKET_DONE(x)  ((x) == rticket)

#if ALLOW_STOP
#define MAY_STOP  :: break
#else
#define MAY_STOP
#endif

/* Ghost: the lock call has succeeded; check mutual exclusion. */
#define READER_ENTERS                                                   \
	assert(nwriters == 0);                                          \
	nreaders++;                                                     \
	st[_pid] = CS;                                                  \
	w = 0
#define WRITER_ENTERS                                                   \
	assert(nwriters == 0 && nreaders == 0);                         \
	nwriters++;                                                     \
	st[_pid] = CS;                                                  \
	ticket = 0;                                                     \
	rticket = 0;                                                    \
	w = 0

active [NR] proctype reader()
{
	byte w;        /* writer bits seen at arrival */
	byte v;        /* value read in wait_on */
	byte i;        /* scratch of FUTEX_WAKE_ALL */
	byte sl;       /* BROKEN_NOWAKE's early read of sleepers */

	do
	::
		/* read_lock: w = fetch_add_acq_rel(&l->rin, RINC) & WBITS;
		 *            if (likely(w == 0)) return; */
		atomic {
			st[_pid] = TRY;
			w = rin & WBITS;
			rin = (rin + RINC) % RMOD;
			if
			:: w == 0 -> READER_ENTERS; goto reading
			:: else -> skip
			fi
		};
		/* wait_on(l, &l->rin, writer_bits_changed, w); */
		WAIT_ON(rin, W_RIN, READER_DONE, READER_ENTERS);
reading:
progress:
		/* read_unlock: fetch_add_seq_cst(&l->rout, RINC);
		 *              wake_if_sleepers(l, &l->rout); */
		RELEASE_PRE
		atomic {
			nreaders--;
			st[_pid] = IDLE;
			rout = (rout + RINC) % RMOD
		};
		WAKE_IF_SLEEPERS(W_ROUT)
	MAY_STOP
	od
}

active [NW] proctype writer()
{
	byte ticket;   /* this writer's ticket */
	byte rticket;  /* readers to wait for (arrivals * RINC) */
	byte w;        /* PRES | phase id */
	byte v;
	byte i;
	byte sl;

	do
	::
		/* write_lock: ticket = fetch_add_acq_rel(&l->win, 1); */
		atomic {
			st[_pid] = TRY;
			ticket = win;
			win = (win + 1) % KW
		};
		/* if (ld_acquire(&l->wout) != ticket)
		 *     wait_on(l, &l->wout, counter_equals, ticket); */
		WAIT_ON(wout, W_WOUT, TICKET_DONE, skip);
#ifdef BROKEN_SPLITRMW
		/* Broken: count the readers, then announce, in two steps. */
		atomic {
			w = PRES | (ticket & PHID);
			if
			:: (rin & WBITS) == w -> rticket = handoff; handoff = 0; v = 1
			:: else -> rticket = rin & ~WBITS; v = 0
			fi
		};
		if
		:: v == 1 -> v = 0
		:: else -> rin = (rin + w) % RMOD
		fi;
#else
		/* w = PRES | (ticket & PHID);
		 * if ((atomic_load(&l->rin) & WBITS) == w)
		 *         rticket = ld_relaxed(&l->handoff);
		 * else    rticket = fetch_add_seq_cst(&l->rin, w) & ~WBITS;
		 * Two steps: the load, then (if needed) the add.  Only the writer
		 * whose turn it is changes the writer bits, so they cannot change
		 * in between. */
		atomic {
			w = PRES | (ticket & PHID);
			if
			/* handoff = 0: the value is dead once read (the C
			 * code never reads it otherwise); resetting it keeps
			 * stale values out of the state space. */
			:: (rin & WBITS) == w -> rticket = handoff; handoff = 0; v = 1
			:: else -> assert((rin & WBITS) == 0); v = 0
			fi
		};
		if
		:: v == 1 -> v = 0
		:: else ->
			atomic {
				/* The bits are clear, so this add cannot carry
				 * into the reader count. */
				assert((rin & WBITS) == 0);
				rticket = rin & ~WBITS;
				rin = (rin + w) % RMOD
			}
		fi;
#endif
		/* if (ld_acquire(&l->rout) != rticket)
		 *     wait_on(l, &l->rout, counter_equals, rticket); */
		WAIT_ON(rout, W_ROUT, RTICKET_DONE, WRITER_ENTERS);
progress:
		/* write_unlock: t = wout; if (atomic_load(&l->win) != t + 1) {
		 *     old = fetch_add_seq_cst(&l->rin, next - cur);  (install the
		 *     queued writer's phase) handoff = old & ~WBITS;
		 * } else fetch_and_seq_cst(&l->rin, ~WBITS);
		 * wake_if_sleepers(l, &l->rin); */
		atomic {
			st[_pid] = REL;
			v = win
		};
		RELEASE_PRE
		if
		:: v != (wout + 1) % KW ->
			atomic {
				nwriters--;
				v = 0;
				rticket = rin & ~WBITS;
				rin = rticket | PRES | ((wout + 1) & PHID)
			};
			atomic { handoff = rticket; rticket = 0 }
		:: else ->
			atomic {
				nwriters--;
				v = 0;
				rin = rin & ~WBITS
			}
		fi;
		WAKE_IF_SLEEPERS(W_RIN);
		/* fetch_add_seq_cst(&l->wout, 1); wake_if_sleepers(l, &l->wout); */
		RELEASE_PRE
		atomic {
			st[_pid] = IDLE;
			wout = (wout + 1) % KW
		};
		WAKE_IF_SLEEPERS(W_WOUT)
	MAY_STOP
	od
}

/*
 * Liveness.  Readers have the pids 0 .. NR-1, writers NR .. NR+NW-1.
 *   acquire_P: whenever thread P is in read_lock/write_lock, it eventually
 *              holds the lock (no starvation, no deadlock involving P);
 *   woken_P:   whenever thread P is queued on a futex, it is eventually
 *              dequeued (no lost wake-up).
 * Checked one at a time with weak fairness (pan -a -f -N name).
 */
#ifndef NO_LTL
#define ACQUIRES(P)  [] ((st[P] == TRY) -> <> (st[P] == CS))
#define WOKEN(P)     [] ((asleep[P] != W_NONE) -> <> (asleep[P] == W_NONE))
ltl acquire_0 { ACQUIRES(0) }
ltl acquire_1 { ACQUIRES(1) }
ltl acquire_2 { ACQUIRES(2) }
ltl acquire_3 { ACQUIRES(3) }
ltl woken_0 { WOKEN(0) }
ltl woken_1 { WOKEN(1) }
ltl woken_2 { WOKEN(2) }
ltl woken_3 { WOKEN(3) }
#if NP > 4
ltl acquire_4 { ACQUIRES(4) }
ltl woken_4 { WOKEN(4) }
#endif
#if NP > 5
ltl acquire_5 { ACQUIRES(5) }
ltl woken_5 { WOKEN(5) }
#endif
#endif
