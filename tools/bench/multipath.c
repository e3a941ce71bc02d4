/*
 * multipath.c - rtm-bench's `multipath` phase: a real two-peer BGP table
 * (RIPE RIS rrc06, 2010: every prefix heard from two full-feed peers), one
 * route per (destination, peer), and a peer that goes away and comes back.
 *
 * librtm: one BGP entity per peer, each with one next hop (the peer's
 * address) that is also the route's Neighbour, so every destination holds one
 * route per peer.  A separate observer entity registers for
 * RTM_CHANGE_TYPE_BEST in the unicast view and drains with RtmGetChangedDests
 * after each step.  Steps: load every path in file order; then, per
 * repetition, delete every route of the busiest peer ("withdraw", through the
 * route handles kept from the adds), drain, add them back ("re-add"), drain;
 * then the peer's session goes down (RtmDeregisterEntity, which deletes its
 * routes), drain, and comes up again (RtmRegisterEntity, RtmAddNextHop and
 * every route added), drain.
 *
 * Preference from the path, the BGP decision order squeezed into RTM's two
 * numbers (lower wins in RTM, SEMANTICS "Best route"):
 *   Preference = UINT32_MAX - LOCAL_PREF          (higher local pref wins)
 *   Metric     = AS-path length << 16 | min(MED, 65535)
 * where the length counts blank-separated tokens of the AS path, an AS set
 * "{...}" as one (as BGP does).  Remaining ties go to the oldest route of the
 * destination (SEMANTICS' resolution), so which peer wins a tie depends on
 * the order routes arrived: that is why re-adding a peer changes fewer best
 * routes than withdrawing it did.
 *
 * The baseline ("naive-trie" column) does the same work the obvious way: the
 * naive bit trie maps prefix -> destination, each destination keeps its
 * routes in a small array, the best route is recomputed by a scan on every
 * change, changed destinations go on a FIFO, all under one mutex.  It is also
 * the oracle: librtm's RTM_ROUTE_CHANGE_BEST count, the number of
 * destinations drained, and the best route's owner on a sample of
 * destinations must all match it.
 */
#define _GNU_SOURCE 1

#include "bench.h"
#include "bgpdump_text.h"
#include "prefix_list.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MP_MAX_PEERS 64
#define MP_NONE UINT32_MAX
#define MP_CHECK_SAMPLE 5000u

struct mp_path {
	uint32_t dest;
	uint32_t pref, metric;
	uint8_t peer;
};

struct mp_peer {
	rtm_mrt_ip ip;
	uint32_t as;
	size_t paths;
};

struct mp_data {
	unsigned family, width;
	struct mp_path *paths;
	size_t npaths;
	RTM_NET_ADDRESS *dests;
	size_t ndests;
	struct mp_peer peers[MP_MAX_PEERS];
	int npeers;
	int gone;                     /* the peer withdrawn and re-added: the busiest */
	size_t *gone_paths;           /* its path indices, file order */
	size_t ngone;
	size_t skipped_family;
};

static uint32_t as_path_length(const char *s, size_t len)
{
	uint32_t n = 0;
	bool in_token = false;
	for (size_t i = 0; i < len; i++) {
		bool blank = s[i] == ' ' || s[i] == '\t';
		if (!blank && !in_token)
			n++;
		in_token = !blank;
	}
	return n;
}

static void mp_data_free(struct mp_data *md)
{
	free(md->paths);
	free(md->dests);
	free(md->gone_paths);
	memset(md, 0, sizeof *md);
}

