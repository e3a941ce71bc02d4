/*
 * test_handles.c - RtmReferenceHandles and the handle life cycle: references
 * carried by every returned handle, deleted-but-referenced objects, handles
 * dying at once with their last reference, one handle value per object, and
 * stale handles refused by every call (SEMANTICS §3, §5, §9, §14.19).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

struct env {
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	RTM_DEST_HANDLE dest; /* referenced through di */
	RTM_DEST_INFO *di;
};

static int
env_init(struct env *e, ULONG proto)
{
	memset(e, 0, sizeof(*e));
	e->h = tl_register(AF_INET, proto, 1, &e->prof);
	if (e->h == NULL)
		return 0;
	e->nh = tl_add_nexthop(e->h, AF_INET, "10.0.0.1", 1);
	tl_ipv4(&e->p, "10.1.0.0", 16);
	e->r = tl_add_route(e->h, &e->p, e->nh, 10, 1, RTM_VIEW_MASK_UCAST, NULL);
	e->di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	if (e->r == NULL || tl_exact_dest(e->h, &e->p, RTM_VIEW_MASK_ANY, e->di) != NO_ERROR)
		return 0;
	e->dest = e->di->DestHandle;
	return 1;
}

static void
env_fini(struct env *e)
{
	if (e->dest != NULL)
		CHECK_RC(RtmReleaseDestInfo(e->h, e->di), NO_ERROR);
	free(e->di);
	if (e->r != NULL)
		tl_delete_route(e->h, e->r);
	if (e->nh != NULL)
		CHECK_RC(RtmDeleteNextHop(e->h, e->nh, NULL), NO_ERROR);
	tl_deregister(e->h);
}

static int
route_state(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r, UCHAR *st)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(64);
	DWORD rc = RtmGetRouteInfo(h, r, ri, NULL);

	if (rc == NO_ERROR) {
		*st = ri->State;
		RtmReleaseRouteInfo(h, ri);
	}
	free(ri);
	return rc == NO_ERROR;
}

static DWORD
dest_rc(RTM_ENTITY_HANDLE h, RTM_DEST_HANDLE d)
{
	RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	DWORD rc = RtmGetDestInfo(h, d, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY, di);

	if (rc == NO_ERROR)
		RtmReleaseDestInfo(h, di);
	free(di);
	return rc;
}

static DWORD
nexthop_rc(RTM_ENTITY_HANDLE h, RTM_NEXTHOP_HANDLE nh)
{
	RTM_NEXTHOP_INFO ni;
	DWORD rc = RtmGetNextHopInfo(h, nh, &ni);

	if (rc == NO_ERROR)
		RtmReleaseNextHopInfo(h, &ni);
	return rc;
}

/* ---- RtmReferenceHandles -------------------------------------------------------------- */

TEST(reference_handles_bad_registration_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	HANDLE hs[1];
	unsigned i;

	REQUIRE(env_init(&e, TL_PROTO_RIP));
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		hs[0] = e.r;
		CHECK_RC_BAD(RtmReferenceHandles(bad.v[i].h, 1, hs), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	}
	tl_bad_fini(&bad);
	CHECK_RC(RtmReferenceHandles(e.h, 1, NULL), ERROR_INVALID_PARAMETER);
	/* No reference was added: the delete ends the route's handle. */
	{
		RTM_ROUTE_HANDLE r = e.r;
		UCHAR st = 0xff;

		tl_delete_route(e.h, e.r);
		e.r = NULL;
		CHECK(!route_state(e.h, r, &st));
	}
	env_fini(&e);
}

