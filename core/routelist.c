/* Route lists.  See routelist.h. */
#include <errno.h>
#include <stdlib.h>

#include "alloc.h"
#include "routelist.h"

static void
list_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	struct route_list *l = caa_container_of(head, struct route_list, rcu);
	rtm_handle h = l->handle;

	rtm_free(l);
	handle_recycle(h);
	rcu_deferred_done();
}

static void
list_final(void *obj)
{
	struct route_list *l = obj;

	handle_put(l->owner->handle);
	rcu_defer(&l->rcu, list_free_cb);
}

void
routelist_module_init(void)
{
	handle_set_finalizer(HT_ROUTE_LIST, list_final);
}

int
routelist_create(struct entity *e, rtm_handle *out)
{
	struct route_list *l = rtm_calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->owner = e;
	CDS_INIT_LIST_HEAD(&l->routes);
	if (handle_alloc(HT_ROUTE_LIST, l, 1, &l->handle) != 0) {
		rtm_free(l);
		return -ENOMEM;
	}
	handle_ref(e->handle, HT_ENTITY);
	pthread_mutex_lock(&e->lists_lock);
	cds_list_add_tail(&l->link, &e->lists);
	pthread_mutex_unlock(&e->lists_lock);
	*out = l->handle;
	return 0;
}

struct route_list *
routelist_ref(rtm_handle h, const struct entity *caller)
{
	struct route_list *l = handle_ref(h, HT_ROUTE_LIST);

	if (l && (l->owner != caller || ld_acquire(&l->dead))) {
		handle_put(h);
		l = NULL;
	}
	return l;
}

/* Under owner->lists_lock. */
static void
unlink_locked(struct route_ext *x)
{
	if (x->list) {
		cds_list_del_init(&x->list_link);
		x->list->count--;
		x->list = NULL;
	}
}

int
routelist_move(struct route *r, struct route_list *list)
{
	struct entity *e = r->owner;
	struct route_ext *x = list ? route_ext_get(r) : ld_acquire(&r->ext);

	if (!x)
		return list ? -ENOMEM : 0;
	pthread_mutex_lock(&e->lists_lock);
	/* A deleted route is in no list (routelist_remove runs after the state
	 * changes, under this lock). */
	if (ld_acquire(&r->state) == RTM_ROUTE_STATE_CREATED) {
		unlink_locked(x);
		if (list) {
			cds_list_add_tail(&x->list_link, &list->routes);
			x->list = list;
			list->count++;
		}
	}
	pthread_mutex_unlock(&e->lists_lock);
	return 0;
}

void
routelist_remove(struct route *r)
{
	struct route_ext *x = ld_acquire(&r->ext);

	if (!x)
		return;
	pthread_mutex_lock(&r->owner->lists_lock);
	unlink_locked(x);
	pthread_mutex_unlock(&r->owner->lists_lock);
}

int
routelist_snapshot(struct route_list *list, rtm_handle **out, size_t *n)
{
	struct entity *e = list->owner;
	struct route_ext *x;
	size_t i = 0;

	pthread_mutex_lock(&e->lists_lock);
	*out = rtm_malloc((list->count ? list->count : 1) * sizeof(**out));
	if (!*out) {
		pthread_mutex_unlock(&e->lists_lock);
		return -ENOMEM;
	}
	cds_list_for_each_entry(x, &list->routes, list_link) {
		handle_ref(x->route->handle, HT_ROUTE);
		(*out)[i++] = x->route->handle;
	}
	pthread_mutex_unlock(&e->lists_lock);
	*n = i;
	return 0;
}

bool
routelist_delete(struct route_list *list)
{
	struct entity *e = list->owner;
	struct route_ext *x, *next;

	pthread_mutex_lock(&e->lists_lock);
	if (ld_relaxed(&list->dead)) {
		pthread_mutex_unlock(&e->lists_lock);
		return false;
	}
	st_release(&list->dead, true);
	cds_list_for_each_entry_safe(x, next, &list->routes, list_link)
		unlink_locked(x);
	cds_list_del(&list->link);
	pthread_mutex_unlock(&e->lists_lock);
	handle_put(list->handle);
	return true;
}
