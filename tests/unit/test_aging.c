/*
 * test_aging.c - route aging through TimeToLive (RtmAddRouteToDest,
 * RtmUpdateAndUnlockRoute) with and without an RTM_ROUTE_EXPIRED callback,
 * and hold-down (RtmHoldDestination) (SEMANTICS §5, §6, §7, §10, §11,
 * §14.17, §14.18).
 *
 * Timers and callbacks run on the library's threads: positive checks wait with
 * a generous deadline, negative checks ("not expired yet") only after a time
 * well short of the TTL or hold time they are about.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define UCAST RTM_VIEW_MASK_UCAST
#define MCAST RTM_VIEW_MASK_MCAST
#define BOTH (RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST)

#define METRIC_UNREACHABLE 16

/* ---- the expiry callback ---------------------------------------------------------------- */

enum exp_mode {
	EXP_DELETE, /* return ERROR_NOT_SUPPORTED: the RTM deletes the route */
	EXP_KEEP,   /* return NO_ERROR and keep the handed-over reference */
	EXP_UPDATE, /* the sample: lock, mark unreachable, update with INFINITE, release */
};

#define MAXHELD 16

static struct {
	atomic_int mode;
	atomic_uint expired;      /* RTM_ROUTE_EXPIRED callbacks */
	atomic_uint bad;          /* wrong arguments, wrong thread, failed calls inside */
	atomic_uint ptr_mismatch; /* Context2 differs from RtmLockRoute's pointer */
	atomic_uint metric_seen;  /* Context2->PrefInfo.Metric of the last callback */
	_Atomic(void *) owner;
	_Atomic(void *) route;    /* Context1 of the last callback */
	_Atomic(void *) dest;     /* Context2->DestHandle of the last callback */
	pthread_t test_thread;
	pthread_mutex_t mu;
	RTM_ROUTE_HANDLE held[MAXHELD];
	unsigned nheld;
} X = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void
x_reset(RTM_ENTITY_HANDLE owner, enum exp_mode mode)
{
	atomic_store(&X.mode, (int)mode);
	atomic_store(&X.expired, 0);
	atomic_store(&X.bad, 0);
	atomic_store(&X.ptr_mismatch, 0);
	atomic_store(&X.metric_seen, 0);
	atomic_store(&X.owner, owner);
	atomic_store(&X.route, NULL);
	atomic_store(&X.dest, NULL);
	X.test_thread = pthread_self();
	pthread_mutex_lock(&X.mu);
	X.nheld = 0;
	pthread_mutex_unlock(&X.mu);
}

/* Releases every reference the callback kept (EXP_KEEP). */
static void
x_release_held(RTM_ENTITY_HANDLE h)
{
	unsigned i;

	pthread_mutex_lock(&X.mu);
	for (i = 0; i < X.nheld; i++)
		CHECK_RC(RtmReleaseRoutes(h, 1, &X.held[i]), NO_ERROR);
	X.nheld = 0;
	pthread_mutex_unlock(&X.mu);
}

static DWORD WINAPI
event_cb(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE ev, PVOID c1, PVOID c2)
{
	RTM_ROUTE_HANDLE r = c1;
	RTM_ROUTE_INFO *ri = c2;
	RTM_ROUTE_INFO *lp = NULL;
	DWORD fl = 0;

	if (ev != RTM_ROUTE_EXPIRED)
		return NO_ERROR;
	if (h != atomic_load(&X.owner) || r == NULL || ri == NULL ||
	    pthread_equal(pthread_self(), X.test_thread)) {
		atomic_fetch_add(&X.bad, 1);
		return ERROR_NOT_SUPPORTED;
	}
	if (ri->RouteOwner != h || ri->State != RTM_ROUTE_STATE_CREATED)
		atomic_fetch_add(&X.bad, 1);
	atomic_store(&X.metric_seen, ri->PrefInfo.Metric);
	atomic_store(&X.route, r);
	atomic_store(&X.dest, ri->DestHandle);
	switch ((enum exp_mode)atomic_load(&X.mode)) {
	case EXP_DELETE:
		atomic_fetch_add(&X.expired, 1);
		return ERROR_NOT_SUPPORTED;
	case EXP_KEEP:
		pthread_mutex_lock(&X.mu);
		if (X.nheld < MAXHELD)
			X.held[X.nheld++] = r;
		else
			atomic_fetch_add(&X.bad, 1);
		pthread_mutex_unlock(&X.mu);
		atomic_fetch_add(&X.expired, 1);
		return NO_ERROR;
	case EXP_UPDATE:
		if (RtmLockRoute(h, r, TRUE, TRUE, &lp) != NO_ERROR || lp == NULL) {
			atomic_fetch_add(&X.bad, 1);
		} else {
			if (lp != ri)
				atomic_fetch_add(&X.ptr_mismatch, 1);
			lp->PrefInfo.Metric = METRIC_UNREACHABLE;
			DWORD rc = RtmUpdateAndUnlockRoute(h, r, INFINITE, NULL, 0, NULL, &fl);

			if (rc != NO_ERROR) {
				atomic_fetch_add(&X.bad, 1);
				RtmLockRoute(h, r, TRUE, FALSE, NULL);
			}
		}
		if (RtmReleaseRoutes(h, 1, &r) != NO_ERROR)
			atomic_fetch_add(&X.bad, 1);
		atomic_fetch_add(&X.expired, 1);
		return NO_ERROR;
	}
	return NO_ERROR;
}

