/* libversions.h: the versions of the libraries owl is linked with, as
 * they report themselves at run time, for `owl version`. */
#ifndef OWL_LIBVERSIONS_H
#define OWL_LIBVERSIONS_H

#include "engine/buf.h"

/* Appends "name version\n" lines for SQLite, Lua, libgit2, libcurl,
 * libmicrohttpd, jansson and OpenSSL to out (loading the lazy ones; one
 * that does not load is "NAME not available (SONAME)"). */
int libversions_format(struct buf *out, struct err *err);

#endif
