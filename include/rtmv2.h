/*
 * rtmv2.h - Routing Table Manager version 2 (RTMv2) API for Linux.
 *
 * Source-compatible with the Windows <rtmv2.h>: every type, structure,
 * constant, macro and function has the Windows name and value, and on
 * x86-64 Linux the structures have the same size and layout as on x64
 * Windows (the 32-bit base types come from <rtm/wintypes.h>).
 *
 * A few macros of the Windows header are broken; they are corrected here
 * where that does not change any size, offset or value a client could have
 * compiled in.  Each correction is marked "Fixed:" below.
 * RTM_SIZE_OF_ROUTE_INFO is also wrong but is kept as it is; see the
 * comment next to it and RTMX_SIZE_OF_ROUTE_INFO in <rtm/rtmx.h>.
 *
 * Address families: AF_INET is 2 on both systems, but AF_INET6 is 10 on
 * Linux and 23 on Windows.  Use the AF_* macros, never the numbers.
 */
#ifndef LIBRTM_RTMV2_H
#define LIBRTM_RTMV2_H

#include <rtm/wintypes.h>

#include <string.h>		/* memcpy, for the IPv4 macros */
#include <sys/socket.h>		/* AF_INET */
#include <arpa/inet.h>		/* htonl, ntohl */

/*
 * RTM_API marks the exported functions, so that the library itself can be
 * built with -fvisibility=hidden.  A build may predefine it.
 */
#ifndef RTM_API
#if defined(__GNUC__) || defined(__clang__)
#define RTM_API		__attribute__((visibility("default")))
#else
#define RTM_API
#endif
#endif

/*
 * RTM_ENTITY_ID needs an anonymous struct inside an anonymous union.  That
 * is standard C11 but only a (GNU and MSVC) extension in C++.  __extension__
 * keeps g++ quiet about it under -pedantic; clang++ also wants its
 * "anonymous type in anonymous union" warning switched off around it.
 */
#if defined(__cplusplus) && defined(__clang__)
#define RTM_ANON_EXTENSION	__extension__
#define RTM_ANON_BEGIN							\
	_Pragma("clang diagnostic push")				\
	_Pragma("clang diagnostic ignored \"-Wnested-anon-types\"")	\
	_Pragma("clang diagnostic ignored \"-Wgnu-anonymous-struct\"")
#define RTM_ANON_END	_Pragma("clang diagnostic pop")
#elif defined(__cplusplus) && defined(__GNUC__)
#define RTM_ANON_EXTENSION	__extension__
#define RTM_ANON_BEGIN
#define RTM_ANON_END
#else
#define RTM_ANON_EXTENSION
#define RTM_ANON_BEGIN
#define RTM_ANON_END
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------- */
/* Views and registration profile                                         */
/* ---------------------------------------------------------------------- */

/* Longest address the RTM stores (an IPv6 address), in bytes. */
#define RTM_MAX_ADDRESS_SIZE		16

/* Most views a routing table can have. */
#define RTM_MAX_VIEWS			32

/* View identifiers. */
#define RTM_VIEW_ID_UCAST		0
#define RTM_VIEW_ID_MCAST		1

/* View masks: bit n stands for view id n. */
#define RTM_VIEW_MASK_SIZE		0x20
#define RTM_VIEW_MASK_NONE		0x00000000
#define RTM_VIEW_MASK_ANY		0x00000000
#define RTM_VIEW_MASK_UCAST		0x00000001
#define RTM_VIEW_MASK_MCAST		0x00000002
#define RTM_VIEW_MASK_ALL		0xFFFFFFFF

typedef INT RTM_VIEW_ID, *PRTM_VIEW_ID;
typedef DWORD RTM_VIEW_SET, *PRTM_VIEW_SET;

/* What the RTM supports, reported to an entity when it registers. */
typedef struct _RTM_REGN_PROFILE {
	UINT		MaxNextHopsInRoute;
	UINT		MaxHandlesInEnum;
	RTM_VIEW_SET	ViewsSupported;
	UINT		NumberOfViews;
} RTM_REGN_PROFILE, *PRTM_REGN_PROFILE;

/* Opaque handles to the RTM's objects. */
typedef HANDLE RTM_ENTITY_HANDLE, *PRTM_ENTITY_HANDLE;
typedef HANDLE RTM_DEST_HANDLE, *PRTM_DEST_HANDLE;
typedef HANDLE RTM_ROUTE_HANDLE, *PRTM_ROUTE_HANDLE;
typedef HANDLE RTM_NEXTHOP_HANDLE, *PRTM_NEXTHOP_HANDLE;
typedef HANDLE RTM_ENUM_HANDLE, *PRTM_ENUM_HANDLE;
typedef HANDLE RTM_ROUTE_LIST_HANDLE, *PRTM_ROUTE_LIST_HANDLE;
typedef HANDLE RTM_NOTIFY_HANDLE, *PRTM_NOTIFY_HANDLE;

/* ---------------------------------------------------------------------- */
/* Network addresses                                                      */
/* ---------------------------------------------------------------------- */

/*
 * A prefix of any address family: the first NumBits bits of AddrBits,
 * most significant first (network byte order).
 */
