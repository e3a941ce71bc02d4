/*
 * testlib.h - helpers shared by the librtm tests.
 *
 * Addresses:   tl_ipv4(), tl_ipv6() fill an RTM_NET_ADDRESS from text.
 * Entities:    tl_register() / tl_deregister() check for success themselves.
 * Buffers:     tl_route_info_alloc() sizes route infos with the corrected
 *              RTMX_SIZE_OF_ROUTE_INFO (RTM_SIZE_OF_ROUTE_INFO is one handle
 *              short, SEMANTICS §2); tl_dest_info_alloc() uses
 *              RTM_SIZE_OF_DEST_INFO.  Free both with free().
 * Objects:     tl_add_nexthop(), tl_add_route() create objects and check for
 *              success; they return NULL on failure (after recording it).
 * Bad handles: tl_bad_init() builds every kind of invalid handle for one
 *              handle type (NULL, garbage, stack pointer, freed heap pointer,
 *              stale, stale after reuse, live handles of the wrong types);
 *              tl_bad_fini() undoes everything it created.
 *
 * Second half: TL_WAIT_UNTIL() for work done on the library's threads,
 *              TL_DEST_STRIDE()/TL_DEST_AT() for dest-info arrays,
 *              tl_badobj_init() for bad enum, notify and route-list handles.
 *
 * Helpers report failures through check.h, so a failed helper makes the
 * calling test fail even if the test does not look at the result.
 */
#ifndef RTM_TESTS_TESTLIB_H
#define RTM_TESTS_TESTLIB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h> /* AF_INET, AF_INET6 */
#include <netinet/in.h>

#include <rtmv2.h>
#include <rtm/rtmx.h>

#include "check.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* Protocol ids from routprot.h that the samples use (SEMANTICS §1). */
#define TL_PROTO_LOCAL 2
#define TL_PROTO_NETMGMT 3
#define TL_PROTO_RIP 8
#define TL_PROTO_OSPF 13
#define TL_PROTO_BGP 14

/* The protocol id the bad-handle fixture registers under. */
#define TL_BAD_PROTO 0x7eadu

/* Fills *a with family AF_INET, NumBits = len and the address bytes, unmasked. */
void
tl_ipv4(RTM_NET_ADDRESS *a, const char *dotted, unsigned len);

/* Same for AF_INET6 (inet_pton syntax). */
void
tl_ipv6(RTM_NET_ADDRESS *a, const char *text, unsigned len);

/* Fills *a for either family; text is parsed per family. */
void
tl_addr(RTM_NET_ADDRESS *a, USHORT family, const char *text, unsigned len);

/* Byte-wise equality of family, NumBits and all 16 address bytes. */
int
tl_addr_eq(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b);

/* Renders "a.b.c.d/len" or "x::y/len" into buf (for messages). */
const char *
tl_addr_str(const RTM_NET_ADDRESS *a, char *buf, size_t size);

/*
 * Registers entity (instance 0, family, proto, inst) without methods,
 * callback or opaque slot.  prof may be NULL.  Records a failure and returns
 * NULL if registration fails.
 */
RTM_ENTITY_HANDLE
tl_register(USHORT family, ULONG proto, ULONG inst, RTM_REGN_PROFILE *prof);

/* Like tl_register with a choice of opaque slot and callback. */
RTM_ENTITY_HANDLE
tl_register_ex(USHORT instance, USHORT family, ULONG proto, ULONG inst, WINBOOL opaque,
	       RTM_EVENT_CALLBACK cb, RTM_REGN_PROFILE *prof);

/* Deregisters h (ignored if NULL) and records a failure unless NO_ERROR. */
void
tl_deregister(RTM_ENTITY_HANDLE h);

/* calloc of RTMX_SIZE_OF_ROUTE_INFO(max_nexthops); never returns NULL. */
RTM_ROUTE_INFO *
tl_route_info_alloc(UINT max_nexthops);

/* calloc of RTM_SIZE_OF_DEST_INFO(nviews) (at least one view); never NULL. */
RTM_DEST_INFO *
tl_dest_info_alloc(UINT nviews);

/* View i of a dest info held in a caller buffer sized for more than one view. */
#define TL_VIEW(info, i) ((&(info)->ViewInfo[0])[i])

/* Next hop i of a route info held in a buffer from tl_route_info_alloc(). */
#define TL_NH(info, i) (((RTM_NEXTHOP_HANDLE *)(void *)&(info)->NextHopsList.NextHops[0])[i])

