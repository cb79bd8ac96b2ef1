/* rbsuggest.c: runbooks suggested for an incident by their `match`
 * labels (see rbsuggest.h). */
#include "rbsuggest.h"

#include <stdlib.h>
#include <string.h>

#include "engine/incident.h"
#include "engine/rbmeta.h"
#include "integrations/rbsel.h"

static int
rbsuggest_fits(const json_t *want, const json_t *have)
{
	size_t i;
	json_t *v;

	if (!json_is_string(have))
		return 0;
	if (json_is_string(want))
		return strcmp(json_string_value(want),
		           json_string_value(have)) == 0;
	if (json_is_array(want))
		json_array_foreach(want, i, v) if (json_is_string(v) &&
		    strcmp(json_string_value(v), json_string_value(have)) ==
		        0) return 1;
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
		if (!rbsuggest_fits(v, json_object_get(labels, k)))
			return 0;
		n++;
	}
	return n;
}

/* The incident's alerts: [{labels, firing}] */
static int
rbsuggest_take(struct incident_alert *a, void *ctx)
{
	json_t *labels =
	    json_loads(a->labels_json ? a->labels_json : "{}", 0, NULL);

	if (!json_is_object(labels)) {
		json_decref(labels);
		labels = json_object();
	}
	return json_array_append_new(ctx,
	           json_pack("{s:o,s:b}", "labels", labels, "firing",
	               !a->resolved)) == -1;
}

struct rbsuggest_walk {
	struct rbsource *src;
	json_t *alerts;
	json_t *out;
};

static int
rbsuggest_one(const char *name, const char *blob, void *ctx)
{
	struct rbsuggest_walk *w = ctx;
	char id[RBSOURCE_OID_HEX];
	json_t *meta = NULL, *match, *a, *e;
	int best = 0, firing = 0, matched = 0, sc;
	struct err err;
	size_t i;

	(void)blob;
	err_init(&err);
	if (rbmeta_load(w->src, name, &meta, id, NULL, &err) == -1 ||
	    meta == NULL)
		return 0; /* broken or a module: nothing to suggest */
	match = json_object_get(meta, "match");
	json_array_foreach(w->alerts, i, a)
	{
		if ((sc = rbsuggest_score(
		         match, json_object_get(a, "labels"))) == 0)
			continue;
		matched++;
		firing += json_is_true(json_object_get(a, "firing"));
		if (sc > best)
			best = sc;
	}
	if (best > 0) {
		e = json_pack("{s:s,s:O?,s:O?,s:O,s:i,s:i,s:i,s:s?,s:s,s:s}",
		    "name", name, "summary", json_object_get(meta, "summary"),
		    "params", json_object_get(meta, "params"), "match", match,
		    "score", best, "alerts", firing, "matched", matched,
		    "commit",
		    w->src->origin.commit[0] ? w->src->origin.commit : NULL,
		    "blob", id, "source",
		    w->src->origin.repo ? w->src->origin.repo : "");
		if (e != NULL && json_object_get(e, "summary") == NULL)
			json_object_set_new(e, "summary", json_null());
		if (e != NULL && json_object_get(e, "params") == NULL)
			json_object_set_new(e, "params", json_object());
		if (e == NULL || json_array_append_new(w->out, e) == -1) {
			json_decref(meta);
			return 1;
		}
	}
	json_decref(meta);
	return 0;
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

json_t *
rbsuggest_incident(
    struct store *st, struct rbsource *src, int64_t id, struct err *err)
{
	struct rbsuggest_walk w = { src, json_array(), json_array() };
	json_t **v = NULL, *sorted = NULL;
	size_t n;
	int rc;

	if (w.alerts == NULL || w.out == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	if (incident_alerts_each(st, id, RBSUGGEST_ALERTS_MAX, rbsuggest_take,
	        w.alerts, err) == -1)
		goto out;
	if ((rc = rbsource_list(src, rbsuggest_one, &w, err)) != 0) {
		if (rc > 0)
			err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	n = json_array_size(w.out);
	if ((v = calloc(n ? n : 1, sizeof *v)) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(w.out, i);
	qsort(v, n, sizeof *v, rbsuggest_cmp);
	sorted = json_array();
	for (size_t i = 0; sorted != NULL && i < n; i++)
		json_array_append(sorted, v[i]);
out:
	free(v);
	json_decref(w.alerts);
	json_decref(w.out);
	return sorted;
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
	json_t *out;

	*why = NULL;
	memset(&sel, 0, sizeof sel);
	err_init(&pick);
	if (c != NULL && rbsel_config(&sel, c, err) == -1)
		return NULL;
	if (rbsel_pick(&sel, &o, &dir, &pick) == -1) {
		*why = "no runbooks configured (runbooks.repo in the config, "
		       "or $OWL_RUNBOOKS)";
		return json_array();
	}
	if ((src = rbsel_open(&sel, 1, err)) == NULL)
		return NULL;
	out = rbsuggest_incident(st, src, id, err);
	rbsource_close(src);
	return out;
}
