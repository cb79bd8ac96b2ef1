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

struct common_labels_walk {
	json_t *common;
	int64_t n;
	int oom;
};

/* One alert's labels: stops once nothing is common. */
static int
common_labels_alert(const char *labels, int resolved, void *ctx)
{
	struct common_labels_walk *w = ctx;
	const char *k[COMMON_LABELS_PAIRS], *v[COMMON_LABELS_PAIRS];
	char buf[4096];
	json_t *tree;
	int n;

	(void)resolved;
	if (labels == NULL)
		labels = "{}";
	w->n++;
	/* as owl stores them (flat strings) the labels need no tree */
	if ((n = jscan_pairs(labels, strlen(labels), buf, sizeof buf, k, v,
	         COMMON_LABELS_PAIRS)) >= 0)
		w->oom =
		    common_labels_add_pairs(&w->common, k, v, (size_t)n) == -1;
	else {
		tree = json_loads(labels, 0, NULL);
		if (!json_is_object(tree)) {
			json_decref(tree);
			tree = json_object();
		}
		w->oom =
		    tree == NULL || common_labels_add(&w->common, tree) == -1;
		json_decref(tree);
	}
	return w->oom || json_object_size(w->common) == 0;
}

int
common_labels_incident(struct store *s, const struct incident *inc, int64_t max,
    json_t **out, struct err *err)
{
	struct common_labels_walk w = { NULL, 0, 0 };

	*out = NULL;
	/* one more than max: whether there are more (the count may have
	 * moved since inc was read) */
	if ((max == 0 || inc->alert_count <= max) &&
	    incident_alert_labels_each(s, inc->id, max > 0 ? max + 1 : 0,
	        common_labels_alert, &w, err) == -1) {
		json_decref(w.common);
		return -1;
	}
	if (w.oom) {
		json_decref(w.common);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	if (w.common != NULL && max > 0 && w.n > max)
		json_object_clear(w.common);
	*out = w.common != NULL ? w.common : json_object();
	if (*out == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}
