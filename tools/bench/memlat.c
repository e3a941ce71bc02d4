/*
 * memlat.c - what a cache miss to a big working set costs on this machine.
 *
 * Every lookup rtm-bench times walks structures of tens to hundreds of
 * megabytes, so its rate is mostly a count of misses times their cost; on a
 * virtual machine that cost (with nested page walks) can be several times a
 * bare-metal DRAM access.  This measures it once per run, so that a reader of
 * the report can turn rates into misses per lookup and compare machines:
 *
 *   dependent  each load's address comes from the previous load's value:
 *              the latency of one miss, nothing overlapped
 *   parallel   MEMLAT_CHAINS such chains interleaved: how far the core
 *              overlaps independent misses (what a lookup loop gains when
 *              one call's misses do not wait for the previous call's)
 *
 * The next index is the loaded word mixed with the step number, so the chain
 * neither repeats nor can be predicted, and the buffer is filled with random
 * words in one sequential pass (a shuffled permutation would take seconds
 * of misses to build).  Each measurement runs for a fixed time, not count.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "memlat.h"

#define MEMLAT_CHAINS 8
#define MEMLAT_SECONDS 0.25
#define MEMLAT_STEP 4096 /* loads per clock read */

static inline uint64_t
mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	return x;
}

/* ns per load with `chains` independent chains over words[0..mask]. */
static double
chase(const uint64_t *words, uint64_t mask, int chains, uint64_t *sink)
{
	uint64_t p[MEMLAT_CHAINS];
	uint64_t loads = 0, step = 0;
	double t0 = bench_now_s(), t;

	for (int c = 0; c < chains; c++)
		p[c] = mix((uint64_t)c + 1) & mask;
	do {
		for (int i = 0; i < MEMLAT_STEP; i++, step++)
			for (int c = 0; c < chains; c++)
				p[c] = (words[p[c]] ^ mix(step)) & mask;
		loads += (uint64_t)MEMLAT_STEP * (uint64_t)chains;
		t = bench_now_s();
	} while (t - t0 < MEMLAT_SECONDS);
	for (int c = 0; c < chains; c++)
		*sink += p[c];
	return (t - t0) * 1e9 / (double)loads;
}

int
bench_memlat_measure(size_t bytes, struct bench_memlat *out)
{
	size_t lines = 1;
	uint64_t *words, sink = 0, x = 0x9E3779B97F4A7C15ull;

	memset(out, 0, sizeof *out);
	while (lines * 2 * 64 <= bytes)
		lines *= 2;
	/* one word per cache line is read: index by line, store at line * 8 */
	words = aligned_alloc(64, lines * 64);
	if (!words)
		return -1;
	for (size_t i = 0; i < lines; i++) {
		x = mix(x + i);
		for (int w = 0; w < 8; w++)
			words[i * 8 + (size_t)w] = (x & (lines - 1)) * 8;
	}
	/* words[] holds word indices that are multiples of 8: mask keeps them so */
	uint64_t mask = (lines - 1) * 8;

	out->bytes = lines * 64;
	out->chains = MEMLAT_CHAINS;
	out->dependent_ns = chase(words, mask, 1, &sink);
	out->parallel_ns = chase(words, mask, MEMLAT_CHAINS, &sink);
	out->sink = sink;
	free(words);
	return 0;
}
