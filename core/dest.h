/*
 * Destinations.
 *
 * Memory: a destination is allocated together with room for its first route,
 * that route's first version and a one-route set (struct dest_block below):
 * in a full table nearly every destination only ever has that one route, so
 * one allocation serves the whole prefix.  The embedded objects are retired
 * like any other (their references go at the same moments) except that
 * their memory is not freed on its own: the block goes with the
 * destination's deferred free, which runs after the first route died (it
 * holds a reference on the destination) and releases what that route owns
 * too (route.h).  A set or version replaced meanwhile simply leaves its bytes
 * unused until then.
 *
 * Lifetime: created with the first route added to a prefix and inserted in
 * the table's trie, which holds the store's reference.  When its last route
 * goes away it leaves the trie (in_trie cleared, the trie's reference is
 * dropped); routes (live or deleted but referenced) and handles given out
 * keep the object alive; memory goes a grace period after the last
 * reference.  A destination that left the trie is never put back: a new
 * route on that prefix creates a new destination.
 *
 * Fields:
 *   table, handle, key            immutable
 *   lock                          the lock word (destlock.h): RtmLockDestination,
 *                                 RtmLockRoute, and every internal writer of
 *                                 this destination (exclusive).  Taken only
 *                                 with a reference on the destination (a
 *                                 lock-free reader takes one first:
 *                                 dest_snapshot_rcu)
 *   rcu                           the deferred free's rcu_head, written by
 *                                 the finalizer over lock: once the last
 *                                 reference is gone nobody takes the lock,
 *                                 while lock-free readers that found the
 *                                 destination in the trie before it left may
 *                                 still read every other field
 *   seq                           seqcount over {set, last_changed}; written
 *                                 by the exclusive holder only while publishing
 *   set                           RCU pointer to the immutable route set
 *                                 (NULL when empty); read under seq
 *   last_changed                  FILETIME of the last route change; under seq
 *   notify_pending                atomic bit i for change-notification
 *                                 registration i of the table: queued there
 *                                 (notify.c)
 *   tag                           one atomic word: the struct dest_ext
 *                                 pointer (below), the block class and
 *                                 in_trie (DEST_TAG_*; dest_ext(),
 *                                 dest_block_class(), dest_in_trie())
 *     ext                         what few destinations need: allocated on
 *                                 first use (CAS of the whole word, keeping
 *                                 the other bits) by a reference holder or an
 *                                 RCU reader, never replaced, freed with the
 *                                 block (after the grace period, so RCU
 *                                 readers may read it too)
 *     block class                 where the block came from and how it is
 *                                 laid out (dest.c, DEST_BLOCK_COMPACT);
 *                                 immutable
 *     in_trie                     written (atomic RMW) under the exclusive
 *                                 lock and the trie lock of its part; read by
 *                                 writers holding the lock (a writer that
 *                                 finds it false retries from the lookup)
 *
 * struct dest_ext fields:
 *   notify_marked                 atomic bit i: marked by change-notification
 *                                 registration i (notify.c)
 *   opaque                        pointer to the opaque slot array,
 *                                 allocated on first use (CAS), freed with
 *                                 the ext (the slot contents are the
 *                                 clients' and guarded by their use of lock)
 *   hold                          hold-down arming and the running hold-down's
 *                                 timer (struct dest_hold, allocated on first
 *                                 use: RtmHoldDestination); exclusive lock
 *                                 (every holder also holds a reference)
 */
#ifndef RTM_DEST_H
#define RTM_DEST_H

#include <rtmv2.h>
#include <stddef.h>

#include "destlock.h"
#include "handle.h"
#include "prefix.h"
#include "route.h"
#include "seqcount.h"
#include "table.h"
#include "worker.h"

struct table;
struct entity;

/* One route of a set, with the version that was current when it was built. */
struct route_ref {
	struct route *route;
	struct route_version *ver;
};

