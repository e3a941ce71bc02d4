/*
 * Promela model of the per-destination lock word, core/destlock.[ch]:
 * a phase-fair reader/writer lock whose writers claim ownership with a CAS
 * on the reader word (FREE or PENDING -> owned), queue in ticket order when
 * they cannot, and may barge ahead of the queue (barging and hybrid policies)
 * until the head writer has waited too long or (hybrid) a releaser reserved
 * the phase for it; waiters spin and then sleep on a futex,
 * with a `sleepers` word that lets a releaser skip the wake system call.
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
 *   KW         modulus of the writer tickets, >= NW (default 2)
 *   POLICY     0: phase-fair (writers always queue), 1: barging, 2: hybrid
 *              (barging, and a releaser that lets waiting readers in
 *              reserves the next write phase for the head), 3: each
 *              write_lock and write_unlock picks any (the policy may change
 *              at any time); default 3
 *   TIMER      how the head writer's barging bound expires.  0 (safety
 *              runs): at any moment, or never; 1 (liveness runs): at any
 *              moment, and at the latest once KB writers have barged past
 *              it (real time passes while they do), which is what the
 *              bound promises
 *              2 (the two-reader safety run, phase-fair policy, and the
 *              hybrid check of BROKEN_NOSTARV): never, and the head sleeps
 *              without a timeout.  With no barging writers STARV changes no
 *              one's choices, and a timed wake-up only repeats the head's
 *              wait, so dropping both loses no state that matters to mutual
 *              exclusion
 *   KB         see TIMER (default 1)
 *   ALLOW_STOP 1 (default): a thread may stop for good between two critical
 *              sections (a thread that goes away; no one else's wake-up may
 *              depend on it)
 *   SPURIOUS   1: a futex sleeper may also return without a wake (signals);
 *              for safety runs only, since under weak fairness it would hide
 *              every lost wake-up
 *   NO_LTL     leave out the ltl blocks (safety and non-progress runs)
 *   STARV_ASSERT 1 (default): assert that no writer but the head claims
 *              while STARV is set; 0 leaves the assertion out (the liveness
 *              check of BROKEN_NOSTARV, which is to show the starvation
 *              itself)
 *
 * Deliberately broken variants, each of which check.sh expects spin to
 * reject (destlock_broken_*.pml define one and include this file):
 *   BROKEN_NOWAKE    releasers read `sleepers` before their RMW on the word
 *                    and decide on the wake from that stale value: a waiter
 *                    that goes to sleep in between is never woken
 *   BROKEN_NOPHASE   readers wait for the writer-present bit to clear rather
 *                    than for the writer bits to change (the phase bit is
 *                    ignored): a pending phase keeps the bit set, and its
 *                    claimer waits for the reader
 *   BROKEN_SPLITRMW  a writer claiming a free lock reads the reader count
 *                    with a plain load and sets PRES with a separate RMW: a
 *                    reader that arrives in between is neither counted nor
 *                    stopped
 *   BROKEN_LATEHANDOFF the releaser stores `handoff` after the CAS that
 *                    installs the pending phase: a claimer can read the
 *                    previous value and wait for too few readers
 *   BROKEN_NOSTARV   barging writers ignore STARV: the head writer can be
 *                    passed forever, and (hybrid) a barger takes the phase
 *                    reserved for the head
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
#ifndef POLICY
#define POLICY 3
#endif
#ifndef TIMER
#define TIMER 0
#endif
#ifndef KB
#define KB 1
#endif
#ifndef ALLOW_STOP
#define ALLOW_STOP 1
#endif
#ifndef SPURIOUS
#define SPURIOUS 0
#endif
#ifndef STARV_ASSERT
#define STARV_ASSERT 1
#endif

#define NP (NR + NW)

/*
 * The words.  The C code keeps 32-bit words; the model keeps them modulo a
 * small power of two, with the reader increment scaled by the same factor:
 *   rin   = arrivals * RINC | STARV | PEND | PRES | PHID
 *                                          C: RINC = 0x100, mod 2^32
 *                                          model: RINC = 16, mod 16*KR
 *   rout  = departures * RINC              same scaling as rin
 *   win, wout                               C: mod 2^16, the two halves
 *                                          of one word, tickets; model:
 *                                          mod KW, two variables
 * The four low bits of rin and their meaning are exactly the C ones.  Bits
 * 4..7 of the C word are always zero, so dropping them changes nothing.
 * Why small moduli are enough is argued in README.md.
 */
