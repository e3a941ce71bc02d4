/* Destination API: info, lookups, destination lock, opaque slots (§5, §6, §8). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "entity.h"
#include "table.h"
#include "trie.h"
#include "update.h"

/* Normalise and check a lookup's view mask; -EINVAL for unsupported bits. */
static int
lookup_views(RTM_VIEW_SET in, RTM_VIEW_SET *out)
{
	*out = api_views(in);
	return (*out & ~(RTM_VIEW_SET)TABLE_VIEWS_SUPPORTED) ? -EINVAL : 0;
}

/*
 * Fill info from destination d if it qualifies for views, else -ENOENT.
 * Call inside rcu_lock().
 */
static int
fill_if_qualifies_rcu(struct entity *e, struct dest *d, ULONG proto, RTM_VIEW_SET views,
		      PRTM_DEST_INFO info)
{
	struct dest_snapshot snap;

	do {
		dest_snapshot_rcu(d, &snap);
		if (!dest_snapshot_qualifies(&snap, views))
			return -ENOENT;
		/* On failure an object of the snapshot died: the next one is newer. */
	} while (dest_fill_info_rcu(d, &snap, e, proto, views, info) != 0);
	return 0;
}

#ifdef RTM_TEST_HOOKS
/*
 * Tests only (tests/lincheck/test_path_change.c, built from the core's
 * sources with RTM_TEST_HOOKS): called by a most-specific lookup between its
 * walk down the trie and its reads of the destinations found there, so that
 * a test can change the table at exactly that point.
 */
void (*rtm_test_lookup_after_walk)(void);
#define LOOKUP_AFTER_WALK()                                                                   \
	do {                                                                                   \
		if (rtm_test_lookup_after_walk)                                                \
			rtm_test_lookup_after_walk();                                          \
	} while (0)
#else
#define LOOKUP_AFTER_WALK() ((void)0)
#endif

/* Bound on the retries of one lookup whose path keeps changing under it. */
#define LOOKUP_VALIDATE_TRIES 64

/* fill_first_candidate_rcu() could not decide: take the general way. */
#define LOOKUP_UNDECIDED 1

/*
 * The common lookup, whose first candidate decides: the longest
 * destination covering key (trie_longest_first_rcu), if shorter than maxlen
 * bits, qualifies, or none covers key.  Fills info and returns 0, or
 * returns -ENOENT, if neither trie part walked changed from before the walk
 * to after the destination's snapshot: then at the instant of the snapshot
 * the destination was the longest on key's path and held the snapshot's
 * state (one destination needs no second read of its seqcount; the
 * snapshot is consistent by itself).  Returns LOOKUP_UNDECIDED, having
 * filled and referenced nothing, when the candidate is too long, does not
 * qualify, or anything changed: the caller takes the general way.  Inside
 * rcu_lock().
 */
static inline __attribute__((always_inline)) int
fill_first_candidate_rcu(struct entity *e, const struct prefix *key, unsigned maxlen, ULONG proto,
			 RTM_VIEW_SET views, PRTM_DEST_INFO info)
{
	struct trie *t = &e->table->trie;
	struct trie_first first;
	struct dest_snapshot snap;
	struct dest *d;

	if (!trie_longest_first_rcu(t, key, &first, &d))
		return LOOKUP_UNDECIDED;
	LOOKUP_AFTER_WALK();
	if (d) {
		dest_prefetch_lookup(d);
		if (d->key.len >= maxlen)
			return LOOKUP_UNDECIDED;
		dest_snapshot_rcu(d, &snap);
		if (!dest_snapshot_qualifies(&snap, views))
			return LOOKUP_UNDECIDED;
	}
	if (!trie_first_unchanged_rcu(t, key, &first))
		return LOOKUP_UNDECIDED;
	if (!d)
		return -ENOENT;
	return dest_fill_info_rcu(d, &snap, e, proto, views, info) == 0 ? 0 : LOOKUP_UNDECIDED;
}

