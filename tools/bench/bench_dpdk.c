/*
 * bench_dpdk.c - DPDK baselines (built only when pkg-config finds libdpdk):
 *   rte_lpm   DIR-24-8 forwarding table, IPv4 only (rte_lpm_lookup, one address per call)
 *   rte_fib   DIR-24-8 FIB for IPv4, rte_fib6 TRIE for IPv6 (lookup_bulk with n = 1)
 *   rte_rib   control-plane trie, rte_rib / rte_rib6
 *
 * None of them takes concurrent writers or readers during a write without
 * extra machinery (RCU QSBR), so they run in the single-writer phases only.
 * The value stored with a prefix is its index in the data set.
 *
 * EAL runs without hugepages, PCI, telemetry or shared config files.  rte_eal_init
 * pins the calling thread to the first lcore; bench_dpdk_init restores the
 * caller's CPU mask afterwards, or every thread created later would inherit
 * the pin and the multi-thread figures would all run on one CPU.
 */
#define _GNU_SOURCE 1

#include "bench.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_lcore.h>
#include <rte_lpm.h>
#include <rte_malloc.h>
#include <rte_rib.h>
#include <rte_rib6.h>
#include <rte_version.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <sched.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NH_NONE 0x7FFFFFFFull   /* fits the 4-byte next-hop size of rte_fib / rte_fib6 */

enum dkind { K_LPM, K_FIB, K_RIB };

struct dinst {
	enum dkind kind;
	bool v6;
	const struct bench_data *d;
	union {
		struct rte_lpm *lpm;
		struct rte_fib *fib;
		struct rte_fib6 *fib6;
		struct rte_rib *rib;
		struct rte_rib6 *rib6;
	} u;
};

static atomic_uint name_seq;

static inline uint32_t v4(const RTM_NET_ADDRESS *a)
{
	uint32_t x;
	memcpy(&x, a->AddrBits, 4);
	return ntohl(x);
}

static void *d_create(enum dkind kind, const struct bench_data *d, char *err, size_t errlen)
{
	struct dinst *t = calloc(1, sizeof *t);
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->kind = kind;
	t->v6 = d->width == 128;
	t->d = d;
	char name[32];
	snprintf(name, sizeof name, "rtmb%u", atomic_fetch_add(&name_seq, 1));
	int max = (int)(d->n + 1024);
	void *p = NULL;
	switch (kind) {
	case K_LPM: {
		struct rte_lpm_config c = { .max_rules = (uint32_t)max, .number_tbl8s = 1u << 16 };
		p = t->u.lpm = rte_lpm_create(name, SOCKET_ID_ANY, &c);
		break;
	}
	case K_FIB:
		if (!t->v6) {
			struct rte_fib_conf c;
			memset(&c, 0, sizeof c);
			c.type = RTE_FIB_DIR24_8;
			c.default_nh = NH_NONE;
			c.max_routes = max;
			c.dir24_8.nh_sz = RTE_FIB_DIR24_8_4B;
			c.dir24_8.num_tbl8 = 1u << 16;
			p = t->u.fib = rte_fib_create(name, SOCKET_ID_ANY, &c);
		} else {
			struct rte_fib6_conf c;
			memset(&c, 0, sizeof c);
			c.type = RTE_FIB6_TRIE;
			c.default_nh = NH_NONE;
			c.max_routes = max;
			c.trie.nh_sz = RTE_FIB6_TRIE_4B;
			c.trie.num_tbl8 = (uint32_t)(d->n * 3 < (1u << 16) ? (1u << 16) : d->n * 3);
			p = t->u.fib6 = rte_fib6_create(name, SOCKET_ID_ANY, &c);
		}
		break;
	case K_RIB:
		if (!t->v6) {
			struct rte_rib_conf c = { .ext_sz = 0, .max_nodes = 2 * max };
			p = t->u.rib = rte_rib_create(name, SOCKET_ID_ANY, &c);
		} else {
			struct rte_rib6_conf c = { .ext_sz = 0, .max_nodes = 2 * max };
			p = t->u.rib6 = rte_rib6_create(name, SOCKET_ID_ANY, &c);
		}
		break;
	}
	if (!p) {
		snprintf(err, errlen, "create failed: %s", rte_strerror(rte_errno));
		free(t);
		return NULL;
	}
	return t;
}

static void *lpm_create(const struct bench_data *d, char *err, size_t errlen)
{
	if (d->width != 32) {
		snprintf(err, errlen, "rte_lpm is IPv4 only here");
		return NULL;
	}
	return d_create(K_LPM, d, err, errlen);
}

