/*
 * Fixed-size object caches for the store's most numerous object (the
 * destination block, dest.h): objects are carved out of arenas, with no
 * per-object allocator header, and freed objects are kept in the cache for
 * the next allocation (arena memory is never given back).  Arenas come from
 * rtm_malloc(), so an arena that cannot be had makes slab_alloc() return
 * NULL like any other allocation, and the whole 2 MiB pages inside each
 * arena (large arenas only have any) are offered to the kernel for
 * transparent huge pages (a full table touches a few hundred megabytes of
 * fresh memory: 2 MiB pages take far fewer faults).
 *
 * Builds with a sanitizer or with RTM_FAULT_INJECTION (SLAB_PASS_THROUGH
 * defined) pass every object straight to rtm_malloc()/rtm_free(), so that
 * use-after-free detection and fault injection see each object; objects then
 * have malloc's alignment, not the cache's.
 *
 * Arenas grow with the cache: the first is SLAB_ARENA_MIN bytes and each next
 * one is the largest power of two that is at most a sixteenth of the arena
 * bytes the cache already holds, within SLAB_ARENA_MIN..SLAB_ARENA_MAX
 * (slab.c).  So the unused tail of the current arena, which the allocator
 * counts as in use, stays below about 1/16 of the cache's memory (plus one
 * small arena) instead of up to a whole 8 MiB arena: 12 instead of 38
 * bytes per prefix for the IPv6 table's blocks, docs/memory.md; a full IPv4
 * table still ends in 8 MiB arenas.
 *
 * Per-thread magazines (not SLAB_PASS_THROUGH).  A thread that entered the
 * API (rcu_thread_registered) keeps, per cache, up to 2 x SLAB_BATCH free
 * objects of its own and allocates from and frees to them without a lock:
 * a "loaded" chain of 0..SLAB_BATCH objects and a "spare" chain of exactly
 * SLAB_BATCH or none.  Only when both are empty (alloc) or both full (free)
 * does it take the cache's lock, once per SLAB_BATCH objects, to take or give
 * a whole batch.  RCU callbacks mostly run on the writer that retired the
 * objects (rcu.c), so a writer's frees refill its own magazine.  Its
 * magazines go back to the cache at its exit (slab_thread_exit(), called
 * from rcu.c's thread-exit hook); from then on the thread, and every thread
 * that never entered the API (call_rcu workers), use the lock for each
 * object, as before.
 *
 * Concurrency:
 * - size, align, phase: immutable.
 * - free, free_count, full, next, end, arena_bytes: guarded by lock (a leaf
 *   lock).  free is a chain of fewer than SLAB_BATCH loose objects, linked
 *   through their first word; full is a stack of batches, each a chain of
 *   exactly SLAB_BATCH objects (NULL-terminated, through the first word)
 *   whose head links to the next batch through its second word, so a
 *   magazine takes or gives a batch in O(1) under the lock.
 * - magazine: 0 until the first thread with magazines uses the cache, then
 *   its index + 1 in every thread's magazine table (or SLAB_NO_MAGAZINE when
 *   the table is full: that cache always takes the lock).  Set once, under
 *   slab.c's registry lock, with a release store; read with acquire.
 * - A thread's magazines (slab.c, thread-local): touched only by their
 *   thread; objects move between them and the cache only under lock.
 * - An object is in exactly one place: handed out, in one thread's
 *   magazine, in free, in a batch of full, or not yet carved.
 * slab_alloc and slab_free may be called from any thread, including RCU
 * callbacks and threads that exit.
 *
 * The lock is glibc's adaptive mutex: it spins a little before it sleeps, as
 * what it guards takes a few instructions while a futex sleep and wake-up
 * take microseconds.  Before the magazines, two writers loading one table
 * collided on it in about 11 % of adds (tools/contention); with the adaptive
 * lock, two writers' routes per CPU second rose from 0.39-0.42 to 0.53-0.60
 * of one writer's (tools/rtm-sharescale, old and new alternated, load
 * average about 1).  The handle table's free_lock is the same kind for the
 * same reason.
 */
#ifndef RTM_SLAB_H
#define RTM_SLAB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

/* SLAB_KEEP_ARENAS: only for tests/unit/test_slab.c's own copy of slab.c,
 * which checks the arena and magazine code under the sanitizers too. */
#ifndef SLAB_KEEP_ARENAS
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SLAB_PASS_THROUGH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SLAB_PASS_THROUGH 1
#endif
#endif
#ifdef RTM_FAULT_INJECTION
#define SLAB_PASS_THROUGH 1
#endif
#endif

/* Objects a magazine takes from or gives to its cache at a time. */
#define SLAB_BATCH 32

struct slab {
	size_t size;  /* object size; immutable */
	size_t align; /* a power of two >= 8; immutable */
	size_t phase; /* objects sit where address + phase is a multiple of align */
	pthread_mutex_t lock;
	void *free;          /* loose freed objects (< SLAB_BATCH), first-word links */
	unsigned free_count; /* objects on free */
	void *full;          /* batches of SLAB_BATCH objects, second-word links */
	char *next, *end;    /* the current arena's unused tail */
	size_t arena_bytes;  /* arenas allocated so far, in bytes */
	_Atomic unsigned magazine; /* index + 1 in the magazine tables, see above */
};

/*
 * A cache of objsize-byte objects placed objsize (at least 16: a free
 * batch's head holds two links) rounded up to objalign (a power of two, at
 * least 8) apart, each where its address plus objphase (a multiple of 8
 * below objalign) is a multiple of objalign.  So an alignment
 * of 64 keeps every object on cache lines of its own, and 128 with a phase
 * of 64 also pairs the object's lines 1 and 2 (byte offsets 64..191) in one
 * aligned 128-byte block, which CPUs that fetch lines in pairs (the L2
 * adjacent-line prefetcher) then load together.  Rounding costs memory.
 */
#define SLAB_INIT(objsize, objalign, objphase)                                                  \
	{.size = (objsize),                                                                     \
	 .align = (objalign),                                                                   \
	 .phase = (objphase),                                                                   \
	 .lock = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP}

/* An object of s->size bytes (not cleared), or NULL on ENOMEM. */
void *slab_alloc(struct slab *s);

/* Give back an object of s. */
void slab_free(struct slab *s, void *p);

/* Give the calling thread's magazines back to their caches; its later
 * slab_alloc/slab_free take the lock.  Called from rcu.c's thread-exit hook. */
void slab_thread_exit(void);

#endif
