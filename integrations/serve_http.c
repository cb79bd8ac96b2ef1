/* serve_http.c: one HTTP request of `owl serve`, from headers to reply.
 * First call: route, method, Content-Length against the ceiling and
 * header credentials, answered at once when wrong (the body is then
 * never read), and the body's bytes taken from the budget of bodies in
 * flight (past it, the body is read and dropped and the answer is 503).
 * Body calls: into a bounded buffer. Last call: suspend and queue for a
 * parser thread (serve_parse.c), which checks signatures over the raw
 * bytes, parses and queues for the writer; whoever finishes resumes the
 * connection and the reply goes. */
#include "serve_int.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/buf.h"
#include "engine/clock.h"
#include "engine/receiver.h"
#include "integrations/pager.h"

static serve_get_fn serve_http_healthz, serve_http_metrics;

static const struct serve_route serve_routes[] = {
	{ "/v1/alerts/alertmanager", SERVE_EP_ALERTMANAGER, "POST",
	    INGEST_ALERTMANAGER, NULL, 0 },
	/* Grafana's webhook contact point may be set to PUT */
	{ "/v1/alerts/grafana", SERVE_EP_GRAFANA, "POST, PUT", INGEST_GRAFANA,
	    NULL, 0 },
	{ "/v1/alerts/generic", SERVE_EP_GENERIC, "POST", INGEST_GENERIC, NULL,
	    0 },
	{ "/v2/enqueue", SERVE_EP_ENQUEUE, "POST", INGEST_PAGERDUTY, NULL,
	    SERVE_ROUTE_ROUTING_KEY },
	{ "/v2/change/enqueue", SERVE_EP_CHANGE, "POST",
	    INGEST_PAGERDUTY_CHANGE, NULL, SERVE_ROUTE_ROUTING_KEY },
	/* the other senders; a '*' segment is the request's argument */
	{ "/v1/alerts/sns", SERVE_EP_SENDERS, "POST", INGEST_SNS, NULL, 0 },
	{ "/v1/alerts/datadog", SERVE_EP_SENDERS, "POST", INGEST_DATADOG, NULL,
	    0 },
	{ "/v1/alerts/sentry", SERVE_EP_SENDERS, "POST", INGEST_SENTRY, NULL,
	    0 },
	{ "/v1/alerts/uptime-kuma", SERVE_EP_SENDERS, "POST",
	    INGEST_UPTIME_KUMA, NULL, 0 },
	{ "/v1/alerts/grafana-legacy", SERVE_EP_SENDERS, "POST, PUT",
	    INGEST_GRAFANA_LEGACY, NULL, 0 },
	{ "/v1/alerts/mapping/*", SERVE_EP_SENDERS, "POST, PUT", INGEST_MAPPING,
	    NULL, 0 },
	{ "/v2/alerts", SERVE_EP_SENDERS, "POST", INGEST_OPSGENIE, NULL, 0 },
	{ "/v2/alerts/*/close", SERVE_EP_SENDERS, "POST", INGEST_OPSGENIE_CLOSE,
	    NULL, 0 },
	{ "/v2/alerts/*/acknowledge", SERVE_EP_SENDERS, "POST",
	    INGEST_OPSGENIE_ACK, NULL, 0 },
	{ "/healthz", SERVE_EP_HEALTHZ, "GET, HEAD", -1, serve_http_healthz,
	    0 },
	{ "/metrics", SERVE_EP_METRICS, "GET, HEAD", -1, serve_http_metrics,
	    0 },
};

#define SERVE_NROUTES (sizeof serve_routes / sizeof serve_routes[0])

/* Does url (its first n bytes) match the route's path, whose '*'
 * stands for one non-empty segment (copied into arg)? */
static int
serve_http_match(
    const char *path, const char *url, size_t n, char *arg, size_t argn)
{
	const char *star = strchr(path, '*');
	size_t pre, seg;

	if (star == NULL)
		return strncmp(url, path, n) == 0 && path[n] == '\0';
	pre = (size_t)(star - path);
	if (n < pre || strncmp(path, url, pre) != 0)
		return 0;
	seg = strcspn(url + pre, "/");
	if (pre + seg > n)
		seg = n - pre;
	if (seg == 0 || seg >= argn || strlen(star + 1) != n - pre - seg ||
	    strncmp(url + pre + seg, star + 1, n - pre - seg) != 0)
		return 0;
	memcpy(arg, url + pre, seg);
	arg[seg] = '\0';
	return 1;
}

