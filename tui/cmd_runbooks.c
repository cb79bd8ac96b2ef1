/* cmd_runbooks.c: `owl runbooks sync|list|show NAME|log NAME`: the
 * runbooks of a directory or a git commit, their declarations, their
 * history, and the mirror of a remote repository. */
#include "cmd_runbooks.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actlog.h"
#include "engine/clock.h"
#include "engine/rbmeta.h"
#include "engine/sanitize.h"
#include "integrations/rbsel.h"

/* Prints untrusted text (from a repository) safely, one line. */
static void
cmd_rb_put(const char *s)
{
	char *clean = sanitize_dup(s, 0);

	fputs(clean ? clean : "?", stdout);
	free(clean);
}

static void
cmd_rb_dump(json_t *doc)
{
	json_dumpf(
	    doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII | JSON_SORT_KEYS);
	putchar('\n');
}

static int
cmd_rb_keycmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Prints the keys of a JSON object in order; with `params`, a required
 * one gets a '*'; with `pairs`, "key=value". */
static void
cmd_rb_keys(const json_t *o, int params, int pairs)
{
	const char *keys[64], *k;
	size_t n = 0;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) if (n < 64) keys[n++] = k;
	qsort(keys, n, sizeof *keys, cmd_rb_keycmp);
	for (size_t i = 0; i < n; i++) {
		v = json_object_get(o, keys[i]);
		fputs(i ? ", " : "", stdout);
		cmd_rb_put(keys[i]);
		if (params && json_is_true(json_object_get(v, "required")))
			putchar('*');
		if (pairs) {
			putchar('=');
			cmd_rb_put(json_is_string(v) ? json_string_value(v)
			                             : "(not a string)");
		}
	}
}

static void
cmd_rb_origin_line(const struct rbsource_origin *o)
{
	cmd_rb_put(o->repo);
	if (o->kind == RBSOURCE_DIR) {
		fputs(" (plain directory, unversioned)\n", stdout);
		return;
	}
	fputs(" at ", stdout);
	cmd_rb_put(o->ref);
	printf(" %.12s%s\n", o->commit,
	    o->worktree ? (o->dirty ? " + uncommitted working files (dirty)"
	                            : " (working files)")
	                : "");
}

struct cmd_rb_list {
	struct rbsource *src;
	json_t *arr;
	int broken;
	int width;
};

static json_t *
cmd_rb_entry(const char *name, const json_t *meta, const char *blob,
    const struct rbsource_origin *o)
{
	json_t *e = json_object(), *v;

	if (e == NULL)
		return NULL;
	json_object_set_new(e, "name", json_string(name));
	json_object_set(
	    e, "summary", meta ? json_object_get(meta, "summary") : NULL);
	v = meta ? json_object_get(meta, "params") : NULL;
	json_object_set_new(e, "params", v ? json_deep_copy(v) : json_object());
	v = meta ? json_object_get(meta, "match") : NULL;
	json_object_set_new(e, "match", v ? json_deep_copy(v) : json_object());
	json_object_set(
	    e, "timeout", meta ? json_object_get(meta, "timeout") : NULL);
	json_object_set_new(
	    e, "commit", o->commit[0] ? json_string(o->commit) : json_null());
	json_object_set_new(e, "blob", json_string(blob));
	/* Absent values are null, never missing. */
	if (json_object_get(e, "summary") == NULL)
		json_object_set_new(e, "summary", json_null());
	if (json_object_get(e, "timeout") == NULL)
		json_object_set_new(e, "timeout", json_null());
	return e;
}

