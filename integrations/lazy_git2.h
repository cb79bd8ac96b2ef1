/* lazy_git2.h: libgit2, loaded at run time (integrations/lazy.h). Include this
 * instead of <git2.h>: each name in integrations/lazy/git2.def then
 * calls through lazy_git2, which lazy_load(LAZY_GIT2, err) fills. */
#ifndef OWL_LAZY_GIT2_H
#define OWL_LAZY_GIT2_H

#include <git2.h>

#include "integrations/lazy.h"

struct lazy_git2 {
#define LAZY(name) __typeof__(name) *name;
#include "integrations/lazy/git2.def"
#undef LAZY
};

/* Written once, by lazy_load(LAZY_GIT2); until then each entry aborts. */
extern struct lazy_git2 lazy_git2;

/* One "#define NAME (*lazy_git2.NAME)" for each name of the .def, made by
 * the Makefile; lazy.c, which fills the table, does without them. */
#ifndef LAZY_NO_NAMES
#include "build/gen/lazy/git2.h"
#endif

#endif
