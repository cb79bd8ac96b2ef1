/* schema.c: the migrations that build owl's database, applied in order by
 * store_open(). Each is one SQL script; append new ones at the end. */
#include "schema.h"

const char *const schema_migrations[] = {
	/* 1: the action log, append-only and hash-chained (actlog.c). */
	"CREATE TABLE actlog ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  at_us INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  incident_id INTEGER,"
	"  run_id INTEGER,"
	"  kind TEXT NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  prev_hash TEXT NOT NULL,"
	"  hash TEXT NOT NULL);"
	"CREATE INDEX actlog_incident ON actlog(incident_id)"
	"  WHERE incident_id IS NOT NULL;"
	"CREATE INDEX actlog_run ON actlog(run_id) WHERE run_id IS NOT NULL;"
	"CREATE TRIGGER actlog_no_update BEFORE UPDATE ON actlog"
	"  BEGIN SELECT RAISE(ABORT, 'the action log is append-only'); END;"
	"CREATE TRIGGER actlog_no_delete BEFORE DELETE ON actlog"
	"  BEGIN SELECT RAISE(ABORT, 'the action log is append-only'); END;",
};

const int schema_count =
	(int)(sizeof schema_migrations / sizeof schema_migrations[0]);
