/*
 * test_notify.c - RtmRegisterForChangeNotification, RtmGetChangedDests,
 * RtmReleaseChangedDests, RtmIgnoreChangedDests, RtmGetChangeStatus,
 * RtmMarkDestForChangeNotification, RtmIsMarkedForChangeNotification,
 * RtmDeregisterFromChangeNotification: arguments, what counts as a change of
 * each type and view, marks, the pending queue (coalescing, FIFO, deleted
 * destinations), and the RTM_CHANGE_NOTIFICATION callback (SEMANTICS §4, §5,
 * §10, §11, §13, §14.21, §14.22).
 *
 * Callbacks run on the library's threads, so positive checks wait with a
 * deadline.  For negative checks ("this registration was not told about
 * destination P") a change is then made at a marker destination that every
 * registration sees, and the test waits until the marker is pending
 * everywhere: a change of P made before it would have been queued by then.
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
#define T_ALL RTM_CHANGE_TYPE_ALL
#define T_BEST RTM_CHANGE_TYPE_BEST
#define T_FWD RTM_CHANGE_TYPE_FORWARDING

#define MAXITEMS 256

/* ---- the callback and its sinks --------------------------------------------------------- */

/* What one registration's callbacks saw; passed as the notify context. */
struct sink {
	atomic_uint calls;      /* RTM_CHANGE_NOTIFICATION callbacks */
	atomic_uint bad;        /* wrong Context1, caller's thread, failed calls inside */
	_Atomic(void *) notify; /* the registration, once known */
	RTM_ENTITY_HANDLE owner;
	pthread_t test_thread;
	int drain;              /* drain with the sample loop inside the callback */
	RTM_REGN_PROFILE prof;
	pthread_mutex_t mu;     /* guards got/ngot */
	RTM_NET_ADDRESS got[MAXITEMS];
	atomic_uint ngot;
};

static void
sink_init(struct sink *s, RTM_ENTITY_HANDLE owner, const RTM_REGN_PROFILE *prof, int drain)
{
	memset(s, 0, sizeof(*s));
	atomic_init(&s->calls, 0);
	atomic_init(&s->bad, 0);
	atomic_init(&s->notify, NULL);
	atomic_init(&s->ngot, 0);
	s->owner = owner;
	s->test_thread = pthread_self();
	s->drain = drain;
	if (prof != NULL)
		s->prof = *prof;
	pthread_mutex_init(&s->mu, NULL);
}

static void
sink_fini(struct sink *s)
{
	pthread_mutex_destroy(&s->mu);
}

/* The sample's loop: one destination at a time until ERROR_NO_MORE_ITEMS. */
static void
sink_drain(struct sink *s, RTM_ENTITY_HANDLE h, RTM_NOTIFY_HANDLE n)
{
	RTM_DEST_INFO *di = tl_dest_array_alloc(&s->prof, 1);
	unsigned rounds = 0;
	UINT num;
	DWORD rc;

	do {
		num = 1;
		rc = RtmGetChangedDests(h, n, &num, di);
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
			atomic_fetch_add(&s->bad, 1);
			break;
		}
		if (num == 1) {
			pthread_mutex_lock(&s->mu);
			if (atomic_load(&s->ngot) < MAXITEMS) {
				s->got[atomic_load(&s->ngot)] = di->DestAddress;
				atomic_fetch_add(&s->ngot, 1);
			}
			pthread_mutex_unlock(&s->mu);
			if (RtmReleaseChangedDests(h, n, 1, di) != NO_ERROR)
				atomic_fetch_add(&s->bad, 1);
		} else if (num != 0) {
			atomic_fetch_add(&s->bad, 1);
		}
	} while (rc == NO_ERROR && ++rounds < 10000);
	free(di);
}

static DWORD WINAPI
event_cb(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE ev, PVOID c1, PVOID c2)
{
	struct sink *s = c2;

	if (ev != RTM_CHANGE_NOTIFICATION)
		return ev == RTM_ROUTE_EXPIRED ? ERROR_NOT_SUPPORTED : NO_ERROR;
	if (s == NULL)
		return NO_ERROR;
	if (h != s->owner || (atomic_load(&s->notify) != NULL && c1 != atomic_load(&s->notify)) ||
	    pthread_equal(pthread_self(), s->test_thread))
		atomic_fetch_add(&s->bad, 1);
	if (s->drain)
		sink_drain(s, h, c1);
	atomic_fetch_add(&s->calls, 1);
	return NO_ERROR;
}

/* ---- environment ------------------------------------------------------------------------ */

struct ent {
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh;
	RTM_ROUTE_INFO *ri;
};

static int
ent_init_cb(struct ent *e, USHORT family, ULONG proto, ULONG inst, int with_cb)
{
	memset(e, 0, sizeof(*e));
	e->h = tl_register_ex(0, family, proto, inst, FALSE, with_cb ? event_cb : NULL, &e->prof);
	if (e->h == NULL)
		return 0;
	e->ri = tl_route_info_alloc(e->prof.MaxNextHopsInRoute + 1);
	e->nh = tl_add_nexthop(e->h, family, family == AF_INET6 ? "2001:db8:ff::1" : "10.255.0.1",
			       1);
	return e->nh != NULL;
}

static int
ent_init(struct ent *e, ULONG proto, ULONG inst)
{
	return ent_init_cb(e, AF_INET, proto, inst, 0);
}

static void
ent_fini(struct ent *e)
{
	if (e->nh != NULL)
		CHECK_RC(RtmDeleteNextHop(e->h, e->nh, NULL), NO_ERROR);
	free(e->ri);
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
	tl_addr(a, strchr(buf, ':') ? AF_INET6 : AF_INET, buf,
		slash ? (unsigned)atoi(slash + 1) : 32u);
}

/* Adds a new route (RTM_ROUTE_CHANGE_NEW) with the given flags. */
static RTM_ROUTE_HANDLE
rt_flags(struct ent *e, const char *text, ULONG pref, ULONG metric, DWORD views, USHORT flags)
{
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE r = NULL;
	DWORD fl = RTM_ROUTE_CHANGE_NEW;
	DWORD rc;

	pfx(&p, text);
	memset(e->ri, 0, RTMX_SIZE_OF_ROUTE_INFO(1));
	e->ri->PrefInfo.Preference = pref;
	e->ri->PrefInfo.Metric = metric;
	e->ri->BelongsToViews = views;
	e->ri->Flags = flags;
	e->ri->NextHopsList.NumNextHops = 1;
	TL_NH(e->ri, 0) = e->nh;
	rc = RtmAddRouteToDest(e->h, &r, &p, e->ri, INFINITE, NULL, 0, NULL, &fl);
	if (rc != NO_ERROR || r == NULL) {
		check_fail(__FILE__, __LINE__, "add %s: %s(%u)", text, rtm_error_name(rc),
			   (unsigned)rc);
		return NULL;
	}
	return r;
}

static RTM_ROUTE_HANDLE
rt(struct ent *e, const char *text, ULONG pref, ULONG metric, DWORD views)
{
	return rt_flags(e, text, pref, metric, views, 0);
}

/* Updates route r in place through RtmAddRouteToDest with a new route info. */
static void
upd(struct ent *e, RTM_ROUTE_HANDLE r, ULONG pref, ULONG metric, DWORD views, USHORT flags)
{
	RTM_NET_ADDRESS p;
	RTM_ROUTE_HANDLE h = r;
	DWORD fl = 0;
	DWORD rc;

	memset(&p, 0, sizeof(p));
	p.AddressFamily = AF_INET;
	memset(e->ri, 0, RTMX_SIZE_OF_ROUTE_INFO(1));
	e->ri->PrefInfo.Preference = pref;
	e->ri->PrefInfo.Metric = metric;
	e->ri->BelongsToViews = views;
	e->ri->Flags = flags;
	e->ri->NextHopsList.NumNextHops = 1;
	TL_NH(e->ri, 0) = e->nh;
	rc = RtmAddRouteToDest(e->h, &h, &p, e->ri, INFINITE, NULL, 0, NULL, &fl);
	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "update of %p: %s(%u)", r, rtm_error_name(rc),
			   (unsigned)rc);
}

