/* rbsuggest.c: runbooks suggested for an incident by their `match`
 * labels (see rbsuggest.h). */
#include "rbsuggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/incident.h"
#include "engine/jscan.h"
#include "engine/rbmeta.h"
#include "integrations/rbindex.h"
#include "integrations/rbsel.h"

#define RBSUGGEST_LABELS 64 /* an alert's labels read with no tree */

/* Whether a label's value (NULL: absent or not a string) is the one
 * wanted or one of those wanted. */
static int
rbsuggest_fits(const json_t *want, const char *have)
{
	size_t i;
	json_t *v;

	if (have == NULL)
		return 0;
	if (json_is_string(want))
		return strcmp(json_string_value(want), have) == 0;
	if (json_is_array(want))
		json_array_foreach(want, i, v) if (json_is_string(v) &&
		    strcmp(json_string_value(v), have) == 0) return 1;
	return 0;
}

int
rbsuggest_score(const json_t *match, const json_t *labels)
{
	const char *k;
	json_t *v;
	int n = 0;

	if (!json_is_object(match) || json_object_size(match) == 0)
		return 0;
	json_object_foreach((json_t *)match, k, v)
	{
		if (!rbsuggest_fits(
		        v, json_string_value(json_object_get(labels, k))))
			return 0;
		n++;
	}
	return n;
}

/* The score of match against labels read with no tree (jscan_pairs):
 * rbsuggest_score's. */
static int
rbsuggest_score_pairs(
    const json_t *match, const char *const *k, const char *const *v, size_t n)
{
	const char *mk;
	json_t *want;
	int score = 0;
	size_t i;

	json_object_foreach((json_t *)match, mk, want)
	{
		for (i = 0; i < n && strcmp(k[i], mk) != 0; i++)
			;
		if (!rbsuggest_fits(want, i < n ? v[i] : NULL))
			return 0;
		score++;
	}
	return score;
}

/* A runbook that may be suggested (its match not empty), and how its
 * match fits the incident's alerts. */
struct rbsuggest_rb {
	char *name;
	json_t *meta, *match; /* match borrowed from meta */
	char blob[RBSOURCE_OID_HEX];
	int best, firing, matched;
};

struct rbsuggest_walk {
	struct rbsource *src; /* NULL: the runbooks come from an index */
	const char *commit, *repo; /* the snapshot's, borrowed */
	struct rbsuggest_rb *rb;
	size_t n, cap;
	int broken; /* a declaration could not be read */
	json_t *out;
};

/* Keeps a runbook when its match can fit an alert: 0, 1 when out of
 * memory. Takes meta's reference. */
static int
rbsuggest_keep(
    struct rbsuggest_walk *w, const char *name, const char *blob, json_t *meta)
{
	json_t *match = json_object_get(meta, "match");
	struct rbsuggest_rb *r;

	if (!json_is_object(match) || json_object_size(match) == 0) {
		json_decref(meta); /* it never scores */
		return 0;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;

		if ((r = realloc(w->rb, cap * sizeof *r)) == NULL) {
			json_decref(meta);
			return 1;
		}
		w->rb = r;
		w->cap = cap;
	}
	r = &w->rb[w->n];
	memset(r, 0, sizeof *r);
	snprintf(r->blob, sizeof r->blob, "%s", blob);
	if ((r->name = strdup(name)) == NULL) {
		json_decref(meta);
		return 1;
	}
	r->meta = meta;
	r->match = match;
	w->n++;
	return 0;
}

/* One runbook of the source's listing. */
static int
rbsuggest_one(const char *name, const char *blob, void *ctx)
{
	struct rbsuggest_walk *w = ctx;
	char id[RBSOURCE_OID_HEX];
	json_t *meta = NULL;
	struct err err;

	(void)blob;
	err_init(&err);
	if (rbmeta_load(w->src, name, &meta, id, NULL, &err) == -1) {
		/* broken (a test file, an error): nothing to suggest; a
		 * failure that may not recur (a budget, memory) is not
		 * kept in an index */
		if (err.code != ERR_USAGE ||
		    strstr(err.msg, "the declaration ran past") != NULL)
			w->broken = 1;
		return 0;
	}
	if (meta == NULL)
		return 0; /* a module */
	return rbsuggest_keep(w, name, id, meta);
}

