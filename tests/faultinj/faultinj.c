/*
 * Allocation-failure injection sweep (issue #6).
 *
 * Links rtm_faultinj, the core built with RTM_FAULT_INJECTION (core/alloc.c),
 * never librtm itself.  A deterministic workload on one thread (three
 * entities, two with callbacks, one with an opaque slot; next hops; routes on
 * generated nested IPv4 prefixes, a second owner on every fourth; a
 * change-notification registration drained and checked entry by entry, in
 * order; updates through the handle (some with a TimeToLive), by neighbour and
 * in place with RtmLockRoute / RtmUpdateAndUnlockRoute; hold-down arming;
 * marks for change notification; a
 * route list; route and next-hop enumerations; deletions and re-adds;
 * releases; deregistration) is run once to count A, the allocations it makes
 * on this thread.  Then for every N in 1..A (or every stride-th) it runs
 * again with the N-th allocation of this thread failing, and checks:
 *
 *   - the call that met the failure returned ERROR_NOT_ENOUGH_MEMORY, or
 *     (only RtmDeregisterEntity, which cannot fail and waits for memory
 *     instead) its normal result;
 *   - right after a failed call the store equals the model of the calls that
 *     succeeded so far: every route (owner, destination, preference, metric,
 *     views, next hop), the best route of every prefix, the routes and
 *     destinations enumerations find, every next hop, and which destinations
 *     are queued for change notification;
 *   - the same call made again succeeds;
 *   - after teardown (deregistration, timers done, RCU callbacks drained) as
 *     many core blocks are live as before the run: no leak (the sites of
 *     leaked blocks are printed).
 *
 * The worker thread's allocations are covered by worker_phase: a route expiry
 * and a hold-down end meet a failure there (once, then a shortage lasting
 * 20 ms), and must still delete the route / end the hold.
 *
 * Usage: faultinj [--full] [--prefixes N] [--stride S] [--first N] [-v]
 *   default: 96 prefixes, every N (the CTest run: ~15 s, ~40 s under ASan on
 *   a loaded machine); --full or RTM_FAULTINJ_FULL=1: 400 prefixes (500
 *   routes), every N (~4700 points, ~1.5 min).
 * Prints the points tried, disagreements and leaks; exits 1 if any check
 * failed.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rtmv2.h>
#include <rtm/rtmx.h>

#include "alloc.h"
#include "rcu.h"
#include "worker.h"

#define NENT 3
#define NNH 2      /* next hops per entity */
#define MAXP 512   /* prefixes */
#define MAXR 1024  /* routes */
#define BATCH 25   /* at most MaxHandlesInEnum (default 25) */
#define LONG_TTL 3600000u

/* ------------------------------------------------------------------------ */
/* The model: what the store must hold after the calls that succeeded.       */

struct mroute {
	bool live;
	int owner;           /* entity index */
	int prefix;          /* index into prefixes[] */
	int nh;              /* next-hop index of the owner, -1: none */
	ULONG pref, metric;
	uint64_t seq;        /* creation order: the preference tie-break */
	RTM_ROUTE_HANDLE h;  /* the test's reference */
};

struct qentry {
	int prefix;
	unsigned gen;
};

struct world {
	/* configuration */
	int nprefixes;
	RTM_NET_ADDRESS prefixes[MAXP];
	/* handles */
	RTM_ENTITY_HANDLE ent[NENT];
	RTM_NEXTHOP_HANDLE nh[NENT][NNH];
	RTM_NOTIFY_HANDLE notify;
	/* model */
	struct mroute r[MAXR];
	int nr;
	uint64_t seq;
	unsigned gen[MAXP];   /* destination object generation per prefix */
	int nroutes_at[MAXP]; /* live routes per prefix */
	struct qentry q[MAXR * 4];
	int qhead, qlen;
	bool notify_on;
	/* results */
	int line_failed;      /* where the injected failure was met, 0: not yet */
};

