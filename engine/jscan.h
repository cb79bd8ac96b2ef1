/* jscan.h: a few values read out of a JSON object's text in one pass,
 * with no tree built: for the hot paths that read the same few fields
 * of many action-log details (the timeline export of an alert storm).
 * It reads only what it is sure of (the JSON grammar, keys without
 * escapes, wanted strings without escapes) and otherwise says so: the
 * caller then asks a full parser (SQLite's json_extract, jansson),
 * which gives the same values. */
#ifndef OWL_JSCAN_H
#define OWL_JSCAN_H

#include <stddef.h>

/* A value wanted: its path ("key" or "key.key") and whether it is an
 * object (else a string); absent or null is always fine. */
struct jscan_want {
	const char *path;
	int object;
};

/* What was found: the string's bytes (between its quotes, no escapes
 * in them) or the object's text; p NULL when absent or null. */
struct jscan_val {
	const char *p;
	size_t n;
};

#define JSCAN_MAX 8 /* values per call */

/* 0 when s is a JSON object (RFC 8259, nested at most 32 deep) and each
 * wanted value is absent, null or of the kind wanted, found once; then
 * out[i] is the value of want[i]. -1 otherwise: the text is not valid
 * JSON, not an object, or not simple enough (an escape in a key or a
 * wanted string, a key twice, a wanted value of another kind). */
int jscan_get(const char *s, const struct jscan_want *want, size_t n,
    struct jscan_val *out);

/* The members of a flat object of strings as owl writes them (an
 * alert's labels or annotations: compact, printable ASCII, no escapes,
 * each key once), the n bytes at s, in their order: copied
 * NUL-terminated into buf (size bytes), k[i] and v[i] pointing there.
 * Their number (0 for s NULL), or -1 when the text is not that simple,
 * they are more than max or do not fit: then ask jansson, which gives
 * the same members in the same order. */
int jscan_pairs(const char *s, size_t n, char *buf, size_t size, const char **k,
    const char **v, size_t max);

#endif