typedef struct _RTM_NET_ADDRESS {
	USHORT		AddressFamily;
	USHORT		NumBits;
	UCHAR		AddrBits[RTM_MAX_ADDRESS_SIZE];
} RTM_NET_ADDRESS, *PRTM_NET_ADDRESS;

/*
 * IPv4 helpers.  Addr and Mask are 32-bit values in network byte order, as
 * in struct in_addr; Len is a prefix length from 0 to 32.
 *
 * Fixed:
 *  - the statement macros expand to a single statement (do { } while (0)),
 *    so they can follow an "if" or "else" without braces;
 *  - RTM_IPV4_MASK_FROM_LEN is an expression with no trailing semicolon,
 *    shifts only unsigned values by less than their width, and evaluates
 *    Len once;
 *  - the address is copied with memcpy rather than through a cast ULONG
 *    pointer, because AddrBits is only 2-byte aligned and a UCHAR array;
 *  - RTM_IPV4_LEN_FROM_MASK works on a 32-bit temporary.  For a contiguous
 *    mask it gives the prefix length; in general it gives the position of
 *    the lowest set bit, counted from the top (32 minus the number of
 *    trailing zero bits), which is what the Windows macro computes too.
 */

/* If bit N of Value is set, add N to Len and shift Value left by N. */
#define RTM_CHECK_NTH_BIT(Value, N, Len)				\
	do {								\
		if ((Value) & ((ULONG)1 << (N))) {			\
			(Len) += (N);					\
			(Value) <<= (N);				\
		}							\
	} while (0)

/* Len = prefix length of the network-order mask Mask. */
#define RTM_IPV4_LEN_FROM_MASK(Len, Mask)				\
	do {								\
		ULONG rtm_lfm_bits_ = ntohl(Mask);			\
									\
		(Len) = 0;						\
		while (rtm_lfm_bits_ != 0) {				\
			(Len) += 1;					\
			rtm_lfm_bits_ <<= 1;				\
		}							\
	} while (0)

/* The network-order mask of a Len-bit prefix (Len 0 gives 0). */
#define RTM_IPV4_MASK_FROM_LEN(Len)					\
	htonl((ULONG)((~(ULONGLONG)0 << 32) >> (Len)))

/* Store the IPv4 prefix Addr/Len in *NetAddress. */
#define RTM_IPV4_SET_ADDR_AND_LEN(NetAddress, Addr, Len)		\
	do {								\
		ULONG rtm_sal_addr_ = (Addr);				\
									\
		(NetAddress)->AddressFamily = AF_INET;			\
		(NetAddress)->NumBits = (USHORT)(Len);			\
		memcpy((NetAddress)->AddrBits, &rtm_sal_addr_,		\
		       sizeof(rtm_sal_addr_));				\
	} while (0)

/* Read the IPv4 prefix in *NetAddress into Addr and Len. */
#define RTM_IPV4_GET_ADDR_AND_LEN(Addr, Len, NetAddress)		\
	do {								\
		ULONG rtm_gal_addr_;					\
									\
		(Len) = (NetAddress)->NumBits;				\
		memcpy(&rtm_gal_addr_, (NetAddress)->AddrBits,		\
		       sizeof(rtm_gal_addr_));				\
		(Addr) = rtm_gal_addr_;					\
	} while (0)

/* Store the IPv4 prefix Addr with network mask Mask in *NetAddress. */
#define RTM_IPV4_SET_ADDR_AND_MASK(NetAddress, Addr, Mask)		\
	do {								\
		ULONG rtm_sam_addr_ = (Addr);				\
									\
		(NetAddress)->AddressFamily = AF_INET;			\
		memcpy((NetAddress)->AddrBits, &rtm_sam_addr_,		\
		       sizeof(rtm_sam_addr_));				\
		RTM_IPV4_LEN_FROM_MASK((NetAddress)->NumBits, Mask);	\
	} while (0)

/* Read the IPv4 prefix in *NetAddress into Addr and network mask Mask. */
#define RTM_IPV4_GET_ADDR_AND_MASK(Addr, Mask, NetAddress)		\
	do {								\
		ULONG rtm_gam_addr_;					\
									\
		memcpy(&rtm_gam_addr_, (NetAddress)->AddrBits,		\
		       sizeof(rtm_gam_addr_));				\
		(Addr) = rtm_gam_addr_;					\
		(Mask) = RTM_IPV4_MASK_FROM_LEN((NetAddress)->NumBits);	\
	} while (0)

/* Same as RTM_IPV4_SET_ADDR_AND_LEN. */
#define RTM_IPV4_MAKE_NET_ADDRESS(NetAddress, Addr, Len)		\
	RTM_IPV4_SET_ADDR_AND_LEN(NetAddress, Addr, Len)

/* ---------------------------------------------------------------------- */
/* Destinations                                                           */
/* ---------------------------------------------------------------------- */

/* Route preference: a lower Preference wins, then a lower Metric. */
typedef struct _RTM_PREF_INFO {
	ULONG		Metric;
	ULONG		Preference;
} RTM_PREF_INFO, *PRTM_PREF_INFO;

/* Next hops of a route; NextHops really has NumNextHops elements. */
typedef struct _RTM_NEXTHOP_LIST {
	USHORT			NumNextHops;
	RTM_NEXTHOP_HANDLE	NextHops[1];
} RTM_NEXTHOP_LIST, *PRTM_NEXTHOP_LIST;

