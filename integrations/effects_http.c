/* effects_http.c: HTTP requests for runbooks with libcurl (see
 * effects_http.h). One easy handle per request: runbooks make a few. */
#include "effects_http.h"

#include "integrations/http_plain.h"
#include "integrations/lazy_curl.h"
#include <stdlib.h>
#include <string.h>

struct effects_http_rx {
	struct effects_http_res *res;
	int over;
};

static size_t
effects_http_body(char *p, size_t size, size_t n, void *ud)
{
	struct effects_http_rx *rx = ud;

	if (buf_add(&rx->res->body, p, size * n, NULL) == -1) {
		rx->over = 1;
		return 0;
	}
	return size * n;
}

static size_t
effects_http_header(char *p, size_t size, size_t n, void *ud)
{
	struct effects_http_rx *rx = ud;

	http_plain_header_line(rx->res, p, size * n);
	return size * n;
}

static struct curl_slist *
effects_http_headers(const struct effects_http *req, struct err *err)
{
	struct curl_slist *l = NULL, *n;
	struct buf line;

	buf_init(&line, (size_t)1 << 20);
	for (size_t i = 0; i < req->nheaders; i++) {
		buf_reset(&line);
		if (buf_printf(&line, err, "%s: ", req->headers[i].name) ==
		        -1 ||
		    buf_add(&line, req->headers[i].value, req->headers[i].len,
		        err) == -1 ||
		    (n = curl_slist_append(l, buf_str(&line))) == NULL) {
			curl_slist_free_all(l);
			l = NULL;
			err_set(err, ERR_FAILED, "http: out of memory");
			break;
		}
		l = n;
	}
	if (line.data != NULL)
		explicit_bzero(line.data, line.cap);
	buf_done(&line);
	return l;
}

/* curl calls this about once a second, and at every transfer event: a
 * new ^C since the request started aborts it. */
static int
effects_http_progress(
    void *ud, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
	const struct effects_http *req = ud;

	(void)dlt;
	(void)dln;
	(void)ult;
	(void)uln;
	return req->cancel != NULL && *req->cancel != req->cancel_seen;
}

static void
effects_http_setup(CURL *c, const struct effects_http *req,
    struct effects_http_rx *rx, char *ebuf)
{
	long ms = req->timeout_us > 0 ? (long)(req->timeout_us / 1000)
	                              : (long)(EFFECTS_HTTP_TIMEOUT_US / 1000);

	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
	curl_easy_setopt(
	    c, CURLOPT_CONNECTTIMEOUT_MS, ms < 10000 ? ms : 10000L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, effects_http_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, rx);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, effects_http_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, rx);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "owl-runbook");
	if (req->cancel != NULL) {
		curl_easy_setopt(
		    c, CURLOPT_XFERINFOFUNCTION, effects_http_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)req);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	curl_easy_setopt(
	    c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)EFFECTS_BODY_MAX);
	if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(req->method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	if (req->body != NULL) {
		curl_easy_setopt(
		    c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
	} else if (strcmp(req->method, "POST") == 0 ||
	    strcmp(req->method, "PUT") == 0 ||
	    strcmp(req->method, "PATCH") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	}
}

/* The outcome of a request, in the same words whichever way it went. */
static int
effects_http_end(const struct effects_http *req, int over, CURLcode rc,
    const char *ebuf, struct err *err)
{
	if (over)
		return err_set(err, ERR_FAILED,
		    "http %s %s: the answer is "
		    "larger than %zu bytes",
		    req->method, req->url, (size_t)EFFECTS_BODY_MAX);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return err_set(err, ERR_FAILED, "http %s %s: cancelled (^C)",
		    req->method, req->url);
	if (rc != CURLE_OK)
		return err_set(err, ERR_FAILED, "http %s %s: %s", req->method,
		    req->url, ebuf[0] ? ebuf : curl_easy_strerror(rc));
	return 0;
}

int
effects_http_do(const struct effects_http *req, struct effects_http_res *res,
    struct err *err)
{
	char ebuf[CURL_ERROR_SIZE] = "";
	enum http_plain_rc rc;

	/* a plain GET or HEAD without libcurl, answered as it would */
	if ((rc = http_plain_do(req, res, ebuf, sizeof ebuf)) ==
	    HTTP_PLAIN_PASS)
		return effects_http_curl(req, res, err);
	return effects_http_end(req, rc == HTTP_PLAIN_OVER,
	    rc == HTTP_PLAIN_CANCELLED    ? CURLE_ABORTED_BY_CALLBACK
	        : rc == HTTP_PLAIN_FAILED ? CURLE_RECV_ERROR
	                                  : CURLE_OK,
	    ebuf, err);
}

int
effects_http_curl(const struct effects_http *req, struct effects_http_res *res,
    struct err *err)
{
	struct effects_http_rx rx = { .res = res };
	char ebuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr;
	CURLcode rc;
	CURL *c;

	if (lazy_load(LAZY_CURL, err) == -1) {
		err_prefix(err, "http: ");
		return -1;
	}
	if ((c = curl_easy_init()) == NULL)
		return err_set(err, ERR_FAILED, "http: cannot start libcurl");
	hdr = effects_http_headers(req, err);
	if (req->nheaders > 0 && hdr == NULL) {
		curl_easy_cleanup(c);
		return -1;
	}
	effects_http_setup(c, req, &rx, ebuf);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	return effects_http_end(req, rx.over, rc, ebuf, err);
}
