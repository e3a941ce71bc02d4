/*
 * refmodel.c - the reference model of api_seq (see refmodel.h). Written to
 * be obviously right rather than fast: every question is answered by a scan
 * of the arrays.
 */
#include "refmodel.h"

#include <string.h>

/*
 * Nested prefixes (a chain 0/0 > 10/8 > 10.0/16 > 10.0.0/24 > 10.0.0.1/32),
 * siblings, a /1, a /25 and host routes at both ends of the space.
 */
const struct m_prefix m_prefixes[M_PREFIXES] = {
	{ 0x00000000u, 0 },  { 0x0a000000u, 8 },  { 0x0a000000u, 16 }, { 0x0a000000u, 24 },
	{ 0x0a000001u, 32 }, { 0x0a010000u, 16 }, { 0x0a010200u, 24 }, { 0x0a800000u, 9 },
	{ 0x0b000000u, 8 },  { 0x80000000u, 1 },  { 0xc0a80000u, 16 }, { 0xc0a80100u, 24 },
	{ 0xc0a80180u, 25 }, { 0xc0a801ffu, 32 }, { 0xffffffffu, 32 }, { 0x00000000u, 32 },
};

const uint32_t m_nh_addr[M_NH_KEYS] = { 0x0a000001u, 0x0a000001u, 0xc0a80101u, 0x0a000002u };
const ULONG m_nh_if[M_NH_KEYS] = { 1, 2, 1, 7 };

/*
 * Slot 0 and 1: protocol 8 (RIP), instances 1 and 2, table 0; slot 2:
 * protocol 13 (OSPF), table 0; slot 3: the same identity as slot 0 in
 * table 1 (another RtmInstanceId).
 */
void m_slot_identity(int slot, int *table, ULONG *proto, ULONG *inst)
{
	static const int tables[M_ENTITY_SLOTS] = { 0, 0, 0, 1 };
	static const ULONG protos[M_ENTITY_SLOTS] = { 8, 8, 13, 8 };
	static const ULONG insts[M_ENTITY_SLOTS] = { 1, 2, 1, 1 };

	*table = tables[slot];
	*proto = protos[slot];
	*inst = insts[slot];
}

void m_init(struct model *m, UINT max_nh, UINT max_enum)
{
	memset(m, 0, sizeof *m);
	m->max_nh = max_nh;
	m->max_enum = max_enum;
}

uint32_t m_mask(unsigned len)
{
	return len == 0 ? 0 : ~0u << (32 - len);
}

bool m_covers(const struct m_prefix *outer, const struct m_prefix *inner)
{
	return outer->len <= inner->len && ((inner->addr ^ outer->addr) & m_mask(outer->len)) == 0;
}

