/*
 * test_routelist.c - RtmCreateRouteList, RtmInsertInRouteList,
 * RtmCreateRouteListEnum, RtmGetListEnumRoutes, RtmDeleteRouteList, and the
 * RouteListHandle argument of RtmAddRouteToDest and RtmUpdateAndUnlockRoute
 * (SEMANTICS §3, §5, §6, §10, §12, §13).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define UCAST RTM_VIEW_MASK_UCAST

#define MAXITEMS 512

struct ent {
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE nh;
};

static int
ent_init(struct ent *e, ULONG proto, ULONG inst)
{
	memset(e, 0, sizeof(*e));
	e->h = tl_register(AF_INET, proto, inst, &e->prof);
	if (e->h == NULL)
		return 0;
	e->nh = tl_add_nexthop(e->h, AF_INET, "10.255.0.1", 1);
	return e->nh != NULL;
}

static void
ent_fini(struct ent *e)
{
	if (e->nh != NULL)
		CHECK_RC(RtmDeleteNextHop(e->h, e->nh, NULL), NO_ERROR);
	tl_deregister(e->h);
}

/* Route k of e at 10.(k/256).(k%256).0/24, optionally into a list. */
static RTM_ROUTE_HANDLE
rt(struct ent *e, unsigned k, RTM_ROUTE_LIST_HANDLE list)
{
	RTM_NET_ADDRESS p;
	char buf[32];
	DWORD fl = RTM_ROUTE_CHANGE_NEW;

	snprintf(buf, sizeof(buf), "10.%u.%u.0", k / 256, k % 256);
	tl_ipv4(&p, buf, 24);
	return tl_add_route_ex(e->h, &p, e->nh, 10, 1, UCAST, INFINITE, list, &fl);
}

static RTM_ROUTE_LIST_HANDLE
mklist(struct ent *e)
{
	RTM_ROUTE_LIST_HANDLE l = NULL;

	CHECK_RC(RtmCreateRouteList(e->h, &l), NO_ERROR);
	CHECK(l != NULL);
	return l;
}

static void
rmlist(struct ent *e, RTM_ROUTE_LIST_HANDLE l)
{
	if (l != NULL)
		CHECK_RC(RtmDeleteRouteList(e->h, l), NO_ERROR);
}

/*
 * Enumerates list l with batches of `batch` the way the sample does (loop while
 * a batch comes back full), checking that every call returns NO_ERROR.
 * Stores the handle values (released batch by batch) and returns the count.
 */
static unsigned
list_routes_at(int line, struct ent *e, RTM_ROUTE_LIST_HANDLE l, UINT batch,
	       RTM_ROUTE_HANDLE *out, unsigned max)
{
	RTM_ENUM_HANDLE en = NULL;
	RTM_ROUTE_HANDLE *arr = calloc(batch, sizeof(*arr));
	unsigned n = 0, calls = 0;
	UINT num, i;
	DWORD rc;

	if (arr == NULL)
		abort();
	rc = RtmCreateRouteListEnum(e->h, l, &en);
	if (rc != NO_ERROR || en == NULL) {
		check_fail(__FILE__, line, "RtmCreateRouteListEnum: %s(%u)", rtm_error_name(rc),
			   (unsigned)rc);
		free(arr);
		return 0;
	}
	do {
		num = batch;
		rc = RtmGetListEnumRoutes(e->h, en, &num, arr);
		if (rc != NO_ERROR) {
			check_fail(__FILE__, line, "RtmGetListEnumRoutes: %s(%u)",
				   rtm_error_name(rc), (unsigned)rc);
			break;
		}
		if (num > batch) {
			check_fail(__FILE__, line, "%u items for %u slots", (unsigned)num,
				   (unsigned)batch);
			break;
		}
		for (i = 0; i < num; i++)
			if (n < max)
				out[n++] = arr[i];
		if (num > 0)
			CHECK_RC(RtmReleaseRoutes(e->h, num, arr), NO_ERROR);
	} while (num == batch && ++calls < MAXITEMS);
	/* Past the end it keeps answering NO_ERROR with nothing. */
	num = batch;
	rc = RtmGetListEnumRoutes(e->h, en, &num, arr);
	if (rc != NO_ERROR || num != 0)
		check_fail(__FILE__, line, "after the end: %s(%u) with %u items",
			   rtm_error_name(rc), (unsigned)rc, (unsigned)num);
	CHECK_RC(RtmDeleteEnumHandle(e->h, en), NO_ERROR);
	free(arr);
	return n;
}

#define list_routes(e, l, batch, out, max) list_routes_at(__LINE__, (e), (l), (batch), (out), (max))

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

#define CHECK_EMPTY(e, l)                                                                          \
	do {                                                                                       \
		RTM_ROUTE_HANDLE empty_[4];                                                        \
		CHECK_EQ_U(list_routes((e), (l), 1, empty_, 4), 0);                                \
	} while (0)

