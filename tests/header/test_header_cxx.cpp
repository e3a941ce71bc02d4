/*
 * test_header_cxx.cpp - compile-only check of <rtmv2.h> as C++11.
 *
 * Includes nothing but <rtmv2.h> and refers to all 57 RTMv2 functions.
 * The object is never linked (most functions are not implemented yet); it
 * only has to compile cleanly with g++ and clang++ under -std=c++11 -Wall
 * -Wextra -Werror.  Run "nm" on the object to see that every reference is
 * to an unmangled (extern "C") symbol.
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

namespace {

typedef void (*any_fn)();

#define AS_ANY_FN(name)		reinterpret_cast<any_fn>(&name),

const any_fn rtm_functions[] = {
	RTM_FUNCTIONS(AS_ANY_FN)
};

static_assert(sizeof(rtm_functions) / sizeof(rtm_functions[0]) == 57,
	      "RTMv2 has 57 functions");

template <typename A, typename B> struct same {
	static const bool value = false;
};

template <typename A> struct same<A, A> {
	static const bool value = true;
};

/* The base types are the fixed-width ones, as in C. */
static_assert(same<DWORD, uint32_t>::value, "DWORD is uint32_t");
static_assert(same<ULONG, uint32_t>::value, "ULONG is uint32_t");
static_assert(same<UINT, uint32_t>::value, "UINT is uint32_t");
static_assert(same<ULONGLONG, uint64_t>::value, "ULONGLONG is uint64_t");
static_assert(same<BOOL, int>::value, "BOOL is int");
static_assert(same<WINBOOL, int>::value, "WINBOOL is int");
static_assert(same<HANDLE, void *>::value, "HANDLE is void *");
static_assert(same<RTM_ROUTE_HANDLE, HANDLE>::value, "handles are HANDLE");

/* A C++ compiler must lay the structures out as a C compiler does. */
static_assert(sizeof(RTM_NET_ADDRESS) == 20, "RTM_NET_ADDRESS");
static_assert(sizeof(RTM_DEST_INFO) == 88, "RTM_DEST_INFO");
static_assert(offsetof(RTM_DEST_INFO, ViewInfo) == 48, "ViewInfo");
static_assert(RTM_SIZE_OF_DEST_INFO(2) == 128, "RTM_SIZE_OF_DEST_INFO");
static_assert(sizeof(RTM_ROUTE_INFO) == 64, "RTM_ROUTE_INFO");
static_assert(offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) == 56,
	      "NextHops");
static_assert(RTM_SIZE_OF_ROUTE_INFO(1) == 56,
	      "RTM_SIZE_OF_ROUTE_INFO keeps its Windows value");
static_assert(sizeof(RTM_NEXTHOP_INFO) == 56, "RTM_NEXTHOP_INFO");
static_assert(sizeof(RTM_ENTITY_ID) == 8, "RTM_ENTITY_ID");
static_assert(sizeof(RTM_ENTITY_INFO) == 16, "RTM_ENTITY_INFO");
static_assert(offsetof(RTM_ENTITY_INFO, EntityId) == 8, "EntityId");
static_assert(sizeof(RTM_REGN_PROFILE) == 16, "RTM_REGN_PROFILE");
static_assert(offsetof(RTM_ENTITY_METHOD_INPUT, InputData) == 8,
	      "InputData");
static_assert(offsetof(RTM_ENTITY_METHOD_OUTPUT, OutputData) == 12,
	      "OutputData");
static_assert(sizeof(RTM_EVENT_TYPE) == 4, "RTM_EVENT_TYPE");
static_assert(RTM_ROUTE_FLAGS_SUBNET_BCAST == 0xA000, "SUBNET_BCAST");
static_assert(RTM_ROUTE_FLAGS_ANY_BCAST == 0xF400, "ANY_BCAST");

DWORD WINAPI
event_callback(RTM_ENTITY_HANDLE RtmRegHandle, RTM_EVENT_TYPE EventType,
	       PVOID Context1, PVOID Context2)
{
	(void)RtmRegHandle;
	(void)Context1;
	(void)Context2;
	return EventType == RTM_ROUTE_EXPIRED ? ERROR_NOT_SUPPORTED : NO_ERROR;
}

VOID WINAPI
method(RTM_ENTITY_HANDLE CallerHandle, RTM_ENTITY_HANDLE CalleeHandle,
       RTM_ENTITY_METHOD_INPUT *Input, RTM_ENTITY_METHOD_OUTPUT *Output)
{
	(void)CallerHandle;
	(void)CalleeHandle;
	(void)Input;
	Output->MethodStatus = NO_ERROR;
}

} /* namespace */

/* External, so that the table and every reference in it is kept. */
const void *rtm_header_cxx_functions(unsigned int *count);

const void *
rtm_header_cxx_functions(unsigned int *count)
{
	*count = sizeof(rtm_functions) / sizeof(rtm_functions[0]);
	return rtm_functions;
}

/* The anonymous members, callback types and macros, used from C++. */
ULONG rtm_header_cxx_usage(PRTM_NET_ADDRESS addr, RTM_EVENT_CALLBACK *cb,
			   PRTM_ENTITY_EXPORT_METHODS methods);

ULONG
rtm_header_cxx_usage(PRTM_NET_ADDRESS addr, RTM_EVENT_CALLBACK *cb,
		     PRTM_ENTITY_EXPORT_METHODS methods)
{
	RTM_ENTITY_INFO info = RTM_ENTITY_INFO();
	ULONG a, m;
	USHORT len;

	info.EntityId.EntityId = 0;
	info.EntityId.EntityProtocolId = PROTO_IP_BGP;
	info.EntityId.EntityInstanceId = 1;

	*cb = event_callback;
	methods->NumMethods = 1;
	methods->Methods[0] = method;

	if (info.EntityId.EntityInstanceId)
		RTM_IPV4_SET_ADDR_AND_LEN(addr, 0, 0);
	else
		RTM_IPV4_SET_ADDR_AND_MASK(addr, 0, RTM_IPV4_MASK_FROM_LEN(8));
	RTM_IPV4_GET_ADDR_AND_LEN(a, len, addr);
	RTM_IPV4_GET_ADDR_AND_MASK(a, m, addr);

	return a + m + len + RTM_THIS_PROTOCOL;
}
