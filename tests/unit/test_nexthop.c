/*
 * test_nexthop.c - RtmAddNextHop, RtmFindNextHop, RtmDeleteNextHop,
 * RtmGetNextHopInfo, RtmReleaseNextHopInfo, RtmGetNextHopPointer,
 * RtmLockNextHop, RtmReleaseNextHops (SEMANTICS §3, §6, §9).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static void
nh_info(RTM_NEXTHOP_INFO *ni, USHORT family, const char *addr, ULONG ifindex)
{
	memset(ni, 0, sizeof(*ni));
	tl_addr(&ni->NextHopAddress, family, addr, family == AF_INET6 ? 128 : 32);
	ni->InterfaceIndex = ifindex;
}

/* TRUE if RtmGetNextHopInfo succeeds on nh (its info is released again). */
static int
nh_readable(RTM_ENTITY_HANDLE h, RTM_NEXTHOP_HANDLE nh, USHORT *state)
{
	RTM_NEXTHOP_INFO ni;

	if (RtmGetNextHopInfo(h, nh, &ni) != NO_ERROR)
		return 0;
	if (state != NULL)
		*state = ni.State;
	RtmReleaseNextHopInfo(h, &ni);
	return 1;
}

/* ---- RtmAddNextHop -------------------------------------------------------------------- */

TEST(add_nexthop_bad_registration_handles_are_invalid_handle)
{
	struct tl_badset bad;
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	unsigned i;

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	nh_info(&ni, AF_INET, "10.0.0.1", 1);
	for (i = 0; i < bad.n; i++) {
		nh = NULL;
		CHECK_RC_BAD(RtmAddNextHop(bad.v[i].h, &ni, &nh, &fl), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_EQ_PTR(nh, NULL);
	}
	tl_bad_fini(&bad);
}

TEST(add_nexthop_null_info_or_flags_is_invalid_parameter)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl;

	REQUIRE(h != NULL);
	nh_info(&ni, AF_INET, "10.0.0.1", 1);
	CHECK_RC(RtmAddNextHop(h, NULL, &nh, &fl), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmAddNextHop(h, &ni, &nh, NULL), ERROR_INVALID_PARAMETER);
	/* The entity handle is checked before the pointers. */
	CHECK_RC(RtmAddNextHop((HANDLE)0xdeadbeef, NULL, &nh, &fl), ERROR_INVALID_HANDLE);
	/* Nothing was created. */
	CHECK_RC(RtmFindNextHop(h, &ni, NULL, NULL), ERROR_NOT_FOUND);
	tl_deregister(h);
}

TEST(add_nexthop_bad_update_handles_are_invalid_handle)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	struct tl_badset bad;
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh, keep;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	unsigned i;

	REQUIRE(h != NULL);
	keep = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(keep != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_NEXTHOP) > 0);
	nh_info(&ni, AF_INET, "10.0.0.1", 1);
	ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue; /* *NextHopHandle == NULL means "create or find" */
		nh = bad.v[i].h;
		CHECK_RC_BAD(RtmAddNextHop(h, &ni, &nh, &fl), ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	/* The stored next hop was not touched. */
	{
		RTM_NEXTHOP_INFO got;

		CHECK_RC(RtmGetNextHopInfo(h, keep, &got), NO_ERROR);
		CHECK_EQ_U(got.Flags, 0);
		CHECK_RC(RtmReleaseNextHopInfo(h, &got), NO_ERROR);
	}
	tl_release_nexthop(h, keep);
	tl_deregister(h);
}

