/*
 * test_methods.c - RtmGetEntityMethods, RtmInvokeMethod, RtmBlockMethods, and
 * the entity events RTM_ENTITY_REGISTERED / RTM_ENTITY_DEREGISTERED
 * (SEMANTICS §4, §13, §14.6, §14.24, §14.35).
 *
 * Blocking is checked for order only, with threads: a blocked call must not
 * have finished after a while, and must finish (within a generous deadline)
 * once resumed.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define HDR offsetof(RTM_ENTITY_METHOD_OUTPUT, OutputData)

/* ---- methods ------------------------------------------------------------------------------ */

#define NLOG 64

static struct {
	atomic_uint calls[4];
	atomic_uint log[NLOG]; /* method index of each call, in call order */
	atomic_uint nlog;
	atomic_uint entry_size[4]; /* OutputSize each method saw on entry */
	atomic_uint bad;           /* wrong MethodType, handles or input */
	_Atomic(void *) caller;
	_Atomic(void *) callee;
	atomic_int resumed;        /* set by the test just before it resumes */
	atomic_uint early;         /* calls that ran before `resumed` was set */
	atomic_int gate_open;      /* the gate method waits for this */
	atomic_int in_gate;
} M;

static void
m_reset(void)
{
	unsigned i;

	for (i = 0; i < 4; i++) {
		atomic_store(&M.calls[i], 0);
		atomic_store(&M.entry_size[i], 0xffffffffu);
	}
	atomic_store(&M.nlog, 0);
	atomic_store(&M.bad, 0);
	atomic_store(&M.caller, NULL);
	atomic_store(&M.callee, NULL);
	atomic_store(&M.resumed, 1);
	atomic_store(&M.early, 0);
	atomic_store(&M.gate_open, 1);
	atomic_store(&M.in_gate, 0);
}

/* Common part: checks the record, logs the call, writes up to n payload bytes of `fill`. */
static void
m_body(unsigned idx, RTM_ENTITY_HANDLE caller, RTM_ENTITY_HANDLE callee,
       RTM_ENTITY_METHOD_INPUT *in, RTM_ENTITY_METHOD_OUTPUT *out, unsigned n, UCHAR fill)
{
	unsigned k, i;

	atomic_fetch_add(&M.calls[idx], 1);
	k = atomic_fetch_add(&M.nlog, 1);
	if (k < NLOG)
		atomic_store(&M.log[k], idx);
	atomic_store(&M.caller, caller);
	atomic_store(&M.callee, callee);
	if (!atomic_load(&M.resumed))
		atomic_fetch_add(&M.early, 1);
	if (in == NULL || out == NULL) {
		atomic_fetch_add(&M.bad, 1);
		return;
	}
	if (out->MethodType != (1u << idx))
		atomic_fetch_add(&M.bad, 1);
	if (in->InputSize != 8 || memcmp(in->InputData, "rtm-test", 8) != 0)
		atomic_fetch_add(&M.bad, 1);
	atomic_store(&M.entry_size[idx], out->OutputSize);
	if (n > out->OutputSize)
		n = out->OutputSize;
	for (i = 0; i < n; i++)
		out->OutputData[i] = (UCHAR)(fill + i);
	out->OutputSize = n;
	out->MethodStatus = 0x100 + idx;
}

static VOID WINAPI
m0(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
   RTM_ENTITY_METHOD_OUTPUT *out)
{
	m_body(0, a, b, in, out, 4, 0xa0);
}

static VOID WINAPI
m1(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
   RTM_ENTITY_METHOD_OUTPUT *out)
{
	m_body(1, a, b, in, out, 5, 0xb0);
}

static VOID WINAPI
m2(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
   RTM_ENTITY_METHOD_OUTPUT *out)
{
	m_body(2, a, b, in, out, 0, 0xc0);
}

/* Waits (bounded) for the test to open the gate. */
static VOID WINAPI
m_gate(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
       RTM_ENTITY_METHOD_OUTPUT *out)
{
	unsigned waited = 0;

	atomic_store(&M.in_gate, 1);
	while (!atomic_load(&M.gate_open) && waited < 20000) {
		tl_sleep_ms(1);
		waited++;
	}
	m_body(0, a, b, in, out, 4, 0xd0);
	atomic_store(&M.in_gate, 0);
}

/* Registers (AF_INET, proto, inst) exporting the given methods (n may be 0). */
static RTM_ENTITY_HANDLE
reg_methods(ULONG proto, ULONG inst, RTM_ENTITY_EXPORT_METHOD *fns, UINT n, RTM_EVENT_CALLBACK cb)
{
	RTM_ENTITY_EXPORT_METHODS *m;
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = NULL;
	DWORD rc;

	m = calloc(1, sizeof(*m) + 8 * sizeof(RTM_ENTITY_EXPORT_METHOD));
	if (m == NULL)
		abort();
	m->NumMethods = n;
	if (n > 0)
		memcpy(m->Methods, fns, n * sizeof(*fns));
	memset(&info, 0, sizeof(info));
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = inst;
	rc = RtmRegisterEntity(&info, m, cb, FALSE, &prof, &h);
	free(m); /* the RTM keeps its own copy */
	if (rc != NO_ERROR) {
		check_fail(__FILE__, __LINE__, "RtmRegisterEntity with %u methods: %s(%u)",
			   (unsigned)n, rtm_error_name(rc), (unsigned)rc);
		return NULL;
	}
	return h;
}

