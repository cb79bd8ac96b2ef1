/* actor.h: who is acting: $OWL_ACTOR, else $SUDO_USER, else the login
 * name. Every action-log entry carries it. */
#ifndef OWL_ACTOR_H
#define OWL_ACTOR_H

#include <stddef.h>

#define ACTOR_MAX 64

/* Writes the actor's name into out (ACTOR_MAX bytes): at most 63 bytes of
 * printable ASCII or UTF-8, other bytes replaced by '?'. Never fails: an
 * unknown user is "uid:N". */
void actor_name(char out[ACTOR_MAX]);

#endif
