/*
 * Handle table.
 *
 * Concurrency:
 * - handle_chunks[] (the slot table, handle_slot.h): a chunk pointer is
 *   published once with a release store under free_lock and never changes
 *   or goes away; readers load it with acquire.
 * - slot->word (generation | type | refs): changed only by CAS or atomic
 *   add/sub.  Acquiring a reference is a CAS loop that refuses a word whose
 *   generation or type differ or whose count is zero, so a dead handle can
 *   never be revived.  The release that takes the count to zero runs the
 *   finalizer exactly once.
 * - slot->obj: written before the slot is published (the handle value is
 *   handed out after handle_alloc returns) and read after validating word.
 * - free list (free_head, and a free slot's obj as the link; full_batches,
 *   spare_batches, batch_pool): guarded by free_lock.  A slot reaches the
 *   free list only through handle_recycle(), which the owner calls after a
 *   grace period, with the generation bumped first.
 *
 * - cache[], cache_len: thread-local free indices (see CACHE_REFILL); given
 *   back to the free list when the thread exits (handle_thread_exit).
 *
 * Progress: handle_get/handle_ref/handle_put are lock-free; handle_alloc and
 * handle_recycle take free_lock (a leaf lock) when their per-thread cache is
 * empty or full.
 *
 * Ledgers (handle.h).  Invariant for a live object with W_LEDGER set:
 *   slot refs + sum over threads of ledger counts for it = REF_BIAS + true count.
 * A thread changes its own ledger's entries inside a batch (ledger_batch_*),
 * which may cover several handles (all those of one RTM_DEST_INFO):
 *   1. announce: make my->announce odd (seq_cst store);
 *   2. per handle, re-read the slot word (seq_cst): if W_LEDGER is gone, use
 *      the slot count instead; else add one to (or take one from) my entry
 *      with a plain store;
 *   3. make my->announce even again (release).
 * Killing (handle_kill): clear W_LEDGER (seq_cst RMW), then for each ledger
 * read announce (seq_cst) and, if it is odd, wait until it changes (the batch
 * it saw has ended), then move the ledger's entry for this index into the
 * slot (CAS).  The two seq_cst pairs are a Dekker handshake: either the
 * thread sees W_LEDGER cleared and uses the slot count, or the killer sees
 * the announcement and waits until the entry includes the change, so no
 * ledger reference is missed or counted twice, and the killer's CAS never
 * races with the owner's plain stores.  A single drop outside a batch
 * (handle_put) instead CASes the thread's own entry (count > 0 for that
 * index), which races only with a killer's CAS; otherwise it goes to the
 * slot count.
 * Switching to ledgers.  An object starts counted in its slot only (no
 * W_LEDGER, no bias), so that one deleted before it was ever shared (a
 * route or destination that churns, seen by its creator alone) is killed
 * with one RMW and no visit of the ledgers.  slot_ref() switches it: the
 * first reference taken through handle_ref* after the creator's sets
 * W_TOUCHED, the second sets W_LEDGER and adds REF_BIAS, in the CAS that
 * takes the reference, and only while W_KILLED is clear.  Before that CAS no
 * ledger holds a count for the index (entries grow only in a batch that saw
 * W_LEDGER with this key, and the previous object of the slot was harvested
 * by its killer), so the invariant holds from the switch on.  handle_kill()
 * sets W_KILLED and clears W_LEDGER in one seq_cst CAS; if W_LEDGER was
 * clear, the count is exact already and it returns; else it visits the
 * ledgers as below.  Every change of the word is an RMW, so a switch and a
 * kill are ordered: a switch after the kill is refused (W_KILLED), a switch
 * before it is seen by it.  A thread that reads a word without W_LEDGER
 * takes its reference in the slot count, with no batch: the slot count is
 * always a right place for a reference (it is one term of the invariant, and
 * the whole count once killed).
 * Batches and their cost.  handle_ref_all() and handle_put_all() begin a
 * batch only when an entry of this thread may take (hold) one of the
 * handles; handle_ref_read_rcu() (a dest info being filled: all of ledger
 * types, and a free entry nearly always there) begins one whenever the
 * thread has a ledger, and a handle its entry cannot take goes to the slot
 * count inside the batch, which the protocol allows (the word is read after
 * the announcement either way).  A failed batch undoes its entry changes
 * before it ends, and its slot references after.  Both are unrolled for the
 * three handles of the common dest info (destination, best route, owner).
 * Why the reader pays a full fence (the seq_cst store of step 1, an xchg on
 * x86, which also keeps the CPU from overlapping one lookup's cache misses
 * with the next one's): an asymmetric handshake (step 1 a plain store; the
 * killer issuing membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) between
 * clearing W_LEDGER and reading the announcements, as liburcu's memb flavour
 * does for grace periods) would be correct, but it costs a system call and an
 * IPI to every CPU running a thread of the process per handle_kill, that is
 * per route deletion and per emptied destination, where liburcu pays it once
 * per grace period for many frees; and TSan would need it annotated.  The
 * most it can gain, measured with the fence simply dropped (unsafe):
 * rtm-lookupcost `inside` 1.91 -> 2.14 M/s and `hot` 10.3 -> 12.4 M/s
 * (medians of 10 interleaved runs, load average 6-7, spread 2x), within
 * the noise of this machine; not done.
 * A ledger belongs to one thread; it is published in `ledgers` (release),
 * emptied into the slots when its thread exits, and freed after a grace
 * period, so killers read it under rcu_lock().
 * Tests stop a killer and an exiting thread at chosen points of this
 * protocol through race_point() (handle_race_hook.h; a no-op unless a test
 * set a hook), to force interleavings the scheduler gives only by chance.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "handle.h"
#include "handle_race_hook.h"

/*
 * Per-thread index caches: a thread takes CACHE_REFILL free indices at a
 * time under free_lock (a full-table load allocates two handles per route,
 * so the lock is taken once per 64 routes, not once per 16 as with batches of
 * 32: two writers loading at once contended for it on 10% of refills,
 * measured with tools/rtm-sharescale), and gives indices back in batches
 * when it holds more than CACHE_MAX, and all of them when it exits.
 */
