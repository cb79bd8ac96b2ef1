/* rbsel.h: which runbooks a command reads, and the policy on opening
 * them. `--runbooks DIR` (a plain directory), else `--repo PATH|URL`
 * with `--ref`/`--rev`, else $OWL_RUNBOOKS (a URL, a repository, or a
 * plain directory), else the config's runbooks table (repo, ref, dir).
 * Opening a source for a run applies runbooks.require_signed and logs a
 * refusal. Shared by every runbook command (runbooks, run, apply, test)
 * through runner.h; what it has to say (a dirty tree) goes to a note
 * callback, never to the terminal. */
#ifndef OWL_RBSEL_H
#define OWL_RBSEL_H

#include <getopt.h>

#include "engine/config.h"
#include "engine/err.h"
#include "engine/rbsource.h"
#include "engine/store.h"
#include "integrations/rbsource_git.h"

/* Told what a user should know (a warning, a note), one line, not
 * sanitised. */
typedef void rbsel_note_fn(void *ctx, const char *text);

struct rbsel {
	const char *dir; /* --runbooks DIR */
	const char *repo; /* --repo PATH|URL */
	const char *ref; /* --ref REF */
	const char *rev; /* --rev REV (wins over --ref) */
	const char *subdir; /* --subdir DIR: the runbook folder in the repo */
	int worktree; /* --worktree */
	/* From the config (borrowed; NULL/0 when not set). */
	const char *cfg_repo, *cfg_ref, *cfg_dir, *cfg_subdir;
	int require_signed;
	struct rbgit_trust trust;
	char signers_path[4096], keyring_path[4096]; /* trust's storage */
	rbsel_note_fn *note; /* NULL: notes are dropped */
	void *note_ctx;
};

#define RBSEL_OPT_RUNBOOKS 0x1101
#define RBSEL_OPT_REPO 0x1102
#define RBSEL_OPT_REF 0x1103
#define RBSEL_OPT_REV 0x1104
#define RBSEL_OPT_WORKTREE 0x1105
#define RBSEL_OPT_SUBDIR 0x1106

/* Append to a command's options (with CLI_COMMON_OPTS). */
#define RBSEL_OPTS                                                             \
	{ "runbooks", required_argument, NULL, RBSEL_OPT_RUNBOOKS },           \
	    { "repo", required_argument, NULL, RBSEL_OPT_REPO },               \
	    { "ref", required_argument, NULL, RBSEL_OPT_REF },                 \
	    { "rev", required_argument, NULL, RBSEL_OPT_REV },                 \
	    { "subdir", required_argument, NULL, RBSEL_OPT_SUBDIR },           \
	{                                                                      \
		"worktree", no_argument, NULL, RBSEL_OPT_WORKTREE              \
	}

/* The help lines for RBSEL_OPTS. */
#define RBSEL_HELP                                                               \
	"  --runbooks DIR  read runbooks from a plain directory (unversioned)\n" \
	"  --repo PATH|URL a git repository: a local path is read in place,\n"   \
	"                  a URL (file://, https://, ssh://, git://) from its\n" \
	"                  mirror under the state directory\n"                   \
	"  --ref REF       branch, tag or commit to read (default: HEAD, or\n"   \
	"                  runbooks.ref in the config)\n"                        \
	"  --rev REV       the same; wins over --ref\n"                          \
	"  --subdir DIR    the folder of the runbooks in the repository\n"       \
	"  --worktree      read the working files of a local repository,\n"      \
	"                  uncommitted changes included (recorded as dirty)\n"   \
	"  Without these: $OWL_RUNBOOKS, then runbooks = { repo, ref, dir }\n"   \
	"  in the config.\n"

/* Reads the config's runbooks table into s: repo, ref, dir, subdir
 * (borrowed from c, which must outlive s), require_signed, and the trust
 * files allowed_signers and gpg_keyring (relative paths are taken from
 * the config file's folder). A value of the wrong type: -1 with err set
 * (ERR_USAGE). */
int rbsel_config(struct rbsel *s, const struct config *c, struct err *err);

/* Takes one option id of RBSEL_OPTS; returns 1 when it was one, else 0. */
int rbsel_option(struct rbsel *s, int opt, const char *arg);

/* Fills the git options from the selection. Returns 1 when the runbooks
 * come from git, 0 when from the plain directory *dir, -1 with err set
 * (ERR_USAGE) when nothing is selected or the choices conflict. */
int rbsel_pick(const struct rbsel *s, struct rbgit_opts *o, const char **dir,
    struct err *err);

/* Opens the selected source. For a local working tree with uncommitted
 * changes to runbooks, notes a warning (unless quiet) and reads the
 * committed version. Close with rbsource_close; NULL with err set. */
struct rbsource *rbsel_open(const struct rbsel *s, int quiet, struct err *err);

/* Applies runbooks.require_signed: 0 when not required or the commit's
 * signature verifies (signer filled, n bytes), else -1 with err set
 * (ERR_REFUSED with the reason). */
int rbsel_verify(const struct rbsel *s, struct rbsource *src, char *signer,
    size_t n, struct err *err);

/* For a run of `name`: opens the selected source (warning about a dirty
 * tree), applies runbooks.require_signed (a refusal is logged in the
 * action log as runbook.refused with the commit and the reason, and
 * returned as ERR_REFUSED), and notes when the working files of a dirty
 * tree are used (unless quiet). NULL with err set. */
struct rbsource *rbsel_open_run(const struct rbsel *s, struct store *st,
    const char *name, int dry_run, int quiet, struct err *err);

/* Which version of runbook `name` a run reads, into out (n bytes):
 * "degrade.lua from REPO at REF COMMIT (blob B)", or "from DIR (plain
 * directory, unversioned)"; "" when the runbook is not there. */
void rbsel_origin_text(
    struct rbsource *src, const char *name, char *out, size_t n);

#endif