TEST(add_nexthop_address_longer_than_family_is_invalid_parameter)
{
	RTM_ENTITY_HANDLE h4 = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE h6 = tl_register(AF_INET6, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl;

	REQUIRE(h4 != NULL && h6 != NULL);
	nh_info(&ni, AF_INET, "10.0.0.1", 1);
	ni.NextHopAddress.NumBits = 33;
	CHECK_RC(RtmAddNextHop(h4, &ni, &nh, &fl), ERROR_INVALID_PARAMETER);
	nh_info(&ni, AF_INET6, "2001:db8::1", 1);
	ni.NextHopAddress.NumBits = 129;
	CHECK_RC(RtmAddNextHop(h6, &ni, &nh, &fl), ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(nh, NULL);
	tl_deregister(h4);
	tl_deregister(h6);
}

TEST(add_nexthop_creates_with_change_new_and_a_referenced_handle)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni, got;
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl = 0xffff;
	int marker;

	REQUIRE(h != NULL);
	nh_info(&ni, AF_INET, "10.0.0.1", 4);
	ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	ni.EntitySpecificInfo = &marker;
	/* Owner and state in the input are ignored. */
	ni.NextHopOwner = (HANDLE)0xdeadbeef;
	ni.State = RTM_NEXTHOP_STATE_DELETED;
	CHECK_RC(RtmAddNextHop(h, &ni, &nh, &fl), NO_ERROR);
	REQUIRE(nh != NULL);
	CHECK_EQ_U(fl, RTM_NEXTHOP_CHANGE_NEW);

	CHECK_RC(RtmGetNextHopInfo(h, nh, &got), NO_ERROR);
	CHECK(tl_addr_eq(&got.NextHopAddress, &ni.NextHopAddress));
	CHECK_EQ_U(got.InterfaceIndex, 4);
	CHECK_EQ_U(got.State, RTM_NEXTHOP_STATE_CREATED);
	CHECK_EQ_U(got.Flags, RTM_NEXTHOP_FLAGS_REMOTE);
	CHECK_EQ_PTR(got.EntitySpecificInfo, &marker);
	CHECK_EQ_PTR(got.NextHopOwner, h);
	CHECK_EQ_PTR(got.RemoteNextHop, NULL);
	CHECK_RC(RtmReleaseNextHopInfo(h, &got), NO_ERROR);

	/* The handle carries one reference: delete consumes it and the handle dies. */
	CHECK_RC(RtmDeleteNextHop(h, nh, NULL), NO_ERROR);
	CHECK(!nh_readable(h, nh, NULL));
	tl_deregister(h);
}

TEST(add_nexthop_with_same_key_updates_the_same_object)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni, got;
	RTM_NEXTHOP_HANDLE a = NULL, b = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	int m1, m2;

	REQUIRE(h != NULL);
	nh_info(&ni, AF_INET, "10.0.0.1", 4);
	ni.EntitySpecificInfo = &m1;
	CHECK_RC(RtmAddNextHop(h, &ni, &a, &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_NEXTHOP_CHANGE_NEW);

	ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	ni.EntitySpecificInfo = &m2;
	fl = 0xffff;
	CHECK_RC(RtmAddNextHop(h, &ni, &b, &fl), NO_ERROR);
	CHECK_EQ_U(fl, 0);
	CHECK_EQ_PTR(b, a);

	CHECK_RC(RtmGetNextHopInfo(h, a, &got), NO_ERROR);
	CHECK_EQ_U(got.Flags, RTM_NEXTHOP_FLAGS_REMOTE);
	CHECK_EQ_PTR(got.EntitySpecificInfo, &m2);
	CHECK_RC(RtmReleaseNextHopInfo(h, &got), NO_ERROR);

	/* Each call gave a reference. */
	tl_release_nexthop(h, b);
	CHECK(nh_readable(h, a, NULL));
	CHECK_RC(RtmDeleteNextHop(h, a, NULL), NO_ERROR);
	tl_deregister(h);
}

TEST(add_nexthop_interface_is_part_of_the_key)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE a, b;

	REQUIRE(h != NULL);
	a = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	b = tl_add_nexthop(h, AF_INET, "10.0.0.1", 2);
	CHECK(a != NULL && b != NULL);
	CHECK_NE_PTR(a, b);
	CHECK_RC(RtmDeleteNextHop(h, a, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(h, b, NULL), NO_ERROR);
	tl_deregister(h);
}

TEST(add_nexthop_tables_are_per_entity)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_NEXTHOP_HANDLE na, nb;
	RTM_NEXTHOP_INFO got;

	REQUIRE(a != NULL && b != NULL);
	na = tl_add_nexthop(a, AF_INET, "10.0.0.1", 1);
	nb = tl_add_nexthop(b, AF_INET, "10.0.0.1", 1);
	REQUIRE(na != NULL && nb != NULL);
	CHECK_NE_PTR(na, nb);
	CHECK_RC(RtmGetNextHopInfo(a, nb, &got), NO_ERROR);
	CHECK_EQ_PTR(got.NextHopOwner, b);
	CHECK_RC(RtmReleaseNextHopInfo(a, &got), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(a, na, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(b, nb, NULL), NO_ERROR);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(add_nexthop_without_handle_pointer_creates_it)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET6, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl = 0;

	REQUIRE(h != NULL);
	nh_info(&ni, AF_INET6, "fe80::1", 3);
	CHECK_RC(RtmAddNextHop(h, &ni, NULL, &fl), NO_ERROR);
	CHECK_EQ_U(fl, RTM_NEXTHOP_CHANGE_NEW);
	CHECK_RC(RtmFindNextHop(h, &ni, &nh, NULL), NO_ERROR);
	CHECK(nh != NULL);
	/* Only the find reference exists; delete consumes it. */
	CHECK_RC(RtmDeleteNextHop(h, nh, NULL), NO_ERROR);
	CHECK(!nh_readable(h, nh, NULL));
	tl_deregister(h);
}

TEST(add_nexthop_update_by_handle_of_another_entity_is_access_denied)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_NEXTHOP_INFO ni, got;
	RTM_NEXTHOP_HANDLE na, nh;
	RTM_NEXTHOP_CHANGE_FLAGS fl;

	REQUIRE(a != NULL && b != NULL);
	na = tl_add_nexthop(a, AF_INET, "10.0.0.1", 1);
	REQUIRE(na != NULL);
	nh_info(&ni, AF_INET, "10.0.0.1", 1);
	ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	nh = na;
	CHECK_RC(RtmAddNextHop(b, &ni, &nh, &fl), ERROR_ACCESS_DENIED);
	CHECK_RC(RtmGetNextHopInfo(a, na, &got), NO_ERROR);
	CHECK_EQ_U(got.Flags, 0);
	CHECK_RC(RtmReleaseNextHopInfo(a, &got), NO_ERROR);
	/* b has no next hop of its own now. */
	CHECK_RC(RtmFindNextHop(b, &ni, NULL, NULL), ERROR_NOT_FOUND);
	CHECK_RC(RtmDeleteNextHop(a, na, NULL), NO_ERROR);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(add_nexthop_update_by_handle_with_other_key_is_invalid_parameter)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE a, nh;
	RTM_NEXTHOP_CHANGE_FLAGS fl;

	REQUIRE(h != NULL);
	a = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(a != NULL);
	nh_info(&ni, AF_INET, "10.0.0.2", 1);
	nh = a;
	CHECK_RC(RtmAddNextHop(h, &ni, &nh, &fl), ERROR_INVALID_PARAMETER);
	nh_info(&ni, AF_INET, "10.0.0.1", 2);
	CHECK_RC(RtmAddNextHop(h, &ni, &nh, &fl), ERROR_INVALID_PARAMETER);
	CHECK_EQ_PTR(nh, a);

	/* The same key through the handle is an update with no new reference. */
	nh_info(&ni, AF_INET, "10.0.0.1", 1);
	ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	fl = 0xffff;
	CHECK_RC(RtmAddNextHop(h, &ni, &nh, &fl), NO_ERROR);
	CHECK_EQ_U(fl, 0);
	CHECK_EQ_PTR(nh, a);
	CHECK_RC(RtmDeleteNextHop(h, a, NULL), NO_ERROR);
	CHECK(!nh_readable(h, a, NULL));
	tl_deregister(h);
}

