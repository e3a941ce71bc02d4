/*
 * test_route.c - RtmAddRouteToDest, RtmDeleteRouteToDest, RtmGetRouteInfo,
 * RtmReleaseRouteInfo, RtmReleaseRoutes, RtmIsBestRoute,
 * RtmGetExactMatchRoute, and best-route selection (SEMANTICS §3, §5, §8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

/* One registered entity with its profile and one next hop. */
struct env {
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh;
	RTM_ROUTE_INFO *ri; /* sized for prof.MaxNextHopsInRoute + 1 */
};

static int
env_init(struct env *e, USHORT family, ULONG proto, ULONG inst)
{
	memset(e, 0, sizeof(*e));
	e->h = tl_register(family, proto, inst, &e->prof);
	if (e->h == NULL)
		return 0;
	e->nh = tl_add_nexthop(e->h, family, family == AF_INET6 ? "2001:db8::1" : "10.0.0.1",
			       1);
	e->ri = tl_route_info_alloc(e->prof.MaxNextHopsInRoute + 1);
	return e->nh != NULL;
}

static void
env_fini(struct env *e)
{
	if (e->nh != NULL)
		CHECK_RC(RtmDeleteNextHop(e->h, e->nh, NULL), NO_ERROR);
	free(e->ri);
	tl_deregister(e->h);
}

/* Resets *ri to a route with the given preference, metric, views and one next hop. */
static RTM_ROUTE_INFO *
ri_set(RTM_ROUTE_INFO *ri, ULONG pref, ULONG metric, DWORD views, RTM_NEXTHOP_HANDLE nh)
{
	memset(ri, 0, offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops));
	ri->PrefInfo.Preference = pref;
	ri->PrefInfo.Metric = metric;
	ri->BelongsToViews = views;
	if (nh != NULL) {
		ri->NextHopsList.NumNextHops = 1;
		TL_NH(ri, 0) = nh;
	}
	return ri;
}

static DWORD
add(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE *rh, const RTM_NET_ADDRESS *p, RTM_ROUTE_INFO *ri,
    DWORD *flags)
{
	RTM_NET_ADDRESS copy = *p;

	return RtmAddRouteToDest(h, rh, &copy, ri, INFINITE, NULL, 0, NULL, flags);
}

/* Route info of r into a fresh buffer (caller releases and frees). */
static RTM_ROUTE_INFO *
info_of(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r, UINT max)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(max + 1);
	DWORD rc = RtmGetRouteInfo(h, r, ri, NULL);

	if (rc != NO_ERROR) {
		check_fail(__FILE__, __LINE__, "RtmGetRouteInfo(%p): %s(%u)", r,
			   rtm_error_name(rc), (unsigned)rc);
		free(ri);
		return NULL;
	}
	return ri;
}

static void
info_done(RTM_ENTITY_HANDLE h, RTM_ROUTE_INFO *ri)
{
	if (ri == NULL)
		return;
	CHECK_RC(RtmReleaseRouteInfo(h, ri), NO_ERROR);
	free(ri);
}

static int
route_readable(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r, UCHAR *state)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(64);
	int ok = RtmGetRouteInfo(h, r, ri, NULL) == NO_ERROR;

	if (ok) {
		if (state != NULL)
			*state = ri->State;
		RtmReleaseRouteInfo(h, ri);
	}
	free(ri);
	return ok;
}

static DWORD
best_views(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r)
{
	DWORD v = 0xdead;

	CHECK_RC(RtmIsBestRoute(h, r, &v), NO_ERROR);
	return v;
}

/* ---- RtmAddRouteToDest: arguments ----------------------------------------------------- */

TEST(add_route_bad_registration_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	DWORD fl;
	unsigned i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		r = NULL;
		fl = 0;
		CHECK_RC_BAD(add(bad.v[i].h, &r, &p, ri_set(e.ri, 1, 1, 1, e.nh), &fl),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(r, NULL);
	}
	tl_bad_fini(&bad);
	CHECK(!tl_dest_exists(e.h, &p));
	env_fini(&e);
}

TEST(add_route_null_pointers_are_invalid_parameter)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(RtmAddRouteToDest(e.h, &r, &p, NULL, INFINITE, NULL, 0, NULL, &fl),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmAddRouteToDest(e.h, &r, NULL, ri_set(e.ri, 1, 1, 1, e.nh), INFINITE, NULL, 0,
				   NULL, &fl),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmAddRouteToDest(e.h, &r, &p, ri_set(e.ri, 1, 1, 1, e.nh), INFINITE, NULL, 0,
				   NULL, NULL),
		 ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(r, NULL);
	CHECK(!tl_dest_exists(e.h, &p));
	env_fini(&e);
}

TEST(add_route_checks_arguments_in_order)
{
	struct env a, b;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE rb, held, r;
	DWORD fl = 0;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	tl_ipv4(&p, "10.2.0.0", 16);

	/* Entity handle first. */
	CHECK_RC(RtmAddRouteToDest((HANDLE)0xdeadbeef, NULL, &p, NULL, INFINITE, NULL, 0, NULL,
				   NULL),
		 ERROR_INVALID_HANDLE);
	/* NULL pointers before other handles. */
	ri_set(a.ri, 1, 1, 1, (HANDLE)0xdeadbeef);
	CHECK_RC(RtmAddRouteToDest(a.h, NULL, &p, a.ri, INFINITE, NULL, 0, NULL, NULL),
		 ERROR_INVALID_PARAMETER);

	rb = tl_add_route(b.h, &p, b.nh, 10, 1, RTM_VIEW_MASK_UCAST, NULL);
	REQUIRE(rb != NULL);
	/* Other handles before ownership: a's update of b's route with a garbage next hop. */
	r = rb;
	CHECK_RC(add(a.h, &r, &p, ri_set(a.ri, 1, 1, 1, (HANDLE)0xdeadbeef), &fl),
		 ERROR_INVALID_HANDLE);
	/* Ownership before state: b's route, deleted but still referenced. */
	held = rb;
	CHECK_RC(RtmReferenceHandles(b.h, 1, &held), NO_ERROR);
	tl_delete_route(b.h, rb);
	r = held;
	CHECK_RC(add(a.h, &r, &p, ri_set(a.ri, 1, 1, 1, a.nh), &fl), ERROR_ACCESS_DENIED);
	r = held;
	CHECK_RC(add(b.h, &r, &p, ri_set(b.ri, 1, 1, 1, b.nh), &fl), ERROR_NOT_FOUND);
	tl_release_route(b.h, held);
	CHECK(!tl_dest_exists(a.h, &p));
	env_fini(&a);
	env_fini(&b);
}

TEST(add_route_bad_update_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE keep, r;
	RTM_ROUTE_INFO *got;
	DWORD fl;
	unsigned i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	keep = tl_add_route(e.h, &p, e.nh, 10, 7, RTM_VIEW_MASK_UCAST, NULL);
	REQUIRE(keep != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ROUTE) > 0);
	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue; /* *RouteHandle == NULL asks for a lookup, not an update */
		r = bad.v[i].h;
		fl = 0;
		CHECK_RC_BAD(add(e.h, &r, &p, ri_set(e.ri, 10, 99, 1, e.nh), &fl),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	/* The stored route was not changed. */
	got = info_of(e.h, keep, e.prof.MaxNextHopsInRoute);
	if (got != NULL)
		CHECK_EQ_U(got->PrefInfo.Metric, 7);
	info_done(e.h, got);
	tl_delete_route(e.h, keep);
	env_fini(&e);
}