/* ---- environment ------------------------------------------------------------------------ */

struct ent {
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh;
};

static int
ent_init(struct ent *e, ULONG proto, ULONG inst, int with_cb)
{
	memset(e, 0, sizeof(*e));
	e->h = tl_register_ex(0, AF_INET, proto, inst, FALSE, with_cb ? event_cb : NULL, &e->prof);
	if (e->h == NULL)
		return 0;
	e->nh = tl_add_nexthop(e->h, AF_INET, "10.255.0.1", 1);
	return e->nh != NULL;
}

static void
ent_fini(struct ent *e)
{
	if (e->nh != NULL)
		CHECK_RC(RtmDeleteNextHop(e->h, e->nh, NULL), NO_ERROR);
	tl_deregister(e->h);
}

static void
pfx(RTM_NET_ADDRESS *a, const char *text)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, text, n);
	buf[n] = 0;
	tl_ipv4(a, buf, slash ? (unsigned)atoi(slash + 1) : 32u);
}

static RTM_ROUTE_HANDLE
rt_ttl(struct ent *e, const char *text, ULONG metric, DWORD views, ULONG ttl)
{
	RTM_NET_ADDRESS p;
	DWORD fl = RTM_ROUTE_CHANGE_NEW;

	pfx(&p, text);
	return tl_add_route_ex(e->h, &p, e->nh, 10, metric, views, ttl, NULL, &fl);
}

/* Updates r through RtmAddRouteToDest with a new metric and TTL. */
static DWORD
upd_ttl(struct ent *e, RTM_ROUTE_HANDLE r, ULONG metric, DWORD views, ULONG ttl)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(1);
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE h = r;
	DWORD fl = 0, rc;

	memset(&p, 0, sizeof(p));
	p.AddressFamily = AF_INET;
	ri->PrefInfo.Preference = 10;
	ri->PrefInfo.Metric = metric;
	ri->BelongsToViews = views;
	ri->NextHopsList.NumNextHops = 1;
	TL_NH(ri, 0) = e->nh;
	rc = RtmAddRouteToDest(e->h, &h, &p, ri, ttl, NULL, 0, NULL, &fl);
	free(ri);
	return rc;
}

static int
exists(struct ent *e, const char *text)
{
	RTM_NET_ADDRESS p;

	pfx(&p, text);
	return tl_dest_exists(e->h, &p);
}

static UCHAR
state_of(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r)
{
	UCHAR st = 0xff;

	CHECK_RC(tl_route_state(h, r, &st, NULL), NO_ERROR);
	return st;
}

/* Takes one more reference on r (for checks after the owner's reference is gone). */
static RTM_ROUTE_HANDLE
keep(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r)
{
	HANDLE x = r;

	CHECK_RC(RtmReferenceHandles(h, 1, &x), NO_ERROR);
	return r;
}

/*
 * After the caller released what it believes is the last reference: the handle
 * must die.  The RTM's timer thread may still be finishing with the route (a
 * reference of its own for the length of the expiry or hold-down work), so
 * wait for it rather than expect it at once.
 */
static void
check_dies_at(int line, RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r)
{
	TL_WAIT_UNTIL(tl_route_state(h, r, NULL, NULL) == ERROR_INVALID_HANDLE, TL_ASYNC_MS);
	if (tl_route_state(h, r, NULL, NULL) != ERROR_INVALID_HANDLE)
		check_fail(__FILE__, line, "route handle %p is still valid: a reference leaked", r);
}

#define check_dies(h, r) check_dies_at(__LINE__, (h), (r))

/* ---- TimeToLive without a callback ------------------------------------------------------- */

