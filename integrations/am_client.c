/* am_client.c: requests to Alertmanager's v2 API with libcurl
 * (am_client.h). Every response body is read into a bounded buffer; an
 * error names the URL and says what Alertmanager answered, on one line
 * and sanitised (its bodies echo what was sent). */
#include "am_client.h"

#include <ctype.h>
#include "integrations/lazy_curl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/clock.h"
#include "engine/sanitize.h"

#define AM_CLIENT_CONNECT_MS 3000L
#define AM_CLIENT_SMALL (64 * 1024)

struct am_client_req {
	struct buf *out;
	const atomic_int *cancel;
	int overflow;
};

int
am_client_init(struct err *err)
{
	if (lazy_load(LAZY_CURL, err) == -1)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(err, ERR_FAILED, "libcurl: cannot initialise");
	return 0;
}

int
am_client_check_url(const char *url, struct err *err)
{
	if ((strncmp(url, "http://", 7) != 0 &&
	        strncmp(url, "https://", 8) != 0) ||
	    strlen(url) > 1024 || strpbrk(url, " \t\r\n") != NULL)
		return err_set(err, ERR_USAGE,
		    "'%s': want an Alertmanager "
		    "URL such as http://127.0.0.1:9093",
		    url);
	return 0;
}

/* "scheme://host:port/path" of url, lower-case but for the path, no
 * user info, query or fragment, the default port and a trailing slash
 * left out. */
static void
am_client_norm(const char *url, char *out, size_t n)
{
	const char *sep = strstr(url, "://"), *auth, *end, *at, *port;
	size_t o = 0, k;
	int https;

	out[0] = '\0';
	if (sep == NULL || n < 16)
		return;
	https = (size_t)(sep - url) == 5 && strncasecmp(url, "https", 5) == 0;
	o = (size_t)snprintf(out, n, "%s://", https ? "https" : "http");
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	for (at = auth; (at = memchr(at, '@', (size_t)(end - at))) != NULL;
	     auth = ++at)
		;
	port = memchr(auth, ':', (size_t)(end - auth));
	k = (size_t)((port != NULL ? port : end) - auth);
	for (size_t i = 0; i < k && o + 1 < n; i++)
		out[o++] = (char)tolower((unsigned char)auth[i]);
	if (port != NULL &&
	    !((https && end - port == 4 && strncmp(port, ":443", 4) == 0) ||
	        (!https && end - port == 3 && strncmp(port, ":80", 3) == 0)))
		for (const char *p = port; p < end && o + 1 < n; p++)
			out[o++] = *p;
	k = strcspn(end, "?#");
	while (k > 0 && end[k - 1] == '/')
		k--;
	for (size_t i = 0; i < k && o + 1 < n; i++)
		out[o++] = end[i];
	out[o] = '\0';
}

int
am_client_same_url(const char *a, const char *b)
{
	char na[1100], nb[1100];

	am_client_norm(a, na, sizeof na);
	am_client_norm(b, nb, sizeof nb);
	return na[0] != '\0' && strcmp(na, nb) == 0;
}

static size_t
am_client_write(char *p, size_t size, size_t n, void *ctx)
{
	struct am_client_req *r = ctx;

	if (buf_add(r->out, p, size * n, NULL) == -1) {
		r->overflow = 1;
		return 0; /* curl aborts the transfer */
	}
	return size * n;
}

static int
am_client_progress(
    void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct am_client_req *r = ctx;

	(void)a, (void)b, (void)c, (void)d;
	return r->cancel != NULL && atomic_load(r->cancel) ? 1 : 0;
}

/* "<base><path>" without a doubled slash. */
static int
am_client_url(
    struct buf *u, const char *base, const char *path, struct err *err)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return buf_printf(u, err, "%.*s%s", (int)n, base, path);
}

/* The first line of a body, sanitised and cut, for an error message. */
static void
am_client_snippet(const struct buf *b, char *out, size_t n)
{
	size_t len = strcspn(buf_str(b), "\r\n");
	char *s, *clean = NULL;

	if (len > 200)
		len = 200;
	if ((s = strndup(buf_str(b), len)) != NULL)
		clean = sanitize_dup(s, 0);
	snprintf(out, n, "%s", clean != NULL ? clean : "");
	free(clean);
	free(s);
}

/* Runs one request; 2xx, or -1 with err set. *status gets the code. */
static int
am_client_do(const char *method, const char *url, const char *body,
    struct buf *out, long timeout_ms, const atomic_int *cancel, long *status,
    struct err *err)
{
	struct am_client_req r = { out, cancel, 0 };
	char cerr[CURL_ERROR_SIZE] = "", snip[256], shown[1100];
	struct curl_slist *hdr = NULL;
	CURLcode rc;
	CURL *c;

	*status = 0;
	if (lazy_load(LAZY_CURL, err) == -1)
		return -1;
	if ((c = curl_easy_init()) == NULL)
		return err_set(err, ERR_FAILED, "libcurl: out of memory");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, AM_CLIENT_CONNECT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, am_client_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, am_client_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &r);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "owl");
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (body != NULL) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	sanitize_url(url, shown, sizeof shown); /* no password in messages */
	if (r.overflow)
		return err_set(err, ERR_FAILED,
		    "alertmanager %s: answer "
		    "larger than %zu bytes",
		    shown, out->limit);
	if (rc != CURLE_OK)
		return err_set(err, ERR_FAILED, "alertmanager %s: %s", shown,
		    cerr[0] ? cerr : curl_easy_strerror(rc));
	if (*status < 200 || *status > 299) {
		am_client_snippet(out, snip, sizeof snip);
		return err_set(err, ERR_FAILED, "alertmanager %s: HTTP %ld%s%s",
		    shown, *status, snip[0] ? ": " : "", snip);
	}
	return 0;
}

