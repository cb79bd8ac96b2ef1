/* lazy_curl.h: libcurl, loaded at run time (integrations/lazy.h). Include this
 * instead of <curl/curl.h>: each name in integrations/lazy/curl.def then
 * calls through lazy_curl, which lazy_load(LAZY_CURL, err) fills. */
#ifndef OWL_LAZY_CURL_H
#define OWL_LAZY_CURL_H

/* curl's type-checking macros would hide the table (the names are macros
 * here). */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "integrations/lazy.h"

struct lazy_curl {
#define LAZY(name) __typeof__(name) *name;
#include "integrations/lazy/curl.def"
#undef LAZY
};

/* Written once, by lazy_load(LAZY_CURL); until then each entry aborts. */
extern struct lazy_curl lazy_curl;

/* One "#define NAME (*lazy_curl.NAME)" for each name of the .def, made by
 * the Makefile; lazy.c, which fills the table, does without them. */
#ifndef LAZY_NO_NAMES
#include "build/gen/lazy/curl.h"
#endif

#endif
