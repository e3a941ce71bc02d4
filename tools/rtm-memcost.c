/*
 * rtm-memcost - where a loaded table's bytes go, by allocation site.
 *
 * Loads the bundled IPv4 or IPv6 table (one entity, one next hop, one route
 * per prefix, as rtm-bench's load does) into the core compiled with
 * RTM_FAULT_INJECTION (rtm_faultinj), whose allocator keeps every live block
 * with its size and caller, and prints the blocks allocated by the load and
 * still live, grouped by caller and size: count, bytes per prefix as asked
 * for, and as glibc malloc would round them (8-byte header, 16-byte steps,
 * 32-byte minimum).  In this build the destination-block slabs hand every
 * block to the allocator (slab.h), so the block shows with its object size;
 * a release build carves it from 8 MiB arenas at an 8-byte stride instead.
 *
 *   build/ci/tools/rtm-memcost [-6] [-n PREFIXES]
 *
 * Callers are resolved with addr2line (binutils) when it is installed.
 */
#define _GNU_SOURCE 1

#include <rtmv2.h>

#include "alloc.h"
#include "one_route.h"
#include "prefix_list.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef RTM_DATA_DIR
#define RTM_DATA_DIR "tests/data/fulltable"
#endif

#define MAX_SITES 256

struct site {
	char where[160];
	uint64_t bytes, chunk_bytes; /* as asked for; as malloc rounds them */
	uint64_t count;
};

static struct site sites[MAX_SITES];
static unsigned nsites;

static size_t
malloc_chunk(size_t size)
{
	size_t c = (size + 8 + 15) & ~(size_t)15;

	return c < 32 ? 32 : c;
}

static void
site_add(const char *where, size_t size)
{
	unsigned i;

	for (i = 0; i < nsites; i++) {
		if (strcmp(sites[i].where, where) == 0)
			break;
	}
	if (i == nsites) {
		if (nsites == MAX_SITES)
			return;
		snprintf(sites[nsites++].where, sizeof sites[0].where, "%s", where);
	}
	sites[i].count++;
	sites[i].bytes += size;
	sites[i].chunk_bytes += malloc_chunk(size);
}

/* "exe+0x1234 (?)" -> the function at that offset, if addr2line knows it. */
static void
resolve(const char *where, char *out, size_t len)
{
	char obj[128], cmd[300], fn[128] = "";
	unsigned long off;
	FILE *p;

	size_t wl = strnlen(where, len - 1);

	memcpy(out, where, wl);
	out[wl] = 0;
	if (sscanf(where, "%127[^+]+0x%lx", obj, &off) != 2)
		return;
	snprintf(cmd, sizeof cmd, "addr2line -f -e '%s' 0x%lx 2>/dev/null", obj, off - 1);
	p = popen(cmd, "r");
	if (!p)
		return;
	if (fgets(fn, sizeof fn, p) && fn[0] != '?') {
		fn[strcspn(fn, "\n")] = 0;
		snprintf(out, len, "%.127s", fn);
	}
	pclose(p);
}

static int
by_bytes(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	return x->chunk_bytes < y->chunk_bytes ? 1 : x->chunk_bytes > y->chunk_bytes ? -1 : 0;
}

int
main(int argc, char **argv)
{
	size_t limit = SIZE_MAX;
	bool v6 = false;
	rtm_prefix_list pl = RTM_PREFIX_LIST_INIT;
	rtm_prefix_list_opts o = {.family = AF_INET};
	char err[512], line[512];
	int c;

	while ((c = getopt(argc, argv, "6n:")) != -1) {
		if (c == '6')
			v6 = true;
		else if (c == 'n')
			limit = strtoul(optarg, NULL, 0);
		else
			return fprintf(stderr, "usage: rtm-memcost [-6] [-n PREFIXES]\n"), 2;
	}
	o.family = v6 ? AF_INET6 : AF_INET;
	if (rtm_prefix_list_load(v6 ? RTM_DATA_DIR "/tier1-2023-ipv6.txt.xz"
				    : RTM_DATA_DIR "/tier1-2023-ipv4.txt.xz",
				 &o, &pl, NULL, err, sizeof err) != 0 || pl.count == 0)
		return fprintf(stderr, "rtm-memcost: %s\n", err), 1;
	if (limit > pl.count)
		limit = pl.count;

	RTM_ENTITY_INFO ei = {.AddressFamily = (USHORT)o.family,
			      .EntityId.EntityProtocolId = PROTO_IP_BGP,
			      .EntityId.EntityInstanceId = 1};
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h;
	RTM_NEXTHOP_INFO nhi = {.NextHopAddress = pl.items[0], .InterfaceIndex = 1};
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	union one_route r;
	uint64_t mark;
	int64_t live0;

	nhi.NextHopAddress.NumBits = v6 ? 128 : 32;
	if (RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &h) != NO_ERROR ||
	    RtmAddNextHop(h, &nhi, &nh, &nf) != NO_ERROR)
		return fprintf(stderr, "rtm-memcost: setup failed\n"), 1;
	one_route_init(&r, nh);

	mark = rtm_alloc_mark();
	live0 = rtm_alloc_live_bytes();
	for (size_t i = 0; i < limit; i++) {
		RTM_ROUTE_CHANGE_FLAGS cf = 0;

		if (RtmAddRouteToDest(h, NULL, &pl.items[i], &r.ri, INFINITE, NULL, 0, NULL, &cf) !=
		    NO_ERROR)
			return fprintf(stderr, "rtm-memcost: add #%zu failed\n", i), 1;
	}

	FILE *rep = tmpfile();
	size_t n;
	uint64_t obj = 0, chunk = 0;

	if (!rep)
		return fprintf(stderr, "rtm-memcost: no temporary file\n"), 1;
	n = rtm_alloc_report_since(mark, rep, SIZE_MAX);
	rewind(rep);
	while (fgets(line, sizeof line, rep)) {
		size_t size;
		char where[160];

		if (sscanf(line, " block #%*[0-9], %zu bytes, allocated at %159[^\n]", &size,
			   where) == 2)
			site_add(where, size);
	}
	fclose(rep);
	qsort(sites, nsites, sizeof sites[0], by_bytes);
	printf("%s: %zu prefixes, %zu live blocks from the load (%+.1f B/prefix live)\n",
	       v6 ? "ipv6" : "ipv4", limit, n, (double)(rtm_alloc_live_bytes() - live0) / limit);
	printf("%-36s %8s %10s %10s %10s\n", "allocated by", "avg size", "count", "B/prefix",
	       "malloc B/p");
	for (unsigned i = 0; i < nsites; i++) {
		char fn[160];
		double b = (double)sites[i].bytes / (double)limit;
		double m = (double)sites[i].chunk_bytes / (double)limit;

		obj += sites[i].bytes;
		chunk += sites[i].chunk_bytes;
		if (m < 0.05)
			continue;
		resolve(sites[i].where, fn, sizeof fn);
		printf("%-36.36s %8.0f %10" PRIu64 " %10.1f %10.1f\n", fn,
		       (double)sites[i].bytes / (double)sites[i].count, sites[i].count, b, m);
	}
	printf("%-36s %8s %10s %10.1f %10.1f\n", "total", "", "", (double)obj / limit,
	       (double)chunk / limit);
	rtm_prefix_list_free(&pl);
	return 0;
}
