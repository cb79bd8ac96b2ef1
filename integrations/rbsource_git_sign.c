/* rbsource_git_sign.c: commit signature checks for
 * runbooks.require_signed. libgit2 gives the signature and the signed
 * payload; `ssh-keygen -Y verify` (SSH) or `gpgv` (GPG) checks them
 * against the configured trust file. Tools are run by posix_spawn with an
 * argv and a fixed PATH (never a shell), with a deadline and capped
 * output; the payload goes through private temporary files. */
#include "rbsource_git_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RBSIGN_DEADLINE_MS 10000
#define RBSIGN_OUT_MAX 8192

static const char *const rbsign_path[] = { "/usr/local/bin", "/usr/bin", "/bin",
	NULL };

/* Finds a tool in the fixed PATH; 0 and its path in out, or -1. */
static int
rbsign_which(const char *tool, char *out, size_t n)
{
	for (int i = 0; rbsign_path[i] != NULL; i++) {
		snprintf(out, n, "%s/%s", rbsign_path[i], tool);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

static long
rbsign_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Reads the child's output until EOF or the deadline. */
static int
rbsign_drain(int fd, char *out, size_t outn)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long end = rbsign_ms() + RBSIGN_DEADLINE_MS;
	size_t len = 0;
	char sink[512];
	ssize_t r;

	for (;;) {
		long left = end - rbsign_ms();

		if (left <= 0)
			return -1;
		if (poll(&p, 1, (int)left) == -1 && errno != EINTR)
			return -1;
		if (len + 1 < outn)
			r = read(fd, out + len, outn - 1 - len);
		else
			r = read(fd, sink, sizeof sink); /* over the cap */
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		if (len + 1 < outn)
			len += (size_t)r;
	}
	out[len] = '\0';
	return 0;
}

/* Runs argv (argv[0] a tool name) with stdin from `in` (NULL:
 * /dev/null) and stdout+stderr captured into out. Returns its exit
 * status, or -1 with err set (not found, could not start, killed at the
 * deadline). */
static int
rbsign_spawn(
    char **argv, const char *in, char *out, size_t outn, struct err *err)
{
	static char *const envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin",
		"LC_ALL=C", NULL };
	posix_spawn_file_actions_t fa;
	char exe[256];
	int fds[2], st = 0, rc;
	pid_t pid;

	if (rbsign_which(argv[0], exe, sizeof exe) == -1)
		return err_set(err, ERR_REFUSED,
		    "signature check needs %s, "
		    "which is not installed",
		    argv[0]);
	if (pipe2(fds, O_CLOEXEC) == -1)
		return err_set(err, ERR_FAILED, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(
	    &fa, 0, in ? in : "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	rc = posix_spawn(&pid, exe, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return err_set(err, ERR_FAILED, "%s: %s", exe, strerror(rc));
	}
	rc = rbsign_drain(fds[0], out, outn);
	close(fds[0]);
	if (rc == -1)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (rc == -1)
		return err_set(err, ERR_REFUSED,
		    "%s did not finish within "
		    "%d s",
		    argv[0], RBSIGN_DEADLINE_MS / 1000);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
rbsign_write(const char *path, const char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ssize_t w;

	if (fd == -1)
		return -1;
	while (n > 0 && (w = write(fd, p, n)) > 0) {
		p += w;
		n -= (size_t)w;
	}
	close(fd);
	return n == 0 ? 0 : -1;
}

/* First line of s, for messages. */
static void
rbsign_line(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static int
rbsign_ssh(const char *dir, const struct rbgit_trust *t, char *signer, size_t n,
    struct err *err)
{
	char sig[4200], data[4200], out[RBSIGN_OUT_MAX];
	char *find[] = { "ssh-keygen", "-Y", "find-principals", "-s", sig, "-f",
		(char *)t->allowed_signers, NULL };
	char *verify[] = { "ssh-keygen", "-Y", "verify", "-f",
		(char *)t->allowed_signers, "-I", out, "-n", "git", "-s", sig,
		NULL };
	char msg[RBSIGN_OUT_MAX];
	int st;

	snprintf(sig, sizeof sig, "%s/sig", dir);
	snprintf(data, sizeof data, "%s/data", dir);
	/* Which allowed principal holds the key that signed? */
	if ((st = rbsign_spawn(find, NULL, out, sizeof out, err)) == -1)
		return -1;
	rbsign_line(out);
	if (st != 0 || out[0] == '\0')
		return err_set(err, ERR_REFUSED,
		    "the signing key is not in "
		    "%s",
		    t->allowed_signers);
	/* A valid signature by an unknown key is not enough: verify it for
	 * that principal and the "git" namespace. */
	if ((st = rbsign_spawn(verify, data, msg, sizeof msg, err)) == -1)
		return -1;
	rbsign_line(msg);
	if (st != 0)
		return err_set(err, ERR_REFUSED,
		    "signature does not verify "
		    "(%.200s)",
		    msg);
	snprintf(signer, n, "%s", out);
	return 0;
}

static int
rbsign_gpg(const char *dir, const struct rbgit_trust *t, char *signer, size_t n,
    struct err *err)
{
	char sig[4200], data[4200], out[RBSIGN_OUT_MAX], ring[4200];
	char *argv[] = { "gpgv", "--homedir", (char *)dir, "--keyring", ring,
		"--status-fd", "1", sig, data, NULL };
	char *v;
	int st;

	if (realpath(t->gpg_keyring, ring) == NULL)
		return err_set(err, ERR_REFUSED, "GPG keyring %s: %s",
		    t->gpg_keyring, strerror(errno));
	snprintf(sig, sizeof sig, "%s/sig", dir);
	snprintf(data, sizeof data, "%s/data", dir);
	if ((st = rbsign_spawn(argv, NULL, out, sizeof out, err)) == -1)
		return -1;
	/* The exit status alone is not trusted: want VALIDSIG. */
	if (st != 0 || (v = strstr(out, "[GNUPG:] VALIDSIG ")) == NULL)
		return err_set(err, ERR_REFUSED,
		    "GPG signature does not "
		    "verify with the keyring %s",
		    t->gpg_keyring);
	v += strlen("[GNUPG:] VALIDSIG ");
	v[strcspn(v, " \r\n")] = '\0';
	snprintf(signer, n, "%s", v);
	return 0;
}

/* Checks signature `s` over `d` with the tool its kind needs. */
static int
rbsign_check(const git_buf *s, const git_buf *d, const struct rbgit_trust *t,
    char *signer, size_t n, struct err *err)
{
	const char *base = getenv("TMPDIR");
	char dir[4096], path[4200];
	int ssh, rc = -1;

	ssh = strncmp(s->ptr, "-----BEGIN SSH SIGNATURE-----", 29) == 0;
	if (!ssh && strncmp(s->ptr, "-----BEGIN PGP SIGNATURE-----", 29) != 0)
		return err_set(err, ERR_REFUSED, "unknown signature format");
	if (ssh && (t->allowed_signers == NULL || !*t->allowed_signers))
		return err_set(err, ERR_REFUSED,
		    "SSH-signed, but no "
		    "runbooks.allowed_signers file is configured");
	if (!ssh && (t->gpg_keyring == NULL || !*t->gpg_keyring))
		return err_set(err, ERR_REFUSED,
		    "GPG-signed, but no "
		    "runbooks.gpg_keyring is configured");
	snprintf(dir, sizeof dir, "%s/owl-sig-XXXXXX",
	    base && *base == '/' ? base : "/tmp");
	if (mkdtemp(dir) == NULL)
		return err_set(err, ERR_FAILED, "%s: %s", dir, strerror(errno));
	snprintf(path, sizeof path, "%s/sig", dir);
	if (rbsign_write(path, s->ptr, s->size) == -1)
		goto io;
	snprintf(path, sizeof path, "%s/data", dir);
	if (rbsign_write(path, d->ptr, d->size) == -1)
		goto io;
	rc = ssh ? rbsign_ssh(dir, t, signer, n, err)
	         : rbsign_gpg(dir, t, signer, n, err);
	goto out;
io:
	err_set(err, ERR_FAILED, "%s: %s", path, strerror(errno));
out:
	rbgit_rmtree(dir);
	return rc;
}

int
rbsource_git_verify(struct rbsource *src, const struct rbgit_trust *t,
    char *signer, size_t n, struct err *err)
{
	struct rbgit *g = src->impl;
	git_buf sig = { 0 }, data = { 0 };
	git_oid id;
	int rc;

	signer[0] = '\0';
	if (src->origin.kind != RBSOURCE_GIT)
		return err_set(err, ERR_REFUSED,
		    "runbooks.require_signed: %s "
		    "is a plain directory, which carries no signature",
		    src->origin.repo);
	if (g->files != NULL)
		return err_set(err, ERR_REFUSED,
		    "runbooks.require_signed: "
		    "working files (--worktree) carry no signature");
	git_oid_cpy(&id, git_commit_id(g->commit));
	rc = git_commit_extract_signature(&sig, &data, g->repo, &id, NULL);
	if (rc == GIT_ENOTFOUND)
		err_set(err, ERR_REFUSED, "commit %.12s is not signed",
		    src->origin.commit);
	else if (rc != 0)
		rbgit_fail(err, "runbooks: signature");
	else if ((rc = rbsign_check(&sig, &data, t, signer, n, err)) != 0)
		err_prefix(err, "commit %.12s: ", src->origin.commit);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	return rc == 0 ? 0 : -1;
}
