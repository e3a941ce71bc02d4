/*
 * Routes and route versions: creation, the references they hold, and the
 * RTM's own RTM_ROUTE_INFO.
 *
 * References held:
 *   route   -> its dest and its owner entity (for the route's whole life)
 *   r->info -> Neighbour and NextHops[] (the route's own references; the
 *              client adjusts them itself during an in-place edit)
 *   version -> Neighbour and nh[] (its own, dropped a grace period after the
 *              version is replaced, so readers can always reference them)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "aging.h"
#include "dest.h"
#include "nexthop.h"
#include "entity.h"
#include "route.h"
#include "table.h"

static void
version_put_handles(struct route_version *v)
{
	if (v->neighbour)
		handle_put(v->neighbour);
	for (USHORT i = 0; i < v->nnh; i++)
		handle_put(v->nh[i]);
}

int
route_info_check(const RTM_ROUTE_INFO *info, const struct entity *owner)
{
	int rc = 0;

	if (info->NextHopsList.NumNextHops > owner->table->max_nexthops)
		return -EINVAL;
	if (info->BelongsToViews & ~(RTM_VIEW_SET)TABLE_VIEWS_SUPPORTED &&
	    info->BelongsToViews != RTM_VIEW_MASK_ALL)
		return -EINVAL;
	rcu_lock();
	if (info->Neighbour && !handle_get(info->Neighbour, HT_NEXTHOP))
		rc = -EBADF;
	for (USHORT i = 0; !rc && i < info->NextHopsList.NumNextHops; i++) {
		struct nexthop *nh = handle_get(info->NextHopsList.NextHops[i], HT_NEXTHOP);

		if (!nh)
			rc = -EBADF;
		else if (nexthop_owner(nh) != owner)
			rc = -EINVAL;
	}
	rcu_unlock();
	return rc;
}

struct route_version *
route_version_new(const RTM_ROUTE_INFO *info)
{
	USHORT n = info->NextHopsList.NumNextHops;
	struct route_version *v = rtm_malloc(sizeof(*v) + n * sizeof(v->nh[0]));

	if (!v)
		return NULL;
	v->pref = info->PrefInfo;
	v->views = info->BelongsToViews == RTM_VIEW_MASK_ALL ? TABLE_VIEWS_SUPPORTED
							   : info->BelongsToViews;
	v->flags = info->Flags;
	v->flags1 = info->Flags1;
	v->esi = info->EntitySpecificInfo;
	v->nnh = 0;
	v->neighbour = NULL;
	/* The handles were checked by route_info_check(); a reference can still
	 * fail if a concurrent release killed one: drop it from the version. */
	if (info->Neighbour && handle_ref(info->Neighbour, HT_NEXTHOP))
		v->neighbour = info->Neighbour;
	for (USHORT i = 0; i < n; i++) {
		if (handle_ref(info->NextHopsList.NextHops[i], HT_NEXTHOP))
			v->nh[v->nnh++] = info->NextHopsList.NextHops[i];
	}
	return v;
}

static void
version_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	rtm_free(caa_container_of(head, struct route_version, rcu));
	rcu_deferred_done();
}

/*
 * The version's references go at once (a handle dies as soon as its last
 * reference is released, SEMANTICS.md §3); only the memory waits for readers.
 * A reader still copying v then fails to reference a dead handle and, seeing
 * that v is no longer current, copies the new version instead.
 */
void
route_version_retire(struct route_version *v)
{
	if (v) {
		version_put_handles(v);
		rcu_defer(&v->rcu, version_free_cb);
	}
}

void
route_version_discard(struct route_version *v)
{
	version_put_handles(v);
	rtm_free(v);
}

bool
route_version_equal(const struct route_version *a, const struct route_version *b)
{
	if (a->pref.Preference != b->pref.Preference || a->pref.Metric != b->pref.Metric ||
	    a->views != b->views || a->flags != b->flags || a->flags1 != b->flags1 ||
	    a->esi != b->esi || a->neighbour != b->neighbour || a->nnh != b->nnh)
		return false;
	return memcmp(a->nh, b->nh, a->nnh * sizeof(a->nh[0])) == 0;
}

