/* hmac.h: HMAC-SHA256 through OpenSSL's HMAC(), for webhook signatures
 * (owl serve's X-Owl-Signature and Grafana's, signed page webhooks). */
#ifndef OWL_HMAC_H
#define OWL_HMAC_H

#include <stddef.h>

#include "engine/hash.h"

/* HMAC-SHA256 of msg under key. Returns 0, or -1 when libcrypto cannot
 * be loaded or fails. */
int hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char out[HASH_LEN]);

#endif
