/* effects_live.h: the live implementation of the effects interface
 * (engine/effects.h): HTTP with libcurl, commands with posix_spawn, files
 * written atomically, secrets from the config's sources or owl's secret
 * directory, notifications to a configured webhook. */
#ifndef OWL_EFFECTS_LIVE_H
#define OWL_EFFECTS_LIVE_H

#include "engine/config.h"
#include "engine/effects.h"

/* The live effects. config (borrowed, may be NULL) names secret sources
 * (secrets.NAME = { env = "VAR" } or { file = "/path" }) and the
 * notification webhook (notify.url). Secrets not named there live in
 * secret_dir (NULL: $XDG_STATE_HOME/owl/secrets), one 0600 file each.
 * NULL with err set; free with effects_free(). */
struct effects *effects_live_new(
    const struct config *config, const char *secret_dir, struct err *err);

/* Writes data to path atomically (engine/atomicfile.h): a temporary
 * file in the same directory, fsync, rename, fsync of the directory.
 * mode -1 keeps the existing file's mode (0644 for a new file). An
 * existing file's owner, group and extended attributes (POSIX ACLs) are
 * kept; when they cannot be (owl is not root, or not the owner), nothing
 * is written and err says why. */
int effects_live_write_file(
    const char *path, const char *data, size_t n, int mode, struct err *err);

#endif
