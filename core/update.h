/*
 * Route changes: the writer side of the store.  Each function takes the
 * destination's lock exclusively (and the trie lock of its part for structural
 * changes, lock_order.h), prepares new route versions and sets privately,
 * publishes them with release stores, retires the old ones through RCU, and
 * reports the change to change notification.  Failures (ENOMEM) happen
 * before anything is published.
 */
#ifndef RTM_UPDATE_H
#define RTM_UPDATE_H

#include <rtmv2.h>

#include "dest.h"
#include "entity.h"
#include "route.h"

struct route_list;

/* What RtmAddRouteToDest and RtmUpdateAndUnlockRoute apply after the change. */
struct update_extras {
	ULONG ttl;               /* TimeToLive (INFINITE: no aging) */
	struct route_list *list; /* move the route here, or NULL: membership unchanged */
};

/*
 * RtmAddRouteToDest for a new or matching route at key (SEMANTICS.md §5).
 * in_flags: RTM_ROUTE_CHANGE_NEW / _FIRST.  On success *out_flags is set,
 * and *out_handle (if non-NULL) receives the route's handle with a reference.
 */
int update_add_route(struct entity *e, const struct prefix *key, const RTM_ROUTE_INFO *info,
		     DWORD in_flags, const struct update_extras *x, DWORD *out_flags,
		     rtm_handle *out_handle);

/* RtmAddRouteToDest on an existing route (the caller owns it, holds a ref). */
int update_route(struct entity *e, struct route *r, const RTM_ROUTE_INFO *info,
		 const struct update_extras *x, DWORD *out_flags);

/* Delete a route (caller checked ownership and holds a reference). */
int update_delete_route(struct route *r, DWORD *out_flags);

/*
 * Publish r->info as the route's new version and release the exclusive lock
 * the client holds (RtmUpdateAndUnlockRoute).  On failure the lock is
 * still held.
 */
int update_in_place_and_unlock(struct entity *e, struct route *r, const struct update_extras *x,
			       DWORD *out_flags);

/* End d's hold-down (worker, from the hold timer). */
void update_end_hold(struct dest *d);

/* Arm hold-down on d's views (RtmHoldDestination).  0 or -ENOMEM. */
int update_hold_destination(struct dest *d, uint32_t views, ULONG ms);

/* Delete every route of e and clear its opaque slot everywhere. */
void update_purge_entity(struct entity *e);

/* Take / drop a destination lock (keeps the per-thread held-lock count). */
void dest_lock(struct dest *d, bool exclusive);
void dest_unlock(struct dest *d, bool exclusive);

#endif