TEST(expired_route_of_an_entity_without_callback_is_deleted)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, 50);
	REQUIRE(r != NULL);
	TL_WAIT_UNTIL(!exists(&a, "10.1.0.0/16"), TL_ASYNC_MS);
	CHECK(!exists(&a, "10.1.0.0/16"));
	/* Our handle still holds the route object, now deleted. */
	CHECK_EQ_U(state_of(a.h, r), RTM_ROUTE_STATE_DELETED);
	tl_release_route(a.h, r);
	check_dies(a.h, r);
	ent_fini(&a);
}

TEST(ttl_zero_expires_as_soon_as_possible)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, 0);
	REQUIRE(r != NULL);
	TL_WAIT_UNTIL(!exists(&a, "10.1.0.0/16"), TL_ASYNC_MS);
	CHECK(!exists(&a, "10.1.0.0/16"));
	CHECK_EQ_U(state_of(a.h, r), RTM_ROUTE_STATE_DELETED);
	tl_release_route(a.h, r);
	ent_fini(&a);
}

TEST(infinite_ttl_never_expires)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 1));
	x_reset(a.h, EXP_DELETE);
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, INFINITE);
	REQUIRE(r != NULL);
	tl_sleep_ms(2 * TL_QUIET_MS);
	CHECK(exists(&a, "10.1.0.0/16"));
	CHECK_EQ_U(state_of(a.h, r), RTM_ROUTE_STATE_CREATED);
	CHECK_EQ_U(atomic_load(&X.expired), 0);
	tl_delete_route(a.h, r);
	ent_fini(&a);
}

TEST(every_update_restarts_the_timer)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, 1500);
	REQUIRE(r != NULL);
	/* 16 updates 150 ms apart outlast one TTL only if each restarts the timer. */
	for (i = 0; i < 16; i++) {
		tl_sleep_ms(150);
		CHECK_RC(upd_ttl(&a, r, 2 + i, UCAST, 1500), NO_ERROR);
	}
	CHECK(exists(&a, "10.1.0.0/16"));
	CHECK_EQ_U(state_of(a.h, r), RTM_ROUTE_STATE_CREATED);
	/* A short TTL on the next update. */
	CHECK_RC(upd_ttl(&a, r, 50, UCAST, 50), NO_ERROR);
	TL_WAIT_UNTIL(!exists(&a, "10.1.0.0/16"), TL_ASYNC_MS);
	CHECK(!exists(&a, "10.1.0.0/16"));
	tl_release_route(a.h, r);
	ent_fini(&a);
}

TEST(update_with_infinite_ttl_cancels_the_timer)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, 1000);
	REQUIRE(r != NULL);
	CHECK_RC(upd_ttl(&a, r, 2, UCAST, INFINITE), NO_ERROR);
	tl_sleep_ms(1500);
	CHECK(exists(&a, "10.1.0.0/16"));
	CHECK_EQ_U(state_of(a.h, r), RTM_ROUTE_STATE_CREATED);
	tl_delete_route(a.h, r);
	ent_fini(&a);
}

TEST(update_and_unlock_route_ttl_starts_the_timer)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;
	RTM_ROUTE_INFO *p = NULL;
	DWORD fl = 0;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, INFINITE);
	REQUIRE(r != NULL);
	REQUIRE_RC(RtmLockRoute(a.h, r, TRUE, TRUE, &p), NO_ERROR);
	REQUIRE(p != NULL);
	p->PrefInfo.Metric = 9;
	CHECK_RC(RtmUpdateAndUnlockRoute(a.h, r, 50, NULL, 0, NULL, &fl), NO_ERROR);
	TL_WAIT_UNTIL(!exists(&a, "10.1.0.0/16"), TL_ASYNC_MS);
	CHECK(!exists(&a, "10.1.0.0/16"));
	CHECK_EQ_U(state_of(a.h, r), RTM_ROUTE_STATE_DELETED);
	tl_release_route(a.h, r);
	ent_fini(&a);
}

TEST(deleted_route_never_expires)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 1));
	x_reset(a.h, EXP_DELETE);
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, 300);
	REQUIRE(r != NULL);
	tl_delete_route(a.h, r);
	tl_sleep_ms(600);
	CHECK_EQ_U(atomic_load(&X.expired), 0);
	CHECK_EQ_U(atomic_load(&X.bad), 0);
	ent_fini(&a);
}

TEST(routes_of_a_deregistered_entity_do_not_expire_later)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 1));
	x_reset(a.h, EXP_DELETE);
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, 300);
	REQUIRE(r != NULL);
	tl_release_route(a.h, r);
	CHECK_RC(RtmDeleteNextHop(a.h, a.nh, NULL), NO_ERROR);
	tl_deregister(a.h);
	tl_sleep_ms(600);
	CHECK_EQ_U(atomic_load(&X.expired), 0);
	CHECK_EQ_U(atomic_load(&X.bad), 0);
}