static void *fib_create(const struct bench_data *d, char *err, size_t errlen)
{
	return d_create(K_FIB, d, err, errlen);
}

static void *rib_create(const struct bench_data *d, char *err, size_t errlen)
{
	return d_create(K_RIB, d, err, errlen);
}

static void d_destroy(void *tp)
{
	struct dinst *t = tp;
	switch (t->kind) {
	case K_LPM:
		rte_lpm_free(t->u.lpm);
		break;
	case K_FIB:
		if (t->v6)
			rte_fib6_free(t->u.fib6);
		else
			rte_fib_free(t->u.fib);
		break;
	case K_RIB:
		if (t->v6)
			rte_rib6_free(t->u.rib6);
		else
			rte_rib_free(t->u.rib);
		break;
	}
	free(t);
}

static int d_add(void *tp, size_t i)
{
	struct dinst *t = tp;
	const RTM_NET_ADDRESS *p = &t->d->pfx[i];
	uint8_t depth = (uint8_t)p->NumBits;
	switch (t->kind) {
	case K_LPM:
		return rte_lpm_add(t->u.lpm, v4(p), depth, (uint32_t)i) != 0;
	case K_FIB:
		if (t->v6)
			return rte_fib6_add(t->u.fib6, p->AddrBits, depth, i) != 0;
		return rte_fib_add(t->u.fib, v4(p), depth, i) != 0;
	case K_RIB:
		if (t->v6) {
			struct rte_rib6_node *n = rte_rib6_insert(t->u.rib6, p->AddrBits, depth);
			if (!n && rte_errno == EEXIST)
				n = rte_rib6_lookup_exact(t->u.rib6, p->AddrBits, depth);
			return !n || rte_rib6_set_nh(n, i) != 0;
		} else {
			struct rte_rib_node *n = rte_rib_insert(t->u.rib, v4(p), depth);
			if (!n && rte_errno == EEXIST)
				n = rte_rib_lookup_exact(t->u.rib, v4(p), depth);
			return !n || rte_rib_set_nh(n, i) != 0;
		}
	}
	return 1;
}

static int d_del(void *tp, size_t i)
{
	struct dinst *t = tp;
	const RTM_NET_ADDRESS *p = &t->d->pfx[i];
	uint8_t depth = (uint8_t)p->NumBits;
	switch (t->kind) {
	case K_LPM:
		return rte_lpm_delete(t->u.lpm, v4(p), depth) != 0;
	case K_FIB:
		if (t->v6)
			return rte_fib6_delete(t->u.fib6, p->AddrBits, depth) != 0;
		return rte_fib_delete(t->u.fib, v4(p), depth) != 0;
	case K_RIB:
		if (t->v6) {
			if (!rte_rib6_lookup_exact(t->u.rib6, p->AddrBits, depth))
				return 1;
			rte_rib6_remove(t->u.rib6, p->AddrBits, depth);
		} else {
			if (!rte_rib_lookup_exact(t->u.rib, v4(p), depth))
				return 1;
			rte_rib_remove(t->u.rib, v4(p), depth);
		}
		return 0;
	}
	return 1;
}

/* One lookup; returns the stored value or NH_NONE. */
static inline uint64_t d_lookup(const struct dinst *t, const RTM_NET_ADDRESS *q)
{
	uint64_t nh = NH_NONE;
	switch (t->kind) {
	case K_LPM: {
		uint32_t x;
		if (rte_lpm_lookup(t->u.lpm, v4(q), &x) == 0)
			nh = x;
		break;
	}
	case K_FIB:
		if (t->v6) {
			uint8_t ip[1][16];
			memcpy(ip[0], q->AddrBits, 16);
			rte_fib6_lookup_bulk(t->u.fib6, ip, &nh, 1);
		} else {
			uint32_t ip = v4(q);
			rte_fib_lookup_bulk(t->u.fib, &ip, &nh, 1);
		}
		break;
	case K_RIB:
		if (t->v6) {
			struct rte_rib6_node *n = rte_rib6_lookup(t->u.rib6, q->AddrBits);
			if (n)
				rte_rib6_get_nh(n, &nh);
		} else {
			struct rte_rib_node *n = rte_rib_lookup(t->u.rib, v4(q));
			if (n)
				rte_rib_get_nh(n, &nh);
		}
		break;
	}
	return nh;
}

