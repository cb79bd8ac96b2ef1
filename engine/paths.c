/* paths.c: owl's file locations under the XDG base directories. */
#define _POSIX_C_SOURCE 200809L
#include "paths.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Joins "$XDG_x_HOME/owl/leaf", falling back to "$HOME/fallback/owl/leaf".
 * An XDG variable must be absolute to count (the spec says to ignore
 * relative ones). */
static char *
paths_xdg(const char *xdg_var, const char *fallback, const char *leaf,
    struct err *err)
{
	const char *base = getenv(xdg_var), *home;
	struct passwd *pw;
	char *out;
	size_t n;

	if (base != NULL && base[0] == '/') {
		n = strlen(base) + strlen(leaf) + 8;
		if ((out = malloc(n)) == NULL)
			goto oom;
		snprintf(out, n, "%s/owl%s%s", base, *leaf ? "/" : "", leaf);
		return out;
	}
	home = getenv("HOME");
	if (home == NULL || home[0] != '/') {
		pw = getpwuid(getuid());
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home == NULL || home[0] != '/') {
		err_set(err, ERR_USAGE,
		    "no home directory; give --db or set OWL_DB");
		return NULL;
	}
	n = strlen(home) + strlen(fallback) + strlen(leaf) + 10;
	if ((out = malloc(n)) == NULL)
		goto oom;
	snprintf(
	    out, n, "%s/%s/owl%s%s", home, fallback, *leaf ? "/" : "", leaf);
	return out;
oom:
	err_set(err, ERR_FAILED, "out of memory");
	return NULL;
}

static char *
paths_pick(const char *flag, const char *env, struct err *err)
{
	const char *v = flag != NULL ? flag : getenv(env);
	char *out;

	if (v == NULL || v[0] == '\0')
		return NULL;
	if ((out = strdup(v)) == NULL)
		err_set(err, ERR_FAILED, "out of memory");
	return out;
}

char *
paths_db(const char *flag, struct err *err)
{
	char *p = paths_pick(flag, "OWL_DB", err);

	if (p != NULL || err_isset(err))
		return p;
	return paths_xdg("XDG_STATE_HOME", ".local/state", "owl.db", err);
}

char *
paths_config(const char *flag, struct err *err)
{
	char *p = paths_pick(flag, "OWL_CONFIG", err);

	if (p != NULL || err_isset(err))
		return p;
	return paths_xdg("XDG_CONFIG_HOME", ".config", "config.lua", err);
}

char *
paths_state_dir(struct err *err)
{
	return paths_xdg("XDG_STATE_HOME", ".local/state", "", err);
}

int
paths_mkparents(const char *path, struct err *err)
{
	char *dir = strdup(path), *p;
	int rc = -1;

	if (dir == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	p = strrchr(dir, '/');
	if (p == NULL || p == dir) {
		rc = 0;
		goto out;
	}
	*p = '\0';
	for (p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			err_set(err, ERR_USAGE,
			    "cannot create directory %s: %s", dir,
			    strerror(errno));
			goto out;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	rc = 0;
out:
	free(dir);
	return rc;
}
