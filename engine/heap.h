/* heap.h: malloc's heap in transparent huge pages, for a short-lived
 * command that grows it a lot (a runbook run: its plan, the action log's
 * pages in SQLite's cache, the plan's text). On a VM with shadow paging a
 * page fault costs 10-35 µs; a 1,000-step dry-run took ~1,400 of them for
 * its heap, where one 2 MiB huge page costs one fault (~0.2 ms to clear). */
#ifndef OWL_HEAP_H
#define OWL_HEAP_H

#include <stddef.h>

/* Grows the heap now by `reserve` bytes of address space (nothing is
 * touched) and advises what lies past its used part as huge pages, and
 * returns the block that holds the heap's free part up to the first huge
 * page, so that what is allocated next comes from huge pages (free it
 * when the run is over; NULL when there was none to make); keeps
 * malloc from giving memory back under 2 * reserve and from mapping
 * blocks under 4 MiB on their own (those come from the heap, in huge
 * pages). Process-wide and for the rest of the process: call it once,
 * early, from a command that ends with its run (owl run, owl apply) or
 * in owl-worker.
 * Without transparent huge pages the heap only grows in bigger steps. */
void *heap_huge(size_t reserve);

#endif
