/*
 * test_entity.c - RtmRegisterEntity, RtmDeregisterEntity,
 * RtmGetRegisteredEntities, RtmReleaseEntities, RtmGetEntityInfo,
 * RtmReleaseEntityInfo (SEMANTICS §3, §4).
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static void
fill_info(RTM_ENTITY_INFO *info, USHORT instance, USHORT family, ULONG proto, ULONG inst)
{
	memset(info, 0, sizeof(*info));
	info->RtmInstanceId = instance;
	info->AddressFamily = family;
	info->EntityId.EntityProtocolId = proto;
	info->EntityId.EntityInstanceId = inst;
}

/* TRUE if RtmGetEntityInfo(h, e) succeeds. */
static int
entity_readable(RTM_ENTITY_HANDLE h, RTM_ENTITY_HANDLE e)
{
	RTM_ENTITY_INFO info;

	return RtmGetEntityInfo(h, e, &info) == NO_ERROR;
}

static VOID WINAPI
dummy_method(RTM_ENTITY_HANDLE caller, RTM_ENTITY_HANDLE callee, RTM_ENTITY_METHOD_INPUT *in,
	     RTM_ENTITY_METHOD_OUTPUT *out)
{
	(void)caller;
	(void)callee;
	(void)in;
	if (out != NULL) {
		out->MethodStatus = NO_ERROR;
		out->OutputSize = 0;
	}
}

/* ---- RtmRegisterEntity ---------------------------------------------------------------- */

TEST(register_null_arguments_are_invalid_parameter)
{
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = NULL;

	fill_info(&info, 0, AF_INET, TL_PROTO_RIP, 1);
	CHECK_RC(RtmRegisterEntity(NULL, NULL, NULL, FALSE, &prof, &h), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmRegisterEntity(&info, NULL, NULL, FALSE, NULL, &h), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmRegisterEntity(&info, NULL, NULL, FALSE, &prof, NULL), ERROR_INVALID_PARAMETER);

	/* None of the failed calls registered anything. */
	h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	REQUIRE(h != NULL);
	tl_deregister(h);
}

TEST(register_unsupported_family_is_invalid_parameter)
{
	static const USHORT bad[] = {0, AF_UNIX, 23 /* AF_INET6 on Windows */, AF_PACKET, 0xffff};
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		h = NULL;
		fill_info(&info, 0, bad[i], TL_PROTO_RIP, 1);
		CHECK_RC(RtmRegisterEntity(&info, NULL, NULL, FALSE, &prof, &h),
			 ERROR_INVALID_PARAMETER);
		if (h != NULL)
			check_note("family %u gave handle %p", (unsigned)bad[i], h);
	}
}

TEST(register_more_than_32_methods_is_invalid_parameter)
{
	RTM_ENTITY_EXPORT_METHODS *m;
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = NULL;
	unsigned i;

	m = calloc(1, sizeof(*m) + 33 * sizeof(m->Methods[0]));
	REQUIRE(m != NULL);
	for (i = 0; i < 33; i++)
		(&m->Methods[0])[i] = dummy_method;
	fill_info(&info, 0, AF_INET, TL_PROTO_RIP, 2);

	m->NumMethods = 33;
	CHECK_RC(RtmRegisterEntity(&info, m, NULL, FALSE, &prof, &h), ERROR_INVALID_PARAMETER);

	m->NumMethods = 32;
	h = NULL;
	CHECK_RC(RtmRegisterEntity(&info, m, NULL, FALSE, &prof, &h), NO_ERROR);
	tl_deregister(h);
	free(m);
}

