/* rb_filter_gen.c: a build step, not part of owl: renders the worker's
 * filter (rb_filter.h) with libseccomp into BPF and prints it as C, the
 * array rb_filter_bpf that owl-worker loads (make writes
 * build/gen/rb_filter_bpf.h). Exits 1 when libseccomp fails. */
#include <linux/filter.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/worker/rb_filter.h"

#define RB_FILTER_GEN_MAX 4096 /* instructions; the filter has ~45 */

int
main(void)
{
	static struct sock_filter prog[RB_FILTER_GEN_MAX];
	scmp_filter_ctx ctx = rb_filter_ctx();
	ssize_t n;
	int fd;

	if (ctx == NULL || (fd = memfd_create("rb_filter", 0)) == -1 ||
	    seccomp_export_bpf(ctx, fd) != 0 || lseek(fd, 0, SEEK_SET) != 0 ||
	    (n = read(fd, prog, sizeof prog)) <= 0 ||
	    n % (ssize_t)sizeof prog[0] != 0 || n == (ssize_t)sizeof prog) {
		fputs("rb_filter_gen: libseccomp could not render the worker's "
		      "filter\n",
		    stderr);
		return 1;
	}
	printf("/* written by make (engine/worker/main/rb_filter_gen.c): the "
	       "worker's\n * system-call filter (engine/worker/rb_filter.c) "
	       "as libseccomp renders it */\nstatic const struct sock_filter "
	       "rb_filter_bpf[] = {\n");
	for (size_t i = 0; i < (size_t)n / sizeof prog[0]; i++)
		printf("\t{ 0x%04x, %u, %u, 0x%08x },\n", prog[i].code,
		    prog[i].jt, prog[i].jf, prog[i].k);
	printf("};\n");
	seccomp_release(ctx);
	return 0;
}
