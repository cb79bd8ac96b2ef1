/* scratch.h: an anonymous scratch file for data too big to keep in
 * memory (owl timeline's row spool), made where the user said temporary
 * files go: $TMPDIR, else /tmp. glibc's tmpfile() always uses /tmp (its
 * P_tmpdir), which may be a small tmpfs while $TMPDIR points at a disk. */
#ifndef OWL_SCRATCH_H
#define OWL_SCRATCH_H

#include <stdio.h>

/* A new empty file opened "w+", close-on-exec, its name unlinked at once
 * (nothing is left behind, whatever happens to the process). Made in
 * $TMPDIR when it is set to a directory where one can be made, else in
 * /tmp. NULL with errno set when neither works. Close with fclose. */
FILE *scratch_file(void);

#endif
