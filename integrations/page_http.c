/* page_http.c: the HTTP channels of paging, with libcurl: a
 * Slack-compatible incoming webhook ({"text": ...}, which Mattermost and
 * Rocket.Chat accept too), PagerDuty Events API v2 (trigger, then
 * resolve with the same dedup_key), and a generic JSON webhook signed
 * with HMAC-SHA256 (X-Owl-Signature: t=TS,v1=HEX over "TS.BODY", the
 * scheme owl's own receiver checks). No redirects, http(s) only, a
 * deadline, a ceiling on the answer, and the URL (it may hold a token)
 * never in an error. */
#include "page_int.h"

#include "integrations/lazy_curl.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/hash.h"
#include "integrations/hmac.h"

/* "X-Owl-Signature: t=" 20 digits ",v1=" 64 hex digits */
#define PAGE_HTTP_SIG_MAX 128

#define PAGE_HTTP_ANSWER_MAX 4096
#define PAGE_PD_URL "https://events.pagerduty.com/v2/enqueue"

static size_t
page_http_sink(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;

	if (b->len < PAGE_HTTP_ANSWER_MAX)
		buf_add(b, p,
		    size * n < PAGE_HTTP_ANSWER_MAX ? size * n
		                                    : PAGE_HTTP_ANSWER_MAX,
		    NULL);
	return size * n;
}

/* The first line of an answer, short, for an error message. */
static void
page_http_gist(const struct buf *b, char *out, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < b->len && k + 1 < n && k < 120; i++) {
		unsigned char c = (unsigned char)b->data[i];

		if (c == '\n' || c == '\r')
			break;
		out[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[k] = '\0';
}

int
page_http_post(struct page_send *ps, const char *channel, const char *url,
    const char *body, const char *const *headers, int *status, struct err *err)
{
	char ebuf[CURL_ERROR_SIZE] = "", gist[128];
	struct curl_slist *h = NULL, *n;
	long ms = (long)(ps->timeout_us / 1000), code = 0;
	struct buf ans;
	CURLcode rc;
	struct err le;
	CURL *c;

	err_init(&le);
	if (lazy_load(LAZY_CURL, &le) == -1)
		return page_fail(ps, err, channel, "%s", le.msg);
	if ((c = curl_easy_init()) == NULL)
		return page_fail(ps, err, channel, "cannot start libcurl");
	buf_init(&ans, PAGE_HTTP_ANSWER_MAX + 1);
	h = curl_slist_append(NULL, "Content-Type: application/json");
	for (size_t i = 0; h != NULL && headers && headers[i]; i++)
		if ((n = curl_slist_append(h, headers[i])) != NULL)
			h = n;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "owl-pager");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, page_http_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &ans);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	*status = (int)code;
	page_http_gist(&ans, gist, sizeof gist);
	buf_done(&ans);
	if (rc != CURLE_OK)
		return page_fail(ps, err, channel, "%s",
		    ebuf[0] ? ebuf : curl_easy_strerror(rc));
	if (code < 200 || code > 299)
		return page_fail(ps, err, channel, "HTTP %ld%s%s", code,
		    gist[0] ? ": " : "", gist);
	return 0;
}

/* The URL of a channel set as a URL, { url = ... } or { secret = ... }. */
static int
page_http_url(struct page_send *ps, const json_t *cfg, const char *what,
    struct buf *url, struct err *err)
{
	const json_t *u = json_object_get(cfg, "url");

	return page_value(ps, u != NULL ? u : cfg, what, url, err);
}

static int
page_http_json(struct page_send *ps, const char *channel, const char *url,
    json_t *doc, const char *const *headers, int *status, struct err *err)
{
	char *body;
	int rc;

	if (doc == NULL || (body = json_dumps(doc, JSON_COMPACT)) == NULL) {
		json_decref(doc);
		return page_fail(ps, err, channel, "out of memory");
	}
	json_decref(doc);
	rc = page_http_post(ps, channel, url, body, headers, status, err);
	explicit_bzero(body, strlen(body)); /* a routing key was in it */
	free(body);
	return rc;
}

int
page_http_slack(struct page_send *ps, const json_t *cfg,
    const struct page_msg *m, int *status, struct err *err)
{
	struct buf url;
	int rc;

	buf_init(&url, 8192);
	rc = page_http_url(ps, cfg, "slack url", &url, err);
	if (rc == 0)
		rc = page_http_json(ps, "slack", buf_str(&url),
		    json_pack("{s:s, s:s}", "text", m->text, "username", "owl"),
		    NULL, status, err);
	page_wipe(&url);
	return rc;
}

static const char *
page_http_pd_severity(const char *s)
{
	if (s == NULL)
		return "critical";
	if (strcmp(s, "critical") == 0 || strcmp(s, "error") == 0 ||
	    strcmp(s, "warning") == 0 || strcmp(s, "info") == 0)
		return s;
	return "critical";
}

