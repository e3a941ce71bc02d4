/*
 * The worker thread: a FIFO of work items and a hierarchical timer wheel.
 *
 * Timer wheel: 4 levels of 64 slots; level L has a granularity of 64^L ms,
 * so level 0 covers 64 ms, 1 about 4 s, 2 about 4.4 min, 3 about 4.7 h;
 * later expiries wait in an overflow list that is re-examined whenever level
 * 3 turns over.  Arming and cancelling are O(1); each tick moves (cascades)
 * the timers of one higher-level slot down, so a million armed timers cost
 * nothing until they are close to expiry.
 *
 * Concurrency: everything here is under `lock`; fns run with it released.
 * `running_entity` (under lock) names the entity whose callback is running,
 * so that deregistration can wait for it (`idle` is broadcast after each
 * item).  Exceptions, so that worker_call_later() takes no lock (rcu.c calls
 * it from rcu_defer(), which a lock-free reader dropping the last reference
 * of an object may make; the worker holds `lock` through a whole cascade of
 * the timer wheel): `started`, `later_fn`, `later_due` and `sleeping_until`
 * are atomics, and the worker sleeps on the futex word `wake_seq`, not on a
 * condition variable.
 *
 * Waking the worker: whoever changes what it must do bumps wake_seq and
 * wakes the futex (worker_wake).  The worker reads wake_seq at the top of
 * each round, under lock, and sleeps only while it is unchanged, so a wake
 * between that read and the sleep is not lost.  worker_call_later (no lock)
 * stores later_due and then reads sleeping_until; the worker stores
 * sleeping_until and then reads later_due (all seq_cst): one of the two sees
 * the other's store, so either the worker shortens its sleep itself or the
 * caller wakes it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "atomics.h"
#include "futex.h"
#include "rcu.h"
#include "trie.h"
#include "worker.h"

#define WHEEL_BITS 6
#define WHEEL_SLOTS (1u << WHEEL_BITS)
#define WHEEL_LEVELS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint32_t wake_seq; /* bumped by every wake (see above) */
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;
static _Atomic bool started; /* set once, under lock */
static pthread_t thread;
static CDS_LIST_HEAD(queue);
static struct cds_list_head wheel[WHEEL_LEVELS][WHEEL_SLOTS];
static CDS_LIST_HEAD(overflow);
static uint64_t wheel_now; /* ms: every timer expiring before it has fired */
static uint64_t armed_count;
/* When the sleeping worker will wake up by itself (ms), UINT64_MAX for
 * never, 0 while it is awake (written by the worker only).  An arming that
 * expires before this wakes it. */
static _Atomic uint64_t sleeping_until;
static struct entity *running_entity;
static __thread bool on_worker;
/* The one housekeeping call (worker_call_later): fn and when it is due (ms),
 * 0 when none is pending.  Atomics, set without the lock by the caller and
 * taken (CAS to 0) by the worker; kept apart from the wheel so that
 * worker_timers_armed() counts the clients' timers only. */
static _Atomic(void (*)(void)) later_fn;
static _Atomic uint64_t later_due;

/* Make the worker look at its work again (see the header). */
static void
worker_wake(void)
{
	fetch_add_seq_cst(&wake_seq, 1);
	futex_wake(&wake_seq, FUTEX_BITSET_MATCH_ANY);
}

uint64_t
worker_now_ms(void)
{
	return mono_ns() / 1000000;
}

bool
worker_is_current(void)
{
	return on_worker;
}

/* Put t in the slot for its expiry, relative to wheel_now.  Under lock. */
static void
wheel_place(struct timer *t)
{
	uint64_t delta = t->expires > wheel_now ? t->expires - wheel_now : 0;

	for (unsigned l = 0; l < WHEEL_LEVELS; l++) {
		if (delta < (1ull << (WHEEL_BITS * (l + 1)))) {
			unsigned slot = (t->expires >> (WHEEL_BITS * l)) & (WHEEL_SLOTS - 1);

			cds_list_add_tail(&t->link, &wheel[l][slot]);
			return;
		}
	}
	cds_list_add_tail(&t->link, &overflow);
}

/* Move the timers of one list back through wheel_place.  Under lock. */
static void
recascade(struct cds_list_head *list)
{
	struct cds_list_head tmp;
	struct timer *t, *n;

	CDS_INIT_LIST_HEAD(&tmp);
	cds_list_splice(list, &tmp);
	CDS_INIT_LIST_HEAD(list);
	cds_list_for_each_entry_safe(t, n, &tmp, link) {
		cds_list_del(&t->link);
		wheel_place(t);
	}
}