static void
del_all(struct ent *e, RTM_ROUTE_HANDLE *r, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (r[i] != NULL)
			tl_delete_route(e->h, r[i]);
}

/* ---- arguments ------------------------------------------------------------------------- */

TEST(create_route_list_bad_registration_handles_are_invalid_handle)
{
	struct tl_badset bad;
	RTM_ROUTE_LIST_HANDLE l;
	unsigned i;

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		l = NULL;
		CHECK_RC_BAD(RtmCreateRouteList(bad.v[i].h, &l), ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(l, NULL);
	}
	tl_bad_fini(&bad);
}

TEST(create_route_list_null_out_pointer_is_invalid_parameter)
{
	struct ent a;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	CHECK_RC(RtmCreateRouteList(a.h, NULL), ERROR_INVALID_PARAMETER);
	ent_fini(&a);
}

TEST(route_list_calls_with_bad_registration_handles_are_invalid_handle)
{
	struct ent a;
	struct tl_badset bad;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r, got[4], hs[4];
	RTM_ENUM_HANDLE en = NULL, en2;
	UINT num;
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	r = rt(&a, 1, l);
	REQUIRE(l != NULL && r != NULL);
	CHECK_RC(RtmCreateRouteListEnum(a.h, l, &en), NO_ERROR);
	REQUIRE(en != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		HANDLE h = bad.v[i].h;

		CHECK_RC_BAD(RtmInsertInRouteList(h, NULL, 1, &r), ERROR_INVALID_HANDLE, &bad.v[i]);
		en2 = NULL;
		CHECK_RC_BAD(RtmCreateRouteListEnum(h, l, &en2), ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(en2, NULL);
		num = 4;
		CHECK_RC_BAD(RtmGetListEnumRoutes(h, en, &num, hs), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_RC_BAD(RtmDeleteRouteList(h, l), ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	/* Nothing changed: the list and its enumeration are intact. */
	num = 4 <= a.prof.MaxHandlesInEnum ? 4 : a.prof.MaxHandlesInEnum;
	CHECK_RC(RtmGetListEnumRoutes(a.h, en, &num, hs), NO_ERROR);
	CHECK_EQ_U(num, 1);
	if (num == 1) {
		CHECK_EQ_PTR(hs[0], r);
		CHECK_RC(RtmReleaseRoutes(a.h, 1, hs), NO_ERROR);
	}
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), NO_ERROR);
	CHECK_HANDLES(got, list_routes(&a, l, 4, got, 4), r);
	tl_delete_route(a.h, r);
	rmlist(&a, l);
	ent_fini(&a);
}

TEST(route_list_calls_with_bad_list_handles_are_invalid_handle)
{
	struct ent a;
	struct tl_badobj bad;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r, got[4];
	RTM_ENUM_HANDLE en;
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	r = rt(&a, 1, l);
	REQUIRE(l != NULL && r != NULL);
	REQUIRE(tl_badobj_init(&bad, AF_INET, TL_O_LIST) > 0);
	for (i = 0; i < bad.n; i++) {
		HANDLE x = bad.v[i].h;

		if (x != NULL) /* a NULL list means "out of every list" */
			CHECK_RC_BAD(RtmInsertInRouteList(a.h, x, 1, &r), ERROR_INVALID_HANDLE,
				     &bad.v[i]);
		en = NULL;
		CHECK_RC_BAD(RtmCreateRouteListEnum(a.h, x, &en), ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(en, NULL);
		CHECK_RC_BAD(RtmDeleteRouteList(a.h, x), ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	/* The other entity's list is still its own. */
	en = NULL;
	CHECK_RC(RtmCreateRouteListEnum(bad.fixture, bad.live_list, &en), NO_ERROR);
	if (en != NULL)
		CHECK_RC(RtmDeleteEnumHandle(bad.fixture, en), NO_ERROR);
	tl_badobj_fini(&bad);
	/* The route is still in its list. */
	CHECK_HANDLES(got, list_routes(&a, l, 4, got, 4), r);
	tl_delete_route(a.h, r);
	rmlist(&a, l);
	ent_fini(&a);
}

TEST(add_route_with_bad_list_handles_is_invalid_handle)
{
	struct ent a;
	struct tl_badobj bad;
	RTM_ROUTE_INFO *ri;
	RTM_ROUTE_HANDLE r;
	RTM_NET_ADDRESS p;
	DWORD fl;
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	ri = tl_route_info_alloc(1);
	ri->PrefInfo.Preference = 10;
	ri->BelongsToViews = UCAST;
	ri->NextHopsList.NumNextHops = 1;
	TL_NH(ri, 0) = a.nh;
	tl_ipv4(&p, "10.0.9.0", 24);
	REQUIRE(tl_badobj_init(&bad, AF_INET, TL_O_LIST) > 0);
	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue; /* NULL: no list */
		r = NULL;
		fl = 0;
		CHECK_RC_BAD(RtmAddRouteToDest(a.h, &r, &p, ri, INFINITE, bad.v[i].h, 0, NULL, &fl),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(r, NULL);
	}
	tl_badobj_fini(&bad);
	CHECK(!tl_dest_exists(a.h, &p));
	free(ri);
	ent_fini(&a);
}

TEST(insert_with_bad_route_handles_is_invalid_handle)
{
	struct ent a;
	struct tl_badset bad;
	RTM_ROUTE_LIST_HANDLE l1, l2;
	RTM_ROUTE_HANDLE r, got[4], hs[2];
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l1 = mklist(&a);
	l2 = mklist(&a);
	r = rt(&a, 1, l1);
	REQUIRE(l1 && l2 && r);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ROUTE) > 0);
	for (i = 0; i < bad.n; i++) {
		hs[0] = bad.v[i].h;
		CHECK_RC_BAD(RtmInsertInRouteList(a.h, l2, 1, hs), ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	CHECK_HANDLES(got, list_routes(&a, l1, 4, got, 4), r);
	CHECK_EMPTY(&a, l2);
	tl_delete_route(a.h, r);
	rmlist(&a, l1);
	rmlist(&a, l2);
	ent_fini(&a);
}

TEST(insert_and_list_enum_null_pointers_are_invalid_parameter)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE hs[2];
	RTM_ENUM_HANDLE en = NULL;
	UINT num;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	REQUIRE(l != NULL);
	CHECK_RC(RtmInsertInRouteList(a.h, l, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateRouteListEnum(a.h, l, NULL), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmCreateRouteListEnum(a.h, l, &en), NO_ERROR);
	REQUIRE(en != NULL);
	CHECK_RC(RtmGetListEnumRoutes(a.h, en, NULL, hs), ERROR_INVALID_PARAMETER);
	num = 1;
	CHECK_RC(RtmGetListEnumRoutes(a.h, en, &num, NULL), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), NO_ERROR);
	rmlist(&a, l);
	ent_fini(&a);
}

TEST(get_list_enum_routes_bad_enum_handles_are_invalid_handle)
{
	struct ent a;
	struct tl_badobj bad;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r, hs[4];
	RTM_ENUM_HANDLE en = NULL;
	UINT num;
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	r = rt(&a, 1, l);
	REQUIRE(l && r);
	CHECK_RC(RtmCreateRouteListEnum(a.h, l, &en), NO_ERROR);
	REQUIRE(en != NULL);
	REQUIRE(tl_badobj_init(&bad, AF_INET, TL_O_ENUM) > 0);
	for (i = 0; i < bad.n; i++) {
		num = 1;
		CHECK_RC_BAD(RtmGetListEnumRoutes(a.h, bad.v[i].h, &num, hs), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	}
	tl_badobj_fini(&bad);
	num = 1;
	CHECK_RC(RtmGetListEnumRoutes(a.h, en, &num, hs), NO_ERROR);
	CHECK_EQ_U(num, 1);
	if (num == 1) {
		CHECK_EQ_PTR(hs[0], r);
		CHECK_RC(RtmReleaseRoutes(a.h, 1, hs), NO_ERROR);
	}
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), NO_ERROR);
	tl_delete_route(a.h, r);
	rmlist(&a, l);
	ent_fini(&a);
}

TEST(get_list_enum_routes_count_above_max_is_invalid_parameter)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r, *hs;
	RTM_ENUM_HANDLE en = NULL;
	UINT num, max;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	max = a.prof.MaxHandlesInEnum;
	l = mklist(&a);
	r = rt(&a, 1, l);
	REQUIRE(l && r);
	hs = calloc(max + 1, sizeof(*hs));
	REQUIRE(hs != NULL);
	CHECK_RC(RtmCreateRouteListEnum(a.h, l, &en), NO_ERROR);
	REQUIRE(en != NULL);
	num = max + 1;
	CHECK_RC(RtmGetListEnumRoutes(a.h, en, &num, hs), ERROR_INVALID_PARAMETER);
	num = 0xffffffffu;
	CHECK_RC(RtmGetListEnumRoutes(a.h, en, &num, hs), ERROR_INVALID_PARAMETER);
	/* Nothing consumed; the largest batch is allowed. */
	num = max;
	CHECK_RC(RtmGetListEnumRoutes(a.h, en, &num, hs), NO_ERROR);
	CHECK_EQ_U(num, 1);
	if (num == 1) {
		CHECK_EQ_PTR(hs[0], r);
		CHECK_RC(RtmReleaseRoutes(a.h, 1, hs), NO_ERROR);
	}
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), NO_ERROR);
	free(hs);
	tl_delete_route(a.h, r);
	rmlist(&a, l);
	ent_fini(&a);
}