static const struct serve_route *
serve_http_route(const char *url, char *arg, size_t argn)
{
	size_t n = strlen(url);

	/* "/v2/enqueue/" is "/v2/enqueue": senders' URL templates add it */
	if (n > 1 && url[n - 1] == '/')
		n--;
	for (size_t i = 0; i < SERVE_NROUTES; i++)
		if (serve_http_match(serve_routes[i].path, url, n, arg, argn))
			return &serve_routes[i];
	return NULL;
}

/* The headers of Grafana's HMAC signature (its hmacConfig header and
 * timestampHeader may name others: the config's serve.grafana_*). */
static const char *
serve_http_grafana_sig(const struct serve *sv)
{
	return sv->cfg->grafana_sig_header ? sv->cfg->grafana_sig_header
	                                   : "X-Grafana-Alerting-Signature";
}

static const char *
serve_http_grafana_ts(const struct serve *sv)
{
	return sv->cfg->grafana_ts_header ? sv->cfg->grafana_ts_header
	                                  : "X-Grafana-Alerting-Timestamp";
}

/* An Opsgenie close or acknowledge by tiny id, which owl never gave. */
static int
serve_http_opsgenie_tiny(const struct serve_req *r)
{
	const char *t = MHD_lookup_connection_value(
	    r->conn, MHD_GET_ARGUMENT_KIND, "identifierType");

	return (r->route->format == INGEST_OPSGENIE_CLOSE ||
	           r->route->format == INGEST_OPSGENIE_ACK) &&
	    t != NULL && strcmp(t, "tiny") == 0;
}

static int
serve_http_method_ok(const struct serve_route *rt, const char *method)
{
	const char *p = strstr(rt->allow, method);
	size_t n = strlen(method);

	return p != NULL && (p[n] == '\0' || p[n] == ',') &&
	    (p == rt->allow || p[-1] == ' ');
}

static enum MHD_Result
serve_http_healthz(struct serve_req *r)
{
	char why[ERR_MSG_MAX];

	if (serve_health_check(r->sv, why, sizeof why) == -1)
		return serve_http_error(r, 503, "%s", why);
	return serve_http_reply(r, 200, "text/plain", "ok\n", 3);
}

static enum MHD_Result
serve_http_metrics(struct serve_req *r)
{
	struct serve *sv = r->sv;
	struct serve_gauges g = { .open_incidents = -1 };
	const union MHD_DaemonInfo *di;
	enum MHD_Result ret;
	struct err err;
	struct buf out;

	err_init(&err);
	pthread_mutex_lock(&sv->rlock);
	if (sv->rstore != NULL)
		g.open_incidents = receiver_open_incidents(sv->rstore);
	pthread_mutex_unlock(&sv->rlock);
	g.queue_depth = serve_queue_depth(sv);
	g.parse_depth = serve_parse_depth(sv);
	g.body_bytes = atomic_load(&sv->budget_used);
	g.version = sv->cfg->version;
	di = MHD_get_daemon_info(sv->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	g.connections = di != NULL ? di->num_connections : 0;
	g.draining = atomic_load(&sv->draining);
	buf_init(&out, 1024 * 1024);
	if (serve_metrics_format(&sv->m, &g, &out, &err) == -1) {
		buf_done(&out);
		return serve_http_error(r, 500, "metrics: %s", err.msg);
	}
	pthread_mutex_lock(&sv->rlock);
	if (sv->rstore != NULL &&
	    (pager_metrics_format(sv->rstore, &out, &err) == -1 ||
	        serve_metrics_duties(sv->rstore, sv->node.id, &out, &err) ==
	            -1))
		atomic_fetch_add(&sv->m.db_errors, 1);
	pthread_mutex_unlock(&sv->rlock);
	ret = serve_http_reply(r, 200,
	    "text/plain; version=0.0.4; "
	    "charset=utf-8",
	    buf_str(&out), out.len);
	buf_done(&out);
	return ret;
}

/* Checks the credentials that travel in headers. Returns a status to
 * answer at once, or 0 to go on (r->authed says whether a body
 * credential is still needed). */
static int
serve_http_header_auth(struct serve_req *r)
{
	const struct http_auth *a = r->sv->cfg->auth;
	enum http_auth_verdict v;
	const char *h;

	if (!http_auth_enabled(a)) {
		r->authed = 1;
		return 0;
	}
	h = MHD_lookup_connection_value(
	    r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	v = http_auth_check_header(a, h, r->route->path, r->who, sizeof r->who);
	if (v == HTTP_AUTH_BAD && (r->route->flags & SERVE_ROUTE_ROUTING_KEY))
		v = HTTP_AUTH_NONE; /* not ours: the routing_key decides */
	if (v == HTTP_AUTH_BAD)
		return MHD_HTTP_UNAUTHORIZED;
	if (v == HTTP_AUTH_OK) {
		r->authed = 1;
		return 0;
	}
	/* signatures are checked over the body; PagerDuty's credential is
	 * the routing_key inside it */
	if (MHD_lookup_connection_value(
	        r->conn, MHD_HEADER_KIND, "X-Owl-Signature") != NULL ||
	    MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	        serve_http_grafana_sig(r->sv)) != NULL ||
	    (r->route->flags & SERVE_ROUTE_ROUTING_KEY))
		return 0;
	return MHD_HTTP_UNAUTHORIZED;
}

static enum MHD_Result
serve_http_shed(struct serve_req *r)
{
	atomic_fetch_add(&r->sv->m.shed, 1);
	return serve_http_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
	    "owl is receiving more than %zu bytes of bodies at once: retry",
	    r->sv->budget);
}