TEST(reference_handles_is_all_or_nothing)
{
	struct env e;
	struct tl_badset bad;
	HANDLE hs[3];
	RTM_ROUTE_HANDLE r;
	UCHAR st = 0xff;
	unsigned i, kind;
	static const enum tl_htype kinds[] = {TL_H_ENTITY, TL_H_DEST, TL_H_ROUTE, TL_H_NEXTHOP};

	REQUIRE(env_init(&e, TL_PROTO_RIP));
	for (kind = 0; kind < 4; kind++) {
		REQUIRE(tl_bad_init(&bad, AF_INET, kinds[kind]) > 0);
		for (i = 0; i < bad.n; i++) {
			/* Live handles of every type are fine, so skip the wrong-type ones. */
			if (strncmp(bad.v[i].what, "wrong type", 10) == 0)
				continue;
			hs[0] = e.r;
			hs[1] = bad.v[i].h;
			hs[2] = e.nh;
			CHECK_RC_BAD(RtmReferenceHandles(e.h, 3, hs), ERROR_INVALID_HANDLE,
				     &bad.v[i]);
		}
		tl_bad_fini(&bad);
	}
	/* Neither the route nor the next hop gained a reference. */
	r = e.r;
	tl_delete_route(e.h, e.r);
	e.r = NULL;
	CHECK(!route_state(e.h, r, &st));
	CHECK_RC(RtmDeleteNextHop(e.h, e.nh, NULL), NO_ERROR);
	CHECK_RC(nexthop_rc(e.h, e.nh), ERROR_INVALID_HANDLE);
	e.nh = NULL;
	env_fini(&e);
}

TEST(reference_handles_accepts_every_handle_type)
{
	struct env a;
	RTM_ENTITY_HANDLE b;
	RTM_ENTITY_INFO ei;
	HANDLE hs[4];
	UCHAR st = 0xff;

	REQUIRE(env_init(&a, TL_PROTO_RIP));
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(b != NULL);
	hs[0] = a.h;
	hs[1] = a.dest;
	hs[2] = a.r;
	hs[3] = a.nh;
	CHECK_RC(RtmReferenceHandles(b, 4, hs), NO_ERROR);

	/* a tears everything down; b's references keep the objects. */
	tl_delete_route(a.h, a.r);
	a.r = NULL;
	CHECK_RC(RtmDeleteNextHop(a.h, a.nh, NULL), NO_ERROR);
	a.nh = NULL;
	CHECK_RC(RtmReleaseDestInfo(a.h, a.di), NO_ERROR);
	a.dest = NULL;
	tl_deregister(a.h);
	a.h = NULL;

	CHECK_RC(RtmGetEntityInfo(b, hs[0], &ei), NO_ERROR);
	CHECK_RC(dest_rc(b, hs[1]), NO_ERROR);
	CHECK(route_state(b, hs[2], &st));
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	CHECK_RC(nexthop_rc(b, hs[3]), NO_ERROR);

	/* Each type goes back through its own release call. */
	CHECK_RC(RtmReleaseEntities(b, 1, &hs[0]), NO_ERROR);
	CHECK_RC(RtmReleaseRoutes(b, 1, &hs[2]), NO_ERROR);
	CHECK_RC(RtmReleaseNextHops(b, 1, &hs[3]), NO_ERROR);
	{
		/* A bare dest handle is released through a dest info holding it. */
		RTM_DEST_INFO *di = tl_dest_info_alloc(1);

		di->DestHandle = hs[1];
		CHECK_RC(RtmReleaseDestInfo(b, di), NO_ERROR);
		free(di);
	}
	CHECK_RC(RtmGetEntityInfo(b, hs[0], &ei), ERROR_INVALID_HANDLE);
	CHECK_RC(dest_rc(b, hs[1]), ERROR_INVALID_HANDLE);
	CHECK(!route_state(b, hs[2], &st));
	CHECK_RC(nexthop_rc(b, hs[3]), ERROR_INVALID_HANDLE);
	free(a.di);
	tl_deregister(b);
}

TEST(reference_handles_adds_one_reference_per_entry)
{
	struct env e;
	RTM_ROUTE_HANDLE hs[2], r;
	UCHAR st = 0xff;

	REQUIRE(env_init(&e, TL_PROTO_RIP));
	hs[0] = e.r;
	hs[1] = e.r;
	CHECK_RC(RtmReferenceHandles(e.h, 2, hs), NO_ERROR);
	r = e.r;
	tl_delete_route(e.h, e.r);
	e.r = NULL;
	CHECK(route_state(e.h, r, &st));
	tl_release_route(e.h, r);
	CHECK(route_state(e.h, r, &st));
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	tl_release_route(e.h, r);
	CHECK(!route_state(e.h, r, &st));
	env_fini(&e);
}

TEST(reference_handles_with_zero_count_does_nothing)
{
	struct env e;

	REQUIRE(env_init(&e, TL_PROTO_RIP));
	CHECK_RC(RtmReferenceHandles(e.h, 0, NULL), NO_ERROR);
	env_fini(&e);
}

/* ---- lifetimes ------------------------------------------------------------------------ */

