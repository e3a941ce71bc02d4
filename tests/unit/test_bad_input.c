/*
 * test_bad_input.c - every one of the 57 functions called with bad input:
 * NULL pointers, out-of-range counts, bad prefixes, unknown flags and views,
 * NULL / garbage / forged / stale / wrong-type handles, and handles of
 * another entity or another table.  Each call must return the expected code
 * (SEMANTICS §1, §3, §13; docs/bad-input.md is generated from the table
 * below) and change nothing:
 *
 *  - the whole store is fingerprinted before the first case and compared
 *    after every single call: entities, destinations, routes with their
 *    information and best-route views, next hops, route-list contents,
 *    pending and marked change notifications, opaque slots, lock states,
 *    exported methods, and "zombie" handles (deleted objects that hold
 *    exactly one reference: a call that drops a reference it should not
 *    kills them, which the fingerprint sees);
 *  - the caller's memory is compared byte for byte: a failed call writes
 *    nothing (our decision where SEMANTICS is silent);
 *  - no exported method runs;
 *  - at the end the enumerations that bad calls were aimed at still return
 *    everything from the start (no cursor moved), and once every reference
 *    is given back every object handle dies (no error path leaked one).
 *
 * Every row of the case table has an ID ("F18.7": function 18 of rtmv2.h,
 * row 7) that names it in failure messages and in docs/bad-input.md;
 * "unit_bad_input --table" prints that table and "--check-doc FILE" checks
 * that FILE contains it (CTest unit.bad_input_doc).  Set RTM_BAD_INPUT_SEED
 * to replay the random garbage handles.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"

#define IH ERROR_INVALID_HANDLE
#define IP ERROR_INVALID_PARAMETER
#define AD ERROR_ACCESS_DENIED
#define NF ERROR_NOT_FOUND

/* Object kinds, for building handle sets. */
enum kind { K_ENTITY, K_DEST, K_ROUTE, K_NEXTHOP, K_ENUM, K_LIST, K_NOTIFY, K_COUNT, K_ANY };

static const char *const kind_name[] = {"entity", "dest", "route", "next-hop",
					"enum", "route-list", "notify"};

/* ---- one populated table ---------------------------------------------------------------- */

/*
 * A table (instance, family) with two client entities and an observer:
 * "me" (opaque slot, two methods) makes the bad calls; "other" owns objects
 * me must not touch; "obs" only reads, for the fingerprint.  Every object
 * the world holds a reference to is listed here.
 */
struct fx {
	USHORT inst, fam;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE me, other, obs, ghost; /* ghost: deregistered, one reference */
	RTM_NEXTHOP_HANDLE nh[2], nh_other, nh_zombie;
	RTM_ROUTE_HANDLE r[3], r_other[2], r_zombie;
	RTM_DEST_INFO *di[5]; /* referenced: 10/8, 10.1/16, 10.1.2/24, 192.168/16, zombie */
	RTM_DEST_HANDLE d[4], d_zombie;
	RTM_ENUM_HANDLE en_dest, en_route, en_nh, en_list, en_other;
	RTM_ROUTE_LIST_HANDLE list, list_other;
	RTM_NOTIFY_HANDLE notify, notify_other;
	int opaque_value;
};

static unsigned method_calls; /* every exported method counts here */

static VOID WINAPI
method_echo(RTM_ENTITY_HANDLE caller, RTM_ENTITY_HANDLE callee, RTM_ENTITY_METHOD_INPUT *in,
	    RTM_ENTITY_METHOD_OUTPUT *out)
{
	(void)caller;
	(void)callee;
	(void)in;
	method_calls++;
	out->MethodStatus = NO_ERROR;
	if (out->OutputSize >= 1) {
		out->OutputData[0] = 0x5a;
		out->OutputSize = 1;
	}
}

/* An IPv4 prefix for the table's family (IPv4-mapped for IPv6). */
static void
fx_net(const struct fx *x, RTM_NET_ADDRESS *a, const char *v4, unsigned len)
{
	char buf[64];

	if (x->fam == AF_INET6) {
		snprintf(buf, sizeof(buf), "::ffff:%s", v4);
		tl_addr(a, AF_INET6, buf, len + 96);
	} else {
		tl_addr(a, AF_INET, v4, len);
	}
}

static RTM_ENTITY_HANDLE
fx_register(struct fx *x, ULONG proto, ULONG inst, WINBOOL opaque, UINT nmethods)
{
	union {
		RTM_ENTITY_EXPORT_METHODS m;
		char space[sizeof(RTM_ENTITY_EXPORT_METHODS) +
			   4 * sizeof(RTM_ENTITY_EXPORT_METHOD)];
	} em;
	RTM_ENTITY_INFO info;
	RTM_ENTITY_HANDLE h = NULL;
	DWORD rc;

	memset(&info, 0, sizeof(info));
	info.RtmInstanceId = x->inst;
	info.AddressFamily = x->fam;
	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = inst;
	em.m.NumMethods = nmethods;
	for (UINT i = 0; i < nmethods; i++)
		(&em.m.Methods[0])[i] = method_echo;
	rc = RtmRegisterEntity(&info, nmethods ? &em.m : NULL, NULL, opaque, &x->prof, &h);
	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "register %lx/%lx: %s", (unsigned long)proto,
			   (unsigned long)inst, rtm_error_name(rc));
	return h;
}

static RTM_NEXTHOP_HANDLE
fx_nexthop(struct fx *x, RTM_ENTITY_HANDLE h, const char *v4, ULONG ifindex)
{
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh = NULL;
	DWORD flags;
	DWORD rc;

	memset(&ni, 0, sizeof(ni));
	fx_net(x, &ni.NextHopAddress, v4, 32);
	ni.InterfaceIndex = ifindex;
	rc = RtmAddNextHop(h, &ni, &nh, &flags);
	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "add next hop %s: %s", v4, rtm_error_name(rc));
	return nh;
}

static RTM_ROUTE_HANDLE
fx_route(struct fx *x, RTM_ENTITY_HANDLE h, const char *v4, unsigned len,
	 RTM_NEXTHOP_HANDLE nh0, RTM_NEXTHOP_HANDLE nh1, ULONG pref, DWORD views)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(2);
	RTM_NET_ADDRESS a;
	RTM_ROUTE_HANDLE r = NULL;
	DWORD flags = 0, rc;

	fx_net(x, &a, v4, len);
	ri->PrefInfo.Preference = pref;
	ri->PrefInfo.Metric = 1;
	ri->BelongsToViews = views;
	ri->Flags = RTM_ROUTE_FLAGS_REMOTE;
	ri->EntitySpecificInfo = (PVOID)(uintptr_t)(0x1000 + len);
	if (nh0)
		TL_NH(ri, ri->NextHopsList.NumNextHops++) = nh0;
	if (nh1)
		TL_NH(ri, ri->NextHopsList.NumNextHops++) = nh1;
	rc = RtmAddRouteToDest(h, &r, &a, ri, INFINITE, NULL, 0, NULL, &flags);
	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "add route %s/%u: %s", v4, len, rtm_error_name(rc));
	free(ri);
	return r;
}

static RTM_DEST_INFO *
fx_dest(struct fx *x, const char *v4, unsigned len)
{
	RTM_NET_ADDRESS a;

	fx_net(x, &a, v4, len);
	return tl_dest_get(x->me, &a);
}

static void
fx_ref(struct fx *x, HANDLE h)
{
	CHECK_RC(RtmReferenceHandles(x->me, 1, &h), NO_ERROR);
}

/*
 * Populates a table.  The zombies and (through before_notify) the dead
 * handles come first, so that no change-notification queue holds a
 * reference to them; then the registrations, so that every later change is
 * pending (and a call that consumes or drops one shows).
 */