/* Reads the bgpdump -m file: paths of the first max_dests prefixes (0 = all). */
static int mp_data_load(struct mp_data *md, const char *path, size_t max_dests, char *err, size_t errlen)
{
	memset(md, 0, sizeof *md);
	rtm_bgpdump_opts o = { .flags = RTM_BGPDUMP_SKIP_OTHER };
	rtm_bgpdump_reader *rd = NULL;
	int rc = rtm_bgpdump_open(path, &o, &rd, err, errlen);
	if (rc < 0)
		return -1;
	struct naive_trie *index = NULL;
	size_t cap_p = 0, cap_d = 0;
	rtm_bgpdump_route r;
	while ((rc = rtm_bgpdump_next(rd, &r, err, errlen)) == 1) {
		if (!md->family) {
			md->family = r.prefix.AddressFamily;
			md->width = md->family == AF_INET ? 32 : 128;
			index = naive_trie_new(md->width);
			if (!index)
				goto nomem;
		}
		if (r.prefix.AddressFamily != md->family) {
			md->skipped_family++;
			continue;
		}
		uint32_t d = naive_trie_exact(index, &r.prefix);
		if (d == UINT32_MAX) {
			if (max_dests && md->ndests >= max_dests)
				continue;
			if (md->ndests == cap_d) {
				cap_d = cap_d ? cap_d * 2 : 4096;
				RTM_NET_ADDRESS *nd = realloc(md->dests, cap_d * sizeof *nd);
				if (!nd)
					goto nomem;
				md->dests = nd;
			}
			d = (uint32_t)md->ndests;
			md->dests[md->ndests++] = r.prefix;
			if (naive_trie_insert(index, &r.prefix, d) < 0)
				goto nomem;
		}
		int p;
		for (p = 0; p < md->npeers; p++)
			if (md->peers[p].ip.family == r.peer_ip.family &&
			    !memcmp(md->peers[p].ip.addr, r.peer_ip.addr, sizeof r.peer_ip.addr))
				break;
		if (p == md->npeers) {
			if (p == MP_MAX_PEERS) {
				snprintf(err, errlen, "%s: more than %d peers", path, MP_MAX_PEERS);
				goto fail;
			}
			md->peers[md->npeers++] = (struct mp_peer){ r.peer_ip, r.peer_as, 0 };
		}
		md->peers[p].paths++;
		if (md->npaths == cap_p) {
			cap_p = cap_p ? cap_p * 2 : 8192;
			struct mp_path *np = realloc(md->paths, cap_p * sizeof *np);
			if (!np)
				goto nomem;
			md->paths = np;
		}
		uint32_t med = r.med > 0xFFFF ? 0xFFFF : r.med;
		md->paths[md->npaths++] = (struct mp_path){
			.dest = d,
			.pref = UINT32_MAX - r.local_pref,
			.metric = as_path_length(r.as_path, r.as_path_len) << 16 | med,
			.peer = (uint8_t)p,
		};
	}
	if (rc < 0)
		goto fail;
	rtm_bgpdump_close(rd);
	naive_trie_free(index);
	if (md->npaths == 0) {
		snprintf(err, errlen, "%s: no routes", path);
		return -1;
	}
	md->gone = 0;
	for (int p = 1; p < md->npeers; p++)
		if (md->peers[p].paths > md->peers[md->gone].paths)
			md->gone = p;
	md->gone_paths = malloc(md->peers[md->gone].paths * sizeof *md->gone_paths);
	if (!md->gone_paths) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < md->npaths; i++)
		if (md->paths[i].peer == md->gone)
			md->gone_paths[md->ngone++] = i;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	rtm_bgpdump_close(rd);
	naive_trie_free(index);
	mp_data_free(md);
	return -1;
}

/* ------------------------------------------------------------------------- */
/* the baseline, which is also the oracle                                    */

struct nv_rib {
	const struct mp_data *md;
	pthread_mutex_t lock;
	struct naive_trie *trie;     /* prefix -> destination index, present while it has routes */
	uint32_t *first, *count;     /* per destination: its paths in by_dest[first .. first+count) */
	uint32_t *by_dest;
	uint32_t *best;              /* per destination: best path or MP_NONE */
	uint64_t *since;             /* per path: arrival stamp, 0 = not in the table */
	uint64_t clock;
	uint32_t *queue;             /* ring of changed destinations, each at most once */
	uint8_t *queued;
	size_t qhead, qlen;
};

static void nv_free(struct nv_rib *nv)
{
	naive_trie_free(nv->trie);
	free(nv->first);
	free(nv->count);
	free(nv->by_dest);
	free(nv->best);
	free(nv->since);
	free(nv->queue);
	free(nv->queued);
	pthread_mutex_destroy(&nv->lock);
}

