/*
 * bench_rtm.c - librtm as a benchmarked structure, driven only through the
 * RTMv2 API: one registered entity (BGP) and one next hop per instance, one
 * route per prefix added with RtmAddRouteToDest, lookups with
 * RtmGetMostSpecificDestination / RtmGetExactMatchDestination followed by
 * RtmReleaseDestInfo, exactly as a routing protocol would call them.
 *
 * The same instance is also read through librtm's forwarding fast path,
 * RtmxLookupRoute (bench_rtm_fwd_impl, named "librtm-fwd"): longest-prefix
 * lookups only, nothing to release.
 *
 * Only one instance per address family may exist at a time: every entity of
 * a family shares that family's table, so two instances would see each
 * other's routes.
 */
#define _GNU_SOURCE 1

#include "bench.h"
#include "../one_route.h"

#include <rtm/rtmx.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rtm_inst {
	RTM_ENTITY_HANDLE h;
	RTM_NEXTHOP_HANDLE nh;
	const struct bench_data *d;
	RTM_ROUTE_HANDLE *handles;   /* churn: one held handle per key */
	size_t nhandles;
};


union dest_buf {
	RTM_DEST_INFO di;
	char bytes[RTM_SIZE_OF_DEST_INFO(RTM_MAX_VIEWS)];
};

static atomic_uint next_instance = 1;

static void *rt_create(const struct bench_data *d, char *err, size_t errlen)
{
	struct rtm_inst *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->d = d;
	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof ei);
	ei.AddressFamily = (USHORT)d->family;
	ei.EntityId.EntityProtocolId = PROTO_IP_BGP;
	ei.EntityId.EntityInstanceId = atomic_fetch_add(&next_instance, 1);
	RTM_REGN_PROFILE prof;
	DWORD rc = RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &t->h);
	if (rc != NO_ERROR) {
		snprintf(err, errlen, "RtmRegisterEntity: error %lu", (unsigned long)rc);
		free(t);
		return NULL;
	}
	RTM_NEXTHOP_INFO nhi;
	memset(&nhi, 0, sizeof nhi);
	nhi.NextHopAddress.AddressFamily = (USHORT)d->family;
	nhi.NextHopAddress.NumBits = (USHORT)d->width;
	nhi.NextHopAddress.AddrBits[0] = d->width == 32 ? 192 : 0x20;
	nhi.NextHopAddress.AddrBits[d->width / 8 - 1] = 1;
	nhi.InterfaceIndex = 1;
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	rc = RtmAddNextHop(t->h, &nhi, &t->nh, &nf);
	if (rc != NO_ERROR) {
		snprintf(err, errlen, "RtmAddNextHop: error %lu", (unsigned long)rc);
		RtmDeregisterEntity(t->h);
		free(t);
		return NULL;
	}
	return t;
}

static void rt_destroy(void *tp)
{
	struct rtm_inst *t = tp;
	if (t->handles) {
		RtmReleaseRoutes(t->h, (UINT)t->nhandles, t->handles);
		free(t->handles);
	}
	RtmReleaseNextHops(t->h, 1, &t->nh);
	DWORD rc = RtmDeregisterEntity(t->h);
	if (rc != NO_ERROR)
		fprintf(stderr, "rtm-bench: RtmDeregisterEntity: error %lu\n", (unsigned long)rc);
	free(t);
}

static int rt_add(void *tp, size_t i)
{
	struct rtm_inst *t = tp;
	union one_route b;
	one_route_init(&b, t->nh);
	RTM_ROUTE_CHANGE_FLAGS cf = 0;
	DWORD rc = RtmAddRouteToDest(t->h, NULL, (PRTM_NET_ADDRESS)&t->d->pfx[i], &b.ri, INFINITE,
				     NULL, 0, NULL, &cf);
	return rc == NO_ERROR ? 0 : (int)rc;
}

/* Delete by prefix: find our route, then delete it (its handle's reference is consumed). */
static int rt_del(void *tp, size_t i)
{
	struct rtm_inst *t = tp;
	union one_route b;
	one_route_init(&b, t->nh);
	b.ri.RouteOwner = t->h;
	RTM_ROUTE_HANDLE rh = NULL;
	DWORD rc = RtmGetExactMatchRoute(t->h, (PRTM_NET_ADDRESS)&t->d->pfx[i], RTM_MATCH_OWNER,
					 &b.ri, 0, RTM_VIEW_MASK_ANY, &rh);
	if (rc != NO_ERROR)
		return (int)rc;
	RTM_ROUTE_CHANGE_FLAGS cf = 0;
	rc = RtmDeleteRouteToDest(t->h, rh, &cf);
	return rc == NO_ERROR ? 0 : (int)rc;
}

