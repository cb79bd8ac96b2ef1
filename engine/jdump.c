/* jdump.c: jansson's compact JSON text, a run of plain bytes at a time
 * (see jdump.h). Strings are checked as jansson's utf8_iterate checks
 * them; reals are left to jansson itself; anything unusual (a cycle, a
 * nesting past JDUMP_DEPTH) is handed to json_dumps whole. */
#include "jdump.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JDUMP_DEPTH 512 /* deeper: json_dumps (it finds cycles) */
#define JDUMP_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY)

/* How many bytes the UTF-8 sequence at p (n left) takes, 0 when it is
 * not one (jansson's utf8_check_first and utf8_check_full). */
static size_t
jdump_utf8(const unsigned char *p, size_t n)
{
	size_t k;
	int32_t v;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		k = 2, v = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		k = 3, v = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		k = 4, v = p[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
		v = (v << 6) + (p[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) ||
	    (k == 2 && v < 0x80) || (k == 3 && v < 0x800) ||
	    (k == 4 && v < 0x10000))
		return 0;
	return k;
}

/* A string, quoted and escaped as jansson's dump_string does without
 * JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH. 1: not UTF-8. */
static int
jdump_string(const char *s, size_t n, struct buf *out, struct err *err)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *run = p;
	char esc[8];
	size_t k;

	if (buf_addc(out, '"', err) == -1)
		return -1;
	while (p < end) {
		const char *e = esc;
		if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
			p++;
			continue;
		}
		if (*p >= 0x80) {
			if ((k = jdump_utf8(p, (size_t)(end - p))) == 0)
				return 1;
			p += k;
			continue;
		}
		if (p > run && buf_add(out, run, (size_t)(p - run), err) == -1)
			return -1;
		switch (*p) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default: snprintf(esc, sizeof esc, "\\u%04X", *p);
		}
		if (buf_adds(out, e, err) == -1)
			return -1;
		run = ++p;
	}
	if (p > run && buf_add(out, run, (size_t)(p - run), err) == -1)
		return -1;
	return buf_addc(out, '"', err);
}

/* The value j; 0, -1 (out's ceiling: err), 1 (left to json_dumps). */
static int jdump_value(
    const json_t *j, int depth, int sorted, struct buf *out, struct err *err);

struct jdump_key {
	const char *key;
	size_t len;
};