TEST(register_fills_profile_with_two_views_and_positive_limits)
{
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h;

	memset(&prof, 0xa5, sizeof(prof));
	h = tl_register(AF_INET, TL_PROTO_RIP, 1, &prof);
	REQUIRE(h != NULL);
	CHECK_EQ_U(prof.NumberOfViews, 2);
	CHECK_EQ_U(prof.ViewsSupported, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	CHECK(prof.MaxNextHopsInRoute >= 1 && prof.MaxNextHopsInRoute < 0xa5a5a5a5u);
	CHECK(prof.MaxHandlesInEnum >= 1 && prof.MaxHandlesInEnum < 0xa5a5a5a5u);
	tl_deregister(h);

	/* The IPv6 table has the same views. */
	memset(&prof, 0xa5, sizeof(prof));
	h = tl_register(AF_INET6, TL_PROTO_RIP, 1, &prof);
	REQUIRE(h != NULL);
	CHECK_EQ_U(prof.NumberOfViews, 2);
	CHECK_EQ_U(prof.ViewsSupported, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	tl_deregister(h);
}

TEST(register_same_identity_twice_is_already_exists)
{
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h1, h2 = NULL;

	h1 = tl_register(AF_INET, TL_PROTO_OSPF, 4, NULL);
	REQUIRE(h1 != NULL);
	fill_info(&info, 0, AF_INET, TL_PROTO_OSPF, 4);
	CHECK_RC(RtmRegisterEntity(&info, NULL, NULL, FALSE, &prof, &h2), ERROR_ALREADY_EXISTS);
	/* The original registration is unaffected. */
	CHECK(entity_readable(h1, h1));
	tl_deregister(h1);
}

TEST(register_same_protocol_other_instance_is_a_different_entity)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 2, NULL);

	CHECK(a != NULL && b != NULL);
	CHECK_NE_PTR(a, b);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(register_same_id_in_other_family_or_instance_is_a_different_entity)
{
	RTM_ENTITY_HANDLE v4 = tl_register_ex(0, AF_INET, TL_PROTO_BGP, 1, FALSE, NULL, NULL);
	RTM_ENTITY_HANDLE v6 = tl_register_ex(0, AF_INET6, TL_PROTO_BGP, 1, FALSE, NULL, NULL);
	RTM_ENTITY_HANDLE i1 = tl_register_ex(1, AF_INET, TL_PROTO_BGP, 1, FALSE, NULL, NULL);

	CHECK(v4 != NULL && v6 != NULL && i1 != NULL);
	CHECK_NE_PTR(v4, v6);
	CHECK_NE_PTR(v4, i1);
	CHECK_NE_PTR(v6, i1);
	tl_deregister(v4);
	tl_deregister(v6);
	tl_deregister(i1);
}

TEST(register_again_after_deregister_succeeds)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 9, NULL);

	REQUIRE(h != NULL);
	tl_deregister(h);
	h = tl_register(AF_INET, TL_PROTO_RIP, 9, NULL);
	CHECK(h != NULL);
	tl_deregister(h);
}

TEST(register_with_methods_and_callback_succeeds)
{
	RTM_ENTITY_EXPORT_METHODS m;
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = NULL;

	m.NumMethods = 1;
	m.Methods[0] = dummy_method;
	fill_info(&info, 0, AF_INET, TL_PROTO_RIP, 3);
	CHECK_RC(RtmRegisterEntity(&info, &m, NULL, FALSE, &prof, &h), NO_ERROR);
	CHECK(h != NULL);
	tl_deregister(h);
}

/* ---- RtmDeregisterEntity -------------------------------------------------------------- */

TEST(deregister_bad_handles_are_invalid_handle)
{
	struct tl_badset bad;
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	unsigned i;

	REQUIRE(a != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmDeregisterEntity(bad.v[i].h), ERROR_INVALID_HANDLE, &bad.v[i]);
	/* Nothing that was registered got lost. */
	CHECK(entity_readable(a, a));
	CHECK(entity_readable(a, bad.fixture));
	tl_bad_fini(&bad);
	tl_deregister(a);
}

