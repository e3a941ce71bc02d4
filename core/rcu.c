/*
 * Thread registration and deferred freeing.
 *
 * Where deferred frees run.  A thread that entered the API (rcu_thread_enter)
 * does not hand what it retires to liburcu's call_rcu worker: it keeps it in
 * a retire batch of its own and, at its next safe point (rcu_throttle(), the
 * entry of every mutating API call: outside any read-side section), once the
 * batch holds RCU_BATCH objects, waits for one grace period itself
 * (synchronize_rcu) and runs the callbacks.  The frees thus run on the
 * writer's thread and CPU.  The call_rcu worker is a thread nobody pins; under
 * churn it took 2-4.5 us of CPU per change and was seen runnable on a
 * reader's CPU a quarter of the time (tools/bench/README.md), which came
 * straight off the reader's rate.  The other way considered, a call_rcu worker
 * per writing thread pinned to its CPU, follows the writer only as long as
 * the writer does not migrate, costs a thread per writer and still pays the
 * queue's wake-ups; writer-side reclamation also returns the objects to the
 * allocating thread's caches (handles, slabs) and costs one grace period per
 * RCU_BATCH objects (at full churn speed a few hundred a second, a few more
 * membarrier IPIs than the call_rcu worker's, which sleeps 10 ms after each
 * batch).  Measured: tools/bench/README.md, end of "Why a reader slows down".
 *
 * What is never run here: a safe point with a destination lock held
 * (rcu_thread_locks_held: a client's RtmLockRoute hold, or a reader that may
 * wait on it) does not wait for a grace period; if its batch is full it hands
 * the batch to call_rcu instead, and so does a push that takes a batch to
 * RCU_BATCH_MAX (a thread that retires but never reaches a safe point).  Threads that never entered the API (the
 * call_rcu workers, whose callbacks may retire more) defer straight to
 * call_rcu.  A batch whose thread stops writing is not left behind: its
 * thread's exit hands it to call_rcu, rcu_drain() takes every thread's batch,
 * and the library worker sweeps every RCU_SWEEP_MS (only while some batch is
 * non-empty) and hands to call_rcu each batch that began before its previous
 * sweep, so a small batch waits at most about 2 x RCU_SWEEP_MS.
 *
 * struct retire_batch (one per thread, thread-local):
 *   top     the retired heads, newest first, linked through head->next:
 *           pushed only by the owner (a CAS, which fails only when taken);
 *           anyone may take the whole list (exchange with NULL).
 *   born    sweep_round when the owner pushed onto an empty list (atomic;
 *           owner writes, the sweeper reads).
 *   link    in `batches`, under batches_lock; linked when its thread
 *           registers (rcu_thread_enter_slow), unlinked at its thread's exit,
 *           so that a push (which a reader dropping the last reference of an
 *           object may make) never takes batches_lock.
 * retired_mine counts the objects pushed since the owner last ran its batch
 * (thread-local; after a theft it is too high, which only runs the next
 * batch early).
 *
 * Progress: rcu_lock()/rcu_unlock() are wait-free (memb flavour).  rcu_defer()
 * is lock-free; rcu_throttle() blocks for one grace period when its batch is
 * full, or when more than RCU_BACKLOG_LIMIT objects wait to be freed (a
 * batch counts each of its objects: rcu_defer_n), so a writer that outruns
 * the call_rcu thread is slowed down instead of growing memory without bound
 * (the same idea as fib_trie's and DPDK's reclaim limits).
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
#include <stdbool.h>
#include <stdlib.h>

#include <urcu/list.h>

#include "handle.h"
#include "notify.h"
#include "prefetch.h"
#include "rcu.h"
#include "slab.h"
#include "trie.h"
#include "worker.h"

#define RCU_BACKLOG_LIMIT (1L << 20)
#define BACKLOG_FLUSH 64
#define RCU_SWEEP_MS 100

struct retire_batch {
	_Atomic(struct rcu_head *) top;
	_Atomic unsigned long born;
	struct cds_list_head link;
};

__thread int rcu_thread_registered;
__thread int rcu_thread_locks_held;
static __thread long backlog_mine; /* not yet in rcu_backlog */
static __thread struct retire_batch batch_mine;
static __thread bool batch_linked;
static __thread long retired_mine;
static __thread bool batching_off; /* the thread is exiting */