static RTM_NOTIFY_HANDLE
reg_at(int line, struct ent *e, DWORD views, DWORD flags, struct sink *s)
{
	RTM_NOTIFY_HANDLE n = NULL;
	DWORD rc = RtmRegisterForChangeNotification(e->h, views, flags, s, &n);

	if (rc != NO_ERROR || n == NULL) {
		check_fail(__FILE__, line,
			   "RtmRegisterForChangeNotification(views 0x%x, flags 0x%x): %s(%u)",
			   (unsigned)views, (unsigned)flags, rtm_error_name(rc), (unsigned)rc);
		return NULL;
	}
	if (s != NULL)
		atomic_store(&s->notify, n);
	return n;
}

#define reg(e, views, flags, s) reg_at(__LINE__, (e), (views), (flags), (s))

static void
unreg(struct ent *e, RTM_NOTIFY_HANDLE n)
{
	if (n != NULL)
		CHECK_RC(RtmDeregisterFromChangeNotification(e->h, n), NO_ERROR);
}

/* Change status of d for n (records a failure unless the call succeeds). */
static int
pending_at(int line, RTM_ENTITY_HANDLE h, RTM_NOTIFY_HANDLE n, RTM_DEST_HANDLE d)
{
	BOOL st = 0x5a5a;
	DWORD rc = RtmGetChangeStatus(h, n, d, &st);

	if (rc != NO_ERROR) {
		check_fail(__FILE__, line, "RtmGetChangeStatus: %s(%u)", rtm_error_name(rc),
			   (unsigned)rc);
		return 0;
	}
	if (st != TRUE && st != FALSE)
		check_fail(__FILE__, line, "RtmGetChangeStatus gave %d, not TRUE or FALSE", st);
	return st == TRUE;
}

#define pending(h, n, d) pending_at(__LINE__, (h), (n), (d))

/* A list of changed destinations drained from a registration. */
struct clist {
	unsigned n;
	RTM_NET_ADDRESS a[MAXITEMS];
	UINT nviews[MAXITEMS];
	RTM_VIEW_ID viewid[MAXITEMS];
	UINT nroutes[MAXITEMS];
	RTM_ROUTE_HANDLE best[MAXITEMS];
	RTM_ROUTE_HANDLE hold[MAXITEMS];
	unsigned calls;
};

/*
 * Drains n with batches of `batch`, checking the batch convention (§10) and
 * releasing every batch with RtmReleaseChangedDests.
 */
static void
drain_at(int line, struct ent *e, RTM_NOTIFY_HANDLE n, UINT batch, struct clist *out)
{
	RTM_DEST_INFO *arr = tl_dest_array_alloc(&e->prof, batch);
	struct clist dummy;
	DWORD rc = NO_ERROR;
	UINT num, i;

	if (out == NULL)
		out = &dummy;
	memset(out, 0, sizeof(*out));
	while (rc == NO_ERROR && out->calls < MAXITEMS) {
		num = batch;
		rc = RtmGetChangedDests(e->h, n, &num, arr);
		out->calls++;
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
			check_fail(__FILE__, line, "RtmGetChangedDests: %s(%u)", rtm_error_name(rc),
				   (unsigned)rc);
			break;
		}
		if (num > batch) {
			check_fail(__FILE__, line, "RtmGetChangedDests: %u items for %u slots",
				   (unsigned)num, (unsigned)batch);
			break;
		}
		if (rc == NO_ERROR && num != batch)
			check_fail(__FILE__, line, "RtmGetChangedDests: NO_ERROR with %u of %u",
				   (unsigned)num, (unsigned)batch);
		for (i = 0; i < num; i++) {
			RTM_DEST_INFO *di = TL_DEST_AT(arr, &e->prof, i);

			if (out->n >= MAXITEMS)
				break;
			out->a[out->n] = di->DestAddress;
			out->nviews[out->n] = di->NumberOfViews;
			if (di->NumberOfViews > 0) {
				out->viewid[out->n] = TL_VIEW(di, 0).ViewId;
				out->nroutes[out->n] = TL_VIEW(di, 0).NumRoutes;
				out->best[out->n] = TL_VIEW(di, 0).Route;
				out->hold[out->n] = TL_VIEW(di, 0).HoldRoute;
			}
			out->n++;
		}
		if (num > 0 && num <= batch) {
			DWORD r2 = RtmReleaseChangedDests(e->h, n, num, arr);

			if (r2 != NO_ERROR)
				check_fail(__FILE__, line, "RtmReleaseChangedDests: %s(%u)",
					   rtm_error_name(r2), (unsigned)r2);
		}
	}
	free(arr);
}

#define drain(e, n, batch, out) drain_at(__LINE__, (e), (n), (batch), (out))

/* Index of prefix text in a drained list, or -1. */
static int
find(const struct clist *l, const char *text)
{
	RTM_NET_ADDRESS w;
	unsigned i;

	pfx(&w, text);
	for (i = 0; i < l->n; i++)
		if (tl_addr_eq(&l->a[i], &w))
			return (int)i;
	return -1;
}

static unsigned
count(const struct clist *l, const char *text)
{
	RTM_NET_ADDRESS w;
	unsigned i, c = 0;

	pfx(&w, text);
	for (i = 0; i < l->n; i++)
		if (tl_addr_eq(&l->a[i], &w))
			c++;
	return c;
}

/* ---- the marker ---------------------------------------------------------------------------- */

#define MARKER "10.99.0.0/16"

struct marker {
	RTM_ROUTE_HANDLE r;
	RTM_DEST_INFO *di;
	ULONG metric;
};

static int
marker_init(struct marker *m, struct ent *e)
{
	RTM_NET_ADDRESS p;

	m->metric = 1;
	m->r = rt(e, MARKER, 1, m->metric, BOTH);
	pfx(&p, MARKER);
	m->di = m->r ? tl_dest_get(e->h, &p) : NULL;
	return m->r != NULL && m->di != NULL;
}

static void
marker_fini(struct marker *m, struct ent *e)
{
	tl_dest_put(e->h, m->di);
	if (m->r != NULL)
		tl_delete_route(e->h, m->r);
}

/*
 * Changes the marker (a metric change of the best route in both views: ALL,
 * BEST and FORWARDING) and waits until it is pending in each of the k
 * registrations.  Returns 1 when it is.
 */
static int
settle_at(int line, struct ent *e, struct marker *m, RTM_NOTIFY_HANDLE *n, unsigned k)
{
	unsigned i;
	int ok = 1;

	upd(e, m->r, 1, ++m->metric, BOTH, 0);
	for (i = 0; i < k; i++) {
		TL_WAIT_UNTIL(pending_at(line, e->h, n[i], m->di->DestHandle), TL_ASYNC_MS);
		if (!pending_at(line, e->h, n[i], m->di->DestHandle)) {
			check_fail(__FILE__, line, "marker change never reached registration %u",
				   i);
			ok = 0;
		}
	}
	return ok;
}

/*
 * After a change at destination d: the set of registrations (bit i for n[i])
 * that have d pending.  Every registration is drained afterwards.
 */
static unsigned
observe_at(int line, struct ent *e, struct marker *m, RTM_NOTIFY_HANDLE *n, unsigned k,
	   RTM_DEST_HANDLE d)
{
	unsigned i, mask = 0;

	settle_at(line, e, m, n, k);
	for (i = 0; i < k; i++)
		if (pending_at(line, e->h, n[i], d))
			mask |= 1u << i;
	for (i = 0; i < k; i++)
		drain_at(line, e, n[i], e->prof.MaxHandlesInEnum, NULL);
	return mask;
}

#define observe(e, m, n, k, d) observe_at(__LINE__, (e), (m), (n), (k), (d))

/* ---- RtmRegisterForChangeNotification: arguments --------------------------------------- */

TEST(register_for_changes_bad_registration_handles_are_invalid_handle)
{
	struct tl_badset bad;
	RTM_NOTIFY_HANDLE n;
	unsigned i;

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		n = NULL;
		CHECK_RC_BAD(RtmRegisterForChangeNotification(bad.v[i].h, UCAST, T_ALL, NULL, &n),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(n, NULL);
	}
	tl_bad_fini(&bad);
}