TEST(deregister_twice_is_invalid_handle)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);

	REQUIRE(h != NULL);
	CHECK_RC(RtmDeregisterEntity(h), NO_ERROR);
	CHECK_RC(RtmDeregisterEntity(h), ERROR_INVALID_HANDLE);
}

TEST(deregistered_handle_is_rejected_by_later_calls)
{
	RTM_ENTITY_HANDLE other = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	RTM_ENTITY_INFO info;
	UINT num = 0;

	REQUIRE(h != NULL && other != NULL);
	tl_deregister(h);
	memset(&ni, 0, sizeof(ni));
	tl_ipv4(&ni.NextHopAddress, "10.0.0.1", 32);
	CHECK_RC(RtmAddNextHop(h, &ni, &nh, &fl), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetRegisteredEntities(h, &num, NULL, NULL), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetEntityInfo(h, other, &info), ERROR_INVALID_HANDLE);
	/* Nobody holds a reference, so the handle is dead for others too. */
	CHECK_RC(RtmGetEntityInfo(other, h, &info), ERROR_INVALID_HANDLE);
	tl_deregister(other);
}

TEST(deregister_deletes_the_entitys_routes_and_next_hops)
{
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 1, &prof);
	RTM_ROUTE_INFO *crit, *ri;
	RTM_NET_ADDRESS p;
	RTM_NEXTHOP_HANDLE nh, held_nh;
	RTM_NEXTHOP_INFO ni;
	RTM_ROUTE_HANDLE r, held = NULL;

	REQUIRE(a != NULL && b != NULL);

	tl_ipv4(&p, "10.20.0.0", 16);
	nh = tl_add_nexthop(a, AF_INET, "10.1.1.1", 3);
	r = tl_add_route(a, &p, nh, 10, 1, RTM_VIEW_MASK_UCAST, NULL);
	REQUIRE(nh != NULL && r != NULL);
	tl_release_route(a, r);
	tl_release_nexthop(a, nh);

	/* B finds the route and keeps references to it and to its next hop. */
	crit = tl_route_info_alloc(prof.MaxNextHopsInRoute);
	ri = tl_route_info_alloc(prof.MaxNextHopsInRoute);
	CHECK_RC(RtmGetExactMatchRoute(b, &p, RTM_MATCH_NONE, crit, 0, RTM_VIEW_MASK_ANY, &held),
		 NO_ERROR);
	REQUIRE(held != NULL);
	CHECK_EQ_U(crit->NextHopsList.NumNextHops, 1);
	held_nh = TL_NH(crit, 0);

	CHECK_RC(RtmDeregisterEntity(a), NO_ERROR);

	/* The destination left the table with its only route. */
	CHECK(!tl_dest_exists(b, &p));
	/* The held route and next hop are deleted but still readable. */
	CHECK_RC(RtmGetRouteInfo(b, held, ri, NULL), NO_ERROR);
	CHECK_EQ_U(ri->State, RTM_ROUTE_STATE_DELETED);
	CHECK_RC(RtmReleaseRouteInfo(b, ri), NO_ERROR);
	CHECK_RC(RtmGetNextHopInfo(b, held_nh, &ni), NO_ERROR);
	CHECK_EQ_U(ni.State, RTM_NEXTHOP_STATE_DELETED);
	CHECK_RC(RtmReleaseNextHopInfo(b, &ni), NO_ERROR);

	/* Dropping the last references kills the handles at once. */
	CHECK_RC(RtmReleaseRouteInfo(b, crit), NO_ERROR);
	tl_release_route(b, held);
	CHECK_RC(RtmGetRouteInfo(b, held, ri, NULL), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetNextHopInfo(b, held_nh, &ni), ERROR_INVALID_HANDLE);
	free(crit);
	free(ri);
	tl_deregister(b);
}

