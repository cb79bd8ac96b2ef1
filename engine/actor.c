/* actor.c: the name recorded as the actor of every action. */
#define _POSIX_C_SOURCE 200809L
#include "actor.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
actor_copy(char out[ACTOR_MAX], const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < ACTOR_MAX - 1; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	/* do not cut a UTF-8 sequence in half */
	while (i > 0 && ((unsigned char)out[i - 1] & 0xc0) == 0x80 &&
	    s[i] != '\0' && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	if (i > 0 && s[i] != '\0' && ((unsigned char)out[i - 1] & 0xc0) == 0xc0)
		i--;
	out[i] = '\0';
}

void
actor_name(char out[ACTOR_MAX])
{
	const char *v;
	struct passwd *pw;

	if ((v = getenv("OWL_ACTOR")) != NULL && *v != '\0')
		goto copy;
	if ((v = getenv("SUDO_USER")) != NULL && *v != '\0')
		goto copy;
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name[0] != '\0') {
		v = pw->pw_name;
		goto copy;
	}
	if ((v = getenv("LOGNAME")) != NULL && *v != '\0')
		goto copy;
	snprintf(out, ACTOR_MAX, "uid:%u", (unsigned)getuid());
	return;
copy:
	actor_copy(out, v);
}