#define CACHE_MAX 256
#define CACHE_REFILL 128

#define REF_BIAS (1u << 30)
#define LEDGER_SLOTS 512u
#define MAX_LEDGERS 4096u
#define LEDGER_TYPES (HT_BIT(HT_ENTITY) | HT_BIT(HT_DEST) | HT_BIT(HT_ROUTE) | HT_BIT(HT_NEXTHOP))

/* One thread's ledger: entry = slot index << 32 | count. */
struct ledger {
	_Atomic uint64_t announce; /* odd while the owner is in a batch */
	_Atomic uint64_t e[LEDGER_SLOTS];
	unsigned id;
	struct rcu_head rcu;
};

static _Atomic(struct ledger *) ledgers[MAX_LEDGERS];
static _Atomic unsigned ledgers_hwm;
static pthread_mutex_t ledgers_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread struct ledger *my_ledger;
static __thread bool my_ledger_tried;

_Atomic(struct slot *) handle_chunks[MAX_CHUNKS];
static pthread_mutex_t free_lock = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP; /* spins briefly: see slab.h */
static uint32_t free_head = UINT32_MAX; /* under free_lock */
static uint32_t next_unused = 1;        /* under free_lock; index 0 never used */
static handle_finalizer finalizers[HT_COUNT];

/* Tests only (handle_race_hook.h): set before their threads start. */
static _Atomic(handle_race_hook) race_hook;

static __thread uint32_t cache[CACHE_MAX];
static __thread unsigned cache_len;

/*
 * Free indices also travel between threads CACHE_REFILL at a time, copied in
 * one piece (the call_rcu thread recycles what a writer allocates: linking
 * and unlinking them one by one cost about 20 instructions per index).  The
 * batches come from a fixed pool; when it runs out, indices go to the list
 * one by one as before.
 */
#define BATCH_POOL 64
struct index_batch {
	struct index_batch *next;
	uint32_t idx[CACHE_REFILL];
};
static struct index_batch batch_pool[BATCH_POOL];
static unsigned batch_pool_used;            /* under free_lock */
static struct index_batch *full_batches;  /* under free_lock */
static struct index_batch *spare_batches; /* under free_lock: emptied ones */

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
	return (unsigned)((w >> 32) & 0x1F);
}

static inline uint32_t
key_gen(uint32_t key)
{
	return key >> 8;
}

static inline unsigned
key_type(uint32_t key)
{
	return key & 0x7F;
}

