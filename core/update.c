/*
 * Route changes (see update.h).
 *
 * Ordering: every publish happens with the destination's lock held
 * exclusively, inside its seqcount write section (dest_publish_locked), and
 * the route's own version pointer is replaced with a release store at the
 * same time.  Readers pair with these through acquire loads.  A destination
 * whose last route goes leaves the trie under the table's trie_lock while its
 * lock is still held, so a writer that waited for that lock and finds
 * in_trie == false knows it must look the prefix up again.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "table.h"
#include "trie.h"
#include "update.h"

#define PURGE_BATCH 64

void
dest_lock(struct dest *d, bool exclusive)
{
	rcu_thread_locks_held++;
	if (exclusive)
		destlock_write_lock(&d->lock);
	else
		destlock_read_lock(&d->lock);
}

void
dest_unlock(struct dest *d, bool exclusive)
{
	if (exclusive)
		destlock_write_unlock(&d->lock);
	else
		destlock_read_unlock(&d->lock);
	rcu_thread_locks_held--;
}

/* Overall best route of each supported view (NULL if none). */
static void
best_routes(const struct route_set *set, struct route *best[TABLE_NUM_VIEWS])
{
	for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++) {
		int i = route_set_best(set, v, 0, false);

		best[v] = i >= 0 ? set->e[i].route : NULL;
	}
}

/*
 * RTM_ROUTE_CHANGE_BEST if a view's best route changed, or r stays best
 * somewhere and its data changed (SEMANTICS.md §5).
 */
static DWORD
best_change(const struct route_set *before, const struct route_set *after, const struct route *r,
	    bool r_changed)
{
	struct route *b0[TABLE_NUM_VIEWS], *b1[TABLE_NUM_VIEWS];

	best_routes(before, b0);
	best_routes(after, b1);
	for (unsigned v = 0; v < TABLE_NUM_VIEWS; v++) {
		if (b0[v] != b1[v] || (r_changed && b1[v] == r))
			return RTM_ROUTE_CHANGE_BEST;
	}
	return 0;
}

/* Publish version v of r in d (d locked exclusively).  0 or -ENOMEM. */
static int
publish_version_locked(struct dest *d, struct route *r, struct route_version *v, DWORD *flags)
{
	struct route_set *old = ld_relaxed(&d->set);
	struct route_version *oldv = ld_relaxed(&r->pub);
	struct route_set *ns = route_set_with(old, r, v);

	if (!ns)
		return -ENOMEM;
	*flags = best_change(old, ns, r, !route_version_equal(oldv, v));
	st_release(&r->pub, v); /* pairs with the acquire in RtmGetRouteInfo */
	dest_publish_locked(d, ns);
	route_set_retire(old);
	if (oldv != v)
		route_version_retire(oldv);
	return 0;
}

/* Update r from the client's info (d locked exclusively). */
static int
update_locked(struct dest *d, struct route *r, const RTM_ROUTE_INFO *info, DWORD *flags)
{
	struct route_version *v = route_version_new(info);
	int rc;

	if (!v)
		return -ENOMEM;
	rc = publish_version_locked(d, r, v, flags);
	if (rc) {
		route_version_discard(v);
		return rc;
	}
	route_info_assign(r, info);
	return 0;
}

int
update_route(struct entity *e, struct route *r, const RTM_ROUTE_INFO *info, DWORD *out_flags)
{
	struct dest *d = r->dest;
	int rc;

	dest_lock(d, true);
	if (ld_relaxed(&r->state) != RTM_ROUTE_STATE_CREATED)
		rc = -ENOENT;
	else if (!ld_acquire(&e->registered))
		rc = -EBADF;
	else
		rc = update_locked(d, r, info, out_flags);
	dest_unlock(d, true);
	return rc;
}

/* The caller's route on d that this add should update, or NULL. */
static struct route *
find_match_locked(struct dest *d, struct entity *e, const RTM_ROUTE_INFO *info, DWORD in_flags)
{
	const struct route_set *set = ld_relaxed(&d->set);

	if (!set || (in_flags & RTM_ROUTE_CHANGE_NEW))
		return NULL;
	for (uint32_t i = 0; i < set->n; i++) {
		struct route *r = set->e[i].route;

		if (r->owner != e)
			continue;
		if ((in_flags & RTM_ROUTE_CHANGE_FIRST) || r->info->Neighbour == info->Neighbour)
			return r;
	}
	return NULL;
}

