/* escalation.c: escalation policies from the config, checked against the
 * rotations and people they name (see escalation.h); the tick that runs
 * them is escalation_tick.c. */
#include "escalation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "incident.h"

static int
escalation_bad(struct err *err, const char *path, const char *what)
{
	return err_set(err, ERR_USAGE, "config: %s: %s", path, what);
}

static void
escalation_level_done(struct escalation_level *l)
{
	for (size_t i = 0; i < l->nnotify; i++)
		free(l->notify[i]);
	free(l->notify);
}

static void
escalation_policy_done(struct escalation_policy *p)
{
	for (size_t i = 0; i < p->nlevels; i++)
		escalation_level_done(&p->levels[i]);
	free(p->levels);
	for (size_t i = 0; i < p->nseverity; i++)
		free(p->severity[i]);
	free(p->severity);
	json_decref(p->labels);
	free(p->name);
}

void
escalation_done(struct escalation *e)
{
	for (size_t i = 0; i < e->n; i++)
		escalation_policy_done(&e->p[i]);
	free(e->p);
	memset(e, 0, sizeof *e);
}

/* A string or a list of strings into an array of copies. */
static int
escalation_names(const json_t *v, char ***out, size_t *n)
{
	size_t cnt = json_is_array(v) ? json_array_size(v) : 1;

	*n = 0;
	if (!json_is_string(v) && (!json_is_array(v) || cnt == 0))
		return -1;
	if ((*out = calloc(cnt + 1, sizeof **out)) == NULL)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		const json_t *s = json_is_array(v) ? json_array_get(v, i) : v;

		if (!json_is_string(s) ||
		    ((*out)[(*n)++] = strdup(json_string_value(s))) == NULL)
			return -1;
	}
	return 0;
}

/* "0", "0m", "0s": at once (clock_parse_duration wants more than 0). */
static int
escalation_zero(const char *s)
{
	size_t z = strspn(s, "0");

	return z > 0 &&
	    (s[z] == '\0' ||
	        (strchr("smhdw", s[z]) != NULL && s[z + 1] == '\0'));
}

static int
escalation_level_load(struct escalation_level *l, const json_t *v,
    const struct oncall *oc, const char *path, struct err *err)
{
	const char *after = json_string_value(json_object_get(v, "after"));
	char msg[256];

	if (!json_is_object(v))
		return escalation_bad(err, path,
		    "want { after = \"10m\", notify = \"secondary\" }");
	if (after != NULL && !escalation_zero(after) &&
	    clock_parse_duration(after, &l->after, NULL) == -1)
		return escalation_bad(
		    err, path, "after: want a duration (0m, 10m, 1h30m)");
	if (json_object_get(v, "after") != NULL && after == NULL)
		return escalation_bad(err, path, "after: want a string");
	if (escalation_names(
	        json_object_get(v, "notify"), &l->notify, &l->nnotify) == -1)
		return escalation_bad(err, path,
		    "notify: want a rotation or person, or a list of them");
	for (size_t i = 0; i < l->nnotify; i++) {
		if (oncall_rotation(oc, l->notify[i]) != NULL ||
		    oncall_person(oc, l->notify[i]) != NULL)
			continue;
		snprintf(msg, sizeof msg,
		    "notify: '%.64s' is neither a rotation (oncall.rotations) "
		    "nor a person (oncall.people)",
		    l->notify[i]);
		return escalation_bad(err, path, msg);
	}
	return 0;
}

