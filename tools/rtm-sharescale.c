/*
 * rtm-sharescale - does sharing one entity and one next hop stop two threads
 * from scaling?  Wall-clock ratios measured within one process run, so that
 * the load of a shared machine affects both sides of each ratio alike.
 *
 * Load (the bundled IPv4 table, -n prefixes, one random order):
 *   1w          one writer adds them all (entity A, next hop of A);
 *   2w-shared   two writers add disjoint halves, both as A via A's next hop
 *               (rtm-bench's load: BGP peers sharing few next hops);
 *   2w-own      the same halves, each writer its own entity and next hop;
 *   2w-2tables  the same, the second entity in RTM instance 1: the writers
 *               share no table either, only process-wide state.
 * Each load starts on an empty table (the entities are deregistered, which
 * deletes their routes, between loads) and the three run interleaved, -r
 * rounds.  Printed: routes/s of each, and 2w/1w per round, with medians.
 *
 * Hot-spot lookups (RtmGetMostSpecificDestination + RtmReleaseDestInfo of
 * one address, over and over), on the table loaded half by A, half by B:
 *   1t          one thread, address a (a route of A);
 *   2t-same     two threads, both a (same destination, route and owner);
 *   2t-destA    two threads, a and a2 (two destinations whose routes share
 *               the owner A and the next hop);
 *   2t-destAB   two threads, a (owner A) and b (owner B): nothing shared
 *               but the table.
 * Printed: lookups/s in total, and each 2t case over 1t of the same round.
 *
 * Besides the wall-clock rate (all operations over the slowest thread's
 * time), each case reports operations per CPU second of its own threads: a
 * cache line or lock that two threads fight over makes each operation cost
 * more CPU while both run, even when the machine is too busy for the wall
 * rate to say anything; and the CPU the process's other threads (call_rcu,
 * the worker) spent meanwhile, per CPU second of the case's threads.  A
 * control with no librtm in it (mem-1t, mem-2t: random updates of a private
 * MEM_MIB array per thread; its "others" includes setting the arrays up)
 * shows what the machine's shared caches and memory alone cost two threads.
 *
 *   rtm-sharescale [-n PREFIXES] [-r ROUNDS] [-t SECONDS_PER_LOOKUP_CASE]
 */
#define _GNU_SOURCE 1

#include <rtmv2.h>
#include <rtm/rtmx.h>

#include "one_route.h"
#include "prefix_list.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef RTM_DATA_DIR
#define RTM_DATA_DIR "tests/data/fulltable"
#endif

#define MAX_ROUNDS 64
#define MEM_MIB 128

struct owner {
	RTM_ENTITY_HANDLE h;
	RTM_NEXTHOP_HANDLE nh;
	union one_route route;
};

struct job {
	const struct owner *as;
	const RTM_NET_ADDRESS *pfx;
	size_t from, to;
	const RTM_NET_ADDRESS *query; /* lookups: the one address */
	double seconds;               /* lookups: how long */
	pthread_barrier_t *start;
	double elapsed;
	double cpu; /* the thread's own CPU time */
	uint64_t done;
	int failed;
};

/* Seconds on clock c: CLOCK_MONOTONIC, or the thread's or process's CPU time. */
static double
seconds_on(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double
now(void)
{
	return seconds_on(CLOCK_MONOTONIC);
}

static double
thread_cpu(void)
{
	return seconds_on(CLOCK_THREAD_CPUTIME_ID);
}

static double
process_cpu(void)
{
	return seconds_on(CLOCK_PROCESS_CPUTIME_ID);
}

static int
owner_register(struct owner *o, ULONG instance, USHORT rtm_instance)
{
	RTM_ENTITY_INFO ei = {.RtmInstanceId = rtm_instance,
			      .AddressFamily = AF_INET,
			      .EntityId.EntityProtocolId = PROTO_IP_BGP,
			      .EntityId.EntityInstanceId = instance};
	RTM_NEXTHOP_INFO nhi = {.NextHopAddress = {.AddressFamily = AF_INET, .NumBits = 32,
						   .AddrBits = {192, 0, 2, (UCHAR)instance}},
				.InterfaceIndex = 1};
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	RTM_REGN_PROFILE prof;
	DWORD rc;

	memset(o, 0, sizeof(*o));
	rc = RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &o->h);

	if (rc == NO_ERROR)
		rc = RtmAddNextHop(o->h, &nhi, &o->nh, &nf);
	if (rc != NO_ERROR)
		return fprintf(stderr, "rtm-sharescale: setup of entity %lu: error %lu\n",
			       (unsigned long)instance, (unsigned long)rc), 1;
	one_route_init(&o->route, o->nh);
	return 0;
}

