/*
 * Patricia trie with RCU readers.
 *
 * Ordering: a writer initialises a node completely (key, children, dest)
 * with relaxed stores and publishes it with a release store into the slot
 * that makes it reachable; readers load every child/dest pointer with
 * acquire (pairs with those release stores).  An unlinked node keeps its
 * child pointers, so a reader standing on it still walks to valid nodes; it
 * is freed after a grace period.
 *
 * Progress: readers are wait-free (at most TRIE_MAX_DEPTH steps).  Writers are
 * serialised by the table's trie_lock.
 */
#include <errno.h>
#include <stdlib.h>

#include "alloc.h"
#include "dest.h"
#include "trie.h"

void
trie_init(struct trie *t)
{
	atomic_init(&t->root, NULL);
	atomic_init(&t->ndests, 0);
}

static void
node_free_cb(struct rcu_head *head)
{
	rcu_deferred_begin(head);
	rtm_free(caa_container_of(head, struct trie_node, rcu));
	rcu_deferred_done();
}

static struct trie_node *
node_new(const struct prefix *key, struct dest *d)
{
	struct trie_node *n = rtm_malloc(sizeof(*n));

	if (!n)
		return NULL;
	atomic_init(&n->child[0], NULL);
	atomic_init(&n->child[1], NULL);
	atomic_init(&n->dest, d);
	n->key = *key;
	return n;
}

struct dest *
trie_lookup_exact_rcu(struct trie *t, const struct prefix *key)
{
	struct trie_node *n = ld_acquire(&t->root);

	while (n) {
		if (n->key.len > key->len || !prefix_match_len(&n->key, key, n->key.len))
			return NULL;
		if (n->key.len == key->len)
			return ld_acquire(&n->dest);
		n = ld_acquire(&n->child[prefix_bit(key, n->key.len)]);
	}
	return NULL;
}

unsigned
trie_covering_rcu(struct trie *t, const struct prefix *key, struct dest **out)
{
	struct trie_node *n = ld_acquire(&t->root);
	unsigned count = 0;

	while (n) {
		struct dest *d;

		if (n->key.len > key->len || !prefix_match_len(&n->key, key, n->key.len))
			break;
		d = ld_acquire(&n->dest);
		if (d)
			out[count++] = d;
		if (n->key.len == key->len)
			break;
		n = ld_acquire(&n->child[prefix_bit(key, n->key.len)]);
	}
	return count;
}

/* First destination of n's subtree in enumeration order (pre-order). */
static struct dest *
subtree_first(struct trie_node *n)
{
	struct trie_node *stack[TRIE_MAX_DEPTH * 2];
	unsigned sp = 0;

	if (n)
		stack[sp++] = n;
	while (sp) {
		struct trie_node *c;
		struct dest *d;

		n = stack[--sp];
		d = ld_acquire(&n->dest);
		if (d)
			return d;
		/* Push child 1 first so that child 0 is visited first. */
		c = ld_acquire(&n->child[1]);
		if (c)
			stack[sp++] = c;
		c = ld_acquire(&n->child[0]);
		if (c)
			stack[sp++] = c;
	}
	return NULL;
}

static struct dest *
next_in(struct trie_node *n, const struct prefix *key, bool strict, unsigned depth)
{
	int c;

	if (!n || depth > TRIE_MAX_DEPTH)
		return NULL;
	c = prefix_cmp(&n->key, key);
	if (c > 0 || (c == 0 && !strict))
		return subtree_first(n); /* the whole subtree is after key */
	if (c == 0) {
		/* n == key, strict: everything below n comes after it. */
		struct dest *d = subtree_first(ld_acquire(&n->child[0]));

		return d ? d : subtree_first(ld_acquire(&n->child[1]));
	}
	/* n < key.  If key is outside n's range, the whole subtree is before it. */
	if (key->len < n->key.len || !prefix_match_len(&n->key, key, n->key.len))
		return NULL;
	{
		struct dest *d = next_in(ld_acquire(&n->child[0]), key, strict, depth + 1);

		return d ? d : next_in(ld_acquire(&n->child[1]), key, strict, depth + 1);
	}
}

