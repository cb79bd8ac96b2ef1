/* cmd_oncall.c: `owl oncall [--at T] [--json]`: who is on call per
 * rotation, since when and who comes next, with the hand-off in the
 * rotation's zone and in UTC; `owl oncall override WHO --rotation R
 * --from T --to T|--for DUR` and `--remove ID`; `owl oncall overrides`. */
#include "cmd_oncall.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/clock.h"
#include "engine/config.h"
#include "engine/oncall.h"
#include "engine/words.h"

/* "now" or an RFC 3339 time. */
static int
cmd_oncall_time(const char *s, int64_t now, int64_t *out)
{
	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	return clock_parse(s, out, NULL);
}

/* Loads the config's oncall; no rotation at all is an error here. */
static int
cmd_oncall_load(const struct cli *cli, struct config **c, struct oncall *oc)
{
	struct err err;

	err_init(&err);
	memset(oc, 0, sizeof *oc);
	if ((*c = config_load(cli->config, &err)) == NULL ||
	    oncall_load(*c, oc, &err) == -1)
		return cli_fail(&err);
	if (oc->nrot == 0) {
		fprintf(stderr,
		    "owl: no rotations configured: add oncall = { rotations ="
		    " { ... } } to %s (see: owl help oncall)\n",
		    config_path(*c)[0] ? config_path(*c) : "the config");
		return CLI_FAILED;
	}
	return CLI_OK;
}

static json_t *
cmd_oncall_when(const char *tz, int64_t t, const char *key, json_t *o)
{
	char at[CLOCK_RFC3339_MAX], local[64], lkey[32];

	snprintf(lkey, sizeof lkey, "%s_local", key);
	if (t == INT64_MIN || t == INT64_MAX ||
	    oncall_format_local(tz, t, NULL, local, NULL) == -1) {
		json_object_set_new(o, key, json_null());
		json_object_set_new(o, lkey, json_null());
		return o;
	}
	clock_format(t, 0, at);
	json_object_set_new(o, key, json_string(at));
	json_object_set_new(o, lkey, json_string(local));
	return o;
}

static json_t *
cmd_oncall_rot_json(const struct oncall_rotation *r, const struct oncall_who *w)
{
	json_t *people = json_array(), *now, *next, *ovr = json_null();

	for (size_t i = 0; i < r->npeople; i++)
		json_array_append_new(people, json_string(r->people[i]));
	if (w->override_id >= 0)
		ovr = json_pack("{s:o, s:s, s:s}", "id",
		    w->override_id ? json_integer(w->override_id) : json_null(),
		    "by", w->override_by, "replaces", w->replaces);
	now = json_pack("{s:o, s:o}", "person",
	    w->person[0] ? json_string(w->person) : json_null(), "override",
	    ovr);
	cmd_oncall_when(r->tz, w->since, "since", now);
	next = json_pack(
	    "{s:o}", "person", w->next[0] ? json_string(w->next) : json_null());
	cmd_oncall_when(r->tz, w->until, "at", next);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "name",
	    r->name, "tz", r->tz, "shift", r->shift_text, "start", r->start,
	    "handoff", r->handoff, "people", people, "now", now, "next", next);
}

static void
cmd_oncall_print(const struct oncall_rotation *r, const struct oncall_who *w)
{
	char a[CLOCK_RFC3339_MAX], local[64];

	printf("%s  (%s, %s shifts from %s, hand-off %s)\n", r->name, r->tz,
	    r->shift_text, r->start, r->handoff);
	printf("  now   %-12s", w->person[0] ? w->person : "nobody");
	if (w->override_id >= 0)
		printf(" (override%s by %s, for %s)", "", w->override_by,
		    w->replaces[0] ? w->replaces : "nobody");
	if (w->since != INT64_MIN &&
	    oncall_format_local(r->tz, w->since, local, NULL, NULL) == 0) {
		clock_format(w->since, 0, a);
		printf(" since %s (%s)", local, a);
	}
	if (w->until == INT64_MAX) {
		printf("\n  next  nobody else (one person)\n");
		return;
	}
	printf("\n  next  %-12s", w->next[0] ? w->next : "nobody");
	if (oncall_format_local(r->tz, w->until, local, NULL, NULL) == 0) {
		clock_format(w->until, 0, a);
		printf(" from  %s (%s)", local, a);
	}
	printf("\n");
}

