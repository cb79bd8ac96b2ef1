/* test_worker.c: the worker's confinement (engine/worker/rb_worker.c) and the
 * message framing (engine/worker/rb_proto.c). */
#include "unit.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "engine/clock.h"
#include "engine/worker/rb_proto.h"
#include "engine/worker/rb_worker.h"

extern char **environ;

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

/* Memory may be mapped and protected, never executable. */
static int
try_mmap_exec(int fd, void *arg)
{
	void *p;

	(void)fd;
	(void)arg;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || mprotect(p, 4096, PROT_READ) == -1 ||
	    munmap(p, 4096) == -1)
		return 12;
	return mmap(NULL, 4096, PROT_READ | PROT_EXEC,
	           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED
	    ? 10
	    : 11;
}

static int
try_mprotect_exec(int fd, void *arg)
{
	void *p;

	(void)fd;
	(void)arg;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 12;
	return mprotect(p, 4096, PROT_READ | PROT_EXEC) == 0 ? 10 : 11;
}

#if defined(__x86_64__)
/* An allowed call (getpid) by its x32 number: killed too. */
static int
try_x32(int fd, void *arg)
{
	(void)fd;
	(void)arg;
	return syscall(0x40000000 | SYS_getpid) >= 0 ? 10 : 11;
}
#endif

/* Computes and talks to the broker: allowed. Echoes one message. */
static int
echo(int fd, void *arg)
{
	struct rb_proto_in in;
	struct err err;
	json_t *m;

	(void)arg;
	err_init(&err);
	rb_proto_in_init(&in, fd);
	if (rb_proto_recv(&in, &m, 0, &err) == -1)
		return 3;
	rb_proto_in_done(&in);
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
	rb_worker_fn *fns[] = {
		try_open,
		try_socket,
		try_fork,
		try_mmap_exec,
		try_mprotect_exec,
#if defined(__x86_64__)
		try_x32,
#endif
	};
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

/* The worker sees no environment, and the bytes of the copy it was
 * forked with are wiped (arg: the value's address in the broker). */
static int
env_gone(int fd, void *arg)
{
	const char *v = arg;

	(void)fd;
	if (getenv("OWL_TEST_WORKER_SECRET") != NULL ||
	    (environ != NULL && environ[0] != NULL))
		return 20;
	for (size_t i = 0; i < 24; i++)
		if (v[i] != '\0')
			return 21;
	return 0;
}

static void
test_env_scrubbed(void **state)
{
	struct err err;
	const char *v;
	pid_t pid;
	int fd;

	(void)state;
	assert_int_equal(
	    setenv("OWL_TEST_WORKER_SECRET", "worker-secret-0123456789", 1), 0);
	v = getenv("OWL_TEST_WORKER_SECRET");
	err_init(&err);
	assert_int_equal(
	    rb_worker_spawn(&lim, env_gone, (void *)v, &pid, &fd, &err), 0);
	assert_int_equal(wait_status(pid), 0);
	close(fd);
	/* the broker's own environment is untouched by the worker's wipe */
	assert_string_equal(
	    getenv("OWL_TEST_WORKER_SECRET"), "worker-secret-0123456789");
	unsetenv("OWL_TEST_WORKER_SECRET");
}

static void
test_echo(void **state)
{
	struct rb_proto_in in;
	struct err err;
	json_t *m, *r;
	pid_t pid;
	int fd;

	(void)state;
	err_init(&err);
	assert_int_equal(rb_worker_spawn(&lim, echo, NULL, &pid, &fd, &err), 0);
	rb_proto_in_init(&in, fd);
	m = json_pack("{s:s, s:s}", "t", "ping", "x", "\xc3\xa9");
	assert_int_equal(rb_proto_send(fd, m, &err), 0);
	assert_int_equal(
	    rb_proto_recv(&in, &r, clock_mono_us() + 5000000, &err), 0);
	assert_string_equal(rb_proto_type(r), "ping");
	assert_true(json_is_true(json_object_get(r, "echo")));
	json_decref(r);
	assert_int_equal(wait_status(pid), 0);
	/* the peer is gone: a clear error, not a hang */
	assert_int_equal(rb_proto_recv(&in, &r, 0, &err), -1);
	assert_string_equal(err.msg, "worker closed the connection");
	json_decref(m);
	rb_proto_in_done(&in);
	close(fd);
}

static void
test_frame_limits(void **state)
{
	unsigned char big[4] = { 0x7f, 0xff, 0xff, 0xff };
	struct rb_proto_in in;
	struct err err;
	json_t *m;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], big, 4), 4);
	err_init(&err);
	rb_proto_in_init(&in, sv[1]);
	assert_int_equal(rb_proto_recv(&in, &m, 0, &err), -1);
	assert_non_null(strstr(err.msg, "too big"));
	rb_proto_in_done(&in);
	/* a stalled peer: the deadline ends the wait */
	err_init(&err);
	rb_proto_in_init(&in, sv[1]);
	assert_int_equal(write(sv[0], "\0\0\0\x05{}", 6), 6);
	assert_int_equal(
	    rb_proto_recv(&in, &m, clock_mono_us() + 100000, &err), -1);
	assert_string_equal(err.msg, "runbook worker: timed out");
	rb_proto_in_done(&in);
	close(sv[0]);
	close(sv[1]);
}

