/* hash.h: SHA-256 and SHA-1 (OpenSSL libcrypto), hex encoding and
 * constant-time comparison, for the action log chain and webhook auth
 * (HMAC-SHA256: integrations/hmac.h). */
#ifndef OWL_HASH_H
#define OWL_HASH_H

#include <stddef.h>

#define HASH_LEN 32
#define HASH_HEX_LEN 65 /* 64 hex digits and a NUL */

/* A SHA-256 computation fed in pieces; reusable for many digests. */
struct hash_ctx {
	void *md; /* SHA256_CTX; NULL: not started */
};

/* Starts a SHA-256; returns 0, or -1 when out of memory. */
int hash_begin(struct hash_ctx *h);
void hash_update(struct hash_ctx *h, const void *p, size_t n);
/* Finishes into out and releases the context. */
void hash_end(struct hash_ctx *h, unsigned char out[HASH_LEN]);
/* Finishes into out and starts the next digest on the same context
 * (cheaper than hash_begin per digest); release it with hash_done. */
void hash_next(struct hash_ctx *h, unsigned char out[HASH_LEN]);
/* Releases a context without a digest; accepts one already released. */
void hash_done(struct hash_ctx *h);

/* SHA-256 of one buffer. */
void hash_sha256(const void *p, size_t n, unsigned char out[HASH_LEN]);

#define HASH_SHA1_LEN 20

/* SHA-1 of a then b (git's object ids: a header, then the bytes). */
void hash_sha1_2(const void *a, size_t an, const void *b, size_t bn,
    unsigned char out[HASH_SHA1_LEN]);

/* Writes n bytes as lower-case hex (2n+1 bytes with the NUL). */
void hash_hex(const unsigned char *p, size_t n, char *out);

/* Parses exactly 2n hex digits into n bytes; 0 or -1. */
int hash_unhex(const char *hex, unsigned char *out, size_t n);

/* Compares n bytes in constant time; 0 when equal. */
int hash_equal(const void *a, const void *b, size_t n);

#endif