#define RINC  16
#define RMOD  (16 * KR)
#define LOW   15
#define WBITS 3
#define PHID  1
#define PRES  2
#define PEND  4
#define STARV 8

byte rin;          /* reader arrivals * RINC | low bits */
byte rout;         /* reader departures * RINC */
byte win;          /* writer tickets taken, mod KW */
byte wout;         /* ticket of the head writer, mod KW */
byte handoff;      /* reader arrivals when a pending phase was installed */
/* sleepers: C keeps three 21-bit counts in a bucket of a table shared by
 * the locks whose addresses hash to it; every test reads one of them, so
 * three variables are exact for a lock alone in its bucket.  Other locks'
 * sleepers only raise a count: the wakes that adds find nobody or are
 * spurious futex returns, which safety_spurious has. */
byte sleeprin;     /* sleepers on rin */
byte sleepwout;    /* sleepers on wout */
byte sleepout;     /* sleepers on rout */

/* The futex: which word each thread is queued on in the kernel, or 0.
 * W_RINT is rin with a timeout (the head writer before its bound). */
#define W_NONE 0
#define W_RIN  1
#define W_ROUT 2
#define W_WOUT 3
#define W_RINT 4
byte asleep[NP];
byte sleepticket[NP]; /* a queued writer's ticket: its futex bitset */

/* Ghost state for the properties (no C counterpart). */
#define IDLE 0     /* outside the lock */
#define TRY  1     /* in read_lock / write_lock */
#define CS   2     /* holding the lock */
#define REL  3     /* in read_unlock / write_unlock */
byte st[NP];
byte nreaders;     /* readers holding the lock */
byte nwriters;     /* writers owning the lock (claimed, not yet released) */
byte nwcs;         /* writers holding it (past the wait for readers) */
byte nbarge;       /* barging claims since the current head became head,
                      saturating at KB */

/*
 * futex_wake(word, bits): one system call, atomic with respect to the queue.
 * The wake on wout carries the new head's ticket bit (C: 1 << (t & 31)); the
 * queued writers have distinct tickets mod 32 in C and mod KW here (KW >= NW),
 * so exactly the waiter with that ticket is dequeued.  A wake on rin also
 * dequeues timed sleepers on rin.
 */
#define FUTEX_WAKE(WID, WID2, TCK)                                      \
	d_step {                                                        \
		i = 0;                                                  \
		do                                                      \
		:: i < NP ->                                            \
			if                                              \
			:: (asleep[i] == WID || asleep[i] == WID2) &&   \
			   (WID != W_WOUT || sleepticket[i] == TCK) ->  \
				asleep[i] = W_NONE                      \
			:: else -> skip                                 \
			fi;                                             \
			i++                                             \
		:: else -> break                                        \
		od;                                                     \
		i = 0                                                   \
	}

/*
 * wake_if_sleepers(l, word, mask, bits), called right after the releaser's
 * seq_cst RMW on the word (or its RMW and a seq_cst fence): a load of
 * sleepers, then (if the count for that word is non-zero) the wake.  Two
 * steps.  BROKEN_NOWAKE instead loads sleepers into `sl` before the RMW (see
 * RELEASE_PRE) and tests that stale value here.
 */
#ifdef BROKEN_NOWAKE
#define RELEASE_PRE(CNT)   sl = CNT;
#define SLEEPERS_SEEN(CNT) (sl != 0)
#else
#define RELEASE_PRE(CNT)
#define SLEEPERS_SEEN(CNT) (CNT != 0)
#endif
#define WAKE_IF_SLEEPERS(CNT, WID, WID2, TCK)                           \
	if                                                              \
	:: SLEEPERS_SEEN(CNT) -> sl = 0; FUTEX_WAKE(WID, WID2, TCK)     \
	:: else -> sl = 0                                               \
	fi