static void
owner_deregister(struct owner *o)
{
	RtmReleaseNextHops(o->h, 1, &o->nh);
	if (RtmDeregisterEntity(o->h) != NO_ERROR)
		fprintf(stderr, "rtm-sharescale: RtmDeregisterEntity failed\n");
}

static void *
load_thread(void *arg)
{
	struct job *j = arg;
	double t0, c0;

	pthread_barrier_wait(j->start);
	t0 = now();
	c0 = thread_cpu();
	for (size_t i = j->from; i < j->to; i++) {
		RTM_ROUTE_CHANGE_FLAGS cf = 0;

		if (RtmAddRouteToDest(j->as->h, NULL, (PRTM_NET_ADDRESS)&j->pfx[i],
				      (PRTM_ROUTE_INFO)&j->as->route.ri, INFINITE, NULL, 0, NULL,
				      &cf) != NO_ERROR)
			j->failed++;
	}
	j->elapsed = now() - t0;
	j->cpu = thread_cpu() - c0;
	j->done = j->to - j->from;
	return NULL;
}

#define BATCH 4096

/*
 * Once all jobs are ready, call batch(j, state) (BATCH operations) until
 * j->seconds have passed; record the time, the thread's CPU and the count.
 */
static void
timed_batches(struct job *j, void (*batch)(struct job *j, void *state), void *state)
{
	double t0, t, c0;
	uint64_t n = 0;

	pthread_barrier_wait(j->start);
	t0 = now();
	c0 = thread_cpu();
	do {
		batch(j, state);
		n += BATCH;
		t = now() - t0;
	} while (t < j->seconds);
	j->elapsed = t;
	j->cpu = thread_cpu() - c0;
	j->done = n;
}

static void
lookup_batch(struct job *j, void *state)
{
	RTM_DEST_INFO *di = state;

	for (int k = 0; k < BATCH; k++) {
		if (RtmGetMostSpecificDestination(j->as->h, (PRTM_NET_ADDRESS)j->query,
						  RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
						  di) != NO_ERROR ||
		    RtmReleaseDestInfo(j->as->h, di) != NO_ERROR)
			j->failed++;
	}
}

static void *
lookup_thread(void *arg)
{
	union {
		RTM_DEST_INFO di;
		char bytes[RTM_SIZE_OF_DEST_INFO(RTM_MAX_VIEWS)];
	} b;

	timed_batches(arg, lookup_batch, &b.di);
	return NULL;
}

/*
 * Run n jobs on their own threads; the rate of all, over the slowest.  Also
 * *per_cpu: operations per second of the jobs' own CPU time (what sharing a
 * cache line costs shows there, whatever else the machine runs), and
 * *others: CPU seconds the process's other threads (call_rcu, worker) spent
 * meanwhile, per second of the jobs' CPU time.
 */
