/* fuzz_broker.c: libFuzzer harness for the broker's side of the worker
 * protocol (engine/worker/rb_proto.c framing and JSON, engine/rb_broker.c and
 * the chokepoint engine/rb_effect*.c), which read what a runbook worker
 * sends: a worker whose Lua VM is subverted sends anything. The input's
 * first byte picks the shape: '0' and JSON messages one per line (the
 * harness frames them), else raw bytes (lengths and all). Each message
 * goes through the dispatch of a dry-run broker over fake effects and a
 * database; nothing may crash, leak, hang or be performed for real.
 * Built and seeded (tests/fuzz/seeds/fuzz_broker) by `make fuzz`. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/clock.h"
#include "engine/effects_fake.h"
#include "engine/rb_broker.h"
#include "engine/worker/rb_proto.h"
#include "engine/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *fz_store;
static struct effects *fz_fx;
static char fz_dir[] = "/tmp/owl-fuzz-broker-XXXXXX";

/* A fresh database and fakes every 2000 inputs: the action log and the
 * fakes' files only grow. */
static int
fz_init(void)
{
	static unsigned long count;
	char db[64];
	struct err err;
	json_t *fakes;

	if (fz_store != NULL && ++count % 2000 != 0)
		return 0;
	if (fz_store == NULL && mkdtemp(fz_dir) == NULL)
		return -1;
	store_close(fz_store);
	effects_free(fz_fx);
	for (int i = 0; i < 3; i++) {
		snprintf(db, sizeof db, "%s/owl.db%s", fz_dir,
		    i == 0 ? "" : i == 1 ? "-wal" : "-shm");
		unlink(db);
	}
	snprintf(db, sizeof db, "%s/owl.db", fz_dir);
	err_init(&err);
	if ((fz_store = store_open(db, &err)) == NULL)
		return -1;
	store_exec(fz_store, "PRAGMA synchronous = OFF", NULL);
	/* a secret, a file and answers, so that the chokepoint goes deep */
	fakes = json_pack("{s:{s:s}, s:{s:s}, s:{s:{s:i}}, s:{s:{s:i}}}",
	    "secrets", "k", "a-fake-secret-value", "files", "/tmp/f", "x\n",
	    "http", "*", "status", 200, "exec", "*", "code", 0);
	fz_fx = effects_fake_new(fakes);
	json_decref(fakes);
	return fz_fx != NULL ? 0 : -1;
}

/* The input as framed messages: '0' then JSON lines, else raw. */
static void
fz_frames(const uint8_t *data, size_t size, struct buf *out)
{
	const char *p = (const char *)data + 1, *end = (const char *)data + size;

	if (data[0] != '0') {
		buf_add(out, data + 1, size - 1, NULL);
		return;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_t *m = json_loadb(p, n, 0, NULL);
		if (m != NULL)
			rb_proto_frame(m, out, NULL);
		json_decref(m);
		p += n + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_proto_in in;
	struct rb_broker b;
	struct buf frames;
	struct err err;
	json_t *m;
	int sv[2];

	if (size == 0 || fz_init() == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0,
	        sv) == -1)
		return 0;
	buf_init(&frames, (size_t)1 << 20);
	fz_frames(data, size, &frames);
	memset(&b, 0, sizeof b);
	err_init(&err);
	if (rb_effect_init(&b.fx, fz_store, fz_fx, 1, NULL, &err) == -1)
		__builtin_trap();
	b.store = fz_store;
	b.dir = fz_dir;
	b.dry_run = 1;
	b.oneway = 1; /* dry-run writes may come one-way (rb_broker.h) */
	b.fd = sv[0]; /* the broker's answers go to the "worker" end */
	b.steps = json_array();
	b.undoable = json_array();
	b.fx.instant = 1;
	b.fx.deadline = clock_mono_us() + 1000000;
	/* the worker end: what it "sent", then closed; answers are dropped
	 * once the socket buffer is full (the send fails, as with a worker
	 * that is gone) */
	if (frames.len > 0 &&
	    write(sv[1], frames.data, frames.len) != (ssize_t)frames.len) {
	}
	shutdown(sv[1], SHUT_WR);
	rb_proto_in_init(&in, sv[0]);
	while (!b.done) {
		err_init(&err);
		if (rb_proto_recv(&in, &m, clock_mono_us() + 100000, &err) == -1)
			break;
		err_init(&err);
		if (rb_broker_message(&b, m, &err) == -1 && err.msg[0] == '\0')
			__builtin_trap(); /* a failure says what failed */
		json_decref(m);
	}
	rb_proto_in_done(&in);
	rb_effect_done(&b.fx);
	json_decref(b.steps);
	json_decref(b.undoable);
	buf_done(&frames);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
