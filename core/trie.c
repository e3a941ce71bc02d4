/*
 * Tree-bitmap trie with RCU readers (layout and rules in trie.h).
 *
 * Ordering: a writer builds a node completely with relaxed stores and
 * publishes it with a release store into the slot that makes it reachable
 * (a parent's child slot, the root); readers load every root, child and
 * destination pointer with acquire (pairs with those release stores).  A
 * node's bitmaps never change after publish, so a reader that loaded the
 * node pointer reads them and the slot indices derived from them without
 * further ordering.  A replaced node keeps its slots, so a reader standing
 * on it still walks to valid nodes; it is freed after a grace period.
 *
 * Progress: readers are wait-free (one node per level, TRIE_LEVELS levels at
 * most; enumeration visits each node of the path and the subtrees after
 * it).  Writers of one part are serialised by its lock, writers of different
 * parts share nothing but occupied[] words (atomic or/and); an insertion
 * copies at most one existing node, a removal at most one, plus the new or
 * unlinked nodes on its path.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dest.h"
#include "node_cache.h"
#include "trie.h"

#define CHUNKS (1u << TRIE_STRIDE)

/*
 * Population count.  The baseline x86-64 target has no POPCNT instruction
 * and __builtin_popcountll becomes a libgcc call there; this uses the
 * instruction when the compiler may, else when the CPU has it (a test of a
 * flag the compiler's runtime sets before main), else the inline
 * bit-parallel count.
 */
static inline unsigned
popcount64(uint64_t x)
{
#ifdef __POPCNT__
	return (unsigned)__builtin_popcountll(x);
#else
#if defined(__x86_64__) && defined(__GNUC__)
	if (__builtin_cpu_supports("popcnt")) {
		uint64_t n;

		__asm__("popcntq %1, %0" : "=r"(n) : "rm"(x));
		return (unsigned)n;
	}
#endif
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* The 6 key bits starting at bit pos (bits past 128 read as zero). */
static inline unsigned
key_chunk(const struct prefix *p, unsigned pos)
{
	uint64_t w;

	if (pos == 0)
		w = p->k[0];
	else if (pos < 64)
		w = p->k[0] << pos | p->k[1] >> (64 - pos);
	else
		w = p->k[1] << (pos - 64);
	return (unsigned)(w >> (64 - TRIE_STRIDE));
}

/* pfx[] bit of the prefix of relative length r (1..6) and r-bit value v. */
static inline unsigned
pfx_index(unsigned r, unsigned v)
{
	return (1u << r) - 2 + v;
}

static inline bool
pfx_test(const struct trie_node *n, unsigned i)
{
	return (n->pfx[i >> 6] >> (i & 63)) & 1;
}

/* Number of pfx bits set below bit i. */
static inline unsigned
pfx_rank(const struct trie_node *n, unsigned i)
{
	if (i < 64)
		return popcount64(n->pfx[0] & ((1ull << i) - 1));
	return popcount64(n->pfx[0]) +
	       popcount64(n->pfx[1] & ((1ull << (i - 64)) - 1));
}

static inline unsigned
node_nchildren(const struct trie_node *n)
{
	return popcount64(n->ext);
}

static inline bool
ext_test(const struct trie_node *n, unsigned c)
{
	return (n->ext >> c) & 1;
}

static inline _Atomic(void *) *
child_slot(struct trie_node *n, unsigned c)
{
	return &n->slot[popcount64(n->ext & ((1ull << c) - 1))];
}

static inline __attribute__((always_inline)) _Atomic(void *) *
dest_slot(struct trie_node *n, unsigned i)
{
	return &n->slot[node_nchildren(n) + pfx_rank(n, i)];
}

/*
 * A destination entry of a node (dest_slot) holds the destination and,
 * when they fit, the cache line of its handle's slot (handle_slot.h), so
 * that a lookup can start loading that line as soon as it reads the node,
 * together with the destination's block, instead of after the block, where
 * the handle's index is.  Both are misses on a full table, and each one a
 * lookup waits for in turn costs a dependent memory access (RtmGet*Destination
 * take a reference on the destination's handle and its best route's, whose
 * slot is usually the one below: see dest_entry_prefetch_handles).
 *
 * Encoding of a non-NULL entry v:
 *   bit 0 clear   v is the struct dest * itself: no hint (the pointer is
 *                 not 8-byte aligned below 2^47, or the index is too big)
 *   bit 0 set     the pointer is v with DEST_ENTRY_TAG_BITS cleared; the
 *                 handle's slot line (index / 4) is bits 47..63 of v above
 *                 bits 1..2 of v
 * The hint is immutable like the destination's handle (it is computed from
 * d->handle when the entry is made) and only ever used for a prefetch, so
 * a wrong one would cost a wasted load, never a wrong answer.  Entries are
 * copied as they are when a node is rebuilt; only this file reads them.
 */
#define DEST_ENTRY_PTR_BITS 47
#define DEST_ENTRY_TAG_BITS (~0ull << DEST_ENTRY_PTR_BITS | 7ull)
#define DEST_ENTRY_LINE_BITS (64 - DEST_ENTRY_PTR_BITS + 2)
#define SLOTS_PER_LINE (64 / sizeof(struct slot))

_Static_assert(SLOTS_PER_LINE == 4, "dest entry hint: four handle slots per cache line");

static inline void *
dest_entry_make(struct dest *d)
{
	uintptr_t p = (uintptr_t)d;
	uint64_t line = (uint32_t)(uintptr_t)d->handle / SLOTS_PER_LINE;

	if ((p & DEST_ENTRY_TAG_BITS) || line >> DEST_ENTRY_LINE_BITS)
		return d;
	return (void *)(p | 1 | (line & 3) << 1 | (line >> 2) << DEST_ENTRY_PTR_BITS);
}

static inline struct dest *
dest_entry_dest(void *v)
{
	uintptr_t x = (uintptr_t)v;

	return (struct dest *)(x & ~(-(x & 1) & DEST_ENTRY_TAG_BITS));
}

/*
 * Start loading the handle slot line an entry names, and the one before it:
 * the first route's handle is allocated right after the destination's
 * (update.c), from the thread's index cache, which hands indices out in
 * descending order (handle.c), so the route's slot is the one just below,
 * in the line before when the destination's opens its line.  A hint only.
 */
static inline void
dest_entry_prefetch_handles(void *v)
{
	uintptr_t x = (uintptr_t)v;
	uint64_t line = (x >> DEST_ENTRY_PTR_BITS) << 2 | (x >> 1 & 3);
	uint32_t index = (uint32_t)(line * SLOTS_PER_LINE);
	struct slot *chunk;

	if (!(x & 1))
		return;
	chunk = ld_relaxed(&handle_chunks[index >> CHUNK_BITS]);
	if (!chunk)
		return;
	index &= CHUNK_SLOTS - 1;
	__builtin_prefetch(&chunk[index]);
	if (index >= SLOTS_PER_LINE) /* (the line before a chunk is not worth a look-up) */
		__builtin_prefetch(&chunk[index - SLOTS_PER_LINE]);
}

/*
 * Start loading the two lines after the one n starts on, as soon as n is
 * known: a walk reads n's bitmaps and then one of its slots, which sits
 * 40 + 8 x (its index) bytes in, often past the first line in the dense
 * nodes of a full table (and n is only 16-byte aligned, so even its bitmaps
 * may end on the second line).  Loaded with the first line rather than
 * after it, they take a miss off the chain of a lookup (RtmxLookupRoute of
 * addresses inside full-table IPv4 prefixes: 13% more lookups/s, medians
 * of in-process A/B runs, 2026-11-24).  A hint only: a prefetch past the
 * end of n neither faults nor reads anything that matters.
 */
static inline void
node_prefetch_rcu(const struct trie_node *n)
{
	__builtin_prefetch((const void *)((uintptr_t)n + 64));
	__builtin_prefetch((const void *)((uintptr_t)n + 128));
}

/* Level and relative length of a prefix of length len >= 1. */
static inline void
prefix_place(uint32_t len, unsigned *level, unsigned *r)
{
	*level = (len - 1) / TRIE_STRIDE;
	*r = len - *level * TRIE_STRIDE;
}

static void
node_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	rtm_free(caa_container_of(head, struct trie_node, rcu));
	rcu_deferred_done();
}