/*
 * futex_wait(word, v): the kernel compares *word with v and queues the
 * thread in one step (atomically with respect to wakes on that word); a
 * mismatch returns at once (EAGAIN).  The test !DONE(v) that precedes the
 * call in the C code reads only the local v, so it is merged into the step.
 * A queued thread runs again only once a wake (or, with SPURIOUS, a signal,
 * or for W_RINT the timeout, see HEAD_TIMEOUT) has dequeued it.  Its return
 * is merged with the following decrement of sleepers.
 */
#if SPURIOUS
#define FUTEX_RETURN                                                    \
	if                                                              \
	:: asleep[_pid] == W_NONE -> skip                               \
	:: asleep[_pid] != W_NONE -> asleep[_pid] = W_NONE              \
	fi
#else
#define FUTEX_RETURN                                                    \
	if                                                              \
	:: asleep[_pid] == W_NONE -> skip                               \
	:: asleep[_pid] == W_RINT && HEAD_TIMEOUT -> asleep[_pid] = W_NONE \
	fi
#endif

/* The head's bound may expire now (TIMER above); with TIMER 1 it must
 * once KB writers have barged past it, so the head may no longer go back to
 * sleep (untimed choices would otherwise let it wait forever). */
#if TIMER == 2
#define HEAD_TIMEOUT  false
#define TIMER_FORCED  false
#elif TIMER
#define HEAD_TIMEOUT  (nbarge >= KB)
#define TIMER_FORCED  (!starving && nbarge >= KB)
#else
#define HEAD_TIMEOUT  true
#define TIMER_FORCED  false
#endif

/*
 * wait_on(l, word, done, arg, 0, inc, bits), and the test that the C callers
 * make before calling it.  That test and every iteration of the bounded spin
 * and yield phases are loads of the word followed by done(); a failed one changes
 * nothing and a successful one is the same step as the first load of the
 * sleep loop, so the model keeps only the sleep loop (README.md).
 *
 *   for (;;) {
 *       if (done(ld_acquire(word), arg)) return true;          step 1
 *       fetch_add_seq_cst(&l->sleepers, inc);                  step 2
 *       v = atomic_load(word);                                 step 3
 *       if (!done(v, arg)) futex_wait(word, v, 0, bits);       step 4
 *       fetch_sub_seq_cst(&l->sleepers, inc);                  step 5
 *   }
 *
 * DONE is the name of a macro of one argument (the value read); THEN is
 * ghost bookkeeping done in the same step as the successful load.
 */
#define WAIT_ON(WORD, WID, CNT, DONE, THEN)                             \
	do                                                              \
	:: atomic { DONE(WORD) -> THEN }; break                         \
	:: else ->                                                      \
		CNT++;                                                  \
		v = WORD;                                               \
		atomic {                                                \
			if                                              \
			:: !DONE(v) && WORD == v -> asleep[_pid] = WID  \
			:: else -> skip                                 \
			fi                                              \
		};                                                      \
		atomic { FUTEX_RETURN; CNT--; v = 0 }                   \
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
/* claimable(): FREE or PENDING. */
#define CLAIMABLE(x)     (((x) & PRES) == 0 || ((x) & PEND) != 0)

#if ALLOW_STOP
#define MAY_STOP  :: break
#else
#define MAY_STOP
#endif

/*
 * HANDOFF_NOTE.  `handoff` is also what a departing reader compares its
 * departure count with, to wake the owner only for the last counted reader.
 * The model keeps it equal to the owner's reader count from the claim to
 * the owner's entry, and 0 otherwise (until a release installs a pending
 * phase).  The C code stores the count after the claim, just before the
 * owner counts itself in sleepers, and leaves stale values elsewhere.  The
 * difference is never seen where it matters: a reader consults handoff only
 * after seeing the owner's sleepers count, which the owner adds after its
 * store; from the claim until then, and from the entry on, nobody sleeps on
 * rout, so a value read there can only add or drop a wake of nobody, or a
 * spurious wake of a later owner (which re-checks; safety_spurious covers
 * those, and dropping a wake can only make the liveness checks harder).
 * Merging keeps the state count near the old model's.
 */