static int
cmd_oncall_show(struct cli *cli, int64_t at, int json)
{
	json_t *doc = NULL, *rots = NULL;
	struct store *s = NULL;
	struct config *c = NULL;
	char when[CLOCK_RFC3339_MAX], *none = NULL;
	struct oncall oc;
	struct oncall_who w;
	struct err err;
	int rc;

	err_init(&err);
	if ((rc = cmd_oncall_load(cli, &c, &oc)) != CLI_OK)
		goto out;
	/* no database yet: the config's rotations still answer, said to be
	 * without the overrides a database would hold (never created here:
	 * a mistyped --db must not become a new empty one) */
	if ((s = cli_store_if_any(cli, &none, &err)) == NULL && none == NULL) {
		rc = cli_fail(&err);
		goto out;
	}
	if (none != NULL) /* a note, not a failure (printed sanitised) */
		(void)cli_usage_bare(
		    "no database at %s: overrides made with owl oncall "
		    "override are not included (run owl serve or owl ingest "
		    "to create one)",
		    none);
	rots = json_array();
	for (size_t i = 0; i < oc.nrot; i++) {
		if (oncall_who(s, &oc, &oc.rot[i], at, &w, &err) == -1) {
			rc = cli_fail(&err);
			goto out;
		}
		if (json)
			json_array_append_new(
			    rots, cmd_oncall_rot_json(&oc.rot[i], &w));
		else
			cmd_oncall_print(&oc.rot[i], &w);
	}
	clock_format(at, 0, when);
	if (json) {
		doc = json_pack("{s:s, s:O}", "at", when, "rotations", rots);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
	}
out:
	json_decref(doc);
	json_decref(rots);
	free(none);
	store_close(s);
	oncall_done(&oc);
	config_free(c);
	return rc;
}

struct cmd_override {
	const char *rotation, *from, *to, *dur, *note;
	long long remove;
};

static int
cmd_oncall_override_add(const struct cli_cmd *cmd, struct store *s,
    const struct oncall *oc, const char *who, const struct cmd_override *o)
{
	struct oncall_override ov = { 0 };
	int64_t now = clock_now_us(), d, id;
	char a[CLOCK_RFC3339_MAX], b[CLOCK_RFC3339_MAX];
	struct err err;

	err_init(&err);
	if (o->rotation == NULL || oncall_rotation(oc, o->rotation) == NULL)
		return cli_usage(cmd,
		    "override: --rotation must name a rotation of the config");
	if (!oncall_name_ok(who) || oncall_person(oc, who) == NULL)
		return cli_usage(cmd,
		    "override: '%s' is not in oncall.people: pages to them "
		    "could not be sent (add them to the config first)",
		    who);
	if (cmd_oncall_time(o->from ? o->from : "now", now, &ov.from) == -1)
		return cli_usage(cmd, "--from: want now or an RFC 3339 time");
	if ((o->to == NULL) == (o->dur == NULL))
		return cli_usage(cmd, "override: give --to T or --for DUR");
	if (o->to != NULL && cmd_oncall_time(o->to, now, &ov.to) == -1)
		return cli_usage(cmd, "--to: want an RFC 3339 time");
	if (o->dur != NULL) {
		if (clock_parse_duration(o->dur, &d, &err) == -1)
			return cli_usage(cmd, "--for: %s", err.msg);
		ov.to = ov.from + d;
	}
	if (ov.to <= now)
		return cli_usage(cmd, "override: it would be over already");
	ov.rotation = (char *)o->rotation;
	ov.who = (char *)who;
	ov.note = (char *)o->note;
	if (oncall_override_add(s, &ov, NULL, now, &id, &err) == -1)
		return cli_fail(&err);
	clock_format(ov.from, 0, a);
	clock_format(ov.to, 0, b);
	printf("override %lld: %s is on call for %s from %s to %s\n",
	    (long long)id, who, o->rotation, a, b);
	return CLI_OK;
}

