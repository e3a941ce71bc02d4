/*
 * test_fastpath.c - RtmxLookupRoute (rtm/rtmx.h): arguments, longest match,
 * views, best route, next hops; and a randomised differential of the
 * destination trie behind it (inserts, removals, exact and longest matches,
 * enumeration order) against a linear-scan oracle, IPv4 and IPv6.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define UCAST RTM_VIEW_MASK_UCAST
#define MCAST RTM_VIEW_MASK_MCAST
#define BOTH (RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST)

static RTM_ROUTE_HANDLE
route4(RTM_ENTITY_HANDLE h, RTM_NEXTHOP_HANDLE nh, const char *pfx, unsigned len, ULONG pref,
       ULONG metric, DWORD views)
{
	RTM_NET_ADDRESS p;
	DWORD fl = RTM_ROUTE_CHANGE_NEW;

	tl_ipv4(&p, pfx, len);
	return tl_add_route(h, &p, nh, pref, metric, views, &fl);
}

static DWORD
fwd4(RTM_ENTITY_HANDLE h, const char *addr, DWORD views, RTMX_FWD_INFO *fi)
{
	RTM_NET_ADDRESS a;

	tl_ipv4(&a, addr, 32);
	memset(fi, 0xa5, sizeof(*fi));
	return RtmxLookupRoute(h, &a, views, fi);
}

/* Does fi name prefix pfx/len, through one next hop nh/ifindex? */
static int
fwd_is(const RTMX_FWD_INFO *fi, const char *pfx, unsigned len, const char *nh, ULONG ifindex)
{
	RTM_NET_ADDRESS want, want_nh;
	char buf[80];

	tl_ipv4(&want, pfx, len);
	tl_ipv4(&want_nh, nh, 32);
	if (!tl_addr_eq(&fi->DestAddress, &want)) {
		check_note("matched %s", tl_addr_str(&fi->DestAddress, buf, sizeof(buf)));
		return 0;
	}
	if (fi->NumNextHops != 1 || fi->TotalNextHops != 1) {
		check_note("%u next hops (%u in the route)", fi->NumNextHops, fi->TotalNextHops);
		return 0;
	}
	if (!tl_addr_eq(&fi->NextHops[0].NextHopAddress, &want_nh) ||
	    fi->NextHops[0].InterfaceIndex != ifindex) {
		check_note("next hop %s if %u",
			   tl_addr_str(&fi->NextHops[0].NextHopAddress, buf, sizeof(buf)),
			   (unsigned)fi->NextHops[0].InterfaceIndex);
		return 0;
	}
	return 1;
}

TEST(lookup_route_bad_arguments)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE nh = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r = route4(h, nh, "10.0.0.0", 8, 10, 1, UCAST);
	RTMX_FWD_INFO fi;
	RTM_NET_ADDRESS a, a6;
	struct tl_badset bad;
	unsigned nbad = tl_bad_init(&bad, AF_INET, TL_H_ENTITY);

	tl_ipv4(&a, "10.1.2.3", 32);
	tl_ipv6(&a6, "2001:db8::1", 128);
	for (unsigned i = 0; i < nbad; i++)
		CHECK_RC_BAD(RtmxLookupRoute(bad.v[i].h, &a, UCAST, &fi), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmxLookupRoute(h, NULL, UCAST, &fi), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmxLookupRoute(h, &a, UCAST, NULL), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmxLookupRoute(h, &a6, UCAST, &fi), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmxLookupRoute(h, &a, 0, &fi), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmxLookupRoute(h, &a, BOTH, &fi), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmxLookupRoute(h, &a, RTM_VIEW_MASK_ANY, &fi), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmxLookupRoute(h, &a, RTM_VIEW_MASK_ALL, &fi), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmxLookupRoute(h, &a, 0x4, &fi), ERROR_INVALID_PARAMETER);
	a.NumBits = 33;
	CHECK_RC(RtmxLookupRoute(h, &a, UCAST, &fi), ERROR_INVALID_PARAMETER);
	a.NumBits = 32;
	CHECK_RC(RtmxLookupRoute(h, &a, UCAST, &fi), NO_ERROR);
	tl_delete_route(h, r);
	CHECK_RC(RtmxLookupRoute(h, &a, UCAST, &fi), ERROR_NOT_FOUND);
	tl_release_nexthop(h, nh);
	tl_deregister(h);
}

