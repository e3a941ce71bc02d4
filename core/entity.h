/*
 * Entities (registered clients).
 *
 * Lifetime: created by RtmRegisterEntity with the store's reference (held
 * while registered) plus the one given to the caller as its registration
 * handle; deregistration drops the store's reference; memory is freed a
 * grace period after the last reference goes.
 *
 * Fields:
 *   table, handle, info, callback, methods, nmethods, opaque_slot:
 *                    immutable while registered (opaque_slot is given back at
 *                    deregistration, under table->entities_lock)
 *   registered       atomic; cleared once by deregistration; API calls that
 *                    take this entity as RtmRegHandle check it
 *   link             table->entities list, under table->entities_lock
 *   nexthops         the entity's next-hop table (nexthop.h), under nh_lock
 *   lists_lock       guards lists, enums, notifies (the objects this entity
 *                    owns, cleaned up at deregistration) and the route-list
 *                    membership of its routes (routelist.c)
 *   methods_lock     guards methods_blocked and methods_active; methods_cv
 *                    signals their changes (RtmBlockMethods / RtmInvokeMethod)
 */
#ifndef RTM_ENTITY_H
#define RTM_ENTITY_H

#include "handle.h"
#include "nexthop.h"
#include "table.h"

#define ENTITY_MAX_METHODS 32

struct entity {
	struct table *table;
	rtm_handle handle;
	RTM_ENTITY_INFO info;
	RTM_EVENT_CALLBACK callback;
	uint32_t nmethods;
	RTM_ENTITY_EXPORT_METHOD methods[ENTITY_MAX_METHODS];
	int opaque_slot; /* -1: none */
	_Atomic bool registered;
	struct cds_list_head link;
	struct nh_table nexthops;

	pthread_mutex_t lists_lock;
	struct cds_list_head lists;    /* struct route_list.link */
	struct cds_list_head enums;    /* struct rtm_enum.link */
	struct cds_list_head notifies; /* struct notify_reg.link */

	pthread_mutex_t methods_lock;
	pthread_cond_t methods_cv;
	bool methods_blocked;
	uint32_t methods_active;

	struct rcu_head rcu;
};

/*
 * The registered entity behind a caller's RtmRegHandle, or NULL.
 * Call inside rcu_lock(); valid until rcu_unlock().  Inline: every API call
 * starts with it.
 */
static inline struct entity *
entity_caller_rcu(rtm_handle h)
{
	struct entity *e = handle_get(h, HT_ENTITY);

	if (!e || !ld_acquire(&e->registered))
		return NULL;
	return e;
}

/* Same, taking a reference the caller drops with handle_put(e->handle). */
struct entity *entity_caller_ref(rtm_handle h);

void entity_module_init(void);

#endif
