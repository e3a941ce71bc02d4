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
 * item).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "atomics.h"
#include "rcu.h"
#include "worker.h"

#define WHEEL_BITS 6
#define WHEEL_SLOTS (1u << WHEEL_BITS)
#define WHEEL_LEVELS 4

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;
static bool started;
static pthread_t thread;
static CDS_LIST_HEAD(queue);
static struct cds_list_head wheel[WHEEL_LEVELS][WHEEL_SLOTS];
static CDS_LIST_HEAD(overflow);
static uint64_t wheel_now; /* ms: every timer expiring before it has fired */
static uint64_t armed_count;
/* When the sleeping worker will wake up by itself (ms), UINT64_MAX for
 * never, 0 while it is awake.  An arming that expires before this signals. */
static uint64_t sleeping_until;
static struct entity *running_entity;
static __thread bool on_worker;
/* The one housekeeping call (worker_call_later): fn and when it is due (ms),
 * 0 when none is pending.  Under lock; kept apart from the wheel so that
 * worker_timers_armed() counts the clients' timers only. */
static void (*later_fn)(void);
static uint64_t later_due;

uint64_t
worker_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
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
		uint64_t now = worker_now_ms();

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
		if (later_due && later_due <= worker_now_ms()) {
			void (*fn)(void) = later_fn;

			later_due = 0;
			pthread_mutex_unlock(&lock);
			fn();
			pthread_mutex_lock(&lock);
		}
		{
			uint64_t next = wheel_next_hint();

			if (later_due && later_due < next)
				next = later_due;

			if (!cds_list_empty(&queue))
				continue;
			if (next == UINT64_MAX) {
				sleeping_until = UINT64_MAX;
				pthread_cond_wait(&wake, &lock);
			} else if (next > worker_now_ms()) {
				struct timespec ts;

				clock_gettime(CLOCK_MONOTONIC, &ts);
				uint64_t ns = (next - worker_now_ms()) * 1000000ull + (uint64_t)ts.tv_nsec;

				ts.tv_sec += (time_t)(ns / 1000000000ull);
				ts.tv_nsec = (long)(ns % 1000000000ull);
				sleeping_until = next;
				pthread_cond_timedwait(&wake, &lock, &ts);
			}
			sleeping_until = 0;
		}
	}
	return NULL;
}

/* Under lock. */
static bool
ensure_started(void)
{
	pthread_condattr_t ca;
	pthread_attr_t attr;

	if (started)
		return true;
	for (unsigned l = 0; l < WHEEL_LEVELS; l++) {
		for (unsigned s = 0; s < WHEEL_SLOTS; s++)
			CDS_INIT_LIST_HEAD(&wheel[l][s]);
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_destroy(&wake);
	pthread_cond_init(&wake, &ca);
	pthread_condattr_destroy(&ca);
	wheel_now = worker_now_ms();
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&thread, &attr, worker_main, NULL) != 0) {
		pthread_attr_destroy(&attr);
		return false;
	}
	pthread_attr_destroy(&attr);
	started = true;
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
			pthread_cond_signal(&wake);
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
		pthread_cond_signal(&wake);
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
		if (sleeping_until && t->expires < sleeping_until)
			pthread_cond_signal(&wake);
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

bool
worker_call_later(void (*fn)(void), uint64_t ms)
{
	bool running;

	pthread_mutex_lock(&lock);
	running = started;
	if (running) {
		uint64_t due = worker_now_ms() + ms + 1;

		if (later_due && later_fn != fn)
			abort(); /* one slot, one user (rcu.c) */
		if (!later_due || due < later_due) {
			later_fn = fn;
			later_due = due;
			if (sleeping_until && due < sleeping_until)
				pthread_cond_signal(&wake);
		}
	}
	pthread_mutex_unlock(&lock);
	return running;
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