TEST(add_nexthop_remote_next_hop_keeps_its_dest_alive)
{
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, &prof);
	RTM_DEST_INFO *di = tl_dest_info_alloc(1), *di2 = tl_dest_info_alloc(2);
	RTM_NEXTHOP_INFO ni, got;
	RTM_NEXTHOP_HANDLE local, remote = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	RTM_ROUTE_HANDLE r;
	RTM_DEST_HANDLE dest;
	RTM_NET_ADDRESS p;

	REQUIRE(h != NULL);
	tl_ipv4(&p, "172.16.0.0", 12);
	local = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	r = tl_add_route(h, &p, local, 10, 1, RTM_VIEW_MASK_UCAST, NULL);
	REQUIRE(local != NULL && r != NULL);
	REQUIRE_RC(tl_exact_dest(h, &p, RTM_VIEW_MASK_UCAST, di), NO_ERROR);
	dest = di->DestHandle;

	nh_info(&ni, AF_INET, "172.16.5.5", 0);
	ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	ni.RemoteNextHop = dest;
	CHECK_RC(RtmAddNextHop(h, &ni, &remote, &fl), NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo(h, di), NO_ERROR);
	tl_delete_route(h, r);

	/* The dest has no routes left but the next hop's reference keeps the handle valid. */
	CHECK(!tl_dest_exists(h, &p));
	CHECK_RC(RtmGetDestInfo(h, dest, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, di), NO_ERROR);
	CHECK_RC(RtmReleaseDestInfo(h, di), NO_ERROR);

	CHECK_RC(RtmGetNextHopInfo(h, remote, &got), NO_ERROR);
	CHECK_EQ_PTR(got.RemoteNextHop, dest);
	CHECK_EQ_U(got.Flags, RTM_NEXTHOP_FLAGS_REMOTE);
	CHECK_RC(RtmReleaseNextHopInfo(h, &got), NO_ERROR);

	CHECK_RC(RtmDeleteNextHop(h, remote, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(h, local, NULL), NO_ERROR);
	CHECK_RC(RtmGetDestInfo(h, dest, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, di2),
		 ERROR_INVALID_HANDLE);
	free(di);
	free(di2);
	tl_deregister(h);
}

TEST(add_nexthop_with_bad_remote_next_hop_is_invalid_handle)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	struct tl_badset bad;
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	unsigned i;

	REQUIRE(h != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_DEST) > 0);
	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue; /* no remote next hop */
		nh_info(&ni, AF_INET, "172.16.5.5", 0);
		ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
		ni.RemoteNextHop = bad.v[i].h;
		nh = NULL;
		CHECK_RC_BAD(RtmAddNextHop(h, &ni, &nh, &fl), ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_EQ_PTR(nh, NULL);
	}
	tl_bad_fini(&bad);
	/* Nothing was created. */
	nh_info(&ni, AF_INET, "172.16.5.5", 0);
	CHECK_RC(RtmFindNextHop(h, &ni, NULL, NULL), ERROR_NOT_FOUND);
	tl_deregister(h);
}

/* ---- RtmFindNextHop ------------------------------------------------------------------- */

TEST(find_nexthop_bad_registration_handles_are_invalid_handle)
{
	struct tl_badset bad;
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh;
	unsigned i;

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	/* The fixture's own next hop exists; nobody else may find it through a bad handle. */
	nh_info(&ni, AF_INET, "198.51.100.1", 7);
	for (i = 0; i < bad.n; i++) {
		nh = NULL;
		CHECK_RC_BAD(RtmFindNextHop(bad.v[i].h, &ni, &nh, NULL), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_EQ_PTR(nh, NULL);
	}
	tl_bad_fini(&bad);
}

TEST(find_nexthop_null_info_is_invalid_parameter)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE nh = NULL;

	REQUIRE(h != NULL);
	CHECK_RC(RtmFindNextHop(h, NULL, &nh, NULL), ERROR_INVALID_PARAMETER);
	tl_deregister(h);
}

