/*
 * testlib.c - helpers shared by the librtm tests; see testlib.h.
 */
#define _POSIX_C_SOURCE 200809L

#include "testlib.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
tl_ipv4(RTM_NET_ADDRESS *a, const char *dotted, unsigned len)
{
	memset(a, 0, sizeof(*a));
	a->AddressFamily = AF_INET;
	a->NumBits = (USHORT)len;
	if (inet_pton(AF_INET, dotted, a->AddrBits) != 1)
		check_fail(__FILE__, __LINE__, "tl_ipv4: bad address \"%s\"", dotted);
}

void
tl_ipv6(RTM_NET_ADDRESS *a, const char *text, unsigned len)
{
	memset(a, 0, sizeof(*a));
	a->AddressFamily = AF_INET6;
	a->NumBits = (USHORT)len;
	if (inet_pton(AF_INET6, text, a->AddrBits) != 1)
		check_fail(__FILE__, __LINE__, "tl_ipv6: bad address \"%s\"", text);
}

void
tl_addr(RTM_NET_ADDRESS *a, USHORT family, const char *text, unsigned len)
{
	if (family == AF_INET6)
		tl_ipv6(a, text, len);
	else
		tl_ipv4(a, text, len);
}

int
tl_addr_eq(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b)
{
	return a->AddressFamily == b->AddressFamily && a->NumBits == b->NumBits &&
	       memcmp(a->AddrBits, b->AddrBits, sizeof(a->AddrBits)) == 0;
}

const char *
tl_addr_str(const RTM_NET_ADDRESS *a, char *buf, size_t size)
{
	char tmp[INET6_ADDRSTRLEN];
	int fam = a->AddressFamily == AF_INET6 ? AF_INET6 : AF_INET;

	if (inet_ntop(fam, a->AddrBits, tmp, sizeof(tmp)) == NULL)
		snprintf(tmp, sizeof(tmp), "?");
	snprintf(buf, size, "%s/%u (family %u)", tmp, (unsigned)a->NumBits,
		 (unsigned)a->AddressFamily);
	return buf;
}

RTM_ENTITY_HANDLE
tl_register_ex(USHORT instance, USHORT family, ULONG proto, ULONG inst, WINBOOL opaque,
	       RTM_EVENT_CALLBACK cb, RTM_REGN_PROFILE *prof)
{
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE local;
	RTM_ENTITY_HANDLE h = NULL;
	DWORD rc;

	memset(&info, 0, sizeof(info));
	info.RtmInstanceId = instance;
	info.AddressFamily = family;
	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = inst;
	rc = RtmRegisterEntity(&info, NULL, cb, opaque, prof ? prof : &local, &h);
	if (rc != NO_ERROR) {
		check_fail(__FILE__, __LINE__,
			   "tl_register(family %u, proto %lu, inst %lu): got %s(%u)",
			   (unsigned)family, (unsigned long)proto, (unsigned long)inst,
			   rtm_error_name(rc), (unsigned)rc);
		return NULL;
	}
	if (h == NULL)
		check_fail(__FILE__, __LINE__, "tl_register: NO_ERROR but a NULL handle");
	return h;
}

RTM_ENTITY_HANDLE
tl_register(USHORT family, ULONG proto, ULONG inst, RTM_REGN_PROFILE *prof)
{
	return tl_register_ex(0, family, proto, inst, FALSE, NULL, prof);
}

void
tl_deregister(RTM_ENTITY_HANDLE h)
{
	DWORD rc;

	if (h == NULL)
		return;
	rc = RtmDeregisterEntity(h);
	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "tl_deregister(%p): got %s(%u)", h,
			   rtm_error_name(rc), (unsigned)rc);
}

static void *
tl_calloc(size_t size)
{
	void *p = calloc(1, size);

	if (p == NULL) {
		fprintf(stderr, "testlib: out of memory\n");
		abort();
	}
	return p;
}

RTM_ROUTE_INFO *
tl_route_info_alloc(UINT max_nexthops)
{
	return tl_calloc(RTMX_SIZE_OF_ROUTE_INFO(max_nexthops ? max_nexthops : 1));
}

RTM_DEST_INFO *
tl_dest_info_alloc(UINT nviews)
{
	return tl_calloc(RTM_SIZE_OF_DEST_INFO(nviews ? nviews : 1));
}

