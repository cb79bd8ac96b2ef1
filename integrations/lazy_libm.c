/* lazy_libm.c: the math library (libm.so.6) loaded on the first call of
 * one of its functions, not at every exec. owl calls none itself: the
 * statically linked SQLite (its math SQL functions) and Lua (math.sin,
 * x ^ y, ...) do, and only when a query or a config.lua uses them. As a
 * DT_NEEDED library libm cost every owl process ~0.6 ms of CPU before
 * main() (mapping it, its relocations, and the IFUNC resolvers of the
 * functions SQLite's table takes the address of: ~10 page faults);
 * owl-worker links its own copy statically and does not use this file.
 *
 * Each function below has the C library's name and type, so that the
 * linker binds SQLite's and Lua's references to it instead of needing
 * libm (frexp and ldexp are in libc.so.6 as well: they need nothing). A
 * math function not listed fails at link time (Makefile's hint): add it
 * to LAZY_LIBM_1 or LAZY_LIBM_2. The functions set errno as libm's do:
 * the call is passed through untouched. */
#include <dlfcn.h>
#include <gnu/lib-names.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "lazy.h"

/* double f(double) and double f(double, double) */
/* clang-format off */
#define LAZY_LIBM_1(X)                                                         \
	X(acos) X(acosh) X(asin) X(asinh) X(atan) X(atanh) X(cos) X(cosh)      \
	X(exp) X(log) X(log10) X(log2) X(sin) X(sinh) X(sqrt) X(tan)           \
	X(tanh) X(trunc)
/* clang-format on */
#define LAZY_LIBM_2(X) X(atan2) X(fmod) X(pow)

static struct {
#define LAZY_LIBM_SLOT1(f) double (*f)(double);
#define LAZY_LIBM_SLOT2(f) double (*f)(double, double);
	LAZY_LIBM_1(LAZY_LIBM_SLOT1)
	LAZY_LIBM_2(LAZY_LIBM_SLOT2)
#undef LAZY_LIBM_SLOT1
#undef LAZY_LIBM_SLOT2
} lazy_libm;

static pthread_once_t lazy_libm_once = PTHREAD_ONCE_INIT;

/* A math function has no error to return: a C library without its libm
 * is a broken installation, said once, then abort(). */
static void
lazy_libm_load(void)
{
	struct err err;
	const char *missing = NULL;
	void *h, *p;

	err_init(&err);
	if ((h = lazy_open(
	         "libm", LIBM_SO, "libc6", "a math function", &err)) == NULL) {
		fprintf(stderr, "owl: %s\n", err.msg);
		abort();
	}
#define LAZY_LIBM_SYM(f)                                                       \
	if ((p = dlsym(h, #f)) == NULL && missing == NULL)                     \
		missing = #f;                                                  \
	*(void **)&lazy_libm.f = p;
	LAZY_LIBM_1(LAZY_LIBM_SYM)
	LAZY_LIBM_2(LAZY_LIBM_SYM)
#undef LAZY_LIBM_SYM
	if (missing != NULL) {
		fprintf(stderr, "owl: %s has no %s: reinstall libc6\n", LIBM_SO,
		    missing);
		abort();
	}
}

#define LAZY_LIBM_DEF1(f)                                                      \
	double f(double x)                                                     \
	{                                                                      \
		pthread_once(&lazy_libm_once, lazy_libm_load);                 \
		return lazy_libm.f(x);                                         \
	}
#define LAZY_LIBM_DEF2(f)                                                      \
	double f(double x, double y)                                           \
	{                                                                      \
		pthread_once(&lazy_libm_once, lazy_libm_load);                 \
		return lazy_libm.f(x, y);                                      \
	}
LAZY_LIBM_1(LAZY_LIBM_DEF1)
LAZY_LIBM_2(LAZY_LIBM_DEF2)
