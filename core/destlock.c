/*
 * Phase-fair reader/writer lock with futex sleeping; see destlock.h for the
 * protocol.
 *
 * Correctness argument, in short:
 * - Mutual exclusion between writers: ticket order (win/wout).
 * - Writer vs readers: the writer publishes its presence in rin with a
 *   fetch_add that also returns the count of readers that entered before it
 *   (rticket); it waits until rout reaches that count.  A reader that
 *   increments rin after that sees the presence bits and waits until they
 *   change (the writer's release clears them).  Acquire/release pairs: the
 *   reader's departure (fetch_add on rout, release) pairs with the writer's
 *   acquire load of rout; the writer's release (fetch_and on rin, release)
 *   pairs with the waiting reader's acquire load of rin; wout's increment
 *   (release) pairs with the next writer's acquire load of wout.
 * - Starvation freedom: a waiting reader waits for at most the one write
 *   phase it observed (the phase bit changes with each writer, so a reader
 *   distinguishes "same writer" from "next writer" and never waits for a
 *   second one); a waiting writer waits for earlier writers (FIFO) and for
 *   the readers that entered before it announced itself (finite).
 * The protocol is model-checked in tests/model (later issue).
 */
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "destlock.h"

#define RINC 0x100u   /* reader increment */
#define WBITS 0x3u    /* writer present and phase id */
#define PRES 0x2u     /* writer present */
#define PHID 0x1u     /* phase id */
#define SPIN_LIMIT 256

static void
futex_wait(_Atomic uint32_t *word, uint32_t val)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void
futex_wake_all(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static inline void
wake_if_sleepers(struct destlock *l, _Atomic uint32_t *word)
{
	/* seq_cst: ordered after the caller's seq_cst RMW on *word. */
	if (atomic_load(&l->sleepers) != 0)
		futex_wake_all(word);
}

/*
 * Wait until done(*word, arg) holds.  Spin first, then sleep on the word.
 * Returns the last value read (with acquire ordering).
 */
static uint32_t
wait_on(struct destlock *l, _Atomic uint32_t *word, bool (*done)(uint32_t, uint32_t), uint32_t arg)
{
	uint32_t v;

	for (int i = 0; i < SPIN_LIMIT; i++) {
		v = ld_acquire(word);
		if (done(v, arg))
			return v;
		cpu_relax();
	}
	for (;;) {
		v = ld_acquire(word);
		if (done(v, arg))
			return v;
		fetch_add_seq_cst(&l->sleepers, 1);
		v = atomic_load(word);
		if (!done(v, arg))
			futex_wait(word, v);
		fetch_sub_seq_cst(&l->sleepers, 1);
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

void
destlock_init(struct destlock *l)
{
	atomic_init(&l->rin, 0);
	atomic_init(&l->rout, 0);
	atomic_init(&l->win, 0);
	atomic_init(&l->wout, 0);
	atomic_init(&l->handoff, 0);
	atomic_init(&l->sleepers, 0);
}

void
destlock_read_lock(struct destlock *l)
{
	uint32_t w = fetch_add_acq_rel(&l->rin, RINC) & WBITS;

	if (likely(w == 0))
		return;
	/* A writer is present: wait for its phase (only that one) to end. */
	wait_on(l, &l->rin, writer_bits_changed, w);
}

void
destlock_read_unlock(struct destlock *l)
{
	/* Release: pairs with the writer's acquire load of rout. */
	fetch_add_seq_cst(&l->rout, RINC);
	wake_if_sleepers(l, &l->rout);
}

void
destlock_write_lock(struct destlock *l)
{
	uint32_t ticket = fetch_add_acq_rel(&l->win, 1);
	uint32_t w, rticket;

	if (ld_acquire(&l->wout) != ticket)
		wait_on(l, &l->wout, counter_equals, ticket);
	w = PRES | (ticket & PHID);
	/* Our turn: only we change the writer bits now.  Either the previous
	 * writer installed our phase (handoff), or they are clear. */
	if ((atomic_load(&l->rin) & WBITS) == w)
		rticket = ld_relaxed(&l->handoff); /* ordered by the acquire of wout */
	else
		rticket = fetch_add_seq_cst(&l->rin, w) & ~WBITS;
	if (ld_acquire(&l->rout) != rticket)
		wait_on(l, &l->rout, counter_equals, rticket);
}

void
destlock_write_unlock(struct destlock *l)
{
	uint32_t ticket = ld_relaxed(&l->wout); /* ours: we hold the lock */

	if (atomic_load(&l->win) != ticket + 1) {
		/* A writer is queued: install its phase.  The readers that queued
		 * behind us see the bits change and enter; later readers wait for
		 * the next writer.  The bits differ only in PHID, so the add
		 * never carries into the reader count. */
		uint32_t cur = PRES | (ticket & PHID);
		uint32_t next = PRES | ((ticket + 1) & PHID);
		uint32_t old = fetch_add_seq_cst(&l->rin, next - cur);

		st_relaxed(&l->handoff, old & ~WBITS); /* published by wout's add */
	} else {
		/* Nobody queued: admit the readers that queued behind us. */
		fetch_and_seq_cst(&l->rin, ~WBITS);
	}
	wake_if_sleepers(l, &l->rin);
	/* Next ticket's turn (release: pairs with the acquire of wout). */
	fetch_add_seq_cst(&l->wout, 1);
	wake_if_sleepers(l, &l->wout);
}

bool
destlock_is_write_locked(const struct destlock *l)
{
	return (ld_acquire(&((struct destlock *)l)->rin) & PRES) != 0;
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
	uint32_t in = atomic_load(&m->rin) & ~WBITS;

	return in != out;
}
