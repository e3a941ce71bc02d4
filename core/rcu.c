/*
 * Thread registration and deferred freeing.
 *
 * Progress: rcu_lock()/rcu_unlock() are wait-free (memb flavour).  rcu_defer()
 * is wait-free apart from liburcu's queue; rcu_throttle() blocks for one grace
 * period only when more than RCU_BACKLOG_LIMIT objects wait to be freed (a
 * batch counts each of its objects: rcu_defer_n), so a
 * writer that outruns the call_rcu thread is slowed down instead of growing
 * memory without bound (the same idea as fib_trie's and DPDK's reclaim limits).
 *
 * The backlog count is approximate by design: each thread sums what it
 * queues and what its callbacks finish in a counter of its own and moves the
 * sum into the shared rcu_backlog once it reaches BACKLOG_FLUSH either way
 * (and when the thread exits), so that queuing a free and running it do not
 * each write a line that the writers and the call_rcu thread share.  The
 * shared count is off by less than BACKLOG_FLUSH per thread, which is
 * nothing next to RCU_BACKLOG_LIMIT.
 */
#include <pthread.h>
#include <stdlib.h>

#include "handle.h"
#include "notify.h"
#include "rcu.h"

#define RCU_BACKLOG_LIMIT (1L << 20)
#define BACKLOG_FLUSH 64

__thread int rcu_thread_registered;
__thread int rcu_thread_locks_held;
static __thread long backlog_mine; /* not yet in rcu_backlog */

static pthread_key_t rcu_exit_key;
static pthread_once_t rcu_key_once = PTHREAD_ONCE_INIT;
static _Atomic long rcu_backlog;
#ifdef RTM_TSAN
char rcu_tsan_grace;
#endif

/* Count n more (or, negative, fewer) objects waiting to be freed. */
static void
backlog_add(long n)
{
	backlog_mine += n;
	if (backlog_mine >= BACKLOG_FLUSH || backlog_mine <= -BACKLOG_FLUSH) {
		fetch_add_relaxed(&rcu_backlog, backlog_mine);
		backlog_mine = 0;
	}
}

static void
rcu_thread_exit(void *arg)
{
	(void)arg;
	handle_thread_exit();
	notify_thread_exit();
	fetch_add_relaxed(&rcu_backlog, backlog_mine);
	backlog_mine = 0;
	if (rcu_thread_registered) {
		urcu_memb_unregister_thread();
		rcu_thread_registered = 0;
	}
}

static void
rcu_make_key(void)
{
	if (pthread_key_create(&rcu_exit_key, rcu_thread_exit) != 0)
		abort();
}

void
rcu_thread_enter_slow(void)
{
	pthread_once(&rcu_key_once, rcu_make_key);
	urcu_memb_register_thread();
	rcu_thread_registered = 1;
	/* Any non-NULL value makes the destructor run at thread exit. */
	pthread_setspecific(rcu_exit_key, (void *)1);
}

void
rcu_defer_n(struct rcu_head *head, rcu_free_fn fn, long n)
{
	backlog_add(n);
	rcu_tsan_queued(head);
	urcu_memb_call_rcu(head, fn);
}

void
rcu_defer(struct rcu_head *head, rcu_free_fn fn)
{
	rcu_defer_n(head, fn, 1);
}

void
rcu_deferred_done_n(long n)
{
	backlog_add(-n);
}

void
rcu_deferred_done(void)
{
	rcu_deferred_done_n(1);
}

void
rcu_throttle(void)
{
	if (likely(ld_relaxed(&rcu_backlog) < RCU_BACKLOG_LIMIT))
		return;
	if (rcu_thread_locks_held)
		return;
	urcu_memb_synchronize_rcu();
}

void
rcu_drain(void)
{
	urcu_memb_barrier();
}