static pthread_key_t rcu_exit_key;
static pthread_once_t rcu_key_once = PTHREAD_ONCE_INIT;
static _Atomic long rcu_backlog;
static pthread_mutex_t batches_lock = PTHREAD_MUTEX_INITIALIZER;
static CDS_LIST_HEAD(batches);
static _Atomic unsigned long sweep_round; /* sweeps begun */
static _Atomic bool sweep_pending;
#ifdef RTM_TSAN
char rcu_tsan_grace;
#endif

static void sweep(void);

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

static struct rcu_head *
next_of(struct rcu_head *head)
{
	struct cds_wfcq_node *n = head->next.next;

	return n ? caa_container_of(n, struct rcu_head, next) : NULL;
}

static void
set_next(struct rcu_head *head, struct rcu_head *next)
{
	head->next.next = next ? &next->next : NULL;
}

/* Take b's whole list, oldest first. */
static struct rcu_head *
batch_take(struct retire_batch *b)
{
	struct rcu_head *h = xchg_acq_rel(&b->top, NULL), *fifo = NULL;

	while (h) {
		struct rcu_head *next = next_of(h);

		set_next(h, fifo);
		fifo = h;
		h = next;
	}
	return fifo;
}

/* Queue each head of a taken list on call_rcu (grace period still owed). */
static void
hand_to_call_rcu(struct rcu_head *h)
{
	while (h) {
		struct rcu_head *next = next_of(h);
		rcu_free_fn fn = h->func;

		rcu_tsan_queued(h); /* after our last read of h */
		urcu_memb_call_rcu(h, fn);
		h = next;
	}
}

/* Hand the calling thread's whole batch to call_rcu as it is. */
static void
batch_hand_on_mine(void)
{
	retired_mine = 0;
	hand_to_call_rcu(batch_take(&batch_mine));
}

/* Ask the worker for a sweep unless one is pending (false: no worker). */
static void
sweep_request(void)
{
	if (atomic_load(&sweep_pending))
		return;
	atomic_store(&sweep_pending, true);
	if (!worker_call_later(sweep, RCU_SWEEP_MS))
		atomic_store(&sweep_pending, false);
}

/*
 * On the worker: hand to call_rcu every batch that was already non-empty at
 * the previous sweep; sweep again later while any batch is non-empty.
 * sweep_pending is cleared before the look, so a push that the look misses
 * sees it clear and asks again.
 */
static void
sweep(void)
{
	unsigned long round;
	struct retire_batch *b;
	bool more = false;

	atomic_store(&sweep_pending, false);
	round = fetch_add_seq_cst(&sweep_round, 1) + 1;
	pthread_mutex_lock(&batches_lock);
	cds_list_for_each_entry(b, &batches, link) {
		if (!atomic_load(&b->top))
			continue;
		if (ld_relaxed(&b->born) + 1 < round)
			hand_to_call_rcu(batch_take(b));
		else
			more = true;
	}
	pthread_mutex_unlock(&batches_lock);
	if (more)
		sweep_request();
}

static void
rcu_thread_exit(void *arg)
{
	(void)arg;
	handle_thread_exit();
	slab_thread_exit(); /* its later frees take the slab locks */
	notify_thread_exit();
	trie_thread_flush(); /* its open batch of trie nodes, into ours */
	/* Last, as the calls above may retire more; from here on rcu_defer goes
	 * straight to call_rcu. */
	batching_off = true;
	if (batch_linked) {
		pthread_mutex_lock(&batches_lock);
		cds_list_del(&batch_mine.link);
		pthread_mutex_unlock(&batches_lock);
		batch_linked = false;
		batch_hand_on_mine();
	}
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
	/* Not again once the thread is exiting (a later TLS destructor that
	 * calls the API registers anew): the batch must not outlive it. */
	if (!batching_off && !batch_linked) {
		pthread_mutex_lock(&batches_lock);
		cds_list_add(&batch_mine.link, &batches);
		pthread_mutex_unlock(&batches_lock);
		batch_linked = true;
	}
	/* Any non-NULL value makes the destructor run at thread exit. */
	pthread_setspecific(rcu_exit_key, (void *)1);
}