/* Reference the handles of src and store them in dst (the RTM's copy). */
static void
info_take_handles(RTM_ROUTE_INFO *dst, const RTM_ROUTE_INFO *src)
{
	USHORT n = 0;

	dst->Neighbour = NULL;
	if (src->Neighbour && handle_ref(src->Neighbour, HT_NEXTHOP))
		dst->Neighbour = src->Neighbour;
	for (USHORT i = 0; i < src->NextHopsList.NumNextHops; i++) {
		if (handle_ref(src->NextHopsList.NextHops[i], HT_NEXTHOP))
			dst->NextHopsList.NextHops[n++] = src->NextHopsList.NextHops[i];
	}
	dst->NextHopsList.NumNextHops = n;
}

/* Drop the route's own references held through r->info. */
static void
info_put_handles(RTM_ROUTE_INFO *info)
{
	/* The client may have stored anything there during an edit: only live
	 * handles of the right type are released. */
	if (info->Neighbour)
		handle_put_checked(info->Neighbour, HT_BIT(HT_NEXTHOP));
	for (USHORT i = 0; i < info->NextHopsList.NumNextHops; i++)
		handle_put_checked(info->NextHopsList.NextHops[i], HT_BIT(HT_NEXTHOP));
	info->Neighbour = NULL;
	info->NextHopsList.NumNextHops = 0;
}

void
route_info_assign(struct route *r, const RTM_ROUTE_INFO *info)
{
	RTM_ROUTE_INFO *dst = r->info;
	size_t sz = ROUTE_INFO_SIZE(r->dest->table->max_nexthops);
	RTM_ROUTE_INFO *old = alloca(sz);

	memcpy(old, dst, sz);
	dst->Flags1 = info->Flags1;
	dst->Flags = info->Flags;
	dst->PrefInfo = info->PrefInfo;
	dst->BelongsToViews = info->BelongsToViews;
	dst->EntitySpecificInfo = info->EntitySpecificInfo;
	info_take_handles(dst, info);
	info_put_handles(old);
	route_info_restore_identity(r);
}

void
route_info_restore_identity(struct route *r)
{
	r->info->DestHandle = r->dest->handle;
	r->info->RouteOwner = r->owner->handle;
	r->info->State = ld_relaxed(&r->state);
}

static void
route_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	struct route *r = caa_container_of(head, struct route, rcu);
	rtm_handle h = r->handle;

	rtm_free(ld_relaxed(&r->ext));
	rtm_free(r->info);
	rtm_free(r);
	handle_recycle(h);
	rcu_deferred_done();
}



struct route_ext *
route_ext_get(struct route *r)
{
	struct route_ext *x = ld_acquire(&r->ext), *fresh;

	if (x)
		return x;
	fresh = rtm_calloc(1, sizeof(*fresh));
	if (!fresh)
		return NULL;
	fresh->route = r;
	fresh->ttl.fn = ttl_expired;
	fresh->ttl.entity = r->owner;
	CDS_INIT_LIST_HEAD(&fresh->list_link);
	if (atomic_compare_exchange_strong_explicit(&r->ext, &x, fresh, memory_order_acq_rel,
						    memory_order_acquire))
		return fresh;
	rtm_free(fresh);
	return x;
}

/* Finalizer: last reference gone (the route was deleted before). */
static void
route_final(void *obj)
{
	struct route *r = obj;

	route_version_retire(ld_relaxed(&r->pub));
	info_put_handles(r->info);
	handle_put(r->dest->handle);
	handle_put(r->owner->handle);
	rcu_defer(&r->rcu, route_free_cb);
}

void
route_module_init(void)
{
	handle_set_finalizer(HT_ROUTE, route_final);
}

struct route *
route_new(struct dest *dest, struct entity *owner, const RTM_ROUTE_INFO *info)
{
	struct table *t = dest->table;
	struct route *r = rtm_calloc(1, sizeof(*r));
	struct route_version *v = NULL;

	if (!r)
		return NULL;
	r->info = rtm_calloc(1, ROUTE_INFO_SIZE(t->max_nexthops));
	v = route_version_new(info);
	if (!r->info || !v)
		goto out_free;
	/* Store reference only: the caller adds its own with handle_ref. */
	if (handle_alloc(HT_ROUTE, r, 1, &r->handle) != 0)
		goto out_free;
	r->dest = dest;
	r->owner = owner;
	r->age = fetch_add_relaxed(&t->route_age, 1);
	atomic_init(&r->state, RTM_ROUTE_STATE_CREATED);
	atomic_init(&r->pub, v);
	atomic_init(&r->ext, NULL);
	handle_ref(dest->handle, HT_DEST);
	handle_ref(owner->handle, HT_ENTITY);
	r->info->Flags1 = info->Flags1;
	r->info->Flags = info->Flags;
	r->info->PrefInfo = info->PrefInfo;
	r->info->BelongsToViews = info->BelongsToViews;
	r->info->EntitySpecificInfo = info->EntitySpecificInfo;
	info_take_handles(r->info, info);
	route_info_restore_identity(r);
	return r;
out_free:
	if (v)
		route_version_discard(v);
	rtm_free(r->info);
	rtm_free(r);
	return NULL;
}

