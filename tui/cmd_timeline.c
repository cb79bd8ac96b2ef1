/* cmd_timeline.c: `owl timeline INC|--since T [--until T] [--format
 * md|json|csv|html] [--summary|--full] [-o FILE]` prints or writes the
 * postmortem timeline of an incident, or of every incident open in a
 * window (engine/timeline.h, the formats in timeline_*.c), after
 * verifying the action log's chain; a broken chain is said in the
 * export itself and exits 3. */
#include "cmd_timeline.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/actlog.h"
#include "engine/atomicfile.h"
#include "engine/clock.h"
#include "engine/sanitize.h"
#include "engine/timeline.h"
#include "engine/words.h"
#include "timeline_fmt.h"

/* The most bytes one piece of an export (the header, one event) takes
 * in memory; the export itself is streamed and has no ceiling. */
#define TL_PIECE_MAX ((size_t)1 << 20)
/* The most incidents one --since/--until export holds. */
#define TL_WINDOW_MAX 500

enum tl_fmt { TL_MD, TL_JSON, TL_CSV, TL_HTML };

static const struct tl_format *const tl_formats[] = {
	[TL_MD] = &tl_fmt_md,
	[TL_JSON] = &tl_fmt_json,
	[TL_CSV] = &tl_fmt_csv,
	[TL_HTML] = &tl_fmt_html,
};

/* How each reads the log: md and html show no entry's raw detail. */
static const unsigned tl_how[] = {
	[TL_MD] = TIMELINE_LEAN,
	[TL_JSON] = 0,
	[TL_CSV] = 0,
	[TL_HTML] = TIMELINE_LEAN,
};

static int
tl_headhash(const struct actlog_entry *e, void *ctx)
{
	snprintf(ctx, 65, "%s", e->hash ? e->hash : "");
	return 0;
}

/* Verifies the chain from its checkpoint, and reads the incident's
 * header (pass one), checking each of its entries against its hash. */
static int
tl_load(struct store *s, int64_t id, unsigned how, struct tl_doc *d,
    struct err *err)
{
	if (actlog_verify_since(s, &d->chk, err) == -1)
		return -1;
	snprintf(d->head, sizeof d->head, "%s", d->chk.head);
	if (d->chk.bad_id != 0) {
		struct actlog_filter last = { .limit = 1 };

		if (actlog_each(s, &last, tl_headhash, d->head, err) == -1)
			return -1;
	}
	if (timeline_open_as(s, id, how, &d->t, err) == -1)
		return -1;
	if (d->chk.bad_id == 0 && d->t.bad_id != 0) {
		d->chk.bad_id = d->t.bad_id;
		snprintf(d->chk.why, sizeof d->chk.why,
		    "its content does not match its hash (changed after it "
		    "was written)");
	}
	return 0;
}

static int
tl_format(const char *name, enum tl_fmt *f)
{
	static const char *const names[] = { "md", "json", "csv", "html" };

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0) {
			*f = (enum tl_fmt)i;
			return 0;
		}
	if (strcmp(name, "markdown") == 0) {
		*f = TL_MD;
		return 0;
	}
	return -1;
}

/* Verifies the chain once, then writes the incidents in format f to
 * o: one, or those of a window. *broken is the first bad entry. */
static int
tl_render(struct store *s, const int64_t *ids, size_t n, enum tl_fmt f,
    enum timeline_shown mode, struct tl_out *o, struct tl_doc *bad)
{
	const struct tl_format *fm = tl_formats[f];
	struct tl_doc d;
	int rc = 0;

	if (fm->begin(o) == -1)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		memset(&d, 0, sizeof d);
		d.mode = mode;
		rc = tl_load(s, ids[i], tl_how[f], &d, o->err) == -1 ||
		        fm->incident(o, &d) == -1 || tl_flush(o) == -1
		    ? -1
		    : 0;
		if (rc == 0 && d.chk.bad_id != 0 && bad->chk.bad_id == 0)
			bad->chk = d.chk;
		o->n++;
		timeline_close(&d.t);
	}
	if (rc == 0 && (fm->end(o) == -1 || tl_flush(o) == -1))
		rc = -1;
	return rc;
}