static inline rtm_handle
handle_make(uint32_t index, uint32_t gen, enum htype type)
{
	uint64_t v = (H_MAGIC << 60) | ((uint64_t)type << 56) | ((uint64_t)(gen & GEN_MASK) << 32) |
		     index;
	return (rtm_handle)(uintptr_t)v;
}

/* Decode h; NULL if it cannot be a handle of ours. */
static inline struct slot *
slot_of(rtm_handle h, uint32_t *gen, unsigned *type)
{
	uint32_t key = 0;
	struct slot *s = slot_decode(h, ~0u, &key);

	*gen = key_gen(key);
	*type = key_type(key);
	return s;
}

void
handle_set_finalizer(enum htype type, handle_finalizer fin)
{
	finalizers[type] = fin;
}

void
handle_set_race_hook(handle_race_hook hook)
{
	st_relaxed(&race_hook, hook);
}

/* A test's stop at one point of the ledger protocol (handle_race_hook.h). */
static inline void
race_point(enum handle_race_point where, uint32_t idx)
{
	handle_race_hook hook = ld_relaxed(&race_hook);

	if (unlikely(hook != NULL))
		hook(where, idx);
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
		free_head = (uint32_t)(uintptr_t)ld_relaxed(&slot_of_index(idx)->obj);
		return idx;
	}
	if ((uint64_t)next_unused >= (uint64_t)MAX_CHUNKS * CHUNK_SLOTS - 1)
		return UINT32_MAX;
	if (!ld_relaxed(&handle_chunks[next_unused >> CHUNK_BITS])) {
		struct slot *chunk = rtm_calloc(CHUNK_SLOTS, sizeof(*chunk));

		if (!chunk)
			return UINT32_MAX;
		/* Pairs with the acquire in slot_of_index(). */
		st_release(&handle_chunks[next_unused >> CHUNK_BITS], chunk);
	}
	return next_unused++;
}

/* The slow paths of handle_alloc/handle_recycle: out of line, so that the
 * fast ones save no registers. */
static __attribute__((noinline)) bool
cache_refill(void)
{
	pthread_mutex_lock(&free_lock);
	if (cache_len == 0 && full_batches) {
		struct index_batch *b = full_batches;

		full_batches = b->next;
		memcpy(cache, b->idx, sizeof(b->idx));
		cache_len = CACHE_REFILL;
		b->next = spare_batches;
		spare_batches = b;
	}
	while (cache_len < CACHE_REFILL) {
		uint32_t idx = index_take_locked();

		if (idx == UINT32_MAX)
			break;
		cache[cache_len++] = idx;
	}
	pthread_mutex_unlock(&free_lock);
	return cache_len > 0;
}

/* Give this thread's cached indices back to the free list, keeping keep. */
static __attribute__((noinline)) void
cache_give_back(unsigned keep)
{
	if (cache_len <= keep)
		return;
	pthread_mutex_lock(&free_lock);
	while (cache_len >= keep + CACHE_REFILL) {
		struct index_batch *b = spare_batches;

		if (b)
			spare_batches = b->next;
		else if (batch_pool_used < BATCH_POOL)
			b = &batch_pool[batch_pool_used++];
		else
			break;
		cache_len -= CACHE_REFILL;
		memcpy(b->idx, &cache[cache_len], sizeof(b->idx));
		b->next = full_batches;
		full_batches = b;
	}
	while (cache_len > keep) {
		uint32_t idx = cache[--cache_len];

		st_relaxed(&slot_of_index(idx)->obj, (void *)(uintptr_t)free_head);
		free_head = idx;
	}
	pthread_mutex_unlock(&free_lock);
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
	/* The next allocation's slot, for writing, while this one's caller
	 * goes on: a recycled slot is cold, and its miss then overlaps the
	 * caller's own instead of adding to them (as in slab_alloc). */
	if (cache_len)
		__builtin_prefetch(slot_of_index(cache[cache_len - 1]), 1, 3);
	gen = word_gen(ld_relaxed(&s->word));
	st_relaxed(&s->obj, obj);
	/* Pairs with the acquire loads of word in handle_get/handle_ref.  Plain
	 * counting: ledgers only once a second reference is taken (slot_ref). */
	st_release(&s->word, word_make(gen, type, refs));
	*out = handle_make(idx, gen, type);
	return 0;
}

static inline uint64_t
entry_make(uint32_t idx, uint32_t count)
{
	return (uint64_t)idx << 32 | count;
}

