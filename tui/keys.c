/* keys.c: the binding table of `owl tui` and what is generated from it:
 * lookup, key names, the hint line (see keys.h). */
#include "keys.h"

#include <stdio.h>
#include <string.h>

#define V_LISTS (KEYS_V_INCIDENTS | KEYS_V_LOG)
#define V_ACT (KEYS_V_INCIDENTS | KEYS_V_INCIDENT)
#define V_SCROLL KEYS_V_ALL

const struct keys_binding keys_table[] = {
	{ KEYS_DOWN, { 'j', KEYS_K_DOWN }, V_SCROLL, KEYS_HINT, "move",
	    "move down one line" },
	{ KEYS_UP, { 'k', KEYS_K_UP }, V_SCROLL, 0, NULL, "move up one line" },
	{ KEYS_PGDN, { KEYS_K_PGDN, KEYS_CTRL('f'), ' ' }, V_SCROLL, 0, NULL,
	    "move down one page" },
	{ KEYS_PGUP, { KEYS_K_PGUP, KEYS_CTRL('b') }, V_SCROLL, 0, NULL,
	    "move up one page" },
	{ KEYS_TOP, { 'g', KEYS_K_HOME }, V_SCROLL, 0, NULL, "go to the top" },
	{ KEYS_BOTTOM, { 'G', KEYS_K_END }, V_SCROLL, 0, NULL,
	    "go to the bottom" },
	{ KEYS_OPEN, { KEYS_K_ENTER }, KEYS_V_INCIDENTS | KEYS_V_RUNS,
	    KEYS_HINT, "open", "open the selected incident or run" },
	{ KEYS_ACK, { 'a' }, V_ACT, KEYS_HINT | KEYS_WRITES, "ack",
	    "acknowledge the incident (asks first)" },
	{ KEYS_RESOLVE, { 'r' }, V_ACT, KEYS_HINT | KEYS_WRITES, "resolve",
	    "resolve the incident (asks first)" },
	{ KEYS_NOTE, { 'n' }, V_ACT, KEYS_HINT | KEYS_WRITES, "note",
	    "add a note to the incident (one-line editor)" },
	{ KEYS_SNOOZE, { 'z' }, V_ACT, KEYS_HINT | KEYS_WRITES, "snooze",
	    "snooze the incident for a duration such as 30m (asks first)" },
	{ KEYS_UNDO, { 'u' }, V_ACT, KEYS_HINT | KEYS_WRITES, "undo",
	    "undo your last ack, resolve or snooze (asks first)" },
	{ KEYS_ASSIGN, { 'A' }, V_ACT, KEYS_WRITES, NULL,
	    "assign the incident (one-line editor; Tab offers the names "
	    "seen in the log)" },
	{ KEYS_COPY, { 'y' }, V_ACT, 0, NULL,
	    "copy, then i: the id, d: the dashboard, r: the runbook, g: the "
	    "generator link (OSC 52; in tmux: set -g set-clipboard on)" },
	{ KEYS_FILTER, { '/' }, V_LISTS, KEYS_HINT, "filter",
	    "filter as you type (incidents: title, id and labels; log: any "
	    "text); Enter keeps it, Esc in the editor clears it" },
	{ KEYS_UNFILTER, { KEYS_K_ESC }, KEYS_V_INCIDENTS, 0, NULL,
	    "clear the filter" },
	{ KEYS_SORT, { 's' }, KEYS_V_INCIDENTS, 0, NULL,
	    "cycle the sort order: urgency, newest, most alerts, id" },
	{ KEYS_RESOLVED, { 'R' }, KEYS_V_INCIDENTS, 0, NULL,
	    "show or hide resolved incidents (after the open ones)" },
	{ KEYS_EXPAND, { 'e' }, KEYS_V_INCIDENT, 0, NULL,
	    "expand or collapse the alert table" },
	{ KEYS_RUN, { 'R' }, KEYS_V_INCIDENT, KEYS_HINT | KEYS_WRITES, "run",
	    "run a runbook for the incident: pick one (suggested first; Tab "
	    "for the next), fill its params, dry-run first, then a applies" },
	{ KEYS_RUNS, { KEYS_CTRL('r') }, KEYS_V_ALL & ~KEYS_V_RUNS, 0, NULL,
	    "the runs screen (also g r): running first" },
	{ KEYS_CANCEL, { 'c' }, KEYS_V_RUN, KEYS_HINT | KEYS_WRITES, "cancel",
	    "cancel the run (asks first; its undo runs, shown step by step)" },
	{ KEYS_APPLY, { 'a' }, KEYS_V_RUN, KEYS_HINT | KEYS_WRITES, "apply",
	    "after a dry-run: apply exactly its plan (owl apply PLAN)" },
	{ KEYS_EDIT, { 'e' }, KEYS_V_RUN, 0, NULL,
	    "after a dry-run: edit the params and dry-run again" },
	{ KEYS_RECOVER, { 'r' }, KEYS_V_RUNS | KEYS_V_RUN,
	    KEYS_HINT | KEYS_WRITES, "recover",
	    "an interrupted run: owl recover's choices (c re-check what its "
	    "unknown steps touched, u undo the steps it did, t retry when "
	    "owl recover can, m mark it resolved with a note)" },
	{ KEYS_FOLLOW, { 'f' }, KEYS_V_RUN, 0, NULL,
	    "follow the log again (scrolling pauses it)" },
	{ KEYS_LOG, { 'L' }, V_ACT, 0, NULL, "show the global action log" },
	{ KEYS_COMMAND, { ':' }, KEYS_V_ALL, 0, NULL,
	    "command line: ack|resolve|note|snooze|assign|undo|open|resolved|"
	    "copy|log|help|quit (:ack 42 on it, :note 42 text, :snooze 42 "
	    "30m, :assign 42 alice)" },
	{ KEYS_HELP, { '?' }, KEYS_V_ALL & ~KEYS_V_HELP, KEYS_HINT, "help",
	    "show every key of this screen" },
	{ KEYS_BACK, { 'q', KEYS_K_ESC }, KEYS_V_ALL & ~KEYS_V_INCIDENTS,
	    KEYS_HINT, "back", "go back to the previous screen" },
	{ KEYS_QUIT, { 'q' }, KEYS_V_INCIDENTS, KEYS_HINT, "quit",
	    "quit and print a summary of what you did" },
	{ KEYS_REDRAW, { KEYS_CTRL('l') }, KEYS_V_ALL, 0, NULL,
	    "redraw the whole screen" },
};

