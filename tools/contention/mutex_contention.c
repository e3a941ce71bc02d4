/*
 * mutex_contention.so - which pthread mutexes two threads fight over.
 *
 * An LD_PRELOAD shim: every pthread_mutex_lock() first tries the lock; the
 * calls are counted per call site (the return address), and those that found
 * the mutex taken are counted as contended.  At exit it prints the sites
 * called more than 1000 times as "object offset total contended"; turn the
 * offset into a source line with addr2line:
 *
 *   cc -O2 -shared -fPIC -o /tmp/mutex_contention.so tools/contention/mutex_contention.c -ldl
 *   LD_PRELOAD=/tmp/mutex_contention.so build/ci/tools/rtm-sharescale -r 1 2>&1 |
 *     awk '/^mutex_contention/ {print $2, $3, $5, $7}' |
 *     while read obj off total cont; do
 *       echo "$total $cont $(addr2line -f -i -e "$obj" "$off" | tr '\n' ' ')"; done
 *
 * Used for issue #4: with two writers loading, slab_alloc's lock was found
 * taken on about 10% of adds, the handle table's free_lock on 10% of refills.
 * Counting costs a shared atomic per call: use it to find contention, never
 * to time anything.  Not built by CMake (it is a debugging aid).
 */
#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#define SITES 256

static struct {
	_Atomic(void *) caller;
	atomic_long total, contended;
} sites[SITES];

static int (*real_lock)(pthread_mutex_t *);
static int (*real_trylock)(pthread_mutex_t *);

int
pthread_mutex_lock(pthread_mutex_t *m)
{
	void *caller = __builtin_return_address(0);
	unsigned h = (unsigned)(((uintptr_t)caller >> 2) % SITES);

	if (!real_lock) {
		real_lock = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_lock");
		real_trylock = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, "pthread_mutex_trylock");
	}
	for (unsigned i = 0; i < SITES; i++, h = (h + 1) % SITES) {
		void *empty = NULL;

		if (atomic_load(&sites[h].caller) == caller ||
		    atomic_compare_exchange_strong(&sites[h].caller, &empty, caller) ||
		    empty == caller)
			break;
	}
	atomic_fetch_add(&sites[h].total, 1);
	if (real_trylock(m) == 0)
		return 0;
	atomic_fetch_add(&sites[h].contended, 1);
	return real_lock(m);
}

__attribute__((destructor)) static void
report(void)
{
	for (unsigned i = 0; i < SITES; i++) {
		Dl_info di;
		void *caller = atomic_load(&sites[i].caller);

		if (!caller || atomic_load(&sites[i].total) <= 1000 || !dladdr(caller, &di))
			continue;
		fprintf(stderr, "mutex_contention %s %#lx total %ld contended %ld\n", di.dli_fname,
			(unsigned long)((char *)caller - (char *)di.dli_fbase),
			atomic_load(&sites[i].total), atomic_load(&sites[i].contended));
	}
}