TEST(deregistered_entity_stays_readable_through_held_handles)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 5, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 6, NULL);
	RTM_ENTITY_HANDLE hs[8];
	RTM_ENTITY_INFO info;
	UINT num = 8, i;
	int found = 0;

	REQUIRE(a != NULL && b != NULL);
	REQUIRE_RC(RtmGetRegisteredEntities(b, &num, hs, NULL), NO_ERROR);
	REQUIRE(num == 2);
	for (i = 0; i < num; i++)
		found += hs[i] == a;
	CHECK_EQ_U(found, 1);

	CHECK_RC(RtmDeregisterEntity(a), NO_ERROR);
	CHECK_RC(RtmGetEntityInfo(b, a, &info), NO_ERROR);
	CHECK_EQ_U(info.AddressFamily, AF_INET);
	CHECK_EQ_U(info.EntityId.EntityProtocolId, TL_PROTO_RIP);
	CHECK_EQ_U(info.EntityId.EntityInstanceId, 5);
	/* The handle is not usable as a registration any more. */
	CHECK_RC(RtmDeregisterEntity(a), ERROR_INVALID_HANDLE);

	CHECK_RC(RtmReleaseEntities(b, num, hs), NO_ERROR);
	CHECK_RC(RtmGetEntityInfo(b, a, &info), ERROR_INVALID_HANDLE);
	tl_deregister(b);
}

/* ---- RtmGetRegisteredEntities --------------------------------------------------------- */

TEST(get_registered_entities_bad_handles_are_invalid_handle)
{
	struct tl_badset bad;
	RTM_ENTITY_HANDLE hs[8];
	RTM_ENTITY_INFO infos[8];
	UINT num;
	unsigned i;

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		num = 8;
		CHECK_RC_BAD(RtmGetRegisteredEntities(bad.v[i].h, &num, hs, infos),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
}

TEST(get_registered_entities_null_count_is_invalid_parameter)
{
	RTM_ENTITY_HANDLE h = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE hs[4];

	REQUIRE(h != NULL);
	CHECK_RC(RtmGetRegisteredEntities(h, NULL, hs, NULL), ERROR_INVALID_PARAMETER);
	/* Check order: the entity handle comes first. */
	CHECK_RC(RtmGetRegisteredEntities((HANDLE)0xdeadbeef, NULL, hs, NULL),
		 ERROR_INVALID_HANDLE);
	tl_deregister(h);
}

TEST(get_registered_entities_zero_count_reports_total_as_insufficient_buffer)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_RIP, 2, NULL);
	RTM_ENTITY_HANDLE c = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	UINT num = 0;

	REQUIRE(a != NULL && b != NULL && c != NULL);
	CHECK_RC(RtmGetRegisteredEntities(a, &num, NULL, NULL), ERROR_INSUFFICIENT_BUFFER);
	CHECK_EQ_U(num, 3);
	tl_deregister(a);
	tl_deregister(b);
	tl_deregister(c);
}

TEST(get_registered_entities_short_buffer_takes_no_references)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_RIP, 2, NULL);
	RTM_ENTITY_HANDLE c = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_ENTITY_HANDLE hs[2];
	RTM_ENTITY_INFO infos[2], info;
	UINT num = 2;

	REQUIRE(a != NULL && b != NULL && c != NULL);
	CHECK_RC(RtmGetRegisteredEntities(a, &num, hs, infos), ERROR_INSUFFICIENT_BUFFER);
	CHECK_EQ_U(num, 3);
	/* No reference was taken: deregistered entities die at once. */
	tl_deregister(b);
	tl_deregister(c);
	CHECK_RC(RtmGetEntityInfo(a, b, &info), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetEntityInfo(a, c, &info), ERROR_INVALID_HANDLE);
	tl_deregister(a);
}