/*
 * Immutable list of a destination's live routes in preference order: lower
 * Preference, then lower Metric, then older first (SEMANTICS.md §5).  A set
 * on the heap has the rcu_head of its deferred free just before it (dest.c)
 * and, after its n entries, the hold-down routes per view id (deleted
 * routes, each with a reference owned by the hold; SEMANTICS.md §7), or
 * NULL: route_set_hold().  The embedded one (the first route's, in the
 * destination's block) has neither: it is never freed on its own and never
 * holds (a hold-down begins in a set built by route_set_with/without).
 */
struct route_set {
	uint32_t n : 31;
	uint32_t embedded : 1; /* lives in a dest_block: never freed on its own */
	uint32_t views;        /* union of the routes' views */
	struct route_ref e[];  /* then, on the heap, struct route *hold[TABLE_NUM_VIEWS] */
};

/* The set's hold-down route for view id v, or NULL. */
static inline struct route *
route_set_hold(const struct route_set *set, unsigned v)
{
	if (!set || set->embedded)
		return NULL;
	return ((struct route *const *)&set->e[set->n])[v];
}

/*
 * Set the hold-down route for view id v of a set being built (not yet
 * published; on the heap: route_set_with/without; caller holds d->lock).
 */
static inline void
route_set_hold_assign(struct route_set *set, unsigned v, struct route *r)
{
	((struct route **)&set->e[set->n])[v] = r;
}

/* What few destinations need (d->tag; fields: above). */
struct dest_ext {
	_Atomic uint32_t notify_marked;
	struct dest_hold *hold;
	_Atomic(void **) opaque;
};

/*
 * 88 bytes: what writers use (24), then (from DEST_HOT_OFF) the 64 bytes a
 * lookup reads.  The block (below) of a first route with at most one next
 * hop puts that line on a cache line of its own (dest.c), so a lookup of
 * such a one-route destination reads two cache lines of it (this one, then
 * the set and the version) and RtmGetMostSpecificDestination one more (the
 * route's handle and owner).
 */
struct dest {
	/* Writers and the deferred free. */
	union {
		struct destlock lock;
		struct rcu_head rcu; /* after the last reference (above) */
	};
	_Atomic uintptr_t tag; /* struct dest_ext * | DEST_TAG_* bits */
	/* Lookups (and notify_pending, which fills the line). */
	seqcount seq;
	_Atomic uint32_t notify_pending;
	_Atomic(struct route_set *) set;
	_Atomic uint64_t last_changed;
	rtm_handle handle;
	struct table *table;
	struct prefix key;
};

#define DEST_HOT_OFF 24

_Static_assert(offsetof(struct dest, seq) == DEST_HOT_OFF && sizeof(struct dest) == 88,
	       "struct dest: the lookup fields are its last 64 bytes");
_Static_assert(sizeof(struct rcu_head) == sizeof(struct destlock),
	       "struct dest: the rcu_head fits over the lock");

/* The bits of d->tag below the (8-byte aligned) struct dest_ext pointer. */
#define DEST_TAG_IN_TRIE 0x1u
#define DEST_TAG_CLASS_SHIFT 1
#define DEST_TAG_CLASS_MASK 0x6u
#define DEST_TAG_BITS 0x7u

/* d's struct dest_ext, or NULL if it has none yet. */
static inline struct dest_ext *
dest_ext(struct dest *d)
{
	/* Acquire: pairs with the CAS that installed it (dest_ext_get). */
	return (struct dest_ext *)(ld_acquire(&d->tag) & ~(uintptr_t)DEST_TAG_BITS);
}

/* d's struct dest_ext, allocated if needed; NULL on ENOMEM.  Call with a
 * reference on d or inside rcu_lock(). */
struct dest_ext *dest_ext_get(struct dest *d);

static inline unsigned
dest_block_class(struct dest *d)
{
	return (unsigned)(ld_relaxed(&d->tag) & DEST_TAG_CLASS_MASK) >> DEST_TAG_CLASS_SHIFT;
}

/* Is d in its table's trie?  Caller holds d->lock. */
static inline bool
dest_in_trie(struct dest *d)
{
	return ld_relaxed(&d->tag) & DEST_TAG_IN_TRIE;
}