/* Slots of n. */
static inline unsigned
node_nslots(const struct trie_node *n)
{
	return popcount64(n->ext) + popcount64(n->pfx[0]) + popcount64(n->pfx[1]);
}

/* Bytes of a node with room for that many slots. */
static inline size_t
node_bytes(unsigned room)
{
	return sizeof(struct trie_node) + (size_t)room * sizeof(((struct trie_node *)0)->slot[0]);
}

/*
 * Unlinked nodes wait in a batch, which goes to RCU as one callback when
 * full: one rcu_defer() per TRIE_RETIRE_BATCH nodes instead of one per node.
 * The batch being filled is the writing thread's (retiring_mine), whatever
 * part or trie its nodes come from: a node only waits for a grace period,
 * which does not depend on where it hung.  One batch per part instead had
 * its lines cold whenever consecutive changes landed in different parts (a
 * random-order load: about one D1 miss per added route).  The open batch is
 * its thread's alone until retire_flush() hands it over; it is flushed when
 * full, when the thread empties a part (part_emptied), in rcu_drain() (the
 * caller's), when the library worker goes to sleep, and at the thread's
 * exit (trie_thread_flush(), called by rcu.c), so at most
 * TRIE_RETIRE_BATCH - 1 nodes per writing thread wait in it.  A thread that
 * does not batch its frees (rcu_thread_batching(): it never entered the API,
 * or is exiting) defers each node on its own.
 * cls[k] is node[k]'s class (node_cache.h), noted while the node is still in
 * the writer's cache, so that the callback keeps the nodes for reuse without
 * reading them.
 */
#define TRIE_RETIRE_BATCH 32

struct trie_retired {
	struct rcu_head rcu;
	struct trie_retired *next_returned; /* in returned_batches */
	unsigned n;
	uint8_t cls[TRIE_RETIRE_BATCH];
	struct trie_node *node[TRIE_RETIRE_BATCH];
};

/*
 * Batches whose callback ran on a thread that keeps no nodes (a call_rcu
 * worker: the library worker's sweep handed a slow writer's batch on, or a
 * writer's safe point held a lock), for the next writer whose cache lacks a
 * class to keep.  Pushed with a release CAS by any callback; taken whole
 * (exchange with NULL, acquire) by a writer, so never popped alone (no ABA).
 * returned_nodes counts their nodes, approximately (added before a push,
 * subtracted after a take); past RETURNED_NODES_MAX a callback frees its
 * nodes instead, so that writers that stop copying nodes leave at most that
 * many behind.
 */
#define RETURNED_NODES_MAX (2 * RCU_BATCH)

static _Atomic(struct trie_retired *) returned_batches;
static _Atomic long returned_nodes;

/* Free b's nodes, or keep them in the calling thread's cache (keep). */
static void
retired_free(struct trie_retired *b, bool keep)
{
	for (unsigned k = 0; k < b->n; k++) {
		unsigned cls = b->cls[k];

		if (!keep || !node_cache_keep(cls, b->node[k], node_bytes(cls * NODE_CACHE_STEP)))
			rtm_free(b->node[k]);
	}
	rtm_free(b);
}

/* Leave b for a writer to keep (returned_batches); false if enough wait. */
static bool
returned_push(struct trie_retired *b)
{
	struct trie_retired *top;

	if (fetch_add_relaxed(&returned_nodes, (long)b->n) + (long)b->n > RETURNED_NODES_MAX) {
		fetch_add_relaxed(&returned_nodes, -(long)b->n);
		return false;
	}
	top = ld_relaxed(&returned_batches);
	do
		b->next_returned = top;
	while (!cas_acq_rel(&returned_batches, &top, b)); /* pairs with returned_take */
	return true;
}

/* Keep the nodes of every batch in returned_batches (the calling thread
 * entered the API). */
static void
returned_take(void)
{
	struct trie_retired *b = xchg_acq_rel(&returned_batches, NULL);
	long n = 0;

	while (b) {
		struct trie_retired *next = b->next_returned;

		n += b->n;
		retired_free(b, true);
		b = next;
	}
	fetch_add_relaxed(&returned_nodes, -n);
}

static void
retired_free_cb(struct rcu_head *head)
{
	struct trie_retired *b = caa_container_of(head, struct trie_retired, rcu);
	unsigned n;

	rcu_deferred_begin(head);
	n = b->n;
	if (!NODE_CACHE_ON || rcu_thread_registered || !returned_push(b))
		retired_free(b, NODE_CACHE_ON); /* else a writer will keep them */
	rcu_deferred_done_n(n); /* each node counted, as if deferred alone */
}

/* The calling thread's open batch (see above), NULL if none. */
static __thread struct trie_retired *retiring_mine;

/* Hand the calling thread's open batch, if any, to RCU. */
static void
retire_flush(void)
{
	struct trie_retired *b = retiring_mine;

	if (!b)
		return;
	retiring_mine = NULL;
	if (b->n)
		rcu_defer_n(&b->rcu, retired_free_cb, b->n);
	else
		rtm_free(b);
}

