/* serve_reply.c: the answers of `owl serve`: queueing a reply with the
 * headers its status needs (Allow, WWW-Authenticate, Retry-After), the
 * request's log line and counter, and error bodies: one line of text,
 * or under /v2/ (PagerDuty's Events API) PagerDuty's JSON error shape,
 * which its clients parse (Zabbix reports "non-JSON object", pdjs
 * crashes on a text 404). */
#include "serve_int.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"

/* PagerDuty's status and message for each error it answers. */
struct serve_pd_error {
	int code;
	const char *status, *message;
};

static const struct serve_pd_error serve_pd_errors[] = {
	{ 400, "invalid event", "Event object is invalid" },
	{ 401, "Unauthorized", "Invalid or missing routing_key or token" },
	{ 404, "Not Found", "No such endpoint" },
	{ 405, "Method Not Allowed", "Method not allowed on this endpoint" },
	{ 413, "Request Entity Too Large", "Event object is too large" },
	{ 429, "throttle exceeded",
	    "Requests are arriving too quickly, retry later" },
	{ 503, "Service Unavailable", "Event not stored, retry later" },
};

char *
serve_pd_error_json(int code, const char *reason)
{
	const char *status = "error", *message = "Event not processed";
	json_t *o;
	char *s;

	for (size_t i = 0;
	     i < sizeof serve_pd_errors / sizeof serve_pd_errors[0]; i++)
		if (serve_pd_errors[i].code == code) {
			status = serve_pd_errors[i].status;
			message = serve_pd_errors[i].message;
		}
	o = json_pack("{s:s, s:s, s:[s]}", "status", status, "message", message,
	    "errors", reason);
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	return s;
}

static void
serve_reply_peer(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(out, n, "-");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		    (socklen_t)n);
}

enum MHD_Result
serve_http_reply(struct serve_req *r, int status, const char *ctype,
    const char *body, size_t len)
{
	struct serve *sv = r->sv;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char peer[64];

	resp = MHD_create_response_from_buffer(
	    len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	/* both schemes owl takes: a sender that sends its credentials
	 * only when challenged (Amazon SNS, with user:password in the
	 * subscription's URL) answers a Basic challenge, never a Bearer */
	if (status == MHD_HTTP_UNAUTHORIZED) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"owl\"");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Basic realm=\"owl\", charset=\"UTF-8\"");
	}
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED && r->route != NULL)
		MHD_add_response_header(
		    resp, MHD_HTTP_HEADER_ALLOW, r->route->allow);
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE ||
	    status == MHD_HTTP_TOO_MANY_REQUESTS)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	if (atomic_load(&sv->draining))
		MHD_add_response_header(
		    resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	r->status = status;
	serve_conn_phase(r->conn, SERVE_PHASE_REPLY);
	serve_metrics_request(
	    &sv->m, r->route ? r->route->ep : SERVE_EP_OTHER, status);
	if (sv->cfg->log != NULL && !sv->cfg->quiet) {
		serve_reply_peer(r->conn, peer, sizeof peer);
		serve_log(sv, 1, "%s %s %d %zu %.1fms %s%s%s", r->method,
		    r->path, status, r->body_len,
		    (double)(clock_mono_us() - r->t0) / 1000.0, peer,
		    r->who[0] ? " " : "", r->who);
	}
	return ret;
}

enum MHD_Result
serve_http_error(struct serve_req *r, int status, const char *fmt, ...)
{
	enum MHD_Result ret;
	char msg[400];
	va_list ap;
	char *s;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (strncmp(r->path, "/v2/", 4) == 0 &&
	    (s = serve_pd_error_json(status, msg)) != NULL) {
		ret = serve_http_reply(
		    r, status, "application/json", s, strlen(s));
		free(s);
		return ret;
	}
	strncat(msg, "\n", sizeof msg - strlen(msg) - 1);
	return serve_http_reply(
	    r, status, "text/plain; charset=utf-8", msg, strlen(msg));
}