static void
fx_init(struct fx *x, USHORT inst, USHORT fam, void (*before_notify)(void))
{
	DWORD flags;
	void **slot = NULL;

	memset(x, 0, sizeof(*x));
	x->inst = inst;
	x->fam = fam;
	x->me = fx_register(x, 0x600d, 1, TRUE, 2);
	x->other = fx_register(x, 0x600d, 2, FALSE, 1);
	x->obs = fx_register(x, 0x0b5, 1, FALSE, 0);
	x->nh[0] = fx_nexthop(x, x->me, "10.0.0.1", 1);
	x->nh[1] = fx_nexthop(x, x->me, "10.0.0.2", 2);
	x->nh_other = fx_nexthop(x, x->other, "10.0.0.1", 1);

	/* Zombies: deleted objects that only our one reference keeps alive. */
	x->r_zombie = fx_route(x, x->me, "172.16.0.0", 12, x->nh[0], NULL, 10,
			       RTM_VIEW_MASK_UCAST);
	x->di[4] = fx_dest(x, "172.16.0.0", 12);
	x->d_zombie = x->di[4] ? x->di[4]->DestHandle : NULL;
	fx_ref(x, x->r_zombie);
	CHECK_RC(RtmDeleteRouteToDest(x->me, x->r_zombie, &flags), NO_ERROR);
	x->nh_zombie = fx_nexthop(x, x->me, "10.0.0.3", 3);
	fx_ref(x, x->nh_zombie);
	CHECK_RC(RtmDeleteNextHop(x->me, x->nh_zombie, NULL), NO_ERROR);
	x->ghost = fx_register(x, 0x6057, 1, FALSE, 1);
	fx_ref(x, x->ghost);
	CHECK_RC(RtmDeregisterEntity(x->ghost), NO_ERROR);
	if (before_notify)
		before_notify();

	CHECK_RC(RtmRegisterForChangeNotification(x->me, RTM_VIEW_MASK_ANY, RTM_CHANGE_TYPE_ALL,
						  NULL, &x->notify),
		 NO_ERROR);
	CHECK_RC(RtmRegisterForChangeNotification(x->other, RTM_VIEW_MASK_UCAST,
						  RTM_CHANGE_TYPE_BEST, NULL, &x->notify_other),
		 NO_ERROR);
	x->r[0] = fx_route(x, x->me, "10.0.0.0", 8, x->nh[0], NULL, 10, RTM_VIEW_MASK_UCAST);
	x->r[1] = fx_route(x, x->me, "10.1.0.0", 16, x->nh[0],
			   x->prof.MaxNextHopsInRoute > 1 ? x->nh[1] : NULL, 20,
			   RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	x->r[2] = fx_route(x, x->me, "10.1.2.0", 24, x->nh[1], NULL, 30, RTM_VIEW_MASK_MCAST);
	x->r_other[0] = fx_route(x, x->other, "10.0.0.0", 8, x->nh_other, NULL, 5,
				 RTM_VIEW_MASK_UCAST);
	x->r_other[1] = fx_route(x, x->other, "192.168.0.0", 16, x->nh_other, NULL, 5,
				 RTM_VIEW_MASK_UCAST);
	x->di[0] = fx_dest(x, "10.0.0.0", 8);
	x->di[1] = fx_dest(x, "10.1.0.0", 16);
	x->di[2] = fx_dest(x, "10.1.2.0", 24);
	x->di[3] = fx_dest(x, "192.168.0.0", 16);
	for (int i = 0; i < 4; i++)
		x->d[i] = x->di[i] ? x->di[i]->DestHandle : NULL;

	CHECK_RC(RtmCreateRouteList(x->me, &x->list), NO_ERROR);
	CHECK_RC(RtmCreateRouteList(x->other, &x->list_other), NO_ERROR);
	CHECK_RC(RtmInsertInRouteList(x->me, x->list, 2, x->r), NO_ERROR);
	CHECK_RC(RtmInsertInRouteList(x->other, x->list_other, 1, x->r_other), NO_ERROR);

	CHECK_RC(RtmMarkDestForChangeNotification(x->me, x->notify, x->d[0], TRUE), NO_ERROR);
	CHECK_RC(RtmGetOpaqueInformationPointer(x->me, x->d[1], (PVOID *)&slot), NO_ERROR);
	if (slot != NULL) {
		CHECK_RC(RtmLockDestination(x->me, x->d[1], TRUE, TRUE), NO_ERROR);
		*slot = &x->opaque_value;
		CHECK_RC(RtmLockDestination(x->me, x->d[1], TRUE, FALSE), NO_ERROR);
	}

	CHECK_RC(RtmCreateDestEnum(x->me, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL, 0, &x->en_dest),
		 NO_ERROR);
	CHECK_RC(RtmCreateRouteEnum(x->me, NULL, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL,
				    RTM_MATCH_NONE, NULL, 0, &x->en_route),
		 NO_ERROR);
	CHECK_RC(RtmCreateNextHopEnum(x->me, RTM_ENUM_START, NULL, &x->en_nh), NO_ERROR);
	CHECK_RC(RtmCreateRouteListEnum(x->me, x->list, &x->en_list), NO_ERROR);
	CHECK_RC(RtmCreateDestEnum(x->other, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL, 0,
				   &x->en_other),
		 NO_ERROR);
}

/* ---- the fingerprint ---------------------------------------------------------------- */

struct fp {
	char *s;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
fp_add(struct fp *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(f->s ? f->s + f->len : NULL, f->s ? f->cap - f->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (f->s && f->len + (size_t)n < f->cap) {
			f->len += (size_t)n;
			return;
		}
		f->cap = (f->cap + (size_t)n + 1) * 2;
		f->s = realloc(f->s, f->cap);
		if (f->s == NULL)
			abort();
		if (f->len == 0)
			f->s[0] = '\0';
	}
}

static void
fp_route(struct fp *f, struct fx *x, RTM_ROUTE_HANDLE r)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(64);
	RTM_VIEW_SET best = 0;
	DWORD rc = RtmGetRouteInfo(x->obs, r, ri, NULL);

	fp_add(f, "  route %p rc=%u", r, (unsigned)rc);
	if (rc == NO_ERROR) {
		fp_add(f,
		       " dest=%p owner=%p nbr=%p state=%u f1=%u f=%u pref=%lu/%lu views=%x "
		       "esi=%p nh=",
		       ri->DestHandle, ri->RouteOwner, ri->Neighbour, ri->State, ri->Flags1,
		       ri->Flags, (unsigned long)ri->PrefInfo.Preference,
		       (unsigned long)ri->PrefInfo.Metric, (unsigned)ri->BelongsToViews,
		       ri->EntitySpecificInfo);
		for (USHORT i = 0; i < ri->NextHopsList.NumNextHops && i < 64; i++)
			fp_add(f, "%p,", TL_NH(ri, i));
		CHECK_RC(RtmReleaseRouteInfo(x->obs, ri), NO_ERROR);
		rc = RtmIsBestRoute(x->obs, r, &best);
		fp_add(f, " best=%u/%x", (unsigned)rc, (unsigned)best);
	}
	fp_add(f, "\n");
	free(ri);
}

static void
fp_dest(struct fp *f, struct fx *x, const RTM_DEST_INFO *info)
{
	RTM_DEST_HANDLE d = info->DestHandle;
	RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	RTM_ENUM_HANDLE en = NULL;
	RTM_ROUTE_HANDLE rs[64];
	char buf[80];
	PVOID *slot = NULL;
	BOOL pending = 0, marked = 0;
	DWORD rc;

	fp_add(f, " dest %p %s changed=%lu.%lu views=%x\n", d,
	       tl_addr_str(&info->DestAddress, buf, sizeof(buf)),
	       (unsigned long)info->LastChanged.dwHighDateTime,
	       (unsigned long)info->LastChanged.dwLowDateTime, (unsigned)info->BelongsToViews);
	rc = RtmGetDestInfo(x->obs, d, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST,
			    di);
	fp_add(f, "  info rc=%u", (unsigned)rc);
	if (rc == NO_ERROR) {
		for (UINT v = 0; v < di->NumberOfViews && v < 2; v++)
			fp_add(f, " [v%d n=%u best=%p owner=%p fl=%lx hold=%p]",
			       TL_VIEW(di, v).ViewId,
			       TL_VIEW(di, v).NumRoutes, TL_VIEW(di, v).Route, TL_VIEW(di, v).Owner,
			       (unsigned long)TL_VIEW(di, v).DestFlags, TL_VIEW(di, v).HoldRoute);
		CHECK_RC(RtmReleaseDestInfo(x->obs, di), NO_ERROR);
	}
	fp_add(f, "\n");
	free(di);

	/* Every route, hold routes included (ANY). */
	rc = RtmCreateRouteEnum(x->obs, d, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL, RTM_MATCH_NONE,
				NULL, 0, &en);
	if (rc == NO_ERROR) {
		for (;;) {
			UINT n = x->prof.MaxHandlesInEnum < 64 ? x->prof.MaxHandlesInEnum : 64;

			rc = RtmGetEnumRoutes(x->obs, en, &n, rs);
			for (UINT i = 0; i < n; i++)
				fp_route(f, x, rs[i]);
			if (n)
				CHECK_RC(RtmReleaseRoutes(x->obs, n, rs), NO_ERROR);
			if (rc != NO_ERROR)
				break;
		}
		CHECK_RC(RtmDeleteEnumHandle(x->obs, en), NO_ERROR);
	}

	/* Change notification, lock state (an unlock of a lock that is not
	 * held is refused), the opaque slot. */
	fp_add(f, "  notify");
	rc = RtmGetChangeStatus(x->me, x->notify, d, &pending);
	fp_add(f, " %u/%d", (unsigned)rc, pending);
	rc = RtmIsMarkedForChangeNotification(x->me, x->notify, d, &marked);
	fp_add(f, " %u/%d", (unsigned)rc, marked);
	rc = RtmGetChangeStatus(x->other, x->notify_other, d, &pending);
	fp_add(f, " %u/%d", (unsigned)rc, pending);
	rc = RtmIsMarkedForChangeNotification(x->other, x->notify_other, d, &marked);
	fp_add(f, " %u/%d", (unsigned)rc, marked);
	fp_add(f, " unlock=%u/%u", (unsigned)RtmLockDestination(x->obs, d, FALSE, FALSE),
	       (unsigned)RtmLockDestination(x->obs, d, TRUE, FALSE));
	rc = RtmGetOpaqueInformationPointer(x->me, d, (PVOID *)&slot);
	fp_add(f, " opaque=%u/%p\n", (unsigned)rc, rc == NO_ERROR && slot ? *slot : NULL);
}

static void
fp_nexthops(struct fp *f, struct fx *x, RTM_ENTITY_HANDLE owner)
{
	RTM_NEXTHOP_HANDLE hs[64];
	RTM_NEXTHOP_INFO ni;
	RTM_ENUM_HANDLE en = NULL;
	char buf[80];
	DWORD rc = RtmCreateNextHopEnum(owner, RTM_ENUM_START, NULL, &en);

	fp_add(f, " next hops of %p rc=%u\n", owner, (unsigned)rc);
	if (rc != NO_ERROR)
		return;
	for (;;) {
		UINT n = x->prof.MaxHandlesInEnum < 64 ? x->prof.MaxHandlesInEnum : 64;

		rc = RtmGetEnumNextHops(owner, en, &n, hs);
		for (UINT i = 0; i < n; i++) {
			DWORD irc = RtmGetNextHopInfo(x->obs, hs[i], &ni);

			fp_add(f, "  nh %p rc=%u", hs[i], (unsigned)irc);
			if (irc == NO_ERROR) {
				fp_add(f, " %s if=%lu owner=%p state=%u fl=%u esi=%p remote=%p",
				       tl_addr_str(&ni.NextHopAddress, buf, sizeof(buf)),
				       (unsigned long)ni.InterfaceIndex, ni.NextHopOwner, ni.State,
				       ni.Flags, ni.EntitySpecificInfo, ni.RemoteNextHop);
				CHECK_RC(RtmReleaseNextHopInfo(x->obs, &ni), NO_ERROR);
			}
			fp_add(f, " unlock=%u/%u\n",
			       (unsigned)RtmLockNextHop(owner, hs[i], FALSE, FALSE, NULL),
			       (unsigned)RtmLockNextHop(owner, hs[i], TRUE, FALSE, NULL));
		}
		if (n)
			CHECK_RC(RtmReleaseNextHops(owner, n, hs), NO_ERROR);
		if (rc != NO_ERROR)
			break;
	}
	CHECK_RC(RtmDeleteEnumHandle(owner, en), NO_ERROR);
}

static void
fp_list(struct fp *f, struct fx *x, RTM_ENTITY_HANDLE owner, RTM_ROUTE_LIST_HANDLE list)
{
	RTM_ROUTE_HANDLE rs[64];
	RTM_ENUM_HANDLE en = NULL;
	DWORD rc = RtmCreateRouteListEnum(owner, list, &en);

	fp_add(f, " list %p rc=%u:", list, (unsigned)rc);
	if (rc == NO_ERROR) {
		for (;;) {
			UINT want = x->prof.MaxHandlesInEnum < 64 ? x->prof.MaxHandlesInEnum : 64;
			UINT n = want;

			rc = RtmGetListEnumRoutes(owner, en, &n, rs);
			for (UINT i = 0; i < n; i++)
				fp_add(f, " %p", rs[i]);
			if (n)
				CHECK_RC(RtmReleaseRoutes(owner, n, rs), NO_ERROR);
			if (rc != NO_ERROR || n < want)
				break;
		}
		CHECK_RC(RtmDeleteEnumHandle(owner, en), NO_ERROR);
	}
	fp_add(f, "\n");
}

static void
fp_table(struct fp *f, struct fx *x)
{
	RTM_ENTITY_INFO infos[32];
	RTM_DEST_INFO *arr;
	RTM_ENUM_HANDLE en = NULL;
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(64);
	RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	RTM_ENTITY_INFO ei;
	RTM_NEXTHOP_INFO ni;
	UINT n = 32, m;
	DWORD rc;

	fp_add(f, "table %u/%u\n", x->inst, x->fam);
	rc = RtmGetRegisteredEntities(x->obs, &n, NULL, infos);
	fp_add(f, " entities rc=%u n=%u:", (unsigned)rc, n);
	for (UINT i = 0; rc == NO_ERROR && i < n; i++)
		fp_add(f, " %u/%u/%lx/%lx", infos[i].RtmInstanceId, infos[i].AddressFamily,
		       (unsigned long)infos[i].EntityId.EntityProtocolId,
		       (unsigned long)infos[i].EntityId.EntityInstanceId);
	fp_add(f, "\n");

	/* Every destination, hold-only ones included (ANY). */
	m = x->prof.MaxHandlesInEnum < 64 ? x->prof.MaxHandlesInEnum : 64;
	arr = tl_dest_array_alloc(&x->prof, m);
	rc = RtmCreateDestEnum(x->obs, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL, 0, &en);
	fp_add(f, " dest enum rc=%u\n", (unsigned)rc);
	while (rc == NO_ERROR) {
		n = m;
		rc = RtmGetEnumDests(x->obs, en, &n, arr);
		for (UINT i = 0; i < n; i++)
			fp_dest(f, x, TL_DEST_AT(arr, &x->prof, i));
		if (n)
			CHECK_RC(RtmReleaseDests(x->obs, n, arr), NO_ERROR);
	}
	if (en)
		CHECK_RC(RtmDeleteEnumHandle(x->obs, en), NO_ERROR);
	free(arr);

	fp_nexthops(f, x, x->me);
	fp_nexthops(f, x, x->other);
	fp_list(f, x, x->me, x->list);
	fp_list(f, x, x->other, x->list_other);

	/* The zombies are alive exactly while our one reference is. */
	rc = RtmGetRouteInfo(x->obs, x->r_zombie, ri, NULL);
	fp_add(f, " zombie route rc=%u state=%u\n", (unsigned)rc, rc == NO_ERROR ? ri->State : 9);
	if (rc == NO_ERROR)
		CHECK_RC(RtmReleaseRouteInfo(x->obs, ri), NO_ERROR);
	rc = RtmGetNextHopInfo(x->obs, x->nh_zombie, &ni);
	fp_add(f, " zombie nh rc=%u state=%u\n", (unsigned)rc, rc == NO_ERROR ? ni.State : 9);
	if (rc == NO_ERROR)
		CHECK_RC(RtmReleaseNextHopInfo(x->obs, &ni), NO_ERROR);
	rc = RtmGetEntityInfo(x->obs, x->ghost, &ei);
	fp_add(f, " ghost rc=%u\n", (unsigned)rc);
	rc = RtmGetDestInfo(x->obs, x->d_zombie, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY, di);
	fp_add(f, " zombie dest rc=%u\n", (unsigned)rc);
	if (rc == NO_ERROR)
		CHECK_RC(RtmReleaseDestInfo(x->obs, di), NO_ERROR);

	/* Methods: how many, and not blocked (a blocked target would hang here). */
	n = 0;
	rc = RtmGetEntityMethods(x->obs, x->me, &n, NULL);
	fp_add(f, " methods rc=%u n=%u", (unsigned)rc, n);
	{
		union {
			RTM_ENTITY_METHOD_INPUT in;
			char space[32];
		} in;
		union {
			RTM_ENTITY_METHOD_OUTPUT out;
			char space[64];
		} out;
		UINT size = sizeof(out);

		memset(&in, 0, sizeof(in));
		in.in.MethodType = METHOD_TYPE_ALL_METHODS;
		rc = RtmInvokeMethod(x->obs, x->me, &in.in, &size, &out.out);
		fp_add(f, " invoke rc=%u size=%u\n", (unsigned)rc, size);
	}
	free(ri);
	free(di);
}

/* ---- the world ---------------------------------------------------------------- */

/* Caller memory the calls see: compared byte for byte around each failed call. */
struct arena {
	RTM_ENTITY_INFO einfo;
	union {
		RTM_ENTITY_EXPORT_METHODS em;
		char em_space[sizeof(RTM_ENTITY_EXPORT_METHODS) +
			      8 * sizeof(RTM_ENTITY_EXPORT_METHOD)];
	};
	RTM_REGN_PROFILE prof;
	HANDLE out;
	HANDLE hs[8];
	RTM_ENTITY_INFO einfos[8];
	RTM_ENTITY_EXPORT_METHOD ms[8];
	UINT num;
	DWORD flags;
	BOOL b;
	RTM_VIEW_SET views;
	PVOID ptr;
	RTM_NET_ADDRESS addr;
	union {
		RTM_ROUTE_INFO ri;
		char ri_space[RTMX_SIZE_OF_ROUTE_INFO(70)];
	};
	RTM_NEXTHOP_INFO ni;
	union {
		RTM_DEST_INFO di;
		char di_space[RTM_SIZE_OF_DEST_INFO(RTM_MAX_VIEWS) * 8];
	};
	union {
		RTM_ENTITY_METHOD_INPUT in;
		char in_space[64];
	};
	union {
		RTM_ENTITY_METHOD_OUTPUT mo;
		char mo_space[256];
	};
};

#define SET_MAX 48

struct hset {
	unsigned n;
	HANDLE h[SET_MAX];
	const char *what[SET_MAX];
};

static struct world {
	struct fx a, b, c; /* a: the table under test; b, c: other tables */
	struct fx d;	   /* a table whose opaque slots and registrations are used up */
	RTM_NOTIFY_HANDLE d_regs[32];
	RTM_ENTITY_HANDLE d_slots[64];
	unsigned d_nslots, d_nregs;
	struct arena ar;
	HANDLE stale[K_COUNT], reused[K_COUNT];
	HANDLE garbage[16];
	const char *garbage_what[16];
	unsigned ngarbage;
	int stack_word;
	char forged_what[K_COUNT][3][64];
	char *baseline;
	unsigned long long seed;
} W;

static void
fp_world(struct fp *f)
{
	RTM_ENTITY_INFO infos[48];
	UINT n = 48;
	DWORD rc;

	fp_table(f, &W.a);
	fp_table(f, &W.b);
	fp_table(f, &W.c);
	rc = RtmGetRegisteredEntities(W.d.obs, &n, NULL, infos);
	fp_add(f, "table d entities rc=%u n=%u\n", (unsigned)rc, n);
}

static char *
fingerprint(void)
{
	struct fp f = {NULL, 0, 0};

	fp_world(&f);
	return f.s;
}

/* Prints the first line where two fingerprints differ. */
static void
fp_diff(const char *id, const char *before, const char *after)
{
	size_t i = 0, line = 0;

	while (before[i] && before[i] == after[i]) {
		if (before[i] == '\n')
			line = i + 1;
		i++;
	}
	check_fail(__FILE__, __LINE__,
		   "%s changed the store; first difference:\n  before: %.*s\n  after:  %.*s",
		   id, (int)strcspn(before + line, "\n"), before + line,
		   (int)strcspn(after + line, "\n"), after + line);
}

static unsigned long long
xorshift(void)
{
	W.seed ^= W.seed << 13;
	W.seed ^= W.seed >> 7;
	W.seed ^= W.seed << 17;
	return W.seed;
}

/* The handle of a live object of kind k that belongs to me in table a. */
static HANDLE
live_of(const struct fx *x, enum kind k)
{
	switch (k) {
	case K_ENTITY:
		return x->me;
	case K_DEST:
		return x->d[0];
	case K_ROUTE:
		return x->r[0];
	case K_NEXTHOP:
		return x->nh[0];
	case K_ENUM:
		return x->en_dest;
	case K_LIST:
		return x->list;
	case K_NOTIFY:
		return x->notify;
	default:
		return NULL;
	}
}

static HANDLE
other_of(const struct fx *x, enum kind k)
{
	switch (k) {
	case K_ENTITY:
		return x->other;
	case K_ROUTE:
		return x->r_other[0];
	case K_NEXTHOP:
		return x->nh_other;
	case K_ENUM:
		return x->en_other;
	case K_LIST:
		return x->list_other;
	case K_NOTIFY:
		return x->notify_other;
	default:
		return NULL;
	}
}

/* Dead handles of kind k in table a: one just dead, one after its slot
 * may have been reused by 32 more objects of the kind. */
static HANDLE
make_dead(struct fx *x, enum kind k, int churn)
{
	HANDLE h = NULL;
	DWORD flags;

	for (int i = 0; i <= churn; i++) {
		switch (k) {
		case K_ENTITY:
			h = fx_register(x, 0xdead, 1, FALSE, 0);
			CHECK_RC(RtmDeregisterEntity(h), NO_ERROR);
			break;
		case K_DEST:
		case K_ROUTE: {
			RTM_ROUTE_HANDLE r = fx_route(x, x->me, "172.31.0.0", 16, NULL, NULL, 1,
						      RTM_VIEW_MASK_UCAST);
			RTM_DEST_INFO *di = fx_dest(x, "172.31.0.0", 16);

			h = k == K_ROUTE ? r : di ? di->DestHandle : NULL;
			if (di)
				CHECK_RC(RtmReleaseDestInfo(x->me, di), NO_ERROR);
			free(di);
			CHECK_RC(RtmDeleteRouteToDest(x->me, r, &flags), NO_ERROR);
			break;
		}
		case K_NEXTHOP:
			h = fx_nexthop(x, x->me, "10.0.0.99", 99);
			CHECK_RC(RtmDeleteNextHop(x->me, h, NULL), NO_ERROR);
			break;
		case K_ENUM:
			CHECK_RC(RtmCreateNextHopEnum(x->me, RTM_ENUM_START, NULL, &h), NO_ERROR);
			CHECK_RC(RtmDeleteEnumHandle(x->me, h), NO_ERROR);
			break;
		case K_LIST:
			CHECK_RC(RtmCreateRouteList(x->me, &h), NO_ERROR);
			CHECK_RC(RtmDeleteRouteList(x->me, h), NO_ERROR);
			break;
		case K_NOTIFY:
			CHECK_RC(RtmRegisterForChangeNotification(x->me, 0, RTM_CHANGE_TYPE_ALL,
								  NULL, &h),
				 NO_ERROR);
			CHECK_RC(RtmDeregisterFromChangeNotification(x->me, h), NO_ERROR);
			break;
		default:
			break;
		}
		if (i == 0 && churn)
			W.reused[k] = h;
	}
	return h;
}

/* The handles of a bad-handle set of the given shape. */
enum setkind {
	ONE,	     /* one call; the slot gets the row's value (pointer slots: NULL) */
	INVALID,     /* every invalid handle of the kind, NULL included */
	INVALID_NN,  /* the same without NULL (where NULL means "none") */
	REGSET,	     /* INVALID for entities, plus a deregistered entity */
	OTHER_ENT,   /* the object of the kind that another entity of the table owns */
	OTHER_TABLE, /* objects of the kind in the other tables (instance 1; IPv6) */
	ZOMBIE,	     /* my deleted object that one reference keeps alive */
	WRONG_ENUM,  /* my enumerations of the other kinds */
};

static void
hs_push(struct hset *s, HANDLE h, const char *what)
{
	if (s->n < SET_MAX) {
		s->h[s->n] = h;
		s->what[s->n++] = what;
	}
}

static void
build_set(struct hset *s, enum setkind sk, enum kind k)
{
	static const char *const wrong_what[] = {
		"wrong type: my entity handle", "wrong type: a dest handle",
		"wrong type: my route handle", "wrong type: my next-hop handle",
		"wrong type: my enum handle", "wrong type: my route-list handle",
		"wrong type: my notify handle"};

	memset(s, 0, sizeof(*s));
	switch (sk) {
	case ONE:
		hs_push(s, NULL, "");
		break;
	case REGSET:
		hs_push(s, W.a.ghost, "deregistered entity (still referenced)");
		/* fall through */
	case INVALID:
	case INVALID_NN:
		for (unsigned i = 0; i < W.ngarbage; i++) {
			if (W.garbage[i] == NULL && sk == INVALID_NN)
				continue;
			hs_push(s, W.garbage[i], W.garbage_what[i]);
		}
		for (enum kind j = K_ENTITY; j < K_COUNT; j++) {
			if (k != K_ANY && j != k)
				continue;
			if (k == K_ANY && j >= K_ENUM)
				continue;
			hs_push(s, W.stale[j], "stale (object gone, last reference released)");
			hs_push(s, W.reused[j], "stale after 32 more objects came and went");
		}
		for (enum kind j = K_ENTITY; j < K_COUNT; j++) {
			HANDLE live = live_of(&W.a, j);
			uintptr_t v = (uintptr_t)live;

			if (k == K_ANY ? j >= K_ENUM : j != k)
				continue;
			/* Forged from a live handle: other generation, unused slot,
			 * other type tag. */
			hs_push(s, (HANDLE)(v ^ ((uintptr_t)1 << 40)), W.forged_what[j][0]);
			hs_push(s, (HANDLE)((v & ~(uintptr_t)0xffffffffu) | 0x7ffffff0u),
				W.forged_what[j][1]);
			hs_push(s, (HANDLE)((v & ~((uintptr_t)0xf << 56)) |
					    ((uintptr_t)(j == K_DEST ? 3 : 2) << 56)),
				W.forged_what[j][2]);
		}
		for (enum kind j = K_ENTITY; j < K_COUNT; j++) {
			if (k == K_ANY ? j < K_ENUM : j == k)
				continue;
			hs_push(s, live_of(&W.a, j), wrong_what[j]);
		}
		break;
	case OTHER_ENT:
		hs_push(s, other_of(&W.a, k), "another entity's");
		break;
	case OTHER_TABLE:
		hs_push(s, k == K_DEST ? W.b.d[0] : live_of(&W.b, k), "table 0/IPv6's");
		hs_push(s, k == K_DEST ? W.c.d[0] : live_of(&W.c, k), "table 1/IPv4's");
		break;
	case ZOMBIE:
		hs_push(s, k == K_ROUTE ? W.a.r_zombie : k == K_NEXTHOP ? W.a.nh_zombie
					 : k == K_DEST	  ? W.a.d_zombie
							  : W.a.ghost,
			"deleted, still referenced");
		break;
	case WRONG_ENUM: {
		/* k is the kind of enumeration that would be right, as an index. */
		HANDLE ens[4] = {W.a.en_dest, W.a.en_route, W.a.en_nh, W.a.en_list};
		static const char *const en_what[4] = {"my dest enum", "my route enum",
						       "my next-hop enum", "my route-list enum"};

		for (int i = 0; i < 4; i++) {
			if (i != (int)k)
				hs_push(s, ens[i], en_what[i]);
		}
		break;
	}
	}
}

/* ---- the 57 functions, with generic argument slots ---------------------------------------- */

/*
 * Each function's arguments, mapped onto generic slots so that a row can
 * replace one of them: reg = RtmRegHandle, h[] = object handles, p[] =
 * pointers, v[] = scalars, in parameter order (see each adapter).
 */
struct args {
	HANDLE reg;
	HANDLE h[2];
	void *p[4];
	uint32_t v[4];
};

#define AR (&W.ar)
#define A (&W.a)

static void
set_addr(RTM_NET_ADDRESS *n, const char *v4, unsigned len)
{
	tl_ipv4(n, v4, len);
}

/* A valid route info in the arena: my next hop 1, unicast. */
static void
good_route_info(void)
{
	memset(AR->ri_space, 0, sizeof(AR->ri_space));
	AR->ri.PrefInfo.Preference = 50;
	AR->ri.BelongsToViews = RTM_VIEW_MASK_UCAST;
	AR->ri.NextHopsList.NumNextHops = 1;
	TL_NH(&AR->ri, 0) = A->nh[0];
}

static void
good_nexthop_info(const char *v4, ULONG ifindex)
{
	memset(&AR->ni, 0, sizeof(AR->ni));
	set_addr(&AR->ni.NextHopAddress, v4, 32);
	AR->ni.InterfaceIndex = ifindex;
}

/* 1 */
static void
g_register(struct args *a)
{
	memset(&AR->einfo, 0, sizeof(AR->einfo));
	AR->einfo.AddressFamily = AF_INET;
	AR->einfo.EntityId.EntityProtocolId = 0x5bad;
	AR->einfo.EntityId.EntityInstanceId = 7;
	AR->em.NumMethods = 1;
	AR->em.Methods[0] = method_echo;
	AR->out = NULL;
	a->p[0] = &AR->einfo;
	a->p[1] = &AR->em;
	a->p[2] = &AR->prof;
	a->p[3] = &AR->out;
}
static DWORD
c_register(struct args *a)
{
	return RtmRegisterEntity(a->p[0], a->p[1], NULL, (WINBOOL)a->v[0], a->p[2], a->p[3]);
}

/* 2 */
static void
g_deregister(struct args *a)
{
	a->reg = A->me;
}
static DWORD
c_deregister(struct args *a)
{
	return RtmDeregisterEntity(a->reg);
}

/* 3 */
static void
g_get_entities(struct args *a)
{
	a->reg = A->me;
	AR->num = 8;
	a->p[0] = &AR->num;
	a->p[1] = AR->hs;
	a->p[2] = AR->einfos;
}
static DWORD
c_get_entities(struct args *a)
{
	return RtmGetRegisteredEntities(a->reg, a->p[0], a->p[1], a->p[2]);
}

/* 4: [zombie-like ghost, ...] arrays are set by the rows */
static void
g_release_entities(struct args *a)
{
	a->reg = A->me;
	a->v[0] = 1;
	AR->hs[0] = A->ghost;
	a->p[0] = AR->hs;
}
static DWORD
c_release_entities(struct args *a)
{
	return RtmReleaseEntities(a->reg, a->v[0], a->p[0]);
}

/* 5 */
static void
g_lock_dest(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->d[0];
	a->v[0] = FALSE;
	a->v[1] = TRUE;
}
static DWORD
c_lock_dest(struct args *a)
{
	return RtmLockDestination(a->reg, a->h[0], (WINBOOL)a->v[0], (WINBOOL)a->v[1]);
}

/* 6 */
static void
g_opaque(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->d[0];
	a->p[0] = &AR->ptr;
}
static DWORD
c_opaque(struct args *a)
{
	return RtmGetOpaqueInformationPointer(a->reg, a->h[0], a->p[0]);
}

/* 7 */
static void
g_get_methods(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->other;
	AR->num = 8;
	a->p[0] = &AR->num;
	a->p[1] = AR->ms;
}
static DWORD
c_get_methods(struct args *a)
{
	return RtmGetEntityMethods(a->reg, a->h[0], a->p[0], a->p[1]);
}

/* 8 */
static void
g_invoke(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->other;
	memset(AR->in_space, 0, sizeof(AR->in_space));
	AR->in.MethodType = METHOD_TYPE_ALL_METHODS;
	AR->num = sizeof(AR->mo_space);
	a->p[0] = &AR->in;
	a->p[1] = &AR->num;
	a->p[2] = &AR->mo;
}
static DWORD
c_invoke(struct args *a)
{
	return RtmInvokeMethod(a->reg, a->h[0], a->p[0], a->p[1], a->p[2]);
}

/* 9 */
static void
g_block(struct args *a)
{
	a->reg = A->me;
	a->h[0] = NULL;
	a->v[0] = 0;
	a->v[1] = RTM_BLOCK_METHODS;
}
static DWORD
c_block(struct args *a)
{
	return RtmBlockMethods(a->reg, a->h[0], (UCHAR)a->v[0], a->v[1]);
}

/* 10 */
static void
g_entity_info(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->other;
	a->p[0] = &AR->einfo;
}
static DWORD
c_entity_info(struct args *a)
{
	return RtmGetEntityInfo(a->reg, a->h[0], a->p[0]);
}

/* 11 */
static void
g_dest_info(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->d[0];
	a->v[0] = RTM_BEST_PROTOCOL;
	a->v[1] = RTM_VIEW_MASK_UCAST;
	a->p[0] = &AR->di;
}
static DWORD
c_dest_info(struct args *a)
{
	return RtmGetDestInfo(a->reg, a->h[0], a->v[0], a->v[1], a->p[0]);
}

/* 12 */
static void
g_route_info(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->r[0];
	a->p[0] = &AR->ri;
	a->p[1] = &AR->addr;
}
static DWORD
c_route_info(struct args *a)
{
	return RtmGetRouteInfo(a->reg, a->h[0], a->p[0], a->p[1]);
}

/* 13 */
static void
g_nh_info(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->nh[0];
	a->p[0] = &AR->ni;
}
static DWORD
c_nh_info(struct args *a)
{
	return RtmGetNextHopInfo(a->reg, a->h[0], a->p[0]);
}

/* 14 */
static void
g_rel_entity_info(struct args *a)
{
	a->reg = A->me;
	a->p[0] = &AR->einfo;
}
static DWORD
c_rel_entity_info(struct args *a)
{
	return RtmReleaseEntityInfo(a->reg, a->p[0]);
}

/* 15: a dest info whose only handle is the zombie destination */
static void
g_rel_dest_info(struct args *a)
{
	a->reg = A->me;
	memset(AR->di_space, 0, sizeof(AR->di_space));
	AR->di.DestHandle = A->d_zombie;
	AR->di.NumberOfViews = 1;
	a->p[0] = &AR->di;
}
static DWORD
c_rel_dest_info(struct args *a)
{
	return RtmReleaseDestInfo(a->reg, a->p[0]);
}

/* 16: a route info whose handles are zombies (ghost owner, zombie dest) */
static void
g_rel_route_info(struct args *a)
{
	a->reg = A->me;
	memset(AR->ri_space, 0, sizeof(AR->ri_space));
	AR->ri.DestHandle = A->d_zombie;
	AR->ri.RouteOwner = A->ghost;
	a->p[0] = &AR->ri;
}
static DWORD
c_rel_route_info(struct args *a)
{
	return RtmReleaseRouteInfo(a->reg, a->p[0]);
}

/* 17 */
static void
g_rel_nh_info(struct args *a)
{
	a->reg = A->me;
	memset(&AR->ni, 0, sizeof(AR->ni));
	AR->ni.NextHopOwner = A->ghost;
	a->p[0] = &AR->ni;
}
static DWORD
c_rel_nh_info(struct args *a)
{
	return RtmReleaseNextHopInfo(a->reg, a->p[0]);
}

/* 18 */
static void
g_add_route(struct args *a)
{
	a->reg = A->me;
	AR->out = NULL;
	a->p[0] = &AR->out;
	set_addr(&AR->addr, "10.9.0.0", 16);
	a->p[1] = &AR->addr;
	good_route_info();
	a->p[2] = &AR->ri;
	a->v[0] = INFINITE;
	a->h[0] = NULL;
	a->v[1] = 0;
	a->h[1] = NULL;
	AR->flags = 0;
	a->p[3] = &AR->flags;
}
static DWORD
c_add_route(struct args *a)
{
	return RtmAddRouteToDest(a->reg, a->p[0], a->p[1], a->p[2], a->v[0], a->h[0], a->v[1],
				 a->h[1], a->p[3]);
}

/* 19 */
static void
g_delete_route(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->r[2];
	a->p[0] = &AR->flags;
}
static DWORD
c_delete_route(struct args *a)
{
	return RtmDeleteRouteToDest(a->reg, a->h[0], a->p[0]);
}

/* 20 */
static void
g_hold(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->d[0];
	a->v[0] = RTM_VIEW_MASK_UCAST;
	a->v[1] = 1000;
}
static DWORD
c_hold(struct args *a)
{
	return RtmHoldDestination(a->reg, a->h[0], a->v[0], a->v[1]);
}

/* 21 */
static void
g_route_ptr(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->r[0];
	a->p[0] = &AR->ptr;
}
static DWORD
c_route_ptr(struct args *a)
{
	return RtmGetRoutePointer(a->reg, a->h[0], a->p[0]);
}

/* 22 */
static void
g_lock_route(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->r[0];
	a->v[0] = FALSE;
	a->v[1] = TRUE;
	a->p[0] = &AR->ptr;
}
static DWORD
c_lock_route(struct args *a)
{
	return RtmLockRoute(a->reg, a->h[0], (WINBOOL)a->v[0], (WINBOOL)a->v[1], a->p[0]);
}

/* 23 */
static void
g_update_unlock(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->r[0];
	a->v[0] = INFINITE;
	a->h[1] = NULL;
	a->v[1] = 0;
	a->p[0] = &AR->flags;
}
static DWORD
c_update_unlock(struct args *a)
{
	return RtmUpdateAndUnlockRoute(a->reg, a->h[0], a->v[0], a->h[1], a->v[1], NULL, a->p[0]);
}

/* 24, 25 */
static void
g_exact_dest(struct args *a)
{
	a->reg = A->me;
	set_addr(&AR->addr, "10.1.0.0", 16);
	a->p[0] = &AR->addr;
	a->v[0] = RTM_BEST_PROTOCOL;
	a->v[1] = RTM_VIEW_MASK_UCAST;
	a->p[1] = &AR->di;
}
static DWORD
c_exact_dest(struct args *a)
{
	return RtmGetExactMatchDestination(a->reg, a->p[0], a->v[0], a->v[1], a->p[1]);
}
static DWORD
c_most_specific(struct args *a)
{
	return RtmGetMostSpecificDestination(a->reg, a->p[0], a->v[0], a->v[1], a->p[1]);
}

/* 26 */
static void
g_less_specific(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->d[2];
	a->v[0] = RTM_BEST_PROTOCOL;
	a->v[1] = RTM_VIEW_MASK_ANY;
	a->p[0] = &AR->di;
}
static DWORD
c_less_specific(struct args *a)
{
	return RtmGetLessSpecificDestination(a->reg, a->h[0], a->v[0], a->v[1], a->p[0]);
}

/* 27 */
static void
g_exact_route(struct args *a)
{
	a->reg = A->me;
	set_addr(&AR->addr, "10.0.0.0", 8);
	a->p[0] = &AR->addr;
	a->v[0] = RTM_MATCH_OWNER;
	memset(AR->ri_space, 0, sizeof(AR->ri_space));
	AR->ri.RouteOwner = A->me;
	a->p[1] = &AR->ri;
	a->v[1] = 0;
	a->v[2] = RTM_VIEW_MASK_ANY;
	a->p[2] = &AR->out;
}
static DWORD
c_exact_route(struct args *a)
{
	return RtmGetExactMatchRoute(a->reg, a->p[0], a->v[0], a->p[1], a->v[1], a->v[2], a->p[2]);
}

/* 28 */
static void
g_is_best(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->r[0];
	a->p[0] = &AR->views;
}
static DWORD
c_is_best(struct args *a)
{
	return RtmIsBestRoute(a->reg, a->h[0], a->p[0]);
}

/* 29 */
static void
g_add_nh(struct args *a)
{
	a->reg = A->me;
	good_nexthop_info("10.0.0.9", 9);
	a->p[0] = &AR->ni;
	AR->out = NULL;
	a->p[1] = &AR->out;
	a->p[2] = &AR->flags;
}
static DWORD
c_add_nh(struct args *a)
{
	return RtmAddNextHop(a->reg, a->p[0], a->p[1], a->p[2]);
}

/* 30 */
static void
g_find_nh(struct args *a)
{
	a->reg = A->me;
	good_nexthop_info("10.0.0.1", 1);
	a->p[0] = &AR->ni;
	a->p[1] = &AR->out;
	a->p[2] = &AR->ptr;
}
static DWORD
c_find_nh(struct args *a)
{
	return RtmFindNextHop(a->reg, a->p[0], a->p[1], a->p[2]);
}

/* 31 */
static void
g_delete_nh(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->nh[1];
	a->p[0] = NULL;
}
static DWORD
c_delete_nh(struct args *a)
{
	return RtmDeleteNextHop(a->reg, a->h[0], a->p[0]);
}

/* 32 */
static void
g_nh_ptr(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->nh[0];
	a->p[0] = &AR->ptr;
}
static DWORD
c_nh_ptr(struct args *a)
{
	return RtmGetNextHopPointer(a->reg, a->h[0], a->p[0]);
}

/* 33 */
static void
g_lock_nh(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->nh[0];
	a->v[0] = FALSE;
	a->v[1] = TRUE;
	a->p[0] = &AR->ptr;
}
static DWORD
c_lock_nh(struct args *a)
{
	return RtmLockNextHop(a->reg, a->h[0], (WINBOOL)a->v[0], (WINBOOL)a->v[1], a->p[0]);
}

/* 34 */
static void
g_dest_enum(struct args *a)
{
	a->reg = A->me;
	a->v[0] = RTM_VIEW_MASK_UCAST;
	a->v[1] = RTM_ENUM_RANGE;
	set_addr(&AR->addr, "10.0.0.0", 8);
	a->p[0] = &AR->addr;
	a->v[2] = RTM_BEST_PROTOCOL;
	AR->out = NULL;
	a->p[1] = &AR->out;
}
static DWORD
c_dest_enum(struct args *a)
{
	return RtmCreateDestEnum(a->reg, a->v[0], a->v[1], a->p[0], a->v[2], a->p[1]);
}

/* 35, 38, 41, 55: batch calls; p[1] gets the right kind of array */
static void
g_batch_dests(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->en_dest;
	AR->num = 1; /* valid whatever MaxHandlesInEnum is */
	a->p[0] = &AR->num;
	a->p[1] = AR->di_space;
}
static DWORD
c_enum_dests(struct args *a)
{
	return RtmGetEnumDests(a->reg, a->h[0], a->p[0], a->p[1]);
}
static void
g_batch_routes(struct args *a)
{
	g_batch_dests(a);
	a->h[0] = A->en_route;
	a->p[1] = AR->hs;
}
static DWORD
c_enum_routes(struct args *a)
{
	return RtmGetEnumRoutes(a->reg, a->h[0], a->p[0], a->p[1]);
}
static void
g_batch_nhs(struct args *a)
{
	g_batch_routes(a);
	a->h[0] = A->en_nh;
}
static DWORD
c_enum_nhs(struct args *a)
{
	return RtmGetEnumNextHops(a->reg, a->h[0], a->p[0], a->p[1]);
}
static void
g_batch_list(struct args *a)
{
	g_batch_routes(a);
	a->h[0] = A->en_list;
}
static DWORD
c_list_routes(struct args *a)
{
	return RtmGetListEnumRoutes(a->reg, a->h[0], a->p[0], a->p[1]);
}

/* 36: two dest infos at the profile's stride, the first holding the zombie */
static void
g_rel_dests(struct args *a)
{
	a->reg = A->me;
	memset(AR->di_space, 0, sizeof(AR->di_space));
	AR->di.DestHandle = A->d_zombie;
	a->v[0] = 1;
	a->p[0] = AR->di_space;
}
static DWORD
c_rel_dests(struct args *a)
{
	return RtmReleaseDests(a->reg, a->v[0], a->p[0]);
}

/* 37 */
static void
g_route_enum(struct args *a)
{
	a->reg = A->me;
	a->h[0] = NULL;
	a->v[0] = RTM_VIEW_MASK_UCAST;
	a->v[1] = RTM_ENUM_RANGE;
	set_addr(&AR->addr, "10.0.0.0", 8);
	a->p[0] = &AR->addr;
	a->v[2] = RTM_MATCH_OWNER;
	memset(AR->ri_space, 0, sizeof(AR->ri_space));
	AR->ri.RouteOwner = A->me;
	a->p[1] = &AR->ri;
	a->v[3] = 0;
	AR->out = NULL;
	a->p[2] = &AR->out;
}
static DWORD
c_route_enum(struct args *a)
{
	return RtmCreateRouteEnum(a->reg, a->h[0], a->v[0], a->v[1], a->p[0], a->v[2], a->p[1],
				  a->v[3], a->p[2]);
}

/* 39, 42: [zombie] */
static void
g_rel_routes(struct args *a)
{
	a->reg = A->me;
	a->v[0] = 1;
	AR->hs[0] = A->r_zombie;
	a->p[0] = AR->hs;
}
static DWORD
c_rel_routes(struct args *a)
{
	return RtmReleaseRoutes(a->reg, a->v[0], a->p[0]);
}
static void
g_rel_nhs(struct args *a)
{
	g_rel_routes(a);
	AR->hs[0] = A->nh_zombie;
}
static DWORD
c_rel_nhs(struct args *a)
{
	return RtmReleaseNextHops(a->reg, a->v[0], a->p[0]);
}

/* 40 */
static void
g_nh_enum(struct args *a)
{
	a->reg = A->me;
	a->v[0] = RTM_ENUM_RANGE;
	set_addr(&AR->addr, "10.0.0.0", 8);
	a->p[0] = &AR->addr;
	AR->out = NULL;
	a->p[1] = &AR->out;
}
static DWORD
c_nh_enum(struct args *a)
{
	return RtmCreateNextHopEnum(a->reg, a->v[0], a->p[0], a->p[1]);
}

/* 43 */
static void
g_delete_enum(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->en_dest;
}
static DWORD
c_delete_enum(struct args *a)
{
	return RtmDeleteEnumHandle(a->reg, a->h[0]);
}

/* 44 */
static void
g_register_notify(struct args *a)
{
	a->reg = A->me;
	a->v[0] = RTM_VIEW_MASK_UCAST;
	a->v[1] = RTM_CHANGE_TYPE_BEST;
	a->p[0] = NULL; /* context: any value */
	AR->out = NULL;
	a->p[1] = &AR->out;
}
static DWORD
c_register_notify(struct args *a)
{
	return RtmRegisterForChangeNotification(a->reg, a->v[0], a->v[1], a->p[0], a->p[1]);
}

/* 45 */
static void
g_changed(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->notify;
	AR->num = 1;
	a->p[0] = &AR->num;
	a->p[1] = AR->di_space;
}
static DWORD
c_changed(struct args *a)
{
	return RtmGetChangedDests(a->reg, a->h[0], a->p[0], a->p[1]);
}

/* 46 */
static void
g_rel_changed(struct args *a)
{
	g_rel_dests(a);
	a->h[0] = A->notify;
}
static DWORD
c_rel_changed(struct args *a)
{
	return RtmReleaseChangedDests(a->reg, a->h[0], a->v[0], a->p[0]);
}

/* 47: ignoring 10/8, which is pending */
static void
g_ignore(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->notify;
	a->v[0] = 1;
	AR->hs[0] = A->d[0];
	a->p[0] = AR->hs;
}
static DWORD
c_ignore(struct args *a)
{
	return RtmIgnoreChangedDests(a->reg, a->h[0], a->v[0], a->p[0]);
}

/* 48, 49, 50 */
static void
g_change_status(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->notify;
	a->h[1] = A->d[1];
	a->p[0] = &AR->b;
	a->v[0] = TRUE;
}
static DWORD
c_change_status(struct args *a)
{
	return RtmGetChangeStatus(a->reg, a->h[0], a->h[1], a->p[0]);
}
static DWORD
c_mark(struct args *a)
{
	return RtmMarkDestForChangeNotification(a->reg, a->h[0], a->h[1], (WINBOOL)a->v[0]);
}
static DWORD
c_is_marked(struct args *a)
{
	return RtmIsMarkedForChangeNotification(a->reg, a->h[0], a->h[1], a->p[0]);
}

/* 51 */
static void
g_deregister_notify(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->notify;
}
static DWORD
c_deregister_notify(struct args *a)
{
	return RtmDeregisterFromChangeNotification(a->reg, a->h[0]);
}

/* 52 */
static void
g_create_list(struct args *a)
{
	a->reg = A->me;
	AR->out = NULL;
	a->p[0] = &AR->out;
}
static DWORD
c_create_list(struct args *a)
{
	return RtmCreateRouteList(a->reg, a->p[0]);
}

/* 53: moving route 3 (in no list) into my list */
static void
g_insert(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->list;
	a->v[0] = 1;
	AR->hs[0] = A->r[2];
	a->p[0] = AR->hs;
}
static DWORD
c_insert(struct args *a)
{
	return RtmInsertInRouteList(a->reg, a->h[0], a->v[0], a->p[0]);
}

/* 54 */
static void
g_list_enum(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->list;
	AR->out = NULL;
	a->p[0] = &AR->out;
}
static DWORD
c_list_enum(struct args *a)
{
	return RtmCreateRouteListEnum(a->reg, a->h[0], a->p[0]);
}

/* 56 */
static void
g_delete_list(struct args *a)
{
	a->reg = A->me;
	a->h[0] = A->list;
}
static DWORD
c_delete_list(struct args *a)
{
	return RtmDeleteRouteList(a->reg, a->h[0]);
}

/* 57: [zombie route] */
static void
g_reference(struct args *a)
{
	g_rel_routes(a);
}
static DWORD
c_reference(struct args *a)
{
	return RtmReferenceHandles(a->reg, a->v[0], a->p[0]);
}

struct fn {
	const char *name;
	void (*good)(struct args *a);
	DWORD (*call)(struct args *a);
	unsigned np, nh; /* pointer and object-handle slots used */
};

/* In the order of the prototypes in rtmv2.h; the index + 1 is the "F" number. */
static const struct fn fns[] = {
	{"RtmRegisterEntity", g_register, c_register, 4, 0},
	{"RtmDeregisterEntity", g_deregister, c_deregister, 0, 0},
	{"RtmGetRegisteredEntities", g_get_entities, c_get_entities, 3, 0},
	{"RtmReleaseEntities", g_release_entities, c_release_entities, 1, 0},
	{"RtmLockDestination", g_lock_dest, c_lock_dest, 0, 1},
	{"RtmGetOpaqueInformationPointer", g_opaque, c_opaque, 1, 1},
	{"RtmGetEntityMethods", g_get_methods, c_get_methods, 2, 1},
	{"RtmInvokeMethod", g_invoke, c_invoke, 3, 1},
	{"RtmBlockMethods", g_block, c_block, 0, 1},
	{"RtmGetEntityInfo", g_entity_info, c_entity_info, 1, 1},
	{"RtmGetDestInfo", g_dest_info, c_dest_info, 1, 1},
	{"RtmGetRouteInfo", g_route_info, c_route_info, 2, 1},
	{"RtmGetNextHopInfo", g_nh_info, c_nh_info, 1, 1},
	{"RtmReleaseEntityInfo", g_rel_entity_info, c_rel_entity_info, 1, 0},
	{"RtmReleaseDestInfo", g_rel_dest_info, c_rel_dest_info, 1, 0},
	{"RtmReleaseRouteInfo", g_rel_route_info, c_rel_route_info, 1, 0},
	{"RtmReleaseNextHopInfo", g_rel_nh_info, c_rel_nh_info, 1, 0},
	{"RtmAddRouteToDest", g_add_route, c_add_route, 4, 2},
	{"RtmDeleteRouteToDest", g_delete_route, c_delete_route, 1, 1},
	{"RtmHoldDestination", g_hold, c_hold, 0, 1},
	{"RtmGetRoutePointer", g_route_ptr, c_route_ptr, 1, 1},
	{"RtmLockRoute", g_lock_route, c_lock_route, 1, 1},
	{"RtmUpdateAndUnlockRoute", g_update_unlock, c_update_unlock, 1, 2},
	{"RtmGetExactMatchDestination", g_exact_dest, c_exact_dest, 2, 0},
	{"RtmGetMostSpecificDestination", g_exact_dest, c_most_specific, 2, 0},
	{"RtmGetLessSpecificDestination", g_less_specific, c_less_specific, 1, 1},
	{"RtmGetExactMatchRoute", g_exact_route, c_exact_route, 3, 0},
	{"RtmIsBestRoute", g_is_best, c_is_best, 1, 1},
	{"RtmAddNextHop", g_add_nh, c_add_nh, 3, 0},
	{"RtmFindNextHop", g_find_nh, c_find_nh, 3, 0},
	{"RtmDeleteNextHop", g_delete_nh, c_delete_nh, 1, 1},
	{"RtmGetNextHopPointer", g_nh_ptr, c_nh_ptr, 1, 1},
	{"RtmLockNextHop", g_lock_nh, c_lock_nh, 1, 1},
	{"RtmCreateDestEnum", g_dest_enum, c_dest_enum, 2, 0},
	{"RtmGetEnumDests", g_batch_dests, c_enum_dests, 2, 1},
	{"RtmReleaseDests", g_rel_dests, c_rel_dests, 1, 0},
	{"RtmCreateRouteEnum", g_route_enum, c_route_enum, 3, 1},
	{"RtmGetEnumRoutes", g_batch_routes, c_enum_routes, 2, 1},
	{"RtmReleaseRoutes", g_rel_routes, c_rel_routes, 1, 0},
	{"RtmCreateNextHopEnum", g_nh_enum, c_nh_enum, 2, 0},
	{"RtmGetEnumNextHops", g_batch_nhs, c_enum_nhs, 2, 1},
	{"RtmReleaseNextHops", g_rel_nhs, c_rel_nhs, 1, 0},
	{"RtmDeleteEnumHandle", g_delete_enum, c_delete_enum, 0, 1},
	{"RtmRegisterForChangeNotification", g_register_notify, c_register_notify, 2, 0},
	{"RtmGetChangedDests", g_changed, c_changed, 2, 1},
	{"RtmReleaseChangedDests", g_rel_changed, c_rel_changed, 1, 1},
	{"RtmIgnoreChangedDests", g_ignore, c_ignore, 1, 1},
	{"RtmGetChangeStatus", g_change_status, c_change_status, 1, 2},
	{"RtmMarkDestForChangeNotification", g_change_status, c_mark, 0, 2},
	{"RtmIsMarkedForChangeNotification", g_change_status, c_is_marked, 1, 2},
	{"RtmDeregisterFromChangeNotification", g_deregister_notify, c_deregister_notify, 0, 1},
	{"RtmCreateRouteList", g_create_list, c_create_list, 1, 0},
	{"RtmInsertInRouteList", g_insert, c_insert, 1, 1},
	{"RtmCreateRouteListEnum", g_list_enum, c_list_enum, 1, 1},
	{"RtmGetListEnumRoutes", g_batch_list, c_list_routes, 2, 1},
	{"RtmDeleteRouteList", g_delete_list, c_delete_list, 0, 1},
	{"RtmReferenceHandles", g_reference, c_reference, 1, 0},
};

#define NFNS (sizeof(fns) / sizeof(fns[0]))
_Static_assert(sizeof(fns) / sizeof(fns[0]) == 57, "one entry per RTMv2 function");

enum {
	F_REGISTER, F_DEREGISTER, F_GET_ENTITIES, F_REL_ENTITIES, F_LOCK_DEST, F_OPAQUE,
	F_GET_METHODS, F_INVOKE, F_BLOCK, F_ENTITY_INFO, F_DEST_INFO, F_ROUTE_INFO, F_NH_INFO,
	F_REL_ENTITY_INFO, F_REL_DEST_INFO, F_REL_ROUTE_INFO, F_REL_NH_INFO, F_ADD_ROUTE,
	F_DEL_ROUTE, F_HOLD, F_ROUTE_PTR, F_LOCK_ROUTE, F_UPDATE, F_EXACT_DEST, F_MOST_SPECIFIC,
	F_LESS_SPECIFIC, F_EXACT_ROUTE, F_IS_BEST, F_ADD_NH, F_FIND_NH, F_DEL_NH, F_NH_PTR,
	F_LOCK_NH, F_DEST_ENUM, F_ENUM_DESTS, F_REL_DESTS, F_ROUTE_ENUM, F_ENUM_ROUTES,
	F_REL_ROUTES, F_NH_ENUM, F_ENUM_NHS, F_REL_NHS, F_DEL_ENUM, F_REG_NOTIFY, F_CHANGED,
	F_REL_CHANGED, F_IGNORE, F_CHANGE_STATUS, F_MARK, F_IS_MARKED, F_DEREG_NOTIFY,
	F_CREATE_LIST, F_INSERT, F_LIST_ENUM, F_LIST_ROUTES, F_DEL_LIST, F_REFERENCE
};

/* ---- tweaks: how a row changes the valid arguments ---------------------------------------- */

typedef void (*tweak_fn)(struct args *a, HANDLE h, uint32_t v);

/* Arrays: a second element after the valid (zombie or pending) first one. */
static void
t_arr2(struct args *a, HANDLE h, uint32_t v)
{
	(void)v;
	AR->hs[1] = h;
	a->v[0] = 2;
}

/* A count of 0 with a NULL array: nothing to do. */
static void
t_n0_null(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	(void)v;
	a->v[0] = 0;
	a->p[0] = NULL;
}

/* Dest-info arrays: a second element at the profile's stride. */
static void
t_dests2(struct args *a, HANDLE h, uint32_t v)
{
	(void)v;
	TL_DEST_AT(AR->di_space, &A->prof, 1)->DestHandle = h;
	a->v[0] = 2;
}

static void
t_di_dest(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->di.DestHandle = h;
}

static void
t_di_route(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->di.NumberOfViews = 1;
	AR->di.ViewInfo[0].Route = h;
}

static void
t_di_owner(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->di.NumberOfViews = 1;
	AR->di.ViewInfo[0].Owner = h;
}

static void
t_di_nviews(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->di.NumberOfViews = v;
}

static void
t_ri_dest(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->ri.DestHandle = h;
}

static void
t_ri_nbr(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->ri.Neighbour = h;
}

static void
t_ri_nh0(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->ri.NextHopsList.NumNextHops = 1;
	TL_NH(&AR->ri, 0) = h;
}

static void
t_ri_nnh(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->ri.NextHopsList.NumNextHops = (USHORT)(v ? v : A->prof.MaxNextHopsInRoute + 1);
	for (UINT i = 0; i < 70 && i < AR->ri.NextHopsList.NumNextHops; i++)
		TL_NH(&AR->ri, i) = A->nh[0];
}

static void
t_ri_views(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->ri.BelongsToViews = v;
}

static void
t_ni_owner(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->ni.NextHopOwner = h;
	AR->ni.RemoteNextHop = A->d_zombie;
}

static void
t_ni_remote(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->ni.RemoteNextHop = h;
}

static void
t_ni_family(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->ni.NextHopAddress.AddressFamily = (USHORT)v;
}

static void
t_ni_bits(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->ni.NextHopAddress.NumBits = (USHORT)v;
}

static void
t_ni_absent(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	(void)v;
	good_nexthop_info("10.0.0.77", 77);
}

static void
t_addr_family(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->addr.AddressFamily = (USHORT)v;
}

static void
t_addr_bits(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->addr.NumBits = (USHORT)v;
}

static void
t_addr_absent(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	(void)v;
	set_addr(&AR->addr, "10.77.0.0", 16);
}

/* 10.1.2.3/16: host bits beyond the length. */
static void
t_addr_host_bits(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	(void)v;
	set_addr(&AR->addr, "10.1.2.3", 16);
}

static void
t_out_handle(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->out = h;
}

static void
t_num(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->num = v;
}

static void
t_num_over(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->num = A->prof.MaxHandlesInEnum + v;
}

/* GetRegisteredEntities asking for the count only. */
static void
t_num0_no_arrays(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	(void)v;
	AR->num = 0;
	a->p[1] = NULL;
	a->p[2] = NULL;
}

static void
t_num_null_array(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	AR->num = v;
	a->p[1] = NULL;
}

static void
t_null_p0_bad_h0(struct args *a, HANDLE h, uint32_t v)
{
	(void)v;
	a->p[0] = NULL;
	a->h[0] = h;
}

/* Everything bad at once: the entity handle is checked first (§3). */
static const struct fn *current_fn;

static void
t_all_bad(struct args *a, HANDLE h, uint32_t v)
{
	(void)v;
	a->reg = h;
	for (unsigned i = 0; i < current_fn->np; i++)
		a->p[i] = NULL;
	for (unsigned i = 0; i < current_fn->nh; i++)
		a->h[i] = (HANDLE)(uintptr_t)0xdeadbeef;
}

static void
t_reg_family(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->einfo.AddressFamily = (USHORT)v;
}

static void
t_reg_nmethods(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->em.NumMethods = v;
}

/* My own identity again (v: with an opaque slot). */
static void
t_reg_duplicate(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	AR->einfo.EntityId.EntityProtocolId = 0x600d;
	AR->einfo.EntityId.EntityInstanceId = 1;
	a->v[0] = v;
}

/* A new identity in table d, whose opaque slots are all taken. */
static void
t_reg_no_slot(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	(void)v;
	AR->einfo.RtmInstanceId = W.d.inst;
	AR->einfo.EntityId.EntityProtocolId = 0x5107;
	AR->einfo.EntityId.EntityInstanceId = 1000;
	a->v[0] = TRUE;
}

static void
t_invoke_unknown(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	AR->in.MethodType = v;
}

static void
t_block_resume_ignored(struct args *a, HANDLE h, uint32_t v)
{
	a->h[0] = h;
	a->v[0] = v;
	a->v[1] = RTM_RESUME_METHODS;
}

/* RtmAddRouteToDest without DestAddress and without a route to update. */
static void
t_add_no_dest_no_route(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	(void)v;
	a->p[0] = NULL;
	a->p[1] = NULL;
}

static void
t_null_ri_bad_list(struct args *a, HANDLE h, uint32_t v)
{
	(void)v;
	a->p[2] = NULL;
	a->h[0] = h;
}

/* Update a route by handle: *RouteHandle = h. */
static void
t_update_by_handle(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->out = h;
}

static PRTM_ROUTE_INFO locked_copy;
static USHORT saved_nnh;

/* Hold my route 1 exclusively, as RtmUpdateAndUnlockRoute expects. */
static void
lock_route0(void)
{
	locked_copy = NULL;
	CHECK_RC(RtmLockRoute(A->me, A->r[0], TRUE, TRUE, &locked_copy), NO_ERROR);
}

static void
t_locked_bad_list(struct args *a, HANDLE h, uint32_t v)
{
	(void)v;
	lock_route0();
	a->h[1] = h;
}

static void
t_locked_null_flags(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	(void)v;
	lock_route0();
	a->p[0] = NULL;
}

/* The client put too many next hops in the RTM's copy. */
static void
t_locked_too_many(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	(void)v;
	lock_route0();
	if (locked_copy != NULL) {
		saved_nnh = locked_copy->NextHopsList.NumNextHops;
		locked_copy->NextHopsList.NumNextHops = (USHORT)(A->prof.MaxNextHopsInRoute + 1);
	}
}

static void
t_lock_mode(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	a->v[0] = v;	 /* Exclusive */
	a->v[1] = FALSE; /* unlock */
}

static void
t_h0_first_dest(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	(void)v;
	a->h[0] = A->d[0];
}

static void
t_match_nexthops(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	a->v[current_fn == &fns[F_ROUTE_ENUM] ? 2 : 0] = RTM_MATCH_NEXTHOP;
	AR->ri.NextHopsList.NumNextHops = (USHORT)(v ? v : A->prof.MaxNextHopsInRoute + 1);
}

static void
t_flags_no_addr(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	if (current_fn == &fns[F_NH_ENUM])
		a->v[0] = v;
	else
		a->v[1] = v;
	a->p[0] = NULL;
}

static void
t_nh_key_changed(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)h;
	(void)v;
	AR->out = A->nh[0]; /* key 10.0.0.1/1, info says 10.0.0.9/9 */
}

