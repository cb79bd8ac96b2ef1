/* jsort.c: a JSON object's members in byte order of their keys
 * (jsort.h). */
#include "jsort.h"

#include <stdlib.h>
#include <string.h>

static int
jsort_keycmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
jsort_object(json_t *o)
{
	size_t n = json_object_size(o), i = 0;
	const char **keys;
	const char *k;
	json_t *out, *v;

	if (n < 2)
		return o;
	keys = malloc(n * sizeof *keys);
	out = keys != NULL ? json_object() : NULL;
	if (out == NULL)
		goto out;
	json_object_foreach(o, k, v) keys[i++] = k;
	qsort(keys, n, sizeof *keys, jsort_keycmp);
	for (i = 0; i < n; i++)
		if (json_object_set(
		        out, keys[i], json_object_get(o, keys[i])) == -1) {
			json_decref(out);
			out = NULL;
			break;
		}
out:
	free(keys);
	json_decref(o);
	return out;
}
