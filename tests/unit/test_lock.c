/*
 * test_lock.c - RtmLockDestination, RtmLockRoute, RtmUpdateAndUnlockRoute,
 * RtmGetRoutePointer, RtmGetOpaqueInformationPointer and the opaque slots
 * reserved by RtmRegisterEntity (SEMANTICS §4, §6, §14.1-2, §14.31), and the
 * lock policy extension RtmxSetLockPolicy / RtmxGetLockPolicy (rtm/rtmx.h).
 * CTest runs this file once per policy (unit.lock with the default,
 * unit.lock.phasefair and unit.lock.hybrid with RTM_LOCK_POLICY set).
 *
 * Thread tests only assert ordering (a waiter has not got the lock while it
 * is held; it gets it after the release), never speed.  Where a call must
 * not block, the test waits for it with a generous deadline so that a
 * deadlock shows up as a failure instead of a hang.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define UCAST RTM_VIEW_MASK_UCAST
#define MCAST RTM_VIEW_MASK_MCAST

/* Deadline for calls that must complete while a lock is held. */
#define NONBLOCK_DEADLINE_MS 30000
/* How long a waiter gets to (wrongly) acquire a held lock. */
#define WAIT_PROBE_MS 150

struct env {
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r;
	RTM_DEST_INFO *di; /* exact-match info of p, holds a dest reference */
};

/* Registers, adds a next hop and a unicast route to 10.1.0.0/16 (pref, metric 5). */
static int
env_init(struct env *e, ULONG proto, ULONG pref)
{
	memset(e, 0, sizeof(*e));
	e->h = tl_register(AF_INET, proto, 1, &e->prof);
	if (e->h == NULL)
		return 0;
	e->nh = tl_add_nexthop(e->h, AF_INET, "10.0.0.1", 1);
	tl_ipv4(&e->p, "10.1.0.0", 16);
	e->r = tl_add_route(e->h, &e->p, e->nh, pref, 5, UCAST, NULL);
	e->di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	if (e->nh == NULL || e->r == NULL)
		return 0;
	return tl_exact_dest(e->h, &e->p, RTM_VIEW_MASK_ANY, e->di) == NO_ERROR;
}

static void
env_fini(struct env *e)
{
	if (e->di != NULL && e->di->DestHandle != NULL)
		CHECK_RC(RtmReleaseDestInfo(e->h, e->di), NO_ERROR);
	free(e->di);
	if (e->r != NULL)
		tl_delete_route(e->h, e->r);
	if (e->nh != NULL)
		CHECK_RC(RtmDeleteNextHop(e->h, e->nh, NULL), NO_ERROR);
	tl_deregister(e->h);
}

/* ---- background calls ----------------------------------------------------------------- */

enum bg_op {
	BG_LOCK_DEST_SHARED,
	BG_LOCK_DEST_EXCL,
	BG_LOCK_ROUTE_EXCL,
	BG_LOOKUPS,
};

struct bg {
	enum bg_op op;
	RTM_ENTITY_HANDLE h;
	HANDLE obj; /* dest or route */
	RTM_NET_ADDRESS addr;
	DWORD rc;
	ULONG metric; /* BG_LOOKUPS: metric seen by RtmGetRouteInfo */
	int done;     /* atomic */
	pthread_t t;
};

static void *
bg_main(void *arg)
{
	struct bg *b = arg;
	RTM_DEST_INFO *di;

	switch (b->op) {
	case BG_LOCK_DEST_SHARED:
	case BG_LOCK_DEST_EXCL:
		b->rc = RtmLockDestination(b->h, b->obj, b->op == BG_LOCK_DEST_EXCL, TRUE);
		__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
		if (b->rc == NO_ERROR)
			RtmLockDestination(b->h, b->obj, b->op == BG_LOCK_DEST_EXCL, FALSE);
		break;
	case BG_LOCK_ROUTE_EXCL:
		b->rc = RtmLockRoute(b->h, b->obj, TRUE, TRUE, NULL);
		__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
		if (b->rc == NO_ERROR)
			RtmLockRoute(b->h, b->obj, TRUE, FALSE, NULL);
		break;
	case BG_LOOKUPS:
		di = tl_dest_info_alloc(RTM_MAX_VIEWS);
		b->rc = RtmGetMostSpecificDestination(b->h, &b->addr, RTM_BEST_PROTOCOL, UCAST, di);
		if (b->rc == NO_ERROR) {
			RtmReleaseDestInfo(b->h, di);
			b->metric = tl_route_metric(b->h, b->obj);
		}
		free(di);
		__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
		break;
	}
	return NULL;
}

static int
bg_start(struct bg *b, enum bg_op op, RTM_ENTITY_HANDLE h, HANDLE obj)
{
	b->op = op;
	b->h = h;
	b->obj = obj;
	b->rc = 0xffffffffu;
	b->done = 0;
	return pthread_create(&b->t, NULL, bg_main, b) == 0;
}

static int
bg_done(struct bg *b)
{
	return __atomic_load_n(&b->done, __ATOMIC_ACQUIRE);
}

/* Waits up to ms for the call to finish; returns whether it did. */
static int
bg_wait(struct bg *b, unsigned ms)
{
	unsigned waited = 0;

	while (!bg_done(b) && waited < ms) {
		tl_sleep_ms(5);
		waited += 5;
	}
	return bg_done(b);
}

