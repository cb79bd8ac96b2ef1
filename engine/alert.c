/* alert.c: the normalized alert's lifetime and the rules that derive its
 * severity and title (see alert.h). */
#include "alert.h"

#include "engine/buf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void
alert_done(struct alert *a)
{
	if (a == NULL)
		return;
	free(a->fingerprint);
	free(a->group_key);
	free(a->labels_json);
	free(a->annotations_json);
	free(a->title);
	free(a->generator_url);
	free(a->match_text);
	memset(a, 0, sizeof *a);
}

int
alert_severity_parse(const char *word)
{
	static const struct {
		const char *word;
		enum incident_severity sev;
	} map[] = {
		{ "critical", SEVERITY_CRITICAL },
		{ "crit", SEVERITY_CRITICAL },
		{ "fatal", SEVERITY_CRITICAL },
		{ "emergency", SEVERITY_CRITICAL },
		{ "alert", SEVERITY_CRITICAL },
		{ "page", SEVERITY_CRITICAL },
		{ "high", SEVERITY_CRITICAL },
		{ "p1", SEVERITY_CRITICAL },
		{ "error", SEVERITY_ERROR },
		{ "err", SEVERITY_ERROR },
		{ "major", SEVERITY_ERROR },
		{ "p2", SEVERITY_ERROR },
		{ "warning", SEVERITY_WARNING },
		{ "warn", SEVERITY_WARNING },
		{ "minor", SEVERITY_WARNING },
		{ "medium", SEVERITY_WARNING },
		{ "p3", SEVERITY_WARNING },
		{ "info", SEVERITY_INFO },
		{ "informational", SEVERITY_INFO },
		{ "notice", SEVERITY_INFO },
		{ "low", SEVERITY_INFO },
		{ "none", SEVERITY_INFO },
		{ "ok", SEVERITY_INFO },
		{ "p4", SEVERITY_INFO },
		{ "p5", SEVERITY_INFO },
	};

	if (word == NULL)
		return -1;
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(word, map[i].word) == 0)
			return (int)map[i].sev;
	return -1;
}

/* The string value of key in obj, or NULL when absent, empty or not a
 * string. */
static const char *
alert_get(json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Appends "k=v " for each string of o to b while it fits in the cap. */
static void
alert_match_add(struct buf *b, json_t *o)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
	{
		const char *sv = json_string_value(v);

		if (sv == NULL ||
		    b->len + strlen(k) + strlen(sv) + 2 > ALERT_MATCH_MAX)
			continue;
		buf_printf(b, NULL, "%s=%s ", k, sv);
	}
}

int
alert_set_maps(struct alert *a, json_t *labels, json_t *annotations,
    int severity_given, struct err *err)
{
	const char *t;
	struct buf m;
	int sev;

	free(a->labels_json);
	free(a->annotations_json);
	free(a->title);
	free(a->match_text);
	buf_init(&m, ALERT_MATCH_MAX + 1);
	alert_match_add(&m, labels);
	alert_match_add(&m, annotations);
	a->match_text = buf_steal(&m);
	a->labels_json = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
	a->annotations_json =
	    json_dumps(annotations, JSON_COMPACT | JSON_SORT_KEYS);
	t = alert_get(annotations, "summary");
	if (t == NULL)
		t = alert_get(annotations, "title");
	if (t == NULL)
		t = alert_get(labels, "alertname");
	a->title = t != NULL ? strdup(t) : NULL;
	if (a->labels_json == NULL || a->annotations_json == NULL ||
	    (t != NULL && a->title == NULL))
		return err_set(err, ERR_FAILED, "out of memory");
	if (!severity_given) {
		sev = alert_severity_parse(alert_get(labels, "severity"));
		a->severity =
		    sev >= 0 ? (enum incident_severity)sev : SEVERITY_WARNING;
	}
	return 0;
}
