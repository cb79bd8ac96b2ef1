/* serve_int.h: what the parts of `owl serve` share: the server struct,
 * the write queue's jobs (serve_writer.c), the connection registry with
 * its deadlines and eviction (serve_conn.c), the parser threads
 * (serve_parse.c), the HTTP handler (serve_http.c) and the Alertmanager
 * puller (serve_pull.c). */
#ifndef OWL_SERVE_INT_H
#define OWL_SERVE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "integrations/lazy_mhd.h"

#include "engine/buf.h"
#include "engine/duty.h"
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
	const char *duty; /* pull: the duty whose lease it needs (a fence) */
	/* non-NULL: what the writer does in its transaction instead of
	 * storing a payload (the pull duty's lease: written on the
	 * writer's own connection, whose page cache a commit of another
	 * connection would empty); counted in no request metric */
	int (*call)(struct store *s, void *arg, struct err *err);
	void *call_arg;
	int signed_once; /* a signature to record as used (replay cache) */
	unsigned char sig_mac[32];
	int64_t sig_until_us; /* wall clock: recorded until then */
	void (*done)(struct serve_job *job);
	void *owner;
	int64_t queued_us; /* monotonic */
	/* results */
	int status; /* 0 stored; else 400, 401 or 503 */
	int replayed; /* its signature was used before: nothing applied */
	int fenced; /* another node holds its duty now: nothing applied */
	char msg[ERR_MSG_MAX];
	struct ingest_result res;
	struct receiver_pull_result pull;
};

/* Where a connection is in its request, for its deadline. */
enum serve_phase {
	SERVE_PHASE_HEAD, /* waiting for a request line and headers (idle) */
	SERVE_PHASE_BODY, /* headers in, receiving the body */
	SERVE_PHASE_BUSY, /* owl is parsing or committing: no deadline */
	SERVE_PHASE_REPLY, /* the reply is queued, being sent */
};

/* A client connection (serve_conn.c). */
struct serve_conn {
	struct serve_conn *prev, *next;
	struct serve *sv;
	int fd;
	unsigned char addr[17]; /* family byte + address: per-client count */
	atomic_llong start_us; /* when the current phase began */
	atomic_int phase; /* enum serve_phase */
	int cut; /* shut down (deadline or eviction) */
	struct serve_tls_cred *tls; /* the certificate its handshake used */
};

struct serve_req;

/* Answers a request that carries nothing to store (a GET), once the
 * request is complete: answered then, the connection is kept alive. */
typedef enum MHD_Result serve_get_fn(struct serve_req *r);

/* The credential is PagerDuty's routing_key in the body; an
 * Authorization header that is not an owl credential is ignored
 * (node-pagerduty sends "Token token=..."). */
#define SERVE_ROUTE_ROUTING_KEY 0x1

/* An endpoint (serve_http.c's table). An ingest endpoint names its
 * format; the others answer with their get function. */
struct serve_route {
	const char *path; /* also matched with one trailing slash */
	enum serve_ep ep;
	const char *allow; /* the methods, as the Allow header says them */
	int format; /* enum ingest_format; -1: not an ingest */
	serve_get_fn *get;
	unsigned flags; /* SERVE_ROUTE_* */
};

/* One HTTP request, from its headers to its reply (serve_http.c). */
struct serve_req {
	struct serve_req *next; /* the parse queue */
	struct serve *sv;
	struct MHD_Connection *conn;
	const struct serve_route *route;
	struct serve_job job;
	struct ingest_batch *batch;
	struct buf body;
	size_t body_len; /* bytes received, kept or not */
	size_t reserved; /* of the budget of bodies in flight */
	int64_t t0; /* monotonic, headers received */
	int authed;
	int too_big; /* past --max-body: 413 */
	int shed; /* past the budget: body discarded, 503 */
	int suspended; /* with a parser or the writer */
	int status; /* the reply sent */
	char method[8];
	char path[96];
	char who[72];
	char arg[256]; /* the route's '*' segment (an alert id, a name) */
};

struct serve {
	const struct serve_config *cfg;
	struct serve_metrics m;
	struct MHD_Daemon *mhd;
	struct serve_tls *tls; /* NULL: plain HTTP */
	int listen_fd;
	char addr[96];
	size_t max_body;
	int64_t deadline_us; /* receiving a body, sending a reply */
	int64_t head_deadline_us; /* request line and headers */
	unsigned max_conns, max_conns_per_ip;
	size_t budget; /* body bytes in flight, at most */
	atomic_size_t budget_used;
	atomic_int draining;
	atomic_long inflight; /* requests begun, not completed */

	/* the parsers (serve_parse.c) */
	pthread_t parsers[SERVE_MAX_PARSERS];
	unsigned nparsers;
	pthread_mutex_t parse_lock;
	pthread_cond_t parse_cond;
	struct serve_req *phead, *ptail;
	size_t plen;
	int parse_stop;

	/* the writer (serve_writer.c) */
	struct store *wstore;
	pthread_t writer;
	int writer_started;
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct serve_job *qhead, *qtail;
	size_t qlen, qmax, batch_max;
	int wstop;
	/* the syncer (serve_writer.c), with deferred durability: the jobs
	 * committed but not yet on disk, answered once synced (qlock) */
	int defer;
	int64_t wversion; /* the writer's store_data_version, 0: none yet */
	pthread_t syncer;
	int syncer_started;
	pthread_cond_t scond;
	struct serve_job *shead, *stail;
	size_t syncing; /* jobs committed, not yet answered */
	int sstop;
	/* the checkpointer, beside them: copies the WAL into the database
	 * on a connection of its own while the writer goes on (qlock) */
	struct store *kstore;
	pthread_t ckpt;
	int ckpt_started;
	pthread_cond_t kcond;
	int kwant, kstop;
	int kbusy; /* checkpointing now */
	long kat; /* the WAL's frames when it was woken (qlock) */
	long kdone; /* ... and when its last pass began: copied up to there */
	long kfrom; /* the WAL's frames when it was last woken (writer's) */

