/* test_worker.c: the worker's confinement (engine/worker/rb_worker.c) and the
 * message framing (engine/worker/rb_proto.c). */
#include "unit.h"

#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "engine/clock.h"
#include "engine/worker/rb_filter.h"
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

/* The main program's build id as the loader mapped it (hex), or "". */
static int
test_loaded_id(struct dl_phdr_info *info, size_t size, void *data)
{
	char *hex = data;
	const unsigned char *p;
	ElfW(Nhdr) h;
	size_t at, i, al;
	int k;

	(void)size;
	for (k = 0; k < info->dlpi_phnum; k++) {
		if (info->dlpi_phdr[k].p_type != PT_NOTE)
			continue;
		p = (const unsigned char *)(info->dlpi_addr +
		    info->dlpi_phdr[k].p_vaddr);
		al = info->dlpi_phdr[k].p_align == 8 ? 8 : 4;
		for (at = 0; at + sizeof h <= info->dlpi_phdr[k].p_memsz;) {
			memcpy(&h, p + at, sizeof h);
			at += sizeof h;
			if (h.n_type == NT_GNU_BUILD_ID && h.n_namesz == 4) {
				for (i = 0; i < h.n_descsz; i++)
					sprintf(hex + 2 * i, "%02x",
					    p[at + ((4 + al - 1) & ~(al - 1)) +
					        i]);
				return 1;
			}
			at += ((h.n_namesz + al - 1) & ~(al - 1)) +
			    ((h.n_descsz + al - 1) & ~(al - 1));
		}
	}
	return 1; /* the main program only */
}

/* A copy of this test's own executable in memory, changed by the
 * caller, as a descriptor. */
static int
test_exe_copy(unsigned char **data, size_t *n)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat st;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	*n = (size_t)st.st_size;
	assert_non_null(*data = malloc(*n));
	assert_int_equal(pread(fd, *data, *n, 0), (ssize_t)*n);
	close(fd);
	return 0;
}

static int
test_id_of(const unsigned char *data, size_t n, char *hex, size_t hn)
{
	int fd = memfd_create("exe", MFD_CLOEXEC), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	rc = rb_worker_build_id_of(fd, hex, hn);
	close(fd);
	return rc;
}

/* owl trusts an owl-worker only by its GNU build id: the reader finds
 * the id the loader sees, and a damaged or foreign file gives none
 * (never a read outside what it read). */
static void
test_build_id(void **state)
{
	static const unsigned char hdr[] = { 4, 0, 0, 0, 20, 0, 0, 0, 3, 0, 0,
		0, 'G', 'N', 'U', 0 };
	char loaded[RB_WORKER_ID_MAX] = "", hex[RB_WORKER_ID_MAX], path[64];
	char why[160];
	unsigned char *data, *at;
	size_t n;

	(void)state;
	dl_iterate_phdr(test_loaded_id, loaded);
	assert_int_equal(strlen(loaded), 40);
	test_exe_copy(&data, &n);
	assert_int_equal(test_id_of(data, n, hex, sizeof hex), 0);
	assert_string_equal(hex, loaded);
	/* too small a buffer for it: none */
	assert_int_equal(test_id_of(data, n, hex, 40), -1);
	/* cut short, not ELF: none */
	assert_int_equal(test_id_of(data, 40, hex, sizeof hex), -1);
	data[0] = 0;
	assert_int_equal(test_id_of(data, n, hex, sizeof hex), -1);
	data[0] = 0x7f;
	/* a note whose sizes run past its segment: none */
	assert_non_null(at = memmem(data, n, hdr, sizeof hdr));
	memcpy(at, "\xff\xff\xff\xff", 4);
	assert_int_equal(test_id_of(data, n, hex, sizeof hex), -1);
	memcpy(at, hdr, 4);
	memcpy(at + 4, "\xf0\xff\xff\x7f", 4);
	assert_int_equal(test_id_of(data, n, hex, sizeof hex), -1);
	memcpy(at + 4, hdr + 4, 4);
	/* one bit of the id: another id */
	at[sizeof hdr + 19] ^= 1;
	assert_int_equal(test_id_of(data, n, hex, sizeof hex), 0);
	assert_string_not_equal(hex, loaded);
	assert_memory_equal(hex, loaded, 39);
	free(data);
	/* built without a worker id (this test): never a program, fork */
	assert_int_equal(rb_worker_program(path, sizeof path, why, sizeof why),
	    RB_WORKER_NONE);
}

/* The filter the worker loads is the one libseccomp makes of the rules
 * (engine/worker/rb_filter.c) now: same instructions, byte for byte. */
static void
test_filter_is_libseccomps(void **state)
{
	unsigned char got[65536];
	scmp_filter_ctx ctx = rb_filter_ctx();
	const void *prog;
	size_t n;
	ssize_t r;
	int fd;

	(void)state;
	assert_non_null(ctx);
	fd = memfd_create("filter", 0);
	assert_true(fd >= 0);
	assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	r = read(fd, got, sizeof got);
	close(fd);
	seccomp_release(ctx);
	rb_worker_filter(&prog, &n);
	assert_true(n > 8 * 10); /* ~45 instructions of 8 bytes */
	assert_int_equal((size_t)r, n);
	assert_memory_equal(got, prog, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forbidden_syscalls),
		cmocka_unit_test(test_filter_is_libseccomps),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_env_scrubbed),
		cmocka_unit_test(test_frame_limits),
		cmocka_unit_test(test_buffered),
		cmocka_unit_test(test_build_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