/* ---- RtmLockDestination --------------------------------------------------------------- */

TEST(lock_dest_bad_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	unsigned i;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmLockDestination(bad.v[i].h, e.di->DestHandle, TRUE, TRUE),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_DEST) > 0);
	for (i = 0; i < bad.n; i++) {
		CHECK_RC_BAD(RtmLockDestination(e.h, bad.v[i].h, TRUE, TRUE), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_RC_BAD(RtmLockDestination(e.h, bad.v[i].h, FALSE, TRUE),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	/* Nothing was left locked. */
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, TRUE), NO_ERROR);
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, FALSE), NO_ERROR);
	env_fini(&e);
}

TEST(lock_dest_any_entity_may_lock_any_dest)
{
	struct env a;
	RTM_ENTITY_HANDLE b;

	REQUIRE(env_init(&a, TL_PROTO_RIP, 10));
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(b != NULL);
	CHECK_RC(RtmLockDestination(b, a.di->DestHandle, TRUE, TRUE), NO_ERROR);
	CHECK_RC(RtmLockDestination(b, a.di->DestHandle, TRUE, FALSE), NO_ERROR);
	CHECK_RC(RtmLockDestination(b, a.di->DestHandle, FALSE, TRUE), NO_ERROR);
	CHECK_RC(RtmLockDestination(b, a.di->DestHandle, FALSE, FALSE), NO_ERROR);
	tl_deregister(b);
	env_fini(&a);
}

TEST(lock_dest_exclusive_waits_for_a_shared_holder)
{
	struct env e;
	struct bg b;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE_RC(RtmLockDestination(e.h, e.di->DestHandle, FALSE, TRUE), NO_ERROR);
	REQUIRE(bg_start(&b, BG_LOCK_DEST_EXCL, e.h, e.di->DestHandle));
	tl_sleep_ms(WAIT_PROBE_MS);
	CHECK(!bg_done(&b));
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, FALSE, FALSE), NO_ERROR);
	pthread_join(b.t, NULL);
	CHECK(bg_done(&b));
	CHECK_RC(b.rc, NO_ERROR);
	env_fini(&e);
}

TEST(lock_dest_shared_waits_for_an_exclusive_holder)
{
	struct env e;
	struct bg b;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, TRUE), NO_ERROR);
	REQUIRE(bg_start(&b, BG_LOCK_DEST_SHARED, e.h, e.di->DestHandle));
	tl_sleep_ms(WAIT_PROBE_MS);
	CHECK(!bg_done(&b));
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, FALSE), NO_ERROR);
	pthread_join(b.t, NULL);
	CHECK_RC(b.rc, NO_ERROR);
	env_fini(&e);
}

TEST(lookups_complete_while_a_dest_is_locked_exclusively)
{
	struct env e;
	struct bg b;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, TRUE), NO_ERROR);
	tl_ipv4(&b.addr, "10.1.2.3", 32);
	REQUIRE(bg_start(&b, BG_LOOKUPS, e.h, e.r));
	CHECK(bg_wait(&b, NONBLOCK_DEADLINE_MS));
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, FALSE), NO_ERROR);
	pthread_join(b.t, NULL);
	CHECK_RC(b.rc, NO_ERROR);
	CHECK_EQ_U(b.metric, 5);
	env_fini(&e);
}

/* ---- RtmLockRoute --------------------------------------------------------------------- */

TEST(lock_route_bad_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_ROUTE_INFO *ptr;
	unsigned i;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmLockRoute(bad.v[i].h, e.r, TRUE, TRUE, &ptr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ROUTE) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmLockRoute(e.h, bad.v[i].h, TRUE, TRUE, &ptr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, NULL), NO_ERROR);
	CHECK_RC(RtmLockRoute(e.h, e.r, TRUE, FALSE, NULL), NO_ERROR);
	env_fini(&e);
}

TEST(lock_route_of_another_entity_is_access_denied)
{
	struct env a;
	RTM_ENTITY_HANDLE b;
	RTM_ROUTE_INFO *ptr = NULL;

	REQUIRE(env_init(&a, TL_PROTO_RIP, 10));
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(b != NULL);
	CHECK_RC(RtmLockRoute(b, a.r, TRUE, TRUE, &ptr), ERROR_ACCESS_DENIED);
	CHECK_RC(RtmLockRoute(b, a.r, FALSE, TRUE, &ptr), ERROR_ACCESS_DENIED);
	CHECK_EQ_PTR(ptr, NULL);
	/* The refusals did not lock anything. */
	CHECK_RC(RtmLockDestination(b, a.di->DestHandle, TRUE, TRUE), NO_ERROR);
	CHECK_RC(RtmLockDestination(b, a.di->DestHandle, TRUE, FALSE), NO_ERROR);
	/* Nor may b unlock a's lock. */
	CHECK_RC(RtmLockRoute(a.h, a.r, TRUE, TRUE, NULL), NO_ERROR);
	CHECK_RC(RtmLockRoute(b, a.r, TRUE, FALSE, NULL), ERROR_ACCESS_DENIED);
	CHECK_RC(RtmLockRoute(a.h, a.r, TRUE, FALSE, NULL), NO_ERROR);
	tl_deregister(b);
	env_fini(&a);
}

