/* serve_metrics.h: the counters of `owl serve` and their Prometheus text
 * exposition (GET /metrics): requests by endpoint and status, alerts
 * received, ingest latency histogram, commits, database errors. Updated
 * lock-free from every thread. */
#ifndef OWL_SERVE_METRICS_H
#define OWL_SERVE_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/buf.h"
#include "engine/err.h"
#include "engine/store.h"

/* The endpoints, as labels. */
enum serve_ep {
	SERVE_EP_ALERTMANAGER,
	SERVE_EP_GRAFANA,
	SERVE_EP_GENERIC,
	SERVE_EP_ENQUEUE,
	SERVE_EP_CHANGE, /* /v2/change/enqueue */
	SERVE_EP_SENDERS, /* the other senders' endpoints */
	SERVE_EP_HEALTHZ,
	SERVE_EP_METRICS,
	SERVE_EP_OTHER,
	SERVE_EP_COUNT
};

#define SERVE_METRICS_NCODES 12
#define SERVE_METRICS_NBUCKETS 14

struct serve_metrics {
	atomic_ulong requests[SERVE_EP_COUNT][SERVE_METRICS_NCODES];
	atomic_ulong alerts[SERVE_EP_COUNT]; /* alerts received and stored */
	atomic_ulong pulled_alerts; /* alerts stored by --pull */
	atomic_ulong latency[SERVE_METRICS_NBUCKETS]; /* not cumulative */
	atomic_ulong latency_count;
	atomic_ulong latency_sum_us;
	atomic_ulong commits; /* transactions committed */
	atomic_ulong cache_resets; /* writer transactions after another
	                             connection's commit (SQLite) */
	atomic_ulong committed; /* requests and pulls committed */
	atomic_ulong db_errors; /* failed transactions */
	atomic_ulong queue_full; /* requests refused: queue full */
	atomic_ulong timeouts; /* connections cut at the body deadline */
	atomic_ulong head_timeouts; /* ... at the header deadline */
	atomic_ulong evicted; /* idle connections closed for a newcomer */
	atomic_ulong refused; /* newcomers closed: nothing idle to evict */
	atomic_ulong shed; /* 503: over the budget of bodies in flight */
	atomic_ulong replays; /* signatures used a second time */
	atomic_ulong pull_ok;
	atomic_ulong pull_errors;
	atomic_ulong silences_expired;
};

/* The endpoint's label value ("alertmanager", ..., "other"). */
const char *serve_metrics_ep_name(enum serve_ep ep);

/* Counts one reply. */
void serve_metrics_request(
    struct serve_metrics *m, enum serve_ep ep, int status);

/* Records one ingest latency: request received to commit acknowledged. */
void serve_metrics_latency(struct serve_metrics *m, int64_t us);

/* Gauges read at scrape time. open_incidents < 0: unknown (left out). */
struct serve_gauges {
	int64_t open_incidents;
	size_t queue_depth;
	size_t parse_depth;
	size_t connections;
	size_t body_bytes; /* body bytes in flight (the budget used) */
	const char *version; /* owl's, for owl_build_info */
	int draining;
};

/* Appends the Prometheus text exposition (version 0.0.4) to out: owl's
 * counters and gauges, owl_build_info, and the process_* metrics of
 * Prometheus's client libraries (from /proc). */
int serve_metrics_format(const struct serve_metrics *m,
    const struct serve_gauges *g, struct buf *out, struct err *err);

/* Appends owl_duty_held{duty} (engine/duty.h): 1 for each duty whose
 * lease node ("host:pid") holds in the database s. */
int serve_metrics_duties(
    struct store *s, const char *node, struct buf *out, struct err *err);

#endif