TEST(delete_route_list_twice_is_invalid_handle)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r;
	RTM_ENUM_HANDLE en = NULL;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	r = rt(&a, 1, NULL);
	REQUIRE(l && r);
	CHECK_RC(RtmDeleteRouteList(a.h, l), NO_ERROR);
	CHECK_RC(RtmDeleteRouteList(a.h, l), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmInsertInRouteList(a.h, l, 1, &r), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmCreateRouteListEnum(a.h, l, &en), ERROR_INVALID_HANDLE);
	tl_delete_route(a.h, r);
	ent_fini(&a);
}

TEST(route_lists_of_another_entity_are_invalid_handle)
{
	struct ent a, b;
	RTM_ROUTE_LIST_HANDLE lb;
	RTM_ROUTE_HANDLE ra, rb, got[4];
	RTM_ENUM_HANDLE en = NULL;
	RTM_NET_ADDRESS p;
	DWORD fl;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	lb = mklist(&b);
	ra = rt(&a, 1, NULL);
	rb = rt(&b, 2, lb);
	REQUIRE(lb && ra && rb);
	CHECK_RC(RtmInsertInRouteList(a.h, lb, 1, &ra), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmCreateRouteListEnum(a.h, lb, &en), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmDeleteRouteList(a.h, lb), ERROR_INVALID_HANDLE);
	/* Nor may a route be added into it. */
	tl_ipv4(&p, "10.0.3.0", 24);
	fl = 0;
	{
		RTM_ROUTE_INFO *ri = tl_route_info_alloc(1);
		RTM_ROUTE_HANDLE r = NULL;

		ri->PrefInfo.Preference = 10;
		ri->BelongsToViews = UCAST;
		ri->NextHopsList.NumNextHops = 1;
		TL_NH(ri, 0) = a.nh;
		CHECK_RC(RtmAddRouteToDest(a.h, &r, &p, ri, INFINITE, lb, 0, NULL, &fl),
			 ERROR_INVALID_HANDLE);
		CHECK_EQ_PTR(r, NULL);
		free(ri);
	}
	CHECK(!tl_dest_exists(a.h, &p));
	CHECK_HANDLES(got, list_routes(&b, lb, 4, got, 4), rb);
	tl_delete_route(a.h, ra);
	tl_delete_route(b.h, rb);
	rmlist(&b, lb);
	ent_fini(&a);
	ent_fini(&b);
}

