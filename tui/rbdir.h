/* rbdir.h: the directory `owl test` reads runbooks and their tests from:
 * --runbooks DIR, else $OWL_RUNBOOKS, else the config's runbooks.dir.
 * Runbook tests run on a checkout (CI, an author's tree), so they read
 * files; `owl run` and `owl runbooks` pick any source with rbsel.h. */
#ifndef OWL_RBDIR_H
#define OWL_RBDIR_H

#include "engine/config.h"
#include "engine/err.h"

/* Returns the directory (malloc'd, free()), checked to be a directory;
 * NULL with err set (ERR_USAGE) when none is given or it is not there. */
char *rbdir_resolve(const char *flag, const struct config *c, struct err *err);

#endif
