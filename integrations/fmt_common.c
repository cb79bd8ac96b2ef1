/* fmt_common.c: what the parsers of the other senders (fmt_senders.c,
 * fmt_opsgenie.c, fmt_mapping.c) share: one alert built from the fields
 * a sender's payload gives, the time forms they use (epoch
 * milliseconds, "YYYY-MM-DD HH:MM:SS" UTC), and values of any JSON type
 * as text. */
#include "integrations/ingest_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"

int
fmt_alert_build(struct ingest_batch *b, const char *source,
    const struct fmt_fields *f, struct err *err)
{
	json_t *labels = f->labels, *ann = f->ann;
	struct alert *a;
	int rc = -1;

	if (f->fingerprint == NULL || *f->fingerprint == '\0')
		return err_set(err, ERR_USAGE, "no identity for the alert");
	if (strlen(f->fingerprint) > INGEST_NAME_MAX)
		return err_set(err, ERR_USAGE,
		    "the alert's id is longer than %d "
		    "bytes",
		    INGEST_NAME_MAX);
	if ((a = ingest_batch_add(b, source, err)) == NULL)
		return -1;
	json_incref(labels);
	json_incref(ann);
	if (labels == NULL)
		labels = json_object();
	if (ann == NULL)
		ann = json_object();
	if (labels == NULL || ann == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	if (f->title != NULL && *f->title != '\0' &&
	    json_object_get(ann, "summary") == NULL)
		json_object_set_new(ann, "summary", json_string(f->title));
	if (f->test)
		json_object_set_new(labels, "test", json_string("true"));
	a->resolved = f->resolved || f->test;
	a->starts_at = f->starts;
	a->ends_at = a->resolved ? (f->ends ? f->ends : f->starts) : 0;
	if (f->test && a->starts_at == 0)
		a->starts_at = a->ends_at;
	if (ingest_dup(&a->fingerprint, f->fingerprint, err) == -1 ||
	    ingest_dup(&a->group_key,
	        f->group && *f->group ? f->group : f->fingerprint, err) == -1 ||
	    (f->url && *f->url &&
	        ingest_dup(&a->generator_url, f->url, err) == -1))
		goto out;
	if (f->severity != NULL &&
	    alert_set_severity(a, b->sevmap, f->severity, err) == -1)
		goto out;
	rc =
	    alert_set_maps(a, labels, ann, b->sevmap, f->severity != NULL, err);
	/* a resolve that names no severity (or no word owl knows: a mapped
	 * status "resolved") keeps the alert's */
	a->severity_kept = a->resolved &&
	    (f->severity != NULL
	            ? alert_severity_parse(b->sevmap, f->severity) < 0
	            : json_object_get(labels, "severity") == NULL);
out:
	json_decref(labels);
	json_decref(ann);
	return rc;
}

void
fmt_set(json_t *o, const char *key, const char *value)
{
	if (value != NULL && *value != '\0' &&
	    strlen(value) <= INGEST_VALUE_MAX)
		json_object_set_new(o, key, json_string(value));
}

char *
fmt_text(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return NULL;
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return ingest_json_text(v);
}

void
fmt_set_any(json_t *o, const char *key, const json_t *v)
{
	char *t = fmt_text(v);

	fmt_set(o, key, t);
	free(t);
}

int64_t
fmt_epoch_ms(const json_t *v)
{
	const char *s = json_string_value(v);
	long long ms;
	char *end;

	if (json_is_integer(v))
		return json_integer_value(v) > 0 ? json_integer_value(v) * 1000
		                                 : 0;
	if (s == NULL || !isdigit((unsigned char)*s))
		return 0;
	ms = strtoll(s, &end, 10);
	return *end == '\0' && ms > 0 ? (int64_t)ms * 1000 : 0;
}

int64_t
fmt_time_any(const json_t *v)
{
	const char *s = json_string_value(v);
	char t[CLOCK_RFC3339_MAX];
	int64_t us = 0;
	size_t n;

	if (s == NULL || *s == '\0')
		return fmt_epoch_ms(v);
	if (clock_parse(s, &us, NULL) == 0)
		return us;
	/* "2024-09-24 23:51:35.527": UTC without a zone (Uptime Kuma) */
	n = strlen(s);
	if (n >= 19 && n + 2 < sizeof t && s[10] == ' ') {
		snprintf(t, sizeof t, "%.10sT%sZ", s, s + 11);
		if (clock_parse(t, &us, NULL) == 0)
			return us;
	}
	return fmt_epoch_ms(v);
}

const char *
fmt_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && *s != '\0' ? s : NULL;
}
