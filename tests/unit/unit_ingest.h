/* unit_ingest.h: storing payloads and reading incidents in C unit tests
 * that link the ingest code (unit.h is for every test). */
#ifndef OWL_UNIT_INGEST_H
#define OWL_UNIT_INGEST_H

#include "unit.h"

#include "engine/incident.h"
#include "integrations/ingest.h"

/* Parses and stores a payload of format fmt; asserts that it works. */
static inline struct ingest_result
unit_put(struct store *s, enum ingest_format fmt, const char *body)
{
	struct ingest_result r;
	struct ingest_batch *b;
	struct err err;

	err_init(&err);
	b = ingest_parse(fmt, body, strlen(body), &err);
	if (b == NULL)
		fail_msg("parse: %s", err.msg);
	if (ingest_store(s, b, "tester", &r, &err) == -1)
		fail_msg("store: %s", err.msg);
	ingest_batch_free(b);
	return r;
}

/* Reads incident id into inc; asserts that it works. */
static inline void
unit_get(struct store *s, int64_t id, struct incident *inc)
{
	struct err err;

	err_init(&err);
	if (incident_get(s, id, inc, &err) == -1)
		fail_msg("get: %s", err.msg);
}

#endif
