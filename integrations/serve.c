/* serve.c: starting and stopping `owl serve` (serve.h): the listening
 * socket, the libmicrohttpd daemon with its limits, and the threads
 * around it (connection reaper, parsers, writer, puller) in the order
 * they must start and stop. Several owl serve may share one PostgreSQL
 * database: each stores what it receives (writers are serialised by the
 * database), and the duties that must run once (paging, --pull, sweeps)
 * go to the node holding their lease (engine/duty.h). */
#include "serve_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/clock.h"

#define SERVE_MEMORY_LIMIT (32 * 1024)
/* Descriptors owl needs beside its connections: databases, WAL and shm
 * files, epoll and pipes of MHD's threads, libcurl for --pull. */
#define SERVE_FD_RESERVE 64

void
serve_log(struct serve *sv, int request, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (sv->cfg->log == NULL || (request && sv->cfg->quiet))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	sv->cfg->log(sv->cfg->log_ctx, line);
}

static void
serve_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct serve *sv = cls;
	char line[512];
	size_t n;

	vsnprintf(line, sizeof line, fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	serve_log(sv, 0, "http: %s", line);
}

/* Loopback: 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104. */
static int
serve_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)
		                  ->sin_addr.s_addr) >>
		           24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		    (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return 0;
}

/* Splits "HOST:PORT", "[V6]:PORT" or ":PORT" (every interface). */
static int
serve_split(const char *listen, char *host, size_t hn, char *port, size_t pn,
    struct err *err)
{
	const char *colon;

	if (listen[0] == '[') {
		const char *end = strchr(listen, ']');

		if (end == NULL || end[1] != ':')
			goto bad;
		snprintf(host, hn, "%.*s", (int)(end - listen - 1), listen + 1);
		colon = end + 1;
	} else {
		if ((colon = strrchr(listen, ':')) == NULL)
			goto bad;
		snprintf(host, hn, "%.*s", (int)(colon - listen), listen);
	}
	if (colon[1] == '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    strlen(colon + 1) > 5)
		goto bad;
	snprintf(port, pn, "%s", colon + 1);
	return 0;
bad:
	return err_set(err, ERR_USAGE,
	    "--listen %s: want ADDR:PORT "
	    "(e.g. 127.0.0.1:9095)",
	    listen);
}

/* Writes the bound address as "127.0.0.1:9095" or "[::1]:9095". */
static void
serve_name(struct serve *sv, const struct sockaddr_storage *ss)
{
	char h[64];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof h);
		snprintf(sv->addr, sizeof sv->addr, "[%s]:%u", h,
		    ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, h, sizeof h);
		snprintf(
		    sv->addr, sizeof sv->addr, "%s:%u", h, ntohs(s4->sin_port));
	}
}

/* Binds and listens; sets sv->listen_fd and sv->addr. A non-loopback
 * address without credentials is refused before anything is bound. */
static int
serve_bind(struct serve *sv, const char *listen_at, struct err *err)
{
	struct addrinfo hints = { 0 }, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char host[256], port[8];
	int one = 1, rc;

	if (serve_split(listen_at, host, sizeof host, port, sizeof port, err) ==
	    -1)
		return -1;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai)) != 0)
		return err_set(err, ERR_USAGE, "--listen %s: %s", listen_at,
		    gai_strerror(rc));
	if (!serve_is_loopback(ai->ai_addr) &&
	    !http_auth_enabled(sv->cfg->auth) && !sv->cfg->insecure) {
		freeaddrinfo(ai);
		return err_set(err, ERR_REFUSED,
		    "refusing to listen on %s "
		    "without auth: give --token-file or --hmac-secret-file "
		    "(or --insecure)",
		    listen_at);
	}
	sv->listen_fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sv->listen_fd == -1 ||
	    setsockopt(sv->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one,
	        sizeof one) == -1 ||
	    bind(sv->listen_fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(sv->listen_fd, SOMAXCONN) == -1 ||
	    getsockname(sv->listen_fd, (struct sockaddr *)&ss, &sl) == -1) {
		err_set(err, ERR_FAILED, "listen %s: %s", listen_at,
		    strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	serve_name(sv, &ss);
	return 0;
}

/* MHD's hard limit: owl's, plus room for connections already cut and
 * not yet closed; MHD splits it evenly over its threads. */
static unsigned
serve_mhd_limit(const struct serve *sv, unsigned threads)
{
	unsigned n = sv->max_conns + sv->max_conns / 4 + 16;

	return n < threads * 8 ? threads * 8 : n;
}

/* Lets the process hold the connections: raises the soft limit on open
 * files towards the hard one, and lowers max_conns to what fits. */
static void
serve_fd_limit(struct serve *sv)
{
	struct rlimit rl;
	rlim_t want =
	    (rlim_t)sv->max_conns + sv->max_conns / 4 + 16 + SERVE_FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want
		    ? want
		    : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= want)
		return;
	sv->max_conns = rl.rlim_cur > 2 * SERVE_FD_RESERVE
	    ? (unsigned)((rl.rlim_cur - SERVE_FD_RESERVE - 16) * 4 / 5)
	    : 16;
	if (sv->max_conns_per_ip > sv->max_conns)
		sv->max_conns_per_ip = sv->max_conns;
	serve_log(sv, 0,
	    "open files limited to %llu: at most %u connections "
	    "(raise the hard limit: ulimit -Hn, LimitNOFILE=)",
	    (unsigned long long)rl.rlim_cur, sv->max_conns);
}