/* The runbooks of an index (rbindex.h): 0, 1 when out of memory. */
static int
rbsuggest_indexed(struct rbsuggest_walk *w, const json_t *idx)
{
	size_t i;
	json_t *e;

	json_array_foreach(idx, i, e)
	{
		const char *name =
		               json_string_value(json_object_get(e, "name")),
		           *blob =
		               json_string_value(json_object_get(e, "blob"));

		if (name != NULL && blob != NULL &&
		    rbsuggest_keep(w, name, blob,
		        json_incref(json_object_get(e, "meta"))) != 0)
			return 1;
	}
	return 0;
}

/* The index of what was kept: [{name, blob, meta}]; NULL when out of
 * memory. */
static json_t *
rbsuggest_index(const struct rbsuggest_walk *w)
{
	json_t *idx = json_array();

	for (size_t i = 0; idx != NULL && i < w->n; i++)
		if (json_array_append_new(idx,
		        json_pack("{s:s,s:s,s:O}", "name", w->rb[i].name,
		            "blob", w->rb[i].blob, "meta", w->rb[i].meta)) ==
		    -1) {
			json_decref(idx);
			idx = NULL;
		}
	return idx;
}

/* One alert of the incident against every runbook's match. */
static int
rbsuggest_alert(const char *labels, int resolved, void *ctx)
{
	struct rbsuggest_walk *w = ctx;
	const char *k[RBSUGGEST_LABELS], *v[RBSUGGEST_LABELS];
	char buf[4096];
	json_t *tree = NULL;
	int n, sc;

	if (labels == NULL)
		labels = "{}";
	/* as owl stores them (flat strings) the labels need no tree */
	if ((n = jscan_pairs(labels, strlen(labels), buf, sizeof buf, k, v,
	         RBSUGGEST_LABELS)) < 0) {
		tree = json_loads(labels, 0, NULL);
		if (!json_is_object(tree)) {
			json_decref(tree);
			if ((tree = json_object()) == NULL)
				return 1;
		}
	}
	for (size_t i = 0; i < w->n; i++) {
		struct rbsuggest_rb *r = &w->rb[i];

		sc = tree != NULL
		    ? rbsuggest_score(r->match, tree)
		    : rbsuggest_score_pairs(r->match, k, v, (size_t)n);
		if (sc == 0)
			continue;
		r->matched++;
		r->firing += !resolved;
		if (sc > r->best)
			r->best = sc;
	}
	json_decref(tree);
	return 0;
}

/* The suggestion of a runbook that fits: 0, or 1 when out of memory. */
static int
rbsuggest_entry(struct rbsuggest_walk *w, const struct rbsuggest_rb *r)
{
	json_t *e, *meta = r->meta;

	e = json_pack("{s:s,s:O?,s:O?,s:O,s:i,s:i,s:i,s:s?,s:s,s:s}", "name",
	    r->name, "summary", json_object_get(meta, "summary"), "params",
	    json_object_get(meta, "params"), "match", r->match, "score",
	    r->best, "alerts", r->firing, "matched", r->matched, "commit",
	    w->commit[0] ? w->commit : NULL, "blob", r->blob, "source",
	    w->repo ? w->repo : "");
	if (e != NULL && json_object_get(e, "summary") == NULL)
		json_object_set_new(e, "summary", json_null());
	if (e != NULL && json_object_get(e, "params") == NULL)
		json_object_set_new(e, "params", json_object());
	return e == NULL || json_array_append_new(w->out, e) == -1;
}

static int
rbsuggest_cmp(const void *x, const void *y)
{
	const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	json_int_t d;

	d = json_integer_value(json_object_get(b, "score")) -
	    json_integer_value(json_object_get(a, "score"));
	if (d == 0)
		d = json_integer_value(json_object_get(b, "alerts")) -
		    json_integer_value(json_object_get(a, "alerts"));
	if (d == 0)
		d = json_integer_value(json_object_get(b, "matched")) -
		    json_integer_value(json_object_get(a, "matched"));
	if (d != 0)
		return d < 0 ? -1 : 1;
	return strcmp(json_string_value(json_object_get(a, "name")),
	    json_string_value(json_object_get(b, "name")));
}

/* The suggestions of the runbooks kept in w for incident id, best
 * first; NULL with err set. Frees what w holds. */
static json_t *
rbsuggest_rank(
    struct store *st, struct rbsuggest_walk *w, int64_t id, struct err *err)
{
	json_t **v = NULL, *sorted = NULL;
	size_t n;

