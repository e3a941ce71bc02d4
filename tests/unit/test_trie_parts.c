/*
 * test_trie_parts.c - the trie's direct level and its writer parts
 * (core/trie.h).
 *
 * Boundaries: one IPv4-like address at every length /0 .. /32, so that the
 * short trie (/1 .. /18), the direct slots (/19 and longer) and dflt all
 * hold some; exact lookups, the longest-match cursor (every length, longest
 * first, on a full-length key and on keys of the lengths around the
 * boundary, /16 /17 /18 /19), the enumeration order, and removal in an
 * order that empties the direct slot first, then the short trie.  Two
 * neighbouring direct slots (s and s + 1, different parts) and the last
 * slot check that enumeration crosses slots in order.
 *
 * Parallel writers: four threads insert and remove prefixes of their own,
 * each under its prefix's part lock: two threads share parts (same direct
 * slots), two use parts no one else uses, and all of them change the short
 * trie too; meanwhile a reader checks that prefixes present all along (set
 * up before) are always found by exact lookup, by the cursor and by
 * enumeration, and that a cursor over a quiet part reads as unchanged.  At
 * the end the trie holds exactly what the writers left, and emptied, no
 * node.
 *
 * Links rtm_faultinj (the core built with RTM_FAULT_INJECTION), not librtm.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dest.h"
#include "fatal_check.h"
#include "prefix.h"
#include "rcu.h"
#include "trie.h"
#include "trie_writer.h"

static struct trie trie;

static void
insert(struct dest *d)
{
	trie_writer_insert(&trie, d);
}

static void
remove_dest(struct dest *d)
{
	trie_writer_remove(&trie, d);
}

/* The covering destinations of key, longest first, must be exactly
 * want[0 .. n-1]; the path must read as unchanged. */
static void
check_cover(const struct prefix *key, struct dest *const *want, unsigned n)
{
	struct trie_cursor cur;
	struct dest *d;
	unsigned k = 0;

	rcu_lock();
	trie_longest_begin_rcu(&trie, key, &cur);
	while ((d = trie_longest_next_rcu(&cur))) {
		CHECK(k < n && d == want[k], "/%u key: cover #%u is /%u", key->len, k, d->key.len);
		k++;
	}
	CHECK(k == n, "/%u key: %u covering, want %u", key->len, k, n);
	CHECK(trie_cursor_path_unchanged_rcu(&trie, key, &cur), "no writer, yet a change");
	rcu_unlock();
}

/* Enumeration from the start must be exactly want[0 .. n-1]. */
static void
check_order(struct dest *const *want, unsigned n)
{
	unsigned k = 0;

	rcu_lock();
	for (struct dest *d = trie_next_rcu(&trie, NULL, false); d;
	     d = trie_next_rcu(&trie, &d->key, true)) {
		CHECK(k < n && d == want[k], "enumerated #%u: /%u", k, d->key.len);
		k++;
	}
	rcu_unlock();
	CHECK(k == n, "enumerated %u, want %u", k, n);
}

