/*
 * windows_client.c - a small RIP-like routing protocol written against the
 * RTMv2 API the way a Windows routing protocol would be.
 *
 * It is only compiled, never linked or run: its job is to prove that code
 * using nothing but the documented RTMv2 names (functions, types, macros,
 * ERROR_* codes, PROTO_IP_* ids) builds unchanged against <rtmv2.h> under
 * -std=c11 -pedantic.  It deliberately avoids the librtm extension header
 * <rtm/rtmx.h>.
 */
#include <rtmv2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RIP_METRIC_INFINITY	16
#define RIP_PREFERENCE		120		/* lower is better */
#define RIP_ROUTE_TTL		(180 * 1000)	/* ms */
#define RIP_HOLD_TIME		(120 * 1000)	/* ms */
#define RIP_NUM_METHODS		4		/* METHOD_RIP2_* are bits 0-3 */

/* What RIP keeps in its opaque slot of each destination. */
struct rip_dest_state {
	ULONG	last_advertised_metric;
	ULONG	route_tag;
};

static RTM_ENTITY_HANDLE rip_handle;
static RTM_REGN_PROFILE rip_profile;
static RTM_NOTIFY_HANDLE rip_notify;
static RTM_ROUTE_LIST_HANDLE rip_learned_routes;
static PRTM_ENTITY_EXPORT_METHODS rip_methods;

DWORD rip_start(ULONG instance);
DWORD rip_stop(void);
DWORD rip_learn_route(ULONG dest, ULONG mask, ULONG gateway, ULONG if_index,
		      ULONG metric);
DWORD rip_forget_route(ULONG dest, ULONG mask, ULONG gateway);
DWORD rip_lookup(ULONG addr, ULONG *gateway, ULONG *if_index);
DWORD rip_refresh_learned_routes(void);
DWORD rip_advertise(void);
DWORD rip_query_peers(void);

/*
 * RTM_ROUTE_INFO buffers.  RTM_SIZE_OF_ROUTE_INFO(n) is one next-hop handle
 * short (the Windows header counts from NumNextHops instead of NextHops),
 * so ask for one more than needed.
 */
static PRTM_ROUTE_INFO
rip_alloc_route_info(void)
{
	UINT hops = rip_profile.MaxNextHopsInRoute;

	return malloc(RTM_SIZE_OF_ROUTE_INFO(hops + 1));
}

static PRTM_DEST_INFO
rip_dest_at(PRTM_DEST_INFO base, UINT i)
{
	return (PRTM_DEST_INFO)((PUCHAR)base +
		i * RTM_SIZE_OF_DEST_INFO(rip_profile.NumberOfViews));
}

/*
 * Exported methods: one handler for all four RIP method ids.  The RTM
 * fills Output->MethodType with the id being asked for.
 */
static VOID WINAPI
rip_method(RTM_ENTITY_HANDLE CallerHandle, RTM_ENTITY_HANDLE CalleeHandle,
	   RTM_ENTITY_METHOD_INPUT *Input, RTM_ENTITY_METHOD_OUTPUT *Output)
{
	ULONG value = 0;

	(void)CallerHandle;
	(void)CalleeHandle;
	(void)Input;

	switch (Output->MethodType) {
	case METHOD_RIP2_NEIGHBOUR_ADDR:
	case METHOD_RIP2_OUTBOUND_INTF:
	case METHOD_RIP2_ROUTE_TAG:
	case METHOD_RIP2_ROUTE_TIMESTAMP:
		break;
	default:
		Output->MethodStatus = ERROR_NOT_SUPPORTED;
		Output->OutputSize = 0;
		return;
	}

	if (Output->OutputSize < sizeof(value)) {
		Output->MethodStatus = ERROR_INSUFFICIENT_BUFFER;
		Output->OutputSize = 0;
		return;
	}
	memcpy(Output->OutputData, &value, sizeof(value));
	Output->OutputSize = sizeof(value);
	Output->MethodStatus = NO_ERROR;
}