/*
 * A destination and its best route in each requested view.  ViewInfo
 * really has NumberOfViews elements; allocate RTM_SIZE_OF_DEST_INFO(n).
 */
typedef struct _RTM_DEST_INFO {
	RTM_DEST_HANDLE		DestHandle;
	RTM_NET_ADDRESS		DestAddress;
	FILETIME		LastChanged;
	RTM_VIEW_SET		BelongsToViews;
	UINT			NumberOfViews;
	struct {
		RTM_VIEW_ID		ViewId;
		UINT			NumRoutes;
		RTM_ROUTE_HANDLE	Route;
		RTM_ENTITY_HANDLE	Owner;
		DWORD			DestFlags;
		RTM_ROUTE_HANDLE	HoldRoute;
	} ViewInfo[1];
} RTM_DEST_INFO, *PRTM_DEST_INFO;

/* Bytes of RTM_DEST_INFO before ViewInfo (48 on x86-64). */
#define RTM_BASIC_DEST_INFO_SIZE	offsetof(RTM_DEST_INFO, ViewInfo)
/* Bytes of one ViewInfo element (40 on x86-64). */
#define RTM_DEST_VIEW_INFO_SIZE		\
	(sizeof(RTM_DEST_INFO) - RTM_BASIC_DEST_INFO_SIZE)
/* Bytes of an RTM_DEST_INFO with NumViews ViewInfo elements. */
#define RTM_SIZE_OF_DEST_INFO(NumViews)	\
	(RTM_BASIC_DEST_INFO_SIZE + (NumViews) * RTM_DEST_VIEW_INFO_SIZE)

/* Destination flags (RTM_DEST_INFO.ViewInfo[].DestFlags). */
#define RTM_DEST_FLAG_NATURAL_NET	0x01
#define RTM_DEST_FLAG_FWD_ENGIN_ADD	0x02
#define RTM_DEST_FLAG_DONT_FORWARD	0x04

/* ---------------------------------------------------------------------- */
/* Routes                                                                 */
/* ---------------------------------------------------------------------- */

/*
 * A route.  NextHopsList.NextHops really has NextHopsList.NumNextHops
 * elements; see RTM_SIZE_OF_ROUTE_INFO about sizing it.
 */
typedef struct _RTM_ROUTE_INFO {
	RTM_DEST_HANDLE		DestHandle;
	RTM_ENTITY_HANDLE	RouteOwner;
	RTM_NEXTHOP_HANDLE	Neighbour;
	UCHAR			State;
	UCHAR			Flags1;
	USHORT			Flags;
	RTM_PREF_INFO		PrefInfo;
	RTM_VIEW_SET		BelongsToViews;
	PVOID			EntitySpecificInfo;
	RTM_NEXTHOP_LIST	NextHopsList;
} RTM_ROUTE_INFO, *PRTM_ROUTE_INFO;

/*
 * Header bug, kept on purpose: RTM_BASIC_ROUTE_INFO_SIZE is the offset of
 * NextHopsList.NumNextHops (48 on x86-64), but NextHops[0] starts at 56
 * because of the padding after the USHORT count.  RTM_SIZE_OF_ROUTE_INFO(n)
 * is therefore 8 bytes too small and only has room for n - 1 next hops.
 * It keeps its Windows value so that code which uses it compiles and
 * behaves as on Windows.  Allocate RTM_SIZE_OF_ROUTE_INFO(n + 1), or
 * RTMX_SIZE_OF_ROUTE_INFO(n) from <rtm/rtmx.h>, for n next hops.
 */
#define RTM_BASIC_ROUTE_INFO_SIZE	\
	offsetof(RTM_ROUTE_INFO, NextHopsList.NumNextHops)
#define RTM_SIZE_OF_ROUTE_INFO(NumHops)	\
	(RTM_BASIC_ROUTE_INFO_SIZE + (NumHops) * sizeof(RTM_NEXTHOP_HANDLE))

/* Route states (RTM_ROUTE_INFO.State). */
#define RTM_ROUTE_STATE_CREATED		0
#define RTM_ROUTE_STATE_DELETING	1
#define RTM_ROUTE_STATE_DELETED		2

/* Route flags (RTM_ROUTE_INFO.Flags): forwarding behaviour. */
#define RTM_ROUTE_FLAGS_MARTIAN		0x0001
#define RTM_ROUTE_FLAGS_BLACKHOLE	0x0002
#define RTM_ROUTE_FLAGS_DISCARD		0x0004
#define RTM_ROUTE_FLAGS_INACTIVE	0x0008

/* Route flags: unicast route kinds. */
#define RTM_ROUTE_FLAGS_LOCAL		0x0010
#define RTM_ROUTE_FLAGS_REMOTE		0x0020
#define RTM_ROUTE_FLAGS_MYSELF		0x0040

#define RTM_ROUTE_FLAGS_LOOPBACK	0x0080

/* Route flags: multicast route kinds. */
#define RTM_ROUTE_FLAGS_MCAST		0x0100
#define RTM_ROUTE_FLAGS_LOCAL_MCAST	0x0200

/* Route flags: broadcast route kinds. */
#define RTM_ROUTE_FLAGS_LIMITED_BC	0x0400

