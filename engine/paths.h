/* paths.h: where owl keeps its files (XDG base directories).
 * The database: --db, else $OWL_DB, else $XDG_STATE_HOME/owl/owl.db,
 * else ~/.local/state/owl/owl.db. The config: --config, else $OWL_CONFIG,
 * else $XDG_CONFIG_HOME/owl/config.lua, else ~/.config/owl/config.lua. */
#ifndef OWL_PATHS_H
#define OWL_PATHS_H

#include "err.h"

/* Returns the database path (malloc'd, free()), from `flag` when not NULL.
 * NULL with err set when no home directory is known. */
char *paths_db(const char *flag, struct err *err);

/* Returns the config path (malloc'd, free()), same rules as paths_db. */
char *paths_config(const char *flag, struct err *err);

/* Returns owl's state directory ($XDG_STATE_HOME/owl), malloc'd. */
char *paths_state_dir(struct err *err);

/* Creates the parent directories of `path` (mode 0700), like mkdir -p.
 * Returns 0, or -1 with err set. */
int paths_mkparents(const char *path, struct err *err);

#endif
