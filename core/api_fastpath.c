/*
 * RtmxLookupRoute: the forwarding lookup (rtm/rtmx.h).
 *
 * A pure RCU reader: it walks the trie (once, without a cursor, when the
 * longest destination covering the address has a route in the view), takes
 * the candidate destination's route set under its seqcount (fwd_set_rcu),
 * and copies the best route's version and its next hops' immutable address
 * and interface index.  No handle is referenced and nothing shared is
 * written.
 *
 * Cost.  Lookups miss in DRAM, and a short call lets the CPU overlap the
 * misses of consecutive calls, so the common path is kept to plain loads and
 * a few compares: the caller's and the next hops' handles are checked inline
 * (handle_get), the route set is read between two seqcount loads (no fence
 * on x86: both are acquire loads), the first route of the set is tried
 * before route_set_best, success skips the error mapping, and the cursor
 * (with its 1 KiB frame) is out of line.  The memb flavour's read lock and
 * unlock are a few thread-local loads and stores and a compiler barrier
 * when the kernel has membarrier (liburcu falls back to a full fence
 * without it).
 *
 * Why the copy is consistent: the snapshot's set is immutable and names the
 * versions that were current when it was published; a version is immutable
 * and holds references on its next hops while it is current.  If a next hop
 * handle is found dead (handle_get fails), that version has been replaced
 * since the snapshot, so the destination has published a newer set: the
 * reader takes a new snapshot of the same destination and starts over.  All
 * pointers followed are protected by the read-side section.
 */
#include <string.h>

#include "api.h"
#include "dest.h"
#include "entity.h"
#include "nexthop.h"
#include "table.h"
#include "trie.h"

#include <rtm/rtmx.h>

/*
 * d's route set as one snapshot would give it (dest_snapshot_rcu, which the
 * fast path below copies without last_changed, which forwarding does not
 * need): read between two equal even values of d's seqcount, so never a set
 * older than a route field its publisher stored with the count odd.  Falls
 * back to dest_snapshot_rcu while a publisher runs.
 */
static inline const struct route_set *
fwd_set_rcu(struct dest *d)
{
	struct dest_snapshot snap;
	uint32_t s = ld_acquire(&d->seq.seq);

	if (likely(!(s & 1))) {
		/* Pairs with the release store in dest_publish_locked(). */
		const struct route_set *set = ld_acquire(&d->set);

		if (likely(!seq_read_retry(&d->seq, s)))
			return set;
	}
	dest_snapshot_rcu(d, &snap);
	return snap.set;
}

/*
 * Copy d's best route in view v into out.  Returns 0, -ENOENT if d has no
 * route in v.  Inside rcu_lock().
 */
static inline __attribute__((always_inline)) int
fwd_fill_rcu(struct dest *d, unsigned v, RTMX_FWD_INFO *out)
{
	for (;;) {
		const struct route_set *set = fwd_set_rcu(d);
		const struct route_version *ver;
		unsigned k, n;
		int best;

		if (!set || !(set->views & (1u << v)))
			return -ENOENT;
		/* Usually the first route (or the only one) is in v. */
		best = likely(set->e[0].ver->views & (1u << v)) ? 0 : route_set_best(set, v, 0, false);
		if (best < 0)
			return -ENOENT;
		ver = set->e[best].ver;
		n = ver->nnh < RTMX_FWD_MAX_NEXTHOPS ? ver->nnh : RTMX_FWD_MAX_NEXTHOPS;
		for (k = 0; k < n; k++) {
			const struct nexthop *nh = handle_get(ver->nh[k], HT_NEXTHOP);

			if (unlikely(!nh))
				break; /* the version was replaced: take a newer set */
			out->NextHops[k].NextHopAddress = nh->info.NextHopAddress;
			out->NextHops[k].InterfaceIndex = nh->info.InterfaceIndex;
		}
		if (unlikely(k < n))
			continue;
		prefix_to_net(&d->key, d->table->family, d->table->width, &out->DestAddress);
		out->ViewId = (RTM_VIEW_ID)v;
		out->PrefInfo = ver->pref;
		out->RouteFlags = ver->flags;
		out->NumNextHops = (USHORT)n;
		out->TotalNextHops = ver->nnh;
		return 0;
	}
}

/*
 * The longest destination covering key had no route in v (or the walk met a
 * tombstone): the cursor, longest to shortest.  Out of line, so that the
 * common case does not carry the cursor's stack frame.
 */
static __attribute__((noinline)) int
fwd_lookup_cursor_rcu(struct trie *t, const struct prefix *key, unsigned v, RTMX_FWD_INFO *out)
{
	struct trie_cursor cur;
	struct dest *d;
	int rc = -ENOENT;

	trie_longest_begin_rcu(t, key, &cur);
	while (rc == -ENOENT && (d = trie_longest_next_rcu(&cur)))
		rc = fwd_fill_rcu(d, v, out);
	return rc;
}

RTM_API DWORD WINAPI
RtmxLookupRoute(RTM_ENTITY_HANDLE RtmRegHandle, const RTM_NET_ADDRESS *Address,
		RTM_VIEW_SET TargetView, PRTMX_FWD_INFO FwdInfo)
{
	struct dest *d;
	struct entity *e;
	struct prefix key;
	unsigned v;
	int rc;

	api_enter();
	rcu_lock();
	e = entity_caller_rcu(RtmRegHandle);
	if (unlikely(!e)) {
		rc = -EBADF;
		goto out;
	}
	if (unlikely(!Address || !FwdInfo || Address->AddressFamily != e->table->family ||
		     (TargetView != RTM_VIEW_MASK_UCAST && TargetView != RTM_VIEW_MASK_MCAST))) {
		rc = -EINVAL;
		goto out;
	}
	v = TargetView == RTM_VIEW_MASK_UCAST ? RTM_VIEW_ID_UCAST : RTM_VIEW_ID_MCAST;
	rc = prefix_from_net(&key, Address, e->table->width);
	if (unlikely(rc))
		goto out;
	/* Usually the longest destination covering the key has a route in v:
	 * one walk without a cursor.  Else (or on a tombstone) the cursor. */
	if (likely(trie_longest_rcu(&e->table->trie, &key, &d))) {
		if (!d) {
			rc = -ENOENT;
			goto out;
		}
		dest_prefetch_lookup(d);
		rc = fwd_fill_rcu(d, v, FwdInfo);
		if (likely(rc != -ENOENT))
			goto out;
	}
	rc = fwd_lookup_cursor_rcu(&e->table->trie, &key, v, FwdInfo);
out:
	rcu_unlock();
	return api_error(rc);
}
