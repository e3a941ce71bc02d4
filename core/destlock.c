/*
 * Phase-fair reader/writer lock with futex sleeping and three writer
 * admission policies; see destlock.h for the protocol.
 *
 * Correctness argument, in short:
 * - Mutual exclusion between writers: a writer owns the lock only through a
 *   successful CAS on rin that finds it FREE (PRES clear) or PENDING and
 *   leaves it owned (PRES set, PEND clear); nobody else can claim until the
 *   owner's release clears PRES or installs PENDING.
 * - Writer vs readers: the claiming CAS either sets PRES (from FREE), or
 *   finds a PENDING phase whose PRES the previous owner kept set; either
 *   way every reader that arrived after the claim's reader count (the CAS's
 *   old value, or `handoff`) saw PRES and waits, and the writer waits for
 *   rout to reach that count.  Acquire/release pairs: a reader's departure
 *   (RMW on rout, seq_cst) pairs with the writer's acquire load of rout; the
 *   owner's release RMW on rin pairs with the acquire of the waiting
 *   readers' loads and of the next claimer's CAS, which therefore also sees
 *   the `handoff` stored before it.
 * - A reader waits for one write phase only: PHID flips with every write
 *   phase, and the bits cannot come back to the value it waits on while it
 *   waits, because the next write phase counted this reader and cannot end
 *   before it leaves.
 * - Progress: a PENDING phase is installed only while a writer is queued
 *   (win != wout, read while owning, when wout cannot move), and the head
 *   may always claim it.  In the phase-fair policy only the head claims, so
 *   writers are FIFO.  In the barging policy arriving writers may claim
 *   ahead of the head until the head sets STARV (after DESTLOCK_BARGE_BOUND_NS
 *   as head); then only the head can claim, and does at the next release.
 *   The hybrid policy barges too, and also sets STARV itself when it
 *   installs a pending phase that admits readers; that only narrows who
 *   may claim, and the head, which is queued (win != wout), still may.
 *   A waiting reader waits for one write phase, a writer for the writers
 *   ahead of it plus (barging, hybrid) one bound, plus the readers it
 *   counted.
 * - No lost wake-up: see destlock.h (Waiting).  A departing reader skips
 *   the wake unless its departure is the one the owner waits for: the owner
 *   stores that count in `handoff`, then adds itself to `sleepers`, then
 *   re-reads rout, all seq_cst; the reader's RMW on rout precedes its loads
 *   of sleepers and handoff.  If the owner's re-read misses the departure,
 *   the reader's loads come after the owner's store and increment, and
 *   nobody else stores `handoff` until the owner releases.
 * The protocol is model-checked in tests/model.
 */
#include <errno.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "destlock.h"
#include "futex.h"

#define RINC 0x100u   /* reader increment */
#define LOWBITS 0xffu /* everything below the reader count */
#define WBITS 0x3u    /* what readers wait on: writer present and phase id */
#define PHID 0x1u     /* phase id */
#define PRES 0x2u     /* a write phase is in place */
#define PEND 0x4u     /* ... but has no owner yet */
#define STARV 0x8u    /* the head writer insists: no barging */
#define SPIN_LIMIT 256
#define YIELD_NS 100000u /* how long a waiter yields before it sleeps */

static _Atomic int policy = DESTLOCK_BARGING;

void
destlock_set_policy(enum destlock_policy p)
{
	st_relaxed(&policy, (int)p);
}

enum destlock_policy
destlock_policy(void)
{
	return (enum destlock_policy)ld_relaxed(&policy);
}

/*
 * Who sleeps where.  The sleepers counts keep one count per word slept on,
 * so that a releaser makes the wake system call only when somebody may sleep
 * on the word it changed: a releasing writer not whenever a queued writer
 * sleeps on wout, a departing reader not whenever anybody sleeps.  Queued
 * writers sleep with the bit of their ticket, so that advancing wout wakes
 * the new head (and any writer 32 tickets behind it) rather than the whole
 * queue.  The counts live in a small shared table (a bucket per hash of the
 * lock's address, destlock.h), so a bucket also counts the sleepers of
 * other locks: a count is never below this lock's own, and the extra only
 * costs wake calls that wake nobody, or wake a waiter that re-checks.
 */
#define SLEEP_RIN 0x1ull                /* sleepers on rin (< 2^21 threads) */
#define SLEEP_WOUT 0x200000ull          /* sleepers on wout */
#define SLEEP_ROUT 0x40000000000ull     /* sleepers on rout (owners) */
#define SLEEP_RIN_MASK 0x1fffffull
#define SLEEP_WOUT_MASK 0x3ffffe00000ull
#define SLEEP_ROUT_MASK 0x7ffffc0000000000ull
#define SLEEP_BUCKET_BITS 6
#define ANY_BIT FUTEX_BITSET_MATCH_ANY

/* Bucket padded to a cache line: waiters counting themselves there do not
 * disturb the loads of releasers of other buckets. */
struct sleep_bucket {
	_Alignas(64) _Atomic uint64_t n;
};

static struct sleep_bucket sleep_table[1u << SLEEP_BUCKET_BITS];

