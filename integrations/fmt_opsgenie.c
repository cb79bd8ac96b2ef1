/* fmt_opsgenie.c: an Opsgenie-compatible alert API for the many tools
 * that can only send to Opsgenie (Alertmanager's opsgenie_configs,
 * Zabbix, ...): POST /v2/alerts creates (alias is the dedup key), POST
 * /v2/alerts/{id}/close resolves, POST /v2/alerts/{id}/acknowledge
 * acknowledges; the id is the alias (identifierType alias or id). */
#include "integrations/ingest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* tags ["a", "b"] as "a,b"; responders [{name|username|id}] likewise. */
static void
fmt_og_list(json_t *arr, const char *field, json_t *dst, const char *key)
{
	char out[1024] = "";
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(arr, i, v)
	{
		const char *s =
		    field ? fmt_str(v, field) : json_string_value(v);

		if (field && s == NULL)
			s = fmt_str(v, "username");
		if (field && s == NULL)
			s = fmt_str(v, "id");
		if (s == NULL || n + strlen(s) + 2 >= sizeof out)
			continue;
		n += (size_t)snprintf(
		    out + n, sizeof out - n, "%s%s", n ? "," : "", s);
	}
	fmt_set(dst, key, out);
}

int
fmt_opsgenie_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	const char *msg, *alias, *k;
	struct fmt_fields f = { 0 };
	char uuid[37];
	json_t *v;
	int rc = -1;

	if (!json_is_object(root))
		return err_set(err, ERR_USAGE, "not a JSON object");
	if (ingest_json_str(root, "", "message",
	        INGEST_REQUIRED | INGEST_NONEMPTY, INGEST_VALUE_MAX, &msg,
	        err) == -1 ||
	    ingest_json_str(
	        root, "", "alias", 0, INGEST_NAME_MAX, &alias, err) == -1)
		return -1;
	if (alias == NULL || *alias == '\0') {
		/* Opsgenie: no alias, a new alert each time */
		if (ingest_uuid(uuid, err) == -1)
			return -1;
		alias = uuid;
	}
	if (ingest_dup(&b->dedup_key, alias, err) == -1)
		return -1;
	f.labels = json_object();
	f.ann = json_object();
	if (f.labels == NULL || f.ann == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	fmt_set(f.labels, "entity", fmt_str(root, "entity"));
	fmt_set(f.labels, "source", fmt_str(root, "source"));
	fmt_og_list(json_object_get(root, "tags"), NULL, f.labels, "tags");
	fmt_og_list(
	    json_object_get(root, "responders"), "name", f.ann, "responders");
	fmt_set(f.ann, "description", fmt_str(root, "description"));
	fmt_set(f.ann, "note", fmt_str(root, "note"));
	fmt_set(f.ann, "user", fmt_str(root, "user"));
	json_object_foreach(json_object_get(root, "details"), k, v)
	{
		if (json_object_size(f.ann) < INGEST_PAIRS_MAX - 1 &&
		    json_object_get(f.ann, k) == NULL)
			fmt_set_any(f.ann, k, v);
	}
	f.fingerprint = alias;
	f.title = msg;
	f.severity = fmt_str(root, "priority");
	if (f.severity == NULL &&
	    json_is_integer(json_object_get(root, "priority")))
		f.severity = "P3"; /* a number: Opsgenie's default */
	if (f.severity == NULL)
		f.severity = "P3";
	rc = fmt_alert_build(b, "opsgenie", &f, err);
out:
	json_decref(f.labels);
	json_decref(f.ann);
	return rc;
}

/* close and acknowledge: the alias from the URL (b->arg); the body
 * ({user, source, note}) says nothing owl keeps. */
static int
fmt_og_follow(json_t *root, struct ingest_batch *b, enum ingest_action act,
    struct err *err)
{
	struct fmt_fields f = { 0 };

	(void)root;
	if (b->arg == NULL || *b->arg == '\0')
		return err_set(err, ERR_USAGE, "no alert id in the URL");
	if (ingest_dup(&b->dedup_key, b->arg, err) == -1)
		return -1;
	b->action = act;
	f.fingerprint = b->arg;
	f.resolved = act == INGEST_ACTION_RESOLVE;
	return fmt_alert_build(b, "opsgenie", &f, err);
}

int
fmt_opsgenie_close_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	return fmt_og_follow(root, b, INGEST_ACTION_RESOLVE, err);
}

int
fmt_opsgenie_ack_parse(json_t *root, struct ingest_batch *b, struct err *err)
{
	return fmt_og_follow(root, b, INGEST_ACTION_ACKNOWLEDGE, err);
}