TEST(deleted_route_stays_readable_until_its_last_reference_goes)
{
	struct env a;
	RTM_ENTITY_HANDLE b;
	RTM_ROUTE_HANDLE held;
	UCHAR st = 0xff;
	DWORD v = 0xff;

	REQUIRE(env_init(&a, TL_PROTO_RIP));
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(b != NULL);
	held = a.r;
	CHECK_RC(RtmReferenceHandles(b, 1, &held), NO_ERROR);
	tl_delete_route(a.h, a.r);
	a.r = NULL;
	CHECK(route_state(b, held, &st));
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	CHECK_RC(RtmIsBestRoute(b, held, &v), NO_ERROR);
	CHECK_EQ_U(v, 0);
	CHECK(!tl_dest_exists(b, &a.p));
	tl_release_route(b, held);
	/* Dead at once, for every call. */
	CHECK(!route_state(b, held, &st));
	CHECK_RC(RtmIsBestRoute(b, held, &v), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseRoutes(b, 1, &held), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReferenceHandles(b, 1, &held), ERROR_INVALID_HANDLE);
	tl_deregister(b);
	env_fini(&a);
}

/* A thread that looks up a destination and exits, holding the references. */
struct lookup_and_exit {
	RTM_ENTITY_HANDLE h;
	RTM_NET_ADDRESS *p;
	RTM_DEST_INFO *di;
	DWORD rc;
};

static void *
lookup_and_exit(void *arg)
{
	struct lookup_and_exit *a = arg;

	a->rc = RtmGetMostSpecificDestination(a->h, a->p, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
					      a->di);
	return NULL;
}

TEST(references_taken_by_an_exited_thread_stay_exact)
{
	/* A lookup's references may be counted per thread; a thread's exit
	 * hands them back while the route may be deleted at the same moment.
	 * Each round: they must still hold the route, then die with the release. */
	struct env e;
	RTM_DEST_INFO *di = tl_dest_info_alloc(1);

	REQUIRE(env_init(&e, TL_PROTO_RIP));
	for (int round = 0; round < 200; round++) {
		struct lookup_and_exit a = {e.h, &e.p, di, ERROR_INVALID_PARAMETER};
		RTM_ROUTE_HANDLE r = e.r;
		pthread_t t;
		UCHAR st = 0xff;

		REQUIRE(pthread_create(&t, NULL, lookup_and_exit, &a) == 0);
		if (round & 1)
			tl_delete_route(e.h, r); /* racing the thread's lookup and exit */
		REQUIRE(pthread_join(t, NULL) == 0);
		if (!(round & 1))
			tl_delete_route(e.h, r);
		if (a.rc == NO_ERROR) {
			CHECK(route_state(e.h, di->ViewInfo[0].Route, &st));
			CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
			CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
		} else {
			CHECK_RC(a.rc, ERROR_NOT_FOUND); /* the delete came first */
		}
		CHECK(!route_state(e.h, r, &st));
		e.r = tl_add_route(e.h, &e.p, e.nh, 10, 1, RTM_VIEW_MASK_UCAST, NULL);
		REQUIRE(e.r != NULL);
	}
	free(di);
	env_fini(&e);
}

TEST(dest_handle_lives_while_referenced_after_the_dest_left_the_table)
{
	struct env e;
	RTM_DEST_HANDLE d;

	REQUIRE(env_init(&e, TL_PROTO_RIP));
	d = e.dest;
	tl_delete_route(e.h, e.r);
	e.r = NULL;
	CHECK(!tl_dest_exists(e.h, &e.p));
	CHECK_RC(dest_rc(e.h, d), NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo(e.h, e.di), NO_ERROR);
	e.dest = NULL;
	CHECK_RC(dest_rc(e.h, d), ERROR_INVALID_HANDLE);
	/* A new route at the same prefix makes a new destination, not the old handle. */
	{
		RTM_ROUTE_HANDLE r = tl_add_route(e.h, &e.p, e.nh, 10, 1, RTM_VIEW_MASK_UCAST,
						  NULL);
		RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);

		CHECK_RC(tl_exact_dest(e.h, &e.p, RTM_VIEW_MASK_ANY, di), NO_ERROR);
		CHECK_NE_PTR(di->DestHandle, d);
		CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
		CHECK_RC(dest_rc(e.h, d), ERROR_INVALID_HANDLE);
		free(di);
		tl_delete_route(e.h, r);
	}
	env_fini(&e);
}

