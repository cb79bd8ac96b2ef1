/* jsort.h: a JSON object with its members in byte order of their keys.
 * A Lua table turned into JSON (a runbook's declaration, a request body,
 * a plan's payload) comes in Lua's iteration order, which changes from
 * one process to the next (string hashes are seeded per state); what
 * owl prints from it should read the same every time. */
#ifndef OWL_JSORT_H
#define OWL_JSORT_H

#include <jansson.h>

/* o's members, in byte order of their keys (strcmp), as a new object;
 * takes o's reference (o itself when it has fewer than two members).
 * Only o's own members are reordered, not those of objects inside it.
 * NULL when out of memory (o is released). */
json_t *jsort_object(json_t *o);

#endif