static void
t_del_nh_by_info(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	a->h[0] = NULL;
	good_nexthop_info(v ? "10.0.0.77" : "10.0.0.2", v ? 77 : 2);
	if (!v)
		AR->ni.NextHopAddress.AddressFamily = AF_INET6;
	a->p[0] = &AR->ni;
}

static void
t_notify_full(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	(void)v;
	a->reg = W.d.me;
}

static void
t_caller_without_slot(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	(void)v;
	a->reg = A->other;
}

static void
t_ri_owner(struct args *a, HANDLE h, uint32_t v)
{
	(void)a;
	(void)v;
	AR->ri.RouteOwner = h;
}

static void
t_no_outputs(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	(void)v;
	a->p[0] = NULL;
	a->p[1] = NULL;
}

/* The same call as the IPv6 table's client with a /129 (p: which pointer slot
 * holds the address, or the next-hop info when v says so). */
static void
t_v6_bits129(struct args *a, HANDLE h, uint32_t v)
{
	(void)h;
	a->reg = W.b.me;
	if (v == 1) {
		good_nexthop_info("10.0.0.9", 9);
		fx_net(&W.b, &AR->ni.NextHopAddress, "10.0.0.9", 32);
		AR->ni.NextHopAddress.NumBits = 129;
		return;
	}
	fx_net(&W.b, &AR->addr, "10.1.0.0", 16);
	AR->addr.NumBits = 129;
	AR->ri.NextHopsList.NumNextHops = 0; /* my next hops are table a's */
}

