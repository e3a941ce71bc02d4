/*
 * rtm-quickbench - a quick single-thread benchmark of librtm on a real full table.
 *
 * For the IPv4 and the IPv6 table it reports:
 *   - the number of prefixes, the time to load them all through RtmAddRouteToDest
 *     and the resulting routes/s;
 *   - RtmGetMostSpecificDestination + RtmReleaseDestInfo lookups/s on one thread,
 *     for addresses drawn uniformly (IPv6: from 2000::/3, where the table lives)
 *     and for addresses drawn inside random table prefixes: the median of
 *     several runs, each at least the minimum time long;
 *   - memory per prefix: the growth of the malloc heap in use (mallinfo2
 *     uordblks) and of the resident set (/proc/self/statm) across the load.
 *
 * Usage: rtm-quickbench [-s SEED] [-t MIN_SECONDS] [-r RUNS] [-1] [IPV4_FILE [IPV6_FILE]]
 * The files default to the bundled tables in RTM_DATA_DIR (tests/data/fulltable);
 * "-" skips a family. The seed is fixed by default, so runs are comparable.
 * Each family runs in a child process of its own (fork before any RTM call),
 * so that memory freed by one family cannot hide the growth of the next; -1
 * runs both in this process instead.
 */
#define _GNU_SOURCE 1

#include <rtmv2.h>
#include <rtm/rtmx.h>

#include "prefix_list.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef RTM_DATA_DIR
#define RTM_DATA_DIR "tests/data/fulltable"
#endif

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#define HAVE_MALLINFO2 1
#endif

#define DEFAULT_SEED 0x5EEDC0DE2023ull
#define NQUERIES (1u << 20)   /* pre-generated queries per kind, used round robin */
#define BATCH 4096u

/* ------------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state;

static uint64_t rng_next(void)   /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int64_t heap_in_use(void)
{
#ifdef HAVE_MALLINFO2
	struct mallinfo2 mi = mallinfo2();
	return (int64_t)mi.uordblks + (int64_t)mi.hblkhd; /* small chunks + mmap'd ones */
#else
	return -1;
#endif
}