TEST(live_objects_keep_their_handle_values)
{
	struct env e;
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(64);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh2 = NULL;
	RTM_ENTITY_HANDLE hs[4];
	UINT num = 4;

	REQUIRE(env_init(&e, TL_PROTO_RIP));
	REQUIRE_RC(RtmGetRouteInfo(e.h, e.r, ri, NULL), NO_ERROR);
	CHECK_EQ_PTR(ri->DestHandle, e.dest);
	CHECK_EQ_PTR(ri->RouteOwner, e.h);
	CHECK_EQ_PTR(TL_NH(ri, 0), e.nh);
	CHECK_RC(RtmReleaseRouteInfo(e.h, ri), NO_ERROR);
	memset(&ni, 0, sizeof(ni));
	tl_ipv4(&ni.NextHopAddress, "10.0.0.1", 32);
	ni.InterfaceIndex = 1;
	CHECK_RC(RtmFindNextHop(e.h, &ni, &nh2, NULL), NO_ERROR);
	CHECK_EQ_PTR(nh2, e.nh);
	tl_release_nexthop(e.h, nh2);
	CHECK_RC(RtmGetRegisteredEntities(e.h, &num, hs, NULL), NO_ERROR);
	CHECK_EQ_U(num, 1);
	CHECK_EQ_PTR(hs[0], e.h);
	CHECK_RC(RtmReleaseEntities(e.h, num, hs), NO_ERROR);
	free(ri);
	env_fini(&e);
}

TEST(handle_values_are_not_reused_while_stale_copies_may_exist)
{
	enum { N = 200 };
	struct env e;
	RTM_ROUTE_HANDLE dead[N];
	RTM_NET_ADDRESS q;
	UCHAR st = 0xff;
	unsigned i, j, reused = 0;

	REQUIRE(env_init(&e, TL_PROTO_RIP));
	tl_ipv4(&q, "10.77.0.0", 16);
	for (i = 0; i < N; i++) {
		dead[i] = tl_add_route(e.h, &q, e.nh, 10, 1, RTM_VIEW_MASK_UCAST, NULL);
		if (dead[i] != NULL)
			tl_delete_route(e.h, dead[i]);
	}
	for (i = 0; i < N; i++) {
		if (dead[i] != NULL && route_state(e.h, dead[i], &st))
			check_fail(__FILE__, __LINE__, "dead route handle %u (%p) is readable", i,
				   dead[i]);
		for (j = 0; j < i; j++)
			reused += dead[i] != NULL && dead[i] == dead[j];
	}
	CHECK_EQ_U(reused, 0);
	env_fini(&e);
}

TEST(entity_deregistration_leaves_held_handles_usable)
{
	struct env a;
	RTM_ENTITY_HANDLE b;
	RTM_ROUTE_HANDLE held_r;
	RTM_NEXTHOP_HANDLE held_nh;
	RTM_ENTITY_HANDLE held_e;
	RTM_NEXTHOP_INFO ni;
	RTM_ENTITY_INFO ei;
	UCHAR st = 0xff;

	REQUIRE(env_init(&a, TL_PROTO_RIP));
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(b != NULL);
	held_r = a.r;
	held_nh = a.nh;
	held_e = a.h;
	CHECK_RC(RtmReferenceHandles(b, 1, &held_r), NO_ERROR);
	CHECK_RC(RtmReferenceHandles(b, 1, &held_nh), NO_ERROR);
	CHECK_RC(RtmReferenceHandles(b, 1, &held_e), NO_ERROR);
	/* a drops its own references and deregisters without deleting anything. */
	CHECK_RC(RtmReleaseDestInfo(a.h, a.di), NO_ERROR);
	tl_release_route(a.h, a.r);
	tl_release_nexthop(a.h, a.nh);
	CHECK_RC(RtmDeregisterEntity(a.h), NO_ERROR);

	CHECK(!tl_dest_exists(b, &a.p));
	CHECK(route_state(b, held_r, &st));
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	CHECK_RC(RtmGetNextHopInfo(b, held_nh, &ni), NO_ERROR);
	CHECK_EQ_U(ni.State, RTM_NEXTHOP_STATE_DELETED);
	CHECK_RC(RtmReleaseNextHopInfo(b, &ni), NO_ERROR);
	CHECK_RC(RtmGetEntityInfo(b, held_e, &ei), NO_ERROR);

	CHECK_RC(RtmReleaseRoutes(b, 1, &held_r), NO_ERROR);
	CHECK_RC(RtmReleaseNextHops(b, 1, &held_nh), NO_ERROR);
	CHECK_RC(RtmReleaseEntities(b, 1, &held_e), NO_ERROR);
	CHECK(!route_state(b, held_r, &st));
	CHECK_RC(nexthop_rc(b, held_nh), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetEntityInfo(b, held_e, &ei), ERROR_INVALID_HANDLE);
	free(a.di);
	tl_deregister(b);
}

