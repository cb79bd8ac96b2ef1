/* alert.c: the normalized alert's lifetime and the rules that derive its
 * severity and title (see alert.h). */
#include "alert.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/buf.h"
#include "engine/jdump.h"

void
alert_done(struct alert *a)
{
	if (a == NULL)
		return;
	free(a->fingerprint);
	free(a->group_key);
	free(a->group_labels);
	free(a->labels_json);
	free(a->annotations_json);
	free(a->title);
	free(a->generator_url);
	free(a->severity_raw);
	free(a->match_text);
	memset(a, 0, sizeof *a);
}

/* The built-in words, by the key alert_severity_key() makes of them:
 * the four names, syslog's levels, the P1-P5 and SEV1-5 scales
 * (Opsgenie, Datadog, incident processes), critical/high/medium/low, and
 * Zabbix's Disaster/High/Average/Warning/Information/Not classified. */
static const struct {
	const char *key;
	enum incident_severity sev;
} alert_words[] = {
	{ "critical", SEVERITY_CRITICAL },
	{ "crit", SEVERITY_CRITICAL },
	{ "fatal", SEVERITY_CRITICAL },
	{ "emergency", SEVERITY_CRITICAL },
	{ "emerg", SEVERITY_CRITICAL },
	{ "alert", SEVERITY_CRITICAL },
	{ "page", SEVERITY_CRITICAL },
	{ "disaster", SEVERITY_CRITICAL },
	{ "blocker", SEVERITY_CRITICAL },
	{ "p0", SEVERITY_CRITICAL },
	{ "p1", SEVERITY_CRITICAL },
	{ "sev0", SEVERITY_CRITICAL },
	{ "sev1", SEVERITY_CRITICAL },
	{ "error", SEVERITY_ERROR },
	{ "err", SEVERITY_ERROR },
	{ "high", SEVERITY_ERROR },
	{ "major", SEVERITY_ERROR },
	{ "average", SEVERITY_ERROR },
	{ "p2", SEVERITY_ERROR },
	{ "sev2", SEVERITY_ERROR },
	{ "warning", SEVERITY_WARNING },
	{ "warn", SEVERITY_WARNING },
	{ "medium", SEVERITY_WARNING },
	{ "moderate", SEVERITY_WARNING },
	{ "minor", SEVERITY_WARNING },
	{ "p3", SEVERITY_WARNING },
	{ "sev3", SEVERITY_WARNING },
	{ "info", SEVERITY_INFO },
	{ "information", SEVERITY_INFO },
	{ "informational", SEVERITY_INFO },
	{ "notice", SEVERITY_INFO },
	{ "debug", SEVERITY_INFO },
	{ "low", SEVERITY_INFO },
	{ "none", SEVERITY_INFO },
	{ "ok", SEVERITY_INFO },
	{ "notclassified", SEVERITY_INFO },
	{ "p4", SEVERITY_INFO },
	{ "p5", SEVERITY_INFO },
	{ "sev4", SEVERITY_INFO },
	{ "sev5", SEVERITY_INFO },
};

void
alert_severity_key(const char *word, char *out, size_t n)
{
	size_t o = 0;

	for (; word != NULL && *word != '\0' && o + 1 < n; word++) {
		if (strchr("-_ .", *word) != NULL)
			continue;
		out[o++] = (char)tolower((unsigned char)*word);
	}
	out[o] = '\0';
}

int
alert_severity_parse(const json_t *map, const char *word)
{
	char key[ALERT_SEVERITY_WORD_MAX + 1];
	json_t *v;

	if (word == NULL)
		return -1;
	alert_severity_key(word, key, sizeof key);
	if (key[0] == '\0')
		return -1;
	v = map != NULL ? json_object_get(map, key) : NULL;
	if (json_is_integer(v))
		return (int)json_integer_value(v);
	for (size_t i = 0; i < sizeof alert_words / sizeof alert_words[0]; i++)
		if (strcmp(key, alert_words[i].key) == 0)
			return (int)alert_words[i].sev;
	return -1;
}

int
alert_set_severity(
    struct alert *a, const json_t *map, const char *word, struct err *err)
{
	int level = alert_severity_parse(map, word);
	size_t n;

	a->severity =
	    level >= 0 ? (enum incident_severity)level : SEVERITY_WARNING;
	free(a->severity_raw);
	a->severity_raw = NULL;
	if (word == NULL || *word == '\0' ||
	    (level >= 0 &&
	        strcmp(word, incident_severity_name(a->severity)) == 0))
		return 0;
	n = strlen(word);
	if (n > ALERT_SEVERITY_WORD_MAX) {
		n = ALERT_SEVERITY_WORD_MAX;
		while (n > 0 && ((unsigned char)word[n] & 0xc0) == 0x80)
			n--; /* cut between characters */
	}
	if ((a->severity_raw = strndup(word, n)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
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
		size_t kn, vn;

		if (sv == NULL)
			continue;
		kn = strlen(k);
		vn = strlen(sv);
		/* (no printf: this runs for every label of every alert) */
		if (b->len + kn + vn + 2 > ALERT_MATCH_MAX)
			continue;
		buf_add(b, k, kn, NULL);
		buf_addc(b, '=', NULL);
		buf_add(b, sv, vn, NULL);
		buf_addc(b, ' ', NULL);
	}
}

char *
alert_map_text(const json_t *map)
{
	struct buf b;

	buf_init(&b, SIZE_MAX / 2); /* json_dumps has no ceiling either */
	if (jdump_add_sorted(map, &b, NULL) == -1) {
		buf_done(&b);
		return NULL;
	}
	return buf_steal(&b);
}

int
alert_set_maps(struct alert *a, json_t *labels, json_t *annotations,
    const json_t *map, int severity_given, struct err *err)
{
	const char *t;
	struct buf m;

	free(a->labels_json);
	free(a->annotations_json);
	free(a->title);
	free(a->match_text);
	buf_init(&m, ALERT_MATCH_MAX + 1);
	alert_match_add(&m, labels);
	alert_match_add(&m, annotations);
	a->match_text = buf_steal(&m);
	a->labels_json = alert_map_text(labels);
	a->annotations_json = alert_map_text(annotations);
	t = alert_get(annotations, "summary");
	if (t == NULL)
		t = alert_get(annotations, "title");
	if (t == NULL)
		t = alert_get(labels, "alertname");
	a->title = t != NULL ? strdup(t) : NULL;
	if (a->labels_json == NULL || a->annotations_json == NULL ||
	    (t != NULL && a->title == NULL))
		return err_set(err, ERR_FAILED, "out of memory");
	if (!severity_given)
		return alert_set_severity(
		    a, map, alert_get(labels, "severity"), err);
	return 0;
}
