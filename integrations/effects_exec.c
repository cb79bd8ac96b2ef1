/* effects_exec.c: running commands for runbooks (see effects_exec.h). */
#include "effects_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/clock.h"

#define EFFECTS_EXEC_MAX_ENV 80

extern char **environ;

/* PATH, HOME and LANG from owl's environment, then the runbook's. */
static char **
effects_exec_env(const struct effects_exec *req, struct err *err)
{
	static const char *const keep[] = { "PATH", "HOME", "LANG", "TZ",
		NULL };
	char **env = calloc(EFFECTS_EXEC_MAX_ENV + 1, sizeof *env);
	size_t n = 0;

	if (env == NULL || req->nenv > EFFECTS_EXEC_MAX_ENV - 4)
		goto fail;
	for (int i = 0; keep[i] != NULL; i++) {
		const char *v = getenv(keep[i]);
		if (v == NULL && strcmp(keep[i], "PATH") == 0)
			v = "/usr/local/bin:/usr/bin:/bin";
		if (v != NULL && asprintf(&env[n++], "%s=%s", keep[i], v) == -1)
			goto fail;
	}
	for (size_t i = 0; i < req->nenv; i++) {
		size_t kl = strlen(req->env[i].name);
		if ((env[n] = malloc(kl + req->env[i].len + 2)) == NULL)
			goto fail;
		memcpy(env[n], req->env[i].name, kl);
		env[n][kl] = '=';
		memcpy(env[n] + kl + 1, req->env[i].value, req->env[i].len);
		env[n][kl + 1 + req->env[i].len] = '\0';
		n++;
	}
	return env;
fail:
	err_set(err, ERR_FAILED,
	    "exec: too many environment variables or "
	    "out of memory");
	for (size_t i = 0; env != NULL && i < n; i++)
		free(env[i]);
	free(env);
	return NULL;
}

static void
effects_exec_env_free(char **env)
{
	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		explicit_bzero(env[i], strlen(env[i]));
		free(env[i]);
	}
	free(env);
}

/* Feeds stdin and drains stdout/stderr until both close or time runs
 * out; output past the ceiling is read and dropped. */
static void
effects_exec_pump(const struct effects_exec *req, int in, int out, int er,
    struct effects_exec_res *res, int64_t end)
{
	struct pollfd p[3] = { { out, POLLIN, 0 }, { er, POLLIN, 0 },
		{ in, POLLOUT, 0 } };
	size_t sent = 0;
	char chunk[8192];
	ssize_t r;

	while (p[0].fd >= 0 || p[1].fd >= 0) {
		int64_t left = end - clock_mono_us();
		if (left <= 0) {
			res->timed_out = 1;
			break;
		}
		if (req->cancel != NULL && *req->cancel != req->cancel_seen) {
			res->cancelled = 1;
			break;
		}
		/* a ^C interrupts poll(); the cap covers one that came just
		 * before it */
		if (left > 250000)
			left = 250000;
		if (poll(p, 3, (int)(left / 1000) + 1) == -1 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 ||
			    !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(p[i].fd, chunk, sizeof chunk);
			if (r > 0)
				buf_add(i == 0 ? &res->out : &res->err, chunk,
				    (size_t)r, NULL);
			else if (r == 0 || errno != EINTR)
				p[i].fd = -1;
		}
		if (p[2].fd >= 0 &&
		    (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			r = write(
			    in, req->stdin_data + sent, req->stdin_len - sent);
			if (r > 0)
				sent += (size_t)r;
			if (r < 0 || sent >= req->stdin_len) {
				close(in);
				p[2].fd = -1;
			}
		}
	}
	if (p[2].fd >= 0)
		close(in);
}

/* In the child, between fork and exec (async-signal-safe calls only):
 * its own process group (a timeout or ^C kills the whole group), death
 * with owl (PR_SET_PDEATHSIG: a `kill -9` of owl must not leave the
 * command running, re-parented to init), default signals, the pipes as
 * 0, 1, 2 and nothing else open. An exec failure's errno goes to ep. */
static void __attribute__((noreturn))
effects_exec_child(const struct effects_exec *req, char **env, pid_t parent,
    int in, int out, int errfd, int ep)
{
	sigset_t none;
	int e;

	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(127);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (in < 0)
		in = open("/dev/null", O_RDONLY);
	if (in < 0 || dup2(in, 0) == -1 || dup2(out, 1) == -1 ||
	    dup2(errfd, 2) == -1 || dup2(ep, 3) == -1)
		goto fail;
	fcntl(3, F_SETFD, FD_CLOEXEC);
	syscall(SYS_close_range, 4, ~0U, 0);
	execvpe(req->argv[0], req->argv, env);
fail:
	e = errno;
	if (write(3, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

static int
effects_exec_spawn(const struct effects_exec *req, char **env, int fds[3],
    pid_t *pid, struct err *err)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	int ep[2] = { -1, -1 }, rc = 0, e;
	pid_t parent = getpid();
	ssize_t r;

	if (pipe2(pin, O_CLOEXEC) == -1 || pipe2(pout, O_CLOEXEC) == -1 ||
	    pipe2(perr, O_CLOEXEC) == -1 || pipe2(ep, O_CLOEXEC) == -1) {
		rc = errno;
		goto fail;
	}
	if ((*pid = fork()) == -1) {
		rc = errno;
		goto fail;
	}
	if (*pid == 0)
		effects_exec_child(req, env, parent,
		    req->stdin_data != NULL ? pin[0] : -1, pout[1], perr[1],
		    ep[1]);
	/* the child's own group, from this side too: no race with a kill
	 * of the group before the child got to setpgid */
	setpgid(*pid, *pid);
	close(ep[1]);
	ep[1] = -1;
	while ((r = read(ep[0], &e, sizeof e)) == -1 && errno == EINTR)
		;
	if (r == (ssize_t)sizeof e) { /* exec failed */
		while (waitpid(*pid, NULL, 0) == -1 && errno == EINTR)
			;
		rc = e;
		goto fail;
	}
	close(ep[0]);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	fds[0] = pin[1];
	fds[1] = pout[0];
	fds[2] = perr[0];
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (pin[i] >= 0)
			close(pin[i]);
		if (pout[i] >= 0)
			close(pout[i]);
		if (perr[i] >= 0)
			close(perr[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	return err_set(
	    err, ERR_FAILED, "exec %s: %s", req->argv[0], strerror(rc));
}

int
effects_exec_do(const struct effects_exec *req, struct effects_exec_res *res,
    struct err *err)
{
	int64_t end = clock_mono_us() +
	    (req->timeout_us > 0 ? req->timeout_us : EFFECTS_EXEC_TIMEOUT_US);
	char **env;
	int fds[3] = { -1, -1, -1 }, st = 0;
	pid_t pid = -1;

	if ((env = effects_exec_env(req, err)) == NULL)
		return -1;
	if (effects_exec_spawn(req, env, fds, &pid, err) == -1) {
		effects_exec_env_free(env);
		return -1;
	}
	effects_exec_env_free(env);
	if (req->stdin_data == NULL) {
		close(fds[0]);
		fds[0] = -1;
	}
	effects_exec_pump(req, fds[0], fds[1], fds[2], res, end);
	if (res->timed_out || res->cancelled)
		kill(-pid, SIGKILL);
	close(fds[1]);
	close(fds[2]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	if (WIFEXITED(st))
		res->code = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		res->code = 128 + WTERMSIG(st);
	return 0;
}
