/*
 * test_header_c.c - compile-only check of <rtmv2.h> as C11.
 *
 * Includes nothing but <rtmv2.h>, which must therefore be self-contained,
 * and refers to all 57 RTMv2 functions.  The object is never linked (most
 * functions are not implemented yet), so it only has to compile cleanly
 * under -std=c11 -pedantic -Wall -Wextra -Werror.
 */
#include <rtmv2.h>

/* Every RTMv2 function, in the order of the Windows header. */
#define RTM_FUNCTIONS(X)						\
	X(RtmRegisterEntity)						\
	X(RtmDeregisterEntity)						\
	X(RtmGetRegisteredEntities)					\
	X(RtmReleaseEntities)						\
	X(RtmLockDestination)						\
	X(RtmGetOpaqueInformationPointer)				\
	X(RtmGetEntityMethods)						\
	X(RtmInvokeMethod)						\
	X(RtmBlockMethods)						\
	X(RtmGetEntityInfo)						\
	X(RtmGetDestInfo)						\
	X(RtmGetRouteInfo)						\
	X(RtmGetNextHopInfo)						\
	X(RtmReleaseEntityInfo)						\
	X(RtmReleaseDestInfo)						\
	X(RtmReleaseRouteInfo)						\
	X(RtmReleaseNextHopInfo)					\
	X(RtmAddRouteToDest)						\
	X(RtmDeleteRouteToDest)						\
	X(RtmHoldDestination)						\
	X(RtmGetRoutePointer)						\
	X(RtmLockRoute)							\
	X(RtmUpdateAndUnlockRoute)					\
	X(RtmGetExactMatchDestination)					\
	X(RtmGetMostSpecificDestination)				\
	X(RtmGetLessSpecificDestination)				\
	X(RtmGetExactMatchRoute)					\
	X(RtmIsBestRoute)						\
	X(RtmAddNextHop)						\
	X(RtmFindNextHop)						\
	X(RtmDeleteNextHop)						\
	X(RtmGetNextHopPointer)						\
	X(RtmLockNextHop)						\
	X(RtmCreateDestEnum)						\
	X(RtmGetEnumDests)						\
	X(RtmReleaseDests)						\
	X(RtmCreateRouteEnum)						\
	X(RtmGetEnumRoutes)						\
	X(RtmReleaseRoutes)						\
	X(RtmCreateNextHopEnum)						\
	X(RtmGetEnumNextHops)						\
	X(RtmReleaseNextHops)						\
	X(RtmDeleteEnumHandle)						\
	X(RtmRegisterForChangeNotification)				\
	X(RtmGetChangedDests)						\
	X(RtmReleaseChangedDests)					\
	X(RtmIgnoreChangedDests)					\
	X(RtmGetChangeStatus)						\
	X(RtmMarkDestForChangeNotification)				\
	X(RtmIsMarkedForChangeNotification)				\
	X(RtmDeregisterFromChangeNotification)				\
	X(RtmCreateRouteList)						\
	X(RtmInsertInRouteList)						\
	X(RtmCreateRouteListEnum)					\
	X(RtmGetListEnumRoutes)						\
	X(RtmDeleteRouteList)						\
	X(RtmReferenceHandles)

/*
 * The Windows prototypes, parameter types only.  C accepts a second
 * declaration only if it is compatible with the first, so this block
 * stops compiling if a prototype in <rtmv2.h> drifts from Windows.
 */
DWORD WINAPI RtmRegisterEntity(PRTM_ENTITY_INFO, PRTM_ENTITY_EXPORT_METHODS,
	RTM_EVENT_CALLBACK, WINBOOL, PRTM_REGN_PROFILE, PRTM_ENTITY_HANDLE);
DWORD WINAPI RtmDeregisterEntity(RTM_ENTITY_HANDLE);
DWORD WINAPI RtmGetRegisteredEntities(RTM_ENTITY_HANDLE, PUINT,
	PRTM_ENTITY_HANDLE, PRTM_ENTITY_INFO);
DWORD WINAPI RtmReleaseEntities(RTM_ENTITY_HANDLE, UINT, PRTM_ENTITY_HANDLE);
DWORD WINAPI RtmLockDestination(RTM_ENTITY_HANDLE, RTM_DEST_HANDLE, WINBOOL,
	WINBOOL);
DWORD WINAPI RtmGetOpaqueInformationPointer(RTM_ENTITY_HANDLE, RTM_DEST_HANDLE,
	PVOID *);
