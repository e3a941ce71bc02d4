/* Route API (SEMANTICS.md §5, §6). */
#include <string.h>

#include "api.h"
#include "entity.h"
#include "routelist.h"
#include "update.h"

RTM_API DWORD WINAPI
RtmAddRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_ROUTE_HANDLE RouteHandle,
		  PRTM_NET_ADDRESS DestAddress, PRTM_ROUTE_INFO RouteInfo, ULONG TimeToLive,
		  RTM_ROUTE_LIST_HANDLE RouteListHandle, RTM_NOTIFY_FLAGS NotifyType,
		  RTM_NOTIFY_HANDLE NotifyHandle, PRTM_ROUTE_CHANGE_FLAGS ChangeFlags)
{
	struct entity *e;
	DWORD in_flags, out_flags = 0;
	struct prefix key;
	bool by_prefix;
	int rc, key_rc = 0;

	struct update_extras x = {TimeToLive, NULL};

	(void)NotifyType; /* reserved */
	(void)NotifyHandle;
	api_enter_writer();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	in_flags = ChangeFlags ? *ChangeFlags : 0;
	/* NULL pointers before other handles (SEMANTICS.md §3). */
	if (!RouteInfo || !ChangeFlags ||
	    (!DestAddress && !(RouteHandle && *RouteHandle))) {
		rc = -EINVAL;
		goto out;
	}
	/* The prefix now, its errors reported in their place below: the first
	 * miss of its trie walk then overlaps the checks. */
	by_prefix = !(RouteHandle && *RouteHandle);
	if (by_prefix) {
		key_rc = DestAddress->AddressFamily != e->table->family
				 ? -EINVAL
				 : prefix_from_net(&key, DestAddress, e->table->width);
		if (!key_rc)
			trie_prefetch_top(&e->table->trie, &key);
	}
	rc = route_info_check(RouteInfo, e);
	if (rc)
		goto out;
	if (RouteListHandle && !(x.list = routelist_ref(RouteListHandle, e))) {
		rc = -EBADF;
		goto out;
	}
	if (!by_prefix) {
		struct route *r = handle_ref(*RouteHandle, HT_ROUTE);

		if (!r) {
			rc = -EBADF;
		} else {
			rc = r->owner != e ? -EACCES : update_route(e, r, RouteInfo, &x, &out_flags);
			handle_put(r->handle);
		}
	} else {
		rc = key_rc;
		if (!rc)
			rc = update_add_route(e, &key, RouteInfo, in_flags, &x, &out_flags,
					      RouteHandle ? RouteHandle : NULL);
	}
	if (!rc)
		*ChangeFlags = out_flags;
out:
	if (x.list)
		handle_put(x.list->handle);
	handle_put(e->handle);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmDeleteRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
		     PRTM_ROUTE_CHANGE_FLAGS ChangeFlags)
{
	struct entity *e;
	struct route *r;
	DWORD flags = 0;
	int rc;

	api_enter_writer();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!ChangeFlags) {
		rc = -EINVAL;
	} else if (!(r = handle_ref(RouteHandle, HT_ROUTE))) {
		rc = -EBADF;
	} else {
		rc = r->owner != e ? -EACCES : update_delete_route(r, &flags);
		if (!rc)
			handle_put(RouteHandle); /* the caller's reference is consumed */
		handle_put(RouteHandle);
	}
	if (!rc)
		*ChangeFlags = flags;
	handle_put(e->handle);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmGetRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
		PRTM_ROUTE_INFO RouteInfo, PRTM_NET_ADDRESS DestAddress)
{
	struct route *r;
	DWORD rc = NO_ERROR;

	api_enter();
	rcu_lock();
	if (!entity_caller_rcu(RtmRegHandle)) {
		rc = ERROR_INVALID_HANDLE;
	} else if (!(r = handle_get(RouteHandle, HT_ROUTE))) {
		rc = ERROR_INVALID_HANDLE;
	} else {
		if (RouteInfo)
			route_info_copy_rcu(r, RouteInfo);
		if (DestAddress)
			prefix_to_net(&route_dest(r)->key, route_dest(r)->table->family, route_dest(r)->table->width,
				      DestAddress);
	}
	rcu_unlock();
	return rc;
}

/* Release the handles inside a route info (all or nothing). */
static DWORD
route_info_release(PRTM_ROUTE_INFO info)
{
	HANDLE hs[3 + 64];
	unsigned mask[3 + 64];
	UINT n = 0;

	if (info->NextHopsList.NumNextHops > 64)
		return ERROR_INVALID_PARAMETER;
	if (info->DestHandle) {
		hs[n] = info->DestHandle;
		mask[n++] = HT_BIT(HT_DEST);
	}
	if (info->RouteOwner) {
		hs[n] = info->RouteOwner;
		mask[n++] = HT_BIT(HT_ENTITY);
	}
	if (info->Neighbour) {
		hs[n] = info->Neighbour;
		mask[n++] = HT_BIT(HT_NEXTHOP);
	}
	for (USHORT i = 0; i < info->NextHopsList.NumNextHops; i++) {
		hs[n] = info->NextHopsList.NextHops[i];
		mask[n++] = HT_BIT(HT_NEXTHOP);
	}
	return api_release_checked(n, hs, mask, 0);
}