unsigned
tl_popcount(uint32_t v)
{
	return (unsigned)__builtin_popcount(v);
}

RTM_NEXTHOP_HANDLE
tl_add_nexthop(RTM_ENTITY_HANDLE h, USHORT family, const char *addr, ULONG ifindex)
{
	RTM_NEXTHOP_INFO ni;
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl = 0;
	DWORD rc;

	memset(&ni, 0, sizeof(ni));
	tl_addr(&ni.NextHopAddress, family, addr, family == AF_INET6 ? 128 : 32);
	ni.InterfaceIndex = ifindex;
	rc = RtmAddNextHop(h, &ni, &nh, &fl);
	if (rc != NO_ERROR || nh == NULL) {
		check_fail(__FILE__, __LINE__, "tl_add_nexthop(%s if %lu): got %s(%u), handle %p",
			   addr, (unsigned long)ifindex, rtm_error_name(rc), (unsigned)rc, nh);
		return NULL;
	}
	return nh;
}

RTM_ROUTE_HANDLE
tl_add_route(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *dest, RTM_NEXTHOP_HANDLE nh, ULONG pref,
	     ULONG metric, DWORD views, DWORD *flags_io)
{
	return tl_add_route_ex(h, dest, nh, pref, metric, views, INFINITE, NULL, flags_io);
}

void
tl_release_route(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r)
{
	DWORD rc = RtmReleaseRoutes(h, 1, &r);

	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "tl_release_route(%p): got %s(%u)", r,
			   rtm_error_name(rc), (unsigned)rc);
}

void
tl_release_nexthop(RTM_ENTITY_HANDLE h, RTM_NEXTHOP_HANDLE nh)
{
	DWORD rc = RtmReleaseNextHops(h, 1, &nh);

	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "tl_release_nexthop(%p): got %s(%u)", nh,
			   rtm_error_name(rc), (unsigned)rc);
}

void
tl_delete_route(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r)
{
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	DWORD rc = RtmDeleteRouteToDest(h, r, &fl);

	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "tl_delete_route(%p): got %s(%u)", r,
			   rtm_error_name(rc), (unsigned)rc);
}

DWORD
tl_exact_dest(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *a, DWORD views, RTM_DEST_INFO *info)
{
	RTM_NET_ADDRESS copy = *a;

	return RtmGetExactMatchDestination(h, &copy, RTM_BEST_PROTOCOL, views, info);
}

int
tl_dest_exists(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *a)
{
	RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	DWORD rc = tl_exact_dest(h, a, RTM_VIEW_MASK_ANY, di);

	if (rc == NO_ERROR)
		RtmReleaseDestInfo(h, di);
	free(di);
	return rc == NO_ERROR;
}

ULONG
tl_route_metric(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(64);
	ULONG m = 0xdeadbeef;

	if (RtmGetRouteInfo(h, r, ri, NULL) == NO_ERROR) {
		m = ri->PrefInfo.Metric;
		RtmReleaseRouteInfo(h, ri);
	}
	free(ri);
	return m;
}

void
tl_sleep_ms(unsigned ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* ---- bad-handle generator ------------------------------------------------------------ */

#define TL_CHURN 32

static void
tl_bad_push(struct tl_badset *s, HANDLE h, const char *what)
{
	if (s->n < TL_BAD_MAX) {
		s->v[s->n].h = h;
		s->v[s->n].what = what;
		s->n++;
	}
}

/*
 * Creates a route at `p` and a reference to its destination, then drops
 * everything: afterwards neither the route nor the destination has any
 * reference left, so both handles are dead.
 */
static void
tl_bad_dead_route_and_dest(struct tl_badset *s, const RTM_NET_ADDRESS *p, HANDLE *route,
			   HANDLE *dest)
{
	RTM_DEST_INFO *di = tl_dest_info_alloc(1);
	RTM_ROUTE_HANDLE r = tl_add_route(s->fixture, p, s->live_nh, 10, 10, RTM_VIEW_MASK_UCAST,
					  NULL);

	*route = r;
	*dest = NULL;
	if (r != NULL && tl_exact_dest(s->fixture, p, RTM_VIEW_MASK_UCAST, di) == NO_ERROR) {
		*dest = di->DestHandle;
		tl_delete_route(s->fixture, r);
		RtmReleaseDestInfo(s->fixture, di);
	} else {
		check_fail(__FILE__, __LINE__, "tl_bad_init: cannot build a dead route/dest");
		if (r != NULL)
			tl_delete_route(s->fixture, r);
	}
	free(di);
}

static HANDLE
tl_bad_dead_nexthop(struct tl_badset *s, USHORT family, const char *addr)
{
	RTM_NEXTHOP_HANDLE nh = tl_add_nexthop(s->fixture, family, addr, 99);
	DWORD rc;

	if (nh == NULL)
		return NULL;
	rc = RtmDeleteNextHop(s->fixture, nh, NULL);
	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "tl_bad_init: RtmDeleteNextHop: %s(%u)",
			   rtm_error_name(rc), (unsigned)rc);
	return nh;
}

