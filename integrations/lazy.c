/* lazy.c: loads libgit2, libcurl, libmicrohttpd, GnuTLS and libcrypto's
 * HMAC when a module first needs one (dlopen of the soname it was built
 * against, dlsym of each name in its .def) and reports a missing one in one
 * line. */
#define LAZY_NO_NAMES 1
#include "lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build/gen/lazy/sonames.h"
#include "engine/locale_late.h"
#include "integrations/lazy_crypto.h"
#include "integrations/lazy_curl.h"
#include "integrations/lazy_git2.h"
#include "integrations/lazy_gnutls.h"
#include "integrations/lazy_mhd.h"

/* What every entry of a table holds until its library is loaded: a call
 * there is a programmer error (a module without its lazy_load). */
static void
lazy_unloaded(void)
{
	fputs("owl: internal error: a libgit2, libcurl, libmicrohttpd, "
	      "GnuTLS or libcrypto function was called before lazy_load()\n",
	    stderr);
	abort();
}

#define LAZY(name) .name = (__typeof__(name) *)lazy_unloaded,
struct lazy_git2 lazy_git2 = {
#include "integrations/lazy/git2.def"
};
struct lazy_curl lazy_curl = {
#include "integrations/lazy/curl.def"
};
struct lazy_mhd lazy_mhd = {
#include "integrations/lazy/mhd.def"
};
struct lazy_gnutls lazy_gnutls = {
#include "integrations/lazy/gnutls.def"
};
struct lazy_crypto lazy_crypto = {
#include "integrations/lazy/crypto.def"
};
#undef LAZY

/* Resolves every name into a copy of the table, then publishes it whole.
 * NULL, or the first name the library lacks. */
