/*
 * test_path_change.c - a most-specific lookup must notice a destination
 * inserted on its path after its walk down the trie (api_dest.c's double
 * collect), deterministically, in each trie part it may have walked.
 *
 * Built against a copy of the core with RTM_TEST_HOOKS, whose lookup calls
 * rtm_test_lookup_after_walk() between its walk down the trie and its reads
 * of the destinations found.  There, once per scenario, another thread
 *   A. adds a route at a longer prefix (a new destination on the lookup's
 *      path),
 *   B. then gives the shorter covering prefix a better route (a second
 *      entity's).
 * The lookup then reads the shorter prefix as B left it.  Answering "the
 * shorter prefix, with B's route" would combine "no longer prefix" (before A)
 * with a state after B, which came after A: never true at any one instant.
 * The linearizable answers are the longer prefix, or the shorter one with its
 * first route (before A).  The scenarios put the two prefixes in different
 * trie parts (trie.h): the short trie then a direct slot's subtree (the
 * walk of the second part changes), both in the short trie, the default
 * route then the short trie, and both in one direct slot's subtree.
 */
#define _GNU_SOURCE 1

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rtmv2.h>
#include <rtm/rtmx.h>

extern void (*rtm_test_lookup_after_walk)(void);

static RTM_ENTITY_HANDLE ent_a, ent_b;
static RTM_NEXTHOP_HANDLE nh_a, nh_b;
static RTM_ROUTE_HANDLE route_b; /* B's route at the shorter prefix */
static int failures;

#define EXPECT(cond)                                                                           \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #cond);     \
			failures++;                                                            \
		}                                                                              \
	} while (0)

static RTM_NET_ADDRESS
ipv4(unsigned a, unsigned b, unsigned c, unsigned d, unsigned len)
{
	RTM_NET_ADDRESS x;

	memset(&x, 0, sizeof(x));
	x.AddressFamily = AF_INET;
	x.NumBits = (USHORT)len;
	x.AddrBits[0] = (UCHAR)a;
	x.AddrBits[1] = (UCHAR)b;
	x.AddrBits[2] = (UCHAR)c;
	x.AddrBits[3] = (UCHAR)d;
	return x;
}

static RTM_ENTITY_HANDLE
reg(ULONG proto, RTM_NEXTHOP_HANDLE *nh)
{
	RTM_ENTITY_INFO ei = {.AddressFamily = AF_INET,
			      .EntityId.EntityProtocolId = proto,
			      .EntityId.EntityInstanceId = 1};
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = NULL;
	RTM_NEXTHOP_INFO nhi;
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;

	EXPECT(RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &h) == NO_ERROR);
	memset(&nhi, 0, sizeof(nhi));
	nhi.NextHopAddress = ipv4(192, 0, 2, (unsigned)proto & 0xff, 32);
	nhi.InterfaceIndex = 1;
	*nh = NULL;
	EXPECT(RtmAddNextHop(h, &nhi, nh, &nf) == NO_ERROR);
	return h;
}

static RTM_ROUTE_HANDLE
add(RTM_ENTITY_HANDLE h, RTM_NEXTHOP_HANDLE nh, RTM_NET_ADDRESS p, ULONG pref)
{
	union {
		RTM_ROUTE_INFO ri;
		char bytes[RTMX_SIZE_OF_ROUTE_INFO(1)];
	} r;
	RTM_ROUTE_HANDLE rh = NULL;
	RTM_ROUTE_CHANGE_FLAGS cf = 0;

	memset(&r, 0, sizeof(r));
	r.ri.Neighbour = nh;
	r.ri.PrefInfo.Preference = pref;
	r.ri.BelongsToViews = RTM_VIEW_MASK_UCAST;
	r.ri.NextHopsList.NumNextHops = 1;
	r.ri.NextHopsList.NextHops[0] = nh;
	EXPECT(RtmAddRouteToDest(h, &rh, &p, &r.ri, INFINITE, NULL, 0, NULL, &cf) == NO_ERROR);
	return rh;
}

