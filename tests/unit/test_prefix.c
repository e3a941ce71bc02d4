/*
 * test_prefix.c - prefix edges for both families: /0, /1, /31, /32 (IPv4) and
 * /0, /1, /127, /128 (IPv6); host bits beyond NumBits are masked and
 * reported back masked; NumBits beyond the family width is
 * ERROR_INVALID_PARAMETER (SEMANTICS §5, §8, §14.27).
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

struct fam {
	USHORT family;
	unsigned width;
	const char *ones;     /* an address with every bit set */
	const char *probe;    /* an address with the top bit set and low bits varied */
	const char *low;      /* an address with the top bit clear */
	unsigned lens[4];     /* 0, 1, width - 1, width */
	const char *masked[4]; /* `ones` masked to each length */
};

static const struct fam v4 = {
	AF_INET,
	32,
	"255.255.255.255",
	"200.1.2.3",
	"1.2.3.4",
	{0, 1, 31, 32},
	{"0.0.0.0", "128.0.0.0", "255.255.255.254", "255.255.255.255"},
};

static const struct fam v6 = {
	AF_INET6,
	128,
	"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	"c000::1:2:3",
	"2001:db8::4",
	{0, 1, 127, 128},
	{"::", "8000::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
	 "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
};

struct env {
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh;
};

static int
env_init(struct env *e, const struct fam *f)
{
	e->h = tl_register(f->family, TL_PROTO_RIP, 1, &e->prof);
	e->nh = NULL;
	if (e->h == NULL)
		return 0;
	e->nh = tl_add_nexthop(e->h, f->family, f->family == AF_INET6 ? "fe80::1" : "10.0.0.1",
			       1);
	return e->nh != NULL;
}

static void
env_fini(struct env *e)
{
	if (e->nh != NULL)
		CHECK_RC(RtmDeleteNextHop(e->h, e->nh, NULL), NO_ERROR);
	tl_deregister(e->h);
}

static void
addr(RTM_NET_ADDRESS *a, const struct fam *f, const char *text, unsigned len)
{
	tl_addr(a, f->family, text, len);
}

static void
check_addr(const RTM_NET_ADDRESS *got, const struct fam *f, const char *text, unsigned len)
{
	RTM_NET_ADDRESS want;
	char b1[80], b2[80];

	addr(&want, f, text, len);
	if (!tl_addr_eq(got, &want))
		check_fail(__FILE__, __LINE__, "address %s, expected %s",
			   tl_addr_str(got, b1, sizeof(b1)), tl_addr_str(&want, b2, sizeof(b2)));
}

static RTM_ROUTE_HANDLE
add_at(struct env *e, const struct fam *f, const char *text, unsigned len)
{
	RTM_NET_ADDRESS p;
	DWORD fl = RTM_ROUTE_CHANGE_NEW;

	addr(&p, f, text, len);
	return tl_add_route(e->h, &p, e->nh, 10, 1, RTM_VIEW_MASK_UCAST, &fl);
}

/* Looks `text/len` up with the given call and checks the destination found. */
static void
expect_dest(struct env *e, const struct fam *f, int most_specific, const char *text,
	    unsigned len, const char *want, unsigned want_len)
{
	RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	RTM_NET_ADDRESS p;
	DWORD rc;

	addr(&p, f, text, len);
	if (most_specific)
		rc = RtmGetMostSpecificDestination(e->h, &p, RTM_BEST_PROTOCOL,
						   RTM_VIEW_MASK_UCAST, di);
	else
		rc = RtmGetExactMatchDestination(e->h, &p, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
						 di);
	if (want == NULL) {
		if (rc != ERROR_NOT_FOUND)
			check_fail(__FILE__, __LINE__, "%s %s/%u: got %s(%u), expected NOT_FOUND",
				   most_specific ? "most specific" : "exact", text, len,
				   rtm_error_name(rc), (unsigned)rc);
	} else if (rc != NO_ERROR) {
		check_fail(__FILE__, __LINE__, "%s %s/%u: got %s(%u), expected %s/%u",
			   most_specific ? "most specific" : "exact", text, len,
			   rtm_error_name(rc), (unsigned)rc, want, want_len);
	} else {
		check_addr(&di->DestAddress, f, want, want_len);
	}
	if (rc == NO_ERROR)
		CHECK_RC(RtmReleaseDestInfo(e->h, di), NO_ERROR);
	free(di);
}

/* ---- per family ----------------------------------------------------------------------- */

static void
edges_are_stored_masked(const struct fam *f)
{
	struct env e;
	RTM_ROUTE_HANDLE r[4];
	RTM_NET_ADDRESS got;
	unsigned i;

	REQUIRE(env_init(&e, f));
	for (i = 0; i < 4; i++)
		r[i] = add_at(&e, f, f->ones, f->lens[i]);
	for (i = 0; i < 4; i++) {
		if (r[i] == NULL)
			continue;
		memset(&got, 0xee, sizeof(got));
		CHECK_RC(RtmGetRouteInfo(e.h, r[i], NULL, &got), NO_ERROR);
		check_addr(&got, f, f->masked[i], f->lens[i]);
		/* Exact lookups with all host bits set find it, reported masked. */
		expect_dest(&e, f, 0, f->ones, f->lens[i], f->masked[i], f->lens[i]);
		expect_dest(&e, f, 0, f->masked[i], f->lens[i], f->masked[i], f->lens[i]);
	}
	/* Four separate destinations. */
	for (i = 1; i < 4; i++)
		CHECK(r[i] != NULL && r[i] != r[i - 1]);
	for (i = 0; i < 4; i++)
		if (r[i] != NULL)
			tl_delete_route(e.h, r[i]);
	for (i = 0; i < 4; i++)
		expect_dest(&e, f, 0, f->masked[i], f->lens[i], NULL, 0);
	env_fini(&e);
}

static void
longest_match_at_the_edges(const struct fam *f)
{
	struct env e;
	RTM_ROUTE_HANDLE r[4];
	unsigned i;

	REQUIRE(env_init(&e, f));
	for (i = 0; i < 4; i++)
		r[i] = add_at(&e, f, f->masked[i], f->lens[i]);
	/* The all-ones host: the full-length prefix. */
	expect_dest(&e, f, 1, f->ones, f->width, f->masked[3], f->width);
	/* Its neighbour in the /width-1. */
	expect_dest(&e, f, 1, f->masked[2], f->width, f->masked[2], f->width - 1);
	/* Top bit set elsewhere: the /1. */
	expect_dest(&e, f, 1, f->probe, f->width, f->masked[1], 1);
	/* Top bit clear: only the default route covers it. */
	expect_dest(&e, f, 1, f->low, f->width, f->masked[0], 0);
	/* A short lookup prefix is not covered by longer destinations. */
	expect_dest(&e, f, 1, f->ones, 1, f->masked[1], 1);
	expect_dest(&e, f, 1, f->ones, 0, f->masked[0], 0);
	expect_dest(&e, f, 1, f->ones, f->width - 1, f->masked[2], f->width - 1);

	/* Less specific: width -> width-1 -> 1 -> 0 -> nothing. */
	{
		RTM_DEST_INFO *a = tl_dest_info_alloc(RTM_MAX_VIEWS);
		RTM_DEST_INFO *b = tl_dest_info_alloc(RTM_MAX_VIEWS), *t;
		RTM_NET_ADDRESS p;
		int k;

		addr(&p, f, f->masked[3], f->width);
		REQUIRE_RC(RtmGetExactMatchDestination(e.h, &p, RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, a),
			   NO_ERROR);
		for (k = 2; k >= 0; k--) {
			DWORD rc = RtmGetLessSpecificDestination(
				e.h, a->DestHandle, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, b);

			CHECK_RC(rc, NO_ERROR);
			if (rc != NO_ERROR)
				break;
			check_addr(&b->DestAddress, f, f->masked[k], f->lens[k]);
			CHECK_RC(RtmReleaseDestInfo(e.h, a), NO_ERROR);
			t = a;
			a = b;
			b = t;
		}
		CHECK_RC(RtmGetLessSpecificDestination(e.h, a->DestHandle, RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, b),
			 ERROR_NOT_FOUND);
		CHECK_RC(RtmReleaseDestInfo(e.h, a), NO_ERROR);
		free(a);
		free(b);
	}
	for (i = 0; i < 4; i++)
		if (r[i] != NULL)
			tl_delete_route(e.h, r[i]);
	env_fini(&e);
}

static void
length_beyond_width_is_invalid_parameter(const struct fam *f)
{
	struct env e;
	RTM_NET_ADDRESS p;
	RTM_ROUTE_INFO *ri;
	RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	RTM_ROUTE_HANDLE r = NULL;
	DWORD fl = 0;
	static const unsigned extra[] = {1, 8, 0xffff - 128};
	unsigned i;

	REQUIRE(env_init(&e, f));
	ri = tl_route_info_alloc(e.prof.MaxNextHopsInRoute);
	ri->PrefInfo.Preference = 10;
	ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri->NextHopsList.NumNextHops = 1;
	TL_NH(ri, 0) = e.nh;
	for (i = 0; i < 3; i++) {
		unsigned len = f->width + extra[i];

		addr(&p, f, f->probe, len);
		fl = 0;
		CHECK_RC(RtmAddRouteToDest(e.h, &r, &p, ri, INFINITE, NULL, 0, NULL, &fl),
			 ERROR_INVALID_PARAMETER);
		CHECK_RC(RtmGetExactMatchDestination(e.h, &p, RTM_BEST_PROTOCOL,
						     RTM_VIEW_MASK_UCAST, di),
			 ERROR_INVALID_PARAMETER);
		CHECK_RC(RtmGetMostSpecificDestination(e.h, &p, RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, di),
			 ERROR_INVALID_PARAMETER);
		CHECK_RC(RtmGetExactMatchRoute(e.h, &p, RTM_MATCH_NONE, ri, 0, RTM_VIEW_MASK_ANY,
					       NULL),
			 ERROR_INVALID_PARAMETER);
	}
	CHECK_EQ_PTR(r, NULL);
	/* The full width itself is fine. */
	addr(&p, f, f->probe, f->width);
	CHECK_RC(RtmAddRouteToDest(e.h, &r, &p, ri, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	if (r != NULL)
		tl_delete_route(e.h, r);
	free(ri);
	free(di);
	env_fini(&e);
}

static void
host_bits_do_not_split_a_destination(const struct fam *f)
{
	struct env e;
	RTM_NET_ADDRESS p1, p2, got;
	RTM_ROUTE_INFO *ri;
	RTM_ROUTE_HANDLE r1 = NULL, r2 = NULL;
	DWORD fl = 0;
	unsigned len = f->width / 2;

	REQUIRE(env_init(&e, f));
	ri = tl_route_info_alloc(e.prof.MaxNextHopsInRoute);
	ri->PrefInfo.Preference = 10;
	ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri->NextHopsList.NumNextHops = 1;
	TL_NH(ri, 0) = e.nh;
	/* p1: all ones, host bits set; p2: the same prefix with clean host bits. */
	addr(&p1, f, f->ones, len);
	p2 = p1;
	memset(p2.AddrBits + len / 8, 0, sizeof(p2.AddrBits) - len / 8);
	CHECK_RC(RtmAddRouteToDest(e.h, &r1, &p1, ri, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	fl = 0;
	CHECK_RC(RtmAddRouteToDest(e.h, &r2, &p2, ri, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	/* Same owner, same neighbour, same masked prefix: the same route, updated. */
	CHECK_EQ_PTR(r2, r1);
	CHECK_EQ_U(fl & RTM_ROUTE_CHANGE_NEW, 0);
	CHECK_RC(RtmGetRouteInfo(e.h, r1, NULL, &got), NO_ERROR);
	CHECK(tl_addr_eq(&got, &p2));
	if (r2 != NULL)
		tl_release_route(e.h, r2);
	if (r1 != NULL)
		tl_delete_route(e.h, r1);
	free(ri);
	env_fini(&e);
}

/* ---- IPv4 ----------------------------------------------------------------------------- */

TEST(ipv4_prefixes_0_1_31_32_are_stored_masked_and_found_exactly)
{
	edges_are_stored_masked(&v4);
}

TEST(ipv4_longest_and_less_specific_match_at_0_1_31_32)
{
	longest_match_at_the_edges(&v4);
}

TEST(ipv4_length_beyond_32_is_invalid_parameter)
{
	length_beyond_width_is_invalid_parameter(&v4);
}

TEST(ipv4_host_bits_do_not_split_a_destination)
{
	host_bits_do_not_split_a_destination(&v4);
}

TEST(ipv4_bytes_past_the_address_are_ignored_and_reported_zero)
{
	struct env e;
	RTM_NET_ADDRESS p, got;
	RTM_ROUTE_HANDLE r;

	REQUIRE(env_init(&e, &v4));
	tl_ipv4(&p, "10.1.2.0", 24);
	memset(p.AddrBits + 4, 0xff, sizeof(p.AddrBits) - 4);
	r = tl_add_route(e.h, &p, e.nh, 10, 1, RTM_VIEW_MASK_UCAST, NULL);
	REQUIRE(r != NULL);
	CHECK_RC(RtmGetRouteInfo(e.h, r, NULL, &got), NO_ERROR);
	check_addr(&got, &v4, "10.1.2.0", 24);
	expect_dest(&e, &v4, 0, "10.1.2.0", 24, "10.1.2.0", 24);
	tl_delete_route(e.h, r);
	env_fini(&e);
}

TEST(ipv4_default_route_covers_everything)
{
	struct env e;
	RTM_ROUTE_HANDLE r;

	REQUIRE(env_init(&e, &v4));
	r = add_at(&e, &v4, "0.0.0.0", 0);
	REQUIRE(r != NULL);
	expect_dest(&e, &v4, 1, "0.0.0.0", 32, "0.0.0.0", 0);
	expect_dest(&e, &v4, 1, "255.255.255.255", 32, "0.0.0.0", 0);
	expect_dest(&e, &v4, 1, "127.0.0.1", 8, "0.0.0.0", 0);
	expect_dest(&e, &v4, 0, "0.0.0.0", 1, NULL, 0);
	tl_delete_route(e.h, r);
	expect_dest(&e, &v4, 1, "127.0.0.1", 32, NULL, 0);
	env_fini(&e);
}

/* ---- IPv6 ----------------------------------------------------------------------------- */

TEST(ipv6_prefixes_0_1_127_128_are_stored_masked_and_found_exactly)
{
	edges_are_stored_masked(&v6);
}

TEST(ipv6_longest_and_less_specific_match_at_0_1_127_128)
{
	longest_match_at_the_edges(&v6);
}

TEST(ipv6_length_beyond_128_is_invalid_parameter)
{
	length_beyond_width_is_invalid_parameter(&v6);
}

TEST(ipv6_host_bits_do_not_split_a_destination)
{
	host_bits_do_not_split_a_destination(&v6);
}

TEST(ipv6_prefix_not_on_a_byte_boundary_is_masked_inside_the_byte)
{
	struct env e;
	RTM_NET_ADDRESS got;
	RTM_ROUTE_HANDLE r;

	REQUIRE(env_init(&e, &v6));
	r = add_at(&e, &v6, "2001:db8:abcd:ef12::", 37);
	REQUIRE(r != NULL);
	CHECK_RC(RtmGetRouteInfo(e.h, r, NULL, &got), NO_ERROR);
	/* 37 bits keep 2001:0db8 and the top 5 bits of 0xab: 0xa8. */
	check_addr(&got, &v6, "2001:db8:a800::", 37);
	expect_dest(&e, &v6, 0, "2001:db8:afff:ffff::1", 37, "2001:db8:a800::", 37);
	expect_dest(&e, &v6, 1, "2001:db8:afff::1", 128, "2001:db8:a800::", 37);
	expect_dest(&e, &v6, 1, "2001:db8:b000::1", 128, NULL, 0);
	tl_delete_route(e.h, r);
	env_fini(&e);
}

TEST(ipv4_prefix_not_on_a_byte_boundary_is_masked_inside_the_byte)
{
	struct env e;
	RTM_NET_ADDRESS got;
	RTM_ROUTE_HANDLE r;

	REQUIRE(env_init(&e, &v4));
	r = add_at(&e, &v4, "172.31.255.255", 12);
	REQUIRE(r != NULL);
	CHECK_RC(RtmGetRouteInfo(e.h, r, NULL, &got), NO_ERROR);
	check_addr(&got, &v4, "172.16.0.0", 12);
	expect_dest(&e, &v4, 1, "172.20.1.1", 32, "172.16.0.0", 12);
	expect_dest(&e, &v4, 1, "172.32.0.1", 32, NULL, 0);
	tl_delete_route(e.h, r);
	env_fini(&e);
}

int
main(int c, char **v)
{
	return check_main(c, v);
}