static int nv_init(struct nv_rib *nv, const struct mp_data *md)
{
	memset(nv, 0, sizeof *nv);
	nv->md = md;
	pthread_mutex_init(&nv->lock, NULL);
	nv->trie = naive_trie_new(md->width);
	nv->first = calloc(md->ndests, sizeof *nv->first);
	nv->count = calloc(md->ndests, sizeof *nv->count);
	nv->by_dest = calloc(md->npaths, sizeof *nv->by_dest);
	nv->best = malloc(md->ndests * sizeof *nv->best);
	nv->since = calloc(md->npaths, sizeof *nv->since);
	nv->queue = malloc(md->ndests * sizeof *nv->queue);
	nv->queued = calloc(md->ndests, 1);
	if (!nv->trie || !nv->first || !nv->count || !nv->by_dest || !nv->best || !nv->since ||
	    !nv->queue || !nv->queued) {
		nv_free(nv);
		return -1;
	}
	for (size_t i = 0; i < md->npaths; i++)
		nv->count[md->paths[i].dest]++;
	uint32_t at = 0;
	for (size_t d = 0; d < md->ndests; d++) {
		nv->first[d] = at;
		at += nv->count[d];
		nv->count[d] = 0;
		nv->best[d] = MP_NONE;
	}
	for (size_t i = 0; i < md->npaths; i++) {
		uint32_t d = md->paths[i].dest;
		nv->by_dest[nv->first[d] + nv->count[d]++] = (uint32_t)i;
	}
	return 0;
}

static bool nv_better(const struct nv_rib *nv, uint32_t a, uint32_t b)
{
	const struct mp_path *x = &nv->md->paths[a], *y = &nv->md->paths[b];
	if (x->pref != y->pref)
		return x->pref < y->pref;
	if (x->metric != y->metric)
		return x->metric < y->metric;
	return nv->since[a] < nv->since[b];
}

/* Recomputes d's best path; queues d if it changed.  Returns whether it did. */
static bool nv_rebest(struct nv_rib *nv, uint32_t d)
{
	uint32_t best = MP_NONE;
	for (uint32_t k = 0; k < nv->count[d]; k++) {
		uint32_t p = nv->by_dest[nv->first[d] + k];
		if (nv->since[p] && (best == MP_NONE || nv_better(nv, p, best)))
			best = p;
	}
	if (best == nv->best[d])
		return false;
	nv->best[d] = best;
	if (!nv->queued[d]) {
		nv->queued[d] = 1;
		nv->queue[(nv->qhead + nv->qlen++) % nv->md->ndests] = d;
	}
	return true;
}

/* 1 if the best path changed, 0 if not, -1 on error. */
static int nv_add(struct nv_rib *nv, size_t i)
{
	const struct mp_path *p = &nv->md->paths[i];
	const RTM_NET_ADDRESS *pfx = &nv->md->dests[p->dest];
	pthread_mutex_lock(&nv->lock);
	uint32_t d = naive_trie_exact(nv->trie, pfx);
	if (d == UINT32_MAX) {
		if (naive_trie_insert(nv->trie, pfx, p->dest) < 0) {
			pthread_mutex_unlock(&nv->lock);
			return -1;
		}
		d = p->dest;
	}
	nv->since[i] = ++nv->clock;
	int changed = nv_rebest(nv, d);
	pthread_mutex_unlock(&nv->lock);
	return changed;
}

static int nv_del(struct nv_rib *nv, size_t i)
{
	const struct mp_path *p = &nv->md->paths[i];
	const RTM_NET_ADDRESS *pfx = &nv->md->dests[p->dest];
	pthread_mutex_lock(&nv->lock);
	uint32_t d = naive_trie_exact(nv->trie, pfx);
	if (d == UINT32_MAX || !nv->since[i]) {
		pthread_mutex_unlock(&nv->lock);
		return -1;
	}
	nv->since[i] = 0;
	int changed = nv_rebest(nv, d);
	if (nv->best[d] == MP_NONE)
		naive_trie_delete(nv->trie, pfx);
	pthread_mutex_unlock(&nv->lock);
	return changed;
}

static volatile uint32_t nv_sink;

/* Takes batches of up to `batch` changed destinations, reading each one's best path. */
static uint64_t nv_drain(struct nv_rib *nv, unsigned batch)
{
	uint64_t got = 0;
	for (;;) {
		pthread_mutex_lock(&nv->lock);
		unsigned n = 0;
		for (; n < batch && nv->qlen; n++) {
			uint32_t d = nv->queue[nv->qhead];
			nv->qhead = (nv->qhead + 1) % nv->md->ndests;
			nv->qlen--;
			nv->queued[d] = 0;
			nv_sink = nv->best[d];   /* what a client reads of each */
		}
		pthread_mutex_unlock(&nv->lock);
		got += n;
		if (n < batch)
			return got;
	}
}

