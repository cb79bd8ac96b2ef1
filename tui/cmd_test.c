/* cmd_test.c: `owl test [NAME...]`: runs each runbook's tests (the cases
 * its NAME.test.lua returns) against fake effects, in a throwaway
 * database: the live run must end as expected, and its dry-run must plan
 * exactly the writes the live run made (dry-run fidelity). From a folder
 * (--runbooks DIR), or with --repo PATH|URL [--rev REV] from one commit
 * of a repository, opened as `owl run --repo --rev` opens it (rbsel.h):
 * the commit production runs is the one tested. */
#include "cmd_test.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/effects_fake.h"
#include "engine/rb_run.h"
#include "engine/rbsource.h"
#include "engine/sanitize.h"
#include "engine/store.h"
#include "engine/words.h"
#include "integrations/rbsel.h"
#include "integrations/runner.h"
#include "rbdir.h"

struct cmd_test_ctx {
	struct store *s;
	const char *dir; /* the folder, or NULL with src */
	struct rbsource *src; /* the commit tested, or NULL */
	const char *where; /* the folder or repository, for messages */
	int json;
	json_t *report; /* [{runbook, test, ok, why}] */
	int failed, passed;
};

/* The write effects of a run as "kind target" lines: those of its steps,
 * or with undo those its undo functions made. */
static json_t *
cmd_test_writes(const json_t *doc, int undo)
{
	const json_t *e;
	json_t *out = json_array();
	char line[1200];
	size_t i;

	json_array_foreach(
	    json_object_get(json_object_get(doc, "plan"), "effects"), i, e)
	{
		if (!json_is_true(json_object_get(e, "write")) ||
		    json_is_true(json_object_get(e, "undo")) != undo)
			continue;
		snprintf(line, sizeof line, "%s %s",
		    json_string_value(json_object_get(e, "kind")),
		    json_string_value(json_object_get(e, "target")));
		json_array_append_new(out, json_string(line));
	}
	return out;
}

/* --param values are text: numbers and booleans of a test are written
 * as they would be typed. */
static json_t *
cmd_test_params(const json_t *p)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)p, k, v)
	{
		char *s = json_is_string(v) ? strdup(json_string_value(v))
		                            : json_dumps(v, JSON_ENCODE_ANY);
		if (s != NULL)
			json_object_set_new(out, k, json_string(s));
		free(s);
	}
	return out;
}

static int
cmd_test_one_run(struct cmd_test_ctx *c, const char *name, const json_t *t,
    int dry, struct rb_run_result *r, char *why, size_t wn)
{
	struct runner_req q = { .o = { .name = name,
		                    .dir = c->dir,
		                    .src = c->src,
		                    .dry_run = dry,
		                    .yes = 1 } };
	struct rb_run_opts *o = &q.o;
	const json_t *cfg = json_object_get(t, "config");
	struct config *config = cfg ? config_from_json(cfg) : config_empty();
	struct effects *fx = effects_fake_new(json_object_get(t, "fakes"));
	json_t *params = cmd_test_params(json_object_get(t, "params"));
	struct err err;
	int rc = 0;

	o->fx = fx;
	o->config = config;
	o->params = params;
	o->incident_json = json_object_get(t, "incident");
	o->incident =
	    json_integer_value(json_object_get(o->incident_json, "id"));
	err_init(&err);
	if (fx == NULL || config == NULL ||
	    runner_run(c->s, &q, r, &err) == -1) {
		snprintf(why, wn, "%s did not start: %s",
		    dry ? "the dry-run" : "the run",
		    err.msg[0] ? err.msg : "out of memory");
		rc = -1;
	}
	effects_free(fx);
	config_free(config);
	json_decref(params);
	return rc;
}

/* Whether the plan dw holds the live run's writes lw: the same list, or,
 * when the live run stopped early (a step failed, it was cancelled), the
 * live writes as the plan's first ones: a dry-run answers its writes as
 * the runbook declares them, so it plans the whole way through. */