/* ---- the RTM_ROUTE_EXPIRED callback ------------------------------------------------------- */

TEST(expiry_callback_returning_not_supported_lets_the_rtm_delete_the_route)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;
	RTM_NOTIFY_HANDLE n = NULL;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di;
	BOOL st = FALSE;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 1));
	x_reset(a.h, EXP_DELETE);
	CHECK_RC(RtmRegisterForChangeNotification(a.h, UCAST, RTM_CHANGE_TYPE_ALL, NULL, &n),
		 NO_ERROR);
	r = rt_ttl(&a, "10.1.0.0/16", 7, UCAST, 50);
	REQUIRE(r != NULL && n != NULL);
	pfx(&p, "10.1.0.0/16");
	di = tl_dest_get(a.h, &p);
	REQUIRE(di != NULL);
	TL_WAIT_UNTIL(atomic_load(&X.expired) >= 1 && !exists(&a, "10.1.0.0/16"), TL_ASYNC_MS);
	CHECK_EQ_U(atomic_load(&X.expired), 1);
	CHECK(!exists(&a, "10.1.0.0/16"));
	/* Context1 was the route, Context2 its info. */
	CHECK_EQ_PTR(atomic_load(&X.route), r);
	CHECK_EQ_PTR(atomic_load(&X.dest), di->DestHandle);
	CHECK_EQ_U(atomic_load(&X.metric_seen), 7);
	CHECK_EQ_U(atomic_load(&X.bad), 0);
	CHECK_EQ_U(state_of(a.h, r), RTM_ROUTE_STATE_DELETED);
	/* Deleted like RtmDeleteRouteToDest would: a change is raised. */
	TL_WAIT_UNTIL(RtmGetChangeStatus(a.h, n, di->DestHandle, &st) == NO_ERROR && st,
		      TL_ASYNC_MS);
	CHECK_EQ_U(st, TRUE);
	/* The reference handed to the callback was the RTM's to drop: ours is the last. */
	tl_release_route(a.h, r);
	check_dies(a.h, r);
	tl_dest_put(a.h, di);
	CHECK_RC(RtmDeregisterFromChangeNotification(a.h, n), NO_ERROR);
	ent_fini(&a);
}

TEST(expiry_callback_returning_other_keeps_the_route_and_hands_over_a_reference)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 1));
	x_reset(a.h, EXP_KEEP);
	r = rt_ttl(&a, "10.1.0.0/16", 3, UCAST, 50);
	REQUIRE(r != NULL);
	TL_WAIT_UNTIL(atomic_load(&X.expired) >= 1, TL_ASYNC_MS);
	CHECK_EQ_U(atomic_load(&X.expired), 1);
	CHECK_EQ_U(atomic_load(&X.bad), 0);
	/* The route stays, and the timer was one-shot. */
	tl_sleep_ms(TL_QUIET_MS);
	CHECK(exists(&a, "10.1.0.0/16"));
	CHECK_EQ_U(state_of(a.h, r), RTM_ROUTE_STATE_CREATED);
	CHECK_EQ_U(atomic_load(&X.expired), 1);
	pthread_mutex_lock(&X.mu);
	CHECK_EQ_U(X.nheld, 1);
	if (X.nheld == 1)
		CHECK_EQ_PTR(X.held[0], r);
	pthread_mutex_unlock(&X.mu);
	/* Exactly one reference was handed over: after deleting the route with ours,
	 * the callback's keeps the handle alive, and releasing it ends it. */
	tl_delete_route(a.h, r);
	CHECK_EQ_U(state_of(a.h, r), RTM_ROUTE_STATE_DELETED);
	x_release_held(a.h);
	check_dies(a.h, r);
	ent_fini(&a);
}

TEST(expiry_callback_can_lock_and_update_the_route_like_the_sample)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;
	ULONG metric = 0;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 1));
	x_reset(a.h, EXP_UPDATE);
	r = rt_ttl(&a, "10.1.0.0/16", 3, UCAST, 50);
	REQUIRE(r != NULL);
	TL_WAIT_UNTIL(atomic_load(&X.expired) >= 1, TL_ASYNC_MS);
	CHECK_EQ_U(atomic_load(&X.expired), 1);
	CHECK_EQ_U(atomic_load(&X.bad), 0);
	/* Context2 is the route info RtmLockRoute gives (the sample writes through it). */
	CHECK_EQ_U(atomic_load(&X.ptr_mismatch), 0);
	CHECK_RC(tl_route_state(a.h, r, NULL, &metric), NO_ERROR);
	CHECK_EQ_U(metric, METRIC_UNREACHABLE);
	/* Updated with INFINITE: no second expiry. */
	tl_sleep_ms(2 * TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&X.expired), 1);
	CHECK(exists(&a, "10.1.0.0/16"));
	tl_delete_route(a.h, r);
	ent_fini(&a);
}

