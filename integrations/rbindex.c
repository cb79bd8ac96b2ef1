/* rbindex.c: runbook indexes by commit, and which commit a local
 * repository's HEAD or branch names, from its files (rbindex.h). */
#include "rbindex.h"

#include <elf.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/atomicfile.h"
#include "engine/hash.h"
#include "engine/paths.h"

#define RBINDEX_FILE_MAX 4096 /* HEAD, a loose ref */
#define RBINDEX_VERSION 1
#define RBINDEX_BUILD_MAX 64 /* hex digits of a build id */

/* Reads a small file whole, NUL-terminated: its length, or -1. */
static long
rbindex_read_small(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "re");
	size_t len;

	if (f == NULL)
		return -1;
	len = fread(out, 1, n - 1, f);
	fclose(f);
	out[len] = '\0';
	return len == n - 1 ? -1 : (long)len;
}

/* out = a/b; 0, or 1 when it does not fit. */
static int
rbindex_join(char *out, size_t n, const char *a, const char *b)
{
	int len = snprintf(out, n, "%s/%s", a, b);

	return len < 0 || (size_t)len >= n;
}

/* Whether s is 40 lowercase hex digits, then a newline or the end. */
static int
rbindex_oid(const char *s)
{
	return strspn(s, "0123456789abcdef") == RBSOURCE_OID_HEX - 1 &&
	    (s[RBSOURCE_OID_HEX - 1] == '\0' ||
	        strcmp(s + RBSOURCE_OID_HEX - 1, "\n") == 0);
}

/* A branch name owl reads with no doubt: what git allows, less all
 * that needs git's rules (a hex name is also a commit prefix). */
static int
rbindex_branch_valid(const char *b)
{
	size_t n = strlen(b);

	if (n == 0 || n > 200 || strspn(b, "0123456789abcdefABCDEF") == n ||
	    strspn(b,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789._-/") != n ||
	    strchr(".-/", b[0]) || b[n - 1] == '/' || b[n - 1] == '.' ||
	    strstr(b, "..") || strstr(b, "//") || strstr(b, "/.") ||
	    (n >= 5 && strcmp(b + n - 5, ".lock") == 0) ||
	    strncmp(b, "refs/", 5) == 0 || strcmp(b, "HEAD") == 0)
		return 0;
	return 1;
}

/* The commit of refs/heads/BRANCH: its loose file, else packed-refs.
 * 0, or 1 when not sure. */
static int
rbindex_branch(const char *gitdir, const char *branch, char *commit)
{
	char path[PATH_MAX], text[RBINDEX_FILE_MAX], line[512], want[256];
	FILE *f;
	int rc = 1;

	if (!rbindex_branch_valid(branch))
		return 1;
	snprintf(want, sizeof want, "refs/heads/%s", branch);
	if (rbindex_join(path, sizeof path, gitdir, want))
		return 1;
	if (rbindex_read_small(path, text, sizeof text) >= 0) {
		if (!rbindex_oid(text))
			return 1; /* symbolic, or being written */
		memcpy(commit, text, RBSOURCE_OID_HEX - 1);
		commit[RBSOURCE_OID_HEX - 1] = '\0';
		return 0;
	}
	snprintf(want, sizeof want, " refs/heads/%s\n", branch);
	if (rbindex_join(path, sizeof path, gitdir, "packed-refs") ||
	    (f = fopen(path, "re")) == NULL)
		return 1;
	while (rc == 1 && fgets(line, sizeof line, f) != NULL)
		if (strlen(line) > RBSOURCE_OID_HEX &&
		    strspn(line, "0123456789abcdef") == RBSOURCE_OID_HEX - 1 &&
		    strcmp(line + RBSOURCE_OID_HEX - 1, want) == 0) {
			memcpy(commit, line, RBSOURCE_OID_HEX - 1);
			commit[RBSOURCE_OID_HEX - 1] = '\0';
			rc = 0;
		}
	fclose(f);
	return rc;
}

/* The repository's git folder: REPO/.git (a folder, not the file of a
 * linked work tree) or REPO when bare; owned by this user (libgit2
 * refuses others'). 0, or 1 when not sure. */
static int
rbindex_gitdir(const char *repo, char *out, size_t n)
{
	struct stat st;
	char p[PATH_MAX];

	if (rbindex_join(out, n, repo, ".git"))
		return 1;
	if (lstat(out, &st) != 0) {
		if (snprintf(out, n, "%s", repo) >= (int)n ||
		    rbindex_join(p, sizeof p, repo, "objects") ||
		    access(p, F_OK) != 0 || lstat(out, &st) != 0)
			return 1;
	}
	return S_ISDIR(st.st_mode) && st.st_uid == geteuid() ? 0 : 1;
}

int
rbindex_head(const struct rbgit_opts *o, char commit[RBSOURCE_OID_HEX])
{
	char gitdir[PATH_MAX], path[PATH_MAX], text[RBINDEX_FILE_MAX];

	if (o->repo == NULL || o->worktree || rbsource_git_is_url(o->repo) ||
	    rbindex_gitdir(o->repo, gitdir, sizeof gitdir) != 0)
		return 1;
	if (o->ref != NULL && strcmp(o->ref, "HEAD") != 0)
		return rbindex_branch(gitdir, o->ref, commit);
	if (rbindex_join(path, sizeof path, gitdir, "HEAD") ||
	    rbindex_read_small(path, text, sizeof text) < 0)
		return 1;
	if (rbindex_oid(text)) { /* detached */
		memcpy(commit, text, RBSOURCE_OID_HEX - 1);
		commit[RBSOURCE_OID_HEX - 1] = '\0';
		return 0;
	}
	if (strncmp(text, "ref: refs/heads/", 16) != 0)
		return 1;
	text[strcspn(text, "\n")] = '\0';
	return rbindex_branch(gitdir, text + 16, commit);
}

/* The GNU build id of the running program as hex, "" when it has none:
 * what a declaration reads as may change with owl, so an index is of
 * one build. */
static int
rbindex_build_note(struct dl_phdr_info *info, size_t size, void *ctx)
{
	char *out = ctx;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		size_t off = 0;

		if (ph->p_type != PT_NOTE)
			continue;
		while (off + sizeof(ElfW(Nhdr)) <= ph->p_memsz) {
			const ElfW(Nhdr) *nh = (const void *)(p + off);
			size_t name = (nh->n_namesz + 3) & ~(size_t)3,
			       desc = (nh->n_descsz + 3) & ~(size_t)3;
			const unsigned char *d =
			    (const unsigned char *)(nh + 1) + name;

			if (nh->n_type == NT_GNU_BUILD_ID &&
			    nh->n_namesz == 4 &&
			    memcmp(nh + 1, "GNU", 4) == 0 &&
			    nh->n_descsz <= RBINDEX_BUILD_MAX / 2) {
				hash_hex(d, nh->n_descsz, out);
				return 1;
			}
			off += sizeof *nh + name + desc;
		}
	}
	return 1; /* the first object is the program */
}