TEST(get_registered_entities_lists_the_callers_table_including_the_caller)
{
	RTM_ENTITY_HANDLE a = tl_register_ex(0, AF_INET, TL_PROTO_RIP, 1, FALSE, NULL, NULL);
	RTM_ENTITY_HANDLE b = tl_register_ex(0, AF_INET, TL_PROTO_OSPF, 7, FALSE, NULL, NULL);
	RTM_ENTITY_HANDLE v6 = tl_register_ex(0, AF_INET6, TL_PROTO_RIP, 1, FALSE, NULL, NULL);
	RTM_ENTITY_HANDLE i1 = tl_register_ex(1, AF_INET, TL_PROTO_RIP, 1, FALSE, NULL, NULL);
	RTM_ENTITY_HANDLE hs[8];
	RTM_ENTITY_INFO infos[8];
	UINT num = 8, i, seen_a = 0, seen_b = 0;

	REQUIRE(a != NULL && b != NULL && v6 != NULL && i1 != NULL);
	memset(infos, 0, sizeof(infos));
	REQUIRE_RC(RtmGetRegisteredEntities(a, &num, hs, infos), NO_ERROR);
	CHECK_EQ_U(num, 2);
	for (i = 0; i < num && i < 8; i++) {
		CHECK_EQ_U(infos[i].RtmInstanceId, 0);
		CHECK_EQ_U(infos[i].AddressFamily, AF_INET);
		if (hs[i] == a) {
			seen_a++;
			CHECK_EQ_U(infos[i].EntityId.EntityProtocolId, TL_PROTO_RIP);
			CHECK_EQ_U(infos[i].EntityId.EntityInstanceId, 1);
		} else if (hs[i] == b) {
			seen_b++;
			CHECK_EQ_U(infos[i].EntityId.EntityProtocolId, TL_PROTO_OSPF);
			CHECK_EQ_U(infos[i].EntityId.EntityInstanceId, 7);
		} else {
			check_fail(__FILE__, __LINE__, "unexpected entity handle %p", hs[i]);
		}
	}
	CHECK_EQ_U(seen_a, 1);
	CHECK_EQ_U(seen_b, 1);
	CHECK_RC(RtmReleaseEntities(a, num, hs), NO_ERROR);

	/* The IPv6 table sees only its own entity. */
	num = 8;
	CHECK_RC(RtmGetRegisteredEntities(v6, &num, hs, infos), NO_ERROR);
	CHECK_EQ_U(num, 1);
	CHECK_EQ_PTR(hs[0], v6);
	CHECK_EQ_U(infos[0].AddressFamily, AF_INET6);
	CHECK_RC(RtmReleaseEntities(v6, num, hs), NO_ERROR);

	/* So does instance 1. */
	num = 8;
	CHECK_RC(RtmGetRegisteredEntities(i1, &num, hs, infos), NO_ERROR);
	CHECK_EQ_U(num, 1);
	CHECK_EQ_PTR(hs[0], i1);
	CHECK_EQ_U(infos[0].RtmInstanceId, 1);
	CHECK_RC(RtmReleaseEntities(i1, num, hs), NO_ERROR);

	tl_deregister(a);
	tl_deregister(b);
	tl_deregister(v6);
	tl_deregister(i1);
}

TEST(get_registered_entities_accepts_null_arrays)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_RIP, 2, NULL);
	RTM_ENTITY_HANDLE hs[4];
	RTM_ENTITY_INFO infos[4];
	UINT num;

	REQUIRE(a != NULL && b != NULL);
	num = 4;
	CHECK_RC(RtmGetRegisteredEntities(a, &num, NULL, NULL), NO_ERROR);
	CHECK_EQ_U(num, 2);

	num = 4;
	CHECK_RC(RtmGetRegisteredEntities(a, &num, NULL, infos), NO_ERROR);
	CHECK_EQ_U(num, 2);
	CHECK_EQ_U(infos[0].EntityId.EntityProtocolId, TL_PROTO_RIP);
	CHECK_EQ_U(infos[1].EntityId.EntityProtocolId, TL_PROTO_RIP);
	CHECK_EQ_U(infos[0].EntityId.EntityInstanceId + infos[1].EntityId.EntityInstanceId, 3);

	num = 4;
	CHECK_RC(RtmGetRegisteredEntities(a, &num, hs, NULL), NO_ERROR);
	CHECK_EQ_U(num, 2);
	CHECK((hs[0] == a && hs[1] == b) || (hs[0] == b && hs[1] == a));
	CHECK_RC(RtmReleaseEntities(a, num, hs), NO_ERROR);

	tl_deregister(a);
	tl_deregister(b);
}

