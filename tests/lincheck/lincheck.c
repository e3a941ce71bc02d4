/*
 * lincheck.c - Wing-Gong-Lowe linearizability search (see lincheck.h).
 *
 * The events live in a doubly linked list in time order.  Linearizing an
 * operation ("lifting") unlinks its call and its return; undoing it links
 * them back, in reverse order, so the list returns to exactly its earlier
 * shape.  The stack holds, for each lifted operation, its call event and
 * the state before it.  The memo is an open-addressing hash set of
 * (bitset of linearized operations, state) byte strings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck.h"

struct event {
	uint64_t t;
	uint32_t op;   /* index in calls */
	bool is_call;
};

struct memo {
	size_t keylen;
	size_t cap, used;  /* slots in the table, configurations stored */
	uint32_t *slot;    /* 1 + index of the key in the arena, 0 = empty */
	uint64_t *hash;
	unsigned char *arena;
	size_t arena_cap;
};

static uint64_t
hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

static int
memo_grow(struct memo *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 4096;
	uint32_t *ns = calloc(ncap, sizeof(*ns));
	uint64_t *nh = calloc(ncap, sizeof(*nh));

	if (!ns || !nh) {
		free(ns);
		free(nh);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->slot[i])
			continue;
		for (j = m->hash[i] & (ncap - 1); ns[j]; j = (j + 1) & (ncap - 1))
			;
		ns[j] = m->slot[i];
		nh[j] = m->hash[i];
	}
	free(m->slot);
	free(m->hash);
	m->slot = ns;
	m->hash = nh;
	m->cap = ncap;
	return 0;
}

/* Add key; 1 if it is new, 0 if it was there, -ENOMEM. */
static int
memo_insert(struct memo *m, const unsigned char *key)
{
	uint64_t h = hash_bytes(key, m->keylen);
	size_t j;

	if ((m->used + 1) * 2 > m->cap && memo_grow(m))
		return -ENOMEM;
	for (j = h & (m->cap - 1); m->slot[j]; j = (j + 1) & (m->cap - 1)) {
		if (m->hash[j] == h &&
		    !memcmp(m->arena + (size_t)(m->slot[j] - 1) * m->keylen, key, m->keylen))
			return 0;
	}
	if ((m->used + 1) * m->keylen > m->arena_cap) {
		size_t ncap = m->arena_cap ? m->arena_cap * 2 : 64 * m->keylen;
		unsigned char *na = realloc(m->arena, ncap);

		if (!na)
			return -ENOMEM;
		m->arena = na;
		m->arena_cap = ncap;
	}
	if (m->used >= UINT32_MAX - 1)
		return -ENOMEM;
	memcpy(m->arena + m->used * m->keylen, key, m->keylen);
	m->slot[j] = (uint32_t)++m->used;
	m->hash[j] = h;
	return 1;
}

static void
memo_free(struct memo *m)
{
	free(m->slot);
	free(m->hash);
	free(m->arena);
}

static int
event_cmp(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

int
lc_check(const struct lc_spec *spec, const void *ctx, const void *init,
	 const struct lc_call *calls, size_t n, uint64_t max_steps, struct lc_stats *stats)
{
	size_t nev = 2 * n, words = (n + 63) / 64, ss = spec->state_size;
	size_t keylen = words * 8 + ss, depth = 0, stuck_depth = 0;
	struct event *ev = malloc((nev + 1) * sizeof(*ev));
	/* list nodes: 0 is the head, event i is node i + 1 */
	uint32_t *next = malloc((nev + 2) * sizeof(*next));
	uint32_t *prev = malloc((nev + 2) * sizeof(*prev));
	uint32_t *ret_node = malloc((n + 1) * sizeof(*ret_node));
	uint32_t *stack_node = malloc((n + 1) * sizeof(*stack_node));
	unsigned char *states = malloc((n + 1) * ss + 1);
	unsigned char *key = calloc(1, keylen + 1);
	unsigned char *cand = malloc(ss + 1);
	struct lc_stats st = {0};
	struct memo m = {.keylen = keylen};
	uint64_t *bits = (uint64_t *)(void *)key; /* the key starts with the bitset */
	unsigned char *state = key + words * 8;
	int rc = -ENOMEM;
	uint32_t node;

	if (!ev || !next || !prev || !ret_node || !stack_node || !states || !key || !cand)
		goto out;
	for (size_t i = 0; i < n; i++) {
		ev[2 * i] = (struct event){calls[i].inv, (uint32_t)i, true};
		ev[2 * i + 1] = (struct event){calls[i].res, (uint32_t)i, false};
	}
	qsort(ev, nev, sizeof(*ev), event_cmp);
	for (size_t i = 0; i <= nev; i++) {
		next[i] = i < nev ? (uint32_t)(i + 1) : 0;
		prev[i + 1] = (uint32_t)i;
		if (i < nev && !ev[i].is_call)
			ret_node[ev[i].op] = (uint32_t)(i + 1);
	}
	prev[0] = 0;
	memcpy(state, init, ss);

	node = next[0];
	while (next[0]) {
		struct event *e = &ev[node - 1];

		if (e->is_call) {
			st.steps++;
			if (max_steps && st.steps > max_steps) {
				rc = -E2BIG;
				goto out;
			}
			if (spec->step(ctx, state, calls[e->op].op, cand)) {
				int fresh;

				/* Try the configuration with e->op linearized. */
				memcpy(states + depth * ss, state, ss);
				memcpy(state, cand, ss);
				bits[e->op / 64] |= 1ull << (e->op % 64);
				fresh = memo_insert(&m, key);
				if (fresh < 0)
					goto out;
				if (fresh) {
					uint32_t r = ret_node[e->op];

					stack_node[depth++] = node;
					if (depth > st.deepest)
						st.deepest = depth;
					/* lift: unlink the call, then its return */
					next[prev[node]] = next[node];
					prev[next[node]] = prev[node];
					next[prev[r]] = next[r];
					prev[next[r]] = prev[r];
					node = next[0];
					continue;
				}
				bits[e->op / 64] &= ~(1ull << (e->op % 64));
				memcpy(state, states + depth * ss, ss);
			}
			node = next[node];
		} else {
			uint32_t c, r;

			/* e->op must have taken effect by now, and it cannot. */
			if (depth >= stuck_depth) {
				stuck_depth = depth;
				st.stuck = e->op;
			}
			if (!depth) {
				rc = LC_VIOLATION;
				goto out;
			}
			c = stack_node[--depth];
			r = ret_node[ev[c - 1].op];
			bits[ev[c - 1].op / 64] &= ~(1ull << (ev[c - 1].op % 64));
			memcpy(state, states + depth * ss, ss);
			/* unlift in reverse order: the return, then the call */
			next[prev[r]] = r;
			prev[next[r]] = r;
			next[prev[c]] = c;
			prev[next[c]] = c;
			node = next[c];
		}
	}
	rc = LC_LINEARIZABLE;
out:
	st.configs = m.used;
	if (stats)
		*stats = st;
	memo_free(&m);
	free(ev);
	free(next);
	free(prev);
	free(ret_node);
	free(stack_node);
	free(states);
	free(key);
	free(cand);
	return rc;
}