TEST(inserting_another_entitys_route_is_access_denied)
{
	struct ent a, b;
	RTM_ROUTE_LIST_HANDLE la, lb;
	RTM_ROUTE_HANDLE rb, got[4];

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	la = mklist(&a);
	lb = mklist(&b);
	rb = rt(&b, 2, lb);
	REQUIRE(la && lb && rb);
	CHECK_RC(RtmInsertInRouteList(a.h, la, 1, &rb), ERROR_ACCESS_DENIED);
	CHECK_RC(RtmInsertInRouteList(a.h, NULL, 1, &rb), ERROR_ACCESS_DENIED);
	CHECK_EMPTY(&a, la);
	CHECK_HANDLES(got, list_routes(&b, lb, 4, got, 4), rb);
	tl_delete_route(b.h, rb);
	rmlist(&a, la);
	rmlist(&b, lb);
	ent_fini(&a);
	ent_fini(&b);
}

/* ---- behaviour ----------------------------------------------------------------------- */

TEST(new_list_is_empty_and_enumerates_nothing)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE hs[2];
	RTM_ENUM_HANDLE en = NULL;
	UINT num = 1;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	REQUIRE(l != NULL);
	CHECK_RC(RtmCreateRouteListEnum(a.h, l, &en), NO_ERROR);
	REQUIRE(en != NULL);
	CHECK_RC(RtmGetListEnumRoutes(a.h, en, &num, hs), NO_ERROR);
	CHECK_EQ_U(num, 0);
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), NO_ERROR);
	rmlist(&a, l);
	ent_fini(&a);
}

TEST(list_enum_returns_routes_in_insertion_order_in_any_batch_size)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r[5], got[16], ins[5];
	UINT batch;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	REQUIRE(l != NULL);
	r[0] = rt(&a, 1, NULL);
	r[1] = rt(&a, 2, NULL);
	r[2] = rt(&a, 3, NULL);
	r[3] = rt(&a, 4, NULL);
	r[4] = rt(&a, 5, NULL);
	REQUIRE(r[0] && r[1] && r[2] && r[3] && r[4]);
	/* Insertion order, not address order. */
	ins[0] = r[3];
	ins[1] = r[0];
	ins[2] = r[4];
	CHECK_RC(RtmInsertInRouteList(a.h, l, 3, ins), NO_ERROR);
	ins[0] = r[2];
	CHECK_RC(RtmInsertInRouteList(a.h, l, 1, ins), NO_ERROR);
	ins[0] = r[1];
	CHECK_RC(RtmInsertInRouteList(a.h, l, 1, ins), NO_ERROR);
	for (batch = 1; batch <= a.prof.MaxHandlesInEnum && batch <= 6; batch++)
		CHECK_HANDLES(got, list_routes(&a, l, batch, got, 16), r[3], r[0], r[4], r[2],
			      r[1]);
	del_all(&a, r, 5);
	CHECK_EMPTY(&a, l);
	rmlist(&a, l);
	ent_fini(&a);
}