/* ------------------------------------------------------------------------- */
/* librtm                                                                     */

struct rt_rib {
	const struct mp_data *md;
	RTM_ENTITY_HANDLE peer[MP_MAX_PEERS];
	RTM_NEXTHOP_HANDLE nh[MP_MAX_PEERS];
	RTM_ENTITY_HANDLE observer;
	RTM_NOTIFY_HANDLE notify;
	RTM_ROUTE_HANDLE *route;     /* per path, while it is in the table */
	unsigned max_batch;
	size_t stride;
	char *buf;
	uint64_t errors;
};

union mp_route_buf {
	RTM_ROUTE_INFO ri;
	char bytes[sizeof(RTM_ROUTE_INFO) + 4 * sizeof(RTM_NEXTHOP_HANDLE)];
};

static DWORD WINAPI mp_observer_cb(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE ev, PVOID c1, PVOID c2)
{
	/* The phase drains synchronously after each step; the signal itself is not needed. */
	(void)h;
	(void)ev;
	(void)c1;
	(void)c2;
	return NO_ERROR;
}

static void rt_rib_close(struct rt_rib *rr)
{
	if (rr->route) {
		for (size_t i = 0; i < rr->md->npaths; i++)
			if (rr->route[i])
				RtmReleaseRoutes(rr->peer[rr->md->paths[i].peer], 1, &rr->route[i]);
		free(rr->route);
	}
	for (int p = 0; p < rr->md->npeers; p++) {
		if (rr->nh[p])
			RtmReleaseNextHops(rr->peer[p], 1, &rr->nh[p]);
		if (rr->peer[p])
			RtmDeregisterEntity(rr->peer[p]);
	}
	if (rr->notify)
		RtmDeregisterFromChangeNotification(rr->observer, rr->notify);
	if (rr->observer)
		RtmDeregisterEntity(rr->observer);
	free(rr->buf);
}

/* Registers peer p's entity and its next hop: a BGP session coming up. */
static int rt_peer_up(struct rt_rib *rr, int p, char *err, size_t errlen)
{
	const struct mp_data *md = rr->md;
	RTM_ENTITY_INFO ei;
	RTM_REGN_PROFILE prof;
	memset(&ei, 0, sizeof ei);
	ei.AddressFamily = (USHORT)md->family;
	ei.EntityId.EntityProtocolId = PROTO_IP_BGP;
	ei.EntityId.EntityInstanceId = 0x6d700 + (ULONG)p;
	DWORD rc = RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &rr->peer[p]);
	if (rc != NO_ERROR) {
		snprintf(err, errlen, "RtmRegisterEntity(peer %d): error %lu", p, (unsigned long)rc);
		rr->peer[p] = NULL;
		return -1;
	}
	RTM_NEXTHOP_INFO nhi;
	memset(&nhi, 0, sizeof nhi);
	nhi.NextHopAddress.AddressFamily = (USHORT)md->family;
	nhi.NextHopAddress.NumBits = (USHORT)md->width;
	memcpy(nhi.NextHopAddress.AddrBits, md->peers[p].ip.addr, md->width / 8);
	nhi.InterfaceIndex = 1;
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	rc = RtmAddNextHop(rr->peer[p], &nhi, &rr->nh[p], &nf);
	if (rc != NO_ERROR) {
		snprintf(err, errlen, "RtmAddNextHop(peer %d): error %lu", p, (unsigned long)rc);
		rr->nh[p] = NULL;
		return -1;
	}
	return 0;
}

/*
 * Peer p's session goes down: its entity deregisters, which deletes all its
 * routes and next hops.  The handles we hold on them are given back first
 * (untimed): they belong to the entity that is about to go.
 */
static int rt_peer_down(struct rt_rib *rr, int p, double *secs)
{
	const struct mp_data *md = rr->md;
	int errors = 0;
	for (size_t k = 0; k < md->ngone; k++) {
		size_t i = md->gone_paths[k];
		if (rr->route[i]) {
			errors += RtmReleaseRoutes(rr->peer[p], 1, &rr->route[i]) != NO_ERROR;
			rr->route[i] = NULL;
		}
	}
	errors += RtmReleaseNextHops(rr->peer[p], 1, &rr->nh[p]) != NO_ERROR;
	rr->nh[p] = NULL;
	double t0 = bench_now_s();
	errors += RtmDeregisterEntity(rr->peer[p]) != NO_ERROR;
	*secs = bench_now_s() - t0;
	rr->peer[p] = NULL;
	return errors ? -1 : 0;
}

