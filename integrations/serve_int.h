/* serve_int.h: what the parts of `owl serve` share: the server struct,
 * the write queue's jobs (serve_writer.c), the connection registry that
 * enforces the total request deadline (serve.c), the HTTP handler
 * (serve_http.c) and the Alertmanager puller (serve_pull.c). */
#ifndef OWL_SERVE_INT_H
#define OWL_SERVE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <microhttpd.h>

#include "engine/receiver.h"
#include "engine/store.h"
#include "integrations/ingest.h"
#include "integrations/serve.h"
#include "integrations/serve_metrics.h"

/* One unit of work for the writer: a parsed batch to store, or a pull
 * (every alert an Alertmanager lists). The writer sets the results and
 * then calls done(), after which it never touches the job again. */
struct serve_job {
	struct serve_job *next;
	const struct ingest_batch *batch; /* a request's payload */
	const char *actor;
	enum serve_ep ep; /* whose counter; pull: OTHER */
	const char *pull_url; /* non-NULL: a pull */
	const struct alert *alerts; /* pull: the alerts listed */
	size_t nalerts;
	int pull_resolve; /* pull: resolve the alerts it no longer lists */
	void (*done)(struct serve_job *job);
	void *owner;
	int64_t queued_us; /* monotonic */
	/* results */
	int status; /* 0 stored; else 400 or 503 */
	char msg[ERR_MSG_MAX];
	struct ingest_result res;
	struct receiver_pull_result pull;
};

/* A client connection, for the deadline (serve.c). */
struct serve_conn {
	struct serve_conn *prev, *next;
	int fd;
	atomic_llong start_us; /* when the current request began */
	atomic_int busy; /* request received, owl is working on it */
	int cut; /* shut down at the deadline */
};

struct serve {
	const struct serve_config *cfg;
	struct serve_metrics m;
	struct MHD_Daemon *mhd;
	int listen_fd;
	char addr[96];
	size_t max_body;
	int64_t deadline_us;
	atomic_int draining;
	atomic_long inflight; /* requests begun, not completed */

	/* the writer (serve_writer.c) */
	struct store *wstore;
	pthread_t writer;
	int writer_started;
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct serve_job *qhead, *qtail;
	size_t qlen, qmax, batch_max;
	int wstop;

	/* a read-only connection for /metrics */
	struct store *rstore;
	pthread_mutex_t rlock;

	/* connections and the deadline reaper (serve.c) */
	pthread_mutex_t connlock;
	pthread_cond_t ccond;
	struct serve_conn *conns;
	size_t nconns;
	pthread_t reaper;
	int reaper_started, rstop;

	/* the puller (serve_pull.c) */
	pthread_t puller;
	int puller_started;
	pthread_mutex_t plock;
	pthread_cond_t pcond;
	int pstop;
};

/* Logs an event line (always) or a request line (unless quiet). */
void serve_log(struct serve *sv, int request, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Starts the writer thread on its own connection; -1 with err set. */
int serve_writer_start(struct serve *sv, struct err *err);

/* Stops it after every queued job is done. */
void serve_writer_stop(struct serve *sv);

/* Queues a job; -1 when the queue is full (the caller answers 503). */
int serve_enqueue(struct serve *sv, struct serve_job *job);

/* Jobs waiting. */
size_t serve_queue_depth(struct serve *sv);

/* The MHD access handler and completion callback (serve_http.c). */
enum MHD_Result serve_http_handler(void *cls, struct MHD_Connection *c,
    const char *url, const char *method, const char *version,
    const char *upload, size_t *upload_size, void **ctx);
void serve_http_completed(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_RequestTerminationCode toe);

/* Marks the connection's request as received (deadline paused) or done
 * (deadline restarts for the next request on a kept-alive connection). */
void serve_conn_busy(struct MHD_Connection *c, int busy);

/* Starts and stops the puller when cfg->npulls > 0 or silences need
 * expiring (serve_pull.c). */
int serve_pull_start(struct serve *sv, struct err *err);
void serve_pull_stop(struct serve *sv);

#endif
