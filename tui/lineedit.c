/* lineedit.c: a one-line, UTF-8 editor with readline-like keys (see
 * lineedit.h). */
#include "lineedit.h"

#include <string.h>
#include <wchar.h>

#include "keys.h"
#include "engine/sanitize.h"

void
lineedit_init(struct lineedit *le, const char *text)
{
	size_t n = text ? strlen(text) : 0;

	if (n > LINEEDIT_MAX)
		n = LINEEDIT_MAX;
	memcpy(le->text, text ? text : "", n);
	le->text[n] = '\0';
	le->len = le->cur = n;
}

/* Start of the character before offset i. */
static size_t
lineedit_prev(const struct lineedit *le, size_t i)
{
	while (i > 0 && ((unsigned char)le->text[--i] & 0xc0) == 0x80)
		;
	return i;
}

/* Offset after the character at i. */
static size_t
lineedit_after(const struct lineedit *le, size_t i)
{
	if (i >= le->len)
		return le->len;
	while (++i < le->len && ((unsigned char)le->text[i] & 0xc0) == 0x80)
		;
	return i;
}

static void
lineedit_cut(struct lineedit *le, size_t from, size_t to)
{
	memmove(le->text + from, le->text + to, le->len - to + 1);
	le->len -= to - from;
	le->cur = from;
}

static int
lineedit_insert(struct lineedit *le, const char *s, size_t n)
{
	if (le->len + n > LINEEDIT_MAX)
		return -1;
	memmove(
	    le->text + le->cur + n, le->text + le->cur, le->len - le->cur + 1);
	memcpy(le->text + le->cur, s, n);
	le->len += n;
	le->cur += n;
	return 0;
}

/* Encodes a code point as UTF-8; returns the length (0 if invalid). */
static size_t
lineedit_utf8(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp < 0x110000) {
		out[0] = (char)(0xf0 | cp >> 18);
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		return 4;
	}
	return 0;
}

/* Start of the word before the cursor (skipping spaces first). */
static size_t
lineedit_word(const struct lineedit *le)
{
	size_t i = le->cur;

	while (i > 0 && le->text[i - 1] == ' ')
		i--;
	while (i > 0 && le->text[i - 1] != ' ')
		i--;
	return i;
}

static enum lineedit_result
lineedit_move(struct lineedit *le, int key)
{
	switch (key) {
	case KEYS_K_LEFT:
	case KEYS_CTRL('b'):
		le->cur = lineedit_prev(le, le->cur);
		return LINEEDIT_CHANGED;
	case KEYS_K_RIGHT:
	case KEYS_CTRL('f'):
		le->cur = lineedit_after(le, le->cur);
		return LINEEDIT_CHANGED;
	case KEYS_K_HOME:
	case KEYS_CTRL('a'): le->cur = 0; return LINEEDIT_CHANGED;
	case KEYS_K_END:
	case KEYS_CTRL('e'): le->cur = le->len; return LINEEDIT_CHANGED;
	}
	return LINEEDIT_UNHANDLED;
}

enum lineedit_result
lineedit_key(struct lineedit *le, int key)
{
	char enc[4];
	size_t n;

	switch (key) {
	case KEYS_K_ENTER: return LINEEDIT_DONE;
	case KEYS_K_ESC:
	case KEYS_CTRL('c'):
	case KEYS_CTRL('g'): return LINEEDIT_CANCEL;
	case KEYS_K_BACKSPACE:
	case KEYS_CTRL('h'):
	case 0x7f:
		lineedit_cut(le, lineedit_prev(le, le->cur), le->cur);
		return LINEEDIT_CHANGED;
	case KEYS_K_DELETE:
	case KEYS_CTRL('d'):
		lineedit_cut(le, le->cur, lineedit_after(le, le->cur));
		return LINEEDIT_CHANGED;
	case KEYS_CTRL('k'):
		le->len = le->cur;
		le->text[le->len] = '\0';
		return LINEEDIT_CHANGED;
	case KEYS_CTRL('u'):
		lineedit_cut(le, 0, le->cur);
		return LINEEDIT_CHANGED;
	case KEYS_CTRL('w'):
		lineedit_cut(le, lineedit_word(le), le->cur);
		return LINEEDIT_CHANGED;
	}
	if (lineedit_move(le, key) != LINEEDIT_UNHANDLED)
		return LINEEDIT_CHANGED;
	if (key < 0x20 || key == 0x7f || (key >= 0x80 && key < 0xa0) ||
	    key >= KEYS_K_BASE || (n = lineedit_utf8((unsigned)key, enc)) == 0)
		return LINEEDIT_UNHANDLED;
	lineedit_insert(le, enc, n);
	return LINEEDIT_CHANGED;
}

/* Columns of the text between byte offsets a and b. */
static int
lineedit_cols(const struct lineedit *le, size_t a, size_t b)
{
	int cols = 0, w;
	unsigned cp;

	while (a < b) {
		size_t len = sanitize_utf8(
		    (const unsigned char *)le->text + a, b - a, &cp);

		if (len == 0)
			len = 1, cp = '?';
		w = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
		cols += w < 0 ? 1 : w;
		a += len;
	}
	return cols;
}

int
lineedit_view(const struct lineedit *le, int cols, size_t *start)
{
	size_t s = 0;

	if (cols < 2)
		cols = 2;
	/* scroll right until the cursor is inside, keeping one spare
	 * column for it at the end */
	while (s < le->cur && lineedit_cols(le, s, le->cur) > cols - 1)
		s = lineedit_after(le, s);
	*start = s;
	return lineedit_cols(le, s, le->cur);
}
