/*
 * Object caches (see slab.h).  An arena is one rtm_malloc() of
 * SLAB_ARENA_BYTES; objects are handed out from its start at the cache's
 * alignment and phase (slab.h; 8 and 0 are enough for the store's objects, which hold nothing wider
 * than a pointer or a uint64_t, where malloc's 16 would cost 8 bytes per
 * destination block; 64 keeps each object on cache lines of its own).
 * Arenas are never freed.
 */
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "alloc.h"
#include "slab.h"

#define SLAB_ARENA_BYTES (8u << 20)
#define SLAB_HUGE_PAGE (2u << 20)

#ifdef SLAB_PASS_THROUGH

void *
slab_alloc(struct slab *s)
{
	return rtm_malloc(s->size);
}

void
slab_free(struct slab *s, void *p)
{
	(void)s;
	rtm_free(p);
}

#else

static size_t
slab_stride(const struct slab *s)
{
	return (s->size + s->align - 1) & ~(s->align - 1);
}

/* Under s->lock: a fresh arena as the current tail.  False on ENOMEM. */
static bool
arena_new_locked(struct slab *s)
{
	char *a = rtm_malloc(SLAB_ARENA_BYTES);
	uintptr_t lo, hi;

	if (!a)
		return false;
	/* Advice only: an arena without huge pages works the same. */
	lo = ((uintptr_t)a + SLAB_HUGE_PAGE - 1) & ~(uintptr_t)(SLAB_HUGE_PAGE - 1);
	hi = ((uintptr_t)a + SLAB_ARENA_BYTES) & ~(uintptr_t)(SLAB_HUGE_PAGE - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	s->next = (char *)((((uintptr_t)a + s->phase + s->align - 1) & ~(uintptr_t)(s->align - 1)) -
			   s->phase);
	s->end = a + SLAB_ARENA_BYTES;
	return true;
}

void *
slab_alloc(struct slab *s)
{
	size_t stride = slab_stride(s);
	void *p;

	pthread_mutex_lock(&s->lock);
	p = s->free;
	if (p) {
		s->free = *(void **)p;
	} else if ((size_t)(s->end - s->next) >= stride || arena_new_locked(s)) {
		p = s->next;
		s->next += stride;
	}
	pthread_mutex_unlock(&s->lock);
	return p;
}

void
slab_free(struct slab *s, void *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&s->lock);
	*(void **)p = s->free;
	s->free = p;
	pthread_mutex_unlock(&s->lock);
}

#endif