void
trie_thread_flush(void)
{
	retire_flush();
}

/*
 * Make sure retiring a node allocates nothing: an open batch for a thread
 * that batches (else each node goes to RCU on its own, which allocates
 * nothing either).  An insertion calls it before it changes anything, so
 * its one failure mode stays -ENOMEM with nothing changed.
 */
static bool
retire_ready(void)
{
	struct trie_retired *b;

	if (likely(retiring_mine != NULL) || !rcu_thread_batching())
		return true;
	b = rtm_malloc(sizeof(*b));
	if (!b)
		return false;
	b->n = 0;
	retiring_mine = b;
	return true;
}

/* Free n after a grace period (readers may stand on it).  Part writer only. */
static void
node_retire(struct trie_node *n)
{
	struct trie_retired *b;

	if (!retire_ready() || !(b = retiring_mine)) {
		rcu_defer(&n->rcu, node_free_cb); /* no batch: on its own */
		return;
	}
	b->cls[b->n] = (uint8_t)node_cache_class(node_nslots(n));
	b->node[b->n++] = n;
	if (b->n == TRIE_RETIRE_BATCH)
		retire_flush();
}

/* fn on n and on every node below it, children first.  Part writer only. */
static void
subtree_each(struct trie_node *n, void (*fn)(struct trie_node *))
{
	unsigned nch = node_nchildren(n);

	for (unsigned k = 0; k < nch; k++)
		subtree_each(ld_relaxed(&n->slot[k]), fn);
	fn(n);
}

/*
 * An unpublished node with these bitmaps and room for their slots (one the
 * thread kept, else a new one), or NULL.
 */
static struct trie_node *
node_alloc(uint64_t ext, const uint64_t pfx[2])
{
	unsigned nslots = popcount64(ext) + popcount64(pfx[0]) + popcount64(pfx[1]);
	size_t bytes = node_bytes(node_cache_room(nslots));
	struct trie_node *m = NULL;

	if (NODE_CACHE_ON) {
		m = node_cache_take(node_cache_class(nslots), bytes);
		if (!m && ld_relaxed(&returned_batches) && rcu_thread_registered) {
			returned_take();
			m = node_cache_take(node_cache_class(nslots), bytes);
		}
	}
	if (!m)
		m = rtm_malloc(bytes);
	if (!m)
		return NULL;
	m->pfx[0] = pfx[0];
	m->pfx[1] = pfx[1];
	m->ext = ext;
	return m;
}

/*
 * Copy n's slots [from, to) to m's slots from `at` on.  Slots are only ever
 * written by the trie writer, which is the caller, and m is unpublished, so a
 * plain copy races with no one.
 */
static inline void
slots_copy(struct trie_node *m, unsigned at, struct trie_node *n, unsigned from, unsigned to)
{
	if (to > from)
		memcpy((void *)&m->slot[at], (const void *)&n->slot[from],
		       (size_t)(to - from) * sizeof(m->slot[0]));
}

/*
 * A copy of n (NULL: an empty node) with child c set to child (add_c >= 0),
 * child c removed (del_c >= 0), pfx bit add_i holding the destination entry
 * dent (add_i >= 0; dest_entry_make) and pfx
 * bit del_i removed (del_i >= 0).  Tombstones are dropped: *dropped counts
 * them.  NULL on ENOMEM.  Both nodes' slots are in bit order, so one merge
 * pass copies them.  Part writer only.
 */
static struct trie_node *
node_rebuild(struct trie_node *n, int add_c, struct trie_node *child, int del_c, int add_i,
	     void *dent, int del_i, unsigned *dropped)
{
	uint64_t ext = n ? n->ext : 0, pfx[2] = {0, 0};
	unsigned nch_old = n ? popcount64(n->ext) : 0, k = nch_old, out, lost = 0;
	struct trie_node *m;

	/* The destinations that stay: live ones but del_i, plus add_i. */
	if (n) {
		for (unsigned w = 0; w < 2; w++) {
			for (uint64_t b = n->pfx[w]; b; b &= b - 1) {
				int i = (int)(w * 64) + __builtin_ctzll(b);

				if (!ld_relaxed(&n->slot[k]))
					lost++;
				else if (i != del_i)
					pfx[w] |= b & -b;
				k++;
			}
		}
	}
	if (add_i >= 0)
		pfx[add_i >> 6] |= 1ull << (add_i & 63);
	if (add_c >= 0)
		ext |= 1ull << add_c;
	if (del_c >= 0)
		ext &= ~(1ull << del_c);

	m = node_alloc(ext, pfx);
	if (!m)
		return NULL;
	*dropped = lost;
	/* Children: merge n's (minus del_c) with add_c. */
	out = 0;
	k = 0;
	for (uint64_t b = ext | (n ? n->ext : 0); b; b &= b - 1) {
		int c = __builtin_ctzll(b);

		if (c == add_c) {
			atomic_init(&m->slot[out++], (void *)child);
			continue;
		}
		void *old = ld_relaxed(&n->slot[k++]);

		if (c != del_c)
			atomic_init(&m->slot[out++], old);
	}
	/* Destinations: merge n's (minus del_i and tombstones) with add_i. */
	k = nch_old;
	for (unsigned w = 0; w < 2; w++) {
		uint64_t old_bits = n ? n->pfx[w] : 0;

		for (uint64_t b = pfx[w] | old_bits; b; b &= b - 1) {
			int i = (int)(w * 64) + __builtin_ctzll(b);

			if (i == add_i) {
				atomic_init(&m->slot[out++], dent);
				continue;
			}
			void *old = ld_relaxed(&n->slot[k++]);

			if (pfx[w] & b & -b)
				atomic_init(&m->slot[out++], old);
		}
	}
	return m;
}

/*
 * The copy node_rebuild() makes, for the common case of a trie without
 * tombstones: n with one entry added or removed is then n's slot array with
 * one slot inserted or cut out, two block copies.  Falls back to the merge
 * when tombstones may exist (the part's tombstones), so that they are dropped and
 * counted.  NULL on ENOMEM.  Part writer only.
 */
