/*
 * rtm-torture - lock-fairness and correctness torture for librtm's
 * per-destination lock, with pthread and ConcurrencyKit baselines run in the
 * same harness.  See README.md for what it measures and how to read it.
 *
 * Threads come in three classes, all on the same D destinations:
 *   W  writers: exclusive lock, in-place edit, publish + unlock;
 *   R  shared holders: shared lock, read and validate the payload, hold, re-read;
 *   L  lock-free readers (librtm only): RtmGetRouteInfo / RtmGetMostSpecificDestination.
 *
 * Beside the locks, every destination has side-band state kept with seq_cst
 * atomics: holder counts (mutual exclusion oracle), the last committed and
 * published versions (data oracle), a count of waiting writers and of reader
 * entries made while one waited (policy oracle), request / entry sequence
 * numbers (bypass counts) and an exclusive-hold epoch (lock-free reader
 * check).  The side band costs every variant the same.
 */
#define _GNU_SOURCE 1

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "torture.h"

#define MAX_THREADS 512
#define MAX_SCEN 16
#define MAX_REPS 64
#define WAIT_LIMIT_NS (50ull * 1000000ull) /* "every wait <= 50 ms" check */
#define JAIN_MIN 0.95
#define THROUGHPUT_MIN 0.5 /* x pthread-mutex */
#define HANG_SECONDS 20

enum cls { CL_W, CL_R, CL_L, NCLS };
static const char *const cls_name[NCLS] = {"Writes", "Reads", "LFreads"};
static const char *const cls_short[NCLS] = {"W", "R", "L"};

/* ---- configuration ---------------------------------------------------------- */

struct scen {
	unsigned nw, nr, nl;
};

static struct cfg {
	const struct lockvar *locks[16];
	unsigned nlocks;
	struct scen single;
	struct scen scen[MAX_SCEN];
	unsigned nscen;
	bool scenarios;
	bool policy_soft; /* --policy-report-only */
	unsigned dests;
	double zipf;
	uint64_t hold_w, hold_r, think_w, think_r, think_l; /* ns */
	double duration;                                     /* s */
	unsigned reps;
	uint64_t seed;
	unsigned cpus;
	double long_frac;
	uint64_t long_hold; /* ns */
	uint64_t stutter;   /* ns, 0 = off */
	double dest_frac;
	uint64_t window; /* ns */
	uint64_t grace;  /* ns */
	unsigned probe_reps;
	bool verbose;
	const char *json, *markdown, *plot;
} C;

/* ---- side band per destination ------------------------------------------------ */

struct dstate {
	_Atomic int excl;
	_Atomic int shared;
	_Atomic uint32_t wwait;
	_Atomic uint64_t rd_ww; /* reader entries while a writer waited, since the last writer entry */
	_Atomic uint64_t req_seq;
	_Atomic uint64_t acq_seq;
	_Atomic uint64_t epoch; /* odd while held exclusively */
	_Atomic uint64_t last_w_acq;
	_Atomic uint64_t committed[2];
	_Atomic uint64_t published; /* route path, after RtmUpdateAndUnlockRoute returned */
	_Atomic uint64_t pub_time;
} __attribute__((aligned(128)));

static struct dstate *D;
static double *zipf_cdf;

/* ---- threads ------------------------------------------------------------------ */

struct thr {
	pthread_t t;
	enum cls cls;
	unsigned idx;
	uint64_t rng;
	_Atomic uint64_t acq; /* entries before the end of the run, read by the sampler */
	uint64_t acq_all;
	struct hist wait; /* W, R: lock wait; L: call latency */
	uint64_t bypass;
	uint64_t viol_me, viol_data, stale, stale_age_max, errors;
	uint64_t long_holds;
	uint64_t lf_inside, lf_inside_max;
	uint64_t w_starve;              /* writers: longest no-writer-progress gap seen */
	uint64_t rd_ww_sum, rd_ww_max; /* writers: reader entries per writer interval */
	void *scratch;
	const struct lockvar *lv;
} __attribute__((aligned(128)));

static struct thr *T;
static unsigned NT;
static pthread_barrier_t start_bar;
static uint64_t t_start, t_end;
static atomic_int stop_flag, pause_flag;
static cpu_set_t cpuset;
static bool use_cpuset;

static inline uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline double
rnd01(uint64_t *s)
{
	return (double)(rnd(s) >> 11) * (1.0 / 9007199254740992.0);
}

