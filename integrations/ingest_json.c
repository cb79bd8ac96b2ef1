/* ingest_json.c: strict, field-naming JSON readers for the alert-format
 * parsers (see ingest_int.h): body limits before parsing, and the path
 * of the field where jansson stopped when a payload does not parse. */
#include "integrations/ingest_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "engine/buf.h"
#include "engine/clock.h"
#include "engine/sanitize.h"

/* Go's zero time.Time, which Alertmanager sends as "not ended". */
#define INGEST_GO_ZERO_US INT64_C(-62135596800000000)

#define INGEST_PATH_MAX 256

void
ingest_path(char *out, size_t n, const char *where, const char *key)
{
	snprintf(out, n, "%s%s%s", where, *where != '\0' ? "." : "", key);
}

int
ingest_dup(char **dst, const char *s, struct err *err)
{
	*dst = NULL;
	if (s != NULL && (*dst = strdup(s)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

struct alert *
ingest_batch_add(struct ingest_batch *b, const char *source, struct err *err)
{
	struct alert *p;

	if (b->n >= INGEST_ALERTS_MAX) {
		err_set(err, ERR_USAGE, "more than %d alerts in one payload",
		    INGEST_ALERTS_MAX);
		return NULL;
	}
	if (b->n == b->cap) {
		/* geometric: one realloc per element made a payload of
		 * 100,000 alerts quadratic */
		size_t cap = b->cap ? b->cap * 2 : 16;

		if (cap > INGEST_ALERTS_MAX)
			cap = INGEST_ALERTS_MAX;
		if ((p = realloc(b->alerts, cap * sizeof *p)) == NULL) {
			err_set(err, ERR_FAILED, "out of memory");
			return NULL;
		}
		b->alerts = p;
		b->cap = cap;
	}
	p = &b->alerts[b->n++];
	memset(p, 0, sizeof *p);
	p->source = source;
	return p;
}

static int
ingest_cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One open [ or { while scanning for a path. */
struct ingest_frame {
	int array;
	size_t index; /* arrays: the element */
	size_t key, keylen; /* objects: the current key in the body */
	int in_value; /* objects: past the key's ':' */
};

/* Appends the printable-ASCII form of a raw JSON key to out. */
static void
ingest_path_key(char *out, size_t n, const char *k, size_t len)
{
	size_t o = strlen(out);

	if (o > 0 && o + 1 < n)
		out[o++] = '.';
	for (size_t i = 0; i < len && i < 64 && o + 1 < n; i++)
		out[o++] = k[i] > 0x20 && k[i] < 0x7f ? k[i] : '?';
	out[o] = '\0';
}

/* Writes into out the path ("alerts[3].labels.x") of the value being
 * read at byte `at` of a JSON text that is well-formed before it. */
static void
ingest_path_at(const char *b, size_t at, char *out, size_t n)
{
	struct ingest_frame f[INGEST_DEPTH_MAX + 2];
	size_t i, j, d = 0;
	char idx[32];

	for (i = 0; i < at; i++) {
		struct ingest_frame *t = d > 0 ? &f[d - 1] : NULL;

		if (b[i] == '"') {
			for (j = i + 1; j < at && b[j] != '"'; j++)
				if (b[j] == '\\')
					j++;
			if (t != NULL && !t->array && !t->in_value) {
				t->key = i + 1;
				t->keylen = (j < at ? j : at) - i - 1;
			}
			i = j;
		} else if ((b[i] == '{' || b[i] == '[') &&
		    d < INGEST_DEPTH_MAX + 2) {
			memset(&f[d], 0, sizeof f[d]);
			f[d++].array = b[i] == '[';
		} else if ((b[i] == '}' || b[i] == ']') && d > 0) {
			d--;
		} else if (b[i] == ',' && t != NULL) {
			t->index++;
			t->in_value = 0;
		} else if (b[i] == ':' && t != NULL) {
			t->in_value = 1;
		}
	}
	out[0] = '\0';
	for (i = 0; i < d; i++) {
		if (i == 8) { /* deep paths: the start says enough */
			if (strlen(out) + 4 < n)
				strcat(out, "...");
			break;
		}
		if (f[i].array) {
			snprintf(idx, sizeof idx, "[%zu]", f[i].index);
			if (strlen(out) + strlen(idx) < n)
				strcat(out, idx);
		} else if (f[i].in_value) {
			ingest_path_key(out, n, b + f[i].key, f[i].keylen);
		} else {
			break;
		}
	}
}

/* Finds the first byte that breaks the depth limit or is a NUL, outside
 * or inside strings; returns its offset or len when there is none. */
static size_t
ingest_prescan(const char *b, size_t len, int *nul)
{
	size_t i, depth = 0;
	int in_str = 0;

	*nul = 0;
	for (i = 0; i < len; i++) {
		char c = b[i];

		if (c == '\0') {
			*nul = 1;
			return i;
		}
		if (in_str) {
			if (c == '\\' && i + 1 < len && b[i + 1] != '\0')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > INGEST_DEPTH_MAX)
				return i;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return len;
}

/* Says what jansson's error means, in owl's words; its "near" part
 * quotes the input, so it is sanitised. */
static void
ingest_json_why(const char *text, char *out, size_t n)
{
	char *safe;

	if (strstr(text, "unable to decode byte") != NULL ||
	    strstr(text, "UTF-8") != NULL) {
		snprintf(out, n, "not valid UTF-8");
	} else if (strstr(text, "\\u0000") != NULL) {
		snprintf(out, n, "contains a NUL byte (\\u0000)");
	} else {
		safe = sanitize_dup(text, 0);
		snprintf(out, n, "%s", safe != NULL ? safe : "bad JSON");
		free(safe);
	}
}

int
ingest_json_load(const char *body, size_t len, json_t **out, struct err *err)
{
	char path[INGEST_PATH_MAX], why[160];
	json_error_t je;
	size_t at;
	int nul;

	*out = NULL;
	for (at = 0; at < len && body[at] != '\0' &&
	     strchr(" \t\r\n", body[at]) != NULL;
	     at++)
		;
	if (at == len)
		return err_set(err, ERR_USAGE, "empty payload");
	if (len > INGEST_BODY_MAX)
		return err_set(err, ERR_USAGE, "payload larger than %u MiB",
		    INGEST_BODY_MAX >> 20);
	if ((at = ingest_prescan(body, len, &nul)) < len) {
		ingest_path_at(body, at, path, sizeof path);
		return err_set(err, ERR_USAGE, "%s%s%s", path,
		    path[0] ? ": " : "",
		    nul ? "contains a NUL byte"
		        : "JSON nested deeper than 64 levels");
	}
	*out = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (*out != NULL)
		return 0;
	at = je.position > 0 && (size_t)je.position <= len ? (size_t)je.position
	                                                   : 0;
	ingest_path_at(body, at, path, sizeof path);
	ingest_json_why(je.text, why, sizeof why);
	if (path[0] != '\0')
		return err_set(err, ERR_USAGE, "%s: %s", path, why);
	return err_set(err, ERR_USAGE, "not valid JSON: line %d column %d: %s",
	    je.line, je.column, why);
}

/* Sets err to "PATH: what" for the field key of where (the path is
 * built only for an error: a field read well needs none). Returns -1. */
static int
ingest_field_err(struct err *err, enum err_code code, const char *where,
    const char *key, const char *sub, const char *what)
{
	char path[INGEST_PATH_MAX];

	ingest_path(path, sizeof path, where, key);
	if (sub != NULL)
		ingest_path_key(path, sizeof path, sub, strlen(sub));
	return err_set(err, code, "%s: %s", path, what);
}

int
ingest_json_str(json_t *obj, const char *where, const char *key, int flags,
    size_t max, const char **out, struct err *err)
{
	json_t *v = json_object_get(obj, key);
	char what[64];
	size_t n;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (flags & INGEST_REQUIRED)
			return ingest_field_err(
			    err, ERR_USAGE, where, key, NULL, "missing");
		return 0;
	}
	if (!json_is_string(v))
		return ingest_field_err(
		    err, ERR_USAGE, where, key, NULL, "not a string");
	n = json_string_length(v);
	if (n == 0 && (flags & INGEST_NONEMPTY))
		return ingest_field_err(
		    err, ERR_USAGE, where, key, NULL, "empty");
	if (n > max) {
		snprintf(what, sizeof what, "longer than %zu bytes", max);
		return ingest_field_err(err, ERR_USAGE, where, key, NULL, what);
	}
	*out = json_string_value(v);
	return 0;
}

int
ingest_json_time(json_t *obj, const char *where, const char *key, int flags,
    int64_t *us, struct err *err)
{
	char path[INGEST_PATH_MAX];
	const char *s;

	*us = 0;
	if (ingest_json_str(
	        obj, where, key, flags, CLOCK_RFC3339_MAX, &s, err) == -1)
		return -1;
	if (s == NULL || *s == '\0')
		return 0;
	if (clock_parse(s, us, NULL) == -1) {
		ingest_path(path, sizeof path, where, key);
		return err_set(
		    err, ERR_USAGE, "%s: not an RFC 3339 time", path);
	}
	if (*us <= INGEST_GO_ZERO_US)
		*us = 0;
	return 0;
}

int
ingest_json_map(json_t *obj, const char *where, const char *key, json_t **out,
    struct err *err)
{
	json_t *v = json_object_get(obj, key), *val;
	char what[64];
	const char *k;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		*out = json_object();
		return *out != NULL ? 0
		                    : err_set(err, ERR_FAILED, "out of memory");
	}
	if (!json_is_object(v))
		return ingest_field_err(
		    err, ERR_USAGE, where, key, NULL, "not an object");
	if (json_object_size(v) > INGEST_PAIRS_MAX) {
		snprintf(what, sizeof what, "more than %d entries",
		    INGEST_PAIRS_MAX);
		return ingest_field_err(err, ERR_USAGE, where, key, NULL, what);
	}
	json_object_foreach(v, k, val)
	{
		if (strlen(k) > INGEST_NAME_MAX || *k == '\0') {
			snprintf(what, sizeof what,
			    "a name is empty or longer than %d bytes",
			    INGEST_NAME_MAX);
			return ingest_field_err(
			    err, ERR_USAGE, where, key, NULL, what);
		}
		if (!json_is_string(val))
			return ingest_field_err(
			    err, ERR_USAGE, where, key, k, "not a string");
		if (json_string_length(val) > INGEST_VALUE_MAX) {
			snprintf(what, sizeof what, "longer than %d bytes",
			    INGEST_VALUE_MAX);
			return ingest_field_err(
			    err, ERR_USAGE, where, key, k, what);
		}
	}
	json_incref(v);
	*out = v;
	return 0;
}

/* Writes the shortest text that reads back as the same double: "0.42",
 * not jansson's "%.17g" "0.41999999999999998"; a whole number keeps
 * ".0" so that it stays a real. */
static int
ingest_real(struct buf *b, double d)
{
	char t[40];

	if (!isfinite(d))
		return buf_adds(b, "null", NULL);
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(t, sizeof t, "%.*g", prec, d);
		if (strtod(t, NULL) == d)
			break;
	}
	if (strpbrk(t, ".eE") == NULL)
		strcat(t, ".0");
	return buf_adds(b, t, NULL);
}

static int
ingest_text_add(struct buf *b, const json_t *v, int depth)
{
	const char **keys;
	size_t i, n;
	char *s;
	int rc = 0;

	if (depth > INGEST_DEPTH_MAX)
		return -1;
	switch (json_typeof(v)) {
	case JSON_REAL: return ingest_real(b, json_real_value(v));
	case JSON_ARRAY:
		rc = buf_addc(b, '[', NULL);
		for (i = 0; rc == 0 && i < json_array_size(v); i++)
			rc = (i > 0 ? buf_addc(b, ',', NULL) : 0) ||
			    ingest_text_add(b, json_array_get(v, i), depth + 1);
		return rc || buf_addc(b, ']', NULL) ? -1 : 0;
	case JSON_OBJECT:
		n = json_object_size(v);
		if ((keys = calloc(n + 1, sizeof *keys)) == NULL)
			return -1;
		i = 0;
		for (void *it = json_object_iter((json_t *)v); it && i < n;
		     it = json_object_iter_next((json_t *)v, it))
			keys[i++] = json_object_iter_key(it);
		qsort(keys, i, sizeof *keys, ingest_cmp_keys);
		rc = buf_addc(b, '{', NULL);
		for (size_t k = 0; rc == 0 && k < i; k++) {
			json_t *key = json_string(keys[k]);

			s = key ? json_dumps(key, JSON_ENCODE_ANY) : NULL;
			json_decref(key);
			rc = s == NULL || (k > 0 && buf_addc(b, ',', NULL)) ||
			    buf_adds(b, s, NULL) || buf_addc(b, ':', NULL) ||
			    ingest_text_add(
			        b, json_object_get(v, keys[k]), depth + 1);
			free(s);
		}
		free(keys);
		return rc || buf_addc(b, '}', NULL) ? -1 : 0;
	default:
		if ((s = json_dumps(v, JSON_ENCODE_ANY)) == NULL)
			return -1;
		rc = buf_adds(b, s, NULL);
		free(s);
		return rc;
	}
}

char *
ingest_json_text(const json_t *v)
{
	struct buf b;

	buf_init(&b, INGEST_BODY_MAX);
	if (ingest_text_add(&b, v, 0) == -1) {
		buf_done(&b);
		return NULL;
	}
	return buf_steal(&b);
}

int
ingest_uuid(char out[37], struct err *err)
{
	unsigned char r[16];

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		return err_set(err, ERR_FAILED, "dedup_key: no random bytes");
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
	    r[11], r[12], r[13], r[14], r[15]);
	return 0;
}
