/* labelsum.c: the summary of an incident's labels the ingest keeps
 * (labelsum.h). */
#include "labelsum.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/jscan.h"

#define LABELSUM_PAIRS 64 /* an alert's labels read with no tree */

void
labelsum_init(struct labelsum *s)
{
	s->state = LABELSUM_EMPTY;
	s->changed = 0;
	s->n = s->used = 0;
}

void
labelsum_done(struct labelsum *s)
{
	labelsum_init(s);
}

struct labelsum *
labelsum_new(void)
{
	struct labelsum *s = malloc(sizeof *s);

	if (s != NULL)
		labelsum_init(s);
	return s;
}

void
labelsum_free(struct labelsum *s)
{
	free(s);
}

static void
labelsum_unknown(struct labelsum *s)
{
	if (s->state != LABELSUM_UNKNOWN)
		s->changed = 1;
	s->n = s->used = 0;
	s->state = LABELSUM_UNKNOWN;
}

/* A copy of n bytes at p in s->text, NUL-terminated; NULL when full. */
static const char *
labelsum_copy(struct labelsum *s, const char *p, size_t n)
{
	char *c = s->text + s->used;

	if (n >= sizeof s->text - s->used)
		return NULL;
	memcpy(c, p, n);
	c[n] = '\0';
	s->used += n + 1;
	return c;
}

/* Adds key k with value v (NULL: differs; one too long is kept as
 * that): 0, or -1 when it does not fit. */
static int
labelsum_put(
    struct labelsum *s, const char *k, size_t kn, const char *v, size_t vn)
{
	if (s->n == LABELSUM_KEYS ||
	    (s->k[s->n] = labelsum_copy(s, k, kn)) == NULL)
		return -1;
	s->v[s->n] = NULL;
	if (v != NULL && vn <= LABELSUM_VALUE_MAX &&
	    (s->v[s->n] = labelsum_copy(s, v, vn)) == NULL)
		return -1;
	s->n++;
	return 0;
}

/* Folds in one set of n keys and values (v[i] NULL: differs). Past
 * LABELSUM_KEYS or LABELSUM_TEXT_MAX: unknown. */
static void
labelsum_fold(
    struct labelsum *s, const char *const *k, const char *const *v, size_t n)
{
	size_t i, j;

	if (s->state == LABELSUM_UNKNOWN)
		return;
	if (s->state == LABELSUM_EMPTY) {
		s->state = LABELSUM_KNOWN;
		s->changed = 1;
		for (i = 0; i < n; i++)
			if (labelsum_put(s, k[i], strlen(k[i]), v[i],
			        v[i] ? strlen(v[i]) : 0) == -1) {
				labelsum_unknown(s);
				return;
			}
		return;
	}
	/* a key of s the set lacks, or has with another value, differs */
	for (i = 0; i < s->n; i++) {
		if (s->v[i] == NULL)
			continue;
		for (j = 0; j < n && strcmp(k[j], s->k[i]) != 0; j++)
			;
		if (j < n && v[j] != NULL && strcmp(v[j], s->v[i]) == 0)
			continue;
		s->v[i] = NULL;
		s->changed = 1;
	}
	/* a key only the set has: some alert has it, not every one */
	for (j = 0; j < n; j++) {
		for (i = 0; i < s->n && strcmp(s->k[i], k[j]) != 0; i++)
			;
		if (i < s->n)
			continue;
		s->changed = 1;
		if (labelsum_put(s, k[j], strlen(k[j]), NULL, 0) == -1) {
			labelsum_unknown(s);
			return;
		}
	}
}

/* labelsum_add for labels that are not as owl writes them: from a
 * tree. */
static int
labelsum_add_tree(struct labelsum *s, const char *labels)
{
	const char *k[LABELSUM_PAIRS], *v[LABELSUM_PAIRS], *key;
	json_t *o = json_loads(labels, 0, NULL), *val;
	size_t n = 0;

	if (!json_is_object(o) || json_object_size(o) > LABELSUM_PAIRS) {
		json_decref(o);
		labelsum_unknown(s);
		return 0;
	}
	json_object_foreach(o, key, val)
	{
		k[n] = key;
		v[n++] = json_string_value(val); /* NULL: not a string */
	}
	labelsum_fold(s, k, v, n);
	json_decref(o);
	return 0;
}

