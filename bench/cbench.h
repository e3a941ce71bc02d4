/*
 * cbench.h - Google Benchmark for C: the interface that bench/shim.cc puts
 * in front of benchmark::State, so that the micro-benchmarks themselves are
 * C11 like the rest of the project.
 *
 * A benchmark is a function taking the state handle:
 *
 *	static void lock_pair(cbench_state *st)
 *	{
 *		... set-up, not timed ...
 *		while (cbench_keep_running(st))
 *			... one iteration ...
 *		cbench_set_items_processed(st, cbench_iterations(st));
 *	}
 *	CBENCH_REGISTER(lock_pair, "locks/route_shared", .threads = CBENCH_THREADS_ALL_CPUS)
 *
 * CBENCH_REGISTER runs before main (a constructor, as Google Benchmark's own
 * BENCHMARK macro is a static initialiser), so a C file registers its
 * benchmarks just by being linked in.  With threads > 1 the function runs on
 * that many threads at once; cbench_thread_index tells them apart, and code
 * before the loop is not timed.
 */
#ifndef RTM_CBENCH_H
#define RTM_CBENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cbench_state cbench_state;   /* a benchmark::State, opaque to C */
typedef void (*cbench_fn)(cbench_state *st);

/* The timed loop: true while more iterations are wanted. */
bool cbench_keep_running(cbench_state *st);
/* Timing stops and starts again around work that must not count (costly: not per iteration). */
void cbench_pause(cbench_state *st);
void cbench_resume(cbench_state *st);
int64_t cbench_iterations(const cbench_state *st);
/* Argument i of this run (see cbench_opts.args). */
int64_t cbench_arg(const cbench_state *st, int i);
int cbench_thread_index(const cbench_state *st);
int cbench_threads(const cbench_state *st);
/* items/s in the report (summed over threads). */
void cbench_set_items_processed(cbench_state *st, int64_t items);
/* A named figure in the report: a plain value, or a rate (value / run time). */
enum cbench_counter_kind { CBENCH_VALUE, CBENCH_RATE, CBENCH_THREAD_AVERAGE };
void cbench_counter(cbench_state *st, const char *name, double value, enum cbench_counter_kind kind);
void cbench_label(cbench_state *st, const char *label);
/* Marks the run failed with msg; the function must then return without entering the loop again. */
void cbench_error(cbench_state *st, const char *msg);

#define CBENCH_MAX_ARGS 4
#define CBENCH_THREADS_ALL_CPUS (-1)   /* 1, 2, 4, ... up to the number of CPUs */

struct cbench_opts {
	/* Runs once per value of arg0 (each with arg0 only), or once with no args if nargs == 0. */
	int64_t args[CBENCH_MAX_ARGS];
	int nargs;
	const char *arg_name;   /* shown in the run's name ("family:4"); NULL: the bare value */
	int threads;            /* 0 or 1: one thread; n: exactly n; CBENCH_THREADS_ALL_CPUS */
	bool real_time;         /* wall clock instead of the main thread's CPU time */
};

/* Registers fn under name; for CBENCH_REGISTER, but callable before main too. */
void cbench_register(const char *name, cbench_fn fn, const struct cbench_opts *opts);

#define CBENCH_REGISTER(fn, name, ...)						\
	__attribute__((constructor)) static void cbench_register_##fn(void)	\
	{									\
		const struct cbench_opts o = { __VA_ARGS__ };			\
		cbench_register(name, fn, &o);					\
	}

#ifdef __cplusplus
}
#endif

#endif /* RTM_CBENCH_H */
