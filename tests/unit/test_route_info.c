/*
 * test_route_info.c - the RTM's own RTM_ROUTE_INFO of a route (the one
 * RtmGetRoutePointer and RtmLockRoute hand out, SEMANTICS §6).  The store
 * builds it from the route's published data the first time it is asked for
 * and keeps it current from then on; these tests check that it always says
 * what RtmGetRouteInfo says, whichever came first, including when it is
 * built while another thread keeps updating the route.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define UCAST RTM_VIEW_MASK_UCAST
#define RACE_ROUTES 512
#define RACE_ROUNDS 40

struct env {
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh;
};

static int
env_init(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->h = tl_register(AF_INET, TL_PROTO_RIP, 1, &e->prof);
	if (e->h == NULL)
		return 0;
	e->nh = tl_add_nexthop(e->h, AF_INET, "10.0.0.1", 1);
	return e->nh != NULL;
}

static void
env_fini(struct env *e)
{
	if (e->nh != NULL)
		CHECK_RC(RtmDeleteNextHop(e->h, e->nh, NULL), NO_ERROR);
	tl_deregister(e->h);
}

/* Update route r in place through its handle: new metric. */
static DWORD
set_metric(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r, RTM_NEXTHOP_HANDLE nh, ULONG metric)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(1);
	RTM_ROUTE_HANDLE rh = r;
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	DWORD rc;

	ri->PrefInfo.Preference = 10;
	ri->PrefInfo.Metric = metric;
	ri->BelongsToViews = UCAST;
	ri->NextHopsList.NumNextHops = 1;
	TL_NH(ri, 0) = nh;
	rc = RtmAddRouteToDest(h, &rh, NULL, ri, INFINITE, NULL, 0, NULL, &fl);
	free(ri);
	return rc;
}

TEST(route_pointer_built_after_updates_shows_the_latest)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	RTM_ROUTE_INFO *ptr = NULL;

	REQUIRE(env_init(&e));
	tl_ipv4(&p, "10.1.0.0", 16);
	r = tl_add_route(e.h, &p, e.nh, 10, 5, UCAST, NULL);
	REQUIRE(r != NULL);
	CHECK_RC(set_metric(e.h, r, e.nh, 9), NO_ERROR);
	CHECK_RC(RtmGetRoutePointer(e.h, r, &ptr), NO_ERROR);
	REQUIRE(ptr != NULL);
	CHECK_EQ_U(ptr->PrefInfo.Metric, 9);
	CHECK_EQ_U(ptr->PrefInfo.Preference, 10);
	CHECK_EQ_U(ptr->State, RTM_ROUTE_STATE_CREATED);
	CHECK_EQ_U(ptr->NextHopsList.NumNextHops, 1);
	CHECK_EQ_PTR(TL_NH(ptr, 0), e.nh);
	CHECK_EQ_PTR(ptr->RouteOwner, e.h);
	tl_delete_route(e.h, r);
	env_fini(&e);
}

TEST(route_pointer_follows_updates_and_deletion)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r, extra;
	RTM_ROUTE_INFO *ptr = NULL, *again = NULL;
	RTM_ROUTE_CHANGE_FLAGS fl = 0;

	REQUIRE(env_init(&e));
	tl_ipv4(&p, "10.2.0.0", 16);
	r = tl_add_route(e.h, &p, e.nh, 10, 5, UCAST, NULL);
	REQUIRE(r != NULL);
	CHECK_RC(RtmGetRoutePointer(e.h, r, &ptr), NO_ERROR);
	REQUIRE(ptr != NULL);
	CHECK_EQ_U(ptr->PrefInfo.Metric, 5);
	CHECK_RC(set_metric(e.h, r, e.nh, 7), NO_ERROR);
	CHECK_EQ_U(ptr->PrefInfo.Metric, 7);
	/* Built once: the same buffer every time. */
	CHECK_RC(RtmGetRoutePointer(e.h, r, &again), NO_ERROR);
	CHECK_EQ_PTR(again, ptr);
	/* Keep the route alive past its deletion to read its state. */
	extra = r;
	CHECK_RC(RtmReferenceHandles(e.h, 1, &extra), NO_ERROR);
	CHECK_RC(RtmDeleteRouteToDest(e.h, r, &fl), NO_ERROR);
	CHECK_EQ_U(ptr->State, RTM_ROUTE_STATE_DELETED);
	tl_release_route(e.h, extra);
	env_fini(&e);
}

struct race {
	struct env *e;
	RTM_ROUTE_HANDLE r[RACE_ROUTES];
	DWORD rc;
};

static void *
updater(void *arg)
{
	struct race *x = arg;

	for (ULONG round = 1; round <= RACE_ROUNDS && x->rc == NO_ERROR; round++) {
		for (unsigned i = 0; i < RACE_ROUTES && x->rc == NO_ERROR; i++)
			x->rc = set_metric(x->e->h, x->r[i], x->e->nh, 100 + round);
	}
	return NULL;
}

/*
 * Infos built (without a lock) while another thread replaces the routes'
 * versions: once the updates stop, each must hold the last metric.
 */
TEST(route_pointer_built_during_updates_ends_current)
{
	struct env e;
	struct race *x = calloc(1, sizeof(*x));
	RTM_ROUTE_INFO *ptr[RACE_ROUTES];
	pthread_t t;
	unsigned i, stale = 0;

	REQUIRE(x != NULL);
	REQUIRE(env_init(&e));
	x->e = &e;
	for (i = 0; i < RACE_ROUTES; i++) {
		RTM_NET_ADDRESS p;
		char a[32];

		snprintf(a, sizeof(a), "10.%u.%u.0", 100 + i / 256, i % 256);
		tl_ipv4(&p, a, 24);
		x->r[i] = tl_add_route(e.h, &p, e.nh, 10, 5, UCAST, NULL);
		REQUIRE(x->r[i] != NULL);
	}
	REQUIRE(pthread_create(&t, NULL, updater, x) == 0);
	/* Walk backwards so that the two threads meet in the middle. */
	for (i = RACE_ROUTES; i-- > 0;) {
		ptr[i] = NULL;
		CHECK_RC(RtmGetRoutePointer(e.h, x->r[i], &ptr[i]), NO_ERROR);
	}
	pthread_join(t, NULL);
	CHECK_RC(x->rc, NO_ERROR);
	for (i = 0; i < RACE_ROUTES; i++) {
		if (ptr[i] == NULL)
			continue;
		if (ptr[i]->PrefInfo.Metric != tl_route_metric(e.h, x->r[i]) ||
		    ptr[i]->PrefInfo.Metric != 100 + RACE_ROUNDS)
			stale++;
	}
	CHECK_EQ_U(stale, 0);
	for (i = 0; i < RACE_ROUTES; i++)
		tl_delete_route(e.h, x->r[i]);
	env_fini(&e);
	free(x);
}

int
main(int c, char **v)
{
	return check_main(c, v);
}