/*
 * Fill info from the longest destination covering key, shorter than maxlen
 * bits, that qualifies, the general way (fill_most_specific_rcu() below
 * first tries the first candidate).  Call inside rcu_lock().  Not inlined:
 * its frame (seen[]) is big, and the common lookup never needs it.
 *
 * Linearizable as a clean double collect: the walk notes the nodes on key's
 * path and the seqcount of every destination it looks at, longest first,
 * up to the one that qualifies; then the path is checked again and every
 * seqcount re-read.  The path check is the seqcount of each trie part
 * walked when it is even and unchanged since before the walk (the part did
 * not change at all); only otherwise is the path walked again (trie.h).  If nothing moved, there was an instant (between the two
 * collects) at which the longer destinations did not qualify and the chosen
 * one held the state its info is filled from; otherwise the lookup starts
 * over.  Without the check a lookup could combine "the /16 had no route"
 * read before an update with "the /8 had none either" read after another,
 * an answer that was never true.  Nodes are copy-on-write and destinations
 * and nodes are not reused within a grace period, so equal values mean
 * nothing happened (trie.h names the one exception, after an allocation
 * failure).  After LOOKUP_VALIDATE_TRIES changed paths in a row the last
 * answer stands, so a lookup never waits for writers.
 */
static __attribute__((noinline)) int
fill_most_specific_walk_rcu(struct entity *e, const struct prefix *key, unsigned maxlen,
			    ULONG proto, RTM_VIEW_SET views, PRTM_DEST_INFO info)
{
	struct {
		struct dest *d;
		struct dest_snapshot snap;
	} seen[TRIE_MAX_DEPTH];

	struct table *t = e->table;

	for (unsigned tries = 1;; tries++) {
		struct trie_cursor cur;
		struct dest *d, *chosen = NULL;
		unsigned n = 0;
		bool stable = true;

		trie_longest_begin_rcu(&t->trie, key, &cur);
		LOOKUP_AFTER_WALK();
		while ((d = trie_longest_next_rcu(&cur))) {
			if (d->key.len >= maxlen)
				continue;
			seen[n].d = d;
			dest_snapshot_rcu(d, &seen[n].snap);
			if (dest_snapshot_qualifies(&seen[n++].snap, views)) {
				chosen = d;
				break;
			}
		}
		if (tries < LOOKUP_VALIDATE_TRIES) {
			for (unsigned i = 0; stable && i < n; i++)
				stable = dest_snapshot_current_rcu(seen[i].d, &seen[i].snap);
			if (stable)
				stable = trie_cursor_path_unchanged_rcu(&t->trie, key, &cur);
		}
		if (!stable)
			continue;
		if (!chosen)
			return -ENOENT;
		if (dest_fill_info_rcu(chosen, &seen[n - 1].snap, e, proto, views, info) == 0)
			return 0;
		/* An object of the snapshot died: a newer state exists; start over. */
	}
}

/*
 * Fill info from the longest destination covering key, shorter than maxlen
 * bits, that qualifies.  Call inside rcu_lock().
 */
static int
fill_most_specific_rcu(struct entity *e, const struct prefix *key, unsigned maxlen, ULONG proto,
		       RTM_VIEW_SET views, PRTM_DEST_INFO info)
{
	int rc = fill_first_candidate_rcu(e, key, maxlen, proto, views, info);

	if (rc != LOOKUP_UNDECIDED)
		return rc;
	return fill_most_specific_walk_rcu(e, key, maxlen, proto, views, info);
}

/* Resolve the caller and convert a lookup address.  Inside rcu_lock(). */
static inline __attribute__((always_inline)) int
lookup_begin_rcu(RTM_ENTITY_HANDLE reg, PRTM_NET_ADDRESS addr, RTM_VIEW_SET in_views,
		 PRTM_DEST_INFO info, struct entity **e, struct prefix *key, RTM_VIEW_SET *views)
{
	*e = entity_caller_rcu(reg);
	if (!*e)
		return -EBADF;
	if (!addr || !info || addr->AddressFamily != (*e)->table->family)
		return -EINVAL;
	if (lookup_views(in_views, views))
		return -EINVAL;
	return prefix_from_net(key, addr, (*e)->table->width);
}

