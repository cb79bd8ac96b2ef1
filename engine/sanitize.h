/* sanitize.h: makes untrusted text safe to show on a terminal.
 * Alert titles, labels, runbook output and log details may carry escape
 * sequences, carriage returns or bidi overrides that would rewrite the
 * screen (SECURITY.md §7). Every such string passes here before it is
 * printed or drawn: controls become visible escapes such as \x1b or
 * \u202e; invalid UTF-8 bytes become \xNN. */
#ifndef OWL_SANITIZE_H
#define OWL_SANITIZE_H

#include <stddef.h>

#include "buf.h"

#define SANITIZE_NEWLINES 0x1 /* keep '\n' and '\t' (multi-line output) */
#define SANITIZE_ASCII 0x2 /* escape all non-ASCII too (LANG=C) */

/* Appends the sanitised form of s (n bytes) to out. -1 with err set when
 * the buffer's ceiling is reached. */
int sanitize_term(
    struct buf *out, const char *s, size_t n, int flags, struct err *err);

/* Returns the sanitised form of a NUL-terminated string, malloc'd (free
 * with free()); NULL when out of memory. NULL input gives "". */
char *sanitize_dup(const char *s, int flags);

/* Writes url into out (n bytes, cut to fit) with its userinfo, if any,
 * replaced by "***" (http COLON-SLASH-SLASH admin:pw@am:9093 becomes
 * ***@am:9093 after the scheme): a form fit for logs, messages and the
 * action log, which must never keep a password. Returns out. */
char *sanitize_url(const char *url, char *out, size_t n);

/* Decodes one UTF-8 sequence at s (n bytes available). Returns its length
 * and sets *cp, or 0 when the bytes are not valid UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF are invalid). */
size_t sanitize_utf8(const unsigned char *s, size_t n, unsigned *cp);

/* Returns nonzero when the n bytes at s are valid UTF-8 without NUL. */
int sanitize_is_utf8(const char *s, size_t n);

#endif