TEST(lock_deleted_route_is_not_found)
{
	struct env e;
	RTM_ROUTE_HANDLE held;
	RTM_ROUTE_INFO *ptr = NULL;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	held = e.r;
	CHECK_RC(RtmReferenceHandles(e.h, 1, &held), NO_ERROR);
	tl_delete_route(e.h, e.r);
	e.r = NULL;
	CHECK_RC(RtmLockRoute(e.h, held, TRUE, TRUE, &ptr), ERROR_NOT_FOUND);
	tl_release_route(e.h, held);
	env_fini(&e);
}

TEST(lock_route_gives_the_routes_own_info)
{
	struct env e;
	RTM_ROUTE_INFO *ptr = NULL, *ro = NULL;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	CHECK_RC(RtmGetRoutePointer(e.h, e.r, &ro), NO_ERROR);
	CHECK_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, &ptr), NO_ERROR);
	REQUIRE(ptr != NULL);
	CHECK_EQ_PTR(ptr->DestHandle, e.di->DestHandle);
	CHECK_EQ_PTR(ptr->RouteOwner, e.h);
	CHECK_EQ_U(ptr->State, RTM_ROUTE_STATE_CREATED);
	CHECK_EQ_U(ptr->PrefInfo.Preference, 10);
	CHECK_EQ_U(ptr->PrefInfo.Metric, 5);
	CHECK_EQ_U(ptr->BelongsToViews, UCAST);
	CHECK_EQ_U(ptr->NextHopsList.NumNextHops, 1);
	CHECK_EQ_PTR(TL_NH(ptr, 0), e.nh);
	CHECK_RC(RtmLockRoute(e.h, e.r, TRUE, FALSE, NULL), NO_ERROR);
	/* A shared lock gives the same view. */
	ptr = NULL;
	CHECK_RC(RtmLockRoute(e.h, e.r, FALSE, TRUE, &ptr), NO_ERROR);
	REQUIRE(ptr != NULL);
	CHECK_EQ_U(ptr->PrefInfo.Metric, 5);
	CHECK_RC(RtmLockRoute(e.h, e.r, FALSE, FALSE, NULL), NO_ERROR);
	env_fini(&e);
}

TEST(lock_route_exclusive_waits_for_a_shared_holder)
{
	struct env e;
	struct bg b;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE_RC(RtmLockRoute(e.h, e.r, FALSE, TRUE, NULL), NO_ERROR);
	REQUIRE(bg_start(&b, BG_LOCK_ROUTE_EXCL, e.h, e.r));
	tl_sleep_ms(WAIT_PROBE_MS);
	CHECK(!bg_done(&b));
	CHECK_RC(RtmLockRoute(e.h, e.r, FALSE, FALSE, NULL), NO_ERROR);
	pthread_join(b.t, NULL);
	CHECK(bg_done(&b));
	CHECK_RC(b.rc, NO_ERROR);
	env_fini(&e);
}

TEST(lock_route_takes_the_destination_lock)
{
	struct env e;
	struct bg b;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, NULL), NO_ERROR);
	REQUIRE(bg_start(&b, BG_LOCK_DEST_SHARED, e.h, e.di->DestHandle));
	tl_sleep_ms(WAIT_PROBE_MS);
	CHECK(!bg_done(&b));
	CHECK_RC(RtmLockRoute(e.h, e.r, TRUE, FALSE, NULL), NO_ERROR);
	pthread_join(b.t, NULL);
	CHECK_RC(b.rc, NO_ERROR);
	env_fini(&e);
}

TEST(lookups_complete_while_a_route_is_locked_exclusively)
{
	struct env e;
	struct bg b;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, NULL), NO_ERROR);
	tl_ipv4(&b.addr, "10.1.200.1", 32);
	REQUIRE(bg_start(&b, BG_LOOKUPS, e.h, e.r));
	CHECK(bg_wait(&b, NONBLOCK_DEADLINE_MS));
	CHECK_RC(RtmLockRoute(e.h, e.r, TRUE, FALSE, NULL), NO_ERROR);
	pthread_join(b.t, NULL);
	CHECK_RC(b.rc, NO_ERROR);
	env_fini(&e);
}

/* ---- RtmUpdateAndUnlockRoute ---------------------------------------------------------- */

TEST(update_and_unlock_bad_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad, badr;
	DWORD fl;
	unsigned i;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	REQUIRE(tl_bad_init(&badr, AF_INET, TL_H_ROUTE) > 0);
	REQUIRE_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, NULL), NO_ERROR);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmUpdateAndUnlockRoute(bad.v[i].h, e.r, INFINITE, NULL, 0, NULL, &fl),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	for (i = 0; i < badr.n; i++)
		CHECK_RC_BAD(RtmUpdateAndUnlockRoute(e.h, badr.v[i].h, INFINITE, NULL, 0, NULL,
						     &fl),
			     ERROR_INVALID_HANDLE, &badr.v[i]);
	/* Still locked by us: the real update goes through and unlocks. */
	CHECK_RC(RtmUpdateAndUnlockRoute(e.h, e.r, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	tl_bad_fini(&bad);
	tl_bad_fini(&badr);
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, TRUE), NO_ERROR);
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, FALSE), NO_ERROR);
	env_fini(&e);
}