static struct trie_node *
node_change(struct trie_part *t, struct trie_node *n, int add_c, struct trie_node *child, int del_c,
	    int add_i, void *dent, int del_i, unsigned *dropped)
{
	uint64_t ext, pfx[2];
	unsigned nslots, pos;
	struct trie_node *m;
	void *entry;

	if (!n || t->tombstones)
		return node_rebuild(n, add_c, child, del_c, add_i, dent, del_i, dropped);
	*dropped = 0;
	ext = n->ext;
	pfx[0] = n->pfx[0];
	pfx[1] = n->pfx[1];
	nslots = node_nslots(n);
	if (add_c >= 0) {
		pos = (unsigned)(child_slot(n, (unsigned)add_c) - n->slot);
		ext |= 1ull << add_c;
		entry = child;
	} else if (add_i >= 0) {
		pos = (unsigned)(dest_slot(n, (unsigned)add_i) - n->slot);
		pfx[add_i >> 6] |= 1ull << (add_i & 63);
		entry = dent;
	} else if (del_c >= 0) {
		pos = (unsigned)(child_slot(n, (unsigned)del_c) - n->slot);
		ext &= ~(1ull << del_c);
		entry = NULL;
	} else {
		pos = (unsigned)(dest_slot(n, (unsigned)del_i) - n->slot);
		pfx[del_i >> 6] &= ~(1ull << (del_i & 63));
		entry = NULL;
	}
	m = node_alloc(ext, pfx);
	if (!m)
		return NULL;
	slots_copy(m, 0, n, 0, pos);
	if (add_c >= 0 || add_i >= 0) {
		atomic_init(&m->slot[pos], entry);
		slots_copy(m, pos + 1, n, pos, nslots);
	} else {
		slots_copy(m, pos, n, pos + 1, nslots);
	}
	return m;
}

/* Does every pfx bit of n but i hold a tombstone?  (node_holds_only's
 * walk, for parts that may hold tombstones.) */
static __attribute__((noinline)) bool
dests_are_tombstones_but(struct trie_node *n, int i)
{
	for (unsigned w = 0; w < 2; w++) {
		for (uint64_t b = n->pfx[w]; b; b &= b - 1) {
			int j = (int)(w * 64) + __builtin_ctzll(b);

			if (j != i && ld_relaxed(dest_slot(n, (unsigned)j)))
				return false;
		}
	}
	return true;
}

/*
 * Does n hold nothing but child c (c >= 0) or nothing but the destination
 * of pfx bit i (i >= 0), tombstones aside?  Part p's writer only.  While p
 * counts no tombstone every pfx bit holds a destination, so the bitmaps
 * alone answer; otherwise the other pfx bits' slots are read.
 */
static inline bool
node_holds_only(const struct trie_part *p, struct trie_node *n, int c, int i)
{
	if (n->ext != (c >= 0 ? 1ull << c : 0))
		return false;
	if (p->tombstones)
		return dests_are_tombstones_but(n, i);
	return n->pfx[0] == (i >= 0 && i < 64 ? 1ull << i : 0) &&
	       n->pfx[1] == (i >= 64 ? 1ull << (i - 64) : 0);
}

/* The direct slot of a prefix longer than TRIE_DIRECT_BITS: its first bits. */
static inline unsigned
direct_index(const struct prefix *key)
{
	return (unsigned)(key->k[0] >> (64 - TRIE_DIRECT_BITS));
}

/*
 * Where key's tree hangs and the level of its top node: the short trie's
 * root (level 0) for /1 .. /18, else key's direct slot (level 3).
 */
static inline _Atomic(struct trie_node *) *
tree_top(struct trie *t, const struct prefix *key, unsigned *base)
{
	if (key->len <= TRIE_DIRECT_BITS) {
		*base = 0;
		return &t->root;
	}
	*base = TRIE_DIRECT_LEVELS;
	return &t->direct[direct_index(key)];
}

/* occupied[] bits: set before a direct slot is filled, cleared after it is
 * emptied, by the slot's part writer; other parts share the word. */
static inline void
occupied_set(struct trie *t, unsigned s)
{
	fetch_or_release(&t->occupied[s / 64], 1ull << (s % 64));
}

static inline void
occupied_clear(struct trie *t, unsigned s)
{
	fetch_and_release(&t->occupied[s / 64], ~(1ull << (s % 64)));
}

/* The first direct slot >= s whose occupied bit is set, or TRIE_DIRECT_SLOTS. */
static unsigned
occupied_next_rcu(struct trie *t, unsigned s)
{
	unsigned w = s / 64;
	uint64_t bits;

	if (s >= TRIE_DIRECT_SLOTS)
		return TRIE_DIRECT_SLOTS;
	bits = ld_acquire(&t->occupied[w]) & (~0ull << (s % 64));
	while (!bits) {
		if (++w == TRIE_DIRECT_SLOTS / 64)
			return TRIE_DIRECT_SLOTS;
		bits = ld_acquire(&t->occupied[w]);
	}
	return w * 64 + (unsigned)__builtin_ctzll(bits);
}

struct dest *
trie_lookup_exact_rcu(struct trie *t, const struct prefix *key)
{
	unsigned base, level, r, i;
	struct trie_node *n;
	void *entry;

	if (key->len == 0)
		return ld_acquire(&t->dflt);
	n = ld_acquire(tree_top(t, key, &base));
	prefix_place(key->len, &level, &r);
	for (unsigned l = base; n && l < level; l++) {
		unsigned c = key_chunk(key, l * TRIE_STRIDE);

		node_prefetch_rcu(n);
		if (!ext_test(n, c))
			return NULL;
		n = ld_acquire(child_slot(n, c));
	}
	if (!n)
		return NULL;
	node_prefetch_rcu(n);
	i = pfx_index(r, key_chunk(key, level * TRIE_STRIDE) >> (TRIE_STRIDE - r));
	if (!pfx_test(n, i))
		return NULL;
	entry = ld_acquire(dest_slot(n, i));
	dest_entry_prefetch_handles(entry);
	return dest_entry_dest(entry);
}

/*
 * pfx[] bits of the prefixes of relative length 1..6 that cover chunk c:
 * bit 2^r - 2 + (c >> (6 - r)) for each r (bits 0..61 for r <= 5, 62 + c
 * for r = 6), as a table (1 KiB) because every level of every lookup needs
 * one: a load instead of a dozen shifts and ors.  The shifts are masked
 * only to keep the compiler quiet about the arm of ?: not taken.
 */
#define COVER_W0(c)                                                                         \
	(1ull << ((c) >> 5) | 1ull << (2 + ((c) >> 4)) | 1ull << (6 + ((c) >> 3)) |        \
	 1ull << (14 + ((c) >> 2)) | 1ull << (30 + ((c) >> 1)) |                           \
	 ((c) < 2 ? 1ull << ((62 + (c)) & 63) : 0))
#define COVER_W1(c) ((c) < 2 ? 0 : 1ull << (((c) - 2) & 63))
#define COVER(c) {COVER_W0(c), COVER_W1(c)}
#define COVER4(c) COVER(c), COVER((c) + 1), COVER((c) + 2), COVER((c) + 3)
#define COVER16(c) COVER4(c), COVER4((c) + 4), COVER4((c) + 8), COVER4((c) + 12)