static HANDLE
tl_bad_dead_entity(USHORT family, ULONG inst)
{
	RTM_ENTITY_HANDLE h = tl_register(family, TL_BAD_PROTO, inst, NULL);

	tl_deregister(h);
	return h;
}

/* Launders a pointer into an integer the compiler cannot trace back to it. */
static uintptr_t
tl_forget(void *p)
{
	volatile uintptr_t v = (uintptr_t)p;

	return v;
}

unsigned
tl_bad_init(struct tl_badset *s, USHORT family, enum tl_htype want)
{
	int v6 = family == AF_INET6;
	RTM_NET_ADDRESS live, dead;
	HANDLE stale = NULL, reused = NULL;
	uintptr_t freed;
	void *heap;
	unsigned i;

	static unsigned fixtures; /* instance ids, so that several sets can coexist */

	memset(s, 0, sizeof(*s));
	s->fixture = tl_register(family, TL_BAD_PROTO, 0x10000 + fixtures++, NULL);
	if (s->fixture == NULL)
		return 0;

	/* Live objects for the wrong-type handles. */
	tl_addr(&live, family, v6 ? "2001:db8:ba::" : "198.51.100.0", v6 ? 48 : 24);
	tl_addr(&dead, family, v6 ? "2001:db8:bb::" : "203.0.113.0", v6 ? 48 : 24);
	s->live_nh = tl_add_nexthop(s->fixture, family, v6 ? "2001:db8:ba::1" : "198.51.100.1", 7);
	s->live_route = tl_add_route(s->fixture, &live, s->live_nh, 10, 10, RTM_VIEW_MASK_UCAST,
				     NULL);
	s->live_dest_info = tl_dest_info_alloc(1);
	if (s->live_nh == NULL || s->live_route == NULL ||
	    tl_exact_dest(s->fixture, &live, RTM_VIEW_MASK_UCAST, s->live_dest_info) != NO_ERROR) {
		check_fail(__FILE__, __LINE__, "tl_bad_init: cannot build the live objects");
		free(s->live_dest_info);
		s->live_dest_info = NULL;
		tl_bad_fini(s);
		return 0;
	}

	/* Dead objects of the wanted type: one stale, one stale after slot reuse. */
	switch (want) {
	case TL_H_ENTITY:
		stale = tl_bad_dead_entity(family, 1);
		reused = tl_bad_dead_entity(family, 2);
		for (i = 0; i < TL_CHURN; i++)
			tl_bad_dead_entity(family, 3);
		break;
	case TL_H_DEST:
	case TL_H_ROUTE: {
		HANDLE r1, d1, r2, d2;

		tl_bad_dead_route_and_dest(s, &dead, &r1, &d1);
		tl_bad_dead_route_and_dest(s, &dead, &r2, &d2);
		for (i = 0; i < TL_CHURN; i++) {
			RTM_ROUTE_HANDLE r = tl_add_route(s->fixture, &dead, s->live_nh, 10, 10,
							  RTM_VIEW_MASK_UCAST, NULL);
			if (r != NULL)
				tl_delete_route(s->fixture, r);
		}
		stale = want == TL_H_DEST ? d1 : r1;
		reused = want == TL_H_DEST ? d2 : r2;
		break;
	}
	case TL_H_NEXTHOP:
		stale = tl_bad_dead_nexthop(s, family, v6 ? "2001:db8:bb::1" : "203.0.113.1");
		reused = tl_bad_dead_nexthop(s, family, v6 ? "2001:db8:bb::2" : "203.0.113.2");
		for (i = 0; i < TL_CHURN; i++)
			tl_bad_dead_nexthop(s, family, v6 ? "2001:db8:bb::3" : "203.0.113.3");
		break;
	}

	/* The value of a pointer that malloc handed out and that was freed. */
	heap = malloc(64);
	freed = tl_forget(heap);
	free(heap);

	tl_bad_push(s, NULL, "NULL");
	tl_bad_push(s, (HANDLE)(uintptr_t)0x1, "garbage 0x1");
	tl_bad_push(s, (HANDLE)(uintptr_t)0xdeadbeef, "garbage 0xdeadbeef");
	tl_bad_push(s, (HANDLE)~(uintptr_t)0, "garbage all-ones");
	tl_bad_push(s, &s->stack_word, "pointer to caller memory");
	tl_bad_push(s, (HANDLE)freed, "freed heap pointer");
	if (stale != NULL)
		tl_bad_push(s, stale, "stale (deleted, last reference gone)");
	if (reused != NULL)
		tl_bad_push(s, reused, "stale after more objects were created and freed");
	if (want != TL_H_ENTITY)
		tl_bad_push(s, s->fixture, "wrong type: entity handle");
	if (want != TL_H_DEST)
		tl_bad_push(s, s->live_dest_info->DestHandle, "wrong type: dest handle");
	if (want != TL_H_ROUTE)
		tl_bad_push(s, s->live_route, "wrong type: route handle");
	if (want != TL_H_NEXTHOP)
		tl_bad_push(s, s->live_nh, "wrong type: next-hop handle");
	return s->n;
}