static uint64_t g_errors, g_disagreements, g_points, g_fired, g_absorbed, g_leaks;
static bool g_verbose;
static _Atomic unsigned g_callbacks;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void disagree(struct world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	g_errors++;
	if (g_errors > 20)
		return;
	va_start(ap, fmt);
	fputs("faultinj: FAIL: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
disagree(struct world *w, const char *fmt, ...)
{
	va_list ap;

	g_disagreements++;
	if (g_disagreements > 20)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "faultinj: DISAGREE (failure met at line %d): ", w->line_failed);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static DWORD WINAPI
on_event(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID a, PVOID b)
{
	(void)h;
	(void)type;
	(void)a;
	(void)b;
	atomic_fetch_add(&g_callbacks, 1);
	return NO_ERROR;
}

/* ------------------------------------------------------------------------ */
/* Prefixes: a generated set with nesting (lengths 8..32 over few /8s).      */

static void
make_prefixes(struct world *w, int n)
{
	uint32_t x = 0x9e3779b9u;
	int k = 0;

	while (k < n) {
		unsigned len;
		uint32_t a, mask;
		bool dup = false;

		x = x * 1103515245u + 12345u;
		len = 8 + (x >> 8) % 25;
		a = (10u + ((x >> 3) & 3)) << 24 | ((x * 2654435761u) >> 8);
		mask = len ? ~0u << (32 - len) : 0;
		a &= mask;
		for (int j = 0; j < k && !dup; j++) {
			uint32_t b;

			memcpy(&b, w->prefixes[j].AddrBits, 4);
			dup = w->prefixes[j].NumBits == len && ntohl(b) == a;
		}
		if (dup)
			continue;
		memset(&w->prefixes[k], 0, sizeof(w->prefixes[k]));
		w->prefixes[k].AddressFamily = AF_INET;
		w->prefixes[k].NumBits = (USHORT)len;
		a = htonl(a);
		memcpy(w->prefixes[k].AddrBits, &a, 4);
		k++;
	}
	w->nprefixes = n;
}

static bool
addr_eq(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b)
{
	return a->AddressFamily == b->AddressFamily && a->NumBits == b->NumBits &&
	       memcmp(a->AddrBits, b->AddrBits, 4) == 0;
}

static void
nh_addr(RTM_NET_ADDRESS *a, int e, int i)
{
	uint32_t v = htonl(0xc0a80000u | (uint32_t)e << 8 | (uint32_t)(i + 1));

	memset(a, 0, sizeof(*a));
	a->AddressFamily = AF_INET;
	a->NumBits = 32;
	memcpy(a->AddrBits, &v, 4);
}

/* ------------------------------------------------------------------------ */
/* Model updates                                                              */

static void
model_changed(struct world *w, int p)
{
	if (!w->notify_on)
		return;
	for (int i = 0; i < w->qlen; i++) {
		const struct qentry *q = &w->q[(w->qhead + i) % (MAXR * 4)];

		if (q->prefix == p && q->gen == w->gen[p])
			return; /* merges into the queued entry */
	}
	w->q[(w->qhead + w->qlen) % (MAXR * 4)] = (struct qentry){p, w->gen[p]};
	w->qlen++;
}

static void
model_add(struct world *w, int idx)
{
	struct mroute *m = &w->r[idx];

	m->live = true;
	m->seq = ++w->seq;
	if (w->nroutes_at[m->prefix]++ == 0)
		w->gen[m->prefix]++; /* a new destination object */
	model_changed(w, m->prefix);
}

static void
model_delete(struct world *w, int idx)
{
	struct mroute *m = &w->r[idx];

	m->live = false;
	w->nroutes_at[m->prefix]--;
	model_changed(w, m->prefix);
}

/* The model's best route at prefix p (unicast view), or -1. */
static int
model_best(const struct world *w, int p)
{
	int best = -1;

	for (int i = 0; i < w->nr; i++) {
		const struct mroute *m = &w->r[i], *b = best >= 0 ? &w->r[best] : NULL;

		if (!m->live || m->prefix != p)
			continue;
		if (!b || m->pref < b->pref || (m->pref == b->pref && m->metric < b->metric) ||
		    (m->pref == b->pref && m->metric == b->metric && m->seq < b->seq))
			best = i;
	}
	return best;
}

/* ------------------------------------------------------------------------ */
/* The check of the store against the model (injection is used up: the      */
/* check's own allocations succeed).                                         */

static RTM_ROUTE_INFO *
route_info_buf(void)
{
	static _Alignas(16) char buf[RTMX_SIZE_OF_ROUTE_INFO(8)];

	return (RTM_ROUTE_INFO *)(void *)buf;
}

static void
check_routes(struct world *w)
{
	RTM_ROUTE_INFO *ri = route_info_buf();

	for (int i = 0; i < w->nr; i++) {
		const struct mroute *m = &w->r[i];
		RTM_NET_ADDRESS a;
		DWORD rc;

		if (!m->live || !m->h)
			continue;
		rc = RtmGetRouteInfo(w->ent[m->owner], m->h, ri, &a);
		if (rc != NO_ERROR) {
			disagree(w, "route %d: RtmGetRouteInfo %u", i, (unsigned)rc);
			continue;
		}
		if (ri->State != RTM_ROUTE_STATE_CREATED || ri->RouteOwner != w->ent[m->owner] ||
		    ri->PrefInfo.Preference != m->pref || ri->PrefInfo.Metric != m->metric ||
		    ri->BelongsToViews != RTM_VIEW_MASK_UCAST ||
		    !addr_eq(&a, &w->prefixes[m->prefix]) ||
		    ri->NextHopsList.NumNextHops != (m->nh >= 0) ||
		    (m->nh >= 0 && ri->NextHopsList.NextHops[0] != w->nh[m->owner][m->nh]))
			disagree(w, "route %d differs (pref %lu/%lu metric %lu/%lu nnh %u)", i,
				 (unsigned long)ri->PrefInfo.Preference, (unsigned long)m->pref,
				 (unsigned long)ri->PrefInfo.Metric, (unsigned long)m->metric,
				 (unsigned)ri->NextHopsList.NumNextHops);
		RtmReleaseRouteInfo(w->ent[m->owner], ri);
	}
}

static void
check_dests(struct world *w)
{
	RTM_DEST_INFO *di = calloc(1, RTM_SIZE_OF_DEST_INFO(2));

	for (int p = 0; p < w->nprefixes; p++) {
		DWORD rc = RtmGetExactMatchDestination(w->ent[0], &w->prefixes[p], RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, di);
		int best = model_best(w, p);

		if (best < 0) {
			if (rc != ERROR_NOT_FOUND) {
				disagree(w, "prefix %d: a destination the model does not have", p);
				if (rc == NO_ERROR)
					RtmReleaseDestInfo(w->ent[0], di);
			}
			continue;
		}
		if (rc != NO_ERROR) {
			disagree(w, "prefix %d: destination missing (%u)", p, (unsigned)rc);
			continue;
		}
		if (w->r[best].h && di->ViewInfo[0].Route != w->r[best].h)
			disagree(w, "prefix %d: best route differs", p);
		if (w->notify_on) {
			BOOL pending = FALSE;
			bool want = false;

			for (int i = 0; i < w->qlen; i++) {
				const struct qentry *q = &w->q[(w->qhead + i) % (MAXR * 4)];

				want |= q->prefix == p && q->gen == w->gen[p];
			}
			rc = RtmGetChangeStatus(w->ent[0], w->notify, di->DestHandle, &pending);
			if (rc != NO_ERROR || (bool)pending != want)
				disagree(w, "prefix %d: change pending %d, model %d", p, (int)pending,
					 (int)want);
		}
		RtmReleaseDestInfo(w->ent[0], di);
	}
	free(di);
}

/* Count what a whole-table route enumeration and a destination enumeration
 * find. */
static void
check_counts(struct world *w)
{
	RTM_ROUTE_HANDLE hs[BATCH];
	RTM_DEST_INFO *dis = calloc(BATCH, RTM_SIZE_OF_DEST_INFO(2)); /* the stride it uses */
	RTM_ENUM_HANDLE en;
	int routes = 0, dests = 0, want_r = 0, want_d = 0;
	DWORD rc;

	for (int i = 0; i < w->nr; i++)
		want_r += w->r[i].live;
	for (int p = 0; p < w->nprefixes; p++)
		want_d += w->nroutes_at[p] > 0;
	if (RtmCreateRouteEnum(w->ent[0], NULL, RTM_VIEW_MASK_ANY, RTM_ENUM_ALL_ROUTES, NULL, 0,
			       NULL, 0, &en) != NO_ERROR) {
		disagree(w, "route enumeration could not be created");
	} else {
		do {
			UINT n = BATCH;

			rc = RtmGetEnumRoutes(w->ent[0], en, &n, hs);
			routes += (int)n;
			RtmReleaseRoutes(w->ent[0], n, hs);
		} while (rc == NO_ERROR);
		RtmDeleteEnumHandle(w->ent[0], en);
	}
	if (RtmCreateDestEnum(w->ent[0], RTM_VIEW_MASK_UCAST, RTM_ENUM_ALL_DESTS, NULL,
			      RTM_BEST_PROTOCOL, &en) != NO_ERROR) {
		disagree(w, "destination enumeration could not be created");
	} else {
		do {
			UINT n = BATCH;

			rc = RtmGetEnumDests(w->ent[0], en, &n, dis);
			dests += (int)n;
			RtmReleaseDests(w->ent[0], n, dis);
		} while (rc == NO_ERROR);
		RtmDeleteEnumHandle(w->ent[0], en);
	}
	if (routes != want_r || dests != want_d)
		disagree(w, "enumerations find %d routes, %d destinations; model %d, %d", routes,
			 dests, want_r, want_d);
	free(dis);
}

static void
check_nexthops(struct world *w)
{
	for (int e = 0; e < NENT; e++) {
		for (int i = 0; i < NNH; i++) {
			RTM_NEXTHOP_INFO ni;
			RTM_NEXTHOP_HANDLE h = NULL;

			if (!w->nh[e][i])
				continue;
			memset(&ni, 0, sizeof(ni));
			nh_addr(&ni.NextHopAddress, e, i);
			ni.InterfaceIndex = (ULONG)(i + 1);
			if (RtmFindNextHop(w->ent[e], &ni, &h, NULL) != NO_ERROR || h != w->nh[e][i])
				disagree(w, "next hop %d/%d missing or different", e, i);
			if (h)
				RtmReleaseNextHops(w->ent[e], 1, &h);
		}
	}
}

static void
model_check(struct world *w)
{
	if (!w->ent[0])
		return; /* nothing registered yet: nothing to look at */
	/* The check's own calls must not meet the failure nor count. */
	rtm_fault_pause_mine(true);
	check_routes(w);
	check_dests(w);
	check_counts(w);
	check_nexthops(w);
	rtm_fault_pause_mine(false);
}

/* ------------------------------------------------------------------------ */
/* One API call of the workload: if it met the injected failure it must     */
/* have failed cleanly (checked against the model), and it is made again.   */

static bool
absorbs_failure(const char *call)
{
	/* Deregistration cannot fail: it waits for memory instead. */
	return strncmp(call, "RtmDeregisterEntity", 19) == 0;
}

static void
step_after(struct world *w, int line, const char *call, DWORD rc, DWORD want, bool met)
{
	if (met) {
		g_fired++;
		w->line_failed = line;
		if (rc == want && absorbs_failure(call)) {
			g_absorbed++;
		} else if (rc != ERROR_NOT_ENOUGH_MEMORY) {
			fail("line %d %s: met the failure, returned %u, not ERROR_NOT_ENOUGH_MEMORY",
			     line, call, (unsigned)rc);
		} else {
			model_check(w);
		}
		if (g_verbose)
			fprintf(stderr, "  failure met at line %d: %.60s -> %u\n", line, call,
				(unsigned)rc);
	}
}

#define STEP(w, want, call)                                                                   \
	do {                                                                                  \
		uint64_t inj0_ = rtm_fault_injected();                                        \
		DWORD rc_ = (call);                                                           \
		bool met_ = rtm_fault_injected() != inj0_;                                    \
		step_after((w), __LINE__, #call, rc_, (want), met_);                          \
		if (met_ && rc_ != (want))                                                    \
			rc_ = (call);                                                         \
		if (rc_ != (want))                                                            \
			fail("line %d %s: returned %u, expected %u", __LINE__, #call,          \
			     (unsigned)rc_, (unsigned)(want));                                 \
	} while (0)

/* ------------------------------------------------------------------------ */
/* The workload                                                               */

static DWORD
register_entity(struct world *w, int e)
{
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	static const ULONG protos[NENT] = {8, 13, 14};

	memset(&info, 0, sizeof(info));
	info.RtmInstanceId = 0;
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = protos[e];
	info.EntityId.EntityInstanceId = 1;
	return RtmRegisterEntity(&info, NULL, e != 1 ? on_event : NULL, e == 2, &prof, &w->ent[e]);
}

static DWORD
add_nexthop(struct world *w, int e, int i)
{
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_CHANGE_FLAGS fl = 0;

	memset(&ni, 0, sizeof(ni));
	nh_addr(&ni.NextHopAddress, e, i);
	ni.InterfaceIndex = (ULONG)(i + 1);
	return RtmAddNextHop(w->ent[e], &ni, &w->nh[e][i], &fl);
}

/*
 * Add route idx with this preference and metric: a new route if its handle
 * is NULL and flags say RTM_ROUTE_CHANGE_NEW, an update through the handle
 * if it is set, or an update of the owner's route found by neighbour (flags
 * 0, handle NULL).  The model is updated by the caller after success.
 */
static DWORD
add_route(struct world *w, int idx, ULONG pref, ULONG metric, ULONG ttl, DWORD flags)
{
	struct mroute *m = &w->r[idx];
	RTM_ROUTE_INFO *ri = route_info_buf();
	RTM_ROUTE_CHANGE_FLAGS fl = flags;
	RTM_NET_ADDRESS a = w->prefixes[m->prefix];

	memset(ri, 0, RTMX_SIZE_OF_ROUTE_INFO(1));
	ri->PrefInfo.Preference = pref;
	ri->PrefInfo.Metric = metric;
	ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
	if (m->nh >= 0) {
		ri->NextHopsList.NumNextHops = 1;
		ri->NextHopsList.NextHops[0] = w->nh[m->owner][m->nh];
	}
	return RtmAddRouteToDest(w->ent[m->owner], &m->h, &a, ri, ttl, NULL, 0, NULL, &fl);
}

/* RtmGetChangedDests until the queue is empty, each batch checked against
 * the model's queue, in order. */
static void
drain_changes(struct world *w)
{
	RTM_DEST_INFO *dis = calloc(BATCH, RTM_SIZE_OF_DEST_INFO(2));
	size_t stride = RTM_SIZE_OF_DEST_INFO(2);
	UINT n;
	DWORD rc;

	do {
		uint64_t inj0 = rtm_fault_injected();

		n = BATCH;
		rc = RtmGetChangedDests(w->ent[0], w->notify, &n, dis);
		if (rtm_fault_injected() != inj0)
			fail("RtmGetChangedDests allocated (it must not: a failure would lose changes)");
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
			fail("RtmGetChangedDests: %u", (unsigned)rc);
			break;
		}
		for (UINT i = 0; i < n; i++) {
			const RTM_DEST_INFO *d = (const RTM_DEST_INFO *)((const char *)dis + i * stride);

			if (!w->qlen) {
				disagree(w, "a change the model did not queue");
				continue;
			}
			if (!addr_eq(&d->DestAddress, &w->prefixes[w->q[w->qhead].prefix]))
				disagree(w, "changed destination %u out of order or unknown", i);
			w->qhead = (w->qhead + 1) % (MAXR * 4);
			w->qlen--;
		}
		STEP(w, NO_ERROR, RtmReleaseChangedDests(w->ent[0], w->notify, n, dis));
	} while (rc == NO_ERROR);
	if (w->qlen)
		disagree(w, "%d queued changes were not delivered", w->qlen);
	free(dis);
}

/* Enumerate routes (whole table) with retries of a failed batch; compare the
 * set with the model. */
static void
enum_routes_check(struct world *w)
{
	RTM_ENUM_HANDLE en = NULL;
	RTM_ROUTE_HANDLE hs[BATCH];
	int found = 0, want = 0;
	DWORD rc;

	STEP(w, NO_ERROR, RtmCreateRouteEnum(w->ent[1], NULL, RTM_VIEW_MASK_ANY,
					     RTM_ENUM_ALL_ROUTES, NULL, 0, NULL, 0, &en));
	do {
		UINT n = BATCH;
		uint64_t inj0 = rtm_fault_injected();

		rc = RtmGetEnumRoutes(w->ent[1], en, &n, hs);
		if (rtm_fault_injected() != inj0) {
			step_after(w, __LINE__, "RtmGetEnumRoutes", rc, NO_ERROR, true);
			if (rc == ERROR_NOT_ENOUGH_MEMORY && n != 0)
				fail("RtmGetEnumRoutes failed but handed out %u handles", n);
			if (rc == ERROR_NOT_ENOUGH_MEMORY)
				continue; /* the same batch again */
		}
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
			fail("RtmGetEnumRoutes: %u", (unsigned)rc);
			break;
		}
		for (UINT i = 0; i < n; i++) {
			bool known = false;

			for (int j = 0; j < w->nr && !known; j++)
				known = w->r[j].live && w->r[j].h == hs[i];
			found += known;
			if (!known)
				disagree(w, "enumeration returned a route the model does not have");
		}
		STEP(w, NO_ERROR, RtmReleaseRoutes(w->ent[1], n, hs));
	} while (rc != ERROR_NO_MORE_ITEMS);
	STEP(w, NO_ERROR, RtmDeleteEnumHandle(w->ent[1], en));
	for (int j = 0; j < w->nr; j++)
		want += w->r[j].live;
	if (found != want)
		disagree(w, "route enumeration found %d routes, model %d", found, want);
}

static void
enum_nexthops_check(struct world *w, int e)
{
	RTM_ENUM_HANDLE en = NULL;
	RTM_NEXTHOP_HANDLE hs[BATCH];
	int found = 0;
	DWORD rc;

	STEP(w, NO_ERROR, RtmCreateNextHopEnum(w->ent[e], 0, NULL, &en));
	do {
		UINT n = BATCH;
		uint64_t inj0 = rtm_fault_injected();

		rc = RtmGetEnumNextHops(w->ent[e], en, &n, hs);
		if (rtm_fault_injected() != inj0) {
			step_after(w, __LINE__, "RtmGetEnumNextHops", rc, NO_ERROR, true);
			if (rc == ERROR_NOT_ENOUGH_MEMORY)
				continue; /* the same batch again */
		}
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
			fail("RtmGetEnumNextHops: %u", (unsigned)rc);
			break;
		}
		found += (int)n;
		STEP(w, NO_ERROR, RtmReleaseNextHops(w->ent[e], n, hs));
	} while (rc != ERROR_NO_MORE_ITEMS);
	STEP(w, NO_ERROR, RtmDeleteEnumHandle(w->ent[e], en));
	if (found != NNH)
		disagree(w, "next-hop enumeration of entity %d found %d, model %d", e, found, NNH);
}

