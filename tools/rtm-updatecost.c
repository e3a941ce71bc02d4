/*
 * rtm-updatecost - instructions (and, with --cache-sim=yes, cache misses) per
 * route change, for `valgrind --tool=callgrind`.
 *
 * It loads the bundled IPv4 table in a random order (a fixed seed), all of it
 * but the last K prefixes with callgrind's instrumentation off, and then runs
 * three phases on the nearly full table, each dumped on its own
 * (CALLGRIND_DUMP_STATS_AT, named after the phase):
 *
 *   add     RtmAddRouteToDest of the K remaining prefixes (a new destination
 *           each, the route's handle kept, as a protocol that deletes its own
 *           routes would)
 *   delete  RtmDeleteRouteToDest of those K routes (each destination empties
 *           and leaves the trie)
 *   pair    after the K are added again: K churn pairs, a delete and the
 *           re-add of the same prefix (rtm-bench's churn operation)
 *
 * Each phase starts after a pause (SETTLE_US) that lets the call_rcu thread
 * finish the previous phase's deferred frees, and ends after another, so
 * that it counts its own reclaim (collection is process-wide).  Outside
 * valgrind it prints each phase's rate (without the pauses).
 *
 *   valgrind --tool=callgrind --instr-atstart=no [--cache-sim=yes] \
 *       --callgrind-out-file=cg.%p build/release/tools/rtm-updatecost [-k OPS] [-n PREFIXES]
 */
#define _GNU_SOURCE 1

#include <rtmv2.h>
#include <rtm/rtmx.h>

#include "prefix_list.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef RTM_HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION ((void)0)
#define RUNNING_ON_VALGRIND 0
#define CALLGRIND_ZERO_STATS ((void)0)
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#ifndef RTM_DATA_DIR
#define RTM_DATA_DIR "tests/data/fulltable"
#endif

#define SETTLE_US 1000000 /* under valgrind: time for the call_rcu thread */