int
am_client_alerts(const char *base, const char *receiver, struct buf *out,
    long timeout_ms, const atomic_int *cancel, struct err *err)
{
	char *esc = NULL;
	struct buf u;
	long status;
	int rc = -1;

	buf_init(&u, 4096);
	if (receiver != NULL &&
	    (esc = curl_easy_escape(NULL, receiver, 0)) == NULL) {
		buf_done(&u);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	/* the groups, as Alertmanager routes them: their labels and
	 * receiver are the incidents' groups; ?receiver= is a regex */
	if (am_client_url(&u, base, "/api/v2/alerts/groups", err) == 0 &&
	    (esc == NULL ||
	        buf_printf(&u, err, "?receiver=%%5E%s%%24", esc) == 0))
		rc = am_client_do("GET", buf_str(&u), NULL, out, timeout_ms,
		    cancel, &status, err);
	curl_free(esc);
	buf_done(&u);
	return rc;
}

int
am_client_started(const char *base, long timeout_ms, const atomic_int *cancel,
    int64_t *started_us, struct err *err)
{
	struct buf u, out;
	json_t *resp = NULL;
	const char *up;
	long status;
	int rc = -1;

	buf_init(&u, 4096);
	buf_init(&out, AM_CLIENT_SMALL);
	if (am_client_url(&u, base, "/api/v2/status", err) == -1 ||
	    am_client_do("GET", buf_str(&u), NULL, &out, timeout_ms, cancel,
	        &status, err) == -1)
		goto out;
	resp = json_loadb(buf_str(&out), out.len, 0, NULL);
	up = json_string_value(json_object_get(resp, "uptime"));
	if (up == NULL || clock_parse(up, started_us, NULL) == -1) {
		err_set(err, ERR_FAILED,
		    "status: no start time (\"uptime\") in the answer");
		goto out;
	}
	rc = 0;
out:
	json_decref(resp);
	buf_done(&u);
	buf_done(&out);
	return rc;
}

int
am_client_silence(const char *base, json_t *matchers, int64_t starts_us,
    int64_t ends_us, const char *created_by, const char *comment, char *id,
    struct err *err)
{
	char starts[CLOCK_RFC3339_MAX], ends[CLOCK_RFC3339_MAX], shown[1100];
	json_t *req, *resp = NULL, *sid;
	struct buf u, out;
	char *body = NULL;
	long status;
	int rc = -1;

	clock_format(starts_us, 1, starts);
	clock_format(ends_us, 1, ends);
	buf_init(&u, 4096);
	buf_init(&out, AM_CLIENT_SMALL);
	req = json_pack("{s:O, s:s, s:s, s:s, s:s}", "matchers", matchers,
	    "startsAt", starts, "endsAt", ends, "createdBy", created_by,
	    "comment", comment);
	if (req == NULL || (body = json_dumps(req, JSON_COMPACT)) == NULL) {
		err_set(err, ERR_FAILED, "silence: out of memory");
		goto out;
	}
	if (am_client_url(&u, base, "/api/v2/silences", err) == -1 ||
	    am_client_do("POST", buf_str(&u), body, &out, 10000, NULL, &status,
	        err) == -1)
		goto out;
	resp = json_loadb(buf_str(&out), out.len, 0, NULL);
	sid = json_object_get(resp, "silenceID");
	if (!json_is_string(sid) || json_string_length(sid) == 0 ||
	    json_string_length(sid) >= AM_CLIENT_ID_MAX) {
		err_set(err, ERR_FAILED,
		    "alertmanager %s: no silenceID in "
		    "its answer",
		    sanitize_url(buf_str(&u), shown, sizeof shown));
		goto out;
	}
	snprintf(id, AM_CLIENT_ID_MAX, "%s", json_string_value(sid));
	rc = 0;
out:
	json_decref(req);
	json_decref(resp);
	free(body);
	buf_done(&u);
	buf_done(&out);
	return rc;
}

int
am_client_unsilence(
    const char *base, const char *id, int *gone, struct err *err)
{
	struct buf u, out;
	struct err e2;
	long status;
	char *esc;
	int rc = -1;

	if (gone != NULL)
		*gone = 0;
	buf_init(&u, 4096);
	buf_init(&out, AM_CLIENT_SMALL);
	err_init(&e2);
	if ((esc = curl_easy_escape(NULL, id, 0)) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	if (am_client_url(&u, base, "/api/v2/silence/", err) == -1 ||
	    buf_adds(&u, esc, err) == -1)
		goto out;
	rc = am_client_do(
	    "DELETE", buf_str(&u), NULL, &out, 10000, NULL, &status, &e2);
	if (rc == -1 && status == 404) {
		rc = 0; /* gone already: expired and garbage-collected */
		if (gone != NULL)
			*gone = 1;
	} else if (rc == -1) {
		err_set(err, e2.code, "%s", e2.msg);
	}
out:
	curl_free(esc);
	buf_done(&u);
	buf_done(&out);
	return rc;
}