static void
give_handle(struct route *r, rtm_handle *out_handle)
{
	if (out_handle) {
		handle_ref(r->handle, HT_ROUTE);
		*out_handle = r->handle;
	}
}

/* Add to an existing destination.  -EAGAIN: it left the trie, look again. */
static int
add_to_dest(struct dest *d, struct entity *e, const RTM_ROUTE_INFO *info, DWORD in_flags,
	    DWORD *out_flags, rtm_handle *out_handle)
{
	struct route *r;
	int rc = 0;

	dest_lock(d, true);
	if (!d->in_trie) {
		rc = -EAGAIN;
		goto out;
	}
	if (!ld_acquire(&e->registered)) {
		rc = -EBADF;
		goto out;
	}
	r = find_match_locked(d, e, info, in_flags);
	if (r) {
		rc = update_locked(d, r, info, out_flags);
		if (!rc)
			give_handle(r, out_handle);
		goto out;
	}
	r = route_new(d, e, info);
	if (!r) {
		rc = -ENOMEM;
		goto out;
	}
	rc = publish_version_locked(d, r, ld_relaxed(&r->pub), out_flags);
	if (rc) {
		route_discard(r);
		goto out;
	}
	/* publish_version_locked compared r's version with itself: it only
	 * reports BEST when the best route moved, which is what a new route
	 * means. */
	*out_flags |= RTM_ROUTE_CHANGE_NEW;
	give_handle(r, out_handle);
out:
	dest_unlock(d, true);
	return rc;
}

/* Create the destination with its first route.  -EAGAIN: lost a race. */
static int
add_new_dest(struct entity *e, const struct prefix *key, const RTM_ROUTE_INFO *info,
	     DWORD *out_flags, rtm_handle *out_handle)
{
	struct table *t = e->table;
	struct dest *d = dest_new(t, key, 1);
	struct route *r = NULL;
	struct route_set *set = NULL;
	int rc;

	if (!d)
		return -ENOMEM;
	r = route_new(d, e, info);
	if (r)
		set = route_set_with(NULL, r, ld_relaxed(&r->pub));
	if (!set) {
		rc = -ENOMEM;
		goto out_discard;
	}
	atomic_init(&d->set, set);
	d->in_trie = true;
	pthread_mutex_lock(&t->trie_lock);
	if (!ld_acquire(&e->registered))
		rc = -EBADF;
	else
		rc = trie_insert_locked(&t->trie, d); /* publishes d */
	if (!rc)
		give_handle(r, out_handle);
	pthread_mutex_unlock(&t->trie_lock);
	if (!rc) {
		*out_flags = RTM_ROUTE_CHANGE_NEW | (set->views ? RTM_ROUTE_CHANGE_BEST : 0);
		return 0;
	}
	st_relaxed(&d->set, NULL);
	free(set);
out_discard:
	if (r)
		route_discard(r);
	dest_discard(d);
	return rc == -EEXIST ? -EAGAIN : rc;
}

int
update_add_route(struct entity *e, const struct prefix *key, const RTM_ROUTE_INFO *info,
		 DWORD in_flags, DWORD *out_flags, rtm_handle *out_handle)
{
	struct table *t = e->table;

	for (;;) {
		struct dest *d;
		int rc;

		rcu_lock();
		d = trie_lookup_exact_rcu(&t->trie, key);
		if (d && !handle_ref(d->handle, HT_DEST))
			d = NULL; /* dying: it has left the trie already */
		rcu_unlock();
		if (d) {
			rc = add_to_dest(d, e, info, in_flags, out_flags, out_handle);
			handle_put(d->handle);
		} else {
			rc = add_new_dest(e, key, info, out_flags, out_handle);
		}
		if (rc != -EAGAIN)
			return rc;
	}
}

