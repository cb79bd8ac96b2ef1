/* main.c: owl's entry point: global options, the command table and
 * dispatch. The table drives `owl help`, so a command appears there only
 * once it exists. */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "integrations/rbsel.h"
#include "cmd_act.h"
#include "cmd_audit.h"
#include "cmd_tui.h"
#include "cmd_incidents.h"
#include "cmd_ingest.h"
#include "cmd_oncall.h"
#include "cmd_plan.h"
#include "cmd_recover.h"
#include "cmd_serve.h"
#include "cmd_silence.h"
#include "cmd_run.h"
#include "cmd_runbooks.h"
#include "cmd_runs.h"
#include "cmd_test.h"
#include "cmd_timeline.h"
#include "engine/buf.h"
#include "engine/tzone.h"
#include "engine/words.h"
#include "integrations/libversions.h"

static int main_help(struct cli *, const struct cli_cmd *, int, char **);
static int main_version(struct cli *, const struct cli_cmd *, int, char **);

static const struct cli_cmd main_cmds[] = {
	{ "ack", "ack INC [--note TEXT]",
	    "Acknowledge an incident: someone is on it.",
	    "INC is 42 or INC-42. Logged with the actor ($OWL_ACTOR, else\n"
	    "$SUDO_USER, else the login name). A resolved, unknown or already\n"
	    "acknowledged incident: exit 1.\n"
	    "\nOptions:\n"
	    "  --note TEXT     a note that goes into the same log entry\n"
	    "  --if-version N  refuse (exit 3) when the incident changed since\n"
	    "                  version N (see owl show INC --json)\n",
	    cmd_act_run },
	{ "apply",
	    "apply PLAN [--yes] [--json] [--timeout D] [--no-undo] [--wait] "
	    "[--detach]",
	    "Run a stored dry-run plan live, exactly as planned.",
	    "Runs the plan's runbook (the same commit and blob: another\n"
	    "version is refused), with its params and incident. Before the\n"
	    "first write, the reads the plan made before its first write\n"
	    "(its preconditions) are made again and must see what the plan\n"
	    "saw; a difference refuses the run (exit 3) and names the read:\n"
	    "  GET http://gw/v1/flags/assistant: mode was \"normal\", now\n"
	    "  \"degraded\"\n"
	    "Each write must be the plan's next write, payload and all: any\n"
	    "other (or a different body) stops the run before that write,\n"
	    "and the undo of the steps done runs.\n"
	    "\nOptions:\n"
	    "  --yes           answer yes to confirm() (needed without a\n"
	    "                  terminal)\n"
	    "  --json          one JSON document, as owl run --json\n"
	    "  --timeout D     wall-clock limit (default: the runbook's)\n"
	    "  --no-undo       on failure, do not run the undo functions\n"
	    "  --wait          wait for a target another run is changing\n"
	    "  --detach        run it in a process of its own (new session,\n"
	    "                  no terminal), as owl run --detach\n"
	    "\nExit codes: 0 ok, 1 the run failed, 2 bad usage, 3 refused (a\n"
	    "stale plan, another runbook version, a write not in the plan).\n",
	    cmd_apply_run },
	{ "approve", "approve PLAN",
	    "Approve a plan for another person to apply (two-person rule).",
	    "A runbook that declares approval = \"two-person\" is applied\n"
	    "(owl apply PLAN) only after owl approve PLAN by another person\n"
	    "than the one applying it, from any terminal. The approval is\n"
	    "bound to the plan's hash and logged (plan.approve). Approving\n"
	    "your own dry-run's plan is refused (exit 3).\n",
	    cmd_approve_run },
	{ "assign", "assign INC WHO", "Assign an incident to someone.",
	    "Logged with the actor and the previous assignee. A resolved or\n"
	    "unknown incident: exit 1.\n"
	    "\nOptions:\n"
	    "  --note TEXT     a note that goes into the same log entry\n"
	    "  --if-version N  refuse (exit 3) when the incident changed since\n"
	    "                  version N (see owl show INC --json)\n",
	    cmd_act_run },
	{ "audit", "audit verify | audit log [--json] [--limit N]",
	    "Verify or print the hash-chained action log.",
	    "  audit verify    walk the chain; exit 0 and 'ok: N entries' when\n"
	    "                  intact, exit 3 naming the first bad entry when a\n"
	    "                  row was changed, removed or reordered\n"
	    "  audit log       every action, oldest first, one per line\n"
	    "\nOptions:\n"
	    "  --json          one JSON array of {id, at, actor, incident, run,\n"
	    "                  kind, detail, prev_hash, hash}\n"
	    "  --limit N       only the newest N entries\n",
	    cmd_audit_run },
	{ "handoff", "handoff [--since DUR] [--format md|json]",
	    "The shift report for the next person on call.",
	    "Over the last DUR (default 12h): who is on call now and next,\n"
	    "the incidents still open (with their age), those opened,\n"
	    "reopened, acknowledged and resolved, the pages sent and to whom\n"
	    "(and through what, and those that failed), the runbooks run\n"
	    "and their outcomes, and the notes. From the action log and the\n"
	    "database; untrusted text is made safe and escaped.\n"
	    "\nOptions:\n"
	    "  --since DUR     how far back (8h, 12h, 1d)\n"
	    "  -f, --format F  md (Markdown, the default) or json (one\n"
	    "                  document: since, until, oncall, open, opened,\n"
	    "                  reopened, acknowledged, resolved, pages, runs,\n"
	    "                  notes)\n"
	    "  --json          the same as --format json\n",
	    cmd_handoff_run },
	{ "help", "help [COMMAND]", "Show the commands, or one command's help.",
	    NULL, main_help },
	{ "incidents", "incidents [--all] [--state S] [--limit N] [--json]",
	    "List incidents, most severe and newest first.",
	    "Shows open incidents (triggered or acknowledged): id, state\n"
	    "(\"snoozed\" while snoozed), severity, age, alert count,\n"
	    "assignee (cut at 12 columns; --json has it whole), title.\n"
	    "\nOptions:\n"
	    "  --all           include resolved incidents\n"
	    "  --state S       only triggered, acknowledged or resolved ones\n"
	    "  --limit N       the first N only (rows are streamed in order\n"
	    "                  off an index: the first screen comes at once)\n"
	    "  --json          one JSON array of {id, state, severity, title,\n"
	    "                  source, group_key, alert_count, firing_count,\n"
	    "                  truncated_alerts, opened_at, updated_at,\n"
	    "                  resolved_at, last_alert_at, acked_by, assignee,\n"
	    "                  snoozed_until, version}; times RFC 3339 UTC,\n"
	    "                  absent values null\n",
	    cmd_incidents_run },
	{ "ingest", "ingest [--format F] [--json] [FILE|-]",
	    "Store one alert payload (the receiver's parsers), from FILE or stdin.",
	    "Formats: alertmanager (webhook v4, or an API v2 alert list),\n"
	    "grafana (unified alerting webhook), pagerduty (Events API v2:\n"
	    "trigger, acknowledge, resolve), generic (owl's JSON; Grafana\n"
	    "OnCall formatted-webhook spellings too). Without --format the\n"
	    "format is detected and named on stderr. Prints one line: format,\n"
	    "alerts, incidents opened/reopened/resolved, the incident touched.\n"
	    "A bad payload is refused as a whole (exit 2) with the field named,\n"
	    "e.g. 'owl: alerts[3].startsAt: not an RFC 3339 time'.\n"
	    "Limits: 64 MiB, nesting 64, 100000 alerts, 256 labels (and 256\n"
	    "annotations) per alert, 1024-byte names, 65536-byte values.\n"
	    "\nOptions:\n"
	    "  --format F      alertmanager, grafana, pagerduty, generic, auto\n"
	    "  --json          the summary as one JSON object\n",
	    cmd_ingest_run },
	{ "note", "note INC [--mitigated] TEXT",
	    "Add a note to an incident's log.",
	    "Works on resolved incidents too. An unknown incident: exit 1.\n"
	    "\nOptions:\n"
	    "  --mitigated     the note says the incident is mitigated (the\n"
	    "                  impact stopped, not yet fixed): the first such\n"
	    "                  note, or the first run that ended ok, is the\n"
	    "                  timeline's 'mitigated' time\n"
	    "  --if-version N  refuse (exit 3) when the incident changed since\n"
	    "                  version N (see owl show INC --json)\n",
	    cmd_act_run },
	{ "oncall",
	    "oncall [--at T] [--json] | oncall override WHO --rotation R "
	    "(--to T | --for DUR) [--from T] [--note TEXT] | oncall override "
	    "--remove ID | oncall overrides [--json]",
	    "Who is on call now (or at T), per rotation, and who is next.",
	    "For each rotation of the config (oncall.rotations): who is on\n"
	    "call, since when, who takes over next and when, in the\n"
	    "rotation's zone and in UTC. Overrides (the config's and those\n"
	    "made here) are applied; the newest wins.\n"
	    "\nOptions:\n"
	    "  --at T          at another time: now, or RFC 3339 (e.g.\n"
	    "                  2026-03-29T09:00:00+02:00)\n"
	    "  --json          one JSON document: {at, rotations: [{name, tz,\n"
	    "                  shift, start, handoff, people, now: {person,\n"
	    "                  since, since_local, override}, next: {person,\n"
	    "                  at, at_local}}]}\n"
	    "\noncall override WHO: WHO (a person of oncall.people) is on call\n"
	    "for --rotation R from --from T (default now) to --to T or for\n"
	    "--for DUR (8h, 2d); logged as oncall.override, shown in the TUI.\n"
	    "  --note TEXT     why (logged)\n"
	    "  --remove ID     end override ID early (oncall overrides lists\n"
	    "                  them)\n"
	    "\nExit codes: 0 ok, 1 no rotation configured, 2 bad usage.\n",
	    cmd_oncall_run },
	{ "page", "page WHO|ROTATION TEXT [--incident INC]",
	    "Page someone (or whoever is on call for a rotation) now.",
	    "Sends TEXT to WHO (a person of oncall.people) or to the person on\n"
	    "call for ROTATION, from this process: on the person's channels\n"
	    "in order (oncall.people.NAME.order, else pagerduty, slack,\n"
	    "webhook, email), each retried with backoff\n"
	    "(oncall.delivery.attempts, backoff) before the next. Every\n"
	    "attempt is printed and logged (page.queued, page.sent,\n"
	    "page.failed, page.undeliverable). ^C leaves the page pending\n"
	    "for a running owl serve.\n"
	    "\nOptions:\n"
	    "  --incident INC  the page is about INC (42 or INC-42): shown\n"
	    "                  with it, and PagerDuty's dedup key is INC's\n"
	    "\nExit codes: 0 delivered, 1 undeliverable (or nobody on call),\n"
	    "2 bad usage (an unknown WHO).\n",
	    cmd_page_run },
	{ "plan", "plan show PLAN [--json] | plan diff A B [--json]",
	    "Show a stored plan in full, or what changed between two plans.",
	    "Every dry-run (and every run) is stored as a plan: the runbook,\n"
	    "its commit and blob, the resolved params, every effect in order\n"
	    "with every write in full (HTTP method, URL, headers with secrets\n"
	    "as ***, the JSON body pretty-printed, other bodies as text or\n"
	    "size + SHA-256; exec argv, env names, stdin hash; file diffs;\n"
	    "secret.put names; notifications), what each read saw, and the\n"
	    "preconditions (the reads made before the first write). The hash\n"
	    "covers every write in full (secrets by name, never by value).\n"
	    "\n  plan show PLAN   the plan, its hash, params, preconditions\n"
	    "  plan diff A B    writes added, removed and changed from plan A\n"
	    "                   to plan B, with a diff of each changed write;\n"
	    "                   exit 1 when they differ (like diff(1))\n"
	    "\nOptions:\n"
	    "  --json          one JSON document\n",
	    cmd_plan_run },
	{ "plans", "plans [--incident INC] [--limit N] [--json]",
	    "List stored plans, newest first.",
	    "Each plan: id, hash, dry-run or live, writes, runbook, incident,\n"
	    "when and by whom.\n"
	    "\nOptions:\n"
	    "  --incident INC  only the plans of runs for this incident\n"
	    "  --limit N       at most N plans (default 50)\n"
	    "  --json          one JSON document\n",
	    cmd_plans_run },
	{ "recover",
	    "recover RUN [--recheck] [--undo | --retry [--yes] |\n"
	    "                  --resolve --note TEXT] [--json]",
	    "Look into a crashed or killed run, and resolve it.",
	    "Lists the run's steps from its journal (the intent and result\n"
	    "the chokepoint logs around every effect): done, failed, unknown\n"
	    "(begun and never ended: a write whose intent has no result may\n"
	    "or may not have happened) and not started (steps of the newest\n"
	    "dry-run plan of the same runbook and params never begun). A run\n"
	    "whose owl process is gone is marked interrupted first.\n"
	    "\nOptions:\n"
	    "  --recheck        read again what the unknown steps touched\n"
	    "                   (their HTTP reads, and a GET of the URLs they\n"
	    "                   wrote), and log what was seen\n"
	    "  --undo           run the undo of the steps it did, newest\n"
	    "                   first (the same runbook version and params;\n"
	    "                   the steps are not run again, nothing else is\n"
	    "                   written); the unknown step's undo is not run\n"
	    "  --retry          run the step it did not finish again, and on\n"
	    "                   from there (the same runbook version and\n"
	    "                   params; the steps done are not run again): a\n"
	    "                   step that had begun only when the runbook\n"
	    "                   declares it idempotent = true (else exit 3); a\n"
	    "                   failure undoes every step done, newest first;\n"
	    "                   the questions the run had answered pass, the\n"
	    "                   later ones are asked\n"
	    "  --yes            with --retry: answer those yes (no terminal)\n"
	    "  --resolve --note TEXT  mark the run resolved by hand, with what\n"
	    "                   you found and did (logged as run.recover)\n"
	    "  --json           one JSON document\n"
	    "Each choice is logged on the run (run.recover). Once an undo or\n"
	    "a retry ran, the run is recovered: look at that recovery run.\n"
	    "\nExit codes: 0 ok, 1 the recovery run failed, 2 no such run,\n"
	    "3 the run is not interrupted, or a retry is refused.\n",
	    cmd_recover_run },
	{ "resolve", "resolve INC [--note TEXT]", "Resolve an incident.",
	    "A resolved or unknown incident: exit 1.\n"
	    "\nOptions:\n"
	    "  --note TEXT     a note that goes into the same log entry\n"
	    "  --if-version N  refuse (exit 3) when the incident changed since\n"
	    "                  version N (see owl show INC --json)\n",
	    cmd_act_run },
	{ "run",
	    "run NAME [--dry-run [--offline] [--detailed-exitcode]] "
	    "[--param K=V]... "
	    "[--incident INC] [--yes] [--json] [--timeout D] [--no-undo] [--wait] "
	    "[--detach] "
	    "[--runbooks DIR | --repo PATH|URL [--rev REV] [--worktree]]",
	    "Run a runbook, or dry-run it to see exactly what it would do.",
	    "  The runbook is NAME.lua read from a git commit (--repo, --rev;\n"
	    "  the commit, ref and blob id are recorded with the run, and so\n"
	    "  are the modules it requires) or a plain directory (--runbooks).\n"
	    "  With runbooks.require_signed, an unverified commit is refused\n"
	    "  (exit 3, logged). It runs in a sandboxed worker\n"
	    "  process; every effect is logged before and after, secrets are\n"
	    "  masked. Progress is printed as it goes ([2/5] step ... ok 120 ms).\n"
	    "\nOptions:\n"
	    "  --dry-run       change nothing: reads run live, writes are\n"
	    "                  recorded in a stored plan (file writes with a\n"
	    "                  diff) and printed; confirm() is answered yes\n"
	    "  --offline       with --dry-run: no reads either: an HTTP read\n"
	    "                  fails the step saying it was not made (a made-up\n"
	    "                  answer would mislead the runbook), file reads\n"
	    "                  are unknown; a runbook that reads before it\n"
	    "                  writes needs the network (or owl test NAME)\n"
	    "  --detailed-exitcode  with --dry-run, a CI gate: exit 0 when no\n"
	    "                  write is planned, 2 when writes are, 1 on error\n"
	    "  --param K=V     a runbook parameter (repeat); unknown names and\n"
	    "                  missing required ones are refused (exit 2)\n"
	    "  --incident INC  run for an incident (42 or INC-42); the lease\n"
	    "                  is on (runbook, incident)\n"
	    "  --yes           answer yes to confirm() (needed without a\n"
	    "                  terminal: else the run stops with exit 3)\n"
	    "  --json          print one JSON document: run, runbook, commit,\n"
	    "                  origin {kind, repo, ref, commit, blob,\n"
	    "                  worktree, dirty}, status, dry_run, plan {id,\n"
	    "                  hash, effects},\n"
	    "                  steps, error, departures\n"
	    "  --timeout D     wall-clock limit (e.g. 90s, 5m); default: the\n"
	    "                  runbook's timeout, else 10m\n"
	    "  --no-undo       on failure, do not run the undo functions\n"
	    "  --wait          a target (URL, file, secret) another run is\n"
	    "                  changing: wait for it instead of refusing\n"
	    "  --detach        run in a process of its own (new session, no\n"
	    "                  terminal) and return once it has started: it\n"
	    "                  prints the run id; confirm() waits for owl\n"
	    "                  answer RUN yes|no or a TUI; owl runs show RUN\n"
	    "                  follows it\n" RBSEL_HELP
	    "\nA live run ends by saying where it departed from the last dry-run\n"
	    "plan of the same runbook and params. ^C cancels (undo runs); a\n"
	    "second ^C stops the worker at once. A second live run of the same\n"
	    "runbook for the same incident is refused (exit 3) while the first\n"
	    "holds its lease. A hang-up (a dropped SSH connection) does not\n"
	    "stop a run: it goes on and records everything in the database.\n"
	    "\nOutcomes: ok; failed (the undo of the steps done completed);\n"
	    "rollback-failed (an undo failed: the world is half-changed, and\n"
	    "the last line names the steps left undone); cancelled;\n"
	    "interrupted (owl died: see owl recover RUN).\n"
	    "\nExit codes: 0 ok, 1 the run failed or was cancelled, 2 bad usage\n"
	    "or a runbook that does not load, 3 refused (lease held, confirm\n"
	    "without a terminal).\n",
	    cmd_run_run },
	{ "runs",
	    "runs [--incident INC] [--state S] [--json] | runs show RUN [--json]",
	    "List the runbook runs, running first; or show one as it goes.",
	    "  A run is its own process and writes every step, log() line and\n"
	    "  confirm() question to the database: any terminal can follow it.\n"
	    "  owl runs show RUN: its steps with status and duration, its log\n"
	    "  lines, the question it waits on (answer with owl answer); a\n"
	    "  rollback that failed names the steps it left undone.\n"
	    "\nOptions:\n"
	    "  --incident INC  only the runs for this incident\n"
	    "  --state S       only the runs in this state: running, ok,\n"
	    "                  failed, rollback-failed, cancelled, refused,\n"
	    "                  interrupted\n"
	    "  --json          one JSON document (an array; show: an object\n"
	    "                  with steps, log, waiting_for, waiting_target\n"
	    "                  and left_undone)\n",
	    cmd_runs_run },
	{ "answer", "answer RUN yes|no [--target NAME]",
	    "Answer the confirm() a run without a terminal waits on.",
	    "  Runs started with owl run --detach or from the TUI ask their\n"
	    "  confirm() questions through the database; the first answer\n"
	    "  wins and is logged with its actor; a run that waits on no\n"
	    "  question refuses the answer (exit 3).\n"
	    "\nOptions:\n"
	    "  --target NAME   a confirm({ type = \"target\" }) is answered\n"
	    "                  yes only with its target typed out (owl runs\n"
	    "                  show RUN names it); another name, or none, is\n"
	    "                  refused (exit 3)\n",
	    cmd_answer_run },
	{ "runbooks",
	    "runbooks sync | list | show NAME | log NAME [--json] [source]",
	    "List, show and trace runbooks; sync a remote runbook repository.",
	    "  runbooks list       every runbook: name, summary, params (* =\n"
	    "                      required), match labels, and the commit read;\n"
	    "                      exit 1 when one cannot be read (BROKEN)\n"
	    "  runbooks show NAME  its declaration, origin, blob id and source\n"
	    "  runbooks log NAME   the commits that changed it, newest first:\n"
	    "                      id, date, author, subject\n"
	    "  runbooks sync       fetch the remote into the mirror; print old ->\n"
	    "                      new commit and the runbooks that changed. A\n"
	    "                      failed fetch keeps the mirror as it was (exit 1)\n"
	    "\nOptions:\n"
	    "  --json          one JSON document\n"
	    "  --limit N       runbooks log: only the newest N commits\n" RBSEL_HELP,
	    cmd_runbooks_run },
	{ "serve",
	    "serve [--listen ADDR:PORT] [--token-file F] "
	    "[--hmac-secret-file F] [--pull URL]... [options]",
	    "Receive alerts over HTTP (Alertmanager, Grafana, PagerDuty, generic).",
	    "Endpoints:\n"
	    "  POST /v1/alerts/alertmanager   Alertmanager webhook (version 4)\n"
	    "  POST /v1/alerts/grafana        Grafana webhook (POST or PUT)\n"
	    "  POST /v1/alerts/generic        owl's generic JSON\n"
	    "  POST /v2/enqueue               PagerDuty Events API v2 (202)\n"
	    "  GET  /healthz, GET /metrics    liveness, Prometheus metrics\n"
	    "A 2xx means the alerts are committed to disk; 400 bad payload, 401\n"
	    "bad credentials, 404, 405, 413 body too large, 503 retry later.\n"
	    "\nOptions:\n"
	    "  --listen ADDR:PORT    where to listen (default 127.0.0.1:9095;\n"
	    "                        port 0 picks a free one)\n"
	    "  --token-file F        tokens, one per line: accepted as\n"
	    "                        'Authorization: Bearer TOKEN', as the\n"
	    "                        password of basic auth, and as PagerDuty's\n"
	    "                        routing_key (repeatable); 'TOKEN /PATH...'\n"
	    "                        limits it to those endpoints\n"
	    "  --hmac-secret-file F  HMAC-SHA256 secrets, one per line, for\n"
	    "                        'X-Owl-Signature: t=TS,v1=HEX' (HMAC of\n"
	    "                        \"TS.BODY\") and Grafana's signature with\n"
	    "                        its timestamp: within 5 min, each once\n"
	    "  --insecure            allow a non-loopback --listen without auth\n"
	    "  --tls-cert FILE       serve HTTPS: PEM certificate (chain after\n"
	    "  --tls-key FILE        it) and its key; SIGHUP reloads them\n"
	    "  --max-body SIZE       largest body (default 1M; 413 above)\n"
	    "  --max-inflight SIZE   body bytes in flight, all requests\n"
	    "                        (default 64M; 503 + Retry-After above)\n"
	    "  --max-conns N         open connections (default 1024); when\n"
	    "                        full, the oldest idle one is closed\n"
	    "  --max-conns-per-ip N  per client address (default: half)\n"
	    "  --header-timeout D    time for the request line and headers,\n"
	    "                        also an idle keep-alive (default 2s)\n"
	    "  --request-timeout D   time for the body, and for the reply\n"
	    "                        (default 10s)\n"
	    "  --threads N           connection threads (default: cores)\n"
	    "  --pull URL            also list this Alertmanager's alerts every\n"
	    "                        --pull-interval and resolve the ones that\n"
	    "                        disappear (repeatable)\n"
	    "  --pull-interval D     default 15s; failures back off to 5m\n"
	    "  --pull-grace D        resolve nothing an Alertmanager stopped\n"
	    "                        listing until it has been up this long\n"
	    "                        (a restarted one has forgotten its alerts\n"
	    "                        until Prometheus re-sends them; default\n"
	    "                        3m, 0 to resolve at once)\n"
	    "  --pull-receiver NAME  pull only the groups Alertmanager routes\n"
	    "                        to this receiver (a regex)\n"
	    "  -q, --quiet           no per-request log lines\n"
	    "\nThe config file may set what the flags leave unset:\n"
	    "  serve = { listen = \"127.0.0.1:9095\", token_file = \"...\",\n"
	    "            hmac_secret_file = \"...\", tls_cert = \"...\",\n"
	    "            tls_key = \"...\", pull = { \"http://am:9093\" } }\n"
	    "\nLogs one line per request to stderr (time, method, path, status,\n"
	    "body bytes, milliseconds, client, credential). SIGTERM or SIGINT:\n"
	    "stop accepting, finish and commit the requests in flight, exit 0.\n"
	    "SIGHUP: reload the TLS certificate (open connections keep theirs).\n",
	    cmd_serve_run },
	{ "show", "show INC [--all] [--limit N] [--json]",
	    "Show an incident, its alerts, its runs and its log.",
	    "Prints the incident's fields, its silences, its alerts (labels,\n"
	    "annotations), the runs bound to it (owl run --incident: id,\n"
	    "start, runbook, actor, outcome) and its action log as sentences\n"
	    "(\"acknowledged by alice: on it\"), as the TUI and the timeline\n"
	    "tell them. As text: the first 100 alerts and the newest 100 log\n"
	    "entries, and how many more there are.\n"
	    "\nOptions:\n"
	    "  --all           every alert and log entry\n"
	    "  --limit N       the first N alerts, the newest N entries\n"
	    "  --json          the incident's fields (as owl incidents --json)\n"
	    "                  plus \"alerts\" [{source, fingerprint, status,\n"
	    "                  labels, annotations, starts_at, ends_at,\n"
	    "                  generator_url, count, last_seen}], \"log\"\n"
	    "                  [{id, at, actor, kind, detail}] and \"silences\"\n"
	    "                  [{id, alertmanager, fingerprint, created_by,\n"
	    "                  created_at, ends_at, expired_at}] (owl silence),\n"
	    "                  \"pages\" [{id, kind, to, via, level, origin,\n"
	    "                  actor, state, channel, attempts, text, created_at,\n"
	    "                  done_at, error}] and \"escalation\" {policy,\n"
	    "                  state, level, loop, next_at} or null\n",
	    cmd_incidents_show },
	{ "silence",
	    "silence INC --for DUR [--comment TEXT] "
	    "[--alertmanager URL] | silence INC",
	    "Silence an incident's alerts in Alertmanager, or list its silences.",
	    "Creates one Alertmanager silence per firing alert of the incident,\n"
	    "matching its labels exactly, created by the actor, and records the\n"
	    "ids on the incident (and in the action log). owl serve expires them\n"
	    "when the incident resolves. Without --for, lists the silences.\n"
	    "\nOptions:\n"
	    "  --for DUR             how long (30m, 2h, 1d)\n"
	    "  --comment TEXT        the silence's comment (default: owl INC-N)\n"
	    "  --alertmanager URL    which Alertmanager (default: the one\n"
	    "                        owl serve --pull listed the alerts from,\n"
	    "                        else the externalURL of the Alertmanager\n"
	    "                        whose webhook sent them, if the config\n"
	    "                        lists it: alertmanagers = { URL... } or\n"
	    "                        serve.pull; refused otherwise, exit 3)\n",
	    cmd_silence_run },
	{ "snooze", "snooze INC DURATION",
	    "Snooze an incident for a while (30m, 1h30m, 2d).",
	    "The incident shows as snoozed until then. A resolved or unknown\n"
	    "incident: exit 1.\n"
	    "\nOptions:\n"
	    "  --if-version N  refuse (exit 3) when the incident changed since\n"
	    "                  version N (see owl show INC --json)\n",
	    cmd_act_run },
	{ "test",
	    "test [NAME...] [--runbooks DIR | --repo PATH|URL [--rev REV]]\n"
	    "                  [--json]",
	    "Run runbook tests against fake effects, with a dry-run fidelity check.",
	    "  Each runbook NAME may have NAME.test.lua next to it, returning a\n"
	    "  list of tests: { name=, params=, config=, incident=, fakes=,\n"
	    "  expect = { status=, error=, writes = {\"http.put URL\", ...},\n"
	    "  undo = {...} } }\n"
	    "  (fakes: see runbooks/README.md). Each test runs the runbook live\n"
	    "  against the fakes and checks the expectations, then dry-runs it\n"
	    "  and checks that the plan's writes are exactly the live run's.\n"
	    "  Test runs go to a throwaway database, never the real log.\n"
	    "  Without NAME: every runbook that has a test file.\n"
	    "\nOptions:\n"
	    "  --runbooks DIR  the runbook directory (else $OWL_RUNBOOKS, else\n"
	    "                  runbooks.dir in the config)\n"
	    "  --repo PATH|URL test one commit of a git repository, read as\n"
	    "                  owl run --repo reads it (a URL from its mirror)\n"
	    "  --rev REV       that commit: the branch, tag or commit production\n"
	    "                  runs (default: the repository's HEAD); --ref is\n"
	    "                  the same\n"
	    "  --subdir DIR    the folder of the runbooks in the repository\n"
	    "  --json          one JSON array of {runbook, test, ok, why, writes,\n"
	    "                  planned_writes}\n"
	    "\nExit codes: 0 all passed, 1 a test failed, 2 a test file is\n"
	    "missing or does not load.\n",
	    cmd_test_run },
	{ "timeline",
	    "timeline INC|--since T [--until T] [--format md|json|csv|html]\n"
	    "                  [--summary|--full] [-o FILE]",
	    "Export the postmortem timeline of an incident.",
	    "Rebuilt from the action log alone, one model for every format:\n"
	    "a summary (first alert and resolve in the alerts' own times,\n"
	    "received times beside them when they differ; acknowledged,\n"
	    "mitigated (the first run that ended ok, or note --mitigated,\n"
	    "or one starting 'mitigated'); time to acknowledge, mitigate,\n"
	    "resolve; counts; the audit chain), the participants, the\n"
	    "changes before the first alert, a narrative in the TUI log's\n"
	    "sentences (alerts told by the labels that tell them apart; each\n"
	    "runbook run one block, steps marked ok or failed with their\n"
	    "times, undos, 'rollback failed'; an effect's intent and result\n"
	    "one line), sections for the authors, and an appendix of the\n"
	    "entries' full hashes. html adds a picture of the incident over\n"
	    "time (SVG). The chain is verified first: when it is broken the\n"
	    "export still happens, says so, and owl exits 3. An unknown\n"
	    "incident exits 1.\n"
	    "\nOptions:\n"
	    "  -f, --format F  md (Markdown, the default), json (one document,\n"
	    "                  every entry with its detail), csv (RFC 4180, one\n"
	    "                  row per entry) or html (one self-contained file)\n"
	    "  --summary       md/html: only human actions and runs' starts and\n"
	    "                  ends\n"
	    "  --full          md/html: every log entry, in log order\n"
	    "  --since T       every incident open from T (RFC 3339, or a\n"
	    "                  duration ago: 12h) instead of one INC\n"
	    "  --until T       ...until T (default: now)\n"
	    "  -o, --output FILE\n"
	    "                  write FILE atomically (mode 0644) instead of\n"
	    "                  stdout; a device or a pipe (/dev/null) is\n"
	    "                  written into, not replaced\n",
	    cmd_timeline_run },
	{ "tui", "tui [--readonly] [--env NAME] [--stale DURATION] [--quiet]",
	    "The incident console: live incidents, ack, resolve, note, undo.",
	    "  Needs a terminal (for scripts and pipes use: owl incidents).\n"
	    "  Press ? inside for every key of the current screen.\n"
	    "\nOptions:\n"
	    "  --readonly      watch only: every changing key is disabled\n"
	    "  --env NAME      environment shown in the header (e.g. PROD);\n"
	    "                  default $OWL_ENV, else the config's env\n"
	    "  --stale DUR     show STALE when no alert arrived for this long\n"
	    "                  (default 15m)\n"
	    "  --quiet         no bell for a new critical incident (the\n"
	    "                  config's tui.bell: \"bell\", \"flash\", \"off\")\n"
	    "\nOn exit it prints what you did in the session (a hand-over\n"
	    "note). Environment: OWL_ACTOR (who acts), OWL_ENV, NO_COLOR, TZ.\n",
	    cmd_tui_run },
	{ "unsilence", "unsilence INC",
	    "Expire the Alertmanager silences owl made for an incident.", NULL,
	    cmd_unsilence_run },
	{ "version", "version",
	    "Show owl's version and the versions of the libraries it runs on.",
	    NULL, main_version },
};