/* Ghost: the lock call has succeeded; check mutual exclusion. */
#define READER_ENTERS                                                   \
	assert(nwcs == 0);                                              \
	nreaders++;                                                     \
	st[_pid] = CS;                                                  \
	w = 0
#define WRITER_ENTERS                                                   \
	assert(nwriters == 1 && nwcs == 0 && nreaders == 0);            \
	nwcs++;                                                         \
	st[_pid] = CS;                                                  \
	handoff = 0;                                                    \
	ticket = 0;                                                     \
	rticket = 0

/*
 * try_claim(l, head, &rticket): the CAS loop on rin.  Its failed CAS
 * iterations change nothing (stutter); the successful CAS, or the load that
 * makes it return false, is one step.  The relaxed load of handoff that
 * follows a PENDING claim is merged into it: only an owner stores handoff,
 * and the owner is this thread from the CAS on.  HEAD is 1 for the head of
 * the queue (ignores and clears STARV), 0 for a barging writer.
 */
/* Nobody but the head claims while STARV is set (STARV_ASSERT). */
#if STARV_ASSERT
#define CHECK_STARV_OBEYED(HEAD)  assert(HEAD || (rin & STARV) == 0)
#else
#define CHECK_STARV_OBEYED(HEAD)  skip
#endif
#ifdef BROKEN_NOSTARV
#define MAY_CLAIM(HEAD)  true
#else
#define MAY_CLAIM(HEAD)  (HEAD || (rin & STARV) == 0)
#endif
#ifdef BROKEN_SPLITRMW
/* Broken: a FREE claim counts the readers with a load, then sets PRES
 * with a separate RMW (CLAIM_FREE_2 below). */
#define CLAIM_FREE(HEAD)                                                \
	rticket = rin & ~LOW; v = 2
#else
#define CLAIM_FREE(HEAD)                                                \
	rticket = rin & ~LOW;                                           \
	handoff = rticket;                                              \
	rin = (rin ^ PHID) | PRES;                                      \
	if :: HEAD -> rin = rin & ~STARV :: else -> skip fi;            \
	nwriters++; v = 1
#endif
#define TRY_CLAIM(HEAD)                                                 \
	atomic {                                                        \
		if                                                      \
		:: MAY_CLAIM(HEAD) && (rin & PRES) == 0 ->              \
			assert(nwriters == 0);                          \
			CHECK_STARV_OBEYED(HEAD);                       \
			CLAIM_FREE(HEAD)                                \
		:: MAY_CLAIM(HEAD) && (rin & PRES) != 0 && (rin & PEND) != 0 -> \
			assert(nwriters == 0);                          \
			CHECK_STARV_OBEYED(HEAD);                       \
			rticket = handoff;                              \
			rin = rin & ~PEND;                              \
			if :: HEAD -> rin = rin & ~STARV :: else -> skip fi; \
			nwriters++; v = 1                               \
		:: else -> v = 0                                        \
		fi;                                                     \
		if                                                      \
		:: TIMER == 1 && v == 1 && !HEAD && nbarge < KB -> nbarge++ \
		:: else -> skip                                         \
		fi                                                      \
	};                                                              \
	if                                                              \
	:: v == 2 ->                                                    \
		atomic {                                                \
			handoff = rticket;                              \
			rin = (rin ^ PHID) | PRES;                      \
			if :: HEAD -> rin = rin & ~STARV :: else -> skip fi; \
			nwriters++; v = 1                               \
		}                                                       \
	:: else -> skip                                                 \
	fi

/*
 * The hybrid policy's reservation, in write_unlock's install CAS: when
 * readers wait for the ending write phase (arrivals beyond departures; the
 * owner's relaxed load of rout before the CAS loop is merged into the step,
 * since rout cannot move while it owns the lock), the next write phase gets
 * STARV: only the head may claim it.
 */
#define RESERVE  (reserve && (rin & ~LOW) != rout -> STARV : 0)

