/* strmap.h: a map of strings to strings (or a set of strings) for many
 * short keys: the alerts' fingerprints of a storm, 100,000 of them in
 * one timeline export. Open addressing, the entries carved from large
 * blocks, no order; what a JSON object cost per entry was most of the
 * export. */
#ifndef OWL_STRMAP_H
#define OWL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap;

/* An empty map; NULL when out of memory. Free with strmap_free. */
struct strmap *strmap_new(void);

/* Frees m and its copies; accepts NULL. */
void strmap_free(struct strmap *m);

/* Sets key to a copy of val ("" for NULL: a set's member), replacing
 * what it had (in place when val is no longer). 0, or -1 when out of
 * memory (m unchanged). */
int strmap_set(struct strmap *m, const char *key, const char *val);

/* The value of key (borrowed: valid until key is set again or m is
 * freed), or NULL when m does not have it. */
const char *strmap_get(const struct strmap *m, const char *key);

/* The number of keys. */
size_t strmap_size(const struct strmap *m);

/* The map's hash (FNV-1a) of s, going on from h: STRMAP_HASH_INIT to
 * start, so that a key made of pieces is hashed without joining them. */
#define STRMAP_HASH_INIT UINT32_C(2166136261)
uint32_t strmap_hash_more(uint32_t h, const char *s);

#endif
