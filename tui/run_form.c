/* run_form.c: R on the incident screen (and :run NAME): pick a runbook
 * (the suggested ones first, Tab for the next, then all), fill its
 * params one line each (the declared default filled in, the description
 * in the label, Tab offers the incident's label values), check them as
 * the engine will (rb_run_params) before anything runs, then dry-run
 * first: the live run view shows the plan, a applies it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"
#include "engine/rb_run.h"
#include "engine/rbmeta.h"
#include "integrations/rbsel.h"

struct form_list {
	json_t *names;
};

static int
form_list_one(const char *name, const char *blob, void *ctx)
{
	json_t *names = ctx;
	size_t i;
	json_t *v;

	(void)blob;
	json_array_foreach(
	    names, i, v) if (strcmp(json_string_value(v), name) == 0) return 0;
	return json_array_append_new(names, json_string(name)) == -1;
}

/* Opens the configured runbooks (quietly); NULL with err set. */
static struct rbsource *
form_source(struct app *a, struct err *err)
{
	struct rbsel sel;

	memset(&sel, 0, sizeof sel);
	if (a->config != NULL && rbsel_config(&sel, a->config, err) == -1)
		return NULL;
	return rbsel_open(&sel, 1, err);
}

void
form_free(struct app *a)
{
	json_decref(a->form.decl);
	json_decref(a->form.values);
	json_decref(a->form.names);
	memset(&a->form, 0, sizeof a->form);
}

static void
form_prompt(
    struct app *a, enum app_prompt kind, const char *label, const char *text)
{
	a->prompt = kind;
	snprintf(a->prompt_label, sizeof a->prompt_label, "%s", label);
	lineedit_init(&a->le, text);
	a->frame.dirty = 1;
}

/* Asks the param at form.pi, or, past the last, starts the dry-run. */
static void form_next(struct app *a);

void
form_begin(struct app *a, int64_t incident, const char *name)
{
	struct app_form *f = &a->form;
	char label[APP_MSG_MAX];
	struct rbsource *src;
	struct err err;
	size_t i, o;
	json_t *e;

	form_free(a);
	err_init(&err);
	f->incident = incident;
	f->names = json_array();
	if (frame_top(a) == &view_incident_ops)
		json_array_foreach(view_incident_suggested(a, incident), i, e)
		    json_array_append(f->names, json_object_get(e, "name"));
	if ((src = form_source(a, &err)) == NULL) {
		frame_message(
		    a, SCREEN_ALARM, "cannot read the runbooks: %s", err.msg);
		form_free(a);
		return;
	}
	(void)rbsource_list(src, form_list_one, f->names, &err);
	rbsource_close(src);
	if (name != NULL) {
		form_done(a, name);
		return;
	}
	o = (size_t)snprintf(
	    label, sizeof label, "run for INC-%" PRId64 " (Tab:", incident);
	json_array_foreach(f->names, i, e)
	{
		if (i >= 3 || o >= sizeof label)
			break;
		o += (size_t)snprintf(label + o, sizeof label - o, "%s %s",
		    i ? "," : "", json_string_value(e));
	}
	if (o < sizeof label)
		snprintf(label + o, sizeof label - o,
		    "%s): ", json_array_size(f->names) > 3 ? ", ..." : "");
	f->param = NULL;
	f->next = json_array_size(f->names) > 1 ? 1 : 0;
	form_prompt(a, APP_PROMPT_RUNBOOK, label,
	    json_array_size(f->names)
	        ? json_string_value(json_array_get(f->names, 0))
	        : NULL);
}

/* Reads the runbook's params declaration; -1 when it cannot. */
static int
form_decl(struct app *a, const char *name)
{
	struct rbsource *src;
	json_t *meta = NULL;
	struct err err;

	err_init(&err);
	if ((src = form_source(a, &err)) == NULL ||
	    rbmeta_load(src, name, &meta, NULL, NULL, &err) == -1 ||
	    meta == NULL) {
		frame_message(a, SCREEN_ALARM, "runbook %s: %s", name,
		    err_isset(&err) ? err.msg : "not a runbook");
		if (src != NULL)
			rbsource_close(src);
		json_decref(meta);
		return -1;
	}
	rbsource_close(src);
	json_decref(a->form.decl);
	a->form.decl = json_incref(json_object_get(meta, "params"));
	if (a->form.decl == NULL)
		a->form.decl = json_object();
	json_decref(meta);
	return 0;
}

/* The params in the order the form asks them: the required ones first,
 * then by name (a Lua table has no order). */
static int
form_key_cmp(const void *x, const void *y, void *ctx)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	json_t *decl = ctx;
	int ra =
	    json_is_true(json_object_get(json_object_get(decl, a), "required"));
	int rb =
	    json_is_true(json_object_get(json_object_get(decl, b), "required"));

	return ra != rb ? rb - ra : strcmp(a, b);
}

