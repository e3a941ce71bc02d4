/*
 * fixture.h - the full table the micro-benchmarks run on, loaded once per
 * address family on first use and kept until the process exits.
 *
 * Data: tests/data/fulltable/tier1-2023-ipv{4,6}.txt.xz (RTM_CBENCH_DATA_DIR),
 * every prefix added with RtmAddRouteToDest by one BGP entity with one next
 * hop.  The environment variable RTM_CBENCH_LIMIT=N loads only the first N
 * prefixes (the smoke test uses it to stay quick under sanitizers).
 */
#ifndef RTM_BENCH_FIXTURE_H
#define RTM_BENCH_FIXTURE_H

#include <stddef.h>

#include <rtmv2.h>

#define CB_HELD 64            /* routes and destinations with a handle kept (locks) */
#define CB_QUERIES (1u << 16) /* per query kind; a power of two */

struct cb_table {
	unsigned family, width;              /* AF_INET / AF_INET6, 32 / 128 */
	RTM_ENTITY_HANDLE owner;             /* the entity that owns the table's routes */
	RTM_NEXTHOP_HANDLE owner_nh;
	RTM_ENTITY_HANDLE other;             /* a second entity, for add/delete */
	RTM_NEXTHOP_HANDLE other_nh;
	const RTM_NET_ADDRESS *pfx;          /* the table, file order, distinct */
	size_t n;
	const RTM_NET_ADDRESS *q_inside;     /* addresses inside random table prefixes */
	const RTM_NET_ADDRESS *q_exact;      /* random table prefixes */
	RTM_ROUTE_HANDLE route[CB_HELD];     /* owner's routes of pfx[0..CB_HELD) */
	RTM_DEST_HANDLE dest[CB_HELD];       /* their destinations */
};

/*
 * The table of family 4 or 6; NULL and a message in err on failure.  Safe
 * to call from several benchmark threads at once: the first one loads.
 */
const struct cb_table *cb_table_get(int family, char *err, size_t errlen);

/* A route info with one next hop (room for it: see RTMX_SIZE_OF_ROUTE_INFO). */
union cb_route_buf {
	RTM_ROUTE_INFO ri;
	char bytes[sizeof(RTM_ROUTE_INFO) + sizeof(RTM_NEXTHOP_HANDLE)];
};

void cb_route_fill(union cb_route_buf *b, RTM_NEXTHOP_HANDLE nh, ULONG preference);

#endif /* RTM_BENCH_FIXTURE_H */