TEST(get_registered_entities_exact_count_fits)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE hs[1];
	UINT num = 1;

	REQUIRE(a != NULL);
	CHECK_RC(RtmGetRegisteredEntities(a, &num, hs, NULL), NO_ERROR);
	CHECK_EQ_U(num, 1);
	CHECK_EQ_PTR(hs[0], a);
	CHECK_RC(RtmReleaseEntities(a, 1, hs), NO_ERROR);
	tl_deregister(a);
}

TEST(get_registered_entities_count_follows_registrations)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_RIP, 2, NULL);
	UINT num = 0;

	REQUIRE(a != NULL && b != NULL);
	CHECK_RC(RtmGetRegisteredEntities(a, &num, NULL, NULL), ERROR_INSUFFICIENT_BUFFER);
	CHECK_EQ_U(num, 2);
	tl_deregister(b);
	num = 0;
	CHECK_RC(RtmGetRegisteredEntities(a, &num, NULL, NULL), ERROR_INSUFFICIENT_BUFFER);
	CHECK_EQ_U(num, 1);
	b = tl_register(AF_INET, TL_PROTO_RIP, 2, NULL);
	num = 0;
	CHECK_RC(RtmGetRegisteredEntities(a, &num, NULL, NULL), ERROR_INSUFFICIENT_BUFFER);
	CHECK_EQ_U(num, 2);
	tl_deregister(b);
	tl_deregister(a);
}

/* ---- RtmReleaseEntities --------------------------------------------------------------- */

TEST(release_entities_bad_registration_handle_is_invalid_handle)
{
	struct tl_badset bad;
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE hs[4];
	UINT num = 4;
	unsigned i;

	REQUIRE(a != NULL);
	REQUIRE_RC(RtmGetRegisteredEntities(a, &num, hs, NULL), NO_ERROR);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++)
		CHECK_RC_BAD(RtmReleaseEntities(bad.v[i].h, num, hs), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	tl_bad_fini(&bad);
	CHECK_RC(RtmReleaseEntities(a, num, hs), NO_ERROR);
	tl_deregister(a);
}

TEST(release_entities_with_a_bad_handle_releases_nothing)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	RTM_ENTITY_HANDLE hs[4], held_b = NULL, arr[2];
	struct tl_badset bad;
	RTM_ENTITY_INFO info;
	UINT num = 4, i, j;

	REQUIRE(a != NULL && b != NULL);
	REQUIRE_RC(RtmGetRegisteredEntities(a, &num, hs, NULL), NO_ERROR);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	/* hs holds references to a and b; keep b's, drop a's. */
	for (i = 0, j = 0; i < num; i++) {
		if (hs[i] == b)
			held_b = hs[i];
		else
			hs[j++] = hs[i];
	}
	REQUIRE(held_b == b);
	CHECK_RC(RtmReleaseEntities(a, j, hs), NO_ERROR);

	for (i = 0; i < bad.n; i++) {
		if (bad.v[i].h == NULL)
			continue; /* a NULL inside an array may be skipped, like in infos */
		arr[0] = held_b;
		arr[1] = bad.v[i].h;
		CHECK_RC_BAD(RtmReleaseEntities(a, 2, arr), ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);

	/* b's reference survived every failed call. */
	CHECK_RC(RtmDeregisterEntity(b), NO_ERROR);
	CHECK_RC(RtmGetEntityInfo(a, held_b, &info), NO_ERROR);
	CHECK_RC(RtmReleaseEntities(a, 1, &held_b), NO_ERROR);
	CHECK_RC(RtmGetEntityInfo(a, held_b, &info), ERROR_INVALID_HANDLE);
	tl_deregister(a);
}