/* ---- post-checks for rows whose call may write ---------------------------------------- */

typedef void (*post_fn)(const struct arena *before, DWORD rc);

/* INSUFFICIENT_BUFFER: *num = the total, the arrays untouched, no reference taken. */
static void
p_entities_short(const struct arena *before, DWORD rc)
{
	UINT total = 3; /* me, other, obs */

	(void)rc;
	CHECK_EQ_U(AR->num, total);
	CHECK(memcmp(AR->hs, before->hs, sizeof(AR->hs)) == 0);
	CHECK(memcmp(AR->einfos, before->einfos, sizeof(AR->einfos)) == 0);
}

static void
p_output_empty(const struct arena *before, DWORD rc)
{
	(void)before;
	(void)rc;
	CHECK_EQ_U(AR->num, 0);
}

static void
p_lock_still_held(const struct arena *before, DWORD rc)
{
	(void)before;
	(void)rc;
	if (locked_copy != NULL && saved_nnh) {
		locked_copy->NextHopsList.NumNextHops = saved_nnh;
		saved_nnh = 0;
	}
	/* The failed update left the lock held (SEMANTICS §6): unlocking works once. */
	CHECK_RC(RtmLockRoute(A->me, A->r[0], TRUE, FALSE, NULL), NO_ERROR);
}