static int rt_rib_open(struct rt_rib *rr, const struct mp_data *md, char *err, size_t errlen)
{
	memset(rr, 0, sizeof *rr);
	rr->md = md;
	RTM_ENTITY_INFO ei;
	RTM_REGN_PROFILE prof;
	memset(&ei, 0, sizeof ei);
	ei.AddressFamily = (USHORT)md->family;
	ei.EntityId.EntityProtocolId = PROTO_IP_OSPF;
	ei.EntityId.EntityInstanceId = 0x6d70;   /* "mp": no other tool's instance */
	DWORD rc = RtmRegisterEntity(&ei, NULL, mp_observer_cb, FALSE, &prof, &rr->observer);
	if (rc != NO_ERROR) {
		snprintf(err, errlen, "RtmRegisterEntity(observer): error %lu", (unsigned long)rc);
		return -1;
	}
	rr->max_batch = prof.MaxHandlesInEnum;
	rr->stride = RTM_SIZE_OF_DEST_INFO(prof.NumberOfViews);
	rr->buf = calloc(rr->max_batch, rr->stride);
	rr->route = calloc(md->npaths, sizeof *rr->route);
	if (!rr->buf || !rr->route) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	rc = RtmRegisterForChangeNotification(rr->observer, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST,
					      NULL, &rr->notify);
	if (rc != NO_ERROR) {
		snprintf(err, errlen, "RtmRegisterForChangeNotification: error %lu", (unsigned long)rc);
		goto fail;
	}
	for (int p = 0; p < md->npeers; p++)
		if (rt_peer_up(rr, p, err, errlen) != 0)
			goto fail;
	return 0;
fail:
	rt_rib_close(rr);
	return -1;
}

static int rt_rib_add(struct rt_rib *rr, size_t i)
{
	const struct mp_path *p = &rr->md->paths[i];
	union mp_route_buf b;
	memset(&b, 0, sizeof b);
	b.ri.Neighbour = rr->nh[p->peer];
	b.ri.Flags = RTM_ROUTE_FLAGS_REMOTE;
	b.ri.PrefInfo.Preference = p->pref;
	b.ri.PrefInfo.Metric = p->metric;
	b.ri.BelongsToViews = RTM_VIEW_MASK_UCAST;
	b.ri.NextHopsList.NumNextHops = 1;
	b.ri.NextHopsList.NextHops[0] = rr->nh[p->peer];
	RTM_ROUTE_CHANGE_FLAGS cf = 0;
	DWORD rc = RtmAddRouteToDest(rr->peer[p->peer], &rr->route[i],
				     (PRTM_NET_ADDRESS)&rr->md->dests[p->dest], &b.ri, INFINITE, NULL,
				     0, NULL, &cf);
	if (rc != NO_ERROR || !rr->route[i] || !(cf & RTM_ROUTE_CHANGE_NEW))
		return -1;
	return (cf & RTM_ROUTE_CHANGE_BEST) != 0;
}

static int rt_rib_del(struct rt_rib *rr, size_t i)
{
	RTM_ROUTE_CHANGE_FLAGS cf = 0;
	DWORD rc = RtmDeleteRouteToDest(rr->peer[rr->md->paths[i].peer], rr->route[i], &cf);
	if (rc != NO_ERROR)
		return -1;
	rr->route[i] = NULL;   /* the delete consumed our reference */
	return (cf & RTM_ROUTE_CHANGE_BEST) != 0;
}

static uint64_t rt_rib_drain(struct rt_rib *rr)
{
	uint64_t got = 0;
	for (;;) {
		UINT num = rr->max_batch;
		DWORD rc = RtmGetChangedDests(rr->observer, rr->notify, &num, (PRTM_DEST_INFO)rr->buf);
		if ((rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) || num > rr->max_batch ||
		    (rc == NO_ERROR && num == 0)) {
			rr->errors++;
			return got;
		}
		if (num) {
			if (RtmReleaseChangedDests(rr->observer, rr->notify, num, (PRTM_DEST_INFO)rr->buf) != NO_ERROR)
				rr->errors++;
			got += num;
		}
		if (rc == ERROR_NO_MORE_ITEMS)
			return got;
	}
}

