/*
 * rtm-bench - librtm against baseline structures, in one process, on the same data.
 *
 * Phases (positional arguments, default all): load lookup churn mixed memory locks.
 * Structures: librtm (RTMv2 API), a naive bit trie under one pthread_rwlock,
 * liburcu's cds_lfht (exact match), and DPDK's rte_lpm / rte_fib / rte_rib when
 * built with libdpdk.  See tools/bench/README.md for what each figure means.
 *
 * Every structure is driven from a thread of its own (the "driver"), never
 * from main: librtm and cds_lfht both register their threads with liburcu's
 * memb flavour, and one thread must not be registered twice.
 */
#define _GNU_SOURCE 1

#include "bench.h"
#include "memlat.h"
#include "prefix_list.h"

#include <errno.h>
#include <getopt.h>
#include <gnu/libc-version.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#ifndef RTM_DATA_DIR
#define RTM_DATA_DIR "tests/data/fulltable"
#endif
#ifndef RTM_RIS_DATA
#define RTM_RIS_DATA "tests/data/ripe-ris/rrc06-bview-2010-07-01-0759-first100k.bgpdump.txt.xz"
#endif

#define DEFAULT_SEED 0x5EEDC0DE2023ull
#define MAX_REPS 15
#define MAX_THREADS 64
#define VERIFY_SAMPLE 20000u
#define SLOW_LOAD_S 20.0   /* a single load slower than this is not repeated */
#define MEMLAT_BYTES ((size_t)256 << 20) /* about a full IPv4 table's librtm footprint */

/* ------------------------------------------------------------------------- */
/* options and global state                                                   */

enum { PH_LOAD = 1, PH_LOOKUP = 2, PH_CHURN = 4, PH_MIXED = 8, PH_MEMORY = 16, PH_LOCKS = 32,
       PH_MULTIPATH = 64 };
static const char *const phase_names[] = { "load", "lookup", "churn", "mixed", "memory", "locks",
					   "multipath" };
#define NPHASES 7

static struct {
	unsigned phases;
	bool quick, no_dpdk;
	bool mixed_probe;          /* mixed: also the writer variants of interference.c */
	uint64_t seed;
	int reps;
	double min_s;
	int threads, writers;
	size_t limit;              /* prefixes per family, 0 = all */
	unsigned dpdk_mem;
	const char *json, *plot;
	const char *ris;           /* multipath: bgpdump -m file */
	const char *tables[8];
	int ntables;
} opt;

static int ncpu;
/* The CPUs this process may run on, read before DPDK's EAL could change the mask. */
static int cpus[CPU_SETSIZE], ncpus;
static char mixed_placement[256] = "not run";
static struct bench_memlat memlat;  /* the machine's miss cost (memlat.c), measured before the phases */
static char loadavg_start[128];   /* /proc/loadavg when the run began: other load skews every figure */

/* The 1, 5 and 15 minute load averages: the first three fields of /proc/loadavg. */
static void read_loadavg(char *out, size_t len);

static int cpu_at(int k)
{
	return cpus[k % ncpus];
}

static atomic_int failures;
static bool dpdk_ok;
#ifndef RTM_BENCH_NO_DPDK_REASON
#define RTM_BENCH_NO_DPDK_REASON "not built: libdpdk was not found by pkg-config at configure time"
#endif
static char dpdk_reason[600] = RTM_BENCH_NO_DPDK_REASON;

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("rtm-bench: ERROR: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	atomic_fetch_add(&failures, 1);
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int64_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return (int64_t)mi.uordblks + (int64_t)mi.hblkhd;   /* small chunks + mmap'd ones */
}

static int64_t rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long size = 0, res = 0;
	if (!f)
		return -1;
	int n = fscanf(f, "%llu %llu", &size, &res);
	fclose(f);
	return n == 2 ? (int64_t)res * sysconf(_SC_PAGESIZE) : -1;
}

/* ------------------------------------------------------------------------- */
/* results                                                                    */

struct rec {
	char fam[12], phase[12], metric[24], kase[48], impl[16], unit[12];
	int threads;
	bool higher_better;
	int nv;
	double v[MAX_REPS];
	double med, lo, hi;
};

static struct rec *recs;
static size_t nrecs, caprecs;
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void add_rec(const char *fam, const char *phase, const char *metric, const char *kase,
		    int threads, const char *impl, const char *unit, bool hib, const double *v, int nv)
{
	if (nv <= 0)
		return;
	pthread_mutex_lock(&rec_lock);
	if (nrecs == caprecs) {
		caprecs = caprecs ? caprecs * 2 : 256;
		recs = realloc(recs, caprecs * sizeof *recs);
		if (!recs) {
			perror("realloc");
			exit(2);
		}
	}
	struct rec *r = &recs[nrecs++];
	memset(r, 0, sizeof *r);
	snprintf(r->fam, sizeof r->fam, "%s", fam);
	snprintf(r->phase, sizeof r->phase, "%s", phase);
	snprintf(r->metric, sizeof r->metric, "%s", metric);
	snprintf(r->kase, sizeof r->kase, "%s", kase);
	snprintf(r->impl, sizeof r->impl, "%s", impl);
	snprintf(r->unit, sizeof r->unit, "%s", unit);
	r->threads = threads;
	r->higher_better = hib;
	r->nv = nv > MAX_REPS ? MAX_REPS : nv;
	memcpy(r->v, v, (size_t)r->nv * sizeof *v);
	double s[MAX_REPS];
	memcpy(s, r->v, (size_t)r->nv * sizeof *s);
	qsort(s, (size_t)r->nv, sizeof *s, cmp_d);
	r->lo = s[0];
	r->hi = s[r->nv - 1];
	r->med = r->nv % 2 ? s[r->nv / 2] : (s[r->nv / 2 - 1] + s[r->nv / 2]) / 2;
	pthread_mutex_unlock(&rec_lock);
}

/* ------------------------------------------------------------------------- */
/* per-family data                                                            */

struct family_set {
	struct bench_data d;
	struct naive_trie *ref;      /* reference for every check */
	size_t dups;
	RTM_NET_ADDRESS *q_uni, *q_in, *q_ex, hot_addr, hot_pfx;
	size_t nq;
	size_t *keys;                /* churn keys: distinct prefix indices */
	size_t *shuffled;            /* every prefix index once, in random order (random-order load) */
	size_t nkeys;
	uint64_t seed;
	/* Memory figures of the BI_KEEPS_MEMORY structures, measured in child processes. */
	struct forked_memory {
		const struct bench_impl *im;
		double heap_pp, rss_pp;
	} mem[4];
	int nmem;
};

static void progress(const char *what, size_t done, size_t total)
{
	static const int W = 40;
	int fill = total ? (int)((double)done * W / (double)total) : W;
	fprintf(stderr, "\r  %-28s [%.*s%*s] %3d%%", what, fill,
		"########################################", W - fill, "",
		total ? (int)(100.0 * (double)done / (double)total) : 100);
	if (done >= total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

/* ------------------------------------------------------------------------- */
/* threads                                                                    */

static int spawn(pthread_t *tid, void *(*fn)(void *), void *arg, int cpu)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	if (cpu >= 0) {
		cpu_set_t cs;
		CPU_ZERO(&cs);
		CPU_SET(cpu, &cs);
		pthread_attr_setaffinity_np(&a, sizeof cs, &cs);
	}
	int rc = pthread_create(tid, &a, fn, arg);
	pthread_attr_destroy(&a);
	return rc;
}

/* A lookup worker's arguments and results (lookup_worker runs batches over
 * its query slice until told to stop or out of time); each on cache lines
 * of its own, as a worker writes pos after every batch. */
struct lk_arg {
	_Alignas(64) const struct bench_impl *im;
	void *t;
	const RTM_NET_ADDRESS *q;
	size_t nq, pos;
	bool exact;
	double secs;                 /* > 0: run this long; 0: run until *stop */
	atomic_bool *stop;
	pthread_barrier_t *start;
	double rate;
	uint64_t errors, found, total;
	int cpu_seen;                /* where the worker ran last (sched_getcpu) */
	double cpu_share;            /* the worker's CPU time / its wall time */
	double secs_run;             /* its wall time */
	atomic_int tid;              /* its thread id, once it runs */
};

static double process_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *lookup_worker(void *p)
{
	struct lk_arg *a = p;
	atomic_store(&a->tid, (int)gettid());
	const size_t B = a->nq < 256 ? a->nq : 256;
	if (a->im->thread_enter)
		a->im->thread_enter();
	if (a->start)
		pthread_barrier_wait(a->start);
	uint64_t n = 0, found = 0;
	double c0 = thread_cpu_s(), t0 = bench_now_s(), t;
	for (;;) {
		if (a->pos + B > a->nq)
			a->pos = 0;
		found += a->exact ? a->im->exact_run(a->t, a->q + a->pos, B, &a->errors)
				  : a->im->lpm_run(a->t, a->q + a->pos, B, &a->errors);
		a->pos += B;
		n += B;
		t = bench_now_s();
		if (a->secs > 0 ? t - t0 >= a->secs : atomic_load_explicit(a->stop, memory_order_relaxed))
			break;
	}
	a->rate = (double)n / (t - t0);
	a->cpu_share = (thread_cpu_s() - c0) / (t - t0);
	a->secs_run = t - t0;
	a->cpu_seen = sched_getcpu();
	a->found += found;
	a->total += n;
	if (a->im->thread_leave)
		a->im->thread_leave();
	return NULL;
}

/*
 * T threads of lookups for secs; hot = every thread on the one query q[0].
 * Threads are pinned round robin on the CPUs.  Returns the summed rate.
 */
static double lookup_threads(const struct bench_impl *im, void *t, const RTM_NET_ADDRESS *q,
			     size_t nq, bool exact, int T, bool hot, double secs, uint64_t seed,
			     double *hit_frac)
{
	pthread_t tid[MAX_THREADS];
	struct lk_arg a[MAX_THREADS];
	pthread_barrier_t bar;
	/* The hot spot as a batch of HOT_BATCH copies of q[0]: batches of one
	 * would time a clock read per lookup. */
	enum { HOT_BATCH = 256 };
	RTM_NET_ADDRESS hotq[HOT_BATCH];
	if (hot) {
		for (int i = 0; i < HOT_BATCH; i++)
			hotq[i] = q[0];
		q = hotq;
		nq = HOT_BATCH;
	}
	pthread_barrier_init(&bar, NULL, (unsigned)T);
	for (int i = 0; i < T; i++) {
		a[i] = (struct lk_arg){ .im = im, .t = t, .q = q, .nq = nq,
					.pos = hot ? 0 : (size_t)(splitmix(&seed) % nq), .exact = exact,
					.secs = secs, .start = &bar };
		if (spawn(&tid[i], lookup_worker, &a[i], T > 1 ? cpu_at(i) : -1) != 0) {
			fail("pthread_create failed");
			exit(2);
		}
	}
	double total = 0;
	uint64_t errs = 0, f = 0, n = 0;
	for (int i = 0; i < T; i++) {
		pthread_join(tid[i], NULL);
		total += a[i].rate;
		errs += a[i].errors;
		f += a[i].found;
		n += a[i].total;
	}
	pthread_barrier_destroy(&bar);
	if (errs)
		fail("%s: %" PRIu64 " API errors during lookups", im->name, errs);
	if (hit_frac)
		*hit_frac = n ? (double)f / (double)n : 0;
	return total;
}

/* ------------------------------------------------------------------------- */
/* checks against the reference trie                                          */

/* Compares n lookups of q with the reference; returns the number of mismatches. */
static size_t verify(const struct bench_impl *im, void *t, const struct family_set *fs,
		     const RTM_NET_ADDRESS *q, size_t n, bool exact, const char *what)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		RTM_NET_ADDRESS m;
		int rc = exact ? im->exact_one(t, &q[i], &m) : im->lpm_one(t, &q[i], &m);
		uint32_t want = exact ? naive_trie_exact(fs->ref, &q[i]) : naive_trie_lpm_nolock(fs->ref, &q[i]);
		bool ok;
		if (rc < 0)
			ok = false;
		else if (want == UINT32_MAX)
			ok = rc == 0;
		else
			ok = rc == 1 && bench_addr_eq(&m, &fs->d.pfx[want], fs->d.width);
		if (!ok && bad++ < 3) {
			char a[RTM_PREFIX_STRLEN], b[RTM_PREFIX_STRLEN], c[RTM_PREFIX_STRLEN];
			fprintf(stderr, "rtm-bench: %s %s: %s lookup of %s gave %s, expected %s\n",
				fs->d.name, im->name, what, rtm_prefix_format(&q[i], a, sizeof a),
				rc < 0 ? "an API error" : rc == 0 ? "nothing" : rtm_prefix_format(&m, b, sizeof b),
				want == UINT32_MAX ? "nothing" : rtm_prefix_format(&fs->d.pfx[want], c, sizeof c));
		}
	}
	if (bad)
		fail("%s %s: %zu of %zu %s lookups differ from the reference trie", fs->d.name, im->name,
		     bad, n, what);
	return bad;
}

