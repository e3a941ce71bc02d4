/*
 * memlat.h - the cost of a random load from a big working set (memlat.c),
 * reported by rtm-bench with the machine.
 */
#ifndef RTM_BENCH_MEMLAT_H
#define RTM_BENCH_MEMLAT_H

#include <stddef.h>
#include <stdint.h>

struct bench_memlat {
	size_t bytes;        /* working set actually used (a power of two) */
	int chains;          /* independent chains of the parallel figure */
	double dependent_ns; /* ns per load when each waits for the last */
	double parallel_ns;  /* ns per load with `chains` chains interleaved */
	uint64_t sink;       /* keeps the loads from being optimised away */
};

/* Measures both figures over (at most) bytes of memory; -1 if out of memory. */
int bench_memlat_measure(size_t bytes, struct bench_memlat *out);

#endif
