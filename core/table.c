/*
 * Table registry.  The list of tables is guarded by registry_lock and only
 * grows; a table pointer, once handed out, stays valid for the process.
 */
#include <stdlib.h>
#include <sys/socket.h>

#include "alloc.h"
#include "table.h"

#define DEFAULT_MAX_NEXTHOPS 3
#define DEFAULT_MAX_HANDLES 25
#define LIMIT_MAX_NEXTHOPS 64
#define LIMIT_MAX_HANDLES 4096

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static CDS_LIST_HEAD(registry);

uint32_t
table_family_width(USHORT family)
{
	switch (family) {
	case AF_INET:
		return 32;
	case AF_INET6:
		return 128;
	default:
		return 0;
	}
}

/* A positive integer from the environment within [1, max], else def. */
static uint32_t
env_limit(const char *name, uint32_t def, uint32_t max)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return def;
	v = strtoul(s, &end, 10);
	if (*end || v < 1 || v > max)
		return def;
	return (uint32_t)v;
}

struct table *
table_get(USHORT instance, USHORT family)
{
	struct table *t;

	pthread_mutex_lock(&registry_lock);
	cds_list_for_each_entry(t, &registry, link) {
		if (t->instance == instance && t->family == family)
			goto out;
	}
	t = rtm_calloc(1, sizeof(*t));
	if (!t)
		goto out;
	t->instance = instance;
	t->family = family;
	t->width = table_family_width(family);
	t->max_nexthops =
		env_limit("RTM_MAX_NEXTHOPS_IN_ROUTE", DEFAULT_MAX_NEXTHOPS, LIMIT_MAX_NEXTHOPS);
	t->max_handles = env_limit("RTM_MAX_HANDLES_IN_ENUM", DEFAULT_MAX_HANDLES, LIMIT_MAX_HANDLES);
	if (trie_init(&t->trie)) {
		rtm_free(t);
		t = NULL;
		goto out;
	}
	pthread_mutex_init(&t->entities_lock, NULL);
	CDS_INIT_LIST_HEAD(&t->entities);
	pthread_mutex_init(&t->notify_lock, NULL);
	for (unsigned i = 0; i < 32; i++)
		atomic_init(&t->notify_regs[i], NULL);
	atomic_init(&t->notify_live, 0);
	atomic_init(&t->notify_dests, 0);
	atomic_init(&t->notify_room, UINT64_MAX);
	cds_list_add_tail(&t->link, &registry);
out:
	pthread_mutex_unlock(&registry_lock);
	return t;
}
