/* Route-list API (SEMANTICS.md §12); the list enumeration is in api_enum.c. */
#include <stdlib.h>

#include "api.h"
#include "routelist.h"

RTM_API DWORD WINAPI
RtmCreateRouteList(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_ROUTE_LIST_HANDLE RouteListHandle)
{
	struct entity *e;
	int rc;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	rc = RouteListHandle ? routelist_create(e, RouteListHandle) : -EINVAL;
	handle_put(e->handle);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmInsertInRouteList(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_LIST_HANDLE RouteListHandle,
		     UINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles)
{
	struct entity *e;
	struct route_list *l = NULL;
	int rc = 0;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (NumRoutes && !RouteHandles) {
		handle_put(e->handle);
		return ERROR_INVALID_PARAMETER;
	}
	if (RouteListHandle && !(l = routelist_ref(RouteListHandle, e)))
		rc = -EBADF;
	rcu_lock();
	/* Every handle first, then ownership: all or nothing. */
	for (UINT i = 0; !rc && i < NumRoutes; i++) {
		if (!handle_get(RouteHandles[i], HT_ROUTE))
			rc = -EBADF;
	}
	for (UINT i = 0; !rc && i < NumRoutes; i++) {
		struct route *r = handle_get(RouteHandles[i], HT_ROUTE);

		if (r->owner != e)
			rc = -EACCES;
	}
	rcu_unlock();
	/* Every route's list link first, so that moving cannot fail half way. */
	for (UINT i = 0; !rc && l && i < NumRoutes; i++) {
		struct route *r = handle_ref(RouteHandles[i], HT_ROUTE);

		if (!r)
			continue;
		if (!route_ext_get(r))
			rc = -ENOMEM;
		handle_put(r->handle);
	}
	for (UINT i = 0; !rc && i < NumRoutes; i++) {
		struct route *r = handle_ref(RouteHandles[i], HT_ROUTE);

		if (!r)
			continue; /* released meanwhile by another thread */
		rc = routelist_move(r, l);
		handle_put(r->handle);
	}
	if (l)
		handle_put(l->handle);
	handle_put(e->handle);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmDeleteRouteList(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_LIST_HANDLE RouteListHandle)
{
	struct entity *e;
	struct route_list *l;
	int rc = 0;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	l = routelist_ref(RouteListHandle, e);
	if (!l) {
		rc = -EBADF;
	} else {
		if (!routelist_delete(l))
			rc = -EBADF;
		handle_put(l->handle);
	}
	handle_put(e->handle);
	return api_error(rc);
}