/* Route list: entity 1's first routes; enumerate and compare. */
static void
route_list_check(struct world *w)
{
	RTM_ROUTE_LIST_HANDLE l = NULL;
	RTM_ENUM_HANDLE en = NULL;
	RTM_ROUTE_HANDLE in[8], out[BATCH];
	UINT k = 0, n = BATCH;

	for (int i = 0; i < w->nr && k < 8; i++) {
		if (w->r[i].live && w->r[i].owner == 1)
			in[k++] = w->r[i].h;
	}
	STEP(w, NO_ERROR, RtmCreateRouteList(w->ent[1], &l));
	STEP(w, NO_ERROR, RtmInsertInRouteList(w->ent[1], l, k, in));
	STEP(w, NO_ERROR, RtmCreateRouteListEnum(w->ent[1], l, &en));
	STEP(w, NO_ERROR, (n = BATCH, RtmGetListEnumRoutes(w->ent[1], en, &n, out)));
	if (n != k)
		disagree(w, "route list holds %u routes, %u inserted", n, k);
	for (UINT i = 0; i < n && i < k; i++) {
		if (out[i] != in[i])
			disagree(w, "route list entry %u differs", i);
	}
	STEP(w, NO_ERROR, RtmReleaseRoutes(w->ent[1], n, out));
	STEP(w, NO_ERROR, RtmDeleteEnumHandle(w->ent[1], en));
	STEP(w, NO_ERROR, RtmDeleteRouteList(w->ent[1], l));
}

