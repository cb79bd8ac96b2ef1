/* text.h: display width of terminal-safe UTF-8 text, and fitting it into
 * a number of columns with an ellipsis, for the TUI's screens. Pure: no
 * curses. Input is text that went through engine/sanitize first. */
#ifndef OWL_TEXT_H
#define OWL_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define TEXT_ASCII 0x1 /* ellipsis "...", anything non-ASCII becomes '?' */
#define TEXT_PAD 0x2 /* pad with spaces to exactly `cols` columns */

/* Returns the columns s takes on a terminal (wcwidth per character; a
 * character wcwidth cannot measure counts as one column). */
int text_width(const char *s);

/* Copies s into out (cap bytes, always NUL-terminated) cut to at most
 * cols columns. When s is wider, it ends in an ellipsis ("…", or "..."
 * with TEXT_ASCII) within the cols. Never splits a UTF-8 sequence, never
 * separates a combining mark from its base and never leaves half of a
 * wide character: the column is padded instead. Returns the columns the
 * result takes (cols with TEXT_PAD, unless cap is too small). */
int text_fit(char *out, size_t cap, const char *s, int cols, int flags);

/* Writes a compact age for a duration in microseconds into out (n
 * bytes): "<1m", "3m", "2h", "5d". Minute granularity, so that a screen
 * showing ages changes at most once a minute. Negative counts as 0. */
void text_age(int64_t us, char *out, size_t n);

/* Returns nonzero when needle occurs in hay, ignoring ASCII case; an
 * empty needle matches everything. NULL hay matches only "". */
int text_match(const char *hay, const char *needle);

#endif