/* Enumeration order (§10): masked address, then length. */
int m_key_cmp(const struct m_prefix *a, const struct m_prefix *b)
{
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

bool m_route_alive(const struct model *m, int r)
{
	const struct m_route *x = &m->route[r];

	return !x->deleted || x->driver_ref || x->pins > 0;
}

bool m_nh_alive(const struct model *m, int n)
{
	const struct m_nh *x = &m->nh[n];

	if (!x->deleted || x->driver_ref)
		return true;
	/* Routes hold references on their neighbour and next hops. */
	for (int r = 0; r < m->nroute; r++) {
		const struct m_route *y = &m->route[r];
		if (!m_route_alive(m, r))
			continue;
		if (y->neighbour == n)
			return true;
		for (int i = 0; i < y->nnh; i++)
			if (y->nh[i] == n)
				return true;
	}
	/* So do next-hop enumeration snapshots. */
	for (int e = 0; e < m->nen; e++) {
		const struct m_enum *en = &m->en[e];
		if (!en->alive || en->kind != M_ENUM_NH)
			continue;
		for (int i = en->ipending; i < en->npending; i++)
			if (en->pending[i] == n)
				return true;
	}
	return false;
}

bool m_dest_alive(const struct model *m, int d)
{
	if (m->dest[d].in_table)
		return true;
	for (int g = 0; g < m->nreg; g++) {
		if (!m->reg[g].alive)
			continue;
		for (int i = 0; i < m->reg[g].nqueue; i++)
			if (m->reg[g].queue[i] == d)
				return true;
	}
	for (int r = 0; r < m->nroute; r++)
		if (m->route[r].dest == d && m_route_alive(m, r))
			return true;
	/* A route enumeration of one destination holds it. */
	for (int e = 0; e < m->nen; e++)
		if (m->en[e].alive && m->en[e].kind == M_ENUM_ROUTE && m->en[e].dest == d)
			return true;
	return false;
}

int m_dest_find(const struct model *m, int table, int prefix)
{
	for (int d = 0; d < m->ndest; d++)
		if (m->dest[d].in_table && m->dest[d].table == table && m->dest[d].prefix == prefix)
			return d;
	return -1;
}

/* Lower Preference, then lower Metric, then older (§5). */
static bool route_before(const struct m_route *a, const struct m_route *b)
{
	if (a->pref != b->pref)
		return a->pref < b->pref;
	if (a->metric != b->metric)
		return a->metric < b->metric;
	return a->seq < b->seq;
}

int m_dest_routes(const struct model *m, int d, int *out)
{
	int n = 0;

	for (int r = 0; r < m->nroute; r++)
		if (m->route[r].dest == d && !m->route[r].deleted)
			out[n++] = r;
	/* Insertion sort: n is small. */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && route_before(&m->route[out[j]], &m->route[out[j - 1]]); j--) {
			int t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static bool proto_matches(const struct model *m, int r, ULONG proto, int caller)
{
	ULONG p = m->ent[m->route[r].owner].proto;

	if (proto == RTM_BEST_PROTOCOL)
		return true;
	if (proto == RTM_THIS_PROTOCOL)
		return p == m->ent[caller].proto;
	return p == proto;
}

int m_best(const struct model *m, int d, unsigned v, ULONG proto, int caller)
{
	int rs[M_MAX_ROUTE];
	int n = m_dest_routes(m, d, rs);

	for (int i = 0; i < n; i++)
		if ((m->route[rs[i]].views & (1u << v)) && proto_matches(m, rs[i], proto, caller))
			return rs[i];
	return -1;
}

DWORD m_dest_views(const struct model *m, int d)
{
	DWORD v = 0;

	for (int r = 0; r < m->nroute; r++)
		if (m->route[r].dest == d && !m->route[r].deleted)
			v |= m->route[r].views;
	return v;
}

bool m_qualifies(const struct model *m, int d, DWORD views)
{
	if (!m->dest[d].in_table)
		return false;
	if (views == RTM_VIEW_MASK_ANY)
		return true;
	return (m_dest_views(m, d) & views) != 0;
}

void m_best_state(const struct model *m, int d, struct m_best_state *s)
{
	for (unsigned v = 0; v < 2; v++)
		s->best[v] = m_best(m, d, v, RTM_BEST_PROTOCOL, -1);
}

static bool pref_or_nexthops_differ(const struct m_route *a, const struct m_route *b)
{
	if (a->pref != b->pref || a->metric != b->metric || a->nnh != b->nnh)
		return true;
	return memcmp(a->nh, b->nh, (size_t)a->nnh * sizeof a->nh[0]) != 0;
}

bool m_route_differs(const struct m_route *a, const struct m_route *b)
{
	return pref_or_nexthops_differ(a, b) || a->views != b->views || a->flags != b->flags ||
	       a->neighbour != b->neighbour;
}

static bool queued(const struct m_reg *g, int d)
{
	for (int i = 0; i < g->nqueue; i++)
		if (g->queue[i] == d)
			return true;
	return false;
}

DWORD m_changed(struct model *m, int d, DWORD all, const struct m_best_state *before, int r,
		const struct m_route *old)
{
	struct m_best_state after;
	DWORD best = 0, fwd = 0;

	m_best_state(m, d, &after);
	for (unsigned v = 0; v < 2; v++) {
		DWORD bit = 1u << v;
		if (before->best[v] != after.best[v]) {
			best |= bit;
			fwd |= bit;
		} else if (r >= 0 && after.best[v] == r && old) {
			const struct m_route *now = &m->route[r];
			bool pn = pref_or_nexthops_differ(old, now);
			if (pn || old->flags != now->flags)
				best |= bit;
			if (pn || ((old->flags ^ now->flags) & RTM_ROUTE_FLAGS_FORWARDING))
				fwd |= bit;
		}
	}
	for (int g = 0; g < m->nreg; g++) {
		struct m_reg *x = &m->reg[g];
		DWORD rv = x->views ? x->views : 3;
		bool hit;

		if (!x->alive || m->ent[x->owner].table != m->dest[d].table)
			continue;
		hit = ((x->flags & RTM_CHANGE_TYPE_ALL) && (all & rv)) ||
		      ((x->flags & RTM_CHANGE_TYPE_BEST) && (best & rv)) ||
		      ((x->flags & RTM_CHANGE_TYPE_FORWARDING) && (fwd & rv));
		if (!hit)
			continue;
		if ((x->flags & RTM_NOTIFY_ONLY_MARKED_DESTS) && !(m->dest[d].marks & (1u << g)))
			continue;
		if (!queued(x, d))
			x->queue[x->nqueue++] = d;
	}
	return best;
}

void m_dest_maybe_leave(struct model *m, int d)
{
	for (int r = 0; r < m->nroute; r++)
		if (m->route[r].dest == d && !m->route[r].deleted)
			return;
	m->dest[d].in_table = false;
}

void m_reg_drop(struct model *m, int g)
{
	m->reg[g].alive = false;
	m->reg[g].nqueue = 0;
	for (int d = 0; d < m->ndest; d++)
		m->dest[d].marks &= ~(1u << g);
}
