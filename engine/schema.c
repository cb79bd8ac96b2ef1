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
	/* 4: runbook runs, their steps, stored plans and leases (rb_*.c). */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  runbook TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  commit_id TEXT,"
	"  source_sha256 TEXT NOT NULL,"
	"  params TEXT NOT NULL,"
	"  incident_id INTEGER,"
	"  actor TEXT NOT NULL,"
	"  dry_run INTEGER NOT NULL,"
	"  offline INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL,"
	"  error TEXT,"
	"  pid INTEGER NOT NULL,"
	"  host TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL,"
	"  ended_at INTEGER,"
	"  plan_id INTEGER);"
	"CREATE INDEX runs_running ON runs(status) WHERE status = 'running';"
	"CREATE INDEX runs_incident ON runs(incident_id)"
	"  WHERE incident_id IS NOT NULL;"
	"CREATE TABLE run_steps ("
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  seq INTEGER NOT NULL,"
	"  idx INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  undo INTEGER NOT NULL,"
	"  status TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL,"
	"  ms INTEGER,"
	"  error TEXT,"
	"  PRIMARY KEY (run_id, seq));"
	"CREATE TABLE plans ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id),"
	"  runbook TEXT NOT NULL,"
	"  source_sha256 TEXT NOT NULL,"
	"  params TEXT NOT NULL,"
	"  dry_run INTEGER NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  effects TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX plans_lookup ON plans(runbook, source_sha256, params,"
	"  dry_run);"
	"CREATE TABLE leases ("
	"  runbook TEXT NOT NULL,"
	"  incident_key INTEGER NOT NULL,"
	"  run_id INTEGER NOT NULL,"
	"  holder TEXT NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  host TEXT NOT NULL,"
	"  acquired_at INTEGER NOT NULL,"
	"  expires_at INTEGER NOT NULL,"
	"  PRIMARY KEY (runbook, incident_key));",
	/* 5: where a run's runbook came from, beside runs.commit_id: the
	 * ref, the runbook's blob id, and whether it was read from a working
	 * tree with uncommitted changes (rbsource.h). */
	"ALTER TABLE runs ADD COLUMN source_ref TEXT;"
	"ALTER TABLE runs ADD COLUMN blob_id TEXT;"
	"ALTER TABLE runs ADD COLUMN dirty INTEGER NOT NULL DEFAULT 0;",
	/* 6: the URL of the Alertmanager that sent an incident's alerts
	 * (its externalURL), where `owl silence` creates silences. */
	"ALTER TABLE incidents ADD COLUMN sender_url TEXT;",
	/* 7: storm-proof reads (incident_page.c). An index per list order,
	 * so a page is an index walk with no sort: the default list
	 * (severity, newest) of open incidents and of all, by state, the
	 * snoozed ones, newest, most alerts, by id; and the "k=v" text of
	 * an incident's alerts (bounded, alert.h ALERT_MATCH_MAX) that the
	 * TUI's filter searches instead of every alert. */
	"DROP INDEX incidents_order;"
	"CREATE INDEX incidents_order ON incidents(state, severity,"
	"  opened_at, id);"
	"CREATE INDEX incidents_open ON incidents(severity, opened_at, id)"
	"  WHERE state <> 2;"
	"CREATE INDEX incidents_all ON incidents(severity, opened_at, id);"
	"CREATE INDEX incidents_snoozed ON incidents(severity, opened_at, id,"
	"  snoozed_until, state) WHERE snoozed_until IS NOT NULL AND state <> 2;"
	"CREATE INDEX incidents_newest ON incidents(opened_at, id)"
	"  WHERE state <> 2;"
	"CREATE INDEX incidents_alerts ON incidents(alert_count, id)"
	"  WHERE state <> 2;"
	"CREATE INDEX incidents_open_id ON incidents(id) WHERE state <> 2;"
	"ALTER TABLE incidents ADD COLUMN match_text TEXT NOT NULL"
	"  DEFAULT '';"
	"UPDATE incidents SET match_text = coalesce((SELECT substr("
	"  group_concat(k || '=' || v || ' ', ''), 1, 4096) FROM ("
	"  SELECT j.key AS k, j.value AS v FROM alerts a, json_each(a.labels) j"
	"  WHERE a.incident_id = incidents.id AND j.type = 'text' UNION"
	"  SELECT j.key, j.value FROM alerts a, json_each(a.annotations) j"
	"  WHERE a.incident_id = incidents.id AND j.type = 'text')), '');",
	/* 8: the newest entry of the action log that a walk of the chain
	 * found intact (actlog.c): later checks start from it. */
	"CREATE TABLE actlog_checkpoint ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  entry INTEGER NOT NULL,"
	"  hash TEXT NOT NULL,"
	"  at_us INTEGER NOT NULL);",
	/* 9: order and staleness (incident_ingest.c). An alert's starts_at
	 * and ends_at are the sender's times when times_given says so (1:
	 * starts_at, 2: ends_at; else the time owl received the event),
	 * received_starts/received_ends when owl received the event that
	 * began or ended its episode; severity_raw the sender's word when
	 * it is not one of owl's four. An incident's started_at and
	 * ended_at come from its alerts (first startsAt, last endsAt),
	 * beside opened_at and resolved_at, owl's own times. */
	"ALTER TABLE alerts ADD COLUMN times_given INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE alerts ADD COLUMN received_starts INTEGER;"
	"ALTER TABLE alerts ADD COLUMN received_ends INTEGER;"
	"ALTER TABLE alerts ADD COLUMN severity_raw TEXT;"
	"UPDATE alerts SET received_starts = first_seen,"
	"  received_ends = CASE WHEN resolved THEN last_seen END;"
	"ALTER TABLE incidents ADD COLUMN started_at INTEGER;"
	"ALTER TABLE incidents ADD COLUMN ended_at INTEGER;"
	"UPDATE incidents SET started_at = (SELECT min(starts_at) FROM alerts"
	"  WHERE incident_id = incidents.id), ended_at = CASE WHEN state = 2"
	"  THEN (SELECT max(ends_at) FROM alerts"
	"  WHERE incident_id = incidents.id) END;",
	/* 10: paging (oncall_override.c, escalation.c, pages.c): overrides
	 * of who is on call; one escalation per incident (the level it is
	 * at, when the next one is due); every page to one person, with the
	 * channel it is on and when it is tried next (the attempts are in
	 * the action log); the pager's cursor in the action log and its
	 * lease, in paging_state. */
	"CREATE TABLE oncall_overrides ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  rotation TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  from_us INTEGER NOT NULL,"
	"  to_us INTEGER NOT NULL,"
	"  note TEXT,"
	"  created_by TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  removed_by TEXT,"
	"  removed_at INTEGER);"
	"CREATE TABLE escalations ("
	"  incident_id INTEGER PRIMARY KEY REFERENCES incidents(id),"
	"  policy TEXT,"
	"  state TEXT NOT NULL,"
	"  level INTEGER NOT NULL,"
	"  loop INTEGER NOT NULL,"
	"  base_us INTEGER NOT NULL,"
	"  next_at INTEGER,"
	"  paused_at INTEGER,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX escalations_due ON escalations(state, next_at);"
	"CREATE TABLE pages ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  incident_id INTEGER REFERENCES incidents(id),"
	"  kind TEXT NOT NULL,"
	"  person TEXT NOT NULL,"
	"  via TEXT,"
	"  level INTEGER,"
	"  text TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  channel TEXT,"
	"  chan_idx INTEGER NOT NULL DEFAULT 0,"
	"  chan_attempt INTEGER NOT NULL DEFAULT 0,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_try_at INTEGER NOT NULL,"
	"  claim TEXT,"
	"  claimed_until INTEGER,"
	"  closed INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL,"
	"  done_at INTEGER,"
	"  error TEXT);"
	"CREATE INDEX pages_due ON pages(state, next_try_at);"
	"CREATE INDEX pages_incident ON pages(incident_id)"
	"  WHERE incident_id IS NOT NULL;"
	"CREATE INDEX pages_created ON pages(created_at);"
	"CREATE TABLE paging_state ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL) WITHOUT ROWID;",
	/* 11: the replay cache of owl serve (receiver.c): each signature
	 * (the MAC of a signed delivery) it accepted, until its signed time
	 * leaves the window; recorded in the transaction of the alerts. */
	"CREATE TABLE signatures_seen ("
	"  mac BLOB PRIMARY KEY,"
	"  until_us INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX signatures_seen_until ON signatures_seen(until_us);",
	/* 12: change events (change.c): a deploy, a config push, stored
	 * once and attached as context to the incidents of their time. */
	"CREATE TABLE changes ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  at_us INTEGER NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  source TEXT,"
	"  summary TEXT NOT NULL,"
	"  details TEXT NOT NULL,"
	"  links TEXT NOT NULL);"
	"CREATE INDEX changes_at ON changes(at_us);"
	/* and the labels an Alertmanager group is made of (groupLabels):
	 * what `owl silence` silences by when the sender truncated it */
	"ALTER TABLE incidents ADD COLUMN group_labels TEXT;",
	/* 13: the identity of the process running a run or holding a lease
	 * (boot id and start time, rb_lease.h), so that a pid reused by
	 * another process is not taken for it. */
	/* (in parentheses: clang takes two literals ending an array for a
	 * missing comma) */
	("ALTER TABLE runs ADD COLUMN proc TEXT;"
	 "ALTER TABLE leases ADD COLUMN holder_proc TEXT;"),
	/* 14: the incident list with the resolved ones shown (the TUI's R):
	 * newest and most alerts over every state, each off its index. */
	("CREATE INDEX incidents_newest_all ON incidents(opened_at, id);"
	 "CREATE INDEX incidents_alerts_all ON incidents(alert_count, id);"),
	/* 15: how many incidents are in each state, kept by triggers, so
	 * that the list's counts (the TUI's header, every frame's paging)
	 * cost a row, not a walk of 100,000 open incidents. */
	("CREATE TABLE incident_counts ("
	 "  state INTEGER PRIMARY KEY,"
	 "  n INTEGER NOT NULL);"
	 "INSERT INTO incident_counts(state, n)"
	 "  SELECT state, count(*) FROM incidents GROUP BY state;"
	 "CREATE TRIGGER incident_counts_insert AFTER INSERT ON incidents"
	 " BEGIN"
	 "  INSERT INTO incident_counts(state, n) VALUES (new.state, 1)"
	 "   ON CONFLICT(state) DO UPDATE SET n = n + 1;"
	 " END;"
	 "CREATE TRIGGER incident_counts_delete AFTER DELETE ON incidents"
	 " BEGIN"
	 "  UPDATE incident_counts SET n = n - 1 WHERE state = old.state;"
	 " END;"
	 "CREATE TRIGGER incident_counts_state AFTER UPDATE OF state"
	 " ON incidents WHEN new.state IS NOT old.state"
	 " BEGIN"
	 "  UPDATE incident_counts SET n = n - 1 WHERE state = old.state;"
	 "  INSERT INTO incident_counts(state, n) VALUES (new.state, 1)"
	 "   ON CONFLICT(state) DO UPDATE SET n = n + 1;"
	 " END;"),
	/* 16: approvals of plans (plan.c): who approved which plan, bound
	 * to its hash, for runbooks that declare approval = "two-person". */
	("CREATE TABLE plan_approvals ("
	 "  plan_id INTEGER NOT NULL REFERENCES plans(id),"
	 "  hash TEXT NOT NULL,"
	 "  actor TEXT NOT NULL,"
	 "  at INTEGER NOT NULL,"
	 "  PRIMARY KEY (plan_id, actor));"),
	/* 17: a step declared idempotent = true (rb_api.c), which `owl
	 * recover RUN --retry` may run again when it was cut short. */
	("ALTER TABLE run_steps ADD COLUMN idempotent INTEGER NOT NULL "
	 "DEFAULT 0;"),
	/* 18: the plans of a runbook version, newest first (the index's
	 * rowid order): a run's start reads the step count of the newest
	 * that ended ok (rb_runs_plan_steps) without sorting every plan
	 * that version ever made. */
	("CREATE INDEX plans_source ON plans(runbook, source_sha256);"),
	/* 19: what an incident's alerts' labels have in common, kept by the
	 * ingest (engine/labelsum.h): runbook suggestions read it instead of
	 * walking 100,000 alerts. NULL: not known (an incident from before
	 * it was kept). */
	("ALTER TABLE incidents ADD COLUMN label_keys TEXT;"),
};

const int schema_count =
    (int)(sizeof schema_migrations / sizeof schema_migrations[0]);