TEST(lookup_route_finds_the_longest_prefix_with_its_next_hop)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_NEXTHOP_HANDLE nh[6];
	RTM_ROUTE_HANDLE r[6];
	RTMX_FWD_INFO fi;

	nh[0] = tl_add_nexthop(h, AF_INET, "192.0.2.10", 10);
	nh[1] = tl_add_nexthop(h, AF_INET, "192.0.2.11", 11);
	nh[2] = tl_add_nexthop(h, AF_INET, "192.0.2.12", 12);
	nh[3] = tl_add_nexthop(h, AF_INET, "192.0.2.13", 13);
	nh[4] = tl_add_nexthop(h, AF_INET, "192.0.2.14", 14);
	nh[5] = tl_add_nexthop(h, AF_INET, "192.0.2.15", 15);
	REQUIRE_RC(fwd4(h, "10.1.2.3", UCAST, &fi), ERROR_NOT_FOUND);
	r[0] = route4(h, nh[0], "0.0.0.0", 0, 10, 7, UCAST);
	r[1] = route4(h, nh[1], "10.0.0.0", 8, 10, 8, UCAST);
	r[2] = route4(h, nh[2], "10.1.0.0", 16, 10, 9, UCAST);
	r[3] = route4(h, nh[3], "10.1.2.0", 24, 10, 10, UCAST);
	r[4] = route4(h, nh[4], "10.1.2.3", 32, 10, 11, UCAST);
	r[5] = route4(h, nh[5], "128.0.0.0", 1, 10, 12, UCAST);

	CHECK_RC(fwd4(h, "10.1.2.3", UCAST, &fi), NO_ERROR);
	CHECK(fwd_is(&fi, "10.1.2.3", 32, "192.0.2.14", 14));
	CHECK_EQ_U(fi.PrefInfo.Metric, 11);
	CHECK_EQ_U(fi.PrefInfo.Preference, 10);
	CHECK_EQ_U(fi.ViewId, RTM_VIEW_ID_UCAST);
	CHECK_RC(fwd4(h, "10.1.2.2", UCAST, &fi), NO_ERROR);
	CHECK(fwd_is(&fi, "10.1.2.0", 24, "192.0.2.13", 13));
	CHECK_RC(fwd4(h, "10.1.3.2", UCAST, &fi), NO_ERROR);
	CHECK(fwd_is(&fi, "10.1.0.0", 16, "192.0.2.12", 12));
	CHECK_RC(fwd4(h, "10.2.3.2", UCAST, &fi), NO_ERROR);
	CHECK(fwd_is(&fi, "10.0.0.0", 8, "192.0.2.11", 11));
	CHECK_RC(fwd4(h, "11.2.3.2", UCAST, &fi), NO_ERROR);
	CHECK(fwd_is(&fi, "0.0.0.0", 0, "192.0.2.10", 10));
	CHECK_RC(fwd4(h, "255.255.255.255", UCAST, &fi), NO_ERROR);
	CHECK(fwd_is(&fi, "128.0.0.0", 1, "192.0.2.15", 15));
	/* A query of fewer bits sees only prefixes that short or shorter. */
	{
		RTM_NET_ADDRESS a;

		tl_ipv4(&a, "10.1.2.3", 20);
		CHECK_RC(RtmxLookupRoute(h, &a, UCAST, &fi), NO_ERROR);
		CHECK(fwd_is(&fi, "10.1.0.0", 16, "192.0.2.12", 12));
	}
	/* Removing the /32 and the /0 uncovers the next shorter prefixes. */
	tl_delete_route(h, r[4]);
	tl_delete_route(h, r[0]);
	CHECK_RC(fwd4(h, "10.1.2.3", UCAST, &fi), NO_ERROR);
	CHECK(fwd_is(&fi, "10.1.2.0", 24, "192.0.2.13", 13));
	CHECK_RC(fwd4(h, "11.2.3.2", UCAST, &fi), ERROR_NOT_FOUND);
	for (unsigned i = 1; i < 4; i++)
		tl_delete_route(h, r[i]);
	tl_delete_route(h, r[5]);
	for (unsigned i = 0; i < 6; i++)
		tl_release_nexthop(h, nh[i]);
	tl_deregister(h);
}

