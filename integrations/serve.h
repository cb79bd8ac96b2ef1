/* serve.h: `owl serve`, the webhook receiver (libmicrohttpd). Endpoints
 * for Alertmanager, Grafana, generic JSON and PagerDuty Events v2; a 2xx
 * only after the alerts are committed with synchronous=FULL, many
 * requests per transaction (group commit in one writer thread); limits
 * on connections (the oldest idle one gives way to a newcomer), header
 * and body time, body size and body bytes in flight (503 past them);
 * optional pull from Alertmanager's API. The caller (tui/cmd_serve.c) owns
 * signals and the terminal; it gets log lines through a callback. */
#ifndef OWL_SERVE_H
#define OWL_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "integrations/http_auth.h"

struct ingest_opts;

#define SERVE_DEFAULT_LISTEN "127.0.0.1:9095"
#define SERVE_DEFAULT_MAX_BODY (1024 * 1024)
#define SERVE_MAX_PULLS 16
#define SERVE_MAX_PARSERS 16
#define SERVE_DEFAULT_MAX_CONNS 1024
#define SERVE_DEFAULT_BUDGET (64 * 1024 * 1024)

/* Receives one log line (no newline); called from any thread. */
typedef void serve_log_fn(void *ctx, const char *line);

struct serve_config {
	const char *listen; /* ADDR:PORT; NULL: the default */
	const char *db_path; /* the database */
	const char *version; /* owl's, for owl_build_info; NULL: unknown */
	size_t max_body; /* bytes; 0: 1 MiB */
	unsigned max_conns; /* 0: 1024 */
	unsigned max_conns_per_ip; /* 0: half of max_conns */
	unsigned threads; /* connection threads; 0: cores */
	unsigned parsers; /* parser threads; 0: cores */
	int64_t request_timeout_us; /* body and reply; 0: 10 s */
	int64_t header_timeout_us; /* request line and headers; 0: 2 s */
	size_t max_inflight; /* body bytes in flight; 0: 64 MiB */
	size_t batch_max; /* requests per transaction; 0: 512 */
	size_t queue_max; /* waiting requests; 0: 4096 */
	int insecure; /* allow non-loopback without auth */
	const char *tls_cert; /* PEM chain, leaf first; NULL: plain HTTP */
	const char *tls_key; /* PEM private key of the leaf */
	const struct http_auth *auth; /* borrowed; NULL: no auth */
	const struct ingest_opts *ingest; /* borrowed; NULL: defaults */
	const char *grafana_sig_header; /* NULL: X-Grafana-Alerting-Signature */
	const char *grafana_ts_header; /* NULL: X-Grafana-Alerting-Timestamp */
	const char *pulls[SERVE_MAX_PULLS]; /* Alertmanager base URLs */
	size_t npulls;
	int64_t pull_interval_us; /* 0: 15 s */
	const char *pull_receiver; /* only its groups; NULL: all */
	int64_t pull_grace_us; /* resolve nothing while the Alertmanager has
	                          been up less than this; -1: 0, 0: 3 min */
	int64_t lease_us; /* the lease of a once-only duty (engine/duty.h:
	                     --pull, silence expiry, sweeps) held by one
	                     node of those sharing the database; 0: 15 s */
	serve_log_fn *log; /* NULL: silent */
	void *log_ctx;
	int quiet; /* no per-request lines, events only */
};

struct serve;

/* Binds the listening socket, opens the database, starts the threads.
 * A non-loopback address without any credential configured is refused
 * (ERR_REFUSED) unless cfg->insecure. A busy port, a bad address or an
 * unusable database: NULL with err set. cfg and what it points to must
 * outlive the server. Stop with serve_stop(). */
struct serve *serve_start(const struct serve_config *cfg, struct err *err);

/* The address actually bound ("127.0.0.1:9095"), borrowed. */
const char *serve_address(const struct serve *sv);

/* "https" with TLS, else "http". */
const char *serve_scheme(const struct serve *sv);

/* Loads --tls-cert and --tls-key again (SIGHUP): new handshakes get the
 * new certificate, open connections keep theirs. On success info (n
 * bytes) says what was loaded; on failure the old certificate stays and
 * err says why. */
int serve_reload_tls(struct serve *sv, char *info, size_t n, struct err *err);

/* Runs fn(s, arg, err) in a write transaction of the server's writer,
 * on its connection (s), and returns once that transaction is on disk:
 * owl serve's own writes (leases, paging, escalation), which on
 * another connection would empty the writer's page cache (SQLite).
 * fn may be run again (from the start, its writes rolled back) when
 * another job of its transaction fails, and must not keep results of
 * a run that failed. -1 with err set when fn failed (its writes rolled
 * back), the commit did, or the server is stopping. */
struct store;
int serve_write(struct serve *sv,
    int (*fn)(struct store *s, void *arg, struct err *err), void *arg,
    struct err *err);

/* Graceful stop: stops accepting, lets requests in flight finish and be
 * committed (waiting at most grace_us for them), stops every thread,
 * closes the database and frees sv. Accepts NULL. */
void serve_stop(struct serve *sv, int64_t grace_us);

#endif
