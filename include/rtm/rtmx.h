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
 * Writer admission policy of the per-destination (and per-next-hop) locks
 * behind RtmLockDestination, RtmLockRoute and RtmLockNextHop.  Both keep
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
 *
 * The policy is process-wide.  It starts as the environment variable
 * RTM_LOCK_POLICY says ("phasefair" or "barging", read when the library is
 * first used; anything else is ignored) or as the default, and
 * RtmxSetLockPolicy changes it at any time: it applies to each lock request
 * made after the call, locks held or waited for meanwhile stay correct.
 * Returns NO_ERROR, or ERROR_INVALID_PARAMETER for an unknown policy.
 */
typedef enum _RTMX_LOCK_POLICY {
	RTMX_LOCK_POLICY_PHASEFAIR = 0,
	RTMX_LOCK_POLICY_BARGING = 1,
} RTMX_LOCK_POLICY;

RTM_API DWORD WINAPI RtmxSetLockPolicy(RTMX_LOCK_POLICY Policy);
RTM_API RTMX_LOCK_POLICY WINAPI RtmxGetLockPolicy(VOID);

#endif /* LIBRTM_RTM_RTMX_H */
