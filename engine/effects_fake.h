/* effects_fake.h: the fake implementation of the effects interface for
 * runbook tests (`owl test`): answers come from declarations.
 *
 *   { "http":    { "GET http://flags/v1/flags/a": {"status": 200,
 *                    "json": {...}} | {"body": "..."} | [answer, ...],
 *                  "*": {"status": 200} },          -- any other request
 *     "exec":    { "kubectl rollout status x": {"code": 0,
 *                    "stdout": "..."} , "*": {...} },
 *     "files":   { "/etc/app.yaml": "content" },    -- a tiny filesystem
 *     "secrets": { "OPENAI_KEY": "sk-test-0123456789" },
 *     "notify":  { "error": "..." },    -- every notification fails
 *     "git":     { URL: {...} } }       -- see effects_fake_git below
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

/* The fake git effect (effects_fake_git.c): "git": { URL: { "ref":
 * "main", "commit": ID, "files": { PATH: CONTENT }, "history": { PATH:
 * [{commit, author, email, time, subject, content}, ...] (newest
 * first) }, "push": {"error": "..."} | [answer, ...], "revert": the same
 * } }. Edits and commits change the checkout's copy; a declared push
 * error fails the push (a push race). */
struct effects_fake_git;
struct effects_fake_git *effects_fake_git_new(void);
void effects_fake_git_free(struct effects_fake_git *g);
int effects_fake_git(struct effects_fake_git *g, const json_t *decl,
    const struct effects_git *req, struct effects_git_res *res,
    struct err *err);

#endif
