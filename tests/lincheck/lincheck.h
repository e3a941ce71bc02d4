/*
 * lincheck.h - a linearizability checker for one object's history.
 *
 * The algorithm is Wing and Gong's search, in the iterative form Lowe gave it
 * ("Testing for linearizability", 2017): walk the history's call and return
 * events in time order; at a call, try to linearize that operation now (the
 * sequential specification must accept its recorded result in the current
 * state); at a return whose operation has not been linearized yet, undo the
 * most recent choice and try the next candidate.  Every configuration reached
 * (the set of linearized operations plus the specification's state) is
 * remembered, and a configuration seen before is not explored again, which
 * keeps the search polynomial in practice for histories with a bounded number
 * of concurrent operations.
 *
 * The checker knows nothing about routes: the caller supplies the sequential
 * specification as a fixed-size state and a step function.  States are
 * compared and hashed as bytes, so a specification must keep padding and
 * unused fields zeroed.
 *
 * Linearizability is local (Herlihy and Wing): a history of independent
 * objects is linearizable if and only if each object's sub-history is, so the
 * caller splits its recording per object and checks each piece on its own.
 */
#ifndef RTM_LINCHECK_H
#define RTM_LINCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sequential specification of one object. */
struct lc_spec {
	size_t state_size;
	/*
	 * Apply op, whose result was recorded, to state in and write the next
	 * state to out (out never aliases in).  Return false if the object in
	 * state in could not have given that result.
	 */
	bool (*step)(const void *ctx, const void *in, const void *op, void *out);
};

/*
 * One completed operation.  inv is taken before the call and res after it
 * returned, from one clock whose values are all distinct (a global ticket):
 * a.res < b.inv means a returned before b was invoked.
 */
struct lc_call {
	uint64_t inv, res;
	const void *op;
};

struct lc_stats {
	uint64_t steps;       /* step() calls */
	uint64_t configs;     /* distinct configurations remembered */
	size_t deepest;       /* most operations linearized at once */
	size_t stuck;         /* when not linearizable: index (in calls) of an
				 operation that could not be placed at the deepest
				 point of the search (its return was reached first) */
};

#define LC_LINEARIZABLE 1
#define LC_VIOLATION 0

/*
 * Is the history calls[0..n) linearizable from state init?  Returns
 * LC_LINEARIZABLE, LC_VIOLATION, -ENOMEM, or -E2BIG when the search took
 * more than max_steps step() calls (0: no limit).  stats may be NULL.
 */
int lc_check(const struct lc_spec *spec, const void *ctx, const void *init,
	     const struct lc_call *calls, size_t n, uint64_t max_steps, struct lc_stats *stats);

#endif
