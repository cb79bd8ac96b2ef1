/* test_http_plain.c: a plain http:// GET or HEAD made without libcurl
 * (integrations/http_plain.c) is the request libcurl sends, byte for
 * byte, and gets libcurl's answer: status, headers, body, and the words
 * of every failure (a server that closes, resets, hangs, lies about
 * lengths, breaks its chunks, answers something else than HTTP/1.x), and
 * what it leaves to libcurl (https, a body, a proxy, odd URLs, headers
 * libcurl replaces) it sends nothing of. */
#include "unit.h"

#include <netinet/in.h>
#include <ctype.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include "integrations/effects_http.h"
#include "integrations/http_plain.h"

struct srv_case {
	const char *name;
	const char *reply; /* NULL: close at once */
	size_t len; /* 0: strlen(reply) */
	int how; /* 0 send and close, 1 reset, 2 hang, 3 send then hang */
};

#define R(name, text)                                                          \
	{                                                                      \
		name, text, sizeof text - 1, 0                                 \
	}
static const struct srv_case srv_cases[] = {
	R("ok",
	    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 12\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\n"
	    "{\"ok\": true}"),
	R("ok10", "HTTP/1.0 200 OK\r\nX-A: 1\r\n\r\nbody until close"),
	R("cont",
	    "HTTP/1.1 100 Continue\r\nX-C: c\r\n\r\nHTTP/1.1 201 "
	    "Created\r\nContent-Length: 2\r\nX-A: a\r\n\r\nhi"),
	R("chunked",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"),
	R("lf", "HTTP/1.1 200 OK\nContent-Length: 2\nX-A: b\n\nhi"),
	R("noreason", "HTTP/1.1 204\r\n\r\n"),
	R("colonreason", "HTTP/1.1 200 OK: yes\r\nContent-Length: 0\r\n\r\n"),
	R("dup", "HTTP/1.1 200 OK\r\nX-A: 1\r\nx-a: 2\r\n\r\n"),
	R("nul", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\na\0b"),
	R("304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"),
	R("space",
	    "HTTP/1.1 200 OK\r\nContent-Length : 2\r\nX-B:   v  "
	    "\r\n\r\nhi"),
	R("lower", "http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
	R("v2", "HTTP/2 200\r\nContent-Length: 1\r\n\r\nx"),
	R("v20", "HTTP/2.0 200 OK\r\nContent-Length: 1\r\n\r\nx"),
	R("twolen",
	    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	    "Content-Length: 4\r\n\r\nabcd"),
	R("cl_te",
	    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding:"
	    " chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
	R("te_id", "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\nabc"),
	R("partialhead", "HTTP/1.1 200 OK\r\nX-A: 1\r\n"),
	R("404", "HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope"),
	R("short", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
	R("chunktrunc",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nabc"),
	R("hexhang", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3"),
	R("garbage", "hello there\r\n\r\n"),
	R("partialstatus", "HTTP/1.1 20"),
	R("badcode", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"),
	R("code99", "HTTP/1.1 099 X\r\nContent-Length: 0\r\n\r\n"),
	R("code4", "HTTP/1.1 2000 X\r\nContent-Length: 0\r\n\r\n"),
	R("v09", "HTTP/0.9 200 OK\r\nContent-Length: 0\r\n\r\n"),
	R("v12", "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n"),
	R("huge", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\nabc"),
	R("hugefirst",
	    "HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n"
	    "X-After: 1\r\n\r\nabc"),
	R("flowlen",
	    "HTTP/1.1 200 OK\r\nContent-Length: "
	    "99999999999999999999999\r\nX-After: 1\r\n\r\nabc"),
	R("junklen", "HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nabc"),
	R("304len", "HTTP/1.1 304 Not Modified\r\nContent-Length: x\r\n\r\n"),
	R("badlen", "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nabc"),
	R("neglen", "HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\nabc"),
	R("badchunk",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "zz\r\nabc\r\n0\r\n\r\n"),
	R("bigchunk",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n"),
	R("chunknocrlf",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n3\r\nabcX0\r\n\r\n"),
	R("te_foo", "HTTP/1.1 200 OK\r\nTransfer-Encoding: foo\r\n\r\nabc"),
	{ "close", NULL, 0, 0 },
	{ "reset", NULL, 0, 1 },
	{ "hang", NULL, 0, 2 },
	{ "hangbody", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0,
	    3 },
	{ "garbagehang", "hello", 0, 3 },
};
#undef R

struct srv {
	int fd, port;
	pthread_t thread;
	pthread_mutex_t lock;
	char last[4096]; /* the last request's head */
	int requests;
};

static const struct srv_case *
srv_find(const char *head)
{
	const char *p = strchr(head, '/');
	size_t n = p ? strcspn(p + 1, " ?") : 0;

	for (size_t i = 0; p && i < sizeof srv_cases / sizeof *srv_cases; i++)
		if (strlen(srv_cases[i].name) == n &&
		    strncmp(srv_cases[i].name, p + 1, n) == 0)
			return &srv_cases[i];
	return NULL;
}

static void
srv_one(struct srv *s, int c)
{
	const struct srv_case *k;
	struct linger lg = { 1, 0 };
	char head[4096];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof head - 1 &&
	    (r = recv(c, head + n, sizeof head - 1 - n, 0)) > 0) {
		n += (size_t)r;
		head[n] = '\0';
		if (strstr(head, "\r\n\r\n") != NULL)
			break;
	}
	head[n] = '\0';
	pthread_mutex_lock(&s->lock);
	snprintf(s->last, sizeof s->last, "%s", head);
	s->requests++;
	pthread_mutex_unlock(&s->lock);
	k = srv_find(head);
	if (k != NULL && k->reply != NULL)
		assert_true(
		    send(c, k->reply, k->len ? k->len : strlen(k->reply),
		        MSG_NOSIGNAL) >= 0);
	if (k != NULL && k->how == 1)
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	if (k != NULL && k->how >= 2)
		poll(NULL, 0, 1500);
	close(c);
}

struct srv_conn {
	struct srv *s;
	int c;
};

static void *
srv_conn_main(void *arg)
{
	struct srv_conn *k = arg;

	srv_one(k->s, k->c);
	free(k);
	return NULL;
}

/* A thread a connection: one that hangs holds up no other. */
static void *
srv_main(void *arg)
{
	struct srv *s = arg;
	struct srv_conn *k;
	pthread_t t;
	int c;

	while ((c = accept(s->fd, NULL, NULL)) >= 0) {
		k = malloc(sizeof *k);
		assert_non_null(k);
		k->s = s;
		k->c = c;
		assert_int_equal(pthread_create(&t, NULL, srv_conn_main, k), 0);
		pthread_detach(t);
	}
	return NULL;
}

static int
srv_setup(void **state)
{
	struct srv *s = calloc(1, sizeof *s);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof a;

	assert_non_null(s);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &al), 0);
	s->port = ntohs(a.sin_port);
	pthread_mutex_init(&s->lock, NULL);
	assert_int_equal(pthread_create(&s->thread, NULL, srv_main, s), 0);
	*state = s;
	return 0;
}

static int
srv_teardown(void **state)
{
	struct srv *s = *state;

	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return 0;
}

/* One way's outcome: rc, err (digits blanked: times), status, headers,
 * body, and the request the server saw. */
struct outcome {
	int rc;
	char err[600];
	long status;
	char *headers, *body, req[4096];
	size_t body_len;
	int requests;
};

static void
outcome_done(struct outcome *o)
{
	free(o->headers);
	free(o->body);
}

static void
run_one(
    struct srv *s, const struct effects_http *req, int curl, struct outcome *o)
{
	struct effects_http_res res;
	struct err err;

	memset(o, 0, sizeof *o);
	err_init(&err);
	effects_http_res_init(&res);
	pthread_mutex_lock(&s->lock);
	s->last[0] = '\0';
	s->requests = 0;
	pthread_mutex_unlock(&s->lock);
	o->rc = curl ? effects_http_curl(req, &res, &err)
	             : effects_http_do(req, &res, &err);
	for (char *p = err.msg; *p; p++)
		if (isdigit((unsigned char)*p))
			*p = '#';
	snprintf(o->err, sizeof o->err, "%s", err.msg);
	o->status = res.status;
	o->headers = res.headers ? json_dumps(res.headers, JSON_COMPACT) : NULL;
	o->body_len = res.body.len;
	o->body = malloc(res.body.len + 1);
	assert_non_null(o->body);
	memcpy(o->body, res.body.data ? res.body.data : "", res.body.len);
	pthread_mutex_lock(&s->lock);
	snprintf(o->req, sizeof o->req, "%s", s->last);
	o->requests = s->requests;
	pthread_mutex_unlock(&s->lock);
	effects_http_res_done(&res);
}

static void
same(struct srv *s, const struct effects_http *req)
{
	struct outcome a, b;

	run_one(s, req, 0, &a);
	run_one(s, req, 1, &b);
	if (a.rc != b.rc || strcmp(a.err, b.err) != 0 || a.status != b.status)
		fprintf(stderr,
		    "# %s %s: plain %d '%s' %ld, libcurl %d '%s' %ld\n",
		    req->method, req->url, a.rc, a.err, a.status, b.rc, b.err,
		    b.status);
	assert_int_equal(a.rc, b.rc);
	assert_string_equal(a.err, b.err);
	assert_int_equal(a.status, b.status);
	assert_string_equal(
	    a.headers ? a.headers : "-", b.headers ? b.headers : "-");
	assert_int_equal(a.body_len, b.body_len);
	assert_memory_equal(a.body, b.body, a.body_len);
	assert_string_equal(a.req, b.req);
	outcome_done(&a);
	outcome_done(&b);
}

static void
test_answers_as_libcurl(void **state)
{
	struct srv *s = *state;
	struct effects_kv hdr[] = { { "Authorization", "Bearer t0k3n", 12 },
		{ "X-Trace", "a b\tc", 5 } };
	char url[256];

	for (size_t i = 0; i < sizeof srv_cases / sizeof *srv_cases; i++) {
		for (int m = 0; m < 2; m++) {
			struct effects_http req = { .method =
				                        m ? "HEAD" : "GET",
				.url = url,
				.headers = hdr,
				.nheaders = i % 2 ? 2 : 0,
				.timeout_us = 400 * 1000 };
			snprintf(url, sizeof url, "http://127.0.0.1:%d/%s%s",
			    s->port, srv_cases[i].name,
			    i % 3 ? "?q=1&r=%20" : "");
			same(s, &req);
		}
	}
	/* localhost: ::1 refuses, 127.0.0.1 answers, both ways */
	snprintf(url, sizeof url, "http://localhost:%d/ok", s->port);
	same(s, &(struct effects_http){ .method = "GET", .url = url });
}

static void
test_no_server_is_libcurls(void **state)
{
	struct srv *s = *state;
	struct effects_http req = { .method = "GET",
		.url = "http://127.0.0.1:9/x" };
	struct outcome a, b;

	(void)s;
	run_one(s, &req, 0, &a);
	run_one(s, &req, 1, &b);
	assert_int_equal(a.rc, -1);
	assert_string_equal(a.err, b.err); /* libcurl said it both times */
	outcome_done(&a);
	outcome_done(&b);
}

/* What libcurl would rewrite, replace or route is left to it: the test
 * sees the requests both ways the same, and http_plain_do sends none. */
static void
test_leaves_the_rest_to_libcurl(void **state)
{
	static const char *const urls[] = { "https://127.0.0.1:%d/ok",
		"http://127.0.0.1:%d/a/../ok", "http://127.0.0.1:%d/./ok",
		"http://127.0.0.1:%d/ok#frag", "http://u:p@127.0.0.1:%d/ok",
		"http://127.1:%d/ok", "HTTP://127.0.0.1:%d/ok",
		"http://LOCALHOST:%d/ok", "http://127.0.0.1:%d/o k",
		"http://127.0.0.1:0%d/ok" };
	struct srv *s = *state;
	struct effects_kv accept[] = { { "Accept", "text/plain", 10 } };
	struct effects_kv empty[] = { { "X-Empty", "", 0 } };
	struct effects_http_res res;
	char url[256], msg[256];
	struct effects_http req = { .method = "GET", .url = url };

	pthread_mutex_lock(&s->lock);
	s->requests = 0;
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
		snprintf(url, sizeof url, urls[i], s->port);
		effects_http_res_init(&res);
		assert_int_equal(http_plain_do(&req, &res, msg, sizeof msg),
		    HTTP_PLAIN_PASS);
		effects_http_res_done(&res);
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", s->port);
	req.headers = accept;
	req.nheaders = 1;
	effects_http_res_init(&res);
	assert_int_equal(
	    http_plain_do(&req, &res, msg, sizeof msg), HTTP_PLAIN_PASS);
	req.headers = empty;
	assert_int_equal(
	    http_plain_do(&req, &res, msg, sizeof msg), HTTP_PLAIN_PASS);
	req.nheaders = 0;
	req.method = "POST";
	assert_int_equal(
	    http_plain_do(&req, &res, msg, sizeof msg), HTTP_PLAIN_PASS);
	req.method = "GET";
	setenv("http_proxy", "http://127.0.0.1:9", 1);
	assert_int_equal(
	    http_plain_do(&req, &res, msg, sizeof msg), HTTP_PLAIN_PASS);
	unsetenv("http_proxy");
	assert_int_equal(s->requests, 0);
	/* and a plain one is taken */
	assert_int_equal(
	    http_plain_do(&req, &res, msg, sizeof msg), HTTP_PLAIN_OK);
	assert_int_equal(res.status, 200);
	effects_http_res_done(&res);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_as_libcurl),
		cmocka_unit_test(test_no_server_is_libcurls),
		cmocka_unit_test(test_leaves_the_rest_to_libcurl),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, srv_setup, srv_teardown);
}
