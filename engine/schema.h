/* schema.h: owl's database schema as an ordered list of migrations.
 * Migration i (1-based) brings PRAGMA user_version from i-1 to i. Append
 * only: never edit a migration that has shipped. */
#ifndef OWL_SCHEMA_H
#define OWL_SCHEMA_H

extern const char *const schema_migrations[];
extern const int schema_count;

/* The same migrations on PostgreSQL (schema_pg.c): schema_pg[i] brings
 * the version from i to i+1 there, NULL when folded into a later one.
 * schema_pg_count equals schema_count (tests/unit/test_store_pg.c). */
extern const char *const schema_pg[];
extern const int schema_pg_count;

#endif
