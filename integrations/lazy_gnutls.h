/* lazy_gnutls.h: GnuTLS, loaded at run time (integrations/lazy.h). Include this
 * instead of the GnuTLS headers: each name in integrations/lazy/gnutls.def then
 * calls through lazy_gnutls, which lazy_load(LAZY_GNUTLS, err) fills. */
#ifndef OWL_LAZY_GNUTLS_H
#define OWL_LAZY_GNUTLS_H

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "integrations/lazy.h"

struct lazy_gnutls {
#define LAZY(name) __typeof__(name) *name;
#include "integrations/lazy/gnutls.def"
#undef LAZY
};

/* Written once, by lazy_load(LAZY_GNUTLS); until then each entry aborts. */
extern struct lazy_gnutls lazy_gnutls;

/* One "#define NAME (*lazy_gnutls.NAME)" for each name of the .def, made by
 * the Makefile; lazy.c, which fills the table, does without them. */
#ifndef LAZY_NO_NAMES
#include "build/gen/lazy/gnutls.h"
#endif

#endif