/* Compares the best route's owner on a sample of destinations with the oracle; returns mismatches. */
static size_t rt_rib_check(struct rt_rib *rr, const struct nv_rib *nv, const char *when)
{
	const struct mp_data *md = rr->md;
	size_t bad = 0, step = md->ndests / MP_CHECK_SAMPLE + 1;
	union {
		RTM_DEST_INFO di;
		char bytes[RTM_SIZE_OF_DEST_INFO(1)];
	} b;
	for (size_t d = 0; d < md->ndests; d += step) {
		DWORD rc = RtmGetExactMatchDestination(rr->observer, (PRTM_NET_ADDRESS)&md->dests[d],
						       RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &b.di);
		uint32_t want = nv->best[d];
		bool ok;
		if (rc == ERROR_NOT_FOUND) {
			ok = want == MP_NONE;
		} else if (rc != NO_ERROR) {
			ok = false;
		} else {
			ok = want != MP_NONE && b.di.ViewInfo[0].Owner == rr->peer[md->paths[want].peer];
			RtmReleaseDestInfo(rr->observer, &b.di);
		}
		if (!ok && bad++ < 3) {
			char a[RTM_PREFIX_STRLEN];
			fprintf(stderr, "rtm-bench: multipath (%s): best route of %s differs from the oracle's "
					"(status %lu)\n",
				when, rtm_prefix_format(&md->dests[d], a, sizeof a), (unsigned long)rc);
		}
	}
	return bad;
}

/* ------------------------------------------------------------------------- */
/* the phase                                                                  */

/* One implementation's figures: index [rep] for the cycle steps. */
struct mp_figs {
	double load_rate, load_drain_rate;
	uint64_t load_best, load_drained;
	double wd_rate[16], wd_drain[16], ra_rate[16], ra_drain[16];
	uint64_t wd_best[16], wd_drained[16], ra_best[16], ra_drained[16];
	/* the same through the peer's session: deregistration, then registration + adds */
	double dn_rate[16], dn_drain[16], up_rate[16], up_drain[16];
	uint64_t dn_drained[16], up_best[16], up_drained[16];
};

enum mp_step { MP_ADD, MP_DEL };

/* Runs `n` adds or deletes through either implementation; returns best changes or -1 on errors. */
static int64_t mp_apply(struct rt_rib *rr, struct nv_rib *nv, enum mp_step step, const size_t *idx,
			size_t n, double *secs)
{
	int64_t best = 0;
	size_t errors = 0;
	double t0 = bench_now_s();
	for (size_t k = 0; k < n; k++) {
		size_t i = idx ? idx[k] : k;
		int rc = rr ? (step == MP_ADD ? rt_rib_add(rr, i) : rt_rib_del(rr, i))
			    : (step == MP_ADD ? nv_add(nv, i) : nv_del(nv, i));
		if (rc < 0)
			errors++;
		else
			best += rc;
	}
	*secs = bench_now_s() - t0;
	return errors ? -1 : best;
}

static uint64_t mp_drain(struct rt_rib *rr, struct nv_rib *nv, unsigned batch, double *secs)
{
	double t0 = bench_now_s();
	uint64_t got = rr ? rt_rib_drain(rr) : nv_drain(nv, batch);
	*secs = bench_now_s() - t0;
	return got;
}

static double rate(uint64_t n, double secs)
{
	return secs > 0 ? (double)n / secs : 0;
}

