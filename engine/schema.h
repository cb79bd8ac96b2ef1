/* schema.h: owl's database schema as an ordered list of migrations.
 * Migration i (1-based) brings PRAGMA user_version from i-1 to i. Append
 * only: never edit a migration that has shipped. */
#ifndef OWL_SCHEMA_H
#define OWL_SCHEMA_H

extern const char *const schema_migrations[];
extern const int schema_count;

#endif