static uint64_t d_lpm_run(void *tp, const RTM_NET_ADDRESS *q, size_t n, uint64_t *errors)
{
	const struct dinst *t = tp;
	uint64_t found = 0;
	(void)errors;
	switch (t->kind) {   /* the kind is hoisted out of the loop for the fast ones */
	case K_LPM:
		for (size_t i = 0; i < n; i++) {
			uint32_t x;
			found += rte_lpm_lookup(t->u.lpm, v4(&q[i]), &x) == 0;
		}
		break;
	case K_FIB:
		if (!t->v6) {
			for (size_t i = 0; i < n; i++) {
				uint32_t ip = v4(&q[i]);
				uint64_t nh;
				rte_fib_lookup_bulk(t->u.fib, &ip, &nh, 1);
				found += nh != NH_NONE;
			}
			break;
		}
		/* fall through */
	default:
		for (size_t i = 0; i < n; i++)
			found += d_lookup(t, &q[i]) != NH_NONE;
		break;
	}
	return found;
}

static int d_lpm_one(void *tp, const RTM_NET_ADDRESS *q, RTM_NET_ADDRESS *m)
{
	const struct dinst *t = tp;
	uint64_t nh = d_lookup(t, q);
	if (nh == NH_NONE)
		return 0;
	if (nh >= t->d->n)
		return -1;
	*m = t->d->pfx[nh];
	return 1;
}

static int64_t d_alloc_bytes(void *tp)
{
	(void)tp;
	int64_t total = 0;
	for (unsigned i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats s;
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &s) == 0)
			total += (int64_t)s.heap_allocsz_bytes;
	}
	return total;
}

static const char *d_version(void)
{
	return rte_version();
}

#define DPDK_IMPL(NAME, CREATE, CAPS) {                 \
		.name = NAME,                           \
		.caps = BI_LPM | (CAPS),                \
		.create = CREATE,                       \
		.destroy = d_destroy,                   \
		.add = d_add,                           \
		.del = d_del,                           \
		.lpm_run = d_lpm_run,                   \
		.lpm_one = d_lpm_one,                   \
		.alloc_bytes = d_alloc_bytes,           \
		.version = d_version,                   \
	}

const struct bench_impl bench_dpdk_lpm_impl = DPDK_IMPL("rte_lpm", lpm_create, BI_V4);
const struct bench_impl bench_dpdk_fib_impl = DPDK_IMPL("rte_fib", fib_create, BI_V4 | BI_V6);
const struct bench_impl bench_dpdk_rib_impl = DPDK_IMPL("rte_rib", rib_create, BI_V4 | BI_V6);

/*
 * rte_eal_init pins the calling thread to the "-l" lcore and gives its own
 * control threads (interrupt thread, ...) a mask of its choosing, and every
 * thread created afterwards inherits its creator's mask: left alone, a reader and a writer meant for
 * two CPUs would share CPU 0 (an earlier run measured the mixed phase that
 * way).  Give the process's mask back to every thread it has now.
 */
static int restore_every_thread(const cpu_set_t *mask)
{
	if (sched_setaffinity(0, sizeof *mask, mask) != 0)
		return -1;
	DIR *dir = opendir("/proc/self/task");
	if (!dir)
		return 0;   /* the calling thread, the one that matters, is done */
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		pid_t tid = (pid_t)atoi(e->d_name);
		/* a control thread may exit meanwhile: ignore its error */
		if (tid > 0)
			sched_setaffinity(tid, sizeof *mask, mask);
	}
	closedir(dir);
	return 0;
}

int bench_dpdk_init(unsigned mem_mb, char *err, size_t errlen)
{
	cpu_set_t saved;
	bool have_mask = sched_getaffinity(0, sizeof saved, &saved) == 0;
	char mem[16];
	snprintf(mem, sizeof mem, "%u", mem_mb);
	/* one fixed prefix: EAL leaves its (empty) runtime directory behind */
	char prefix[] = "--file-prefix=rtm-bench";
	/* --no-shconf: no shared config files (--in-memory is refused together with --no-huge) */
	char *argv[] = { "rtm-bench", "--no-huge", "-m", mem, "--no-pci", "--no-telemetry",
			 "--no-shconf", prefix, "-l", "0", "--log-level=error", NULL };
	int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
	/* rte_eal_init parses with getopt: start it afresh, and leave it as it was. */
	int saved_optind = optind;
	optind = 0;
	int rc = rte_eal_init(argc, argv);
	optind = saved_optind;
	if (rc < 0) {
		snprintf(err, errlen, "rte_eal_init failed: %s", rte_strerror(rte_errno));
		return -1;
	}
	if (have_mask && restore_every_thread(&saved) != 0) {
		snprintf(err, errlen, "cannot restore the CPU mask after rte_eal_init");
		return -1;
	}
	return 0;
}

void bench_dpdk_cleanup(void)
{
	rte_eal_cleanup();
}
