/* rb_secret.h: the broker's secret table for one run. The worker holds
 * only handles (numbers); values live here, are registered with the
 * masker the moment they are known (every configured secret before the
 * run starts), and are substituted into a request at the last moment
 * (rb_effect.c). A reference is {KEY: parts} with this run's random KEY
 * (rb_json.h), so data cannot forge one. Wiped when the run ends. */
#ifndef OWL_RB_SECRET_H
#define OWL_RB_SECRET_H

#include <jansson.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "mask.h"
#include "worker/rb_json.h"

struct rb_secret {
	int64_t handle;
	char *name;
	char *value;
	size_t len;
};

#define RB_SECRETS_KEY_LEN (sizeof RB_JSON_SECRET_PREFIX - 1 + 32)

struct rb_secrets {
	struct rb_secret *v;
	size_t n, cap;
	struct mask *mask;
	char key[RB_SECRETS_KEY_LEN + 1]; /* this run's reference key */
};

/* Starts an empty table with a new masker and a new random reference
 * key; -1 when out of memory or without random bytes. */
int rb_secrets_init(struct rb_secrets *s, struct err *err);

/* Wipes every value and frees. */
void rb_secrets_done(struct rb_secrets *s);

/* Registers a value (copied) under a name; sets *handle. A value under
 * MASK_MIN_LEN bytes is refused. */
int rb_secrets_add(struct rb_secrets *s, const char *name, const char *value,
    size_t n, int64_t *handle, struct err *err);

/* Generates `bytes` random bytes (16..1024) encoded as "base64url" (no
 * padding) or "hex" and registers them. */
int rb_secrets_generate(struct rb_secrets *s, const char *name, int bytes,
    const char *encoding, int64_t *handle, struct err *err);

/* Returns nonzero when v is a secret reference of this run: an object
 * with the one member {key: [...]}. */
int rb_secrets_is_ref(const struct rb_secrets *s, const json_t *v);

/* Appends the text of v (a string, or a secret reference with its
 * values substituted) to out. An unknown handle or another type: -1. */
int rb_secrets_text(const struct rb_secrets *s, const json_t *v,
    struct buf *out, struct err *err);

/* A deep copy of v with every secret reference replaced by its value
 * (reveal) or by its "***" rendering (!reveal). NULL with err set. */
json_t *rb_secrets_subst(
    const struct rb_secrets *s, const json_t *v, int reveal, struct err *err);

/* Like rb_secrets_subst(!reveal) ("***" for each value), appending to
 * names (an array) the name of each secret v refers to, in order: what a
 * plan shows and hashes of a write holding secrets. */
json_t *rb_secrets_show(const struct rb_secrets *s, const json_t *v,
    json_t *names, struct err *err);

#endif