TEST(find_nexthop_missing_is_not_found)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE a, nh = NULL;
	RTM_NEXTHOP_INFO *ptr = NULL;

	REQUIRE(h != NULL);
	a = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	nh_info(&ni, AF_INET, "10.0.0.2", 1);
	CHECK_RC(RtmFindNextHop(h, &ni, &nh, &ptr), ERROR_NOT_FOUND);
	nh_info(&ni, AF_INET, "10.0.0.1", 2);
	CHECK_RC(RtmFindNextHop(h, &ni, &nh, &ptr), ERROR_NOT_FOUND);
	CHECK_EQ_PTR(nh, NULL);
	CHECK_RC(RtmDeleteNextHop(h, a, NULL), NO_ERROR);
	tl_deregister(h);
}

TEST(find_nexthop_returns_the_same_handle_with_a_reference_and_a_pointer)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE a, nh = NULL;
	RTM_NEXTHOP_INFO *ptr = NULL, *ptr2 = NULL;
	USHORT st = 0xffff;

	REQUIRE(h != NULL);
	a = tl_add_nexthop(h, AF_INET, "10.0.0.1", 5);
	REQUIRE(a != NULL);
	nh_info(&ni, AF_INET, "10.0.0.1", 5);
	CHECK_RC(RtmFindNextHop(h, &ni, &nh, &ptr), NO_ERROR);
	CHECK_EQ_PTR(nh, a);
	REQUIRE(ptr != NULL);
	CHECK(tl_addr_eq(&ptr->NextHopAddress, &ni.NextHopAddress));
	CHECK_EQ_U(ptr->InterfaceIndex, 5);
	CHECK_EQ_PTR(ptr->NextHopOwner, h);
	CHECK_RC(RtmGetNextHopPointer(h, a, &ptr2), NO_ERROR);
	CHECK_EQ_PTR(ptr, ptr2);

	/* Pointer only, no handle. */
	ptr2 = NULL;
	CHECK_RC(RtmFindNextHop(h, &ni, NULL, &ptr2), NO_ERROR);
	CHECK_EQ_PTR(ptr2, ptr);

	/* Two references: delete consumes one, the find reference keeps the object. */
	CHECK_RC(RtmDeleteNextHop(h, a, NULL), NO_ERROR);
	CHECK(nh_readable(h, nh, &st));
	CHECK_EQ_U(st, RTM_NEXTHOP_STATE_DELETED);
	tl_release_nexthop(h, nh);
	CHECK(!nh_readable(h, nh, NULL));
	tl_deregister(h);
}

TEST(find_nexthop_searches_only_the_callers_table)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE na, nh = NULL;

	REQUIRE(a != NULL && b != NULL);
	na = tl_add_nexthop(a, AF_INET, "10.0.0.1", 1);
	nh_info(&ni, AF_INET, "10.0.0.1", 1);
	CHECK_RC(RtmFindNextHop(b, &ni, &nh, NULL), ERROR_NOT_FOUND);
	CHECK_RC(RtmDeleteNextHop(a, na, NULL), NO_ERROR);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(find_nexthop_after_delete_is_not_found)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE a, b, nh = NULL;

	REQUIRE(h != NULL);
	a = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(a != NULL);
	CHECK_RC(RtmDeleteNextHop(h, a, NULL), NO_ERROR);
	nh_info(&ni, AF_INET, "10.0.0.1", 1);
	CHECK_RC(RtmFindNextHop(h, &ni, &nh, NULL), ERROR_NOT_FOUND);
	/* Adding the key again creates a new object. */
	b = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	CHECK(b != NULL);
	CHECK_NE_PTR(b, a);
	CHECK_RC(RtmDeleteNextHop(h, b, NULL), NO_ERROR);
	tl_deregister(h);
}

/* ---- RtmDeleteNextHop ----------------------------------------------------------------- */

TEST(delete_nexthop_bad_handles_are_invalid_handle)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	struct tl_badset bad;
	RTM_NEXTHOP_HANDLE keep;
	unsigned i;

	REQUIRE(h != NULL);
	keep = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(keep != NULL);

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmDeleteNextHop(bad.v[i].h, keep, NULL), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_NEXTHOP) > 0);
	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue; /* NULL with NULL info is INVALID_PARAMETER, checked below */
		CHECK_RC_BAD(RtmDeleteNextHop(h, bad.v[i].h, NULL), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	}
	tl_bad_fini(&bad);

	/* The stored next hop is still there. */
	CHECK(nh_readable(h, keep, NULL));
	CHECK_RC(RtmDeleteNextHop(h, keep, NULL), NO_ERROR);
	tl_deregister(h);
}

TEST(delete_nexthop_without_handle_or_info_is_invalid_parameter)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);

	REQUIRE(h != NULL);
	CHECK_RC(RtmDeleteNextHop(h, NULL, NULL), ERROR_INVALID_PARAMETER);
	tl_deregister(h);
}