static void
ledger_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	rtm_free(caa_container_of(head, struct ledger, rcu));
	rcu_deferred_done();
}

/* The calling thread's ledger, created on first use; NULL if none can be. */
static struct ledger *
ledger_mine(void)
{
	struct ledger *l;

	if (likely(my_ledger || my_ledger_tried))
		return my_ledger;
	my_ledger_tried = true;
	l = rtm_calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	pthread_mutex_lock(&ledgers_lock);
	for (unsigned i = 0; i < MAX_LEDGERS; i++) {
		if (!ld_relaxed(&ledgers[i])) {
			l->id = i;
			st_release(&ledgers[i], l); /* pairs with handle_kill's acquire */
			if (i >= ld_relaxed(&ledgers_hwm))
				st_release(&ledgers_hwm, i + 1);
			my_ledger = l;
			break;
		}
	}
	pthread_mutex_unlock(&ledgers_lock);
	if (!my_ledger)
		rtm_free(l); /* too many threads: this one counts in the slots only */
	return my_ledger;
}

/* Start and end a batch of changes to l's entries (l is this thread's). */
static inline void
ledger_batch_begin(struct ledger *l)
{
	/* seq_cst: the Dekker handshake with handle_kill (see the top). */
	atomic_store(&l->announce, ld_relaxed(&l->announce) + 1);
}

static inline void
ledger_batch_end(struct ledger *l)
{
	st_release(&l->announce, ld_relaxed(&l->announce) + 1); /* pairs with handle_kill */
}

/* The slot word of s, read inside a batch (seq_cst: see the top). */
static inline uint64_t
word_in_batch(struct slot *s)
{
	return atomic_load(&s->word);
}

/*
 * Inside a batch of l, with w read by word_in_batch(): count one more
 * reference of index idx in l; false if the object is no longer counted in
 * ledgers or the entry serves another object (use the slot count).
 */
static inline __attribute__((always_inline)) bool
ledger_add_in_batch(struct ledger *l, uint32_t idx, uint64_t w)
{
	_Atomic uint64_t *e = &l->e[idx % LEDGER_SLOTS];
	uint64_t v = ld_relaxed(e);
	bool mine = (uint32_t)(v >> 32) == idx;

	/* Free (count 0) entries are taken over, whatever index they held. */
	if (!(w & W_LEDGER) || (mine ? (uint32_t)v == UINT32_MAX : (uint32_t)v != 0))
		return false;
	st_relaxed(e, (mine ? v : entry_make(idx, 0)) + 1); /* no killer touches it: see the top */
	return true;
}

/* The same for dropping one; false if the reference is not in l. */
static bool
ledger_sub_in_batch(struct ledger *l, uint32_t idx, uint64_t w)
{
	_Atomic uint64_t *e = &l->e[idx % LEDGER_SLOTS];
	uint64_t v = ld_relaxed(e);

	if (!(w & W_LEDGER) || (uint32_t)(v >> 32) != idx || (uint32_t)v == 0)
		return false;
	st_relaxed(e, v - 1);
	return true;
}

/*
 * Outside a batch, a cheap first look at this thread's own entries (only
 * killers change them meanwhile, and only to empty them): may the entry of
 * idx take a reference / hold one of idx?  The batch decides.
 */
static inline bool
ledger_may_take(struct ledger *l, uint32_t idx)
{
	uint64_t v = ld_relaxed(&l->e[idx % LEDGER_SLOTS]);

	return (uint32_t)(v >> 32) == idx || (uint32_t)v == 0;
}

static inline bool
ledger_may_hold(struct ledger *l, uint32_t idx)
{
	uint64_t v = ld_relaxed(&l->e[idx % LEDGER_SLOTS]);

	return (uint32_t)(v >> 32) == idx && (uint32_t)v != 0;
}

/*
 * The word after one more reference in the slot count of w (live).  An
 * object of a ledger type counts in its slot only until it proves shared:
 * the first reference taken after the creator's marks it W_TOUCHED, the
 * second switches it to ledger counting (W_LEDGER and the bias), unless it
 * was killed (see the top: "Switching to ledgers").
 */
