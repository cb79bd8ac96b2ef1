/* engine_int.h: helpers private to engine/ shared between the files of
 * one feature (not a public interface). */
#ifndef OWL_ENGINE_INT_H
#define OWL_ENGINE_INT_H

#include <jansson.h>

#include "rb_effect.h"

/* One effect being performed by the chokepoint (rb_effect.c), filled by
 * the per-kind code (rb_effect_ops.c). */
struct rb_fx_call {
	struct rb_effect *e;
	const json_t *req;
	json_t *reply; /* what the worker gets (masked by the caller) */
	json_t *result; /* what the result log entry and plan record */
	json_t *diff; /* a file write's unified diff, or NULL */
	int simulated;
};

/* Names the effect ("http.put"), its target (URL, argv, path, secret
 * name) and whether it writes; -1 with err set (ERR_USAGE) when the
 * request is malformed. */
int rb_effect_describe(const struct rb_secrets *s, const char *kind,
    const json_t *req, char *name, size_t namelen, char *target, size_t tlen,
    int *write, struct err *err);

/* Performs the effect with secret values substituted; 0, or -1 with err
 * set (the message is masked by the caller). */
int rb_effect_perform(struct rb_fx_call *c, struct err *err);

/* Masks every string of j in place; cuts strings longer than cut bytes
 * when cut > 0. */
void rb_effect_mask_json(const struct rb_effect *e, json_t *j, size_t cut);

#endif