TEST(expiry_callbacks_for_several_routes)
{
	struct ent a;
	RTM_ROUTE_HANDLE r[6];
	char buf[32];
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 1));
	x_reset(a.h, EXP_DELETE);
	for (i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf), "10.%u.0.0/16", i + 1);
		r[i] = rt_ttl(&a, buf, 1, UCAST, 20 + 10 * i);
		REQUIRE(r[i] != NULL);
		tl_release_route(a.h, r[i]);
	}
	TL_WAIT_UNTIL(atomic_load(&X.expired) >= 6, TL_ASYNC_MS);
	CHECK_EQ_U(atomic_load(&X.expired), 6);
	for (i = 0; i < 6; i++) {
		snprintf(buf, sizeof(buf), "10.%u.0.0/16", i + 1);
		TL_WAIT_UNTIL(!exists(&a, buf), TL_ASYNC_MS);
		CHECK(!exists(&a, buf));
	}
	CHECK_EQ_U(atomic_load(&X.bad), 0);
	ent_fini(&a);
}

/* ---- RtmHoldDestination ------------------------------------------------------------------ */

TEST(hold_destination_bad_handles_and_arguments)
{
	struct ent a;
	struct tl_badset bad;
	RTM_ROUTE_HANDLE r;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di;
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, INFINITE);
	pfx(&p, "10.1.0.0/16");
	di = r ? tl_dest_get(a.h, &p) : NULL;
	REQUIRE(di != NULL);

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmHoldDestination(bad.v[i].h, di->DestHandle, UCAST, 1000),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_DEST) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmHoldDestination(a.h, bad.v[i].h, UCAST, 1000),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmHoldDestination(a.h, di->DestHandle, UCAST, 0), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmHoldDestination(a.h, di->DestHandle, 0x4, 1000), ERROR_INVALID_PARAMETER);

	/* None of those armed a hold-down: deleting the route removes the destination. */
	tl_dest_put(a.h, di);
	tl_delete_route(a.h, r);
	CHECK(!exists(&a, "10.1.0.0/16"));
	ent_fini(&a);
}

/* Number of destinations / routes an enumeration over 10.1/16 finds. */
static unsigned
enum_dests_at(struct ent *e, DWORD views)
{
	RTM_NET_ADDRESS p;
	RTM_ENUM_HANDLE en = NULL;
	RTM_DEST_INFO *arr = tl_dest_array_alloc(&e->prof, e->prof.MaxHandlesInEnum);
	UINT num;
	DWORD rc;
	unsigned n = 0, guard = 0;

	pfx(&p, "10.1.0.0/16");
	CHECK_RC(RtmCreateDestEnum(e->h, views, RTM_ENUM_RANGE, &p, RTM_BEST_PROTOCOL, &en),
		 NO_ERROR);
	do {
		num = e->prof.MaxHandlesInEnum;
		rc = RtmGetEnumDests(e->h, en, &num, arr);
		n += num;
		if (num > 0)
			RtmReleaseDests(e->h, num, arr);
	} while (rc == NO_ERROR && ++guard < 100);
	RtmDeleteEnumHandle(e->h, en);
	free(arr);
	return n;
}

static unsigned
enum_routes_at(struct ent *e, DWORD views, RTM_ROUTE_HANDLE want, int *found)
{
	RTM_NET_ADDRESS p;
	RTM_ENUM_HANDLE en = NULL;
	RTM_ROUTE_HANDLE *arr = calloc(e->prof.MaxHandlesInEnum, sizeof(*arr));
	UINT num, i;
	DWORD rc;
	unsigned n = 0, guard = 0;

	*found = 0;
	pfx(&p, "10.1.0.0/16");
	CHECK_RC(RtmCreateRouteEnum(e->h, NULL, views, RTM_ENUM_RANGE, &p, RTM_MATCH_NONE, NULL, 0,
				    &en),
		 NO_ERROR);
	do {
		num = e->prof.MaxHandlesInEnum;
		rc = RtmGetEnumRoutes(e->h, en, &num, arr);
		for (i = 0; i < num; i++)
			*found |= arr[i] == want;
		n += num;
		if (num > 0)
			RtmReleaseRoutes(e->h, num, arr);
	} while (rc == NO_ERROR && ++guard < 100);
	RtmDeleteEnumHandle(e->h, en);
	free(arr);
	return n;
}

