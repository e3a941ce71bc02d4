/*
 * test_dest.c - RtmGetDestInfo, RtmReleaseDestInfo,
 * RtmGetExactMatchDestination, RtmGetMostSpecificDestination,
 * RtmGetLessSpecificDestination: fill rules, views, the ProtocolId filter
 * (SEMANTICS §5, §8, §14.25, §14.30).
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define UCAST RTM_VIEW_MASK_UCAST
#define MCAST RTM_VIEW_MASK_MCAST
#define BOTH (RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST)

struct ent {
	RTM_ENTITY_HANDLE h;
	RTM_NEXTHOP_HANDLE nh;
};

static int
ent_init(struct ent *e, USHORT family, ULONG proto, ULONG inst)
{
	e->h = tl_register(family, proto, inst, NULL);
	e->nh = NULL;
	if (e->h == NULL)
		return 0;
	e->nh = tl_add_nexthop(e->h, family, family == AF_INET6 ? "2001:db8::1" : "10.0.0.1", 1);
	return e->nh != NULL;
}

static void
ent_fini(struct ent *e)
{
	if (e->nh != NULL)
		CHECK_RC(RtmDeleteNextHop(e->h, e->nh, NULL), NO_ERROR);
	tl_deregister(e->h);
}

static RTM_ROUTE_HANDLE
route(struct ent *e, const char *pfx, unsigned len, ULONG pref, DWORD views)
{
	RTM_NET_ADDRESS p;
	DWORD fl = RTM_ROUTE_CHANGE_NEW;

	tl_addr(&p, strchr(pfx, ':') ? AF_INET6 : AF_INET, pfx, len);
	return tl_add_route(e->h, &p, e->nh, pref, 1, views, &fl);
}

/* Dest lookups fill a buffer sized for every view, so stray writes do no harm. */
static RTM_DEST_INFO *
di_alloc(void)
{
	return tl_dest_info_alloc(RTM_MAX_VIEWS);
}

static int
has_prefix(const RTM_DEST_INFO *di, const char *pfx, unsigned len)
{
	RTM_NET_ADDRESS want;
	char buf[80];

	tl_addr(&want, strchr(pfx, ':') ? AF_INET6 : AF_INET, pfx, len);
	if (!tl_addr_eq(&di->DestAddress, &want)) {
		check_note("dest is %s", tl_addr_str(&di->DestAddress, buf, sizeof(buf)));
		return 0;
	}
	return 1;
}

static DWORD
most(struct ent *e, const char *a, unsigned len, DWORD views, RTM_DEST_INFO *di)
{
	RTM_NET_ADDRESS p;

	tl_addr(&p, strchr(a, ':') ? AF_INET6 : AF_INET, a, len);
	return RtmGetMostSpecificDestination(e->h, &p, RTM_BEST_PROTOCOL, views, di);
}

static DWORD
exact(struct ent *e, const char *a, unsigned len, DWORD views, RTM_DEST_INFO *di)
{
	RTM_NET_ADDRESS p;

	tl_addr(&p, strchr(a, ':') ? AF_INET6 : AF_INET, a, len);
	return RtmGetExactMatchDestination(e->h, &p, RTM_BEST_PROTOCOL, views, di);
}

/* ---- RtmGetDestInfo / RtmReleaseDestInfo ---------------------------------------------- */

TEST(get_dest_info_bad_handles_are_invalid_handle)
{
	struct ent e;
	struct tl_badset bad;
	RTM_DEST_INFO *keep = di_alloc(), *di = di_alloc();
	RTM_ROUTE_HANDLE r;
	unsigned i;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r = route(&e, "10.1.0.0", 16, 10, UCAST);
	REQUIRE_RC(exact(&e, "10.1.0.0", 16, UCAST, keep), NO_ERROR);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetDestInfo(bad.v[i].h, keep->DestHandle, RTM_BEST_PROTOCOL,
					    UCAST, di),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_DEST) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetDestInfo(e.h, bad.v[i].h, RTM_BEST_PROTOCOL, UCAST, di),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	/* The destination is still there. */
	CHECK_RC(RtmGetDestInfo(e.h, keep->DestHandle, RTM_BEST_PROTOCOL, UCAST, di), NO_ERROR);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo(e.h, keep), NO_ERROR);
	tl_delete_route(e.h, r);
	free(keep);
	free(di);
	ent_fini(&e);
}