static const uint64_t cover_all[CHUNKS][2] = {COVER16(0), COVER16(16), COVER16(32), COVER16(48)};

/* The bits of relative lengths 1..rmax (rmax 1..6): below bit 2^(rmax+1) - 2. */
static const uint64_t cover_len[TRIE_STRIDE + 1][2] = {
	{0, 0},
	{(1ull << 2) - 1, 0},
	{(1ull << 6) - 1, 0},
	{(1ull << 14) - 1, 0},
	{(1ull << 30) - 1, 0},
	{(1ull << 62) - 1, 0},
	{~0ull, ~0ull},
};

/* pfx[] bits of the prefixes of relative length 1..rmax that cover chunk c. */
static inline void
cover_mask(unsigned c, unsigned rmax, uint64_t m[2])
{
	m[0] = cover_all[c][0] & cover_len[rmax][0];
	m[1] = cover_all[c][1] & cover_len[rmax][1];
}

/* n's pfx bits of the prefixes that cover a key whose chunk at n is c, with
 * rmax bits of the key past n's base (cover_mask of what n holds). */
static inline void
node_cover_rcu(const struct trie_node *n, unsigned c, unsigned rmax, uint64_t m[2])
{
	cover_mask(c, rmax, m);
	m[0] &= n->pfx[0];
	m[1] &= n->pfx[1];
}

/* The highest bit set in m, which is not all zero: a higher pfx bit is a
 * longer prefix. */
static inline unsigned
pfx_highest(const uint64_t m[2])
{
	return m[1] ? 127 - (unsigned)__builtin_clzll(m[1]) : 63 - (unsigned)__builtin_clzll(m[0]);
}

/*
 * Walk key's path down from n (at `level`, loaded from `from`) as far as it
 * goes, noting each node in cur->lv[level ...]; n NULL is noted as the top
 * of an empty tree.  Returns the level after the last node walked.
 */
static inline __attribute__((always_inline)) unsigned
cursor_walk_rcu(struct trie_cursor *cur, const struct prefix *key, struct trie_node *n,
		const void *from, unsigned level)
{
	cur->lv[level].node = n;
	cur->lv[level].from = from;
	for (unsigned pos = level * TRIE_STRIDE; n && pos < key->len; pos += TRIE_STRIDE) {
		unsigned c = key_chunk(key, pos), rem = key->len - pos;
		struct trie_cursor_level *lv = &cur->lv[level++];
		_Atomic(void *) *slot;

		node_prefetch_rcu(n);
		lv->node = n;
		lv->from = from;
		lv->chunk = (uint8_t)c;
		lv->rmax = (uint8_t)(rem < TRIE_STRIDE ? rem : TRIE_STRIDE);
		if (rem <= TRIE_STRIDE || !ext_test(n, c))
			break;
		slot = child_slot(n, c);
		from = slot;
		n = ld_acquire(slot);
	}
	return level;
}

void
trie_longest_begin_rcu(struct trie *t, const struct prefix *key, struct trie_cursor *cur)
{
	unsigned end = TRIE_DIRECT_LEVELS;

	cur->trie = t;
	cur->key = key;
	cur->short_walked = false;
	cur->dflt = cur->first_dflt = NULL;
	if (key->len > TRIE_DIRECT_BITS) {
		_Atomic(struct trie_node *) *top = &t->direct[direct_index(key)];

		cur->long_part = trie_part_of(t, key);
		/* Pairs with the release in trie_part_unlock(); odd: changing. */
		cur->long_seq = ld_acquire(&cur->long_part->seq.seq);
		end = cursor_walk_rcu(cur, key, ld_acquire(top), top, TRIE_DIRECT_LEVELS);
	}
	cur->long_end = cur->depth = cur->unmasked = end;
}

/* The short trie's part of the cursor, walked once the longer levels are
 * used up. */
static void
cursor_walk_short_rcu(struct trie_cursor *cur)
{
	struct trie *t = cur->trie;
	unsigned end;

	cur->short_seq = ld_acquire(&t->part[TRIE_SHORT_PART].seq.seq);
	cur->dflt = cur->first_dflt = ld_acquire(&t->dflt);
	end = cursor_walk_rcu(cur, cur->key, ld_acquire(&t->root), &t->root, 0);
	cur->short_end = cur->depth = cur->unmasked = end;
	cur->short_walked = true;
}

/* Did part p not change since its seqcount read seq (even, and the same)? */
static inline bool
part_unchanged_rcu(struct trie_part *p, uint32_t seq)
{
	return !(seq & 1) && !seq_read_retry(&p->seq, seq);
}

/* Do the nodes cur noted at levels [from, end) hang where they did?  Level
 * `from` is the top of its tree (possibly noted as NULL). */
static bool
cursor_nodes_unchanged_rcu(const struct trie_cursor *cur, unsigned from, unsigned end)
{
	for (unsigned l = from; l < (end > from ? end : from + 1); l++) {
		_Atomic(void *) *slot = (_Atomic(void *) *)cur->lv[l].from;

		if (ld_acquire(slot) != cur->lv[l].node)
			return false;
	}
	/* The last node's bitmaps, which ended the walk, are unchanged too. */
	return true;
}

bool
trie_cursor_path_unchanged_rcu(struct trie *t, const struct prefix *key,
			       const struct trie_cursor *cur)
{
	if (key->len > TRIE_DIRECT_BITS && !part_unchanged_rcu(cur->long_part, cur->long_seq) &&
	    !cursor_nodes_unchanged_rcu(cur, TRIE_DIRECT_LEVELS, cur->long_end))
		return false;
	if (!cur->short_walked || part_unchanged_rcu(&t->part[TRIE_SHORT_PART], cur->short_seq))
		return true;
	if (ld_acquire(&t->dflt) != cur->first_dflt)
		return false;
	return key->len == 0 || cursor_nodes_unchanged_rcu(cur, 0, cur->short_end);
}

struct dest *
trie_longest_next_rcu(struct trie_cursor *cur)
{
	for (;;) {
		unsigned floor = cur->short_walked ? 0 : TRIE_DIRECT_LEVELS;

		while (cur->depth > floor) {
			struct trie_cursor_level *lv = &cur->lv[cur->depth - 1];
			unsigned i;
			struct dest *d;

			if (cur->depth == cur->unmasked) { /* first time at this level */
				node_cover_rcu(lv->node, lv->chunk, lv->rmax, lv->m);
				cur->unmasked--;
			}
			if (!(lv->m[0] | lv->m[1])) {
				cur->depth--;
				continue;
			}
			/* The longest first. */
			i = pfx_highest(lv->m);
			lv->m[i / 64] &= ~(1ull << (i % 64));
			d = dest_entry_dest(ld_acquire(dest_slot(lv->node, i)));
			if (d)
				return d;
		}
		if (cur->short_walked)
			break;
		cursor_walk_short_rcu(cur);
	}
	if (cur->dflt) {
		struct dest *d = cur->dflt;

		cur->dflt = NULL;
		return d;
	}
	return NULL;
}