/* Whether path is a device, a pipe or a socket (-o /dev/null, -o
 * /dev/stdout, -o >(gzip)): written to, not replaced. */
static int
tl_stream_path(const char *path)
{
	struct stat st;

	return path != NULL && stat(path, &st) == 0 &&
	    (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
	        S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

/* Renders to the stream f (named name), then flushes it. */
static int
tl_emit_stream(struct store *s, const int64_t *ids, size_t n, enum tl_fmt f,
    enum timeline_shown mode, struct tl_out *o, FILE *fp, const char *name,
    struct tl_doc *bad)
{
	int rc;

	o->f = fp;
	rc = tl_render(s, ids, n, f, mode, o, bad);
	if (rc == 0 && fflush(fp) != 0)
		rc = err_set(
		    o->err, ERR_FAILED, "%s: %s", name, strerror(errno));
	return rc;
}

/* Prints the export, or writes it to path atomically (mode 0644), or
 * into path when it is a device or a pipe. */
static int
tl_emit(struct store *s, const int64_t *ids, size_t n, enum tl_fmt f,
    enum timeline_shown mode, struct tl_out *o, const char *path,
    struct tl_doc *bad)
{
	struct atomicfile af;
	FILE *fp;
	int rc = -1;

	buf_init(&o->b, TL_PIECE_MAX);
	if (path == NULL) {
		rc = tl_emit_stream(
		    s, ids, n, f, mode, o, stdout, "stdout", bad);
	} else if (tl_stream_path(path)) {
		if ((fp = fopen(path, "we")) == NULL)
			rc = err_set(o->err, ERR_FAILED, "%s: %s", path,
			    strerror(errno));
		else if ((rc = tl_emit_stream(
		              s, ids, n, f, mode, o, fp, path, bad)) == 0 &&
		    fclose(fp) != 0)
			rc = err_set(o->err, ERR_FAILED, "%s: %s", path,
			    strerror(errno));
		else if (rc != 0)
			fclose(fp);
	} else if (atomicfile_open(&af, path, 0644, o->err) == 0) {
		o->af = &af;
		if ((rc = tl_render(s, ids, n, f, mode, o, bad)) == 0)
			rc = atomicfile_commit(&af, o->err);
		else
			atomicfile_abort(&af);
	}
	buf_done(&o->b);
	return rc;
}

/* A time of --since/--until: RFC 3339, or a duration ago ("12h"). */
static int
tl_when(const char *s, int64_t now, int64_t *us)
{
	int64_t d;

	if (clock_parse(s, us, NULL) == 0)
		return 0;
	if (clock_parse_duration(s, &d, NULL) == 0) {
		*us = now - d;
		return 0;
	}
	return -1;
}

/* "--format: 'jsn' is not a format; did you mean 'json'? (formats: md,
 * json, csv, html)" */
static int
tl_bad_format(const struct cli_cmd *cmd, const char *name)
{
	static const char *const names[] = { "md", "json", "csv", "html" };
	char hint[200];

	words_hint(hint, sizeof hint, name, names, 4, "formats", "");
	return cli_usage(cmd, "--format: '%s' is not a format%s", name, hint);
}

struct tl_args {
	enum tl_fmt fmt;
	enum timeline_shown mode;
	const char *out, *since, *until;
};

static int
tl_args(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    struct tl_args *a)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "summary", no_argument, NULL, 'S' },
		{ "full", no_argument, NULL, 'F' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = CLI_OK, modes = 0;

	while (
	    (c = cli_getopt(cli, cmd, argc, argv, "f:o:", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'f' && tl_format(optarg, &a->fmt) == -1)
			return tl_bad_format(cmd, optarg);
		if (c == 'o')
			a->out = optarg;
		if (c == 'S' || c == 'F') {
			a->mode = c == 'S' ? TIMELINE_SUMMARY : TIMELINE_FULL;
			modes++;
		}
		if (c == 's')
			a->since = optarg;
		if (c == 'u')
			a->until = optarg;
	}
	if (modes > 1)
		return cli_usage(
		    cmd, "timeline: --summary or --full, not both");
	return CLI_OK;
}

/* The incidents to export: INC, or those of --since/--until. */
static int
tl_which(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
    const struct tl_args *a, struct tl_out *o, int64_t **ids, size_t *n)
{
	int64_t now = clock_now_us();
	long long id;
	struct store *s;

	*ids = NULL;
	*n = 0;
	if (a->since == NULL && a->until != NULL)
		return cli_usage(cmd, "timeline: --until needs --since");
	if (a->since != NULL) {
		if (optind < argc)
			return cli_usage(
			    cmd, "timeline: an incident or --since, not both");
		if (tl_when(a->since, now, &o->since) == -1)
			return cli_usage(cmd,
			    "--since: '%s' is not a time (RFC 3339, or a "
			    "duration ago: 12h)",
			    a->since);
		o->until = now;
		if (a->until != NULL && tl_when(a->until, now, &o->until) == -1)
			return cli_usage(cmd,
			    "--until: '%s' is not a time (RFC 3339, or a "
			    "duration ago: 1h)",
			    a->until);
		if (o->until < o->since)
			return cli_usage(
			    cmd, "timeline: --until is before --since");
		if ((s = cli_store_existing(cli, o->err)) == NULL)
			return cli_fail(o->err);
		if (timeline_window(s, o->since, o->until, TL_WINDOW_MAX, ids,
		        n, o->err) == -1) {
			store_close(s);
			return cli_fail(o->err);
		}
		store_close(s);
		return CLI_OK;
	}
	if (optind >= argc)
		return cli_usage(
		    cmd, "timeline: say which incident, or --since TIME");
	if (cli_incident_id(argv[optind], &id) == -1)
		return cli_usage(
		    cmd, "timeline: '%s' is not an incident id", argv[optind]);
	if (optind + 1 < argc)
		return cli_usage(cmd, "timeline: unexpected argument '%s'",
		    argv[optind + 1]);
	if ((*ids = malloc(sizeof **ids)) == NULL)
		return cli_fail(o->err);
	**ids = id;
	*n = 1;
	return CLI_OK;
}

static int
cmd_timeline_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	struct tl_args a = { TL_MD, TIMELINE_NARRATIVE, NULL, NULL, NULL };
	struct tl_doc bad;
	struct tl_out o;
	int64_t *ids = NULL;
	size_t n = 0;
	struct store *s;
	struct err err;
	int rc;

	if ((rc = tl_args(cli, cmd, argc, argv, &a)) != CLI_OK)
		return rc;
	err_init(&err);
	memset(&o, 0, sizeof o);
	memset(&bad, 0, sizeof bad);
	o.err = &err;
	if ((rc = tl_which(cli, cmd, argc, argv, &a, &o, &ids, &n)) != CLI_OK)
		return rc;
	if ((s = cli_store_existing(cli, &err)) == NULL) {
		free(ids);
		return cli_fail(&err);
	}
	if (tl_emit(s, ids, n, a.fmt, a.mode, &o, a.out, &bad) == -1)
		rc = cli_fail(&err);
	else if (bad.chk.bad_id != 0) {
		fprintf(stderr,
		    "owl: audit chain broken at entry %" PRId64
		    ": %s; the timeline is exported but cannot be trusted\n",
		    bad.chk.bad_id, bad.chk.why);
		rc = CLI_REFUSED;
	} else if (a.since != NULL && n == 0)
		fprintf(stderr, "owl: no incident was open in that window\n");
	free(ids);
	store_close(s);
	return rc;
}

/* `owl timeline`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_timeline_entry = { "timeline",
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
	cmd_timeline_run };