TEST(get_dest_info_null_info_or_unsupported_views_is_invalid_parameter)
{
	struct ent e;
	RTM_DEST_INFO *keep = di_alloc(), *di = di_alloc();
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r = route(&e, "10.1.0.0", 16, 10, UCAST);
	REQUIRE_RC(exact(&e, "10.1.0.0", 16, UCAST, keep), NO_ERROR);
	CHECK_RC(RtmGetDestInfo(e.h, keep->DestHandle, RTM_BEST_PROTOCOL, UCAST, NULL),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmGetDestInfo(e.h, keep->DestHandle, RTM_BEST_PROTOCOL, 0x4, di),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmGetDestInfo(e.h, keep->DestHandle, RTM_BEST_PROTOCOL, UCAST | 0x10000, di),
		 ERROR_INVALID_PARAMETER);
	/* Order: entity handle, then NULL pointers, then the other handles. */
	CHECK_RC(RtmGetDestInfo((HANDLE)0xdeadbeef, (HANDLE)0xdeadbeef, RTM_BEST_PROTOCOL, UCAST,
				NULL),
		 ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetDestInfo(e.h, (HANDLE)0xdeadbeef, RTM_BEST_PROTOCOL, UCAST, NULL),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmReleaseDestInfo(e.h, keep), NO_ERROR);
	tl_delete_route(e.h, r);
	free(keep);
	free(di);
	ent_fini(&e);
}

TEST(get_dest_info_fills_one_view_entry_per_supported_target_view_in_ascending_order)
{
	struct ent e;
	RTM_DEST_INFO *di = di_alloc();
	RTM_ROUTE_HANDLE u, m;
	RTM_DEST_HANDLE dh;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	u = route(&e, "10.1.0.0", 16, 10, UCAST);
	m = route(&e, "10.1.0.0", 16, 20, BOTH);
	REQUIRE(u != NULL && m != NULL);
	REQUIRE_RC(exact(&e, "10.1.0.0", 16, BOTH, di), NO_ERROR);
	dh = di->DestHandle;
	CHECK(has_prefix(di, "10.1.0.0", 16));
	CHECK_EQ_U(di->BelongsToViews, BOTH);
	CHECK_EQ_U(di->NumberOfViews, 2);
	CHECK_EQ_U(TL_VIEW(di, 0).ViewId, RTM_VIEW_ID_UCAST);
	CHECK_EQ_U(TL_VIEW(di, 0).NumRoutes, 2);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, u);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Owner, e.h);
	CHECK_EQ_PTR(TL_VIEW(di, 0).HoldRoute, NULL);
	CHECK_EQ_U(TL_VIEW(di, 1).ViewId, RTM_VIEW_ID_MCAST);
	CHECK_EQ_U(TL_VIEW(di, 1).NumRoutes, 1);
	CHECK_EQ_PTR(TL_VIEW(di, 1).Route, m);
	CHECK_EQ_PTR(TL_VIEW(di, 1).HoldRoute, NULL);
	CHECK(di->LastChanged.dwLowDateTime != 0 || di->LastChanged.dwHighDateTime != 0);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	/* RTM_VIEW_MASK_ALL means every supported view. */
	memset(di, 0, RTM_SIZE_OF_DEST_INFO(RTM_MAX_VIEWS));
	CHECK_RC(RtmGetDestInfo(e.h, dh, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ALL, di), NO_ERROR);
	CHECK_EQ_PTR(di->DestHandle, dh);
	CHECK_EQ_U(di->NumberOfViews, 2);
	CHECK_EQ_U(TL_VIEW(di, 0).ViewId, RTM_VIEW_ID_UCAST);
	CHECK_EQ_U(TL_VIEW(di, 1).ViewId, RTM_VIEW_ID_MCAST);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	/* Multicast only: one entry, for view 1. */
	CHECK_RC(RtmGetDestInfo(e.h, dh, RTM_BEST_PROTOCOL, MCAST, di), NO_ERROR);
	CHECK_EQ_U(di->NumberOfViews, 1);
	CHECK_EQ_U(TL_VIEW(di, 0).ViewId, RTM_VIEW_ID_MCAST);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, m);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	/* ANY: no per-view entries at all. */
	CHECK_RC(RtmGetDestInfo(e.h, dh, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY, di), NO_ERROR);
	CHECK_EQ_U(di->NumberOfViews, 0);
	CHECK_EQ_U(di->BelongsToViews, BOTH);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	tl_delete_route(e.h, u);
	tl_delete_route(e.h, m);
	free(di);
	ent_fini(&e);
}

TEST(get_dest_info_writes_only_the_views_asked_for)
{
	struct ent e;
	RTM_DEST_INFO *di;
	RTM_ROUTE_HANDLE r;
	size_t one = RTM_SIZE_OF_DEST_INFO(1);
	unsigned char *tail;
	size_t i;
	int clean = 1;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r = route(&e, "10.1.0.0", 16, 10, BOTH);
	REQUIRE(r != NULL);
	/* A one-view buffer followed by a guard area. */
	di = (RTM_DEST_INFO *)calloc(1, one + 256);
	REQUIRE(di != NULL);
	memset((char *)di + one, 0x5c, 256);
	CHECK_RC(exact(&e, "10.1.0.0", 16, UCAST, di), NO_ERROR);
	CHECK_EQ_U(di->NumberOfViews, 1);
	tail = (unsigned char *)di + one;
	for (i = 0; i < 256; i++)
		clean &= tail[i] == 0x5c;
	CHECK(clean);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	free(di);
	tl_delete_route(e.h, r);
	ent_fini(&e);
}