static inline uint64_t
word_plus_one(uint64_t w, uint32_t key)
{
	if (!(LEDGER_TYPES & HT_BIT(key_type(key))) || (w & (W_LEDGER | W_KILLED)) ||
	    word_refs(w) >= REF_BIAS)
		return w + 1;
	if (!(w & W_TOUCHED))
		return (w + 1) | W_TOUCHED;
	return (w + 1 + REF_BIAS) | W_LEDGER; /* refs < REF_BIAS: no carry */
}

/* One more reference in the slot count of a word that was w; false if dead. */
static bool
slot_ref(struct slot *s, uint64_t w, uint32_t key)
{
	for (;;) {
		if (!word_is_key(w, key) || word_refs(w) == UINT32_MAX)
			return false;
		if (cas_acq_rel(&s->word, &w, word_plus_one(w, key)))
			return true;
	}
}

/* Drop n references recorded in this thread's ledger; false: not there. */
static bool
ledger_drop(uint32_t idx, uint32_t n)
{
	struct ledger *l = my_ledger;
	_Atomic uint64_t *e;
	uint64_t v;

	if (!l)
		return false;
	e = &l->e[idx % LEDGER_SLOTS];
	v = ld_relaxed(e);
	while ((uint32_t)(v >> 32) == idx && (uint32_t)v >= n) {
		/* Races only with a killer moving the entry to the slot. */
		if (cas_acq_rel(e, &v, v - n))
			return true;
	}
	return false;
}

/* A reference was dropped from a word that was old: the last one? */
static void
slot_release(struct slot *s, uint64_t old, unsigned type)
{
	if (word_refs(old) == 1 && finalizers[type])
		finalizers[type](ld_relaxed(&s->obj));
}

/*
 * handle_kill()'s first step (seq_cst: see the top): set W_KILLED, which
 * keeps slot_ref from switching the object to ledgers from now on, and
 * clear W_LEDGER.  If the object was counted in its slot only, drop drop (0
 * or 1) references in the same CAS.  Returns the old word.
 */
static uint64_t
word_kill(struct slot *s, uint32_t drop)
{
	uint64_t old = ld_relaxed(&s->word), new;

	do {
		if (drop > word_refs(old))
			abort(); /* broken invariant: the caller owned a reference */
		new = (old | W_KILLED) & ~W_LEDGER;
		if (!(old & W_LEDGER))
			new -= drop;
	} while (!atomic_compare_exchange_weak(&s->word, &old, new));
	return old;
}

/*
 * handle_kill()'s second step, for an object that was counted in ledgers:
 * move every ledger's references of index idx into the slot and remove the
 * bias.
 */
static void
ledgers_collect(struct slot *s, uint32_t idx)
{
	uint64_t harvested = 0;
	unsigned hwm;

	race_point(HANDLE_RACE_KILL_CLEARED, idx);
	rcu_lock();
	hwm = ld_acquire(&ledgers_hwm);
	for (unsigned i = 0; i < hwm; i++) {
		struct ledger *l = ld_acquire(&ledgers[i]);
		_Atomic uint64_t *e;
		uint64_t v, a;

		if (!l)
			continue;
		a = atomic_load(&l->announce); /* seq_cst: see handle.c top */
		while ((a & 1) && ld_acquire(&l->announce) == a)
			cpu_relax(); /* the batch it announced is still running */
		fence_acquire(); /* pairs with the release in ledger_batch_end */
		e = &l->e[idx % LEDGER_SLOTS];
		v = ld_acquire(e);
		while ((uint32_t)(v >> 32) == idx && (uint32_t)v > 0) {
			if (cas_acq_rel(e, &v, entry_make(idx, 0))) {
				harvested += (uint32_t)v;
				break;
			}
		}
	}
	rcu_unlock();
	/* Now exact: slot refs + harvested = REF_BIAS + true count, and the true
	 * count is at least 1 (the caller's store reference), so one add of
	 * harvested - REF_BIAS leaves refs >= 1 and borrows nothing from the
	 * generation and type bits. */
	fetch_add_acq_rel(&s->word, harvested - (uint64_t)REF_BIAS);
}

void
handle_kill(rtm_handle h)
{
	uint32_t gen;
	unsigned t;
	struct slot *s = slot_of(h, &gen, &t);

	if (!s)
		abort();
	if (word_kill(s, 0) & W_LEDGER)
		ledgers_collect(s, (uint32_t)(uintptr_t)h);
}

