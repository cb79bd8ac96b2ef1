/* jdump.h: jansson's compact JSON text, written faster. The broker and
 * the worker encode every message, action-log detail and plan with
 * json_dumps(JSON_COMPACT), which validates each string's UTF-8 a code
 * point at a time through a callback: a third of a dry-run step's CPU.
 * These are the same bytes, a run of plain bytes at a time. */
#ifndef OWL_JDUMP_H
#define OWL_JDUMP_H

#include <jansson.h>

#include "buf.h"
#include "err.h"

/* Appends to out exactly what json_dumps(j, JSON_COMPACT |
 * JSON_ENCODE_ANY) returns (test_jdump holds the two to it). 0, or -1
 * with out as it was: out's ceiling, or what json_dumps would refuse
 * (invalid UTF-8, a cycle; err says which). */
int jdump_add(const json_t *j, struct buf *out, struct err *err);

/* The same with JSON_SORT_KEYS too: every object's keys in jansson's
 * order (bytes, then the shorter first). */
int jdump_add_sorted(const json_t *j, struct buf *out, struct err *err);

/* Appends s (n bytes) as jdump_add would append json_stringn(s, n).
 * 0, or -1 with out as it was: out's ceiling, or s is not UTF-8. */
int jdump_add_str(const char *s, size_t n, struct buf *out, struct err *err);

/* The text of j (free()), as json_dumps(j, JSON_COMPACT |
 * JSON_ENCODE_ANY) would return it; NULL where it would. */
char *jdump(const json_t *j);

#endif
