/* hash.c: SHA-256 through OpenSSL libcrypto (see hash.h). The digests
 * use libcrypto's low-level SHA256_ and SHA1_ functions (deprecated in
 * 3.0, hence the define, in this one file): they need no library
 * initialisation, where the first EVP digest or SHA256() call of a
 * process loads OpenSSL's configuration and providers (about 3 ms of
 * CPU) and registers its clean-up at exit (about 1 ms more), which every
 * owl run and ingest paid for a few digests. They are linked statically
 * (the Makefile) and pull in none of OpenSSL's tables; HMAC is
 * integrations/hmac.c's, from the shared libcrypto. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "hash.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

int
hash_begin(struct hash_ctx *h)
{
	if ((h->md = malloc(sizeof(SHA256_CTX))) == NULL)
		return -1;
	SHA256_Init(h->md);
	return 0;
}

void
hash_done(struct hash_ctx *h)
{
	if (h->md != NULL)
		explicit_bzero(h->md, sizeof(SHA256_CTX));
	free(h->md);
	h->md = NULL;
}

void
hash_next(struct hash_ctx *h, unsigned char out[HASH_LEN])
{
	SHA256_Final(out, h->md);
	SHA256_Init(h->md);
}

void
hash_update(struct hash_ctx *h, const void *p, size_t n)
{
	SHA256_Update(h->md, p, n);
}

void
hash_end(struct hash_ctx *h, unsigned char out[HASH_LEN])
{
	SHA256_Final(out, h->md);
	hash_done(h);
}

void
hash_sha256(const void *p, size_t n, unsigned char out[HASH_LEN])
{
	SHA256_CTX c;

	SHA256_Init(&c);
	SHA256_Update(&c, p, n);
	SHA256_Final(out, &c);
}

void
hash_sha1_2(const void *a, size_t an, const void *b, size_t bn,
    unsigned char out[HASH_SHA1_LEN])
{
	SHA_CTX c;

	SHA1_Init(&c);
	SHA1_Update(&c, a, an);
	SHA1_Update(&c, b, bn);
	SHA1_Final(out, &c);
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

/* One more than the value of each hex digit; 0 for any other byte. */
static const unsigned char hash_digit[256] = {
	['0'] = 1,
	['1'] = 2,
	['2'] = 3,
	['3'] = 4,
	['4'] = 5,
	['5'] = 6,
	['6'] = 7,
	['7'] = 8,
	['8'] = 9,
	['9'] = 10,
	['a'] = 11,
	['b'] = 12,
	['c'] = 13,
	['d'] = 14,
	['e'] = 15,
	['f'] = 16,
	['A'] = 11,
	['B'] = 12,
	['C'] = 13,
	['D'] = 14,
	['E'] = 15,
	['F'] = 16,
};

int
hash_unhex(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned hi = hash_digit[(unsigned char)hex[2 * i]], lo;

		/* a NUL is not a digit: the loop stops at the end */
		if (hi == 0 ||
		    (lo = hash_digit[(unsigned char)hex[2 * i + 1]]) == 0)
			return -1;
		out[i] = (unsigned char)((hi - 1) << 4 | (lo - 1));
	}
	return hex[2 * n] == '\0' ? 0 : -1;
}

int
hash_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0 ? 0 : -1;
}
