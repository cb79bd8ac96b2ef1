/* hash.c: SHA-256 through nettle, HMAC and constant-time comparison
 * through OpenSSL libcrypto (see hash.h). */
#include "hash.h"

#include <nettle/sha2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

int
hash_begin(struct hash_ctx *h)
{
	if ((h->md = malloc(sizeof(struct sha256_ctx))) == NULL)
		return -1;
	sha256_init(h->md);
	return 0;
}

void
hash_done(struct hash_ctx *h)
{
	if (h->md != NULL)
		explicit_bzero(h->md, sizeof(struct sha256_ctx));
	free(h->md);
	h->md = NULL;
}

void
hash_next(struct hash_ctx *h, unsigned char out[HASH_LEN])
{
	/* nettle's digest resets the context for the next one */
	sha256_digest(h->md, HASH_LEN, out);
}

void
hash_update(struct hash_ctx *h, const void *p, size_t n)
{
	sha256_update(h->md, n, p);
}

void
hash_end(struct hash_ctx *h, unsigned char out[HASH_LEN])
{
	sha256_digest(h->md, HASH_LEN, out);
	hash_done(h);
}

void
hash_sha256(const void *p, size_t n, unsigned char out[HASH_LEN])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, p);
	sha256_digest(&c, HASH_LEN, out);
}

int
hash_hmac(const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char out[HASH_LEN])
{
	unsigned int len = HASH_LEN;

	if (HMAC(EVP_sha256(), key, (int)keylen, msg, n, out, &len) == NULL)
		return -1;
	return 0;
}

void
hash_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hash_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hash_unhex(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;

		if ((hi = hash_nibble(hex[2 * i])) < 0 ||
		    (lo = hash_nibble(hex[2 * i + 1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return hex[2 * n] == '\0' ? 0 : -1;
}

int
hash_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0 ? 0 : -1;
}
