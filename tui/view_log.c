/* view_log.c: the global action log in `owl tui`, newest first,
 * filterable as you type, and live. Reads the newest LOG_ROWS entries
 * only, so a log of millions of rows opens as fast as a short one. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tui_int.h"
#include "engine/actlog.h"
#include "engine/actlog_text.h"

struct view_log {
	struct pager pg;
	char filter[LINEEDIT_MAX + 1];
};

#define LOG_ROWS 5000

struct log_walk {
	char **lines;
	size_t n;
	struct actlog_text *text;
};

/* One line per entry: time, actor, incident and the entry's sentence
 * (engine/actlog_text.h, as owl show and the timeline say it), its line
 * breaks as spaces. One pass: a run's step shows without the count. */
static int
log_entry(const struct actlog_entry *e, void *ctx)
{
	struct log_walk *w = ctx;
	char at[64], inc[32] = "-", *line;

	if (w->n >= LOG_ROWS)
		return 1;
	frame_time(e->at_us, 1, at, sizeof at);
	if (e->incident)
		snprintf(inc, sizeof inc, "INC-%" PRId64, e->incident);
	if ((line = actlog_text_dup(w->text, e)) == NULL)
		return 1;
	for (char *c = line; *c != '\0'; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	if (asprintf(&w->lines[w->n], "%s  %-10s %-8s %s", at, e->actor, inc,
	        line) >= 0)
		w->n++;
	free(line);
	return 0;
}

static void
log_reload(struct app *a)
{
	struct actlog_filter f = { .limit = LOG_ROWS };
	struct log_walk w = { calloc(LOG_ROWS, sizeof(char *)), 0,
		actlog_text_new() };
	struct pager *p = &a->log->pg;
	size_t top = p->top;
	struct err err;

	err_init(&err);
	pager_clear(p);
	if (w.lines == NULL || w.text == NULL) {
		free(w.lines);
		actlog_text_free(w.text);
		return;
	}
	if (actlog_each(a->store, &f, log_entry, &w, &err) == -1)
		frame_message(
		    a, SCREEN_ALARM, "cannot read the log: %s", err.msg);
	for (size_t i = w.n; i > 0; i--) {
		pager_add(p, SCREEN_NORMAL, 0, w.lines[i - 1]);
		free(w.lines[i - 1]);
	}
	free(w.lines);
	actlog_text_free(w.text);
	pager_filter(p, a->log->filter);
	p->top = top < p->nrows ? top : 0;
	a->frame.dirty = 1;
}

static void
log_draw(struct app *a, int head, int top, int rows, int cols)
{
	char h[LINEEDIT_MAX + 128];

	snprintf(h, sizeof h,
	    "Action log: %zu of the newest %zu entr%s, "
	    "newest first%s%s",
	    a->log->pg.nrows, a->log->pg.n, a->log->pg.n == 1 ? "y" : "ies",
	    a->log->filter[0] ? ", filter: " : "", a->log->filter);
	screen_text(a->sc, head, 0, cols, h, SCREEN_BOLD | SCREEN_PAD);
	if (a->log->pg.nrows == 0)
		screen_text(a->sc, top, 2, cols - 2,
		    a->log->pg.n ? "no entry matches the filter"
		                 : "the log is empty",
		    SCREEN_DIM);
	pager_draw(&a->log->pg, a->sc, top, rows, cols);
}

static enum view_result
log_action(struct app *a, enum keys_action act, int rows)
{
	return pager_scroll(&a->log->pg, act, rows);
}

static void
log_filter(struct app *a, const char *text)
{
	snprintf(a->log->filter, sizeof a->log->filter, "%s", text);
	pager_filter(&a->log->pg, a->log->filter);
	a->log->pg.top = 0;
}

static const char *
log_filter_text(const struct app *a)
{
	return a->log->filter;
}

static void
log_close(struct app *a)
{
	pager_clear(&a->log->pg);
	a->log->filter[0] = '\0';
}

static int
log_init(struct app *a)
{
	return (a->log = calloc(1, sizeof *a->log)) == NULL ? -1 : 0;
}

static void
log_done(struct app *a)
{
	if (a->log != NULL)
		pager_clear(&a->log->pg);
	free(a->log);
	a->log = NULL;
}

const struct view_ops view_log_ops = {
	.name = "log",
	.init = log_init,
	.done = log_done,
	.keys = KEYS_V_LOG,
	.reload = log_reload,
	.draw = log_draw,
	.action = log_action,
	.filter = log_filter,
	.filter_text = log_filter_text,
	.close = log_close,
};
