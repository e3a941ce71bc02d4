/*
 * Object caches (see slab.h for the rules on each field).  An arena is one
 * rtm_malloc() of arena_size_next() bytes; objects are handed out from its
 * start at the cache's alignment and phase (slab.h; 8 and 0 are enough for
 * the store's objects, which hold nothing wider than a pointer or a
 * uint64_t, where malloc's 16 would cost 8 bytes per destination block; 64
 * keeps each object on cache lines of its own).  Arenas are never freed.
 *
 * Magazines.  Each thread that entered the API has a table of
 * SLAB_MAGAZINE_SLABS magazines (allocated on its first use of a cache,
 * freed at its exit), indexed by the cache's `magazine` number; caches get
 * their numbers in the order threads first use them, from `registry`.  A
 * magazine is two chains (loaded, spare) of the thread's own free objects.
 * Progress: an allocation or free that its magazine can serve takes no lock
 * and writes only the thread's magazine and the object; one in SLAB_BATCH at
 * most takes the cache's lock to move a whole batch.  Why batches of 32:
 * they cut the lock to one acquisition per 32 objects while a thread holds
 * at most 64 objects per cache (14 KiB of 224-byte destination blocks).
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#include "alloc.h"
#include "prefetch.h"
#include "rcu.h"
#include "slab.h"

#define SLAB_ARENA_MIN (64u << 10)
#define SLAB_ARENA_MAX (8u << 20)
#define SLAB_ARENA_FRACTION 16 /* a new arena is at most 1/16 of those held */
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

void
slab_thread_exit(void)
{
}

#else

#define SLAB_MAGAZINE_SLABS 16
#define SLAB_NO_MAGAZINE UINT_MAX

struct magazine {
	void *loaded;          /* loaded_count objects, first-word links */
	void *spare;           /* a batch of SLAB_BATCH objects, or NULL */
	unsigned loaded_count; /* 0..SLAB_BATCH */
};

/* registry[i] is the cache numbered i + 1; entries are written under
 * registry_lock before the release store of `registered` that covers them. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slab *registry[SLAB_MAGAZINE_SLABS];
static _Atomic unsigned registered;

static __thread struct magazine *magazines_mine; /* SLAB_MAGAZINE_SLABS, or NULL */
static __thread bool magazines_closed; /* exited, or the table could not be had */

static size_t
slab_stride(const struct slab *s)
{
	size_t size = s->size < 2 * sizeof(void *) ? 2 * sizeof(void *) : s->size;

	return (size + s->align - 1) & ~(s->align - 1);
}

static void *
link_of(void *obj)
{
	return *(void **)obj;
}

static void
set_link(void *obj, void *next)
{
	*(void **)obj = next;
}

/* The second word of a batch's head: the next batch. */
static void **
batch_link(void *head)
{
	return (void **)head + 1;
}

/* Bytes for s's next arena: small while s holds little, so that the unused
 * tail of its current arena stays a small part of what it holds. */
static size_t
arena_size_next(const struct slab *s)
{
	size_t bytes = SLAB_ARENA_MIN;

	while (bytes < SLAB_ARENA_MAX && bytes * SLAB_ARENA_FRACTION <= s->arena_bytes)
		bytes *= 2;
	while (bytes < slab_stride(s) + s->align) /* room for one object at its place */
		bytes *= 2;
	return bytes;
}