static int
cmd_test_faithful(const json_t *lw, const json_t *dw, int stopped)
{
	if (!stopped || json_array_size(lw) > json_array_size(dw))
		return json_equal(lw, dw);
	for (size_t i = 0; i < json_array_size(lw); i++)
		if (!json_equal(json_array_get(lw, i), json_array_get(dw, i)))
			return 0;
	return 1;
}

/* Runs one case live and dry against fresh fakes; fills why on failure. */
static int
cmd_test_case(struct cmd_test_ctx *c, const char *name, const json_t *t,
    char *why, size_t wn)
{
	const json_t *want = json_object_get(t, "expect");
	const char *status = json_string_value(json_object_get(want, "status"));
	const char *errs = json_string_value(json_object_get(want, "error"));
	const json_t *writes = json_object_get(want, "writes");
	const json_t *undo = json_object_get(want, "undo");
	struct rb_run_result live = { 0 }, dry = { 0 };
	json_t *lw = NULL, *dw = NULL, *uw = NULL;
	int ok = 0;

	if (cmd_test_one_run(c, name, t, 0, &live, why, wn) == -1 ||
	    cmd_test_one_run(c, name, t, 1, &dry, why, wn) == -1)
		goto out;
	lw = cmd_test_writes(live.doc, 0);
	dw = cmd_test_writes(dry.doc, 0);
	uw = cmd_test_writes(live.doc, 1);
	if (json_is_object(writes) && json_object_size(writes) == 0)
		writes = lw && json_array_size(lw) == 0 ? lw : writes; /* {} */
	if (json_is_object(undo) && json_object_size(undo) == 0)
		undo = uw && json_array_size(uw) == 0 ? uw : undo;
	if (strcmp(live.status, status ? status : "ok") != 0)
		snprintf(why, wn, "the run ended %s, not %s%s%s", live.status,
		    status ? status : "ok", live.error[0] ? ": " : "",
		    live.error);
	else if (errs != NULL && strstr(live.error, errs) == NULL)
		snprintf(why, wn, "the error '%s' does not say '%s'",
		    live.error, errs);
	else if (writes != NULL && !json_equal(lw, writes)) {
		char *got = json_dumps(lw, JSON_COMPACT);
		snprintf(why, wn, "the writes were %s", got ? got : "?");
		free(got);
	} else if (undo != NULL && !json_equal(uw, undo)) {
		char *got = json_dumps(uw, JSON_COMPACT);
		snprintf(why, wn, "the undo writes were %s", got ? got : "?");
		free(got);
	} else if (!cmd_test_faithful(lw, dw, strcmp(live.status, "ok") != 0))
		snprintf(why, wn,
		    "dry-run fidelity: the plan's writes differ "
		    "from the live run's");
	else
		ok = 1;
	if (c->json)
		json_array_append_new(c->report,
		    json_pack("{s:s, s:O?, s:b, "
		              "s:s?, s:O, s:O}",
		        "runbook", name, "test", json_object_get(t, "name"),
		        "ok", ok, "why", ok ? NULL : why, "writes", lw,
		        "planned_writes", dw));
out:
	json_decref(lw);
	json_decref(dw);
	json_decref(uw);
	json_decref(live.doc);
	json_decref(dry.doc);
	return ok;
}

static void
cmd_test_print(struct cmd_test_ctx *c, const char *name, const char *test,
    int ok, const char *why)
{
	char *t = sanitize_dup(test, 0), *w = sanitize_dup(why, 0);

	if (c->json)
		goto out;
	if (ok)
		printf("ok    %s: %s\n", name, t ? t : "?");
	else
		printf("FAIL  %s: %s: %s\n", name, t ? t : "?", w ? w : "?");
out:
	free(t);
	free(w);
}

/* Collects the names of the runbooks that have a NAME.test.lua. */
struct cmd_test_names {
	char *v[256];
	size_t n;
};