/* View info of view 0 for `views`; returns the result code. */
static DWORD
view0(struct ent *e, RTM_DEST_HANDLE d, DWORD views, UINT *nroutes, RTM_ROUTE_HANDLE *best,
      RTM_ROUTE_HANDLE *hold)
{
	RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	DWORD rc = RtmGetDestInfo(e->h, d, RTM_BEST_PROTOCOL, views, di);

	if (rc == NO_ERROR) {
		*nroutes = TL_VIEW(di, 0).NumRoutes;
		*best = TL_VIEW(di, 0).Route;
		*hold = TL_VIEW(di, 0).HoldRoute;
		RtmReleaseDestInfo(e->h, di);
	}
	free(di);
	return rc;
}

static RTM_ROUTE_HANDLE
hold_route_of(struct ent *e, RTM_DEST_HANDLE d)
{
	UINT nr;
	RTM_ROUTE_HANDLE best, hold = NULL;

	if (view0(e, d, UCAST, &nr, &best, &hold) != NO_ERROR)
		return NULL;
	return hold;
}

TEST(hold_down_turns_the_last_route_into_the_hold_route_until_the_time_is_up)
{
	struct ent a;
	RTM_ROUTE_HANDLE r, best = (HANDLE)1, hold = NULL;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di, *chk;
	UINT nr = 99;
	int found;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, INFINITE);
	pfx(&p, "10.1.0.0/16");
	di = r ? tl_dest_get(a.h, &p) : NULL;
	REQUIRE(di != NULL);
	CHECK_RC(RtmHoldDestination(a.h, di->DestHandle, UCAST, 3000), NO_ERROR);
	/* Arming alone changes nothing visible. */
	CHECK_RC(view0(&a, di->DestHandle, UCAST, &nr, &best, &hold), NO_ERROR);
	CHECK_EQ_PTR(best, r);
	CHECK_EQ_PTR(hold, NULL);

	keep(a.h, r);
	tl_delete_route(a.h, r);

	CHECK_RC(view0(&a, di->DestHandle, UCAST, &nr, &best, &hold), NO_ERROR);
	CHECK_EQ_U(nr, 0);
	CHECK_EQ_PTR(best, NULL);
	CHECK_EQ_PTR(hold, r);
	CHECK_EQ_U(state_of(a.h, r), RTM_ROUTE_STATE_DELETED);
	/* Found with ANY, not with the view itself. */
	CHECK(tl_dest_exists(a.h, &p));
	chk = tl_dest_info_alloc(RTM_MAX_VIEWS);
	CHECK_RC(tl_exact_dest(a.h, &p, UCAST, chk), ERROR_NOT_FOUND);
	free(chk);
	CHECK_EQ_U(enum_dests_at(&a, RTM_VIEW_MASK_ANY), 1);
	CHECK_EQ_U(enum_dests_at(&a, UCAST), 0);
	CHECK_EQ_U(enum_routes_at(&a, RTM_VIEW_MASK_ANY, r, &found), 1);
	CHECK(found);
	CHECK_EQ_U(enum_routes_at(&a, UCAST, r, &found), 0);

	/* When the time is up the destination goes. */
	TL_WAIT_UNTIL(!tl_dest_exists(a.h, &p), 3 * TL_ASYNC_MS / 2);
	CHECK(!tl_dest_exists(a.h, &p));
	CHECK_EQ_PTR(hold_route_of(&a, di->DestHandle), NULL);
	/* The RTM dropped its reference to the hold route: ours is the last. */
	tl_release_route(a.h, r);
	check_dies(a.h, r);
	tl_dest_put(a.h, di);
	ent_fini(&a);
}

TEST(hold_down_start_and_end_are_reported_as_all_and_best_changes)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;
	RTM_NOTIFY_HANDLE na = NULL, nb = NULL;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di, *arr;
	BOOL st;
	UINT num;
	unsigned guard;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	CHECK_RC(RtmRegisterForChangeNotification(a.h, UCAST, RTM_CHANGE_TYPE_ALL, NULL, &na),
		 NO_ERROR);
	CHECK_RC(RtmRegisterForChangeNotification(a.h, UCAST, RTM_CHANGE_TYPE_BEST, NULL, &nb),
		 NO_ERROR);
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, INFINITE);
	pfx(&p, "10.1.0.0/16");
	di = r ? tl_dest_get(a.h, &p) : NULL;
	REQUIRE(na && nb && di);
	CHECK_RC(RtmHoldDestination(a.h, di->DestHandle, UCAST, 1500), NO_ERROR);
	arr = tl_dest_array_alloc(&a.prof, a.prof.MaxHandlesInEnum);

