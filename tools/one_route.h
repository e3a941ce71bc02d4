/*
 * one_route.h - the route rtm-bench, rtm-lookupcost and rtm-memcost add
 * on every prefix: one entity's BGP route, preference 20, metric 1, unicast,
 * through one next hop that is also its neighbour.
 */
#ifndef RTM_TOOLS_ONE_ROUTE_H
#define RTM_TOOLS_ONE_ROUTE_H

#include <string.h>

#include <rtmv2.h>
#include <rtm/rtmx.h>

/* Room for an RTM_ROUTE_INFO with its one next hop. */
union one_route {
	RTM_ROUTE_INFO ri;
	char bytes[RTMX_SIZE_OF_ROUTE_INFO(1)];
};

static inline void
one_route_init(union one_route *r, RTM_NEXTHOP_HANDLE nh)
{
	memset(r, 0, sizeof *r);
	r->ri.Neighbour = nh;
	r->ri.Flags = RTM_ROUTE_FLAGS_REMOTE;
	r->ri.PrefInfo.Preference = 20;
	r->ri.PrefInfo.Metric = 1;
	r->ri.BelongsToViews = RTM_VIEW_MASK_UCAST;
	r->ri.NextHopsList.NumNextHops = 1;
	r->ri.NextHopsList.NextHops[0] = nh;
}

#endif
