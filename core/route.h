/*
 * Routes.
 *
 * Lifetime: created by RtmAddRouteToDest with the store's reference (held
 * while the route is live in its destination) plus one per handle given out;
 * RtmDeleteRouteToDest (or deregistration of the owner) drops the store's
 * reference; the memory goes a grace period after the last reference.
 *
 * Two views of a route's data:
 *   pub   the immutable struct route_version readers copy.  Replaced (never
 *         changed) by the holder of the destination's exclusive lock, with a
 *         release store, at the same time as the destination's route set
 *         (which also points at the version).  Old versions are freed after a
 *         grace period.  A version holds its own references on its neighbour
 *         and next-hop handles while it is current; they are dropped the
 *         moment it is replaced (a reader that then fails to reference one
 *         copies the newer version instead).
 *   info  the RTM's own RTM_ROUTE_INFO, sized for the table's
 *         MaxNextHopsInRoute.  Returned by RtmLockRoute and
 *         RtmGetRoutePointer.  Most routes never need it, so it is built
 *         from pub on first use (route_info_get(), installed with a CAS in
 *         the route's ext; NULL until then) and from then on kept equal to pub by the writers.
 *         Its contents are written only by the holder of the destination's
 *         exclusive lock (the client between RtmLockRoute and
 *         RtmUpdateAndUnlockRoute, or RtmAddRouteToDest / deletion), or by
 *         its builder before the CAS.  Readers never read it.  The handles in
 *         it carry the route's own references (the client adjusts them itself
 *         during an in-place edit, SEMANTICS.md §6).
 *
 * Other fields: dest (route_dest()), owner (each holds a reference),
 * handle, embedded: immutable;
 * age (age_low, age_high): immutable, orders the routes of one destination by
 * creation (set by route_new under the destination's exclusive lock, younger
 * than all of them);
 * state: atomic, set to DELETED under the destination's exclusive lock.
 *
 * Memory: a route on the heap is preceded by a struct route_heap_hdr: the
 * rcu_head of its deferred free and its destination (route.c).  A
 * destination's first route lives in the destination's
 * block (dest.h) and has no deferred free of its own: it holds a reference
 * on the destination, so the destination's deferred free, which runs a grace
 * period after the destination's last reference and so after the route's,
 * releases the route's memory (route_release_memory) with the block; its
 * destination is where the block puts it (route_dest(), dest.h).
 */
#ifndef RTM_ROUTE_H
#define RTM_ROUTE_H

#include <rtmv2.h>

#include "handle.h"
#include "worker.h"

struct dest;
struct entity;
struct table;

/*
 * On the heap, preceded by the rcu_head of its deferred free (route.c).
 * 32 bytes before the next hops: with one next hop a version and the
 * one-route set before it fill one cache line of the destination block
 * (dest.h).
 */
struct route_version {
	RTM_PREF_INFO pref;
	USHORT flags;
	USHORT nnh;
	uint8_t views; /* view bits (TABLE_VIEWS_SUPPORTED, which fit in 8) */
	UCHAR flags1;
	bool views_all; /* the client said RTM_VIEW_MASK_ALL (views holds the supported ones) */
	bool embedded;  /* in its destination's block (dest.h): never freed on its own */
	void *esi;
	rtm_handle neighbour;
	rtm_handle nh[];
};

struct route_list;

/*
 * What only some routes need, allocated on first use and freed with the
 * route: the aging timer (armed: it holds a reference on the route; worker
 * lock), the route-list membership (owner->lists_lock) and the RTM's own
 * RTM_ROUTE_INFO (info, see above; NULL until built).
 */
struct route_ext {
	struct timer ttl;
	struct route *route;
	struct route_list *list;
	struct cds_list_head list_link;
	_Atomic(RTM_ROUTE_INFO *) info;
};

/*
 * 48 bytes: the age, 48 bits (route_age(); it saturates after 2^48 route
 * additions to one destination), shares a word with the state.
 */
struct route {
	struct entity *owner;
	rtm_handle handle;
	_Atomic(struct route_version *) pub;
	_Atomic(struct route_ext *) ext;
	uint32_t age_low;
	uint16_t age_high;
	_Atomic UCHAR state;
	bool embedded; /* in its destination's block (dest.h); immutable */
};