/* Drives one implementation (rr == NULL: the baseline nv) through load and reps cycles. */
static int mp_drive(const struct mp_data *md, struct rt_rib *rr, struct nv_rib *nv, unsigned batch,
		    int reps, struct mp_figs *f)
{
	double s, ds;
	int64_t b = mp_apply(rr, nv, MP_ADD, NULL, md->npaths, &s);
	if (b < 0)
		return -1;
	f->load_best = (uint64_t)b;
	f->load_rate = rate(md->npaths, s);
	f->load_drained = mp_drain(rr, nv, batch, &ds);
	f->load_drain_rate = rate(f->load_drained, ds);
	for (int r = 0; r < reps; r++) {
		b = mp_apply(rr, nv, MP_DEL, md->gone_paths, md->ngone, &s);
		if (b < 0)
			return -1;
		f->wd_best[r] = (uint64_t)b;
		f->wd_rate[r] = rate(md->ngone, s);
		f->wd_drained[r] = mp_drain(rr, nv, batch, &ds);
		f->wd_drain[r] = rate(f->wd_drained[r], ds);
		b = mp_apply(rr, nv, MP_ADD, md->gone_paths, md->ngone, &s);
		if (b < 0)
			return -1;
		f->ra_best[r] = (uint64_t)b;
		f->ra_rate[r] = rate(md->ngone, s);
		f->ra_drained[r] = mp_drain(rr, nv, batch, &ds);
		f->ra_drain[r] = rate(f->ra_drained[r], ds);

		/* session down and up: librtm deregisters and re-registers the peer's entity */
		if (rr) {
			if (rt_peer_down(rr, md->gone, &s) != 0)
				return -1;
		} else if (mp_apply(NULL, nv, MP_DEL, md->gone_paths, md->ngone, &s) < 0) {
			return -1;
		}
		f->dn_rate[r] = rate(md->ngone, s);
		f->dn_drained[r] = mp_drain(rr, nv, batch, &ds);
		f->dn_drain[r] = rate(f->dn_drained[r], ds);
		double t0 = bench_now_s();
		char err[256];
		if (rr && rt_peer_up(rr, md->gone, err, sizeof err) != 0) {
			fprintf(stderr, "rtm-bench: multipath: %s\n", err);
			return -1;
		}
		b = mp_apply(rr, nv, MP_ADD, md->gone_paths, md->ngone, &s);
		if (b < 0)
			return -1;
		f->up_best[r] = (uint64_t)b;
		f->up_rate[r] = rate(md->ngone, bench_now_s() - t0);
		f->up_drained[r] = mp_drain(rr, nv, batch, &ds);
		f->up_drain[r] = rate(f->up_drained[r], ds);
	}
	return 0;
}

static void mp_record(bench_rec_fn rec, const char *impl, const struct mp_figs *f, int reps,
		      const char *peers_case)
{
	double v[16];
	rec(BENCH_MP_FAMILY, "multipath", "routes/s", peers_case, 1, impl, "1/s", true, &f->load_rate, 1);
	rec(BENCH_MP_FAMILY, "multipath", "routes/s", "withdraw peer", 1, impl, "1/s", true, f->wd_rate, reps);
	rec(BENCH_MP_FAMILY, "multipath", "routes/s", "re-add peer", 1, impl, "1/s", true, f->ra_rate, reps);
	rec(BENCH_MP_FAMILY, "multipath", "drain dests/s", "after load", 1, impl, "1/s", true,
	    &f->load_drain_rate, 1);
	rec(BENCH_MP_FAMILY, "multipath", "drain dests/s", "after withdraw", 1, impl, "1/s", true,
	    f->wd_drain, reps);
	rec(BENCH_MP_FAMILY, "multipath", "drain dests/s", "after re-add", 1, impl, "1/s", true,
	    f->ra_drain, reps);
	rec(BENCH_MP_FAMILY, "multipath", "routes/s", "peer down", 1, impl, "1/s", true, f->dn_rate, reps);
	rec(BENCH_MP_FAMILY, "multipath", "routes/s", "peer up", 1, impl, "1/s", true, f->up_rate, reps);
	rec(BENCH_MP_FAMILY, "multipath", "drain dests/s", "after peer down", 1, impl, "1/s", true,
	    f->dn_drain, reps);
	rec(BENCH_MP_FAMILY, "multipath", "drain dests/s", "after peer up", 1, impl, "1/s", true,
	    f->up_drain, reps);
	for (int r = 0; r < reps; r++)
		v[r] = (double)f->wd_best[r];
	rec(BENCH_MP_FAMILY, "multipath", "best changes", "withdraw peer", 1, impl, "n", true, v, reps);
	for (int r = 0; r < reps; r++)
		v[r] = (double)f->ra_best[r];
	rec(BENCH_MP_FAMILY, "multipath", "best changes", "re-add peer", 1, impl, "n", true, v, reps);
}

static int mp_compare(const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return 0;
	fprintf(stderr, "rtm-bench: ERROR: multipath: librtm %s: %" PRIu64 ", the oracle: %" PRIu64 "\n",
		what, got, want);
	return 1;
}

