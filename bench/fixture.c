/*
 * fixture.c - loads the full table once per family (see fixture.h).
 */
#define _GNU_SOURCE 1

#include "fixture.h"

#include "prefix_list.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RTM_CBENCH_DATA_DIR
#define RTM_CBENCH_DATA_DIR "tests/data/fulltable"
#endif

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cb_table tables[2];
static bool loaded[2];
static char load_error[2][256];

void cb_route_fill(union cb_route_buf *b, RTM_NEXTHOP_HANDLE nh, ULONG preference)
{
	memset(b, 0, sizeof *b);
	b->ri.Neighbour = nh;
	b->ri.Flags = RTM_ROUTE_FLAGS_REMOTE;
	b->ri.PrefInfo.Preference = preference;
	b->ri.PrefInfo.Metric = 1;
	b->ri.BelongsToViews = RTM_VIEW_MASK_UCAST;
	b->ri.NextHopsList.NumNextHops = 1;
	b->ri.NextHopsList.NextHops[0] = nh;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int entity(struct cb_table *t, ULONG instance, RTM_ENTITY_HANDLE *h, RTM_NEXTHOP_HANDLE *nh,
		  char *err, size_t errlen)
{
	RTM_ENTITY_INFO ei;
	RTM_REGN_PROFILE prof;
	memset(&ei, 0, sizeof ei);
	ei.AddressFamily = (USHORT)t->family;
	ei.EntityId.EntityProtocolId = PROTO_IP_BGP;
	ei.EntityId.EntityInstanceId = instance;
	DWORD rc = RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, h);
	if (rc != NO_ERROR) {
		snprintf(err, errlen, "RtmRegisterEntity: error %lu", (unsigned long)rc);
		return -1;
	}
	RTM_NEXTHOP_INFO nhi;
	memset(&nhi, 0, sizeof nhi);
	nhi.NextHopAddress.AddressFamily = (USHORT)t->family;
	nhi.NextHopAddress.NumBits = (USHORT)t->width;
	nhi.NextHopAddress.AddrBits[0] = t->width == 32 ? 192 : 0x20;
	nhi.NextHopAddress.AddrBits[t->width / 8 - 1] = (UCHAR)instance;
	nhi.InterfaceIndex = 1;
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	rc = RtmAddNextHop(*h, &nhi, nh, &nf);
	if (rc != NO_ERROR) {
		snprintf(err, errlen, "RtmAddNextHop: error %lu", (unsigned long)rc);
		return -1;
	}
	return 0;
}

static void addr_inside(RTM_NET_ADDRESS *q, const RTM_NET_ADDRESS *p, unsigned width, uint64_t *s)
{
	*q = *p;
	q->NumBits = (USHORT)width;
	unsigned nb = p->NumBits;
	for (unsigned byte = nb / 8; byte < width / 8; byte++) {
		unsigned char r = (unsigned char)splitmix(s);
		unsigned char keep = byte == nb / 8 && nb % 8 ? (unsigned char)(0xFFu << (8 - nb % 8)) : 0;
		q->AddrBits[byte] = (unsigned char)((q->AddrBits[byte] & keep) | (r & ~keep));
	}
}

static int load(struct cb_table *t, int family, char *err, size_t errlen)
{
	t->family = family == 4 ? AF_INET : AF_INET6;
	t->width = family == 4 ? 32 : 128;
	char path[512];
	snprintf(path, sizeof path, "%s/tier1-2023-ipv%d.txt.xz", RTM_CBENCH_DATA_DIR, family);
	rtm_prefix_list pl = RTM_PREFIX_LIST_INIT;
	if (rtm_prefix_list_load(path, NULL, &pl, NULL, err, errlen) != 0) {
		rtm_prefix_list_free(&pl);
		return -1;
	}
	const char *lim = getenv("RTM_CBENCH_LIMIT");
	size_t n = pl.count;
	if (lim && strtoull(lim, NULL, 0) > 0 && strtoull(lim, NULL, 0) < n)
		n = (size_t)strtoull(lim, NULL, 0);
	if (n < CB_HELD) {
		snprintf(err, errlen, "the table has fewer than %d prefixes", CB_HELD);
		rtm_prefix_list_free(&pl);
		return -1;
	}
	t->pfx = pl.items;   /* kept until exit */
	t->n = n;
	if (entity(t, 1, &t->owner, &t->owner_nh, err, errlen) != 0 ||
	    entity(t, 2, &t->other, &t->other_nh, err, errlen) != 0)
		return -1;
	union cb_route_buf b;
	cb_route_fill(&b, t->owner_nh, 20);
	for (size_t i = 0; i < n; i++) {
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		/* A duplicate prefix in the file updates the same route: harmless. */
		DWORD rc = RtmAddRouteToDest(t->owner, i < CB_HELD ? &t->route[i] : NULL,
					     (PRTM_NET_ADDRESS)&t->pfx[i], &b.ri, INFINITE, NULL, 0, NULL, &cf);
		if (rc != NO_ERROR) {
			snprintf(err, errlen, "RtmAddRouteToDest (prefix %zu): error %lu", i, (unsigned long)rc);
			return -1;
		}
	}
	union {
		RTM_DEST_INFO di;
		char bytes[RTM_SIZE_OF_DEST_INFO(1)];
	} d;
	for (size_t i = 0; i < CB_HELD; i++) {
		DWORD rc = RtmGetExactMatchDestination(t->owner, (PRTM_NET_ADDRESS)&t->pfx[i], RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, &d.di);
		if (rc != NO_ERROR) {
			snprintf(err, errlen, "RtmGetExactMatchDestination: error %lu", (unsigned long)rc);
			return -1;
		}
		t->dest[i] = d.di.DestHandle;
		RtmReferenceHandles(t->owner, 1, (HANDLE *)&t->dest[i]);
		RtmReleaseDestInfo(t->owner, &d.di);
	}
	RTM_NET_ADDRESS *qi = malloc(CB_QUERIES * sizeof *qi), *qe = malloc(CB_QUERIES * sizeof *qe);
	if (!qi || !qe) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	uint64_t s = 0xC0FFEE + (uint64_t)family;
	for (size_t i = 0; i < CB_QUERIES; i++) {
		addr_inside(&qi[i], &t->pfx[splitmix(&s) % n], t->width, &s);
		qe[i] = t->pfx[splitmix(&s) % n];
	}
	t->q_inside = qi;
	t->q_exact = qe;
	return 0;
}

const struct cb_table *cb_table_get(int family, char *err, size_t errlen)
{
	int k = family == 6;
	pthread_mutex_lock(&load_lock);
	if (!loaded[k]) {
		loaded[k] = true;
		if (load(&tables[k], family, load_error[k], sizeof load_error[k]) != 0 && !load_error[k][0])
			snprintf(load_error[k], sizeof load_error[k], "loading the table failed");
	}
	pthread_mutex_unlock(&load_lock);
	if (load_error[k][0]) {
		snprintf(err, errlen, "%s", load_error[k]);
		return NULL;
	}
	return &tables[k];
}
