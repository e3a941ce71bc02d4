/*
 * test_layout.c - check the ABI facts of <rtmv2.h> and the IPv4 macros.
 *
 * The structure sizes and offsets are those of x64 Windows, which x86-64
 * Linux must reproduce (SEMANTICS.md section 2).  Each fact is checked
 * twice: by _Static_assert, so that a wrong header does not even build,
 * and at run time, so that the values are printed.  Build with
 * -DLAYOUT_NO_STATIC_ASSERT to see the run-time report on a platform where
 * the static checks fail.
 *
 * Prints one line per failure and "N passed, M failed" last; exits with
 * status 1 if anything failed.
 */
#include <rtmv2.h>
#include <rtm/rtmx.h>

#include <stdio.h>
#include <string.h>

/*
 * Compile-time facts: X(actual, expected).
 */
#define LAYOUT_FACTS(X)							\
	/* base types */						\
	X(sizeof(BYTE), 1)						\
	X(sizeof(UCHAR), 1)						\
	X(sizeof(USHORT), 2)						\
	X(sizeof(WORD), 2)						\
	X(sizeof(INT), 4)						\
	X(sizeof(UINT), 4)						\
	X(sizeof(LONG), 4)						\
	X(sizeof(ULONG), 4)						\
	X(sizeof(DWORD), 4)						\
	X(sizeof(ULONGLONG), 8)						\
	X(sizeof(BOOL), sizeof(int))					\
	X(sizeof(WINBOOL), sizeof(int))					\
	X(sizeof(HANDLE), sizeof(void *))				\
	X(sizeof(PVOID), sizeof(void *))				\
	X(sizeof(FILETIME), 8)						\
	X(offsetof(FILETIME, dwLowDateTime), 0)				\
	X(offsetof(FILETIME, dwHighDateTime), 4)			\
	X(sizeof(RTM_EVENT_TYPE), 4)					\
	X(sizeof(RTM_VIEW_SET), 4)					\
	X(sizeof(RTM_VIEW_ID), 4)					\
	/* RTM_NET_ADDRESS */						\
	X(sizeof(RTM_NET_ADDRESS), 20)					\
	X(offsetof(RTM_NET_ADDRESS, AddressFamily), 0)			\
	X(offsetof(RTM_NET_ADDRESS, NumBits), 2)			\
	X(offsetof(RTM_NET_ADDRESS, AddrBits), 4)			\
	/* RTM_REGN_PROFILE */						\
	X(sizeof(RTM_REGN_PROFILE), 16)					\
	X(offsetof(RTM_REGN_PROFILE, MaxNextHopsInRoute), 0)		\
	X(offsetof(RTM_REGN_PROFILE, MaxHandlesInEnum), 4)		\
	X(offsetof(RTM_REGN_PROFILE, ViewsSupported), 8)		\
	X(offsetof(RTM_REGN_PROFILE, NumberOfViews), 12)		\
	/* RTM_PREF_INFO, RTM_NEXTHOP_LIST */				\
	X(sizeof(RTM_PREF_INFO), 8)					\
	X(offsetof(RTM_PREF_INFO, Preference), 4)			\
	X(sizeof(RTM_NEXTHOP_LIST), 16)					\
	X(offsetof(RTM_NEXTHOP_LIST, NextHops), 8)			\
	/* RTM_DEST_INFO */						\
	X(sizeof(RTM_DEST_INFO), 88)					\
	X(offsetof(RTM_DEST_INFO, DestHandle), 0)			\
	X(offsetof(RTM_DEST_INFO, DestAddress), 8)			\
	X(offsetof(RTM_DEST_INFO, LastChanged), 28)			\
	X(offsetof(RTM_DEST_INFO, BelongsToViews), 36)			\
	X(offsetof(RTM_DEST_INFO, NumberOfViews), 40)			\
	X(offsetof(RTM_DEST_INFO, ViewInfo), 48)			\
	X(sizeof(((RTM_DEST_INFO *)0)->ViewInfo[0]), 40)		\
	X(offsetof(RTM_DEST_INFO, ViewInfo[0].ViewId), 48)		\
	X(offsetof(RTM_DEST_INFO, ViewInfo[0].NumRoutes), 52)		\
	X(offsetof(RTM_DEST_INFO, ViewInfo[0].Route), 56)		\
	X(offsetof(RTM_DEST_INFO, ViewInfo[0].Owner), 64)		\
	X(offsetof(RTM_DEST_INFO, ViewInfo[0].DestFlags), 72)		\
	X(offsetof(RTM_DEST_INFO, ViewInfo[0].HoldRoute), 80)		\
	X(RTM_BASIC_DEST_INFO_SIZE, 48)					\
	X(RTM_DEST_VIEW_INFO_SIZE, 40)					\
	X(RTM_SIZE_OF_DEST_INFO(0), 48)					\
	X(RTM_SIZE_OF_DEST_INFO(1), 88)					\
	X(RTM_SIZE_OF_DEST_INFO(2), 128)				\
	X(RTM_SIZE_OF_DEST_INFO(32), 48 + 40 * 32)			\
	/* RTM_ROUTE_INFO */						\
	X(sizeof(RTM_ROUTE_INFO), 64)					\
	X(offsetof(RTM_ROUTE_INFO, DestHandle), 0)			\
	X(offsetof(RTM_ROUTE_INFO, RouteOwner), 8)			\
	X(offsetof(RTM_ROUTE_INFO, Neighbour), 16)			\
	X(offsetof(RTM_ROUTE_INFO, State), 24)				\
	X(offsetof(RTM_ROUTE_INFO, Flags1), 25)				\
	X(offsetof(RTM_ROUTE_INFO, Flags), 26)				\
	X(offsetof(RTM_ROUTE_INFO, PrefInfo), 28)			\
	X(offsetof(RTM_ROUTE_INFO, BelongsToViews), 36)			\
	X(offsetof(RTM_ROUTE_INFO, EntitySpecificInfo), 40)		\
	X(offsetof(RTM_ROUTE_INFO, NextHopsList), 48)			\
	X(offsetof(RTM_ROUTE_INFO, NextHopsList.NumNextHops), 48)	\
	X(offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops), 56)		\
	/* the documented RTM_SIZE_OF_ROUTE_INFO bug, and its fix */	\
	X(RTM_BASIC_ROUTE_INFO_SIZE, 48)				\
	X(RTM_SIZE_OF_ROUTE_INFO(1), 56)				\
	X(RTM_SIZE_OF_ROUTE_INFO(3), 72)				\
	X(RTMX_SIZE_OF_ROUTE_INFO(0), 56)				\
	X(RTMX_SIZE_OF_ROUTE_INFO(1), 64)				\
	X(RTMX_SIZE_OF_ROUTE_INFO(1), sizeof(RTM_ROUTE_INFO))		\
	X(RTMX_SIZE_OF_ROUTE_INFO(3), 80)				\
	X(RTMX_SIZE_OF_ROUTE_INFO(3), RTM_SIZE_OF_ROUTE_INFO(4))	\
	/* RTM_NEXTHOP_INFO */						\
	X(sizeof(RTM_NEXTHOP_INFO), 56)					\
	X(offsetof(RTM_NEXTHOP_INFO, NextHopAddress), 0)		\
	X(offsetof(RTM_NEXTHOP_INFO, NextHopOwner), 24)			\
	X(offsetof(RTM_NEXTHOP_INFO, InterfaceIndex), 32)		\
	X(offsetof(RTM_NEXTHOP_INFO, State), 36)			\
	X(offsetof(RTM_NEXTHOP_INFO, Flags), 38)			\
	X(offsetof(RTM_NEXTHOP_INFO, EntitySpecificInfo), 40)		\
	X(offsetof(RTM_NEXTHOP_INFO, RemoteNextHop), 48)		\
	/* RTM_ENTITY_ID, RTM_ENTITY_INFO */				\
	X(sizeof(RTM_ENTITY_ID), 8)					\
	X(offsetof(RTM_ENTITY_ID, EntityProtocolId), 0)			\
	X(offsetof(RTM_ENTITY_ID, EntityInstanceId), 4)			\
	X(offsetof(RTM_ENTITY_ID, EntityId), 0)				\
	X(sizeof(RTM_ENTITY_INFO), 16)					\
	X(offsetof(RTM_ENTITY_INFO, RtmInstanceId), 0)			\
	X(offsetof(RTM_ENTITY_INFO, AddressFamily), 2)			\
	X(offsetof(RTM_ENTITY_INFO, EntityId), 8)			\
	/* methods */							\
	X(offsetof(RTM_ENTITY_METHOD_INPUT, MethodType), 0)		\
	X(offsetof(RTM_ENTITY_METHOD_INPUT, InputSize), 4)		\
	X(offsetof(RTM_ENTITY_METHOD_INPUT, InputData), 8)		\
	X(offsetof(RTM_ENTITY_METHOD_OUTPUT, MethodType), 0)		\
	X(offsetof(RTM_ENTITY_METHOD_OUTPUT, MethodStatus), 4)		\
	X(offsetof(RTM_ENTITY_METHOD_OUTPUT, OutputSize), 8)		\
	X(offsetof(RTM_ENTITY_METHOD_OUTPUT, OutputData), 12)		\
	X(offsetof(RTM_ENTITY_EXPORT_METHODS, Methods), 8)		\
	/* constants the ABI depends on */				\
	X(AF_INET, 2)							\
	X(RTMX_AF_INET6, 10)						\
	X(INFINITE, 0xFFFFFFFFu)					\
	X(RTM_ROUTE_FLAGS_SUBNET_BCAST, 0xA000)				\
	X(RTM_ROUTE_FLAGS_NET_BCAST, 0x5000)				\
	X(RTM_ROUTE_FLAGS_ANY_BCAST, 0xF400)				\
	X(RTM_ROUTE_FLAGS_FORWARDING, 0x000F)				\
	X(RTM_BEST_PROTOCOL, 0)						\
	X(RTM_THIS_PROTOCOL, 0xFFFFFFFFu)				\
	/* error codes (SEMANTICS.md section 1) */			\
	X(NO_ERROR, 0)							\
	X(ERROR_SUCCESS, 0)						\
	X(ERROR_FILE_NOT_FOUND, 2)					\
	X(ERROR_ACCESS_DENIED, 5)					\
	X(ERROR_INVALID_HANDLE, 6)					\
	X(ERROR_NOT_ENOUGH_MEMORY, 8)					\
	X(ERROR_INVALID_DATA, 13)					\
	X(ERROR_HANDLE_EOF, 38)						\
	X(ERROR_NOT_SUPPORTED, 50)					\
	X(ERROR_INVALID_PARAMETER, 87)					\
	X(ERROR_INSUFFICIENT_BUFFER, 122)				\
	X(ERROR_ALREADY_EXISTS, 183)					\
	X(ERROR_NO_MORE_ITEMS, 259)					\
	X(ERROR_INVALID_FLAGS, 1004)					\
	X(ERROR_NOT_FOUND, 1168)					\
	X(ERROR_NO_SYSTEM_RESOURCES, 1450)				\
	X(ERROR_BAD_CONFIGURATION, 1610)				\
	X(PROTO_IP_LOCAL, 2)						\
	X(PROTO_IP_NETMGMT, 3)						\
	X(PROTO_IP_RIP, 8)						\
	X(PROTO_IP_OSPF, 13)						\
	X(PROTO_IP_BGP, 14)