int
labelsum_add(struct labelsum *s, const char *labels)
{
	const char *k[LABELSUM_PAIRS], *v[LABELSUM_PAIRS];
	char buf[4096];
	int n;

	if (s->state == LABELSUM_UNKNOWN)
		return 0;
	if (labels == NULL) {
		labelsum_unknown(s);
		return 0;
	}
	/* as owl stores them (flat strings) the labels need no tree */
	if ((n = jscan_pairs(labels, strlen(labels), buf, sizeof buf, k, v,
	         LABELSUM_PAIRS)) < 0)
		return labelsum_add_tree(s, labels);
	labelsum_fold(s, k, v, (size_t)n);
	return 0;
}

int
labelsum_merge(struct labelsum *s, const struct labelsum *from)
{
	if (from->state == LABELSUM_EMPTY)
		return 0;
	if (from->state == LABELSUM_UNKNOWN) {
		labelsum_unknown(s);
		return 0;
	}
	labelsum_fold(s, from->k, from->v, from->n);
	return 0;
}

/* A string of printable ASCII with no escape at p (after its opening
 * quote): its end (the closing quote), or NULL. */
static const char *
labelsum_str(const char *p)
{
	while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
		p++;
	return *p == '"' ? p : NULL;
}

/* Reads a summary as labelsum_dump writes it when it is plain ASCII:
 * {"k":"v","k2":null}. 0, or -1 when it is not that simple. */
static int
labelsum_scan(struct labelsum *s, const char *p)
{
	const char *k, *ke, *v, *ve;

	if (*p++ != '{')
		return -1;
	if (*p == '}')
		return p[1] == '\0' ? 0 : -1;
	for (;;) {
		if (*p++ != '"' || (ke = labelsum_str(k = p)) == NULL ||
		    ke[1] != ':')
			return -1;
		p = ke + 2;
		v = ve = NULL;
		if (strncmp(p, "null", 4) == 0) {
			p += 4;
		} else if (*p == '"' &&
		    (ve = labelsum_str(v = p + 1)) != NULL) {
			p = ve + 1;
		} else {
			return -1;
		}
		if (labelsum_put(s, k, (size_t)(ke - k), v,
		        v ? (size_t)(ve - v) : 0) == -1)
			return -1;
		if (*p == '}')
			return p[1] == '\0' ? 0 : -1;
		if (*p++ != ',')
			return -1;
	}
}

/* Reads a summary from a tree: 0, or -1 when it is not one. */
static int
labelsum_load_tree(struct labelsum *s, const char *text)
{
	json_t *o = json_loads(text, 0, NULL), *v;
	const char *key;
	int rc = json_is_object(o) ? 0 : -1;

	json_object_foreach(o, key, v)
	{
		if (rc == 0 &&
		    ((!json_is_string(v) && !json_is_null(v)) ||
		        labelsum_put(s, key, strlen(key), json_string_value(v),
		            json_is_string(v) ? json_string_length(v) : 0) ==
		            -1))
			rc = -1;
	}
	json_decref(o);
	return rc;
}

int
labelsum_load(struct labelsum *s, const char *text, int64_t alert_count)
{
	labelsum_init(s);
	if (text == NULL) {
		s->state = alert_count == 0 ? LABELSUM_EMPTY : LABELSUM_UNKNOWN;
		return 0;
	}
	s->state = LABELSUM_KNOWN;
	if (labelsum_scan(s, text) == 0)
		return 0;
	s->n = s->used = 0;
	if (labelsum_load_tree(s, text) == -1) {
		s->n = s->used = 0;
		s->state = LABELSUM_UNKNOWN;
	}
	return 0;
}

char *
labelsum_dump(const struct labelsum *s)
{
	json_t *o;
	char *text = NULL;
	int bad = 0;

	if (s->state == LABELSUM_UNKNOWN)
		return strdup("unknown");
	if ((o = json_object()) == NULL)
		return NULL;
	for (size_t i = 0; i < s->n && !bad; i++)
		bad = json_object_set_new(o, s->k[i],
		          s->v[i] ? json_string(s->v[i]) : json_null()) == -1;
	if (!bad)
		text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	/* what cannot be written (not UTF-8) says nothing */
	return text != NULL ? text : strdup("unknown");
}