TEST(add_route_with_bad_nexthop_handle_is_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	DWORD fl;
	unsigned i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_NEXTHOP) > 0);
	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue;
		r = NULL;
		fl = 0;
		ri_set(e.ri, 10, 1, 1, bad.v[i].h);
		CHECK_RC_BAD(add(e.h, &r, &p, e.ri, &fl), ERROR_INVALID_HANDLE, &bad.v[i]);
		/* Also as the second of two next hops. */
		if (e.prof.MaxNextHopsInRoute >= 2) {
			ri_set(e.ri, 10, 1, 1, e.nh);
			e.ri->NextHopsList.NumNextHops = 2;
			TL_NH(e.ri, 1) = bad.v[i].h;
			CHECK_RC_BAD(add(e.h, &r, &p, e.ri, &fl), ERROR_INVALID_HANDLE, &bad.v[i]);
		}
		CHECK_EQ_PTR(r, NULL);
	}
	tl_bad_fini(&bad);
	CHECK(!tl_dest_exists(e.h, &p));
	env_fini(&e);
}

TEST(add_route_with_bad_neighbour_handle_is_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	DWORD fl;
	unsigned i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_NEXTHOP) > 0);
	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue; /* no neighbour */
		r = NULL;
		fl = 0;
		ri_set(e.ri, 10, 1, 1, e.nh);
		e.ri->Neighbour = bad.v[i].h;
		CHECK_RC_BAD(add(e.h, &r, &p, e.ri, &fl), ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	CHECK(!tl_dest_exists(e.h, &p));
	env_fini(&e);
}

TEST(add_route_with_foreign_nexthop_is_invalid_parameter)
{
	struct env a, b;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(add(a.h, &r, &p, ri_set(a.ri, 10, 1, 1, b.nh), &fl), ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(r, NULL);
	CHECK(!tl_dest_exists(a.h, &p));
	env_fini(&a);
	env_fini(&b);
}

TEST(add_route_with_more_next_hops_than_the_profile_allows_is_invalid_parameter)
{
	struct env e;
	RTM_NEXTHOP_HANDLE *nhs;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r = NULL;
	RTM_ROUTE_INFO *got;
	UINT max, i;
	DWORD fl = 0;
	char addr[32];

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	max = e.prof.MaxNextHopsInRoute;
	REQUIRE(max >= 1 && max < 4096);
	nhs = calloc(max + 1, sizeof(*nhs));
	REQUIRE(nhs != NULL);
	for (i = 0; i <= max; i++) {
		snprintf(addr, sizeof(addr), "10.100.%u.%u", i / 250, i % 250 + 1);
		nhs[i] = tl_add_nexthop(e.h, AF_INET, addr, 1);
	}
	tl_ipv4(&p, "10.1.0.0", 16);
	ri_set(e.ri, 10, 1, 1, NULL);
	e.ri->NextHopsList.NumNextHops = (USHORT)(max + 1);
	for (i = 0; i <= max; i++)
		TL_NH(e.ri, i) = nhs[i];
	CHECK_RC(add(e.h, &r, &p, e.ri, &fl), ERROR_INVALID_PARAMETER);
	CHECK(!tl_dest_exists(e.h, &p));

	/* Exactly the maximum is fine, and all of them are reported back. */
	e.ri->NextHopsList.NumNextHops = (USHORT)max;
	CHECK_RC(add(e.h, &r, &p, e.ri, &fl), NO_ERROR);
	got = info_of(e.h, r, max);
	if (got != NULL) {
		CHECK_EQ_U(got->NextHopsList.NumNextHops, max);
		for (i = 0; i < max && i < got->NextHopsList.NumNextHops; i++)
			CHECK_EQ_PTR(TL_NH(got, i), nhs[i]);
	}
	info_done(e.h, got);
	tl_delete_route(e.h, r);
	for (i = 0; i <= max; i++)
		CHECK_RC(RtmDeleteNextHop(e.h, nhs[i], NULL), NO_ERROR);
	free(nhs);
	env_fini(&e);
}

TEST(add_route_with_unsupported_view_bits_is_invalid_parameter)
{
	static const DWORD bad[] = {0x4, 0x80000000u, RTM_VIEW_MASK_UCAST | 0x100};
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r = NULL;
	DWORD fl;
	size_t i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fl = 0;
		CHECK_RC(add(e.h, &r, &p, ri_set(e.ri, 10, 1, bad[i], e.nh), &fl),
			 ERROR_INVALID_PARAMETER);
	}
	CHECK_EQ_PTR(r, NULL);
	CHECK(!tl_dest_exists(e.h, &p));
	env_fini(&e);
}

TEST(add_route_with_bad_prefix_is_invalid_parameter)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 33);
	CHECK_RC(add(e.h, &r, &p, ri_set(e.ri, 10, 1, 1, e.nh), &fl), ERROR_INVALID_PARAMETER);
	tl_ipv4(&p, "10.1.0.0", 0xffff);
	CHECK_RC(add(e.h, &r, &p, ri_set(e.ri, 10, 1, 1, e.nh), &fl), ERROR_INVALID_PARAMETER);
	/* An IPv6 address in the IPv4 table. */
	tl_ipv6(&p, "2001:db8::", 32);
	CHECK_RC(add(e.h, &r, &p, ri_set(e.ri, 10, 1, 1, e.nh), &fl), ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(r, NULL);
	env_fini(&e);
}

/* ---- RtmAddRouteToDest: behaviour ----------------------------------------------------- */

TEST(add_route_creates_a_route_with_new_and_best_flags)
{
	struct env e;
	RTM_NET_ADDRESS p, want, got_addr;
	RTM_ROUTE_HANDLE r = NULL;
	RTM_ROUTE_INFO *got;
	DWORD fl = 0;
	int marker;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	ri_set(e.ri, 10, 3, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, e.nh);
	e.ri->Flags = RTM_ROUTE_FLAGS_REMOTE;
	e.ri->Flags1 = 0x5a;
	e.ri->EntitySpecificInfo = &marker;
	/* Ignored inputs. */
	e.ri->DestHandle = (HANDLE)0xdeadbeef;
	e.ri->RouteOwner = (HANDLE)0xdeadbeef;
	e.ri->State = RTM_ROUTE_STATE_DELETED;
	CHECK_RC(add(e.h, &r, &p, e.ri, &fl), NO_ERROR);
	REQUIRE(r != NULL);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);

	got = tl_route_info_alloc(e.prof.MaxNextHopsInRoute);
	REQUIRE_RC(RtmGetRouteInfo(e.h, r, got, &got_addr), NO_ERROR);
	CHECK(got->DestHandle != NULL && got->DestHandle != (HANDLE)0xdeadbeef);
	CHECK_EQ_PTR(got->RouteOwner, e.h);
	CHECK_EQ_PTR(got->Neighbour, NULL);
	CHECK_EQ_U(got->State, RTM_ROUTE_STATE_CREATED);
	CHECK_EQ_U(got->Flags, RTM_ROUTE_FLAGS_REMOTE);
	CHECK_EQ_U(got->Flags1, 0x5a);
	CHECK_EQ_U(got->PrefInfo.Preference, 10);
	CHECK_EQ_U(got->PrefInfo.Metric, 3);
	CHECK_EQ_U(got->BelongsToViews, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	CHECK_EQ_PTR(got->EntitySpecificInfo, &marker);
	CHECK_EQ_U(got->NextHopsList.NumNextHops, 1);
	CHECK_EQ_PTR(TL_NH(got, 0), e.nh);
	tl_ipv4(&want, "10.1.0.0", 16);
	CHECK(tl_addr_eq(&got_addr, &want));
	CHECK_RC(RtmReleaseRouteInfo(e.h, got), NO_ERROR);
	free(got);

	CHECK_EQ_U(best_views(e.h, r), RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	tl_delete_route(e.h, r);
	CHECK(!tl_dest_exists(e.h, &p));
	env_fini(&e);
}

TEST(add_route_same_owner_and_neighbour_updates_the_same_route)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r1 = NULL, r2 = NULL;
	RTM_ROUTE_INFO *got;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(add(e.h, &r1, &p, ri_set(e.ri, 10, 3, 1, e.nh), &fl), NO_ERROR);
	fl = 0;
	CHECK_RC(add(e.h, &r2, &p, ri_set(e.ri, 10, 4, 1, e.nh), &fl), NO_ERROR);
	CHECK_EQ_PTR(r2, r1);
	CHECK_EQ_U(fl & RTM_ROUTE_CHANGE_NEW, 0);
	/* The best route's information changed. */
	CHECK_EQ_U(fl & RTM_ROUTE_CHANGE_BEST, RTM_ROUTE_CHANGE_BEST);
	got = info_of(e.h, r1, e.prof.MaxNextHopsInRoute);
	if (got != NULL)
		CHECK_EQ_U(got->PrefInfo.Metric, 4);
	info_done(e.h, got);
	/* Each call handed out one reference. */
	tl_release_route(e.h, r2);
	tl_delete_route(e.h, r1);
	CHECK(!tl_dest_exists(e.h, &p));
	env_fini(&e);
}

