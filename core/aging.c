/*
 * Route aging and hold-down.  See aging.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "alloc.h"
#include "aging.h"
#include "entity.h"
#include "notify.h"
#include "update.h"

int
aging_set_ttl(struct route *r, ULONG ttl)
{
	struct route_ext *x;

	if (ttl == INFINITE) {
		x = ld_acquire(&r->ext);
		if (x && timer_cancel(&x->ttl))
			handle_put(r->handle); /* the timer's reference */
		return 0;
	}
	x = route_ext_get(r);
	if (!x)
		return -ENOMEM;
	if (!timer_cancel(&x->ttl))
		handle_ref(r->handle, HT_ROUTE); /* a new arming: its reference */
	if (!timer_arm(&x->ttl, ttl)) {
		handle_put(r->handle);
		return -ENOMEM;
	}
	return 0;
}

void
aging_cancel(struct route *r)
{
	struct route_ext *x = ld_acquire(&r->ext);

	if (x && timer_cancel(&x->ttl))
		handle_put(r->handle);
}

void
ttl_expired(struct timer *t)
{
	struct route_ext *x = caa_container_of(t, struct route_ext, ttl);
	struct route *r = x->route;
	struct entity *e = r->owner;
	DWORD flags;

	/* We own the arming's reference on r. */
	RTM_ROUTE_INFO *info;

	/* No memory for the route's info: as if the client had not handled it. */
	if (ld_acquire(&r->state) == RTM_ROUTE_STATE_CREATED && ld_acquire(&e->registered) &&
	    e->callback && (info = route_info_get(r))) {
		DWORD rc = e->callback(e->handle, RTM_ROUTE_EXPIRED, r->handle, info);

		if (rc != ERROR_NOT_SUPPORTED)
			return; /* the client dealt with it and owns the reference */
	}
	/* The expiry must not be lost: wait for memory (the worker's only
	 * failure, a new route set; the destination lock is not held while
	 * waiting). */
	while (update_delete_route(r, &flags) == -ENOMEM)
		usleep(1000);
	handle_put(r->handle);
}

/* Worker: a destination's hold-down is over. */
static void
hold_expired(struct timer *t)
{
	struct dest_hold *h = caa_container_of(t, struct dest_hold, timer);

	update_end_hold(h->dest);
	handle_put(h->dest->handle); /* the timer's reference */
}

int
aging_hold_prepare_locked(struct dest *d)
{
	struct dest_ext *x = dest_ext_get(d);
	struct dest_hold *h;

	if (!x)
		return -ENOMEM;
	if (x->hold)
		return 0;
	h = rtm_calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->dest = d;
	h->timer.fn = hold_expired;
	x->hold = h;
	return 0;
}

uint32_t
aging_hold_begin_locked(struct dest *d, struct route_set *set, struct route *r,
			const struct route_version *v)
{
	uint32_t began = 0;

	struct dest_hold *h = dest_hold(d);

	/* Views are armed only once aging_hold_prepare_locked succeeded. */
	if (!h || !h->views)
		return 0;
	for (unsigned view = 0; view < TABLE_NUM_VIEWS; view++) {
		uint32_t bit = 1u << view;

		if (!(h->views & bit) || !(v->views & bit) || route_set_hold(set, view) ||
		    !route_set_view_empty(set, view))
			continue;
		handle_ref(r->handle, HT_ROUTE); /* the hold's reference */
		route_set_hold_assign(set, view, r);
		began |= bit;
	}
	if (!began)
		return 0;
	h->views &= ~began; /* arming is used up */
	if (!timer_cancel(&h->timer))
		handle_ref(d->handle, HT_DEST);
	if (!timer_arm(&h->timer, h->ms))
		handle_put(d->handle);
	if (!h->views)
		h->ms = 0;
	return began;
}