#define DRAIN(n)                                                                                   \
	do {                                                                                       \
		guard = 0;                                                                         \
		do {                                                                               \
			num = a.prof.MaxHandlesInEnum;                                             \
			if (RtmGetChangedDests(a.h, (n), &num, arr) != NO_ERROR)                   \
				guard = 1000;                                                      \
			if (num > 0)                                                               \
				CHECK_RC(RtmReleaseChangedDests(a.h, (n), num, arr), NO_ERROR);    \
		} while (++guard < 100);                                                           \
	} while (0)
#define PENDING(n) (RtmGetChangeStatus(a.h, (n), di->DestHandle, &st) == NO_ERROR && st == TRUE)

	TL_WAIT_UNTIL(PENDING(na) && PENDING(nb), TL_ASYNC_MS);
	DRAIN(na);
	DRAIN(nb);

	/* Start of the hold-down. */
	tl_delete_route(a.h, r);
	TL_WAIT_UNTIL(PENDING(na) && PENDING(nb), TL_ASYNC_MS);
	CHECK(PENDING(na));
	CHECK(PENDING(nb));
	DRAIN(na);
	DRAIN(nb);
	CHECK(tl_dest_exists(a.h, &p));

	/* End of it. */
	TL_WAIT_UNTIL(!tl_dest_exists(a.h, &p), 3 * TL_ASYNC_MS / 2);
	CHECK(!tl_dest_exists(a.h, &p));
	TL_WAIT_UNTIL(PENDING(na) && PENDING(nb), TL_ASYNC_MS);
	CHECK(PENDING(na));
	CHECK(PENDING(nb));
	DRAIN(na);
	DRAIN(nb);
#undef DRAIN
#undef PENDING

	free(arr);
	tl_dest_put(a.h, di);
	CHECK_RC(RtmDeregisterFromChangeNotification(a.h, na), NO_ERROR);
	CHECK_RC(RtmDeregisterFromChangeNotification(a.h, nb), NO_ERROR);
	ent_fini(&a);
}

TEST(hold_route_stays_while_new_routes_arrive)
{
	struct ent a, b;
	RTM_ROUTE_HANDLE r, r2, best = NULL, hold = NULL;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di;
	UINT nr = 99;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1, 0));
	r = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, INFINITE);
	pfx(&p, "10.1.0.0/16");
	di = r ? tl_dest_get(a.h, &p) : NULL;
	REQUIRE(di != NULL);
	/* Any entity may arm it. */
	CHECK_RC(RtmHoldDestination(b.h, di->DestHandle, UCAST, 1000), NO_ERROR);
	keep(a.h, r);
	tl_delete_route(a.h, r);
	CHECK_EQ_PTR(hold_route_of(&a, di->DestHandle), r);

	r2 = rt_ttl(&b, "10.1.0.0/16", 5, UCAST, INFINITE);
	REQUIRE(r2 != NULL);
	CHECK_RC(view0(&a, di->DestHandle, UCAST, &nr, &best, &hold), NO_ERROR);
	CHECK_EQ_U(nr, 1);
	CHECK_EQ_PTR(best, r2);
	CHECK_EQ_PTR(hold, r);

	/* The hold ends on time; the new route stays. */
	TL_WAIT_UNTIL(hold_route_of(&a, di->DestHandle) == NULL, 3 * TL_ASYNC_MS / 2);
	CHECK_RC(view0(&a, di->DestHandle, UCAST, &nr, &best, &hold), NO_ERROR);
	CHECK_EQ_PTR(hold, NULL);
	CHECK_EQ_PTR(best, r2);
	CHECK(tl_dest_exists(a.h, &p));
	tl_release_route(a.h, r);

	/* The arming was used up: the next last-route deletion holds nothing. */
	tl_delete_route(b.h, r2);
	CHECK(!tl_dest_exists(a.h, &p));
	CHECK_EQ_PTR(hold_route_of(&a, di->DestHandle), NULL);

	tl_dest_put(a.h, di);
	ent_fini(&a);
	ent_fini(&b);
}

