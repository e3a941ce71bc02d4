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
 *   exact    RtmGetExactMatchDestination + RtmReleaseDestInfo of table prefixes
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

#include "costenv.h"

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
rng_next(void)
{
	return costenv_splitmix(&rng);
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

enum lookup_kind { MOST_SPECIFIC, EXACT, FORWARD };

/* One phase: ops lookups of one kind over qs (nq addresses). */
static unsigned long
phase(const char *name, RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *qs, unsigned nq,
      enum lookup_kind kind, unsigned long ops)
{
	RTM_DEST_INFO *di = malloc(RTM_SIZE_OF_DEST_INFO(1));
	unsigned long errors = 0;
	double t0;

	if (!di)
		return ops;
	CALLGRIND_ZERO_STATS;
	CALLGRIND_TOGGLE_COLLECT;
	t0 = costenv_now();
	for (unsigned long i = 0; i < ops; i++) {
		PRTM_NET_ADDRESS a = (PRTM_NET_ADDRESS)&qs[i % nq];
		RTMX_FWD_INFO fi;
		DWORD rc;

		if (kind == FORWARD) {
			rc = RtmxLookupRoute(h, a, RTM_VIEW_MASK_UCAST, &fi);
		} else {
			rc = kind == EXACT ? RtmGetExactMatchDestination(h, a, RTM_BEST_PROTOCOL,
									 RTM_VIEW_MASK_UCAST, di)
					   : RtmGetMostSpecificDestination(h, a, RTM_BEST_PROTOCOL,
									   RTM_VIEW_MASK_UCAST, di);
			if (rc == NO_ERROR)
				rc = RtmReleaseDestInfo(h, di);
		}
		errors += rc != NO_ERROR && rc != ERROR_NOT_FOUND;
	}
	t0 = costenv_now() - t0;
	CALLGRIND_TOGGLE_COLLECT;
	CALLGRIND_DUMP_STATS_AT(name);
	printf("%-10s %10.0f ops/s\n", name, (double)ops / t0);
	free(di);
	return errors;
}

struct phases {
	RTM_ENTITY_HANDLE h;
	const RTM_NET_ADDRESS *hot, *in, *uni, *pfx;
	unsigned long ops, errors;
};

static void *
run_phases(void *arg)
{
	struct phases *p = arg;

	p->errors += phase("hot", p->h, p->hot, 1, MOST_SPECIFIC, p->ops);
	p->errors += phase("inside", p->h, p->in, NADDR, MOST_SPECIFIC, p->ops);
	p->errors += phase("uniform", p->h, p->uni, NADDR, MOST_SPECIFIC, p->ops);
	p->errors += phase("exact", p->h, p->pfx, NADDR, EXACT, p->ops);
	p->errors += phase("fwd-hot", p->h, p->hot, 1, FORWARD, p->ops);
	p->errors += phase("fwd-inside", p->h, p->in, NADDR, FORWARD, p->ops);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct costenv env = {.tool = "rtm-lookupcost", .limit = 100000, .ops = 20000};
	static RTM_NET_ADDRESS hot[1], in[NADDR], uni[NADDR], exact[NADDR];
	const RTM_NET_ADDRESS *pfx;
	unsigned long errors;
	size_t limit;
	int rc = costenv_init(&env, argc, argv, RTM_DATA_DIR);

	if (rc)
		return rc;
	pfx = env.table.items;
	limit = env.limit;
	if ((rc = costenv_add_all(&env, pfx, limit)) != 0)
		return rc;
	addr_in(&hot[0], &pfx[limit / 2]);
	for (unsigned i = 0; i < NADDR; i++) {
		addr_in(&in[i], &pfx[rng_next() % limit]);
		uni[i] = (RTM_NET_ADDRESS){.AddressFamily = AF_INET, .NumBits = 32};
		memcpy(uni[i].AddrBits, &(uint32_t){(uint32_t)rng_next()}, 4);
	}
	for (unsigned i = 0; i < NADDR; i++)
		exact[i] = pfx[rng_next() % limit];
	printf("%zu prefixes, %lu operations per phase\n", limit, env.ops);
	struct phases p = {env.h, hot, in, uni, exact, env.ops, 0};
	pthread_t reader;

	/* A reader thread of its own, as a client's would be: the loading
	 * thread's per-thread state (its handle ledger) is full of the load's. */
	if (pthread_create(&reader, NULL, run_phases, &p) != 0 || pthread_join(reader, NULL) != 0)
		return fprintf(stderr, "rtm-lookupcost: no reader thread\n"), 1;
	errors = p.errors;
	costenv_fini(&env);
	if (errors)
		return fprintf(stderr, "rtm-lookupcost: %lu errors\n", errors), 1;
	return 0;
}
