/*
 * test_slab.c - the object caches (core/slab.h) on their own: objects of a
 * cache never overlap, keep what was written into them, are reused after a
 * free, and, where the cache carves them from arenas (not SLAB_PASS_THROUGH),
 * sit at the cache's alignment and phase: the destination block relies on
 * them for the lines a lookup reads (core/dest.c).
 *
 * The per-thread magazines (threads that entered the API): an object freed
 * on a thread is the next one it gets; a thread's magazines go back to the
 * cache when it exits, so that threads coming and going neither lose objects
 * (the cache would carve fresh ones) nor hand one out twice; and many
 * threads allocating and freeing at once never hold the same object.
 *
 * Links rtm_static through rtm::internal (slab_* are not exported by librtm).
 * Built twice: unit_slab uses the library's caches, whose sanitizer builds
 * pass every object to malloc (SLAB_PASS_THROUGH); unit_slab_arenas
 * (TEST_SLAB_OWN_COPY) compiles core/slab.c into the test itself with
 * SLAB_KEEP_ARENAS, under other names, so that the tsan and asan presets
 * check the arena and magazine code too.  That copy is not the one
 * rcu.c's thread-exit hook calls, so its threads call their exit by hand.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef TEST_SLAB_OWN_COPY
#define SLAB_KEEP_ARENAS 1
#define slab_alloc test_slab_alloc
#define slab_free test_slab_free
#define slab_thread_exit test_slab_thread_exit
#include "slab.c"
#define thread_exit_by_hand() slab_thread_exit()
#else
#include "rcu.h"
#include "slab.h"
#define thread_exit_by_hand() ((void)0)
#endif

#if defined(TEST_SLAB_OWN_COPY) || !defined(SLAB_PASS_THROUGH)
#define ARENAS 1 /* objects come from arenas and magazines */
#endif

#define NOBJ 5000u /* more than one 8 MiB arena holds for the big cache below */

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

static void *objs[NOBJ];

static void
exercise(struct slab *s, unsigned n)
{
	/* Fill each object with its own byte, then check none was overwritten. */
	for (unsigned i = 0; i < n; i++) {
		objs[i] = slab_alloc(s);
		CHECK(objs[i] != NULL, "object %u of %zu bytes", i, s->size);
		if (!objs[i])
			return;
#ifdef ARENAS
		CHECK((((uintptr_t)objs[i] + s->phase) & (s->align - 1)) == 0,
		      "object %u at %p, alignment %zu, phase %zu", i, objs[i], s->align, s->phase);
#endif
		memset(objs[i], (int)(i & 0xFF), s->size);
	}
	for (unsigned i = 0; i < n; i++) {
		const unsigned char *p = objs[i];
		size_t k = 0;

		while (k < s->size && p[k] == (unsigned char)(i & 0xFF))
			k++;
		CHECK(k == s->size, "object %u overwritten at byte %zu", i, k);
	}
	/* Freed objects come back before fresh ones. */
	slab_free(s, objs[n / 2]);
#ifdef ARENAS
	CHECK(slab_alloc(s) == objs[n / 2], "a freed object was not reused");
#else
	objs[n / 2] = slab_alloc(s);
#endif
	for (unsigned i = 0; i < n; i++)
		slab_free(s, objs[i]);
}

/* --- magazines ------------------------------------------------------------ */

#define CHURN_THREADS 8u
#define CHURN_ROUNDS 300u
#define CHURN_HELD 100u /* objects a churning thread holds at most */
#define EXITERS 40u
#define EXITER_OBJS 150u /* more than a magazine holds (2 x SLAB_BATCH) */

static struct slab shared = SLAB_INIT(224, 32, 8);

/* Every object any thread got, for the checks after they exit. */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static void *seen[CHURN_THREADS * CHURN_ROUNDS * CHURN_HELD + EXITERS * EXITER_OBJS];
static size_t seen_count;

static void
seen_add(void *const *p, size_t n)
{
	pthread_mutex_lock(&seen_lock);
	for (size_t i = 0; i < n; i++)
		seen[seen_count++] = p[i];
	pthread_mutex_unlock(&seen_lock);
}

