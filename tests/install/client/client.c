/*
 * An outside program built against an installed librtm: it sees only the
 * installed headers and library.  Registers an entity for IPv4 instance 0,
 * prints the registration profile and deregisters.  Exit status 0 = success.
 */
#include <stdio.h>
#include <sys/socket.h>

#include <rtmv2.h>

static DWORD WINAPI
client_event(RTM_ENTITY_HANDLE entity, RTM_EVENT_TYPE type, PVOID context1, PVOID context2)
{
	(void)entity;
	(void)type;
	(void)context1;
	(void)context2;
	return NO_ERROR;
}

int
main(void)
{
	RTM_ENTITY_INFO info = {0};
	RTM_REGN_PROFILE profile = {0};
	RTM_ENTITY_HANDLE handle = NULL;
	DWORD err;

	info.RtmInstanceId = 0;
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = 0x2a; /* any protocol id will do */
	info.EntityId.EntityInstanceId = 1;

	err = RtmRegisterEntity(&info, NULL, client_event, FALSE, &profile, &handle);
	if (err != NO_ERROR) {
		fprintf(stderr, "client: RtmRegisterEntity failed: %lu\n", (unsigned long)err);
		return 1;
	}
	if (handle == NULL) {
		fprintf(stderr, "client: RtmRegisterEntity returned no handle\n");
		return 1;
	}

	printf("client: registered, MaxNextHopsInRoute=%lu MaxHandlesInEnum=%lu "
	       "ViewsSupported=0x%lx NumberOfViews=%lu\n",
	       (unsigned long)profile.MaxNextHopsInRoute, (unsigned long)profile.MaxHandlesInEnum,
	       (unsigned long)profile.ViewsSupported, (unsigned long)profile.NumberOfViews);

	err = RtmDeregisterEntity(handle);
	if (err != NO_ERROR) {
		fprintf(stderr, "client: RtmDeregisterEntity failed: %lu\n", (unsigned long)err);
		return 1;
	}
	printf("client: deregistered\n");
	return 0;
}
