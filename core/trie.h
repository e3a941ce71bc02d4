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
 * what it holds.
 *
 * Two parts.  The top TRIE_DIRECT_LEVELS levels (the first TRIE_DIRECT_BITS
 * = 18 bits) are split: prefixes /1 .. /18 live in the short trie, an
 * ordinary tree from trie.root whose level-2 nodes never have children;
 * longer prefixes live in 2^18 subtrees, one per value of the first 18 bits,
 * whose level-3 roots sit directly in trie.direct[] (2 MiB, both families).
 * An IPv4 /24 is then one node below its direct slot, an IPv6 /48 five; a
 * lookup reaches the short trie only when nothing longer qualifies.
 * trie.occupied[] has bit s set while direct[s] is non-NULL (set before the
 * slot is filled, cleared after it is emptied), so enumeration skips empty
 * slots 64 at a time.
 *
 * Writer parts.  The trie's structural writers are split into TRIE_PARTS
 * parts, each with its own lock (struct trie_part): part k (k <
 * TRIE_SHORT_PART) owns the direct slots s with s % TRIE_SHORT_PART == k
 * and everything below them; part TRIE_SHORT_PART owns the short trie and
 * dflt.  Writers of different parts touch no common node, counter or lock,
 * so they run in parallel (only occupied[] words are shared, written with
 * atomic or/and when a slot fills or empties).  A prefix's part is
 * trie_part_of(); a writer holds that one part lock and no other.
 *
 * Lifetime of a node: allocated and fully built by the writer, then
 * published with one release store into its parent's child slot (or the
 * root); replaced by a copy (copy-on-write) whenever its bitmaps change;
 * the replaced or unlinked node is freed after a grace period (unlinked
 * nodes go to RCU in batches, one open batch per writing thread: trie.c).  Readers
 * therefore always see either the old or the new node, both complete.
 *
 * Fields:
 *   pfx, ext   immutable after publish
 *   slot[]     RCU pointers, written in place by the part's writer (its part
 *              lock held) only when the bitmaps stay as they are: a child slot
 *              gets the child's copy; a destination slot gets NULL when
 *              the destination leaves and the node could not be shrunk
 *              (out of memory: a tombstone), or a destination again.
 *              Readers skip NULL destination slots.  A destination slot
 *              holds an entry, not the bare pointer: the destination and,
 *              when they fit, its handle's slot line for lookups to prefetch
 *              (trie.c, dest_entry_make); only trie.c reads slots.
 *   dflt, root RCU pointers, written by the short part's writer.
 *   direct[s]  RCU pointer, written by the writer of part s % TRIE_SHORT_PART.
 *   occupied[] atomic bits (see above), written with atomic or/and by the
 *              writer of the slot's part; readers only load them.
 *
 * Invariants (writer side, part lock held): every published node holds at
 * least one child or one pfx bit; a node becomes empty only through a
 * tombstone (then it stays linked until a later removal in it rebuilds it,
 * or until the part holds no destination: then every node of the part is
 * unlinked).
 *
 * Readers (functions ending in _rcu) run inside rcu_lock(), take no lock and
 * write no shared memory; they are wait-free (at most TRIE_LEVELS nodes per
 * descent).  Writers (functions ending in _locked) hold the lock
 * of the part of the prefix they change (trie_part_lock), and change only
 * that part.
 */
#ifndef RTM_TRIE_H
#define RTM_TRIE_H

#include <pthread.h>

#include "prefix.h"
#include "rcu.h"
#include "seqcount.h"

struct dest;

#define TRIE_STRIDE 6
#define TRIE_LEVELS 22 /* ceil(128 / 6) */
#define TRIE_DIRECT_LEVELS 3
#define TRIE_DIRECT_BITS (TRIE_DIRECT_LEVELS * TRIE_STRIDE)
#define TRIE_DIRECT_SLOTS (1u << TRIE_DIRECT_BITS)
#define TRIE_SHORT_PART 64 /* parts 0..63 own direct slots; 64 the short trie */
#define TRIE_PARTS (TRIE_SHORT_PART + 1)

struct trie_node {
	uint64_t pfx[2];
	uint64_t ext;
	struct rcu_head rcu;
	_Atomic(void *) slot[]; /* struct trie_node * children, then struct dest * */
};

