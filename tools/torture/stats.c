/*
 * stats.c - the numbers rtm-torture reports.
 *
 * Wait times go into a log-linear histogram: values below HIST_SUB ns get a
 * bucket each, above that every power of two is cut into HIST_SUB equal
 * buckets, so a quantile is off by at most 1/HIST_SUB (6 %) of its value.
 */
#define _GNU_SOURCE 1

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "torture.h"

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned
hist_bucket(uint64_t v)
{
	unsigned e, k;

	if (v < HIST_SUB)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v); /* v in [2^e, 2^(e+1)) , e >= 4 */
	k = HIST_SUB + (e - 4) * HIST_SUB + (unsigned)((v >> (e - 4)) & (HIST_SUB - 1));
	return k < HIST_NB ? k : HIST_NB - 1;
}

uint64_t
hist_bucket_low(unsigned k)
{
	unsigned e, sub;

	if (k < HIST_SUB)
		return k;
	e = (k - HIST_SUB) / HIST_SUB + 4;
	sub = (k - HIST_SUB) % HIST_SUB;
	return (1ull << e) + ((uint64_t)sub << (e - 4));
}

void
hist_add(struct hist *h, uint64_t ns)
{
	h->b[hist_bucket(ns)]++;
	h->n++;
	h->sum += ns;
	if (ns > h->max)
		h->max = ns;
}

void
hist_merge(struct hist *into, const struct hist *from)
{
	for (unsigned k = 0; k < HIST_NB; k++)
		into->b[k] += from->b[k];
	into->n += from->n;
	into->sum += from->sum;
	if (from->max > into->max)
		into->max = from->max;
}

uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t want, seen = 0;

	if (h->n == 0)
		return 0;
	want = (uint64_t)ceil(q * (double)h->n);
	if (want == 0)
		want = 1;
	for (unsigned k = 0; k < HIST_NB; k++) {
		seen += h->b[k];
		if (seen >= want) {
			uint64_t hi = k + 1 < HIST_NB ? hist_bucket_low(k + 1) - 1 : h->max;
			return hi < h->max ? hi : h->max;
		}
	}
	return h->max;
}

/* Jain's fairness index: (sum x)^2 / (n * sum x^2); 1 = all equal, 1/n = one takes all. */
double
jain_index(const double *x, unsigned n)
{
	double s = 0, s2 = 0;

	if (n == 0)
		return NAN;
	for (unsigned i = 0; i < n; i++) {
		s += x[i];
		s2 += x[i] * x[i];
	}
	if (s2 == 0)
		return NAN;
	return s * s / ((double)n * s2);
}

double
rel_stddev(const double *x, unsigned n)
{
	double m = 0, v = 0;

	if (n == 0)
		return NAN;
	for (unsigned i = 0; i < n; i++)
		m += x[i];
	m /= n;
	if (m == 0)
		return NAN;
	for (unsigned i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	return sqrt(v / n) / m;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	/* NaN sorts last */
	if (isnan(x) || isnan(y))
		return isnan(x) - isnan(y);
	return (x > y) - (x < y);
}

static int
cmp_u(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Median of the non-NaN values (lower median for even counts); sorts x. */
double
median_d(double *x, unsigned n)
{
	unsigned m = 0;

	qsort(x, n, sizeof(*x), cmp_d);
	while (m < n && !isnan(x[m]))
		m++;
	if (m == 0)
		return NAN;
	return x[(m - 1) / 2];
}

uint64_t
median_u(uint64_t *x, unsigned n)
{
	if (n == 0)
		return 0;
	qsort(x, n, sizeof(*x), cmp_u);
	return x[(n - 1) / 2];
}