RTM_API DWORD WINAPI
RtmReleaseRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_ROUTE_INFO RouteInfo)
{
	api_enter();
	if (!api_caller_ok(RtmRegHandle))
		return ERROR_INVALID_HANDLE;
	if (!RouteInfo)
		return ERROR_INVALID_PARAMETER;
	return route_info_release(RouteInfo);
}

RTM_API DWORD WINAPI
RtmReleaseRoutes(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles)
{
	api_enter();
	if (!api_caller_ok(RtmRegHandle))
		return ERROR_INVALID_HANDLE;
	return api_release_handles(NumRoutes, RouteHandles, HT_BIT(HT_ROUTE));
}

RTM_API DWORD WINAPI
RtmIsBestRoute(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
	       PRTM_VIEW_SET BestInViews)
{
	struct entity *e;
	struct route *r;
	int rc;

	api_enter();
	rcu_lock();
	rc = api_query_begin_rcu(RtmRegHandle, BestInViews, RouteHandle, HT_ROUTE, &e,
				 (void **)&r);
	if (!rc) {
		struct dest_snapshot snap;
		RTM_VIEW_SET views = 0;

		dest_snapshot_rcu(route_dest(r), &snap);
		for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++) {
			int i = route_set_best(snap.set, v, 0, false);

			if (i >= 0 && snap.set->e[i].route == r)
				views |= 1u << v;
		}
		*BestInViews = views;
	}
	rcu_unlock();
	return api_error(rc);
}

static struct entity *
route_owner(const void *obj)
{
	return ((const struct route *)obj)->owner;
}

/* Resolve the caller and one of its own routes (reference taken). */
static int
own_route_ref(RTM_ENTITY_HANDLE reg, RTM_ROUTE_HANDLE rh, struct entity **e, struct route **r)
{
	return api_own_ref(reg, rh, HT_ROUTE, route_owner, e, (void **)r);
}

static void
own_route_put(struct entity *e, struct route *r)
{
	handle_put(r->handle);
	handle_put(e->handle);
}

RTM_API DWORD WINAPI
RtmGetRoutePointer(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
		   PRTM_ROUTE_INFO *RoutePointer)
{
	struct entity *e;
	struct route *r;
	int rc;

	api_enter();
	if (!api_caller_ok(RtmRegHandle)) /* a deregistered caller too (§3 order) */
		return ERROR_INVALID_HANDLE;
	if (!RoutePointer)
		return ERROR_INVALID_PARAMETER;
	rc = own_route_ref(RtmRegHandle, RouteHandle, &e, &r);
	if (rc)
		return api_error(rc);
	*RoutePointer = route_info_get(r);
	own_route_put(e, r);
	return *RoutePointer ? NO_ERROR : ERROR_NOT_ENOUGH_MEMORY;
}

RTM_API DWORD WINAPI
RtmLockRoute(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle, WINBOOL Exclusive,
	     WINBOOL LockRoute, PRTM_ROUTE_INFO *RoutePointer)
{
	struct entity *e;
	struct route *r;
	struct dest *d;
	int rc;

	api_enter();
	rc = own_route_ref(RtmRegHandle, RouteHandle, &e, &r);
	if (rc)
		return api_error(rc);
	d = route_dest(r);
	if (!LockRoute) {
		bool held = Exclusive ? destlock_is_write_locked(&d->lock)
				      : destlock_is_read_locked(&d->lock);

		if (!held)
			rc = -EINVAL;
		else
			dest_unlock(d, Exclusive != 0);
	} else if (ld_acquire(&r->state) != RTM_ROUTE_STATE_CREATED) {
		rc = -ENOENT;
	} else {
		dest_lock(d, Exclusive != 0);
		if (ld_acquire(&r->state) != RTM_ROUTE_STATE_CREATED) {
			dest_unlock(d, Exclusive != 0);
			rc = -ENOENT;
		} else if (RoutePointer && !(*RoutePointer = route_info_get(r))) {
			dest_unlock(d, Exclusive != 0);
			rc = -ENOMEM;
		}
	}
	own_route_put(e, r);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmUpdateAndUnlockRoute(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
			ULONG TimeToLive, RTM_ROUTE_LIST_HANDLE RouteListHandle,
			RTM_NOTIFY_FLAGS NotifyType, RTM_NOTIFY_HANDLE NotifyHandle,
			PRTM_ROUTE_CHANGE_FLAGS ChangeFlags)
{
	struct entity *e;
	struct route *r;
	DWORD flags = 0;
	int rc;

	struct update_extras x = {TimeToLive, NULL};

	(void)NotifyType; /* reserved */
	(void)NotifyHandle;
	api_enter();
	/* The NULL pointer before the route handle (SEMANTICS.md §3). */
	if (!ChangeFlags)
		return api_caller_ok(RtmRegHandle) ? ERROR_INVALID_PARAMETER : ERROR_INVALID_HANDLE;
	rc = own_route_ref(RtmRegHandle, RouteHandle, &e, &r);
	if (rc)
		return api_error(rc);
	if (RouteListHandle)
		x.list = routelist_ref(RouteListHandle, e);
	if (RouteListHandle && !x.list)
		rc = -EBADF;
	else
		rc = update_in_place_and_unlock(e, r, &x, &flags);
	if (!rc)
		*ChangeFlags = flags;
	if (x.list)
		handle_put(x.list->handle);
	own_route_put(e, r);
	return api_error(rc);
}
