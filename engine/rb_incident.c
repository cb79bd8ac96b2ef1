/* rb_incident.c: the bound incident as JSON for a runbook (see
 * rb_incident.h). */
#include "rb_incident.h"

#include <stdio.h>

#include "clock.h"
#include "incident.h"

static json_t *
rb_incident_time(int64_t us)
{
	char t[CLOCK_RFC3339_MAX];

	if (us == 0)
		return json_null();
	clock_format(us, 0, t);
	return json_string(t);
}

static json_t *
rb_incident_obj(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;

	return j ? j : json_object();
}

static json_t *
rb_incident_alerts(const struct incident_alert *a, size_t n)
{
	json_t *out = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(out,
		    json_pack("{s:s?, s:s?, s:s, s:o, "
		              "s:o, s:o, s:s?}",
		        "source", a[i].source, "fingerprint", a[i].fingerprint,
		        "status", a[i].resolved ? "resolved" : "firing",
		        "labels", rb_incident_obj(a[i].labels_json),
		        "annotations", rb_incident_obj(a[i].annotations_json),
		        "starts_at", rb_incident_time(a[i].starts_at),
		        "generator_url", a[i].generator_url));
	return out;
}

json_t *
rb_incident_json(struct store *s, int64_t id, struct err *err)
{
	struct incident_alert *alerts = NULL;
	struct incident inc;
	json_t *j, *list;
	char ref[32];
	size_t n = 0;

	if (incident_get(s, id, &inc, err) == -1)
		return NULL;
	if (incident_alerts(s, id, &alerts, &n, err) == -1) {
		incident_done(&inc);
		return NULL;
	}
	snprintf(ref, sizeof ref, "INC-%lld", (long long)id);
	list = rb_incident_alerts(alerts, n);
	j = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:I, s:I, s:o, "
	              "s:o, s:s?, s:s?, s:O, s:o}",
	    "id", (json_int_t)id, "ref", ref, "state",
	    incident_state_name(inc.state), "severity",
	    incident_severity_name(inc.severity), "title", inc.title, "source",
	    inc.source, "group_key", inc.group_key, "alert_count",
	    (json_int_t)inc.alert_count, "firing_count",
	    (json_int_t)inc.firing_count, "opened_at",
	    rb_incident_time(inc.opened_at), "updated_at",
	    rb_incident_time(inc.updated_at), "acked_by", inc.acked_by,
	    "assignee", inc.assignee, "labels",
	    n > 0 ? json_object_get(json_array_get(list, 0), "labels")
	          : json_object(),
	    "alerts", list);
	incident_alerts_free(alerts, n);
	incident_done(&inc);
	if (j == NULL)
		err_set(err, ERR_FAILED, "out of memory");
	return j;
}