TEST(add_route_other_neighbour_creates_a_second_route)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE nb;
	RTM_ROUTE_HANDLE r1 = NULL, r2 = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	nb = tl_add_nexthop(e.h, AF_INET, "10.0.0.2", 1);
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(add(e.h, &r1, &p, ri_set(e.ri, 10, 3, 1, e.nh), &fl), NO_ERROR);
	ri_set(e.ri, 10, 3, 1, e.nh);
	e.ri->Neighbour = nb;
	fl = 0;
	CHECK_RC(add(e.h, &r2, &p, e.ri, &fl), NO_ERROR);
	CHECK(r2 != NULL);
	CHECK_NE_PTR(r2, r1);
	CHECK_EQ_U(fl & RTM_ROUTE_CHANGE_NEW, RTM_ROUTE_CHANGE_NEW);
	/* A tie: the older route stays best. */
	CHECK_EQ_U(fl & RTM_ROUTE_CHANGE_BEST, 0);
	CHECK_EQ_U(best_views(e.h, r1), RTM_VIEW_MASK_UCAST);
	CHECK_EQ_U(best_views(e.h, r2), 0);
	tl_delete_route(e.h, r1);
	tl_delete_route(e.h, r2);
	CHECK_RC(RtmDeleteNextHop(e.h, nb, NULL), NO_ERROR);
	env_fini(&e);
}

TEST(add_route_change_new_input_always_creates)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r1 = NULL, r2 = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(add(e.h, &r1, &p, ri_set(e.ri, 10, 3, 1, e.nh), &fl), NO_ERROR);
	fl = RTM_ROUTE_CHANGE_NEW;
	CHECK_RC(add(e.h, &r2, &p, ri_set(e.ri, 10, 3, 1, e.nh), &fl), NO_ERROR);
	CHECK(r2 != NULL);
	CHECK_NE_PTR(r2, r1);
	CHECK_EQ_U(fl & RTM_ROUTE_CHANGE_NEW, RTM_ROUTE_CHANGE_NEW);
	tl_delete_route(e.h, r1);
	tl_delete_route(e.h, r2);
	env_fini(&e);
}

TEST(add_route_change_first_updates_the_callers_route_whatever_its_neighbour)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE nb;
	RTM_ROUTE_HANDLE r1 = NULL, r2 = NULL;
	RTM_ROUTE_INFO *got;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	nb = tl_add_nexthop(e.h, AF_INET, "10.0.0.2", 1);
	tl_ipv4(&p, "10.1.0.0", 16);
	ri_set(e.ri, 10, 3, 1, e.nh);
	e.ri->Neighbour = nb;
	CHECK_RC(add(e.h, &r1, &p, e.ri, &fl), NO_ERROR);
	/* Neighbour NULL would not match, but FIRST ignores it. */
	fl = RTM_ROUTE_CHANGE_FIRST;
	CHECK_RC(add(e.h, &r2, &p, ri_set(e.ri, 10, 8, 1, e.nh), &fl), NO_ERROR);
	CHECK_EQ_PTR(r2, r1);
	CHECK_EQ_U(fl & RTM_ROUTE_CHANGE_NEW, 0);
	got = info_of(e.h, r1, e.prof.MaxNextHopsInRoute);
	if (got != NULL) {
		CHECK_EQ_U(got->PrefInfo.Metric, 8);
		CHECK_EQ_PTR(got->Neighbour, NULL);
	}
	info_done(e.h, got);
	tl_release_route(e.h, r2);
	tl_delete_route(e.h, r1);
	CHECK(!tl_dest_exists(e.h, &p));
	CHECK_RC(RtmDeleteNextHop(e.h, nb, NULL), NO_ERROR);
	env_fini(&e);
}

TEST(add_route_change_first_with_no_route_of_the_caller_creates_one)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r = NULL;
	DWORD fl = RTM_ROUTE_CHANGE_FIRST;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(add(e.h, &r, &p, ri_set(e.ri, 10, 3, 1, e.nh), &fl), NO_ERROR);
	CHECK(r != NULL);
	CHECK_EQ_U(fl & RTM_ROUTE_CHANGE_NEW, RTM_ROUTE_CHANGE_NEW);
	if (r != NULL)
		tl_delete_route(e.h, r);
	env_fini(&e);
}

TEST(add_route_update_by_handle_ignores_dest_address_and_adds_no_reference)
{
	struct env e;
	RTM_NET_ADDRESS p, other, where;
	RTM_ROUTE_HANDLE r, h2;
	RTM_ROUTE_INFO *got;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	tl_ipv4(&other, "192.168.0.0", 16);
	r = tl_add_route(e.h, &p, e.nh, 10, 3, 1, NULL);
	REQUIRE(r != NULL);
	h2 = r;
	CHECK_RC(add(e.h, &h2, &other, ri_set(e.ri, 10, 5, 1, e.nh), &fl), NO_ERROR);
	CHECK_EQ_PTR(h2, r);
	CHECK_EQ_U(fl & RTM_ROUTE_CHANGE_NEW, 0);
	CHECK(!tl_dest_exists(e.h, &other));
	got = tl_route_info_alloc(e.prof.MaxNextHopsInRoute);
	CHECK_RC(RtmGetRouteInfo(e.h, r, got, &where), NO_ERROR);
	CHECK(tl_addr_eq(&where, &p));
	CHECK_EQ_U(got->PrefInfo.Metric, 5);
	info_done(e.h, got);
	/* Only one reference: the delete consumes it and the handle dies. */
	tl_delete_route(e.h, r);
	CHECK(!route_readable(e.h, r, NULL));
	env_fini(&e);
}

TEST(add_route_update_by_handle_of_another_entity_is_access_denied)
{
	struct env a, b;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE ra, r;
	RTM_ROUTE_INFO *got;
	DWORD fl = 0;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	ra = tl_add_route(a.h, &p, a.nh, 10, 3, 1, NULL);
	REQUIRE(ra != NULL);
	r = ra;
	CHECK_RC(add(b.h, &r, &p, ri_set(b.ri, 1, 1, 1, b.nh), &fl), ERROR_ACCESS_DENIED);
	got = info_of(a.h, ra, a.prof.MaxNextHopsInRoute);
	if (got != NULL) {
		CHECK_EQ_U(got->PrefInfo.Preference, 10);
		CHECK_EQ_PTR(got->RouteOwner, a.h);
	}
	info_done(a.h, got);
	tl_delete_route(a.h, ra);
	env_fini(&a);
	env_fini(&b);
}