static inline _Atomic uint64_t *
sleepers(const struct destlock *l)
{
	uint64_t h = ((uintptr_t)l >> 4) * 0x9e3779b97f4a7c15ull;

	return &sleep_table[h >> (64 - SLEEP_BUCKET_BITS)].n;
}

/* The tickets word: win in the high half, wout in the low half (mod 2^16,
 * so fewer than 65536 writers may queue on one lock). */
#define WIN_ONE 0x10000u
#define WOUT_MASK 0xffffu

static inline uint32_t
ticket_bit(uint32_t ticket)
{
	return 1u << (ticket & 31);
}

static inline void
wake_if_sleepers(struct destlock *l, _Atomic uint32_t *word, uint64_t mask, uint32_t bits)
{
	/* seq_cst: ordered after the caller's seq_cst RMW (or fence) on *word;
	 * pairs with the sleeper's increment before its reload. */
	if (atomic_load(sleepers(l)) & mask)
		futex_wake(word, bits);
}

/*
 * Wait until done(*word, arg) holds, or until the monotonic clock passes
 * deadline (0: no deadline).  Spin first, then sleep on the word, counted
 * in `sleepers` by `inc` and woken by a wake whose bitset meets `bits`.
 * Returns true when done (the last load was an acquire), false on the
 * deadline.
 */
static bool
wait_on(struct destlock *l, _Atomic uint32_t *word, bool (*done)(uint32_t, uint32_t),
	uint32_t arg, uint64_t deadline, uint64_t inc, uint32_t bits)
{
	uint32_t v;

	for (int i = 0; i < SPIN_LIMIT; i++) {
		if (done(ld_acquire(word), arg))
			return true;
		cpu_relax();
	}
	/* Then yield: still runnable, so no wake-up to wait for, and the
	 * scheduler keeps counting us when it balances CPUs (see destlock.h). */
	for (uint64_t until = mono_ns() + YIELD_NS;;) {
		sched_yield();
		if (done(ld_acquire(word), arg))
			return true;
		uint64_t now = mono_ns();

		if (now >= until || (deadline != 0 && now >= deadline))
			break;
	}
	for (;;) {
		if (done(ld_acquire(word), arg))
			return true;
		if (deadline != 0 && mono_ns() >= deadline)
			return false;
		fetch_add_seq_cst(sleepers(l), inc);
		v = atomic_load(word);
		if (!done(v, arg))
			futex_wait(word, v, deadline, bits);
		fetch_sub_seq_cst(sleepers(l), inc);
	}
}

static bool
writer_bits_changed(uint32_t rin, uint32_t w)
{
	return (rin & WBITS) != w;
}

static bool
counter_equals(uint32_t v, uint32_t want)
{
	return v == want;
}

/* The tickets word's wout is the waiter's ticket. */
static bool
ticket_is_head(uint32_t tickets, uint32_t ticket)
{
	return (tickets & WOUT_MASK) == ticket;
}

/* The head may claim: FREE, or a pending write phase. */
static bool
claimable(uint32_t rin, uint32_t unused)
{
	(void)unused;
	return !(rin & PRES) || (rin & PEND);
}

/*
 * Claim the lock: FREE -> owned (PRES set, PHID flipped: a new phase) or
 * PENDING -> owned.  The head always may (and clears STARV); anybody else
 * only while STARV is clear.  On success *rticket is the count of readers
 * the new owner must wait for.
 */
static bool
try_claim(struct destlock *l, bool head, uint32_t *rticket)
{
	uint32_t v = ld_relaxed(&l->rin), n;

	for (;;) {
		if (!head && (v & STARV))
			return false;
		if (!(v & PRES))
			n = (v ^ PHID) | PRES;
		else if (v & PEND)
			n = v & ~PEND;
		else
			return false;
		if (head)
			n &= ~STARV;
		/* Acquire: pairs with the previous owner's release RMW. */
		if (cas_acq_rel(&l->rin, &v, n))
			break;
	}
	/* A pending phase's readers were counted by its installer; ordered
	 * by the CAS, which read from (or after) the installing CAS. */
	*rticket = (v & PRES) ? ld_relaxed(&l->handoff) : (v & ~LOWBITS);
	return true;
}

/* The head of the queue (barging policy) has waited long enough. */
static void
set_starving(struct destlock *l)
{
	uint32_t v = ld_relaxed(&l->rin);

	while (!cas_acq_rel(&l->rin, &v, v | STARV))
		;
}

/*
 * Called by the writer whose ticket is wout: claim, then hand on the head.
 * The bound runs whatever the policy was when this writer arrived: the
 * policy may change while it waits, and barging writers must not pass a
 * head that would never insist.
 */
