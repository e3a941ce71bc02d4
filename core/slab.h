/*
 * Fixed-size object caches for the store's most numerous object (the
 * destination block, dest.h): objects are carved out of large arenas, with no
 * per-object allocator header, and freed objects are kept on the cache's free
 * list for the next allocation (arena memory is never given back).  Arenas
 * come from rtm_malloc(), so an arena that cannot be had makes slab_alloc()
 * return NULL like any other allocation, and the interior of each arena is
 * offered to the kernel for transparent huge pages (a full table touches a
 * few hundred megabytes of fresh memory: 2 MiB pages take far fewer faults).
 *
 * Builds with a sanitizer or with RTM_FAULT_INJECTION (SLAB_PASS_THROUGH
 * defined) pass every object straight to rtm_malloc()/rtm_free(), so that
 * use-after-free detection and fault injection see each object; objects then
 * have malloc's alignment, not the cache's.
 *
 * Concurrency: all fields are guarded by lock (a leaf lock); slab_alloc and
 * slab_free may be called from any thread, including RCU callbacks.  The
 * lock is glibc's adaptive mutex: it spins a little before it sleeps, as
 * what it guards takes a few instructions while a futex sleep and wake-up
 * take microseconds.  Two writers loading one table collided on it in about
 * 11 % of adds (tools/contention); with the adaptive lock, two writers'
 * routes per CPU second rose from 0.39-0.42 to 0.53-0.60 of one writer's
 * (tools/rtm-sharescale, old and new alternated, load average about 1).
 * The handle table's free_lock is the same kind for the same reason.
 */
#ifndef RTM_SLAB_H
#define RTM_SLAB_H

#include <pthread.h>
#include <stddef.h>

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

struct slab {
	size_t size;  /* object size; immutable */
	size_t align; /* a power of two >= 8; immutable */
	size_t phase; /* objects sit where address + phase is a multiple of align */
	pthread_mutex_t lock;
	void *free;        /* freed objects, linked through their first word */
	char *next, *end;  /* the current arena's unused tail */
};

/*
 * A cache of objsize-byte objects placed objsize rounded up to objalign (a
 * power of two, at least 8) apart, each where its address plus objphase (a
 * multiple of 8 below objalign) is a multiple of objalign.  So an alignment
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

#endif
