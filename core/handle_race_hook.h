/*
 * A test hook into the ledger protocol of core/handle.c: a function the
 * handle table calls at two points of its slow paths where a test needs to
 * stop one thread and let another run, so that an interleaving that the
 * scheduler gives only now and then (a thread exiting while another kills an
 * object it has ledger references on) happens on every run.
 *
 * For tests only (tests/unit/test_handle_ledger.c); librtm.so does not
 * export it (core/librtm.map), so it is reached through rtm::internal.
 *
 * Cost when unset (the default): one relaxed load and a branch that is never
 * taken, in ledgers_collect() (handle_kill of an object counted in ledgers,
 * which then visits every thread's ledger) and in handle_thread_exit() (once
 * per non-empty ledger entry of an exiting thread).  Nothing on the
 * handle_get/handle_ref/handle_put paths.
 *
 * Concurrency: set it while no other thread uses the handle table's ledgers
 * (before starting the threads of a test, and back to NULL after joining
 * them); it is read with relaxed loads.  The hook runs on the thread that
 * reached the point, where handle.c holds no lock and no RCU read-side
 * section (its caller's own are its caller's business), so it may block
 * waiting for another thread.
 */
#ifndef RTM_HANDLE_RACE_HOOK_H
#define RTM_HANDLE_RACE_HOOK_H

#include <stdint.h>

enum handle_race_point {
	/* handle_kill/handle_kill_put of an object counted in ledgers: W_LEDGER
	 * was just cleared (W_KILLED set), no ledger visited yet. */
	HANDLE_RACE_KILL_CLEARED,
	/* handle_thread_exit: the exiting thread has read a non-empty entry of
	 * its ledger for index and not yet moved it anywhere. */
	HANDLE_RACE_EXIT_ENTRY,
};

/* Called with the point reached and the slot index concerned. */
typedef void (*handle_race_hook)(enum handle_race_point where, uint32_t index);

/* Install hook (NULL: none, the default). */
void handle_set_race_hook(handle_race_hook hook);

#endif