DWORD WINAPI RtmGetEntityMethods(RTM_ENTITY_HANDLE, RTM_ENTITY_HANDLE, PUINT,
	PRTM_ENTITY_EXPORT_METHOD);
DWORD WINAPI RtmInvokeMethod(RTM_ENTITY_HANDLE, RTM_ENTITY_HANDLE,
	PRTM_ENTITY_METHOD_INPUT, PUINT, PRTM_ENTITY_METHOD_OUTPUT);
DWORD WINAPI RtmBlockMethods(RTM_ENTITY_HANDLE, HANDLE, UCHAR, DWORD);
DWORD WINAPI RtmGetEntityInfo(RTM_ENTITY_HANDLE, RTM_ENTITY_HANDLE,
	PRTM_ENTITY_INFO);
DWORD WINAPI RtmGetDestInfo(RTM_ENTITY_HANDLE, RTM_DEST_HANDLE, ULONG,
	RTM_VIEW_SET, PRTM_DEST_INFO);
DWORD WINAPI RtmGetRouteInfo(RTM_ENTITY_HANDLE, RTM_ROUTE_HANDLE,
	PRTM_ROUTE_INFO, PRTM_NET_ADDRESS);
DWORD WINAPI RtmGetNextHopInfo(RTM_ENTITY_HANDLE, RTM_NEXTHOP_HANDLE,
	PRTM_NEXTHOP_INFO);
DWORD WINAPI RtmReleaseEntityInfo(RTM_ENTITY_HANDLE, PRTM_ENTITY_INFO);
DWORD WINAPI RtmReleaseDestInfo(RTM_ENTITY_HANDLE, PRTM_DEST_INFO);
DWORD WINAPI RtmReleaseRouteInfo(RTM_ENTITY_HANDLE, PRTM_ROUTE_INFO);
DWORD WINAPI RtmReleaseNextHopInfo(RTM_ENTITY_HANDLE, PRTM_NEXTHOP_INFO);
DWORD WINAPI RtmAddRouteToDest(RTM_ENTITY_HANDLE, PRTM_ROUTE_HANDLE,
	PRTM_NET_ADDRESS, PRTM_ROUTE_INFO, ULONG, RTM_ROUTE_LIST_HANDLE,
	RTM_NOTIFY_FLAGS, RTM_NOTIFY_HANDLE, PRTM_ROUTE_CHANGE_FLAGS);
DWORD WINAPI RtmDeleteRouteToDest(RTM_ENTITY_HANDLE, RTM_ROUTE_HANDLE,
	PRTM_ROUTE_CHANGE_FLAGS);
DWORD WINAPI RtmHoldDestination(RTM_ENTITY_HANDLE, RTM_DEST_HANDLE,
	RTM_VIEW_SET, ULONG);
DWORD WINAPI RtmGetRoutePointer(RTM_ENTITY_HANDLE, RTM_ROUTE_HANDLE,
	PRTM_ROUTE_INFO *);
DWORD WINAPI RtmLockRoute(RTM_ENTITY_HANDLE, RTM_ROUTE_HANDLE, WINBOOL, WINBOOL,
	PRTM_ROUTE_INFO *);
DWORD WINAPI RtmUpdateAndUnlockRoute(RTM_ENTITY_HANDLE, RTM_ROUTE_HANDLE, ULONG,
	RTM_ROUTE_LIST_HANDLE, RTM_NOTIFY_FLAGS, RTM_NOTIFY_HANDLE,
	PRTM_ROUTE_CHANGE_FLAGS);
DWORD WINAPI RtmGetExactMatchDestination(RTM_ENTITY_HANDLE, PRTM_NET_ADDRESS,
	ULONG, RTM_VIEW_SET, PRTM_DEST_INFO);
DWORD WINAPI RtmGetMostSpecificDestination(RTM_ENTITY_HANDLE, PRTM_NET_ADDRESS,
	ULONG, RTM_VIEW_SET, PRTM_DEST_INFO);
DWORD WINAPI RtmGetLessSpecificDestination(RTM_ENTITY_HANDLE, RTM_DEST_HANDLE,
	ULONG, RTM_VIEW_SET, PRTM_DEST_INFO);
DWORD WINAPI RtmGetExactMatchRoute(RTM_ENTITY_HANDLE, PRTM_NET_ADDRESS,
	RTM_MATCH_FLAGS, PRTM_ROUTE_INFO, ULONG, RTM_VIEW_SET,
	PRTM_ROUTE_HANDLE);
