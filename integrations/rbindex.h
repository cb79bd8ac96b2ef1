/* rbindex.h: the runbooks of one git commit that runbook suggestions
 * need (name, blob, declaration, for those whose match is not empty),
 * kept in a file under owl's state directory so that `owl show` and the
 * TUI's incident view suggest from a local repository without starting
 * libgit2 (its start alone, the CA bundle, is ~13 ms). A commit never
 * changes: an index named by the repository, its folder and the commit
 * is current for as long as the ref still names that commit, which is
 * read from the repository's own files (HEAD, loose and packed refs).
 * Whatever that reading is not sure of goes to libgit2 as before. An
 * index is of one build of owl (its GNU build id): what a declaration
 * reads as may change with owl. */
#ifndef OWL_RBINDEX_H
#define OWL_RBINDEX_H

#include <jansson.h>

#include "engine/rbsource.h"
#include "integrations/rbsource_git.h"

#define RBINDEX_REF_MAX 256

/* The commit o names in its local repository, read with no libgit2:
 * 0 with commit filled, or 1 when not sure (a URL, --worktree, a rev
 * other than HEAD or a plain branch name, a ref that is symbolic past
 * HEAD or found nowhere, a linked work tree, a repository owned by
 * another user): then libgit2 opens it. */
int rbindex_head(const struct rbgit_opts *o, char commit[RBSOURCE_OID_HEX]);

/* The index of commit in o's repository and folder: a JSON array of
 * {"name", "blob", "meta"} (a new reference), or NULL when there is
 * none or it cannot be read. */
json_t *rbindex_load(const struct rbgit_opts *o, const char *commit);

/* Stores idx (an array as rbindex_load gives) as the index of commit,
 * atomically. A failure is not reported: the next reader opens the
 * repository, as without an index. */
void rbindex_save(
    const struct rbgit_opts *o, const char *commit, const json_t *idx);

#endif
