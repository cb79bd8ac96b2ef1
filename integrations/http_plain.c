/* http_plain.c: plain http:// GET and HEAD over a socket, answered as
 * libcurl answers them (see http_plain.h). */
#include "http_plain.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/buf.h"
#include "engine/clock.h"

#define HTTP_PLAIN_CONNECT_MS 10000 /* as CURLOPT_CONNECTTIMEOUT_MS */
#define HTTP_PLAIN_LINE_MAX ((size_t)100 << 10) /* a header line */
#define HTTP_PLAIN_SLICE_MS 200 /* how often ^C is looked at */

/* The parts of a URL this path takes. */
struct http_plain_url {
	char host[256];
	char port[8];
	const char *authority; /* for Host: host[:port] as written */
	size_t authority_len;
	const char *target; /* path and query; "" is "/" */
};

/* The transfer in progress. */
struct http_plain {
	const struct effects_http *req;
	struct effects_http_res *res;
	char *msg;
	size_t msgsize;
	int fd;
	int64_t start, deadline; /* clock_mono_us() */
	size_t off, len; /* unread bytes are in[off, len) */
	int eof;
	int64_t got, size; /* body bytes received; Content-Length or -1 */
	int chunked;
	int unknown_te; /* a Transfer-Encoding libcurl would decode */
	/* last: only [off, len) is ever read, so it is not cleared (100
	 * KiB of memset a request) */
	unsigned char in[HTTP_PLAIN_LINE_MAX + 1];
};

static int
http_plain_token(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* The names libcurl writes itself or reads itself: a runbook's own would
 * replace or change them there, so such a request is libcurl's. */
static int
http_plain_reserved(const char *name)
{
	static const char *const names[] = { "host", "user-agent", "accept",
		"content-length", "transfer-encoding", "connection", "expect",
		"te", "content-type" };

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcasecmp(name, names[i]) == 0)
			return 1;
	return 0;
}

static int
http_plain_headers_ok(const struct effects_http *req)
{
	for (size_t i = 0; i < req->nheaders; i++) {
		const struct effects_kv *h = &req->headers[i];
		const char *n = h->name;
		size_t k, blank = 0;
		if (n == NULL || *n == '\0' || http_plain_reserved(n))
			return 0;
		for (; *n; n++)
			if (!http_plain_token((unsigned char)*n))
				return 0;
		for (k = 0; k < h->len; k++) {
			unsigned char c = (unsigned char)h->value[k];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return 0;
			blank += c == ' ' || c == '\t';
		}
		if (blank == h->len) /* libcurl drops an empty header */
			return 0;
	}
	return 1;
}

/* The path libcurl would send unchanged: printable ASCII, no fragment,
 * no dot segment (libcurl removes them). */
static int
http_plain_target_ok(const char *t)
{
	size_t path = strcspn(t, "?");

	if (*t != '\0' && *t != '/' && *t != '?')
		return 0;
	for (const char *p = t; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '#' || *p == '\\')
			return 0;
	for (size_t i = 0; i < path; i++) {
		size_t n;
		if (t[i] != '/')
			continue;
		n = strspn(t + i + 1, ".");
		if ((n == 1 || n == 2) &&
		    (i + 1 + n == path || t[i + 1 + n] == '/'))
			return 0;
	}
	return 1;
}

/* Fills u from "http://host[:port][/path][?query]" when this path may
 * take the URL as it is; 0 otherwise. */
