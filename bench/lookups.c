/*
 * lookups.c - exact-match and longest-prefix lookups on the full table
 * through the RTMv2 API, as a client calls them: RtmGetExactMatchDestination
 * or RtmGetMostSpecificDestination, then RtmReleaseDestInfo.  Argument:
 * the address family (4 or 6).  Every thread walks the same 65,536 queries
 * from its own starting point; a miss or an error fails the run (every
 * query comes from the table, so each one must be found).
 */
#include "cbench.h"
#include "fixture.h"

#include <stdio.h>

union dest_buf {
	RTM_DEST_INFO di;
	char bytes[RTM_SIZE_OF_DEST_INFO(1)];
};

static void lookups(cbench_state *st, bool exact)
{
	char err[256];
	const struct cb_table *t = cb_table_get((int)cbench_arg(st, 0), err, sizeof err);
	if (!t) {
		cbench_error(st, err);
		return;
	}
	const RTM_NET_ADDRESS *q = exact ? t->q_exact : t->q_inside;
	size_t i = (size_t)cbench_thread_index(st) * (CB_QUERIES / 8);
	uint64_t misses = 0;
	union dest_buf b;
	while (cbench_keep_running(st)) {
		PRTM_NET_ADDRESS a = (PRTM_NET_ADDRESS)&q[i++ & (CB_QUERIES - 1)];
		DWORD rc = exact ? RtmGetExactMatchDestination(t->owner, a, RTM_BEST_PROTOCOL,
							       RTM_VIEW_MASK_UCAST, &b.di)
				 : RtmGetMostSpecificDestination(t->owner, a, RTM_BEST_PROTOCOL,
								 RTM_VIEW_MASK_UCAST, &b.di);
		if (rc == NO_ERROR)
			RtmReleaseDestInfo(t->owner, &b.di);
		else
			misses++;
	}
	if (misses) {
		snprintf(err, sizeof err, "%llu lookups of table entries failed", (unsigned long long)misses);
		cbench_error(st, err);
	}
	cbench_set_items_processed(st, cbench_iterations(st));
	cbench_counter(st, "prefixes", (double)t->n, CBENCH_THREAD_AVERAGE);
}

static void exact(cbench_state *st) { lookups(st, true); }
static void longest_prefix(cbench_state *st) { lookups(st, false); }

CBENCH_REGISTER(exact, "lookup/exact", .args = { 4, 6 }, .nargs = 2, .arg_name = "ipv",
		.threads = CBENCH_THREADS_ALL_CPUS)
CBENCH_REGISTER(longest_prefix, "lookup/longest_prefix", .args = { 4, 6 }, .nargs = 2,
		.arg_name = "ipv", .threads = CBENCH_THREADS_ALL_CPUS)
