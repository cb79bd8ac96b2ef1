/* actlog.h: the action log, owl's one append-only, hash-chained record of
 * every state change and every effect. The postmortem timeline is a view
 * of it; `owl audit verify` walks the chain.
 *
 * Each row's hash is SHA-256 over the previous row's hash and a canonical
 * encoding of the row (the genesis prev_hash is 64 zeros):
 *
 *   hash = SHA-256("owl-actlog-v1" 0x00 || prev_hash (32 raw bytes)
 *                  || F(id) || F(at_us) || F(actor) || F(incident)
 *                  || F(run) || F(kind) || F(detail))
 *   F(x) = u32 big-endian length of x || the bytes of x, where integers
 *          are written in decimal ASCII and NULL is the length 0xFFFFFFFF
 *          with no bytes.
 *
 * Length prefixes make the encoding unambiguous and the id in it makes
 * reordering visible; the AUTOINCREMENT counter makes a cut tail visible. */
#ifndef OWL_ACTLOG_H
#define OWL_ACTLOG_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"
#include "hash.h"
#include "store.h"

/* A row to append; strings are borrowed for the call. */
struct actlog_new {
	const char *actor; /* NULL: store_actor(), i.e. actor_name() */
	int64_t incident; /* 0: none */
	int64_t run; /* 0: none */
	const char *kind; /* e.g. "incident.ack", "effect.intent" */
	const char *detail; /* JSON text; NULL: "{}" */
};

/* A row read back; strings belong to the iteration and are valid only
 * during the callback. incident and run are 0 when NULL. */
struct actlog_entry {
	int64_t id;
	int64_t at_us;
	const char *actor;
	int64_t incident;
	int64_t run;
	const char *kind;
	const char *detail;
	const char *prev_hash;
	const char *hash;
};

/* Which rows actlog_each() visits, oldest first. */
struct actlog_filter {
	int64_t incident; /* 0: any */
	int64_t run; /* 0: any */
	int64_t after_id; /* only ids greater than this */
	int64_t limit; /* 0: all; else only the newest `limit` rows */
};

/* Returns nonzero to stop the iteration early. */
typedef int actlog_fn(const struct actlog_entry *e, void *ctx);

/* Appends a row in the current write transaction, or in one of its own
 * when none is open (store_begin nests). Sets *id when id is not NULL. */
int actlog_append(
    struct store *s, const struct actlog_new *e, int64_t *id, struct err *err);

/* The same with the detail given as JSON: e->detail is ignored; the
 * row's detail is json_dumps(detail, flags) (JSON_COMPACT, with
 * JSON_SORT_KEYS where the caller's rows always had it: the text is
 * hashed, so a caller keeps its flags). Takes ownership of detail (one
 * reference, released whatever happens); NULL, as from a failed
 * json_pack, is "out of memory". */
int actlog_append_json(struct store *s, const struct actlog_new *e,
    json_t *detail, size_t flags, int64_t *id, struct err *err);

/* The same at a given time (0: now): for the test tools that write a
 * log with fixed times (its hashes are then the same on every run). */
int actlog_append_at(struct store *s, const struct actlog_new *e, int64_t at_us,
    int64_t *id, struct err *err);

/* Calls fn for each row that matches f, oldest first. Each filter
 * shape has its own statement, served by an index (never a scan of the
 * whole log). */
int actlog_each(struct store *s, const struct actlog_filter *f, actlog_fn *fn,
    void *ctx, struct err *err);

/* The people seen acting on incidents (ack, note, assign, resolve,
 * snooze) among the newest ACTLOG_PEOPLE_SCAN log entries, and the
 * assignees of recently updated incidents: up to max names, most
 * recent first, into a malloc'd array of malloc'd strings (*n of them;
 * free with actlog_people_free). */
#define ACTLOG_PEOPLE_SCAN 20000
int actlog_people(
    struct store *s, size_t max, char ***out, size_t *n, struct err *err);
void actlog_people_free(char **v, size_t n);

/* The SQL text actlog_each() runs for f (for EXPLAIN QUERY PLAN tests). */
const char *actlog_each_sql(const struct actlog_filter *f);

/* The result of walking the chain. */
struct actlog_check {
	int64_t count; /* rows checked */
	int64_t bad_id; /* first bad row, 0 when intact */
	char why[200]; /* what is wrong with it */
	char head[HASH_HEX_LEN]; /* the hash of the last row checked */
};

/* Walks the whole chain in one read transaction. Returns 0 when it could
 * be read (then look at c->bad_id), -1 with err set when it could not. */
int actlog_verify(struct store *s, struct actlog_check *c, struct err *err);

/* The same from the checkpoint: the newest entry a walk found intact,
 * provided it still has the hash it had then (else from the start).
 * Each intact walk moves the checkpoint to its last row. c->count is
 * then the number of entries up to the last. An entry changed before
 * the checkpoint is found by actlog_verify (owl audit verify), and by
 * actlog_entry_ok on the rows a reader uses. */
int actlog_verify_since(
    struct store *s, struct actlog_check *c, struct err *err);

/* Nonzero when the row's hash matches its own content and prev_hash
 * (h: a context from hash_begin, left ready for the next row). */
int actlog_entry_ok(struct hash_ctx *h, const struct actlog_entry *e);

#endif