/* Under s->lock: a fresh arena as the current tail.  False on ENOMEM. */
static bool
arena_new_locked(struct slab *s)
{
	size_t bytes = arena_size_next(s);
	char *a = rtm_malloc(bytes);
	uintptr_t lo, hi;

	if (!a)
		return false;
	/* Advice only, and only where the arena spans a whole aligned huge page:
	 * an arena without huge pages works the same. */
	lo = ((uintptr_t)a + SLAB_HUGE_PAGE - 1) & ~(uintptr_t)(SLAB_HUGE_PAGE - 1);
	hi = ((uintptr_t)a + bytes) & ~(uintptr_t)(SLAB_HUGE_PAGE - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	s->next = (char *)((((uintptr_t)a + s->phase + s->align - 1) & ~(uintptr_t)(s->align - 1)) -
			   s->phase);
	s->end = a + bytes;
	s->arena_bytes += bytes;
	return true;
}

/* Under s->lock: reserve up to max fresh objects, consecutive from *first;
 * returns how many (0 on ENOMEM).  The caller links them. */
static unsigned
carve_locked(struct slab *s, unsigned max, char **first)
{
	size_t stride = slab_stride(s);
	size_t room = (size_t)(s->end - s->next) / stride;
	unsigned n;

	if (room == 0) {
		if (!arena_new_locked(s))
			return 0;
		room = (size_t)(s->end - s->next) / stride;
	}
	n = room < max ? (unsigned)room : max;
	*first = s->next;
	s->next += n * stride;
	return n;
}

/* Chain n objects placed stride apart from first, in address order. */
static void *
chain_carved(char *first, unsigned n, size_t stride)
{
	for (unsigned i = 0; i + 1 < n; i++)
		set_link(first + i * stride, first + (i + 1) * stride);
	set_link(first + (n - 1) * stride, NULL);
	return first;
}

static void
batch_push_locked(struct slab *s, void *head)
{
	*batch_link(head) = s->full;
	s->full = head;
}

/* Under s->lock: p onto the loose list; a full loose list becomes a batch. */
static void
loose_push_locked(struct slab *s, void *p)
{
	set_link(p, s->free);
	s->free = p;
	if (++s->free_count == SLAB_BATCH) {
		batch_push_locked(s, s->free);
		s->free = NULL;
		s->free_count = 0;
	}
}

/* The number (index + 1) of s in the magazine tables, given on first use. */
static unsigned
slab_register(struct slab *s)
{
	unsigned id;

	pthread_mutex_lock(&registry_lock);
	id = ld_relaxed(&s->magazine);
	if (id == 0) {
		unsigned n = ld_relaxed(&registered);

		if (n < SLAB_MAGAZINE_SLABS) {
			registry[n] = s;
			st_release(&registered, n + 1); /* pairs with slab_thread_exit */
			id = n + 1;
		} else {
			id = SLAB_NO_MAGAZINE;
		}
		st_release(&s->magazine, id); /* pairs with magazine_mine */
	}
	pthread_mutex_unlock(&registry_lock);
	return id;
}

static bool
magazines_open(void)
{
	if (magazines_closed || !rcu_thread_registered)
		return false;
	magazines_mine = rtm_calloc(SLAB_MAGAZINE_SLABS, sizeof(*magazines_mine));
	if (!magazines_mine)
		magazines_closed = true; /* the lock for every object; still correct */
	return magazines_mine != NULL;
}

/* The calling thread's magazine for s, or NULL if it uses the lock. */
static inline struct magazine *
magazine_mine(struct slab *s)
{
	unsigned id;

	if (unlikely(!magazines_mine) && !magazines_open())
		return NULL;
	id = ld_acquire(&s->magazine);
	if (unlikely(id == 0))
		id = slab_register(s);
	if (unlikely(id == SLAB_NO_MAGAZINE))
		return NULL;
	return &magazines_mine[id - 1];
}

/* Fill m's empty loaded chain: the spare, else a batch, the loose objects or
 * fresh ones from s.  False on ENOMEM. */
static bool
magazine_load(struct slab *s, struct magazine *m)
{
	char *first = NULL;
	unsigned carved = 0;

	if (m->spare) {
		m->loaded = m->spare;
		m->loaded_count = SLAB_BATCH;
		m->spare = NULL;
		return true;
	}
	pthread_mutex_lock(&s->lock);
	if (s->full) {
		m->loaded = s->full;
		m->loaded_count = SLAB_BATCH;
		s->full = *batch_link(s->full);
	} else if (s->free) {
		m->loaded = s->free;
		m->loaded_count = s->free_count;
		s->free = NULL;
		s->free_count = 0;
	} else {
		carved = carve_locked(s, SLAB_BATCH, &first);
	}
	pthread_mutex_unlock(&s->lock);
	if (carved) {
		m->loaded = chain_carved(first, carved, slab_stride(s));
		m->loaded_count = carved;
	}
	return m->loaded_count > 0;
}

/* Make room in m's full loaded chain: it becomes the spare, and a full spare
 * goes back to s as a batch. */
static void
magazine_unload(struct slab *s, struct magazine *m)
{
	if (m->spare) {
		pthread_mutex_lock(&s->lock);
		batch_push_locked(s, m->spare);
		pthread_mutex_unlock(&s->lock);
	}
	m->spare = m->loaded;
	m->loaded = NULL;
	m->loaded_count = 0;
}

/* One object under the lock, for a thread without a magazine. */
static void *
alloc_locked(struct slab *s)
{
	char *p = NULL;

	pthread_mutex_lock(&s->lock);
	if (!s->free && s->full) { /* the batch becomes the loose list */
		s->free = s->full;
		s->free_count = SLAB_BATCH;
		s->full = *batch_link(s->full);
	}
	if (s->free) {
		p = s->free;
		s->free = link_of(p);
		s->free_count--;
	} else {
		(void)carve_locked(s, 1, &p);
	}
	pthread_mutex_unlock(&s->lock);
	return p;
}

void *
slab_alloc(struct slab *s)
{
	struct magazine *m = magazine_mine(s);
	void *p;

	if (!m)
		return alloc_locked(s);
	if (unlikely(m->loaded_count == 0) && !magazine_load(s, m))
		return NULL;
	p = m->loaded;
	m->loaded = link_of(p);
	m->loaded_count--;
	/*
	 * Every line of the object the next allocation hands out, for writing:
	 * its caller (dest_new) writes the whole object at once, and a freed
	 * object is usually cold by then (it waited a grace period), so
	 * without this each allocation waits for its object's lines (and first
	 * for the link in its first word) in turn; with it they arrive while
	 * the caller does the rest of its change (a trie walk of its own
	 * misses), overlapped.
	 */
	if (m->loaded)
		prefetch_for_write(m->loaded, s->size);
	return p;
}

void
slab_free(struct slab *s, void *p)
{
	struct magazine *m;

	if (!p)
		return;
	m = magazine_mine(s);
	if (!m) {
		pthread_mutex_lock(&s->lock);
		loose_push_locked(s, p);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	if (unlikely(m->loaded_count == SLAB_BATCH))
		magazine_unload(s, m);
	set_link(p, m->loaded);
	m->loaded = p;
	m->loaded_count++;
}

void
slab_thread_exit(void)
{
	struct magazine *mags = magazines_mine;
	unsigned n = ld_acquire(&registered); /* pairs with slab_register */

	magazines_closed = true;
	magazines_mine = NULL;
	if (!mags)
		return;
	for (unsigned i = 0; i < n; i++) {
		struct slab *s = registry[i];
		struct magazine *m = &mags[i];

		if (!m->spare && !m->loaded)
			continue;
		pthread_mutex_lock(&s->lock);
		if (m->spare)
			batch_push_locked(s, m->spare);
		while (m->loaded) {
			void *next = link_of(m->loaded);

			loose_push_locked(s, m->loaded);
			m->loaded = next;
		}
		pthread_mutex_unlock(&s->lock);
	}
	rtm_free(mags);
}

#endif