#define MAIN_NCMDS (sizeof main_cmds / sizeof main_cmds[0])

static const struct cli_cmd *
main_find(const char *name)
{
	for (size_t i = 0; i < MAIN_NCMDS; i++)
		if (strcmp(main_cmds[i].name, name) == 0)
			return &main_cmds[i];
	return NULL;
}

/* "owl: unknown command 'X'; did you mean 'Y'? (commands: ...)" */
static int
main_unknown(const char *name)
{
	const char *names[MAIN_NCMDS];
	char hint[400];

	for (size_t i = 0; i < MAIN_NCMDS; i++)
		names[i] = main_cmds[i].name;
	words_hint(hint, sizeof hint, name, names, MAIN_NCMDS, "commands", "");
	return cli_usage_bare("unknown command '%s'%s", name, hint);
}

static void
main_usage(FILE *f)
{
	fputs("usage: owl [--db PATH] [--config PATH] COMMAND [ARGS]\n\n"
	      "owl is the on-call console for AI systems in production.\n\n"
	      "Commands:\n",
	    f);
	for (size_t i = 0; i < MAIN_NCMDS; i++)
		fprintf(
		    f, "  %-10s %s\n", main_cmds[i].name, main_cmds[i].summary);
	fputs("\nExit codes: 0 ok, 1 failed, 2 bad usage or input, 3 refused.\n"
	      "Run 'owl help COMMAND' for a command's options.\n",
	    f);
}

