/*
 * api_seq.c - differential fuzzer of the RTMv2 API against a reference model.
 *
 * The input bytes are decoded into a sequence of RTMv2 calls on a small
 * universe: two tables (RtmInstanceId 0 and 1, IPv4), four entity identities,
 * sixteen nested prefixes (addresses sometimes with garbage in the host
 * bits), four next-hop keys. Each call is made on librtm and applied to the
 * reference model (refmodel.c); every return code and every observable
 * result (handles, best routes, lookup answers, enumerations, pending
 * changes, route lists) must agree. Handles are picked from every object ever
 * seen, so stale handles come up naturally, and on purpose as the wrong type,
 * garbage or NULL. On a disagreement the call sequence so far is printed and
 * the program aborts.
 *
 * Kept deterministic: no entity has a callback (nothing runs on librtm's
 * worker thread), no TTL, no hold-down. Each input starts from an empty store
 * and deregisters everything at the end, releasing every reference first, so
 * the next input starts empty again.
 */
#define _GNU_SOURCE 1

#include "fuzz_target.h"
#include "refmodel.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- input and trace ------------------------------------------------------------------ */

static const uint8_t *in;
static size_t in_len, in_pos;

static uint8_t u8(void)
{
	return in_pos < in_len ? in[in_pos++] : 0;
}

static uint32_t u32(void)
{
	uint32_t v = u8();
	v = v << 8 | u8();
	v = v << 8 | u8();
	return v << 8 | u8();
}

#define TRACE_MAX (1u << 18)
static char trace[TRACE_MAX];
static size_t trace_len;
static unsigned long n_ops;

__attribute__((format(printf, 1, 2))) static void T(const char *fmt, ...)
{
	va_list ap;

	if (trace_len >= TRACE_MAX - 256)
		trace_len = 0; /* keep the tail of very long runs */
	va_start(ap, fmt);
	int n = vsnprintf(trace + trace_len, TRACE_MAX - trace_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		trace_len += (size_t)n < TRACE_MAX - trace_len ? (size_t)n : 0;
}

__attribute__((format(printf, 2, 3), noreturn)) static void fail(int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "api_seq: DISAGREEMENT (api_seq.c:%d) after %lu calls: ", line, n_ops);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ncall sequence:\n%.*s\n", (int)trace_len, trace);
	abort();
}

#define AGREE(cond, ...)                                                                     \
	do {                                                                                 \
		if (!(cond))                                                                 \
			fail(__LINE__, __VA_ARGS__);                                         \
	} while (0)

/* ---- expected return codes ------------------------------------------------------------ */

/*
 * SEMANTICS §3 fixes the order of checks only by group: the caller, then
 * NULL or bad arguments and other handles, then ownership, then state. Inside
 * one group librtm may report any of the faults present, so the model
 * collects the codes group by group and the first non-empty group is the set
 * of acceptable answers.
 */
enum { G_CALLER, G_ARGS, G_OWNER, G_STATE, G_LAST, G_COUNT };

struct expect {
	DWORD code[G_COUNT][4];
	int n[G_COUNT];
};

static void ex_add(struct expect *x, int g, DWORD code)
{
	for (int i = 0; i < x->n[g]; i++)
		if (x->code[g][i] == code)
			return;
	if (x->n[g] < 4)
		x->code[g][x->n[g]++] = code;
}

static bool ex_success(const struct expect *x)
{
	for (int g = 0; g < G_COUNT; g++)
		if (x->n[g])
			return false;
	return true;
}

/* Calls made and answered (NO_ERROR, or ERROR_NO_MORE_ITEMS from a batch call) per function,
 * printed at exit with RTM_FUZZ_STATS=1. */
static struct {
	const char *name;
	unsigned long calls, ok;
} stats[64];

static void count_call(const char *what, DWORD rc)
{
	int i = 0;

	while (i < 63 && stats[i].name && strcmp(stats[i].name, what) != 0)
		i++;
	stats[i].name = what;
	stats[i].calls++;
	stats[i].ok += rc == NO_ERROR || rc == ERROR_NO_MORE_ITEMS;
}

static void print_stats(void)
{
	for (int i = 0; i < 64 && stats[i].name; i++)
		fprintf(stderr, "%-45s %10lu calls %10lu answered\n", stats[i].name, stats[i].calls,
			stats[i].ok);
}

/* Checks rc against x; true when the call succeeded (and had to). */
static bool check_rc(int line, const char *what, DWORD rc, const struct expect *x)
{
	T("  -> %lu\n", (unsigned long)rc);
	count_call(what, rc);
	for (int g = 0; g < G_COUNT; g++) {
		if (!x->n[g])
			continue;
		for (int i = 0; i < x->n[g]; i++)
			if (rc == x->code[g][i])
				return false;
		fail(line, "%s returned %lu, the model expected %lu%s", what, (unsigned long)rc,
		     (unsigned long)x->code[g][0], x->n[g] > 1 ? " (or another of its group)" : "");
	}
	if (rc != NO_ERROR)
		fail(line, "%s returned %lu, the model expected NO_ERROR", what, (unsigned long)rc);
	return true;
}

#define CHECK_RC(what, rc, x) check_rc(__LINE__, what, rc, x)

/* ---- handles --------------------------------------------------------------------------- */

enum kind { K_ENT, K_NH, K_ROUTE, K_DEST, K_REG, K_ENUM, K_LIST, K_COUNT, K_GARBAGE = -1,
	    K_NULL = -2 };

static struct model M;

struct pick {
	int kind, idx;
	HANDLE h;
};

static int count_of(int kind)
{
	switch (kind) {
	case K_ENT: return M.nent;
	case K_NH: return M.nnh;
	case K_ROUTE: return M.nroute;
	case K_DEST: return M.ndest;
	case K_REG: return M.nreg;
	case K_ENUM: return M.nen;
	case K_LIST: return M.nlist;
	}
	return 0;
}

static HANDLE handle_of(int kind, int i)
{
	switch (kind) {
	case K_ENT: return M.ent[i].h;
	case K_NH: return M.nh[i].h;
	case K_ROUTE: return M.route[i].h;
	case K_DEST: return M.dest[i].h;
	case K_REG: return M.reg[i].h;
	case K_ENUM: return M.en[i].h;
	case K_LIST: return M.list[i].h;
	}
	return NULL;
}

static bool alive(int kind, int i)
{
	switch (kind) {
	case K_ENT: return M.ent[i].alive;
	case K_NH: return m_nh_alive(&M, i);
	case K_ROUTE: return m_route_alive(&M, i);
	case K_DEST: return m_dest_alive(&M, i);
	case K_REG: return M.reg[i].alive;
	case K_ENUM: return M.en[i].alive;
	case K_LIST: return M.list[i].alive;
	}
	return false;
}

/* Which known object has handle value h? */
static bool classify(HANDLE h, struct pick *p)
{
	for (int k = 0; k < K_COUNT; k++)
		for (int i = 0; i < count_of(k); i++)
			if (h && handle_of(k, i) == h) {
				p->kind = k;
				p->idx = i;
				p->h = h;
				return true;
			}
	return false;
}

static bool alive(int kind, int i);

/* An object of this kind with a known handle (a live one if live_only), or -1. */
static int some_of(int kind, uint8_t sel, bool live_only)
{
	int n = count_of(kind), seen = 0;

	for (int i = 0; i < n; i++)
		seen += handle_of(kind, i) && (!live_only || alive(kind, i));
	if (!seen)
		return -1;
	seen = sel % seen;
	for (int i = 0; i < n; i++)
		if (handle_of(kind, i) && (!live_only || alive(kind, i)) && seen-- == 0)
			return i;
	return -1;
}

static int some(int kind, uint8_t sel)
{
	return some_of(kind, sel, false);
}

static HANDLE garbage(void)
{
	uint8_t how = u8() % 4, a = u8();
	uintptr_t v;

	switch (how) {
	case 0: /* not a librtm handle at all */
		return (HANDLE)(uintptr_t)(a | 1u);
	case 1: /* the right tag, a generation never reached, any slot */
		v = (uintptr_t)0xAu << 60 | (uintptr_t)(a % 8) << 56 | (uintptr_t)0xFFFFFFu << 32 |
		    (uintptr_t)u8();
		return (HANDLE)v;
	case 2: /* a slot index far past any chunk */
		v = (uintptr_t)0xAu << 60 | (uintptr_t)(a % 8) << 56 | (uintptr_t)u32();
		return (HANDLE)(v | (uintptr_t)0xFFFFFFF0u);
	default: { /* a known non-destination handle, another generation */
		int k = a % K_COUNT;
		int i = k == K_DEST ? -1 : some(k, u8());
		if (i < 0)
			return (HANDLE)(uintptr_t)0xA7FFFFFF00000000ull;
		v = (uintptr_t)handle_of(k, i) ^ ((uintptr_t)(u8() % 3 + 1) << 32);
		return (HANDLE)v;
	}
	}
}

static struct pick pick_handle(int want)
{
	struct pick p = { K_NULL, -1, NULL };
	uint8_t sel = u8() % 16;
	int i;

	/* Mostly a live object of the kind asked for, then any one seen (stale
	 * ones included), another kind, garbage, NULL. */
	if (sel < 12 && (i = some_of(want, u8(), sel < 10)) >= 0) {
		p.kind = want;
		p.idx = i;
		p.h = handle_of(want, i);
	} else if (sel < 13) {
		int k = (want + 1 + u8() % (K_COUNT - 1)) % K_COUNT;
		if ((i = some(k, u8())) >= 0) {
			p.kind = k;
			p.idx = i;
			p.h = handle_of(k, i);
		}
	} else if (sel < 15) {
		p.h = garbage();
		if (!classify(p.h, &p))
			p.kind = K_GARBAGE;
	}
	return p;
}

/*
 * Is entity i's object alive (its handle still a handle, as for
 * RtmReferenceHandles), which outlasts its registration while a next hop or
 * a route of it is alive (they reference their owner, SEMANTICS §4)?
 */
static bool entity_object_alive(int i)
{
	if (M.ent[i].alive)
		return true;
	for (int n = 0; n < M.nnh; n++)
		if (M.nh[n].owner == i && m_nh_alive(&M, n))
			return true;
	for (int r = 0; r < M.nroute; r++)
		if (M.route[r].owner == i && m_route_alive(&M, r))
			return true;
	return false;
}

static bool valid(const struct pick *p, int kind)
{
	return p->kind == kind && alive(kind, p->idx);
}

static const char *pick_str(const struct pick *p)
{
	static char buf[8][48];
	static int n;
	static const char *names[] = { "ent", "nh", "route", "dest", "reg", "enum", "list" };
	char *b = buf[n++ % 8];

	if (p->kind == K_NULL)
		return "NULL";
	if (p->kind == K_GARBAGE)
		snprintf(b, 48, "garbage:%p", p->h);
	else
		snprintf(b, 48, "%s%d%s", names[p->kind], p->idx, alive(p->kind, p->idx) ? "" : "(dead)");
	return b;
}

/* A handle librtm returned for an object: record it the first time, then it must not change. */
static void agree_handle(int line, int kind, int i, HANDLE got)
{
	HANDLE *slot = kind == K_DEST ? &M.dest[i].h : NULL;

	if (slot && !*slot) {
		struct pick other;
		if (classify(got, &other))
			fail(line, "destination %d got the handle %p of another object", i, got);
		*slot = got;
		return;
	}
	if (handle_of(kind, i) != got)
		fail(line, "object %d of kind %d: handle %p, the model has %p", i, kind, got,
		     handle_of(kind, i));
}

/* The caller of a call: usually a registered entity. */
static struct pick pick_caller(void)
{
	return pick_handle(K_ENT);
}

/*
 * For calls on an object that belongs to one entity (enumerations,
 * registrations, lists): mostly the object's owner as the caller, so that
 * the calls get past the ownership check, sometimes any caller.
 */