/* Several messages in one write are read in one system call and handed
 * out one by one; a message cut anywhere is put together; a message
 * larger than the usual buffer grows it. */
static void
test_buffered(void **state)
{
	static char text[100000];
	struct rb_proto_in in;
	struct buf out;
	struct err err;
	json_t *m;
	int sv[2];

	(void)state;
	err_init(&err);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	rb_proto_in_init(&in, sv[1]);
	buf_init(&out, RB_PROTO_MAX + 64);
	memset(text, 'x', sizeof text - 1);
	for (int i = 0; i < 3; i++) {
		m = json_pack("{s:s, s:i, s:s}", "t", "n", "i", i, "text",
		    i == 1 ? text : "short");
		assert_int_equal(rb_proto_frame(m, &out, &err), 0);
		json_decref(m);
	}
	assert_false(rb_proto_in_ready(&in));
	/* everything but the last byte, then the last byte */
	assert_int_equal(rb_proto_write(sv[0], out.data, out.len - 1, &err), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(
		    rb_proto_recv(&in, &m, clock_mono_us() + 5000000, &err), 0);
		assert_int_equal(
		    json_integer_value(json_object_get(m, "i")), i);
		assert_int_equal(
		    strlen(json_string_value(json_object_get(m, "text"))),
		    i == 1 ? sizeof text - 1 : 5);
		json_decref(m);
	}
	assert_false(rb_proto_in_ready(&in));
	assert_int_equal(
	    rb_proto_write(sv[0], out.data + out.len - 1, 1, &err), 0);
	assert_int_equal(rb_proto_recv(&in, &m, 0, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "i")), 2);
	json_decref(m);
	/* two in one write: the second needs no system call */
	buf_reset(&out);
	for (int i = 0; i < 2; i++) {
		m = json_pack("{s:s, s:i}", "t", "n", "i", 10 + i);
		assert_int_equal(rb_proto_frame(m, &out, &err), 0);
		json_decref(m);
	}
	assert_int_equal(rb_proto_write(sv[0], out.data, out.len, &err), 0);
	assert_int_equal(rb_proto_recv(&in, &m, 0, &err), 0);
	json_decref(m);
	assert_true(rb_proto_in_ready(&in));
	close(sv[0]); /* already read: still handed out */
	assert_int_equal(rb_proto_recv(&in, &m, 0, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(m, "i")), 11);
	json_decref(m);
	assert_int_equal(rb_proto_recv(&in, &m, 0, &err), -1);
	assert_string_equal(err.msg, "worker closed the connection");
	rb_proto_in_done(&in);
	buf_done(&out);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forbidden_syscalls),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_env_scrubbed),
		cmocka_unit_test(test_frame_limits),
		cmocka_unit_test(test_buffered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