TEST(delete_nexthop_of_another_entity_is_access_denied)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_NEXTHOP_HANDLE na, held;
	USHORT st = 0xffff;

	REQUIRE(a != NULL && b != NULL);
	na = tl_add_nexthop(a, AF_INET, "10.0.0.1", 1);
	REQUIRE(na != NULL);
	held = na;
	CHECK_RC(RtmReferenceHandles(b, 1, &held), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(b, held, NULL), ERROR_ACCESS_DENIED);
	CHECK(nh_readable(a, na, &st));
	CHECK_EQ_U(st, RTM_NEXTHOP_STATE_CREATED);
	tl_release_nexthop(b, held);
	CHECK_RC(RtmDeleteNextHop(a, na, NULL), NO_ERROR);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(delete_nexthop_by_info_finds_the_callers_next_hop)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE a, nh = NULL;

	REQUIRE(h != NULL);
	a = tl_add_nexthop(h, AF_INET, "10.0.0.1", 3);
	REQUIRE(a != NULL);
	tl_release_nexthop(h, a);
	nh_info(&ni, AF_INET, "10.0.0.1", 3);
	CHECK_RC(RtmDeleteNextHop(h, NULL, &ni), NO_ERROR);
	CHECK_RC(RtmFindNextHop(h, &ni, &nh, NULL), ERROR_NOT_FOUND);
	CHECK(!nh_readable(h, a, NULL));
	/* Deleting it again by info: it is gone. */
	CHECK_RC(RtmDeleteNextHop(h, NULL, &ni), ERROR_NOT_FOUND);
	tl_deregister(h);
}

TEST(delete_nexthop_twice_is_not_found_and_keeps_the_reference)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE a, second;
	USHORT st = 0xffff;

	REQUIRE(h != NULL);
	a = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(a != NULL);
	second = a;
	CHECK_RC(RtmReferenceHandles(h, 1, &second), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(h, a, NULL), NO_ERROR);
	/* Already deleted: NOT_FOUND, and the failed call consumes nothing. */
	CHECK_RC(RtmDeleteNextHop(h, second, NULL), ERROR_NOT_FOUND);
	CHECK(nh_readable(h, second, &st));
	CHECK_EQ_U(st, RTM_NEXTHOP_STATE_DELETED);
	tl_release_nexthop(h, second);
	CHECK(!nh_readable(h, second, NULL));
	tl_deregister(h);
}

TEST(delete_nexthop_used_by_a_route_leaves_the_route_unchanged)
{
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, &prof);
	RTM_ROUTE_INFO *ri;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE nh;
	RTM_ROUTE_HANDLE r;
	USHORT st = 0xffff;

	REQUIRE(h != NULL);
	ri = tl_route_info_alloc(prof.MaxNextHopsInRoute);
	tl_ipv4(&p, "10.9.0.0", 16);
	nh = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	r = tl_add_route(h, &p, nh, 10, 1, RTM_VIEW_MASK_UCAST, NULL);
	REQUIRE(nh != NULL && r != NULL);

	CHECK_RC(RtmDeleteNextHop(h, nh, NULL), NO_ERROR);
	/* The route's own reference keeps the next hop readable, as DELETED. */
	CHECK(nh_readable(h, nh, &st));
	CHECK_EQ_U(st, RTM_NEXTHOP_STATE_DELETED);

	CHECK_RC(RtmGetRouteInfo(h, r, ri, NULL), NO_ERROR);
	CHECK_EQ_U(ri->State, RTM_ROUTE_STATE_CREATED);
	CHECK_EQ_U(ri->NextHopsList.NumNextHops, 1);
	CHECK_EQ_PTR(TL_NH(ri, 0), nh);
	CHECK_RC(RtmReleaseRouteInfo(h, ri), NO_ERROR);
	CHECK(tl_dest_exists(h, &p));

	/* Once the route goes, so does the next hop. */
	tl_delete_route(h, r);
	CHECK(!nh_readable(h, nh, NULL));
	free(ri);
	tl_deregister(h);
}

/* A route whose neighbour nb is also its next hop, twice, around other. */
static DWORD
add_route_through_neighbour(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE *r, const RTM_NET_ADDRESS *p,
			    RTM_NEXTHOP_HANDLE nb, RTM_NEXTHOP_HANDLE other)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(3);
	RTM_NET_ADDRESS a = *p;
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	DWORD rc;

	ri->Neighbour = nb;
	ri->PrefInfo.Preference = 10;
	ri->PrefInfo.Metric = 1;
	ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri->NextHopsList.NumNextHops = 3;
	TL_NH(ri, 0) = nb;
	TL_NH(ri, 1) = other;
	TL_NH(ri, 2) = nb;
	rc = RtmAddRouteToDest(h, r, &a, ri, INFINITE, NULL, 0, NULL, &fl);
	free(ri);
	return rc;
}

