/* Entity objects: lookup of a caller's registration, finalisation. */
#include <stdlib.h>

#include "alloc.h"
#include "entity.h"

static void
entity_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	struct entity *e = caa_container_of(head, struct entity, rcu);
	rtm_handle h = e->handle;

	nh_table_fini(&e->nexthops);
	pthread_mutex_destroy(&e->lists_lock);
	pthread_mutex_destroy(&e->methods_lock);
	pthread_cond_destroy(&e->methods_cv);
	rtm_free(e);
	handle_recycle(h);
	rcu_deferred_done();
}

static void
entity_final(void *obj)
{
	struct entity *e = obj;

	rcu_defer(&e->rcu, entity_free_cb);
}

void
entity_module_init(void)
{
	handle_set_finalizer(HT_ENTITY, entity_final);
}

struct entity *
entity_caller_ref(rtm_handle h)
{
	struct entity *e = handle_ref(h, HT_ENTITY);

	if (!e)
		return NULL;
	if (!ld_acquire(&e->registered)) {
		handle_put(h);
		return NULL;
	}
	return e;
}