static struct pick caller_for(const struct pick *obj, int kind)
{
	struct pick c = pick_caller();
	int owner = -1;

	if (obj->kind == kind && obj->idx >= 0)
		owner = kind == K_ENUM ? M.en[obj->idx].owner
			: kind == K_REG ? M.reg[obj->idx].owner
			: kind == K_LIST ? M.list[obj->idx].owner : -1;
	if (owner >= 0 && (u8() & 3) != 0)
		c = (struct pick){ K_ENT, owner, M.ent[owner].h };
	return c;
}

static int caller_table(const struct pick *c)
{
	return M.ent[c->idx].table;
}

/*
 * A destination handle the caller may use: tables never exchange information
 * (SEMANTICS §3), so librtm treats a destination of another table as an
 * invalid handle (routes and next hops of other tables stay readable).
 */
static bool dest_ok(const struct pick *c, const struct pick *d)
{
	return valid(d, K_DEST) && M.dest[d->idx].table == caller_table(c);
}

/* ---- addresses ------------------------------------------------------------------------- */

struct addr_pick {
	RTM_NET_ADDRESS a;
	int prefix;       /* universe index */
	bool bad;         /* family or length the table rejects */
	struct m_prefix key;
};

/*
 * A universe prefix (half the time one that has a destination, so that
 * lookups find something), sometimes with host-bit garbage, a longer length
 * or a bad family.
 */
static struct addr_pick pick_addr(bool allow_longer)
{
	struct addr_pick p;
	uint8_t f = u8(), which = u8();
	const struct m_prefix *x = &m_prefixes[which % M_PREFIXES];
	int live[M_MAX_DEST], nlive = 0;

	for (int d = 0; d < M.ndest; d++)
		if (M.dest[d].in_table)
			live[nlive++] = d;
	if ((f & 0x40) && nlive)
		x = &m_prefixes[M.dest[live[which % nlive]].prefix];
	uint32_t bits = x->addr;
	unsigned len = x->len;

	memset(&p, 0, sizeof p);
	p.prefix = (int)(x - m_prefixes);
	if (allow_longer && (f & 1))
		len = 32;
	if (f & 2)
		bits |= ~m_mask(x->len) & u32(); /* garbage in the host bits (§14.27) */
	p.a.AddressFamily = AF_INET;
	p.a.NumBits = (USHORT)len;
	uint32_t be = htonl(bits);
	memcpy(p.a.AddrBits, &be, 4);
	if ((f & 0x1c) == 0x1c) {
		p.bad = true;
		if (f & 0x20)
			p.a.AddressFamily = AF_INET6;
		else
			p.a.NumBits = 33;
	}
	p.key.len = len;
	p.key.addr = bits & m_mask(len);
	return p;
}

static void fill_net(RTM_NET_ADDRESS *a, const struct m_prefix *k)
{
	uint32_t be = htonl(k->addr);

	memset(a, 0, sizeof *a);
	a->AddressFamily = AF_INET;
	a->NumBits = (USHORT)k->len;
	memcpy(a->AddrBits, &be, 4);
}

static const struct m_prefix *dest_key(int d)
{
	return &m_prefixes[M.dest[d].prefix];
}

/* ---- views and protocol filters ------------------------------------------------------- */

static DWORD pick_views(void)
{
	static const DWORD v[] = { 0, 1, 2, 3, 1, 3, RTM_VIEW_MASK_ALL, 4, 0x80000001u };
	return v[u8() % (sizeof v / sizeof v[0])];
}

static bool views_bad(DWORD v)
{
	return (v & ~3u) && v != RTM_VIEW_MASK_ALL;
}

static DWORD views_eff(DWORD v)
{
	return v == RTM_VIEW_MASK_ALL ? 3 : v;
}

static ULONG pick_proto(void)
{
	static const ULONG p[] = { RTM_BEST_PROTOCOL, RTM_THIS_PROTOCOL, 8, 13, 99 };
	return p[u8() % 5];
}

/* ---- destination infos ---------------------------------------------------------------- */

#define DI_STRIDE RTM_SIZE_OF_DEST_INFO(2)

static RTM_DEST_INFO *di_at(void *base, size_t i)
{
	return (RTM_DEST_INFO *)((char *)base + i * DI_STRIDE);
}

/* An info librtm filled for destination d: must be the model's, field by field. */
static void agree_dest_info(int line, const RTM_DEST_INFO *info, int d, int caller, ULONG proto,
			    DWORD views)
{
	DWORD ev = views_eff(views);
	const struct m_prefix *k = dest_key(d);
	RTM_NET_ADDRESS want;
	UINT nv = 0;

	agree_handle(line, K_DEST, d, info->DestHandle);
	fill_net(&want, k);
	if (info->DestAddress.AddressFamily != want.AddressFamily ||
	    info->DestAddress.NumBits != want.NumBits ||
	    memcmp(info->DestAddress.AddrBits, want.AddrBits, 4) != 0)
		fail(line, "dest %d: wrong DestAddress", d);
	if (info->BelongsToViews != m_dest_views(&M, d))
		fail(line, "dest %d: BelongsToViews %#x, model %#x", d, info->BelongsToViews,
		     m_dest_views(&M, d));
	for (unsigned v = 0; v < 2; v++) {
		if (!(ev & (1u << v)))
			continue;
		int rs[M_MAX_ROUTE], n = m_dest_routes(&M, d, rs), inview = 0;
		for (int i = 0; i < n; i++)
			inview += (M.route[rs[i]].views >> v) & 1;
		int b = m_best(&M, d, v, proto, caller);
		if (nv >= info->NumberOfViews)
			fail(line, "dest %d: NumberOfViews %u too small", d, info->NumberOfViews);
		const __typeof__(info->ViewInfo[0]) *vi = &info->ViewInfo[nv++];
		if (vi->ViewId != (RTM_VIEW_ID)v || vi->NumRoutes != (UINT)inview)
			fail(line, "dest %d view %u: ViewId %d NumRoutes %u, model %d routes", d, v,
			     vi->ViewId, vi->NumRoutes, inview);
		HANDLE wr = b >= 0 ? M.route[b].h : NULL;
		HANDLE wo = b >= 0 ? M.ent[M.route[b].owner].h : NULL;
		DWORD wf = b >= 0 ? M.route[b].flags : 0;
		if (vi->Route != wr || vi->Owner != wo || vi->DestFlags != wf)
			fail(line, "dest %d view %u (proto %lu): best route %p owner %p flags %#x, "
				   "model route %d (%p) owner %p flags %#x",
			     d, v, (unsigned long)proto, vi->Route, vi->Owner, vi->DestFlags, b, wr, wo,
			     wf);
		if (vi->HoldRoute)
			fail(line, "dest %d view %u: a hold route without hold-down", d, v);
	}
	if (info->NumberOfViews != nv)
		fail(line, "dest %d: NumberOfViews %u, model %u", d, info->NumberOfViews, nv);
}

static void release_dest_info(struct pick *c, RTM_DEST_INFO *info)
{
	DWORD rc = RtmReleaseDestInfo(c->h, info);
	AGREE(rc == NO_ERROR, "RtmReleaseDestInfo: %lu", (unsigned long)rc);
}

/* ---- operations ------------------------------------------------------------------------ */

static void op_register(void)
{
	int slot = u8() % M_ENTITY_SLOTS, table;
	ULONG proto, inst;
	bool opaque = u8() & 1;
	RTM_ENTITY_INFO info = { 0 };
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = NULL;
	struct expect x = { 0 };

	if (M.nent == M_MAX_ENT)
		return;
	m_slot_identity(slot, &table, &proto, &inst);
	info.RtmInstanceId = (USHORT)table;
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = inst;
	for (int i = 0; i < M.nent; i++)
		if (M.ent[i].alive && M.ent[i].slot == slot)
			ex_add(&x, G_STATE, ERROR_ALREADY_EXISTS);
	T("RtmRegisterEntity(slot %d, opaque %d)\n", slot, opaque);
	DWORD rc = RtmRegisterEntity(&info, NULL, NULL, opaque, &prof, &h);
	if (!CHECK_RC("RtmRegisterEntity", rc, &x))
		return;
	AGREE(prof.MaxNextHopsInRoute == M.max_nh && prof.MaxHandlesInEnum == M.max_enum &&
		      prof.ViewsSupported == 3 && prof.NumberOfViews == 2,
	      "registration profile changed");
	struct m_entity *e = &M.ent[M.nent++];
	e->slot = slot;
	e->table = table;
	e->proto = proto;
	e->inst = inst;
	e->alive = true;
	e->opaque = opaque;
	e->h = h;
	struct pick p;
	AGREE(!classify(h, &p) || p.idx == M.nent - 1, "a new entity got a known handle");
}

static void release_route_ref(struct pick *c, int r)
{
	DWORD rc = RtmReleaseRoutes(c->h, 1, &M.route[r].h);
	AGREE(rc == NO_ERROR, "RtmReleaseRoutes(route%d): %lu", r, (unsigned long)rc);
}

static void release_nh_ref(struct pick *c, int n)
{
	DWORD rc = RtmReleaseNextHops(c->h, 1, &M.nh[n].h);
	AGREE(rc == NO_ERROR, "RtmReleaseNextHops(nh%d): %lu", n, (unsigned long)rc);
}

static void unpin_enum(int i)
{
	struct m_enum *en = &M.en[i];

	for (int j = en->ipending; j < en->npending; j++)
		if (en->kind == M_ENUM_ROUTE || en->kind == M_ENUM_LIST)
			M.route[en->pending[j]].pins--;
	en->npending = en->ipending = 0;
}

/* Deregistration as SEMANTICS §4 resolves it (and librtm's README orders it). */
static void model_deregister(int e)
{
	int table = M.ent[e].table;

	M.ent[e].alive = false;
	for (int g = 0; g < M.nreg; g++)
		if (M.reg[g].alive && M.reg[g].owner == e)
			m_reg_drop(&M, g);
	for (int l = 0; l < M.nlist; l++)
		if (M.list[l].alive && M.list[l].owner == e) {
			M.list[l].alive = false;
			for (int r = 0; r < M.nroute; r++)
				if (M.route[r].list == l)
					M.route[r].list = -1;
		}
	for (int i = 0; i < M.nen; i++)
		if (M.en[i].alive && M.en[i].owner == e) {
			unpin_enum(i);
			M.en[i].alive = false;
		}
	/* Purge the routes destination by destination, in table order. */
	for (;;) {
		int best_d = -1;
		for (int d = 0; d < M.ndest; d++) {
			if (!M.dest[d].in_table || M.dest[d].table != table)
				continue;
			bool has = false;
			for (int r = 0; r < M.nroute; r++)
				has |= M.route[r].dest == d && !M.route[r].deleted && M.route[r].owner == e;
			if (has && (best_d < 0 || m_key_cmp(dest_key(d), dest_key(best_d)) < 0))
				best_d = d;
		}
		if (best_d < 0)
			break;
		struct m_best_state before;
		DWORD all = 0;
		m_best_state(&M, best_d, &before);
		for (int r = 0; r < M.nroute; r++)
			if (M.route[r].dest == best_d && !M.route[r].deleted && M.route[r].owner == e) {
				all |= M.route[r].views;
				M.route[r].deleted = true;
				M.route[r].list = -1;
			}
		m_changed(&M, best_d, all, &before, -1, NULL);
		m_dest_maybe_leave(&M, best_d);
	}
	for (int n = 0; n < M.nnh; n++)
		if (M.nh[n].owner == e)
			M.nh[n].deleted = true;
}

