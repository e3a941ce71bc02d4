/*
 * RCU-protected multibit trie of destinations (a tree bitmap with a stride
 * of 6 bits).
 *
 * Shape.  A node at level l (the root is level 0) stands for one 6l-bit
 * address prefix, its base, and holds:
 *   - the destinations whose prefix length is 6l+1 .. 6l+6 and which start
 *     with the base: prefix length 6l+r with the r bits v after the base
 *     is bit (2^r - 2 + v) of pfx[] (126 bits: 2 for r = 1, 4 for r = 2,
 *     ..., 64 for r = 6);
 *   - its children: child c (0..63) is the level l+1 node whose base is the
 *     base followed by the 6 bits c; bit c of ext says it exists.
 * The /0 destination lives in trie.dflt.  Child and destination pointers sit
 * in one array after the header, children first (in order of c), then
 * destinations (in order of their pfx bit); an entry's index is the number
 * of set bits before its own (a popcount), so a node is exactly as big as
 * what it holds.  An IPv4 /24 is 4 nodes deep, an IPv6 /48 8.
 *
 * Lifetime of a node: allocated and fully built by the writer, then
 * published with one release store into its parent's child slot (or the
 * root); replaced by a copy (copy-on-write) whenever its bitmaps change;
 * the replaced or unlinked node is freed after a grace period (unlinked
 * nodes go to RCU in batches: trie.retiring).  Readers
 * therefore always see either the old or the new node, both complete.
 *
 * Fields:
 *   pfx, ext   immutable after publish
 *   slot[]     RCU pointers, written in place by the trie writer (trie_lock
 *              held) only when the bitmaps stay as they are: a child slot
 *              gets the child's copy; a destination slot gets NULL when
 *              the destination leaves and the node could not be shrunk
 *              (out of memory: a tombstone), or a destination again.
 *              Readers skip NULL destination slots.
 *   dflt, root RCU pointers, written by the trie writer.
 *
 * Invariants (writer side, trie_lock held): every published node holds at
 * least one child or one pfx bit; a node becomes empty only through a
 * tombstone (then it stays linked until a later removal in it rebuilds it,
 * or until the trie holds no destination: then every node is unlinked).
 *
 * Readers (functions ending in _rcu) run inside rcu_lock(), take no lock and
 * write no shared memory; they are wait-free (at most TRIE_LEVELS nodes per
 * descent).  Writers (functions ending in _locked) hold the table's
 * trie_lock.
 */
#ifndef RTM_TRIE_H
#define RTM_TRIE_H

#include "prefix.h"
#include "rcu.h"

struct dest;
struct trie_retired;

#define TRIE_STRIDE 6
#define TRIE_LEVELS 22 /* ceil(128 / 6) */

struct trie_node {
	uint64_t pfx[2];
	uint64_t ext;
	struct rcu_head rcu;
	_Atomic(void *) slot[]; /* struct trie_node * children, then struct dest * */
};

struct trie {
	_Atomic(struct trie_node *) root;
	_Atomic(struct dest *) dflt;
	_Atomic long ndests; /* destinations in the trie, for statistics */
	/*
	 * Trie writer only (trie_lock): at least the number of tombstones in
	 * the trie (removals that leave nodes holding tombstones whole do not
	 * lower it; it is reset when the trie empties).  While it is 0, a
	 * node's copy is its slot array with one slot inserted or cut out.
	 */
	long tombstones;
	/* Trie writer only: unlinked nodes waiting to go to RCU together
	 * (trie.c): fewer than a batch, none once the trie empties. */
	struct trie_retired *retiring;
};

/* At most one covering destination per prefix length 0..128. */
#define TRIE_MAX_DEPTH 130

void trie_init(struct trie *t);

/* The destination stored at exactly key, or NULL. */
struct dest *trie_lookup_exact_rcu(struct trie *t, const struct prefix *key);

/*
 * The destinations whose prefix covers key, one at a time, longest first,
 * for callers that usually stop at the first that qualifies:
 * trie_longest_begin_rcu() walks down once and notes the nodes on key's
 * path; trie_longest_next_rcu() returns the next longer-to-shorter one, or
 * NULL, working out which prefixes of a node cover key when it gets there.
 * Only the slots actually returned are read.  Inside rcu_lock(); the cursor
 * lives on the caller's stack.
 */
struct trie_cursor {
	unsigned depth;
	unsigned levels;         /* depth after begin: lv[0 .. levels-1] were walked */
	unsigned unmasked;       /* lv[0 .. unmasked-1] have no m[] yet */
	struct dest *dflt;
	struct dest *first_dflt; /* dflt as begin found it */
	struct trie_cursor_level {
		struct trie_node *node;
		/* where node was loaded from: the root, or a child slot of the
		 * level above (trie_cursor_path_unchanged_rcu reloads it) */
		const void *from;
		uint8_t chunk; /* key's 6 bits at this level */
		uint8_t rmax;  /* key's length past the level's base, at most 6 */
		/* pfx bits of this node still to return; filled when next
		 * reaches the level, as most lookups end at the deepest one */
		uint64_t m[2];
	} lv[TRIE_LEVELS];
};

void trie_longest_begin_rcu(struct trie *t, const struct prefix *key, struct trie_cursor *cur);
struct dest *trie_longest_next_rcu(struct trie_cursor *cur);

/*
 * Would trie_longest_begin_rcu(t, key) walk the same nodes now as when it
 * began cur?  Nodes are copy-on-write, so a destination inserted on or
 * removed from key's path since then has replaced one of them.  As the
 * nodes' bitmaps never change, a walk that finds the same node at each
 * level takes the same child slot out of it: reloading the slots cur noted
 * is the same walk.  The one
 * change this cannot see is an in-place refill of a tombstone (left by a
 * removal that could not allocate).  With the destinations' own seqcounts
 * this makes a lookup a clean double collect (api_dest.c).
 */
bool trie_cursor_path_unchanged_rcu(struct trie *t, const struct prefix *key,
				    const struct trie_cursor *cur);

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

/*
 * Remove d (it must be in the trie).  Never fails: nodes left empty are
 * unlinked, and if the copy that removal needs cannot be allocated, d's slot
 * becomes a tombstone instead.
 */
void trie_remove_locked(struct trie *t, struct dest *d);

/* Free every node (table teardown; no readers may remain). */
void trie_destroy(struct trie *t);

#endif