#define RTM_ROUTE_FLAGS_ZEROS_NETBC	0x1000
#define RTM_ROUTE_FLAGS_ZEROS_SUBNETBC	0x2000
#define RTM_ROUTE_FLAGS_ONES_NETBC	0x4000
#define RTM_ROUTE_FLAGS_ONES_SUBNETBC	0x8000

/* Route flag groups. */
#define RTM_ROUTE_FLAGS_FORWARDING					\
	(RTM_ROUTE_FLAGS_MARTIAN | RTM_ROUTE_FLAGS_BLACKHOLE |		\
	 RTM_ROUTE_FLAGS_DISCARD | RTM_ROUTE_FLAGS_INACTIVE)
#define RTM_ROUTE_FLAGS_ANY_UNICAST					\
	(RTM_ROUTE_FLAGS_LOCAL | RTM_ROUTE_FLAGS_REMOTE |		\
	 RTM_ROUTE_FLAGS_MYSELF)
#define RTM_ROUTE_FLAGS_ANY_MCAST					\
	(RTM_ROUTE_FLAGS_MCAST | RTM_ROUTE_FLAGS_LOCAL_MCAST)
/*
 * Fixed: the Windows header spells ONES_SUBNETBC as "ONES_SUBNET_BC" in
 * the next two macros, a name it never defines, so neither compiled.
 */
#define RTM_ROUTE_FLAGS_SUBNET_BCAST					\
	(RTM_ROUTE_FLAGS_ONES_SUBNETBC | RTM_ROUTE_FLAGS_ZEROS_SUBNETBC)
#define RTM_ROUTE_FLAGS_NET_BCAST					\
	(RTM_ROUTE_FLAGS_ONES_NETBC | RTM_ROUTE_FLAGS_ZEROS_NETBC)
#define RTM_ROUTE_FLAGS_ANY_BCAST					\
	(RTM_ROUTE_FLAGS_LIMITED_BC | RTM_ROUTE_FLAGS_ONES_NETBC |	\
	 RTM_ROUTE_FLAGS_ONES_SUBNETBC | RTM_ROUTE_FLAGS_ZEROS_NETBC |	\
	 RTM_ROUTE_FLAGS_ZEROS_SUBNETBC)

/* ---------------------------------------------------------------------- */
/* Next hops                                                              */
/* ---------------------------------------------------------------------- */

/* A next hop, identified per owner by (NextHopAddress, InterfaceIndex). */
typedef struct _RTM_NEXTHOP_INFO {
	RTM_NET_ADDRESS		NextHopAddress;
	RTM_ENTITY_HANDLE	NextHopOwner;
	ULONG			InterfaceIndex;
	USHORT			State;
	USHORT			Flags;
	PVOID			EntitySpecificInfo;
	RTM_DEST_HANDLE		RemoteNextHop;
} RTM_NEXTHOP_INFO, *PRTM_NEXTHOP_INFO;

/* Next-hop states (RTM_NEXTHOP_INFO.State). */
#define RTM_NEXTHOP_STATE_CREATED	0
#define RTM_NEXTHOP_STATE_DELETED	1

/* Next-hop flags (RTM_NEXTHOP_INFO.Flags). */
#define RTM_NEXTHOP_FLAGS_REMOTE	0x0001
#define RTM_NEXTHOP_FLAGS_DOWN		0x0002

/* ---------------------------------------------------------------------- */
/* Entities (clients), events and methods                                 */
/* ---------------------------------------------------------------------- */

/* Who an entity is: protocol and instance, or both as one 64-bit value. */
RTM_ANON_BEGIN
typedef struct _RTM_ENTITY_ID {
	union {
		RTM_ANON_EXTENSION struct {
			ULONG	EntityProtocolId;
			ULONG	EntityInstanceId;
		};
		ULONGLONG	EntityId;
	};
} RTM_ENTITY_ID, *PRTM_ENTITY_ID;
RTM_ANON_END

#undef RTM_ANON_EXTENSION
#undef RTM_ANON_BEGIN
#undef RTM_ANON_END

/* An entity's identity within an RTM instance and address family. */
typedef struct _RTM_ENTITY_INFO {
	USHORT		RtmInstanceId;
	USHORT		AddressFamily;
	RTM_ENTITY_ID	EntityId;
} RTM_ENTITY_INFO, *PRTM_ENTITY_INFO;

/* Events passed to an entity's RTM_EVENT_CALLBACK. */
typedef enum _RTM_EVENT_TYPE {
	RTM_ENTITY_REGISTERED	= 0,
	RTM_ENTITY_DEREGISTERED	= 1,
	RTM_ROUTE_EXPIRED	= 2,
	RTM_CHANGE_NOTIFICATION	= 3
} RTM_EVENT_TYPE, *PRTM_EVENT_TYPE;

/* Called by the RTM to tell an entity about an event. */
typedef DWORD (WINAPI *_EVENT_CALLBACK)(RTM_ENTITY_HANDLE RtmRegHandle,
					RTM_EVENT_TYPE EventType,
					PVOID Context1, PVOID Context2);

typedef _EVENT_CALLBACK RTM_EVENT_CALLBACK, *PRTM_EVENT_CALLBACK;

/* Selects every method of an entity in RTM_ENTITY_METHOD_INPUT. */
#define METHOD_TYPE_ALL_METHODS		0xFFFFFFFF