static void deregister(struct pick *c)
{
	struct expect x = { 0 };

	if (!valid(c, K_ENT))
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	else {
		/* Give back the driver's references first, while the handle still works. */
		int e = c->idx;
		for (int r = 0; r < M.nroute; r++)
			if (M.route[r].owner == e && M.route[r].driver_ref) {
				release_route_ref(c, r);
				M.route[r].driver_ref = false;
			}
		for (int n = 0; n < M.nnh; n++)
			if (M.nh[n].owner == e && M.nh[n].driver_ref) {
				release_nh_ref(c, n);
				M.nh[n].driver_ref = false;
			}
	}
	T("RtmDeregisterEntity(%s)\n", pick_str(c));
	DWORD rc = RtmDeregisterEntity(c->h);
	if (CHECK_RC("RtmDeregisterEntity", rc, &x))
		model_deregister(c->idx);
}

static void op_deregister(void)
{
	struct pick c = pick_caller();
	deregister(&c);
}

static void nh_info(RTM_NEXTHOP_INFO *info, int key, bool bad)
{
	memset(info, 0, sizeof *info);
	fill_net(&info->NextHopAddress, &(struct m_prefix){ m_nh_addr[key], 32 });
	info->InterfaceIndex = m_nh_if[key];
	if (bad)
		info->NextHopAddress.AddressFamily = AF_INET6;
}

static int nh_find(int owner, int key)
{
	for (int n = 0; n < M.nnh; n++)
		if (M.nh[n].owner == owner && M.nh[n].key == key && !M.nh[n].deleted)
			return n;
	return -1;
}

static void op_add_nexthop(void)
{
	struct pick c = pick_caller();
	int key = u8() % M_NH_KEYS;
	uint8_t mode = u8() % 4; /* 0: NULL out, 1/2: out = NULL, 3: update by handle */
	bool bad = (u8() & 15) == 15;
	USHORT flags = u8() & 3;
	struct pick p = { K_NULL, -1, NULL };
	RTM_NEXTHOP_INFO info;
	RTM_NEXTHOP_HANDLE h = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS cf = 0xdead;
	struct expect x = { 0 };
	int target = -1;

	if (M.nnh == M_MAX_NH)
		return;
	nh_info(&info, key, bad);
	info.Flags = flags;
	if (mode == 3) {
		p = pick_handle(K_NH);
		h = p.h;
	}
	if (!valid(&c, K_ENT)) {
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	} else if (bad) {
		ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
	} else if (mode == 3 && p.h) {
		if (!valid(&p, K_NH))
			ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
		else if (M.nh[p.idx].owner != c.idx)
			ex_add(&x, G_OWNER, ERROR_ACCESS_DENIED);
		else if (M.nh[p.idx].deleted)
			ex_add(&x, G_STATE, ERROR_NOT_FOUND);
		else if (M.nh[p.idx].key != key)
			ex_add(&x, G_LAST, ERROR_INVALID_PARAMETER);
		target = p.idx;
	} else {
		target = nh_find(c.idx, key);
		if (target < 0 && mode == 0)
			mode = 1; /* a new next hop needs its handle */
	}
	T("RtmAddNextHop(%s, key %d%s, mode %d, %s)\n", pick_str(&c), key, bad ? " bad" : "", mode,
	  pick_str(&p));
	DWORD rc = RtmAddNextHop(c.h, &info, mode == 0 ? NULL : &h, &cf);
	if (!CHECK_RC("RtmAddNextHop", rc, &x))
		return;
	if (target >= 0) {
		AGREE(cf == 0, "RtmAddNextHop update: change flags %#x", cf);
		M.nh[target].flags = flags;
		if (mode != 0 && !p.h) { /* looked up by key: the handle came back referenced */
			AGREE(h == M.nh[target].h, "RtmAddNextHop gave %p for nh%d (%p)", h, target,
			      M.nh[target].h);
			release_nh_ref(&c, target); /* the driver keeps one */
		}
		return;
	}
	AGREE(cf == RTM_NEXTHOP_CHANGE_NEW, "RtmAddNextHop create: change flags %#x", cf);
	struct m_nh *n = &M.nh[M.nnh++];
	n->owner = c.idx;
	n->key = key;
	n->flags = flags;
	n->driver_ref = true;
	n->h = h;
	struct pick q;
	AGREE(!classify(h, &q) || q.idx == M.nnh - 1, "a new next hop got a known handle");
}

static void op_delete_nexthop(void)
{
	struct pick c = pick_caller();
	bool by_info = u8() & 1;
	int key = u8() % M_NH_KEYS;
	struct pick p = by_info ? (struct pick){ K_NULL, -1, NULL } : pick_handle(K_NH);
	RTM_NEXTHOP_INFO info;
	struct expect x = { 0 };
	int target = -1;

	nh_info(&info, key, false);
	if (!valid(&c, K_ENT)) {
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	} else if (p.h) {
		if (!valid(&p, K_NH))
			ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
		else if (M.nh[p.idx].owner != c.idx)
			ex_add(&x, G_OWNER, ERROR_ACCESS_DENIED);
		else if (M.nh[p.idx].deleted)
			ex_add(&x, G_STATE, ERROR_NOT_FOUND);
		target = p.idx;
	} else if (by_info) {
		target = nh_find(c.idx, key);
		if (target < 0)
			ex_add(&x, G_STATE, ERROR_NOT_FOUND);
	} else {
		ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
	}
	T("RtmDeleteNextHop(%s, %s, key %d)\n", pick_str(&c), pick_str(&p), by_info ? key : -1);
	DWORD rc = RtmDeleteNextHop(c.h, p.h, by_info ? &info : NULL);
	if (!CHECK_RC("RtmDeleteNextHop", rc, &x))
		return;
	M.nh[target].deleted = true;
	if (!p.h && M.nh[target].driver_ref) /* by info: the driver drops its own reference */
		release_nh_ref(&c, target);
	M.nh[target].driver_ref = false;
}

static void op_find_nexthop(void)
{
	struct pick c = pick_caller();
	int key = u8() % M_NH_KEYS;
	RTM_NEXTHOP_INFO info, *ptr = NULL;
	RTM_NEXTHOP_HANDLE h = NULL;
	struct expect x = { 0 };
	int target = -1;

	nh_info(&info, key, false);
	if (!valid(&c, K_ENT))
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	else if ((target = nh_find(c.idx, key)) < 0)
		ex_add(&x, G_STATE, ERROR_NOT_FOUND);
	T("RtmFindNextHop(%s, key %d)\n", pick_str(&c), key);
	DWORD rc = RtmFindNextHop(c.h, &info, &h, &ptr);
	if (!CHECK_RC("RtmFindNextHop", rc, &x))
		return;
	AGREE(h == M.nh[target].h, "RtmFindNextHop: %p, model nh%d %p", h, target, M.nh[target].h);
	AGREE(ptr && ptr->InterfaceIndex == m_nh_if[key] && ptr->Flags == M.nh[target].flags,
	      "RtmFindNextHop: wrong next-hop pointer contents");
	release_nh_ref(&c, target);
}

/* Moves route r into list l (or out of any list, l = -1). */
static void model_list_move(int r, int l)
{
	M.route[r].list = l;
	M.route[r].list_seq = ++M.seq;
}

static void op_add_route(void)
{
	struct pick c = pick_caller();
	uint8_t mode = u8() % 8; /* 0: NULL out, 1-5: out = NULL, 6-7: update by handle */
	struct addr_pick ap = pick_addr(false);
	uint8_t f = u8();
	DWORD in_flags = (f & 3) == 1 ? RTM_ROUTE_CHANGE_NEW : (f & 3) == 2 ? RTM_ROUTE_CHANGE_FIRST : 0;
	bool use_list = (f & 0x0c) == 0x0c;
	struct pick rp = { K_NULL, -1, NULL }, lp = { K_NULL, -1, NULL }, nb = { K_NULL, -1, NULL };
	struct pick nhp[M_MAX_NH_IN_ROUTE];
	char buf[RTM_SIZE_OF_ROUTE_INFO(M_MAX_NH_IN_ROUTE + 1)];
	RTM_ROUTE_INFO *ri = (RTM_ROUTE_INFO *)buf;
	struct expect x = { 0 };
	RTM_ROUTE_HANDLE h = NULL;
	RTM_ROUTE_CHANGE_FLAGS cf = in_flags;

	if (M.nroute == M_MAX_ROUTE || M.ndest == M_MAX_DEST)
		return;
	memset(buf, 0, sizeof buf);
	if (u8() & 1)
		nb = pick_handle(K_NH);
	ri->Neighbour = nb.h;
	ri->Flags = (USHORT)(u8() & 0x1f);
	ri->PrefInfo.Preference = u8() % 4;
	ri->PrefInfo.Metric = u8() % 4;
	ri->BelongsToViews = pick_views();
	ri->State = 0x55;              /* ignored */
	ri->RouteOwner = (HANDLE)0x1;  /* ignored */
	ri->DestHandle = (HANDLE)0x2;  /* ignored */
	unsigned nnh = u8() % (M.max_nh + 2);
	if (nnh > M_MAX_NH_IN_ROUTE)
		nnh = M_MAX_NH_IN_ROUTE;
	ri->NextHopsList.NumNextHops = (USHORT)nnh;
	for (unsigned i = 0; i < nnh; i++) {
		nhp[i] = pick_handle(K_NH);
		ri->NextHopsList.NextHops[i] = nhp[i].h;
	}
	if (mode >= 6) {
		rp = pick_handle(K_ROUTE);
		h = rp.h;
	}
	if (use_list) {
		lp = pick_handle(K_LIST);
		use_list = lp.h != NULL; /* a NULL list leaves the membership alone */
	}

	/* What the model expects. */
	int target = -1, d = -1;
	if (!valid(&c, K_ENT)) {
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	} else {
		if (nnh > M.max_nh)
			ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
		if (views_bad(ri->BelongsToViews))
			ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
		if (nb.h && !valid(&nb, K_NH))
			ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
		for (unsigned i = 0; i < nnh && nnh <= M.max_nh; i++) {
			if (!valid(&nhp[i], K_NH)) {
				ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
				break;
			}
			if (M.nh[nhp[i].idx].owner != c.idx) {
				ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
				break;
			}
		}
		if (use_list && (!valid(&lp, K_LIST) || M.list[lp.idx].owner != c.idx))
			ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
		if (rp.h) {
			if (!valid(&rp, K_ROUTE))
				ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
			else if (M.route[rp.idx].owner != c.idx)
				ex_add(&x, G_OWNER, ERROR_ACCESS_DENIED);
			else if (M.route[rp.idx].deleted)
				ex_add(&x, G_STATE, ERROR_NOT_FOUND);
			target = rp.idx;
		} else {
			if (ap.bad)
				ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
			d = m_dest_find(&M, caller_table(&c), ap.prefix);
			if (ap.key.len != m_prefixes[ap.prefix].len)
				d = -1;
			if (d >= 0 && !(in_flags & RTM_ROUTE_CHANGE_NEW)) {
				int rs[M_MAX_ROUTE], n = m_dest_routes(&M, d, rs);
				for (int i = 0; i < n && target < 0; i++)
					if (M.route[rs[i]].owner == c.idx &&
					    ((in_flags & RTM_ROUTE_CHANGE_FIRST) ||
					     M.route[rs[i]].neighbour == (nb.h ? nb.idx : -1)))
						target = rs[i];
			}
			if (target < 0 && mode == 0)
				mode = 1; /* a new route needs its handle */
		}
	}
	T("RtmAddRouteToDest(%s, mode %d %s, prefix %d/%u%s, nb %s, pref %lu/%lu, views %#x, "
	  "flags %#x, nnh %u, in %#x, list %s)\n",
	  pick_str(&c), mode, pick_str(&rp), ap.prefix, ap.a.NumBits, ap.bad ? " bad" : "",
	  pick_str(&nb), (unsigned long)ri->PrefInfo.Preference, (unsigned long)ri->PrefInfo.Metric,
	  ri->BelongsToViews, ri->Flags, nnh, in_flags, pick_str(&lp));
	for (unsigned i = 0; i < nnh; i++)
		T("    nh[%u] = %s\n", i, pick_str(&nhp[i]));
	DWORD rc = RtmAddRouteToDest(c.h, mode == 0 ? NULL : &h, &ap.a, ri, INFINITE, lp.h, 0, NULL,
				     &cf);
	if (!CHECK_RC("RtmAddRouteToDest", rc, &x))
		return;

	/* Apply it to the model. */
	struct m_route nv = { 0 }, old = { 0 };
	nv.owner = c.idx;
	nv.neighbour = nb.h ? nb.idx : -1;
	nv.nnh = (int)nnh;
	for (unsigned i = 0; i < nnh; i++)
		nv.nh[i] = nhp[i].idx;
	nv.pref = ri->PrefInfo.Preference;
	nv.metric = ri->PrefInfo.Metric;
	nv.views = views_eff(ri->BelongsToViews);
	nv.flags = ri->Flags;
	nv.list = -1;
	struct m_best_state before;
	DWORD all, want_cf = 0;
	bool created = target < 0, learn_dest = false;
	if (created) {
		if (d < 0) {
			d = M.ndest++;
			M.dest[d] = (struct m_dest){ .table = caller_table(&c), .prefix = ap.prefix,
						     .in_table = true };
			learn_dest = true;
		}
		target = M.nroute++;
		nv.dest = d;
		nv.seq = ++M.seq;
		nv.driver_ref = true;
		nv.h = h;
		m_best_state(&M, d, &before);
		M.route[target] = nv;
		all = nv.views;
		want_cf = RTM_ROUTE_CHANGE_NEW;
		struct pick q;
		AGREE(!classify(h, &q) || q.idx == target, "a new route got a known handle");
	} else {
		struct m_route *r = &M.route[target];
		d = r->dest;
		old = *r;
		m_best_state(&M, d, &before);
		r->neighbour = nv.neighbour;
		r->nnh = nv.nnh;
		memcpy(r->nh, nv.nh, sizeof nv.nh);
		r->pref = nv.pref;
		r->metric = nv.metric;
		r->views = nv.views;
		r->flags = nv.flags;
		all = old.views | r->views;
		if (mode != 0 && !rp.h) { /* out = NULL: the handle came back referenced */
			AGREE(h == r->h, "RtmAddRouteToDest updated route%d but gave %p", target, h);
			release_route_ref(&c, target);
		}
	}
	struct m_best_state after;
	bool differs = created || m_route_differs(&old, &M.route[target]);
	m_changed(&M, d, all, &before, target, created ? NULL : &old);
	m_best_state(&M, d, &after);
	for (unsigned v = 0; v < 2; v++)
		if (before.best[v] != after.best[v] || (!created && differs && after.best[v] == target))
			want_cf |= RTM_ROUTE_CHANGE_BEST;
	AGREE(cf == want_cf, "RtmAddRouteToDest: change flags %#x, model %#x", cf, want_cf);
	if (use_list)
		model_list_move(target, lp.idx);
	if (learn_dest) {
		/* Learn the new destination's handle, so that later calls can pass it. */
		char rbuf[RTM_SIZE_OF_ROUTE_INFO(M_MAX_NH_IN_ROUTE + 1)];
		RTM_ROUTE_INFO *got = (RTM_ROUTE_INFO *)rbuf;
		rc = RtmGetRouteInfo(c.h, M.route[target].h, got, NULL);
		AGREE(rc == NO_ERROR, "RtmGetRouteInfo(new route%d): %lu", target, (unsigned long)rc);
		agree_handle(__LINE__, K_DEST, d, got->DestHandle);
		rc = RtmReleaseRouteInfo(c.h, got);
		AGREE(rc == NO_ERROR, "RtmReleaseRouteInfo: %lu", (unsigned long)rc);
	}
}