const size_t keys_count = sizeof keys_table / sizeof keys_table[0];

_Static_assert(KEYS_RECOVER < 64, "KEYS_BIT needs every action below 64");

const struct keys_binding *
keys_find(unsigned view, int key)
{
	for (size_t i = 0; i < keys_count; i++) {
		if (!(keys_table[i].views & view))
			continue;
		for (int k = 0; k < KEYS_PER_BINDING; k++)
			if (keys_table[i].keys[k] == key && key != 0)
				return &keys_table[i];
	}
	return NULL;
}

void
keys_name(int key, char *out, size_t n)
{
	static const char *const special[] = { "Up", "Down", "Left", "Right",
		"Home", "End", "PgUp", "PgDn", "Enter", "Esc", "Backspace",
		"Delete", "Resize", "Paste", "Paste", "?" };

	if (key >= KEYS_K_BASE && key <= KEYS_K_OTHER)
		snprintf(out, n, "%s", special[key - KEYS_K_BASE]);
	else if (key == ' ')
		snprintf(out, n, "Space");
	else if (key > 0 && key < 0x20)
		snprintf(out, n, "^%c", key + '@');
	else if (key > 0x20 && key < 0x7f)
		snprintf(out, n, "%c", key);
	else
		snprintf(out, n, "U+%04X", (unsigned)key);
}

void
keys_names(const struct keys_binding *b, char *out, size_t n)
{
	size_t o = 0;

	out[0] = '\0';
	for (int k = 0; k < KEYS_PER_BINDING && b->keys[k] != 0; k++) {
		char name[16];

		keys_name(b->keys[k], name, sizeof name);
		o += snprintf(
		    out + o, o < n ? n - o : 0, "%s%s", k ? "/" : "", name);
		if (o >= n)
			return;
	}
}

/* The binding that always stays in the hint line. */
static int
keys_kept(const struct keys_binding *b)
{
	return b->action == KEYS_HELP || b->action == KEYS_QUIT ||
	    b->action == KEYS_BACK;
}

static size_t
keys_hint_one(const struct keys_binding *b, char *out, size_t n)
{
	char name[16];

	keys_name(b->keys[0], name, sizeof name);
	if (b->action == KEYS_DOWN)
		snprintf(name, sizeof name, "j/k");
	return (size_t)snprintf(out, n, "%s %s", name, b->hint);
}

void
keys_hints(unsigned view, int readonly, int width, char *out, size_t n)
{
	keys_hints_except(view, readonly, 0, width, out, n);
}

void
keys_hints_except(
    unsigned view, int readonly, uint64_t off, int width, char *out, size_t n)
{
	size_t o = 0, kept = 0, w;
	char one[64];

	out[0] = '\0';
	/* the width the kept ones need, with their separators */
	for (size_t i = 0; i < keys_count; i++) {
		const struct keys_binding *b = &keys_table[i];

		if ((b->views & view) && (b->flags & KEYS_HINT) && keys_kept(b))
			kept += keys_hint_one(b, one, sizeof one) + 2;
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < keys_count && o < n; i++) {
			const struct keys_binding *b = &keys_table[i];

			if (!(b->views & view) || !(b->flags & KEYS_HINT) ||
			    (readonly && (b->flags & KEYS_WRITES)) ||
			    (off & KEYS_BIT(b->action)) || keys_kept(b) != pass)
				continue;
			w = keys_hint_one(b, one, sizeof one);
			if (pass == 0 && width > 0 &&
			    o + (o ? 2 : 0) + w + kept > (size_t)width)
				continue;
			o += snprintf(
			    out + o, n - o, "%s%s", o ? "  " : "", one);
		}
}
