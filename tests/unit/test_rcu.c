/*
 * test_rcu.c - where deferred frees run (core/rcu.h, core/rcu.c).
 *
 * A thread that entered the API keeps what it retires in a batch of its own
 * and runs it at a safe point (rcu_throttle) once it is full.  These tests
 * check that objects retired by a thread that then stops writing are freed
 * all the same: when it exits, when someone drains, and, while it idles, by
 * the worker's sweep; that a full batch runs on the retiring thread itself;
 * and that a thread holding a destination lock never waits at its safe
 * point but still gets its batch freed elsewhere.  Each object counts in the
 * fault-injection core's live allocations (rtm_alloc_live_blocks), so a lost
 * batch shows as blocks that never come back.
 *
 * Links rtm_faultinj (the core built with RTM_FAULT_INJECTION), not librtm.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

#include "alloc.h"
#include "check.h"
#include "rcu.h"
#include "worker.h"

struct obj {
	struct rcu_head rcu;
	pthread_t retired_by;
};

static atomic_long freed_by_retirer; /* callbacks that ran on the retiring thread */
static atomic_long freed_elsewhere;

static void
obj_free_cb(struct rcu_head *head)
{
	struct obj *o = caa_container_of(head, struct obj, rcu);

	rcu_deferred_begin(head);
	if (pthread_equal(o->retired_by, pthread_self()))
		atomic_fetch_add(&freed_by_retirer, 1);
	else
		atomic_fetch_add(&freed_elsewhere, 1);
	rtm_free(o);
	rcu_deferred_done();
}

static void
retire(long n)
{
	for (long i = 0; i < n; i++) {
		struct obj *o = rtm_malloc(sizeof(*o));

		if (!o)
			abort();
		o->retired_by = pthread_self();
		rcu_defer(&o->rcu, obj_free_cb);
	}
}

/* Poll until the live block count is back to base (at most ms). */
static bool
live_back_to(int64_t base, unsigned ms)
{
	for (unsigned waited = 0; rtm_alloc_live_blocks() != base; waited += 2) {
		if (waited >= ms)
			return false;
		usleep(2000);
	}
	return true;
}

/* A thread that retires a few objects, then waits until told to go on. */
struct idler {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool retired, go_on;
};

static void *
idler_main(void *arg)
{
	struct idler *t = arg;

	rcu_thread_enter();
	retire(10);
	pthread_mutex_lock(&t->lock);
	t->retired = true;
	pthread_cond_broadcast(&t->cond);
	while (!t->go_on)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void
idler_start(struct idler *t)
{
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	t->retired = t->go_on = false;
	if (pthread_create(&t->thread, NULL, idler_main, t) != 0)
		abort();
	pthread_mutex_lock(&t->lock);
	while (!t->retired)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
}

static void
idler_finish(struct idler *t)
{
	pthread_mutex_lock(&t->lock);
	t->go_on = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
}

static void *
exiter_main(void *arg)
{
	(void)arg;
	rcu_thread_enter();
	retire(10);
	return NULL;
}

/*
 * In order, because the first two must run before the library worker (the
 * sweeper) exists: a thread's exit, then rcu_drain(), then the sweep alone.
 */
TEST(idle_and_exited_threads_get_their_batches_freed)
{
	int64_t base;
	struct idler idle;
	pthread_t exiter;

	rcu_thread_enter();
	rcu_drain();
	base = rtm_alloc_live_blocks();

	/* Exit: nobody drains, no worker sweeps; call_rcu must get them. */
	REQUIRE(pthread_create(&exiter, NULL, exiter_main, NULL) == 0);
	pthread_join(exiter, NULL);
	CHECK(live_back_to(base, 10000));

	/* rcu_drain() takes an idle thread's batch at once. */
	idler_start(&idle);
	CHECK(rtm_alloc_live_blocks() == base + 10);
	rcu_drain();
	CHECK(rtm_alloc_live_blocks() == base);
	idler_finish(&idle);

	/* Idle, with the worker running: its sweep hands the batch on. */
	REQUIRE(worker_start() == 0);
	idler_start(&idle);
	CHECK(live_back_to(base, 10000));
	idler_finish(&idle);
}

/* A thread that fills its batch and reaches a safe point, holding a
 * destination lock (as inside an RtmLockRoute hold) or not. */
struct filler {
	bool hold_lock;
	long freed_here; /* callbacks run on it by the end of the safe point */
};

static void *
filler_main(void *arg)
{
	struct filler *f = arg;

	rcu_thread_enter();
	atomic_store(&freed_by_retirer, 0);
	rcu_thread_locks_held += f->hold_lock;
	retire(RCU_BATCH + 10);
	rcu_throttle(); /* with a lock held, it must not wait for a grace period */
	f->freed_here = atomic_load(&freed_by_retirer);
	rcu_thread_locks_held -= f->hold_lock;
	return NULL;
}

/* Run a filler; returns the live block count from before it. */
static int64_t
run_filler(struct filler *f)
{
	pthread_t t;
	int64_t base;

	rcu_thread_enter();
	rcu_drain();
	base = rtm_alloc_live_blocks();
	if (pthread_create(&t, NULL, filler_main, f) != 0)
		abort();
	pthread_join(t, NULL);
	return base;
}

TEST(full_batch_runs_on_the_retiring_thread)
{
	struct filler f = {.hold_lock = false};
	int64_t base = run_filler(&f);

	CHECK(f.freed_here >= RCU_BATCH);
	rcu_drain();
	CHECK(rtm_alloc_live_blocks() == base);
}

TEST(lock_holder_hands_its_full_batch_on)
{
	struct filler f = {.hold_lock = true, .freed_here = -1};
	int64_t base = run_filler(&f);

	CHECK(f.freed_here == 0);
	CHECK(live_back_to(base, 10000)); /* by call_rcu, without a drain */
}

int
main(int argc, char **argv)
{
	return check_main(argc, argv);
}