/*
 * The longest destination covering key in the tree from n (at `level`):
 * 1 with it in *d, 0 if the tree holds none, -1 if its slot is a tombstone.
 * With handles, the caller will reference the destination's handles: their
 * slots start loading as soon as its entry is read (dest_entry_prefetch_handles).
 * The key's bits from the level's base on are kept in two words shifted
 * left 6 bits per level (level is a constant at each call: 0 or
 * TRIE_DIRECT_LEVELS), so that each chunk is the top 6 bits of one word.
 */
static inline __attribute__((always_inline)) int
tree_longest_rcu(struct trie_node *n, const struct prefix *key, unsigned level, bool handles,
		 struct dest **d)
{
	void *entry;
	struct trie_node *best = NULL;
	uint64_t best_m[2] = {0, 0};
	unsigned pos = level * TRIE_STRIDE;
	uint64_t hi = pos ? key->k[0] << pos | key->k[1] >> (64 - pos) : key->k[0];
	uint64_t lo = key->k[1] << pos;

	for (; n && pos < key->len; pos += TRIE_STRIDE) {
		unsigned c = (unsigned)(hi >> (64 - TRIE_STRIDE)), rem = key->len - pos;
		uint64_t m[2];

		node_prefetch_rcu(n);
		node_cover_rcu(n, c, rem < TRIE_STRIDE ? rem : TRIE_STRIDE, m);
		if (m[0] | m[1]) { /* deeper nodes hold longer prefixes */
			best = n;
			best_m[0] = m[0];
			best_m[1] = m[1];
		}
		if (rem <= TRIE_STRIDE || !ext_test(n, c))
			break;
		n = ld_acquire(child_slot(n, c));
		hi = hi << TRIE_STRIDE | lo >> (64 - TRIE_STRIDE);
		lo <<= TRIE_STRIDE;
	}
	if (!best)
		return 0;
	entry = ld_acquire(dest_slot(best, pfx_highest(best_m)));
	if (handles)
		dest_entry_prefetch_handles(entry);
	*d = dest_entry_dest(entry);
	return *d ? 1 : -1;
}

/*
 * trie_longest_first_rcu(), and trie_longest_rcu() when f is NULL.  The
 * first serves RtmGet*Destination, which reference the destination's
 * handles, so it starts loading their slots; the second RtmxLookupRoute,
 * which references none (there the extra loads only cost).
 */
static inline __attribute__((always_inline)) bool
longest_first_rcu(struct trie *t, const struct prefix *key, struct trie_first *f,
		  struct dest **d)
{
	bool handles = f != NULL;
	int found = 0;

	*d = NULL;
	if (f)
		f->short_walked = false;
	if (key->len > TRIE_DIRECT_BITS) {
		/* Pairs with the release in trie_part_unlock(); odd: changing. */
		if (f)
			f->long_seq = ld_acquire(&trie_part_of(t, key)->seq.seq);
		found = tree_longest_rcu(ld_acquire(&t->direct[direct_index(key)]), key,
					 TRIE_DIRECT_LEVELS, handles, d);
	}
	if (found == 0) {
		if (f) {
			f->short_walked = true;
			f->short_seq = ld_acquire(&t->part[TRIE_SHORT_PART].seq.seq);
		}
		found = tree_longest_rcu(ld_acquire(&t->root), key, 0, handles, d);
		if (found == 0)
			*d = ld_acquire(&t->dflt);
	}
	return found >= 0;
}

bool
trie_longest_first_rcu(struct trie *t, const struct prefix *key, struct trie_first *f,
		       struct dest **d)
{
	return longest_first_rcu(t, key, f, d);
}

bool
trie_longest_rcu(struct trie *t, const struct prefix *key, struct dest **d)
{
	return longest_first_rcu(t, key, NULL, d);
}

bool
trie_first_unchanged_rcu(struct trie *t, const struct prefix *key, const struct trie_first *f)
{
	if (key->len > TRIE_DIRECT_BITS && !part_unchanged_rcu(trie_part_of(t, key), f->long_seq))
		return false;
	return !f->short_walked || part_unchanged_rcu(&t->part[TRIE_SHORT_PART], f->short_seq);
}

/*
 * Visit n's entries in enumeration order from chunk `from` on: for each chunk
 * c, the destinations whose prefix (padded with zeros) starts with c,
 * shortest first, then child c.  Returns the first destination accepted by
 * the caller's rule, or NULL.
 */
static struct dest *subtree_first(struct trie_node *n);

static struct dest *
after_in(struct trie_node *n, unsigned level, const struct prefix *key, bool strict)
{
	unsigned kc = key_chunk(key, level * TRIE_STRIDE);

	for (unsigned c = kc; c < CHUNKS; c++) {
		for (unsigned r = 1; r <= TRIE_STRIDE; r++) {
			unsigned i;
			struct dest *d;
			int cmp;

			if (c & ((1u << (TRIE_STRIDE - r)) - 1))
				continue; /* no prefix of this length starts exactly at c */
			i = pfx_index(r, c >> (TRIE_STRIDE - r));
			if (!pfx_test(n, i) || !(d = dest_entry_dest(ld_acquire(dest_slot(n, i)))))
				continue;
			cmp = prefix_cmp(&d->key, key);
			if (cmp > 0 || (cmp == 0 && !strict))
				return d;
		}
		if (ext_test(n, c)) {
			struct trie_node *ch = ld_acquire(child_slot(n, c));
			struct dest *d;

			/*
			 * Child c's prefixes are longer than its base; when key
			 * is no longer than the base and starts with it (c ==
			 * kc), they all come after key, as they do for c > kc.
			 */
			if (c > kc || key->len <= (level + 1) * TRIE_STRIDE)
				d = subtree_first(ch);
			else
				d = after_in(ch, level + 1, key, strict);
			if (d)
				return d;
		}
	}
	return NULL;
}

static struct dest *
subtree_first(struct trie_node *n)
{
	for (unsigned c = 0; c < CHUNKS; c++) {
		for (unsigned r = 1; r <= TRIE_STRIDE; r++) {
			unsigned i;
			struct dest *d;

			if (c & ((1u << (TRIE_STRIDE - r)) - 1))
				continue;
			i = pfx_index(r, c >> (TRIE_STRIDE - r));
			if (pfx_test(n, i) && (d = dest_entry_dest(ld_acquire(dest_slot(n, i)))))
				return d;
		}
		if (ext_test(n, c)) {
			struct dest *d = subtree_first(ld_acquire(child_slot(n, c)));

			if (d)
				return d;
		}
	}
	return NULL;
}