TEST(insert_moves_a_route_between_lists_and_a_null_list_removes_it)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l1, l2;
	RTM_ROUTE_HANDLE r[3], got[8], x;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l1 = mklist(&a);
	l2 = mklist(&a);
	REQUIRE(l1 && l2);
	r[0] = rt(&a, 1, l1);
	r[1] = rt(&a, 2, l1);
	r[2] = rt(&a, 3, l1);
	REQUIRE(r[0] && r[1] && r[2]);
	CHECK_HANDLES(got, list_routes(&a, l1, 2, got, 8), r[0], r[1], r[2]);

	x = r[1];
	CHECK_RC(RtmInsertInRouteList(a.h, l2, 1, &x), NO_ERROR);
	CHECK_HANDLES(got, list_routes(&a, l1, 2, got, 8), r[0], r[2]);
	CHECK_HANDLES(got, list_routes(&a, l2, 2, got, 8), r[1]);

	/* Inserting into the list it is already in keeps it there once. */
	CHECK_RC(RtmInsertInRouteList(a.h, l2, 1, &x), NO_ERROR);
	CHECK_HANDLES(got, list_routes(&a, l2, 2, got, 8), r[1]);

	/* Moving back puts it at the end. */
	CHECK_RC(RtmInsertInRouteList(a.h, l1, 1, &x), NO_ERROR);
	CHECK_HANDLES(got, list_routes(&a, l1, 2, got, 8), r[0], r[2], r[1]);
	CHECK_EMPTY(&a, l2);

	/* NULL: out of every list. */
	x = r[0];
	CHECK_RC(RtmInsertInRouteList(a.h, NULL, 1, &x), NO_ERROR);
	CHECK_HANDLES(got, list_routes(&a, l1, 2, got, 8), r[2], r[1]);
	/* Removing a route that is in no list is fine. */
	CHECK_RC(RtmInsertInRouteList(a.h, NULL, 1, &x), NO_ERROR);
	/* Zero routes: nothing to do. */
	CHECK_RC(RtmInsertInRouteList(a.h, l2, 0, &x), NO_ERROR);

	del_all(&a, r, 3);
	rmlist(&a, l1);
	rmlist(&a, l2);
	ent_fini(&a);
}

TEST(insert_does_not_consume_the_callers_references)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r, extra;
	UCHAR st = 0xff;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	r = rt(&a, 1, NULL);
	REQUIRE(l && r);
	extra = r;
	CHECK_RC(RtmReferenceHandles(a.h, 1, &extra), NO_ERROR);
	CHECK_RC(RtmInsertInRouteList(a.h, l, 1, &r), NO_ERROR);
	/* Our two references: one consumed by the delete, one left. */
	tl_delete_route(a.h, r);
	CHECK_RC(tl_route_state(a.h, r, &st, NULL), NO_ERROR);
	CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	tl_release_route(a.h, extra);
	/* The list held none. */
	CHECK_RC(tl_route_state(a.h, r, NULL, NULL), ERROR_INVALID_HANDLE);
	CHECK_EMPTY(&a, l);
	rmlist(&a, l);
	ent_fini(&a);
}

