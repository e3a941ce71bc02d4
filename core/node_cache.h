/*
 * Each writing thread's cache of freed trie nodes, by capacity class.
 *
 * Every insertion or removal in the trie replaces one node by a copy one
 * slot bigger or smaller, and frees the old node a grace period later.  With
 * malloc() and free() that pair cost about 260 instructions and 6 first-level
 * cache misses per added route in a random-order load of the IPv4 table:
 * thousands of nodes come back at once (a thread's retire batch, rcu.h),
 * far more than glibc's per-thread cache holds, so glibc bins them, reading
 * the cold nodes' headers and their neighbours' to merge them, and splits
 * them again for the next copies.  A thread that entered the API keeps the
 * nodes its own batches give back here instead, as pointers on one stack per
 * class, so neither keeping a node nor taking it touches the node: the copy
 * is the first write to it.  Batches run by a call_rcu worker (a thread
 * that never entered the API) are left for the next writer that lacks a
 * class (trie.c: returned_batches).
 *
 * A node of class k has room for NODE_CACHE_STEP * k slots; a copy one slot
 * bigger or smaller than its original mostly stays in the original's class,
 * so what a load gives back fits what it allocates next.  At most
 * NODE_CACHE_DEPTH nodes per class and NODE_CACHE_BYTES in all are kept
 * (a whole retire batch, RCU_BATCH_MAX objects, may be nodes of one class:
 * a random-order load of the IPv4 table gives back about 4000 nodes of its
 * commonest class at once, and with room for 1024 a fifth of all nodes
 * went back to malloc, only to be allocated again before the next batch);
 * a node beyond that is freed.  A class's stack is allocated when it keeps
 * its first node and doubled as it fills, so that classes a workload never
 * uses cost nothing.  The thread's exit frees what it kept.
 *
 * Builds that pass slab objects through to rtm_malloc (sanitizers, fault
 * injection: SLAB_PASS_THROUGH) cache nothing (NODE_CACHE_ON is 0), so that
 * use-after-free detection and fault injection see every node; nodes then
 * have exactly the room they need.
 *
 * Concurrency: none; a cache is its thread's alone (thread-local).
 */
#ifndef RTM_NODE_CACHE_H
#define RTM_NODE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "slab.h"

#ifdef SLAB_PASS_THROUGH
#define NODE_CACHE_ON 0
#else
#define NODE_CACHE_ON 1
#endif

#define NODE_CACHE_STEP 4
#define NODE_CACHE_CLASSES 49 /* room for 0, 4, ..., 192 slots (a node holds at most 190) */
#define NODE_CACHE_DEPTH 8192
#define NODE_CACHE_BYTES (2u << 20)
#define NODE_CACHE_FIRST_ROOM 64 /* a class's first stack; doubled when full */

struct node_cache {
	size_t bytes;                      /* bytes of the nodes kept */
	uint16_t n[NODE_CACHE_CLASSES];    /* nodes kept per class */
	uint16_t room[NODE_CACHE_CLASSES]; /* capacity of node[class] (0: none yet) */
	void **node[NODE_CACHE_CLASSES];   /* per class, a stack of nodes */
};

/* The class of a node of nslots slots. */
static inline unsigned
node_cache_class(unsigned nslots)
{
	return NODE_CACHE_ON ? (nslots + NODE_CACHE_STEP - 1) / NODE_CACHE_STEP : 0;
}

/* The slots a node must have room for to hold nslots (rounded up to its
 * class when caching). */
static inline unsigned
node_cache_room(unsigned nslots)
{
	return NODE_CACHE_ON ? node_cache_class(nslots) * NODE_CACHE_STEP : nslots;
}

/* A node of class cls (bytes long) the calling thread kept, or NULL. */
void *node_cache_take(unsigned cls, size_t bytes);

/* Keep node (class cls, bytes long) in the calling thread's cache; false if
 * the thread never entered the API, or its cache is full or cannot be had
 * (the caller frees the node). */
bool node_cache_keep(unsigned cls, void *node, size_t bytes);

/* The calling thread's cache, NULL if it has none yet (tests). */
const struct node_cache *node_cache_mine(void);

#endif