static uint64_t rt_lpm_run(void *tp, const RTM_NET_ADDRESS *q, size_t n, uint64_t *errors)
{
	struct rtm_inst *t = tp;
	union dest_buf b;
	uint64_t found = 0, errs = 0;
	for (size_t i = 0; i < n; i++) {
		DWORD rc = RtmGetMostSpecificDestination(t->h, (PRTM_NET_ADDRESS)&q[i], RTM_BEST_PROTOCOL,
							 RTM_VIEW_MASK_UCAST, &b.di);
		if (rc == NO_ERROR) {
			found++;
			errs += RtmReleaseDestInfo(t->h, &b.di) != NO_ERROR;
		} else if (rc != ERROR_NOT_FOUND) {
			errs++;
		}
	}
	*errors += errs;
	return found;
}

static uint64_t rt_exact_run(void *tp, const RTM_NET_ADDRESS *q, size_t n, uint64_t *errors)
{
	struct rtm_inst *t = tp;
	union dest_buf b;
	uint64_t found = 0, errs = 0;
	for (size_t i = 0; i < n; i++) {
		DWORD rc = RtmGetExactMatchDestination(t->h, (PRTM_NET_ADDRESS)&q[i], RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, &b.di);
		if (rc == NO_ERROR) {
			found++;
			errs += RtmReleaseDestInfo(t->h, &b.di) != NO_ERROR;
		} else if (rc != ERROR_NOT_FOUND) {
			errs++;
		}
	}
	*errors += errs;
	return found;
}

static int one(struct rtm_inst *t, const RTM_NET_ADDRESS *q, RTM_NET_ADDRESS *m, bool exact)
{
	union dest_buf b;
	DWORD rc = exact
		? RtmGetExactMatchDestination(t->h, (PRTM_NET_ADDRESS)q, RTM_BEST_PROTOCOL,
					      RTM_VIEW_MASK_UCAST, &b.di)
		: RtmGetMostSpecificDestination(t->h, (PRTM_NET_ADDRESS)q, RTM_BEST_PROTOCOL,
						RTM_VIEW_MASK_UCAST, &b.di);
	if (rc == ERROR_NOT_FOUND)
		return 0;
	if (rc != NO_ERROR)
		return -1;
	*m = b.di.DestAddress;
	return RtmReleaseDestInfo(t->h, &b.di) == NO_ERROR ? 1 : -1;
}

static int rt_lpm_one(void *tp, const RTM_NET_ADDRESS *q, RTM_NET_ADDRESS *m)
{
	return one(tp, q, m, false);
}

static int rt_exact_one(void *tp, const RTM_NET_ADDRESS *q, RTM_NET_ADDRESS *m)
{
	return one(tp, q, m, true);
}

/*
 * Churn keeps a route handle per key, as a protocol that deletes its own
 * routes would: re-adding an existing route (same owner and neighbour)
 * updates it in place and returns its handle.
 */
static int rt_churn_prepare(void *tp, const size_t *keys, size_t nkeys)
{
	struct rtm_inst *t = tp;
	t->handles = calloc(nkeys, sizeof *t->handles);
	if (!t->handles)
		return -1;
	t->nhandles = nkeys;
	union one_route b;
	for (size_t k = 0; k < nkeys; k++) {
		one_route_init(&b, t->nh);
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		DWORD rc = RtmAddRouteToDest(t->h, &t->handles[k], (PRTM_NET_ADDRESS)&t->d->pfx[keys[k]],
					     &b.ri, INFINITE, NULL, 0, NULL, &cf);
		if (rc != NO_ERROR || !t->handles[k] || (cf & RTM_ROUTE_CHANGE_NEW)) {
			fprintf(stderr, "rtm-bench: churn setup: RtmAddRouteToDest: error %lu, flags 0x%lx\n",
				(unsigned long)rc, (unsigned long)cf);
			return -1;
		}
	}
	return 0;
}

static int rt_churn_op(void *tp, size_t slot, size_t i)
{
	struct rtm_inst *t = tp;
	RTM_ROUTE_CHANGE_FLAGS cf = 0;
	DWORD rc = RtmDeleteRouteToDest(t->h, t->handles[slot], &cf);
	t->handles[slot] = NULL;
	if (rc != NO_ERROR)
		return (int)rc;
	union one_route b;
	one_route_init(&b, t->nh);
	cf = 0;
	rc = RtmAddRouteToDest(t->h, &t->handles[slot], (PRTM_NET_ADDRESS)&t->d->pfx[i], &b.ri,
			       INFINITE, NULL, 0, NULL, &cf);
	return rc == NO_ERROR && t->handles[slot] ? 0 : (int)(rc ? rc : 1);
}

