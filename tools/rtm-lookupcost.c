/*
 * rtm-lookupcost - instructions per lookup, for `valgrind --tool=callgrind`.
 *
 * Wall-clock rates swing with the machine's load; instruction counts do not.
 * This loads the first N prefixes of the bundled IPv4 table (one entity, one
 * next hop, as rtm-quickbench does), then runs a fixed number of operations
 * of each kind, each in a phase of its own:
 *
 *   hot      RtmGetMostSpecificDestination + RtmReleaseDestInfo of one address
 *   inside   the same for addresses inside random table prefixes
 *   uniform  the same for uniformly drawn addresses
 *   fwd-hot, fwd-inside   RtmxLookupRoute of the same addresses
 *
 * Under callgrind each phase is dumped on its own (CALLGRIND_DUMP_STATS_AT,
 * named after the phase), so that `callgrind_annotate` of a dump gives the
 * cost of that phase by function; this program prints nothing about
 * instructions itself.  Outside valgrind it prints each phase's rate.
 *
 *   valgrind --tool=callgrind --collect-atstart=no \
 *       --callgrind-out-file=cg.%p build/release/tools/rtm-lookupcost [-n PREFIXES] [-k OPS]
 *
 * (--collect-atstart=no leaves the load out; each phase switches collection on.)
 */
#define _GNU_SOURCE 1

#include <rtmv2.h>
#include <rtm/rtmx.h>

#include "one_route.h"
#include "prefix_list.h"

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef RTM_HAVE_CALLGRIND_H
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS ((void)0)
#define CALLGRIND_START_INSTRUMENTATION ((void)0)
#define CALLGRIND_TOGGLE_COLLECT ((void)0)
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#ifndef RTM_DATA_DIR
#define RTM_DATA_DIR "tests/data/fulltable"
#endif

#define NADDR 4096u

static uint64_t rng = 0x5EEDC0DE2023ull;

static uint64_t
rng_next(void) /* splitmix64 */
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* An IPv4 host address inside prefix p. */
static void
addr_in(RTM_NET_ADDRESS *q, const RTM_NET_ADDRESS *p)
{
	uint32_t a = (uint32_t)p->AddrBits[0] << 24 | (uint32_t)p->AddrBits[1] << 16 |
		     (uint32_t)p->AddrBits[2] << 8 | p->AddrBits[3];
	uint32_t host = p->NumBits ? (uint32_t)rng_next() & (uint32_t)(0xFFFFFFFFull >> p->NumBits)
				   : (uint32_t)rng_next();

	*q = *p;
	a |= host;
	q->NumBits = 32;
	for (int i = 0; i < 4; i++)
		q->AddrBits[i] = (BYTE)(a >> (24 - 8 * i));
}

/* One phase: ops lookups over qs (nq addresses), fast path or not. */
static unsigned long
phase(const char *name, RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *qs, unsigned nq, bool fwd,
      unsigned long ops)
{
	RTM_DEST_INFO *di = malloc(RTM_SIZE_OF_DEST_INFO(1));
	unsigned long errors = 0;
	double t0;

	if (!di)
		return ops;
	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
	t0 = now_s();
	for (unsigned long i = 0; i < ops; i++) {
		PRTM_NET_ADDRESS a = (PRTM_NET_ADDRESS)&qs[i % nq];
		RTMX_FWD_INFO fi;
		DWORD rc;

		if (fwd) {
			rc = RtmxLookupRoute(h, a, RTM_VIEW_MASK_UCAST, &fi);
		} else {
			rc = RtmGetMostSpecificDestination(h, a, RTM_BEST_PROTOCOL,
							   RTM_VIEW_MASK_UCAST, di);
			if (rc == NO_ERROR)
				rc = RtmReleaseDestInfo(h, di);
		}
		errors += rc != NO_ERROR && rc != ERROR_NOT_FOUND;
	}
	t0 = now_s() - t0;
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(name);
	printf("%-10s %10.0f ops/s\n", name, (double)ops / t0);
	free(di);
	return errors;
}

