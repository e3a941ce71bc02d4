// shim.cc - the only C++ of the micro-benchmarks: cbench.h's functions on top
// of Google Benchmark, and main().  Everything measured is in the C files.

#include <benchmark/benchmark.h>

#include <string>
#include <thread>

#include "cbench.h"

namespace {

benchmark::State &S(cbench_state *st)
{
	return *reinterpret_cast<benchmark::State *>(st);
}

const benchmark::State &S(const cbench_state *st)
{
	return *reinterpret_cast<const benchmark::State *>(st);
}

} // namespace

extern "C" {

bool cbench_keep_running(cbench_state *st)
{
	return S(st).KeepRunning();
}

void cbench_pause(cbench_state *st)
{
	S(st).PauseTiming();
}

void cbench_resume(cbench_state *st)
{
	S(st).ResumeTiming();
}

int64_t cbench_iterations(const cbench_state *st)
{
	return static_cast<int64_t>(S(st).iterations());
}

int64_t cbench_arg(const cbench_state *st, int i)
{
	return S(st).range(i);
}

int cbench_thread_index(const cbench_state *st)
{
	return S(st).thread_index();
}

int cbench_threads(const cbench_state *st)
{
	return S(st).threads();
}

void cbench_set_items_processed(cbench_state *st, int64_t items)
{
	S(st).SetItemsProcessed(items);
}

void cbench_counter(cbench_state *st, const char *name, double value, enum cbench_counter_kind kind)
{
	benchmark::Counter::Flags f = benchmark::Counter::kDefaults;
	if (kind == CBENCH_RATE)
		f = benchmark::Counter::kIsRate;
	else if (kind == CBENCH_THREAD_AVERAGE)
		f = benchmark::Counter::kAvgThreads;
	S(st).counters[name] = benchmark::Counter(value, f);
}

void cbench_label(cbench_state *st, const char *label)
{
	S(st).SetLabel(label);
}

void cbench_error(cbench_state *st, const char *msg)
{
	S(st).SkipWithError(msg);
}

void cbench_register(const char *name, cbench_fn fn, const struct cbench_opts *o)
{
	auto *b = benchmark::RegisterBenchmark(name, [fn](benchmark::State &st) {
		fn(reinterpret_cast<cbench_state *>(&st));
	});
	if (o->arg_name)
		b->ArgName(o->arg_name);
	for (int i = 0; i < o->nargs && i < CBENCH_MAX_ARGS; i++)
		b->Arg(o->args[i]);
	if (o->threads == CBENCH_THREADS_ALL_CPUS) {
		int cpus = static_cast<int>(std::thread::hardware_concurrency());
		b->ThreadRange(1, cpus > 1 ? cpus : 1);
	} else if (o->threads > 1) {
		b->Threads(o->threads);
	}
	if (o->real_time || o->threads > 1 || o->threads == CBENCH_THREADS_ALL_CPUS)
		b->UseRealTime();
}

} // extern "C"

int main(int argc, char **argv)
{
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::AddCustomContext("librtm_tables", RTM_CBENCH_DATA_DIR);
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