static void verify_one_interface(const struct bench_impl *im, void *t, const struct family_set *fs,
				 const char *when)
{
	size_t cap = opt.quick ? VERIFY_SAMPLE / 4 : VERIFY_SAMPLE;
	size_t n = fs->nq < cap ? fs->nq : cap;
	char what[64];
	if (im->caps & BI_LPM) {
		snprintf(what, sizeof what, "uniform (%s)", when);
		verify(im, t, fs, fs->q_uni, n, false, what);
		snprintf(what, sizeof what, "inside (%s)", when);
		verify(im, t, fs, fs->q_in, n, false, what);
	}
	if (im->caps & BI_EXACT) {
		snprintf(what, sizeof what, "exact (%s)", when);
		verify(im, t, fs, fs->q_ex, n, true, what);
	}
}

/* Checks im's answers, and those of its fast path if it has one. */
static void verify_all(const struct bench_impl *im, void *t, const struct family_set *fs,
		       const char *when)
{
	verify_one_interface(im, t, fs, when);
	if (im->fast_path)
		verify_one_interface(im->fast_path, t, fs, when);
}

/* ------------------------------------------------------------------------- */
/* loads                                                                      */

static int64_t alloc_now(const struct bench_impl *im)
{
	return im->alloc_bytes ? im->alloc_bytes(NULL) : heap_in_use();
}

/* Single writer: create + add every prefix; returns the instance or NULL. */
static void *load_one(const struct bench_impl *im, const struct family_set *fs, const size_t *order,
		      double *secs, double *heap_pp, double *rss_pp, bool bar)
{
	char err[256] = "";
	char label[64];
	snprintf(label, sizeof label, "load %s %s%s", fs->d.name, im->name, order ? " (random)" : "");
	malloc_trim(0);
	int64_t h0 = alloc_now(im), r0 = rss_bytes();
	double t0 = bench_now_s();
	void *t = im->create(&fs->d, err, sizeof err);
	if (!t) {
		fail("%s %s: %s", fs->d.name, im->name, err);
		return NULL;
	}
	size_t errors = 0;
	for (size_t k = 0; k < fs->d.n; k++) {
		size_t i = order ? order[k] : k;
		int rc = im->add(t, i);
		if (rc && errors++ < 3) {
			char a[RTM_PREFIX_STRLEN];
			fprintf(stderr, "rtm-bench: %s %s: add %s: error %d\n", fs->d.name, im->name,
				rtm_prefix_format(&fs->d.pfx[i], a, sizeof a), rc);
		}
		if (bar && (k & 0x3FFF) == 0)
			progress(label, k, fs->d.n);
	}
	*secs = bench_now_s() - t0;
	if (bar)
		progress(label, fs->d.n, fs->d.n);
	int64_t h1 = alloc_now(im), r1 = rss_bytes();
	if (heap_pp)
		*heap_pp = (double)(h1 - h0) / (double)fs->d.n;
	if (rss_pp)
		*rss_pp = r0 >= 0 && r1 >= 0 ? (double)(r1 - r0) / (double)fs->d.n : NAN;
	if (errors)
		fail("%s %s: %zu add errors during the load", fs->d.name, im->name, errors);
	return t;
}

struct wr_arg {
	const struct bench_impl *im;
	void *t;
	const size_t *order;       /* NULL: table order */
	size_t from, to;
	size_t errors;
	pthread_barrier_t *start;
	double t0, t1;
};

static void *writer_part(void *p)
{
	struct wr_arg *a = p;
	if (a->im->thread_enter)
		a->im->thread_enter();
	pthread_barrier_wait(a->start);
	a->t0 = bench_now_s();
	for (size_t k = a->from; k < a->to; k++)
		a->errors += a->im->add(a->t, a->order ? a->order[k] : k) != 0;
	a->t1 = bench_now_s();
	if (a->im->thread_leave)
		a->im->thread_leave();
	return NULL;
}

/* W writers on disjoint contiguous parts of the table (of order, if not NULL). */
static void *load_parallel(const struct bench_impl *im, const struct family_set *fs, const size_t *order,
			   int W, double *secs)
{
	char err[256] = "";
	pthread_t tid[MAX_THREADS];
	struct wr_arg a[MAX_THREADS];
	pthread_barrier_t bar;
	pthread_barrier_init(&bar, NULL, (unsigned)W + 1);
	void *t = im->create(&fs->d, err, sizeof err);
	if (!t) {
		fail("%s %s: %s", fs->d.name, im->name, err);
		return NULL;
	}
	for (int w = 0; w < W; w++) {
		a[w] = (struct wr_arg){ im, t, order, fs->d.n * (size_t)w / (size_t)W,
					fs->d.n * (size_t)(w + 1) / (size_t)W, 0, &bar, 0, 0 };
		if (spawn(&tid[w], writer_part, &a[w], cpu_at(w)) != 0) {
			fail("pthread_create failed");
			exit(2);
		}
	}
	pthread_barrier_wait(&bar);
	/* The writers time themselves: main may not get a CPU while they run. */
	size_t errors = 0;
	double first = INFINITY, last = 0;
	for (int w = 0; w < W; w++) {
		pthread_join(tid[w], NULL);
		errors += a[w].errors;
		first = a[w].t0 < first ? a[w].t0 : first;
		last = a[w].t1 > last ? a[w].t1 : last;
	}
	*secs = last - first;
	pthread_barrier_destroy(&bar);
	if (errors)
		fail("%s %s: %zu add errors during the %d-writer load", fs->d.name, im->name, errors, W);
	return t;
}

/* ------------------------------------------------------------------------- */
/* churn                                                                      */

static int churn_pair(const struct bench_impl *im, void *t, const struct family_set *fs, size_t slot)
{
	size_t i = fs->keys[slot];
	if (im->churn_op)
		return im->churn_op(t, slot, i);
	int rc = im->del(t, i);
	return rc ? rc : im->add(t, i);
}

/* Delete + re-add pairs for secs (or until *stop); returns pairs/s. */
static double churn_run(const struct bench_impl *im, void *t, const struct family_set *fs,
			double secs, atomic_bool *stop, uint64_t seed, size_t *errors)
{
	uint64_t n = 0;
	double t0 = bench_now_s(), t1;
	for (;;) {
		for (int k = 0; k < 64; k++) {
			size_t slot = (size_t)(splitmix(&seed) % fs->nkeys);
			if (churn_pair(im, t, fs, slot) != 0)
				(*errors)++;
		}
		n += 64;
		t1 = bench_now_s();
		if (stop ? atomic_load_explicit(stop, memory_order_relaxed) : t1 - t0 >= secs)
			break;
	}
	return (double)n / (t1 - t0);
}

/*
 * What the mixed phase's writer does: churn, or (--mixed-probe) one part of
 * what churning costs a reader on another CPU (interference.c).
 */
enum mixed_writer {
	MW_CHURN,               /* delete + re-add pairs on the structure */
	MW_CHURN_OWN_CALL_RCU,  /* the same, deferred frees on a call_rcu worker pinned beside it */
	MW_CHURN_CALL_RCU_ON_READER, /* ... on one pinned to the first reader's CPU */
	MW_NONE,                /* no writer thread: the measurement's own noise */
	MW_SPIN,
	MW_STREAM,
	MW_GRACE_PERIODS,
};
static const char *const mixed_writer_names[] = {
	"churn", "churn, own call_rcu", "churn, call_rcu on reader", "none", "spin", "stream 256MiB",
	"grace periods" };