/* Push head on the calling thread's batch (it entered the API). */
static void
batch_push(struct rcu_head *head, rcu_free_fn fn, long n)
{
	struct rcu_head *top = ld_relaxed(&batch_mine.top);

	head->func = fn;
	do {
		if (!top) /* a new batch: dated before the sweeper can see it */
			st_relaxed(&batch_mine.born, ld_relaxed(&sweep_round));
		set_next(head, top);
	} while (!atomic_compare_exchange_weak_explicit(&batch_mine.top, &top, head,
							memory_order_seq_cst, memory_order_relaxed));
	retired_mine += n;
	if (!top) /* seq_cst with the sweeper's clearing of sweep_pending */
		sweep_request();
	/* A thread that retires without reaching a safe point (it only reads,
	 * or holds a destination lock): its batch is bounded all the same. */
	if (unlikely(retired_mine >= RCU_BATCH_MAX))
		batch_hand_on_mine();
}

bool
rcu_thread_batching(void)
{
	return rcu_thread_registered && !batching_off;
}

void
rcu_defer_n(struct rcu_head *head, rcu_free_fn fn, long n)
{
	backlog_add(n);
	rcu_tsan_queued(head);
	if (likely(rcu_thread_registered && !batching_off))
		batch_push(head, fn, n);
	else
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

/*
 * How much of an object, from its head, batch_run_mine() prefetches two
 * callbacks before its own runs.  The heads themselves are warm (the batch
 * was just reversed through them), but the objects' other lines went cold
 * while they waited for their grace period: a destination's block, for one,
 * whose free reads its first route at the end of its fourth line (dest.h).
 * Four lines from the head cover that block; for the smaller objects the
 * extra lines cost only the prefetches.
 */
#define OBJECT_PREFETCH_BYTES (4 * PREFETCH_LINE_BYTES)

/* Wait for a grace period, then run the callbacks of the calling thread's
 * batch (those they retire start the next one). */
static void
batch_run_mine(void)
{
	struct rcu_head *h = batch_take(&batch_mine);

	retired_mine = 0;
	if (!h)
		return;
	urcu_memb_synchronize_rcu();
	while (h) {
		struct rcu_head *next = next_of(h);

		if (next && next_of(next))
			prefetch_for_write(next_of(next), OBJECT_PREFETCH_BYTES);
		h->func(h);
		h = next;
	}
}

void
rcu_throttle(void)
{
	if (unlikely(retired_mine >= RCU_BATCH)) {
		/* Never wait for a grace period from inside a read-side
		 * section (a callback run under rcu_lock() that writes):
		 * that would wait for itself. */
		if (!rcu_thread_locks_held && !urcu_memb_read_ongoing())
			batch_run_mine();
		else
			batch_hand_on_mine();
	}
	if (likely(ld_relaxed(&rcu_backlog) < RCU_BACKLOG_LIMIT))
		return;
	if (rcu_thread_locks_held || urcu_memb_read_ongoing())
		return;
	urcu_memb_synchronize_rcu();
}

void
rcu_drain(void)
{
	struct retire_batch *b;

	trie_thread_flush(); /* the caller's open batch of trie nodes, into ours */
	pthread_mutex_lock(&batches_lock);
	cds_list_for_each_entry(b, &batches, link)
		hand_to_call_rcu(batch_take(b));
	pthread_mutex_unlock(&batches_lock);
	retired_mine = 0;
	urcu_memb_barrier();
}
