/* fmt_mapping.c: the config's mappings, for any sender owl does not
 * know: JSON pointers (RFC 6901) to the alert's id, title, status,
 * severity, ... in the sender's payload, served at
 * /v1/alerts/mapping/NAME and `owl ingest --format mapping:NAME`.
 *
 *   mappings = { mytool = { id = "/alert/key", title = "/alert/name",
 *     status = { path = "/state", resolved = { "ok", "recovered" } },
 *     severity = "/prio", labels = { host = "/host" } } }
 *
 * A field is a pointer, or { path = POINTER, match = REGEX } (POSIX
 * extended; the first group, else the whole match). A pointer that
 * meets a string holding JSON (SNS's Message) goes on inside it. */
#include "integrations/ingest_int.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAP_FIELDS_MAX 64 /* labels, and annotations, per mapping */
#define MAP_TEXT_MAX 1024 /* of a value a regex reads */

struct map_field {
	char *path; /* NULL: not mapped */
	regex_t re;
	int has_re;
};

struct map_pair {
	char *key;
	struct map_field f;
};

struct ingest_mapping {
	char *name;
	struct map_field alerts, id, title, status, severity, group, url, time;
	char **resolved; /* status values that resolve, lower case */
	size_t nresolved;
	struct map_pair *labels, *ann;
	size_t nlabels, nann;
	struct ingest_mapping *next;
};

static void
map_field_done(struct map_field *f)
{
	free(f->path);
	if (f->has_re)
		regfree(&f->re);
	memset(f, 0, sizeof *f);
}

static void
map_free(struct ingest_mapping *m)
{
	if (m == NULL)
		return;
	map_field_done(&m->alerts);
	map_field_done(&m->id);
	map_field_done(&m->title);
	map_field_done(&m->status);
	map_field_done(&m->severity);
	map_field_done(&m->group);
	map_field_done(&m->url);
	map_field_done(&m->time);
	for (size_t i = 0; i < m->nresolved; i++)
		free(m->resolved[i]);
	free(m->resolved);
	for (size_t i = 0; i < m->nlabels; i++) {
		free(m->labels[i].key);
		map_field_done(&m->labels[i].f);
	}
	for (size_t i = 0; i < m->nann; i++) {
		free(m->ann[i].key);
		map_field_done(&m->ann[i].f);
	}
	free(m->labels);
	free(m->ann);
	free(m->name);
	free(m);
}

void
ingest_mappings_free(struct ingest_mapping *m)
{
	while (m != NULL) {
		struct ingest_mapping *next = m->next;

		map_free(m);
		m = next;
	}
}