static int
cmd_rb_list_one(const char *name, const char *blob, void *ctx)
{
	struct cmd_rb_list *l = ctx;
	char id[RBSOURCE_OID_HEX];
	json_t *meta = NULL, *e;
	struct err err;

	(void)blob;
	err_init(&err);
	if (strlen(name) > 5 && strcmp(name + strlen(name) - 5, ".test") == 0)
		return 0; /* NAME.test.lua: the tests of NAME (owl test) */
	if (rbmeta_load(l->src, name, &meta, id, NULL, &err) == 0 &&
	    meta == NULL)
		return 0; /* a module, not a runbook */
	if ((e = cmd_rb_entry(name, meta, err_isset(&err) ? blob : id,
	         &l->src->origin)) == NULL)
		return 1;
	if (err_isset(&err)) {
		json_object_set_new(e, "error", json_string(err.msg));
		l->broken++;
	}
	json_decref(meta);
	if ((int)strlen(name) > l->width)
		l->width = (int)strlen(name);
	return json_array_append_new(l->arr, e) == -1;
}

static void
cmd_rb_list_print(const struct cmd_rb_list *l)
{
	size_t i;
	json_t *e, *v;

	fputs("runbooks from ", stdout);
	cmd_rb_origin_line(&l->src->origin);
	json_array_foreach(l->arr, i, e)
	{
		printf("%-*s  ", l->width,
		    json_string_value(json_object_get(e, "name")));
		if ((v = json_object_get(e, "error")) != NULL) {
			fputs("BROKEN: ", stdout);
			cmd_rb_put(json_string_value(v));
			putchar('\n');
			continue;
		}
		v = json_object_get(e, "summary");
		cmd_rb_put(json_is_string(v) ? json_string_value(v) : "-");
		if (json_object_size(v = json_object_get(e, "params")) > 0) {
			fputs("  params: ", stdout);
			cmd_rb_keys(v, 1, 0);
		}
		if (json_object_size(v = json_object_get(e, "match")) > 0) {
			fputs("  match: ", stdout);
			cmd_rb_keys(v, 0, 1);
		}
		putchar('\n');
	}
}

static int
cmd_rb_list(struct rbsource *src, int json)
{
	struct cmd_rb_list l = { .src = src, .arr = json_array() };
	struct err err;
	json_t *doc;
	int rc;

	err_init(&err);
	if (l.arr == NULL)
		return cli_fail(&err);
	if ((rc = rbsource_list(src, cmd_rb_list_one, &l, &err)) != 0) {
		if (rc > 0)
			err_set(&err, ERR_FAILED, "out of memory");
		json_decref(l.arr);
		return cli_fail(&err);
	}
	if (json) {
		doc = json_pack("{s:o, s:o}", "source",
		    rbsource_origin_json(&src->origin), "runbooks", l.arr);
		cmd_rb_dump(doc);
		json_decref(doc);
	} else {
		cmd_rb_list_print(&l);
		json_decref(l.arr);
	}
	if (l.broken > 0)
		fprintf(stderr,
		    "owl: %d runbook%s could not be read (marked "
		    "BROKEN)\n",
		    l.broken, l.broken > 1 ? "s" : "");
	return l.broken > 0 ? CLI_FAILED : CLI_OK;
}

static void
cmd_rb_show_params(const json_t *params)
{
	const char *k;
	json_t *v, *d;

	json_object_foreach((json_t *)params, k, v)
	{
		fputs("  ", stdout);
		cmd_rb_put(k);
		if (json_is_true(json_object_get(v, "required")))
			fputs(" (required)", stdout);
		if ((d = json_object_get(v, "default")) != NULL) {
			char *s = json_dumps(d, JSON_ENCODE_ANY);

			fputs(" default ", stdout);
			cmd_rb_put(s ? s : "?");
			free(s);
		}
		if (json_is_string(d = json_object_get(v, "type"))) {
			fputs(" (", stdout);
			cmd_rb_put(json_string_value(d));
			putchar(')');
		}
		putchar('\n');
		/* what the author says the param is for: the one place an
		 * operator at 3 AM learns what to pass */
		if (json_is_string(d = json_object_get(v, "description"))) {
			fputs("      ", stdout);
			cmd_rb_put(json_string_value(d));
			putchar('\n');
		}
	}
}

