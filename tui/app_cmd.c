/* app_cmd.c: the `:` command line of `owl tui`: the CLI's verbs on an
 * incident (the selected one when no id is given), and the screens by
 * name; one table of names. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tui_int.h"

static const struct {
	const char *name;
	enum keys_action act;
} app_cmds[] = {
	{ "ack", KEYS_ACK },
	{ "resolve", KEYS_RESOLVE },
	{ "snooze", KEYS_SNOOZE },
	{ "note", KEYS_NOTE },
	{ "undo", KEYS_UNDO },
	{ "help", KEYS_HELP },
	{ "log", KEYS_LOG },
	{ "quit", KEYS_QUIT },
	{ "q", KEYS_QUIT },
	{ "open", KEYS_OPEN },
	{ "sort", KEYS_SORT },
	{ "assign", KEYS_ASSIGN },
	{ "resolved", KEYS_RESOLVED },
	{ "copy", KEYS_COPY },
	{ "run", KEYS_RUN },
	{ "runs", KEYS_RUNS },
};

/* Runs a `:` command line: the CLI's verbs on an incident, the selected
 * one when no id is given ("ack", "ack 42", "note INC-42 text"). */
void
app_cmd_line(struct app *a, char *line)
{
	char *save = NULL, *verb = strtok_r(line, " ", &save), *arg, *rest;
	int64_t id = app_target(a);
	long long n;
	size_t i;

	if (verb == NULL)
		return;
	for (i = 0; i < sizeof app_cmds / sizeof app_cmds[0]; i++)
		if (strcmp(verb, app_cmds[i].name) == 0)
			break;
	if (i == sizeof app_cmds / sizeof app_cmds[0]) {
		frame_message(a, SCREEN_ALARM,
		    "unknown command '%s': try ack, resolve, note, snooze, "
		    "assign, undo, open, resolved, log, help, quit",
		    verb);
		return;
	}
	rest = save;
	if ((arg = strtok_r(NULL, " ", &save)) != NULL &&
	    cli_incident_id(arg, &n) == 0) {
		id = n;
		rest = save;
	} else if (arg != NULL && save == arg + strlen(arg) + 1) {
		arg[strlen(arg)] = ' '; /* not an id: part of the text */
	}
	if (a->readonly &&
	    (app_cmds[i].act == KEYS_ACK || app_cmds[i].act == KEYS_RESOLVE ||
	        app_cmds[i].act == KEYS_SNOOZE ||
	        app_cmds[i].act == KEYS_NOTE || app_cmds[i].act == KEYS_UNDO ||
	        app_cmds[i].act == KEYS_ASSIGN)) {
		frame_message(
		    a, SCREEN_ALARM, "read-only: :%s is disabled", verb);
		return;
	}
	switch (app_cmds[i].act) {
	case KEYS_OPEN:
		if (id != 0)
			app_open_incident(a, id);
		return;
	case KEYS_SNOOZE:
		app_confirm(a, KEYS_SNOOZE, id, rest && *rest ? rest : "");
		return;
	case KEYS_NOTE:
		if (rest == NULL || *rest == '\0')
			frame_message(
			    a, SCREEN_ALARM, "usage: :note [INC] TEXT");
		else if (id == 0)
			frame_message(a, SCREEN_ALARM, "no incident selected");
		else {
			act_note(a, id, rest);
			app_reload(a);
		}
		return;
	case KEYS_RUN:
		if (a->readonly)
			frame_message(
			    a, SCREEN_ALARM, "read-only: :run is disabled");
		else if (id == 0)
			frame_message(a, SCREEN_ALARM,
			    "no incident selected (:run works on an incident)");
		else
			form_begin(a, id, rest && *rest ? rest : NULL);
		return;
	case KEYS_ASSIGN:
		if (rest == NULL || *rest == '\0')
			app_do(a, KEYS_ASSIGN, 1);
		else if (id == 0)
			frame_message(a, SCREEN_ALARM, "no incident selected");
		else {
			act_assign(a, id, rest);
			app_reload(a);
		}
		return;
	case KEYS_ACK:
		app_confirm(a, KEYS_ACK, id, NULL);
		if (a->prompt == APP_PROMPT_CONFIRM && rest != NULL &&
		    *rest != '\0') {
			snprintf(a->pending.note, sizeof a->pending.note, "%s",
			    rest);
			snprintf(a->prompt_label, sizeof a->prompt_label,
			    "Acknowledge INC-%" PRId64
			    " '%s'%s%s with the note "
			    "'%.60s'? [y/N]",
			    id, a->pending.title, a->env ? " in " : "",
			    a->env ? a->env : "", rest);
		}
		return;
	case KEYS_RESOLVE:
	case KEYS_UNDO: app_confirm(a, app_cmds[i].act, id, NULL); return;
	case KEYS_SORT:
		while (a->frame.nviews > 1)
			frame_pop(a);
		view_incidents_ops.action(a, KEYS_SORT, 1);
		return;
	default: app_do(a, app_cmds[i].act, 1);
	}
}
