/* rb_jparse.h: a fast parser for the common protocol message (compact
 * JSON, ASCII strings, integers): jansson's json_loadb reads a byte at a
 * time through a callback and was ~19,000 instructions a message, a
 * sixth of a dry-run step. Anything else is jansson's to parse. */
#ifndef OWL_RB_JPARSE_H
#define OWL_RB_JPARSE_H

#include <jansson.h>
#include <stddef.h>

/* The object in p[0, n), when the text is compact JSON (no whitespace)
 * of an object whose values are objects, arrays, strings of printable
 * ASCII (escapes \" \\ \/ \b \f \n \r \t), integers of at most 18 digits,
 * true, false and null, no deeper than 64, with no key twice in an
 * object; it is then the value json_loadb(p, n, JSON_REJECT_DUPLICATES |
 * JSON_ALLOW_NUL) gives (test_jparse holds the two to it). NULL
 * otherwise: the caller asks json_loadb, which parses it or says why
 * not. */
json_t *rb_jparse(const char *p, size_t n);

#endif
