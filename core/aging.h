/*
 * Route aging (TimeToLive) and destination hold-down (SEMANTICS.md §7),
 * driven by the worker's timer wheel.
 *
 * A route's aging timer lives in its route_ext; while armed it holds one
 * reference on the route, which the expiry hands to the owner's callback
 * (or drops after deleting the route).  A destination's hold-down timer
 * lives in dest_hold(dest); while armed it holds one reference on the
 * destination.  Both expiry functions run on the worker with no lock held.
 */
#ifndef RTM_AGING_H
#define RTM_AGING_H

#include <rtmv2.h>

#include "dest.h"
#include "route.h"

/* (Re)start r's aging for ttl ms, or stop it for INFINITE.  0 or -ENOMEM,
 * which cannot happen once r has its route_ext (route_ext_get). */
int aging_set_ttl(struct route *r, ULONG ttl);

/* Stop r's aging (r is being deleted). */
void aging_cancel(struct route *r);

/* Allocate d's hold-down timer if it has none (d locked exclusively).
 * 0 or -ENOMEM. */
int aging_hold_prepare_locked(struct dest *d);

/*
 * r was just removed from d (lock held exclusively): make it the hold route
 * of every armed view it leaves empty.  Updates *set in place (a fresh,
 * unpublished set) and returns the views whose hold-down began.
 */
uint32_t aging_hold_begin_locked(struct dest *d, struct route_set *set, struct route *r,
				 const struct route_version *v);

/* Timer callback of a route's aging (route.c wires it). */
void ttl_expired(struct timer *t);

#endif