/* Drain the change queue of our notification registration. */
static DWORD
rip_process_changes(RTM_NOTIFY_HANDLE notify)
{
	PRTM_DEST_INFO infos;
	UINT num, i;
	DWORD status;

	infos = malloc(RTM_SIZE_OF_DEST_INFO(rip_profile.NumberOfViews) *
		       rip_profile.MaxHandlesInEnum);
	if (!infos)
		return ERROR_NOT_ENOUGH_MEMORY;

	do {
		num = rip_profile.MaxHandlesInEnum;
		status = RtmGetChangedDests(rip_handle, notify, &num, infos);
		if (status != NO_ERROR && status != ERROR_NO_MORE_ITEMS)
			break;

		for (i = 0; i < num; i++) {
			PRTM_DEST_INFO di = rip_dest_at(infos, i);
			ULONG addr;
			USHORT len;

			RTM_IPV4_GET_ADDR_AND_LEN(addr, len, &di->DestAddress);
			if (di->NumberOfViews > 0 &&
			    di->ViewInfo[0].ViewId == RTM_VIEW_ID_UCAST &&
			    di->ViewInfo[0].Route == NULL)
				printf("rip: %08x/%u withdrawn\n",
				       (unsigned int)ntohl(addr), len);
			else
				printf("rip: %08x/%u changed\n",
				       (unsigned int)ntohl(addr), len);
		}
		if (num > 0)
			RtmReleaseChangedDests(rip_handle, notify, num, infos);
	} while (status == NO_ERROR);

	free(infos);
	return status == ERROR_NO_MORE_ITEMS ? NO_ERROR : status;
}

/* A learned route timed out: advertise it as unreachable once, then drop it. */
static DWORD
rip_route_expired(RTM_ROUTE_HANDLE route, PRTM_ROUTE_INFO info)
{
	PRTM_ROUTE_INFO locked;
	RTM_ROUTE_CHANGE_FLAGS change;
	DWORD status;

	if (info->PrefInfo.Metric >= RIP_METRIC_INFINITY)
		return ERROR_NOT_SUPPORTED;	/* the RTM deletes it */

	status = RtmLockRoute(rip_handle, route, TRUE, TRUE, &locked);
	if (status != NO_ERROR)
		return ERROR_NOT_SUPPORTED;

	locked->PrefInfo.Metric = RIP_METRIC_INFINITY;
	status = RtmUpdateAndUnlockRoute(rip_handle, route, RIP_HOLD_TIME,
					 NULL, 0, NULL, &change);
	if (status != NO_ERROR)
		RtmLockRoute(rip_handle, route, TRUE, FALSE, NULL);

	/* We handled it, so the reference that came with the event is ours. */
	RtmReleaseRoutes(rip_handle, 1, &route);
	return NO_ERROR;
}

static DWORD WINAPI
rip_event(RTM_ENTITY_HANDLE RtmRegHandle, RTM_EVENT_TYPE EventType,
	  PVOID Context1, PVOID Context2)
{
	PRTM_ENTITY_INFO entity;

	(void)RtmRegHandle;

	switch (EventType) {
	case RTM_ENTITY_REGISTERED:
	case RTM_ENTITY_DEREGISTERED:
		entity = (PRTM_ENTITY_INFO)Context2;
		printf("rip: protocol %u instance %u %s\n",
		       (unsigned int)entity->EntityId.EntityProtocolId,
		       (unsigned int)entity->EntityId.EntityInstanceId,
		       EventType == RTM_ENTITY_REGISTERED ? "up" : "down");
		return NO_ERROR;

	case RTM_ROUTE_EXPIRED:
		return rip_route_expired((RTM_ROUTE_HANDLE)Context1,
					 (PRTM_ROUTE_INFO)Context2);

	case RTM_CHANGE_NOTIFICATION:
		return rip_process_changes((RTM_NOTIFY_HANDLE)Context1);
	}
	return ERROR_NOT_SUPPORTED;
}

