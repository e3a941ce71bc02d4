/*
 * rtm/wintypes.h - the handful of Windows base types, constants and error
 * codes that the RTMv2 API is written in, mapped onto Linux.
 *
 * This header stands on its own: it needs only <stdint.h> and <stddef.h>
 * and may be included by C (C11) and C++ (C++11) code alike.
 *
 * Sizes follow Windows (LLP64), not Linux LP64: DWORD, ULONG, LONG, UINT
 * and INT are exactly 32 bits wide on both systems.  A 64-bit
 * "unsigned long" would break the structure layouts of <rtmv2.h> and the
 * IPv4 helper macros, so nothing here is declared in terms of "long".
 *
 * Every definition is guarded so that a program which already has some of
 * these names (from its own portability header, say) keeps working:
 *
 *   - a macro is skipped when a macro of that name exists;
 *   - a typedef is skipped when the name is already a macro, or when the
 *     customary "_NAME_DEFINED" flag is set (the convention followed by
 *     most Windows compatibility headers); the flag is set here in turn.
 *     FILETIME uses the customary "_FILETIME_" flag instead.
 *
 * If a type is taken from elsewhere it still has to have the Windows size;
 * the size checks at the end of this file refuse to compile otherwise.
 */
#ifndef LIBRTM_RTM_WINTYPES_H
#define LIBRTM_RTM_WINTYPES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Integer types.
 */
#if !defined(BYTE) && !defined(_BYTE_DEFINED)
#define _BYTE_DEFINED
typedef uint8_t BYTE;
#endif

#if !defined(UCHAR) && !defined(_UCHAR_DEFINED)
#define _UCHAR_DEFINED
typedef unsigned char UCHAR;
#endif

#if !defined(PUCHAR) && !defined(_PUCHAR_DEFINED)
#define _PUCHAR_DEFINED
typedef UCHAR *PUCHAR;
#endif

#if !defined(USHORT) && !defined(_USHORT_DEFINED)
#define _USHORT_DEFINED
typedef uint16_t USHORT;
#endif

#if !defined(WORD) && !defined(_WORD_DEFINED)
#define _WORD_DEFINED
typedef uint16_t WORD;
#endif

#if !defined(INT) && !defined(_INT_DEFINED)
#define _INT_DEFINED
typedef int32_t INT;
#endif

#if !defined(UINT) && !defined(_UINT_DEFINED)
#define _UINT_DEFINED
typedef uint32_t UINT;
#endif

#if !defined(PUINT) && !defined(_PUINT_DEFINED)
#define _PUINT_DEFINED
typedef UINT *PUINT;
#endif

#if !defined(LONG) && !defined(_LONG_DEFINED)
#define _LONG_DEFINED
typedef int32_t LONG;
#endif

#if !defined(ULONG) && !defined(_ULONG_DEFINED)
#define _ULONG_DEFINED
typedef uint32_t ULONG;
#endif

#if !defined(PULONG) && !defined(_PULONG_DEFINED)
#define _PULONG_DEFINED
typedef ULONG *PULONG;
#endif

#if !defined(DWORD) && !defined(_DWORD_DEFINED)
#define _DWORD_DEFINED
typedef uint32_t DWORD;
#endif

#if !defined(PDWORD) && !defined(_PDWORD_DEFINED)
#define _PDWORD_DEFINED
typedef DWORD *PDWORD;
#endif

#if !defined(ULONGLONG) && !defined(_ULONGLONG_DEFINED)
#define _ULONGLONG_DEFINED
typedef uint64_t ULONGLONG;
#endif

/*
 * Booleans.  WINBOOL is the spelling mingw-w64 uses in prototypes; both
 * are plain int, as on Windows.
 */
#if !defined(BOOL) && !defined(_BOOL_DEFINED)
#define _BOOL_DEFINED
typedef int BOOL;
#endif

#if !defined(WINBOOL) && !defined(_WINBOOL_DEFINED)
#define _WINBOOL_DEFINED
typedef int WINBOOL;
#endif

#if !defined(PBOOL) && !defined(_PBOOL_DEFINED)
#define _PBOOL_DEFINED
typedef BOOL *PBOOL;
#endif

#ifndef FALSE
#define FALSE	0
#endif

#ifndef TRUE
#define TRUE	1
#endif

/*
 * void, untyped pointers and handles.  VOID is a macro on Windows too, so
 * that "VOID" can also stand for an empty parameter list.
 */
#ifndef VOID
#define VOID	void
#endif

#if !defined(PVOID) && !defined(_PVOID_DEFINED)
#define _PVOID_DEFINED
typedef void *PVOID;
#endif

#if !defined(HANDLE) && !defined(_HANDLE_DEFINED)
#define _HANDLE_DEFINED
typedef void *HANDLE;
#endif

/*
 * FILETIME: a 64-bit count of 100 ns intervals since 1601-01-01 00:00 UTC,
 * kept as two 32-bit halves so that the structure is only 4-byte aligned.
 */
#if !defined(FILETIME) && !defined(_FILETIME_)
#define _FILETIME_
typedef struct _FILETIME {
	DWORD	dwLowDateTime;
	DWORD	dwHighDateTime;
} FILETIME, *PFILETIME;
#endif

