/*
 * test_slab.c - the object caches (core/slab.h) on their own: objects of a
 * cache never overlap, keep what was written into them, are reused after a
 * free, and, where the cache carves them from arenas (not SLAB_PASS_THROUGH),
 * sit at the cache's alignment and phase: the destination block relies on
 * them for the lines a lookup reads (core/dest.c).
 *
 * Links rtm_static through rtm::internal (slab_* are not exported by librtm).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slab.h"

#define NOBJ 5000u /* more than one 8 MiB arena holds for the big cache below */

static unsigned failures;

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			failures++;                                                        \
			fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, #cond);         \
			fprintf(stderr, __VA_ARGS__);                                      \
			fputc('\n', stderr);                                               \
		}                                                                          \
	} while (0)

static void *objs[NOBJ];

static void
exercise(struct slab *s, unsigned n)
{
	/* Fill each object with its own byte, then check none was overwritten. */
	for (unsigned i = 0; i < n; i++) {
		objs[i] = slab_alloc(s);
		CHECK(objs[i] != NULL, "object %u of %zu bytes", i, s->size);
		if (!objs[i])
			return;
#ifndef SLAB_PASS_THROUGH
		CHECK((((uintptr_t)objs[i] + s->phase) & (s->align - 1)) == 0,
		      "object %u at %p, alignment %zu, phase %zu", i, objs[i], s->align, s->phase);
#endif
		memset(objs[i], (int)(i & 0xFF), s->size);
	}
	for (unsigned i = 0; i < n; i++) {
		const unsigned char *p = objs[i];
		size_t k = 0;

		while (k < s->size && p[k] == (unsigned char)(i & 0xFF))
			k++;
		CHECK(k == s->size, "object %u overwritten at byte %zu", i, k);
	}
	/* Freed objects come back before fresh ones. */
	slab_free(s, objs[n / 2]);
#ifndef SLAB_PASS_THROUGH
	CHECK(slab_alloc(s) == objs[n / 2], "a freed object was not reused");
#else
	objs[n / 2] = slab_alloc(s);
#endif
	for (unsigned i = 0; i < n; i++)
		slab_free(s, objs[i]);
}

int
main(void)
{
	static struct slab pair = SLAB_INIT(248, 128, 64); /* the destination block's case */
	static struct slab line = SLAB_INIT(200, 64, 0);
	static struct slab odd = SLAB_INIT(300, 8, 0);
	static struct slab big = SLAB_INIT(3000, 64, 8); /* spans arenas */

	exercise(&pair, NOBJ);
	exercise(&line, NOBJ);
	exercise(&odd, NOBJ);
	exercise(&big, NOBJ);
	if (failures) {
		fprintf(stderr, "test_slab: %u failures\n", failures);
		return 1;
	}
	printf("test_slab: ok\n");
	return 0;
}