static void
test_boundaries(void)
{
	static struct dest at[33], nb[3];
	struct dest *want[36];
	const uint32_t addr = 0xC0A8FFFFu; /* 192.168.255.255: every bit counts */
	struct prefix key;
	unsigned n;

	for (uint32_t len = 0; len <= 32; len++)
		set_prefix(&at[len].key, addr, len);
	/* Insert the long ones first, so that the short trie grows last. */
	for (uint32_t len = 33; len-- > 0;)
		insert(&at[len]);
	rcu_lock();
	for (uint32_t len = 0; len <= 32; len++)
		CHECK(trie_lookup_exact_rcu(&trie, &at[len].key) == &at[len], "exact /%u", len);
	rcu_unlock();
	/* Keys of every length around the boundary: all shorter-or-equal cover. */
	for (uint32_t kl = 0; kl <= 32; kl++) {
		set_prefix(&key, addr, kl);
		for (n = 0; n <= kl; n++)
			want[n] = &at[kl - n];
		check_cover(&key, want, kl + 1);
	}
	/* Enumeration: one address, so shortest first. */
	for (n = 0; n <= 32; n++)
		want[n] = &at[n];
	check_order(want, 33);

	/* The neighbouring slot s - 1 (in the previous /18, another part), the
	 * last slot of all and a short prefix before it: order across slots
	 * and parts, and the next after /18 keys. */
	set_prefix(&nb[0].key, addr - (1u << 14), 19); /* slot s - 1 */
	set_prefix(&nb[1].key, 0xFFFFFFFFu, 32);       /* the last slot */
	set_prefix(&nb[2].key, 0xFFFFC000u, 17);       /* short, before it */
	for (unsigned k = 0; k < 3; k++)
		insert(&nb[k]);
	n = 0;
	want[n++] = &at[0];
	for (uint32_t len = 1; len <= 16; len++)
		want[n++] = &at[len];
	/* Addresses first: at[17] is 192.168.128.0/17, nb[0] 192.168.160.0/19
	 * (addr - 2^14 masked), at[18] 192.168.192.0/18 ... */
	want[n++] = &at[17];
	want[n++] = &nb[0];
	for (uint32_t len = 18; len <= 32; len++)
		want[n++] = &at[len];
	want[n++] = &nb[2];
	want[n++] = &nb[1];
	check_order(want, n);
	/* From a /18 key (a direct slot's base): its slot comes after it. */
	set_prefix(&key, addr, 18);
	rcu_lock();
	CHECK(trie_next_rcu(&trie, &key, true) == &at[19], "next after the /18");
	set_prefix(&key, addr - (1u << 14), 18);
	CHECK(trie_next_rcu(&trie, &key, false) == &nb[0], "next from the previous /18");
	rcu_unlock();

	/* Remove the direct ones first (their slot empties), then the rest. */
	for (uint32_t len = 32; len > 18; len--) {
		remove_dest(&at[len]);
		rcu_lock();
		CHECK(!trie_lookup_exact_rcu(&trie, &at[len].key), "removed /%u found", len);
		rcu_unlock();
	}
	set_prefix(&key, addr, 32);
	for (n = 0; n <= 18; n++)
		want[n] = &at[18 - n];
	check_cover(&key, want, 19);
	for (unsigned k = 0; k < 3; k++)
		remove_dest(&nb[k]);
	for (uint32_t len = 0; len <= 18; len++)
		remove_dest(&at[len]);
	CHECK(trie_is_empty(&trie), "emptied trie not empty");
	check_order(want, 0);
}

/* --- parallel writers ----------------------------------------------------- */

#define WRITERS 4
#define PER_WRITER 96
#define ROUNDS 300
#define STABLE 64

static struct dest mine[WRITERS][PER_WRITER];
static bool have[WRITERS][PER_WRITER];
static struct dest stable[STABLE];
static _Atomic bool writers_done;

/*
 * Writer w's prefixes: writers 0 and 1 share the direct slots of
 * 10.0.0.0/18 .. (same parts), writers 2 and 3 each have slots of parts no
 * one else uses; a quarter of each writer's prefixes are /8 .. /18 (the
 * short trie, shared by all).
 */
static void
make_writer_prefixes(void)
{
	for (unsigned w = 0; w < WRITERS; w++) {
		for (unsigned i = 0; i < PER_WRITER; i++) {
			uint32_t slot_base, len;

			if (w < 2)
				slot_base = 0x0A000000u + ((i % 8) << 14);
			else
				slot_base = 0x20000000u * w + ((i % 8) << 14) + (w << 14) * 16;
			if (i % 4 == 3) {
				len = 8 + i % 11; /* /8 .. /18 */
				slot_base ^= (uint32_t)(w * PER_WRITER + i) << (32 - len);
			} else {
				len = 19 + (i * 7 + w) % 14; /* /19 .. /32 */
				/* distinct bits below the /18: writer, index */
				slot_base |= ((uint32_t)(w * PER_WRITER + i) * 2654435761u) &
					     ((1u << 14) - 1);
			}
			set_prefix(&mine[w][i].key, slot_base, len);
		}
	}
	/* Stable prefixes: in the writers' slots and in the short trie. */
	for (unsigned k = 0; k < STABLE; k++) {
		uint32_t a = k % 2 ? 0x0A000000u + ((k % 8) << 14) : 0x40000000u + ((k % 8) << 14);

		if (k % 4 == 0) /* /12 .. /18, distinct in their first 12 bits */
			set_prefix(&stable[k].key, 0x40000000u ^ (k << 20), 12 + k % 7);
		else
			set_prefix(&stable[k].key, a | (k << 2), 30);
	}
}

static bool
clashes(const struct prefix *p, unsigned upto_w, unsigned upto_i)
{
	for (unsigned k = 0; k < STABLE; k++) {
		if (prefix_equal(&stable[k].key, p))
			return true;
	}
	for (unsigned w = 0; w <= upto_w; w++) {
		for (unsigned i = 0; i < (w == upto_w ? upto_i : PER_WRITER); i++) {
			if (prefix_equal(&mine[w][i].key, p))
				return true;
		}
	}
	return false;
}