/* ---- stale handles are refused everywhere --------------------------------------------- */

TEST(stale_route_handle_is_refused_by_every_route_call)
{
	struct env e;
	struct tl_badset bad;
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(64), *ptr;
	RTM_NET_ADDRESS a;
	DWORD v, fl;
	unsigned i;

	REQUIRE(env_init(&e, TL_PROTO_RIP));
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ROUTE) > 0);
	for (i = 0; i < bad.n; i++) {
		struct tl_bad *b = &bad.v[i];
		RTM_ROUTE_HANDLE r = b->h;

		if (strncmp(b->what, "stale", 5) != 0)
			continue;
		CHECK_RC_BAD(RtmGetRouteInfo(e.h, r, ri, &a), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmIsBestRoute(e.h, r, &v), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmDeleteRouteToDest(e.h, r, &fl), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmLockRoute(e.h, r, TRUE, TRUE, &ptr), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmGetRoutePointer(e.h, r, &ptr), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmReleaseRoutes(e.h, 1, &r), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmReferenceHandles(e.h, 1, (HANDLE *)&r), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmUpdateAndUnlockRoute(e.h, r, INFINITE, NULL, 0, NULL, &fl),
			     ERROR_INVALID_HANDLE, b);
	}
	tl_bad_fini(&bad);
	free(ri);
	env_fini(&e);
}

TEST(stale_dest_and_nexthop_handles_are_refused_by_every_call)
{
	struct env e;
	struct tl_badset bad;
	RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	RTM_NEXTHOP_INFO ni, *np;
	PVOID *slot;
	DWORD fl;
	unsigned i;

	REQUIRE(env_init(&e, TL_PROTO_RIP));
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_DEST) > 0);
	for (i = 0; i < bad.n; i++) {
		struct tl_bad *b = &bad.v[i];

		if (strncmp(b->what, "stale", 5) != 0)
			continue;
		CHECK_RC_BAD(RtmGetDestInfo(e.h, b->h, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY, di),
			     ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmGetLessSpecificDestination(e.h, b->h, RTM_BEST_PROTOCOL,
							   RTM_VIEW_MASK_ANY, di),
			     ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmLockDestination(e.h, b->h, TRUE, TRUE), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmGetOpaqueInformationPointer(e.h, b->h, (PVOID *)&slot),
			     ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmReferenceHandles(e.h, 1, &b->h), ERROR_INVALID_HANDLE, b);
	}
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_NEXTHOP) > 0);
	for (i = 0; i < bad.n; i++) {
		struct tl_bad *b = &bad.v[i];

		if (strncmp(b->what, "stale", 5) != 0)
			continue;
		CHECK_RC_BAD(RtmGetNextHopInfo(e.h, b->h, &ni), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmGetNextHopPointer(e.h, b->h, &np), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmLockNextHop(e.h, b->h, TRUE, TRUE, &np), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmDeleteNextHop(e.h, b->h, NULL), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmReleaseNextHops(e.h, 1, &b->h), ERROR_INVALID_HANDLE, b);
		CHECK_RC_BAD(RtmReferenceHandles(e.h, 1, &b->h), ERROR_INVALID_HANDLE, b);
		{
			RTM_NEXTHOP_HANDLE upd = b->h;
			RTM_NEXTHOP_INFO in;

			memset(&in, 0, sizeof(in));
			tl_ipv4(&in.NextHopAddress, "203.0.113.1", 32);
			in.InterfaceIndex = 99;
			CHECK_RC_BAD(RtmAddNextHop(e.h, &in, &upd, &fl), ERROR_INVALID_HANDLE, b);
		}
	}
	tl_bad_fini(&bad);
	free(di);
	env_fini(&e);
}

int
main(int c, char **v)
{
	return check_main(c, v);
}
