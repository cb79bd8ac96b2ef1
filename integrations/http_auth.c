/* http_auth.c: credential checks for the webhook receiver (http_auth.h).
 * Each check walks every configured key without stopping at a match, and
 * compares fixed 32-byte digests, so timing reveals neither which key
 * matched nor how much of a guess was right (SECURITY.md §2.4). */
#include "http_auth.h"

#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/hash.h"
#include "integrations/hmac.h"
#include "integrations/lazy.h"

struct http_auth_secret {
	char *key;
	size_t len;
};

/* A token's endpoints: none means every endpoint. */
struct http_auth_scope {
	char path[HTTP_AUTH_MAX_SCOPES][HTTP_AUTH_SCOPE_MAX + 1];
	size_t n;
};

struct http_auth {
	unsigned char tokens[HTTP_AUTH_MAX_KEYS][HASH_LEN]; /* SHA-256 */
	struct http_auth_scope scopes[HTTP_AUTH_MAX_KEYS];
	size_t ntokens;
	struct http_auth_secret secrets[HTTP_AUTH_MAX_KEYS];
	size_t nsecrets;
};

struct http_auth *
http_auth_new(void)
{
	return calloc(1, sizeof(struct http_auth));
}

void
http_auth_free(struct http_auth *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nsecrets; i++) {
		explicit_bzero(a->secrets[i].key, a->secrets[i].len);
		free(a->secrets[i].key);
	}
	explicit_bzero(a, sizeof *a);
	free(a);
}

int
http_auth_add_token(
    struct http_auth *a, const char *tok, size_t n, struct err *err)
{
	if (n == 0 || n > HTTP_AUTH_KEY_MAX)
		return err_set(err, ERR_USAGE, "token: must be 1 to %d bytes",
		    HTTP_AUTH_KEY_MAX);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)tok[i] <= ' ' || tok[i] == 0x7f)
			return err_set(err, ERR_USAGE,
			    "token: spaces and "
			    "control characters are not allowed");
	if (a->ntokens == HTTP_AUTH_MAX_KEYS)
		return err_set(
		    err, ERR_USAGE, "more than %d tokens", HTTP_AUTH_MAX_KEYS);
	hash_sha256(tok, n, a->tokens[a->ntokens++]);
	return 0;
}

int
http_auth_add_secret(
    struct http_auth *a, const char *key, size_t n, struct err *err)
{
	struct http_auth_secret *s;