	if (w->out == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	/* no match to fit: no alert is read */
	if (w->n > 0 &&
	    incident_alert_labels_each(
	        st, id, RBSUGGEST_ALERTS_MAX, rbsuggest_alert, w, err) == -1)
		goto out;
	for (size_t i = 0; i < w->n; i++)
		if (w->rb[i].best > 0 && rbsuggest_entry(w, &w->rb[i]) != 0) {
			err_set(err, ERR_FAILED, "out of memory");
			goto out;
		}
	n = json_array_size(w->out);
	if ((v = calloc(n ? n : 1, sizeof *v)) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(w->out, i);
	qsort(v, n, sizeof *v, rbsuggest_cmp);
	sorted = json_array();
	for (size_t i = 0; sorted != NULL && i < n; i++)
		json_array_append(sorted, v[i]);
out:
	free(v);
	for (size_t i = 0; i < w->n; i++) {
		free(w->rb[i].name);
		json_decref(w->rb[i].meta);
	}
	free(w->rb);
	json_decref(w->out);
	return sorted;
}

/* As rbsuggest_incident; when idx is not NULL, *idx is set to the index
 * of the source's runbooks (NULL when one could not be read). */
static json_t *
rbsuggest_source(struct store *st, struct rbsource *src, int64_t id,
    json_t **idx, struct err *err)
{
	struct rbsuggest_walk w = { src, src->origin.commit, src->origin.repo,
		NULL, 0, 0, 0, json_array() };
	int rc;

	if (idx != NULL)
		*idx = NULL;
	if (w.out != NULL &&
	    (rc = rbsource_list(src, rbsuggest_one, &w, err)) != 0) {
		if (rc > 0)
			err_set(err, ERR_FAILED, "out of memory");
		json_decref(w.out);
		w.out = NULL;
	}
	if (idx != NULL && w.out != NULL && !w.broken)
		*idx = rbsuggest_index(&w);
	return rbsuggest_rank(st, &w, id, err);
}

json_t *
rbsuggest_incident(
    struct store *st, struct rbsource *src, int64_t id, struct err *err)
{
	return rbsuggest_source(st, src, id, NULL, err);
}

/* The suggestions from the index of the commit a local repository's
 * ref names, when there is one: NULL (and *done 0) otherwise. */
static json_t *
rbsuggest_from_index(struct store *st, const struct rbgit_opts *o, int64_t id,
    int *done, struct err *err)
{
	char commit[RBSOURCE_OID_HEX], *repo;
	struct rbsuggest_walk w = { NULL, commit, NULL, NULL, 0, 0, 0, NULL };
	json_t *idx, *out;

	*done = 0;
	if (rbindex_head(o, commit) != 0 ||
	    (idx = rbindex_load(o, commit)) == NULL)
		return NULL;
	*done = 1;
	w.repo = repo = rbsource_git_redact(o->repo);
	w.out = json_array();
	if (repo == NULL || rbsuggest_indexed(&w, idx) != 0) {
		json_decref(w.out);
		w.out = NULL;
	}
	out = rbsuggest_rank(st, &w, id, err);
	json_decref(idx);
	free(repo);
	return out;
}

json_t *
rbsuggest_configured(struct store *st, const struct config *c, int64_t id,
    const char **why, struct err *err)
{
	struct rbsel sel;
	struct rbgit_opts o;
	struct rbsource *src;
	const char *dir;
	struct err pick;
	json_t *out, *idx = NULL;
	int git, done;

	*why = NULL;
	memset(&sel, 0, sizeof sel);
	err_init(&pick);
	if (c != NULL && rbsel_config(&sel, c, err) == -1)
		return NULL;
	if ((git = rbsel_pick(&sel, &o, &dir, &pick)) == -1) {
		*why = "no runbooks configured (runbooks.repo in the config, "
		       "or $OWL_RUNBOOKS)";
		return json_array();
	}
	/* a local repository's commit indexed: no libgit2 */
	if (git &&
	    ((out = rbsuggest_from_index(st, &o, id, &done, err)) != NULL ||
	        done))
		return out;
	if ((src = rbsel_open(&sel, 1, err)) == NULL)
		return NULL;
	git = git && !o.worktree && !rbsource_git_is_url(o.repo) &&
	    src->origin.commit[0] != '\0';
	out = rbsuggest_source(st, src, id, git ? &idx : NULL, err);
	if (out != NULL && idx != NULL)
		rbindex_save(&o, src->origin.commit, idx);
	json_decref(idx);
	rbsource_close(src);
	return out;
}