DWORD WINAPI RtmIsBestRoute(RTM_ENTITY_HANDLE, RTM_ROUTE_HANDLE, PRTM_VIEW_SET);
DWORD WINAPI RtmAddNextHop(RTM_ENTITY_HANDLE, PRTM_NEXTHOP_INFO,
	PRTM_NEXTHOP_HANDLE, PRTM_NEXTHOP_CHANGE_FLAGS);
DWORD WINAPI RtmFindNextHop(RTM_ENTITY_HANDLE, PRTM_NEXTHOP_INFO,
	PRTM_NEXTHOP_HANDLE, PRTM_NEXTHOP_INFO *);
DWORD WINAPI RtmDeleteNextHop(RTM_ENTITY_HANDLE, RTM_NEXTHOP_HANDLE,
	PRTM_NEXTHOP_INFO);
DWORD WINAPI RtmGetNextHopPointer(RTM_ENTITY_HANDLE, RTM_NEXTHOP_HANDLE,
	PRTM_NEXTHOP_INFO *);
DWORD WINAPI RtmLockNextHop(RTM_ENTITY_HANDLE, RTM_NEXTHOP_HANDLE, WINBOOL,
	WINBOOL, PRTM_NEXTHOP_INFO *);
DWORD WINAPI RtmCreateDestEnum(RTM_ENTITY_HANDLE, RTM_VIEW_SET, RTM_ENUM_FLAGS,
	PRTM_NET_ADDRESS, ULONG, PRTM_ENUM_HANDLE);
DWORD WINAPI RtmGetEnumDests(RTM_ENTITY_HANDLE, RTM_ENUM_HANDLE, PUINT,
	PRTM_DEST_INFO);
DWORD WINAPI RtmReleaseDests(RTM_ENTITY_HANDLE, UINT, PRTM_DEST_INFO);
DWORD WINAPI RtmCreateRouteEnum(RTM_ENTITY_HANDLE, RTM_DEST_HANDLE,
	RTM_VIEW_SET, RTM_ENUM_FLAGS, PRTM_NET_ADDRESS, RTM_MATCH_FLAGS,
	PRTM_ROUTE_INFO, ULONG, PRTM_ENUM_HANDLE);
DWORD WINAPI RtmGetEnumRoutes(RTM_ENTITY_HANDLE, RTM_ENUM_HANDLE, PUINT,
	PRTM_ROUTE_HANDLE);
DWORD WINAPI RtmReleaseRoutes(RTM_ENTITY_HANDLE, UINT, PRTM_ROUTE_HANDLE);
DWORD WINAPI RtmCreateNextHopEnum(RTM_ENTITY_HANDLE, RTM_ENUM_FLAGS,
	PRTM_NET_ADDRESS, PRTM_ENUM_HANDLE);
DWORD WINAPI RtmGetEnumNextHops(RTM_ENTITY_HANDLE, RTM_ENUM_HANDLE, PUINT,
	PRTM_NEXTHOP_HANDLE);
DWORD WINAPI RtmReleaseNextHops(RTM_ENTITY_HANDLE, UINT, PRTM_NEXTHOP_HANDLE);
DWORD WINAPI RtmDeleteEnumHandle(RTM_ENTITY_HANDLE, RTM_ENUM_HANDLE);
DWORD WINAPI RtmRegisterForChangeNotification(RTM_ENTITY_HANDLE, RTM_VIEW_SET,
	RTM_NOTIFY_FLAGS, PVOID, PRTM_NOTIFY_HANDLE);
DWORD WINAPI RtmGetChangedDests(RTM_ENTITY_HANDLE, RTM_NOTIFY_HANDLE, PUINT,
	PRTM_DEST_INFO);
DWORD WINAPI RtmReleaseChangedDests(RTM_ENTITY_HANDLE, RTM_NOTIFY_HANDLE, UINT,
	PRTM_DEST_INFO);
DWORD WINAPI RtmIgnoreChangedDests(RTM_ENTITY_HANDLE, RTM_NOTIFY_HANDLE, UINT,
	PRTM_DEST_HANDLE);
DWORD WINAPI RtmGetChangeStatus(RTM_ENTITY_HANDLE, RTM_NOTIFY_HANDLE,
	RTM_DEST_HANDLE, PBOOL);
DWORD WINAPI RtmMarkDestForChangeNotification(RTM_ENTITY_HANDLE,
	RTM_NOTIFY_HANDLE, RTM_DEST_HANDLE, WINBOOL);
DWORD WINAPI RtmIsMarkedForChangeNotification(RTM_ENTITY_HANDLE,
	RTM_NOTIFY_HANDLE, RTM_DEST_HANDLE, PBOOL);
