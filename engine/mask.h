/* mask.h: registration-based secret masking (SECURITY.md §6.1). Every
 * secret value the broker learns is registered with its encoded forms
 * (base64 at the three byte alignments, base64url, URL-encoded,
 * JSON-escaped), and so is each line of a multi-line value; every text
 * bound for the action log, a plan, the
 * terminal or a file of owl's passes mask_apply first. */
#ifndef OWL_MASK_H
#define OWL_MASK_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define MASK_MIN_LEN 8 /* shorter values would mask everything */
#define MASK_REPLACEMENT "***"

struct mask;

/* A new, empty masker; NULL when out of memory. Free with mask_free. */
struct mask *mask_new(void);

/* Wipes the registered values and frees; accepts NULL. */
void mask_free(struct mask *m);

/* Registers a secret value and its encodings. A value shorter than
 * MASK_MIN_LEN bytes is refused (-1, ERR_USAGE): it cannot be masked
 * without masking ordinary text. */
int mask_add(struct mask *m, const char *value, size_t n, struct err *err);

/* The number of registered patterns (values and encodings). */
size_t mask_count(const struct mask *m);

/* Appends s (n bytes) to out with every registered pattern replaced by
 * MASK_REPLACEMENT. -1 with err set when out's ceiling is reached. */
int mask_apply(const struct mask *m, const char *s, size_t n, struct buf *out,
    struct err *err);

/* Nonzero when s (n bytes) holds a registered pattern (mask_apply would
 * change it). */
int mask_contains(const struct mask *m, const char *s, size_t n);

/* Returns a masked copy of a NUL-terminated string (free()); NULL when
 * out of memory. m may be NULL (plain copy). */
char *mask_dup(const struct mask *m, const char *s);

#endif
