#!/bin/sh
# lazy/sonames.sh CC: prints build/gen/lazy/sonames.h, the shared object
# each lazily loaded library was built against (its SONAME) and the Debian
# package holding it, for integrations/lazy.c.
set -eu
cc=${1:-cc}
echo "/* Made by integrations/lazy/sonames.sh; do not edit. */"
for lib in GIT2:libgit2.so CURL:libcurl.so MHD:libmicrohttpd.so \
	GNUTLS:libgnutls.so CRYPTO:libcrypto.so; do
	id=${lib%%:*} file=${lib#*:}
	path=$($cc -print-file-name="$file")
	so=$(readelf -d "$path" 2>/dev/null |
		sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
	if [ -z "$so" ]; then
		echo "owl: no SONAME in $path: is the -dev package of $file" \
			"installed (sh .ci/deps build)?" >&2
		exit 1
	fi
	dir=$(cd "$(dirname "$path")" && pwd -P)
	pkg=$(dpkg-query -S "$dir/$so" 2>/dev/null |
		sed -n '1s/[:,].*//p') || pkg=
	printf '#define LAZY_SONAME_%s "%s"\n' "$id" "$so"
	printf '#define LAZY_PACKAGE_%s "%s"\n' "$id" "$pkg"
done