struct run {
	RTM_ENTITY_HANDLE h;
	RTM_ROUTE_INFO *ri;
	const RTM_NET_ADDRESS *pfx; /* the K prefixes of the phases */
	RTM_ROUTE_HANDLE *rh;       /* their routes' handles */
	size_t k;
	unsigned long errors;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void
add_one(struct run *r, size_t i)
{
	RTM_ROUTE_CHANGE_FLAGS cf = 0;

	r->errors += RtmAddRouteToDest(r->h, &r->rh[i], (PRTM_NET_ADDRESS)&r->pfx[i], r->ri,
				       INFINITE, NULL, 0, NULL, &cf) != NO_ERROR;
}

static void
delete_one(struct run *r, size_t i)
{
	RTM_ROUTE_CHANGE_FLAGS cf = 0;

	r->errors += RtmDeleteRouteToDest(r->h, r->rh[i], &cf) != NO_ERROR;
	r->rh[i] = NULL;
}

enum op { OP_ADD, OP_DELETE, OP_PAIR };

static void
phase(const char *name, struct run *r, enum op op, bool measured)
{
	double t0;

	if (measured && RUNNING_ON_VALGRIND)
		usleep(SETTLE_US);
	if (measured)
		CALLGRIND_ZERO_STATS;
	t0 = now_s();
	for (size_t i = 0; i < r->k; i++) {
		if (op != OP_ADD)
			delete_one(r, i);
		if (op != OP_DELETE)
			add_one(r, i);
	}
	t0 = now_s() - t0;
	if (!measured)
		return;
	if (RUNNING_ON_VALGRIND)
		usleep(SETTLE_US);
	CALLGRIND_DUMP_STATS_AT(name);
	printf("%-7s %10.0f ops/s\n", name, (double)r->k / t0);
}

/* Fisher-Yates with a fixed splitmix64 stream. */
static void
shuffle(RTM_NET_ADDRESS *a, size_t n)
{
	uint64_t s = 0x5EEDC0DE2023ull;

	for (size_t i = n; i > 1; i--) {
		uint64_t z = (s += 0x9E3779B97F4A7C15ull);
		RTM_NET_ADDRESS tmp;
		size_t j;

		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
		j = (size_t)((z ^ (z >> 31)) % i);
		tmp = a[i - 1];
		a[i - 1] = a[j];
		a[j] = tmp;
	}
}

int
main(int argc, char **argv)
{
	size_t limit = SIZE_MAX, k = 20000;
	rtm_prefix_list pl = RTM_PREFIX_LIST_INIT;
	rtm_prefix_list_opts o = {.family = AF_INET};
	char err[512];
	int c;

	while ((c = getopt(argc, argv, "n:k:")) != -1) {
		if (c == 'n')
			limit = strtoul(optarg, NULL, 0);
		else if (c == 'k')
			k = strtoul(optarg, NULL, 0);
		else
			return fprintf(stderr, "usage: rtm-updatecost [-k OPS] [-n PREFIXES]\n"), 2;
	}
	if (rtm_prefix_list_load(RTM_DATA_DIR "/tier1-2023-ipv4.txt.xz", &o, &pl, NULL, err,
				 sizeof err) != 0 || pl.count == 0)
		return fprintf(stderr, "rtm-updatecost: %s\n", err), 1;
	if (limit > pl.count)
		limit = pl.count;
	if (k > limit)
		k = limit;
	shuffle(pl.items, pl.count);

	RTM_ENTITY_INFO ei = {.AddressFamily = AF_INET,
			      .EntityId.EntityProtocolId = PROTO_IP_BGP,
			      .EntityId.EntityInstanceId = 1};
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_INFO nhi = {.NextHopAddress = {.AddressFamily = AF_INET, .NumBits = 32,
						   .AddrBits = {192, 0, 2, 1}},
				.InterfaceIndex = 1};
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	union {
		RTM_ROUTE_INFO ri;
		char bytes[RTMX_SIZE_OF_ROUTE_INFO(1)];
	} ri;
	struct run r = {.ri = &ri.ri, .pfx = pl.items + (limit - k), .k = k};

	r.rh = calloc(k, sizeof(*r.rh));
	if (!r.rh || RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &r.h) != NO_ERROR ||
	    RtmAddNextHop(r.h, &nhi, &nh, &nf) != NO_ERROR)
		return fprintf(stderr, "rtm-updatecost: setup failed\n"), 1;
	memset(&ri, 0, sizeof ri);
	ri.ri.Neighbour = nh;
	ri.ri.Flags = RTM_ROUTE_FLAGS_REMOTE;
	ri.ri.PrefInfo.Preference = 20;
	ri.ri.PrefInfo.Metric = 1;
	ri.ri.BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri.ri.NextHopsList.NumNextHops = 1;
	ri.ri.NextHopsList.NextHops[0] = nh;
	for (size_t i = 0; i < limit - k; i++) {
		RTM_ROUTE_CHANGE_FLAGS cf = 0;

		if (RtmAddRouteToDest(r.h, NULL, &pl.items[i], &ri.ri, INFINITE, NULL, 0, NULL,
				      &cf) != NO_ERROR)
			return fprintf(stderr, "rtm-updatecost: add #%zu failed\n", i), 1;
	}
	printf("%zu prefixes loaded in random order, %zu operations per phase\n", limit - k, k);
	CALLGRIND_START_INSTRUMENTATION;
	phase("add", &r, OP_ADD, true);
	phase("delete", &r, OP_DELETE, true);
	phase("re-add", &r, OP_ADD, false);
	phase("pair", &r, OP_PAIR, true);
	RtmReleaseRoutes(r.h, (UINT)k, r.rh);
	free(r.rh);
	rtm_prefix_list_free(&pl);
	if (r.errors)
		return fprintf(stderr, "rtm-updatecost: %lu errors\n", r.errors), 1;
	return 0;
}
