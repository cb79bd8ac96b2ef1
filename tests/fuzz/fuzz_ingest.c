/* fuzz_ingest.c: libFuzzer harness for the alert-format parsers: every
 * format (and detection) over arbitrary bytes. ingest_parse must return
 * a batch or an error naming the problem, never crash or leak. Build it
 * with clang -fsanitize=fuzzer,address,undefined from this file, every
 * engine/ source, integrations/ingest*.c and integrations/fmt_*.c, and
 * pkg-config's jansson sqlite3 libcrypto; seed it with
 * tests/fixtures/payloads (a leading format byte 0-4 before each). */
#include <stddef.h>
#include <stdint.h>

#include "integrations/ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_batch *b;
	struct err err;

	if (size == 0)
		return 0;
	/* the first byte picks the format, the rest is the body */
	err_init(&err);
	b = ingest_parse((enum ingest_format)(data[0] % 5),
	    (const char *)data + 1, size - 1, &err);
	if (b == NULL && err.msg[0] == '\0')
		__builtin_trap(); /* an error must say what is wrong */
	ingest_batch_free(b);
	return 0;
}
