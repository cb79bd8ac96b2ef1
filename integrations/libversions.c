/* libversions.c: run-time versions of the linked libraries. */
#include "libversions.h"

#include <curl/curl.h>
#include <git2.h>
#include <jansson.h>
#include <lua.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <sqlite3.h>

int
libversions_format(struct buf *out, struct err *err)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	int major = 0, minor = 0, rev = 0;

	git_libgit2_version(&major, &minor, &rev);
	return buf_printf(out, err,
	    "sqlite %s\n"
	    "lua %s\n"
	    "libgit2 %d.%d.%d\n"
	    "libcurl %s\n"
	    "libmicrohttpd %s\n"
	    "jansson %s\n"
	    "openssl %s\n",
	    sqlite3_libversion(),
	    LUA_VERSION_MAJOR "." LUA_VERSION_MINOR "." LUA_VERSION_RELEASE,
	    major, minor, rev, cv->version, MHD_get_version(),
	    jansson_version_str(), OpenSSL_version(OPENSSL_VERSION_STRING));
}