static int
serve_mhd_start(struct serve *sv, struct err *err)
{
	const struct serve_config *cfg = sv->cfg;
	unsigned threads = cfg->threads, timeout_s;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_CERT_CALLBACK, 0, serve_tls_callback() },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (sv->tls == NULL)
		tls[0].option = MHD_OPTION_END;

	if (threads == 0)
		threads = cores > 0 && cores < 16 ? (unsigned)cores : 2;
	timeout_s = (unsigned)((sv->deadline_us + CLOCK_US_PER_SEC - 1) /
	    CLOCK_US_PER_SEC);
	/* MHD's own limits sit above owl's (serve_conn.c), which evicts
	 * idle connections before MHD would refuse a new one */
	sv->mhd = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD |
	        MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
	        (sv->tls != NULL ? MHD_USE_TLS : 0),
	    0, NULL, NULL, serve_http_handler, sv, MHD_OPTION_EXTERNAL_LOGGER,
	    serve_mhd_log, sv, MHD_OPTION_LISTEN_SOCKET, sv->listen_fd,
	    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
	    serve_mhd_limit(sv, threads), MHD_OPTION_CONNECTION_TIMEOUT,
	    timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)SERVE_MEMORY_LIMIT, MHD_OPTION_NOTIFY_COMPLETED,
	    serve_http_completed, sv, MHD_OPTION_NOTIFY_CONNECTION,
	    serve_conn_notify, sv, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
	if (sv->mhd == NULL)
		return err_set(err, ERR_FAILED,
		    "cannot start the HTTP server "
		    "on %s",
		    sv->addr);
	return 0;
}

static int
serve_threads_start(struct serve *sv, struct err *err)
{
	if (serve_writer_start(sv, err) == -1 ||
	    serve_parse_start(sv, err) == -1 ||
	    serve_conn_reaper_start(sv, err) == -1)
		return -1;
	return serve_pull_start(sv, err);
}

