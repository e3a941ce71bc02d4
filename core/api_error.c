/* The mapping from core error numbers to Win32 codes (see api.h). */
#include "api.h"

DWORD
api_error_failure(int err)
{
	switch (err) {
	case 0:
		return NO_ERROR; /* not a failure after all: callers need not check */
	case -EBADF:
		return ERROR_INVALID_HANDLE;
	case -EINVAL:
		return ERROR_INVALID_PARAMETER;
	case -EACCES:
		return ERROR_ACCESS_DENIED;
	case -ENOENT:
		return ERROR_NOT_FOUND;
	case -ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	case -EEXIST:
		return ERROR_ALREADY_EXISTS;
	case -ENOSPC:
		return ERROR_NO_SYSTEM_RESOURCES;
	case -ENOBUFS:
		return ERROR_INSUFFICIENT_BUFFER;
	case -EOPNOTSUPP:
		return ERROR_NOT_SUPPORTED;
	case -ENODATA:
		return ERROR_NO_MORE_ITEMS;
	default:
		return ERROR_INVALID_PARAMETER;
	}
}
