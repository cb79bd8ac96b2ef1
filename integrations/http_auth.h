/* http_auth.h: who may post alerts to `owl serve`. Bearer tokens, basic
 * auth (the password is a token), owl's HMAC signature header, Grafana's
 * signature with its timestamp, and PagerDuty's routing_key. Tokens are
 * kept only as SHA-256 digests; every comparison is constant-time. */
#ifndef OWL_HTTP_AUTH_H
#define OWL_HTTP_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "engine/err.h"
#include "engine/hash.h"

/* Largest number of tokens or secrets, and the longest of each; the
 * endpoints a token may be limited to, and the longest path. */
#define HTTP_AUTH_MAX_KEYS 64
#define HTTP_AUTH_KEY_MAX 1024
#define HTTP_AUTH_MAX_SCOPES 8
#define HTTP_AUTH_SCOPE_MAX 63

/* Signed timestamps older or newer than this are refused (seconds). */
#define HTTP_AUTH_MAX_SKEW 300

/* What a check found. */
enum http_auth_verdict {
	HTTP_AUTH_NONE, /* no such credential was presented */
	HTTP_AUTH_OK, /* presented and valid */
	HTTP_AUTH_BAD, /* presented and wrong, malformed or stale */
};

struct http_auth;

/* Returns an empty set of credentials (nothing configured), or NULL when
 * out of memory. Free with http_auth_free(). */
struct http_auth *http_auth_new(void);
void http_auth_free(struct http_auth *a);

/* Adds one bearer token (n bytes, printable, no spaces). -1 with err set
 * (ERR_USAGE) when empty, too long, or past HTTP_AUTH_MAX_KEYS. */
int http_auth_add_token(
    struct http_auth *a, const char *tok, size_t n, struct err *err);

/* Adds one HMAC secret (n raw bytes); two may be active during rotation. */
int http_auth_add_secret(
    struct http_auth *a, const char *key, size_t n, struct err *err);

/* Limits a token to an endpoint ("/v1/alerts/alertmanager"): the last
 * token added may then be used there, and on the other endpoints it is
 * limited to, only. -1 with err set (ERR_USAGE) when there is no token,
 * the path is not one, or past HTTP_AUTH_MAX_SCOPES. */
int http_auth_scope_token(
    struct http_auth *a, const char *path, struct err *err);

/* Reads a file with one token (or secret) per line; blank lines and lines
 * starting with '#' are skipped, trailing CR and spaces trimmed. A token
 * line may name the endpoints the token is limited to, after it:
 * "TOKEN /v1/alerts/alertmanager /v2/enqueue". -1 with err set
 * (ERR_USAGE) when unreadable or holding no key at all. */
int http_auth_load_tokens(
    struct http_auth *a, const char *path, struct err *err);
int http_auth_load_secrets(
    struct http_auth *a, const char *path, struct err *err);

/* Nonzero when any credential is configured (else every request passes). */
int http_auth_enabled(const struct http_auth *a);
int http_auth_has_tokens(const struct http_auth *a);
int http_auth_has_secrets(const struct http_auth *a);

/* Checks an Authorization header value: "Bearer TOKEN", "GenieKey
 * TOKEN" (Opsgenie's clients) or "Basic
 * base64(user:TOKEN)", for a request to endpoint (a token limited to
 * other endpoints is BAD there; NULL: only tokens limited to none pass).
 * NULL header: HTTP_AUTH_NONE. On OK, writes who authenticated
 * ("bearer" or "basic:USER", USER cut to fit) into who (whon bytes)
 * when who is not NULL. */
enum http_auth_verdict http_auth_check_header(const struct http_auth *a,
    const char *header, const char *endpoint, char *who, size_t whon);

/* Checks a bare token (PagerDuty's routing_key) against the tokens, for
 * a request to endpoint (as above). */
enum http_auth_verdict http_auth_check_token(
    const struct http_auth *a, const char *tok, size_t n, const char *endpoint);

/* What a signature check found beyond its verdict: on OK the MAC
 * presented and its signed time, for the replay cache (a MAC is used
 * once: owl serve records it until the time leaves the window); on BAD
 * a one-line reason for the sender (static). */
struct http_auth_sig {
	unsigned char mac[HASH_LEN];
	int64_t ts; /* Unix seconds */
	const char *why;
};

/* Checks "X-Owl-Signature: t=TS,v1=HEX": HEX is the HMAC-SHA256 of
 * "TS." followed by the raw body, with any secret; TS (Unix seconds) is
 * within HTTP_AUTH_MAX_SKEW of now_s. The old "sha256=HEX" over the body
 * alone is BAD: it could be replayed for ever. NULL header:
 * HTTP_AUTH_NONE. sig may be NULL. */
enum http_auth_verdict http_auth_check_owl_sig(const struct http_auth *a,
    const char *header, int64_t now_s, const void *body, size_t len,
    struct http_auth_sig *sig);

/* Checks Grafana's "X-Grafana-Alerting-Signature: <64 hex>": the HMAC
 * of "TS:" + body with the timestamp header ts (Unix seconds) within
 * HTTP_AUTH_MAX_SKEW of now_s. Without a timestamp it is BAD (the body
 * alone could be replayed for ever). NULL sig: HTTP_AUTH_NONE. out may
 * be NULL. */
enum http_auth_verdict http_auth_check_grafana_sig(const struct http_auth *a,
    const char *sig, const char *ts, int64_t now_s, const void *body,
    size_t len, struct http_auth_sig *out);

/* Decodes standard base64 (with or without padding) into out (outn bytes);
 * returns the length, or -1 on a bad character or a too small out. */
long http_auth_unbase64(
    const char *in, size_t n, unsigned char *out, size_t outn);

#endif