static void op_delete_route(void)
{
	struct pick c = pick_caller();
	struct pick p = pick_handle(K_ROUTE);
	RTM_ROUTE_CHANGE_FLAGS cf = 0xdead;
	struct expect x = { 0 };

	if (!valid(&c, K_ENT))
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	else if (!valid(&p, K_ROUTE))
		ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
	else if (M.route[p.idx].owner != c.idx)
		ex_add(&x, G_OWNER, ERROR_ACCESS_DENIED);
	else if (M.route[p.idx].deleted)
		ex_add(&x, G_STATE, ERROR_NOT_FOUND);
	T("RtmDeleteRouteToDest(%s, %s)\n", pick_str(&c), pick_str(&p));
	DWORD rc = RtmDeleteRouteToDest(c.h, p.h, &cf);
	if (!CHECK_RC("RtmDeleteRouteToDest", rc, &x))
		return;
	struct m_route *r = &M.route[p.idx];
	struct m_best_state before;
	m_best_state(&M, r->dest, &before);
	r->deleted = true;
	r->driver_ref = false; /* consumed */
	r->list = -1;
	DWORD best = m_changed(&M, r->dest, r->views, &before, p.idx, NULL);
	m_dest_maybe_leave(&M, r->dest);
	AGREE(cf == (best ? RTM_ROUTE_CHANGE_BEST : 0u), "RtmDeleteRouteToDest: change flags %#x", cf);
}

static void op_lock_update(void)
{
	struct pick c = pick_caller();
	struct pick p = pick_handle(K_ROUTE);
	uint8_t f = u8();
	bool shared_only = (f & 3) == 3;
	RTM_ROUTE_INFO *ptr = NULL;
	struct expect x = { 0 };

	if (!valid(&c, K_ENT))
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	else if (!valid(&p, K_ROUTE))
		ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
	else if (M.route[p.idx].owner != c.idx)
		ex_add(&x, G_OWNER, ERROR_ACCESS_DENIED);
	struct expect u = x;
	if (ex_success(&x) && M.route[p.idx].deleted)
		ex_add(&x, G_STATE, ERROR_NOT_FOUND);
	if (f & 4) {
		/* Unlocking what is not locked is a misuse librtm refuses (README),
		 * whatever the route's state. */
		if (ex_success(&u))
			ex_add(&u, G_STATE, ERROR_INVALID_PARAMETER);
		T("RtmLockRoute(%s, %s, unlock without lock)\n", pick_str(&c), pick_str(&p));
		CHECK_RC("RtmLockRoute(unlock)", RtmLockRoute(c.h, p.h, !shared_only, FALSE, NULL), &u);
	}
	T("RtmLockRoute(%s, %s, %s)\n", pick_str(&c), pick_str(&p), shared_only ? "shared" : "exclusive");
	DWORD rc = RtmLockRoute(c.h, p.h, !shared_only, TRUE, &ptr);
	if (!CHECK_RC("RtmLockRoute", rc, &x))
		return;
	struct m_route *r = &M.route[p.idx];
	/* The RTM's own copy keeps RTM_VIEW_MASK_ALL as the client wrote it; the
	 * published route (RtmGetRouteInfo) reads it as both views. */
	AGREE(ptr && ptr->PrefInfo.Preference == r->pref && ptr->PrefInfo.Metric == r->metric &&
		      views_eff(ptr->BelongsToViews) == r->views && ptr->Flags == r->flags,
	      "RtmLockRoute: the route pointer does not show route%d (views %#x, model %#x)", p.idx,
	      ptr ? ptr->BelongsToViews : 0, r->views);
	if (shared_only) {
		T("RtmLockRoute(unlock shared)\n");
		rc = RtmLockRoute(c.h, p.h, FALSE, FALSE, NULL);
		AGREE(rc == NO_ERROR, "RtmLockRoute(unlock): %lu", (unsigned long)rc);
		return;
	}
	/* Edit in place: preference, metric, views (the fields §6 allows). */
	ULONG pref = u8() % 4, metric = u8() % 4;
	DWORD views = u8() % 5;
	if (views == 4)
		views = RTM_VIEW_MASK_ALL;
	ptr->PrefInfo.Preference = pref;
	ptr->PrefInfo.Metric = metric;
	ptr->BelongsToViews = views;
	if (u8() & 1) {
		/* A wrong route handle first: refused, the lock stays held. */
		struct pick q = pick_handle(K_ROUTE);
		if (!(valid(&q, K_ROUTE) && M.route[q.idx].owner == c.idx)) {
			struct expect y = { 0 };
			if (!valid(&q, K_ROUTE))
				ex_add(&y, G_ARGS, ERROR_INVALID_HANDLE);
			else
				ex_add(&y, G_OWNER, ERROR_ACCESS_DENIED);
			RTM_ROUTE_CHANGE_FLAGS cf2 = 0;
			T("RtmUpdateAndUnlockRoute(%s, wrong route %s)\n", pick_str(&c), pick_str(&q));
			CHECK_RC("RtmUpdateAndUnlockRoute(wrong route)",
				 RtmUpdateAndUnlockRoute(c.h, q.h, INFINITE, NULL, 0, NULL, &cf2), &y);
		}
	}
	struct pick lp = { K_NULL, -1, NULL };
	if (u8() & 1)
		lp = pick_handle(K_LIST);
	if (lp.h && !(valid(&lp, K_LIST) && M.list[lp.idx].owner == c.idx)) {
		struct expect y = { 0 };
		ex_add(&y, G_ARGS, ERROR_INVALID_HANDLE);
		RTM_ROUTE_CHANGE_FLAGS cf2 = 0;
		T("RtmUpdateAndUnlockRoute(%s, %s, bad list %s)\n", pick_str(&c), pick_str(&p),
		  pick_str(&lp));
		CHECK_RC("RtmUpdateAndUnlockRoute(bad list)",
			 RtmUpdateAndUnlockRoute(c.h, p.h, INFINITE, lp.h, 0, NULL, &cf2), &y);
		lp = (struct pick){ K_NULL, -1, NULL };
	}
	RTM_ROUTE_CHANGE_FLAGS cf = 0xdead;
	T("RtmUpdateAndUnlockRoute(%s, %s, pref %lu/%lu, views %#x, list %s)\n", pick_str(&c),
	  pick_str(&p), (unsigned long)pref, (unsigned long)metric, views, pick_str(&lp));
	rc = RtmUpdateAndUnlockRoute(c.h, p.h, INFINITE, lp.h, 0, NULL, &cf);
	count_call("RtmUpdateAndUnlockRoute", rc);
	AGREE(rc == NO_ERROR, "RtmUpdateAndUnlockRoute: %lu", (unsigned long)rc);
	struct m_route old = *r;
	struct m_best_state before, after;
	m_best_state(&M, r->dest, &before);
	r->pref = pref;
	r->metric = metric;
	r->views = views_eff(views);
	bool differs = m_route_differs(&old, r);
	m_changed(&M, r->dest, old.views | r->views, &before, p.idx, &old);
	m_best_state(&M, r->dest, &after);
	DWORD want = 0;
	for (unsigned v = 0; v < 2; v++)
		if (before.best[v] != after.best[v] || (differs && after.best[v] == p.idx))
			want = RTM_ROUTE_CHANGE_BEST;
	AGREE(cf == want, "RtmUpdateAndUnlockRoute: change flags %#x, model %#x", cf, want);
	if (lp.h)
		model_list_move(p.idx, lp.idx);
}