TEST(nexthop_used_as_neighbour_and_next_hops_lives_exactly_as_long_as_the_version)
{
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, &prof);
	RTM_ROUTE_INFO *ri;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE nb, other;
	RTM_ROUTE_HANDLE r = NULL;

	REQUIRE(h != NULL);
	REQUIRE(prof.MaxNextHopsInRoute >= 3);
	ri = tl_route_info_alloc(prof.MaxNextHopsInRoute);
	tl_ipv4(&p, "10.9.0.0", 16);
	nb = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	other = tl_add_nexthop(h, AF_INET, "10.0.0.2", 1);
	REQUIRE(nb != NULL && other != NULL);
	CHECK_RC(add_route_through_neighbour(h, &r, &p, nb, other), NO_ERROR);
	REQUIRE(r != NULL);

	/* The route's version holds three references on nb: deleting nb and
	 * releasing the caller's leaves it readable. */
	CHECK_RC(RtmDeleteNextHop(h, nb, NULL), NO_ERROR);
	CHECK(nh_readable(h, nb, NULL));
	CHECK_RC(RtmGetRouteInfo(h, r, ri, NULL), NO_ERROR);
	CHECK_EQ_PTR(ri->Neighbour, nb);
	CHECK_EQ_U(ri->NextHopsList.NumNextHops, 3);
	CHECK_EQ_PTR(TL_NH(ri, 0), nb);
	CHECK_EQ_PTR(TL_NH(ri, 1), other);
	CHECK_EQ_PTR(TL_NH(ri, 2), nb);
	CHECK_RC(RtmReleaseRouteInfo(h, ri), NO_ERROR);
	CHECK(nh_readable(h, nb, NULL));

	/* A new version without nb drops all three at once: nb dies. */
	memset(ri, 0, sizeof(*ri));
	ri->Neighbour = other;
	ri->PrefInfo.Preference = 10;
	ri->PrefInfo.Metric = 2;
	ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri->NextHopsList.NumNextHops = 1;
	TL_NH(ri, 0) = other;
	{
		RTM_ROUTE_HANDLE same = r;
		RTM_ROUTE_CHANGE_FLAGS fl = 0;

		CHECK_RC(RtmAddRouteToDest(h, &same, NULL, ri, INFINITE, NULL, 0, NULL, &fl),
			 NO_ERROR);
	}
	CHECK(!nh_readable(h, nb, NULL));
	CHECK(nh_readable(h, other, NULL));

	/* The same with the route's deletion as the last reference. */
	tl_delete_route(h, r);
	CHECK_RC(RtmDeleteNextHop(h, other, NULL), NO_ERROR);
	CHECK(!nh_readable(h, other, NULL));
	free(ri);
	tl_deregister(h);
}

TEST(delete_nexthop_by_info_ignores_other_entities_next_hops)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_NEXTHOP_HANDLE na;
	RTM_NEXTHOP_INFO ni;
	USHORT st = 0xffff;

	REQUIRE(a != NULL && b != NULL);
	na = tl_add_nexthop(a, AF_INET, "10.0.0.1", 1);
	REQUIRE(na != NULL);
	nh_info(&ni, AF_INET, "10.0.0.1", 1);
	CHECK_RC(RtmDeleteNextHop(b, NULL, &ni), ERROR_NOT_FOUND);
	CHECK(nh_readable(a, na, &st));
	CHECK_EQ_U(st, RTM_NEXTHOP_STATE_CREATED);
	CHECK_RC(RtmDeleteNextHop(a, na, NULL), NO_ERROR);
	tl_deregister(a);
	tl_deregister(b);
}

/* ---- RtmGetNextHopInfo / RtmReleaseNextHopInfo ---------------------------------------- */

TEST(get_nexthop_info_bad_handles_are_invalid_handle)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	struct tl_badset bad;
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE keep;
	unsigned i;

	REQUIRE(h != NULL);
	keep = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetNextHopInfo(bad.v[i].h, keep, &ni), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_NEXTHOP) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetNextHopInfo(h, bad.v[i].h, &ni), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK(nh_readable(h, keep, NULL));
	CHECK_RC(RtmDeleteNextHop(h, keep, NULL), NO_ERROR);
	tl_deregister(h);
}

TEST(get_nexthop_info_null_info_is_invalid_parameter)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE nh;

	REQUIRE(h != NULL);
	nh = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	CHECK_RC(RtmGetNextHopInfo(h, nh, NULL), ERROR_INVALID_PARAMETER);
	/* NULL pointers are checked before the other handles. */
	CHECK_RC(RtmGetNextHopInfo(h, (HANDLE)0xdeadbeef, NULL), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmDeleteNextHop(h, nh, NULL), NO_ERROR);
	tl_deregister(h);
}

TEST(get_nexthop_info_references_the_owner)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_NEXTHOP_HANDLE na;
	RTM_NEXTHOP_INFO ni;
	RTM_ENTITY_INFO ei;

	REQUIRE(a != NULL && b != NULL);
	na = tl_add_nexthop(a, AF_INET, "10.0.0.1", 1);
	REQUIRE(na != NULL);
	/* Any entity may read it. */
	CHECK_RC(RtmGetNextHopInfo(b, na, &ni), NO_ERROR);
	CHECK_EQ_PTR(ni.NextHopOwner, a);
	CHECK_RC(RtmDeleteNextHop(a, na, NULL), NO_ERROR);
	CHECK_RC(RtmDeregisterEntity(a), NO_ERROR);
	/* The owner's handle inside the info is still referenced. */
	CHECK_RC(RtmGetEntityInfo(b, ni.NextHopOwner, &ei), NO_ERROR);
	CHECK_EQ_U(ei.EntityId.EntityProtocolId, TL_PROTO_RIP);
	CHECK_RC(RtmReleaseNextHopInfo(b, &ni), NO_ERROR);
	CHECK_RC(RtmGetEntityInfo(b, a, &ei), ERROR_INVALID_HANDLE);
	tl_deregister(b);
}

TEST(release_nexthop_info_bad_arguments)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE nh;
	RTM_NEXTHOP_INFO ni, junk;

	REQUIRE(h != NULL);
	nh = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE_RC(RtmGetNextHopInfo(h, nh, &ni), NO_ERROR);
	CHECK_RC(RtmReleaseNextHopInfo((HANDLE)0xdeadbeef, &ni), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseNextHopInfo(NULL, &ni), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseNextHopInfo(h, NULL), ERROR_INVALID_PARAMETER);
	memset(&junk, 0, sizeof(junk));
	junk.NextHopOwner = (HANDLE)0xdeadbeef;
	CHECK_RC(RtmReleaseNextHopInfo(h, &junk), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseNextHopInfo(h, &ni), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(h, nh, NULL), NO_ERROR);
	tl_deregister(h);
}