static void rt_churn_finish(void *tp)
{
	struct rtm_inst *t = tp;
	if (t->handles) {
		RtmReleaseRoutes(t->h, (UINT)t->nhandles, t->handles);
		free(t->handles);
		t->handles = NULL;
		t->nhandles = 0;
	}
}

int bench_rtm_locks(void *tp, bool exclusive, double min_s, double *ns_per_pair)
{
	struct rtm_inst *t = tp;
	union one_route b;
	one_route_init(&b, t->nh);
	RTM_ROUTE_HANDLE rh = NULL;
	RTM_ROUTE_CHANGE_FLAGS cf = 0;
	DWORD rc = RtmAddRouteToDest(t->h, &rh, (PRTM_NET_ADDRESS)&t->d->pfx[0], &b.ri, INFINITE,
				     NULL, 0, NULL, &cf);
	if (rc != NO_ERROR || !rh)
		return -1;
	int errs = 0;
	uint64_t n = 0;
	struct timespec a, z;
	double dt;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (int k = 0; k < 1024; k++) {
			PRTM_ROUTE_INFO p = NULL;
			errs += RtmLockRoute(t->h, rh, exclusive, TRUE, &p) != NO_ERROR || !p;
			errs += RtmLockRoute(t->h, rh, exclusive, FALSE, NULL) != NO_ERROR;
		}
		n += 1024;
		clock_gettime(CLOCK_MONOTONIC, &z);
		dt = (double)(z.tv_sec - a.tv_sec) + (double)(z.tv_nsec - a.tv_nsec) * 1e-9;
	} while (dt < min_s);
	*ns_per_pair = dt * 1e9 / (double)n;
	RtmReleaseRoutes(t->h, 1, &rh);
	return errs ? -1 : 0;
}

static uint64_t fwd_lpm_run(void *tp, const RTM_NET_ADDRESS *q, size_t n, uint64_t *errors)
{
	struct rtm_inst *t = tp;
	RTMX_FWD_INFO fi;
	uint64_t found = 0, errs = 0;
	for (size_t i = 0; i < n; i++) {
		DWORD rc = RtmxLookupRoute(t->h, &q[i], RTM_VIEW_MASK_UCAST, &fi);
		if (rc == NO_ERROR)
			found++;
		else if (rc != ERROR_NOT_FOUND)
			errs++;
	}
	*errors += errs;
	return found;
}

/* Also checks that the answer carries the one next hop every route has. */
static int fwd_lpm_one(void *tp, const RTM_NET_ADDRESS *q, RTM_NET_ADDRESS *m)
{
	struct rtm_inst *t = tp;
	RTMX_FWD_INFO fi;
	DWORD rc = RtmxLookupRoute(t->h, q, RTM_VIEW_MASK_UCAST, &fi);
	if (rc == ERROR_NOT_FOUND)
		return 0;
	if (rc != NO_ERROR || fi.NumNextHops != 1 || fi.NextHops[0].InterfaceIndex != 1)
		return -1;
	*m = fi.DestAddress;
	return 1;
}

#ifndef RTM_BENCH_LIBRTM_VERSION
#define RTM_BENCH_LIBRTM_VERSION "?"
#endif

static const char *rt_version(void)
{
	return "librtm " RTM_BENCH_LIBRTM_VERSION;
}

const struct bench_impl bench_rtm_impl = {
	.name = "librtm",
	.caps = BI_LPM | BI_EXACT | BI_V4 | BI_V6 | BI_MT_WRITE | BI_RW | BI_KEEPS_MEMORY,
	.create = rt_create,
	.destroy = rt_destroy,
	.add = rt_add,
	.del = rt_del,
	.lpm_run = rt_lpm_run,
	.exact_run = rt_exact_run,
	.lpm_one = rt_lpm_one,
	.exact_one = rt_exact_one,
	.churn_prepare = rt_churn_prepare,
	.churn_op = rt_churn_op,
	.churn_finish = rt_churn_finish,
	.version = rt_version,
	.fast_path = &bench_rtm_fwd_impl,
};

/* Lookups only: the driver reads librtm's instance through it (see bench.h). */
const struct bench_impl bench_rtm_fwd_impl = {
	.name = "librtm-fwd",
	.caps = BI_LPM | BI_V4 | BI_V6 | BI_RW,
	.lpm_run = fwd_lpm_run,
	.lpm_one = fwd_lpm_one,
};
