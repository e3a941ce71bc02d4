/* Enumeration API (SEMANTICS.md §10). */
#include <stdlib.h>
#include <string.h>

#include <rtm/rtmx.h>

#include "alloc.h"
#include "api.h"
#include "dest.h"
#include "entity.h"
#include "enum.h"
#include "routelist.h"

#define ENUM_KNOWN_FLAGS (RTM_ENUM_NEXT | RTM_ENUM_RANGE)

/* Normalise an enumeration's views: ALL means every view; other unknown
 * bits are ERROR_NOT_SUPPORTED. */
static int
enum_views(RTM_VIEW_SET in, RTM_VIEW_SET *out)
{
	*out = api_views(in);
	return (*out & ~(RTM_VIEW_SET)TABLE_VIEWS_SUPPORTED) ? -EOPNOTSUPP : 0;
}

/* Publish a new enumeration's handle, or undo it on error. */
static DWORD
enum_finish(struct rtm_enum *en, int rc, PRTM_ENUM_HANDLE out)
{
	if (rc) {
		enum_delete(en);
		return api_error(rc);
	}
	*out = en->handle;
	return NO_ERROR;
}

RTM_API DWORD WINAPI
RtmCreateDestEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_VIEW_SET TargetViews,
		  RTM_ENUM_FLAGS EnumFlags, PRTM_NET_ADDRESS NetAddress, ULONG ProtocolId,
		  PRTM_ENUM_HANDLE RtmEnumHandle)
{
	struct entity *e;
	struct rtm_enum *en;
	RTM_VIEW_SET views;
	DWORD rc;
	int err;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!RtmEnumHandle || (EnumFlags & ~(DWORD)(ENUM_KNOWN_FLAGS | RTM_ENUM_OWN_DESTS))) {
		rc = ERROR_INVALID_PARAMETER;
	} else if ((err = enum_views(TargetViews, &views)) != 0) {
		rc = api_error(err);
	} else if (!(en = enum_new(e, ENUM_DEST))) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
	} else {
		en->views = views;
		en->flags = EnumFlags;
		en->proto = ProtocolId;
		rc = enum_finish(en, enum_set_start(en, EnumFlags, NetAddress), RtmEnumHandle);
	}
	handle_put(e->handle);
	return rc;
}

/* Checks shared by the batch calls: returns the referenced enumeration. */
static int
batch_begin(RTM_ENTITY_HANDLE reg, RTM_ENUM_HANDLE h, PUINT num, const void *out,
	    enum enum_kind kind, bool num_zero_ok, struct entity **e, struct rtm_enum **en)
{
	*e = entity_caller_ref(reg);
	if (!*e)
		return -EBADF;
	if (!num || !out || (*num == 0 && !num_zero_ok) || *num > (*e)->table->max_handles) {
		handle_put((*e)->handle);
		return -EINVAL;
	}
	*en = enum_ref(h, *e, kind);
	if (!*en) {
		handle_put((*e)->handle);
		return -EBADF;
	}
	return 0;
}

static void
batch_end(struct entity *e, struct rtm_enum *en)
{
	handle_put(en->handle);
	handle_put(e->handle);
}

RTM_API DWORD WINAPI
RtmGetEnumDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle, PUINT NumDests,
		PRTM_DEST_INFO DestInfos)
{
	struct entity *e;
	struct rtm_enum *en;
	size_t n;
	bool end;
	int rc;

	api_enter();
	rc = batch_begin(RtmRegHandle, EnumHandle, NumDests, DestInfos, ENUM_DEST, false, &e, &en);
	if (rc)
		return api_error(rc);
	pthread_mutex_lock(&en->lock);
	n = enum_dests(en, DestInfos, RTM_SIZE_OF_DEST_INFO(TABLE_NUM_VIEWS), *NumDests, &end);
	pthread_mutex_unlock(&en->lock);
	rc = n == *NumDests ? 0 : -ENODATA;
	*NumDests = (UINT)n;
	batch_end(e, en);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmReleaseDests(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumDests, PRTM_DEST_INFO DestInfos)
{
	api_enter();
	return api_release_dest_infos(RtmRegHandle, NumDests, DestInfos);
}

RTM_API DWORD WINAPI
RtmCreateRouteEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
		   RTM_VIEW_SET TargetViews, RTM_ENUM_FLAGS EnumFlags, PRTM_NET_ADDRESS StartDest,
		   RTM_MATCH_FLAGS MatchingFlags, PRTM_ROUTE_INFO CriteriaRoute,
		   ULONG CriteriaInterface, PRTM_ENUM_HANDLE RtmEnumHandle)
{
	struct entity *e;
	struct rtm_enum *en = NULL;
	struct dest *d = NULL;
	RTM_VIEW_SET views;
	int rc = 0;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!RtmEnumHandle || (EnumFlags & ~(DWORD)(ENUM_KNOWN_FLAGS | RTM_ENUM_OWN_ROUTES)) ||
	    (MatchingFlags & ~(RTM_MATCH_FLAGS)RTM_MATCH_FULL) ||
	    (!CriteriaRoute && (MatchingFlags & ~(RTM_MATCH_FLAGS)RTM_MATCH_INTERFACE)))
		rc = -EINVAL;
	else
		rc = enum_views(TargetViews, &views);
	if (!rc && DestHandle) {
		d = handle_ref(DestHandle, HT_DEST);
		if (!d || d->table != e->table) {
			if (d)
				handle_put(DestHandle);
			d = NULL;
			rc = -EBADF;
		}
	}
	if (!rc && !(en = enum_new(e, ENUM_ROUTE)))
		rc = -ENOMEM;
	if (rc) {
		if (d)
			handle_put(d->handle);
		handle_put(e->handle);
		return api_error(rc);
	}
	en->views = views;
	en->flags = EnumFlags;
	en->dest = d; /* its reference moves to the enumeration */
	en->match = MatchingFlags;
	en->ifindex = CriteriaInterface;
	if (MatchingFlags && CriteriaRoute) {
		size_t sz = RTMX_SIZE_OF_ROUTE_INFO(e->table->max_nexthops);
		USHORT nn = CriteriaRoute->NextHopsList.NumNextHops;

		en->criteria = rtm_malloc(sz);
		if (!en->criteria)
			rc = -ENOMEM;
		else if (nn > e->table->max_nexthops)
			rc = -EINVAL;
		else
			memcpy(en->criteria, CriteriaRoute, RTMX_SIZE_OF_ROUTE_INFO(nn));
	}
	if (!rc && !d)
		rc = enum_set_start(en, EnumFlags, StartDest);
	handle_put(e->handle);
	return enum_finish(en, rc, RtmEnumHandle);
}