static int
http_plain_url(const char *url, struct http_plain_url *u)
{
	const char *a = url + 7, *end, *colon;
	size_t hn;

	if (strncmp(url, "http://", 7) != 0)
		return 0;
	end = a + strcspn(a, "/?#");
	colon = memchr(a, ':', (size_t)(end - a));
	hn = (size_t)((colon ? colon : end) - a);
	if (hn == 0 || hn >= sizeof u->host || a[0] == '.' || a[0] == '-')
		return 0;
	for (size_t i = 0; i < hn; i++)
		if (!(islower((unsigned char)a[i]) ||
		        isdigit((unsigned char)a[i]) || a[i] == '.' ||
		        a[i] == '-'))
			return 0;
	memcpy(u->host, a, hn);
	u->host[hn] = '\0';
	/* a dotted quad (not libcurl's "127.1") or localhost: a name would
	 * need a resolver that a timeout and ^C can cut short, as
	 * libcurl's threaded one */
	if (strcmp(u->host, "localhost") != 0) {
		struct in_addr in;
		if (strspn(u->host, "0123456789.") != hn ||
		    inet_pton(AF_INET, u->host, &in) != 1)
			return 0;
	}
	snprintf(u->port, sizeof u->port, "80");
	if (colon != NULL) {
		size_t pn = (size_t)(end - colon - 1);
		long port;
		/* ":80" is written by libcurl without it: leave it there */
		if (pn == 0 || pn > 5 || colon[1] == '0' ||
		    strspn(colon + 1, "0123456789") != pn)
			return 0;
		port = strtol(colon + 1, NULL, 10);
		if (port < 1 || port > 65535 || port == 80)
			return 0;
		snprintf(u->port, sizeof u->port, "%ld", port);
	}
	u->authority = a;
	u->authority_len = (size_t)(end - a);
	u->target = end;
	return http_plain_target_ok(end);
}

/* Whether libcurl would send this request through a proxy. */
static int
http_plain_proxied(void)
{
	static const char *const vars[] = { "http_proxy", "HTTP_PROXY",
		"all_proxy", "ALL_PROXY" };

	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
		if (getenv(vars[i]) != NULL)
			return 1;
	return 0;
}

static enum http_plain_rc http_plain_fail(struct http_plain *h, const char *fmt,
    ...) __attribute__((format(printf, 2, 3)));

static enum http_plain_rc
http_plain_fail(struct http_plain *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(h->msg, h->msgsize, fmt, ap);
	va_end(ap);
	return HTTP_PLAIN_FAILED;
}

static int64_t
http_plain_ms(const struct http_plain *h)
{
	return (clock_mono_us() - h->start) / 1000;
}

/* The timeout, worded as libcurl words it. */
static enum http_plain_rc
http_plain_timeout(struct http_plain *h)
{
	if (h->size >= 0)
		return http_plain_fail(h,
		    "Operation timed out after %lld milliseconds with %lld "
		    "out of %lld bytes received",
		    (long long)http_plain_ms(h), (long long)h->got,
		    (long long)h->size);
	return http_plain_fail(h,
	    "Operation timed out after %lld milliseconds with %lld bytes "
	    "received",
	    (long long)http_plain_ms(h), (long long)h->got);
}

/* Waits for events on the socket until the deadline, a slice at a time
 * for ^C: 1 ready, 0 timed out, -1 cancelled. */
static int
http_plain_wait(struct http_plain *h, short events, int64_t deadline)
{
	struct pollfd p = { .fd = h->fd, .events = events };
	const struct effects_http *req = h->req;

	for (;;) {
		int64_t left = (deadline - clock_mono_us()) / 1000 + 1;
		if (req->cancel != NULL && *req->cancel != req->cancel_seen)
			return -1;
		if (clock_mono_us() >= deadline)
			return 0;
		if (left > HTTP_PLAIN_SLICE_MS)
			left = HTTP_PLAIN_SLICE_MS;
		if (poll(&p, 1, (int)left) > 0)
			return 1;
	}
}

/* The addresses of u's host in ai[0] and ai[1] (may be NULL), numeric
 * only: localhost is ::1 then 127.0.0.1, as libcurl takes it without
 * asking DNS. */