#define STREAM_BYTES ((size_t)256 << 20)

struct churn_arg {
	const struct bench_impl *im;
	void *t;
	const struct family_set *fs;
	atomic_bool *stop;
	uint64_t seed;
	size_t errors;
	double rate;
	int cpu_seen;
	enum mixed_writer kind;
	double cpu_s;           /* the writer thread's CPU time */
	atomic_int tid;         /* its thread id, once it runs */
};

static void *churn_worker(void *p)
{
	struct churn_arg *a = p;
	atomic_store(&a->tid, (int)gettid());
	if (a->im->thread_enter)
		a->im->thread_enter();
	struct call_rcu_data *crd = NULL;
	int worker_cpu = a->kind == MW_CHURN_CALL_RCU_ON_READER ? cpus[0] : sched_getcpu();
	double c0 = thread_cpu_s();
	switch (a->kind) {
	case MW_CHURN_OWN_CALL_RCU:
	case MW_CHURN_CALL_RCU_ON_READER:
		crd = bench_own_call_rcu_begin(worker_cpu);
		if (!crd)
			a->errors++;
		/* fall through */
	case MW_CHURN:
		a->rate = churn_run(a->im, a->t, a->fs, 0, a->stop, a->seed, &a->errors);
		bench_own_call_rcu_end(crd);
		break;
	case MW_NONE:
		break;
	case MW_SPIN:
		a->rate = bench_interfere_spin(a->stop);
		break;
	case MW_STREAM:
		a->rate = bench_interfere_stream(a->stop);
		a->errors += a->rate < 0;
		break;
	case MW_GRACE_PERIODS:
		a->rate = bench_interfere_grace_periods(a->stop);
		break;
	}
	a->cpu_s = thread_cpu_s() - c0;
	a->cpu_seen = sched_getcpu();
	if (a->im->thread_leave)
		a->im->thread_leave();
	return NULL;
}

/* ------------------------------------------------------------------------- */
/* memory of structures that keep what they free (BI_KEEPS_MEMORY)            */

struct memory_child_arg {
	const struct bench_impl *im;
	const struct family_set *fs;
	double heap_pp, rss_pp;
	bool ok;
};

static void *memory_child_driver(void *p)
{
	struct memory_child_arg *a = p;
	double secs;
	if (a->im->thread_enter)
		a->im->thread_enter();
	void *t = load_one(a->im, a->fs, NULL, &secs, &a->heap_pp, &a->rss_pp, false);
	a->ok = t != NULL;   /* not destroyed: the process ends */
	if (a->im->thread_leave)
		a->im->thread_leave();
	return NULL;
}

/*
 * The first load's bytes per prefix of im on fs, measured in a child process
 * so that nothing an earlier instance freed is reused.  Call before this
 * process uses any structure (the child inherits its heap and free lists).
 */
static int measure_memory_in_child(const struct bench_impl *im, struct family_set *fs)
{
	int fd[2];
	if ((size_t)fs->nmem >= sizeof fs->mem / sizeof fs->mem[0] || pipe(fd) != 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		close(fd[0]);
		struct memory_child_arg a = { im, fs, NAN, NAN, false };
		pthread_t tid;
		if (spawn(&tid, memory_child_driver, &a, -1) != 0)
			_exit(1);
		pthread_join(tid, NULL);
		double out[2] = { a.heap_pp, a.rss_pp };
		bool written = write(fd[1], out, sizeof out) == (ssize_t)sizeof out;
		_exit(a.ok && written && atomic_load(&failures) == 0 ? 0 : 1);
	}
	close(fd[1]);
	double in[2];
	ssize_t got = read(fd[0], in, sizeof in);
	close(fd[0]);
	int status = 0;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    got != (ssize_t)sizeof in)
		return -1;
	fs->mem[fs->nmem++] = (struct forked_memory){ im, in[0], in[1] };
	return 0;
}

/* ------------------------------------------------------------------------- */
/* the driver: every phase for one structure on one family                   */

struct driver_arg {
	const struct bench_impl *im;
	struct family_set *fs;
};

static void rec1(const struct family_set *fs, const char *phase, const char *metric, const char *kase,
		 int threads, const char *impl, const char *unit, bool hib, double v)
{
	add_rec(fs->d.name, phase, metric, kase, threads, impl, unit, hib, &v, 1);
}

/* Lookups/s of every kind im can do, 1..T threads, and the hot spot. */
static void lookup_phase(const struct bench_impl *im, void *t, const struct family_set *fs)
{
	static const struct { const char *name; bool exact; } kinds[] = {
		{ "uniform", false }, { "inside", false }, { "exact", true } };
	const char *fam = fs->d.name;
	int reps = opt.reps;
	double v[MAX_REPS];
	for (size_t k = 0; k < 3; k++) {
		bool exact = kinds[k].exact;
		if (!(im->caps & (exact ? BI_EXACT : BI_LPM)))
			continue;
		const RTM_NET_ADDRESS *q = k == 0 ? fs->q_uni : k == 1 ? fs->q_in : fs->q_ex;
		/* 1..T threads; uniform on one thread only */
		int maxT = k == 0 ? 1 : opt.threads;
		for (int T = 1; T <= maxT; T++) {
			double hit = 0;
			/* untimed warm-up: fresh threads, first touches of pages and caches */
			lookup_threads(im, t, q, fs->nq, exact, T, false, opt.min_s / 2, fs->seed, NULL);
			for (int r = 0; r < reps; r++)
				v[r] = lookup_threads(im, t, q, fs->nq, exact, T, false, opt.min_s,
						      fs->seed + (uint64_t)r, &hit);
			add_rec(fam, "lookup", "lookups/s", kinds[k].name, T, im->name, "1/s", true, v, reps);
			if (T == 1) {
				rec1(fs, "lookup", "found fraction", kinds[k].name, 1, im->name, "", true, hit);
				fprintf(stderr, "  %s %-10s lookup %-7s 1 thread: %.2f M/s (%.1f%% found)\n",
					fam, im->name, kinds[k].name, v[0] / 1e6, 100 * hit);
			}
		}
		if (k == 0)
			continue;
		/* hot spot: all threads on one destination */
		const RTM_NET_ADDRESS *hq = exact ? &fs->hot_pfx : &fs->hot_addr;
		for (int T = 1; T <= opt.threads; T += (opt.threads > 1 ? opt.threads - 1 : 1)) {
			for (int r = 0; r < reps; r++)
				v[r] = lookup_threads(im, t, hq, 1, exact, T, true, opt.min_s, 0, NULL);
			add_rec(fam, "lookup", "lookups/s", exact ? "hot-spot exact" : "hot-spot",
				T, im->name, "1/s", true, v, reps);
		}
	}
}

/*
 * Function-call interrupts (the CAL row of /proc/interrupts: cross-CPU calls
 * such as sys_membarrier's) received so far by the first n CPUs of cpu[];
 * 0 if the file cannot be read.
 */
static uint64_t call_ipis(const int *cpu, int n)
{
	FILE *f = fopen("/proc/interrupts", "r");
	if (!f)
		return 0;
	char line[4096];
	int col[CPU_SETSIZE], ncol = 0;
	uint64_t sum = 0;
	if (fgets(line, sizeof line, f))
		for (char *tok = strtok(line, " \t\n"); tok && ncol < CPU_SETSIZE; tok = strtok(NULL, " \t\n"))
			col[ncol++] = strncmp(tok, "CPU", 3) == 0 ? atoi(tok + 3) : -1;
	while (fgets(line, sizeof line, f)) {
		char *p = line + strspn(line, " ");
		if (strncmp(p, "CAL:", 4) != 0)
			continue;
		p += 4;
		for (int c = 0; c < ncol; c++) {
			char *end;
			unsigned long long v = strtoull(p, &end, 10);
			if (end == p)
				break;
			p = end;
			for (int i = 0; i < n; i++)
				sum += col[c] == cpu[i] ? v : 0;
		}
		break;
	}
	fclose(f);
	return sum;
}

/*
 * Sleeps secs, looking every 5 ms at the process's threads other than the
 * caller and the n_own threads in own[] (once they all have their ids):
 * returns the fraction of looks in which one of them was running or waiting
 * to run on one of the nreaders CPUs of readers_cpu[] (liburcu's call_rcu
 * worker taking a reader's CPU, for one).
 */
static double others_on_cpus(const int *readers_cpu, int nreaders, atomic_int *const *own,
			     int n_own, double secs)
{
	double end = bench_now_s() + secs;
	uint64_t looks = 0, seen = 0;
	int self = (int)gettid();
	while (bench_now_s() < end) {
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
		bool ready = true;
		for (int i = 0; i < n_own; i++)
			ready &= atomic_load(own[i]) != 0;
		DIR *dir = ready ? opendir("/proc/self/task") : NULL;
		if (!dir)
			continue;
		bool hit = false;
		for (struct dirent *de; (de = readdir(dir));) {
			int tid = atoi(de->d_name);
			bool skip = tid <= 0 || tid == self;
			for (int i = 0; i < n_own && !skip; i++)
				skip = atomic_load(own[i]) == tid;
			if (skip)
				continue;
			char path[64], buf[1024];
			snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
			FILE *f = fopen(path, "r");
			if (!f)
				continue;
			size_t len = fread(buf, 1, sizeof buf - 1, f);
			fclose(f);
			buf[len] = 0;
			/* after "(comm)": state is field 3, the CPU it last ran on field 39 */
			char *q = strrchr(buf, ')');
			if (!q || q[1] != ' ' || q[2] != 'R')
				continue;
			int field = 3, on = -1;
			for (q += 2; *q && field < 39; q++)
				if (*q == ' ' && ++field == 39)
					on = atoi(q + 1);
			for (int c = 0; c < nreaders; c++)
				hit |= on == readers_cpu[c];
		}
		closedir(dir);
		looks++;
		seen += hit;
	}
	return looks ? (double)seen / (double)looks : NAN;
}