TEST(register_for_changes_null_out_pointer_is_invalid_parameter)
{
	struct ent a;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	CHECK_RC(RtmRegisterForChangeNotification(a.h, UCAST, T_ALL, NULL, NULL),
		 ERROR_INVALID_PARAMETER);
	ent_fini(&a);
}

TEST(register_for_changes_bad_flags_are_invalid_parameter)
{
	static const DWORD flags[] = {
		0,
		RTM_NOTIFY_ONLY_MARKED_DESTS,
		0x8,
		T_ALL | 0x8,
		T_ALL | 0x00020000,
		T_BEST | 0x80000000,
		0x00000100,
	};
	struct ent a;
	RTM_NOTIFY_HANDLE n;
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		n = NULL;
		CHECK_RC(RtmRegisterForChangeNotification(a.h, UCAST, flags[i], NULL, &n),
			 ERROR_INVALID_PARAMETER);
		if (n != NULL) {
			check_note("flags 0x%x accepted", (unsigned)flags[i]);
			RtmDeregisterFromChangeNotification(a.h, n);
		}
	}
	ent_fini(&a);
}

TEST(register_for_changes_unsupported_views_are_not_supported)
{
	static const DWORD views[] = {0x4, UCAST | 0x8, 0x80000000};
	struct ent a;
	RTM_NOTIFY_HANDLE n;
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		n = NULL;
		CHECK_RC(RtmRegisterForChangeNotification(a.h, views[i], T_ALL, NULL, &n),
			 ERROR_NOT_SUPPORTED);
		if (n != NULL)
			RtmDeregisterFromChangeNotification(a.h, n);
	}
	ent_fini(&a);
}

TEST(register_for_changes_accepts_every_valid_combination)
{
	static const DWORD views[] = {RTM_VIEW_MASK_ANY, UCAST, MCAST, BOTH, RTM_VIEW_MASK_ALL};
	static const DWORD flags[] = {T_ALL,
				      T_BEST,
				      T_FWD,
				      T_ALL | T_BEST | T_FWD,
				      T_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS,
				      T_ALL | T_FWD | RTM_NOTIFY_ONLY_MARKED_DESTS};
	struct ent a;
	RTM_NOTIFY_HANDLE n;
	unsigned i, j;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		for (j = 0; j < sizeof(flags) / sizeof(flags[0]); j++) {
			n = NULL;
			CHECK_RC(RtmRegisterForChangeNotification(a.h, views[i], flags[j], NULL,
								  &n),
				 NO_ERROR);
			unreg(&a, n);
		}
	ent_fini(&a);
}

TEST(register_for_changes_is_limited_to_32_per_table)
{
	struct ent a, b, c6;
	RTM_NOTIFY_HANDLE na[16], nb[16], extra, n6;
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	REQUIRE(ent_init_cb(&c6, AF_INET6, TL_PROTO_RIP, 1, 0));
	for (i = 0; i < 16; i++) {
		na[i] = reg(&a, UCAST, T_ALL, NULL);
		nb[i] = reg(&b, BOTH, T_BEST, NULL);
		CHECK(na[i] != NULL && nb[i] != NULL);
	}
	extra = NULL;
	CHECK_RC(RtmRegisterForChangeNotification(a.h, UCAST, T_ALL, NULL, &extra),
		 ERROR_NO_SYSTEM_RESOURCES);
	CHECK_EQ_PTR(extra, NULL);
	CHECK_RC(RtmRegisterForChangeNotification(b.h, UCAST, T_ALL, NULL, &extra),
		 ERROR_NO_SYSTEM_RESOURCES);
	/* The IPv6 table has its own registrations. */
	n6 = reg(&c6, UCAST, T_ALL, NULL);
	unreg(&c6, n6);
	/* A freed registration can be taken again. */
	unreg(&a, na[3]);
	na[3] = reg(&b, UCAST, T_ALL, NULL);
	CHECK_RC(RtmRegisterForChangeNotification(a.h, UCAST, T_ALL, NULL, &extra),
		 ERROR_NO_SYSTEM_RESOURCES);
	unreg(&b, na[3]);
	na[3] = NULL;
	/* Deregistering an entity frees its registrations. */
	for (i = 0; i < 16; i++)
		if (na[i] != NULL)
			unreg(&a, na[i]);
	CHECK_RC(RtmDeleteNextHop(b.h, b.nh, NULL), NO_ERROR);
	b.nh = NULL;
	tl_deregister(b.h);
	b.h = NULL;
	for (i = 0; i < 32; i++) {
		extra = NULL;
		CHECK_RC(RtmRegisterForChangeNotification(a.h, UCAST, T_ALL, NULL, &extra),
			 NO_ERROR);
		/* Left to entity deregistration to clean up. */
	}
	ent_fini(&a);
	ent_fini(&c6);
	free(b.ri);
}

/* ---- bad handles for the other calls ------------------------------------------------------ */

struct bh {
	struct ent a;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r;
	RTM_DEST_INFO *di; /* 10.1/16, referenced */
	struct marker m;
};

/* One registration with 10.1/16 pending. */
static int
bh_init(struct bh *t)
{
	RTM_NET_ADDRESS p;

	memset(t, 0, sizeof(*t));
	if (!ent_init(&t->a, TL_PROTO_RIP, 1))
		return 0;
	t->n = reg(&t->a, UCAST, T_ALL, NULL);
	t->r = rt(&t->a, "10.1.0.0/16", 10, 1, UCAST);
	pfx(&p, "10.1.0.0/16");
	t->di = t->r ? tl_dest_get(t->a.h, &p) : NULL;
	if (t->n == NULL || t->di == NULL || !marker_init(&t->m, &t->a))
		return 0;
	TL_WAIT_UNTIL(pending(t->a.h, t->n, t->di->DestHandle), TL_ASYNC_MS);
	return pending(t->a.h, t->n, t->di->DestHandle);
}

static void
bh_fini(struct bh *t)
{
	marker_fini(&t->m, &t->a);
	tl_dest_put(t->a.h, t->di);
	if (t->r != NULL)
		tl_delete_route(t->a.h, t->r);
	unreg(&t->a, t->n);
	ent_fini(&t->a);
}