static int64_t rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	unsigned long long size = 0, resident = 0;
	int n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	if (n != 2)
		return -1;
	return (int64_t)resident * (int64_t)sysconf(_SC_PAGESIZE);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void human_rate(double v, char *buf, size_t len)
{
	if (v >= 1e6)
		snprintf(buf, len, "%.2f M", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.1f k", v / 1e3);
	else
		snprintf(buf, len, "%.0f", v);
}

/* ------------------------------------------------------------------------- */

struct result {
	const char *family;
	size_t prefixes;
	size_t load_errors;
	double load_s;
	double lookups_uniform, lookups_inside;  /* per second, medians */
	double hit_uniform, hit_inside;          /* fraction found */
	uint64_t lookup_errors;
	double heap_per_prefix, rss_per_prefix;  /* bytes, < 0 if unknown */
	double hot1, hotn, spread1, spreadn;     /* hot-spot lookups/s, 1 and N threads */
	int hot_threads;
	double deregister_s;
	bool ok;
};

/* Random address inside the table prefix p. */
static void addr_inside(RTM_NET_ADDRESS *q, const RTM_NET_ADDRESS *p, unsigned width)
{
	*q = *p;
	q->NumBits = (USHORT)width;
	unsigned nb = p->NumBits;
	for (unsigned byte = nb / 8; byte < width / 8; byte++) {
		unsigned char r = (unsigned char)rng_next();
		unsigned char keep = 0;
		if (byte == nb / 8 && nb % 8)
			keep = (unsigned char)(0xFFu << (8 - nb % 8));
		q->AddrBits[byte] = (unsigned char)((q->AddrBits[byte] & keep) | (r & ~keep));
	}
}

static void addr_uniform(RTM_NET_ADDRESS *q, unsigned family, unsigned width)
{
	memset(q, 0, sizeof *q);
	q->AddressFamily = (USHORT)family;
	q->NumBits = (USHORT)width;
	for (unsigned i = 0; i < width / 8; i++)
		q->AddrBits[i] = (unsigned char)rng_next();
	if (width == 128)   /* 2000::/3: top three bits 001 */
		q->AddrBits[0] = (unsigned char)(0x20 | (q->AddrBits[0] & 0x1F));
}

/* One timed run over the query array; returns lookups/s and adds to *found / *errors. */
static double lookup_run(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *qs, size_t nq,
			 RTM_DEST_INFO *di, double min_s, uint64_t *found, uint64_t *total,
			 uint64_t *errors)
{
	size_t pos = (size_t)(rng_next() % nq);
	uint64_t n = 0, hits = 0, errs = 0;
	double t0 = now_s(), dt;
	do {
		for (unsigned b = 0; b < BATCH; b++) {
			RTM_NET_ADDRESS q = qs[pos];
			if (++pos == nq)
				pos = 0;
			RTMX_FWD_INFO fi;
			/* di == NULL: the forwarding lookup, which has nothing to release. */
			DWORD rc = di ? RtmGetMostSpecificDestination(h, &q, RTM_BEST_PROTOCOL,
								      RTM_VIEW_MASK_UCAST, di)
				      : RtmxLookupRoute(h, &q, RTM_VIEW_MASK_UCAST, &fi);
			if (rc == NO_ERROR) {
				hits++;
				if (di && RtmReleaseDestInfo(h, di) != NO_ERROR)
					errs++;
			} else if (rc != ERROR_NOT_FOUND) {
				errs++;
			}
		}
		n += BATCH;
		dt = now_s() - t0;
	} while (dt < min_s);
	*found += hits;
	*total += n;
	*errors += errs;
	return (double)n / dt;
}

static double lookup_median(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *qs, size_t nq,
			    RTM_DEST_INFO *di, double min_s, int runs, double *hit_frac,
			    uint64_t *errors, const char *label)
{
	double rates[16];
	uint64_t found = 0, total = 0;
	if (runs > 16)
		runs = 16;
	printf("    lookups %-26s", label);
	fflush(stdout);
	for (int r = 0; r < runs; r++) {
		rates[r] = lookup_run(h, qs, nq, di, min_s, &found, &total, errors);
		char b[32];
		human_rate(rates[r], b, sizeof b);
		printf(" %10s/s", b);
		fflush(stdout);
	}
	qsort(rates, (size_t)runs, sizeof rates[0], cmp_double);
	*hit_frac = total ? (double)found / (double)total : 0.0;
	double med = rates[runs / 2];
	char b[32];
	human_rate(med, b, sizeof b);
	printf("   median %s/s, %.1f%% found\n", b, 100.0 * *hit_frac);
	return med;
}


/*
 * Hot-spot scaling (DESIGN.md §4): T threads each looping over `per` query
 * addresses for `secs` seconds.  With same = true every thread queries the
 * same single address (one destination, one best route, one owner: the
 * references all land on the same objects); otherwise each thread has its
 * own addresses.  Returns the total lookups/s.
 */
struct hot_arg {
	RTM_ENTITY_HANDLE h;
	const RTM_NET_ADDRESS *qs;
	size_t nq;
	double secs;
	double rate;
	uint64_t errors;
};

static void *hot_thread(void *p)
{
	struct hot_arg *a = p;
	RTM_DEST_INFO *di = malloc(RTM_SIZE_OF_DEST_INFO(1));
	uint64_t n = 0;
	double t0 = now_s(), t;

	if (!di)
		return NULL;
	do {
		for (int k = 0; k < 1000; k++) {
			DWORD rc = RtmGetMostSpecificDestination(a->h, (PRTM_NET_ADDRESS)&a->qs[(n + k) % a->nq],
								 RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, di);
			if (rc == NO_ERROR)
				a->errors += RtmReleaseDestInfo(a->h, di) != NO_ERROR;
			else if (rc != ERROR_NOT_FOUND)
				a->errors++;
		}
		n += 1000;
		t = now_s();
	} while (t - t0 < a->secs);
	a->rate = (double)n / (t - t0);
	free(di);
	return NULL;
}

static double hot_run(RTM_ENTITY_HANDLE h, const RTM_NET_ADDRESS *qs, size_t per, int threads,
		      bool same, double secs, uint64_t *errors)
{
	pthread_t tid[64];
	struct hot_arg args[64];
	double total = 0;

	for (int i = 0; i < threads; i++) {
		args[i] = (struct hot_arg){ h, same ? qs : qs + (size_t)i * per, same ? 1 : per, secs, 0, 0 };
		if (pthread_create(&tid[i], NULL, hot_thread, &args[i]) != 0)
			return -1;
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		total += args[i].rate;
		*errors += args[i].errors;
	}
	return total;
}

static bool bench_family(struct result *res, const char *name, unsigned family, unsigned width,
			 const char *path, double min_s, int runs)
{
	memset(res, 0, sizeof *res);
	res->family = name;
	res->heap_per_prefix = res->rss_per_prefix = -1;

	rtm_prefix_list pl = RTM_PREFIX_LIST_INIT;
	rtm_prefix_list_opts o = { .family = (int)family };
	rtm_prefix_list_stats st;
	char err[512];
	int lrc = rtm_prefix_list_load(path, &o, &pl, &st, err, sizeof err);
	if (lrc) {
		fprintf(stderr, "rtm-quickbench: %s\n", err);
		rtm_prefix_list_free(&pl);
		return false;
	}
	if (pl.count == 0) {
		fprintf(stderr, "rtm-quickbench: %s: no %s prefixes\n", path, name);
		rtm_prefix_list_free(&pl);
		return false;
	}
	res->prefixes = pl.count;
	printf("\n%s: %zu prefixes from %s\n", name, pl.count, path);

	/* Everything the benchmark itself needs is allocated before the load is measured. */
	RTM_NET_ADDRESS *q_uni = malloc(NQUERIES * sizeof *q_uni);
	RTM_NET_ADDRESS *q_in = malloc(NQUERIES * sizeof *q_in);
	size_t ri_size = offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) + 1 * sizeof(HANDLE);
	RTM_ROUTE_INFO *ri = calloc(1, ri_size);
	RTM_DEST_INFO *di = malloc(RTM_SIZE_OF_DEST_INFO(1));
	if (!q_uni || !q_in || !ri || !di) {
		fprintf(stderr, "rtm-quickbench: out of memory\n");
		free(q_uni);
		free(q_in);
		free(ri);
		free(di);
		rtm_prefix_list_free(&pl);
		return false;
	}
	for (size_t i = 0; i < NQUERIES; i++) {
		addr_uniform(&q_uni[i], family, width);
		addr_inside(&q_in[i], &pl.items[rng_next() % pl.count], width);
	}

	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof ei);
	ei.AddressFamily = (USHORT)family;
	ei.EntityId.EntityProtocolId = PROTO_IP_BGP;
	ei.EntityId.EntityInstanceId = 1;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = NULL;
	DWORD rc = RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &h);
	if (rc != NO_ERROR) {
		fprintf(stderr, "rtm-quickbench: RtmRegisterEntity(%s): error %lu\n", name,
			(unsigned long)rc);
		goto fail;
	}
	RTM_NEXTHOP_INFO nhi;
	memset(&nhi, 0, sizeof nhi);
	nhi.NextHopAddress.AddressFamily = (USHORT)family;
	nhi.NextHopAddress.NumBits = (USHORT)width;
	nhi.NextHopAddress.AddrBits[0] = width == 32 ? 192 : 0x20;
	nhi.NextHopAddress.AddrBits[width / 8 - 1] = 1;
	nhi.InterfaceIndex = 1;
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	rc = RtmAddNextHop(h, &nhi, &nh, &nf);
	if (rc != NO_ERROR) {
		fprintf(stderr, "rtm-quickbench: RtmAddNextHop: error %lu\n", (unsigned long)rc);
		RtmDeregisterEntity(h);
		goto fail;
	}

	/* --- load ------------------------------------------------------------ */
	malloc_trim(0);
	int64_t heap0 = heap_in_use(), rss0 = rss_bytes();
	double t0 = now_s();
	for (size_t i = 0; i < pl.count; i++) {
		ri->Neighbour = nh;
		ri->Flags = RTM_ROUTE_FLAGS_REMOTE;
		ri->PrefInfo.Preference = 20;
		ri->PrefInfo.Metric = 1;
		ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
		ri->NextHopsList.NumNextHops = 1;
		ri->NextHopsList.NextHops[0] = nh;
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		rc = RtmAddRouteToDest(h, NULL, &pl.items[i], ri, INFINITE, NULL, 0, NULL, &cf);
		if (rc != NO_ERROR && res->load_errors++ < 5)
			fprintf(stderr, "rtm-quickbench: RtmAddRouteToDest #%zu: error %lu\n", i,
				(unsigned long)rc);
	}
	res->load_s = now_s() - t0;
	int64_t heap1 = heap_in_use(), rss1 = rss_bytes();
	if (heap0 >= 0 && heap1 >= 0)
		res->heap_per_prefix = (double)(heap1 - heap0) / (double)pl.count;
	if (rss0 >= 0 && rss1 >= 0)
		res->rss_per_prefix = (double)(rss1 - rss0) / (double)pl.count;
	char rb[32];
	human_rate((double)pl.count / res->load_s, rb, sizeof rb);
	printf("    load %.3f s (%s routes/s)%s", res->load_s, rb,
	       res->load_errors ? "" : ", no errors");
	if (res->load_errors)
		printf(", %zu ERRORS", res->load_errors);
	printf("; memory +%.1f MiB heap, +%.1f MiB RSS\n",
	       heap0 >= 0 && heap1 >= 0 ? (double)(heap1 - heap0) / 1048576.0 : -1.0,
	       rss0 >= 0 && rss1 >= 0 ? (double)(rss1 - rss0) / 1048576.0 : -1.0);

	/* --- lookups --------------------------------------------------------- */
	res->lookups_uniform = lookup_median(h, q_uni, NQUERIES, di, min_s, runs, &res->hit_uniform,
					     &res->lookup_errors,
					     width == 32 ? "uniform:" : "uniform 2000::/3:");
	res->lookups_inside = lookup_median(h, q_in, NQUERIES, di, min_s, runs, &res->hit_inside,
					    &res->lookup_errors, "inside prefixes:");
	{
		double hit;

		lookup_median(h, q_uni, NQUERIES, NULL, min_s, runs, &hit, &res->lookup_errors,
			      "RtmxLookupRoute uniform:");
		lookup_median(h, q_in, NQUERIES, NULL, min_s, runs, &hit, &res->lookup_errors,
			      "RtmxLookupRoute inside:");
	}
	/* --- hot spot: T threads on one destination vs on their own ------------ */
	{
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		int nt = ncpu < 2 ? 2 : ncpu > 64 ? 64 : (int)ncpu;
		const size_t per = 64;
		double secs = min_s > 0.5 ? min_s / 2 : 0.5;

		res->hot_threads = nt;
		res->hot1 = hot_run(h, q_in, per, 1, true, secs, &res->lookup_errors);
		res->hotn = hot_run(h, q_in, per, nt, true, secs, &res->lookup_errors);
		res->spread1 = hot_run(h, q_in, per, 1, false, secs, &res->lookup_errors);
		res->spreadn = hot_run(h, q_in, per, nt, false, secs, &res->lookup_errors);
		char h1[32], hn[32], s1[32], sn[32];
		human_rate(res->hot1, h1, sizeof h1);
		human_rate(res->hotn, hn, sizeof hn);
		human_rate(res->spread1, s1, sizeof s1);
		human_rate(res->spreadn, sn, sizeof sn);
		printf("    hot spot, all threads on one destination: 1 thread %s/s, %d threads %s/s (x%.2f)\n",
		       h1, nt, hn, res->hotn / res->hot1);
		printf("    same, each thread on %zu destinations of its own: 1 thread %s/s, %d threads %s/s (x%.2f)\n",
		       per, s1, nt, sn, res->spreadn / res->spread1);
	}
	if (res->lookup_errors)
		printf("    %" PRIu64 " LOOKUP ERRORS (neither NO_ERROR nor ERROR_NOT_FOUND, or a failed release)\n",
		       res->lookup_errors);

	/* --- teardown -------------------------------------------------------- */
	RtmReleaseNextHops(h, 1, &nh);
	t0 = now_s();
	rc = RtmDeregisterEntity(h);
	res->deregister_s = now_s() - t0;
	printf("    deregister (drops %zu routes) %.3f s%s\n", pl.count, res->deregister_s,
	       rc == NO_ERROR ? "" : " FAILED");
	res->ok = res->load_errors == 0 && res->lookup_errors == 0 && rc == NO_ERROR;

	free(q_uni);
	free(q_in);
	free(ri);
	free(di);
	rtm_prefix_list_free(&pl);
	return true;

