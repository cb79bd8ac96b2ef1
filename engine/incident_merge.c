/* incident_merge.c: a re-delivery that adds to an alert instead of
 * replacing it (struct alert.merge: PagerDuty's re-triggers carry only
 * what the client set this time). New labels and annotations are added,
 * changed values updated, nothing removed or nulled, and what changed is
 * one alert.update entry in the action log. */
#include "engine/incident_int.h"

#include <stdlib.h>
#include <string.h>

/* Merges the new object into the stored one (text), noting in diff
 * {"added": {k: v}, "changed": {k: {"before", "after"}}} what moved. */
static json_t *
merge_obj(const char *stored, const char *fresh, json_t *diff)
{
	json_t *old = json_loads(stored ? stored : "{}", 0, NULL);
	json_t *add = json_loads(fresh ? fresh : "{}", 0, NULL), *v, *was;
	json_t *added = json_object(), *changed = json_object();
	const char *k;

	if (!json_is_object(old)) {
		json_decref(old);
		old = json_object();
	}
	json_object_foreach(add, k, v)
	{
		was = json_object_get(old, k);
		if (was == NULL)
			json_object_set(added, k, v);
		else if (!json_equal(was, v))
			json_object_set_new(changed, k,
			    json_pack("{s:O, s:O}", "before", was, "after", v));
		json_object_set(old, k, v);
	}
	if (json_object_size(added) > 0)
		json_object_set(diff, "added", added);
	if (json_object_size(changed) > 0)
		json_object_set(diff, "changed", changed);
	json_decref(added);
	json_decref(changed);
	json_decref(add);
	return old;
}

static int
merge_read(struct store *s, int64_t alert_id, char **labels, char **ann,
    char **url, struct err *err)
{
	static const char sql[] = "SELECT labels, annotations, generator_url"
	                          " FROM alerts WHERE id = ?";
	const char *v[3];
	struct store_stmt *st;
	int rc;

	*labels = *ann = *url = NULL;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, alert_id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		for (int i = 0; i < 3; i++)
			v[i] = (const char *)store_col_text(st, i);
		*labels = strdup(v[0] ? v[0] : "{}");
		*ann = strdup(v[1] ? v[1] : "{}");
		*url = v[2] ? strdup(v[2]) : NULL;
	}
	store_reset(st);
	if (rc != STORE_ROW)
		return store_sqlerr(s, err, "alert");
	if (*labels == NULL || *ann == NULL || (v[2] && *url == NULL))
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

void
incident_merged_done(struct incident_merged *m)
{
	free(m->labels);
	free(m->annotations);
	free(m->generator_url);
	memset(m, 0, sizeof *m);
}

int
incident_merge(struct store *s, int64_t alert_id, int64_t incident,
    const char *actor, const struct alert *a, struct incident_merged *out,
    struct err *err)
{
	json_t *dl = json_object(), *da = json_object(), *l = NULL, *an = NULL;
	json_t *detail = NULL;
	char *url = NULL;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (merge_read(
	        s, alert_id, &out->labels, &out->annotations, &url, err) == -1)
		goto out;
	l = merge_obj(out->labels, a->labels_json, dl);
	an = merge_obj(out->annotations, a->annotations_json, da);
	free(out->labels);
	free(out->annotations);
	out->labels = json_dumps(l, JSON_COMPACT | JSON_SORT_KEYS);
	out->annotations = json_dumps(an, JSON_COMPACT | JSON_SORT_KEYS);
	out->generator_url = url;
	url = NULL;
	if (a->generator_url != NULL &&
	    (out->generator_url == NULL ||
	        strcmp(out->generator_url, a->generator_url) != 0)) {
		detail = json_pack("{s:{s:o, s:s}}", "generator_url", "before",
		    incident_jstr(out->generator_url), "after",
		    a->generator_url);
		free(out->generator_url);
		out->generator_url = strdup(a->generator_url);
	}
	if (out->labels == NULL || out->annotations == NULL ||
	    (a->generator_url && out->generator_url == NULL)) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	if (json_object_size(dl) == 0 && json_object_size(da) == 0 &&
	    detail == NULL) {
		rc = 0;
		goto out;
	}
	if (detail == NULL)
		detail = json_object();
	json_object_set_new(detail, "source", json_string(a->source));
	json_object_set_new(detail, "fingerprint", json_string(a->fingerprint));
	if (json_object_size(dl) > 0)
		json_object_set(detail, "labels", dl);
	if (json_object_size(da) > 0)
		json_object_set(detail, "annotations", da);
	out->changed = 1;
	rc = incident_log(s, incident, actor, "alert.update", detail, err);
	detail = NULL;
out:
	json_decref(detail);
	json_decref(dl);
	json_decref(da);
	json_decref(l);
	json_decref(an);
	free(url);
	if (rc == -1)
		incident_merged_done(out);
	return rc;
}