/* ---- RtmGetNextHopPointer ------------------------------------------------------------- */

TEST(get_nexthop_pointer_bad_handles_are_invalid_handle)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	struct tl_badset bad;
	RTM_NEXTHOP_INFO *ptr;
	RTM_NEXTHOP_HANDLE keep;
	unsigned i;

	REQUIRE(h != NULL);
	keep = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetNextHopPointer(bad.v[i].h, keep, &ptr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_NEXTHOP) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmGetNextHopPointer(h, bad.v[i].h, &ptr), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmGetNextHopPointer(h, keep, NULL), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmDeleteNextHop(h, keep, NULL), NO_ERROR);
	tl_deregister(h);
}

TEST(get_nexthop_pointer_of_another_entity_is_access_denied)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_NEXTHOP_HANDLE na;
	RTM_NEXTHOP_INFO *ptr = NULL;

	REQUIRE(a != NULL && b != NULL);
	na = tl_add_nexthop(a, AF_INET, "10.0.0.1", 1);
	CHECK_RC(RtmGetNextHopPointer(b, na, &ptr), ERROR_ACCESS_DENIED);
	CHECK_RC(RtmDeleteNextHop(a, na, NULL), NO_ERROR);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(get_nexthop_pointer_reads_the_rtm_copy_and_takes_no_reference)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET6, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE nh;
	RTM_NEXTHOP_INFO *ptr = NULL, want;

	REQUIRE(h != NULL);
	nh = tl_add_nexthop(h, AF_INET6, "2001:db8::1", 9);
	REQUIRE(nh != NULL);
	CHECK_RC(RtmGetNextHopPointer(h, nh, &ptr), NO_ERROR);
	REQUIRE(ptr != NULL);
	nh_info(&want, AF_INET6, "2001:db8::1", 9);
	CHECK(tl_addr_eq(&ptr->NextHopAddress, &want.NextHopAddress));
	CHECK_EQ_U(ptr->InterfaceIndex, 9);
	CHECK_EQ_PTR(ptr->NextHopOwner, h);
	CHECK_EQ_U(ptr->State, RTM_NEXTHOP_STATE_CREATED);
	/* Only the add reference exists: delete makes the handle dead. */
	CHECK_RC(RtmDeleteNextHop(h, nh, NULL), NO_ERROR);
	CHECK(!nh_readable(h, nh, NULL));
	tl_deregister(h);
}

/* ---- RtmLockNextHop ------------------------------------------------------------------- */

TEST(lock_nexthop_bad_handles_are_invalid_handle)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	struct tl_badset bad;
	RTM_NEXTHOP_INFO *ptr;
	RTM_NEXTHOP_HANDLE keep;
	unsigned i;

	REQUIRE(h != NULL);
	keep = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmLockNextHop(bad.v[i].h, keep, TRUE, TRUE, &ptr),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_NEXTHOP) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmLockNextHop(h, bad.v[i].h, TRUE, TRUE, &ptr),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	tl_bad_fini(&bad);
	/* Not left locked by any of the failed calls. */
	CHECK_RC(RtmLockNextHop(h, keep, TRUE, TRUE, NULL), NO_ERROR);
	CHECK_RC(RtmLockNextHop(h, keep, TRUE, FALSE, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(h, keep, NULL), NO_ERROR);
	tl_deregister(h);
}

TEST(lock_nexthop_of_another_entity_is_access_denied)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_NEXTHOP_HANDLE na;
	RTM_NEXTHOP_INFO *ptr = NULL;

	REQUIRE(a != NULL && b != NULL);
	na = tl_add_nexthop(a, AF_INET, "10.0.0.1", 1);
	CHECK_RC(RtmLockNextHop(b, na, FALSE, TRUE, &ptr), ERROR_ACCESS_DENIED);
	CHECK_RC(RtmLockNextHop(b, na, TRUE, TRUE, &ptr), ERROR_ACCESS_DENIED);
	CHECK_EQ_PTR(ptr, NULL);
	CHECK_RC(RtmDeleteNextHop(a, na, NULL), NO_ERROR);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(lock_deleted_nexthop_is_not_found)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE nh, held;
	RTM_NEXTHOP_INFO *ptr = NULL;

	REQUIRE(h != NULL);
	nh = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	held = nh;
	CHECK_RC(RtmReferenceHandles(h, 1, &held), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(h, nh, NULL), NO_ERROR);
	CHECK_RC(RtmLockNextHop(h, held, TRUE, TRUE, &ptr), ERROR_NOT_FOUND);
	tl_release_nexthop(h, held);
	tl_deregister(h);
}

