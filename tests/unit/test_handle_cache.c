/*
 * test_handle_cache.c - the handle table's per-thread slot caches (core/handle.c):
 * a thread that exits gives its cached free slots back, so threads that come
 * and go, each allocating a handle, keep reusing the same few slots instead
 * of taking a fresh batch each; and a thread that frees more than it
 * allocates (as the call_rcu thread does) hands its surplus on to others.
 *
 * Links rtm_static through rtm::internal (handle_* are not exported by librtm),
 * and the check harness on its own (rtm_testlib would bring the shared librtm).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "handle.h"
#include "rcu.h"

#define THREADS 300u
#define MANY 5000u /* far more than one thread's cache holds */

static int object;

static uint32_t
index_of(rtm_handle h)
{
	return (uint32_t)(uintptr_t)h;
}

/* Allocate one handle, drop it and give its slot back, then exit. */
static void *
one_handle_thread(void *arg)
{
	uint32_t *index = arg;
	rtm_handle h;

	rcu_thread_enter(); /* so that its exit runs handle_thread_exit() */
	if (handle_alloc(HT_ENUM, &object, 1, &h) != 0) {
		*index = UINT32_MAX;
		return NULL;
	}
	*index = index_of(h);
	handle_put(h);
	handle_recycle(h); /* no reader can hold it: no grace period needed */
	return NULL;
}

static rtm_handle many[MANY];

/* Recycle MANY handles allocated by main: this thread's cache overflows. */
static void *
recycler_thread(void *arg)
{
	(void)arg;
	rcu_thread_enter();
	for (unsigned i = 0; i < MANY; i++) {
		handle_put(many[i]);
		handle_recycle(many[i]);
	}
	return NULL;
}

TEST(exited_threads_give_their_cached_slots_back)
{
	uint32_t first = 0, highest = 0, index;
	pthread_t t;

	/* Threads one after another: each may take a batch, must give it back. */
	for (unsigned i = 0; i < THREADS; i++) {
		REQUIRE(pthread_create(&t, NULL, one_handle_thread, &index) == 0);
		REQUIRE(pthread_join(t, NULL) == 0);
		REQUIRE(index != UINT32_MAX);
		if (i == 0)
			first = index;
		if (index > highest)
			highest = index;
	}
	/* With the caches lost at exit, thread i would get a slot of the
	 * i-th batch; given back, every thread finds the first batch's slots. */
	if (highest - first >= 1024)
		check_fail(__FILE__, __LINE__, "%u threads used slots %u..%u: exited threads' "
			   "caches were not given back", THREADS, first, highest);
}

TEST(a_freeing_threads_surplus_is_reused)
{
	uint32_t highest = 0;
	pthread_t t;

	rcu_thread_enter();
	for (unsigned i = 0; i < MANY; i++) {
		REQUIRE(handle_alloc(HT_ENUM, &object, 1, &many[i]) == 0);
		if (index_of(many[i]) > highest)
			highest = index_of(many[i]);
	}
	REQUIRE(pthread_create(&t, NULL, recycler_thread, NULL) == 0);
	REQUIRE(pthread_join(t, NULL) == 0);
	for (unsigned i = 0; i < MANY; i++) {
		rtm_handle h;

		REQUIRE(handle_alloc(HT_ENUM, &object, 1, &h) == 0);
		/* Fresh slots would lie beyond, by thousands; one cache's
		 * worth of slack (CACHE_MAX). */
		if (index_of(h) > highest + 256)
			check_fail(__FILE__, __LINE__, "realloc %u took a fresh slot %u (highest %u): "
				   "recycled slots were not reused", i, index_of(h), highest);
		CHECK_EQ_PTR(handle_get(h, HT_ENUM), &object);
		CHECK_EQ_PTR(handle_get(many[i], HT_ENUM), NULL);
	}
}

int
main(int argc, char **argv)
{
	return check_main(argc, argv);
}