/* The masked prefix was found: 10.1.2.3/16 is 10.1.0.0/16 (§5). */
static void
p_found_masked(const struct arena *before, DWORD rc)
{
	RTM_NET_ADDRESS want;

	(void)before;
	if (rc != NO_ERROR)
		return;
	set_addr(&want, "10.1.0.0", 16);
	CHECK(tl_addr_eq(&AR->di.DestAddress, &want));
	CHECK_EQ_PTR(AR->di.DestHandle, A->d[1]);
	CHECK_RC(RtmReleaseDestInfo(A->me, &AR->di), NO_ERROR);
}

/* ---- the case table ---------------------------------------------------------------- */

enum slot { S_NONE, S_REG, S_H0, S_H1, S_P0, S_P1, S_P2, S_P3, S_V0, S_V1, S_V2, S_V3 };

struct bad_case {
	int fn;
	enum slot slot;
	enum setkind set;
	enum kind kind;
	uint32_t val;
	tweak_fn tweak;
	post_fn post;
	DWORD expect;
	const char *what;
	const char *ref;
};

#define EN_DEST ((enum kind)0)
#define EN_ROUTE ((enum kind)1)
#define EN_NH ((enum kind)2)
#define EN_LIST ((enum kind)3)

/* A NULL pointer argument. */
#define NUL(f, s, what, ref) {f, s, ONE, K_ANY, 0, NULL, NULL, IP, what " NULL", ref}
/* A scalar argument set to v. */
#define VAL(f, s, v, e, what, ref) {f, s, ONE, K_ANY, v, NULL, NULL, e, what, ref}
/* A handle argument from a set. */
#define HND(f, s, set, k, e, what, ref) {f, s, set, k, 0, NULL, NULL, e, what, ref}
/* Anything else: a tweak, with a handle set (or ONE) and a value. */
#define TWK(f, set, k, v, tw, e, what, ref) {f, S_NONE, set, k, v, tw, NULL, e, what, ref}
#define TWKP(f, set, k, v, tw, post, e, what, ref) {f, S_NONE, set, k, v, tw, post, e, what, ref}

#define S3 "§3"
#define BAD "every invalid handle"
#define BADNN "every invalid non-NULL handle"