/* Number of bits set in a view mask. */
unsigned
tl_popcount(uint32_t v);

/*
 * Adds (or finds and updates) the caller's next hop (addr/host, ifindex)
 * for the entity's family.  Returns the referenced handle, or NULL after
 * recording a failure.
 */
RTM_NEXTHOP_HANDLE
tl_add_nexthop(RTM_ENTITY_HANDLE h, USHORT family, const char *addr, ULONG ifindex);

/*
 * Adds a route through nh (may be NULL: no next hops) with the given
 * preference, metric and views, neighbour NULL, TTL INFINITE.  *flags_io, if
 * not NULL, is the input change flags and receives the output ones.  Returns
 * the referenced route handle, or NULL after recording a failure.
 */
RTM_ROUTE_HANDLE
tl_add_route(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *dest, RTM_NEXTHOP_HANDLE nh, ULONG pref,
	     ULONG metric, DWORD views, DWORD *flags_io);

/* Releases one route / next-hop handle and records a failure unless NO_ERROR. */
void
tl_release_route(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r);
void
tl_release_nexthop(RTM_ENTITY_HANDLE h, RTM_NEXTHOP_HANDLE nh);

/* Deletes a route (consumes the reference) and records a failure unless NO_ERROR. */
void
tl_delete_route(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r);

/*
 * Exact-match lookup with RTM_BEST_PROTOCOL; returns the result code and,
 * on success, leaves a referenced copy in *info (release it with
 * RtmReleaseDestInfo).  info must hold popcount(views) view entries.
 */
DWORD
tl_exact_dest(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *a, DWORD views, RTM_DEST_INFO *info);

/* TRUE if an exact-match lookup (ANY views) finds the destination. */
int
tl_dest_exists(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *a);

/* The published Metric of route r (RtmGetRouteInfo), or 0xdeadbeef if the
 * call fails. */
ULONG
tl_route_metric(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r);

/* Handle types for the bad-handle generator. */
enum tl_htype {
	TL_H_ENTITY,
	TL_H_DEST,
	TL_H_ROUTE,
	TL_H_NEXTHOP,
};

struct tl_bad {
	HANDLE h;
	const char *what;
};

#define TL_BAD_MAX 16

struct tl_badset {
	unsigned n;
	struct tl_bad v[TL_BAD_MAX];
	/* Live objects backing the wrong-type handles; released by tl_bad_fini. */
	RTM_ENTITY_HANDLE fixture;
	RTM_NEXTHOP_HANDLE live_nh;
	RTM_ROUTE_HANDLE live_route;
	RTM_DEST_INFO *live_dest_info;
	int stack_word;
};

/*
 * Fills s with invalid handles for a parameter of type `want` in the table
 * (instance 0, family).  Registers a private fixture entity (protocol
 * TL_BAD_PROTO) that owns the live objects; its routes live at prefixes the
 * tests do not use (198.51.100.0/24 and 203.0.113.0/24, or 2001:db8:ba::/48
 * and 2001:db8:bb::/48).  Returns the number of handles, 0 on failure.
 */
unsigned
tl_bad_init(struct tl_badset *s, USHORT family, enum tl_htype want);

/* Releases and deregisters everything tl_bad_init created. */
void
tl_bad_fini(struct tl_badset *s);

/*
 * CHECK_RC for a call made with one bad handle: the failure message names
 * the kind of handle (struct tl_bad *b).
 */
#define CHECK_RC_BAD(expr, expected, b)                                                            \
	do {                                                                                       \
		uint32_t check_got_ = (uint32_t)(expr);                                            \
		uint32_t check_want_ = (uint32_t)(expected);                                       \
		if (check_got_ != check_want_)                                                     \
			check_fail(__FILE__, __LINE__,                                             \
				   "%s with %s (%p): got %s(%u), expected %s(%u)", #expr,          \
				   (b)->what, (b)->h, rtm_error_name(check_got_),                  \
				   (unsigned)check_got_, rtm_error_name(check_want_),              \
				   (unsigned)check_want_);                                         \
	} while (0)

/* Sleeps for ms milliseconds. */
void
tl_sleep_ms(unsigned ms);

/* ---- helpers for enumerations, notifications, route lists and callbacks --------------- */

/*
 * Polls cond every 2 ms until it holds or about ms milliseconds have passed.
 * For work the library does on its own threads (callbacks, timers): wait with
 * a generous deadline, then CHECK the condition.
 */