/* Caller holds d->lock exclusively and the trie lock of d's part. */
static inline void
dest_set_in_trie(struct dest *d, bool in)
{
	if (in)
		atomic_fetch_or_explicit(&d->tag, DEST_TAG_IN_TRIE, memory_order_relaxed);
	else
		atomic_fetch_and_explicit(&d->tag, ~(uintptr_t)DEST_TAG_IN_TRIE,
					  memory_order_relaxed);
}

/* The notification marks of d (0 without an ext). */
static inline uint32_t
dest_notify_marked(struct dest *d)
{
	struct dest_ext *x = dest_ext(d);

	return x ? ld_acquire(&x->notify_marked) : 0;
}

/* d's hold-down, or NULL.  Caller holds d->lock exclusively. */
static inline struct dest_hold *
dest_hold(struct dest *d)
{
	struct dest_ext *x = dest_ext(d);

	return x ? x->hold : NULL;
}

/* d's opaque slot array, or NULL if no slot was ever asked for. */
static inline void **
dest_opaque_array(struct dest *d)
{
	struct dest_ext *x = dest_ext(d);

	return x ? ld_acquire(&x->opaque) : NULL;
}

/*
 * The block: the destination, then its first route's one-route set (one
 * entry), its first version and the route itself.  (Offsets, not a struct:
 * the set and the version end in flexible arrays.)  A version with at most
 * one next hop fits between the set and the route, so that the set and the
 * version share one cache line; a longer one goes after the route
 * (dest_first_version_mem).
 */
#define DEST_BLOCK_SET_OFF sizeof(struct dest)
#define DEST_BLOCK_VERSION_OFF                                                              \
	(DEST_BLOCK_SET_OFF + sizeof(struct route_set) + sizeof(struct route_ref))
#define DEST_BLOCK_ROUTE_OFF                                                                \
	(DEST_BLOCK_VERSION_OFF + sizeof(struct route_version) + sizeof(rtm_handle))
#define DEST_BLOCK_LONG_VERSION_OFF (DEST_BLOCK_ROUTE_OFF + sizeof(struct route))
#define DEST_BLOCK_COMPACT 0 /* block class of a block with a version between set and route */

_Static_assert(DEST_BLOCK_VERSION_OFF + sizeof(struct route_version) + sizeof(rtm_handle) ==
		       DEST_HOT_OFF + 128,
	       "dest block: the set and a one-next-hop version are the 64 bytes after the lookup line");

/* Is r the first route, embedded in its destination's block? */
static inline bool
route_is_embedded(const struct route *r)
{
	return r->embedded;
}

/* r's destination: the block it lies in, or the one its heap header names. */
static inline struct dest *
route_dest(const struct route *r)
{
	if (r->embedded)
		return (struct dest *)((char *)r - DEST_BLOCK_ROUTE_OFF);
	return ((const struct route_heap_hdr *)r - 1)->dest;
}

/*
 * A destination's hold-down (dest_hold(d); every field under d's exclusive lock):
 * the views armed by RtmHoldDestination and the longest time asked for, used
 * up by the deletion that starts the hold-down, and the timer, which holds a
 * reference on the destination while it runs.
 */
struct dest_hold {
	struct timer timer;
	struct dest *dest;
	uint32_t ms;
	uint8_t views; /* view bits (TABLE_VIEWS_SUPPORTED) */
};

struct dest_snapshot {
	struct route_set *set; /* may be NULL */
	uint64_t last_changed;
	uint32_t seq; /* d->seq when taken: dest_snapshot_current_rcu() */
};

/*
 * A new destination (not yet in the trie), with refs references, in a block
 * with room for a first route of nnh next hops (dest_block).
 */
struct dest *dest_new(struct table *t, const struct prefix *key, uint32_t refs, USHORT nnh);

/* The block's memory for the first route and its first version (route_new). */
static inline void *
dest_first_route_mem(struct dest *d)
{
	return (char *)d + DEST_BLOCK_ROUTE_OFF;
}