/* Method ids of the RIPv2 protocol. */
#define METHOD_RIP2_NEIGHBOUR_ADDR	0x00000001
#define METHOD_RIP2_OUTBOUND_INTF	0x00000002
#define METHOD_RIP2_ROUTE_TAG		0x00000004
#define METHOD_RIP2_ROUTE_TIMESTAMP	0x00000008

/* Method ids of the OSPF protocol. */
#define METHOD_OSPF_ROUTE_TYPE		0x00000001
#define METHOD_OSPF_ROUTE_METRIC	0x00000002
#define METHOD_OSPF_LSDB_TYPE		0x00000004
#define METHOD_OSPF_ROUTE_TAG		0x00000008
#define METHOD_OSPF_ROUTE_AREA		0x00000010
#define METHOD_OSPF_FWD_ADDRESS		0x00000020

/* Method ids of the BGP4 protocol. */
#define METHOD_BGP4_AS_PATH		0x00000001
#define METHOD_BGP4_PEER_ID		0x00000002
#define METHOD_BGP4_PA_ORIGIN		0x00000004
#define METHOD_BGP4_NEXTHOP_ATTR	0x00000008

typedef DWORD RTM_ENTITY_METHOD_TYPE, *PRTM_ENTITY_METHOD_TYPE;

/* Input of a method call; InputData really has InputSize bytes. */
typedef struct _RTM_ENTITY_METHOD_INPUT {
	RTM_ENTITY_METHOD_TYPE	MethodType;
	UINT			InputSize;
	UCHAR			InputData[1];
} RTM_ENTITY_METHOD_INPUT, *PRTM_ENTITY_METHOD_INPUT;

/* Output of a method call; OutputData really has OutputSize bytes. */
typedef struct _RTM_ENTITY_METHOD_OUTPUT {
	RTM_ENTITY_METHOD_TYPE	MethodType;
	DWORD			MethodStatus;
	UINT			OutputSize;
	UCHAR			OutputData[1];
} RTM_ENTITY_METHOD_OUTPUT, *PRTM_ENTITY_METHOD_OUTPUT;

/* A method an entity exports to the others (called via RtmInvokeMethod). */
typedef VOID (WINAPI *_ENTITY_METHOD)(RTM_ENTITY_HANDLE CallerHandle,
				      RTM_ENTITY_HANDLE CalleeHandle,
				      RTM_ENTITY_METHOD_INPUT *Input,
				      RTM_ENTITY_METHOD_OUTPUT *Output);

typedef _ENTITY_METHOD RTM_ENTITY_EXPORT_METHOD, *PRTM_ENTITY_EXPORT_METHOD;

/* The methods an entity exports; Methods really has NumMethods elements. */
typedef struct _RTM_ENTITY_EXPORT_METHODS {
	UINT				NumMethods;
	RTM_ENTITY_EXPORT_METHOD	Methods[1];
} RTM_ENTITY_EXPORT_METHODS, *PRTM_ENTITY_EXPORT_METHODS;

/* RtmBlockMethods BlockingFlag values. */
#define RTM_RESUME_METHODS		0
#define RTM_BLOCK_METHODS		1

/* ---------------------------------------------------------------------- */
/* Change, match, enumeration and notification flags                      */
/* ---------------------------------------------------------------------- */

typedef DWORD RTM_ROUTE_CHANGE_FLAGS, *PRTM_ROUTE_CHANGE_FLAGS;

/* Route change flags (RtmAddRouteToDest and friends). */
#define RTM_ROUTE_CHANGE_FIRST		0x01
#define RTM_ROUTE_CHANGE_NEW		0x02
#define RTM_ROUTE_CHANGE_BEST		0x00010000

typedef DWORD RTM_NEXTHOP_CHANGE_FLAGS, *PRTM_NEXTHOP_CHANGE_FLAGS;

/* Next-hop change flags (RtmAddNextHop). */
#define RTM_NEXTHOP_CHANGE_NEW		0x01

typedef DWORD RTM_MATCH_FLAGS, *PRTM_MATCH_FLAGS;

/* Route fields compared by RtmGetExactMatchRoute and RtmCreateRouteEnum. */
#define RTM_MATCH_NONE			0x00000000
#define RTM_MATCH_OWNER			0x00000001
#define RTM_MATCH_NEIGHBOUR		0x00000002
#define RTM_MATCH_PREF			0x00000004
#define RTM_MATCH_NEXTHOP		0x00000008
#define RTM_MATCH_INTERFACE		0x00000010
#define RTM_MATCH_FULL			0x0000FFFF

/* ProtocolId values: best route of any protocol, or of the caller's. */
#define RTM_BEST_PROTOCOL		((ULONG)0)
#define RTM_THIS_PROTOCOL		((ULONG)~(ULONG)0)

typedef DWORD RTM_ENUM_FLAGS, *PRTM_ENUM_FLAGS;

/* Where an enumeration starts and stops. */
#define RTM_ENUM_START			0x00000000
#define RTM_ENUM_NEXT			0x00000001
#define RTM_ENUM_RANGE			0x00000002

/* Destination enumeration filter. */
#define RTM_ENUM_ALL_DESTS		0x00000000
#define RTM_ENUM_OWN_DESTS		0x01000000