/* One scenario: the lookup of `query`, covered by `shorter` (its first route
 * added before), while A adds `longer` and B improves `shorter`. */
struct scenario {
	const char *name;
	RTM_NET_ADDRESS query, shorter, longer;
};

static const struct scenario *current;
static RTM_ROUTE_HANDLE route_longer;

/* Another thread's writes A then B (the lookup's thread is inside its read section). */
static void *
writer(void *arg)
{
	(void)arg;
	route_longer = add(ent_a, nh_a, current->longer, 10);  /* A */
	route_b = add(ent_b, nh_b, current->shorter, 1); /* B: preferred */
	return NULL;
}

static int hook_calls;

static void
after_walk(void)
{
	pthread_t t;

	if (hook_calls++ != 0)
		return; /* only the first attempt */
	if (pthread_create(&t, NULL, writer, NULL) != 0 || pthread_join(t, NULL) != 0)
		abort();
}

static void
run(const struct scenario *sc)
{
	union {
		RTM_DEST_INFO di;
		char bytes[RTM_SIZE_OF_DEST_INFO(1)];
	} d;
	RTM_NET_ADDRESS q = sc->query;
	RTM_ROUTE_HANDLE route_a = add(ent_a, nh_a, sc->shorter, 10);
	DWORD rc;

	current = sc;
	hook_calls = 0;
	route_b = route_longer = NULL;
	rtm_test_lookup_after_walk = after_walk;
	rc = RtmGetMostSpecificDestination(ent_a, &q, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &d.di);
	rtm_test_lookup_after_walk = NULL;
	EXPECT(rc == NO_ERROR);
	EXPECT(hook_calls >= 1);
	if (rc == NO_ERROR) {
		unsigned len = d.di.DestAddress.NumBits;

		printf("%s: the /%u%s, after %d walk(s)\n", sc->name, len,
		       d.di.ViewInfo[0].Route == route_a   ? " with its first route"
		       : d.di.ViewInfo[0].Route == route_b ? " with B's route"
							   : "",
		       hook_calls);
		EXPECT(len == sc->longer.NumBits ||
		       (len == sc->shorter.NumBits && d.di.ViewInfo[0].Route == route_a));
		EXPECT(RtmReleaseDestInfo(ent_a, &d.di) == NO_ERROR);
	}
	EXPECT(RtmReleaseRoutes(ent_a, 1, &route_a) == NO_ERROR);
	EXPECT(route_b && RtmReleaseRoutes(ent_b, 1, &route_b) == NO_ERROR);
	EXPECT(route_longer && RtmReleaseRoutes(ent_a, 1, &route_longer) == NO_ERROR);
}

int
main(void)
{
	/* Each in an address range of its own; the default route's last, as it
	 * covers every other query too (it is shorter than all of them). */
	const struct scenario scenarios[] = {
		{"short then direct", ipv4(10, 1, 1, 1, 32), ipv4(10, 1, 0, 0, 16),
		 ipv4(10, 1, 1, 0, 24)},
		{"short then short", ipv4(20, 1, 1, 1, 32), ipv4(20, 0, 0, 0, 8),
		 ipv4(20, 1, 0, 0, 16)},
		{"direct then direct", ipv4(40, 1, 1, 1, 32), ipv4(40, 1, 1, 0, 24),
		 ipv4(40, 1, 1, 0, 28)},
		{"default then short", ipv4(30, 1, 1, 1, 32), ipv4(0, 0, 0, 0, 0),
		 ipv4(30, 0, 0, 0, 8)},
	};

	ent_a = reg(PROTO_IP_RIP, &nh_a);
	ent_b = reg(PROTO_IP_OSPF, &nh_b);
	if (failures)
		return 1;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		run(&scenarios[i]);
	EXPECT(RtmDeregisterEntity(ent_a) == NO_ERROR);
	EXPECT(RtmDeregisterEntity(ent_b) == NO_ERROR);
	if (failures) {
		fprintf(stderr, "test_path_change: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_path_change: ok\n");
	return 0;
}