static int
cmd_test_name_add(const char *name, const char *blob, void *ctx)
{
	struct cmd_test_names *t = ctx;
	size_t len = strlen(name);

	(void)blob;
	if (rbsource_is_test(name) && t->n < sizeof t->v / sizeof t->v[0] &&
	    (t->v[t->n] = strndup(name, len - 5)) != NULL) {
		if (rbsource_name_valid(t->v[t->n]))
			t->n++;
		else
			free(t->v[t->n]);
	}
	return 0;
}

static int
cmd_test_names(struct cmd_test_ctx *c, struct cmd_test_names *t)
{
	struct dirent **list;
	struct err err;
	int n;

	t->n = 0;
	if (c->src != NULL) {
		err_init(&err);
		if (rbsource_list(c->src, cmd_test_name_add, t, &err) == -1)
			return cli_fail(&err), -1;
		return 0;
	}
	if ((n = scandir(c->dir, &list, NULL, alphasort)) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		char *f = list[i]->d_name, *dot = strstr(f, ".test.lua");
		if (dot != NULL && dot[9] == '\0' && f[0] != '.') {
			dot[5] = '\0'; /* "NAME.test" */
			cmd_test_name_add(f, "", t);
		}
		free(list[i]);
	}
	free(list);
	return 0;
}

static void
cmd_test_names_free(struct cmd_test_names *t)
{
	while (t->n > 0)
		free(t->v[--t->n]);
}

static int
cmd_test_has(const struct cmd_test_names *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i], name) == 0)
			return 1;
	return 0;
}

/* NAME.test.lua is not there: "owl: no tests for 'X' in DIR (no
 * X.test.lua); did you mean 'Y'? (tested: a, b)". Returns -1. */
static int
cmd_test_missing(const struct cmd_test_ctx *c, const char *name,
    const struct cmd_test_names *t)
{
	char hint[300];

	words_hint(hint, sizeof hint, name, (const char **)t->v,
	    t->n < 64 ? t->n : 64, "tested", "");
	cli_usage_bare("no tests for '%s' in %s (no %s.test.lua)%s", name,
	    c->where, name, hint);
	return -1;
}

static int
cmd_test_runbook(struct cmd_test_ctx *c, const char *name)
{
	char tname[200], why[1400], path[4200];
	struct cmd_test_names names = { .n = 0 };
	const json_t *t;
	struct err err;
	json_t *cases;
	size_t i;
	int missing;

	snprintf(tname, sizeof tname, "%s.test", name);
	if (c->src != NULL) {
		if (cmd_test_names(c, &names) == -1)
			return -1;
		missing =
		    rbsource_name_valid(name) && !cmd_test_has(&names, name);
	} else {
		snprintf(path, sizeof path, "%s/%s.lua", c->dir, tname);
		missing = rbsource_name_valid(name) &&
		    access(path, F_OK) == -1 && errno == ENOENT;
		if (missing && cmd_test_names(c, &names) == -1)
			return -1;
	}
	if (missing) {
		cmd_test_missing(c, name, &names);
		cmd_test_names_free(&names);
		return -1;
	}
	cmd_test_names_free(&names);
	err_init(&err);
	if (rb_run_data(c->dir, c->src, tname, &cases, &err) == -1) {
		cli_fail(&err); /* quotes the test file's own error text */
		return -1;
	}
	if (!json_is_array(cases) || json_array_size(cases) == 0) {
		fprintf(stderr,
		    "owl: %s.test.lua must return a list of tests\n", name);
		json_decref(cases);
		return -1;
	}
	json_array_foreach(cases, i, t)
	{
		int ok;
		why[0] = '\0';
		ok = json_is_object(t) &&
		    cmd_test_case(c, name, t, why, sizeof why);
		if (!json_is_object(t))
			snprintf(why, sizeof why, "a test must be a table");
		cmd_test_print(c, name,
		    json_string_value(json_object_get(t, "name"))
		        ? json_string_value(json_object_get(t, "name"))
		        : "(unnamed)",
		    ok, why);
		ok ? c->passed++ : c->failed++;
	}
	json_decref(cases);
	return 0;
}

