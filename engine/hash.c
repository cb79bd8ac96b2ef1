/* hash.c: SHA-256/HMAC through OpenSSL libcrypto (see hash.h). */
#include "hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

int
hash_begin(struct hash_ctx *h)
{
	h->md = EVP_MD_CTX_new();
	h->alg = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (h->md == NULL || h->alg == NULL ||
	    EVP_DigestInit_ex2(h->md, h->alg, NULL) != 1) {
		hash_done(h);
		return -1;
	}
	return 0;
}

void
hash_done(struct hash_ctx *h)
{
	EVP_MD_CTX_free(h->md);
	EVP_MD_free(h->alg);
	h->md = NULL;
	h->alg = NULL;
}

void
hash_next(struct hash_ctx *h, unsigned char out[HASH_LEN])
{
	unsigned int n = HASH_LEN;

	EVP_DigestFinal_ex(h->md, out, &n);
	EVP_DigestInit_ex2(h->md, h->alg, NULL);
}

void
hash_update(struct hash_ctx *h, const void *p, size_t n)
{
	EVP_DigestUpdate(h->md, p, n);
}

void
hash_end(struct hash_ctx *h, unsigned char out[HASH_LEN])
{
	unsigned int n = HASH_LEN;

	EVP_DigestFinal_ex(h->md, out, &n);
	hash_done(h);
}

void
hash_sha256(const void *p, size_t n, unsigned char out[HASH_LEN])
{
	SHA256(p, n, out);
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
