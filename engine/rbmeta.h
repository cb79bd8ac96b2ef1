/* rbmeta.h: a runbook's declaration, the `runbook{...}` table at the top
 * of its file (summary, params, match, timeout), read without running the
 * runbook: the file is evaluated in a minimal Lua state (text chunks only,
 * only side-effect-free base functions, no string library and no
 * metatables, an instruction and a time budget and a memory cap) that
 * stops at the runbook{} call. `runbooks list` reads hundreds of these, so each
 * costs one small state, not a worker process. */
#ifndef OWL_RBMETA_H
#define OWL_RBMETA_H

#include <jansson.h>

#include "err.h"
#include "rbsource.h"

#define RBMETA_MEM_MAX (4 * 1024 * 1024) /* bytes per evaluation */
#define RBMETA_STEPS_MAX 1000000 /* VM instructions per evaluation */
#define RBMETA_TIME_MAX_US 500000 /* wall-clock time per evaluation */

/* Evaluates the declaration of the runbook `name` whose source is the n
 * bytes at src. `require` inside it loads modules from `rs` (the same
 * snapshot), in the same minimal state; rs may be NULL (require then
 * fails). On success returns 0 and sets *meta to the declaration as a JSON
 * object (caller owns it: json_decref), or to NULL when the file never
 * calls runbook{} (a module, not a runbook). A syntax or runtime error,
 * a declaration that is not plain data (strings, numbers, booleans and
 * tables of them), the budget or the cap: -1 with err set (ERR_USAGE,
 * "NAME.lua:LINE: ..."). */
int rbmeta_eval(const char *name, const char *src, size_t n,
    struct rbsource *rs, json_t **meta, struct err *err);

/* Reads the runbook `name` from rs and evaluates its declaration, as
 * rbmeta_eval; also fills blob (RBSOURCE_OID_HEX) when not NULL and, when
 * source is not NULL, appends the file's text to it. */
int rbmeta_load(struct rbsource *rs, const char *name, json_t **meta,
    char *blob, struct buf *source, struct err *err);

/* The one validator of a declaration (owl run, owl test and owl
 * runbooks list say the same): only known fields at every level of
 * runbook{} (summary, params, match, timeout, description, tags,
 * approval; in each param required, default, description, type), and
 * their types. -1 with err set (ERR_USAGE, "runbook{}: ..."). */
int rbmeta_check(const json_t *decl, struct err *err);

#endif