TEST(get_dest_info_reports_the_best_routes_flags_as_dest_flags)
{
	struct ent e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_INFO *ri;
	RTM_ROUTE_HANDLE r = NULL;
	RTM_DEST_INFO *di = di_alloc();
	DWORD fl = 0;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	ri = tl_route_info_alloc(1);
	ri->PrefInfo.Preference = 10;
	ri->BelongsToViews = UCAST;
	ri->Flags = RTM_ROUTE_FLAGS_DISCARD | RTM_ROUTE_FLAGS_LOCAL;
	ri->NextHopsList.NumNextHops = 1;
	TL_NH(ri, 0) = e.nh;
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(RtmAddRouteToDest(e.h, &r, &p, ri, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_RC(exact(&e, "10.1.0.0", 16, UCAST, di), NO_ERROR);
	CHECK_EQ_U(TL_VIEW(di, 0).DestFlags, RTM_ROUTE_FLAGS_DISCARD | RTM_ROUTE_FLAGS_LOCAL);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	tl_delete_route(e.h, r);
	free(ri);
	free(di);
	ent_fini(&e);
}

TEST(get_dest_info_references_every_handle_it_returns)
{
	struct ent a, b;
	RTM_DEST_INFO *di = di_alloc(), *di2 = di_alloc();
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(64);
	RTM_ENTITY_INFO ei;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	r = route(&a, "10.1.0.0", 16, 10, UCAST);
	REQUIRE(r != NULL);
	REQUIRE_RC(exact(&b, "10.1.0.0", 16, UCAST, di), NO_ERROR);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Owner, a.h);

	/* The owner deletes its route and goes away. */
	tl_delete_route(a.h, r);
	ent_fini(&a);
	CHECK_RC(exact(&b, "10.1.0.0", 16, UCAST, di2), ERROR_NOT_FOUND);

	/* b's copy still holds dest, route and owner. */
	CHECK_RC(RtmGetDestInfo(b.h, di->DestHandle, RTM_BEST_PROTOCOL, UCAST, di2), NO_ERROR);
	CHECK_EQ_U(TL_VIEW(di2, 0).NumRoutes, 0);
	CHECK_EQ_PTR(TL_VIEW(di2, 0).Route, NULL);
	CHECK_RC(RtmReleaseDestInfo(b.h, di2), NO_ERROR);
	CHECK_RC(RtmGetRouteInfo(b.h, TL_VIEW(di, 0).Route, ri, NULL), NO_ERROR);
	CHECK_EQ_U(ri->State, RTM_ROUTE_STATE_DELETED);
	CHECK_RC(RtmReleaseRouteInfo(b.h, ri), NO_ERROR);
	CHECK_RC(RtmGetEntityInfo(b.h, TL_VIEW(di, 0).Owner, &ei), NO_ERROR);

	CHECK_RC(RtmReleaseDestInfo(b.h, di), NO_ERROR);
	CHECK_RC(RtmGetDestInfo(b.h, di->DestHandle, RTM_BEST_PROTOCOL, UCAST, di2),
		 ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetRouteInfo(b.h, TL_VIEW(di, 0).Route, ri, NULL), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetEntityInfo(b.h, TL_VIEW(di, 0).Owner, &ei), ERROR_INVALID_HANDLE);
	free(di);
	free(di2);
	free(ri);
	ent_fini(&b);
}

TEST(release_dest_info_bad_arguments)
{
	struct ent e;
	RTM_DEST_INFO *di = di_alloc(), *junk = di_alloc();
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r = route(&e, "10.1.0.0", 16, 10, UCAST);
	REQUIRE_RC(exact(&e, "10.1.0.0", 16, UCAST, di), NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo((HANDLE)0xdeadbeef, di), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseDestInfo(NULL, di), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseDestInfo(e.h, NULL), ERROR_INVALID_PARAMETER);
	junk->DestHandle = (HANDLE)0xdeadbeef;
	CHECK_RC(RtmReleaseDestInfo(e.h, junk), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	tl_delete_route(e.h, r);
	free(di);
	free(junk);
	ent_fini(&e);
}

/* ---- ProtocolId filter ---------------------------------------------------------------- */

TEST(protocol_filter_chooses_the_reported_route_and_numroutes_stays_unfiltered)
{
	struct ent rip, rip2, ospf;
	RTM_DEST_INFO *di = di_alloc();
	RTM_ROUTE_HANDLE r_rip, r_rip2, r_ospf;
	RTM_NET_ADDRESS p;
	RTM_DEST_HANDLE dh;

	REQUIRE(ent_init(&rip, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&rip2, AF_INET, TL_PROTO_RIP, 2));
	REQUIRE(ent_init(&ospf, AF_INET, TL_PROTO_OSPF, 1));
	r_rip = route(&rip, "10.1.0.0", 16, 30, UCAST);
	r_rip2 = route(&rip2, "10.1.0.0", 16, 20, UCAST);
	r_ospf = route(&ospf, "10.1.0.0", 16, 10, UCAST);
	REQUIRE(r_rip != NULL && r_rip2 != NULL && r_ospf != NULL);
	REQUIRE_RC(exact(&rip, "10.1.0.0", 16, UCAST, di), NO_ERROR);
	dh = di->DestHandle;
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r_ospf);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Owner, ospf.h);
	CHECK_EQ_U(TL_VIEW(di, 0).NumRoutes, 3);
	CHECK_RC(RtmReleaseDestInfo(rip.h, di), NO_ERROR);

	/* THIS_PROTOCOL: best among routes of the caller's protocol (both RIP instances). */
	CHECK_RC(RtmGetDestInfo(rip.h, dh, RTM_THIS_PROTOCOL, UCAST, di), NO_ERROR);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r_rip2);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Owner, rip2.h);
	CHECK_EQ_U(TL_VIEW(di, 0).NumRoutes, 3);
	CHECK_RC(RtmReleaseDestInfo(rip.h, di), NO_ERROR);

	/* A specific protocol id. */
	CHECK_RC(RtmGetDestInfo(rip.h, dh, TL_PROTO_OSPF, UCAST, di), NO_ERROR);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r_ospf);
	CHECK_RC(RtmReleaseDestInfo(rip.h, di), NO_ERROR);
	CHECK_RC(RtmGetDestInfo(ospf.h, dh, TL_PROTO_RIP, UCAST, di), NO_ERROR);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r_rip2);
	CHECK_RC(RtmReleaseDestInfo(ospf.h, di), NO_ERROR);

	/* No route of that protocol: Route, Owner NULL, DestFlags 0, still found. */
	CHECK_RC(RtmGetDestInfo(rip.h, dh, TL_PROTO_BGP, UCAST, di), NO_ERROR);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, NULL);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Owner, NULL);
	CHECK_EQ_U(TL_VIEW(di, 0).DestFlags, 0);
	CHECK_EQ_U(TL_VIEW(di, 0).NumRoutes, 3);
	CHECK_RC(RtmReleaseDestInfo(rip.h, di), NO_ERROR);

	/* The filter never decides whether lookups find the destination. */
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(RtmGetExactMatchDestination(rip.h, &p, TL_PROTO_BGP, UCAST, di), NO_ERROR);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, NULL);
	CHECK_RC(RtmReleaseDestInfo(rip.h, di), NO_ERROR);
	tl_ipv4(&p, "10.1.2.3", 32);
	CHECK_RC(RtmGetMostSpecificDestination(rip.h, &p, TL_PROTO_BGP, UCAST, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.0.0", 16));
	CHECK_RC(RtmReleaseDestInfo(rip.h, di), NO_ERROR);
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(RtmGetExactMatchDestination(ospf.h, &p, RTM_THIS_PROTOCOL, UCAST, di), NO_ERROR);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r_ospf);
	CHECK_RC(RtmReleaseDestInfo(ospf.h, di), NO_ERROR);

	tl_delete_route(rip.h, r_rip);
	tl_delete_route(rip2.h, r_rip2);
	tl_delete_route(ospf.h, r_ospf);
	free(di);
	ent_fini(&rip);
	ent_fini(&rip2);
	ent_fini(&ospf);
}