TEST(add_route_update_of_a_deleted_route_is_not_found)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r, held, h2;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	r = tl_add_route(e.h, &p, e.nh, 10, 3, 1, NULL);
	REQUIRE(r != NULL);
	held = r;
	CHECK_RC(RtmReferenceHandles(e.h, 1, &held), NO_ERROR);
	tl_delete_route(e.h, r);
	h2 = held;
	CHECK_RC(add(e.h, &h2, &p, ri_set(e.ri, 10, 3, 1, e.nh), &fl), ERROR_NOT_FOUND);
	/* The deleted route was not brought back. */
	CHECK(!tl_dest_exists(e.h, &p));
	tl_release_route(e.h, held);
	env_fini(&e);
}

TEST(add_route_without_handle_pointer_takes_no_reference)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE found = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(add(e.h, NULL, &p, ri_set(e.ri, 10, 3, 1, e.nh), &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	CHECK_RC(RtmGetExactMatchRoute(e.h, &p, RTM_MATCH_NONE, ri_set(e.ri, 0, 0, 0, NULL), 0,
				       RTM_VIEW_MASK_ANY, &found),
		 NO_ERROR);
	CHECK_RC(RtmReleaseRouteInfo(e.h, e.ri), NO_ERROR);
	REQUIRE(found != NULL);
	tl_delete_route(e.h, found);
	CHECK(!route_readable(e.h, found, NULL));
	env_fini(&e);
}

TEST(add_route_best_flag_follows_best_route_changes)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE nb;
	RTM_ROUTE_HANDLE a = NULL, b = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	nb = tl_add_nexthop(e.h, AF_INET, "10.0.0.2", 1);
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(add(e.h, &a, &p, ri_set(e.ri, 10, 1, 1, e.nh), &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);

	/* A worse route: new, not best. */
	ri_set(e.ri, 20, 1, 1, e.nh);
	e.ri->Neighbour = nb;
	fl = 0;
	CHECK_RC(add(e.h, &b, &p, e.ri, &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_NEW);

	/* Updating the worse route without it becoming best: nothing. */
	e.ri->PrefInfo.Metric = 7;
	fl = 0;
	CHECK_RC(add(e.h, &b, &p, e.ri, &fl), NO_ERROR);
	CHECK_EQ_U(fl, 0);

	/* It becomes the best. */
	e.ri->PrefInfo.Preference = 5;
	fl = 0;
	CHECK_RC(add(e.h, &b, &p, e.ri, &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_EQ_U(best_views(e.h, b), RTM_VIEW_MASK_UCAST);
	CHECK_EQ_U(best_views(e.h, a), 0);

	/* The old best, still worse, changes: nothing. */
	fl = 0;
	CHECK_RC(add(e.h, &a, &p, ri_set(e.ri, 10, 2, 1, e.nh), &fl), NO_ERROR);
	CHECK_EQ_U(fl, 0);

	tl_delete_route(e.h, a);
	tl_delete_route(e.h, b);
	CHECK_RC(RtmDeleteNextHop(e.h, nb, NULL), NO_ERROR);
	env_fini(&e);
}

TEST(add_route_with_no_views_is_allowed_and_best_nowhere)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r = NULL;
	RTM_DEST_INFO *di = tl_dest_info_alloc(2);
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(add(e.h, &r, &p, ri_set(e.ri, 10, 1, 0, e.nh), &fl), NO_ERROR);
	REQUIRE(r != NULL);
	CHECK_EQ_U(fl & RTM_ROUTE_CHANGE_BEST, 0);
	CHECK_EQ_U(best_views(e.h, r), 0);
	/* Found with ANY (it has a live route), not in a specific view. */
	CHECK(tl_dest_exists(e.h, &p));
	CHECK_RC(tl_exact_dest(e.h, &p, RTM_VIEW_MASK_UCAST, di), ERROR_NOT_FOUND);
	tl_delete_route(e.h, r);
	free(di);
	env_fini(&e);
}

TEST(add_route_update_drops_references_on_replaced_next_hops)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE n1, n2;
	RTM_NEXTHOP_INFO ni;
	RTM_ROUTE_HANDLE r = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	n1 = tl_add_nexthop(e.h, AF_INET, "10.0.0.11", 1);
	n2 = tl_add_nexthop(e.h, AF_INET, "10.0.0.12", 1);
	tl_ipv4(&p, "10.1.0.0", 16);
	CHECK_RC(add(e.h, &r, &p, ri_set(e.ri, 10, 1, 1, n1), &fl), NO_ERROR);
	/* n1 is deleted and its handle reference consumed; the route keeps it alive. */
	CHECK_RC(RtmDeleteNextHop(e.h, n1, NULL), NO_ERROR);
	CHECK_RC(RtmGetNextHopInfo(e.h, n1, &ni), NO_ERROR);
	CHECK_EQ_U(ni.State, RTM_NEXTHOP_STATE_DELETED);
	CHECK_RC(RtmReleaseNextHopInfo(e.h, &ni), NO_ERROR);
	/* Moving the route to n2 drops the route's reference on n1. */
	fl = 0;
	CHECK_RC(add(e.h, &r, &p, ri_set(e.ri, 10, 1, 1, n2), &fl), NO_ERROR);
	CHECK_RC(RtmGetNextHopInfo(e.h, n1, &ni), ERROR_INVALID_HANDLE);
	tl_delete_route(e.h, r);
	CHECK_RC(RtmDeleteNextHop(e.h, n2, NULL), NO_ERROR);
	env_fini(&e);
}

TEST(add_route_same_neighbour_in_ipv6_updates)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r1 = NULL, r2 = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET6, TL_PROTO_RIP, 1));
	tl_ipv6(&p, "2001:db8:1::", 48);
	CHECK_RC(add(e.h, &r1, &p, ri_set(e.ri, 10, 1, 1, e.nh), &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	fl = 0;
	CHECK_RC(add(e.h, &r2, &p, ri_set(e.ri, 10, 2, 1, e.nh), &fl), NO_ERROR);
	CHECK_EQ_PTR(r2, r1);
	tl_release_route(e.h, r2);
	tl_delete_route(e.h, r1);
	CHECK(!tl_dest_exists(e.h, &p));
	env_fini(&e);
}

/* ---- best route selection ------------------------------------------------------------- */

TEST(best_route_is_lowest_preference_then_lowest_metric)
{
	struct env a, b;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE ra, rb;
	DWORD fl;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	/* Preference outweighs metric. */
	ra = tl_add_route(a.h, &p, a.nh, 10, 100, 1, NULL);
	rb = tl_add_route(b.h, &p, b.nh, 20, 1, 1, NULL);
	REQUIRE(ra != NULL && rb != NULL);
	CHECK_EQ_U(best_views(a.h, ra), 1);
	CHECK_EQ_U(best_views(a.h, rb), 0);
	/* Equal preference: lower metric wins. */
	fl = 0;
	CHECK_RC(add(b.h, &rb, &p, ri_set(b.ri, 10, 99, 1, b.nh), &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_EQ_U(best_views(a.h, rb), 1);
	CHECK_EQ_U(best_views(a.h, ra), 0);
	tl_delete_route(a.h, ra);
	tl_delete_route(b.h, rb);
	env_fini(&a);
	env_fini(&b);
}

TEST(best_route_tie_goes_to_the_oldest_route)
{
	struct env a, b;
	RTM_NET_ADDRESS p, q;
	RTM_ROUTE_HANDLE ra, rb, qb, qa;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	tl_ipv4(&q, "10.2.0.0", 16);
	ra = tl_add_route(a.h, &p, a.nh, 10, 5, 1, NULL);
	rb = tl_add_route(b.h, &p, b.nh, 10, 5, 1, NULL);
	qb = tl_add_route(b.h, &q, b.nh, 10, 5, 1, NULL);
	qa = tl_add_route(a.h, &q, a.nh, 10, 5, 1, NULL);
	REQUIRE(ra != NULL && rb != NULL && qa != NULL && qb != NULL);
	CHECK_EQ_U(best_views(a.h, ra), 1);
	CHECK_EQ_U(best_views(a.h, rb), 0);
	CHECK_EQ_U(best_views(a.h, qb), 1);
	CHECK_EQ_U(best_views(a.h, qa), 0);
	tl_delete_route(a.h, ra);
	tl_delete_route(b.h, rb);
	tl_delete_route(a.h, qa);
	tl_delete_route(b.h, qb);
	env_fini(&a);
	env_fini(&b);
}

/*
 * Age is creation order within the destination, also after deletions: a
 * route added after others were deleted is younger than every route still
 * there (an age derived from the number of routes would tie it with one).
 */
TEST(best_route_tie_after_deletions_still_goes_to_the_oldest_route)
{
	struct env a, b, c;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE ra, rb, rc;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	REQUIRE(env_init(&c, AF_INET, TL_PROTO_BGP, 1));
	tl_ipv4(&p, "10.3.0.0", 16);
	ra = tl_add_route(a.h, &p, a.nh, 10, 5, 1, NULL);
	rb = tl_add_route(b.h, &p, b.nh, 10, 5, 1, NULL);
	rc = tl_add_route(c.h, &p, c.nh, 10, 5, 1, NULL);
	REQUIRE(ra != NULL && rb != NULL && rc != NULL);
	tl_delete_route(a.h, ra);
	tl_delete_route(b.h, rb);
	/* Two of three routes were deleted: a new one is younger than c's. */
	ra = tl_add_route(a.h, &p, a.nh, 10, 5, 1, NULL);
	REQUIRE(ra != NULL);
	CHECK_EQ_U(best_views(a.h, rc), 1);
	CHECK_EQ_U(best_views(a.h, ra), 0);
	tl_delete_route(c.h, rc);
	CHECK_EQ_U(best_views(a.h, ra), 1);
	tl_delete_route(a.h, ra);
	env_fini(&a);
	env_fini(&b);
	env_fini(&c);
}

TEST(best_route_is_chosen_per_view)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE n2, n3;
	RTM_ROUTE_HANDLE u, m, both;
	DWORD fl = RTM_ROUTE_CHANGE_NEW;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	n2 = tl_add_nexthop(e.h, AF_INET, "10.0.0.2", 1);
	n3 = tl_add_nexthop(e.h, AF_INET, "10.0.0.3", 1);
	tl_ipv4(&p, "10.1.0.0", 16);
	u = tl_add_route(e.h, &p, e.nh, 10, 1, RTM_VIEW_MASK_UCAST, &fl);
	fl = RTM_ROUTE_CHANGE_NEW;
	m = tl_add_route(e.h, &p, n2, 20, 1, RTM_VIEW_MASK_MCAST, &fl);
	fl = RTM_ROUTE_CHANGE_NEW;
	both = tl_add_route(e.h, &p, n3, 30, 1, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, &fl);
	REQUIRE(u != NULL && m != NULL && both != NULL);
	CHECK_EQ_U(best_views(e.h, u), RTM_VIEW_MASK_UCAST);
	CHECK_EQ_U(best_views(e.h, m), RTM_VIEW_MASK_MCAST);
	CHECK_EQ_U(best_views(e.h, both), 0);
	fl = 0xffff;
	CHECK_RC(RtmDeleteRouteToDest(e.h, u, &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_EQ_U(best_views(e.h, both), RTM_VIEW_MASK_UCAST);
	tl_delete_route(e.h, m);
	CHECK_EQ_U(best_views(e.h, both), RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	tl_delete_route(e.h, both);
	CHECK_RC(RtmDeleteNextHop(e.h, n2, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(e.h, n3, NULL), NO_ERROR);
	env_fini(&e);
}

TEST(best_route_ignores_forwarding_flags)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	ri_set(e.ri, 10, 1, 1, e.nh);
	e.ri->Flags = RTM_ROUTE_FLAGS_DISCARD | RTM_ROUTE_FLAGS_INACTIVE;
	CHECK_RC(add(e.h, &r, &p, e.ri, &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	CHECK_EQ_U(best_views(e.h, r), 1);
	tl_delete_route(e.h, r);
	env_fini(&e);
}

/* ---- RtmDeleteRouteToDest ------------------------------------------------------------- */

TEST(delete_route_bad_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE keep;
	DWORD fl;
	unsigned i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	keep = tl_add_route(e.h, &p, e.nh, 10, 1, 1, NULL);
	REQUIRE(keep != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmDeleteRouteToDest(bad.v[i].h, keep, &fl), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ROUTE) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmDeleteRouteToDest(e.h, bad.v[i].h, &fl), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	/* The stored route is intact and still best. */
	CHECK(tl_dest_exists(e.h, &p));
	CHECK_EQ_U(best_views(e.h, keep), 1);
	tl_delete_route(e.h, keep);
	env_fini(&e);
}

TEST(delete_route_of_another_entity_is_access_denied)
{
	struct env a, b;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE ra, held;
	DWORD fl = 0;
	UCHAR st = 0xff;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	ra = tl_add_route(a.h, &p, a.nh, 10, 1, 1, NULL);
	REQUIRE(ra != NULL);
	held = ra;
	CHECK_RC(RtmReferenceHandles(b.h, 1, &held), NO_ERROR);
	CHECK_RC(RtmDeleteRouteToDest(b.h, held, &fl), ERROR_ACCESS_DENIED);
	CHECK(route_readable(b.h, held, &st));
	CHECK_EQ_U(st, RTM_ROUTE_STATE_CREATED);
	CHECK(tl_dest_exists(b.h, &p));
	tl_release_route(b.h, held);
	tl_delete_route(a.h, ra);
	env_fini(&a);
	env_fini(&b);
}

TEST(delete_route_consumes_the_callers_reference)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	DWORD fl = 0xffff;
	DWORD v;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	r = tl_add_route(e.h, &p, e.nh, 10, 1, 1, NULL);
	REQUIRE(r != NULL);
	CHECK_RC(RtmDeleteRouteToDest(e.h, r, &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_BEST);
	/* That was the only reference: the handle is dead at once. */
	CHECK(!route_readable(e.h, r, NULL));
	CHECK_RC(RtmIsBestRoute(e.h, r, &v), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmDeleteRouteToDest(e.h, r, &fl), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseRoutes(e.h, 1, &r), ERROR_INVALID_HANDLE);
	env_fini(&e);
}

TEST(delete_route_twice_is_not_found_and_consumes_nothing)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r, held;
	DWORD fl = 0, v = 0xff;
	UCHAR st = 0xff;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	r = tl_add_route(e.h, &p, e.nh, 10, 1, 1, NULL);
	REQUIRE(r != NULL);
	held = r;
	CHECK_RC(RtmReferenceHandles(e.h, 1, &held), NO_ERROR);
	CHECK_RC(RtmDeleteRouteToDest(e.h, r, &fl), NO_ERROR);
	CHECK_RC(RtmDeleteRouteToDest(e.h, held, &fl), ERROR_NOT_FOUND);
	/* Deleted but referenced: readable as DELETED, best nowhere. */
	CHECK(route_readable(e.h, held, &st));
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	CHECK_RC(RtmIsBestRoute(e.h, held, &v), NO_ERROR);
	CHECK_EQ_U(v, 0);
	tl_release_route(e.h, held);
	CHECK(!route_readable(e.h, held, NULL));
	env_fini(&e);
}

TEST(delete_route_reports_best_change_only_for_the_best_route)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE n2;
	RTM_ROUTE_HANDLE good, worse;
	DWORD fl = RTM_ROUTE_CHANGE_NEW;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	n2 = tl_add_nexthop(e.h, AF_INET, "10.0.0.2", 1);
	tl_ipv4(&p, "10.1.0.0", 16);
	good = tl_add_route(e.h, &p, e.nh, 10, 1, 1, &fl);
	fl = RTM_ROUTE_CHANGE_NEW;
	worse = tl_add_route(e.h, &p, n2, 20, 1, 1, &fl);
	REQUIRE(good != NULL && worse != NULL);
	fl = 0xffff;
	CHECK_RC(RtmDeleteRouteToDest(e.h, worse, &fl), NO_ERROR);
	CHECK_EQ_U(fl, 0);
	fl = 0;
	CHECK_RC(RtmDeleteRouteToDest(e.h, good, &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_RC(RtmDeleteNextHop(e.h, n2, NULL), NO_ERROR);
	env_fini(&e);
}

TEST(delete_last_route_removes_the_destination)
{
	struct env a, b;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE ra, rb;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	ra = tl_add_route(a.h, &p, a.nh, 10, 1, 1, NULL);
	rb = tl_add_route(b.h, &p, b.nh, 10, 1, 2, NULL);
	REQUIRE(ra != NULL && rb != NULL);
	tl_delete_route(a.h, ra);
	CHECK(tl_dest_exists(a.h, &p));
	tl_delete_route(b.h, rb);
	CHECK(!tl_dest_exists(a.h, &p));
	env_fini(&a);
	env_fini(&b);
}

/* ---- RtmGetRouteInfo / RtmReleaseRouteInfo / RtmReleaseRoutes ------------------------- */

TEST(get_route_info_bad_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_NET_ADDRESS p, a;
	RTM_ROUTE_HANDLE keep;
	unsigned i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	keep = tl_add_route(e.h, &p, e.nh, 10, 1, 1, NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetRouteInfo(bad.v[i].h, keep, e.ri, &a), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ROUTE) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetRouteInfo(e.h, bad.v[i].h, e.ri, &a), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK(route_readable(e.h, keep, NULL));
	tl_delete_route(e.h, keep);
	env_fini(&e);
}

TEST(get_route_info_either_buffer_may_be_null)
{
	struct env e;
	RTM_NET_ADDRESS p, a;
	RTM_ROUTE_HANDLE r;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	r = tl_add_route(e.h, &p, e.nh, 10, 1, 1, NULL);
	REQUIRE(r != NULL);
	memset(&a, 0, sizeof(a));
	CHECK_RC(RtmGetRouteInfo(e.h, r, NULL, &a), NO_ERROR);
	CHECK(tl_addr_eq(&a, &p));
	CHECK_RC(RtmGetRouteInfo(e.h, r, e.ri, NULL), NO_ERROR);
	CHECK_RC(RtmReleaseRouteInfo(e.h, e.ri), NO_ERROR);
	tl_delete_route(e.h, r);
	env_fini(&e);
}

TEST(get_route_info_works_for_any_entity_and_references_every_handle)
{
	struct env a, b;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE n2, nb;
	RTM_ROUTE_HANDLE r = NULL;
	RTM_ROUTE_INFO *got;
	RTM_DEST_INFO *di = tl_dest_info_alloc(2);
	RTM_NEXTHOP_INFO ni;
	RTM_ENTITY_INFO ei;
	DWORD fl = 0;
	int two;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	two = a.prof.MaxNextHopsInRoute >= 2;
	n2 = tl_add_nexthop(a.h, AF_INET, "10.0.0.2", 2);
	nb = tl_add_nexthop(a.h, AF_INET, "10.0.0.3", 3);
	tl_ipv4(&p, "10.1.0.0", 16);
	ri_set(a.ri, 10, 1, 1, a.nh);
	if (two) {
		a.ri->NextHopsList.NumNextHops = 2;
		TL_NH(a.ri, 1) = n2;
	}
	a.ri->Neighbour = nb;
	REQUIRE_RC(add(a.h, &r, &p, a.ri, &fl), NO_ERROR);

	got = tl_route_info_alloc(b.prof.MaxNextHopsInRoute);
	REQUIRE_RC(RtmGetRouteInfo(b.h, r, got, NULL), NO_ERROR);
	CHECK_EQ_PTR(got->RouteOwner, a.h);
	CHECK_EQ_PTR(got->Neighbour, nb);
	CHECK_EQ_U(got->NextHopsList.NumNextHops, two ? 2 : 1);
	CHECK_EQ_PTR(TL_NH(got, 0), a.nh);
	if (two)
		CHECK_EQ_PTR(TL_NH(got, 1), n2);

	/* Tear the owner down completely. */
	tl_delete_route(a.h, r);
	CHECK_RC(RtmDeleteNextHop(a.h, n2, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(a.h, nb, NULL), NO_ERROR);
	env_fini(&a);

	/* Every handle inside b's copy is still valid. */
	CHECK_RC(RtmGetDestInfo(b.h, got->DestHandle, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, di),
		 NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo(b.h, di), NO_ERROR);
	CHECK_RC(RtmGetEntityInfo(b.h, got->RouteOwner, &ei), NO_ERROR);
	CHECK_RC(RtmGetNextHopInfo(b.h, got->Neighbour, &ni), NO_ERROR);
	CHECK_RC(RtmReleaseNextHopInfo(b.h, &ni), NO_ERROR);
	CHECK_RC(RtmGetNextHopInfo(b.h, TL_NH(got, 0), &ni), NO_ERROR);
	CHECK_EQ_U(ni.State, RTM_NEXTHOP_STATE_DELETED);
	CHECK_RC(RtmReleaseNextHopInfo(b.h, &ni), NO_ERROR);

	/* Releasing the copy lets them all go. */
	CHECK_RC(RtmReleaseRouteInfo(b.h, got), NO_ERROR);
	CHECK_RC(RtmGetDestInfo(b.h, got->DestHandle, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, di),
		 ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetEntityInfo(b.h, got->RouteOwner, &ei), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetNextHopInfo(b.h, got->Neighbour, &ni), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetNextHopInfo(b.h, TL_NH(got, 0), &ni), ERROR_INVALID_HANDLE);
	free(got);
	free(di);
	env_fini(&b);
}

TEST(release_route_info_bad_arguments)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	RTM_ROUTE_INFO *junk;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	r = tl_add_route(e.h, &p, e.nh, 10, 1, 1, NULL);
	REQUIRE_RC(RtmGetRouteInfo(e.h, r, e.ri, NULL), NO_ERROR);
	CHECK_RC(RtmReleaseRouteInfo((HANDLE)0xdeadbeef, e.ri), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseRouteInfo(NULL, e.ri), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseRouteInfo(e.h, NULL), ERROR_INVALID_PARAMETER);
	junk = tl_route_info_alloc(1);
	junk->DestHandle = (HANDLE)0xdeadbeef;
	CHECK_RC(RtmReleaseRouteInfo(e.h, junk), ERROR_INVALID_HANDLE);
	free(junk);
	CHECK_RC(RtmReleaseRouteInfo(e.h, e.ri), NO_ERROR);
	tl_delete_route(e.h, r);
	env_fini(&e);
}

TEST(release_routes_bad_registration_handle_is_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	unsigned i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	r = tl_add_route(e.h, &p, e.nh, 10, 1, 1, NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmReleaseRoutes(bad.v[i].h, 1, &r), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmReleaseRoutes(e.h, 1, NULL), ERROR_INVALID_PARAMETER);
	/* The reference is still ours to consume. */
	tl_delete_route(e.h, r);
	CHECK(!route_readable(e.h, r, NULL));
	env_fini(&e);
}

TEST(release_routes_with_a_bad_handle_releases_nothing)
{
	struct env e;
	struct tl_badset bad;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r, held, arr[2];
	UCHAR st = 0xff;
	unsigned i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	r = tl_add_route(e.h, &p, e.nh, 10, 1, 1, NULL);
	REQUIRE(r != NULL);
	held = r;
	CHECK_RC(RtmReferenceHandles(e.h, 1, &held), NO_ERROR);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ROUTE) > 0);
	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue;
		arr[0] = held;
		arr[1] = bad.v[i].h;
		CHECK_RC_BAD(RtmReleaseRoutes(e.h, 2, arr), ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	/* Both references survived. */
	tl_delete_route(e.h, r);
	CHECK(route_readable(e.h, held, &st));
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	tl_release_route(e.h, held);
	CHECK(!route_readable(e.h, held, NULL));
	env_fini(&e);
}

/* ---- RtmIsBestRoute ------------------------------------------------------------------- */

TEST(is_best_route_bad_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE keep;
	DWORD v;
	unsigned i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	keep = tl_add_route(e.h, &p, e.nh, 10, 1, 1, NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmIsBestRoute(bad.v[i].h, keep, &v), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ROUTE) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmIsBestRoute(e.h, bad.v[i].h, &v), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmIsBestRoute(e.h, keep, NULL), ERROR_INVALID_PARAMETER);
	CHECK_EQ_U(best_views(e.h, keep), 1);
	tl_delete_route(e.h, keep);
	env_fini(&e);
}

TEST(is_best_route_works_on_routes_of_other_entities)
{
	struct env a, b;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE ra;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	ra = tl_add_route(a.h, &p, a.nh, 10, 1, RTM_VIEW_MASK_MCAST, NULL);
	REQUIRE(ra != NULL);
	CHECK_EQ_U(best_views(b.h, ra), RTM_VIEW_MASK_MCAST);
	tl_delete_route(a.h, ra);
	env_fini(&a);
	env_fini(&b);
}

/* ---- RtmGetExactMatchRoute ------------------------------------------------------------ */

TEST(exact_match_route_bad_registration_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE keep, r;
	unsigned i;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	keep = tl_add_route(e.h, &p, e.nh, 10, 1, 1, NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		r = NULL;
		CHECK_RC_BAD(RtmGetExactMatchRoute(bad.v[i].h, &p, RTM_MATCH_NONE,
						   ri_set(e.ri, 0, 0, 0, NULL), 0,
						   RTM_VIEW_MASK_ANY, &r),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(r, NULL);
	}
	tl_bad_fini(&bad);
	tl_delete_route(e.h, keep);
	env_fini(&e);
}

TEST(exact_match_route_null_address_is_invalid_parameter)
{
	struct env e;
	RTM_ROUTE_HANDLE r = NULL;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	CHECK_RC(RtmGetExactMatchRoute(e.h, NULL, RTM_MATCH_NONE, ri_set(e.ri, 0, 0, 0, NULL), 0,
				       RTM_VIEW_MASK_ANY, &r),
		 ERROR_INVALID_PARAMETER);
	env_fini(&e);
}

TEST(exact_match_route_missing_destination_or_match_is_not_found)
{
	struct env e;
	RTM_NET_ADDRESS p, q;
	RTM_ROUTE_HANDLE keep, r = NULL;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	tl_ipv4(&q, "10.1.0.0", 24);
	keep = tl_add_route(e.h, &p, e.nh, 10, 1, RTM_VIEW_MASK_UCAST, NULL);
	REQUIRE(keep != NULL);
	/* Exact match only: a covered longer prefix is not the destination. */
	CHECK_RC(RtmGetExactMatchRoute(e.h, &q, RTM_MATCH_NONE, ri_set(e.ri, 0, 0, 0, NULL), 0,
				       RTM_VIEW_MASK_ANY, &r),
		 ERROR_NOT_FOUND);
	/* Present, but not in the multicast view. */
	CHECK_RC(RtmGetExactMatchRoute(e.h, &p, RTM_MATCH_NONE, ri_set(e.ri, 0, 0, 0, NULL), 0,
				       RTM_VIEW_MASK_MCAST, &r),
		 ERROR_NOT_FOUND);
	/* Present, but the preference differs. */
	CHECK_RC(RtmGetExactMatchRoute(e.h, &p, RTM_MATCH_PREF, ri_set(e.ri, 11, 1, 0, NULL), 0,
				       RTM_VIEW_MASK_ANY, &r),
		 ERROR_NOT_FOUND);
	CHECK_EQ_PTR(r, NULL);
	tl_delete_route(e.h, keep);
	env_fini(&e);
}

TEST(exact_match_route_none_returns_the_best_route_and_its_info)
{
	struct env a, b;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE ra, rb, r = NULL;
	RTM_ROUTE_INFO *crit;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	tl_ipv4(&p, "10.1.0.0", 16);
	ra = tl_add_route(a.h, &p, a.nh, 20, 1, 1, NULL);
	rb = tl_add_route(b.h, &p, b.nh, 10, 4, 1, NULL);
	REQUIRE(ra != NULL && rb != NULL);
	crit = tl_route_info_alloc(a.prof.MaxNextHopsInRoute);
	CHECK_RC(RtmGetExactMatchRoute(a.h, &p, RTM_MATCH_NONE, crit, 0, RTM_VIEW_MASK_ANY, &r),
		 NO_ERROR);
	CHECK_EQ_PTR(r, rb);
	CHECK_EQ_PTR(crit->RouteOwner, b.h);
	CHECK_EQ_U(crit->PrefInfo.Preference, 10);
	CHECK_EQ_U(crit->PrefInfo.Metric, 4);
	CHECK_EQ_U(crit->NextHopsList.NumNextHops, 1);
	CHECK_EQ_PTR(TL_NH(crit, 0), b.nh);
	CHECK_RC(RtmReleaseRouteInfo(a.h, crit), NO_ERROR);
	tl_release_route(a.h, r);

	/* The handle pointer is optional. */
	CHECK_RC(RtmGetExactMatchRoute(a.h, &p, RTM_MATCH_NONE, crit, 0, RTM_VIEW_MASK_ANY, NULL),
		 NO_ERROR);
	CHECK_RC(RtmReleaseRouteInfo(a.h, crit), NO_ERROR);
	free(crit);
	tl_delete_route(a.h, ra);
	tl_delete_route(b.h, rb);
	env_fini(&a);
	env_fini(&b);
}

TEST(exact_match_route_owner_neighbour_pref_nexthop_and_interface_flags)
{
	struct env a, b;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE a2, nbr;
	RTM_ROUTE_HANDLE best, r1, r2, r = NULL;
	RTM_ROUTE_INFO *crit;
	DWORD fl;

	REQUIRE(env_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(env_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	a2 = tl_add_nexthop(a.h, AF_INET, "10.0.0.2", 22); /* interface 22 */
	nbr = tl_add_nexthop(a.h, AF_INET, "10.0.0.3", 1);
	tl_ipv4(&p, "10.1.0.0", 16);
	best = tl_add_route(b.h, &p, b.nh, 1, 1, 1, NULL);
	fl = RTM_ROUTE_CHANGE_NEW;
	r1 = tl_add_route(a.h, &p, a.nh, 10, 5, 1, &fl);
	ri_set(a.ri, 10, 6, 1, a2);
	a.ri->Neighbour = nbr;
	r2 = NULL;
	fl = 0;
	CHECK_RC(add(a.h, &r2, &p, a.ri, &fl), NO_ERROR);
	REQUIRE(best != NULL && r1 != NULL && r2 != NULL);
	crit = tl_route_info_alloc(a.prof.MaxNextHopsInRoute);

	/* OWNER: a's first route in preference order. */
	ri_set(crit, 0, 0, 0, NULL);
	crit->RouteOwner = a.h;
	CHECK_RC(RtmGetExactMatchRoute(a.h, &p, RTM_MATCH_OWNER, crit, 0, RTM_VIEW_MASK_ANY, &r),
		 NO_ERROR);
	CHECK_EQ_PTR(r, r1);
	CHECK_EQ_PTR(crit->RouteOwner, a.h);
	CHECK_RC(RtmReleaseRouteInfo(a.h, crit), NO_ERROR);
	tl_release_route(a.h, r);

	/* NEIGHBOUR. */
	ri_set(crit, 0, 0, 0, NULL);
	crit->Neighbour = nbr;
	r = NULL;
	CHECK_RC(RtmGetExactMatchRoute(a.h, &p, RTM_MATCH_NEIGHBOUR, crit, 0, RTM_VIEW_MASK_ANY,
				       &r),
		 NO_ERROR);
	CHECK_EQ_PTR(r, r2);
	CHECK_RC(RtmReleaseRouteInfo(a.h, crit), NO_ERROR);
	tl_release_route(a.h, r);

	/* PREF: preference and metric both. */
	ri_set(crit, 10, 6, 0, NULL);
	r = NULL;
	CHECK_RC(RtmGetExactMatchRoute(a.h, &p, RTM_MATCH_PREF, crit, 0, RTM_VIEW_MASK_ANY, &r),
		 NO_ERROR);
	CHECK_EQ_PTR(r, r2);
	CHECK_RC(RtmReleaseRouteInfo(a.h, crit), NO_ERROR);
	tl_release_route(a.h, r);

	/* NEXTHOP. */
	ri_set(crit, 0, 0, 0, a.nh);
	r = NULL;
	CHECK_RC(RtmGetExactMatchRoute(a.h, &p, RTM_MATCH_NEXTHOP, crit, 0, RTM_VIEW_MASK_ANY, &r),
		 NO_ERROR);
	CHECK_EQ_PTR(r, r1);
	CHECK_RC(RtmReleaseRouteInfo(a.h, crit), NO_ERROR);
	tl_release_route(a.h, r);

	/* INTERFACE: a next hop of the route is on interface 22. */
	ri_set(crit, 0, 0, 0, NULL);
	r = NULL;
	CHECK_RC(RtmGetExactMatchRoute(a.h, &p, RTM_MATCH_INTERFACE, crit, 22, RTM_VIEW_MASK_ANY,
				       &r),
		 NO_ERROR);
	CHECK_EQ_PTR(r, r2);
	CHECK_RC(RtmReleaseRouteInfo(a.h, crit), NO_ERROR);
	tl_release_route(a.h, r);

	/* Combined flags must all hold. */
	ri_set(crit, 10, 5, 0, NULL);
	crit->RouteOwner = b.h;
	r = NULL;
	CHECK_RC(RtmGetExactMatchRoute(a.h, &p, RTM_MATCH_OWNER | RTM_MATCH_PREF, crit, 0,
				       RTM_VIEW_MASK_ANY, &r),
		 ERROR_NOT_FOUND);
	CHECK_EQ_PTR(r, NULL);

	free(crit);
	tl_delete_route(b.h, best);
	tl_delete_route(a.h, r1);
	tl_delete_route(a.h, r2);
	CHECK_RC(RtmDeleteNextHop(a.h, a2, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(a.h, nbr, NULL), NO_ERROR);
	env_fini(&a);
	env_fini(&b);
}

TEST(exact_match_route_nexthop_flag_needs_every_criteria_next_hop)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE n2, n3;
	RTM_ROUTE_HANDLE one, two, r = NULL;
	RTM_ROUTE_INFO *crit;
	DWORD fl = 0;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	if (e.prof.MaxNextHopsInRoute < 2) {
		check_note("MaxNextHopsInRoute is %u, nothing to test",
			   (unsigned)e.prof.MaxNextHopsInRoute);
		env_fini(&e);
		return;
	}
	n2 = tl_add_nexthop(e.h, AF_INET, "10.0.0.2", 1);
	n3 = tl_add_nexthop(e.h, AF_INET, "10.0.0.3", 1);
	tl_ipv4(&p, "10.1.0.0", 16);
	/* one: {nh, n2}, pref 10; two: {nh, n3}, pref 20. */
	one = NULL;
	ri_set(e.ri, 10, 1, 1, e.nh);
	e.ri->NextHopsList.NumNextHops = 2;
	TL_NH(e.ri, 1) = n2;
	CHECK_RC(add(e.h, &one, &p, e.ri, &fl), NO_ERROR);
	two = NULL;
	ri_set(e.ri, 20, 1, 1, e.nh);
	e.ri->NextHopsList.NumNextHops = 2;
	TL_NH(e.ri, 1) = n3;
	fl = RTM_ROUTE_CHANGE_NEW;
	CHECK_RC(add(e.h, &two, &p, e.ri, &fl), NO_ERROR);
	REQUIRE(one != NULL && two != NULL);

	crit = tl_route_info_alloc(e.prof.MaxNextHopsInRoute);
	/* {nh, n3}: only the second route has both. */
	ri_set(crit, 0, 0, 0, n3);
	crit->NextHopsList.NumNextHops = 2;
	TL_NH(crit, 1) = e.nh;
	CHECK_RC(RtmGetExactMatchRoute(e.h, &p, RTM_MATCH_NEXTHOP, crit, 0, RTM_VIEW_MASK_ANY, &r),
		 NO_ERROR);
	CHECK_EQ_PTR(r, two);
	CHECK_RC(RtmReleaseRouteInfo(e.h, crit), NO_ERROR);
	tl_release_route(e.h, r);
	/* {n2, n3}: nobody has both. */
	ri_set(crit, 0, 0, 0, n2);
	crit->NextHopsList.NumNextHops = 2;
	TL_NH(crit, 1) = n3;
	r = NULL;
	CHECK_RC(RtmGetExactMatchRoute(e.h, &p, RTM_MATCH_NEXTHOP, crit, 0, RTM_VIEW_MASK_ANY, &r),
		 ERROR_NOT_FOUND);
	CHECK_EQ_PTR(r, NULL);
	free(crit);
	tl_delete_route(e.h, one);
	tl_delete_route(e.h, two);
	CHECK_RC(RtmDeleteNextHop(e.h, n2, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(e.h, n3, NULL), NO_ERROR);
	env_fini(&e);
}

TEST(exact_match_route_view_mask_skips_routes_outside_the_views)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE n2;
	RTM_ROUTE_HANDLE u, m, r = NULL;
	DWORD fl = RTM_ROUTE_CHANGE_NEW;

	REQUIRE(env_init(&e, AF_INET, TL_PROTO_RIP, 1));
	n2 = tl_add_nexthop(e.h, AF_INET, "10.0.0.2", 1);
	tl_ipv4(&p, "10.1.0.0", 16);
	u = tl_add_route(e.h, &p, e.nh, 10, 1, RTM_VIEW_MASK_UCAST, &fl);
	fl = RTM_ROUTE_CHANGE_NEW;
	m = tl_add_route(e.h, &p, n2, 20, 1, RTM_VIEW_MASK_MCAST, &fl);
	REQUIRE(u != NULL && m != NULL);
	CHECK_RC(RtmGetExactMatchRoute(e.h, &p, RTM_MATCH_NONE, ri_set(e.ri, 0, 0, 0, NULL), 0,
				       RTM_VIEW_MASK_MCAST, &r),
		 NO_ERROR);
	CHECK_EQ_PTR(r, m);
	CHECK_RC(RtmReleaseRouteInfo(e.h, e.ri), NO_ERROR);
	tl_release_route(e.h, r);
	r = NULL;
	CHECK_RC(RtmGetExactMatchRoute(e.h, &p, RTM_MATCH_NONE, ri_set(e.ri, 0, 0, 0, NULL), 0,
				       RTM_VIEW_MASK_ANY, &r),
		 NO_ERROR);
	CHECK_EQ_PTR(r, u);
	CHECK_RC(RtmReleaseRouteInfo(e.h, e.ri), NO_ERROR);
	tl_release_route(e.h, r);
	tl_delete_route(e.h, u);
	tl_delete_route(e.h, m);
	CHECK_RC(RtmDeleteNextHop(e.h, n2, NULL), NO_ERROR);
	env_fini(&e);
}

int
main(int c, char **v)
{
	return check_main(c, v);
}