/*
 * Readers (lookups through reader, on the first CPUs) alone, then while a
 * writer (churn through writer, on the last CPU) changes the same instance t;
 * or, for a kind other than MW_CHURN, does that instead (a "mixed-probe" row).
 * Besides their rates, the readers' CPU time is measured: a reader that gets
 * less CPU with the writer than alone lost time to other threads, not to
 * slower lookups.
 */
static void mixed_phase(const struct bench_impl *writer, const struct bench_impl *reader, void *t,
			const struct family_set *fs, enum mixed_writer kind)
{
	const char *fam = fs->d.name;
	int reps = opt.reps;
	if (ncpus < 2) {
		fprintf(stderr, "  %s %s: mixed needs 2 CPUs, skipped\n", fam, reader->name);
		return;
	}
	/* readers on the first R allowed CPUs, the writer alone on the last one */
	int R = ncpus - 1 > opt.threads ? opt.threads : ncpus - 1;
	int wcpu = cpus[ncpus - 1];
	bool shared_cpu = false;
	bool exact = !(reader->caps & BI_LPM);
	const RTM_NET_ADDRESS *q = exact ? fs->q_ex : fs->q_in;
	double frac[MAX_REPS], wrate[MAX_REPS], solo[MAX_REPS], busy[MAX_REPS];
	double cpu_solo[MAX_REPS], cpu_busy[MAX_REPS], frac_per_cpu[MAX_REPS];
	double ipi_solo[MAX_REPS], ipi_busy[MAX_REPS], others[MAX_REPS], others_on[MAX_REPS];
	size_t errors = 0;
	if (kind == MW_STREAM && bench_interfere_stream_prepare(STREAM_BYTES) != 0) {
		fail("%s %s: no memory for the stream writer", fam, reader->name);
		return;
	}
	/* this thread samples the others during each pass: keep it off the readers' CPUs */
	cpu_set_t driver_mask, on_writer;
	bool moved = sched_getaffinity(0, sizeof driver_mask, &driver_mask) == 0;
	CPU_ZERO(&on_writer);
	CPU_SET(wcpu, &on_writer);
	moved = moved && sched_setaffinity(0, sizeof on_writer, &on_writer) == 0;
	for (int r = 0; r < reps; r++) {
		/* solo: readers pinned to CPUs 0..R-1 */
		pthread_t tid[MAX_THREADS], wt;
		struct lk_arg a[MAX_THREADS];
		atomic_bool stop;
		double s = 0, m = 0, cs = 0, cm = 0;
		for (int pass = 0; pass < 2; pass++) {
			atomic_init(&stop, false);
			uint64_t ipi0 = call_ipis(cpus, R);
			double pass_t0 = bench_now_s(), proc0 = process_cpu_s();
			struct churn_arg ca = { .im = writer, .t = t, .fs = fs, .stop = &stop,
						.seed = fs->seed ^ (0xBEEFull + (uint64_t)r), .cpu_seen = -1,
						.kind = kind };
			for (int i = 0; i < R; i++) {
				a[i] = (struct lk_arg){ .im = reader, .t = t, .q = q, .nq = fs->nq,
							.pos = (size_t)i * (fs->nq / (size_t)R),
							.exact = exact, .stop = &stop };
				if (spawn(&tid[i], lookup_worker, &a[i], cpus[i]) != 0) {
					fail("pthread_create (reader on CPU %d) failed", cpus[i]);
					exit(2);
				}
			}
			if (pass == 1 && spawn(&wt, churn_worker, &ca, wcpu) != 0) {
				fail("pthread_create (writer on CPU %d) failed", wcpu);
				exit(2);
			}
			atomic_int *own[MAX_THREADS + 1];
			for (int i = 0; i < R; i++)
				own[i] = &a[i].tid;
			own[R] = &ca.tid;
			double on_readers = others_on_cpus(cpus, R, own, R + pass, opt.min_s * 2);
			atomic_store(&stop, true);
			double ipis = (double)(call_ipis(cpus, R) - ipi0) / (bench_now_s() - pass_t0) / R;
			*(pass ? &ipi_busy[r] : &ipi_solo[r]) = ipis;
			double sum = 0, share = 0;
			for (int i = 0; i < R; i++) {
				pthread_join(tid[i], NULL);
				sum += a[i].rate;
				share += a[i].cpu_share / R;
				errors += a[i].errors;
			}
			if (pass == 1) {
				pthread_join(wt, NULL);
				for (int i = 0; i < R; i++)
					shared_cpu |= a[i].cpu_seen == ca.cpu_seen;
				errors += ca.errors;
				wrate[r] = ca.rate;
				m = sum;
				cm = share;
				/* CPU time of the process's other threads (liburcu's call_rcu worker) */
				double mine = ca.cpu_s;
				for (int i = 0; i < R; i++)
					mine += a[i].cpu_share * a[i].secs_run;
				others[r] = (process_cpu_s() - proc0 - mine) / (bench_now_s() - pass_t0);
				others_on[r] = on_readers;
			} else {
				s = sum;
				cs = share;
			}
		}
		solo[r] = s;
		busy[r] = m;
		frac[r] = m / s;
		cpu_solo[r] = cs;
		cpu_busy[r] = cm;
		frac_per_cpu[r] = cm > 0 && cs > 0 ? (m / cm) / (s / cs) : NAN;
	}
	if (moved)
		sched_setaffinity(0, sizeof driver_mask, &driver_mask);
	if (errors)
		fail("%s %s: %zu errors in the mixed phase", fam, reader->name, errors);
	char rl[128] = "";
	for (int i = 0; i < R && strlen(rl) < sizeof rl - 8; i++)
		snprintf(rl + strlen(rl), sizeof rl - strlen(rl), "%s%d", i ? "," : "", cpus[i]);
	snprintf(mixed_placement, sizeof mixed_placement,
		 "%d reader(s) pinned to CPU %s, writer pinned to CPU %d%s", R, rl, wcpu,
		 shared_cpu ? "; but a reader was seen on the writer's CPU" : "");
	fprintf(stderr, "  %s %-10s mixed: %s\n", fam, reader->name, mixed_placement);
	if (shared_cpu)
		fail("%s %s: mixed: reader and writer ran on the same CPU", fam, reader->name);
	const char *name = reader->name;
	if (kind == MW_CHURN) {
		add_rec(fam, "mixed", "reader fraction", exact ? "exact" : "inside", R, name, "", true,
			frac, reps);
		add_rec(fam, "mixed", "reader lookups/s", exact ? "exact, solo" : "inside, solo", R, name,
			"1/s", true, solo, reps);
		add_rec(fam, "mixed", "reader lookups/s", exact ? "exact, writer" : "inside, writer", R,
			name, "1/s", true, busy, reps);
		add_rec(fam, "mixed", "fraction per CPU s", exact ? "exact" : "inside", R, name, "", true,
			frac_per_cpu, reps);
		add_rec(fam, "mixed", "reader CPU share", "solo", R, name, "", true, cpu_solo, reps);
		add_rec(fam, "mixed", "reader CPU share", "writer", R, name, "", true, cpu_busy, reps);
		add_rec(fam, "mixed", "reader CPU IPIs/s", "solo", R, name, "1/s", false, ipi_solo, reps);
		add_rec(fam, "mixed", "reader CPU IPIs/s", "writer", R, name, "1/s", false, ipi_busy, reps);
		add_rec(fam, "mixed", "other threads CPU", "writer", R, name, "", false, others, reps);
		add_rec(fam, "mixed", "other threads CPU", "on reader CPUs", R, name, "", false, others_on, reps);
		add_rec(fam, "mixed", "writer pairs/s", "during reads", 1, name, "1/s", true, wrate, reps);
	} else {
		const char *w = mixed_writer_names[kind];
		char kase[48];
		add_rec(fam, "mixed-probe", "reader fraction", w, R, name, "", true, frac, reps);
		add_rec(fam, "mixed-probe", "fraction per CPU s", w, R, name, "", true, frac_per_cpu, reps);
		snprintf(kase, sizeof kase, "%s, solo", w);
		add_rec(fam, "mixed-probe", "reader CPU share", kase, R, name, "", true, cpu_solo, reps);
		add_rec(fam, "mixed-probe", "reader CPU IPIs/s", kase, R, name, "1/s", false, ipi_solo, reps);
		snprintf(kase, sizeof kase, "%s, writer", w);
		add_rec(fam, "mixed-probe", "reader CPU share", kase, R, name, "", true, cpu_busy, reps);
		add_rec(fam, "mixed-probe", "reader CPU IPIs/s", kase, R, name, "1/s", false, ipi_busy, reps);
		add_rec(fam, "mixed-probe", "writer ops/s", w, 1, name, "1/s", true, wrate, reps);
		add_rec(fam, "mixed-probe", "other threads CPU", w, R, name, "", false, others, reps);
		snprintf(kase, sizeof kase, "%s, on reader CPUs", w);
		add_rec(fam, "mixed-probe", "other threads CPU", kase, R, name, "", false, others_on, reps);
	}
	if (kind == MW_STREAM)
		bench_interfere_stream_release();
	qsort(frac, (size_t)reps, sizeof *frac, cmp_d);
	fprintf(stderr, "  %s %-10s mixed (writer: %s): reader keeps %.1f%% of its solo rate (median)\n",
		fam, name, mixed_writer_names[kind], 100 * frac[reps / 2]);
	verify_all(writer, t, fs, "after the mixed phase");
}