static void op_lock_dest(void)
{
	struct pick c = pick_caller();
	struct pick p = pick_handle(K_DEST);
	bool excl = u8() & 1;
	struct expect x = { 0 };

	if (!valid(&c, K_ENT))
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	else if (!dest_ok(&c, &p))
		ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
	struct expect u = x;
	if (ex_success(&u))
		ex_add(&u, G_STATE, ERROR_INVALID_PARAMETER);
	T("RtmLockDestination(%s, %s, unlock without lock)\n", pick_str(&c), pick_str(&p));
	CHECK_RC("RtmLockDestination(unlock)", RtmLockDestination(c.h, p.h, excl, FALSE), &u);
	T("RtmLockDestination(%s, %s, %d, lock)\n", pick_str(&c), pick_str(&p), excl);
	if (!CHECK_RC("RtmLockDestination", RtmLockDestination(c.h, p.h, excl, TRUE), &x))
		return;
	if (M.ent[c.idx].opaque && u8() % 2) {
		PVOID *slot = NULL;
		DWORD rc = RtmGetOpaqueInformationPointer(c.h, p.h, (PVOID *)&slot);
		AGREE(rc == NO_ERROR && slot, "RtmGetOpaqueInformationPointer: %lu", (unsigned long)rc);
	}
	T("RtmLockDestination(unlock)\n");
	DWORD rc = RtmLockDestination(c.h, p.h, excl, FALSE);
	AGREE(rc == NO_ERROR, "RtmLockDestination(unlock): %lu", (unsigned long)rc);
}

/* Exact (kind 0), most specific (1) lookups by address; less specific (2) and GetDestInfo (3) by handle. */
static void op_lookup(void)
{
	struct pick c = pick_caller();
	uint8_t kind = u8() % 4;
	struct addr_pick ap = pick_addr(kind == 1);
	struct pick dp = { K_NULL, -1, NULL };
	ULONG proto = pick_proto();
	DWORD views = pick_views();
	bool null_info = (u8() & 31) == 31;
	char buf[RTM_SIZE_OF_DEST_INFO(2)];
	RTM_DEST_INFO *info = null_info ? NULL : (RTM_DEST_INFO *)buf;
	struct expect x = { 0 };
	int want = -1;
	static const char *names[] = { "RtmGetExactMatchDestination", "RtmGetMostSpecificDestination",
				       "RtmGetLessSpecificDestination", "RtmGetDestInfo" };

	if (kind >= 2)
		dp = pick_handle(K_DEST);
	if (!valid(&c, K_ENT)) {
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	} else {
		int table = caller_table(&c);
		if (null_info || views_bad(views))
			ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
		if (kind < 2 && ap.bad)
			ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
		if (kind >= 2 && !dest_ok(&c, &dp))
			ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
		DWORD ev = views_eff(views);
		if (kind == 0) {
			for (int d = 0; d < M.ndest; d++)
				if (M.dest[d].table == table && m_qualifies(&M, d, ev) &&
				    m_key_cmp(dest_key(d), &ap.key) == 0)
					want = d;
		} else if (kind == 1) {
			for (int d = 0; d < M.ndest; d++)
				if (M.dest[d].table == table && m_qualifies(&M, d, ev) &&
				    m_covers(dest_key(d), &ap.key) &&
				    (want < 0 || dest_key(d)->len > dest_key(want)->len))
					want = d;
		} else if (kind == 2 && dest_ok(&c, &dp)) {
			const struct m_prefix *k = dest_key(dp.idx);
			for (int d = 0; d < M.ndest; d++)
				if (M.dest[d].table == M.dest[dp.idx].table && m_qualifies(&M, d, ev) &&
				    dest_key(d)->len < k->len && m_covers(dest_key(d), k) &&
				    (want < 0 || dest_key(d)->len > dest_key(want)->len))
					want = d;
		} else if (kind == 3) {
			want = dp.idx;
		}
		if (want < 0)
			ex_add(&x, G_STATE, ERROR_NOT_FOUND);
	}
	T("%s(%s, %d/%u%s, %s, proto %lu, views %#x%s)\n", names[kind], pick_str(&c), ap.prefix,
	  ap.a.NumBits, ap.bad ? " bad" : "", pick_str(&dp), (unsigned long)proto, views,
	  null_info ? ", NULL info" : "");
	DWORD rc;
	switch (kind) {
	case 0: rc = RtmGetExactMatchDestination(c.h, &ap.a, proto, views, info); break;
	case 1: rc = RtmGetMostSpecificDestination(c.h, &ap.a, proto, views, info); break;
	case 2: rc = RtmGetLessSpecificDestination(c.h, dp.h, proto, views, info); break;
	default: rc = RtmGetDestInfo(c.h, dp.h, proto, views, info); break;
	}
	if (!CHECK_RC(names[kind], rc, &x))
		return;
	agree_dest_info(__LINE__, info, want, c.idx, proto, views);
	release_dest_info(&c, info);
}

/* RtmGetExactMatchRoute (§8): the first route of the exact destination, in
 * preference order, that is in the views and meets every criterion. */
static void op_exact_route(void)
{
	struct pick c = pick_caller();
	struct addr_pick ap = pick_addr(false);
	RTM_MATCH_FLAGS flags = u8() & 0x1f;
	DWORD views = pick_views();
	ULONG ifindex = m_nh_if[u8() % M_NH_KEYS];
	bool null_crit = (u8() & 7) == 7, null_out = (u8() & 7) == 7;
	char buf[RTM_SIZE_OF_ROUTE_INFO(M_MAX_NH_IN_ROUTE + 1)];
	RTM_ROUTE_INFO *crit = null_crit ? NULL : (RTM_ROUTE_INFO *)buf;
	struct pick owner = pick_handle(K_ENT), nb = { K_NULL, -1, NULL }, nhp[4];
	struct expect x = { 0 };
	RTM_ROUTE_HANDLE h = NULL;
	int want = -1;

	if (u8() & 0x80)
		flags = RTM_MATCH_FULL;
	memset(buf, 0, sizeof buf);
	if (u8() & 1)
		nb = pick_handle(K_NH);
	unsigned nnh = u8() % (M.max_nh + 2);
	if (nnh > 4)
		nnh = 4;
	for (unsigned i = 0; i < nnh; i++)
		nhp[i] = pick_handle(K_NH);
	if (crit) {
		crit->RouteOwner = owner.h;
		crit->Neighbour = nb.h;
		crit->PrefInfo.Preference = u8() % 4;
		crit->PrefInfo.Metric = u8() % 4;
		crit->NextHopsList.NumNextHops = (USHORT)nnh;
		for (unsigned i = 0; i < nnh; i++)
			crit->NextHopsList.NextHops[i] = nhp[i].h;
	}
	if (!valid(&c, K_ENT)) {
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	} else {
		if (ap.bad || views_bad(views) ||
		    (null_crit && (flags & ~(RTM_MATCH_FLAGS)RTM_MATCH_INTERFACE)) ||
		    (crit && (flags & RTM_MATCH_NEXTHOP) && nnh > M.max_nh))
			ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
		int d = m_dest_find(&M, caller_table(&c), ap.prefix);
		if (ap.key.len != m_prefixes[ap.prefix].len)
			d = -1;
		int rs[M_MAX_ROUTE], n = d >= 0 && (crit || !(flags & ~(RTM_MATCH_FLAGS)RTM_MATCH_INTERFACE))
						 ? m_dest_routes(&M, d, rs) : 0;
		DWORD ev = views_eff(views);
		for (int i = 0; i < n && want < 0; i++) {
			const struct m_route *r = &M.route[rs[i]];
			bool ok = !ev || (r->views & ev);
			if ((flags & RTM_MATCH_OWNER) && owner.h != M.ent[r->owner].h)
				ok = false;
			if ((flags & RTM_MATCH_NEIGHBOUR) &&
			    nb.h != (r->neighbour >= 0 ? M.nh[r->neighbour].h : NULL))
				ok = false;
			if ((flags & RTM_MATCH_PREF) && (crit->PrefInfo.Preference != r->pref ||
							 crit->PrefInfo.Metric != r->metric))
				ok = false;
			for (unsigned j = 0; (flags & RTM_MATCH_NEXTHOP) && j < nnh; j++) {
				bool found = false;
				for (int k = 0; k < r->nnh; k++)
					found |= M.nh[r->nh[k]].h == nhp[j].h;
				ok &= found;
			}
			if (flags & RTM_MATCH_INTERFACE) {
				bool found = false;
				for (int k = 0; k < r->nnh; k++)
					found |= m_nh_if[M.nh[r->nh[k]].key] == ifindex;
				ok &= found;
			}
			if (ok)
				want = rs[i];
		}
		if (want < 0)
			ex_add(&x, G_STATE, ERROR_NOT_FOUND);
	}
	T("RtmGetExactMatchRoute(%s, %d/%u%s, flags %#x, owner %s, nb %s, nnh %u, if %lu, views %#x%s%s)\n",
	  pick_str(&c), ap.prefix, ap.a.NumBits, ap.bad ? " bad" : "", flags, pick_str(&owner),
	  pick_str(&nb), nnh, (unsigned long)ifindex, views, null_crit ? ", NULL criteria" : "",
	  null_out ? ", NULL out" : "");
	DWORD rc = RtmGetExactMatchRoute(c.h, &ap.a, flags, crit, ifindex, views, null_out ? NULL : &h);
	if (!CHECK_RC("RtmGetExactMatchRoute", rc, &x))
		return;
	if (!null_out) {
		AGREE(h == M.route[want].h, "RtmGetExactMatchRoute: %p, model route%d %p", h, want,
		      M.route[want].h);
		release_route_ref(&c, want);
	}
	if (crit) {
		AGREE(crit->RouteOwner == M.ent[M.route[want].owner].h &&
			      crit->PrefInfo.Preference == M.route[want].pref &&
			      crit->NextHopsList.NumNextHops == M.route[want].nnh,
		      "RtmGetExactMatchRoute: the criteria were not replaced by route%d", want);
		rc = RtmReleaseRouteInfo(c.h, crit);
		AGREE(rc == NO_ERROR, "RtmReleaseRouteInfo: %lu", (unsigned long)rc);
	}
}

static void op_is_best(void)
{
	struct pick c = pick_caller();
	struct pick p = pick_handle(K_ROUTE);
	RTM_VIEW_SET views = 0xdead;
	struct expect x = { 0 };

	if (!valid(&c, K_ENT))
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	else if (!valid(&p, K_ROUTE))
		ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
	T("RtmIsBestRoute(%s, %s)\n", pick_str(&c), pick_str(&p));
	if (!CHECK_RC("RtmIsBestRoute", RtmIsBestRoute(c.h, p.h, &views), &x))
		return;
	DWORD want = 0;
	for (unsigned v = 0; v < 2; v++)
		if (!M.route[p.idx].deleted &&
		    m_best(&M, M.route[p.idx].dest, v, RTM_BEST_PROTOCOL, -1) == p.idx)
			want |= 1u << v;
	AGREE(views == want, "RtmIsBestRoute(route%d): %#x, model %#x", p.idx, views, want);
}

static void op_route_info(void)
{
	struct pick c = pick_caller();
	struct pick p = pick_handle(K_ROUTE);
	char buf[RTM_SIZE_OF_ROUTE_INFO(M_MAX_NH_IN_ROUTE + 1)];
	RTM_ROUTE_INFO *ri = (RTM_ROUTE_INFO *)buf;
	RTM_NET_ADDRESS addr;
	struct expect x = { 0 };

	if (!valid(&c, K_ENT))
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	else if (!valid(&p, K_ROUTE))
		ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
	T("RtmGetRouteInfo(%s, %s)\n", pick_str(&c), pick_str(&p));
	if (!CHECK_RC("RtmGetRouteInfo", RtmGetRouteInfo(c.h, p.h, ri, &addr), &x))
		return;
	const struct m_route *r = &M.route[p.idx];
	agree_handle(__LINE__, K_DEST, r->dest, ri->DestHandle);
	AGREE(ri->RouteOwner == M.ent[r->owner].h, "route%d: RouteOwner", p.idx);
	AGREE(ri->Neighbour == (r->neighbour >= 0 ? M.nh[r->neighbour].h : NULL), "route%d: Neighbour",
	      p.idx);
	AGREE(ri->State == (r->deleted ? RTM_ROUTE_STATE_DELETED : RTM_ROUTE_STATE_CREATED),
	      "route%d: State %u", p.idx, ri->State);
	AGREE(ri->Flags == r->flags && ri->PrefInfo.Preference == r->pref &&
		      ri->PrefInfo.Metric == r->metric && ri->BelongsToViews == r->views,
	      "route%d: flags/pref/metric/views %#x/%lu/%lu/%#x, model %#x/%lu/%lu/%#x", p.idx,
	      ri->Flags, (unsigned long)ri->PrefInfo.Preference, (unsigned long)ri->PrefInfo.Metric,
	      ri->BelongsToViews, r->flags, (unsigned long)r->pref, (unsigned long)r->metric, r->views);
	AGREE(ri->NextHopsList.NumNextHops == r->nnh, "route%d: %u next hops, model %d", p.idx,
	      ri->NextHopsList.NumNextHops, r->nnh);
	for (int i = 0; i < r->nnh; i++)
		AGREE(ri->NextHopsList.NextHops[i] == M.nh[r->nh[i]].h, "route%d: next hop %d", p.idx, i);
	RTM_NET_ADDRESS want;
	fill_net(&want, dest_key(r->dest));
	AGREE(addr.NumBits == want.NumBits && memcmp(addr.AddrBits, want.AddrBits, 4) == 0,
	      "route%d: destination address", p.idx);
	DWORD rc = RtmReleaseRouteInfo(c.h, ri);
	AGREE(rc == NO_ERROR, "RtmReleaseRouteInfo: %lu", (unsigned long)rc);
}

