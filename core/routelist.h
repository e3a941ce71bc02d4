/*
 * Route lists (SEMANTICS.md §12): client-owned ordered lists of its own
 * routes.  A route is in at most one list; lists hold no references (a
 * deleted route leaves its list).
 *
 * Fields: owner, handle: immutable; routes (struct route_ext.list_link) and
 * count: owner->lists_lock; link: owner's lists, owner->lists_lock.
 */
#ifndef RTM_ROUTELIST_H
#define RTM_ROUTELIST_H

#include "entity.h"
#include "route.h"

struct route_list {
	struct entity *owner;
	rtm_handle handle;
	struct cds_list_head routes;
	size_t count;
	_Atomic bool dead; /* set once under owner->lists_lock: deleted */
	struct cds_list_head link;
	struct rcu_head rcu;
};

int routelist_create(struct entity *e, rtm_handle *out);

/* The caller's live list behind h with a reference taken, or NULL. */
struct route_list *routelist_ref(rtm_handle h, const struct entity *caller);

/* Move r (the owner's, live) into list, or out of any list for NULL. */
int routelist_move(struct route *r, struct route_list *list);

/* Take r out of its list (r is being deleted). */
void routelist_remove(struct route *r);

/* Referenced handles of the list's routes, in order (caller frees *out). */
int routelist_snapshot(struct route_list *list, rtm_handle **out, size_t *n);

/* Empty and free the list (its handle dies); false if it was already. */
bool routelist_delete(struct route_list *list);

void routelist_module_init(void);

#endif