TEST(release_entities_null_array_is_invalid_parameter)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);

	REQUIRE(a != NULL);
	CHECK_RC(RtmReleaseEntities(a, 1, NULL), ERROR_INVALID_PARAMETER);
	tl_deregister(a);
}

/* ---- RtmGetEntityInfo / RtmReleaseEntityInfo ------------------------------------------ */

TEST(get_entity_info_bad_handles_are_invalid_handle)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	struct tl_badset bad;
	RTM_ENTITY_INFO info;
	unsigned i;

	REQUIRE(a != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		CHECK_RC_BAD(RtmGetEntityInfo(bad.v[i].h, a, &info), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		CHECK_RC_BAD(RtmGetEntityInfo(a, bad.v[i].h, &info), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	}
	tl_bad_fini(&bad);
	CHECK(entity_readable(a, a));
	tl_deregister(a);
}

TEST(get_entity_info_checks_arguments_in_order)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);

	REQUIRE(a != NULL);
	CHECK_RC(RtmGetEntityInfo(a, a, NULL), ERROR_INVALID_PARAMETER);
	/* Registration handle before NULL pointers, NULL pointers before other handles. */
	CHECK_RC(RtmGetEntityInfo((HANDLE)0xdeadbeef, a, NULL), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmGetEntityInfo(a, (HANDLE)0xdeadbeef, NULL), ERROR_INVALID_PARAMETER);
	tl_deregister(a);
}

TEST(get_entity_info_reports_the_registered_identity)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET6, TL_PROTO_OSPF, 42, NULL);
	RTM_ENTITY_HANDLE b = tl_register(AF_INET6, TL_PROTO_BGP, 0x12345678, NULL);
	RTM_ENTITY_INFO info;

	REQUIRE(a != NULL && b != NULL);
	memset(&info, 0xcc, sizeof(info));
	CHECK_RC(RtmGetEntityInfo(a, a, &info), NO_ERROR);
	CHECK_EQ_U(info.RtmInstanceId, 0);
	CHECK_EQ_U(info.AddressFamily, AF_INET6);
	CHECK_EQ_U(info.EntityId.EntityProtocolId, TL_PROTO_OSPF);
	CHECK_EQ_U(info.EntityId.EntityInstanceId, 42);
	CHECK_RC(RtmReleaseEntityInfo(a, &info), NO_ERROR);

	/* Any entity may read another one's identity. */
	CHECK_RC(RtmGetEntityInfo(a, b, &info), NO_ERROR);
	CHECK_EQ_U(info.EntityId.EntityProtocolId, TL_PROTO_BGP);
	CHECK_EQ_U(info.EntityId.EntityInstanceId, 0x12345678);
	CHECK_RC(RtmReleaseEntityInfo(a, &info), NO_ERROR);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(release_entity_info_does_nothing_and_succeeds)
{
	RTM_ENTITY_HANDLE a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	RTM_ENTITY_INFO info;

	REQUIRE(a != NULL);
	CHECK_RC(RtmGetEntityInfo(a, a, &info), NO_ERROR);
	CHECK_RC(RtmReleaseEntityInfo(a, &info), NO_ERROR);
	/* It holds no handles, so releasing twice is harmless. */
	CHECK_RC(RtmReleaseEntityInfo(a, &info), NO_ERROR);
	CHECK(entity_readable(a, a));
	CHECK_RC(RtmReleaseEntityInfo((HANDLE)0xdeadbeef, &info), ERROR_INVALID_HANDLE);
	CHECK_RC(RtmReleaseEntityInfo(a, NULL), ERROR_INVALID_PARAMETER);
	tl_deregister(a);
}

int
main(int c, char **v)
{
	return check_main(c, v);
}