/* ---- enumerations ---------------------------------------------------------------------- */

static int new_enum(void)
{
	return M.nen < M_MAX_ENUM ? M.nen : -1;
}

static void op_create_enum(void)
{
	struct pick c = pick_caller();
	uint8_t kind = u8() % 4; /* dest, route, list, next hop */
	DWORD views = pick_views();
	uint8_t f = u8();
	DWORD how = f % 4 == 3 ? 0x3 : f % 4; /* START, NEXT, RANGE, or both bits */
	DWORD flags = how | (f & 4 && kind < 2 ? (kind == 0 ? RTM_ENUM_OWN_DESTS : RTM_ENUM_OWN_ROUTES) : 0);
	bool null_addr = (f & 0x18) == 0x18;
	struct addr_pick ap = pick_addr(false);
	ULONG proto = pick_proto();
	struct pick dp = { K_NULL, -1, NULL }, lp = { K_NULL, -1, NULL };
	struct expect x = { 0 };
	RTM_ENUM_HANDLE h = NULL;
	int slot = new_enum();

	if (slot < 0)
		return;
	if (kind == 1 && (f & 0x20))
		dp = pick_handle(K_DEST);
	if (kind == 2) {
		lp = pick_handle(K_LIST);
		if (lp.kind == K_LIST && (u8() & 3) != 0) /* mostly the list's owner */
			c = (struct pick){ K_ENT, M.list[lp.idx].owner, M.ent[M.list[lp.idx].owner].h };
	}
	if (!valid(&c, K_ENT)) {
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	} else if (kind == 2) {
		if (!valid(&lp, K_LIST) || M.list[lp.idx].owner != c.idx)
			ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
	} else {
		if (views_bad(views) && kind != 3)
			ex_add(&x, G_ARGS, ERROR_NOT_SUPPORTED);
		if (kind == 1 && dp.h) {
			if (!dest_ok(&c, &dp))
				ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
		} else {
			if (how == 3 || ((how == 1 || how == 2) && (null_addr || ap.bad)))
				ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
		}
	}
	T("RtmCreate%sEnum(%s, views %#x, flags %#x, addr %s%d/%u%s, proto %lu, %s)\n",
	  kind == 0 ? "Dest" : kind == 1 ? "Route" : kind == 2 ? "RouteList" : "NextHop", pick_str(&c), views, flags,
	  null_addr ? "NULL " : "", ap.prefix, ap.a.NumBits, ap.bad ? " bad" : "",
	  (unsigned long)proto, pick_str(kind == 1 ? &dp : &lp));
	DWORD rc;
	const char *name;
	if (kind == 0) {
		name = "RtmCreateDestEnum";
		rc = RtmCreateDestEnum(c.h, views, flags, null_addr ? NULL : &ap.a, proto, &h);
	} else if (kind == 1) {
		name = "RtmCreateRouteEnum";
		rc = RtmCreateRouteEnum(c.h, dp.h, views, flags, null_addr ? NULL : &ap.a,
					RTM_MATCH_NONE, NULL, 0, &h);
	} else if (kind == 2) {
		name = "RtmCreateRouteListEnum";
		rc = RtmCreateRouteListEnum(c.h, lp.h, &h);
	} else {
		name = "RtmCreateNextHopEnum";
		rc = RtmCreateNextHopEnum(c.h, flags, null_addr ? NULL : &ap.a, &h);
	}
	if (!CHECK_RC(name, rc, &x))
		return;
	struct m_enum *en = &M.en[M.nen++];
	memset(en, 0, sizeof *en);
	en->owner = c.idx;
	en->alive = true;
	en->h = h;
	en->dest = -1;
	if (kind == 2) {
		en->kind = M_ENUM_LIST;
		/* A snapshot in list order, holding references (§12). */
		for (;;) {
			int next = -1;
			for (int r = 0; r < M.nroute; r++) {
				if (M.route[r].list != lp.idx)
					continue;
				bool taken = false;
				for (int i = 0; i < en->npending; i++)
					taken |= en->pending[i] == r;
				if (!taken && (next < 0 || M.route[r].list_seq < M.route[next].list_seq))
					next = r;
			}
			if (next < 0)
				break;
			en->pending[en->npending++] = next;
			M.route[next].pins++;
		}
		return;
	}
	en->kind = kind == 0 ? M_ENUM_DEST : kind == 1 ? M_ENUM_ROUTE : M_ENUM_NH;
	en->views = views_eff(views);
	en->flags = flags;
	en->proto = proto;
	if (kind == 1 && dp.h) {
		en->dest = dp.idx;
	} else if (how != 0) {
		en->has_from = true;
		en->has_range = how == 2;
		en->from = ap.key;
	}
}

/* The next destination of an enumeration's walk in key order (§10), moving its cursor. */
static int walk_next(struct m_enum *en)
{
	int table = M.ent[en->owner].table, next = -1;

	for (int d = 0; d < M.ndest; d++) {
		if (!M.dest[d].in_table || M.dest[d].table != table)
			continue;
		const struct m_prefix *k = dest_key(d);
		if (en->started ? m_key_cmp(k, &en->cursor) <= 0
				: en->has_from && m_key_cmp(k, &en->from) < 0)
			continue;
		if (next < 0 || m_key_cmp(k, dest_key(next)) < 0)
			next = d;
	}
	if (next < 0 || (en->has_range && !m_covers(&en->from, dest_key(next)))) {
		en->done = true;
		return -1;
	}
	en->cursor = *dest_key(next);
	en->started = true;
	return next;
}

/* Next hop i's key against (address, interface): the next-hop enumeration order. */
static int nh_key_cmp(int i, const struct m_prefix *k, ULONG ifindex)
{
	struct m_prefix a = { m_nh_addr[M.nh[i].key], 32 };
	int c = m_key_cmp(&a, k);

	if (c)
		return c;
	ULONG ia = m_nh_if[M.nh[i].key];
	return ia < ifindex ? -1 : ia > ifindex;
}

static bool owns_best(int d, int e, DWORD views)
{
	for (unsigned v = 0; v < 2; v++) {
		if (!((views ? views : 3) & (1u << v)))
			continue;
		int b = m_best(&M, d, v, RTM_BEST_PROTOCOL, -1);
		if (b >= 0 && M.route[b].owner == e)
			return true;
	}
	return false;
}

/* Load the routes of d that the enumeration wants (one snapshot, with references). */
static void load_routes(struct m_enum *en, int d)
{
	int rs[M_MAX_ROUTE], n = m_dest_routes(&M, d, rs);

	en->npending = en->ipending = 0;
	for (int i = 0; i < n; i++) {
		const struct m_route *r = &M.route[rs[i]];
		if (en->views && !(r->views & en->views))
			continue;
		if ((en->flags & RTM_ENUM_OWN_ROUTES) && r->owner != en->owner)
			continue;
		en->pending[en->npending++] = rs[i];
		M.route[rs[i]].pins++;
	}
}

static void op_get_enum(void)
{
	struct pick p = pick_handle(K_ENUM);
	struct pick c = caller_for(&p, K_ENUM);
	uint8_t k = u8();
	UINT num = k % 8 == 0 ? 0u : k % 8 == 1 ? M.max_enum + 1 : k % 8 == 2 ? M.max_enum : k % 5 + 1u;
	uint8_t call = u8(); /* which GetEnum* to call: dests, routes, list routes, next hops */
	struct expect x = { 0 };
	static char dbuf[DI_STRIDE * 64];
	RTM_ROUTE_HANDLE rh[64];

	if (num > 64)
		return;
	struct m_enum *en = p.kind == K_ENUM ? &M.en[p.idx] : NULL;
	/* Mostly the call that fits the enumeration, sometimes another kind's. */
	if (en && (call & 0x30))
		call = en->kind == M_ENUM_DEST ? 0 : en->kind == M_ENUM_ROUTE ? 1
						: en->kind == M_ENUM_LIST ? 2 : 3;
	else
		call %= 4;
	static const enum m_enum_kind want_kind[] = { M_ENUM_DEST, M_ENUM_ROUTE, M_ENUM_LIST,
						      M_ENUM_NH };
	if (!valid(&c, K_ENT)) {
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	} else {
		/* §12: RtmGetListEnumRoutes only bounds *num from above. */
		if ((num == 0 && call != 2) || num > M.max_enum)
			ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
		if (!valid(&p, K_ENUM) || en->owner != c.idx || en->kind != want_kind[call])
			ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
	}
	static const char *names[] = { "RtmGetEnumDests", "RtmGetEnumRoutes", "RtmGetListEnumRoutes",
				       "RtmGetEnumNextHops" };
	T("%s(%s, %s, %u)\n", names[call], pick_str(&c), pick_str(&p), num);
	UINT got = num;
	DWORD rc;
	if (call == 0)
		rc = RtmGetEnumDests(c.h, p.h, &got, (RTM_DEST_INFO *)dbuf);
	else if (call == 1)
		rc = RtmGetEnumRoutes(c.h, p.h, &got, rh);
	else if (call == 2)
		rc = RtmGetListEnumRoutes(c.h, p.h, &got, rh);
	else
		rc = RtmGetEnumNextHops(c.h, p.h, &got, rh);
	if (!ex_success(&x)) {
		CHECK_RC(names[call], rc, &x);
		return;
	}
	/* The model's batch. */
	int items[64], n = 0;
	bool end = false;
	if (en->kind == M_ENUM_DEST) {
		while (n < (int)num && !en->done) {
			int d;
			while ((d = walk_next(en)) >= 0) {
				if (m_qualifies(&M, d, en->views) &&
				    (!(en->flags & RTM_ENUM_OWN_DESTS) || owns_best(d, en->owner, en->views))) {
					items[n++] = d;
					break;
				}
			}
		}
		end = en->done;
	} else if (en->kind == M_ENUM_ROUTE) {
		while (n < (int)num) {
			if (en->ipending < en->npending) {
				items[n++] = en->pending[en->ipending++];
				continue;
			}
			if (en->done)
				break;
			int d;
			if (en->dest >= 0) {
				d = en->dest;
				en->done = true;
			} else {
				d = walk_next(en);
			}
			if (d >= 0)
				load_routes(en, d);
		}
		end = en->done && en->ipending == en->npending;
	} else if (en->kind == M_ENUM_NH) {
		/* Live, in (address, interface) order after the cursor (§10). */
		while (n < (int)num && !en->done) {
			int next = -1;
			for (int i = 0; i < M.nnh; i++) {
				const struct m_nh *h = &M.nh[i];
				struct m_prefix hk = { m_nh_addr[h->key], 32 };
				if (h->owner != en->owner || h->deleted)
					continue;
				if (en->started && nh_key_cmp(i, &en->cursor, en->cursor_if) <= 0)
					continue;
				if (!en->started && en->has_from && m_key_cmp(&hk, &en->from) < 0)
					continue;
				if (en->has_range && !m_covers(&en->from, &hk))
					continue;
				if (next < 0 || nh_key_cmp(i, &(struct m_prefix){ m_nh_addr[M.nh[next].key], 32 },
							   m_nh_if[M.nh[next].key]) < 0)
					next = i;
			}
			if (next < 0) {
				en->done = true;
				break;
			}
			items[n++] = next;
			en->cursor = (struct m_prefix){ m_nh_addr[M.nh[next].key], 32 };
			en->cursor_if = m_nh_if[M.nh[next].key];
			en->started = true;
		}
		/* librtm also ends the walk when a batch takes the last item. */
		if (!en->done) {
			bool more = false;
			for (int i = 0; i < M.nnh; i++) {
				const struct m_nh *h = &M.nh[i];
				struct m_prefix hk = { m_nh_addr[h->key], 32 };
				if (h->owner == en->owner && !h->deleted &&
				    nh_key_cmp(i, &en->cursor, en->cursor_if) > 0 &&
				    (!en->has_range || m_covers(&en->from, &hk)))
					more = true;
			}
			if (!more)
				en->done = true;
		}
	} else {
		while (n < (int)num && en->ipending < en->npending)
			items[n++] = en->pending[en->ipending++];
	}
	T("  model: %d items%s\n", n, end ? ", at the end" : ""); /* shown in the trace */
	/* §10: NO_ERROR when the batch is full, ERROR_NO_MORE_ITEMS when the
	 * end came first (possibly with items). */
	struct expect y = { 0 };
	if (n < (int)num && call != 2)
		ex_add(&y, G_STATE, ERROR_NO_MORE_ITEMS);
	CHECK_RC(names[call], rc, &y);
	AGREE(got == (UINT)n, "%s(enum%d): %u items, model %d", names[call], p.idx, got, n);
	if (call == 0) {
		for (int i = 0; i < n; i++)
			agree_dest_info(__LINE__, di_at(dbuf, i), items[i], en->owner, en->proto,
					en->views ? en->views : 0);
		if (n) {
			rc = RtmReleaseDests(c.h, got, (RTM_DEST_INFO *)dbuf);
			AGREE(rc == NO_ERROR, "RtmReleaseDests: %lu", (unsigned long)rc);
		}
	} else if (call == 3) {
		for (int i = 0; i < n; i++)
			AGREE(rh[i] == M.nh[items[i]].h, "RtmGetEnumNextHops(enum%d): item %d is %p, model nh%d %p",
			      p.idx, i, rh[i], items[i], M.nh[items[i]].h);
		if (n) {
			rc = RtmReleaseNextHops(c.h, got, rh);
			AGREE(rc == NO_ERROR, "RtmReleaseNextHops: %lu", (unsigned long)rc);
		}
	} else {
		for (int i = 0; i < n; i++) {
			AGREE(rh[i] == M.route[items[i]].h, "%s(enum%d): item %d is %p, model route%d %p",
			      names[call], p.idx, i, rh[i], items[i], M.route[items[i]].h);
			M.route[items[i]].pins--; /* the reference passes to the driver... */
		}
		if (n) {
			rc = RtmReleaseRoutes(c.h, got, rh); /* ...which gives it back */
			AGREE(rc == NO_ERROR, "RtmReleaseRoutes: %lu", (unsigned long)rc);
		}
	}
}