static double
run_jobs(struct job *jobs, int n, void *(*fn)(void *), double *per_cpu, double *others)
{
	pthread_t tid[2];
	pthread_barrier_t start;
	double slowest = 0, cpu = 0, pc0 = process_cpu();
	uint64_t done = 0;

	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		jobs[i].start = &start;
		pthread_create(&tid[i], NULL, fn, &jobs[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(tid[i], NULL);
		if (jobs[i].failed)
			fprintf(stderr, "rtm-sharescale: %d operations failed\n", jobs[i].failed);
		if (jobs[i].elapsed > slowest)
			slowest = jobs[i].elapsed;
		done += jobs[i].done;
		cpu += jobs[i].cpu;
	}
	pthread_barrier_destroy(&start);
	*per_cpu = (double)done / cpu;
	*others = (process_cpu() - pc0 - cpu) / cpu;
	return (double)done / slowest;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* One case's measurements, one per round. */
struct series {
	const char *name;
	double rate[MAX_ROUNDS];    /* operations/s, wall clock */
	double per_cpu[MAX_ROUNDS]; /* operations per CPU second of the jobs */
	double others[MAX_ROUNDS];  /* other threads' CPU per job CPU second */
};

/*
 * The control: what two threads that share nothing get from this machine's
 * caches and memory, each updating random words of its own MEM_MIB array.
 */
struct mem_state {
	uint64_t *a;
	size_t words; /* a power of two */
	uint64_t x;   /* xorshift state */
};

static void
mem_batch(struct job *j, void *state)
{
	struct mem_state *m = state;

	(void)j;
	for (int k = 0; k < BATCH; k++) {
		m->x ^= m->x << 13, m->x ^= m->x >> 7, m->x ^= m->x << 17;
		m->a[m->x & (m->words - 1)] += m->x;
	}
}

static void *
mem_thread(void *arg)
{
	struct job *j = arg;
	struct mem_state m = {.words = (size_t)MEM_MIB << 17, .x = 0x9E3779B97F4A7C15ull};

	m.a = calloc(m.words, sizeof(*m.a));
	if (!m.a) {
		j->failed = 1;
		pthread_barrier_wait(j->start);
		return NULL;
	}
	for (size_t i = 0; i < m.words; i++)
		m.a[i] = i;
	timed_batches(j, mem_batch, &m);
	free(m.a);
	return NULL;
}

static void
mem_case(struct series *out, int round, int threads, double seconds)
{
	struct job jobs[2];

	memset(jobs, 0, sizeof jobs);
	jobs[0].seconds = jobs[1].seconds = seconds;
	out->rate[round] = run_jobs(jobs, threads, mem_thread, &out->per_cpu[round],
				    &out->others[round]);
}

/*
 * One load case on an empty table: writers as entity 1 (and entity 2, in
 * RTM instance second_table: 0 is entity 1's table).
 */
static void
load_case(struct series *out, int round, const RTM_NET_ADDRESS *pfx, size_t n, int writers,
	  bool own, USHORT second_table)
{
	struct owner o[2];
	struct job jobs[2];

	memset(jobs, 0, sizeof jobs);
	if (owner_register(&o[0], 1, 0) || (own && owner_register(&o[1], 2, second_table)))
		exit(1);
	for (int i = 0; i < writers; i++) {
		jobs[i].as = &o[own ? i : 0];
		jobs[i].pfx = pfx;
		jobs[i].from = n * (size_t)i / (size_t)writers;
		jobs[i].to = n * (size_t)(i + 1) / (size_t)writers;
	}
	out->rate[round] = run_jobs(jobs, writers, load_thread, &out->per_cpu[round],
				    &out->others[round]);
	owner_deregister(&o[0]);
	if (own)
		owner_deregister(&o[1]);
	usleep(200000); /* let call_rcu finish the frees of the deregistration */
}

static void
lookup_case(struct series *out, int round, const struct owner *o0, const RTM_NET_ADDRESS *q0,
	    const struct owner *o1, const RTM_NET_ADDRESS *q1, double seconds)
{
	struct job jobs[2];

	memset(jobs, 0, sizeof jobs);
	jobs[0] = (struct job){.as = o0, .query = q0, .seconds = seconds};
	jobs[1] = (struct job){.as = o1, .query = q1, .seconds = seconds};
	out->rate[round] = run_jobs(jobs, o1 ? 2 : 1, lookup_thread, &out->per_cpu[round],
				    &out->others[round]);
}

static void
report_ratio(const char *what, const double *v, const double *base, int rounds)
{
	double ratio[MAX_ROUNDS] = {0};

	for (int r = 0; r < rounds; r++)
		ratio[r] = v[r] / base[r];
	printf("\n      %s / 1-thread case: median %.2f (", what, median(ratio, rounds));
	for (int r = 0; r < rounds; r++)
		printf("%s%.2f", r ? " " : "", ratio[r]);
	printf(")");
}

static void
report(const struct series *s, const struct series *base, int rounds)
{
	printf("  %-10s %10.0f /s wall, %10.0f per CPU s, others' CPU %.2f", s->name,
	       median(s->rate, rounds), median(s->per_cpu, rounds), median(s->others, rounds));
	if (base) {
		report_ratio("wall rate", s->rate, base->rate, rounds);
		report_ratio("per CPU s", s->per_cpu, base->per_cpu, rounds);
	}
	printf("\n");
}

int
main(int argc, char **argv)
{
	rtm_prefix_list_opts lo = {.family = AF_INET};
	rtm_prefix_list table = RTM_PREFIX_LIST_INIT;
	char err[512] = "the table is empty";
	size_t n = 400000;
	int rounds = 5, c;
	double secs = 1.0;
	struct series l1 = {.name = "1w"}, l2s = {.name = "2w-shared"}, l2o = {.name = "2w-own"},
		      l2t = {.name = "2w-2tables"}, m1 = {.name = "mem-1t"}, m2 = {.name = "mem-2t"};
	struct series h1 = {.name = "1t"}, h2s = {.name = "2t-same"}, h2a = {.name = "2t-destA"},
		      h2ab = {.name = "2t-destAB"};
	RTM_NET_ADDRESS *pfx, qa, qa2, qb;
	struct owner oa, ob;
	uint64_t seed = 0x5eed;
	double loadavg[3] = {0};

	while ((c = getopt(argc, argv, "n:r:t:")) != -1) {
		if (c == 'n')
			n = strtoul(optarg, NULL, 0);
		else if (c == 'r')
			rounds = atoi(optarg);
		else if (c == 't')
			secs = atof(optarg);
		else
			return fprintf(stderr, "usage: rtm-sharescale [-n N] [-r ROUNDS] [-t SECS]\n"), 2;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS)
		return fprintf(stderr, "rtm-sharescale: 1 <= rounds <= %d\n", MAX_ROUNDS), 2;
	if (rtm_prefix_list_load(RTM_DATA_DIR "/tier1-2023-ipv4.txt.xz", &lo, &table, NULL, err,
				 sizeof err) != 0 || table.count < 4)
		return fprintf(stderr, "rtm-sharescale: %s\n", err), 1;
	if (n > table.count)
		n = table.count;
	pfx = malloc(n * sizeof(*pfx));
	if (!pfx)
		return 1;
	memcpy(pfx, table.items, n * sizeof(*pfx));
	for (size_t i = n - 1; i > 0; i--) { /* a seeded Fisher-Yates shuffle */
		size_t k;
		RTM_NET_ADDRESS tmp;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		k = (size_t)(seed >> 33) % (i + 1);
		tmp = pfx[i], pfx[i] = pfx[k], pfx[k] = tmp;
	}

	for (int r = 0; r < rounds; r++) {
		load_case(&l1, r, pfx, n, 1, false, 0);
		load_case(&l2s, r, pfx, n, 2, false, 0);
		load_case(&l2o, r, pfx, n, 2, true, 0);
		load_case(&l2t, r, pfx, n, 2, true, 1);
		mem_case(&m1, r, 1, secs);
		mem_case(&m2, r, 2, secs);
		fprintf(stderr, "round %d: load 1w %.0f, 2w-shared %.0f, 2w-own %.0f, 2w-2tables %.0f\n",
			r, l1.rate[r], l2s.rate[r], l2o.rate[r], l2t.rate[r]);
	}

	/* The lookup table: first half by A, second half by B. */
	if (owner_register(&oa, 1, 0) || owner_register(&ob, 2, 0))
		return 1;
	for (size_t i = 0; i < n; i++) {
		const struct owner *o = i < n / 2 ? &oa : &ob;
		RTM_ROUTE_CHANGE_FLAGS cf = 0;

		if (RtmAddRouteToDest(o->h, NULL, &pfx[i], (PRTM_ROUTE_INFO)&o->route.ri, INFINITE,
				      NULL, 0, NULL, &cf) != NO_ERROR)
			return fprintf(stderr, "rtm-sharescale: add failed\n"), 1;
	}
	qa = pfx[0], qa2 = pfx[1], qb = pfx[n - 1];
	for (int r = 0; r < rounds; r++) {
		lookup_case(&h1, r, &oa, &qa, NULL, NULL, secs);
		lookup_case(&h2s, r, &oa, &qa, &oa, &qa, secs);
		lookup_case(&h2a, r, &oa, &qa, &oa, &qa2, secs);
		lookup_case(&h2ab, r, &oa, &qa, &ob, &qb, secs);
		fprintf(stderr, "round %d: hot 1t %.0f, 2t-same %.0f, 2t-destA %.0f, 2t-destAB %.0f\n",
			r, h1.rate[r], h2s.rate[r], h2a.rate[r], h2ab.rate[r]);
	}
	getloadavg(loadavg, 3);
	printf("rtm-sharescale: %zu prefixes, %d rounds, load average %.2f %.2f %.2f (medians)\n",
	       n, rounds, loadavg[0], loadavg[1], loadavg[2]);
	printf("load (routes):\n");
	report(&l1, NULL, rounds);
	report(&l2s, &l1, rounds);
	report(&l2o, &l1, rounds);
	report(&l2t, &l1, rounds);
	printf("control, no librtm: random reads and writes, a private %d MiB per thread:\n",
	       MEM_MIB);
	report(&m1, NULL, rounds);
	report(&m2, &m1, rounds);
	printf("hot-spot lookups (all threads):\n");
	report(&h1, NULL, rounds);
	report(&h2s, &h1, rounds);
	report(&h2a, &h1, rounds);
	report(&h2ab, &h1, rounds);
	owner_deregister(&oa);
	owner_deregister(&ob);
	free(pfx);
	rtm_prefix_list_free(&table);
	return 0;
}