static int
main_help(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 } };
	const struct cli_cmd *c;
	int rc = CLI_OK, o;

	while ((o = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1)
		if (o == -2)
			return rc;
	if (optind >= argc) {
		main_usage(stdout);
		return CLI_OK;
	}
	if (optind + 1 < argc)
		return cli_usage(cmd, "help: one command at a time");
	if ((c = main_find(argv[optind])) == NULL)
		return main_unknown(argv[optind]);
	cli_help(c, stdout);
	return CLI_OK;
}

static int
main_version(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 } };
	struct err err;
	const char *cv;
	struct buf b;
	int rc = CLI_OK, o;

	while ((o = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1)
		if (o == -2)
			return rc;
	if (optind < argc)
		return cli_usage(
		    cmd, "version: unexpected argument '%s'", argv[optind]);
	err_init(&err);
	buf_init(&b, 0);
	if (libversions_format(&b, &err) == -1) {
		buf_done(&b);
		return cli_fail(&err);
	}
	cv = curses_version(); /* "ncurses 6.4.20221231" */
	cv += strcspn(cv, "0123456789");
	printf("owl %s\n%sncursesw %s\n", OWL_VERSION, buf_str(&b), cv);
	buf_done(&b);
	return CLI_OK;
}

/* Parses the global options that come before the command name. Returns
 * the index of the command name, or -1 after printing an error (rc set). */