/*
 * Advance wheel_now by one ms; collect expired timers on `due`.  Under lock.
 */
static void
wheel_tick(struct cds_list_head *due)
{
	unsigned slot0 = wheel_now & (WHEEL_SLOTS - 1);
	struct timer *t, *n;

	cds_list_for_each_entry_safe(t, n, &wheel[0][slot0], link) {
		cds_list_del(&t->link);
		if (t->expires <= wheel_now)
			cds_list_add_tail(&t->link, due);
		else
			wheel_place(t); /* cannot happen for level 0, kept safe */
	}
	wheel_now++;
	/* When a level wraps, cascade the next level's current slot down. */
	for (unsigned l = 1; l < WHEEL_LEVELS; l++) {
		if (wheel_now & ((1ull << (WHEEL_BITS * l)) - 1))
			break;
		recascade(&wheel[l][(wheel_now >> (WHEEL_BITS * l)) & (WHEEL_SLOTS - 1)]);
		if (l == WHEEL_LEVELS - 1 &&
		    !(wheel_now & ((1ull << (WHEEL_BITS * WHEEL_LEVELS)) - 1)))
			recascade(&overflow);
	}
}

/* Earliest ms at which something might be due, or UINT64_MAX. Under lock. */
static uint64_t
wheel_next_hint(void)
{
	if (!armed_count)
		return UINT64_MAX;
	for (unsigned i = 0; i < WHEEL_SLOTS; i++) {
		uint64_t when = wheel_now + i;

		if (!cds_list_empty(&wheel[0][when & (WHEEL_SLOTS - 1)]))
			return when;
		if (((when + 1) & (WHEEL_SLOTS - 1)) == 0)
			return when + 1; /* a cascade is due: wake to run it */
	}
	return wheel_now + WHEEL_SLOTS;
}

static void
run_item(struct work *w)
{
	running_entity = w->entity;
	pthread_mutex_unlock(&lock);
	w->fn(w);
	pthread_mutex_lock(&lock);
	running_entity = NULL;
	pthread_cond_broadcast(&idle);
}

static void *
worker_main(void *arg)
{
	(void)arg;
	on_worker = true;
	rcu_thread_enter();
	pthread_mutex_lock(&lock);
	for (;;) {
		struct cds_list_head due;
		uint32_t seen = ld_acquire(&wake_seq);
		uint64_t now = worker_now_ms();
		uint64_t later;

		CDS_INIT_LIST_HEAD(&due);
		while (wheel_now <= now && armed_count)
			wheel_tick(&due);
		if (!armed_count)
			wheel_now = now + 1;
		while (!cds_list_empty(&due)) {
			struct timer *t = cds_list_first_entry(&due, struct timer, link);

			cds_list_del(&t->link);
			t->armed = false;
			armed_count--;
			running_entity = t->entity;
			pthread_mutex_unlock(&lock);
			t->fn(t);
			pthread_mutex_lock(&lock);
			running_entity = NULL;
			pthread_cond_broadcast(&idle);
		}
		while (!cds_list_empty(&queue)) {
			struct work *w = cds_list_first_entry(&queue, struct work, link);

			cds_list_del(&w->link);
			w->queued = false;
			run_item(w);
		}
		later = atomic_load(&later_due);
		if (later && later <= worker_now_ms() &&
		    atomic_compare_exchange_strong(&later_due, &later, 0)) {
			void (*fn)(void) = atomic_load(&later_fn);

			pthread_mutex_unlock(&lock);
			fn();
			pthread_mutex_lock(&lock);
			continue; /* it may have asked again */
		}
		{
			uint64_t next = wheel_next_hint();

			if (!cds_list_empty(&queue))
				continue;
			/* Nodes its jobs retired go to RCU now rather than wait
			 * for its next job (lock-free: it may ask for a sweep). */
			trie_thread_flush();
			/* Publish the sleep, then look at later_due (seq_cst,
			 * paired with worker_call_later). */
			atomic_store(&sleeping_until, next);
			later = atomic_load(&later_due);
			if (later && later < next) {
				next = later;
				atomic_store(&sleeping_until, next);
			}
			if (next == UINT64_MAX || next > worker_now_ms()) {
				/* Absolute deadline on the monotonic clock. */
				uint64_t deadline = next == UINT64_MAX ? 0 : next * 1000000ull;

				pthread_mutex_unlock(&lock);
				futex_wait(&wake_seq, seen, deadline, FUTEX_BITSET_MATCH_ANY);
				pthread_mutex_lock(&lock);
			}
			atomic_store(&sleeping_until, 0);
		}
	}
	return NULL;
}