static int
http_plain_resolve(const struct http_plain_url *u, struct addrinfo *ai[2])
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST };
	int local = strcmp(u->host, "localhost") == 0;

	ai[0] = ai[1] = NULL;
	if (local && getaddrinfo("::1", u->port, &hints, &ai[0]) != 0)
		ai[0] = NULL;
	if (getaddrinfo(
	        local ? "127.0.0.1" : u->host, u->port, &hints, &ai[1]) != 0)
		ai[1] = NULL;
	return ai[0] == NULL && ai[1] == NULL ? -1 : 0;
}

/* Connects to one of the host's addresses. 1 connected, 0 timed out
 * (h->fd closed), -2 cancelled, -1 no address took it (libcurl says
 * why). */
static int
http_plain_connect(struct http_plain *h, const struct http_plain_url *u)
{
	int64_t until = h->start + (int64_t)HTTP_PLAIN_CONNECT_MS * 1000;
	struct addrinfo *ai[2], *a;
	int rc = -1;

	if (until > h->deadline)
		until = h->deadline;
	if (http_plain_resolve(u, ai) == -1)
		return -1;
	for (int k = 0; k < 2 && rc == -1; k++)
		for (a = ai[k]; a != NULL && rc == -1; a = a->ai_next) {
			int e = 0, w;
			socklen_t el = sizeof e;
			h->fd = socket(a->ai_family,
			    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
			if (h->fd == -1)
				continue;
			if (connect(h->fd, a->ai_addr, a->ai_addrlen) == 0) {
				rc = 1;
				break;
			}
			e = errno;
			if (e == EINPROGRESS &&
			    (w = http_plain_wait(h, POLLOUT, until)) != 1) {
				rc = w == 0 ? 0 : -2;
			} else if (e == EINPROGRESS &&
			    getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &e, &el) ==
			        0 &&
			    e == 0) {
				rc = 1;
				break;
			}
			close(h->fd);
			h->fd = -1;
		}
	for (int k = 0; k < 2; k++)
		if (ai[k] != NULL)
			freeaddrinfo(ai[k]);
	return rc;
}