void
handle_thread_exit(void)
{
	struct ledger *l = my_ledger;

	cache_give_back(0); /* else an exiting thread's cached slots were lost */
	if (!l)
		return;
	for (unsigned i = 0; i < LEDGER_SLOTS; i++) {
		_Atomic uint64_t *e = &l->e[i];
		uint64_t v = ld_relaxed(e);
		struct slot *s;

		if ((uint32_t)v == 0)
			continue;
		/*
		 * The references live on, counted in the slot.  Moved inside a
		 * batch, as a killer would see it: if the word still counts in
		 * ledgers, any killer of the object clears W_LEDGER after this
		 * read and then waits for the batch to end, so the bias is still
		 * in the slot (the add cannot revive a dead word) and nobody
		 * harvests the entry meanwhile.  Otherwise a killer is between
		 * clearing W_LEDGER and harvesting: it visits every published
		 * ledger, this one too, so wait for it to take the entry.
		 * (Adding to the slot outside a batch, as this did before, could
		 * land after the killer had harvested the entry and dropped the
		 * last reference: the finalizer ran twice; unit.handle_ledger
		 * forces that interleaving through the race hook.)
		 */
		race_point(HANDLE_RACE_EXIT_ENTRY, (uint32_t)(v >> 32));
		s = slot_of_index((uint32_t)(v >> 32));
		ledger_batch_begin(l);
		if (word_in_batch(s) & W_LEDGER) {
			v = ld_relaxed(e); /* a killer may have emptied it before the batch */
			fetch_add_acq_rel(&s->word, (uint32_t)v);
			st_relaxed(e, entry_make((uint32_t)(v >> 32), 0));
			ledger_batch_end(l);
			continue;
		}
		ledger_batch_end(l);
		while ((uint32_t)ld_acquire(e) != 0)
			cpu_relax();
	}
	pthread_mutex_lock(&ledgers_lock);
	st_release(&ledgers[l->id], NULL);
	pthread_mutex_unlock(&ledgers_lock);
	my_ledger = NULL;
	rcu_defer(&l->rcu, ledger_free_cb);
}

void
handle_kill_put(rtm_handle h)
{
	uint32_t gen;
	unsigned t;
	struct slot *s = slot_of(h, &gen, &t);
	uint64_t old;

	if (!s)
		abort();
	old = word_kill(s, 1);
	if (old & W_LEDGER) {
		ledgers_collect(s, (uint32_t)(uintptr_t)h);
		handle_put(h);
		return;
	}
	/* Counted in its slot only: word_kill dropped the reference too. */
	if (word_gen(old) != gen)
		abort();
	slot_release(s, old, t);
}

/*
 * handle_ref_all() of one handle, without its arrays and loops (the API's
 * entry takes one on the caller's entity, route calls one on the route): the
 * same protocol, a batch of one entry when this thread's ledger may take it.
 */
void *
handle_ref_any(rtm_handle h, unsigned type_mask)
{
	uint32_t key, idx = (uint32_t)(uintptr_t)h;
	struct slot *s = slot_decode(h, type_mask, &key);
	struct ledger *l;
	uint64_t w;
	bool in_ledger = false;

	if (!s)
		return NULL;
	/* No batch (and no fence) for an object counted in its slot only: the
	 * slot count is always a right place for a reference (see the top). */
	w = ld_acquire(&s->word);
	l = (w & W_LEDGER) ? ledger_mine() : NULL;
	if (l && ledger_may_take(l, idx)) {
		ledger_batch_begin(l);
		w = word_in_batch(s);
		in_ledger = word_is_key(w, key) && ledger_add_in_batch(l, idx, w);
		ledger_batch_end(l);
	}
	/* Not in the ledger: the slot count (slot_ref refuses a dead word). */
	if (!in_ledger && !slot_ref(s, w, key))
		return NULL;
	return ld_relaxed(&s->obj);
}

/*
 * The slot and key of a handle read from an object inside rcu_lock() (the
 * object may be dying, but the handle is well formed: ours, of the type it
 * encodes, its chunk published before the object was).
 */
static inline struct slot *
slot_of_own(rtm_handle h, uint32_t *key)
{
	uint64_t v = (uint64_t)(uintptr_t)h;

	*key = slot_key_of_type(v, (unsigned)(v >> 56) & 0xF);
	return slot_of_index((uint32_t)v);
}