/* Route enumeration filter. */
#define RTM_ENUM_ALL_ROUTES		0x00000000
#define RTM_ENUM_OWN_ROUTES		0x00010000

typedef DWORD RTM_NOTIFY_FLAGS, *PRTM_NOTIFY_FLAGS;

/* Kinds of change a client can ask to be notified of. */
#define RTM_NUM_CHANGE_TYPES		3

#define RTM_CHANGE_TYPE_ALL		0x0001
#define RTM_CHANGE_TYPE_BEST		0x0002
#define RTM_CHANGE_TYPE_FORWARDING	0x0004

#define RTM_NOTIFY_ONLY_MARKED_DESTS	0x00010000

/* ---------------------------------------------------------------------- */
/* Functions                                                              */
/* ---------------------------------------------------------------------- */

/* Register an entity (a client) with an RTM instance. */
RTM_API DWORD WINAPI RtmRegisterEntity(PRTM_ENTITY_INFO RtmEntityInfo,
	PRTM_ENTITY_EXPORT_METHODS ExportMethods,
	RTM_EVENT_CALLBACK EventCallback, WINBOOL ReserveOpaquePointer,
	PRTM_REGN_PROFILE RtmRegProfile, PRTM_ENTITY_HANDLE RtmRegHandle);

/* Deregister an entity; its handle is invalid afterwards. */
RTM_API DWORD WINAPI RtmDeregisterEntity(RTM_ENTITY_HANDLE RtmRegHandle);

/* Get the handles and information of all entities of the caller's table. */
RTM_API DWORD WINAPI RtmGetRegisteredEntities(RTM_ENTITY_HANDLE RtmRegHandle,
	PUINT NumEntities, PRTM_ENTITY_HANDLE EntityHandles,
	PRTM_ENTITY_INFO EntityInfos);

/* Release entity handles returned by RtmGetRegisteredEntities. */
RTM_API DWORD WINAPI RtmReleaseEntities(RTM_ENTITY_HANDLE RtmRegHandle,
	UINT NumEntities, PRTM_ENTITY_HANDLE EntityHandles);

/* Lock or unlock a destination, shared or exclusive. */
RTM_API DWORD WINAPI RtmLockDestination(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_DEST_HANDLE DestHandle, WINBOOL Exclusive, WINBOOL LockDest);

/* Get the address of the caller's opaque pointer slot in a destination. */
RTM_API DWORD WINAPI RtmGetOpaqueInformationPointer(
	RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
	PVOID *OpaqueInfoPointer);

/* Get the methods another entity exports (or only their number). */
RTM_API DWORD WINAPI RtmGetEntityMethods(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ENTITY_HANDLE EntityHandle, PUINT NumMethods,
	PRTM_ENTITY_EXPORT_METHOD ExptMethods);

/* Call methods exported by another entity. */
RTM_API DWORD WINAPI RtmInvokeMethod(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ENTITY_HANDLE EntityHandle, PRTM_ENTITY_METHOD_INPUT Input,
	PUINT OutputSize, PRTM_ENTITY_METHOD_OUTPUT Output);

/* Block or resume calls to the caller's exported methods. */
RTM_API DWORD WINAPI RtmBlockMethods(RTM_ENTITY_HANDLE RtmRegHandle,
	HANDLE TargetHandle, UCHAR TargetType, DWORD BlockingFlag);

/* Get the information of an entity. */
RTM_API DWORD WINAPI RtmGetEntityInfo(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ENTITY_HANDLE EntityHandle, PRTM_ENTITY_INFO EntityInfo);

/* Get the information of a destination for the given views. */
RTM_API DWORD WINAPI RtmGetDestInfo(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_DEST_HANDLE DestHandle, ULONG ProtocolId,
	RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo);

/* Get a copy of a route's information and its destination's address. */
RTM_API DWORD WINAPI RtmGetRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ROUTE_HANDLE RouteHandle, PRTM_ROUTE_INFO RouteInfo,
	PRTM_NET_ADDRESS DestAddress);

/* Get a copy of a next hop's information. */
RTM_API DWORD WINAPI RtmGetNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_INFO NextHopInfo);

/* Release an entity information structure (it holds no handles). */
RTM_API DWORD WINAPI RtmReleaseEntityInfo(RTM_ENTITY_HANDLE RtmRegHandle,
	PRTM_ENTITY_INFO EntityInfo);

/* Release the handles held in a destination information structure. */
RTM_API DWORD WINAPI RtmReleaseDestInfo(RTM_ENTITY_HANDLE RtmRegHandle,
	PRTM_DEST_INFO DestInfo);

/* Release the handles held in a route information structure. */
RTM_API DWORD WINAPI RtmReleaseRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle,
	PRTM_ROUTE_INFO RouteInfo);

/* Release the handles held in a next-hop information structure. */
RTM_API DWORD WINAPI RtmReleaseNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle,
	PRTM_NEXTHOP_INFO NextHopInfo);

/* Add a route to a destination, or update an existing route. */
RTM_API DWORD WINAPI RtmAddRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle,
	PRTM_ROUTE_HANDLE RouteHandle, PRTM_NET_ADDRESS DestAddress,
	PRTM_ROUTE_INFO RouteInfo, ULONG TimeToLive,
	RTM_ROUTE_LIST_HANDLE RouteListHandle, RTM_NOTIFY_FLAGS NotifyType,
	RTM_NOTIFY_HANDLE NotifyHandle, PRTM_ROUTE_CHANGE_FLAGS ChangeFlags);

