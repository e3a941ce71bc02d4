/*
 * The trie nodes a writing thread keeps for reuse (see node_cache.h).  The
 * cache is allocated on the first keep, and freed with what it holds by a
 * thread-specific key's destructor at the thread's exit.
 */
#include <pthread.h>
#include <string.h>

#include "alloc.h"
#include "node_cache.h"
#include "prefetch.h"
#include "rcu.h"

static __thread struct node_cache *mine;
static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static bool exit_key_made;

static void
cache_free(void *arg)
{
	struct node_cache *c = arg;

	for (unsigned k = 0; k < NODE_CACHE_CLASSES; k++) {
		while (c->n[k])
			rtm_free(c->node[k][--c->n[k]]);
		rtm_free(c->node[k]);
	}
	rtm_free(c);
	mine = NULL;
}

static void
make_exit_key(void)
{
	exit_key_made = pthread_key_create(&exit_key, cache_free) == 0;
}

/* The calling thread's cache, made on first use; NULL if it cannot be. */
static struct node_cache *
cache_mine(void)
{
	struct node_cache *c;

	if (mine)
		return mine;
	pthread_once(&exit_key_once, make_exit_key);
	if (!exit_key_made)
		return NULL;
	c = rtm_calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (pthread_setspecific(exit_key, c) != 0) {
		rtm_free(c);
		return NULL;
	}
	return mine = c;
}

/*
 * How much of the node the next take of the same class will return is
 * prefetched, for writing, one take ahead: a kept node waited a grace
 * period and is cold, and the writer that takes it fills it at once (a copy
 * of the node it replaces), so its misses then overlap the next change's
 * trie walk instead of following it.  The lines past these the copy
 * streams in itself.
 */
#define NODE_PREFETCH_BYTES (4 * PREFETCH_LINE_BYTES)

void *
node_cache_take(unsigned cls, size_t bytes)
{
	struct node_cache *c = mine;
	void *node;

	if (!c || cls >= NODE_CACHE_CLASSES || c->n[cls] == 0)
		return NULL;
	c->bytes -= bytes;
	node = c->node[cls][--c->n[cls]];
	if (c->n[cls])
		prefetch_for_write(c->node[cls][c->n[cls] - 1],
				   bytes < NODE_PREFETCH_BYTES ? bytes : NODE_PREFETCH_BYTES);
	return node;
}

/* Grow c's full stack of class cls; false if it holds NODE_CACHE_DEPTH
 * already or cannot grow. */
static bool
stack_grow(struct node_cache *c, unsigned cls)
{
	unsigned room = c->room[cls] ? 2u * c->room[cls] : NODE_CACHE_FIRST_ROOM;
	void **grown;

	if (c->room[cls] >= NODE_CACHE_DEPTH)
		return false;
	if (room > NODE_CACHE_DEPTH)
		room = NODE_CACHE_DEPTH;
	grown = rtm_malloc(room * sizeof(*grown));
	if (!grown)
		return false;
	if (c->n[cls])
		memcpy(grown, c->node[cls], c->n[cls] * sizeof(*grown));
	rtm_free(c->node[cls]);
	c->node[cls] = grown;
	c->room[cls] = (uint16_t)room;
	return true;
}

bool
node_cache_keep(unsigned cls, void *node, size_t bytes)
{
	struct node_cache *c;

	if (!NODE_CACHE_ON || !rcu_thread_registered || cls >= NODE_CACHE_CLASSES)
		return false;
	c = cache_mine();
	if (!c || c->bytes + bytes > NODE_CACHE_BYTES)
		return false;
	if (c->n[cls] == c->room[cls] && !stack_grow(c, cls))
		return false;
	c->bytes += bytes;
	c->node[cls][c->n[cls]++] = node;
	return true;
}

const struct node_cache *
node_cache_mine(void)
{
	return mine;
}