TEST(update_and_unlock_by_another_entity_is_access_denied)
{
	struct env a;
	RTM_ENTITY_HANDLE b;
	RTM_ROUTE_INFO *ptr = NULL;
	DWORD fl = 0;

	REQUIRE(env_init(&a, TL_PROTO_RIP, 10));
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(b != NULL);
	REQUIRE_RC(RtmLockRoute(a.h, a.r, TRUE, TRUE, &ptr), NO_ERROR);
	ptr->PrefInfo.Metric = 77;
	CHECK_RC(RtmUpdateAndUnlockRoute(b, a.r, INFINITE, NULL, 0, NULL, &fl),
		 ERROR_ACCESS_DENIED);
	/* The owner still holds the lock and can publish. */
	CHECK_RC(RtmUpdateAndUnlockRoute(a.h, a.r, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_EQ_U(tl_route_metric(b, a.r), 77);
	tl_deregister(b);
	env_fini(&a);
}

TEST(update_and_unlock_publishes_changes_and_readers_see_old_values_until_then)
{
	struct env e;
	struct bg b;
	RTM_ROUTE_INFO *ptr = NULL;
	DWORD fl = 0xffff;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, &ptr), NO_ERROR);
	REQUIRE(ptr != NULL);
	ptr->PrefInfo.Metric = 42;
	/* A reader in another thread completes and still sees the old metric. */
	tl_ipv4(&b.addr, "10.1.0.1", 32);
	REQUIRE(bg_start(&b, BG_LOOKUPS, e.h, e.r));
	CHECK(bg_wait(&b, NONBLOCK_DEADLINE_MS));
	CHECK_RC(RtmUpdateAndUnlockRoute(e.h, e.r, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	pthread_join(b.t, NULL);
	CHECK_RC(b.rc, NO_ERROR);
	CHECK_EQ_U(b.metric, 5);
	/* The only route is best, and its information changed. */
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_EQ_U(tl_route_metric(e.h, e.r), 42);
	/* The lock is gone. */
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, TRUE), NO_ERROR);
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, FALSE), NO_ERROR);
	env_fini(&e);
}

