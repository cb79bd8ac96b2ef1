/* hmac.c: HMAC-SHA256 (see hmac.h). HMAC() brings in OpenSSL's whole
 * provider machinery (its tables: ~16,000 relocations, ~2 ms of every
 * process if linked), so it comes from the shared libcrypto, loaded by
 * the first call of a process (integrations/lazy_crypto.h); owl serve
 * loads it when it reads its secrets. */
#include "hmac.h"

#include "integrations/lazy_crypto.h"

int
hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char out[HASH_LEN])
{
	unsigned int len = HASH_LEN;

	if (lazy_load(LAZY_CRYPTO, NULL) == -1)
		return -1;
	if (HMAC(EVP_sha256(), key, (int)keylen, msg, n, out, &len) == NULL)
		return -1;
	return 0;
}