static void *driver(void *p)
{
	struct driver_arg *da = p;
	const struct bench_impl *im = da->im;
	struct family_set *fs = da->fs;
	const char *fam = fs->d.name;
	int reps = opt.reps;
	bool tty = isatty(2);
	double v[MAX_REPS];

	if (im->thread_enter)
		im->thread_enter();

	/* --- load: single writer; the first also measures memory --- */
	double secs, heap_pp, rss_pp;
	void *t = load_one(im, fs, NULL, &secs, &heap_pp, &rss_pp, tty);
	if (!t)
		goto out;
	v[0] = (double)fs->d.n / secs;
	int nload = 1;
	if ((opt.phases & PH_LOAD) && secs < SLOW_LOAD_S) {
		for (; nload < reps; nload++) {
			im->destroy(t);
			t = load_one(im, fs, NULL, &secs, NULL, NULL, tty);
			if (!t)
				goto out;
			v[nload] = (double)fs->d.n / secs;
		}
	}
	if (opt.phases & PH_LOAD) {
		add_rec(fam, "load", "routes/s", "1 writer, table order", 1, im->name, "routes/s", true, v, nload);
		fprintf(stderr, "  %s %-10s load, 1 writer, table order: %.0f routes/s (%d rep%s)\n", fam, im->name,
			v[0], nload, nload > 1 ? "s" : "");
	}
	if ((opt.phases & PH_MEMORY) && (im->caps & BI_KEEPS_MEMORY)) {
		/* this process's figure would count memory an earlier instance left for reuse */
		heap_pp = rss_pp = NAN;
		for (int k = 0; k < fs->nmem; k++)
			if (fs->mem[k].im == im) {
				heap_pp = fs->mem[k].heap_pp;
				rss_pp = fs->mem[k].rss_pp;
			}
	}
	if ((opt.phases & PH_MEMORY) && !isnan(heap_pp)) {
		rec1(fs, "memory", "bytes/prefix", "allocator", 0, im->name, "B", false, heap_pp);
		/* RSS: none for DPDK (EAL reserves its memory up front), none if <= 0 (memory freed earlier reused) */
		if (!im->alloc_bytes && !isnan(rss_pp) && rss_pp > 0)
			rec1(fs, "memory", "bytes/prefix", "RSS", 0, im->name, "B", false, rss_pp);
	}
	verify_all(im, t, fs, "after load");

	/*
	 * The same loads in random order (a permutation drawn from the seed): a
	 * dump comes sorted, which lets every trie walk the path it just built
	 * (cache-warm), while routes learned from peers arrive in no such order.
	 * DESIGN.md's baseline figures were measured this way.  A structure whose
	 * table-order load took longer than SLOW_LOAD_S is not loaded again.
	 */
	bool load_again = (opt.phases & PH_LOAD) && secs < SLOW_LOAD_S;
	if (load_again) {
		int n = 0;
		for (int r = 0; r < reps; r++) {
			im->destroy(t);
			t = load_one(im, fs, fs->shuffled, &secs, NULL, NULL, tty);
			if (!t)
				goto out;
			v[n++] = (double)fs->d.n / secs;
		}
		add_rec(fam, "load", "routes/s", "1 writer, random order", 1, im->name, "routes/s", true, v, n);
		fprintf(stderr, "  %s %-10s load, 1 writer, random order: %.0f routes/s\n", fam, im->name, v[0]);
		verify_all(im, t, fs, "after the random-order load");
	}

	bool load_parallel_too = load_again && (im->caps & BI_MT_WRITE) && opt.writers > 1;
	for (int shuffled = 0; load_parallel_too && shuffled < 2; shuffled++) {
		int n = 0;
		for (int r = 0; r < reps; r++) {
			im->destroy(t);
			t = load_parallel(im, fs, shuffled ? fs->shuffled : NULL, opt.writers, &secs);
			if (!t)
				goto out;
			v[n++] = (double)fs->d.n / secs;
		}
		char kase[48];
		snprintf(kase, sizeof kase, "%d writers%s", opt.writers, shuffled ? ", random order" : ", table order");
		add_rec(fam, "load", "routes/s", kase, opt.writers, im->name, "routes/s", true, v, n);
		verify_all(im, t, fs, shuffled ? "after the random-order parallel load" : "after the parallel load");
	}

	/* --- lookups, through every lookup interface --- */
	if (opt.phases & PH_LOOKUP) {
		lookup_phase(im, t, fs);
		if (im->fast_path)
			lookup_phase(im->fast_path, t, fs);
	}

	/* --- churn and mixed --- */
	bool prepared = false;
	if ((opt.phases & (PH_CHURN | PH_MIXED)) && im->churn_prepare) {
		if (im->churn_prepare(t, fs->keys, fs->nkeys) != 0) {
			fail("%s %s: churn setup failed", fam, im->name);
			goto done;
		}
		prepared = true;
	}
	if (opt.phases & PH_CHURN) {
		size_t errors = 0;
		for (int r = 0; r < reps; r++)
			v[r] = churn_run(im, t, fs, opt.min_s, NULL, fs->seed ^ (0xC0FFEEull + (uint64_t)r), &errors);
		if (errors)
			fail("%s %s: %zu churn errors", fam, im->name, errors);
		add_rec(fam, "churn", "pairs/s", "delete+re-add", 1, im->name, "1/s", true, v, reps);
		fprintf(stderr, "  %s %-10s churn: %.0f delete+re-add pairs/s\n", fam, im->name, v[0]);
		verify_all(im, t, fs, "after churn");
	}
	if ((opt.phases & PH_MIXED) && (im->caps & BI_RW)) {
		mixed_phase(im, im, t, fs, MW_CHURN);
		if (im->fast_path)
			mixed_phase(im, im->fast_path, t, fs, MW_CHURN);
		for (int k = MW_CHURN + 1; opt.mixed_probe && im == &bench_rtm_impl && k <= MW_GRACE_PERIODS; k++)
			mixed_phase(im, im, t, fs, (enum mixed_writer)k);
	}
	if (prepared && im->churn_finish)
		im->churn_finish(t);

	/* --- locks --- */
	if ((opt.phases & PH_LOCKS) && im == &bench_rtm_impl) {
		for (int ex = 0; ex < 2; ex++) {
			for (int r = 0; r < reps; r++)
				if (bench_rtm_locks(t, ex, opt.min_s / 2, &v[r]) != 0)
					fail("%s librtm: RtmLockRoute errors", fam);
			add_rec(fam, "locks", "ns/pair", ex ? "route exclusive" : "route shared", 1, im->name,
				"ns", false, v, reps);
		}
	}
	if ((opt.phases & PH_LOCKS) && im == &bench_naive_impl) {
		pthread_rwlock_t l;
		pthread_rwlock_init(&l, NULL);
		for (int ex = 0; ex < 2; ex++) {
			for (int r = 0; r < reps; r++) {
				uint64_t n = 0;
				double t0 = bench_now_s(), dt;
				do {
					for (int k = 0; k < 1024; k++) {
						if (ex)
							pthread_rwlock_wrlock(&l);
						else
							pthread_rwlock_rdlock(&l);
						pthread_rwlock_unlock(&l);
					}
					n += 1024;
					dt = bench_now_s() - t0;
				} while (dt < opt.min_s / 2);
				v[r] = dt * 1e9 / (double)n;
			}
			add_rec(fam, "locks", "ns/pair", ex ? "route exclusive" : "route shared", 1, im->name,
				"ns", false, v, reps);
		}
		pthread_rwlock_destroy(&l);
	}

done:
	im->destroy(t);
out:
	malloc_trim(0);
	if (im->thread_leave)
		im->thread_leave();
	return NULL;
}

/* ------------------------------------------------------------------------- */
/* multipath: its own data, librtm beside the naive best-path RIB             */

static char mp_info[768];

static void *multipath_driver(void *unused)
{
	(void)unused;
	int f = bench_multipath(opt.ris, opt.quick ? 20000 : 0, opt.reps, add_rec, mp_info, sizeof mp_info);
	if (f)
		atomic_fetch_add(&failures, f);
	return NULL;
}

/* ------------------------------------------------------------------------- */
/* data sets                                                                  */

static void addr_inside(RTM_NET_ADDRESS *q, const RTM_NET_ADDRESS *p, unsigned width, uint64_t *s)
{
	*q = *p;
	q->NumBits = (USHORT)width;
	unsigned nb = p->NumBits;
	for (unsigned byte = nb / 8; byte < width / 8; byte++) {
		unsigned char r = (unsigned char)splitmix(s);
		unsigned char keep = byte == nb / 8 && nb % 8 ? (unsigned char)(0xFFu << (8 - nb % 8)) : 0;
		q->AddrBits[byte] = (unsigned char)((q->AddrBits[byte] & keep) | (r & ~keep));
	}
}

static void addr_uniform(RTM_NET_ADDRESS *q, unsigned family, unsigned width, uint64_t *s)
{
	memset(q, 0, sizeof *q);
	q->AddressFamily = (USHORT)family;
	q->NumBits = (USHORT)width;
	for (unsigned i = 0; i < width / 8; i++)
		q->AddrBits[i] = (unsigned char)splitmix(s);
	if (width == 128)   /* 2000::/3, where the IPv6 table lives */
		q->AddrBits[0] = (unsigned char)(0x20 | (q->AddrBits[0] & 0x1F));
}

/*
 * 0 .. n-1 in an array whose first k entries are a uniform draw without
 * repetition (partial Fisher-Yates; k = n gives a random permutation);
 * NULL if out of memory.
 */
static size_t *random_indices(size_t n, size_t k, uint64_t *s)
{
	size_t *a = malloc((n ? n : 1) * sizeof *a);
	if (!a)
		return NULL;
	for (size_t i = 0; i < n; i++)
		a[i] = i;
	for (size_t i = 0; i < k && i < n; i++) {
		size_t j = i + (size_t)(splitmix(s) % (n - i));
		size_t x = a[i];
		a[i] = a[j];
		a[j] = x;
	}
	return a;
}

