/* serve_metrics.c: owl serve's counters and their Prometheus text format
 * (serve_metrics.h). Relaxed atomics: a scrape may see one counter a
 * moment ahead of another, which Prometheus tolerates. */
#include "serve_metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/duty.h"
#include "engine/store.h"
#include "integrations/lazy_gnutls.h"
#include "integrations/lazy_mhd.h"

static const char *const serve_metrics_eps[SERVE_EP_COUNT] = {
	"alertmanager",
	"grafana",
	"generic",
	"enqueue",
	"change",
	"senders",
	"healthz",
	"metrics",
	"other",
};

/* The status codes owl serve answers with; the last slot is "other". */
static const int serve_metrics_codes[SERVE_METRICS_NCODES] = {
	200,
	202,
	400,
	401,
	404,
	405,
	411,
	413,
	415,
	500,
	503,
	0,
};

/* Upper bounds of the latency buckets, microseconds. */
static const int64_t serve_metrics_bounds[SERVE_METRICS_NBUCKETS - 1] = {
	250,
	500,
	1000,
	2500,
	5000,
	10000,
	25000,
	50000,
	100000,
	250000,
	500000,
	1000000,
	5000000,
};

#define SM_ADD(x, n) atomic_fetch_add_explicit(&(x), (n), memory_order_relaxed)
#define SM_GET(x) atomic_load_explicit(&(x), memory_order_relaxed)

const char *
serve_metrics_ep_name(enum serve_ep ep)
{
	return ep < SERVE_EP_COUNT ? serve_metrics_eps[ep] : "other";
}

void
serve_metrics_request(struct serve_metrics *m, enum serve_ep ep, int status)
{
	int i;

	for (i = 0; i < SERVE_METRICS_NCODES - 1; i++)
		if (serve_metrics_codes[i] == status)
			break;
	if (ep >= SERVE_EP_COUNT)
		ep = SERVE_EP_OTHER;
	SM_ADD(m->requests[ep][i], 1);
}

void
serve_metrics_latency(struct serve_metrics *m, int64_t us)
{
	int i;

	if (us < 0)
		us = 0;
	for (i = 0; i < SERVE_METRICS_NBUCKETS - 1; i++)
		if (us <= serve_metrics_bounds[i])
			break;
	SM_ADD(m->latency[i], 1);
	SM_ADD(m->latency_count, 1);
	SM_ADD(m->latency_sum_us, (unsigned long)us);
}

