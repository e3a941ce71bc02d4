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
 *   churn   K churn pairs as rtm-bench runs them: each on a prefix drawn at
 *           random (a fixed seed) from the whole table, whose route handle
 *           the load kept, so that each pair starts on cold memory (the
 *           pair phase's prefixes were added one after the other, so their
 *           objects lie together)
 *
 * Each phase starts after a pause (SETTLE_US) that lets the call_rcu thread
 * finish the previous phase's deferred frees, and ends after another, so
 * that it counts its own reclaim (collection is process-wide).  Outside
 * valgrind it prints each phase's rate (without the pauses), its minor page
 * faults and its CPU time per operation (getrusage, process-wide: on a busy
 * machine CPU time varies less than the rate).
 *
 *   valgrind --tool=callgrind --instr-atstart=no [--cache-sim=yes] \
 *       --callgrind-out-file=cg.%p build/release/tools/rtm-updatecost [-k OPS] [-n PREFIXES]
 */
#define _GNU_SOURCE 1

#include <rtmv2.h>
#include <rtm/rtmx.h>

#include "costenv.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
	const RTM_NET_ADDRESS *pfx; /* the whole (shuffled) table */
	RTM_ROUTE_HANDLE *rh;       /* its routes' handles */
	size_t base;                /* the K prefixes of the phases start here */
	const size_t *churn;        /* NULL, or the churn phase's K random prefixes */
	size_t k;
	unsigned long errors;
};

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

/* The prefix and handle slot of operation i: the K phase prefixes, or (churn)
 * one drawn at random from the whole table. */
static size_t
slot_of_op(const struct run *r, size_t i)
{
	return r->churn ? r->churn[i] : r->base + i;
}

enum op { OP_ADD, OP_DELETE, OP_PAIR };

/* Minor page faults and CPU seconds (user + system) of the process so far. */
static long
process_usage(double *cpu)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return *cpu = 0, 0;
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	return ru.ru_minflt;
}

static void
phase(const char *name, struct run *r, enum op op, bool measured)
{
	double t0, cpu0, cpu1;
	long flt0 = process_usage(&cpu0);

	if (measured && RUNNING_ON_VALGRIND)
		usleep(SETTLE_US);
	if (measured)
		CALLGRIND_ZERO_STATS;
	t0 = costenv_now();
	for (size_t i = 0; i < r->k; i++) {
		size_t j = slot_of_op(r, i);

		if (op != OP_ADD)
			delete_one(r, j);
		if (op != OP_DELETE)
			add_one(r, j);
	}
	t0 = costenv_now() - t0;
	flt0 = process_usage(&cpu1) - flt0;
	if (!measured)
		return;
	if (RUNNING_ON_VALGRIND)
		usleep(SETTLE_US);
	CALLGRIND_DUMP_STATS_AT(name);
	printf("%-7s %10.0f ops/s %8.3f minor faults/op %7.3f CPU us/op\n", name, (double)r->k / t0,
	       (double)flt0 / (double)r->k, (cpu1 - cpu0) * 1e6 / (double)r->k);
}

/* Fisher-Yates with a fixed random stream. */
static void
shuffle(RTM_NET_ADDRESS *a, size_t n)
{
	uint64_t s = 0x5EEDC0DE2023ull;

	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(costenv_splitmix(&s) % i);
		RTM_NET_ADDRESS tmp;

		tmp = a[i - 1];
		a[i - 1] = a[j];
		a[j] = tmp;
	}
}

int
main(int argc, char **argv)
{
	struct costenv env = {.tool = "rtm-updatecost", .limit = SIZE_MAX, .ops = 20000};
	struct run r = {0};
	double load_s, cpu0, cpu1;
	uint64_t seed = 0xC0FFEEull;
	size_t k, *churn;
	int rc = costenv_init(&env, argc, argv, RTM_DATA_DIR);

	if (rc)
		return rc;
	k = env.ops < env.limit ? env.ops : env.limit;
	shuffle(env.table.items, env.table.count);
	r = (struct run){.h = env.h, .ri = &env.route.ri, .pfx = env.table.items,
			 .base = env.limit - k, .k = k, .rh = calloc(env.limit, sizeof(*r.rh))};
	churn = calloc(k, sizeof(*churn));
	if (!r.rh || !churn)
		return fprintf(stderr, "rtm-updatecost: out of memory\n"), 1;
	for (size_t i = 0; i < k; i++)
		churn[i] = (size_t)(costenv_splitmix(&seed) % env.limit);
	load_s = costenv_now();
	(void)process_usage(&cpu0);
	for (size_t i = 0; i < env.limit - k; i++)
		add_one(&r, i); /* keeping each handle, for the churn phase */
	if (r.errors)
		return fprintf(stderr, "rtm-updatecost: %lu load errors\n", r.errors), 1;
	load_s = costenv_now() - load_s;
	(void)process_usage(&cpu1);
	/* The load's rate too: rtm-bench's random-order load, without the
	 * baselines around it (the rate of a busy machine varies; CPU less). */
	printf("%zu prefixes loaded in random order (%.0f routes/s, %.3f CPU us/route), "
	       "%zu operations per phase\n",
	       env.limit - k, (double)(env.limit - k) / load_s,
	       (cpu1 - cpu0) * 1e6 / (double)(env.limit - k), k);
	CALLGRIND_START_INSTRUMENTATION;
	phase("add", &r, OP_ADD, true);
	phase("delete", &r, OP_DELETE, true);
	phase("re-add", &r, OP_ADD, false);
	phase("pair", &r, OP_PAIR, true);
	r.churn = churn;
	phase("churn", &r, OP_PAIR, true);
	RtmReleaseRoutes(r.h, (UINT)env.limit, r.rh);
	free(r.rh);
	free(churn);
	costenv_fini(&env);
	if (r.errors)
		return fprintf(stderr, "rtm-updatecost: %lu errors\n", r.errors), 1;
	return 0;
}