struct serve *
serve_start(const struct serve_config *cfg, struct err *err)
{
	struct serve *sv;

	/* GnuTLS comes with libmicrohttpd: loading it costs nothing more. */
	if (lazy_load(LAZY_MHD, err) == -1 || lazy_load(LAZY_GNUTLS, err) == -1)
		return NULL;
	if ((sv = calloc(1, sizeof *sv)) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	sv->cfg = cfg;
	sv->listen_fd = -1;
	sv->max_body = cfg->max_body ? cfg->max_body : SERVE_DEFAULT_MAX_BODY;
	sv->deadline_us = cfg->request_timeout_us ? cfg->request_timeout_us
	                                          : 10 * CLOCK_US_PER_SEC;
	sv->head_deadline_us = cfg->header_timeout_us ? cfg->header_timeout_us
	                                              : 2 * CLOCK_US_PER_SEC;
	sv->max_conns =
	    cfg->max_conns ? cfg->max_conns : SERVE_DEFAULT_MAX_CONNS;
	sv->max_conns_per_ip =
	    cfg->max_conns_per_ip ? cfg->max_conns_per_ip : sv->max_conns / 2;
	if (sv->max_conns_per_ip > sv->max_conns)
		sv->max_conns_per_ip = sv->max_conns;
	sv->budget =
	    cfg->max_inflight ? cfg->max_inflight : SERVE_DEFAULT_BUDGET;
	if (sv->budget < sv->max_body)
		sv->budget = sv->max_body;
	sv->qmax = cfg->queue_max ? cfg->queue_max : 4096;
	sv->batch_max = cfg->batch_max ? cfg->batch_max : 512;
	sv->lease_us = cfg->lease_us ? cfg->lease_us : DUTY_TTL_US;
	duty_node_init(&sv->node);
	pthread_mutex_init(&sv->qlock, NULL);
	pthread_cond_init(&sv->qcond, NULL);
	pthread_cond_init(&sv->scond, NULL);
	pthread_cond_init(&sv->kcond, NULL);
	pthread_mutex_init(&sv->rlock, NULL);
	pthread_mutex_init(&sv->connlock, NULL);
	pthread_cond_init(&sv->ccond, NULL);
	pthread_mutex_init(&sv->plock, NULL);
	pthread_cond_init(&sv->pcond, NULL);
	pthread_mutex_init(&sv->parse_lock, NULL);
	pthread_cond_init(&sv->parse_cond, NULL);
	pthread_mutex_init(&sv->hlock, NULL);
	serve_fd_limit(sv);
	if (serve_tls_open(sv, err) == -1 ||
	    serve_bind(sv, cfg->listen ? cfg->listen : SERVE_DEFAULT_LISTEN,
	        err) == -1)
		goto fail;
	if (serve_threads_start(sv, err) == -1)
		goto fail;
	if ((sv->rstore = store_open(cfg->db_path, err)) == NULL ||
	    serve_health_open(sv, err) == -1)
		goto fail;
	store_query_only(sv->rstore, NULL);
	if (serve_mhd_start(sv, err) == -1)
		goto fail;
	return sv;
fail:
	serve_stop(sv, 0);
	return NULL;
}

const char *
serve_address(const struct serve *sv)
{
	return sv->addr;
}

const char *
serve_scheme(const struct serve *sv)
{
	return sv->tls != NULL ? "https" : "http";
}

/* Waits until no request is in flight, at most until deadline (mono). */
static void
serve_wait_idle(struct serve *sv, int64_t deadline)
{
	while (atomic_load(&sv->inflight) > 0 && clock_mono_us() < deadline)
		usleep(5000);
}

void
serve_stop(struct serve *sv, int64_t grace_us)
{
	int fd;

	if (sv == NULL)
		return;
	atomic_store(&sv->draining, 1);
	if (sv->mhd != NULL) {
		/* once handed to MHD, the socket is MHD's unless quiesce
		 * gives it back */
		fd = MHD_quiesce_daemon(sv->mhd);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
		sv->listen_fd = -1;
		serve_wait_idle(sv, clock_mono_us() + grace_us);
	}
	serve_pull_stop(sv);
	serve_parse_stop(sv); /* hands what it parsed to the writer */
	serve_writer_stop(sv); /* commits and resumes whatever is queued */
	if (sv->mhd != NULL) {
		/* resumed requests still have their reply to send */
		serve_wait_idle(sv, clock_mono_us() + CLOCK_US_PER_SEC);
		MHD_stop_daemon(sv->mhd);
	}
	serve_conn_reaper_stop(sv);
	if (sv->listen_fd != -1)
		close(sv->listen_fd);
	store_close(sv->wstore);
	store_close(sv->rstore);
	serve_health_close(sv);
	serve_tls_close(sv);
	pthread_mutex_destroy(&sv->qlock);
	pthread_cond_destroy(&sv->qcond);
	pthread_cond_destroy(&sv->scond);
	pthread_cond_destroy(&sv->kcond);
	pthread_mutex_destroy(&sv->rlock);
	pthread_mutex_destroy(&sv->connlock);
	pthread_cond_destroy(&sv->ccond);
	pthread_mutex_destroy(&sv->plock);
	pthread_cond_destroy(&sv->pcond);
	pthread_mutex_destroy(&sv->parse_lock);
	pthread_cond_destroy(&sv->parse_cond);
	pthread_mutex_destroy(&sv->hlock);
	free(sv);
}
