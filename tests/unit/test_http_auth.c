/* test_http_auth.c: the receiver's credential checks
 * (integrations/http_auth.c): bearer, basic, owl and Grafana HMAC
 * signatures with timestamps, routing keys, key files. */
#include "unit.h"

#include "engine/hash.h"
#include "integrations/hmac.h"
#include "integrations/http_auth.h"

static struct http_auth *
auth_with(const char *tok, const char *secret)
{
	struct http_auth *a = http_auth_new();
	struct err err;

	assert_non_null(a);
	err_init(&err);
	if (tok != NULL)
		assert_int_equal(
		    http_auth_add_token(a, tok, strlen(tok), &err), 0);
	if (secret != NULL)
		assert_int_equal(
		    http_auth_add_secret(a, secret, strlen(secret), &err), 0);
	return a;
}

static void
sign(const char *secret, const char *msg, char hex[HASH_HEX_LEN])
{
	unsigned char mac[HASH_LEN];

	assert_int_equal(
	    hmac_sha256(secret, strlen(secret), msg, strlen(msg), mac), 0);
	hash_hex(mac, HASH_LEN, hex);
}

static void
test_bearer(void **state)
{
	struct http_auth *a = auth_with("s3cret-token", NULL);
	char who[64] = "";

	(void)state;
	assert_true(http_auth_enabled(a));
	assert_int_equal(http_auth_check_header(a, NULL, NULL, who, sizeof who),
	    HTTP_AUTH_NONE);
	assert_int_equal(http_auth_check_header(
	                     a, "Bearer s3cret-token", NULL, who, sizeof who),
	    HTTP_AUTH_OK);
	assert_string_equal(who, "bearer");
	assert_int_equal(
	    http_auth_check_header(a, "bearer  s3cret-token ", NULL, NULL, 0),
	    HTTP_AUTH_OK);
	assert_int_equal(
	    http_auth_check_header(a, "Bearer s3cret-toke", NULL, NULL, 0),
	    HTTP_AUTH_BAD);
	assert_int_equal(
	    http_auth_check_header(a, "Bearer s3cret-token2", NULL, NULL, 0),
	    HTTP_AUTH_BAD);
	assert_int_equal(
	    http_auth_check_header(a, "Bearer ", NULL, NULL, 0), HTTP_AUTH_BAD);
	assert_int_equal(
	    http_auth_check_header(a, "Token s3cret-token", NULL, NULL, 0),
	    HTTP_AUTH_BAD);
	http_auth_free(a);
}

static void
test_basic(void **state)
{
	struct http_auth *a = auth_with("pw", NULL);
	char who[64] = "";

	(void)state;
	/* "am:pw", the header FORMATS.md captured from Alertmanager */
	assert_int_equal(
	    http_auth_check_header(a, "Basic YW06cHc=", NULL, who, sizeof who),
	    HTTP_AUTH_OK);
	assert_string_equal(who, "basic:am");
	/* "am:px" */
	assert_int_equal(
	    http_auth_check_header(a, "Basic YW06cHg=", NULL, NULL, 0),
	    HTTP_AUTH_BAD);
	/* "ampw": no colon */
	assert_int_equal(
	    http_auth_check_header(a, "Basic YW1wdw==", NULL, NULL, 0),
	    HTTP_AUTH_BAD);
	assert_int_equal(http_auth_check_header(a, "Basic !!!!", NULL, NULL, 0),
	    HTTP_AUTH_BAD);
	http_auth_free(a);
}

static void
test_unbase64(void **state)
{
	unsigned char out[16];

	(void)state;
	assert_int_equal(http_auth_unbase64("YW06cHc=", 8, out, sizeof out), 5);
	assert_memory_equal(out, "am:pw", 5);
	assert_int_equal(http_auth_unbase64("YW06cHc", 7, out, sizeof out), 5);
	assert_int_equal(http_auth_unbase64("", 0, out, sizeof out), 0);
	assert_int_equal(http_auth_unbase64("Y", 1, out, sizeof out), -1);
	assert_int_equal(http_auth_unbase64("YW06cHc=", 8, out, 4), -1);
	assert_int_equal(http_auth_unbase64("YW:6", 4, out, sizeof out), -1);
}

