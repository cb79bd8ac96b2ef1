/* cmd_ingest.c: `owl ingest [--format F] [FILE|-]`: reads one alert
 * payload and stores it with the code the receiver uses, printing a
 * one-line summary (or --json). */
#include "cmd_ingest.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/buf.h"
#include "engine/config.h"
#include "engine/sanitize.h"
#include "engine/words.h"
#include "integrations/ingest.h"

/* Reads all of f (named name) into b, refusing more than the limit. */
static int
cmd_ingest_read(FILE *f, const char *name, struct buf *b, struct err *err)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b->len + n > INGEST_BODY_MAX)
			return err_set(err, ERR_USAGE,
			    "%s: larger than %u MiB "
			    "(the payload limit)",
			    name, INGEST_BODY_MAX >> 20);
		if (buf_add(b, chunk, n, err) == -1)
			return -1;
	}
	if (ferror(f))
		return err_set(err, ERR_USAGE, "%s: %s", name, strerror(errno));
	return 0;
}

static int
cmd_ingest_load(const char *path, struct buf *b, struct err *err)
{
	FILE *f;
	int rc;

	if (path == NULL || strcmp(path, "-") == 0)
		return cmd_ingest_read(stdin, "stdin", b, err);
	if ((f = fopen(path, "rb")) == NULL)
		return err_set(err, ERR_USAGE, "%s: %s", path, strerror(errno));
	rc = cmd_ingest_read(f, path, b, err);
	fclose(f);
	return rc;
}

static const char *
cmd_ingest_s(size_t n)
{
	return n == 1 ? "" : "s";
}

static void
cmd_ingest_print(const struct ingest_batch *b, const struct ingest_result *r)
{
	if (r->confirmed) {
		printf("%s: subscription confirmed\n", ingest_batch_name(b));
		return;
	}
	if (r->change != 0) {
		printf("%s: change %lld stored, attached to %zu incident%s\n",
		    ingest_batch_name(b), (long long)r->change,
		    r->change_incidents, cmd_ingest_s(r->change_incidents));
		return;
	}
	const char *action = ingest_batch_action(b);
	const char *key = ingest_batch_dedup_key(b);
	char *safe = key != NULL ? sanitize_dup(key, 0) : NULL;

	printf("%s%s%s: %zu alert%s (%zu new), %zu incident%s opened, "
	       "%zu reopened, %zu resolved",
	    ingest_batch_name(b), action ? " " : "", action ? action : "",
	    r->alerts, cmd_ingest_s(r->alerts), r->new_alerts,
	    r->incidents_opened, cmd_ingest_s(r->incidents_opened),
	    r->incidents_reopened, r->incidents_resolved);
	if (r->incidents_acked > 0)
		printf(", %zu acknowledged", r->incidents_acked);
	if (r->dropped > 0)
		printf(", %zu dropped (no open incident)", r->dropped);
	if (r->stale > 0)
		printf(", %zu stale (older than what is stored; logged, not "
		       "applied)",
		    r->stale);
	if (r->incident != 0)
		printf("; INC-%lld", (long long)r->incident);
	if (safe != NULL)
		printf("; dedup_key %s", safe);
	putchar('\n');
	free(safe);
}

static void
cmd_ingest_json(const struct ingest_batch *b, const struct ingest_result *r)
{
	const char *action = ingest_batch_action(b);
	const char *key = ingest_batch_dedup_key(b);
	json_t *o;

	o = json_pack("{s:s, s:s?, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
	              " s:I, s:o, s:o, s:I}",
	    "format", ingest_batch_name(b), "action", action, "dedup_key", key,
	    "alerts", (json_int_t)r->alerts, "new_alerts",
	    (json_int_t)r->new_alerts, "incidents_opened",
	    (json_int_t)r->incidents_opened, "incidents_reopened",
	    (json_int_t)r->incidents_reopened, "incidents_resolved",
	    (json_int_t)r->incidents_resolved, "incidents_acked",
	    (json_int_t)r->incidents_acked, "dropped", (json_int_t)r->dropped,
	    "stale", (json_int_t)r->stale, "incident",
	    r->incident != 0 ? json_integer(r->incident) : json_null(),
	    "change", r->change != 0 ? json_integer(r->change) : json_null(),
	    "change_incidents", (json_int_t)r->change_incidents);
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	putchar('\n');
	json_decref(o);
}