TEST(hold_down_applies_only_to_the_held_views)
{
	struct ent a;
	RTM_ROUTE_HANDLE ru, rm;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di;
	UINT nr = 99;
	RTM_ROUTE_HANDLE best, hold;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	ru = rt_ttl(&a, "10.1.0.0/16", 1, UCAST, INFINITE);
	rm = rt_ttl(&a, "10.1.0.0/16", 1, MCAST, INFINITE);
	pfx(&p, "10.1.0.0/16");
	di = (ru && rm) ? tl_dest_get(a.h, &p) : NULL;
	REQUIRE(di != NULL);
	CHECK_RC(RtmHoldDestination(a.h, di->DestHandle, MCAST, 1500), NO_ERROR);
	/* The unicast view is not held. */
	tl_delete_route(a.h, ru);
	hold = (HANDLE)1;
	CHECK_RC(view0(&a, di->DestHandle, UCAST, &nr, &best, &hold), NO_ERROR);
	CHECK_EQ_PTR(hold, NULL);
	CHECK_EQ_U(nr, 0);
	CHECK(tl_dest_exists(a.h, &p)); /* the multicast route is still there */
	/* The multicast view is. */
	keep(a.h, rm);
	tl_delete_route(a.h, rm);
	hold = NULL;
	CHECK_RC(view0(&a, di->DestHandle, MCAST, &nr, &best, &hold), NO_ERROR);
	CHECK_EQ_PTR(hold, rm);
	CHECK_RC(view0(&a, di->DestHandle, UCAST, &nr, &best, &hold), NO_ERROR);
	CHECK_EQ_PTR(hold, NULL);
	TL_WAIT_UNTIL(!tl_dest_exists(a.h, &p), 3 * TL_ASYNC_MS / 2);
	CHECK(!tl_dest_exists(a.h, &p));
	tl_release_route(a.h, rm);
	tl_dest_put(a.h, di);
	ent_fini(&a);
}

TEST(hold_time_is_the_longest_requested)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di;
	UINT nr = 0;
	RTM_ROUTE_HANDLE best = NULL, hold = NULL;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 0));
	r = rt_ttl(&a, "10.2.0.0/16", 1, BOTH, INFINITE);
	pfx(&p, "10.2.0.0/16");
	di = r ? tl_dest_get(a.h, &p) : NULL;
	REQUIRE(di != NULL);
	CHECK_RC(RtmHoldDestination(a.h, di->DestHandle, UCAST, 3000), NO_ERROR);
	CHECK_RC(RtmHoldDestination(a.h, di->DestHandle, MCAST, 50), NO_ERROR);
	keep(a.h, r);
	tl_delete_route(a.h, r);
	/* Both views hold the route, for the longer time. */
	CHECK_RC(view0(&a, di->DestHandle, UCAST, &nr, &best, &hold), NO_ERROR);
	CHECK_EQ_PTR(hold, r);
	CHECK_RC(view0(&a, di->DestHandle, MCAST, &nr, &best, &hold), NO_ERROR);
	CHECK_EQ_PTR(hold, r);
	tl_sleep_ms(600);
	CHECK_RC(view0(&a, di->DestHandle, MCAST, &nr, &best, &hold), NO_ERROR);
	CHECK_EQ_PTR(hold, r);
	CHECK(tl_dest_exists(a.h, &p));
	TL_WAIT_UNTIL(!tl_dest_exists(a.h, &p), 3 * TL_ASYNC_MS / 2);
	CHECK(!tl_dest_exists(a.h, &p));
	tl_release_route(a.h, r);
	tl_dest_put(a.h, di);
	ent_fini(&a);
}

TEST(expired_route_goes_into_hold_down)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1, 1));
	x_reset(a.h, EXP_DELETE);
	r = rt_ttl(&a, "10.3.0.0/16", 1, UCAST, INFINITE);
	pfx(&p, "10.3.0.0/16");
	di = r ? tl_dest_get(a.h, &p) : NULL;
	REQUIRE(di != NULL);
	CHECK_RC(RtmHoldDestination(a.h, di->DestHandle, UCAST, 1000), NO_ERROR);
	CHECK_RC(upd_ttl(&a, r, 1, UCAST, 20), NO_ERROR);
	TL_WAIT_UNTIL(atomic_load(&X.expired) >= 1 && hold_route_of(&a, di->DestHandle) != NULL,
		      TL_ASYNC_MS);
	CHECK_EQ_U(atomic_load(&X.expired), 1);
	CHECK_EQ_PTR(hold_route_of(&a, di->DestHandle), r);
	TL_WAIT_UNTIL(!tl_dest_exists(a.h, &p), 3 * TL_ASYNC_MS / 2);
	CHECK(!tl_dest_exists(a.h, &p));
	tl_release_route(a.h, r);
	tl_dest_put(a.h, di);
	ent_fini(&a);
}

int
main(int argc, char **argv)
{
	return check_main(argc, argv);
}