/*
 * handle_ref_all(), and with types NULL handle_ref_read_rcu() (each
 * handle's type is the one it encodes).  Inlined into both, so that the
 * second pays for no type checks.
 */
static inline __attribute__((always_inline)) bool
refs_take(size_t n, const rtm_handle *hs, const enum htype *types)
{
	struct ledger *l = NULL;
	uint64_t in_slot = 0; /* bit i: hs[i] was counted in its slot (else in l) */
	size_t i;

	if (n > 64)
		abort(); /* callers pass one dest info's handles at most */
	/* No batch (and no fence) unless an entry can take one of them.  A dest
	 * info's handles (types NULL) are all of ledger types, and a free entry
	 * is nearly always there: no look first. */
	for (i = 0; types && i < n; i++) {
		if ((LEDGER_TYPES & HT_BIT(types[i])) && ledger_mine() &&
		    ledger_may_take(my_ledger, (uint32_t)(uintptr_t)hs[i])) {
			l = my_ledger;
			break;
		}
	}
	if (!types)
		l = ledger_mine();
	if (l)
		ledger_batch_begin(l);
	for (i = 0; i < n; i++) {
		uint32_t key, idx = (uint32_t)(uintptr_t)hs[i];
		struct slot *s = types ? slot_decode(hs[i], HT_BIT(types[i]), &key)
				       : slot_of_own(hs[i], &key);
		uint64_t w;

		if (!s)
			break;
		w = l ? word_in_batch(s) : ld_acquire(&s->word);
		if (!word_is_key(w, key))
			break;
		if (l && ledger_add_in_batch(l, idx, w))
			continue;
		if (!slot_ref(s, w, key))
			break;
		in_slot |= 1ull << i;
	}
	/* hs[i] is dead: give back what was taken.  Those in l first, still
	 * inside the batch: a killer that cleared W_LEDGER meanwhile is waiting
	 * for it to end, so the entries are still exactly as this batch left them. */
	for (size_t j = 0; i < n && l && j < i; j++) {
		if (!(in_slot & (1ull << j))) {
			_Atomic uint64_t *e = &l->e[(uint32_t)(uintptr_t)hs[j] % LEDGER_SLOTS];

			st_relaxed(e, ld_relaxed(e) - 1);
		}
	}
	if (l)
		ledger_batch_end(l);
	if (i == n)
		return true;
	for (uint64_t left = in_slot; left; left &= left - 1)
		handle_put(hs[__builtin_ctzll(left)]);
	return false;
}

bool
handle_ref_all(size_t n, const rtm_handle *hs, const enum htype *types)
{
	return refs_take(n, hs, types);
}

bool
handle_ref_read_rcu(size_t n, const rtm_handle *hs)
{
	/* The common dest info (a destination, its best route and the route's
	 * owner) unrolled: no loop counters, and the compiler keeps it all in
	 * registers. */
	if (n == 3)
		return refs_take(3, hs, NULL);
	return refs_take(n, hs, NULL);
}

void *
handle_ref(rtm_handle h, enum htype type)
{
	return handle_ref_any(h, HT_BIT(type));
}

void *
handle_ref_n(rtm_handle h, enum htype type, uint32_t n)
{
	void *obj = handle_ref(h, type);

	for (uint32_t i = 1; obj != NULL && i < n; i++) {
		if (handle_ref(h, type) == NULL) {
			handle_put_n(h, i); /* died meanwhile: all or none */
			return NULL;
		}
	}
	return obj;
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
	if (ledger_drop((uint32_t)(uintptr_t)h, 1))
		return;
	old = fetch_sub_acq_rel(&s->word, 1);
	if (word_refs(old) == 0 || word_gen(old) != gen)
		abort();
	slot_release(s, old, t);
}

void
handle_put_n(rtm_handle h, uint32_t n)
{
	uint32_t gen;
	unsigned t;

	if (!slot_of(h, &gen, &t))
		abort(); /* broken invariant: the caller owned references */
	/* All n at once when this thread's ledger holds them (as it does for
	 * a next hop referenced n times in one handle_ref_all batch). */
	if (n > 1 && ledger_drop((uint32_t)(uintptr_t)h, n))
		return;
	while (n-- > 0)
		handle_put(h);
}

/* Drop one reference from the slot count of a word that was w; false if dead. */
static bool
slot_put(struct slot *s, uint64_t w, uint32_t key)
{
	for (;;) {
		if (!word_is_key(w, key))
			return false;
		if (cas_acq_rel(&s->word, &w, w - 1))
			break;
	}
	slot_release(s, w, key_type(key));
	return true;
}