/* try_claim(l, true, ..) succeeding: the head ignores and clears STARV. */
#define TRY_CLAIM_HEAD                                                  \
	atomic {                                                        \
		CLAIMABLE(rin) ->                                       \
		assert(nwriters == 0);                                  \
		if                                                      \
		:: (rin & PRES) == 0 ->                                 \
			rticket = rin & ~LOW;                           \
			handoff = rticket;                              \
			rin = ((rin ^ PHID) | PRES) & ~STARV            \
		:: else ->                                              \
			rticket = handoff;                              \
			rin = rin & ~(PEND | STARV)                     \
		fi;                                                     \
		nwriters++                                              \
	}

active [NR] proctype reader()
{
	byte w;        /* writer bits seen at arrival */
	byte v;        /* value read in wait_on */
	byte i;        /* scratch of FUTEX_WAKE */
	byte sl;       /* BROKEN_NOWAKE's early read of sleepers */

	do
	::
		/* read_lock: w = fetch_add_acq_rel(&l->rin, RINC) & WBITS;
		 *            if (likely(!(w & PRES))) return; */
		atomic {
			st[_pid] = TRY;
			w = rin & WBITS;
			rin = (rin + RINC) % RMOD;
			if
			:: (w & PRES) == 0 -> READER_ENTERS; goto reading
			:: else -> skip
			fi
		};
		/* wait_on(l, &l->rin, writer_bits_changed, w, 0, ...); */
		WAIT_ON(rin, W_RIN, sleeprin, READER_DONE, READER_ENTERS);
reading:
progress:
		/* read_unlock: out = fetch_add_seq_cst(&l->rout, RINC) + RINC;
		 *   if ((atomic_load(&l->sleepers) & SLEEP_ROUT_MASK) &&
		 *       atomic_load(&l->handoff) == out) futex_wake(&l->rout, ..);
		 * Two steps after the RMW: the loads (merged, README.md) and the
		 * wake. */
		RELEASE_PRE(sleepout)
		atomic {
			nreaders--;
			st[_pid] = IDLE;
			rout = (rout + RINC) % RMOD;
			v = rout
		};
		if
		:: atomic { SLEEPERS_SEEN(sleepout) && handoff == v -> sl = 0; v = 0 };
			FUTEX_WAKE(W_ROUT, W_ROUT, 0)
		:: else -> sl = 0; v = 0
		fi
	MAY_STOP
	od
}