/* "t=TS,v1=HEX" with HEX the HMAC of "TS." + body under secret. */
static void
owl_header(
    const char *secret, long long ts, const char *body, char *hdr, size_t n)
{
	char msg[256], hex[HASH_HEX_LEN];

	snprintf(msg, sizeof msg, "%lld.%s", ts, body);
	sign(secret, msg, hex);
	snprintf(hdr, n, "t=%lld,v1=%s", ts, hex);
}

static void
test_owl_sig(void **state)
{
	const char *body = "{\"alerts\":[]}\n";
	struct http_auth *a = auth_with(NULL, "k1");
	struct http_auth_sig sig;
	char hex[HASH_HEX_LEN], hdr[120], alt[120];
	int64_t now = 1764386497;
	unsigned char mac[HASH_LEN];

	(void)state;
	assert_false(http_auth_has_tokens(a));
	owl_header("k1", now, body, hdr, sizeof hdr);
	assert_int_equal(
	    http_auth_check_owl_sig(a, hdr, now, body, strlen(body), &sig),
	    HTTP_AUTH_OK);
	/* what the replay cache records: the MAC presented, its time */
	assert_int_equal(hash_unhex(strchr(hdr, 'v') + 3, mac, HASH_LEN), 0);
	assert_memory_equal(sig.mac, mac, HASH_LEN);
	assert_int_equal(sig.ts, now);
	/* either order, a space after the comma */
	snprintf(alt, sizeof alt, "%s, %.*s", strchr(hdr, 'v'),
	    (int)(strchr(hdr, ',') - hdr), hdr);
	assert_int_equal(
	    http_auth_check_owl_sig(a, alt, now, body, strlen(body), NULL),
	    HTTP_AUTH_OK);
	/* inside the window on both sides, not beyond */
	assert_int_equal(http_auth_check_owl_sig(
	                     a, hdr, now + 300, body, strlen(body), NULL),
	    HTTP_AUTH_OK);
	assert_int_equal(http_auth_check_owl_sig(
	                     a, hdr, now - 300, body, strlen(body), NULL),
	    HTTP_AUTH_OK);
	sig.why = NULL;
	assert_int_equal(http_auth_check_owl_sig(
	                     a, hdr, now + 301, body, strlen(body), &sig),
	    HTTP_AUTH_BAD);
	assert_non_null(strstr(sig.why, "more than 300 s"));
	assert_int_equal(http_auth_check_owl_sig(
	                     a, hdr, now - 301, body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	/* one byte of the body changed; the time changed */
	assert_int_equal(
	    http_auth_check_owl_sig(a, hdr, now, body, strlen(body) - 1, NULL),
	    HTTP_AUTH_BAD);
	snprintf(
	    alt, sizeof alt, "t=%lld%s", (long long)now + 1, strchr(hdr, ','));
	assert_int_equal(
	    http_auth_check_owl_sig(a, alt, now, body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	/* the old form over the body alone could be replayed for ever */
	sign("k1", body, hex);
	snprintf(alt, sizeof alt, "sha256=%s", hex);
	sig.why = NULL;
	assert_int_equal(
	    http_auth_check_owl_sig(a, alt, now, body, strlen(body), &sig),
	    HTTP_AUTH_BAD);
	assert_non_null(strstr(sig.why, "replayed for ever"));
	/* malformed */
	assert_int_equal(
	    http_auth_check_owl_sig(a, hex, now, body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	assert_int_equal(http_auth_check_owl_sig(
	                     a, "t=1,v1=abc", now, body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	assert_int_equal(
	    http_auth_check_owl_sig(a, "t=,v1=", now, body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	assert_int_equal(
	    http_auth_check_owl_sig(a, "", now, body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	assert_int_equal(
	    http_auth_check_owl_sig(a, NULL, now, body, strlen(body), NULL),
	    HTTP_AUTH_NONE);
	/* a token is not a signing key */
	assert_int_equal(http_auth_check_header(a, "Bearer k1", NULL, NULL, 0),
	    HTTP_AUTH_BAD);
	http_auth_free(a);
}

static void
test_rotation(void **state)
{
	const char *body = "x";
	struct http_auth *a = auth_with(NULL, "old");
	char hdr[120];
	struct err err;

	(void)state;
	err_init(&err);
	assert_int_equal(http_auth_add_secret(a, "new", 3, &err), 0);
	owl_header("old", 100, body, hdr, sizeof hdr);
	assert_int_equal(
	    http_auth_check_owl_sig(a, hdr, 100, body, 1, NULL), HTTP_AUTH_OK);
	owl_header("new", 100, body, hdr, sizeof hdr);
	assert_int_equal(
	    http_auth_check_owl_sig(a, hdr, 100, body, 1, NULL), HTTP_AUTH_OK);
	owl_header("other", 100, body, hdr, sizeof hdr);
	assert_int_equal(
	    http_auth_check_owl_sig(a, hdr, 100, body, 1, NULL), HTTP_AUTH_BAD);
	http_auth_free(a);
}

static void
test_grafana_sig(void **state)
{
	const char *body = "{\"version\":\"1\"}";
	struct http_auth *a = auth_with(NULL, "gk");
	char hex[HASH_HEX_LEN], msg[64];
	struct http_auth_sig sig;
	int64_t now = 1764386497;

	(void)state;
	snprintf(msg, sizeof msg, "%lld:%s", (long long)now, body);
	sign("gk", msg, hex);
	assert_int_equal(http_auth_check_grafana_sig(a, hex, "1764386497", now,
	                     body, strlen(body), &sig),
	    HTTP_AUTH_OK);
	assert_int_equal(sig.ts, now);
	assert_int_equal(http_auth_check_grafana_sig(a, hex, "1764386497",
	                     now + 299, body, strlen(body), NULL),
	    HTTP_AUTH_OK);
	/* stale and future timestamps */
	assert_int_equal(http_auth_check_grafana_sig(a, hex, "1764386497",
	                     now + 301, body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	assert_int_equal(http_auth_check_grafana_sig(a, hex, "1764386497",
	                     now - 301, body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	/* the timestamp is signed: changing it breaks the signature */
	assert_int_equal(http_auth_check_grafana_sig(a, hex, "1764386498", now,
	                     body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	assert_int_equal(http_auth_check_grafana_sig(
	                     a, hex, "-5", now, body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	assert_int_equal(http_auth_check_grafana_sig(
	                     a, hex, "17x", now, body, strlen(body), NULL),
	    HTTP_AUTH_BAD);
	/* without a timestamp header the body alone could be replayed for
	 * ever: refused, saying how to fix it */
	sign("gk", body, hex);
	sig.why = NULL;
	assert_int_equal(http_auth_check_grafana_sig(
	                     a, hex, NULL, now, body, strlen(body), &sig),
	    HTTP_AUTH_BAD);
	assert_non_null(strstr(sig.why, "timestamp header"));
	assert_int_equal(http_auth_check_grafana_sig(
	                     a, NULL, NULL, now, body, strlen(body), NULL),
	    HTTP_AUTH_NONE);
	http_auth_free(a);
}

static void
test_routing_key(void **state)
{
	struct http_auth *a = auth_with("R0UT1NGKEY", NULL);

	(void)state;
	assert_int_equal(
	    http_auth_check_token(a, "R0UT1NGKEY", 10, NULL), HTTP_AUTH_OK);
	assert_int_equal(
	    http_auth_check_token(a, "R0UT1NGKEX", 10, NULL), HTTP_AUTH_BAD);
	assert_int_equal(http_auth_check_token(a, "", 0, NULL), HTTP_AUTH_BAD);
	http_auth_free(a);
}

static void
test_files(void **state)
{
	char *dir = unit_tmpdir(), *p = unit_path(dir, "tokens");
	struct http_auth *a = http_auth_new();
	struct err err;
	FILE *f;

	(void)state;
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("# owl tokens\n\nfirst\r\n  \nsecond  \n", f);
	fclose(f);
	err_init(&err);
	assert_int_equal(http_auth_load_tokens(a, p, &err), 0);
	assert_int_equal(
	    http_auth_check_header(a, "Bearer first", NULL, NULL, 0),
	    HTTP_AUTH_OK);
	assert_int_equal(
	    http_auth_check_header(a, "Bearer second", NULL, NULL, 0),
	    HTTP_AUTH_OK);
	assert_int_equal(
	    http_auth_check_header(a, "Bearer # owl tokens", NULL, NULL, 0),
	    HTTP_AUTH_BAD);

	f = fopen(p, "w");
	fputs("# nothing\n", f);
	fclose(f);
	err_init(&err);
	assert_int_equal(http_auth_load_secrets(a, p, &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	assert_non_null(strstr(err.msg, "no key"));

	/* after a token, only endpoints */
	f = fopen(p, "w");
	fputs("has space\n", f);
	fclose(f);
	err_init(&err);
	assert_int_equal(http_auth_load_tokens(a, p, &err), -1);
	assert_non_null(strstr(err.msg, ":1: 'space': want an endpoint"));

	err_init(&err);
	assert_int_equal(http_auth_load_tokens(a, "/nonexistent/x", &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	http_auth_free(a);
	free(p);
	unit_rmtree(dir);
	free(dir);
}

/* A token limited to endpoints passes there only, as a bearer token,
 * basic auth's password or a routing_key; an unlimited one everywhere. */
static void
test_scopes(void **state)
{
	char *dir = unit_tmpdir(), *p = unit_path(dir, "tokens");
	struct http_auth *a = http_auth_new();
	const char *am = "/v1/alerts/alertmanager", *gen = "/v1/alerts/generic";
	struct err err;
	FILE *f;

	(void)state;
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("am-only /v1/alerts/alertmanager\t/v2/enqueue/\nall\n", f);
	fclose(f);
	err_init(&err);
	assert_int_equal(http_auth_load_tokens(a, p, &err), 0);
	assert_int_equal(
	    http_auth_check_header(a, "Bearer am-only", am, NULL, 0),
	    HTTP_AUTH_OK);
	assert_int_equal(
	    http_auth_check_header(a, "Bearer am-only", gen, NULL, 0),
	    HTTP_AUTH_BAD);
	assert_int_equal(
	    http_auth_check_header(a, "Bearer am-only", NULL, NULL, 0),
	    HTTP_AUTH_BAD);
	assert_int_equal(
	    http_auth_check_header(a, "Basic YW06YW0tb25seQ==", gen, NULL, 0),
	    HTTP_AUTH_BAD); /* am:am-only */
	assert_int_equal(http_auth_check_token(a, "am-only", 7, "/v2/enqueue"),
	    HTTP_AUTH_OK);
	assert_int_equal(http_auth_check_header(a, "Bearer all", gen, NULL, 0),
	    HTTP_AUTH_OK);
	assert_int_equal(http_auth_check_header(a, "Bearer all", NULL, NULL, 0),
	    HTTP_AUTH_OK);
	/* an endpoint with no token before it, and a bad one */
	http_auth_free(a);
	a = http_auth_new();
	assert_int_equal(http_auth_scope_token(a, "/v2/enqueue", &err), -1);
	assert_int_equal(http_auth_add_token(a, "t", 1, &err), 0);
	assert_int_equal(http_auth_scope_token(a, "v2/enqueue", &err), -1);
	assert_int_equal(err.code, ERR_USAGE);
	http_auth_free(a);
	free(p);
	unit_rmtree(dir);
	free(dir);
}

static void
test_nothing_configured(void **state)
{
	struct http_auth *a = http_auth_new();

	(void)state;
	assert_false(http_auth_enabled(a));
	assert_false(http_auth_enabled(NULL));
	assert_int_equal(http_auth_check_header(a, "Bearer x", NULL, NULL, 0),
	    HTTP_AUTH_BAD);
	http_auth_free(a);
	http_auth_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_unbase64),
		cmocka_unit_test(test_owl_sig),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_grafana_sig),
		cmocka_unit_test(test_routing_key),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_scopes),
		cmocka_unit_test(test_nothing_configured),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
