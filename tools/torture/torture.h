/*
 * torture.h - shared declarations of rtm-torture (see README.md).
 *
 * Three pieces:
 *   locks.c       the lock variants: librtm through its public API and the
 *                 baselines (pthread, ConcurrencyKit), one table, one interface;
 *   stats.c       log-linear wait histograms, Jain's index, medians;
 *   rtm-torture.c the driver: threads, oracles, reports.
 */
#ifndef RTM_TORTURE_H
#define RTM_TORTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- lock variants ------------------------------------------------------ */

/*
 * What a variant's admission policy promises; the driver turns a promise into
 * an oracle.  A new policy (bounded barging, say) is one more table row whose
 * promise says what it guarantees.
 */
enum promise {
	PROMISE_NONE,        /* no fairness claim (mutex: readers are exclusive too) */
	PROMISE_READER_PREF, /* readers first; writers may starve (glibc default) */
	PROMISE_WRITER_PREF, /* a waiting writer stops new readers */
	PROMISE_PHASE_FAIR,  /* reader and writer phases alternate */
	PROMISE_TASK_FAIR,   /* FIFO over readers and writers */
};

/* Which data a holder reaches: the route (RtmLockRoute) or the destination's
 * opaque slots (RtmLockDestination).  Baselines keep one pair of each. */
enum path { PATH_ROUTE = 0, PATH_DEST = 1 };

/*
 * The payload a holder reads or edits: two words, a version and a check word
 * derived from it.  A holder sees them through `ver` / `chk`; where they live
 * (a route's RTM_ROUTE_INFO, two opaque slots, or a plain harness array) is
 * the variant's business.
 */
struct payload {
	void *ver; /* ULONG (32-bit) for librtm routes, else uint64_t */
	void *chk; /* PVOID-sized */
	int ver_is_32;
};

struct lockvar {
	const char *name;
	const char *desc;
	enum promise promise;
	bool lockfree_reads; /* has a lock-free read path (lf readers, probe) */
	/* Build the protected state for n destinations; 0 on success. */
	int (*setup)(unsigned n, uint64_t seed);
	void (*teardown)(void);
	/* Lock destination i (shared or exclusive) and return its payload. */
	int (*lock)(unsigned i, bool excl, enum path p, struct payload *pl);
	int (*unlock)(unsigned i, bool excl, enum path p);
	/*
	 * Lock-free read (librtm only): kind 0 = RtmGetRouteInfo, kind 1 =
	 * RtmGetMostSpecificDestination.  Returns 0 and the version / check words
	 * seen (kind 1 returns 0 with *ver = UINT64_MAX when the answer was the
	 * right destination and route, -1 on any error or wrong answer).
	 */
	int (*lf_read)(unsigned i, int kind, uint64_t *ver, uint64_t *chk, void *scratch);
	void *(*lf_scratch)(void);
	void (*lf_scratch_free)(void *scratch);
};

extern const struct lockvar *const lock_variants[];
const struct lockvar *lockvar_find(const char *name);
const char *promise_name(enum promise p);

/* The check word the payload carries for version v of destination i. */
static inline uint64_t
payload_check(unsigned i, uint32_t v)
{
	uint64_t x = ((uint64_t)v + 1) * 0x9E3779B97F4A7C15ull;

	return x ^ ((uint64_t)(i + 1) << 17) ^ (x >> 29);
}

/* ---- statistics --------------------------------------------------------- */

#define HIST_SUB 16 /* sub-buckets per power of two */
#define HIST_NB (HIST_SUB + 44 * HIST_SUB)

struct hist {
	uint64_t n;
	uint64_t max;
	uint64_t sum;
	uint64_t b[HIST_NB];
};

void hist_add(struct hist *h, uint64_t ns);
void hist_merge(struct hist *into, const struct hist *from);
/* Value below which a fraction q of the samples lie (bucket upper edge). */
uint64_t hist_quantile(const struct hist *h, double q);
/* Lower edge of bucket k, for plotting. */
uint64_t hist_bucket_low(unsigned k);

double jain_index(const double *x, unsigned n);
double rel_stddev(const double *x, unsigned n);
double median_d(double *x, unsigned n);
uint64_t median_u(uint64_t *x, unsigned n);

/* ---- time --------------------------------------------------------------- */

uint64_t now_ns(void);

#endif