struct dest *
trie_next_rcu(struct trie *t, const struct prefix *key, bool strict)
{
	struct trie_node *root = ld_acquire(&t->root);

	if (!key)
		return subtree_first(root);
	return next_in(root, key, strict, 0);
}

int
trie_insert_locked(struct trie *t, struct dest *d)
{
	const struct prefix *key = &d->key;
	_Atomic(struct trie_node *) *slot = &t->root;
	struct trie_node *n;

	for (;;) {
		uint32_t common;

		n = ld_relaxed(slot);
		if (!n) {
			struct trie_node *leaf = node_new(key, d);

			if (!leaf)
				return -ENOMEM;
			st_release(slot, leaf); /* pairs with readers' acquire */
			break;
		}
		common = prefix_common_len(&n->key, key,
					   n->key.len < key->len ? n->key.len : key->len);
		if (common == n->key.len && common == key->len) {
			if (ld_relaxed(&n->dest))
				return -EEXIST;
			st_release(&n->dest, d);
			break;
		}
		if (common == n->key.len) {
			/* n covers key: go down. */
			slot = &n->child[prefix_bit(key, n->key.len)];
			continue;
		}
		if (common == key->len) {
			/* key covers n: the new node goes between. */
			struct trie_node *mid = node_new(key, d);

			if (!mid)
				return -ENOMEM;
			atomic_init(&mid->child[prefix_bit(&n->key, key->len)], n);
			st_release(slot, mid);
			break;
		}
		/* They diverge at bit `common`: a glue node with both below it. */
		{
			struct prefix gkey = *key;
			struct trie_node *glue, *leaf;

			gkey.len = common;
			prefix_mask(&gkey);
			glue = node_new(&gkey, NULL);
			leaf = node_new(key, d);
			if (!glue || !leaf) {
				rtm_free(glue);
				rtm_free(leaf);
				return -ENOMEM;
			}
			atomic_init(&glue->child[prefix_bit(key, common)], leaf);
			atomic_init(&glue->child[prefix_bit(&n->key, common)], n);
			st_release(slot, glue);
		}
		break;
	}
	fetch_add_relaxed(&t->ndests, 1);
	return 0;
}

static void
node_retire(struct trie_node *n)
{
	rcu_defer(&n->rcu, node_free_cb);
}

void
trie_remove_locked(struct trie *t, struct dest *d)
{
	_Atomic(struct trie_node *) *slot = &t->root, *parent_slot = NULL;
	struct trie_node *n, *parent = NULL;
	const struct prefix *key = &d->key;

	for (;;) {
		n = ld_relaxed(slot);
		if (!n)
			abort(); /* broken invariant: d is in the trie */
		if (n->key.len == key->len) {
			if (ld_relaxed(&n->dest) != d)
				abort();
			break;
		}
		parent_slot = slot;
		parent = n;
		slot = &n->child[prefix_bit(key, n->key.len)];
	}
	fetch_sub_acq_rel(&t->ndests, 1);

	struct trie_node *c0 = ld_relaxed(&n->child[0]);
	struct trie_node *c1 = ld_relaxed(&n->child[1]);

	if (c0 && c1) {
		st_release(&n->dest, NULL); /* n stays as a glue node */
		return;
	}
	if (c0 || c1) {
		st_release(slot, c0 ? c0 : c1); /* splice n out */
		node_retire(n);
		return;
	}
	/* Leaf: unlink it; a glue parent left with one child goes too. */
	st_release(slot, NULL);
	node_retire(n);
	if (parent && !ld_relaxed(&parent->dest)) {
		struct trie_node *other = ld_relaxed(&parent->child[0]);

		if (!other)
			other = ld_relaxed(&parent->child[1]);
		st_release(parent_slot, other);
		node_retire(parent);
	}
}

static void
destroy_rec(struct trie_node *n)
{
	if (!n)
		return;
	destroy_rec(ld_relaxed(&n->child[0]));
	destroy_rec(ld_relaxed(&n->child[1]));
	rtm_free(n);
}

void
trie_destroy(struct trie *t)
{
	destroy_rec(ld_relaxed(&t->root));
	st_relaxed(&t->root, NULL);
}