static int build_set(struct family_set *fs, const char *name, const char *path, unsigned family,
		     unsigned width, const rtm_prefix_list *pl, uint64_t seed)
{
	memset(fs, 0, sizeof *fs);
	fs->seed = seed;
	fs->ref = naive_trie_new(width);
	RTM_NET_ADDRESS *pfx = malloc((pl->count ? pl->count : 1) * sizeof *pfx);
	if (!fs->ref || !pfx)
		return -1;
	size_t n = 0;
	for (size_t i = 0; i < pl->count; i++) {
		if (pl->items[i].AddressFamily != family)
			continue;
		if (opt.limit && n >= opt.limit)
			break;
		int rc = naive_trie_insert(fs->ref, &pl->items[i], (uint32_t)n);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			fs->dups++;
			continue;
		}
		pfx[n++] = pl->items[i];
	}
	fs->d = (struct bench_data){ name, path, family, width, pfx, n };
	if (n == 0)
		return 0;
	fs->nq = opt.quick ? (1u << 16) : (1u << 20);
	fs->q_uni = malloc(fs->nq * sizeof *fs->q_uni);
	fs->q_in = malloc(fs->nq * sizeof *fs->q_in);
	fs->q_ex = malloc(fs->nq * sizeof *fs->q_ex);
	fs->nkeys = n < (opt.quick ? 16384u : 65536u) ? n : (opt.quick ? 16384u : 65536u);
	if (!fs->q_uni || !fs->q_in || !fs->q_ex)
		return -1;
	uint64_t s = seed;
	for (size_t i = 0; i < fs->nq; i++) {
		addr_uniform(&fs->q_uni[i], family, width, &s);
		addr_inside(&fs->q_in[i], &pfx[splitmix(&s) % n], width, &s);
		fs->q_ex[i] = pfx[splitmix(&s) % n];
	}
	/* distinct churn keys: the first nkeys of a random draw, the rest dropped */
	size_t *perm = random_indices(n, fs->nkeys, &s);
	if (!perm)
		return -1;
	fs->keys = realloc(perm, fs->nkeys * sizeof *perm);
	if (!fs->keys)
		fs->keys = perm;
	uint64_t z = seed ^ 0x0DDE12ull;   /* its own stream: the other draws stay as they were */
	fs->shuffled = random_indices(n, n, &z);
	if (!fs->shuffled)
		return -1;
	fs->hot_pfx = pfx[splitmix(&s) % n];
	addr_inside(&fs->hot_addr, &fs->hot_pfx, width, &s);
	return 0;
}

static void free_set(struct family_set *fs)
{
	naive_trie_free(fs->ref);
	free((void *)fs->d.path);   /* main's strdup */
	free((void *)fs->d.pfx);
	free(fs->q_uni);
	free(fs->q_in);
	free(fs->q_ex);
	free(fs->keys);
	free(fs->shuffled);
}

/* ------------------------------------------------------------------------- */
/* report                                                                     */

static const struct bench_impl *impls[8];
static int nimpls;
static const char *const baseline_names[] = { "naive-trie", "cds_lfht", "rte_lpm", "rte_fib", "rte_rib" };
#define NBASE 5

static bool is_dpdk(const char *name)
{
	return strncmp(name, "rte_", 4) == 0;
}

/* librtm's rows: "librtm" (RTMv2 API) and "librtm-fwd" (RtmxLookupRoute). */
static bool is_librtm(const char *name)
{
	return strncmp(name, "librtm", 6) == 0;
}

static bool is_fast_path(const char *name)
{
	return !strcmp(name, bench_rtm_fwd_impl.name);
}

static const struct rec *find_rec(const struct rec *like, const char *impl)
{
	for (size_t i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];
		if (!strcmp(r->impl, impl) && !strcmp(r->fam, like->fam) && !strcmp(r->phase, like->phase) &&
		    !strcmp(r->metric, like->metric) && !strcmp(r->kase, like->kase) && r->threads == like->threads)
			return r;
	}
	return NULL;
}

static void fmt_val(double x, const char *unit, char *buf, size_t len)
{
	if (!strcmp(unit, "n")) {
		snprintf(buf, len, "%.0f", x);
	} else if (!strcmp(unit, "") || !strcmp(unit, "B") || !strcmp(unit, "ns")) {
		if (!strcmp(unit, ""))
			snprintf(buf, len, "%.1f%%", 100 * x);
		else
			snprintf(buf, len, "%.1f", x);
	} else if (x >= 1e6) {
		snprintf(buf, len, "%.2fM", x / 1e6);
	} else if (x >= 1e3) {
		snprintf(buf, len, "%.1fk", x / 1e3);
	} else {
		snprintf(buf, len, "%.0f", x);
	}
}

static bool row_skipped(const struct rec *r)
{
	return !strcmp(r->metric, "found fraction") || !strcmp(r->metric, "reader lookups/s") ||
	       ((!strcmp(r->metric, "reader CPU share") || !strcmp(r->metric, "reader CPU IPIs/s") ||
		 !strcmp(r->metric, "other threads CPU")) &&
		strcmp(r->phase, "mixed-probe"));
}

static void print_table(FILE *f)
{
	fprintf(f, "\nEach cell: median of the repetitions; librtm also [min-max]; 'xR' = librtm / baseline\n"
		   "(for bytes and ns lower is better, so there xR < 1 favours librtm).  Lookup rows read\n"
		   "through RtmGetMostSpecificDestination / RtmGetExactMatchDestination + RtmReleaseDestInfo;\n"
		   "'Rtmx' rows through the forwarding fast path RtmxLookupRoute (rtm/rtmx.h).\n");
	fprintf(f, "Baselines: naive-trie, cds_lfht (exact match only)");
	if (dpdk_ok)
		fprintf(f, ", rte_lpm (IPv4 only), rte_fib, rte_rib: all present.\n");
	else
		fprintf(f, ".  DPDK baselines MISSING: %s.\n", dpdk_reason);
	const char *fams[3] = { "ipv4", "ipv6", BENCH_MP_FAMILY };
	for (int fi = 0; fi < 3; fi++) {
		bool any = false;
		for (size_t i = 0; i < nrecs && !any; i++)
			any = !strcmp(recs[i].fam, fams[fi]);
		if (!any)
			continue;
		if (!strcmp(fams[fi], BENCH_MP_FAMILY))
			fprintf(f, "\nmultipath: %s.\nBaseline: naive-trie = a naive RIB (prefix -> destination "
				   "through the naive trie, best route by a scan, one mutex), also the oracle.\n",
				mp_info);
		fprintf(f, "\n%-50s %-24s", fams[fi], "librtm");
		for (int b = 0; b < NBASE; b++)
			fprintf(f, " %-16s", baseline_names[b]);
		fputc('\n', f);
		for (size_t i = 0; i < nrecs; i++) {
			const struct rec *r = &recs[i];
			if (strcmp(r->fam, fams[fi]) || !is_librtm(r->impl) || row_skipped(r))
				continue;
			char label[128], a[24], b[24], c[24], cell[96];
			const char *via = is_fast_path(r->impl) ? " Rtmx" : "";
			if (r->threads > 0)
				snprintf(label, sizeof label, "%s%s %s, %s, %dT", r->phase, via, r->metric, r->kase,
					 r->threads);
			else
				snprintf(label, sizeof label, "%s%s %s, %s", r->phase, via, r->metric, r->kase);
			fmt_val(r->med, r->unit, a, sizeof a);
			fmt_val(r->lo, r->unit, b, sizeof b);
			fmt_val(r->hi, r->unit, c, sizeof c);
			snprintf(cell, sizeof cell, "%s [%s-%s]", a, b, c);
			fprintf(f, "%-50s %-24s", label, cell);
			for (int bi = 0; bi < NBASE; bi++) {
				const struct rec *o = find_rec(r, baseline_names[bi]);
				if (!o) {
					fprintf(f, " %-16s", is_dpdk(baseline_names[bi]) && !dpdk_ok ? "missing" : "-");
					continue;
				}
				fmt_val(o->med, o->unit, a, sizeof a);
				snprintf(cell, sizeof cell, "%s x%.2f", a, o->med != 0 ? r->med / o->med : NAN);
				fprintf(f, " %-16s", cell);
			}
			fputc('\n', f);
		}
		/* figures of baselines that librtm has no counterpart for are in the JSON only */
	}
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double x)
{
	if (isnan(x) || isinf(x))
		fputs("null", f);
	else
		fprintf(f, "%.6g", x);
}

static void read_line(const char *path, const char *key, char *out, size_t len)
{
	snprintf(out, len, "unknown");
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		if (key && strncmp(line, key, strlen(key)) != 0)
			continue;
		char *s = key ? strchr(line, ':') : line;
		if (key && !s)
			continue;
		s += key ? 1 : 0;
		while (*s == ' ' || *s == '\t')
			s++;
		s[strcspn(s, "\n")] = 0;
		snprintf(out, len, "%s", s);
		break;
	}
	fclose(f);
}

static void read_loadavg(char *out, size_t len)
{
	read_line("/proc/loadavg", NULL, out, len);
	char *p = out;
	for (int fields = 0; *p && fields < 3; p++)
		if (*p == ' ' && ++fields == 3)
			*p = 0;
}

static int write_json(const char *path, struct family_set *sets, int nsets)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "rtm-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct utsname u;
	uname(&u);
	char cpu[256], thp[256], thpd[256];
	read_line("/proc/cpuinfo", "model name", cpu, sizeof cpu);
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", NULL, thp, sizeof thp);
	read_line("/sys/kernel/mm/transparent_hugepage/defrag", NULL, thpd, sizeof thpd);
	fprintf(f, "{\n  \"tool\": \"rtm-bench\",\n  \"machine\": {\"cpu\": ");
	json_str(f, cpu);
	fprintf(f, ", \"cpus_online\": %d, \"cpus_allowed\": %d, \"cpus_configured\": %ld, \"kernel\": ", ncpu, ncpus,
		sysconf(_SC_NPROCESSORS_CONF));
	char kern[600];
	snprintf(kern, sizeof kern, "%s %s %s", u.sysname, u.release, u.machine);
	json_str(f, kern);
	fprintf(f, ", \"page_size\": %ld, \"thp_enabled\": ", sysconf(_SC_PAGESIZE));
	json_str(f, thp);
	fprintf(f, ", \"thp_defrag\": ");
	json_str(f, thpd);
	char loadavg_end[128];
	read_loadavg(loadavg_end, sizeof loadavg_end);
	fprintf(f, ", \"loadavg_start\": ");
	json_str(f, loadavg_start);
	fprintf(f, ", \"loadavg_end\": ");
	json_str(f, loadavg_end);
	fprintf(f, ", \"memory_bytes\": %lld", (long long)sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE));
	fprintf(f, ", \"random_load\": {\"bytes\": %zu, \"dependent_ns\": ", memlat.bytes);
	json_num(f, memlat.dependent_ns);
	fprintf(f, ", \"chains\": %d, \"parallel_ns\": ", memlat.chains);
	json_num(f, memlat.parallel_ns);
	fprintf(f, "}},\n");
	fprintf(f, "  \"versions\": {\"compiler\": ");
	json_str(f, __VERSION__);
	fprintf(f, ", \"glibc\": ");
	json_str(f, gnu_get_libc_version());
	for (int i = 0; i < nimpls; i++) {
		if (!impls[i]->version)
			continue;
		fprintf(f, ", ");
		json_str(f, impls[i]->name);
		fprintf(f, ": ");
		json_str(f, impls[i]->version());
	}