static uint64_t
rnd_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void *
writer(void *arg)
{
	unsigned w = (unsigned)(uintptr_t)arg;
	uint64_t seed = 0x5eed + w;

	rcu_thread_enter();
	for (unsigned r = 0; r < ROUNDS * PER_WRITER; r++) {
		unsigned i = (unsigned)(rnd_next(&seed) % PER_WRITER);

		if (mine[w][i].key.len == 0xFFFFFFFFu)
			continue; /* a duplicate, left out */
		if (have[w][i])
			remove_dest(&mine[w][i]);
		else
			insert(&mine[w][i]);
		have[w][i] = !have[w][i];
	}
	return NULL;
}

static void *
reader(void *arg)
{
	unsigned long checks = 0;

	(void)arg;
	rcu_thread_enter();
	while (!ld_acquire(&writers_done) || checks < 1000) {
		struct dest *d = &stable[checks % STABLE];
		struct prefix key = d->key;
		struct trie_cursor cur;
		struct dest *got;
		unsigned seen = 0;

		rcu_lock();
		CHECK(trie_lookup_exact_rcu(&trie, &d->key) == d, "a stable prefix went missing");
		/* Full-length key under it: the cursor must pass d. */
		key.len = 32;
		trie_longest_begin_rcu(&trie, &key, &cur);
		while ((got = trie_longest_next_rcu(&cur)))
			seen += got == d;
		CHECK(seen == 1, "the cursor missed a stable prefix");
		/* Enumeration from d's own key, not strict, finds d. */
		got = trie_next_rcu(&trie, &d->key, false);
		CHECK(got == d, "enumeration skipped a stable prefix");
		rcu_unlock();
		checks++;
	}
	return NULL;
}

static void
test_parallel(void)
{
	pthread_t wt[WRITERS], rt;
	unsigned left = 0;
	long ndests, tombstones;

	make_writer_prefixes();
	for (unsigned w = 0; w < WRITERS; w++) {
		for (unsigned i = 0; i < PER_WRITER; i++) {
			if (clashes(&mine[w][i].key, w, i))
				mine[w][i].key.len = 0xFFFFFFFFu; /* never used */
		}
	}
	for (unsigned k = 0; k < STABLE; k++) {
		for (unsigned j = 0; j < k; j++)
			CHECK(!prefix_equal(&stable[j].key, &stable[k].key), "stable duplicates");
		insert(&stable[k]);
	}
	CHECK(trie_part_of(&trie, &mine[0][0].key) == trie_part_of(&trie, &mine[1][0].key),
	      "writers 0 and 1 should share a part");
	CHECK(trie_part_of(&trie, &mine[2][0].key) != trie_part_of(&trie, &mine[3][0].key),
	      "writers 2 and 3 should not share a part");
	CHECK(pthread_create(&rt, NULL, reader, NULL) == 0, "reader thread");
	for (unsigned w = 0; w < WRITERS; w++)
		CHECK(pthread_create(&wt[w], NULL, writer, (void *)(uintptr_t)w) == 0, "writer");
	for (unsigned w = 0; w < WRITERS; w++)
		pthread_join(wt[w], NULL);
	st_release(&writers_done, true);
	pthread_join(rt, NULL);

	/* Exactly what the writers left, and then nothing. */
	rcu_lock();
	for (unsigned w = 0; w < WRITERS; w++) {
		for (unsigned i = 0; i < PER_WRITER; i++) {
			if (mine[w][i].key.len == 0xFFFFFFFFu)
				continue;
			CHECK(trie_lookup_exact_rcu(&trie, &mine[w][i].key) ==
				      (have[w][i] ? &mine[w][i] : NULL),
			      "writer %u prefix %u: wrong state", w, i);
			left += have[w][i];
		}
	}
	rcu_unlock();
	trie_counts(&trie, &ndests, &tombstones);
	CHECK(ndests == (long)(left + STABLE) && tombstones == 0,
	      "%ld destinations, %u expected; %ld tombstones", ndests, left + STABLE, tombstones);
	for (unsigned w = 0; w < WRITERS; w++) {
		for (unsigned i = 0; i < PER_WRITER; i++) {
			if (mine[w][i].key.len != 0xFFFFFFFFu && have[w][i])
				remove_dest(&mine[w][i]);
		}
	}
	for (unsigned k = 0; k < STABLE; k++)
		remove_dest(&stable[k]);
	CHECK(trie_is_empty(&trie), "emptied trie not empty");
}

int
main(void)
{
	int64_t live0;

	rcu_thread_enter();
	live0 = rtm_alloc_live_blocks();
	CHECK(trie_init(&trie) == 0, "trie_init");
	test_boundaries();
	test_parallel();
	trie_destroy(&trie);
	rcu_drain(); /* every thread's retire batch too */
	CHECK(rtm_alloc_live_blocks() == live0, "%lld blocks leaked",
	      (long long)(rtm_alloc_live_blocks() - live0));
	printf("test_trie_parts: boundaries and %d parallel writers: ok\n", WRITERS);
	return 0;
}