/* jansson's compare_keys: bytes, then the shorter first */
static int
jdump_key_cmp(const void *a, const void *b)
{
	const struct jdump_key *x = a, *y = b;
	int rc = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

	if (rc != 0)
		return rc;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* An object with its keys sorted as JSON_SORT_KEYS sorts them. */
static int
jdump_object_sorted(
    const json_t *j, int depth, struct buf *out, struct err *err)
{
	struct jdump_key stack[16], *keys = stack;
	size_t n = json_object_size(j), i = 0;
	void *it;
	int rc = 0;

	if (n > sizeof stack / sizeof stack[0] &&
	    (keys = malloc(n * sizeof *keys)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	for (it = json_object_iter((json_t *)j); it != NULL && i < n;
	     it = json_object_iter_next((json_t *)j, it), i++) {
		keys[i].key = json_object_iter_key(it);
		keys[i].len = json_object_iter_key_len(it);
	}
	qsort(keys, i, sizeof *keys, jdump_key_cmp);
	if (buf_addc(out, '{', err) == -1)
		rc = -1;
	for (size_t k = 0; rc == 0 && k < i; k++) {
		if ((k > 0 && buf_addc(out, ',', err) == -1) ||
		    (rc = jdump_string(keys[k].key, keys[k].len, out, err)) ==
		        -1 ||
		    (rc == 0 && buf_addc(out, ':', err) == -1)) {
			rc = -1;
			break;
		}
		if (rc == 0)
			rc = jdump_value(
			    json_object_getn(j, keys[k].key, keys[k].len),
			    depth + 1, 1, out, err);
	}
	if (rc == 0)
		rc = buf_addc(out, '}', err);
	if (keys != stack)
		free(keys);
	return rc;
}

static int
jdump_value(
    const json_t *j, int depth, int sorted, struct buf *out, struct err *err)
{
	char num[32];
	size_t i;
	int rc, n;

	if (depth > JDUMP_DEPTH)
		return 1;
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		void *it = json_object_iter((json_t *)j);
		if (sorted)
			return jdump_object_sorted(j, depth, out, err);
		if (buf_addc(out, '{', err) == -1)
			return -1;
		for (i = 0; it != NULL;
		     it = json_object_iter_next((json_t *)j, it), i++) {
			if ((i > 0 && buf_addc(out, ',', err) == -1) ||
			    (rc = jdump_string(json_object_iter_key(it),
			         json_object_iter_key_len(it), out, err)) ==
			        -1 ||
			    (rc == 0 && buf_addc(out, ':', err) == -1))
				return -1;
			if (rc != 0 ||
			    (rc = jdump_value(json_object_iter_value(it),
			         depth + 1, 0, out, err)) != 0)
				return rc;
		}
		return buf_addc(out, '}', err);
	}
	case JSON_ARRAY:
		if (buf_addc(out, '[', err) == -1)
			return -1;
		for (i = 0; i < json_array_size(j); i++) {
			if (i > 0 && buf_addc(out, ',', err) == -1)
				return -1;
			if ((rc = jdump_value(json_array_get(j, i), depth + 1,
			         sorted, out, err)) != 0)
				return rc;
		}
		return buf_addc(out, ']', err);
	case JSON_STRING:
		return jdump_string(
		    json_string_value(j), json_string_length(j), out, err);
	case JSON_INTEGER:
		n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(j));
		return buf_add(out, num, (size_t)n, err);
	case JSON_TRUE: return buf_add(out, "true", 4, err);
	case JSON_FALSE: return buf_add(out, "false", 5, err);
	case JSON_NULL: return buf_add(out, "null", 4, err);
	default: /* JSON_REAL: jansson's own digits */ return 1;
	}
}

/* json_dumps's text of j appended; -1 with err when it has none. */
static int
jdump_jansson(const json_t *j, int sorted, struct buf *out, struct err *err)
{
	char *s = json_dumps(j, JDUMP_FLAGS | (sorted ? JSON_SORT_KEYS : 0));
	int rc;

	if (s == NULL)
		return err_set(err, ERR_USAGE, "not JSON text (not UTF-8?)");
	rc = buf_adds(out, s, err);
	free(s);
	return rc;
}

static int
jdump_add_as(const json_t *j, int sorted, struct buf *out, struct err *err)
{
	size_t old = out->len;
	int rc;

	if (j == NULL)
		return err_set(err, ERR_USAGE, "no JSON value");
	if ((rc = jdump_value(j, 0, sorted, out, err)) == 0)
		return 0;
	out->len = old;
	if (out->data != NULL)
		out->data[old] = '\0';
	if (rc == -1)
		return -1;
	/* a real, a string that is not UTF-8, a deep nesting: as jansson
	 * writes it, or refuses it */
	if (jdump_jansson(j, sorted, out, err) == -1) {
		out->len = old;
		if (out->data != NULL)
			out->data[old] = '\0';
		return -1;
	}
	return 0;
}

int
jdump_add(const json_t *j, struct buf *out, struct err *err)
{
	return jdump_add_as(j, 0, out, err);
}

int
jdump_add_str(const char *s, size_t n, struct buf *out, struct err *err)
{
	size_t at = out->len;
	int rc = jdump_string(s, n, out, err);

	if (rc == 0)
		return 0;
	out->len = at;
	if (out->data != NULL)
		out->data[at] = '\0';
	return rc == 1 ? err_set(err, ERR_USAGE, "a string is not UTF-8") : -1;
}

int
jdump_add_sorted(const json_t *j, struct buf *out, struct err *err)
{
	return jdump_add_as(j, 1, out, err);
}

char *
jdump(const json_t *j)
{
	struct buf b;

	if (j == NULL)
		return NULL;
	buf_init(&b, SIZE_MAX / 2); /* json_dumps has no ceiling either */
	if (jdump_add(j, &b, NULL) == -1) {
		buf_done(&b);
		return NULL;
	}
	return buf_steal(&b);
}