TEST(lookup_route_searches_only_the_view_asked_for)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE a = tl_add_nexthop(h, AF_INET, "192.0.2.1", 1);
	RTM_NEXTHOP_HANDLE b = tl_add_nexthop(h, AF_INET, "192.0.2.2", 2);
	RTM_ROUTE_HANDLE r8 = route4(h, a, "10.0.0.0", 8, 10, 1, BOTH);
	RTM_ROUTE_HANDLE r24 = route4(h, b, "10.1.2.0", 24, 10, 1, MCAST);
	RTMX_FWD_INFO fi;

	CHECK_RC(fwd4(h, "10.1.2.3", UCAST, &fi), NO_ERROR);
	CHECK(fwd_is(&fi, "10.0.0.0", 8, "192.0.2.1", 1));
	CHECK_RC(fwd4(h, "10.1.2.3", MCAST, &fi), NO_ERROR);
	CHECK(fwd_is(&fi, "10.1.2.0", 24, "192.0.2.2", 2));
	CHECK_EQ_U(fi.ViewId, RTM_VIEW_ID_MCAST);
	tl_delete_route(h, r8);
	CHECK_RC(fwd4(h, "10.1.2.3", UCAST, &fi), ERROR_NOT_FOUND);
	tl_delete_route(h, r24);
	tl_release_nexthop(h, a);
	tl_release_nexthop(h, b);
	tl_deregister(h);
}

