/*
 * bench_lfht.c - exact-match baseline: liburcu's lock-free resizable hash
 * table (cds_lfht) with the "memb" RCU flavour, keyed by (length, address).
 *
 * Readers hold the RCU read lock around a lookup; writers add with
 * cds_lfht_add_unique and delete with cds_lfht_del, freeing the node after a
 * grace period (call_rcu).  The table is created at the size of the data set
 * (the baseline's best case: no resize during the load).
 *
 * Every thread that touches a table must be registered with the memb flavour
 * (thread_enter / thread_leave); librtm registers its own threads with the
 * same flavour, so rtm-bench never runs both in one thread.
 */
#define _GNU_SOURCE 1
#define _LGPL_SOURCE 1

#include "bench.h"

#include <urcu/urcu-memb.h>
#include <urcu/rculfhash.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lf_node {
	struct cds_lfht_node node;
	uint32_t value;
	uint8_t len;
	uint8_t bytes[16];
	struct rcu_head rcu;
};

struct lf_table {
	struct cds_lfht *ht;
	const struct bench_data *d;
	unsigned nbytes;
	uint64_t seed;
};

static uint64_t key_hash(const struct lf_table *t, const RTM_NET_ADDRESS *p)
{
	uint64_t h = t->seed ^ ((uint64_t)p->NumBits * 0x9E3779B97F4A7C15ull);
	for (unsigned off = 0; off < t->nbytes; off += 4) {
		uint32_t w;
		memcpy(&w, p->AddrBits + off, 4);
		h = (h ^ w) * 0xD6E8FEB86659FD93ull;
		h ^= h >> 32;
	}
	h *= 0xFF51AFD7ED558CCDull;
	return h ^ (h >> 29);
}

struct lf_key {
	const RTM_NET_ADDRESS *p;
	unsigned nbytes;
};

static int key_match(struct cds_lfht_node *node, const void *keyp)
{
	const struct lf_node *n = caa_container_of(node, struct lf_node, node);
	const struct lf_key *k = keyp;
	return n->len == k->p->NumBits && memcmp(n->bytes, k->p->AddrBits, k->nbytes) == 0;
}

static void lf_thread_enter(void)
{
	urcu_memb_register_thread();
}

static void lf_thread_leave(void)
{
	urcu_memb_unregister_thread();
}

static void *lf_create(const struct bench_data *d, char *err, size_t errlen)
{
	struct lf_table *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	unsigned long size = 1;
	while (size < d->n)
		size <<= 1;
	t->ht = cds_lfht_new_flavor(size, 1024, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING,
				    &urcu_memb_flavor, NULL);
	if (!t->ht) {
		free(t);
		snprintf(err, errlen, "cds_lfht_new failed");
		return NULL;
	}
	t->d = d;
	t->nbytes = d->width / 8;
	t->seed = 0x243F6A8885A308D3ull;
	return t;
}

static void free_node_cb(struct rcu_head *h)
{
	free(caa_container_of(h, struct lf_node, rcu));
}

static void lf_destroy(void *tp)
{
	struct lf_table *t = tp;
	struct cds_lfht_iter it;
	struct lf_node *n;
	urcu_memb_read_lock();
	cds_lfht_for_each_entry(t->ht, &it, n, node) {
		if (cds_lfht_del(t->ht, &n->node) == 0)
			urcu_memb_call_rcu(&n->rcu, free_node_cb);
	}
	urcu_memb_read_unlock();
	urcu_memb_barrier();   /* every deferred free done before the table goes */
	cds_lfht_destroy(t->ht, NULL);
	free(t);
}

static int lf_add(void *tp, size_t i)
{
	struct lf_table *t = tp;
	const RTM_NET_ADDRESS *p = &t->d->pfx[i];
	struct lf_node *n = malloc(sizeof *n);
	if (!n)
		return 1;
	cds_lfht_node_init(&n->node);
	n->value = (uint32_t)i;
	n->len = (uint8_t)p->NumBits;
	memcpy(n->bytes, p->AddrBits, t->nbytes);
	struct lf_key k = { p, t->nbytes };
	urcu_memb_read_lock();
	struct cds_lfht_node *got = cds_lfht_add_unique(t->ht, key_hash(t, p), key_match, &k, &n->node);
	urcu_memb_read_unlock();
	if (got != &n->node) {   /* already there: keep the old one */
		free(n);
		return 0;
	}
	return 0;
}

static int lf_del(void *tp, size_t i)
{
	struct lf_table *t = tp;
	const RTM_NET_ADDRESS *p = &t->d->pfx[i];
	struct lf_key k = { p, t->nbytes };
	struct cds_lfht_iter it;
	int rc = 1;
	urcu_memb_read_lock();
	cds_lfht_lookup(t->ht, key_hash(t, p), key_match, &k, &it);
	struct cds_lfht_node *node = cds_lfht_iter_get_node(&it);
	if (node && cds_lfht_del(t->ht, node) == 0) {
		urcu_memb_call_rcu(&caa_container_of(node, struct lf_node, node)->rcu, free_node_cb);
		rc = 0;
	}
	urcu_memb_read_unlock();
	return rc;
}

static inline const struct lf_node *lf_find(struct lf_table *t, const RTM_NET_ADDRESS *p)
{
	struct lf_key k = { p, t->nbytes };
	struct cds_lfht_iter it;
	cds_lfht_lookup(t->ht, key_hash(t, p), key_match, &k, &it);
	struct cds_lfht_node *node = cds_lfht_iter_get_node(&it);
	return node ? caa_container_of(node, struct lf_node, node) : NULL;
}

static uint64_t lf_exact_run(void *tp, const RTM_NET_ADDRESS *q, size_t n, uint64_t *errors)
{
	struct lf_table *t = tp;
	uint64_t found = 0;
	(void)errors;
	for (size_t i = 0; i < n; i++) {
		urcu_memb_read_lock();
		const struct lf_node *x = lf_find(t, &q[i]);
		found += x != NULL && x->value != UINT32_MAX;
		urcu_memb_read_unlock();
	}
	return found;
}

static int lf_exact_one(void *tp, const RTM_NET_ADDRESS *q, RTM_NET_ADDRESS *m)
{
	struct lf_table *t = tp;
	int rc = 0;
	urcu_memb_read_lock();
	const struct lf_node *x = lf_find(t, q);
	if (x) {
		*m = t->d->pfx[x->value];
		rc = 1;
	}
	urcu_memb_read_unlock();
	return rc;
}

#ifndef RTM_BENCH_URCU_VERSION
#define RTM_BENCH_URCU_VERSION "?"
#endif

static const char *lf_version(void)
{
	return "liburcu " RTM_BENCH_URCU_VERSION;
}

const struct bench_impl bench_lfht_impl = {
	.name = "cds_lfht",
	.caps = BI_EXACT | BI_V4 | BI_V6 | BI_MT_WRITE | BI_RW,
	.create = lf_create,
	.destroy = lf_destroy,
	.add = lf_add,
	.del = lf_del,
	.exact_run = lf_exact_run,
	.exact_one = lf_exact_one,
	.thread_enter = lf_thread_enter,
	.thread_leave = lf_thread_leave,
	.version = lf_version,
};
