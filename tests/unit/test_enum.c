/*
 * test_enum.c - RtmCreateDestEnum, RtmGetEnumDests, RtmReleaseDests,
 * RtmCreateRouteEnum, RtmGetEnumRoutes, RtmCreateNextHopEnum,
 * RtmGetEnumNextHops, RtmDeleteEnumHandle: arguments, order, START/NEXT/RANGE,
 * views and filters, the batch convention, live cursors and the references
 * the items carry (SEMANTICS §3, §5, §10, §13, §14.7, §14.8, §14.10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define UCAST RTM_VIEW_MASK_UCAST
#define MCAST RTM_VIEW_MASK_MCAST
#define BOTH (RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST)

/* Upper bound on the items a test enumerates; also bounds drain loops. */
#define MAXITEMS 512

struct ent {
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh;
};

static int
ent_init(struct ent *e, USHORT family, ULONG proto, ULONG inst)
{
	memset(e, 0, sizeof(*e));
	e->h = tl_register(family, proto, inst, &e->prof);
	if (e->h == NULL)
		return 0;
	e->nh = tl_add_nexthop(e->h, family, family == AF_INET6 ? "2001:db8:ff::1" : "10.255.0.1",
			       1);
	return e->nh != NULL;
}

static void
ent_fini(struct ent *e)
{
	if (e->nh != NULL)
		CHECK_RC(RtmDeleteNextHop(e->h, e->nh, NULL), NO_ERROR);
	tl_deregister(e->h);
}

/* "a.b.c.d/len" or "x::y/len" into an RTM_NET_ADDRESS. */
static void
pfx(RTM_NET_ADDRESS *a, const char *text)
{
	char buf[64];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, text, n);
	buf[n] = 0;
	tl_addr(a, strchr(buf, ':') ? AF_INET6 : AF_INET, buf,
		slash ? (unsigned)atoi(slash + 1) : (strchr(buf, ':') ? 128u : 32u));
}

/* Adds a new route of e at prefix text (always a new route, RTM_ROUTE_CHANGE_NEW). */
static RTM_ROUTE_HANDLE
rt(struct ent *e, const char *text, ULONG pref, ULONG metric, DWORD views)
{
	RTM_NET_ADDRESS p;
	DWORD fl = RTM_ROUTE_CHANGE_NEW;

	pfx(&p, text);
	return tl_add_route(e->h, &p, e->nh, pref, metric, views, &fl);
}

/* Deletes every non-NULL route in r[0..n-1]. */
static void
del_routes(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE *r, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (r[i] != NULL)
			tl_delete_route(h, r[i]);
}

/* ---- draining enumerations ------------------------------------------------------------ */

struct dlist {
	unsigned n;
	RTM_NET_ADDRESS a[MAXITEMS];
	UINT nviews[MAXITEMS];
	RTM_VIEW_SET belongs[MAXITEMS];
	RTM_VIEW_ID viewid[MAXITEMS][2];
	UINT nroutes[MAXITEMS][2];
	RTM_ROUTE_HANDLE best[MAXITEMS][2];
	RTM_ENTITY_HANDLE owner[MAXITEMS][2];
	unsigned calls;
};

/*
 * Drains a destination enumeration with batches of `batch`, checking the batch
 * convention of §10 on every call: NO_ERROR only with a full batch,
 * ERROR_NO_MORE_ITEMS with fewer items, and then ERROR_NO_MORE_ITEMS with 0.
 * Every batch is released with RtmReleaseDests.
 */
static void
drain_dests_at(int line, struct ent *e, RTM_ENUM_HANDLE en, UINT batch, struct dlist *out)
{
	RTM_DEST_INFO *arr = tl_dest_array_alloc(&e->prof, batch);
	DWORD rc = NO_ERROR;
	UINT num, i, v;

	memset(out, 0, sizeof(*out));
	while (rc == NO_ERROR && out->calls < MAXITEMS) {
		num = batch;
		rc = RtmGetEnumDests(e->h, en, &num, arr);
		out->calls++;
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
			check_fail(__FILE__, line, "RtmGetEnumDests: got %s(%u)",
				   rtm_error_name(rc), (unsigned)rc);
			break;
		}
		if (rc == NO_ERROR && num != batch)
			check_fail(__FILE__, line, "RtmGetEnumDests: NO_ERROR with %u of %u items",
				   (unsigned)num, (unsigned)batch);
		if (rc == ERROR_NO_MORE_ITEMS && num >= batch)
			check_fail(__FILE__, line,
				   "RtmGetEnumDests: ERROR_NO_MORE_ITEMS with a full batch (%u)",
				   (unsigned)num);
		if (num > batch) {
			check_fail(__FILE__, line, "RtmGetEnumDests: %u items for %u slots",
				   (unsigned)num, (unsigned)batch);
			break;
		}
		for (i = 0; i < num; i++) {
			RTM_DEST_INFO *di = TL_DEST_AT(arr, &e->prof, i);

			if (out->n >= MAXITEMS)
				break;
			out->a[out->n] = di->DestAddress;
			out->nviews[out->n] = di->NumberOfViews;
			out->belongs[out->n] = di->BelongsToViews;
			for (v = 0; v < di->NumberOfViews && v < 2; v++) {
				out->viewid[out->n][v] = TL_VIEW(di, v).ViewId;
				out->nroutes[out->n][v] = TL_VIEW(di, v).NumRoutes;
				out->best[out->n][v] = TL_VIEW(di, v).Route;
				out->owner[out->n][v] = TL_VIEW(di, v).Owner;
			}
			out->n++;
		}
		if (num > 0 && RtmReleaseDests(e->h, num, arr) != NO_ERROR)
			check_fail(__FILE__, line, "RtmReleaseDests failed");
	}
	if (rc == ERROR_NO_MORE_ITEMS) {
		num = batch;
		rc = RtmGetEnumDests(e->h, en, &num, arr);
		if (rc != ERROR_NO_MORE_ITEMS || num != 0)
			check_fail(__FILE__, line,
				   "RtmGetEnumDests after the end: got %s(%u) with %u items, "
				   "expected ERROR_NO_MORE_ITEMS with 0",
				   rtm_error_name(rc), (unsigned)rc, (unsigned)num);
		if (rc == NO_ERROR || (rc == ERROR_NO_MORE_ITEMS && num > 0 && num <= batch))
			RtmReleaseDests(e->h, num, arr);
	}
	free(arr);
}

#define drain_dests(e, en, batch, out) drain_dests_at(__LINE__, (e), (en), (batch), (out))

/* Same for route and next-hop enumerations (handles only; each batch released). */
enum hkind { HK_ROUTES, HK_NEXTHOPS };

static unsigned
drain_handles_at(int line, RTM_ENTITY_HANDLE h, enum hkind k, RTM_ENUM_HANDLE en, UINT batch,
		 HANDLE *out, unsigned max)
{
	HANDLE *arr = calloc(batch, sizeof(HANDLE));
	DWORD rc = NO_ERROR;
	unsigned n = 0, calls = 0;
	UINT num, i;

	if (arr == NULL)
		abort();
	while (rc == NO_ERROR && calls++ < MAXITEMS) {
		num = batch;
		rc = k == HK_ROUTES ? RtmGetEnumRoutes(h, en, &num, arr)
				    : RtmGetEnumNextHops(h, en, &num, arr);
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
			check_fail(__FILE__, line, "RtmGetEnum%s: got %s(%u)",
				   k == HK_ROUTES ? "Routes" : "NextHops", rtm_error_name(rc),
				   (unsigned)rc);
			break;
		}
		if (rc == NO_ERROR && num != batch)
			check_fail(__FILE__, line, "NO_ERROR with %u of %u items", (unsigned)num,
				   (unsigned)batch);
		if (rc == ERROR_NO_MORE_ITEMS && num >= batch)
			check_fail(__FILE__, line, "ERROR_NO_MORE_ITEMS with a full batch (%u)",
				   (unsigned)num);
		if (num > batch) {
			check_fail(__FILE__, line, "%u items for %u slots", (unsigned)num,
				   (unsigned)batch);
			break;
		}
		for (i = 0; i < num; i++)
			if (n < max)
				out[n++] = arr[i];
		if (num > 0) {
			DWORD r2 = k == HK_ROUTES ? RtmReleaseRoutes(h, num, arr)
						  : RtmReleaseNextHops(h, num, arr);
			if (r2 != NO_ERROR)
				check_fail(__FILE__, line, "release of the batch: %s(%u)",
					   rtm_error_name(r2), (unsigned)r2);
		}
	}
	if (rc == ERROR_NO_MORE_ITEMS) {
		num = batch;
		rc = k == HK_ROUTES ? RtmGetEnumRoutes(h, en, &num, arr)
				    : RtmGetEnumNextHops(h, en, &num, arr);
		if (rc != ERROR_NO_MORE_ITEMS || num != 0)
			check_fail(__FILE__, line,
				   "after the end: got %s(%u) with %u items, expected "
				   "ERROR_NO_MORE_ITEMS with 0",
				   rtm_error_name(rc), (unsigned)rc, (unsigned)num);
	}
	free(arr);
	return n;
}

#define drain_routes(h, en, batch, out, max)                                                       \
	drain_handles_at(__LINE__, (h), HK_ROUTES, (en), (batch), (HANDLE *)(out), (max))
#define drain_nexthops(h, en, batch, out, max)                                                     \
	drain_handles_at(__LINE__, (h), HK_NEXTHOPS, (en), (batch), (HANDLE *)(out), (max))

