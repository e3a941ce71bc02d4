/*
 * test_handle_cache.c - the handle table's per-thread slot caches (core/handle.c):
 * a thread that exits gives its cached free slots back, so threads that come
 * and go, each allocating a handle, keep reusing the same few slots instead
 * of taking a fresh batch each; and a thread that frees more than it
 * allocates (as the call_rcu thread does) hands its surplus on to others.
 *
 * Links rtm_static through rtm::internal (handle_* are not exported by librtm).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "handle.h"
#include "rcu.h"

#define THREADS 300u
#define MANY 5000u /* far more than one thread's cache holds */

static unsigned failures;

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			failures++;                                                        \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond);         \
			fprintf(stderr, __VA_ARGS__);                                      \
			fputc('\n', stderr);                                               \
		}                                                                          \
	} while (0)

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

int
main(void)
{
	uint32_t first = 0, highest = 0, index;
	pthread_t t;

	/* Threads one after another: each may take a batch, must give it back. */
	for (unsigned i = 0; i < THREADS; i++) {
		if (pthread_create(&t, NULL, one_handle_thread, &index) != 0 ||
		    pthread_join(t, NULL) != 0)
			return fprintf(stderr, "pthread failed\n"), 1;
		CHECK(index != UINT32_MAX, "handle_alloc failed in thread %u", i);
		if (i == 0)
			first = index;
		if (index > highest)
			highest = index;
	}
	/* With the caches lost at exit, thread i would get a slot of the
	 * i-th batch; given back, every thread finds the first batch's slots. */
	CHECK(highest - first < 1024, "%u threads used slots %u..%u: exited threads' caches "
	      "were not given back", THREADS, first, highest);

	/* A freeing thread's surplus reaches the free list for others. */
	rcu_thread_enter();
	highest = 0;
	for (unsigned i = 0; i < MANY; i++) {
		CHECK(handle_alloc(HT_ENUM, &object, 1, &many[i]) == 0, "alloc %u failed", i);
		if (index_of(many[i]) > highest)
			highest = index_of(many[i]);
	}
	if (pthread_create(&t, NULL, recycler_thread, NULL) != 0 || pthread_join(t, NULL) != 0)
		return fprintf(stderr, "pthread failed\n"), 1;
	for (unsigned i = 0; i < MANY; i++) {
		rtm_handle h;

		CHECK(handle_alloc(HT_ENUM, &object, 1, &h) == 0, "realloc %u failed", i);
		CHECK(index_of(h) <= highest + 256, "realloc %u took a fresh slot %u (highest %u): "
		      "recycled slots were not reused", i, index_of(h), highest);
		CHECK(handle_get(h, HT_ENUM) == &object, "new handle %u not live", i);
		CHECK(handle_get(many[i], HT_ENUM) == NULL, "stale handle %u still live", i);
	}
	if (failures)
		fprintf(stderr, "test_handle_cache: %u failures\n", failures);
	else
		printf("test_handle_cache: ok\n");
	return failures ? 1 : 0;
}