static void op_delete_enum(void)
{
	struct pick p = pick_handle(K_ENUM);
	struct pick c = caller_for(&p, K_ENUM);
	struct expect x = { 0 };

	if (!valid(&c, K_ENT))
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	else if (!valid(&p, K_ENUM) || M.en[p.idx].owner != c.idx)
		ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
	T("RtmDeleteEnumHandle(%s, %s)\n", pick_str(&c), pick_str(&p));
	if (!CHECK_RC("RtmDeleteEnumHandle", RtmDeleteEnumHandle(c.h, p.h), &x))
		return;
	unpin_enum(p.idx);
	M.en[p.idx].alive = false;
}

/* ---- change notification --------------------------------------------------------------- */

static void op_notify_register(void)
{
	struct pick c = pick_caller();
	DWORD views = pick_views();
	static const DWORD fl[] = { 1, 2, 4, 3, 7, 1 | RTM_NOTIFY_ONLY_MARKED_DESTS,
				    2 | RTM_NOTIFY_ONLY_MARKED_DESTS, 0, 8, RTM_NOTIFY_ONLY_MARKED_DESTS };
	DWORD flags = fl[u8() % 10];
	RTM_NOTIFY_HANDLE h = NULL;
	struct expect x = { 0 };

	if (M.nreg == M_MAX_REG)
		return;
	if (!valid(&c, K_ENT)) {
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	} else {
		if (!(flags & 7) || (flags & ~(7u | RTM_NOTIFY_ONLY_MARKED_DESTS)))
			ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
		if (views_bad(views))
			ex_add(&x, G_ARGS, ERROR_NOT_SUPPORTED);
	}
	T("RtmRegisterForChangeNotification(%s, views %#x, flags %#x)\n", pick_str(&c), views, flags);
	DWORD rc = RtmRegisterForChangeNotification(c.h, views, flags, NULL, &h);
	if (!CHECK_RC("RtmRegisterForChangeNotification", rc, &x))
		return;
	struct m_reg *g = &M.reg[M.nreg++];
	memset(g, 0, sizeof *g);
	g->owner = c.idx;
	g->alive = true;
	g->views = views_eff(views);
	g->flags = flags;
	g->h = h;
}

/* The common checks of the calls that take (caller, notify handle). */
static void notify_checks(const struct pick *c, const struct pick *g, struct expect *x)
{
	if (!valid(c, K_ENT))
		ex_add(x, G_CALLER, ERROR_INVALID_HANDLE);
	else if (!valid(g, K_REG) || M.reg[g->idx].owner != c->idx)
		ex_add(x, G_ARGS, ERROR_INVALID_HANDLE);
}

static void op_get_changed(void)
{
	struct pick g = pick_handle(K_REG);
	struct pick c = caller_for(&g, K_REG);
	uint8_t k = u8();
	UINT num = k % 8 == 0 ? 0u : k % 8 == 1 ? M.max_enum + 1 : k % 4 + 1u;
	static char dbuf[DI_STRIDE * 64];
	struct expect x = { 0 };

	if (num > 64)
		return;
	notify_checks(&c, &g, &x);
	if (valid(&c, K_ENT) && (num == 0 || num > M.max_enum))
		ex_add(&x, G_ARGS, ERROR_INVALID_PARAMETER);
	T("RtmGetChangedDests(%s, %s, %u)\n", pick_str(&c), pick_str(&g), num);
	UINT got = num;
	DWORD rc = RtmGetChangedDests(c.h, g.h, &got, (RTM_DEST_INFO *)dbuf);
	if (!ex_success(&x)) {
		CHECK_RC("RtmGetChangedDests", rc, &x);
		return;
	}
	struct m_reg *r = &M.reg[g.idx];
	int items[64], n = 0;
	while (n < (int)num && r->nqueue > 0) {
		items[n++] = r->queue[0];
		memmove(r->queue, r->queue + 1, (size_t)(r->nqueue - 1) * sizeof r->queue[0]);
		r->nqueue--;
	}
	struct expect y = { 0 };
	if (n < (int)num)
		ex_add(&y, G_STATE, ERROR_NO_MORE_ITEMS);
	CHECK_RC("RtmGetChangedDests", rc, &y);
	AGREE(got == (UINT)n, "RtmGetChangedDests(reg%d): %u destinations, model %d", g.idx, got, n);
	for (int i = 0; i < n; i++)
		agree_dest_info(__LINE__, di_at(dbuf, i), items[i], c.idx, RTM_BEST_PROTOCOL,
				r->views ? r->views : RTM_VIEW_MASK_ALL);
	if (n) {
		rc = RtmReleaseChangedDests(c.h, g.h, got, (RTM_DEST_INFO *)dbuf);
		AGREE(rc == NO_ERROR, "RtmReleaseChangedDests: %lu", (unsigned long)rc);
	}
}

static bool is_queued(int g, int d)
{
	for (int i = 0; i < M.reg[g].nqueue; i++)
		if (M.reg[g].queue[i] == d)
			return true;
	return false;
}

/* RtmGetChangeStatus, RtmIsMarkedForChangeNotification, RtmMarkDestForChangeNotification,
 * RtmIgnoreChangedDests: one destination of one registration. */
static void op_notify_dest(void)
{
	struct pick g = pick_handle(K_REG);
	struct pick c = caller_for(&g, K_REG);
	struct pick dp = pick_handle(K_DEST);
	uint8_t what = u8() % 5;
	struct expect x = { 0 };
	BOOL b = 0x55;

	notify_checks(&c, &g, &x);
	if (valid(&c, K_ENT) && !dest_ok(&c, &dp))
		ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
	DWORD rc;
	switch (what) {
	case 0:
		T("RtmGetChangeStatus(%s, %s, %s)\n", pick_str(&c), pick_str(&g), pick_str(&dp));
		rc = RtmGetChangeStatus(c.h, g.h, dp.h, &b);
		if (CHECK_RC("RtmGetChangeStatus", rc, &x))
			AGREE(!!b == is_queued(g.idx, dp.idx), "RtmGetChangeStatus: %d", b);
		break;
	case 1:
		T("RtmIsMarkedForChangeNotification(%s, %s, %s)\n", pick_str(&c), pick_str(&g),
		  pick_str(&dp));
		rc = RtmIsMarkedForChangeNotification(c.h, g.h, dp.h, &b);
		if (CHECK_RC("RtmIsMarkedForChangeNotification", rc, &x))
			AGREE(!!b == !!(M.dest[dp.idx].marks & (1u << g.idx)),
			      "RtmIsMarkedForChangeNotification: %d", b);
		break;
	case 2:
	case 3: {
		BOOL mark = what == 2;
		T("RtmMarkDestForChangeNotification(%s, %s, %s, %d)\n", pick_str(&c), pick_str(&g),
		  pick_str(&dp), mark);
		rc = RtmMarkDestForChangeNotification(c.h, g.h, dp.h, mark);
		if (CHECK_RC("RtmMarkDestForChangeNotification", rc, &x)) {
			if (mark)
				M.dest[dp.idx].marks |= 1u << g.idx;
			else
				M.dest[dp.idx].marks &= ~(1u << g.idx);
		}
		break;
	}
	default: {
		RTM_DEST_HANDLE hs[1] = { dp.h };
		T("RtmIgnoreChangedDests(%s, %s, %s)\n", pick_str(&c), pick_str(&g), pick_str(&dp));
		rc = RtmIgnoreChangedDests(c.h, g.h, 1, hs);
		if (CHECK_RC("RtmIgnoreChangedDests", rc, &x)) {
			struct m_reg *r = &M.reg[g.idx];
			for (int i = 0; i < r->nqueue; i++)
				if (r->queue[i] == dp.idx) {
					memmove(r->queue + i, r->queue + i + 1,
						(size_t)(r->nqueue - i - 1) * sizeof r->queue[0]);
					r->nqueue--;
					break;
				}
		}
		break;
	}
	}
}

static void op_notify_deregister(void)
{
	struct pick g = pick_handle(K_REG);
	struct pick c = caller_for(&g, K_REG);
	struct expect x = { 0 };

	notify_checks(&c, &g, &x);
	T("RtmDeregisterFromChangeNotification(%s, %s)\n", pick_str(&c), pick_str(&g));
	if (CHECK_RC("RtmDeregisterFromChangeNotification",
		     RtmDeregisterFromChangeNotification(c.h, g.h), &x))
		m_reg_drop(&M, g.idx);
}

