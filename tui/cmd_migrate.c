/* cmd_migrate.c: `owl migrate --to postgresql://...` copies the SQLite
 * database (--db, $OWL_DB) into an empty PostgreSQL database and verifies
 * the action log's chain there (engine/migrate.c). */
#include "cmd_migrate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/migrate.h"
#include "engine/paths.h"

static int
cmd_migrate_copy(struct cli *cli, const char *to_url)
{
	struct migrate_result r;
	struct store *from = NULL, *to = NULL;
	struct err err;
	char *shown = NULL;
	int rc = CLI_FAILED;

	err_init(&err);
	if ((from = cli_store_existing(cli, &err)) == NULL ||
	    (to = store_open(to_url, &err)) == NULL)
		goto out;
	if (migrate_copy(from, to, &r, &err) == -1) {
		if ((shown = store_url_masked(to_url)) != NULL)
			err_prefix(&err, "migrate to %s: ", shown);
		goto out;
	}
	printf("copied %" PRId64 " rows: %" PRId64 " incidents, %" PRId64
	       " alerts, %" PRId64 " runs, %" PRId64 " plans, %" PRId64
	       " pages, %" PRId64 " action-log entries\n",
	    r.rows, r.incidents, r.alerts, r.runs, r.plans, r.pages, r.entries);
	printf("the action log verifies there (head %.16s); use --db %s\n",
	    r.entries ? r.head : "-",
	    (shown = store_url_masked(to_url)) != NULL ? shown : "URL");
	rc = CLI_OK;
out:
	store_close(to);
	store_close(from);
	free(shown);
	return rc == CLI_OK ? rc : cli_fail(&err);
}

static int
cmd_migrate_run(
    struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		CLI_COMMON_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL;
	char *from;
	struct err err;
	int c, rc = CLI_OK, url;

	while ((c = cli_getopt(cli, cmd, argc, argv, "t:", opts, &rc)) != -1) {
		if (c == -2)
			return rc;
		if (c == 't')
			to = optarg;
	}
	if (optind < argc)
		return cli_usage(
		    cmd, "migrate: unexpected argument '%s'", argv[optind]);
	if (to == NULL || store_is_url(to) != STORE_URL_PG)
		return cli_usage(
		    cmd, "migrate: say where to: --to postgresql://HOST/DB");
	err_init(&err);
	if ((from = paths_db(cli->db, &err)) == NULL)
		return cli_fail(&err);
	url = store_is_url(from);
	free(from);
	if (url)
		return cli_usage(cmd,
		    "migrate: --db (or OWL_DB) names the SQLite database to "
		    "copy, not a URL");
	return cmd_migrate_copy(cli, to);
}

/* `owl migrate`: its name, usage and help, beside its code (tui/main.c
 * only lists it). */
const struct cli_cmd cmd_migrate_entry = { "migrate",
	"migrate --to postgresql://[USER@]HOST[:PORT]/DB",
	"Copy the SQLite database into an empty PostgreSQL database.",
	"Copies every table of the SQLite database (--db, $OWL_DB) into the\n"
	"PostgreSQL database --to names, which must exist and hold no owl\n"
	"data, in one transaction: ids, the action log and its hashes as they\n"
	"are. The chain is verified there before the copy commits; a row\n"
	"count that differs or a chain that does not verify rolls it all\n"
	"back (exit 3 for the chain). A second run is refused (exit 3):\n"
	"nothing is copied twice. The SQLite database is only read.\n"
	"\nOptions:\n"
	"  --to URL        the PostgreSQL database (a libpq URL; a password\n"
	"                  in it is never printed)\n",
	cmd_migrate_run };