TEST(update_and_unlock_recomputes_the_best_route)
{
	struct env a, b;
	RTM_ROUTE_INFO *ptr = NULL;
	DWORD fl = 0, v = 0;

	REQUIRE(env_init(&a, TL_PROTO_RIP, 10));
	REQUIRE(env_init(&b, TL_PROTO_OSPF, 20));
	CHECK_RC(RtmIsBestRoute(a.h, a.r, &v), NO_ERROR);
	CHECK_EQ_U(v, UCAST);
	REQUIRE_RC(RtmLockRoute(b.h, b.r, TRUE, TRUE, &ptr), NO_ERROR);
	ptr->PrefInfo.Preference = 5;
	CHECK_RC(RtmUpdateAndUnlockRoute(b.h, b.r, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_RC(RtmIsBestRoute(a.h, b.r, &v), NO_ERROR);
	CHECK_EQ_U(v, UCAST);
	CHECK_RC(RtmIsBestRoute(a.h, a.r, &v), NO_ERROR);
	CHECK_EQ_U(v, 0);

	/* A non-best route changing without becoming best: no BEST flag. */
	REQUIRE_RC(RtmLockRoute(a.h, a.r, TRUE, TRUE, &ptr), NO_ERROR);
	ptr->PrefInfo.Metric = 1;
	fl = 0xffff;
	CHECK_RC(RtmUpdateAndUnlockRoute(a.h, a.r, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_EQ_U(fl, 0);
	env_fini(&a);
	env_fini(&b);
}

TEST(update_and_unlock_can_move_a_route_between_views)
{
	struct env e;
	RTM_ROUTE_INFO *ptr = NULL;
	RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	DWORD fl = 0, v = 0;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, &ptr), NO_ERROR);
	ptr->BelongsToViews = MCAST;
	CHECK_RC(RtmUpdateAndUnlockRoute(e.h, e.r, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_RC(RtmIsBestRoute(e.h, e.r, &v), NO_ERROR);
	CHECK_EQ_U(v, MCAST);
	CHECK_RC(tl_exact_dest(e.h, &e.p, UCAST, di), ERROR_NOT_FOUND);
	CHECK_RC(tl_exact_dest(e.h, &e.p, MCAST, di), NO_ERROR);
	CHECK_EQ_PTR(TL_VIEW(di, 0).Route, e.r);
	CHECK_RC(RtmReleaseDestInfo(e.h, di), NO_ERROR);
	free(di);
	env_fini(&e);
}

TEST(update_and_unlock_failure_keeps_the_lock)
{
	struct env e;
	struct bg b;
	RTM_ROUTE_INFO *ptr = NULL;
	USHORT saved;
	DWORD fl = 0;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, &ptr), NO_ERROR);
	saved = ptr->NextHopsList.NumNextHops;
	ptr->NextHopsList.NumNextHops = (USHORT)(e.prof.MaxNextHopsInRoute + 1);
	CHECK_RC(RtmUpdateAndUnlockRoute(e.h, e.r, INFINITE, NULL, 0, NULL, &fl),
		 ERROR_INVALID_PARAMETER);
	ptr->NextHopsList.NumNextHops = saved;

	/* Someone else's lock attempt still waits. */
	REQUIRE(bg_start(&b, BG_LOCK_DEST_SHARED, e.h, e.di->DestHandle));
	tl_sleep_ms(WAIT_PROBE_MS);
	CHECK(!bg_done(&b));
	CHECK_RC(RtmLockRoute(e.h, e.r, TRUE, FALSE, NULL), NO_ERROR);
	pthread_join(b.t, NULL);
	CHECK_RC(b.rc, NO_ERROR);
	CHECK_EQ_U(tl_route_metric(e.h, e.r), 5);
	env_fini(&e);
}

TEST(update_and_unlock_restores_dest_owner_and_state)
{
	struct env e;
	RTM_ROUTE_INFO *ptr = NULL, *got;
	DWORD fl = 0;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, &ptr), NO_ERROR);
	ptr->DestHandle = (HANDLE)0xdeadbeef;
	ptr->RouteOwner = (HANDLE)0xdeadbeef;
	ptr->State = RTM_ROUTE_STATE_DELETED;
	ptr->PrefInfo.Metric = 6;
	CHECK_RC(RtmUpdateAndUnlockRoute(e.h, e.r, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	got = tl_route_info_alloc(e.prof.MaxNextHopsInRoute);
	REQUIRE_RC(RtmGetRouteInfo(e.h, e.r, got, NULL), NO_ERROR);
	CHECK_EQ_PTR(got->DestHandle, e.di->DestHandle);
	CHECK_EQ_PTR(got->RouteOwner, e.h);
	CHECK_EQ_U(got->State, RTM_ROUTE_STATE_CREATED);
	CHECK_EQ_U(got->PrefInfo.Metric, 6);
	CHECK_RC(RtmReleaseRouteInfo(e.h, got), NO_ERROR);
	free(got);
	env_fini(&e);
}

TEST(update_and_unlock_next_hop_swap_with_client_managed_references)
{
	struct env e;
	RTM_ROUTE_INFO *ptr = NULL, *got;
	RTM_NEXTHOP_HANDLE n2, old;
	RTM_NEXTHOP_INFO ni;
	DWORD fl = 0;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	n2 = tl_add_nexthop(e.h, AF_INET, "10.0.0.2", 2);
	REQUIRE(n2 != NULL);
	REQUIRE_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, &ptr), NO_ERROR);
	old = TL_NH(ptr, 0);
	CHECK_EQ_PTR(old, e.nh);
	/* Reference-count calls work while the route is locked. */
	CHECK_RC(RtmReferenceHandles(e.h, 1, &n2), NO_ERROR);
	TL_NH(ptr, 0) = n2;
	CHECK_RC(RtmReleaseNextHops(e.h, 1, &old), NO_ERROR);
	CHECK_RC(RtmUpdateAndUnlockRoute(e.h, e.r, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);

	got = tl_route_info_alloc(e.prof.MaxNextHopsInRoute);
	REQUIRE_RC(RtmGetRouteInfo(e.h, e.r, got, NULL), NO_ERROR);
	CHECK_EQ_U(got->NextHopsList.NumNextHops, 1);
	CHECK_EQ_PTR(TL_NH(got, 0), n2);
	CHECK_RC(RtmReleaseRouteInfo(e.h, got), NO_ERROR);
	free(got);

	/* The route no longer holds the old next hop: deleting it kills the handle. */
	CHECK_RC(RtmDeleteNextHop(e.h, e.nh, NULL), NO_ERROR);
	CHECK_RC(RtmGetNextHopInfo(e.h, e.nh, &ni), ERROR_INVALID_HANDLE);
	e.nh = NULL;
	/* The route holds n2 until it goes. */
	CHECK_RC(RtmDeleteNextHop(e.h, n2, NULL), NO_ERROR);
	CHECK_RC(RtmGetNextHopInfo(e.h, n2, &ni), NO_ERROR);
	CHECK_EQ_U(ni.State, RTM_NEXTHOP_STATE_DELETED);
	CHECK_RC(RtmReleaseNextHopInfo(e.h, &ni), NO_ERROR);
	tl_delete_route(e.h, e.r);
	e.r = NULL;
	CHECK_RC(RtmGetNextHopInfo(e.h, n2, &ni), ERROR_INVALID_HANDLE);
	env_fini(&e);
}

/* ---- RtmGetRoutePointer --------------------------------------------------------------- */

TEST(get_route_pointer_bad_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_ROUTE_INFO *ptr;
	unsigned i;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetRoutePointer(bad.v[i].h, e.r, &ptr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ROUTE) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetRoutePointer(e.h, bad.v[i].h, &ptr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmGetRoutePointer(e.h, e.r, NULL), ERROR_INVALID_PARAMETER);
	env_fini(&e);
}

TEST(get_route_pointer_of_another_entity_is_access_denied)
{
	struct env a;
	RTM_ENTITY_HANDLE b;
	RTM_ROUTE_INFO *ptr = NULL;

	REQUIRE(env_init(&a, TL_PROTO_RIP, 10));
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(b != NULL);
	CHECK_RC(RtmGetRoutePointer(b, a.r, &ptr), ERROR_ACCESS_DENIED);
	CHECK_EQ_PTR(ptr, NULL);
	tl_deregister(b);
	env_fini(&a);
}

TEST(get_route_pointer_reads_the_route_and_takes_no_reference)
{
	struct env e;
	RTM_ROUTE_INFO *ptr = NULL;
	RTM_ROUTE_HANDLE r;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	CHECK_RC(RtmGetRoutePointer(e.h, e.r, &ptr), NO_ERROR);
	REQUIRE(ptr != NULL);
	CHECK_EQ_PTR(ptr->RouteOwner, e.h);
	CHECK_EQ_PTR(ptr->DestHandle, e.di->DestHandle);
	CHECK_EQ_U(ptr->PrefInfo.Preference, 10);
	CHECK_EQ_U(ptr->PrefInfo.Metric, 5);
	CHECK_EQ_PTR(TL_NH(ptr, 0), e.nh);
	/* Works while the route is locked. */
	CHECK_RC(RtmLockRoute(e.h, e.r, TRUE, TRUE, NULL), NO_ERROR);
	CHECK_RC(RtmGetRoutePointer(e.h, e.r, &ptr), NO_ERROR);
	CHECK_RC(RtmLockRoute(e.h, e.r, TRUE, FALSE, NULL), NO_ERROR);
	/* Only the add reference exists: the delete ends the handle. */
	r = e.r;
	tl_delete_route(e.h, e.r);
	e.r = NULL;
	CHECK_RC(RtmGetRoutePointer(e.h, r, &ptr), ERROR_INVALID_HANDLE);
	env_fini(&e);
}

/* ---- opaque slots --------------------------------------------------------------------- */

TEST(opaque_pointer_bad_handles_are_invalid_handle)
{
	struct env e;
	struct tl_badset bad;
	RTM_ENTITY_HANDLE o;
	PVOID *slot;
	unsigned i;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	o = tl_register_ex(0, AF_INET, TL_PROTO_OSPF, 1, TRUE, NULL, NULL);
	REQUIRE(o != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetOpaqueInformationPointer(bad.v[i].h, e.di->DestHandle,
							    (PVOID *)&slot),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_DEST) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetOpaqueInformationPointer(o, bad.v[i].h, (PVOID *)&slot),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmGetOpaqueInformationPointer(o, e.di->DestHandle, NULL),
		 ERROR_INVALID_PARAMETER);
	tl_deregister(o);
	env_fini(&e);
}