#define TL_WAIT_UNTIL(cond, ms)                                                                    \
	do {                                                                                       \
		unsigned tl_waited_ = 0;                                                           \
		while (!(cond) && tl_waited_ < (unsigned)(ms)) {                                   \
			tl_sleep_ms(2);                                                            \
			tl_waited_ += 2;                                                           \
		}                                                                                  \
	} while (0)

/* Deadline for something the library must do asynchronously. */
#define TL_ASYNC_MS 10000u
/* How long a negative check waits before concluding "it did not happen". */
#define TL_QUIET_MS 200u

/*
 * Element stride of RTM_DEST_INFO arrays (RtmGetEnumDests, RtmGetChangedDests
 * and their release calls): always RTM_SIZE_OF_DEST_INFO(NumberOfViews) of the
 * registration profile, whatever the TargetViews (SEMANTICS §5).
 */
#define TL_DEST_STRIDE(prof) RTM_SIZE_OF_DEST_INFO((prof)->NumberOfViews)

/* Element i of such an array. */
#define TL_DEST_AT(arr, prof, i)                                                                   \
	((RTM_DEST_INFO *)(void *)((char *)(arr) + (size_t)(i) * TL_DEST_STRIDE(prof)))

/* calloc of n dest infos at the profile's stride (n at least 1); never NULL. */
RTM_DEST_INFO *
tl_dest_array_alloc(const RTM_REGN_PROFILE *prof, UINT n);

/*
 * Exact-match lookup of a with RTM_VIEW_MASK_ANY into a fresh buffer, so that
 * the caller holds a referenced DestHandle.  Records a failure and returns
 * NULL if the destination is not found.  Give it back with tl_dest_put().
 */
RTM_DEST_INFO *
tl_dest_get(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *a);

/* RtmReleaseDestInfo + free (ignored if di is NULL). */
void
tl_dest_put(RTM_ENTITY_HANDLE h, RTM_DEST_INFO *di);

/* Like tl_add_route, with a TimeToLive and a route list. */
RTM_ROUTE_HANDLE
tl_add_route_ex(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *dest, RTM_NEXTHOP_HANDLE nh, ULONG pref,
		ULONG metric, DWORD views, ULONG ttl, RTM_ROUTE_LIST_HANDLE list, DWORD *flags_io);

/*
 * State of a route through RtmGetRouteInfo: returns the result code and, on
 * NO_ERROR, stores State and Metric (either pointer may be NULL).
 */
DWORD
tl_route_state(RTM_ENTITY_HANDLE h, RTM_ROUTE_HANDLE r, UCHAR *state, ULONG *metric);

/*
 * Bad handles for the object handles of the second half of the API:
 * enumerations, change-notification registrations and route lists.
 * Besides the kinds tl_bad_init() builds (NULL, garbage, caller memory,
 * freed heap, stale, stale after reuse, live handles of the other types) the
 * set holds a live object of the wanted kind that belongs to another entity
 * (the fixture, protocol TL_BAD_PROTO), which must also be refused with
 * ERROR_INVALID_HANDLE (SEMANTICS §1, §10, §11).  The fixture's route lives
 * at 192.0.2.0/24 (or 2001:db8:bc::/48); its notification registration
 * has no callback.
 */
enum tl_otype {
	TL_O_ENUM,
	TL_O_NOTIFY,
	TL_O_LIST,
};

#define TL_BADOBJ_MAX 24

struct tl_badobj {
	unsigned n;
	struct tl_bad v[TL_BADOBJ_MAX];
	RTM_ENTITY_HANDLE fixture;
	RTM_NEXTHOP_HANDLE live_nh;
	RTM_ROUTE_HANDLE live_route;
	RTM_DEST_INFO *live_dest_info;
	RTM_ENUM_HANDLE live_enum;     /* a destination enumeration */
	RTM_NOTIFY_HANDLE live_notify;
	RTM_ROUTE_LIST_HANDLE live_list;
	int stack_word;
};

/* Fills s for a parameter of kind `want`; returns the number of handles, 0 on failure. */
unsigned
tl_badobj_init(struct tl_badobj *s, USHORT family, enum tl_otype want);

/* Deletes and deregisters everything tl_badobj_init created. */
void
tl_badobj_fini(struct tl_badobj *s);

#ifdef __cplusplus
}
#endif

#endif /* RTM_TESTS_TESTLIB_H */
