/*
 * rtm_spec.h - the sequential specification lin-torture checks librtm against.
 *
 * The object is a group of RS_KEYS nested prefixes (key 0 shortest), because
 * RtmGetMostSpecificDestination reads several destinations at once: a lookup
 * must return the longest key that has a route at one single instant, so the
 * keys it may return have to be one object.  Groups that share no address are
 * independent and are checked separately.
 *
 * Each key has RS_SLOTS route slots, one per (writer entity, neighbour):
 * RtmAddRouteToDest with the same owner and neighbour replaces the route in
 * its slot.  Only the owning writer thread touches a slot, and it writes a
 * Metric that is unique over the whole run, so a value read names the write
 * that produced it and no two routes ever tie (the best route is the lowest
 * Preference, then the lowest Metric, SEMANTICS.md §5).  All routes are in the
 * unicast view only.  Route handles identify incarnations: a slot that is
 * deleted and re-added gets a new handle.
 */
#ifndef RTM_LINCHECK_RTM_SPEC_H
#define RTM_LINCHECK_RTM_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lincheck.h"

#define RS_KEYS 3
#define RS_WRITERS 4
#define RS_NEIGHBOURS 2
#define RS_SLOTS (RS_WRITERS * RS_NEIGHBOURS)
#define RS_NONE 0xff

struct rs_route {
	uint64_t handle; /* 0: slot empty */
	uint32_t pref;
	uint32_t metric;
};

struct rs_state {
	struct rs_route r[RS_KEYS][RS_SLOTS];
};

enum rs_kind {
	RS_ADD,           /* RtmAddRouteToDest, match on owner + neighbour */
	RS_DELETE,        /* RtmDeleteRouteToDest */
	RS_EDIT,          /* RtmLockRoute(exclusive), edit PrefInfo, RtmUpdateAndUnlockRoute */
	RS_EXACT,         /* RtmGetExactMatchDestination(UCAST, best protocol) */
	RS_MOST_SPECIFIC, /* RtmGetMostSpecificDestination(UCAST, best protocol) */
	RS_ROUTE_INFO,    /* RtmGetRouteInfo on a handle a reader holds */
	RS_IS_BEST,       /* RtmIsBestRoute on a handle a reader holds */
};

/*
 * An operation with its arguments and recorded results.  Fields a kind does
 * not use stay zero.
 */
struct rs_op {
	uint8_t kind;
	uint8_t key;        /* writes, RS_EXACT; RS_ROUTE_INFO: key of DestAddress (or RS_NONE) */
	uint8_t slot;       /* writes; RS_ROUTE_INFO: slot of owner + neighbour (or RS_NONE) */
	uint8_t covers;     /* RS_MOST_SPECIFIC: bit k set if key k covers the address */
	uint8_t found_key;  /* lookups: key of the destination found, RS_NONE if none */
	uint8_t best_owner; /* lookups: writer owning the reported best route, RS_NONE */
	uint8_t route_state;/* RS_ROUTE_INFO: RTM_ROUTE_INFO.State */
	uint32_t status;    /* Win32 result */
	uint32_t flags;     /* writes: output change flags */
	uint32_t pref, metric;         /* writes: new values; RS_ROUTE_INFO: values read */
	uint32_t old_pref, old_metric; /* RS_EDIT: values seen through the route pointer */
	uint32_t num_routes;           /* lookups: ViewInfo[0].NumRoutes */
	uint32_t views;                /* RS_IS_BEST: BestInViews */
	uint64_t handle;    /* route handle: RS_ADD result, argument of the others */
	uint64_t best;      /* lookups: ViewInfo[0].Route */
};

extern const struct lc_spec rs_spec;

/* Best slot of a key (lowest Preference, then Metric), or -1 if it has no route. */
int rs_best(const struct rs_state *s, unsigned key);

/* One line describing op (no newline). */
void rs_format(char *buf, size_t len, const struct rs_op *op);

#endif