TEST(lock_nexthop_gives_the_rtm_copy_and_edits_are_visible)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE nh;
	RTM_NEXTHOP_INFO *ptr = NULL, *ro = NULL, got;
	int marker;

	REQUIRE(h != NULL);
	nh = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(nh != NULL);
	CHECK_RC(RtmGetNextHopPointer(h, nh, &ro), NO_ERROR);
	CHECK_RC(RtmLockNextHop(h, nh, TRUE, TRUE, &ptr), NO_ERROR);
	REQUIRE(ptr != NULL);
	CHECK_EQ_PTR(ptr, ro);
	CHECK_EQ_U(ptr->InterfaceIndex, 1);
	ptr->Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	ptr->EntitySpecificInfo = &marker;
	CHECK_RC(RtmLockNextHop(h, nh, TRUE, FALSE, NULL), NO_ERROR);

	CHECK_RC(RtmGetNextHopInfo(h, nh, &got), NO_ERROR);
	CHECK_EQ_U(got.Flags, RTM_NEXTHOP_FLAGS_REMOTE);
	CHECK_EQ_PTR(got.EntitySpecificInfo, &marker);
	CHECK_RC(RtmReleaseNextHopInfo(h, &got), NO_ERROR);

	/* Shared lock, pointer optional. */
	CHECK_RC(RtmLockNextHop(h, nh, FALSE, TRUE, NULL), NO_ERROR);
	CHECK_RC(RtmLockNextHop(h, nh, FALSE, FALSE, NULL), NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(h, nh, NULL), NO_ERROR);
	tl_deregister(h);
}

struct nh_locker {
	RTM_ENTITY_HANDLE h;
	RTM_NEXTHOP_HANDLE nh;
	int done; /* atomic */
	DWORD rc;
};

static void *
nh_lock_exclusive_thread(void *arg)
{
	struct nh_locker *l = arg;

	l->rc = RtmLockNextHop(l->h, l->nh, TRUE, TRUE, NULL);
	__atomic_store_n(&l->done, 1, __ATOMIC_RELEASE);
	if (l->rc == NO_ERROR)
		RtmLockNextHop(l->h, l->nh, TRUE, FALSE, NULL);
	return NULL;
}

TEST(lock_nexthop_exclusive_waits_for_a_shared_holder)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	struct nh_locker l;
	pthread_t t;

	REQUIRE(h != NULL);
	memset(&l, 0, sizeof(l));
	l.h = h;
	l.nh = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(l.nh != NULL);
	REQUIRE_RC(RtmLockNextHop(h, l.nh, FALSE, TRUE, NULL), NO_ERROR);
	REQUIRE(pthread_create(&t, NULL, nh_lock_exclusive_thread, &l) == 0);
	tl_sleep_ms(100);
	CHECK_EQ_U(__atomic_load_n(&l.done, __ATOMIC_ACQUIRE), 0);
	CHECK_RC(RtmLockNextHop(h, l.nh, FALSE, FALSE, NULL), NO_ERROR);
	pthread_join(t, NULL);
	CHECK_EQ_U(l.done, 1);
	CHECK_RC(l.rc, NO_ERROR);
	CHECK_RC(RtmDeleteNextHop(h, l.nh, NULL), NO_ERROR);
	tl_deregister(h);
}

/* ---- RtmReleaseNextHops --------------------------------------------------------------- */

TEST(release_nexthops_bad_registration_handle_is_invalid_handle)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	struct tl_badset bad;
	RTM_NEXTHOP_HANDLE nh;
	unsigned i;

	REQUIRE(h != NULL);
	nh = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmReleaseNextHops(bad.v[i].h, 1, &nh), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmReleaseNextHops(h, 1, NULL), ERROR_INVALID_PARAMETER);
	/* The reference is still there for the delete to consume. */
	CHECK_RC(RtmDeleteNextHop(h, nh, NULL), NO_ERROR);
	CHECK(!nh_readable(h, nh, NULL));
	tl_deregister(h);
}

TEST(release_nexthops_with_a_bad_handle_releases_nothing)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	struct tl_badset bad;
	RTM_NEXTHOP_HANDLE nh, held, arr[2];
	USHORT st = 0xffff;
	unsigned i;

	REQUIRE(h != NULL);
	nh = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(nh != NULL);
	held = nh;
	CHECK_RC(RtmReferenceHandles(h, 1, &held), NO_ERROR);

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_NEXTHOP) > 0);
	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue;
		arr[0] = held;
		arr[1] = bad.v[i].h;
		CHECK_RC_BAD(RtmReleaseNextHops(h, 2, arr), ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);

	/* Both references survived: the delete consumes one, the other keeps it readable. */
	CHECK_RC(RtmDeleteNextHop(h, nh, NULL), NO_ERROR);
	CHECK(nh_readable(h, held, &st));
	CHECK_EQ_U(st, RTM_NEXTHOP_STATE_DELETED);
	tl_release_nexthop(h, held);
	CHECK(!nh_readable(h, held, NULL));
	tl_deregister(h);
}

TEST(release_nexthops_last_reference_of_live_next_hop_keeps_it_in_the_table)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_HANDLE nh, again = NULL;
	RTM_NEXTHOP_INFO ni;

	REQUIRE(h != NULL);
	nh = tl_add_nexthop(h, AF_INET, "10.0.0.1", 1);
	REQUIRE(nh != NULL);
	tl_release_nexthop(h, nh);
	/* Not deleted, so the table still has it (and its handle value). */
	nh_info(&ni, AF_INET, "10.0.0.1", 1);
	CHECK_RC(RtmFindNextHop(h, &ni, &again, NULL), NO_ERROR);
	CHECK_EQ_PTR(again, nh);
	CHECK_RC(RtmDeleteNextHop(h, again, NULL), NO_ERROR);
	tl_deregister(h);
}

int
main(int c, char **v)
{
	return check_main(c, v);
}
