/* test_worker.c: the worker's confinement (engine/rb_worker.c) and the
 * message framing (engine/rb_proto.c). */
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "engine/clock.h"
#include "engine/rb_proto.h"
#include "engine/rb_worker.h"

static const struct rb_worker_limits lim = { 64 << 20, 5 };

static int
wait_status(pid_t pid)
{
	int st;

	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

/* Confined, then tries to open a file: the kernel kills it. */
static int
try_open(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	return open("/etc/hostname", O_RDONLY) >= 0 ? 10 : 11;
}

static int
try_socket(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	return socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 10 : 11;
}

static int
try_fork(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	return fork() >= 0 ? 10 : 11;
}

/* Computes and talks to the broker: allowed. Echoes one message. */
static int
echo(int fd, void *arg)
{
	struct err err;
	json_t *m;

	(void)arg;
	err_init(&err);
	if (rb_proto_recv(fd, &m, 0, &err) == -1)
		return 3;
	json_object_set_new(m, "echo", json_true());
	if (rb_proto_send(fd, m, &err) == -1)
		return 4;
	json_decref(m);
	/* descriptors other than the socket are gone */
	return close(0) == -1 && close(4) == -1 && close(5) == -1 ? 0 : 5;
}

static void
test_forbidden_syscalls(void **state)
{
	rb_worker_fn *fns[] = { try_open, try_socket, try_fork };
	char what[64];
	struct err err;
	pid_t pid;
	int fd, st;

	(void)state;
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		err_init(&err);
		assert_int_equal(
		    rb_worker_spawn(&lim, fns[i], NULL, &pid, &fd, &err), 0);
		st = wait_status(pid);
		close(fd);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), SIGSYS);
		rb_worker_describe(st, what, sizeof what);
		assert_string_equal(what,
		    "killed by SIGSYS (a forbidden "
		    "system call)");
	}
}

static void
test_echo(void **state)
{
	struct err err;
	json_t *m, *r;
	pid_t pid;
	int fd;

	(void)state;
	err_init(&err);
	assert_int_equal(rb_worker_spawn(&lim, echo, NULL, &pid, &fd, &err), 0);
	m = json_pack("{s:s, s:s}", "t", "ping", "x", "\xc3\xa9");
	assert_int_equal(rb_proto_send(fd, m, &err), 0);
	assert_int_equal(
	    rb_proto_recv(fd, &r, clock_mono_us() + 5000000, &err), 0);
	assert_string_equal(rb_proto_type(r), "ping");
	assert_true(json_is_true(json_object_get(r, "echo")));
	json_decref(r);
	assert_int_equal(wait_status(pid), 0);
	/* the peer is gone: a clear error, not a hang */
	assert_int_equal(rb_proto_recv(fd, &r, 0, &err), -1);
	assert_string_equal(err.msg, "worker closed the connection");
	json_decref(m);
	close(fd);
}

static void
test_frame_limits(void **state)
{
	unsigned char big[4] = { 0x7f, 0xff, 0xff, 0xff };
	struct err err;
	json_t *m;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], big, 4), 4);
	err_init(&err);
	assert_int_equal(rb_proto_recv(sv[1], &m, 0, &err), -1);
	assert_non_null(strstr(err.msg, "too big"));
	/* a stalled peer: the deadline ends the wait */
	err_init(&err);
	assert_int_equal(write(sv[0], "\0\0\0\x05{}", 6), 6);
	assert_int_equal(
	    rb_proto_recv(sv[1], &m, clock_mono_us() + 100000, &err), -1);
	assert_string_equal(err.msg, "runbook worker: timed out");
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forbidden_syscalls),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_frame_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