/* Compares the addresses of a drained dest list with the expected prefixes, in order. */
static void
check_addrs_at(int line, const struct dlist *l, const char *const *want, unsigned n)
{
	char b1[80], b2[80];
	RTM_NET_ADDRESS w;
	unsigned i;

	for (i = 0; i < n && i < l->n; i++) {
		pfx(&w, want[i]);
		if (!tl_addr_eq(&l->a[i], &w))
			check_fail(__FILE__, line, "item %u is %s, expected %s", i,
				   tl_addr_str(&l->a[i], b1, sizeof(b1)),
				   tl_addr_str(&w, b2, sizeof(b2)));
	}
	if (l->n != n) {
		check_fail(__FILE__, line, "%u items, expected %u", l->n, n);
		for (i = 0; i < l->n; i++)
			check_note("  item %u: %s", i, tl_addr_str(&l->a[i], b1, sizeof(b1)));
	}
}

#define CHECK_ADDRS(l, ...)                                                                        \
	check_addrs_at(__LINE__, (l), (const char *const[]){__VA_ARGS__},                          \
		       sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void
check_handles_at(int line, const HANDLE *got, unsigned ngot, const HANDLE *want, unsigned nwant)
{
	unsigned i;

	if (ngot != nwant)
		check_fail(__FILE__, line, "%u handles, expected %u", ngot, nwant);
	for (i = 0; i < ngot && i < nwant; i++)
		if (got[i] != want[i])
			check_fail(__FILE__, line, "handle %u is %p, expected %p", i, got[i],
				   want[i]);
}

#define CHECK_HANDLES(got, ngot, ...)                                                              \
	check_handles_at(__LINE__, (const HANDLE *)(got), (ngot), (const HANDLE[]){__VA_ARGS__},   \
			 sizeof((const HANDLE[]){__VA_ARGS__}) / sizeof(HANDLE))

/* Creates a dest enumeration; addr is a prefix text or NULL. NULL after recording a failure. */
static RTM_ENUM_HANDLE
dest_enum_at(int line, struct ent *e, DWORD views, DWORD flags, const char *addr, ULONG proto)
{
	RTM_NET_ADDRESS a;
	RTM_ENUM_HANDLE en = NULL;
	DWORD rc;

	if (addr != NULL)
		pfx(&a, addr);
	rc = RtmCreateDestEnum(e->h, views, flags, addr ? &a : NULL, proto, &en);
	if (rc != NO_ERROR || en == NULL) {
		check_fail(__FILE__, line, "RtmCreateDestEnum(views 0x%x, flags 0x%x, %s): %s(%u)",
			   (unsigned)views, (unsigned)flags, addr ? addr : "NULL",
			   rtm_error_name(rc), (unsigned)rc);
		return NULL;
	}
	return en;
}

#define dest_enum(e, views, flags, addr, proto)                                                    \
	dest_enum_at(__LINE__, (e), (views), (flags), (addr), (proto))

static RTM_ENUM_HANDLE
route_enum_at(int line, struct ent *e, RTM_DEST_HANDLE dest, DWORD views, DWORD flags,
	      const char *start, DWORD match, RTM_ROUTE_INFO *crit, ULONG ifindex)
{
	RTM_NET_ADDRESS a;
	RTM_ENUM_HANDLE en = NULL;
	DWORD rc;

	if (start != NULL)
		pfx(&a, start);
	rc = RtmCreateRouteEnum(e->h, dest, views, flags, start ? &a : NULL, match, crit, ifindex,
				&en);
	if (rc != NO_ERROR || en == NULL) {
		check_fail(__FILE__, line,
			   "RtmCreateRouteEnum(views 0x%x, flags 0x%x, match 0x%x): %s(%u)",
			   (unsigned)views, (unsigned)flags, (unsigned)match, rtm_error_name(rc),
			   (unsigned)rc);
		return NULL;
	}
	return en;
}

#define route_enum(e, dest, views, flags, start, match, crit, ifx)                                 \
	route_enum_at(__LINE__, (e), (dest), (views), (flags), (start), (match), (crit), (ifx))

static void
end_enum(RTM_ENTITY_HANDLE h, RTM_ENUM_HANDLE en)
{
	if (en != NULL)
		CHECK_RC(RtmDeleteEnumHandle(h, en), NO_ERROR);
}

/*
 * The standard table: eight IPv4 prefixes added out of order.  In enumeration
 * order (SEMANTICS §10): 0/0, 10/8, 10.0/16, 10.0.0/24, 10.0.0.0/32,
 * 10.1/16, 11/8, 192.168.1/24.
 */
static const char *const table8[] = {
	"11.0.0.0/8",  "10.1.0.0/16",  "10.0.0.0/24",     "192.168.1.0/24",
	"10.0.0.0/8",  "0.0.0.0/0",    "10.0.0.0/32",     "10.0.0.0/16",
};

static int
build_table8(struct ent *e, RTM_ROUTE_HANDLE *r)
{
	unsigned i;

	for (i = 0; i < 8; i++) {
		r[i] = rt(e, table8[i], 10, i + 1, UCAST);
		if (r[i] == NULL)
			return 0;
	}
	return 1;
}

#define TABLE8_ORDER                                                                               \
	"0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/32", "10.1.0.0/16",     \
		"11.0.0.0/8", "192.168.1.0/24"

/* ---- RtmCreateDestEnum: arguments ----------------------------------------------------- */

TEST(create_dest_enum_bad_registration_handles_are_invalid_handle)
{
	struct tl_badset bad;
	RTM_ENUM_HANDLE en;
	unsigned i;

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		en = NULL;
		CHECK_RC_BAD(RtmCreateDestEnum(bad.v[i].h, BOTH, RTM_ENUM_START, NULL,
					       RTM_BEST_PROTOCOL, &en),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(en, NULL);
	}
	tl_bad_fini(&bad);
}

TEST(create_dest_enum_null_out_pointer_is_invalid_parameter)
{
	struct ent a;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	CHECK_RC(RtmCreateDestEnum(a.h, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL, NULL),
		 ERROR_INVALID_PARAMETER);
	ent_fini(&a);
}

TEST(create_dest_enum_bad_flags_are_invalid_parameter)
{
	static const DWORD flags[] = {
		RTM_ENUM_NEXT | RTM_ENUM_RANGE,
		0x00000004,
		0x00000080,
		0x00100000,
		0x80000000,
		RTM_ENUM_OWN_DESTS | 0x00000008,
	};
	struct ent a;
	RTM_NET_ADDRESS p;
	RTM_ENUM_HANDLE en;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.0.0.0", 8);
	en = NULL;
	CHECK_RC(RtmCreateDestEnum(a.h, BOTH, RTM_ENUM_NEXT, NULL, RTM_BEST_PROTOCOL, &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(en, NULL);
	CHECK_RC(RtmCreateDestEnum(a.h, BOTH, RTM_ENUM_RANGE, NULL, RTM_BEST_PROTOCOL, &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(en, NULL);
	CHECK_RC(RtmCreateDestEnum(a.h, BOTH, RTM_ENUM_RANGE | RTM_ENUM_OWN_DESTS, NULL,
				   RTM_BEST_PROTOCOL, &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(en, NULL);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		en = NULL;
		CHECK_RC(RtmCreateDestEnum(a.h, BOTH, flags[i], &p, RTM_BEST_PROTOCOL, &en),
			 ERROR_INVALID_PARAMETER);
		if (en != NULL) {
			check_note("flags 0x%x accepted", (unsigned)flags[i]);
			RtmDeleteEnumHandle(a.h, en);
		}
	}
	ent_fini(&a);
}

TEST(enum_start_addresses_longer_than_the_family_are_invalid_parameter)
{
	struct ent a, a6;
	RTM_NET_ADDRESS p, p6;
	RTM_ENUM_HANDLE en = NULL;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&a6, AF_INET6, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.0.0.0", 33);
	tl_ipv6(&p6, "2001:db8::", 129);
	CHECK_RC(RtmCreateDestEnum(a.h, BOTH, RTM_ENUM_RANGE, &p, RTM_BEST_PROTOCOL, &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateDestEnum(a.h, BOTH, RTM_ENUM_NEXT, &p, RTM_BEST_PROTOCOL, &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateRouteEnum(a.h, NULL, BOTH, RTM_ENUM_RANGE, &p, RTM_MATCH_NONE, NULL, 0,
				    &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateNextHopEnum(a.h, RTM_ENUM_RANGE, &p, &en), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateDestEnum(a6.h, BOTH, RTM_ENUM_RANGE, &p6, RTM_BEST_PROTOCOL, &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(en, NULL);
	/* The full widths are fine. */
	tl_ipv4(&p, "10.0.0.0", 32);
	CHECK_RC(RtmCreateDestEnum(a.h, BOTH, RTM_ENUM_RANGE, &p, RTM_BEST_PROTOCOL, &en),
		 NO_ERROR);
	end_enum(a.h, en);
	en = NULL;
	tl_ipv6(&p6, "2001:db8::", 128);
	CHECK_RC(RtmCreateDestEnum(a6.h, BOTH, RTM_ENUM_NEXT, &p6, RTM_BEST_PROTOCOL, &en),
		 NO_ERROR);
	end_enum(a6.h, en);
	ent_fini(&a);
	ent_fini(&a6);
}

TEST(create_dest_enum_unsupported_views_are_not_supported)
{
	static const DWORD views[] = {0x4, UCAST | 0x8, 0x80000000, 0x7fffffff};
	struct ent a;
	RTM_ENUM_HANDLE en;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		en = NULL;
		CHECK_RC(RtmCreateDestEnum(a.h, views[i], RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL,
					   &en),
			 ERROR_NOT_SUPPORTED);
		if (en != NULL)
			RtmDeleteEnumHandle(a.h, en);
	}
	ent_fini(&a);
}

TEST(create_dest_enum_accepts_every_supported_view_mask)
{
	static const DWORD views[] = {RTM_VIEW_MASK_ANY, UCAST, MCAST, BOTH, RTM_VIEW_MASK_ALL};
	struct ent a;
	RTM_NET_ADDRESS p;
	RTM_ENUM_HANDLE en;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.0.0.0", 8);
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		en = NULL;
		CHECK_RC(RtmCreateDestEnum(a.h, views[i], RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL,
					   &en),
			 NO_ERROR);
		end_enum(a.h, en);
		en = NULL;
		CHECK_RC(RtmCreateDestEnum(a.h, views[i], RTM_ENUM_RANGE | RTM_ENUM_OWN_DESTS, &p,
					   RTM_THIS_PROTOCOL, &en),
			 NO_ERROR);
		end_enum(a.h, en);
	}
	ent_fini(&a);
}

/* ---- RtmGetEnumDests / RtmReleaseDests / RtmDeleteEnumHandle: arguments -------------------- */

TEST(get_enum_dests_bad_registration_handles_are_invalid_handle)
{
	struct ent a;
	struct tl_badset bad;
	RTM_ROUTE_HANDLE r;
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr;
	struct dlist l;
	UINT num;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "10.0.0.0/8", RTM_BEST_PROTOCOL);
	REQUIRE(r != NULL && en != NULL);
	arr = tl_dest_array_alloc(&a.prof, a.prof.MaxHandlesInEnum);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		num = a.prof.MaxHandlesInEnum;
		CHECK_RC_BAD(RtmGetEnumDests(bad.v[i].h, en, &num, arr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_RC_BAD(RtmDeleteEnumHandle(bad.v[i].h, en), ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	free(arr);
	/* The enumeration was neither advanced nor deleted. */
	drain_dests(&a, en, a.prof.MaxHandlesInEnum, &l);
	CHECK_ADDRS(&l, "10.1.0.0/16");
	end_enum(a.h, en);
	tl_delete_route(a.h, r);
	ent_fini(&a);
}

TEST(get_enum_dests_bad_enum_handles_are_invalid_handle)
{
	struct ent a;
	struct tl_badobj bad;
	RTM_ROUTE_HANDLE r;
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr;
	struct dlist l;
	UINT num;
	DWORD rc;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "10.0.0.0/8", RTM_BEST_PROTOCOL);
	REQUIRE(r != NULL && en != NULL);
	arr = tl_dest_array_alloc(&a.prof, a.prof.MaxHandlesInEnum);
	REQUIRE(tl_badobj_init(&bad, AF_INET, TL_O_ENUM) > 0);
	for (i = 0; i < bad.n; i++) {
		num = a.prof.MaxHandlesInEnum;
		CHECK_RC_BAD(RtmGetEnumDests(a.h, bad.v[i].h, &num, arr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_RC_BAD(RtmDeleteEnumHandle(a.h, bad.v[i].h), ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	/* The other entity's enumeration still works for its owner. */
	num = 1;
	rc = RtmGetEnumDests(bad.fixture, bad.live_enum, &num, arr);
	CHECK_RC(rc, NO_ERROR);
	if (rc == NO_ERROR && num == 1)
		CHECK_RC(RtmReleaseDests(bad.fixture, num, arr), NO_ERROR);
	tl_badobj_fini(&bad);
	free(arr);
	drain_dests(&a, en, a.prof.MaxHandlesInEnum, &l);
	CHECK_ADDRS(&l, "10.1.0.0/16");
	end_enum(a.h, en);
	tl_delete_route(a.h, r);
	ent_fini(&a);
}

TEST(get_enum_dests_null_pointers_are_invalid_parameter)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr;
	struct dlist l;
	UINT num;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	en = dest_enum(&a, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(r != NULL && en != NULL);
	arr = tl_dest_array_alloc(&a.prof, 1);
	CHECK_RC(RtmGetEnumDests(a.h, en, NULL, arr), ERROR_INVALID_PARAMETER);
	num = 1;
	CHECK_RC(RtmGetEnumDests(a.h, en, &num, NULL), ERROR_INVALID_PARAMETER);
	free(arr);
	drain_dests(&a, en, 1, &l);
	CHECK_ADDRS(&l, "10.1.0.0/16");
	end_enum(a.h, en);
	tl_delete_route(a.h, r);
	ent_fini(&a);
}

TEST(get_enum_dests_count_zero_or_above_max_is_invalid_parameter)
{
	struct ent a;
	RTM_ROUTE_HANDLE r[8];
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr;
	struct dlist l;
	UINT num, max;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	max = a.prof.MaxHandlesInEnum;
	REQUIRE(max >= 1);
	REQUIRE(build_table8(&a, r));
	en = dest_enum(&a, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	arr = tl_dest_array_alloc(&a.prof, max + 1);
	num = 0;
	CHECK_RC(RtmGetEnumDests(a.h, en, &num, arr), ERROR_INVALID_PARAMETER);
	num = max + 1;
	CHECK_RC(RtmGetEnumDests(a.h, en, &num, arr), ERROR_INVALID_PARAMETER);
	num = 0xffffffffu;
	CHECK_RC(RtmGetEnumDests(a.h, en, &num, arr), ERROR_INVALID_PARAMETER);
	free(arr);
	/* Nothing was consumed by the failed calls. */
	drain_dests(&a, en, max, &l);
	CHECK_ADDRS(&l, TABLE8_ORDER);
	end_enum(a.h, en);
	del_routes(a.h, r, 8);
	ent_fini(&a);
}

TEST(delete_enum_handle_twice_is_invalid_handle)
{
	struct ent a;
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr;
	UINT num = 1;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	en = dest_enum(&a, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), NO_ERROR);
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), ERROR_INVALID_HANDLE);
	arr = tl_dest_array_alloc(&a.prof, 1);
	CHECK_RC(RtmGetEnumDests(a.h, en, &num, arr), ERROR_INVALID_HANDLE);
	free(arr);
	ent_fini(&a);
}

TEST(enum_of_another_entity_is_invalid_handle)
{
	struct ent a, b;
	RTM_ROUTE_HANDLE r;
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr;
	struct dlist l;
	UINT num;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	en = dest_enum(&b, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(r != NULL && en != NULL);
	arr = tl_dest_array_alloc(&a.prof, 1);
	num = 1;
	CHECK_RC(RtmGetEnumDests(a.h, en, &num, arr), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), ERROR_INVALID_HANDLE);
	free(arr);
	/* b's enumeration is untouched. */
	drain_dests(&b, en, 1, &l);
	CHECK_ADDRS(&l, "10.1.0.0/16");
	end_enum(b.h, en);
	tl_delete_route(a.h, r);
	ent_fini(&a);
	ent_fini(&b);
}

TEST(enum_handles_of_the_wrong_kind_are_invalid_handle)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;
	RTM_ROUTE_LIST_HANDLE list = NULL;
	RTM_ENUM_HANDLE de, re, ne, le = NULL;
	RTM_DEST_INFO *arr;
	HANDLE hs[4];
	struct dlist l;
	UINT num;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	de = dest_enum(&a, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	re = route_enum(&a, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL, 0);
	ne = NULL;
	CHECK_RC(RtmCreateNextHopEnum(a.h, RTM_ENUM_START, NULL, &ne), NO_ERROR);
	CHECK_RC(RtmCreateRouteList(a.h, &list), NO_ERROR);
	CHECK_RC(RtmCreateRouteListEnum(a.h, list, &le), NO_ERROR);
	REQUIRE(de != NULL && re != NULL && ne != NULL && le != NULL);
	arr = tl_dest_array_alloc(&a.prof, 4);

	num = 4;
	CHECK_RC(RtmGetEnumDests(a.h, re, &num, arr), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetEnumDests(a.h, ne, &num, arr), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetEnumDests(a.h, le, &num, arr), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetEnumRoutes(a.h, de, &num, hs), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetEnumRoutes(a.h, ne, &num, hs), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetEnumRoutes(a.h, le, &num, hs), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetEnumNextHops(a.h, de, &num, hs), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetEnumNextHops(a.h, re, &num, hs), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetEnumNextHops(a.h, le, &num, hs), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetListEnumRoutes(a.h, de, &num, hs), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetListEnumRoutes(a.h, re, &num, hs), ERROR_INVALID_HANDLE);
	num = 4;
	CHECK_RC(RtmGetListEnumRoutes(a.h, ne, &num, hs), ERROR_INVALID_HANDLE);
	free(arr);

	/* Each still works with its own call. */
	drain_dests(&a, de, 4, &l);
	CHECK_ADDRS(&l, "10.1.0.0/16");
	CHECK_EQ_U(drain_routes(a.h, re, 4, hs, 4), 1);
	CHECK_EQ_U(drain_nexthops(a.h, ne, 4, hs, 4), 1);
	/* RtmDeleteEnumHandle frees every kind. */
	end_enum(a.h, de);
	end_enum(a.h, re);
	end_enum(a.h, ne);
	end_enum(a.h, le);
	CHECK_RC(RtmDeleteRouteList(a.h, list), NO_ERROR);
	tl_delete_route(a.h, r);
	ent_fini(&a);
}

TEST(release_dests_bad_registration_handles_release_nothing)
{
	struct ent a;
	struct tl_badset bad;
	RTM_ROUTE_HANDLE r;
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr;
	RTM_ROUTE_HANDLE best;
	UCHAR st = 0xff;
	UINT num = 1;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	en = dest_enum(&a, UCAST, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(r != NULL && en != NULL);
	arr = tl_dest_array_alloc(&a.prof, 1);
	/* One slot, filled: NO_ERROR (§10). */
	CHECK_RC(RtmGetEnumDests(a.h, en, &num, arr), NO_ERROR);
	REQUIRE(num == 1);
	best = TL_VIEW(arr, 0).Route;
	CHECK_EQ_PTR(best, r);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmReleaseDests(bad.v[i].h, 1, arr), ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	/* The item still holds its references: the route outlives its deletion. */
	tl_delete_route(a.h, r);
	CHECK_RC(tl_route_state(a.h, best, &st, NULL), NO_ERROR);
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	CHECK_RC(RtmReleaseDests(a.h, 1, arr), NO_ERROR);
	CHECK_RC(tl_route_state(a.h, best, NULL, NULL), ERROR_INVALID_HANDLE);
	free(arr);
	end_enum(a.h, en);
	ent_fini(&a);
}

/* ---- destination enumeration: order, ranges, batches ---------------------------------- */

TEST(dest_enum_start_returns_every_dest_in_prefix_order)
{
	struct ent a;
	RTM_ROUTE_HANDLE r[8];
	RTM_ENUM_HANDLE en;
	struct dlist l;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(build_table8(&a, r));
	en = dest_enum(&a, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, a.prof.MaxHandlesInEnum, &l);
	CHECK_ADDRS(&l, TABLE8_ORDER);
	end_enum(a.h, en);
	del_routes(a.h, r, 8);
	ent_fini(&a);
}

TEST(dest_enum_batches_of_every_size_follow_the_batch_convention)
{
	struct ent a;
	RTM_ROUTE_HANDLE r[8];
	RTM_ENUM_HANDLE en;
	struct dlist l;
	UINT batch, max;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(build_table8(&a, r));
	max = a.prof.MaxHandlesInEnum;
	for (batch = 1; batch <= max && batch <= 10; batch++) {
		en = dest_enum(&a, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
		REQUIRE(en != NULL);
		drain_dests(&a, en, batch, &l);
		CHECK_ADDRS(&l, TABLE8_ORDER);
		/* Full batches, then one short one (possibly empty) that ends it. */
		CHECK_EQ_U(l.calls, 8 / batch + 1);
		end_enum(a.h, en);
	}
	del_routes(a.h, r, 8);
	ent_fini(&a);
}

TEST(dest_enum_fills_view_info_per_target_view)
{
	struct ent a, b;
	RTM_ROUTE_HANDLE ra, rb, rm;
	RTM_ENUM_HANDLE en;
	struct dlist l;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	ra = rt(&a, "10.1.0.0/16", 20, 1, UCAST);
	rb = rt(&b, "10.1.0.0/16", 10, 1, UCAST);
	rm = rt(&a, "10.1.0.0/16", 30, 1, MCAST);
	REQUIRE(ra != NULL && rb != NULL && rm != NULL);

	en = dest_enum(&a, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, a.prof.MaxHandlesInEnum, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16");
	if (l.n == 1) {
		CHECK_EQ_U(l.nviews[0], 2);
		CHECK_EQ_U(l.belongs[0], BOTH);
		CHECK_EQ_U(l.viewid[0][0], RTM_VIEW_ID_UCAST);
		CHECK_EQ_U(l.viewid[0][1], RTM_VIEW_ID_MCAST);
		CHECK_EQ_U(l.nroutes[0][0], 2);
		CHECK_EQ_U(l.nroutes[0][1], 1);
		CHECK_EQ_PTR(l.best[0][0], rb);
		CHECK_EQ_PTR(l.owner[0][0], b.h);
		CHECK_EQ_PTR(l.best[0][1], rm);
		CHECK_EQ_PTR(l.owner[0][1], a.h);
	}

	/* One view: one ViewInfo, for that view. */
	en = dest_enum(&a, MCAST, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, a.prof.MaxHandlesInEnum, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16");
	if (l.n == 1) {
		CHECK_EQ_U(l.nviews[0], 1);
		CHECK_EQ_U(l.viewid[0][0], RTM_VIEW_ID_MCAST);
		CHECK_EQ_PTR(l.best[0][0], rm);
	}

	/* ANY: no per-view information. */
	en = dest_enum(&a, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, a.prof.MaxHandlesInEnum, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16");
	if (l.n == 1)
		CHECK_EQ_U(l.nviews[0], 0);

	/* ProtocolId chooses which best route is reported, not which dests. */
	en = dest_enum(&a, UCAST, RTM_ENUM_START, NULL, RTM_THIS_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, a.prof.MaxHandlesInEnum, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16");
	if (l.n == 1) {
		CHECK_EQ_PTR(l.best[0][0], ra);
		CHECK_EQ_U(l.nroutes[0][0], 2);
	}
	en = dest_enum(&a, UCAST, RTM_ENUM_START, NULL, TL_PROTO_BGP);
	REQUIRE(en != NULL);
	drain_dests(&a, en, a.prof.MaxHandlesInEnum, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16");
	if (l.n == 1) {
		CHECK_EQ_PTR(l.best[0][0], NULL);
		CHECK_EQ_PTR(l.owner[0][0], NULL);
	}

	tl_delete_route(a.h, ra);
	tl_delete_route(b.h, rb);
	tl_delete_route(a.h, rm);
	ent_fini(&a);
	ent_fini(&b);
}

TEST(dest_enum_array_stride_is_the_profile_view_count_for_any_target_views)
{
	static const DWORD views[] = {UCAST, MCAST, RTM_VIEW_MASK_ANY, BOTH};
	struct ent a;
	RTM_ROUTE_HANDLE r[3];
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr;
	RTM_NET_ADDRESS w;
	size_t stride;
	unsigned v, i, expect_nv;
	UINT num;
	DWORD rc;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(a.prof.MaxHandlesInEnum >= 3);
	r[0] = rt(&a, "10.1.0.0/16", 10, 1, BOTH);
	r[1] = rt(&a, "10.2.0.0/16", 10, 1, BOTH);
	r[2] = rt(&a, "10.3.0.0/16", 10, 1, BOTH);
	REQUIRE(r[0] && r[1] && r[2]);
	stride = RTM_SIZE_OF_DEST_INFO(a.prof.NumberOfViews);
	/* One spare element so that a larger stride would not overrun the buffer. */
	arr = tl_dest_array_alloc(&a.prof, 4 * RTM_MAX_VIEWS);
	for (v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
		expect_nv = tl_popcount(views[v]);
		memset(arr, 0xa5, stride * 4 * RTM_MAX_VIEWS);
		en = dest_enum(&a, views[v], RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
		REQUIRE(en != NULL);
		num = 3;
		rc = RtmGetEnumDests(a.h, en, &num, arr);
		CHECK(rc == NO_ERROR || rc == ERROR_NO_MORE_ITEMS);
		CHECK_EQ_U(num, 3);
		for (i = 0; i < num && i < 3; i++) {
			RTM_DEST_INFO *di = (RTM_DEST_INFO *)(void *)((char *)arr + i * stride);
			char name[24];

			snprintf(name, sizeof(name), "10.%u.0.0/16", i + 1);
			pfx(&w, name);
			if (!tl_addr_eq(&di->DestAddress, &w))
				check_fail(__FILE__, __LINE__,
					   "views 0x%x: element %u at stride %zu is not %s",
					   (unsigned)views[v], i, stride, name);
			CHECK_EQ_U(di->NumberOfViews, expect_nv);
			if (expect_nv >= 1)
				CHECK_EQ_PTR(TL_VIEW(di, 0).Route, r[i]);
		}
		if (num > 0 && num <= 3)
			CHECK_RC(RtmReleaseDests(a.h, num, arr), NO_ERROR);
		end_enum(a.h, en);
	}
	free(arr);
	del_routes(a.h, r, 3);
	ent_fini(&a);
}

TEST(dest_enum_next_starts_at_the_given_prefix_and_runs_to_the_end)
{
	struct ent a;
	RTM_ROUTE_HANDLE r[8];
	RTM_ENUM_HANDLE en;
	struct dlist l;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(build_table8(&a, r));

	en = dest_enum(&a, BOTH, RTM_ENUM_NEXT, "10.0.0.0/16", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 3, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/32", "10.1.0.0/16", "11.0.0.0/8",
		    "192.168.1.0/24");

	/* A start that is not in the table: everything after it. */
	en = dest_enum(&a, BOTH, RTM_ENUM_NEXT, "10.0.5.0/24", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 3, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16", "11.0.0.0/8", "192.168.1.0/24");

	/* Host bits beyond NumBits are masked off: 10.0.255.0/16 means 10.0/16. */
	en = dest_enum(&a, BOTH, RTM_ENUM_NEXT, "10.0.255.0/16", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 3, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/32", "10.1.0.0/16", "11.0.0.0/8",
		    "192.168.1.0/24");

	/* Past the last prefix: nothing. */
	en = dest_enum(&a, BOTH, RTM_ENUM_NEXT, "200.0.0.0/8", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 3, &l);
	end_enum(a.h, en);
	CHECK_EQ_U(l.n, 0);

	del_routes(a.h, r, 8);
	ent_fini(&a);
}

TEST(dest_enum_range_returns_only_prefixes_inside_the_range)
{
	struct ent a;
	RTM_ROUTE_HANDLE r[8];
	RTM_ENUM_HANDLE en;
	struct dlist l;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(build_table8(&a, r));

	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "10.0.0.0/8", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/32", "10.1.0.0/16");

	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "10.0.0.0/16", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/32");

	/* A range whose own prefix is not in the table. */
	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "10.0.0.0/12", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/32", "10.1.0.0/16");
	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "10.0.0.0/20", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.0.0.0/24", "10.0.0.0/32");

	/* 0/0 covers the whole table, like the sample's walk. */
	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "0.0.0.0/0", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, a.prof.MaxHandlesInEnum, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, TABLE8_ORDER);

	/* A single host route. */
	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "10.0.0.0/32", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.0.0.0/32");

	/* An empty range: the first call already ends it. */
	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "12.0.0.0/8", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_EQ_U(l.n, 0);
	CHECK_EQ_U(l.calls, 1);

	del_routes(a.h, r, 8);
	ent_fini(&a);
}

TEST(dest_enum_ipv6_order_and_tables_are_separate)
{
	struct ent a6, a4;
	RTM_ROUTE_HANDLE r[6];
	RTM_ENUM_HANDLE en;
	struct dlist l;

	REQUIRE(ent_init(&a6, AF_INET6, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&a4, AF_INET, TL_PROTO_RIP, 1));
	r[0] = rt(&a6, "2001:db9::/32", 10, 1, UCAST);
	r[1] = rt(&a6, "2001:db8:0:1::/64", 10, 1, UCAST);
	r[2] = rt(&a6, "2001:db8::/48", 10, 1, UCAST);
	r[3] = rt(&a6, "2001:db8:1::/48", 10, 1, UCAST);
	r[4] = rt(&a6, "2001:db8::/32", 10, 1, UCAST);
	r[5] = rt(&a4, "10.0.0.0/8", 10, 1, UCAST);
	REQUIRE(r[0] && r[1] && r[2] && r[3] && r[4] && r[5]);

	en = dest_enum(&a6, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a6, en, 2, &l);
	end_enum(a6.h, en);
	CHECK_ADDRS(&l, "2001:db8::/32", "2001:db8::/48", "2001:db8:0:1::/64", "2001:db8:1::/48",
		    "2001:db9::/32");

	en = dest_enum(&a6, BOTH, RTM_ENUM_RANGE, "2001:db8::/47", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a6, en, 2, &l);
	end_enum(a6.h, en);
	CHECK_ADDRS(&l, "2001:db8::/48", "2001:db8:0:1::/64", "2001:db8:1::/48");

	en = dest_enum(&a4, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a4, en, 2, &l);
	end_enum(a4.h, en);
	CHECK_ADDRS(&l, "10.0.0.0/8");

	del_routes(a6.h, r, 5);
	tl_delete_route(a4.h, r[5]);
	ent_fini(&a6);
	ent_fini(&a4);
}

TEST(dest_enum_target_views_select_the_destinations)
{
	struct ent a;
	RTM_ROUTE_HANDLE r[4];
	RTM_ENUM_HANDLE en;
	struct dlist l;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	r[0] = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	r[1] = rt(&a, "10.2.0.0/16", 10, 1, MCAST);
	r[2] = rt(&a, "10.3.0.0/16", 10, 1, BOTH);
	r[3] = rt(&a, "10.4.0.0/16", 10, 1, UCAST);
	REQUIRE(r[0] && r[1] && r[2] && r[3]);

	en = dest_enum(&a, UCAST, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16", "10.3.0.0/16", "10.4.0.0/16");

	en = dest_enum(&a, MCAST, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.2.0.0/16", "10.3.0.0/16");

	en = dest_enum(&a, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16");

	en = dest_enum(&a, RTM_VIEW_MASK_ALL, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16");
	if (l.n == 4)
		CHECK_EQ_U(l.nviews[0], 2);

	en = dest_enum(&a, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16");

	del_routes(a.h, r, 4);
	ent_fini(&a);
}

TEST(dest_enum_own_dests_are_those_where_the_caller_has_the_best_route)
{
	struct ent a, b;
	RTM_ROUTE_HANDLE r[6];
	RTM_ENUM_HANDLE en;
	struct dlist l;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	r[0] = rt(&a, "10.1.0.0/16", 10, 1, UCAST); /* a best (only route) */
	r[1] = rt(&b, "10.2.0.0/16", 10, 1, UCAST); /* b best (only route) */
	r[2] = rt(&a, "10.3.0.0/16", 20, 1, UCAST); /* b best in unicast */
	r[3] = rt(&b, "10.3.0.0/16", 10, 1, UCAST);
	r[4] = rt(&a, "10.3.0.0/16", 10, 1, MCAST); /* a best in multicast */
	r[5] = rt(&a, "10.4.0.0/16", 90, 1, UCAST); /* a only route, poor preference */
	REQUIRE(r[0] && r[1] && r[2] && r[3] && r[4] && r[5]);

	en = dest_enum(&a, BOTH, RTM_ENUM_START | RTM_ENUM_OWN_DESTS, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16", "10.3.0.0/16", "10.4.0.0/16");

	en = dest_enum(&a, UCAST, RTM_ENUM_START | RTM_ENUM_OWN_DESTS, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.1.0.0/16", "10.4.0.0/16");

	en = dest_enum(&b, UCAST, RTM_ENUM_START | RTM_ENUM_OWN_DESTS, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&b, en, 2, &l);
	end_enum(b.h, en);
	CHECK_ADDRS(&l, "10.2.0.0/16", "10.3.0.0/16");

	en = dest_enum(&b, MCAST, RTM_ENUM_START | RTM_ENUM_OWN_DESTS, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&b, en, 2, &l);
	end_enum(b.h, en);
	CHECK_EQ_U(l.n, 0);

	/* Combined with a range. */
	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE | RTM_ENUM_OWN_DESTS, "10.2.0.0/15",
		       RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	drain_dests(&a, en, 2, &l);
	end_enum(a.h, en);
	CHECK_ADDRS(&l, "10.3.0.0/16");

	tl_delete_route(a.h, r[0]);
	tl_delete_route(b.h, r[1]);
	tl_delete_route(a.h, r[2]);
	tl_delete_route(b.h, r[3]);
	tl_delete_route(a.h, r[4]);
	tl_delete_route(a.h, r[5]);
	ent_fini(&a);
	ent_fini(&b);
}

TEST(dest_enum_is_a_live_cursor)
{
	struct ent a;
	RTM_ROUTE_HANDLE r[8], late1, late2;
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr;
	struct dlist l;
	UINT num = 2;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(a.prof.MaxHandlesInEnum >= 2);
	REQUIRE(build_table8(&a, r));
	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "10.0.0.0/8", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	arr = tl_dest_array_alloc(&a.prof, 2);
	CHECK_RC(RtmGetEnumDests(a.h, en, &num, arr), NO_ERROR);
	CHECK_EQ_U(num, 2);
	if (num == 2) {
		RTM_NET_ADDRESS w;

		pfx(&w, "10.0.0.0/8");
		CHECK(tl_addr_eq(&TL_DEST_AT(arr, &a.prof, 0)->DestAddress, &w));
		pfx(&w, "10.0.0.0/16");
		CHECK(tl_addr_eq(&TL_DEST_AT(arr, &a.prof, 1)->DestAddress, &w));
		CHECK_RC(RtmReleaseDests(a.h, num, arr), NO_ERROR);
	}
	free(arr);

	/* Ahead of the cursor: shows up.  Behind it: does not.  Deleted ahead: gone. */
	late1 = rt(&a, "10.0.0.128/25", 10, 1, UCAST);
	late2 = rt(&a, "10.0.0.0/12", 10, 1, UCAST);
	for (i = 0; i < 8; i++) {
		if (strcmp(table8[i], "10.1.0.0/16") == 0) {
			tl_delete_route(a.h, r[i]);
			r[i] = NULL;
		}
	}
	drain_dests(&a, en, 2, &l);
	CHECK_ADDRS(&l, "10.0.0.0/24", "10.0.0.0/32", "10.0.0.128/25");
	end_enum(a.h, en);
	if (late1 != NULL)
		tl_delete_route(a.h, late1);
	if (late2 != NULL)
		tl_delete_route(a.h, late2);
	del_routes(a.h, r, 8);
	ent_fini(&a);
}

TEST(dest_enum_items_hold_references_until_released)
{
	struct ent a;
	RTM_ROUTE_HANDLE r;
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr, *chk;
	RTM_NET_ADDRESS p;
	RTM_DEST_HANDLE dest;
	RTM_ROUTE_HANDLE best;
	UCHAR st = 0xff;
	UINT num = 1;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	en = dest_enum(&a, UCAST, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	arr = tl_dest_array_alloc(&a.prof, 1);
	CHECK_RC(RtmGetEnumDests(a.h, en, &num, arr), NO_ERROR);
	REQUIRE(num == 1);
	dest = arr->DestHandle;
	best = TL_VIEW(arr, 0).Route;
	CHECK_EQ_PTR(best, r);
	CHECK_EQ_PTR(TL_VIEW(arr, 0).Owner, a.h);
	/* The enumeration can be deleted before its items are released. */
	end_enum(a.h, en);

	/* Delete the only route: the destination leaves the table ... */
	tl_delete_route(a.h, r);
	pfx(&p, "10.1.0.0/16");
	CHECK(!tl_dest_exists(a.h, &p));
	/* ... but the item's handles still refer to live objects. */
	CHECK_RC(tl_route_state(a.h, best, &st, NULL), NO_ERROR);
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	chk = tl_dest_info_alloc(RTM_MAX_VIEWS);
	CHECK_RC(RtmGetDestInfo(a.h, dest, RTM_BEST_PROTOCOL, UCAST, chk), NO_ERROR);
	RtmReleaseDestInfo(a.h, chk);

	/* Releasing the item drops the last references. */
	CHECK_RC(RtmReleaseDests(a.h, 1, arr), NO_ERROR);
	CHECK_RC(tl_route_state(a.h, best, NULL, NULL), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetDestInfo(a.h, dest, RTM_BEST_PROTOCOL, UCAST, chk), ERROR_INVALID_HANDLE);
	free(chk);
	free(arr);
	ent_fini(&a);
}

TEST(dest_enum_drain_loop_of_the_sample_sees_every_destination_once)
{
	struct ent a;
	RTM_ROUTE_HANDLE *r;
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *arr;
	RTM_NET_ADDRESS prev;
	unsigned total, i, seen = 0, calls = 0, ordered = 1;
	UINT num, max;
	DWORD rc;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	max = a.prof.MaxHandlesInEnum;
	total = 3 * max + 1;
	if (total > MAXITEMS)
		total = MAXITEMS;
	r = calloc(total, sizeof(*r));
	REQUIRE(r != NULL);
	for (i = 0; i < total; i++) {
		RTM_NET_ADDRESS p;
		char buf[32];

		/* Added in reverse order of their keys. */
		snprintf(buf, sizeof(buf), "10.%u.%u.0", (total - 1 - i) / 256,
			 (total - 1 - i) % 256);
		tl_ipv4(&p, buf, 24);
		r[i] = tl_add_route(a.h, &p, a.nh, 10, 1, UCAST, NULL);
	}
	memset(&prev, 0, sizeof(prev));
	arr = tl_dest_array_alloc(&a.prof, max);
	en = dest_enum(&a, BOTH, RTM_ENUM_RANGE, "0.0.0.0/0", RTM_BEST_PROTOCOL);
	REQUIRE(en != NULL);
	do {
		num = max;
		rc = RtmGetEnumDests(a.h, en, &num, arr);
		for (i = 0; i < num; i++) {
			RTM_DEST_INFO *di = TL_DEST_AT(arr, &a.prof, i);

			if (seen > 0 && memcmp(di->DestAddress.AddrBits, prev.AddrBits, 4) <= 0)
				ordered = 0;
			prev = di->DestAddress;
			CHECK_EQ_U(TL_VIEW(di, 0).ViewId, RTM_VIEW_ID_UCAST);
			seen++;
		}
		if (num > 0)
			CHECK_RC(RtmReleaseDests(a.h, num, arr), NO_ERROR);
	} while (rc == NO_ERROR && ++calls < 10 * MAXITEMS);
	CHECK_RC(rc, ERROR_NO_MORE_ITEMS);
	CHECK_EQ_U(seen, total);
	CHECK(ordered);
	end_enum(a.h, en);
	free(arr);
	del_routes(a.h, r, total);
	free(r);
	ent_fini(&a);
}

TEST(deregistering_with_open_enumerations_cleans_them_up)
{
	struct ent a, b;
	RTM_ROUTE_HANDLE r;
	RTM_ENUM_HANDLE de, re, ne;
	RTM_DEST_INFO *arr;
	UINT num = 1;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, AF_INET, TL_PROTO_OSPF, 1));
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	de = dest_enum(&b, BOTH, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL);
	re = route_enum(&b, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL, 0);
	ne = NULL;
	CHECK_RC(RtmCreateNextHopEnum(b.h, RTM_ENUM_START, NULL, &ne), NO_ERROR);
	REQUIRE(de != NULL && re != NULL && ne != NULL);
	CHECK_RC(RtmDeleteNextHop(b.h, b.nh, NULL), NO_ERROR);
	b.nh = NULL;
	tl_deregister(b.h);
	/* The enums went with their owner; nobody else can use them. */
	arr = tl_dest_array_alloc(&a.prof, 1);
	CHECK_RC(RtmGetEnumDests(a.h, de, &num, arr), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmDeleteEnumHandle(a.h, re), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmDeleteEnumHandle(a.h, ne), ERROR_INVALID_HANDLE);
	free(arr);
	tl_delete_route(a.h, r);
	ent_fini(&a);
}

/* ---- RtmCreateRouteEnum / RtmGetEnumRoutes ---------------------------------------------- */

TEST(create_route_enum_bad_registration_handles_are_invalid_handle)
{
	struct tl_badset bad;
	RTM_ENUM_HANDLE en;
	unsigned i;

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		en = NULL;
		CHECK_RC_BAD(RtmCreateRouteEnum(bad.v[i].h, NULL, BOTH, RTM_ENUM_START, NULL,
						RTM_MATCH_NONE, NULL, 0, &en),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(en, NULL);
	}
	tl_bad_fini(&bad);
}

TEST(create_route_enum_bad_dest_handles_are_invalid_handle)
{
	struct ent a;
	struct tl_badset bad;
	RTM_ENUM_HANDLE en;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_DEST) > 0);
	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue; /* NULL means "every destination" */
		en = NULL;
		CHECK_RC_BAD(RtmCreateRouteEnum(a.h, bad.v[i].h, BOTH, RTM_ENUM_START, NULL,
						RTM_MATCH_NONE, NULL, 0, &en),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(en, NULL);
	}
	tl_bad_fini(&bad);
	ent_fini(&a);
}

TEST(create_route_enum_bad_arguments_are_invalid_parameter)
{
	static const DWORD flags[] = {RTM_ENUM_NEXT | RTM_ENUM_RANGE, 0x4, 0x80, 0x00100000,
				      0x80000000};
	struct ent a;
	RTM_NET_ADDRESS p;
	RTM_ENUM_HANDLE en = NULL;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.0.0.0", 8);
	CHECK_RC(RtmCreateRouteEnum(a.h, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL, 0,
				    NULL),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateRouteEnum(a.h, NULL, BOTH, RTM_ENUM_NEXT, NULL, RTM_MATCH_NONE, NULL, 0,
				    &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(en, NULL);
	CHECK_RC(RtmCreateRouteEnum(a.h, NULL, BOTH, RTM_ENUM_RANGE, NULL, RTM_MATCH_NONE, NULL, 0,
				    &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(en, NULL);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		en = NULL;
		CHECK_RC(RtmCreateRouteEnum(a.h, NULL, BOTH, flags[i], &p, RTM_MATCH_NONE, NULL, 0,
					    &en),
			 ERROR_INVALID_PARAMETER);
		if (en != NULL)
			RtmDeleteEnumHandle(a.h, en);
	}
	/* Criteria that need a criteria route without one. */
	en = NULL;
	CHECK_RC(RtmCreateRouteEnum(a.h, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_OWNER, NULL, 0,
				    &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(en, NULL);
	CHECK_RC(RtmCreateRouteEnum(a.h, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_PREF, NULL, 0,
				    &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(en, NULL);
	/* NONE and INTERFACE alone may go without one. */
	CHECK_RC(RtmCreateRouteEnum(a.h, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_INTERFACE,
				    NULL, 1, &en),
		 NO_ERROR);
	end_enum(a.h, en);
	ent_fini(&a);
}

TEST(create_route_enum_unsupported_views_are_not_supported)
{
	static const DWORD views[] = {0x4, UCAST | 0x8, 0x80000000};
	struct ent a;
	RTM_ENUM_HANDLE en;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		en = NULL;
		CHECK_RC(RtmCreateRouteEnum(a.h, NULL, views[i], RTM_ENUM_START, NULL,
					    RTM_MATCH_NONE, NULL, 0, &en),
			 ERROR_NOT_SUPPORTED);
		if (en != NULL)
			RtmDeleteEnumHandle(a.h, en);
	}
	en = NULL;
	CHECK_RC(RtmCreateRouteEnum(a.h, NULL, RTM_VIEW_MASK_ALL, RTM_ENUM_START, NULL,
				    RTM_MATCH_NONE, NULL, 0, &en),
		 NO_ERROR);
	end_enum(a.h, en);
	ent_fini(&a);
}

TEST(get_enum_routes_bad_handles_and_arguments)
{
	struct ent a;
	struct tl_badset bad;
	struct tl_badobj badobj;
	RTM_ROUTE_HANDLE r, got[4];
	RTM_ROUTE_HANDLE *hs;
	RTM_ENUM_HANDLE en;
	UINT num, max;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	max = a.prof.MaxHandlesInEnum;
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	en = route_enum(&a, NULL, BOTH, RTM_ENUM_RANGE, "10.0.0.0/8", RTM_MATCH_NONE, NULL, 0);
	REQUIRE(r != NULL && en != NULL);
	hs = calloc(max + 1, sizeof(*hs));
	REQUIRE(hs != NULL);

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		num = max;
		CHECK_RC_BAD(RtmGetEnumRoutes(bad.v[i].h, en, &num, hs), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	}
	tl_bad_fini(&bad);
	REQUIRE(tl_badobj_init(&badobj, AF_INET, TL_O_ENUM) > 0);
	for (i = 0; i < badobj.n; i++) {
		num = max;
		CHECK_RC_BAD(RtmGetEnumRoutes(a.h, badobj.v[i].h, &num, hs), ERROR_INVALID_HANDLE,
			     &badobj.v[i]);
	}
	tl_badobj_fini(&badobj);

	CHECK_RC(RtmGetEnumRoutes(a.h, en, NULL, hs), ERROR_INVALID_PARAMETER);
	num = 1;
	CHECK_RC(RtmGetEnumRoutes(a.h, en, &num, NULL), ERROR_INVALID_PARAMETER);
	num = 0;
	CHECK_RC(RtmGetEnumRoutes(a.h, en, &num, hs), ERROR_INVALID_PARAMETER);
	num = max + 1;
	CHECK_RC(RtmGetEnumRoutes(a.h, en, &num, hs), ERROR_INVALID_PARAMETER);
	free(hs);

	/* Nothing was consumed. */
	CHECK_EQ_U(drain_routes(a.h, en, 4 <= max ? 4 : max, got, 4), 1);
	CHECK_EQ_PTR(got[0], r);
	end_enum(a.h, en);
	tl_delete_route(a.h, r);
	ent_fini(&a);
}

/* Three entities and two destinations: the route order of §5 and §10. */
struct rtab {
	struct ent a, b, c;
	RTM_ROUTE_HANDLE a1, b1, c1, a2, bm, a3;
};

static int
rtab_init(struct rtab *t)
{
	if (!ent_init(&t->a, AF_INET, TL_PROTO_RIP, 1) ||
	    !ent_init(&t->b, AF_INET, TL_PROTO_OSPF, 1) ||
	    !ent_init(&t->c, AF_INET, TL_PROTO_BGP, 1))
		return 0;
	/* 10.1/16: c (10/5) before b (10/7) before a (20/1). */
	t->a1 = rt(&t->a, "10.1.0.0/16", 20, 1, UCAST);
	t->b1 = rt(&t->b, "10.1.0.0/16", 10, 7, UCAST);
	t->c1 = rt(&t->c, "10.1.0.0/16", 10, 5, UCAST);
	/* 10.2/16: a in unicast, b in multicast only. */
	t->a2 = rt(&t->a, "10.2.0.0/16", 10, 1, UCAST);
	t->bm = rt(&t->b, "10.2.0.0/16", 5, 1, MCAST);
	/* 11/8: a in both views. */
	t->a3 = rt(&t->a, "11.0.0.0/8", 10, 3, BOTH);
	return t->a1 && t->b1 && t->c1 && t->a2 && t->bm && t->a3;
}

static void
rtab_fini(struct rtab *t)
{
	if (t->a1)
		tl_delete_route(t->a.h, t->a1);
	if (t->b1)
		tl_delete_route(t->b.h, t->b1);
	if (t->c1)
		tl_delete_route(t->c.h, t->c1);
	if (t->a2)
		tl_delete_route(t->a.h, t->a2);
	if (t->bm)
		tl_delete_route(t->b.h, t->bm);
	if (t->a3)
		tl_delete_route(t->a.h, t->a3);
	ent_fini(&t->a);
	ent_fini(&t->b);
	ent_fini(&t->c);
}

TEST(route_enum_walks_dest_order_then_preference_order)
{
	struct rtab t;
	RTM_ROUTE_HANDLE got[16];
	RTM_ENUM_HANDLE en;
	unsigned n;
	UINT batch;

	memset(&t, 0, sizeof(t));
	if (!rtab_init(&t)) {
		rtab_fini(&t);
		REQUIRE(0);
	}
	for (batch = 1; batch <= t.a.prof.MaxHandlesInEnum && batch <= 7; batch++) {
		en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL, 0);
		REQUIRE(en != NULL);
		n = drain_routes(t.a.h, en, batch, got, 16);
		CHECK_HANDLES(got, n, t.c1, t.b1, t.a1, t.bm, t.a2, t.a3);
		end_enum(t.a.h, en);
	}
	rtab_fini(&t);
}

TEST(route_enum_views_select_routes_and_a_route_in_two_views_comes_once)
{
	struct rtab t;
	RTM_ROUTE_HANDLE got[16], nov;
	RTM_ENUM_HANDLE en;
	unsigned n;

	memset(&t, 0, sizeof(t));
	if (!rtab_init(&t)) {
		rtab_fini(&t);
		REQUIRE(0);
	}
	/* A route in no view at all. */
	nov = rt(&t.c, "11.0.0.0/8", 50, 1, 0);
	REQUIRE(nov != NULL);

	en = route_enum(&t.a, NULL, UCAST, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 3, got, 16);
	CHECK_HANDLES(got, n, t.c1, t.b1, t.a1, t.a2, t.a3);
	end_enum(t.a.h, en);

	en = route_enum(&t.a, NULL, MCAST, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 3, got, 16);
	CHECK_HANDLES(got, n, t.bm, t.a3);
	end_enum(t.a.h, en);

	/* ANY: every route, the view-less one included. */
	en = route_enum(&t.a, NULL, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL,
			0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 3, got, 16);
	CHECK_HANDLES(got, n, t.c1, t.b1, t.a1, t.bm, t.a2, t.a3, nov);
	end_enum(t.a.h, en);

	tl_delete_route(t.c.h, nov);
	rtab_fini(&t);
}

TEST(route_enum_own_routes_returns_only_the_callers)
{
	struct rtab t;
	RTM_ROUTE_HANDLE got[16];
	RTM_ENUM_HANDLE en;
	unsigned n;

	memset(&t, 0, sizeof(t));
	if (!rtab_init(&t)) {
		rtab_fini(&t);
		REQUIRE(0);
	}
	en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_START | RTM_ENUM_OWN_ROUTES, NULL,
			RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, t.a1, t.a2, t.a3);
	end_enum(t.a.h, en);

	en = route_enum(&t.b, NULL, BOTH, RTM_ENUM_START | RTM_ENUM_OWN_ROUTES, NULL,
			RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.b.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, t.b1, t.bm);
	end_enum(t.b.h, en);
	rtab_fini(&t);
}

TEST(route_enum_next_and_range_limit_the_destinations)
{
	struct rtab t;
	RTM_ROUTE_HANDLE got[16];
	RTM_ENUM_HANDLE en;
	unsigned n;

	memset(&t, 0, sizeof(t));
	if (!rtab_init(&t)) {
		rtab_fini(&t);
		REQUIRE(0);
	}
	en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_NEXT, "10.2.0.0/16", RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, t.bm, t.a2, t.a3);
	end_enum(t.a.h, en);

	en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_RANGE, "10.0.0.0/8", RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, t.c1, t.b1, t.a1, t.bm, t.a2);
	end_enum(t.a.h, en);

	en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_RANGE | RTM_ENUM_OWN_ROUTES, "10.0.0.0/8",
			RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, t.a1, t.a2);
	end_enum(t.a.h, en);

	en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_RANGE, "12.0.0.0/8", RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	CHECK_EQ_U(drain_routes(t.a.h, en, 2, got, 16), 0);
	end_enum(t.a.h, en);
	rtab_fini(&t);
}

TEST(route_enum_of_one_destination_ignores_the_start_address)
{
	struct rtab t;
	RTM_ROUTE_HANDLE got[16];
	RTM_ENUM_HANDLE en;
	RTM_DEST_INFO *di;
	RTM_NET_ADDRESS p;
	unsigned n;

	memset(&t, 0, sizeof(t));
	if (!rtab_init(&t)) {
		rtab_fini(&t);
		REQUIRE(0);
	}
	pfx(&p, "10.1.0.0/16");
	di = tl_dest_get(t.a.h, &p);
	REQUIRE(di != NULL);

	en = route_enum(&t.a, di->DestHandle, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, t.c1, t.b1, t.a1);
	end_enum(t.a.h, en);

	/* A range that does not cover the destination is ignored. */
	en = route_enum(&t.a, di->DestHandle, BOTH, RTM_ENUM_RANGE, "12.0.0.0/8", RTM_MATCH_NONE,
			NULL, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, t.c1, t.b1, t.a1);
	end_enum(t.a.h, en);

	en = route_enum(&t.b, di->DestHandle, BOTH, RTM_ENUM_START | RTM_ENUM_OWN_ROUTES, NULL,
			RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.b.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, t.b1);
	end_enum(t.b.h, en);

	tl_dest_put(t.a.h, di);
	rtab_fini(&t);
}

TEST(route_enum_match_criteria_filter_routes)
{
	struct rtab t;
	RTM_ROUTE_HANDLE got[16], a4, a5;
	RTM_NEXTHOP_HANDLE nh2;
	RTM_ROUTE_INFO *crit;
	RTM_ENUM_HANDLE en;
	RTM_NET_ADDRESS p;
	DWORD fl;
	unsigned n;

	memset(&t, 0, sizeof(t));
	if (!rtab_init(&t)) {
		rtab_fini(&t);
		REQUIRE(0);
	}
	/* Two more routes of a at 12/8: one through a second next hop on interface 9. */
	nh2 = tl_add_nexthop(t.a.h, AF_INET, "10.255.0.2", 9);
	REQUIRE(nh2 != NULL);
	pfx(&p, "12.0.0.0/8");
	fl = RTM_ROUTE_CHANGE_NEW;
	a4 = tl_add_route(t.a.h, &p, nh2, 10, 5, UCAST, &fl);
	fl = RTM_ROUTE_CHANGE_NEW;
	a5 = tl_add_route(t.a.h, &p, t.a.nh, 10, 7, UCAST, &fl);
	REQUIRE(a4 != NULL && a5 != NULL);
	crit = tl_route_info_alloc(t.a.prof.MaxNextHopsInRoute + 1);

	/* OWNER. */
	crit->RouteOwner = t.b.h;
	en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_OWNER, crit, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, t.b1, t.bm);
	end_enum(t.a.h, en);

	/* PREF: Preference and Metric both equal. */
	memset(crit, 0, RTMX_SIZE_OF_ROUTE_INFO(1));
	crit->PrefInfo.Preference = 10;
	crit->PrefInfo.Metric = 5;
	en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_PREF, crit, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, t.c1, a4);
	end_enum(t.a.h, en);

	/* NEXTHOP: routes through nh2. */
	memset(crit, 0, RTMX_SIZE_OF_ROUTE_INFO(1));
	crit->NextHopsList.NumNextHops = 1;
	TL_NH(crit, 0) = nh2;
	en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_NEXTHOP, crit, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, a4);
	end_enum(t.a.h, en);

	/* INTERFACE, without a criteria route. */
	en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_INTERFACE, NULL, 9);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, a4);
	end_enum(t.a.h, en);

	/* NEIGHBOUR NULL matches every route added without a neighbour. */
	memset(crit, 0, RTMX_SIZE_OF_ROUTE_INFO(1));
	en = route_enum(&t.a, NULL, UCAST, RTM_ENUM_RANGE, "12.0.0.0/8", RTM_MATCH_NEIGHBOUR, crit,
			0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, a4, a5);
	end_enum(t.a.h, en);

	/* Several criteria at once: owner a and preference 10/7. */
	crit->RouteOwner = t.a.h;
	crit->PrefInfo.Preference = 10;
	crit->PrefInfo.Metric = 7;
	en = route_enum(&t.a, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_OWNER | RTM_MATCH_PREF,
			crit, 0);
	REQUIRE(en != NULL);
	n = drain_routes(t.a.h, en, 2, got, 16);
	CHECK_HANDLES(got, n, a5);
	end_enum(t.a.h, en);

	free(crit);
	tl_delete_route(t.a.h, a4);
	tl_delete_route(t.a.h, a5);
	CHECK_RC(RtmDeleteNextHop(t.a.h, nh2, NULL), NO_ERROR);
	rtab_fini(&t);
}

TEST(route_enum_items_hold_references_until_released)
{
	struct ent a;
	RTM_ROUTE_HANDLE r, got[2];
	RTM_ENUM_HANDLE en;
	UCHAR st = 0xff;
	UINT num = 2;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	REQUIRE(a.prof.MaxHandlesInEnum >= 2);
	r = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	REQUIRE(r != NULL);
	en = route_enum(&a, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	CHECK_RC(RtmGetEnumRoutes(a.h, en, &num, got), ERROR_NO_MORE_ITEMS);
	REQUIRE(num == 1);
	CHECK_EQ_PTR(got[0], r);
	end_enum(a.h, en);
	tl_delete_route(a.h, r);
	CHECK_RC(tl_route_state(a.h, got[0], &st, NULL), NO_ERROR);
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	CHECK_RC(RtmReleaseRoutes(a.h, 1, got), NO_ERROR);
	CHECK_RC(tl_route_state(a.h, got[0], NULL, NULL), ERROR_INVALID_HANDLE);
	ent_fini(&a);
}

TEST(route_enum_is_a_live_cursor)
{
	struct ent a;
	RTM_ROUTE_HANDLE r1, r2, r3, late, behind, got[8];
	RTM_ENUM_HANDLE en;
	UINT num = 1;
	unsigned n;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	r1 = rt(&a, "10.1.0.0/16", 10, 1, UCAST);
	r2 = rt(&a, "10.2.0.0/16", 10, 1, UCAST);
	r3 = rt(&a, "10.3.0.0/16", 10, 1, UCAST);
	REQUIRE(r1 && r2 && r3);
	en = route_enum(&a, NULL, BOTH, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL, 0);
	REQUIRE(en != NULL);
	CHECK_RC(RtmGetEnumRoutes(a.h, en, &num, got), NO_ERROR);
	REQUIRE(num == 1);
	CHECK_EQ_PTR(got[0], r1);
	CHECK_RC(RtmReleaseRoutes(a.h, 1, got), NO_ERROR);
	behind = rt(&a, "10.0.0.0/16", 10, 1, UCAST);
	late = rt(&a, "10.4.0.0/16", 10, 1, UCAST);
	tl_delete_route(a.h, r2);
	n = drain_routes(a.h, en, 1, got, 8);
	CHECK_HANDLES(got, n, r3, late);
	end_enum(a.h, en);
	tl_delete_route(a.h, r1);
	tl_delete_route(a.h, r3);
	if (late)
		tl_delete_route(a.h, late);
	if (behind)
		tl_delete_route(a.h, behind);
	ent_fini(&a);
}

/* ---- RtmCreateNextHopEnum / RtmGetEnumNextHops ------------------------------------------- */

TEST(create_nexthop_enum_bad_arguments)
{
	struct tl_badset bad;
	struct ent a;
	RTM_NET_ADDRESS p;
	RTM_ENUM_HANDLE en;
	unsigned i;

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		en = NULL;
		CHECK_RC_BAD(RtmCreateNextHopEnum(bad.v[i].h, RTM_ENUM_START, NULL, &en),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(en, NULL);
	}
	tl_bad_fini(&bad);

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	tl_ipv4(&p, "10.0.0.0", 8);
	en = NULL;
	CHECK_RC(RtmCreateNextHopEnum(a.h, RTM_ENUM_START, NULL, NULL), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateNextHopEnum(a.h, RTM_ENUM_NEXT, NULL, &en), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateNextHopEnum(a.h, RTM_ENUM_RANGE, NULL, &en), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateNextHopEnum(a.h, RTM_ENUM_NEXT | RTM_ENUM_RANGE, &p, &en),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateNextHopEnum(a.h, 0x4, &p, &en), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateNextHopEnum(a.h, 0x80000000, &p, &en), ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(en, NULL);
	ent_fini(&a);
}

TEST(get_enum_nexthops_bad_handles_and_arguments)
{
	struct ent a;
	struct tl_badset bad;
	struct tl_badobj badobj;
	RTM_NEXTHOP_HANDLE *hs, got[4];
	RTM_ENUM_HANDLE en = NULL;
	UINT num, max;
	unsigned i;

	REQUIRE(ent_init(&a, AF_INET, TL_PROTO_RIP, 1));
	max = a.prof.MaxHandlesInEnum;
	CHECK_RC(RtmCreateNextHopEnum(a.h, RTM_ENUM_START, NULL, &en), NO_ERROR);
	REQUIRE(en != NULL);
	hs = calloc(max + 1, sizeof(*hs));
	REQUIRE(hs != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		num = max;
		CHECK_RC_BAD(RtmGetEnumNextHops(bad.v[i].h, en, &num, hs), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	}
	tl_bad_fini(&bad);
	REQUIRE(tl_badobj_init(&badobj, AF_INET, TL_O_ENUM) > 0);
	for (i = 0; i < badobj.n; i++) {
		num = max;
		CHECK_RC_BAD(RtmGetEnumNextHops(a.h, badobj.v[i].h, &num, hs), ERROR_INVALID_HANDLE,
			     &badobj.v[i]);
	}
	tl_badobj_fini(&badobj);
	CHECK_RC(RtmGetEnumNextHops(a.h, en, NULL, hs), ERROR_INVALID_PARAMETER);
	num = 1;
	CHECK_RC(RtmGetEnumNextHops(a.h, en, &num, NULL), ERROR_INVALID_PARAMETER);
	num = 0;
	CHECK_RC(RtmGetEnumNextHops(a.h, en, &num, hs), ERROR_INVALID_PARAMETER);
	num = max + 1;
	CHECK_RC(RtmGetEnumNextHops(a.h, en, &num, hs), ERROR_INVALID_PARAMETER);
	free(hs);
	CHECK_EQ_U(drain_nexthops(a.h, en, 4 <= max ? 4 : max, got, 4), 1);
	CHECK_EQ_PTR(got[0], a.nh);
	end_enum(a.h, en);
	ent_fini(&a);
}

TEST(nexthop_enum_lists_only_the_callers_next_hops_in_address_then_interface_order)
{
	RTM_ENTITY_HANDLE a, b;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE n1, n2, n3, n4, n5, nb, got[16];
	RTM_ENUM_HANDLE en;
	RTM_NET_ADDRESS p;
	unsigned n;
	UINT batch;

	a = tl_register(AF_INET, TL_PROTO_RIP, 1, &prof);
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(a != NULL && b != NULL);
	n1 = tl_add_nexthop(a, AF_INET, "10.0.0.2", 3);
	n2 = tl_add_nexthop(a, AF_INET, "10.0.0.1", 5);
	n3 = tl_add_nexthop(a, AF_INET, "9.9.9.9", 1);
	n4 = tl_add_nexthop(a, AF_INET, "10.0.0.1", 2);
	n5 = tl_add_nexthop(a, AF_INET, "10.1.0.1", 1);
	nb = tl_add_nexthop(b, AF_INET, "10.0.0.3", 1);
	REQUIRE(n1 && n2 && n3 && n4 && n5 && nb);

	for (batch = 1; batch <= prof.MaxHandlesInEnum && batch <= 6; batch++) {
		en = NULL;
		CHECK_RC(RtmCreateNextHopEnum(a, RTM_ENUM_START, NULL, &en), NO_ERROR);
		REQUIRE(en != NULL);
		n = drain_nexthops(a, en, batch, got, 16);
		CHECK_HANDLES(got, n, n3, n4, n2, n1, n5);
		end_enum(a, en);
	}

	tl_ipv4(&p, "10.0.0.0", 24);
	en = NULL;
	CHECK_RC(RtmCreateNextHopEnum(a, RTM_ENUM_RANGE, &p, &en), NO_ERROR);
	REQUIRE(en != NULL);
	n = drain_nexthops(a, en, 2, got, 16);
	CHECK_HANDLES(got, n, n4, n2, n1);
	end_enum(a, en);

	tl_ipv4(&p, "10.0.0.1", 32);
	en = NULL;
	CHECK_RC(RtmCreateNextHopEnum(a, RTM_ENUM_NEXT, &p, &en), NO_ERROR);
	REQUIRE(en != NULL);
	n = drain_nexthops(a, en, 2, got, 16);
	CHECK_HANDLES(got, n, n4, n2, n1, n5);
	end_enum(a, en);

	en = NULL;
	CHECK_RC(RtmCreateNextHopEnum(b, RTM_ENUM_START, NULL, &en), NO_ERROR);
	REQUIRE(en != NULL);
	n = drain_nexthops(b, en, 2, got, 16);
	CHECK_HANDLES(got, n, nb);
	end_enum(b, en);

	/* A deleted next hop is no longer enumerated. */
	CHECK_RC(RtmDeleteNextHop(a, n2, NULL), NO_ERROR);
	en = NULL;
	CHECK_RC(RtmCreateNextHopEnum(a, RTM_ENUM_START, NULL, &en), NO_ERROR);
	REQUIRE(en != NULL);
	n = drain_nexthops(a, en, 2, got, 16);
	CHECK_HANDLES(got, n, n3, n4, n1, n5);
	end_enum(a, en);

	CHECK_RC(RtmDeleteNextHop(a, n1, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(a, n3, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(a, n4, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(a, n5, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(b, nb, NULL), NO_ERROR);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(nexthop_enum_items_hold_references_until_released)
{
	RTM_ENTITY_HANDLE a;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh, got[2];
	RTM_NEXTHOP_INFO ni;
	RTM_ENUM_HANDLE en = NULL;
	UINT num = 2;

	a = tl_register(AF_INET, TL_PROTO_RIP, 1, &prof);
	REQUIRE(a != NULL);
	REQUIRE(prof.MaxHandlesInEnum >= 2);
	nh = tl_add_nexthop(a, AF_INET, "10.0.0.9", 4);
	REQUIRE(nh != NULL);
	CHECK_RC(RtmCreateNextHopEnum(a, RTM_ENUM_START, NULL, &en), NO_ERROR);
	REQUIRE(en != NULL);
	CHECK_RC(RtmGetEnumNextHops(a, en, &num, got), ERROR_NO_MORE_ITEMS);
	REQUIRE(num == 1);
	CHECK_EQ_PTR(got[0], nh);
	end_enum(a, en);
	CHECK_RC(RtmDeleteNextHop(a, nh, NULL), NO_ERROR);
	CHECK_RC(RtmGetNextHopInfo(a, got[0], &ni), NO_ERROR);
	CHECK_EQ_U(ni.State, RTM_NEXTHOP_STATE_DELETED);
	RtmReleaseNextHopInfo(a, &ni);
	CHECK_RC(RtmReleaseNextHops(a, 1, got), NO_ERROR);
	CHECK_RC(RtmGetNextHopInfo(a, got[0], &ni), ERROR_INVALID_HANDLE);
	tl_deregister(a);
}

int
main(int argc, char **argv)
{
	return check_main(argc, argv);
}