/* ---- RtmGetExactMatchDestination ------------------------------------------------------ */

TEST(exact_match_dest_bad_registration_handles_are_invalid_handle)
{
	struct ent e;
	struct tl_badset bad;
	RTM_DEST_INFO *di = di_alloc();
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	unsigned i;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r = route(&e, "10.1.0.0", 16, 10, UCAST);
	tl_ipv4(&p, "10.1.0.0", 16);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetExactMatchDestination(bad.v[i].h, &p, RTM_BEST_PROTOCOL, UCAST,
							 di),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK(tl_dest_exists(e.h, &p));
	tl_delete_route(e.h, r);
	free(di);
	ent_fini(&e);
}

TEST(exact_match_dest_bad_arguments_are_invalid_parameter)
{
	struct ent e;
	RTM_DEST_INFO *di = di_alloc();
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r = route(&e, "10.1.0.0", 16, 10, UCAST);
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(RtmGetExactMatchDestination(e.h, NULL, RTM_BEST_PROTOCOL, UCAST, di),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmGetExactMatchDestination(e.h, &p, RTM_BEST_PROTOCOL, UCAST, NULL),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmGetExactMatchDestination(e.h, &p, RTM_BEST_PROTOCOL, 0x8, di),
		 ERROR_INVALID_PARAMETER);
	tl_ipv4(&p, "10.1.0.0", 33);
	CHECK_RC(RtmGetExactMatchDestination(e.h, &p, RTM_BEST_PROTOCOL, UCAST, di),
		 ERROR_INVALID_PARAMETER);
	tl_delete_route(e.h, r);
	free(di);
	ent_fini(&e);
}

