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
 *   from anywhere, including call_rcu callbacks and with locks held.
 * - rcu_throttle() bounds the backlog of deferred frees; it may block for a
 *   grace period, so it is called only at API entry, outside a read-side
 *   section, and it does nothing while the thread holds a destination lock.
 */
#ifndef RTM_RCU_H
#define RTM_RCU_H

#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>
#include <urcu/call-rcu.h>

#include "atomics.h"

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
	urcu_memb_read_unlock();
}

typedef void (*rcu_free_fn)(struct rcu_head *head);

/* Run fn(head) after a grace period.  Counts toward the backlog bound. */
void rcu_defer(struct rcu_head *head, rcu_free_fn fn);

/* Called by every deferred callback when it has run. */
void rcu_deferred_done(void);

/* Wait for a grace period if the backlog is past its bound (see above). */
void rcu_throttle(void);

/* Wait until every deferred callback queued so far has run (tests, exit). */
void rcu_drain(void);

#endif