int
page_http_pagerduty(struct page_send *ps, const json_t *cfg,
    const struct page_msg *m, int *status, struct err *err)
{
	const json_t *rk = json_object_get(cfg, "routing_key");
	const char *url = json_string_value(json_object_get(cfg, "url"));
	char dedup[64];
	struct buf key;
	json_t *doc;
	int rc;

	buf_init(&key, 4096);
	if (page_value(ps, rk != NULL ? rk : cfg, "pagerduty routing_key", &key,
	        err) == -1) {
		page_wipe(&key);
		return -1;
	}
	if (m->incident > 0)
		snprintf(dedup, sizeof dedup, "owl-INC-%lld",
		    (long long)m->incident);
	else
		snprintf(
		    dedup, sizeof dedup, "owl-page-%lld", (long long)m->page);
	if (strcmp(m->kind, PAGES_KIND_RESOLVE) == 0)
		doc = json_pack("{s:s, s:s, s:s}", "routing_key", buf_str(&key),
		    "event_action", "resolve", "dedup_key", dedup);
	else
		doc = json_pack("{s:s, s:s, s:s, s:{s:s%, s:s, s:s, s:{s:I,"
		                " s:s, s:I}}, s:s}",
		    "routing_key", buf_str(&key), "event_action", "trigger",
		    "dedup_key", dedup, "payload", "summary", m->text,
		    strlen(m->text) < 1024 ? strlen(m->text) : (size_t)1024,
		    "source", "owl", "severity",
		    page_http_pd_severity(m->severity), "custom_details",
		    "incident", (json_int_t)m->incident, "to", m->person,
		    "page", (json_int_t)m->page, "client", "owl");
	rc = page_http_json(ps, "pagerduty", url != NULL ? url : PAGE_PD_URL,
	    doc, NULL, status, err);
	page_wipe(&key);
	return rc;
}

/* "X-Owl-Signature: t=TS,v1=HEX": HMAC-SHA256 of "TS.BODY", the scheme
 * owl's receiver checks (a signature over the body alone could be
 * replayed for ever; a receiver keeps a window and a replay cache). */
static int
page_http_sign(struct page_send *ps, const struct buf *key, const char *body,
    char sig[PAGE_HTTP_SIG_MAX], struct err *err)
{
	long long ts = (long long)(clock_now_us() / CLOCK_US_PER_SEC);
	unsigned char mac[HASH_LEN];
	struct buf msg;
	struct err e2;
	int n, rc;

	err_init(&e2);
	buf_init(&msg, 0);
	rc = buf_printf(&msg, &e2, "%lld.", ts) == -1 ||
	        buf_adds(&msg, body, &e2) == -1 ||
	        hmac_sha256(key->data, key->len, msg.data, msg.len, mac) == -1
	    ? -1
	    : 0;
	buf_done(&msg);
	if (rc == -1)
		return page_fail(ps, err, "webhook", "HMAC failed");
	n = snprintf(sig, PAGE_HTTP_SIG_MAX, "X-Owl-Signature: t=%lld,v1=", ts);
	hash_hex(mac, HASH_LEN, sig + n);
	return 0;
}

int
page_http_webhook(struct page_send *ps, const json_t *cfg,
    const struct page_msg *m, int *status, struct err *err)
{
	const json_t *secret = json_object_get(cfg, "secret");
	char at[CLOCK_RFC3339_MAX], sig[PAGE_HTTP_SIG_MAX], id[64], idem[80];
	char *body = NULL;
	const char *hdrs[4] = { id, idem, NULL, NULL };
	struct buf url, key;
	json_t *doc;
	int rc = -1;

	buf_init(&url, 8192);
	buf_init(&key, 4096);
	clock_format(clock_now_us(), 0, at);
	doc = json_pack("{s:s, s:I, s:o, s:s, s:s, s:s?, s:i, s:s}", "type",
	    m->kind, "page", (json_int_t)m->page, "incident",
	    m->incident > 0 ? json_integer(m->incident) : json_null(), "to",
	    m->person, "text", m->text, "severity", m->severity, "attempt",
	    m->attempt, "sent_at", at);
	if (doc == NULL || (body = json_dumps(doc, JSON_COMPACT)) == NULL) {
		page_fail(ps, err, "webhook", "out of memory");
		goto out;
	}
	if (page_http_url(ps, cfg, "webhook url", &url, err) == -1 ||
	    (secret != NULL &&
	        page_value(ps, secret, "webhook secret", &key, err) == -1))
		goto out;
	snprintf(id, sizeof id, "X-Owl-Page-Id: %lld", (long long)m->page);
	snprintf(idem, sizeof idem, "Idempotency-Key: owl-page-%lld-%s",
	    (long long)m->page, m->kind);
	if (secret != NULL && page_http_sign(ps, &key, body, sig, err) == -1)
		goto out;
	if (secret != NULL)
		hdrs[2] = sig;
	rc = page_http_post(
	    ps, "webhook", buf_str(&url), body, hdrs, status, err);
out:
	json_decref(doc);
	free(body);
	page_wipe(&url);
	page_wipe(&key);
	return rc;
}
