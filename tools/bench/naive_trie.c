/*
 * naive_trie.c - the simplest baseline: a binary trie with one node per bit,
 * each node a separate malloc, the whole structure under one pthread_rwlock
 * (readers share it, writers take it exclusively).
 *
 * It is also the reference every other structure's answers are compared with.
 */
#define _GNU_SOURCE 1

#include "bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NO_VALUE UINT32_MAX

struct nnode {
	struct nnode *child[2];
	uint32_t value;            /* NO_VALUE: no prefix ends here */
};

struct naive_trie {
	pthread_rwlock_t lock;
	struct nnode *root;        /* the /0 node, always present */
	unsigned width;
	size_t nodes;
	const struct bench_data *d;
};

static struct nnode *node_new(void)
{
	struct nnode *n = malloc(sizeof *n);
	if (n) {
		n->child[0] = n->child[1] = NULL;
		n->value = NO_VALUE;
	}
	return n;
}

struct naive_trie *naive_trie_new(unsigned width)
{
	struct naive_trie *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->root = node_new();
	if (!t->root) {
		free(t);
		return NULL;
	}
	t->nodes = 1;
	t->width = width;
	pthread_rwlock_init(&t->lock, NULL);
	return t;
}

void naive_trie_free(struct naive_trie *t)
{
	if (!t)
		return;
	/* Iterative post-order walk with an explicit stack (depth <= 129). */
	struct nnode *stack[130];
	unsigned char side[130];
	int sp = 0;
	stack[0] = t->root;
	side[0] = 0;
	while (sp >= 0) {
		struct nnode *n = stack[sp];
		if (side[sp] < 2) {
			struct nnode *c = n->child[side[sp]++];
			if (c) {
				stack[++sp] = c;
				side[sp] = 0;
			}
			continue;
		}
		free(n);
		sp--;
	}
	pthread_rwlock_destroy(&t->lock);
	free(t);
}

static int insert_locked(struct naive_trie *t, const RTM_NET_ADDRESS *p, uint32_t val)
{
	struct nnode *n = t->root;
	for (unsigned i = 0; i < p->NumBits; i++) {
		unsigned b = bench_bit(p, i);
		if (!n->child[b]) {
			struct nnode *c = node_new();
			if (!c)
				return -1;
			n->child[b] = c;
			t->nodes++;
		}
		n = n->child[b];
	}
	int fresh = n->value == NO_VALUE;
	n->value = val;
	return fresh;
}

int naive_trie_insert(struct naive_trie *t, const RTM_NET_ADDRESS *p, uint32_t val)
{
	pthread_rwlock_wrlock(&t->lock);
	int rc = insert_locked(t, p, val);
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

int naive_trie_delete(struct naive_trie *t, const RTM_NET_ADDRESS *p)
{
	struct nnode *path[130];
	int rc = 0;
	pthread_rwlock_wrlock(&t->lock);
	struct nnode *n = t->root;
	path[0] = n;
	unsigned depth = 0;
	for (; depth < p->NumBits && n; depth++) {
		n = n->child[bench_bit(p, depth)];
		path[depth + 1] = n;
	}
	if (n && n->value != NO_VALUE) {
		n->value = NO_VALUE;
		rc = 1;
		/* Prune the nodes that now lead nowhere, bottom up (never the root). */
		for (unsigned k = depth; k > 0; k--) {
			struct nnode *x = path[k];
			if (x->value != NO_VALUE || x->child[0] || x->child[1])
				break;
			path[k - 1]->child[bench_bit(p, k - 1)] = NULL;
			free(x);
			t->nodes--;
		}
	}
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

uint32_t naive_trie_lpm_nolock(const struct naive_trie *t, const RTM_NET_ADDRESS *a)
{
	const struct nnode *n = t->root;
	uint32_t best = n->value;
	for (unsigned i = 0; i < t->width; i++) {
		n = n->child[bench_bit(a, i)];
		if (!n)
			break;
		if (n->value != NO_VALUE)
			best = n->value;
	}
	return best;
}

uint32_t naive_trie_lpm(struct naive_trie *t, const RTM_NET_ADDRESS *a)
{
	pthread_rwlock_rdlock(&t->lock);
	uint32_t v = naive_trie_lpm_nolock(t, a);
	pthread_rwlock_unlock(&t->lock);
	return v;
}

uint32_t naive_trie_exact(struct naive_trie *t, const RTM_NET_ADDRESS *p)
{
	pthread_rwlock_rdlock(&t->lock);
	const struct nnode *n = t->root;
	for (unsigned i = 0; i < p->NumBits && n; i++)
		n = n->child[bench_bit(p, i)];
	uint32_t v = n ? n->value : NO_VALUE;
	pthread_rwlock_unlock(&t->lock);
	return v;
}

size_t naive_trie_nodes(const struct naive_trie *t)
{
	return t->nodes;
}

/* --- as a benchmarked structure --------------------------------------------- */

static void *nt_create(const struct bench_data *d, char *err, size_t errlen)
{
	struct naive_trie *t = naive_trie_new(d->width);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->d = d;
	return t;
}

static void nt_destroy(void *t)
{
	naive_trie_free(t);
}

static int nt_add(void *tp, size_t i)
{
	struct naive_trie *t = tp;
	return naive_trie_insert(t, &t->d->pfx[i], (uint32_t)i) < 0;
}

static int nt_del(void *tp, size_t i)
{
	struct naive_trie *t = tp;
	return naive_trie_delete(t, &t->d->pfx[i]) != 1;
}

static uint64_t nt_lpm_run(void *tp, const RTM_NET_ADDRESS *q, size_t n, uint64_t *errors)
{
	struct naive_trie *t = tp;
	uint64_t found = 0;
	(void)errors;
	for (size_t i = 0; i < n; i++)
		found += naive_trie_lpm(t, &q[i]) != NO_VALUE;
	return found;
}

static uint64_t nt_exact_run(void *tp, const RTM_NET_ADDRESS *q, size_t n, uint64_t *errors)
{
	struct naive_trie *t = tp;
	uint64_t found = 0;
	(void)errors;
	for (size_t i = 0; i < n; i++)
		found += naive_trie_exact(t, &q[i]) != NO_VALUE;
	return found;
}

static int nt_lpm_one(void *tp, const RTM_NET_ADDRESS *q, RTM_NET_ADDRESS *m)
{
	struct naive_trie *t = tp;
	uint32_t v = naive_trie_lpm(t, q);
	if (v == NO_VALUE)
		return 0;
	*m = t->d->pfx[v];
	return 1;
}

static int nt_exact_one(void *tp, const RTM_NET_ADDRESS *q, RTM_NET_ADDRESS *m)
{
	struct naive_trie *t = tp;
	uint32_t v = naive_trie_exact(t, q);
	if (v == NO_VALUE)
		return 0;
	*m = t->d->pfx[v];
	return 1;
}

const struct bench_impl bench_naive_impl = {
	.name = "naive-trie",
	.caps = BI_LPM | BI_EXACT | BI_V4 | BI_V6 | BI_MT_WRITE | BI_RW,
	.create = nt_create,
	.destroy = nt_destroy,
	.add = nt_add,
	.del = nt_del,
	.lpm_run = nt_lpm_run,
	.exact_run = nt_exact_run,
	.lpm_one = nt_lpm_one,
	.exact_one = nt_exact_one,
};
