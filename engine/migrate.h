/* migrate.h: `owl migrate --to postgresql://...`: copies an SQLite
 * database, every table, into an empty PostgreSQL database in one
 * transaction, and verifies the action log's chain there before it
 * commits. */
#ifndef OWL_MIGRATE_H
#define OWL_MIGRATE_H

#include <stdint.h>

#include "err.h"
#include "store.h"

struct migrate_result {
	int64_t incidents, alerts, runs, plans, pages, entries; /* copied */
	int64_t rows; /* every row of every table */
	char head[65]; /* the chain's last hash, verified on arrival */
};

/* Copies every row of from (SQLite) into to (PostgreSQL, opened with
 * store_open: owl's tables there, empty). Refuses (ERR_REFUSED) a
 * target that holds owl data already (a second run copies nothing
 * twice), and rolls everything back when the copied action log does not
 * verify or a table's row count differs. 0 with r filled, or -1 with err
 * set; nothing is written to from. */
int migrate_copy(struct store *from, struct store *to, struct migrate_result *r,
    struct err *err);

#endif