DWORD
rip_start(ULONG instance)
{
	RTM_ENTITY_INFO info;
	UINT i;
	DWORD status;

	rip_methods = malloc(FIELD_OFFSET(RTM_ENTITY_EXPORT_METHODS, Methods) +
			     RIP_NUM_METHODS *
			     sizeof(RTM_ENTITY_EXPORT_METHOD));
	if (!rip_methods)
		return ERROR_NOT_ENOUGH_MEMORY;
	rip_methods->NumMethods = RIP_NUM_METHODS;
	for (i = 0; i < RIP_NUM_METHODS; i++)
		rip_methods->Methods[i] = rip_method;

	memset(&info, 0, sizeof(info));
	info.RtmInstanceId = 0;
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = PROTO_IP_RIP;
	info.EntityId.EntityInstanceId = instance;

	status = RtmRegisterEntity(&info, rip_methods, rip_event, TRUE,
				   &rip_profile, &rip_handle);
	if (status != NO_ERROR)
		goto fail_register;

	status = RtmRegisterForChangeNotification(rip_handle,
						  RTM_VIEW_MASK_UCAST,
						  RTM_CHANGE_TYPE_BEST,
						  NULL, &rip_notify);
	if (status != NO_ERROR)
		goto fail_notify;

	status = RtmCreateRouteList(rip_handle, &rip_learned_routes);
	if (status != NO_ERROR)
		goto fail_list;

	return NO_ERROR;

fail_list:
	RtmDeregisterFromChangeNotification(rip_handle, rip_notify);
fail_notify:
	RtmDeregisterEntity(rip_handle);
fail_register:
	free(rip_methods);
	rip_methods = NULL;
	return status;
}

/* Delete every route we own, in batches. */
static DWORD
rip_delete_own_routes(void)
{
	RTM_ENUM_HANDLE en;
	PRTM_ROUTE_HANDLE routes;
	RTM_ROUTE_CHANGE_FLAGS change;
	UINT num, i;
	DWORD status;

	routes = calloc(rip_profile.MaxHandlesInEnum, sizeof(*routes));
	if (!routes)
		return ERROR_NOT_ENOUGH_MEMORY;

	status = RtmCreateRouteEnum(rip_handle, NULL, RTM_VIEW_MASK_ANY,
				    RTM_ENUM_OWN_ROUTES, NULL, RTM_MATCH_NONE,
				    NULL, 0, &en);
	if (status != NO_ERROR) {
		free(routes);
		return status;
	}

	do {
		num = rip_profile.MaxHandlesInEnum;
		status = RtmGetEnumRoutes(rip_handle, en, &num, routes);
		for (i = 0; i < num; i++) {
			/* A successful delete consumes our reference. */
			if (RtmDeleteRouteToDest(rip_handle, routes[i],
						 &change) != NO_ERROR)
				RtmReleaseRoutes(rip_handle, 1, &routes[i]);
		}
	} while (status == NO_ERROR);

	RtmDeleteEnumHandle(rip_handle, en);
	free(routes);
	return status == ERROR_NO_MORE_ITEMS ? NO_ERROR : status;
}

/* Delete every next hop we own. */
static DWORD
rip_delete_own_next_hops(void)
{
	RTM_ENUM_HANDLE en;
	PRTM_NEXTHOP_HANDLE hops;
	UINT num, i;
	DWORD status;

	hops = calloc(rip_profile.MaxHandlesInEnum, sizeof(*hops));
	if (!hops)
		return ERROR_NOT_ENOUGH_MEMORY;

	status = RtmCreateNextHopEnum(rip_handle, RTM_ENUM_START, NULL, &en);
	if (status != NO_ERROR) {
		free(hops);
		return status;
	}

	do {
		num = rip_profile.MaxHandlesInEnum;
		status = RtmGetEnumNextHops(rip_handle, en, &num, hops);
		for (i = 0; i < num; i++) {
			if (RtmDeleteNextHop(rip_handle, hops[i], NULL) !=
			    NO_ERROR)
				RtmReleaseNextHops(rip_handle, 1, &hops[i]);
		}
	} while (status == NO_ERROR);

	RtmDeleteEnumHandle(rip_handle, en);
	free(hops);
	return status == ERROR_NO_MORE_ITEMS ? NO_ERROR : status;
}

DWORD
rip_stop(void)
{
	DWORD status;

	/* Let running method calls finish; refuse new ones meanwhile. */
	RtmBlockMethods(rip_handle, NULL, 0, RTM_BLOCK_METHODS);

	rip_delete_own_routes();
	rip_delete_own_next_hops();
	RtmDeleteRouteList(rip_handle, rip_learned_routes);
	RtmDeregisterFromChangeNotification(rip_handle, rip_notify);

	status = RtmDeregisterEntity(rip_handle);
	free(rip_methods);
	rip_methods = NULL;
	return status;
}

