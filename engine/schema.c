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
	/* 2: alerts and incidents (incident.c, incident_ingest.c). Times
	 * are microseconds UTC; resolved_at and snoozed_until are NULL when
	 * not set. An alert belongs to one incident; the same (source,
	 * fingerprint) may come back later in a new incident. */
	"CREATE TABLE incidents ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  source TEXT NOT NULL,"
	"  group_key TEXT NOT NULL,"
	"  state INTEGER NOT NULL,"
	"  severity INTEGER NOT NULL,"
	"  title TEXT NOT NULL,"
	"  alert_count INTEGER NOT NULL DEFAULT 0,"
	"  firing_count INTEGER NOT NULL DEFAULT 0,"
	"  truncated_alerts INTEGER NOT NULL DEFAULT 0,"
	"  opened_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  resolved_at INTEGER,"
	"  last_alert_at INTEGER NOT NULL,"
	"  acked_by TEXT,"
	"  assignee TEXT,"
	"  snoozed_until INTEGER,"
	"  version INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX incidents_group ON incidents(source, group_key, id);"
	"CREATE INDEX incidents_order ON incidents(state, severity, opened_at);"
	"CREATE INDEX incidents_last_alert ON incidents(last_alert_at);"
	"CREATE TABLE alerts ("
	"  id INTEGER PRIMARY KEY,"
	"  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
	"  source TEXT NOT NULL,"
	"  fingerprint TEXT NOT NULL,"
	"  resolved INTEGER NOT NULL,"
	"  severity INTEGER NOT NULL,"
	"  labels TEXT NOT NULL,"
	"  annotations TEXT NOT NULL,"
	"  starts_at INTEGER NOT NULL,"
	"  ends_at INTEGER NOT NULL,"
	"  generator_url TEXT,"
	"  count INTEGER NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  UNIQUE (source, fingerprint, incident_id));"
	"CREATE INDEX alerts_incident ON alerts(incident_id, id);",
	/* 3: owl serve (engine/receiver.c, engine/silence.c): the alerts
	 * each pulled Alertmanager listed last time, to resolve those that
	 * disappear; and the Alertmanager silences owl made for incidents
	 * (expired_at NULL until owl expired them). */
	"CREATE TABLE pull_seen ("
	"  url TEXT NOT NULL,"
	"  fingerprint TEXT NOT NULL,"
	"  seen INTEGER NOT NULL,"
	"  seen_at INTEGER NOT NULL,"
	"  PRIMARY KEY (url, fingerprint)) WITHOUT ROWID;"
	"CREATE INDEX pull_seen_fingerprint ON pull_seen(fingerprint);"
	"CREATE TABLE silences ("
	"  id INTEGER PRIMARY KEY,"
	"  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
	"  am_url TEXT NOT NULL,"
	"  silence_id TEXT NOT NULL,"
	"  fingerprint TEXT,"
	"  created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  ends_at INTEGER NOT NULL,"
	"  expired_at INTEGER,"
	"  UNIQUE (am_url, silence_id));"
	"CREATE INDEX silences_incident ON silences(incident_id);",
};

const int schema_count =
	(int)(sizeof schema_migrations / sizeof schema_migrations[0]);
