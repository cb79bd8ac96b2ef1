/* rb_worker_prog.c: finding the owl-worker program beside owl and
 * checking that it is the one this owl was built with (rb_worker.h). */
#include "engine/worker/rb_worker.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RB_WORKER_PHNUM_MAX 64 /* program headers looked at */
#define RB_WORKER_NOTE_MAX 4096 /* bytes of a note segment read */

static int
rb_worker_pread(int fd, void *buf, size_t n, uint64_t off)
{
	if (off > (uint64_t)INT64_MAX - n)
		return -1;
	return pread(fd, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

/* The build id in one note segment (n bytes, notes aligned to al), as
 * hex into hex; 0 or -1. */
static int
rb_worker_note_id(
    const unsigned char *p, size_t n, size_t al, char *hex, size_t hn)
{
	size_t at = 0, name, desc, i;
	ElfW(Nhdr) h;

	while (n - at >= sizeof h) {
		memcpy(&h, p + at, sizeof h);
		at += sizeof h;
		name = ((size_t)h.n_namesz + al - 1) & ~(al - 1);
		desc = ((size_t)h.n_descsz + al - 1) & ~(al - 1);
		if (h.n_namesz > n || h.n_descsz > n || name > n - at ||
		    desc > n - at - name)
			return -1;
		if (h.n_type == NT_GNU_BUILD_ID && h.n_namesz == 4 &&
		    memcmp(p + at, "GNU", 4) == 0 && h.n_descsz > 0 &&
		    (size_t)h.n_descsz * 2 < hn) {
			for (i = 0; i < h.n_descsz; i++)
				snprintf(
				    hex + 2 * i, 3, "%02x", p[at + name + i]);
			return 0;
		}
		at += name + desc;
	}
	return -1;
}

int
rb_worker_build_id_of(int fd, char *hex, size_t n)
{
	unsigned char note[RB_WORKER_NOTE_MAX];
	ElfW(Phdr) ph[RB_WORKER_PHNUM_MAX];
	ElfW(Ehdr) eh;
	size_t i, len;

	if (rb_worker_pread(fd, &eh, sizeof eh, 0) == -1 ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] !=
	        (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32) ||
	    eh.e_phentsize != sizeof ph[0] || eh.e_phnum == 0 ||
	    eh.e_phnum > RB_WORKER_PHNUM_MAX ||
	    rb_worker_pread(fd, ph, eh.e_phnum * sizeof ph[0], eh.e_phoff) ==
	        -1)
		return -1;
	for (i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_NOTE)
			continue;
		len = ph[i].p_filesz < sizeof note ? (size_t)ph[i].p_filesz
		                                   : sizeof note;
		if (rb_worker_pread(fd, note, len, ph[i].p_offset) == 0 &&
		    rb_worker_note_id(
		        note, len, ph[i].p_align == 8 ? 8 : 4, hex, n) == 0)
			return 0;
	}
	return -1;
}

/* The first 12 hex digits of an id, as git shortens a commit. */
#define RB_WORKER_ID_SHORT 12

enum rb_worker_found
rb_worker_program(char *out, size_t n, char *why, size_t wn)
{
	char self[PATH_MAX], id[RB_WORKER_ID_MAX], *slash;
	const char *want = rb_worker_build_id;
	enum rb_worker_found found = RB_WORKER_NONE;
	struct stat me, st;
	ssize_t len;
	int fd;

	why[0] = '\0';
	/* built without a worker of its own (ASan, unit tests): fork */
	if (want == NULL || want[0] == '\0')
		return RB_WORKER_NONE;
	if ((len = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0)
		return RB_WORKER_NONE;
	self[len] = '\0';
	if ((slash = strrchr(self, '/')) == NULL || stat(self, &me) == -1)
		return RB_WORKER_NONE;
	*slash = '\0';
	if ((size_t)snprintf(out, n, "%s/%s", self, RB_WORKER_PROGRAM) >= n ||
	    (fd = open(out, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return RB_WORKER_NONE;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != me.st_uid && st.st_uid != 0) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    (st.st_mode & S_IXUSR) == 0)
		goto out;
	found = RB_WORKER_OTHER;
	if (rb_worker_build_id_of(fd, id, sizeof id) == -1)
		snprintf(why, wn, "no build id, this owl needs %.*s",
		    RB_WORKER_ID_SHORT, want);
	else if (strcmp(id, want) != 0)
		snprintf(why, wn, "build id %.*s, this owl needs %.*s",
		    RB_WORKER_ID_SHORT, id, RB_WORKER_ID_SHORT, want);
	else
		found = RB_WORKER_OK;
out:
	close(fd);
	return found;
}
