/* pager.c: a scrollable, filterable list of text lines for the incident,
 * log and help screens of `owl tui` (see tui_int.h). */
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "tui_int.h"

#define PAGER_LINES_MAX 200000 /* ceiling: lines one screen may hold */

void
pager_clear(struct pager *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i].text);
	free(p->lines);
	free(p->rows);
	memset(p, 0, sizeof *p);
}

void
pager_add(struct pager *p, int style, int indent, const char *text)
{
	struct pager_line *nl;
	char *t;

	if (p->n >= PAGER_LINES_MAX)
		return;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;

		if ((nl = realloc(p->lines, cap * sizeof *nl)) == NULL)
			return;
		p->lines = nl;
		p->cap = cap;
	}
	if ((t = strdup(text ? text : "")) == NULL)
		return;
	p->lines[p->n].text = t;
	p->lines[p->n].style = style;
	p->lines[p->n].indent = indent;
	p->n++;
}

void
pager_add_lines(struct pager *p, int style, int indent, const char *text)
{
	const char *s = text ? text : "", *nl;
	char *line;

	do {
		nl = strchr(s, '\n');
		line = strndup(s, nl ? (size_t)(nl - s) : strlen(s));
		if (line == NULL)
			return;
		pager_add(p, style, indent, line);
		free(line);
		s = nl ? nl + 1 : NULL;
	} while (s != NULL);
}

void
pager_filter(struct pager *p, const char *filter)
{
	size_t *rows = realloc(p->rows, (p->n ? p->n : 1) * sizeof *rows);

	if (rows == NULL)
		return;
	p->rows = rows;
	p->nrows = 0;
	for (size_t i = 0; i < p->n; i++)
		if (text_match(p->lines[i].text, filter))
			p->rows[p->nrows++] = i;
	if (p->top >= p->nrows)
		p->top = p->nrows ? p->nrows - 1 : 0;
}

void
pager_draw(
    const struct pager *p, struct screen *sc, int top, int rows, int cols)
{
	for (int r = 0; r < rows && p->top + (size_t)r < p->nrows; r++) {
		const struct pager_line *l = &p->lines[p->rows[p->top + r]];
		int ind = l->indent < cols ? l->indent : 0;

		screen_text(sc, top + r, ind, cols - ind, l->text, l->style);
	}
}

enum view_result
pager_scroll(struct pager *p, enum keys_action act, int rows)
{
	size_t page = rows > 1 ? (size_t)rows - 1 : 1;
	size_t last = p->nrows > (size_t)rows ? p->nrows - (size_t)rows : 0;
	size_t was = p->top;

	switch (act) {
	case KEYS_DOWN: p->top += p->top < last; break;
	case KEYS_UP: p->top -= p->top > 0; break;
	case KEYS_PGDN:
		p->top = p->top + page < last ? p->top + page : last;
		break;
	case KEYS_PGUP: p->top = p->top > page ? p->top - page : 0; break;
	case KEYS_TOP: p->top = 0; break;
	case KEYS_BOTTOM: p->top = last; break;
	default: return VIEW_PASS;
	}
	return p->top != was ? VIEW_REDRAW : VIEW_KEEP;
}
