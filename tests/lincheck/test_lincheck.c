/*
 * test_lincheck.c - the linearizability checker on hand-made histories: a
 * register, the RTM specification on the patterns lin-torture is meant to
 * catch, and random histories that are linearizable by construction (with
 * one result corrupted, they must not be).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lincheck.h"
#include "rtm_spec.h"
#include "rtmv2.h"

#ifndef ERROR_NOT_FOUND
#define ERROR_NOT_FOUND 1168
#endif

/* ------------------------------------------------------------------------ */
/* A register: write(v) and read() -> v                                      */

struct reg_op {
	bool write;
	int value;
};

static bool
reg_step(const void *ctx, const void *in, const void *op_, void *out)
{
	const struct reg_op *op = op_;

	(void)ctx;
	if (op->write) {
		*(int *)out = op->value;
		return true;
	}
	*(int *)out = *(const int *)in;
	return *(const int *)in == op->value;
}

static const struct lc_spec reg_spec = {sizeof(int), reg_step};

static int
check_reg(const struct lc_call *calls, size_t n, struct lc_stats *st)
{
	int zero = 0;

	return lc_check(&reg_spec, NULL, &zero, calls, n, 0, st);
}

TEST(empty_history_is_linearizable)
{
	CHECK_EQ_U(check_reg(NULL, 0, NULL), LC_LINEARIZABLE);
}

TEST(register_stale_read_after_write_returned)
{
	struct reg_op w = {true, 1}, r = {false, 0};
	struct lc_call h[] = {{1, 2, &w}, {3, 4, &r}};
	struct lc_stats st;

	CHECK_EQ_U(check_reg(h, 2, &st), LC_VIOLATION);
	CHECK_EQ_U(st.stuck, 1);
}

TEST(register_read_overlapping_write_sees_either)
{
	struct reg_op w = {true, 1}, r0 = {false, 0}, r1 = {false, 1};
	struct lc_call old[] = {{1, 4, &w}, {2, 3, &r0}};
	struct lc_call new_[] = {{1, 4, &w}, {2, 3, &r1}};

	CHECK_EQ_U(check_reg(old, 2, NULL), LC_LINEARIZABLE);
	CHECK_EQ_U(check_reg(new_, 2, NULL), LC_LINEARIZABLE);
}

TEST(register_new_then_old_inversion)
{
	/* Both reads overlap the write, but once one saw 1 a later one cannot see 0. */
	struct reg_op w = {true, 1}, r1 = {false, 1}, r0 = {false, 0};
	struct lc_call h[] = {{1, 10, &w}, {2, 3, &r1}, {4, 5, &r0}};
	struct lc_call swapped[] = {{1, 10, &w}, {2, 3, &r0}, {4, 5, &r1}};
	struct lc_stats st;

	CHECK_EQ_U(check_reg(h, 3, &st), LC_VIOLATION);
	CHECK_EQ_U(st.stuck, 2);
	CHECK_EQ_U(check_reg(swapped, 3, NULL), LC_LINEARIZABLE);
}

TEST(register_read_of_value_never_written)
{
	struct reg_op w = {true, 1}, r = {false, 2};
	struct lc_call h[] = {{1, 4, &w}, {2, 3, &r}};

	CHECK_EQ_U(check_reg(h, 2, NULL), LC_VIOLATION);
}

TEST(register_order_needs_backtracking)
{
	/*
	 * Three concurrent writes and reads that force one order (2, 3, 1): a
	 * search that commits to the first candidate must undo it.
	 */
	struct reg_op w1 = {true, 1}, w2 = {true, 2}, w3 = {true, 3};
	struct reg_op r2 = {false, 2}, r3 = {false, 3}, r1 = {false, 1};
	struct lc_call h[] = {{1, 20, &w1}, {2, 21, &w2}, {3, 22, &w3},
			      {4, 5, &r2},  {6, 7, &r3},  {8, 9, &r1}};
	struct lc_call bad[] = {{1, 20, &w1}, {2, 21, &w2}, {3, 22, &w3},
				{4, 5, &r2},  {6, 7, &r3},  {8, 9, &r2}};

	CHECK_EQ_U(check_reg(h, 6, NULL), LC_LINEARIZABLE);
	CHECK_EQ_U(check_reg(bad, 6, NULL), LC_VIOLATION);
}

