/* view_help.c: the help screen of `owl tui`, generated from the key
 * table (keys.c), so it always matches the keys and the hint line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"

struct view_help {
	struct pager pg;
	const struct view_ops *of; /* the screen whose keys it shows */
};

static void
help_build(struct app *a, const struct view_ops *of)
{
	struct pager *p = &a->help->pg;
	char line[512], names[64];

	pager_clear(p);
	snprintf(line, sizeof line, "Keys of the %s screen%s", of->name,
	    a->readonly ? " (read-only: changing keys are disabled)" : "");
	pager_add(p, SCREEN_BOLD, 0, line);
	pager_add(p, SCREEN_NORMAL, 0, "");
	for (size_t i = 0; i < keys_count; i++) {
		const struct keys_binding *b = &keys_table[i];
		int off = a->readonly && (b->flags & KEYS_WRITES);

		if (!(b->views & of->keys))
			continue;
		keys_names(b, names, sizeof names);
		snprintf(line, sizeof line, "%-16s %s%s", names, b->help,
		    off ? "  [disabled: read-only]" : "");
		pager_add(p, off ? SCREEN_DIM : SCREEN_NORMAL, 2, line);
	}
	pager_add(p, SCREEN_NORMAL, 0, "");
	pager_add(
	    p, SCREEN_BOLD, 0, "In the one-line editor (note, filter, :)");
	pager_add(p, SCREEN_NORMAL, 2,
	    "Left/Right ^B/^F move, Home/End ^A/^E, "
	    "Backspace/^H, Delete/^D, ^K kill to end, ^U kill to start, "
	    "^W kill word, Enter done, Esc/^C/^G cancel");
	pager_add(p, SCREEN_NORMAL, 0, "");
	pager_add(p, SCREEN_BOLD, 0, "Confirmations");
	pager_add(p, SCREEN_NORMAL, 2,
	    "only y confirms; Enter, Esc, n and "
	    "anything else cancel. Pasted text never fires keys.");
	pager_filter(p, "");
}

void
view_help_open(struct app *a, const struct view_ops *of)
{
	a->help->of = of;
	frame_push(a, &view_help_ops);
	help_build(a, of);
}

static void
help_reload(struct app *a)
{
	(void)a;
}

static void
help_draw(struct app *a, int head, int top, int rows, int cols)
{
	screen_text(a->sc, head, 0, cols, "Help", SCREEN_BOLD | SCREEN_PAD);
	pager_draw(&a->help->pg, a->sc, top, rows, cols);
}

static enum view_result
help_action(struct app *a, enum keys_action act, int rows)
{
	return pager_scroll(&a->help->pg, act, rows);
}

static void
help_close(struct app *a)
{
	pager_clear(&a->help->pg);
}

static int
help_init(struct app *a)
{
	return (a->help = calloc(1, sizeof *a->help)) == NULL ? -1 : 0;
}

static void
help_done(struct app *a)
{
	if (a->help != NULL)
		pager_clear(&a->help->pg);
	free(a->help);
	a->help = NULL;
}

const struct view_ops view_help_ops = {
	.name = "help",
	.init = help_init,
	.done = help_done,
	.keys = KEYS_V_HELP,
	.reload = help_reload,
	.draw = help_draw,
	.action = help_action,
	.close = help_close,
};