TEST(exact_match_dest_needs_the_same_length_and_a_qualifying_view)
{
	struct ent e;
	RTM_DEST_INFO *di = di_alloc();
	RTM_ROUTE_HANDLE r16, r24m;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r16 = route(&e, "10.1.0.0", 16, 10, UCAST);
	r24m = route(&e, "10.1.2.0", 24, 10, MCAST);
	REQUIRE(r16 != NULL && r24m != NULL);
	CHECK_RC(exact(&e, "10.1.0.0", 17, RTM_VIEW_MASK_ANY, di), ERROR_NOT_FOUND);
	CHECK_RC(exact(&e, "10.1.0.0", 15, RTM_VIEW_MASK_ANY, di), ERROR_NOT_FOUND);
	CHECK_RC(exact(&e, "10.1.2.0", 24, UCAST, di), ERROR_NOT_FOUND);
	CHECK_RC(exact(&e, "10.1.2.0", 24, MCAST, di), NO_ERROR);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r24m);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	CHECK_RC(exact(&e, "10.1.2.0", 24, RTM_VIEW_MASK_ANY, di), NO_ERROR);
	CHECK_EQ_U(di->NumberOfViews, 0);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	/* With both views asked for, one qualifying view is enough. */
	CHECK_RC(exact(&e, "10.1.2.0", 24, BOTH, di), NO_ERROR);
	CHECK_EQ_U(di->NumberOfViews, 2);
	CHECK_EQ_U(TL_VIEW(di, 0).NumRoutes, 0);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, NULL);
	CHECK_EQ_U(TL_VIEW(di, 1).NumRoutes, 1);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	tl_delete_route(e.h, r16);
	tl_delete_route(e.h, r24m);
	free(di);
	ent_fini(&e);
}

TEST(exact_match_dest_same_dest_has_the_same_handle)
{
	struct ent e;
	RTM_DEST_INFO *a = di_alloc(), *b = di_alloc();
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(64);
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r = route(&e, "10.1.0.0", 16, 10, UCAST);
	REQUIRE_RC(exact(&e, "10.1.0.0", 16, UCAST, a), NO_ERROR);
	REQUIRE_RC(exact(&e, "10.1.0.0", 16, BOTH, b), NO_ERROR);
	CHECK_EQ_PTR(a->DestHandle, b->DestHandle);
	CHECK_RC(RtmGetRouteInfo(e.h, r, ri, NULL), NO_ERROR);
	CHECK_EQ_PTR(ri->DestHandle, a->DestHandle);
	CHECK_RC(RtmReleaseRouteInfo(e.h, ri), NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo(e.h, a), NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo(e.h, b), NO_ERROR);
	tl_delete_route(e.h, r);
	free(a);
	free(b);
	free(ri);
	ent_fini(&e);
}

TEST(exact_match_dest_tables_of_other_families_are_separate)
{
	struct ent v4, v6;
	RTM_DEST_INFO *di = di_alloc();
	RTM_ROUTE_HANDLE r4, r6;

	REQUIRE(ent_init(&v4, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&v6, AF_INET6, TL_PROTO_RIP, 1));
	r4 = route(&v4, "10.1.0.0", 16, 10, UCAST);
	r6 = route(&v6, "2001:db8::", 32, 10, UCAST);
	REQUIRE(r4 != NULL && r6 != NULL);
	CHECK_RC(exact(&v6, "2001:db8::", 32, UCAST, di), NO_ERROR);
	CHECK_EQ_U(di->DestAddress.AddressFamily, AF_INET6);
	CHECK_RC(RtmReleaseDestInfo(v6.h, di), NO_ERROR);
	/* An IPv4 prefix is not in the IPv6 table (the family mismatch may be refused). */
	{
		DWORD rc = exact(&v6, "10.1.0.0", 16, UCAST, di);

		CHECK(rc == ERROR_INVALID_PARAMETER || rc == ERROR_NOT_FOUND);
		if (rc == NO_ERROR)
			RtmReleaseDestInfo(v6.h, di);
	}
	tl_delete_route(v4.h, r4);
	tl_delete_route(v6.h, r6);
	free(di);
	ent_fini(&v4);
	ent_fini(&v6);
}

/* ---- RtmGetMostSpecificDestination ---------------------------------------------------- */