static const struct bad_case cases[] = {
	/* 1 RtmRegisterEntity */
	NUL(F_REGISTER, S_P0, "RtmEntityInfo", "§4"),
	NUL(F_REGISTER, S_P2, "RtmRegProfile", "§4"),
	NUL(F_REGISTER, S_P3, "RtmRegHandle", "§4"),
	TWK(F_REGISTER, ONE, K_ANY, 0, t_reg_family, IP, "AddressFamily 0", "§4"),
	TWK(F_REGISTER, ONE, K_ANY, AF_UNIX, t_reg_family, IP, "AddressFamily AF_UNIX", "§4"),
	TWK(F_REGISTER, ONE, K_ANY, 23, t_reg_family, IP,
	    "AddressFamily 23 (Windows' AF_INET6)", "§1, §4"),
	TWK(F_REGISTER, ONE, K_ANY, 0xffff, t_reg_family, IP, "AddressFamily 0xffff", "§4"),
	TWK(F_REGISTER, ONE, K_ANY, 33, t_reg_nmethods, IP, "NumMethods 33", "§4"),
	TWK(F_REGISTER, ONE, K_ANY, 0xffffffffu, t_reg_nmethods, IP, "NumMethods 0xffffffff",
	    "§4"),
	TWK(F_REGISTER, ONE, K_ANY, FALSE, t_reg_duplicate, ERROR_ALREADY_EXISTS,
	    "identity already registered", "§4"),
	TWK(F_REGISTER, ONE, K_ANY, TRUE, t_reg_duplicate, ERROR_ALREADY_EXISTS,
	    "identity already registered, opaque slot asked (no slot taken)", "§4"),
	TWK(F_REGISTER, ONE, K_ANY, 0, t_reg_no_slot, ERROR_NO_SYSTEM_RESOURCES,
	    "opaque slot asked, none left", "§4"),

	/* 3 RtmGetRegisteredEntities */
	NUL(F_GET_ENTITIES, S_P0, "NumEntities", S3),
	TWKP(F_GET_ENTITIES, ONE, K_ANY, 1, t_num, p_entities_short, ERROR_INSUFFICIENT_BUFFER,
	     "*NumEntities 1 < 3 entities: *NumEntities = 3, arrays untouched", "§4, §14.5"),
	TWKP(F_GET_ENTITIES, ONE, K_ANY, 0, t_num0_no_arrays, p_entities_short,
	     ERROR_INSUFFICIENT_BUFFER, "*NumEntities 0, both arrays NULL (count query)",
	     "§4"),

	/* 4 RtmReleaseEntities */
	NUL(F_REL_ENTITIES, S_P0, "EntityHandles (NumEntities 1)", S3),
	TWK(F_REL_ENTITIES, INVALID, K_ENTITY, 0, t_arr2, IH,
	    "EntityHandles[1]: " BAD " (all or nothing: [0] keeps its reference)", S3),
	TWK(F_REL_ENTITIES, ONE, K_ANY, 0, t_n0_null, NO_ERROR,
	    "NumEntities 0, EntityHandles NULL: nothing to do", "our decision"),

	/* 5 RtmLockDestination */
	HND(F_LOCK_DEST, S_H0, INVALID, K_DEST, IH, "DestHandle: " BAD, S3),
	HND(F_LOCK_DEST, S_H0, OTHER_TABLE, K_DEST, IH, "DestHandle of another table",
	    "our decision (§3: tables never share)"),
	TWK(F_LOCK_DEST, ONE, K_ANY, FALSE, t_lock_mode, IP, "unlock (shared) a lock not held",
	    "our decision (README: misused unlocks)"),
	TWK(F_LOCK_DEST, ONE, K_ANY, TRUE, t_lock_mode, IP, "unlock (exclusive) a lock not held",
	    "our decision (README: misused unlocks)"),

	/* 6 RtmGetOpaqueInformationPointer */
	NUL(F_OPAQUE, S_P0, "OpaqueInfoPointer", S3),
	HND(F_OPAQUE, S_H0, INVALID, K_DEST, IH, "DestHandle: " BAD, S3),
	HND(F_OPAQUE, S_H0, OTHER_TABLE, K_DEST, IH, "DestHandle of another table",
	    "our decision (§3)"),
	TWK(F_OPAQUE, INVALID_NN, K_DEST, 0, t_null_p0_bad_h0, IP,
	    "OpaqueInfoPointer NULL and a bad DestHandle", "§3 order"),
	TWK(F_OPAQUE, ONE, K_ANY, 0, t_caller_without_slot, NF, "caller reserved no opaque slot",
	    "§6"),

	/* 7 RtmGetEntityMethods */
	NUL(F_GET_METHODS, S_P0, "NumMethods", S3),
	TWK(F_GET_METHODS, ONE, K_ANY, 2, t_num_null_array, IP,
	    "*NumMethods 2 with ExptMethods NULL", "our decision"),
	HND(F_GET_METHODS, S_H0, INVALID, K_ENTITY, IH, "EntityHandle: " BAD, "§4, §13"),
	HND(F_GET_METHODS, S_H0, ZOMBIE, K_ENTITY, IH, "EntityHandle of a deregistered entity",
	    "§4"),
	TWK(F_GET_METHODS, INVALID_NN, K_ENTITY, 0, t_null_p0_bad_h0, IP,
	    "NumMethods NULL and a bad EntityHandle", "§3 order"),

	/* 8 RtmInvokeMethod */
	NUL(F_INVOKE, S_P0, "Input", S3),
	NUL(F_INVOKE, S_P1, "OutputSize", S3),
	NUL(F_INVOKE, S_P2, "Output (with *OutputSize 256)", S3),
	HND(F_INVOKE, S_H0, INVALID, K_ENTITY, IH, "EntityHandle: " BAD, "§4"),
	HND(F_INVOKE, S_H0, ZOMBIE, K_ENTITY, IH, "EntityHandle of a deregistered entity",
	    "§4"),
	TWK(F_INVOKE, INVALID_NN, K_ENTITY, 0, t_null_p0_bad_h0, IP,
	    "Input NULL and a bad EntityHandle", "§3 order"),
	TWKP(F_INVOKE, ONE, K_ANY, 0xfffffffeu, t_invoke_unknown, p_output_empty, NO_ERROR,
	     "MethodType with only ids the target does not export: none runs, *OutputSize 0",
	     "§4 (bits i < NumMethods)"),

	/* 9 RtmBlockMethods */
	VAL(F_BLOCK, S_V1, 2, IP, "BlockingFlag 2", "§4"),
	VAL(F_BLOCK, S_V1, 0xffffffffu, IP, "BlockingFlag 0xffffffff", "§4"),
	TWK(F_BLOCK, INVALID_NN, K_ANY, 0xff, t_block_resume_ignored, NO_ERROR,
	    "garbage TargetHandle and TargetType 0xff with RESUME: ignored", "§4, §14.24"),

	/* 10 RtmGetEntityInfo */
	NUL(F_ENTITY_INFO, S_P0, "EntityInfo", S3),
	HND(F_ENTITY_INFO, S_H0, INVALID, K_ENTITY, IH, "EntityHandle: " BAD, "§4"),
	TWK(F_ENTITY_INFO, INVALID_NN, K_ENTITY, 0, t_null_p0_bad_h0, IP,
	    "EntityInfo NULL and a bad EntityHandle", "§3 order"),

	/* 11 RtmGetDestInfo */
	NUL(F_DEST_INFO, S_P0, "DestInfo", S3),
	VAL(F_DEST_INFO, S_V1, 0x4, IP, "TargetViews 0x4 (unsupported view)", "§5"),
	VAL(F_DEST_INFO, S_V1, 0x80000000u, IP, "TargetViews 0x80000000", "§5"),
	VAL(F_DEST_INFO, S_V1, 0x7fffffffu, IP, "TargetViews 0x7fffffff", "§5"),
	HND(F_DEST_INFO, S_H0, INVALID, K_DEST, IH, "DestHandle: " BAD, S3),
	HND(F_DEST_INFO, S_H0, OTHER_TABLE, K_DEST, IH, "DestHandle of another table",
	    "our decision (§3)"),
	TWK(F_DEST_INFO, INVALID_NN, K_DEST, 0, t_null_p0_bad_h0, IP,
	    "DestInfo NULL and a bad DestHandle", "§3 order"),

	/* 12 RtmGetRouteInfo */
	HND(F_ROUTE_INFO, S_H0, INVALID, K_ROUTE, IH, "RouteHandle: " BAD, S3),
	TWK(F_ROUTE_INFO, ONE, K_ANY, 0, t_no_outputs, NO_ERROR,
	    "RouteInfo and DestAddress both NULL: nothing to fill", "§5 (both optional)"),

	/* 13 RtmGetNextHopInfo */
	NUL(F_NH_INFO, S_P0, "NextHopInfo", S3),
	HND(F_NH_INFO, S_H0, INVALID, K_NEXTHOP, IH, "NextHopHandle: " BAD, S3),
	TWK(F_NH_INFO, INVALID_NN, K_NEXTHOP, 0, t_null_p0_bad_h0, IP,
	    "NextHopInfo NULL and a bad NextHopHandle", "§3 order"),

	/* 14 RtmReleaseEntityInfo */
	NUL(F_REL_ENTITY_INFO, S_P0, "EntityInfo", S3),

	/* 15 RtmReleaseDestInfo */
	NUL(F_REL_DEST_INFO, S_P0, "DestInfo", S3),
	TWK(F_REL_DEST_INFO, INVALID_NN, K_DEST, 0, t_di_dest, IH, "DestHandle inside: " BADNN,
	    S3),
	TWK(F_REL_DEST_INFO, INVALID_NN, K_ROUTE, 0, t_di_route, IH,
	    "ViewInfo[0].Route inside: " BADNN " (all or nothing: DestHandle keeps its reference)",
	    S3),
	TWK(F_REL_DEST_INFO, INVALID_NN, K_ENTITY, 0, t_di_owner, IH,
	    "ViewInfo[0].Owner inside: " BADNN " (all or nothing)", S3),
	TWK(F_REL_DEST_INFO, ONE, K_ANY, RTM_MAX_VIEWS + 1, t_di_nviews, IP,
	    "NumberOfViews 33", "our decision"),
	TWK(F_REL_DEST_INFO, ONE, K_ANY, 0xffffffffu, t_di_nviews, IP, "NumberOfViews 0xffffffff",
	    "our decision"),

	/* 16 RtmReleaseRouteInfo */
	NUL(F_REL_ROUTE_INFO, S_P0, "RouteInfo", S3),
	TWK(F_REL_ROUTE_INFO, INVALID_NN, K_DEST, 0, t_ri_dest, IH, "DestHandle inside: " BADNN,
	    S3),
	TWK(F_REL_ROUTE_INFO, INVALID_NN, K_ENTITY, 0, t_ri_owner, IH,
	    "RouteOwner inside: " BADNN " (all or nothing: DestHandle keeps its reference)", S3),
	TWK(F_REL_ROUTE_INFO, INVALID_NN, K_NEXTHOP, 0, t_ri_nbr, IH,
	    "Neighbour inside: " BADNN " (all or nothing: owner and dest keep theirs)", S3),
	TWK(F_REL_ROUTE_INFO, INVALID_NN, K_NEXTHOP, 0, t_ri_nh0, IH,
	    "NextHops[0] inside: " BADNN " (all or nothing)", S3),
	TWK(F_REL_ROUTE_INFO, ONE, K_ANY, 65, t_ri_nnh, IP, "NumNextHops 65",
	    "our decision (more than any table allows)"),
	TWK(F_REL_ROUTE_INFO, ONE, K_ANY, 0xffff, t_ri_nnh, IP, "NumNextHops 0xffff",
	    "our decision"),

	/* 17 RtmReleaseNextHopInfo */
	NUL(F_REL_NH_INFO, S_P0, "NextHopInfo", S3),
	TWK(F_REL_NH_INFO, INVALID_NN, K_DEST, 0, t_ni_remote, IH,
	    "RemoteNextHop inside: " BADNN " (all or nothing: owner keeps its reference)", S3),
	TWK(F_REL_NH_INFO, INVALID_NN, K_ENTITY, 0, t_ni_owner, IH,
	    "NextHopOwner inside: " BADNN " (all or nothing)", S3),

	/* 18 RtmAddRouteToDest */
	NUL(F_ADD_ROUTE, S_P2, "RouteInfo", "§5"),
	NUL(F_ADD_ROUTE, S_P3, "ChangeFlags", "§5"),
	NUL(F_ADD_ROUTE, S_P1, "DestAddress (no route to update)", "§5"),
	TWK(F_ADD_ROUTE, ONE, K_ANY, 0, t_add_no_dest_no_route, IP,
	    "DestAddress and RouteHandle NULL", "§5"),
	TWK(F_ADD_ROUTE, ONE, K_ANY, AF_INET6, t_addr_family, IP,
	    "DestAddress of another family (AF_INET6 in an IPv4 table)", "our decision"),
	TWK(F_ADD_ROUTE, ONE, K_ANY, 0, t_addr_family, IP, "DestAddress family 0",
	    "our decision"),
	TWK(F_ADD_ROUTE, ONE, K_ANY, 33, t_addr_bits, IP, "DestAddress NumBits 33", "§5"),
	TWK(F_ADD_ROUTE, ONE, K_ANY, 0xffff, t_addr_bits, IP, "DestAddress NumBits 0xffff",
	    "§5"),
	TWK(F_ADD_ROUTE, ONE, K_ANY, 0, t_v6_bits129, IP, "IPv6 table: DestAddress NumBits 129",
	    "§5"),
	TWK(F_ADD_ROUTE, ONE, K_ANY, 0, t_ri_nnh, IP, "NumNextHops MaxNextHopsInRoute + 1",
	    "§5"),
	TWK(F_ADD_ROUTE, ONE, K_ANY, 0xffff, t_ri_nnh, IP, "NumNextHops 0xffff", "§5"),
	TWK(F_ADD_ROUTE, ONE, K_ANY, 0x4, t_ri_views, IP, "BelongsToViews 0x4", "§5"),
	TWK(F_ADD_ROUTE, ONE, K_ANY, 0x80000001u, t_ri_views, IP, "BelongsToViews 0x80000001",
	    "§5"),
	TWK(F_ADD_ROUTE, INVALID, K_NEXTHOP, 0, t_ri_nh0, IH, "NextHops[0]: " BAD, "§5"),
	TWK(F_ADD_ROUTE, OTHER_ENT, K_NEXTHOP, 0, t_ri_nh0, IP, "NextHops[0] another entity's",
	    "§5"),
	TWK(F_ADD_ROUTE, OTHER_TABLE, K_NEXTHOP, 0, t_ri_nh0, IP,
	    "NextHops[0] of another table (another entity's)", "§5"),
	TWK(F_ADD_ROUTE, INVALID_NN, K_NEXTHOP, 0, t_ri_nbr, IH, "Neighbour: " BADNN, "§5"),
	HND(F_ADD_ROUTE, S_H0, INVALID_NN, K_LIST, IH, "RouteListHandle: " BADNN, "§5"),
	HND(F_ADD_ROUTE, S_H0, OTHER_ENT, K_LIST, IH, "RouteListHandle another entity's",
	    "§5"),
	HND(F_ADD_ROUTE, S_H0, OTHER_TABLE, K_LIST, IH, "RouteListHandle of another table",
	    "§5"),
	TWK(F_ADD_ROUTE, INVALID_NN, K_ROUTE, 0, t_update_by_handle, IH,
	    "*RouteHandle (update): " BADNN, "§5"),
	TWK(F_ADD_ROUTE, OTHER_ENT, K_ROUTE, 0, t_update_by_handle, AD,
	    "*RouteHandle another entity's route", "§5"),
	TWK(F_ADD_ROUTE, OTHER_TABLE, K_ROUTE, 0, t_update_by_handle, AD,
	    "*RouteHandle a route of another table", "§5 (not the caller's)"),
	TWK(F_ADD_ROUTE, ZOMBIE, K_ROUTE, 0, t_update_by_handle, NF,
	    "*RouteHandle my deleted route", "§5"),
	TWK(F_ADD_ROUTE, INVALID_NN, K_LIST, 0, t_null_ri_bad_list, IP,
	    "RouteInfo NULL and a bad RouteListHandle", "§3 order"),

	/* 19 RtmDeleteRouteToDest */
	NUL(F_DEL_ROUTE, S_P0, "ChangeFlags", S3),
	HND(F_DEL_ROUTE, S_H0, INVALID, K_ROUTE, IH, "RouteHandle: " BAD, "§5"),
	HND(F_DEL_ROUTE, S_H0, OTHER_ENT, K_ROUTE, AD, "another entity's route", "§5"),
	HND(F_DEL_ROUTE, S_H0, OTHER_TABLE, K_ROUTE, AD, "a route of another table",
	    "§5 (not the caller's)"),
	HND(F_DEL_ROUTE, S_H0, ZOMBIE, K_ROUTE, NF,
	    "my deleted route (its reference is not consumed)", "§5, §14.19"),
	TWK(F_DEL_ROUTE, INVALID_NN, K_ROUTE, 0, t_null_p0_bad_h0, IP,
	    "ChangeFlags NULL and a bad RouteHandle", "§3 order"),

	/* 20 RtmHoldDestination */
	VAL(F_HOLD, S_V1, 0, IP, "HoldTime 0", "§7"),
	VAL(F_HOLD, S_V0, 0x4, IP, "TargetViews 0x4", "§5"),
	HND(F_HOLD, S_H0, INVALID, K_DEST, IH, "DestHandle: " BAD, "§7"),
	HND(F_HOLD, S_H0, OTHER_TABLE, K_DEST, IH, "DestHandle of another table",
	    "our decision (§3)"),

	/* 21 RtmGetRoutePointer */
	NUL(F_ROUTE_PTR, S_P0, "RoutePointer", S3),
	HND(F_ROUTE_PTR, S_H0, INVALID, K_ROUTE, IH, "RouteHandle: " BAD, "§6"),
	HND(F_ROUTE_PTR, S_H0, OTHER_ENT, K_ROUTE, AD, "another entity's route", "§6"),
	HND(F_ROUTE_PTR, S_H0, OTHER_TABLE, K_ROUTE, AD, "a route of another table", "§6"),
	TWK(F_ROUTE_PTR, INVALID_NN, K_ROUTE, 0, t_null_p0_bad_h0, IP,
	    "RoutePointer NULL and a bad RouteHandle", "§3 order"),

	/* 22 RtmLockRoute */
	HND(F_LOCK_ROUTE, S_H0, INVALID, K_ROUTE, IH, "RouteHandle: " BAD, "§6"),
	HND(F_LOCK_ROUTE, S_H0, OTHER_ENT, K_ROUTE, AD, "another entity's route", "§6, §14.2"),
	HND(F_LOCK_ROUTE, S_H0, OTHER_TABLE, K_ROUTE, AD, "a route of another table", "§6"),
	HND(F_LOCK_ROUTE, S_H0, ZOMBIE, K_ROUTE, NF, "my deleted route", "§6"),
	TWK(F_LOCK_ROUTE, ONE, K_ANY, FALSE, t_lock_mode, IP, "unlock (shared) when not locked",
	    "our decision (README)"),
	TWK(F_LOCK_ROUTE, ONE, K_ANY, TRUE, t_lock_mode, IP,
	    "unlock (exclusive) when not locked", "our decision (README)"),

	/* 23 RtmUpdateAndUnlockRoute */
	NUL(F_UPDATE, S_P0, "ChangeFlags", S3),
	HND(F_UPDATE, S_H0, INVALID, K_ROUTE, IH, "RouteHandle: " BAD, "§6"),
	HND(F_UPDATE, S_H0, OTHER_ENT, K_ROUTE, AD, "another entity's route", "§6"),
	HND(F_UPDATE, S_H0, OTHER_TABLE, K_ROUTE, AD, "a route of another table", "§6"),
	VAL(F_UPDATE, S_NONE, 0, IP, "route not locked by the caller",
	    "our decision (README: misused unlocks)"),
	HND(F_UPDATE, S_H1, INVALID_NN, K_LIST, IH, "RouteListHandle: " BADNN, "§6"),
	HND(F_UPDATE, S_H1, OTHER_ENT, K_LIST, IH, "RouteListHandle another entity's", "§6"),
	TWK(F_UPDATE, INVALID_NN, K_ROUTE, 0, t_null_p0_bad_h0, IP,
	    "ChangeFlags NULL and a bad RouteHandle", "§3 order"),
	TWKP(F_UPDATE, INVALID_NN, K_LIST, 0, t_locked_bad_list, p_lock_still_held, IH,
	     "route locked, RouteListHandle: " BADNN " (the lock stays held)", "§6"),
	TWKP(F_UPDATE, OTHER_ENT, K_LIST, 0, t_locked_bad_list, p_lock_still_held, IH,
	     "route locked, another entity's RouteListHandle (the lock stays held)", "§6"),
	TWKP(F_UPDATE, ONE, K_ANY, 0, t_locked_null_flags, p_lock_still_held, IP,
	     "route locked, ChangeFlags NULL (the lock stays held)", "§6"),
	TWKP(F_UPDATE, ONE, K_ANY, 0, t_locked_too_many, p_lock_still_held, IP,
	     "route locked, the RTM's copy given MaxNextHopsInRoute + 1 next hops (the lock "
	     "stays held)",
	     "§6"),

	/* 24 RtmGetExactMatchDestination */
	NUL(F_EXACT_DEST, S_P0, "DestAddress", S3),
	NUL(F_EXACT_DEST, S_P1, "DestInfo", S3),
	TWK(F_EXACT_DEST, ONE, K_ANY, AF_INET6, t_addr_family, IP,
	    "DestAddress of another family", "our decision"),
	TWK(F_EXACT_DEST, ONE, K_ANY, 33, t_addr_bits, IP, "DestAddress NumBits 33", "§5"),
	TWK(F_EXACT_DEST, ONE, K_ANY, 0xffff, t_addr_bits, IP, "DestAddress NumBits 0xffff",
	    "§5"),
	TWK(F_EXACT_DEST, ONE, K_ANY, 0, t_v6_bits129, IP, "IPv6 table: DestAddress NumBits 129",
	    "§5"),
	VAL(F_EXACT_DEST, S_V1, 0x4, IP, "TargetViews 0x4", "§5"),
	TWK(F_EXACT_DEST, ONE, K_ANY, 0, t_addr_absent, NF, "no such destination", "§8"),
	TWKP(F_EXACT_DEST, ONE, K_ANY, 0, t_addr_host_bits, p_found_masked, NO_ERROR,
	     "10.1.2.3/16: host bits beyond NumBits are masked, 10.1.0.0/16 is found",
	     "§5, §14.27"),

	/* 25 RtmGetMostSpecificDestination */
	NUL(F_MOST_SPECIFIC, S_P0, "DestAddress", S3),
	NUL(F_MOST_SPECIFIC, S_P1, "DestInfo", S3),
	TWK(F_MOST_SPECIFIC, ONE, K_ANY, AF_INET6, t_addr_family, IP,
	    "DestAddress of another family", "our decision"),
	TWK(F_MOST_SPECIFIC, ONE, K_ANY, 33, t_addr_bits, IP, "DestAddress NumBits 33", "§5"),
	TWK(F_MOST_SPECIFIC, ONE, K_ANY, 0, t_v6_bits129, IP,
	    "IPv6 table: DestAddress NumBits 129", "§5"),
	VAL(F_MOST_SPECIFIC, S_V1, 0x4, IP, "TargetViews 0x4", "§5"),
	TWKP(F_MOST_SPECIFIC, ONE, K_ANY, 0, t_addr_host_bits, p_found_masked, NO_ERROR,
	     "10.1.2.3/16: masked to 10.1.0.0/16, which is found", "§5, §8"),

	/* 26 RtmGetLessSpecificDestination */
	NUL(F_LESS_SPECIFIC, S_P0, "DestInfo", "§8"),
	VAL(F_LESS_SPECIFIC, S_V1, 0x4, IP, "TargetViews 0x4", "§5"),
	HND(F_LESS_SPECIFIC, S_H0, INVALID, K_DEST, IH, "DestHandle: " BAD, "§8"),
	HND(F_LESS_SPECIFIC, S_H0, OTHER_TABLE, K_DEST, IH, "DestHandle of another table",
	    "our decision (§3)"),
	TWK(F_LESS_SPECIFIC, ONE, K_ANY, 0, t_h0_first_dest, NF,
	    "from 10/8: no shorter prefix covers it", "§8"),
	TWK(F_LESS_SPECIFIC, INVALID_NN, K_DEST, 0, t_null_p0_bad_h0, IP,
	    "DestInfo NULL and a bad DestHandle", "§3 order"),

	/* 27 RtmGetExactMatchRoute */
	NUL(F_EXACT_ROUTE, S_P0, "DestAddress", S3),
	NUL(F_EXACT_ROUTE, S_P1, "RouteInfo with RTM_MATCH_OWNER", "§8"),
	TWK(F_EXACT_ROUTE, ONE, K_ANY, AF_INET6, t_addr_family, IP,
	    "DestAddress of another family", "our decision"),
	TWK(F_EXACT_ROUTE, ONE, K_ANY, 33, t_addr_bits, IP, "DestAddress NumBits 33", "§5"),
	VAL(F_EXACT_ROUTE, S_V2, 0x4, IP, "TargetViews 0x4", "§5"),
	VAL(F_EXACT_ROUTE, S_V0, 0x10000, IP, "MatchingFlags 0x10000 (beyond RTM_MATCH_FULL)",
	    "§1 (bad flags)"),
	TWK(F_EXACT_ROUTE, ONE, K_ANY, 0, t_match_nexthops, IP,
	    "RTM_MATCH_NEXTHOP, criteria NumNextHops MaxNextHopsInRoute + 1", "§8 (buffer size)"),
	TWK(F_EXACT_ROUTE, ONE, K_ANY, 0xffff, t_match_nexthops, IP,
	    "RTM_MATCH_NEXTHOP, criteria NumNextHops 0xffff", "§8"),
	TWK(F_EXACT_ROUTE, ONE, K_ANY, 0, t_addr_absent, NF, "no such destination", "§8"),
	TWK(F_EXACT_ROUTE, INVALID_NN, K_ENTITY, 0, t_ri_owner, NF,
	    "RTM_MATCH_OWNER with criteria RouteOwner " BADNN ": only compared, nothing matches",
	    "our decision (§8)"),

	/* 28 RtmIsBestRoute */
	NUL(F_IS_BEST, S_P0, "BestInViews", S3),
	HND(F_IS_BEST, S_H0, INVALID, K_ROUTE, IH, "RouteHandle: " BAD, "§5"),
	TWK(F_IS_BEST, INVALID_NN, K_ROUTE, 0, t_null_p0_bad_h0, IP,
	    "BestInViews NULL and a bad RouteHandle", "§3 order"),

	/* 29 RtmAddNextHop */
	NUL(F_ADD_NH, S_P0, "NextHopInfo", S3),
	NUL(F_ADD_NH, S_P2, "ChangeFlags", S3),
	TWK(F_ADD_NH, ONE, K_ANY, AF_INET6, t_ni_family, IP, "NextHopAddress of another family",
	    "our decision"),
	TWK(F_ADD_NH, ONE, K_ANY, 33, t_ni_bits, IP, "NextHopAddress NumBits 33", "§5"),
	TWK(F_ADD_NH, ONE, K_ANY, 1, t_v6_bits129, IP, "IPv6 table: NextHopAddress NumBits 129",
	    "§5"),
	TWK(F_ADD_NH, INVALID_NN, K_DEST, 0, t_ni_remote, IH, "RemoteNextHop: " BADNN, "§9"),
	TWK(F_ADD_NH, INVALID_NN, K_NEXTHOP, 0, t_out_handle, IH,
	    "*NextHopHandle (update): " BADNN, "§9"),
	TWK(F_ADD_NH, OTHER_ENT, K_NEXTHOP, 0, t_out_handle, AD,
	    "*NextHopHandle another entity's", "§9"),
	TWK(F_ADD_NH, OTHER_TABLE, K_NEXTHOP, 0, t_out_handle, AD,
	    "*NextHopHandle of another table", "§9"),
	TWK(F_ADD_NH, ZOMBIE, K_NEXTHOP, 0, t_out_handle, NF, "*NextHopHandle my deleted one",
	    "our decision (§13 NOT_FOUND)"),
	TWK(F_ADD_NH, ONE, K_ANY, 0, t_nh_key_changed, IP,
	    "*NextHopHandle whose address and interface differ from NextHopInfo's", "§9"),

	/* 30 RtmFindNextHop */
	NUL(F_FIND_NH, S_P0, "NextHopInfo", S3),
	TWK(F_FIND_NH, ONE, K_ANY, AF_INET6, t_ni_family, IP, "NextHopAddress of another family",
	    "our decision"),
	TWK(F_FIND_NH, ONE, K_ANY, 33, t_ni_bits, IP, "NextHopAddress NumBits 33", "§5"),
	TWK(F_FIND_NH, ONE, K_ANY, 0, t_ni_absent, NF, "no such next hop", "§9"),

	/* 31 RtmDeleteNextHop */
	VAL(F_DEL_NH, S_H0, 0, IP, "NextHopHandle and NextHopInfo NULL", "§9"),
	HND(F_DEL_NH, S_H0, INVALID_NN, K_NEXTHOP, IH, "NextHopHandle: " BADNN, "§9"),
	HND(F_DEL_NH, S_H0, OTHER_ENT, K_NEXTHOP, AD, "another entity's next hop", "§9"),
	HND(F_DEL_NH, S_H0, OTHER_TABLE, K_NEXTHOP, AD, "a next hop of another table", "§9"),
	HND(F_DEL_NH, S_H0, ZOMBIE, K_NEXTHOP, NF,
	    "my deleted next hop (its reference is not consumed)", "§9"),
	TWK(F_DEL_NH, ONE, K_ANY, 0, t_del_nh_by_info, IP, "by NextHopInfo of another family",
	    "our decision"),
	TWK(F_DEL_NH, ONE, K_ANY, 1, t_del_nh_by_info, NF, "by NextHopInfo: no such next hop",
	    "§9"),

	/* 32 RtmGetNextHopPointer */
	NUL(F_NH_PTR, S_P0, "NextHopPointer", S3),
	HND(F_NH_PTR, S_H0, INVALID, K_NEXTHOP, IH, "NextHopHandle: " BAD, "§6"),
	HND(F_NH_PTR, S_H0, OTHER_ENT, K_NEXTHOP, AD, "another entity's next hop", "§6"),
	HND(F_NH_PTR, S_H0, OTHER_TABLE, K_NEXTHOP, AD, "a next hop of another table", "§6"),
	TWK(F_NH_PTR, INVALID_NN, K_NEXTHOP, 0, t_null_p0_bad_h0, IP,
	    "NextHopPointer NULL and a bad NextHopHandle", "§3 order"),

	/* 33 RtmLockNextHop */
	HND(F_LOCK_NH, S_H0, INVALID, K_NEXTHOP, IH, "NextHopHandle: " BAD, "§6"),
	HND(F_LOCK_NH, S_H0, OTHER_ENT, K_NEXTHOP, AD, "another entity's next hop", "§6"),
	HND(F_LOCK_NH, S_H0, OTHER_TABLE, K_NEXTHOP, AD, "a next hop of another table", "§6"),
	HND(F_LOCK_NH, S_H0, ZOMBIE, K_NEXTHOP, NF, "my deleted next hop", "§6"),
	TWK(F_LOCK_NH, ONE, K_ANY, FALSE, t_lock_mode, IP, "unlock (shared) when not locked",
	    "our decision (README)"),
	TWK(F_LOCK_NH, ONE, K_ANY, TRUE, t_lock_mode, IP, "unlock (exclusive) when not locked",
	    "our decision (README)"),

	/* 34 RtmCreateDestEnum */
	NUL(F_DEST_ENUM, S_P1, "RtmEnumHandle", S3),
	VAL(F_DEST_ENUM, S_V1, 0x4, IP, "EnumFlags 0x4 (unknown bit)", "§10"),
	VAL(F_DEST_ENUM, S_V1, 0x80000000u, IP, "EnumFlags 0x80000000", "§10"),
	VAL(F_DEST_ENUM, S_V1, RTM_ENUM_OWN_ROUTES, IP, "EnumFlags RTM_ENUM_OWN_ROUTES",
	    "§10 (a route-enum flag)"),
	VAL(F_DEST_ENUM, S_V1, RTM_ENUM_NEXT | RTM_ENUM_RANGE, IP, "EnumFlags NEXT | RANGE",
	    "§10"),
	TWK(F_DEST_ENUM, ONE, K_ANY, RTM_ENUM_NEXT, t_flags_no_addr, IP,
	    "RTM_ENUM_NEXT with NetAddress NULL", "§10"),
	TWK(F_DEST_ENUM, ONE, K_ANY, RTM_ENUM_RANGE, t_flags_no_addr, IP,
	    "RTM_ENUM_RANGE with NetAddress NULL", "§10"),
	TWK(F_DEST_ENUM, ONE, K_ANY, AF_INET6, t_addr_family, IP,
	    "NetAddress of another family", "our decision"),
	TWK(F_DEST_ENUM, ONE, K_ANY, 33, t_addr_bits, IP, "NetAddress NumBits 33", "§5"),
	TWK(F_DEST_ENUM, ONE, K_ANY, 0, t_v6_bits129, IP, "IPv6 table: NetAddress NumBits 129",
	    "§5"),
	VAL(F_DEST_ENUM, S_V0, 0x4, ERROR_NOT_SUPPORTED, "TargetViews 0x4", "§5, §10"),

	/* 35 RtmGetEnumDests */
	NUL(F_ENUM_DESTS, S_P0, "NumDests", S3),
	NUL(F_ENUM_DESTS, S_P1, "DestInfos", S3),
	TWK(F_ENUM_DESTS, ONE, K_ANY, 0, t_num, IP, "*NumDests 0", "§10"),
	TWK(F_ENUM_DESTS, ONE, K_ANY, 1, t_num_over, IP, "*NumDests MaxHandlesInEnum + 1",
	    "§10"),
	TWK(F_ENUM_DESTS, ONE, K_ANY, 0xffffffffu, t_num, IP, "*NumDests 0xffffffff", "§10"),
	HND(F_ENUM_DESTS, S_H0, INVALID, K_ENUM, IH, "EnumHandle: " BAD, "§10"),
	HND(F_ENUM_DESTS, S_H0, OTHER_ENT, K_ENUM, IH, "another entity's enum", "§10"),
	HND(F_ENUM_DESTS, S_H0, OTHER_TABLE, K_ENUM, IH, "an enum of another table", "§10"),
	HND(F_ENUM_DESTS, S_H0, WRONG_ENUM, EN_DEST, IH, "an enum of another kind", "§10"),
	TWK(F_ENUM_DESTS, INVALID_NN, K_ENUM, 0, t_null_p0_bad_h0, IP,
	    "NumDests NULL and a bad EnumHandle", "§3 order"),

	/* 36 RtmReleaseDests */
	NUL(F_REL_DESTS, S_P0, "DestInfos (NumDests 1)", S3),
	TWK(F_REL_DESTS, INVALID_NN, K_DEST, 0, t_dests2, IH,
	    "DestInfos[1].DestHandle: " BADNN " (all or nothing)", S3),
	TWK(F_REL_DESTS, ONE, K_ANY, 0, t_n0_null, NO_ERROR, "NumDests 0, DestInfos NULL",
	    "our decision"),

	/* 37 RtmCreateRouteEnum */
	NUL(F_ROUTE_ENUM, S_P2, "RtmEnumHandle", S3),
	NUL(F_ROUTE_ENUM, S_P1, "CriteriaRoute with RTM_MATCH_OWNER", "§10"),
	VAL(F_ROUTE_ENUM, S_V1, 0x4, IP, "EnumFlags 0x4", "§10"),
	VAL(F_ROUTE_ENUM, S_V1, RTM_ENUM_OWN_DESTS, IP, "EnumFlags RTM_ENUM_OWN_DESTS",
	    "§10 (a dest-enum flag)"),
	VAL(F_ROUTE_ENUM, S_V1, RTM_ENUM_NEXT | RTM_ENUM_RANGE, IP, "EnumFlags NEXT | RANGE",
	    "§10"),
	TWK(F_ROUTE_ENUM, ONE, K_ANY, RTM_ENUM_NEXT, t_flags_no_addr, IP,
	    "RTM_ENUM_NEXT with StartDest NULL", "§10"),
	TWK(F_ROUTE_ENUM, ONE, K_ANY, AF_INET6, t_addr_family, IP,
	    "StartDest of another family", "our decision"),
	TWK(F_ROUTE_ENUM, ONE, K_ANY, 33, t_addr_bits, IP, "StartDest NumBits 33", "§5"),
	VAL(F_ROUTE_ENUM, S_V2, 0x10000, IP, "MatchingFlags 0x10000", "§1 (bad flags)"),
	TWK(F_ROUTE_ENUM, ONE, K_ANY, 0, t_match_nexthops, IP,
	    "RTM_MATCH_NEXTHOP, criteria NumNextHops MaxNextHopsInRoute + 1", "§10"),
	VAL(F_ROUTE_ENUM, S_V0, 0x4, ERROR_NOT_SUPPORTED, "TargetViews 0x4", "§5, §10"),
	HND(F_ROUTE_ENUM, S_H0, INVALID_NN, K_DEST, IH, "DestHandle: " BADNN, "§10"),
	HND(F_ROUTE_ENUM, S_H0, OTHER_TABLE, K_DEST, IH, "DestHandle of another table",
	    "our decision (§3)"),

	/* 38 RtmGetEnumRoutes */
	NUL(F_ENUM_ROUTES, S_P0, "NumRoutes", S3),
	NUL(F_ENUM_ROUTES, S_P1, "RouteHandles", S3),
	TWK(F_ENUM_ROUTES, ONE, K_ANY, 0, t_num, IP, "*NumRoutes 0", "§10"),
	TWK(F_ENUM_ROUTES, ONE, K_ANY, 1, t_num_over, IP, "*NumRoutes MaxHandlesInEnum + 1",
	    "§10"),
	TWK(F_ENUM_ROUTES, ONE, K_ANY, 0xffffffffu, t_num, IP, "*NumRoutes 0xffffffff", "§10"),
	HND(F_ENUM_ROUTES, S_H0, INVALID, K_ENUM, IH, "EnumHandle: " BAD, "§10"),
	HND(F_ENUM_ROUTES, S_H0, OTHER_ENT, K_ENUM, IH, "another entity's enum", "§10"),
	HND(F_ENUM_ROUTES, S_H0, WRONG_ENUM, EN_ROUTE, IH, "an enum of another kind", "§10"),

	/* 39 RtmReleaseRoutes */
	NUL(F_REL_ROUTES, S_P0, "RouteHandles (NumRoutes 1)", S3),
	TWK(F_REL_ROUTES, INVALID, K_ROUTE, 0, t_arr2, IH,
	    "RouteHandles[1]: " BAD " (all or nothing)", S3),
	TWK(F_REL_ROUTES, ONE, K_ANY, 0, t_n0_null, NO_ERROR, "NumRoutes 0, RouteHandles NULL",
	    "our decision"),

	/* 40 RtmCreateNextHopEnum */
	NUL(F_NH_ENUM, S_P1, "RtmEnumHandle", S3),
	VAL(F_NH_ENUM, S_V0, 0x4, IP, "EnumFlags 0x4", "§10"),
	VAL(F_NH_ENUM, S_V0, RTM_ENUM_OWN_DESTS, IP, "EnumFlags RTM_ENUM_OWN_DESTS",
	    "our decision (no filter applies)"),
	VAL(F_NH_ENUM, S_V0, RTM_ENUM_NEXT | RTM_ENUM_RANGE, IP, "EnumFlags NEXT | RANGE", "§10"),
	TWK(F_NH_ENUM, ONE, K_ANY, RTM_ENUM_RANGE, t_flags_no_addr, IP,
	    "RTM_ENUM_RANGE with NetAddress NULL", "§10"),
	TWK(F_NH_ENUM, ONE, K_ANY, AF_INET6, t_addr_family, IP, "NetAddress of another family",
	    "our decision"),
	TWK(F_NH_ENUM, ONE, K_ANY, 33, t_addr_bits, IP, "NetAddress NumBits 33", "§5"),

	/* 41 RtmGetEnumNextHops */
	NUL(F_ENUM_NHS, S_P0, "NumNextHops", S3),
	NUL(F_ENUM_NHS, S_P1, "NextHopHandles", S3),
	TWK(F_ENUM_NHS, ONE, K_ANY, 0, t_num, IP, "*NumNextHops 0", "§10"),
	TWK(F_ENUM_NHS, ONE, K_ANY, 1, t_num_over, IP, "*NumNextHops MaxHandlesInEnum + 1",
	    "§10"),
	HND(F_ENUM_NHS, S_H0, INVALID, K_ENUM, IH, "EnumHandle: " BAD, "§10"),
	HND(F_ENUM_NHS, S_H0, OTHER_ENT, K_ENUM, IH, "another entity's enum", "§10"),
	HND(F_ENUM_NHS, S_H0, WRONG_ENUM, EN_NH, IH, "an enum of another kind", "§10"),

	/* 42 RtmReleaseNextHops */
	NUL(F_REL_NHS, S_P0, "NextHopHandles (NumNextHops 1)", S3),
	TWK(F_REL_NHS, INVALID, K_NEXTHOP, 0, t_arr2, IH,
	    "NextHopHandles[1]: " BAD " (all or nothing)", S3),
	TWK(F_REL_NHS, ONE, K_ANY, 0, t_n0_null, NO_ERROR,
	    "NumNextHops 0, NextHopHandles NULL", "our decision"),

	/* 43 RtmDeleteEnumHandle */
	HND(F_DEL_ENUM, S_H0, INVALID, K_ENUM, IH, "EnumHandle: " BAD, "§10"),
	HND(F_DEL_ENUM, S_H0, OTHER_ENT, K_ENUM, IH, "another entity's enum", "§10"),
	HND(F_DEL_ENUM, S_H0, OTHER_TABLE, K_ENUM, IH, "an enum of another table", "§10"),

	/* 44 RtmRegisterForChangeNotification */
	NUL(F_REG_NOTIFY, S_P1, "NotifyHandle", S3),
	VAL(F_REG_NOTIFY, S_V1, 0, IP, "NotifyFlags 0 (no change type)", "§11"),
	VAL(F_REG_NOTIFY, S_V1, RTM_NOTIFY_ONLY_MARKED_DESTS, IP,
	    "NotifyFlags ONLY_MARKED_DESTS alone", "§11"),
	VAL(F_REG_NOTIFY, S_V1, 0x8 | RTM_CHANGE_TYPE_ALL, IP, "NotifyFlags with 0x8",
	    "§11"),
	VAL(F_REG_NOTIFY, S_V1, 0x80000000u | RTM_CHANGE_TYPE_ALL, IP,
	    "NotifyFlags with 0x80000000", "§11"),
	VAL(F_REG_NOTIFY, S_V0, 0x4, ERROR_NOT_SUPPORTED, "TargetViews 0x4", "§11"),
	TWK(F_REG_NOTIFY, ONE, K_ANY, 0, t_notify_full, ERROR_NO_SYSTEM_RESOURCES,
	    "the table has 32 registrations already", "§11"),

	/* 45 RtmGetChangedDests */
	NUL(F_CHANGED, S_P0, "NumDests", S3),
	NUL(F_CHANGED, S_P1, "ChangedDests", S3),
	TWK(F_CHANGED, ONE, K_ANY, 0, t_num, IP, "*NumDests 0", "§11"),
	TWK(F_CHANGED, ONE, K_ANY, 1, t_num_over, IP, "*NumDests MaxHandlesInEnum + 1", "§11"),
	TWK(F_CHANGED, ONE, K_ANY, 0xffffffffu, t_num, IP, "*NumDests 0xffffffff", "§11"),
	HND(F_CHANGED, S_H0, INVALID, K_NOTIFY, IH, "NotifyHandle: " BAD, "§11"),
	HND(F_CHANGED, S_H0, OTHER_ENT, K_NOTIFY, IH, "another entity's registration", "§11"),
	HND(F_CHANGED, S_H0, OTHER_TABLE, K_NOTIFY, IH,
	    "a registration of another table (another entity's)", "§11"),

	/* 46 RtmReleaseChangedDests */
	HND(F_REL_CHANGED, S_H0, INVALID, K_NOTIFY, IH, "NotifyHandle: " BAD, "§13"),
	HND(F_REL_CHANGED, S_H0, OTHER_ENT, K_NOTIFY, IH, "another entity's registration",
	    "§11"),
	NUL(F_REL_CHANGED, S_P0, "ChangedDests (NumDests 1)", S3),
	TWK(F_REL_CHANGED, INVALID_NN, K_DEST, 0, t_dests2, IH,
	    "ChangedDests[1].DestHandle: " BADNN " (all or nothing)", S3),

	/* 47 RtmIgnoreChangedDests */
	HND(F_IGNORE, S_H0, INVALID, K_NOTIFY, IH, "NotifyHandle: " BAD, "§13"),
	HND(F_IGNORE, S_H0, OTHER_ENT, K_NOTIFY, IH, "another entity's registration", "§11"),
	NUL(F_IGNORE, S_P0, "ChangedDests (NumDests 1)", S3),
	TWK(F_IGNORE, INVALID, K_DEST, 0, t_arr2, IH,
	    "ChangedDests[1]: " BAD " (all or nothing: [0] stays pending)", "our decision"),
	TWK(F_IGNORE, OTHER_TABLE, K_DEST, 0, t_arr2, IH,
	    "ChangedDests[1] of another table (all or nothing)", "our decision (§3)"),

	/* 48 RtmGetChangeStatus */
	NUL(F_CHANGE_STATUS, S_P0, "ChangeStatus", S3),
	HND(F_CHANGE_STATUS, S_H0, INVALID, K_NOTIFY, IH, "NotifyHandle: " BAD, "§13"),
	HND(F_CHANGE_STATUS, S_H0, OTHER_ENT, K_NOTIFY, IH, "another entity's registration",
	    "§11"),
	HND(F_CHANGE_STATUS, S_H1, INVALID, K_DEST, IH, "DestHandle: " BAD, "§13"),
	HND(F_CHANGE_STATUS, S_H1, OTHER_TABLE, K_DEST, IH, "DestHandle of another table",
	    "our decision (§3)"),

	/* 49 RtmMarkDestForChangeNotification */
	HND(F_MARK, S_H0, INVALID, K_NOTIFY, IH, "NotifyHandle: " BAD, "§13"),
	HND(F_MARK, S_H0, OTHER_ENT, K_NOTIFY, IH, "another entity's registration", "§11"),
	HND(F_MARK, S_H1, INVALID, K_DEST, IH, "DestHandle: " BAD, "§13"),
	HND(F_MARK, S_H1, OTHER_TABLE, K_DEST, IH, "DestHandle of another table",
	    "our decision (§3)"),

	/* 50 RtmIsMarkedForChangeNotification */
	NUL(F_IS_MARKED, S_P0, "DestMarked", S3),
	HND(F_IS_MARKED, S_H0, INVALID, K_NOTIFY, IH, "NotifyHandle: " BAD, "§13"),
	HND(F_IS_MARKED, S_H0, OTHER_ENT, K_NOTIFY, IH, "another entity's registration",
	    "§11"),
	HND(F_IS_MARKED, S_H1, INVALID, K_DEST, IH, "DestHandle: " BAD, "§13"),
	HND(F_IS_MARKED, S_H1, OTHER_TABLE, K_DEST, IH, "DestHandle of another table",
	    "our decision (§3)"),

	/* 51 RtmDeregisterFromChangeNotification */
	HND(F_DEREG_NOTIFY, S_H0, INVALID, K_NOTIFY, IH, "NotifyHandle: " BAD, "§13"),
	HND(F_DEREG_NOTIFY, S_H0, OTHER_ENT, K_NOTIFY, IH, "another entity's registration",
	    "§11"),
	HND(F_DEREG_NOTIFY, S_H0, OTHER_TABLE, K_NOTIFY, IH, "a registration of another table",
	    "§11"),

	/* 52 RtmCreateRouteList */
	NUL(F_CREATE_LIST, S_P0, "RouteListHandle", S3),

	/* 53 RtmInsertInRouteList */
	HND(F_INSERT, S_H0, INVALID_NN, K_LIST, IH, "RouteListHandle: " BADNN, "§12"),
	HND(F_INSERT, S_H0, OTHER_ENT, K_LIST, IH, "another entity's list", "§12"),
	NUL(F_INSERT, S_P0, "RouteHandles (NumRoutes 1)", S3),
	TWK(F_INSERT, INVALID, K_ROUTE, 0, t_arr2, IH,
	    "RouteHandles[1]: " BAD " (all or nothing: [0] is not moved)", "§12"),
	TWK(F_INSERT, OTHER_ENT, K_ROUTE, 0, t_arr2, AD,
	    "RouteHandles[1] another entity's route (all or nothing)", "§12"),
	TWK(F_INSERT, OTHER_TABLE, K_ROUTE, 0, t_arr2, AD,
	    "RouteHandles[1] a route of another table (all or nothing)", "§12"),

	/* 54 RtmCreateRouteListEnum */
	NUL(F_LIST_ENUM, S_P0, "RtmEnumHandle", S3),
	HND(F_LIST_ENUM, S_H0, INVALID, K_LIST, IH, "RouteListHandle: " BAD, "§12"),
	HND(F_LIST_ENUM, S_H0, OTHER_ENT, K_LIST, IH, "another entity's list", "§12"),
	TWK(F_LIST_ENUM, INVALID_NN, K_LIST, 0, t_null_p0_bad_h0, IP,
	    "RtmEnumHandle NULL and a bad RouteListHandle", "§3 order"),

	/* 55 RtmGetListEnumRoutes */
	NUL(F_LIST_ROUTES, S_P0, "NumRoutes", S3),
	NUL(F_LIST_ROUTES, S_P1, "RouteHandles", S3),
	TWK(F_LIST_ROUTES, ONE, K_ANY, 1, t_num_over, IP, "*NumRoutes MaxHandlesInEnum + 1",
	    "§12"),
	TWK(F_LIST_ROUTES, ONE, K_ANY, 0xffffffffu, t_num, IP, "*NumRoutes 0xffffffff", "§12"),
	TWKP(F_LIST_ROUTES, ONE, K_ANY, 0, t_num, p_output_empty, NO_ERROR,
	     "*NumRoutes 0: NO_ERROR, nothing returned, the cursor stays", "§12"),
	HND(F_LIST_ROUTES, S_H0, INVALID, K_ENUM, IH, "EnumHandle: " BAD, "§12"),
	HND(F_LIST_ROUTES, S_H0, OTHER_ENT, K_ENUM, IH, "another entity's enum", "§10"),
	HND(F_LIST_ROUTES, S_H0, WRONG_ENUM, EN_LIST, IH, "an enum of another kind", "§10"),

	/* 56 RtmDeleteRouteList */
	HND(F_DEL_LIST, S_H0, INVALID, K_LIST, IH, "RouteListHandle: " BAD, "§12"),
	HND(F_DEL_LIST, S_H0, OTHER_ENT, K_LIST, IH, "another entity's list", "§12"),
	HND(F_DEL_LIST, S_H0, OTHER_TABLE, K_LIST, IH, "a list of another table", "§12"),

	/* 57 RtmReferenceHandles */
	NUL(F_REFERENCE, S_P0, "RtmHandles (NumHandles 1)", S3),
	TWK(F_REFERENCE, INVALID, K_ANY, 0, t_arr2, IH,
	    "RtmHandles[1]: " BAD " of any referencable type, or an enum, list or notify handle "
	    "(all or nothing)",
	    S3),
	TWK(F_REFERENCE, ONE, K_ANY, 0, t_n0_null, NO_ERROR, "NumHandles 0, RtmHandles NULL",
	    "our decision"),
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* ---- the runner ---------------------------------------------------------------- */

/* A row with its ID; the first two of each function are generated. */
struct row {
	char id[16];
	struct bad_case c;
};

static struct row rows[NCASES + 2 * 57];
static unsigned nrows;

static void
rows_build(void)
{
	nrows = 0;
	for (unsigned f = 0; f < NFNS; f++) {
		unsigned k = 0;
		struct row *r;

		if (f != F_REGISTER) {
			r = &rows[nrows++];
			snprintf(r->id, sizeof(r->id), "F%u.%u", f + 1, ++k);
			r->c = (struct bad_case){(int)f, S_REG, REGSET, K_ENTITY, 0, NULL, NULL, IH,
						 "RtmRegHandle: " BAD ", or a deregistered entity",
						 S3};
			if (fns[f].np + fns[f].nh > 0) {
				r = &rows[nrows++];
				snprintf(r->id, sizeof(r->id), "F%u.%u", f + 1, ++k);
				r->c = (struct bad_case){
					(int)f, S_NONE, REGSET, K_ENTITY, 0, t_all_bad, NULL, IH,
					"bad RtmRegHandle, every pointer NULL, every other handle "
					"garbage",
					"§3 order"};
			}
		}
		for (unsigned i = 0; i < NCASES; i++) {
			if (cases[i].fn != (int)f)
				continue;
			r = &rows[nrows++];
			snprintf(r->id, sizeof(r->id), "F%u.%u", f + 1, ++k);
			r->c = cases[i];
		}
	}
}

static void
apply_slot(struct args *a, enum slot s, HANDLE h, uint32_t v)
{
	switch (s) {
	case S_NONE:
		break;
	case S_REG:
		a->reg = h;
		break;
	case S_H0:
	case S_H1:
		a->h[s - S_H0] = h;
		break;
	case S_P0:
	case S_P1:
	case S_P2:
	case S_P3:
		a->p[s - S_P0] = NULL;
		break;
	case S_V0:
	case S_V1:
	case S_V2:
	case S_V3:
		a->v[s - S_V0] = v;
		break;
	}
}

static unsigned calls_made;

static void
run_row(const struct row *r)
{
	static struct arena before;
	const struct bad_case *c = &r->c;
	const struct fn *f = &fns[c->fn];
	struct hset set;

	build_set(&set, c->set, c->kind);
	if (set.n == 0)
		check_fail(__FILE__, __LINE__, "%s: empty handle set", r->id);
	for (unsigned i = 0; i < set.n; i++) {
		struct args a;
		unsigned methods_before;
		char *after;
		DWORD rc;

		current_fn = f;
		memset(&a, 0, sizeof(a));
		memset(&W.ar, 0xa5, sizeof(W.ar));
		f->good(&a);
		apply_slot(&a, c->slot, set.h[i], c->val);
		if (c->tweak)
			c->tweak(&a, set.h[i], c->val);
		before = W.ar;
		methods_before = method_calls;
		rc = f->call(&a);
		calls_made++;
		if (rc != c->expect)
			check_fail(__FILE__, __LINE__, "%s %s: %s%s%s: got %s(%u), expected %s(%u)",
				   r->id, f->name, c->what, set.what[i][0] ? " -- " : "",
				   set.what[i], rtm_error_name(rc), (unsigned)rc,
				   rtm_error_name(c->expect), (unsigned)c->expect);
		if (c->post)
			c->post(&before, rc);
		else if (rc != NO_ERROR && memcmp(&before, &W.ar, sizeof(before)) != 0)
			check_fail(__FILE__, __LINE__,
				   "%s %s: %s%s%s: failed but wrote caller memory",
				   r->id, f->name, c->what, set.what[i][0] ? " -- " : "",
				   set.what[i]);
		if (method_calls != methods_before)
			check_fail(__FILE__, __LINE__, "%s %s: an exported method ran", r->id,
				   f->name);
		after = fingerprint();
		if (strcmp(after, W.baseline) != 0) {
			char label[160];

			snprintf(label, sizeof(label), "%s %s (%s)", r->id, f->name, set.what[i]);
			fp_diff(label, W.baseline, after);
			free(W.baseline);
			W.baseline = after; /* so one bug is reported once */
		} else {
			free(after);
		}
	}
}

/* ---- setup and teardown ---------------------------------------------------------------- */

static void
world_garbage(void)
{
	static const char *const rnd_what[] = {"random 64 bits", "random 64 bits",
					       "random 64 bits",
					       "random bits with librtm's tag nibble",
					       "random bits with librtm's tag nibble"};
	void *heap = malloc(64);
	volatile uintptr_t freed = (uintptr_t)heap;

	free(heap);
	W.ngarbage = 0;
#define G(v, w)                                                                                    \
	do {                                                                                       \
		W.garbage[W.ngarbage] = (HANDLE)(uintptr_t)(v);                                    \
		W.garbage_what[W.ngarbage++] = (w);                                                \
	} while (0)
	G(0, "NULL");
	G(0x1, "garbage 0x1");
	G(0xdeadbeef, "garbage 0xdeadbeef");
	G(~(uintptr_t)0, "garbage all ones");
	for (int i = 0; i < 3; i++)
		G(xorshift(), rnd_what[i]);
	for (int i = 3; i < 5; i++)
		G((xorshift() >> 4) | ((uint64_t)0xa << 60), rnd_what[i]);
	G(&W.stack_word, "pointer to caller memory");
	W.garbage[W.ngarbage] = (HANDLE)freed;
	W.garbage_what[W.ngarbage++] = "freed heap pointer";
#undef G
	for (enum kind k = K_ENTITY; k < K_COUNT; k++) {
		snprintf(W.forged_what[k][0], sizeof(W.forged_what[k][0]),
			 "forged: live %s handle, other generation", kind_name[k]);
		snprintf(W.forged_what[k][1], sizeof(W.forged_what[k][1]),
			 "forged: live %s handle, unused slot", kind_name[k]);
		snprintf(W.forged_what[k][2], sizeof(W.forged_what[k][2]),
			 "forged: live %s handle, other type tag", kind_name[k]);
	}
}

/* Table d: every opaque slot and every registration slot taken. */
static void
world_table_d(void)
{
	struct fx *x = &W.d;
	RTM_ENTITY_INFO info;
	DWORD rc = NO_ERROR;

	memset(x, 0, sizeof(*x));
	x->inst = 2;
	x->fam = AF_INET;
	x->obs = fx_register(x, 0x0b5, 1, FALSE, 0);
	memset(&info, 0, sizeof(info));
	info.RtmInstanceId = x->inst;
	info.AddressFamily = x->fam;
	info.EntityId.EntityProtocolId = 0x5107;
	/* At least 8 slots per table (SEMANTICS §4); take them all. */
	for (W.d_nslots = 0; W.d_nslots < 64; W.d_nslots++) {
		info.EntityId.EntityInstanceId = W.d_nslots + 1;
		rc = RtmRegisterEntity(&info, NULL, NULL, TRUE, &x->prof, &W.d_slots[W.d_nslots]);
		if (rc != NO_ERROR)
			break;
	}
	CHECK_RC(rc, ERROR_NO_SYSTEM_RESOURCES);
	CHECK(W.d_nslots >= 8);
	x->me = W.d_slots[0];
	for (W.d_nregs = 0; W.d_nregs < 32; W.d_nregs++) {
		rc = RtmRegisterForChangeNotification(x->me, 0, RTM_CHANGE_TYPE_ALL, NULL,
						      &W.d_regs[W.d_nregs]);
		if (rc != NO_ERROR)
			break;
	}
	CHECK_RC(rc, NO_ERROR);
}

static void
world_dead_handles(void)
{
	for (enum kind k = K_ENTITY; k < K_COUNT; k++)
		W.stale[k] = make_dead(&W.a, k, 0);
	for (enum kind k = K_ENTITY; k < K_COUNT; k++)
		make_dead(&W.a, k, 32); /* sets W.reused[k] to the first of them */
}

static void
world_init(void)
{
	const char *env = getenv("RTM_BAD_INPUT_SEED");

	memset(&W, 0, sizeof(W));
	W.seed = env ? strtoull(env, NULL, 0) : (unsigned long long)time(NULL) * 2654435761ull;
	if (W.seed == 0)
		W.seed = 1;
	check_note("RTM_BAD_INPUT_SEED=%llu", W.seed);
	world_garbage();
	fx_init(&W.a, 0, AF_INET, world_dead_handles);
	fx_init(&W.b, 0, AF_INET6, NULL);
	fx_init(&W.c, 1, AF_INET, NULL);
	world_table_d();
}

/* Is h still a live handle of kind k?  Asked as the observer of table x. */
static int
handle_alive(struct fx *x, enum kind k, HANDLE h)
{
	RTM_ENTITY_INFO ei;
	RTM_NEXTHOP_INFO ni;
	RTM_DEST_INFO *di;
	DWORD rc;

	switch (k) {
	case K_ENTITY:
		return RtmGetEntityInfo(x->obs, h, &ei) != IH;
	case K_ROUTE:
		return RtmGetRouteInfo(x->obs, h, NULL, NULL) != IH;
	case K_NEXTHOP:
		rc = RtmGetNextHopInfo(x->obs, h, &ni);
		if (rc == NO_ERROR)
			RtmReleaseNextHopInfo(x->obs, &ni);
		return rc != IH;
	case K_DEST:
		di = tl_dest_info_alloc(RTM_MAX_VIEWS);
		rc = RtmGetDestInfo(x->obs, h, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY, di);
		if (rc == NO_ERROR)
			RtmReleaseDestInfo(x->obs, di);
		free(di);
		return rc != IH;
	default:
		return 0;
	}
}

struct tracked {
	enum kind k;
	HANDLE h;
	const char *what;
};

static unsigned
fx_tracked(struct fx *x, struct tracked *t)
{
	unsigned n = 0;

#define T(kind, handle) t[n++] = (struct tracked){kind, handle, #handle}
	T(K_ENTITY, x->me);
	T(K_ENTITY, x->other);
	T(K_ENTITY, x->ghost);
	T(K_NEXTHOP, x->nh[0]);
	T(K_NEXTHOP, x->nh[1]);
	T(K_NEXTHOP, x->nh_other);
	T(K_NEXTHOP, x->nh_zombie);
	T(K_ROUTE, x->r[0]);
	T(K_ROUTE, x->r[1]);
	T(K_ROUTE, x->r[2]);
	T(K_ROUTE, x->r_other[0]);
	T(K_ROUTE, x->r_other[1]);
	T(K_ROUTE, x->r_zombie);
	T(K_DEST, x->d[0]);
	T(K_DEST, x->d[1]);
	T(K_DEST, x->d[2]);
	T(K_DEST, x->d[3]);
	T(K_DEST, x->d_zombie);
#undef T
	return n;
}

static int
fx_all_dead(struct fx *x, const struct tracked *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (handle_alive(x, t[i].k, t[i].h))
			return 0;
	}
	return 1;
}

