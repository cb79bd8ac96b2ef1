/* lazy.h: the libraries owl loads only when a command uses them (libgit2,
 * libcurl, libmicrohttpd, GnuTLS, and libcrypto's HMAC: its digests are
 * linked statically). owl does not link them: loading them and their ~35
 * dependencies cost every command ~16 ms of CPU at exec, whether it used
 * them or not.
 *
 * How a module uses one: include its lazy_NAME.h instead of the library's
 * header (the call sites stay as they are: each name listed in
 * integrations/lazy/NAME.def is a macro that calls through a table), and
 * call lazy_load(LAZY_NAME, err) at the module's entry, before the first
 * call. A function not listed in the .def fails at link time; add it. */
#ifndef OWL_LAZY_H
#define OWL_LAZY_H

#include "engine/err.h"

enum lazy_lib {
	LAZY_GIT2, /* libgit2: git runbook sources and work copies */
	LAZY_CURL, /* libcurl: HTTP effects, pages, Alertmanager's API */
	LAZY_MHD, /* libmicrohttpd: owl serve */
	LAZY_GNUTLS, /* GnuTLS: owl serve's TLS and its version */
	LAZY_CRYPTO, /* libcrypto: HMAC, base64 for mail, its version */
	LAZY_NLIBS
};

/* Loads lib and fills its table, once per process (thread-safe; later
 * calls return the first outcome). 0, or -1 with err (ERR_FAILED) naming
 * the shared object, why it did not load, what needs it and the Debian
 * package to install. */
int lazy_load(enum lazy_lib lib, struct err *err);

/* Nonzero when lib's table is filled in this process (never loads it). */
int lazy_is_loaded(enum lazy_lib lib);

/* The shared object lazy_load(lib) opens ("libgit2.so.1.5"). */
const char *lazy_soname(enum lazy_lib lib);

/* Opens the shared object soname for the library called name, needed
 * for what; the handle (never closed), or NULL with err as lazy_load
 * says. Exposed for the tests of the message. */
void *lazy_open(const char *name, const char *soname, const char *package,
    const char *what, struct err *err);

#endif