static int
cmd_oncall_override(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rotation", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "for", required_argument, NULL, 'd' },
		{ "note", required_argument, NULL, 'n' },
		{ "remove", required_argument, NULL, 'x' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct cmd_override o = { 0 };
	struct store *s = NULL;
	struct config *c = NULL;
	struct oncall oc;
	struct err err;
	int rc = CLI_OK, ch;

	while ((ch = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1) {
		if (ch == -2)
			return rc;
		if (ch == 'r')
			o.rotation = optarg;
		else if (ch == 'f')
			o.from = optarg;
		else if (ch == 't')
			o.to = optarg;
		else if (ch == 'd')
			o.dur = optarg;
		else if (ch == 'n')
			o.note = optarg;
		else if (ch == 'x' && cli_count(optarg, &o.remove) == -1)
			return cli_usage(cmd, "--remove: want an override id");
	}
	if ((o.remove != 0) == (optind + 1 == argc) || optind + 1 < argc)
		return cli_usage(cmd,
		    "usage: owl oncall override WHO --rotation R (--to T | "
		    "--for DUR) [--from T], or --remove ID");
	err_init(&err);
	if ((rc = cmd_oncall_load(cli, &c, &oc)) != CLI_OK)
		goto out;
	if ((s = cli_store_existing(cli, &err)) == NULL)
		rc = cli_fail(&err);
	else if (o.remove != 0)
		rc = oncall_override_remove(
		         s, o.remove, NULL, clock_now_us(), &err) == -1
		    ? cli_fail(&err)
		    : (printf("override %lld removed\n", o.remove), CLI_OK);
	else
		rc = cmd_oncall_override_add(cmd, s, &oc, argv[optind], &o);
out:
	store_close(s);
	oncall_done(&oc);
	config_free(c);
	return rc;
}

/* `owl oncall overrides`: those not over yet, by the database. */
static int
cmd_oncall_overrides(struct cli *cli, int json)
{
	struct oncall_override *v = NULL;
	char a[CLOCK_RFC3339_MAX], b[CLOCK_RFC3339_MAX];
	json_t *arr = json_array();
	struct store *s;
	struct err err;
	size_t n = 0;

	err_init(&err);
	if ((s = cli_store_existing(cli, &err)) == NULL ||
	    oncall_override_list(s, NULL, clock_now_us(), &v, &n, &err) == -1) {
		store_close(s);
		json_decref(arr);
		return cli_fail(&err);
	}
	for (size_t i = 0; i < n; i++) {
		clock_format(v[i].from, 0, a);
		clock_format(v[i].to, 0, b);
		if (json)
			json_array_append_new(arr,
			    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s?}",
			        "id", (json_int_t)v[i].id, "rotation",
			        v[i].rotation, "who", v[i].who, "from", a, "to",
			        b, "by", v[i].created_by, "note", v[i].note));
		else
			printf("%-4lld %-12s %-12s %s .. %s  by %s\n",
			    (long long)v[i].id, v[i].rotation, v[i].who, a, b,
			    v[i].created_by);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		putchar('\n');
	} else if (n == 0) {
		printf("no overrides now or to come\n");
	}
	json_decref(arr);
	oncall_overrides_free(v, n);
	store_close(s);
	return CLI_OK;
}

static int
cmd_oncall_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	static const char *const subs[] = { "override", "overrides" };
	int64_t at = clock_now_us();
	int rc = CLI_OK, c, json = 0;

	if (argc > 1 && strcmp(argv[1], "override") == 0)
		return cmd_oncall_override(cli, cmd, argc - 1, argv + 1);
	/* a typo of a subcommand, before its options read as oncall's */
	if (argc > 1 && strcmp(argv[1], "overrides") != 0 &&
	    words_closest(argv[1], subs, 2) != NULL)
		return cli_bad_word(cmd, "oncall: unknown subcommand ", argv[1],
		    "", subs, 2, "subcommands");
	while ((c = cli_getopt(cli, cmd, argc, argv, "", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 'j')
			json = 1;
		else if (c == 'a' && cmd_oncall_time(optarg, at, &at) == -1)
			return cli_usage(cmd,
			    "--at: want now or an RFC 3339 time such as "
			    "2026-03-29T09:00:00+02:00");
	}
	if (optind < argc && strcmp(argv[optind], "overrides") == 0 &&
	    optind + 1 == argc)
		return cmd_oncall_overrides(cli, json);
	if (optind < argc)
		return cli_usage(
		    cmd, "oncall: unexpected argument '%s'", argv[optind]);
	return cmd_oncall_show(cli, at, json);
}

/* `owl oncall`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_oncall_entry = { "oncall",
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
	cmd_oncall_run };
