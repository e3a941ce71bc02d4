/* One-time set-up of the library: the finalizers of each object type. */
#include <pthread.h>

#include "dest.h"
#include "enum.h"
#include "notify.h"
#include "routelist.h"
#include "entity.h"
#include "init.h"
#include "nexthop.h"
#include "route.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void
init_modules(void)
{
	dest_module_init();
	entity_module_init();
	nexthop_module_init();
	route_module_init();
	enum_module_init();
	notify_module_init();
	routelist_module_init();
}

void
rtm_init(void)
{
	pthread_once(&init_once, init_modules);
}