#define LAZY(name)                                                             \
	if ((p = dlsym(h, #name)) == NULL)                                     \
		return #name;                                                  \
	t.name = (__typeof__(t.name))p;

static const char *
lazy_fill_git2(void *h)
{
	struct lazy_git2 t;
	void *p;

#include "integrations/lazy/git2.def"
	lazy_git2 = t;
	return NULL;
}

static const char *
lazy_fill_curl(void *h)
{
	struct lazy_curl t;
	void *p;

#include "integrations/lazy/curl.def"
	lazy_curl = t;
	return NULL;
}

static const char *
lazy_fill_mhd(void *h)
{
	struct lazy_mhd t;
	void *p;

#include "integrations/lazy/mhd.def"
	lazy_mhd = t;
	return NULL;
}

static const char *
lazy_fill_gnutls(void *h)
{
	struct lazy_gnutls t;
	void *p;

#include "integrations/lazy/gnutls.def"
	lazy_gnutls = t;
	return NULL;
}

static const char *
lazy_fill_crypto(void *h)
{
	struct lazy_crypto t;
	void *p;

#include "integrations/lazy/crypto.def"
	lazy_crypto = t;
	return NULL;
}
#undef LAZY

/* libgit2's global state, taken once when it is loaded and never given
 * back: every git_libgit2_init()/git_libgit2_shutdown() pair of a module
 * then only counts. Each first init parses the system's CA bundle for
 * mbedTLS (~13 ms of CPU), and `owl show` with a git runbook repository
 * made two in turn (is it a repository? then open it). */
static void
lazy_hold_git2(void)
{
	lazy_git2.git_libgit2_init();
}

/* How each library is found and what its absence costs; hold: run once
 * after a load. */
struct lazy_spec {
	const char *name, *soname, *package, *what;
	const char *(*fill)(void *h);
	void (*hold)(void);
};

static const struct lazy_spec lazy_specs[LAZY_NLIBS] = {
	[LAZY_GIT2] = { "libgit2", LAZY_SONAME_GIT2, LAZY_PACKAGE_GIT2,
	    "git runbook repositories", lazy_fill_git2, lazy_hold_git2 },
	[LAZY_CURL] = { "libcurl", LAZY_SONAME_CURL, LAZY_PACKAGE_CURL,
	    "HTTP and mail (runbook http effects, pages, Alertmanager)",
	    lazy_fill_curl },
	[LAZY_MHD] = { "libmicrohttpd", LAZY_SONAME_MHD, LAZY_PACKAGE_MHD,
	    "owl serve", lazy_fill_mhd },
	[LAZY_GNUTLS] = { "GnuTLS", LAZY_SONAME_GNUTLS, LAZY_PACKAGE_GNUTLS,
	    "owl serve", lazy_fill_gnutls },
	[LAZY_CRYPTO] = { "libcrypto", LAZY_SONAME_CRYPTO, LAZY_PACKAGE_CRYPTO,
	    "HMAC signatures and mail (owl serve's signed webhooks, pages)",
	    lazy_fill_crypto },
};

/* The outcome of each library's one load; written inside its once. */
struct lazy_state {
	pthread_once_t once;
	atomic_int loaded;
	struct err err;
};

static struct lazy_state lazy_state[LAZY_NLIBS] = {
	[LAZY_GIT2] = { .once = PTHREAD_ONCE_INIT },
	[LAZY_CURL] = { .once = PTHREAD_ONCE_INIT },
	[LAZY_MHD] = { .once = PTHREAD_ONCE_INIT },
	[LAZY_GNUTLS] = { .once = PTHREAD_ONCE_INIT },
	[LAZY_CRYPTO] = { .once = PTHREAD_ONCE_INIT },
};

void *
lazy_open(const char *name, const char *soname, const char *package,
    const char *what, struct err *err)
{
	const char *why;
	void *h;

	if ((h = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) != NULL)
		return h;
	why = dlerror();
	err_set(err, ERR_FAILED,
	    "%s is needed for %s and cannot be loaded (%s)%s%s", name, what,
	    why ? why : soname, *package ? ": install the Debian package " : "",
	    package);
	return NULL;
}

static void
lazy_do(enum lazy_lib lib)
{
	const struct lazy_spec *sp = &lazy_specs[lib];
	struct lazy_state *st = &lazy_state[lib];
	const char *missing;
	void *h;

	err_init(&st->err);
	/* libcurl's international host names (libidn2) use the locale's
	 * character set: a command that left it for later loads it now */
	locale_late_load();
	if ((h = lazy_open(sp->name, sp->soname, sp->package, sp->what,
	         &st->err)) == NULL)
		return;
	if ((missing = sp->fill(h)) != NULL) {
		err_set(&st->err, ERR_FAILED,
		    "%s (%s) has no %s: owl was built against another "
		    "version; rebuild it (make)",
		    sp->name, sp->soname, missing);
		return;
	}
	if (sp->hold != NULL)
		sp->hold();
	atomic_store(&st->loaded, 1);
}

static void
lazy_once_git2(void)
{
	lazy_do(LAZY_GIT2);
}

static void
lazy_once_curl(void)
{
	lazy_do(LAZY_CURL);
}

static void
lazy_once_mhd(void)
{
	lazy_do(LAZY_MHD);
}

static void
lazy_once_gnutls(void)
{
	lazy_do(LAZY_GNUTLS);
}

static void
lazy_once_crypto(void)
{
	lazy_do(LAZY_CRYPTO);
}

static void (*const lazy_once_fn[LAZY_NLIBS])(void) = {
	[LAZY_GIT2] = lazy_once_git2,
	[LAZY_CURL] = lazy_once_curl,
	[LAZY_MHD] = lazy_once_mhd,
	[LAZY_GNUTLS] = lazy_once_gnutls,
	[LAZY_CRYPTO] = lazy_once_crypto,
};

int
lazy_load(enum lazy_lib lib, struct err *err)
{
	struct lazy_state *st = &lazy_state[lib];

	pthread_once(&st->once, lazy_once_fn[lib]);
	if (st->loaded)
		return 0;
	return err_set(err, st->err.code, "%s", st->err.msg);
}

int
lazy_is_loaded(enum lazy_lib lib)
{
	return atomic_load(&lazy_state[lib].loaded);
}

const char *
lazy_soname(enum lazy_lib lib)
{
	return lazy_specs[lib].soname;
}
