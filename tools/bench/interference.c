/*
 * interference.c - the writer thread of rtm-bench's mixed phase, made to
 * do one thing at a time, so that a reader's slowdown under churn can be
 * taken apart (`--mixed-probe`; findings in README.md here):
 *
 *   spin           keeps its CPU busy without touching memory: what a busy
 *                  sibling CPU costs by itself (shared core, host scheduling);
 *   stream         random 8-byte writes over a private buffer larger than
 *                  the last-level cache: what losing cache and memory
 *                  bandwidth to the other CPU costs;
 *   grace periods  urcu_memb_synchronize_rcu() back to back, no data
 *                  changed: what librtm's deferred frees cost the reader
 *                  through liburcu alone (the memb flavour's grace period
 *                  runs sys_membarrier, which interrupts every CPU running
 *                  a thread of the process).
 *
 * Each runs until *stop and returns its operations per second.
 */
#define _GNU_SOURCE 1

#include "bench.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu/urcu-memb.h>

double bench_interfere_spin(atomic_bool *stop)
{
	uint64_t n = 0;
	volatile uint64_t x = 1;
	double t0 = bench_now_s();
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		for (int k = 0; k < 4096; k++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
		n += 4096;
	}
	return (double)n / (bench_now_s() - t0);
}

/* The stream's buffer: touched once when made, so that no pass pays its page faults. */
static uint64_t *stream_buf;
static size_t stream_words;

int bench_interfere_stream_prepare(size_t bytes)
{
	if (stream_buf)
		return 0;
	stream_words = bytes / sizeof(uint64_t);
	stream_buf = malloc(stream_words * sizeof *stream_buf);
	if (!stream_buf)
		return -1;
	memset(stream_buf, 1, stream_words * sizeof *stream_buf);
	return 0;
}

void bench_interfere_stream_release(void)
{
	free(stream_buf);
	stream_buf = NULL;
}

double bench_interfere_stream(atomic_bool *stop)
{
	if (!stream_buf)
		return -1;
	uint64_t n = 0, s = 0x9E3779B97F4A7C15ull;
	double t0 = bench_now_s();
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		for (int k = 0; k < 4096; k++) {
			s ^= s << 13;
			s ^= s >> 7;
			s ^= s << 17;
			stream_buf[s % stream_words] += s;
		}
		n += 4096;
	}
	return (double)n / (bench_now_s() - t0);
}

double bench_interfere_grace_periods(atomic_bool *stop)
{
	uint64_t n = 0;
	double t0 = bench_now_s();
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		urcu_memb_synchronize_rcu();
		n++;
	}
	return (double)n / (bench_now_s() - t0);
}

struct call_rcu_data *bench_own_call_rcu_begin(int cpu)
{
	/*
	 * liburcu's worker moves itself to cpu only every 256 batches; until
	 * then it keeps the mask it inherited: create it from cpu.
	 */
	cpu_set_t mine, there;
	if (sched_getaffinity(0, sizeof mine, &mine) != 0)
		return NULL;
	CPU_ZERO(&there);
	CPU_SET(cpu, &there);
	if (sched_setaffinity(0, sizeof there, &there) != 0)
		return NULL;
	struct call_rcu_data *crd = urcu_memb_create_call_rcu_data(0, cpu);
	if (sched_setaffinity(0, sizeof mine, &mine) != 0 && crd) {
		urcu_memb_call_rcu_data_free(crd);
		return NULL;
	}
	if (crd)
		urcu_memb_set_thread_call_rcu_data(crd);
	return crd;
}

void bench_own_call_rcu_end(struct call_rcu_data *crd)
{
	if (!crd)
		return;
	urcu_memb_set_thread_call_rcu_data(NULL);
	urcu_memb_call_rcu_data_free(crd);   /* hands what is still queued to the default thread */
}