DWORD WINAPI RtmDeregisterFromChangeNotification(RTM_ENTITY_HANDLE,
	RTM_NOTIFY_HANDLE);
DWORD WINAPI RtmCreateRouteList(RTM_ENTITY_HANDLE, PRTM_ROUTE_LIST_HANDLE);
DWORD WINAPI RtmInsertInRouteList(RTM_ENTITY_HANDLE, RTM_ROUTE_LIST_HANDLE,
	UINT, PRTM_ROUTE_HANDLE);
DWORD WINAPI RtmCreateRouteListEnum(RTM_ENTITY_HANDLE, RTM_ROUTE_LIST_HANDLE,
	PRTM_ENUM_HANDLE);
DWORD WINAPI RtmGetListEnumRoutes(RTM_ENTITY_HANDLE, RTM_ENUM_HANDLE, PUINT,
	PRTM_ROUTE_HANDLE);
DWORD WINAPI RtmDeleteRouteList(RTM_ENTITY_HANDLE, RTM_ROUTE_LIST_HANDLE);
DWORD WINAPI RtmReferenceHandles(RTM_ENTITY_HANDLE, UINT, HANDLE *);

typedef void (*any_fn)(void);

#define AS_ANY_FN(name)		(any_fn)name,

static const any_fn rtm_functions[] = {
	RTM_FUNCTIONS(AS_ANY_FN)
};

_Static_assert(sizeof(rtm_functions) / sizeof(rtm_functions[0]) == 57,
	       "RTMv2 has 57 functions");

/* External, so that the table and every reference in it is kept. */
const any_fn *rtm_header_c_functions(unsigned int *count);

const any_fn *
rtm_header_c_functions(unsigned int *count)
{
	*count = sizeof(rtm_functions) / sizeof(rtm_functions[0]);
	return rtm_functions;
}

/*
 * Names and shapes a C client relies on, beyond the functions: the
 * anonymous members of RTM_ENTITY_ID, the callback types, the size macros
 * and the IPv4 macros used as statements and expressions.
 */
static DWORD WINAPI
check_event_callback(RTM_ENTITY_HANDLE RtmRegHandle, RTM_EVENT_TYPE EventType,
		     PVOID Context1, PVOID Context2)
{
	(void)RtmRegHandle;
	(void)Context1;
	(void)Context2;
	return EventType == RTM_CHANGE_NOTIFICATION ? NO_ERROR :
						       ERROR_NOT_SUPPORTED;
}

static VOID WINAPI
check_method(RTM_ENTITY_HANDLE CallerHandle, RTM_ENTITY_HANDLE CalleeHandle,
	     RTM_ENTITY_METHOD_INPUT *Input, RTM_ENTITY_METHOD_OUTPUT *Output)
{
	(void)CallerHandle;
	(void)CalleeHandle;
	(void)Input;
	Output->MethodStatus = NO_ERROR;
}

ULONG rtm_header_c_usage(PRTM_NET_ADDRESS addr, RTM_EVENT_CALLBACK *cb,
			 PRTM_ENTITY_EXPORT_METHODS methods);

ULONG
rtm_header_c_usage(PRTM_NET_ADDRESS addr, RTM_EVENT_CALLBACK *cb,
		   PRTM_ENTITY_EXPORT_METHODS methods)
{
	RTM_ENTITY_INFO info;
	ULONG a, m;
	USHORT len;

	info.EntityId.EntityId = 0;
	info.EntityId.EntityProtocolId = PROTO_IP_OSPF;
	info.EntityId.EntityInstanceId = 1;

	*cb = check_event_callback;
	methods->NumMethods = 1;
	methods->Methods[0] = check_method;

	if (info.EntityId.EntityInstanceId)
		RTM_IPV4_SET_ADDR_AND_LEN(addr, 0, 0);
	else
		RTM_IPV4_SET_ADDR_AND_MASK(addr, 0, RTM_IPV4_MASK_FROM_LEN(8));
	RTM_IPV4_GET_ADDR_AND_LEN(a, len, addr);
	RTM_IPV4_GET_ADDR_AND_MASK(a, m, addr);

	return a + m + len + (ULONG)RTM_SIZE_OF_DEST_INFO(2) +
	       (ULONG)RTM_SIZE_OF_ROUTE_INFO(2) + RTM_ROUTE_FLAGS_ANY_BCAST +
	       RTM_ROUTE_FLAGS_SUBNET_BCAST;
}