RTM_API DWORD WINAPI
RtmGetExactMatchDestination(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
			    ULONG ProtocolId, RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo)
{
	struct entity *e;
	struct prefix key;
	RTM_VIEW_SET views;
	int rc;

	api_enter();
	rcu_lock();
	rc = lookup_begin_rcu(RtmRegHandle, DestAddress, TargetViews, DestInfo, &e, &key, &views);
	if (!rc) {
		struct dest *d = trie_lookup_exact_rcu(&e->table->trie, &key);

		if (d)
			dest_prefetch_lookup(d);
		rc = d ? fill_if_qualifies_rcu(e, d, ProtocolId, views, DestInfo) : -ENOENT;
	}
	rcu_unlock();
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmGetMostSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
			      ULONG ProtocolId, RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo)
{
	struct entity *e;
	struct prefix key;
	RTM_VIEW_SET views;
	int rc;

	api_enter();
	rcu_lock();
	rc = lookup_begin_rcu(RtmRegHandle, DestAddress, TargetViews, DestInfo, &e, &key, &views);
	if (!rc)
		rc = fill_most_specific_rcu(e, &key, UINT_MAX, ProtocolId, views, DestInfo);
	rcu_unlock();
	return api_error(rc);
}

/*
 * The first checks of a query about a destination handle, in the order of
 * SEMANTICS.md §3: caller, NULL pointer and view mask, destination handle.
 * Inside rcu_lock().
 */
static int
dest_query_begin_rcu(RTM_ENTITY_HANDLE reg, RTM_DEST_HANDLE dh, RTM_VIEW_SET in_views,
		     PRTM_DEST_INFO info, struct entity **e, struct dest **d, RTM_VIEW_SET *views)
{
	*e = entity_caller_rcu(reg);
	if (!*e)
		return -EBADF;
	if (!info || lookup_views(in_views, views))
		return -EINVAL;
	*d = handle_get(dh, HT_DEST);
	return *d && (*d)->table == (*e)->table ? 0 : -EBADF;
}

RTM_API DWORD WINAPI
RtmGetLessSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
			      ULONG ProtocolId, RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo)
{
	struct entity *e;
	struct dest *d;
	RTM_VIEW_SET views;
	int rc = 0;

	api_enter();
	rcu_lock();
	rc = dest_query_begin_rcu(RtmRegHandle, DestHandle, TargetViews, DestInfo, &e, &d, &views);
	if (!rc) /* the strictly shorter prefixes */
		rc = fill_most_specific_rcu(e, &d->key, d->key.len, ProtocolId, views, DestInfo);
	rcu_unlock();
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmGetDestInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle, ULONG ProtocolId,
	       RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo)
{
	struct entity *e;
	struct dest *d;
	RTM_VIEW_SET views;
	int rc = 0;

	api_enter();
	rcu_lock();
	rc = dest_query_begin_rcu(RtmRegHandle, DestHandle, TargetViews, DestInfo, &e, &d, &views);
	if (!rc) {
		struct dest_snapshot snap;

		do
			dest_snapshot_rcu(d, &snap);
		while (dest_fill_info_rcu(d, &snap, e, ProtocolId, views, DestInfo) != 0);
	}
	rcu_unlock();
	return api_error(rc);
}

/* The most handles a dest info can hold: its destination, then per view the
 * best route, its owner and the hold-down route. */
#define DEST_INFO_MAX_HANDLES (1 + 3 * RTM_MAX_VIEWS)

/* The non-NULL handles of info into hs, with the types each may have into
 * masks; returns how many.  info->NumberOfViews <= RTM_MAX_VIEWS. */
static inline __attribute__((always_inline)) unsigned
dest_info_gather(const RTM_DEST_INFO *info, HANDLE *hs, unsigned *masks)
{
	unsigned k = 0;

#define GATHER(h, type)                                                                       \
	do {                                                                                   \
		if (h) {                                                                       \
			masks[k] = HT_BIT(type);                                               \
			hs[k++] = (h);                                                         \
		}                                                                              \
	} while (0)
	GATHER(info->DestHandle, HT_DEST);
	for (UINT i = 0; i < info->NumberOfViews; i++) {
		GATHER(info->ViewInfo[i].Route, HT_ROUTE);
		GATHER(info->ViewInfo[i].Owner, HT_ENTITY);
		GATHER(info->ViewInfo[i].HoldRoute, HT_ROUTE);
	}
#undef GATHER
	return k;
}