TEST(step_limit_gives_up)
{
	struct reg_op w = {true, 1}, r = {false, 1};
	struct lc_call h[] = {{1, 4, &w}, {2, 3, &r}};
	int zero = 0;

	CHECK_EQ_U(lc_check(&reg_spec, NULL, &zero, h, 2, 1, NULL), (unsigned long long)-E2BIG);
}

/* ------------------------------------------------------------------------ */
/* The RTM specification                                                     */

#define H(x) ((uint64_t)(x))

static struct rs_op
add(unsigned key, unsigned slot, uint64_t h, uint32_t pref, uint32_t metric, uint32_t flags)
{
	return (struct rs_op){.kind = RS_ADD, .key = (uint8_t)key, .slot = (uint8_t)slot,
			      .pref = pref, .metric = metric, .flags = flags, .handle = h};
}

static struct rs_op
lookup(enum rs_kind kind, unsigned key, unsigned covers, int found, unsigned n, uint64_t best)
{
	return (struct rs_op){.kind = (uint8_t)kind, .key = (uint8_t)key, .covers = (uint8_t)covers,
			      .status = found < 0 ? ERROR_NOT_FOUND : 0,
			      .found_key = found < 0 ? RS_NONE : (uint8_t)found,
			      .best_owner = best ? (uint8_t)((best & 0xf) / RS_NEIGHBOURS) : RS_NONE,
			      .num_routes = n, .best = best};
}

static int
check_rtm(const struct rs_state *init, const struct lc_call *calls, size_t n)
{
	return lc_check(&rs_spec, NULL, init, calls, n, 0, NULL);
}

/* Handles in these tests carry their slot in the low 4 bits (see lookup()). */
static void
put(struct rs_state *s, unsigned key, unsigned slot, uint32_t pref, uint32_t metric)
{
	s->r[key][slot] = (struct rs_route){0x100 * (key + 1) + slot, pref, metric};
}

