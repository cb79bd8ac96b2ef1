/* lineedit.h: the one-line editor of `owl tui` (notes, durations, the
 * filter and the `:` command line), with readline-like keys. Pure: no
 * curses; keys are the codes of keys.h. */
#ifndef OWL_LINEEDIT_H
#define OWL_LINEEDIT_H

#include <stddef.h>

#define LINEEDIT_MAX 1024 /* bytes of text, the ceiling of a note */

struct lineedit {
	char text[LINEEDIT_MAX + 1]; /* UTF-8, NUL-terminated */
	size_t len; /* bytes */
	size_t cur; /* cursor, a byte offset */
};

enum lineedit_result {
	LINEEDIT_UNHANDLED, /* not an editing key */
	LINEEDIT_CHANGED, /* text or cursor changed */
	LINEEDIT_DONE, /* Enter */
	LINEEDIT_CANCEL, /* Esc, ^C, ^G */
};

/* Starts editing text (NULL: empty), cursor at the end. */
void lineedit_init(struct lineedit *le, const char *text);

/* Applies one key: printable characters insert; Left/Right/^B/^F move;
 * Home/^A, End/^E; Backspace/^H deletes before, Delete/^D at the cursor;
 * ^K kills to the end, ^U to the start, ^W the word before; Enter ends,
 * Esc/^C/^G cancel. Text past LINEEDIT_MAX is refused (unchanged). */
enum lineedit_result lineedit_key(struct lineedit *le, int key);

/* For drawing in cols columns: sets *start (a byte offset into text) so
 * that the cursor is visible, and returns the cursor's column from
 * there. */
int lineedit_view(const struct lineedit *le, int cols, size_t *start);

#endif