static inline void *
dest_first_version_mem(struct dest *d)
{
	return (char *)d + (dest_block_class(d) == DEST_BLOCK_COMPACT ? DEST_BLOCK_VERSION_OFF
									: DEST_BLOCK_LONG_VERSION_OFF);
}

/* The set {r with version v} in d's embedded set memory. */
struct route_set *route_set_first(struct dest *d, struct route *r, struct route_version *v);

/*
 * Start loading the lines a lookup of d reads (its lookup line, the block's
 * set and version, the first route), all at once rather than one after
 * the other; a hint only, safe on any d just loaded from the trie.
 */
static inline void
dest_prefetch_lookup(const struct dest *d)
{
	__builtin_prefetch((const char *)d + DEST_HOT_OFF);
	__builtin_prefetch((const char *)d + DEST_BLOCK_SET_OFF);
	__builtin_prefetch((const char *)d + DEST_BLOCK_ROUTE_OFF);
}

/* Undo dest_new() for a destination that was never published. */
void dest_discard(struct dest *d);

/* A consistent copy of the summary.  Call inside rcu_lock(). */
void dest_snapshot_rcu(struct dest *d, struct dest_snapshot *snap);

/* Has d published nothing since snap was taken?  Inside rcu_lock(). */
static inline bool
dest_snapshot_current_rcu(struct dest *d, const struct dest_snapshot *snap)
{
	return ld_acquire(&d->seq.seq) == snap->seq;
}

/* Publish a new route set (may be NULL); caller holds d->lock exclusively. */
void dest_publish_locked(struct dest *d, struct route_set *set);

/*
 * The same in two halves, for a writer that must also publish a field of a
 * route that lock-free readers load on their own (a route's version or
 * state): stored between the two, it is never visible to a reader that a
 * later snapshot of d can still show the old set (linearizability).
 */
void dest_publish_begin_locked(struct dest *d);
void dest_publish_end_locked(struct dest *d, struct route_set *set);

/* Does the destination qualify for these views (SEMANTICS.md §8)? */
bool dest_snapshot_qualifies(const struct dest_snapshot *snap, uint32_t views);

/*
 * Index in set of the best route for view id v among routes whose owner
 * matches the protocol filter (0 = any), or -1.
 */
int route_set_best(const struct route_set *set, unsigned view, ULONG proto, bool filter);

/*
 * Route-set construction (caller holds d->lock exclusively).  Hold routes
 * are carried over.  Both return NULL on ENOMEM; a result may be empty
 * (route_set_is_empty), which the caller publishes as NULL.
 */
struct route_set *route_set_with(const struct route_set *old, struct route *r,
				 struct route_version *v);
struct route_set *route_set_without(const struct route_set *old, const struct route *r);
bool route_set_is_empty(const struct route_set *set);

/* Is r the set's only route, with no hold-down route? */
bool route_set_only(const struct route_set *set, const struct route *r);

/* Is r the only route of set in view id v (or does set have none)? */
bool route_set_view_empty(const struct route_set *set, unsigned v);

/* Retire a set that was published (freed after a grace period). */
void route_set_retire(struct route_set *set);

/* Free a set that was never published. */
void route_set_discard(struct route_set *set);

/*
 * Fill info for the caller's view selection from a snapshot, referencing
 * every handle in it.  Returns 0, or -EAGAIN if an object in the snapshot
 * died meanwhile (nothing referenced; take a new snapshot and retry).
 * Call inside rcu_lock().
 */
int dest_fill_info_rcu(struct dest *d, const struct dest_snapshot *snap,
		       const struct entity *caller, ULONG proto, uint32_t views,
		       RTM_DEST_INFO *info);

/* Whether the caller's ProtocolId argument filters, and the id to match. */
void dest_proto_filter(const struct entity *caller, ULONG proto, ULONG *id, bool *filter);

/* Current time as a FILETIME value (100 ns ticks since 1601). */
uint64_t dest_filetime_now(void);

/* Address of the caller's opaque slot in d; NULL on ENOMEM. */
void **dest_opaque_slot(struct dest *d, int slot);

void dest_module_init(void);

#endif