/* Delete one of the caller's routes (consumes the handle's reference). */
RTM_API DWORD WINAPI RtmDeleteRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ROUTE_HANDLE RouteHandle, PRTM_ROUTE_CHANGE_FLAGS ChangeFlags);

/* Arm hold-down for a destination's views, for HoldTime milliseconds. */
RTM_API DWORD WINAPI RtmHoldDestination(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_DEST_HANDLE DestHandle, RTM_VIEW_SET TargetViews, ULONG HoldTime);

/* Get a read-only pointer to the RTM's copy of a caller's route. */
RTM_API DWORD WINAPI RtmGetRoutePointer(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ROUTE_HANDLE RouteHandle, PRTM_ROUTE_INFO *RoutePointer);

/* Lock or unlock one of the caller's routes for an in-place update. */
RTM_API DWORD WINAPI RtmLockRoute(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ROUTE_HANDLE RouteHandle, WINBOOL Exclusive, WINBOOL LockRoute,
	PRTM_ROUTE_INFO *RoutePointer);

/* Commit an in-place route update and unlock the route. */
RTM_API DWORD WINAPI RtmUpdateAndUnlockRoute(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ROUTE_HANDLE RouteHandle, ULONG TimeToLive,
	RTM_ROUTE_LIST_HANDLE RouteListHandle, RTM_NOTIFY_FLAGS NotifyType,
	RTM_NOTIFY_HANDLE NotifyHandle, PRTM_ROUTE_CHANGE_FLAGS ChangeFlags);

/* Find the destination with exactly the given prefix. */
RTM_API DWORD WINAPI RtmGetExactMatchDestination(
	RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
	ULONG ProtocolId, RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo);

/* Find the destination with the longest prefix covering an address. */
RTM_API DWORD WINAPI RtmGetMostSpecificDestination(
	RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
	ULONG ProtocolId, RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo);

/* Find the next shorter prefix that covers a destination. */
RTM_API DWORD WINAPI RtmGetLessSpecificDestination(
	RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
	ULONG ProtocolId, RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo);

/* Find a route of a destination that matches the given criteria. */
RTM_API DWORD WINAPI RtmGetExactMatchRoute(RTM_ENTITY_HANDLE RtmRegHandle,
	PRTM_NET_ADDRESS DestAddress, RTM_MATCH_FLAGS MatchingFlags,
	PRTM_ROUTE_INFO RouteInfo, ULONG InterfaceIndex,
	RTM_VIEW_SET TargetViews, PRTM_ROUTE_HANDLE RouteHandle);

/* Get the set of views in which a route is the best route. */
RTM_API DWORD WINAPI RtmIsBestRoute(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ROUTE_HANDLE RouteHandle, PRTM_VIEW_SET BestInViews);

/* Add a next hop to the caller's next-hop table, or update one. */
RTM_API DWORD WINAPI RtmAddNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
	PRTM_NEXTHOP_INFO NextHopInfo, PRTM_NEXTHOP_HANDLE NextHopHandle,
	PRTM_NEXTHOP_CHANGE_FLAGS ChangeFlags);

/* Find a next hop in the caller's next-hop table. */
RTM_API DWORD WINAPI RtmFindNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
	PRTM_NEXTHOP_INFO NextHopInfo, PRTM_NEXTHOP_HANDLE NextHopHandle,
	PRTM_NEXTHOP_INFO *NextHopPointer);

/* Delete one of the caller's next hops, by handle or by information. */
RTM_API DWORD WINAPI RtmDeleteNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_INFO NextHopInfo);

/* Get a read-only pointer to the RTM's copy of a caller's next hop. */
RTM_API DWORD WINAPI RtmGetNextHopPointer(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_INFO *NextHopPointer);

/* Lock or unlock one of the caller's next hops for an in-place update. */
RTM_API DWORD WINAPI RtmLockNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_NEXTHOP_HANDLE NextHopHandle, WINBOOL Exclusive,
	WINBOOL LockNextHop, PRTM_NEXTHOP_INFO *NextHopPointer);

/* Start an enumeration of destinations. */
RTM_API DWORD WINAPI RtmCreateDestEnum(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_VIEW_SET TargetViews, RTM_ENUM_FLAGS EnumFlags,
	PRTM_NET_ADDRESS NetAddress, ULONG ProtocolId,
	PRTM_ENUM_HANDLE RtmEnumHandle);

/* Get the next batch of destinations of a destination enumeration. */
RTM_API DWORD WINAPI RtmGetEnumDests(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ENUM_HANDLE EnumHandle, PUINT NumDests, PRTM_DEST_INFO DestInfos);

/* Release destination information returned by RtmGetEnumDests. */
RTM_API DWORD WINAPI RtmReleaseDests(RTM_ENTITY_HANDLE RtmRegHandle,
	UINT NumDests, PRTM_DEST_INFO DestInfos);