TEST(list_enum_is_a_snapshot_that_holds_references)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l, l2;
	RTM_ROUTE_HANDLE r[4], hs[8], x;
	RTM_ENUM_HANDLE en = NULL;
	UCHAR st = 0xff;
	UINT num;
	unsigned n = 0, i, guard = 0;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	l2 = mklist(&a);
	REQUIRE(l && l2);
	r[0] = rt(&a, 1, l);
	r[1] = rt(&a, 2, l);
	r[2] = rt(&a, 3, l);
	r[3] = rt(&a, 4, NULL);
	REQUIRE(r[0] && r[1] && r[2] && r[3]);
	CHECK_RC(RtmCreateRouteListEnum(a.h, l, &en), NO_ERROR);
	REQUIRE(en != NULL);

	/* After the snapshot: one added, one moved away, one deleted. */
	x = r[3];
	CHECK_RC(RtmInsertInRouteList(a.h, l, 1, &x), NO_ERROR);
	x = r[0];
	CHECK_RC(RtmInsertInRouteList(a.h, l2, 1, &x), NO_ERROR);
	tl_delete_route(a.h, r[1]);

	do {
		num = 1;
		CHECK_RC(RtmGetListEnumRoutes(a.h, en, &num, &hs[n]), NO_ERROR);
		n += num;
	} while (num == 1 && n < 8 && ++guard < 16);
	CHECK_HANDLES(hs, n, r[0], r[1], r[2]);
	/* The deleted route is still readable through the enumerated handle. */
	if (n >= 2) {
		CHECK_RC(tl_route_state(a.h, hs[1], &st, NULL), NO_ERROR);
		CHECK_EQ_U(st, RTM_ROUTE_STATE_DELETED);
	}
	for (i = 0; i < n; i++)
		CHECK_RC(RtmReleaseRoutes(a.h, 1, &hs[i]), NO_ERROR);
	/* Its last reference was the enumeration's. */
	CHECK_RC(tl_route_state(a.h, r[1], NULL, NULL), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), NO_ERROR);

	/* The list itself did change. */
	CHECK_HANDLES(hs, list_routes(&a, l, 4, hs, 8), r[2], r[3]);
	CHECK_HANDLES(hs, list_routes(&a, l2, 4, hs, 8), r[0]);
	tl_delete_route(a.h, r[0]);
	tl_delete_route(a.h, r[2]);
	tl_delete_route(a.h, r[3]);
	rmlist(&a, l);
	rmlist(&a, l2);
	ent_fini(&a);
}

TEST(list_enum_outlives_the_deletion_of_its_list)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r[2], hs[4];
	RTM_ENUM_HANDLE en = NULL;
	UINT num;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	REQUIRE(a.prof.MaxHandlesInEnum >= 3);
	l = mklist(&a);
	REQUIRE(l != NULL);
	r[0] = rt(&a, 1, l);
	r[1] = rt(&a, 2, l);
	REQUIRE(r[0] && r[1]);
	CHECK_RC(RtmCreateRouteListEnum(a.h, l, &en), NO_ERROR);
	REQUIRE(en != NULL);
	rmlist(&a, l);
	num = 3;
	CHECK_RC(RtmGetListEnumRoutes(a.h, en, &num, hs), NO_ERROR);
	CHECK_HANDLES(hs, num, r[0], r[1]);
	if (num > 0 && num <= 3)
		CHECK_RC(RtmReleaseRoutes(a.h, num, hs), NO_ERROR);
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), NO_ERROR);
	del_all(&a, r, 2);
	ent_fini(&a);
}

TEST(deleting_a_list_enum_releases_the_items_not_returned)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r[3], hs[1];
	RTM_ENUM_HANDLE en = NULL;
	UINT num = 1;
	unsigned i;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	REQUIRE(l != NULL);
	for (i = 0; i < 3; i++)
		r[i] = rt(&a, i + 1, l);
	REQUIRE(r[0] && r[1] && r[2]);
	CHECK_RC(RtmCreateRouteListEnum(a.h, l, &en), NO_ERROR);
	REQUIRE(en != NULL);
	CHECK_RC(RtmGetListEnumRoutes(a.h, en, &num, hs), NO_ERROR);
	CHECK_EQ_U(num, 1);
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), NO_ERROR);
	/* The item already returned stays ours to release. */
	if (num == 1)
		CHECK_RC(RtmReleaseRoutes(a.h, 1, hs), NO_ERROR);
	/* The others' references went with the enumeration. */
	for (i = 0; i < 3; i++) {
		tl_delete_route(a.h, r[i]);
		CHECK_RC(tl_route_state(a.h, r[i], NULL, NULL), ERROR_INVALID_HANDLE);
	}
	rmlist(&a, l);
	ent_fini(&a);
}