/* Every runbook of the directory or commit that has a NAME.test.lua. */
static int
cmd_test_all(struct cmd_test_ctx *c)
{
	struct cmd_test_names t;
	int rc = 0;

	if (cmd_test_names(c, &t) == -1)
		return -1;
	for (size_t i = 0; i < t.n; i++)
		if (cmd_test_runbook(c, t.v[i]) == -1)
			rc = -1;
	cmd_test_names_free(&t);
	return rc;
}

/* A throwaway database: test runs never reach the real action log. */
static struct store *
cmd_test_store(char *dir, size_t n, struct err *err)
{
	const char *tmp = getenv("TMPDIR");
	char path[4200];

	snprintf(dir, n, "%s/owl-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		err_set(err, ERR_FAILED, "cannot make a temporary directory");
		return NULL;
	}
	snprintf(path, sizeof path, "%s/test.db", dir);
	return store_open(path, err);
}

static void
cmd_test_cleanup(const char *dir)
{
	const char *files[] = { "test.db", "test.db-wal", "test.db-shm" };
	char path[4200];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static int
cmd_test_run(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runbooks", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "repo", required_argument, NULL, RBSEL_OPT_REPO },
		{ "rev", required_argument, NULL, RBSEL_OPT_REV },
		{ "ref", required_argument, NULL, RBSEL_OPT_REF },
		{ "subdir", required_argument, NULL, RBSEL_OPT_SUBDIR },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_test_ctx c = { 0 };
	struct rbsel sel = { 0 };
	const char *flag = NULL;
	struct config *config;
	char tmp[4200] = "";
	struct err err;
	char *dir = NULL;
	int o, rc = CLI_OK, bad = 0;

	while ((o = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1) {
		if (o == -2)
			return rc;
		if (o == 'R')
			flag = optarg;
		else if (o == 'j')
			c.json = 1;
		else
			rbsel_option(&sel, o, optarg);
	}
	if (sel.repo == NULL && (sel.rev || sel.ref || sel.subdir))
		return cli_usage(
		    cmd, "--rev, --ref and --subdir go with --repo PATH|URL");
	if (sel.repo != NULL && flag != NULL)
		return cli_usage(cmd,
		    "--runbooks DIR is a folder, --repo a repository: give "
		    "one");
	err_init(&err);
	sel.note = cli_note;
	if ((config = config_load(cli->config, &err)) == NULL ||
	    (sel.repo == NULL &&
	        (dir = rbdir_resolve(flag, config, &err)) == NULL) ||
	    (sel.repo != NULL &&
	        (rbsel_config(&sel, config, &err) == -1 ||
	            (c.src = rbsel_open(&sel, 0, &err)) == NULL)) ||
	    (c.s = cmd_test_store(tmp, sizeof tmp, &err)) == NULL) {
		rc = cli_fail(&err);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	c.dir = dir;
	c.where = c.src ? c.src->origin.repo : dir;
	c.report = json_array();
	if (c.src != NULL && !c.json) {
		char *repo = sanitize_dup(c.src->origin.repo, 0);
		printf("Testing %s at %s%s%s\n", repo ? repo : "?",
		    c.src->origin.ref ? c.src->origin.ref : "",
		    c.src->origin.ref ? " " : "", c.src->origin.commit);
		free(repo);
	}
	if (optind >= argc)
		bad = cmd_test_all(&c) == -1;
	for (int i = optind; i < argc; i++)
		bad |= cmd_test_runbook(&c, argv[i]) == -1;
	if (c.json) {
		json_dumpf(
		    c.report, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
	} else {
		printf("%d passed, %d failed\n", c.passed, c.failed);
	}
	rc = bad ? CLI_USAGE : c.failed || c.passed == 0 ? CLI_FAILED : CLI_OK;
out:
	store_close(c.s);
	if (tmp[0] != '\0')
		cmd_test_cleanup(tmp);
	json_decref(c.report);
	rbsource_close(c.src);
	config_free(config);
	free(dir);
	return rc;
}

/* `owl test`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_test_entry = { "test",
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
	cmd_test_run };