/* Start an enumeration of routes. */
RTM_API DWORD WINAPI RtmCreateRouteEnum(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_DEST_HANDLE DestHandle, RTM_VIEW_SET TargetViews,
	RTM_ENUM_FLAGS EnumFlags, PRTM_NET_ADDRESS StartDest,
	RTM_MATCH_FLAGS MatchingFlags, PRTM_ROUTE_INFO CriteriaRoute,
	ULONG CriteriaInterface, PRTM_ENUM_HANDLE RtmEnumHandle);

/* Get the next batch of route handles of a route enumeration. */
RTM_API DWORD WINAPI RtmGetEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ENUM_HANDLE EnumHandle, PUINT NumRoutes,
	PRTM_ROUTE_HANDLE RouteHandles);

/* Release route handles. */
RTM_API DWORD WINAPI RtmReleaseRoutes(RTM_ENTITY_HANDLE RtmRegHandle,
	UINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles);

/* Start an enumeration of the caller's next hops. */
RTM_API DWORD WINAPI RtmCreateNextHopEnum(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ENUM_FLAGS EnumFlags, PRTM_NET_ADDRESS NetAddress,
	PRTM_ENUM_HANDLE RtmEnumHandle);

/* Get the next batch of next-hop handles of a next-hop enumeration. */
RTM_API DWORD WINAPI RtmGetEnumNextHops(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ENUM_HANDLE EnumHandle, PUINT NumNextHops,
	PRTM_NEXTHOP_HANDLE NextHopHandles);

/* Release next-hop handles. */
RTM_API DWORD WINAPI RtmReleaseNextHops(RTM_ENTITY_HANDLE RtmRegHandle,
	UINT NumNextHops, PRTM_NEXTHOP_HANDLE NextHopHandles);

/* End an enumeration of any kind and free its handle. */
RTM_API DWORD WINAPI RtmDeleteEnumHandle(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ENUM_HANDLE EnumHandle);

/* Register to be notified of changes to destinations. */
RTM_API DWORD WINAPI RtmRegisterForChangeNotification(
	RTM_ENTITY_HANDLE RtmRegHandle, RTM_VIEW_SET TargetViews,
	RTM_NOTIFY_FLAGS NotifyFlags, PVOID NotifyContext,
	PRTM_NOTIFY_HANDLE NotifyHandle);

/* Get the next batch of changed destinations of a registration. */
RTM_API DWORD WINAPI RtmGetChangedDests(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_NOTIFY_HANDLE NotifyHandle, PUINT NumDests,
	PRTM_DEST_INFO ChangedDests);

/* Release destination information returned by RtmGetChangedDests. */
RTM_API DWORD WINAPI RtmReleaseChangedDests(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_NOTIFY_HANDLE NotifyHandle, UINT NumDests,
	PRTM_DEST_INFO ChangedDests);

/* Drop pending changes of the given destinations from a registration. */
RTM_API DWORD WINAPI RtmIgnoreChangedDests(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_NOTIFY_HANDLE NotifyHandle, UINT NumDests,
	PRTM_DEST_HANDLE ChangedDests);

/* Tell whether a destination has a change pending for a registration. */
RTM_API DWORD WINAPI RtmGetChangeStatus(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_NOTIFY_HANDLE NotifyHandle, RTM_DEST_HANDLE DestHandle,
	PBOOL ChangeStatus);

/* Mark or unmark a destination for a marked-only registration. */
RTM_API DWORD WINAPI RtmMarkDestForChangeNotification(
	RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
	RTM_DEST_HANDLE DestHandle, WINBOOL MarkDest);

/* Tell whether a destination is marked for a registration. */
RTM_API DWORD WINAPI RtmIsMarkedForChangeNotification(
	RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
	RTM_DEST_HANDLE DestHandle, PBOOL DestMarked);

/* End a change notification registration and free its handle. */
RTM_API DWORD WINAPI RtmDeregisterFromChangeNotification(
	RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle);

/* Create an empty route list owned by the caller. */
RTM_API DWORD WINAPI RtmCreateRouteList(RTM_ENTITY_HANDLE RtmRegHandle,
	PRTM_ROUTE_LIST_HANDLE RouteListHandle);

/* Move routes into a route list (or out of any list, for a NULL list). */
RTM_API DWORD WINAPI RtmInsertInRouteList(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ROUTE_LIST_HANDLE RouteListHandle, UINT NumRoutes,
	PRTM_ROUTE_HANDLE RouteHandles);

/* Start an enumeration of the routes in a route list. */
RTM_API DWORD WINAPI RtmCreateRouteListEnum(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ROUTE_LIST_HANDLE RouteListHandle, PRTM_ENUM_HANDLE RtmEnumHandle);

/* Get the next batch of route handles of a route-list enumeration. */
RTM_API DWORD WINAPI RtmGetListEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ENUM_HANDLE EnumHandle, PUINT NumRoutes,
	PRTM_ROUTE_HANDLE RouteHandles);

/* Delete a route list (not its routes) and free its handle. */
RTM_API DWORD WINAPI RtmDeleteRouteList(RTM_ENTITY_HANDLE RtmRegHandle,
	RTM_ROUTE_LIST_HANDLE RouteListHandle);

/* Take one more reference on each of the given handles. */
RTM_API DWORD WINAPI RtmReferenceHandles(RTM_ENTITY_HANDLE RtmRegHandle,
	UINT NumHandles, HANDLE *RtmHandles);

#ifdef __cplusplus
}
#endif

#endif /* LIBRTM_RTMV2_H */