static RTM_ENTITY_HANDLE
reg3(ULONG proto, ULONG inst)
{
	RTM_ENTITY_EXPORT_METHOD fns[3] = {m0, m1, m2};

	return reg_methods(proto, inst, fns, 3, NULL);
}

/* A method input carrying the 8 bytes "rtm-test". */
struct input {
	RTM_ENTITY_METHOD_INPUT in;
	UCHAR more[16];
};

static RTM_ENTITY_METHOD_INPUT *
mkin(struct input *b, DWORD type)
{
	memset(b, 0, sizeof(*b));
	b->in.MethodType = type;
	b->in.InputSize = 8;
	memcpy(b->in.InputData, "rtm-test", 8);
	return &b->in;
}

/* An output buffer, 4-byte aligned. */
struct output {
	uint32_t w[128];
};

static RTM_ENTITY_METHOD_OUTPUT *
rec_at(struct output *o, size_t off)
{
	return (RTM_ENTITY_METHOD_OUTPUT *)(void *)((char *)o->w + off);
}

static void
check_rec_at(int line, struct output *o, size_t off, unsigned idx, unsigned size, UCHAR fill)
{
	RTM_ENTITY_METHOD_OUTPUT *r = rec_at(o, off);
	unsigned i;

	if (r->MethodType != (1u << idx) || r->MethodStatus != 0x100 + idx ||
	    r->OutputSize != size) {
		check_fail(__FILE__, line,
			   "record at %zu: type 0x%x status 0x%x size %u, expected 0x%x 0x%x %u",
			   off, (unsigned)r->MethodType, (unsigned)r->MethodStatus,
			   (unsigned)r->OutputSize, 1u << idx, 0x100 + idx, size);
		return;
	}
	for (i = 0; i < size; i++)
		if (r->OutputData[i] != (UCHAR)(fill + i)) {
			check_fail(__FILE__, line, "record at %zu: byte %u is 0x%x", off, i,
				   r->OutputData[i]);
			return;
		}
}

#define check_rec(o, off, idx, size, fill) check_rec_at(__LINE__, (o), (off), (idx), (size), (fill))

static unsigned
logged(unsigned k)
{
	return atomic_load(&M.log[k]);
}

/* ---- RtmGetEntityMethods ------------------------------------------------------------------- */

