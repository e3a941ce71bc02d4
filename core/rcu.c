/*
 * Thread registration and deferred freeing.
 *
 * Progress: rcu_lock()/rcu_unlock() are wait-free (memb flavour).  rcu_defer()
 * is wait-free apart from liburcu's queue; rcu_throttle() blocks for one grace
 * period only when more than RCU_BACKLOG_LIMIT objects wait to be freed (a
 * batch counts each of its objects: rcu_defer_n), so a
 * writer that outruns the call_rcu thread is slowed down instead of growing
 * memory without bound (the same idea as fib_trie's and DPDK's reclaim limits).
 */
#include <pthread.h>
#include <stdlib.h>

#include "handle.h"
#include "notify.h"
#include "rcu.h"

#define RCU_BACKLOG_LIMIT (1L << 20)

__thread int rcu_thread_registered;
__thread int rcu_thread_locks_held;

static pthread_key_t rcu_exit_key;
static pthread_once_t rcu_key_once = PTHREAD_ONCE_INIT;
static _Atomic long rcu_backlog;
#ifdef RTM_TSAN
char rcu_tsan_grace;
#endif

static void
rcu_thread_exit(void *arg)
{
	(void)arg;
	handle_thread_exit();
	notify_thread_exit();
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
	fetch_add_relaxed(&rcu_backlog, n);
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
	fetch_sub_acq_rel(&rcu_backlog, n);
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
