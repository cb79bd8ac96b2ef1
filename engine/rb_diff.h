/* rb_diff.h: unified diffs of file writes for dry-run plans ("--- a/x",
 * "+++ b/x", "@@ -l,n +l,n @@" hunks with three lines of context). */
#ifndef OWL_RB_DIFF_H
#define OWL_RB_DIFF_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Appends the unified diff from a (an bytes; NULL: the file is new) to b
 * for path to out. Appends nothing when they are equal. Files too large
 * to compare line by line (over 4 million line pairs after trimming the
 * common start and end) get a one-line summary instead. */
int rb_diff_unified(const char *a, size_t an, const char *b, size_t bn,
    const char *path, struct buf *out, struct err *err);

#endif