fail:
	free(q_uni);
	free(q_in);
	free(ri);
	free(di);
	rtm_prefix_list_free(&pl);
	return false;
}

/*
 * Runs bench_family in a child process and copies its result back through a
 * pipe. Returns false if the child failed to produce one.
 */
static bool bench_isolated(struct result *res, const char *name, unsigned family, unsigned width,
			   const char *path, double min_s, int runs)
{
	int fd[2];
	fflush(stdout);
	fflush(stderr);
	if (pipe(fd) != 0)
		return bench_family(res, name, family, width, path, min_s, runs);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return bench_family(res, name, family, width, path, min_s, runs);
	}
	if (pid == 0) {
		close(fd[0]);
		bool ok = bench_family(res, name, family, width, path, min_s, runs);
		fflush(stdout);
		fflush(stderr);
		if (ok) {
			const char *p = (const char *)res;
			size_t left = sizeof *res;
			while (left > 0) {
				ssize_t w = write(fd[1], p, left);
				if (w <= 0)
					_exit(1);
				p += w;
				left -= (size_t)w;
			}
		}
		_exit(ok ? 0 : 1);
	}
	close(fd[1]);
	size_t got = 0;
	char *p = (char *)res;
	while (got < sizeof *res) {
		ssize_t r = read(fd[0], p + got, sizeof *res - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		fprintf(stderr, "rtm-quickbench: %s benchmark killed by signal %d\n", name,
			WTERMSIG(status));
	res->family = name;   /* the child's pointer is the same string, but be explicit */
	return got == sizeof *res;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rtm-quickbench [-s SEED] [-t MIN_SECONDS] [-r RUNS] [-1] [IPV4_FILE [IPV6_FILE]]\n"
		"  Loads each table through RtmAddRouteToDest and measures single-thread\n"
		"  RtmGetMostSpecificDestination lookups. Files are prefix lists, plain or .xz;\n"
		"  \"-\" skips that family. Defaults: %s/tier1-2023-ipv{4,6}.txt.xz,\n"
		"  seed 0x%llx, 3 runs of at least 1.0 s each. Each family runs in a\n"
		"  child process of its own (clean memory figures); -1 keeps one process.\n",
		RTM_DATA_DIR, (unsigned long long)DEFAULT_SEED);
}