void
tl_bad_fini(struct tl_badset *s)
{
	if (s->fixture == NULL)
		return;
	if (s->live_dest_info != NULL) {
		CHECK_RC(RtmReleaseDestInfo(s->fixture, s->live_dest_info), NO_ERROR);
		free(s->live_dest_info);
		s->live_dest_info = NULL;
	}
	if (s->live_route != NULL) {
		tl_delete_route(s->fixture, s->live_route);
		s->live_route = NULL;
	}
	if (s->live_nh != NULL) {
		CHECK_RC(RtmDeleteNextHop(s->fixture, s->live_nh, NULL), NO_ERROR);
		s->live_nh = NULL;
	}
	tl_deregister(s->fixture);
	s->fixture = NULL;
	s->n = 0;
}

/* ---- helpers for enumerations, notifications, route lists and callbacks --------------- */

RTM_DEST_INFO *
tl_dest_array_alloc(const RTM_REGN_PROFILE *prof, UINT n)
{
	return tl_calloc(TL_DEST_STRIDE(prof) * (n ? n : 1));
}

RTM_DEST_INFO *
tl_dest_get(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *a)
{
	RTM_DEST_INFO *di = tl_dest_info_alloc(RTM_MAX_VIEWS);
	char buf[80];
	DWORD rc = tl_exact_dest(h, a, RTM_VIEW_MASK_ANY, di);

	if (rc != NO_ERROR) {
		check_fail(__FILE__, __LINE__, "tl_dest_get(%s): got %s(%u)",
			   tl_addr_str(a, buf, sizeof(buf)), rtm_error_name(rc), (unsigned)rc);
		free(di);
		return NULL;
	}
	return di;
}

void
tl_dest_put(RTM_ENTITY_HANDLE h, RTM_DEST_INFO *di)
{
	DWORD rc;

	if (di == NULL)
		return;
	rc = RtmReleaseDestInfo(h, di);
	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "tl_dest_put: RtmReleaseDestInfo: %s(%u)",
			   rtm_error_name(rc), (unsigned)rc);
	free(di);
}

RTM_ROUTE_HANDLE
tl_add_route_ex(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *dest, RTM_NEXTHOP_HANDLE nh, ULONG pref,
		ULONG metric, DWORD views, ULONG ttl, RTM_ROUTE_LIST_HANDLE list, DWORD *flags_io)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(1);
	RTM_NET_ADDRESS a = *dest;
	RTM_ROUTE_HANDLE r = NULL;
	RTM_ROUTE_CHANGE_FLAGS fl = flags_io ? *flags_io : 0;
	char buf[80];
	DWORD rc;

	ri->PrefInfo.Preference = pref;
	ri->PrefInfo.Metric = metric;
	ri->BelongsToViews = views;
	if (nh != NULL) {
		ri->NextHopsList.NumNextHops = 1;
		TL_NH(ri, 0) = nh;
	}
	rc = RtmAddRouteToDest(h, &r, &a, ri, ttl, list, 0, NULL, &fl);
	free(ri);
	if (rc != NO_ERROR || r == NULL) {
		check_fail(__FILE__, __LINE__, "tl_add_route_ex(%s): got %s(%u), handle %p",
			   tl_addr_str(dest, buf, sizeof(buf)), rtm_error_name(rc), (unsigned)rc,
			   r);
		return NULL;
	}
	if (flags_io)
		*flags_io = fl;
	return r;
}

