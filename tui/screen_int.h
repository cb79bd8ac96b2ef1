/* screen_int.h: the state of the terminal shared by screen.c (lifecycle,
 * input) and screen_draw.c (drawing). Private to the screen layer. */
#ifndef OWL_SCREEN_INT_H
#define OWL_SCREEN_INT_H

#include <curses.h>
#include <termios.h>

#include "screen.h"

struct screen {
	SCREEN *term;
	int ascii; /* no UTF-8 locale: escape non-ASCII */
	int color; /* colours in use */
	int rows, cols;
	int cursor_y, cursor_x; /* this frame's cursor; -1 hidden */
	int cursor_shown;
	int stalls; /* input reported, but no key: dead tty? */
	int queued; /* the last key was there already, no wait for it */
	int errfd; /* memfd holding stderr meanwhile; -1 */
	int saved_err; /* the real stderr; -1 */
	attr_t attrs[SCREEN_STYLES];
	short pairs[SCREEN_STYLES];
};

/* Sets up colours (or none) and the style table. */
void screen_styles_init(struct screen *sc);

#endif