static int
cmd_ingest_do(struct cli *cli, int format, const char *arg, const char *path)
{
	struct ingest_batch *batch = NULL;
	struct ingest_opts *opts = NULL;
	struct config *cfg = NULL;
	struct ingest_result r;
	struct store *s = NULL;
	struct err err;
	struct buf b;
	int rc = CLI_OK;

	err_init(&err);
	buf_init(&b, INGEST_BODY_MAX + 1);
	if ((cfg = config_load(cli->config, &err)) == NULL ||
	    (opts = ingest_opts_new(cfg, &err)) == NULL ||
	    cmd_ingest_load(path, &b, &err) == -1 ||
	    (batch = ingest_parse_opts((enum ingest_format)format, arg,
	         buf_str(&b), b.len, opts, &err)) == NULL ||
	    ingest_prepare(batch, opts, &err) == -1)
		goto fail;
	if (format == INGEST_AUTO)
		fprintf(stderr, "owl: detected format: %s\n",
		    ingest_format_name(ingest_batch_format(batch)));
	if ((s = cli_store(cli, &err)) == NULL ||
	    ingest_store(s, batch, NULL, &r, &err) == -1)
		goto fail;
	if (cli->json)
		cmd_ingest_json(batch, &r);
	else
		cmd_ingest_print(batch, &r);
	goto out;
fail:
	rc = cli_fail(&err);
out:
	ingest_batch_free(batch);
	ingest_opts_free(opts);
	config_free(cfg);
	store_close(s);
	buf_done(&b);
	return rc;
}

/* "--format: 'alertmanger' is not a format; did you mean
 * 'alertmanager'? (formats: ...)" */
static int
cmd_ingest_bad_format(const struct cli_cmd *cmd, const char *name)
{
	const char *names[INGEST_FORMAT_COUNT];
	char hint[400];

	for (int i = 0; i < INGEST_FORMAT_COUNT; i++)
		names[i] = ingest_format_name((enum ingest_format)(
		    (i + 1) % INGEST_FORMAT_COUNT)); /* "auto" last */
	words_hint(
	    hint, sizeof hint, name, names, INGEST_FORMAT_COUNT, "formats", "");
	return cli_usage(cmd, "--format: '%s' is not a format%s", name, hint);
}

static int
cmd_ingest_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = CLI_OK, format = INGEST_AUTO;
	char name[64];
	const char *arg = NULL;

	while ((c = cli_getopt(cli, cmd, argc, argv, "f:j", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'j') {
			cli->json = 1;
			continue;
		}
		/* FORMAT[:ARG]: mapping:NAME, opsgenie-close:ALIAS */
		snprintf(name, sizeof name, "%.*s", (int)strcspn(optarg, ":"),
		    optarg);
		arg = strchr(optarg, ':') ? strchr(optarg, ':') + 1 : NULL;
		if ((format = ingest_format_parse(name)) == -1)
			return cmd_ingest_bad_format(cmd, optarg);
		if ((format == INGEST_MAPPING ||
		        format == INGEST_OPSGENIE_CLOSE ||
		        format == INGEST_OPSGENIE_ACK) &&
		    (arg == NULL || *arg == '\0'))
			return cli_usage(cmd,
			    "--format %s: which one? (%s:NAME; mapping names "
			    "are the config's mappings)",
			    name, name);
	}
	if (optind + 1 < argc)
		return cli_usage(cmd, "ingest: one payload at a time");
	return cmd_ingest_do(
	    cli, format, arg, optind < argc ? argv[optind] : NULL);
}

/* `owl ingest`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_ingest_entry = { "ingest",
	"ingest [--format F] [--json] [FILE|-]",
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
	cmd_ingest_run };