DWORD
tl_route_state(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r, UCHAR *state, ULONG *metric)
{
	RTM_ROUTE_INFO *ri = tl_route_info_alloc(RTM_MAX_VIEWS); /* generous next-hop room */
	DWORD rc = RtmGetRouteInfo(h, r, ri, NULL);

	if (rc == NO_ERROR) {
		if (state != NULL)
			*state = ri->State;
		if (metric != NULL)
			*metric = ri->PrefInfo.Metric;
		RtmReleaseRouteInfo(h, ri);
	}
	free(ri);
	return rc;
}

/* ---- bad handles for enumerations, notify registrations and route lists --------------- */

static void
tl_badobj_push(struct tl_badobj *s, HANDLE h, const char *what)
{
	if (h != NULL && s->n < TL_BADOBJ_MAX) {
		s->v[s->n].h = h;
		s->v[s->n].what = what;
		s->n++;
	}
}

/* Creates one object of kind k owned by the fixture; NULL after recording a failure. */
static HANDLE
tl_badobj_make(struct tl_badobj *s, enum tl_otype k)
{
	HANDLE h = NULL;
	DWORD rc = 0xffffffffu; /* not a Win32 code */

	switch (k) {
	case TL_O_ENUM:
		rc = RtmCreateDestEnum(s->fixture, RTM_VIEW_MASK_ANY, RTM_ENUM_START, NULL,
				       RTM_BEST_PROTOCOL, &h);
		break;
	case TL_O_NOTIFY:
		rc = RtmRegisterForChangeNotification(s->fixture, RTM_VIEW_MASK_ANY,
						      RTM_CHANGE_TYPE_ALL, NULL, &h);
		break;
	case TL_O_LIST:
		rc = RtmCreateRouteList(s->fixture, &h);
		break;
	}
	if (rc != NO_ERROR || h == NULL) {
		check_fail(__FILE__, __LINE__,
			   "tl_badobj_init: cannot create object kind %d: %s(%u)", (int)k,
			   rtm_error_name(rc), (unsigned)rc);
		return NULL;
	}
	return h;
}

static void
tl_badobj_kill(struct tl_badobj *s, enum tl_otype k, HANDLE h)
{
	DWORD rc = 0xffffffffu; /* not a Win32 code */

	if (h == NULL)
		return;
	switch (k) {
	case TL_O_ENUM:
		rc = RtmDeleteEnumHandle(s->fixture, h);
		break;
	case TL_O_NOTIFY:
		rc = RtmDeregisterFromChangeNotification(s->fixture, h);
		break;
	case TL_O_LIST:
		rc = RtmDeleteRouteList(s->fixture, h);
		break;
	}
	if (rc != NO_ERROR)
		check_fail(__FILE__, __LINE__, "tl_badobj: cannot delete object kind %d: %s(%u)",
			   (int)k, rtm_error_name(rc), (unsigned)rc);
}