/*
 * Give back every reference the test holds, deregister the clients, and
 * check that every object handle dies: a bad call that took a reference and
 * kept it shows here.
 */
static void
fx_fini(struct fx *x)
{
	struct tracked t[32];
	unsigned n = fx_tracked(x, t);

	for (int i = 0; i < 5; i++) {
		if (x->di[i])
			CHECK_RC(RtmReleaseDestInfo(x->me, x->di[i]), NO_ERROR);
		free(x->di[i]);
	}
	CHECK_RC(RtmReleaseRoutes(x->me, 3, x->r), NO_ERROR);
	CHECK_RC(RtmReleaseRoutes(x->other, 2, x->r_other), NO_ERROR);
	CHECK_RC(RtmReleaseRoutes(x->me, 1, &x->r_zombie), NO_ERROR);
	CHECK_RC(RtmReleaseNextHops(x->me, 2, x->nh), NO_ERROR);
	CHECK_RC(RtmReleaseNextHops(x->other, 1, &x->nh_other), NO_ERROR);
	CHECK_RC(RtmReleaseNextHops(x->me, 1, &x->nh_zombie), NO_ERROR);
	CHECK_RC(RtmReleaseEntities(x->me, 1, &x->ghost), NO_ERROR);
	CHECK_RC(RtmDeregisterEntity(x->me), NO_ERROR);
	CHECK_RC(RtmDeregisterEntity(x->other), NO_ERROR);
	TL_WAIT_UNTIL(fx_all_dead(x, t, n), TL_ASYNC_MS);
	for (unsigned i = 0; i < n; i++) {
		if (handle_alive(x, t[i].k, t[i].h))
			check_fail(__FILE__, __LINE__,
				   "table %u/%u: %s is still alive after every reference was "
				   "given back (a leaked reference)",
				   x->inst, x->fam, t[i].what);
	}
	CHECK_RC(RtmDeregisterEntity(x->obs), NO_ERROR);
}

