/* owl-heap: test tool for engine/heap.c (tests/44-run-heap.t). Not
 * installed. usage: owl-heap OFFSET_KIB: moves the end of the heap to
 * OFFSET_KIB below a 2 MiB boundary (where a run's heap may start: its
 * start is random), calls heap_huge as owl run does, then allocates and
 * touches 1.5 MiB in small blocks, and prints "faults N fallbacks M": the
 * page faults that took (one or two when the heap is in huge pages, ~400
 * in small ones) and the huge page allocations the kernel could not make
 * meanwhile (/proc/vmstat thp_fault_fallback; the test skips then). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/heap.h"

#define HUGE ((uintptr_t)2 << 20)

static long
fallbacks(void)
{
	char line[128];
	long n = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "thp_fault_fallback %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

int
main(int argc, char **argv)
{
	struct rusage r0, r1;
	uintptr_t cur, want;
	long fb0, fb1;
	char *blocks[1536];

	if (argc != 2) {
		fprintf(stderr, "usage: owl-heap OFFSET_KIB\n");
		return 2;
	}
	fb0 = fallbacks();
	cur = (uintptr_t)sbrk(0);
	want = ((cur + HUGE - 1) & ~(HUGE - 1)) + HUGE -
	    (uintptr_t)atol(argv[1]) * 1024;
	if (sbrk((intptr_t)(want - cur)) == (void *)-1) {
		perror("owl-heap: sbrk");
		return 1;
	}
	if (heap_huge(32u << 20) == NULL) {
		fprintf(stderr, "owl-heap: heap_huge made no huge part\n");
		return 1;
	}
	getrusage(RUSAGE_SELF, &r0);
	for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
		if ((blocks[i] = malloc(1000)) != NULL)
			memset(blocks[i], 1, 1000);
	getrusage(RUSAGE_SELF, &r1);
	fb1 = fallbacks();
	printf("faults %ld fallbacks %ld\n", r1.ru_minflt - r0.ru_minflt,
	    fb0 < 0 || fb1 < 0 ? -1 : fb1 - fb0);
	for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
		free(blocks[i]);
	return 0;
}