#ifdef RTM_BENCH_GIT
	fprintf(f, ", \"librtm_git\": ");
	json_str(f, RTM_BENCH_GIT);
#endif
	fprintf(f, "},\n  \"config\": {\"seed\": %" PRIu64 ", \"repetitions\": %d, \"min_seconds\": ",
		opt.seed, opt.reps);
	json_num(f, opt.min_s);
	fprintf(f, ", \"threads\": %d, \"writers\": %d, \"quick\": %s, \"prefix_limit\": %zu, \"phases\": [",
		opt.threads, opt.writers, opt.quick ? "true" : "false", opt.limit);
	for (int p = 0, first = 1; p < NPHASES; p++)
		if (opt.phases & (1u << p)) {
			fprintf(f, "%s\"%s\"", first ? "" : ", ", phase_names[p]);
			first = 0;
		}
	fprintf(f, "], \"mixed_placement\": ");
	json_str(f, mixed_placement);
	fprintf(f, ", \"slow_load_seconds\": %.0f, \"dpdk_eal_memory_mb\": %u},\n", SLOW_LOAD_S, opt.dpdk_mem);
	fprintf(f, "  \"data\": [");
	for (int i = 0; i < nsets; i++) {
		fprintf(f, "%s\n    {\"family\": \"%s\", \"path\": ", i ? "," : "", sets[i].d.name);
		json_str(f, sets[i].d.path);
		fprintf(f, ", \"prefixes\": %zu, \"duplicates_dropped\": %zu, \"queries\": %zu, "
			   "\"churn_keys\": %zu, \"seed\": %" PRIu64 "}",
			sets[i].d.n, sets[i].dups, sets[i].nq, sets[i].nkeys, sets[i].seed);
	}
	if (mp_info[0]) {
		fprintf(f, "%s\n    {\"family\": \"%s\", \"path\": ", nsets ? "," : "", BENCH_MP_FAMILY);
		json_str(f, opt.ris);
		fprintf(f, ", \"description\": ");
		json_str(f, mp_info);
		fprintf(f, ", \"prefix_limit\": %d}", opt.quick ? 20000 : 0);
	}
	fprintf(f, "\n  ],\n  \"baselines\": {");
	for (int b = 0; b < NBASE; b++) {
		bool have = false;
		for (int i = 0; i < nimpls; i++)
			have |= !strcmp(impls[i]->name, baseline_names[b]);
		fprintf(f, "%s\"%s\": {\"available\": %s", b ? ", " : "", baseline_names[b], have ? "true" : "false");
		if (!have) {
			fprintf(f, ", \"reason\": ");
			json_str(f, is_dpdk(baseline_names[b]) ? dpdk_reason : "not selected");
		}
		fputc('}', f);
	}
	fprintf(f, "},\n  \"results\": [");
	for (size_t i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];
		fprintf(f, "%s\n    {\"family\": \"%s\", \"phase\": \"%s\", \"metric\": \"%s\", \"case\": \"%s\", "
			   "\"threads\": %d, \"impl\": \"%s\", \"unit\": \"%s\", \"higher_is_better\": %s, "
			   "\"median\": ",
			i ? "," : "", r->fam, r->phase, r->metric, r->kase, r->threads, r->impl, r->unit,
			r->higher_better ? "true" : "false");
		json_num(f, r->med);
		fprintf(f, ", \"min\": ");
		json_num(f, r->lo);
		fprintf(f, ", \"max\": ");
		json_num(f, r->hi);
		fprintf(f, ", \"values\": [");
		for (int k = 0; k < r->nv; k++) {
			if (k)
				fputs(", ", f);
			json_num(f, r->v[k]);
		}
		fputc(']', f);
		if (is_librtm(r->impl)) {
			fprintf(f, ", \"ratio_to\": {");
			int first = 1;
			for (int b = 0; b < NBASE; b++) {
				const struct rec *o = find_rec(r, baseline_names[b]);
				if (!o || o->med == 0)
					continue;
				fprintf(f, "%s\"%s\": ", first ? "" : ", ", baseline_names[b]);
				json_num(f, r->med / o->med);
				first = 0;
			}
			fputc('}', f);
		}
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"failures\": %d\n}\n", atomic_load(&failures));
	if (fclose(f) != 0)
		return -1;
	return 0;
}

/* One bar group per librtm figure with a baseline: librtm's advantage (> 1 = better), log scale. */
static int write_plot(const char *png)
{
	char dat[] = "/tmp/rtm-bench-plot-XXXXXX";
	int fd = mkstemp(dat);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	int rows = 0;
	for (size_t i = 0; i < nrecs; i++) {
		const struct rec *r = &recs[i];
		/* best-change counts are a check (librtm must equal the oracle), not a speed */
		if (!is_librtm(r->impl) || row_skipped(r) || !strcmp(r->metric, "best changes"))
			continue;
		double adv[NBASE];
		int have = 0;
		for (int b = 0; b < NBASE; b++) {
			const struct rec *o = find_rec(r, baseline_names[b]);
			adv[b] = NAN;
			if (o && o->med > 0 && r->med > 0) {
				adv[b] = r->higher_better ? r->med / o->med : o->med / r->med;
				have++;
			}
		}
		if (!have)
			continue;
		char label[96];
		if (!strcmp(r->phase, "multipath"))
			snprintf(label, sizeof label, "%s %s %s", r->fam, r->metric, r->kase);
		else
			snprintf(label, sizeof label, "%s %s%s %s%s", r->fam, r->phase,
				 is_fast_path(r->impl) ? " Rtmx" : "",
				 !strcmp(r->phase, "mixed") ? r->metric : r->kase,
				 r->threads > 1 ? (r->threads == 2 ? " 2T" : " nT") : "");
		for (char *c = label; *c; c++)
			if (*c == '"')
				*c = '\'';
		fprintf(f, "\"%s\"", label);
		for (int b = 0; b < NBASE; b++) {
			if (isnan(adv[b]))
				fprintf(f, " ?");
			else
				fprintf(f, " %.6g", adv[b]);
		}
		fputc('\n', f);
		rows++;
	}
	fclose(f);
	if (!rows) {
		unlink(dat);
		return -1;
	}
	FILE *g = popen("gnuplot", "w");
	if (!g) {
		unlink(dat);
		return -1;
	}
	fprintf(g,
		"set terminal pngcairo size %d,800 font 'sans,9'\n"
		"set output '%s'\n"
		"set title 'librtm vs baselines: librtm advantage (>1: librtm better; rates: librtm/baseline, bytes and ns: baseline/librtm)'\n"
		"set datafile missing '?'\n"
		"set style data histograms\n"
		"set style histogram clustered gap 1\n"
		"set style fill solid 0.8 border -1\n"
		"set logscale y\n"
		"set autoscale y\n"
		"set bmargin 17\n"
		"set rmargin 28\n"
		"set grid ytics\n"
		"set xtics rotate by -50 scale 0\n"
		"set key top left\n"
		"set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb 'black'\n"
		"plot '%s' using 2:xtic(1) title 'naive-trie', '' using 3 title 'cds\\_lfht', "
		"'' using 4 title 'rte\\_lpm', '' using 5 title 'rte\\_fib', '' using 6 title 'rte\\_rib'\n",
		rows * 40 + 700 > 3300 ? 3300 : rows * 40 + 700, png, dat);
	int rc = pclose(g);
	unlink(dat);
	return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rtm-bench [options] [PHASE...]\n"
		"  PHASE: load lookup churn mixed memory locks multipath (default: all)\n"
		"         (load: 1 and W writers, each in table order and in random order)\n"
		"  --table FILE   prefix list (plain or .xz, both families); repeatable;\n"
		"                 default %s/tier1-2023-ipv{4,6}.txt.xz\n"
		"  --ris FILE     multipath: bgpdump -m table with several peers\n"
		"                 (default %s)\n"
		"  --quick        smoke run: first 100k prefixes per family (multipath: 20k),\n"
		"                 short measurements\n"
		"  --json FILE    every figure, the machine, versions, seeds and repetitions\n"
		"  --plot FILE    PNG chart of librtm's ratio to each baseline (needs gnuplot)\n"
		"  --reps N       repetitions per figure (default 3; median and range reported)\n"
		"  --time S       seconds per timed measurement (default 0.25; quick 0.05)\n"
		"  --threads T    lookup threads 1..T (default: online CPUs)\n"
		"  --writers W    writers for the parallel load (default: online CPUs)\n"
		"  --limit N      only the first N prefixes of each family\n"
		"  --seed N       random seed (default 0x%llx)\n"
		"  --no-dpdk      skip the DPDK baselines; --dpdk-mem MB: EAL memory (default 2048)\n"
		"  --mixed-probe  mixed: also librtm's reader beside a writer that only spins, streams\n"
		"                 through memory, runs RCU grace periods, or churns with its own\n"
		"                 call_rcu worker on its CPU or the reader's (tools/bench/README.md)\n",
		RTM_DATA_DIR, RTM_RIS_DATA, (unsigned long long)DEFAULT_SEED);
}