static void
form_next(struct app *a)
{
	struct app_form *f = &a->form;
	char label[APP_MSG_MAX], msg[APP_MSG_MAX];
	const char *k, *desc;
	json_t *v, *given, *checked = NULL, *whole;
	size_t i;
	struct err err;
	int64_t id;
	int rc;

	const char *keys[64];
	size_t nk = 0;

	json_object_foreach(f->decl, k, v) if (nk < 64) keys[nk++] = k;
	qsort_r(keys, nk, sizeof *keys, form_key_cmp, f->decl);
	for (i = f->pi; i < nk; i++) {
		k = keys[i];
		v = json_object_get(f->decl, k);
		f->param = k;
		desc = json_string_value(json_object_get(v, "description"));
		snprintf(label, sizeof label, "%s: %s%s%s%s: ", f->name, k,
		    json_is_true(json_object_get(v, "required")) ? " (required)"
		                                                 : "",
		    desc ? " - " : "", desc ? desc : "");
		given = json_object_get(f->values, k);
		if (given == NULL)
			given = json_object_get(v, "default");
		f->next = 0;
		form_prompt(a, APP_PROMPT_PARAM, label,
		    json_is_string(given) ? json_string_value(given) : NULL);
		if (json_is_number(given)) {
			char num[64];

			snprintf(
			    num, sizeof num, "%g", json_number_value(given));
			lineedit_init(&a->le, num);
		}
		return;
	}
	/* all asked: checked as the run will check them, then dry-run */
	err_init(&err);
	whole = json_pack("{s:O}", "params", f->decl);
	rc = rb_run_params(whole, f->values, &checked, &err);
	json_decref(whole);
	if (rc == -1) {
		frame_message(
		    a, SCREEN_ALARM, "%s: nothing run (R to retry)", err.msg);
		form_free(a);
		return;
	}
	json_decref(checked);
	id = run_start(a, f->name, f->values, f->incident, 1, msg, sizeof msg);
	if (id < 0) {
		frame_message(a, SCREEN_ALARM, "%s", msg);
		form_free(a);
		return;
	}
	if (a->nmine < APP_MINE_MAX)
		a->mine[a->nmine++] = id;
	act_run_note(a, f->incident,
	    "run %" PRId64 " %s for INC-%" PRId64 ": dry-run started", id,
	    f->name, f->incident);
	form_free(a);
	app_open_run(a, id);
	frame_message(
	    a, SCREEN_OK, "%s: the plan shows when it ends; a applies", msg);
}

void
form_done(struct app *a, const char *text)
{
	struct app_form *f = &a->form;
	json_t *d;

	if (f->param == NULL) {
		text += strspn(text, " ");
		if (*text == '\0') {
			frame_message(
			    a, SCREEN_NORMAL, "no runbook: nothing run");
			form_free(a);
			return;
		}
		snprintf(f->name, sizeof f->name, "%s", text);
		if (form_decl(a, f->name) == -1) {
			form_free(a);
			return;
		}
		if (f->values == NULL)
			f->values = json_object();
		f->pi = 0;
		form_next(a);
		return;
	}
	d = json_object_get(f->decl, f->param);
	if (*text == '\0' && json_is_true(json_object_get(d, "required"))) {
		frame_message(a, SCREEN_ALARM, "%s is required", f->param);
		form_next(a);
		return;
	}
	if (*text != '\0')
		json_object_set_new(f->values, f->param, json_string(text));
	else
		json_object_del(f->values, f->param);
	f->pi++;
	form_next(a);
}

/* The incident's label values, for Tab in a param editor. */
static json_t *
form_label_values(struct app *a)
{
	struct incident_alert *al = NULL;
	json_t *out = json_array(), *l, *v;
	const char *k;
	struct err err;
	size_t n = 0;

	err_init(&err);
	if (incident_alerts(a->store, a->form.incident, &al, &n, &err) == -1)
		return out;
	for (size_t i = 0; i < n && i < 50; i++) {
		if ((l = json_loads(
		         al[i].labels_json ? al[i].labels_json : "{}", 0,
		         NULL)) == NULL)
			continue;
		json_object_foreach(l, k, v)
		{
			size_t j;
			json_t *s;
			int seen = 0;

			json_array_foreach(out, j, s) seen |= json_equal(s, v);
			if (!seen && json_is_string(v))
				json_array_append(out, v);
		}
		json_decref(l);
	}
	incident_alerts_free(al, n);
	return out;
}

void
form_tab(struct app *a)
{
	struct app_form *f = &a->form;
	json_t *list =
	    f->param == NULL ? json_incref(f->names) : form_label_values(a);
	size_t n = json_array_size(list);

	if (n == 0) {
		frame_message(a, SCREEN_NORMAL, "nothing to offer: type it");
	} else {
		lineedit_init(&a->le,
		    json_string_value(json_array_get(list, f->next % n)));
		f->next = (f->next + 1) % n;
	}
	json_decref(list);
}

void
form_edit(
    struct app *a, const char *name, const json_t *params, int64_t incident)
{
	struct app_form *f = &a->form;

	form_free(a);
	f->incident = incident;
	snprintf(f->name, sizeof f->name, "%s", name);
	f->values = params ? json_deep_copy(params) : json_object();
	if (form_decl(a, f->name) == -1) {
		form_free(a);
		return;
	}
	f->pi = 0;
	form_next(a);
}
