/*
 * RCU for the library: the liburcu "memb" flavour (membarrier-based), the one
 * suited to a library called from threads it does not own.  Callers never see
 * it: every API entry point calls rcu_thread_enter(), which registers the
 * calling thread with liburcu on its first call and arranges, through a
 * pthread key destructor, for it to be unregistered when the thread exits.
 *
 * Contract for the rest of core/:
 * - rcu_lock()/rcu_unlock() bracket every lock-free read; a pointer loaded
 *   from an RCU-published field is valid only until rcu_unlock().
 * - rcu_defer(head, fn) frees memory after a grace period; it may be called
 *   from anywhere, including deferred callbacks and with locks held; it
 *   takes no lock (a lock-free reader dropping a last reference calls it).  On
 *   a thread that entered the API, fn runs later on that same thread (in
 *   rcu_throttle) or, if the thread stops writing, on a call_rcu worker:
 *   see rcu.c.
 * - rcu_throttle() is a writer's safe point: it runs the thread's batch of
 *   deferred frees once it is big and bounds the backlog of deferred frees;
 *   it may block for a grace period, so it is called only at API entry,
 *   outside a read-side section, and it never waits while the thread holds
 *   a destination lock.
 */
#ifndef RTM_RCU_H
#define RTM_RCU_H

#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>
#include <urcu/call-rcu.h>

#include <stdbool.h>

#include "atomics.h"

/*
 * ThreadSanitizer cannot see a grace period (liburcu orders it with
 * membarrier and plain loads).  Under TSan we tell it what the grace period
 * guarantees: every read-side section that ended before a deferred callback
 * runs happens before that callback.  Each rcu_unlock() releases a sync
 * object that each deferred callback acquires first.  A reader still inside
 * its section gets no such edge, so a real use-after-free stays visible.
 * Likewise call_rcu()'s queue is invisible to TSan: queuing a callback
 * releases its rcu_head and running it acquires the same address.
 */
#if defined(__SANITIZE_THREAD__)
#define RTM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RTM_TSAN 1
#endif
#endif
#ifdef RTM_TSAN
#include <sanitizer/tsan_interface.h>
extern char rcu_tsan_grace;
#define rcu_tsan_reader_done() __tsan_release(&rcu_tsan_grace)
#define rcu_tsan_grace_passed() __tsan_acquire(&rcu_tsan_grace)
#define rcu_tsan_queued(head) __tsan_release(head)
#define rcu_tsan_dequeued(head) __tsan_acquire(head)
#else
#define rcu_tsan_reader_done() ((void)0)
#define rcu_tsan_grace_passed() ((void)0)
#define rcu_tsan_queued(head) ((void)(head))
#define rcu_tsan_dequeued(head) ((void)(head))
#endif

void rcu_thread_enter_slow(void);
extern __thread int rcu_thread_registered;
extern __thread int rcu_thread_locks_held;

static inline void
rcu_thread_enter(void)
{
	if (unlikely(!rcu_thread_registered))
		rcu_thread_enter_slow();
}

static inline void
rcu_lock(void)
{
	urcu_memb_read_lock();
}

static inline void
rcu_unlock(void)
{
	rcu_tsan_reader_done();
	urcu_memb_read_unlock();
}

typedef void (*rcu_free_fn)(struct rcu_head *head);

/* Does the calling thread keep a retire batch of its own (it entered the
 * API and is not exiting)?  Modules that gather objects into batches of
 * their own before rcu_defer_n() (trie.c) do so only then: such a thread
 * hands their open batch on at its exit (rcu.c). */
bool rcu_thread_batching(void);

/* Run fn(head) after a grace period.  Counts toward the backlog bound. */
void rcu_defer(struct rcu_head *head, rcu_free_fn fn);

/*
 * The same for a callback that frees n objects at once (a batch): it counts
 * n toward the backlog bound and must end with rcu_deferred_done_n(n).
 */
void rcu_defer_n(struct rcu_head *head, rcu_free_fn fn, long n);
void rcu_deferred_done_n(long n);

/* Every deferred callback calls rcu_deferred_begin() first and
 * rcu_deferred_done() last. */
static inline void
rcu_deferred_begin(struct rcu_head *head)
{
	rcu_tsan_dequeued(head);
	rcu_tsan_grace_passed();
}

void rcu_deferred_done(void);

/* A thread's retire batch is run at its safe point once it holds this many
 * objects, and handed to call_rcu when a push takes it to RCU_BATCH_MAX. */
#define RCU_BATCH 4096
#define RCU_BATCH_MAX (2 * RCU_BATCH)

/* A writer's safe point: run the calling thread's batch of deferred frees if
 * it is full, and wait for a grace period if the backlog is past its bound
 * (see above). */
void rcu_throttle(void);

/* Wait until every deferred callback queued so far, by any thread, has run
 * (tests, exit); other threads' batches go to call_rcu for it, and so does
 * the caller's open batch of trie nodes (trie_thread_flush; another
 * thread's stays with it until that thread flushes it). */
void rcu_drain(void);

#endif