/* Reads an enumeration to its end into a text of handles (releasing them). */
static char *
drain(RTM_ENTITY_HANDLE h, RTM_ENUM_HANDLE en, int kind)
{
	struct fp f = {NULL, 0, 0};
	const RTM_REGN_PROFILE *prof = &W.a.prof;
	UINT max = prof->MaxHandlesInEnum < 8 ? prof->MaxHandlesInEnum : 8;
	RTM_DEST_INFO *arr = tl_dest_array_alloc(prof, max);
	HANDLE hs[8];
	DWORD rc;

	fp_add(&f, "%s", "");
	for (int guard = 0; guard < 1000; guard++) {
		UINT n = max;

		switch (kind) {
		case 0:
			rc = RtmGetEnumDests(h, en, &n, arr);
			for (UINT i = 0; i < n; i++)
				fp_add(&f, "%p ", TL_DEST_AT(arr, prof, i)->DestHandle);
			if (n)
				CHECK_RC(RtmReleaseDests(h, n, arr), NO_ERROR);
			break;
		case 1:
			rc = RtmGetEnumRoutes(h, en, &n, hs);
			goto routes;
		case 3:
			rc = RtmGetListEnumRoutes(h, en, &n, hs);
			if (rc == NO_ERROR && n < max)
				rc = ERROR_NO_MORE_ITEMS;
		routes:
			for (UINT i = 0; i < n; i++)
				fp_add(&f, "%p ", hs[i]);
			if (n)
				CHECK_RC(RtmReleaseRoutes(h, n, hs), NO_ERROR);
			break;
		default:
			rc = RtmGetEnumNextHops(h, en, &n, hs);
			for (UINT i = 0; i < n; i++)
				fp_add(&f, "%p ", hs[i]);
			if (n)
				CHECK_RC(RtmReleaseNextHops(h, n, hs), NO_ERROR);
			break;
		}
		if (rc != NO_ERROR)
			break;
	}
	free(arr);
	return f.s;
}

/* The enumerations the bad calls were aimed at did not move. */
static void
check_cursors(void)
{
	struct fx *x = &W.a;
	RTM_ENUM_HANDLE fresh[4] = {NULL, NULL, NULL, NULL};
	RTM_ENUM_HANDLE used[4] = {x->en_dest, x->en_route, x->en_nh, x->en_list};
	static const char *const name[4] = {"dest", "route", "next-hop", "route-list"};

	CHECK_RC(RtmCreateDestEnum(x->me, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL, 0, &fresh[0]),
		 NO_ERROR);
	CHECK_RC(RtmCreateRouteEnum(x->me, NULL, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL,
				    RTM_MATCH_NONE, NULL, 0, &fresh[1]),
		 NO_ERROR);
	CHECK_RC(RtmCreateNextHopEnum(x->me, RTM_ENUM_START, NULL, &fresh[2]), NO_ERROR);
	CHECK_RC(RtmCreateRouteListEnum(x->me, x->list, &fresh[3]), NO_ERROR);
	for (int i = 0; i < 4; i++) {
		char *want = drain(x->me, fresh[i], i);
		char *got = drain(x->me, used[i], i);

		if (strcmp(want, got) != 0)
			check_fail(__FILE__, __LINE__,
				   "the %s enumeration moved: from the start it gives\n  %s\nbut "
				   "the one bad calls were aimed at gives\n  %s",
				   name[i], want, got);
		CHECK(want[0] != '\0'); /* the check means something */
		free(want);
		free(got);
		CHECK_RC(RtmDeleteEnumHandle(x->me, fresh[i]), NO_ERROR);
	}
}

static void
world_fini(void)
{
	fx_fini(&W.a);
	fx_fini(&W.b);
	fx_fini(&W.c);
	for (unsigned i = 0; i < W.d_nslots; i++)
		CHECK_RC(RtmDeregisterEntity(W.d_slots[i]), NO_ERROR);
	CHECK_RC(RtmDeregisterEntity(W.d.obs), NO_ERROR);
	free(W.baseline);
	W.baseline = NULL;
}

/* The fingerprint is not blind: a few real changes, each undone, must show. */
static void
expect_change(const char *what)
{
	char *now = fingerprint();

	if (strcmp(now, W.baseline) == 0)
		check_fail(__FILE__, __LINE__, "the fingerprint does not see %s", what);
	free(now);
}

static void
expect_same(const char *what)
{
	char *now = fingerprint();

	if (strcmp(now, W.baseline) != 0)
		fp_diff(what, W.baseline, now);
	free(now);
}

static void
fingerprint_sees_changes(void)
{
	struct fx *x = &W.a;
	void **slot = NULL;
	void *saved;
	RTM_ROUTE_HANDLE r2 = x->r[2];

	CHECK_RC(RtmMarkDestForChangeNotification(x->me, x->notify, x->d[0], FALSE), NO_ERROR);
	expect_change("a mark cleared");
	CHECK_RC(RtmMarkDestForChangeNotification(x->me, x->notify, x->d[0], TRUE), NO_ERROR);
	expect_same("undoing the mark");

	CHECK_RC(RtmLockDestination(x->obs, x->d[2], FALSE, TRUE), NO_ERROR);
	expect_change("a destination lock left held"); /* its probe unlocks it */
	expect_same("the probe's unlock");

	CHECK_RC(RtmInsertInRouteList(x->me, x->list, 1, &r2), NO_ERROR);
	expect_change("a route moved into a list");
	CHECK_RC(RtmInsertInRouteList(x->me, NULL, 1, &r2), NO_ERROR);
	expect_same("taking it out again");

	CHECK_RC(RtmGetOpaqueInformationPointer(x->me, x->d[1], (PVOID *)&slot), NO_ERROR);
	if (slot != NULL) {
		saved = *slot;
		*slot = NULL;
		expect_change("an opaque slot written");
		*slot = saved;
		expect_same("restoring the slot");
	}

	CHECK_RC(RtmLockNextHop(x->me, x->nh[1], FALSE, TRUE, NULL), NO_ERROR);
	expect_change("a next-hop lock left held");
	expect_same("the probe's unlock");
}

TEST(every_function_refuses_bad_input_and_changes_nothing)
{
	char *again;

	world_init();
	REQUIRE(W.a.me != NULL && W.a.r[2] != NULL && W.a.d[3] != NULL && W.a.d_zombie != NULL);
	REQUIRE(W.b.me != NULL && W.c.me != NULL && W.d.me != NULL);
	for (enum kind k = K_ENTITY; k <= K_NEXTHOP; k++) {
		CHECK(!handle_alive(&W.a, k, W.stale[k]));
		CHECK(!handle_alive(&W.a, k, W.reused[k]));
	}
	W.baseline = fingerprint();
	again = fingerprint();
	REQUIRE(strcmp(W.baseline, again) == 0); /* taking it changes nothing */
	free(again);
	REQUIRE(strstr(W.baseline, "notify 0/1") != NULL); /* changes are pending */

	fingerprint_sees_changes();

	rows_build();
	for (unsigned i = 0; i < nrows; i++)
		run_row(&rows[i]);
	check_note("%u rows, %u calls", nrows, calls_made);

	check_cursors();
	world_fini();
}

/*
 * Prints the case table as Markdown (the table of docs/bad-input.md).  Rows
 * 1 and 2 of each function, generated above, are described once in the
 * document instead of 56 times.
 */
static void
print_table(FILE *out)
{
	int last = -1;

	rows_build();
	fprintf(out, "| function | ID | bad argument | code | follows |\n");
	fprintf(out, "|---|---|---|---|---|\n");
	for (unsigned i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		const char *code = rtm_error_name(r->c.expect);

		if (r->c.slot == S_REG || r->c.tweak == t_all_bad)
			continue;
		if (strncmp(code, "ERROR_", 6) == 0)
			code += 6;
		fprintf(out, "| %s | %s | %s | %s | %s |\n",
			r->c.fn != last ? fns[r->c.fn].name : "", r->id, r->c.what, code, r->c.ref);
		last = r->c.fn;
	}
}

/* Does the document contain the table exactly as the test prints it? */
static int
check_doc(const char *path)
{
	FILE *f = fopen(path, "r");
	char *doc = NULL, *table = NULL;
	size_t doc_len = 0, table_len = 0;
	FILE *mem;
	int ok;

	if (f == NULL) {
		printf("cannot open %s\n", path);
		return 1;
	}
	mem = open_memstream(&doc, &doc_len);
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, mem);
	fclose(mem);
	fclose(f);
	mem = open_memstream(&table, &table_len);
	print_table(mem);
	fclose(mem);
	ok = strstr(doc, table) != NULL;
	printf("%s: %s\n", path,
	       ok ? "its table is the test's"
		  : "its table differs from the test's: regenerate it with --table");
	free(doc);
	free(table);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--table") == 0) {
		print_table(stdout);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "--check-doc") == 0)
		return check_doc(argv[2]);
	return check_main(argc, argv);
}