static uint32_t
head_claim(struct destlock *l)
{
	uint64_t deadline = mono_ns() + DESTLOCK_BARGE_BOUND_NS;
	uint32_t rticket;

	while (!try_claim(l, true, &rticket)) {
		if (!wait_on(l, &l->rin, claimable, 0, deadline, SLEEP_RIN, ANY_BIT)) {
			set_starving(l);
			deadline = 0;
		}
	}
	/* The next ticket is head now (pairs with the acquire of wout): wout
	 * + 1 in its half, without carrying into win. */
	uint32_t v = ld_relaxed(&l->tickets), n;

	do
		n = (v & ~WOUT_MASK) | ((v + 1) & WOUT_MASK);
	while (!atomic_compare_exchange_weak_explicit(&l->tickets, &v, n, memory_order_seq_cst,
						      memory_order_relaxed));
	wake_if_sleepers(l, &l->tickets, SLEEP_WOUT_MASK, ticket_bit(n & WOUT_MASK));
	return rticket;
}

void
destlock_init(struct destlock *l)
{
	atomic_init(&l->rin, 0);
	atomic_init(&l->rout, 0);
	atomic_init(&l->tickets, 0);
	atomic_init(&l->handoff, 0);
}

void
destlock_read_lock(struct destlock *l)
{
	uint32_t w = fetch_add_acq_rel(&l->rin, RINC) & WBITS;

	if (likely(!(w & PRES)))
		return;
	/* A write phase is in place: wait for it (only that one) to end. */
	wait_on(l, &l->rin, writer_bits_changed, w, 0, SLEEP_RIN, ANY_BIT);
}

void
destlock_read_unlock(struct destlock *l)
{
	/* Release: pairs with the writer's acquire load of rout. */
	uint32_t out = fetch_add_seq_cst(&l->rout, RINC) + RINC;

	/* Only the departure the owner waits for wakes it: the owner stored
	 * that count in handoff before counting itself in sleepers (seq_cst
	 * both ways), so seeing it asleep means seeing its count. */
	if ((atomic_load(sleepers(l)) & SLEEP_ROUT_MASK) && atomic_load(&l->handoff) == out)
		futex_wake(&l->rout, ANY_BIT);
}

void
destlock_write_lock(struct destlock *l)
{
	bool barging = destlock_policy() != DESTLOCK_PHASEFAIR;
	uint32_t rticket, ticket;

	if (!barging || !try_claim(l, false, &rticket)) {
		ticket = (fetch_add_acq_rel(&l->tickets, WIN_ONE) >> 16) & WOUT_MASK;
		if (!ticket_is_head(ld_acquire(&l->tickets), ticket))
			wait_on(l, &l->tickets, ticket_is_head, ticket, 0, SLEEP_WOUT,
				ticket_bit(ticket));
		rticket = head_claim(l);
	}
	/* We own the lock; wait for the readers we counted to leave.  The
	 * one whose departure completes the count wakes us (read_unlock). */
	if (ld_acquire(&l->rout) != rticket) {
		atomic_store(&l->handoff, rticket);
		wait_on(l, &l->rout, counter_equals, rticket, 0, SLEEP_ROUT, ANY_BIT);
	}
}

void
destlock_write_unlock(struct destlock *l)
{
	/* We own the lock, so nobody claims and wout stays put; win only
	 * grows.  A difference is a writer that took a ticket: queued. */
	uint32_t tickets = atomic_load(&l->tickets);

	if (tickets >> 16 != (tickets & WOUT_MASK)) {
		/* Install the next write phase, unowned: the readers that queued
		 * behind us see PHID flip and enter, later ones wait for it.
		 * handoff must be the arrivals of the very value we replace. */
		uint32_t v = ld_relaxed(&l->rin), n;
		/* Hybrid: if readers wait for this phase to end (arrivals beyond
		 * departures; rout cannot move while we own the lock), they get a
		 * read phase, and the head writer wakes up meanwhile: reserve the
		 * next write phase for it (STARV keeps bargers off). */
		uint32_t reserve = destlock_policy() == DESTLOCK_HYBRID ? STARV : 0;
		uint32_t out = ld_relaxed(&l->rout);

		do {
			st_relaxed(&l->handoff, v & ~LOWBITS);
			n = (v ^ PHID) | PEND;
			if ((v & ~LOWBITS) != out)
				n |= reserve;
		} while (!cas_acq_rel(&l->rin, &v, n));
		fence_seq_cst(); /* the RMW before the load of sleepers */
	} else {
		/* Nobody queued: free the lock (PHID stays: this phase's id). */
		fetch_and_seq_cst(&l->rin, ~PRES);
	}
	wake_if_sleepers(l, &l->rin, SLEEP_RIN_MASK, ANY_BIT);
}

bool
destlock_is_write_locked(const struct destlock *l)
{
	uint32_t v = ld_acquire(&((struct destlock *)l)->rin);

	return (v & (PRES | PEND)) == PRES;
}

bool
destlock_is_read_locked(const struct destlock *l)
{
	struct destlock *m = (struct destlock *)l;
	/*
	 * Departures first, then arrivals: while the caller holds the lock,
	 * arrivals at any later moment exceed departures at this one, so a
	 * holder always sees a difference.  (Read the other way round, readers
	 * arriving and leaving between the two loads can make them equal, and
	 * a holder's unlock would be refused and its arrival never undone.)
	 */
	uint32_t out = atomic_load(&m->rout);
	uint32_t in = atomic_load(&m->rin) & ~LOWBITS;

	return in != out;
}
