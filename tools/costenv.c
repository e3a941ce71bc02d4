/* costenv - the setup the callgrind cost tools share (costenv.h). */
#define _GNU_SOURCE 1

#include "costenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
parse_options(struct costenv *env, int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "n:k:")) != -1) {
		if (c == 'n')
			env->limit = strtoul(optarg, NULL, 0);
		else if (c == 'k')
			env->ops = strtoul(optarg, NULL, 0);
		else
			return fprintf(stderr, "usage: %s [-n PREFIXES] [-k OPS]\n", env->tool), 2;
	}
	return 0;
}

static int
register_with_nexthop(struct costenv *env)
{
	RTM_ENTITY_INFO ei = {.AddressFamily = AF_INET,
			      .EntityId.EntityProtocolId = PROTO_IP_BGP,
			      .EntityId.EntityInstanceId = 1};
	RTM_NEXTHOP_INFO nhi = {.NextHopAddress = {.AddressFamily = AF_INET, .NumBits = 32,
						   .AddrBits = {192, 0, 2, 1}},
				.InterfaceIndex = 1};
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	RTM_REGN_PROFILE prof;
	DWORD rc = RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &env->h);

	if (rc == NO_ERROR)
		rc = RtmAddNextHop(env->h, &nhi, &env->nh, &nf);
	if (rc != NO_ERROR)
		return fprintf(stderr, "%s: setup failed: error %lu\n", env->tool,
			       (unsigned long)rc), 1;
	return 0;
}

int
costenv_init(struct costenv *env, int argc, char **argv, const char *data_dir)
{
	rtm_prefix_list_opts o = {.family = AF_INET};
	char path[4096], err[512] = "the table is empty";
	int rc = parse_options(env, argc, argv);

	if (rc)
		return rc;
	snprintf(path, sizeof path, "%s/tier1-2023-ipv4.txt.xz", data_dir);
	env->table = (rtm_prefix_list)RTM_PREFIX_LIST_INIT;
	if (rtm_prefix_list_load(path, &o, &env->table, NULL, err, sizeof err) != 0 ||
	    env->table.count == 0)
		return fprintf(stderr, "%s: %s\n", env->tool, err), 1;
	if (env->limit > env->table.count)
		env->limit = env->table.count;
	if ((rc = register_with_nexthop(env)) != 0)
		return rc;
	one_route_init(&env->route, env->nh);
	return 0;
}

void
costenv_fini(struct costenv *env)
{
	rtm_prefix_list_free(&env->table);
}

int
costenv_add_all(struct costenv *env, const RTM_NET_ADDRESS *pfx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		RTM_ROUTE_CHANGE_FLAGS cf = 0;

		if (RtmAddRouteToDest(env->h, NULL, (PRTM_NET_ADDRESS)&pfx[i], &env->route.ri,
				      INFINITE, NULL, 0, NULL, &cf) != NO_ERROR)
			return fprintf(stderr, "%s: add #%zu failed\n", env->tool, i), 1;
	}
	return 0;
}

double
costenv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t
costenv_splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}