static int
serve_metrics_head(struct buf *out, const char *name, const char *type,
    const char *help, struct err *err)
{
	return buf_printf(
	    out, err, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int
serve_metrics_one(struct buf *out, const char *name, const char *type,
    const char *help, unsigned long v, struct err *err)
{
	if (serve_metrics_head(out, name, type, help, err) == -1)
		return -1;
	return buf_printf(out, err, "%s %lu\n", name, v);
}

static int
serve_metrics_requests(
    const struct serve_metrics *m, struct buf *out, struct err *err)
{
	if (serve_metrics_head(out, "owl_http_requests_total", "counter",
	        "HTTP requests answered, by endpoint and status code.",
	        err) == -1)
		return -1;
	for (int e = 0; e < SERVE_EP_COUNT; e++) {
		for (int c = 0; c < SERVE_METRICS_NCODES; c++) {
			unsigned long v = SM_GET(m->requests[e][c]);
			char code[16];

			if (v == 0)
				continue;
			if (serve_metrics_codes[c] != 0)
				snprintf(code, sizeof code, "%d",
				    serve_metrics_codes[c]);
			else
				snprintf(code, sizeof code, "other");
			if (buf_printf(out, err,
			        "owl_http_requests_total"
			        "{endpoint=\"%s\",code=\"%s\"} %lu\n",
			        serve_metrics_eps[e], code, v) == -1)
				return -1;
		}
	}
	if (serve_metrics_head(out, "owl_alerts_received_total", "counter",
	        "Alerts committed to the database, by endpoint (pull: --pull).",
	        err) == -1)
		return -1;
	for (int e = 0; e < SERVE_EP_COUNT; e++)
		if (e <= SERVE_EP_SENDERS &&
		    buf_printf(out, err,
		        "owl_alerts_received_total{endpoint=\"%s\"} %lu\n",
		        serve_metrics_eps[e], SM_GET(m->alerts[e])) == -1)
			return -1;
	return buf_printf(out, err,
	    "owl_alerts_received_total{endpoint=\"pull\"} %lu\n",
	    SM_GET(m->pulled_alerts));
}

static int
serve_metrics_histogram(
    const struct serve_metrics *m, struct buf *out, struct err *err)
{
	const char *name = "owl_ingest_latency_seconds";
	unsigned long cum = 0;

	if (serve_metrics_head(out, name, "histogram",
	        "Time from a request "
	        "fully received to its commit being acknowledged.",
	        err) == -1)
		return -1;
	for (int i = 0; i < SERVE_METRICS_NBUCKETS; i++) {
		cum += SM_GET(m->latency[i]);
		if (i < SERVE_METRICS_NBUCKETS - 1) {
			if (buf_printf(out, err, "%s_bucket{le=\"%g\"} %lu\n",
			        name, (double)serve_metrics_bounds[i] / 1e6,
			        cum) == -1)
				return -1;
		} else if (buf_printf(out, err, "%s_bucket{le=\"+Inf\"} %lu\n",
		               name, cum) == -1)
			return -1;
	}
	return buf_printf(out, err, "%s_sum %.6f\n%s_count %lu\n", name,
	    (double)SM_GET(m->latency_sum_us) / 1e6, name,
	    SM_GET(m->latency_count));
}

/* A label value with \, " and newlines escaped, cut to fit. */
static void
serve_metrics_label(char *out, size_t n, const char *v)
{
	size_t o = 0;

	for (; v != NULL && *v != '\0' && o + 3 < n; v++) {
		if (*v == '\\' || *v == '"' || *v == '\n')
			out[o++] = '\\';
		out[o++] = *v == '\n' ? 'n' : *v;
	}
	out[o] = '\0';
}

/* owl_build_info: 1, with owl's version and its libraries' as labels. */
static int
serve_metrics_build(const char *version, struct buf *out, struct err *err)
{
	char v[64];

	serve_metrics_label(v, sizeof v, version ? version : "unknown");
	if (serve_metrics_head(out, "owl_build_info", "gauge",
	        "owl's version and its libraries' (always 1).", err) == -1)
		return -1;
	return buf_printf(out, err,
	    "owl_build_info{version=\"%s\",libmicrohttpd=\"%s\","
	    "gnutls=\"%s\",sqlite=\"%s\"} 1\n",
	    v, MHD_get_version(), gnutls_check_version(NULL),
	    store_sqlite_version());
}

/* What /proc says of this process: CPU seconds, memory, start time. */
struct serve_proc {
	double cpu_s, start_s;
	unsigned long long vsize, rss;
	long open_fds;
	unsigned long long max_fds;
};

/* Reads /proc/self/stat (after the command's parenthesis: fields 14-15
 * utime/stime, 22 starttime in ticks after boot, 23 vsize, 24 rss in
 * pages) and /proc/stat's btime. -1 when /proc is not there. */
static int
serve_proc_stat(struct serve_proc *p)
{
	unsigned long long ut = 0, st = 0, start = 0, btime = 0;
	long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	char buf[1024], *q;
	size_t n;
	FILE *f;

	if ((f = fopen("/proc/self/stat", "re")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((q = strrchr(buf, ')')) == NULL ||
	    sscanf(q + 2,
	        "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
	        "%*d %*d %*d %*d %*d %*d %llu %llu %llu",
	        &ut, &st, &start, &p->vsize, &p->rss) != 5)
		return -1;
	if ((f = fopen("/proc/stat", "re")) != NULL) {
		while (fgets(buf, sizeof buf, f) != NULL)
			if (sscanf(buf, "btime %llu", &btime) == 1)
				break;
		fclose(f);
	}
	if (tick <= 0)
		tick = 100;
	p->cpu_s = (double)(ut + st) / (double)tick;
	p->start_s = (double)btime + (double)start / (double)tick;
	p->rss *= page > 0 ? (unsigned long long)page : 4096;
	return 0;
}

static void
serve_proc_fds(struct serve_proc *p)
{
	struct rlimit rl;
	struct dirent *e;
	DIR *d;

	p->open_fds = 0;
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((e = readdir(d)) != NULL)
			p->open_fds += e->d_name[0] != '.';
		closedir(d);
		p->open_fds--; /* the directory being read */
	}
	p->max_fds =
	    getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
	    ? (unsigned long long)rl.rlim_cur
	    : 0;
}

/* The process_* metrics that Prometheus's client libraries export. */
static int
serve_metrics_process(struct buf *out, struct err *err)
{
	struct serve_proc p = { 0 };

	if (serve_proc_stat(&p) == -1)
		return 0; /* no /proc: left out */
	serve_proc_fds(&p);
	if (serve_metrics_head(out, "process_cpu_seconds_total", "counter",
	        "Total user and system CPU time spent in seconds.",
	        err) == -1 ||
	    buf_printf(out, err, "process_cpu_seconds_total %.2f\n", p.cpu_s) ==
	        -1 ||
	    serve_metrics_one(out, "process_open_fds", "gauge",
	        "Number of open file descriptors.", (unsigned long)p.open_fds,
	        err) == -1 ||
	    serve_metrics_one(out, "process_max_fds", "gauge",
	        "Maximum number of open file descriptors.",
	        (unsigned long)p.max_fds, err) == -1 ||
	    serve_metrics_one(out, "process_virtual_memory_bytes", "gauge",
	        "Virtual memory size in bytes.", (unsigned long)p.vsize,
	        err) == -1 ||
	    serve_metrics_one(out, "process_resident_memory_bytes", "gauge",
	        "Resident memory size in bytes.", (unsigned long)p.rss,
	        err) == -1 ||
	    serve_metrics_head(out, "process_start_time_seconds", "gauge",
	        "Start time of the process since unix epoch in seconds.",
	        err) == -1)
		return -1;
	return buf_printf(
	    out, err, "process_start_time_seconds %.2f\n", p.start_s);
}

int
serve_metrics_format(const struct serve_metrics *m,
    const struct serve_gauges *g, struct buf *out, struct err *err)
{
	if (serve_metrics_requests(m, out, err) == -1 ||
	    serve_metrics_histogram(m, out, err) == -1 ||
	    serve_metrics_one(out, "owl_commits_total", "counter",
	        "Write transactions committed (each holds many requests).",
	        SM_GET(m->commits), err) == -1 ||
	    serve_metrics_one(out, "owl_writer_cache_resets_total", "counter",
	        "Write transactions begun after another connection's commit "
	        "(SQLite: the writer's page cache emptied, its indexes read "
	        "again from the file).",
	        SM_GET(m->cache_resets), err) == -1 ||
	    serve_metrics_one(out, "owl_committed_requests_total", "counter",
	        "Requests and pulls whose alerts were committed.",
	        SM_GET(m->committed), err) == -1 ||
	    serve_metrics_one(out, "owl_db_errors_total", "counter",
	        "Transactions that failed (busy, full, I/O); answered 503.",
	        SM_GET(m->db_errors), err) == -1 ||
	    serve_metrics_one(out, "owl_queue_full_total", "counter",
	        "Requests refused with 503 because the write queue was full.",
	        SM_GET(m->queue_full), err) == -1 ||
	    serve_metrics_one(out, "owl_request_timeouts_total", "counter",
	        "Connections closed at the deadline of a body or reply.",
	        SM_GET(m->timeouts), err) == -1 ||
	    serve_metrics_one(out, "owl_header_timeouts_total", "counter",
	        "Connections closed at the deadline of the request line and "
	        "headers.",
	        SM_GET(m->head_timeouts), err) == -1 ||
	    serve_metrics_one(out, "owl_connections_evicted_total", "counter",
	        "Idle connections closed to make room for a new one.",
	        SM_GET(m->evicted), err) == -1 ||
	    serve_metrics_one(out, "owl_connections_refused_total", "counter",
	        "New connections closed: at the limit with none idle.",
	        SM_GET(m->refused), err) == -1 ||
	    serve_metrics_one(out, "owl_signature_replays_total", "counter",
	        "Signed deliveries whose signature was used before "
	        "(answered, not applied).",
	        SM_GET(m->replays), err) == -1 ||
	    serve_metrics_one(out, "owl_body_budget_shed_total", "counter",
	        "Requests answered 503: bodies in flight over the budget.",
	        SM_GET(m->shed), err) == -1 ||
	    serve_metrics_one(out, "owl_pull_success_total", "counter",
	        "Successful pulls from Alertmanager (--pull).",
	        SM_GET(m->pull_ok), err) == -1 ||
	    serve_metrics_one(out, "owl_pull_errors_total", "counter",
	        "Failed pulls from Alertmanager (--pull).",
	        SM_GET(m->pull_errors), err) == -1 ||
	    serve_metrics_one(out, "owl_silences_expired_total", "counter",
	        "Alertmanager silences expired because their incident resolved.",
	        SM_GET(m->silences_expired), err) == -1 ||
	    serve_metrics_one(out, "owl_write_queue_depth", "gauge",
	        "Requests waiting for the writer.", g->queue_depth,
	        err) == -1 ||
	    serve_metrics_one(out, "owl_parse_queue_depth", "gauge",
	        "Requests received, waiting for a parser thread.",
	        g->parse_depth, err) == -1 ||
	    serve_metrics_one(out, "owl_body_bytes_in_flight", "gauge",
	        "Body bytes received or announced, not yet answered.",
	        g->body_bytes, err) == -1 ||
	    serve_metrics_one(out, "owl_connections", "gauge",
	        "Open client connections.", g->connections, err) == -1 ||
	    serve_metrics_one(out, "owl_draining", "gauge",
	        "1 while shutting down gracefully.", (unsigned long)g->draining,
	        err) == -1)
		return -1;
	if (g->open_incidents >= 0 &&
	    serve_metrics_one(out, "owl_incidents_open", "gauge",
	        "Incidents not resolved.", (unsigned long)g->open_incidents,
	        err) == -1)
		return -1;
	if (serve_metrics_build(g->version, out, err) == -1)
		return -1;
	return serve_metrics_process(out, err);
}

int
serve_metrics_duties(
    struct store *s, const char *node, struct buf *out, struct err *err)
{
	static const char *const duties[] = { "pager", "pull" };
	int held[2];

	for (size_t i = 0; i < 2; i++)
		if ((held[i] = duty_held(s, duties[i], node, err)) == -1)
			return -1;
	if (serve_metrics_head(out, "owl_duty_held", "gauge",
	        "1 when this owl serve holds the lease of the once-only duty "
	        "(of the nodes sharing the database).",
	        err) == -1)
		return -1;
	for (size_t i = 0; i < 2; i++)
		if (buf_printf(out, err, "owl_duty_held{duty=\"%s\"} %d\n",
		        duties[i], held[i]) == -1)
			return -1;
	return 0;
}
