/*
 * locks.c - RtmLockRoute and RtmLockDestination lock + unlock pairs on routes
 * of the full table: each thread on a route of its own (no contention: the
 * cost of the lock word and the API around it), and every thread on the same
 * route (shared: readers bouncing one cache line; exclusive: a handoff per
 * pair).
 */
#include "cbench.h"
#include "fixture.h"

#include <stdio.h>

enum what { ROUTE, DEST };

static void lock_pairs(cbench_state *st, enum what what, bool exclusive, bool same)
{
	char err[256];
	const struct cb_table *t = cb_table_get(4, err, sizeof err);
	if (!t) {
		cbench_error(st, err);
		return;
	}
	int k = same ? 0 : cbench_thread_index(st) % CB_HELD;
	uint64_t errors = 0;
	while (cbench_keep_running(st)) {
		if (what == ROUTE) {
			PRTM_ROUTE_INFO p = NULL;
			errors += RtmLockRoute(t->owner, t->route[k], exclusive, TRUE, &p) != NO_ERROR;
			errors += RtmLockRoute(t->owner, t->route[k], exclusive, FALSE, NULL) != NO_ERROR;
		} else {
			errors += RtmLockDestination(t->owner, t->dest[k], exclusive, TRUE) != NO_ERROR;
			errors += RtmLockDestination(t->owner, t->dest[k], exclusive, FALSE) != NO_ERROR;
		}
	}
	if (errors) {
		snprintf(err, sizeof err, "%llu lock or unlock calls failed", (unsigned long long)errors);
		cbench_error(st, err);
	}
	cbench_set_items_processed(st, cbench_iterations(st));
}

static void route_shared(cbench_state *st) { lock_pairs(st, ROUTE, false, false); }
static void route_exclusive(cbench_state *st) { lock_pairs(st, ROUTE, true, false); }
static void route_shared_same(cbench_state *st) { lock_pairs(st, ROUTE, false, true); }
static void route_exclusive_same(cbench_state *st) { lock_pairs(st, ROUTE, true, true); }
static void dest_shared(cbench_state *st) { lock_pairs(st, DEST, false, false); }
static void dest_exclusive(cbench_state *st) { lock_pairs(st, DEST, true, false); }

CBENCH_REGISTER(route_shared, "locks/route_shared", .threads = CBENCH_THREADS_ALL_CPUS)
CBENCH_REGISTER(route_exclusive, "locks/route_exclusive", .threads = CBENCH_THREADS_ALL_CPUS)
CBENCH_REGISTER(route_shared_same, "locks/route_shared_same_route", .threads = CBENCH_THREADS_ALL_CPUS)
CBENCH_REGISTER(route_exclusive_same, "locks/route_exclusive_same_route",
		.threads = CBENCH_THREADS_ALL_CPUS)
CBENCH_REGISTER(dest_shared, "locks/dest_shared", .threads = CBENCH_THREADS_ALL_CPUS)
CBENCH_REGISTER(dest_exclusive, "locks/dest_exclusive", .threads = CBENCH_THREADS_ALL_CPUS)