RTM_API DWORD WINAPI
RtmGetEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle, PUINT NumRoutes,
		 PRTM_ROUTE_HANDLE RouteHandles)
{
	struct entity *e;
	struct rtm_enum *en;
	size_t n;
	bool end;
	int rc;

	api_enter();
	rc = batch_begin(RtmRegHandle, EnumHandle, NumRoutes, RouteHandles, ENUM_ROUTE, false, &e,
			 &en);
	if (rc)
		return api_error(rc);
	pthread_mutex_lock(&en->lock);
	rc = enum_routes(en, RouteHandles, *NumRoutes, &n, &end);
	pthread_mutex_unlock(&en->lock);
	if (!rc)
		rc = n == *NumRoutes ? 0 : -ENODATA;
	*NumRoutes = (UINT)n;
	batch_end(e, en);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmCreateNextHopEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_FLAGS EnumFlags,
		     PRTM_NET_ADDRESS NetAddress, PRTM_ENUM_HANDLE RtmEnumHandle)
{
	struct entity *e;
	struct rtm_enum *en;
	DWORD rc;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!RtmEnumHandle || (EnumFlags & ~(DWORD)ENUM_KNOWN_FLAGS)) {
		rc = ERROR_INVALID_PARAMETER;
	} else if (!(en = enum_new(e, ENUM_NEXTHOP))) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
	} else {
		en->flags = EnumFlags;
		rc = enum_finish(en, enum_set_start(en, EnumFlags, NetAddress), RtmEnumHandle);
	}
	handle_put(e->handle);
	return rc;
}

RTM_API DWORD WINAPI
RtmGetEnumNextHops(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle,
		   PUINT NumNextHops, PRTM_NEXTHOP_HANDLE NextHopHandles)
{
	struct entity *e;
	struct rtm_enum *en;
	size_t n;
	bool end;
	int rc;

	api_enter();
	rc = batch_begin(RtmRegHandle, EnumHandle, NumNextHops, NextHopHandles, ENUM_NEXTHOP, false,
			 &e, &en);
	if (rc)
		return api_error(rc);
	pthread_mutex_lock(&en->lock);
	rc = enum_nexthops(en, NextHopHandles, *NumNextHops, &n, &end);
	pthread_mutex_unlock(&en->lock);
	if (!rc)
		rc = n == *NumNextHops ? 0 : -ENODATA;
	*NumNextHops = (UINT)n;
	batch_end(e, en);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmDeleteEnumHandle(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle)
{
	struct entity *e;
	struct rtm_enum *en;
	int rc = 0;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	en = handle_ref(EnumHandle, HT_ENUM);
	if (!en || en->owner != e || !enum_delete(en))
		rc = -EBADF;
	if (en)
		handle_put(EnumHandle);
	handle_put(e->handle);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmCreateRouteListEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_LIST_HANDLE RouteListHandle,
		       PRTM_ENUM_HANDLE RtmEnumHandle)
{
	struct entity *e;
	struct route_list *l;
	struct rtm_enum *en;
	int rc = 0;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!RtmEnumHandle) {
		handle_put(e->handle);
		return ERROR_INVALID_PARAMETER;
	}
	l = routelist_ref(RouteListHandle, e);
	if (!l) {
		handle_put(e->handle);
		return ERROR_INVALID_HANDLE;
	}
	en = enum_new(e, ENUM_LIST);
	if (!en)
		rc = -ENOMEM;
	else
		rc = routelist_snapshot(l, &en->pending, &en->npending);
	handle_put(l->handle);
	handle_put(e->handle);
	if (!en)
		return api_error(rc);
	return enum_finish(en, rc, RtmEnumHandle);
}

RTM_API DWORD WINAPI
RtmGetListEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle, PUINT NumRoutes,
		     PRTM_ROUTE_HANDLE RouteHandles)
{
	struct entity *e;
	struct rtm_enum *en;
	size_t n;
	int rc;

	api_enter();
	rc = batch_begin(RtmRegHandle, EnumHandle, NumRoutes, RouteHandles, ENUM_LIST, true, &e,
			 &en);
	if (rc)
		return api_error(rc);
	pthread_mutex_lock(&en->lock);
	n = enum_list(en, RouteHandles, *NumRoutes);
	pthread_mutex_unlock(&en->lock);
	*NumRoutes = (UINT)n;
	batch_end(e, en);
	return NO_ERROR; /* the end shows as fewer than asked (SEMANTICS.md §12) */
}
