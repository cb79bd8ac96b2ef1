/* fmt_generic.c: owl's generic JSON alert, for scripts and tools with a
 * plain webhook: {"id", "title", "status", "severity", "message",
 * "group", "labels", "url", "timestamp"}, one object or an array of
 * them. Grafana OnCall's "formatted webhook" spellings are accepted too:
 * alert_uid for id, state ("ok" is resolved) for status,
 * link_to_upstream_details for url, image_url. */
#include "integrations/ingest_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define FMT_WHERE_MAX 32

static int
fmt_generic_status(json_t *o, const char *where, int *resolved, struct err *err)
{
	const char *status, *state;
	char path[64];

	if (ingest_json_str(o, where, "status", 0, 32, &status, err) == -1 ||
	    ingest_json_str(o, where, "state", 0, 64, &state, err) == -1)
		return -1;
	if (status != NULL) {
		*resolved = strcmp(status, "resolved") == 0;
		if (!*resolved && strcmp(status, "firing") != 0) {
			ingest_path(path, sizeof path, where, "status");
			return err_set(err, ERR_USAGE,
			    "%s: not \"firing\" or "
			    "\"resolved\"",
			    path);
		}
		return 0;
	}
	/* OnCall: "ok" resolves, any other state fires */
	*resolved = state != NULL && strcasecmp(state, "ok") == 0;
	return 0;
}

/* The strings that become annotations, and the severity override. */
static int
fmt_generic_texts(json_t *o, const char *where, json_t *ann, struct alert *a,
    const json_t *sevmap, int *sev_given, struct err *err)
{
	static const char *const keys[] = { "title", "message", "image_url" };
	const char *s;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (ingest_json_str(
		        o, where, keys[i], 0, INGEST_VALUE_MAX, &s, err) == -1)
			return -1;
		if (s != NULL && *s != '\0')
			json_object_set_new(ann, keys[i], json_string(s));
	}
	/* any word: an unknown one is a warning, never a refused page */
	if (ingest_json_str(
	        o, where, "severity", 0, INGEST_VALUE_MAX, &s, err) == -1)
		return -1;
	*sev_given = s != NULL && *s != '\0';
	return *sev_given ? alert_set_severity(a, sevmap, s, err) : 0;
}

/* id (or alert_uid), group, url (or link_to_upstream_details). */
static int
fmt_generic_ids(json_t *o, const char *where, struct alert *a, struct err *err)
{
	const char *id, *group, *url;

	if (ingest_json_str(o, where, "id", 0, INGEST_NAME_MAX, &id, err) == -1)
		return -1;
	if (id == NULL &&
	    ingest_json_str(
	        o, where, "alert_uid", 0, INGEST_NAME_MAX, &id, err) == -1)
		return -1;
	if (id == NULL)
		return err_set(err, ERR_USAGE,
		    "%s%sid: missing (or "
		    "alert_uid)",
		    where, *where ? "." : "");
	if (*id == '\0')
		return err_set(
		    err, ERR_USAGE, "%s%sid: empty", where, *where ? "." : "");
	if (ingest_json_str(
	        o, where, "group", 0, INGEST_VALUE_MAX, &group, err) == -1 ||
	    ingest_json_str(o, where, "url", 0, INGEST_VALUE_MAX, &url, err) ==
	        -1 ||
	    (url == NULL &&
	        ingest_json_str(o, where, "link_to_upstream_details", 0,
	            INGEST_VALUE_MAX, &url, err) == -1))
		return -1;
	if (ingest_dup(&a->fingerprint, id, err) == -1 ||
	    ingest_dup(&a->group_key,
	        group != NULL && *group != '\0' ? group : id, err) == -1)
		return -1;
	if (url != NULL && *url != '\0')
		return ingest_dup(&a->generator_url, url, err);
	return 0;
}

static int
fmt_generic_one(
    json_t *o, const char *where, struct ingest_batch *b, struct err *err)
{
	json_t *labels = NULL, *ann = NULL;
	struct alert *a;
	int64_t ts;
	int sev_given = 0, rc = -1;

	if (!json_is_object(o))
		return err_set(err, ERR_USAGE, "%s%snot a JSON object", where,
		    *where ? ": " : "");
	if ((a = ingest_batch_add(b, "generic", err)) == NULL ||
	    fmt_generic_ids(o, where, a, err) == -1 ||
	    fmt_generic_status(o, where, &a->resolved, err) == -1 ||
	    ingest_json_time(o, where, "timestamp", 0, &ts, err) == -1 ||
	    ingest_json_map(o, where, "labels", &labels, err) == -1)
		goto out;
	if (a->resolved)
		a->ends_at = ts;
	else
		a->starts_at = ts;
	if ((ann = json_object()) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	if (fmt_generic_texts(o, where, ann, a, b->sevmap, &sev_given, err) ==
	    -1)
		goto out;
	rc = alert_set_maps(a, labels, ann, b->sevmap, sev_given, err);
	/* a resolve that names no severity keeps the alert's */
	a->severity_kept = a->resolved && !sev_given &&
	    json_object_get(labels, "severity") == NULL;
out:
	json_decref(labels);
	json_decref(ann);
	return rc;
}

int
fmt_generic_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	char where[FMT_WHERE_MAX];
	json_t *o;
	size_t i;

	if (!json_is_array(root))
		return fmt_generic_one(root, "", b, err);
	json_array_foreach(root, i, o)
	{
		snprintf(where, sizeof where, "[%zu]", i);
		if (fmt_generic_one(o, where, b, err) == -1)
			return -1;
	}
	return 0;
}
