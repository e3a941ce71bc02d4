/*
 * costenv - what rtm-lookupcost and rtm-updatecost share: their options,
 * the bundled IPv4 table, and one registered entity (BGP) with one next hop
 * and a route info naming it, as rtm-quickbench adds its routes.
 */
#ifndef RTM_TOOLS_COSTENV_H
#define RTM_TOOLS_COSTENV_H

#include <stddef.h>
#include <stdint.h>

#include <rtmv2.h>
#include <rtm/rtmx.h>

#include "one_route.h"
#include "prefix_list.h"

struct costenv {
	const char *tool;            /* for messages */
	size_t limit;                /* -n: prefixes used (at most the table's) */
	unsigned long ops;           /* -k: operations per phase */
	rtm_prefix_list table;       /* the IPv4 table, in file order */
	RTM_ENTITY_HANDLE h;
	RTM_NEXTHOP_HANDLE nh;
	union one_route route;       /* preference 20, metric 1, unicast, via nh */
};

/*
 * Parse -n PREFIXES and -k OPS (env->limit and env->ops hold the defaults),
 * load the table (data_dir/tier1-2023-ipv4.txt.xz), register and add the
 * next hop.  Returns 0, or the exit status after printing why.
 */
int costenv_init(struct costenv *env, int argc, char **argv, const char *data_dir);

/* Add env->route to each of the n prefixes.  0, or 1 after printing why. */
int costenv_add_all(struct costenv *env, const RTM_NET_ADDRESS *pfx, size_t n);

void costenv_fini(struct costenv *env);

/* Monotonic time in seconds. */
double costenv_now(void);

/* The next value of the splitmix64 stream in *state. */
uint64_t costenv_splitmix(uint64_t *state);

#endif