static int
cmd_rb_show(struct rbsource *src, const char *name, int json)
{
	char blob[RBSOURCE_OID_HEX];
	json_t *meta = NULL, *e, *v;
	struct buf text;
	struct err err;
	int rc = CLI_OK;

	err_init(&err);
	buf_init(&text, RBSOURCE_FILE_MAX + 1);
	if (rbmeta_load(src, name, &meta, blob, &text, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (meta == NULL) {
		err_set(&err, ERR_FAILED,
		    "%s.lua declares no runbook{}: a "
		    "module, not a runbook",
		    name);
		rc = cli_fail(&err);
		goto out;
	}
	e = cmd_rb_entry(name, meta, blob, &src->origin);
	if (json) {
		json_object_set_new(
		    e, "source", rbsource_origin_json(&src->origin));
		json_object_set_new(
		    e, "text", json_stringn(buf_str(&text), text.len));
		cmd_rb_dump(e);
		json_decref(e);
		goto out;
	}
	printf("runbook  %s\n", name);
	v = json_object_get(e, "summary");
	fputs("summary  ", stdout);
	cmd_rb_put(json_is_string(v) ? json_string_value(v) : "-");
	if (json_is_string(v = json_object_get(e, "timeout"))) {
		fputs("\ntimeout  ", stdout);
		cmd_rb_put(json_string_value(v));
	}
	fputs("\nmatch    ", stdout);
	cmd_rb_keys(json_object_get(e, "match"), 0, 1);
	printf("\nparams\n");
	cmd_rb_show_params(json_object_get(e, "params"));
	fputs("from     ", stdout);
	cmd_rb_origin_line(&src->origin);
	printf("blob     %s\n\n", blob);
	json_decref(e);
	{
		char *clean = sanitize_dup(buf_str(&text), SANITIZE_NEWLINES);

		fputs(clean ? clean : "?", stdout);
		if (text.len > 0 && buf_str(&text)[text.len - 1] != '\n')
			putchar('\n');
		free(clean);
	}
out:
	json_decref(meta);
	buf_done(&text);
	return rc;
}

struct cmd_rb_log {
	json_t *arr; /* --json: the commits */
	int n;
};

static int
cmd_rb_log_line(const struct rbgit_commit *c, void *ctx)
{
	struct cmd_rb_log *l = ctx;
	char at[CLOCK_RFC3339_MAX];
	json_t *o;

	l->n++;
	clock_format(c->time_us, 0, at);
	if (l->arr != NULL) {
		o = json_pack("{s:s, s:s, s:s, s:s}", "commit", c->id, "at", at,
		    "author", c->author, "subject", c->subject);
		return o == NULL || json_array_append_new(l->arr, o) == -1;
	}
	printf("%.12s %s ", c->id, at);
	cmd_rb_put(c->author);
	putchar(' ');
	cmd_rb_put(c->subject);
	putchar('\n');
	return 0;
}

static int
cmd_rb_log(struct rbsource *src, const char *name, int json, int limit)
{
	struct cmd_rb_log l = { NULL, 0 };
	char path[RBSOURCE_PATH_MAX];
	struct err err;
	int rc;

	err_init(&err);
	if (!rbsource_name_valid(name)) {
		err_set(&err, ERR_USAGE,
		    "'%.100s' is not a valid runbook "
		    "name",
		    name);
		return cli_fail(&err);
	}
	snprintf(path, sizeof path, "%s.lua", name);
	if (json && (l.arr = json_array()) == NULL)
		return cli_fail(&err);
	rc = rbsource_git_log(src, path, limit, cmd_rb_log_line, &l, &err);
	if (rc > 0)
		err_set(&err, ERR_FAILED, "out of memory");
	else if (rc == 0 && l.n == 0)
		err_set(&err, ERR_FAILED,
		    "no runbook %s in the history of "
		    "commit %.12s",
		    name, src->origin.commit);
	if (err_isset(&err)) {
		json_decref(l.arr);
		return cli_fail(&err);
	}
	if (json)
		cmd_rb_dump(l.arr);
	json_decref(l.arr);
	return CLI_OK;
}

static int
cmd_rb_change(const char *name, char change, void *ctx)
{
	json_t *o = json_pack("{s:s, s:s}", "name", name, "change",
	    change == '+'       ? "added"
	        : change == '-' ? "removed"
	                        : "modified");

	return o == NULL || json_array_append_new(ctx, o) == -1;
}

/* Logs the sync in the action log (it changes what later runs read). */
static int
cmd_rb_sync_log(struct cli *cli, json_t *detail, struct err *err)
{
	struct actlog_new e = { .kind = "runbooks.sync" };
	struct store *s;
	int rc = -1;

	if ((s = cli_store(cli, err)) != NULL)
		rc = actlog_append_json(s, &e, json_incref(detail),
		    JSON_COMPACT | JSON_SORT_KEYS, NULL, err);
	store_close(s);
	return rc;
}

static void
cmd_rb_sync_print(
    const char *repo, const struct rbgit_sync *s, const json_t *changed)
{
	size_t i;
	json_t *c;

	cmd_rb_put(repo);
	if (s->old[0] == '\0')
		printf(": new mirror at %.12s\n", s->new);
	else if (strcmp(s->old, s->new) == 0)
		printf(": up to date at %.12s\n", s->new);
	else
		printf(": %.12s -> %.12s\n", s->old, s->new);
	json_array_foreach(changed, i, c)
	{
		const char *what =
		    json_string_value(json_object_get(c, "change"));

		printf("  %c %s\n",
		    what[0] == 'a'       ? '+'
		        : what[0] == 'r' ? '-'
		                         : 'M',
		    json_string_value(json_object_get(c, "name")));
	}
	if (s->old[0] && strcmp(s->old, s->new) != 0)
		printf("%zu runbook%s changed\n", json_array_size(changed),
		    json_array_size(changed) == 1 ? "" : "s");
	if (s->rewritten)
		fprintf(stderr,
		    "owl: warning: history was rewritten: %.12s "
		    "does not descend from %.12s (a force push?)\n",
		    s->new, s->old);
}

static int
cmd_rb_sync(struct cli *cli, const struct rbsel *sel, int json)
{
	struct rbgit_sync s = { .cache = NULL };
	struct rbsource *src = NULL;
	json_t *changed = json_array(), *detail = NULL;
	struct rbgit_opts o;
	struct err err;
	const char *dir;
	char *shown = NULL;
	int rc = CLI_FAILED;

	err_init(&err);
	if (changed == NULL)
		goto fail;
	if (rbsel_pick(sel, &o, &dir, &err) == 0)
		err_set(&err, ERR_USAGE,
		    "runbooks sync: %s is a plain "
		    "directory; there is nothing to sync",
		    dir);
	if (err_isset(&err))
		goto fail;
	if (rbsource_git_sync(&o, &s, &err) == -1) {
		if (s.old[0] != '\0')
			err_prefix(&err,
			    "sync failed, the mirror keeps "
			    "%.12s: ",
			    s.old);
		goto fail;
	}
	if (s.old[0] && strcmp(s.old, s.new) != 0 &&
	    ((src = rbsource_git_open(&o, &err)) == NULL ||
	        rbsource_git_diff(src, s.old, cmd_rb_change, changed, &err) !=
	            0))
		goto fail;
	if ((shown = rbsource_git_redact(o.repo)) == NULL) {
		err_set(&err, ERR_FAILED, "out of memory");
		goto fail;
	}
	detail = json_pack("{s:s, s:s?, s:s?, s:s, s:b, s:b, s:O}", "repo",
	    shown, "ref", o.ref, "old", s.old[0] ? s.old : NULL, "new", s.new,
	    "local", s.local, "rewritten", s.rewritten, "changed", changed);
	if (detail == NULL ||
	    (!s.local && cmd_rb_sync_log(cli, detail, &err) == -1))
		goto fail;
	if (json)
		cmd_rb_dump(detail);
	else if (s.local) {
		cmd_rb_put(shown);
		printf(": a local repository, read in place: at %.12s "
		       "(nothing to fetch)\n",
		    s.new);
	} else
		cmd_rb_sync_print(shown, &s, changed);
	rc = CLI_OK;
	goto out;
fail:
	rc = cli_fail(&err);
out:
	rbsource_close(src);
	json_decref(changed);
	json_decref(detail);
	free(s.cache);
	free(shown);
	return rc;
}

/* With runbooks.require_signed, says when runs of this commit would be
 * refused; reading it is still allowed. */
static void
cmd_rb_signature(const struct rbsel *sel, struct rbsource *src)
{
	char signer[256];
	struct err err;

	err_init(&err);
	if (rbsel_verify(sel, src, signer, sizeof signer, &err) == -1) {
		char *m = sanitize_dup(err.msg, 0);

		fprintf(stderr, "owl: warning: runs would be refused: %s\n",
		    m ? m : "?");
		free(m);
	}
}

static int
cmd_runbooks_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'n' },
		RBSEL_OPTS,
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rbsel sel = { .note = cli_note };
	struct config *cfg = NULL;
	struct rbsource *src;
	long long limit = 0;
	static const char *const subs[] = { "sync", "list", "show", "log" };
	const char *sub, *name = NULL;
	struct err err;
	int c, rc = CLI_OK;

	while ((c = cli_getopt(cli, cmd, argc, argv, "jn:", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'j')
			cli->json = 1;
		else if (c == 'n' && cli_count(optarg, &limit) == -1)
			return cli_usage(cmd,
			    "--limit: '%s' is not a positive "
			    "number",
			    optarg);
		else
			rbsel_option(&sel, c, optarg);
	}
	if (optind >= argc)
		return cli_usage(cmd, "runbooks: say sync, list, show or log");
	sub = argv[optind++];
	if (strcmp(sub, "show") == 0 || strcmp(sub, "log") == 0) {
		if (optind >= argc)
			return cli_usage(
			    cmd, "runbooks %s: which runbook?", sub);
		name = argv[optind++];
	} else if (strcmp(sub, "sync") != 0 && strcmp(sub, "list") != 0)
		return cli_bad_word(cmd, "runbooks: unknown subcommand ", sub,
		    "", subs, 4, "subcommands");
	if (optind < argc)
		return cli_usage(cmd, "runbooks %s: unexpected argument '%s'",
		    sub, argv[optind]);
	if (limit && strcmp(sub, "log") != 0)
		return cli_usage(cmd, "--limit applies to runbooks log");
	err_init(&err);
	if ((cfg = config_load(cli->config, &err)) == NULL ||
	    rbsel_config(&sel, cfg, &err) == -1) {
		config_free(cfg);
		return cli_fail(&err);
	}
	if (strcmp(sub, "sync") == 0) {
		rc = cmd_rb_sync(cli, &sel, cli->json);
		config_free(cfg);
		return rc;
	}
	if ((src = rbsel_open(&sel, 0, &err)) == NULL) {
		config_free(cfg);
		return cli_fail(&err);
	}
	cmd_rb_signature(&sel, src);
	if (strcmp(sub, "list") == 0)
		rc = cmd_rb_list(src, cli->json);
	else if (strcmp(sub, "show") == 0)
		rc = cmd_rb_show(src, name, cli->json);
	else
		rc = cmd_rb_log(src, name, cli->json, (int)limit);
	rbsource_close(src);
	config_free(cfg);
	return rc;
}

/* `owl runbooks`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_runbooks_entry = { "runbooks",
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
	cmd_runbooks_run };
