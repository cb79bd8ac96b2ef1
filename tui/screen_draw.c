/* screen_draw.c: drawing for `owl tui`: styles (colour as an accent
 * only, always paired with text and attributes), sanitised and
 * width-fitted text, and one doupdate() per frame (see screen.h). */
#include "screen_int.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "engine/sanitize.h"

#define SCREEN_LINE_MAX 4096 /* bytes of one drawn piece of text */

/* Colour pairs, on the terminal's own background (-1). */
enum { PAIR_RED = 1, PAIR_YELLOW, PAIR_CYAN, PAIR_GREEN, PAIR_ENV };

void
screen_styles_init(struct screen *sc)
{
	static const attr_t mono[SCREEN_STYLES] = {
		[SCREEN_BOLD] = A_BOLD,
		[SCREEN_DIM] = A_DIM,
		[SCREEN_BAR] = A_REVERSE,
		[SCREEN_ENV] = A_REVERSE | A_BOLD,
		[SCREEN_ALARM] = A_REVERSE | A_BOLD,
		[SCREEN_CRIT] = A_BOLD,
		[SCREEN_ERROR] = A_BOLD,
		[SCREEN_FIRING] = A_BOLD,
		[SCREEN_RESOLVED] = A_DIM,
		[SCREEN_NEW] = A_BOLD,
		[SCREEN_OK] = A_BOLD,
	};
	static const short pair[SCREEN_STYLES] = {
		[SCREEN_ENV] = PAIR_ENV,
		[SCREEN_ALARM] = PAIR_RED,
		[SCREEN_CRIT] = PAIR_RED,
		[SCREEN_ERROR] = PAIR_RED,
		[SCREEN_WARN] = PAIR_YELLOW,
		[SCREEN_INFO] = PAIR_CYAN,
		[SCREEN_FIRING] = PAIR_RED,
		[SCREEN_ACKED] = PAIR_YELLOW,
		[SCREEN_NEW] = PAIR_GREEN,
		[SCREEN_OK] = PAIR_GREEN,
	};
	const char *nc = getenv("NO_COLOR");

	memcpy(sc->attrs, mono, sizeof mono);
	memset(sc->pairs, 0, sizeof sc->pairs);
	sc->color = has_colors() && (nc == NULL || *nc == '\0');
	if (!sc->color || start_color() != OK || COLORS < 8) {
		sc->color = 0;
		return;
	}
	use_default_colors();
	init_pair(PAIR_RED, COLOR_RED, -1);
	init_pair(PAIR_YELLOW, COLOR_YELLOW, -1);
	init_pair(PAIR_CYAN, COLOR_CYAN, -1);
	init_pair(PAIR_GREEN, COLOR_GREEN, -1);
	init_pair(PAIR_ENV, COLOR_WHITE, COLOR_RED);
	memcpy(sc->pairs, pair, sizeof pair);
	/* the env block: white on red, not reversed */
	sc->attrs[SCREEN_ENV] = A_BOLD;
}

static attr_t
screen_attr(const struct screen *sc, int style)
{
	int st = style & 0xff;
	attr_t a;

	if (st >= SCREEN_STYLES)
		st = SCREEN_NORMAL;
	a = sc->attrs[st];
	if (sc->color && sc->pairs[st] != 0)
		a |= COLOR_PAIR(sc->pairs[st]);
	if (style & SCREEN_SEL)
		a |= A_REVERSE;
	return a;
}

void
screen_erase(struct screen *sc)
{
	werase(stdscr);
	sc->cursor_y = sc->cursor_x = -1;
}

/* Sanitises s for this terminal: escapes controls, bidi, and (LANG=C)
 * everything non-ASCII. malloc'd; NULL when out of memory. */
static char *
screen_clean(const struct screen *sc, const char *s)
{
	return sanitize_dup(s, sc->ascii ? SANITIZE_ASCII : 0);
}

int
screen_text(struct screen *sc, int y, int x, int cols, const char *s, int style)
{
	char out[SCREEN_LINE_MAX];
	char *clean;
	int used;

	if (y < 0 || y >= sc->rows || x < 0 || x >= sc->cols || cols <= 0)
		return 0;
	if (x + cols > sc->cols)
		cols = sc->cols - x;
	if ((clean = screen_clean(sc, s)) == NULL)
		return 0;
	used = text_fit(out, sizeof out, clean, cols,
	    (sc->ascii ? TEXT_ASCII : 0) | (style & SCREEN_PAD ? TEXT_PAD : 0));
	free(clean);
	attrset(screen_attr(sc, style));
	mvaddstr(y, x, out);
	attrset(A_NORMAL);
	return used;
}

void
screen_fill(struct screen *sc, int y, int x, int cols, int style)
{
	if (y < 0 || y >= sc->rows || x < 0 || x >= sc->cols || cols <= 0)
		return;
	if (x + cols > sc->cols)
		cols = sc->cols - x;
	attrset(screen_attr(sc, style));
	mvhline(y, x, ' ', cols);
	attrset(A_NORMAL);
}

int
screen_width(const struct screen *sc, const char *s)
{
	char *clean = screen_clean(sc, s);
	int w;

	if (clean == NULL)
		return 0;
	w = sc->ascii ? (int)strlen(clean) : text_width(clean);
	free(clean);
	return w;
}

void
screen_cursor(struct screen *sc, int y, int x)
{
	sc->cursor_y = y;
	sc->cursor_x = x;
}

void
screen_flush(struct screen *sc)
{
	int show = sc->cursor_y >= 0 && sc->cursor_y < sc->rows;

	if (show)
		move(sc->cursor_y, sc->cursor_x);
	if (show != sc->cursor_shown) {
		curs_set(show ? 1 : 0);
		sc->cursor_shown = show;
	}
	wnoutrefresh(stdscr);
	doupdate();
}

void
screen_redraw(struct screen *sc)
{
	(void)sc;
	clearok(curscr, TRUE);
}

void
screen_alert(struct screen *sc, int flash_it)
{
	(void)sc;
	if (flash_it)
		flash();
	else
		beep();
}
