/* rbdir.c: the runbook directory (see rbdir.h). */
#include "rbdir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *
rbdir_resolve(const char *flag, const struct config *c, struct err *err)
{
	const char *dir = flag;
	struct stat st;
	char *out;

	if (dir == NULL && getenv("OWL_RUNBOOKS") != NULL &&
	    getenv("OWL_RUNBOOKS")[0] != '\0')
		dir = getenv("OWL_RUNBOOKS");
	if (dir == NULL)
		dir = config_str(c, "runbooks.dir", NULL, err);
	if (dir == NULL) {
		if (!err_isset(err))
			err_set(err, ERR_USAGE,
			    "no runbook directory: give "
			    "--runbooks DIR, set OWL_RUNBOOKS, or set "
			    "runbooks = { dir = ... } in the config");
		return NULL;
	}
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		err_set(err, ERR_USAGE, "runbook directory %s: %s", dir,
		    errno ? strerror(errno) : "not a directory");
		return NULL;
	}
	if ((out = realpath(dir, NULL)) == NULL)
		err_set(err, ERR_FAILED, "out of memory");
	return out;
}