#ifndef LAYOUT_NO_STATIC_ASSERT
#define STATIC_FACT(actual, expected)					\
	_Static_assert((actual) == (expected), #actual " == " #expected);
LAYOUT_FACTS(STATIC_FACT)
#endif

static unsigned int passed;
static unsigned int failed;

static void
check_value(const char *what, unsigned long long actual,
	    unsigned long long expected)
{
	if (actual == expected) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s: got %llu, want %llu\n", what, actual, expected);
}

static void
check(const char *what, int ok)
{
	check_value(what, ok != 0, 1);
}

static void
check_layout(void)
{
#define RUN_FACT(actual, expected)					\
	check_value(#actual, (unsigned long long)(actual),		\
		    (unsigned long long)(expected));
	LAYOUT_FACTS(RUN_FACT)
#undef RUN_FACT
}

/* Build a network-order 32-bit value from its four bytes, first byte first. */
static ULONG
net4(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	UCHAR bytes[4];
	ULONG value;

	bytes[0] = (UCHAR)a;
	bytes[1] = (UCHAR)b;
	bytes[2] = (UCHAR)c;
	bytes[3] = (UCHAR)d;
	memcpy(&value, bytes, sizeof(value));
	return value;
}

static void
check_mask_from_len(void)
{
	ULONG mask;
	unsigned int len;

	check_value("MASK_FROM_LEN(24) == 255.255.255.0",
		    RTM_IPV4_MASK_FROM_LEN(24), net4(255, 255, 255, 0));
	check_value("MASK_FROM_LEN(0) == 0", RTM_IPV4_MASK_FROM_LEN(0), 0);
	check_value("MASK_FROM_LEN(32) == 255.255.255.255",
		    RTM_IPV4_MASK_FROM_LEN(32), net4(255, 255, 255, 255));
	check_value("MASK_FROM_LEN(1) == 128.0.0.0",
		    RTM_IPV4_MASK_FROM_LEN(1), net4(128, 0, 0, 0));
	check_value("MASK_FROM_LEN(20) == 255.255.240.0",
		    RTM_IPV4_MASK_FROM_LEN(20), net4(255, 255, 240, 0));

	/* Usable inside a larger expression: no trailing semicolon. */
	mask = RTM_IPV4_MASK_FROM_LEN(8) | RTM_IPV4_MASK_FROM_LEN(16);
	check_value("MASK_FROM_LEN in an expression", mask,
		    net4(255, 255, 0, 0));

	/* Len evaluated once. */
	len = 24;
	mask = RTM_IPV4_MASK_FROM_LEN(len++);
	check_value("MASK_FROM_LEN evaluates Len once", len, 25);
	check_value("MASK_FROM_LEN(len++) == 255.255.255.0", mask,
		    net4(255, 255, 255, 0));
}

static void
check_len_from_mask(void)
{
	unsigned int len, n, bad;

	RTM_IPV4_LEN_FROM_MASK(len, net4(255, 255, 255, 0));
	check_value("LEN_FROM_MASK(255.255.255.0) == 24", len, 24);
	RTM_IPV4_LEN_FROM_MASK(len, 0);
	check_value("LEN_FROM_MASK(0.0.0.0) == 0", len, 0);
	RTM_IPV4_LEN_FROM_MASK(len, net4(255, 255, 255, 255));
	check_value("LEN_FROM_MASK(255.255.255.255) == 32", len, 32);
	RTM_IPV4_LEN_FROM_MASK(len, net4(255, 0, 0, 0));
	check_value("LEN_FROM_MASK(255.0.0.0) == 8", len, 8);
	RTM_IPV4_LEN_FROM_MASK(len, net4(255, 255, 128, 0));
	check_value("LEN_FROM_MASK(255.255.128.0) == 17", len, 17);

	/* Every length survives a round trip through a mask. */
	bad = 0;
	for (n = 0; n <= 32; n++) {
		RTM_IPV4_LEN_FROM_MASK(len, RTM_IPV4_MASK_FROM_LEN(n));
		if (len != n) {
			printf("  round trip: len %u came back as %u\n",
			       n, len);
			bad++;
		}
	}
	check_value("LEN_FROM_MASK(MASK_FROM_LEN(n)) == n for 0..32", bad, 0);
}

static void
check_addr_macros(void)
{
	RTM_NET_ADDRESS na;
	ULONG addr, mask;
	USHORT len;
	unsigned int ulen;

	memset(&na, 0xEE, sizeof(na));
	RTM_IPV4_SET_ADDR_AND_LEN(&na, net4(10, 1, 2, 0), 24);
	check_value("SET_ADDR_AND_LEN: AddressFamily", na.AddressFamily,
		    AF_INET);
	check_value("SET_ADDR_AND_LEN: NumBits", na.NumBits, 24);
	check("SET_ADDR_AND_LEN: AddrBits = 10.1.2.0 in network order",
	      na.AddrBits[0] == 10 && na.AddrBits[1] == 1 &&
	      na.AddrBits[2] == 2 && na.AddrBits[3] == 0);

	addr = 0;
	len = 0;
	RTM_IPV4_GET_ADDR_AND_LEN(addr, len, &na);
	check_value("GET_ADDR_AND_LEN: Addr", addr, net4(10, 1, 2, 0));
	check_value("GET_ADDR_AND_LEN: Len", len, 24);

	/* Len and Addr may be of other integer types. */
	ulen = 0;
	RTM_IPV4_GET_ADDR_AND_LEN(addr, ulen, &na);
	check_value("GET_ADDR_AND_LEN into unsigned int", ulen, 24);

	memset(&na, 0xEE, sizeof(na));
	RTM_IPV4_SET_ADDR_AND_MASK(&na, net4(192, 168, 0, 0),
				   net4(255, 255, 0, 0));
	check_value("SET_ADDR_AND_MASK: AddressFamily", na.AddressFamily,
		    AF_INET);
	check_value("SET_ADDR_AND_MASK: NumBits from 255.255.0.0",
		    na.NumBits, 16);
	check("SET_ADDR_AND_MASK: AddrBits = 192.168.0.0",
	      na.AddrBits[0] == 192 && na.AddrBits[1] == 168 &&
	      na.AddrBits[2] == 0 && na.AddrBits[3] == 0);

	RTM_IPV4_GET_ADDR_AND_MASK(addr, mask, &na);
	check_value("GET_ADDR_AND_MASK: Addr", addr, net4(192, 168, 0, 0));
	check_value("GET_ADDR_AND_MASK: Mask", mask, net4(255, 255, 0, 0));

	RTM_IPV4_MAKE_NET_ADDRESS(&na, net4(172, 16, 0, 0), 12);
	check_value("MAKE_NET_ADDRESS: NumBits", na.NumBits, 12);
	check("MAKE_NET_ADDRESS: AddrBits = 172.16.0.0",
	      na.AddrBits[0] == 172 && na.AddrBits[1] == 16);

	/*
	 * RTM_NET_ADDRESS is only 2-byte aligned, so AddrBits need not be
	 * 4-byte aligned: here it sits at 2 mod 4.  (Run under UBSan to see
	 * that the macros do not load or store a misaligned ULONG.)
	 */
	{
		_Alignas(4) struct {
			USHORT		pad;
			RTM_NET_ADDRESS	na;
		} odd;

		RTM_IPV4_SET_ADDR_AND_LEN(&odd.na, net4(1, 2, 3, 4), 32);
		RTM_IPV4_GET_ADDR_AND_LEN(addr, len, &odd.na);
		check_value("AddrBits at 2 mod 4: offset",
			    (unsigned long long)(uintptr_t)odd.na.AddrBits % 4,
			    2);
		check_value("SET/GET with AddrBits at 2 mod 4", addr,
			    net4(1, 2, 3, 4));
	}
}

/*
 * The statement macros must behave as one statement after an "if" or an
 * "else" without braces.  With the multi-statement Windows versions the
 * if/else forms would not even compile, and the plain "if" form would run
 * all but the first statement unconditionally.
 */
static void
check_macros_after_if(int yes, int no)
{
	RTM_NET_ADDRESS na;
	ULONG addr, mask;
	USHORT len;

	memset(&na, 0, sizeof(na));
	if (no)
		RTM_IPV4_SET_ADDR_AND_LEN(&na, net4(10, 0, 0, 0), 8);
	check("SET_ADDR_AND_LEN under a false if changes nothing",
	      na.AddressFamily == 0 && na.NumBits == 0 && na.AddrBits[0] == 0);

	if (no)
		RTM_IPV4_SET_ADDR_AND_MASK(&na, net4(10, 0, 0, 0),
					   net4(255, 0, 0, 0));
	check("SET_ADDR_AND_MASK under a false if changes nothing",
	      na.AddressFamily == 0 && na.NumBits == 0 && na.AddrBits[0] == 0);

	if (yes)
		RTM_IPV4_SET_ADDR_AND_LEN(&na, net4(10, 0, 0, 0), 8);
	else
		RTM_IPV4_SET_ADDR_AND_LEN(&na, net4(11, 0, 0, 0), 16);
	check("SET_ADDR_AND_LEN in if/else takes the if branch",
	      na.AddrBits[0] == 10 && na.NumBits == 8);

	if (no)
		RTM_IPV4_MAKE_NET_ADDRESS(&na, net4(12, 0, 0, 0), 8);
	else
		RTM_IPV4_SET_ADDR_AND_MASK(&na, net4(13, 0, 0, 0),
					   net4(255, 255, 255, 0));
	check("SET_ADDR_AND_MASK in the else branch",
	      na.AddrBits[0] == 13 && na.NumBits == 24);

	addr = 1;
	len = 1;
	if (no)
		RTM_IPV4_GET_ADDR_AND_LEN(addr, len, &na);
	check("GET_ADDR_AND_LEN under a false if changes nothing",
	      addr == 1 && len == 1);

	mask = 1;
	if (no)
		RTM_IPV4_GET_ADDR_AND_MASK(addr, mask, &na);
	else
		mask = 2;
	check("GET_ADDR_AND_MASK in if/else takes the else branch",
	      addr == 1 && mask == 2);

	len = 99;
	if (no)
		RTM_IPV4_LEN_FROM_MASK(len, net4(255, 0, 0, 0));
	check("LEN_FROM_MASK under a false if changes nothing", len == 99);
}

int
main(int argc, char **argv)
{
	(void)argv;

	check_layout();
	check_mask_from_len();
	check_len_from_mask();
	check_addr_macros();
	/* argc keeps the branch conditions unknown to the compiler. */
	check_macros_after_if(argc > 0, argc < 0);

	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