TEST(lookup_route_returns_the_best_route_and_all_its_next_hops)
{
	RTM_ENTITY_HANDLE rip = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE ospf = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_NEXTHOP_HANDLE n1 = tl_add_nexthop(rip, AF_INET, "192.0.2.1", 1);
	RTM_NEXTHOP_HANDLE n2 = tl_add_nexthop(ospf, AF_INET, "192.0.2.2", 2);
	RTM_NEXTHOP_HANDLE n3 = tl_add_nexthop(ospf, AF_INET, "192.0.2.3", 3);
	RTM_ROUTE_HANDLE worse = route4(rip, n1, "10.0.0.0", 8, 120, 1, UCAST);
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(2);
	RTM_ROUTE_HANDLE better = NULL;
	RTM_ROUTE_CHANGE_FLAGS fl = RTM_ROUTE_CHANGE_NEW;
	RTM_NET_ADDRESS p, w2, w3;
	RTMX_FWD_INFO fi;

	tl_ipv4(&p, "10.0.0.0", 8);
	ri->PrefInfo.Preference = 110;
	ri->PrefInfo.Metric = 20;
	ri->BelongsToViews = UCAST;
	ri->NextHopsList.NumNextHops = 2;
	TL_NH(ri, 0) = n2;
	TL_NH(ri, 1) = n3;
	CHECK_RC(RtmAddRouteToDest(ospf, &better, &p, ri, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	free(ri);

	CHECK_RC(fwd4(rip, "10.9.9.9", UCAST, &fi), NO_ERROR);
	CHECK_EQ_U(fi.PrefInfo.Preference, 110);
	CHECK_EQ_U(fi.PrefInfo.Metric, 20);
	CHECK_EQ_U(fi.NumNextHops, 2);
	CHECK_EQ_U(fi.TotalNextHops, 2);
	tl_ipv4(&w2, "192.0.2.2", 32);
	tl_ipv4(&w3, "192.0.2.3", 32);
	CHECK(tl_addr_eq(&fi.NextHops[0].NextHopAddress, &w2));
	CHECK_EQ_U(fi.NextHops[0].InterfaceIndex, 2);
	CHECK(tl_addr_eq(&fi.NextHops[1].NextHopAddress, &w3));
	CHECK_EQ_U(fi.NextHops[1].InterfaceIndex, 3);
	/* The better route goes: the other one answers. */
	tl_delete_route(ospf, better);
	CHECK_RC(fwd4(ospf, "10.9.9.9", UCAST, &fi), NO_ERROR);
	CHECK(fwd_is(&fi, "10.0.0.0", 8, "192.0.2.1", 1));
	CHECK_EQ_U(fi.PrefInfo.Preference, 120);
	tl_delete_route(rip, worse);
	tl_release_nexthop(rip, n1);
	tl_release_nexthop(ospf, n2);
	tl_release_nexthop(ospf, n3);
	tl_deregister(ospf);
	tl_deregister(rip);
}

/* ---- randomised differential of the trie ------------------------------------------------ */

#define NPFX 1500
#define NQUERY 3000
#define NNH 4

struct key {
	uint64_t k[2]; /* bit 0 of the address is the top bit of k[0] */
	unsigned len;
};

struct model {
	USHORT family;
	unsigned width;
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh[NNH];
	unsigned n;
	struct key p[NPFX];
	RTM_ROUTE_HANDLE r[NPFX]; /* NULL: deleted */
};

static uint64_t rng_state;

static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t
mask_word(unsigned n)
{
	return n == 0 ? 0 : n >= 64 ? ~0ull : ~0ull << (64 - n);
}

static void
key_mask(struct key *k)
{
	k->k[0] &= mask_word(k->len > 64 ? 64 : k->len);
	k->k[1] &= mask_word(k->len > 64 ? k->len - 64 : 0);
}

static int
key_covers(const struct key *p, const struct key *q)
{
	struct key m = *q;

	if (p->len > q->len)
		return 0;
	m.len = p->len;
	key_mask(&m);
	return m.k[0] == p->k[0] && m.k[1] == p->k[1];
}

static int
key_cmp(const struct key *a, const struct key *b)
{
	if (a->k[0] != b->k[0])
		return a->k[0] < b->k[0] ? -1 : 1;
	if (a->k[1] != b->k[1])
		return a->k[1] < b->k[1] ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len;
}

static void
key_to_net(const struct model *m, const struct key *k, RTM_NET_ADDRESS *a)
{
	memset(a, 0, sizeof(*a));
	a->AddressFamily = m->family;
	a->NumBits = (USHORT)k->len;
	for (unsigned i = 0; i < m->width / 8; i++)
		a->AddrBits[i] = (UCHAR)(k->k[i / 8] >> (56 - 8 * (i % 8)));
}

static int
net_is_key(const struct model *m, const RTM_NET_ADDRESS *a, const struct key *k)
{
	RTM_NET_ADDRESS want;

	key_to_net(m, k, &want);
	return tl_addr_eq(a, &want);
}

/* Random prefixes around a few roots, so that they share long paths. */
static struct key
random_prefix(const struct model *m, const struct key *roots)
{
	struct key k = roots[rnd() % 6];
	unsigned shared = (unsigned)(rnd() % (m->width + 1));
	uint64_t r0 = rnd(), r1 = rnd();
	unsigned pick = (unsigned)(rnd() % 16);

	k.k[0] = (k.k[0] & mask_word(shared > 64 ? 64 : shared)) |
		 (r0 & ~mask_word(shared > 64 ? 64 : shared));
	k.k[1] = (k.k[1] & mask_word(shared > 64 ? shared - 64 : 0)) |
		 (r1 & ~mask_word(shared > 64 ? shared - 64 : 0));
	/* Edges often: 0, 1, width - 1, width, multiples of the 6-bit stride. */
	if (pick == 0)
		k.len = 0;
	else if (pick == 1)
		k.len = 1;
	else if (pick == 2)
		k.len = m->width - 1;
	else if (pick == 3)
		k.len = m->width;
	else if (pick < 7)
		k.len = (unsigned)(rnd() % (m->width / 6 + 1)) * 6;
	else
		k.len = (unsigned)(rnd() % (m->width + 1));
	if (m->width == 32)
		k.k[0] &= mask_word(32), k.k[1] = 0;
	key_mask(&k);
	return k;
}

static long
oracle_lpm(const struct model *m, const struct key *q)
{
	long best = -1;

	for (unsigned i = 0; i < m->n; i++) {
		if (m->r[i] && key_covers(&m->p[i], q) && (best < 0 || m->p[i].len > m->p[best].len))
			best = (long)i;
	}
	return best;
}

static void
model_add(struct model *m, const struct key *roots)
{
	struct key k = random_prefix(m, roots);
	RTM_NET_ADDRESS a;
	DWORD fl = RTM_ROUTE_CHANGE_NEW;

	for (unsigned i = 0; i < m->n; i++) {
		if (key_cmp(&m->p[i], &k) == 0)
			return; /* keep the prefixes distinct */
	}
	key_to_net(m, &k, &a);
	m->p[m->n] = k;
	m->r[m->n] = tl_add_route(m->h, &a, m->nh[m->n % NNH], 10, m->n, UCAST, &fl);
	if (m->r[m->n])
		m->n++;
}

/* A query: inside a random prefix (host bits random) or anywhere. */
static struct key
random_query(const struct model *m)
{
	struct key q = {{rnd(), rnd()}, m->width};

	if (m->n && rnd() % 4) {
		const struct key *p = &m->p[rnd() % m->n];

		q.k[0] = (p->k[0] & mask_word(p->len > 64 ? 64 : p->len)) |
			 (q.k[0] & ~mask_word(p->len > 64 ? 64 : p->len));
		q.k[1] = (p->k[1] & mask_word(p->len > 64 ? p->len - 64 : 0)) |
			 (q.k[1] & ~mask_word(p->len > 64 ? p->len - 64 : 0));
	}
	if (rnd() % 8 == 0)
		q.len = (unsigned)(rnd() % (m->width + 1));
	if (m->width == 32)
		q.k[0] &= mask_word(32), q.k[1] = 0;
	key_mask(&q);
	return q;
}

static void
model_check(struct model *m, const char *phase)
{
	RTM_DEST_INFO *di = tl_dest_info_alloc(1);
	unsigned bad = 0;

	/* Exact match of every prefix, present or deleted. */
	for (unsigned i = 0; i < m->n && bad < 5; i++) {
		RTM_NET_ADDRESS a;
		DWORD rc;

		key_to_net(m, &m->p[i], &a);
		rc = tl_exact_dest(m->h, &a, UCAST, di);
		if (rc != (m->r[i] ? NO_ERROR : ERROR_NOT_FOUND)) {
			check_note("%s: exact %u (deleted %d): rc %u", phase, i, !m->r[i],
				   (unsigned)rc);
			bad++;
		}
		if (rc == NO_ERROR)
			CHECK_RC(RtmReleaseDestInfo(m->h, di), NO_ERROR);
	}
	/* Longest match, through both lookups. */
	for (unsigned i = 0; i < NQUERY && bad < 5; i++) {
		struct key q = random_query(m);
		long want = oracle_lpm(m, &q);
		RTM_NET_ADDRESS a;
		RTMX_FWD_INFO fi;
		DWORD rc;

		key_to_net(m, &q, &a);
		rc = RtmxLookupRoute(m->h, &a, UCAST, &fi);
		if (rc != (want >= 0 ? NO_ERROR : ERROR_NOT_FOUND) ||
		    (want >= 0 && (!net_is_key(m, &fi.DestAddress, &m->p[want]) ||
				   fi.PrefInfo.Metric != (ULONG)want ||
				   fi.NextHops[0].InterfaceIndex != 1 + (ULONG)want % NNH))) {
			check_note("%s: RtmxLookupRoute query %u: rc %u, want prefix %ld", phase, i,
				   (unsigned)rc, want);
			bad++;
		}
		rc = RtmGetMostSpecificDestination(m->h, &a, RTM_BEST_PROTOCOL, UCAST, di);
		if (rc != (want >= 0 ? NO_ERROR : ERROR_NOT_FOUND) ||
		    (want >= 0 && !net_is_key(m, &di->DestAddress, &m->p[want]))) {
			check_note("%s: most specific query %u: rc %u, want prefix %ld", phase, i,
				   (unsigned)rc, want);
			bad++;
		}
		if (rc == NO_ERROR)
			CHECK_RC(RtmReleaseDestInfo(m->h, di), NO_ERROR);
	}
	/* Enumeration: every live prefix once, in address-then-length order. */
	{
		RTM_REGN_PROFILE prof;
		RTM_ENUM_HANDLE en = NULL;
		RTM_DEST_INFO *arr;
		const struct key *prev = NULL;
		unsigned live = 0, seen = 0;
		DWORD rc = NO_ERROR;

		prof = m->prof;
		arr = tl_dest_array_alloc(&prof, prof.MaxHandlesInEnum);
		for (unsigned i = 0; i < m->n; i++)
			live += m->r[i] != NULL;
		CHECK_RC(RtmCreateDestEnum(m->h, UCAST, RTM_ENUM_ALL_DESTS, NULL, RTM_BEST_PROTOCOL,
					   &en),
			 NO_ERROR);
		while (en && rc == NO_ERROR && bad < 5) {
			UINT num = prof.MaxHandlesInEnum;

			rc = RtmGetEnumDests(m->h, en, &num, arr);
			if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS)
				break;
			for (UINT j = 0; j < num; j++) {
				RTM_DEST_INFO *d = TL_DEST_AT(arr, &prof, j);
				long idx = -1;

				for (unsigned i = 0; i < m->n && idx < 0; i++) {
					if (m->r[i] && net_is_key(m, &d->DestAddress, &m->p[i]))
						idx = (long)i;
				}
				if (idx < 0 || (prev && key_cmp(prev, &m->p[idx]) >= 0)) {
					check_note("%s: enumeration item %u: index %ld out of order",
						   phase, seen, idx);
					bad++;
				}
				if (idx >= 0)
					prev = &m->p[idx];
				seen++;
			}
			if (num)
				CHECK_RC(RtmReleaseDests(m->h, num, arr), NO_ERROR);
		}
		CHECK_RC(rc, ERROR_NO_MORE_ITEMS);
		if (seen != live) {
			check_note("%s: enumerated %u of %u destinations", phase, seen, live);
			bad++;
		}
		if (en)
			CHECK_RC(RtmDeleteEnumHandle(m->h, en), NO_ERROR);
		free(arr);
	}
	CHECK_EQ_U(bad, 0);
	free(di);
}

static void
model_run(USHORT family, uint64_t seed)
{
	static struct model m;
	struct key roots[6];

	memset(&m, 0, sizeof(m));
	rng_state = seed;
	check_note("seed 0x%llx", (unsigned long long)seed);
	m.family = family;
	m.width = family == AF_INET ? 32 : 128;
	m.h = tl_register(family, TL_PROTO_BGP, 1, &m.prof);
	for (unsigned i = 0; i < NNH; i++) {
		m.nh[i] = tl_add_nexthop(m.h, family, family == AF_INET ? "192.0.2.1" : "2001:db8::1",
					 1 + i);
	}
	for (unsigned i = 0; i < 6; i++) {
		roots[i].k[0] = rnd();
		roots[i].k[1] = rnd();
		roots[i].len = m.width;
	}
	while (m.n < NPFX / 2)
		model_add(&m, roots);
	model_check(&m, "loaded");
	/* Remove about half, in random order, then add more on top. */
	for (unsigned i = 0; i < m.n; i++) {
		if (rnd() % 2) {
			tl_delete_route(m.h, m.r[i]);
			m.r[i] = NULL;
		}
	}
	model_check(&m, "half removed");
	while (m.n < NPFX)
		model_add(&m, roots);
	model_check(&m, "refilled");
	for (unsigned i = 0; i < m.n; i++) {
		if (m.r[i]) {
			tl_delete_route(m.h, m.r[i]);
			m.r[i] = NULL;
		}
	}
	model_check(&m, "emptied");
	for (unsigned i = 0; i < NNH; i++)
		tl_release_nexthop(m.h, m.nh[i]);
	tl_deregister(m.h);
}

TEST(trie_differential_ipv4)
{
	model_run(AF_INET, 0x7e1e5eedull);
	model_run(AF_INET, 0x2c0ffee5ull);
}

TEST(trie_differential_ipv6)
{
	model_run(AF_INET6, 0x6e1e5eedull);
	model_run(AF_INET6, 0x3c0ffee5ull);
}

/* ---- concurrent readers and a writer ----------------------------------------------------- */

/*
 * A writer toggles 64 prefixes inside 10.0.0.0/8 (which stays), each with a
 * metric and next hop derived from its index, while readers look up
 * addresses inside them: every answer must be 10/8 or one of the 64 that
 * covers the address, with that prefix's own metric and next hop.
 */
#define NTOGGLE 64
#define NFWDHOPS 8
#define WRITER_STEPS 4000

struct race {
	RTM_ENTITY_HANDLE h;
	atomic_bool done;
	atomic_uint bad;
	atomic_ulong lookups;
};

/* Prefix i: 10.0.0.0/8 with i in bits 8..13, so no two of them overlap. */
static void
toggle_prefix(unsigned i, RTM_NET_ADDRESS *a)
{
	unsigned len = 14 + i % 19;
	uint32_t addr = 0x0a000000u | i << 18 | ((i * 0x1234u) & 0x3ffffu);

	addr &= len == 32 ? ~0u : ~(~0u >> len);
	memset(a, 0, sizeof(*a));
	a->AddressFamily = AF_INET;
	a->NumBits = (USHORT)len;
	a->AddrBits[0] = (UCHAR)(addr >> 24);
	a->AddrBits[1] = (UCHAR)(addr >> 16);
	a->AddrBits[2] = (UCHAR)(addr >> 8);
	a->AddrBits[3] = (UCHAR)addr;
}

static uint32_t
net_u32(const RTM_NET_ADDRESS *a)
{
	return (uint32_t)a->AddrBits[0] << 24 | (uint32_t)a->AddrBits[1] << 16 |
	       (uint32_t)a->AddrBits[2] << 8 | a->AddrBits[3];
}

static void *
race_reader(void *arg)
{
	struct race *rc = arg;
	uint64_t x = (uint64_t)(uintptr_t)&x;

	while (!atomic_load(&rc->done)) {
		RTM_NET_ADDRESS q;
		RTMX_FWD_INFO fi;
		unsigned i;
		uint32_t qa;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		i = (unsigned)(x >> 33) % NTOGGLE;
		toggle_prefix(i, &q);
		qa = net_u32(&q) | ((uint32_t)(x >> 32) & (q.NumBits == 32 ? 0 : ~0u >> q.NumBits));
		q.NumBits = 32;
		q.AddrBits[0] = (UCHAR)(qa >> 24);
		q.AddrBits[1] = (UCHAR)(qa >> 16);
		q.AddrBits[2] = (UCHAR)(qa >> 8);
		q.AddrBits[3] = (UCHAR)qa;
		if (RtmxLookupRoute(rc->h, &q, UCAST, &fi) != NO_ERROR) {
			atomic_fetch_add(&rc->bad, 1);
			continue;
		}
		atomic_fetch_add(&rc->lookups, 1);
		if (fi.DestAddress.NumBits == 8) {
			if (fi.PrefInfo.Metric != 8 || fi.NextHops[0].InterfaceIndex != 100)
				atomic_fetch_add(&rc->bad, 1);
			continue;
		}
		{
			/* Only prefix i itself covers qa besides 10/8; all of it must agree. */
			RTM_NET_ADDRESS want;

			toggle_prefix(i, &want);
			if (!tl_addr_eq(&fi.DestAddress, &want) || fi.PrefInfo.Metric != 1000 + i ||
			    fi.NumNextHops != 1 ||
			    fi.NextHops[0].InterfaceIndex != 100 + 1 + i % NFWDHOPS)
				atomic_fetch_add(&rc->bad, 1);
		}
	}
	return NULL;
}

TEST(lookup_route_is_consistent_while_routes_change)
{
	struct race rc;
	RTM_NEXTHOP_HANDLE nh[NFWDHOPS + 1];
	RTM_ROUTE_HANDLE r8, r[NTOGGLE] = {0};
	pthread_t th[2];
	uint64_t x = 0x5eed;

	memset(&rc, 0, sizeof(rc));
	rc.h = tl_register(AF_INET, TL_PROTO_BGP, 1, NULL);
	for (unsigned k = 0; k <= NFWDHOPS; k++)
		nh[k] = tl_add_nexthop(rc.h, AF_INET, "192.0.2.1", 100 + k);
	r8 = route4(rc.h, nh[0], "10.0.0.0", 8, 10, 8, UCAST);
	REQUIRE(r8 != NULL);
	for (unsigned t = 0; t < 2; t++)
		REQUIRE(pthread_create(&th[t], NULL, race_reader, &rc) == 0);
	for (unsigned step = 0; step < WRITER_STEPS; step++) {
		unsigned i;
		RTM_NET_ADDRESS a;
		DWORD fl = RTM_ROUTE_CHANGE_NEW;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		i = (unsigned)(x >> 33) % NTOGGLE;
		if (r[i]) {
			tl_delete_route(rc.h, r[i]);
			r[i] = NULL;
			continue;
		}
		toggle_prefix(i, &a);
		r[i] = tl_add_route(rc.h, &a, nh[1 + i % NFWDHOPS], 10, 1000 + i, UCAST, &fl);
	}
	atomic_store(&rc.done, true);
	for (unsigned t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	check_note("%lu lookups", (unsigned long)atomic_load(&rc.lookups));
	CHECK_EQ_U(atomic_load(&rc.bad), 0);
	for (unsigned i = 0; i < NTOGGLE; i++) {
		if (r[i])
			tl_delete_route(rc.h, r[i]);
	}
	tl_delete_route(rc.h, r8);
	for (unsigned k = 0; k <= NFWDHOPS; k++)
		tl_release_nexthop(rc.h, nh[k]);
	tl_deregister(rc.h);
}

int
main(int c, char **v)
{
	return check_main(c, v);
}