active [NW] proctype writer()
{
	byte ticket;   /* this writer's ticket */
	byte rticket;  /* readers to wait for (arrivals * RINC) */
	byte v;
	byte i;
	byte sl;
	bit barging;   /* the policy this write_lock read */
	bit starving;  /* as head, the bound has expired (deadline = 0) */
	bit reserve;   /* write_unlock read the hybrid policy */

	do
	::
		/* write_lock: barging = destlock_policy() == DESTLOCK_BARGING; */
		atomic {
			st[_pid] = TRY;
			if
			:: POLICY != 0 -> barging = 1
			:: POLICY == 0 || POLICY == 3 -> barging = 0
			fi
		};
		/* if (!barging || !try_claim(l, false, &rticket)) { */
		v = 0;
		if
		:: barging -> TRY_CLAIM(0)
		:: else -> skip
		fi;
		barging = 0; /* not read again: the head's bound runs anyway */
		if
		:: v == 1 -> v = 0; goto owned
		:: else -> skip
		fi;
		/* ticket = fetch_add_acq_rel(&l->tickets, WIN_ONE) >> 16; */
		atomic {
			ticket = win;
			win = (win + 1) % KW;
			sleepticket[_pid] = ticket /* its futex bitset, below */
		};
		/* if (wout of ld_acquire(&l->tickets) != ticket)
		 *     wait_on(l, &l->tickets, ...);
		 * C's futex_wait compares the whole word, win too: a ticket
		 * taken meanwhile makes it return at once, a spurious return
		 * (safety_spurious), after which the waiter re-checks. */
		WAIT_ON(wout, W_WOUT, sleepwout, TICKET_DONE, nbarge = 0; sleepticket[_pid] = 0);
		/* head_claim: deadline = now + bound;
		 * while (!try_claim(l, true, &rticket)) {
		 *     if (!wait_on(l, &l->rin, claimable, 0, deadline, ...)) {
		 *         set_starving(l); deadline = 0; } } */
		/* Each iteration's successful try_claim is merged with the load
		 * of wait_on that saw the lock claimable: if another writer
		 * claims in between, the head's CAS fails and it waits again,
		 * which is the interleaving where that claim came first. */
		do
		:: TRY_CLAIM_HEAD; break
		/* the deadline passed: set_starving is one successful CAS */
		:: atomic { !starving && !CLAIMABLE(rin) && HEAD_TIMEOUT ->
				rin = rin | STARV; starving = 1 }
		:: atomic { !CLAIMABLE(rin) && !TIMER_FORCED -> sleeprin++ };
			v = rin;
			atomic {
				if
				:: !CLAIMABLE(v) && rin == v ->
					if
					:: !starving && TIMER != 2 -> asleep[_pid] = W_RINT
					:: else -> asleep[_pid] = W_RIN
					fi
				:: else -> skip
				fi
			};
			atomic { FUTEX_RETURN; sleeprin--; v = 0 }
		od;
		ticket = 0;
		starving = 0;
claimed:
		/* wout + 1 (a seq_cst CAS on tickets that keeps win);
		 * wake_if_sleepers(l, &l->tickets, SLEEP_WOUT_MASK, ticket_bit(head)); */
		RELEASE_PRE(sleepwout)
		atomic { wout = (wout + 1) % KW; v = wout };
		WAKE_IF_SLEEPERS(sleepwout, W_WOUT, W_WOUT, v);
		v = 0;
owned:
		/* if (ld_acquire(&l->rout) != rticket) {
		 *     atomic_store(&l->handoff, rticket);
		 *     wait_on(l, &l->rout, ...); }
		 * The store tells the departing readers which departure is the
		 * one to wake us; it is merged into the claim (HANDOFF_NOTE). */
		WAIT_ON(rout, W_ROUT, sleepout, RTICKET_DONE, WRITER_ENTERS);
progress:
		/* write_unlock: tickets = atomic_load(&l->tickets);
		 * if (tickets >> 16 != (tickets & WOUT_MASK)) (one load in C too) */
		atomic {
			st[_pid] = REL;
			v = (win != wout);
			/* reserve = destlock_policy() == DESTLOCK_HYBRID */
			if
			:: POLICY == 2 || POLICY == 3 -> reserve = 1
			:: POLICY != 2 -> reserve = 0
			fi
		};
		RELEASE_PRE(sleeprin)
		if
		:: v ->
			/* v = ld_relaxed(&l->rin);
			 * do st_relaxed(&l->handoff, v & ~LOWBITS);
			 * while (!cas_acq_rel(&l->rin, &v, (v ^ PHID) | PEND));
			 * The load (or failed CAS) and the store are merged: no
			 * one reads handoff while we own the lock. */
#ifdef BROKEN_LATEHANDOFF
			atomic {
				rticket = rin & ~LOW;
				rin = (rin ^ PHID) | PEND | RESERVE;
				nwriters--; nwcs--
			};
			handoff = rticket;
#else
			/* The store and the successful CAS are merged: a failed
			 * CAS (a reader arrived) only repeats the store, and no one
			 * reads handoff while we own the lock. */
			atomic {
				handoff = rin & ~LOW;
				rin = (rin ^ PHID) | PEND | RESERVE;
				nwriters--; nwcs--
			};
#endif
			rticket = 0;
			reserve = 0
		:: else ->
			reserve = 0;
			/* fetch_and_seq_cst(&l->rin, ~PRES); */
			atomic {
				rin = rin & ~PRES;
				nwriters--; nwcs--
			}
		fi;
		v = 0;
		/* wake_if_sleepers(l, &l->rin, SLEEP_QUEUE_MASK, ANY_BIT); */
		WAKE_IF_SLEEPERS(sleeprin, W_RIN, W_RINT, 0);
		st[_pid] = IDLE
	MAY_STOP
	od
}

/*
 * Liveness.  Readers have the pids 0 .. NR-1, writers NR .. NR+NW-1.
 *   acquire_P: whenever thread P is in read_lock/write_lock, it eventually
 *              holds the lock (no starvation, no deadlock involving P);
 *   woken_P:   whenever thread P is queued on a futex without a timeout,
 *              it is eventually dequeued (no lost wake-up).
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
