/*
 * test_trie_recycle.c - the writing thread's cache of freed trie nodes
 * (core/node_cache.h).
 *
 * Random inserts and removals of /19 .. /30 prefixes under three direct
 * slots (two of them in the same part), each step after rcu_throttle() as an
 * API call starts, so that the thread's retire batch runs here every
 * RCU_BATCH retired nodes and its nodes come back to this thread's cache.
 * After each step: the cache stays within its bounds and each kept node has
 * its class's room; every few steps, exact lookups agree with the model and
 * every node of the trees has room for its slots (malloc_usable_size: a
 * node reused from the wrong class would be too small).  Over the run,
 * copies must have taken many nodes from the cache.  Then rcu_drain() runs
 * the thread's batch on a call_rcu worker, which keeps nothing: churning on
 * without rcu_throttle(), a copy that finds its class empty must take those
 * nodes in (the cache grows inside one change).
 *
 * Links rtm::internal (the store built as librtm is, so with the cache on),
 * not rtm_faultinj, which passes nodes straight to malloc.  Under a
 * sanitizer the cache is off (NODE_CACHE_ON 0): only the lookups and the
 * sizes are checked.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dest.h"
#include "fatal_check.h"
#include "node_cache.h"
#include "prefix.h"
#include "rcu.h"
#include "trie.h"

#define NCAND 600
#define NSTEPS 30000

static struct trie trie;
static struct dest cand[NCAND];
static bool present[NCAND];
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static unsigned long kept_max;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Direct slots 0x2800 and 0x2840 (10.0.0.0/18 and 10.16.0.0/18) share part 0;
 * 0x2801 (10.0.64.0/18) is part 1's. */
static const uint32_t slot_base[3] = {0x0A000000u, 0x0A100000u, 0x0A004000u};

static void
make_candidates(void)
{
	for (unsigned i = 0; i < NCAND; i++) {
		uint32_t len = 19 + (uint32_t)(rnd() % 12);
		uint32_t addr = slot_base[i % 3] | (uint32_t)(rnd() & 0x3FFFu);
		struct prefix *p = &cand[i].key;

		p->k[0] = (uint64_t)addr << 32;
		p->k[1] = 0;
		p->len = len;
		prefix_mask(p);
		for (unsigned j = 0; j < i; j++) {
			if (prefix_cmp(&cand[j].key, p) == 0) {
				i--; /* a duplicate: draw again */
				break;
			}
		}
	}
}

/* Does every node of n's subtree have room for its slots? */
static bool
subtree_sized(const struct trie_node *n)
{
	unsigned nch = (unsigned)__builtin_popcountll(n->ext);
	unsigned nslots = nch + (unsigned)__builtin_popcountll(n->pfx[0]) +
			  (unsigned)__builtin_popcountll(n->pfx[1]);

	if (malloc_usable_size((void *)n) < sizeof(*n) + nslots * sizeof(n->slot[0]))
		return false;
	for (unsigned k = 0; k < nch; k++) {
		if (!subtree_sized(atomic_load(&n->slot[k])))
			return false;
	}
	return true;
}

static unsigned
cache_count(void)
{
	const struct node_cache *c = node_cache_mine();
	unsigned n = 0;

	for (unsigned k = 0; c && k < NODE_CACHE_CLASSES; k++)
		n += c->n[k];
	return n;
}

/* Insert or remove cand[i]; returns the change in the cache's count. */
static long
toggle(unsigned i)
{
	struct trie_part *p = trie_part_of(&trie, &cand[i].key);
	long before = cache_count();

	trie_part_lock(p);
	if (present[i])
		trie_remove_locked(&trie, &cand[i]);
	else
		CHECK(trie_insert_locked(&trie, &cand[i]) == 0, "insert %u", i);
	trie_part_unlock(p);
	present[i] = !present[i];
	return (long)cache_count() - before;
}

static void
check_cache(void)
{
	const struct node_cache *c = node_cache_mine();
	size_t bytes = 0;

	if (!c)
		return;
	for (unsigned k = 0; k < NODE_CACHE_CLASSES; k++) {
		CHECK(c->n[k] <= NODE_CACHE_DEPTH, "class %u holds %u", k, c->n[k]);
		for (unsigned j = 0; j < c->n[k]; j++) {
			size_t room = sizeof(struct trie_node) +
				      (size_t)k * NODE_CACHE_STEP * sizeof(((struct trie_node *)0)->slot[0]);

			CHECK(malloc_usable_size(c->node[k][j]) >= room,
			      "a kept node of class %u is too small", k);
			bytes += room;
		}
	}
	CHECK(bytes == c->bytes, "cache counts %zu bytes, holds %zu", c->bytes, bytes);
	CHECK(bytes <= NODE_CACHE_BYTES, "cache holds %zu bytes", bytes);
	if (cache_count() > kept_max)
		kept_max = cache_count();
}

int
main(void)
{
	unsigned long taken = 0;
	bool came_back = false;

	rcu_thread_enter();
	make_candidates();
	CHECK(trie_init(&trie) == 0, "trie_init");
	for (unsigned s = 0; s < NSTEPS; s++) {
		long grew;

		rcu_throttle(); /* may run the thread's batch: nodes come back */
		check_cache();
		grew = toggle((unsigned)(rnd() % NCAND));
		if (grew < 0)
			taken += (unsigned long)-grew; /* a copy took a kept node */
		check_cache();
		if (s % 97 == 0) {
			rcu_lock();
			for (unsigned j = 0; j < NCAND; j++) {
				struct dest *d = trie_lookup_exact_rcu(&trie, &cand[j].key);

				CHECK(d == (present[j] ? &cand[j] : NULL), "step %u: lookup of %u", s, j);
			}
			for (unsigned k = 0; k < 3; k++) {
				struct trie_node *n =
					atomic_load(&trie.direct[slot_base[k] >> (32 - TRIE_DIRECT_BITS)]);

				CHECK(!n || subtree_sized(n), "step %u: a node too small for its slots", s);
			}
			rcu_unlock();
		}
	}
	rcu_drain(); /* the batch runs on a call_rcu worker */
	for (unsigned s = 0; s < NSTEPS && !came_back; s++) {
		came_back = toggle((unsigned)(rnd() % NCAND)) > 0;
		check_cache();
	}
	if (NODE_CACHE_ON) {
		CHECK(kept_max > 0, "no node ever came back to the cache");
		CHECK(taken > NSTEPS / 4, "copies took only %lu kept nodes", taken);
		CHECK(came_back, "nodes freed on a call_rcu worker never came back");
	}
	for (unsigned i = 0; i < NCAND; i++) {
		if (present[i]) {
			struct trie_part *p = trie_part_of(&trie, &cand[i].key);

			trie_part_lock(p);
			trie_remove_locked(&trie, &cand[i]);
			trie_part_unlock(p);
		}
	}
	CHECK(trie_is_empty(&trie), "emptied trie not empty");
	trie_destroy(&trie);
	printf("test_trie_recycle: %lu kept nodes reused in %u steps (at most %lu kept)\n", taken,
	       NSTEPS, kept_max);
	return 0;
}