static unsigned
pick_dest(uint64_t *s)
{
	if (C.dests == 1)
		return 0;
	if (zipf_cdf == NULL)
		return (unsigned)(rnd(s) % C.dests);
	double u = rnd01(s);
	unsigned lo = 0, hi = C.dests - 1;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
sleep_ns(uint64_t ns)
{
	struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Busy for about ns (short holds and think times), sleep for long ones. */
static void
spend(uint64_t ns)
{
	if (ns == 0)
		return;
	if (ns >= 100000) {
		sleep_ns(ns);
		return;
	}
	uint64_t until = now_ns() + ns;

	while (now_ns() < until)
		;
}

/* Uniform in [base/2, 3 base/2]. */
static uint64_t
jitter(uint64_t base, uint64_t *s)
{
	if (base == 0)
		return 0;
	return base / 2 + rnd(s) % (base + 1);
}

static uint64_t
pick_hold(struct thr *t, uint64_t base, bool *is_long)
{
	*is_long = C.long_frac > 0 && rnd01(&t->rng) < C.long_frac;
	if (*is_long) {
		t->long_holds++;
		return C.long_hold;
	}
	return jitter(base, &t->rng);
}

static inline uint64_t
ld(_Atomic uint64_t *p)
{
	return atomic_load(p);
}

static void
payload_read(const struct payload *pl, uint64_t *ver, uint64_t *chk)
{
	if (pl->ver_is_32)
		*ver = *(volatile uint32_t *)pl->ver;
	else
		*ver = *(volatile uint64_t *)pl->ver;
	*chk = (uint64_t)(uintptr_t) * (void *volatile *)pl->chk;
}

static void
payload_write_ver(const struct payload *pl, uint64_t v)
{
	if (pl->ver_is_32)
		*(volatile uint32_t *)pl->ver = (uint32_t)v;
	else
		*(volatile uint64_t *)pl->ver = v;
}

static void
payload_write_chk(const struct payload *pl, uint64_t c)
{
	*(void *volatile *)pl->chk = (void *)(uintptr_t)c;
}

static bool
payload_ok(unsigned i, const struct payload *pl, uint64_t want)
{
	uint64_t v, c;

	payload_read(pl, &v, &c);
	if (pl->ver_is_32)
		want = (uint32_t)want;
	return v == want && c == payload_check(i, (uint32_t)want);
}

/* Entry bookkeeping common to writers and shared holders. */
static void
entered(struct thr *t, struct dstate *d, uint64_t req, uint64_t t0, uint64_t t1)
{
	uint64_t a = atomic_fetch_add(&d->acq_seq, 1);

	if (a > req)
		t->bypass += a - req;
	hist_add(&t->wait, t1 - t0);
	t->acq_all++;
	if (t1 < t_end)
		atomic_store_explicit(&t->acq, atomic_load_explicit(&t->acq, memory_order_relaxed) + 1,
				      memory_order_relaxed);
}

static void
do_write(struct thr *t)
{
	unsigned i = pick_dest(&t->rng);
	struct dstate *d = &D[i];
	enum path p = rnd01(&t->rng) < C.dest_frac ? PATH_DEST : PATH_ROUTE;
	struct payload pl;
	bool is_long;
	uint64_t hold = pick_hold(t, C.hold_w, &is_long);
	uint64_t t0, t1, req, v, last, gap;

	t0 = now_ns();
	req = atomic_fetch_add(&d->req_seq, 1);
	atomic_fetch_add(&d->wwait, 1);
	if (t->lv->lock(i, true, p, &pl) != 0) {
		atomic_fetch_sub(&d->wwait, 1);
		t->errors++;
		return;
	}
	t1 = now_ns();
	atomic_fetch_sub(&d->wwait, 1);
	entered(t, d, req, t0, t1);
	if (atomic_fetch_add(&d->excl, 1) != 0 || atomic_load(&d->shared) != 0)
		t->viol_me++;
	atomic_fetch_add(&d->epoch, 1);

	/* Policy: reader entries made while a writer waited since the last writer entry. */
	uint64_t r = atomic_exchange(&d->rd_ww, 0);

	t->rd_ww_sum += r;
	if (r > t->rd_ww_max)
		t->rd_ww_max = r;
	/* Writer progress gap while this writer waited. */
	last = atomic_exchange(&d->last_w_acq, t1);
	gap = t1 - (last > t0 ? last : t0);
	if (last < t1 && gap > t->w_starve)
		t->w_starve = gap;

	/* Data: the holder sees the last committed version, then edits in two steps. */
	v = ld(&d->committed[p]);
	if (!payload_ok(i, &pl, v))
		t->viol_data++;
	payload_write_ver(&pl, v + 1);
	if (is_long)
		sleep_ns(hold);
	else
		spend(hold);
	payload_write_chk(&pl, payload_check(i, (uint32_t)(v + 1)));
	atomic_store(&d->committed[p], v + 1);

	atomic_fetch_add(&d->epoch, 1);
	atomic_fetch_sub(&d->excl, 1);
	if (t->lv->unlock(i, true, p) != 0)
		t->errors++;
	if (p == PATH_ROUTE) {
		uint64_t cur = ld(&d->published);

		atomic_store(&d->pub_time, now_ns());
		while (cur < v + 1 && !atomic_compare_exchange_weak(&d->published, &cur, v + 1))
			;
	}
}

static void
do_read_locked(struct thr *t)
{
	unsigned i = pick_dest(&t->rng);
	struct dstate *d = &D[i];
	enum path p = rnd01(&t->rng) < C.dest_frac ? PATH_DEST : PATH_ROUTE;
	struct payload pl;
	bool is_long;
	uint64_t hold = pick_hold(t, C.hold_r, &is_long);
	uint64_t t0, t1, req, v;

	t0 = now_ns();
	req = atomic_fetch_add(&d->req_seq, 1);
	if (t->lv->lock(i, false, p, &pl) != 0) {
		t->errors++;
		return;
	}
	t1 = now_ns();
	entered(t, d, req, t0, t1);
	atomic_fetch_add(&d->shared, 1);
	if (atomic_load(&d->excl) != 0)
		t->viol_me++;
	if (atomic_load(&d->wwait) != 0)
		atomic_fetch_add(&d->rd_ww, 1);

	v = ld(&d->committed[p]);
	if (!payload_ok(i, &pl, v))
		t->viol_data++;
	if (is_long)
		sleep_ns(hold);
	else
		spend(hold);
	/* Nothing may have changed under a shared hold. */
	if (!payload_ok(i, &pl, v) || ld(&d->committed[p]) != v)
		t->viol_data++;
	atomic_fetch_sub(&d->shared, 1);
	if (t->lv->unlock(i, false, p) != 0)
		t->errors++;
}

static void
do_read_lockfree(struct thr *t)
{
	unsigned i = pick_dest(&t->rng);
	struct dstate *d = &D[i];
	int kind = (int)(rnd(&t->rng) & 1);
	uint64_t e0, e1, pub, pt, t0, t1, ver = 0, chk = 0, c;
	int rc;

	e0 = ld(&d->epoch);
	pub = ld(&d->published);
	pt = ld(&d->pub_time);
	t0 = now_ns();
	rc = t->lv->lf_read(i, kind, &ver, &chk, t->scratch);
	t1 = now_ns();
	e1 = ld(&d->epoch);
	c = ld(&d->committed[PATH_ROUTE]);
	hist_add(&t->wait, t1 - t0);
	t->acq_all++;
	if (t1 < t_end)
		atomic_store_explicit(&t->acq, atomic_load_explicit(&t->acq, memory_order_relaxed) + 1,
				      memory_order_relaxed);
	if (rc != 0) {
		t->errors++;
		return;
	}
	if ((e0 & 1) && e0 == e1) {
		t->lf_inside++;
		if (t1 - t0 > t->lf_inside_max)
			t->lf_inside_max = t1 - t0;
	}
	if (kind != 0)
		return;
	if (chk != payload_check(i, (uint32_t)ver) || ver > (uint32_t)c) {
		t->viol_data++; /* torn, or a version nobody committed */
		return;
	}
	if (ver < (uint32_t)pub) {
		uint64_t age = t0 > pt ? t0 - pt : 0;

		if (age > t->stale_age_max)
			t->stale_age_max = age;
		if (age >= C.grace)
			t->stale++;
	}
}

static void *
thr_main(void *arg)
{
	struct thr *t = arg;
	uint64_t think = t->cls == CL_W ? C.think_w : t->cls == CL_R ? C.think_r : C.think_l;

	if (use_cpuset)
		pthread_setaffinity_np(pthread_self(), sizeof(cpuset), &cpuset);
	if (t->cls == CL_L)
		t->scratch = t->lv->lf_scratch();
	pthread_barrier_wait(&start_bar);
	while (!atomic_load_explicit(&stop_flag, memory_order_relaxed)) {
		if (atomic_load_explicit(&pause_flag, memory_order_relaxed)) {
			sleep_ns(500000);
			continue;
		}
		switch (t->cls) {
		case CL_W: do_write(t); break;
		case CL_R: do_read_locked(t); break;
		default: do_read_lockfree(t); break;
		}
		spend(jitter(think, &t->rng));
	}
	if (t->scratch != NULL)
		t->lv->lf_scratch_free(t->scratch);
	return NULL;
}

/* ---- the probe: lock-free readers against a long exclusive hold -------------- */

struct probe {
	int ran, ok;
	uint64_t inside_ops, inside_max, straddle_max, hold;
	int64_t straddle_end; /* end of the longest straddling call, relative to the unlock */
	uint64_t slept, slept_straddle;
	unsigned reruns; /* rounds repeated because the reader never ran in the hold */
};

/* A round in which the reader thread completed no call inside the hold (it
 * was not scheduled: a busy machine) proves nothing either way, nor does one
 * whose straddling call slept once: a reader that waits for the holder does
 * so in every round, while a sleep on something else does not come back
 * round after round (the ThreadSanitizer runtime's own locks and stops: once
 * in about 20 CI runs, a call that began 64 us before the unlock of a 10 ms
 * hold slept and returned 0.85 ms after it).  Such a round is repeated, up
 * to this many times in a row, before it counts as a failure. */
#define PROBE_RERUNS 8

struct probe_arg {
	const struct lockvar *lv;
	atomic_int held;  /* 0 not yet, 1 held, 2 released */
	atomic_int ready; /* the reader made its warm-up call */
	uint64_t inside_ops, inside_max, straddle_max;
	uint64_t straddle_t0, straddle_t1; /* the longest straddling call */
	uint64_t slept;                    /* calls begun in the hold that slept in the kernel */
	uint64_t slept_straddle;           /* ... and returned only after the unlock */
	uint64_t slept_end;                /* when the last of those returned */
	int errors;
};

static void *
probe_reader(void *arg)
{
	struct probe_arg *a = arg;
	void *scratch = a->lv->lf_scratch();
	uint64_t ver, chk;
	int k = 0;

	if (use_cpuset)
		pthread_setaffinity_np(pthread_self(), sizeof(cpuset), &cpuset);
	/* A thread's first call registers it with RCU, which waits for a grace
	 * period in progress (liburcu holds its registry lock through one): a
	 * sleep that has nothing to do with the destination lock.  So make that
	 * call before the hold begins. */
	if (a->lv->lf_read(0, 0, &ver, &chk, scratch) != 0)
		a->errors++;
	atomic_store(&a->ready, 1);
	while (atomic_load(&a->held) == 0)
		sched_yield();
	for (;;) {
		struct rusage u0, u1;
		int h0 = atomic_load(&a->held);

		getrusage(RUSAGE_THREAD, &u0);
		uint64_t t0 = now_ns();
		int rc = a->lv->lf_read(0, k++ & 1, &ver, &chk, scratch);
		uint64_t t1 = now_ns();
		int h1 = atomic_load(&a->held);

		getrusage(RUSAGE_THREAD, &u1);
		if (rc != 0)
			a->errors++;
		/* A voluntary context switch: the call slept (futex), it did not just get preempted. */
		if (h0 == 1 && u1.ru_nvcsw != u0.ru_nvcsw) {
			a->slept++;
			if (h1 == 2) {
				a->slept_straddle++;
				a->slept_end = t1;
			}
		}
		if (h0 == 1 && h1 == 1) {
			a->inside_ops++;
			if (t1 - t0 > a->inside_max)
				a->inside_max = t1 - t0;
		} else if (h0 == 1) {
			if (t1 - t0 > a->straddle_max) {
				a->straddle_max = t1 - t0;
				a->straddle_t0 = t0;
				a->straddle_t1 = t1;
			}
		}
		if (h1 == 2)
			break;
	}
	a->lv->lf_scratch_free(scratch);
	return NULL;
}

/*
 * Hold destination 0 exclusively (route path, then destination path, ...) for
 * the long-hold time while a reader calls the lock-free API on it.  Pass: in
 * every round the reader completed calls inside the hold, and no call that
 * began during the hold slept in the kernel (a voluntary context switch,
 * getrusage) and returned only after the unlock: that is what waiting for the
 * holder looks like.  A call merely preempted on a busy machine is an
 * involuntary switch; it shows in "max straddling" but does not fail.
 */
static void
run_probe(const struct lockvar *lv, struct probe *pr)
{
	memset(pr, 0, sizeof(*pr));
	if (!lv->lockfree_reads || C.probe_reps == 0)
		return;
	pr->ran = 1;
	pr->ok = 1;
	pr->hold = C.long_hold;
	for (unsigned rep = 0, rerun = 0; rep < C.probe_reps; rep++) {
		struct probe_arg a;
		struct payload pl;
		pthread_t th;
		enum path p = (rep & 1) ? PATH_DEST : PATH_ROUTE;

		memset(&a, 0, sizeof(a));
		a.lv = lv;
		if (pthread_create(&th, NULL, probe_reader, &a) != 0) {
			pr->ok = 0;
			return;
		}
		while (atomic_load(&a.ready) == 0)
			sched_yield();
		if (lv->lock(0, true, p, &pl) != 0) {
			pr->ok = 0;
			atomic_store(&a.held, 2);
			pthread_join(th, NULL);
			return;
		}
		atomic_store(&a.held, 1);
		sleep_ns(C.long_hold);
		uint64_t rel0 = now_ns();

		atomic_store(&a.held, 2);
		lv->unlock(0, true, p);
		pthread_join(th, NULL);
		bool waited = a.slept_straddle != 0;

		if (a.errors == 0 && (a.inside_ops == 0 || waited) && rerun < PROBE_RERUNS) {
			rerun++;
			pr->reruns++;
			rep--; /* inconclusive: the same round again */
			continue;
		}
		rerun = 0;
		pr->slept += a.slept;
		pr->slept_straddle += a.slept_straddle;

		pr->inside_ops += a.inside_ops;
		if (a.inside_max > pr->inside_max)
			pr->inside_max = a.inside_max;
		if (a.straddle_max > pr->straddle_max) {
			pr->straddle_max = a.straddle_max;
			pr->straddle_end = (int64_t)(a.straddle_t1 - rel0);
		}
		/* A call that returned while the lock was still held did not wait for the
		 * holder, however long it took (preemption); only the straddling call can. */
		if (a.inside_ops == 0 || a.errors != 0 || waited)
			pr->ok = 0;
	}
}

/* ---- one run ------------------------------------------------------------------- */

struct clsres {
	unsigned n;
	uint64_t total, max, min;
	double jain, rsd, win_jain_min;
	uint64_t bypass;
	struct hist h;
	uint64_t fail;
};

struct runres {
	const struct lockvar *lv;
	struct scen s;
	unsigned scen_idx, rep;
	uint64_t seed;
	double secs, thr; /* W + R entries per second */
	struct clsres c[NCLS];
	double wshare, bound;
	int policy_checked, policy_ok;
	uint64_t rd_ww_max;
	uint64_t w_starve;
	uint64_t viol_me, viol_data, stale, stale_age_max, errors;
	uint64_t lf_inside, lf_inside_max, long_holds;
	struct probe probe;
	unsigned nt;
	enum cls *tcls;
	uint64_t *tacq, *tmaxwait, *tp99;
	int failed;
};

static void scen_name(const struct scen *s, char *b, size_t n);

static struct runres *runs;
static unsigned nruns, capruns;

static void
setup_zipf(void)
{
	free(zipf_cdf);
	zipf_cdf = NULL;
	if (C.zipf <= 0 || C.dests <= 1)
		return;
	zipf_cdf = malloc(C.dests * sizeof(double));
	if (zipf_cdf == NULL) {
		perror("malloc");
		exit(2);
	}
	double s = 0;

	for (unsigned k = 0; k < C.dests; k++) {
		s += 1.0 / pow((double)(k + 1), C.zipf);
		zipf_cdf[k] = s;
	}
	for (unsigned k = 0; k < C.dests; k++)
		zipf_cdf[k] /= s;
}

static double
class_jain(const uint64_t *x, const struct thr *th, unsigned nt, enum cls c, double *rsd)
{
	double v[MAX_THREADS];
	unsigned n = 0;

	for (unsigned k = 0; k < nt; k++)
		if (th[k].cls == c)
			v[n++] = (double)x[k];
	if (rsd != NULL)
		*rsd = rel_stddev(v, n);
	return jain_index(v, n);
}

static int
do_run(const struct lockvar *lv, const struct scen *s, unsigned scen_idx, unsigned rep,
       struct runres *rr)
{
	unsigned nl = lv->lockfree_reads ? s->nl : 0;
	uint64_t seed = C.seed + rep * 0x1000003ull + scen_idx * 0x10001ull;
	uint64_t step = C.window / 4, nsamp_max, *samp;
	unsigned char *paused_s;
	unsigned nsamp = 0;

	NT = s->nw + s->nr + nl;
	if (NT == 0 || NT > MAX_THREADS) {
		fprintf(stderr, "rtm-torture: need 1..%d threads\n", MAX_THREADS);
		return -1;
	}
	memset(rr, 0, sizeof(*rr));
	rr->lv = lv;
	rr->s = *s;
	rr->s.nl = nl;
	rr->scen_idx = scen_idx;
	rr->rep = rep;
	rr->seed = seed;

	if (lv->setup(C.dests, seed) != 0) {
		fprintf(stderr, "rtm-torture: %s: setup failed\n", lv->name);
		return -1;
	}
	D = aligned_alloc(128, C.dests * sizeof(*D));
	T = aligned_alloc(128, NT * sizeof(*T));
	if (D == NULL || T == NULL) {
		perror("malloc");
		exit(2);
	}
	memset(D, 0, C.dests * sizeof(*D));
	memset(T, 0, NT * sizeof(*T));
	for (unsigned k = 0; k < NT; k++) {
		T[k].cls = k < s->nw ? CL_W : k < s->nw + s->nr ? CL_R : CL_L;
		T[k].idx = k;
		T[k].rng = seed * 0x2545F4914F6CDD1Dull + k * 0x9E3779B97F4A7C15ull + 1;
		T[k].lv = lv;
	}
	nsamp_max = (uint64_t)(C.duration * 1e9) / step + 8;
	samp = calloc(nsamp_max * NT, sizeof(uint64_t));
	paused_s = calloc(nsamp_max, 1);
	if (samp == NULL || paused_s == NULL) {
		perror("malloc");
		exit(2);
	}
	atomic_store(&stop_flag, 0);
	atomic_store(&pause_flag, 0);
	pthread_barrier_init(&start_bar, NULL, NT + 1);
	for (unsigned k = 0; k < NT; k++)
		if (pthread_create(&T[k].t, NULL, thr_main, &T[k]) != 0) {
			perror("pthread_create");
			exit(2);
		}
	t_start = now_ns();
	t_end = t_start + (uint64_t)(C.duration * 1e9);
	pthread_barrier_wait(&start_bar);

	/* Sample the per-thread counters; drive stutter. */
	{
		uint64_t next = t_start + step, now;
		bool was_paused = false;

		for (;;) {
			now = now_ns();
			if (now >= t_end || nsamp + 1 >= nsamp_max)
				break;
			if (C.stutter) {
				bool pz = ((now - t_start) / C.stutter) & 1;

				atomic_store(&pause_flag, pz);
				was_paused |= pz;
			}
			if (now >= next) {
				for (unsigned k = 0; k < NT; k++)
					samp[nsamp * NT + k] = atomic_load_explicit(&T[k].acq, memory_order_relaxed);
				paused_s[nsamp] = was_paused;
				was_paused = false;
				nsamp++;
				next += step;
			}
			uint64_t until = next < t_end ? next : t_end;

			if (C.stutter) {
				uint64_t b = C.stutter - (now - t_start) % C.stutter;

				if (now + b < until)
					until = now + b;
			}
			if (until > now)
				sleep_ns(until - now);
		}
	}
	atomic_store(&stop_flag, 1);
	atomic_store(&pause_flag, 0);
	/* Watchdog: a thread still inside lock() long after the end is a hang (lost
	 * wake-up, protocol deadlock); the threads cannot be recovered, so report
	 * and exit. */
	for (unsigned k = 0; k < NT; k++) {
		struct timespec dl;

		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += HANG_SECONDS;
		if (pthread_timedjoin_np(T[k].t, NULL, &dl) != 0) {
			char sn[32];

			scen_name(s, sn, sizeof(sn));
			printf("!!! [%s] %s rep %u: HANG: thread %u (%s) has not returned %d s after the "
			       "end of the run; destination 0: %d exclusive, %d shared holders, %u writers "
			       "waiting\n",
			       lv->name, sn, rep + 1, k, cls_name[T[k].cls], HANG_SECONDS,
			       atomic_load(&D[0].excl), atomic_load(&D[0].shared),
			       atomic_load(&D[0].wwait));
			fflush(stdout);
			_exit(1);
		}
	}
	pthread_barrier_destroy(&start_bar);
	rr->secs = C.duration;

	run_probe(lv, &rr->probe);
	lv->teardown();

	/* Aggregate. */
	rr->nt = NT;
	rr->tcls = calloc(NT, sizeof(*rr->tcls));
	rr->tacq = calloc(NT, sizeof(uint64_t));
	rr->tmaxwait = calloc(NT, sizeof(uint64_t));
	rr->tp99 = calloc(NT, sizeof(uint64_t));
	uint64_t wacq_all = 0, rd_ww = 0;

	for (unsigned c = 0; c < NCLS; c++)
		rr->c[c].min = UINT64_MAX;
	for (unsigned k = 0; k < NT; k++) {
		struct thr *t = &T[k];
		struct clsres *cr = &rr->c[t->cls];
		uint64_t a = atomic_load(&t->acq);

		rr->tcls[k] = t->cls;
		rr->tacq[k] = a;
		rr->tmaxwait[k] = t->wait.max;
		rr->tp99[k] = hist_quantile(&t->wait, 0.99);
		cr->n++;
		cr->total += a;
		if (a > cr->max)
			cr->max = a;
		if (a < cr->min)
			cr->min = a;
		cr->bypass += t->bypass;
		cr->fail += t->viol_me + t->viol_data + t->stale + t->errors;
		hist_merge(&cr->h, &t->wait);
		rr->viol_me += t->viol_me;
		rr->viol_data += t->viol_data;
		rr->stale += t->stale;
		if (t->stale_age_max > rr->stale_age_max)
			rr->stale_age_max = t->stale_age_max;
		rr->errors += t->errors;
		rr->lf_inside += t->lf_inside;
		if (t->lf_inside_max > rr->lf_inside_max)
			rr->lf_inside_max = t->lf_inside_max;
		rr->long_holds += t->long_holds;
		if (t->cls == CL_W) {
			wacq_all += t->acq_all;
			rd_ww += t->rd_ww_sum;
			if (t->rd_ww_max > rr->rd_ww_max)
				rr->rd_ww_max = t->rd_ww_max;
			if (t->w_starve > rr->w_starve)
				rr->w_starve = t->w_starve;
		}
	}
	for (unsigned dd = 0; dd < C.dests; dd++)
		rd_ww += atomic_load(&D[dd].rd_ww); /* entries after the last writer */
	for (unsigned c = 0; c < NCLS; c++) {
		struct clsres *cr = &rr->c[c];

		if (cr->n == 0) {
			cr->min = 0;
			cr->jain = cr->rsd = cr->win_jain_min = NAN;
			continue;
		}
		cr->jain = class_jain(rr->tacq, T, NT, (enum cls)c, &cr->rsd);
		/* Sliding windows of 4 sampling steps, skipping any that saw a pause. */
		cr->win_jain_min = NAN;
		for (unsigned w = 0; w + 4 < nsamp + 1; w++) {
			uint64_t dlt[MAX_THREADS];
			bool pz = false;

			for (unsigned q = w; q < w + 4; q++)
				pz |= paused_s[q];
			if (pz || cr->n < 2)
				continue;
			for (unsigned k = 0; k < NT; k++) {
				uint64_t hi = samp[(w + 3) * NT + k];
				uint64_t lo = w == 0 ? 0 : samp[(w - 1) * NT + k];

				dlt[k] = hi - lo;
			}
			double j = class_jain(dlt, T, NT, (enum cls)c, NULL);

			if (!isnan(j) && (isnan(cr->win_jain_min) || j < cr->win_jain_min))
				cr->win_jain_min = j;
		}
	}
	rr->thr = (double)(rr->c[CL_W].total + rr->c[CL_R].total) / rr->secs;

	/* Policy oracle: writer share of the entries made while writers waited. */
	rr->bound = s->nr ? 1.0 / (1.0 + s->nr) : 1.0;
	rr->wshare = wacq_all + rd_ww ? (double)wacq_all / (double)(wacq_all + rd_ww) : NAN;
	rr->policy_checked = s->nw > 0 && s->nr > 0 &&
			     (lv->promise == PROMISE_PHASE_FAIR || lv->promise == PROMISE_TASK_FAIR ||
			      lv->promise == PROMISE_WRITER_PREF);
	rr->policy_ok = !rr->policy_checked || (!isnan(rr->wshare) && rr->wshare >= rr->bound);

	rr->failed = rr->viol_me || rr->viol_data || rr->stale || rr->errors ||
		     (!rr->policy_ok && !C.policy_soft) || (rr->probe.ran && !rr->probe.ok);
	free(samp);
	free(paused_s);
	free(D);
	D = NULL;
	free(T);
	T = NULL;
	return 0;
}

/* ---- text output ------------------------------------------------------------- */

static const char *
fmt_ns(uint64_t ns, char *b, size_t n)
{
	if (ns < 1000)
		snprintf(b, n, "%" PRIu64 "ns", ns);
	else if (ns < 1000000)
		snprintf(b, n, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(b, n, "%.1fms", ns / 1e6);
	else
		snprintf(b, n, "%.2fs", ns / 1e9);
	return b;
}

static const char *
fmt_rate(double v, char *b, size_t n)
{
	if (v >= 1e6)
		snprintf(b, n, "%.2fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(b, n, "%.1fk", v / 1e3);
	else
		snprintf(b, n, "%.0f", v);
	return b;
}

static void
scen_name(const struct scen *s, char *b, size_t n)
{
	if (s->nl)
		snprintf(b, n, "%uW+%uR+%uL", s->nw, s->nr, s->nl);
	else
		snprintf(b, n, "%uW+%uR", s->nw, s->nr);
}

static void
print_run(const struct runres *rr)
{
	char sn[32], a[16], b[16], c2[16], d[16], r[16];

	scen_name(&rr->s, sn, sizeof(sn));
	printf("[%s] %s rep %u/%u seed %#" PRIx64 ": %.2f s, %s acq/s%s\n", rr->lv->name, sn,
	       rr->rep + 1, C.reps, rr->seed, rr->secs, fmt_rate(rr->thr, r, sizeof(r)),
	       rr->failed ? "  FAILED" : "");
	for (unsigned c = 0; c < NCLS; c++) {
		const struct clsres *cr = &rr->c[c];

		if (cr->n == 0)
			continue;
		printf("  %-8s Total: %-9" PRIu64 " Max/Min: %" PRIu64 "/%" PRIu64 " %s Fail: %" PRIu64
		       "%s  Jain %.3f RSD %.1f%% winJain %.3f\n",
		       cls_name[c], cr->total, cr->max, cr->min, cr->max / 2 > cr->min ? "???" : "   ",
		       cr->fail, cr->fail ? " !!!" : "", cr->jain, cr->rsd * 100, cr->win_jain_min);
		printf("           %s p50 %s p99 %s p99.9 %s max %s  bypass %" PRIu64 "\n",
		       c == CL_L ? "latency" : "wait", fmt_ns(hist_quantile(&cr->h, 0.5), a, sizeof(a)),
		       fmt_ns(hist_quantile(&cr->h, 0.99), b, sizeof(b)),
		       fmt_ns(hist_quantile(&cr->h, 0.999), c2, sizeof(c2)),
		       fmt_ns(cr->h.max, d, sizeof(d)), cr->bypass);
	}
	if (rr->s.nw)
		printf("  Policy: %s; writer share %.3f (bound %.3f) %s; max reader entries between "
		       "writers %" PRIu64 "; writer starvation %s\n",
		       promise_name(rr->lv->promise), rr->wshare, rr->bound,
		       !rr->policy_checked ? "not checked" : rr->policy_ok ? "ok" : "VIOLATED",
		       rr->rd_ww_max, fmt_ns(rr->w_starve, a, sizeof(a)));
	printf("  Oracle: mutual exclusion %s, data %s (%" PRIu64 " bad, %" PRIu64
	       " stale, oldest %s), API errors %" PRIu64 ", long holds %" PRIu64 "\n",
	       rr->viol_me ? "!!! VIOLATED" : "ok", rr->viol_data || rr->stale ? "!!!" : "ok",
	       rr->viol_data, rr->stale, fmt_ns(rr->stale_age_max, a, sizeof(a)), rr->errors,
	       rr->long_holds);
	if (rr->c[CL_L].n)
		printf("  Lock-free calls inside an exclusive hold: %" PRIu64 " (max %s)\n", rr->lf_inside,
		       fmt_ns(rr->lf_inside_max, a, sizeof(a)));
	if (rr->probe.ran)
		printf("  LF probe: %u x %s exclusive hold: %" PRIu64
		       " lock-free calls done inside, max %s, max straddling %s (ended %+.2f ms after "
		       "the unlock), %" PRIu64 " slept, %" PRIu64 " slept until the unlock, %u round(s) "
		       "rerun (reader not scheduled, or slept on something else): %s\n",
		       C.probe_reps, fmt_ns(rr->probe.hold, a, sizeof(a)), rr->probe.inside_ops,
		       fmt_ns(rr->probe.inside_max, b, sizeof(b)),
		       fmt_ns(rr->probe.straddle_max, c2, sizeof(c2)), rr->probe.straddle_end / 1e6,
		       rr->probe.slept, rr->probe.slept_straddle, rr->probe.reruns,
		       rr->probe.ok ? "ok (readers did not wait)"
				    : "FAILED (readers waited, or never ran inside the hold)");
	if (C.verbose)
		for (unsigned k = 0; k < rr->nt; k++)
			printf("    thread %2u %s acq %-9" PRIu64 " p99 %-8s max %s\n", k,
			       cls_short[rr->tcls[k]], rr->tacq[k], fmt_ns(rr->tp99[k], a, sizeof(a)),
			       fmt_ns(rr->tmaxwait[k], b, sizeof(b)));
	fflush(stdout);
}

/* ---- summaries over repetitions -------------------------------------------- */

struct summ {
	const struct lockvar *lv;
	unsigned scen_idx;
	struct scen s;
	unsigned nrep;
	double thr, xmutex, jain[NCLS], winj[NCLS], wshare, bound;
	uint64_t p50, p99, p999, maxwait, wstarve, bypass;
	uint64_t bang; /* mutual exclusion + data violations, all reps */
	int policy_checked, policy_fail, probe_ran, probe_fail, failed;
	const struct runres *median_run;
	char checks[32];
};

static struct summ summs[MAX_SCEN * 16];
static unsigned nsumm;

static void
summarize(void)
{
	nsumm = 0;
	for (unsigned si = 0; si < (C.scenarios ? C.nscen : 1); si++)
		for (unsigned li = 0; li < C.nlocks; li++) {
			struct summ *m = &summs[nsumm];
			double thr[MAX_REPS], j[NCLS][MAX_REPS], wj[NCLS][MAX_REPS], ws[MAX_REPS];
			uint64_t p50[MAX_REPS], p99[MAX_REPS], p999[MAX_REPS];
			unsigned n = 0;

			memset(m, 0, sizeof(*m));
			m->lv = C.locks[li];
			m->scen_idx = si;
			for (unsigned k = 0; k < nruns; k++) {
				const struct runres *rr = &runs[k];
				struct hist h;

				if (rr->lv != m->lv || rr->scen_idx != si || n >= MAX_REPS)
					continue;
				m->s = rr->s;
				thr[n] = rr->thr;
				for (unsigned c = 0; c < NCLS; c++) {
					j[c][n] = rr->c[c].n >= 2 ? rr->c[c].jain : NAN;
					wj[c][n] = rr->c[c].win_jain_min;
				}
				ws[n] = rr->wshare;
				memset(&h, 0, sizeof(h));
				hist_merge(&h, &rr->c[CL_W].h);
				hist_merge(&h, &rr->c[CL_R].h);
				p50[n] = hist_quantile(&h, 0.5);
				p99[n] = hist_quantile(&h, 0.99);
				p999[n] = hist_quantile(&h, 0.999);
				if (h.max > m->maxwait)
					m->maxwait = h.max;
				if (rr->w_starve > m->wstarve)
					m->wstarve = rr->w_starve;
				m->bypass += rr->c[CL_W].bypass + rr->c[CL_R].bypass;
				m->bang += rr->viol_me + rr->viol_data + rr->stale;
				m->policy_checked |= rr->policy_checked;
				m->policy_fail += !rr->policy_ok;
				m->bound = rr->bound;
				if (rr->probe.ran) {
					m->probe_ran = 1;
					m->probe_fail += !rr->probe.ok;
				}
				m->failed |= rr->failed;
				n++;
			}
			if (n == 0)
				continue;
			m->nrep = n;
			double tcopy[MAX_REPS];

			memcpy(tcopy, thr, sizeof(double) * n);
			m->thr = median_d(tcopy, n);
			/* the run whose throughput is the median, for plots */
			for (unsigned k = 0, q = 0; k < nruns; k++) {
				const struct runres *rr = &runs[k];

				if (rr->lv != m->lv || rr->scen_idx != si)
					continue;
				if (thr[q] == m->thr && m->median_run == NULL)
					m->median_run = rr;
				q++;
			}
			for (unsigned c = 0; c < NCLS; c++) {
				m->jain[c] = median_d(j[c], n);
				m->winj[c] = median_d(wj[c], n);
			}
			m->wshare = median_d(ws, n);
			m->p50 = median_u(p50, n);
			m->p99 = median_u(p99, n);
			m->p999 = median_u(p999, n);
			nsumm++;
		}
	/* Throughput relative to pthread-mutex in the same scenario, and the checks. */
	for (unsigned k = 0; k < nsumm; k++) {
		struct summ *m = &summs[k];
		double mt = NAN;
		char *p = m->checks;

		for (unsigned q = 0; q < nsumm; q++)
			if (summs[q].scen_idx == m->scen_idx && strcmp(summs[q].lv->name, "pthread-mutex") == 0)
				mt = summs[q].thr;
		m->xmutex = m->thr / mt;
		if ((!isnan(m->jain[CL_W]) && m->jain[CL_W] < JAIN_MIN) ||
		    (!isnan(m->jain[CL_R]) && m->jain[CL_R] < JAIN_MIN))
			*p++ = 'J';
		if (m->policy_checked && (m->policy_fail || m->wshare < m->bound))
			*p++ = 'S';
		if (m->maxwait > WAIT_LIMIT_NS)
			*p++ = 'M';
		if (!isnan(m->xmutex) && m->xmutex < THROUGHPUT_MIN)
			*p++ = 'T';
		if (m->bang)
			*p++ = '!';
		if (m->probe_ran && m->probe_fail)
			*p++ = 'L';
		if (p == m->checks)
			strcpy(p, "ok");
		else
			*p = 0;
	}
}

static void
print_table(FILE *f, bool md)
{
	char sn[32], a[16], b[16], c2[16], d[16], e[16], r[16];
	const char *hdr[] = {"scenario", "lock", "acq/s", "x mutex", "Jain W", "Jain R",
			     "winJain W/R", "W share (bound)", "p50", "p99", "p99.9", "max wait",
			     "W starve", "bypass/acq", "!!!", "checks"};
	unsigned nh = sizeof(hdr) / sizeof(hdr[0]);

	if (md) {
		for (unsigned k = 0; k < nh; k++)
			fprintf(f, "| %s ", hdr[k]);
		fprintf(f, "|\n");
		for (unsigned k = 0; k < nh; k++)
			fprintf(f, "|---");
		fprintf(f, "|\n");
	} else {
		fprintf(f, "%-8s %-17s %8s %7s %6s %6s %11s %15s %7s %7s %7s %8s %8s %10s %4s %s\n", hdr[0],
			hdr[1], hdr[2], hdr[3], hdr[4], hdr[5], hdr[6], hdr[7], hdr[8], hdr[9], hdr[10],
			hdr[11], hdr[12], hdr[13], hdr[14], hdr[15]);
	}
	for (unsigned k = 0; k < nsumm; k++) {
		const struct summ *m = &summs[k];
		char jw[16], jr[16], wj[24] = "-", sh[32], bp[16];
		double acq = m->thr * C.duration * m->nrep;

		scen_name(&m->s, sn, sizeof(sn));
		snprintf(jw, sizeof(jw), isnan(m->jain[CL_W]) ? "-" : "%.3f", m->jain[CL_W]);
		snprintf(jr, sizeof(jr), isnan(m->jain[CL_R]) ? "-" : "%.3f", m->jain[CL_R]);
		if (!isnan(m->winj[CL_W]) || !isnan(m->winj[CL_R])) {
			char x[8] = "-", y[8] = "-";

			if (!isnan(m->winj[CL_W]))
				snprintf(x, sizeof(x), "%.2f", m->winj[CL_W]);
			if (!isnan(m->winj[CL_R]))
				snprintf(y, sizeof(y), "%.2f", m->winj[CL_R]);
			snprintf(wj, sizeof(wj), "%s/%s", x, y);
		}
		if (m->s.nr && m->s.nw)
			snprintf(sh, sizeof(sh), "%.3f (%.3f)%s", m->wshare, m->bound,
				 m->policy_checked ? "" : "*");
		else
			snprintf(sh, sizeof(sh), "-");
		snprintf(bp, sizeof(bp), "%.3f", acq > 0 ? (double)m->bypass / acq : 0.0);
		fmt_rate(m->thr, r, sizeof(r));
		fmt_ns(m->p50, a, sizeof(a));
		fmt_ns(m->p99, b, sizeof(b));
		fmt_ns(m->p999, c2, sizeof(c2));
		fmt_ns(m->maxwait, d, sizeof(d));
		fmt_ns(m->wstarve, e, sizeof(e));
		if (md)
			fprintf(f,
				"| %s | %s | %s | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %" PRIu64
				" | %s |\n",
				sn, m->lv->name, r, m->xmutex, jw, jr, wj, sh, a, b, c2, d, e, bp, m->bang,
				m->checks);
		else
			fprintf(f,
				"%-8s %-17s %8s %7.2f %6s %6s %11s %15s %7s %7s %7s %8s %8s %10s %4s %s\n",
				sn, m->lv->name, r, m->xmutex, jw, jr, wj, sh, a, b, c2, d, e, bp,
				m->bang ? "!!!" : "0", m->checks);
	}
}

static void
print_legend(FILE *f, bool md)
{
	const char *pre = md ? "" : "  ";

	fprintf(f,
		"%sMedians of %u run(s) of %.1f s; p50/p99/p99.9 = wait to enter, W and R merged; max "
		"wait and W starve = worst run.\n",
		pre, C.reps, C.duration);
	fprintf(f,
		"%sW share = writer entries / (writer entries + reader entries made while a writer "
		"waited); bound 1/(1+R); * = no promise, not checked.\n",
		pre);
	fprintf(f,
		"%schecks: J Jain<%.2f, S share<bound, M wait>50ms, T <%.1fx mutex, ! mutual exclusion "
		"or data violation, L lock-free readers waited.\n",
		pre, JAIN_MIN, THROUGHPUT_MIN);
}

/* ---- JSON, markdown, plot ----------------------------------------------------- */

static void
json_num(FILE *f, const char *k, double v, bool comma)
{
	if (isnan(v) || isinf(v))
		fprintf(f, "\"%s\": null%s", k, comma ? ", " : "");
	else
		fprintf(f, "\"%s\": %.6g%s", k, v, comma ? ", " : "");
}

static void
write_json(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (f == NULL) {
		perror(path);
		return;
	}
	fprintf(f, "{\n  \"config\": {\"dests\": %u, ", C.dests);
	json_num(f, "zipf", C.zipf, true);
	json_num(f, "duration_s", C.duration, true);
	fprintf(f,
		"\"reps\": %u, \"seed\": %" PRIu64 ", \"hold_w_ns\": %" PRIu64 ", \"hold_r_ns\": %" PRIu64
		", \"think_w_ns\": %" PRIu64 ", \"think_r_ns\": %" PRIu64 ", \"think_l_ns\": %" PRIu64 ", ",
		C.reps, C.seed, C.hold_w, C.hold_r, C.think_w, C.think_r, C.think_l);
	json_num(f, "long_frac", C.long_frac, true);
	fprintf(f,
		"\"long_hold_ns\": %" PRIu64 ", \"stutter_ns\": %" PRIu64 ", \"dest_frac\": %g, \"cpus\": "
		"%u, \"online_cpus\": %ld},\n",
		C.long_hold, C.stutter, C.dest_frac, C.cpus, sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "  \"runs\": [\n");
	for (unsigned k = 0; k < nruns; k++) {
		const struct runres *rr = &runs[k];

		fprintf(f,
			"    {\"lock\": \"%s\", \"promise\": \"%s\", \"writers\": %u, \"readers\": %u, "
			"\"lfreaders\": %u, \"rep\": %u, \"seed\": %" PRIu64 ", ",
			rr->lv->name, promise_name(rr->lv->promise), rr->s.nw, rr->s.nr, rr->s.nl, rr->rep,
			rr->seed);
		json_num(f, "acq_per_s", rr->thr, true);
		json_num(f, "writer_share", rr->wshare, true);
		json_num(f, "share_bound", rr->bound, true);
		fprintf(f,
			"\"policy_checked\": %d, \"policy_ok\": %d, \"max_reader_entries_between_writers\": "
			"%" PRIu64 ", \"writer_starvation_ns\": %" PRIu64 ", \"mutex_violations\": %" PRIu64
			", \"data_violations\": %" PRIu64 ", \"stale\": %" PRIu64 ", \"api_errors\": %" PRIu64
			", \"long_holds\": %" PRIu64 ", \"lf_inside_hold\": %" PRIu64 ", ",
			rr->policy_checked, rr->policy_ok, rr->rd_ww_max, rr->w_starve, rr->viol_me,
			rr->viol_data, rr->stale, rr->errors, rr->long_holds, rr->lf_inside);
		fprintf(f,
			"\"probe\": {\"ran\": %d, \"ok\": %d, \"hold_ns\": %" PRIu64 ", \"inside_ops\": %" PRIu64
			", \"inside_max_ns\": %" PRIu64 ", \"straddle_max_ns\": %" PRIu64 ", \"slept\": %" PRIu64
			", \"slept_until_unlock\": %" PRIu64 "}, \"failed\": %d,\n",
			rr->probe.ran, rr->probe.ok, rr->probe.hold, rr->probe.inside_ops,
			rr->probe.inside_max, rr->probe.straddle_max, rr->probe.slept,
			rr->probe.slept_straddle, rr->failed);
		fprintf(f, "     \"classes\": {");
		bool first = true;

		for (unsigned c = 0; c < NCLS; c++) {
			const struct clsres *cr = &rr->c[c];

			if (cr->n == 0)
				continue;
			fprintf(f, "%s\"%s\": {\"threads\": %u, \"total\": %" PRIu64 ", \"max\": %" PRIu64
				", \"min\": %" PRIu64 ", ",
				first ? "" : ", ", cls_short[c], cr->n, cr->total, cr->max, cr->min);
			json_num(f, "jain", cr->jain, true);
			json_num(f, "rsd", cr->rsd, true);
			json_num(f, "window_jain_min", cr->win_jain_min, true);
			fprintf(f,
				"\"bypass\": %" PRIu64 ", \"fail\": %" PRIu64 ", \"wait_p50_ns\": %" PRIu64
				", \"wait_p99_ns\": %" PRIu64 ", \"wait_p999_ns\": %" PRIu64
				", \"wait_max_ns\": %" PRIu64 "}",
				cr->bypass, cr->fail, hist_quantile(&cr->h, 0.5), hist_quantile(&cr->h, 0.99),
				hist_quantile(&cr->h, 0.999), cr->h.max);
			first = false;
		}
		fprintf(f, "},\n     \"threads\": [");
		for (unsigned t = 0; t < rr->nt; t++)
			fprintf(f, "%s{\"class\": \"%s\", \"acq\": %" PRIu64 ", \"wait_p99_ns\": %" PRIu64
				", \"wait_max_ns\": %" PRIu64 "}",
				t ? ", " : "", cls_short[rr->tcls[t]], rr->tacq[t], rr->tp99[t], rr->tmaxwait[t]);
		fprintf(f, "]}%s\n", k + 1 < nruns ? "," : "");
	}
	fprintf(f, "  ],\n  \"summary\": [\n");
	for (unsigned k = 0; k < nsumm; k++) {
		const struct summ *m = &summs[k];

		fprintf(f, "    {\"lock\": \"%s\", \"writers\": %u, \"readers\": %u, \"lfreaders\": %u, ",
			m->lv->name, m->s.nw, m->s.nr, m->s.nl);
		json_num(f, "acq_per_s", m->thr, true);
		json_num(f, "x_mutex", m->xmutex, true);
		json_num(f, "jain_w", m->jain[CL_W], true);
		json_num(f, "jain_r", m->jain[CL_R], true);
		json_num(f, "window_jain_w", m->winj[CL_W], true);
		json_num(f, "window_jain_r", m->winj[CL_R], true);
		json_num(f, "writer_share", m->wshare, true);
		json_num(f, "share_bound", m->bound, true);
		fprintf(f,
			"\"wait_p50_ns\": %" PRIu64 ", \"wait_p99_ns\": %" PRIu64 ", \"wait_p999_ns\": %" PRIu64
			", \"wait_max_ns\": %" PRIu64 ", \"writer_starvation_ns\": %" PRIu64
			", \"violations\": %" PRIu64 ", \"checks\": \"%s\", \"failed\": %d}%s\n",
			m->p50, m->p99, m->p999, m->maxwait, m->wstarve, m->bang, m->checks, m->failed,
			k + 1 < nsumm ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	if (f != stdout)
		fclose(f);
}

static void
write_markdown(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		return;
	}
	fprintf(f, "# rtm-torture summary\n\n");
	fprintf(f,
		"%ld online CPUs; %u destination(s)%s; hold W %.1f us R %.1f us; think W %.1f us R %.1f "
		"us; long holds %g of holds, %.1f ms; %u x %.1f s per lock and scenario.\n\n",
		sysconf(_SC_NPROCESSORS_ONLN), C.dests, C.zipf > 0 ? " (Zipf)" : "", C.hold_w / 1e3,
		C.hold_r / 1e3, C.think_w / 1e3, C.think_r / 1e3, C.long_frac, C.long_hold / 1e6, C.reps,
		C.duration);
	print_table(f, true);
	fprintf(f, "\n");
	print_legend(f, true);
	fprintf(f, "\nLock-free reader probe (librtm): ");
	for (unsigned k = 0; k < nsumm; k++)
		if (summs[k].probe_ran) {
			char sn[32];

			scen_name(&summs[k].s, sn, sizeof(sn));
			fprintf(f, "%s %s %s; ", summs[k].lv->name, sn, summs[k].probe_fail ? "FAILED" : "ok");
		}
	fprintf(f, "\n");
	fclose(f);
}

static void
write_plot(const char *png)
{
	char dir[4096], path[4200], gp[4200], cmd[8600];
	unsigned nsc = C.scenarios ? C.nscen : 1;
	FILE *g;
	const char *exe = NULL;

	snprintf(dir, sizeof(dir), "%s.data", png);
	mkdir(dir, 0777);
	for (unsigned k = 0; k < nsumm; k++) {
		const struct summ *m = &summs[k];
		const struct runres *rr = m->median_run;
		FILE *f;

		if (rr == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/acq_%u_%s.dat", dir, m->scen_idx, m->lv->name);
		f = fopen(path, "w");
		if (f == NULL)
			continue;
		/* Per-thread acquisitions, normalised to the class mean. */
		for (unsigned t = 0; t < rr->nt; t++) {
			const struct clsres *cr = &rr->c[rr->tcls[t]];
			double mean = cr->n ? (double)cr->total / cr->n : 0;

			fprintf(f, "%u %s %" PRIu64 " %g\n", t, cls_short[rr->tcls[t]], rr->tacq[t],
				mean > 0 ? rr->tacq[t] / mean : 0);
		}
		fclose(f);
		snprintf(path, sizeof(path), "%s/wait_%u_%s.dat", dir, m->scen_idx, m->lv->name);
		f = fopen(path, "w");
		if (f == NULL)
			continue;
		/* Wait-time complementary CDF, W and R merged. */
		struct hist h;
		uint64_t seen = 0;

		memset(&h, 0, sizeof(h));
		hist_merge(&h, &rr->c[CL_W].h);
		hist_merge(&h, &rr->c[CL_R].h);
		for (unsigned b = 0; b < HIST_NB && h.n; b++) {
			if (h.b[b] == 0)
				continue;
			seen += h.b[b];
			fprintf(f, "%g %g\n", (double)hist_bucket_low(b) / 1e3,
				seen < h.n ? (double)(h.n - seen) / h.n : 0.5 / h.n);
		}
		fclose(f);
	}
	snprintf(gp, sizeof(gp), "%s/plot.gp", dir);
	g = fopen(gp, "w");
	if (g == NULL) {
		perror(gp);
		return;
	}
	fprintf(g, "set terminal pngcairo size 1400,%u font ',9'\nset output '%s'\n", 380 * nsc, png);
	fprintf(g, "set multiplot layout %u,2\nset key outside right font ',8'\nset grid\n", nsc);
	for (unsigned si = 0; si < nsc; si++) {
		char sn[32];
		bool first;

		scen_name(C.scenarios ? &C.scen[si] : &C.single, sn, sizeof(sn));
		fprintf(g, "set title 'per-thread acquisitions / class mean, %s'\n", sn);
		fprintf(g, "unset logscale\nset xlabel 'thread (W first, then R, L)'\nset ylabel 'acq / class mean'\n");
		fprintf(g, "set yrange [0:*]\nplot ");
		first = true;
		for (unsigned li = 0; li < C.nlocks; li++) {
			fprintf(g, "%s'%s/acq_%u_%s.dat' using 1:4 with linespoints title '%s'", first ? "" : ", ",
				dir, si, C.locks[li]->name, C.locks[li]->name);
			first = false;
		}
		fprintf(g, "\nset title 'wait-time CCDF, %s'\nset logscale xy\nset yrange [*:1]\n", sn);
		fprintf(g, "set xlabel 'wait (us)'\nset ylabel 'P(wait > x)'\nplot ");
		first = true;
		for (unsigned li = 0; li < C.nlocks; li++) {
			fprintf(g, "%s'%s/wait_%u_%s.dat' using 1:2 with steps title '%s'", first ? "" : ", ", dir,
				si, C.locks[li]->name, C.locks[li]->name);
			first = false;
		}
		fprintf(g, "\nunset logscale\n");
	}
	fprintf(g, "unset multiplot\n");
	fclose(g);
	if (system("command -v gnuplot >/dev/null 2>&1") == 0)
		exe = "gnuplot";
	else if (system("command -v gnuplot-nox >/dev/null 2>&1") == 0)
		exe = "gnuplot-nox";
	if (exe == NULL) {
		fprintf(stderr, "rtm-torture: gnuplot not found; the script is %s\n", gp);
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s '%s'", exe, gp);
	if (system(cmd) != 0)
		fprintf(stderr, "rtm-torture: %s failed\n", cmd);
	else
		printf("plot: %s (data and script in %s)\n", png, dir);
}

/* ---- command line ---------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: rtm-torture [options]\n"
		"  --locks LIST        comma-separated variants (default: all); --list shows them\n"
		"  --writers N         writer threads (default 2)\n"
		"  --readers N         shared-holder threads (default 6)\n"
		"  --lfreaders N       lock-free reader threads (librtm only; default 2, 0 in --scenarios)\n"
		"  --dests D           destinations (default 1; up to a full table)\n"
		"  --zipf S            Zipf exponent for picking destinations (default 0 = uniform)\n"
		"  --hold-w US, --hold-r US     hold times, microseconds, +-50%% jitter (default 5)\n"
		"  --think-w US, --think-r US, --think-l US   think times (default 5, 5, 0)\n"
		"  --duration S        seconds per run (default 2)\n"
		"  --reps N            repetitions per lock and scenario (default 1; 3 with --scenarios)\n"
		"  --seed N            base seed (default fixed)\n"
		"  --cpus N            run every thread on the first N allowed CPUs (oversubscribe)\n"
		"  --long-frac F       fraction of holds that are long (default 1e-5)\n"
		"  --long-hold MS      long hold and LF-probe hold, milliseconds (default 10)\n"
		"  --stutter MS        run MS, pause all threads MS, resume, ... (default off)\n"
		"  --dest-frac F       fraction of W/R ops through RtmLockDestination (default 0.25)\n"
		"  --window MS         sliding window for Jain over time (default 200)\n"
		"  --grace US          stale reads younger than this are tolerated (default 0)\n"
		"  --probe-reps N      lock-free reader probe rounds per run (default 2)\n"
		"  --scenarios         run 1W+3R 2W+6R 4W+4R 8W+0R for every lock, print the table\n"
		"  --scenario-list L   scenarios for --scenarios, e.g. 1W+3R,2W+2R+2L\n"
		"  --quick             --scenarios, 0.5 s, 1 repetition (a smoke run, < 30 s)\n"
		"  --policy-report-only  a writer share below the promise is reported (S) but does\n"
		"                      not fail the run (short runs on a noisy machine; the CTest)\n"
		"  --json FILE         write all results as JSON (- = stdout)\n"
		"  --markdown FILE     write a markdown summary\n"
		"  --plot FILE.png     per-thread acquisitions and wait distributions (gnuplot)\n"
		"  -v, --verbose       per-thread lines\n"
		"Exit status: 0 all oracles held, 1 an oracle was violated, 2 usage or setup error.\n");
}

static int
parse_scen(const char *s, struct scen *sc)
{
	unsigned w = 0, r = 0, l = 0;
	int n = 0;

	if (sscanf(s, "%uW+%uR%n", &w, &r, &n) < 2)
		return -1;
	if (s[n] == '+' && sscanf(s + n, "+%uL", &l) != 1)
		return -1;
	sc->nw = w;
	sc->nr = r;
	sc->nl = l;
	return 0;
}

static double
num_arg(const char *s, const char *what)
{
	char *e;
	double v = strtod(s, &e);

	if (e == s || *e != 0 || v < 0 || isnan(v)) {
		fprintf(stderr, "rtm-torture: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	enum {
		O_LOCKS = 256, O_W, O_R, O_L, O_DESTS, O_ZIPF, O_HW, O_HR, O_TW, O_TR, O_TL, O_DUR, O_REPS,
		O_SEED, O_CPUS, O_LF, O_LH, O_STUT, O_DF, O_WIN, O_GRACE, O_PREPS, O_SCEN, O_SLIST,
		O_QUICK, O_JSON, O_MD, O_PLOT, O_LIST, O_PSOFT,
	};
	static const struct option opts[] = {
		{"locks", 1, 0, O_LOCKS}, {"writers", 1, 0, O_W}, {"readers", 1, 0, O_R},
		{"lfreaders", 1, 0, O_L}, {"dests", 1, 0, O_DESTS}, {"zipf", 1, 0, O_ZIPF},
		{"hold-w", 1, 0, O_HW}, {"hold-r", 1, 0, O_HR}, {"think-w", 1, 0, O_TW},
		{"think-r", 1, 0, O_TR}, {"think-l", 1, 0, O_TL}, {"duration", 1, 0, O_DUR},
		{"reps", 1, 0, O_REPS}, {"seed", 1, 0, O_SEED}, {"cpus", 1, 0, O_CPUS},
		{"long-frac", 1, 0, O_LF}, {"long-hold", 1, 0, O_LH}, {"stutter", 1, 0, O_STUT},
		{"dest-frac", 1, 0, O_DF}, {"window", 1, 0, O_WIN}, {"grace", 1, 0, O_GRACE},
		{"probe-reps", 1, 0, O_PREPS}, {"scenarios", 0, 0, O_SCEN},
		{"scenario-list", 1, 0, O_SLIST}, {"quick", 0, 0, O_QUICK}, {"json", 1, 0, O_JSON},
		{"markdown", 1, 0, O_MD}, {"plot", 1, 0, O_PLOT}, {"list", 0, 0, O_LIST},
		{"policy-report-only", 0, 0, O_PSOFT},
		{"verbose", 0, 0, 'v'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0},
	};
	const char *locks_arg = NULL, *slist = "1W+3R,2W+6R,4W+4R,8W+0R";
	bool reps_set = false, lf_set = false, quick = false, dur_set = false;
	int o;

	C.single = (struct scen){2, 6, 2};
	C.dests = 1;
	C.hold_w = C.hold_r = 5000;
	C.think_w = C.think_r = 5000;
	C.think_l = 0;
	C.duration = 2;
	C.reps = 1;
	C.seed = 0x70127u;
	C.long_frac = 1e-5;
	C.long_hold = 10000000;
	C.dest_frac = 0.25;
	C.window = 200000000;
	C.probe_reps = 2;
	while ((o = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (o) {
		case O_LOCKS: locks_arg = optarg; break;
		case O_W: C.single.nw = (unsigned)num_arg(optarg, "count"); break;
		case O_R: C.single.nr = (unsigned)num_arg(optarg, "count"); break;
		case O_L: C.single.nl = (unsigned)num_arg(optarg, "count"); lf_set = true; break;
		case O_DESTS: C.dests = (unsigned)num_arg(optarg, "count"); break;
		case O_ZIPF: C.zipf = num_arg(optarg, "exponent"); break;
		case O_HW: C.hold_w = (uint64_t)(num_arg(optarg, "time") * 1e3); break;
		case O_HR: C.hold_r = (uint64_t)(num_arg(optarg, "time") * 1e3); break;
		case O_TW: C.think_w = (uint64_t)(num_arg(optarg, "time") * 1e3); break;
		case O_TR: C.think_r = (uint64_t)(num_arg(optarg, "time") * 1e3); break;
		case O_TL: C.think_l = (uint64_t)(num_arg(optarg, "time") * 1e3); break;
		case O_DUR: C.duration = num_arg(optarg, "duration"); dur_set = true; break;
		case O_REPS: C.reps = (unsigned)num_arg(optarg, "count"); reps_set = true; break;
		case O_SEED: C.seed = strtoull(optarg, NULL, 0); break;
		case O_CPUS: C.cpus = (unsigned)num_arg(optarg, "count"); break;
		case O_LF: C.long_frac = num_arg(optarg, "fraction"); break;
		case O_LH: C.long_hold = (uint64_t)(num_arg(optarg, "time") * 1e6); break;
		case O_STUT: C.stutter = (uint64_t)(num_arg(optarg, "time") * 1e6); break;
		case O_DF: C.dest_frac = num_arg(optarg, "fraction"); break;
		case O_WIN: C.window = (uint64_t)(num_arg(optarg, "time") * 1e6); break;
		case O_GRACE: C.grace = (uint64_t)(num_arg(optarg, "time") * 1e3); break;
		case O_PREPS: C.probe_reps = (unsigned)num_arg(optarg, "count"); break;
		case O_SCEN: C.scenarios = true; break;
		case O_SLIST: slist = optarg; C.scenarios = true; break;
		case O_QUICK: quick = true; C.scenarios = true; break;
		case O_PSOFT: C.policy_soft = true; break;
		case O_JSON: C.json = optarg; break;
		case O_MD: C.markdown = optarg; break;
		case O_PLOT: C.plot = optarg; break;
		case O_LIST:
			for (unsigned k = 0; lock_variants[k]; k++)
				printf("%-18s %-12s %s\n", lock_variants[k]->name,
				       promise_name(lock_variants[k]->promise), lock_variants[k]->desc);
			return 0;
		case 'v': C.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (C.dests == 0 || C.dests > 14000000u || C.duration <= 0 || C.window < 4000000) {
		fprintf(stderr, "rtm-torture: need 1 <= dests <= 14M, duration > 0, window >= 4 ms\n");
		return 2;
	}
	if (quick) {
		if (!dur_set)
			C.duration = 0.5;
		if (!reps_set)
			C.reps = 1;
		C.probe_reps = C.probe_reps > 1 ? 1 : C.probe_reps;
	} else if (C.scenarios && !reps_set) {
		C.reps = 3;
	}
	if (C.reps == 0 || C.reps > MAX_REPS) {
		fprintf(stderr, "rtm-torture: reps must be 1..%d\n", MAX_REPS);
		return 2;
	}
	if (C.scenarios) {
		char *dup = strdup(slist), *save = NULL;

		for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (C.nscen == MAX_SCEN || parse_scen(tok, &C.scen[C.nscen]) != 0) {
				fprintf(stderr, "rtm-torture: bad scenario '%s' (want like 2W+6R or 2W+2R+2L)\n", tok);
				return 2;
			}
			if (lf_set && C.scen[C.nscen].nl == 0)
				C.scen[C.nscen].nl = C.single.nl;
			C.nscen++;
		}
		free(dup);
	}
	if (locks_arg != NULL) {
		char *dup = strdup(locks_arg), *save = NULL;

		for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			const struct lockvar *lv = lockvar_find(tok);

			if (lv == NULL || C.nlocks == 16) {
				fprintf(stderr, "rtm-torture: unknown lock '%s' (try --list)\n", tok);
				return 2;
			}
			C.locks[C.nlocks++] = lv;
		}
		free(dup);
	} else {
		for (unsigned k = 0; lock_variants[k]; k++)
			C.locks[C.nlocks++] = lock_variants[k];
	}
	if (C.cpus) {
		cpu_set_t all;
		unsigned got = 0;

		CPU_ZERO(&cpuset);
		sched_getaffinity(0, sizeof(all), &all);
		for (int c = 0; c < CPU_SETSIZE && got < C.cpus; c++)
			if (CPU_ISSET(c, &all)) {
				CPU_SET(c, &cpuset);
				got++;
			}
		use_cpuset = got > 0;
	}
	setup_zipf();

	unsigned nsc = C.scenarios ? C.nscen : 1;

	capruns = nsc * C.nlocks * C.reps;
	runs = calloc(capruns, sizeof(*runs));
	if (runs == NULL)
		return 2;
	printf("rtm-torture: %ld online CPUs, %u destination(s)%s, hold W/R %.1f/%.1f us, think "
	       "W/R/L %.1f/%.1f/%.1f us, long holds %g x %.1f ms, %u x %.1f s\n",
	       sysconf(_SC_NPROCESSORS_ONLN), C.dests, C.zipf > 0 ? " Zipf" : "", C.hold_w / 1e3,
	       C.hold_r / 1e3, C.think_w / 1e3, C.think_r / 1e3, C.think_l / 1e3, C.long_frac,
	       C.long_hold / 1e6, C.reps, C.duration);
	/* Interleave locks within a repetition so that machine noise hits all of them alike. */
	for (unsigned si = 0; si < nsc; si++)
		for (unsigned rep = 0; rep < C.reps; rep++)
			for (unsigned li = 0; li < C.nlocks; li++) {
				const struct scen *s = C.scenarios ? &C.scen[si] : &C.single;

				if (do_run(C.locks[li], s, si, rep, &runs[nruns]) != 0)
					return 2;
				print_run(&runs[nruns]);
				nruns++;
			}
	summarize();
	printf("\n");
	print_table(stdout, false);
	print_legend(stdout, false);

	int failed = 0;

	for (unsigned k = 0; k < nruns; k++)
		failed |= runs[k].failed;
	if (C.json)
		write_json(C.json);
	if (C.markdown)
		write_markdown(C.markdown);
	if (C.plot)
		write_plot(C.plot);
	printf("rtm-torture: %s\n", failed ? "FAILED (an oracle was violated; see above)" : "all oracles held");
	return failed ? 1 : 0;
}