/* ---- route lists ----------------------------------------------------------------------- */

static void op_list(void)
{
	struct pick c = pick_caller();
	uint8_t what = u8() % 3;
	struct expect x = { 0 };

	if (what == 0) {
		RTM_ROUTE_LIST_HANDLE h = NULL;
		if (M.nlist == M_MAX_LIST)
			return;
		if (!valid(&c, K_ENT))
			ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
		T("RtmCreateRouteList(%s)\n", pick_str(&c));
		if (!CHECK_RC("RtmCreateRouteList", RtmCreateRouteList(c.h, &h), &x))
			return;
		M.list[M.nlist++] = (struct m_list){ .owner = c.idx, .alive = true, .h = h };
		return;
	}
	struct pick lp = pick_handle(K_LIST);
	if (lp.kind == K_LIST && (u8() & 3) != 0) /* mostly the list's owner */
		c = (struct pick){ K_ENT, M.list[lp.idx].owner, M.ent[M.list[lp.idx].owner].h };
	if (what == 1) {
		if (!valid(&c, K_ENT))
			ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
		else if (!valid(&lp, K_LIST) || M.list[lp.idx].owner != c.idx)
			ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
		T("RtmDeleteRouteList(%s, %s)\n", pick_str(&c), pick_str(&lp));
		if (!CHECK_RC("RtmDeleteRouteList", RtmDeleteRouteList(c.h, lp.h), &x))
			return;
		M.list[lp.idx].alive = false;
		for (int r = 0; r < M.nroute; r++)
			if (M.route[r].list == lp.idx)
				M.route[r].list = -1;
		return;
	}
	/* Insert up to three routes (the NULL list takes them out of their lists). */
	if (u8() & 1)
		lp = (struct pick){ K_NULL, -1, NULL };
	UINT n = u8() % 4;
	struct pick rp[3];
	RTM_ROUTE_HANDLE hs[3];
	for (UINT i = 0; i < n; i++) {
		rp[i] = pick_handle(K_ROUTE);
		hs[i] = rp[i].h;
	}
	if (!valid(&c, K_ENT)) {
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	} else {
		if (lp.h && (!valid(&lp, K_LIST) || M.list[lp.idx].owner != c.idx))
			ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
		for (UINT i = 0; i < n; i++)
			if (!valid(&rp[i], K_ROUTE))
				ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
			else if (M.route[rp[i].idx].owner != c.idx)
				ex_add(&x, G_OWNER, ERROR_ACCESS_DENIED);
	}
	T("RtmInsertInRouteList(%s, %s, %u:", pick_str(&c), pick_str(&lp), n);
	for (UINT i = 0; i < n; i++)
		T(" %s", pick_str(&rp[i]));
	T(")\n");
	if (!CHECK_RC("RtmInsertInRouteList", RtmInsertInRouteList(c.h, lp.h, n, hs), &x))
		return;
	for (UINT i = 0; i < n; i++)
		if (!M.route[rp[i].idx].deleted)
			model_list_move(rp[i].idx, lp.h ? lp.idx : -1);
}

/* ---- entities, references --------------------------------------------------------------- */

static void op_get_entities(void)
{
	struct pick c = pick_caller();
	UINT num = u8() % 5;
	RTM_ENTITY_HANDLE hs[8];
	RTM_ENTITY_INFO infos[8];
	struct expect x = { 0 };
	UINT total = 0;

	if (!valid(&c, K_ENT)) {
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	} else {
		for (int i = 0; i < M.nent; i++)
			total += M.ent[i].alive && M.ent[i].table == caller_table(&c);
		if (num < total)
			ex_add(&x, G_STATE, ERROR_INSUFFICIENT_BUFFER);
	}
	T("RtmGetRegisteredEntities(%s, %u)\n", pick_str(&c), num);
	UINT got = num;
	DWORD rc = RtmGetRegisteredEntities(c.h, &got, hs, infos);
	bool ok = CHECK_RC("RtmGetRegisteredEntities", rc, &x);
	if (!valid(&c, K_ENT))
		return;
	AGREE(got == total, "RtmGetRegisteredEntities: %u, model %u", got, total);
	if (!ok)
		return;
	for (UINT i = 0; i < got; i++) {
		struct pick p;
		AGREE(classify(hs[i], &p) && p.kind == K_ENT && M.ent[p.idx].alive &&
			      M.ent[p.idx].table == caller_table(&c) &&
			      infos[i].EntityId.EntityProtocolId == M.ent[p.idx].proto &&
			      infos[i].EntityId.EntityInstanceId == M.ent[p.idx].inst,
		      "RtmGetRegisteredEntities: entry %u", i);
	}
	if (got) {
		rc = RtmReleaseEntities(c.h, got, hs);
		AGREE(rc == NO_ERROR, "RtmReleaseEntities: %lu", (unsigned long)rc);
	}
}

/* RtmReferenceHandles, then an all-or-nothing release that must refuse a bad handle. */
static void op_reference(void)
{
	struct pick c = pick_caller();
	static const int kinds[] = { K_ENT, K_DEST, K_ROUTE, K_NH };
	int want = kinds[u8() % 4];
	struct pick p = pick_handle(want);
	struct expect x = { 0 };

	if (!valid(&c, K_ENT))
		ex_add(&x, G_CALLER, ERROR_INVALID_HANDLE);
	else if (!(p.kind == K_ENT || p.kind == K_DEST || p.kind == K_ROUTE || p.kind == K_NH) ||
		 !(p.kind == K_ENT ? entity_object_alive(p.idx) : alive(p.kind, p.idx)))
		ex_add(&x, G_ARGS, ERROR_INVALID_HANDLE);
	T("RtmReferenceHandles(%s, %s)\n", pick_str(&c), pick_str(&p));
	if (!CHECK_RC("RtmReferenceHandles", RtmReferenceHandles(c.h, 1, &p.h), &x))
		return;
	struct pick bad = pick_handle(p.kind);
	HANDLE two[2] = { p.h, bad.h };
	bool bad_ok = bad.kind == p.kind &&
		      (p.kind == K_ENT ? entity_object_alive(bad.idx) : alive(p.kind, bad.idx));
	DWORD rc;
	if (!bad_ok && p.kind != K_DEST) {
		T("  release [%s, %s]\n", pick_str(&p), pick_str(&bad));
		if (p.kind == K_ENT)
			rc = RtmReleaseEntities(c.h, 2, two);
		else if (p.kind == K_ROUTE)
			rc = RtmReleaseRoutes(c.h, 2, two);
		else
			rc = RtmReleaseNextHops(c.h, 2, two);
		AGREE(rc == ERROR_INVALID_HANDLE, "a release with a bad handle among good ones: %lu",
		      (unsigned long)rc);
	}
	if (p.kind == K_DEST) {
		char buf[RTM_SIZE_OF_DEST_INFO(1)];
		RTM_DEST_INFO *di = (RTM_DEST_INFO *)buf;
		memset(buf, 0, sizeof buf);
		di->DestHandle = p.h;
		rc = RtmReleaseDestInfo(c.h, di);
	} else if (p.kind == K_ENT) {
		rc = RtmReleaseEntities(c.h, 1, &p.h);
	} else if (p.kind == K_ROUTE) {
		rc = RtmReleaseRoutes(c.h, 1, &p.h);
	} else {
		rc = RtmReleaseNextHops(c.h, 1, &p.h);
	}
	AGREE(rc == NO_ERROR, "releasing the extra reference: %lu", (unsigned long)rc);
}

/* ---- the run ----------------------------------------------------------------------------- */

typedef void (*op_fn)(void);
static const op_fn ops[] = {
	op_register,      op_register,        op_deregister,      op_add_nexthop,  op_add_nexthop,
	op_delete_nexthop, op_find_nexthop,   op_add_route,       op_add_route,    op_add_route,
	op_add_route,     op_delete_route,    op_delete_route,    op_lock_update,  op_lock_dest,
	op_lookup,        op_lookup,          op_lookup,          op_is_best,      op_route_info,
	op_create_enum,   op_get_enum,        op_get_enum,        op_delete_enum,  op_notify_register,
	op_get_changed,   op_get_changed,     op_notify_dest,     op_notify_deregister, op_list,
	op_list,          op_get_entities,    op_reference,       op_exact_route,
};
#define N_OPS (sizeof ops / sizeof ops[0])

/* Read the limits once from a registration profile. */
static void init_limits(UINT *max_nh, UINT *max_enum)
{
	static UINT nh, en;
	if (!nh) {
		RTM_ENTITY_INFO info = { 0 };
		RTM_REGN_PROFILE prof;
		RTM_ENTITY_HANDLE h;
		info.RtmInstanceId = 0;
		info.AddressFamily = AF_INET;
		info.EntityId.EntityProtocolId = 0xfff0;
		if (RtmRegisterEntity(&info, NULL, NULL, FALSE, &prof, &h) != NO_ERROR)
			abort();
		nh = prof.MaxNextHopsInRoute;
		en = prof.MaxHandlesInEnum;
		if (RtmDeregisterEntity(h) != NO_ERROR)
			abort();
	}
	*max_nh = nh;
	*max_enum = en;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	UINT max_nh, max_enum;

	static bool once;
	if (!once) {
		once = true;
		const char *st = getenv("RTM_FUZZ_STATS");
		if (st && *st == '1')
			atexit(print_stats);
	}
	init_limits(&max_nh, &max_enum);
	m_init(&M, max_nh, max_enum);
	in = data;
	in_len = size;
	in_pos = 0;
	trace_len = 0;
	n_ops = 0;
	while (in_pos < in_len) {
		n_ops++;
		ops[u8() % N_OPS]();
	}
	/* Leave librtm empty: delete the enumerations (their snapshots hold
	 * references), then deregister every entity. */
	T("-- cleanup\n");
	if (getenv("RTM_FUZZ_TRACE"))
		fprintf(stderr, "%.*s", (int)trace_len, trace);
	for (int i = 0; i < M.nen; i++)
		if (M.en[i].alive) {
			struct pick c = { K_ENT, M.en[i].owner, M.ent[M.en[i].owner].h };
			DWORD rc = RtmDeleteEnumHandle(c.h, M.en[i].h);
			AGREE(rc == NO_ERROR, "cleanup: RtmDeleteEnumHandle: %lu", (unsigned long)rc);
			unpin_enum(i);
			M.en[i].alive = false;
		}
	for (int i = 0; i < M.nent; i++)
		if (M.ent[i].alive) {
			struct pick c = { K_ENT, i, M.ent[i].h };
			deregister(&c);
		}
	/* Every object is gone now, so every handle ever seen must be dead, in
	 * the model and in librtm: a reference librtm leaked would keep one
	 * alive. An auditor entity asks librtm about each. */
	RTM_ENTITY_INFO info = { 0 };
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE auditor;
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = 0xfff1;
	AGREE(RtmRegisterEntity(&info, NULL, NULL, FALSE, &prof, &auditor) == NO_ERROR,
	      "cleanup: cannot register the auditor");
	for (int k = 0; k < K_COUNT; k++)
		for (int i = 0; i < count_of(k); i++) {
			HANDLE h = handle_of(k, i);
			AGREE(!h || !alive(k, i), "cleanup: object %d of kind %d lives on", i, k);
			if (!h || k == K_REG || k == K_ENUM || k == K_LIST)
				continue;
			DWORD rc = RtmReferenceHandles(auditor, 1, &h);
			if (rc == NO_ERROR)
				fail(__LINE__, "cleanup: librtm keeps object %d of kind %d (%p) alive", i, k, h);
		}
	AGREE(RtmDeregisterEntity(auditor) == NO_ERROR, "cleanup: cannot deregister the auditor");
	return 0;
}
