/* gw_http.c: the demo gateway's HTTP API (libmicrohttpd, one internal
 * thread): a route table (method, path with at most one `*` segment,
 * who may call it, handler), JSON bodies in and out, bearer tokens for
 * admin calls and provider keys. runbooks/README.md documents the API. */
#include "gw.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GW_BODY_MAX (1024 * 1024)

enum gw_auth { GW_OPEN, GW_ADMIN, GW_KEY };

struct gw_call {
	struct gw *g;
	const char *method, *path;
	const char *arg; /* the `*` segment */
	const char *bearer; /* the Authorization bearer token, or NULL */
	json_t *in; /* the request's JSON body, or NULL */
	struct gw_reply out;
};

typedef void (*gw_handler_fn)(struct gw_call *c);

struct gw_route {
	const char *method, *pattern;
	enum gw_auth auth;
	gw_handler_fn fn;
};

/* The body of a request being received. */
struct gw_req {
	char *body;
	size_t len;
	int too_large;
};

static void gw_err(struct gw_call *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
gw_err(struct gw_call *c, int status, const char *fmt, ...)
{
	char msg[GW_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->out.status = status;
	c->out.body = json_pack("{s:s}", "error", msg);
}

static void
gw_ok(struct gw_call *c, int status, json_t *body)
{
	c->out.status = status;
	c->out.body = body;
}

static const char *
gw_in_str(struct gw_call *c, const char *field)
{
	json_t *v = json_object_get(c->in, field);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The `*` segment as a positive id, or -1. */
static int
gw_arg_id(struct gw_call *c)
{
	char *end;
	long v = strtol(c->arg, &end, 10);

	return *end == '\0' && v > 0 && v < 1000000000 ? (int)v : -1;
}

static void
gw_healthz(struct gw_call *c)
{
	gw_ok(c, 200, json_pack("{s:b}", "ok", 1));
}

static void
gw_health(struct gw_call *c)
{
	int status;
	json_t *o = gw_health_json(c->g, &status);

	gw_ok(c, status, o);
}

static void
gw_provider_health(struct gw_call *c)
{
	int up = c->g->provider_up;

	gw_ok(c, up ? 200 : 503,
	    json_pack("{s:s, s:s?}", "provider", up ? "up" : "down", "error",
	        up ? NULL : "upstream provider unavailable"));
}

static int
gw_service_known(struct gw_call *c)
{
	if (strcmp(c->arg, c->g->o->service) == 0)
		return 1;
	gw_err(c, 404, "no service '%s' at this gateway", c->arg);
	return 0;
}

static json_t *
gw_flag_json(struct gw *g)
{
	return json_pack("{s:s, s:s, s:s?}", "service", g->o->service, "mode",
	    gw_mode_name(g->mode), "reason",
	    g->mode_reason[0] ? g->mode_reason : NULL);
}

static void
gw_flag_get(struct gw_call *c)
{
	if (gw_service_known(c))
		gw_ok(c, 200, gw_flag_json(c->g));
}

static void
gw_flag_put(struct gw_call *c)
{
	const char *m = gw_in_str(c, "mode"), *why = gw_in_str(c, "reason");
	enum gw_mode mode;

	if (!gw_service_known(c))
		return;
	if (m == NULL || gw_mode_parse(m, &mode) == -1) {
		gw_err(c, 400,
		    "mode: one of normal, degraded, cached (got '%s')",
		    m ? m : "nothing");
		return;
	}
	c->g->mode = mode;
	snprintf(
	    c->g->mode_reason, sizeof c->g->mode_reason, "%s", why ? why : "");
	gw_ok(c, 200, gw_flag_json(c->g));
}

static void
gw_completions(struct gw_call *c)
{
	gw_complete(c->g, c->bearer, gw_in_str(c, "service"), &c->out);
}

static void
gw_whoami(struct gw_call *c)
{
	struct gw_key *k = c->bearer ? gw_key_find(c->g, c->bearer) : NULL;

	if (k == NULL) {
		if (c->bearer != NULL)
			c->g->unknown_key_calls++;
		{
			gw_err(c, 401, "invalid API key");
			return;
		}
	}
	if (k->revoked_us != 0) {
		gw_err(c, 401, "API key revoked");
		return;
	}
	gw_ok(
	    c, 200, json_pack("{s:i, s:s}", "key_id", k->id, "name", k->name));
}

static void
gw_keys_list(struct gw_call *c)
{
	json_t *a = json_array();

	for (int i = 0; i < c->g->nkeys; i++)
		json_array_append_new(a, gw_key_json(&c->g->keys[i]));
	gw_ok(c, 200,
	    json_pack("{s:o, s:i}", "keys", a, "unknown_key_calls",
	        (json_int_t)c->g->unknown_key_calls));
}

static void
gw_keys_create(struct gw_call *c)
{
	const char *key = gw_in_str(c, "key"), *name = gw_in_str(c, "name");
	char msg[GW_MSG_MAX];
	int id;

	if (key == NULL) {
		gw_err(c, 400, "key: a string is required");
		return;
	}
	id = gw_key_add(c->g, name ? name : "", key, msg);
	if (id == -1) {
		gw_err(c, 400, "%s", msg);
		return;
	}
	gw_ok(c, 201, gw_key_json(gw_key_by_id(c->g, id)));
}

static void
gw_keys_revoke(struct gw_call *c)
{
	struct gw_key *k = gw_key_by_id(c->g, gw_arg_id(c));

	if (k == NULL) {
		gw_err(c, 404, "no key %s", c->arg);
		return;
	}
	if (k->revoked_us != 0) {
		gw_err(c, 409, "key %s is already revoked", c->arg);
		return;
	}
	k->revoked_us = gw_now_us();
	gw_ok(c, 204, NULL);
}

static void
gw_model(struct gw_call *c)
{
	struct gw *g = c->g;
	char at[32];

	if (g->o->repo == NULL) {
		gw_err(c, 404, "this gateway watches no config repository");
		return;
	}
	gw_time_str(g->pin.synced_us, at);
	gw_ok(c, 200,
	    json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:s, s:s, s:s?}", "service",
	        g->o->service, "model", g->pin.model[0] ? g->pin.model : NULL,
	        "commit", g->pin.commit[0] ? g->pin.commit : NULL, "repository",
	        g->o->repo, "ref", g->o->ref, "file", g->o->pin_file,
	        "synced_at", at, "error",
	        g->pin.error[0] ? g->pin.error : NULL));
}

static void
gw_limits_get(struct gw_call *c)
{
	gw_ok(c, 200, gw_limits_json(c->g));
}

/* PUT /v1/limits: rate_limit (required), model (null: the pin), until
 * (RFC 3339) or for_seconds, reason. Absent expiry: until changed again. */
static void
gw_limits_put(struct gw_call *c)
{
	struct gw_limits l;
	json_t *rl = json_object_get(c->in, "rate_limit");
	json_t *fs = json_object_get(c->in, "for_seconds");
	const char *model = gw_in_str(c, "model"),
	           *until = gw_in_str(c, "until");
	const char *why = gw_in_str(c, "reason");

	memset(&l, 0, sizeof l);
	if (!json_is_integer(rl) || json_integer_value(rl) < 0 ||
	    json_integer_value(rl) > 1000000) {
		gw_err(
		    c, 400, "rate_limit: completions per minute, 0 to 1000000");
		return;
	}
	l.rate_limit = (long)json_integer_value(rl);
	if (model != NULL && strlen(model) >= sizeof l.model) {
		gw_err(c, 400, "model: too long");
		return;
	}
	snprintf(l.model, sizeof l.model, "%s", model ? model : "");
	if (until != NULL && gw_time_parse(until, &l.until_us) == -1) {
		gw_err(c, 400, "until: an RFC 3339 UTC time, got '%s'", until);
		return;
	}
	if (fs != NULL) {
		if (!json_is_integer(fs) || json_integer_value(fs) <= 0) {
			gw_err(c, 400, "for_seconds: a positive integer");
			return;
		}
		l.until_us = gw_now_us() + json_integer_value(fs) * 1000000;
	}
	if (l.until_us != 0 && l.until_us <= gw_now_us()) {
		gw_err(c, 400, "until: that time has passed");
		return;
	}
	snprintf(l.reason, sizeof l.reason, "%s", why ? why : "");
	c->g->limits = l;
	gw_ok(c, 200, gw_limits_json(c->g));
}

static void
gw_batches_list(struct gw_call *c)
{
	json_t *a = json_array();

	for (int i = 0; i < c->g->nbatches; i++)
		json_array_append_new(a, gw_batch_json(&c->g->batches[i]));
	gw_ok(c, 200, json_pack("{s:o}", "batches", a));
}

static void
gw_batches_create(struct gw_call *c)
{
	const char *name = gw_in_str(c, "name");
	json_t *t = json_object_get(c->in, "total");
	json_t *r = json_object_get(c->in, "rate");
	struct gw_batch *b;

	if (name == NULL || *name == '\0' || strlen(name) >= GW_NAME_MAX) {
		gw_err(c, 400, "name: a string is required");
		return;
	}
	if (!json_is_integer(t) || json_integer_value(t) <= 0 ||
	    (r != NULL && (!json_is_integer(r) || json_integer_value(r) < 0))) {
		gw_err(c, 400,
		    "total (items) and rate (items per second): positive integers");
		return;
	}
	b = gw_batch_add(c->g, name, (long)json_integer_value(t),
	    r ? (long)json_integer_value(r) : 10);
	if (b == NULL) {
		gw_err(c, 409, "too many batch jobs");
		return;
	}
	gw_ok(c, 201, gw_batch_json(b));
}

static struct gw_batch *
gw_batch_arg(struct gw_call *c)
{
	struct gw_batch *b = gw_batch_by_id(c->g, gw_arg_id(c));

	if (b == NULL)
		gw_err(c, 404, "no batch job %s", c->arg);
	return b;
}

static void
gw_batch_get(struct gw_call *c)
{
	struct gw_batch *b = gw_batch_arg(c);

	if (b != NULL)
		gw_ok(c, 200, gw_batch_json(b));
}

static void
gw_batch_pause(struct gw_call *c)
{
	struct gw_batch *b = gw_batch_arg(c);
	const char *why = gw_in_str(c, "reason");

	if (b == NULL)
		return;
	if (b->state != GW_BATCH_RUNNING) {
		gw_err(c, 409, "batch job %s is not running", c->arg);
		return;
	}
	b->state = GW_BATCH_PAUSED;
	b->paused_us = gw_now_us();
	snprintf(b->paused_by, sizeof b->paused_by, "%s", why ? why : "");
	gw_ok(c, 200, gw_batch_json(b));
}

static void
gw_batch_resume(struct gw_call *c)
{
	struct gw_batch *b = gw_batch_arg(c);

	if (b == NULL)
		return;
	if (b->state != GW_BATCH_PAUSED) {
		gw_err(c, 409, "batch job %s is not paused", c->arg);
		return;
	}
	b->state = GW_BATCH_RUNNING;
	b->paused_us = 0;
	b->paused_by[0] = '\0';
	gw_ok(c, 200, gw_batch_json(b));
}

static void
gw_sim_provider_get(struct gw_call *c)
{
	gw_ok(c, 200, json_pack("{s:b}", "up", c->g->provider_up));
}

static void
gw_sim_provider_put(struct gw_call *c)
{
	json_t *up = json_object_get(c->in, "up");

	if (!json_is_boolean(up)) {
		gw_err(c, 400, "up: true or false");
		return;
	}
	c->g->provider_up = json_is_true(up);
	gw_ok(c, 200, json_pack("{s:b}", "up", c->g->provider_up));
}

/* PUT /v1/sim/fault {"method","path","status","after","count"}: the
 * next requests METHOD PATH fail with status (a probe that breaks, an
 * endpoint that errors), after `after` more pass, `count` times (default:
 * until DELETE /v1/sim/fault). */
static void
gw_sim_fault_put(struct gw_call *c)
{
	const char *m = gw_in_str(c, "method"), *path = gw_in_str(c, "path");
	json_t *st = json_object_get(c->in, "status");
	json_t *af = json_object_get(c->in, "after");
	json_t *ct = json_object_get(c->in, "count");
	struct gw_fault *f;

	if (m == NULL || strlen(m) >= sizeof f->method || path == NULL ||
	    path[0] != '/' || strlen(path) >= sizeof f->path ||
	    !json_is_integer(st) || json_integer_value(st) < 400 ||
	    json_integer_value(st) > 599 || (af && !json_is_integer(af)) ||
	    (ct && !json_is_integer(ct))) {
		gw_err(c, 400,
		    "give method, path (exact), status (400-599), and "
		    "optionally after and count");
		return;
	}
	if (c->g->nfaults == GW_FAULTS_MAX) {
		gw_err(c, 409, "at most %d faults", GW_FAULTS_MAX);
		return;
	}
	f = &c->g->faults[c->g->nfaults++];
	snprintf(f->method, sizeof f->method, "%s", m);
	snprintf(f->path, sizeof f->path, "%s", path);
	f->status = (int)json_integer_value(st);
	f->after = af ? (long)json_integer_value(af) : 0;
	f->count = ct ? (long)json_integer_value(ct) : -1;
	gw_ok(c, 201, json_pack("{s:i}", "faults", c->g->nfaults));
}

static void
gw_sim_fault_clear(struct gw_call *c)
{
	c->g->nfaults = 0;
	gw_ok(c, 204, NULL);
}

/* An injected fault for this request: 1 with c->out filled. */
static int
gw_fault_hit(struct gw_call *c)
{
	for (int i = 0; i < c->g->nfaults; i++) {
		struct gw_fault *f = &c->g->faults[i];

		if (strcmp(f->method, c->method) != 0 ||
		    strcmp(f->path, c->path) != 0 || f->count == 0)
			continue;
		if (f->after > 0) {
			f->after--;
			continue;
		}
		if (f->count > 0)
			f->count--;
		gw_err(c, f->status, "injected fault (PUT /v1/sim/fault)");
		return 1;
	}
	return 0;
}

static void
gw_sim_spend(struct gw_call *c)
{
	json_t *usd = json_object_get(c->in, "usd");

	if (!json_is_number(usd) || json_number_value(usd) < 0) {
		gw_err(c, 400, "usd: a number, 0 or more");
		return;
	}
	gw_spend_add(c->g, json_number_value(usd));
	gw_ok(c, 200, gw_limits_json(c->g));
}

static const struct gw_route gw_routes[] = {
	{ "GET", "/healthz", GW_OPEN, gw_healthz },
	{ "GET", "/v1/health", GW_OPEN, gw_health },
	{ "GET", "/v1/provider/health", GW_OPEN, gw_provider_health },
	{ "GET", "/v1/flags/*", GW_OPEN, gw_flag_get },
	{ "PUT", "/v1/flags/*", GW_ADMIN, gw_flag_put },
	{ "POST", "/v1/chat/completions", GW_KEY, gw_completions },
	{ "GET", "/v1/whoami", GW_KEY, gw_whoami },
	{ "GET", "/v1/keys", GW_ADMIN, gw_keys_list },
	{ "POST", "/v1/keys", GW_ADMIN, gw_keys_create },
	{ "DELETE", "/v1/keys/*", GW_ADMIN, gw_keys_revoke },
	{ "GET", "/v1/model", GW_OPEN, gw_model },
	{ "GET", "/v1/limits", GW_OPEN, gw_limits_get },
	{ "PUT", "/v1/limits", GW_ADMIN, gw_limits_put },
	{ "GET", "/v1/batches", GW_OPEN, gw_batches_list },
	{ "POST", "/v1/batches", GW_ADMIN, gw_batches_create },
	{ "GET", "/v1/batches/*", GW_OPEN, gw_batch_get },
	{ "POST", "/v1/batches/*/pause", GW_ADMIN, gw_batch_pause },
	{ "POST", "/v1/batches/*/resume", GW_ADMIN, gw_batch_resume },
	{ "GET", "/v1/sim/provider", GW_OPEN, gw_sim_provider_get },
	{ "PUT", "/v1/sim/provider", GW_OPEN, gw_sim_provider_put },
	{ "POST", "/v1/sim/spend", GW_OPEN, gw_sim_spend },
	{ "PUT", "/v1/sim/fault", GW_OPEN, gw_sim_fault_put },
	{ "DELETE", "/v1/sim/fault", GW_OPEN, gw_sim_fault_clear },
};

/* Matches path against pattern; a `*` takes one non-empty segment, copied
 * into arg. */
static int
gw_match(const char *pattern, const char *path, char *arg, size_t argn)
{
	while (*pattern != '\0') {
		if (*pattern == '*') {
			size_t n = strcspn(path, "/");

			if (n == 0 || n >= argn)
				return 0;
			memcpy(arg, path, n);
			arg[n] = '\0';
			path += n;
			pattern++;
			continue;
		}
		if (*pattern++ != *path++)
			return 0;
	}
	return *path == '\0';
}

static int
gw_admin_ok(struct gw *g, const char *bearer)
{
	size_t n = strlen(g->admin);

	return n > 0 && bearer != NULL && strlen(bearer) == n &&
	    CRYPTO_memcmp(bearer, g->admin, n) == 0;
}

/* Routes one request: fills c->out. */
static void
gw_dispatch(struct gw_call *c, const char *body, size_t len)
{
	const struct gw_route *r = NULL;
	char arg[GW_NAME_MAX + 1];
	int path_known = 0;
	json_error_t je;

	for (size_t i = 0; i < sizeof gw_routes / sizeof *gw_routes; i++) {
		if (!gw_match(gw_routes[i].pattern, c->path, arg, sizeof arg))
			continue;
		path_known = 1;
		if (strcmp(gw_routes[i].method, c->method) == 0) {
			r = &gw_routes[i];
			break;
		}
	}
	if (r == NULL) {
		if (path_known)
			gw_err(c, 405, "method not allowed on %s", c->path);
		else
			gw_err(c, 404, "no such path: %s", c->path);
		return;
	}
	c->arg = arg;
	if (gw_fault_hit(c))
		return;
	if (r->auth == GW_ADMIN && !gw_admin_ok(c->g, c->bearer)) {
		gw_err(c, 401, "admin token required");
		return;
	}
	if (r->auth == GW_KEY && c->bearer == NULL) {
		gw_err(c, 401,
		    "an API key is required (Authorization: Bearer KEY)");
		return;
	}
	if (len > 0) {
		c->in = json_loadb(body, len, 0, &je);
		if (!json_is_object(c->in)) {
			gw_err(c, 400, "the body is not a JSON object");
			return;
		}
	}
	r->fn(c);
}

static const char *
gw_bearer(struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);

	if (h == NULL || strncmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
		return NULL;
	return h + 7;
}

static enum MHD_Result
gw_send(struct MHD_Connection *conn, const struct gw_reply *rep)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *text = NULL;

	if (rep->body != NULL)
		text = json_dumps(
		    rep->body, JSON_COMPACT | JSON_REAL_PRECISION(8));
	resp = MHD_create_response_from_buffer(
	    text ? strlen(text) : 0, text ? text : "", MHD_RESPMEM_MUST_COPY);
	free(text);
	if (resp == NULL)
		return MHD_NO;
	if (rep->body != NULL)
		MHD_add_response_header(
		    resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (rep->status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"gateway\"");
	ret = MHD_queue_response(conn, (unsigned)rep->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
gw_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **state)
{
	struct gw *g = cls;
	struct gw_req *rq = *state;
	struct gw_call c;
	enum MHD_Result ret;

	(void)version;
	if (rq == NULL) {
		if ((rq = calloc(1, sizeof *rq)) == NULL)
			return MHD_NO;
		*state = rq;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (rq->len + *upload_size > GW_BODY_MAX)
			rq->too_large = 1;
		else {
			char *nb = realloc(rq->body, rq->len + *upload_size);

			if (nb == NULL)
				return MHD_NO;
			memcpy(nb + rq->len, upload, *upload_size);
			rq->body = nb;
			rq->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&c, 0, sizeof c);
	c.g = g;
	c.method = method;
	c.path = url;
	c.bearer = gw_bearer(conn);
	pthread_mutex_lock(&g->mu);
	if (rq->too_large)
		gw_err(&c, 413, "the body is over 1 MiB");
	else
		gw_dispatch(&c, rq->body, rq->len);
	pthread_mutex_unlock(&g->mu);
	if (!g->o->quiet && strcmp(method, "GET") != 0)
		fprintf(
		    stderr, "gateway: %s %s %d\n", method, url, c.out.status);
	ret = gw_send(conn, &c.out);
	json_decref(c.out.body);
	json_decref(c.in);
	return ret;
}

static void
gw_completed(void *cls, struct MHD_Connection *conn, void **state,
    enum MHD_RequestTerminationCode why)
{
	struct gw_req *rq = *state;

	(void)cls, (void)conn, (void)why;
	if (rq != NULL) {
		free(rq->body);
		free(rq);
	}
	*state = NULL;
}

struct MHD_Daemon *
gw_http_start(struct gw *g, const char *host, int port, int *bound_port)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return NULL;
	d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port,
	    NULL, NULL, gw_handler, g, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, gw_completed,
	    NULL, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	if (d == NULL)
		return NULL;
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound_port = info != NULL ? info->port : port;
	return d;
}
