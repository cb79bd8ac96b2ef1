/* libversions.c: run-time versions of the libraries owl uses; the lazily
 * loaded ones (integrations/lazy.h) are loaded to ask them. */
#include "libversions.h"

#include <jansson.h>
#include <lua.h>
#include <stdio.h>

#include "integrations/lazy_crypto.h"
#include "integrations/lazy_curl.h"
#include "integrations/lazy_git2.h"
#include "engine/store.h"
#include "integrations/lazy_mhd.h"

/* "name version", or "name not available (why)" when it does not load. */
static int
libversions_lazy(struct buf *out, const char *name, enum lazy_lib lib,
    const char *version, struct err *err)
{
	if (version == NULL)
		return buf_printf(out, err, "%s not available (%s)\n", name,
		    lazy_soname(lib));
	return buf_printf(out, err, "%s %s\n", name, version);
}

int
libversions_format(struct buf *out, struct err *err)
{
	char git[32] = "";
	const char *curl = NULL, *mhd = NULL, *ssl = NULL;
	int major = 0, minor = 0, rev = 0;

	if (lazy_load(LAZY_GIT2, NULL) == 0) {
		git_libgit2_version(&major, &minor, &rev);
		snprintf(git, sizeof git, "%d.%d.%d", major, minor, rev);
	}
	if (lazy_load(LAZY_CURL, NULL) == 0)
		curl = curl_version_info(CURLVERSION_NOW)->version;
	if (lazy_load(LAZY_MHD, NULL) == 0)
		mhd = MHD_get_version();
	if (lazy_load(LAZY_CRYPTO, NULL) == 0)
		ssl = OpenSSL_version(OPENSSL_VERSION_STRING);
	if (buf_printf(out, err, "sqlite %s\nlua %s\n", store_sqlite_version(),
	        LUA_VERSION_MAJOR "." LUA_VERSION_MINOR
	                          "." LUA_VERSION_RELEASE) == -1 ||
	    libversions_lazy(
	        out, "libgit2", LAZY_GIT2, *git ? git : NULL, err) == -1 ||
	    libversions_lazy(out, "libcurl", LAZY_CURL, curl, err) == -1 ||
	    libversions_lazy(out, "libmicrohttpd", LAZY_MHD, mhd, err) == -1)
		return -1;
	if (buf_printf(out, err, "jansson %s\n", jansson_version_str()) == -1)
		return -1;
	return libversions_lazy(out, "openssl", LAZY_CRYPTO, ssl, err);
}