/* trie_next_rcu() among /0 .. /18: the short trie and dflt. */
static struct dest *
short_next_rcu(struct trie *t, const struct prefix *key, bool strict)
{
	struct trie_node *root = ld_acquire(&t->root);
	struct dest *d = ld_acquire(&t->dflt);

	/* The /0 comes first of all. */
	if (d && (!key || (key->len == 0 && !strict)))
		return d;
	if (!root)
		return NULL;
	if (!key || key->len == 0)
		return subtree_first(root);
	return after_in(root, 0, key, strict);
}

/*
 * trie_next_rcu() among the prefixes longer than /18, in the direct slots.
 * A slot before key's holds only prefixes before key; when key is /18 or
 * shorter, every prefix of key's slot comes after it (longer, at an address
 * no lower).
 */
static struct dest *
direct_next_rcu(struct trie *t, const struct prefix *key, bool strict)
{
	unsigned s = 0;
	struct dest *d;

	if (key && key->len > 0) {
		s = direct_index(key);
		if (key->len > TRIE_DIRECT_BITS) {
			struct trie_node *n = ld_acquire(&t->direct[s]);

			if (n && (d = after_in(n, TRIE_DIRECT_LEVELS, key, strict)))
				return d;
			s++;
		}
	}
	for (s = occupied_next_rcu(t, s); s < TRIE_DIRECT_SLOTS; s = occupied_next_rcu(t, s + 1)) {
		struct trie_node *n = ld_acquire(&t->direct[s]);

		if (n && (d = subtree_first(n)))
			return d;
	}
	return NULL;
}

/*
 * The smaller of the two parts' answers.  When key is longer than /18 and
 * the direct answer is in key's own slot, no /0 .. /18 can lie between
 * them (its address would be the slot's base, below key's, so it would
 * come before key): the short trie is not searched, as is the case for
 * most steps of an enumeration.
 */
struct dest *
trie_next_rcu(struct trie *t, const struct prefix *key, bool strict)
{
	struct dest *a, *b = direct_next_rcu(t, key, strict);

	if (b && key && key->len > TRIE_DIRECT_BITS && direct_index(&b->key) == direct_index(key))
		return b;
	a = short_next_rcu(t, key, strict);
	if (!a || !b)
		return a ? a : b;
	return prefix_cmp(&a->key, &b->key) < 0 ? a : b;
}

void
trie_prefetch_top(struct trie *t, const struct prefix *key)
{
	unsigned base;

	if (key->len > 0)
		__builtin_prefetch(tree_top(t, key, &base));
}

int
trie_insert_locked(struct trie *t, struct dest *d)
{
	const struct prefix *key = &d->key;
	struct trie_part *p = trie_part_of(t, key);
	_Atomic(struct trie_node *) *top;
	_Atomic(void *) *slot = NULL; /* where n hangs; NULL: top */
	struct trie_node *n, *chain = NULL, *fresh;
	unsigned base, level, r, l, i, dropped = 0;
	int c_new = -1;

	if (key->len == 0) {
		if (ld_relaxed(&t->dflt))
			return -EEXIST;
		st_release(&t->dflt, d); /* pairs with readers' acquire */
		goto inserted;
	}
	top = tree_top(t, key, &base);
	n = ld_relaxed(top);
	l = base;
	prefix_place(key->len, &level, &r);
	i = pfx_index(r, key_chunk(key, level * TRIE_STRIDE) >> (TRIE_STRIDE - r));
	/* Walk down as far as the path exists. */
	while (n && l < level) {
		unsigned c = key_chunk(key, l * TRIE_STRIDE);

		if (!ext_test(n, c)) {
			c_new = (int)c;
			break;
		}
		slot = child_slot(n, c);
		n = ld_relaxed(slot);
		l++;
	}
	if (n && l == level) {
		_Atomic(void *) *ds;

		if (pfx_test(n, i)) {
			ds = dest_slot(n, i);
			if (ld_relaxed(ds))
				return -EEXIST;
			st_release(ds, dest_entry_make(d)); /* a tombstone comes back to life */
			p->tombstones--;
			goto inserted;
		}
		/* n's copy replaces it: n needs a place in a batch. */
		if (!retire_ready())
			return -ENOMEM;
		fresh = node_change(p, n, -1, NULL, -1, (int)i, dest_entry_make(d), -1, &dropped);
		if (!fresh)
			return -ENOMEM;
		goto publish;
	}
	/*
	 * Build the missing nodes bottom-up, privately: the target node at
	 * `level`, then one node per level up to l + 1 (or l when there is no
	 * node at l at all: an empty tree).
	 */
	if (n && !retire_ready())
		return -ENOMEM;
	chain = node_rebuild(NULL, -1, NULL, -1, (int)i, dest_entry_make(d), -1, &dropped);
	if (!chain)
		return -ENOMEM;
	for (unsigned k = level; k-- > (n ? l + 1 : l);) {
		struct trie_node *up =
			node_rebuild(NULL, (int)key_chunk(key, k * TRIE_STRIDE), chain, -1, -1, NULL, -1,
				     &dropped);

		if (!up)
			goto free_chain;
		chain = up;
	}
	if (!n) {
		fresh = chain; /* the tree was empty */
		if (base)
			occupied_set(t, direct_index(key)); /* before the slot fills */
		goto publish;
	}
	fresh = node_change(p, n, c_new, chain, -1, -1, NULL, -1, &dropped);
	if (!fresh)
		goto free_chain;
publish:
	/* Pairs with readers' acquire of the slot. */
	if (slot)
		st_release(slot, fresh);
	else
		st_release(top, fresh);
	if (n)
		node_retire(n);
	p->tombstones -= dropped;
inserted:
	p->ndests++;
	return 0;
free_chain:
	/* Unpublished: free directly, walking the single-child chain down. */
	while (chain) {
		struct trie_node *next = chain->ext ? ld_relaxed(&chain->slot[0]) : NULL;

		rtm_free(chain);
		chain = next;
	}
	return -ENOMEM;
}

/* Empty the tree hanging at top (its nodes may hold only tombstones). */
static void
tree_unlink(struct trie *t, _Atomic(struct trie_node *) *top)
{
	struct trie_node *n = ld_relaxed(top);

	if (!n)
		return;
	st_release(top, NULL);
	if (top != &t->root)
		occupied_clear(t, (unsigned)(top - t->direct));
	subtree_each(n, node_retire); /* readers may still be inside */
}