void
route_discard(struct route *r)
{
	rtm_handle h = r->handle;

	route_version_discard(ld_relaxed(&r->pub));
	info_put_handles(r->info);
	handle_put(r->dest->handle);
	handle_put(r->owner->handle);
	rtm_free(ld_relaxed(&r->ext)); /* from extras_prepare: no timer, no list */
	rtm_free(r->info);
	rtm_free(r);
	handle_recycle(h);
}

/* Reference h for a copy; on failure note it and leave NULL. */
static HANDLE
copy_ref(HANDLE h, enum htype type, bool *failed)
{
	if (!h)
		return NULL;
	if (handle_ref(h, type))
		return h;
	*failed = true;
	return NULL;
}

static void
copy_put(RTM_ROUTE_INFO *out)
{
	if (out->Neighbour)
		handle_put(out->Neighbour);
	for (USHORT i = 0; i < out->NextHopsList.NumNextHops; i++)
		handle_put(out->NextHopsList.NextHops[i]);
}

void
route_info_copy_rcu(struct route *r, RTM_ROUTE_INFO *out)
{
	const struct route_version *v;
	bool failed;

	for (;;) {
		USHORT n = 0;

		/* Pairs with the release in publish_version_locked(). */
		v = ld_acquire(&r->pub);
		failed = false;
		out->Neighbour = copy_ref(v->neighbour, HT_NEXTHOP, &failed);
		for (USHORT i = 0; i < v->nnh; i++) {
			HANDLE h = copy_ref(v->nh[i], HT_NEXTHOP, &failed);

			if (h)
				out->NextHopsList.NextHops[n++] = h;
		}
		out->NextHopsList.NumNextHops = n;
		/* A dead handle means v was replaced (or r is dying): retry with
		 * the current version unless v is still it. */
		if (!failed || ld_acquire(&r->pub) == v)
			break;
		copy_put(out);
	}
	out->DestHandle = handle_ref(r->dest->handle, HT_DEST) ? r->dest->handle : NULL;
	out->RouteOwner = handle_ref(r->owner->handle, HT_ENTITY) ? r->owner->handle : NULL;
	out->State = ld_acquire(&r->state);
	out->Flags1 = v->flags1;
	out->Flags = v->flags;
	out->PrefInfo = v->pref;
	out->BelongsToViews = v->views;
	out->EntitySpecificInfo = v->esi;
}

/* Does route version v (of route r) satisfy the match criteria (§8)? */
bool
route_matches_rcu(const struct route *r, const struct route_version *v, RTM_MATCH_FLAGS flags,
		  const RTM_ROUTE_INFO *c, ULONG ifindex)
{
	if ((flags & RTM_MATCH_OWNER) && c->RouteOwner != r->owner->handle)
		return false;
	if ((flags & RTM_MATCH_NEIGHBOUR) && c->Neighbour != v->neighbour)
		return false;
	if ((flags & RTM_MATCH_PREF) && (c->PrefInfo.Preference != v->pref.Preference ||
					 c->PrefInfo.Metric != v->pref.Metric))
		return false;
	if (flags & RTM_MATCH_NEXTHOP) {
		for (USHORT i = 0; i < c->NextHopsList.NumNextHops; i++) {
			bool found = false;

			for (USHORT j = 0; j < v->nnh && !found; j++)
				found = v->nh[j] == c->NextHopsList.NextHops[i];
			if (!found)
				return false;
		}
	}
	if (flags & RTM_MATCH_INTERFACE) {
		bool found = false;

		for (USHORT j = 0; j < v->nnh && !found; j++) {
			struct nexthop *nh = handle_get(v->nh[j], HT_NEXTHOP);

			found = nh && nh->info.InterfaceIndex == ifindex;
		}
		if (!found)
			return false;
	}
	return true;
}
