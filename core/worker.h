/*
 * The library's own thread: it runs every client callback (change
 * notification, route expiry, entity events) and the timers (route aging,
 * hold-down), never with an internal lock held.
 *
 * Work items and timers are owned by their embedding objects; the worker's
 * lock (a leaf, lock_order.h) guards the queue, the timer wheel and the
 * `queued`/`armed` flags.  Each item or timer fn runs on the worker thread
 * with no lock held, one at a time, in order.
 *
 * The thread starts with the first item queued or timer armed and lives for
 * the rest of the process.
 */
#ifndef RTM_WORKER_H
#define RTM_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <urcu/list.h>

struct entity;

struct work {
	struct cds_list_head link; /* worker lock */
	void (*fn)(struct work *w);
	struct entity *entity; /* whose callback fn runs, or NULL */
	bool queued;           /* worker lock */
};

struct timer {
	struct cds_list_head link; /* worker lock */
	uint64_t expires;          /* ms on the worker clock; worker lock */
	void (*fn)(struct timer *t);
	struct entity *entity; /* whose callback fn may run, or NULL */
	bool armed;            /* worker lock */
};

/*
 * Start the thread if it is not running yet: 0, or -ENOMEM if it cannot be
 * created.  RtmRegisterEntity calls it, so that no queuing or arming made on
 * behalf of a registered entity can fail (nothing would report it: a change
 * notification or a timer would be lost).
 */
int worker_start(void);

/* Queue w (no-op if it is already queued).  Returns false only if the thread
 * was never started and cannot be (the item is then not queued); after a
 * successful worker_start() it always succeeds. */
bool worker_queue(struct work *w);

/* Queue w unless it is queued already: true if this call queued it (a
 * caller that pins something for the item's run keeps the pin only then). */
bool worker_queue_fresh(struct work *w);

/* Remove w from the queue if it is there; true if it was. */
bool worker_unqueue(struct work *w);

/* Arm t to fire after ms milliseconds (re-arming moves it).  Fails like
 * worker_queue, i.e. never after worker_start(). */
bool timer_arm(struct timer *t, uint64_t ms);

/*
 * Housekeeping, not a client timer: run fn() on the worker, with no lock
 * held, about ms milliseconds from now (or sooner if already due sooner).
 * One slot with one user (rcu.c's sweep of idle retire batches); it is not
 * counted by worker_timers_armed().  Does not start the thread: false if it
 * is not running (nothing is then scheduled).  Lock-free: atomics and at
 * most one futex wake (worker.c's header).
 */
bool worker_call_later(void (*fn)(void), uint64_t ms);

/* Disarm t; true if it was armed (then fn will not run for that arming). */
bool timer_cancel(struct timer *t);

/*
 * Wait until no work item of e is queued and no callback of e runs on the
 * worker (items queued for e still run; their fns see e deregistered), except
 * when called from the worker itself (a callback deregistering its own
 * entity), where it returns at once.
 */
void worker_flush_entity(struct entity *e);

/* True on the worker thread. */
bool worker_is_current(void);

/* Milliseconds on the worker's monotonic clock. */
uint64_t worker_now_ms(void);

/* Number of armed timers (statistics). */
uint64_t worker_timers_armed(void);

#endif