TEST(opaque_pointer_without_a_reserved_slot_is_not_found)
{
	struct env e;
	PVOID *slot = NULL;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	CHECK_RC(RtmGetOpaqueInformationPointer(e.h, e.di->DestHandle, (PVOID *)&slot),
		 ERROR_NOT_FOUND);
	env_fini(&e);
}

TEST(opaque_slot_is_null_for_a_new_dest_and_keeps_what_is_written)
{
	struct env e;
	RTM_ENTITY_HANDLE o1, o2;
	PVOID *s1 = NULL, *s2 = NULL, *again = NULL;
	int v1, v2;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	o1 = tl_register_ex(0, AF_INET, TL_PROTO_OSPF, 1, TRUE, NULL, NULL);
	o2 = tl_register_ex(0, AF_INET, TL_PROTO_OSPF, 2, TRUE, NULL, NULL);
	REQUIRE(o1 != NULL && o2 != NULL);
	REQUIRE_RC(RtmGetOpaqueInformationPointer(o1, e.di->DestHandle, (PVOID *)&s1), NO_ERROR);
	REQUIRE_RC(RtmGetOpaqueInformationPointer(o2, e.di->DestHandle, (PVOID *)&s2), NO_ERROR);
	REQUIRE(s1 != NULL && s2 != NULL);
	CHECK_NE_PTR(s1, s2);

	CHECK_RC(RtmLockDestination(o1, e.di->DestHandle, FALSE, TRUE), NO_ERROR);
	CHECK_EQ_PTR(*s1, NULL);
	CHECK_EQ_PTR(*s2, NULL);
	CHECK_RC(RtmLockDestination(o1, e.di->DestHandle, FALSE, FALSE), NO_ERROR);

	CHECK_RC(RtmLockDestination(o1, e.di->DestHandle, TRUE, TRUE), NO_ERROR);
	*s1 = &v1;
	CHECK_RC(RtmLockDestination(o1, e.di->DestHandle, TRUE, FALSE), NO_ERROR);
	CHECK_RC(RtmLockDestination(o2, e.di->DestHandle, TRUE, TRUE), NO_ERROR);
	*s2 = &v2;
	CHECK_RC(RtmLockDestination(o2, e.di->DestHandle, TRUE, FALSE), NO_ERROR);

	/* Same slot address on every call, values kept apart. */
	CHECK_RC(RtmGetOpaqueInformationPointer(o1, e.di->DestHandle, (PVOID *)&again), NO_ERROR);
	CHECK_EQ_PTR(again, s1);
	CHECK_RC(RtmLockDestination(o1, e.di->DestHandle, FALSE, TRUE), NO_ERROR);
	CHECK_EQ_PTR(*s1, &v1);
	CHECK_EQ_PTR(*s2, &v2);
	CHECK_RC(RtmLockDestination(o1, e.di->DestHandle, FALSE, FALSE), NO_ERROR);

	/* Another destination has its own, empty slot. */
	{
		RTM_NET_ADDRESS q;
		RTM_ROUTE_HANDLE rq;
		RTM_DEST_INFO *dq = tl_dest_info_alloc(RTM_MAX_VIEWS);
		PVOID *sq = NULL;

		tl_ipv4(&q, "10.2.0.0", 16);
		rq = tl_add_route(e.h, &q, e.nh, 10, 1, UCAST, NULL);
		REQUIRE_RC(tl_exact_dest(e.h, &q, RTM_VIEW_MASK_ANY, dq), NO_ERROR);
		CHECK_RC(RtmGetOpaqueInformationPointer(o1, dq->DestHandle, (PVOID *)&sq),
			 NO_ERROR);
		CHECK(sq != NULL && sq != s1);
		if (sq != NULL)
			CHECK_EQ_PTR(*sq, NULL);
		CHECK_RC(RtmReleaseDestInfo(e.h, dq), NO_ERROR);
		tl_delete_route(e.h, rq);
		free(dq);
	}
	tl_deregister(o1);
	tl_deregister(o2);
	env_fini(&e);
}