static int
address_order(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;

	return (x > y) - (x < y);
}

/* Sort p[0..n) and drop repeats; returns the count left. */
static size_t
distinct(void **p, size_t n)
{
	size_t k = 0;

	qsort(p, n, sizeof(*p), address_order);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || p[k - 1] != p[i])
			p[k++] = p[i];
	return k;
}

/* The object's owner mark: the thread's number and a serial, in each of its
 * 28 words; any other writer shows as a changed word. */
static void
mark(void *obj, uint64_t tag)
{
	uint64_t *w = obj;

	for (size_t i = 0; i < shared.size / sizeof(*w); i++)
		w[i] = tag;
}

static bool
still_marked(const void *obj, uint64_t tag)
{
	const uint64_t *w = obj;

	for (size_t i = 0; i < shared.size / sizeof(*w); i++)
		if (w[i] != tag)
			return false;
	return true;
}

static _Atomic unsigned churn_errors;

/* Allocate and free in irregular runs, marking each object while held. */
static void *
churn_thread(void *arg)
{
	uint64_t me = (uint64_t)(uintptr_t)arg, serial = 0;
	uint32_t rnd = (uint32_t)me * 2654435761u + 1;
	void *held[CHURN_HELD];
	uint64_t tags[CHURN_HELD];
	unsigned n = 0;

	rcu_thread_enter(); /* magazines are for threads that entered the API */
	for (unsigned round = 0; round < CHURN_ROUNDS; round++) {
		unsigned want;

		rnd = rnd * 1103515245u + 12345u;
		want = (rnd >> 8) % (CHURN_HELD + 1);
		while (n < want) {
			void *p = slab_alloc(&shared);

			if (!p) {
				atomic_fetch_add(&churn_errors, 1);
				break;
			}
			seen_add(&p, 1);
			tags[n] = me << 32 | ++serial;
			mark(p, tags[n]);
			held[n++] = p;
		}
		while (n > want) {
			n--;
			if (!still_marked(held[n], tags[n]))
				atomic_fetch_add(&churn_errors, 1);
			slab_free(&shared, held[n]);
		}
	}
	while (n > 0) {
		n--;
		if (!still_marked(held[n], tags[n]))
			atomic_fetch_add(&churn_errors, 1);
		slab_free(&shared, held[n]);
	}
	thread_exit_by_hand();
	return NULL;
}

/* Allocate EXITER_OBJS, free them all (most into the magazine's chains and
 * batches it gives back), and exit holding a magazine's worth. */
static void *
exiter_thread(void *arg)
{
	void *objs_mine[EXITER_OBJS];

	(void)arg;
	rcu_thread_enter();
	for (unsigned i = 0; i < EXITER_OBJS; i++) {
		objs_mine[i] = slab_alloc(&shared);
		if (!objs_mine[i]) {
			atomic_fetch_add(&churn_errors, 1);
			return NULL;
		}
	}
	seen_add(objs_mine, EXITER_OBJS);
	for (unsigned i = 0; i < EXITER_OBJS; i++)
		slab_free(&shared, objs_mine[i]);
	thread_exit_by_hand();
	return NULL;
}

static void
run_threads(void *(*fn)(void *), unsigned n, bool one_at_a_time)
{
	pthread_t t[CHURN_THREADS > EXITERS ? CHURN_THREADS : EXITERS];

	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&t[i], NULL, fn, (void *)(uintptr_t)(i + 1)) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			exit(2);
		}
		if (one_at_a_time)
			pthread_join(t[i], NULL);
	}
	if (!one_at_a_time)
		for (unsigned i = 0; i < n; i++)
			pthread_join(t[i], NULL);
}