/* Takes a body announced by Content-Length from the budget of bodies in
 * flight. Past it, the body is read and dropped, then 503 (a sender
 * that waits for "100 Continue" is answered at once): a closed
 * connection is no answer, and senders retry a 503. */
static enum MHD_Result
serve_http_reserve(struct serve_req *r, const char *cl)
{
	struct serve *sv = r->sv;
	const char *expect;
	size_t n;

	if (cl == NULL)
		return MHD_YES; /* chunked: taken as it comes */
	n = (size_t)strtoull(cl, NULL, 10);
	if (serve_budget_take(sv, n) == 0) {
		r->reserved = n;
		buf_init(&r->body, n ? n : 1); /* no further than announced */
		return MHD_YES;
	}
	r->shed = 1;
	expect = MHD_lookup_connection_value(
	    r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
	if (expect != NULL && strcasecmp(expect, "100-continue") == 0)
		return serve_http_shed(r);
	return MHD_YES;
}

/* First call: everything that can be decided from the headers. */
static enum MHD_Result
serve_http_begin(struct serve *sv, struct MHD_Connection *c, const char *url,
    const char *method, void **ctx)
{
	struct serve_req *r;
	const char *cl;
	int st;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return MHD_NO;
	*ctx = r;
	atomic_fetch_add(&sv->inflight, 1);
	serve_conn_phase(c, SERVE_PHASE_BODY);
	r->sv = sv;
	r->conn = c;
	r->t0 = clock_mono_us();
	buf_init(&r->body, sv->max_body);
	snprintf(r->method, sizeof r->method, "%s", method);
	snprintf(r->path, sizeof r->path, "%s", url);
	for (char *p = r->path; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			*p = '?';
	if ((r->route = serve_http_route(url, r->arg, sizeof r->arg)) == NULL)
		return serve_http_error(
		    r, MHD_HTTP_NOT_FOUND, "no such endpoint: %s", r->path);
	if (!serve_http_method_ok(r->route, method))
		return serve_http_error(r, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "%s takes %s", r->route->path, r->route->allow);
	if (serve_http_opsgenie_tiny(r))
		return serve_http_error(r, MHD_HTTP_BAD_REQUEST,
		    "identifierType tiny: owl knows its alerts by alias (the "
		    "id it returns); close by alias");
	if (r->route->get != NULL)
		return MHD_YES; /* answered when complete */
	cl = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && strtoull(cl, NULL, 10) > sv->max_body)
		return serve_http_error(r, 413,
		    "body of %s bytes is over the limit of %zu", cl,
		    sv->max_body);
	if ((st = serve_http_header_auth(r)) != 0)
		return serve_http_error(r, st, "%s",
		    MHD_lookup_connection_value(
		        c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION)
		        ? "bad credentials"
		        : "missing credentials");
	return serve_http_reserve(r, cl);
}

static void
serve_http_body(struct serve_req *r, const char *data, size_t n)
{
	r->body_len += n;
	if (r->too_big || r->shed || r->route->get != NULL)
		return;
	if (r->reserved < r->body_len) {
		/* chunked: take each piece from the budget as it comes */
		if (serve_budget_take(r->sv, r->body_len - r->reserved) == -1) {
			r->shed = 1;
			buf_done(&r->body);
			return;
		}
		r->reserved = r->body_len;
	}
	if (buf_add(&r->body, data, n, NULL) == -1) {
		r->too_big = 1; /* chunked, or past the limit: discard */
		buf_done(&r->body);
	}
}

/* PagerDuty senders put the credential in the body. */
static enum http_auth_verdict
serve_http_routing_key(struct serve_req *r)
{
	enum http_auth_verdict v = HTTP_AUTH_NONE;
	json_t *root, *key;

	root =
	    json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
	key = json_object_get(root, "routing_key");
	if (json_is_string(key)) {
		v = http_auth_check_token(r->sv->cfg->auth,
		    json_string_value(key), json_string_length(key),
		    r->route->path);
		if (v == HTTP_AUTH_OK)
			snprintf(r->who, sizeof r->who, "routing_key");
	}
	json_decref(root);
	return v;
}

/* Body credentials: owl's and Grafana's signatures, PagerDuty's key.
 * A valid signature goes to the writer, which records it in the same
 * transaction as the alerts: a second delivery of it changes nothing.
 * On failure *why says why, for the sender. */
static int
serve_http_body_auth(struct serve_req *r, const char **why)
{
	const struct http_auth *a = r->sv->cfg->auth;
	const char *body = r->body.data ? r->body.data : "";
	int64_t now_s = clock_now_us() / CLOCK_US_PER_SEC;
	struct http_auth_sig sig = { .why = NULL };
	enum http_auth_verdict v;
	const char *h;

	h = MHD_lookup_connection_value(
	    r->conn, MHD_HEADER_KIND, "X-Owl-Signature");
	v = http_auth_check_owl_sig(a, h, now_s, body, r->body.len, &sig);
	if (v == HTTP_AUTH_OK)
		snprintf(r->who, sizeof r->who, "owl-signature");
	if (v == HTTP_AUTH_NONE) {
		h = MHD_lookup_connection_value(
		    r->conn, MHD_HEADER_KIND, serve_http_grafana_sig(r->sv));
		v = http_auth_check_grafana_sig(a, h,
		    MHD_lookup_connection_value(
		        r->conn, MHD_HEADER_KIND, serve_http_grafana_ts(r->sv)),
		    now_s, body, r->body.len, &sig);
		if (v == HTTP_AUTH_OK)
			snprintf(r->who, sizeof r->who, "grafana-signature");
	}
	if (v == HTTP_AUTH_OK) {
		r->job.signed_once = 1;
		memcpy(r->job.sig_mac, sig.mac, sizeof r->job.sig_mac);
		/* kept while the signed time is inside the window */
		r->job.sig_until_us =
		    (sig.ts + HTTP_AUTH_MAX_SKEW + 60) * CLOCK_US_PER_SEC;
		return 0;
	}
	if (v == HTTP_AUTH_NONE && (r->route->flags & SERVE_ROUTE_ROUTING_KEY))
		v = serve_http_routing_key(r);
	*why = sig.why != NULL ? sig.why : "bad or missing credentials";
	return v == HTTP_AUTH_OK ? 0 : -1;
}

/* The writer is done with the job: wake the connection (writer thread;
 * r may be freed as soon as this returns). */
static void
serve_http_done(struct serve_job *job)
{
	struct serve_req *r = job->owner;

	MHD_resume_connection(r->conn);
}

/* A parser's work (parser thread): body credentials, parse, and the
 * hand-over to the writer; on a failure the reason goes in the job and
 * the connection is resumed to answer it. */
void
serve_http_process(struct serve_req *r)
{
	struct serve *sv = r->sv;
	const char *why = NULL;
	struct err err;

	err_init(&err);
	if (!r->authed && serve_http_body_auth(r, &why) == -1) {
		r->job.status = MHD_HTTP_UNAUTHORIZED;
		snprintf(r->job.msg, sizeof r->job.msg, "%s", why);
		goto fail;
	}
	r->batch = ingest_parse_opts((enum ingest_format)r->route->format,
	    r->arg[0] ? r->arg : NULL, r->body.data ? r->body.data : "",
	    r->body.len, sv->cfg->ingest, &err);
	buf_done(&r->body); /* the batch holds what is kept of it */
	/* an SNS subscription is confirmed here, off the writer */
	if (r->batch == NULL ||
	    ingest_prepare(r->batch, sv->cfg->ingest, &err) == -1) {
		r->job.status = err.code == ERR_USAGE ? 400
		    : err.code == ERR_REFUSED         ? 403
		                                      : 503;
		snprintf(r->job.msg, sizeof r->job.msg, "%s", err.msg);
		goto fail;
	}
	r->job.batch = r->batch;
	r->job.actor = ingest_batch_name(r->batch);
	r->job.ep = r->route->ep;
	r->job.done = serve_http_done;
	r->job.owner = r;
	r->job.queued_us = clock_mono_us();
	if (serve_enqueue(sv, &r->job) == 0)
		return;
	atomic_fetch_add(&sv->m.queue_full, 1);
	r->job.status = 503;
	snprintf(r->job.msg, sizeof r->job.msg, "write queue full, retry");
fail:
	MHD_resume_connection(r->conn);
}

/* Last call: the whole body is here. */
static enum MHD_Result
serve_http_complete(struct serve_req *r)
{
	struct serve *sv = r->sv;

	if (r->route->get != NULL)
		return r->route->get(r);
	if (r->too_big)
		return serve_http_error(
		    r, 413, "body over the limit of %zu bytes", sv->max_body);
	if (r->shed)
		return serve_http_shed(r);
	serve_conn_phase(r->conn, SERVE_PHASE_BUSY);
	r->suspended = 1;
	/* suspend before a parser can see the request, so that its resume
	 * always comes after this suspend */
	MHD_suspend_connection(r->conn);
	serve_parse_queue(sv, r);
	return MHD_YES;
}

/* Called again after the writer resumed the connection: the reply the
 * sender expects for what was stored (ingest_reply). */
static enum MHD_Result
serve_http_resumed(struct serve_req *r)
{
	static const char dup[] = "{\"status\":\"duplicate\",\"alerts\":0,"
	                          "\"new_alerts\":0}\n";
	enum MHD_Result ret;
	struct err err;
	struct buf out;
	int status;

	if (r->job.status != 0)
		return serve_http_error(r, r->job.status, "%s", r->job.msg);
	if (r->job.replayed) {
		/* stored when first delivered; applied again it would
		 * re-open or re-resolve what changed since */
		atomic_fetch_add(&r->sv->m.replays, 1);
		strncat(r->who, " replay, not applied",
		    sizeof r->who - strlen(r->who) - 1);
		return serve_http_reply(
		    r, MHD_HTTP_OK, "application/json", dup, sizeof dup - 1);
	}
	err_init(&err);
	buf_init(&out, 64 * 1024);
	if ((status = ingest_reply(r->batch, &r->job.res, &out, &err)) == -1) {
		buf_done(&out);
		return serve_http_error(r, 500, "%s", err.msg);
	}
	ret = serve_http_reply(
	    r, status, "application/json", buf_str(&out), out.len);
	buf_done(&out);
	return ret;
}

enum MHD_Result
serve_http_handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ctx)
{
	struct serve_req *r = *ctx;

	(void)version;
	if (r == NULL)
		return serve_http_begin(cls, c, url, method, ctx);
	if (r->status != 0)
		return MHD_YES; /* answered early; MHD drops the rest */
	if (r->suspended)
		return serve_http_resumed(r);
	if (*upload_size > 0) {
		serve_http_body(r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return serve_http_complete(r);
}

void
serve_http_completed(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	struct serve *sv = cls;
	struct serve_req *r = *ctx;

	(void)toe;
	serve_conn_phase(c, SERVE_PHASE_HEAD);
	if (r == NULL)
		return;
	*ctx = NULL;
	serve_budget_give(sv, r->reserved);
	ingest_batch_free(r->batch);
	buf_done(&r->body);
	free(r);
	atomic_fetch_sub(&sv->inflight, 1);
}