/* Sends the request line and headers (they may hold secrets: wiped). */
static enum http_plain_rc
http_plain_send(struct http_plain *h, const struct http_plain_url *u)
{
	const struct effects_http *req = h->req;
	enum http_plain_rc rc = HTTP_PLAIN_OK;
	struct buf b;
	size_t off = 0;

	buf_init(&b, (size_t)64 << 20);
	if (buf_printf(&b, NULL,
	        "%s %s%s HTTP/1.1\r\nHost: %.*s\r\nUser-Agent: owl-runbook"
	        "\r\nAccept: */*\r\n",
	        req->method, *u->target == '/' ? "" : "/", u->target,
	        (int)u->authority_len, u->authority) == -1)
		rc = http_plain_fail(h, "Out of memory");
	for (size_t i = 0; rc == HTTP_PLAIN_OK && i < req->nheaders; i++)
		if (buf_printf(&b, NULL, "%s: ", req->headers[i].name) == -1 ||
		    buf_add(&b, req->headers[i].value, req->headers[i].len,
		        NULL) == -1 ||
		    buf_add(&b, "\r\n", 2, NULL) == -1)
			rc = http_plain_fail(h, "Out of memory");
	if (rc == HTTP_PLAIN_OK && buf_add(&b, "\r\n", 2, NULL) == -1)
		rc = http_plain_fail(h, "Out of memory");
	while (rc == HTTP_PLAIN_OK && off < b.len) {
		ssize_t n = send(h->fd, b.data + off, b.len - off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		int w;
		if (n > 0) {
			off += (size_t)n;
		} else if (n == -1 && errno == EAGAIN) {
			if ((w = http_plain_wait(h, POLLOUT, h->deadline)) ==
			    -1)
				rc = HTTP_PLAIN_CANCELLED;
			else if (w == 0)
				rc = http_plain_timeout(h);
		} else if (n == -1 && errno != EINTR) {
			rc = http_plain_fail(
			    h, "Send failure: %s", strerror(errno));
		}
	}
	if (b.data != NULL)
		explicit_bzero(b.data, b.cap);
	buf_done(&b);
	return rc;
}

/* Reads more of the answer into in (moving what is unread to its
 * front). HTTP_PLAIN_OK with h->eof set at the end. */
static enum http_plain_rc
http_plain_read(struct http_plain *h)
{
	ssize_t n;
	int w;

	if (h->off > 0) {
		memmove(h->in, h->in + h->off, h->len - h->off);
		h->len -= h->off;
		h->off = 0;
	}
	for (;;) {
		n = recv(
		    h->fd, h->in + h->len, sizeof h->in - h->len, MSG_DONTWAIT);
		if (n > 0) {
			h->len += (size_t)n;
			return HTTP_PLAIN_OK;
		}
		if (n == 0) {
			h->eof = 1;
			return HTTP_PLAIN_OK;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return http_plain_fail(
			    h, "Recv failure: %s", strerror(errno));
		if ((w = http_plain_wait(h, POLLIN, h->deadline)) == -1)
			return HTTP_PLAIN_CANCELLED;
		if (w == 0)
			return http_plain_timeout(h);
	}
}

/* The next line (its '\n' included) in *line, n bytes; *line NULL when
 * the answer ended before one. The first line of an answer that cannot
 * be HTTP fails as soon as that shows. */
static enum http_plain_rc
http_plain_line(struct http_plain *h, int first, const char **line, size_t *n)
{
	enum http_plain_rc rc;

	*line = NULL;
	for (;;) {
		const unsigned char *p = h->in + h->off;
		size_t have = h->len - h->off;
		const unsigned char *nl = memchr(p, '\n', have);
		if (first &&
		    strncasecmp(
		        (const char *)p, "HTTP/", have < 5 ? have : 5) != 0)
			return http_plain_fail(
			    h, "Received HTTP/0.9 when not allowed");
		if (nl != NULL) {
			*line = (const char *)p;
			*n = (size_t)(nl - p) + 1;
			h->off += *n;
			return HTTP_PLAIN_OK;
		}
		if (have >= HTTP_PLAIN_LINE_MAX)
			return http_plain_fail(h, "Out of memory");
		if (h->eof)
			return HTTP_PLAIN_OK;
		if ((rc = http_plain_read(h)) != HTTP_PLAIN_OK)
			return rc;
	}
}

/* "HTTP/1.1 200 OK": the code into res->status, as libcurl parses it. */
static enum http_plain_rc
http_plain_status(struct http_plain *h, const char *p, size_t n)
{
	const char *c;
	int v;

	if (n > 8 && isdigit((unsigned char)p[5]) && p[6] == '.' &&
	    isdigit((unsigned char)p[7]) && p[8] == ' ') {
		v = (p[5] - '0') * 10 + (p[7] - '0');
		if (v != 10 && v != 11 && v != 20)
			return http_plain_fail(h,
			    "Unsupported HTTP version (%d.%d) in response",
			    v / 10, v % 10);
		c = p + 9;
	} else if (n > 6 && (p[5] == '2' || p[5] == '3') && p[6] == ' ') {
		c = p + 7;
	} else {
		return http_plain_fail(
		    h, "Unsupported response code in HTTP response");
	}
	if ((size_t)(c - p) + 3 > n || !isdigit((unsigned char)c[0]) ||
	    !isdigit((unsigned char)c[1]) || !isdigit((unsigned char)c[2]) ||
	    ((size_t)(c - p) + 3 < n && c[3] != ' ' && c[3] != '\r' &&
	        c[3] != '\n') ||
	    c[0] == '0')
		return http_plain_fail(
		    h, "Unsupported response code in HTTP response");
	h->res->status = (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
	return HTTP_PLAIN_OK;
}

/* The value of header line p if its name is name (with the colon), its
 * blanks and line end trimmed; NULL otherwise. */
static const char *
http_plain_value(const char *p, size_t *n, const char *name)
{
	size_t k = strlen(name);

	if (*n < k || strncasecmp(p, name, k) != 0)
		return NULL;
	p += k;
	*n -= k;
	while (*n > 0 && (*p == ' ' || *p == '\t'))
		p++, (*n)--;
	while (*n > 0 && isspace((unsigned char)p[*n - 1]))
		(*n)--;
	return p;
}

/* Content-Length and Transfer-Encoding, as libcurl takes them. */
static enum http_plain_rc
http_plain_framing(struct http_plain *h, const char *line, size_t n)
{
	size_t vn = n, t;
	const char *v = http_plain_value(line, &vn, "Content-Length:");
	int64_t size = 0;

	if (v != NULL) {
		size_t d = strspn(v, "0123456789");
		/* a status without a body has no length to check */
		if (h->res->status < 200 || h->res->status == 204 ||
		    h->res->status == 304)
			return HTTP_PLAIN_OK;
		if (d == 0 || d > vn)
			return http_plain_fail(
			    h, "Invalid Content-Length: value");
		if (d > 18) /* past curl_off_t */
			return http_plain_fail(h, "Maximum file size exceeded");
		for (size_t i = 0; i < d; i++)
			size = size * 10 + (v[i] - '0');
		h->size = size;
		return HTTP_PLAIN_OK;
	}
	vn = n;
	if ((v = http_plain_value(line, &vn, "Transfer-Encoding:")) == NULL)
		return HTTP_PLAIN_OK;
	/* "chunked" last, "identity" anywhere; libcurl would decode the
	 * compressions: this path does not, and says so as libcurl says
	 * it of what it does not know */
	for (size_t i = 0; i < vn; i += t + 1) {
		size_t a = i, b;
		t = strcspn(v + i, ",");
		if (i + t > vn)
			t = vn - i;
		while (a < i + t && (v[a] == ' ' || v[a] == '\t'))
			a++;
		for (b = i + t; b > a && (v[b - 1] == ' ' || v[b - 1] == '\t');)
			b--;
		if (b - a == 7 && strncasecmp(v + a, "chunked", 7) == 0)
			h->chunked = 1;
		else if (!(b - a == 8 &&
		             strncasecmp(v + a, "identity", 8) == 0))
			h->unknown_te = 1;
	}
	return HTTP_PLAIN_OK;
}

/* The status line and headers of one answer (1xx ones included, as
 * libcurl hands them to its header callback). *done: the answer ended
 * inside them (libcurl takes that as an answer without a body). */
static enum http_plain_rc
http_plain_head(struct http_plain *h, int *done)
{
	enum http_plain_rc rc;
	const char *line;
	size_t n;

	for (;;) {
		h->size = -1;
		h->chunked = h->unknown_te = 0;
		if ((rc = http_plain_line(h, 1, &line, &n)) != HTTP_PLAIN_OK)
			return rc;
		if (line == NULL)
			return http_plain_fail(h, "Empty reply from server");
		if ((rc = http_plain_status(h, line, n)) != HTTP_PLAIN_OK)
			return rc;
		http_plain_header_line(h->res, line, n);
		for (;;) {
			if ((rc = http_plain_line(h, 0, &line, &n)) !=
			    HTTP_PLAIN_OK)
				return rc;
			if (line == NULL) {
				*done = 1;
				return HTTP_PLAIN_OK;
			}
			if ((rc = http_plain_framing(h, line, n)) !=
			    HTTP_PLAIN_OK)
				return rc;
			http_plain_header_line(h->res, line, n);
			if (n == 1 || (n == 2 && line[0] == '\r'))
				break;
		}
		if (h->size > (int64_t)EFFECTS_BODY_MAX)
			return http_plain_fail(h, "Maximum file size exceeded");
		if (h->res->status < 100 || h->res->status > 199 ||
		    h->res->status == 101)
			return HTTP_PLAIN_OK;
	}
}

/* Takes up to want body bytes from what was read (all if want < 0). */
static enum http_plain_rc
http_plain_take(struct http_plain *h, int64_t want, size_t *took)
{
	size_t n = h->len - h->off;

	if (want >= 0 && (uint64_t)want < n)
		n = (size_t)want;
	*took = n;
	if (n > 0 && buf_add(&h->res->body, h->in + h->off, n, NULL) == -1)
		return HTTP_PLAIN_OVER;
	h->off += n;
	h->got += (int64_t)n;
	return HTTP_PLAIN_OK;
}

/* The body framed by Content-Length (size >= 0) or by the end. */
static enum http_plain_rc
http_plain_body(struct http_plain *h)
{
	enum http_plain_rc rc;
	int64_t left = h->size;
	size_t took;

	for (;;) {
		if ((rc = http_plain_take(h, left, &took)) != HTTP_PLAIN_OK)
			return rc;
		if (left >= 0 && (left -= (int64_t)took) == 0)
			return HTTP_PLAIN_OK;
		if (h->eof && left < 0)
			return HTTP_PLAIN_OK;
		if (h->eof)
			return http_plain_fail(h,
			    "transfer closed with %lld bytes remaining to read",
			    (long long)left);
		if ((rc = http_plain_read(h)) != HTTP_PLAIN_OK)
			return rc;
	}
}

/* The next byte of a chunked body into *c; -1 at its end. */
static enum http_plain_rc
http_plain_byte(struct http_plain *h, int *c)
{
	enum http_plain_rc rc;

	while (h->off == h->len) {
		if (h->eof)
			return http_plain_fail(h,
			    "transfer closed with outstanding read data "
			    "remaining");
		if ((rc = http_plain_read(h)) != HTTP_PLAIN_OK)
			return rc;
	}
	*c = h->in[h->off++];
	return HTTP_PLAIN_OK;
}

/* A chunk's size line: hex digits, then anything to the line's end. */
static enum http_plain_rc
http_plain_chunk_size(struct http_plain *h, uint64_t *size)
{
	enum http_plain_rc rc;
	int c = 0, digits = 0;

	*size = 0;
	for (;;) {
		if ((rc = http_plain_byte(h, &c)) != HTTP_PLAIN_OK)
			return rc;
		if (!isxdigit(c))
			break;
		if (++digits > 16)
			return http_plain_fail(h,
			    "Too long hexadecimal number in chunked-encoding");
		*size = *size * 16 +
		    (uint64_t)(isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10));
	}
	if (digits == 0 || *size > INT64_MAX)
		return http_plain_fail(h,
		    "Illegal or missing hexadecimal sequence in "
		    "chunked-encoding");
	while (c != '\n')
		if ((rc = http_plain_byte(h, &c)) != HTTP_PLAIN_OK)
			return rc;
	return HTTP_PLAIN_OK;
}

/* A chunked body, its trailers handed to the headers as libcurl does. */
static enum http_plain_rc
http_plain_chunked(struct http_plain *h)
{
	enum http_plain_rc rc;
	const char *line;
	uint64_t size;
	size_t took, n;
	int c;

	for (;;) {
		if ((rc = http_plain_chunk_size(h, &size)) != HTTP_PLAIN_OK)
			return rc;
		if (size == 0)
			break;
		while (size > 0) {
			rc = HTTP_PLAIN_OK;
			if (h->off == h->len &&
			    (rc = http_plain_byte(h, &c)) == HTTP_PLAIN_OK)
				h->off--; /* only waited for it */
			if (rc != HTTP_PLAIN_OK ||
			    (rc = http_plain_take(h, (int64_t)size, &took)) !=
			        HTTP_PLAIN_OK)
				return rc;
			size -= took;
		}
		do {
			if ((rc = http_plain_byte(h, &c)) != HTTP_PLAIN_OK)
				return rc;
			if (c != '\r' && c != '\n')
				return http_plain_fail(h,
				    "Malformed encoding found in "
				    "chunked-encoding");
		} while (c != '\n');
	}
	for (;;) {
		if ((rc = http_plain_line(h, 0, &line, &n)) != HTTP_PLAIN_OK)
			return rc;
		if (line == NULL)
			return http_plain_fail(h,
			    "transfer closed with outstanding read data "
			    "remaining");
		http_plain_header_line(h->res, line, n);
		if (n == 1 || (n == 2 && line[0] == '\r'))
			return HTTP_PLAIN_OK;
	}
}

/* The answer: its head, then the body its framing says. */
static enum http_plain_rc
http_plain_rx(struct http_plain *h)
{
	enum http_plain_rc rc;
	int done = 0;

	if ((rc = http_plain_head(h, &done)) != HTTP_PLAIN_OK || done)
		return rc;
	if (strcmp(h->req->method, "HEAD") == 0 || h->res->status == 204 ||
	    h->res->status == 304)
		return HTTP_PLAIN_OK;
	if (h->unknown_te)
		return http_plain_fail(h,
		    "Unrecognized content encoding type. libcurl understands "
		    "deflate, gzip, br, zstd content encodings.");
	if (h->chunked)
		return http_plain_chunked(h);
	return http_plain_body(h);
}

void
http_plain_header_line(struct effects_http_res *res, const char *p, size_t n)
{
	const char *colon = memchr(p, ':', n);
	size_t k, e;
	char name[128];
	json_t *v;

	if (colon == NULL || (size_t)(colon - p) >= sizeof name)
		return;
	k = (size_t)(colon - p);
	for (size_t i = 0; i < k; i++)
		name[i] = (char)tolower((unsigned char)p[i]);
	name[k] = '\0';
	k++;
	while (k < n && (p[k] == ' ' || p[k] == '\t'))
		k++;
	e = n;
	while (e > k && (p[e - 1] == '\r' || p[e - 1] == '\n'))
		e--;
	if (res->headers == NULL)
		res->headers = json_object();
	if ((v = json_stringn(p + k, e - k)) != NULL)
		json_object_set_new(res->headers, name, v);
}

enum http_plain_rc
http_plain_do(const struct effects_http *req, struct effects_http_res *res,
    char *msg, size_t msgsize)
{
	struct http_plain *h;
	struct http_plain_url u;
	int64_t ms = req->timeout_us > 0 ? req->timeout_us / 1000
	                                 : EFFECTS_HTTP_TIMEOUT_US / 1000;
	enum http_plain_rc rc;
	int c;

	if ((strcmp(req->method, "GET") != 0 &&
	        strcmp(req->method, "HEAD") != 0) ||
	    req->body != NULL || !http_plain_url(req->url, &u) ||
	    !http_plain_headers_ok(req) || http_plain_proxied())
		return HTTP_PLAIN_PASS;
	if ((h = malloc(sizeof *h)) == NULL)
		return HTTP_PLAIN_PASS;
	memset(h, 0, offsetof(struct http_plain, in));
	h->req = req;
	h->res = res;
	h->msg = msg;
	h->msgsize = msgsize;
	h->fd = -1;
	h->size = -1;
	h->start = clock_mono_us();
	h->deadline = h->start + (ms > 0 ? ms : 1) * 1000;
	if ((c = http_plain_connect(h, &u)) == 0)
		rc = http_plain_fail(h,
		    "Connection timed out after %lld "
		    "milliseconds",
		    (long long)http_plain_ms(h));
	else if (c == -2)
		rc = HTTP_PLAIN_CANCELLED;
	else if (c == -1)
		rc = HTTP_PLAIN_PASS;
	else if ((rc = http_plain_send(h, &u)) == HTTP_PLAIN_OK)
		rc = http_plain_rx(h);
	if (h->fd != -1)
		close(h->fd);
	free(h);
	return rc;
}
