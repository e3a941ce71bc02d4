/*
 * rtm/rtmx.h - librtm extensions to the RTMv2 API.
 *
 * Nothing in here exists on Windows.  Programs that must also build there
 * should keep their use of these names behind their own #ifdef.
 */
#ifndef LIBRTM_RTM_RTMX_H
#define LIBRTM_RTM_RTMX_H

#include <rtmv2.h>

/*
 * Bytes needed for an RTM_ROUTE_INFO holding NumHops next hops.
 *
 * This is what RTM_SIZE_OF_ROUTE_INFO was meant to be: that macro counts
 * from NextHopsList.NumNextHops instead of NextHopsList.NextHops, and so
 * falls one handle short (8 bytes on x86-64).
 * RTMX_SIZE_OF_ROUTE_INFO(n) == RTM_SIZE_OF_ROUTE_INFO(n + 1).
 */
#define RTMX_SIZE_OF_ROUTE_INFO(NumHops)				\
	(offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) +		\
	 (NumHops) * sizeof(RTM_NEXTHOP_HANDLE))

/*
 * The IPv6 address family, for RTM_ENTITY_INFO.AddressFamily and
 * RTM_NET_ADDRESS.AddressFamily.  This is the Linux AF_INET6 (10); Windows
 * uses 23, so IPv6 code ported from Windows must not hard-code the number.
 */
#define RTMX_AF_INET6		AF_INET6

/*
 * Forwarding lookup: RtmxLookupRoute.
 *
 * A longest-prefix match for callers that forward packets: it answers with
 * copies of what forwarding needs (the matched prefix, the best route's
 * preference and flags, its next hops' addresses and interface indices)
 * and gives out no handle, so there is nothing to release, no reference is
 * taken and no shared memory is written: lookups from many threads do not
 * slow each other down.  It reads only what forwarding needs (the route's
 * owner, for one, is not read: use RtmGetMostSpecificDestination for that).
 */

/* Next hops copied per answer; a route may have more (see TotalNextHops). */
#define RTMX_FWD_MAX_NEXTHOPS	8

typedef struct _RTMX_FWD_NEXTHOP {
	RTM_NET_ADDRESS		NextHopAddress;
	ULONG			InterfaceIndex;
} RTMX_FWD_NEXTHOP, *PRTMX_FWD_NEXTHOP;

typedef struct _RTMX_FWD_INFO {
	RTM_NET_ADDRESS		DestAddress;	/* the matched prefix */
	RTM_VIEW_ID		ViewId;		/* the view searched */
	RTM_PREF_INFO		PrefInfo;	/* the route's Metric and Preference */
	USHORT			RouteFlags;	/* RTM_ROUTE_INFO.Flags of the route */
	USHORT			NumNextHops;	/* entries filled in NextHops */
	USHORT			TotalNextHops;	/* the route's next hops (may be more) */
	RTMX_FWD_NEXTHOP	NextHops[RTMX_FWD_MAX_NEXTHOPS];
} RTMX_FWD_INFO, *PRTMX_FWD_INFO;

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Find the most specific destination covering Address (its first
 * Address->NumBits bits; pass the full width for a host address) that has a
 * route in TargetView, exactly as RtmGetMostSpecificDestination with
 * ProtocolId RTM_BEST_PROTOCOL and that single view would, and copy its best
 * route in that view into *FwdInfo.  Hold-down routes are not used: a
 * destination whose only route in the view is held down does not match, and
 * the search goes on to a shorter prefix.
 *
 * TargetView must be exactly one view: RTM_VIEW_MASK_UCAST or
 * RTM_VIEW_MASK_MCAST.
 *
 * Consistency: everything in *FwdInfo comes from one state of the matched
 * destination: its route set as published at one instant, the best route of
 * that set with the version the set names, and that version's next hops.
 * Which destination matches is decided against the trie of the moment: a
 * more specific prefix added or removed concurrently may or may not be
 * seen, as with RtmGetMostSpecificDestination.
 *
 * Returns NO_ERROR, ERROR_NOT_FOUND (no destination matches),
 * ERROR_INVALID_HANDLE (RtmRegHandle is not a registered entity) or
 * ERROR_INVALID_PARAMETER (a NULL pointer, an address of another family or
 * with too many bits, not exactly one supported view).  After an error the
 * contents of *FwdInfo are unspecified.
 */
RTM_API DWORD WINAPI
RtmxLookupRoute(RTM_ENTITY_HANDLE RtmRegHandle, const RTM_NET_ADDRESS *Address,
		RTM_VIEW_SET TargetView, PRTMX_FWD_INFO FwdInfo);

/*
 * Writer admission policy of the per-destination (and per-next-hop) locks
 * behind RtmLockDestination, RtmLockRoute and RtmLockNextHop.  All keep
 * readers and writers phase-fair: a shared locker that finds a writer
 * present waits for that one write phase only, and when a writer releases
 * while another writer waits, the readers that queued in the meantime get
 * one read phase and every later reader waits for the next writer.  So, with
 * R shared lockers, a waiting writer is passed by at most R shared
 * acquisitions between two exclusive ones, and no locker starves.  They
 * differ among writers:
 *
 * RTMX_LOCK_POLICY_PHASEFAIR  exclusive lockers are served strictly in
 *	arrival order (FIFO); a releasing writer hands the lock to the next
 *	queued one, even while that one is still waking up.
 * RTMX_LOCK_POLICY_BARGING (default)  an arriving exclusive locker may take
 *	a free (or just handed-over) lock ahead of the queued ones, until the
 *	first queued writer has waited 2 ms at the head of the queue; from
 *	then on nobody passes it, and it gets the lock at the next release.
 *	Queued writers stay FIFO among themselves.  Faster when writers
 *	contend on a busy machine (no idle lock while a sleeper wakes up), at
 *	the price of per-writer fairness over intervals shorter than the bound.
 * RTMX_LOCK_POLICY_HYBRID  as BARGING, except that when a releasing
 *	exclusive locker lets waiting shared lockers in, the write phase after
 *	their read phase belongs to the first queued writer (it wakes up while
 *	the readers run); arriving writers take only a free lock or a write
 *	phase that follows no read phase.
 *
 * The policy is process-wide.  It starts as the environment variable
 * RTM_LOCK_POLICY says ("phasefair", "barging" or "hybrid", read when the
 * library is first used; anything else is ignored) or as the default, and
 * RtmxSetLockPolicy changes it at any time: it applies to each lock request
 * made after the call, locks held or waited for meanwhile stay correct.
 * Returns NO_ERROR, or ERROR_INVALID_PARAMETER for an unknown policy.
 */
typedef enum _RTMX_LOCK_POLICY {
	RTMX_LOCK_POLICY_PHASEFAIR = 0,
	RTMX_LOCK_POLICY_BARGING = 1,
	RTMX_LOCK_POLICY_HYBRID = 2,
} RTMX_LOCK_POLICY;

RTM_API DWORD WINAPI RtmxSetLockPolicy(RTMX_LOCK_POLICY Policy);
RTM_API RTMX_LOCK_POLICY WINAPI RtmxGetLockPolicy(VOID);

#ifdef __cplusplus
}
#endif

#endif /* LIBRTM_RTM_RTMX_H */
