/*
 * bench.h - shared declarations of rtm-bench (tools/rtm-bench.c) and its
 * baseline structures (the other .c files of tools/bench).
 *
 * Every structure under test, librtm included, is driven through one small
 * table of functions (struct bench_impl), so that each phase runs the same
 * code, on the same data, against every structure.  Values stored with a
 * prefix are indices into the data set's prefix array (bench_data.pfx), which
 * lets a structure's answer be mapped back to a prefix and compared with the
 * reference trie.
 */
#ifndef RTM_BENCH_H
#define RTM_BENCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <rtmv2.h>

/* Seconds on the monotonic clock, for every timed measurement of rtm-bench. */
static inline double
bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* What a structure can do. */
enum {
	BI_LPM = 1u << 0,        /* longest-prefix match */
	BI_EXACT = 1u << 1,      /* exact prefix match */
	BI_V4 = 1u << 2,
	BI_V6 = 1u << 3,
	BI_MT_WRITE = 1u << 4,   /* several writers at once (load with W writers) */
	BI_RW = 1u << 5,         /* readers run while a writer changes it (mixed) */
	/*
	 * Keeps memory it freed for its own later use (librtm's slab arenas), so
	 * a load after an earlier instance's grows the heap by less than it
	 * uses: its memory figure is taken in a child forked before any use.
	 */
	BI_KEEPS_MEMORY = 1u << 6,
};

/* The data set one family is benchmarked on. */
struct bench_data {
	const char *name;              /* "ipv4", "ipv6" */
	const char *path;
	unsigned family, width;        /* AF_INET / AF_INET6, 32 / 128 */
	const RTM_NET_ADDRESS *pfx;    /* distinct prefixes, file order */
	size_t n;
};

struct bench_impl {
	const char *name;
	unsigned caps;
	/* Creates an empty structure for d; NULL and a message in err on failure. */
	void *(*create)(const struct bench_data *d, char *err, size_t errlen);
	void (*destroy)(void *t);
	/* Adds prefix d->pfx[i] (value i); 0 or an error code (nonzero). */
	int (*add)(void *t, size_t i);
	/* Deletes prefix d->pfx[i]; 0 or an error code. */
	int (*del)(void *t, size_t i);
	/*
	 * Timed lookups of n addresses (LPM) or prefixes (exact), one structure
	 * call per address.  Returns how many were found; adds API errors to *errors.
	 */
	uint64_t (*lpm_run)(void *t, const RTM_NET_ADDRESS *q, size_t n, uint64_t *errors);
	uint64_t (*exact_run)(void *t, const RTM_NET_ADDRESS *q, size_t n, uint64_t *errors);
	/* One checked lookup: 1 and the matching prefix in *m, 0 if none, < 0 on an API error. */
	int (*lpm_one)(void *t, const RTM_NET_ADDRESS *q, RTM_NET_ADDRESS *m);
	int (*exact_one)(void *t, const RTM_NET_ADDRESS *q, RTM_NET_ADDRESS *m);
	/* Optional: bytes the structure's own allocator holds (DPDK's heap); -1 = use malloc's figure. */
	int64_t (*alloc_bytes)(void *t);
	/* Optional: called in each thread before and after it uses the structure. */
	void (*thread_enter)(void);
	void (*thread_leave)(void);
	/* Optional: churn needs per-structure preparation (librtm: route handles). */
	int (*churn_prepare)(void *t, const size_t *keys, size_t nkeys);
	int (*churn_op)(void *t, size_t slot, size_t i);   /* delete + re-add of keys[slot] == i */
	void (*churn_finish)(void *t);
	/* Optional: version string of the library behind it. */
	const char *(*version)(void);
	/*
	 * Optional: the same instance read through a second, faster lookup
	 * interface (librtm: RtmxLookupRoute).  Only its lookup functions are
	 * set; the driver runs the lookup and mixed phases and the checks
	 * through it too, recording its rows under its own name.
	 */
	const struct bench_impl *fast_path;
};