DWORD
rip_learn_route(ULONG dest, ULONG mask, ULONG gateway, ULONG if_index,
		ULONG metric)
{
	RTM_NEXTHOP_INFO hop;
	RTM_NEXTHOP_HANDLE hop_handle = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS hop_change;
	RTM_NET_ADDRESS net;
	PRTM_ROUTE_INFO route;
	RTM_ROUTE_HANDLE route_handle = NULL;
	RTM_ROUTE_CHANGE_FLAGS change;
	DWORD status;

	memset(&hop, 0, sizeof(hop));
	RTM_IPV4_MAKE_NET_ADDRESS(&hop.NextHopAddress, gateway, 32);
	hop.InterfaceIndex = if_index;
	status = RtmAddNextHop(rip_handle, &hop, &hop_handle, &hop_change);
	if (status != NO_ERROR)
		return status;

	route = rip_alloc_route_info();
	if (!route) {
		RtmReleaseNextHops(rip_handle, 1, &hop_handle);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	memset(route, 0, RTM_SIZE_OF_ROUTE_INFO(1 + 1));
	route->Neighbour = hop_handle;
	route->PrefInfo.Metric = metric;
	route->PrefInfo.Preference = RIP_PREFERENCE;
	route->BelongsToViews = RTM_VIEW_MASK_UCAST;
	route->NextHopsList.NumNextHops = 1;
	route->NextHopsList.NextHops[0] = hop_handle;

	RTM_IPV4_SET_ADDR_AND_MASK(&net, dest, mask);

	change = 0;
	status = RtmAddRouteToDest(rip_handle, &route_handle, &net, route,
				   RIP_ROUTE_TTL, rip_learned_routes, 0, NULL,
				   &change);
	if (status == NO_ERROR) {
		if (change & RTM_ROUTE_CHANGE_BEST)
			printf("rip: new best route via %08x\n",
			       (unsigned int)ntohl(gateway));
		RtmReleaseRoutes(rip_handle, 1, &route_handle);
	}

	free(route);
	RtmReleaseNextHops(rip_handle, 1, &hop_handle);
	return status;
}

DWORD
rip_forget_route(ULONG dest, ULONG mask, ULONG gateway)
{
	RTM_NET_ADDRESS net;
	RTM_NEXTHOP_INFO hop;
	RTM_NEXTHOP_HANDLE hop_handle = NULL;
	PRTM_NEXTHOP_INFO hop_ptr;
	PRTM_ROUTE_INFO criteria;
	RTM_ROUTE_HANDLE route = NULL;
	RTM_ROUTE_CHANGE_FLAGS change;
	DWORD status;

	memset(&hop, 0, sizeof(hop));
	RTM_IPV4_MAKE_NET_ADDRESS(&hop.NextHopAddress, gateway, 32);
	status = RtmFindNextHop(rip_handle, &hop, &hop_handle, &hop_ptr);
	if (status != NO_ERROR)
		return status;

	criteria = rip_alloc_route_info();
	if (!criteria) {
		RtmReleaseNextHops(rip_handle, 1, &hop_handle);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	memset(criteria, 0, RTM_SIZE_OF_ROUTE_INFO(1 + 1));
	criteria->Neighbour = hop_handle;

	RTM_IPV4_SET_ADDR_AND_MASK(&net, dest, mask);
	status = RtmGetExactMatchRoute(rip_handle, &net, RTM_MATCH_NEIGHBOUR,
				       criteria, hop_ptr->InterfaceIndex,
				       RTM_VIEW_MASK_ANY, &route);
	if (status == NO_ERROR) {
		/* Keep advertising the prefix as unreachable for a while. */
		RtmHoldDestination(rip_handle, criteria->DestHandle,
				   RTM_VIEW_MASK_UCAST, RIP_HOLD_TIME);
		RtmReleaseRouteInfo(rip_handle, criteria);

		status = RtmDeleteRouteToDest(rip_handle, route, &change);
		if (status != NO_ERROR)
			RtmReleaseRoutes(rip_handle, 1, &route);
	}

	free(criteria);
	RtmReleaseNextHops(rip_handle, 1, &hop_handle);
	return status;
}

DWORD
rip_lookup(ULONG addr, ULONG *gateway, ULONG *if_index)
{
	RTM_NET_ADDRESS net;
	RTM_DEST_INFO dest;
	PRTM_ROUTE_INFO route;
	RTM_NEXTHOP_INFO hop;
	RTM_VIEW_SET best_in;
	ULONG mask;
	DWORD status;

	RTM_IPV4_MAKE_NET_ADDRESS(&net, addr, 32);
	status = RtmGetMostSpecificDestination(rip_handle, &net,
					       RTM_BEST_PROTOCOL,
					       RTM_VIEW_MASK_UCAST, &dest);
	if (status != NO_ERROR)
		return status;

	status = ERROR_NOT_FOUND;
	route = rip_alloc_route_info();
	if (route && dest.ViewInfo[0].Route &&
	    RtmIsBestRoute(rip_handle, dest.ViewInfo[0].Route,
			   &best_in) == NO_ERROR &&
	    (best_in & RTM_VIEW_MASK_UCAST) &&
	    RtmGetRouteInfo(rip_handle, dest.ViewInfo[0].Route, route,
			    NULL) == NO_ERROR) {
		if (route->NextHopsList.NumNextHops > 0 &&
		    RtmGetNextHopInfo(rip_handle,
				      route->NextHopsList.NextHops[0],
				      &hop) == NO_ERROR) {
			RTM_IPV4_GET_ADDR_AND_MASK(*gateway, mask,
						   &hop.NextHopAddress);
			(void)mask;
			*if_index = hop.InterfaceIndex;
			RtmReleaseNextHopInfo(rip_handle, &hop);
			status = NO_ERROR;
		}
		RtmReleaseRouteInfo(rip_handle, route);
	}
	free(route);

	/* Nothing usable here: report whether a covering prefix exists. */
	if (status != NO_ERROR) {
		RTM_DEST_INFO shorter;

		if (RtmGetLessSpecificDestination(rip_handle, dest.DestHandle,
						  RTM_BEST_PROTOCOL,
						  RTM_VIEW_MASK_UCAST,
						  &shorter) == NO_ERROR)
			RtmReleaseDestInfo(rip_handle, &shorter);
	}

	RtmReleaseDestInfo(rip_handle, &dest);
	return status;
}

/* Routes heard again: restore their metric in place and restart aging. */
DWORD
rip_refresh_learned_routes(void)
{
	RTM_ENUM_HANDLE en;
	PRTM_ROUTE_HANDLE routes;
	PRTM_ROUTE_INFO r;
	RTM_ROUTE_CHANGE_FLAGS change;
	UINT num, i;
	DWORD status;

	routes = calloc(rip_profile.MaxHandlesInEnum, sizeof(*routes));
	if (!routes)
		return ERROR_NOT_ENOUGH_MEMORY;

	status = RtmCreateRouteListEnum(rip_handle, rip_learned_routes, &en);
	if (status != NO_ERROR) {
		free(routes);
		return status;
	}

	do {
		num = rip_profile.MaxHandlesInEnum;
		status = RtmGetListEnumRoutes(rip_handle, en, &num, routes);
		if (status != NO_ERROR)
			break;

		for (i = 0; i < num; i++) {
			if (RtmLockRoute(rip_handle, routes[i], TRUE, TRUE,
					 &r) != NO_ERROR)
				continue;
			if (r->PrefInfo.Metric >= RIP_METRIC_INFINITY)
				r->PrefInfo.Metric = RIP_METRIC_INFINITY - 1;
			if (RtmUpdateAndUnlockRoute(rip_handle, routes[i],
						    RIP_ROUTE_TTL, NULL, 0,
						    NULL, &change) != NO_ERROR)
				RtmLockRoute(rip_handle, routes[i], TRUE,
					     FALSE, NULL);
		}
		RtmReleaseRoutes(rip_handle, num, routes);
	} while (num == rip_profile.MaxHandlesInEnum);

	RtmDeleteEnumHandle(rip_handle, en);
	free(routes);
	return status;
}

/* Walk the unicast table and "send" each best route, RIP style. */
DWORD
rip_advertise(void)
{
	RTM_ENUM_HANDLE en;
	PRTM_DEST_INFO infos;
	RTM_NET_ADDRESS all;
	UINT num, i;
	DWORD status;

	infos = malloc(RTM_SIZE_OF_DEST_INFO(rip_profile.NumberOfViews) *
		       rip_profile.MaxHandlesInEnum);
	if (!infos)
		return ERROR_NOT_ENOUGH_MEMORY;

	RTM_IPV4_MAKE_NET_ADDRESS(&all, 0, 0);
	status = RtmCreateDestEnum(rip_handle, RTM_VIEW_MASK_UCAST,
				   RTM_ENUM_RANGE | RTM_ENUM_ALL_DESTS, &all,
				   RTM_BEST_PROTOCOL, &en);
	if (status != NO_ERROR) {
		free(infos);
		return status;
	}

	do {
		num = rip_profile.MaxHandlesInEnum;
		status = RtmGetEnumDests(rip_handle, en, &num, infos);

		for (i = 0; i < num; i++) {
			PRTM_DEST_INFO di = rip_dest_at(infos, i);
			struct rip_dest_state *state;
			PVOID slot_addr;
			PVOID *slot;
			BOOL pending = FALSE;

			/* Our per-destination state is in the opaque slot. */
			if (RtmGetOpaqueInformationPointer(rip_handle,
					di->DestHandle, &slot_addr) != NO_ERROR)
				continue;
			slot = (PVOID *)slot_addr;

			RtmLockDestination(rip_handle, di->DestHandle, TRUE,
					   TRUE);
			if (*slot == NULL)
				*slot = calloc(1, sizeof(*state));
			state = (struct rip_dest_state *)*slot;
			if (state && di->ViewInfo[0].Route)
				state->last_advertised_metric = 1;
			RtmLockDestination(rip_handle, di->DestHandle, TRUE,
					   FALSE);

			/*
			 * The current state is being advertised right now,
			 * so a change still queued for it is no longer news.
			 */
			RtmGetChangeStatus(rip_handle, rip_notify,
					   di->DestHandle, &pending);
			if (pending)
				RtmIgnoreChangedDests(rip_handle, rip_notify,
						      1, &di->DestHandle);
		}
		if (num > 0)
			RtmReleaseDests(rip_handle, num, infos);
	} while (status == NO_ERROR);

	RtmDeleteEnumHandle(rip_handle, en);
	free(infos);
	return status == ERROR_NO_MORE_ITEMS ? NO_ERROR : status;
}

/* Ask every other RIP instance for its route tags. */
DWORD
rip_query_peers(void)
{
	PRTM_ENTITY_HANDLE handles;
	PRTM_ENTITY_INFO infos;
	PRTM_ENTITY_METHOD_INPUT in;
	PRTM_ENTITY_METHOD_OUTPUT out;
	UINT num = 0, out_size, n_methods, i;
	DWORD status;

	status = RtmGetRegisteredEntities(rip_handle, &num, NULL, NULL);
	if (status != ERROR_INSUFFICIENT_BUFFER && status != NO_ERROR)
		return status;

	handles = calloc(num, sizeof(*handles));
	infos = calloc(num, sizeof(*infos));
	in = malloc(FIELD_OFFSET(RTM_ENTITY_METHOD_INPUT, InputData) + 4);
	out = malloc(FIELD_OFFSET(RTM_ENTITY_METHOD_OUTPUT, OutputData) + 64);
	if (!handles || !infos || !in || !out) {
		status = ERROR_NOT_ENOUGH_MEMORY;
		goto out_free;
	}

	status = RtmGetRegisteredEntities(rip_handle, &num, handles, infos);
	if (status != NO_ERROR)
		goto out_free;

	for (i = 0; i < num; i++) {
		RTM_ENTITY_INFO who;

		if (handles[i] == rip_handle ||
		    infos[i].EntityId.EntityProtocolId != PROTO_IP_RIP)
			continue;
		if (RtmGetEntityInfo(rip_handle, handles[i], &who) != NO_ERROR)
			continue;
		RtmReleaseEntityInfo(rip_handle, &who);

		n_methods = 0;
		if (RtmGetEntityMethods(rip_handle, handles[i], &n_methods,
					NULL) != NO_ERROR || n_methods == 0)
			continue;

		in->MethodType = METHOD_RIP2_ROUTE_TAG;
		in->InputSize = 0;
		out_size = FIELD_OFFSET(RTM_ENTITY_METHOD_OUTPUT, OutputData) +
			   64;
		if (RtmInvokeMethod(rip_handle, handles[i], in, &out_size,
				    out) == NO_ERROR &&
		    out->MethodStatus == NO_ERROR)
			printf("rip: peer %u answered %u bytes\n",
			       (unsigned int)infos[i].EntityId.EntityInstanceId,
			       (unsigned int)out->OutputSize);
	}
	RtmReleaseEntities(rip_handle, num, handles);

out_free:
	free(out);
	free(in);
	free(infos);
	free(handles);
	return status;
}