TEST(sample_loop_moves_every_route_into_another_list_while_enumerating)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l1, l2;
	RTM_ROUTE_HANDLE *r, *hs, *got;
	RTM_ENUM_HANDLE en = NULL;
	UINT max, num;
	unsigned total, i, n = 0, guard = 0, order_ok = 1;
	DWORD rc;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	max = a.prof.MaxHandlesInEnum;
	total = 2 * max + 1;
	if (total > MAXITEMS)
		total = MAXITEMS;
	l1 = mklist(&a);
	l2 = mklist(&a);
	r = calloc(total, sizeof(*r));
	hs = calloc(max, sizeof(*hs));
	got = calloc(total, sizeof(*got));
	REQUIRE(l1 && l2 && r && hs && got);
	for (i = 0; i < total; i++) {
		r[i] = rt(&a, total - i, l1);
		REQUIRE(r[i] != NULL);
	}
	CHECK_RC(RtmCreateRouteListEnum(a.h, l1, &en), NO_ERROR);
	REQUIRE(en != NULL);
	do {
		num = max;
		rc = RtmGetListEnumRoutes(a.h, en, &num, hs);
		CHECK_RC(rc, NO_ERROR);
		for (i = 0; i < num; i++) {
			if (n < total && hs[i] != r[n])
				order_ok = 0;
			n++;
		}
		CHECK_RC(RtmInsertInRouteList(a.h, l2, num, hs), NO_ERROR);
		if (num > 0)
			CHECK_RC(RtmReleaseRoutes(a.h, num, hs), NO_ERROR);
	} while (num == max && ++guard < MAXITEMS);
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), NO_ERROR);
	CHECK_EQ_U(n, total);
	CHECK(order_ok);
	CHECK_EMPTY(&a, l1);
	CHECK_EQ_U(list_routes(&a, l2, max, got, total), total);
	for (i = 0; i < total; i++)
		if (got[i] != r[i]) {
			check_fail(__FILE__, __LINE__, "l2[%u] = %p, expected %p", i, got[i], r[i]);
			break;
		}
	/* Deleting the lists leaves the routes alone. */
	rmlist(&a, l1);
	rmlist(&a, l2);
	for (i = 0; i < total; i++)
		CHECK_EQ_U(tl_route_state(a.h, r[i], NULL, NULL), NO_ERROR);
	del_all(&a, r, total);
	free(r);
	free(hs);
	free(got);
	ent_fini(&a);
}

TEST(deleting_a_list_keeps_its_routes_which_can_join_another_list)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l1, l2;
	RTM_ROUTE_HANDLE r[2], got[4];
	UCHAR st = 0xff;
	RTM_NET_ADDRESS p;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l1 = mklist(&a);
	l2 = mklist(&a);
	r[0] = rt(&a, 1, l1);
	r[1] = rt(&a, 2, l1);
	REQUIRE(l1 && l2 && r[0] && r[1]);
	CHECK_RC(RtmDeleteRouteList(a.h, l1), NO_ERROR);
	CHECK_RC(tl_route_state(a.h, r[0], &st, NULL), NO_ERROR);
	CHECK_EQ_U(st, RTM_ROUTE_STATE_CREATED);
	tl_ipv4(&p, "10.0.1.0", 24);
	CHECK(tl_dest_exists(a.h, &p));
	CHECK_RC(RtmInsertInRouteList(a.h, l2, 2, r), NO_ERROR);
	CHECK_HANDLES(got, list_routes(&a, l2, 4, got, 4), r[0], r[1]);
	del_all(&a, r, 2);
	rmlist(&a, l2);
	ent_fini(&a);
}

TEST(deleting_a_route_takes_it_out_of_its_list)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r[3], got[4];

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l = mklist(&a);
	r[0] = rt(&a, 1, l);
	r[1] = rt(&a, 2, l);
	r[2] = rt(&a, 3, l);
	REQUIRE(l && r[0] && r[1] && r[2]);
	tl_delete_route(a.h, r[1]);
	r[1] = NULL;
	CHECK_HANDLES(got, list_routes(&a, l, 4, got, 4), r[0], r[2]);
	del_all(&a, r, 3);
	CHECK_EMPTY(&a, l);
	rmlist(&a, l);
	ent_fini(&a);
}