/* RtmHoldDestination on route idx's destination (1 ms). */
static void
hold_destination(struct world *w, int idx)
{
	const struct mroute *m = &w->r[idx];
	RTM_DEST_INFO *di = calloc(1, RTM_SIZE_OF_DEST_INFO(2));

	STEP(w, NO_ERROR,
	     RtmGetExactMatchDestination(w->ent[m->owner], &w->prefixes[m->prefix],
					 RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, di));
	STEP(w, NO_ERROR, RtmHoldDestination(w->ent[m->owner], di->DestHandle, RTM_VIEW_MASK_UCAST, 1));
	STEP(w, NO_ERROR, RtmReleaseDestInfo(w->ent[m->owner], di));
	free(di);
}

/*
 * Mark route idx's destination for the notification registration, check the
 * mark, clear it: a mark needs the destination's record of rarely used
 * state (allocated on first use, shared with the hold-down and the opaque
 * slots), so marking a destination that has none meets the failure.
 */
static void
mark_destination(struct world *w, int idx)
{
	const struct mroute *m = &w->r[idx];
	RTM_DEST_INFO *di = calloc(1, RTM_SIZE_OF_DEST_INFO(2));
	BOOL marked = FALSE;

	STEP(w, NO_ERROR,
	     RtmGetExactMatchDestination(w->ent[0], &w->prefixes[m->prefix], RTM_BEST_PROTOCOL,
					 RTM_VIEW_MASK_UCAST, di));
	STEP(w, NO_ERROR, RtmMarkDestForChangeNotification(w->ent[0], w->notify, di->DestHandle, TRUE));
	STEP(w, NO_ERROR, RtmIsMarkedForChangeNotification(w->ent[0], w->notify, di->DestHandle, &marked));
	if (!marked)
		disagree(w, "destination of route %d not marked after RtmMarkDestForChangeNotification", idx);
	STEP(w, NO_ERROR, RtmMarkDestForChangeNotification(w->ent[0], w->notify, di->DestHandle, FALSE));
	STEP(w, NO_ERROR, RtmIsMarkedForChangeNotification(w->ent[0], w->notify, di->DestHandle, &marked));
	if (marked)
		disagree(w, "destination of route %d still marked after clearing", idx);
	STEP(w, NO_ERROR, RtmReleaseDestInfo(w->ent[0], di));
	free(di);
}