static int
main_globals(struct cli *cli, int argc, char **argv, int *rc)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			main_usage(stdout);
			*rc = CLI_OK;
			return -1;
		}
		if (strcmp(a, "--version") == 0)
			return i; /* handled as the command "version" */
		if (strcmp(a, "--db") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 >= argc) {
				*rc = cli_usage(
				    NULL, "%s: option needs a value", a);
				return -1;
			}
			if (a[2] == 'd')
				cli->db = argv[++i];
			else
				cli->config = argv[++i];
		} else if (strncmp(a, "--db=", 5) == 0) {
			cli->db = a + 5;
		} else if (strncmp(a, "--config=", 9) == 0) {
			cli->config = a + 9;
		} else {
			*rc = cli_usage(NULL, "unknown option %s", a);
			return -1;
		}
	}
	if (i >= argc) {
		main_usage(stderr);
		*rc = CLI_USAGE;
		return -1;
	}
	return i;
}

int
main(int argc, char **argv)
{
	struct cli cli = { 0 };
	const struct cli_cmd *cmd;
	const char *name;
	int rc = CLI_OK, i;

	setlocale(LC_ALL, "");
	/* the user's locale for text, never for numbers: owl's outputs are
	 * read by programs (/metrics, JSON, logs), and a decimal comma
	 * (LANG=de_DE.UTF-8) made Prometheus refuse every scrape */
	setlocale(LC_NUMERIC, "C");
	tzone_init(); /* before any thread: see engine/tzone.h */
	if ((i = main_globals(&cli, argc, argv, &rc)) == -1)
		return rc;
	name = strcmp(argv[i], "--version") == 0 ? "version" : argv[i];
	if ((cmd = main_find(name)) == NULL)
		return main_unknown(name);
	optind = 0; /* GNU getopt: start afresh on the command's arguments */
	rc = cmd->run(&cli, cmd, argc - i, argv + i);
	return rc == CLI_DONE ? CLI_OK : rc;
}