int main(int argc, char **argv)
{
	ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	{
		cpu_set_t cs;
		if (sched_getaffinity(0, sizeof cs, &cs) == 0)
			for (int c = 0; c < CPU_SETSIZE; c++)
				if (CPU_ISSET(c, &cs))
					cpus[ncpus++] = c;
		if (ncpus == 0)
			cpus[ncpus++] = 0;
	}
	opt.seed = DEFAULT_SEED;
	opt.reps = 3;
	opt.min_s = -1;
	opt.threads = ncpus > MAX_THREADS ? MAX_THREADS : ncpus;
	opt.writers = opt.threads;
	opt.dpdk_mem = 2048;
	static const struct option lo[] = {
		{ "table", required_argument, 0, 'f' }, { "quick", no_argument, 0, 'q' },
		{ "json", required_argument, 0, 'j' }, { "plot", required_argument, 0, 'p' },
		{ "reps", required_argument, 0, 'r' }, { "time", required_argument, 0, 't' },
		{ "threads", required_argument, 0, 'T' }, { "writers", required_argument, 0, 'W' },
		{ "limit", required_argument, 0, 'l' }, { "seed", required_argument, 0, 's' },
		{ "no-dpdk", no_argument, 0, 'n' }, { "dpdk-mem", required_argument, 0, 'm' },
		{ "ris", required_argument, 0, 'R' }, { "mixed-probe", no_argument, 0, 'M' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
	int c;
	while ((c = getopt_long(argc, argv, "f:qj:p:r:t:T:W:l:s:nm:h", lo, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (opt.ntables < 8)
				opt.tables[opt.ntables++] = optarg;
			break;
		case 'q': opt.quick = true; break;
		case 'j': opt.json = optarg; break;
		case 'p': opt.plot = optarg; break;
		case 'r': opt.reps = atoi(optarg); break;
		case 't': opt.min_s = atof(optarg); break;
		case 'T': opt.threads = atoi(optarg); break;
		case 'W': opt.writers = atoi(optarg); break;
		case 'l': opt.limit = (size_t)strtoull(optarg, NULL, 0); break;
		case 's': opt.seed = strtoull(optarg, NULL, 0); break;
		case 'n': opt.no_dpdk = true; break;
		case 'm': opt.dpdk_mem = (unsigned)atoi(optarg); break;
		case 'R': opt.ris = optarg; break;
		case 'M': opt.mixed_probe = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (opt.reps < 1 || opt.reps > MAX_REPS || opt.threads < 1 || opt.threads > MAX_THREADS ||
	    opt.writers < 1 || opt.writers > MAX_THREADS) {
		usage(stderr);
		return 2;
	}
	for (; optind < argc; optind++) {
		int p;
		for (p = 0; p < NPHASES && strcmp(argv[optind], phase_names[p]); p++)
			;
		if (p == NPHASES) {
			fprintf(stderr, "rtm-bench: unknown phase '%s'\n", argv[optind]);
			usage(stderr);
			return 2;
		}
		opt.phases |= 1u << p;
	}
	if (!opt.phases)
		opt.phases = (1u << NPHASES) - 1;
	if (!opt.ris)
		opt.ris = RTM_RIS_DATA;
	if (opt.quick && !opt.limit)
		opt.limit = 100000;
	if (opt.min_s <= 0)
		opt.min_s = opt.quick ? 0.05 : 0.25;
	if (!opt.ntables && opt.phases != PH_MULTIPATH) {
		opt.tables[opt.ntables++] = RTM_DATA_DIR "/tier1-2023-ipv4.txt.xz";
		opt.tables[opt.ntables++] = RTM_DATA_DIR "/tier1-2023-ipv6.txt.xz";
	}
	if (opt.reps < 3)
		fprintf(stderr, "rtm-bench: warning: fewer than 3 repetitions, ranges mean little\n");

	/* Tables: every file is read for both families and merged per family. */
	rtm_prefix_list pl = RTM_PREFIX_LIST_INIT;
	char err[512];
	char paths[2][512] = { "", "" };
	for (int i = 0; i < opt.ntables; i++) {
		rtm_prefix_list_stats st;
		size_t before = pl.count;
		if (rtm_prefix_list_load(opt.tables[i], NULL, &pl, &st, err, sizeof err) != 0) {
			fprintf(stderr, "rtm-bench: %s\n", err);
			return 1;
		}
		bool v4 = false, v6 = false;
		for (size_t k = before; k < pl.count; k++) {
			v4 |= pl.items[k].AddressFamily == AF_INET;
			v6 |= pl.items[k].AddressFamily == AF_INET6;
		}
		for (int fi = 0; fi < 2; fi++)
			if (fi ? v6 : v4)
				snprintf(paths[fi] + strlen(paths[fi]), sizeof paths[fi] - strlen(paths[fi]),
					 "%s%s", paths[fi][0] ? "," : "", opt.tables[i]);
	}

	/* Data sets; the structures that keep freed memory measure it before any structure is used. */
	struct family_set sets[2];
	int nsets = 0;
	static const struct { const char *name; unsigned family, width; } fams[2] = {
		{ "ipv4", AF_INET, 32 }, { "ipv6", AF_INET6, 128 } };
	for (int fi = 0; fi < 2; fi++) {
		if (!paths[fi][0])
			continue;
		struct family_set *fs = &sets[nsets];
		char *pathcopy = strdup(paths[fi]);
		if (build_set(fs, fams[fi].name, pathcopy, fams[fi].family, fams[fi].width, &pl,
			      opt.seed + (uint64_t)fi * 0x9E3779B97F4A7C15ull) != 0) {
			fprintf(stderr, "rtm-bench: out of memory\n");
			return 1;
		}
		nsets++;
	}
	rtm_prefix_list_free(&pl);
	double t_start = bench_now_s();
	impls[nimpls++] = &bench_rtm_impl;
	impls[nimpls++] = &bench_naive_impl;
	impls[nimpls++] = &bench_lfht_impl;
	for (int si = 0; si < nsets && (opt.phases & PH_MEMORY); si++)
		for (int i = 0; i < nimpls; i++) {
			const struct bench_impl *im = impls[i];
			if (sets[si].d.n && (im->caps & BI_KEEPS_MEMORY) &&
			    (im->caps & (sets[si].d.width == 32 ? BI_V4 : BI_V6)) &&
			    measure_memory_in_child(im, &sets[si]) != 0)
				fail("%s %s: the memory measurement in a child process failed", sets[si].d.name,
				     im->name);
		}

	/* The DPDK structures (EAL started after the forks above). */
#ifdef RTM_BENCH_HAVE_DPDK
	if (opt.no_dpdk) {
		snprintf(dpdk_reason, sizeof dpdk_reason, "skipped (--no-dpdk)");
	} else if (bench_dpdk_init(opt.dpdk_mem, err, sizeof err) != 0) {
		snprintf(dpdk_reason, sizeof dpdk_reason, "%s", err);
	} else {
		dpdk_ok = true;
		impls[nimpls++] = &bench_dpdk_lpm_impl;
		impls[nimpls++] = &bench_dpdk_fib_impl;
		impls[nimpls++] = &bench_dpdk_rib_impl;
	}
#endif
	{
		cpu_set_t cs;
		if (sched_getaffinity(0, sizeof cs, &cs) == 0 && CPU_COUNT(&cs) < ncpus)
			fprintf(stderr, "rtm-bench: warning: main thread may run on only %d of its %d CPUs\n",
				CPU_COUNT(&cs), ncpus);
	}
	if (bench_memlat_measure(MEMLAT_BYTES, &memlat) != 0)
		fprintf(stderr, "rtm-bench: no memory for the random-load measurement\n");
	read_loadavg(loadavg_start, sizeof loadavg_start);
	printf("rtm-bench: %d CPUs, seed 0x%" PRIx64 ", %d reps of >= %.2f s, threads 1..%d, %d writers%s; "
	       "load average at start %s\n",
	       ncpu, opt.seed, opt.reps, opt.min_s, opt.threads, opt.writers, opt.quick ? ", QUICK" : "",
	       loadavg_start);
	if (memlat.bytes)
		printf("rtm-bench: a random load from %zu MiB takes %.0f ns when it waits for the previous one, "
		       "%.0f ns apart with %d independent chains\n",
		       memlat.bytes >> 20, memlat.dependent_ns, memlat.parallel_ns, memlat.chains);
	if (!dpdk_ok)
		printf("rtm-bench: DPDK baselines (rte_lpm, rte_fib, rte_rib) MISSING: %s\n", dpdk_reason);
	fflush(stdout);

	for (int si = 0; si < nsets; si++) {
		struct family_set *fs = &sets[si];
		if (fs->d.n == 0)
			continue;
		fprintf(stderr, "%s: %zu prefixes (%zu duplicates dropped) from %s\n", fs->d.name, fs->d.n,
			fs->dups, fs->d.path);
		for (int i = 0; i < nimpls; i++) {
			const struct bench_impl *im = impls[i];
			if (!(im->caps & (fs->d.width == 32 ? BI_V4 : BI_V6)))
				continue;
			struct driver_arg da = { im, fs };
			pthread_t tid;
			if (spawn(&tid, driver, &da, -1) != 0) {
				fprintf(stderr, "rtm-bench: pthread_create failed\n");
				return 1;
			}
			pthread_join(tid, NULL);
		}
	}

	if (opt.phases & PH_MULTIPATH) {
		pthread_t tid;
		if (spawn(&tid, multipath_driver, NULL, -1) != 0) {
			fprintf(stderr, "rtm-bench: pthread_create failed\n");
			return 1;
		}
		pthread_join(tid, NULL);
	}

	print_table(stdout);
	{
		char la[128];
		read_loadavg(la, sizeof la);
		printf("\nrtm-bench: %.0f s, %d failure(s); load average at the end %s\n", bench_now_s() - t_start,
		       atomic_load(&failures), la);
	}
	if (opt.json && write_json(opt.json, sets, nsets) != 0) {
		fprintf(stderr, "rtm-bench: cannot write %s\n", opt.json);
		atomic_fetch_add(&failures, 1);
	}
	if (opt.plot && write_plot(opt.plot) != 0) {
		fprintf(stderr, "rtm-bench: cannot draw %s (is gnuplot installed? Debian: gnuplot-nox)\n", opt.plot);
		atomic_fetch_add(&failures, 1);
	}
	for (int i = 0; i < nsets; i++)
		free_set(&sets[i]);
#ifdef RTM_BENCH_HAVE_DPDK
	if (dpdk_ok)
		bench_dpdk_cleanup();
#endif
	return atomic_load(&failures) ? 1 : 0;
}