/*
 * Calling convention and helpers.  Linux x86-64 has a single calling
 * convention (SysV), so WINAPI expands to nothing.
 */
#ifndef WINAPI
#define WINAPI
#endif

#ifndef FIELD_OFFSET
#define FIELD_OFFSET(type, field)	offsetof(type, field)
#endif

/* A time-out (or route time-to-live) that never runs out. */
#ifndef INFINITE
#define INFINITE	0xFFFFFFFF
#endif

/*
 * Error codes.  The values are the ones of <winerror.h>; this is the set
 * RTMv2 functions return (plus a few named by its documentation).
 */
#ifndef NO_ERROR
#define NO_ERROR			0
#endif
#ifndef ERROR_SUCCESS
#define ERROR_SUCCESS			0
#endif
#ifndef ERROR_FILE_NOT_FOUND
#define ERROR_FILE_NOT_FOUND		2
#endif
#ifndef ERROR_ACCESS_DENIED
#define ERROR_ACCESS_DENIED		5
#endif
#ifndef ERROR_INVALID_HANDLE
#define ERROR_INVALID_HANDLE		6
#endif
#ifndef ERROR_NOT_ENOUGH_MEMORY
#define ERROR_NOT_ENOUGH_MEMORY		8
#endif
#ifndef ERROR_INVALID_DATA
#define ERROR_INVALID_DATA		13
#endif
#ifndef ERROR_HANDLE_EOF
#define ERROR_HANDLE_EOF		38
#endif
#ifndef ERROR_NOT_SUPPORTED
#define ERROR_NOT_SUPPORTED		50
#endif
#ifndef ERROR_INVALID_PARAMETER
#define ERROR_INVALID_PARAMETER		87
#endif
#ifndef ERROR_INSUFFICIENT_BUFFER
#define ERROR_INSUFFICIENT_BUFFER	122
#endif
#ifndef ERROR_ALREADY_EXISTS
#define ERROR_ALREADY_EXISTS		183
#endif
#ifndef ERROR_NO_MORE_ITEMS
#define ERROR_NO_MORE_ITEMS		259
#endif
#ifndef ERROR_INVALID_FLAGS
#define ERROR_INVALID_FLAGS		1004
#endif
#ifndef ERROR_NOT_FOUND
#define ERROR_NOT_FOUND			1168
#endif
#ifndef ERROR_NO_SYSTEM_RESOURCES
#define ERROR_NO_SYSTEM_RESOURCES	1450
#endif
#ifndef ERROR_BAD_CONFIGURATION
#define ERROR_BAD_CONFIGURATION		1610
#endif

/*
 * Routing protocol identifiers (the values of <routprot.h>), used as
 * RTM_ENTITY_ID.EntityProtocolId.
 */
#ifndef PROTO_IP_LOCAL
#define PROTO_IP_LOCAL		2
#endif
#ifndef PROTO_IP_NETMGMT
#define PROTO_IP_NETMGMT	3
#endif
#ifndef PROTO_IP_RIP
#define PROTO_IP_RIP		8
#endif
#ifndef PROTO_IP_OSPF
#define PROTO_IP_OSPF		13
#endif
#ifndef PROTO_IP_BGP
#define PROTO_IP_BGP		14
#endif

/*
 * Whatever provided them, the types must have their Windows sizes, or the
 * RTMv2 structures would not have the Windows layout.
 */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define RTM_WT_ASSERT(cond, msg)	static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define RTM_WT_ASSERT(cond, msg)	_Static_assert(cond, msg)
#else
#define RTM_WT_PASTE2(a, b)		a##b
#define RTM_WT_PASTE(a, b)		RTM_WT_PASTE2(a, b)
#define RTM_WT_ASSERT(cond, msg)	\
	typedef char RTM_WT_PASTE(rtm_wt_assert_, __LINE__)[(cond) ? 1 : -1]
#endif

RTM_WT_ASSERT(sizeof(UCHAR) == 1, "UCHAR must be 8 bits");
RTM_WT_ASSERT(sizeof(USHORT) == 2, "USHORT must be 16 bits");
RTM_WT_ASSERT(sizeof(UINT) == 4, "UINT must be 32 bits");
RTM_WT_ASSERT(sizeof(INT) == 4, "INT must be 32 bits");
RTM_WT_ASSERT(sizeof(LONG) == 4, "LONG must be 32 bits, not a Linux long");
RTM_WT_ASSERT(sizeof(ULONG) == 4, "ULONG must be 32 bits, not a Linux long");
RTM_WT_ASSERT(sizeof(DWORD) == 4, "DWORD must be 32 bits, not a Linux long");
RTM_WT_ASSERT(sizeof(ULONGLONG) == 8, "ULONGLONG must be 64 bits");
RTM_WT_ASSERT(sizeof(BOOL) == sizeof(int), "BOOL must be an int");
RTM_WT_ASSERT(sizeof(HANDLE) == sizeof(void *), "HANDLE must be a pointer");
RTM_WT_ASSERT(sizeof(FILETIME) == 8, "FILETIME must be two DWORDs");

#undef RTM_WT_ASSERT
#undef RTM_WT_PASTE
#undef RTM_WT_PASTE2

#endif /* LIBRTM_RTM_WINTYPES_H */