/* Under lock. */
static bool
ensure_started(void)
{
	pthread_attr_t attr;

	if (ld_relaxed(&started))
		return true;
	for (unsigned l = 0; l < WHEEL_LEVELS; l++) {
		for (unsigned s = 0; s < WHEEL_SLOTS; s++)
			CDS_INIT_LIST_HEAD(&wheel[l][s]);
	}
	wheel_now = worker_now_ms();
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attr, worker_main, NULL) != 0) {
		pthread_attr_destroy(&attr);
		return false;
	}
	pthread_attr_destroy(&attr);
	st_release(&started, true);
	return true;
}

int
worker_start(void)
{
	bool ok;

	pthread_mutex_lock(&lock);
	ok = ensure_started();
	pthread_mutex_unlock(&lock);
	return ok ? 0 : -ENOMEM;
}

bool
worker_queue(struct work *w)
{
	bool ok = true;

	pthread_mutex_lock(&lock);
	if (!w->queued) {
		ok = ensure_started();
		if (ok) {
			cds_list_add_tail(&w->link, &queue);
			w->queued = true;
			worker_wake();
		}
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

bool
worker_queue_fresh(struct work *w)
{
	bool fresh = false;

	pthread_mutex_lock(&lock);
	if (!w->queued && ensure_started()) {
		cds_list_add_tail(&w->link, &queue);
		w->queued = true;
		fresh = true;
		worker_wake();
	}
	pthread_mutex_unlock(&lock);
	return fresh;
}

bool
worker_unqueue(struct work *w)
{
	bool was;

	pthread_mutex_lock(&lock);
	was = w->queued;
	if (was) {
		cds_list_del(&w->link);
		w->queued = false;
	}
	pthread_mutex_unlock(&lock);
	return was;
}

bool
timer_arm(struct timer *t, uint64_t ms)
{
	bool ok;

	pthread_mutex_lock(&lock);
	ok = ensure_started();
	if (ok) {
		if (t->armed) {
			cds_list_del(&t->link);
			armed_count--;
		}
		uint64_t now = worker_now_ms();

		if (!armed_count)
			wheel_now = now;
		/* +1: now is rounded down, so the timer never fires early. */
		t->expires = now + ms + 1;
		if (t->expires < wheel_now)
			t->expires = wheel_now;
		wheel_place(t);
		t->armed = true;
		armed_count++;
		/* Wake the worker only if it would sleep past this expiry (a
		 * million arms must not mean a million wake-ups). */
		uint64_t until = ld_relaxed(&sleeping_until);

		if (until && t->expires < until)
			worker_wake();
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

bool
worker_call_later(void (*fn)(void), uint64_t ms)
{
	void (*had)(void) = NULL;
	uint64_t due, cur;

	if (!ld_acquire(&started))
		return false;
	/* One slot, one user (rcu.c). */
	if (!atomic_compare_exchange_strong(&later_fn, &had, fn) && had != fn)
		abort();
	due = worker_now_ms() + ms + 1;
	cur = atomic_load(&later_due);
	do {
		if (cur && cur <= due)
			return true; /* an earlier call is already pending */
	} while (!atomic_compare_exchange_weak(&later_due, &cur, due));
	cur = atomic_load(&sleeping_until); /* after the store above: seq_cst */
	if (cur && due < cur)
		worker_wake();
	return true;
}

bool
timer_cancel(struct timer *t)
{
	bool was;

	pthread_mutex_lock(&lock);
	was = t->armed;
	if (was) {
		cds_list_del(&t->link);
		t->armed = false;
		armed_count--;
	}
	pthread_mutex_unlock(&lock);
	return was;
}

uint64_t
worker_timers_armed(void)
{
	uint64_t n;

	pthread_mutex_lock(&lock);
	n = armed_count;
	pthread_mutex_unlock(&lock);
	return n;
}

static bool
entity_has_queued_locked(struct entity *e)
{
	struct work *w;

	cds_list_for_each_entry(w, &queue, link) {
		if (w->entity == e)
			return true;
	}
	return false;
}

void
worker_flush_entity(struct entity *e)
{
	if (on_worker)
		return;
	pthread_mutex_lock(&lock);
	while (running_entity == e || entity_has_queued_locked(e))
		pthread_cond_wait(&idle, &lock);
	pthread_mutex_unlock(&lock);
}
