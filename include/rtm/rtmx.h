/*
 * rtm/rtmx.h - librtm extensions to the RTMv2 API.
 *
 * Nothing in here exists on Windows.  Programs that must also build there
 * should keep their use of these names behind their own #ifdef.
 */
#ifndef LIBRTM_RTM_RTMX_H
#define LIBRTM_RTM_RTMX_H

#include <rtmv2.h>

/*
 * Bytes needed for an RTM_ROUTE_INFO holding NumHops next hops.
 *
 * This is what RTM_SIZE_OF_ROUTE_INFO was meant to be: that macro counts
 * from NextHopsList.NumNextHops instead of NextHopsList.NextHops, and so
 * falls one handle short (8 bytes on x86-64).
 * RTMX_SIZE_OF_ROUTE_INFO(n) == RTM_SIZE_OF_ROUTE_INFO(n + 1).
 */
#define RTMX_SIZE_OF_ROUTE_INFO(NumHops)				\
	(offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) +		\
	 (NumHops) * sizeof(RTM_NEXTHOP_HANDLE))

/*
 * The IPv6 address family, for RTM_ENTITY_INFO.AddressFamily and
 * RTM_NET_ADDRESS.AddressFamily.  This is the Linux AF_INET6 (10); Windows
 * uses 23, so IPv6 code ported from Windows must not hard-code the number.
 */
#define RTMX_AF_INET6		AF_INET6

#endif /* LIBRTM_RTM_RTMX_H */