/* Remove r from d (d locked exclusively).  0 or -ENOENT / -ENOMEM. */
static int
delete_locked(struct dest *d, struct route *r, DWORD *out_flags)
{
	struct table *t = d->table;
	struct route_set *old = ld_relaxed(&d->set), *ns;
	int rc;

	if (ld_relaxed(&r->state) != RTM_ROUTE_STATE_CREATED)
		return -ENOENT;
	rc = route_set_without(old, r, &ns);
	if (rc)
		return rc;
	*out_flags = best_change(old, ns, r, false);
	st_release(&r->state, RTM_ROUTE_STATE_DELETED);
	r->info->State = RTM_ROUTE_STATE_DELETED;
	dest_publish_locked(d, ns);
	route_set_retire(old);
	if (!ns) {
		pthread_mutex_lock(&t->trie_lock);
		trie_remove_locked(&t->trie, d);
		d->in_trie = false;
		pthread_mutex_unlock(&t->trie_lock);
		handle_put(d->handle); /* the trie's reference; the caller holds another */
	}
	handle_put(r->handle); /* the store's reference */
	return 0;
}

int
update_delete_route(struct route *r, DWORD *out_flags)
{
	struct dest *d = r->dest;
	int rc;

	handle_ref(d->handle, HT_DEST); /* r's reference keeps d referenced */
	dest_lock(d, true);
	rc = delete_locked(d, r, out_flags);
	dest_unlock(d, true);
	handle_put(d->handle);
	return rc;
}

int
update_in_place_and_unlock(struct entity *e, struct route *r, DWORD *out_flags)
{
	struct dest *d = r->dest;
	struct route_version *v;
	int rc;

	if (!destlock_is_write_locked(&d->lock))
		return -EINVAL;
	route_info_restore_identity(r);
	if (ld_relaxed(&r->state) != RTM_ROUTE_STATE_CREATED)
		return -ENOENT;
	rc = route_info_check(r->info, e);
	if (rc)
		return rc;
	v = route_version_new(r->info);
	if (!v)
		return -ENOMEM;
	rc = publish_version_locked(d, r, v, out_flags);
	if (rc) {
		route_version_discard(v);
		return rc;
	}
	dest_unlock(d, true);
	return 0;
}

/* Delete every route of e on d and clear e's opaque slot there. */
static void
purge_dest(struct dest *d, struct entity *e)
{
	dest_lock(d, true);
	for (;;) {
		const struct route_set *set = ld_relaxed(&d->set);
		struct route *mine = NULL;
		DWORD flags;

		for (uint32_t i = 0; set && i < set->n && !mine; i++) {
			if (set->e[i].route->owner == e)
				mine = set->e[i].route;
		}
		if (!mine)
			break;
		if (delete_locked(d, mine, &flags) == -ENOMEM) {
			/* Deregistration cannot fail: wait for memory. */
			dest_unlock(d, true);
			usleep(1000);
			dest_lock(d, true);
		}
	}
	if (e->opaque_slot >= 0) {
		void **arr = ld_acquire(&d->opaque);

		if (arr)
			arr[e->opaque_slot] = NULL;
	}
	dest_unlock(d, true);
}

static bool
dest_has_route_of(struct dest *d, const struct entity *e)
{
	struct dest_snapshot snap;

	dest_snapshot_rcu(d, &snap);
	for (uint32_t i = 0; snap.set && i < snap.set->n; i++) {
		if (snap.set->e[i].route->owner == e)
			return true;
	}
	return false;
}

void
update_purge_entity(struct entity *e)
{
	struct table *t = e->table;
	struct prefix last;
	bool started = false;

	/* Wait out any first-route insert that saw e still registered. */
	pthread_mutex_lock(&t->trie_lock);
	pthread_mutex_unlock(&t->trie_lock);

	for (;;) {
		struct dest *batch[PURGE_BATCH], *d;
		unsigned n = 0;

		rcu_lock();
		d = trie_next_rcu(&t->trie, started ? &last : NULL, started);
		while (d && n < PURGE_BATCH) {
			bool wanted = dest_has_route_of(d, e) ||
				      (e->opaque_slot >= 0 && ld_acquire(&d->opaque));

			if (wanted && handle_ref(d->handle, HT_DEST))
				batch[n++] = d;
			last = d->key;
			started = true;
			d = trie_next_rcu(&t->trie, &last, true);
		}
		rcu_unlock();
		for (unsigned i = 0; i < n; i++) {
			purge_dest(batch[i], e);
			handle_put(batch[i]->handle);
		}
		if (!d)
			break;
	}
}