TEST(notify_calls_with_bad_registration_handles_are_invalid_handle)
{
	struct bh t;
	struct tl_badset bad;
	RTM_DEST_INFO *arr;
	RTM_DEST_HANDLE d;
	BOOL st;
	UINT num;
	unsigned i;

	if (!bh_init(&t)) {
		bh_fini(&t);
		REQUIRE(0);
	}
	d = t.di->DestHandle;
	arr = tl_dest_array_alloc(&t.a.prof, t.a.prof.MaxHandlesInEnum);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		HANDLE h = bad.v[i].h;

		num = t.a.prof.MaxHandlesInEnum;
		CHECK_RC_BAD(RtmGetChangedDests(h, t.n, &num, arr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_RC_BAD(RtmIgnoreChangedDests(h, t.n, 1, &d), ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_RC_BAD(RtmGetChangeStatus(h, t.n, d, &st), ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_RC_BAD(RtmMarkDestForChangeNotification(h, t.n, d, TRUE),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_RC_BAD(RtmIsMarkedForChangeNotification(h, t.n, d, &st),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_RC_BAD(RtmDeregisterFromChangeNotification(h, t.n), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	}
	tl_bad_fini(&bad);
	free(arr);
	/* Nothing changed: still registered, still pending, not marked. */
	CHECK(pending(t.a.h, t.n, d));
	st = 0x5a;
	CHECK_RC(RtmIsMarkedForChangeNotification(t.a.h, t.n, d, &st), NO_ERROR);
	CHECK_EQ_U(st, FALSE);
	bh_fini(&t);
}

TEST(notify_calls_with_bad_notify_handles_are_invalid_handle)
{
	struct bh t;
	struct tl_badobj bad;
	RTM_DEST_INFO *arr;
	RTM_DEST_HANDLE d;
	BOOL st;
	UINT num;
	unsigned i;

	if (!bh_init(&t)) {
		bh_fini(&t);
		REQUIRE(0);
	}
	d = t.di->DestHandle;
	arr = tl_dest_array_alloc(&t.a.prof, t.a.prof.MaxHandlesInEnum);
	REQUIRE(tl_badobj_init(&bad, AF_INET, TL_O_NOTIFY) > 0);
	for (i = 0; i < bad.n; i++) {
		HANDLE n = bad.v[i].h;

		num = t.a.prof.MaxHandlesInEnum;
		CHECK_RC_BAD(RtmGetChangedDests(t.a.h, n, &num, arr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_RC_BAD(RtmIgnoreChangedDests(t.a.h, n, 1, &d), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_RC_BAD(RtmGetChangeStatus(t.a.h, n, d, &st), ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_RC_BAD(RtmMarkDestForChangeNotification(t.a.h, n, d, TRUE),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_RC_BAD(RtmIsMarkedForChangeNotification(t.a.h, n, d, &st),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_RC_BAD(RtmDeregisterFromChangeNotification(t.a.h, n), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	}
	/* The other entity's registration still belongs to it. */
	st = 0x5a;
	CHECK_RC(RtmGetChangeStatus(bad.fixture, bad.live_notify, d, &st), NO_ERROR);
	tl_badobj_fini(&bad);
	free(arr);
	CHECK(pending(t.a.h, t.n, d));
	bh_fini(&t);
}

TEST(notify_calls_with_bad_dest_handles_are_invalid_handle)
{
	struct bh t;
	struct tl_badset bad;
	RTM_DEST_HANDLE d;
	BOOL st;
	unsigned i;

	/*
	 * The bad handles are made before the registration exists: a change
	 * waiting in a registration's queue holds a reference on its destination
	 * (it is handed to the client by RtmGetChangedDests), so a destination
	 * deleted while registered stays a valid handle until it is retrieved or
	 * ignored.
	 */
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_DEST) > 0);
	if (!bh_init(&t)) {
		bh_fini(&t);
		tl_bad_fini(&bad);
		REQUIRE(0);
	}
	for (i = 0; i < bad.n; i++) {
		d = bad.v[i].h;
		CHECK_RC_BAD(RtmIgnoreChangedDests(t.a.h, t.n, 1, &d), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_RC_BAD(RtmGetChangeStatus(t.a.h, t.n, d, &st), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_RC_BAD(RtmMarkDestForChangeNotification(t.a.h, t.n, d, TRUE),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_RC_BAD(RtmIsMarkedForChangeNotification(t.a.h, t.n, d, &st),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	CHECK(pending(t.a.h, t.n, t.di->DestHandle));
	bh_fini(&t);
}

TEST(notify_calls_with_null_pointers_are_invalid_parameter)
{
	struct bh t;
	RTM_DEST_INFO *arr;
	RTM_DEST_HANDLE d;
	UINT num;

	if (!bh_init(&t)) {
		bh_fini(&t);
		REQUIRE(0);
	}
	d = t.di->DestHandle;
	arr = tl_dest_array_alloc(&t.a.prof, 1);
	CHECK_RC(RtmGetChangedDests(t.a.h, t.n, NULL, arr), ERROR_INVALID_PARAMETER);
	num = 1;
	CHECK_RC(RtmGetChangedDests(t.a.h, t.n, &num, NULL), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmGetChangeStatus(t.a.h, t.n, d, NULL), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmIsMarkedForChangeNotification(t.a.h, t.n, d, NULL), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmIgnoreChangedDests(t.a.h, t.n, 1, NULL), ERROR_INVALID_PARAMETER);
	free(arr);
	CHECK(pending(t.a.h, t.n, d));
	bh_fini(&t);
}

TEST(get_changed_dests_count_zero_or_above_max_is_invalid_parameter)
{
	struct bh t;
	RTM_DEST_INFO *arr;
	UINT num, max;

	if (!bh_init(&t)) {
		bh_fini(&t);
		REQUIRE(0);
	}
	max = t.a.prof.MaxHandlesInEnum;
	arr = tl_dest_array_alloc(&t.a.prof, max + 1);
	num = 0;
	CHECK_RC(RtmGetChangedDests(t.a.h, t.n, &num, arr), ERROR_INVALID_PARAMETER);
	num = max + 1;
	CHECK_RC(RtmGetChangedDests(t.a.h, t.n, &num, arr), ERROR_INVALID_PARAMETER);
	num = 0xffffffffu;
	CHECK_RC(RtmGetChangedDests(t.a.h, t.n, &num, arr), ERROR_INVALID_PARAMETER);
	free(arr);
	CHECK(pending(t.a.h, t.n, t.di->DestHandle));
	bh_fini(&t);
}

TEST(release_changed_dests_bad_handles_release_nothing)
{
	struct bh t;
	struct tl_badset bad;
	struct tl_badobj badobj;
	RTM_DEST_INFO *arr;
	RTM_ROUTE_HANDLE best;
	UCHAR st = 0xff;
	UINT num = 1;
	unsigned i;

	if (!bh_init(&t)) {
		bh_fini(&t);
		REQUIRE(0);
	}
	arr = tl_dest_array_alloc(&t.a.prof, 1);
	CHECK_RC(RtmGetChangedDests(t.a.h, t.n, &num, arr), NO_ERROR);
	REQUIRE(num == 1);
	best = TL_VIEW(arr, 0).Route;
	CHECK_EQ_PTR(best, t.r);

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmReleaseChangedDests(bad.v[i].h, t.n, 1, arr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_badobj_init(&badobj, AF_INET, TL_O_NOTIFY) > 0);
	for (i = 0; i < badobj.n; i++)
		CHECK_RC_BAD(RtmReleaseChangedDests(t.a.h, badobj.v[i].h, 1, arr),
			     ERROR_INVALID_HANDLE, &badobj.v[i]);
	tl_badobj_fini(&badobj);

	/* The item's references are still held. */
	tl_delete_route(t.a.h, t.r);
	t.r = NULL;
	CHECK_RC(tl_route_state(t.a.h, best, &st, NULL), NO_ERROR);
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	CHECK_RC(RtmReleaseChangedDests(t.a.h, t.n, 1, arr), NO_ERROR);
	CHECK_RC(tl_route_state(t.a.h, best, NULL, NULL), ERROR_INVALID_HANDLE);
	free(arr);
	bh_fini(&t);
}

TEST(deregister_from_changes_twice_is_invalid_handle)
{
	struct ent a;
	RTM_NOTIFY_HANDLE n;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	n = reg(&a, UCAST, T_ALL, NULL);
	REQUIRE(n != NULL);
	CHECK_RC(RtmDeregisterFromChangeNotification(a.h, n), NO_ERROR);
	CHECK_RC(RtmDeregisterFromChangeNotification(a.h, n), ERROR_INVALID_HANDLE);
	ent_fini(&a);
}

/* ---- the pending queue ---------------------------------------------------------------------- */

TEST(get_changed_dests_with_nothing_pending_is_no_more_items)
{
	struct ent a;
	RTM_NOTIFY_HANDLE n;
	RTM_DEST_INFO *arr;
	UINT num;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	n = reg(&a, UCAST, T_ALL, NULL);
	REQUIRE(n != NULL);
	arr = tl_dest_array_alloc(&a.prof, a.prof.MaxHandlesInEnum);
	num = a.prof.MaxHandlesInEnum;
	CHECK_RC(RtmGetChangedDests(a.h, n, &num, arr), ERROR_NO_MORE_ITEMS);
	CHECK_EQ_U(num, 0);
	free(arr);
	unreg(&a, n);
	ent_fini(&a);
}

TEST(change_status_is_true_while_queued_and_false_after_retrieval)
{
	struct ent a;
	struct marker m;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r;
	RTM_DEST_INFO *di, *arr;
	RTM_NET_ADDRESS p;
	struct clist l;
	UINT num;
	DWORD rc;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	n = reg(&a, UCAST, T_ALL, NULL);
	REQUIRE(n != NULL);
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	pfx(&p, "10.1.0.0/16");
	di = tl_dest_get(a.h, &p);
	REQUIRE(r != NULL && di != NULL);
	TL_WAIT_UNTIL(pending(a.h, n, di->DestHandle), TL_ASYNC_MS);
	CHECK(pending(a.h, n, di->DestHandle));
	/* Asking does not consume it. */
	CHECK(pending(a.h, n, di->DestHandle));

	arr = tl_dest_array_alloc(&a.prof, 1);
	num = 1;
	rc = RtmGetChangedDests(a.h, n, &num, arr);
	CHECK(rc == NO_ERROR || rc == ERROR_NO_MORE_ITEMS);
	CHECK_EQ_U(num, 1);
	if (num == 1) {
		CHECK(tl_addr_eq(&arr->DestAddress, &p));
		CHECK_EQ_PTR(arr->DestHandle, di->DestHandle);
		CHECK_RC(RtmReleaseChangedDests(a.h, n, 1, arr), NO_ERROR);
	}
	free(arr);
	CHECK(!pending(a.h, n, di->DestHandle));

	/* A later change queues it again. */
	REQUIRE(marker_init(&m, &a));
	upd(&a, r, 10, 2, UCAST, 0);
	TL_WAIT_UNTIL(pending(a.h, n, di->DestHandle), TL_ASYNC_MS);
	CHECK(pending(a.h, n, di->DestHandle));
	drain(&a, n, a.prof.MaxHandlesInEnum, &l);
	CHECK_EQ_U(count(&l, "10.1.0.0/16"), 1);
	CHECK(!pending(a.h, n, di->DestHandle));

	marker_fini(&m, &a);
	tl_dest_put(a.h, di);
	tl_delete_route(a.h, r);
	unreg(&a, n);
	ent_fini(&a);
}

TEST(ignore_changed_dests_drops_pending_entries_but_not_future_changes)
{
	struct ent a;
	struct marker m;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r1, r2;
	RTM_DEST_INFO *d1, *d2;
	RTM_DEST_HANDLE hs[2];
	RTM_NET_ADDRESS p;
	struct clist l;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	n = reg(&a, UCAST, T_ALL, NULL);
	REQUIRE(n != NULL && marker_init(&m, &a));
	r1 = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	r2 = rt(&a, "10.2.0.0/16", 10, 1, UCAST);
	pfx(&p, "10.1.0.0/16");
	d1 = tl_dest_get(a.h, &p);
	pfx(&p, "10.2.0.0/16");
	d2 = tl_dest_get(a.h, &p);
	REQUIRE(r1 && r2 && d1 && d2);
	REQUIRE(settle_at(__LINE__, &a, &m, &n, 1));
	CHECK(pending(a.h, n, d1->DestHandle));
	CHECK(pending(a.h, n, d2->DestHandle));

	hs[0] = d1->DestHandle;
	CHECK_RC(RtmIgnoreChangedDests(a.h, n, 1, hs), NO_ERROR);
	CHECK(!pending(a.h, n, d1->DestHandle));
	CHECK(pending(a.h, n, d2->DestHandle));
	/* Ignoring one that is not pending (again) has no effect. */
	CHECK_RC(RtmIgnoreChangedDests(a.h, n, 1, hs), NO_ERROR);
	/* Zero destinations: nothing to do. */
	CHECK_RC(RtmIgnoreChangedDests(a.h, n, 0, hs), NO_ERROR);
	drain(&a, n, a.prof.MaxHandlesInEnum, &l);
	CHECK_EQ_U(count(&l, "10.1.0.0/16"), 0);
	CHECK_EQ_U(count(&l, "10.2.0.0/16"), 1);
	CHECK_EQ_U(count(&l, MARKER), 1);

	/* The next change of 10.1/16 is reported as usual. */
	upd(&a, r1, 10, 5, UCAST, 0);
	REQUIRE(settle_at(__LINE__, &a, &m, &n, 1));
	CHECK(pending(a.h, n, d1->DestHandle));
	/* Both at once. */
	upd(&a, r2, 10, 5, UCAST, 0);
	REQUIRE(settle_at(__LINE__, &a, &m, &n, 1));
	hs[0] = d1->DestHandle;
	hs[1] = d2->DestHandle;
	CHECK_RC(RtmIgnoreChangedDests(a.h, n, 2, hs), NO_ERROR);
	CHECK(!pending(a.h, n, d1->DestHandle));
	CHECK(!pending(a.h, n, d2->DestHandle));
	drain(&a, n, a.prof.MaxHandlesInEnum, &l);
	CHECK_EQ_U(l.n, 1);

	/* Ignore takes no references: dropping ours frees the destination. */
	tl_dest_put(a.h, d1);
	tl_dest_put(a.h, d2);
	marker_fini(&m, &a);
	tl_delete_route(a.h, r1);
	tl_delete_route(a.h, r2);
	unreg(&a, n);
	ent_fini(&a);
}

TEST(many_changes_to_one_destination_make_one_pending_entry)
{
	struct ent a, b;
	struct marker m;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r, rb;
	struct clist l;
	ULONG metric = 0;
	unsigned i;
	int at;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	n = reg(&a, UCAST, T_ALL, NULL);
	REQUIRE(n != NULL && marker_init(&m, &a));
	drain(&a, n, a.prof.MaxHandlesInEnum, NULL);
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	for (i = 2; i <= 6; i++)
		upd(&a, r, 10, i, UCAST, 0);
	rb = rt(&b, "10.1.0.0/16", 20, 1, UCAST); /* another entity's change, same dest */
	REQUIRE(rb != NULL);
	REQUIRE(settle_at(__LINE__, &a, &m, &n, 1));
	drain(&a, n, a.prof.MaxHandlesInEnum, &l);
	CHECK_EQ_U(count(&l, "10.1.0.0/16"), 1);
	CHECK_EQ_U(count(&l, MARKER), 1);
	CHECK_EQ_U(l.n, 2);
	/* The entry shows the state at retrieval time. */
	at = find(&l, "10.1.0.0/16");
	if (at >= 0) {
		CHECK_EQ_U(l.nroutes[at], 2);
		CHECK_EQ_PTR(l.best[at], r);
	}
	CHECK_RC(tl_route_state(a.h, r, NULL, &metric), NO_ERROR);
	CHECK_EQ_U(metric, 6);
	marker_fini(&m, &a);
	tl_delete_route(a.h, r);
	tl_delete_route(b.h, rb);
	unreg(&a, n);
	ent_fini(&a);
	ent_fini(&b);
}

TEST(changed_dests_come_in_fifo_order_and_follow_the_batch_convention)
{
	static const char *const order[] = {"10.3.0.0/16", "10.1.0.0/16", "11.0.0.0/8",
					    "10.2.0.0/16", "10.0.0.0/8"};
	struct ent a;
	struct marker m;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r[5];
	struct clist l;
	UINT batch;
	unsigned i, round = 0;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	n = reg(&a, UCAST, T_ALL, NULL);
	REQUIRE(n != NULL && marker_init(&m, &a));
	drain(&a, n, a.prof.MaxHandlesInEnum, NULL);
	for (i = 0; i < 5; i++)
		r[i] = rt(&a, order[i], 10, 1, UCAST);
	for (batch = 1; batch <= a.prof.MaxHandlesInEnum && batch <= 7; batch++, round++) {
		if (round > 0)
			for (i = 0; i < 5; i++)
				if (r[i] != NULL)
					upd(&a, r[i], 10, 2 + round, UCAST, 0);
		REQUIRE(settle_at(__LINE__, &a, &m, &n, 1));
		drain(&a, n, batch, &l);
		CHECK_EQ_U(l.n, 6);
		for (i = 0; i < 5 && i < l.n; i++)
			CHECK_EQ_U(find(&l, order[i]), i);
		CHECK_EQ_U(find(&l, MARKER), 5);
		/* Full batches, then a short (possibly empty) one that ends the queue. */
		CHECK_EQ_U(l.calls, 6 / batch + 1);
	}
	for (i = 0; i < 5; i++)
		if (r[i] != NULL)
			tl_delete_route(a.h, r[i]);
	marker_fini(&m, &a);
	unreg(&a, n);
	ent_fini(&a);
}

TEST(a_destination_that_lost_its_last_route_is_still_reported)
{
	struct ent a;
	struct marker m;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r;
	RTM_NET_ADDRESS p;
	struct clist l;
	int at;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	n = reg(&a, UCAST, T_ALL, NULL);
	REQUIRE(n != NULL && marker_init(&m, &a));
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	REQUIRE(settle_at(__LINE__, &a, &m, &n, 1));
	drain(&a, n, a.prof.MaxHandlesInEnum, NULL);
	tl_delete_route(a.h, r);
	pfx(&p, "10.1.0.0/16");
	CHECK(!tl_dest_exists(a.h, &p));
	REQUIRE(settle_at(__LINE__, &a, &m, &n, 1));
	drain(&a, n, a.prof.MaxHandlesInEnum, &l);
	at = find(&l, "10.1.0.0/16");
	CHECK(at >= 0);
	if (at >= 0) {
		CHECK_EQ_U(l.nviews[at], 1);
		CHECK_EQ_U(l.viewid[at], RTM_VIEW_ID_UCAST);
		CHECK_EQ_U(l.nroutes[at], 0);
		CHECK_EQ_PTR(l.best[at], NULL);
	}
	marker_fini(&m, &a);
	unreg(&a, n);
	ent_fini(&a);
}

TEST(routes_removed_by_an_entitys_deregistration_are_reported)
{
	struct ent a, b;
	struct marker m;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r1, r2;
	struct clist l;
	int at;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	n = reg(&a, UCAST, T_ALL, NULL);
	REQUIRE(n != NULL && marker_init(&m, &a));
	r1 = rt(&b, "10.1.0.0/16", 10, 1, UCAST);
	r2 = rt(&b, "10.2.0.0/16", 10, 1, UCAST);
	REQUIRE(r1 && r2);
	REQUIRE(settle_at(__LINE__, &a, &m, &n, 1));
	drain(&a, n, a.prof.MaxHandlesInEnum, NULL);
	/* b leaves without deleting its routes (its references go with it). */
	CHECK_RC(RtmDeleteNextHop(b.h, b.nh, NULL), NO_ERROR);
	b.nh = NULL;
	tl_deregister(b.h);
	b.h = NULL;
	REQUIRE(settle_at(__LINE__, &a, &m, &n, 1));
	drain(&a, n, a.prof.MaxHandlesInEnum, &l);
	at = find(&l, "10.1.0.0/16");
	CHECK(at >= 0);
	if (at >= 0) {
		CHECK_EQ_U(l.nroutes[at], 0);
		CHECK_EQ_PTR(l.best[at], NULL);
	}
	CHECK(find(&l, "10.2.0.0/16") >= 0);
	marker_fini(&m, &a);
	unreg(&a, n);
	ent_fini(&a);
	free(b.ri);
}

TEST(changed_dests_array_stride_is_the_profile_view_count)
{
	struct ent a;
	struct marker m;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r1, r2;
	RTM_DEST_INFO *arr;
	RTM_NET_ADDRESS p1, p2;
	size_t stride;
	UINT num;
	DWORD rc;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	REQUIRE(a.prof.MaxHandlesInEnum >= 3);
	n = reg(&a, MCAST, T_ALL, NULL);
	REQUIRE(n != NULL && marker_init(&m, &a));
	drain(&a, n, a.prof.MaxHandlesInEnum, NULL);
	r1 = rt(&a, "10.1.0.0/16", 10, 1, BOTH);
	r2 = rt(&a, "10.2.0.0/16", 10, 1, MCAST);
	REQUIRE(r1 && r2);
	REQUIRE(settle_at(__LINE__, &a, &m, &n, 1));
	stride = RTM_SIZE_OF_DEST_INFO(a.prof.NumberOfViews);
	arr = tl_dest_array_alloc(&a.prof, 3 * RTM_MAX_VIEWS);
	memset(arr, 0xa5, 3 * RTM_MAX_VIEWS * stride);
	num = 3;
	rc = RtmGetChangedDests(a.h, n, &num, arr);
	CHECK(rc == NO_ERROR || rc == ERROR_NO_MORE_ITEMS);
	CHECK_EQ_U(num, 3);
	pfx(&p1, "10.1.0.0/16");
	pfx(&p2, "10.2.0.0/16");
	if (num == 3) {
		RTM_DEST_INFO *e0 = arr;
		RTM_DEST_INFO *e1 = (RTM_DEST_INFO *)(void *)((char *)arr + stride);

		CHECK(tl_addr_eq(&e0->DestAddress, &p1));
		CHECK(tl_addr_eq(&e1->DestAddress, &p2));
		CHECK_EQ_U(e0->NumberOfViews, 1);
		CHECK_EQ_U(TL_VIEW(e0, 0).ViewId, RTM_VIEW_ID_MCAST);
		CHECK_EQ_PTR(TL_VIEW(e0, 0).Route, r1);
		CHECK_EQ_U(e1->NumberOfViews, 1);
		CHECK_EQ_U(TL_VIEW(e1, 0).ViewId, RTM_VIEW_ID_MCAST);
		CHECK_EQ_PTR(TL_VIEW(e1, 0).Route, r2);
		CHECK_RC(RtmReleaseChangedDests(a.h, n, num, arr), NO_ERROR);
	}
	free(arr);
	tl_delete_route(a.h, r1);
	tl_delete_route(a.h, r2);
	marker_fini(&m, &a);
	unreg(&a, n);
	ent_fini(&a);
}

/* ---- what counts as a change ------------------------------------------------------------ */

TEST(change_types_all_best_and_forwarding_are_told_apart)
{
	struct ent a, b;
	struct marker m;
	RTM_NOTIFY_HANDLE n[3];
	RTM_ROUTE_HANDLE ra, rb;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di;
	RTM_DEST_HANDLE d;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	n[0] = reg(&a, UCAST, T_ALL, NULL);
	n[1] = reg(&a, UCAST, T_BEST, NULL);
	n[2] = reg(&a, UCAST, T_FWD, NULL);
	REQUIRE(n[0] && n[1] && n[2] && marker_init(&m, &a));

	/* First route: the best route appears. */
	ra = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(ra != NULL);
	pfx(&p, "10.1.0.0/16");
	di = tl_dest_get(a.h, &p);
	REQUIRE(di != NULL);
	d = di->DestHandle;
	CHECK_EQ_U(observe(&a, &m, n, 3, d), 0x7);

	/* Another entity adds a worse route: ALL only. */
	rb = rt(&b, "10.1.0.0/16", 20, 1, UCAST);
	REQUIRE(rb != NULL);
	CHECK_EQ_U(observe(&a, &m, n, 3, d), 0x1);

	/* Metric change of the route that is not best: ALL only. */
	upd(&b, rb, 20, 9, UCAST, 0);
	CHECK_EQ_U(observe(&a, &m, n, 3, d), 0x1);

	/* Only a non-forwarding flag of the best route: ALL and BEST. */
	upd(&a, ra, 10, 1, UCAST, RTM_ROUTE_FLAGS_LOCAL);
	CHECK_EQ_U(observe(&a, &m, n, 3, d), 0x3);

	/* A forwarding flag of the best route: all three. */
	upd(&a, ra, 10, 1, UCAST, RTM_ROUTE_FLAGS_LOCAL | RTM_ROUTE_FLAGS_INACTIVE);
	CHECK_EQ_U(observe(&a, &m, n, 3, d), 0x7);

	/* Metric of the best route, which stays best: all three. */
	upd(&a, ra, 10, 4, UCAST, RTM_ROUTE_FLAGS_LOCAL | RTM_ROUTE_FLAGS_INACTIVE);
	CHECK_EQ_U(observe(&a, &m, n, 3, d), 0x7);

	/* The other route becomes best: all three. */
	upd(&b, rb, 5, 9, UCAST, 0);
	CHECK_EQ_U(observe(&a, &m, n, 3, d), 0x7);

	/* The route that is no longer best goes: ALL only. */
	tl_delete_route(a.h, ra);
	CHECK_EQ_U(observe(&a, &m, n, 3, d), 0x1);

	/* The last route goes: all three, and the destination with it. */
	tl_delete_route(b.h, rb);
	CHECK_EQ_U(observe(&a, &m, n, 3, d), 0x7);

	tl_dest_put(a.h, di);
	marker_fini(&m, &a);
	unreg(&a, n[0]);
	unreg(&a, n[1]);
	unreg(&a, n[2]);
	ent_fini(&a);
	ent_fini(&b);
}

TEST(changes_are_filtered_by_the_registrations_views)
{
	struct ent a;
	struct marker m;
	RTM_NOTIFY_HANDLE n[4];
	RTM_ROUTE_HANDLE ru, rm, rmm;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *du, *dm;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	n[0] = reg(&a, UCAST, T_ALL, NULL);
	n[1] = reg(&a, MCAST, T_ALL, NULL);
	n[2] = reg(&a, RTM_VIEW_MASK_ANY, T_ALL, NULL);
	n[3] = reg(&a, RTM_VIEW_MASK_ALL, T_ALL, NULL);
	REQUIRE(n[0] && n[1] && n[2] && n[3] && marker_init(&m, &a));

	ru = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	rm = rt(&a, "10.2.0.0/16", 10, 1, MCAST);
	REQUIRE(ru && rm);
	pfx(&p, "10.1.0.0/16");
	du = tl_dest_get(a.h, &p);
	pfx(&p, "10.2.0.0/16");
	dm = tl_dest_get(a.h, &p);
	REQUIRE(du && dm);
	settle_at(__LINE__, &a, &m, n, 4);
	CHECK(pending(a.h, n[0], du->DestHandle));
	CHECK(!pending(a.h, n[1], du->DestHandle));
	CHECK(pending(a.h, n[2], du->DestHandle));
	CHECK(pending(a.h, n[3], du->DestHandle));
	CHECK(!pending(a.h, n[0], dm->DestHandle));
	CHECK(pending(a.h, n[1], dm->DestHandle));
	CHECK(pending(a.h, n[2], dm->DestHandle));
	CHECK(pending(a.h, n[3], dm->DestHandle));
	drain(&a, n[0], a.prof.MaxHandlesInEnum, NULL);
	drain(&a, n[1], a.prof.MaxHandlesInEnum, NULL);
	drain(&a, n[2], a.prof.MaxHandlesInEnum, NULL);
	drain(&a, n[3], a.prof.MaxHandlesInEnum, NULL);

	/* A multicast route at the unicast destination changes only the multicast view. */
	rmm = rt(&a, "10.1.0.0/16", 10, 1, MCAST);
	REQUIRE(rmm != NULL);
	CHECK_EQ_U(observe(&a, &m, n, 4, du->DestHandle), 0xe);
	/* Moving it to unicast changes both views. */
	upd(&a, rmm, 20, 1, UCAST, 0);
	CHECK_EQ_U(observe(&a, &m, n, 4, du->DestHandle), 0xf);

	tl_dest_put(a.h, du);
	tl_dest_put(a.h, dm);
	tl_delete_route(a.h, ru);
	tl_delete_route(a.h, rm);
	tl_delete_route(a.h, rmm);
	marker_fini(&m, &a);
	unreg(&a, n[0]);
	unreg(&a, n[1]);
	unreg(&a, n[2]);
	unreg(&a, n[3]);
	ent_fini(&a);
}

TEST(only_marked_registrations_see_only_marked_destinations)
{
	struct ent a;
	struct marker m;
	RTM_NOTIFY_HANDLE n[2];
	RTM_ROUTE_HANDLE r;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di, *di2;
	BOOL st;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	n[0] = reg(&a, UCAST, T_ALL | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	n[1] = reg(&a, UCAST, T_ALL, NULL);
	REQUIRE(n[0] && n[1] && marker_init(&m, &a));
	CHECK_RC(RtmMarkDestForChangeNotification(a.h, n[0], m.di->DestHandle, TRUE), NO_ERROR);
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	pfx(&p, "10.1.0.0/16");
	di = tl_dest_get(a.h, &p);
	REQUIRE(di != NULL);
	/* Unmarked: only the ordinary registration hears of it. */
	CHECK_EQ_U(observe(&a, &m, n, 2, di->DestHandle), 0x2);

	st = 0x5a;
	CHECK_RC(RtmIsMarkedForChangeNotification(a.h, n[0], di->DestHandle, &st), NO_ERROR);
	CHECK_EQ_U(st, FALSE);
	CHECK_RC(RtmMarkDestForChangeNotification(a.h, n[0], di->DestHandle, TRUE), NO_ERROR);
	CHECK_RC(RtmIsMarkedForChangeNotification(a.h, n[0], di->DestHandle, &st), NO_ERROR);
	CHECK_EQ_U(st, TRUE);
	/* Marks belong to one registration. */
	CHECK_RC(RtmIsMarkedForChangeNotification(a.h, n[1], di->DestHandle, &st), NO_ERROR);
	CHECK_EQ_U(st, FALSE);
	/* Marking twice is harmless. */
	CHECK_RC(RtmMarkDestForChangeNotification(a.h, n[0], di->DestHandle, TRUE), NO_ERROR);

	upd(&a, r, 10, 2, UCAST, 0);
	CHECK_EQ_U(observe(&a, &m, n, 2, di->DestHandle), 0x3);

	CHECK_RC(RtmMarkDestForChangeNotification(a.h, n[0], di->DestHandle, FALSE), NO_ERROR);
	CHECK_RC(RtmIsMarkedForChangeNotification(a.h, n[0], di->DestHandle, &st), NO_ERROR);
	CHECK_EQ_U(st, FALSE);
	upd(&a, r, 10, 3, UCAST, 0);
	CHECK_EQ_U(observe(&a, &m, n, 2, di->DestHandle), 0x2);

	/* A mark does not survive the destination leaving the table. */
	CHECK_RC(RtmMarkDestForChangeNotification(a.h, n[0], di->DestHandle, TRUE), NO_ERROR);
	tl_delete_route(a.h, r);
	CHECK_EQ_U(observe(&a, &m, n, 2, di->DestHandle), 0x3);
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	di2 = tl_dest_get(a.h, &p);
	REQUIRE(di2 != NULL);
	st = 0x5a;
	CHECK_RC(RtmIsMarkedForChangeNotification(a.h, n[0], di2->DestHandle, &st), NO_ERROR);
	CHECK_EQ_U(st, FALSE);
	CHECK_EQ_U(observe(&a, &m, n, 2, di2->DestHandle), 0x2);

	tl_dest_put(a.h, di);
	tl_dest_put(a.h, di2);
	tl_delete_route(a.h, r);
	marker_fini(&m, &a);
	unreg(&a, n[0]);
	unreg(&a, n[1]);
	ent_fini(&a);
}

/* ---- the callback ------------------------------------------------------------------------ */

TEST(callback_fires_once_when_the_queue_fills_and_again_only_after_a_drain)
{
	struct ent a;
	struct sink s;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r[5];
	RTM_DEST_INFO *arr;
	UINT num;
	unsigned i;

	REQUIRE(ent_init_cb(&a, AF_INET, TL_PROTO_RIP, 1, 1));
	REQUIRE(a.prof.MaxHandlesInEnum >= 1);
	sink_init(&s, a.h, &a.prof, 0);
	n = reg(&a, UCAST, T_ALL, &s);
	REQUIRE(n != NULL);
	tl_sleep_ms(TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&s.calls), 0);

	r[0] = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	TL_WAIT_UNTIL(atomic_load(&s.calls) >= 1, TL_ASYNC_MS);
	CHECK_EQ_U(atomic_load(&s.calls), 1);

	/* More changes while undrained: no new callback. */
	r[1] = rt(&a, "10.2.0.0/16", 10, 1, UCAST);
	r[2] = rt(&a, "10.3.0.0/16", 10, 1, UCAST);
	tl_sleep_ms(TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&s.calls), 1);

	/* Taking one item is not a drain. */
	arr = tl_dest_array_alloc(&a.prof, 1);
	num = 1;
	CHECK_RC(RtmGetChangedDests(a.h, n, &num, arr), NO_ERROR);
	if (num == 1)
		CHECK_RC(RtmReleaseChangedDests(a.h, n, 1, arr), NO_ERROR);
	free(arr);
	r[3] = rt(&a, "10.4.0.0/16", 10, 1, UCAST);
	tl_sleep_ms(TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&s.calls), 1);

	/* A full drain re-arms it. */
	drain(&a, n, a.prof.MaxHandlesInEnum, NULL);
	r[4] = rt(&a, "10.5.0.0/16", 10, 1, UCAST);
	TL_WAIT_UNTIL(atomic_load(&s.calls) >= 2, TL_ASYNC_MS);
	CHECK_EQ_U(atomic_load(&s.calls), 2);
	tl_sleep_ms(TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&s.calls), 2);
	CHECK_EQ_U(atomic_load(&s.bad), 0);

	drain(&a, n, a.prof.MaxHandlesInEnum, NULL);
	unreg(&a, n);
	for (i = 0; i < 5; i++)
		if (r[i] != NULL)
			tl_delete_route(a.h, r[i]);
	ent_fini(&a);
	sink_fini(&s);
}

TEST(callback_gets_the_notify_handle_and_context_on_a_library_thread)
{
	struct ent a;
	struct sink s1, s2;
	RTM_NOTIFY_HANDLE n1, n2;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init_cb(&a, AF_INET, TL_PROTO_RIP, 1, 1));
	sink_init(&s1, a.h, &a.prof, 1);
	sink_init(&s2, a.h, &a.prof, 1);
	n1 = reg(&a, UCAST, T_ALL, &s1);
	n2 = reg(&a, MCAST, T_ALL, &s2);
	REQUIRE(n1 != NULL && n2 != NULL);
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	TL_WAIT_UNTIL(atomic_load(&s1.calls) >= 1, TL_ASYNC_MS);
	CHECK_EQ_U(atomic_load(&s1.calls), 1);
	/* The multicast registration had nothing to report. */
	tl_sleep_ms(TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&s2.calls), 0);
	/* Context1 was the notify handle, Context2 the context, never on this thread. */
	CHECK_EQ_U(atomic_load(&s1.bad), 0);
	unreg(&a, n1);
	unreg(&a, n2);
	tl_delete_route(a.h, r);
	ent_fini(&a);
	sink_fini(&s1);
	sink_fini(&s2);
}

TEST(callback_drains_with_the_sample_loop_one_destination_at_a_time)
{
	static const char *const pfxs[] = {"10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16",
					   "11.0.0.0/8", "12.0.0.0/8"};
	struct ent a, b;
	struct sink s;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r[5], extra;
	RTM_NET_ADDRESS p;
	RTM_DEST_INFO *di;
	unsigned i, j, c;

	REQUIRE(ent_init_cb(&a, AF_INET, TL_PROTO_RIP, 1, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	sink_init(&s, a.h, &a.prof, 1);
	n = reg(&a, UCAST, T_ALL | T_BEST, &s);
	REQUIRE(n != NULL);
	/* Changes by another entity reach the registration too. */
	for (i = 0; i < 5; i++)
		r[i] = rt(&b, pfxs[i], 10, 1, UCAST);
	TL_WAIT_UNTIL(atomic_load(&s.ngot) >= 5, TL_ASYNC_MS);
	CHECK_EQ_U(atomic_load(&s.ngot), 5);
	CHECK_EQ_U(atomic_load(&s.bad), 0);
	pthread_mutex_lock(&s.mu);
	for (i = 0; i < 5; i++) {
		pfx(&p, pfxs[i]);
		for (j = 0, c = 0; j < atomic_load(&s.ngot); j++)
			c += tl_addr_eq(&s.got[j], &p);
		if (c != 1)
			check_fail(__FILE__, __LINE__, "%s retrieved %u times", pfxs[i], c);
	}
	pthread_mutex_unlock(&s.mu);
	/* Nothing left behind. */
	for (i = 0; i < 5; i++) {
		pfx(&p, pfxs[i]);
		di = tl_dest_get(a.h, &p);
		if (di != NULL)
			CHECK(!pending(a.h, n, di->DestHandle));
		tl_dest_put(a.h, di);
	}
	/* And the callback comes back for the next change. */
	c = atomic_load(&s.calls);
	extra = rt(&b, "13.0.0.0/8", 10, 1, UCAST);
	TL_WAIT_UNTIL(atomic_load(&s.ngot) >= 6, TL_ASYNC_MS);
	CHECK_EQ_U(atomic_load(&s.ngot), 6);
	CHECK(atomic_load(&s.calls) > c);
	CHECK_EQ_U(atomic_load(&s.bad), 0);

	unreg(&a, n);
	for (i = 0; i < 5; i++)
		if (r[i] != NULL)
			tl_delete_route(b.h, r[i]);
	if (extra != NULL)
		tl_delete_route(b.h, extra);
	ent_fini(&a);
	ent_fini(&b);
	sink_fini(&s);
}

TEST(deregistering_from_changes_discards_them_and_stops_callbacks)
{
	struct ent a, b;
	struct sink s;
	RTM_NOTIFY_HANDLE n;
	RTM_ROUTE_HANDLE r;
	RTM_DEST_INFO *arr;
	unsigned i, c;
	UINT num = 1;

	REQUIRE(ent_init_cb(&a, AF_INET, TL_PROTO_RIP, 1, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	sink_init(&s, a.h, &a.prof, 0);
	r = rt(&b, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	arr = tl_dest_array_alloc(&a.prof, 1);
	for (i = 0; i < 20; i++) {
		atomic_store(&s.notify, NULL);
		n = reg(&a, UCAST, T_ALL, &s);
		REQUIRE(n != NULL);
		upd(&b, r, 10, 2 + i, UCAST, 0);
		if (i % 2 == 0)
			tl_sleep_ms(i % 4 == 0 ? 0 : 5);
		CHECK_RC(RtmDeregisterFromChangeNotification(a.h, n), NO_ERROR);
		/* The handle is dead, and its pending change with it. */
		num = 1;
		CHECK_RC(RtmGetChangedDests(a.h, n, &num, arr), ERROR_INVALID_HANDLE);
		tl_sleep_ms(20);
		c = atomic_load(&s.calls);
		upd(&b, r, 10, 100 + i, UCAST, 0);
		tl_sleep_ms(i == 19 ? TL_QUIET_MS : 10);
		CHECK_EQ_U(atomic_load(&s.calls), c);
	}
	free(arr);
	tl_delete_route(b.h, r);
	ent_fini(&a);
	ent_fini(&b);
	sink_fini(&s);
}

TEST(deregistering_an_entity_with_registrations_and_pending_changes_cleans_up)
{
	struct ent a, b;
	struct sink s;
	RTM_NOTIFY_HANDLE n1, n2;
	RTM_ROUTE_HANDLE r;

	REQUIRE(ent_init_cb(&a, AF_INET, TL_PROTO_RIP, 1, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	sink_init(&s, a.h, &a.prof, 0);
	n1 = reg(&a, UCAST, T_ALL, &s);
	n2 = reg(&a, BOTH, T_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	REQUIRE(n1 && n2);
	r = rt(&b, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	TL_WAIT_UNTIL(atomic_load(&s.calls) >= 1, TL_ASYNC_MS);
	/* a goes away with both registrations, one of them undrained. */
	CHECK_RC(RtmDeleteNextHop(a.h, a.nh, NULL), NO_ERROR);
	a.nh = NULL;
	tl_deregister(a.h);
	a.h = NULL;
	upd(&b, r, 10, 7, UCAST, 0);
	tl_delete_route(b.h, r);
	free(a.ri);
	ent_fini(&b);
	sink_fini(&s);
}

int
main(int argc, char **argv)
{
	return check_main(argc, argv);
}