static const RTM_DEST_INFO *
dest_info_at(const RTM_DEST_INFO *infos, size_t stride, UINT j)
{
	return (const RTM_DEST_INFO *)((const char *)infos + j * stride);
}

/*
 * Check the caller, then release every handle in n dest infos laid out
 * `stride` bytes apart, all or nothing: if any handle is not live and of its
 * slot's type, none is released.  Two passes over the infos and no buffer
 * beyond one info's handles on the stack: a release must not need memory
 * (SEMANTICS §13 gives it no such error, and a client that cannot release
 * leaks).
 */
static DWORD
release_dest_infos(RTM_ENTITY_HANDLE reg, UINT n, const RTM_DEST_INFO *infos, size_t stride)
{
	HANDLE hs[DEST_INFO_MAX_HANDLES];
	unsigned masks[DEST_INFO_MAX_HANDLES];
	DWORD rc = NO_ERROR;

	rcu_lock();
	if (!entity_caller_rcu(reg))
		rc = ERROR_INVALID_HANDLE;
	else if (n && !infos)
		rc = ERROR_INVALID_PARAMETER;
	rcu_unlock();
	if (n == 1 && rc == NO_ERROR) { /* the common case: check and drop in one go */
		unsigned k;

		if (infos->NumberOfViews > RTM_MAX_VIEWS)
			return ERROR_INVALID_PARAMETER;
		k = dest_info_gather(infos, hs, masks);
		if (k <= 64)
			return handle_put_all(k, hs, masks, 0) ? NO_ERROR : ERROR_INVALID_HANDLE;
	}
	for (UINT j = 0; j < n && rc == NO_ERROR; j++) {
		if (dest_info_at(infos, stride, j)->NumberOfViews > RTM_MAX_VIEWS)
			rc = ERROR_INVALID_PARAMETER;
	}
	for (UINT j = 0; j < n && rc == NO_ERROR; j++) {
		unsigned k = dest_info_gather(dest_info_at(infos, stride, j), hs, masks);

		for (unsigned i = 0; i < k && rc == NO_ERROR; i++) {
			if (!handle_is_live(hs[i], masks[i]))
				rc = ERROR_INVALID_HANDLE;
		}
	}
	for (UINT j = 0; j < n && rc == NO_ERROR; j++) {
		unsigned k = dest_info_gather(dest_info_at(infos, stride, j), hs, masks);

		for (unsigned i = 0; i < k; i += 64)
			handle_put_many(k - i < 64 ? k - i : 64, hs + i);
	}
	return rc;
}

DWORD
api_release_dest_infos(RTM_ENTITY_HANDLE reg, UINT n, const RTM_DEST_INFO *infos)
{
	return release_dest_infos(reg, n, infos, RTM_SIZE_OF_DEST_INFO(TABLE_NUM_VIEWS));
}

RTM_API DWORD WINAPI
RtmReleaseDestInfo(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_DEST_INFO DestInfo)
{
	api_enter();
	return api_release_dest_infos(RtmRegHandle, 1, DestInfo);
}