/* Lock a route, change its metric in place, publish. */
static void
in_place_update(struct world *w, int idx)
{
	struct mroute *m = &w->r[idx];
	RTM_ROUTE_INFO *p = NULL;
	RTM_ROUTE_CHANGE_FLAGS fl = 0;

	STEP(w, NO_ERROR, RtmLockRoute(w->ent[m->owner], m->h, TRUE, TRUE, &p));
	if (!p)
		return;
	p->PrefInfo.Metric = m->metric + 1000;
	STEP(w, NO_ERROR,
	     RtmUpdateAndUnlockRoute(w->ent[m->owner], m->h, INFINITE, NULL, 0, NULL, &fl));
	m->metric += 1000;
	m->seq = m->seq; /* an update keeps the route's age */
	model_changed(w, m->prefix);
}

static void
workload(struct world *w)
{
	RTM_ROUTE_CHANGE_FLAGS fl;
	int p;

	memset(w->ent, 0, sizeof(w->ent));
	memset(w->nh, 0, sizeof(w->nh));
	memset(w->r, 0, sizeof(w->r));
	memset(w->nroutes_at, 0, sizeof(w->nroutes_at));
	w->nr = 0;
	w->qhead = w->qlen = 0;
	w->notify_on = false;
	w->notify = NULL;

	for (int e = 0; e < NENT; e++)
		STEP(w, NO_ERROR, register_entity(w, e));
	for (int e = 0; e < NENT; e++) {
		for (int i = 0; i < NNH; i++)
			STEP(w, NO_ERROR, add_nexthop(w, e, i));
	}
	STEP(w, NO_ERROR,
	     RtmRegisterForChangeNotification(w->ent[0], RTM_VIEW_MASK_ANY, RTM_CHANGE_TYPE_ALL,
					      NULL, &w->notify));
	w->notify_on = true;

	/* Routes: one per prefix, a second owner on every fourth. */
	for (p = 0; p < w->nprefixes; p++) {
		for (int k = 0; k < 1 + (p % 4 == 0); k++) {
			int idx = w->nr++;
			struct mroute *m = &w->r[idx];

			m->prefix = p;
			m->owner = (p + k) % NENT;
			m->nh = (p + k) % (NNH + 1) - 1;
			m->pref = 10 + (ULONG)((p * 7 + k * 3) % 5);
			m->metric = (ULONG)(p * 13 + k);
			STEP(w, NO_ERROR, add_route(w, idx, m->pref, m->metric,
						    idx == 5 ? LONG_TTL : INFINITE, RTM_ROUTE_CHANGE_NEW));
			model_add(w, idx);
		}
	}
	drain_changes(w);

	/* Updates through the handle, some with a TTL. */
	for (int i = 0; i < w->nr; i += 3) {
		ULONG pref = 10 + (w->r[i].pref + 3) % 5, metric = w->r[i].metric + 7;

		STEP(w, NO_ERROR, add_route(w, i, pref, metric, i % 2 ? LONG_TTL : INFINITE, 0));
		w->r[i].pref = pref;
		w->r[i].metric = metric;
		model_changed(w, w->r[i].prefix);
	}
	/* Updates found by neighbour (no handle): a new version of the same route. */
	for (int i = 1; i < w->nr; i += 11) {
		RTM_ROUTE_HANDLE keep = w->r[i].h;

		RTM_ROUTE_HANDLE got = NULL;

		/* Through a copy of the entry whose handle is NULL, so that the
		 * model keeps the old values until the call succeeds. */
		w->r[w->nr] = w->r[i];
		w->r[w->nr].live = false;
		w->r[w->nr].h = NULL;
		STEP(w, NO_ERROR,
		     (w->r[w->nr].h = NULL,
		      add_route(w, w->nr, w->r[i].pref, w->r[i].metric + 1, INFINITE, 0)));
		got = w->r[w->nr].h;
		if (got != keep)
			fail("update by neighbour made a new route");
		if (got)
			STEP(w, NO_ERROR, RtmReleaseRoutes(w->ent[w->r[i].owner], 1, &got));
		w->r[i].metric += 1;
		model_changed(w, w->r[i].prefix);
	}
	for (int i = 2; i < w->nr; i += 17)
		in_place_update(w, i);
	drain_changes(w);
	/* Hold-down armed on prefixes 1 and 2, whose only routes (2 and 3) stay
	 * until deregistration: the hold-downs run during the teardown. */
	for (int i = 2; i <= 3; i++)
		hold_destination(w, i);
	/* Marks: on a destination without the record (route 6's) and on one
	 * that has it from the hold-down (route 2's). */
	mark_destination(w, 6);
	mark_destination(w, 2);

	route_list_check(w);
	enum_routes_check(w);
	for (int e = 0; e < NENT; e++)
		enum_nexthops_check(w, e);

	/* Deletions: every fifth route (the call consumes the reference). */
	for (int i = 0; i < w->nr; i += 5) {
		STEP(w, NO_ERROR, (fl = 0, RtmDeleteRouteToDest(w->ent[w->r[i].owner], w->r[i].h, &fl)));
		model_delete(w, i);
	}
	drain_changes(w);
	/* Re-add a few of the deleted (new destination objects for some). */
	for (int i = 0; i < w->nr; i += 15) {
		w->r[i].h = NULL;
		STEP(w, NO_ERROR,
		     add_route(w, i, w->r[i].pref, w->r[i].metric, INFINITE, RTM_ROUTE_CHANGE_NEW));
		model_add(w, i);
	}
	model_check(w);

	/* Teardown: release our references, then deregister. */
	for (int i = 0; i < w->nr; i++) {
		if (w->r[i].live)
			STEP(w, NO_ERROR, RtmReleaseRoutes(w->ent[w->r[i].owner], 1, &w->r[i].h));
		w->r[i].h = NULL; /* still in the store until deregistration */
	}
	w->notify_on = false;
	STEP(w, NO_ERROR, RtmDeregisterFromChangeNotification(w->ent[0], w->notify));
	for (int e = 0; e < NENT; e++) {
		STEP(w, NO_ERROR, RtmReleaseNextHops(w->ent[e], NNH, w->nh[e]));
		memset(w->nh[e], 0, sizeof(w->nh[e]));
	}
	for (int e = NENT - 1; e >= 0; e--) {
		STEP(w, NO_ERROR, RtmDeregisterEntity(w->ent[e]));
		w->ent[e] = NULL;
	}
	for (int i = 0; i < w->nr; i++)
		w->r[i].live = false;
	memset(w->nroutes_at, 0, sizeof(w->nroutes_at));
}

