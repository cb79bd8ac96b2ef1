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
	memset(s, 0, sizeof *s);
	s->state = LABELSUM_EMPTY;
}

struct labelsum *
labelsum_new(void)
{
	struct labelsum *s = malloc(sizeof *s);

	if (s != NULL)
		labelsum_init(s);
	return s;
}

/* Forgets what s holds; its state is left to the caller. */
static void
labelsum_clear(struct labelsum *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->k[i]);
		free(s->v[i]);
	}
	s->n = 0;
}

void
labelsum_done(struct labelsum *s)
{
	labelsum_clear(s);
	s->state = LABELSUM_EMPTY;
}

void
labelsum_free(struct labelsum *s)
{
	if (s == NULL)
		return;
	labelsum_clear(s);
	free(s);
}

static void
labelsum_unknown(struct labelsum *s)
{
	if (s->state != LABELSUM_UNKNOWN)
		s->changed = 1;
	labelsum_clear(s);
	s->state = LABELSUM_UNKNOWN;
}

/* A copy of a value worth keeping, NULL for one that is not (NULL, or
 * too long): *oom set when out of memory. */
static char *
labelsum_value(const char *v, int *oom)
{
	char *c;

	if (v == NULL || strlen(v) > LABELSUM_VALUE_MAX)
		return NULL;
	if ((c = strdup(v)) == NULL)
		*oom = 1;
	return c;
}

/* The index of key in s, or s->n. */
static size_t
labelsum_find(const struct labelsum *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n && strcmp(s->k[i], key) != 0; i++)
		;
	return i;
}

/* Folds in one set of n keys and values (v[i] NULL: differs); out of
 * memory, s is unknown and -1 returned. */
static int
labelsum_fold(
    struct labelsum *s, const char *const *k, const char *const *v, size_t n)
{
	int oom = 0;
	size_t i, j;

	if (s->state == LABELSUM_UNKNOWN)
		return 0;
	if (n > LABELSUM_KEYS) {
		labelsum_unknown(s);
		return 0;
	}
	if (s->state == LABELSUM_EMPTY) {
		for (i = 0; i < n && !oom; i++) {
			if ((s->k[i] = strdup(k[i])) == NULL)
				oom = 1;
			s->v[i] = labelsum_value(v[i], &oom);
			s->n++;
		}
		s->state = LABELSUM_KNOWN;
		s->changed = 1;
		goto out;
	}
	/* a key of s the set lacks, or has with another value, differs */
	for (i = 0; i < s->n; i++) {
		if (s->v[i] == NULL)
			continue;
		for (j = 0; j < n && strcmp(k[j], s->k[i]) != 0; j++)
			;
		if (j < n && v[j] != NULL && strcmp(v[j], s->v[i]) == 0)
			continue;
		free(s->v[i]);
		s->v[i] = NULL;
		s->changed = 1;
	}
	/* a key only the set has: some alert has it, not every one */
	for (j = 0; j < n; j++) {
		if (labelsum_find(s, k[j]) < s->n)
			continue;
		if (s->n == LABELSUM_KEYS) {
			labelsum_unknown(s);
			return 0;
		}
		if ((s->k[s->n] = strdup(k[j])) == NULL) {
			oom = 1;
			break;
		}
		s->v[s->n++] = NULL;
		s->changed = 1;
	}
out:
	/* half folded, it would say what is not so */
	if (oom)
		labelsum_unknown(s);
	return oom ? -1 : 0;
}

int
labelsum_add(struct labelsum *s, const char *labels)
{
	const char *k[LABELSUM_PAIRS], *v[LABELSUM_PAIRS];
	char buf[4096];
	int n;

	if (s->state == LABELSUM_UNKNOWN)
		return 0;
	if (labels == NULL ||
	    (n = jscan_pairs(labels, strlen(labels), buf, sizeof buf, k, v,
	         LABELSUM_PAIRS)) < 0) {
		labelsum_unknown(s);
		return 0;
	}
	return labelsum_fold(s, k, v, (size_t)n);
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
	return labelsum_fold(s, (const char *const *)from->k,
	    (const char *const *)from->v, from->n);
}

int
labelsum_load(struct labelsum *s, const char *text, int64_t alert_count)
{
	json_t *o, *v;
	const char *key;
	int oom = 0;

	labelsum_clear(s);
	s->changed = 0;
	s->state = LABELSUM_UNKNOWN;
	if (text == NULL) {
		if (alert_count == 0)
			s->state = LABELSUM_EMPTY;
		return 0;
	}
	o = json_loads(text, 0, NULL);
	if (!json_is_object(o) || json_object_size(o) > LABELSUM_KEYS) {
		json_decref(o);
		return 0;
	}
	s->state = LABELSUM_KNOWN;
	json_object_foreach(o, key, v)
	{
		if (!json_is_string(v) && !json_is_null(v)) {
			labelsum_clear(s);
			s->state = LABELSUM_UNKNOWN;
			break;
		}
		if ((s->k[s->n] = strdup(key)) == NULL)
			oom = 1;
		s->v[s->n++] = labelsum_value(json_string_value(v), &oom);
		if (oom)
			break;
	}
	json_decref(o);
	return oom ? -1 : 0;
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
	return text;
}