bool
handle_put_checked(rtm_handle h, unsigned type_mask)
{
	uint32_t key;
	struct slot *s = slot_decode(h, type_mask, &key);
	uint64_t w;

	if (!s)
		return false;
	w = ld_acquire(&s->word);
	if (!word_is_key(w, key))
		return false;
	if (ledger_drop((uint32_t)(uintptr_t)h, 1))
		return true;
	return slot_put(s, w, key);
}

bool
handle_is_live(rtm_handle h, unsigned type_mask)
{
	uint32_t key;
	struct slot *s = slot_decode(h, type_mask, &key);

	return s && word_is_key(ld_acquire(&s->word), key);
}

void
handle_put_many(size_t n, const rtm_handle *hs)
{
	if (!handle_put_all(n, hs, NULL, ~0u)) { /* one is dead: skip it */
		for (size_t i = 0; i < n; i++)
			handle_put_checked(hs[i], ~0u);
	}
}

/* handle_put_all(), inlined twice below. */
static inline __attribute__((always_inline)) bool
refs_drop(size_t n, const rtm_handle *hs, const unsigned *masks, unsigned mask)
{
	struct ledger *l = my_ledger;
	struct slot *s[64];
	uint32_t key[64];
	uint64_t in_slot = 0; /* bit i: drop hs[i] from its slot (else dropped from l) */
	size_t i;

	if (n > 64)
		abort(); /* callers pass at most 64 at a time */
	/* No batch (and no fence) unless one of them may be in an entry. */
	for (i = 0; l && i < n && !ledger_may_hold(l, (uint32_t)(uintptr_t)hs[i]); i++)
		;
	if (i == n)
		l = NULL;
	if (l)
		ledger_batch_begin(l);
	/* One pass: check each, and drop it at once if it is in l (undone below
	 * if a later one fails the check); slot counts only once all passed. */
	for (i = 0; i < n; i++) {
		uint64_t w;

		s[i] = slot_decode(hs[i], masks ? masks[i] : mask, &key[i]);
		if (!s[i])
			break;
		w = l ? word_in_batch(s[i]) : ld_acquire(&s[i]->word);
		if (!word_is_key(w, key[i]))
			break;
		if (!l || !ledger_sub_in_batch(l, (uint32_t)(uintptr_t)hs[i], w))
			in_slot |= 1ull << i;
	}
	/* hs[i] failed: give back what was taken from l, still inside the batch
	 * (a killer that cleared W_LEDGER meanwhile waits for it to end). */
	for (size_t j = 0; i < n && l && j < i; j++) {
		if (!(in_slot & (1ull << j))) {
			_Atomic uint64_t *e = &l->e[(uint32_t)(uintptr_t)hs[j] % LEDGER_SLOTS];

			st_relaxed(e, ld_relaxed(e) + 1);
		}
	}
	if (l)
		ledger_batch_end(l);
	if (i < n)
		return false;
	/* Outside the batch: a finalizer may kill other objects (handle_kill
	 * waits for every batch, this thread's too). */
	for (uint64_t left = in_slot; left; left &= left - 1) {
		i = (size_t)__builtin_ctzll(left);
		slot_put(s[i], ld_acquire(&s[i]->word), key[i]);
	}
	return true;
}

bool
handle_put_all(size_t n, const rtm_handle *hs, const unsigned *masks, unsigned mask)
{
	/* Unrolled for the common dest info, as in handle_ref_read_rcu(). */
	if (n == 3 && masks)
		return refs_drop(3, hs, masks, 0);
	return refs_drop(n, hs, masks, mask);
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
	return (w & W_LEDGER) ? word_refs(w) - REF_BIAS : word_refs(w);
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
	if (cache_len == CACHE_MAX) {
		/* Full (a thread that frees more than it allocates, such as
		 * the call_rcu thread): half the cache goes back at once. */
		cache_give_back(CACHE_REFILL);
	}
	cache[cache_len++] = idx;
}

void
handle_prefetch_for_write(rtm_handle h)
{
	uint32_t gen;
	unsigned t;
	struct slot *s = slot_of(h, &gen, &t);

	if (s)
		__builtin_prefetch(s, 1, 3);
}