/*
 * Part p's last destination is gone.  Nodes left are tombstones of
 * removals that could not allocate (none if p->tombstones is 0); unlinking
 * them needs no memory, so an emptied part holds none.  The thread's open
 * batch goes to RCU too, so that a thread that empties a trie leaves no
 * node of it waiting for a flush.
 */
static void
part_emptied(struct trie *t, struct trie_part *p)
{
	if (p->tombstones) {
		if (p == &t->part[TRIE_SHORT_PART]) {
			tree_unlink(t, &t->root);
		} else {
			for (unsigned s = (unsigned)(p - t->part); s < TRIE_DIRECT_SLOTS;
			     s += TRIE_SHORT_PART)
				tree_unlink(t, &t->direct[s]);
		}
		p->tombstones = 0;
	}
	retire_flush();
}

void
trie_remove_locked(struct trie *t, struct dest *d)
{
	const struct prefix *key = &d->key;
	struct trie_part *p = trie_part_of(t, key);
	struct trie_node *path[TRIE_LEVELS];
	_Atomic(void *) *slots[TRIE_LEVELS]; /* slots[l]: where path[l] hangs; NULL: top */
	_Atomic(struct trie_node *) *top_slot;
	struct trie_node *n, *fresh;
	_Atomic(void *) *ds;
	unsigned base, level, r, i, top, dropped;

	if (key->len == 0) {
		if (ld_relaxed(&t->dflt) != d)
			abort(); /* broken invariant: d is in the trie */
		st_release(&t->dflt, NULL);
		goto removed;
	}
	top_slot = tree_top(t, key, &base);
	prefix_place(key->len, &level, &r);
	i = pfx_index(r, key_chunk(key, level * TRIE_STRIDE) >> (TRIE_STRIDE - r));
	n = ld_relaxed(top_slot);
	slots[base] = NULL;
	for (unsigned l = base;; l++) {
		if (!n)
			abort();
		node_prefetch_rcu(n); /* as in a lookup; the copy reads them too */
		path[l] = n;
		if (l == level)
			break;
		unsigned c = key_chunk(key, l * TRIE_STRIDE);

		if (!ext_test(n, c))
			abort();
		slots[l + 1] = child_slot(n, c);
		n = ld_relaxed(slots[l + 1]);
	}
	if (!pfx_test(n, i) || dest_entry_dest(ld_relaxed(ds = dest_slot(n, i))) != d)
		abort();

	/*
	 * Nodes that would hold nothing once d goes (the target node holding
	 * only d, then each parent holding only the path to it) are unlinked
	 * whole; the lowest node that keeps something gets a shrunk copy.
	 */
	top = level;
	while (node_holds_only(p, path[top], top == level ? -1 : (int)key_chunk(key, top * TRIE_STRIDE),
			       top == level ? (int)i : -1)) {
		if (top == base)
			break;
		top--;
	}
	if (top == base &&
	    node_holds_only(p, path[base], level == base ? -1 : (int)key_chunk(key, base * TRIE_STRIDE),
			    level == base ? (int)i : -1)) {
		st_release(top_slot, NULL); /* the tree is now empty */
		if (base)
			occupied_clear(t, direct_index(key)); /* after the slot empties */
	} else {
		if (top == level)
			fresh = node_change(p, path[top], -1, NULL, -1, -1, NULL, (int)i, &dropped);
		else
			fresh = node_change(p, path[top], -1, NULL,
					    (int)key_chunk(key, top * TRIE_STRIDE), -1, NULL, -1,
					    &dropped);
		if (!fresh) {
			st_release(ds, NULL); /* out of memory: leave a tombstone */
			p->tombstones++;
			goto removed;
		}
		p->tombstones -= dropped;
		if (slots[top])
			st_release(slots[top], fresh); /* pairs with readers' acquire */
		else
			st_release(top_slot, fresh);
	}
	for (unsigned l = top; l <= level; l++)
		node_retire(path[l]);
removed:
	if (--p->ndests == 0)
		part_emptied(t, p);
}

int
trie_init(struct trie *t)
{
	memset(t, 0, sizeof(*t));
	t->direct = rtm_calloc(TRIE_DIRECT_SLOTS, sizeof(t->direct[0]));
	t->occupied = rtm_calloc(TRIE_DIRECT_SLOTS / 64, sizeof(t->occupied[0]));
	if (!t->direct || !t->occupied) {
		rtm_free((void *)t->direct);
		rtm_free((void *)t->occupied);
		return -ENOMEM;
	}
	atomic_init(&t->root, NULL);
	atomic_init(&t->dflt, NULL);
	for (unsigned k = 0; k < TRIE_PARTS; k++) {
		pthread_mutex_init(&t->part[k].lock, NULL);
		seq_init(&t->part[k].seq);
	}
	return 0;
}

void
trie_writers_barrier(struct trie *t)
{
	for (unsigned k = 0; k < TRIE_PARTS; k++) {
		pthread_mutex_lock(&t->part[k].lock);
		pthread_mutex_unlock(&t->part[k].lock);
	}
}

void
trie_counts(struct trie *t, long *ndests, long *tombstones)
{
	*ndests = *tombstones = 0;
	for (unsigned k = 0; k < TRIE_PARTS; k++) {
		*ndests += t->part[k].ndests;
		*tombstones += t->part[k].tombstones;
	}
}

bool
trie_is_empty(struct trie *t)
{
	long ndests, tombstones;

	trie_counts(t, &ndests, &tombstones);
	if (ndests || tombstones || ld_acquire(&t->root) || ld_acquire(&t->dflt))
		return false;
	for (unsigned s = 0; s < TRIE_DIRECT_SLOTS; s++) {
		if (ld_acquire(&t->direct[s]))
			return false;
	}
	return true;
}

static void
node_free_now(struct trie_node *n)
{
	rtm_free(n);
}

void
trie_destroy(struct trie *t)
{
	struct trie_node *root = ld_relaxed(&t->root);

	if (root)
		subtree_each(root, node_free_now);
	for (unsigned s = 0; s < TRIE_DIRECT_SLOTS; s++) {
		struct trie_node *n = ld_relaxed(&t->direct[s]);

		if (n)
			subtree_each(n, node_free_now);
	}
	for (unsigned k = 0; k < TRIE_PARTS; k++)
		pthread_mutex_destroy(&t->part[k].lock);
	rtm_free((void *)t->direct);
	rtm_free((void *)t->occupied);
	t->direct = NULL;
	t->occupied = NULL;
	st_relaxed(&t->root, NULL);
	st_relaxed(&t->dflt, NULL);
}