int main(int argc, char **argv)
{
	uint64_t seed = DEFAULT_SEED;
	double min_s = 1.0;
	int runs = 3, opt;
	bool one_process = false;
	while ((opt = getopt(argc, argv, "s:t:r:1h")) != -1) {
		char *end;
		switch (opt) {
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg) {
				usage(stderr);
				return 2;
			}
			break;
		case 't':
			min_s = strtod(optarg, &end);
			if (*end || !(min_s > 0) || min_s > 600) {
				usage(stderr);
				return 2;
			}
			break;
		case 'r':
			runs = atoi(optarg);
			if (runs < 1 || runs > 16) {
				usage(stderr);
				return 2;
			}
			break;
		case '1':
			one_process = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	const char *v4 = RTM_DATA_DIR "/tier1-2023-ipv4.txt.xz";
	const char *v6 = RTM_DATA_DIR "/tier1-2023-ipv6.txt.xz";
	if (optind < argc)
		v4 = argv[optind++];
	if (optind < argc)
		v6 = argv[optind++];
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	printf("rtm-quickbench: seed 0x%" PRIx64 ", %d run(s) of >= %.1f s per lookup kind, 1 thread\n",
	       seed, runs, min_s);

	struct result res[2];
	int nres = 0, failed = 0;
	static const struct {
		const char *name;
		unsigned family, width;
	} fams[2] = { { "IPv4", AF_INET, 32 }, { "IPv6", AF_INET6, 128 } };
	const char *paths[2] = { v4, v6 };
	for (int i = 0; i < 2; i++) {
		if (strcmp(paths[i], "-") == 0)
			continue;
		/* Each family gets its own deterministic query stream. */
		rng_state = seed + (uint64_t)i * 0x9E3779B97F4A7C15ull;
		bool got = one_process
			? bench_family(&res[nres], fams[i].name, fams[i].family, fams[i].width,
				       paths[i], min_s, runs)
			: bench_isolated(&res[nres], fams[i].name, fams[i].family, fams[i].width,
					 paths[i], min_s, runs);
		if (got)
			failed += !res[nres++].ok;
		else
			failed++;
	}
	if (nres == 0)
		return 1;

	printf("\n%-6s %9s %8s %11s %18s %18s %10s %10s %12s\n", "family", "prefixes", "load s",
	       "routes/s", "lookups/s uniform", "lookups/s inside", "B/prefix", "B/prefix",
	       "hot spot");
	printf("%-6s %9s %8s %11s %18s %18s %10s %10s %12s\n", "", "", "", "", "(found)", "(found)",
	       "(malloc)", "(RSS)", "N thr / 1");
	for (int i = 0; i < nres; i++) {
		const struct result *r = &res[i];
		char a[32], b[32], c[32], lu[48], li[48], hm[24], rs[24];
		human_rate((double)r->prefixes / r->load_s, a, sizeof a);
		human_rate(r->lookups_uniform, b, sizeof b);
		human_rate(r->lookups_inside, c, sizeof c);
		snprintf(lu, sizeof lu, "%s (%.0f%%)", b, 100.0 * r->hit_uniform);
		snprintf(li, sizeof li, "%s (%.0f%%)", c, 100.0 * r->hit_inside);
		if (r->heap_per_prefix >= 0)
			snprintf(hm, sizeof hm, "%.1f", r->heap_per_prefix);
		else
			snprintf(hm, sizeof hm, "n/a");
		if (r->rss_per_prefix >= 0)
			snprintf(rs, sizeof rs, "%.1f", r->rss_per_prefix);
		else
			snprintf(rs, sizeof rs, "n/a");
		char hs[24];
		snprintf(hs, sizeof hs, "x%.2f (%d)", r->hotn / r->hot1, r->hot_threads);
		printf("%-6s %9zu %8.3f %11s %18s %18s %10s %10s %12s%s\n", r->family, r->prefixes,
		       r->load_s, a, lu, li, hm, rs, hs, r->ok ? "" : "  (ERRORS)");
	}
	return failed ? 1 : 0;
}