struct phases {
	RTM_ENTITY_HANDLE h;
	const RTM_NET_ADDRESS *hot, *in, *uni;
	unsigned long ops, errors;
};

static void *
run_phases(void *arg)
{
	struct phases *p = arg;

	p->errors += phase("hot", p->h, p->hot, 1, false, p->ops);
	p->errors += phase("inside", p->h, p->in, NADDR, false, p->ops);
	p->errors += phase("uniform", p->h, p->uni, NADDR, false, p->ops);
	p->errors += phase("fwd-hot", p->h, p->hot, 1, true, p->ops);
	p->errors += phase("fwd-inside", p->h, p->in, NADDR, true, p->ops);
	return NULL;
}

int
main(int argc, char **argv)
{
	size_t limit = 100000;
	unsigned long ops = 20000, errors;
	rtm_prefix_list pl = RTM_PREFIX_LIST_INIT;
	rtm_prefix_list_opts o = {.family = AF_INET};
	static RTM_NET_ADDRESS hot[1], in[NADDR], uni[NADDR];
	char err[512];
	int c;

	while ((c = getopt(argc, argv, "n:k:")) != -1) {
		if (c == 'n')
			limit = strtoul(optarg, NULL, 0);
		else if (c == 'k')
			ops = strtoul(optarg, NULL, 0);
		else
			return fprintf(stderr, "usage: rtm-lookupcost [-n PREFIXES] [-k OPS]\n"), 2;
	}
	if (rtm_prefix_list_load(RTM_DATA_DIR "/tier1-2023-ipv4.txt.xz", &o, &pl, NULL, err,
				 sizeof err) != 0 || pl.count == 0)
		return fprintf(stderr, "rtm-lookupcost: %s\n", err), 1;
	if (limit > pl.count)
		limit = pl.count;

	RTM_ENTITY_INFO ei = {.AddressFamily = AF_INET,
			      .EntityId.EntityProtocolId = PROTO_IP_BGP,
			      .EntityId.EntityInstanceId = 1};
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h;
	RTM_NEXTHOP_INFO nhi = {.NextHopAddress = {.AddressFamily = AF_INET, .NumBits = 32,
						   .AddrBits = {192, 0, 2, 1}},
				.InterfaceIndex = 1};
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	union one_route r;

	DWORD rc = RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &h);

	if (rc == NO_ERROR)
		rc = RtmAddNextHop(h, &nhi, &nh, &nf);
	if (rc != NO_ERROR)
		return fprintf(stderr, "rtm-lookupcost: setup failed: error %lu\n",
			       (unsigned long)rc), 1;
	one_route_init(&r, nh);
	for (size_t i = 0; i < limit; i++) {
		RTM_ROUTE_CHANGE_FLAGS cf = 0;

		if (RtmAddRouteToDest(h, NULL, &pl.items[i], &r.ri, INFINITE, NULL, 0, NULL, &cf) !=
		    NO_ERROR)
			return fprintf(stderr, "rtm-lookupcost: add #%zu failed\n", i), 1;
	}
	addr_in(&hot[0], &pl.items[limit / 2]);
	for (unsigned i = 0; i < NADDR; i++) {
		addr_in(&in[i], &pl.items[rng_next() % limit]);
		uni[i] = (RTM_NET_ADDRESS){.AddressFamily = AF_INET, .NumBits = 32};
		memcpy(uni[i].AddrBits, &(uint32_t){(uint32_t)rng_next()}, 4);
	}
	printf("%zu prefixes, %lu operations per phase\n", limit, ops);
	struct phases p = {h, hot, in, uni, ops, 0};
	pthread_t reader;

	/* A reader thread of its own, as a client's would be: the loading
	 * thread's per-thread state (its handle ledger) is full of the load's. */
	if (pthread_create(&reader, NULL, run_phases, &p) != 0 || pthread_join(reader, NULL) != 0)
		return fprintf(stderr, "rtm-lookupcost: no reader thread\n"), 1;
	errors = p.errors;
	rtm_prefix_list_free(&pl);
	if (errors)
		return fprintf(stderr, "rtm-lookupcost: %lu errors\n", errors), 1;
	return 0;
}