TEST(rtm_add_then_lookups)
{
	struct rs_state s;
	struct rs_op a = add(1, 2, 0x202, 2, 16, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	struct rs_op e = lookup(RS_EXACT, 1, 0, 1, 1, 0x202);
	struct rs_op miss = lookup(RS_EXACT, 0, 0, -1, 0, 0);
	struct rs_op ms = lookup(RS_MOST_SPECIFIC, 0, 7, 1, 1, 0x202);
	struct lc_call h[] = {{1, 2, &a}, {3, 4, &e}, {5, 6, &miss}, {7, 8, &ms}};

	memset(&s, 0, sizeof(s));
	CHECK_EQ_U(check_rtm(&s, h, 4), LC_LINEARIZABLE);
	/* Without the BEST flag the add is wrong: the key had no best route. */
	a.flags = RTM_ROUTE_CHANGE_NEW;
	CHECK_EQ_U(check_rtm(&s, h, 4), LC_VIOLATION);
}

TEST(rtm_best_route_is_lowest_preference_then_metric)
{
	struct rs_state s;
	struct rs_op e_ok = lookup(RS_EXACT, 0, 0, 0, 3, 0x101);
	struct rs_op e_bad = lookup(RS_EXACT, 0, 0, 0, 3, 0x102);
	struct lc_call ok[] = {{1, 2, &e_ok}}, bad[] = {{1, 2, &e_bad}};

	memset(&s, 0, sizeof(s));
	put(&s, 0, 0, 2, 50);
	put(&s, 0, 1, 1, 90);
	put(&s, 0, 2, 1, 95);
	CHECK_EQ_U(rs_best(&s, 0), 1);
	CHECK_EQ_U(check_rtm(&s, ok, 1), LC_LINEARIZABLE);
	CHECK_EQ_U(check_rtm(&s, bad, 1), LC_VIOLATION);
}

TEST(rtm_route_version_seen_before_its_route_set)
{
	/*
	 * What RTM_BROKEN_PUBLISH does: during an edit that moves route A
	 * behind B, one reader sees A's new Metric, and a reader that starts
	 * after that still finds A best.
	 */
	struct rs_state s;
	struct rs_op edit = {.kind = RS_EDIT, .key = 0, .slot = 0, .handle = 0x100,
			     .old_pref = 1, .old_metric = 16, .pref = 3, .metric = 32,
			     .flags = RTM_ROUTE_CHANGE_BEST};
	struct rs_op info = {.kind = RS_ROUTE_INFO, .key = 0, .slot = 0, .handle = 0x100,
			     .pref = 3, .metric = 32};
	struct rs_op best_old = {.kind = RS_IS_BEST, .handle = 0x100, .views = 1};
	struct rs_op best_new = {.kind = RS_IS_BEST, .handle = 0x100, .views = 0};
	struct rs_op exact_old = lookup(RS_EXACT, 0, 0, 0, 2, 0x100);
	struct lc_call bad[] = {{1, 20, &edit}, {2, 3, &info}, {4, 5, &best_old}};
	struct lc_call bad2[] = {{1, 20, &edit}, {2, 3, &info}, {4, 5, &exact_old}};
	struct lc_call ok[] = {{1, 20, &edit}, {2, 3, &info}, {4, 5, &best_new}};
	struct lc_call ok2[] = {{1, 20, &edit}, {2, 3, &best_old}, {4, 5, &info}};

	memset(&s, 0, sizeof(s));
	put(&s, 0, 0, 1, 16);
	put(&s, 0, 2, 2, 18);
	CHECK_EQ_U(check_rtm(&s, bad, 3), LC_VIOLATION);
	CHECK_EQ_U(check_rtm(&s, bad2, 3), LC_VIOLATION);
	CHECK_EQ_U(check_rtm(&s, ok, 3), LC_LINEARIZABLE);
	CHECK_EQ_U(check_rtm(&s, ok2, 3), LC_LINEARIZABLE);
}

TEST(rtm_most_specific_must_hold_at_one_instant)
{
	/*
	 * key 0 and key 2 have routes; during one most-specific lookup key 1
	 * gains a route and then key 2 loses its own.  Key 2, then key 1, was
	 * the answer at every instant: key 0 never was.
	 */
	struct rs_state s;
	struct rs_op add1 = add(1, 0, 0x700, 1, 16, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	struct rs_op del2 = {.kind = RS_DELETE, .key = 2, .slot = 0, .handle = 0x300,
			     .flags = RTM_ROUTE_CHANGE_BEST};
	struct rs_op ms0 = lookup(RS_MOST_SPECIFIC, 0, 7, 0, 1, 0x100);
	struct rs_op ms1 = lookup(RS_MOST_SPECIFIC, 0, 7, 1, 1, 0x700);
	struct rs_op ms2 = lookup(RS_MOST_SPECIFIC, 0, 7, 2, 1, 0x300);
	struct lc_call h[] = {{1, 10, &ms0}, {2, 3, &add1}, {4, 5, &del2}};

	memset(&s, 0, sizeof(s));
	put(&s, 0, 0, 1, 16);
	put(&s, 2, 0, 1, 16);
	CHECK_EQ_U(check_rtm(&s, h, 3), LC_VIOLATION);
	h[0].op = &ms1;
	CHECK_EQ_U(check_rtm(&s, h, 3), LC_LINEARIZABLE);
	h[0].op = &ms2;
	CHECK_EQ_U(check_rtm(&s, h, 3), LC_LINEARIZABLE);
	/* A probe that key 2 does not cover: key 1 once it exists, key 0 before. */
	ms0.covers = ms1.covers = 3;
	h[0].op = &ms0;
	CHECK_EQ_U(check_rtm(&s, h, 3), LC_LINEARIZABLE);
}

TEST(rtm_deleted_route_reads)
{
	struct rs_state s;
	struct rs_op del = {.kind = RS_DELETE, .key = 0, .slot = 1, .handle = 0x101,
			    .flags = RTM_ROUTE_CHANGE_BEST};
	struct rs_op gone = {.kind = RS_ROUTE_INFO, .key = 0, .slot = 1, .handle = 0x101,
			     .route_state = RTM_ROUTE_STATE_DELETED};
	struct rs_op not_best = {.kind = RS_IS_BEST, .handle = 0x101, .views = 0};
	struct rs_op still_best = {.kind = RS_IS_BEST, .handle = 0x101, .views = 1};
	struct lc_call ok[] = {{1, 2, &del}, {3, 4, &gone}, {5, 6, &not_best}};
	struct lc_call bad[] = {{1, 2, &del}, {3, 4, &still_best}};

	memset(&s, 0, sizeof(s));
	put(&s, 0, 1, 1, 16);
	CHECK_EQ_U(check_rtm(&s, ok, 3), LC_LINEARIZABLE);
	CHECK_EQ_U(check_rtm(&s, bad, 2), LC_VIOLATION);
	/* Deleting a route that is not the best changes no best route. */
	put(&s, 0, 0, 1, 2);
	CHECK_EQ_U(check_rtm(&s, ok, 1), LC_VIOLATION);
	del.flags = 0;
	CHECK_EQ_U(check_rtm(&s, ok, 1), LC_LINEARIZABLE);
}

/* ------------------------------------------------------------------------ */
/* Random histories, linearizable by construction                            */

#define RAND_THREADS 8 /* 0..3 writers (their own slots), 4..7 readers */

static uint64_t rand_state = 12345;

static unsigned
rnd(unsigned n)
{
	rand_state = rand_state * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((rand_state >> 33) % n);
}

/* A random operation by thread t applied to s, with the results s gives. */
static void
random_op(struct rs_state *s, unsigned t, struct rs_op *op, uint64_t *next_handle,
	  uint32_t *counter)
{
	unsigned k = rnd(RS_KEYS);

	memset(op, 0, sizeof(*op));
	if (t < RS_WRITERS) {
		unsigned slot = t * RS_NEIGHBOURS + rnd(RS_NEIGHBOURS);
		struct rs_route *r = &s->r[k][slot];
		int before = rs_best(s, k), after;
		unsigned dice = rnd(3);

		op->key = (uint8_t)k;
		op->slot = (uint8_t)slot;
		op->pref = 1 + rnd(3);
		op->metric = ++*counter << 4 | slot;
		if (!r->handle || dice == 0) {
			op->kind = RS_ADD;
			if (!r->handle) {
				r->handle = ++*next_handle;
				op->flags = RTM_ROUTE_CHANGE_NEW;
			}
			op->handle = r->handle;
		} else if (dice == 1) {
			op->kind = RS_DELETE;
			op->handle = r->handle;
			op->pref = op->metric = 0;
		} else {
			op->kind = RS_EDIT;
			op->handle = r->handle;
			op->old_pref = r->pref;
			op->old_metric = r->metric;
		}
		if (op->kind == RS_DELETE) {
			memset(r, 0, sizeof(*r));
		} else {
			r->pref = op->pref;
			r->metric = op->metric;
		}
		after = rs_best(s, k);
		if (before != after || (op->kind != RS_DELETE && !(op->flags & RTM_ROUTE_CHANGE_NEW) &&
					after == (int)slot))
			op->flags |= RTM_ROUTE_CHANGE_BEST;
		return;
	}
	switch (rnd(3)) {
	case 0:
	case 1: {
		int found = -1, b;
		unsigned n = 0;

		op->kind = rnd(2) ? RS_EXACT : RS_MOST_SPECIFIC;
		op->key = (uint8_t)k;
		op->covers = op->kind == RS_EXACT ? 0 : (uint8_t)((2u << k) - 1);
		for (unsigned i = 0; i < RS_KEYS; i++) {
			bool has = rs_best(s, i) >= 0;

			if (has && (op->kind == RS_EXACT ? i == k : (op->covers >> i) & 1))
				found = (int)i;
		}
		op->status = found < 0 ? ERROR_NOT_FOUND : 0;
		op->found_key = op->best_owner = RS_NONE;
		if (found < 0)
			break;
		b = rs_best(s, (unsigned)found);
		for (unsigned i = 0; i < RS_SLOTS; i++)
			n += s->r[found][i].handle != 0;
		op->found_key = (uint8_t)found;
		op->num_routes = n;
		op->best = s->r[found][b].handle;
		op->best_owner = (uint8_t)(b / RS_NEIGHBOURS);
		break;
	}
	default: {
		/* route info on a random live route, or a dead handle */
		unsigned slot = rnd(RS_SLOTS);
		struct rs_route *r = &s->r[k][slot];

		op->kind = RS_ROUTE_INFO;
		op->handle = r->handle ? r->handle : 0x7fffffff;
		op->key = r->handle ? (uint8_t)k : RS_NONE;
		op->slot = r->handle ? (uint8_t)slot : RS_NONE;
		op->route_state = r->handle ? RTM_ROUTE_STATE_CREATED : RTM_ROUTE_STATE_DELETED;
		op->pref = r->pref;
		op->metric = r->metric;
		break;
	}
	}
}

/*
 * n operations applied one after the other at linearization points 1, 2, ...
 * by random threads, each stretched into an interval around its point that
 * overlaps its neighbours' but not its own thread's previous operation.
 */
static size_t
random_history(struct rs_state *init, struct rs_op *ops, struct lc_call *calls, size_t n,
	       unsigned spread)
{
	uint64_t last_res[RAND_THREADS] = {0}, next_handle = 0x1000;
	uint32_t counter = 0;
	struct rs_state s;
	size_t m = 0;

	memset(init, 0, sizeof(*init));
	s = *init;
	for (uint64_t lp = 1; m < n; lp++) {
		unsigned t = rnd(RAND_THREADS);
		uint64_t point = lp * 64 * 16, inv, res;

		if (last_res[t] >= point)
			continue; /* that thread is still inside its previous call */
		random_op(&s, t, &ops[m], &next_handle, &counter);
		/* tickets: (time << 4 | thread), so all are distinct */
		inv = (1 + rnd(spread)) * 64 * 16;
		inv = inv < point ? point - inv : 0;
		if (inv <= last_res[t])
			inv = last_res[t] + 16;
		inv = (inv & ~15ull) | t;
		res = ((point + (1 + rnd(spread)) * 64 * 16) & ~15ull) | t;
		calls[m] = (struct lc_call){inv, res, &ops[m]};
		last_res[t] = res;
		m++;
	}
	return m;
}

TEST(random_linearizable_histories_pass_and_corrupted_ones_fail)
{
	enum { N = 400, ROUNDS = 60 };
	struct rs_op *ops = calloc(N, sizeof(*ops));
	struct lc_call *calls = calloc(N, sizeof(*calls));
	struct rs_state init;
	uint64_t steps = 0;
	unsigned corrupted = 0;

	REQUIRE(ops && calls);
	for (unsigned round = 0; round < ROUNDS; round++) {
		size_t n = random_history(&init, ops, calls, N, 1 + round % 6);
		struct lc_stats st;
		size_t victim;

		CHECK_EQ_U(lc_check(&rs_spec, NULL, &init, calls, n, 0, &st), LC_LINEARIZABLE);
		CHECK_EQ_U(st.deepest, n);
		steps += st.steps;
		/* A lookup that reports an impossible route count. */
		victim = rnd((unsigned)n);
		while (ops[victim].kind != RS_EXACT && ops[victim].kind != RS_MOST_SPECIFIC)
			victim = (victim + 1) % n;
		ops[victim].num_routes = 99;
		ops[victim].status = 0;
		CHECK_EQ_U(lc_check(&rs_spec, NULL, &init, calls, n, 0, &st), LC_VIOLATION);
		corrupted++;
	}
	check_note("%u histories of %d operations, %llu search steps", ROUNDS, N,
		   (unsigned long long)steps);
	CHECK_EQ_U(corrupted, ROUNDS);
	free(ops);
	free(calls);
}

int
main(int argc, char **argv)
{
	return check_main(argc, argv);
}
