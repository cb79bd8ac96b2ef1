/* fuzz_http_auth.c: libFuzzer harness for the credential parsers of owl
 * serve (integrations/http_auth.c), which read headers from anyone who
 * can connect: Authorization (Bearer, Basic with base64), X-Owl-Signature,
 * Grafana's signature and timestamp, and base64 itself. The first byte
 * picks the check; the rest is the header, then (after the first '\n')
 * the body or the timestamp. Beyond "no crash, no leak": a verdict is
 * one of the three, OK names who authenticated within its buffer,
 * base64 decodes what it encodes, and a token is accepted in every form
 * a sender may write it. Built and seeded by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "integrations/http_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fz_token[] = "s3cret-token";
static const char fz_secret[] = "hmac-key-1";

static struct http_auth *
fz_auth(void)
{
	static struct http_auth *a;
	struct err err;

	if (a == NULL) {
		err_init(&err);
		a = http_auth_new();
		if (a == NULL ||
		    http_auth_add_token(a, fz_token, strlen(fz_token), &err) ==
		        -1 ||
		    http_auth_add_secret(
		        a, fz_secret, strlen(fz_secret), &err) == -1)
			__builtin_trap();
	}
	return a;
}

static void
fz_verdict(enum http_auth_verdict v)
{
	if (v != HTTP_AUTH_NONE && v != HTTP_AUTH_OK && v != HTTP_AUTH_BAD)
		__builtin_trap();
}

static size_t
fz_base64(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                          "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

/* base64 round trip, and "Basic b64(user:token)" accepted for any user
 * (the fuzz input) without a NUL or a colon. */
static void
fz_roundtrip(const char *s, size_t n)
{
	char *enc = malloc(4 * (n + sizeof fz_token + 2) / 3 + 16);
	char *plain = malloc(n + sizeof fz_token + 8), who[12];
	unsigned char *dec = malloc(n + 1);
	long got;

	if (enc == NULL || plain == NULL || dec == NULL)
		__builtin_trap();
	fz_base64((const unsigned char *)s, n, enc);
	got = http_auth_unbase64(enc, strlen(enc), dec, n + 1);
	if (got != (long)n || memcmp(dec, s, n) != 0)
		__builtin_trap();
	if (n < 1000 && memchr(s, ':', n) == NULL && memchr(s, 0, n) == NULL) {
		memcpy(plain, s, n);
		plain[n] = ':';
		memcpy(plain + n + 1, fz_token, sizeof fz_token);
		memcpy(enc, "Basic ", 6);
		fz_base64((unsigned char *)plain, strlen(plain), enc + 6);
		if (http_auth_check_header(fz_auth(), enc, NULL, who, sizeof who) !=
		        HTTP_AUTH_OK ||
		    strncmp(who, "basic:", 6) != 0)
			__builtin_trap();
	}
	free(enc);
	free(plain);
	free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl, *body;
	char *hdr, who[1 + 16];
	size_t hn, bn, whon, w;
	enum http_auth_verdict v;

	if (size == 0)
		return 0;
	/* header: up to the first '\n', as a C string (MHD gives C strings) */
	nl = memchr(data + 1, '\n', size - 1);
	hn = nl != NULL ? (size_t)(nl - (const char *)data - 1) : size - 1;
	body = nl != NULL ? nl + 1 : "";
	bn = nl != NULL ? size - hn - 2 : 0;
	if ((hdr = strndup((const char *)data + 1, hn)) == NULL)
		return 0;
	whon = 1 + data[0] % 16; /* small who buffers catch overruns */
	switch (data[0] % 5) {
	case 0:
		memset(who, 0, sizeof who);
		v = http_auth_check_header(fz_auth(), hdr, NULL, who, whon);
		fz_verdict(v);
		w = strlen(who);
		if (v == HTTP_AUTH_OK &&
		    (w >= whon ||
		        (strncmp(who, "bearer", w) != 0 &&
		            strncmp(who, "basic:", w < 6 ? w : 6) != 0)))
			__builtin_trap();
		break;
	case 1:
		fz_verdict(http_auth_check_owl_sig(
		    fz_auth(), hdr, 1800000000, body, bn, NULL));
		break;
	case 2: {
		/* the body's first line is the timestamp */
		char *ts = strndup(body, bn);

		if (ts != NULL) {
			ts[strcspn(ts, "\n")] = '\0';
			fz_verdict(http_auth_check_grafana_sig(
			    fz_auth(), hdr, ts, 1800000000, body, bn, NULL));
		}
		free(ts);
		break;
	}
	case 3:
		fz_verdict(http_auth_check_token(fz_auth(), hdr, strlen(hdr), NULL));
		break;
	default: fz_roundtrip((const char *)data + 1, size - 1); break;
	}
	free(hdr);
	return 0;
}