/*
 * One writer part, on cache lines of its own (padded, as a table's heap
 * block is only 16-byte aligned).
 *   lock        taken by the part's writers (trie_part_lock); the lock
 *               order's "trie part lock" (lock_order.h)
 *   seq         seqcount over every change of the part: written only by the
 *               lock holder, odd while it changes the part; lookups compare
 *               two reads to learn that their path in this part did not
 *               change, and write nothing
 *   ndests      destinations in the part (lock holder only)
 *   tombstones  lock holder only: at least the number of tombstones in the
 *               part (removals that leave nodes holding tombstones whole do
 *               not lower it; reset when the part empties).  While it is 0,
 *               a node's copy is its slot array with one slot inserted or
 *               cut out.
 */
#define TRIE_PART_BYTES 192

struct trie_part {
	union {
		struct {
			/* >= 64 B from whatever comes before, whatever the
			 * alignment: the trie's read-mostly pointers, or the
			 * previous part's fields */
			char lead[64];
			pthread_mutex_t lock;
			seqcount seq;
			long ndests;
			long tombstones;
		};
		char bytes[TRIE_PART_BYTES];
	};
};

struct trie {
	_Atomic(struct trie_node *) root;  /* the short trie */
	_Atomic(struct dest *) dflt;
	_Atomic(struct trie_node *) *direct; /* TRIE_DIRECT_SLOTS level-3 roots */
	_Atomic uint64_t *occupied;          /* TRIE_DIRECT_SLOTS bits */
	struct trie_part part[TRIE_PARTS];
};

/* At most one covering destination per prefix length 0..128. */
#define TRIE_MAX_DEPTH 130

/* An empty trie; -ENOMEM if its direct level cannot be allocated. */
int trie_init(struct trie *t);

/* The part that owns prefix key. */
static inline struct trie_part *
trie_part_of(struct trie *t, const struct prefix *key)
{
	if (key->len <= TRIE_DIRECT_BITS)
		return &t->part[TRIE_SHORT_PART];
	return &t->part[(key->k[0] >> (64 - TRIE_DIRECT_BITS)) % TRIE_SHORT_PART];
}

/* Take and drop a part's lock to change it (its seq odd in between). */
static inline void
trie_part_lock(struct trie_part *p)
{
	pthread_mutex_lock(&p->lock);
	seq_write_begin(&p->seq);
}

static inline void
trie_part_unlock(struct trie_part *p)
{
	seq_write_end(&p->seq);
	pthread_mutex_unlock(&p->lock);
}

/* Wait until every writer that holds a part lock now has dropped it (takes
 * and drops each part lock in turn, never two at once). */
void trie_writers_barrier(struct trie *t);

/* Destinations in the trie and tombstones counted by the parts (for
 * statistics and tests; exact only while no writer runs). */
void trie_counts(struct trie *t, long *ndests, long *tombstones);

/* Does the trie hold no node, no destination and no tombstone?  (Tests:
 * an emptied trie holds nothing.) */
bool trie_is_empty(struct trie *t);

/* The destination stored at exactly key, or NULL. */
struct dest *trie_lookup_exact_rcu(struct trie *t, const struct prefix *key);

/*
 * The destinations whose prefix covers key, one at a time, longest first,
 * for callers that usually stop at the first that qualifies:
 * trie_longest_begin_rcu() walks key's direct slot and the nodes below it;
 * trie_longest_next_rcu() returns the next longer-to-shorter one, or NULL,
 * working out which prefixes of a node cover key when it gets there, and
 * walks the short trie (and reads dflt) only when the longer ones are used
 * up.  Only the slots actually returned are read.  Inside rcu_lock(); the
 * cursor lives on the caller's stack and keeps a pointer to key, which must
 * outlive it.  lv[l] is trie level l: levels below
 * TRIE_DIRECT_LEVELS come from the short trie, the others from the direct
 * slot.
 */
