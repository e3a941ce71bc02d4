/*
 * test_trie_retire.c - where the trie's retired nodes wait (core/trie.c):
 * each writing thread's own open batch, whatever part the nodes came from.
 *
 * A node replaced by its copy waits in its writer's open batch until the
 * batch fills, the writer empties a part, calls rcu_drain(), or exits.  The
 * test changes parts that stay non-empty (so no part_emptied flush) with
 * fewer changes than a batch holds, and checks by counting live blocks
 * (rtm_faultinj) that:
 *   - rcu_drain() frees what the calling thread retired (its open batch);
 *   - a writer thread's exit hands its open batch on, so that a drain after
 *     it frees what that thread retired, in parts it never emptied;
 *   - a thread that never entered the API (no batch of its own) retires
 *     each node to RCU directly, so that a drain frees them too.
 * A batch per part (the earlier design) fails the first two: its nodes wait
 * in the part until more changes there.
 *
 * Links rtm_faultinj (the core built with RTM_FAULT_INJECTION), not librtm.
 */
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

/* Per writer: a /24 that stays, and CHANGES /24s that share its node (each
 * insert copies the node and retires the old one).  Fewer than a batch. */
#define CHANGES 5

static struct trie trie;

struct writer {
	uint32_t base;                /* the writer's /18 (a direct slot of its own part) */
	bool enter_api;               /* rcu_thread_enter() first */
	struct dest stay, d[CHANGES];
	int64_t live_before_exit;     /* after its changes, before it ends */
};

/* Insert w's destinations: its first makes the node, each other one
 * replaces it (CHANGES nodes retired, none of its parts emptied). */
static void
writer_changes(struct writer *w)
{
	set_prefix(&w->stay.key, w->base, 24);
	trie_writer_insert(&trie, &w->stay);
	for (unsigned i = 0; i < CHANGES; i++) {
		set_prefix(&w->d[i].key, w->base | ((i + 1) << 8), 24);
		trie_writer_insert(&trie, &w->d[i]);
	}
}

static void *
writer_thread(void *arg)
{
	struct writer *w = arg;

	if (w->enter_api)
		rcu_thread_enter();
	writer_changes(w);
	w->live_before_exit = rtm_alloc_live_blocks();
	return NULL;
}

/* Remove w's destinations (emptying its part: everything goes to RCU). */
static void
writer_undo(struct writer *w)
{
	for (unsigned i = 0; i < CHANGES; i++)
		trie_writer_remove(&trie, &w->d[i]);
	trie_writer_remove(&trie, &w->stay);
}

static void
run_in_thread(struct writer *w)
{
	pthread_t th;

	CHECK(pthread_create(&th, NULL, writer_thread, w) == 0, "pthread_create");
	CHECK(pthread_join(th, NULL) == 0, "pthread_join");
}

int
main(void)
{
	/* Direct slots 1, 2 and 3: three parts. */
	static struct writer mine = {.base = 10u << 24 | 1u << 14, .enter_api = true};
	static struct writer exiting = {.base = 10u << 24 | 2u << 14, .enter_api = true};
	static struct writer unregistered = {.base = 10u << 24 | 3u << 14, .enter_api = false};
	int64_t live0, live;

	rcu_thread_enter();
	CHECK(trie_init(&trie) == 0, "trie_init");
	CHECK(trie_part_of(&trie, &(struct prefix){.k = {(uint64_t)mine.base << 32}, .len = 24}) !=
		      trie_part_of(&trie,
				   &(struct prefix){.k = {(uint64_t)exiting.base << 32}, .len = 24}),
	      "the writers' prefixes share a part");
	live0 = rtm_alloc_live_blocks();

	/* The caller's open batch: CHANGES nodes and the batch itself. */
	writer_changes(&mine);
	live = rtm_alloc_live_blocks();
	rcu_drain();
	CHECK(rtm_alloc_live_blocks() <= live - CHANGES - 1,
	      "rcu_drain() left the caller's retired nodes: %lld blocks live, %lld before",
	      (long long)rtm_alloc_live_blocks(), (long long)live);

	/* An exiting writer's open batch. */
	run_in_thread(&exiting);
	rcu_drain();
	CHECK(rtm_alloc_live_blocks() <= exiting.live_before_exit - CHANGES - 1,
	      "an exited writer's retired nodes were not freed: %lld blocks live, %lld before",
	      (long long)rtm_alloc_live_blocks(), (long long)exiting.live_before_exit);

	/* A thread without a batch: each node goes to RCU at once. */
	run_in_thread(&unregistered);
	rcu_drain();
	CHECK(rtm_alloc_live_blocks() <= unregistered.live_before_exit - CHANGES,
	      "an unregistered writer's retired nodes were not freed: %lld blocks live, %lld "
	      "before",
	      (long long)rtm_alloc_live_blocks(), (long long)unregistered.live_before_exit);

	writer_undo(&mine);
	writer_undo(&exiting);
	writer_undo(&unregistered);
	CHECK(trie_is_empty(&trie), "emptied trie not empty");
	rcu_drain();
	CHECK(rtm_alloc_live_blocks() == live0, "%lld blocks leaked",
	      (long long)(rtm_alloc_live_blocks() - live0));
	trie_destroy(&trie);
	printf("test_trie_retire: drain, exit and unregistered writers: ok\n");
	return 0;
}
