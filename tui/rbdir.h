/* rbdir.h: which directory runbooks are read from: --runbooks DIR, else
 * $OWL_RUNBOOKS, else the config's runbooks.dir. (Versioned runbooks
 * from a git repository come with `runbooks = { repo = ..., ref = ... }`
 * in a later issue.) */
#ifndef OWL_RBDIR_H
#define OWL_RBDIR_H

#include "engine/config.h"
#include "engine/err.h"

/* Returns the directory (malloc'd, free()), checked to be a directory;
 * NULL with err set (ERR_USAGE) when none is given or it is not there. */
char *rbdir_resolve(const char *flag, const struct config *c, struct err *err);

#endif