struct trie_cursor {
	struct trie *trie;
	const struct prefix *key;
	unsigned depth;          /* lv[depth - 1] is the next level to use */
	unsigned long_end;       /* lv[TRIE_DIRECT_LEVELS .. long_end-1] were walked */
	unsigned short_end;      /* lv[0 .. short_end-1] were walked (if short_walked) */
	unsigned unmasked;       /* lv[..unmasked-1] have no m[] yet */
	bool short_walked;
	struct trie_part *long_part; /* key's direct slot's part, if key > /18 */
	uint32_t long_seq;       /* the direct part's seq before its walk */
	uint32_t short_seq;      /* the short part's seq before its walk */
	struct dest *dflt;
	struct dest *first_dflt; /* dflt as the short walk found it */
	struct trie_cursor_level {
		struct trie_node *node; /* NULL only at the top of a part: empty */
		/* where node was loaded from: the root, a direct slot, or a
		 * child slot of the level above (trie_cursor_path_unchanged_rcu
		 * reloads it) */
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
 * Would the walks of cur (trie_longest_begin_rcu and the short walk, if
 * next made it) find the same nodes now?  First the seqcounts of the parts
 * walked: even and unchanged since before their walk, nothing in them
 * changed.  Otherwise the nodes are compared: nodes are copy-on-write, so a
 * destination inserted on or removed from key's path since then has
 * replaced one of them; as the nodes' bitmaps never change, a walk that
 * finds the same node at each level takes the same child slot out of it,
 * so reloading the slots cur noted is the same walk.  The one change the
 * comparison cannot see is an in-place refill of a tombstone (left by a
 * removal that could not allocate).  Parts the cursor never walked are not
 * checked: they hold only prefixes shorter than the ones it returned.
 * With the destinations' own seqcounts this makes a lookup a clean double
 * collect (api_dest.c).
 */
bool trie_cursor_path_unchanged_rcu(struct trie *t, const struct prefix *key,
				    const struct trie_cursor *cur);

/*
 * The single-candidate lookup: most lookups stop at the longest destination
 * covering key, so this finds it in one walk per part (key's direct slot's
 * subtree, then, only if that holds none, the short trie and dflt) that
 * computes each node's covering pfx bits on the way down and keeps no
 * cursor.  f gets the seqcount of each part walked, read before its walk,
 * for trie_first_unchanged_rcu().  *d is NULL when no destination covers
 * key.  Returns false when it cannot tell (the longest covering pfx bit
 * holds a tombstone): use the cursor.  Inside rcu_lock().
 */
struct trie_first {
	uint32_t long_seq;  /* key's direct part's seq before its walk (key > /18) */
	uint32_t short_seq; /* the short part's seq before its walk, if walked */
	bool short_walked;
};

bool trie_longest_first_rcu(struct trie *t, const struct prefix *key, struct trie_first *f,
			    struct dest **d);

/* The same for a caller that needs no trie_first (RtmxLookupRoute). */
bool trie_longest_rcu(struct trie *t, const struct prefix *key, struct dest **d);

/*
 * Did no part walked by trie_longest_first_rcu() change since (each seq
 * even and the same)?  Then the destination it found was the longest
 * covering key at every instant in between, and "none" was true throughout.
 */
bool trie_first_unchanged_rcu(struct trie *t, const struct prefix *key,
			      const struct trie_first *f);

/*
 * The first destination, in enumeration order (prefix_cmp), that is >= key
 * (strict = false) or > key (strict = true).  key == NULL means from the start.
 */
struct dest *trie_next_rcu(struct trie *t, const struct prefix *key, bool strict);

/*
 * Start loading the pointer at the top of key's path (its direct slot, or
 * the short trie's root), which the exact lookup before an insertion reads
 * first: a writer calls it as soon as it knows the prefix, so that this
 * miss, the first of the walk's chain, overlaps the checks it does before
 * the walk.  A hint only (nothing is read); any thread, no lock.
 */
void trie_prefetch_top(struct trie *t, const struct prefix *key);

/*
 * Insert d at d's prefix; the caller holds trie_part_of(t, &d->key)'s lock.
 * Returns 0, -EEXIST if a destination is already there, or -ENOMEM
 * (nothing changed).
 */
int trie_insert_locked(struct trie *t, struct dest *d);

/*
 * Remove d (it must be in the trie); the caller holds its part's lock.
 * Never fails: nodes left empty are unlinked, and if the copy that removal
 * needs cannot be allocated, d's slot becomes a tombstone instead.
 */
void trie_remove_locked(struct trie *t, struct dest *d);

/* Free every node and the direct level (teardown; no readers or writers
 * may remain).  Nodes unlinked earlier wait for a grace period in their
 * writer's retire batch or in RCU, independently of the trie. */
void trie_destroy(struct trie *t);

/* Hand the calling thread's open batch of retired nodes to RCU (rcu.c:
 * at the thread's exit and in rcu_drain(); the worker before it sleeps). */
void trie_thread_flush(void);

#endif
