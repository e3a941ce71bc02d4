/*
 * Handle table.
 *
 * Concurrency:
 * - chunks[]: a chunk pointer is published once with a release store under
 *   free_lock and never changes or goes away; readers load it with acquire.
 * - slot->word (generation | type | refs): changed only by CAS or atomic
 *   add/sub.  Acquiring a reference is a CAS loop that refuses a word whose
 *   generation or type differ or whose count is zero, so a dead handle can
 *   never be revived.  The release that takes the count to zero runs the
 *   finalizer exactly once.
 * - slot->obj: written before the slot is published (the handle value is
 *   handed out after handle_alloc returns) and read after validating word.
 * - free list (free_head, slot->next_free): guarded by free_lock.  A slot
 *   reaches the free list only through handle_recycle(), which the owner
 *   calls after a grace period, with the generation bumped first.
 *
 * Progress: handle_get/handle_ref/handle_put are lock-free; handle_alloc and
 * handle_recycle take free_lock (a leaf lock) when their per-thread cache is
 * empty or full.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "handle.h"

#define CHUNK_BITS 16
#define CHUNK_SLOTS (1u << CHUNK_BITS)
#define MAX_CHUNKS (1u << 16)
#define CACHE_MAX 64
#define CACHE_REFILL 32

#define H_MAGIC 0xAull
#define GEN_MASK 0xFFFFFFull

struct slot {
	_Atomic uint64_t word; /* gen:24 << 40 | type:8 << 32 | refs:32 */
	_Atomic(void *) obj;
	uint32_t next_free; /* free list link, under free_lock */
};

static _Atomic(struct slot *) chunks[MAX_CHUNKS];
static pthread_mutex_t free_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t free_head = UINT32_MAX; /* under free_lock */
static uint32_t next_unused = 1;        /* under free_lock; index 0 never used */
static handle_finalizer finalizers[HT_COUNT];

static __thread uint32_t cache[CACHE_MAX];
static __thread unsigned cache_len;

static inline uint64_t
word_make(uint32_t gen, enum htype type, uint32_t refs)
{
	return ((uint64_t)(gen & GEN_MASK) << 40) | ((uint64_t)type << 32) | refs;
}

static inline uint32_t
word_gen(uint64_t w)
{
	return (uint32_t)(w >> 40);
}

static inline unsigned
word_type(uint64_t w)
{
	return (unsigned)((w >> 32) & 0xFF);
}

static inline uint32_t
word_refs(uint64_t w)
{
	return (uint32_t)w;
}

static inline rtm_handle
handle_make(uint32_t index, uint32_t gen, enum htype type)
{
	uint64_t v = (H_MAGIC << 60) | ((uint64_t)type << 56) | ((uint64_t)(gen & GEN_MASK) << 32) |
		     index;
	return (rtm_handle)(uintptr_t)v;
}

static inline struct slot *
slot_of_index(uint32_t index)
{
	struct slot *chunk = ld_acquire(&chunks[index >> CHUNK_BITS]);

	if (!chunk)
		return NULL;
	return &chunk[index & (CHUNK_SLOTS - 1)];
}

/* Decode h; NULL if it cannot be a handle of ours. */
static inline struct slot *
slot_of(rtm_handle h, uint32_t *gen, unsigned *type)
{
	uint64_t v = (uint64_t)(uintptr_t)h;

	if ((v >> 60) != H_MAGIC)
		return NULL;
	*type = (unsigned)((v >> 56) & 0xF);
	*gen = (uint32_t)((v >> 32) & GEN_MASK);
	if (*type == HT_NONE || *type >= HT_COUNT)
		return NULL;
	return slot_of_index((uint32_t)v);
}

void
handle_set_finalizer(enum htype type, handle_finalizer fin)
{
	finalizers[type] = fin;
}

enum htype
handle_type(rtm_handle h)
{
	uint32_t gen;
	unsigned type;

	return slot_of(h, &gen, &type) ? (enum htype)type : HT_NONE;
}

/* Under free_lock: one free index, or UINT32_MAX when out of space. */
static uint32_t
index_take_locked(void)
{
	uint32_t idx = free_head;

	if (idx != UINT32_MAX) {
		free_head = slot_of_index(idx)->next_free;
		return idx;
	}
	if ((uint64_t)next_unused >= (uint64_t)MAX_CHUNKS * CHUNK_SLOTS - 1)
		return UINT32_MAX;
	if (!ld_relaxed(&chunks[next_unused >> CHUNK_BITS])) {
		struct slot *chunk = calloc(CHUNK_SLOTS, sizeof(*chunk));

		if (!chunk)
			return UINT32_MAX;
		/* Pairs with the acquire in slot_of_index(). */
		st_release(&chunks[next_unused >> CHUNK_BITS], chunk);
	}
	return next_unused++;
}

