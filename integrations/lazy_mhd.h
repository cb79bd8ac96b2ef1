/* lazy_mhd.h: libmicrohttpd, loaded at run time (integrations/lazy.h). Include
 * this instead of <microhttpd.h>: each name in integrations/lazy/mhd.def then
 * calls through lazy_mhd, which lazy_load(LAZY_MHD, err) fills. */
#ifndef OWL_LAZY_MHD_H
#define OWL_LAZY_MHD_H

#include <microhttpd.h>

#include "integrations/lazy.h"

struct lazy_mhd {
#define LAZY(name) __typeof__(name) *name;
#include "integrations/lazy/mhd.def"
#undef LAZY
};

/* Written once, by lazy_load(LAZY_MHD); until then each entry aborts. */
extern struct lazy_mhd lazy_mhd;

/* One "#define NAME (*lazy_mhd.NAME)" for each name of the .def, made by
 * the Makefile; lazy.c, which fills the table, does without them. */
#ifndef LAZY_NO_NAMES
#include "build/gen/lazy/mhd.h"
#endif

#endif
