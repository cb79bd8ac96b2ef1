/* screen.h: the terminal under `owl tui`, the only module that talks
 * curses. Opens the terminal with newterm() (never initscr()), refuses
 * what cannot address the cursor, restores the terminal on every exit
 * (crash signals included), reads keys from one poll() loop, and draws
 * sanitised, width-measured text with styles that read without colour. */
#ifndef OWL_SCREEN_H
#define OWL_SCREEN_H

#include <stddef.h>

#include "engine/err.h"

struct screen;

/* Styles: what a piece of text means; screen_draw.c maps them to colours
 * and attributes (bold, reverse, dim), so everything also reads on a
 * monochrome terminal and with NO_COLOR. */
enum screen_style {
	SCREEN_NORMAL,
	SCREEN_BOLD,
	SCREEN_DIM,
	SCREEN_BAR, /* the hint line */
	SCREEN_ENV, /* the environment block (PROD) */
	SCREEN_ALARM, /* STALE, READONLY, refusals */
	SCREEN_CRIT, /* severities */
	SCREEN_ERROR,
	SCREEN_WARN,
	SCREEN_INFO,
	SCREEN_FIRING, /* states */
	SCREEN_ACKED,
	SCREEN_RESOLVED,
	SCREEN_NEW,
	SCREEN_OK, /* a message saying something worked */
	SCREEN_STYLES
};
#define SCREEN_SEL 0x100 /* or'ed in: the selected row (reverse video) */
#define SCREEN_PAD 0x200 /* or'ed in: pad with spaces to the width */

#define SCREEN_MIN_COLS 40
#define SCREEN_MIN_ROWS 10

/* What screen_next() saw. */
enum screen_event {
	SCREEN_KEY, /* a key: *key is a keys.h code */
	SCREEN_TIMEOUT, /* nothing within the timeout */
	SCREEN_QUIT, /* a signal asked to stop, or the terminal is gone */
};

/* Opens the terminal on stdin/stdout. Not a terminal, TERM=dumb, an
 * unknown TERM or one without cursor addressing: NULL with ERR_USAGE and
 * a one-line reason pointing to `owl incidents`. Installs flag-only
 * handlers for INT/TERM/HUP/QUIT, a crash handler that restores the
 * terminal before re-raising, turns on bracketed paste, and keeps stderr
 * in memory until screen_close() (so library chatter cannot scribble
 * over the screen). Only one screen at a time. Free with screen_close(). */
struct screen *screen_open(struct err *err);

/* Restores the terminal, replays what was written to stderr meanwhile,
 * and frees sc. Accepts NULL; safe to call twice via different paths. */
void screen_close(struct screen *sc);

/* Waits up to timeout_ms (-1: forever) for a key or a signal. Keys that
 * ncurses has buffered come first, without waiting. */
enum screen_event screen_next(struct screen *sc, int timeout_ms, int *key);

/* Nonzero when the key screen_next() returned last was already there
 * (buffered, in the same read as the key before it), zero when it came
 * after a wait. */
int screen_key_queued(const struct screen *sc);

/* The terminal size (updated on KEYS_K_RESIZE). */
void screen_size(const struct screen *sc, int *rows, int *cols);

/* Nonzero when non-ASCII text cannot be shown (LANG=C): then every
 * string is drawn with visible escapes for non-ASCII characters. */
int screen_ascii(const struct screen *sc);

/* Starts a frame: clears the virtual screen (no output yet). */
void screen_erase(struct screen *sc);

/* Draws untrusted text at (y, x) in at most cols columns, sanitised
 * (controls, ESC, bidi shown as \x1b-style escapes) and cut with an
 * ellipsis. Returns the columns drawn. */
int screen_text(
    struct screen *sc, int y, int x, int cols, const char *s, int style);

/* Fills cols columns at (y, x) with spaces in style. */
void screen_fill(struct screen *sc, int y, int x, int cols, int style);

/* Returns the columns s takes once sanitised as screen_text draws it. */
int screen_width(const struct screen *sc, const char *s);

/* Shows the cursor at (y, x) for this frame; y < 0 hides it. */
void screen_cursor(struct screen *sc, int y, int x);

/* Ends a frame: one doupdate(), which sends only what changed. */
void screen_flush(struct screen *sc);

/* Forces the next flush to repaint everything (Ctrl-L). */
/* Rings the terminal bell, or flashes the screen when flash is set
 * (either falls back to the other where the terminal lacks it). */
void screen_alert(struct screen *sc, int flash);

void screen_redraw(struct screen *sc);

/* Copies text to the clipboard of the terminal with OSC 52. text must be
 * owl's own (an incident id), at most 256 bytes. -1 when too long. */
int screen_copy(struct screen *sc, const char *text);

#endif