static bool
cache_refill(void)
{
	pthread_mutex_lock(&free_lock);
	while (cache_len < CACHE_REFILL) {
		uint32_t idx = index_take_locked();

		if (idx == UINT32_MAX)
			break;
		cache[cache_len++] = idx;
	}
	pthread_mutex_unlock(&free_lock);
	return cache_len > 0;
}

int
handle_alloc(enum htype type, void *obj, uint32_t refs, rtm_handle *out)
{
	uint32_t idx, gen;
	struct slot *s;

	if (cache_len == 0 && !cache_refill())
		return -ENOMEM;
	idx = cache[--cache_len];
	s = slot_of_index(idx);
	gen = word_gen(ld_relaxed(&s->word));
	st_relaxed(&s->obj, obj);
	/* Pairs with the acquire loads of word in handle_get/handle_ref. */
	st_release(&s->word, word_make(gen, type, refs));
	*out = handle_make(idx, gen, type);
	return 0;
}

void *
handle_get(rtm_handle h, enum htype type)
{
	uint32_t gen;
	unsigned t;
	struct slot *s = slot_of(h, &gen, &t);
	uint64_t w;

	if (!s || t != (unsigned)type)
		return NULL;
	w = ld_acquire(&s->word);
	if (word_gen(w) != gen || word_type(w) != t || word_refs(w) == 0)
		return NULL;
	return ld_relaxed(&s->obj);
}

void *
handle_ref_any(rtm_handle h, unsigned type_mask)
{
	uint32_t gen;
	unsigned t;
	struct slot *s = slot_of(h, &gen, &t);
	uint64_t w;

	if (!s || !(type_mask & HT_BIT(t)))
		return NULL;
	w = ld_acquire(&s->word);
	for (;;) {
		if (word_gen(w) != gen || word_type(w) != t || word_refs(w) == 0 ||
		    word_refs(w) == UINT32_MAX)
			return NULL;
		if (cas_acq_rel(&s->word, &w, w + 1))
			return ld_relaxed(&s->obj);
	}
}

void *
handle_ref(rtm_handle h, enum htype type)
{
	return handle_ref_any(h, HT_BIT(type));
}

static void
slot_release(struct slot *s, uint64_t old, unsigned type)
{
	if (word_refs(old) == 1 && finalizers[type])
		finalizers[type](ld_relaxed(&s->obj));
}

void
handle_put(rtm_handle h)
{
	uint32_t gen;
	unsigned t;
	struct slot *s = slot_of(h, &gen, &t);
	uint64_t old;

	if (!s)
		abort(); /* broken invariant: the caller owned a reference */
	old = fetch_sub_acq_rel(&s->word, 1);
	if (word_refs(old) == 0 || word_gen(old) != gen)
		abort();
	slot_release(s, old, t);
}

bool
handle_put_checked(rtm_handle h, unsigned type_mask)
{
	uint32_t gen;
	unsigned t;
	struct slot *s = slot_of(h, &gen, &t);
	uint64_t w;

	if (!s || !(type_mask & HT_BIT(t)))
		return false;
	w = ld_acquire(&s->word);
	for (;;) {
		if (word_gen(w) != gen || word_type(w) != t || word_refs(w) == 0)
			return false;
		if (cas_acq_rel(&s->word, &w, w - 1))
			break;
	}
	slot_release(s, w, t);
	return true;
}

uint32_t
handle_refs(rtm_handle h)
{
	uint32_t gen;
	unsigned t;
	struct slot *s = slot_of(h, &gen, &t);
	uint64_t w;

	if (!s)
		return 0;
	w = ld_acquire(&s->word);
	if (word_gen(w) != gen || word_type(w) != t)
		return 0;
	return word_refs(w);
}

void
handle_recycle(rtm_handle h)
{
	uint32_t gen;
	unsigned t;
	struct slot *s = slot_of(h, &gen, &t);
	uint32_t idx = (uint32_t)(uintptr_t)h;

	if (!s)
		abort();
	/* New generation: every old handle value of this slot is dead. */
	st_release(&s->word, word_make(gen + 1, HT_NONE, 0));
	st_relaxed(&s->obj, NULL);
	if (cache_len < CACHE_MAX) {
		cache[cache_len++] = idx;
		return;
	}
	pthread_mutex_lock(&free_lock);
	s->next_free = free_head;
	free_head = idx;
	pthread_mutex_unlock(&free_lock);
}