int bench_multipath(const char *path, size_t max_dests, int reps, bench_rec_fn rec, char *info,
		    size_t infolen)
{
	struct mp_data md;
	char err[512];
	if (reps > 16)
		reps = 16;
	if (mp_data_load(&md, path, max_dests, err, sizeof err) != 0) {
		fprintf(stderr, "rtm-bench: ERROR: multipath: %s\n", err);
		return 1;
	}
	char gone_ip[RTM_PREFIX_STRLEN];
	RTM_NET_ADDRESS ga = { .AddressFamily = (USHORT)md.peers[md.gone].ip.family,
			       .NumBits = (USHORT)md.width };
	memcpy(ga.AddrBits, md.peers[md.gone].ip.addr, md.width / 8);
	rtm_prefix_format(&ga, gone_ip, sizeof gone_ip);
	snprintf(info, infolen, "%zu prefixes, %zu paths from %d peers of %s; withdrawn and re-added: "
		 "AS%" PRIu32 " (%s, %zu paths)",
		 md.ndests, md.npaths, md.npeers, path, md.peers[md.gone].as, gone_ip, md.ngone);
	fprintf(stderr, "multipath: %s\n", info);

	int failures = 0;
	struct nv_rib nv;
	struct rt_rib rr;
	struct mp_figs fn, fr;
	memset(&fn, 0, sizeof fn);
	memset(&fr, 0, sizeof fr);
	if (nv_init(&nv, &md) != 0) {
		fprintf(stderr, "rtm-bench: ERROR: multipath: out of memory\n");
		mp_data_free(&md);
		return 1;
	}
	if (rt_rib_open(&rr, &md, err, sizeof err) != 0) {
		fprintf(stderr, "rtm-bench: ERROR: multipath: %s\n", err);
		nv_free(&nv);
		mp_data_free(&md);
		return 1;
	}
	char peers_case[24];
	snprintf(peers_case, sizeof peers_case, "load, %d peers", md.npeers);

	/* librtm first (the oracle's final state is what the check compares with, so it runs second). */
	if (mp_drive(&md, &rr, NULL, 0, reps, &fr) != 0) {
		fprintf(stderr, "rtm-bench: ERROR: multipath: librtm add or delete failed\n");
		failures++;
	}
	if (mp_drive(&md, NULL, &nv, rr.max_batch, reps, &fn) != 0) {
		fprintf(stderr, "rtm-bench: ERROR: multipath: the baseline's add or delete failed\n");
		failures++;
	}
	if (rr.errors) {
		fprintf(stderr, "rtm-bench: ERROR: multipath: %" PRIu64 " RtmGetChangedDests errors\n", rr.errors);
		failures++;
	}
	failures += mp_compare("best changes during the load", fr.load_best, fn.load_best);
	failures += mp_compare("destinations drained after the load", fr.load_drained, fn.load_drained);
	for (int r = 0; r < reps; r++) {
		failures += mp_compare("best changes during the withdrawal", fr.wd_best[r], fn.wd_best[r]);
		failures += mp_compare("destinations drained after the withdrawal", fr.wd_drained[r],
				       fn.wd_drained[r]);
		failures += mp_compare("best changes during the re-add", fr.ra_best[r], fn.ra_best[r]);
		failures += mp_compare("destinations drained after the re-add", fr.ra_drained[r],
				       fn.ra_drained[r]);
		failures += mp_compare("destinations drained after the peer's deregistration",
				       fr.dn_drained[r], fn.dn_drained[r]);
		failures += mp_compare("best changes while the peer's routes came back", fr.up_best[r],
				       fn.up_best[r]);
		failures += mp_compare("destinations drained after the peer came back", fr.up_drained[r],
				       fn.up_drained[r]);
	}
	size_t bad = rt_rib_check(&rr, &nv, "after the last re-add");
	if (bad) {
		fprintf(stderr, "rtm-bench: ERROR: multipath: %zu sampled destinations have another best route "
				"than the oracle's\n", bad);
		failures++;
	}
	fprintf(stderr, "  multipath librtm: load %.0f routes/s; withdraw %.0f routes/s, %" PRIu64
			" best changes, drained %.0f dests/s; re-add %.0f routes/s, %" PRIu64 " best changes\n",
		fr.load_rate, fr.wd_rate[0], fr.wd_best[0], fr.wd_drain[0], fr.ra_rate[0], fr.ra_best[0]);
	mp_record(rec, "librtm", &fr, reps, peers_case);
	mp_record(rec, "naive-trie", &fn, reps, peers_case);

	rt_rib_close(&rr);
	nv_free(&nv);
	mp_data_free(&md);
	return failures;
}