TEST(opaque_slots_run_out_and_a_freed_slot_is_reused_cleared)
{
	enum { MAX_TRY = 4096 };
	struct env e;
	RTM_ENTITY_HANDLE *ents, extra = NULL;
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	PVOID *slot;
	unsigned n = 0, i, victim;
	DWORD rc = NO_ERROR;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	ents = calloc(MAX_TRY, sizeof(*ents));
	REQUIRE(ents != NULL);
	while (n < MAX_TRY) {
		memset(&info, 0, sizeof(info));
		info.AddressFamily = AF_INET;
		info.EntityId.EntityProtocolId = 0x5100;
		info.EntityId.EntityInstanceId = n;
		rc = RtmRegisterEntity(&info, NULL, NULL, TRUE, &prof, &ents[n]);
		if (rc != NO_ERROR)
			break;
		n++;
	}
	CHECK_RC(rc, ERROR_NO_SYSTEM_RESOURCES);
	CHECK(n >= 8);
	check_note("%u opaque slots per table", n);

	/* Entities without a slot can still register. */
	extra = tl_register(AF_INET, 0x5101, 0, NULL);
	CHECK(extra != NULL);
	tl_deregister(extra);

	/* Every slot holder writes its slot in the destination. */
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, TRUE), NO_ERROR);
	for (i = 0; i < n; i++) {
		slot = NULL;
		CHECK_RC(RtmGetOpaqueInformationPointer(ents[i], e.di->DestHandle, (PVOID *)&slot),
			 NO_ERROR);
		if (slot != NULL) {
			CHECK_EQ_PTR(*slot, NULL);
			*slot = (PVOID)(uintptr_t)(i + 1);
		}
	}
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, TRUE, FALSE), NO_ERROR);

	/* Free one slot; the next reservation gets it, emptied. */
	victim = n / 2;
	tl_deregister(ents[victim]);
	memset(&info, 0, sizeof(info));
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = 0x5102;
	extra = NULL;
	CHECK_RC(RtmRegisterEntity(&info, NULL, NULL, TRUE, &prof, &extra), NO_ERROR);
	ents[victim] = extra;
	if (extra != NULL) {
		slot = NULL;
		CHECK_RC(RtmGetOpaqueInformationPointer(extra, e.di->DestHandle, (PVOID *)&slot),
			 NO_ERROR);
		CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, FALSE, TRUE), NO_ERROR);
		if (slot != NULL)
			CHECK_EQ_PTR(*slot, NULL);
		CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, FALSE, FALSE), NO_ERROR);
	}
	/* Full again. */
	info.EntityId.EntityProtocolId = 0x5103;
	extra = NULL;
	rc = RtmRegisterEntity(&info, NULL, NULL, TRUE, &prof, &extra);
	CHECK_RC(rc, ERROR_NO_SYSTEM_RESOURCES);
	if (rc == NO_ERROR)
		tl_deregister(extra);

	/* The others kept their values. */
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, FALSE, TRUE), NO_ERROR);
	for (i = 0; i < n; i++) {
		if (i == victim || ents[i] == NULL)
			continue;
		slot = NULL;
		CHECK_RC(RtmGetOpaqueInformationPointer(ents[i], e.di->DestHandle, (PVOID *)&slot),
			 NO_ERROR);
		if (slot != NULL)
			CHECK_EQ_PTR(*slot, (PVOID)(uintptr_t)(i + 1));
	}
	CHECK_RC(RtmLockDestination(e.h, e.di->DestHandle, FALSE, FALSE), NO_ERROR);

	for (i = 0; i < n; i++)
		tl_deregister(ents[i]);
	free(ents);
	env_fini(&e);
}

/* ---- lock policies (rtm/rtmx.h) ---------------------------------------------------------- */

/* First of the policy tests, which all leave the policy as they found it. */
TEST(lock_policy_starts_as_the_environment_says)
{
	const char *env = getenv("RTM_LOCK_POLICY");
	RTMX_LOCK_POLICY want = RTMX_LOCK_POLICY_BARGING;

	if (env != NULL && strcmp(env, "phasefair") == 0)
		want = RTMX_LOCK_POLICY_PHASEFAIR;
	else if (env != NULL && strcmp(env, "hybrid") == 0)
		want = RTMX_LOCK_POLICY_HYBRID;

	CHECK_EQ_U(RtmxGetLockPolicy(), want);
}