TEST(most_specific_dest_bad_arguments)
{
	struct ent e;
	struct tl_badset bad;
	RTM_DEST_INFO *di = di_alloc();
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	unsigned i;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r = route(&e, "10.1.0.0", 16, 10, UCAST);
	tl_ipv4(&p, "10.1.2.3", 32);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetMostSpecificDestination(bad.v[i].h, &p, RTM_BEST_PROTOCOL,
							   UCAST, di),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmGetMostSpecificDestination(e.h, NULL, RTM_BEST_PROTOCOL, UCAST, di),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmGetMostSpecificDestination(e.h, &p, RTM_BEST_PROTOCOL, UCAST, NULL),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmGetMostSpecificDestination(e.h, &p, RTM_BEST_PROTOCOL, 0x4, di),
		 ERROR_INVALID_PARAMETER);
	tl_ipv4(&p, "10.1.2.3", 40);
	CHECK_RC(RtmGetMostSpecificDestination(e.h, &p, RTM_BEST_PROTOCOL, UCAST, di),
		 ERROR_INVALID_PARAMETER);
	tl_delete_route(e.h, r);
	free(di);
	ent_fini(&e);
}

TEST(most_specific_dest_is_the_longest_covering_prefix)
{
	struct ent e;
	RTM_DEST_INFO *di = di_alloc();
	RTM_ROUTE_HANDLE r8, r16, r24;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r8 = route(&e, "10.0.0.0", 8, 10, UCAST);
	r16 = route(&e, "10.1.0.0", 16, 10, UCAST);
	r24 = route(&e, "10.1.2.0", 24, 10, UCAST);
	REQUIRE(r8 != NULL && r16 != NULL && r24 != NULL);

	CHECK_RC(most(&e, "10.1.2.3", 32, UCAST, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.2.0", 24));
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r24);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	CHECK_RC(most(&e, "10.1.3.3", 32, UCAST, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.0.0", 16));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	CHECK_RC(most(&e, "10.200.0.1", 32, UCAST, di), NO_ERROR);
	CHECK(has_prefix(di, "10.0.0.0", 8));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	/* The exact prefix wins when present. */
	CHECK_RC(most(&e, "10.1.0.0", 16, UCAST, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.0.0", 16));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	/* A destination longer than the address does not cover it. */
	CHECK_RC(most(&e, "10.1.2.0", 20, UCAST, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.0.0", 16));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	/* Nothing covers 11/8. */
	CHECK_RC(most(&e, "11.0.0.1", 32, UCAST, di), ERROR_NOT_FOUND);
	CHECK_RC(most(&e, "0.0.0.0", 0, UCAST, di), ERROR_NOT_FOUND);

	tl_delete_route(e.h, r8);
	tl_delete_route(e.h, r16);
	tl_delete_route(e.h, r24);
	free(di);
	ent_fini(&e);
}

TEST(most_specific_dest_skips_dests_outside_the_target_views)
{
	struct ent e;
	RTM_DEST_INFO *di = di_alloc();
	RTM_ROUTE_HANDLE r16u, r24m, r28none;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r16u = route(&e, "10.1.0.0", 16, 10, UCAST);
	r24m = route(&e, "10.1.2.0", 24, 10, MCAST);
	r28none = route(&e, "10.1.2.0", 28, 10, 0);
	REQUIRE(r16u != NULL && r24m != NULL && r28none != NULL);

	/* The multicast-only /24 must not hide the unicast /16. */
	CHECK_RC(most(&e, "10.1.2.3", 32, UCAST, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.0.0", 16));
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r16u);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	CHECK_RC(most(&e, "10.1.2.3", 32, MCAST, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.2.0", 24));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	/* ANY: any live route qualifies, even one in no view. */
	CHECK_RC(most(&e, "10.1.2.3", 32, RTM_VIEW_MASK_ANY, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.2.0", 28));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	CHECK_RC(most(&e, "10.1.2.3", 32, BOTH, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.2.0", 24));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);

	/* Outside the /16 there is nothing in the multicast view either. */
	CHECK_RC(most(&e, "10.2.0.1", 32, MCAST, di), ERROR_NOT_FOUND);

	tl_delete_route(e.h, r16u);
	tl_delete_route(e.h, r24m);
	tl_delete_route(e.h, r28none);
	free(di);
	ent_fini(&e);
}

TEST(most_specific_dest_ignores_a_destination_whose_last_route_went)
{
	struct ent e;
	RTM_DEST_INFO *di = di_alloc();
	RTM_ROUTE_HANDLE r16, r24;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r16 = route(&e, "10.1.0.0", 16, 10, UCAST);
	r24 = route(&e, "10.1.2.0", 24, 10, UCAST);
	REQUIRE(r16 != NULL && r24 != NULL);
	tl_delete_route(e.h, r24);
	CHECK_RC(most(&e, "10.1.2.3", 32, UCAST, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.0.0", 16));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	CHECK_RC(most(&e, "10.1.2.3", 32, RTM_VIEW_MASK_ANY, di), NO_ERROR);
	CHECK(has_prefix(di, "10.1.0.0", 16));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	tl_delete_route(e.h, r16);
	CHECK_RC(most(&e, "10.1.2.3", 32, RTM_VIEW_MASK_ANY, di), ERROR_NOT_FOUND);
	free(di);
	ent_fini(&e);
}

/* ---- RtmGetLessSpecificDestination ---------------------------------------------------- */

TEST(less_specific_dest_bad_arguments)
{
	struct ent e;
	struct tl_badset bad;
	RTM_DEST_INFO *keep = di_alloc(), *di = di_alloc();
	RTM_ROUTE_HANDLE r8, r16;
	unsigned i;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r8 = route(&e, "10.0.0.0", 8, 10, UCAST);
	r16 = route(&e, "10.1.0.0", 16, 10, UCAST);
	REQUIRE_RC(exact(&e, "10.1.0.0", 16, UCAST, keep), NO_ERROR);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetLessSpecificDestination(bad.v[i].h, keep->DestHandle,
							   RTM_BEST_PROTOCOL, UCAST, di),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_DEST) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetLessSpecificDestination(e.h, bad.v[i].h, RTM_BEST_PROTOCOL,
							   UCAST, di),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmGetLessSpecificDestination(e.h, keep->DestHandle, RTM_BEST_PROTOCOL, UCAST,
					       NULL),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmGetLessSpecificDestination(e.h, keep->DestHandle, RTM_BEST_PROTOCOL, 0x4, di),
		 ERROR_INVALID_PARAMETER);
	/* Still works with good arguments. */
	CHECK_RC(RtmGetLessSpecificDestination(e.h, keep->DestHandle, RTM_BEST_PROTOCOL, UCAST,
					       di),
		 NO_ERROR);
	CHECK(has_prefix(di, "10.0.0.0", 8));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo(e.h, keep), NO_ERROR);
	tl_delete_route(e.h, r8);
	tl_delete_route(e.h, r16);
	free(keep);
	free(di);
	ent_fini(&e);
}

TEST(less_specific_dest_chain_ends_after_the_default_route)
{
	struct ent e;
	RTM_DEST_INFO *a = di_alloc(), *b = di_alloc(), *t;
	RTM_ROUTE_HANDLE r0, r8, r16, r24;
	static const char *const chain[][2] = {{"10.1.0.0", "16"}, {"10.0.0.0", "8"},
					       {"0.0.0.0", "0"}};
	unsigned i;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r0 = route(&e, "0.0.0.0", 0, 10, UCAST);
	r8 = route(&e, "10.0.0.0", 8, 10, UCAST);
	r16 = route(&e, "10.1.0.0", 16, 10, UCAST);
	r24 = route(&e, "10.1.2.0", 24, 10, UCAST);
	REQUIRE(r0 != NULL && r8 != NULL && r16 != NULL && r24 != NULL);
	REQUIRE_RC(exact(&e, "10.1.2.0", 24, UCAST, a), NO_ERROR);
	for (i = 0; i < 3; i++) {
		DWORD rc = RtmGetLessSpecificDestination(e.h, a->DestHandle, RTM_BEST_PROTOCOL,
							 UCAST, b);

		CHECK_RC(rc, NO_ERROR);
		if (rc != NO_ERROR)
			break;
		CHECK(has_prefix(b, chain[i][0], (unsigned)atoi(chain[i][1])));
		CHECK_RC(RtmReleaseDestInfo(e.h, a), NO_ERROR);
		t = a;
		a = b;
		b = t;
	}
	/* From 0/0 there is nothing less specific. */
	CHECK_RC(RtmGetLessSpecificDestination(e.h, a->DestHandle, RTM_BEST_PROTOCOL, UCAST, b),
		 ERROR_NOT_FOUND);
	CHECK_RC(RtmReleaseDestInfo(e.h, a), NO_ERROR);
	tl_delete_route(e.h, r0);
	tl_delete_route(e.h, r8);
	tl_delete_route(e.h, r16);
	tl_delete_route(e.h, r24);
	free(a);
	free(b);
	ent_fini(&e);
}

TEST(less_specific_dest_skips_dests_outside_the_target_views)
{
	struct ent e;
	RTM_DEST_INFO *start = di_alloc(), *di = di_alloc();
	RTM_ROUTE_HANDLE r8u, r16m, r24;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r8u = route(&e, "10.0.0.0", 8, 10, UCAST);
	r16m = route(&e, "10.1.0.0", 16, 10, MCAST);
	r24 = route(&e, "10.1.2.0", 24, 10, BOTH);
	REQUIRE(r8u != NULL && r16m != NULL && r24 != NULL);
	REQUIRE_RC(exact(&e, "10.1.2.0", 24, UCAST, start), NO_ERROR);
	CHECK_RC(RtmGetLessSpecificDestination(e.h, start->DestHandle, RTM_BEST_PROTOCOL, UCAST,
					       di),
		 NO_ERROR);
	CHECK(has_prefix(di, "10.0.0.0", 8));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	CHECK_RC(RtmGetLessSpecificDestination(e.h, start->DestHandle, RTM_BEST_PROTOCOL, MCAST,
					       di),
		 NO_ERROR);
	CHECK(has_prefix(di, "10.1.0.0", 16));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	CHECK_RC(RtmGetLessSpecificDestination(e.h, start->DestHandle, RTM_BEST_PROTOCOL,
					       RTM_VIEW_MASK_ANY, di),
		 NO_ERROR);
	CHECK(has_prefix(di, "10.1.0.0", 16));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo(e.h, start), NO_ERROR);
	tl_delete_route(e.h, r8u);
	tl_delete_route(e.h, r16m);
	tl_delete_route(e.h, r24);
	free(start);
	free(di);
	ent_fini(&e);
}

TEST(less_specific_dest_without_a_covering_prefix_is_not_found)
{
	struct ent e;
	RTM_DEST_INFO *start = di_alloc(), *di = di_alloc();
	RTM_ROUTE_HANDLE r24, r8other;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r24 = route(&e, "10.1.2.0", 24, 10, UCAST);
	r8other = route(&e, "11.0.0.0", 8, 10, UCAST);
	REQUIRE(r24 != NULL && r8other != NULL);
	REQUIRE_RC(exact(&e, "10.1.2.0", 24, UCAST, start), NO_ERROR);
	CHECK_RC(RtmGetLessSpecificDestination(e.h, start->DestHandle, RTM_BEST_PROTOCOL,
					       RTM_VIEW_MASK_ANY, di),
		 ERROR_NOT_FOUND);
	CHECK_RC(RtmReleaseDestInfo(e.h, start), NO_ERROR);
	tl_delete_route(e.h, r24);
	tl_delete_route(e.h, r8other);
	free(start);
	free(di);
	ent_fini(&e);
}

TEST(less_specific_dest_works_from_a_dest_that_left_the_table)
{
	struct ent e;
	RTM_DEST_INFO *start = di_alloc(), *di = di_alloc();
	RTM_ROUTE_HANDLE r8, r24;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r8 = route(&e, "10.0.0.0", 8, 10, UCAST);
	r24 = route(&e, "10.1.2.0", 24, 10, UCAST);
	REQUIRE(r8 != NULL && r24 != NULL);
	REQUIRE_RC(exact(&e, "10.1.2.0", 24, UCAST, start), NO_ERROR);
	tl_delete_route(e.h, r24);
	/* The handle is still valid (start holds it); its covering prefix is found. */
	CHECK_RC(RtmGetLessSpecificDestination(e.h, start->DestHandle, RTM_BEST_PROTOCOL, UCAST,
					       di),
		 NO_ERROR);
	CHECK(has_prefix(di, "10.0.0.0", 8));
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo(e.h, start), NO_ERROR);
	tl_delete_route(e.h, r8);
	free(start);
	free(di);
	ent_fini(&e);
}

/*
 * Deregistering an entity clears its opaque pointer on a destination where
 * it owns no route: the purge must find the destination by its opaque slot
 * (read with a reference held: dest.h) as well as by its routes.
 */
TEST(deregistration_clears_opaque_pointer_without_routes)
{
	struct ent e;
	RTM_DEST_INFO *di = di_alloc();
	RTM_NET_ADDRESS p;
	RTM_ENTITY_HANDLE o, o2;
	RTM_ROUTE_HANDLE r;
	PVOID slot = NULL; /* the address of the entity's opaque pointer */
	int mine = 0;

	REQUIRE(ent_init(&e, AF_INET, TL_PROTO_RIP, 1));
	r = route(&e, "10.9.0.0", 16, 10, UCAST);
	REQUIRE(r != NULL);
	o = tl_register_ex(0, AF_INET, TL_PROTO_RIP, 7, TRUE, NULL, NULL);
	REQUIRE(o != NULL);
	tl_addr(&p, AF_INET, "10.9.0.0", 16);
	REQUIRE_RC(RtmGetExactMatchDestination(o, &p, RTM_BEST_PROTOCOL, UCAST, di), NO_ERROR);
	REQUIRE_RC(RtmGetOpaqueInformationPointer(o, di->DestHandle, &slot), NO_ERROR);
	*(PVOID *)slot = &mine;
	CHECK_RC(RtmReleaseDestInfo(o, di), NO_ERROR);
	tl_deregister(o);
	/* The slot is free again: the next entity that asks gets it, empty. */
	o2 = tl_register_ex(0, AF_INET, TL_PROTO_RIP, 8, TRUE, NULL, NULL);
	REQUIRE(o2 != NULL);
	REQUIRE_RC(RtmGetExactMatchDestination(o2, &p, RTM_BEST_PROTOCOL, UCAST, di), NO_ERROR);
	slot = NULL;
	CHECK_RC(RtmGetOpaqueInformationPointer(o2, di->DestHandle, &slot), NO_ERROR);
	CHECK(slot != NULL && *(PVOID *)slot == NULL);
	CHECK_RC(RtmReleaseDestInfo(o2, di), NO_ERROR);
	tl_deregister(o2);
	tl_delete_route(e.h, r);
	free(di);
	ent_fini(&e);
}

int
main(int c, char **v)
{
	return check_main(c, v);
}