	/* a read-only connection for /metrics */
	struct store *rstore;
	pthread_mutex_t rlock;

	/* health (serve_health.c) */
	pthread_mutex_t hlock;
	struct store *hstore; /* probes the write lock */
	int64_t hfail_us; /* the last write failed then; 0: it did not */
	char hfail[ERR_MSG_MAX];
	int64_t hprobe_us; /* the last probe; its finding ("": fine) */
	char hprobe[ERR_MSG_MAX];

	/* connections and the deadline reaper (serve.c) */
	pthread_mutex_t connlock;
	pthread_cond_t ccond;
	struct serve_conn *conns;
	size_t nconns, ncut; /* registered; of which cut, not yet closed */
	pthread_t reaper;
	int reaper_started, rstop;

	/* the puller (serve_pull.c), holder of the "pull" duty */
	struct duty_node node; /* this owl serve among the nodes */
	int64_t lease_us;
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
/* serve_enqueue for owl serve's own jobs (a job with a call): queued
 * even when the queue is full of requests. */
int serve_enqueue_own(struct serve *sv, struct serve_job *job);

/* A job waited for by the thread that queued it (a pull, a lease). */
struct serve_wait {
	struct serve_job job;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
};

/* Hands w's job to the writer and waits until it is durable (or failed:
 * w->job.status). own: an owl serve job, queued past a full queue. */
void serve_wait_job(struct serve *sv, struct serve_wait *w, int own);

/* Jobs waiting. */
size_t serve_queue_depth(struct serve *sv);

/* The MHD access handler and completion callback (serve_http.c). */
enum MHD_Result serve_http_handler(void *cls, struct MHD_Connection *c,
    const char *url, const char *method, const char *version,
    const char *upload, size_t *upload_size, void **ctx);
void serve_http_completed(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_RequestTerminationCode toe);

/* The connection registry (serve_conn.c): MHD's connection notifier
 * registers each connection and, when the server is full, evicts the
 * oldest idle one (or refuses the newcomer when its address is over its
 * share and has nothing idle); the reaper cuts connections past their
 * phase's deadline. */
void serve_conn_notify(void *cls, struct MHD_Connection *c, void **sctx,
    enum MHD_ConnectionNotificationCode code);
int serve_conn_reaper_start(struct serve *sv, struct err *err);
void serve_conn_reaper_stop(struct serve *sv);

/* Moves the connection's request to a phase; its deadline restarts. */
void serve_conn_phase(struct MHD_Connection *c, enum serve_phase phase);

/* Reserves n body bytes of the in-flight budget; -1 when over it. */
int serve_budget_take(struct serve *sv, size_t n);
void serve_budget_give(struct serve *sv, size_t n);

/* TLS (serve_tls.c): loads --tls-cert and --tls-key when configured
 * (0 and nothing done otherwise); frees them; drops a connection's use
 * of the certificate its handshake took (at its close); and the
 * certificate callback to give MHD (MHD_OPTION_HTTPS_CERT_CALLBACK). */
int serve_tls_open(struct serve *sv, struct err *err);
void serve_tls_close(struct serve *sv);
void serve_tls_release(struct serve *sv, struct serve_tls_cred *c);
void *serve_tls_callback(void);

/* Replies (serve_reply.c). serve_http_reply queues a reply with body
 * (len bytes, copied) and logs the request; serve_http_error answers
 * a one-line reason, in PagerDuty's JSON error shape under /v2/;
 * serve_pd_error_json builds that shape for a status and a reason
 * (free it; NULL when out of memory). */
enum MHD_Result serve_http_reply(struct serve_req *r, int status,
    const char *ctype, const char *body, size_t len);
enum MHD_Result serve_http_error(struct serve_req *r, int status,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
char *serve_pd_error_json(int status, const char *reason);

/* Health (serve_health.c): opens and closes the probe's connection;
 * the writer reports each transaction (err NULL: committed; a database
 * error marks owl unhealthy, bad input does not); check: 0 when owl can
 * store alerts now, else -1 with why (n bytes) saying what is wrong. */
int serve_health_open(struct serve *sv, struct err *err);
void serve_health_close(struct serve *sv);
void serve_health_write(struct serve *sv, const struct err *err);
int serve_health_check(struct serve *sv, char *why, size_t n);

/* The parser threads (serve_parse.c): a received request is checked
 * (body credentials), parsed and handed to the writer away from MHD's
 * threads, so that one large payload holds up no other connection. */
int serve_parse_start(struct serve *sv, struct err *err);
void serve_parse_stop(struct serve *sv);
void serve_parse_queue(struct serve *sv, struct serve_req *r);
size_t serve_parse_depth(struct serve *sv);

/* serve_http.c, for the parsers: checks a request's body credentials,
 * parses it and queues it for the writer; on any failure sets its
 * status and resumes it. */
void serve_http_process(struct serve_req *r);

/* Starts and stops the puller (serve_pull.c): the thread that holds the
 * "pull" duty's lease (engine/duty.h) and, while it holds it, pulls the
 * --pull sources, expires the silences of resolved incidents and purges
 * the replay cache; standing by while another node holds it. */
int serve_pull_start(struct serve *sv, struct err *err);
void serve_pull_stop(struct serve *sv);

#endif
