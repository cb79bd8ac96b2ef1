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
	int best;
	int64_t firing, matched;
	int walk; /* only the alerts tell how it fits */
};

/* What an incident's label summary tells of a runbook's match. */
enum rbsuggest_fit {
	RBSUGGEST_NONE, /* no alert fits */
	RBSUGGEST_ALL, /* every alert fits */
	RBSUGGEST_WALK, /* the alerts must be read */
};

struct rbsuggest_walk {
	struct rbsource *src; /* NULL: the runbooks come from an index */
	const char *commit, *repo; /* the snapshot's, borrowed */
	struct rbsuggest_rb *rb;
	size_t n, cap;
	int broken; /* a declaration could not be read */
	json_t *out;
	size_t nwalk; /* runbooks whose fit only the alerts tell */
	int64_t read; /* alerts read */
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
	/* a runbook's tests (NAME.test.lua) are not evaluated (owl
	 * runbooks list leaves them out too) */
	if (rbsource_is_test(name))
		return 0;
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

	w->read++;
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

		if (!r->walk)
			continue;
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

/* The suggestion of a runbook that fits: 0, or 1 when out of memory.
 * count: the incident's alerts. */
static int
rbsuggest_entry(
    struct rbsuggest_walk *w, const struct rbsuggest_rb *r, int64_t count)
{
	json_t *e, *meta = r->meta;
	int64_t of = r->walk ? w->read : count;

	e = json_pack("{s:s,s:O?,s:O?,s:O,s:i,s:I,s:I,s:I,s:b,s:s?,s:s,s:s}",
	    "name", r->name, "summary", json_object_get(meta, "summary"),
	    "params", json_object_get(meta, "params"), "match", r->match,
	    "score", r->best, "alerts", (json_int_t)r->firing, "matched",
	    (json_int_t)r->matched, "of", (json_int_t)of, "sampled",
	    r->walk && of >= RBSUGGEST_ALERTS_MAX && count > of, "commit",
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

/* What the label summary sum (labelsum.h: a JSON object; NULL when
 * unknown) tells of match. */
static enum rbsuggest_fit
rbsuggest_decide(const json_t *match, const json_t *sum)
{
	enum rbsuggest_fit fit = RBSUGGEST_ALL;
	const char *k;
	json_t *want, *v;

	if (sum == NULL)
		return RBSUGGEST_WALK;
	json_object_foreach((json_t *)match, k, want)
	{
		if ((v = json_object_get(sum, k)) == NULL)
			return RBSUGGEST_NONE; /* no alert has the label */
		if (json_is_null(v))
			fit = RBSUGGEST_WALK; /* the alerts' values differ */
		else if (!rbsuggest_fits(want, json_string_value(v)))
			return RBSUGGEST_NONE; /* all have another value */
	}
	return fit;
}

/* Decides each runbook of w from incident id's label summary, reading
 * its alert counts into *count and *firing; the runbooks it cannot
 * decide are left to the walk (r->walk). 0, or -1 with err set. */
static int
rbsuggest_summary(struct store *st, struct rbsuggest_walk *w, int64_t id,
    int64_t *count, int64_t *firing, struct err *err)
{
	static const char sql[] = "SELECT alert_count, firing_count,"
	                          " label_keys FROM incidents WHERE id = ?";
	struct store_stmt *q;
	json_t *sum = NULL;
	const char *text;
	int rc;

	*count = *firing = 0;
	if ((q = store_stmt(st, sql, err)) == NULL)
		return -1;
	store_bind_int64(q, 1, id);
	if ((rc = store_step(q)) == STORE_ROW) {
		*count = store_col_int64(q, 0);
		*firing = store_col_int64(q, 1);
		if ((text = (const char *)store_col_text(q, 2)) != NULL)
			sum = json_loads(text, 0, NULL);
		if (sum != NULL && !json_is_object(sum)) {
			json_decref(sum);
			sum = NULL;
		}
	}
	store_reset(q);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(st, err, "incident");
	for (size_t i = 0; i < w->n; i++) {
		struct rbsuggest_rb *r = &w->rb[i];

		switch (rbsuggest_decide(r->match, sum)) {
		case RBSUGGEST_NONE: break;
		case RBSUGGEST_ALL:
			if (*count == 0)
				break;
			r->best = (int)json_object_size(r->match);
			r->matched = *count;
			r->firing = *firing;
			break;
		case RBSUGGEST_WALK:
			r->walk = 1;
			w->nwalk++;
			break;
		}
	}
	json_decref(sum);
	return 0;
}

/* The suggestions of the runbooks kept in w for incident id, best
 * first; NULL with err set. Frees what w holds. */
static json_t *
rbsuggest_rank(
    struct store *st, struct rbsuggest_walk *w, int64_t id, struct err *err)
{
	json_t **v = NULL, *sorted = NULL;
	int64_t count = 0, firing;
	size_t n;

	if (w->out == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	/* no match to fit: nothing is read; what the incident's label
	 * summary decides: no alert is read */
	if (w->n > 0 &&
	    (rbsuggest_summary(st, w, id, &count, &firing, err) == -1 ||
	        (w->nwalk > 0 &&
	            incident_alert_labels_each(st, id, RBSUGGEST_ALERTS_MAX,
	                rbsuggest_alert, w, err) == -1)))
		goto out;
	for (size_t i = 0; i < w->n; i++)
		if (w->rb[i].best > 0 &&
		    rbsuggest_entry(w, &w->rb[i], count) != 0) {
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
		NULL, 0, 0, 0, json_array(), 0, 0 };
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
	struct rbsuggest_walk w = { NULL, commit, NULL, NULL, 0, 0, 0, NULL, 0,
		0 };
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
