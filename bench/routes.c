/*
 * routes.c - RtmAddRouteToDest + RtmDeleteRouteToDest pairs on the full
 * table, by a second entity so that the table's own routes stay put:
 *   existing_dest: the route joins a destination that is in the table
 *                  (it loses to the table's route: no best-route change);
 *   new_dest:      a host route outside the table (240.0.0.0/4, fd00::/8),
 *                  so each pair creates a destination and removes it again.
 * Argument: the address family.  One item = one add and its delete.
 */
#include "cbench.h"
#include "fixture.h"

#include <stdio.h>
#include <string.h>

static void add_delete(cbench_state *st, bool new_dest)
{
	char err[256];
	const struct cb_table *t = cb_table_get((int)cbench_arg(st, 0), err, sizeof err);
	if (!t) {
		cbench_error(st, err);
		return;
	}
	union cb_route_buf b;
	cb_route_fill(&b, t->other_nh, 200);   /* worse than the table's routes (20) */
	/* threads take disjoint slices of the table / of the outside range */
	size_t slice = t->n / (size_t)cbench_threads(st);
	size_t base = slice * (size_t)cbench_thread_index(st), k = 0;
	RTM_NET_ADDRESS outside;
	memset(&outside, 0, sizeof outside);
	outside.AddressFamily = (USHORT)t->family;
	outside.NumBits = (USHORT)t->width;
	outside.AddrBits[0] = t->width == 32 ? 240 : 0xfd;
	outside.AddrBits[1] = (UCHAR)cbench_thread_index(st);
	uint64_t errors = 0;
	while (cbench_keep_running(st)) {
		PRTM_NET_ADDRESS a;
		if (new_dest) {
			outside.AddrBits[t->width / 8 - 2] = (UCHAR)(k >> 8);
			outside.AddrBits[t->width / 8 - 1] = (UCHAR)k;
			a = &outside;
		} else {
			a = (PRTM_NET_ADDRESS)&t->pfx[base + k % slice];
		}
		k = (k + 1) & 0xFFFF;
		RTM_ROUTE_HANDLE rh = NULL;
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		DWORD rc = RtmAddRouteToDest(t->other, &rh, a, &b.ri, INFINITE, NULL, 0, NULL, &cf);
		if (rc != NO_ERROR || !rh) {
			errors++;
			continue;
		}
		cf = 0;
		errors += RtmDeleteRouteToDest(t->other, rh, &cf) != NO_ERROR;   /* consumes rh */
	}
	if (errors) {
		snprintf(err, sizeof err, "%llu adds or deletes failed", (unsigned long long)errors);
		cbench_error(st, err);
	}
	cbench_set_items_processed(st, cbench_iterations(st));
}

static void existing_dest(cbench_state *st) { add_delete(st, false); }
static void new_dest(cbench_state *st) { add_delete(st, true); }

CBENCH_REGISTER(existing_dest, "routes/add_delete_existing_dest", .args = { 4, 6 }, .nargs = 2,
		.arg_name = "ipv", .threads = CBENCH_THREADS_ALL_CPUS)
CBENCH_REGISTER(new_dest, "routes/add_delete_new_dest", .args = { 4, 6 }, .nargs = 2,
		.arg_name = "ipv", .threads = CBENCH_THREADS_ALL_CPUS)