	if (n == 0 || n > HTTP_AUTH_KEY_MAX)
		return err_set(err, ERR_USAGE, "secret: must be 1 to %d bytes",
		    HTTP_AUTH_KEY_MAX);
	if (a->nsecrets == HTTP_AUTH_MAX_KEYS)
		return err_set(
		    err, ERR_USAGE, "more than %d secrets", HTTP_AUTH_MAX_KEYS);
	/* HMAC is libcrypto's shared object's: loaded now, not on the first
	 * signed request (integrations/hmac.c) */
	if (lazy_load(LAZY_CRYPTO, err) == -1)
		return -1;
	s = &a->secrets[a->nsecrets];
	if ((s->key = malloc(n)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	memcpy(s->key, key, n);
	s->len = n;
	a->nsecrets++;
	return 0;
}

int
http_auth_scope_token(struct http_auth *a, const char *path, struct err *err)
{
	struct http_auth_scope *sc;
	size_t n = strlen(path);

	if (a->ntokens == 0)
		return err_set(err, ERR_USAGE, "an endpoint before any token");
	sc = &a->scopes[a->ntokens - 1];
	if (path[0] != '/' || n > HTTP_AUTH_SCOPE_MAX ||
	    strpbrk(path, " \t") != NULL)
		return err_set(err, ERR_USAGE,
		    "'%s': want an endpoint such as /v1/alerts/alertmanager",
		    path);
	if (sc->n == HTTP_AUTH_MAX_SCOPES)
		return err_set(err, ERR_USAGE,
		    "more than %d endpoints for a token", HTTP_AUTH_MAX_SCOPES);
	while (n > 1 && path[n - 1] == '/')
		n--; /* "/v2/enqueue/" is "/v2/enqueue" */
	memcpy(sc->path[sc->n], path, n);
	sc->path[sc->n++][n] = '\0';
	return 0;
}

/* A token file's line: "TOKEN [ENDPOINT]...", the endpoints it may post
 * to (none: every one). */
static int
http_auth_add_token_line(
    struct http_auth *a, const char *line, size_t n, struct err *err)
{
	size_t tn = strcspn(line, " \t");
	const char *p = line + tn;
	char path[HTTP_AUTH_SCOPE_MAX + 2];

	if (http_auth_add_token(a, line, tn < n ? tn : n, err) == -1)
		return -1;
	for (;;) {
		size_t k;

		p += strspn(p, " \t");
		if ((k = strcspn(p, " \t")) == 0)
			return 0;
		if (k > HTTP_AUTH_SCOPE_MAX)
			return err_set(err, ERR_USAGE,
			    "an endpoint longer than %d bytes",
			    HTTP_AUTH_SCOPE_MAX);
		memcpy(path, p, k);
		path[k] = '\0';
		if (http_auth_scope_token(a, path, err) == -1)
			return -1;
		p += k;
	}
}

typedef int http_auth_add_fn(
    struct http_auth *, const char *, size_t, struct err *);

/* Reads path line by line, handing each key to add. */
static int
http_auth_load(struct http_auth *a, const char *path, http_auth_add_fn *add,
    struct err *err)
{
	char line[HTTP_AUTH_KEY_MAX + 2];
	int nline = 0, added = 0, rc = -1;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return err_set(err, ERR_USAGE, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		size_t n = strlen(line);

		nline++;
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			err_set(err, ERR_USAGE, "%s:%d: line too long", path,
			    nline);
			goto out;
		}
		while (n > 0 &&
		    (line[n - 1] == '\n' || line[n - 1] == '\r' ||
		        line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (add(a, line, n, err) == -1) {
			err_prefix(err, "%s:%d: ", path, nline);
			goto out;
		}
		added++;
	}
	if (ferror(f)) {
		err_set(err, ERR_USAGE, "%s: read error", path);
		goto out;
	}
	if (added == 0) {
		err_set(err, ERR_USAGE, "%s: no key in the file", path);
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(line, sizeof line);
	fclose(f);
	return rc;
}

int
http_auth_load_tokens(struct http_auth *a, const char *path, struct err *err)
{
	return http_auth_load(a, path, http_auth_add_token_line, err);
}

int
http_auth_load_secrets(struct http_auth *a, const char *path, struct err *err)
{
	return http_auth_load(a, path, http_auth_add_secret, err);
}

int
http_auth_enabled(const struct http_auth *a)
{
	return a != NULL && (a->ntokens > 0 || a->nsecrets > 0);
}

int
http_auth_has_tokens(const struct http_auth *a)
{
	return a != NULL && a->ntokens > 0;
}

int
http_auth_has_secrets(const struct http_auth *a)
{
	return a != NULL && a->nsecrets > 0;
}

/* Whether token i may post to endpoint (NULL: only an unscoped one). */
static int
http_auth_in_scope(const struct http_auth *a, size_t i, const char *endpoint)
{
	const struct http_auth_scope *sc = &a->scopes[i];
	int in = sc->n == 0;

	for (size_t k = 0; k < sc->n && endpoint != NULL; k++)
		in |= strcmp(sc->path[k], endpoint) == 0;
	return in;
}

enum http_auth_verdict
http_auth_check_token(
    const struct http_auth *a, const char *tok, size_t n, const char *endpoint)
{
	unsigned char d[HASH_LEN];
	int match = 0;

	if (a == NULL || n == 0 || n > HTTP_AUTH_KEY_MAX)
		return HTTP_AUTH_BAD;
	hash_sha256(tok, n, d);
	for (size_t i = 0; i < a->ntokens; i++)
		match |= (hash_equal(d, a->tokens[i], HASH_LEN) == 0) &
		    http_auth_in_scope(a, i, endpoint);
	return match ? HTTP_AUTH_OK : HTTP_AUTH_BAD;
}

static int
http_auth_b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
http_auth_unbase64(const char *in, size_t n, unsigned char *out, size_t outn)
{
	unsigned long acc = 0;
	size_t len = 0;
	int bits = 0;

	while (n > 0 && in[n - 1] == '=')
		n--;
	for (size_t i = 0; i < n; i++) {
		int v = http_auth_b64val((unsigned char)in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len == outn)
				return -1;
			out[len++] = (unsigned char)(acc >> bits);
		}
	}
	if (bits >= 6) /* a lone sixth character encodes no byte */
		return -1;
	return (long)len;
}

/* "Basic base64(user:password)": the password is the token. */
static enum http_auth_verdict
http_auth_check_basic(const struct http_auth *a, const char *b64,
    const char *endpoint, char *who, size_t whon)
{
	unsigned char dec[2 * HTTP_AUTH_KEY_MAX + 2];
	enum http_auth_verdict v;
	unsigned char *colon;
	long n;

	n = http_auth_unbase64(b64, strlen(b64), dec, sizeof dec);
	if (n <= 0 || (colon = memchr(dec, ':', (size_t)n)) == NULL)
		return HTTP_AUTH_BAD;
	v = http_auth_check_token(
	    a, (char *)colon + 1, (size_t)(dec + n - colon - 1), endpoint);
	if (v == HTTP_AUTH_OK && who != NULL)
		snprintf(
		    who, whon, "basic:%.*s", (int)(colon - dec), (char *)dec);
	explicit_bzero(dec, sizeof dec);
	return v;
}

enum http_auth_verdict
http_auth_check_header(const struct http_auth *a, const char *header,
    const char *endpoint, char *who, size_t whon)
{
	const char *p;
	size_t n;

	if (header == NULL)
		return HTTP_AUTH_NONE;
	if (a == NULL || a->ntokens == 0)
		return HTTP_AUTH_BAD;
	if (strncasecmp(header, "Basic ", 6) == 0) {
		for (p = header + 6; *p == ' '; p++)
			;
		return http_auth_check_basic(a, p, endpoint, who, whon);
	}
	/* Opsgenie's clients send the key as "GenieKey KEY" */
	if (strncasecmp(header, "Bearer ", 7) == 0)
		p = header + 7;
	else if (strncasecmp(header, "GenieKey ", 9) == 0)
		p = header + 9;
	else
		return HTTP_AUTH_BAD;
	for (; *p == ' '; p++)
		;
	n = strlen(p);
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (http_auth_check_token(a, p, n, endpoint) != HTTP_AUTH_OK)
		return HTTP_AUTH_BAD;
	if (who != NULL)
		snprintf(who, whon, "%s",
		    tolower((unsigned char)*header) == 'g' ? "geniekey"
		                                           : "bearer");
	return HTTP_AUTH_OK;
}

/* Compares a presented hex MAC with HMAC(secret, pre || body) for every
 * secret; on OK copies the MAC into sig. */
static enum http_auth_verdict
http_auth_hmac_match(const struct http_auth *a, const char *hex,
    const char *pre, size_t prelen, const void *body, size_t len,
    struct http_auth_sig *sig)
{
	unsigned char want[HASH_LEN], got[HASH_LEN];
	char *msg = NULL;
	int match = 0;

	if (a == NULL || a->nsecrets == 0 ||
	    hash_unhex(hex, want, HASH_LEN) == -1)
		return HTTP_AUTH_BAD;
	if ((msg = malloc(prelen + len + 1)) == NULL)
		return HTTP_AUTH_BAD;
	memcpy(msg, pre, prelen);
	if (len > 0)
		memcpy(msg + prelen, body, len);
	for (size_t i = 0; i < a->nsecrets; i++) {
		if (hmac_sha256(a->secrets[i].key, a->secrets[i].len, msg,
		        prelen + len, got) == -1)
			continue;
		match |= hash_equal(got, want, HASH_LEN) == 0;
	}
	free(msg);
	if (!match)
		return HTTP_AUTH_BAD;
	if (sig != NULL)
		memcpy(sig->mac, want, HASH_LEN);
	return HTTP_AUTH_OK;
}

/* Parses a Unix time of at most 12 digits into *t; -1 when it is not. */
static int
http_auth_time(const char *s, size_t n, int64_t *t)
{
	int64_t v = 0;

	if (n == 0 || n > 12)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*t = v;
	return 0;
}

static enum http_auth_verdict
http_auth_bad(struct http_auth_sig *sig, const char *why)
{
	if (sig != NULL)
		sig->why = why;
	return HTTP_AUTH_BAD;
}

/* The signed time against the clock. */
static int
http_auth_fresh(int64_t t, int64_t now_s)
{
	return t >= now_s - HTTP_AUTH_MAX_SKEW &&
	    t <= now_s + HTTP_AUTH_MAX_SKEW;
}

enum http_auth_verdict
http_auth_check_owl_sig(const struct http_auth *a, const char *header,
    int64_t now_s, const void *body, size_t len, struct http_auth_sig *sig)
{
	const char *t = NULL, *v1 = NULL, *p = header;
	size_t tn = 0;
	char pre[24];
	int64_t ts;

	if (header == NULL)
		return HTTP_AUTH_NONE;
	if (strncmp(header, "sha256=", 7) == 0)
		return http_auth_bad(sig,
		    "X-Owl-Signature: sha256= signs the body alone and could "
		    "be replayed for ever: send t=UNIX_TIME,v1=HMAC of "
		    "\"UNIX_TIME.BODY\" (see owl's README)");
	/* "t=TS,v1=HEX" in either order, spaces after the comma allowed */
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if (strncmp(p, "t=", 2) == 0 && t == NULL) {
			t = p + 2;
			tn = n - 2;
		} else if (strncmp(p, "v1=", 3) == 0 && v1 == NULL &&
		    n == 3 + 2 * HASH_LEN)
			v1 = p + 3;
		else
			return http_auth_bad(
			    sig, "X-Owl-Signature: want t=UNIX_TIME,v1=HEX");
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (t == NULL || v1 == NULL || http_auth_time(t, tn, &ts) == -1)
		return http_auth_bad(
		    sig, "X-Owl-Signature: want t=UNIX_TIME,v1=HEX");
	if (!http_auth_fresh(ts, now_s))
		return http_auth_bad(sig,
		    "X-Owl-Signature: t= is more than 300 s from owl's clock "
		    "(a replay, or a clock to set right)");
	snprintf(pre, sizeof pre, "%lld.", (long long)ts);
	{
		char hex[2 * HASH_LEN + 1];

		memcpy(hex, v1, 2 * HASH_LEN);
		hex[2 * HASH_LEN] = '\0';
		if (http_auth_hmac_match(a, hex, pre, strlen(pre), body, len,
		        sig) != HTTP_AUTH_OK)
			return http_auth_bad(sig,
			    "X-Owl-Signature does not match the body with any "
			    "secret");
	}
	if (sig != NULL)
		sig->ts = ts;
	return HTTP_AUTH_OK;
}

enum http_auth_verdict
http_auth_check_grafana_sig(const struct http_auth *a, const char *sig,
    const char *ts, int64_t now_s, const void *body, size_t len,
    struct http_auth_sig *out)
{
	char pre[24];
	int64_t t;

	if (sig == NULL)
		return HTTP_AUTH_NONE;
	if (ts == NULL)
		return http_auth_bad(out,
		    "X-Grafana-Alerting-Signature without a timestamp could be "
		    "replayed for ever: set the contact point's HMAC timestamp "
		    "header to X-Grafana-Alerting-Timestamp");
	if (http_auth_time(ts, strlen(ts), &t) == -1)
		return http_auth_bad(
		    out, "X-Grafana-Alerting-Timestamp: not a Unix time");
	if (!http_auth_fresh(t, now_s))
		return http_auth_bad(out,
		    "X-Grafana-Alerting-Timestamp is more than 300 s from "
		    "owl's clock (a replay, or a clock to set right)");
	snprintf(pre, sizeof pre, "%lld:", (long long)t);
	if (http_auth_hmac_match(a, sig, pre, strlen(pre), body, len, out) !=
	    HTTP_AUTH_OK)
		return http_auth_bad(out,
		    "X-Grafana-Alerting-Signature does not match the body with "
		    "any secret");
	if (out != NULL)
		out->ts = t;
	return HTTP_AUTH_OK;
}