static double g_quiesce_s;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Wait until the deferred frees have all run: RCU callbacks (which may queue
 * more) and the worker's (entity events are freed after delivery).  Done as
 * soon as the live count is back at target (each drain costs up to a
 * call_rcu thread's sleep); otherwise when several drains in a row free
 * nothing more.  Returns the live count.
 */
static int64_t
quiesce(int64_t target)
{
	int64_t last = -1, now = rtm_alloc_live_blocks();
	int stable = 0;
	double t0 = now_s();

	/* Hold-downs armed by the teardown end on the worker first. */
	for (int i = 0; i < 60000 && worker_timers_armed(); i++)
		usleep(1000);
	for (int i = 0; i < 1000 && now != target && stable < 5; i++) {
		rcu_drain();
		now = rtm_alloc_live_blocks();
		stable = now == last ? stable + 1 : 0;
		last = now;
		if (stable)
			usleep(1000);
	}
	g_quiesce_s += now_s() - t0;
	return now;
}

/* ------------------------------------------------------------------------ */
/* Failures on the worker thread: a route expiry and a hold-down end.       */

static bool
wait_for(bool (*cond)(void *), void *arg)
{
	for (int i = 0; i < 60000; i++) { /* a hang guard, not a timing assertion */
		if (cond(arg))
			return true;
		usleep(1000);
	}
	return false;
}

struct wctx {
	RTM_ENTITY_HANDLE e;
	RTM_ROUTE_HANDLE r;
	RTM_NET_ADDRESS a;
};

static bool
failure_met(void *arg)
{
	return rtm_fault_injected() != *(uint64_t *)arg;
}

static bool
route_gone(void *arg)
{
	struct wctx *c = arg;
	RTM_ROUTE_INFO *ri = route_info_buf();
	bool gone = true;

	RTM_NET_ADDRESS a;

	if (RtmGetRouteInfo(c->e, c->r, ri, &a) == NO_ERROR) {
		gone = ri->State == RTM_ROUTE_STATE_DELETED;
		RtmReleaseRouteInfo(c->e, ri);
	}
	return gone;
}

static bool
dest_gone(void *arg)
{
	struct wctx *c = arg;
	RTM_DEST_INFO *di = calloc(1, RTM_SIZE_OF_DEST_INFO(2));
	DWORD rc = RtmGetExactMatchDestination(c->e, &c->a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY, di);

	if (rc == NO_ERROR)
		RtmReleaseDestInfo(c->e, di);
	free(di);
	return rc == ERROR_NOT_FOUND;
}

/* Fail the next allocation of any thread (once: 1) or every allocation
 * until the shortage is lifted (persistent: 2, for 20 ms after the first). */
static void
worker_arm(unsigned mode)
{
	if (mode == 1)
		rtm_fault_fail_nth_any(1);
	else
		rtm_fault_fail_from(1);
}

static void
worker_lift(unsigned mode)
{
	if (mode == 2)
		usleep(20000); /* the worker keeps retrying meanwhile */
	rtm_fault_disarm();
}

static void
worker_phase(struct world *w)
{
	for (unsigned mode = 1; mode <= 2; mode++) {
		struct world *x = w;
		struct wctx c = {0};
		RTM_ROUTE_CHANGE_FLAGS fl = 0;
		RTM_DEST_INFO *di = calloc(1, RTM_SIZE_OF_DEST_INFO(2));
		uint64_t inj0;

		memset(x->r, 0, sizeof(x->r));
		STEP(x, NO_ERROR, register_entity(x, 1)); /* no callback: expiry deletes */
		c.e = x->ent[1];
		c.a = x->prefixes[0];
		x->r[0] = (struct mroute){.owner = 1, .prefix = 0, .nh = -1, .pref = 1, .metric = 1};
		x->r[1] = (struct mroute){.owner = 1, .prefix = 0, .nh = -1, .pref = 2, .metric = 1};
		/* A second, permanent route on the prefix: removing the expiring
		 * one then needs a new route set (removing a destination's only
		 * route allocates nothing). */
		STEP(x, NO_ERROR, add_route(x, 1, 2, 1, INFINITE, RTM_ROUTE_CHANGE_NEW));
		/* The expiry's allocation (a new route set) fails on the worker;
		 * this thread makes no call until the failure has been met. */
		inj0 = rtm_fault_injected();
		STEP(x, NO_ERROR, add_route(x, 0, 1, 1, 50, RTM_ROUTE_CHANGE_NEW));
		c.r = x->r[0].h;
		worker_arm(mode);
		if (!wait_for(failure_met, &inj0))
			fail("worker: the expiry met no failure");
		else
			g_points++, g_fired++;
		worker_lift(mode);
		if (!wait_for(route_gone, &c))
			fail("worker: the expiry was lost after an allocation failure");
		RtmReleaseRoutes(c.e, 1, &c.r);
		STEP(x, NO_ERROR, (fl = 0, RtmDeleteRouteToDest(c.e, x->r[1].h, &fl)));
		x->r[1].h = NULL;

		/* Hold-down: its end allocates on the worker. */
		x->r[0].h = NULL;
		STEP(x, NO_ERROR, add_route(x, 0, 1, 1, INFINITE, RTM_ROUTE_CHANGE_NEW));
		c.r = x->r[0].h;
		STEP(x, NO_ERROR,
		     RtmGetExactMatchDestination(c.e, &c.a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY, di));
		STEP(x, NO_ERROR, RtmHoldDestination(c.e, di->DestHandle, RTM_VIEW_MASK_UCAST, 30));
		RtmReleaseDestInfo(c.e, di);
		inj0 = rtm_fault_injected();
		STEP(x, NO_ERROR, (fl = 0, RtmDeleteRouteToDest(c.e, c.r, &fl)));
		inj0 = rtm_fault_injected();
		worker_arm(mode);
		if (!wait_for(failure_met, &inj0))
			fail("worker: the hold-down end met no failure");
		else
			g_points++, g_fired++;
		worker_lift(mode);
		if (!wait_for(dest_gone, &c))
			fail("worker: the hold-down never ended after an allocation failure");
		STEP(x, NO_ERROR, RtmDeregisterEntity(c.e));
		x->ent[1] = NULL;
		free(di);
	}
}

/* ------------------------------------------------------------------------ */

int
main(int argc, char **argv)
{
	static struct world world;
	struct world *w = &world;
	int nprefixes = 96, stride = 1, first = 1;
	const char *full = getenv("RTM_FAULTINJ_FULL");
	uint64_t total, c0;
	int64_t base;

	if (full && *full && strcmp(full, "0") != 0)
		nprefixes = 400;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--full"))
			nprefixes = 400;
		else if (!strcmp(argv[i], "--prefixes") && i + 1 < argc)
			nprefixes = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--stride") && i + 1 < argc)
			stride = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--first") && i + 1 < argc)
			first = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-v"))
			g_verbose = true;
		else {
			fprintf(stderr, "usage: %s [--full] [--prefixes N] [--stride S] [--first N] [-v]\n",
				argv[0]);
			return 2;
		}
	}
	if (nprefixes < 8 || nprefixes > MAXP || stride < 1 || first < 1) {
		fprintf(stderr, "faultinj: bad arguments\n");
		return 2;
	}
	make_prefixes(w, nprefixes);

	/* Warm-up: tables, handle chunks, this thread's ledger, the worker. */
	workload(w);
	quiesce(-1);
	if (g_errors || g_disagreements) {
		fprintf(stderr, "faultinj: the workload fails without injection\n");
		return 1;
	}
	base = rtm_alloc_live_blocks();
	c0 = rtm_alloc_calls_mine();
	workload(w);
	total = rtm_alloc_calls_mine() - c0;
	if (quiesce(base) != base) {
		fail("a clean run leaks %" PRId64 " blocks", rtm_alloc_live_blocks() - base);
		g_leaks++;
	}
	printf("faultinj: %d prefixes, %d routes, %" PRIu64 " allocations per run on this thread\n",
	       nprefixes, w->nr, total);

	for (uint64_t n = (uint64_t)first; n <= total; n += (uint64_t)stride) {
		int64_t live;
		uint64_t inj0 = rtm_fault_injected();

		uint64_t mark = rtm_alloc_mark();

		w->line_failed = 0;
		rtm_fault_fail_nth_mine(n);
		workload(w);
		rtm_fault_fail_nth_mine(0);
		g_points++;
		if (rtm_fault_injected() == inj0)
			fail("N=%" PRIu64 ": no allocation failed (the workload is not deterministic)", n);
		live = quiesce(base);
		if (live != base) {
			g_leaks++;
			fail("N=%" PRIu64 " (failure met at line %d): %" PRId64 " blocks leaked", n,
			     w->line_failed, live - base);
			if (g_leaks <= 3)
				rtm_alloc_report_since(mark, stderr, 10);
			base = live; /* count each leak once */
		}
		if (g_errors > 50)
			break;
	}
	worker_phase(w);
	if (quiesce(base) != base) {
		g_leaks++;
		fail("worker phase: %" PRId64 " blocks leaked", rtm_alloc_live_blocks() - base);
	}
	if (atomic_load(&g_callbacks) == 0)
		fail("no callback ever ran");
	if (g_verbose)
		fprintf(stderr, "faultinj: %.1f s waiting for deferred frees\n", g_quiesce_s);
	printf("faultinj: %" PRIu64 " allocation-failure points tried (%" PRIu64
	       " met, %" PRIu64 " absorbed by calls that cannot fail), %" PRIu64
	       " disagreements, %" PRIu64 " leaks, %" PRIu64 " other failures\n",
	       g_points, g_fired, g_absorbed, g_disagreements, g_leaks, g_errors);
	return g_errors || g_disagreements || g_leaks ? 1 : 0;
}