static void
magazines(void)
{
	size_t known;
	void **again;

	/* A thread's own free is its next allocation. */
	rcu_thread_enter();
	{
		void *a = slab_alloc(&shared), *b;

		CHECK(a != NULL, "first object");
		slab_free(&shared, a);
		b = slab_alloc(&shared);
#ifdef ARENAS
		CHECK(b == a, "a freed object (%p) was not the next one (%p)", a, b);
#endif
		slab_free(&shared, b);
	}
	/* Threads that come and go one after another: each exit gives back
	 * what its magazine held, so the next thread gets the same objects; a
	 * magazine lost at exit would make each thread take fresh ones. */
	run_threads(exiter_thread, EXITERS, true);
	known = distinct(seen, seen_count);
#ifdef ARENAS
	CHECK(known <= EXITER_OBJS + 2 * SLAB_BATCH,
	      "%u threads one after another, each holding %u objects, got %zu distinct ones",
	      EXITERS, EXITER_OBJS, known);
#endif
	/* Many threads at once: no object held by two (the marks). */
	run_threads(churn_thread, CHURN_THREADS, false);
	CHECK(atomic_load(&churn_errors) == 0,
	      "%u objects not allocated or changed while held by another thread",
	      atomic_load(&churn_errors));
	known = distinct(seen, seen_count);
#ifdef ARENAS
	CHECK(known <= EXITER_OBJS + CHURN_THREADS * (CHURN_HELD + 2 * SLAB_BATCH),
	      "%zu distinct objects for threads that held at most %u each", known, CHURN_HELD);
#endif
	/* With the threads gone, every object is back once: as many again are
	 * all different. */
	again = calloc(known, sizeof(*again));
	if (!again)
		exit(2);
	for (size_t i = 0; i < known; i++) {
		again[i] = slab_alloc(&shared);
		CHECK(again[i] != NULL, "object %zu of %zu", i, known);
	}
	CHECK(distinct(again, known) == known, "an object was handed out twice");
	for (size_t i = 0; i < known; i++)
		slab_free(&shared, again[i]);
	free(again);
}

/* --- arena sizing ---------------------------------------------------------- */

#ifdef ARENAS
/* Arenas grow with the cache, so the allocator never holds much more than the
 * objects: at most a sixteenth more (the newest arena), plus a magazine's
 * carving and the smallest arena. */
static void
arena_sizing(void)
{
	static struct slab grow = SLAB_INIT(224, 32, 8);
	static const unsigned checkpoints[] = {1, 1000, 10000, 50000, 100000, 200000};
	size_t stride = 224, slack;
	unsigned n = 0;
	/* Kept and freed at the end: the cache's lists then reach every arena
	 * (else LeakSanitizer reports them). */
	void **got = calloc(200000, sizeof(*got));

	if (!got)
		exit(2);
	for (unsigned c = 0; c < sizeof(checkpoints) / sizeof(*checkpoints); c++) {
		while (n < checkpoints[c]) {
			got[n] = slab_alloc(&grow);
			if (!got[n]) {
				CHECK(0, "object %u", n);
				break;
			}
			n++;
		}
		slack = (size_t)n * stride / 16 + 2 * SLAB_BATCH * stride + 2 * (64u << 10);
		CHECK(grow.arena_bytes <= (size_t)n * stride + slack,
		      "%u objects of %zu bytes in %zu bytes of arenas", n, stride,
		      grow.arena_bytes);
		if (n < checkpoints[c])
			break;
	}
	while (n > 0)
		slab_free(&grow, got[--n]);
	free(got);
}
#else
static void
arena_sizing(void)
{
}
#endif

int
main(void)
{
	static struct slab pair = SLAB_INIT(248, 128, 64); /* the destination block's case */
	static struct slab line = SLAB_INIT(200, 64, 0);
	static struct slab odd = SLAB_INIT(300, 8, 0);
	static struct slab big = SLAB_INIT(3000, 64, 8); /* spans arenas */

	exercise(&pair, NOBJ);
	exercise(&line, NOBJ);
	exercise(&odd, NOBJ);
	exercise(&big, NOBJ);
	magazines();
	arena_sizing();
	if (failures) {
		fprintf(stderr, "test_slab: %u failures\n", failures);
		return 1;
	}
	printf("test_slab: ok\n");
	return 0;
}