/* naive_trie.c: one node per bit under one pthread_rwlock (also the reference). */
extern const struct bench_impl bench_naive_impl;
struct naive_trie;
struct naive_trie *naive_trie_new(unsigned width);
void naive_trie_free(struct naive_trie *t);
/* 1 = inserted, 0 = was there (value replaced), -1 = out of memory. */
int naive_trie_insert(struct naive_trie *t, const RTM_NET_ADDRESS *p, uint32_t val);
/* 1 = deleted, 0 = not there. */
int naive_trie_delete(struct naive_trie *t, const RTM_NET_ADDRESS *p);
/* Value of the longest match, or UINT32_MAX. */
uint32_t naive_trie_lpm(struct naive_trie *t, const RTM_NET_ADDRESS *a);
uint32_t naive_trie_exact(struct naive_trie *t, const RTM_NET_ADDRESS *p);
/* The same without taking the lock (single-threaded reference use). */
uint32_t naive_trie_lpm_nolock(const struct naive_trie *t, const RTM_NET_ADDRESS *a);
size_t naive_trie_nodes(const struct naive_trie *t);

/* bench_lfht.c: liburcu cds_lfht, exact match only. */
extern const struct bench_impl bench_lfht_impl;

/* bench_rtm.c: librtm through the RTMv2 API, and its fast path ("librtm-fwd"). */
extern const struct bench_impl bench_rtm_impl;
extern const struct bench_impl bench_rtm_fwd_impl;
/* Lock benchmark: ns per RtmLockRoute lock+unlock pair on one route of t. */
int bench_rtm_locks(void *t, bool exclusive, double min_s, double *ns_per_pair);
/* Progress callback used by the librtm single-writer load (may be NULL). */
extern void (*bench_progress)(size_t done, size_t total);

#ifdef RTM_BENCH_HAVE_DPDK
/* bench_dpdk.c: rte_lpm (IPv4), rte_fib / rte_fib6, rte_rib / rte_rib6. */
extern const struct bench_impl bench_dpdk_lpm_impl;
extern const struct bench_impl bench_dpdk_fib_impl;
extern const struct bench_impl bench_dpdk_rib_impl;
/* rte_eal_init without hugepages, then the caller's CPU mask restored. 0 or -1 (msg in err). */
int bench_dpdk_init(unsigned mem_mb, char *err, size_t errlen);
void bench_dpdk_cleanup(void);
#endif

/* How a phase hands a figure to rtm-bench's report (v: one value per repetition). */
typedef void (*bench_rec_fn)(const char *fam, const char *phase, const char *metric, const char *kase,
			     int threads, const char *impl, const char *unit, bool higher_better,
			     const double *v, int nv);

/*
 * multipath.c: the `multipath` phase on a bgpdump -m file (first max_dests
 * prefixes, 0 = all): load, then reps times withdraw and re-add the busiest
 * peer, librtm beside the naive best-path baseline.  Call it on a driver
 * thread of its own, like every other structure.  Writes a one-line
 * description of the data to info; returns the number of failures.
 */
#define BENCH_MP_FAMILY "ris-2010"
int bench_multipath(const char *path, size_t max_dests, int reps, bench_rec_fn rec, char *info,
		    size_t infolen);

/*
 * interference.c: what the mixed phase's writer does instead of churning,
 * under --mixed-probe; each runs until *stop and returns operations/s (< 0:
 * out of memory).
 */
double bench_interfere_spin(atomic_bool *stop);
/* stream runs over a buffer made (and touched) by prepare, -1 if out of memory. */
int bench_interfere_stream_prepare(size_t bytes);
double bench_interfere_stream(atomic_bool *stop);
void bench_interfere_stream_release(void);
double bench_interfere_grace_periods(atomic_bool *stop);
/*
 * Gives the calling thread a call_rcu worker of its own, pinned to cpu, so
 * that the frees it defers run there and not wherever liburcu's default
 * worker is scheduled; end hands its queue back to the default worker.
 */
struct call_rcu_data;
struct call_rcu_data *bench_own_call_rcu_begin(int cpu);
void bench_own_call_rcu_end(struct call_rcu_data *crd);

/* Helpers shared by the baselines (rtm-bench.c). */
static inline bool bench_addr_eq(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b, unsigned width)
{
	if (a->NumBits != b->NumBits)
		return false;
	for (unsigned i = 0; i < width / 8; i++)
		if (a->AddrBits[i] != b->AddrBits[i])
			return false;
	return true;
}

static inline unsigned bench_bit(const RTM_NET_ADDRESS *a, unsigned i)
{
	return (a->AddrBits[i >> 3] >> (7 - (i & 7))) & 1u;
}

#endif /* RTM_BENCH_H */
