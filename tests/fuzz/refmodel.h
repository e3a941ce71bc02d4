/*
 * refmodel.h - a deliberately simple model of one RTMv2 store, for the
 * api_seq differential fuzzer (api_seq.c).
 *
 * The model follows SEMANTICS.md (and librtm's README "Decisions" where
 * SEMANTICS leaves a choice) in the plainest style there is: fixed arrays of
 * objects that are never reused within one run, linear scans, no concurrency,
 * no cleverness. Whatever the model answers, librtm must answer too.
 *
 * Objects are named by their index in their array. Every object records the
 * librtm handle value the driver saw for it (NULL until seen), so that
 * handles coming back from librtm can be mapped to model objects. The model
 * also tracks references where they decide whether a handle is still valid:
 * an object is alive while it is live in the store or someone (the driver, a
 * route list or route enumeration snapshot, a change queue, a route) holds a
 * reference to it.
 *
 * Scope: IPv4 tables only; hold-down is never armed and every TimeToLive is
 * INFINITE, so no timer ever fires; entities have no callback, so nothing
 * runs on librtm's worker thread (the change queues are read with
 * RtmGetChangedDests, which needs no callback).
 */
#ifndef RTM_FUZZ_REFMODEL_H
#define RTM_FUZZ_REFMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <rtmv2.h>

#define M_TABLES 2
#define M_ENTITY_SLOTS 4      /* identities the fuzzer can register */
#define M_PREFIXES 16         /* the prefix universe (refmodel.c) */
#define M_NH_KEYS 4           /* (address, interface) keys of next hops */

#define M_MAX_ENT 24
#define M_MAX_NH 64
#define M_MAX_ROUTE 128
#define M_MAX_DEST 96
#define M_MAX_REG 32
#define M_MAX_ENUM 48
#define M_MAX_LIST 24
#define M_MAX_NH_IN_ROUTE 8   /* room; the table's limit is the profile's */

struct m_prefix {
	uint32_t addr; /* host order, masked */
	unsigned len;
};

struct m_entity {
	int slot, table;
	ULONG proto, inst;
	bool alive;
	bool opaque;
	HANDLE h;
};

struct m_nh {
	int owner, key;
	bool deleted;       /* RtmDeleteNextHop or deregistration */
	bool driver_ref;    /* the driver holds one reference */
	USHORT flags;
	HANDLE h;
};

struct m_route {
	int owner, dest;
	int neighbour;      /* next-hop index or -1 */
	int nh[M_MAX_NH_IN_ROUTE];
	int nnh;
	ULONG pref, metric;
	DWORD views;        /* supported bits only */
	USHORT flags;
	bool deleted;
	bool driver_ref;
	int pins;           /* references held by list / route enumeration snapshots */
	uint64_t seq;       /* creation order: the tie-break of best-route selection */
	int list;           /* route list index or -1 */
	uint64_t list_seq;  /* order inside the list */
	HANDLE h;
};

struct m_dest {
	int table, prefix;
	bool in_table;
	uint32_t marks;     /* bit i: registration i marked this destination object */
	HANDLE h;           /* NULL until librtm showed it */
};

struct m_reg {
	int owner;
	bool alive;
	DWORD views;        /* 0 (ANY) stands for both views */
	DWORD flags;
	int queue[M_MAX_DEST];
	int nqueue;
	HANDLE h;
};

enum m_enum_kind { M_ENUM_DEST, M_ENUM_ROUTE, M_ENUM_NH, M_ENUM_LIST };

struct m_enum {
	int owner;
	bool alive;
	enum m_enum_kind kind;
	DWORD views, flags;
	ULONG proto;
	int dest;           /* route enum of one destination: its index, else -1 */
	bool has_from, has_range;
	struct m_prefix from;
	bool started, done;
	struct m_prefix cursor;
	ULONG cursor_if;
	int pending[M_MAX_ROUTE + M_MAX_NH];  /* snapshot (routes, next hops) */
	int npending, ipending;
	HANDLE h;
};

struct m_list {
	int owner;
	bool alive;
	HANDLE h;
};

struct model {
	UINT max_nh, max_enum;  /* the registration profile's limits */
	struct m_entity ent[M_MAX_ENT];
	int nent;
	struct m_nh nh[M_MAX_NH];
	int nnh;
	struct m_route route[M_MAX_ROUTE];
	int nroute;
	struct m_dest dest[M_MAX_DEST];
	int ndest;
	struct m_reg reg[M_MAX_REG];
	int nreg;
	struct m_enum en[M_MAX_ENUM];
	int nen;
	struct m_list list[M_MAX_LIST];
	int nlist;
	uint64_t seq;
};

/* The universe. */
extern const struct m_prefix m_prefixes[M_PREFIXES];
extern const uint32_t m_nh_addr[M_NH_KEYS];
extern const ULONG m_nh_if[M_NH_KEYS];
void m_slot_identity(int slot, int *table, ULONG *proto, ULONG *inst);

void m_init(struct model *m, UINT max_nh, UINT max_enum);

/* Prefix helpers (host-order IPv4). */
uint32_t m_mask(unsigned len);
bool m_covers(const struct m_prefix *outer, const struct m_prefix *inner);
int m_key_cmp(const struct m_prefix *a, const struct m_prefix *b);

/* Liveness: is the object's handle still valid? */
bool m_route_alive(const struct model *m, int r);
bool m_nh_alive(const struct model *m, int n);
bool m_dest_alive(const struct model *m, int d);

/* The live destination of a table's prefix, or -1. */
int m_dest_find(const struct model *m, int table, int prefix);

/* A destination's live routes in preference order; returns their number. */
int m_dest_routes(const struct model *m, int d, int *out);

/* Best route of view v (0/1) among routes of owners matching proto, or -1. */
int m_best(const struct model *m, int d, unsigned v, ULONG proto, int caller);

/* Views a destination's live routes belong to. */
DWORD m_dest_views(const struct model *m, int d);

/* Does the destination qualify for lookups with these views (§8)? */
bool m_qualifies(const struct model *m, int d, DWORD views);

/* The overall best route of each view, taken before a change. */
struct m_best_state {
	int best[2];
};
void m_best_state(const struct model *m, int d, struct m_best_state *s);

/*
 * After a change of destination d: queue it on every registration that the
 * change concerns (§11) and return the views whose best route changed (for
 * RTM_ROUTE_CHANGE_BEST). all = views where a route changed; `before` is the
 * state taken before the change; r = the route that changed and old its
 * values before (NULL for a new route; r = -1 for a deregistration purge).
 */
DWORD m_changed(struct model *m, int d, DWORD all, const struct m_best_state *before, int r,
		const struct m_route *old);

/* Do two versions of a route differ in anything RtmAddRouteToDest takes? */
bool m_route_differs(const struct m_route *a, const struct m_route *b);

/* Remove destination d from its table if it has no live route left. */
void m_dest_maybe_leave(struct model *m, int d);

/* Drop a registration's queue and marks (deregistration). */
void m_reg_drop(struct model *m, int g);

#endif