TEST(lock_policy_set_takes_effect_and_an_unknown_one_is_refused)
{
	RTMX_LOCK_POLICY was = RtmxGetLockPolicy();

	CHECK_RC(RtmxSetLockPolicy(RTMX_LOCK_POLICY_PHASEFAIR), NO_ERROR);
	CHECK_EQ_U(RtmxGetLockPolicy(), RTMX_LOCK_POLICY_PHASEFAIR);
	CHECK_RC(RtmxSetLockPolicy((RTMX_LOCK_POLICY)7), ERROR_INVALID_PARAMETER);
	CHECK_EQ_U(RtmxGetLockPolicy(), RTMX_LOCK_POLICY_PHASEFAIR);
	CHECK_RC(RtmxSetLockPolicy(RTMX_LOCK_POLICY_HYBRID), NO_ERROR);
	CHECK_EQ_U(RtmxGetLockPolicy(), RTMX_LOCK_POLICY_HYBRID);
	CHECK_RC(RtmxSetLockPolicy((RTMX_LOCK_POLICY)3), ERROR_INVALID_PARAMETER);
	CHECK_EQ_U(RtmxGetLockPolicy(), RTMX_LOCK_POLICY_HYBRID);
	CHECK_RC(RtmxSetLockPolicy(RTMX_LOCK_POLICY_BARGING), NO_ERROR);
	CHECK_EQ_U(RtmxGetLockPolicy(), RTMX_LOCK_POLICY_BARGING);
	CHECK_RC(RtmxSetLockPolicy((RTMX_LOCK_POLICY)-1), ERROR_INVALID_PARAMETER);
	CHECK_EQ_U(RtmxGetLockPolicy(), RTMX_LOCK_POLICY_BARGING);
	CHECK_RC(RtmxSetLockPolicy(was), NO_ERROR);
}

/*
 * Threads that lock one destination exclusively or shared in a loop, while
 * one of them cycles through the three policies: holders count themselves
 * in and out, and an exclusive holder must be alone, a shared one must see
 * no exclusive holder.  Every thread must finish (a lost wake-up or a
 * starved writer would keep one waiting past the deadline).
 */
#define MIX_THREADS 6
#define MIX_ROUNDS 3000

struct mix {
	RTM_ENTITY_HANDLE h;
	RTM_DEST_HANDLE d;
	atomic_int excl, shared, violations, finished;
	RTMX_LOCK_POLICY start;
};

struct mix_thread {
	struct mix *m;
	unsigned idx;
	DWORD rc;
	pthread_t t;
};

static void *
mix_main(void *arg)
{
	struct mix_thread *mt = arg;
	struct mix *m = mt->m;
	uint32_t rng = 0x9e3779b9u * (mt->idx + 1);

	mt->rc = NO_ERROR;
	for (unsigned i = 0; i < MIX_ROUNDS && mt->rc == NO_ERROR; i++) {
		BOOL excl;

		rng = rng * 1103515245u + 12345u;
		excl = mt->idx < 2 || (rng >> 16) % 4 == 0; /* two writers, the rest mostly readers */
		if (mt->idx == 0 && i % 64 == 0)
			RtmxSetLockPolicy((RTMX_LOCK_POLICY)((i / 64) % 3));
		mt->rc = RtmLockDestination(m->h, m->d, excl, TRUE);
		if (mt->rc != NO_ERROR)
			break;
		if (excl) {
			if (atomic_fetch_add(&m->excl, 1) != 0 || atomic_load(&m->shared) != 0)
				atomic_fetch_add(&m->violations, 1);
			atomic_fetch_sub(&m->excl, 1);
		} else {
			atomic_fetch_add(&m->shared, 1);
			if (atomic_load(&m->excl) != 0)
				atomic_fetch_add(&m->violations, 1);
			atomic_fetch_sub(&m->shared, 1);
		}
		mt->rc = RtmLockDestination(m->h, m->d, excl, FALSE);
	}
	atomic_fetch_add(&m->finished, 1);
	return NULL;
}

TEST(lock_policies_keep_mutual_exclusion_and_progress_while_switched)
{
	struct env e;
	struct mix m;
	struct mix_thread t[MIX_THREADS];
	unsigned waited = 0;

	REQUIRE(env_init(&e, TL_PROTO_RIP, 10));
	memset(&m, 0, sizeof(m));
	m.h = e.h;
	m.d = e.di->DestHandle;
	m.start = RtmxGetLockPolicy();
	for (unsigned i = 0; i < MIX_THREADS; i++) {
		t[i].m = &m;
		t[i].idx = i;
		REQUIRE(pthread_create(&t[i].t, NULL, mix_main, &t[i]) == 0);
	}
	while (atomic_load(&m.finished) < MIX_THREADS && waited < NONBLOCK_DEADLINE_MS) {
		tl_sleep_ms(10);
		waited += 10;
	}
	REQUIRE(atomic_load(&m.finished) == MIX_THREADS); /* else a thread is stuck in the lock */
	for (unsigned i = 0; i < MIX_THREADS; i++) {
		pthread_join(t[i].t, NULL);
		CHECK_RC(t[i].rc, NO_ERROR);
	}
	CHECK_EQ_U(atomic_load(&m.violations), 0);
	CHECK_RC(RtmxSetLockPolicy(m.start), NO_ERROR);
	env_fini(&e);
}

int
main(int c, char **v)
{
	return check_main(c, v);
}
