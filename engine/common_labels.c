/* common_labels.c: the labels every alert of an incident shares
 * (common_labels.h). */
#include "common_labels.h"

#include <string.h>

#include "engine/jscan.h"

#define COMMON_LABELS_PAIRS 64 /* an alert's labels read with no tree */

/* Whether a label is one every description leaves out. */
static int
common_labels_out(const char *k)
{
	return strcmp(k, "alertname") == 0 || strcmp(k, "severity") == 0;
}

int
common_labels_add(json_t **common, const json_t *labels)
{
	const char *k;
	json_t *v;
	void *tmp;

	if (*common == NULL) {
		if ((*common = json_object()) == NULL)
			return -1;
		json_object_foreach((json_t *)labels, k, v)
		{
			if (json_is_string(v) && !common_labels_out(k) &&
			    json_object_size(*common) < COMMON_LABELS_MAX &&
			    json_object_set(*common, k, v) == -1)
				return -1;
		}
		return 0;
	}
	json_object_foreach_safe(*common, tmp, k, v)
	{
		if (!json_equal(v, json_object_get(labels, k)))
			json_object_del(*common, k);
	}
	return 0;
}

/* The value of key among pairs, or NULL. */
static const char *
common_labels_pair(
    const char *const *k, const char *const *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(k[i], key) == 0)
			return v[i];
	return NULL;
}

int
common_labels_add_pairs(
    json_t **common, const char *const *k, const char *const *v, size_t n)
{
	const char *key, *x;
	json_t *c;
	void *tmp;

	if (*common == NULL) {
		if ((*common = json_object()) == NULL)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (!common_labels_out(k[i]) &&
			    json_object_size(*common) < COMMON_LABELS_MAX &&
			    json_object_set_new(
			        *common, k[i], json_string(v[i])) == -1)
				return -1;
		return 0;
	}
	json_object_foreach_safe(*common, tmp, key, c)
	{
		/* json_equal of two strings: the same bytes */
		x = common_labels_pair(k, v, n, key);
		if (x == NULL || !json_is_string(c) ||
		    json_string_length(c) != strlen(x) ||
		    strcmp(json_string_value(c), x) != 0)
			json_object_del(*common, key);
	}
	return 0;
}

void
common_labels_update(json_t *common, const json_t *detail)
{
	static const char *const how[] = { "added", "changed" };
	json_t *labels = json_object_get(detail, "labels"), *v;
	const char *k;

	if (common == NULL)
		return;
	for (size_t h = 0; h < sizeof how / sizeof how[0]; h++)
		json_object_foreach(json_object_get(labels, how[h]), k, v)
		{
			(void)v;
			json_object_del(common, k);
		}
}

struct common_labels_walk {
	json_t *common;
	int64_t n; /* alert.new entries read */
	int oom;
};

/* An alert.new entry's labels (detail, its text): as pairs when owl
 * wrote them (no tree), else from a tree. */
static void
common_labels_new(struct common_labels_walk *w, const char *detail)
{
	static const struct jscan_want want[] = { { "labels", 1 } };
	const char *k[COMMON_LABELS_PAIRS], *v[COMMON_LABELS_PAIRS];
	struct jscan_val lab;
	char buf[4096];
	json_t *tree, *labels, *empty = NULL;
	int n = -1;

	w->n++;
	if (jscan_get(detail, want, 1, &lab) == 0)
		n = lab.p == NULL ? 0
		                  : jscan_pairs(lab.p, lab.n, buf, sizeof buf,
		                        k, v, COMMON_LABELS_PAIRS);
	if (n >= 0) {
		w->oom =
		    common_labels_add_pairs(&w->common, k, v, (size_t)n) == -1;
		return;
	}
	tree = json_loads(detail, 0, NULL);
	labels = json_object_get(tree, "labels");
	if (!json_is_object(labels))
		labels = empty = json_object();
	w->oom = labels == NULL || common_labels_add(&w->common, labels) == -1;
	json_decref(empty);
	json_decref(tree);
}

int
common_labels_incident(struct store *s, const struct incident *inc, int64_t max,
    json_t **out, struct err *err)
{
	/* the log's alerts, in its order, as the timeline reads them */
	static const char sql[] =
	    "SELECT kind, detail FROM actlog WHERE incident_id = ?"
	    " AND kind IN ('alert.new', 'alert.update') ORDER BY id";
	struct common_labels_walk w = { NULL, 0, 0 };
	struct store_stmt *st;
	const char *kind, *detail;
	json_t *d;
	int rc = STORE_DONE;

	*out = NULL;
	/* past max alerts (the count may have moved since inc was read:
	 * one alert.new more than max is counted too) nothing is known */
	if (max > 0 && inc->alert_count > max)
		goto done;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, inc->id);
	while (!w.oom && (max == 0 || w.n <= max) &&
	    (w.common == NULL || json_object_size(w.common) > 0) &&
	    (rc = store_step(st)) == STORE_ROW) {
		kind = (const char *)store_col_text(st, 0);
		detail = (const char *)store_col_text(st, 1);
		if (detail == NULL)
			detail = "{}";
		if (strcmp(kind, "alert.new") == 0) {
			common_labels_new(&w, detail);
			continue;
		}
		d = json_loads(detail, 0, NULL);
		common_labels_update(w.common, d);
		json_decref(d);
	}
	store_reset(st);
	if (w.oom) {
		json_decref(w.common);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	if (rc != STORE_DONE && rc != STORE_ROW) {
		json_decref(w.common);
		return store_sqlerr(s, err, "action log");
	}
	if (w.common != NULL && max > 0 && w.n > max)
		json_object_clear(w.common);
done:
	*out = w.common != NULL ? w.common : json_object();
	if (*out == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}