TEST(get_entity_methods_bad_handles_are_invalid_handle)
{
	RTM_ENTITY_HANDLE a;
	struct tl_badset bad;
	RTM_ENTITY_EXPORT_METHOD fns[4];
	UINT num;
	unsigned i;

	a = reg3(TL_PROTO_RIP, 1);
	REQUIRE(a != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		num = 4;
		CHECK_RC_BAD(RtmGetEntityMethods(bad.v[i].h, a, &num, fns), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
		num = 4;
		CHECK_RC_BAD(RtmGetEntityMethods(a, bad.v[i].h, &num, fns), ERROR_INVALID_HANDLE,
			     &bad.v[i]);
	}
	tl_bad_fini(&bad);
	num = 4;
	CHECK_RC(RtmGetEntityMethods(a, a, NULL, fns), ERROR_INVALID_PARAMETER);
	tl_deregister(a);
}

TEST(get_entity_methods_with_zero_count_reports_the_count)
{
	RTM_ENTITY_HANDLE a, b;
	UINT num = 0;

	a = reg3(TL_PROTO_RIP, 1);
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(a != NULL && b != NULL);
	/* The sample: NumMethods 0 and no array. */
	CHECK_RC(RtmGetEntityMethods(a, a, &num, NULL), NO_ERROR);
	CHECK_EQ_U(num, 3);
	num = 0;
	CHECK_RC(RtmGetEntityMethods(b, a, &num, NULL), NO_ERROR);
	CHECK_EQ_U(num, 3);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(get_entity_methods_short_buffer_is_insufficient_buffer_with_the_first_entries)
{
	RTM_ENTITY_HANDLE a, b;
	RTM_ENTITY_EXPORT_METHOD fns[8];
	UINT num;

	a = reg3(TL_PROTO_RIP, 1);
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(a != NULL && b != NULL);
	memset(fns, 0, sizeof(fns));
	num = 1;
	CHECK_RC(RtmGetEntityMethods(b, a, &num, fns), ERROR_INSUFFICIENT_BUFFER);
	CHECK_EQ_U(num, 3);
	CHECK(fns[0] == m0);
	CHECK(fns[1] == NULL);
	memset(fns, 0, sizeof(fns));
	num = 2;
	CHECK_RC(RtmGetEntityMethods(b, a, &num, fns), ERROR_INSUFFICIENT_BUFFER);
	CHECK_EQ_U(num, 3);
	CHECK(fns[0] == m0);
	CHECK(fns[1] == m1);
	CHECK(fns[2] == NULL);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(get_entity_methods_copies_all_methods_in_order)
{
	RTM_ENTITY_HANDLE a, b;
	RTM_ENTITY_EXPORT_METHOD fns[8];
	UINT num;

	a = reg3(TL_PROTO_RIP, 1);
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(a != NULL && b != NULL);
	memset(fns, 0, sizeof(fns));
	num = 3;
	CHECK_RC(RtmGetEntityMethods(b, a, &num, fns), NO_ERROR);
	CHECK_EQ_U(num, 3);
	CHECK(fns[0] == m0 && fns[1] == m1 && fns[2] == m2);
	memset(fns, 0, sizeof(fns));
	num = 8;
	CHECK_RC(RtmGetEntityMethods(a, a, &num, fns), NO_ERROR);
	CHECK_EQ_U(num, 3);
	CHECK(fns[0] == m0 && fns[1] == m1 && fns[2] == m2);
	CHECK(fns[3] == NULL);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(get_entity_methods_of_an_entity_without_methods_is_zero)
{
	RTM_ENTITY_HANDLE a, z;
	RTM_ENTITY_EXPORT_METHOD fns[2];
	UINT num;

	a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL); /* ExportMethods NULL */
	z = reg_methods(TL_PROTO_OSPF, 1, NULL, 0, NULL); /* NumMethods 0 */
	REQUIRE(a != NULL && z != NULL);
	num = 0;
	CHECK_RC(RtmGetEntityMethods(z, a, &num, NULL), NO_ERROR);
	CHECK_EQ_U(num, 0);
	num = 2;
	CHECK_RC(RtmGetEntityMethods(a, z, &num, fns), NO_ERROR);
	CHECK_EQ_U(num, 0);
	tl_deregister(a);
	tl_deregister(z);
}

/* ---- RtmInvokeMethod --------------------------------------------------------------------- */

TEST(invoke_method_bad_handles_and_null_pointers)
{
	RTM_ENTITY_HANDLE a;
	struct tl_badset bad;
	struct input in;
	struct output out;
	UINT size;
	unsigned i;

	m_reset();
	a = reg3(TL_PROTO_RIP, 1);
	REQUIRE(a != NULL);
	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		size = sizeof(out);
		CHECK_RC_BAD(RtmInvokeMethod(bad.v[i].h, a, mkin(&in, METHOD_TYPE_ALL_METHODS),
					     &size, rec_at(&out, 0)),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		size = sizeof(out);
		CHECK_RC_BAD(RtmInvokeMethod(a, bad.v[i].h, mkin(&in, METHOD_TYPE_ALL_METHODS),
					     &size, rec_at(&out, 0)),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	size = sizeof(out);
	CHECK_RC(RtmInvokeMethod(a, a, NULL, &size, rec_at(&out, 0)), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmInvokeMethod(a, a, mkin(&in, 1), NULL, rec_at(&out, 0)),
		 ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmInvokeMethod(a, a, mkin(&in, 1), &size, NULL), ERROR_INVALID_PARAMETER);
	/* No method ran. */
	CHECK_EQ_U(atomic_load(&M.nlog), 0);
	tl_deregister(a);
}

TEST(invoke_one_method_fills_one_record)
{
	RTM_ENTITY_HANDLE a, b;
	struct input in;
	struct output out;
	UINT size;

	m_reset();
	a = reg3(TL_PROTO_RIP, 1);
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(a != NULL && b != NULL);
	memset(&out, 0xee, sizeof(out));
	size = 64;
	CHECK_RC(RtmInvokeMethod(b, a, mkin(&in, 1u << 0), &size, rec_at(&out, 0)), NO_ERROR);
	CHECK_EQ_U(size, HDR + 4);
	check_rec(&out, 0, 0, 4, 0xa0);
	CHECK_EQ_U(atomic_load(&M.calls[0]), 1);
	CHECK_EQ_U(atomic_load(&M.entry_size[0]), 64 - HDR);
	/* The method is told who calls it and who it is. */
	CHECK_EQ_PTR(atomic_load(&M.caller), b);
	CHECK_EQ_PTR(atomic_load(&M.callee), a);

	m_reset();
	size = 64;
	CHECK_RC(RtmInvokeMethod(b, a, mkin(&in, 1u << 2), &size, rec_at(&out, 0)), NO_ERROR);
	CHECK_EQ_U(size, HDR);
	check_rec(&out, 0, 2, 0, 0);
	CHECK_EQ_U(atomic_load(&M.calls[2]), 1);
	CHECK_EQ_U(atomic_load(&M.nlog), 1);
	CHECK_EQ_U(atomic_load(&M.bad), 0);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(invoke_all_methods_runs_them_in_bit_order_with_aligned_records)
{
	RTM_ENTITY_HANDLE a, b;
	struct input in;
	struct output out;
	UINT size;

	m_reset();
	a = reg3(TL_PROTO_RIP, 1);
	b = tl_register(AF_INET, TL_PROTO_OSPF, 1, NULL);
	REQUIRE(a != NULL && b != NULL);
	memset(&out, 0xee, sizeof(out));
	size = 64;
	CHECK_RC(RtmInvokeMethod(b, a, mkin(&in, METHOD_TYPE_ALL_METHODS), &size, rec_at(&out, 0)),
		 NO_ERROR);
	CHECK_EQ_U(atomic_load(&M.nlog), 3);
	CHECK_EQ_U(logged(0), 0);
	CHECK_EQ_U(logged(1), 1);
	CHECK_EQ_U(logged(2), 2);
	/* m0: 4 bytes at 0; m1: 5 bytes at 16 (12 + 4); m2: 0 bytes at 36 (16 + 12 + 5 -> 20). */
	check_rec(&out, 0, 0, 4, 0xa0);
	check_rec(&out, HDR + 4, 1, 5, 0xb0);
	check_rec(&out, 2 * HDR + 4 + 8, 2, 0, 0);
	CHECK_EQ_U(size, 3 * HDR + 4 + 8);
	/* Each method was offered the payload space left at its record. */
	CHECK_EQ_U(atomic_load(&M.entry_size[0]), 64 - HDR);
	CHECK_EQ_U(atomic_load(&M.entry_size[1]), 64 - (HDR + 4) - HDR);
	CHECK_EQ_U(atomic_load(&M.entry_size[2]), 64 - (2 * HDR + 12) - HDR);
	CHECK_EQ_U(atomic_load(&M.bad), 0);

	/* Two chosen bits, in bit order whatever their values. */
	m_reset();
	size = 64;
	CHECK_RC(RtmInvokeMethod(b, a, mkin(&in, (1u << 2) | (1u << 0)), &size, rec_at(&out, 0)),
		 NO_ERROR);
	CHECK_EQ_U(atomic_load(&M.nlog), 2);
	CHECK_EQ_U(logged(0), 0);
	CHECK_EQ_U(logged(1), 2);
	check_rec(&out, 0, 0, 4, 0xa0);
	check_rec(&out, HDR + 4, 2, 0, 0);
	CHECK_EQ_U(size, 2 * HDR + 4);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(invoke_ignores_bits_beyond_the_exported_methods)
{
	RTM_ENTITY_HANDLE a;
	struct input in;
	struct output out;
	UINT size;

	m_reset();
	a = reg3(TL_PROTO_RIP, 1);
	REQUIRE(a != NULL);
	size = 64;
	CHECK_RC(RtmInvokeMethod(a, a, mkin(&in, (1u << 5) | (1u << 0) | (1u << 31)), &size,
				 rec_at(&out, 0)),
		 NO_ERROR);
	CHECK_EQ_U(atomic_load(&M.nlog), 1);
	CHECK_EQ_U(atomic_load(&M.calls[0]), 1);
	CHECK_EQ_U(size, HDR + 4);

	m_reset();
	size = 64;
	CHECK_RC(RtmInvokeMethod(a, a, mkin(&in, 1u << 7), &size, rec_at(&out, 0)), NO_ERROR);
	CHECK_EQ_U(atomic_load(&M.nlog), 0);
	CHECK_EQ_U(size, 0);
	tl_deregister(a);
}

TEST(invoke_stops_when_the_output_space_runs_out)
{
	RTM_ENTITY_HANDLE a;
	struct input in;
	struct output out;
	UINT size;

	m_reset();
	a = reg3(TL_PROTO_RIP, 1);
	REQUIRE(a != NULL);
	/* Room for m0's record only. */
	size = HDR + 4;
	CHECK_RC(RtmInvokeMethod(a, a, mkin(&in, METHOD_TYPE_ALL_METHODS), &size, rec_at(&out, 0)),
		 NO_ERROR);
	CHECK_EQ_U(atomic_load(&M.nlog), 1);
	CHECK_EQ_U(size, HDR + 4);
	check_rec(&out, 0, 0, 4, 0xa0);

	/* Room for m0's record and an empty one: m1 gets no payload space. */
	m_reset();
	size = 2 * HDR + 4;
	CHECK_RC(RtmInvokeMethod(a, a, mkin(&in, METHOD_TYPE_ALL_METHODS), &size, rec_at(&out, 0)),
		 NO_ERROR);
	CHECK_EQ_U(atomic_load(&M.nlog), 2);
	CHECK_EQ_U(atomic_load(&M.entry_size[1]), 0);
	CHECK_EQ_U(atomic_load(&M.calls[2]), 0);
	CHECK_EQ_U(size, 2 * HDR + 4);

	/* Less than a header: nothing runs. */
	m_reset();
	size = HDR - 1;
	CHECK_RC(RtmInvokeMethod(a, a, mkin(&in, METHOD_TYPE_ALL_METHODS), &size, rec_at(&out, 0)),
		 NO_ERROR);
	CHECK_EQ_U(atomic_load(&M.nlog), 0);
	CHECK_EQ_U(size, 0);
	tl_deregister(a);
}

TEST(invoke_and_get_methods_of_a_deregistered_entity_are_invalid_handle)
{
	RTM_ENTITY_HANDLE a, c, held = NULL;
	RTM_ENTITY_HANDLE hs[16];
	RTM_ENTITY_INFO infos[16], info;
	struct input in;
	struct output out;
	UINT num = 16, size, i, total;

	m_reset();
	a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	c = reg3(TL_PROTO_BGP, 7);
	REQUIRE(a != NULL && c != NULL);
	/* a keeps a referenced handle to c, as RtmGetRegisteredEntities gives it. */
	REQUIRE_RC(RtmGetRegisteredEntities(a, &num, hs, infos), NO_ERROR);
	total = num;
	for (i = 0; i < num; i++)
		if (hs[i] == c)
			held = c;
	CHECK_EQ_PTR(held, c);
	tl_deregister(c);

	num = 0;
	CHECK_RC(RtmGetEntityMethods(a, c, &num, NULL), ERROR_INVALID_HANDLE);
	size = 64;
	CHECK_RC(RtmInvokeMethod(a, c, mkin(&in, METHOD_TYPE_ALL_METHODS), &size, rec_at(&out, 0)),
		 ERROR_INVALID_HANDLE);
	CHECK_EQ_U(atomic_load(&M.nlog), 0);
	/* The held handle itself is still good for RtmGetEntityInfo. */
	CHECK_RC(RtmGetEntityInfo(a, c, &info), NO_ERROR);
	CHECK_EQ_U(info.EntityId.EntityProtocolId, TL_PROTO_BGP);
	CHECK_RC(RtmReleaseEntities(a, total, hs), NO_ERROR);
	tl_deregister(a);
}

/* ---- RtmBlockMethods ---------------------------------------------------------------------- */

struct invoker {
	RTM_ENTITY_HANDLE caller, callee;
	DWORD type;
	DWORD rc;
	atomic_int done;
	pthread_t t;
};

static void *
invoker_main(void *arg)
{
	struct invoker *v = arg;
	struct input in;
	struct output out;
	UINT size = 64;

	v->rc = RtmInvokeMethod(v->caller, v->callee, mkin(&in, v->type), &size, rec_at(&out, 0));
	atomic_store(&v->done, 1);
	return NULL;
}

static int
invoker_start(struct invoker *v, RTM_ENTITY_HANDLE caller, RTM_ENTITY_HANDLE callee, DWORD type)
{
	v->caller = caller;
	v->callee = callee;
	v->type = type;
	v->rc = 0xffffffffu;
	atomic_init(&v->done, 0);
	return pthread_create(&v->t, NULL, invoker_main, v) == 0;
}

/* Joins the thread if it finished within the deadline; returns whether it did. */
static int
invoker_finish(struct invoker *v)
{
	TL_WAIT_UNTIL(atomic_load(&v->done), TL_ASYNC_MS);
	if (!atomic_load(&v->done)) {
		check_fail(__FILE__, __LINE__, "RtmInvokeMethod never returned");
		pthread_detach(v->t);
		return 0;
	}
	pthread_join(v->t, NULL);
	return 1;
}

struct blocker {
	RTM_ENTITY_HANDLE h;
	DWORD rc;
	int gate_was_open;
	atomic_int done;
	pthread_t t;
};

static void *
blocker_main(void *arg)
{
	struct blocker *b = arg;

	b->rc = RtmBlockMethods(b->h, NULL, 0, RTM_BLOCK_METHODS);
	b->gate_was_open = atomic_load(&M.gate_open);
	atomic_store(&b->done, 1);
	return NULL;
}

TEST(block_methods_bad_arguments)
{
	RTM_ENTITY_HANDLE a;
	struct tl_badset bad;
	unsigned i;

	REQUIRE(tl_bad_init(&bad, AF_INET, TL_H_ENTITY) > 0);
	for (i = 0; i < bad.n; i++) {
		CHECK_RC_BAD(RtmBlockMethods(bad.v[i].h, NULL, 0, RTM_BLOCK_METHODS),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
		CHECK_RC_BAD(RtmBlockMethods(bad.v[i].h, NULL, 0, RTM_RESUME_METHODS),
			     ERROR_INVALID_HANDLE, &bad.v[i]);
	}
	tl_bad_fini(&bad);
	a = reg3(TL_PROTO_RIP, 1);
	REQUIRE(a != NULL);
	CHECK_RC(RtmBlockMethods(a, NULL, 0, 2), ERROR_INVALID_PARAMETER);
	CHECK_RC(RtmBlockMethods(a, NULL, 0, 0xffffffffu), ERROR_INVALID_PARAMETER);
	/* Resuming what is not blocked is fine; targets are ignored. */
	CHECK_RC(RtmBlockMethods(a, NULL, 0, RTM_RESUME_METHODS), NO_ERROR);
	CHECK_RC(RtmBlockMethods(a, (HANDLE)0xdeadbeef, 7, RTM_RESUME_METHODS), NO_ERROR);
	tl_deregister(a);
}

TEST(blocked_methods_make_invoke_wait_until_they_are_resumed)
{
	RTM_ENTITY_HANDLE a, b;
	struct invoker v;

	m_reset();
	a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	b = reg3(TL_PROTO_OSPF, 1);
	REQUIRE(a != NULL && b != NULL);
	CHECK_RC(RtmBlockMethods(b, NULL, 0, RTM_BLOCK_METHODS), NO_ERROR);
	atomic_store(&M.resumed, 0);
	REQUIRE(invoker_start(&v, a, b, METHOD_TYPE_ALL_METHODS));
	tl_sleep_ms(TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&v.done), 0);
	CHECK_EQ_U(atomic_load(&M.nlog), 0);
	atomic_store(&M.resumed, 1);
	CHECK_RC(RtmBlockMethods(b, NULL, 0, RTM_RESUME_METHODS), NO_ERROR);
	if (invoker_finish(&v)) {
		CHECK_RC(v.rc, NO_ERROR);
		CHECK_EQ_U(atomic_load(&M.nlog), 3);
	}
	CHECK_EQ_U(atomic_load(&M.early), 0);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(block_waits_for_invocations_already_running)
{
	RTM_ENTITY_HANDLE a, b;
	RTM_ENTITY_EXPORT_METHOD fns[1] = {m_gate};
	struct invoker v;
	struct blocker bl;

	m_reset();
	a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	b = reg_methods(TL_PROTO_OSPF, 1, fns, 1, NULL);
	REQUIRE(a != NULL && b != NULL);
	atomic_store(&M.gate_open, 0);
	REQUIRE(invoker_start(&v, a, b, 1));
	TL_WAIT_UNTIL(atomic_load(&M.in_gate), TL_ASYNC_MS);
	REQUIRE(atomic_load(&M.in_gate));

	bl.h = b;
	bl.rc = 0xffffffffu;
	bl.gate_was_open = -1;
	atomic_init(&bl.done, 0);
	REQUIRE(pthread_create(&bl.t, NULL, blocker_main, &bl) == 0);
	tl_sleep_ms(TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&bl.done), 0);
	atomic_store(&M.gate_open, 1);
	invoker_finish(&v);
	CHECK_RC(v.rc, NO_ERROR);
	TL_WAIT_UNTIL(atomic_load(&bl.done), TL_ASYNC_MS);
	if (atomic_load(&bl.done)) {
		pthread_join(bl.t, NULL);
		CHECK_RC(bl.rc, NO_ERROR);
		CHECK_EQ_U(bl.gate_was_open, 1);
	} else {
		check_fail(__FILE__, __LINE__, "RtmBlockMethods never returned");
		pthread_detach(bl.t);
	}
	CHECK_RC(RtmBlockMethods(b, NULL, 0, RTM_RESUME_METHODS), NO_ERROR);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(blocks_do_not_nest)
{
	RTM_ENTITY_HANDLE a, b;
	struct invoker v;

	m_reset();
	a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	b = reg3(TL_PROTO_OSPF, 1);
	REQUIRE(a != NULL && b != NULL);
	CHECK_RC(RtmBlockMethods(b, NULL, 0, RTM_BLOCK_METHODS), NO_ERROR);
	CHECK_RC(RtmBlockMethods(b, NULL, 0, RTM_BLOCK_METHODS), NO_ERROR);
	CHECK_RC(RtmBlockMethods(b, NULL, 0, RTM_RESUME_METHODS), NO_ERROR);
	REQUIRE(invoker_start(&v, a, b, 1));
	if (!invoker_finish(&v))
		RtmBlockMethods(b, NULL, 0, RTM_RESUME_METHODS);
	CHECK_RC(v.rc, NO_ERROR);
	CHECK_EQ_U(atomic_load(&M.calls[0]), 1);
	tl_deregister(a);
	tl_deregister(b);
}

TEST(blocking_affects_only_the_callers_own_methods)
{
	RTM_ENTITY_HANDLE a, b;
	struct invoker v, w;

	m_reset();
	a = reg3(TL_PROTO_RIP, 1);
	b = reg3(TL_PROTO_OSPF, 1);
	REQUIRE(a != NULL && b != NULL);
	CHECK_RC(RtmBlockMethods(a, NULL, 0, RTM_BLOCK_METHODS), NO_ERROR);
	/* a may still call b's methods. */
	REQUIRE(invoker_start(&v, a, b, 1));
	if (invoker_finish(&v))
		CHECK_RC(v.rc, NO_ERROR);
	/* b's call of a's methods waits. */
	REQUIRE(invoker_start(&w, b, a, 1));
	tl_sleep_ms(TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&w.done), 0);
	CHECK_RC(RtmBlockMethods(a, NULL, 0, RTM_RESUME_METHODS), NO_ERROR);
	if (invoker_finish(&w))
		CHECK_RC(w.rc, NO_ERROR);
	CHECK_EQ_U(atomic_load(&M.calls[0]), 2);
	tl_deregister(a);
	tl_deregister(b);
}

struct dereg {
	RTM_ENTITY_HANDLE h;
	DWORD rc;
	atomic_int done;
	pthread_t t;
};

static void *
dereg_main(void *arg)
{
	struct dereg *d = arg;

	d->rc = RtmDeregisterEntity(d->h);
	atomic_store(&d->done, 1);
	return NULL;
}

TEST(invoke_waiting_on_blocked_methods_ends_when_the_target_deregisters)
{
	RTM_ENTITY_HANDLE a, b;
	struct invoker v;
	struct dereg d;

	m_reset();
	a = tl_register(AF_INET, TL_PROTO_RIP, 1, NULL);
	b = reg3(TL_PROTO_OSPF, 1);
	REQUIRE(a != NULL && b != NULL);
	CHECK_RC(RtmBlockMethods(b, NULL, 0, RTM_BLOCK_METHODS), NO_ERROR);
	REQUIRE(invoker_start(&v, a, b, METHOD_TYPE_ALL_METHODS));
	tl_sleep_ms(TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&v.done), 0);
	d.h = b;
	d.rc = 0xffffffffu;
	atomic_init(&d.done, 0);
	REQUIRE(pthread_create(&d.t, NULL, dereg_main, &d) == 0);
	TL_WAIT_UNTIL(atomic_load(&d.done), TL_ASYNC_MS);
	if (atomic_load(&d.done)) {
		pthread_join(d.t, NULL);
		CHECK_RC(d.rc, NO_ERROR);
	} else {
		check_fail(__FILE__, __LINE__, "RtmDeregisterEntity never returned");
		pthread_detach(d.t);
	}
	if (invoker_finish(&v))
		CHECK_RC(v.rc, ERROR_INVALID_HANDLE);
	CHECK_EQ_U(atomic_load(&M.nlog), 0);
	tl_deregister(a);
}

/* ---- entity events ------------------------------------------------------------------------ */

#define NEV 64

struct ev {
	RTM_ENTITY_HANDLE to;
	RTM_EVENT_TYPE type;
	RTM_ENTITY_HANDLE who;
	RTM_ENTITY_INFO info;
	int info_ok;     /* Context2 non-NULL */
	DWORD get_info;  /* RtmGetEntityInfo(to, who) inside the callback (REGISTERED) */
	int info_same;   /* ... and it matched Context2 */
	UINT nmethods;   /* RtmGetEntityMethods(to, who) count inside the callback */
};

static struct {
	pthread_mutex_t mu;
	struct ev v[NEV];
	unsigned n;
	atomic_int slow; /* the callback sleeps this many ms */
	pthread_t test_thread;
	atomic_uint on_test_thread;
	atomic_int in_cb;
	atomic_uint started;
} E = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void
e_reset(void)
{
	pthread_mutex_lock(&E.mu);
	E.n = 0;
	pthread_mutex_unlock(&E.mu);
	atomic_store(&E.slow, 0);
	atomic_store(&E.in_cb, 0);
	atomic_store(&E.started, 0);
	atomic_store(&E.on_test_thread, 0);
	E.test_thread = pthread_self();
}

static DWORD WINAPI
ev_cb(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	struct ev e;
	RTM_ENTITY_INFO tmp;
	int slow;

	if (type != RTM_ENTITY_REGISTERED && type != RTM_ENTITY_DEREGISTERED)
		return NO_ERROR;
	atomic_fetch_add(&E.started, 1);
	atomic_fetch_add(&E.in_cb, 1);
	if (pthread_equal(pthread_self(), E.test_thread))
		atomic_fetch_add(&E.on_test_thread, 1);
	memset(&e, 0, sizeof(e));
	e.to = h;
	e.type = type;
	e.who = c1;
	e.info_ok = c2 != NULL;
	if (c2 != NULL)
		e.info = *(RTM_ENTITY_INFO *)c2;
	e.get_info = 0xffffffffu;
	if (type == RTM_ENTITY_REGISTERED) {
		e.get_info = RtmGetEntityInfo(h, c1, &tmp);
		e.info_same = e.get_info == NO_ERROR && c2 != NULL &&
			      memcmp(&tmp, c2, sizeof(tmp)) == 0;
		e.nmethods = 0;
		if (RtmGetEntityMethods(h, c1, &e.nmethods, NULL) != NO_ERROR)
			e.nmethods = 0xffffffffu;
	}
	slow = atomic_load(&E.slow);
	if (slow > 0)
		tl_sleep_ms((unsigned)slow);
	pthread_mutex_lock(&E.mu);
	if (E.n < NEV)
		E.v[E.n++] = e;
	pthread_mutex_unlock(&E.mu);
	atomic_fetch_sub(&E.in_cb, 1);
	return NO_ERROR;
}

/* Number of logged events to `to` of `type` about `who` (who NULL: about anyone). */
static unsigned
e_count(RTM_ENTITY_HANDLE to, RTM_EVENT_TYPE type, RTM_ENTITY_HANDLE who)
{
	unsigned i, c = 0;

	pthread_mutex_lock(&E.mu);
	for (i = 0; i < E.n; i++)
		if (E.v[i].to == to && E.v[i].type == type && (who == NULL || E.v[i].who == who))
			c++;
	pthread_mutex_unlock(&E.mu);
	return c;
}

/* A copy of the first such event; returns 0 if there is none. */
static int
e_get(RTM_ENTITY_HANDLE to, RTM_EVENT_TYPE type, RTM_ENTITY_HANDLE who, struct ev *out)
{
	unsigned i;
	int found = 0;

	pthread_mutex_lock(&E.mu);
	for (i = 0; i < E.n && !found; i++)
		if (E.v[i].to == to && E.v[i].type == type && E.v[i].who == who) {
			*out = E.v[i];
			found = 1;
		}
	pthread_mutex_unlock(&E.mu);
	return found;
}

static unsigned
e_count_to(RTM_ENTITY_HANDLE to)
{
	unsigned i, c = 0;

	pthread_mutex_lock(&E.mu);
	for (i = 0; i < E.n; i++)
		c += E.v[i].to == to;
	pthread_mutex_unlock(&E.mu);
	return c;
}

static RTM_ENTITY_HANDLE
reg_cb(USHORT family, ULONG proto, ULONG inst, int with_cb)
{
	return tl_register_ex(0, family, proto, inst, FALSE, with_cb ? ev_cb : NULL, NULL);
}

TEST(a_new_entity_is_announced_to_the_others_with_a_callback_but_not_to_itself)
{
	RTM_ENTITY_HANDLE a, b, d6, c;
	RTM_ENTITY_EXPORT_METHOD fns[3] = {m0, m1, m2};
	struct ev e;

	e_reset();
	a = reg_cb(AF_INET, TL_PROTO_RIP, 1, 1);
	b = reg_cb(AF_INET, TL_PROTO_OSPF, 1, 0);
	d6 = reg_cb(AF_INET6, TL_PROTO_RIP, 1, 1);
	REQUIRE(a && b && d6);
	/* b's registration was announced to a. */
	TL_WAIT_UNTIL(e_count(a, RTM_ENTITY_REGISTERED, b) >= 1, TL_ASYNC_MS);
	CHECK_EQ_U(e_count(a, RTM_ENTITY_REGISTERED, b), 1);

	c = reg_methods(TL_PROTO_BGP, 5, fns, 3, ev_cb);
	REQUIRE(c != NULL);
	TL_WAIT_UNTIL(e_count(a, RTM_ENTITY_REGISTERED, c) >= 1, TL_ASYNC_MS);
	CHECK_EQ_U(e_count(a, RTM_ENTITY_REGISTERED, c), 1);
	if (e_get(a, RTM_ENTITY_REGISTERED, c, &e)) {
		CHECK(e.info_ok);
		CHECK_EQ_U(e.info.RtmInstanceId, 0);
		CHECK_EQ_U(e.info.AddressFamily, AF_INET);
		CHECK_EQ_U(e.info.EntityId.EntityProtocolId, TL_PROTO_BGP);
		CHECK_EQ_U(e.info.EntityId.EntityInstanceId, 5);
		/* Context1 is usable inside the callback. */
		CHECK_RC(e.get_info, NO_ERROR);
		CHECK(e.info_same);
		CHECK_EQ_U(e.nmethods, 3);
	}
	tl_sleep_ms(TL_QUIET_MS);
	/* Not to itself, nor about those that were there before; not to other tables. */
	CHECK_EQ_U(e_count_to(c), 0);
	CHECK_EQ_U(e_count_to(d6), 0);
	CHECK_EQ_U(e_count_to(b), 0);
	CHECK_EQ_U(e_count(a, RTM_ENTITY_REGISTERED, NULL), 2);
	/* Delivered on the library's threads, not the registering one. */
	CHECK_EQ_U(atomic_load(&E.on_test_thread), 0);

	tl_deregister(c);
	tl_deregister(b);
	tl_deregister(d6);
	tl_deregister(a);
}

TEST(a_deregistration_is_announced_to_the_others)
{
	RTM_ENTITY_HANDLE a, b, c, d6;
	struct ev e;

	e_reset();
	a = reg_cb(AF_INET, TL_PROTO_RIP, 1, 1);
	c = reg_cb(AF_INET, TL_PROTO_BGP, 9, 1);
	b = reg_cb(AF_INET, TL_PROTO_OSPF, 2, 0);
	d6 = reg_cb(AF_INET6, TL_PROTO_OSPF, 2, 1);
	REQUIRE(a && b && c && d6);
	TL_WAIT_UNTIL(e_count(a, RTM_ENTITY_REGISTERED, b) >= 1 &&
			      e_count(c, RTM_ENTITY_REGISTERED, b) >= 1,
		      TL_ASYNC_MS);

	/* An entity without a callback is announced too. */
	tl_deregister(b);
	TL_WAIT_UNTIL(e_count(a, RTM_ENTITY_DEREGISTERED, b) >= 1 &&
			      e_count(c, RTM_ENTITY_DEREGISTERED, b) >= 1,
		      TL_ASYNC_MS);
	CHECK_EQ_U(e_count(a, RTM_ENTITY_DEREGISTERED, b), 1);
	CHECK_EQ_U(e_count(c, RTM_ENTITY_DEREGISTERED, b), 1);
	if (e_get(a, RTM_ENTITY_DEREGISTERED, b, &e)) {
		CHECK(e.info_ok);
		CHECK_EQ_U(e.info.AddressFamily, AF_INET);
		CHECK_EQ_U(e.info.EntityId.EntityProtocolId, TL_PROTO_OSPF);
		CHECK_EQ_U(e.info.EntityId.EntityInstanceId, 2);
	}

	tl_deregister(c);
	TL_WAIT_UNTIL(e_count(a, RTM_ENTITY_DEREGISTERED, c) >= 1, TL_ASYNC_MS);
	CHECK_EQ_U(e_count(a, RTM_ENTITY_DEREGISTERED, c), 1);
	if (e_get(a, RTM_ENTITY_DEREGISTERED, c, &e)) {
		CHECK_EQ_U(e.info.EntityId.EntityProtocolId, TL_PROTO_BGP);
		CHECK_EQ_U(e.info.EntityId.EntityInstanceId, 9);
	}
	tl_sleep_ms(TL_QUIET_MS);
	/* c was not told about its own deregistration; the IPv6 table heard nothing. */
	CHECK_EQ_U(e_count(c, RTM_ENTITY_DEREGISTERED, c), 0);
	CHECK_EQ_U(e_count_to(d6), 0);
	tl_deregister(d6);
	tl_deregister(a);
}

TEST(deregistration_waits_for_the_entitys_running_callbacks)
{
	RTM_ENTITY_HANDLE a, b;
	unsigned started;

	e_reset();
	a = reg_cb(AF_INET, TL_PROTO_RIP, 1, 1);
	REQUIRE(a != NULL);
	atomic_store(&E.slow, 300);
	b = reg_cb(AF_INET, TL_PROTO_OSPF, 1, 0);
	REQUIRE(b != NULL);
	TL_WAIT_UNTIL(atomic_load(&E.in_cb) > 0, TL_ASYNC_MS);
	CHECK(atomic_load(&E.in_cb) > 0);
	tl_deregister(a);
	/* a's callback had finished when its deregistration returned ... */
	CHECK_EQ_U(atomic_load(&E.in_cb), 0);
	CHECK_EQ_U(e_count(a, RTM_ENTITY_REGISTERED, b), 1);
	/* ... and no new one starts. */
	started = atomic_load(&E.started);
	tl_deregister(b);
	tl_sleep_ms(TL_QUIET_MS);
	CHECK_EQ_U(atomic_load(&E.started), started);
	atomic_store(&E.slow, 0);
}

int
main(int argc, char **argv)
{
	return check_main(argc, argv);
}
