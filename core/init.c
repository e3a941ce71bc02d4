/*
 * One-time set-up of the library: the finalizers of each object type, and
 * the lock policy from RTM_LOCK_POLICY (rtm/rtmx.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rtm/rtmx.h>

#include "dest.h"
#include "destlock.h"
#include "enum.h"
#include "notify.h"
#include "routelist.h"
#include "entity.h"
#include "init.h"
#include "nexthop.h"
#include "route.h"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void
init_modules(void)
{
	dest_module_init();
	entity_module_init();
	nexthop_module_init();
	route_module_init();
	enum_module_init();
	notify_module_init();
	routelist_module_init();

	const char *pol = getenv("RTM_LOCK_POLICY");

	if (pol != NULL && strcmp(pol, "phasefair") == 0)
		destlock_set_policy(DESTLOCK_PHASEFAIR);
	else if (pol != NULL && strcmp(pol, "barging") == 0)
		destlock_set_policy(DESTLOCK_BARGING);
	else if (pol != NULL && strcmp(pol, "hybrid") == 0)
		destlock_set_policy(DESTLOCK_HYBRID);
}

void
rtm_init(void)
{
	pthread_once(&init_once, init_modules);
}

/* After rtm_init, so that the environment never overrides this call. */
RTM_API DWORD WINAPI
RtmxSetLockPolicy(RTMX_LOCK_POLICY Policy)
{
	rtm_init();
	if (Policy == RTMX_LOCK_POLICY_PHASEFAIR)
		destlock_set_policy(DESTLOCK_PHASEFAIR);
	else if (Policy == RTMX_LOCK_POLICY_BARGING)
		destlock_set_policy(DESTLOCK_BARGING);
	else if (Policy == RTMX_LOCK_POLICY_HYBRID)
		destlock_set_policy(DESTLOCK_HYBRID);
	else
		return ERROR_INVALID_PARAMETER;
	return NO_ERROR;
}

RTM_API RTMX_LOCK_POLICY WINAPI
RtmxGetLockPolicy(VOID)
{
	rtm_init();
	switch (destlock_policy()) {
	case DESTLOCK_PHASEFAIR:
		return RTMX_LOCK_POLICY_PHASEFAIR;
	case DESTLOCK_BARGING:
		return RTMX_LOCK_POLICY_BARGING;
	default:
		return RTMX_LOCK_POLICY_HYBRID;
	}
}