RTM_API DWORD WINAPI
RtmGetExactMatchRoute(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
		      RTM_MATCH_FLAGS MatchingFlags, PRTM_ROUTE_INFO RouteInfo,
		      ULONG InterfaceIndex, RTM_VIEW_SET TargetViews, PRTM_ROUTE_HANDLE RouteHandle)
{
	struct entity *e;
	struct prefix key;
	RTM_VIEW_SET views;
	int rc = 0;

	api_enter();
	rcu_lock();
	if (!(e = entity_caller_rcu(RtmRegHandle))) {
		rc = -EBADF;
	} else if (!DestAddress || DestAddress->AddressFamily != e->table->family ||
		   lookup_views(TargetViews, &views) ||
		   (MatchingFlags & ~(RTM_MATCH_FLAGS)RTM_MATCH_FULL) ||
		   (!RouteInfo && (MatchingFlags & ~(RTM_MATCH_FLAGS)RTM_MATCH_INTERFACE)) ||
		   /* the criteria buffer holds at most MaxNextHopsInRoute (§8) */
		   ((MatchingFlags & RTM_MATCH_NEXTHOP) &&
		    RouteInfo->NextHopsList.NumNextHops > e->table->max_nexthops)) {
		rc = -EINVAL;
	} else {
		rc = prefix_from_net(&key, DestAddress, e->table->width);
	}
	while (!rc) {
		struct dest *d = trie_lookup_exact_rcu(&e->table->trie, &key);
		struct dest_snapshot snap;
		struct route *found = NULL;

		if (!d) {
			rc = -ENOENT;
			break;
		}
		dest_snapshot_rcu(d, &snap);
		for (uint32_t i = 0; snap.set && i < snap.set->n && !found; i++) {
			const struct route_ref *rr = &snap.set->e[i];

			if (views != RTM_VIEW_MASK_ANY && !(rr->ver->views & views))
				continue;
			if (route_matches_rcu(rr->route, rr->ver, MatchingFlags, RouteInfo,
					      InterfaceIndex))
				found = rr->route;
		}
		if (!found) {
			rc = -ENOENT;
			break;
		}
		if (!handle_ref(found->handle, HT_ROUTE))
			continue; /* deleted meanwhile: look again */
		if (RouteInfo)
			route_info_copy_rcu(found, RouteInfo);
		if (RouteHandle)
			*RouteHandle = found->handle;
		else
			handle_put(found->handle);
		break;
	}
	rcu_unlock();
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmLockDestination(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle, WINBOOL Exclusive,
		   WINBOOL LockDest)
{
	struct entity *e;
	struct dest *d;
	int rc = 0;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	d = handle_ref(DestHandle, HT_DEST);
	if (!d || d->table != e->table) {
		rc = -EBADF;
	} else if (LockDest) {
		dest_lock(d, Exclusive != 0);
	} else {
		bool held = Exclusive ? destlock_is_write_locked(&d->lock)
				      : destlock_is_read_locked(&d->lock);

		if (held)
			dest_unlock(d, Exclusive != 0);
		else
			rc = -EINVAL;
	}
	if (d)
		handle_put(DestHandle);
	handle_put(e->handle);
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmGetOpaqueInformationPointer(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
			       PVOID *OpaqueInfoPointer)
{
	struct entity *e;
	struct dest *d;
	int rc = 0;

	api_enter();
	rcu_lock();
	if (!(e = entity_caller_rcu(RtmRegHandle))) {
		rc = -EBADF;
	} else if (!OpaqueInfoPointer) {
		rc = -EINVAL;
	} else if (!(d = handle_get(DestHandle, HT_DEST)) || d->table != e->table) {
		rc = -EBADF;
	} else if (e->opaque_slot < 0) {
		rc = -ENOENT;
	} else {
		void **slot = dest_opaque_slot(d, e->opaque_slot);

		if (!slot)
			rc = -ENOMEM;
		else
			*OpaqueInfoPointer = (PVOID)slot;
	}
	rcu_unlock();
	return api_error(rc);
}

RTM_API DWORD WINAPI
RtmHoldDestination(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
		   RTM_VIEW_SET TargetViews, ULONG HoldTime)
{
	struct entity *e;
	struct dest *d;
	RTM_VIEW_SET views;
	int rc = 0;

	api_enter();
	e = entity_caller_ref(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (HoldTime == 0 || lookup_views(TargetViews, &views)) {
		rc = -EINVAL;
	} else {
		if (views == RTM_VIEW_MASK_ANY)
			views = TABLE_VIEWS_SUPPORTED;
		d = handle_ref(DestHandle, HT_DEST);
		if (!d || d->table != e->table) {
			rc = -EBADF;
		} else {
			rc = update_hold_destination(d, views, HoldTime);
		}
		if (d)
			handle_put(DestHandle);
	}
	handle_put(e->handle);
	return api_error(rc);
}