/* Reads one field of the config: "POINTER" or { path, match }. */
static int
map_field_init(struct map_field *f, const char *name, const char *what,
    const json_t *v, struct err *err)
{
	const char *path = json_string_value(v), *re = NULL;
	char msg[200];
	int rc;

	if (v == NULL)
		return 0;
	if (json_is_object(v)) {
		path = json_string_value(json_object_get(v, "path"));
		re = json_string_value(json_object_get(v, "match"));
		if (json_object_get(v, "match") != NULL && re == NULL)
			return err_set(err, ERR_USAGE,
			    "config: mappings.%s.%s.match: expected a string",
			    name, what);
	}
	if (path == NULL || (*path != '\0' && *path != '/'))
		return err_set(err, ERR_USAGE,
		    "config: mappings.%s.%s: expected a JSON pointer "
		    "(\"/a/b\") or { path = ..., match = ... }",
		    name, what);
	if ((f->path = strdup(path)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (re == NULL)
		return 0;
	if ((rc = regcomp(&f->re, re, REG_EXTENDED)) != 0) {
		regerror(rc, &f->re, msg, sizeof msg);
		return err_set(err, ERR_USAGE,
		    "config: mappings.%s.%s.match: %s", name, what, msg);
	}
	f->has_re = 1;
	return 0;
}

static int
map_pairs_init(struct map_pair **out, size_t *n, const char *name,
    const char *what, const json_t *o, struct err *err)
{
	char sub[160];
	const char *k;
	json_t *v;

	if (o == NULL)
		return 0;
	if (!json_is_object(o) || json_object_size(o) > MAP_FIELDS_MAX)
		return err_set(err, ERR_USAGE,
		    "config: mappings.%s.%s: expected a table of at most %d "
		    "NAME = POINTER",
		    name, what, MAP_FIELDS_MAX);
	if ((*out = calloc(json_object_size(o) + 1, sizeof **out)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	json_object_foreach((json_t *)o, k, v)
	{
		snprintf(sub, sizeof sub, "%s.%.64s", what, k);
		if (((*out)[*n].key = strdup(k)) == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
		(*n)++;
		if (map_field_init(&(*out)[*n - 1].f, name, sub, v, err) == -1)
			return -1;
	}
	return 0;
}

static int
map_status_init(struct ingest_mapping *m, const json_t *st, struct err *err)
{
	const json_t *res = json_object_get(st, "resolved"), *v;
	size_t i;

	if (st == NULL)
		return 0;
	if (json_is_string(st))
		return err_set(err, ERR_USAGE,
		    "config: mappings.%s.status: expected { path = ..., "
		    "resolved = { \"ok\", ... } }",
		    m->name);
	if (map_field_init(&m->status, m->name, "status", st, err) == -1)
		return -1;
	if (!json_is_array(res) || json_array_size(res) == 0)
		return err_set(err, ERR_USAGE,
		    "config: mappings.%s.status.resolved: expected a list of "
		    "the values that resolve",
		    m->name);
	if ((m->resolved = calloc(json_array_size(res), sizeof *m->resolved)) ==
	    NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	json_array_foreach(res, i, v)
	{
		if (!json_is_string(v))
			return err_set(err, ERR_USAGE,
			    "config: mappings.%s.status.resolved: expected "
			    "strings",
			    m->name);
		if ((m->resolved[m->nresolved++] =
		            strdup(json_string_value(v))) == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
	}
	return 0;
}

/* A mapping's name: lower-case letters, digits, '-' and '_'. */
static int
map_name_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

static int
map_init(struct ingest_mapping *m, const json_t *o, struct err *err)
{
	static const char *const known[] = { "alerts", "id", "title", "status",
		"severity", "group", "url", "time", "labels", "annotations" };
	const char *k;
	json_t *v;
	size_t i;

	if (!map_name_ok(m->name) || ingest_format_parse(m->name) >= 0)
		return err_set(err, ERR_USAGE,
		    "config: mappings.%.64s: a name of lower-case letters, "
		    "digits, - and _ that is not a format's",
		    m->name);
	if (!json_is_object(o))
		return err_set(err, ERR_USAGE,
		    "config: mappings.%s: expected a table", m->name);
	json_object_foreach((json_t *)o, k, v)
	{
		for (i = 0; i < sizeof known / sizeof known[0]; i++)
			if (strcmp(k, known[i]) == 0)
				break;
		if (i == sizeof known / sizeof known[0])
			return err_set(err, ERR_USAGE,
			    "config: mappings.%s.%.64s: unknown (id, title, "
			    "status, severity, group, url, time, labels, "
			    "annotations, alerts)",
			    m->name, k);
	}
	if (json_object_get(o, "id") == NULL ||
	    json_object_get(o, "title") == NULL)
		return err_set(err, ERR_USAGE,
		    "config: mappings.%s: id and title are required", m->name);
	if (map_field_init(&m->alerts, m->name, "alerts",
	        json_object_get(o, "alerts"), err) == -1 ||
	    map_field_init(
	        &m->id, m->name, "id", json_object_get(o, "id"), err) == -1 ||
	    map_field_init(&m->title, m->name, "title",
	        json_object_get(o, "title"), err) == -1 ||
	    map_field_init(&m->severity, m->name, "severity",
	        json_object_get(o, "severity"), err) == -1 ||
	    map_field_init(&m->group, m->name, "group",
	        json_object_get(o, "group"), err) == -1 ||
	    map_field_init(&m->url, m->name, "url", json_object_get(o, "url"),
	        err) == -1 ||
	    map_field_init(&m->time, m->name, "time",
	        json_object_get(o, "time"), err) == -1 ||
	    map_status_init(m, json_object_get(o, "status"), err) == -1)
		return -1;
	return map_pairs_init(&m->labels, &m->nlabels, m->name, "labels",
	           json_object_get(o, "labels"), err) == -1 ||
	        map_pairs_init(&m->ann, &m->nann, m->name, "annotations",
	            json_object_get(o, "annotations"), err) == -1
	    ? -1
	    : 0;
}

int
ingest_mappings_load(
    const json_t *cfg, struct ingest_mapping **out, struct err *err)
{
	struct ingest_mapping *m;
	const char *k;
	json_t *v;

	*out = NULL;
	if (cfg == NULL)
		return 0;
	if (!json_is_object(cfg))
		return err_set(err, ERR_USAGE,
		    "config: mappings: expected a table of NAME = { id = "
		    "..., title = ..., ... }");
	json_object_foreach((json_t *)cfg, k, v)
	{
		if ((m = calloc(1, sizeof *m)) == NULL ||
		    (m->name = strdup(k)) == NULL) {
			free(m);
			return err_set(err, ERR_FAILED, "out of memory");
		}
		m->next = *out;
		*out = m;
		if (map_init(m, v, err) == -1)
			return -1;
	}
	return 0;
}

const struct ingest_mapping *
ingest_mapping_find(const struct ingest_mapping *m, const char *name)
{
	for (; m != NULL; m = m->next)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

const char *
ingest_mapping_name(const struct ingest_mapping *m)
{
	return m->name;
}

/* The value at an RFC 6901 pointer (new reference; NULL: none). A
 * string met on the way that holds JSON is parsed and gone into. */
static json_t *
map_pointer(json_t *doc, const char *p)
{
	char tok[INGEST_NAME_MAX + 1];
	json_t *cur = json_incref(doc), *next;
	size_t n;

	while (cur != NULL && *p == '/') {
		p++;
		for (n = 0; *p && *p != '/' && n < sizeof tok - 1; p++) {
			if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
				tok[n++] = p[1] == '0' ? '~' : '/';
				p++;
			} else {
				tok[n++] = *p;
			}
		}
		tok[n] = '\0';
		if (json_is_string(cur)) { /* JSON inside a string */
			next = json_loads(json_string_value(cur), 0, NULL);
			json_decref(cur);
			cur = next;
		}
		if (json_is_object(cur))
			next = json_object_get(cur, tok);
		else if (json_is_array(cur) && isdigit((unsigned char)tok[0]))
			next = json_array_get(cur, strtoul(tok, NULL, 10));
		else
			next = NULL;
		json_incref(next);
		json_decref(cur);
		cur = next;
	}
	return cur;
}

/* A field's text in doc, malloc'd; NULL when absent, null, or the regex
 * does not match. */
static char *
map_text(json_t *doc, const struct map_field *f)
{
	regmatch_t m[2];
	json_t *v;
	char *t;
	int g;

	if (f->path == NULL)
		return NULL;
	v = map_pointer(doc, f->path);
	t = fmt_text(v);
	json_decref(v);
	if (t == NULL || !f->has_re)
		return t;
	if (strlen(t) > MAP_TEXT_MAX)
		t[MAP_TEXT_MAX] = '\0';
	if (regexec(&f->re, t, 2, m, 0) != 0) {
		free(t);
		return NULL;
	}
	g = m[1].rm_so >= 0 ? 1 : 0;
	memmove(t, t + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
	t[m[g].rm_eo - m[g].rm_so] = '\0';
	return t;
}

static void
map_pairs(json_t *doc, const struct map_pair *p, size_t n, json_t *dst)
{
	for (size_t i = 0; i < n; i++) {
		char *t = map_text(doc, &p[i].f);

		fmt_set(dst, p[i].key, t);
		free(t);
	}
}

static int
map_one(json_t *doc, const struct ingest_mapping *m, const char *where,
    struct ingest_batch *b, struct err *err)
{
	char *id = map_text(doc, &m->id), *title = map_text(doc, &m->title);
	char *status = map_text(doc, &m->status);
	char *sev = map_text(doc, &m->severity),
	     *group = map_text(doc, &m->group);
	char *url = map_text(doc, &m->url), *tv = NULL;
	struct fmt_fields f = { 0 };
	json_t *t;
	int rc = -1;

	if (id == NULL || *id == '\0') {
		err_set(err, ERR_USAGE, "%s%s%s: no id (mapping %s: id = %s)",
		    where, *where ? " " : "", "mapping", m->name, m->id.path);
		goto out;
	}
	f.labels = json_object();
	f.ann = json_object();
	if (f.labels == NULL || f.ann == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	map_pairs(doc, m->labels, m->nlabels, f.labels);
	map_pairs(doc, m->ann, m->nann, f.ann);
	for (size_t i = 0; status != NULL && i < m->nresolved; i++)
		if (strcasecmp(status, m->resolved[i]) == 0)
			f.resolved = 1;
	fmt_set(f.ann, "status", status);
	if (m->time.path != NULL && (t = map_pointer(doc, m->time.path))) {
		if (m->time.has_re && (tv = map_text(doc, &m->time)) != NULL) {
			json_decref(t);
			t = json_string(tv);
		}
		*(f.resolved ? &f.ends : &f.starts) = fmt_time_any(t);
		json_decref(t);
	}
	f.fingerprint = id;
	f.title = title;
	f.group = group;
	f.url = url;
	f.severity = sev;
	rc = fmt_alert_build(b, m->name, &f, err);
out:
	json_decref(f.labels);
	json_decref(f.ann);
	free(id);
	free(title);
	free(status);
	free(sev);
	free(group);
	free(url);
	free(tv);
	return rc;
}

int
fmt_mapping_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	const struct ingest_mapping *m = b->mapping;
	char where[32];
	json_t *list, *o;
	size_t i;
	int rc = 0;

	if (m == NULL)
		return err_set(err, ERR_USAGE,
		    "mapping %s: not in the config's "
		    "mappings",
		    b->arg ? b->arg : "?");
	if (m->alerts.path == NULL)
		return map_one(root, m, "", b, err);
	list = map_pointer(root, m->alerts.path);
	if (!json_is_array(list)) {
		json_decref(list);
		return err_set(err, ERR_USAGE,
		    "%s: not a list (mapping %s: "
		    "alerts)",
		    m->alerts.path, m->name);
	}
	json_array_foreach(list, i, o)
	{
		snprintf(where, sizeof where, "[%zu]", i);
		if ((rc = map_one(o, m, where, b, err)) == -1)
			break;
	}
	json_decref(list);
	return rc;
}