static int
escalation_levels(struct escalation_policy *p, const json_t *levels,
    const struct oncall *oc, const char *path, struct err *err)
{
	char lp[200];
	size_t i;
	json_t *v;

	if (!json_is_array(levels) || json_array_size(levels) == 0)
		return escalation_bad(err, path,
		    "levels: want a list of { after = ..., notify = ... }");
	p->levels = calloc(json_array_size(levels), sizeof *p->levels);
	if (p->levels == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	json_array_foreach(levels, i, v)
	{
		snprintf(lp, sizeof lp, "%s level %zu", path, i + 1);
		p->nlevels++;
		if (escalation_level_load(&p->levels[i], v, oc, lp, err) == -1)
			return -1;
		if (i > 0 && p->levels[i].after < p->levels[i - 1].after)
			return escalation_bad(err, lp,
			    "after: levels must come in order of time");
	}
	return 0;
}

/* loops and loop_every (default: the last level's after + 10m). */
static int
escalation_loops(struct escalation_policy *p, const json_t *v, const char *path,
    struct err *err)
{
	const json_t *loops = json_object_get(v, "loops");
	const char *every = json_string_value(json_object_get(v, "loop_every"));
	int64_t last = p->levels[p->nlevels - 1].after;

	if (loops != NULL &&
	    (!json_is_integer(loops) || json_integer_value(loops) < 0 ||
	        json_integer_value(loops) > 100))
		return escalation_bad(err, path, "loops: want 0 to 100");
	p->loops = loops != NULL ? (int)json_integer_value(loops) : 0;
	p->loop_every = last + 10 * 60 * CLOCK_US_PER_SEC;
	if (every != NULL &&
	    clock_parse_duration(every, &p->loop_every, NULL) == -1)
		return escalation_bad(
		    err, path, "loop_every: want a duration (1h)");
	if (p->loop_every <= last)
		return escalation_bad(err, path,
		    "loop_every: must be longer than the last level's after");
	return 0;
}

static int
escalation_match_load(struct escalation_policy *p, const json_t *v,
    const char *path, struct err *err)
{
	const json_t *sev = json_object_get(v, "severity");
	const json_t *labels = json_object_get(v, "labels");
	const char *k;
	json_t *x;

	if (sev != NULL &&
	    escalation_names(sev, &p->severity, &p->nseverity) == -1)
		return escalation_bad(err, path,
		    "severity: want critical, error, warning or info, or a "
		    "list");
	for (size_t i = 0; i < p->nseverity; i++)
		if (strcmp(p->severity[i], "critical") &&
		    strcmp(p->severity[i], "error") &&
		    strcmp(p->severity[i], "warning") &&
		    strcmp(p->severity[i], "info"))
			return escalation_bad(err, path,
			    "severity: want critical, error, warning or info");
	if (labels == NULL)
		return 0;
	if (!json_is_object(labels))
		return escalation_bad(
		    err, path, "labels: want a table of label = value");
	json_object_foreach((json_t *)labels, k, x)
	{
		if (!json_is_string(x))
			return escalation_bad(
			    err, path, "labels: values are strings");
	}
	p->labels = json_incref((json_t *)labels);
	return 0;
}

static int
escalation_policy_load(struct escalation_policy *p, const json_t *v,
    const struct oncall *oc, const char *path, struct err *err)
{
	const char *name = json_string_value(json_object_get(v, "name"));

	if (!json_is_object(v))
		return escalation_bad(err, path, "want a table");
	if ((p->name = strdup(name != NULL ? name : path)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (escalation_levels(p, json_object_get(v, "levels"), oc, path, err) ==
	        -1 ||
	    escalation_loops(p, v, path, err) == -1)
		return -1;
	return escalation_match_load(p, v, path, err);
}

/* A plain list of levels: one policy for every incident. */
static int
escalation_load_list(struct escalation *e, const json_t *root,
    const struct oncall *oc, struct err *err)
{
	if ((e->p = calloc(1, sizeof *e->p)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	e->n = 1;
	if ((e->p->name = strdup("default")) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (escalation_levels(e->p, root, oc, "escalation", err) == -1)
		return -1;
	e->p->loop_every =
	    e->p->levels[e->p->nlevels - 1].after + 10 * 60 * CLOCK_US_PER_SEC;
	return 0;
}

int
escalation_load(const struct config *c, const struct oncall *oc,
    struct escalation *e, struct err *err)
{
	const json_t *root = config_get(c, "escalation"), *pol, *v;
	char path[64];
	size_t i;

	memset(e, 0, sizeof *e);
	if (root == NULL)
		return 0;
	if (json_is_array(root))
		goto list;
	if (!json_is_object(root))
		return escalation_bad(err, "escalation",
		    "want a list of levels, or { levels = ... } or "
		    "{ policies = ... }");
	pol = json_object_get(root, "policies");
	if (pol == NULL) {
		if ((e->p = calloc(1, sizeof *e->p)) == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
		e->n = 1;
		if (escalation_policy_load(e->p, root, oc, "escalation", err) ==
		    -1)
			goto fail;
		return 0;
	}
	if (!json_is_array(pol) || json_array_size(pol) == 0)
		return escalation_bad(
		    err, "escalation.policies", "want a list of policies");
	if ((e->p = calloc(json_array_size(pol), sizeof *e->p)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	json_array_foreach(pol, i, v)
	{
		snprintf(path, sizeof path, "escalation.policies[%zu]", i + 1);
		e->n++;
		if (escalation_policy_load(&e->p[i], v, oc, path, err) == -1)
			goto fail;
	}
	return 0;
list:
	if (escalation_load_list(e, root, oc, err) == 0)
		return 0;
fail:
	escalation_done(e);
	return -1;
}

int
escalation_person(struct store *s, const struct oncall *oc, const char *name,
    int64_t now, char person[ONCALL_NAME_MAX + 1], int *is_rotation,
    struct err *err)
{
	const struct oncall_rotation *r = oncall_rotation(oc, name);
	struct oncall_who w;

	if (is_rotation != NULL)
		*is_rotation = r != NULL;
	if (r == NULL) {
		if (oncall_person(oc, name) == NULL)
			return err_set(err, ERR_USAGE,
			    "'%.64s' is neither a rotation nor a person of the "
			    "config (see: owl oncall)",
			    name);
		snprintf(person, ONCALL_NAME_MAX + 1, "%s", name);
		return 0;
	}
	if (oncall_who(s, oc, r, now, &w, err) == -1)
		return -1;
	snprintf(person, ONCALL_NAME_MAX + 1, "%s", w.person);
	return 0;
}

int
escalation_json(
    struct store *s, int64_t incident, json_t **out, struct err *err)
{
	static const char sql[] =
	    "SELECT policy, state, level, loop, next_at, base_us FROM"
	    " escalations WHERE incident_id = ?";
	char at[CLOCK_RFC3339_MAX];
	struct store_stmt *st;
	int rc;

	*out = NULL;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, incident);
	if ((rc = store_step(st)) == STORE_ROW) {
		json_t *next = json_null();

		if (!store_col_null(st, 4)) {
			clock_format(store_col_int64(st, 4), 0, at);
			next = json_string(at);
		}
		*out = json_pack("{s:s?, s:s, s:i, s:i, s:o}", "policy",
		    (const char *)store_col_text(st, 0), "state",
		    (const char *)store_col_text(st, 1), "level",
		    store_col_int(st, 2) + 1, "loop", store_col_int(st, 3) + 1,
		    "next_at", next);
	} else if (rc == STORE_DONE) {
		*out = json_null();
	}
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "read escalation");
	return *out != NULL ? 0 : err_set(err, ERR_FAILED, "out of memory");
}
