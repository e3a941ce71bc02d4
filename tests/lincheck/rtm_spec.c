/*
 * rtm_spec.c - the sequential RTMv2 semantics lin-torture uses (rtm_spec.h).
 *
 * Each step accepts exactly the results SEMANTICS.md allows for the call in
 * the given state: §5 for adds, deletes, the change flags, RtmGetRouteInfo and
 * RtmIsBestRoute, §6 for the in-place edit, §8 for the lookups.
 */
#include <stdio.h>
#include <string.h>

#include "rtmv2.h"
#include "rtm_spec.h"


int
rs_best(const struct rs_state *s, unsigned key)
{
	int best = -1;

	for (int i = 0; i < RS_SLOTS; i++) {
		const struct rs_route *r = &s->r[key][i];

		if (!r->handle)
			continue;
		if (best < 0 || r->pref < s->r[key][best].pref ||
		    (r->pref == s->r[key][best].pref && r->metric < s->r[key][best].metric))
			best = i;
	}
	return best;
}

static unsigned
count_routes(const struct rs_state *s, unsigned key)
{
	unsigned n = 0;

	for (int i = 0; i < RS_SLOTS; i++)
		n += s->r[key][i].handle != 0;
	return n;
}

/* The route whose handle is h, or false when no live route has it. */
static bool
find_handle(const struct rs_state *s, uint64_t h, unsigned *key, unsigned *slot)
{
	for (unsigned k = 0; k < RS_KEYS; k++) {
		for (unsigned i = 0; i < RS_SLOTS; i++) {
			if (s->r[k][i].handle == h) {
				*key = k;
				*slot = i;
				return true;
			}
		}
	}
	return false;
}

/*
 * RTM_ROUTE_CHANGE_BEST: the best route changed, or (for an update, which
 * always changes the Metric here) the updated route is the best afterwards.
 */
static bool
best_flag_ok(const struct rs_op *op, int before, int after, bool updated)
{
	bool want = before != after || (updated && after == op->slot);

	return !!(op->flags & RTM_ROUTE_CHANGE_BEST) == want;
}

/* What a lookup that found key k must report. */
static bool
lookup_ok(const struct rs_state *s, const struct rs_op *op, int k)
{
	int b;

	if (k < 0)
		return op->status == ERROR_NOT_FOUND;
	b = rs_best(s, (unsigned)k);
	return op->status == NO_ERROR && op->found_key == k &&
	       op->num_routes == count_routes(s, (unsigned)k) &&
	       op->best == s->r[k][b].handle && op->best_owner == b / RS_NEIGHBOURS;
}

static bool
rs_step(const void *ctx, const void *in_, const void *op_, void *out_)
{
	const struct rs_state *in = in_;
	const struct rs_op *op = op_;
	struct rs_state *out = out_;
	struct rs_route *r = op->key < RS_KEYS && op->slot < RS_SLOTS ?
				     &out->r[op->key][op->slot] : NULL;
	int before = op->key < RS_KEYS ? rs_best(in, op->key) : -1;
	unsigned k, i;

	(void)ctx;
	*out = *in;
	if (op->kind <= RS_EDIT && !r)
		return false;
	switch (op->kind) {
	case RS_ADD: {
		bool created = !r->handle;

		if (op->status != NO_ERROR || !op->handle)
			return false;
		if (op->flags & ~(DWORD)(RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST))
			return false;
		if (!!(op->flags & RTM_ROUTE_CHANGE_NEW) != created)
			return false;
		if (!created && r->handle != op->handle)
			return false;
		*r = (struct rs_route){op->handle, op->pref, op->metric};
		return best_flag_ok(op, before, rs_best(out, op->key), !created);
	}
	case RS_DELETE:
		if (op->status != NO_ERROR || !r->handle || r->handle != op->handle)
			return false;
		if (op->flags & ~(DWORD)RTM_ROUTE_CHANGE_BEST)
			return false;
		memset(r, 0, sizeof(*r));
		return best_flag_ok(op, before, rs_best(out, op->key), false);
	case RS_EDIT:
		if (op->status != NO_ERROR || !r->handle || r->handle != op->handle)
			return false;
		if (r->pref != op->old_pref || r->metric != op->old_metric)
			return false;
		if (op->flags & ~(DWORD)RTM_ROUTE_CHANGE_BEST)
			return false;
		r->pref = op->pref;
		r->metric = op->metric;
		return best_flag_ok(op, before, rs_best(out, op->key), true);
	case RS_EXACT:
		return lookup_ok(in, op, count_routes(in, op->key) ? op->key : -1);
	case RS_MOST_SPECIFIC: {
		int found = -1;

		for (k = 0; k < RS_KEYS; k++) {
			if ((op->covers & (1u << k)) && count_routes(in, k))
				found = (int)k;
		}
		return lookup_ok(in, op, found);
	}
	case RS_ROUTE_INFO:
		if (op->status != NO_ERROR)
			return false;
		if (!find_handle(in, op->handle, &k, &i))
			return op->route_state == RTM_ROUTE_STATE_DELETED;
		return op->route_state == RTM_ROUTE_STATE_CREATED && op->key == k &&
		       op->slot == i && op->pref == in->r[k][i].pref &&
		       op->metric == in->r[k][i].metric;
	case RS_IS_BEST:
		if (op->status != NO_ERROR)
			return false;
		if (find_handle(in, op->handle, &k, &i) && rs_best(in, k) == (int)i)
			return op->views == RTM_VIEW_MASK_UCAST;
		return op->views == 0;
	}
	return false;
}

const struct lc_spec rs_spec = {
	.state_size = sizeof(struct rs_state),
	.step = rs_step,
};

void
rs_format(char *buf, size_t len, const struct rs_op *op)
{
	static const char *const names[] = {"add", "delete", "edit", "exact", "most-specific",
					    "route-info", "is-best"};
	const char *name = op->kind < sizeof(names) / sizeof(names[0]) ? names[op->kind] : "?";

	switch (op->kind) {
	case RS_ADD:
	case RS_DELETE:
	case RS_EDIT:
		snprintf(buf, len,
			 "%s key %u slot %u route %#llx pref %u metric %u (was %u/%u) -> %u flags %#x",
			 name, op->key, op->slot, (unsigned long long)op->handle, op->pref,
			 op->metric, op->old_pref, op->old_metric, op->status, op->flags);
		break;
	case RS_EXACT:
	case RS_MOST_SPECIFIC:
		snprintf(buf, len,
			 "%s key %u covers %#x -> %u found %d routes %u best %#llx owner %d", name,
			 op->key, op->covers, op->status,
			 op->found_key == RS_NONE ? -1 : op->found_key, op->num_routes,
			 (unsigned long long)op->best,
			 op->best_owner == RS_NONE ? -1 : op->best_owner);
		break;
	default:
		snprintf(buf, len,
			 "%s route %#llx -> %u key %d slot %d state %u pref %u metric %u views %#x",
			 name, (unsigned long long)op->handle, op->status,
			 op->key == RS_NONE ? -1 : op->key, op->slot == RS_NONE ? -1 : op->slot,
			 op->route_state, op->pref, op->metric, op->views);
		break;
	}
}