TEST(add_route_to_dest_with_a_list_moves_the_route_into_it)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l1, l2;
	RTM_ROUTE_HANDLE r, r2, got[4], h;
	RTM_ROUTE_INFO *ri;
	RTM_NET_ADDRESS p;
	DWORD fl;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l1 = mklist(&a);
	l2 = mklist(&a);
	REQUIRE(l1 && l2);
	r = rt(&a, 1, l1);
	REQUIRE(r != NULL);
	CHECK_HANDLES(got, list_routes(&a, l1, 4, got, 4), r);

	ri = tl_route_info_alloc(1);
	ri->PrefInfo.Preference = 10;
	ri->PrefInfo.Metric = 2;
	ri->BelongsToViews = UCAST;
	ri->NextHopsList.NumNextHops = 1;
	TL_NH(ri, 0) = a.nh;
	tl_ipv4(&p, "10.0.1.0", 24);

	/* Update by handle with another list: moved. */
	h = r;
	fl = 0;
	CHECK_RC(RtmAddRouteToDest(a.h, &h, &p, ri, INFINITE, l2, 0, NULL, &fl), NO_ERROR);
	CHECK_EMPTY(&a, l1);
	CHECK_HANDLES(got, list_routes(&a, l2, 4, got, 4), r);

	/* Update (found by owner and neighbour) without a list: membership unchanged. */
	h = NULL;
	fl = 0;
	ri->PrefInfo.Metric = 3;
	CHECK_RC(RtmAddRouteToDest(a.h, &h, &p, ri, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_EQ_PTR(h, r);
	if (h != NULL)
		tl_release_route(a.h, h);
	CHECK_HANDLES(got, list_routes(&a, l2, 4, got, 4), r);

	/* A new route straight into l1, after the update of r back into it. */
	h = r;
	fl = 0;
	CHECK_RC(RtmAddRouteToDest(a.h, &h, &p, ri, INFINITE, l1, 0, NULL, &fl), NO_ERROR);
	r2 = rt(&a, 2, l1);
	REQUIRE(r2 != NULL);
	CHECK_HANDLES(got, list_routes(&a, l1, 4, got, 4), r, r2);
	CHECK_EMPTY(&a, l2);

	free(ri);
	tl_delete_route(a.h, r);
	tl_delete_route(a.h, r2);
	rmlist(&a, l1);
	rmlist(&a, l2);
	ent_fini(&a);
}

TEST(update_and_unlock_route_with_a_list_moves_the_route_into_it)
{
	struct ent a;
	RTM_ROUTE_LIST_HANDLE l1, l2;
	RTM_ROUTE_HANDLE r, got[4];
	RTM_ROUTE_INFO *p = NULL;
	DWORD fl = 0;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	l1 = mklist(&a);
	l2 = mklist(&a);
	REQUIRE(l1 && l2);
	r = rt(&a, 1, l1);
	REQUIRE(r != NULL);
	REQUIRE_RC(RtmLockRoute(a.h, r, TRUE, TRUE, &p), NO_ERROR);
	p->PrefInfo.Metric = 5;
	CHECK_RC(RtmUpdateAndUnlockRoute(a.h, r, INFINITE, l2, 0, NULL, &fl), NO_ERROR);
	CHECK_EMPTY(&a, l1);
	CHECK_HANDLES(got, list_routes(&a, l2, 4, got, 4), r);
	/* Without a list: unchanged. */
	REQUIRE_RC(RtmLockRoute(a.h, r, TRUE, TRUE, &p), NO_ERROR);
	p->PrefInfo.Metric = 6;
	CHECK_RC(RtmUpdateAndUnlockRoute(a.h, r, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_HANDLES(got, list_routes(&a, l2, 4, got, 4), r);
	tl_delete_route(a.h, r);
	CHECK_EMPTY(&a, l2);
	rmlist(&a, l1);
	rmlist(&a, l2);
	ent_fini(&a);
}

TEST(update_and_unlock_route_with_a_bad_list_fails_and_keeps_the_lock)
{
	struct ent a, b;
	RTM_ROUTE_LIST_HANDLE l1, lb;
	RTM_ROUTE_HANDLE r, got[4];
	RTM_ROUTE_INFO *p = NULL;
	DWORD fl = 0, rc;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	l1 = mklist(&a);
	lb = mklist(&b);
	REQUIRE(l1 && lb);
	r = rt(&a, 1, l1);
	REQUIRE(r != NULL);
	REQUIRE_RC(RtmLockRoute(a.h, r, TRUE, TRUE, &p), NO_ERROR);
	rc = RtmUpdateAndUnlockRoute(a.h, r, INFINITE, lb, 0, NULL, &fl);
	CHECK_RC(rc, ERROR_INVALID_HANDLE);
	if (rc != NO_ERROR)
		CHECK_RC(RtmLockRoute(a.h, r, TRUE, FALSE, NULL), NO_ERROR);
	CHECK_HANDLES(got, list_routes(&a, l1, 4, got, 4), r);
	CHECK_EMPTY(&b, lb);
	tl_delete_route(a.h, r);
	rmlist(&a, l1);
	rmlist(&b, lb);
	ent_fini(&a);
	ent_fini(&b);
}

TEST(deregistering_an_entity_with_lists_and_list_enums_cleans_up)
{
	struct ent a, b;
	RTM_ROUTE_LIST_HANDLE l;
	RTM_ROUTE_HANDLE r;
	RTM_ENUM_HANDLE en = NULL;

	REQUIRE(ent_init(&a, TL_PROTO_RIP, 1));
	REQUIRE(ent_init(&b, TL_PROTO_OSPF, 1));
	l = mklist(&b);
	r = rt(&b, 1, l);
	REQUIRE(l && r);
	CHECK_RC(RtmCreateRouteListEnum(b.h, l, &en), NO_ERROR);
	tl_release_route(b.h, r);
	CHECK_RC(RtmDeleteNextHop(b.h, b.nh, NULL), NO_ERROR);
	tl_deregister(b.h);
	/* Its route, list and enumeration are gone. */
	CHECK(!tl_dest_exists(a.h, &(RTM_NET_ADDRESS){.AddressFamily = AF_INET,
						       .NumBits = 24,
						       .AddrBits = {10, 0, 1, 0}}));
	CHECK_RC(RtmDeleteRouteList(a.h, l), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmDeleteEnumHandle(a.h, en), ERROR_INVALID_HANDLE);
	ent_fini(&a);
}

int
main(int argc, char **argv)
{
	return check_main(argc, argv);
}
