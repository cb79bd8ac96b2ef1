/* effects_fake.h: the fake implementation of the effects interface for
 * runbook tests (`owl test`): answers come from declarations.
 *
 *   { "http":    { "GET http://flags/v1/flags/a": {"status": 200,
 *                    "json": {...}} | {"body": "..."} | [answer, ...],
 *                  "*": {"status": 200} },          -- any other request
 *     "exec":    { "kubectl rollout status x": {"code": 0,
 *                    "stdout": "..."} , "*": {...} },
 *     "files":   { "/etc/app.yaml": "content" },    -- a tiny filesystem
 *     "secrets": { "OPENAI_KEY": "sk-test-0123456789" } }
 *
 * A list of answers is used in order, the last one repeating (a flag
 * that reads "normal" and then "degraded"). Writes change the fake
 * files and secrets, so later reads see them. A request with no answer
 * fails with "fake: no answer for PUT http://...". */
#ifndef OWL_EFFECTS_FAKE_H
#define OWL_EFFECTS_FAKE_H

#include <jansson.h>

#include "effects.h"

/* A fake answering from decl (copied). NULL when out of memory; free
 * with effects_free(). */
struct effects *effects_fake_new(const json_t *decl);

#endif