_Static_assert(sizeof(struct route) == 40,
	       "struct route: the age, the state and embedded share a word");

/* What precedes a route on the heap (route.h: Memory). */
struct route_heap_hdr {
	struct rcu_head rcu;
	struct dest *dest;
};

#define ROUTE_AGE_MAX ((1ull << 48) - 1)

static inline uint64_t
route_age(const struct route *r)
{
	return (uint64_t)r->age_high << 32 | r->age_low;
}

/* r's extension, allocated if needed; NULL on ENOMEM. */
struct route_ext *route_ext_get(struct route *r);

/* r's info if it was built, else NULL. */
static inline RTM_ROUTE_INFO *
route_info_peek(struct route *r)
{
	struct route_ext *x = ld_acquire(&r->ext);

	return x ? ld_acquire(&x->info) : NULL;
}

/* Bytes of an RTM_ROUTE_INFO with room for n next hops. */
#define ROUTE_INFO_SIZE(n) (offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) + (n) * sizeof(HANDLE))

/*
 * Check the client-supplied parts of info for a route owned by owner:
 * returns 0, -EINVAL (too many next hops, unsupported views, a next hop of
 * another entity) or -EBADF (an invalid next-hop or neighbour handle).
 */
int route_info_check(const RTM_ROUTE_INFO *info, const struct entity *owner);

/* A new version from info, referencing its handles; NULL on ENOMEM. */
struct route_version *route_version_new(const RTM_ROUTE_INFO *info);

/* Drop v's references now and free its memory after a grace period. */
void route_version_retire(struct route_version *v);

/* Drop v's references and free it now (v was never published). */
void route_version_discard(struct route_version *v);

/*
 * A new route of owner on dest with the client's info (references taken
 * for its first version), whose handle starts with refs references: the
 * store's one plus one per handle the caller gives out.  The route holds
 * references on dest and owner.  first: dest is new and this is its first
 * route, which goes (with its version) into the dest's block; dest_new()
 * then already counted the route's reference on dest.  Returns NULL on
 * ENOMEM.
 */
struct route *route_new(struct dest *dest, struct entity *owner, const RTM_ROUTE_INFO *info,
			bool first, uint32_t refs);

/*
 * Free what r owns apart from its own memory (its extension and info) and
 * recycle its handle.  A grace period after r's last reference went away.
 */
void route_release_memory(struct route *r);

/* Undo route_new() for a route that was never published. */
void route_discard(struct route *r);

/*
 * r->info, built from the published version if it does not exist yet; NULL
 * on ENOMEM.  Any thread may call it, with or without d's lock.
 */
RTM_ROUTE_INFO *route_info_get(struct route *r);

/*
 * After publishing a new version of r (exclusive lock held): replace the
 * client-visible fields of r->info, if it exists, with info's, taking
 * references on the new handles and dropping the old ones.
 */
void route_info_assign(struct route *r, const RTM_ROUTE_INFO *info);

/* After marking r deleted (exclusive lock held): tell r->info, if any. */
void route_info_sync_state(struct route *r);

/* Put DestHandle, RouteOwner and State of info (r's) back (SEMANTICS §6). */
void route_info_restore_identity(struct route *r, RTM_ROUTE_INFO *info);

/* Is v the same client-visible data as the other version? */
bool route_version_equal(const struct route_version *a, const struct route_version *b);

/*
 * Copy r's published version into out (a caller buffer with room for the
 * table's MaxNextHopsInRoute), referencing every handle in it.  Call inside
 * rcu_lock().
 */
void route_info_copy_rcu(struct route *r, RTM_ROUTE_INFO *out);

/*
 * Does version v of route r satisfy the match criteria c (SEMANTICS.md §8)?
 * Inside rcu_lock().
 */
bool route_matches_rcu(const struct route *r, const struct route_version *v, RTM_MATCH_FLAGS flags,
		       const RTM_ROUTE_INFO *c, ULONG ifindex);

void route_module_init(void);

#endif