unsigned
tl_badobj_init(struct tl_badobj *s, USHORT family, enum tl_otype want)
{
	static const char *const stale_what[] = {
		"stale enum handle (deleted)",
		"stale notify handle (deregistered)",
		"stale route-list handle (deleted)",
	};
	static const char *const reused_what[] = {
		"stale enum handle after more enums were created and deleted",
		"stale notify handle after more registrations came and went",
		"stale route-list handle after more lists were created and deleted",
	};
	static const char *const other_what[] = {
		"another entity's live enum handle",
		"another entity's live notify handle",
		"another entity's live route-list handle",
	};
	static unsigned fixtures;
	int v6 = family == AF_INET6;
	RTM_NET_ADDRESS live;
	HANDLE stale, reused;
	uintptr_t freed;
	void *heap;
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->fixture = tl_register(family, TL_BAD_PROTO, 0x20000 + fixtures++, NULL);
	if (s->fixture == NULL)
		return 0;
	tl_addr(&live, family, v6 ? "2001:db8:bc::" : "192.0.2.0", v6 ? 48 : 24);
	s->live_nh = tl_add_nexthop(s->fixture, family, v6 ? "2001:db8:bc::1" : "192.0.2.1", 7);
	s->live_route = tl_add_route(s->fixture, &live, s->live_nh, 10, 10, RTM_VIEW_MASK_UCAST,
				     NULL);
	s->live_dest_info = tl_dest_info_alloc(RTM_MAX_VIEWS);
	if (s->live_nh == NULL || s->live_route == NULL ||
	    tl_exact_dest(s->fixture, &live, RTM_VIEW_MASK_ANY, s->live_dest_info) != NO_ERROR) {
		check_fail(__FILE__, __LINE__, "tl_badobj_init: cannot build the live objects");
		free(s->live_dest_info);
		s->live_dest_info = NULL;
		tl_badobj_fini(s);
		return 0;
	}
	s->live_enum = tl_badobj_make(s, TL_O_ENUM);
	s->live_notify = tl_badobj_make(s, TL_O_NOTIFY);
	s->live_list = tl_badobj_make(s, TL_O_LIST);

	/* Dead handles of the wanted kind. */
	stale = tl_badobj_make(s, want);
	tl_badobj_kill(s, want, stale);
	reused = tl_badobj_make(s, want);
	tl_badobj_kill(s, want, reused);
	for (i = 0; i < TL_CHURN; i++)
		tl_badobj_kill(s, want, tl_badobj_make(s, want));

	heap = malloc(64);
	freed = tl_forget(heap);
	free(heap);

	s->v[s->n].h = NULL;
	s->v[s->n++].what = "NULL";
	tl_badobj_push(s, (HANDLE)(uintptr_t)0x1, "garbage 0x1");
	tl_badobj_push(s, (HANDLE)(uintptr_t)0xdeadbeef, "garbage 0xdeadbeef");
	tl_badobj_push(s, (HANDLE)~(uintptr_t)0, "garbage all-ones");
	tl_badobj_push(s, &s->stack_word, "pointer to caller memory");
	tl_badobj_push(s, (HANDLE)freed, "freed heap pointer");
	tl_badobj_push(s, stale, stale_what[want]);
	tl_badobj_push(s, reused, reused_what[want]);
	tl_badobj_push(s, s->fixture, "wrong type: entity handle");
	tl_badobj_push(s, s->live_dest_info->DestHandle, "wrong type: dest handle");
	tl_badobj_push(s, s->live_route, "wrong type: route handle");
	tl_badobj_push(s, s->live_nh, "wrong type: next-hop handle");
	if (want != TL_O_ENUM)
		tl_badobj_push(s, s->live_enum, "wrong type: enum handle (another entity's)");
	if (want != TL_O_NOTIFY)
		tl_badobj_push(s, s->live_notify, "wrong type: notify handle (another entity's)");
	if (want != TL_O_LIST)
		tl_badobj_push(s, s->live_list, "wrong type: route-list handle (another entity's)");
	tl_badobj_push(s, want == TL_O_ENUM ? s->live_enum
			  : want == TL_O_NOTIFY ? s->live_notify
						: s->live_list,
		       other_what[want]);
	return s->n;
}

void
tl_badobj_fini(struct tl_badobj *s)
{
	if (s->fixture == NULL)
		return;
	tl_badobj_kill(s, TL_O_ENUM, s->live_enum);
	tl_badobj_kill(s, TL_O_NOTIFY, s->live_notify);
	tl_badobj_kill(s, TL_O_LIST, s->live_list);
	s->live_enum = s->live_notify = s->live_list = NULL;
	if (s->live_dest_info != NULL) {
		CHECK_RC(RtmReleaseDestInfo(s->fixture, s->live_dest_info), NO_ERROR);
		free(s->live_dest_info);
		s->live_dest_info = NULL;
	}
	if (s->live_route != NULL) {
		tl_delete_route(s->fixture, s->live_route);
		s->live_route = NULL;
	}
	if (s->live_nh != NULL) {
		CHECK_RC(RtmDeleteNextHop(s->fixture, s->live_nh, NULL), NO_ERROR);
		s->live_nh = NULL;
	}
	tl_deregister(s->fixture);
	s->fixture = NULL;
	s->n = 0;
}
