/*
 * RCU-protected path-compressed binary radix trie (Patricia) of destinations.
 *
 * Lifetime of a node: allocated and fully initialised by the writer, then
 * published with one release store into its parent's child slot (or the
 * root); unlinked by one release store; freed after a grace period.  Readers
 * therefore always see either the old or the new shape, both complete.
 *
 * Fields:
 *   key        immutable after publish
 *   child[2]   RCU pointers; written by the trie writer (table trie_lock held)
 *   dest       RCU pointer; NULL for a glue node; written by the trie writer
 *
 * Readers (functions ending in _rcu) run inside rcu_lock() and take no lock.
 * Writers (functions ending in _locked) hold the table's trie_lock.
 */
#ifndef RTM_TRIE_H
#define RTM_TRIE_H

#include "prefix.h"
#include "rcu.h"

struct dest;

struct trie_node {
	_Atomic(struct trie_node *) child[2];
	_Atomic(struct dest *) dest;
	struct prefix key;
	struct rcu_head rcu;
};

struct trie {
	_Atomic(struct trie_node *) root;
	_Atomic long ndests; /* destinations in the trie, for statistics */
};

#define TRIE_MAX_DEPTH 130

void trie_init(struct trie *t);

/* The destination stored at exactly key, or NULL. */
struct dest *trie_lookup_exact_rcu(struct trie *t, const struct prefix *key);

/*
 * Every destination whose prefix covers key, shortest first, into out[]
 * (at most TRIE_MAX_DEPTH).  Returns how many.  Callers pick the longest one
 * that qualifies for their views.
 */
unsigned trie_covering_rcu(struct trie *t, const struct prefix *key, struct dest **out);

/*
 * The first destination, in enumeration order (prefix_cmp), that is >= key
 * (strict = false) or > key (strict = true).  key == NULL means from the start.
 */
struct dest *trie_next_rcu(struct trie *t, const struct prefix *key, bool strict);

/*
 * Insert d at d's prefix.  Returns 0, -EEXIST if a destination is already
 * there, or -ENOMEM (nothing changed).
 */
int trie_insert_locked(struct trie *t, struct dest *d);

/* Remove d (it must be in the trie); glue nodes left useless are freed. */
void trie_remove_locked(struct trie *t, struct dest *d);

/* Free every node (table teardown; no readers may remain). */
void trie_destroy(struct trie *t);

#endif