static void
rbindex_build(char out[RBINDEX_BUILD_MAX + 1])
{
	out[0] = '\0';
	dl_iterate_phdr(rbindex_build_note, out);
}

/* The index's file: STATE/rbindex/SHA256(repo, folder, commit).json;
 * malloc'd, NULL when owl has no state directory. */
static char *
rbindex_path(const struct rbgit_opts *o, const char *commit)
{
	const char *sub = o->subdir ? o->subdir : "";
	unsigned char h[HASH_LEN];
	char hex[2 * HASH_LEN + 1], *dir, *path = NULL;
	struct hash_ctx c;
	struct err err;

	err_init(&err);
	if (hash_begin(&c) == -1)
		return NULL;
	hash_update(&c, o->repo, strlen(o->repo) + 1);
	hash_update(&c, sub, strlen(sub) + 1);
	hash_update(&c, commit, strlen(commit));
	hash_end(&c, h);
	hash_done(&c);
	hash_hex(h, HASH_LEN, hex);
	if ((dir = o->state_dir ? strdup(o->state_dir)
	                        : paths_state_dir(&err)) == NULL ||
	    asprintf(&path, "%s/rbindex/%s.json", dir, hex) == -1)
		path = NULL;
	free(dir);
	return path;
}

json_t *
rbindex_load(const struct rbgit_opts *o, const char *commit)
{
	char *path = rbindex_path(o, commit), build[RBINDEX_BUILD_MAX + 1];
	json_t *doc, *idx = NULL;
	const char *sub = o->subdir ? o->subdir : "";

	if (path == NULL)
		return NULL;
	doc = json_load_file(path, 0, NULL);
	free(path);
	/* what it is of, said inside: a file that is not this index is
	 * none */
	rbindex_build(build);
	if (json_integer_value(json_object_get(doc, "version")) ==
	        RBINDEX_VERSION &&
	    json_is_string(json_object_get(doc, "owl")) &&
	    strcmp(json_string_value(json_object_get(doc, "owl")), build) ==
	        0 &&
	    json_is_string(json_object_get(doc, "repo")) &&
	    strcmp(json_string_value(json_object_get(doc, "repo")), o->repo) ==
	        0 &&
	    json_is_string(json_object_get(doc, "subdir")) &&
	    strcmp(json_string_value(json_object_get(doc, "subdir")), sub) ==
	        0 &&
	    json_is_string(json_object_get(doc, "commit")) &&
	    strcmp(json_string_value(json_object_get(doc, "commit")), commit) ==
	        0 &&
	    json_is_array(json_object_get(doc, "runbooks")))
		idx = json_incref(json_object_get(doc, "runbooks"));
	json_decref(doc);
	return idx;
}

void
rbindex_save(const struct rbgit_opts *o, const char *commit, const json_t *idx)
{
	char *path = rbindex_path(o, commit), *text = NULL;
	char build[RBINDEX_BUILD_MAX + 1];
	json_t *doc;
	struct err err;

	err_init(&err);
	rbindex_build(build);
	doc = json_pack("{s:i,s:s,s:s,s:s,s:s,s:O}", "version", RBINDEX_VERSION,
	    "owl", build, "repo", o->repo, "subdir", o->subdir ? o->subdir : "",
	    "commit", commit, "runbooks", (json_t *)idx);
	if (path != NULL && doc != NULL &&
	    (text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS)) != NULL &&
	    paths_mkparents(path, &err) == 0)
		atomicfile_put(path, text, strlen(text), 0600, &err);
	free(text);
	json_decref(doc);
	free(path);
}
