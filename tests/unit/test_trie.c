/*
 * test_trie.c - the trie on its own (core/trie.h), against a model: random
 * insertions and removals of prefixes that share paths (so nodes hold many
 * entries and get copied, shrunk and unlinked), some of them with an
 * allocation made to fail.  After every step it checks exact lookups of
 * every candidate, the longest-match cursor on random keys (every covering
 * destination, longest first, and a path that reads as unchanged), the whole
 * enumeration order, the next destination after keys that are not in the
 * trie, and each part's tombstone count: never below the tombstones in
 * the part (some must appear), and an emptied part holds no node and no
 * tombstone.  At the end no allocation is left.
 *
 * Links rtm_faultinj (the core built with RTM_FAULT_INJECTION), not librtm.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dest.h"
#include "fatal_check.h"
#include "prefix.h"
#include "rcu.h"
#include "trie.h"

#define NCAND 700
#define NSTEPS 6000
#define NPROBES 24

static struct dest cand[NCAND];
static bool present[NCAND];
static long most_tombstones; /* the most seen in the trie at once */
static uint64_t rng = 0x7e1e5eedull;

static uint64_t
rnd(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static bool
is_dup(unsigned i)
{
	for (unsigned j = 0; j < i; j++) {
		if (prefix_cmp(&cand[j].key, &cand[i].key) == 0)
			return true;
	}
	return false;
}

/* Candidates, all different: a few random 128-bit bases, each cut at many
 * lengths (the /0 and short prefixes too), with the bits just above the cut
 * varied so that siblings share nodes. */
static void
make_candidates(void)
{
	uint64_t base[12][2];

	for (unsigned b = 0; b < 12; b++) {
		base[b][0] = rnd();
		base[b][1] = rnd();
	}
	for (unsigned i = 0; i < NCAND; i++) {
		struct prefix *p = &cand[i].key;
		unsigned b = (unsigned)(rnd() % 12);
		unsigned kind = (unsigned)(rnd() % 8);

		p->k[0] = base[b][0];
		p->k[1] = base[b][1];
		if (kind == 0)
			p->len = (uint32_t)(rnd() % 13);         /* the upper levels, /0 too */
		else if (kind == 1)
			p->len = 64 + (uint32_t)(rnd() % 65);    /* deep, IPv6-like */
		else
			p->len = 12 + (uint32_t)(rnd() % 21);    /* IPv4-like depths */
		if (p->len >= 4 && p->len <= 64)
			p->k[0] ^= (rnd() & 7) << (64 - p->len);
		prefix_mask(p);
		/* Handle indexes small and large: the trie's entry for a
		 * destination then carries its handle's slot line or cannot
		 * (trie.c, dest_entry_make), and both must read back as the
		 * destination. */
		cand[i].handle = (rtm_handle)(uintptr_t)(rnd() % 2 ? (uint32_t)rnd()
								  : (uint32_t)(rnd() % 4096));
		if (is_dup(i))
			i--; /* draw this one again */
	}
}

static void
check_exact(struct trie *t)
{
	rcu_lock();
	for (unsigned i = 0; i < NCAND; i++) {
		struct dest *d = trie_lookup_exact_rcu(t, &cand[i].key);

		if (present[i])
			CHECK(d == &cand[i], "candidate %u present but not found", i);
		else
			CHECK(d == NULL, "candidate %u absent but found", i);
	}
	rcu_unlock();
}

static void
check_longest(struct trie *t)
{
	for (unsigned p = 0; p < NPROBES; p++) {
		struct prefix key = cand[rnd() % NCAND].key;
		struct trie_cursor cur;
		struct trie_first first;
		struct dest *d, *longest = NULL, *single, *single_first;
		uint32_t last_len = 129;
		unsigned seen = 0, expect = 0;
		bool told;

		/* A full-length key below a candidate, or the candidate itself. */
		if (rnd() & 1) {
			if (key.len < 128)
				key.k[1] ^= rnd() >> (key.len > 64 ? key.len - 64 : 0);
			if (key.len < 64)
				key.k[0] ^= rnd() >> key.len;
			key.len = 128;
		}
		prefix_mask(&key);
		for (unsigned i = 0; i < NCAND; i++)
			expect += present[i] && prefix_covers(&cand[i].key, &key);
		rcu_lock();
		trie_longest_begin_rcu(t, &key, &cur);
		while ((d = trie_longest_next_rcu(&cur))) {
			CHECK(d >= cand && d < cand + NCAND && present[d - cand], "stray destination");
			CHECK(prefix_covers(&d->key, &key), "a destination that does not cover");
			CHECK(d->key.len < last_len, "not longest first");
			if (!seen)
				longest = d;
			last_len = d->key.len;
			seen++;
		}
		CHECK(trie_cursor_path_unchanged_rcu(t, &key, &cur), "no writer, yet a change");
		/* The single-candidate walks find the cursor's first, unless
		 * they meet a tombstone (left by an injected ENOMEM), and agree. */
		told = trie_longest_first_rcu(t, &key, &first, &single_first);
		CHECK(!told || single_first == longest,
		      "trie_longest_first_rcu disagrees with the cursor (len %u)", key.len);
		CHECK(trie_first_unchanged_rcu(t, &key, &first), "no writer, yet a change");
		CHECK(trie_longest_rcu(t, &key, &single) == told && (!told || single == longest),
		      "trie_longest_rcu disagrees with the cursor (len %u)", key.len);
		rcu_unlock();
		CHECK(seen == expect, "%u covering destinations returned, %u present", seen, expect);
	}
}

static void
check_enumeration(struct trie *t)
{
	unsigned n = 0, expect = 0;
	struct dest *d, *prev = NULL;

	for (unsigned i = 0; i < NCAND; i++)
		expect += present[i];
	rcu_lock();
	for (d = trie_next_rcu(t, NULL, false); d; d = trie_next_rcu(t, &d->key, true)) {
		CHECK(present[d - cand], "enumerated an absent destination");
		if (prev)
			CHECK(prefix_cmp(&prev->key, &d->key) < 0, "enumeration out of order");
		prev = d;
		n++;
	}
	rcu_unlock();
	CHECK(n == expect, "enumerated %u, %u present", n, expect);
}

/* trie_next_rcu from keys that are not in the trie (any length, any bits,
 * near candidates or not), strict and not, against the model's answer. */
static void
check_next_from(struct trie *t)
{
	for (unsigned p = 0; p < NPROBES; p++) {
		struct prefix key = cand[rnd() % NCAND].key;
		bool strict = rnd() & 1;
		struct dest *want = NULL, *got;

		switch (rnd() % 4) {
		case 0: /* a candidate's address, another length */
			key.len = (uint32_t)(rnd() % 129);
			break;
		case 1: /* flip one bit near the direct level's width */
			key.k[0] ^= 1ull << (63 - (12 + rnd() % 12));
			break;
		case 2:
			key.k[0] = rnd();
			key.k[1] = rnd();
			key.len = (uint32_t)(rnd() % 129);
			break;
		default: /* the candidate itself */
			break;
		}
		prefix_mask(&key);
		for (unsigned i = 0; i < NCAND; i++) {
			int c = prefix_cmp(&cand[i].key, &key);

			if (present[i] && (c > 0 || (c == 0 && !strict)) &&
			    (!want || prefix_cmp(&cand[i].key, &want->key) < 0))
				want = &cand[i];
		}
		rcu_lock();
		got = trie_next_rcu(t, &key, strict);
		rcu_unlock();
		CHECK(got == want, "next after a /%u (strict %d): %p, model %p", key.len, strict,
		      (void *)got, (void *)want);
	}
}

/* Tombstones (NULL destination slots) below n, counted by walking. */
static long
tombstones_below(struct trie_node *n)
{
	unsigned nch = (unsigned)__builtin_popcountll(n->ext);
	unsigned nd = (unsigned)(__builtin_popcountll(n->pfx[0]) + __builtin_popcountll(n->pfx[1]));
	long count = 0;

	for (unsigned k = 0; k < nch; k++)
		count += tombstones_below(ld_relaxed(&n->slot[k]));
	for (unsigned k = nch; k < nch + nd; k++)
		count += ld_relaxed(&n->slot[k]) == NULL;
	return count;
}

/* Tombstones in the trees of part p, counted by walking; -1 if it holds no
 * node at all. */
static long
part_tombstones(struct trie *t, struct trie_part *p)
{
	unsigned k = (unsigned)(p - t->part);
	long count = -1;

	if (k == TRIE_SHORT_PART) {
		if (ld_relaxed(&t->root))
			count = tombstones_below(ld_relaxed(&t->root));
		return count;
	}
	for (unsigned s = k; s < TRIE_DIRECT_SLOTS; s += TRIE_SHORT_PART) {
		struct trie_node *n = ld_relaxed(&t->direct[s]);

		if (n)
			count = (count < 0 ? 0 : count) + tombstones_below(n);
	}
	return count;
}

static void
step(struct trie *t, unsigned i)
{
	bool fail = rnd() % 4 == 0;
	uint64_t injected = rtm_fault_injected();
	struct trie_part *p = trie_part_of(t, &cand[i].key);
	long tomb = p->tombstones;

	if (fail)
		rtm_fault_fail_nth_mine(1 + rnd() % 4);
	if (present[i]) {
		trie_remove_locked(t, &cand[i]);
		present[i] = false;
		rtm_fault_disarm();
		if (p->ndests == 0)
			CHECK(p->tombstones == 0 && part_tombstones(t, p) < 0,
			      "an empty part keeps nodes or tombstones");
		else if (rtm_fault_injected() != injected)
			CHECK(p->tombstones <= tomb + 1, "a failed removal left two tombstones");
		else
			CHECK(p->tombstones <= tomb, "a removal added a tombstone");
	} else {
		int rc = trie_insert_locked(t, &cand[i]);

		rtm_fault_disarm();
		CHECK(rc == 0 || (rc == -ENOMEM && rtm_fault_injected() != injected),
		      "insert rc %d", rc);
		present[i] = rc == 0;
		CHECK(p->tombstones <= tomb, "an insertion added a tombstone");
	}
	{
		long seen = part_tombstones(t, p);

		CHECK(seen <= p->tombstones, "%ld tombstones, %ld counted", seen, p->tombstones);
		if (seen > most_tombstones)
			most_tombstones = seen;
	}
}

int
main(void)
{
	struct trie t;
	int64_t live0;

	rcu_thread_enter();
	make_candidates();
	live0 = rtm_alloc_live_blocks();
	CHECK(trie_init(&t) == 0, "trie_init");
	for (unsigned s = 0; s < NSTEPS; s++) {
		step(&t, (unsigned)(rnd() % NCAND));
		check_exact(&t);
		if (s % 7 == 0)
			check_longest(&t);
		if (s % 31 == 0)
			check_enumeration(&t);
		if (s % 5 == 0)
			check_next_from(&t);
	}
	/* Empty it: no node and no tombstone may be left. */
	for (unsigned i = 0; i < NCAND; i++) {
		if (present[i]) {
			trie_remove_locked(&t, &cand[i]);
			present[i] = false;
		}
	}
	CHECK(trie_is_empty(&t), "emptied trie not empty");
	check_exact(&t);
	check_enumeration(&t);
	trie_destroy(&t);
	rcu_drain(); /* every thread's retire batch too */
	CHECK(rtm_alloc_live_blocks() == live0, "%lld blocks leaked",
	      (long long)(rtm_alloc_live_blocks() - live0));
	CHECK(most_tombstones > 0, "no removal ever left a tombstone: the test lost its edge");
	printf("test_trie: %u steps, %llu allocations failed on purpose, up to %ld tombstones: ok\n",
	       NSTEPS, (unsigned long long)rtm_fault_injected(), most_tombstones);
	return 0;
}
