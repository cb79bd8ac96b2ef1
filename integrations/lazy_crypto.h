/* lazy_crypto.h: OpenSSL libcrypto's HMAC, base64 and version, loaded at
 * run time (integrations/lazy.h). Include this instead of <openssl/hmac.h>
 * and <openssl/evp.h>: each name in integrations/lazy/crypto.def then
 * calls through lazy_crypto, which lazy_load(LAZY_CRYPTO, err) fills. The
 * digests stay direct calls (engine/hash.c). */
#ifndef OWL_LAZY_CRYPTO_H
#define OWL_LAZY_CRYPTO_H

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "integrations/lazy.h"

struct lazy_crypto {
#define LAZY(name) __typeof__(name) *name;
#include "integrations/lazy/crypto.def"
#undef LAZY
};

/* Written once, by lazy_load(LAZY_CRYPTO); until then each entry aborts. */
extern struct lazy_crypto lazy_crypto;

/* One "#define NAME (*lazy_crypto.NAME)" for each name of the .def, made
 * by the Makefile; lazy.c, which fills the table, does without them. */
#ifndef LAZY_NO_NAMES
#include "build/gen/lazy/crypto.h"
#endif

#endif
